/* edge.c: the handle: configuration with secure defaults checked once, open, close, accessors. */
#include "edge_internal.h"

#include <math.h>

#include "checkpoint.h"
#include "mlp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void te_config_init(te_config *config) {
    memset(config, 0, sizeof *config);
    config->heartbeat_interval_ms = 10000;
    config->idle_timeout_ms = 30000;
    config->handshake_timeout_ms = 10000;
    config->max_frame_bytes = TE_DEFAULT_MAX_FRAME_BYTES;
    config->max_transfer_bytes = TE_DEFAULT_MAX_TRANSFER_BYTES;
    config->window_examples = 1000;
    config->seed = 1;
    config->replay_capacity = 200;
    config->spool_interval_ms = 5000;
    config->volume_trigger = 100;
    config->accuracy_drop = 0.1;
    config->accuracy_window = 50;
    config->page_hinkley_threshold = 50;
}

void te_log(const te_edge *edge, int level, const char *format, ...) {
    if (edge->config.log == NULL) {
        return;
    }
    char line[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    edge->config.log(edge->config.log_context, level, line);
}

static te_status check_config(const te_config *config, te_error *error) {
    if (config->coordinator_host == NULL || config->coordinator_host[0] == '\0') {
        return te_fail(error, TE_ERR_CONFIG, "coordinator host is empty; set the coordinator's host name or address");
    }
    if (config->coordinator_port == 0) {
        return te_fail(error, TE_ERR_CONFIG, "coordinator port is 0; must be 1...65535");
    }
    const char *files[3] = {config->ca_file, config->cert_file, config->key_file};
    const char *names[3] = {"CA file", "certificate file", "key file"};
    for (int i = 0; i < 3; i++) {
        if (files[i] == NULL || files[i][0] == '\0') {
            return te_fail(error, TE_ERR_CONFIG, "%s is not set; it is required for mutual TLS", names[i]);
        }
    }
    if (config->heartbeat_interval_ms < 100 || config->heartbeat_interval_ms > 3600000) {
        return te_fail(error, TE_ERR_CONFIG, "heartbeat interval is %u ms; must be 100...3600000", (unsigned)config->heartbeat_interval_ms);
    }
    if (config->idle_timeout_ms < config->heartbeat_interval_ms) {
        return te_fail(error, TE_ERR_CONFIG, "idle timeout is %u ms; must be at least the heartbeat interval (%u ms)",
                       (unsigned)config->idle_timeout_ms, (unsigned)config->heartbeat_interval_ms);
    }
    if (config->handshake_timeout_ms < 100) {
        return te_fail(error, TE_ERR_CONFIG, "handshake timeout is %u ms; must be at least 100", (unsigned)config->handshake_timeout_ms);
    }
    if (config->max_frame_bytes < 1024 || config->max_frame_bytes > TE_DEFAULT_MAX_FRAME_BYTES) {
        return te_fail(error, TE_ERR_CONFIG, "max frame bytes is %u; must be 1024...%u (the coordinator's minimum and the protocol's default)",
                       (unsigned)config->max_frame_bytes, TE_DEFAULT_MAX_FRAME_BYTES);
    }
    if (config->max_transfer_bytes < config->max_frame_bytes || config->max_transfer_bytes > TE_DEFAULT_MAX_TRANSFER_BYTES) {
        return te_fail(error, TE_ERR_CONFIG, "max transfer bytes is %llu; must be %u...%llu", (unsigned long long)config->max_transfer_bytes,
                       (unsigned)config->max_frame_bytes, (unsigned long long)TE_DEFAULT_MAX_TRANSFER_BYTES);
    }
    if (config->window_examples == 0 || config->window_examples > 10000000) {
        return te_fail(error, TE_ERR_CONFIG, "window examples is %u; must be 1...10000000", (unsigned)config->window_examples);
    }
    if (config->spool_dir != NULL && config->spool_dir[0] != '\0' && config->features == 0) {
        return te_fail(error, TE_ERR_CONFIG, "spool directory %s needs features (the model's input size); it is 0", config->spool_dir);
    }
    if (config->spool_interval_ms < 100 || config->spool_interval_ms > 3600000) {
        return te_fail(error, TE_ERR_CONFIG, "spool interval is %u ms; must be 100...3600000", (unsigned)config->spool_interval_ms);
    }
    if (config->volume_trigger == 0) {
        return te_fail(error, TE_ERR_CONFIG, "volume trigger is 0; must be at least 1 new example");
    }
    if (!(config->accuracy_drop <= 1)) {
        return te_fail(error, TE_ERR_CONFIG, "accuracy drop is %g; must be 0...1 (negative: off)", config->accuracy_drop);
    }
    if (!(config->page_hinkley_threshold == 0 || (config->page_hinkley_threshold >= 0.001 && config->page_hinkley_threshold <= 1000000))) {
        return te_fail(error, TE_ERR_CONFIG, "Page-Hinkley threshold is %g; must be 0 (off) or 0.001...1000000", config->page_hinkley_threshold);
    }
    if (config->replay_capacity > 10000000) {
        return te_fail(error, TE_ERR_CONFIG, "replay capacity is %u; must be 0...10000000", (unsigned)config->replay_capacity);
    }
    if (config->features > 1000000) {
        return te_fail(error, TE_ERR_CONFIG, "features is %u; must be 0...1000000", (unsigned)config->features);
    }
    if (config->client_id != NULL && (config->client_id[0] == '\0' || strlen(config->client_id) > TE_MAX_CLIENT_ID)) {
        return te_fail(error, TE_ERR_CONFIG, "client id \"%.40s\" has %zu bytes; must be 1...%d", config->client_id,
                       strlen(config->client_id), TE_MAX_CLIENT_ID);
    }
    return TE_OK;
}

static char *copy(const char *text) {
    size_t length = strlen(text) + 1;
    char *result = malloc(length);
    if (result != NULL) {
        memcpy(result, text, length);
    }
    return result;
}

te_status te_open(const te_config *config, te_edge **edge_out, char *reason, size_t reason_size) {
    te_error error;
    te_error_clear(&error);
    *edge_out = NULL;
    te_blas_single_thread();
    te_status status = check_config(config, &error);
    te_edge *edge = NULL;
    if (status == TE_OK) {
        edge = calloc(1, sizeof *edge);
        status = edge == NULL ? te_fail(&error, TE_ERR_NO_MEMORY, "cannot allocate the edge handle") : TE_OK;
    }
    if (status == TE_OK) {
        edge->config = *config;
        edge->host = copy(config->coordinator_host);
        edge->server_name = copy(config->server_name != NULL && config->server_name[0] != '\0' ? config->server_name : config->coordinator_host);
        edge->read_buffer = malloc(TE_READ_BUFFER);
        if (config->checkpoint_file != NULL && config->checkpoint_file[0] != '\0' && status == TE_OK) {
            edge->checkpoint_file = copy(config->checkpoint_file);
            status = edge->checkpoint_file == NULL ? te_fail(&error, TE_ERR_NO_MEMORY, "cannot allocate the edge handle") : TE_OK;
        }
        if (config->spool_dir != NULL && config->spool_dir[0] != '\0' && status == TE_OK) {
            edge->spool_dir = copy(config->spool_dir);
            status = edge->spool_dir == NULL ? te_fail(&error, TE_ERR_NO_MEMORY, "cannot allocate the edge handle") : TE_OK;
        }
        if (config->update_file != NULL && config->update_file[0] != '\0' && status == TE_OK) {
            edge->update_file = copy(config->update_file);
            status = edge->update_file == NULL ? te_fail(&error, TE_ERR_NO_MEMORY, "cannot allocate the edge handle") : TE_OK;
        }
        if (edge->host == NULL || edge->server_name == NULL || edge->read_buffer == NULL) {
            status = te_fail(&error, TE_ERR_NO_MEMORY, "cannot allocate the edge handle");
        }
    }
    if (status == TE_OK) {
        te_trigger_config trigger = {config->volume_trigger, config->accuracy_drop, config->accuracy_window, config->page_hinkley_threshold};
        status = te_trigger_init(&edge->trigger, trigger, &error);
    }
    if (status == TE_OK) {
        status = te_tls_context_new(config->ca_file, config->cert_file, config->key_file, &edge->tls, edge->client_id, &error);
    }
    if (status == TE_OK && config->client_id != NULL && strcmp(config->client_id, edge->client_id) != 0) {
        status = te_fail(&error, TE_ERR_CONFIG, "client id \"%s\" is not the identity in %s (\"%s\"); the coordinator would refuse it",
                         config->client_id, config->cert_file, edge->client_id);
    }
    if (status != TE_OK) {
        te_close(edge);
        if (reason != NULL && reason_size > 0) {
            snprintf(reason, reason_size, "%s", error.reason);
        }
        return status;
    }
    edge->config.coordinator_host = edge->host;
    edge->config.server_name = edge->server_name;
    edge->config.client_id = edge->client_id;
    edge->config.update_file = edge->update_file;
    edge->config.checkpoint_file = edge->checkpoint_file;
    edge->config.spool_dir = edge->spool_dir;
    edge->config.ca_file = edge->config.cert_file = edge->config.key_file = NULL;  /* not kept: loaded */
    edge->limits = te_wire_limits_default();
    edge->limits.max_frame_bytes = config->max_frame_bytes;
    edge->limits.max_transfer_bytes = config->max_transfer_bytes;
    edge->limits.chunk_size = TE_DEFAULT_CHUNK_SIZE;   /* the coordinator accepts default-sized frames */
    edge->next_transfer_id = 1;
    te_rng_seed(&edge->rng, config->seed);
    if (config->features > 0) {
        te_dataset_init(&edge->window, config->features, config->window_examples, NULL);
        te_replay_init(&edge->replay, config->features, config->replay_capacity);
        edge->window.retired = &edge->replay;
        edge->window.retire_with = &edge->model.preprocessing;   /* the held model's, whichever it is */
        edge->window.rng = &edge->rng;
    }
    if (edge->checkpoint_file != NULL) {
        int found = 0;
        te_checkpoint_extra extra = {.window = &edge->window, .answered = &edge->answered};
        status = te_checkpoint_load(edge->checkpoint_file, &edge->model, &edge->rng, &edge->replay, &extra, &found, &error);
        if (status == TE_OK && found) {
            edge->trigger.new_examples = extra.new_examples;
            edge->trigger.pending = (te_reason)extra.pending;
            edge->live_version = extra.live_version;
            edge->live_outcomes = extra.live_outcomes;
            edge->live_correct = extra.live_correct;
            edge->answered_round = extra.answered_round;
            edge->answered_base_version = extra.answered_base_version;
            edge->answered_parameters = (size_t)extra.answered_parameters;
        }
        if (status == TE_OK && found && config->features > 0 && edge->replay.feature_count != config->features) {
            status = te_fail(&error, TE_ERR_CONFIG, "checkpoint %s keeps examples of %zu features; features is %u",
                             edge->checkpoint_file, edge->replay.feature_count, (unsigned)config->features);
        }
        if (status != TE_OK) {
            te_close(edge);
            if (reason != NULL && reason_size > 0) {
                snprintf(reason, reason_size, "%s", error.reason);
            }
            return status;
        }
        if (found) {
            te_log(edge, 0, "loaded checkpoint %s: model version %llu (%zu parameters), %zu replay examples, %zu in the window",
                   edge->checkpoint_file, (unsigned long long)edge->model.version, edge->model.parameter_count, edge->replay.count,
                   edge->window.count);
            if (edge->answered.delta != NULL) {
                te_log(edge, 0, "kept Update: round %llu on base version %llu", (unsigned long long)edge->answered_round,
                       (unsigned long long)edge->answered_base_version);
            }
        }
    }
    *edge_out = edge;
    return TE_OK;
}

void te_save_checkpoint(te_edge *edge) {
    if (edge->checkpoint_file == NULL || edge->model.version == 0) {
        return;
    }
    te_error error;
    te_checkpoint_extra extra = {.window = &edge->window, .new_examples = edge->trigger.new_examples, .pending = edge->trigger.pending,
                                 .live_version = edge->live_version, .live_outcomes = edge->live_outcomes,
                                 .live_correct = edge->live_correct, .answered = &edge->answered,
                                 .answered_round = edge->answered_round, .answered_base_version = edge->answered_base_version,
                                 .answered_parameters = edge->answered_parameters};
    if (te_checkpoint_save(edge->checkpoint_file, &edge->model, &edge->rng, &edge->replay, &extra, &error) != TE_OK) {
        te_log(edge, 2, "%s; the previous checkpoint is intact", error.reason);
    }
}

te_status te_open_offline(const char *checkpoint_file, te_edge **edge_out, char *reason, size_t reason_size) {
    te_error error;
    te_error_clear(&error);
    *edge_out = NULL;
    te_blas_single_thread();
    te_edge *edge = calloc(1, sizeof *edge);
    te_status status = edge == NULL ? te_fail(&error, TE_ERR_NO_MEMORY, "cannot allocate the edge handle") : TE_OK;
    int found = 0;
    if (status == TE_OK) {
        status = te_checkpoint_load(checkpoint_file, &edge->model, &edge->rng, &edge->replay, NULL, &found, &error);
    }
    if (status == TE_OK && !found) {
        status = te_fail(&error, TE_ERR_CONFIG, "checkpoint %s does not exist; a client saves it after its first release", checkpoint_file);
    }
    if (status != TE_OK) {
        te_close(edge);
        if (reason != NULL && reason_size > 0) {
            snprintf(reason, reason_size, "%s", error.reason);
        }
        return status;
    }
    te_config_init(&edge->config);
    *edge_out = edge;
    return TE_OK;
}

const char *te_last_error(const te_edge *edge) {
    return edge->last_error.reason;
}

uint64_t te_model_version(const te_edge *edge) {
    return edge->model.version;
}

te_status te_predict(te_edge *edge, const float *features, size_t feature_count, float *probabilities, size_t classes,
                     int32_t *predicted) {
    const te_model *model = &edge->model;
    if (model->version == 0) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "no model is held yet: predictions start after the first release");
    }
    const te_architecture *architecture = &model->architecture;
    size_t outputs = architecture->units[architecture->layer_count - 1];
    if (feature_count != architecture->input_size) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "features: %zu values, the model takes %u", feature_count,
                       (unsigned)architecture->input_size);
    }
    if (probabilities != NULL && classes != outputs) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "probabilities: room for %zu classes, the model has %zu", classes, outputs);
    }
    te_workspace workspace;
    te_status status = te_workspace_init(&workspace, architecture, 1, &edge->last_error);
    if (status != TE_OK) {
        return status;
    }
    int32_t label = 0;
    size_t row = 0;
    te_workspace_load(&workspace, features, &label, &row, 1);
    /* the raw row as the model's input: standardised in the workspace's copy */
    te_preprocessing_apply(&model->preprocessing, workspace.activations[0], 1, feature_count);
    te_mlp_forward(architecture, model->parameters, &workspace);
    const float *logits = workspace.activations[architecture->layer_count];
    size_t best = 0;
    for (size_t c = 1; c < outputs; c++) {
        best = logits[c] > logits[best] ? c : best;
    }
    if (probabilities != NULL) {
        float sum = 0;
        for (size_t c = 0; c < outputs; c++) {
            probabilities[c] = expf(logits[c] - logits[best]);
            sum += probabilities[c];
        }
        for (size_t c = 0; c < outputs; c++) probabilities[c] /= sum;
    }
    *predicted = (int32_t)best;
    te_workspace_free(&workspace);
    return TE_OK;
}

size_t te_example_count(const te_edge *edge) {
    return edge->window.count;
}

size_t te_model_input_size(const te_edge *edge) {
    return edge->model.version != 0 ? edge->model.architecture.input_size : 0;
}

size_t te_model_parameter_count(const te_edge *edge) {
    return edge->model.parameter_count;
}

void te_close(te_edge *edge) {
    if (edge == NULL) {
        return;
    }
    SSL_CTX_free(edge->tls);
    te_model_free(&edge->model);
    te_dataset_free(&edge->window);
    te_replay_free(&edge->replay);
    te_job_result_free(&edge->answered);
    te_trigger_free(&edge->trigger);
    free(edge->predictions);
    free(edge->prediction_features);
    free(edge->host);
    free(edge->server_name);
    free(edge->update_file);
    free(edge->checkpoint_file);
    free(edge->spool_dir);
    free(edge->read_buffer);
    free(edge);
}
