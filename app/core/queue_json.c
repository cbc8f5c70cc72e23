/* queue_json.c - a ticket as JSON (see queue_json.h): the shape
 * frontdesk-ctl --json prints and frontdesk-counter's API answers with. */
#include "queue_json.h"

/* A Unix time, or null for "not yet" (0). */
static void add_time(cJSON *o, const char *key, int64_t t)
{
    if (t)
        cJSON_AddNumberToObject(o, key, (double)t);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *queue_ticket_json(const struct queue_ticket *t, enum queue_json_detail detail)
{
    int full = detail == QUEUE_JSON_FULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)t->id);
    cJSON_AddStringToObject(o, "ticket", t->label);
    cJSON_AddStringToObject(o, "service", t->service);
    if (full) {
        cJSON_AddStringToObject(o, "issued_service", t->issued_service);
        cJSON_AddStringToObject(o, "bday", t->bday);
        cJSON_AddNumberToObject(o, "number", t->number);
        cJSON_AddBoolToObject(o, "priority", t->priority);
    }
    cJSON_AddStringToObject(o, "state", t->state);
    if (t->counter)
        cJSON_AddNumberToObject(o, "counter", t->counter);
    else
        cJSON_AddNullToObject(o, "counter");
    cJSON_AddNumberToObject(o, "recalls", t->recalls);
    cJSON_AddNumberToObject(o, "transfers", t->transfers);
    if (full) {
        add_time(o, "issued_at", t->issued_at);
        add_time(o, "called_at", t->called_at);
        add_time(o, "serving_at", t->serving_at);
        add_time(o, "finished_at", t->finished_at);
        cJSON_AddNumberToObject(o, "ahead", t->ahead);
        cJSON_AddNumberToObject(o, "estimated_wait_s", (double)t->est_wait_s);
    }
    return o;
}
