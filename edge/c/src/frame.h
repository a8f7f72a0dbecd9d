/* frame.h: framing and chunking of docs/protocol.md, sans-IO.
 *
 * A frame is a 4-byte big-endian length N and N bytes of one serialized tributary.v1.Envelope.
 * The decoder takes bytes as they arrive and returns whole messages; it reassembles chunked
 * transfers (PayloadChunk) itself, so its caller never sees a chunk. Every refusal is a named
 * status with a reason, after which the decoder refuses everything: the connection must close.
 */
#ifndef TE_FRAME_H
#define TE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tributary/v1/envelope.pb-c.h"

#define TE_PROTOCOL_VERSION 1u
#define TE_DEFAULT_MAX_FRAME_BYTES (4u * 1024u * 1024u + 64u * 1024u)
#define TE_DEFAULT_CHUNK_SIZE (4u * 1024u * 1024u)
#define TE_DEFAULT_MAX_TRANSFER_BYTES ((uint64_t)1 << 30)
/* At most this much is reserved up front for a transfer, so a lying chunk 0 cannot make the
 * receiver allocate the whole transfer limit. */
#define TE_MAX_TRANSFER_RESERVATION (64u * 1024u * 1024u)

typedef Tributary__V1__Envelope te_envelope;

typedef struct te_wire_limits {
    uint32_t max_frame_bytes;     /* body bytes after the prefix */
    uint64_t max_transfer_bytes;  /* a reassembled Envelope */
    uint32_t chunk_size;          /* an outgoing Envelope above this is sent as chunks */
} te_wire_limits;

te_wire_limits te_wire_limits_default(void);

typedef struct te_transfer {
    int active;
    uint64_t id;
    uint32_t total;
    uint32_t next_index;
    uint64_t total_bytes;
    uint8_t *bytes;
    size_t count;
    size_t capacity;
} te_transfer;

typedef struct te_frame_decoder {
    te_wire_limits limits;
    uint8_t prefix[4];
    size_t prefix_count;
    int in_body;
    uint8_t *body;
    size_t body_capacity;
    size_t body_length;
    size_t body_count;
    te_transfer transfer;
    te_error failure;   /* code TE_OK until a refusal */
} te_frame_decoder;

void te_frame_decoder_init(te_frame_decoder *decoder, te_wire_limits limits);
void te_frame_decoder_free(te_frame_decoder *decoder);

/* Consumes bytes until one message is complete or the bytes run out; *consumed tells how many
 * were used (feed the rest again). *message is the decoded Envelope (free it with
 * te_envelope_free) or NULL when more bytes are needed. After a refusal every call returns it. */
te_status te_frame_decoder_feed(te_frame_decoder *decoder, const uint8_t *data, size_t length,
                                size_t *consumed, te_envelope **message, te_error *error);

/* The stream ended: TE_OK between frames with no transfer incomplete, else MALFORMED_FRAME. */
te_status te_frame_decoder_finish(const te_frame_decoder *decoder, te_error *error);

/* Decodes one frame body: an Envelope of protocol version 1 holding a message this client knows. */
te_status te_envelope_decode(const uint8_t *body, size_t length, te_envelope **message, te_error *error);
void te_envelope_free(te_envelope *message);

/* A static name for an Envelope's message, e.g. "RoundOffer". */
const char *te_envelope_name(const te_envelope *message);

/* Receives each frame (prefix included) of an outgoing message, in order. */
typedef te_status (*te_frame_sink)(void *context, const uint8_t *frame, size_t length, te_error *error);

/* Encodes a message (its protocol_version is set to 1) into one frame, or into PayloadChunk
 * frames of transfer transfer_id when the Envelope is larger than limits->chunk_size. */
te_status te_frame_send(te_envelope *message, const te_wire_limits *limits, uint64_t transfer_id,
                        te_frame_sink sink, void *context, te_error *error);

#endif
