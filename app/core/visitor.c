/* visitor.c - sign-in, sign-out, closing sweep and host directory
 * (visitor.h). */
#include "visitor.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "config.h"
#include "deny.h"
#include "queue.h"
#include "retention.h"
#include "validate.h"

#define BADGE_MAX 9999 /* per business day */
#define VISITOR_COLS                                                      \
    "id, badge, bday, name, phone, company, host_name, purpose,"          \
    " signed_in_at, coalesce(signed_out_at, 0), coalesce(signout_how, ''),"  \
    " coalesce(invitation, ''), held"
#define VISITOR_NCOLS 13 /* the columns above: what a query adds comes after */

static void row_to_visitor(sqlite3_stmt *s, void *p)
{
    struct visitor *v = p;
    memset(v, 0, sizeof *v);
    v->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, v->badge, sizeof v->badge);
    store_col_text(s, 2, v->bday, sizeof v->bday);
    store_col_text(s, 3, v->name, sizeof v->name);
    store_col_text(s, 4, v->phone, sizeof v->phone);
    store_col_text(s, 5, v->company, sizeof v->company);
    store_col_text(s, 6, v->host_name, sizeof v->host_name);
    store_col_text(s, 7, v->purpose, sizeof v->purpose);
    v->signed_in_at = sqlite3_column_int64(s, 8);
    v->signed_out_at = sqlite3_column_int64(s, 9);
    store_col_text(s, 10, v->signout_how, sizeof v->signout_how);
    store_col_text(s, 11, v->invitation, sizeof v->invitation);
    v->held = sqlite3_column_int(s, 12);
}

static int load_visitor(struct fd_store *st, int64_t id, struct visitor *v)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT " VISITOR_COLS
                                        " FROM visitor WHERE id = ?1");
    if (s)
        sqlite3_bind_int64(s, 1, id);
    return store_one(s, row_to_visitor, v);
}

/* The body of a sign-in, in the caller's write transaction. */
static int sign_in_locked(struct fd_store *st, const struct visitor_in *in,
                          const char *invitation, int64_t now, int64_t *id,
                          struct fd_err *err)
{
    char phone[24], day[11], badge[8], host_name[HOST_NAME_MAX_CHARS * 4 + 1];
    int64_t host_id = 0;
    int rc, seq, held;
    sqlite3_stmt *s;
    struct deny_match match = {0};

    if ((rc = val_text(in->name, "name", VISITOR_NAME_MAX, VAL_REQUIRED, err)) ||
        (rc = val_phone(in->phone, "phone", VAL_REQUIRED, err)) ||
        (rc = val_text(in->company, "company", VISITOR_COMPANY_MAX, 0, err)) ||
        (rc = val_text(in->purpose, "purpose", VISITOR_PURPOSE_MAX, 0, err)))
        return rc;
    if (!in->host_id &&
        (rc = val_text(in->host_name, "host", HOST_NAME_MAX_CHARS,
                       invitation ? 0 : VAL_REQUIRED, err)))
        return rc;
    val_phone_normalize(in->phone, phone, sizeof phone);

    s = store_prepare(st, "SELECT id, name FROM host WHERE active = 1 AND"
                          " (id = ?1 OR (?1 = 0 AND name = ?2)) LIMIT 1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, in->host_id);
    sqlite3_bind_text(s, 2, in->host_name ? in->host_name : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        host_id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, host_name, sizeof host_name);
    }
    sqlite3_reset(s);
    if (!host_id && invitation) /* head office named the host: taken as named */
        snprintf(host_name, sizeof host_name, "%s", in->host_name ? in->host_name : "");
    else if (!host_id)
        return fd_fail(err, FD_ENOTFOUND, "host",
                       "the person visited is not in the directory");
    /* The deny list holds an invited guest as it holds a walk-in. */
    if ((held = deny_check(st, in->name, in->phone, &match, err)) < 0)
        return store_fail(st, err);
    queue_bday(st, now, day);
    s = store_prepare(st, "INSERT INTO visitor_seq(bday, last) VALUES (?1, 1)"
                          " ON CONFLICT(bday) DO UPDATE SET last = last + 1"
                          " RETURNING last");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_fail(st, err);
    }
    seq = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    if (seq > BADGE_MAX)
        return fd_fail(err, FD_EFULL, "", "all %d badges of today are used", BADGE_MAX);
    snprintf(badge, sizeof badge, "V%04u", (unsigned)seq % 10000u);
    s = store_prepare(st,
        "INSERT INTO visitor(bday, badge, name, phone, company, host_id, host_name,"
        " purpose, signed_in_at, invitation, held)"
        " VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9, ?10, ?11)");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, badge, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, in->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, in->company ? in->company : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, host_id);
    sqlite3_bind_text(s, 7, host_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, in->purpose ? in->purpose : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, now);
    if (invitation)
        sqlite3_bind_text(s, 10, invitation, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 10);
    sqlite3_bind_int(s, 11, held);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    *id = sqlite3_last_insert_rowid(store_db(st));
    if (held && (rc = deny_alert_add(st, *id, badge, &match, now, err)) != 0)
        return rc;
    return 0;
}

int visitor_sign_in_tx(struct fd_store *st, const struct visitor_in *in,
                       const char *invitation, int64_t now, int64_t *id, struct fd_err *err)
{
    return sign_in_locked(st, in, invitation, now, id, err);
}

int visitor_sign_in(struct fd_store *st, const struct visitor_in *in,
                    int64_t now, struct visitor *out, struct fd_err *err)
{
    int64_t id = 0;
    int rc;

    if (store_begin(st))
        return store_fail(st, err);
    if ((rc = sign_in_locked(st, in, NULL, now, &id, err)) != 0) {
        store_rollback(st);
        return rc;
    }
    if (store_commit(st))
        return store_fail(st, err);
    if (out && load_visitor(st, id, out))
        return store_fail(st, err);
    return 0;
}

int visitor_sign_out(struct fd_store *st, int64_t id, const char *how,
                     int64_t now, struct fd_err *err)
{
    struct visitor v;
    int rc;
    if (!how || (strcmp(how, "staff") && strcmp(how, "self") && strcmp(how, "closing")))
        return fd_fail(err, FD_EINVAL, "how", "sign-out is by staff, self or closing");
    if (store_begin(st))
        return store_fail(st, err);
    rc = load_visitor(st, id, &v);
    if (rc) {
        store_rollback(st);
        return rc == FD_ENOTFOUND
                   ? fd_fail(err, rc, "visitor", "no visitor %lld", (long long)id)
                   : store_fail(st, err);
    }
    if (v.signed_out_at) {
        store_rollback(st);
        return fd_fail(err, FD_ESTATE, "visitor", "%s has signed out already",
                       v.badge);
    }
    sqlite3_stmt *s = store_prepare(st,
        "UPDATE visitor SET signed_out_at = ?2, signout_how = ?3 WHERE id = ?1");
    if (!s) {
        rc = store_fail(st, err);
        store_rollback(st);
        return rc;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_text(s, 3, how, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, err);
        store_rollback(st);
        return rc;
    }
    return store_commit(st) ? store_fail(st, err) : 0;
}

int visitor_find(struct fd_store *st, const char *key, int64_t now,
                 struct visitor *out, struct fd_err *err)
{
    char day[11];
    int rc, digits = key && *key;
    for (const char *p = key; p && *p; p++)
        digits &= isdigit((unsigned char)*p) != 0;
    if (!key || !*key || strlen(key) > 12)
        return fd_fail(err, FD_EINVAL, "visitor", "give a badge number or an id");
    if (digits) {
        rc = load_visitor(st, strtoll(key, NULL, 10), out);
    } else {
        queue_bday(st, now, day);
        sqlite3_stmt *s = store_prepare(st, "SELECT " VISITOR_COLS " FROM visitor"
                                            " WHERE badge = ?1 AND bday = ?2");
        if (!s)
            return store_fail(st, err);
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            row_to_visitor(s, out);
        sqlite3_reset(s);
        rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? FD_ENOTFOUND : FD_EDB;
    }
    if (rc == FD_ENOTFOUND)
        return fd_fail(err, rc, "visitor", "no visitor %s", key);
    return rc ? store_fail(st, err) : 0;
}

int visitor_list(struct fd_store *st, int on_site_only, const char *day_in,
                 int64_t now, struct visitor **out, int *n, struct fd_err *err)
{
    char day[11];
    *out = NULL, *n = 0;
    if (day_in) {
        int y, m, d;
        if (bday_parse(day_in, &y, &m, &d))
            return fd_fail(err, FD_EINVAL, "date", "date must be YYYY-MM-DD");
        snprintf(day, sizeof day, "%s", day_in);
    } else {
        queue_bday(st, now, day);
    }
    sqlite3_stmt *s = store_prepare(st, "SELECT " VISITOR_COLS " FROM visitor"
                                        " WHERE (?1 AND signed_out_at IS NULL)"
                                        " OR (NOT ?1 AND bday = ?2) ORDER BY id");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int(s, 1, on_site_only ? 1 : 0);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    if (store_collect(s, sizeof **out, 100000, row_to_visitor, (void **)out, n))
        return store_fail(st, err);
    return 0;
}

int visitor_sign_out_at_closing(struct fd_store *st, int64_t now,
                                struct fd_err *err)
{
    char day[11], closing[8];
    int h = 20, m = 0, rc;
    int64_t closed_at = INT64_MAX; /* closing of today's business day */
    queue_bday(st, now, day);
    if (cfg_get(st, "closing_time", closing, sizeof closing) == 0)
        sscanf(closing, "%d:%d", &h, &m);
    /* Closing may be after midnight, before the turnover: it belongs to the
     * business day that started at the turnover hour. */
    int turnover = (int)cfg_get_int(st, "day_turnover_hour");
    int rel_close = (h * 60 + m - turnover * 60 + 1440) % 1440;
    int64_t start = bday_start(day, turnover);
    if (start > 0)
        closed_at = start + (int64_t)rel_close * 60;
    /* Everyone of an earlier business day; of today, those who signed in
     * before closing once it has passed (someone let in later, for an evening
     * event, is not signed out a minute after arriving). */
    sqlite3_stmt *s = store_prepare(st,
        "UPDATE visitor SET signed_out_at = ?2, signout_how = 'closing'"
        " WHERE signed_out_at IS NULL AND (bday < ?1"
        " OR (bday = ?1 AND ?2 >= ?3 AND signed_in_at < ?3))");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, closed_at);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    return sqlite3_changes(store_db(st));
}

/* Collects up to `max` ids of visitors due for erasure into ids[]; enrolled
 * kiosks wait until head office holds the record (no outbox row left, found
 * through the outbox_visitor index of 0005: the unary + takes the integer
 * affinity off visitor.id, which would otherwise keep SQLite from searching
 * an index on an expression). Returns the count or FD_EDB. */
static int erase_candidates(struct fd_store *st, const char *cutoff, int enrolled,
                            int64_t *ids, int max)
{
    sqlite3_stmt *s = enrolled
        ? store_prepare(st, "SELECT id FROM visitor WHERE erased_at IS NULL AND bday < ?1"
                            " AND signed_out_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                            " outbox o WHERE o.type = 'visitor'"
                            " AND json_extract(o.record, '$.id') = +visitor.id)"
                            " ORDER BY bday LIMIT ?2")
        : store_prepare(st, "SELECT id FROM visitor WHERE erased_at IS NULL AND bday < ?1"
                            " AND signed_out_at IS NOT NULL ORDER BY bday LIMIT ?2");
    int n = 0, rc;
    if (!s)
        return FD_EDB;
    sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, max);
    while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(s, 0);
    if (n < max && rc != SQLITE_DONE)
        n = FD_EDB;
    sqlite3_reset(s);
    return n;
}

int visitor_erase_batch(struct fd_store *st, int64_t now, int max,
                        visitor_erase_hook hook, void *ctx, struct fd_err *err)
{
    char today[11], cutoff[11];
    int64_t ids[VISITOR_ERASE_BATCH];
    long days = cfg_get_int(st, "visitor_retention_days");
    int rc = 0, n, enrolled;
    if (days <= 0)
        return 0;
    if (max <= 0 || max > VISITOR_ERASE_BATCH)
        max = VISITOR_ERASE_BATCH;
    queue_bday(st, now, today);
    if (bday_add(today, -(int)days, cutoff))
        return fd_fail(err, FD_EINVAL, "", "no business day");
    if (store_begin(st))
        return store_fail(st, err);
    if ((enrolled = retention_enrolled(st)) < 0 ||
        (n = erase_candidates(st, cutoff, enrolled, ids, max)) < 0)
        goto dbfail;
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *s = store_prepare(st,
            "UPDATE visitor SET name = '', phone = '', company = '', purpose = '',"
            " erased_at = ?2 WHERE id = ?1");
        if (!s)
            goto dbfail;
        sqlite3_bind_int64(s, 1, ids[i]);
        sqlite3_bind_int64(s, 2, now);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            goto dbfail;
        /* Not enrolled: the record will never be sent, and its outbox copy
         * holds the name; it goes with the visitor. */
        if (!enrolled) {
            s = store_prepare(st, "DELETE FROM outbox WHERE type = 'visitor'"
                                  " AND json_extract(record, '$.id') = ?1");
            if (!s)
                goto dbfail;
            sqlite3_bind_int64(s, 1, ids[i]);
            rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc != SQLITE_DONE)
                goto dbfail;
        }
        if (hook && (rc = hook(ctx, store_db(st), ids[i])) != 0) {
            rc = fd_fail(err, FD_EDB, "", "erasing the other copies of visitor %lld failed",
                         (long long)ids[i]);
            store_rollback(st);
            return rc;
        }
    }
    if (store_commit(st))
        return store_fail(st, err);
    return n;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

struct erase_old {
    struct fd_store *st;
    int64_t now;
    visitor_erase_hook hook;
    void *ctx;
    struct fd_err *err;
};

static int erase_step(void *ctx, int max)
{
    struct erase_old *e = ctx;
    return visitor_erase_batch(e->st, e->now, max, e->hook, e->ctx, e->err);
}

int visitor_erase_old(struct fd_store *st, int64_t now, visitor_erase_hook hook,
                      void *ctx, struct fd_err *err)
{
    struct erase_old e = {st, now, hook, ctx, err};
    return retention_batches(erase_step, &e, VISITOR_ERASE_BATCH);
}

int host_add(struct fd_store *st, const char *name, const char *department,
             int64_t *id, struct fd_err *err)
{
    int rc;
    if ((rc = val_text(name, "name", HOST_NAME_MAX_CHARS, VAL_REQUIRED, err)) ||
        (rc = val_text(department, "department", HOST_DEPT_MAX, 0, err)))
        return rc;
    sqlite3_stmt *s = store_prepare(st, "INSERT INTO host(name, department)"
                                        " VALUES (?1, ?2)");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, department ? department : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    if (id)
        *id = sqlite3_last_insert_rowid(store_db(st));
    return 0;
}

static void host_row(sqlite3_stmt *s, void *p)
{
    struct host *h = p;
    h->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, h->name, sizeof h->name);
    store_col_text(s, 2, h->department, sizeof h->department);
}

int host_search(struct fd_store *st, const char *query, struct host **out,
                int *n, struct fd_err *err)
{
    int rc;
    *out = NULL, *n = 0;
    if (query && (rc = val_text(query, "query", HOST_NAME_MAX_CHARS, 0, err)))
        return rc;
    sqlite3_stmt *s = store_prepare(st,
        "SELECT id, name, department FROM host WHERE active = 1 AND"
        " (?1 = '' OR instr(name, ?1) > 0 OR instr(department, ?1) > 0)"
        " ORDER BY department, name");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, query ? query : "", -1, SQLITE_STATIC);
    if (store_collect(s, sizeof **out, 10000, host_row, (void **)out, n))
        return store_fail(st, err);
    return 0;
}

int host_put(struct fd_store *st, int64_t id, const char *name, const char *department,
             int active, struct fd_err *err)
{
    int rc;
    if (id < 1 || id > HOST_ID_MAX)
        return fd_fail(err, FD_EINVAL, "id", "a host's id is 1 to 2^40");
    if ((rc = val_text(name, "name", HOST_NAME_MAX_CHARS, VAL_REQUIRED, err)) ||
        (rc = val_text(department, "department", HOST_DEPT_MAX, 0, err)))
        return rc;
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO host(id, name, department, active) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
        " department = excluded.department, active = excluded.active");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, department ? department : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, active ? 1 : 0);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

int host_retire_others(struct fd_store *st, const int64_t *keep, int n, struct fd_err *err)
{
    return store_exec_ids(st, "UPDATE host SET active = 0 WHERE active = 1"
                              " AND id NOT IN (SELECT value FROM json_each(?1))",
                          keep, n, err);
}

/* ---- telling the host (issue 14) ---- */

int visitor_notice_put(struct fd_store *st, int64_t visitor_id, int64_t signed_in_at,
                       const char *outcome, int64_t at, struct fd_err *err)
{
    sqlite3_stmt *s;
    int rc;
    if (!outcome || (strcmp(outcome, "sent") && strcmp(outcome, "failed") &&
                     strcmp(outcome, "none")))
        return fd_fail(err, FD_EINVAL, "outcome", "a notice is sent, failed or none");
    if (visitor_id < 1 || at < 0)
        return fd_fail(err, FD_EINVAL, "visitor", "a notice names a visitor and a time");
    /* A later word replaces an earlier one, except that "sent" stays. */
    s = store_prepare(st, "INSERT INTO visitor_notice(visitor_id, outcome, at)"
                          " SELECT id, ?3, ?4 FROM visitor WHERE id = ?1 AND signed_in_at = ?2"
                          " ON CONFLICT(visitor_id) DO UPDATE SET outcome = excluded.outcome,"
                          " at = excluded.at WHERE visitor_notice.outcome <> 'sent'");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, visitor_id);
    sqlite3_bind_int64(s, 2, signed_in_at);
    sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    if (sqlite3_changes(store_db(st)) == 0 &&
        (s = store_prepare(st, "SELECT 1 FROM visitor_notice WHERE visitor_id = ?1"))) {
        sqlite3_bind_int64(s, 1, visitor_id);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW)
            return fd_fail(err, FD_ENOTFOUND, "visitor", "no visitor %lld signed in at %lld",
                           (long long)visitor_id, (long long)signed_in_at);
    }
    return 0;
}

static void row_to_untold(sqlite3_stmt *s, void *p)
{
    struct visitor_untold *u = p;
    row_to_visitor(s, &u->v);
    store_col_text(s, VISITOR_NCOLS, u->outcome, sizeof u->outcome);
}

int visitor_untold_list(struct fd_store *st, int64_t now, struct visitor_untold **out, int *n,
                        struct fd_err *err)
{
    char day[11];
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    queue_bday(st, now, day);
    s = store_prepare(st, "SELECT " VISITOR_COLS ", coalesce(n.outcome, '') FROM visitor v"
                          " LEFT JOIN visitor_notice n ON n.visitor_id = v.id"
                          " WHERE v.bday = ?1 AND coalesce(n.outcome, '') <> 'sent'"
                          " AND v.signed_out_at IS NULL AND v.held = 0"
                          " ORDER BY v.signed_in_at, v.id LIMIT 500");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    if (store_collect(s, sizeof **out, 500, row_to_untold, (void **)out, n))
        return store_fail(st, err);
    return 0;
}
