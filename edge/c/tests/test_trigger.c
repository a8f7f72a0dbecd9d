/* test_trigger.c: the training trigger and Page-Hinkley on seeded streams (trigger.h). */
#include <string.h>

#include "check.h"
#include "trigger.h"
#include "trigger_stream.h"

#define STREAM 4000
#define DRIFT_AT 2000

/* The index of the first reason fired on the stream (and which), -1 when none. */
static long first_fired(te_trigger *trigger, const uint8_t *correct, size_t count, te_reason *reason) {
    for (size_t i = 0; i < count; i++) {
        te_reason fired = te_trigger_prediction(trigger, correct[i]);
        if (fired != TE_REASON_NONE) {
            *reason = fired;
            return (long)i;
        }
    }
    return -1;
}

static void page_hinkley_fires_after_the_drift_and_not_before(void) {
    static uint8_t correct[STREAM];
    for (uint64_t seed = 1; seed <= 5; seed++) {
        te_trigger_stream(seed, STREAM, DRIFT_AT, correct);
        te_page_hinkley detector;
        te_page_hinkley_init(&detector, 0.005, 50, 30);
        long alarm = -1;
        for (size_t i = 0; i < STREAM && alarm < 0; i++) {
            if (te_page_hinkley_observe(&detector, correct[i] ? 0.0 : 1.0)) alarm = (long)i;
        }
        CHECK(alarm >= DRIFT_AT && alarm < DRIFT_AT + 300);
        CHECK(detector.count == 0);   /* restarted after its alarm */
    }
}

/* As the Swift DriftTests' announcesOnceUntilTrained: a window of 100 and a margin of 0.15 (the
 * defaults' 50 and 0.1 see a 5 % error stream's noise as a drop now and then). */
static void drift_or_accuracy_drop_fires_once_after_the_drift(void) {
    static uint8_t correct[STREAM];
    for (uint64_t seed = 1; seed <= 5; seed++) {
        te_trigger_stream(seed, STREAM, DRIFT_AT, correct);
        te_trigger trigger;
        te_error error;
        te_trigger_config config = {.volume = 10000, .accuracy_drop = 0.15, .accuracy_window = 100, .page_hinkley_threshold = 50};
        CHECK(te_trigger_init(&trigger, config, &error) == TE_OK);
        te_reason reason = TE_REASON_NONE;
        long at = first_fired(&trigger, correct, STREAM, &reason);
        CHECK(at >= DRIFT_AT && at < DRIFT_AT + 300);
        CHECK(reason == TE_REASON_DRIFT || reason == TE_REASON_ACCURACY_DROP);
        CHECK(trigger.pending == reason);
        /* announced once: quiet until trained, whatever else passes */
        te_reason again = TE_REASON_NONE;
        CHECK(first_fired(&trigger, correct + at + 1, STREAM - (size_t)at - 1, &again) == -1);
        CHECK(te_trigger_examples_arrived(&trigger, 100000) == TE_REASON_NONE);
        te_trigger_trained(&trigger);
        CHECK(trigger.pending == TE_REASON_NONE && trigger.new_examples == 0 && !trigger.has_baseline);
        te_trigger_free(&trigger);
    }
}

static void accuracy_drop_alone_measures_from_the_first_full_window(void) {
    static uint8_t correct[STREAM];
    te_trigger_stream(3, STREAM, DRIFT_AT, correct);
    te_trigger_config config = {.volume = 0, .accuracy_drop = 0.15, .accuracy_window = 100, .page_hinkley_threshold = 0};
    te_trigger trigger;
    te_error error;
    CHECK(te_trigger_init(&trigger, config, &error) == TE_OK);
    te_reason reason = TE_REASON_NONE;
    long at = first_fired(&trigger, correct, STREAM, &reason);
    CHECK(reason == TE_REASON_ACCURACY_DROP);
    CHECK(at >= DRIFT_AT && at < DRIFT_AT + 300);
    CHECK(trigger.detail_from > 0.85 && trigger.detail_to < trigger.detail_from - 0.15);
    te_trigger_free(&trigger);
}

static void volume_counts_until_trained_and_survives_a_new_model(void) {
    te_trigger_config config = te_trigger_config_default();
    te_trigger trigger;
    te_error error;
    CHECK(te_trigger_init(&trigger, config, &error) == TE_OK);
    CHECK(te_trigger_examples_arrived(&trigger, 60) == TE_REASON_NONE);
    te_trigger_model_changed(&trigger);   /* a release: the count stays */
    CHECK(te_trigger_examples_arrived(&trigger, 40) == TE_REASON_VOLUME);
    CHECK(strcmp(te_reason_name(trigger.pending), "volume") == 0);
    te_trigger_model_changed(&trigger);   /* a pending reason stays too */
    CHECK(trigger.pending == TE_REASON_VOLUME);
    te_trigger_trained(&trigger);
    CHECK(te_trigger_examples_arrived(&trigger, 99) == TE_REASON_NONE);
    te_trigger_free(&trigger);
}

static void bad_settings_are_refused_naming_the_value(void) {
    te_trigger trigger;
    te_error error;
    te_trigger_config config = te_trigger_config_default();
    config.accuracy_drop = 1.5;
    CHECK(te_trigger_init(&trigger, config, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "accuracy drop margin is 1.5") != NULL);
    config = te_trigger_config_default();
    config.accuracy_window = 2000000;
    CHECK(te_trigger_init(&trigger, config, &error) == TE_ERR_CONFIG);
    CHECK(strstr(error.reason, "accuracy window is 2000000") != NULL);
}

int main(void) {
    page_hinkley_fires_after_the_drift_and_not_before();
    drift_or_accuracy_drop_fires_once_after_the_drift();
    accuracy_drop_alone_measures_from_the_first_full_window();
    volume_counts_until_trained_and_survives_a_new_model();
    bad_settings_are_refused_naming_the_value();
    CHECK_DONE("test_trigger");
}
