/* model.h: the model the client holds: the architecture (dense layers) and one flat float32
 * parameter vector in the layout order dense1.weight [units, fan_in], dense1.bias [units], … */
#ifndef TE_MODEL_H
#define TE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "preprocessing.h"
#include "tributary/v1/round.pb-c.h"

#define TE_MAX_LAYERS 32
/* Largest model accepted: 64M parameters, as the Swift side's transfer limit is sized for. */
#define TE_MAX_PARAMETERS ((size_t)64 * 1024 * 1024)

typedef struct te_architecture {
    uint32_t input_size;
    size_t layer_count;
    uint32_t units[TE_MAX_LAYERS];
    Tributary__V1__Activation activation[TE_MAX_LAYERS];
    Tributary__V1__Loss loss;
} te_architecture;

typedef struct te_model {
    uint64_t version;           /* registry version; 0 = no model held */
    te_architecture architecture;
    float *parameters;
    size_t parameter_count;
    te_preprocessing preprocessing;   /* what a raw record goes through first; identity by default */
} te_model;

/* Checks an architecture from the wire and copies it. */
te_status te_architecture_from_wire(const Tributary__V1__ModelArchitecture *wire, te_architecture *architecture,
                                    te_error *error);

/* Same input size, layers (units, activations) and loss. */
int te_architecture_equal(const te_architecture *a, const te_architecture *b);

/* Parameters the architecture has; 0 when it overflows TE_MAX_PARAMETERS. */
size_t te_architecture_parameter_count(const te_architecture *architecture);

/* The model at `version` from a payload (RoundOffer.model, ModelRelease.model): in full, or as a
 * delta against `held` (which must be at the delta's base_version). `architecture` may be NULL:
 * then held's is used. Each tensor is checked (position, name, shape, dtype, byte count) and its
 * data copied once into one new buffer. On failure *model is untouched. */
te_status te_model_from_payload(const te_model *held, const Tributary__V1__ModelArchitecture *architecture,
                                const Tributary__V1__ModelPayload *payload, uint64_t version, te_model *model,
                                te_error *error);

/* Copies (add = 0) or adds (add = 1) every tensor of `set` into parameters, in the layout's
 * order, each checked against the layout (position, name, shape, dtype, byte count); set_name
 * names the field in errors, e.g. "RoundOffer.ewc.fisher". */
te_status te_parameter_set_read(const te_architecture *architecture, const Tributary__V1__ParameterSet *set,
                                const char *set_name, int add, float *parameters, te_error *error);

void te_model_free(te_model *model);

#endif
