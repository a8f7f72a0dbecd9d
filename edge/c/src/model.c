/* model.c: decoding a ModelPayload into the held model. */
#include "model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tensor data is little-endian on the wire; this client copies it as is"
#endif

te_status te_architecture_from_wire(const Tributary__V1__ModelArchitecture *wire, te_architecture *architecture,
                                    te_error *error) {
    if (wire->input_size == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelArchitecture.input_size is 0; must be > 0");
    }
    if (wire->n_layers == 0 || wire->n_layers > TE_MAX_LAYERS) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelArchitecture.layers has %zu layers; must be 1...%d",
                       wire->n_layers, TE_MAX_LAYERS);
    }
    te_architecture result = {.input_size = wire->input_size, .layer_count = wire->n_layers, .loss = wire->loss};
    for (size_t i = 0; i < wire->n_layers; i++) {
        const Tributary__V1__DenseLayer *layer = wire->layers[i];
        if (layer->units == 0) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelArchitecture.layers[%zu].units is 0; must be > 0", i);
        }
        if (layer->activation < TRIBUTARY__V1__ACTIVATION__ACTIVATION_IDENTITY ||
            layer->activation > TRIBUTARY__V1__ACTIVATION__ACTIVATION_SIGMOID) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelArchitecture.layers[%zu].activation is %d; must be 1...4",
                           i, (int)layer->activation);
        }
        result.units[i] = layer->units;
        result.activation[i] = layer->activation;
    }
    if (te_architecture_parameter_count(&result) == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelArchitecture has more than %zu parameters", TE_MAX_PARAMETERS);
    }
    *architecture = result;
    return TE_OK;
}

int te_architecture_equal(const te_architecture *a, const te_architecture *b) {
    if (a->input_size != b->input_size || a->layer_count != b->layer_count || a->loss != b->loss) {
        return 0;
    }
    for (size_t i = 0; i < a->layer_count; i++) {
        if (a->units[i] != b->units[i] || a->activation[i] != b->activation[i]) {
            return 0;
        }
    }
    return 1;
}

size_t te_architecture_parameter_count(const te_architecture *architecture) {
    uint64_t count = 0;
    uint64_t fan_in = architecture->input_size;
    for (size_t i = 0; i < architecture->layer_count; i++) {
        uint64_t units = architecture->units[i];
        count += units * fan_in + units;   /* each factor < 2^32: no overflow in 64 bits */
        if (count > TE_MAX_PARAMETERS) {
            return 0;
        }
        fan_in = units;
    }
    return (size_t)count;
}

/* Checks tensor `index` of a set against the layout's expected name and shape. */
static te_status check_tensor(const Tributary__V1__NamedTensor *named, size_t index, const char *expected_name,
                              const uint64_t *shape, size_t rank, const char *set, te_error *error) {
    const char *name = named->name != NULL ? named->name : "";
    if (strcmp(name, expected_name) != 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.tensors[%zu] is named \"%.64s\"; the model's layout has \"%s\" there",
                       set, index, name, expected_name);
    }
    const Tributary__V1__Tensor *tensor = named->tensor;
    if (tensor == NULL) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.tensors[%zu] (\"%s\").tensor is missing", set, index, name);
    }
    if (tensor->dtype != TRIBUTARY__V1__DTYPE__DTYPE_FLOAT32) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.tensors[%zu] (\"%s\").dtype is %d; only DTYPE_FLOAT32 (1) is accepted in v1",
                       set, index, name, (int)tensor->dtype);
    }
    if (tensor->scale != 0.0f) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.tensors[%zu] (\"%s\").scale is %g; must be 0 for DTYPE_FLOAT32",
                       set, index, name, (double)tensor->scale);
    }
    int same = tensor->n_shape == rank;
    for (size_t d = 0; same && d < rank; d++) {
        same = tensor->shape[d] == shape[d];
    }
    if (!same) {
        char got[96] = "", want[64];
        size_t used = 0;
        for (size_t d = 0; d < tensor->n_shape && d < 4 && used < sizeof got; d++) {
            used += (size_t)snprintf(got + used, sizeof got - used, "%s%" PRIu64, d > 0 ? ", " : "", tensor->shape[d]);
        }
        if (rank == 2) {
            snprintf(want, sizeof want, "%" PRIu64 ", %" PRIu64, shape[0], shape[1]);
        } else {
            snprintf(want, sizeof want, "%" PRIu64, shape[0]);
        }
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.tensors[%zu] (\"%s\").shape is [%s%s]; the model's layout has [%s]",
                       set, index, name, got, tensor->n_shape > 4 ? ", …" : "", want);
    }
    uint64_t elements = rank == 2 ? shape[0] * shape[1] : shape[0];
    if ((uint64_t)tensor->data.len != elements * 4) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.tensors[%zu] (\"%s\").data is %zu bytes; %" PRIu64 " float32 elements need %" PRIu64,
                       set, index, name, tensor->data.len, elements, elements * 4);
    }
    return TE_OK;
}

te_status te_parameter_set_read(const te_architecture *architecture, const Tributary__V1__ParameterSet *set, const char *set_name,
                          int add, float *parameters, te_error *error) {
    size_t expected = architecture->layer_count * 2;
    if (set == NULL || set->n_tensors != expected) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s has %zu tensors; the model's layout has %zu",
                       set_name, set == NULL ? (size_t)0 : set->n_tensors, expected);
    }
    size_t offset = 0;
    uint64_t fan_in = architecture->input_size;
    for (size_t layer = 0; layer < architecture->layer_count; layer++) {
        uint64_t units = architecture->units[layer];
        for (int part = 0; part < 2; part++) {
            char name[32];
            snprintf(name, sizeof name, "dense%zu.%s", layer + 1, part == 0 ? "weight" : "bias");
            uint64_t shape[2] = {units, fan_in};
            size_t index = layer * 2 + (size_t)part;
            te_status status = check_tensor(set->tensors[index], index, name, shape, part == 0 ? 2 : 1, set_name, error);
            if (status != TE_OK) {
                return status;
            }
            const ProtobufCBinaryData *data = &set->tensors[index]->tensor->data;
            size_t count = data->len / 4;
            if (add) {
                for (size_t i = 0; i < count; i++) {
                    float value;
                    memcpy(&value, data->data + i * 4, 4);
                    parameters[offset + i] += value;
                }
            } else if (count > 0) {
                memcpy(parameters + offset, data->data, data->len);
            }
            offset += count;
        }
        fan_in = units;
    }
    return TE_OK;
}

te_status te_model_from_payload(const te_model *held, const Tributary__V1__ModelArchitecture *wire_architecture,
                                const Tributary__V1__ModelPayload *payload, uint64_t version, te_model *model,
                                te_error *error) {
    te_model result = {.version = version};
    if (wire_architecture != NULL) {
        te_status status = te_architecture_from_wire(wire_architecture, &result.architecture, error);
        if (status != TE_OK) {
            return status;
        }
    } else if (held != NULL && held->version != 0) {
        result.architecture = held->architecture;
    } else {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "the model of version %" PRIu64 " comes without an architecture and this client holds none", version);
    }
    if (payload == NULL || payload->payload_case == TRIBUTARY__V1__MODEL_PAYLOAD__PAYLOAD__NOT_SET) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelPayload of version %" PRIu64 " holds neither full nor delta", version);
    }
    result.parameter_count = te_architecture_parameter_count(&result.architecture);
    int is_delta = payload->payload_case == TRIBUTARY__V1__MODEL_PAYLOAD__PAYLOAD_DELTA;
    if (is_delta) {
        uint64_t base = payload->delta->base_version;
        if (held == NULL || held->version == 0 || held->version != base) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelPayload.delta.base_version is %" PRIu64 "; this client holds version %" PRIu64,
                           base, held != NULL ? held->version : 0);
        }
        if (held->parameter_count != result.parameter_count) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "the delta's architecture has %zu parameters; the held model has %zu",
                           result.parameter_count, held->parameter_count);
        }
    }
    result.parameters = malloc(result.parameter_count * sizeof(float));
    if (result.parameters == NULL) {
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate %zu parameters", result.parameter_count);
    }
    te_status status;
    if (is_delta) {
        memcpy(result.parameters, held->parameters, result.parameter_count * sizeof(float));
        status = te_parameter_set_read(&result.architecture, payload->delta->delta, "ModelPayload.delta.delta", 1, result.parameters, error);
    } else {
        status = te_parameter_set_read(&result.architecture, payload->full->parameters, "ModelPayload.full.parameters", 0, result.parameters, error);
    }
    if (status != TE_OK) {
        free(result.parameters);
        return status;
    }
    *model = result;
    return TE_OK;
}

void te_model_free(te_model *model) {
    free(model->parameters);
    te_preprocessing_free(&model->preprocessing);
    memset(model, 0, sizeof *model);
}
