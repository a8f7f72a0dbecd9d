/* edge_fixture.h: a handle holding a small model, for tests of the library's shell without a
 * coordinator (include after check.h). */
#ifndef TE_EDGE_FIXTURE_H
#define TE_EDGE_FIXTURE_H

#include <stdlib.h>

#include "checkpoint.h"
#include "edge_internal.h"
#include "tributary_edge.h"

/* A handle holding a 4-2 model whose every parameter is 1: it predicts class 0 for any input. */
static inline te_edge *open_with_model(const char *path) {
    te_model model = {.version = 5};
    model.architecture.input_size = 4;
    model.architecture.layer_count = 1;
    model.architecture.units[0] = 2;
    model.architecture.activation[0] = TRIBUTARY__V1__ACTIVATION__ACTIVATION_IDENTITY;
    model.architecture.loss = TRIBUTARY__V1__LOSS__LOSS_SOFTMAX_CROSS_ENTROPY;
    model.parameter_count = te_architecture_parameter_count(&model.architecture);
    model.parameters = malloc(model.parameter_count * sizeof(float));
    for (size_t j = 0; j < model.parameter_count; j++) model.parameters[j] = 1;
    te_rng rng;
    te_rng_seed(&rng, 1);
    te_replay replay;
    te_replay_init(&replay, 4, 0);
    te_error error;
    CHECK(te_checkpoint_save(path, &model, &rng, &replay, NULL, &error) == TE_OK);
    te_model_free(&model);
    te_edge *edge = NULL;
    char reason[256];
    CHECK(te_open_offline(path, &edge, reason, sizeof reason) == TE_OK);
    /* what te_open sets up for config.features = 4, window 100, volume 10, accuracy over 10 outcomes */
    CHECK(te_dataset_init(&edge->window, 4, 100, &error) == TE_OK);
    te_trigger_config trigger = {.volume = 10, .accuracy_drop = 0.1, .accuracy_window = 10, .page_hinkley_threshold = 0};
    CHECK(te_trigger_init(&edge->trigger, trigger, &error) == TE_OK);
    return edge;
}

#endif
