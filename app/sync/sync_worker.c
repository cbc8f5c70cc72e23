/* sync_worker.c - the sync thread (sync_worker.h). One round at a time, so
 * at most one batch is ever in flight; between rounds a condition variable
 * lets sync_worker_wake and sync_worker_stop cut the sleep short. The
 * condition variable waits on CLOCK_MONOTONIC: a kiosk without an RTC battery
 * steps its wall clock at boot, and a wait on CLOCK_REALTIME would sleep
 * through the step (or not at all). */
#include "sync_worker.h"
#include "sync.h"
#include "sync_health.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_BASE 1.0   /* seconds, first retry window */
#define BACKOFF_CAP 300.0  /* seconds, longest window */

struct sync_worker {
    struct sync_worker_opts o;
    char *path;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;              /* set by sync_worker_stop */
    int woken;             /* a wake arrived since the last round */
    struct sync_health_state health; /* what head office last heard (worker thread) */
};

/* Sleeps up to secs, or until woken or stopped. Returns 1 when stopping. */
static int nap(struct sync_worker *w, double secs)
{
    struct timespec until;
    int stop;
    clock_gettime(CLOCK_MONOTONIC, &until); /* the clock of w->cv */
    until.tv_sec += (time_t)secs;
    until.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stop && !w->woken)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
            break;
    w->woken = 0;
    stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void *run(void *arg)
{
    struct sync_worker *w = arg;
    sqlite3 *db = NULL;
    char err[512];
    int failures = 0;

    if (sqlite3_open_v2(w->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "sync: cannot open %s: %s\n", w->path, db ? sqlite3_errmsg(db) : "");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    for (;;) {
        struct sync_result res;
        double wait = w->o.interval > 0 ? w->o.interval : 15;
        int rc = sync_health_round(&w->health, db, w->path, w->o.printer, w->o.printer_ctx,
                                   &res, err, sizeof err);
        if (wait > SYNC_HEALTH_EVERY)
            wait = SYNC_HEALTH_EVERY;
        if (rc == SYNC_OK) {
            failures = 0;
            if ((res.pulled || res.pushed) && w->o.on_change)
                w->o.on_change(w->o.ctx);
        } else if (rc != SYNC_E_NOT_ENROLLED) {
            failures++;
            wait = sync_backoff(failures, BACKOFF_BASE, BACKOFF_CAP, res.retry_after);
            if (failures == 1 || failures % 10 == 0) /* log once, then now and then */
                fprintf(stderr, "sync: %s (retry in %.1f s)\n", err, wait);
            if (w->o.on_change)
                w->o.on_change(w->o.ctx); /* the console shows the sync health */
        }
        if (nap(w, wait))
            break;
    }
    sqlite3_close(db);
    return NULL;
}

int sync_worker_start(const struct sync_worker_opts *o, struct sync_worker **out)
{
    struct sync_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w || !(w->path = strdup(o->db_path))) {
        free(w);
        return -1;
    }
    w->o = *o;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        free(w->path);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

void sync_worker_wake(struct sync_worker *w)
{
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void sync_worker_stop(struct sync_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->path);
    free(w);
}
