/* checkpoint.c: saving and loading the state file. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Format 3 adds the window, the trigger's state, the live counts and the kept Update after the
 * replay buffer; format 2 added the model's standardiser after its parameters. Format 1 files
 * (no standardiser: raw features) and format 2 files still load. */
static const char magic[8] = {'T', 'R', 'I', 'B', 'C', 'E', 'K', '3'};
static const char magic_v2[8] = {'T', 'R', 'I', 'B', 'C', 'E', 'K', '2'};
static const char magic_v1[8] = {'T', 'R', 'I', 'B', 'C', 'E', 'K', '1'};

#define TE_WRITER_BUFFER (64u * 1024u)

/* Bytes to the temp file through a fixed buffer, hashed on the way. */
typedef struct writer {
    int fd;
    EVP_MD_CTX *sha;
    uint8_t buffer[TE_WRITER_BUFFER];
    size_t used;
    int failed;          /* errno of the first failed write, or -1 for the digest */
} writer;

static void flush(writer *w) {
    for (size_t written = 0; written < w->used && !w->failed;) {
        ssize_t result = write(w->fd, w->buffer + written, w->used - written);
        if (result < 0 && errno != EINTR) {
            w->failed = errno;
        }
        written += result > 0 ? (size_t)result : 0;
    }
    w->used = 0;
}

/* Into the file, not the digest. */
static void put_raw(writer *w, const void *data, size_t length) {
    const uint8_t *bytes = data;
    while (length > 0 && !w->failed) {
        size_t room = TE_WRITER_BUFFER - w->used, part = length < room ? length : room;
        memcpy(w->buffer + w->used, bytes, part);
        w->used += part;
        bytes += part;
        length -= part;
        if (w->used == TE_WRITER_BUFFER) flush(w);
    }
}

static void put(writer *w, const void *data, size_t length) {
    if (w->failed || length == 0) return;
    if (EVP_DigestUpdate(w->sha, data, length) != 1) {
        w->failed = -1;
        return;
    }
    put_raw(w, data, length);
}

static void put64(writer *w, uint64_t value) { put(w, &value, sizeof value); }
static void put_double(writer *w, double value) { put(w, &value, sizeof value); }

static void put_state(writer *w, const te_model *model, const te_rng *rng, const te_replay *replay) {
    put(w, magic, sizeof magic);
    put64(w, model->version);
    const te_architecture *a = &model->architecture;
    put64(w, a->input_size);
    put64(w, a->layer_count);
    put64(w, (uint64_t)a->loss);
    for (size_t i = 0; i < a->layer_count; i++) {
        put64(w, a->units[i]);
        put64(w, (uint64_t)a->activation[i]);
    }
    put64(w, model->parameter_count);
    put(w, model->parameters, model->parameter_count * sizeof(float));
    const te_preprocessing *p = &model->preprocessing;
    put64(w, p->mean != NULL ? p->count : 0);   /* 0: raw features */
    if (p->mean != NULL) {
        put(w, p->mean, p->count * sizeof(float));
        put(w, p->std, p->count * sizeof(float));
    }
    put(w, rng->state, sizeof rng->state);
    put64(w, replay->feature_count);
    put64(w, replay->capacity);
    put64(w, replay->count);
    put64(w, replay->seen);
    put(w, replay->features, replay->count * replay->feature_count * sizeof(float));
    put(w, replay->labels, replay->count * sizeof(int32_t));
}

/* Format 3's part: the window (features, count, rows oldest first, labels), the trigger's count
 * and pending reason, the live counts, then the kept Update (round, base, parameters: 0 = none,
 * delta, a Fisher flag and the Fisher, the counts and metrics of te_job_result). */
static void put_extra(writer *w, const te_checkpoint_extra *extra) {
    const te_dataset *window = extra != NULL ? extra->window : NULL;
    size_t width = window != NULL ? window->feature_count : 0, count = window != NULL ? window->count : 0;
    put64(w, width);
    put64(w, count);
    for (size_t i = 0; i < count; i++) {
        put(w, window->features + te_dataset_slot(window, i) * width, width * sizeof(float));
    }
    for (size_t i = 0; i < count; i++) {
        put(w, &window->labels[te_dataset_slot(window, i)], sizeof(int32_t));
    }
    te_checkpoint_extra none = {0};
    extra = extra != NULL ? extra : &none;
    put64(w, extra->new_examples);
    put64(w, extra->pending);
    put64(w, extra->live_version);
    put64(w, extra->live_outcomes);
    put64(w, extra->live_correct);
    const te_job_result *kept = extra->answered;
    uint64_t parameters = kept != NULL && kept->delta != NULL ? extra->answered_parameters : 0;
    put64(w, extra->answered_round);
    put64(w, extra->answered_base_version);
    put64(w, parameters);
    if (parameters == 0) return;
    put(w, kept->delta, (size_t)parameters * sizeof(float));
    put64(w, kept->fisher != NULL);
    if (kept->fisher != NULL) put(w, kept->fisher, (size_t)parameters * sizeof(float));
    put64(w, kept->examples);
    put64(w, kept->steps);
    put64(w, kept->replayed);
    double metrics[7] = {kept->loss_before, kept->loss_after, kept->accuracy_before, kept->accuracy_after, kept->last_epoch_loss,
                         kept->delta_norm, kept->seconds};
    for (int i = 0; i < 7; i++) put_double(w, metrics[i]);
}

te_status te_checkpoint_save(const char *path, const te_model *model, const te_rng *rng, const te_replay *replay,
                             const te_checkpoint_extra *extra, te_error *error) {
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", path) >= (int)sizeof temporary) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint path is too long (%zu bytes)", strlen(path));
    }
    writer *w = malloc(sizeof *w);
    if (w == NULL) {
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot encode the checkpoint %s", path);
    }
    w->used = 0;
    w->failed = 0;
    w->sha = EVP_MD_CTX_new();
    w->fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w->fd < 0 || w->sha == NULL || EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
        te_status status = w->fd < 0 ? te_fail(error, TE_ERR_IO, "cannot save the checkpoint %s: %s", temporary, strerror(errno))
                                     : te_fail(error, TE_ERR_NO_MEMORY, "cannot start the checkpoint's SHA-256");
        if (w->fd >= 0) close(w->fd);
        EVP_MD_CTX_free(w->sha);
        free(w);
        return status;
    }
    put_state(w, model, rng, replay);
    put_extra(w, extra);
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (!w->failed && EVP_DigestFinal_ex(w->sha, digest, &digest_length) != 1) {
        w->failed = -1;
    }
    put_raw(w, digest, w->failed ? 0 : digest_length);   /* after the content, not part of it */
    flush(w);
    te_status status = TE_OK;
    if (w->failed) {
        status = w->failed > 0 ? te_fail(error, TE_ERR_IO, "cannot save the checkpoint %s: %s", temporary, strerror(w->failed))
                               : te_fail(error, TE_ERR_NO_MEMORY, "cannot compute the checkpoint's SHA-256");
    } else if (fsync(w->fd) != 0) {
        status = te_fail(error, TE_ERR_IO, "cannot fsync the checkpoint %s: %s", temporary, strerror(errno));
    }
    close(w->fd);
    EVP_MD_CTX_free(w->sha);
    free(w);
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

/* Format 3's window: the newest rows that fit go into extra->window (when it takes them). */
static te_status parse_window(const char *path, reader *r, te_checkpoint_extra *extra, te_error *error) {
    uint64_t width = 0, count = 0;
    if (!take64(r, &width) || !take64(r, &count) || width > 1000000 || count > 10000000 ||
        count * (width * sizeof(float) + sizeof(int32_t)) > r->count - r->offset) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: a window of %llu examples of %llu features does not fit its %zu bytes", path,
                       (unsigned long long)count, (unsigned long long)width, r->count - r->offset);
    }
    size_t rows_at = r->offset, labels_at = rows_at + (size_t)(count * width * sizeof(float));
    r->offset = labels_at + (size_t)count * sizeof(int32_t);
    te_dataset *window = extra != NULL ? extra->window : NULL;
    if (window == NULL || window->feature_count == 0 || count == 0) {
        return TE_OK;
    }
    if (width != window->feature_count) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s keeps a window of examples of %llu features; features is %zu", path,
                       (unsigned long long)width, window->feature_count);
    }
    float *row = malloc((size_t)width * sizeof(float));
    te_status status = row == NULL ? te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a row of %s", path) : TE_OK;
    for (size_t i = count > window->capacity ? (size_t)count - window->capacity : 0; i < count && status == TE_OK; i++) {
        int32_t label = 0;
        memcpy(row, r->bytes + rows_at + i * width * sizeof(float), (size_t)width * sizeof(float));
        memcpy(&label, r->bytes + labels_at + i * sizeof(int32_t), sizeof label);
        status = te_dataset_add(window, row, (size_t)width, label, error);
    }
    free(row);
    return status;
}

/* Format 3's kept Update into `kept` (delta NULL when none). */
static te_status parse_update(const char *path, reader *r, te_checkpoint_extra *extra, te_job_result *kept, te_error *error) {
    uint64_t parameters = 0, has_fisher = 0, counts[3] = {0};
    double metrics[7] = {0};
    if (!take64(r, &extra->answered_round) || !take64(r, &extra->answered_base_version) || !take64(r, &parameters) ||
        parameters > ((uint64_t)64 << 20) || parameters * sizeof(float) > r->count - r->offset) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: a kept Update of %llu parameters does not fit its %zu bytes", path,
                       (unsigned long long)parameters, r->count - r->offset);
    }
    extra->answered_parameters = parameters;
    if (parameters == 0) {
        return TE_OK;
    }
    size_t bytes = (size_t)parameters * sizeof(float);
    kept->delta = malloc(bytes);
    if (kept->delta == NULL || !take(r, kept->delta, bytes) || !take64(r, &has_fisher) || has_fisher > 1) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: its kept Update is truncated", path);
    }
    if (has_fisher && ((kept->fisher = malloc(bytes)) == NULL || !take(r, kept->fisher, bytes))) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: its kept Update's Fisher is truncated", path);
    }
    for (int i = 0; i < 3; i++) {
        if (!take64(r, &counts[i])) return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: its kept Update is truncated", path);
    }
    if (!take(r, metrics, sizeof metrics)) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: its kept Update is truncated", path);
    }
    kept->examples = (size_t)counts[0];
    kept->steps = (size_t)counts[1];
    kept->replayed = (size_t)counts[2];
    kept->loss_before = metrics[0];
    kept->loss_after = metrics[1];
    kept->accuracy_before = metrics[2];
    kept->accuracy_after = metrics[3];
    kept->last_epoch_loss = metrics[4];
    kept->delta_norm = metrics[5];
    kept->seconds = metrics[6];
    return TE_OK;
}

/* Format 3's part after the replay buffer, into extra (a scratch one when the caller gave none). */
static te_status parse_extra(const char *path, reader *r, te_checkpoint_extra *extra, te_job_result *kept, te_error *error) {
    te_status status = parse_window(path, r, extra, error);
    if (status != TE_OK) {
        return status;
    }
    uint64_t *fields[5] = {&extra->new_examples, &extra->pending, &extra->live_version, &extra->live_outcomes, &extra->live_correct};
    for (int i = 0; i < 5; i++) {
        if (!take64(r, fields[i])) return te_fail(error, TE_ERR_CONFIG, "checkpoint %s is truncated", path);
    }
    if (extra->pending > TE_REASON_DRIFT || extra->live_correct > extra->live_outcomes) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s: trigger reason %llu, %llu of %llu live outcomes right; not a state this client writes",
                       path, (unsigned long long)extra->pending, (unsigned long long)extra->live_correct,
                       (unsigned long long)extra->live_outcomes);
    }
    status = parse_update(path, r, extra, kept, error);
    if (status == TE_OK && r->offset != r->count) {
        status = te_fail(error, TE_ERR_CONFIG, "checkpoint %s: %zu bytes after its content", path, r->count - r->offset);
    }
    return status;
}

/* Parses the content (checksum already verified) into fresh parts. */
static te_status parse(const char *path, reader *r, te_model *model, te_rng *rng, te_replay *replay, te_checkpoint_extra *extra,
                       te_job_result *kept, te_error *error) {
    uint64_t input = 0, layers = 0, loss = 0, count = 0;
    char head[8];
    int version = !take(r, head, 8) ? 0 : memcmp(head, magic, 8) == 0 ? 3 : memcmp(head, magic_v2, 8) == 0 ? 2
                : memcmp(head, magic_v1, 8) == 0 ? 1 : 0;
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
    te_status status = version >= 2 ? parse_preprocessing(path, r, input, &model->preprocessing, error) : TE_OK;
    if (status != TE_OK) {
        return status;
    }
    if (!take(r, rng->state, sizeof rng->state) || !take64(r, &features) || !take64(r, &capacity) || !take64(r, &stored) ||
        !take64(r, &seen)) {
        return te_fail(error, TE_ERR_CONFIG, "checkpoint %s is truncated", path);
    }
    if (stored > capacity || stored > seen || capacity > 10000000 || features > 1000000 ||
        (version < 3 && stored * (features * sizeof(float) + sizeof(int32_t)) != r->count - r->offset) ||
        stored * (features * sizeof(float) + sizeof(int32_t)) > r->count - r->offset) {
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
    return version >= 3 ? parse_extra(path, r, extra, kept, error) : TE_OK;
}

te_status te_checkpoint_load(const char *path, te_model *model, te_rng *rng, te_replay *replay, te_checkpoint_extra *extra,
                             int *found, te_error *error) {
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
    te_checkpoint_extra scratch = {0}, *parts = extra != NULL ? extra : &scratch;
    te_dataset *window = parts->window;
    te_job_result *answered = parts->answered, kept = {0};
    memset(parts, 0, sizeof *parts);   /* formats 1 and 2 keep none of it */
    parts->window = window;
    parts->answered = answered;
    te_status status = parse(path, &r, &loaded, &generator, &buffer, parts, &kept, error);
    free(bytes);
    if (status != TE_OK || extra == NULL || extra->answered == NULL) {
        te_job_result_free(&kept);
    }
    if (status != TE_OK) {
        te_model_free(&loaded);
        te_replay_free(&buffer);
        return status;
    }
    if (extra != NULL && extra->answered != NULL) {
        te_job_result_free(extra->answered);
        *extra->answered = kept;
    }
    te_model_free(model);
    *model = loaded;
    *rng = generator;
    te_replay_free(replay);
    *replay = buffer;
    *found = 1;
    return TE_OK;
}
