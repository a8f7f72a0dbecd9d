/* messages.c: building outgoing messages, handling delivered ones. */
#include "messages.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

typedef struct write_target {
    te_connection *connection;
    int64_t deadline_ms;
} write_target;

static te_status write_frame(void *context, const uint8_t *frame, size_t length, te_error *error) {
    write_target *target = context;
    return te_connection_write(target->connection, frame, length, target->deadline_ms, error);
}

te_status te_send(te_edge *edge, te_connection *connection, te_envelope *message, te_error *error) {
    write_target target = {connection, te_now_ms() + edge->config.idle_timeout_ms};
    return te_frame_send(message, &edge->limits, edge->next_transfer_id++, write_frame, &target, error);
}

static Tributary__V1__DeviceFacts device_facts(const te_edge *edge) {
    Tributary__V1__DeviceFacts facts = TRIBUTARY__V1__DEVICE_FACTS__INIT;
    facts.examples_available = edge->window.count;
    facts.charging = edge->config.charging != 0;
    facts.metered_network = edge->config.metered_network != 0;
    facts.model_version = edge->model.version;
    te_live_counts(edge, &facts.live_outcomes, &facts.live_correct);
    return facts;
}

te_status te_send_hello(te_edge *edge, te_connection *connection, te_error *error) {
    Tributary__V1__DType codecs[1] = {TRIBUTARY__V1__DTYPE__DTYPE_FLOAT32};
    /* "compression": int8 deltas and fp16 / int8 / sqrt-int8 Fishers as the plan says (not top-k) */
    char *features[3] = {"chunked-transfer", "model-delta", "compression"};
    Tributary__V1__Capabilities capabilities = TRIBUTARY__V1__CAPABILITIES__INIT;
    capabilities.n_tensor_codecs = 1;
    capabilities.tensor_codecs = codecs;
    capabilities.n_features = 3;
    capabilities.features = features;
    /* announced only when smaller than the default, so the coordinator cuts its frames to it */
    capabilities.max_frame_bytes = edge->limits.max_frame_bytes < TE_DEFAULT_MAX_FRAME_BYTES ? edge->limits.max_frame_bytes : 0;
    Tributary__V1__DeviceFacts facts = device_facts(edge);
    Tributary__V1__Hello hello = TRIBUTARY__V1__HELLO__INIT;
    hello.protocol_version = TE_PROTOCOL_VERSION;
    hello.client_id = edge->client_id;
    hello.capabilities = &capabilities;
    hello.device = &facts;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_HELLO;
    message.hello = &hello;
    return te_send(edge, connection, &message, error);
}

te_status te_send_ready(te_edge *edge, te_connection *connection, const char *trigger, int ready_flag, te_error *error) {
    Tributary__V1__DeviceFacts facts = device_facts(edge);
    Tributary__V1__Ready ready = TRIBUTARY__V1__READY__INIT;
    ready.device = &facts;
    ready.trigger = (char *)trigger;
    ready.ready = ready_flag != 0;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_READY;
    message.ready = &ready;
    te_status status = te_send(edge, connection, &message, error);
    if (status == TE_OK) {
        te_log(edge, 0, "sent Ready{trigger: %s, ready: %s, examples: %" PRIu64 ", model version: %" PRIu64 ", live: %" PRIu64 "/%" PRIu64 "}",
               trigger, ready.ready ? "true" : "false", facts.examples_available, facts.model_version, facts.live_correct,
               facts.live_outcomes);
    }
    return status;
}

te_status te_send_heartbeat(te_edge *edge, te_connection *connection, uint64_t sequence, te_error *error) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    Tributary__V1__Heartbeat heartbeat = TRIBUTARY__V1__HEARTBEAT__INIT;
    heartbeat.sequence = sequence;
    heartbeat.unix_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT;
    message.heartbeat = &heartbeat;
    return te_send(edge, connection, &message, error);
}

te_status te_send_goodbye(te_edge *edge, te_connection *connection, Tributary__V1__Goodbye__Reason reason, te_error *error) {
    Tributary__V1__Goodbye goodbye = TRIBUTARY__V1__GOODBYE__INIT;
    goodbye.reason = reason;
    goodbye.detail = reason == TRIBUTARY__V1__GOODBYE__REASON__REASON_SHUTDOWN ? "tributary-edge-c is stopping"
                                                                               : "the coordinator was silent past the idle timeout";
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE;
    message.goodbye = &goodbye;
    te_status status = te_send(edge, connection, &message, error);
    if (status == TE_OK) {
        te_log(edge, 0, "sent Goodbye{reason: %d}", (int)reason);
    }
    return status;
}

te_status te_send_error(te_edge *edge, te_connection *connection, Tributary__V1__Error__Code code, const char *text,
                        te_error *error) {
    Tributary__V1__Error refusal = TRIBUTARY__V1__ERROR__INIT;
    refusal.code = code;
    refusal.message = (char *)text;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_ERROR;
    message.error = &refusal;
    return te_send(edge, connection, &message, error);
}

/* Decodes a payload and its preprocessing (field names it, e.g. "RoundOffer.preprocessing")
 * into a new held model, replacing the old one. As the Swift side's ModelAdoption: the model
 * takes the message's preprocessing (identity when it has none), and when that differs from the
 * held model's the replay buffer is emptied: it holds inputs as the old one made them. */
static te_status adopt(te_edge *edge, const Tributary__V1__ModelArchitecture *architecture,
                       const Tributary__V1__ModelPayload *payload, const Tributary__V1__Preprocessing *preprocessing,
                       uint64_t version, const char *what, const char *field, te_error *error) {
    te_model model;
    te_status status = te_model_from_payload(&edge->model, architecture, payload, version, &model, error);
    if (status == TE_OK) {
        status = te_preprocessing_from_wire(preprocessing, model.architecture.input_size, field, &model.preprocessing, error);
        if (status != TE_OK) {
            te_model_free(&model);
        }
    }
    if (status != TE_OK) {
        return status;
    }
    if (!te_preprocessing_equal(&model.preprocessing, &edge->model.preprocessing) && edge->replay.count + edge->replay.seen > 0) {
        te_log(edge, 0, "%s: the model's preprocessing changed (%s): the replay buffer's %zu examples are dropped", what,
               model.preprocessing.mean != NULL ? "a standardiser" : "raw features", edge->replay.count);
        edge->replay.count = 0;
        edge->replay.seen = 0;
    }
    int delta = payload->payload_case == TRIBUTARY__V1__MODEL_PAYLOAD__PAYLOAD_DELTA;
    if (!delta && (edge->model.version == 0 || !te_architecture_equal(&model.architecture, &edge->model.architecture))) {
        /* A fresh start, as the Swift agent's Checkpoint.fresh: the generator from the seed, then
         * one draw per parameter (its initialisation, then replaced by the coordinator's model),
         * so that a seeded C job shuffles as a seeded Swift job does. */
        te_rng_seed(&edge->rng, edge->config.seed);
        for (size_t i = 0; i < model.parameter_count; i++) {
            te_rng_next(&edge->rng);
        }
    }
    te_log(edge, 0, "%s: model version %" PRIu64 " (%zu parameters, %zu layers, %s%s)", what, version, model.parameter_count,
           model.architecture.layer_count, delta ? "a delta against the held version" : "in full",
           model.preprocessing.mean != NULL ? ", standardised features" : "");
    if (version != edge->model.version) {
        te_trigger_model_changed(&edge->trigger);   /* the detectors and the baseline were of the old model */
    }
    te_model_free(&edge->model);
    edge->model = model;
    return TE_OK;
}

static te_status offered(te_edge *edge, te_connection *connection, const Tributary__V1__RoundOffer *offer, te_error *error) {
    const Tributary__V1__TrainingPlan *plan = offer->plan;
    if (offer->round_id == 0 || offer->base_model_version == 0 || plan == NULL) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "RoundOffer has round_id %" PRIu64 ", base_model_version %" PRIu64 ", %s plan; "
                       "all are required", offer->round_id, offer->base_model_version, plan == NULL ? "no" : "a");
    }
    te_log(edge, 0, "round %" PRIu64 " offered: base version %" PRIu64 ", plan {epochs: %" PRIu32 ", batch: %" PRIu32 ", lr: %g, "
           "ewc_lambda: %g, replay: %" PRIu32 ", skip_fisher: %s, mask_unseen_classes: %s}%s", offer->round_id,
           offer->base_model_version, plan->epochs, plan->batch_size, plan->learning_rate, plan->ewc_lambda, plan->replay_size,
           plan->skip_fisher ? "true" : "false", plan->mask_unseen_classes ? "true" : "false", offer->ewc != NULL ? ", with the global EWC state" : "");
    te_status status = adopt(edge, offer->architecture, offer->model, offer->preprocessing, offer->base_model_version, "offer decoded",
                             "RoundOffer.preprocessing", error);
    return status == TE_OK ? te_answer_offer(edge, connection, offer, error) : status;
}

te_status te_deliver(te_edge *edge, te_connection *connection, const te_envelope *message, te_error *error) {
    switch (message->message_case) {
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_WELCOME:
        te_log(edge, 0, "connected as %s: session %s, coordinator's model version %" PRIu64 ", heartbeat %" PRIu32 " ms",
               edge->client_id, message->welcome->session_id, message->welcome->global_model_version,
               message->welcome->heartbeat_interval_ms);
        /* a reason that fired before this session is announced as "startup" (the coordinator forgot
         * this client's facts when it disconnected) */
        edge->announce = TE_REASON_NONE;
        if (edge->trigger.pending != TE_REASON_NONE) {
            return te_send_ready(edge, connection, "startup", 1, error);
        }
        if (edge->config.ready_only_on_trigger) {
            return te_send_ready(edge, connection, "nothing_pending", 0, error);
        }
        return te_send_ready(edge, connection, "startup", edge->window.count > 0, error);
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_ROUND_OFFER: {
        uint64_t held = edge->model.version;
        te_status status = offered(edge, connection, message->round_offer, error);
        if (edge->model.version != held) {
            te_save_checkpoint(edge);   /* the offer's model (an answered round saved itself before its Update) */
        }
        return status;
    }
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_MODEL_RELEASE: {
        const Tributary__V1__ModelRelease *release = message->model_release;
        if (release->version == 0 || release->version <= release->parent_version) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "ModelRelease.version is %" PRIu64 " with parent_version %" PRIu64
                           "; must be non-zero and greater", release->version, release->parent_version);
        }
        if (release->version == edge->model.version) {
            te_log(edge, 0, "release of model version %" PRIu64 ": already held", release->version);
            return TE_OK;
        }
        te_status status = adopt(edge, release->architecture, release->model, release->preprocessing, release->version, "adopted release",
                                 "ModelRelease.preprocessing", error);
        if (status == TE_OK) {
            te_save_checkpoint(edge);
        }
        return status;
    }
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_UPDATE_RECEIPT:
        te_log(edge, message->update_receipt->status == TRIBUTARY__V1__UPDATE_RECEIPT__STATUS__STATUS_ACCEPTED ? 0 : 1,
               "receipt for round %" PRIu64 ": %s%s%s", message->update_receipt->round_id,
               protobuf_c_enum_descriptor_get_value(&tributary__v1__update_receipt__status__descriptor, (int)message->update_receipt->status) != NULL
                   ? protobuf_c_enum_descriptor_get_value(&tributary__v1__update_receipt__status__descriptor, (int)message->update_receipt->status)->name
                   : "STATUS_?",
               message->update_receipt->reason[0] != '\0' ? ": " : "", message->update_receipt->reason);
        return TE_OK;
    default:
        return TE_OK;
    }
}
