/* retention.c - the standalone outbox bound and the pacing of housekeeping
 * batches (retention.h). The outbox rows carry no time, and adding one would
 * touch every trigger of 0001 and every record write; instead the sweep
 * writes an hourly mark (time, highest seq) into outbox_mark, and "rows older
 * than N days" is "rows up to the last mark at least N days old". */
#include "retention.h"

#include <time.h>

#include "config.h"
#include "deny.h"

#define MARK_EVERY_S 3600          /* one outbox_mark row an hour */
#define MARK_KEEP_S (367 * 86400L) /* longer than the longest setting */

static int64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int retention_batches(int (*step)(void *ctx, int max), void *ctx, int max)
{
    int total = 0;
    for (;;) {
        int64_t t0 = clock_ns();
        int n = step(ctx, max);
        if (n < 0)
            return n;
        total += n;
        if (n < max)
            return total;
        int64_t took = clock_ns() - t0;
        if (took < 2000000)
            took = 2000000;
        if (took > 50000000)
            took = 50000000;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)took};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
}

int retention_enrolled(struct fd_store *st)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT hq_url <> '' AND secret_key <> ''"
                                        " FROM sync_state WHERE id = 1");
    int rc;
    if (!s)
        return FD_EDB;
    rc = sqlite3_step(s);
    int enrolled = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? enrolled != 0 : FD_EDB;
}

/* Runs a statement that needs only its parameters bound; SQLITE_DONE -> 0. */
static int run(sqlite3_stmt *s)
{
    int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
    if (s)
        sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : FD_EDB;
}

/* In the caller's transaction: adds an hourly mark, drops marks no setting
 * can need, and returns the highest seq that may go (0 = none), or FD_EDB. */
static int64_t mark_and_cut(struct fd_store *st, int64_t now, long days)
{
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO outbox_mark(at, seq) SELECT ?1, coalesce((SELECT max(seq) FROM outbox), 0)"
        " WHERE NOT EXISTS (SELECT 1 FROM outbox_mark WHERE at > ?1 - ?2)");
    if (!s)
        return FD_EDB;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, MARK_EVERY_S);
    if (run(s))
        return FD_EDB;
    s = store_prepare(st, "DELETE FROM outbox_mark WHERE at < ?1");
    if (!s)
        return FD_EDB;
    sqlite3_bind_int64(s, 1, now - MARK_KEEP_S);
    if (run(s))
        return FD_EDB;
    /* Older than `days` by the marks; beyond the cap by seq, which grows by
     * one per row (gaps only make fewer rows kept, never more). */
    s = store_prepare(st,
        "SELECT max(coalesce((SELECT max(seq) FROM outbox_mark WHERE at <= ?1), 0),"
        " coalesce((SELECT max(seq) FROM outbox), 0) - ?2)");
    if (!s)
        return FD_EDB;
    sqlite3_bind_int64(s, 1, now - (int64_t)days * 86400);
    sqlite3_bind_int64(s, 2, RETENTION_OUTBOX_CAP);
    int64_t cut = FD_EDB;
    if (sqlite3_step(s) == SQLITE_ROW)
        cut = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return cut < 0 && cut != FD_EDB ? 0 : cut;
}

struct outbox_trim {
    struct fd_store *st;
    int64_t cut;              /* rows up to this seq go */
    struct fd_err *err;
};

/* One batch of retention_trim_outbox: none once the kiosk is enrolled. */
static int outbox_step(void *ctx, int max)
{
    struct outbox_trim *o = ctx;
    struct fd_store *st = o->st;
    int enrolled, n;
    if (store_begin(st))
        return store_fail(st, o->err);
    if ((enrolled = retention_enrolled(st)) != 0) { /* enrolled meanwhile */
        store_rollback(st);
        return enrolled < 0 ? store_fail(st, o->err) : 0;
    }
    sqlite3_stmt *s = store_prepare(st,
        "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq <= ?1"
        " ORDER BY seq LIMIT ?2)");
    if (s) {
        sqlite3_bind_int64(s, 1, o->cut);
        sqlite3_bind_int(s, 2, max);
    }
    if (!s || run(s)) {
        int rc = store_fail(st, o->err);
        store_rollback(st);
        return rc;
    }
    n = sqlite3_changes(store_db(st));
    if (store_commit(st))
        return store_fail(st, o->err);
    return n;
}

int retention_trim_outbox(struct fd_store *st, int64_t now, struct fd_err *err)
{
    long days = cfg_get_int(st, "outbox_standalone_days");
    int64_t cut;
    int enrolled;
    if (days <= 0)
        days = 31;
    if (store_begin(st))
        return store_fail(st, err);
    cut = mark_and_cut(st, now, days);
    enrolled = retention_enrolled(st);
    if (cut == FD_EDB || enrolled < 0) {
        int rc = store_fail(st, err);
        store_rollback(st);
        return rc;
    }
    if (store_commit(st))
        return store_fail(st, err);
    if (enrolled || cut <= 0)
        return 0;
    struct outbox_trim o = {st, cut, err};
    return retention_batches(outbox_step, &o, RETENTION_OUTBOX_BATCH);
}

int retention_prune_copies(struct fd_store *st, int64_t now)
{
    int64_t keep = RETENTION_COPY_KEEP_S;
    long days = cfg_get_int(st, "visitor_retention_days");
    if (days > 0 && days * 86400L < keep)
        keep = days * 86400L;
    return store_prune_copies(st, now, keep);
}

struct alert_prune {
    struct fd_store *st;
    int64_t before;           /* acknowledged before this time */
    struct fd_err *err;
};

/* One batch of retention_prune_alerts, in its own transaction. */
static int alert_step(void *ctx, int max)
{
    struct alert_prune *a = ctx;
    int n;
    if (store_begin(a->st))
        return store_fail(a->st, a->err);
    if ((n = deny_alert_prune(a->st, a->before, max, a->err)) < 0) {
        store_rollback(a->st);
        return n;
    }
    if (store_commit(a->st))
        return store_fail(a->st, a->err);
    return n;
}

int retention_prune_alerts(struct fd_store *st, int64_t now, struct fd_err *err)
{
    long days = cfg_get_int(st, "visitor_retention_days");
    if (days <= 0)
        return 0;
    struct alert_prune a = {st, now - (int64_t)days * 86400, err};
    return retention_batches(alert_step, &a, RETENTION_ALERT_BATCH);
}

int retention_outbox_backlog(sqlite3 *db, int64_t *backlog, int *exact)
{
    sqlite3_stmt *s = NULL;
    int64_t lo = 0, hi = -1;
    int rc = FD_EDB, one = 1;
    if (!exact)
        exact = &one;
    *backlog = 0;
    *exact = 1;
    /* two subqueries: each is a seek on the primary key */
    if (sqlite3_prepare_v2(db, "SELECT (SELECT min(seq) FROM outbox), (SELECT max(seq) FROM outbox)",
                           -1, &s, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(s) != SQLITE_ROW)
        goto out;
    if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
        lo = sqlite3_column_int64(s, 0);
        hi = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    s = NULL;
    rc = 0;
    if (hi < lo)
        goto out;
    if (hi - lo >= RETENTION_BACKLOG_EXACT_SPAN) {
        *backlog = hi - lo + 1;
        *exact = 0;
        goto out;
    }
    rc = FD_EDB;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM outbox WHERE seq BETWEEN ?1 AND ?2", -1, &s,
                           NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(s, 1, lo);
    sqlite3_bind_int64(s, 2, hi);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *backlog = sqlite3_column_int64(s, 0);
        rc = 0;
    }
out:
    sqlite3_finalize(s);
    return rc;
}
