/* update.c: answering a RoundOffer: the job on the window, then the Update (delta, Fisher,
 * metrics) in the layout's tensor order. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compress.h"
#include "job.h"
#include "messages.h"

/* A ParameterSet over a flat vector, in the layout's order; the tensors point into `values`. */
typedef struct wire_set {
    Tributary__V1__ParameterSet set;
    Tributary__V1__NamedTensor named[2 * TE_MAX_LAYERS];
    Tributary__V1__NamedTensor *pointers[2 * TE_MAX_LAYERS];
    Tributary__V1__Tensor tensors[2 * TE_MAX_LAYERS];
    uint64_t shapes[2 * TE_MAX_LAYERS][2];
    char names[2 * TE_MAX_LAYERS][32];
} wire_set;

static void wire_set_build(wire_set *wire, const te_architecture *architecture, const float *values) {
    tributary__v1__parameter_set__init(&wire->set);
    size_t offset = 0, fan_in = architecture->input_size;
    for (size_t layer = 0; layer < architecture->layer_count; layer++) {
        size_t units = architecture->units[layer];
        for (int part = 0; part < 2; part++) {
            size_t index = layer * 2 + (size_t)part, count = part == 0 ? units * fan_in : units;
            snprintf(wire->names[index], sizeof wire->names[index], "dense%zu.%s", layer + 1, part == 0 ? "weight" : "bias");
            Tributary__V1__Tensor *tensor = &wire->tensors[index];
            tributary__v1__tensor__init(tensor);
            tensor->dtype = TRIBUTARY__V1__DTYPE__DTYPE_FLOAT32;
            wire->shapes[index][0] = units;
            wire->shapes[index][1] = fan_in;
            tensor->n_shape = part == 0 ? 2 : 1;
            tensor->shape = wire->shapes[index];
            tensor->data.data = (uint8_t *)(values + offset);   /* little-endian floats, as on the wire */
            tensor->data.len = count * sizeof(float);
            tributary__v1__named_tensor__init(&wire->named[index]);
            wire->named[index].name = wire->names[index];
            wire->named[index].tensor = tensor;
            wire->pointers[index] = &wire->named[index];
            offset += count;
        }
        fan_in = units;
    }
    wire->set.n_tensors = architecture->layer_count * 2;
    wire->set.tensors = wire->pointers;
}

#define TE_METRICS 12   /* the job's 10, then live.accuracy and live.examples when the held version has outcomes */

static te_status write_all(void *context, const uint8_t *frame, size_t length, te_error *error) {
    const int *fd = context;
    for (size_t written = 0; written < length;) {
        ssize_t result = write(*fd, frame + written, length - written);
        if (result < 0 && errno != EINTR) {
            return te_fail(error, TE_ERR_IO, "cannot write: %s", strerror(errno));
        }
        written += result > 0 ? (size_t)result : 0;
    }
    return TE_OK;
}

/* The Update's frame into edge->update_file: a temp file, fsync, rename (the old or the new one). */
static te_status keep_update(te_edge *edge, te_envelope *message, te_error *error) {
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", edge->update_file) >= (int)sizeof temporary) {
        return te_fail(error, TE_ERR_CONFIG, "update file path is too long (%zu bytes)", strlen(edge->update_file));
    }
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return te_fail(error, TE_ERR_IO, "cannot write the kept Update %s: %s", temporary, strerror(errno));
    }
    te_wire_limits whole = edge->limits;
    whole.chunk_size = UINT32_MAX;   /* one frame, as the Swift agent keeps it */
    te_status status = te_frame_send(message, &whole, 0, write_all, &fd, error);
    if (status == TE_OK && fsync(fd) != 0) {
        status = te_fail(error, TE_ERR_IO, "cannot fsync the kept Update %s: %s", temporary, strerror(errno));
    }
    close(fd);
    if (status == TE_OK && rename(temporary, edge->update_file) != 0) {
        status = te_fail(error, TE_ERR_IO, "cannot rename %s to %s: %s", temporary, edge->update_file, strerror(errno));
    }
    if (status != TE_OK) {
        unlink(temporary);
    }
    return status;
}

static te_status send_update(te_edge *edge, te_connection *connection, const Tributary__V1__RoundOffer *offer,
                             const te_job_result *result, te_error *error) {
    static wire_set delta, fisher;   /* large (fixed-size) tables: kept off the stack */
    wire_set_build(&delta, &edge->model.architecture, result->delta);
    if (result->fisher != NULL) {
        wire_set_build(&fisher, &edge->model.architecture, result->fisher);
    }
    uint64_t live_outcomes = 0, live_correct = 0;
    te_live_counts(edge, &live_outcomes, &live_correct);
    const char *keys[TE_METRICS] = {"train.examples", "train.steps", "train.replayed", "train.accuracy.before", "train.accuracy",
                                    "train.loss.before", "train.loss", "train.seconds", "train.epoch_loss", "delta.norm",
                                    "live.accuracy", "live.examples"};
    double values[TE_METRICS] = {(double)result->examples, (double)result->steps, (double)result->replayed, result->accuracy_before, result->accuracy_after,
                                 result->loss_before, result->loss_after, result->seconds, result->last_epoch_loss, result->delta_norm,
                                 live_outcomes > 0 ? (double)live_correct / (double)live_outcomes : 0, (double)live_outcomes};
    /* the served model's prequential accuracy on its users' feedback, as the Swift edge sends it */
    size_t metric_count = live_outcomes > 0 ? TE_METRICS : TE_METRICS - 2;
    Tributary__V1__Update__MetricsEntry entries[TE_METRICS], *entry_pointers[TE_METRICS];
    for (size_t i = 0; i < metric_count; i++) {
        tributary__v1__update__metrics_entry__init(&entries[i]);
        entries[i].key = (char *)keys[i];
        entries[i].value = values[i];
        entry_pointers[i] = &entries[i];
    }
    Tributary__V1__Update update = TRIBUTARY__V1__UPDATE__INIT;
    update.round_id = offer->round_id;
    update.base_model_version = offer->base_model_version;
    update.num_examples = result->examples;
    update.delta = &delta.set;
    update.fisher = result->fisher != NULL ? &fisher.set : NULL;
    update.n_metrics = metric_count;
    update.metrics = entry_pointers;
    /* the plan's encoding (int8 delta; fp16, int8 or sqrt-int8 Fisher), deterministic, so a resend
     * of the kept result is the same bytes */
    uint8_t *compressed[2];
    te_status status = te_encode_update(offer->plan, result->delta, result->fisher, edge->model.parameter_count, &update, compressed, error);
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_UPDATE;
    message.update = &update;
    status = status == TE_OK ? te_send(edge, connection, &message, error) : status;
    if (status == TE_OK && edge->update_file != NULL) {
        te_error kept;
        if (keep_update(edge, &message, &kept) != TE_OK) {
            te_log(edge, 2, "%s", kept.reason);   /* the Update went out; keeping it is best effort */
        }
    }
    free(compressed[0]);
    free(compressed[1]);
    return status;
}

/* The offer's global EWC state, flattened; both NULL when the offer has none. */
static te_status offered_ewc(const te_edge *edge, const Tributary__V1__RoundOffer *offer, float **fisher, float **anchor,
                             te_error *error) {
    *fisher = *anchor = NULL;
    if (offer->ewc == NULL || offer->plan->skip_fisher) {
        return TE_OK;
    }
    size_t n = edge->model.parameter_count;
    *fisher = malloc(n * sizeof(float));
    *anchor = malloc(n * sizeof(float));
    te_status status = *fisher == NULL || *anchor == NULL ? te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate the EWC state") : TE_OK;
    if (status == TE_OK) {
        status = te_parameter_set_read(&edge->model.architecture, offer->ewc->fisher, "RoundOffer.ewc.fisher", 0, *fisher, error);
    }
    if (status == TE_OK) {
        status = te_parameter_set_read(&edge->model.architecture, offer->ewc->anchor, "RoundOffer.ewc.anchor", 0, *anchor, error);
    }
    if (status != TE_OK) {
        free(*fisher);
        free(*anchor);
        *fisher = *anchor = NULL;
    }
    return status;
}

typedef struct busy {
    te_edge *edge;
    te_connection *connection;
} busy;

/* After each training step: the heartbeats that fall due while the job runs. */
static void heartbeat_while_training(void *context) {
    busy *b = context;
    if (b->edge->session == NULL) {
        return;
    }
    te_actions actions = {0};
    te_session_tick_busy(b->edge->session, te_now_ms(), &actions);
    for (int i = 0; i < actions.count; i++) {
        te_error error;
        if (te_send_heartbeat(b->edge, b->connection, actions.items[i].sequence, &error) != TE_OK) {
            te_log(b->edge, 1, "heartbeat during training not sent: %s", error.reason);
        }
    }
}

/* The plan's deadline passed (0: none given). */
static int past_deadline(const Tributary__V1__RoundOffer *offer) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    return offer->plan->deadline_unix_ms != 0 && now_ms > offer->plan->deadline_unix_ms;
}

te_status te_answer_offer(te_edge *edge, te_connection *connection, const Tributary__V1__RoundOffer *offer, te_error *error) {
    if (offer->round_id == edge->answered_round && offer->base_model_version == edge->answered_base_version &&
        edge->answered.delta != NULL && edge->answered_parameters == edge->model.parameter_count) {
        /* the coordinator restarted while collecting: exactly the Update sent before (docs/protocol.md) */
        te_log(edge, 0, "round %" PRIu64 " offered again: sending the Update sent before, untrained", offer->round_id);
        return send_update(edge, connection, offer, &edge->answered, error);
    }
    if (edge->window.count == 0) {
        te_log(edge, 1, "round %" PRIu64 " not answered: the window holds no examples", offer->round_id);
        return TE_OK;
    }
    if (past_deadline(offer)) {
        te_log(edge, 1, "round %" PRIu64 " not answered: its deadline (plan.deadline_unix_ms %" PRId64 ") passed before training began",
               offer->round_id, offer->plan->deadline_unix_ms);
        return TE_OK;
    }
    te_error refused;
    if (te_encoding_check(offer->plan, &refused) != TE_OK) {
        te_log(edge, 2, "round %" PRIu64 " not answered: %s", offer->round_id, refused.reason);
        return TE_OK;
    }
    /* another round: the Update kept for resending the last one is of no more use (and would
     * double the job's memory) */
    te_job_result_free(&edge->answered);
    edge->answered_round = edge->answered_base_version = 0;
    const Tributary__V1__TrainingPlan *wire = offer->plan;
    te_job_plan plan = {.epochs = wire->epochs, .batch_size = wire->batch_size, .learning_rate = (float)wire->learning_rate,
                        .ewc_lambda = (float)wire->ewc_lambda, .fedprox_mu = (float)wire->fedprox_mu, .skip_fisher = wire->skip_fisher,
                        .replay_size = wire->replay_size, .mask_unseen_classes = wire->mask_unseen_classes};
    float *ewc_fisher = NULL, *ewc_anchor = NULL;
    te_status status = offered_ewc(edge, offer, &ewc_fisher, &ewc_anchor, error);
    size_t count = edge->window.count, width = edge->window.feature_count;
    /* the plan states the most examples the coordinator accepts from this edge (what it
     * announced): train on at most that many of the newest, as the Swift edge does */
    if (wire->max_examples > 0 && wire->max_examples < count) {
        te_log(edge, 1, "round %" PRIu64 ": training on the newest %" PRIu64 " of %zu examples (plan.max_examples)", offer->round_id,
               wire->max_examples, count);
        count = (size_t)wire->max_examples;
    }
    if (status == TE_OK && width != edge->model.architecture.input_size) {
        status = te_fail(error, TE_ERR_CONFIG, "the window's examples have %zu features; the offered model takes %u",
                         width, (unsigned)edge->model.architecture.input_size);
    }
    float *features = status == TE_OK ? malloc(count * width * sizeof(float)) : NULL;
    int32_t *labels = status == TE_OK ? malloc(count * sizeof(int32_t)) : NULL;
    if (status == TE_OK && (features == NULL || labels == NULL)) {
        status = te_fail(error, TE_ERR_NO_MEMORY, "cannot copy %zu examples for the job", count);
    }
    te_job_result result = {0};
    if (status == TE_OK) {
        te_dataset_copy_newest(&edge->window, count, features, labels);
        /* the window stays raw; the job sees the model's inputs (edge->model holds the offer's preprocessing) */
        te_preprocessing_apply(&edge->model.preprocessing, features, count, width);
        te_job_data data = {features, labels, count, &edge->replay};
        busy context = {edge, connection};
        status = te_job_run_reporting(&edge->model, &plan, ewc_fisher, ewc_anchor, &data, &edge->rng, heartbeat_while_training,
                                      &context, &result, error);
    }
    free(features);
    free(labels);
    free(ewc_fisher);
    free(ewc_anchor);
    if (status == TE_ERR_CONFIG) {
        /* a problem of this device (its data, a diverging plan): the round goes on without it */
        te_log(edge, 2, "round %" PRIu64 " not answered: %s", offer->round_id, error->reason);
        return TE_OK;
    }
    if (status != TE_OK) {
        return status;
    }
    if (past_deadline(offer)) {
        /* as the Swift edge: an Update that cannot arrive in time is not sent, and not kept */
        te_log(edge, 1, "round %" PRIu64 " not answered: its deadline (plan.deadline_unix_ms %" PRId64 ") passed before training finished "
               "(%.3f s)", offer->round_id, offer->plan->deadline_unix_ms, result.seconds);
        te_job_result_free(&result);
        return TE_OK;
    }
    te_trigger_trained(&edge->trigger);   /* the reason is answered: counters restart, nothing pending */
    edge->announce = TE_REASON_NONE;
    /* the round counts as answered: its Update is kept (and saved with the checkpoint before it is
     * sent, so that a restart of either side resends it rather than training again) */
    te_job_result_free(&edge->answered);
    edge->answered = result;
    edge->answered_round = offer->round_id;
    edge->answered_base_version = offer->base_model_version;
    edge->answered_parameters = edge->model.parameter_count;
    te_save_checkpoint(edge);
    if (edge->config.ready_only_on_trigger) {
        /* not ready until a trigger fires again; said before the Update, so the coordinator knows
         * it before the round can close */
        status = te_send_ready(edge, connection, "answered", 0, error);
    }
    status = status == TE_OK ? send_update(edge, connection, offer, &edge->answered, error) : status;
    if (status == TE_OK) {
        te_log(edge, 0, "sent Update for round %" PRIu64 ": %zu examples, %zu steps, %zu replayed, accuracy %.3f -> %.3f, loss %.4f -> %.4f, "
               "|delta| %.4f, %s, %.3f s", offer->round_id, result.examples, result.steps, result.replayed, result.accuracy_before,
               result.accuracy_after, result.loss_before, result.loss_after, result.delta_norm,
               result.fisher != NULL ? "with Fisher" : "no Fisher (skip_fisher)", result.seconds);
    }
    return status;
}
