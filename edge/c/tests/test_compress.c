/* test_compress.c: the int8-block and fp16 payloads byte for byte (docs/privacy.md, "Compression"),
 * the refusals naming the field and index, and te_encode_update following the plan. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compress.h"

static float f32_at(const uint8_t *p) {
    uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static void int8_blocks(void) {
    const float values[5] = {1.0f, -0.5f, 0.25f, 0.0f, -3.0f};
    CHECK(te_int8_size(5, 2) == 8 + 4 + 3 * 4 + 5);
    uint8_t out[29];
    te_error error;
    CHECK(te_int8_encode(values, 5, 2, 0, "Update.delta", out, &error) == TE_OK);
    const uint8_t header[12] = {0x54, 0x43, 1, 1, 5, 0, 0, 0, 2, 0, 0, 0};
    CHECK(memcmp(out, header, sizeof header) == 0);
    CHECK(f32_at(out + 12) == 1.0f / 127 && f32_at(out + 16) == 0.25f / 127 && f32_at(out + 20) == 3.0f / 127);
    const int8_t *q = (const int8_t *)(out + 24);
    /* -0.5 / (1/127) = -63.5: to nearest, ties away from zero */
    CHECK(q[0] == 127 && q[1] == -64 && q[2] == 127 && q[3] == 0 && q[4] == -127);

    /* square roots: 4 and 1 in one block of 2; sqrt 2 → 127, sqrt 1 → 63.5 → 64 */
    const float fisher[2] = {4.0f, 1.0f};
    CHECK(te_int8_encode(fisher, 2, 256, 1, "Update.fisher", out, &error) == TE_OK);
    CHECK(out[2] == TE_FORMAT_INT8_SQRT && f32_at(out + 12) == 2.0f / 127 && (int8_t)out[16] == 127 && (int8_t)out[17] == 64);

    const float bad[3] = {0.0f, NAN, 1.0f};
    CHECK(te_int8_encode(bad, 3, 256, 0, "Update.delta", out, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "Update.delta[1] is nan") != NULL);
    const float negative[2] = {1.0f, -0.5f};
    CHECK(te_int8_encode(negative, 2, 256, 1, "Update.fisher", out, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "Update.fisher[1] is -0.5") != NULL);
    CHECK(te_int8_encode(values, 5, 0, 0, "Update.delta", out, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "block_size is 0") != NULL);
}

static void half(void) {
    CHECK(te_half_bits(1.0f) == 0x3C00 && te_half_bits(-2.0f) == 0xC000 && te_half_bits(65504.0f) == 0x7BFF);
    CHECK(te_half_bits(0.1f) == 0x2E66);           /* nearest: 0.0999755859375 */
    CHECK(te_half_bits(1e-8f) == 0x0000);          /* below half the smallest subnormal */
    CHECK(te_half_bits(6e-8f) == 0x0001);          /* the smallest subnormal, 2^-24 */
    CHECK(te_half_bits(1.0f + 1.0f / 2048) == 0x3C00);   /* a tie, to even */
    CHECK(te_half_bits(1.0f + 3.0f / 2048) == 0x3C02);   /* a tie, to even (up) */
    const float values[2] = {1e9f, -0.5f};
    uint8_t out[12];
    te_error error;
    CHECK(te_fp16_encode(values, 2, "Update.fisher", out, &error) == TE_OK);
    const uint8_t expected[12] = {0x54, 0x43, 2, 1, 2, 0, 0, 0, 0xFF, 0x7B, 0x00, 0xB8};   /* 65504 (clamped), -0.5 */
    CHECK(memcmp(out, expected, sizeof expected) == 0);
    const float infinite[1] = {INFINITY};
    CHECK(te_fp16_encode(infinite, 1, "Update.fisher", out, &error) == TE_ERR_CONFIG && strstr(error.reason, "Update.fisher[0] is inf") != NULL);
}

static void plan(void) {
    const float delta[3] = {0.5f, -1.0f, 0.0f}, fisher[3] = {1.0f, 0.0f, 2.0f};
    Tributary__V1__UpdateEncoding encoding = TRIBUTARY__V1__UPDATE_ENCODING__INIT;
    Tributary__V1__TrainingPlan wire = TRIBUTARY__V1__TRAINING_PLAN__INIT;
    Tributary__V1__ParameterSet set = TRIBUTARY__V1__PARAMETER_SET__INIT;
    Tributary__V1__Update update = TRIBUTARY__V1__UPDATE__INIT;
    uint8_t *buffers[2];
    te_error error;
    /* no encoding: Float32 ParameterSets, nothing compressed */
    update.delta = update.fisher = &set;
    CHECK(te_encode_update(&wire, delta, fisher, 3, &update, buffers, &error) == TE_OK);
    CHECK(update.delta == &set && update.fisher == &set && update.compressed_delta.len == 0 && buffers[0] == NULL && buffers[1] == NULL);
    /* int8 delta, fp16 Fisher */
    wire.encoding = &encoding;
    encoding.delta = TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_INT8;
    encoding.fisher = TRIBUTARY__V1__UPDATE_ENCODING__FISHER_CODEC__FISHER_CODEC_FP16;
    encoding.block_size = 256;
    CHECK(te_encode_update(&wire, delta, fisher, 3, &update, buffers, &error) == TE_OK);
    CHECK(update.delta == NULL && update.fisher == NULL);
    CHECK(update.compressed_delta.len == te_int8_size(3, 256) && update.compressed_delta.data[2] == TE_FORMAT_INT8);
    CHECK(update.compressed_fisher.len == te_fp16_size(3) && update.compressed_fisher.data[2] == TE_FORMAT_FP16);
    free(buffers[0]);
    free(buffers[1]);
    /* no Fisher (skip_fisher): only the delta */
    Tributary__V1__Update skipped = TRIBUTARY__V1__UPDATE__INIT;
    CHECK(te_encode_update(&wire, delta, NULL, 3, &skipped, buffers, &error) == TE_OK);
    CHECK(skipped.compressed_delta.len > 0 && skipped.compressed_fisher.len == 0 && buffers[1] == NULL);
    free(buffers[0]);
    /* refused: top-k (not announced), a zero block size */
    encoding.delta = TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_TOPK;
    CHECK(te_encoding_check(&wire, &error) == TE_ERR_CONFIG && strstr(error.reason, "plan.encoding.delta is TOPK") != NULL);
    encoding.delta = TRIBUTARY__V1__UPDATE_ENCODING__DELTA_CODEC__DELTA_CODEC_INT8;
    encoding.block_size = 0;
    CHECK(te_encoding_check(&wire, &error) == TE_ERR_CONFIG && strstr(error.reason, "plan.encoding.block_size is 0") != NULL);
}

int main(void) {
    int8_blocks();
    half();
    plan();
    CHECK_DONE("test_compress");
}
