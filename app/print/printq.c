/* printq.c - the print job queue and its worker thread (see printq.h for the
 * delivery rule). The worker loops: open the printer if it is absent (this
 * is the rescan that finds a printer plugged in later), take the oldest
 * pending job and run it, else poll the status now and then; it sleeps on a
 * condition variable that printq_wake and printq_stop signal. */
#include "printq.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retention.h"
#include "store.h"

struct printq {
    struct printq_config cfg;   /* copy; strings below are owned copies */
    char *db_path, *uri;
    sqlite3 *db;                /* the worker's own connection */
    pthread_t thread;
    pthread_mutex_t lock;       /* guards everything below */
    pthread_cond_t cond;        /* wake-ups for the worker */
    pthread_cond_t changed;     /* state changes, for printq_wait */
    int stop, woken;
    struct printq_state state;
};

static int64_t now_s(void) { return (int64_t)time(NULL); }

/* ---- job rows ---- */

int printq_enqueue(sqlite3 *db, const char *kind, int64_t ref_id, const void *payload,
                   size_t len, int64_t *id)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "INSERT INTO print_job(kind, ref_id, payload, created_at) "
                               "VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    if (ref_id > 0)
        sqlite3_bind_int64(s, 2, ref_id);
    sqlite3_bind_blob64(s, 3, payload, len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now_s());
    if (sqlite3_step(s) == SQLITE_DONE) {
        if (id)
            *id = sqlite3_last_insert_rowid(db);
        rc = 0;
    }
out:
    sqlite3_finalize(s);
    return rc;
}

/* Runs one UPDATE with an id parameter; 0 when exactly one row changed. */
static int update_one(sqlite3 *db, const char *sql, int64_t id, const char *text)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (text)
        sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(db) == 1)
        rc = 0;
    sqlite3_finalize(s);
    return rc;
}

int printq_cancel(sqlite3 *db, int64_t id)
{
    return update_one(db, "UPDATE print_job SET state = 'cancelled' "
                          "WHERE id = ? AND state IN ('pending','failed')", id, NULL);
}

int printq_fail(sqlite3 *db, int64_t id, const char *why)
{
    return update_one(db, "UPDATE print_job SET state = 'failed', last_error = ?2 "
                          "WHERE id = ?1 AND state = 'pending'", id, why ? why : "not printed");
}

int printq_counts(sqlite3 *db, int *pending, int *failed)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;
    *pending = *failed = -1;
    /* two counts over the index's range for each state; sum(state = ...) over
     * the table read every row ever kept (2% of a core idle on a year) */
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM print_job WHERE state = 'pending'),"
                               " (SELECT count(*) FROM print_job WHERE state = 'failed')",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *pending = sqlite3_column_int(s, 0);
        *failed = sqlite3_column_int(s, 1);
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

int printq_jobs(sqlite3 *db, struct printq_job *out, int max)
{
    sqlite3_stmt *s = NULL;
    int n = 0, rc = SQLITE_DONE;

    if (max <= 0)
        return 0;
    if (sqlite3_prepare_v2(db, "SELECT id, kind, coalesce(ref_id, 0), state, attempts,"
                               " coalesce(last_error, ''), created_at, coalesce(printed_at, 0)"
                               " FROM print_job ORDER BY id DESC LIMIT ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(s, 1, max);
    while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct printq_job *j = &out[n++];
        j->id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, j->kind, sizeof j->kind);
        j->ref_id = sqlite3_column_int64(s, 2);
        store_col_text(s, 3, j->state, sizeof j->state);
        j->attempts = sqlite3_column_int(s, 4);
        store_col_text(s, 5, j->error, sizeof j->error);
        j->created_at = sqlite3_column_int64(s, 6);
        j->printed_at = sqlite3_column_int64(s, 7);
    }
    if (n < max && rc != SQLITE_DONE)
        n = -1;
    sqlite3_finalize(s);
    return n;
}

int printq_job_state(sqlite3 *db, int64_t id, char *state, size_t len)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;

    if (len)
        *state = '\0';
    if (sqlite3_prepare_v2(db, "SELECT state FROM print_job WHERE id = ?1", -1, &s, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    switch (sqlite3_step(s)) {
    case SQLITE_ROW:
        store_col_text(s, 0, state, len);
        rc = 0;
        break;
    case SQLITE_DONE:
        rc = 1;
        break;
    }
    sqlite3_finalize(s);
    return rc;
}

int printq_reprint(sqlite3 *db, int64_t id, int64_t *new_id)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;

    /* After the reprint window the bytes are gone (printq_compact): the
     * receipt is printed again from its record, not from here. */
    if (sqlite3_prepare_v2(db, "INSERT INTO print_job(kind, ref_id, payload, created_at) "
                               "SELECT kind, ref_id, payload, ? FROM print_job WHERE id = ?"
                               " AND bytes_dropped_at IS NULL",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, now_s());
    sqlite3_bind_int64(s, 2, id);
    if (sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(db) == 1) {
        if (new_id)
            *new_id = sqlite3_last_insert_rowid(db);
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

int printq_recover(sqlite3 *db, int *n)
{
    int rc = sqlite3_exec(db,
        "UPDATE print_job SET state = 'failed', last_error = 'interrupted while printing "
        "(restart): not resent automatically, the receipt may already be out; reprint "
        "from the staff console if needed' WHERE state = 'printing'", NULL, NULL, NULL);
    if (n)
        *n = rc == SQLITE_OK ? sqlite3_changes(db) : 0;
    return rc == SQLITE_OK ? 0 : -1;
}

/* Runs one statement with up to three integer parameters (and an optional
 * text one as ?4) in its own autocommit transaction; returns the rows
 * changed or -1. */
static int exec_count(sqlite3 *db, const char *sql, int64_t a, int64_t b, int64_t c,
                      const char *text)
{
    sqlite3_stmt *s = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    sqlite3_bind_int64(s, 3, c);
    if (text)
        sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE)
        n = sqlite3_changes(db);
    sqlite3_finalize(s);
    return n;
}

int printq_expire(sqlite3 *db, int64_t now, int max_age_s)
{
    char why[128];
    if (max_age_s <= 0)
        return 0;
    snprintf(why, sizeof why, "expired: not printed within %d s; not printed later for "
                              "someone who may have left (reprint if needed)", max_age_s);
    return exec_count(db, "UPDATE print_job SET state = 'expired', last_error = ?4"
                          " WHERE state = 'pending' AND created_at < ?1 - ?2",
                      now, max_age_s, 0, why);
}

/* One batch of printq_compact: a statement over at most max rows (?3), with
 * now (?1) and a span (?2) bound. */
struct compact {
    sqlite3 *db;
    const char *sql;
    int64_t now, span;
};

static int compact_step(void *ctx, int max)
{
    struct compact *c = ctx;
    return exec_count(c->db, c->sql, c->now, c->span, max, NULL);
}

int printq_compact(sqlite3 *db, int64_t now, int64_t keep_s)
{
    if (keep_s < 3600)
        keep_s = 3600;
    /* Bytes of jobs past the reprint window, then the rows of jobs past the
     * history; PRINTQ_BATCH rows per transaction, a pause between. */
    struct compact bytes = {db,
                            "UPDATE print_job SET payload = X'', bytes_dropped_at = ?1"
                            " WHERE id IN (SELECT id FROM print_job WHERE bytes_dropped_at IS NULL"
                            " AND created_at < ?1 - ?2 AND state NOT IN ('pending', 'printing')"
                            " LIMIT ?3)",
                            now, keep_s};
    struct compact rows = {db,
                           "DELETE FROM print_job WHERE id IN (SELECT id FROM print_job"
                           " WHERE created_at < ?1 - ?2 AND state NOT IN ('pending', 'printing')"
                           " LIMIT ?3)",
                           now, (int64_t)PRINTQ_HISTORY_DAYS * 86400};
    int a = retention_batches(compact_step, &bytes, PRINTQ_BATCH);
    if (a < 0)
        return -1;
    int b = retention_batches(compact_step, &rows, PRINTQ_BATCH);
    return b < 0 ? -1 : a + b;
}

int64_t printq_keep_s(long reprint_hours, long retention_days)
{
    int64_t keep = (int64_t)(reprint_hours > 0 ? reprint_hours : 24) * 3600;
    if (retention_days > 0 && (int64_t)retention_days * 86400 < keep)
        keep = (int64_t)retention_days * 86400;
    return keep;
}

int printq_erase_ref(sqlite3 *db, const char *kind, int64_t ref_id, int64_t now)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "UPDATE print_job SET payload = X'',"
                               " bytes_dropped_at = coalesce(bytes_dropped_at, ?3),"
                               " state = CASE state WHEN 'pending' THEN 'cancelled' ELSE state END"
                               " WHERE kind = ?1 AND ref_id = ?2", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, ref_id);
    sqlite3_bind_int64(s, 3, now);
    if (sqlite3_step(s) == SQLITE_DONE)
        rc = 0;
    sqlite3_finalize(s);
    return rc;
}

/* Sets state (and last_error / printed_at) of job id. */
static int job_finish(sqlite3 *db, int64_t id, const char *state, const char *error)
{
    sqlite3_stmt *s = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "UPDATE print_job SET state = ?2, last_error = ?3, "
                               "printed_at = CASE WHEN ?2 = 'done' THEN ?4 ELSE printed_at END "
                               "WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    if (error)
        sqlite3_bind_text(s, 3, error, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, now_s());
    if (sqlite3_step(s) == SQLITE_DONE)
        rc = 0;
    sqlite3_finalize(s);
    return rc;
}

enum printq_result printq_run_job(sqlite3 *db, struct prn_transport *t, int64_t id,
                                  int io_timeout_ms, int max_attempts,
                                  struct prn_status *st, char *msg, size_t msglen)
{
    sqlite3_stmt *s = NULL;
    void *payload = NULL;
    size_t len = 0, sent = 0;
    int attempts = 0, rc;
    enum printq_result res = PRINTQ_EDB;
    char desc[128], why[256];

    memset(st, 0, sizeof *st);
    snprintf(msg, msglen, "database error");
    if (sqlite3_prepare_v2(db, "SELECT payload, attempts FROM print_job "
                               "WHERE id = ? AND state = 'pending'", -1, &s, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        snprintf(msg, msglen, "job %lld is not pending", (long long)id);
        res = PRINTQ_SKIPPED;
        goto out;
    }
    if (rc != SQLITE_ROW)
        goto out;
    len = (size_t)sqlite3_column_bytes(s, 0);
    payload = malloc(len ? len : 1);
    if (!payload)
        goto out;
    if (len)
        memcpy(payload, sqlite3_column_blob(s, 0), len);
    attempts = sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    s = NULL;

    /* 1. status before: a printer that says it cannot print gets nothing */
    rc = prn_status(t, st, io_timeout_ms);
    if (rc == PRN_ENODEV || rc == PRN_EIO) {
        snprintf(msg, msglen, "printer lost before job %lld: %s", (long long)id, prn_strerror(rc));
        res = PRINTQ_RETRY;
        goto out;
    }
    if (rc == 0 && !prn_status_ready(st)) {
        prn_status_describe(st, desc, sizeof desc);
        snprintf(msg, msglen, "%s", desc);
        res = PRINTQ_NOT_READY;
        goto out;
    }
    /* no answer (PRN_ETIMEOUT) or no way back (PRN_ENOSTATUS): print anyway;
     * a printer that cannot take the bytes fails the write below */

    /* 2. committed 'printing' before the first byte */
    if (update_one(db, "UPDATE print_job SET state = 'printing', attempts = attempts + 1 "
                       "WHERE id = ? AND state = 'pending'", id, NULL) != 0) {
        snprintf(msg, msglen, "job %lld is not pending", (long long)id);
        res = PRINTQ_SKIPPED;
        goto out;
    }
    attempts++;

    /* 3. send */
    rc = prn_write(t, payload, len, io_timeout_ms, &sent);
    if (rc) {
        int give_up = attempts >= max_attempts;
        snprintf(why, sizeof why, "attempt %d: sent %zu of %zu bytes: %s%s", attempts, sent,
                 len, prn_strerror(rc), give_up ? " (attempts exhausted)" : "");
        if (job_finish(db, id, give_up ? "failed" : "pending", why) != 0)
            goto out;
        snprintf(msg, msglen, "%s", why);
        res = give_up ? PRINTQ_FAILED : PRINTQ_RETRY;
        goto out;
    }

    /* 4. status after: all bytes are out, so never resend automatically */
    struct prn_status after;
    rc = prn_status(t, &after, io_timeout_ms);
    if (rc == 0 && !prn_status_ready(&after)) {
        *st = after;
        prn_status_describe(&after, desc, sizeof desc);
        snprintf(why, sizeof why, "printer reported %s after the job: the receipt may be "
                                  "incomplete; reprint from the staff console", desc);
        res = job_finish(db, id, "failed", why) == 0 ? PRINTQ_FAILED : PRINTQ_EDB;
        snprintf(msg, msglen, "%s", why);
        goto out;
    }
    if (rc == 0)
        *st = after;
    if (rc == 0 || rc == PRN_ENOSTATUS) {
        why[0] = 0;
    } else {
        snprintf(why, sizeof why, "status after the job unknown: %s", prn_strerror(rc));
    }
    if (job_finish(db, id, "done", why[0] ? why : NULL) != 0)
        goto out;
    snprintf(msg, msglen, "job %lld printed (%zu bytes)%s%s", (long long)id, len,
             why[0] ? "; " : "", why);
    res = PRINTQ_DONE;
out:
    sqlite3_finalize(s);
    free(payload);
    return res;
}

/* ---- the worker ---- */

/* Updates the shared state under the lock; notifies when something shown
 * changed. */
static void publish(struct printq *q, int connected, int ready, const struct prn_status *st,
                    const char *message, const char *detail)
{
    int pending, failed, changed;

    if (printq_counts(q->db, &pending, &failed) != 0)
        pending = failed = 0;
    pthread_mutex_lock(&q->lock);
    struct printq_state *p = &q->state;
    changed = p->connected != connected || p->ready != ready || p->pending != pending ||
              p->failed != failed || strcmp(p->message, message) != 0 ||
              (st && memcmp(&p->status, st, sizeof *st) != 0);
    if (changed) {
        p->connected = connected;
        p->ready = ready;
        if (st)
            p->status = *st;
        else if (!connected)
            memset(&p->status, 0, sizeof p->status); /* nothing known */
        p->pending = pending;
        p->failed = failed;
        snprintf(p->message, sizeof p->message, "%s", message);
        snprintf(p->detail, sizeof p->detail, "%s", detail ? detail : "");
        p->seq++;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    if (changed && q->cfg.notify)
        q->cfg.notify(q->cfg.user);
}

/* Sleeps up to ms unless woken or stopped. Returns 1 when stopping. */
static int nap(struct printq *q, int ms)
{
    struct timespec ts;
    int stop;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->lock);
    while (!q->stop && !q->woken)
        if (pthread_cond_timedwait(&q->cond, &q->lock, &ts) == ETIMEDOUT)
            break;
    q->woken = 0;
    stop = q->stop;
    pthread_mutex_unlock(&q->lock);
    return stop;
}

static int stopping(struct printq *q)
{
    pthread_mutex_lock(&q->lock);
    int s = q->stop;
    pthread_mutex_unlock(&q->lock);
    return s;
}

/* The oldest pending job, after expiring those too old to print (a read
 * first: the worker takes the write lock only when there is one). */
static int64_t next_job(sqlite3 *db, int pending_max_s)
{
    for (;;) {
        sqlite3_stmt *s = NULL;
        int64_t id = 0, created = 0, now = now_s();
        if (sqlite3_prepare_v2(db, "SELECT id, created_at FROM print_job WHERE state = 'pending' "
                                   "ORDER BY id LIMIT 1", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            id = sqlite3_column_int64(s, 0);
            created = sqlite3_column_int64(s, 1);
        }
        sqlite3_finalize(s);
        if (!id || pending_max_s <= 0 || created >= now - pending_max_s)
            return id;
        if (printq_expire(db, now, pending_max_s) <= 0)
            return 0; /* busy: try again at the next round */
    }
}

static void *worker(void *arg)
{
    struct printq *q = arg;
    struct prn_transport *t = NULL;
    struct prn_status st = {0};
    char err[160], msg[256];
    struct timespec last_poll = {0};

    while (!stopping(q)) {
        if (!t) {
            int rc = prn_open(q->uri, &t, err, sizeof err);
            if (rc) {
                t = NULL;
                snprintf(msg, sizeof msg, "not connected: %s", err);
                publish(q, 0, 0, NULL, msg, NULL);
                if (nap(q, q->cfg.rescan_ms))
                    break;
                continue;
            }
            last_poll.tv_sec = 0; /* read the status of a printer just found */
        }
        int64_t id = next_job(q->db, q->cfg.pending_max_s);
        if (id > 0) {
            enum printq_result r = printq_run_job(q->db, t, id, q->cfg.io_timeout_ms,
                                                  q->cfg.max_attempts, &st, msg, sizeof msg);
            if (r == PRINTQ_DONE || r == PRINTQ_FAILED || r == PRINTQ_SKIPPED) {
                int ok = r == PRINTQ_DONE && (!st.answered || prn_status_ready(&st));
                publish(q, 1, ok, &st, ok ? "ready" : msg, t->detail);
                continue;
            }
            if (r == PRINTQ_NOT_READY) {
                publish(q, 1, 0, &st, msg, t->detail);
                if (nap(q, q->cfg.poll_ms))
                    break;
                continue;
            }
            /* PRINTQ_RETRY or a database error: drop the transport, rescan */
            prn_close(t);
            t = NULL;
            publish(q, 0, 0, NULL, msg, NULL);
            if (nap(q, q->cfg.rescan_ms))
                break;
            continue;
        }
        /* idle: read the status now and then, so faults show at once */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long since = (now.tv_sec - last_poll.tv_sec) * 1000L +
                     (now.tv_nsec - last_poll.tv_nsec) / 1000000L;
        if (last_poll.tv_sec == 0 || since >= q->cfg.poll_ms) {
            last_poll = now;
            int rc = prn_status(t, &st, q->cfg.io_timeout_ms);
            if (rc == PRN_ENODEV || rc == PRN_EIO) {
                prn_close(t);
                t = NULL;
                snprintf(msg, sizeof msg, "not connected: %s", prn_strerror(rc));
                publish(q, 0, 0, NULL, msg, NULL);
                continue;
            }
            if (rc == 0) {
                prn_status_describe(&st, msg, sizeof msg);
                publish(q, 1, prn_status_ready(&st), &st, msg, t->detail);
            } else {
                memset(&st, 0, sizeof st);
                snprintf(msg, sizeof msg, "connected, status unknown: %s", prn_strerror(rc));
                publish(q, 1, 1, &st, msg, t->detail);
            }
        }
        if (nap(q, q->cfg.poll_ms))
            break;
    }
    prn_close(t);
    return NULL;
}

int printq_start(const struct printq_config *cfg, struct printq **out, char *err,
                 size_t errlen)
{
    struct printq *q = calloc(1, sizeof *q);
    pthread_condattr_t ca;
    int n = 0;

    *out = NULL;
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    q->cfg = *cfg;
    if (q->cfg.rescan_ms <= 0) q->cfg.rescan_ms = 2000;
    if (q->cfg.poll_ms <= 0) q->cfg.poll_ms = 5000;
    if (q->cfg.io_timeout_ms <= 0) q->cfg.io_timeout_ms = 2000;
    if (q->cfg.max_attempts <= 0) q->cfg.max_attempts = 3;
    q->db_path = strdup(cfg->db_path ? cfg->db_path : "");
    q->uri = strdup(cfg->printer_uri ? cfg->printer_uri : "");
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cond, &ca);
    pthread_cond_init(&q->changed, &ca);
    pthread_condattr_destroy(&ca);
    snprintf(q->state.message, sizeof q->state.message, "starting");
    if (!q->db_path || !q->uri)
        goto nomem;
    if (sqlite3_open_v2(q->db_path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "print queue: cannot open %s: %s", q->db_path,
                 q->db ? sqlite3_errmsg(q->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(q->db, 5000);
    sqlite3_exec(q->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    if (printq_recover(q->db, &n) != 0) {
        snprintf(err, errlen, "print queue: %s (is migration 0002_print applied?)",
                 sqlite3_errmsg(q->db));
        goto fail;
    }
    if (pthread_create(&q->thread, NULL, worker, q) != 0) {
        snprintf(err, errlen, "print queue: cannot start the worker thread");
        goto fail;
    }
    *out = q;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
fail:
    sqlite3_close(q->db);
    pthread_cond_destroy(&q->cond);
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->lock);
    free(q->db_path);
    free(q->uri);
    free(q);
    return -1;
}

void printq_wake(struct printq *q)
{
    pthread_mutex_lock(&q->lock);
    q->woken = 1;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void printq_get_state(struct printq *q, struct printq_state *out)
{
    pthread_mutex_lock(&q->lock);
    *out = q->state;
    pthread_mutex_unlock(&q->lock);
}

int printq_wait(struct printq *q, unsigned long seq, int timeout_ms)
{
    struct timespec ts;
    int rc = 0;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->lock);
    while (q->state.seq <= seq && rc == 0)
        if (pthread_cond_timedwait(&q->changed, &q->lock, &ts) == ETIMEDOUT)
            rc = -1;
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void printq_stop(struct printq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    sqlite3_close(q->db);
    pthread_cond_destroy(&q->cond);
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->lock);
    free(q->db_path);
    free(q->uri);
    free(q);
}
