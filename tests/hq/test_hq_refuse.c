/* test_hq_refuse.c - head office refuses what it must, over real HTTP, and
 * writes nothing when it does: unsigned, forged, tampered, stale and replayed
 * requests, unknown and revoked devices, oversize bodies and gzip bombs,
 * malformed JSON, wrong types, truncated gzip, wrong encoding, too many
 * records, a body naming another device, a gap (409 with the seq expected);
 * bad records go to quarantine and are still acknowledged; over the in-flight
 * cap the answer is 503 with Retry-After; /health and /metrics answer. */
#include "check.h"
#include "harness.h"
#include "http_client.h"
#include "sync.h"
#include "sync_wire.h"

#include <arpa/inet.h>
#include <poll.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

static struct h_server srv;
static char hqdb[512];

struct dev {
    char id[65];
    unsigned char sk[64];
};

/* Everything head office could have written, as one comparable string:
 * through the store interface, and on SQLite every table too (nonces, streams,
 * tokens). */
static void snapshot(char *out, size_t len)
{
    sqlite3 *db = NULL;
    char generic[1024];
    h_hq_snapshot(hqdb, generic);
    if (!h_hq_is_sqlite(hqdb)) {
        snprintf(out, len, "%s", generic);
        return;
    }
    sqlite3_open_v2(hqdb, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_busy_timeout(db, 5000);
    snprintf(out, len, "%.600s rec=%lld q=%lld stream=%lld/%lld nonce=%lld cmp=%lld dev=%lld tok=%lld",
             generic,
             h_int(db, "SELECT count(*) FROM record"), h_int(db, "SELECT count(*) FROM quarantine"),
             h_int(db, "SELECT count(*) FROM stream"),
             h_int(db, "SELECT coalesce(sum(high), 0) FROM stream"),
             h_int(db, "SELECT count(*) FROM nonce"), h_int(db, "SELECT count(*) FROM complaint"),
             h_int(db, "SELECT count(*) FROM device"),
             h_int(db, "SELECT count(*) FROM enroll_token WHERE used_at IS NULL"));
    sqlite3_close(db);
}

struct resp {
    long status;
    char body[4096];
    size_t len;
    int retry_after;
};

/* The answer as these checks read it: status, the start of the body, and
 * Retry-After. */
static struct resp answer(const struct http_answer *a)
{
    struct resp r = {.status = a->status};
    char v[32];
    r.len = a->len < sizeof r.body - 1 ? a->len : sizeof r.body - 1;
    memcpy(r.body, a->body, r.len);
    r.body[r.len] = '\0';
    r.retry_after = atoi(http_header(a, "Retry-After", v, sizeof v));
    return r;
}

/* How a request is to be spoiled. */
struct how {
    int unsigned_;            /* send no signature headers */
    long long ts_shift;       /* added to the timestamp */
    const char *nonce;        /* fixed nonce (replays), NULL = fresh */
    const unsigned char *sign_with; /* another key */
    const char *device;       /* claim another device id */
    int no_encoding;          /* omit Content-Encoding */
    int tamper;               /* flip a byte after signing */
    const char *path;         /* default /v1/push */
};

static struct resp request(const struct dev *d, const void *body, size_t len, struct how h)
{
    struct resp r = {0};
    struct http_answer *a = malloc(sizeof *a);
    const char *hl[8];
    char hdev[300], hts[300], hnonce[300], hsig[300], nonce[40],
        sig[SYNC_SIG_HEX + 1];
    const char *path = h.path ? h.path : "/v1/push";
    const char *dev = h.device ? h.device : d->id;
    long long ts = (long long)time(NULL) + h.ts_shift;
    unsigned char *copy = malloc(len + 1);
    int n = 0;

    memcpy(copy, body, len);
    if (h.nonce)
        snprintf(nonce, sizeof nonce, "%s", h.nonce);
    else
        sync_nonce(nonce);
    sync_sign(h.sign_with ? h.sign_with : d->sk, "POST", path, copy, len, dev, ts, nonce, sig);
    if (h.tamper && len > 20)
        copy[len / 2] ^= 0x01;
    if (!h.unsigned_) {
        snprintf(hdev, sizeof hdev, "X-FD-Device: %s", dev);
        snprintf(hts, sizeof hts, "X-FD-Timestamp: %lld", ts);
        snprintf(hnonce, sizeof hnonce, "X-FD-Nonce: %s", nonce);
        snprintf(hsig, sizeof hsig, "X-FD-Signature: %s", sig);
        hl[n++] = hdev, hl[n++] = hts, hl[n++] = hnonce, hl[n++] = hsig;
    }
    if (!h.no_encoding && strcmp(path, "/v1/push") == 0)
        hl[n++] = "Content-Encoding: gzip";
    hl[n++] = "Expect:";
    hl[n] = NULL;
    struct http_request rq = {.headers = hl, .body = copy, .body_len = (long long)len,
                              .timeout_s = 30};
    if (a) {
        http_ask(a, srv.port, path, &rq);
        r = answer(a);
    }
    free(a);
    free(copy);
    return r;
}

static struct resp get(const char *path)
{
    struct resp r = {0};
    struct http_answer *a = malloc(sizeof *a);
    if (a) {
        http_ask(a, srv.port, path, NULL);
        r = answer(a);
    }
    free(a);
    return r;
}

/* A push body (plain JSON) of n records from seq first, gzipped into *gz. */
static size_t batch(const struct dev *d, long long epoch, long long first, int n,
                    const char *extra, unsigned char **gz)
{
    size_t cap = 200 + (size_t)n * 200, len = 0, gl = 0;
    char *p = malloc(cap);
    len += (size_t)snprintf(p + len, cap - len, "{\"device_id\":\"%s\",\"epoch\":%lld%s,\"records\":[",
                            d->id, epoch, extra ? extra : "");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(p + len, cap - len,
                                "%s{\"seq\":%lld,\"type\":\"audit\",\"v\":1,\"record\":{\"id\":%lld,"
                                "\"at\":1,\"actor\":\"t\",\"action\":\"x\"}}",
                                i ? "," : "", first + i, first + i);
    len += (size_t)snprintf(p + len, cap - len, "]}");
    sync_gzip(p, len, gz, &gl);
    free(p);
    return gl;
}

static size_t gz_of(const char *plain, unsigned char **gz)
{
    size_t gl = 0;
    sync_gzip(plain, strlen(plain), gz, &gl);
    return gl;
}

/* Enrols a kiosk database and returns its id and secret key. */
static int enrol(const char *name, struct dev *d)
{
    char kdb[512], url[128], tok[128], err[256];
    sqlite3 *k;
    int ok = -1;
    h_path(kdb, sizeof kdb, name);
    k = h_kiosk_create(kdb);
    h_url(&srv, url, sizeof url);
    if (!k || h_token(hqdb, "Refuse", tok, sizeof tok) != 0 ||
        sync_enroll(k, url, tok, err, sizeof err) != 0) {
        fprintf(stderr, "enrol: %s\n", err);
        sqlite3_close(k);
        return -1;
    }
    ok = sync_device_key(k, d->id, d->sk, err, sizeof err) == SYNC_OK ? 0 : -1;
    sqlite3_close(k);
    return ok;
}

/* Counts held rows not in quarantine. */
static int count_held(void *ctx, const struct hq_held *h)
{
    if (!h->quarantined)
        (*(long long *)ctx)++;
    return 0;
}

static int has(const struct resp *r, const char *code)
{
    return strstr(r->body, code) != NULL;
}

int main(void)
{
    struct dev d, other;
    struct resp r;
    unsigned char *gz = NULL, pk2[32], sk2[64];
    size_t gl;
    char before[1400], after[1400];
    char nonce[40];

    sync_wire_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_mkdir("refuse");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    CHECK(enrol("k1.sqlite", &d) == 0);
    CHECK(enrol("k2.sqlite", &other) == 0);
    crypto_sign_keypair(pk2, sk2);

    r = get("/health");
    CHECK_INT(r.status, 200);
    CHECK(has(&r, "\"ok\""));

    /* A good push first, so the refusals below have something to disturb. */
    gl = batch(&d, 1, 1, 10, NULL, &gz);
    r = request(&d, gz, gl, (struct how){0});
    CHECK_INT(r.status, 200);
    CHECK(has(&r, "\"high\":10"));
    snapshot(before, sizeof before);

    /* Each refusal: right status and code, nothing written. */
    free(gz);
    gl = batch(&d, 1, 11, 5, NULL, &gz);
    r = request(&d, gz, gl, (struct how){.unsigned_ = 1});
    CHECK_INT(r.status, 401);
    CHECK(has(&r, "unsigned"));
    r = request(&d, gz, gl, (struct how){.sign_with = sk2});
    CHECK_INT(r.status, 401);
    CHECK(has(&r, "bad_signature"));
    r = request(&d, gz, gl, (struct how){.tamper = 1});
    CHECK_INT(r.status, 401);
    CHECK(has(&r, "bad_signature"));
    r = request(&d, gz, gl, (struct how){.ts_shift = -SYNC_TS_WINDOW - 60});
    CHECK_INT(r.status, 401);
    CHECK(has(&r, "stale_timestamp") && has(&r, "server_time"));
    r = request(&d, gz, gl, (struct how){.ts_shift = 86400});
    CHECK_INT(r.status, 401);
    CHECK(has(&r, "stale_timestamp"));
    r = request(&d, gz, gl, (struct how){.device = "00ff00ff00ff00ff00ff00ff00ff00ff"});
    CHECK_INT(r.status, 403);
    CHECK(has(&r, "unknown_device"));
    r = request(&d, gz, gl, (struct how){.no_encoding = 1});
    CHECK_INT(r.status, 415);
    /* Signed by one device, naming another inside. */
    r = request(&other, gz, gl, (struct how){0});
    CHECK_INT(r.status, 400);
    snapshot(after, sizeof after);
    CHECK_STR(after, before);

    /* Bodies that are not the protocol. */
    static const char *const bad_json[] = {
        "{not json",
        "[]",
        "{\"device_id\":\"%s\",\"epoch\":\"1\",\"records\":[]}",
        "{\"device_id\":\"%s\",\"epoch\":1,\"records\":{}}",
        "{\"device_id\":\"%s\",\"epoch\":1,\"records\":[{\"seq\":\"11\",\"type\":\"audit\"}]}",
        "{\"device_id\":\"%s\",\"epoch\":1,\"records\":[{\"seq\":12},{\"seq\":11}]}",
        "{\"device_id\":\"%s\",\"epoch\":1.5,\"records\":[]}",
        "{\"device_id\":\"%s\",\"epoch\":0,\"records\":[]}",
    };
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, bad_json[i], d.id);
        free(gz);
        gl = gz_of(body, &gz);
        r = request(&d, gz, gl, (struct how){0});
        CHECK_MSG(r.status == 400, "case %zu: %ld %s", i, r.status, r.body);
    }
    /* Truncated gzip, and plain text claimed as gzip. */
    free(gz);
    gl = batch(&d, 1, 11, 5, NULL, &gz);
    r = request(&d, gz, gl - 9, (struct how){0});
    CHECK_INT(r.status, 400);
    r = request(&d, "hello world, not gzip", 21, (struct how){0});
    CHECK_INT(r.status, 400);
    snapshot(after, sizeof after);
    CHECK_STR(after, before);

    /* Size caps: more records than a batch may hold; a gzip bomb; a huge body. */
    free(gz);
    gl = batch(&d, 1, 11, SYNC_BATCH_MAX + 1, NULL, &gz);
    r = request(&d, gz, gl, (struct how){0});
    CHECK_INT(r.status, 413);
    {
        size_t n = SYNC_PLAIN_MAX + 4096;
        char *bomb = malloc(n + 1);
        memset(bomb, ' ', n);
        bomb[n] = '\0';
        free(gz);
        gl = gz_of(bomb, &gz);
        free(bomb);
        CHECK(gl < SYNC_BODY_MAX);
        r = request(&d, gz, gl, (struct how){0});
        CHECK_INT(r.status, 413);
        unsigned char *huge = calloc(1, SYNC_BODY_MAX + 10);
        r = request(&d, huge, SYNC_BODY_MAX + 10, (struct how){0});
        CHECK_INT(r.status, 413);
        free(huge);
    }
    snapshot(after, sizeof after);
    CHECK_STR(after, before);

    /* A gap: 409 with the seq expected; nothing written. */
    free(gz);
    gl = batch(&d, 1, 20, 3, NULL, &gz);
    r = request(&d, gz, gl, (struct how){0});
    CHECK_INT(r.status, 409);
    CHECK(has(&r, "\"expected\":11"));
    free(gz);
    gl = batch(&d, 2, 5, 3, NULL, &gz); /* a new epoch must start at 1 or say where */
    r = request(&d, gz, gl, (struct how){0});
    CHECK_INT(r.status, 409);
    CHECK(has(&r, "\"expected\":1"));
    snapshot(after, sizeof after);
    CHECK_STR(after, before);

    /* Replay: the same signed request twice; the second is refused. */
    free(gz);
    gl = batch(&d, 1, 11, 5, NULL, &gz);
    sync_nonce(nonce);
    r = request(&d, gz, gl, (struct how){.nonce = nonce});
    CHECK_INT(r.status, 200);
    CHECK(has(&r, "\"high\":15"));
    snapshot(before, sizeof before);
    r = request(&d, gz, gl, (struct how){.nonce = nonce});
    CHECK_INT(r.status, 401);
    CHECK(has(&r, "replay"));
    snapshot(after, sizeof after);
    CHECK_STR(after, before);
    /* The same batch again with a fresh signature: acknowledged, nothing new. */
    r = request(&d, gz, gl, (struct how){0});
    CHECK_INT(r.status, 200);
    CHECK(has(&r, "\"high\":15") && has(&r, "\"applied\":0") && has(&r, "\"ignored\":5"));

    /* Out of order: the first batch again, after later ones: ignored. */
    {
        unsigned char *g1 = NULL;
        size_t l1 = batch(&d, 1, 1, 10, NULL, &g1);
        r = request(&d, g1, l1, (struct how){0});
        CHECK_INT(r.status, 200);
        CHECK(has(&r, "\"high\":15") && has(&r, "\"applied\":0") && has(&r, "\"ignored\":10"));
        free(g1);
    }

    /* Epoch 2 starting at seq 40 when the kiosk says so. */
    free(gz);
    gl = batch(&d, 2, 40, 2, ",\"epoch_start\":40", &gz);
    r = request(&d, gz, gl, (struct how){0});
    CHECK_INT(r.status, 200);
    CHECK(has(&r, "\"high\":41"));

    /* Bad records go to quarantine and are acknowledged. */
    {
        char body[1024];
        snprintf(body, sizeof body,
                 "{\"device_id\":\"%s\",\"epoch\":1,\"records\":["
                 "{\"seq\":16,\"type\":\"audit\",\"v\":99,\"record\":{\"id\":16}},"
                 "{\"seq\":17,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":1}},"
                 "{\"seq\":18,\"type\":\"Bad-Type\",\"v\":1,\"record\":{\"id\":1}},"
                 "{\"seq\":19,\"type\":\"print_job\",\"v\":1,\"record\":{\"id\":7}},"
                 "{\"seq\":20,\"type\":\"ticket\",\"v\":1,\"record\":[1,2]}]}",
                 d.id);
        free(gz);
        gl = gz_of(body, &gz);
        r = request(&d, gz, gl, (struct how){0});
        CHECK_INT(r.status, 200);
        CHECK(has(&r, "\"high\":20") && has(&r, "\"quarantined\":4"));
        struct hq_store *hs = NULL;
        struct hq_totals t = {0};
        char e[256];
        long long q0 = 0;
        CHECK(hq_store_open(hqdb, &hs, e, sizeof e) == HQ_OK);
        CHECK(hs && hs->ops->totals(hs, &t) == HQ_OK);
        CHECK_INT(t.quarantined, 4);
        CHECK(hs && hs->ops->records(hs, d.id, 1, 15, 100, count_held, &q0) == HQ_OK);
        CHECK_INT(q0, 1); /* of 16..20 only the print_job (a new type) is a record */
        hq_store_close(hs);
    }

    /* Revoked: refused, nothing written. */
    {
        char args[700];
        snprintf(args, sizeof args, "--db '%s' revoke %s", hqdb, d.id);
        CHECK_INT(h_hq_cmd(args, NULL, 0), 0);
        snapshot(before, sizeof before);
        free(gz);
        gl = batch(&d, 1, 21, 3, NULL, &gz);
        r = request(&d, gz, gl, (struct how){0});
        CHECK_INT(r.status, 403);
        CHECK(has(&r, "revoked"));
        r = request(&d, "{\"cursor\":0}", 12, (struct how){.path = "/v1/pull"});
        CHECK_INT(r.status, 403);
        snapshot(after, sizeof after);
        CHECK_STR(after, before);
    }

    /* Pull with a bad body. */
    r = request(&other, "{\"cursor\":\"x\"}", 14, (struct how){.path = "/v1/pull"});
    CHECK_INT(r.status, 400);
    r = request(&other, "{\"cursor\":1e300}", 15, (struct how){.path = "/v1/pull"});
    CHECK_INT(r.status, 400);
    r = request(&other, "{\"cursor\":0,\"limit\":9999}", 24, (struct how){.path = "/v1/pull"});
    CHECK_INT(r.status, 400);
    r = request(&other, "{\"cursor\":0}", 12, (struct how){.path = "/v1/nothing"});
    CHECK_INT(r.status, 404);

    /* /metrics counts what was refused. */
    r = get("/metrics");
    CHECK_INT(r.status, 200);
    CHECK(has(&r, "fdhq_rejects_total{reason=\"bad_signature\"} 2"));
    CHECK(has(&r, "fdhq_rejects_total{reason=\"replay\"} 1"));
    CHECK(has(&r, "fdhq_branch_lag_seconds{branch=\"Refuse\""));
    CHECK_INT(h_server_stop(&srv, 0), 0);

    /* A request whose body is still arriving holds no in-flight slot (a
     * slow client cannot take them): with one slot, a pull meanwhile is
     * served at once. */
    CHECK(h_server_start(&srv, hqdb, 0, NULL, "--max-inflight", "1") == 0);
    {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        const char *head = "POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc";
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
        CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
        r = request(&other, "{\"cursor\":0}", 12, (struct how){.path = "/v1/pull"});
        CHECK_INT(r.status, 200);
        close(fd);
    }
    CHECK_INT(h_server_stop(&srv, 0), 0);
#ifdef FD_TEST_HOOKS
    /* Over the in-flight cap: a push being served (held 3 s by the test
     * hook) takes the only slot; a pull meanwhile gets 503 busy. */
    CHECK(h_server_start(&srv, hqdb, 0, "hold_push_ms:3000", "--max-inflight", "1") == 0);
    {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        const char *head = "POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
        CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
        /* The push takes its slot once whole. libmicrohttpd's worker that
         * serves it is held too, so several pulls go at once on their own
         * connections (some land on free workers); retried a bounded number
         * of times, not a timing assumption. Unsigned: the slot is taken
         * before the signature is looked at (503, else 401). */
        int busy = 0, retry2 = 0, health503 = 0;
        for (int round = 0; round < 20 && !(busy && health503); round++) {
            int fds[6];
            const char *pull = "POST /v1/pull HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               "Content-Length: 12\r\n\r\n{\"cursor\":0}";
            const char *health = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            for (int i = 0; i < 6; i++) {
                const char *req = i % 2 ? health : pull;
                fds[i] = socket(AF_INET, SOCK_STREAM, 0);
                if (connect(fds[i], (struct sockaddr *)&sa, sizeof sa) != 0 ||
                    write(fds[i], req, strlen(req)) != (ssize_t)strlen(req)) {
                    close(fds[i]);
                    fds[i] = -1;
                }
            }
            for (int i = 0; i < 6; i++) {
                char buf[1024] = "";
                struct pollfd pf = {fds[i], POLLIN, 0};
                if (fds[i] >= 0 && poll(&pf, 1, 500) > 0) {
                    ssize_t n = read(fds[i], buf, sizeof buf - 1);
                    buf[n > 0 ? n : 0] = '\0';
                    if (i % 2 && strstr(buf, " 503 ") && strstr(buf, "\"status\":\"busy\""))
                        health503 = 1; /* /health tells the truth: no push now */
                    else if (strstr(buf, " 503 ") && strstr(buf, "busy")) {
                        busy = 1;
                        retry2 = strstr(buf, "Retry-After: 2") != NULL;
                    }
                }
                if (fds[i] >= 0)
                    close(fds[i]);
            }
            if (!busy)
                usleep(10000);
        }
        CHECK(busy);
        CHECK(retry2);
        CHECK(health503);
        close(fd);
        /* Slot free again. */
        int ok = 0;
        for (int i = 0; i < 1000 && !ok; i++) {
            r = request(&other, "{\"cursor\":0}", 12, (struct how){.path = "/v1/pull"});
            ok = r.status == 200;
            if (!ok)
                usleep(10000);
        }
        CHECK(ok);
    }
    CHECK_INT(h_server_stop(&srv, 0), 0);
#endif

    free(gz);
    curl_global_cleanup();
    h_rmdir();
    return check_summary();
}
