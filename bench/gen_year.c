/* gen_year.c - builds a kiosk's store holding DAYS days of a busy branch
 * (issue 18): year_store.c's history through the real schema (500 tickets,
 * 50 visitors, 5 complaints a day, each receipt in print_job), then the
 * kiosk's housekeeping round (ksweep_once, as the kiosk runs it at start and
 * every minute), so the store is what a standalone kiosk holds after DAYS
 * days: the benches run the kiosk and frontdesk-ctl on it beside a fresh
 * store, and tests/core's aged-store test on a smaller one.
 * Prints how long each part took and what the store holds.
 * usage: gen_year DAYS PATH   (DAYS 1..3650; PATH is replaced) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bday.h"
#include "config.h"
#include "kiosk_sweep.h"
#include "queue.h"
#include "store.h"
#include "year_store.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long long one(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

int main(int argc, char **argv)
{
    int days = argc == 3 ? atoi(argv[1]) : 0;
    if (days < 1 || days > 3650) {
        fprintf(stderr, "usage: gen_year DAYS(1..3650) PATH\n");
        return 2;
    }
    const char *path = argv[2];
    char side[4200], err[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    struct fd_store *st;
    if (store_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "gen_year: %s\n", err);
        return 1;
    }
    sqlite3 *db = store_db(st);
    struct fd_err e = {0};
    if (cfg_set(st, "timezone", "UTC", &e) || bday_set_zone("UTC", &e)) {
        fprintf(stderr, "gen_year: %s\n", e.msg);
        return 1;
    }
    int64_t now = time(NULL);
    /* The history ends the business day before today's (which turns at
     * 04:00, not at midnight): built up to the UTC date, a run between
     * 00:00 and 04:00 UTC filled today's business day with tickets its
     * number sequence did not know, and the next ticket taken collided. */
    char today[11];
    struct tm tm = {0};
    queue_bday(st, now, today);
    if (!strptime(today, "%Y-%m-%d", &tm)) {
        fprintf(stderr, "gen_year: no business day for now\n");
        return 1;
    }
    int64_t start = (int64_t)timegm(&tm) - (int64_t)days * 86400;
    double t0 = now_ms();
    year_build(db, days, start);
    double built = now_ms() - t0;
    long long tickets = one(db, "SELECT count(*) FROM ticket");
    long long outbox = one(db, "SELECT count(*) FROM outbox");
    /* The first round drops most of the year (a running kiosk would have
     * dropped it a minute at a time): without fsyncs here, as while building;
     * the store is made durable at the end. */
    sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
    t0 = now_ms();
    struct ksweep_counts c;
    if (ksweep_once(st, now, "gen_year", &c, &e) < 0) {
        fprintf(stderr, "gen_year: housekeeping: %s\n", e.msg);
        return 1;
    }
    double swept = now_ms() - t0;
    sqlite3_exec(db, "PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE)",
                 NULL, NULL, NULL);
    long long pages = one(db, "PRAGMA page_count"), psize = one(db, "PRAGMA page_size");
    long long freep = one(db, "PRAGMA freelist_count");
    printf("gen_year: %d days built in %.1f s (%lld tickets, %lld outbox rows), housekeeping"
           " %.1f s (visitors erased %d, outbox rows dropped %d, receipts compacted %d):"
           " %s %.0f MB, %.0f MB in use\n",
           days, built / 1e3, tickets, outbox, swept / 1e3, c.visitors_erased,
           c.outbox_dropped, c.jobs_compacted, path, pages * psize / 1e6,
           (pages - freep) * psize / 1e6);
    store_close(st);
    return 0;
}
