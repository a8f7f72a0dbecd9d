/* trigger.c: the training trigger and Page-Hinkley, as the Swift side's. */
#include "trigger.h"

#include <stdlib.h>
#include <string.h>

void te_page_hinkley_init(te_page_hinkley *detector, double delta, double threshold, uint64_t minimum_count) {
    detector->delta = delta;
    detector->threshold = threshold;
    detector->minimum_count = minimum_count;
    te_page_hinkley_reset(detector);
}

void te_page_hinkley_reset(te_page_hinkley *detector) {
    detector->count = 0;
    detector->mean = 0;
    detector->cumulative = 0;
    detector->minimum = 0;
}

int te_page_hinkley_observe(te_page_hinkley *detector, double value) {
    detector->count += 1;
    detector->mean += (value - detector->mean) / (double)detector->count;
    detector->cumulative += value - detector->mean - detector->delta;
    detector->minimum = detector->cumulative < detector->minimum ? detector->cumulative : detector->minimum;
    if (detector->count < detector->minimum_count || !(detector->cumulative - detector->minimum > detector->threshold)) {
        return 0;
    }
    te_page_hinkley_reset(detector);
    return 1;
}

const char *te_reason_name(te_reason reason) {
    switch (reason) {
    case TE_REASON_VOLUME: return "volume";
    case TE_REASON_ACCURACY_DROP: return "accuracy_drop";
    case TE_REASON_DRIFT: return "drift";
    default: return "";
    }
}

te_trigger_config te_trigger_config_default(void) {
    te_trigger_config config = {.volume = 100, .accuracy_drop = 0.1, .accuracy_window = 50, .page_hinkley_threshold = 50};
    return config;
}

te_status te_trigger_init(te_trigger *trigger, te_trigger_config config, te_error *error) {
    memset(trigger, 0, sizeof *trigger);
    if (config.accuracy_drop > 1) {
        return te_fail(error, TE_ERR_CONFIG, "accuracy drop margin is %g; must be 0...1 (or negative: off)", config.accuracy_drop);
    }
    if (config.accuracy_window > 1000000) {
        return te_fail(error, TE_ERR_CONFIG, "accuracy window is %u outcomes; must be 0...1000000", (unsigned)config.accuracy_window);
    }
    if (config.page_hinkley_threshold < 0 || config.page_hinkley_threshold > 1000000) {
        return te_fail(error, TE_ERR_CONFIG, "Page-Hinkley threshold is %g; must be 0 (off) or 0.001...1000000", config.page_hinkley_threshold);
    }
    trigger->config = config;
    if (config.accuracy_window > 0) {
        trigger->recent = calloc(config.accuracy_window, 1);
        if (trigger->recent == NULL) {
            return te_fail(error, TE_ERR_NO_MEMORY, "cannot allocate an accuracy window of %u outcomes", (unsigned)config.accuracy_window);
        }
    }
    trigger->drift_on = config.page_hinkley_threshold > 0;
    te_page_hinkley_init(&trigger->page_hinkley, 0.005, config.page_hinkley_threshold, 30);
    return TE_OK;
}

void te_trigger_free(te_trigger *trigger) {
    free(trigger->recent);
    trigger->recent = NULL;
}

static te_reason fire(te_trigger *trigger, te_reason fired) {
    if (fired == TE_REASON_NONE || trigger->pending != TE_REASON_NONE) {
        return TE_REASON_NONE;
    }
    trigger->pending = fired;
    return fired;
}

te_reason te_trigger_examples_arrived(te_trigger *trigger, uint64_t count) {
    trigger->new_examples += count;
    int reached = trigger->config.volume > 0 && trigger->new_examples >= trigger->config.volume;
    return fire(trigger, reached ? TE_REASON_VOLUME : TE_REASON_NONE);
}

te_reason te_trigger_prediction(te_trigger *trigger, int correct) {
    trigger->observations += 1;
    te_reason reason = TE_REASON_NONE;
    if (trigger->drift_on && te_page_hinkley_observe(&trigger->page_hinkley, correct ? 0.0 : 1.0)) {
        reason = TE_REASON_DRIFT;
        trigger->last_detail_reason = reason;
        trigger->detail_to = (double)trigger->observations;
    }
    uint32_t window = trigger->config.accuracy_window;
    if (window > 0) {
        if (trigger->recent_count == window) {
            trigger->recent_correct -= trigger->recent[trigger->recent_next];
        } else {
            trigger->recent_count += 1;
        }
        trigger->recent[trigger->recent_next] = correct ? 1 : 0;
        trigger->recent_correct += correct ? 1 : 0;
        trigger->recent_next = (trigger->recent_next + 1) % window;
        if (trigger->recent_count == window) {
            double accuracy = (double)trigger->recent_correct / (double)window;
            if (!trigger->has_baseline) {
                trigger->has_baseline = 1;
                trigger->baseline = accuracy;
            } else if (reason == TE_REASON_NONE && trigger->config.accuracy_drop >= 0 &&
                       accuracy < trigger->baseline - trigger->config.accuracy_drop) {
                reason = TE_REASON_ACCURACY_DROP;
                trigger->last_detail_reason = reason;
                trigger->detail_from = trigger->baseline;
                trigger->detail_to = accuracy;
            }
        }
    }
    return fire(trigger, reason);
}

static void restart_measurements(te_trigger *trigger) {
    trigger->has_baseline = 0;
    trigger->baseline = 0;
    trigger->observations = 0;
    trigger->recent_count = trigger->recent_next = trigger->recent_correct = 0;
    te_page_hinkley_reset(&trigger->page_hinkley);
}

void te_trigger_trained(te_trigger *trigger) {
    trigger->new_examples = 0;
    trigger->pending = TE_REASON_NONE;
    restart_measurements(trigger);
}

void te_trigger_model_changed(te_trigger *trigger) {
    restart_measurements(trigger);
}
