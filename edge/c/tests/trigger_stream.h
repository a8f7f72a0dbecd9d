/* trigger_stream.h: a seeded 0/1 error stream with an abrupt drift, for the trigger's tests and
 * scripts/c-edge-trigger-vs-swift.sh: `count` outcomes, wrong with probability 5 % before
 * `drift_at` and 45 % from it on, drawn from xoshiro256** seeded with `seed`. */
#ifndef TE_TRIGGER_STREAM_H
#define TE_TRIGGER_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

static inline void te_trigger_stream(uint64_t seed, size_t count, size_t drift_at, uint8_t *correct) {
    te_rng rng;
    te_rng_seed(&rng, seed);
    for (size_t i = 0; i < count; i++) {
        uint64_t percent = te_rng_below(&rng, 100);
        correct[i] = percent >= (i < drift_at ? 5u : 45u);
    }
}

#endif
