/* checkpoint.h: the C client's crash-safe state file: the held model (version, architecture, standardiser,
 * parameters), the jobs' generator and the replay buffer. Written to a temp file, fsynced,
 * renamed over the old one and the directory fsynced, so a crash (SIGKILL, power loss) leaves the
 * old file or the new one; a SHA-256 over the content is verified on load. Host byte order: the
 * file belongs to the device that wrote it. */
#ifndef TE_CHECKPOINT_H
#define TE_CHECKPOINT_H

#include "error.h"
#include "model.h"
#include "replay.h"
#include "rng.h"

/* Largest file loaded: 64M parameters and a replay buffer, with room. */
#define TE_MAX_CHECKPOINT_BYTES ((size_t)2 << 30)

te_status te_checkpoint_save(const char *path, const te_model *model, const te_rng *rng, const te_replay *replay,
                             te_error *error);

/* Loads a checkpoint: TE_OK and the parts filled; TE_ERR_CONFIG naming the file and what is wrong
 * (checksum, truncated, a size out of range, a replay of other features). A missing file is
 * TE_OK with *found = 0 and nothing changed. */
te_status te_checkpoint_load(const char *path, te_model *model, te_rng *rng, te_replay *replay, int *found,
                             te_error *error);

#endif
