/* checkpoint.h: the C client's crash-safe state file: the held model (version, architecture, standardiser,
 * parameters), the jobs' generator and the replay buffer; from format 3 also the window of new
 * examples, the trigger's volume count and pending reason, the live-accuracy counts and the last
 * Update sent (kept until another round is trained, so a round offered again after a restart of
 * either side gets the same Update). Written to a temp file, fsynced,
 * renamed over the old one and the directory fsynced, so a crash (SIGKILL, power loss) leaves the
 * old file or the new one; a SHA-256 over the content is verified on load. Host byte order: the
 * file belongs to the device that wrote it. */
#ifndef TE_CHECKPOINT_H
#define TE_CHECKPOINT_H

#include "dataset.h"
#include "error.h"
#include "job.h"
#include "model.h"
#include "replay.h"
#include "rng.h"
#include "trigger.h"

/* Largest file loaded: 64M parameters and a replay buffer, with room. */
#define TE_MAX_CHECKPOINT_BYTES ((size_t)2 << 30)

/* What format 3 keeps besides the model, the generator and the replay buffer. */
typedef struct te_checkpoint_extra {
    te_dataset *window;            /* the window's examples, raw, oldest first. On load: an empty window of the
                                      same features (the newest that fit its capacity are added), or NULL /
                                      feature_count 0 to skip them */
    uint64_t new_examples;         /* the volume trigger's count */
    uint64_t pending;              /* the trigger's pending te_reason */
    uint64_t live_version, live_outcomes, live_correct;
    te_job_result *answered;       /* the Update kept (delta NULL = none); on load: filled */
    uint64_t answered_round, answered_base_version;
    uint64_t answered_parameters;  /* the delta's (and the Fisher's) length */
} te_checkpoint_extra;

/* Saves; extra may be NULL (format 3 with an empty window and no Update). The file is written as
 * it is encoded (64 KiB at a time, hashed on the way): no copy of the state in memory. */
te_status te_checkpoint_save(const char *path, const te_model *model, const te_rng *rng, const te_replay *replay,
                             const te_checkpoint_extra *extra, te_error *error);

/* Loads a checkpoint: TE_OK and the parts filled; TE_ERR_CONFIG naming the file and what is wrong
 * (checksum, truncated, a size out of range, a replay of other features). A missing file is
 * TE_OK with *found = 0 and nothing changed. Formats 1 and 2 load with extra left zero. */
te_status te_checkpoint_load(const char *path, te_model *model, te_rng *rng, te_replay *replay, te_checkpoint_extra *extra,
                             int *found, te_error *error);

#endif
