/* compress.c: int8-block and fp16 payloads (compress.h). */
#include "compress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *put_u32(uint8_t *out, uint32_t value) {
    for (int i = 0; i < 4; i++) {
        out[i] = (uint8_t)(value >> (8 * i));
    }
    return out + 4;
}

static uint8_t *put_f32(uint8_t *out, float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return put_u32(out, bits);
}

static uint8_t *header(uint8_t *out, uint8_t format, size_t count) {
    out[0] = 0x54;   /* "TC" */
    out[1] = 0x43;
    out[2] = format;
    out[3] = 1;      /* format version */
    return put_u32(out + 4, (uint32_t)count);
}

size_t te_int8_size(size_t count, uint32_t block_size) {
    size_t blocks = (count + block_size - 1) / block_size;
    return 8 + 4 + 4 * blocks + count;
}

size_t te_fp16_size(size_t count) { return 8 + 2 * count; }

te_status te_int8_encode(const float *values, size_t count, uint32_t block_size, int square_root, const char *field,
                         uint8_t *out, te_error *error) {
    if (block_size < 1 || block_size > TE_MAX_BLOCK_SIZE) {
        return te_fail(error, TE_ERR_CONFIG, "plan.encoding.block_size is %u; must be 1...%u", (unsigned)block_size, TE_MAX_BLOCK_SIZE);
    }
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i]) || (square_root && values[i] < 0)) {
            return te_fail(error, TE_ERR_CONFIG, "%s[%zu] is %g; int8%s encoding needs %s values", field, i, (double)values[i],
                           square_root ? " square-root" : "", square_root ? "finite, non-negative" : "finite");
        }
    }
    size_t blocks = (count + block_size - 1) / block_size;
    uint8_t *scales = put_u32(header(out, square_root ? TE_FORMAT_INT8_SQRT : TE_FORMAT_INT8, count), block_size);
    int8_t *quantised = (int8_t *)(scales + 4 * blocks);
    for (size_t block = 0; block < blocks; block++) {
        size_t start = block * block_size, end = start + block_size < count ? start + block_size : count;
        float largest = 0;
        for (size_t i = start; i < end; i++) {
            float x = square_root ? sqrtf(values[i]) : fabsf(values[i]);
            largest = x > largest ? x : largest;
        }
        float scale = largest / 127;
        put_f32(scales + 4 * block, scale);
        for (size_t i = start; i < end; i++) {
            float x = square_root ? sqrtf(values[i]) : values[i];
            float q = scale > 0 ? roundf(x / scale) : 0;   /* to nearest, ties away from zero */
            quantised[i] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
        }
    }
    return TE_OK;
}

/* x >> shift, rounded to nearest with ties to even. */
static uint32_t rounded_shift(uint32_t x, uint32_t shift) {
    uint32_t kept = x >> shift, remainder = x & ((1u << shift) - 1), half = 1u << (shift - 1);
    return remainder > half || (remainder == half && (kept & 1)) ? kept + 1 : kept;
}

uint16_t te_half_bits(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
    int exponent = (int)((bits >> 23) & 0xFF) - 127 + 15;
    uint32_t mantissa = bits & 0x7FFFFF;
    if (exponent <= 0) {
        /* a subnormal half (or zero): the implicit bit joins the mantissa, shifted into 10 bits */
        if (exponent < -10) {
            return sign;
        }
        mantissa |= 0x800000;
        return (uint16_t)(sign | rounded_shift(mantissa, (uint32_t)(14 - exponent)));
    }
    /* a carry out of the mantissa moves into the exponent, which is the correct rounding */
    return (uint16_t)(sign | rounded_shift((uint32_t)exponent << 23 | mantissa, 13));
}

te_status te_fp16_encode(const float *values, size_t count, const char *field, uint8_t *out, te_error *error) {
    uint8_t *body = header(out, TE_FORMAT_FP16, count);
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i])) {
            return te_fail(error, TE_ERR_CONFIG, "%s[%zu] is %g; fp16 encoding needs finite values", field, i, (double)values[i]);
        }
        float clamped = values[i] > 65504.0f ? 65504.0f : values[i] < -65504.0f ? -65504.0f : values[i];
        uint16_t half = te_half_bits(clamped);
        body[2 * i] = (uint8_t)half;
        body[2 * i + 1] = (uint8_t)(half >> 8);
    }
    return TE_OK;
}

te_status te_encoding_check(const Tributary__V1__TrainingPlan *plan, te_error *error) {
    const Tributary__V1__UpdateEncoding *encoding = plan->encoding;
    if (encoding == NULL) {
        return TE_OK;
    }
    if (encoding->delta == TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_TOPK) {
        return te_fail(error, TE_ERR_CONFIG, "plan.encoding.delta is TOPK (2); this client sends FP32 or INT8 deltas "
                       "(it announced \"compression\", not \"compression-topk\")");
    }
    if (encoding->delta != TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_FP32 &&
        encoding->delta != TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_INT8) {
        return te_fail(error, TE_ERR_CONFIG, "plan.encoding.delta is %d, a codec this client does not know", (int)encoding->delta);
    }
    if ((int)encoding->fisher < 0 || (int)encoding->fisher > TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_SQRT_INT8) {
        return te_fail(error, TE_ERR_CONFIG, "plan.encoding.fisher is %d, a codec this client does not know", (int)encoding->fisher);
    }
    int int8 = encoding->delta == TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_INT8 ||
               encoding->fisher == TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_INT8 ||
               encoding->fisher == TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_SQRT_INT8;
    if (int8 && (encoding->block_size < 1 || encoding->block_size > TE_MAX_BLOCK_SIZE)) {
        return te_fail(error, TE_ERR_CONFIG, "plan.encoding.block_size is %u; an int8 codec needs 1...%u", (unsigned)encoding->block_size,
                       TE_MAX_BLOCK_SIZE);
    }
    return TE_OK;
}

te_status te_encode_update(const Tributary__V1__TrainingPlan *plan, const float *delta, const float *fisher, size_t count,
                           Tributary__V1__Update *update, uint8_t *buffers[2], te_error *error) {
    buffers[0] = buffers[1] = NULL;
    te_status status = te_encoding_check(plan, error);
    const Tributary__V1__UpdateEncoding *encoding = plan->encoding;
    if (status != TE_OK || encoding == NULL) {
        return status;
    }
    if (encoding->delta == TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_INT8) {
        size_t size = te_int8_size(count, encoding->block_size);
        buffers[0] = malloc(size);
        if (buffers[0] == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate %zu bytes for the int8 delta", size);
        }
        status = te_int8_encode(delta, count, encoding->block_size, 0, "Update.delta", buffers[0], error);
        update->compressed_delta.data = buffers[0];
        update->compressed_delta.len = size;
        update->delta = NULL;
    }
    Tributary__V1__UpdateEncoding__FisherCodec codec = encoding->fisher;
    if (status == TE_OK && fisher != NULL && codec != TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_FP32) {
        int half = codec == TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_FP16;
        size_t size = half ? te_fp16_size(count) : te_int8_size(count, encoding->block_size);
        buffers[1] = malloc(size);
        if (buffers[1] == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate %zu bytes for the compressed Fisher", size);
        }
        status = half ? te_fp16_encode(fisher, count, "Update.fisher", buffers[1], error)
                      : te_int8_encode(fisher, count, encoding->block_size,
                                       codec == TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_SQRT_INT8, "Update.fisher",
                                       buffers[1], error);
        update->compressed_fisher.data = buffers[1];
        update->compressed_fisher.len = size;
        update->fisher = NULL;
    }
    return status;
}
