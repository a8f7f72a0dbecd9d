/* fuzz_frame.c: libFuzzer target for the frame decoder and chunk reassembly. The input is fed in
 * pieces whose sizes come from its first byte, so prefix, body and chunk boundaries all vary.
 * Every outcome must be a message or a named refusal; AddressSanitizer catches the rest. */
#include <stdlib.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0;
    }
    size_t step = 1 + data[0] % 64;
    te_wire_limits limits = te_wire_limits_default();
    limits.max_frame_bytes = 4096;          /* small limits so the fuzzer reaches them */
    limits.max_transfer_bytes = 16384;
    te_frame_decoder decoder;
    te_frame_decoder_init(&decoder, limits);
    size_t offset = 1;
    while (offset < size) {
        size_t length = size - offset < step ? size - offset : step;
        size_t consumed = 0;
        te_envelope *message = NULL;
        te_error error;
        te_status status = te_frame_decoder_feed(&decoder, data + offset, length, &consumed, &message, &error);
        te_envelope_free(message);
        if (status != TE_OK) {
            if (error.reason[0] == '\0') {
                abort();    /* a refusal must say why */
            }
            break;
        }
        offset += consumed;
    }
    te_frame_decoder_finish(&decoder, NULL);
    te_frame_decoder_free(&decoder);
    return 0;
}
