/* job.h: the incremental job of a round, as the Swift side's IncrementalJob runs it for an edge:
 * epochs of shuffled minibatches of the window's examples, softmax cross-entropy, the EWC penalty
 * of the offered global Fisher and anchor (and FedProx's proximal term), each curvature capped at
 * 1/lr, plain SGD with momentum, then the empirical diagonal Fisher on the trained model, the
 * delta and aggregate metrics. Replay: plan.replay_size examples of the replay buffer join each
 * minibatch (Swift's Trainer), the window's examples are not stored into it (they join it when
 * they leave the window). Seen-class masking (the plan's mask_unseen_classes) restricts the
 * softmax of training and of the Fisher to the classes this job has seen. */
#ifndef TE_JOB_H
#define TE_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "replay.h"
#include "rng.h"

typedef struct te_job_plan {
    uint32_t epochs;
    uint32_t batch_size;
    float learning_rate;
    float momentum;          /* the Swift edge's fresh SGD has 0 */
    float ewc_lambda;
    float fedprox_mu;
    int skip_fisher;         /* no Fisher and no EWC penalty (plain FedAvg) */
    uint32_t replay_size;    /* replayed examples mixed into each step; 0 = none */
    int mask_unseen_classes; /* seen-class masking: the softmax (in training and in the Fisher)
                                covers only the classes of the new examples and of the replay
                                buffer (Swift: Trainer.classMask); the before/after metrics
                                still cover every class, as the Swift job's */
} te_job_plan;

typedef struct te_job_data {
    const float *features;   /* count x input_size */
    const int32_t *labels;
    size_t count;
    const te_replay *replay; /* the past; NULL or empty = no replay */
} te_job_data;

typedef struct te_job_result {
    float *delta;            /* theta_local - theta_global, parameter_count floats */
    float *fisher;           /* the empirical diagonal Fisher, or NULL when skipped */
    size_t examples;
    size_t steps;
    size_t replayed;
    double loss_before, loss_after, accuracy_before, accuracy_after, last_epoch_loss;
    double delta_norm;
    double seconds;
} te_job_result;

/* Called after every training step (the shell sends heartbeats from it); may be NULL. */
typedef void (*te_job_progress)(void *context);

/* Runs the job from `global` on `data`. ewc_fisher / ewc_anchor: the offer's global EWC state
 * (flat, parameter_count each) or NULL. rng: the job's generator (advanced). */
te_status te_job_run(const te_model *global, const te_job_plan *plan, const float *ewc_fisher, const float *ewc_anchor,
                     const te_job_data *data, te_rng *rng, te_job_result *result, te_error *error);

/* The same, calling progress(context) after every step. */
te_status te_job_run_reporting(const te_model *global, const te_job_plan *plan, const float *ewc_fisher, const float *ewc_anchor,
                               const te_job_data *data, te_rng *rng, te_job_progress progress, void *context,
                               te_job_result *result, te_error *error);

void te_job_result_free(te_job_result *result);

#endif
