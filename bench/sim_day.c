/* sim_day.c - how good is the wait estimate? Simulates a branch day through
 * core itself: visitors arrive at random (a morning and an afternoon peak)
 * for services A, B and C, four counters call the next ticket as soon as
 * they are free, service times are random around a per-service mean. For
 * every ticket the estimate shown at issue is compared with the wait that
 * really followed (called_at - issued_at).
 * usage: sim_day [SEED] [DIR]   (prints the figures the README quotes) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bday.h"
#include "config.h"
#include "queue.h"
#include "store.h"

#define MAXT 4000

static double urand(void) { return (rand() + 1.0) / ((double)RAND_MAX + 2.0); }
static double expo(double mean) { return -mean * log(urand()); }

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    char path[256], err[300];
    struct fd_store *st;
    snprintf(path, sizeof path, "%s/sim_day.db", argc > 2 ? argv[2] : "/tmp");
    unlink(path);
    if (store_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    srand(seed);
    cfg_set(st, "timezone", "UTC", NULL);
    bday_set_zone("UTC", NULL);
    const char *codes[3] = {"A", "B", "C"};
    const double mean_service[3] = {240, 480, 150}; /* seconds */
    const double share[3] = {0.55, 0.2, 0.25};
    for (int i = 0; i < 3; i++) {
        struct queue_service v = {.active = 1, .open_min = 0, .close_min = 1440};
        snprintf(v.code, sizeof v.code, "%s", codes[i]);
        snprintf(v.name_zh, sizeof v.name_zh, "服务%s", codes[i]);
        snprintf(v.name_en, sizeof v.name_en, "Service %s", codes[i]);
        queue_service_add(st, &v, NULL);
    }
    queue_counter_add(st, 1, "1", "A,B", NULL);
    queue_counter_add(st, 2, "2", "A,C", NULL);
    queue_counter_add(st, 3, "3", "B,C", NULL);
    queue_counter_add(st, 4, "4", "A", NULL);

    static int64_t est[MAXT + 1], issued[MAXT + 1];
    int64_t busy_until[5] = {0};
    const int64_t open = 1795424400; /* 09:00 UTC */
    const int64_t close = open + 8 * 3600;
    int64_t next_arrival = open;
    int ntickets = 0;
    /* One-second steps: arrivals, then free counters call the next ticket. */
    for (int64_t t = open; t < close + 4 * 3600; t++) {
        while (t >= next_arrival && next_arrival < close && ntickets < MAXT) {
            double r = urand(), acc = 0;
            int svc = 2;
            for (int i = 0; i < 3; i++)
                if (r < (acc += share[i])) {
                    svc = i;
                    break;
                }
            struct queue_ticket k;
            if (queue_take(st, codes[svc], 0, t, &k, NULL) == 0 && k.id <= MAXT) {
                est[k.id] = k.est_wait_s;
                issued[k.id] = t;
                ntickets++;
            }
            /* peaks at 10:00 and 15:00: one visitor every 45 s, else 110 s */
            int64_t hour = (t - open) / 3600;
            next_arrival += (int64_t)expo(hour == 1 || hour == 6 ? 45 : 110) + 1;
        }
        for (int c = 1; c <= 4; c++) {
            if (t < busy_until[c])
                continue;
            struct queue_ticket k;
            int rc = queue_call_next(st, c, "sim", t, &k, NULL);
            if (rc == 0) {
                queue_serve(st, c, "sim", t + 20, &k, NULL);
                int svc = k.service[0] - 'A';
                busy_until[c] = t + 20 + (int64_t)expo(mean_service[svc]);
            } else {
                busy_until[c] = t + 1;
            }
        }
    }
    /* Compare: estimate at issue vs the wait that followed. */
    static double abs_err[MAXT], actual_w[MAXT];
    int n = 0, within5 = 0;
    double sum_err = 0, sum_abs = 0, sum_actual = 0;
    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(st), "SELECT id, called_at - issued_at FROM ticket"
                                     " WHERE called_at IS NOT NULL", -1, &s, NULL);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        double wait = sqlite3_column_double(s, 1);
        if (id > MAXT || !issued[id])
            continue;
        double e = (double)est[id] - wait;
        sum_err += e;
        sum_abs += fabs(e);
        sum_actual += wait;
        abs_err[n] = fabs(e);
        actual_w[n] = wait;
        within5 += fabs(e) <= 300;
        n++;
    }
    sqlite3_finalize(s);
    qsort(abs_err, n, sizeof *abs_err, cmp_d);
    qsort(actual_w, n, sizeof *actual_w, cmp_d);
    printf("simulated day (seed %u): %d tickets, 4 counters, 3 services\n", seed, n);
    printf("  actual wait: mean %.1f min, median %.1f min, p90 %.1f min\n",
           sum_actual / n / 60, actual_w[n / 2] / 60, actual_w[n * 9 / 10] / 60);
    printf("  estimate error: mean absolute %.1f min, median absolute %.1f min,"
           " p90 absolute %.1f min, bias %+.1f min\n",
           sum_abs / n / 60, abs_err[n / 2] / 60, abs_err[n * 9 / 10] / 60,
           sum_err / n / 60);
    printf("  within 5 minutes of the real wait: %.0f%% of tickets\n", 100.0 * within5 / n);
    store_close(st);
    unlink(path);
    return 0;
}
