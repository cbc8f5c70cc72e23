/* complaint.c - filing complaints, the workflow, references (complaint.h).
 * The check digit is Damm's: it catches every single wrong digit and every
 * swap of two neighbouring digits, the two mistakes people make when they
 * read a number aloud or type it. */
#include "complaint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bday.h"
#include "config.h"
#include "journal.h"
#include "queue.h"
#include "validate.h"

#define COMPLAINT_SEQ_MAX 999

static const char *const categories[] = {
    "service",     /* 服务质量 */
    "attitude",    /* 服务态度 */
    "waiting",     /* 等候时间 */
    "environment", /* 环境设施 */
    "fees",        /* 收费 */
    "privacy",     /* 信息安全 */
    "other",       /* 其他 */
};

const char *complaint_category(int i)
{
    return i >= 0 && (size_t)i < sizeof categories / sizeof categories[0]
               ? categories[i]
               : NULL;
}

static int known_category(const char *c)
{
    for (int i = 0; complaint_category(i); i++)
        if (c && strcmp(c, complaint_category(i)) == 0)
            return 1;
    return 0;
}

int complaint_damm(const char *digits)
{
    static const unsigned char t[10][10] = {
        {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
        {4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
        {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
        {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
        {9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0}};
    int interim = 0;
    for (const char *p = digits; *p; p++)
        interim = t[interim][*p - '0'];
    return interim;
}

int complaint_ref_parse(const char *in, char out[COMPLAINT_REF_LEN + 1])
{
    int n = 0;
    if (!in)
        return FD_EINVAL;
    for (const char *p = in; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n == COMPLAINT_REF_LEN)
                return FD_EINVAL;
            out[n++] = *p;
        } else if (*p != '-' && *p != ' ') {
            return FD_EINVAL;
        }
    }
    out[n] = '\0';
    /* A valid number followed by its Damm digit has check value 0. */
    if (n != COMPLAINT_REF_LEN || complaint_damm(out) != 0)
        return FD_EINVAL;
    return 0;
}

void complaint_ref_format(const char *ref, char out[18])
{
    snprintf(out, 18, "%.6s-%.3s-%.3s-%.1s", ref, ref + 6, ref + 9, ref + 12);
}

#define COMPLAINT_COLS                                                        \
    "id, ref, category, description, contact_name, contact_phone, consent,"   \
    " coalesce(ticket_id, 0), received_at, feedback_due, updated_at,"         \
    " coalesce(severity, ''), coalesce(valid, -1), state, department,"        \
    " resolution, close_reason, stat_category"

static void complaint_row(sqlite3_stmt *s, void *p)
{
    struct complaint *c = p;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, c->ref, sizeof c->ref);
    store_col_text(s, 2, c->category, sizeof c->category);
    store_col_text(s, 3, c->description, sizeof c->description);
    store_col_text(s, 4, c->contact_name, sizeof c->contact_name);
    store_col_text(s, 5, c->contact_phone, sizeof c->contact_phone);
    c->consent = sqlite3_column_int(s, 6);
    c->ticket_id = sqlite3_column_int64(s, 7);
    c->received_at = sqlite3_column_int64(s, 8);
    c->feedback_due = sqlite3_column_int64(s, 9);
    c->updated_at = sqlite3_column_int64(s, 10);
    store_col_text(s, 11, c->severity, sizeof c->severity);
    c->valid = sqlite3_column_int(s, 12);
    store_col_text(s, 13, c->state, sizeof c->state);
    store_col_text(s, 14, c->department, sizeof c->department);
    store_col_text(s, 15, c->resolution, sizeof c->resolution);
    store_col_text(s, 16, c->close_reason, sizeof c->close_reason);
    store_col_text(s, 17, c->stat_category, sizeof c->stat_category);
}

static int load_by_ref(struct fd_store *st, const char *ref, struct complaint *c)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT " COMPLAINT_COLS
                                        " FROM complaint WHERE ref = ?1");
    if (s)
        sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
    return store_one(s, complaint_row, c);
}

int complaint_file(struct fd_store *st, const struct complaint_in *in,
                   int64_t now, struct complaint *out, struct fd_err *err)
{
    char phone[24] = "", day[8], ref[COMPLAINT_REF_LEN + 1];
    int rc, seq, has_contact;
    sqlite3_stmt *s;

    if (!known_category(in->category))
        return fd_fail(err, FD_EINVAL, "category", "choose a complaint category");
    if ((rc = val_text(in->description, "description", COMPLAINT_DESC_MAX,
                       VAL_REQUIRED | VAL_MULTILINE, err)) ||
        (rc = val_text(in->contact_name, "contact_name", COMPLAINT_NAME_MAX, 0, err)) ||
        (rc = val_phone(in->contact_phone, "contact_phone", 0, err)))
        return rc;
    has_contact = (in->contact_name && *in->contact_name) ||
                  (in->contact_phone && *in->contact_phone);
    if (has_contact && !in->consent)
        return fd_fail(err, FD_EINVAL, "consent",
                       "agree that we keep your contact, or leave it empty");
    if (in->contact_phone)
        val_phone_normalize(in->contact_phone, phone, sizeof phone);

    /* The date part is the local calendar date of receipt. */
    time_t t = (time_t)now;
    struct tm lt;
    localtime_r(&t, &lt);
    snprintf(day, sizeof day, "%02u%02u%02u", (unsigned)lt.tm_year % 100u,
             (unsigned)(lt.tm_mon + 1) % 100u, (unsigned)lt.tm_mday % 100u);

    if (store_begin(st))
        return store_fail(st, err);
    if (in->ticket_id) {
        s = store_prepare(st, "SELECT 1 FROM ticket WHERE id = ?1");
        if (!s)
            goto dbfail;
        sqlite3_bind_int64(s, 1, in->ticket_id);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW) {
            store_rollback(st);
            return fd_fail(err, FD_ENOTFOUND, "ticket", "no ticket %lld",
                           (long long)in->ticket_id);
        }
    }
    s = store_prepare(st, "INSERT INTO complaint_seq(day, last) VALUES (?1, 1)"
                          " ON CONFLICT(day) DO UPDATE SET last = last + 1"
                          " RETURNING last");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        goto dbfail;
    }
    seq = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    if (seq > COMPLAINT_SEQ_MAX) {
        store_rollback(st);
        return fd_fail(err, FD_EFULL, "", "this kiosk has taken %d complaints today;"
                       " please ask the front desk", COMPLAINT_SEQ_MAX);
    }
    snprintf(ref, sizeof ref, "%.6s%03u%03u0", day,
             (unsigned)cfg_get_int(st, "terminal_no") % 1000u, (unsigned)seq % 1000u);
    ref[COMPLAINT_REF_LEN - 1] = '\0'; /* the check digit covers the 12 before it */
    ref[COMPLAINT_REF_LEN - 1] = (char)('0' + complaint_damm(ref));
    ref[COMPLAINT_REF_LEN] = '\0';

    s = store_prepare(st,
        "INSERT INTO complaint(ref, category, description, contact_name,"
        " contact_phone, consent, ticket_id, received_at, feedback_due, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), ?8, ?9, ?8)");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, in->category, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, in->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, in->contact_name ? in->contact_name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, phone, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, has_contact && in->consent);
    sqlite3_bind_int64(s, 7, in->ticket_id);
    sqlite3_bind_int64(s, 8, now);
    sqlite3_bind_int64(s, 9, now + COMPLAINT_FEEDBACK_S);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    if (in->ticket_id) { /* a poor rating leads here: link them */
        s = store_prepare(st, "UPDATE rating SET complaint_id = ?2"
                              " WHERE ticket_id = ?1 AND complaint_id IS NULL");
        if (!s)
            goto dbfail;
        sqlite3_bind_int64(s, 1, in->ticket_id);
        sqlite3_bind_int64(s, 2, sqlite3_last_insert_rowid(store_db(st)));
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            goto dbfail;
    }
    if (store_commit(st))
        return store_fail(st, err);
    if (out && load_by_ref(st, ref, out))
        return store_fail(st, err);
    return 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

/* Checks that `step` is allowed from `from` and carries what it needs. */
static int check_step(const char *from, const struct complaint_step *p,
                      struct fd_err *err)
{
    int rc;
    const char *to = p->to ? p->to : "";
#define NEED(field, name)                                                     \
    if ((rc = val_text(p->field, name, COMPLAINT_NOTE_MAX, VAL_REQUIRED, err))) \
    return rc
    if ((rc = val_text(p->actor, "actor", COMPLAINT_NAME_MAX, VAL_REQUIRED, err)) ||
        (rc = val_text(p->note, "note", COMPLAINT_NOTE_MAX, VAL_MULTILINE, err)))
        return rc;
    if (!strcmp(from, "received") && !strcmp(to, "assessed")) {
        if (!p->severity || (strcmp(p->severity, "ordinary") && strcmp(p->severity, "serious")))
            return fd_fail(err, FD_EINVAL, "severity",
                           "assessment needs a severity: ordinary or serious");
        return 0;
    }
    if (!strcmp(from, "received") && !strcmp(to, "closed") && p->invalid) {
        NEED(close_reason, "close_reason");
        return 0;
    }
    if (!strcmp(from, "assessed") && !strcmp(to, "investigating")) {
        NEED(department, "department");
        return 0;
    }
    if (!strcmp(from, "investigating") && !strcmp(to, "proposed")) {
        NEED(resolution, "resolution");
        return 0;
    }
    if (!strcmp(from, "proposed") &&
        (!strcmp(to, "resolved") || !strcmp(to, "investigating")))
        return 0;
    if (!strcmp(from, "resolved") && !strcmp(to, "closed")) {
        NEED(stat_category, "stat_category");
        if (!known_category(p->stat_category))
            return fd_fail(err, FD_EINVAL, "stat_category",
                           "unknown statistics category %s", p->stat_category);
        return 0;
    }
#undef NEED
    return fd_fail(err, FD_ESTATE, "to", "a complaint that is %s cannot become %s",
                   from, *to ? to : "(nothing)");
}

int complaint_advance(struct fd_store *st, const char *ref_in,
                      const struct complaint_step *p, int64_t now,
                      struct complaint *out, struct fd_err *err)
{
    char ref[COMPLAINT_REF_LEN + 1];
    struct complaint c;
    int rc;
    sqlite3_stmt *s;

    if (complaint_ref_parse(ref_in, ref))
        return fd_fail(err, FD_EINVAL, "ref", "not a complaint reference number");
    if (store_begin(st))
        return store_fail(st, err);
    rc = load_by_ref(st, ref, &c);
    if (rc) {
        store_rollback(st);
        return rc == FD_ENOTFOUND
                   ? fd_fail(err, rc, "ref", "no complaint %s", ref_in)
                   : store_fail(st, err);
    }
    if ((rc = check_step(c.state, p, err))) {
        store_rollback(st);
        return rc;
    }
    s = store_prepare(st,
        "UPDATE complaint SET state = ?2, updated_at = ?3,"
        " severity = coalesce(?4, severity),"
        " valid = CASE WHEN ?2 = 'assessed' THEN 1 WHEN ?5 THEN 0 ELSE valid END,"
        " department = coalesce(?6, department),"
        " resolution = coalesce(?7, resolution),"
        " close_reason = coalesce(?8, close_reason),"
        " stat_category = coalesce(?9, stat_category) WHERE id = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, c.id);
    sqlite3_bind_text(s, 2, p->to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    if (!strcmp(p->to, "assessed"))
        sqlite3_bind_text(s, 4, p->severity, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, p->invalid && !strcmp(p->to, "closed") &&
                               !strcmp(c.state, "received"));
    if (!strcmp(p->to, "investigating") && p->department)
        sqlite3_bind_text(s, 6, p->department, -1, SQLITE_STATIC);
    if (!strcmp(p->to, "proposed"))
        sqlite3_bind_text(s, 7, p->resolution, -1, SQLITE_STATIC);
    if (p->close_reason && !strcmp(p->to, "closed"))
        sqlite3_bind_text(s, 8, p->close_reason, -1, SQLITE_STATIC);
    if (p->stat_category && !strcmp(p->to, "closed"))
        sqlite3_bind_text(s, 9, p->stat_category, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    s = store_prepare(st,
        "INSERT INTO complaint_event(complaint_id, at, from_state, to_state,"
        " actor, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, c.id);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_text(s, 3, c.state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, p->to, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, p->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, p->note ? p->note : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    if (!strcmp(p->to, "assessed") && !strcmp(p->severity, "serious") &&
        journal_audit(st, p->actor, "complaint_escalated", ref,
                      "serious complaint: escalate at once", now, err))
        goto dbfail;
    if (store_commit(st))
        return store_fail(st, err);
    if (out && load_by_ref(st, ref, out))
        return store_fail(st, err);
    return 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

int complaint_get(struct fd_store *st, const char *ref_in, struct complaint *out,
                  struct fd_err *err)
{
    char ref[COMPLAINT_REF_LEN + 1];
    int rc;
    if (complaint_ref_parse(ref_in, ref))
        return fd_fail(err, FD_EINVAL, "ref",
                       "this is not a complaint reference number: please check it");
    rc = load_by_ref(st, ref, out);
    if (rc == FD_ENOTFOUND)
        return fd_fail(err, rc, "ref", "no complaint %s", ref_in);
    return rc ? store_fail(st, err) : 0;
}

int complaint_get_id(struct fd_store *st, int64_t id, struct complaint *out,
                     struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT " COMPLAINT_COLS
                                        " FROM complaint WHERE id = ?1");
    if (s)
        sqlite3_bind_int64(s, 1, id);
    int rc = store_one(s, complaint_row, out);
    if (rc == FD_ENOTFOUND)
        return fd_fail(err, rc, "id", "no complaint %lld", (long long)id);
    return rc ? store_fail(st, err) : 0;
}

int complaint_list(struct fd_store *st, const char *day, int64_t now,
                   struct complaint **out, int *n, struct fd_err *err)
{
    int64_t from = 0, to = 0;
    *out = NULL, *n = 0;
    if (day) {
        char next[11];
        int turnover = (int)cfg_get_int(st, "day_turnover_hour");
        if (bday_add(day, 1, next))
            return fd_fail(err, FD_EINVAL, "date", "date must be YYYY-MM-DD");
        from = bday_start(day, turnover);
        to = bday_start(next, turnover);
    }
    (void)now;
    sqlite3_stmt *s = store_prepare(st, "SELECT " COMPLAINT_COLS " FROM complaint"
                                        " WHERE (?1 = 0 AND state <> 'closed')"
                                        " OR (?1 <> 0 AND received_at >= ?1"
                                        " AND received_at < ?2) ORDER BY id");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    if (store_collect(s, sizeof **out, 100000, complaint_row, (void **)out, n))
        return store_fail(st, err);
    return 0;
}

static int known_state(const char *s)
{
    static const char *const states[] = {"received", "assessed", "investigating",
                                         "proposed", "resolved", "closed"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (s && strcmp(s, states[i]) == 0)
            return 1;
    return 0;
}

int complaint_hq_check(const struct complaint_hq *h, struct fd_err *err)
{
    int rc;
    if (h->state && !known_state(h->state))
        return fd_fail(err, FD_EINVAL, "state", "unknown complaint state %.40s", h->state);
    if (h->severity && *h->severity && strcmp(h->severity, "ordinary") &&
        strcmp(h->severity, "serious"))
        return fd_fail(err, FD_EINVAL, "severity", "severity is ordinary or serious");
    if (h->stat_category && *h->stat_category && !known_category(h->stat_category))
        return fd_fail(err, FD_EINVAL, "stat_category", "unknown statistics category %.40s",
                       h->stat_category);
    if (h->valid < -1 || h->valid > 1)
        return fd_fail(err, FD_EINVAL, "valid", "valid is 0, 1 or not set");
    if ((rc = val_text(h->department, "department", COMPLAINT_NAME_MAX, 0, err)) ||
        (rc = val_text(h->resolution, "resolution", COMPLAINT_NOTE_MAX, VAL_MULTILINE, err)) ||
        (rc = val_text(h->close_reason, "close_reason", COMPLAINT_NOTE_MAX, VAL_MULTILINE,
                       err)) ||
        (rc = val_text(h->note, "note", COMPLAINT_NOTE_MAX, VAL_MULTILINE, err)))
        return rc;
    return 0;
}

int complaint_set_hq(struct fd_store *st, const char *ref, const struct complaint_hq *h,
                     int64_t now, struct fd_err *err)
{
    struct complaint c;
    int rc;
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;

    /* Head office runs the workflow, so its order of states is not checked
     * here; what each field may hold is. */
    if ((rc = load_by_ref(st, ref ? ref : "", &c)))
        return rc == FD_ENOTFOUND ? fd_fail(err, rc, "ref", "no complaint %s here", ref)
                                  : store_fail(st, err);
    if ((rc = complaint_hq_check(h, err)))
        return rc;
    if (sqlite3_exec(db, "SAVEPOINT complaint_hq", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(st, err);
    s = store_prepare(st,
        "UPDATE complaint SET state = ?2, severity = nullif(?3, ''), valid = ?4,"
        " department = ?5, resolution = ?6, close_reason = ?7, stat_category = ?8,"
        " updated_at = ?9 WHERE id = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, c.id);
    sqlite3_bind_text(s, 2, h->state ? h->state : c.state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, h->severity ? h->severity : "", -1, SQLITE_STATIC);
    if (h->valid >= 0)
        sqlite3_bind_int(s, 4, h->valid);
    else
        sqlite3_bind_null(s, 4);
    sqlite3_bind_text(s, 5, h->department ? h->department : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, h->resolution ? h->resolution : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, h->close_reason ? h->close_reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, h->stat_category ? h->stat_category : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, h->updated_at > 0 ? h->updated_at : now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    s = store_prepare(st,
        "INSERT INTO complaint_event(complaint_id, at, from_state, to_state,"
        " actor, note) VALUES (?1, ?2, ?3, ?4, 'hq', ?5)");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, c.id);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_text(s, 3, c.state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, h->state ? h->state : c.state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, h->note ? h->note : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    if (sqlite3_exec(db, "RELEASE complaint_hq", NULL, NULL, NULL) != SQLITE_OK)
        goto dbfail;
    return 0;
dbfail:
    rc = store_fail(st, err);
    sqlite3_exec(db, "ROLLBACK TO complaint_hq", NULL, NULL, NULL);
    sqlite3_exec(db, "RELEASE complaint_hq", NULL, NULL, NULL);
    return rc;
}
