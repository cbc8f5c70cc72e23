/* test_print_retention.c - receipts are copies of personal data too
 * (issue 15): a printed job's bytes go after the reprint window (and a
 * reprint is then refused), an erased visitor's badge goes with the visitor
 * in the kiosk's housekeeping round (app/kiosk/kiosk_sweep.c, compiled in),
 * and neither is left in the file; a job pending too long expires, in the
 * sweep and in the print worker, which prints the fresh job and not the
 * stale one, and the kiosk's housekeeping thread does it by itself;
 * migration 0005 rebuilds an old print_job keeping ids and dropping old
 * bytes. Times are the real clock's (print jobs are stamped with it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "bday.h"
#include "config.h"
#include "kiosk_sweep.h"
#include "printq.h"
#include "store.h"
#include "visitor.h"

#define DAY 86400LL

static char dir[64];

static const char *path(const char *name)
{
    static char buf[8][256];
    static int next;
    next = (next + 1) % 8;
    snprintf(buf[next], sizeof buf[next], "%s/%s", dir, name);
    return buf[next];
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

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg);
        exit(2);
    }
}

static int file_has(const char *p, const char *s)
{
    FILE *f = fopen(p, "rb");
    static char buf[8 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    return n && memmem(buf, n, s, strlen(s)) != NULL;
}

static int64_t job(sqlite3 *db, const char *kind, int64_t ref, const char *bytes)
{
    int64_t id = 0;
    CHECK_INT(printq_enqueue(db, kind, ref, bytes, strlen(bytes), &id), 0);
    return id;
}

static void set_job(sqlite3 *db, int64_t id, const char *state, int64_t created)
{
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE print_job SET state = '%s', created_at = %lld WHERE id = %lld",
             state, (long long)created, (long long)id);
    exec(db, sql);
}

static struct fd_store *open_store(const char *name)
{
    struct fd_store *st = NULL;
    char err[300];
    if (store_open(path(name), &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    cfg_set(st, "timezone", "UTC", NULL);
    bday_set_zone("UTC", NULL);
    return st;
}

/* The reprint window, the erased visitor's badge, the evacuation list. */
static void bytes_go(void)
{
    struct fd_store *st = open_store("bytes.db");
    sqlite3 *db = store_db(st);
    struct fd_err e = {0};
    struct ksweep_counts c;
    int64_t now = time(NULL), host, new_id;
    struct visitor v;
    CHECK_INT(host_add(st, "Host", "", &host, &e), 0);
    struct visitor_in in = {.name = "Badge Bertha", .phone = "13912345678", .host_id = host};
    CHECK_INT(visitor_sign_in(st, &in, now - 10 * DAY, &v, &e), 0);
    CHECK_INT(visitor_sign_out(st, v.id, "staff", now - 10 * DAY + 60, &e), 0);
    /* A reprint made today of her badge, the evacuation list of two days
     * ago, a ticket printed an hour ago. */
    int64_t badge = job(db, "visitor", v.id, "BADGE:Badge Bertha");
    int64_t evac = job(db, "evacuation", 0, "EVAC:Evac Eva, Badge Bertha");
    int64_t ticket = job(db, "ticket", 7, "TICKET:A001");
    set_job(db, badge, "done", now - 600);
    set_job(db, evac, "done", now - 2 * DAY);
    set_job(db, ticket, "done", now - 3600);
    CHECK_INT(cfg_set(st, "print_reprint_hours", "24", &e), 0);
    CHECK_INT(cfg_set(st, "visitor_retention_days", "7", &e), 0);
    /* inside the window a reprint is byte-identical */
    CHECK_INT(printq_reprint(db, evac, &new_id), 0);
    exec(db, "DELETE FROM print_job WHERE id = (SELECT max(id) FROM print_job)");

    CHECK_INT(ksweep_once(st, now, "kiosk", &c, &e), 0);
    CHECK_INT(c.visitors_erased, 1);
    CHECK(c.jobs_compacted >= 1);
    CHECK_INT(one(db, "SELECT count(*) FROM visitor WHERE name = ''"), 1);
    /* her badge's bytes went with her, though printed within the window */
    CHECK_INT(one(db, "SELECT length(payload) FROM print_job WHERE kind = 'visitor'"), 0);
    CHECK(one(db, "SELECT bytes_dropped_at FROM print_job WHERE kind = 'visitor'") > 0);
    /* past the window: the evacuation list's bytes, and no reprint */
    CHECK_INT(one(db, "SELECT length(payload) FROM print_job WHERE kind = 'evacuation'"), 0);
    CHECK_INT(printq_reprint(db, evac, &new_id), -1);
    /* within the window: the ticket's bytes stay, and reprint */
    CHECK_INT(one(db, "SELECT length(payload) FROM print_job WHERE kind = 'ticket'"), 11);
    CHECK_INT(printq_reprint(db, ticket, &new_id), 0);
    /* the rows themselves go after PRINTQ_HISTORY_DAYS */
    set_job(db, ticket, "done", now - (PRINTQ_HISTORY_DAYS + 1) * DAY);
    CHECK_INT(ksweep_once(st, now, "kiosk", &c, &e), 0);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE kind = 'ticket'"), 1); /* the reprint */
    /* a window longer than the visitors' retention is cut to it */
    CHECK_INT(printq_keep_s(720, 7), 7 * DAY);
    CHECK_INT(printq_keep_s(24, 90), DAY);
    CHECK_INT(printq_keep_s(24, 0), DAY);

    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    CHECK(!file_has(path("bytes.db"), "Badge Bertha"));
    CHECK(!file_has(path("bytes.db"), "Evac Eva"));
    CHECK(file_has(path("bytes.db"), "TICKET:A001")); /* the control: kept bytes are found */
    store_close(st);
}

/* Pending too long: expired by the sweep, and skipped by the worker. */
static void pending_expires(void)
{
    struct fd_store *st = open_store("expire.db");
    sqlite3 *db = store_db(st);
    struct fd_err e = {0};
    struct ksweep_counts c;
    int64_t now = time(NULL);
    char err[200];
    int64_t stale = job(db, "ticket", 1, "STALE-TICKET");
    set_job(db, stale, "pending", now - 3600);
    int64_t recent = job(db, "ticket", 2, "RECENT-TICKET");
    set_job(db, recent, "pending", now - 60);
    CHECK_INT(ksweep_once(st, now, "kiosk", &c, &e), 0);
    CHECK_INT(c.jobs_expired, 1);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE state = 'expired'"
                      " AND last_error LIKE 'expired%' AND id = 1"), 1);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE state = 'pending'"), 1);

    /* The worker: a stale job and a fresh one queued while no printer was
     * there; the printer (a file) comes, only the fresh one prints. */
    int64_t stale2 = job(db, "ticket", 3, "STALE-AGAIN");
    set_job(db, stale2, "pending", now - 3600);
    exec(db, "UPDATE print_job SET created_at = unixepoch() WHERE id = 2");
    FILE *f = fopen(path("paper.bin"), "wb");
    if (f)
        fclose(f);
    char uri[300];
    snprintf(uri, sizeof uri, "file:%s", path("paper.bin"));
    struct printq_config cfg = {.db_path = path("expire.db"), .printer_uri = uri,
                                .rescan_ms = 50, .poll_ms = 100, .io_timeout_ms = 500,
                                .pending_max_s = 300};
    struct printq *q = NULL;
    CHECK_MSG(printq_start(&cfg, &q, err, sizeof err) == 0, "%s", err);
    for (int i = 0; q && i < 200 && one(db, "SELECT count(*) FROM print_job"
                                            " WHERE state = 'pending'") > 0; i++)
        usleep(50000); /* bounded: 10 s */
    printq_stop(q);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE id = 2 AND state = 'done'"), 1);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE id = 3 AND state = 'expired'"), 1);
    CHECK(file_has(path("paper.bin"), "RECENT-TICKET"));
    CHECK(!file_has(path("paper.bin"), "STALE"));
    store_close(st);
}

static int woken;

static void on_wake(void *user)
{
    (void)user;
    __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
}

/* The kiosk's worker: its own connection, a round at start, the UI woken
 * when something shown changed, stopped cleanly. */
static void worker_round(void)
{
    struct fd_store *st = open_store("worker.db");
    sqlite3 *db = store_db(st);
    int64_t stale = job(db, "ticket", 1, "STALE");
    set_job(db, stale, "pending", time(NULL) - 3600);
    struct ksweep *k = ksweep_start(path("worker.db"), on_wake, NULL);
    CHECK(k != NULL);
    for (int i = 0; i < 200 && !__atomic_load_n(&woken, __ATOMIC_SEQ_CST); i++)
        usleep(50000); /* bounded: 10 s */
    ksweep_stop(k);
    CHECK(__atomic_load_n(&woken, __ATOMIC_SEQ_CST) >= 1);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE state = 'expired'"), 1);
    store_close(st);
}

/* 0005 on a store of schema 4: print_job rebuilt, ids and states kept, bytes
 * older than a day dropped, pending ones kept, no id reused. */
static void migration(void)
{
    sqlite3 *db = NULL;
    char file[512], *sql;
    static const char *const names[] = {"0001_init.sql", "0002_print.sql", "0003_sync.sql",
                                        "0004_staff.sql"};
    CHECK_INT(sqlite3_open(path("v4.db"), &db), SQLITE_OK);
    for (int i = 0; i < 4; i++) {
        snprintf(file, sizeof file, "%s/%s", FD_SCHEMA_DIR, names[i]);
        FILE *f = fopen(file, "rb");
        sql = calloc(1, 1 << 20);
        if (!f || !sql || fread(sql, 1, (1 << 20) - 1, f) == 0) {
            fprintf(stderr, "cannot read %s\n", file);
            exit(2);
        }
        fclose(f);
        exec(db, sql);
        free(sql);
    }
    exec(db, "PRAGMA user_version = 4;"
             "INSERT INTO print_job(kind, ref_id, payload, state, created_at) VALUES"
             " ('visitor', 1, CAST('OLD-BADGE' AS BLOB), 'done', unixepoch() - 3 * 86400),"
             " ('ticket', 2, CAST('WAITING' AS BLOB), 'pending', unixepoch() - 3 * 86400),"
             " ('ticket', 3, CAST('FRESH' AS BLOB), 'done', unixepoch() - 60),"
             " ('ticket', 4, CAST('GONE' AS BLOB), 'done', unixepoch());"
             "DELETE FROM print_job WHERE id = 4;");
    sqlite3_close(db);
    struct fd_store *st = open_store("v4.db");
    db = store_db(st);
    CHECK_INT(one(db, "PRAGMA user_version"), store_schema_version());
    CHECK_INT(one(db, "SELECT count(*) FROM print_job"), 3);
    CHECK_INT(one(db, "SELECT length(payload) FROM print_job WHERE id = 1"), 0);
    CHECK_INT(one(db, "SELECT length(payload) FROM print_job WHERE id = 2"), 7);
    CHECK_INT(one(db, "SELECT length(payload) FROM print_job WHERE id = 3"), 5);
    CHECK_INT(one(db, "SELECT count(*) FROM print_job WHERE id = 1 AND state = 'done'"
                      " AND bytes_dropped_at > 0"), 1);
    int64_t id = 0;
    CHECK_INT(printq_enqueue(db, "ticket", 5, "N", 1, &id), 0);
    CHECK_INT(id, 5); /* 4 was used once: never again */
    CHECK_INT(one(db, "SELECT count(*) FROM pragma_integrity_check WHERE"
                      " integrity_check <> 'ok'"), 0);
    store_close(st);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/fdprret.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    bytes_go();
    pending_expires();
    worker_round();
    migration();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return check_summary();
}
