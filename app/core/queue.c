/* queue.c - the queue engine (queue.h): services, counters, tickets.
 * Every change is one IMMEDIATE transaction, so two processes on the same
 * database (the kiosk and frontdesk-ctl, say) never interleave half-changes;
 * outbox rows are written by the schema's triggers inside it. */
#include "queue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "config.h"
#include "validate.h"

#define NUMBER_MAX 9999 /* per service per day; past it take says "full" */

#define TICKET_COLS                                                          \
    "t.id, t.label, s.code, si.code, t.bday, t.number, t.priority, t.state," \
    " coalesce(t.counter_id, 0), t.recalls, t.transfers, t.issued_at,"       \
    " coalesce(t.called_at, 0), coalesce(t.serving_at, 0),"                  \
    " coalesce(t.finished_at, 0)"
#define TICKET_FROM                                                          \
    " FROM ticket t JOIN service s ON s.id = t.service_id"                   \
    " JOIN service si ON si.id = t.issued_service_id"

static void row_to_ticket(sqlite3_stmt *s, void *p)
{
    struct queue_ticket *t = p;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, t->label, sizeof t->label);
    store_col_text(s, 2, t->service, sizeof t->service);
    store_col_text(s, 3, t->issued_service, sizeof t->issued_service);
    store_col_text(s, 4, t->bday, sizeof t->bday);
    t->number = sqlite3_column_int(s, 5);
    t->priority = sqlite3_column_int(s, 6);
    store_col_text(s, 7, t->state, sizeof t->state);
    t->counter = sqlite3_column_int(s, 8);
    t->recalls = sqlite3_column_int(s, 9);
    t->transfers = sqlite3_column_int(s, 10);
    t->issued_at = sqlite3_column_int64(s, 11);
    t->called_at = sqlite3_column_int64(s, 12);
    t->serving_at = sqlite3_column_int64(s, 13);
    t->finished_at = sqlite3_column_int64(s, 14);
}

/* ---- services ---------------------------------------------------------- */

static int check_code(const char *code, struct fd_err *err)
{
    size_t n = code ? strlen(code) : 0;
    _Static_assert(QUEUE_CODE_MAX == 2, "a code is checked letter by letter below");
    if (n < 1 || n > QUEUE_CODE_MAX || !isupper((unsigned char)code[0]) ||
        (n == 2 && !isupper((unsigned char)code[1])))
        return fd_fail(err, FD_EINVAL, "code",
                       "service code must be one or two capital letters A-Z");
    return 0;
}

static int check_service(const struct queue_service *v, int names_required,
                         struct fd_err *err)
{
    int rc, req = names_required ? VAL_REQUIRED : 0;
    if ((rc = check_code(v->code, err)) ||
        (rc = val_text(v->name_zh, "name_zh", QUEUE_NAME_MAX, req, err)) ||
        (rc = val_text(v->name_en, "name_en", QUEUE_NAME_MAX, req, err)))
        return rc;
    if (v->open_min < 0 || v->close_min > 1440 || v->open_min >= v->close_min)
        return fd_fail(err, FD_EINVAL, "hours",
                       "opening hours must lie within the day and open before closing");
    if (v->daily_cap < 0 || v->daily_cap > NUMBER_MAX)
        return fd_fail(err, FD_EINVAL, "daily_cap",
                       "daily cap must be 0 (none) to %d", NUMBER_MAX);
    return 0;
}

int queue_service_add(struct fd_store *st, const struct queue_service *v,
                      struct fd_err *err)
{
    int rc = check_service(v, 1, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO service(code, name_zh, name_en, active, open_min, close_min,"
        " daily_cap, sort) VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0),"
        " (SELECT coalesce(max(sort), 0) + 1 FROM service))");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, v->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, v->name_zh, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, v->name_en, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, v->active ? 1 : 0);
    sqlite3_bind_int(s, 5, v->open_min);
    sqlite3_bind_int(s, 6, v->close_min);
    sqlite3_bind_int(s, 7, v->daily_cap);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return fd_fail(err, FD_EEXIST, "code", "service %s exists already", v->code);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

int queue_service_update(struct fd_store *st, const struct queue_service *v,
                         struct fd_err *err)
{
    int rc = check_service(v, 0, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_prepare(st,
        "UPDATE service SET active = ?2, open_min = ?3, close_min = ?4,"
        " daily_cap = nullif(?5, 0), name_zh = coalesce(nullif(?6, ''), name_zh),"
        " name_en = coalesce(nullif(?7, ''), name_en) WHERE code = ?1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, v->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, v->active ? 1 : 0);
    sqlite3_bind_int(s, 3, v->open_min);
    sqlite3_bind_int(s, 4, v->close_min);
    sqlite3_bind_int(s, 5, v->daily_cap);
    sqlite3_bind_text(s, 6, v->name_zh, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, v->name_en, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    if (sqlite3_changes(store_db(st)) == 0)
        return fd_fail(err, FD_ENOTFOUND, "code", "no service %s", v->code);
    return 0;
}

int queue_service_put(struct fd_store *st, const struct queue_service *v, int sort,
                      struct fd_err *err)
{
    int rc = check_service(v, 1, err);
    if (rc)
        return rc;
    if (sort < -QUEUE_SORT_MAX || sort > QUEUE_SORT_MAX)
        return fd_fail(err, FD_EINVAL, "sort", "sort must be -%d to %d", QUEUE_SORT_MAX,
                       QUEUE_SORT_MAX);
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO service(code, name_zh, name_en, active, open_min, close_min,"
        " daily_cap, sort) VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), ?8)"
        " ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh,"
        " name_en = excluded.name_en, active = excluded.active,"
        " open_min = excluded.open_min, close_min = excluded.close_min,"
        " daily_cap = excluded.daily_cap, sort = excluded.sort");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, v->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, v->name_zh, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, v->name_en, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, v->active ? 1 : 0);
    sqlite3_bind_int(s, 5, v->open_min);
    sqlite3_bind_int(s, 6, v->close_min);
    sqlite3_bind_int(s, 7, v->daily_cap);
    sqlite3_bind_int(s, 8, sort);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

/* 1 when `code` is one of keep[0..n). */
static int code_kept(const char *code, const char *const *keep, int n)
{
    for (int i = 0; i < n; i++)
        if (keep[i] && strcmp(keep[i], code) == 0)
            return 1;
    return 0;
}

int queue_service_retire_others(struct fd_store *st, const char *const *keep, int n,
                                struct fd_err *err)
{
    char (*codes)[3] = NULL;
    int rc, m = 0, changed = 0;
    sqlite3_stmt *s = store_prepare(st, "SELECT code FROM service WHERE active = 1");
    if (!s)
        return store_fail(st, err);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        void *grown = realloc(codes, (size_t)(m + 1) * sizeof *codes);
        if (!grown)
            break;
        codes = grown;
        store_col_text(s, 0, codes[m++], sizeof *codes);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(codes);
        return rc == SQLITE_ROW ? fd_fail(err, FD_EDB, "", "out of memory")
                                : store_fail(st, err);
    }
    for (int i = 0; i < m; i++) {
        if (code_kept(codes[i], keep, n))
            continue;
        s = store_prepare(st, "UPDATE service SET active = 0 WHERE code = ?1");
        if (!s)
            break;
        sqlite3_bind_text(s, 1, codes[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            s = NULL;
            break;
        }
        changed++;
    }
    free(codes);
    return s ? changed : store_fail(st, err);
}

void queue_bday(struct fd_store *st, int64_t now, char out[11])
{
    bday_of(now, (int)cfg_get_int(st, "day_turnover_hour"), out);
    sqlite3_stmt *s = store_prepare(st, "SELECT max(bday) FROM ticket_seq");
    if (s && sqlite3_step(s) == SQLITE_ROW) {
        const char *last = (const char *)sqlite3_column_text(s, 0);
        if (last && strcmp(last, out) > 0)
            snprintf(out, 11, "%s", last);
    }
    if (s)
        sqlite3_reset(s);
}

int64_t queue_estimate(struct fd_store *st, int64_t service_id, int ahead)
{
    double mean = (double)cfg_get_int(st, "default_service_s");
    double open = 0;
    sqlite3_stmt *s = store_prepare(st,
        "SELECT avg(d), count(*) FROM (SELECT finished_at - called_at AS d"
        " FROM ticket WHERE service_id = ?1 AND state = 'done'"
        " AND called_at IS NOT NULL AND finished_at >= called_at"
        " ORDER BY id DESC LIMIT ?2)");
    if (s) {
        sqlite3_bind_int64(s, 1, service_id);
        sqlite3_bind_int64(s, 2, cfg_get_int(st, "avg_window"));
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 1) > 0)
            mean = sqlite3_column_double(s, 0);
        sqlite3_reset(s);
    }
    /* A counter that serves k active services gives each 1/k of its time. */
    s = store_prepare(st,
        "SELECT coalesce(sum(1.0 / (SELECT count(*) FROM counter_service x JOIN"
        " service v ON v.id = x.service_id WHERE x.counter_id = c.id AND v.active)), 0)"
        " FROM counter c JOIN counter_service cs ON cs.counter_id = c.id"
        " WHERE cs.service_id = ?1 AND c.open = 1");
    if (s) {
        sqlite3_bind_int64(s, 1, service_id);
        if (sqlite3_step(s) == SQLITE_ROW)
            open = sqlite3_column_double(s, 0);
        sqlite3_reset(s);
    }
    if (open < 0.5) /* nobody staffed: assume one counter will open */
        open = 1;
    return (int64_t)(ahead * mean / open + 0.5);
}

static void service_row(sqlite3_stmt *s, void *p)
{
    struct queue_service *x = p;
    x->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, x->code, sizeof x->code);
    store_col_text(s, 2, x->name_zh, sizeof x->name_zh);
    store_col_text(s, 3, x->name_en, sizeof x->name_en);
    x->active = sqlite3_column_int(s, 4);
    x->open_min = sqlite3_column_int(s, 5);
    x->close_min = sqlite3_column_int(s, 6);
    x->daily_cap = sqlite3_column_int(s, 7);
    x->waiting = sqlite3_column_int(s, 8);
    x->counters_open = sqlite3_column_int(s, 9);
    x->open_now = x->active && sqlite3_column_int(s, 10) >= x->open_min &&
                  sqlite3_column_int(s, 10) < x->close_min;
}

int queue_service_list(struct fd_store *st, int64_t now,
                       struct queue_service **out, int *n, struct fd_err *err)
{
    char day[11];
    int rc;
    queue_bday(st, now, day);
    sqlite3_stmt *s = store_prepare(st,
        "SELECT s.id, s.code, s.name_zh, s.name_en, s.active, s.open_min,"
        " s.close_min, coalesce(s.daily_cap, 0),"
        " (SELECT count(*) FROM ticket t WHERE t.service_id = s.id"
        "   AND t.state = 'waiting' AND t.bday = ?1),"
        " (SELECT count(*) FROM counter c JOIN counter_service cs"
        "   ON cs.counter_id = c.id WHERE cs.service_id = s.id AND c.open = 1),"
        " ?2 FROM service s ORDER BY s.sort, s.code");
    *out = NULL, *n = 0;
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, bday_local_minutes(now));
    rc = store_collect(s, sizeof **out, 1000, service_row, (void **)out, n);
    if (rc)
        return store_fail(st, err);
    for (int i = 0; i < *n; i++)
        (*out)[i].est_wait_s = queue_estimate(st, (*out)[i].id, (*out)[i].waiting);
    return 0;
}

/* ---- counters ---------------------------------------------------------- */

int queue_counter_add(struct fd_store *st, int id, const char *name,
                      const char *codes, struct fd_err *err)
{
    char list[64], *save = NULL;
    int rc;
    if (id < 1 || id > 999)
        return fd_fail(err, FD_EINVAL, "id", "counter number must be 1 to 999");
    if ((rc = val_text(name, "name", QUEUE_NAME_MAX, VAL_REQUIRED, err)))
        return rc;
    if (!codes || !*codes || strlen(codes) >= sizeof list)
        return fd_fail(err, FD_EINVAL, "services",
                       "a counter needs the codes of the services it serves, e.g. A,B");
    snprintf(list, sizeof list, "%s", codes);
    if (store_begin(st))
        return store_fail(st, err);
    sqlite3_stmt *s = store_prepare(st, "INSERT INTO counter(id, name) VALUES (?1, ?2)");
    if (!s)
        goto dbfail;
    sqlite3_bind_int(s, 1, id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        store_rollback(st);
        return fd_fail(err, FD_EEXIST, "id", "counter %d exists already", id);
    }
    if (rc != SQLITE_DONE)
        goto dbfail;
    for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        if ((rc = check_code(c, err))) {
            store_rollback(st);
            return rc;
        }
        s = store_prepare(st,
            "INSERT OR IGNORE INTO counter_service(counter_id, service_id)"
            " SELECT ?1, id FROM service WHERE code = ?2");
        if (!s)
            goto dbfail;
        sqlite3_bind_int(s, 1, id);
        sqlite3_bind_text(s, 2, c, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            goto dbfail;
        if (sqlite3_changes(store_db(st)) == 0) {
            s = store_prepare(st, "SELECT 1 FROM service WHERE code = ?1");
            sqlite3_bind_text(s, 1, c, -1, SQLITE_STATIC);
            rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc != SQLITE_ROW) {
                store_rollback(st);
                return fd_fail(err, FD_ENOTFOUND, "services", "no service %s", c);
            }
        }
    }
    if (store_commit(st))
        return store_fail(st, err);
    return 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

int queue_counter_put(struct fd_store *st, int id, const char *name, const char *codes,
                      struct fd_err *err)
{
    char list[QUEUE_CODES_MAX], *save = NULL;
    int rc;
    sqlite3 *db = store_db(st);
    if (id < 1 || id > 999)
        return fd_fail(err, FD_EINVAL, "id", "counter number must be 1 to 999");
    if ((rc = val_text(name, "name", QUEUE_NAME_MAX, VAL_REQUIRED, err)))
        return rc;
    if (!codes || strlen(codes) >= sizeof list)
        return fd_fail(err, FD_EINVAL, "services",
                       "a counter's services are at most %d codes, e.g. A,B",
                       (int)sizeof list / 3);
    snprintf(list, sizeof list, "%s", codes);
    /* Every code first: a counter serving a service the kiosk lacks is
     * refused whole, before anything is written. */
    for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        if ((rc = check_code(c, err)))
            return rc;
        sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM service WHERE code = ?1");
        if (!s)
            return store_fail(st, err);
        sqlite3_bind_text(s, 1, c, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return fd_fail(err, FD_ENOTFOUND, "services", "no service %s", c);
        if (rc != SQLITE_ROW)
            return store_fail(st, err);
    }
    /* A savepoint: atomic alone, and inside the caller's transaction. */
    if (sqlite3_exec(db, "SAVEPOINT counter_put", NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(st, err);
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO counter(id, name) VALUES (?1, ?2)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name");
    if (!s)
        goto dbfail;
    sqlite3_bind_int(s, 1, id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || !(s = store_prepare(st,
                                   "DELETE FROM counter_service WHERE counter_id = ?1")))
        goto dbfail;
    sqlite3_bind_int(s, 1, id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    snprintf(list, sizeof list, "%s", codes);
    for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        s = store_prepare(st,
            "INSERT OR IGNORE INTO counter_service(counter_id, service_id)"
            " SELECT ?1, id FROM service WHERE code = ?2");
        if (!s)
            goto dbfail;
        sqlite3_bind_int(s, 1, id);
        sqlite3_bind_text(s, 2, c, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            goto dbfail;
    }
    if (sqlite3_exec(db, "RELEASE counter_put", NULL, NULL, NULL) != SQLITE_OK)
        goto dbfail;
    return 0;
dbfail:
    rc = store_fail(st, err);
    sqlite3_exec(db, "ROLLBACK TO counter_put", NULL, NULL, NULL);
    sqlite3_exec(db, "RELEASE counter_put", NULL, NULL, NULL);
    return rc;
}

int queue_counter_retire_others(struct fd_store *st, const int *keep, int n,
                                struct fd_err *err)
{
    int *ids = NULL, rc, m = 0, changed = 0;
    sqlite3_stmt *s = store_prepare(st,
        "SELECT DISTINCT counter_id FROM counter_service");
    if (!s)
        return store_fail(st, err);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        void *grown = realloc(ids, (size_t)(m + 1) * sizeof *ids);
        if (!grown)
            break;
        ids = grown;
        ids[m++] = sqlite3_column_int(s, 0);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(ids);
        return rc == SQLITE_ROW ? fd_fail(err, FD_EDB, "", "out of memory")
                                : store_fail(st, err);
    }
    for (int i = 0; i < m && s; i++) {
        int kept = 0;
        for (int j = 0; j < n && !kept; j++)
            kept = keep[j] == ids[i];
        if (kept)
            continue;
        s = store_prepare(st, "DELETE FROM counter_service WHERE counter_id = ?1");
        if (!s)
            break;
        sqlite3_bind_int(s, 1, ids[i]);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            s = NULL;
        else
            changed++;
    }
    free(ids);
    return s ? changed : store_fail(st, err);
}

/* Finds the counter's current ticket (called or serving); 0 = none. */
static int64_t counter_ticket(struct fd_store *st, int counter)
{
    int64_t id = 0;
    sqlite3_stmt *s = store_prepare(st,
        "SELECT id FROM ticket WHERE counter_id = ?1"
        " AND state IN ('called', 'serving') ORDER BY id DESC LIMIT 1");
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, counter);
    if (sqlite3_step(s) == SQLITE_ROW)
        id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return id;
}

int queue_counter_set_open(struct fd_store *st, int id, int open,
                           struct fd_err *err)
{
    int rc;
    if (store_begin(st))
        return store_fail(st, err);
    if (!open && counter_ticket(st, id) > 0) {
        store_rollback(st);
        return fd_fail(err, FD_ESTATE, "id",
                       "counter %d still has a visitor: finish or transfer first", id);
    }
    sqlite3_stmt *s = store_prepare(st, "UPDATE counter SET open = ?2 WHERE id = ?1");
    if (!s) {
        rc = store_fail(st, err);
        store_rollback(st);
        return rc;
    }
    sqlite3_bind_int(s, 1, id);
    sqlite3_bind_int(s, 2, open ? 1 : 0);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, err);
        store_rollback(st);
        return rc;
    }
    if (sqlite3_changes(store_db(st)) == 0) {
        store_rollback(st);
        return fd_fail(err, FD_ENOTFOUND, "id", "no counter %d", id);
    }
    return store_commit(st) ? store_fail(st, err) : 0;
}

static void counter_row(sqlite3_stmt *s, void *p)
{
    struct queue_counter *c = p;
    c->id = sqlite3_column_int(s, 0);
    store_col_text(s, 1, c->name, sizeof c->name);
    c->open = sqlite3_column_int(s, 2);
    store_col_text(s, 3, c->services, sizeof c->services);
    c->ticket_id = sqlite3_column_int64(s, 4);
    store_col_text(s, 5, c->ticket, sizeof c->ticket);
    store_col_text(s, 6, c->ticket_state, sizeof c->ticket_state);
}

int queue_counter_list(struct fd_store *st, struct queue_counter **out, int *n,
                       struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st,
        "SELECT c.id, c.name, c.open,"
        " (SELECT group_concat(code, ',') FROM (SELECT s.code FROM counter_service cs"
        "   JOIN service s ON s.id = cs.service_id WHERE cs.counter_id = c.id"
        "   ORDER BY s.sort, s.code)),"
        " t.id, t.label, t.state FROM counter c LEFT JOIN ticket t"
        " ON t.id = (SELECT max(id) FROM ticket WHERE counter_id = c.id"
        "   AND state IN ('called', 'serving')) ORDER BY c.id");
    *out = NULL, *n = 0;
    if (!s || store_collect(s, sizeof **out, 1000, counter_row, (void **)out, n))
        return store_fail(st, err);
    return 0;
}

/* ---- tickets ----------------------------------------------------------- */

static int load_ticket(struct fd_store *st, int64_t id, struct queue_ticket *t)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT " TICKET_COLS TICKET_FROM
                                        " WHERE t.id = ?1");
    if (s)
        sqlite3_bind_int64(s, 1, id);
    return store_one(s, row_to_ticket, t);
}

/* Fills t->ahead and t->est_wait_s for a waiting ticket. */
static void fill_ahead(struct fd_store *st, struct queue_ticket *t)
{
    t->ahead = 0;
    t->est_wait_s = 0;
    if (strcmp(t->state, "waiting") != 0)
        return;
    sqlite3_stmt *s = store_prepare(st,
        "SELECT count(*), (SELECT service_id FROM ticket WHERE id = ?1)"
        " FROM ticket o WHERE o.state = 'waiting'"
        " AND o.service_id = (SELECT service_id FROM ticket WHERE id = ?1)"
        " AND o.bday = (SELECT bday FROM ticket WHERE id = ?1) AND o.id <> ?1"
        " AND (o.priority > ?2 OR (o.priority = ?2 AND o.id < ?1))");
    if (!s)
        return;
    sqlite3_bind_int64(s, 1, t->id);
    sqlite3_bind_int(s, 2, t->priority);
    if (sqlite3_step(s) == SQLITE_ROW) {
        t->ahead = sqlite3_column_int(s, 0);
        int64_t svc = sqlite3_column_int64(s, 1);
        sqlite3_reset(s);
        t->est_wait_s = queue_estimate(st, svc, t->ahead);
        return;
    }
    sqlite3_reset(s);
}

static int add_event(struct fd_store *st, int64_t ticket, int64_t now,
                     const char *event, int counter, int64_t service,
                     const char *actor)
{
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO ticket_event(ticket_id, at, event, counter_id, service_id,"
        " actor) VALUES (?1, ?2, ?3, nullif(?4, 0), nullif(?5, 0), ?6)");
    int rc;
    if (!s)
        return FD_EDB;
    sqlite3_bind_int64(s, 1, ticket);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_text(s, 3, event, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, counter);
    sqlite3_bind_int64(s, 5, service);
    sqlite3_bind_text(s, 6, actor ? actor : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : FD_EDB;
}

int queue_take(struct fd_store *st, const char *code, int priority, int64_t now,
               struct queue_ticket *out, struct fd_err *err)
{
    char day[11], label[8];
    int64_t svc;
    int rc, active, open_min, close_min, cap, number, minutes;
    sqlite3_stmt *s;

    if ((rc = check_code(code, err)))
        return rc;
    if (store_begin(st))
        return store_fail(st, err);
    s = store_prepare(st,
        "SELECT id, active, open_min, close_min, coalesce(daily_cap, 0)"
        " FROM service WHERE code = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        store_rollback(st);
        return rc == SQLITE_DONE
                   ? fd_fail(err, FD_ENOTFOUND, "code", "no service %s", code)
                   : store_fail(st, err);
    }
    svc = sqlite3_column_int64(s, 0);
    active = sqlite3_column_int(s, 1);
    open_min = sqlite3_column_int(s, 2);
    close_min = sqlite3_column_int(s, 3);
    cap = sqlite3_column_int(s, 4);
    sqlite3_reset(s);

    minutes = bday_local_minutes(now);
    if (!active) {
        store_rollback(st);
        return fd_fail(err, FD_ECLOSED, "code", "service %s is not offered now", code);
    }
    if (minutes < open_min || minutes >= close_min) {
        store_rollback(st);
        return fd_fail(err, FD_ECLOSED, "code",
                       "service %s is open from %02d:%02d to %02d:%02d", code,
                       open_min / 60, open_min % 60, close_min / 60, close_min % 60);
    }
    queue_bday(st, now, day);
    s = store_prepare(st,
        "INSERT INTO ticket_seq(service_id, bday, last) VALUES (?1, ?2, 1)"
        " ON CONFLICT(service_id, bday) DO UPDATE SET last = last + 1"
        " RETURNING last");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, svc);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        goto dbfail;
    }
    number = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    if ((cap && number > cap) || number > NUMBER_MAX) {
        store_rollback(st);
        return fd_fail(err, FD_EFULL, "code",
                       "service %s has issued all %d tickets for today", code,
                       cap ? cap : NUMBER_MAX);
    }
    snprintf(label, sizeof label, "%.2s%03u", code, (unsigned)number % 10000u);
    s = store_prepare(st,
        "INSERT INTO ticket(bday, issued_service_id, service_id, number, label,"
        " priority, issued_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6)");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, svc);
    sqlite3_bind_int(s, 3, number);
    sqlite3_bind_text(s, 4, label, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, priority ? 1 : 0);
    sqlite3_bind_int64(s, 6, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    int64_t id = sqlite3_last_insert_rowid(store_db(st));
    if (store_commit(st))
        return store_fail(st, err);
    if (out) {
        if (load_ticket(st, id, out) != 0)
            return store_fail(st, err);
        fill_ahead(st, out);
    }
    return 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

/* Sets the state of ticket `id` and the timestamp column that goes with it. */
static int set_state(struct fd_store *st, int64_t id, const char *state,
                     int counter, int64_t now)
{
    sqlite3_stmt *s = store_prepare(st,
        "UPDATE ticket SET state = ?2, counter_id = nullif(?3, 0),"
        " called_at = CASE WHEN ?2 = 'called' THEN ?4 ELSE called_at END,"
        " serving_at = CASE WHEN ?2 = 'serving' THEN ?4"
        "   WHEN ?2 = 'done' THEN coalesce(serving_at, called_at) ELSE serving_at END,"
        " finished_at = CASE WHEN ?2 IN ('done', 'noshow', 'cancelled') THEN ?4"
        "   ELSE finished_at END WHERE id = ?1");
    int rc;
    if (!s)
        return FD_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, counter);
    sqlite3_bind_int64(s, 4, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : FD_EDB;
}

static int check_counter(struct fd_store *st, int counter, struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM counter WHERE id = ?1");
    int rc;
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int(s, 1, counter);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    return fd_fail(err, FD_ENOTFOUND, "counter", "no counter %d", counter);
}

enum counter_op { OP_CALL, OP_RECALL, OP_NOSHOW, OP_SERVE, OP_FINISH, OP_TRANSFER };

/* One counter operation in one transaction (see queue.h for the rules). */
static int counter_op(struct fd_store *st, enum counter_op op, int counter,
                      const char *code, const char *actor, int64_t now,
                      struct queue_ticket *out, struct fd_err *err)
{
    struct queue_ticket cur;
    int64_t id, result_id;
    int rc, emptied = 0;

    if (store_begin(st))
        return store_fail(st, err);
    if ((rc = check_counter(st, counter, err)))
        goto out_rollback;
    id = counter_ticket(st, counter);
    if (id < 0)
        goto dbfail;
    if (id > 0 && (rc = load_ticket(st, id, &cur)) != 0)
        goto dbfail;
    result_id = id;

    switch (op) {
    case OP_CALL: {
        char day[11];
        if (id > 0 && strcmp(cur.state, "called") == 0) {
            rc = fd_fail(err, FD_ESTATE, "counter",
                         "%s was called and has not come yet: recall or mark"
                         " a no-show first", cur.label);
            goto out_rollback;
        }
        if (id > 0) { /* serving: the visitor is done */
            if (set_state(st, id, "done", counter, now) ||
                add_event(st, id, now, "done", counter, 0, actor))
                goto dbfail;
        }
        queue_bday(st, now, day);
        sqlite3_stmt *s = store_prepare(st,
            "SELECT t.id FROM ticket t JOIN counter_service cs"
            " ON cs.service_id = t.service_id WHERE cs.counter_id = ?1"
            " AND t.state = 'waiting' AND t.bday = ?2"
            " ORDER BY t.priority DESC, t.id LIMIT 1");
        if (!s)
            goto dbfail;
        sqlite3_bind_int(s, 1, counter);
        sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        result_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            goto dbfail;
        if (!result_id) {
            if (id > 0) { /* the finish above stands; nobody to call */
                result_id = id;
                emptied = 1;
                break;
            }
            rc = fd_fail(err, FD_EEMPTY, "counter",
                         "nobody is waiting for counter %d", counter);
            goto out_rollback;
        }
        if (set_state(st, result_id, "called", counter, now) ||
            add_event(st, result_id, now, "called", counter, 0, actor))
            goto dbfail;
        break;
    }
    case OP_RECALL:
        if (id == 0 || strcmp(cur.state, "called") != 0) {
            rc = fd_fail(err, FD_ESTATE, "counter",
                         "counter %d has no called ticket to recall", counter);
            goto out_rollback;
        }
        if (cur.recalls >= cfg_get_int(st, "recall_limit")) {
            if (set_state(st, id, "noshow", counter, now) ||
                add_event(st, id, now, "noshow", counter, 0, actor))
                goto dbfail;
        } else {
            sqlite3_stmt *s = store_prepare(st,
                "UPDATE ticket SET recalls = recalls + 1, called_at = ?2"
                " WHERE id = ?1");
            if (!s)
                goto dbfail;
            sqlite3_bind_int64(s, 1, id);
            sqlite3_bind_int64(s, 2, now);
            rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc != SQLITE_DONE ||
                add_event(st, id, now, "recalled", counter, 0, actor))
                goto dbfail;
        }
        break;
    case OP_NOSHOW:
    case OP_SERVE:
        if (id == 0 || strcmp(cur.state, "called") != 0) {
            rc = fd_fail(err, FD_ESTATE, "counter",
                         "counter %d has no called ticket", counter);
            goto out_rollback;
        }
        {
            const char *to = op == OP_NOSHOW ? "noshow" : "serving";
            if (set_state(st, id, to, counter, now) ||
                add_event(st, id, now, to, counter, 0, actor))
                goto dbfail;
        }
        break;
    case OP_FINISH:
        if (id == 0) {
            rc = fd_fail(err, FD_ESTATE, "counter",
                         "counter %d is serving nobody", counter);
            goto out_rollback;
        }
        if (set_state(st, id, "done", counter, now) ||
            add_event(st, id, now, "done", counter, 0, actor))
            goto dbfail;
        break;
    case OP_TRANSFER: {
        if (id == 0) {
            rc = fd_fail(err, FD_ESTATE, "counter",
                         "counter %d has no ticket to transfer", counter);
            goto out_rollback;
        }
        if ((rc = check_code(code, err)))
            goto out_rollback;
        sqlite3_stmt *s = store_prepare(st, "SELECT id FROM service WHERE code = ?1");
        if (!s)
            goto dbfail;
        sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        int64_t svc = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        if (!svc) {
            rc = fd_fail(err, FD_ENOTFOUND, "code", "no service %s", code);
            goto out_rollback;
        }
        s = store_prepare(st,
            "UPDATE ticket SET state = 'waiting', service_id = ?2,"
            " counter_id = NULL, transfers = transfers + 1, recalls = 0,"
            " called_at = NULL, serving_at = NULL WHERE id = ?1");
        if (!s)
            goto dbfail;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, svc);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE ||
            add_event(st, id, now, "transferred", counter, svc, actor))
            goto dbfail;
        break;
    }
    }
    if (store_commit(st))
        return store_fail(st, err);
    if (out) {
        if (load_ticket(st, result_id, out) != 0)
            return store_fail(st, err);
        fill_ahead(st, out);
    }
    if (emptied)
        return fd_fail(err, FD_EEMPTY, "counter",
                       "finished; nobody is waiting for counter %d", counter);
    return 0;
dbfail:
    rc = store_fail(st, err);
out_rollback:
    store_rollback(st);
    return rc;
}

int queue_call_next(struct fd_store *st, int counter, const char *actor,
                    int64_t now, struct queue_ticket *out, struct fd_err *err)
{
    return counter_op(st, OP_CALL, counter, NULL, actor, now, out, err);
}

int queue_recall(struct fd_store *st, int counter, const char *actor,
                 int64_t now, struct queue_ticket *out, struct fd_err *err)
{
    return counter_op(st, OP_RECALL, counter, NULL, actor, now, out, err);
}

int queue_noshow(struct fd_store *st, int counter, const char *actor,
                 int64_t now, struct queue_ticket *out, struct fd_err *err)
{
    return counter_op(st, OP_NOSHOW, counter, NULL, actor, now, out, err);
}

int queue_serve(struct fd_store *st, int counter, const char *actor,
                int64_t now, struct queue_ticket *out, struct fd_err *err)
{
    return counter_op(st, OP_SERVE, counter, NULL, actor, now, out, err);
}

int queue_finish(struct fd_store *st, int counter, const char *actor,
                 int64_t now, struct queue_ticket *out, struct fd_err *err)
{
    return counter_op(st, OP_FINISH, counter, NULL, actor, now, out, err);
}

int queue_transfer(struct fd_store *st, int counter, const char *code,
                   const char *actor, int64_t now, struct queue_ticket *out,
                   struct fd_err *err)
{
    return counter_op(st, OP_TRANSFER, counter, code, actor, now, out, err);
}

int queue_cancel(struct fd_store *st, int64_t ticket_id, const char *actor,
                 int64_t now, struct fd_err *err)
{
    struct queue_ticket t;
    int rc;
    if (store_begin(st))
        return store_fail(st, err);
    rc = load_ticket(st, ticket_id, &t);
    if (rc == FD_ENOTFOUND) {
        store_rollback(st);
        return fd_fail(err, rc, "ticket", "no ticket %lld", (long long)ticket_id);
    }
    if (rc)
        goto dbfail;
    if (strcmp(t.state, "waiting") != 0) {
        store_rollback(st);
        return fd_fail(err, FD_ESTATE, "ticket", "%s is %s, not waiting", t.label,
                       t.state);
    }
    if (set_state(st, ticket_id, "cancelled", 0, now) ||
        add_event(st, ticket_id, now, "cancelled", 0, 0, actor))
        goto dbfail;
    return store_commit(st) ? store_fail(st, err) : 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

int queue_expire(struct fd_store *st, const char *actor, int64_t now,
                 struct fd_err *err)
{
    char day[11];
    int rc, n;
    queue_bday(st, now, day);
    if (store_begin(st))
        return store_fail(st, err);
    /* History first, while the states still say what each ticket was. */
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO ticket_event(ticket_id, at, event, counter_id, actor)"
        " SELECT id, ?2, CASE state WHEN 'serving' THEN 'done' ELSE 'expired' END,"
        " counter_id, ?3 FROM ticket WHERE bday < ?1"
        " AND state IN ('waiting', 'called', 'serving')");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_text(s, 3, actor ? actor : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    s = store_prepare(st,
        "UPDATE ticket SET state = CASE state WHEN 'serving' THEN 'done'"
        " ELSE 'cancelled' END, finished_at = ?2 WHERE bday < ?1"
        " AND state IN ('waiting', 'called', 'serving')");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    n = sqlite3_changes(store_db(st));
    if (store_commit(st))
        return store_fail(st, err);
    return n;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

int queue_ticket_get(struct fd_store *st, int64_t id, int64_t now,
                     struct queue_ticket *out, struct fd_err *err)
{
    (void)now;
    int rc = load_ticket(st, id, out);
    if (rc == FD_ENOTFOUND)
        return fd_fail(err, rc, "ticket", "no ticket %lld", (long long)id);
    if (rc)
        return store_fail(st, err);
    fill_ahead(st, out);
    return 0;
}

int queue_ticket_find(struct fd_store *st, const char *label, int64_t now,
                      struct queue_ticket *out, struct fd_err *err)
{
    char day[11];
    int rc;
    if (!label || strlen(label) > 7)
        return fd_fail(err, FD_EINVAL, "ticket", "not a ticket number");
    queue_bday(st, now, day);
    sqlite3_stmt *s = store_prepare(st, "SELECT " TICKET_COLS TICKET_FROM
                                        " WHERE t.label = ?1 AND t.bday = ?2"
                                        " ORDER BY t.id DESC LIMIT 1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        row_to_ticket(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return fd_fail(err, FD_ENOTFOUND, "ticket", "no ticket %s today", label);
    if (rc != SQLITE_ROW)
        return store_fail(st, err);
    fill_ahead(st, out);
    return 0;
}

int queue_waiting(struct fd_store *st, const char *code, int64_t now,
                  struct queue_ticket **out, int *n, struct fd_err *err)
{
    char day[11];
    *out = NULL, *n = 0;
    if (code && check_code(code, err))
        return FD_EINVAL;
    queue_bday(st, now, day);
    sqlite3_stmt *s = store_prepare(st, "SELECT " TICKET_COLS TICKET_FROM
                                        " WHERE t.state = 'waiting' AND t.bday = ?1"
                                        " AND (?2 IS NULL OR s.code = ?2)"
                                        " ORDER BY t.priority DESC, t.id");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    if (code)
        sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
    if (store_collect(s, sizeof **out, 100000, row_to_ticket, (void **)out, n))
        return store_fail(st, err);
    /* Position within its own service, in call order. */
    struct queue_ticket *v = *out;
    for (int i = 0; i < *n; i++) {
        int ahead = 0;
        for (int j = 0; j < i; j++)
            ahead += strcmp(v[j].service, v[i].service) == 0;
        v[i].ahead = ahead;
    }
    return 0;
}

static void call_row(sqlite3_stmt *s, void *p)
{
    struct queue_call *c = p;
    c->event_id = sqlite3_column_int64(s, 0);
    c->ticket_id = sqlite3_column_int64(s, 1);
    store_col_text(s, 2, c->label, sizeof c->label);
    c->counter = sqlite3_column_int(s, 3);
    c->recall = sqlite3_column_int(s, 4);
    c->at = sqlite3_column_int64(s, 5);
}

int queue_calls(struct fd_store *st, int64_t after_id, int max, int64_t now,
                struct queue_call **out, int *n, struct fd_err *err)
{
    char day[11];
    sqlite3_stmt *s;
    *out = NULL, *n = 0;
    if (max < 1 || max > 1000)
        return fd_fail(err, FD_EINVAL, "max", "max must be 1 to 1000");
    if (after_id >= 0) {
        s = store_prepare(st,
            "SELECT e.id, e.ticket_id, t.label, e.counter_id, e.event = 'recalled', e.at"
            " FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
            " WHERE e.id > ?1 AND e.event IN ('called', 'recalled')"
            " ORDER BY e.id LIMIT ?2");
        if (!s)
            return store_fail(st, err);
        sqlite3_bind_int64(s, 1, after_id);
    } else {
        queue_bday(st, now, day);
        s = store_prepare(st,
            "SELECT e.id, e.ticket_id, t.label, e.counter_id, e.event = 'recalled', e.at"
            " FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
            " WHERE t.bday = ?1 AND e.event IN ('called', 'recalled')"
            " ORDER BY e.id DESC LIMIT ?2");
        if (!s)
            return store_fail(st, err);
        sqlite3_bind_text(s, 1, day, -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int(s, 2, max);
    if (store_collect(s, sizeof **out, max, call_row, (void **)out, n))
        return store_fail(st, err);
    return 0;
}
