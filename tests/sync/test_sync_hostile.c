/* test_sync_hostile.c - the kiosk keeps syncing through what issue 16 found
 * (a real frontdesk-hq on loopback, kiosk stores with the real schema):
 * - a pull answer past the kiosk's cap fails saying so, not "unreachable";
 * - a push answer whose `high` is past the batch forgets only what was sent,
 *   and one past every seq the kiosk ever numbered is a protocol error that
 *   deletes nothing (a fake head office on loopback answers them);
 * - a corrupt outbox row (not JSON) is quarantined at head office and
 *   acknowledged: the rows after it arrive, the outbox empties;
 * - a directory list edited twelve times (480 hosts) reaches a new kiosk: the
 *   pull page is bounded in bytes and superseded list values are left out;
 * - a revoked kiosk enrols again with a new token and carries on with its
 *   history (every row at head office exactly once);
 * - head office restored from an older backup: rows the kiosk still holds
 *   are resent; rows nobody holds any more are recorded as lost (a sync_gap
 *   audit) and the kiosk goes on in a new epoch instead of `409 gap` forever.
 * FDHQ_TEST_DB runs it on PostgreSQL (tests/hq/pg.cmake) except the restore,
 * which copies the SQLite file. */
#include "check.h"
#include "harness.h"
#include "store.h"
#include "sync.h"
#include "sync_wire.h"

#include <microhttpd.h>
#include <netinet/in.h>

/* ---- a fake head office that acknowledges more than it was sent ---- */

static long long fake_high; /* what it answers */

struct fake {
    char *body;
    size_t len;
};

static enum MHD_Result fake_handle(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version,
                                   const char *upload, size_t *upload_size, void **con_cls)
{
    struct fake *f = *con_cls;
    (void)cls, (void)method, (void)version, (void)upload;
    if (!f) {
        *con_cls = calloc(1, sizeof *f);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        *upload_size = 0; /* the batch itself does not matter here */
        return MHD_YES;
    }
    if (strcmp(url, "/v1/pull") == 0) { /* an answer past the kiosk's cap */
        size_t n = SYNC_PLAIN_MAX + 4096;
        char *big = malloc(n);
        if (!big)
            return MHD_NO;
        memset(big, ' ', n);
        memcpy(big, "{\"changes\":[", 12);
        struct MHD_Response *r = MHD_create_response_from_buffer(n, big, MHD_RESPMEM_MUST_FREE);
        enum MHD_Result rc = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return rc;
    }
    char ans[128];
    snprintf(ans, sizeof ans, "{\"high\":%lld,\"applied\":1,\"ignored\":0,\"quarantined\":0}",
             fake_high);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(ans), (void *)ans,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static void fake_done(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static int count_one(void *ctx, const struct hq_held *h)
{
    long long *c = ctx;
    c[0]++;
    c[1] += h->quarantined;
    return 0;
}

/* Rows head office holds for dev (any epoch); quarantined ones into *quarantined. */
static long long hq_count(const char *hqdb, const char *dev, long long *quarantined)
{
    struct hq_store *s = NULL;
    long long c[2] = {0, 0};
    char err[256];
    int rc;
    if (hq_store_open(hqdb, &s, err, sizeof err) != HQ_OK)
        return -1;
    rc = s->ops->records(s, dev, 0, 0, 1 << 30, count_one, c);
    hq_store_close(s);
    if (quarantined)
        *quarantined = c[1];
    return rc == HQ_OK ? c[0] : -1;
}

static void device_of(sqlite3 *k, char *dev, size_t len)
{
    sqlite3_stmt *st = NULL;
    dev[0] = '\0';
    if (sqlite3_prepare_v2(k, "SELECT value FROM meta WHERE key = 'device_id'", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(dev, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* A kiosk store (all of core's migrations) enrolled at url for branch. */
static struct fd_store *kiosk(const char *name, const char *hqdb, const char *url,
                              const char *branch)
{
    struct fd_store *st = NULL;
    char path[512], err[512], tok[128];
    h_path(path, sizeof path, name);
    if (store_open(path, &st, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        return NULL;
    }
    h_history(store_db(st));
    h_exec(store_db(st), "INSERT INTO service(id, code, name_zh, name_en) VALUES (1, 'A', 'A',"
                         " 'A'), (2, 'B', 'B', 'B'); INSERT INTO counter(id, name) VALUES (1,"
                         " 'c1'); INSERT INTO host(id, name) VALUES (1, 'h');");
    if (h_token(hqdb, branch, tok, sizeof tok) != 0 ||
        sync_enroll(store_db(st), url, tok, err, sizeof err) != SYNC_OK) {
        fprintf(stderr, "kiosk enrol: %s\n", err);
        store_close(st);
        return NULL;
    }
    return st;
}

static void test_high_beyond_batch(const char *hqdb, const char *url)
{
    struct sync_result res;
    struct fd_store *st = kiosk("high.sqlite", hqdb, url, "High");
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    char err[512], sql[256];
    CHECK(st != NULL);
    if (!st)
        return;
    sqlite3 *k = store_db(st);
    CHECK(h_activity(k, 20, 7) == 0);
    long long held = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(held > 20);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_handle, NULL,
                         MHD_OPTION_NOTIFY_COMPLETED, fake_done, NULL, MHD_OPTION_END);
    CHECK(d != NULL);
    if (!d) {
        store_close(st);
        return;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(sql, sizeof sql, "UPDATE sync_state SET hq_url = 'http://127.0.0.1:%u'",
             info ? (unsigned)info->port : 0);
    CHECK(h_exec(k, sql) == 0);
    struct sync_result r1 = {.batch_rows = 10};
    long long top = h_int(k, "SELECT max(seq) FROM outbox");
    /* acknowledged up to a seq the kiosk holds but did not send: only the
     * ten rows sent are forgotten (before: every row up to high) */
    fake_high = top - 3;
    res = r1;
    int rc = sync_push_once(k, &res, err, sizeof err);
    CHECK_MSG(rc == SYNC_OK, "%d: %s", rc, err);
    CHECK_INT(res.pushed, 10);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), held - 10);
    /* acknowledged past every seq this kiosk ever numbered: a protocol
     * error, nothing deleted */
    fake_high = top + 77;
    res = r1;
    rc = sync_push_once(k, &res, err, sizeof err);
    CHECK_INT(rc, SYNC_E_SERVER);
    CHECK_MSG(strstr(err, "protocol error") != NULL, "%s", err);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), held - 10);
    /* a pull answer past the kiosk's cap: the error says so (it said
     * "head office unreachable" while pushes looked healthy) */
    res = r1;
    rc = sync_pull(k, &res, err, sizeof err);
    CHECK(rc != SYNC_OK);
    CHECK_MSG(strstr(err, "larger than") && !strstr(err, "unreachable"), "%s", err);
    MHD_stop_daemon(d);
    store_close(st);
}

static void test_corrupt_row(const char *hqdb, const char *url)
{
    struct sync_result res;
    struct fd_store *st = kiosk("corrupt.sqlite", hqdb, url, "Corrupt");
    char err[512], dev[80];
    long long q = 0;
    CHECK(st != NULL);
    if (!st)
        return;
    sqlite3 *k = store_db(st);
    device_of(k, dev, sizeof dev);
    CHECK(h_activity(k, 10, 8) == 0);
    /* a damaged row in the middle: not JSON, and not even UTF-8 (what a
     * damaged page reads as; the index over the record's JSON would refuse
     * to write it, so it goes first) */
    CHECK(h_exec(k, "DROP INDEX IF EXISTS outbox_visitor") == 0);
    CHECK(h_exec(k, "UPDATE outbox SET record = '{\"id\":1,\"name\":\"' || x'ff' || 'broken'"
                    " WHERE seq = (SELECT min(seq) + 3 FROM outbox)") == 0);
    long long total = h_int(k, "SELECT count(*) FROM outbox");
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_MSG(res.pushed == total, "%lld of %lld: %s", (long long)res.pushed, total, err);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK_INT(hq_count(hqdb, dev, &q), total);
    CHECK_INT(q, 1);
    store_close(st);
}

static void test_big_directory(const char *hqdb, const char *url)
{
    struct sync_result res;
    struct fd_store *st;
    char err[512], *args, path[512];
    size_t cap = 1 << 20;
    FILE *f;

    /* twelve edits of a 480-host directory: ~90 KB each, > 1 MiB together */
    args = malloc(cap);
    CHECK(args != NULL);
    if (!args)
        return;
    for (int edit = 0; edit < 12; edit++) {
        size_t n = 0;
        n += (size_t)snprintf(args + n, cap - n, "[");
        for (int i = 0; i < 480; i++)
            n += (size_t)snprintf(args + n, cap - n,
                                  "%s{\"id\":%d,\"name\":\"Host %d of the directory, edit %d\","
                                  "\"department\":\"Department of long names number %d\","
                                  "\"active\":1}",
                                  i ? "," : "", i + 1, i + 1, edit, i % 40);
        snprintf(args + n, cap - n, "]");
        h_path(path, sizeof path, "hosts.json");
        f = fopen(path, "w");
        CHECK(f != NULL);
        if (!f)
            break;
        fputs(args, f);
        fclose(f);
        char cmd[1600];
        snprintf(cmd, sizeof cmd, "--db '%s' config set --branch Dir hosts \"$(cat '%s')\"",
                 hqdb, path);
        CHECK_INT(h_hq_cmd(cmd, NULL, 0), 0);
    }
    free(args);
    st = kiosk("dir.sqlite", hqdb, url, "Dir");
    CHECK(st != NULL);
    if (!st)
        return;
    sqlite3 *k = store_db(st);
    int rc = sync_round(k, 0, &res, err, sizeof err);
    CHECK_MSG(rc == SYNC_OK, "%d: %s", rc, err);
    /* the newest list, once: eleven superseded values were left out */
    CHECK_INT(h_int(k, "SELECT count(*) FROM host WHERE active = 1 AND name LIKE"
                       " '%edit 11'"), 480);
    CHECK(res.pulled >= 1 && res.pulled < 12);
    store_close(st);
}

static void test_reenrol(const char *hqdb, const char *url)
{
    struct sync_result res;
    struct fd_store *st = kiosk("reenrol.sqlite", hqdb, url, "Again");
    char err[512], dev[80], args[1200], tok[128];
    CHECK(st != NULL);
    if (!st)
        return;
    sqlite3 *k = store_db(st);
    device_of(k, dev, sizeof dev);
    CHECK(h_activity(k, 30, 9) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    snprintf(args, sizeof args, "--db '%s' revoke %s", hqdb, dev);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 0);
    CHECK(h_activity(k, 30, 10) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_E_REFUSED);
    CHECK_MSG(strstr(err, "revoked") != NULL, "%s", err);
    /* a token of another branch cannot take the device id over */
    CHECK(h_token(hqdb, "Elsewhere", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_E_REFUSED);
    CHECK_MSG(strstr(err, "device_exists") != NULL, "%s", err);
    /* a fresh token: the same device id, a new key, its history kept */
    CHECK(h_token(hqdb, "Again", tok, sizeof tok) == 0);
    int rc = sync_enroll(k, url, tok, err, sizeof err);
    CHECK_MSG(rc == SYNC_OK, "%d: %s", rc, err);
    CHECK(h_activity(k, 30, 11) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(h_compare(k, hqdb, NULL) == 0);
    store_close(st);
}

/* Head office restored from last night's backup (SQLite file copy). */
static void test_hq_restore(void)
{
    struct h_server srv;
    struct sync_result res;
    struct fd_store *st;
    char hqdb[512], bak[512], url[128], err[512], dev[80], cmd[2600];
    h_path(hqdb, sizeof hqdb, "restore-hq.sqlite");
    h_path(bak, sizeof bak, "restore-hq.backup");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    st = kiosk("restore-k.sqlite", hqdb, url, "Restored");
    CHECK(st != NULL);
    if (!st) {
        h_server_stop(&srv, 0);
        return;
    }
    sqlite3 *k = store_db(st);
    device_of(k, dev, sizeof dev);
    CHECK(h_activity(k, 40, 12) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    long long at_backup = hq_count(hqdb, dev, NULL);
    /* last night's backup (the server is stopped to copy it consistently) */
    h_server_stop(&srv, 0);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \".backup '%s'\"", hqdb, bak);
    CHECK_INT(system(cmd), 0);
    CHECK(h_server_start(&srv, hqdb, srv.port, NULL, NULL, NULL) == 0);
    /* a day of work head office acknowledged, then rows not yet sent */
    CHECK(h_activity(k, 40, 13) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    long long lost = hq_count(hqdb, dev, NULL) - at_backup;
    CHECK(lost > 0);
    CHECK(h_activity(k, 40, 14) == 0);
    long long held = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(held > 0);
    /* the disk died; head office comes back from the backup */
    h_server_stop(&srv, 0);
    snprintf(cmd, sizeof cmd, "rm -f '%s-wal' '%s-shm' && cp '%s' '%s'", hqdb, hqdb, bak, hqdb);
    CHECK_INT(system(cmd), 0);
    CHECK(h_server_start(&srv, hqdb, srv.port, NULL, NULL, NULL) == 0);
    CHECK_INT(hq_count(hqdb, dev, NULL), at_backup);
    int rc = sync_round(k, 0, &res, err, sizeof err);
    CHECK_MSG(rc == SYNC_OK, "%d: %s", rc, err);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    /* every row the kiosk still held arrived, plus the audit of the loss */
    CHECK_INT(hq_count(hqdb, dev, NULL), at_backup + held + 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_gap'"), 1);
    CHECK_INT(h_int(k, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'epoch'"), 2);
    /* and it keeps going */
    CHECK(h_activity(k, 10, 15) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    store_close(st);
    h_server_stop(&srv, 0);
}

int main(void)
{
    struct h_server srv;
    char hqdb[512], url[128];

    h_mkdir("hostile-sync");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);

    test_high_beyond_batch(hqdb, url);
    test_corrupt_row(hqdb, url);
    test_big_directory(hqdb, url);
    test_reenrol(hqdb, url);
    h_server_stop(&srv, 0);
    if (h_hq_is_sqlite(hqdb))
        test_hq_restore();
    h_rmdir();
    return check_summary();
}
