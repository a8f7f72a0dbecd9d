/* test_checkpoint.c: the checkpoint round-trips; a damaged, truncated or foreign file is refused
 * naming the file; a missing one is not an error; and a writer killed with SIGKILL at seeded
 * random moments mid-save always leaves a complete checkpoint, the old one or the new one. The
 * model's standardiser is kept (format 2); a format-1 file (before standardisers) still loads. */
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "checkpoint.h"

static te_model make_model(uint64_t version, size_t hidden) {
    te_model model = {.version = version};
    model.architecture.input_size = 64;
    model.architecture.layer_count = 2;
    model.architecture.units[0] = (uint32_t)hidden;
    model.architecture.activation[0] = TRIBUTARY__V1__ACTIVATION__ACTIVATION_RELU;
    model.architecture.units[1] = 10;
    model.architecture.activation[1] = TRIBUTARY__V1__ACTIVATION__ACTIVATION_IDENTITY;
    model.architecture.loss = TRIBUTARY__V1__LOSS__LOSS_SOFTMAX_CROSS_ENTROPY;
    model.parameter_count = te_architecture_parameter_count(&model.architecture);
    model.parameters = malloc(model.parameter_count * sizeof(float));
    for (size_t j = 0; j < model.parameter_count; j++) model.parameters[j] = (float)version;   /* every value = the version */
    return model;
}

/* What a save-and-load test holds: the saved parts and room for the loaded ones. */
typedef struct fixture {
    char path[512];
    te_model model, loaded;
    te_rng rng, rng_loaded;
    te_replay replay, replay_loaded;
} fixture;

static void fixture_init(fixture *f, const char *dir, const char *name, uint64_t version, size_t hidden, uint64_t seed,
                         size_t replay_capacity) {
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    f->model = make_model(version, hidden);
    te_rng_seed(&f->rng, seed);
    te_replay_init(&f->replay, 64, replay_capacity);
    te_replay_init(&f->replay_loaded, 0, 0);
}

static void fixture_free(fixture *f) {
    te_model_free(&f->model);
    te_model_free(&f->loaded);
    te_replay_free(&f->replay);
    te_replay_free(&f->replay_loaded);
    unlink(f->path);
}

static void round_trip_and_refusals(const char *dir) {
    fixture f;
    fixture_init(&f, dir, "edge.ckpt", 3, 32, 42, 20);
    const char *path = f.path;
    float row[64];
    for (int i = 0; i < 50; i++) {
        for (int k = 0; k < 64; k++) row[k] = (float)(i * 64 + k);
        te_replay_insert(&f.replay, row, i % 10, &f.rng, NULL);
    }
    te_error error;
    int found = -1;
    CHECK(te_checkpoint_load(path, &f.loaded, &f.rng_loaded, &f.replay_loaded, NULL, &found, &error) == TE_OK && found == 0);
    CHECK(te_checkpoint_save(path, &f.model, &f.rng, &f.replay, NULL, &error) == TE_OK);
    CHECK(te_checkpoint_load(path, &f.loaded, &f.rng_loaded, &f.replay_loaded, NULL, &found, &error) == TE_OK && found == 1);
    CHECK(f.loaded.version == 3 && f.loaded.parameter_count == f.model.parameter_count);
    CHECK(memcmp(f.loaded.parameters, f.model.parameters, f.model.parameter_count * sizeof(float)) == 0);
    CHECK(te_architecture_equal(&f.loaded.architecture, &f.model.architecture));
    CHECK(memcmp(f.rng_loaded.state, f.rng.state, sizeof f.rng.state) == 0);
    CHECK(f.replay_loaded.count == 20 && f.replay_loaded.seen == 50 && f.replay_loaded.capacity == 20);
    CHECK(memcmp(f.replay_loaded.features, f.replay.features, 20 * 64 * sizeof(float)) == 0);
    CHECK(memcmp(f.replay_loaded.labels, f.replay.labels, 20 * sizeof(int32_t)) == 0);

    /* one flipped byte: refused by the checksum, and nothing loaded */
    FILE *file = fopen(path, "r+b");
    fseek(file, 100, SEEK_SET);
    int byte = fgetc(file);
    fseek(file, 100, SEEK_SET);
    fputc(byte ^ 0x01, file);
    fclose(file);
    te_model untouched = {0};
    CHECK(te_checkpoint_load(path, &untouched, &f.rng_loaded, &f.replay_loaded, NULL, &found, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "SHA-256 does not match") != NULL && strstr(error.reason, path) != NULL);
    CHECK(untouched.parameters == NULL && found == 0);

    /* truncated, and not a checkpoint at all */
    CHECK(truncate(path, 20) == 0);
    CHECK(te_checkpoint_load(path, &untouched, &f.rng_loaded, &f.replay_loaded, NULL, &found, &error) == TE_ERR_CONFIG);
    file = fopen(path, "wb");
    fputs("a text file, not a checkpoint, long enough to have a digest's worth of bytes", file);
    fclose(file);
    CHECK(te_checkpoint_load(path, &untouched, &f.rng_loaded, &f.replay_loaded, NULL, &found, &error) == TE_ERR_CONFIG);
    fixture_free(&f);
}

static void read_whole(const char *path, uint8_t **bytes, size_t *size) {
    FILE *file = fopen(path, "rb");
    fseek(file, 0, SEEK_END);
    *size = (size_t)ftell(file);
    rewind(file);
    *bytes = malloc(*size);
    *size = fread(*bytes, 1, *size, file);
    fclose(file);
}

static void write_whole(const char *path, const uint8_t *bytes, size_t size) {
    FILE *file = fopen(path, "wb");
    fwrite(bytes, 1, size, file);
    fclose(file);
}

/* The standardiser round-trips; a format-1 file (magic TRIBCEK1, no standardiser) loads as raw features. */
static void standardiser_kept_and_format_1_loads(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/standardised.ckpt", dir);
    te_model model = make_model(4, 8), loaded = {0};
    float mean[64], std[64];
    for (int k = 0; k < 64; k++) { mean[k] = 1000.0f + (float)k; std[k] = 0.5f + (float)k; }
    CHECK(te_preprocessing_make(mean, std, 64, "test", &model.preprocessing, NULL) == TE_OK);
    te_rng rng, rng_loaded;
    te_rng_seed(&rng, 3);
    te_replay replay, replay_loaded;
    te_replay_init(&replay, 64, 5);
    te_replay_init(&replay_loaded, 0, 0);
    te_error error;
    int found = 0;
    CHECK(te_checkpoint_save(path, &model, &rng, &replay, NULL, &error) == TE_OK);
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, NULL, &found, &error) == TE_OK && found == 1);
    CHECK(te_preprocessing_equal(&loaded.preprocessing, &model.preprocessing) && loaded.preprocessing.count == 64);
    CHECK(memcmp(loaded.parameters, model.parameters, model.parameter_count * sizeof(float)) == 0);

    /* formats 2 and 1: the same file without format 3's part (80 bytes when empty), magic ...K2;
     * then also without the standardiser's count, magic ...K1; their digests recomputed */
    te_preprocessing_free(&model.preprocessing);
    CHECK(te_checkpoint_save(path, &model, &rng, &replay, NULL, &error) == TE_OK);
    uint8_t *bytes;
    size_t size;
    read_whole(path, &bytes, &size);
    size_t format_3_part = 2 * 8 + 5 * 8 + 3 * 8;
    memmove(bytes + size - SHA256_DIGEST_LENGTH - format_3_part, bytes + size - SHA256_DIGEST_LENGTH, SHA256_DIGEST_LENGTH);
    size -= format_3_part;
    bytes[7] = '2';
    SHA256(bytes, size - SHA256_DIGEST_LENGTH, bytes + size - SHA256_DIGEST_LENGTH);
    write_whole(path, bytes, size);
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, NULL, &found, &error) == TE_OK && found == 1);
    CHECK(loaded.version == 4 && loaded.preprocessing.mean == NULL && replay_loaded.capacity == 5);
    size_t at = 8 + 4 * 8 + 2 * 2 * 8 + 8 + model.parameter_count * sizeof(float);   /* the count after the parameters */
    uint64_t count = 1;
    memcpy(&count, bytes + at, 8);
    CHECK(count == 0);
    memmove(bytes + at, bytes + at + 8, size - at - 8);
    size -= 8;
    bytes[7] = '1';
    SHA256(bytes, size - SHA256_DIGEST_LENGTH, bytes + size - SHA256_DIGEST_LENGTH);
    write_whole(path, bytes, size);
    free(bytes);
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, NULL, &found, &error) == TE_OK && found == 1);
    CHECK(loaded.version == 4 && loaded.preprocessing.mean == NULL);
    CHECK(memcmp(loaded.parameters, model.parameters, model.parameter_count * sizeof(float)) == 0);
    CHECK(memcmp(rng_loaded.state, rng.state, sizeof rng.state) == 0 && replay_loaded.capacity == 5);
    te_model_free(&model);
    te_model_free(&loaded);
    te_replay_free(&replay);
    te_replay_free(&replay_loaded);
    unlink(path);
}

/* Format 3: the window (raw, oldest first), the trigger's count and pending reason, the live
 * counts and the kept Update come back; a smaller window keeps the newest; other features are refused. */
static void window_trigger_live_and_kept_update_round_trip(const char *dir) {
    fixture f;
    fixture_init(&f, dir, "format3.ckpt", 6, 16, 9, 4);
    const char *path = f.path;
    te_dataset window, restored;
    te_error error;
    CHECK(te_dataset_init(&window, 64, 10, &error) == TE_OK);
    float row[64];
    for (int i = 0; i < 13; i++) {   /* 13 into a window of 10: it wrapped, the oldest 3 left */
        for (int k = 0; k < 64; k++) row[k] = (float)(i * 100 + k);
        CHECK(te_dataset_add(&window, row, 64, i % 7, &error) == TE_OK);
    }
    te_job_result kept = {0};
    kept.delta = malloc(f.model.parameter_count * sizeof(float));
    kept.fisher = malloc(f.model.parameter_count * sizeof(float));
    for (size_t j = 0; j < f.model.parameter_count; j++) { kept.delta[j] = 0.5f * (float)j; kept.fisher[j] = (float)j * (float)j; }
    kept.examples = 10;
    kept.steps = 3;
    kept.accuracy_after = 0.75;
    kept.delta_norm = 1.25;
    te_checkpoint_extra extra = {.window = &window, .new_examples = 42, .pending = TE_REASON_DRIFT, .live_version = 6,
                                 .live_outcomes = 20, .live_correct = 15, .answered = &kept, .answered_round = 8,
                                 .answered_base_version = 6, .answered_parameters = f.model.parameter_count};
    CHECK(te_checkpoint_save(path, &f.model, &f.rng, &f.replay, &extra, &error) == TE_OK);

    CHECK(te_dataset_init(&restored, 64, 4, &error) == TE_OK);   /* a smaller window: the newest 4 */
    te_job_result answered = {0};
    te_checkpoint_extra back = {.window = &restored, .answered = &answered};
    int found = 0;
    CHECK(te_checkpoint_load(path, &f.loaded, &f.rng_loaded, &f.replay_loaded, &back, &found, &error) == TE_OK && found == 1);
    CHECK(restored.count == 4);
    float *features = malloc(4 * 64 * sizeof(float));
    int32_t labels[4];
    te_dataset_copy(&restored, features, labels);
    for (int i = 0; i < 4; i++) {
        CHECK(features[i * 64] == (float)((9 + i) * 100) && features[i * 64 + 63] == (float)((9 + i) * 100 + 63));
        CHECK(labels[i] == (9 + i) % 7);
    }
    free(features);
    CHECK(back.new_examples == 42 && back.pending == TE_REASON_DRIFT);
    CHECK(back.live_version == 6 && back.live_outcomes == 20 && back.live_correct == 15);
    CHECK(back.answered_round == 8 && back.answered_base_version == 6 && back.answered_parameters == f.model.parameter_count);
    CHECK(answered.delta != NULL && answered.fisher != NULL);
    if (answered.delta != NULL && answered.fisher != NULL) {
        CHECK(memcmp(answered.delta, kept.delta, f.model.parameter_count * sizeof(float)) == 0);
        CHECK(memcmp(answered.fisher, kept.fisher, f.model.parameter_count * sizeof(float)) == 0);
    }
    CHECK(answered.examples == 10 && answered.steps == 3 && answered.accuracy_after == 0.75 && answered.delta_norm == 1.25);

    /* a client of another feature count: refused, naming both */
    te_dataset other;
    CHECK(te_dataset_init(&other, 32, 10, &error) == TE_OK);
    te_checkpoint_extra wrong = {.window = &other};
    te_model untouched = {0};
    CHECK(te_checkpoint_load(path, &untouched, &f.rng_loaded, &f.replay_loaded, &wrong, &found, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "keeps a window of examples of 64 features; features is 32") != NULL);
    te_model_free(&untouched);
    te_dataset_free(&other);

    te_job_result_free(&kept);
    te_job_result_free(&answered);
    te_dataset_free(&window);
    te_dataset_free(&restored);
    fixture_free(&f);
}

/* Saves versions 1, 2, 3, ... as fast as it can, until killed. */
static void write_versions(const char *path) {
    te_rng rng;
    te_rng_seed(&rng, 1);
    te_replay replay;
    te_replay_init(&replay, 64, 0);
    for (uint64_t version = 1;; version++) {
        te_model model = make_model(version, 256);   /* ~19k parameters: a save takes a while */
        te_checkpoint_save(path, &model, &rng, &replay, NULL, NULL);
        te_model_free(&model);
    }
}

/* The checkpoint loads and holds one save's content (every parameter = its version), never a
 * mix; its version in *version (0 when it does not). */
static void check_whole(const char *path, uint64_t *version) {
    te_model loaded = {0};
    te_rng rng;
    te_replay replay;
    te_replay_init(&replay, 0, 0);
    te_error error;
    int found = 0;
    te_status status = te_checkpoint_load(path, &loaded, &rng, &replay, NULL, &found, &error);
    if (status != TE_OK) {
        fprintf(stderr, "%s\n", error.reason);
    }
    CHECK(status == TE_OK);
    CHECK(found);
    *version = 0;
    if (status == TE_OK && found) {
        int whole = 1;
        for (size_t j = 0; j < loaded.parameter_count; j++) whole &= loaded.parameters[j] == (float)loaded.version;
        CHECK(whole);   /* one save's content, never a mix */
        *version = whole ? loaded.version : 0;
    }
    te_model_free(&loaded);
    te_replay_free(&replay);
}

/* A child saves versions 1, 2, 3, ... as fast as it can; it is killed at a seeded random moment.
 * (Under qemu-user, where a forked child never runs, scripts/c-edge-cross.sh runs the same trials
 * with `test_checkpoint writer` and `verify` as separate processes.) */
static void killed_mid_save_leaves_old_or_new(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/killed.ckpt", dir);
    te_rng timing;
    te_rng_seed(&timing, 7);
    uint64_t last_version = 0;
    for (int trial = 0; trial < 12; trial++) {
        pid_t child = fork();
        if (child == 0) {
            write_versions(path);
        }
        /* wait for a first complete save, so every trial has an old checkpoint to keep (however
         * slow the machine: the wait is a hang guard of 10 minutes), then kill at a seeded random moment */
        for (int waited = 0; waited < 600000 && access(path, F_OK) != 0; waited++) {
            struct timespec millisecond = {0, 1000000};
            nanosleep(&millisecond, NULL);
        }
        struct timespec pause = {0, (long)(te_rng_below(&timing, 40000000))};   /* 0 to 40 ms */
        nanosleep(&pause, NULL);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        check_whole(path, &last_version);
    }
    CHECK(last_version > 0);
    unlink(path);
    char temporary[600];
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    unlink(temporary);
}

/*   test_checkpoint                    every test
 *   test_checkpoint --no-kill-trials   all but the SIGKILL trials (for qemu-user: its forked children never run)
 *   test_checkpoint writer PATH        saves versions 1, 2, ... into PATH until killed
 *   test_checkpoint verify PATH        exit 0 when PATH loads and holds one save's content */
int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "writer") == 0) {
        write_versions(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "verify") == 0) {
        uint64_t version = 0;
        check_whole(argv[2], &version);
        printf("%s: version %llu, whole\n", argv[2], (unsigned long long)version);
        CHECK(version > 0);
        CHECK_DONE("test_checkpoint verify");
    }
    int kill_trials = !(argc == 2 && strcmp(argv[1], "--no-kill-trials") == 0);
    char dir[] = "/tmp/te-checkpoint-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    round_trip_and_refusals(dir);
    standardiser_kept_and_format_1_loads(dir);
    window_trigger_live_and_kept_update_round_trip(dir);
    if (kill_trials) {
        killed_mid_save_leaves_old_or_new(dir);
    }
    rmdir(dir);
    CHECK_DONE("test_checkpoint");
}
