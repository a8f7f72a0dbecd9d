/* test_session.c: the session state machine driven by events and a test clock, no sockets. */
#include <string.h>

#include "check.h"
#include "session.h"

static te_session open_session(int64_t *now) {
    te_session_config config = {.heartbeat_interval_ms = 10000, .idle_timeout_ms = 30000, .handshake_timeout_ms = 10000};
    te_session session;
    te_session_init(&session, config);
    te_actions actions = {0};
    te_session_connected(&session, *now, &actions);
    return session;
}

static te_envelope welcome_message(Tributary__V1__Welcome *welcome) {
    te_envelope envelope = TRIBUTARY__V1__ENVELOPE__INIT;
    envelope.protocol_version = 1;
    envelope.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_WELCOME;
    envelope.welcome = welcome;
    return envelope;
}

static void handshake_deadline(void) {
    int64_t now = 1000;
    te_session session = open_session(&now);
    CHECK(session.state == TE_SESSION_AWAITING_WELCOME);
    CHECK(te_session_next_deadline(&session) == 11000);
    te_actions actions = {0};
    te_session_tick(&session, 10999, &actions);
    CHECK(actions.count == 0);
    te_session_tick(&session, 11000, &actions);
    CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_CLOSE);
    CHECK(session.error.code == TE_ERR_TIMEOUT);
    CHECK(strstr(session.error.reason, "no Welcome or Reject within 10000 ms") != NULL);
}

static void welcome_hello_heartbeats_and_idle(void) {
    int64_t now = 0;
    te_session session = open_session(&now);
    Tributary__V1__Welcome welcome = TRIBUTARY__V1__WELCOME__INIT;
    welcome.session_id = "s-1";
    welcome.server_protocol_version = 1;
    welcome.heartbeat_interval_ms = 5000;
    te_envelope message = welcome_message(&welcome);
    te_actions actions = {0};
    te_session_received(&session, &message, 100, &actions);
    CHECK(session.state == TE_SESSION_OPEN);
    CHECK(actions.count == 2);
    CHECK(actions.items[0].kind == TE_ACTION_SEND_HELLO);
    CHECK(actions.items[1].kind == TE_ACTION_DELIVER && actions.items[1].message == &message);
    CHECK(session.heartbeat_interval_ms == 5000);   /* the shorter of 10 s and 5 s */
    CHECK(session.idle_timeout_ms == 30000);        /* the longer of 30 s and 3 x 5 s */

    actions.count = 0;
    te_session_tick(&session, 5100, &actions);
    CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_SEND_HEARTBEAT && actions.items[0].sequence == 1);
    actions.count = 0;
    te_session_tick(&session, 10100, &actions);
    CHECK(actions.count == 1 && actions.items[0].sequence == 2);

    /* any frame from the coordinator moves the idle deadline */
    Tributary__V1__Heartbeat heartbeat = TRIBUTARY__V1__HEARTBEAT__INIT;
    te_envelope beat = TRIBUTARY__V1__ENVELOPE__INIT;
    beat.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT;
    beat.heartbeat = &heartbeat;
    actions.count = 0;
    te_session_received(&session, &beat, 20000, &actions);
    CHECK(actions.count == 0);
    CHECK(session.idle_deadline_ms == 50000);
    for (int64_t t = 15100; t < 50000; t += 5000) {
        actions.count = 0;
        te_session_tick(&session, t, &actions);
        CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_SEND_HEARTBEAT);
    }
    actions.count = 0;
    te_session_tick(&session, 50000, &actions);
    CHECK(actions.count == 2);
    CHECK(actions.items[0].kind == TE_ACTION_SEND_GOODBYE);
    CHECK(actions.items[0].goodbye_reason == TRIBUTARY__V1__GOODBYE__REASON__REASON_IDLE_TIMEOUT);
    CHECK(actions.items[1].kind == TE_ACTION_CLOSE);
    CHECK(session.error.code == TE_ERR_TIMEOUT);
    CHECK(session.state == TE_SESSION_CLOSED);
    CHECK(te_session_next_deadline(&session) == INT64_MAX);
}

static void refusals_name_their_code(void) {
    int64_t now = 0;
    te_session session = open_session(&now);
    Tributary__V1__Reject reject = TRIBUTARY__V1__REJECT__INIT;
    reject.code = TRIBUTARY__V1__REJECT__CODE__CODE_REVOKED;
    reject.reason = "client edge-1 is revoked";
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_REJECT;
    message.reject = &reject;
    te_actions actions = {0};
    te_session_received(&session, &message, 10, &actions);
    CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_CLOSE);
    CHECK(session.error.code == TE_ERR_REVOKED);
    CHECK(strcmp(session.error.reason, "coordinator rejected this client: client edge-1 is revoked (code 7 CODE_REVOKED)") == 0);

    session = open_session(&now);
    reject.code = TRIBUTARY__V1__REJECT__CODE__CODE_IDENTITY_MISMATCH;
    actions.count = 0;
    te_session_received(&session, &message, 10, &actions);
    CHECK(session.error.code == TE_ERR_REJECTED);
    CHECK(strstr(session.error.reason, "(code 2 CODE_IDENTITY_MISMATCH)") != NULL);

    /* Goodbye{REVOKED} while open */
    session = open_session(&now);
    Tributary__V1__Welcome welcome = TRIBUTARY__V1__WELCOME__INIT;
    welcome.server_protocol_version = 1;
    welcome.heartbeat_interval_ms = 10000;
    te_envelope hello = welcome_message(&welcome);
    te_session_received(&session, &hello, 10, &actions);
    Tributary__V1__Goodbye goodbye = TRIBUTARY__V1__GOODBYE__INIT;
    goodbye.reason = TRIBUTARY__V1__GOODBYE__REASON__REASON_REVOKED;
    goodbye.detail = "client edge-1 (certificate serial 3) is revoked";
    te_envelope bye = TRIBUTARY__V1__ENVELOPE__INIT;
    bye.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE;
    bye.goodbye = &goodbye;
    actions.count = 0;
    te_session_received(&session, &bye, 20, &actions);
    CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_CLOSE);
    CHECK(session.error.code == TE_ERR_REVOKED);
    CHECK(strstr(session.error.reason, "(reason 5 REASON_REVOKED)") != NULL);
}

static void out_of_sequence_and_decode_failures_send_error(void) {
    int64_t now = 0;
    te_session session = open_session(&now);
    Tributary__V1__RoundOffer offer = TRIBUTARY__V1__ROUND_OFFER__INIT;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_ROUND_OFFER;
    message.round_offer = &offer;
    te_actions actions = {0};
    te_session_received(&session, &message, 10, &actions);
    CHECK(actions.count == 2);
    CHECK(actions.items[0].kind == TE_ACTION_SEND_ERROR);
    CHECK(actions.items[0].error_code == TRIBUTARY__V1__ERROR__CODE__CODE_OUT_OF_SEQUENCE);
    CHECK(actions.items[1].kind == TE_ACTION_CLOSE);
    CHECK(strstr(session.error.reason, "RoundOffer arrived before Welcome") != NULL);

    session = open_session(&now);
    te_error error;
    te_fail(&error, TE_ERR_FRAME_TOO_LARGE, "frame length prefix is 99999999 bytes; the limit is 4259840");
    actions.count = 0;
    te_session_decoding_failed(&session, &error, &actions);
    CHECK(actions.count == 2);
    CHECK(actions.items[0].error_code == TRIBUTARY__V1__ERROR__CODE__CODE_FRAME_TOO_LARGE);
    CHECK(session.error.code == TE_ERR_FRAME_TOO_LARGE);

    /* a Welcome of another protocol version */
    session = open_session(&now);
    Tributary__V1__Welcome welcome = TRIBUTARY__V1__WELCOME__INIT;
    welcome.server_protocol_version = 2;
    welcome.heartbeat_interval_ms = 10000;
    te_envelope welcome_frame = welcome_message(&welcome);
    actions.count = 0;
    te_session_received(&session, &welcome_frame, 10, &actions);
    CHECK(actions.count == 2 && actions.items[0].error_code == TRIBUTARY__V1__ERROR__CODE__CODE_UNSUPPORTED_PROTOCOL_VERSION);

    /* open: a client-only message from the coordinator, then nothing more is acted on */
    session = open_session(&now);
    welcome.server_protocol_version = 1;
    actions.count = 0;
    te_session_received(&session, &welcome_frame, 10, &actions);
    Tributary__V1__Ready ready = TRIBUTARY__V1__READY__INIT;
    te_envelope ready_frame = TRIBUTARY__V1__ENVELOPE__INIT;
    ready_frame.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_READY;
    ready_frame.ready = &ready;
    actions.count = 0;
    te_session_received(&session, &ready_frame, 20, &actions);
    CHECK(actions.count == 2 && actions.items[0].error_code == TRIBUTARY__V1__ERROR__CODE__CODE_OUT_OF_SEQUENCE);
    actions.count = 0;
    te_session_received(&session, &message, 30, &actions);
    CHECK(actions.count == 0);
}

static void offers_delivered_and_shutdown_says_goodbye(void) {
    int64_t now = 0;
    te_session session = open_session(&now);
    Tributary__V1__Welcome welcome = TRIBUTARY__V1__WELCOME__INIT;
    welcome.server_protocol_version = 1;
    welcome.heartbeat_interval_ms = 10000;
    te_envelope welcome_frame = welcome_message(&welcome);
    te_actions actions = {0};
    te_session_received(&session, &welcome_frame, 10, &actions);
    Tributary__V1__RoundOffer offer = TRIBUTARY__V1__ROUND_OFFER__INIT;
    offer.round_id = 4;
    offer.base_model_version = 2;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_ROUND_OFFER;
    message.round_offer = &offer;
    actions.count = 0;
    te_session_received(&session, &message, 20, &actions);
    CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_DELIVER && actions.items[0].message == &message);
    CHECK(session.offered_round == 4 && session.offered_base_version == 2);

    actions.count = 0;
    te_session_shutdown(&session, &actions);
    CHECK(actions.count == 2);
    CHECK(actions.items[0].kind == TE_ACTION_SEND_GOODBYE);
    CHECK(actions.items[0].goodbye_reason == TRIBUTARY__V1__GOODBYE__REASON__REASON_SHUTDOWN);
    CHECK(actions.items[1].kind == TE_ACTION_CLOSE);
    CHECK(session.error.code == TE_OK);

    /* before Welcome there is no session to say Goodbye to */
    session = open_session(&now);
    actions.count = 0;
    te_session_shutdown(&session, &actions);
    CHECK(actions.count == 1 && actions.items[0].kind == TE_ACTION_CLOSE);
}

static void busy_ticks_send_heartbeats_but_never_idle_out(void) {
    int64_t now = 0;
    te_session session = open_session(&now);
    Tributary__V1__Welcome welcome = TRIBUTARY__V1__WELCOME__INIT;
    welcome.server_protocol_version = 1;
    welcome.heartbeat_interval_ms = 10000;
    te_envelope message = welcome_message(&welcome);
    te_actions actions = {0};
    te_session_received(&session, &message, 0, &actions);
    /* a job of 100 s: a heartbeat every 10 s, and no idle timeout although nothing was read */
    int heartbeats = 0;
    for (int64_t t = 0; t <= 100000; t += 500) {
        actions.count = 0;
        te_session_tick_busy(&session, t, &actions);
        for (int i = 0; i < actions.count; i++) {
            CHECK(actions.items[i].kind == TE_ACTION_SEND_HEARTBEAT);
            heartbeats++;
        }
    }
    CHECK(heartbeats == 10);
    CHECK(session.state == TE_SESSION_OPEN);
    /* back in the loop, the idle check applies again */
    actions.count = 0;
    te_session_tick(&session, 100000, &actions);
    CHECK(session.state == TE_SESSION_CLOSED && session.error.code == TE_ERR_TIMEOUT);
}

int main(void) {
    busy_ticks_send_heartbeats_but_never_idle_out();
    handshake_deadline();
    welcome_hello_heartbeats_and_idle();
    refusals_name_their_code();
    out_of_sequence_and_decode_failures_send_error();
    offers_delivered_and_shutdown_says_goodbye();
    CHECK_DONE("test_session");
}
