/* preprocessing.h: what the model does to a raw record before it sees it: the standardiser
 * x' = (x - mean[j]) / std[j] per feature of RoundOffer.preprocessing / ModelRelease.preprocessing
 * (the Swift side's Preprocessing). It travels with the held model (and its checkpoint); the
 * window and the spool stay raw, the job's input, `predict`'s rows and the replay buffer are
 * standardised. Both pointers NULL: identity (raw features). */
#ifndef TE_PREPROCESSING_H
#define TE_PREPROCESSING_H

#include <stddef.h>

#include "error.h"
#include "tributary/v1/round.pb-c.h"

typedef struct te_preprocessing {
    size_t count;  /* features: the model's input_size when standardising, else 0 */
    float *mean;   /* count values, or NULL (identity) */
    float *std;    /* count values, each finite and > 0, or NULL */
} te_preprocessing;

/* The message's preprocessing for a model of input_size features (wire NULL: identity). Checks,
 * as the Swift side's Preprocessing.validate: feature_count equal to input_size, feature_names
 * empty or one per feature, mean empty or one per feature and finite, std as many as mean and
 * each finite and > 0. field names the message's field in errors, e.g. "RoundOffer.preprocessing". */
te_status te_preprocessing_from_wire(const Tributary__V1__Preprocessing *wire, size_t input_size, const char *field,
                                     te_preprocessing *preprocessing, te_error *error);

/* A standardiser from mean and std (count values each, copied), checked as above; NULL, NULL: identity. */
te_status te_preprocessing_make(const float *mean, const float *std, size_t count, const char *source,
                                te_preprocessing *preprocessing, te_error *error);

/* The same transformation (both identity, or the same means and stds bit for bit). */
int te_preprocessing_equal(const te_preprocessing *a, const te_preprocessing *b);

/* Standardises `rows` rows of `width` features in place, in float as the Swift side:
 * (x - mean) / std. Nothing for identity or rows of another width than the standardiser's (the
 * callers refuse those rows by their width first). */
void te_preprocessing_apply(const te_preprocessing *preprocessing, float *rows, size_t count, size_t width);

void te_preprocessing_free(te_preprocessing *preprocessing);

#endif
