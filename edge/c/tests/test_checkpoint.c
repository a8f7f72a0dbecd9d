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

static void round_trip_and_refusals(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/edge.ckpt", dir);
    te_model model = make_model(3, 32), loaded = {0};
    te_rng rng, rng_loaded;
    te_rng_seed(&rng, 42);
    te_replay replay, replay_loaded;
    te_replay_init(&replay, 64, 20);
    te_replay_init(&replay_loaded, 0, 0);
    float row[64];
    for (int i = 0; i < 50; i++) {
        for (int k = 0; k < 64; k++) row[k] = (float)(i * 64 + k);
        te_replay_insert(&replay, row, i % 10, &rng, NULL);
    }
    te_error error;
    int found = -1;
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, &found, &error) == TE_OK && found == 0);
    CHECK(te_checkpoint_save(path, &model, &rng, &replay, &error) == TE_OK);
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, &found, &error) == TE_OK && found == 1);
    CHECK(loaded.version == 3 && loaded.parameter_count == model.parameter_count);
    CHECK(memcmp(loaded.parameters, model.parameters, model.parameter_count * sizeof(float)) == 0);
    CHECK(te_architecture_equal(&loaded.architecture, &model.architecture));
    CHECK(memcmp(rng_loaded.state, rng.state, sizeof rng.state) == 0);
    CHECK(replay_loaded.count == 20 && replay_loaded.seen == 50 && replay_loaded.capacity == 20);
    CHECK(memcmp(replay_loaded.features, replay.features, 20 * 64 * sizeof(float)) == 0);
    CHECK(memcmp(replay_loaded.labels, replay.labels, 20 * sizeof(int32_t)) == 0);

    /* one flipped byte: refused by the checksum, and nothing loaded */
    FILE *file = fopen(path, "r+b");
    fseek(file, 100, SEEK_SET);
    int byte = fgetc(file);
    fseek(file, 100, SEEK_SET);
    fputc(byte ^ 0x01, file);
    fclose(file);
    te_model untouched = {0};
    CHECK(te_checkpoint_load(path, &untouched, &rng_loaded, &replay_loaded, &found, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "SHA-256 does not match") != NULL && strstr(error.reason, path) != NULL);
    CHECK(untouched.parameters == NULL && found == 0);

    /* truncated, and not a checkpoint at all */
    CHECK(truncate(path, 20) == 0);
    CHECK(te_checkpoint_load(path, &untouched, &rng_loaded, &replay_loaded, &found, &error) == TE_ERR_CONFIG);
    file = fopen(path, "wb");
    fputs("a text file, not a checkpoint, long enough to have a digest's worth of bytes", file);
    fclose(file);
    CHECK(te_checkpoint_load(path, &untouched, &rng_loaded, &replay_loaded, &found, &error) == TE_ERR_CONFIG);
    te_model_free(&model);
    te_model_free(&loaded);
    te_replay_free(&replay);
    te_replay_free(&replay_loaded);
    unlink(path);
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
    CHECK(te_checkpoint_save(path, &model, &rng, &replay, &error) == TE_OK);
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, &found, &error) == TE_OK && found == 1);
    CHECK(te_preprocessing_equal(&loaded.preprocessing, &model.preprocessing) && loaded.preprocessing.count == 64);
    CHECK(memcmp(loaded.parameters, model.parameters, model.parameter_count * sizeof(float)) == 0);

    /* format 1: the same file without the standardiser's count, magic ...K1, its digest recomputed */
    te_preprocessing_free(&model.preprocessing);
    CHECK(te_checkpoint_save(path, &model, &rng, &replay, &error) == TE_OK);
    uint8_t *bytes;
    size_t size;
    read_whole(path, &bytes, &size);
    size_t at = 8 + 4 * 8 + 2 * 2 * 8 + 8 + model.parameter_count * sizeof(float);   /* the count after the parameters */
    uint64_t count = 1;
    memcpy(&count, bytes + at, 8);
    CHECK(count == 0);
    memmove(bytes + at, bytes + at + 8, size - at - 8);
    size -= 8;
    bytes[7] = '1';
    SHA256(bytes, size - SHA256_DIGEST_LENGTH, bytes + size - SHA256_DIGEST_LENGTH);
    FILE *file = fopen(path, "wb");
    fwrite(bytes, 1, size, file);
    fclose(file);
    free(bytes);
    CHECK(te_checkpoint_load(path, &loaded, &rng_loaded, &replay_loaded, &found, &error) == TE_OK && found == 1);
    CHECK(loaded.version == 4 && loaded.preprocessing.mean == NULL);
    CHECK(memcmp(loaded.parameters, model.parameters, model.parameter_count * sizeof(float)) == 0);
    CHECK(memcmp(rng_loaded.state, rng.state, sizeof rng.state) == 0 && replay_loaded.capacity == 5);
    te_model_free(&model);
    te_model_free(&loaded);
    te_replay_free(&replay);
    te_replay_free(&replay_loaded);
    unlink(path);
}

/* A child saves versions 1, 2, 3, … as fast as it can; it is killed at a seeded random moment. */
static void killed_mid_save_leaves_old_or_new(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/killed.ckpt", dir);
    te_rng timing;
    te_rng_seed(&timing, 7);
    uint64_t last_version = 0;
    for (int trial = 0; trial < 12; trial++) {
        pid_t child = fork();
        if (child == 0) {
            te_rng rng;
            te_rng_seed(&rng, 1);
            te_replay replay;
            te_replay_init(&replay, 64, 0);
            for (uint64_t version = 1;; version++) {
                te_model model = make_model(version, 256);   /* ~19k parameters: a save takes a while */
                te_checkpoint_save(path, &model, &rng, &replay, NULL);
                te_model_free(&model);
            }
        }
        /* wait (60 s at most: only a stuck child takes that long) for a first complete save, so
         * every trial has an old checkpoint to keep, then kill at a seeded random moment */
        for (int waited = 0; waited < 60000 && access(path, F_OK) != 0; waited++) {
            struct timespec millisecond = {0, 1000000};
            nanosleep(&millisecond, NULL);
        }
        struct timespec pause = {0, (long)(te_rng_below(&timing, 40000000))};   /* 0 to 40 ms */
        nanosleep(&pause, NULL);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        te_model loaded = {0};
        te_rng rng;
        te_replay replay;
        te_replay_init(&replay, 0, 0);
        te_error error;
        int found = 0;
        te_status status = te_checkpoint_load(path, &loaded, &rng, &replay, &found, &error);
        if (status != TE_OK) {
            fprintf(stderr, "trial %d: %s\n", trial, error.reason);
        }
        CHECK(status == TE_OK);
        CHECK(found);
        if (status == TE_OK && found) {
            int whole = 1;
            for (size_t j = 0; j < loaded.parameter_count; j++) whole &= loaded.parameters[j] == (float)loaded.version;
            CHECK(whole);   /* one save's content, never a mix */
            last_version = loaded.version;
        }
        te_model_free(&loaded);
        te_replay_free(&replay);
    }
    CHECK(last_version > 0);
    unlink(path);
    char temporary[600];
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    unlink(temporary);
}

int main(void) {
    char dir[] = "/tmp/te-checkpoint-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    round_trip_and_refusals(dir);
    standardiser_kept_and_format_1_loads(dir);
    killed_mid_save_leaves_old_or_new(dir);
    rmdir(dir);
    CHECK_DONE("test_checkpoint");
}
