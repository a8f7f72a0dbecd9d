/* test_frame.c: the frame decoder and chunk reassembly on good frames, fed whole and one byte at
 * a time, and on truncated, oversized, garbage, wrong-version, out-of-order and nested input. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "frame.h"

typedef struct bytes {
    uint8_t *data;
    size_t count;
} bytes;

static te_status collect(void *context, const uint8_t *frame, size_t length, te_error *error) {
    (void)error;
    bytes *out = context;
    out->data = realloc(out->data, out->count + length);
    memcpy(out->data + out->count, frame, length);
    out->count += length;
    return TE_OK;
}

static bytes heartbeat_frame(uint64_t sequence) {
    Tributary__V1__Heartbeat heartbeat = TRIBUTARY__V1__HEARTBEAT__INIT;
    heartbeat.sequence = sequence;
    heartbeat.unix_ms = 1700000000000;
    te_envelope envelope = TRIBUTARY__V1__ENVELOPE__INIT;
    envelope.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT;
    envelope.heartbeat = &heartbeat;
    bytes out = {0};
    te_wire_limits limits = te_wire_limits_default();
    te_frame_send(&envelope, &limits, 0, collect, &out, NULL);
    return out;
}

/* A Goodbye whose detail is `size` bytes, sent with the given chunk size. */
static bytes goodbye_frames(size_t size, uint32_t chunk_size, uint64_t transfer_id) {
    char *detail = malloc(size + 1);
    for (size_t i = 0; i < size; i++) {
        detail[i] = (char)('a' + i % 26);
    }
    detail[size] = '\0';
    Tributary__V1__Goodbye goodbye = TRIBUTARY__V1__GOODBYE__INIT;
    goodbye.reason = TRIBUTARY__V1__GOODBYE__REASON__REASON_DONE;
    goodbye.detail = detail;
    te_envelope envelope = TRIBUTARY__V1__ENVELOPE__INIT;
    envelope.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE;
    envelope.goodbye = &goodbye;
    te_wire_limits limits = te_wire_limits_default();
    limits.chunk_size = chunk_size;
    bytes out = {0};
    te_frame_send(&envelope, &limits, transfer_id, collect, &out, NULL);
    free(detail);
    return out;
}

static bytes raw_frame(const uint8_t *body, uint32_t length) {
    bytes out = {malloc(4 + length + 1), 4 + length};
    out.data[0] = (uint8_t)(length >> 24);
    out.data[1] = (uint8_t)(length >> 16);
    out.data[2] = (uint8_t)(length >> 8);
    out.data[3] = (uint8_t)length;
    if (length > 0) {
        memcpy(out.data + 4, body, length);
    }
    return out;
}

static bytes packed_frame(const te_envelope *envelope) {
    size_t length = tributary__v1__envelope__get_packed_size(envelope);
    uint8_t *body = malloc(length + 1);
    tributary__v1__envelope__pack(envelope, body);
    bytes out = raw_frame(body, (uint32_t)length);
    free(body);
    return out;
}

/* Feeds all bytes, `step` at a time; collects up to 8 messages; returns the first refusal. */
static te_status feed(te_frame_decoder *decoder, bytes input, size_t step, te_envelope **messages, size_t *count, te_error *error) {
    size_t offset = 0;
    *count = 0;
    while (offset < input.count) {
        size_t length = input.count - offset < step ? input.count - offset : step;
        size_t consumed = 0;
        te_envelope *message = NULL;
        te_status status = te_frame_decoder_feed(decoder, input.data + offset, length, &consumed, &message, error);
        if (status != TE_OK) {
            return status;
        }
        offset += consumed;
        if (message != NULL && *count < 8) {
            messages[(*count)++] = message;
        } else {
            te_envelope_free(message);
        }
    }
    return TE_OK;
}

static void free_messages(te_envelope **messages, size_t count) {
    for (size_t i = 0; i < count; i++) {
        te_envelope_free(messages[i]);
    }
}

static void good_frames_whole_and_byte_by_byte(void) {
    bytes one = heartbeat_frame(1), two = heartbeat_frame(2);
    bytes both = {malloc(one.count + two.count), one.count + two.count};
    memcpy(both.data, one.data, one.count);
    memcpy(both.data + one.count, two.data, two.count);
    size_t steps[] = {both.count, 1, 3};
    for (size_t s = 0; s < 3; s++) {
        te_frame_decoder decoder;
        te_frame_decoder_init(&decoder, te_wire_limits_default());
        te_envelope *messages[8];
        size_t count = 0;
        te_error error;
        CHECK(feed(&decoder, both, steps[s], messages, &count, &error) == TE_OK);
        CHECK(count == 2);
        if (count == 2) {
            CHECK(messages[0]->message_case == TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT);
            CHECK(messages[0]->heartbeat->sequence == 1);
            CHECK(messages[1]->heartbeat->sequence == 2);
            CHECK(messages[1]->protocol_version == 1);
        }
        CHECK(te_frame_decoder_finish(&decoder, &error) == TE_OK);
        free_messages(messages, count);
        te_frame_decoder_free(&decoder);
    }
    free(one.data);
    free(two.data);
    free(both.data);
}

static void truncated_frame(void) {
    bytes frame = heartbeat_frame(1);
    for (size_t cut = 1; cut < frame.count; cut++) {
        te_frame_decoder decoder;
        te_frame_decoder_init(&decoder, te_wire_limits_default());
        te_envelope *messages[8];
        size_t count = 0;
        te_error error;
        bytes part = {frame.data, cut};
        CHECK(feed(&decoder, part, 1, messages, &count, &error) == TE_OK);
        CHECK(count == 0);
        CHECK(te_frame_decoder_finish(&decoder, &error) == TE_ERR_MALFORMED_FRAME);
        CHECK(strstr(error.reason, "ended inside a frame") != NULL);
        te_frame_decoder_free(&decoder);
    }
    free(frame.data);
}

static void oversized_frame_refused_at_the_prefix(void) {
    te_wire_limits limits = te_wire_limits_default();
    te_frame_decoder decoder;
    te_frame_decoder_init(&decoder, limits);
    uint8_t prefix[8] = {0x00, 0x41, 0x00, 0x01, 'x', 'x', 'x', 'x'};  /* 4,259,841: one above the limit */
    size_t consumed = 0;
    te_envelope *message = NULL;
    te_error error;
    CHECK(te_frame_decoder_feed(&decoder, prefix, sizeof prefix, &consumed, &message, &error) == TE_ERR_FRAME_TOO_LARGE);
    CHECK(consumed == 4);
    CHECK(message == NULL);
    CHECK(strstr(error.reason, "4259841") != NULL && strstr(error.reason, "4259840") != NULL);
    /* refused for good: the connection must close */
    bytes frame = heartbeat_frame(1);
    CHECK(te_frame_decoder_feed(&decoder, frame.data, frame.count, &consumed, &message, &error) == TE_ERR_FRAME_TOO_LARGE);
    CHECK(consumed == 0);
    te_frame_decoder_free(&decoder);
    free(frame.data);

    /* exactly the limit is accepted as a prefix (the body then is just not complete) */
    te_frame_decoder_init(&decoder, limits);
    uint8_t limit[4] = {0x00, 0x41, 0x00, 0x00};
    CHECK(te_frame_decoder_feed(&decoder, limit, 4, &consumed, &message, &error) == TE_OK);
    CHECK(te_frame_decoder_finish(&decoder, &error) == TE_ERR_MALFORMED_FRAME);
    te_frame_decoder_free(&decoder);
}

static te_status decode_one(bytes input, te_error *error) {
    te_frame_decoder decoder;
    te_frame_decoder_init(&decoder, te_wire_limits_default());
    te_envelope *messages[8];
    size_t count = 0;
    te_status status = feed(&decoder, input, input.count, messages, &count, error);
    free_messages(messages, count);
    te_frame_decoder_free(&decoder);
    free(input.data);
    return status;
}

static void garbage_version_and_empty(void) {
    te_error error;
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(decode_one(raw_frame(garbage, sizeof garbage), &error) == TE_ERR_MALFORMED_FRAME);
    CHECK(strstr(error.reason, "5 bytes") != NULL);

    te_envelope envelope = TRIBUTARY__V1__ENVELOPE__INIT;
    Tributary__V1__Heartbeat heartbeat = TRIBUTARY__V1__HEARTBEAT__INIT;
    envelope.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT;
    envelope.heartbeat = &heartbeat;
    envelope.protocol_version = 2;
    CHECK(decode_one(packed_frame(&envelope), &error) == TE_ERR_UNSUPPORTED_PROTOCOL_VERSION);
    CHECK(strstr(error.reason, "protocol_version is 2") != NULL);

    te_envelope empty = TRIBUTARY__V1__ENVELOPE__INIT;
    empty.protocol_version = 1;
    CHECK(decode_one(packed_frame(&empty), &error) == TE_ERR_UNKNOWN_MESSAGE);
    CHECK(decode_one(raw_frame(NULL, 0), &error) == TE_ERR_UNSUPPORTED_PROTOCOL_VERSION);
    /* field 40, a message this client does not know (14 and 15, the evaluate pair, it decodes and ignores) */
    const uint8_t future[] = {0x08, 0x01, 0xC2, 0x02, 0x00};
    CHECK(decode_one(raw_frame(future, sizeof future), &error) == TE_ERR_UNKNOWN_MESSAGE);
}

static void chunked_transfer_reassembled_with_heartbeats_between(void) {
    bytes chunks = goodbye_frames(1000, 100, 7);
    bytes beat = heartbeat_frame(9);
    /* interleave a heartbeat after the first chunk frame */
    size_t first = 4 + (((size_t)chunks.data[2] << 8) | chunks.data[3]);
    CHECK(chunks.data[0] == 0 && chunks.data[1] == 0 && first < chunks.count);
    bytes mixed = {malloc(chunks.count + beat.count), chunks.count + beat.count};
    memcpy(mixed.data, chunks.data, first);
    memcpy(mixed.data + first, beat.data, beat.count);
    memcpy(mixed.data + first + beat.count, chunks.data + first, chunks.count - first);
    for (size_t step = 1; step <= mixed.count; step += mixed.count - 1) {
        te_frame_decoder decoder;
        te_frame_decoder_init(&decoder, te_wire_limits_default());
        te_envelope *messages[8];
        size_t count = 0;
        te_error error;
        CHECK(feed(&decoder, mixed, step, messages, &count, &error) == TE_OK);
        CHECK(count == 2);
        if (count == 2) {
            CHECK(messages[0]->message_case == TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT);
            CHECK(messages[1]->message_case == TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE);
            CHECK(strlen(messages[1]->goodbye->detail) == 1000);
        }
        CHECK(te_frame_decoder_finish(&decoder, &error) == TE_OK);
        free_messages(messages, count);
        te_frame_decoder_free(&decoder);
    }
    /* the stream ends after the first chunk: inside a transfer */
    te_frame_decoder decoder;
    te_frame_decoder_init(&decoder, te_wire_limits_default());
    te_envelope *messages[8];
    size_t count = 0;
    te_error error;
    bytes head = {chunks.data, first};
    CHECK(feed(&decoder, head, head.count, messages, &count, &error) == TE_OK);
    CHECK(te_frame_decoder_finish(&decoder, &error) == TE_ERR_MALFORMED_FRAME);
    CHECK(strstr(error.reason, "inside transfer 7") != NULL);
    te_frame_decoder_free(&decoder);
    free(chunks.data);
    free(beat.data);
    free(mixed.data);
}

static bytes chunk_frame(uint64_t id, uint32_t index, uint32_t total, uint64_t total_bytes, const uint8_t *data, size_t length) {
    Tributary__V1__PayloadChunk chunk = TRIBUTARY__V1__PAYLOAD_CHUNK__INIT;
    chunk.transfer_id = id;
    chunk.index = index;
    chunk.total = total;
    chunk.total_bytes = total_bytes;
    chunk.data.data = (uint8_t *)data;
    chunk.data.len = length;
    te_envelope envelope = TRIBUTARY__V1__ENVELOPE__INIT;
    envelope.protocol_version = 1;
    envelope.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_CHUNK;
    envelope.chunk = &chunk;
    return packed_frame(&envelope);
}

static void chunk_refusals(void) {
    te_error error;
    uint8_t data[16] = {0};
    CHECK(decode_one(chunk_frame(1, 1, 2, 32, data, 16), &error) == TE_ERR_OUT_OF_SEQUENCE);
    CHECK(strstr(error.reason, "expected 0") != NULL);
    CHECK(decode_one(chunk_frame(1, 0, 2, ((uint64_t)1 << 30) + 1, data, 16), &error) == TE_ERR_TRANSFER_TOO_LARGE);
    CHECK(strstr(error.reason, "1073741825") != NULL);
    CHECK(decode_one(chunk_frame(0, 0, 2, 32, data, 16), &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(decode_one(chunk_frame(1, 0, 2, 32, data, 0), &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(decode_one(chunk_frame(1, 0, 40, 32, data, 16), &error) == TE_ERR_INVALID_MESSAGE);
    /* one chunk saying 16 bytes of 32: the sum differs at the last chunk */
    CHECK(decode_one(chunk_frame(1, 0, 1, 32, data, 16), &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "ended with 16 bytes") != NULL);

    /* a second transfer while the first is incomplete, and a skipped index */
    bytes a = chunk_frame(1, 0, 3, 48, data, 16), b = chunk_frame(2, 0, 3, 48, data, 16), c = chunk_frame(1, 2, 3, 48, data, 16);
    bytes ab = {malloc(a.count + b.count), a.count + b.count}, ac = {malloc(a.count + c.count), a.count + c.count};
    memcpy(ab.data, a.data, a.count);
    memcpy(ab.data + a.count, b.data, b.count);
    memcpy(ac.data, a.data, a.count);
    memcpy(ac.data + a.count, c.data, c.count);
    CHECK(decode_one(ab, &error) == TE_ERR_OUT_OF_SEQUENCE);
    CHECK(strstr(error.reason, "transfer 1 is incomplete") != NULL);
    CHECK(decode_one(ac, &error) == TE_ERR_OUT_OF_SEQUENCE);
    CHECK(strstr(error.reason, "expected 1") != NULL);
    free(a.data);
    free(b.data);
    free(c.data);

    /* a chunk inside a chunk */
    bytes inner = chunk_frame(5, 0, 1, 16, data, 16);
    CHECK(decode_one(chunk_frame(6, 0, 1, inner.count - 4, inner.data + 4, inner.count - 4), &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "do not nest") != NULL);
    free(inner.data);
}

/* xoshiro256** seeded with splitmix64, as the Swift side's generator. */
static uint64_t state[4];
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t next(void) {
    uint64_t result = rotl(state[1] * 5, 7) * 9, t = state[1] << 17;
    state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3];
    state[2] ^= t; state[3] = rotl(state[3], 45);
    return result;
}
static void seed(uint64_t s) {
    for (int i = 0; i < 4; i++) {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        state[i] = z ^ (z >> 31);
    }
}

/* Seeded random garbage and mutated good frames: every outcome is TE_OK or a named refusal. */
static void random_input_never_crashes(void) {
    seed(7);
    bytes good = goodbye_frames(300, 64, 3);
    int refusals = 0;
    for (int round = 0; round < 2000; round++) {
        bytes input = {malloc(good.count), good.count};
        memcpy(input.data, good.data, good.count);
        int flips = 1 + (int)(next() % 4);
        for (int f = 0; f < flips; f++) {
            input.data[next() % input.count] = (uint8_t)next();
        }
        if (round % 4 == 0) {
            input.count = (size_t)(next() % good.count) + 1;
        }
        te_error error;
        te_status status = decode_one(input, &error);
        CHECK(status == TE_OK || (status >= TE_ERR_FRAME_TOO_LARGE && status <= TE_ERR_INVALID_MESSAGE) || status == TE_ERR_NO_MEMORY);
        refusals += status != TE_OK;
    }
    CHECK(refusals > 0);
    free(good.data);
}

int main(void) {
    good_frames_whole_and_byte_by_byte();
    truncated_frame();
    oversized_frame_refused_at_the_prefix();
    garbage_version_and_empty();
    chunked_transfer_reassembled_with_heartbeats_between();
    chunk_refusals();
    random_input_never_crashes();
    CHECK_DONE("test_frame");
}
