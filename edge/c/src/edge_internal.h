/* edge_internal.h: the handle behind te_edge, shared by the library's files. */
#ifndef TE_EDGE_INTERNAL_H
#define TE_EDGE_INTERNAL_H

#include "dataset.h"
#include "error.h"
#include "frame.h"
#include "job.h"
#include "model.h"
#include "rng.h"
#include "session.h"
#include "tls.h"
#include "trigger.h"

#define TE_READ_BUFFER (64u * 1024u)
#define TE_PREDICTION_LOG 256   /* predictions kept for feedback by id (te_predict_logged) */

typedef struct te_logged_prediction {
    uint64_t id;               /* 0 = empty */
    uint64_t model_version;    /* the version that made it */
    int32_t predicted;
    int answered;              /* the first feedback set its outcome */
} te_logged_prediction;

struct te_edge {
    te_config config;          /* strings below are owned copies */
    char *host;
    char *server_name;
    char *update_file;
    char *checkpoint_file;
    char *spool_dir;
    te_trigger trigger;        /* volume, accuracy drop, drift (trigger.h) */
    te_reason announce;        /* fired and not yet sent as Ready (sent when a session is open) */
    int live_feedback;         /* a live outcome arrived: outcomes, not arrivals, feed the trigger */
    uint64_t live_version;     /* the version the live counts are of */
    uint64_t live_outcomes, live_correct;
    te_logged_prediction *predictions;   /* TE_PREDICTION_LOG entries, allocated on first use */
    float *prediction_features;          /* their rows */
    size_t prediction_width;
    uint64_t last_prediction_id;
    char client_id[TE_MAX_CLIENT_ID + 1];
    te_wire_limits limits;
    SSL_CTX *tls;
    te_model model;            /* the model held; version 0 = none */
    te_dataset window;         /* the newest labelled examples */
    te_replay replay;          /* a reservoir of the examples that left the window */
    te_rng rng;                /* the jobs' generator, seeded once */
    te_job_result answered;    /* the last Update's content, resent when its round is offered again */
    uint64_t answered_round;
    uint64_t answered_base_version;
    size_t answered_parameters;   /* the kept delta's length (the model it was trained on) */
    te_session *session;       /* the open session while te_run runs, for heartbeats during a job */
    uint64_t next_transfer_id;
    te_error last_error;
    uint8_t *read_buffer;      /* TE_READ_BUFFER bytes, allocated once */
};

/* Saves the checkpoint when one is configured; a failure is logged (the session goes on). */
void te_save_checkpoint(te_edge *edge);

/* Takes the CSV files in config.spool_dir into the window; returns the examples taken. */
size_t te_spool_collect(te_edge *edge);

/* The window grew from `added_before` (te_dataset.added): the new examples go through the
 * trigger (their predictions by the held model until live outcomes exist, then their count). */
void te_examples_arrived(te_edge *edge, uint64_t added_before);

/* The live-accuracy counts of the held version (0, 0 when none). */
void te_live_counts(const te_edge *edge, uint64_t *outcomes, uint64_t *correct);

/* One log line through config.log. */
void te_log(const te_edge *edge, int level, const char *format, ...) __attribute__((format(printf, 3, 4)));

#endif
