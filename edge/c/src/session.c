/* session.c: the edge's session state machine. */
#include "session.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void push(te_actions *actions, te_action action) {
    if (actions->count < TE_MAX_ACTIONS) {
        actions->items[actions->count++] = action;
    }
}

static void push_kind(te_actions *actions, te_action_kind kind) {
    te_action action = {.kind = kind};
    push(actions, action);
}

/* The name of an enum value, e.g. "CODE_REVOKED", or "?" for one this contract does not know. */
static const char *enum_name(const ProtobufCEnumDescriptor *descriptor, int value) {
    const ProtobufCEnumValue *found = protobuf_c_enum_descriptor_get_value(descriptor, value);
    return found != NULL ? found->name : "?";
}

static Tributary__V1__Error__Code wire_code(te_status status) {
    switch (status) {
    case TE_ERR_FRAME_TOO_LARGE: return TRIBUTARY__V1__ERROR__CODE__CODE_FRAME_TOO_LARGE;
    case TE_ERR_MALFORMED_FRAME: return TRIBUTARY__V1__ERROR__CODE__CODE_MALFORMED_FRAME;
    case TE_ERR_UNKNOWN_MESSAGE: return TRIBUTARY__V1__ERROR__CODE__CODE_UNKNOWN_MESSAGE;
    case TE_ERR_UNSUPPORTED_PROTOCOL_VERSION: return TRIBUTARY__V1__ERROR__CODE__CODE_UNSUPPORTED_PROTOCOL_VERSION;
    case TE_ERR_OUT_OF_SEQUENCE: return TRIBUTARY__V1__ERROR__CODE__CODE_OUT_OF_SEQUENCE;
    case TE_ERR_INVALID_MESSAGE: return TRIBUTARY__V1__ERROR__CODE__CODE_INVALID_MESSAGE;
    case TE_ERR_TRANSFER_TOO_LARGE: return TRIBUTARY__V1__ERROR__CODE__CODE_TRANSFER_TOO_LARGE;
    default: return TRIBUTARY__V1__ERROR__CODE__CODE_INTERNAL;
    }
}

static te_status status_of_peer_error(Tributary__V1__Error__Code code) {
    switch (code) {
    case TRIBUTARY__V1__ERROR__CODE__CODE_FRAME_TOO_LARGE: return TE_ERR_FRAME_TOO_LARGE;
    case TRIBUTARY__V1__ERROR__CODE__CODE_MALFORMED_FRAME: return TE_ERR_MALFORMED_FRAME;
    case TRIBUTARY__V1__ERROR__CODE__CODE_UNKNOWN_MESSAGE: return TE_ERR_UNKNOWN_MESSAGE;
    case TRIBUTARY__V1__ERROR__CODE__CODE_UNSUPPORTED_PROTOCOL_VERSION: return TE_ERR_UNSUPPORTED_PROTOCOL_VERSION;
    case TRIBUTARY__V1__ERROR__CODE__CODE_OUT_OF_SEQUENCE: return TE_ERR_OUT_OF_SEQUENCE;
    case TRIBUTARY__V1__ERROR__CODE__CODE_INVALID_MESSAGE: return TE_ERR_INVALID_MESSAGE;
    case TRIBUTARY__V1__ERROR__CODE__CODE_TRANSFER_TOO_LARGE: return TE_ERR_TRANSFER_TOO_LARGE;
    default: return TE_ERR_REJECTED;
    }
}

void te_session_init(te_session *session, te_session_config config) {
    memset(session, 0, sizeof *session);
    session->config = config;
    session->state = TE_SESSION_IDLE;
}

static void close_with(te_session *session, te_actions *actions) {
    session->state = TE_SESSION_CLOSED;
    push_kind(actions, TE_ACTION_CLOSE);
}

/* A refusal of ours: Error{code} to the peer, then close. */
static void fail(te_session *session, const te_error *error, te_actions *actions) {
    session->error = *error;
    te_action send = {.kind = TE_ACTION_SEND_ERROR, .error_code = wire_code(error->code)};
    push(actions, send);
    close_with(session, actions);
}

static void out_of_sequence(te_session *session, const char *what, te_actions *actions) {
    te_error error;
    te_fail(&error, TE_ERR_OUT_OF_SEQUENCE, "%s", what);
    fail(session, &error, actions);
}

void te_session_connected(te_session *session, int64_t now_ms, te_actions *actions) {
    (void)actions;
    if (session->state != TE_SESSION_IDLE) {
        return;
    }
    session->state = TE_SESSION_AWAITING_WELCOME;
    session->handshake_deadline_ms = now_ms + session->config.handshake_timeout_ms;
}

static void rejected(te_session *session, const Tributary__V1__Reject *reject, te_actions *actions) {
    te_status status = reject->code == TRIBUTARY__V1__REJECT__CODE__CODE_REVOKED ? TE_ERR_REVOKED : TE_ERR_REJECTED;
    te_fail(&session->error, status, "coordinator rejected this client: %s (code %d %s)", reject->reason, (int)reject->code,
            enum_name(&tributary__v1__reject__code__descriptor, (int)reject->code));
    close_with(session, actions);
}

static void peer_error(te_session *session, const Tributary__V1__Error *error, te_actions *actions) {
    te_fail(&session->error, status_of_peer_error(error->code), "the coordinator refused a frame of this client: %s (code %d %s)",
            error->message, (int)error->code, enum_name(&tributary__v1__error__code__descriptor, (int)error->code));
    close_with(session, actions);
}

static void peer_goodbye(te_session *session, const Tributary__V1__Goodbye *goodbye, te_actions *actions) {
    const char *name = enum_name(&tributary__v1__goodbye__reason__descriptor, (int)goodbye->reason);
    if (goodbye->reason == TRIBUTARY__V1__GOODBYE__REASON__REASON_REVOKED) {
        te_fail(&session->error, TE_ERR_REVOKED, "the coordinator revoked this client: %s (reason %d %s)",
                goodbye->detail, (int)goodbye->reason, name);
    } else {
        te_fail(&session->error, TE_ERR_CLOSED, "the coordinator said Goodbye (reason %d %s): %s",
                (int)goodbye->reason, name, goodbye->detail);
    }
    close_with(session, actions);
}

static void welcomed(te_session *session, const te_envelope *message, int64_t now_ms, te_actions *actions) {
    const Tributary__V1__Welcome *welcome = message->welcome;
    te_error error;
    if (welcome->server_protocol_version != TE_PROTOCOL_VERSION) {
        te_fail(&error, TE_ERR_UNSUPPORTED_PROTOCOL_VERSION, "Welcome.server_protocol_version is %" PRIu32 "; this client speaks %u",
                welcome->server_protocol_version, TE_PROTOCOL_VERSION);
        fail(session, &error, actions);
        return;
    }
    if (welcome->heartbeat_interval_ms == 0) {
        te_fail(&error, TE_ERR_INVALID_MESSAGE, "Welcome.heartbeat_interval_ms is 0; must be > 0");
        fail(session, &error, actions);
        return;
    }
    uint32_t announced = welcome->heartbeat_interval_ms;
    uint32_t own = session->config.heartbeat_interval_ms;
    session->heartbeat_interval_ms = own < announced ? own : announced;
    uint64_t three = (uint64_t)announced * 3;
    uint64_t idle = session->config.idle_timeout_ms > three ? session->config.idle_timeout_ms : three;
    session->idle_timeout_ms = idle > UINT32_MAX ? UINT32_MAX : (uint32_t)idle;
    session->state = TE_SESSION_OPEN;
    session->next_heartbeat_ms = now_ms + session->heartbeat_interval_ms;
    session->idle_deadline_ms = now_ms + session->idle_timeout_ms;
    push_kind(actions, TE_ACTION_SEND_HELLO);
    te_action deliver = {.kind = TE_ACTION_DELIVER, .message = message};
    push(actions, deliver);
}

static void received_first(te_session *session, const te_envelope *message, int64_t now_ms, te_actions *actions) {
    switch (message->message_case) {
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_WELCOME:
        welcomed(session, message, now_ms, actions);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_REJECT:
        rejected(session, message->reject, actions);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_ERROR:
        peer_error(session, message->error, actions);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE:
        peer_goodbye(session, message->goodbye, actions);
        return;
    default: {
        char what[160];
        snprintf(what, sizeof what, "%s arrived before Welcome; the coordinator's first message must be Welcome or Reject",
                 te_envelope_name(message));
        out_of_sequence(session, what, actions);
    }
    }
}

static void received_open(te_session *session, const te_envelope *message, te_actions *actions) {
    te_action deliver = {.kind = TE_ACTION_DELIVER, .message = message};
    char what[160];
    switch (message->message_case) {
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT:
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_ROUND_OFFER:
        /* a new offer replaces an unanswered one */
        session->offered_round = message->round_offer->round_id;
        session->offered_base_version = message->round_offer->base_model_version;
        push(actions, deliver);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_MODEL_RELEASE:
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_UPDATE_RECEIPT:
        push(actions, deliver);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_REJECT:
        rejected(session, message->reject, actions);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_ERROR:
        peer_error(session, message->error, actions);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE:
        peer_goodbye(session, message->goodbye, actions);
        return;
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_WELCOME:
        out_of_sequence(session, "a second Welcome arrived", actions);
        return;
    default:
        snprintf(what, sizeof what, "%s is sent by a client, not by the coordinator", te_envelope_name(message));
        out_of_sequence(session, what, actions);
    }
}

void te_session_received(te_session *session, const te_envelope *message, int64_t now_ms, te_actions *actions) {
    switch (session->state) {
    case TE_SESSION_IDLE:
        out_of_sequence(session, "a message arrived before the TLS handshake finished", actions);
        return;
    case TE_SESSION_AWAITING_WELCOME:
        received_first(session, message, now_ms, actions);
        return;
    case TE_SESSION_OPEN:
        session->idle_deadline_ms = now_ms + session->idle_timeout_ms;
        received_open(session, message, actions);
        return;
    case TE_SESSION_CLOSED:
        return;
    }
}

void te_session_decoding_failed(te_session *session, const te_error *error, te_actions *actions) {
    if (session->state == TE_SESSION_CLOSED) {
        return;
    }
    fail(session, error, actions);
}

void te_session_tick(te_session *session, int64_t now_ms, te_actions *actions) {
    if (session->state == TE_SESSION_AWAITING_WELCOME && now_ms >= session->handshake_deadline_ms) {
        te_fail(&session->error, TE_ERR_TIMEOUT, "no Welcome or Reject within %" PRIu32 " ms of the TLS handshake",
                session->config.handshake_timeout_ms);
        close_with(session, actions);
        return;
    }
    if (session->state != TE_SESSION_OPEN) {
        return;
    }
    if (now_ms >= session->idle_deadline_ms) {
        te_fail(&session->error, TE_ERR_TIMEOUT, "the coordinator was silent for %" PRIu32 " ms (the idle timeout)",
                session->idle_timeout_ms);
        te_action goodbye = {.kind = TE_ACTION_SEND_GOODBYE, .goodbye_reason = TRIBUTARY__V1__GOODBYE__REASON__REASON_IDLE_TIMEOUT};
        push(actions, goodbye);
        close_with(session, actions);
        return;
    }
    if (now_ms >= session->next_heartbeat_ms) {
        te_action heartbeat = {.kind = TE_ACTION_SEND_HEARTBEAT, .sequence = ++session->heartbeat_sequence};
        push(actions, heartbeat);
        session->next_heartbeat_ms = now_ms + session->heartbeat_interval_ms;
    }
}

void te_session_tick_busy(te_session *session, int64_t now_ms, te_actions *actions) {
    if (session->state == TE_SESSION_OPEN && now_ms >= session->next_heartbeat_ms) {
        te_action heartbeat = {.kind = TE_ACTION_SEND_HEARTBEAT, .sequence = ++session->heartbeat_sequence};
        push(actions, heartbeat);
        session->next_heartbeat_ms = now_ms + session->heartbeat_interval_ms;
    }
}

void te_session_shutdown(te_session *session, te_actions *actions) {
    if (session->state == TE_SESSION_CLOSED) {
        return;
    }
    te_error_clear(&session->error);
    if (session->state == TE_SESSION_OPEN) {
        te_action goodbye = {.kind = TE_ACTION_SEND_GOODBYE, .goodbye_reason = TRIBUTARY__V1__GOODBYE__REASON__REASON_SHUTDOWN};
        push(actions, goodbye);
    }
    close_with(session, actions);
}

void te_session_disconnected(te_session *session, const char *reason) {
    if (session->state == TE_SESSION_CLOSED) {
        return;
    }
    te_fail(&session->error, TE_ERR_IO, "the connection dropped: %s", reason);
    session->state = TE_SESSION_CLOSED;
}

int64_t te_session_next_deadline(const te_session *session) {
    switch (session->state) {
    case TE_SESSION_AWAITING_WELCOME:
        return session->handshake_deadline_ms;
    case TE_SESSION_OPEN:
        return session->next_heartbeat_ms < session->idle_deadline_ms ? session->next_heartbeat_ms : session->idle_deadline_ms;
    default:
        return INT64_MAX;
    }
}
