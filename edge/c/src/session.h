/* session.h: the edge's side of a session (docs/protocol.md "A session"), sans-IO.
 *
 * A value with no I/O: events in (the TLS handshake finished, a message arrived, a decode
 * refusal, time passed, the app asked to stop) and actions out (send Hello / Heartbeat /
 * Goodbye / Error, deliver a message to the app, close). Time is passed in as milliseconds of
 * a monotonic clock, so tests drive every deadline without sockets or sleeps. The same
 * sequence as the Swift EdgeSession: wait for Welcome or Reject before Hello; heartbeats at
 * the shorter of the own and the coordinator's interval; the idle timeout at least three of
 * the coordinator's intervals; RoundOffer, ModelRelease and UpdateReceipt delivered.
 */
#ifndef TE_SESSION_H
#define TE_SESSION_H

#include <stdint.h>

#include "error.h"
#include "frame.h"

typedef struct te_session_config {
    uint32_t heartbeat_interval_ms;
    uint32_t idle_timeout_ms;
    uint32_t handshake_timeout_ms;
} te_session_config;

typedef enum te_session_state {
    TE_SESSION_IDLE,
    TE_SESSION_AWAITING_WELCOME,
    TE_SESSION_OPEN,
    TE_SESSION_CLOSED
} te_session_state;

typedef enum te_action_kind {
    TE_ACTION_SEND_HELLO,
    TE_ACTION_SEND_HEARTBEAT,   /* with sequence */
    TE_ACTION_SEND_GOODBYE,     /* with goodbye_reason */
    TE_ACTION_SEND_ERROR,       /* with error_code and the session's error reason */
    TE_ACTION_DELIVER,          /* message: the received Envelope, still owned by the caller */
    TE_ACTION_CLOSE             /* the session's error tells why (TE_OK = a clean end) */
} te_action_kind;

typedef struct te_action {
    te_action_kind kind;
    uint64_t sequence;
    Tributary__V1__Goodbye__Reason goodbye_reason;
    Tributary__V1__Error__Code error_code;
    const te_envelope *message;
} te_action;

#define TE_MAX_ACTIONS 4

typedef struct te_actions {
    te_action items[TE_MAX_ACTIONS];
    int count;
} te_actions;

typedef struct te_session {
    te_session_config config;
    te_session_state state;
    int64_t handshake_deadline_ms;
    int64_t next_heartbeat_ms;
    int64_t idle_deadline_ms;
    uint32_t heartbeat_interval_ms;   /* in effect once open */
    uint32_t idle_timeout_ms;         /* in effect once open */
    uint64_t heartbeat_sequence;      /* the last one sent */
    uint64_t offered_round;           /* the open RoundOffer, 0 = none */
    uint64_t offered_base_version;
    te_error error;                   /* why the session closed */
} te_session;

void te_session_init(te_session *session, te_session_config config);

/* The TLS handshake finished: wait for Welcome or Reject until the handshake deadline. */
void te_session_connected(te_session *session, int64_t now_ms, te_actions *actions);

/* A whole message arrived (chunks are reassembled below the session). */
void te_session_received(te_session *session, const te_envelope *message, int64_t now_ms, te_actions *actions);

/* The frame decoder refused the bytes: Error{code} to the peer, then close. */
void te_session_decoding_failed(te_session *session, const te_error *error, te_actions *actions);

/* Time passed: heartbeat due, handshake or idle deadline. Call at te_session_next_deadline. */
void te_session_tick(te_session *session, int64_t now_ms, te_actions *actions);

/* Time passed while the app was busy (a job training on the session's thread): heartbeats only.
 * The idle deadline is not checked: frames the coordinator sent meanwhile wait unread. */
void te_session_tick_busy(te_session *session, int64_t now_ms, te_actions *actions);

/* The app stops: Goodbye{SHUTDOWN} when open, then close with TE_OK. */
void te_session_shutdown(te_session *session, te_actions *actions);

/* The connection dropped under the session. */
void te_session_disconnected(te_session *session, const char *reason);

/* The earliest instant te_session_tick has something to do; INT64_MAX when nothing. */
int64_t te_session_next_deadline(const te_session *session);

#endif
