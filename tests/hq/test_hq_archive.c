/* test_hq_archive.c - the log's months (`frontdesk-hq archive --before
 * YYYY-MM [--drop]`), through the store and the command line, on SQLite and
 * (FDHQ_TEST_DB) PostgreSQL: batches received in January, February and March
 * 2026; archiving before March takes January and February out of the log
 * and leaves March and the stream's high alone, so the device goes on
 * pushing. On PostgreSQL the months are partitions: detached (kept as
 * tables for pg_dump), then dropped; on SQLite only --drop is possible. */
#include "check.h"
#include "harness.h"

#ifdef HQ_HAVE_PG
#include <libpq-fe.h>
#endif

static const char *dev = "0123456789abcdef0123456789abcdef";

/* Applies records seq from..to received at `at` (one transaction). */
static int push(struct hq_store *s, long long from, long long to, long long at)
{
    struct hq_record recs[64];
    char texts[64][128];
    struct hq_batch b = {dev, 1, 0, 0, at, recs, 0};
    struct hq_push_result res;
    int rc;
    for (long long q = from; q <= to; q++) {
        struct hq_record *r = &recs[b.n];
        snprintf(texts[b.n], sizeof texts[0], "{\"id\":%lld,\"at\":%lld,\"actor\":\"a\","
                 "\"action\":\"x\"}", q, at);
        memset(r, 0, sizeof *r);
        r->seq = q;
        r->type = "audit";
        r->schema_version = 1;
        r->json = texts[b.n];
        b.n++;
    }
    if ((rc = s->ops->begin(s)) != HQ_OK)
        return rc;
    if ((rc = s->ops->push_apply(s, &b, &res)) != HQ_OK) {
        s->ops->rollback(s);
        return rc;
    }
    return s->ops->commit(s);
}

static int count_one(void *ctx, const struct hq_held *h)
{
    long long *n = ctx;
    (void)h;
    (*n)++;
    return 0;
}

static long long held(const char *db)
{
    struct hq_store *s = NULL;
    char err[256];
    long long n = 0;
    if (hq_store_open(db, &s, err, sizeof err) != HQ_OK)
        return -1;
    s->ops->records(s, dev, 0, 0, 1 << 30, count_one, &n);
    hq_store_close(s);
    return n;
}

int main(void)
{
    char db[512], err[256], args[1024], out[4096];
    struct hq_store *s = NULL;
    const long long jan = 1768435200, feb = 1771113600, mar = 1773532800; /* 15th, 00:00 UTC */

    h_mkdir("archive");
    h_hq_db(db, sizeof db, "hq.sqlite");
    int sqlite = h_hq_is_sqlite(db);
    CHECK(hq_store_open(db, &s, err, sizeof err) == HQ_OK);
    if (!s)
        return check_summary();
    CHECK_INT(push(s, 1, 10, jan), HQ_OK);
    CHECK_INT(push(s, 11, 25, feb), HQ_OK);
    CHECK_INT(push(s, 26, 30, mar), HQ_OK);
    hq_store_close(s);
    CHECK_INT(held(db), 30);

    snprintf(args, sizeof args, "--db '%s' archive --before 2026-13", db);
    CHECK_INT(h_hq_out(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "--db '%s' archive --before 2026-03 --json --by ops"
             " --reason 'year closed'", db);
    if (sqlite) {
        CHECK_INT(h_hq_out(args, out, sizeof out), 2); /* nothing to detach: --drop only */
        CHECK_INT(held(db), 30);
        snprintf(args, sizeof args, "--db '%s' archive --before 2026-03 --drop --json", db);
    }
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"months\":2") && strstr(out, "\"rows\":25"), "%s", out);
    CHECK_INT(held(db), 5); /* March only */

    /* The stream is untouched: the device goes on from 31, and 26..30 are
     * still recognized as held. */
    CHECK(hq_store_open(db, &s, err, sizeof err) == HQ_OK);
    CHECK_INT(push(s, 26, 35, mar + 60), HQ_OK);
    hq_store_close(s);
    CHECK_INT(held(db), 10);

#ifdef HQ_HAVE_PG
    if (!sqlite) {
        PGconn *c = PQconnectdb(db);
        PGresult *r = PQexec(c, "SELECT (SELECT count(*) FROM record_2026_01),"
                                " (SELECT count(*) FROM record_2026_02),"
                                " (SELECT count(*) FROM pg_inherits WHERE inhrelid ="
                                " 'record_2026_01'::regclass)");
        CHECK_MSG(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
        if (PQresultStatus(r) == PGRES_TUPLES_OK) {
            CHECK_INT(atoll(PQgetvalue(r, 0, 0)), 10); /* detached, kept for pg_dump */
            CHECK_INT(atoll(PQgetvalue(r, 0, 1)), 15);
            CHECK_INT(atoll(PQgetvalue(r, 0, 2)), 0);
        }
        PQclear(r);
        snprintf(args, sizeof args, "--db '%s' archive --before 2026-04 --drop", db);
        CHECK_INT(h_hq_out(args, out, sizeof out), 0);
        CHECK_MSG(strstr(out, "1 month(s), 10 record(s) dropped") != NULL, "%s", out);
        r = PQexec(c, "SELECT to_regclass('record_2026_03') IS NULL,"
                      " to_regclass('record_2026_01') IS NOT NULL,"
                      " (SELECT count(*) FROM hq_audit WHERE action = 'archive')");
        CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0 &&
              strcmp(PQgetvalue(r, 0, 1), "t") == 0 && atoll(PQgetvalue(r, 0, 2)) == 2);
        PQclear(r);
        PQfinish(c);
        CHECK_INT(held(db), 0);
    }
#endif
    h_rmdir();
    return check_summary();
}
