/* trigger.h: when the edge reports itself ready to train, sans-IO, as the Swift side's
 * TrainingTrigger (Sources/TributaryLearning/Drift/TrainingTrigger.swift) with its defaults:
 * volume (new examples since the last training), accuracy drop (the rolling accuracy of the held
 * model's last `accuracy_window` outcomes below the first full window's by `accuracy_drop`), and
 * drift (Page-Hinkley on the 0/1 error stream; the Swift edge's default detector. ADWIN, its
 * alternative, is not ported). A reason fires once and stays pending (quiet) until the model is
 * trained; on each connection a pending reason is announced again as "startup". */
#ifndef TE_TRIGGER_H
#define TE_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Page-Hinkley (Page 1954): with m_T = sum (x_t - mean_t - delta) and M_T = min m_t, an alarm
 * when m_T - M_T > threshold, not before minimum_count values; it restarts after an alarm. */
typedef struct te_page_hinkley {
    double delta, threshold;
    uint64_t minimum_count;
    uint64_t count;
    double mean, cumulative, minimum;
} te_page_hinkley;

void te_page_hinkley_init(te_page_hinkley *detector, double delta, double threshold, uint64_t minimum_count);
int te_page_hinkley_observe(te_page_hinkley *detector, double value);
void te_page_hinkley_reset(te_page_hinkley *detector);

typedef enum te_reason {
    TE_REASON_NONE = 0,
    TE_REASON_VOLUME,
    TE_REASON_ACCURACY_DROP,
    TE_REASON_DRIFT
} te_reason;

/* The name carried in Ready.trigger: "volume", "accuracy_drop", "drift" ("" for none). */
const char *te_reason_name(te_reason reason);

typedef struct te_trigger_config {
    uint64_t volume;               /* new examples; 0 = off */
    double accuracy_drop;          /* margin below the baseline; < 0 = off */
    uint32_t accuracy_window;      /* outcomes in the rolling accuracy; 0 = off */
    double page_hinkley_threshold; /* 0 = drift detection off */
} te_trigger_config;

/* The Swift edge's defaults: volume 100, accuracy_drop 0.1 over 50 outcomes, Page-Hinkley 50. */
te_trigger_config te_trigger_config_default(void);

typedef struct te_trigger {
    te_trigger_config config;
    uint64_t new_examples;
    te_reason pending;             /* fired since the last training */
    int has_baseline;
    double baseline;
    uint64_t observations;         /* outcomes since the model changed */
    uint8_t *recent;               /* the last accuracy_window outcomes, a ring */
    uint32_t recent_count, recent_next, recent_correct;
    int drift_on;
    te_page_hinkley page_hinkley;
    te_reason last_detail_reason;  /* for the log: what fired last, with the figures below */
    double detail_from, detail_to;
} te_trigger;

/* TE_ERR_CONFIG naming the value for a margin above 1 or a window over 1,000,000. */
te_status te_trigger_init(te_trigger *trigger, te_trigger_config config, te_error *error);
void te_trigger_free(te_trigger *trigger);

/* Events; each returns the reason to announce now (TE_REASON_NONE: nothing fired, or a reason is
 * already pending). */
te_reason te_trigger_examples_arrived(te_trigger *trigger, uint64_t count);
te_reason te_trigger_prediction(te_trigger *trigger, int correct);
/* The model was trained: counters restart, nothing pending, no baseline. */
void te_trigger_trained(te_trigger *trigger);
/* A release was adopted: the detectors and the baseline restart; the volume count and a pending
 * reason stay. */
void te_trigger_model_changed(te_trigger *trigger);

#endif
