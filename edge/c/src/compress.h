/* compress.h: the compressed vector formats of an Update (docs/privacy.md, "Compression"), as the
 * Swift TributaryCompression writes them: an 8-byte header (magic "TC", format, version 1, element
 * count UInt32), then the body, all little-endian. This client writes int8 blocks (format 1), int8
 * blocks of square roots (format 5) and IEEE half (format 2); it does not send top-k (format 3),
 * which needs a residual kept across rounds, and announces only "compression", not
 * "compression-topk". Int8 rounds to nearest (ties away from zero), so the same vector always
 * encodes to the same bytes (a resent Update is the one sent before). */
#ifndef TE_COMPRESS_H
#define TE_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum { TE_FORMAT_INT8 = 1, TE_FORMAT_FP16 = 2, TE_FORMAT_INT8_SQRT = 5 };

#define TE_MAX_BLOCK_SIZE (1u << 20)

/* Bytes of an int8-block payload of `count` values in blocks of `block_size` (≥ 1). */
size_t te_int8_size(size_t count, uint32_t block_size);

/* Bytes of an fp16 payload of `count` values. */
size_t te_fp16_size(size_t count);

/* Writes `count` values as int8 blocks (format 1, or 5 with `square_root`: the square roots are
 * quantised, read back squared) into `out` (te_int8_size bytes). Each block's scale is its
 * largest |x| / 127. Fails (TE_ERR_CONFIG) on a non-finite value, or a negative one with
 * `square_root`, naming `field` and the index. */
te_status te_int8_encode(const float *values, size_t count, uint32_t block_size, int square_root, const char *field,
                         uint8_t *out, te_error *error);

/* Writes `count` values as IEEE half (format 2, nearest, ties to even; beyond ±65504 clamped)
 * into `out` (te_fp16_size bytes). Fails on a non-finite value, naming `field` and the index. */
te_status te_fp16_encode(const float *values, size_t count, const char *field, uint8_t *out, te_error *error);

/* The IEEE half nearest to a finite `value` already clamped to ±65504 (ties to even). */
uint16_t te_half_bits(float value);


#include "tributary/v1/round.pb-c.h"

/* The Update's payloads as the plan's encoding (absent: Float32) asks, from this round's flat
 * delta and Fisher (`fisher` NULL when skipped) of `count` parameters: sets compressed_delta (and
 * clears delta) for an INT8 delta, compressed_fisher (and clears fisher) for an FP16, INT8 or
 * SQRT_INT8 Fisher. *buffers (two, freed by the caller with free()) hold the bytes. */
te_status te_encode_update(const Tributary__V1__TrainingPlan *plan, const float *delta, const float *fisher, size_t count,
                           Tributary__V1__Update *update, uint8_t *buffers[2], te_error *error);

/* Refuses, before training, a plan encoding this client does not send: a TOPK delta (not
 * announced), an unknown codec, or an int8 block size out of 1...2^20. */
te_status te_encoding_check(const Tributary__V1__TrainingPlan *plan, te_error *error);

#endif
