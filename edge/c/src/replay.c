/* replay.c: the reservoir replay buffer. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

void te_replay_init(te_replay *replay, size_t feature_count, size_t capacity) {
    memset(replay, 0, sizeof *replay);
    replay->feature_count = feature_count;
    replay->capacity = capacity;
}

void te_replay_free(te_replay *replay) {
    free(replay->features);
    free(replay->labels);
    memset(replay, 0, sizeof *replay);
}

te_status te_replay_insert(te_replay *replay, const float *features, int32_t label, te_rng *rng, te_error *error) {
    replay->seen++;
    if (replay->capacity == 0) {
        return TE_OK;
    }
    if (replay->features == NULL) {
        replay->features = malloc(replay->capacity * replay->feature_count * sizeof(float));
        replay->labels = malloc(replay->capacity * sizeof(int32_t));
        if (replay->features == NULL || replay->labels == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a replay buffer of %zu examples", replay->capacity);
        }
    }
    size_t slot;
    if (replay->count < replay->capacity) {
        slot = replay->count++;
    } else {
        uint64_t j = te_rng_below(rng, replay->seen);
        if (j >= replay->capacity) {
            return TE_OK;
        }
        slot = (size_t)j;
    }
    memcpy(replay->features + slot * replay->feature_count, features, replay->feature_count * sizeof(float));
    replay->labels[slot] = label;
    return TE_OK;
}

size_t te_replay_sample(const te_replay *replay, size_t count, te_rng *rng, size_t *pool, size_t *indices) {
    size_t n = replay->count;
    if (n == 0 || count == 0) {
        return 0;
    }
    if (count >= n) {
        for (size_t i = 0; i < n; i++) indices[i] = i;
        return n;
    }
    for (size_t i = 0; i < n; i++) pool[i] = i;
    for (size_t i = 0; i < count; i++) {
        size_t j = i + (size_t)te_rng_below(rng, n - i), swap = pool[i];
        pool[i] = pool[j];
        pool[j] = swap;
        indices[i] = pool[i];
    }
    return count;
}
