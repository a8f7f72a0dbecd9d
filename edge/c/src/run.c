/* run.c: te_run, the shell of one session: it owns the connection, feeds the frame decoder and
 * the session state machine, and performs the actions they return. No protocol logic here. */
#include "messages.h"

#include <stdio.h>
#include <string.h>

typedef struct te_run_state {
    te_edge *edge;
    te_connection connection;
    te_session session;
    te_frame_decoder decoder;
    int closed;
} te_run_state;

static void perform(te_run_state *run, te_actions *actions);

/* A failure of our own while performing (a write failed, a delivered model was refused). */
static void failed(te_run_state *run, const te_error *error) {
    te_actions actions = {0};
    if (error->code == TE_ERR_IO || error->code == TE_ERR_TIMEOUT || error->code == TE_ERR_TLS) {
        te_session_disconnected(&run->session, error->reason);
        run->session.error.code = error->code;
        run->closed = 1;
        return;
    }
    te_session_decoding_failed(&run->session, error, &actions);
    perform(run, &actions);
}

static void perform(te_run_state *run, te_actions *actions) {
    for (int i = 0; i < actions->count && !run->closed; i++) {
        const te_action *action = &actions->items[i];
        te_error error;
        te_error_clear(&error);
        te_status status = TE_OK;
        switch (action->kind) {
        case TE_ACTION_SEND_HELLO:
            status = te_send_hello(run->edge, &run->connection, &error);
            break;
        case TE_ACTION_SEND_HEARTBEAT:
            status = te_send_heartbeat(run->edge, &run->connection, action->sequence, &error);
            break;
        case TE_ACTION_SEND_GOODBYE:
            status = te_send_goodbye(run->edge, &run->connection, action->goodbye_reason, &error);
            break;
        case TE_ACTION_SEND_ERROR:
            te_log(run->edge, 2, "refused a frame from the coordinator: %s", run->session.error.reason);
            status = te_send_error(run->edge, &run->connection, action->error_code, run->session.error.reason, &error);
            break;
        case TE_ACTION_DELIVER:
            status = te_deliver(run->edge, &run->connection, action->message, &error);
            break;
        case TE_ACTION_CLOSE:
            run->closed = 1;
            break;
        }
        if (status != TE_OK && !run->closed) {
            if (action->kind == TE_ACTION_SEND_ERROR || action->kind == TE_ACTION_SEND_GOODBYE) {
                run->closed = 1;   /* the session already has its reason; the peer may be gone */
            } else {
                failed(run, &error);
            }
        }
    }
}

/* Feeds received bytes to the decoder and each whole message to the session. */
static void received(te_run_state *run, const uint8_t *bytes, size_t count) {
    size_t offset = 0;
    while (offset < count && !run->closed) {
        size_t consumed = 0;
        te_envelope *message = NULL;
        te_error error;
        te_actions actions = {0};
        te_status status = te_frame_decoder_feed(&run->decoder, bytes + offset, count - offset, &consumed, &message, &error);
        offset += consumed;
        if (status != TE_OK) {
            te_session_decoding_failed(&run->session, &error, &actions);
            perform(run, &actions);
            return;
        }
        if (message != NULL) {
            te_session_received(&run->session, message, te_now_ms(), &actions);
            perform(run, &actions);
            te_envelope_free(message);
        }
    }
}

te_status te_run(te_edge *edge, volatile sig_atomic_t *stop) {
    te_run_state run = {.edge = edge};
    te_error_clear(&edge->last_error);
    if (edge->tls == NULL) {
        return te_fail(&edge->last_error, TE_ERR_CONFIG, "this handle was opened offline (te_open_offline) for predictions; te_run needs te_open");
    }
    te_error error;
    const te_config *config = &edge->config;
    te_status status = te_connection_open(edge->tls, config->coordinator_host, config->coordinator_port, config->server_name,
                                          te_now_ms() + config->handshake_timeout_ms, &run.connection, &error);
    if (status != TE_OK) {
        edge->last_error = error;
        return status;
    }
    te_session_config session_config = {config->heartbeat_interval_ms, config->idle_timeout_ms, config->handshake_timeout_ms};
    te_session_init(&run.session, session_config);
    te_frame_decoder_init(&run.decoder, edge->limits);
    te_actions actions = {0};
    te_session_connected(&run.session, te_now_ms(), &actions);
    edge->session = &run.session;
    int64_t next_spool = edge->spool_dir != NULL ? te_now_ms() : INT64_MAX;
    while (!run.closed) {
        actions.count = 0;
        if (stop != NULL && *stop) {
            te_session_shutdown(&run.session, &actions);
            perform(&run, &actions);
            break;
        }
        size_t count = 0;
        int64_t deadline = te_session_next_deadline(&run.session);
        status = te_connection_read(&run.connection, edge->read_buffer, TE_READ_BUFFER,
                                    deadline < next_spool ? deadline : next_spool, &count, &error);
        if (status != TE_OK) {
            te_error ended;
            te_session_disconnected(&run.session, error.reason);
            run.session.error = error;
            if (te_frame_decoder_finish(&run.decoder, &ended) != TE_OK) {
                size_t used = strlen(run.session.error.reason);
                snprintf(run.session.error.reason + used, sizeof run.session.error.reason - used, " (%s)", ended.reason);
            }
            break;
        }
        received(&run, edge->read_buffer, count);
        actions.count = 0;
        te_session_tick(&run.session, te_now_ms(), &actions);
        perform(&run, &actions);
        if (!run.closed && te_now_ms() >= next_spool) {
            uint64_t before = edge->window.added;
            te_spool_collect(edge);
            te_examples_arrived(edge, before);
            next_spool = te_now_ms() + config->spool_interval_ms;
        }
        if (!run.closed && run.session.state == TE_SESSION_OPEN && edge->announce != TE_REASON_NONE) {
            te_error ready;
            const char *name = te_reason_name(edge->announce);
            edge->announce = TE_REASON_NONE;
            if (te_send_ready(edge, &run.connection, name, 1, &ready) != TE_OK) {
                failed(&run, &ready);
            }
        }
    }
    edge->session = NULL;
    te_connection_close(&run.connection);
    te_frame_decoder_free(&run.decoder);
    edge->last_error = run.session.error;
    return run.session.error.code;
}
