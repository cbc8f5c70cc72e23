/* hq_push.c - turns a push body into an hq_batch (see hq_push.h). The record
 * shapes head office checks are a table (required fields and their JSON
 * types per record type); unknown types with a well-formed name are kept as
 * they are, because schema changes only ever add record types. */
#include "hq_push.h"
#include "hq_health.h"
#include "hq_state.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Required fields per record type: "name:t" with t = i (integer) or s (string). */
static const struct {
    const char *type;
    const char *fields[8];
} shapes[] = {
    {"ticket", {"id:i", "bday:s", "label:s", "state:s", "issued_at:i"}},
    {"ticket_event", {"id:i", "ticket:i", "at:i", "event:s"}},
    {"visitor", {"id:i", "bday:s", "badge:s", "name:s", "signed_in_at:i"}},
    {"complaint", {"id:i", "ref:s", "category:s", "description:s", "received_at:i",
                   "feedback_due:i", "state:s"}},
    {"complaint_event", {"id:i", "complaint:s", "at:i", "from:s", "to:s", "actor:s"}},
    {"rating", {"id:i", "ticket:i", "service:i", "attitude:i", "result:i", "at:i"}},
    {"handover", {"id:i", "at:i", "staff:s", "note:s"}},
    {"audit", {"id:i", "at:i", "actor:s", "action:s"}},
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* An integer JSON number within +-2^53 into *out; 0 or -1. */
static int get_int(const cJSON *o, const char *name, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || floor(v->valuedouble) != v->valuedouble ||
        fabs(v->valuedouble) > 9007199254740992.0)
        return -1;
    *out = (long long)v->valuedouble;
    return 0;
}

static const char *get_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Record type names: 1..32 of [a-z_]. */
static int good_type(const char *t)
{
    size_t n = 0;
    for (; t[n]; n++)
        if (!((t[n] >= 'a' && t[n] <= 'z') || t[n] == '_') || n >= 32)
            return 0;
    return n > 0;
}

/* Why rec (of type, version v) goes to quarantine, or NULL when it is fine. */
static const char *check_record(const char *type, long long v, const cJSON *rec)
{
    long long x;
    if (!good_type(type))
        return "bad type name";
    if (v < 1 || v > HQ_VERSION_MAX)
        return "unsupported schema version";
    if (!cJSON_IsObject(rec))
        return "record is not an object";
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (strcmp(shapes[i].type, type) != 0)
            continue;
        for (int f = 0; f < 8 && shapes[i].fields[f]; f++) {
            char name[32];
            const char *spec = shapes[i].fields[f];
            size_t n = strcspn(spec, ":");
            snprintf(name, sizeof name, "%.*s", (int)n, spec);
            if (spec[n + 1] == 'i' ? get_int(rec, name, &x) != 0 : !get_str(rec, name))
                return "missing or mistyped field";
        }
        return NULL;
    }
    return get_int(rec, "id", &x) == 0 ? NULL : "missing or mistyped field";
}

/* Fills c from a complaint record (strings point into the tree). */
static void complaint_fields(const cJSON *rec, struct hq_complaint *c)
{
    const cJSON *valid = cJSON_GetObjectItemCaseSensitive(rec, "valid");
    long long x;
    memset(c, 0, sizeof *c);
    c->ref = get_str(rec, "ref");
    c->category = get_str(rec, "category");
    c->description = get_str(rec, "description");
    c->received_at = get_int(rec, "received_at", &x) == 0 ? x : 0;
    c->feedback_due = get_int(rec, "feedback_due", &x) == 0 ? x : 0;
    c->state = get_str(rec, "state");
    c->severity = get_str(rec, "severity");
    c->valid = cJSON_IsNumber(valid) ? (valid->valueint != 0) : -1;
    c->department = get_str(rec, "department");
    c->resolution = get_str(rec, "resolution");
    c->close_reason = get_str(rec, "close_reason");
    c->stat_category = get_str(rec, "stat_category");
}

void hq_push_free(struct hq_push_msg *m)
{
    if (!m)
        return;
    if (m->texts)
        for (size_t i = 0; i < m->batch.n; i++)
            cJSON_free(m->texts[i]);
    if (m->states)
        for (size_t i = 0; i < m->batch.n; i++)
            hq_state_row_clear(&m->states[i]);
    free(m->states);
    free(m->texts);
    free(m->recs);
    free(m->cmps);
    cJSON_Delete(m->root);
    memset(m, 0, sizeof *m);
}

int hq_push_parse(const char *json, size_t len, size_t max_records, struct hq_push_msg *m,
                  char *err, size_t errlen)
{
    cJSON *root, *records, *it;
    const char *dev;
    long long prev = 0;
    size_t n, i = 0;

    memset(m, 0, sizeof *m);
    root = cJSON_ParseWithLength(json, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        set_err(err, errlen, "body is not a JSON object");
        return -1;
    }
    m->root = root;
    dev = get_str(root, "device_id");
    if (!dev || strlen(dev) > HQ_DEVICE_ID_MAX) {
        set_err(err, errlen, "device_id missing or too long");
        goto fail;
    }
    snprintf(m->device_id, sizeof m->device_id, "%s", dev);
    m->batch.device_id = m->device_id;
    if (get_int(root, "epoch", &m->batch.epoch) != 0 || m->batch.epoch < 1) {
        set_err(err, errlen, "epoch missing or not a positive integer");
        goto fail;
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "epoch_start") &&
        (get_int(root, "epoch_start", &m->batch.epoch_start) != 0 || m->batch.epoch_start < 1)) {
        set_err(err, errlen, "epoch_start not a positive integer");
        goto fail;
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "backlog") &&
        (get_int(root, "backlog", &m->batch.backlog) != 0 || m->batch.backlog < 0)) {
        set_err(err, errlen, "backlog not a non-negative integer");
        goto fail;
    }
    records = cJSON_GetObjectItemCaseSensitive(root, "records");
    if (!cJSON_IsArray(records)) {
        set_err(err, errlen, "records missing or not an array");
        goto fail;
    }
    n = (size_t)cJSON_GetArraySize(records);
    if (n > max_records) {
        set_err(err, errlen, "%zu records in one batch, at most %zu", n, max_records);
        goto fail;
    }
    m->recs = calloc(n ? n : 1, sizeof *m->recs);
    m->cmps = calloc(n ? n : 1, sizeof *m->cmps);
    m->texts = calloc(n ? n : 1, sizeof *m->texts);
    m->states = calloc(n ? n : 1, sizeof *m->states);
    if (!m->recs || !m->cmps || !m->texts || !m->states) {
        set_err(err, errlen, "out of memory");
        goto fail;
    }
    m->batch.recs = m->recs;
    cJSON_ArrayForEach(it, records) {
        struct hq_record *r = &m->recs[i];
        const cJSON *rec = cJSON_GetObjectItemCaseSensitive(it, "record");
        const char *type = get_str(it, "type");
        long long v;
        if (!cJSON_IsObject(it) || get_int(it, "seq", &r->seq) != 0 || r->seq <= prev) {
            set_err(err, errlen, "record %zu: seq missing or not increasing", i);
            goto fail;
        }
        prev = r->seq;
        if (get_int(it, "v", &v) != 0)
            v = 0;
        r->schema_version = (v >= 0 && v < 1000000) ? (int)v : 0;
        r->type = type ? type : "";
        r->quarantine = type ? check_record(type, v, rec) : "type missing";
        m->texts[i] = rec ? cJSON_PrintUnformatted(rec) : NULL;
        m->batch.n = ++i; /* texts[0..i) are freed by hq_push_free from here on */
        if (rec && !m->texts[i - 1]) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
        r->json = m->texts[i - 1] ? m->texts[i - 1] : "null";
        if (!r->quarantine && strcmp(r->type, "complaint") == 0) {
            complaint_fields(rec, &m->cmps[i - 1]);
            r->complaint = &m->cmps[i - 1];
        }
        /* A record its state table cannot take is quarantined (hq_state.c). */
        const struct hq_state_table *t = r->quarantine ? NULL : hq_state_for_type(r->type);
        if (t && !(r->quarantine = hq_state_parse(t, rec, &m->states[i - 1]))) {
            struct hq_state_row *row = &m->states[i - 1];
            row->device_id = m->device_id;
            row->epoch = m->batch.epoch;
            row->seq = r->seq;
            r->state = row;
        }
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "health");
    if (it)
        m->has_health = hq_health_parse(it, &m->health, m->health_err,
                                        sizeof m->health_err) == 0;
    return 0;
fail:
    hq_push_free(m);
    return -1;
}
