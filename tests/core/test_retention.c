/* test_retention.c - what the kiosk keeps (issue 15): 5,000 old visitors
 * erased in short batches through indexes (no statement scans the outbox),
 * on an enrolled kiosk only once head office holds them, on a standalone
 * kiosk anyway and with their outbox rows; the store checked afterwards,
 * the file included. A standalone kiosk's outbox is bounded by days and by
 * a cap; an enrolled kiosk's is not touched. */
#include "check.h"
#include "retention.h"
#include "testutil.h"
#include "visitor.h"

#define OLD_VISITORS 5000
#define DAY 86400LL

/* Rows of visitor changed per transaction, seen through SQLite's hooks. */
static int in_tx, max_in_tx, commits_with_rows;

static void on_update(void *u, int op, const char *dbname, const char *table, sqlite3_int64 r)
{
    (void)u, (void)op, (void)dbname, (void)r;
    if (!strcmp(table, "visitor"))
        in_tx++;
}

static int on_commit(void *u)
{
    (void)u;
    if (in_tx > max_in_tx)
        max_in_tx = in_tx;
    commits_with_rows += in_tx > 0;
    in_tx = 0;
    return 0;
}

/* Full-table-scan steps of every statement on the connection whose SQL
 * mentions `needle` (the store caches its statements, so they are all
 * still there after the sweep). */
static long long fullscan_steps(struct fd_store *st, const char *needle)
{
    long long n = 0;
    for (sqlite3_stmt *s = sqlite3_next_stmt(store_db(st), NULL); s;
         s = sqlite3_next_stmt(store_db(st), s))
        if (strstr(sqlite3_sql(s), needle))
            n += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    return n;
}

/* Does the file hold the bytes of s anywhere? */
static int file_has(const char *path, const char *s)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 64 << 20, n;
    char *buf = malloc(cap);
    int found;
    n = f && buf ? fread(buf, 1, cap, f) : 0;
    if (f)
        fclose(f);
    found = n && memmem(buf, n, s, strlen(s)) != NULL;
    free(buf);
    return found;
}

static void exec(struct fd_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg);
        exit(2);
    }
}

/* 50 visitors a day for 100 days, 130 to 31 days before TU_NOW, signed in and out, through
 * the real schema (the triggers write their outbox rows), named
 * "Erasable-NNNNN"; plus a day's worth of other records in the outbox. */
static void old_visitors(struct fd_store *st)
{
    exec(st, "PRAGMA synchronous = OFF; BEGIN;"
             "INSERT INTO host(id, name) VALUES (1, '王经理');"
             "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999)"
             " INSERT INTO visitor(bday, badge, name, phone, company, host_id, host_name,"
             " purpose, signed_in_at)"
             " SELECT date(1795428000 - (130 - i / 50) * 86400, 'unixepoch'),"
             " printf('V%04d', i % 50 + 1), printf('Erasable-%05d', i),"
             " printf('138%08d', i), 'ACME', 1, '王经理', 'meeting',"
             " 1795428000 - (130 - i / 50) * 86400 FROM n;"
             "UPDATE visitor SET signed_out_at = signed_in_at + 3600, signout_how = 'staff';"
             "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)"
             " INSERT INTO audit(at, actor, action) SELECT 1795428000 - i, 'x', 'other' FROM n;"
             "COMMIT; PRAGMA synchronous = FULL;");
}

static void enrol(struct fd_store *st, int on)
{
    exec(st, on ? "UPDATE sync_state SET hq_url = 'https://hq.test', secret_key = 's1:00'"
                : "UPDATE sync_state SET hq_url = '', secret_key = ''");
}

static void erasure(void)
{
    struct fd_store *st = tu_open("erase.db");
    struct fd_err e = {0};
    old_visitors(st);
    CHECK_INT(cfg_set(st, "visitor_retention_days", "30", &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE type = 'visitor'"),
              2 * OLD_VISITORS);

    /* Enrolled, head office holds nothing yet: nothing is erased. */
    enrol(st, 1);
    CHECK_INT(visitor_erase_old(st, TU_NOW, NULL, NULL, &e), 0);
    /* Head office acknowledged the first half (the sync worker deletes
     * acknowledged rows): exactly those visitors go. */
    exec(st, "DELETE FROM outbox WHERE type = 'visitor' AND"
             " json_extract(record, '$.id') <= 2500");
    sqlite3_update_hook(store_db(st), on_update, NULL);
    sqlite3_commit_hook(store_db(st), on_commit, NULL);
    CHECK_INT(visitor_erase_old(st, TU_NOW, NULL, NULL, &e), 2500);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE erased_at IS NOT NULL"
                         " AND id <= 2500"), 2500);

    /* Standalone: the rest goes too, with the outbox rows holding them. */
    enrol(st, 0);
    CHECK_INT(visitor_erase_old(st, TU_NOW, NULL, NULL, &e), 2500);
    CHECK_INT(visitor_erase_old(st, TU_NOW, NULL, NULL, &e), 0); /* once */
    /* bounded batches: never more than a batch's visitors in a transaction */
    CHECK(max_in_tx > 0 && max_in_tx <= VISITOR_ERASE_BATCH);
    CHECK(commits_with_rows >= OLD_VISITORS / VISITOR_ERASE_BATCH);
    /* indexed: no statement of the sweep stepped through a table scan */
    CHECK_INT(fullscan_steps(st, "json_extract(o.record"), 0);
    CHECK_INT(fullscan_steps(st, "erased_at IS NULL"), 0);
    CHECK_INT(fullscan_steps(st, "DELETE FROM outbox WHERE type = 'visitor'"), 0);
    sqlite3_update_hook(store_db(st), NULL, NULL);
    sqlite3_commit_hook(store_db(st), NULL, NULL);

    /* the store afterwards: personal data gone, the rest kept */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE erased_at = 1795428000"
                         " AND name = '' AND phone = '' AND company = '' AND purpose = ''"
                         " AND badge <> '' AND host_name = '王经理' AND signed_out_at > 0"),
              OLD_VISITORS);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE type = 'visitor'"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE type = 'audit'"), 20000);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE record LIKE '%Erasable%'"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM pragma_integrity_check WHERE"
                         " integrity_check <> 'ok'"), 0);
    exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
    CHECK(!file_has(tu_path("erase.db"), "Erasable-0"));
    CHECK(!file_has(tu_path("erase.db"), "13800000123"));
    store_close(st);
}

/* A visitor of 10 days ago is erased on a standalone kiosk with a short
 * retention, and one of today is not. */
static void standalone_recent(void)
{
    struct fd_store *st = tu_open("recent.db");
    struct fd_err e = {0};
    int64_t host;
    struct visitor v;
    CHECK_INT(host_add(st, "Ms Host", "", &host, &e), 0);
    struct visitor_in in = {.name = "Standalone Stan", .phone = "13912345678", .host_id = host};
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW - 10 * DAY, &v, &e), 0);
    CHECK_INT(visitor_sign_out(st, v.id, "staff", TU_NOW - 10 * DAY + 60, &e), 0);
    in.name = "Today Tess";
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW, &v, &e), 0);
    CHECK_INT(visitor_sign_out(st, v.id, "staff", TU_NOW + 60, &e), 0);
    CHECK_INT(cfg_set(st, "visitor_retention_days", "7", &e), 0);
    CHECK_INT(visitor_erase_old(st, TU_NOW + 120, NULL, NULL, &e), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE name = 'Today Tess'"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE record LIKE '%Stan%'"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE record LIKE '%Tess%'"), 2);
    store_close(st);
}

/* The standalone outbox: the last outbox_standalone_days days, marks kept
 * by the sweep, 100 records a day for 60 days, a sweep every day. */
static void outbox_days(void)
{
    struct fd_store *st = tu_open("days.db");
    struct fd_err e = {0};
    char sql[200];
    CHECK_INT(cfg_set(st, "outbox_standalone_days", "31", &e), 0);
    long long base = tu_int(st, "SELECT count(*) FROM outbox"); /* the settings */
    exec(st, "DELETE FROM outbox");
    (void)base;
    int dropped = 0;
    for (int d = 0; d < 60; d++) {
        int64_t now = TU_NOW + d * DAY;
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)"
                 " INSERT INTO audit(at, actor, action) SELECT %lld, 'day%d', 'x' FROM n",
                 (long long)now, d);
        exec(st, sql);
        int n = retention_trim_outbox(st, now, &e);
        CHECK(n >= 0);
        dropped += n;
    }
    /* days 29..59 are kept: 31 days of 100 rows */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox"), 31 * 100);
    CHECK_INT(dropped, 29 * 100);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE record LIKE '%\"day28\"%'"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE record LIKE '%\"day29\"%'"), 100);
    CHECK(tu_int(st, "SELECT count(*) FROM outbox_mark") <= 60);

    /* Enrolled: every row is kept until head office has it. */
    enrol(st, 1);
    CHECK_INT(retention_trim_outbox(st, TU_NOW + 90 * DAY, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox"), 31 * 100);
    /* Enrolled later: what is left goes up from where it starts (the push
     * sends epoch_start); the sweep keeps its hands off from then on. */
    CHECK(tu_int(st, "SELECT min(seq) FROM outbox") > 1);
    store_close(st);
}

/* The cap: past RETENTION_OUTBOX_CAP rows the oldest go, whatever the day. */
static void outbox_cap(void)
{
    struct fd_store *st = tu_open("cap.db");
    struct fd_err e = {0};
    exec(st, "PRAGMA synchronous = OFF; BEGIN;"
             "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 160999)"
             " INSERT INTO audit(at, actor, action) SELECT 1795428000, 'x', 'y' FROM n;"
             "COMMIT; PRAGMA synchronous = FULL;");
    long long max = tu_int(st, "SELECT max(seq) FROM outbox");
    CHECK(max > RETENTION_OUTBOX_CAP);
    int n = retention_trim_outbox(st, TU_NOW, &e);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox"), RETENTION_OUTBOX_CAP);
    CHECK_INT(tu_int(st, "SELECT max(seq) FROM outbox"), max); /* the newest stay */
    CHECK(n >= 161000 - RETENTION_OUTBOX_CAP);
    CHECK_INT(retention_trim_outbox(st, TU_NOW + 60, &e), 0);
    store_close(st);
}

int main(void)
{
    erasure();
    standalone_recent();
    outbox_days();
    outbox_cap();
    return check_summary();
}
