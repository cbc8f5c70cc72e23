/* kiosk_sweep.c - the housekeeping worker (kiosk_sweep.h). It used to be a
 * UI timer that ran every step on the UI thread's connection, the erasure in
 * one long write transaction: 24 s on a kiosk with 5,000 old visitors, with
 * the screen frozen and the print worker timing out. Now the steps are
 * batched (core and printq own them) and this thread, with its own
 * connection, runs them. It sleeps on a condition variable with the
 * monotonic clock, so a clock stepped at boot does not stretch a wait. */
#include "kiosk_sweep.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bday.h"
#include "config.h"
#include "invite.h"
#include "printq.h"
#include "queue.h"
#include "retention.h"
#include "visitor.h"

struct ksweep {
    char *db_path;              /* owned copy */
    void (*notify)(void *);     /* wake the UI, on this thread */
    void *user;
    pthread_t thread;
    pthread_mutex_t lock;       /* guards stop and woken */
    pthread_cond_t cond;
    int stop, woken;
};

/* visitor_erase_old's hook: the visitor's receipts go with their data. */
static int erase_jobs(void *ctx, sqlite3 *db, int64_t visitor_id)
{
    return printq_erase_ref(db, "visitor", visitor_id, *(const int64_t *)ctx) ? -1 : 0;
}

/* Keeps the first failure in *first. */
static int keep(int rc, struct fd_err *err, struct fd_err *e, int *first)
{
    if (rc < 0 && *first == 0) {
        *first = rc;
        if (err)
            *err = *e;
    }
    return rc < 0 ? 0 : rc;
}

int ksweep_once(struct fd_store *st, int64_t now, const char *actor,
                struct ksweep_counts *c, struct fd_err *err)
{
    struct ksweep_counts n = {0};
    struct fd_err e = {0};
    sqlite3 *db = store_db(st);
    int first = 0, rc;
    n.tickets_closed = keep(queue_expire(st, actor, now, &e), err, &e, &first);
    n.visitors_signed_out = keep(visitor_sign_out_at_closing(st, now, &e), err, &e, &first);
    n.visitors_erased = keep(visitor_erase_old(st, now, erase_jobs, &now, &e), err, &e, &first);
    keep(invite_erase_old(st, now, &e), err, &e, &first); /* past days' invitations */
    keep(retention_prune_alerts(st, now, &e), err, &e, &first); /* acknowledged deny alerts */
    n.outbox_dropped = keep(retention_trim_outbox(st, now, &e), err, &e, &first);
    rc = retention_prune_copies(st, now);
    if (rc < 0)
        fd_fail(&e, FD_EDB, "", "removing old restore/migration copies of the store");
    n.copies_removed = keep(rc, err, &e, &first);
    rc = printq_expire(db, now, (int)cfg_get_int(st, "print_pending_max_s"));
    if (rc < 0)
        fd_fail(&e, FD_EDB, "", "expiring print jobs: %s", sqlite3_errmsg(db));
    n.jobs_expired = keep(rc < 0 ? FD_EDB : rc, err, &e, &first);
    rc = printq_compact(db, now, printq_keep_s(cfg_get_int(st, "print_reprint_hours"),
                                               cfg_get_int(st, "visitor_retention_days")));
    if (rc < 0)
        fd_fail(&e, FD_EDB, "", "dropping old receipts: %s", sqlite3_errmsg(db));
    n.jobs_compacted = keep(rc < 0 ? FD_EDB : rc, err, &e, &first);
    if (c)
        *c = n;
    return first;
}

/* Sleeps up to ms unless woken or stopped; returns 1 when stopping. */
static int nap(struct ksweep *k, int ms)
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
    pthread_mutex_lock(&k->lock);
    while (!k->stop && !k->woken)
        if (pthread_cond_timedwait(&k->cond, &k->lock, &ts) == ETIMEDOUT)
            break;
    k->woken = 0;
    stop = k->stop;
    pthread_mutex_unlock(&k->lock);
    return stop;
}

static int stopping(struct ksweep *k)
{
    pthread_mutex_lock(&k->lock);
    int stop = k->stop;
    pthread_mutex_unlock(&k->lock);
    return stop;
}

/* SQLite's progress handler: once stopping, every statement of this
 * connection is interrupted (its batch rolls back), so a long first round
 * after an upgrade does not hold the kiosk's exit. */
static int interrupt_when_stopping(void *arg)
{
    return stopping(arg);
}

static void *worker(void *arg)
{
    struct ksweep *k = arg;
    struct fd_store *st = NULL;
    char err[300];
    if (store_open(k->db_path, &st, err, sizeof err)) {
        fprintf(stderr, "frontdesk: housekeeping is off: %s\n", err);
        return NULL;
    }
    sqlite3_progress_handler(store_db(st), 1000, interrupt_when_stopping, k);
    do {
        struct ksweep_counts c;
        struct fd_err e = {0};
        if (ksweep_once(st, bday_now(), "kiosk", &c, &e) && !stopping(k))
            fprintf(stderr, "frontdesk: housekeeping: %s\n", e.msg); /* next round retries */
        if ((c.tickets_closed || c.visitors_signed_out || c.visitors_erased ||
             c.jobs_expired) && k->notify)
            k->notify(k->user);
    } while (!nap(k, KSWEEP_EVERY_MS));
    store_close(st);
    return NULL;
}

struct ksweep *ksweep_start(const char *db_path, void (*notify)(void *), void *user)
{
    struct ksweep *k = calloc(1, sizeof *k);
    pthread_condattr_t ca;
    if (!k || !(k->db_path = strdup(db_path))) {
        free(k);
        fprintf(stderr, "frontdesk: housekeeping: out of memory\n");
        return NULL;
    }
    k->notify = notify, k->user = user;
    pthread_mutex_init(&k->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&k->thread, NULL, worker, k) != 0) {
        fprintf(stderr, "frontdesk: housekeeping: cannot start its thread\n");
        pthread_cond_destroy(&k->cond);
        pthread_mutex_destroy(&k->lock);
        free(k->db_path);
        free(k);
        return NULL;
    }
    return k;
}

void ksweep_wake(struct ksweep *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->woken = 1;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
}

void ksweep_stop(struct ksweep *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->stop = 1;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cond);
    pthread_mutex_destroy(&k->lock);
    free(k->db_path);
    free(k);
}
