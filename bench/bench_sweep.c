/* bench_sweep.c - the housekeeping sweep on a year of a busy branch
 * (issue 15), and what the UI feels while it runs. Builds a standalone
 * kiosk's store of DAYS days of a busy branch (year_store.c: 500 tickets,
 * 50 visitors, 5 complaints a day, every receipt in print_job). Then, with a "UI" thread doing a short write (BEGIN
 * IMMEDIATE, one audit row, COMMIT, synchronous=FULL, on its own
 * connection) every 5 ms and timing each, it measures:
 *   baseline: the UI's writes with nothing else running;
 *   before:   the sweep as it was (one UPDATE comparing every old visitor
 *             with every outbox row through json_extract, one transaction),
 *             stopped after CAP seconds if it has not finished;
 *   after:    the kiosk's housekeeping now: the first round on the year,
 *             step by step as app/kiosk/kiosk_sweep.c runs them (erase,
 *             outbox bound, receipts), then a steady-state round through
 *             ksweep_once itself (compiled in).
 * Prints each sweep's time, as a ratio to the baseline write, and the UI's
 * longest wait for a write (the 'longest frame' proxy) against the
 * baseline's. Never fails on time.
 * With KEEP given (any word), the store is left in DIR/bench_sweep.db after
 * the rounds, as a kiosk's year after housekeeping (bench/bench_idle.sh runs
 * the kiosk on it).
 * usage: bench_sweep [DAYS=365] [DIR=/tmp] [CAP_S=60] [KEEP] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bday.h"
#include "config.h"
#include "kiosk_sweep.h"
#include "printq.h"
#include "retention.h"
#include "store.h"
#include "visitor.h"
#include "year_store.h"

#define DAY 86400LL

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long long one(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = year_prep(db, sql);
    long long v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
}

/* A receipt-sized payload that names the record (the visitor's name on a
 * badge), the rest filler. */
/* ---- the UI proxy: a short write every 5 ms, each timed ---- */

struct ui {
    const char *path;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    double max_ms, sum_ms;  /* of the writes since the last ui_take */
    long n, failed, total; /* total: writes since the start */
};

static void *ui_loop(void *arg)
{
    struct ui *u = arg;
    struct fd_store *st;
    char err[300];
    if (store_open(u->path, &st, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: ui: %s\n", err);
        return NULL;
    }
    sqlite3 *db = store_db(st);
    sqlite3_busy_timeout(db, 600000); /* measure the wait, do not give up */
    for (;;) {
        pthread_mutex_lock(&u->lock);
        int stop = u->stop;
        pthread_mutex_unlock(&u->lock);
        if (stop)
            break;
        double t0 = now_ms();
        int ok = sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO audit(at, actor, action)"
                                  " VALUES (unixepoch(), 'ui', 'tap'); COMMIT",
                              NULL, NULL, NULL) == SQLITE_OK;
        if (!ok)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        double ms = now_ms() - t0;
        pthread_mutex_lock(&u->lock);
        if (ms > u->max_ms)
            u->max_ms = ms;
        u->sum_ms += ms;
        u->n++;
        u->failed += !ok;
        u->total++;
        pthread_mutex_unlock(&u->lock);
        usleep(5000);
    }
    store_close(st);
    return NULL;
}

/* Returns the figures since the last call and starts counting afresh. */
static void ui_take(struct ui *u, double *max_ms, double *mean_ms, long *n)
{
    pthread_mutex_lock(&u->lock);
    *max_ms = u->max_ms;
    *mean_ms = u->n ? u->sum_ms / u->n : 0;
    *n = u->n;
    u->max_ms = u->sum_ms = 0;
    u->n = 0;
    pthread_mutex_unlock(&u->lock);
}

/* visitor_erase_old's hook, as in kiosk_sweep.c */
static int erase_jobs(void *ctx, sqlite3 *db, int64_t visitor_id)
{
    return printq_erase_ref(db, "visitor", visitor_id, *(const int64_t *)ctx) ? -1 : 0;
}

/* ---- the sweep as it was ---- */

static double cap_deadline;

static int stop_old(void *p)
{
    (void)p;
    return now_ms() > cap_deadline;
}

/* The erase step of the sweep before this change, as it ran: one UPDATE,
 * one transaction. Returns its time in ms; *finished 0 when stopped. */
static double old_sweep(sqlite3 *db, const char *cutoff, int64_t now, int cap_s, int *finished)
{
    sqlite3_stmt *s = year_prep(db,
        "UPDATE visitor SET name = '', phone = '', company = '', purpose = '',"
        " erased_at = ?2 WHERE erased_at IS NULL AND signed_out_at IS NOT NULL"
        " AND bday < ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.type = 'visitor'"
        " AND json_extract(o.record, '$.id') = visitor.id)");
    sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    double t0 = now_ms();
    cap_deadline = t0 + cap_s * 1000.0;
    sqlite3_progress_handler(db, 10000, stop_old, NULL);
    year_exec(db, "BEGIN IMMEDIATE");
    int rc = sqlite3_step(s);
    *finished = rc == SQLITE_DONE;
    sqlite3_finalize(s);
    /* leave the store as it was for the 'after' sweep (an interrupted
     * statement may have rolled the transaction back already) */
    if (!sqlite3_get_autocommit(db))
        year_exec(db, "ROLLBACK");
    sqlite3_progress_handler(db, 0, NULL, NULL);
    return now_ms() - t0;
}

int main(int argc, char **argv)
{
    int days = argc > 1 ? atoi(argv[1]) : 365;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    int cap_s = argc > 3 ? atoi(argv[3]) : 60;
    int keep = argc > 4;
    char path[512], err[300], cutoff[11];
    if (days < 100 || days > 3650 || cap_s < 1) {
        fprintf(stderr, "usage: bench_sweep [DAYS 100..3650] [DIR] [CAP_S]\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/bench_sweep.db", dir);
    unlink(path);
    struct fd_store *st;
    if (store_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        return 1;
    }
    sqlite3 *db = store_db(st);
    cfg_set(st, "timezone", "UTC", NULL);
    bday_set_zone("UTC", NULL);
    int64_t now = time(NULL);
    int64_t start = now / DAY * DAY - (int64_t)days * DAY;
    double t0 = now_ms();
    year_build(db, days, start);
    long long pages = one(db, "PRAGMA page_count"), psize = one(db, "PRAGMA page_size");
    printf("store: %d days of a busy branch built in %.1f s: %.0f MB, %lld tickets,"
           " %lld visitors, %lld complaints, %lld outbox rows, %lld print jobs (%.0f MB of bytes)\n",
           days, (now_ms() - t0) / 1e3, pages * psize / 1e6, one(db, "SELECT count(*) FROM ticket"),
           one(db, "SELECT count(*) FROM visitor"), one(db, "SELECT count(*) FROM complaint"),
           one(db, "SELECT count(*) FROM outbox"), one(db, "SELECT count(*) FROM print_job"),
           one(db, "SELECT sum(length(payload)) FROM print_job") / 1e6);
    printf("settings: visitor_retention_days 90, outbox_standalone_days 31,"
           " print_reprint_hours 24; the kiosk is not enrolled\n");

    struct ui u = {.path = path};
    pthread_mutex_init(&u.lock, NULL);
    pthread_create(&u.thread, NULL, ui_loop, &u);
    /* the UI's connection first opens (and checks) the store */
    for (long done = 0; done < 10; usleep(10000)) {
        pthread_mutex_lock(&u.lock);
        done = u.total;
        pthread_mutex_unlock(&u.lock);
    }
    struct fig { double ms, max, mean; long n; } base, old, step[3], steady;
    ui_take(&u, &base.max, &base.mean, &base.n);
    sleep(3);
    ui_take(&u, &base.max, &base.mean, &base.n);

    /* before */
    char today[11];
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    bday_add(today, -90, cutoff);
    int finished;
    old.ms = old_sweep(db, cutoff, now, cap_s, &finished);
    usleep(100000);
    ui_take(&u, &old.max, &old.mean, &old.n);

    /* after: the first round over the year, step by step */
    struct fd_err e = {0};
    static const char *const names[3] = {"erase visitors", "bound the outbox", "receipts"};
    long counts[3];
    for (int i = 0; i < 3; i++) {
        t0 = now_ms();
        if (i == 0)
            counts[i] = visitor_erase_old(st, now, erase_jobs, &now, &e);
        else if (i == 1)
            counts[i] = retention_trim_outbox(st, now, &e);
        else
            counts[i] = printq_expire(db, now, 300) +
                        printq_compact(db, now, printq_keep_s(24, 90));
        step[i].ms = now_ms() - t0;
        if (counts[i] < 0)
            fprintf(stderr, "bench_sweep: %s failed: %s\n", names[i], e.msg);
        usleep(100000);
        ui_take(&u, &step[i].max, &step[i].mean, &step[i].n);
    }
    struct ksweep_counts c2;
    t0 = now_ms();
    ksweep_once(st, now + 60, "bench", &c2, &e);
    steady.ms = now_ms() - t0;
    usleep(100000);
    ui_take(&u, &steady.max, &steady.mean, &steady.n);
    pthread_mutex_lock(&u.lock);
    u.stop = 1;
    pthread_mutex_unlock(&u.lock);
    pthread_join(u.thread, NULL);

    printf("baseline  the UI's short write alone: mean %.2f ms, longest %.1f ms (%ld writes)\n",
           base.mean, base.max, base.n);
    printf("before    erase, one transaction: %s%.1f s = %.0f x baseline write; the UI's longest"
           " wait %.1f s = %.0f x baseline longest (%ld writes)%s\n",
           finished ? "" : ">", old.ms / 1e3, old.ms / base.mean, old.max / 1e3,
           old.max / base.max, old.n, finished ? "" : "  [stopped at the cap]");
    double total = 0, worst = 0;
    for (int i = 0; i < 3; i++) {
        printf("after     %-17s %7.1f s = %6.0f x baseline write (%ld rows); the UI's longest"
               " wait %6.1f ms = %4.1f x baseline longest, mean %.2f ms (%ld writes)\n",
               names[i], step[i].ms / 1e3, step[i].ms / base.mean, counts[i], step[i].max,
               step[i].max / base.max, step[i].mean, step[i].n);
        total += step[i].ms;
        worst = step[i].max > worst ? step[i].max : worst;
    }
    printf("after     steady round a minute later: %.1f ms = %.1f x baseline write; the UI's"
           " longest wait %.1f ms = %.1f x baseline longest\n",
           steady.ms, steady.ms / base.mean, steady.max, steady.max / base.max);
    printf("ratio     erase before/after: %s%.0f x; the UI's longest wait before / during the whole"
           " first round after: %s%.0f x (first round %.1f s in all, on the worker thread)\n",
           finished ? "" : ">", old.ms / step[0].ms, finished ? "" : ">", old.max / worst,
           total / 1e3);
    pages = one(db, "PRAGMA page_count");
    long long freep = one(db, "PRAGMA freelist_count");
    printf("store after: %.0f MB in use (%.0f MB free pages, reused before the file grows),"
           " %lld outbox rows, %.1f MB of receipt bytes\n", (pages - freep) * psize / 1e6,
           freep * psize / 1e6, one(db, "SELECT count(*) FROM outbox"),
           one(db, "SELECT coalesce(sum(length(payload)), 0) FROM print_job") / 1e6);
    store_close(st);
    if (keep) {
        struct stat sb;
        if (stat(path, &sb) == 0)
            printf("kept: %s, %.0f MB on disk\n", path, sb.st_size / 1e6);
        return 0;
    }
    unlink(path);
    char side[600];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return 0;
}
