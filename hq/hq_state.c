/* hq_state.c - the current-state tables as data, record JSON to rows, and the
 * replay of the log (hq_state.h). The column lists follow the kiosk's record
 * views and triggers (data/schema/0001_init.sql); fields a report needs are
 * required, the rest may be null, so a later record version that adds fields
 * still fits. Checks here are what makes a record go to quarantine instead. */
#include "hq_state.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_SHORT 64         /* codes, labels, states, names of people */
#define T_TEXT 4000        /* notes, purposes, details */
#define T_JSON (64 * 1024) /* a handover's open items */
#define I_ANY 9007199254740992LL
#define I_TIME 0, I_ANY    /* Unix seconds */

static const char *const ticket_states[] = {"waiting", "called", "serving", "done",
                                            "noshow", "cancelled", NULL};

static const struct hq_state_col ticket_cols[] = {
    {"bday", HQ_COL_TEXT, 1, 0, 10, NULL, 1},
    {"issued_service", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"service", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"number", HQ_COL_INT, 0, 0, I_ANY, NULL, 0},
    {"label", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"priority", HQ_COL_INT, 0, -I_ANY, I_ANY, NULL, 0},
    {"state", HQ_COL_TEXT, 1, 0, T_SHORT, ticket_states, 0},
    {"counter", HQ_COL_INT, 0, -I_ANY, I_ANY, NULL, 0},
    {"recalls", HQ_COL_INT, 0, 0, I_ANY, NULL, 0},
    {"transfers", HQ_COL_INT, 0, 0, I_ANY, NULL, 0},
    {"issued_at", HQ_COL_INT, 1, I_TIME, NULL, 0},
    {"called_at", HQ_COL_INT, 0, I_TIME, NULL, 0},
    {"serving_at", HQ_COL_INT, 0, I_TIME, NULL, 0},
    {"finished_at", HQ_COL_INT, 0, I_TIME, NULL, 0},
};

static const struct hq_state_col ticket_event_cols[] = {
    {"ticket", HQ_COL_INT, 1, -I_ANY, I_ANY, NULL, 0},
    {"at", HQ_COL_INT, 1, I_TIME, NULL, 0},
    {"event", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"counter", HQ_COL_INT, 0, -I_ANY, I_ANY, NULL, 0},
    {"service", HQ_COL_TEXT, 0, 0, T_SHORT, NULL, 0},
    {"actor", HQ_COL_TEXT, 0, 0, T_SHORT, NULL, 0},
};

static const char *const signouts[] = {"staff", "self", "closing", NULL};

static const struct hq_state_col visitor_cols[] = {
    {"bday", HQ_COL_TEXT, 1, 0, 10, NULL, 1},
    {"badge", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"name", HQ_COL_TEXT, 1, 0, T_TEXT, NULL, 0},
    {"phone", HQ_COL_TEXT, 0, 0, T_SHORT, NULL, 0},
    {"company", HQ_COL_TEXT, 0, 0, T_TEXT, NULL, 0},
    {"host", HQ_COL_TEXT, 0, 0, T_TEXT, NULL, 0},
    {"purpose", HQ_COL_TEXT, 0, 0, T_TEXT, NULL, 0},
    {"signed_in_at", HQ_COL_INT, 1, I_TIME, NULL, 0},
    {"signed_out_at", HQ_COL_INT, 0, I_TIME, NULL, 0},
    {"signout_how", HQ_COL_TEXT, 0, 0, T_SHORT, signouts, 0},
    {"invitation", HQ_COL_TEXT, 0, 0, T_SHORT, NULL, 0}, /* its code (issue 14) */
};

static const struct hq_state_col rating_cols[] = {
    {"ticket", HQ_COL_INT, 1, -I_ANY, I_ANY, NULL, 0},
    {"counter", HQ_COL_INT, 0, -I_ANY, I_ANY, NULL, 0},
    {"service", HQ_COL_INT, 1, 1, 4, NULL, 0}, /* 1 excellent .. 4 poor */
    {"attitude", HQ_COL_INT, 1, 1, 4, NULL, 0},
    {"result", HQ_COL_INT, 1, 1, 4, NULL, 0},
    {"comment", HQ_COL_TEXT, 0, 0, T_TEXT, NULL, 0},
    {"at", HQ_COL_INT, 1, I_TIME, NULL, 0},
    {"complaint", HQ_COL_TEXT, 0, 0, T_SHORT, NULL, 0},
};

static const struct hq_state_col handover_cols[] = {
    {"at", HQ_COL_INT, 1, I_TIME, NULL, 0},
    {"staff", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"note", HQ_COL_TEXT, 1, 0, T_TEXT, NULL, 0},
    {"open", HQ_COL_JSON, 0, 0, T_JSON, NULL, 0},
};

static const struct hq_state_col audit_cols[] = {
    {"at", HQ_COL_INT, 1, I_TIME, NULL, 0},
    {"actor", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"action", HQ_COL_TEXT, 1, 0, T_SHORT, NULL, 0},
    {"subject", HQ_COL_TEXT, 0, 0, T_TEXT, NULL, 0},
    {"detail", HQ_COL_TEXT, 0, 0, T_TEXT, NULL, 0},
};

#define N(a) ((int)(sizeof a / sizeof a[0]))

const struct hq_state_table hq_state_tables[] = {
    {"ticket", "ticket_state", ticket_cols, N(ticket_cols), "issued_at"},
    {"ticket_event", "ticket_event_state", ticket_event_cols, N(ticket_event_cols), "at"},
    {"visitor", "visitor_state", visitor_cols, N(visitor_cols), "signed_in_at"},
    {"rating", "rating_state", rating_cols, N(rating_cols), "at"},
    {"handover", "handover_state", handover_cols, N(handover_cols), "at"},
    {"audit", "audit_state", audit_cols, N(audit_cols), "at"},
};
const int hq_state_ntables = N(hq_state_tables);

const struct hq_state_table *hq_state_for_type(const char *type)
{
    for (int i = 0; type && i < hq_state_ntables; i++)
        if (strcmp(hq_state_tables[i].type, type) == 0)
            return &hq_state_tables[i];
    return NULL;
}

const struct hq_state_table *hq_state_by_name(const char *table)
{
    for (int i = 0; table && i < hq_state_ntables; i++)
        if (strcmp(hq_state_tables[i].table, table) == 0)
            return &hq_state_tables[i];
    return NULL;
}

int hq_state_col(const struct hq_state_table *t, const char *name)
{
    for (int i = 0; name && i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return i;
    return -1;
}

/* A JSON number that is a whole number within +-2^53. */
static int whole(const cJSON *v, long long *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
        floor(v->valuedouble) != v->valuedouble || fabs(v->valuedouble) > (double)I_ANY)
        return -1;
    *out = (long long)v->valuedouble;
    return 0;
}

/* 'YYYY-MM-DD' with a month 01..12 and a day 01..31 (the kiosk made it with
 * its calendar; this only keeps what is not a date out of the reports). */
static int is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* The reason is kept in the row: a quarantine reason must outlive the parse. */
static const char *reason(struct hq_state_row *row, const char *field, const char *what)
{
    snprintf(row->why, sizeof row->why, "%s: %s %s", row->t->type, field, what);
    return row->why;
}

void hq_state_row_clear(struct hq_state_row *row)
{
    if (!row)
        return;
    cJSON_free(row->owned);
    row->owned = NULL;
}

const char *hq_state_parse(const struct hq_state_table *t, const cJSON *rec,
                           struct hq_state_row *row)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");
    memset(row, 0, sizeof *row);
    row->t = t;
    if (!cJSON_IsObject(rec))
        return reason(row, "record", "is not an object");
    if (whole(id, &row->id) != 0)
        return reason(row, "id", "is missing or not a whole number");
    for (int i = 0; i < t->ncols; i++) {
        const struct hq_state_col *c = &t->cols[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, c->name);
        struct hq_state_val *out = &row->v[i];
        if (!v || cJSON_IsNull(v)) {
            if (c->required)
                goto bad_missing;
            out->null = 1;
            continue;
        }
        switch (c->type) {
        case HQ_COL_INT:
            if (whole(v, &out->i) != 0)
                goto bad_type;
            if (out->i < c->min || out->i > c->max) {
                hq_state_row_clear(row);
                return reason(row, c->name, "is out of range");
            }
            break;
        case HQ_COL_TEXT:
            if (!cJSON_IsString(v))
                goto bad_type;
            out->s = v->valuestring;
            if ((long long)strlen(out->s) > c->max) {
                hq_state_row_clear(row);
                return reason(row, c->name, "is too long");
            }
            if (c->date && !is_date(out->s)) {
                hq_state_row_clear(row);
                return reason(row, c->name, "is not a YYYY-MM-DD date");
            }
            if (c->oneof) {
                int ok = 0;
                for (const char *const *o = c->oneof; *o && !ok; o++)
                    ok = strcmp(*o, out->s) == 0;
                if (!ok) {
                    hq_state_row_clear(row);
                    return reason(row, c->name, "has a value head office does not know");
                }
            }
            break;
        case HQ_COL_JSON:
            if (row->owned) { /* one JSON column per table: the descriptors say so */
                hq_state_row_clear(row);
                return reason(row, c->name, "is a second JSON column (a head-office bug)");
            }
            row->owned = cJSON_PrintUnformatted(v);
            if (!row->owned)
                return reason(row, c->name, "could not be stored (out of memory)");
            if ((long long)strlen(row->owned) > c->max) {
                hq_state_row_clear(row);
                return reason(row, c->name, "is too long");
            }
            out->s = row->owned;
            break;
        }
        continue;
    bad_missing:
        hq_state_row_clear(row);
        return reason(row, c->name, "is missing");
    bad_type:
        hq_state_row_clear(row);
        return reason(row, c->name, "has the wrong type");
    }
    return NULL;
}

cJSON *hq_state_row_json(const struct hq_state_row *row)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "table", row->t->table);
    cJSON_AddStringToObject(o, "device_id", row->device_id ? row->device_id : "");
    cJSON_AddNumberToObject(o, "id", (double)row->id);
    cJSON_AddNumberToObject(o, "epoch", (double)row->epoch);
    cJSON_AddNumberToObject(o, "seq", (double)row->seq);
    for (int i = 0; i < row->t->ncols; i++) {
        const struct hq_state_col *c = &row->t->cols[i];
        const struct hq_state_val *v = &row->v[i];
        cJSON *j = NULL;
        if (v->null)
            j = cJSON_CreateNull();
        else if (c->type == HQ_COL_INT)
            j = cJSON_CreateNumber((double)v->i);
        else if (c->type == HQ_COL_JSON)
            j = cJSON_Parse(v->s ? v->s : "null");
        else
            j = cJSON_CreateString(v->s ? v->s : "");
        cJSON_AddItemToObject(o, c->name, j ? j : cJSON_CreateNull());
    }
    return o;
}

/* ---- SQL ---- */

/* Appends to out (len bytes, *n used); -1 when it does not fit. */
static int put(char *out, size_t len, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(out + *n, len - *n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= len - *n)
        return -1;
    *n += (size_t)k;
    return 0;
}

int hq_state_sql_upsert(const struct hq_state_table *t, char ph, char *out, size_t len)
{
    size_t n = 0;
    int rc = put(out, len, &n, "INSERT INTO %s(device_id, id, epoch, seq", t->table);
    for (int i = 0; i < t->ncols; i++)
        rc |= put(out, len, &n, ", %s", t->cols[i].name);
    rc |= put(out, len, &n, ") VALUES (");
    for (int i = 0; i < t->ncols + 4; i++)
        rc |= put(out, len, &n, "%s%c%d", i ? ", " : "", ph, i + 1);
    rc |= put(out, len, &n, ") ON CONFLICT (device_id, id, %s) DO UPDATE SET"
                            " epoch = excluded.epoch, seq = excluded.seq", t->ident);
    for (int i = 0; i < t->ncols; i++)
        rc |= put(out, len, &n, ", %s = excluded.%s", t->cols[i].name, t->cols[i].name);
    rc |= put(out, len, &n, " WHERE (excluded.epoch, excluded.seq) > (%s.epoch, %s.seq)",
              t->table, t->table);
    return rc ? -1 : 0;
}

int hq_state_sql_select(const struct hq_state_table *t, char ph, int by_device, int range_col,
                        char *out, size_t len)
{
    size_t n = 0;
    int p = 1, rc = put(out, len, &n, "SELECT device_id, id, epoch, seq");
    for (int i = 0; i < t->ncols; i++)
        rc |= put(out, len, &n, ", %s", t->cols[i].name);
    rc |= put(out, len, &n, " FROM %s WHERE 1 = 1", t->table);
    if (by_device)
        rc |= put(out, len, &n, " AND device_id = %c%d", ph, p++);
    if (range_col >= 0 && range_col < t->ncols) {
        rc |= put(out, len, &n, " AND %s >= %c%d AND %s < %c%d", t->cols[range_col].name, ph,
                  p, t->cols[range_col].name, ph, p + 1);
        p += 2;
    }
    rc |= put(out, len, &n, " ORDER BY device_id, id, %s", t->ident);
    return rc ? -1 : 0;
}

int hq_state_sql_stat_types(char *out, size_t len)
{
    size_t n = 0;
    int rc = put(out, len, &n, "SELECT d.branch, x.type, sum(x.n) FROM (");
    for (int i = 0; i < hq_state_ntables; i++)
        rc |= put(out, len, &n,
                  "SELECT device_id, '%s' AS type, count(*) AS n FROM %s GROUP BY device_id"
                  " UNION ALL ",
                  hq_state_tables[i].type, hq_state_tables[i].table);
    rc |= put(out, len, &n, "SELECT device_id, 'complaint', count(*) FROM complaint"
                            " GROUP BY device_id UNION ALL SELECT device_id, type, count(*)"
                            " FROM record WHERE type NOT IN ('complaint'");
    for (int i = 0; i < hq_state_ntables; i++)
        rc |= put(out, len, &n, ", '%s'", hq_state_tables[i].type);
    rc |= put(out, len, &n, ") GROUP BY device_id, type) x JOIN device d ON d.device_id ="
                            " x.device_id GROUP BY d.branch, x.type ORDER BY d.branch, x.type");
    return rc ? -1 : 0;
}

/* ---- rebuild ---- */

#define REPLAY_PAGE 2000 /* log rows read per page (bounded memory) */

struct replay {
    struct hq_store *s;
    struct hq_state_row rows[REPLAY_PAGE];
    cJSON *trees[REPLAY_PAGE];
    char devs[REPLAY_PAGE][HQ_DEVICE_ID_MAX + 1];
    size_t n;
    long long replayed, skipped, seen;
    char dev[HQ_DEVICE_ID_MAX + 1]; /* the key of the last row seen: the next page */
    long long epoch, seq;
    int rc;
};

static int replay_flush(struct replay *r)
{
    int rc = HQ_OK;
    if (r->n > 0)
        rc = r->s->ops->state_put(r->s, r->rows, r->n);
    for (size_t i = 0; i < r->n; i++) {
        hq_state_row_clear(&r->rows[i]);
        cJSON_Delete(r->trees[i]);
        r->trees[i] = NULL;
    }
    r->replayed += (long long)r->n;
    r->n = 0;
    return rc;
}

static int replay_one(void *ctx, const char *device_id, const struct hq_held *h)
{
    struct replay *r = ctx;
    const struct hq_state_table *t = hq_state_for_type(h->type);
    r->seen++;
    snprintf(r->dev, sizeof r->dev, "%s", device_id);
    r->epoch = h->epoch;
    r->seq = h->seq;
    if (!t)
        return 0;
    cJSON *tree = cJSON_Parse(h->json);
    struct hq_state_row *row = &r->rows[r->n];
    if (!tree || hq_state_parse(t, tree, row) != NULL) {
        cJSON_Delete(tree);
        r->skipped++;
        return 0;
    }
    /* the rows are stored at the end of the page: keep what they point to */
    snprintf(r->devs[r->n], sizeof r->devs[0], "%s", device_id);
    row->device_id = r->devs[r->n];
    row->epoch = h->epoch;
    row->seq = h->seq;
    r->trees[r->n++] = tree;
    if (r->n == REPLAY_PAGE && (r->rc = replay_flush(r)) != HQ_OK)
        return r->rc;
    return 0;
}

int hq_state_rebuild(struct hq_store *s, long long *replayed, long long *skipped, char *err,
                     size_t errlen)
{
    struct replay *r = calloc(1, sizeof *r);
    int rc;
    *replayed = *skipped = 0;
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return HQ_E_IO;
    }
    r->s = s;
    if ((rc = s->ops->begin(s)) != HQ_OK || (rc = s->ops->state_clear(s)) != HQ_OK ||
        (rc = s->ops->complaint_rebuild(s)) != HQ_OK)
        goto out;
    for (;;) {
        long long before = r->seen;
        /* the key where this page starts: a copy, since replay_one moves r->dev
         * on while the page is read */
        char after[HQ_DEVICE_ID_MAX + 1];
        snprintf(after, sizeof after, "%s", r->dev);
        rc = s->ops->log_page(s, after, r->epoch, r->seq, REPLAY_PAGE, replay_one, r);
        if (rc == HQ_OK)
            rc = r->rc;
        if (rc == HQ_OK)
            rc = replay_flush(r);
        if (rc != HQ_OK || r->seen == before)
            break;
    }
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
out:
    if (rc != HQ_OK) {
        snprintf(err, errlen, "rebuild: %s", s->ops->errmsg(s));
        s->ops->rollback(s);
    }
    for (size_t i = 0; i < r->n; i++) {
        hq_state_row_clear(&r->rows[i]);
        cJSON_Delete(r->trees[i]);
    }
    *replayed = r->replayed;
    *skipped = r->skipped;
    free(r);
    return rc;
}
