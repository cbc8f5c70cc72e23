/* bench_core.c - what a ticket costs. Measures, in one run and interleaved
 * so that disk and machine noise hit all sides alike:
 *   core:     queue_take through core (number, ticket, outbox row by trigger,
 *             one IMMEDIATE transaction, WAL + synchronous=FULL, and the
 *             people-ahead and estimate the screen shows with it);
 *   raw:      a prepared INSERT of a ticket-sized row in its own transaction,
 *             same file settings (the floor any design with this durability
 *             pays: one fsync'd WAL commit);
 *   no-outbox: core with the outbox trigger dropped (the capture's cost).
 * Prints per-side throughput and p50/p99 latency, and the ratios.
 * usage: bench_core [TICKETS_PER_SIDE] [DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bday.h"
#include "config.h"
#include "queue.h"
#include "store.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct side {
    const char *name;
    double *lat; /* microseconds per operation */
    int n;
    double total;
};

static void report(struct side *s)
{
    qsort(s->lat, s->n, sizeof *s->lat, cmp_d);
    printf("  %-10s %8.0f tickets/s   p50 %7.1f us   p99 %7.1f us\n", s->name,
           s->n / (s->total / 1e6), s->lat[s->n / 2], s->lat[s->n * 99 / 100]);
}

static struct fd_store *open_branch(const char *path)
{
    struct fd_store *st;
    char err[300];
    unlink(path);
    if (store_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    cfg_set(st, "timezone", "UTC", NULL);
    struct queue_service v = {.code = "A", .name_zh = "综合", .name_en = "General",
                              .active = 1, .open_min = 0, .close_min = 1440};
    queue_service_add(st, &v, NULL);
    queue_counter_add(st, 1, "一号", "A", NULL);
    return st;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char pcore[256], praw[256], pnoob[256];
    if (n < 100 || n > 1000000)
        n = 2000;
    snprintf(pcore, sizeof pcore, "%s/bench_core.db", dir);
    snprintf(praw, sizeof praw, "%s/bench_raw.db", dir);
    snprintf(pnoob, sizeof pnoob, "%s/bench_noout.db", dir);
    bday_set_zone("UTC", NULL);

    struct fd_store *core = open_branch(pcore), *noout = open_branch(pnoob);
    struct fd_store *raw = open_branch(praw);
    sqlite3_exec(store_db(noout), "DROP TRIGGER ticket_ins", NULL, NULL, NULL);
    sqlite3_exec(store_db(raw),
                 "CREATE TABLE raw_ticket(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " bday TEXT, service_id INTEGER, number INTEGER, label TEXT,"
                 " priority INTEGER, state TEXT, issued_at INTEGER)",
                 NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(store_db(raw),
                       "INSERT INTO raw_ticket(bday, service_id, number, label, priority,"
                       " state, issued_at) VALUES ('2026-11-23', 1, ?1, ?2, 0, 'waiting', ?3)",
                       -1, &ins, NULL);

    struct side sides[3] = {{"core", NULL, 0, 0}, {"raw", NULL, 0, 0},
                            {"no-outbox", NULL, 0, 0}};
    for (int i = 0; i < 3; i++)
        sides[i].lat = malloc(n * sizeof(double));
    int64_t t0 = 1795428000;
    /* Blocks of 50 per side in turn. Each core call is also its own
     * transaction; the business day never turns over (9999-number cap:
     * keep n below it per side). */
    if (n > 9000)
        n = 9000;
    for (int done = 0; done < n; done += 50) {
        for (int k = 0; k < 50 && done + k < n; k++) {
            struct queue_ticket t;
            double a = now_us();
            if (queue_take(core, "A", 0, t0 + done + k, &t, NULL))
                return 1;
            double b = now_us();
            sides[0].lat[sides[0].n++] = b - a, sides[0].total += b - a;
        }
        for (int k = 0; k < 50 && done + k < n; k++) {
            char label[8];
            snprintf(label, sizeof label, "A%03d", (done + k + 1) % 10000);
            double a = now_us();
            sqlite3_exec(store_db(raw), "BEGIN IMMEDIATE", NULL, NULL, NULL);
            sqlite3_bind_int(ins, 1, done + k + 1);
            sqlite3_bind_text(ins, 2, label, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 3, t0 + done + k);
            if (sqlite3_step(ins) != SQLITE_DONE)
                return 1;
            sqlite3_reset(ins);
            sqlite3_exec(store_db(raw), "COMMIT", NULL, NULL, NULL);
            double b = now_us();
            sides[1].lat[sides[1].n++] = b - a, sides[1].total += b - a;
        }
        for (int k = 0; k < 50 && done + k < n; k++) {
            struct queue_ticket t;
            double a = now_us();
            if (queue_take(noout, "A", 0, t0 + done + k, &t, NULL))
                return 1;
            double b = now_us();
            sides[2].lat[sides[2].n++] = b - a, sides[2].total += b - a;
        }
        /* Serve the block (untimed) so the queue stays at a lobby's length
         * (about 50 waiting) instead of growing all run long. */
        for (int k = 0; k < 50 && done >= 50; k++) {
            struct queue_ticket t;
            queue_call_next(core, 1, "bench", t0 + done + k, &t, NULL);
            queue_call_next(noout, 1, "bench", t0 + done + k, &t, NULL);
        }
    }
    sqlite3_finalize(ins);
    printf("ticket issue, %d per side, WAL + synchronous=FULL, one transaction each (%s)\n",
           n, dir);
    double mean[3], p50[3];
    for (int i = 0; i < 3; i++) {
        mean[i] = sides[i].total / sides[i].n;
        report(&sides[i]); /* sorts */
        p50[i] = sides[i].lat[sides[i].n / 2];
    }
    /* The median is the figure to read on a busy machine: a few fsync
     * stalls of other processes move the mean of either side. */
    printf("  ratio core / raw insert:          %.2fx at the median, %.2fx in the mean\n",
           p50[0] / p50[1], mean[0] / mean[1]);
    printf("  ratio core / core without outbox: %.2fx at the median, %.2fx in the mean"
           " (the outbox capture)\n", p50[0] / p50[2], mean[0] / mean[2]);
    store_close(core);
    store_close(noout);
    store_close(raw);
    for (int i = 0; i < 3; i++)
        free(sides[i].lat);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s%s", pcore, suffix[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", praw, suffix[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", pnoob, suffix[i]);
        unlink(p);
    }
    return 0;
}
