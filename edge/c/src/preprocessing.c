/* preprocessing.c: the model's standardiser: checked from the wire, applied to rows. */
#include "preprocessing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static te_status check_values(const float *mean, const float *std, size_t count, const char *source, te_error *error) {
    for (size_t j = 0; j < count; j++) {
        if (!isfinite(mean[j])) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s: mean of feature %zu is %g; must be finite", source, j, (double)mean[j]);
        }
        if (!(isfinite(std[j]) && std[j] > 0)) {
            return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s: std of feature %zu is %g; must be finite and > 0", source, j,
                           (double)std[j]);
        }
    }
    return TE_OK;
}

te_status te_preprocessing_make(const float *mean, const float *std, size_t count, const char *source,
                                te_preprocessing *preprocessing, te_error *error) {
    te_preprocessing result = {0};
    if (mean != NULL && std != NULL) {
        te_status status = check_values(mean, std, count, source, error);
        if (status != TE_OK) {
            return status;
        }
        result.mean = malloc(count * sizeof(float));
        result.std = malloc(count * sizeof(float));
        if (result.mean == NULL || result.std == NULL) {
            te_preprocessing_free(&result);
            return te_fail(error, TE_ERR_NO_MEMORY, "%s: cannot allocate a standardiser of %zu features", source, count);
        }
        memcpy(result.mean, mean, count * sizeof(float));
        memcpy(result.std, std, count * sizeof(float));
        result.count = count;
    }
    *preprocessing = result;
    return TE_OK;
}

te_status te_preprocessing_from_wire(const Tributary__V1__Preprocessing *wire, size_t input_size, const char *field,
                                     te_preprocessing *preprocessing, te_error *error) {
    if (wire == NULL) {
        return te_preprocessing_make(NULL, NULL, input_size, field, preprocessing, error);
    }
    if (wire->feature_count != input_size) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s.feature_count is %u; the model takes %zu features", field,
                       (unsigned)wire->feature_count, input_size);
    }
    if (wire->n_feature_names != 0 && wire->n_feature_names != input_size) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s: %zu feature names for %zu features", field, wire->n_feature_names, input_size);
    }
    for (size_t i = 0; i < wire->n_feature_names; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(wire->feature_names[i], wire->feature_names[k]) == 0) {
                return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s: feature names %zu and %zu are both \"%s\"; names must be unique",
                               field, k, i, wire->feature_names[i]);
            }
        }
    }
    if ((wire->n_mean != 0 && wire->n_mean != input_size) || wire->n_std != wire->n_mean) {
        return te_fail(error, TE_ERR_INVALID_MESSAGE, "%s: standardiser has %zu means and %zu stds for %zu features", field,
                       wire->n_mean, wire->n_std, input_size);
    }
    return te_preprocessing_make(wire->n_mean != 0 ? wire->mean : NULL, wire->n_mean != 0 ? wire->std : NULL, input_size, field,
                                 preprocessing, error);
}

int te_preprocessing_equal(const te_preprocessing *a, const te_preprocessing *b) {
    if (a->mean == NULL || b->mean == NULL) {
        return a->mean == NULL && b->mean == NULL;
    }
    size_t count = a->count;
    return count == b->count && memcmp(a->mean, b->mean, count * sizeof(float)) == 0 && memcmp(a->std, b->std, count * sizeof(float)) == 0;
}

void te_preprocessing_apply(const te_preprocessing *preprocessing, float *rows, size_t count, size_t width) {
    if (preprocessing == NULL || preprocessing->mean == NULL || width != preprocessing->count) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        float *row = rows + i * width;
        for (size_t j = 0; j < width; j++) {
            row[j] = (row[j] - preprocessing->mean[j]) / preprocessing->std[j];
        }
    }
}

void te_preprocessing_free(te_preprocessing *preprocessing) {
    free(preprocessing->mean);
    free(preprocessing->std);
    *preprocessing = (te_preprocessing){0};
}
