/* test_job.c: the generator, the model payload decoder, the MLP's gradient (against finite
 * differences), the empirical Fisher, and the job (deterministic for a seed, EWC capped, Fisher
 * skipped when asked, bad labels named, seen-class masking), and the model's preprocessing (checked, applied to the
 * job's rows, to predictions and to retired examples, adopted with a release). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset.h"
#include "edge_internal.h"
#include "job.h"
#include "messages.h"
#include "mlp.h"
#include "preprocessing.h"

static te_architecture small_architecture(void) {
    te_architecture architecture = {.input_size = 4, .layer_count = 2, .loss = TRIBUTARY__V1__LOSS__LOSS_SOFTMAX_CROSS_ENTROPY};
    architecture.units[0] = 5;
    architecture.activation[0] = TRIBUTARY__V1__ACTIVATION__ACTIVATION_TANH;
    architecture.units[1] = 3;
    architecture.activation[1] = TRIBUTARY__V1__ACTIVATION__ACTIVATION_IDENTITY;
    return architecture;
}

static float uniform(te_rng *rng) {
    return (float)(te_rng_next(rng) >> 40) * (1.0f / (float)(1 << 24)) * 2 - 1;
}

static void generator(void) {
    te_rng rng;
    te_rng_seed(&rng, 0);
    CHECK(rng.state[0] == 0xe220a8397b1dcdafull);   /* SplitMix64's first output for seed 0 */
    CHECK(rng.state[1] == 0x6e789e6aa1b965f4ull);
    te_rng_seed(&rng, 7);
    for (int i = 0; i < 10000; i++) {
        uint64_t bound = 1 + (uint64_t)i % 97;
        CHECK(te_rng_below(&rng, bound) < bound);
    }
#ifdef __SIZEOF_INT128__
    for (int i = 0; i < 1000; i++) {
        uint64_t a = te_rng_next(&rng), b = te_rng_next(&rng), high, low;
        te_rng_multiply(a, b, &high, &low);
        unsigned __int128 product = (unsigned __int128)a * b;
        CHECK(high == (uint64_t)(product >> 64) && low == (uint64_t)product);
    }
#endif
}

static double mean_loss(const te_architecture *architecture, const float *theta, te_workspace *workspace,
                        const float *features, const int32_t *labels, const size_t *indices, size_t rows) {
    te_workspace_load(workspace, features, labels, indices, rows);
    te_mlp_forward(architecture, theta, workspace);
    return te_mlp_loss(workspace, NULL, 0).total / (double)rows;
}

static void gradient_matches_finite_differences(void) {
    te_architecture architecture = small_architecture();
    size_t n = te_architecture_parameter_count(&architecture);
    CHECK(n == 5 * 4 + 5 + 3 * 5 + 3);
    te_rng rng;
    te_rng_seed(&rng, 3);
    float theta[43], gradient[43], features[6 * 4];
    int32_t labels[6] = {0, 1, 2, 0, 1, 2};
    size_t indices[6] = {0, 1, 2, 3, 4, 5};
    for (size_t j = 0; j < n; j++) theta[j] = uniform(&rng);
    for (size_t j = 0; j < 24; j++) features[j] = uniform(&rng) * 2;
    te_workspace workspace;
    CHECK(te_workspace_init(&workspace, &architecture, 6, NULL) == TE_OK);
    te_workspace_load(&workspace, features, labels, indices, 6);
    te_mlp_forward(&architecture, theta, &workspace);
    te_mlp_loss(&workspace, NULL, 1.0f / 6);
    te_mlp_backward(&architecture, theta, &workspace, gradient, 0);
    int close = 1;
    for (size_t j = 0; j < n; j++) {
        float saved = theta[j], h = 1e-2f;
        theta[j] = saved + h;
        double up = mean_loss(&architecture, theta, &workspace, features, labels, indices, 6);
        theta[j] = saved - h;
        double down = mean_loss(&architecture, theta, &workspace, features, labels, indices, 6);
        theta[j] = saved;
        double numeric = (up - down) / (2 * h);
        if (fabs(numeric - gradient[j]) > 2e-3 + 2e-2 * fabs(numeric)) {
            close = 0;
            fprintf(stderr, "parameter %zu: backward %g, finite difference %g\n", j, (double)gradient[j], numeric);
        }
    }
    CHECK(close);

    /* one example: the squared per-example gradient is the gradient squared */
    float squared[43] = {0};
    te_workspace_load(&workspace, features, labels, indices, 1);
    te_mlp_forward(&architecture, theta, &workspace);
    te_mlp_loss(&workspace, NULL, 1);
    te_mlp_backward(&architecture, theta, &workspace, gradient, 0);
    te_mlp_forward(&architecture, theta, &workspace);
    te_mlp_loss(&workspace, NULL, 1);
    te_mlp_backward(&architecture, theta, &workspace, squared, 1);
    int same = 1;
    for (size_t j = 0; j < n; j++) same &= fabsf(squared[j] - gradient[j] * gradient[j]) <= 1e-5f + 1e-4f * squared[j];
    CHECK(same);
    te_workspace_free(&workspace);
}

typedef struct fixture {
    te_model model;
    float features[40 * 4];
    int32_t labels[40];
    te_job_data data;
} fixture;

static void fixture_init(fixture *f) {
    memset(f, 0, sizeof *f);
    f->model.version = 1;
    f->model.architecture = small_architecture();
    f->model.parameter_count = te_architecture_parameter_count(&f->model.architecture);
    f->model.parameters = malloc(f->model.parameter_count * sizeof(float));
    te_rng rng;
    te_rng_seed(&rng, 11);
    for (size_t j = 0; j < f->model.parameter_count; j++) f->model.parameters[j] = uniform(&rng) * 0.5f;
    for (size_t i = 0; i < 40; i++) {
        f->labels[i] = (int32_t)(i % 3);
        for (size_t k = 0; k < 4; k++) f->features[i * 4 + k] = uniform(&rng) + (k == (size_t)f->labels[i] ? 2.0f : 0.0f);
    }
    f->data = (te_job_data){f->features, f->labels, 40, NULL};
}

static double norm(const float *v, size_t n) {
    double s = 0;
    for (size_t j = 0; j < n; j++) s += (double)v[j] * v[j];
    return sqrt(s);
}

static void count_step(void *context) {
    (*(size_t *)context)++;
}

static void job_is_deterministic_and_learns(void) {
    fixture f;
    fixture_init(&f);
    size_t n = f.model.parameter_count;
    te_job_plan plan = {.epochs = 3, .batch_size = 8, .learning_rate = 0.1f};
    te_rng a, b, c;
    te_rng_seed(&a, 5);
    te_rng_seed(&b, 5);
    te_rng_seed(&c, 6);
    te_job_result first, second, other;
    te_error error;
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &a, &first, &error) == TE_OK);
    size_t reported = 0;
    CHECK(te_job_run_reporting(&f.model, &plan, NULL, NULL, &f.data, &b, count_step, &reported, &second, &error) == TE_OK);
    CHECK(reported == second.steps);
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &c, &other, &error) == TE_OK);
    CHECK(memcmp(first.delta, second.delta, n * sizeof(float)) == 0);
    CHECK(memcmp(first.delta, other.delta, n * sizeof(float)) != 0);
    CHECK(first.steps == 15 && first.examples == 40);
    CHECK(first.loss_after < first.loss_before);
    CHECK(first.fisher != NULL);
    int nonnegative = 1;
    for (size_t j = 0; j < n; j++) nonnegative &= first.fisher[j] >= 0;
    CHECK(nonnegative && norm(first.fisher, n) > 0);
    CHECK(fabs(first.delta_norm - norm(first.delta, n)) < 1e-6);

    /* a huge EWC lambda, anchored at the global model: capped at 1/lr, it holds the model still */
    float *fisher = malloc(n * sizeof(float));
    for (size_t j = 0; j < n; j++) fisher[j] = 1;
    te_job_plan ewc = plan;
    ewc.ewc_lambda = 1e6f;
    te_rng_seed(&a, 5);
    te_job_result held;
    CHECK(te_job_run(&f.model, &ewc, fisher, f.model.parameters, &f.data, &a, &held, &error) == TE_OK);
    CHECK(isfinite(held.delta_norm) && held.delta_norm < 0.5 * first.delta_norm);

    /* skip_fisher: no Fisher, and no EWC penalty either */
    te_job_plan skip = ewc;
    skip.skip_fisher = 1;
    te_rng_seed(&a, 5);
    te_job_result skipped;
    CHECK(te_job_run(&f.model, &skip, fisher, f.model.parameters, &f.data, &a, &skipped, &error) == TE_OK);
    CHECK(skipped.fisher == NULL);
    CHECK(memcmp(skipped.delta, first.delta, n * sizeof(float)) == 0);

    /* a label the model has no class for */
    f.labels[7] = 3;
    te_job_result bad;
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &a, &bad, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "example 7 has label 3; the model has 3 classes") != NULL);
    CHECK(bad.delta == NULL);
    te_job_result_free(&first);
    te_job_result_free(&second);
    te_job_result_free(&other);
    te_job_result_free(&held);
    te_job_result_free(&skipped);
    free(fisher);
    te_model_free(&f.model);
}

/* Seen-class masking: the masked softmax of one row by hand (the unseen class's logit, the largest,
 * is neither the argmax nor in the sum, and gets no gradient); then a job on class 0 with class 1
 * in the replay buffer (none replayed per step): class 2's output row and bias move by exactly 0
 * and have no Fisher, class 1's still move (pushed down, as the buffer holds it), and the
 * before/after metrics cover every class as without the mask. */
static void seen_class_masking(void) {
    te_architecture architecture = small_architecture();
    te_workspace workspace;
    CHECK(te_workspace_init(&workspace, &architecture, 2, NULL) == TE_OK);
    workspace.rows = 1;
    workspace.labels[0] = 1;
    float *z = workspace.activations[2], *d = workspace.deltas[2];
    z[0] = 1.0f;
    z[1] = 2.0f;
    z[2] = 5.0f;
    uint8_t mask[3] = {1, 1, 0};
    te_batch_loss masked = te_mlp_loss(&workspace, mask, 1);
    double p1 = exp(2.0) / (exp(1.0) + exp(2.0));
    CHECK(fabs(masked.total - -log(p1)) < 1e-6);
    CHECK(masked.correct == 1);                                  /* argmax among classes 0 and 1 */
    CHECK(d[2] == 0 && fabsf(d[0] - (float)(1 - p1)) < 1e-6f && fabsf(d[1] - (float)(p1 - 1)) < 1e-6f);
    te_batch_loss all = te_mlp_loss(&workspace, NULL, 1);
    CHECK(all.correct == 0 && all.total > masked.total && d[2] > 0.9f);   /* unmasked: class 2 wins and is pushed down */
    te_workspace_free(&workspace);

    fixture f;
    fixture_init(&f);
    size_t n = f.model.parameter_count;
    for (size_t i = 0; i < 40; i++) f.labels[i] = 0;
    te_replay past;
    te_replay_init(&past, 4, 8);
    te_rng rng;
    te_rng_seed(&rng, 2);
    int32_t one = 1;
    for (size_t i = 0; i < 8; i++) CHECK(te_replay_insert(&past, f.features + i * 4, one, &rng, NULL) == TE_OK);
    f.data.replay = &past;
    te_job_plan plan = {.epochs = 2, .batch_size = 8, .learning_rate = 0.1f, .mask_unseen_classes = 1};
    te_job_plan unmasked_plan = plan;
    unmasked_plan.mask_unseen_classes = 0;
    te_job_result on, off;
    te_rng_seed(&rng, 5);
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &rng, &on, NULL) == TE_OK);
    te_rng_seed(&rng, 5);
    CHECK(te_job_run(&f.model, &unmasked_plan, NULL, NULL, &f.data, &rng, &off, NULL) == TE_OK);
    /* the output layer: weights 3 x 5 from parameter 25, biases from 40 */
    size_t weights = 25, biases = 40;
    int class2_still = 1, class2_no_fisher = 1;
    for (size_t k = 0; k < 5; k++) {
        class2_still &= on.delta[weights + 2 * 5 + k] == 0;
        class2_no_fisher &= on.fisher[weights + 2 * 5 + k] == 0;
    }
    CHECK(class2_still && on.delta[biases + 2] == 0);
    CHECK(class2_no_fisher && on.fisher[biases + 2] == 0);
    CHECK(on.delta[biases + 1] < 0 && on.fisher[biases + 1] > 0);   /* the buffer's class: in the softmax */
    CHECK(on.delta[biases + 0] > 0);
    CHECK(off.delta[biases + 2] < 0 && off.fisher[biases + 2] > 0);  /* without the mask, class 2 is pushed down */
    CHECK(on.loss_before == off.loss_before && on.accuracy_before == off.accuracy_before);
    CHECK(norm(on.delta, n) > 0 && memcmp(on.delta, off.delta, n * sizeof(float)) != 0);
    te_job_result_free(&on);
    te_job_result_free(&off);

    /* every class seen (the window's and the buffer's): the mask changes nothing, bit for bit */
    for (size_t i = 0; i < 40; i++) f.labels[i] = (int32_t)(i % 3);
    te_rng_seed(&rng, 5);
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &rng, &on, NULL) == TE_OK);
    te_rng_seed(&rng, 5);
    CHECK(te_job_run(&f.model, &unmasked_plan, NULL, NULL, &f.data, &rng, &off, NULL) == TE_OK);
    CHECK(memcmp(on.delta, off.delta, n * sizeof(float)) == 0 && memcmp(on.fisher, off.fisher, n * sizeof(float)) == 0);
    te_job_result_free(&on);
    te_job_result_free(&off);
    te_replay_free(&past);
    te_model_free(&f.model);
}

/* A ModelPayload in full over `values`, for the decoder. */
typedef struct payload {
    Tributary__V1__ModelPayload payload;
    Tributary__V1__FullModel full;
    Tributary__V1__ParameterSet set;
    Tributary__V1__NamedTensor named[4], *pointers[4];
    Tributary__V1__Tensor tensors[4];
    uint64_t shapes[4][2];
    Tributary__V1__DenseLayer layers[2], *layer_pointers[2];
    Tributary__V1__ModelArchitecture architecture;   /* small_architecture() on the wire */
} payload;

static void payload_build(payload *p, float *values) {
    static char *names[4] = {"dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"};
    uint64_t shapes[4][2] = {{5, 4}, {5, 0}, {3, 5}, {3, 0}};
    size_t offset = 0;
    tributary__v1__parameter_set__init(&p->set);
    for (int i = 0; i < 4; i++) {
        tributary__v1__tensor__init(&p->tensors[i]);
        p->tensors[i].dtype = TRIBUTARY__V1__DTYPE__DTYPE_FLOAT32;
        memcpy(p->shapes[i], shapes[i], sizeof shapes[i]);
        p->tensors[i].n_shape = i % 2 == 0 ? 2 : 1;
        p->tensors[i].shape = p->shapes[i];
        size_t count = i % 2 == 0 ? shapes[i][0] * shapes[i][1] : shapes[i][0];
        p->tensors[i].data.data = (uint8_t *)(values + offset);
        p->tensors[i].data.len = count * 4;
        offset += count;
        tributary__v1__named_tensor__init(&p->named[i]);
        p->named[i].name = names[i];
        p->named[i].tensor = &p->tensors[i];
        p->pointers[i] = &p->named[i];
    }
    p->set.n_tensors = 4;
    p->set.tensors = p->pointers;
    tributary__v1__full_model__init(&p->full);
    p->full.parameters = &p->set;
    tributary__v1__model_payload__init(&p->payload);
    p->payload.payload_case = TRIBUTARY__V1__MODEL_PAYLOAD__PAYLOAD_FULL;
    p->payload.full = &p->full;
    for (int i = 0; i < 2; i++) {
        tributary__v1__dense_layer__init(&p->layers[i]);
        p->layers[i].units = i == 0 ? 5 : 3;
        p->layers[i].activation = i == 0 ? TRIBUTARY__V1__ACTIVATION__ACTIVATION_TANH : TRIBUTARY__V1__ACTIVATION__ACTIVATION_IDENTITY;
        p->layer_pointers[i] = &p->layers[i];
    }
    tributary__v1__model_architecture__init(&p->architecture);
    p->architecture.input_size = 4;
    p->architecture.n_layers = 2;
    p->architecture.layers = p->layer_pointers;
    p->architecture.loss = TRIBUTARY__V1__LOSS__LOSS_SOFTMAX_CROSS_ENTROPY;
}

static void model_payloads(void) {
    float values[43];
    for (int j = 0; j < 43; j++) values[j] = (float)j;
    payload p;
    payload_build(&p, values);
    te_model model, next;
    te_error error;
    CHECK(te_model_from_payload(NULL, &p.architecture, &p.payload, 1, &model, &error) == TE_OK);
    CHECK(model.parameter_count == 43 && model.parameters[42] == 42.0f && model.version == 1);

    /* a delta against the held version adds, tensor by tensor */
    Tributary__V1__ModelDelta delta = TRIBUTARY__V1__MODEL_DELTA__INIT;
    delta.base_version = 1;
    delta.delta = &p.set;
    Tributary__V1__ModelPayload as_delta = TRIBUTARY__V1__MODEL_PAYLOAD__INIT;
    as_delta.payload_case = TRIBUTARY__V1__MODEL_PAYLOAD__PAYLOAD_DELTA;
    as_delta.delta = &delta;
    CHECK(te_model_from_payload(&model, NULL, &as_delta, 2, &next, &error) == TE_OK);
    CHECK(next.parameters[42] == 84.0f && next.version == 2);
    te_model_free(&next);
    delta.base_version = 5;
    CHECK(te_model_from_payload(&model, NULL, &as_delta, 6, &next, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "base_version is 5; this client holds version 1") != NULL);

    /* refusals name the tensor and the value */
    p.named[2].name = "dense9.weight";
    CHECK(te_model_from_payload(NULL, &p.architecture, &p.payload, 1, &next, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "tensors[2] is named \"dense9.weight\"; the model's layout has \"dense2.weight\"") != NULL);
    p.named[2].name = "dense2.weight";
    p.tensors[1].data.len = 16;
    CHECK(te_model_from_payload(NULL, &p.architecture, &p.payload, 1, &next, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "(\"dense1.bias\").data is 16 bytes; 5 float32 elements need 20") != NULL);
    p.tensors[1].data.len = 20;
    p.tensors[0].dtype = TRIBUTARY__V1__DTYPE__DTYPE_FLOAT16;
    CHECK(te_model_from_payload(NULL, &p.architecture, &p.payload, 1, &next, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "dtype is 2; only DTYPE_FLOAT32") != NULL);
    p.tensors[0].dtype = TRIBUTARY__V1__DTYPE__DTYPE_FLOAT32;
    p.shapes[0][1] = 3;
    CHECK(te_model_from_payload(NULL, &p.architecture, &p.payload, 1, &next, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "shape is [5, 3]; the model's layout has [5, 4]") != NULL);
    p.layers[0].units = 0;
    CHECK(te_model_from_payload(NULL, &p.architecture, &p.payload, 1, &next, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "layers[0].units is 0") != NULL);
    te_model_free(&model);
}

static void replay_reservoir_and_replayed_steps(void) {
    te_replay replay;
    te_replay_init(&replay, 4, 10);
    te_rng rng;
    te_rng_seed(&rng, 9);
    float row[4] = {0};
    int kept_late = 0;
    for (int i = 0; i < 1000; i++) {
        row[0] = (float)i;
        CHECK(te_replay_insert(&replay, row, i % 3, &rng, NULL) == TE_OK);
    }
    CHECK(replay.count == 10 && replay.seen == 1000);
    for (size_t i = 0; i < replay.count; i++) kept_late |= replay.features[i * 4] >= 10;   /* the reservoir moved on */
    CHECK(kept_late);
    size_t pool[10], picks[10];
    size_t picked = te_replay_sample(&replay, 4, &rng, pool, picks);
    CHECK(picked == 4);
    int distinct = 1;
    for (size_t i = 0; i < 4; i++) for (size_t j = i + 1; j < 4; j++) distinct &= picks[i] != picks[j];
    CHECK(distinct);
    CHECK(te_replay_sample(&replay, 50, &rng, pool, picks) == 10);

    /* a job with replay: each step mixes replay_size examples in */
    fixture f;
    fixture_init(&f);
    te_replay past;
    te_replay_init(&past, 4, 16);
    for (size_t i = 0; i < 16; i++) te_replay_insert(&past, f.features + i * 4, f.labels[i], &rng, NULL);
    f.data.replay = &past;
    te_job_plan plan = {.epochs = 2, .batch_size = 8, .learning_rate = 0.1f, .replay_size = 3};
    te_job_result result;
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &rng, &result, NULL) == TE_OK);
    CHECK(result.steps == 10 && result.replayed == 30);
    te_job_result_free(&result);
    te_replay_free(&past);
    te_replay_free(&replay);
    te_model_free(&f.model);
}

static void predictions_from_the_held_model(void) {
    te_edge *edge = calloc(1, sizeof *edge);   /* no TLS needed: te_predict reads the held model only */
    float probabilities[3];
    int32_t predicted = -1;
    CHECK(te_predict(edge, (float[4]){0}, 4, probabilities, 3, &predicted) == TE_ERR_CONFIG);
    CHECK(strstr(te_last_error(edge), "no model is held yet") != NULL);
    fixture f;
    fixture_init(&f);
    edge->model = f.model;
    size_t right = 0;
    for (size_t i = 0; i < 40; i++) {
        CHECK(te_predict(edge, f.features + i * 4, 4, probabilities, 3, &predicted) == TE_OK);
        CHECK(predicted >= 0 && predicted < 3);
        CHECK(fabsf(probabilities[0] + probabilities[1] + probabilities[2] - 1) < 1e-5f);
        CHECK(probabilities[predicted] >= probabilities[0] && probabilities[predicted] >= probabilities[1] &&
              probabilities[predicted] >= probabilities[2]);
        right += predicted == f.labels[i];
    }
    /* after a job, the trained parameters predict its data better than chance */
    te_job_plan plan = {.epochs = 20, .batch_size = 8, .learning_rate = 0.1f};
    te_rng rng;
    te_rng_seed(&rng, 1);
    te_job_result result;
    CHECK(te_job_run(&f.model, &plan, NULL, NULL, &f.data, &rng, &result, NULL) == TE_OK);
    for (size_t j = 0; j < f.model.parameter_count; j++) edge->model.parameters[j] += result.delta[j];
    size_t trained = 0;
    for (size_t i = 0; i < 40; i++) {
        te_predict(edge, f.features + i * 4, 4, NULL, 0, &predicted);
        trained += predicted == f.labels[i];
    }
    CHECK(trained >= 30 && trained >= right);
    CHECK(te_predict(edge, f.features, 3, NULL, 0, &predicted) == TE_ERR_CONFIG);
    CHECK(strstr(te_last_error(edge), "features: 3 values, the model takes 4") != NULL);
    CHECK(te_predict(edge, f.features, 4, probabilities, 2, &predicted) == TE_ERR_CONFIG);
    te_job_result_free(&result);
    te_model_free(&edge->model);
    free(edge);
}

/* The message's standardiser: each malformed part refused by name and value; applied as (x - mean) / std. */
static void preprocessing_checked_and_applied(void) {
    float mean[4] = {1000, 0, -2, 0.5f}, std[4] = {250, 1, 4, 0.25f};
    char *names[4] = {"a", "b", "c", "d"};
    Tributary__V1__Preprocessing wire = TRIBUTARY__V1__PREPROCESSING__INIT;
    wire.feature_count = 4;
    wire.n_feature_names = 4;
    wire.feature_names = names;
    wire.n_mean = wire.n_std = 4;
    wire.mean = mean;
    wire.std = std;
    te_preprocessing p = {0}, identity = {0};
    te_error error;
    CHECK(te_preprocessing_from_wire(NULL, 4, "RoundOffer.preprocessing", &identity, &error) == TE_OK && identity.mean == NULL);
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_OK && p.count == 4);
    CHECK(!te_preprocessing_equal(&p, &identity) && te_preprocessing_equal(&p, &p) && te_preprocessing_equal(&identity, &identity));
    float rows[8] = {1250, 3, 2, 0.5f, 500, -1, -2, 1};
    te_preprocessing_apply(&p, rows, 2, 4);
    float expected[8] = {1, 3, 1, 0, -2, -1, 0, 2};
    CHECK(memcmp(rows, expected, sizeof rows) == 0);
    te_preprocessing_apply(&p, rows, 1, 3);   /* another width: left alone (callers refuse it by its width) */
    CHECK(rows[0] == 1);
    te_preprocessing_apply(&identity, rows, 2, 4);
    CHECK(memcmp(rows, expected, sizeof rows) == 0);
    te_preprocessing_free(&p);

    wire.n_mean = wire.n_std = 0;   /* names only: identity */
    CHECK(te_preprocessing_from_wire(&wire, 4, "ModelRelease.preprocessing", &p, &error) == TE_OK && p.mean == NULL);
    wire.n_mean = wire.n_std = 4;
    CHECK(te_preprocessing_from_wire(&wire, 5, "ModelRelease.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "ModelRelease.preprocessing.feature_count is 4; the model takes 5 features") != NULL);
    wire.n_std = 3;
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "RoundOffer.preprocessing: standardiser has 4 means and 3 stds for 4 features") != NULL);
    wire.n_std = 4;
    wire.n_feature_names = 3;
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "3 feature names for 4 features") != NULL);
    wire.n_feature_names = 4;
    names[3] = "b";
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "feature names 1 and 3 are both \"b\"") != NULL);
    names[3] = "d";
    mean[2] = NAN;
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "RoundOffer.preprocessing: mean of feature 2 is nan; must be finite") != NULL);
    mean[2] = -2;
    std[1] = 0;
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "std of feature 1 is 0; must be finite and > 0") != NULL);
    std[1] = INFINITY;
    CHECK(te_preprocessing_from_wire(&wire, 4, "RoundOffer.preprocessing", &p, &error) == TE_ERR_INVALID_MESSAGE);
    CHECK(strstr(error.reason, "std of feature 1 is inf") != NULL);
    CHECK(p.mean == NULL);
}

/* A release with a standardiser: the model takes it, predictions and retired examples are
 * standardised, the replay buffer of raw examples is emptied; a release with another standardiser
 * empties it again, one with the same keeps it. */
static void preprocessing_adopted_with_a_release(void) {
    te_edge *edge = calloc(1, sizeof *edge);   /* no TLS: te_deliver adopts a release without writing */
    te_rng_seed(&edge->rng, 5);
    CHECK(te_dataset_init(&edge->window, 4, 2, NULL) == TE_OK);
    te_replay_init(&edge->replay, 4, 10);
    edge->window.retired = &edge->replay;
    edge->window.retire_with = &edge->model.preprocessing;
    edge->window.rng = &edge->rng;
    float raw[4] = {1250, 3, 2, 0.5f};
    for (int i = 0; i < 3; i++) CHECK(te_dataset_add(&edge->window, raw, 4, 1, NULL) == TE_OK);
    CHECK(edge->replay.count == 1 && edge->replay.features[0] == 1250);   /* no model yet: raw */

    float values[43];
    te_rng rng;
    te_rng_seed(&rng, 3);
    for (int j = 0; j < 43; j++) values[j] = uniform(&rng);
    payload p;
    payload_build(&p, values);
    float mean[4] = {1000, 0, -2, 0.5f}, std[4] = {250, 1, 4, 0.25f};
    Tributary__V1__Preprocessing standardiser = TRIBUTARY__V1__PREPROCESSING__INIT;
    standardiser.feature_count = 4;
    standardiser.n_mean = standardiser.n_std = 4;
    standardiser.mean = mean;
    standardiser.std = std;
    Tributary__V1__ModelRelease release = TRIBUTARY__V1__MODEL_RELEASE__INIT;
    release.version = 1;
    release.architecture = &p.architecture;
    release.model = &p.payload;
    release.preprocessing = &standardiser;
    te_envelope message = TRIBUTARY__V1__ENVELOPE__INIT;
    message.message_case = TRIBUTARY__V1__ENVELOPE__MESSAGE_MODEL_RELEASE;
    message.model_release = &release;
    te_error error;
    CHECK(te_deliver(edge, NULL, &message, &error) == TE_OK);
    CHECK(edge->model.version == 1 && edge->model.preprocessing.mean != NULL && edge->model.preprocessing.std[0] == 250);
    CHECK(edge->replay.count == 0 && edge->replay.seen == 0);   /* raw examples: not the new model's inputs */

    /* an example leaving the window goes into the replay buffer standardised; the window stays raw */
    CHECK(te_dataset_add(&edge->window, raw, 4, 2, NULL) == TE_OK);
    float standardised[4] = {1, 3, 1, 0};
    CHECK(edge->replay.count == 1 && memcmp(edge->replay.features, standardised, sizeof standardised) == 0);
    CHECK(edge->window.features[0] == 1250 || edge->window.features[4] == 1250);

    /* predict standardises the raw row: the same class and probabilities as the standardised row under identity */
    float probabilities[3], identity_probabilities[3];
    int32_t predicted = -1, identity_predicted = -2;
    CHECK(te_predict(edge, raw, 4, probabilities, 3, &predicted) == TE_OK);
    te_preprocessing kept = edge->model.preprocessing;
    edge->model.preprocessing = (te_preprocessing){0};
    CHECK(te_predict(edge, standardised, 4, identity_probabilities, 3, &identity_predicted) == TE_OK);
    edge->model.preprocessing = kept;
    CHECK(predicted == identity_predicted && memcmp(probabilities, identity_probabilities, sizeof probabilities) == 0);

    /* the same standardiser again: the replay buffer stays; another: emptied */
    release.version = 2;
    release.parent_version = 1;
    CHECK(te_deliver(edge, NULL, &message, &error) == TE_OK && edge->model.version == 2 && edge->replay.count == 1);
    std[0] = 500;
    release.version = 3;
    release.parent_version = 2;
    CHECK(te_deliver(edge, NULL, &message, &error) == TE_OK && edge->model.version == 3 && edge->replay.count == 0);
    /* a bad standardiser: refused by name, the held model kept */
    std[0] = -1;
    release.version = 4;
    release.parent_version = 3;
    CHECK(te_deliver(edge, NULL, &message, &error) == TE_ERR_INVALID_MESSAGE && edge->model.version == 3);
    CHECK(strstr(error.reason, "ModelRelease.preprocessing: std of feature 0 is -1; must be finite and > 0") != NULL);
    te_model_free(&edge->model);
    te_dataset_free(&edge->window);
    te_replay_free(&edge->replay);
    free(edge);
}

/* The plan's max_examples: a round trains on the newest N of the window, oldest of them first
 * (the Swift edge reads its window the same way), across the ring buffer's wrap. */
static void newest_examples_of_the_window(void) {
    te_dataset window;
    te_error error = {0};
    CHECK(te_dataset_init(&window, 2, 4, &error) == TE_OK);
    for (int i = 0; i < 6; i++) {   /* 6 into a window of 4: holds 2, 3, 4, 5 */
        float row[2] = {(float)i, (float)(10 * i)};
        CHECK(te_dataset_add(&window, row, 2, i, &error) == TE_OK);
    }
    float features[8] = {0};
    int32_t labels[4] = {-1, -1, -1, -1};
    te_dataset_copy_newest(&window, 3, features, labels);
    CHECK(labels[0] == 3 && labels[1] == 4 && labels[2] == 5 && labels[3] == -1);
    CHECK(features[0] == 3.0f && features[1] == 30.0f && features[4] == 5.0f && features[5] == 50.0f);
    te_dataset_copy_newest(&window, 9, features, labels);   /* more than it holds: all of it */
    CHECK(labels[0] == 2 && labels[3] == 5);
    te_dataset_free(&window);
}

int main(void) {
    newest_examples_of_the_window();
    predictions_from_the_held_model();
    replay_reservoir_and_replayed_steps();
    generator();
    gradient_matches_finite_differences();
    job_is_deterministic_and_learns();
    seen_class_masking();
    model_payloads();
    preprocessing_checked_and_applied();
    preprocessing_adopted_with_a_release();
    CHECK_DONE("test_job");
}
