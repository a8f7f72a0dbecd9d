/* dataset.c: the window of labelled examples and the CSV reader. */
#include "dataset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

te_status te_dataset_init(te_dataset *dataset, size_t feature_count, size_t capacity, te_error *error) {
    memset(dataset, 0, sizeof *dataset);
    if (feature_count == 0 || capacity == 0) {
        return te_fail(error, TE_ERR_CONFIG, "a dataset of %zu features and a window of %zu examples; both must be > 0",
                       feature_count, capacity);
    }
    dataset->feature_count = feature_count;
    dataset->capacity = capacity;
    return TE_OK;
}

void te_dataset_free(te_dataset *dataset) {
    free(dataset->features);
    free(dataset->labels);
    memset(dataset, 0, sizeof *dataset);
}

te_status te_dataset_add(te_dataset *dataset, const float *features, size_t feature_count, int32_t label, te_error *error) {
    if (feature_count != dataset->feature_count) {
        return te_fail(error, TE_ERR_CONFIG, "features: %zu values, the model takes %zu", feature_count, dataset->feature_count);
    }
    if (label < 0) {
        return te_fail(error, TE_ERR_CONFIG, "label: %d is not a class (must be >= 0)", (int)label);
    }
    for (size_t i = 0; i < feature_count; i++) {
        if (!isfinite(features[i])) {
            return te_fail(error, TE_ERR_CONFIG, "features[%zu]: %g is not a finite number", i, (double)features[i]);
        }
    }
    if (dataset->features == NULL) {
        dataset->features = malloc(dataset->capacity * dataset->feature_count * sizeof(float));
        dataset->labels = malloc(dataset->capacity * sizeof(int32_t));
        if (dataset->features == NULL || dataset->labels == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate a window of %zu examples", dataset->capacity);
        }
    }
    size_t slot;
    if (dataset->count < dataset->capacity) {
        slot = (dataset->start + dataset->count) % dataset->capacity;
        dataset->count++;
    } else {
        slot = dataset->start;
        dataset->start = (dataset->start + 1) % dataset->capacity;
        if (dataset->retired != NULL) {
            /* the slot is overwritten below: standardised in place, as the replay buffer holds the model's inputs */
            te_preprocessing_apply(dataset->retire_with, dataset->features + slot * feature_count, 1, feature_count);
            te_status status = te_replay_insert(dataset->retired, dataset->features + slot * feature_count, dataset->labels[slot],
                                                dataset->rng, error);
            if (status != TE_OK) {
                return status;
            }
        }
    }
    memcpy(dataset->features + slot * feature_count, features, feature_count * sizeof(float));
    dataset->labels[slot] = label;
    dataset->added++;
    return TE_OK;
}

size_t te_dataset_slot(const te_dataset *dataset, size_t i) {
    return (dataset->start + i) % dataset->capacity;
}

void te_dataset_copy(const te_dataset *dataset, float *features, int32_t *labels) {
    te_dataset_copy_newest(dataset, dataset->count, features, labels);
}

void te_dataset_copy_newest(const te_dataset *dataset, size_t newest, float *features, int32_t *labels) {
    size_t width = dataset->feature_count;
    size_t first = newest < dataset->count ? dataset->count - newest : 0;
    for (size_t i = first; i < dataset->count; i++) {
        size_t slot = te_dataset_slot(dataset, i);
        memcpy(features + (i - first) * width, dataset->features + slot * width, width * sizeof(float));
        labels[i - first] = dataset->labels[slot];
    }
}

/* Splits a line at commas in place; returns the number of fields (at most max). */
static size_t split(char *line, char **fields, size_t max) {
    size_t count = 0;
    char *cursor = line;
    while (count < max) {
        fields[count++] = cursor;
        char *comma = strchr(cursor, ',');
        if (comma == NULL) {
            break;
        }
        *comma = '\0';
        cursor = comma + 1;
    }
    return count;
}

te_status te_dataset_load_csv(te_dataset *dataset, const char *path, te_error *error) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return te_fail(error, TE_ERR_CONFIG, "cannot read %s: %s", path, strerror(errno));
    }
    size_t width = dataset->feature_count, max_fields = width + 2;
    char **fields = malloc(max_fields * sizeof(char *));
    float *row = malloc(width * sizeof(float));
    char *line = NULL;
    size_t line_capacity = 0, line_number = 0, label_column = width;
    te_status status = fields == NULL || row == NULL ? te_fail(error, TE_ERR_NO_MEMORY, "cannot read %s", path) : TE_OK;
    while (status == TE_OK && getline(&line, &line_capacity, file) > 0) {
        line_number++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') {
            continue;
        }
        size_t columns = 1;
        for (const char *c = line; *c != '\0'; c++) columns += *c == ',';
        if (columns != width + 1) {
            status = te_fail(error, TE_ERR_CONFIG, "%s:%zu: %zu columns; %zu features and a label expected", path, line_number, columns, width);
            break;
        }
        size_t count = split(line, fields, max_fields);
        int header = line_number == 1 && (fields[0][0] < '0' || fields[0][0] > '9') && fields[0][0] != '-' && fields[0][0] != '.';
        if (header) {
            for (size_t c = 0; c < count; c++) {
                if (strcmp(fields[c], "label") == 0) label_column = c;
            }
            continue;
        }
        size_t feature = 0;
        long label = -1;
        for (size_t c = 0; c < count && status == TE_OK; c++) {
            char *end = NULL;
            if (c == label_column) {
                label = strtol(fields[c], &end, 10);
                if (end == fields[c] || *end != '\0' || label < 0 || label > INT32_MAX) {
                    status = te_fail(error, TE_ERR_CONFIG, "%s:%zu: label \"%s\" is not a whole number >= 0", path, line_number, fields[c]);
                }
                continue;
            }
            float value = strtof(fields[c], &end);
            if (end == fields[c] || *end != '\0' || !isfinite(value)) {
                status = te_fail(error, TE_ERR_CONFIG, "%s:%zu: column %zu is \"%s\", not a finite number", path, line_number, c + 1, fields[c]);
            }
            row[feature++] = value;
        }
        if (status == TE_OK) {
            status = te_dataset_add(dataset, row, width, (int32_t)label, error);
        }
    }
    free(line);
    free(fields);
    free(row);
    fclose(file);
    return status;
}
