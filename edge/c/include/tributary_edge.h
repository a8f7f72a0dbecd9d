/*
 * tributary_edge.h: the Tributary edge client in C, for apps that embed it.
 *
 * One opaque handle per device (te_edge), no global state, one status enum with te_strerror(),
 * and te_last_error() for the reason (it names the thing that was wrong and the value it had).
 * Options (te_config) are kept apart from actions (te_open, te_run, te_close), as in libcurl's
 * easy API. Not thread-safe: use one handle from one thread at a time.
 *
 * Implemented:
 *   te_config_init    secure defaults (TLS 1.3 only, the fleet CA as the only trust anchor)
 *   te_open           checks the configuration and loads the TLS material; no network I/O
 *   te_run            one session with the coordinator: mutual TLS 1.3, Welcome/Reject, Hello,
 *                     heartbeats, Ready, RoundOffer and ModelRelease received and decoded
 *                     (the model held in memory), the round's job run on the window and its
 *                     Update sent, Goodbye when *stop becomes non-zero
 *   te_add_feedback, te_add_feedback_csv   labelled examples into the window (in memory)
 *   te_model_version, te_model_parameter_count   what the client holds
 *   te_close          frees everything
 *   te_predict        the held model's prediction for one example
 *   checkpoint_file   the held model, the generator and the replay buffer survive a restart
 *   te_open_offline   a handle on a checkpoint, for predictions (`tributary-edge-c predict`)
 *   te_predict_logged, te_add_prediction_feedback   predictions served by id and their labels:
 *                     the live-accuracy counts of Hello / Ready / Update
 *   triggers          volume, accuracy drop and Page-Hinkley drift, as the Swift edge's; with
 *                     ready_only_on_trigger, ready for a round only while a reason is pending
 *   checkpoint_file   from format 3 also the window, the trigger, the live counts and the kept Update
 * Not yet: ADWIN (the Swift side's other drift detector). te_run trains on its own thread,
 * sending the heartbeats that fall due between training steps.
 * The app must ignore SIGPIPE (a write to a dropped connection is then an error).
 */
#ifndef TRIBUTARY_EDGE_H
#define TRIBUTARY_EDGE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum te_status {
    TE_OK = 0,
    TE_ERR_CONFIG,               /* a te_config field is missing or out of range */
    TE_ERR_NO_MEMORY,
    TE_ERR_IO,                   /* connect, read or write failed; the connection dropped */
    TE_ERR_TLS,                  /* TLS set-up or handshake failed (certificate, key, CA, alert) */
    TE_ERR_TIMEOUT,              /* a deadline passed: connect, Welcome, or the peer went silent */
    TE_ERR_FRAME_TOO_LARGE,      /* a length prefix above the frame limit */
    TE_ERR_MALFORMED_FRAME,      /* bytes that are not an Envelope; stream ended inside a frame */
    TE_ERR_UNKNOWN_MESSAGE,      /* an Envelope with no message this client knows */
    TE_ERR_UNSUPPORTED_PROTOCOL_VERSION,
    TE_ERR_OUT_OF_SEQUENCE,      /* a message or chunk in the wrong order */
    TE_ERR_TRANSFER_TOO_LARGE,   /* a chunked transfer above the transfer limit */
    TE_ERR_INVALID_MESSAGE,      /* decoded, but a field is missing or out of range */
    TE_ERR_REJECTED,             /* the coordinator refused this client (Reject), or reported an Error */
    TE_ERR_REVOKED,              /* Reject{REVOKED} or Goodbye{REVOKED}: do not retry */
    TE_ERR_CLOSED                /* the coordinator said Goodbye */
} te_status;

/* A static name for a status, e.g. "frame too large". */
const char *te_strerror(te_status status);

typedef struct te_edge te_edge;

/* One line of the client's log; level 0 = info, 1 = warning, 2 = error. */
typedef void (*te_log_fn)(void *context, int level, const char *line);

typedef struct te_config {
    const char *coordinator_host;     /* required: host name or IP literal */
    uint16_t coordinator_port;        /* required: 1..65535 */
    const char *server_name;          /* the name the coordinator's certificate must carry; default: host */
    const char *ca_file;              /* required: the fleet CA (PEM), the only trust anchor */
    const char *cert_file;            /* required: this client's certificate (`tributary certs issue --client ID`) */
    const char *key_file;             /* required: its private key */
    const char *client_id;            /* default: the identity in the certificate */
    uint32_t heartbeat_interval_ms;   /* default 10000; the shorter of this and Welcome's is used */
    uint32_t idle_timeout_ms;         /* default 30000; at least 3 x the coordinator's interval */
    uint32_t handshake_timeout_ms;    /* default 10000: TCP connect, TLS handshake, Welcome */
    uint32_t max_frame_bytes;         /* default 4 MiB + 64 KiB (docs/protocol.md) */
    uint64_t max_transfer_bytes;      /* default 1 GiB */
    uint32_t features;                /* features per example; required to add feedback (0 = no feedback) */
    uint32_t window_examples;         /* the newest examples a round trains on; default 1000 */
    uint64_t seed;                    /* the job's generator (xoshiro256**); default 1 */
    uint32_t replay_capacity;         /* examples kept from those that left the window (reservoir); default 200 */
    const char *checkpoint_file;      /* when set: loaded at te_open (its SHA-256 verified), saved after each
                                         model adopted and each round answered (temp file, fsync, rename) */
    const char *spool_dir;            /* when set, te_run takes labelled CSV files dropped here (NAME.csv,
                                         renamed into place) every spool_interval_ms; each becomes NAME.csv.done
                                         (or .bad, naming the refused row in the log) */
    uint32_t spool_interval_ms;       /* default 5000 */
    uint32_t volume_trigger;          /* new examples since the last job that send Ready{trigger: "volume"};
                                         default 100 */
    double accuracy_drop;             /* Ready{trigger: "accuracy_drop"} when the rolling accuracy of the held
                                         model's last accuracy_window outcomes is this far below the first
                                         full window's; default 0.1, negative = off */
    uint32_t accuracy_window;         /* default 50; 0 = off */
    double page_hinkley_threshold;    /* Ready{trigger: "drift"} when Page-Hinkley (delta 0.005, 30 values at
                                         least) on the 0/1 error stream passes it; default 50, 0 = off */
    int ready_only_on_trigger;        /* ready for a round only while a trigger's reason is pending:
                                         Ready{ready: false, trigger: "answered"} just before each Update,
                                         Ready{ready: false, trigger: "nothing_pending"} on connecting with
                                         nothing pending (the Swift edge's triggers.ready_only_on_trigger);
                                         default 0: ready while the window holds examples */
    const char *update_file;          /* when set, each Update sent is also written here as its frame
                                         (temp file, fsync, rename), like the Swift agent's last-update.frame */
    int charging;                     /* DeviceFacts.charging */
    int metered_network;              /* DeviceFacts.metered_network */
    te_log_fn log;                    /* default: none */
    void *log_context;
} te_config;

/* Fills a config with the defaults above (required fields NULL / 0). */
void te_config_init(te_config *config);

/* Checks the configuration and loads the certificate, key and CA. On failure *edge is NULL and,
 * when reason is not NULL, it receives the reason (reason_size bytes at most). */
te_status te_open(const te_config *config, te_edge **edge, char *reason, size_t reason_size);

/* Opens a handle for predictions only, from a checkpoint a running client saved: no network,
 * no TLS material; te_predict works, te_run refuses. */
te_status te_open_offline(const char *checkpoint_file, te_edge **edge, char *reason, size_t reason_size);

/* Runs one session until it ends: the coordinator closes it, a refusal, an error, or *stop turns
 * non-zero (then Goodbye{SHUTDOWN} is sent and TE_OK returned). */
te_status te_run(te_edge *edge, volatile sig_atomic_t *stop);

/* The reason for the last failure of te_run, or "" after success. Valid until the next call. */
const char *te_last_error(const te_edge *edge);

/* Adds one labelled example to the window (the oldest leaves when it is full). Fails, naming the
 * value, for a feature count other than config.features, a non-finite feature or a negative label. */
te_status te_add_feedback(te_edge *edge, const float *features, size_t feature_count, int32_t label);

/* Adds every row of a CSV file (features, then a label column: "label" in a header row, else
 * the last column). Stops at the first bad row, naming the file, the line and the value. */
te_status te_add_feedback_csv(te_edge *edge, const char *path);

/* The class the held model predicts for one example of raw features (the model's standardiser,
 * when it has one, is applied to a copy), and (when probabilities is not NULL) the softmax over
 * its `classes` outputs. Fails, naming the value, when no model is held yet, or
 * for a feature count other than the model's input size or a class count other than its outputs. */
te_status te_predict(te_edge *edge, const float *features, size_t feature_count, float *probabilities, size_t classes,
                     int32_t *predicted);

/* te_predict, and the prediction kept in a log of the newest 256 under *prediction_id (1, 2, ...),
 * so that its label, when the user gives it, comes back through te_add_prediction_feedback. */
te_status te_predict_logged(te_edge *edge, const float *features, size_t feature_count, float *probabilities, size_t classes,
                            int32_t *predicted, uint64_t *prediction_id);

/* The label of a logged prediction: the example (its features, this label) joins the window, and
 * the first label given for the id is a live outcome of the version that predicted it (right when
 * it equals the predicted class). The held version's outcomes are counted in Hello's and Ready's
 * DeviceFacts.live_outcomes / live_correct and the Update's live.accuracy / live.examples, and
 * feed the accuracy-drop and drift triggers. Fails naming the id when it is not in the log. */
te_status te_add_prediction_feedback(te_edge *edge, uint64_t prediction_id, int32_t label);

/* Examples in the window. */
size_t te_example_count(const te_edge *edge);

/* The registry version of the model held (0 = none yet) and its number of parameters. */
uint64_t te_model_version(const te_edge *edge);
size_t te_model_parameter_count(const te_edge *edge);
/* The held model's input size (features per example); 0 when no model is held. */
size_t te_model_input_size(const te_edge *edge);

void te_close(te_edge *edge);

#ifdef __cplusplus
}
#endif
#endif
