/* mlp.c: forward, loss and backward passes on OpenBLAS. */
#include "mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void te_blas_single_thread(void) {
    openblas_set_num_threads(1);
}

te_status te_workspace_init(te_workspace *workspace, const te_architecture *architecture, size_t capacity, te_error *error) {
    memset(workspace, 0, sizeof *workspace);
    workspace->architecture = architecture;
    workspace->capacity = capacity;
    size_t layers = architecture->layer_count;
    workspace->widths[0] = architecture->input_size;
    size_t widest = architecture->input_size, floats = 0;
    for (size_t i = 0; i < layers; i++) {
        workspace->widths[i + 1] = architecture->units[i];
        widest = architecture->units[i] > widest ? architecture->units[i] : widest;
    }
    for (size_t i = 0; i <= layers; i++) {
        floats += 2 * capacity * workspace->widths[i];
    }
    floats += capacity + 2 * capacity * widest;
    workspace->memory = calloc(floats, sizeof(float));
    workspace->labels = calloc(capacity, sizeof(int32_t));
    if (workspace->memory == NULL || workspace->labels == NULL) {
        te_workspace_free(workspace);
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a training workspace of %zu floats", floats);
    }
    float *next = workspace->memory;
    for (size_t i = 0; i <= layers; i++) {
        workspace->activations[i] = next;
        next += capacity * workspace->widths[i];
        workspace->deltas[i] = next;
        next += capacity * workspace->widths[i];
    }
    workspace->ones = next;
    next += capacity;
    for (size_t i = 0; i < capacity; i++) {
        workspace->ones[i] = 1;
    }
    workspace->squared_delta = next;
    next += capacity * widest;
    workspace->squared_input = next;
    return TE_OK;
}

void te_workspace_free(te_workspace *workspace) {
    free(workspace->memory);
    free(workspace->labels);
    memset(workspace, 0, sizeof *workspace);
}

void te_workspace_load(te_workspace *workspace, const float *features, const int32_t *labels, const size_t *indices, size_t count) {
    size_t width = workspace->widths[0];
    for (size_t row = 0; row < count; row++) {
        memcpy(workspace->activations[0] + row * width, features + indices[row] * width, width * sizeof(float));
        workspace->labels[row] = labels[indices[row]];
    }
    workspace->rows = count;
}

void te_workspace_append(te_workspace *workspace, const float *features, const int32_t *labels, const size_t *indices, size_t count) {
    size_t width = workspace->widths[0], first = workspace->rows;
    for (size_t row = 0; row < count && first + row < workspace->capacity; row++) {
        memcpy(workspace->activations[0] + (first + row) * width, features + indices[row] * width, width * sizeof(float));
        workspace->labels[first + row] = labels[indices[row]];
        workspace->rows++;
    }
}

static void activate(Tributary__V1__Activation activation, float *z, size_t count) {
    switch (activation) {
    case TRIBUTARY__V1__ACTIVATION__ACTIVATION_RELU:
        for (size_t i = 0; i < count; i++) z[i] = z[i] > 0 ? z[i] : 0;
        break;
    case TRIBUTARY__V1__ACTIVATION__ACTIVATION_TANH:
        for (size_t i = 0; i < count; i++) z[i] = tanhf(z[i]);
        break;
    case TRIBUTARY__V1__ACTIVATION__ACTIVATION_SIGMOID:
        for (size_t i = 0; i < count; i++) z[i] = 1 / (1 + expf(-z[i]));
        break;
    default:
        break;
    }
}

/* gradient *= activation'(z), from the activation's output a. */
static void activate_backward(Tributary__V1__Activation activation, const float *a, float *gradient, size_t count) {
    switch (activation) {
    case TRIBUTARY__V1__ACTIVATION__ACTIVATION_RELU:
        for (size_t i = 0; i < count; i++) if (a[i] <= 0) gradient[i] = 0;
        break;
    case TRIBUTARY__V1__ACTIVATION__ACTIVATION_TANH:
        for (size_t i = 0; i < count; i++) gradient[i] *= 1 - a[i] * a[i];
        break;
    case TRIBUTARY__V1__ACTIVATION__ACTIVATION_SIGMOID:
        for (size_t i = 0; i < count; i++) gradient[i] *= a[i] * (1 - a[i]);
        break;
    default:
        break;
    }
}

void te_mlp_forward(const te_architecture *architecture, const float *parameters, te_workspace *workspace) {
    int rows = (int)workspace->rows;
    const float *theta = parameters;
    for (size_t layer = 0; layer < architecture->layer_count; layer++) {
        int fan_in = (int)workspace->widths[layer], units = (int)workspace->widths[layer + 1];
        const float *weight = theta, *bias = theta + (size_t)units * (size_t)fan_in;
        float *output = workspace->activations[layer + 1];
        for (int row = 0; row < rows; row++) {
            memcpy(output + (size_t)row * (size_t)units, bias, (size_t)units * sizeof(float));
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, units, fan_in, 1, workspace->activations[layer], fan_in,
                    weight, fan_in, 1, output, units);
        activate(architecture->activation[layer], output, (size_t)rows * (size_t)units);
        theta = bias + units;
    }
}

te_batch_loss te_mlp_loss(te_workspace *workspace, const uint8_t *class_mask, float scale) {
    size_t layers = workspace->architecture->layer_count, width = workspace->widths[layers];
    te_batch_loss result = {0, 0};
    for (size_t row = 0; row < workspace->rows; row++) {
        const float *z = workspace->activations[layers] + row * width;
        float *d = workspace->deltas[layers] + row * width;
        size_t label = (size_t)workspace->labels[row], argmax = 0;
        float best = -INFINITY, sum = 0;
        for (size_t c = 0; c < width; c++) {
            if ((class_mask == NULL || class_mask[c]) && z[c] > best) {
                best = z[c];
                argmax = c;
            }
        }
        for (size_t c = 0; c < width; c++) {
            d[c] = class_mask == NULL || class_mask[c] ? expf(z[c] - best) : 0;
            sum += d[c];
        }
        float inverse = 1 / sum, p = d[label] * inverse;
        result.total += (double)(-logf(p > 1e-30f ? p : 1e-30f));
        result.correct += argmax == label;
        if (scale > 0) {
            for (size_t c = 0; c < width; c++) d[c] = d[c] * inverse * scale;
            d[label] -= scale;
        }
    }
    return result;
}

void te_mlp_backward(const te_architecture *architecture, const float *parameters, te_workspace *workspace,
                     float *gradient, int squared) {
    int rows = (int)workspace->rows;
    size_t offsets[TE_MAX_LAYERS];
    size_t offset = 0;
    for (size_t layer = 0; layer < architecture->layer_count; layer++) {
        offsets[layer] = offset;
        offset += workspace->widths[layer + 1] * workspace->widths[layer] + workspace->widths[layer + 1];
    }
    for (size_t layer = architecture->layer_count; layer > 0; layer--) {
        int fan_in = (int)workspace->widths[layer - 1], units = (int)workspace->widths[layer];
        float *delta = workspace->deltas[layer], *input = workspace->activations[layer - 1];
        float *weights = gradient + offsets[layer - 1], *bias = weights + (size_t)units * (size_t)fan_in;
        float beta = squared ? 1 : 0;
        const float *a = delta, *b = input;
        if (squared) {
            for (size_t i = 0; i < (size_t)rows * (size_t)units; i++) workspace->squared_delta[i] = delta[i] * delta[i];
            for (size_t i = 0; i < (size_t)rows * (size_t)fan_in; i++) workspace->squared_input[i] = input[i] * input[i];
            a = workspace->squared_delta;
            b = workspace->squared_input;
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, units, fan_in, rows, 1, a, units, b, fan_in, beta, weights, fan_in);
        cblas_sgemv(CblasRowMajor, CblasTrans, rows, units, 1, a, units, workspace->ones, 1, beta, bias, 1);
        if (layer == 1) {
            continue;
        }
        const float *weight = parameters + offsets[layer - 1];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, fan_in, units, 1, delta, units, weight, fan_in, 0,
                    workspace->deltas[layer - 1], fan_in);
        activate_backward(architecture->activation[layer - 2], input, workspace->deltas[layer - 1], (size_t)rows * (size_t)fan_in);
    }
}
