/* frame.c: the frame decoder, chunk reassembly and frame encoding of docs/protocol.md. */
#include "frame.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A frame body buffer above this size is freed after use, so one large frame does not hold memory. */
#define TE_KEPT_BODY_CAPACITY (64u * 1024u)

te_wire_limits te_wire_limits_default(void) {
    te_wire_limits limits = {
        .max_frame_bytes = TE_DEFAULT_MAX_FRAME_BYTES,
        .max_transfer_bytes = TE_DEFAULT_MAX_TRANSFER_BYTES,
        .chunk_size = TE_DEFAULT_CHUNK_SIZE,
    };
    return limits;
}

const char *te_envelope_name(const te_envelope *message) {
    switch (message->message_case) {
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_HELLO: return "Hello";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_WELCOME: return "Welcome";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_REJECT: return "Reject";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_ROUND_OFFER: return "RoundOffer";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_UPDATE: return "Update";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_MODEL_RELEASE: return "ModelRelease";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_HEARTBEAT: return "Heartbeat";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_ERROR: return "Error";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_GOODBYE: return "Goodbye";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_CHUNK: return "PayloadChunk";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_READY: return "Ready";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_UPDATE_RECEIPT: return "UpdateReceipt";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_EVALUATE_REQUEST: return "EvaluateRequest";
    case TRIBUTARY__V1__ENVELOPE__MESSAGE_EVALUATE_RESULT: return "EvaluateResult";
    default: return "no message";
    }
}

void te_envelope_free(te_envelope *message) {
    if (message != NULL) {
        tributary__v1__envelope__free_unpacked(message, NULL);
    }
}

te_status te_envelope_decode(const uint8_t *body, size_t length, te_envelope **message, te_error *error) {
    *message = NULL;
    te_envelope *decoded = tributary__v1__envelope__unpack(NULL, length, body);
    if (decoded == NULL) {
        return te_fail(error, TE_ERR_MALFORMED_FRAME, "a frame of %zu bytes is not a tributary.v1.Envelope", length);
    }
    if (decoded->protocol_version != TE_PROTOCOL_VERSION) {
        uint32_t version = decoded->protocol_version;
        te_envelope_free(decoded);
        return te_fail(error, TE_ERR_UNSUPPORTED_PROTOCOL_VERSION,
                       "Envelope.protocol_version is %" PRIu32 "; this client speaks %u", version, TE_PROTOCOL_VERSION);
    }
    if (strcmp(te_envelope_name(decoded), "no message") == 0) {
        te_envelope_free(decoded);
        return te_fail(error, TE_ERR_UNKNOWN_MESSAGE, "an Envelope of %zu bytes holds no message this client knows", length);
    }
    *message = decoded;
    return TE_OK;
}

static void transfer_forget(te_transfer *transfer) {
    free(transfer->bytes);
    memset(transfer, 0, sizeof *transfer);
}

static te_status chunk_check(const Tributary__V1__PayloadChunk *chunk, te_error *error) {
    if (chunk->transfer_id == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.transfer_id is 0; must be non-zero");
    }
    if (chunk->total == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.total is 0; must be non-zero");
    }
    if (chunk->index >= chunk->total) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.index is %" PRIu32 "; must be < total %" PRIu32,
                       chunk->index, chunk->total);
    }
    if (chunk->total_bytes == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.total_bytes is 0; must be non-zero");
    }
    if (chunk->data.len == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.data is empty (chunk %" PRIu32 " of transfer %" PRIu64 ")",
                       chunk->index, chunk->transfer_id);
    }
    if ((uint64_t)chunk->data.len > chunk->total_bytes) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.data has %zu bytes, more than total_bytes %" PRIu64,
                       chunk->data.len, chunk->total_bytes);
    }
    return TE_OK;
}

static te_status transfer_begin(te_transfer *transfer, const Tributary__V1__PayloadChunk *chunk,
                                const te_wire_limits *limits, te_error *error) {
    if (chunk->index != 0) {
        return te_fail(error, TE_ERR_OUT_OF_SEQUENCE, "PayloadChunk.index is %" PRIu32 " but transfer %" PRIu64
                       " has not started; expected 0", chunk->index, chunk->transfer_id);
    }
    if (chunk->total_bytes > limits->max_transfer_bytes) {
        return te_fail(error, TE_ERR_TRANSFER_TOO_LARGE, "PayloadChunk.total_bytes is %" PRIu64 "; the limit is %" PRIu64,
                       chunk->total_bytes, limits->max_transfer_bytes);
    }
    if ((uint64_t)chunk->total > chunk->total_bytes) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk.total is %" PRIu32 " chunks for total_bytes %" PRIu64
                       "; each chunk carries at least one byte", chunk->total, chunk->total_bytes);
    }
    size_t reserve = chunk->total_bytes < TE_MAX_TRANSFER_RESERVATION ? (size_t)chunk->total_bytes : TE_MAX_TRANSFER_RESERVATION;
    transfer->bytes = malloc(reserve);
    if (transfer->bytes == NULL) {
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot reserve %zu bytes for transfer %" PRIu64, reserve, chunk->transfer_id);
    }
    transfer->active = 1;
    transfer->id = chunk->transfer_id;
    transfer->total = chunk->total;
    transfer->total_bytes = chunk->total_bytes;
    transfer->capacity = reserve;
    return TE_OK;
}

static te_status transfer_continue(const te_transfer *transfer, const Tributary__V1__PayloadChunk *chunk, te_error *error) {
    if (chunk->transfer_id != transfer->id) {
        return te_fail(error, TE_ERR_OUT_OF_SEQUENCE, "PayloadChunk.transfer_id is %" PRIu64 " while transfer %" PRIu64
                       " is incomplete (%" PRIu32 " of %" PRIu32 " chunks)",
                       chunk->transfer_id, transfer->id, transfer->next_index, transfer->total);
    }
    if (chunk->index != transfer->next_index) {
        return te_fail(error, TE_ERR_OUT_OF_SEQUENCE, "PayloadChunk.index is %" PRIu32 " in transfer %" PRIu64 "; expected %" PRIu32,
                       chunk->index, transfer->id, transfer->next_index);
    }
    if (chunk->total != transfer->total || chunk->total_bytes != transfer->total_bytes) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "PayloadChunk %" PRIu32 " of transfer %" PRIu64 " says total %" PRIu32
                       ", total_bytes %" PRIu64 "; chunk 0 said %" PRIu32 ", %" PRIu64, chunk->index, chunk->transfer_id,
                       chunk->total, chunk->total_bytes, transfer->total, transfer->total_bytes);
    }
    return TE_OK;
}

static te_status transfer_append(te_transfer *transfer, const Tributary__V1__PayloadChunk *chunk, te_error *error) {
    uint64_t reached = (uint64_t)transfer->count + chunk->data.len;
    if (reached > transfer->total_bytes) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "transfer %" PRIu64 " reached %" PRIu64 " bytes at chunk %" PRIu32
                       ", more than total_bytes %" PRIu64, transfer->id, reached, chunk->index, transfer->total_bytes);
    }
    if (reached > transfer->capacity) {
        size_t capacity = transfer->capacity * 2 > reached ? transfer->capacity * 2 : (size_t)reached;
        if (capacity > transfer->total_bytes) {
            capacity = (size_t)transfer->total_bytes;
        }
        uint8_t *grown = realloc(transfer->bytes, capacity);
        if (grown == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot grow transfer %" PRIu64 " to %zu bytes", transfer->id, capacity);
        }
        transfer->bytes = grown;
        transfer->capacity = capacity;
    }
    memcpy(transfer->bytes + transfer->count, chunk->data.data, chunk->data.len);
    transfer->count += chunk->data.len;
    transfer->next_index += 1;
    return TE_OK;
}

/* Adds a chunk; *message is the reassembled Envelope after the last one. */
static te_status transfer_receive(te_transfer *transfer, const Tributary__V1__PayloadChunk *chunk,
                                  const te_wire_limits *limits, te_envelope **message, te_error *error) {
    te_status status = chunk_check(chunk, error);
    if (status == TE_OK) {
        status = transfer->active ? transfer_continue(transfer, chunk, error) : transfer_begin(transfer, chunk, limits, error);
    }
    if (status == TE_OK) {
        status = transfer_append(transfer, chunk, error);
    }
    if (status != TE_OK || transfer->next_index < transfer->total) {
        if (status != TE_OK) {
            transfer_forget(transfer);
        }
        return status;
    }
    if ((uint64_t)transfer->count != transfer->total_bytes) {
        status = te_fail(error, TE_ERR_INVALID_MESSAGE, "transfer %" PRIu64 " ended with %zu bytes; total_bytes said %" PRIu64,
                         transfer->id, transfer->count, transfer->total_bytes);
    } else {
        status = te_envelope_decode(transfer->bytes, transfer->count, message, error);
        if (status == TE_OK && (*message)->message_case == TRIBUTARY__V1__ENVELOPE__MESSAGE_CHUNK) {
            te_envelope_free(*message);
            *message = NULL;
            status = te_fail(error, TE_ERR_INVALID_MESSAGE, "transfer %" PRIu64 " carries a PayloadChunk; chunks do not nest", transfer->id);
        }
    }
    transfer_forget(transfer);
    return status;
}

void te_frame_decoder_init(te_frame_decoder *decoder, te_wire_limits limits) {
    memset(decoder, 0, sizeof *decoder);
    decoder->limits = limits;
}

void te_frame_decoder_free(te_frame_decoder *decoder) {
    free(decoder->body);
    transfer_forget(&decoder->transfer);
    memset(decoder, 0, sizeof *decoder);
}

static te_status refuse(te_frame_decoder *decoder, te_error *error) {
    decoder->failure = *error;
    transfer_forget(&decoder->transfer);
    return error->code;
}

/* A whole frame body is in: decode it, and reassemble it when it is a chunk. */
static te_status body_complete(te_frame_decoder *decoder, te_envelope **message, te_error *error) {
    te_envelope *envelope = NULL;
    te_status status = te_envelope_decode(decoder->body, decoder->body_length, &envelope, error);
    decoder->in_body = 0;
    decoder->prefix_count = 0;
    if (decoder->body_capacity > TE_KEPT_BODY_CAPACITY) {
        free(decoder->body);
        decoder->body = NULL;
        decoder->body_capacity = 0;
    }
    if (status != TE_OK) {
        return status;
    }
    if (envelope->message_case != TRIBUTARY__V1__ENVELOPE__MESSAGE_CHUNK) {
        *message = envelope;
        return TE_OK;
    }
    status = transfer_receive(&decoder->transfer, envelope->chunk, &decoder->limits, message, error);
    te_envelope_free(envelope);
    return status;
}

static te_status prefix_complete(te_frame_decoder *decoder, te_error *error) {
    const uint8_t *p = decoder->prefix;
    uint32_t length = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
    if (length > decoder->limits.max_frame_bytes) {
        return te_fail(error, TE_ERR_FRAME_TOO_LARGE, "frame length prefix is %" PRIu32 " bytes; the limit is %" PRIu32,
                       length, decoder->limits.max_frame_bytes);
    }
    if (length > decoder->body_capacity || decoder->body == NULL) {
        uint8_t *body = realloc(decoder->body, length > 0 ? length : 1);
        if (body == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a frame body of %" PRIu32 " bytes", length);
        }
        decoder->body = body;
        decoder->body_capacity = length > 0 ? length : 1;
    }
    decoder->in_body = 1;
    decoder->body_length = length;
    decoder->body_count = 0;
    return TE_OK;
}

te_status te_frame_decoder_feed(te_frame_decoder *decoder, const uint8_t *data, size_t length,
                                size_t *consumed, te_envelope **message, te_error *error) {
    *consumed = 0;
    *message = NULL;
    if (decoder->failure.code != TE_OK) {
        if (error != NULL) {
            *error = decoder->failure;
        }
        return decoder->failure.code;
    }
    te_error local;
    te_error *failure = error != NULL ? error : &local;
    while (*message == NULL) {
        if (!decoder->in_body) {
            if (*consumed == length) {
                break;
            }
            size_t take = 4 - decoder->prefix_count;
            if (take > length - *consumed) {
                take = length - *consumed;
            }
            memcpy(decoder->prefix + decoder->prefix_count, data + *consumed, take);
            decoder->prefix_count += take;
            *consumed += take;
            if (decoder->prefix_count < 4) {
                break;
            }
            if (prefix_complete(decoder, failure) != TE_OK) {
                return refuse(decoder, failure);
            }
        }
        size_t take = decoder->body_length - decoder->body_count;
        if (take > length - *consumed) {
            take = length - *consumed;
        }
        if (take > 0) {
            memcpy(decoder->body + decoder->body_count, data + *consumed, take);
        }
        decoder->body_count += take;
        *consumed += take;
        if (decoder->body_count < decoder->body_length) {
            break;
        }
        if (body_complete(decoder, message, failure) != TE_OK) {
            return refuse(decoder, failure);
        }
    }
    return TE_OK;
}

te_status te_frame_decoder_finish(const te_frame_decoder *decoder, te_error *error) {
    if (decoder->failure.code != TE_OK) {
        if (error != NULL) {
            *error = decoder->failure;
        }
        return decoder->failure.code;
    }
    if (decoder->in_body || decoder->prefix_count > 0) {
        return te_fail(error, TE_ERR_MALFORMED_FRAME, "the stream ended inside a frame (%zu of %zu body bytes)",
                       decoder->body_count, decoder->in_body ? decoder->body_length : 0);
    }
    if (decoder->transfer.active) {
        return te_fail(error, TE_ERR_MALFORMED_FRAME, "the stream ended inside transfer %" PRIu64 " (%" PRIu32 " of %" PRIu32 " chunks)",
                       decoder->transfer.id, decoder->transfer.next_index, decoder->transfer.total);
    }
    return TE_OK;
}

/* A ProtobufCBuffer that hands the packed bytes to the sink 16 KiB (a TLS record) at a time, so that a frame
 * (an Update of 100k parameters is 800 KB) is never held whole in memory. */
typedef struct sink_buffer {
    ProtobufCBuffer base;
    te_frame_sink sink;
    void *context;
    te_error *error;
    te_status status;
    size_t used;
    uint8_t bytes[16 * 1024];
} sink_buffer;

static void sink_flush(sink_buffer *buffer) {
    if (buffer->status == TE_OK && buffer->used > 0) {
        buffer->status = buffer->sink(buffer->context, buffer->bytes, buffer->used, buffer->error);
    }
    buffer->used = 0;
}

static void sink_append(ProtobufCBuffer *base, size_t length, const uint8_t *data) {
    sink_buffer *buffer = (sink_buffer *)base;
    while (length > 0 && buffer->status == TE_OK) {
        size_t room = sizeof buffer->bytes - buffer->used, part = length < room ? length : room;
        memcpy(buffer->bytes + buffer->used, data, part);
        buffer->used += part;
        data += part;
        length -= part;
        if (buffer->used == sizeof buffer->bytes) sink_flush(buffer);
    }
}

static te_status frame_of(const ProtobufCMessage *message, te_frame_sink sink, void *context, te_error *error) {
    size_t length = protobuf_c_message_get_packed_size(message);
    if (length > UINT32_MAX) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "an Envelope of %zu bytes does not fit a frame", length);
    }
    sink_buffer *buffer = malloc(sizeof *buffer);
    if (buffer == NULL) {
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a frame buffer of %zu bytes", sizeof *buffer);
    }
    buffer->base.append = sink_append;
    buffer->sink = sink;
    buffer->context = context;
    buffer->error = error;
    buffer->status = TE_OK;
    uint8_t prefix[4] = {(uint8_t)(length >> 24), (uint8_t)(length >> 16), (uint8_t)(length >> 8), (uint8_t)length};
    buffer->used = 0;
    sink_append(&buffer->base, sizeof prefix, prefix);
    protobuf_c_message_pack_to_buffer(message, &buffer->base);
    sink_flush(buffer);
    te_status status = buffer->status;
    free(buffer);
    return status;
}

te_status te_frame_send(te_envelope *message, const te_wire_limits *limits, uint64_t transfer_id,
                        te_frame_sink sink, void *context, te_error *error) {
    message->protocol_version = TE_PROTOCOL_VERSION;
    size_t length = tributary__v1__envelope__get_packed_size(message);
    if (length <= limits->chunk_size) {
        return frame_of(&message->base, sink, context, error);
    }
    if (transfer_id == 0 || limits->chunk_size == 0) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "a %zu-byte %s needs chunks: transfer id %" PRIu64 ", chunk size %" PRIu32,
                       length, te_envelope_name(message), transfer_id, limits->chunk_size);
    }
    uint64_t total = (length + limits->chunk_size - 1) / limits->chunk_size;
    if (total > UINT32_MAX || length > limits->max_transfer_bytes) {
        return te_fail(error, TE_ERR_TRANSFER_TOO_LARGE, "a %s of %zu bytes is above the transfer limit %" PRIu64,
                       te_envelope_name(message), length, limits->max_transfer_bytes);
    }
    uint8_t *bytes = malloc(length);
    if (bytes == NULL) {
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate %zu bytes to encode a %s", length, te_envelope_name(message));
    }
    tributary__v1__envelope__pack(message, bytes);
    te_status status = TE_OK;
    for (uint32_t index = 0; index < (uint32_t)total && status == TE_OK; index++) {
        size_t offset = (size_t)index * limits->chunk_size;
        size_t count = length - offset < limits->chunk_size ? length - offset : limits->chunk_size;
        Tributary__V1__PayloadChunk chunk = TRIBUTARY__V1__PAYLOAD_CHUNK__INIT;
        chunk.transfer_id = transfer_id;
        chunk.index = index;
        chunk.total = (uint32_t)total;
        chunk.total_bytes = length;
        chunk.data.data = bytes + offset;
        chunk.data.len = count;
        te_envelope frame = TRIBUTARY__V1__ENVELOPE__INIT;
        frame.protocol_version = TE_PROTOCOL_VERSION;
        frame.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_CHUNK;
        frame.chunk = &chunk;
        status = frame_of(&frame.base, sink, context, error);
    }
    free(bytes);
    return status;
}
