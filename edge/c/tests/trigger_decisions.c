/* trigger_decisions.c: the trigger's decisions on a 0/1 outcome stream, for comparing with the
 * Swift TrainingTrigger (scripts/c-edge-trigger-vs-swift.sh).
 *   trigger_decisions stream SEED   prints the seeded stream of trigger_stream.h (4,000 outcomes, drift at 2,000) as 0/1 characters
 *   trigger_decisions decide        reads such characters from stdin and prints, one per line:
 *     "ph INDEX"       each Page-Hinkley alarm (delta 0.005, threshold 50, 30 values at least)
 *     "REASON INDEX"   each reason the default trigger (volume off) fires, trained after each */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trigger.h"
#include "trigger_stream.h"

#define STREAM 4000

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "stream") == 0) {
        static uint8_t correct[STREAM];
        te_trigger_stream(strtoull(argv[2], NULL, 10), STREAM, 2000, correct);
        for (size_t i = 0; i < STREAM; i++) putchar(correct[i] ? '1' : '0');
        putchar('\n');
        return 0;
    }
    if (argc != 2 || strcmp(argv[1], "decide") != 0) {
        fprintf(stderr, "usage: trigger_decisions stream SEED | decide < STREAM\n");
        return 1;
    }
    te_page_hinkley detector;
    te_page_hinkley_init(&detector, 0.005, 50, 30);
    te_trigger_config config = te_trigger_config_default();
    config.volume = 0;
    te_trigger trigger;
    te_error error;
    if (te_trigger_init(&trigger, config, &error) != TE_OK) {
        fprintf(stderr, "%s\n", error.reason);
        return 1;
    }
    long index = 0;
    for (int c = getchar(); c != EOF; c = getchar()) {
        if (c != '0' && c != '1') continue;
        int correct = c == '1';
        if (te_page_hinkley_observe(&detector, correct ? 0.0 : 1.0)) printf("ph %ld\n", index);
        te_reason reason = te_trigger_prediction(&trigger, correct);
        if (reason != TE_REASON_NONE) {
            printf("%s %ld\n", te_reason_name(reason), index);
            te_trigger_trained(&trigger);
        }
        index++;
    }
    te_trigger_free(&trigger);
    return 0;
}
