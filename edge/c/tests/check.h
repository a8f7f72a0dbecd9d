/* check.h: the smallest test harness: CHECK(condition) counts and reports failures. */
#ifndef TE_CHECK_H
#define TE_CHECK_H

#include <stdio.h>

static int te_checks_failed = 0;
static int te_checks_run = 0;

#define CHECK(condition) do { \
    te_checks_run++; \
    if (!(condition)) { te_checks_failed++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); } \
} while (0)

#define CHECK_DONE(name) do { \
    printf("%s: %d checks, %d failed\n", name, te_checks_run, te_checks_failed); \
    return te_checks_failed == 0 ? 0 : 1; \
} while (0)

#endif
