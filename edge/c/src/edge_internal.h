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

#define TE_READ_BUFFER (64u * 1024u)

struct te_edge {
    te_config config;          /* strings below are owned copies */
    char *host;
    char *server_name;
    char *update_file;
    char *checkpoint_file;
    char *spool_dir;
    size_t new_examples;       /* since the last job: the volume trigger's count */
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
    te_session *session;       /* the open session while te_run runs, for heartbeats during a job */
    uint64_t next_transfer_id;
    te_error last_error;
    uint8_t *read_buffer;      /* TE_READ_BUFFER bytes, allocated once */
};

/* Saves the checkpoint when one is configured; a failure is logged (the session goes on). */
void te_save_checkpoint(te_edge *edge);

/* Takes the CSV files in config.spool_dir into the window; returns the examples taken. */
size_t te_spool_collect(te_edge *edge);

/* One log line through config.log. */
void te_log(const te_edge *edge, int level, const char *format, ...) __attribute__((format(printf, 3, 4)));

#endif
