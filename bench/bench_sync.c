/* bench_sync.c - head-office ingest and kiosk catch-up, measured side by side
 * in one run (issue 5):
 *   1. N simulated kiosks push their outboxes at once, over loopback HTTP, to
 *      frontdesk-hq on SQLite, against a plain bulk INSERT of the same rows
 *      into SQLite with the same durability (the ratio is the figure);
 *   2. the same into PostgreSQL (when frontdesk-hq was built with it), against
 *      a plain COPY of the same rows into the same server, into a table
 *      shaped as the log (record text, the log's key and indexes), fsync
 *      and synchronous_commit on for both; the PostgreSQL server is a
 *      temporary cluster started here;
 *   3. one kiosk catching up after 30 days offline at a busy branch.
 * Usage: bench_sync [kiosks=8] [rows_per_kiosk=5000] [catchup_rows=200000] */
#include "harness.h"
#include "sync.h"
#include "sync_wire.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <pwd.h>

static struct h_server srv;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Fills a kiosk until it holds at least rows outbox rows. */
static void fill(sqlite3 *k, long long rows, int seed)
{
    while (h_int(k, "SELECT count(*) FROM outbox") < rows)
        h_activity(k, 500, seed++);
}

struct kiosk {
    char path[512];
    long long rows;
    double secs;
    int rc;
};

static int make_kiosks(struct kiosk *ks, int n, long long rows, const char *hqdb,
                       const char *tag)
{
    char url[128], tok[128], err[256];
    h_url(&srv, url, sizeof url);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s-k%d.sqlite", tag, i);
        h_path(ks[i].path, sizeof ks[i].path, name);
        sqlite3 *k = h_kiosk_create(ks[i].path);
        if (!k || h_token(hqdb, "Bench", tok, sizeof tok) != 0 ||
            sync_enroll(k, url, tok, err, sizeof err) != 0) {
            fprintf(stderr, "kiosk %d: %s\n", i, err);
            return -1;
        }
        fill(k, rows, i * 1000);
        ks[i].rows = h_int(k, "SELECT count(*) FROM outbox");
        sqlite3_close(k);
    }
    return 0;
}

static void *drain(void *arg)
{
    struct kiosk *k = arg;
    struct sync_result res;
    char err[256];
    sqlite3 *db = h_kiosk_open(k->path);
    double t0 = now_s();
    k->rc = -1;
    for (int i = 0; i < 100000 && db; i++) {
        int rc = sync_round(db, 0, &res, err, sizeof err);
        if (rc == SYNC_OK && h_int(db, "SELECT count(*) FROM outbox") == 0) {
            k->rc = 0;
            break;
        }
        if (rc == SYNC_E_BUSY)
            usleep(res.retry_after > 0 ? 100000 : 10000);
        else if (rc != SYNC_OK)
            fprintf(stderr, "drain: %s\n", err);
    }
    k->secs = now_s() - t0;
    sqlite3_close(db);
    return NULL;
}

/* All kiosks push at once; returns records per second. */
static double ingest(struct kiosk *ks, int n, long long *total)
{
    pthread_t th[64];
    double t0 = now_s();
    *total = 0;
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, drain, &ks[i]);
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        *total += ks[i].rows;
        if (ks[i].rc != 0)
            fprintf(stderr, "kiosk %d did not finish\n", i);
    }
    return (double)*total / (now_s() - t0);
}

/* ---- head office alone: kiosks replaying batches built beforehand ---- */

/* One kiosk's batches, gzipped in advance, so that only signing and HTTP
 * remain on the client side while head office is measured. */
struct prebuilt {
    char dev[65];
    unsigned char sk[64];
    unsigned char *gz[2048];
    size_t len[2048];
    int n;
    long long rows;
    int failed;
};

static int prebuild(const struct kiosk *k, struct prebuilt *p)
{
    sqlite3 *db = h_kiosk_open(k->path);
    sqlite3_stmt *st = NULL;
    cJSON *root = NULL, *recs = NULL;
    long long first = 0;
    int in = 0;
    memset(p, 0, sizeof p->dev + sizeof p->sk);
    p->n = 0;
    p->rows = 0;
    p->failed = 0;
    char err[256];
    if (sync_device_key(db, p->dev, p->sk, err, sizeof err) != SYNC_OK)
        fprintf(stderr, "prebuild: %s\n", err);
    sqlite3_prepare_v2(db, "SELECT seq, epoch, type, schema_version, record FROM outbox"
                           " ORDER BY seq", -1, &st, NULL);
    for (int more = 1; more;) {
        more = sqlite3_step(st) == SQLITE_ROW;
        if ((!more || in == SYNC_BATCH_ROWS) && root) {
            char *txt;
            cJSON_AddItemToObject(root, "records", recs);
            txt = cJSON_PrintUnformatted(root);
            if (p->n < 2048)
                sync_gzip(txt, strlen(txt), &p->gz[p->n], &p->len[p->n]), p->n++;
            cJSON_free(txt);
            cJSON_Delete(root);
            root = NULL;
            in = 0;
        }
        if (!more)
            break;
        if (!root) {
            root = cJSON_CreateObject();
            cJSON_AddStringToObject(root, "device_id", p->dev);
            cJSON_AddNumberToObject(root, "epoch", (double)sqlite3_column_int64(st, 1));
            if (first == 0) {
                first = sqlite3_column_int64(st, 0);
                cJSON_AddNumberToObject(root, "epoch_start", (double)first);
            }
            recs = cJSON_CreateArray();
        }
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "seq", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(r, "type", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(r, "v", sqlite3_column_int(st, 3));
        cJSON_AddItemToObject(r, "record", cJSON_CreateRaw((const char *)sqlite3_column_text(st, 4)));
        cJSON_AddItemToArray(recs, r);
        in++;
        p->rows++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

static size_t sink(char *d, size_t s, size_t n, void *ctx)
{
    (void)d;
    (void)ctx;
    return s * n;
}

static void *replay(void *arg)
{
    struct prebuilt *p = arg;
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/push", srv.port);
    for (int i = 0; i < p->n; i++) {
        struct curl_slist *h = NULL;
        char line[300], nonce[SYNC_NONCE_HEX + 1], sig[SYNC_SIG_HEX + 1];
        long long ts = (long long)time(NULL);
        long status = 0;
        sync_nonce(nonce);
        sync_sign(p->sk, "POST", "/v1/push", p->gz[i], p->len[i], p->dev, ts, nonce, sig);
        snprintf(line, sizeof line, "X-FD-Device: %s", p->dev);
        h = curl_slist_append(h, line);
        snprintf(line, sizeof line, "X-FD-Timestamp: %lld", ts);
        h = curl_slist_append(h, line);
        snprintf(line, sizeof line, "X-FD-Nonce: %s", nonce);
        h = curl_slist_append(h, line);
        snprintf(line, sizeof line, "X-FD-Signature: %s", sig);
        h = curl_slist_append(h, line);
        h = curl_slist_append(h, "Content-Encoding: gzip");
        h = curl_slist_append(h, "Expect:");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->gz[i]);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len[i]);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        if (status == 429 || status == 503) {
            usleep(20000);
            i--; /* the same batch again */
            continue;
        }
        if (status != 200)
            p->failed++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* Head office alone: n kiosks' prebuilt batches at once; records per second. */
static double ingest_server(struct kiosk *ks, int n, long long *total)
{
    static struct prebuilt pb[64];
    pthread_t th[64];
    double t0;
    *total = 0;
    for (int i = 0; i < n; i++) {
        prebuild(&ks[i], &pb[i]);
        *total += pb[i].rows;
    }
    t0 = now_s();
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, replay, &pb[i]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    double rate = (double)*total / (now_s() - t0);
    for (int i = 0; i < n; i++) {
        if (pb[i].failed)
            fprintf(stderr, "kiosk %d: %d batches refused\n", i, pb[i].failed);
        for (int b = 0; b < pb[i].n; b++)
            free(pb[i].gz[b]);
    }
    return rate;
}

/* The rows the kiosks pushed (from their history copies), for the baselines. */
struct row {
    char dev[40];
    long long epoch, seq;
    char type[24];
    int v;
    char *json;
};

static struct row *load_rows(struct kiosk *ks, int n, long long *count)
{
    long long cap = 0;
    struct row *rows = NULL;
    *count = 0;
    for (int i = 0; i < n; i++) {
        sqlite3 *db = h_kiosk_open(ks[i].path);
        sqlite3_stmt *st = NULL;
        char dev[40] = "";
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'device_id'", -1, &st, NULL);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(dev, sizeof dev, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_prepare_v2(db, "SELECT epoch, seq, type, schema_version, record FROM outbox_history",
                           -1, &st, NULL);
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (*count == cap) {
                cap = cap ? cap * 2 : 65536;
                rows = realloc(rows, (size_t)cap * sizeof *rows);
            }
            struct row *r = &rows[(*count)++];
            snprintf(r->dev, sizeof r->dev, "%s", dev);
            r->epoch = sqlite3_column_int64(st, 0);
            r->seq = sqlite3_column_int64(st, 1);
            snprintf(r->type, sizeof r->type, "%s", (const char *)sqlite3_column_text(st, 2));
            r->v = sqlite3_column_int(st, 3);
            r->json = strdup((const char *)sqlite3_column_text(st, 4));
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    return rows;
}

/* Plain SQLite: INSERTs into a keyed table, WAL + FULL, committing every
 * per_tx rows (0 = one transaction for all). */
static double sqlite_plain(struct row *rows, long long n, long long per_tx)
{
    char path[512];
    sqlite3 *db;
    sqlite3_stmt *st;
    double t0;
    snprintf(path, sizeof path, "%s/plain-%lld.sqlite", h_dir, per_tx);
    sqlite3_open(path, &db);
    h_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE record (device_id TEXT, epoch INTEGER, seq INTEGER, type TEXT,"
               " schema_version INTEGER, record TEXT, received_at INTEGER,"
               " PRIMARY KEY (device_id, epoch, seq)) WITHOUT ROWID");
    t0 = now_s();
    h_exec(db, "BEGIN");
    sqlite3_prepare_v2(db, "INSERT INTO record VALUES (?, ?, ?, ?, ?, ?, 0)", -1, &st, NULL);
    for (long long i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, rows[i].dev, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rows[i].epoch);
        sqlite3_bind_int64(st, 3, rows[i].seq);
        sqlite3_bind_text(st, 4, rows[i].type, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, rows[i].v);
        sqlite3_bind_text(st, 6, rows[i].json, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
        if (per_tx && (i + 1) % per_tx == 0)
            h_exec(db, "COMMIT; BEGIN");
    }
    sqlite3_finalize(st);
    h_exec(db, "COMMIT");
    double r = (double)n / (now_s() - t0);
    sqlite3_close(db);
    return r;
}

/* ---- a temporary PostgreSQL cluster ---- */

static char pg_dir[600], pg_bin[256];
static int pg_port;

static int run(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* initdb + pg_ctl start on a unix socket in the temp dir (as the postgres
 * user when running as root: PostgreSQL refuses root). Returns 0 or -1. */
static int pg_start(char *dsn, size_t len)
{
    char cmd[4096], as[64] = "";
    const char *bins[] = {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                          "/usr/local/bin", "/usr/bin"};
    for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s/initdb", bins[i]);
        if (access(cmd, X_OK) == 0) {
            snprintf(pg_bin, sizeof pg_bin, "%s", bins[i]);
            break;
        }
    }
    if (!pg_bin[0])
        return -1;
    h_path(pg_dir, sizeof pg_dir, "pg");
    if (geteuid() == 0) {
        if (!getpwnam("postgres"))
            return -1;
        snprintf(as, sizeof as, "runuser -u postgres -- ");
        snprintf(cmd, sizeof cmd, "chmod 755 '%s' && mkdir -p '%s' && chown postgres '%s'",
                 h_dir, pg_dir, pg_dir);
        if (run(cmd) != 0)
            return -1;
    }
    pg_port = 20000 + (int)(getpid() % 20000);
    snprintf(cmd, sizeof cmd,
             "%s'%s/initdb' -D '%s' -U postgres --auth=trust -E UTF8 >/dev/null 2>&1 && "
             "%s'%s/pg_ctl' -D '%s' -o \"-k '%s' -p %d -c listen_addresses='' "
             "-c fsync=on -c synchronous_commit=on\" -l '%s/log' -w start >/dev/null 2>&1",
             as, pg_bin, pg_dir, as, pg_bin, pg_dir, pg_dir, pg_port, pg_dir);
    if (run(cmd) != 0)
        return -1;
    snprintf(dsn, len, "postgresql://postgres@/postgres?host=%s&port=%d", pg_dir, pg_port);
    return 0;
}

static void pg_stop(void)
{
    char cmd[1024];
    if (!pg_bin[0] || !pg_dir[0])
        return;
    snprintf(cmd, sizeof cmd, "%s'%s/pg_ctl' -D '%s' -m fast stop >/dev/null 2>&1",
             geteuid() == 0 ? "runuser -u postgres -- " : "", pg_bin, pg_dir);
    run(cmd);
}

/* Plain COPY of the rows into a table shaped as head office's log (the
 * yardstick for ingest): like_log, a table LIKE record INCLUDING ALL (the
 * same columns and types - record is text, as head office stores it, not
 * jsonb, which made the ratio look 1.8-2x better than it was -, the same
 * key and indexes; run after frontdesk-hq made its schema); without it the
 * same columns, types and key written out. */
static double pg_copy(const char *dsn, struct row *rows, long long n, int like_log)
{
    PGconn *c = PQconnectdb(dsn);
    PGresult *r;
    double t0, rate = 0;
    char *buf = malloc(1 << 20);
    size_t used = 0;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg: %s", PQerrorMessage(c));
        goto out;
    }
    PQclear(PQexec(c, "DROP TABLE IF EXISTS bench_copy"));
    r = PQexec(c, like_log ? "CREATE TABLE bench_copy (LIKE record INCLUDING ALL)"
                           : "CREATE TABLE bench_copy (device_id text, epoch bigint,"
                             " seq bigint, type text, schema_version int, record text,"
                             " received_at bigint, PRIMARY KEY (device_id, epoch, seq,"
                             " received_at))");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "pg: %s", PQerrorMessage(c));
        PQclear(r);
        goto out;
    }
    PQclear(r);
    t0 = now_s();
    r = PQexec(c, "COPY bench_copy FROM STDIN");
    PQclear(r);
    for (long long i = 0; i < n; i++) {
        char line[64];
        size_t need = strlen(rows[i].json) * 2 + 200;
        if (used + need > (1 << 20)) {
            PQputCopyData(c, buf, (int)used);
            used = 0;
        }
        int k = snprintf(buf + used, need, "%s\t%lld\t%lld\t%s\t%d\t", rows[i].dev,
                         rows[i].epoch, rows[i].seq, rows[i].type, rows[i].v);
        used += (size_t)k;
        for (const char *p = rows[i].json; *p; p++) { /* COPY text escapes */
            if (*p == '\\' || *p == '\t' || *p == '\n' || *p == '\r')
                buf[used++] = '\\';
            buf[used++] = *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p;
        }
        snprintf(line, sizeof line, "\t0\n");
        memcpy(buf + used, line, 3);
        used += 3;
    }
    if (used)
        PQputCopyData(c, buf, (int)used);
    PQputCopyEnd(c, NULL);
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "copy: %s", PQerrorMessage(c));
    else
        rate = (double)n / (now_s() - t0);
    PQclear(r);
out:
    free(buf);
    PQfinish(c);
    return rate;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 8;
    long long per = argc > 2 ? atoll(argv[2]) : 5000;
    long long catchup = argc > 3 ? atoll(argv[3]) : 200000;
    struct kiosk ks[64];
    char hqdb[512], dsn[700];
    long long total, nrows;
    double hq_rate, plain_rate;
    struct row *rows;

    if (n < 1 || n > 64)
        n = 8;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_mkdir("bench");
    printf("bench_sync: %d kiosks x %lld rows, catch-up %lld rows (2 cores shared)\n", n, per,
           catchup);

    /* 1. SQLite backend. */
    h_path(hqdb, sizeof hqdb, "hq.sqlite");
    if (h_server_start(&srv, hqdb, 0, NULL, "--threads", "4") != 0)
        return 1;
    if (make_kiosks(ks, n, per, hqdb, "s") != 0)
        return 1;
    hq_rate = ingest(ks, n, &total);
    rows = load_rows(ks, n, &nrows);
    double alone = 0;
    long long alone_rows = 0;
    {
        /* Head office alone: the same kiosks' rows again, to a fresh database. */
        struct kiosk kq[64];
        long long t2;
        char db2[512];
        h_server_stop(&srv, 0);
        h_path(db2, sizeof db2, "hq-server-only.sqlite");
        if (h_server_start(&srv, db2, 0, NULL, "--threads", "4") == 0 &&
            make_kiosks(kq, n, per, db2, "q") == 0) {
            alone = ingest_server(kq, n, &t2);
            alone_rows = t2;
        }
    }
    plain_rate = sqlite_plain(rows, nrows, 0);
    double batch_rate = sqlite_plain(rows, nrows, SYNC_BATCH_ROWS);
    printf("sqlite: frontdesk-hq ingest %8.0f rec/s (%lld records, %d kiosks, HTTP+gzip+Ed25519)\n",
           hq_rate, total, n);
    printf("sqlite: plain INSERT, 1 tx  %8.0f rec/s -> ratio %.2f\n", plain_rate,
           hq_rate / plain_rate);
    printf("sqlite: plain INSERT, tx/%d %8.0f rec/s -> ratio %.2f (same commits as sync)\n",
           SYNC_BATCH_ROWS, batch_rate, hq_rate / batch_rate);
    printf("sqlite: head office alone   %8.0f rec/s (%lld records; batches built beforehand,"
           " kiosks only sign and send) -> ratio %.2f to tx/%d\n",
           alone, alone_rows, alone / batch_rate, SYNC_BATCH_ROWS);
    h_server_stop(&srv, 0);

    /* 2. PostgreSQL. */
    if (pg_start(dsn, sizeof dsn) == 0) {
#ifdef HQ_HAVE_PG
        struct kiosk kp[64];
        double copy_rate = 0;
        if (h_server_start(&srv, dsn, 0, NULL, "--threads", "4") == 0 &&
            (copy_rate = pg_copy(dsn, rows, nrows, 1)) > 0 &&
            make_kiosks(kp, n, per, dsn, "p") == 0) {
            double pg_rate = ingest(kp, n, &total);
            printf("pg:     frontdesk-hq ingest %8.0f rec/s (%lld records, %d kiosks)\n", pg_rate,
                   total, n);
            printf("pg:     plain COPY          %8.0f rec/s -> ratio %.2f (into a table like"
                   " the log: record text, its key and indexes; one transaction)\n", copy_rate,
                   pg_rate / copy_rate);
            struct kiosk kq[64];
            long long t2;
            if (make_kiosks(kq, n, per, dsn, "pq") == 0) {
                double r2 = ingest_server(kq, n, &t2);
                printf("pg:     head office alone   %8.0f rec/s (%lld records) -> ratio %.2f"
                       " to COPY\n", r2, t2, r2 / copy_rate);
            }
            h_server_stop(&srv, 0);
        }
#else
        printf("pg:     plain COPY          %8.0f rec/s (frontdesk-hq built without "
               "PostgreSQL: no ingest figure)\n",
               pg_copy(dsn, rows, nrows, 0));
#endif
        pg_stop();
    } else {
        printf("pg:     no PostgreSQL cluster could be started here: skipped\n");
    }
    for (long long i = 0; i < nrows; i++)
        free(rows[i].json);
    free(rows);

    /* 3. One kiosk, 30 days offline at a busy branch. */
    h_path(hqdb, sizeof hqdb, "hq-catchup.sqlite");
    if (h_server_start(&srv, hqdb, 0, NULL, "--threads", "2") == 0 &&
        make_kiosks(ks, 1, catchup, hqdb, "c") == 0) {
        double rate = ingest(ks, 1, &total);
        printf("catch-up: %lld records after 30 days offline: %.1f s (%.0f rec/s)\n", total,
               ks[0].secs, rate);
        h_server_stop(&srv, 0);
    }
    h_rmdir();
    curl_global_cleanup();
    return 0;
}
