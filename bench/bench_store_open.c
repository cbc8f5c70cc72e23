/* bench_store_open.c - what opening the store costs on a big store (issue 18:
 * "every open checks the whole file"). Builds a store of about MB megabytes
 * through the real schema (a year of a busy branch: tickets and their outbox
 * rows by trigger, visitors, print jobs with receipt bytes), then measures,
 * interleaved in one run so that noise hits every side alike:
 *   bare:        sqlite3_open_v2 + one-row query (meta epoch) + close: the floor;
 *   store first: store_open + store_close as the only user (a frontdesk-ctl
 *                command while the kiosk is stopped: marks the session, synced);
 *   store other: store_open + store_close while another connection holds the
 *                store (a frontdesk-ctl command while the kiosk runs);
 *   checked:     store_open after a session that never closed (the one open
 *                that reads the whole file now, as every open did before);
 *   old:         what every open did before: bare + PRAGMA quick_check.
 * Prints the median of each and its ratio to bare, on a fresh store (1 MB)
 * and on a big one side by side. The file is in the page
 * cache (warm); on the kiosk's eMMC a cold quick_check is slower still.
 * usage: bench_store_open [MB] [DIR] [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return v[n / 2];
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_store_open: %s: %s\n", what, why);
    exit(1);
}

/* Fills the store to about `mb` megabytes: per day 500 tickets (with their
 * outbox rows), 50 visitors, 550 print jobs of ~250 bytes. */
static void build(const char *path, long mb)
{
    struct fd_store *st;
    char err[400];
    struct stat sb;
    unlink(path);
    if (store_open(path, &st, err, sizeof err))
        die("store_open", err);
    sqlite3 *db = store_db(st);
    char *msg = NULL;
    if (sqlite3_exec(db,
                     "INSERT INTO service(id, code, name_zh, name_en) VALUES"
                     " (1, 'A', '综合', 'General'), (2, 'B', '对公', 'Business');"
                     "INSERT INTO host(id, name) VALUES (1, '王晓明');",
                     NULL, NULL, &msg))
        die("setup", msg);
    for (int day = 0; day < 3650; day++) {
        if (stat(path, &sb) == 0 && sb.st_size >= mb * 1024 * 1024)
            break;
        char sql[2400];
        snprintf(sql, sizeof sql,
                 "BEGIN;"
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
                 " INSERT INTO ticket(bday, issued_service_id, service_id, number, label,"
                 " state, counter_id, issued_at, called_at, finished_at)"
                 " SELECT date('2025-01-01', '+%d days'), 1 + i %% 2, 1 + i %% 2, i,"
                 " printf('%%s%%03d', char(65 + i %% 2), i), 'done', NULL,"
                 " 1735700000 + %d * 86400 + i * 60, 1735700000 + %d * 86400 + i * 60 + 300,"
                 " 1735700000 + %d * 86400 + i * 60 + 600 FROM n;"
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
                 " INSERT INTO visitor(bday, badge, name, phone, company, host_id, host_name,"
                 " purpose, signed_in_at, signed_out_at, signout_how)"
                 " SELECT date('2025-01-01', '+%d days'), printf('V%%04d', i), '张三' || i,"
                 " '138' || (10000000 + i), '华信科技有限公司', 1, '王晓明', '面谈',"
                 " 1735700000 + %d * 86400 + i * 600, 1735700000 + %d * 86400 + i * 600 + 3600,"
                 " 'staff' FROM n;"
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 550)"
                 " INSERT INTO print_job(kind, ref_id, payload, state, created_at, printed_at)"
                 " SELECT 'ticket', i, randomblob(250), 'done', 1735700000 + %d * 86400 + i,"
                 " 1735700000 + %d * 86400 + i + 2 FROM n;"
                 "COMMIT;",
                 day, day, day, day, day, day, day, day, day);
        if (sqlite3_exec(db, sql, NULL, NULL, &msg))
            die("fill", msg);
    }
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    store_close(st);
}

static double time_bare(const char *path, int quick_check)
{
    double t0 = now_ms();
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die("open", sqlite3_errmsg(db));
    if (quick_check && sqlite3_exec(db, "PRAGMA quick_check(1)", NULL, NULL, NULL))
        die("quick_check", sqlite3_errmsg(db));
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'epoch'", -1, &s, NULL) ||
        sqlite3_step(s) != SQLITE_ROW)
        die("query", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return now_ms() - t0;
}

static double time_store(const char *path, int unclean)
{
    struct fd_store *st;
    char err[400], buf[32];
    if (unclean) { /* the marker as a power cut leaves it */
        char m[600];
        snprintf(m, sizeof m, "%s-open", path);
        FILE *f = fopen(m, "w");
        if (!f)
            die("marker", m);
        fputs("open\n", f);
        fclose(f);
    }
    double t0 = now_ms();
    if (store_open(path, &st, err, sizeof err))
        die("store_open", err);
    if (store_meta_get(st, "epoch", buf, sizeof buf))
        die("meta", "epoch");
    store_close(st);
    return now_ms() - t0;
}

#define SIDES 5
static const char *const side_name[SIDES] = {
    "bare sqlite3_open + query", "store_open, only user (kiosk stopped)",
    "store_open, kiosk running", "store_open after an unclean end (checks)",
    "before: every open (bare + quick_check)"};

/* Measures every side on a store of about `mb` megabytes; medians in ms. */
static void measure(const char *dir, long mb, int rounds, double med[SIDES], double *size_mb)
{
    char path[512], side[600];
    struct stat sb;
    double *v[SIDES];
    snprintf(path, sizeof path, "%s/bench_store_open.db", dir);
    double t0 = now_ms();
    build(path, mb);
    stat(path, &sb);
    *size_mb = sb.st_size / 1048576.0;
    printf("store of %.1f MB built in %.1f s\n", *size_mb, (now_ms() - t0) / 1e3);
    for (int k = 0; k < SIDES; k++)
        v[k] = calloc((size_t)rounds, sizeof(double));
    time_bare(path, 1); /* warm the page cache for every side alike */
    for (int r = 0; r < rounds; r++) {
        v[0][r] = time_bare(path, 0);
        v[1][r] = time_store(path, 0);
        v[3][r] = time_store(path, 1);
        v[4][r] = time_bare(path, 1);
        struct fd_store *kiosk; /* a running kiosk's connection */
        char err[400];
        if (store_open(path, &kiosk, err, sizeof err))
            die("store_open", err);
        v[2][r] = time_store(path, 0);
        store_close(kiosk);
    }
    for (int k = 0; k < SIDES; k++) {
        med[k] = median(v[k], rounds);
        free(v[k]);
    }
    unlink(path);
    snprintf(side, sizeof side, "%s-open", path);
    unlink(side);
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 170;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    int rounds = argc > 3 ? atoi(argv[3]) : 15;
    double fresh[SIDES], year[SIDES], fmb, ymb;

    measure(dir, 1, rounds, fresh, &fmb);
    measure(dir, mb, rounds, year, &ymb);
    printf("median of %d rounds, ms (ratio to the bare open of the same store):\n", rounds);
    printf("  %-42s %10.1f MB       %10.1f MB\n", "", fmb, ymb);
    for (int k = 0; k < SIDES; k++)
        printf("  %-42s %9.2f x%-7.1f %9.2f x%.1f\n", side_name[k], fresh[k],
               fresh[k] / fresh[0], year[k], year[k] / year[0]);
    printf("on the big store, every open before / store_open now: x%.0f (kiosk stopped),"
           " x%.0f (kiosk running)\n", year[4] / year[1], year[4] / year[2]);
    return 0;
}
