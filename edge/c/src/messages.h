/* messages.h: the messages this client sends, and what it does with those delivered to it. */
#ifndef TE_MESSAGES_H
#define TE_MESSAGES_H

#include "edge_internal.h"

/* Frames a message (chunked when large) and writes it before the write deadline. */
te_status te_send(te_edge *edge, te_connection *connection, te_envelope *message, te_error *error);

te_status te_send_hello(te_edge *edge, te_connection *connection, te_error *error);
/* Ready{device facts, trigger, ready}. */
te_status te_send_ready(te_edge *edge, te_connection *connection, const char *trigger, int ready, te_error *error);
te_status te_send_heartbeat(te_edge *edge, te_connection *connection, uint64_t sequence, te_error *error);
te_status te_send_goodbye(te_edge *edge, te_connection *connection, Tributary__V1__Goodbye__Reason reason, te_error *error);
te_status te_send_error(te_edge *edge, te_connection *connection, Tributary__V1__Error__Code code, const char *text,
                        te_error *error);

/* Runs the round's job on the window and sends its Update; a job that cannot run on this
 * device's data is logged and the offer left unanswered. */
te_status te_answer_offer(te_edge *edge, te_connection *connection, const Tributary__V1__RoundOffer *offer, te_error *error);

/* Welcome, RoundOffer, ModelRelease, UpdateReceipt: logged; models decoded and held. A message
 * whose content is refused (a model that does not fit its layout) is TE_ERR_INVALID_MESSAGE. */
te_status te_deliver(te_edge *edge, te_connection *connection, const te_envelope *message, te_error *error);

#endif
