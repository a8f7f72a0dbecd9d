/* test_feedback.c: examples arriving feed the trigger through the held model's predictions;
 * predictions logged by id and their feedback make the live-accuracy counts of the held version
 * (DeviceFacts.live_outcomes / live_correct); an unknown id is refused naming it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "edge_fixture.h"

static void arrivals_are_predicted_until_live_outcomes_exist(te_edge *edge) {
    float row[4] = {1, 2, 3, 4};
    for (int i = 0; i < 9; i++) CHECK(te_add_feedback(edge, row, 4, 0) == TE_OK);   /* predicted right */
    CHECK(edge->trigger.observations == 9 && !edge->trigger.has_baseline && edge->announce == TE_REASON_NONE);
    CHECK(te_add_feedback(edge, row, 4, 0) == TE_OK);
    CHECK(edge->trigger.has_baseline && edge->trigger.baseline == 1.0);
    CHECK(edge->announce == TE_REASON_VOLUME);   /* 10 new examples */
    edge->announce = TE_REASON_NONE;
    te_trigger_trained(&edge->trigger);
    for (int i = 0; i < 10; i++) CHECK(te_add_feedback(edge, row, 4, 0) == TE_OK);
    for (int i = 0; i < 5; i++) CHECK(te_add_feedback(edge, row, 4, 1) == TE_OK);   /* wrong: 5 of the last 10 */
    CHECK(edge->trigger.pending == TE_REASON_VOLUME);   /* volume came first (10 new); the drop then stays quiet */
    CHECK(edge->trigger.observations == 15);
}

static void logged_predictions_make_the_live_counts(te_edge *edge) {
    float row[4] = {0.5f, -1, 2, 0};
    int32_t predicted = -1;
    uint64_t first = 0, second = 0, outcomes = 9, correct = 9;
    te_live_counts(edge, &outcomes, &correct);
    CHECK(outcomes == 0 && correct == 0);
    CHECK(te_predict_logged(edge, row, 4, NULL, 0, &predicted, &first) == TE_OK && predicted == 0 && first == 1);
    CHECK(te_predict_logged(edge, row, 4, NULL, 0, &predicted, &second) == TE_OK && second == 2);
    size_t window = edge->window.count;
    uint64_t observations = edge->trigger.observations;
    CHECK(te_add_prediction_feedback(edge, first, 0) == TE_OK);   /* right */
    CHECK(te_add_prediction_feedback(edge, second, 1) == TE_OK);  /* wrong */
    CHECK(te_add_prediction_feedback(edge, second, 0) == TE_OK);  /* only the first feedback sets the outcome */
    te_live_counts(edge, &outcomes, &correct);
    CHECK(outcomes == 2 && correct == 1);
    CHECK(edge->live_feedback && edge->window.count == window + 3);
    CHECK(edge->trigger.observations == observations + 2);   /* the live outcomes, not the arrivals, are observed now */
    float features[4];
    memcpy(features, edge->window.features + te_dataset_slot(&edge->window, edge->window.count - 1) * 4, sizeof features);
    CHECK(memcmp(features, row, sizeof row) == 0);   /* the example is the logged prediction's input */

    CHECK(te_add_prediction_feedback(edge, 99, 0) == TE_ERR_CONFIG);
    CHECK(strstr(te_last_error(edge), "prediction id 99 is not in the prediction log") != NULL);
    for (int i = 0; i < TE_PREDICTION_LOG; i++) te_predict_logged(edge, row, 4, NULL, 0, &predicted, &second);
    CHECK(te_add_prediction_feedback(edge, first, 0) == TE_ERR_CONFIG);   /* it left the log */
    CHECK(te_add_prediction_feedback(edge, second, -1) == TE_ERR_CONFIG);
    CHECK(strstr(te_last_error(edge), "label: -1 is not a class") != NULL);

    edge->model.version = 6;   /* another version held: its counts start from none */
    te_live_counts(edge, &outcomes, &correct);
    CHECK(outcomes == 0 && correct == 0);
    edge->model.version = 5;
}

int main(void) {
    char path[] = "/tmp/te-feedback-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    te_edge *edge = open_with_model(path);
    if (edge != NULL) {
        arrivals_are_predicted_until_live_outcomes_exist(edge);
        logged_predictions_make_the_live_counts(edge);
        te_close(edge);
    }
    unlink(path);
    CHECK_DONE("test_feedback");
}
