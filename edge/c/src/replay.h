/* replay.h: the replay buffer: a reservoir sample of the examples that have left the window (the
 * Swift side's ReplayBuffer with the reservoir policy): each of the `seen` examples offered is
 * kept with probability capacity/seen. A round mixes `replay_size` of them into every step. */
#ifndef TE_REPLAY_H
#define TE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "rng.h"

typedef struct te_replay {
    size_t feature_count;
    size_t capacity;     /* 0 = no replay */
    size_t count;
    uint64_t seen;
    float *features;     /* capacity x feature_count, allocated at the first insert */
    int32_t *labels;
} te_replay;

void te_replay_init(te_replay *replay, size_t feature_count, size_t capacity);
void te_replay_free(te_replay *replay);

/* Offers one example: stored while there is room, then in a random slot with probability
 * capacity/seen (Swift: generator.next(upperBound: seen) < capacity). */
te_status te_replay_insert(te_replay *replay, const float *features, int32_t label, te_rng *rng, te_error *error);

/* Picks `count` distinct stored examples (all of them when count >= stored) into indices;
 * returns how many were picked. Swift: a partial Fisher-Yates with next(upperBound:). */
size_t te_replay_sample(const te_replay *replay, size_t count, te_rng *rng, size_t *pool, size_t *indices);

#endif
