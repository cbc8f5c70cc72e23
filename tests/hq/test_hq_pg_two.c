/* test_hq_pg_two.c - two `frontdesk-hq serve` processes on two loopback ports
 * sharing one PostgreSQL database (pg_harness.sh gives FDHQ_PG_DSN), kiosks
 * pushing with the real sync client. First every kiosk's outbox is pushed to
 * both servers at the same time (two copies of the kiosk database, one per
 * server: the same batches race), then kiosks push in turns to one server and
 * the other, all kiosks at once, also across a PostgreSQL restart under
 * both running servers. It ends with the exact comparisons: each
 * kiosk's whole history is held exactly once with the same content, every
 * (device, epoch) stream is contiguous from its first seq to its high, and a
 * complaint advanced at head office reaches the kiosk through either server. */
#include "check.h"
#include "harness.h"
#include "hq_complaint.h"
#include "sync.h"
#include "sync_wire.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>

#define KIOSKS 3

static const char *dsn;
static struct h_server srv[2];
static char urls[2][128];

struct job {
    char path[512];
    int server;              /* which server this copy talks to; -1 = alternate */
    pthread_barrier_t *go;
    long long batches, busy, errors;
};

/* Pushes one kiosk database until its outbox is empty (or too many errors). */
static void *pusher(void *arg)
{
    struct job *j = arg;
    sqlite3 *db = h_kiosk_open(j->path);
    char err[256], sql[300];
    if (j->go)
        pthread_barrier_wait(j->go);
    if (!db) {
        j->errors = 99;
        return NULL;
    }
    for (int i = 0; i < 400 && j->errors < 5; i++) {
        struct sync_result res;
        int rc;
        if (j->server < 0) {
            snprintf(sql, sizeof sql, "UPDATE sync_state SET hq_url = '%s'", urls[i % 2]);
            h_exec(db, sql);
        }
        memset(&res, 0, sizeof res);
        rc = sync_push_once(db, &res, err, sizeof err);
        j->batches += res.batches;
        if (rc == SYNC_E_BUSY) {
            j->busy++; /* a real kiosk waits Retry-After; the test need not */
            usleep(50000);
        } else if (rc != SYNC_OK) {
            fprintf(stderr, "push %s: %d %s\n", j->path, rc, err);
            j->errors++;
        }
        if (h_int(db, "SELECT count(*) FROM outbox") == 0)
            break;
    }
    sqlite3_close(db);
    return NULL;
}

/* Runs the jobs in threads, all starting together; returns total errors. */
static long long run_jobs(struct job *jobs, int n, long long *batches, long long *busy)
{
    pthread_t th[2 * KIOSKS];
    pthread_barrier_t go;
    long long errors = 0;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        jobs[i].go = &go;
        pthread_create(&th[i], NULL, pusher, &jobs[i]);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        errors += jobs[i].errors;
        *batches += jobs[i].batches;
        *busy += jobs[i].busy;
    }
    pthread_barrier_destroy(&go);
    return errors;
}

/* Every (device, epoch) stream held: rows (records + quarantine) are exactly
 * min..high with none twice. Returns the number of streams that are not. */
static long long broken_streams(PGconn *c)
{
    PGresult *r = PQexec(
        c, "SELECT count(*) FROM (SELECT s.device_id, s.epoch, s.high, count(u.seq) AS n,"
           " count(DISTINCT u.seq) AS d, min(u.seq) AS lo, max(u.seq) AS hi FROM stream s"
           " JOIN (SELECT device_id, epoch, seq FROM record UNION ALL"
           " SELECT device_id, epoch, seq FROM quarantine) u"
           " ON u.device_id = s.device_id AND u.epoch = s.epoch"
           " GROUP BY s.device_id, s.epoch, s.high) x"
           " WHERE n <> d OR hi <> high OR n <> hi - lo + 1");
    long long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        fprintf(stderr, "streams: %s", PQerrorMessage(c));
    PQclear(r);
    return v;
}

static int first_complaint(void *ctx, const struct hq_complaint *c)
{
    *(long long *)ctx = c->id;
    return 0;
}

int main(void)
{
    struct job jobs[2 * KIOSKS];
    char tok[128], err[512], branch[32], sql[700], name[32];
    long long batches = 0, busy = 0, rows, total = 0;
    PGconn *c;

    dsn = getenv("FDHQ_PG_DSN");
    if (!dsn) {
        printf("FDHQ_PG_DSN not set (run through pg_harness.sh): skipped\n");
        return 77;
    }
    sync_wire_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_mkdir("pgtwo");
    for (int i = 0; i < 2; i++) {
        CHECK(h_server_start(&srv[i], dsn, 0, NULL, NULL, NULL) == 0);
        h_url(&srv[i], urls[i], sizeof urls[i]);
    }
    if (!srv[0].port || !srv[1].port)
        goto done;

    /* Kiosks enrol (through either server), work, and are copied: copy a
     * pushes to server 0, copy b the same outbox to server 1. */
    for (int k = 0; k < KIOSKS; k++) {
        struct job *a = &jobs[2 * k], *b = &jobs[2 * k + 1];
        sqlite3 *db;
        memset(a, 0, sizeof *a);
        memset(b, 0, sizeof *b);
        snprintf(branch, sizeof branch, "Branch %d", k);
        snprintf(name, sizeof name, "k%d-a.sqlite", k);
        h_path(a->path, sizeof a->path, name);
        snprintf(name, sizeof name, "k%d-b.sqlite", k);
        h_path(b->path, sizeof b->path, name);
        a->server = 0;
        b->server = 1;
        db = h_kiosk_create(a->path);
        CHECK(db != NULL);
        if (!db)
            goto done;
        CHECK(h_token(dsn, branch, tok, sizeof tok) == 0);
        CHECK_INT(sync_enroll(db, urls[k % 2], tok, err, sizeof err), SYNC_OK);
        CHECK(h_activity(db, SYNC_BATCH_ROWS / 3 + 10, k + 1) == 0); /* ~1.3 batches */
        int len = snprintf(sql, sizeof sql, "UPDATE sync_state SET hq_url = '%s'; VACUUM INTO"
                           " '%s';UPDATE sync_state SET hq_url = '%s'", urls[1], b->path,
                           urls[0]);
        CHECK(len > 0 && (size_t)len < sizeof sql);
        CHECK(h_exec(db, sql) == 0);
        sqlite3_close(db);
    }

    /* 1: the same batches to both servers at once. */
    CHECK_INT(run_jobs(jobs, 2 * KIOSKS, &batches, &busy), 0);
    c = PQconnectdb(dsn);
    CHECK(PQstatus(c) == CONNECTION_OK);
    for (int k = 0; k < KIOSKS; k++) {
        sqlite3 *a = h_kiosk_open(jobs[2 * k].path), *b = h_kiosk_open(jobs[2 * k + 1].path);
        CHECK(a && b);
        if (!a || !b)
            continue;
        CHECK_INT(h_int(a, "SELECT count(*) FROM outbox"), 0);
        CHECK_INT(h_int(b, "SELECT count(*) FROM outbox"), 0);
        CHECK(h_compare(a, dsn, &rows) == 0);
        CHECK_INT(rows, h_int(a, "SELECT count(*) FROM outbox_history"));
        CHECK_MSG(rows > SYNC_BATCH_ROWS, "rows %lld", rows); /* several batches raced */
        sqlite3_close(a);
        sqlite3_close(b);
    }
    CHECK_INT(broken_streams(c), 0);

    /* 2: every kiosk (copy a) works on and pushes batch by batch to one
     * server then the other, all kiosks at the same time. */
    for (int k = 0; k < KIOSKS; k++) {
        sqlite3 *db = h_kiosk_open(jobs[2 * k].path);
        CHECK(db && h_activity(db, SYNC_BATCH_ROWS * 2 / 3, 10 + k) == 0); /* ~2.5 batches */
        sqlite3_close(db);
        jobs[k] = jobs[2 * k];
        jobs[k].server = -1;
        jobs[k].batches = jobs[k].busy = jobs[k].errors = 0;
    }
    CHECK_INT(run_jobs(jobs, KIOSKS, &batches, &busy), 0);
    for (int k = 0; k < KIOSKS; k++) {
        sqlite3 *a = h_kiosk_open(jobs[k].path);
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK_INT(h_int(a, "SELECT count(*) FROM outbox"), 0);
        CHECK(h_compare(a, dsn, &rows) == 0);
        CHECK_INT(rows, h_int(a, "SELECT count(*) FROM outbox_history"));
        total += rows;
        sqlite3_close(a);
    }
    CHECK_MSG(jobs[0].batches >= 3, "batches %lld", jobs[0].batches); /* both servers took some */
    CHECK_INT(broken_streams(c), 0);
    {
        PGresult *r = PQexec(c, "SELECT (SELECT count(*) FROM record) +"
                                " (SELECT count(*) FROM quarantine)");
        CHECK(PQresultStatus(r) == PGRES_TUPLES_OK &&
              strtoll(PQgetvalue(r, 0, 0), NULL, 10) == total);
        PQclear(r);
    }

    /* 3: PostgreSQL restarts under both running servers; the kiosks work
     * on and push in turns, and nothing fails: every pooled connection
     * notices its closed session and reconnects before sending. */
    {
        const char *harness = getenv("FDHQ_PG_HARNESS");
        char cmd[1024];
        long long before = busy;
        PQfinish(c);
        snprintf(cmd, sizeof cmd, "'%s' --restart", harness ? harness : "false");
        CHECK(harness && system(cmd) == 0);
        c = PQconnectdb(dsn);
        for (int k = 0; k < KIOSKS; k++) {
            sqlite3 *db = h_kiosk_open(jobs[k].path);
            CHECK(db && h_activity(db, SYNC_BATCH_ROWS / 3, 20 + k) == 0);
            sqlite3_close(db);
            jobs[k].batches = jobs[k].busy = jobs[k].errors = 0;
        }
        CHECK_INT(run_jobs(jobs, KIOSKS, &batches, &busy), 0);
        CHECK_INT(busy, before);
        total = 0;
        for (int k = 0; k < KIOSKS; k++) {
            sqlite3 *a = h_kiosk_open(jobs[k].path);
            CHECK(a && h_compare(a, dsn, &rows) == 0);
            CHECK_INT(rows, a ? h_int(a, "SELECT count(*) FROM outbox_history") : -1);
            total += rows;
            sqlite3_close(a);
        }
        CHECK_INT(broken_streams(c), 0);
    }

    /* 4: a complaint advanced at head office reaches kiosk 0 through the
     * server it did not push its complaint to last. */
    {
        struct hq_store *hs = NULL;
        struct sync_result res;
        struct hq_advance adv = {"assessed", "serious", 1, NULL, NULL, NULL, NULL, "hq:wang",
                                 "escalated"};
        long long cid = 0;
        sqlite3 *a = h_kiosk_open(jobs[0].path);
        CHECK(hq_store_open(dsn, &hs, err, sizeof err) == HQ_OK);
        snprintf(branch, sizeof branch, "Branch 0");
        CHECK(hs && hs->ops->complaint_list(hs, "received", branch, 1, first_complaint, &cid) ==
                        HQ_OK);
        CHECK(cid > 0);
        CHECK_INT(hq_complaint_advance(hs, cid, &adv, time(NULL), err, sizeof err), HQ_OK);
        hq_store_close(hs);
        for (int i = 0; i < 2 && a; i++) {
            snprintf(sql, sizeof sql, "UPDATE sync_state SET hq_url = '%s'", urls[i]);
            h_exec(a, sql);
            memset(&res, 0, sizeof res);
            CHECK_INT(sync_pull(a, &res, err, sizeof err), SYNC_OK);
            CHECK_INT(res.pulled, i == 0 ? 1 : 0); /* the cursor holds across servers */
        }
        if (a) {
            CHECK_INT(h_int(a, "SELECT count(*) FROM complaint WHERE state = 'assessed'"
                               " AND severity = 'serious'"), 1);
            sqlite3_close(a);
        }
    }
    PQfinish(c);
    printf("2 servers, %d kiosks: %lld records held exactly once, %lld batches, %lld busy\n",
           KIOSKS, total, batches, busy);

done:
    for (int i = 0; i < 2; i++)
        h_server_stop(&srv[i], 0);
    h_rmdir();
    curl_global_cleanup();
    return check_summary();
}
