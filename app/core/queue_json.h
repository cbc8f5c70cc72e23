/* queue_json.h - a ticket as JSON: the one shape every program that shows a
 * ticket to another program uses (frontdesk-ctl --json, frontdesk-counter's
 * API), so that the two never drift apart. Core owns the ticket, so it owns
 * its shape. */
#ifndef FD_QUEUE_JSON_H
#define FD_QUEUE_JSON_H
#include <cjson/cJSON.h>

#include "queue.h"

enum queue_json_detail {
    QUEUE_JSON_BRIEF, /* id, ticket, service, state, counter, recalls, transfers */
    QUEUE_JSON_FULL   /* and issued_service, bday, number, priority, the four
                       * times (null when not yet), ahead, estimated_wait_s */
};

/* Returns a new object for t (keys in the order above: the brief keys are
 * a subset of the full ones, in the same order; counter is null when none),
 * owned by the caller (cJSON_Delete), or NULL when out of memory. */
cJSON *queue_ticket_json(const struct queue_ticket *t, enum queue_json_detail detail);

#endif
