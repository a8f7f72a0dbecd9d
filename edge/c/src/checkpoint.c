/* checkpoint.c: saving and loading the state file. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Format 2 adds the model's standardiser after its parameters; format 1 files (no standardiser:
 * raw features) still load. */
static const char magic[8] = {'T', 'R', 'I', 'B', 'C', 'E', 'K', '2'};
static const char magic_v1[8] = {'T', 'R', 'I', 'B', 'C', 'E', 'K', '1'};

typedef struct writer {
    uint8_t *bytes;
    size_t count, capacity;
    int failed;
} writer;

static void put(writer *w, const void *data, size_t length) {
    if (w->failed) return;
    if (w->count + length > w->capacity) {
        size_t capacity = (w->count + length) * 2;
        uint8_t *grown = realloc(w->bytes, capacity);
        if (grown == NULL) {
            w->failed = 1;
            return;
        }
        w->bytes = grown;
        w->capacity = capacity;
    }
    memcpy(w->bytes + w->count, data, length);
    w->count += length;
}

static void put64(writer *w, uint64_t value) { put(w, &value, sizeof value); }

static te_status write_file(const char *path, const uint8_t *bytes, size_t count, te_error *error) {
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", path) >= (int)sizeof temporary) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint path is too long (%zu bytes)", strlen(path));
    }
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return te_fail(error, TE_ERR_IO, "cannot save the checkpoint %s: %s", temporary, strerror(errno));
    }
    te_status status = TE_OK;
    for (size_t written = 0; written < count && status == TE_OK;) {
        ssize_t result = write(fd, bytes + written, count - written);
        if (result < 0 && errno != EINTR) {
            status = te_fail(error, TE_ERR_IO, "cannot save the checkpoint %s: %s", temporary, strerror(errno));
        }
        written += result > 0 ? (size_t)result : 0;
    }
    if (status == TE_OK && fsync(fd) != 0) {
        status = te_fail(error, TE_ERR_IO, "cannot fsync the checkpoint %s: %s", temporary, strerror(errno));
    }
    close(fd);
    if (status == TE_OK && rename(temporary, path) != 0) {
        status = te_fail(error, TE_ERR_IO, "cannot rename %s to %s: %s", temporary, path, strerror(errno));
    }
    if (status != TE_OK) {
        unlink(temporary);
        return status;
    }
    char directory[4096];
    snprintf(directory, sizeof directory, "%s", path);
    int dir = open(dirname(directory), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);   /* the rename itself survives a power loss */
        close(dir);
    }
    return TE_OK;
}

te_status te_checkpoint_save(const char *path, const te_model *model, const te_rng *rng, const te_replay *replay,
                             te_error *error) {
    writer w = {0};
    put(&w, magic, sizeof magic);
    put64(&w, model->version);
    const te_architecture *a = &model->architecture;
    put64(&w, a->input_size);
    put64(&w, a->layer_count);
    put64(&w, (uint64_t)a->loss);
    for (size_t i = 0; i < a->layer_count; i++) {
        put64(&w, a->units[i]);
        put64(&w, (uint64_t)a->activation[i]);
    }
    put64(&w, model->parameter_count);
    put(&w, model->parameters, model->parameter_count * sizeof(float));
    const te_preprocessing *p = &model->preprocessing;
    put64(&w, p->mean != NULL ? p->count : 0);   /* 0: raw features */
    if (p->mean != NULL) {
        put(&w, p->mean, p->count * sizeof(float));
        put(&w, p->std, p->count * sizeof(float));
    }
    put(&w, rng->state, sizeof rng->state);
    put64(&w, replay->feature_count);
    put64(&w, replay->capacity);
    put64(&w, replay->count);
    put64(&w, replay->seen);
    put(&w, replay->features, replay->count * replay->feature_count * sizeof(float));
    put(&w, replay->labels, replay->count * sizeof(int32_t));
    uint8_t digest[SHA256_DIGEST_LENGTH];
    if (!w.failed) {
        SHA256(w.bytes, w.count, digest);
        put(&w, digest, sizeof digest);
    }
    te_status status = w.failed ? te_fail(error, TE_ERR_NO_MEMORY, "cannot encode the checkpoint %s", path)
                                : write_file(path, w.bytes, w.count, error);
    free(w.bytes);
    return status;
}

typedef struct reader {
    const uint8_t *bytes;
    size_t count, offset;
} reader;

static int take(reader *r, void *out, size_t length) {
    if (length > r->count - r->offset) return 0;
    memcpy(out, r->bytes + r->offset, length);
    r->offset += length;
    return 1;
}

static int take64(reader *r, uint64_t *value) { return take(r, value, sizeof *value); }

/* Format 2's standardiser: a count (0: raw features, else the input size), means, stds. */
static te_status parse_preprocessing(const char *path, reader *r, uint64_t input, te_preprocessing *preprocessing, te_error *error) {
    uint64_t count = 0;
    if (!take64(r, &count) || (count != 0 && count != input) || 2 * count * sizeof(float) > r->count - r->offset) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: a standardiser of %llu features for a model of %llu inputs", path,
                       (unsigned long long)count, (unsigned long long)input);
    }
    if (count == 0) {
        return TE_OK;
    }
    float *mean = malloc((size_t)count * sizeof(float)), *std = malloc((size_t)count * sizeof(float));
    te_status status = mean == NULL || std == NULL ? te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate the standardiser of %s", path) : TE_OK;
    if (status == TE_OK) {
        take(r, mean, (size_t)count * sizeof(float));
        take(r, std, (size_t)count * sizeof(float));
        status = te_preprocessing_make(mean, std, (size_t)count, path, preprocessing, error);
    }
    free(mean);
    free(std);
    if (status == TE_ERR_INVALID_MESSAGE) {   /* a bad value: the file's fault, not a message's */
        status = TE_ERR_CONFIG;
        if (error != NULL) error->code = status;
    }
    return status;
}

/* Parses the content (checksum already verified) into fresh parts. */
static te_status parse(const char *path, reader *r, te_model *model, te_rng *rng, te_replay *replay, te_error *error) {
    uint64_t input = 0, layers = 0, loss = 0, count = 0;
    char head[8];
    int version = !take(r, head, 8) ? 0 : memcmp(head, magic, 8) == 0 ? 2 : memcmp(head, magic_v1, 8) == 0 ? 1 : 0;
    if (version == 0 || !take64(r, &model->version) || !take64(r, &input) ||
        !take64(r, &layers) || !take64(r, &loss) || input == 0 || input > UINT32_MAX || layers == 0 || layers > TE_MAX_LAYERS) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s is not a C edge checkpoint (header: input %llu, layers %llu)", path,
                       (unsigned long long)input, (unsigned long long)layers);
    }
    te_architecture *a = &model->architecture;
    a->input_size = (uint32_t)input;
    a->layer_count = (size_t)layers;
    a->loss = (Tributary__V1__Loss)loss;
    for (size_t i = 0; i < a->layer_count; i++) {
        uint64_t units = 0, activation = 0;
        if (!take64(r, &units) || !take64(r, &activation) || units == 0 || units > UINT32_MAX || activation > 4) {
            return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: layer %zu has %llu units, activation %llu", path, i + 1,
                           (unsigned long long)units, (unsigned long long)activation);
        }
        a->units[i] = (uint32_t)units;
        a->activation[i] = (Tributary__V1__Activation)activation;
    }
    size_t expected = te_architecture_parameter_count(a);
    if (!take64(r, &count) || expected == 0 || count != expected || count * sizeof(float) > r->count - r->offset) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: %llu parameters; its architecture has %zu", path,
                       (unsigned long long)count, expected);
    }
    model->parameter_count = (size_t)count;
    model->parameters = malloc(model->parameter_count * sizeof(float));
    uint64_t features = 0, capacity = 0, stored = 0, seen = 0;
    if (model->parameters == NULL || !take(r, model->parameters, model->parameter_count * sizeof(float))) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s is truncated", path);
    }
    te_status status = version == 2 ? parse_preprocessing(path, r, input, &model->preprocessing, error) : TE_OK;
    if (status != TE_OK) {
        return status;
    }
    if (!take(r, rng->state, sizeof rng->state) || !take64(r, &features) || !take64(r, &capacity) || !take64(r, &stored) ||
        !take64(r, &seen)) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s is truncated", path);
    }
    if (stored > capacity || stored > seen || capacity > 10000000 || features > 1000000 ||
        stored * (features * sizeof(float) + sizeof(int32_t)) != r->count - r->offset) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: a replay buffer of %llu of %llu examples of %llu features does not fit its %zu bytes",
                       path, (unsigned long long)stored, (unsigned long long)capacity, (unsigned long long)features, r->count - r->offset);
    }
    te_replay_init(replay, (size_t)features, (size_t)capacity);
    replay->seen = seen;
    if (stored > 0) {
        replay->features = malloc((size_t)capacity * (size_t)features * sizeof(float));
        replay->labels = malloc((size_t)capacity * sizeof(int32_t));
        if (replay->features == NULL || replay->labels == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate the replay buffer of %s", path);
        }
        take(r, replay->features, (size_t)stored * (size_t)features * sizeof(float));
        take(r, replay->labels, (size_t)stored * sizeof(int32_t));
        replay->count = (size_t)stored;
    }
    return TE_OK;
}

te_status te_checkpoint_load(const char *path, te_model *model, te_rng *rng, te_replay *replay, int *found,
                             te_error *error) {
    *found = 0;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return errno == ENOENT ? TE_OK : te_fail(error, TE_ERR_CONFIG, "cannot read the checkpoint %s: %s", path, strerror(errno));
    }
    struct stat info;
    if (fstat(fileno(file), &info) != 0 || info.st_size < (off_t)(8 + SHA256_DIGEST_LENGTH) ||
        (uint64_t)info.st_size > TE_MAX_CHECKPOINT_BYTES) {
        fclose(file);
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s has %lld bytes; not a checkpoint", path, (long long)info.st_size);
    }
    size_t size = (size_t)info.st_size;
    uint8_t *bytes = malloc(size);
    size_t got = bytes != NULL ? fread(bytes, 1, size, file) : 0;
    fclose(file);
    if (got != size) {
        free(bytes);
        return te_fail(error, TE_ERR_CONFIG, "cannot read the checkpoint %s (%zu of %zu bytes)", path, got, size);
    }
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(bytes, size - SHA256_DIGEST_LENGTH, digest);
    if (memcmp(digest, bytes + size - SHA256_DIGEST_LENGTH, SHA256_DIGEST_LENGTH) != 0) {
        free(bytes);
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s cannot be loaded: its SHA-256 does not match its content (damaged); move it aside", path);
    }
    te_model loaded = {0};
    te_rng generator;
    te_replay buffer;
    te_replay_init(&buffer, 0, 0);
    reader r = {bytes, size - SHA256_DIGEST_LENGTH, 0};
    te_status status = parse(path, &r, &loaded, &generator, &buffer, error);
    free(bytes);
    if (status != TE_OK) {
        te_model_free(&loaded);
        te_replay_free(&buffer);
        return status;
    }
    te_model_free(model);
    *model = loaded;
    *rng = generator;
    te_replay_free(replay);
    *replay = buffer;
    *found = 1;
    return TE_OK;
}
