/* job.c: one incremental job on OpenBLAS. */
#include "job.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlp.h"

#define TE_EVALUATION_CHUNK 128

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Mean loss and accuracy of the parameters on all of data. */
static void evaluate(const te_architecture *architecture, const float *parameters, const te_job_data *data,
                     te_workspace *workspace, size_t *indices, double *loss, double *accuracy) {
    te_batch_loss total = {0, 0};
    for (size_t start = 0; start < data->count; start += workspace->capacity) {
        size_t rows = data->count - start < workspace->capacity ? data->count - start : workspace->capacity;
        for (size_t i = 0; i < rows; i++) indices[i] = start + i;
        te_workspace_load(workspace, data->features, data->labels, indices, rows);
        te_mlp_forward(architecture, parameters, workspace);
        te_batch_loss batch = te_mlp_loss(workspace, NULL, 0);
        total.total += batch.total;
        total.correct += batch.correct;
    }
    *loss = total.total / (double)data->count;
    *accuracy = (double)total.correct / (double)data->count;
}

/* The empirical Fisher: 1/N sum over examples of the squared per-example gradient (of the masked
 * softmax when class_mask is not NULL). */
static void empirical_fisher(const te_architecture *architecture, const float *parameters, const te_job_data *data,
                             const uint8_t *class_mask, te_workspace *workspace, size_t *indices, float *fisher,
                             size_t parameter_count) {
    memset(fisher, 0, parameter_count * sizeof(float));
    for (size_t start = 0; start < data->count; start += workspace->capacity) {
        size_t rows = data->count - start < workspace->capacity ? data->count - start : workspace->capacity;
        for (size_t i = 0; i < rows; i++) indices[i] = start + i;
        te_workspace_load(workspace, data->features, data->labels, indices, rows);
        te_mlp_forward(architecture, parameters, workspace);
        te_mlp_loss(workspace, class_mask, 1);
        te_mlp_backward(architecture, parameters, workspace, fisher, 1);
    }
    float scale = 1.0f / (float)data->count;
    for (size_t j = 0; j < parameter_count; j++) fisher[j] *= scale;
}

static te_status check(const te_model *global, const te_job_plan *plan, const te_job_data *data, te_error *error) {
    if (plan->epochs == 0 || plan->batch_size == 0 || !(plan->learning_rate > 0) || !isfinite(plan->learning_rate)) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "TrainingPlan has epochs %u, batch_size %u, learning_rate %g; each must be > 0",
                       (unsigned)plan->epochs, (unsigned)plan->batch_size, (double)plan->learning_rate);
    }
    if (!(plan->ewc_lambda >= 0) || !isfinite(plan->ewc_lambda) || !(plan->fedprox_mu >= 0) || !isfinite(plan->fedprox_mu)) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "TrainingPlan has ewc_lambda %g, fedprox_mu %g; each must be finite and >= 0",
                       (double)plan->ewc_lambda, (double)plan->fedprox_mu);
    }
    if (global->architecture.loss != TRIBUTARY__V1__LOSS__LOSS_SOFTMAX_CROSS_ENTROPY) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "the model's loss is %d; this client trains LOSS_SOFTMAX_CROSS_ENTROPY (1) only",
                       (int)global->architecture.loss);
    }
    if (data->count == 0) {
        return te_fail(error, TE_ERR_CONFIG, "the window holds no examples to train on");
    }
    uint32_t classes = global->architecture.units[global->architecture.layer_count - 1];
    for (size_t i = 0; i < data->count; i++) {
        if ((uint32_t)data->labels[i] >= classes) {
            return te_fail(error, TE_ERR_CONFIG, "example %zu has label %d; the model has %u classes (0...%u)", i,
                           (int)data->labels[i], (unsigned)classes, (unsigned)classes - 1);
        }
    }
    return TE_OK;
}

/* Seen-class masking: mask[c] = 1 for the classes of the new examples and of the whole replay
 * buffer (not only the replay_size picked per step), 0 for the others; as the Swift side's
 * Trainer.classMask with no active classes. Replayed labels outside the model's classes mark nothing. */
static void seen_classes(const te_job_data *data, uint8_t *mask, size_t classes) {
    memset(mask, 0, classes);
    for (size_t i = 0; i < data->count; i++) mask[data->labels[i]] = 1;
    size_t stored = data->replay != NULL ? data->replay->count : 0;
    for (size_t i = 0; i < stored; i++) {
        if (data->replay->labels[i] >= 0 && (size_t)data->replay->labels[i] < classes) mask[data->replay->labels[i]] = 1;
    }
}

/* The quadratic penalty's weight w and anchor a of parameter j (QuadraticPenalty in Swift):
 * w = lambda F + mu, a = (lambda F anchor + mu theta_global) / w; computed where used, each step
 * (the same float operations every time), rather than kept as two more vectors of the model's size. */
static inline float penalty_at(const te_job_plan *plan, const float *fisher, const float *anchor, const float *global,
                               size_t j, float *center) {
    float w = 0, weighted = 0;
    if (fisher != NULL) {
        w = plan->ewc_lambda * fisher[j];
        weighted = w * anchor[j];
    }
    if (plan->fedprox_mu > 0) {
        w += plan->fedprox_mu;
        weighted += plan->fedprox_mu * global[j];
    }
    *center = w > 0 ? weighted / w : 0;
    return w;
}

te_status te_job_run(const te_model *global, const te_job_plan *plan, const float *ewc_fisher, const float *ewc_anchor,
                     const te_job_data *data, te_rng *rng, te_job_result *result, te_error *error) {
    return te_job_run_reporting(global, plan, ewc_fisher, ewc_anchor, data, rng, NULL, NULL, result, error);
}

te_status te_job_run_reporting(const te_model *global, const te_job_plan *plan, const float *ewc_fisher, const float *ewc_anchor,
                               const te_job_data *data, te_rng *rng, te_job_progress progress, void *context,
                               te_job_result *result, te_error *error) {
    memset(result, 0, sizeof *result);
    te_status status = check(global, plan, data, error);
    if (status != TE_OK) {
        return status;
    }
    const te_architecture *architecture = &global->architecture;
    size_t n = global->parameter_count, count = data->count;
    size_t batch = plan->batch_size < count ? plan->batch_size : count;
    const te_replay *replay = data->replay;
    size_t stored = replay != NULL ? replay->count : 0;
    size_t replay_batch = plan->replay_size < stored ? plan->replay_size : stored;
    size_t capacity = batch + replay_batch > TE_EVALUATION_CHUNK ? batch + replay_batch
                      : (count < TE_EVALUATION_CHUNK ? (count > batch + replay_batch ? count : batch + replay_batch) : TE_EVALUATION_CHUNK);
    /* the job's vectors of the model's size: theta (handed over as the delta), the gradient (then
     * the Fisher's room), the velocity only with momentum; no other copy of the model */
    float *theta = malloc(n * sizeof(float)), *gradient = malloc(n * sizeof(float));
    float *velocity = plan->momentum > 0 ? calloc(n, sizeof(float)) : NULL;
    size_t *order = malloc((count > capacity ? count : capacity) * sizeof(size_t));
    size_t *indices = malloc((capacity + stored) * sizeof(size_t));   /* room for the replay's pool after the picks */
    /* the softmax's classes under seen-class masking (NULL: all; one class needs no mask, as in Swift) */
    size_t classes = architecture->units[architecture->layer_count - 1];
    int masked = plan->mask_unseen_classes && classes > 1;
    uint8_t *class_mask = masked ? malloc(classes) : NULL;
    te_workspace workspace;
    memset(&workspace, 0, sizeof workspace);
    if (theta == NULL || gradient == NULL || (plan->momentum > 0 && velocity == NULL) || order == NULL || indices == NULL
        || (masked && class_mask == NULL)) {
        status = te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a job for %zu parameters and %zu examples", n, count);
    } else {
        status = te_workspace_init(&workspace, architecture, capacity, error);
    }
    if (status != TE_OK) {
        free(theta);
        free(gradient);
        free(velocity);
        free(order);
        free(indices);
        free(class_mask);
        return status;
    }
    if (masked) {
        seen_classes(data, class_mask, classes);
    }
    memcpy(theta, global->parameters, n * sizeof(float));
    const float *fisher = ewc_fisher != NULL && plan->ewc_lambda > 0 && !plan->skip_fisher ? ewc_fisher : NULL;
    int penalized = fisher != NULL || plan->fedprox_mu > 0;
    float cap = 1.0f / plan->learning_rate;   /* SGD's stable curvature */
    double started = seconds_now();
    evaluate(architecture, theta, data, &workspace, indices, &result->loss_before, &result->accuracy_before);
    for (size_t i = 0; i < count; i++) order[i] = i;
    size_t steps_per_epoch = (count + batch - 1) / batch;
    for (uint32_t epoch = 0; epoch < plan->epochs && status == TE_OK; epoch++) {
        for (size_t i = count - 1; i > 0; i--) {
            size_t j = (size_t)te_rng_below(rng, i + 1), swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        double loss_sum = 0;
        size_t loss_rows = 0;
        for (size_t step = 0; step < steps_per_epoch; step++) {
            size_t first = step * batch, rows = count - first < batch ? count - first : batch;
            te_workspace_load(&workspace, data->features, data->labels, order + first, rows);
            if (replay_batch > 0) {
                size_t picked = te_replay_sample(replay, replay_batch, rng, indices + replay_batch, indices);
                te_workspace_append(&workspace, replay->features, replay->labels, indices, picked);
                result->replayed += picked;
            }
            te_mlp_forward(architecture, theta, &workspace);
            loss_sum += te_mlp_loss(&workspace, class_mask, 1.0f / (float)workspace.rows).total;
            loss_rows += workspace.rows;
            te_mlp_backward(architecture, theta, &workspace, gradient, 0);
            if (penalized) {
                for (size_t j = 0; j < n; j++) {
                    float center, weight = penalty_at(plan, fisher, ewc_anchor, global->parameters, j, &center);
                    if (weight > 0) gradient[j] += (weight < cap ? weight : cap) * (theta[j] - center);
                }
            }
            for (size_t j = 0; j < n; j++) {
                if (plan->momentum > 0) {
                    velocity[j] = plan->momentum * velocity[j] + gradient[j];
                    theta[j] -= plan->learning_rate * velocity[j];
                } else {
                    theta[j] -= plan->learning_rate * gradient[j];
                }
            }
            result->steps++;
            if (progress != NULL) {
                progress(context);
            }
        }
        result->last_epoch_loss = loss_sum / (double)loss_rows;
        int finite = isfinite(result->last_epoch_loss);
        for (size_t j = 0; j < n && finite; j++) finite = isfinite(theta[j]);
        if (!finite) {
            status = te_fail(error, TE_ERR_CONFIG, "training diverged in epoch %u: loss %g; the learning rate %g or lambda %g is too high",
                             (unsigned)epoch + 1, result->last_epoch_loss, (double)plan->learning_rate, (double)plan->ewc_lambda);
        }
    }
    if (status == TE_OK) {
        evaluate(architecture, theta, data, &workspace, indices, &result->loss_after, &result->accuracy_after);
        if (!plan->skip_fisher) {   /* on the trained theta, into the gradient's room */
            empirical_fisher(architecture, theta, data, class_mask, &workspace, indices, gradient, n);
            result->fisher = gradient;
            gradient = NULL;
        }
        double squares = 0;
        for (size_t j = 0; j < n; j++) {   /* theta becomes the delta in place */
            theta[j] = theta[j] - global->parameters[j];
            squares += (double)theta[j] * (double)theta[j];
        }
        result->delta = theta;
        theta = NULL;
        result->delta_norm = sqrt(squares);
        result->examples = count;
        result->seconds = seconds_now() - started;
    }
    te_workspace_free(&workspace);
    free(theta);
    free(gradient);
    free(velocity);
    free(order);
    free(indices);
    free(class_mask);
    if (status != TE_OK) {
        te_job_result_free(result);
    }
    return status;
}

void te_job_result_free(te_job_result *result) {
    free(result->delta);
    free(result->fisher);
    result->delta = NULL;
    result->fisher = NULL;
}
