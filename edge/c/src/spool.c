/* spool.c: labelled CSV files dropped into a directory join the window. A file is taken when its
 * name ends in ".csv" (write it under another name, then rename it into place); afterwards it is
 * renamed to NAME.csv.done, or NAME.csv.bad when a row is refused (the rows before it stay). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_internal.h"

#define TE_SPOOL_BATCH 64

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_csv(const char *name) {
    size_t length = strlen(name);
    return name[0] != '.' && length > 4 && strcmp(name + length - 4, ".csv") == 0;
}

size_t te_spool_collect(te_edge *edge) {
    const char *directory = edge->config.spool_dir;
    DIR *dir = opendir(directory);
    if (dir == NULL) {
        te_log(edge, 2, "cannot read the spool directory %s: %s", directory, strerror(errno));
        return 0;
    }
    char *names[TE_SPOOL_BATCH];
    size_t count = 0;
    for (struct dirent *entry = readdir(dir); entry != NULL && count < TE_SPOOL_BATCH; entry = readdir(dir)) {
        if (is_csv(entry->d_name) && (names[count] = strdup(entry->d_name)) != NULL) {
            count++;
        }
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);
    size_t added = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4096], moved[4200];
        snprintf(path, sizeof path, "%s/%s", directory, names[i]);
        size_t before = edge->window.count, seen = edge->replay.seen;
        te_error error;
        te_status status = te_dataset_load_csv(&edge->window, path, &error);
        /* rows taken: the growth of the window plus those that pushed older ones out */
        size_t taken = edge->window.count - before + (size_t)(edge->replay.seen - seen);
        added += taken;
        snprintf(moved, sizeof moved, "%s.%s", path, status == TE_OK ? "done" : "bad");
        if (status != TE_OK) {
            te_log(edge, 2, "spool: %s (%zu rows before it taken); moved to %s", error.reason, taken, moved);
        } else {
            te_log(edge, 0, "spool: %zu examples from %s", taken, path);
        }
        if (rename(path, moved) != 0) {
            te_log(edge, 2, "spool: cannot rename %s to %s: %s", path, moved, strerror(errno));
        }
        free(names[i]);
    }
    return added;
}
