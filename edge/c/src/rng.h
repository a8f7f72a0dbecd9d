/* rng.h: xoshiro256** seeded through SplitMix64, the Swift side's SeededGenerator, with the
 * Swift standard library's next(upperBound:) (Lemire's multiply-and-reject), so a seeded C job
 * draws the numbers a seeded Swift job draws. */
#ifndef TE_RNG_H
#define TE_RNG_H

#include <stdint.h>

typedef struct te_rng {
    uint64_t state[4];
} te_rng;

static inline uint64_t te_rng_rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static inline void te_rng_seed(te_rng *rng, uint64_t seed) {
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        rng->state[i] = z ^ (z >> 31);
    }
}

static inline uint64_t te_rng_next(te_rng *rng) {
    uint64_t *s = rng->state;
    uint64_t result = te_rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = te_rng_rotl(s[3], 45);
    return result;
}

/* The high and low 64 bits of a * b, without __int128 (armhf has none). */
static inline void te_rng_multiply(uint64_t a, uint64_t b, uint64_t *high, uint64_t *low) {
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    uint64_t cross = (lo_lo >> 32) + (uint32_t)hi_lo + lo_hi;
    *high = hi_hi + (hi_lo >> 32) + (cross >> 32);
    *low = (cross << 32) | (uint32_t)lo_lo;
}

/* A uniform integer in [0, bound), bound > 0: Swift's RandomNumberGenerator.next(upperBound:). */
static inline uint64_t te_rng_below(te_rng *rng, uint64_t bound) {
    uint64_t high, low;
    te_rng_multiply(te_rng_next(rng), bound, &high, &low);
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            te_rng_multiply(te_rng_next(rng), bound, &high, &low);
        }
    }
    return high;
}

#endif
