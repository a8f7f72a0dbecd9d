/* feedback.c: labelled examples arriving (from the app, CSV files, the spool), predictions logged
 * for feedback by id, the live-accuracy counts of the held version, and the training trigger
 * they feed. As the Swift edge: until the first live outcome, each arriving example's prediction
 * by the held model (right or wrong) feeds the accuracy-drop window and the drift detector; once
 * live outcomes exist (feedback on predictions served through te_predict_logged), they do. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "edge_internal.h"
#include "mlp.h"

#define TE_ARRIVAL_BATCH 64

static void announce(te_edge *edge, te_reason reason) {
    if (reason == TE_REASON_NONE) {
        return;
    }
    const te_trigger *t = &edge->trigger;
    if (reason == TE_REASON_VOLUME) {
        te_log(edge, 0, "trigger volume: %" PRIu64 " new examples", t->new_examples);
    } else if (reason == TE_REASON_ACCURACY_DROP) {
        te_log(edge, 0, "trigger accuracy_drop: accuracy dropped from %.3f to %.3f", t->detail_from, t->detail_to);
    } else {
        te_log(edge, 0, "trigger drift: page-hinkley detected drift at observation %.0f", t->detail_to);
    }
    edge->announce = reason;
}

/* The held model's predictions of `count` window slots, each compared with its label. */
static void predict_arrivals(te_edge *edge, const size_t *slots, size_t count) {
    const te_model *model = &edge->model;
    const te_architecture *architecture = &model->architecture;
    te_workspace workspace;
    te_error error;
    if (te_workspace_init(&workspace, architecture, count, &error) != TE_OK) {
        te_log(edge, 1, "the arrived examples are not predicted: %s", error.reason);
        return;
    }
    te_workspace_load(&workspace, edge->window.features, edge->window.labels, slots, count);
    te_preprocessing_apply(&model->preprocessing, workspace.activations[0], count, architecture->input_size);
    te_mlp_forward(architecture, model->parameters, &workspace);
    size_t outputs = architecture->units[architecture->layer_count - 1];
    const float *logits = workspace.activations[architecture->layer_count];
    for (size_t row = 0; row < count; row++) {
        const float *z = logits + row * outputs;
        size_t best = 0;
        for (size_t c = 1; c < outputs; c++) best = z[c] > z[best] ? c : best;
        announce(edge, te_trigger_prediction(&edge->trigger, (int32_t)best == edge->window.labels[slots[row]]));
    }
    te_workspace_free(&workspace);
}

void te_examples_arrived(te_edge *edge, uint64_t added_before) {
    uint64_t arrived = edge->window.added - added_before;
    if (arrived == 0) {
        return;
    }
    size_t seen = arrived < edge->window.count ? (size_t)arrived : edge->window.count;
    if (!edge->live_feedback && edge->model.version != 0 && edge->model.architecture.input_size == edge->window.feature_count) {
        size_t slots[TE_ARRIVAL_BATCH];
        for (size_t first = edge->window.count - seen; first < edge->window.count; first += TE_ARRIVAL_BATCH) {
            size_t count = edge->window.count - first < TE_ARRIVAL_BATCH ? edge->window.count - first : TE_ARRIVAL_BATCH;
            for (size_t i = 0; i < count; i++) slots[i] = te_dataset_slot(&edge->window, first + i);
            predict_arrivals(edge, slots, count);
        }
    }
    announce(edge, te_trigger_examples_arrived(&edge->trigger, arrived));
}

te_status te_add_feedback(te_edge *edge, const float *features, size_t feature_count, int32_t label) {
    if (edge->window.feature_count == 0) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "feedback needs config.features (the model's input size); it is 0");
    }
    uint64_t before = edge->window.added;
    te_status status = te_dataset_add(&edge->window, features, feature_count, label, &edge->last_error);
    te_examples_arrived(edge, before);
    return status;
}

te_status te_add_feedback_csv(te_edge *edge, const char *path) {
    if (edge->window.feature_count == 0) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "feedback needs config.features (the model's input size); it is 0");
    }
    uint64_t before = edge->window.added;
    te_status status = te_dataset_load_csv(&edge->window, path, &edge->last_error);
    te_examples_arrived(edge, before);
    return status;
}

te_status te_predict_logged(te_edge *edge, const float *features, size_t feature_count, float *probabilities, size_t classes,
                            int32_t *predicted, uint64_t *prediction_id) {
    *prediction_id = 0;
    te_status status = te_predict(edge, features, feature_count, probabilities, classes, predicted);
    if (status != TE_OK) {
        return status;
    }
    if (edge->predictions == NULL) {   /* allocated on the first logged prediction */
        edge->predictions = calloc(TE_PREDICTION_LOG, sizeof *edge->predictions);
        edge->prediction_features = malloc((size_t)TE_PREDICTION_LOG * feature_count * sizeof(float));
        edge->prediction_width = feature_count;
        if (edge->predictions == NULL || edge->prediction_features == NULL) {
            free(edge->predictions);
            free(edge->prediction_features);
            edge->predictions = NULL;
            edge->prediction_features = NULL;
            return te_fail(&edge->last_error, TE_ERR_NO_MEMORY, "cannot allocate the prediction log of %d entries", TE_PREDICTION_LOG);
        }
    }
    if (feature_count != edge->prediction_width) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "features: %zu values; the prediction log holds rows of %zu",
                       feature_count, edge->prediction_width);
    }
    uint64_t id = ++edge->last_prediction_id;
    size_t slot = (size_t)(id % TE_PREDICTION_LOG);
    te_logged_prediction *entry = &edge->predictions[slot];
    entry->id = id;
    entry->model_version = edge->model.version;
    entry->predicted = *predicted;
    entry->answered = 0;
    memcpy(edge->prediction_features + slot * feature_count, features, feature_count * sizeof(float));
    *prediction_id = id;
    return TE_OK;
}

te_status te_add_prediction_feedback(te_edge *edge, uint64_t prediction_id, int32_t label) {
    te_logged_prediction *entry = edge->predictions != NULL ? &edge->predictions[prediction_id % TE_PREDICTION_LOG] : NULL;
    if (entry == NULL || prediction_id == 0 || entry->id != prediction_id) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "prediction id %" PRIu64 " is not in the prediction log (the newest %d of %" PRIu64
                       " predictions are kept)", prediction_id, TE_PREDICTION_LOG, edge->last_prediction_id);
    }
    if (label < 0) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "label: %d is not a class (must be >= 0)", (int)label);
    }
    if (!entry->answered) {   /* only the first feedback on a prediction sets its outcome */
        entry->answered = 1;
        int correct = entry->predicted == label;
        edge->live_feedback = 1;
        if (entry->model_version == edge->model.version) {   /* another version's outcome says nothing about this one */
            if (edge->live_version != edge->model.version) {
                edge->live_version = edge->model.version;
                edge->live_outcomes = edge->live_correct = 0;
            }
            edge->live_outcomes++;
            edge->live_correct += correct ? 1 : 0;
            announce(edge, te_trigger_prediction(&edge->trigger, correct));
        }
    }
    if (edge->window.feature_count == 0) {
        return TE_OK;   /* no window: the outcome is counted, the example not kept */
    }
    return te_add_feedback(edge, edge->prediction_features + (prediction_id % TE_PREDICTION_LOG) * edge->prediction_width,
                           edge->prediction_width, label);
}

void te_live_counts(const te_edge *edge, uint64_t *outcomes, uint64_t *correct) {
    int held = edge->live_version != 0 && edge->live_version == edge->model.version;
    *outcomes = held ? edge->live_outcomes : 0;
    *correct = held ? edge->live_correct : 0;
}
