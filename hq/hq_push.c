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

/* ---- each record's text as received ----
 * The log keeps a record's JSON text as the kiosk sent it: cut from the body
 * rather than printed again from the parsed tree (printing was most of a
 * push's parse: every number formatted and read back). cJSON keeps no
 * positions, so the spans come from a second, strict pass over the body
 * cJSON already accepted, written by hand for that reason: it walks the
 * root object to its "records" array and each element to its "record"
 * value. It trusts a span only where it can be sure it reads the body as
 * cJSON did and the text is strict JSON every backend takes (RFC 8259:
 * whitespace only space/tab/LF/CR, no raw control character in a string,
 * escapes as the RFC lists them, numbers by its grammar); anything else - an
 * escaped key on the way (cJSON compares keys decoded), a byte-order mark,
 * cJSON's leniencies (leading zeros, "1.", control bytes as whitespace), a
 * number with more than 3 exponent digits or over 64 bytes (PostgreSQL's
 * jsonb, which the log's indexes cast to, refuses numbers beyond its range),
 * nesting deeper than cJSON's limit - makes the whole body fall back to
 * printing from the tree, as before. Either way the stored text parses to
 * the very tree head office checked; a re-sent version is recognised by its
 * (epoch, seq), never by its text, so the text need not be canonical. A
 * record bound for quarantine by its own checks is printed from the tree as
 * before (rare, and there the print makes a NUL or bad bytes visible). */

#define SPAN_DEPTH_MAX 1000   /* cJSON's own nesting limit (CJSON_NESTING_LIMIT) */
#define SPAN_NUMBER_MAX 64    /* bytes of one number taken as received */

struct span {
    const char *p;            /* start of the value's text, NULL: no such member */
    size_t len;
};

static const char *scan_value(const char *p, const char *end, int depth);

static const char *scan_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int hexdig(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string starting at p (its '"'): returns the byte after its closing
 * quote, or NULL. *escaped = 1 when it holds an escape. Bytes from 0x80 on
 * are passed as they are (cJSON copies them; the record's checks decide). */
static const char *scan_string(const char *p, const char *end, int *escaped)
{
    *escaped = 0;
    if (p >= end || *p != '"')
        return NULL;
    for (p++; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            *escaped = 1;
            if (++p >= end)
                return NULL;
            if (*p == 'u') {
                if (end - p < 5 || !hexdig(p[1]) || !hexdig(p[2]) || !hexdig(p[3]) ||
                    !hexdig(p[4]))
                    return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
                return NULL;
            }
        }
    }
    return NULL;
}

/* A number by RFC 8259's grammar, within SPAN_NUMBER_MAX bytes and 3
 * exponent digits: the byte after it, or NULL. */
static const char *scan_number(const char *p, const char *end)
{
    const char *s = p;
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0')
        p++;
    else if (p < end && *p >= '1' && *p <= '9')
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (p < end && *p == '.') {
        if (++p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *d;
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        for (d = p; p < end && *p >= '0' && *p <= '9'; p++)
            ;
        if (p == d || p - d > 3)
            return NULL;
    }
    return p - s <= SPAN_NUMBER_MAX ? p : NULL;
}

static const char *scan_word(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* An object or array starting at p: the byte after its closing bracket, or
 * NULL. */
static const char *scan_container(const char *p, const char *end, int depth)
{
    char close = *p == '{' ? '}' : ']';
    int esc;
    if (depth >= SPAN_DEPTH_MAX)
        return NULL;
    p = scan_ws(p + 1, end);
    if (p < end && *p == close)
        return p + 1;
    for (;;) {
        if (close == '}') {
            if (!(p = scan_string(p, end, &esc)))
                return NULL;
            p = scan_ws(p, end);
            if (p >= end || *p != ':')
                return NULL;
            p = scan_ws(p + 1, end);
        }
        if (!(p = scan_value(p, end, depth + 1)))
            return NULL;
        p = scan_ws(p, end);
        if (p < end && *p == close)
            return p + 1;
        if (p >= end || *p != ',')
            return NULL;
        p = scan_ws(p + 1, end);
    }
}

/* Any value starting at p (no whitespace before it): the byte after it, or
 * NULL when it is not strict JSON as above. */
static const char *scan_value(const char *p, const char *end, int depth)
{
    int esc;
    if (p >= end)
        return NULL;
    switch (*p) {
    case '{':
    case '[':
        return scan_container(p, end, depth);
    case '"':
        return scan_string(p, end, &esc);
    case 't':
        return scan_word(p, end, "true");
    case 'f':
        return scan_word(p, end, "false");
    case 'n':
        return scan_word(p, end, "null");
    default:
        return scan_number(p, end);
    }
}

/* Walks the members of the object at p (its '{'), calling fn for each with
 * its key (the raw text between the quotes, which holds no escape) and the
 * start of its value; fn returns the byte after the value, or NULL. Returns
 * the byte after the object, or NULL (not strict, an escaped key, or fn
 * refused). */
typedef const char *(*member_fn)(void *ctx, const char *key, size_t keylen, const char *v,
                                 const char *end);

static const char *scan_members(const char *p, const char *end, member_fn fn, void *ctx)
{
    if (p >= end || *p != '{')
        return NULL;
    p = scan_ws(p + 1, end);
    if (p < end && *p == '}')
        return p + 1;
    for (;;) {
        const char *k = p;
        int esc;
        if (!(p = scan_string(p, end, &esc)) || esc)
            return NULL;
        size_t keylen = (size_t)(p - k) - 2;
        p = scan_ws(p, end);
        if (p >= end || *p != ':')
            return NULL;
        p = scan_ws(p + 1, end);
        if (!(p = fn(ctx, k + 1, keylen, p, end)))
            return NULL;
        p = scan_ws(p, end);
        if (p < end && *p == '}')
            return p + 1;
        if (p >= end || *p != ',')
            return NULL;
        p = scan_ws(p + 1, end);
    }
}

static int key_is(const char *key, size_t keylen, const char *name)
{
    return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

/* A member of one element of "records": the first "record" is its span
 * (cJSON's lookup takes the first of equal keys too). */
static const char *element_member(void *ctx, const char *key, size_t keylen, const char *v,
                                  const char *end)
{
    struct span *sp = ctx;
    const char *after = scan_value(v, end, 3);
    if (after && !sp->p && key_is(key, keylen, "record")) {
        sp->p = v;
        sp->len = (size_t)(after - v);
    }
    return after;
}

struct root_scan {
    struct span *spans;       /* n of them, filled in element order */
    size_t n, found;          /* elements expected (cJSON's count) and seen */
    int seen;                 /* 1: "records" walked */
};

/* A member of the root: the first "records" is walked element by element. */
static const char *root_member(void *ctx, const char *key, size_t keylen, const char *v,
                               const char *end)
{
    struct root_scan *rs = ctx;
    if (rs->seen || !key_is(key, keylen, "records"))
        return scan_value(v, end, 1);
    rs->seen = 1;
    if (*v != '[')
        return NULL; /* cJSON refuses such a body anyway */
    const char *p = scan_ws(v + 1, end);
    if (p < end && *p == ']')
        return p + 1;
    for (;;) {
        if (rs->found >= rs->n)
            return NULL; /* more elements than cJSON saw: never trust this reading */
        struct span *sp = &rs->spans[rs->found++];
        p = *p == '{' ? scan_members(p, end, element_member, sp) : scan_value(p, end, 2);
        if (!p)
            return NULL;
        p = scan_ws(p, end);
        if (p < end && *p == ']')
            return p + 1;
        if (p >= end || *p != ',')
            return NULL;
        p = scan_ws(p + 1, end);
    }
}

/* Whether span sp (or its absence) is the text of the tree's value v (or
 * its absence): the first byte names the kind of value. */
static int span_fits(const struct span *sp, const cJSON *v)
{
    if (!v || !sp->p)
        return !v && !sp->p;
    switch (sp->p[0]) {
    case '{': return cJSON_IsObject(v);
    case '[': return cJSON_IsArray(v);
    case '"': return cJSON_IsString(v);
    case 't': return cJSON_IsTrue(v);
    case 'f': return cJSON_IsFalse(v);
    case 'n': return cJSON_IsNull(v);
    default: return cJSON_IsNumber(v);
    }
}

/* Finds the text of every records[i].record in body (len bytes; the text
 * cJSON parsed into root). Returns 0 with spans[0..n) set (p NULL where an
 * element has no "record"), or -1 when the body is not read with certainty
 * (see above): then no span may be used. */
static int record_spans(const char *body, size_t len, const cJSON *records, size_t n,
                        struct span *spans)
{
    struct root_scan rs = {spans, n, 0, 0};
    const char *end = body + len, *p = scan_ws(body, end);
    const cJSON *it;
    size_t i = 0;
    memset(spans, 0, n * sizeof *spans);
    if (!scan_members(p, end, root_member, &rs) || !rs.seen || rs.found != n)
        return -1;
    cJSON_ArrayForEach(it, records) {
        if (i >= n || !span_fits(&spans[i], cJSON_GetObjectItemCaseSensitive(it, "record")))
            return -1;
        i++;
    }
    return i == n ? 0 : -1;
}

/* A copy of the span as a NUL-terminated string from cJSON's allocator (the
 * server's parse budget counts it), or NULL when out of memory. */
static char *span_text(const struct span *sp)
{
    char *t = cJSON_malloc(sp->len + 1);
    if (t) {
        memcpy(t, sp->p, sp->len);
        t[sp->len] = '\0';
    }
    return t;
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
    const char *body = marked ? marked : json; /* what cJSON read: spans come from it */
    struct span *spans = NULL;
    int raw = 0;              /* 1: spans hold each record's text as received */
    root = cJSON_ParseWithLength(body, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        free(marked);
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
    if (n > 0 && (spans = malloc(n * sizeof *spans)) != NULL)
        raw = record_spans(body, len, records, n, spans) == 0;
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
        /* a record for quarantine is printed from the tree, as ever: what no
         * backend holds (a NUL, bytes that are not UTF-8) is made visible there */
        m->texts[i] = !rec                     ? NULL
                      : raw && !r->quarantine ? span_text(&spans[i])
                                              : cJSON_PrintUnformatted(rec);
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
    free(spans);
    free(marked);
    return 0;
fail:
    free(spans);
    free(marked);
    hq_push_free(m);
    return -1;
}
