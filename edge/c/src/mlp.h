/* mlp.h: the dense network of a te_architecture on one flat parameter vector, with OpenBLAS:
 * forward, softmax cross-entropy, backward (the batch gradient, or the sum of squared
 * per-example gradients for the empirical Fisher). The same passes as the Swift side's
 * Sequential+Passes.swift and Loss+Evaluate.swift. One workspace per job, no allocation per step. */
#ifndef TE_MLP_H
#define TE_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* One OpenBLAS thread for this process's BLAS calls: the job's matrices are small (a gateway's
 * model), where threads cost more in memory and hand-offs than they give. Called at open. */
void te_blas_single_thread(void);

typedef struct te_workspace {
    const te_architecture *architecture;
    size_t capacity;                  /* rows */
    size_t rows;
    size_t widths[TE_MAX_LAYERS + 1]; /* input, then each layer's units */
    float *activations[TE_MAX_LAYERS + 1];
    float *deltas[TE_MAX_LAYERS + 1];
    int32_t *labels;
    float *ones;
    float *squared_delta;
    float *squared_input;
    float *memory;                    /* one allocation holding all of the above */
} te_workspace;

typedef struct te_batch_loss {
    double total;     /* sum of per-example losses */
    size_t correct;   /* examples predicted right */
} te_batch_loss;

te_status te_workspace_init(te_workspace *workspace, const te_architecture *architecture, size_t capacity, te_error *error);
void te_workspace_free(te_workspace *workspace);

/* Copies rows (given by index) of a feature matrix (count x input_size) and their labels in. */
void te_workspace_load(te_workspace *workspace, const float *features, const int32_t *labels, const size_t *indices, size_t count);

/* Copies more rows after those loaded (rows grows by count; capacity permitting). */
void te_workspace_append(te_workspace *workspace, const float *features, const int32_t *labels, const size_t *indices, size_t count);

void te_mlp_forward(const te_architecture *architecture, const float *parameters, te_workspace *workspace);

/* Softmax cross-entropy of the output against the labels; with scale > 0, writes
 * scale * dloss/doutput into the last delta buffer. class_mask (one byte per output, or NULL for
 * all): the softmax covers only the classes marked nonzero; the others' logits count as -inf
 * (probability 0, no gradient, never the argmax), as the Swift side's Loss.evaluate(classMask:). */
te_batch_loss te_mlp_loss(te_workspace *workspace, const uint8_t *class_mask, float scale);

/* squared = 0: gradient = dloss/dtheta (overwritten); squared = 1: gradient += sum of squared
 * per-example gradients (the deltas must then be unscaled). */
void te_mlp_backward(const te_architecture *architecture, const float *parameters, te_workspace *workspace,
                     float *gradient, int squared);

#endif
