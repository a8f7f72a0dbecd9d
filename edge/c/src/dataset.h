/* dataset.h: labelled examples held in memory, a bounded window of the newest (the temporal
 * context a round trains on), appended by the app (te_add_feedback) or from CSV files. */
#ifndef TE_DATASET_H
#define TE_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "preprocessing.h"
#include "replay.h"

typedef struct te_dataset {
    size_t feature_count;   /* fixed by the first example */
    size_t count;
    size_t capacity;        /* the window: the oldest example leaves when a new one comes */
    size_t start;           /* ring buffer: index of the oldest */
    uint64_t added;         /* examples ever added (the newest `added - before` are those since `before`) */
    float *features;        /* capacity x feature_count */
    int32_t *labels;
    te_replay *retired;     /* when set, an example leaving the window is offered to it, */
    const te_preprocessing *retire_with;   /* standardised by this (the held model's) when set */
    te_rng *rng;            /* the generator the replay buffer draws from */
} te_dataset;

te_status te_dataset_init(te_dataset *dataset, size_t feature_count, size_t capacity, te_error *error);
void te_dataset_free(te_dataset *dataset);

/* Adds one example (the oldest leaves when the window is full, into `retired` when set). */
te_status te_dataset_add(te_dataset *dataset, const float *features, size_t feature_count, int32_t label, te_error *error);

/* The slot (row of `features`) of the i-th example, oldest first (i < count). */
size_t te_dataset_slot(const te_dataset *dataset, size_t i);

/* Copies the window, oldest first, into contiguous features and labels (count rows). */
void te_dataset_copy(const te_dataset *dataset, float *features, int32_t *labels);
/* The newest `newest` examples (all when there are fewer), oldest of them first. */
void te_dataset_copy_newest(const te_dataset *dataset, size_t newest, float *features, int32_t *labels);

/* Reads a CSV of feature columns and a label column (named "label" in a header row, else the
 * last column); every value finite, every label a whole number >= 0. Errors name the file, the
 * line and the value. */
te_status te_dataset_load_csv(te_dataset *dataset, const char *path, te_error *error);

#endif
