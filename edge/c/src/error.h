/* error.h: a status with a reason that names the thing that was wrong and the value it had. */
#ifndef TE_ERROR_H
#define TE_ERROR_H

#include "tributary_edge.h"

#define TE_REASON_SIZE 512

typedef struct te_error {
    te_status code;
    char reason[TE_REASON_SIZE];
} te_error;

/* Sets *error (when not NULL) and returns code. */
te_status te_fail(te_error *error, te_status code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

void te_error_clear(te_error *error);

#endif
