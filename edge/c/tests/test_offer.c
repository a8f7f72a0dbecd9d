/* test_offer.c: an offer whose plan's deadline has passed is not trained: nothing is sent (the
 * connection is not touched), no Update is kept, the trigger's reason stays pending, and the
 * log says why. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "edge_fixture.h"
#include "messages.h"

static char last_line[1024];

static void capture(void *context, int level, const char *line) {
    (void)context;
    (void)level;
    snprintf(last_line, sizeof last_line, "%s", line);
}

int main(void) {
    char path[] = "/tmp/te-offer-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    te_edge *edge = open_with_model(path);
    if (edge != NULL) {
        edge->config.log = capture;
        float row[4] = {1, 2, 3, 4};
        for (int i = 0; i < 12; i++) CHECK(te_add_feedback(edge, row, 4, i % 2) == TE_OK);
        CHECK(edge->trigger.pending == TE_REASON_VOLUME);
        Tributary__V1__TrainingPlan plan = TRIBUTARY__V1__TRAINING_PLAN__INIT;
        plan.epochs = 1;
        plan.batch_size = 4;
        plan.learning_rate = 0.1;
        plan.deadline_unix_ms = 1000;   /* 1970: long past */
        Tributary__V1__RoundOffer offer = TRIBUTARY__V1__ROUND_OFFER__INIT;
        offer.round_id = 3;
        offer.base_model_version = 5;
        offer.plan = &plan;
        te_error error;
        CHECK(te_answer_offer(edge, NULL, &offer, &error) == TE_OK);   /* NULL: any send would crash */
        CHECK(edge->answered.delta == NULL && edge->answered_round == 0);
        CHECK(edge->trigger.pending == TE_REASON_VOLUME && edge->trigger.new_examples == 12);
        CHECK(strstr(last_line, "round 3 not answered: its deadline (plan.deadline_unix_ms 1000) passed before training began") != NULL);
        te_close(edge);
    }
    unlink(path);
    CHECK_DONE("test_offer");
}
