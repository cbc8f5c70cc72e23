/* test_hq_pg_group.c - PostgreSQL's group commit (hq_store_pg.c,
 * push_commit): concurrent pushes of many devices share one transaction, and
 * that changes nothing a kiosk can see. pg_harness.sh gives FDHQ_PG_DSN.
 *   1. In process, one store handle per thread as the server's pool has:
 *      DEVICES pushers at once, the first group held open until every other
 *      pusher is waiting (so later groups must take several pushes; the
 *      process's counters prove they did). Inside that traffic: a replayed
 *      nonce fails alone and writes nothing; a gap fails alone and its nonce
 *      is taken back (the corrected push may use it); a push whose record
 *      PostgreSQL refuses (invalid UTF-8: the shared COPY fails) fails alone
 *      while the pushes grouped with it are stored. Every device's log is
 *      then exactly its seqs once, and the state tables equal a replay.
 *   2. Over HTTP: KIOSKS kiosks push with the real sync client to one
 *      `frontdesk-hq serve` with 12 threads, which kills itself (kill -9,
 *      the kill_in_apply fault) right before the commit of a group, three
 *      times at random pushes, and is restarted on the same port: each
 *      kiosk's whole history is then held exactly once with the same
 *      content (what was acknowledged was deleted from the kiosk: a loss
 *      would show as missing), every stream is contiguous, and the state
 *      equals a replay of the log. */
#include "check.h"
#include "harness.h"
#include "hq_push.h"
#include "sync.h"
#include "sync_wire.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>

#define DEVICES 12
#define PUSHES 12 /* per device in part 1 */
#define PER_PUSH 30
#define KIOSKS 8

static const char *dsn;

/* ---- part 1: the store ---- */

struct dev {
    int k;
    char id[33];
    long long seq;               /* last seq pushed */
    int ok, replay, gap, bad, other;
    char err[256];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waiting;              /* pushers about to call push_commit */

/* before_commit of the very first push: waits until every other pusher is
 * about to push, then a little longer so they are queued. */
static void hold_first(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&mu);
    while (waiting < DEVICES - 1)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    usleep(200000);
}

/* The body of one push: records seq from..from+n-1 (ticket, event, visitor). */
static char *body(const struct dev *d, long long from, int n)
{
    size_t cap = 4096 + (size_t)n * 600, len = 0;
    char *b = malloc(cap);
    len += (size_t)snprintf(b + len, cap - len,
                            "{\"device_id\":\"%s\",\"epoch\":1,\"backlog\":0,\"records\":[", d->id);
    for (int i = 0; i < n; i++) {
        long long seq = from + i, at = 1764547200 + seq * 60;
        if (i)
            b[len++] = ',';
        if (seq % 3 == 1)
            len += (size_t)snprintf(
                b + len, cap - len,
                "{\"seq\":%lld,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":%lld,"
                "\"bday\":\"2025-12-01\",\"issued_service\":\"A\",\"service\":\"A\","
                "\"number\":%lld,\"label\":\"A%03lld\",\"priority\":0,\"state\":\"waiting\","
                "\"counter\":null,\"recalls\":0,\"transfers\":0,\"issued_at\":%lld,"
                "\"called_at\":null,\"serving_at\":null,\"finished_at\":null}}",
                seq, seq / 3 + 1, seq, seq % 1000, 1764547200 + (seq / 3) * 180);
        else if (seq % 3 == 2) /* the same ticket, called: a newer version */
            len += (size_t)snprintf(
                b + len, cap - len,
                "{\"seq\":%lld,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":%lld,"
                "\"bday\":\"2025-12-01\",\"issued_service\":\"A\",\"service\":\"A\","
                "\"number\":%lld,\"label\":\"A%03lld\",\"priority\":0,\"state\":\"called\","
                "\"counter\":1,\"recalls\":0,\"transfers\":0,\"issued_at\":%lld,"
                "\"called_at\":%lld,\"serving_at\":null,\"finished_at\":null}}",
                seq, seq / 3 + 1, seq - 1, (seq - 1) % 1000, 1764547200 + (seq / 3) * 180, at);
        else
            len += (size_t)snprintf(
                b + len, cap - len,
                "{\"seq\":%lld,\"type\":\"visitor\",\"v\":1,\"record\":{\"id\":%lld,"
                "\"bday\":\"2025-12-01\",\"badge\":\"V%lld\",\"name\":\"访客\",\"phone\":"
                "\"1380000%04lld\",\"company\":\"ACME\",\"host\":\"王经理\",\"purpose\":\"x\","
                "\"signed_in_at\":%lld,\"signed_out_at\":null,\"signout_how\":null}}",
                seq, seq, seq, seq % 10000, at);
    }
    snprintf(b + len, cap - len, "]}");
    return b;
}

/* One push through push_commit; returns its rc. bad: one record's text is
 * made invalid UTF-8 after parsing (PostgreSQL refuses it in the COPY). */
static int push(struct hq_store *s, struct dev *d, long long from, int n, const char *nonce,
                int bad, void (*hook)(void *), struct hq_push_result *res)
{
    struct hq_push_msg m;
    char err[256], *b = body(d, from, n);
    static const char broken[] = "{\"id\":1,\"x\":\"\xff\xfe\"}";
    int rc;
    if (hq_push_parse(b, strlen(b), 500, &m, err, sizeof err) != 0) {
        fprintf(stderr, "parse: %s\n", err);
        free(b);
        return -100;
    }
    m.batch.now = 1764547200 + 3600;
    if (bad)
        m.recs[n / 2].json = broken;
    struct hq_push_job j = {d->id, nonce, m.batch.now, &m.batch, NULL, hook, NULL};
    rc = s->ops->push_commit(s, &j, res);
    if (rc != HQ_OK)
        snprintf(d->err, sizeof d->err, "%s", s->ops->errmsg(s));
    hq_push_free(&m);
    free(b);
    return rc;
}

static void *pusher(void *arg)
{
    struct dev *d = arg;
    struct hq_store *s = NULL;
    char err[256], nonce[48];
    struct hq_push_result res;
    if (hq_store_open(dsn, &s, err, sizeof err) != HQ_OK) {
        d->other++;
        return NULL;
    }
    for (int i = 0; i < PUSHES; i++) {
        int rc;
        snprintf(nonce, sizeof nonce, "%02d%030d", d->k, i);
        if (d->k != 0 || i != 0) { /* the first push of device 0 is held open */
            pthread_mutex_lock(&mu);
            waiting++;
            pthread_cond_broadcast(&cv);
            pthread_mutex_unlock(&mu);
        }
        if (i == 3 && d->k % 3 == 1) { /* a gap: then the same nonce, corrected */
            rc = push(s, d, d->seq + 2, PER_PUSH, nonce, 0, NULL, &res);
            d->gap += rc == HQ_E_GAP && res.expected == d->seq + 1;
        }
        if (i == 5 && d->k % 4 == 2) { /* refused by PostgreSQL: fails alone */
            char bad_nonce[48];
            snprintf(bad_nonce, sizeof bad_nonce, "bad%02d%027d", d->k, i);
            rc = push(s, d, d->seq + 1, PER_PUSH, bad_nonce, 1, NULL, &res);
            d->bad += rc == HQ_E_IO;
        }
        rc = push(s, d, d->seq + 1, PER_PUSH, nonce, 0,
                  d->k == 0 && i == 0 ? hold_first : NULL, &res);
        if (rc == HQ_OK && res.applied == PER_PUSH && res.high == d->seq + PER_PUSH) {
            d->ok++;
            d->seq += PER_PUSH;
        } else {
            fprintf(stderr, "device %d push %d: %s %s\n", d->k, i, hq_store_rcname(rc), d->err);
            d->other++;
        }
        if (i == 7) { /* the same request again: a replay, nothing written */
            rc = push(s, d, d->seq + 1, PER_PUSH, nonce, 0, NULL, &res);
            d->replay += rc == HQ_E_EXISTS;
        }
    }
    hq_store_close(s);
    return NULL;
}

static long long pg_ll(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return v;
}

/* Every (device, epoch) stream held: rows (records + quarantine) are exactly
 * min..high with none twice. Returns the number of streams that are not. */
static long long broken_streams(PGconn *c)
{
    return pg_ll(c, "SELECT count(*) FROM (SELECT s.device_id, s.epoch, s.high,"
                    " count(u.seq) AS n, count(DISTINCT u.seq) AS d, min(u.seq) AS lo,"
                    " max(u.seq) AS hi FROM stream s JOIN (SELECT device_id, epoch, seq"
                    " FROM record UNION ALL SELECT device_id, epoch, seq FROM quarantine) u"
                    " ON u.device_id = s.device_id AND u.epoch = s.epoch"
                    " GROUP BY s.device_id, s.epoch, s.high) x"
                    " WHERE n <> d OR hi <> high OR n <> hi - lo + 1");
}

static void part_store(PGconn *c)
{
    struct dev devs[DEVICES];
    pthread_t th[DEVICES];
    struct hq_store *s = NULL;
    char err[256];
    long long groups = 0, pushes = 0;
    int gaps = 0, bads = 0, replays = 0;

    CHECK(hq_store_open(dsn, &s, err, sizeof err) == HQ_OK);
    if (!s)
        return;
    CHECK_INT(s->ops->log_prepare(s, 1764547200 - 86400, 1764547200 + 40 * 86400), HQ_OK);
    memset(devs, 0, sizeof devs);
    for (int k = 0; k < DEVICES; k++) {
        unsigned char pk[HQ_PUBKEY_BYTES] = {0};
        char branch[32];
        devs[k].k = k;
        snprintf(devs[k].id, sizeof devs[k].id, "%032x", 0x6700 + k);
        snprintf(branch, sizeof branch, "Group %02d", k);
        if (k != DEVICES - 1) /* the last one is not enrolled: locked by its id */
            CHECK_INT(s->ops->device_register(s, devs[k].id, branch, pk, 1764547200 - 86400),
                      HQ_OK);
    }
    for (int k = 0; k < DEVICES; k++)
        pthread_create(&th[k], NULL, pusher, &devs[k]);
    for (int k = 0; k < DEVICES; k++)
        pthread_join(th[k], NULL);
    hq_store_pg_group_stats(&groups, &pushes);
    for (int k = 0; k < DEVICES; k++) {
        CHECK_MSG(devs[k].ok == PUSHES && devs[k].other == 0, "device %d: %d ok, %d failed",
                  k, devs[k].ok, devs[k].other);
        gaps += devs[k].gap;
        bads += devs[k].bad;
        replays += devs[k].replay;
    }
    CHECK_INT(gaps, (DEVICES + 1) / 3);       /* k = 1, 4, 7, 10 */
    CHECK_INT(bads, DEVICES / 4);             /* k = 2, 6, 10 */
    CHECK_INT(replays, DEVICES);
    /* every push, also those that failed, went through a group; and the held
     * group made the waiting pushers share transactions */
    CHECK_MSG(pushes == (long long)DEVICES * PUSHES + gaps + bads + replays,
              "pushes %lld", pushes);
    CHECK_MSG(groups > 0 && pushes > groups + DEVICES / 2, "%lld pushes in %lld groups",
              pushes, groups);
    printf("group commit: %lld pushes in %lld transactions\n", pushes, groups);

    /* the log: each device's seqs 1..PUSHES*PER_PUSH exactly once; nothing of
     * a failed push (the refused text never made it in) */
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM record WHERE device_id LIKE '00000000%'"),
              (long long)DEVICES * PUSHES * PER_PUSH);
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM (SELECT DISTINCT device_id, epoch, seq FROM record"
                       " WHERE device_id LIKE '00000000%') x"),
              (long long)DEVICES * PUSHES * PER_PUSH);
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM stream WHERE high = 360"), DEVICES);
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM record WHERE record LIKE '%\"id\":1,\"x\"%'"), 0);
    CHECK_INT(broken_streams(c), 0);
    /* the gap's nonce was taken back and used by the corrected push; the
     * bad pushes' nonces are not held (their transaction rolled back) */
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM nonce WHERE nonce LIKE 'bad%'"), 0);
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM nonce WHERE device_id LIKE '00000000%'"),
              (long long)DEVICES * PUSHES);
    /* state: a ticket per 3 records, its newest version (called) */
    CHECK_INT(pg_ll(c, "SELECT count(*) FROM ticket_state WHERE state = 'called'"
                       " AND device_id LIKE '00000000%'"),
              (long long)DEVICES * PUSHES * PER_PUSH / 3);
    CHECK(h_state_replay_check(dsn, NULL) == 0);
    hq_store_close(s);
}

/* ---- part 2: the server, killed before a group's commit ---- */

struct kiosk {
    char path[512];
    int stop;                    /* set when the test is done with it */
    long long batches, errors;
};

static void *kiosk_run(void *arg)
{
    struct kiosk *k = arg;
    sqlite3 *db = h_kiosk_open(k->path);
    char err[256];
    if (!db) {
        k->errors = 1 << 20;
        return NULL;
    }
    for (int i = 0; i < 20000 && !__atomic_load_n(&k->stop, __ATOMIC_SEQ_CST); i++) {
        struct sync_result res;
        memset(&res, 0, sizeof res);
        if (sync_push_once(db, &res, err, sizeof err) != SYNC_OK) {
            k->errors++; /* the server is down or restarting: as a kiosk, try again */
            usleep(20000);
        }
        k->batches += res.batches;
        if (h_int(db, "SELECT count(*) FROM outbox") == 0)
            usleep(10000);
    }
    sqlite3_close(db);
    return NULL;
}

static void part_server(PGconn *c)
{
    struct h_server srv;
    struct kiosk ks[KIOSKS];
    pthread_t th[KIOSKS];
    char url[128], tok[128], err[256], branch[32], name[32], fault[40];
    int port, kills = 0, tries = 0;

    CHECK(h_server_start(&srv, dsn, 0, NULL, "--threads", "12") == 0);
    port = srv.port;
    if (!port)
        return;
    h_url(&srv, url, sizeof url);
    memset(ks, 0, sizeof ks);
    for (int k = 0; k < KIOSKS; k++) {
        sqlite3 *db;
        snprintf(name, sizeof name, "kiosk%d.sqlite", k);
        h_path(ks[k].path, sizeof ks[k].path, name);
        db = h_kiosk_create(ks[k].path);
        CHECK(db != NULL);
        if (!db)
            return;
        snprintf(branch, sizeof branch, "Kiosk %d", k);
        CHECK(h_token(dsn, branch, tok, sizeof tok) == 0);
        CHECK_INT(sync_enroll(db, url, tok, err, sizeof err), SYNC_OK);
        CHECK(h_activity(db, SYNC_BATCH_ROWS, 40 + k) == 0); /* ~4 batches each */
        sqlite3_close(db);
    }
    h_server_stop(&srv, 0);
    srand(4242);
    for (int k = 0; k < KIOSKS; k++)
        pthread_create(&th[k], NULL, kiosk_run, &ks[k]);
    /* three lives that end in kill -9 before a commit, then one that lasts */
    for (int life = 0; life < 4; life++) {
        snprintf(fault, sizeof fault, "kill_in_apply:%d", 2 + rand() % 6);
        if (h_server_start(&srv, dsn, port, life < 3 ? fault : NULL, "--threads", "12") != 0) {
            CHECK(++tries < 50);
            if (tries >= 50)
                break;
            usleep(200000); /* the port is still being let go: try again */
            life--;
            continue;
        }
        if (life < 3) {
            int st = 0;
            waitpid(srv.pid, &st, 0);
            srv.pid = 0;
            kills += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
            /* the kiosks add work meanwhile */
        }
    }
    /* the last life: until every outbox is empty */
    for (int i = 0; i < 6000; i++) {
        long long left = 0;
        for (int k = 0; k < KIOSKS; k++) {
            sqlite3 *db = h_kiosk_open(ks[k].path);
            left += db ? h_int(db, "SELECT count(*) FROM outbox") : 1;
            sqlite3_close(db);
        }
        if (left == 0)
            break;
        usleep(50000);
    }
    for (int k = 0; k < KIOSKS; k++)
        __atomic_store_n(&ks[k].stop, 1, __ATOMIC_SEQ_CST);
    for (int k = 0; k < KIOSKS; k++)
        pthread_join(th[k], NULL);
    h_server_stop(&srv, 0);
    CHECK_INT(kills, 3);
    long long total = 0;
    for (int k = 0; k < KIOSKS; k++) {
        sqlite3 *db = h_kiosk_open(ks[k].path);
        long long rows = 0;
        CHECK(db != NULL);
        if (!db)
            continue;
        CHECK_INT(h_int(db, "SELECT count(*) FROM outbox"), 0);
        CHECK(h_compare(db, dsn, &rows) == 0);
        CHECK_INT(rows, h_int(db, "SELECT count(*) FROM outbox_history"));
        total += rows;
        sqlite3_close(db);
    }
    CHECK_INT(broken_streams(c), 0);
    printf("server killed %d times before a group's commit: %d kiosks, %lld records held"
           " exactly once\n", kills, KIOSKS, total);
}

int main(void)
{
    PGconn *c;
    dsn = getenv("FDHQ_PG_DSN");
    if (!dsn) {
        printf("FDHQ_PG_DSN not set (run through pg_harness.sh): skipped\n");
        return 77;
    }
    sync_wire_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_mkdir("pggroup");
    c = PQconnectdb(dsn);
    CHECK(PQstatus(c) == CONNECTION_OK);
    part_store(c);
    part_server(c);
    PQfinish(c);
    h_rmdir();
    curl_global_cleanup();
    return check_summary();
}
