/* compare_updates.c: compares two framed Updates (the Swift agent's last-update.frame and the C
 * client's --keep-update file): the relative L2 error of the delta and of the Fisher, and
 * num_examples. Exit 0 when both errors are at most the tolerance (default 1e-4).
 *
 *   compare-updates SWIFT.frame C.frame [TOLERANCE]                                        */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static te_envelope *read_update(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return NULL;
    }
    static uint8_t buffer[64 * 1024 * 1024];
    size_t count = fread(buffer, 1, sizeof buffer, file);
    fclose(file);
    te_frame_decoder decoder;
    te_wire_limits limits = te_wire_limits_default();
    limits.max_frame_bytes = UINT32_MAX;
    te_frame_decoder_init(&decoder, limits);
    size_t consumed = 0;
    te_envelope *message = NULL;
    te_error error;
    if (te_frame_decoder_feed(&decoder, buffer, count, &consumed, &message, &error) != TE_OK || message == NULL ||
        message->message_case != TRIBUTARY__V1__ENVELOPE__MESSAGE_UPDATE) {
        fprintf(stderr, "%s holds no framed Update: %s\n", path, message == NULL ? error.reason : te_envelope_name(message));
        te_envelope_free(message);
        message = NULL;
    }
    te_frame_decoder_free(&decoder);
    return message;
}

/* ||a - b|| / ||b|| over all tensors of two sets with the same names and sizes; -1 if they differ. */
static double relative_error(const Tributary__V1__ParameterSet *a, const Tributary__V1__ParameterSet *b) {
    if (a == NULL || b == NULL || a->n_tensors != b->n_tensors) {
        return -1;
    }
    double difference = 0, reference = 0;
    for (size_t t = 0; t < a->n_tensors; t++) {
        const ProtobufCBinaryData *x = &a->tensors[t]->tensor->data, *y = &b->tensors[t]->tensor->data;
        if (strcmp(a->tensors[t]->name, b->tensors[t]->name) != 0 || x->len != y->len) {
            return -1;
        }
        for (size_t i = 0; i + 4 <= x->len; i += 4) {
            float u, v;
            memcpy(&u, x->data + i, 4);
            memcpy(&v, y->data + i, 4);
            difference += ((double)u - v) * ((double)u - v);
            reference += (double)v * v;
        }
    }
    return reference > 0 ? sqrt(difference / reference) : sqrt(difference);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: compare-updates SWIFT.frame C.frame [TOLERANCE]\n");
        return 2;
    }
    double tolerance = argc > 3 ? atof(argv[3]) : 1e-4;
    te_envelope *swift = read_update(argv[1]), *c = read_update(argv[2]);
    if (swift == NULL || c == NULL) {
        return 2;
    }
    double delta = relative_error(c->update->delta, swift->update->delta);
    double fisher = relative_error(c->update->fisher, swift->update->fisher);
    printf("delta relative L2 error %.3g, fisher %.3g, num_examples %llu vs %llu, round %llu vs %llu\n", delta, fisher,
           (unsigned long long)c->update->num_examples, (unsigned long long)swift->update->num_examples,
           (unsigned long long)c->update->round_id, (unsigned long long)swift->update->round_id);
    int same = delta >= 0 && delta <= tolerance && fisher >= 0 && fisher <= tolerance &&
               c->update->num_examples == swift->update->num_examples;
    te_envelope_free(swift);
    te_envelope_free(c);
    return same ? 0 : 1;
}
