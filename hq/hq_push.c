/* hq_push.c - turns a push body into an hq_batch (see hq_push.h). The record
 * shapes head office checks are a table (required fields and their JSON
 * types per record type); unknown types with a well-formed name are kept as
 * they are, because schema changes only ever add record types. What either
 * backend could not store (text that is not UTF-8, a NUL inside a string, a
 * key longer than an index takes, a complaint state the workflow does not
 * know) is decided here, once, and goes to quarantine with its reason. */
#include "hq_push.h"
#include "fdtext.h"
#include "hq_complaint.h"
#include "hq_health.h"
#include "hq_state.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Required fields per record type: "name:t" with t = i (integer) or s
 * (string), a string optionally with its most bytes ("ref:s64": a key that
 * goes into a unique index, which PostgreSQL caps near 2.7 KB). */
static const struct {
    const char *type;
    const char *fields[8];
} shapes[] = {
    {"ticket", {"id:i", "bday:s", "label:s", "state:s", "issued_at:i"}},
    {"ticket_event", {"id:i", "ticket:i", "at:i", "event:s"}},
    {"visitor", {"id:i", "bday:s", "badge:s", "name:s", "signed_in_at:i"}},
    {"complaint", {"id:i", "ref:s64", "category:s64", "description:s", "received_at:i",
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

/* A NUL inside a JSON string (the escape \u0000) would cut the string in
 * the parsed tree (a C string), silently. Before parsing, each such escape
 * becomes \uFDD0 (a noncharacter, same length), which check_text() finds
 * and quarantines: the record keeps its place and its reason. Returns a
 * malloc'd copy when there was such an escape, else NULL (also when out of
 * memory: then the parse fails on its own budget). Escapes are followed
 * exactly: \\u0000 is a backslash followed by "u0000". */
static char *mark_nuls(const char *json, size_t len)
{
    char *copy = NULL;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_str) {
            in_str = json[i] == '"';
        } else if (json[i] == '"') {
            in_str = 0;
        } else if (json[i] == '\\' && i + 1 < len) {
            if (json[i + 1] == 'u' && i + 5 < len && memcmp(json + i + 2, "0000", 4) == 0) {
                if (!copy) {
                    if (!(copy = malloc(len + 1)))
                        return NULL;
                    memcpy(copy, json, len);
                    copy[len] = '\0';
                }
                memcpy(copy + i + 2, "FDD0", 4);
            }
            i++;
        }
    }
    return copy;
}

#define NUL_MARK 0xFDD0u /* what mark_nuls made of \u0000 */

/* Why a string (or object key) cannot be stored, or NULL. */
static const char *check_string(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = fdtext_decode(s + i, len - i, &cp);
        if (n < 0)
            return "a string is not valid UTF-8";
        if (cp == NUL_MARK)
            return "a string holds a NUL character (\\u0000)";
        i += (size_t)n;
    }
    return NULL;
}

/* Why some string or key in the tree cannot be stored, or NULL. */
static const char *check_text(const cJSON *node)
{
    const char *why;
    for (; node; node = node->next) {
        if (node->string && (why = check_string(node->string)))
            return why;
        if (cJSON_IsString(node) && (why = check_string(node->valuestring)))
            return why;
        if (node->child && (why = check_text(node->child)))
            return why;
    }
    return NULL;
}

/* Copies text with every byte that is not UTF-8 replaced by U+FFFD, so a
 * quarantined record can be stored as it came, minus what no backend can
 * hold. Returns a cJSON_malloc'd string or NULL (out of memory). */
static char *utf8_sanitize(const char *text)
{
    size_t len = strlen(text), o = 0;
    char *out = cJSON_malloc(len * 3 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = fdtext_decode(text + i, len - i, &cp);
        if (n < 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, text + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
        }
    }
    out[o] = '\0';
    return out;
}

/* Why rec (of type, version v) goes to quarantine, or NULL when it is fine. */
static const char *check_record(const char *type, long long v, const cJSON *rec)
{
    long long x;
    const char *why;
    if (!good_type(type))
        return "bad type name";
    if (v < 1 || v > HQ_VERSION_MAX)
        return "unsupported schema version";
    if (!cJSON_IsObject(rec))
        return "record is not an object";
    if ((why = check_text(rec->child)))
        return why;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (strcmp(shapes[i].type, type) != 0)
            continue;
        for (int f = 0; f < 8 && shapes[i].fields[f]; f++) {
            char name[32];
            const char *spec = shapes[i].fields[f], *str = NULL;
            size_t n = strcspn(spec, ":");
            snprintf(name, sizeof name, "%.*s", (int)n, spec);
            if (spec[n + 1] == 'i' ? get_int(rec, name, &x) != 0 : !(str = get_str(rec, name)))
                return "missing or mistyped field";
            if (str && spec[n + 2] && strlen(str) > (size_t)atoi(spec + n + 2))
                return "a key field is longer than head office stores";
        }
        if (strcmp(type, "complaint") == 0 && !hq_complaint_state_ok(get_str(rec, "state")))
            return "complaint state unknown to the workflow";
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
    char *marked = mark_nuls(json, len);
    root = cJSON_ParseWithLength(marked ? marked : json, len);
    free(marked);
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
        /* a type name that is not text is not kept (the reason says why) */
        r->type = type && !check_string(type) && strlen(type) <= 64 ? type : "";
        r->quarantine = type ? check_record(type, v, rec) : "type missing";
        m->texts[i] = rec ? cJSON_PrintUnformatted(rec) : NULL;
        m->batch.n = ++i; /* texts[0..i) are freed by hq_push_free from here on */
        if (rec && !m->texts[i - 1]) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
        if (r->quarantine && m->texts[i - 1] && check_string(m->texts[i - 1])) {
            char *clean = utf8_sanitize(m->texts[i - 1]);
            if (!clean) {
                set_err(err, errlen, "out of memory");
                goto fail;
            }
            cJSON_free(m->texts[i - 1]);
            m->texts[i - 1] = clean;
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
