/* test_sync_health.c - kiosk health end to end: a real kiosk store whose
 * sync worker (the real thread) reports a printer out of paper, a real
 * frontdesk-hq over loopback (SQLite, or PostgreSQL through FDHQ_TEST_DB);
 * the paper-out reaches head office's fleet view (store, `fleet --json`,
 * GET /v1/admin/fleet), a change alone (empty outbox) is sent as a push with
 * no records, and a kiosk silent for 15 minutes shows offline. Also: every
 * health field head office receives is checked (types, ranges, caps,
 * UTF-8), and a bad health line never costs the records it came with. */
#include "check.h"
#include "harness.h"
#include "hq_health.h"
#include "hq_push.h"
#include "sync.h"
#include "sync_health.h"
#include "sync_worker.h"

#include <curl/curl.h>
#include <pthread.h>

static struct h_server srv;

/* The printer the worker sees: the test flips it. */
static pthread_mutex_t pmu = PTHREAD_MUTEX_INITIALIZER;
static int paper_out = 1;
static int jobs_failed = 2; /* what the print queue counted */

static void printer(void *ctx, struct sync_printer *out)
{
    (void)ctx;
    pthread_mutex_lock(&pmu);
    out->known = 1;
    out->online = 1;
    out->paper_out = paper_out;
    out->jobs_failed = jobs_failed;
    snprintf(out->message, sizeof out->message, "%s", paper_out ? "paper end\n(DLE EOT 4)" : "ready");
    pthread_mutex_unlock(&pmu);
}

/* The fleet row of the only device, through the store interface, at now. */
struct one {
    int seen, online, paper_out, known;
    long long health_at, backlog, disk, uptime, print_failed;
    char version[40], message[100], branch[64];
};

static int fleet_one(void *ctx, const struct hq_fleet_row *r)
{
    struct one *o = ctx;
    o->seen++;
    o->online = r->online;
    o->health_at = r->health_at;
    snprintf(o->branch, sizeof o->branch, "%s", r->branch);
    if (r->health_at > 0) {
        o->paper_out = r->h.paper_out;
        o->known = r->h.printer_known;
        o->backlog = r->h.backlog;
        o->print_failed = r->h.print_failed;
        o->disk = r->h.disk_free_mb;
        o->uptime = r->h.uptime_s;
        snprintf(o->version, sizeof o->version, "%s", r->h.app_version);
        snprintf(o->message, sizeof o->message, "%s", r->h.printer_message);
    }
    return 0;
}

static struct one fleet_at(const char *db, long long now)
{
    struct one o;
    struct hq_store *s = NULL;
    char err[256];
    memset(&o, 0, sizeof o);
    if (hq_store_open(db, &s, err, sizeof err) == HQ_OK) {
        s->ops->fleet(s, now, fleet_one, &o);
        hq_store_close(s);
    }
    return o;
}

/* Waits (up to 30 s) until head office holds a health record with
 * paper_out == want received after `after`. */
static int wait_paper(const char *db, int want, long long after)
{
    for (int i = 0; i < 300; i++) {
        struct one o = fleet_at(db, (long long)time(NULL));
        if (o.health_at >= after && o.health_at > 0 && o.paper_out == want)
            return 0;
        usleep(100000);
    }
    return -1;
}

struct resp {
    long status;
    char body[65536];
    size_t len;
};

static size_t on_body(char *d, size_t s, size_t n, void *ctx)
{
    struct resp *r = ctx;
    size_t len = s * n, room = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, d, len < room ? len : room);
    r->len += len < room ? len : room;
    r->body[r->len] = '\0';
    return len;
}

static void get(const char *path, const char *token, struct resp *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[256], auth[128];
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", srv.port, path);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

/* hq_health_parse on a body made of good fields with the ones in
 * field_json ("\"key\":value,...") put in place of (or beside) them. */
static int parse_with(const char *field_json)
{
    char more[1024], err[160];
    struct hq_health h;
    cJSON *o = cJSON_Parse(
        "{\"app_version\":\"1.2.3\",\"printer\":{\"known\":true,\"online\":true,"
        "\"paper_out\":false,\"paper_near_end\":false,\"cover_open\":false,"
        "\"message\":\"ready\"},\"print_failed\":0,\"backlog\":5,\"last_error\":\"\","
        "\"uptime_s\":60,\"disk_free_mb\":1000}");
    snprintf(more, sizeof more, "{%s}", field_json ? field_json : "");
    cJSON *m = cJSON_Parse(more), *it;
    if (!o || !m) {
        cJSON_Delete(o);
        cJSON_Delete(m);
        return -2;
    }
    while ((it = m->child)) {
        char key[64];
        snprintf(key, sizeof key, "%s", it->string); /* replacing frees it->string */
        cJSON_DetachItemViaPointer(m, it);
        if (cJSON_GetObjectItemCaseSensitive(o, key))
            cJSON_ReplaceItemInObjectCaseSensitive(o, key, it);
        else
            cJSON_AddItemToObject(o, key, it);
    }
    int rc = hq_health_parse(o, &h, err, sizeof err);
    cJSON_Delete(o);
    cJSON_Delete(m);
    return rc;
}

static void check_validation(void)
{
    static const char *const bad[] = {
        "\"app_version\":\"\"", "\"app_version\":\"1.0 beta\"", "\"app_version\":7",
        "\"app_version\":\"0123456789012345678901234567890123\"",
        "\"printer\":{\"known\":1,\"online\":true,\"paper_out\":false,\"paper_near_end\":false,"
        "\"cover_open\":false,\"message\":\"x\"}",
        "\"printer\":{\"known\":true,\"online\":true,\"paper_out\":false,"
        "\"paper_near_end\":false,\"cover_open\":false}",
        "\"printer\":\"ok\"", "\"print_failed\":-1", "\"print_failed\":1.5",
        "\"print_failed\":10000001", "\"backlog\":\"5\"", "\"backlog\":1e300",
        "\"last_error\":\"a\\u0001b\"", "\"last_error\":null", "\"uptime_s\":-3",
        "\"disk_free_mb\":true", "\"last_error\":\"\xff\xfe\"",
        "\"printer\":{\"known\":true,\"online\":true,\"paper_out\":false,"
        "\"paper_near_end\":false,\"cover_open\":false,\"message\":\"\xe4\xb8\"}",
    };
    char big[400];
    CHECK_INT(parse_with(NULL), 0);
    CHECK_INT(parse_with("\"extra\":{\"a\":1}"), 0); /* unknown keys: the protocol adds */
    CHECK_INT(parse_with("\"last_error\":\"head office unreachable: 连接超时\""), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(parse_with(bad[i]) == -1, "accepted %s", bad[i]);
    memset(big, 'x', sizeof big);
    memcpy(big, "\"last_error\":\"", 14);
    snprintf(big + 14 + 257, sizeof big - 14 - 257, "\"");
    CHECK_INT(parse_with(big), -1); /* 257 bytes: over the cap */
    /* A push whose health is bad still parses; its records are kept. */
    const char *body = "{\"device_id\":\"ab\",\"epoch\":1,\"records\":[{\"seq\":1,\"type\":\"audit\","
                       "\"v\":1,\"record\":{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"b\"}}],"
                       "\"health\":{\"app_version\":\"1\"}}";
    struct hq_push_msg m;
    char err[200];
    CHECK_INT(hq_push_parse(body, strlen(body), 500, &m, err, sizeof err), 0);
    CHECK_INT(m.batch.n, 1);
    CHECK_INT(m.has_health, 0);
    CHECK(strstr(m.health_err, "printer") != NULL);
    hq_push_free(&m);
}

int main(void)
{
    const char *token = "fleet-dashboard-token-42";
    char hqdb[512], kdb[512], tokfile[512], url[128], tok[128], err[256], args[1024];
    static char out[65536];
    struct sync_worker *w = NULL;
    struct resp r;
    sqlite3 *k;
    FILE *f;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    check_validation();

    h_mkdir("health");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    h_path(tokfile, sizeof tokfile, "admin.token");
    f = fopen(tokfile, "w");
    fprintf(f, "%s\n", token);
    fclose(f);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, "--admin-token-file", tokfile) == 0);
    h_url(&srv, url, sizeof url);
    k = h_kiosk_create(kdb);
    CHECK(h_token(hqdb, "North Gate", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 30, 3) == 0);
    long long t0 = (long long)time(NULL);

    /* Enrolled, never heard from: offline, no health. */
    struct one o = fleet_at(hqdb, t0);
    CHECK_INT(o.seen, 1);
    CHECK_INT(o.online, 0);
    CHECK_INT(o.health_at, 0);

    /* The worker's first round carries the health with the records. */
    struct sync_worker_opts wo = {.db_path = kdb, .interval = 3600, .printer = printer};
    CHECK(sync_worker_start(&wo, &w) == 0);
    CHECK_MSG(wait_paper(hqdb, 1, t0) == 0, "paper out never reached head office");
    o = fleet_at(hqdb, (long long)time(NULL));
    CHECK_INT(o.online, 1);
    CHECK_INT(o.known, 1);
    CHECK_STR(o.version, FD_TEST_APP_VERSION);
    CHECK_STR(o.message, "paper end (DLE EOT 4)"); /* the newline became a space */
    CHECK_STR(o.branch, "North Gate");
    CHECK_INT(o.print_failed, 2); /* the print queue's count, as it said it */
    CHECK(o.disk > 0);
    CHECK(o.uptime >= 0 && o.uptime < 3600);
    CHECK(o.backlog >= 0);
    /* Drained: the worker deleted what head office acknowledged. */
    for (int i = 0; i < 100 && h_int(k, "SELECT count(*) FROM outbox") > 0; i++)
        usleep(100000);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    long long held = 0;
    CHECK(h_compare(k, hqdb, &held) == 0); /* health is not in the log */
    CHECK_INT(held, h_int(k, "SELECT count(*) FROM outbox_history"));

    /* Paper refilled, nothing else happens: the change goes alone. */
    long long t1 = (long long)time(NULL);
    pthread_mutex_lock(&pmu);
    paper_out = 0;
    jobs_failed = 0; /* staff reprinted or cancelled them */
    pthread_mutex_unlock(&pmu);
    sync_worker_wake(w);
    CHECK_MSG(wait_paper(hqdb, 0, t1) == 0, "the refill never reached head office");
    CHECK_INT(fleet_at(hqdb, (long long)time(NULL)).print_failed, 0);
    CHECK(h_compare(k, hqdb, NULL) == 0); /* still no extra row in the log */
    sync_worker_stop(w);

    /* The CLI and the dashboard show the same. */
    snprintf(args, sizeof args, "--db '%s' fleet --json", hqdb);
    CHECK_INT(h_hq_read(args, 0, out, sizeof out), 0);
    cJSON *j = cJSON_Parse(out);
    cJSON *dev = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "devices"), 0);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(dev, "online")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(dev, "health"), "printer"), "paper_out")));
    CHECK_INT(cJSON_GetObjectItem(j, "offline_after_s")->valuedouble, 900);
    cJSON_Delete(j);
    get("/v1/admin/fleet", NULL, &r);
    CHECK_INT(r.status, 401);
    get("/v1/admin/fleet?branch=North%20Gate", token, &r);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"branch\":\"North Gate\"") && strstr(r.body, "\"online\":true"));
    get("/metrics", NULL, &r);
    CHECK_MSG(strstr(r.body, "\nfdhq_devices_offline 0\n") != NULL, "%s", r.body);
    get("/v1/admin/fleet?branch=Elsewhere", token, &r);
    CHECK(strstr(r.body, "\"devices\":[]") != NULL);

    /* Silent for 15 minutes: offline (the store judged at a later now). */
    long long last = fleet_at(hqdb, (long long)time(NULL)).health_at;
    CHECK_INT(fleet_at(hqdb, last + 900).online, 1);
    CHECK_INT(fleet_at(hqdb, last + 901).online, 0);
    if (h_hq_is_sqlite(hqdb)) { /* and the CLI, with the last contact set back */
        sqlite3 *h = NULL;
        CHECK(sqlite3_open(hqdb, &h) == SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        CHECK(h_exec(h, "UPDATE device SET last_push = last_push - 1000;"
                        "UPDATE device_health SET received_at = received_at - 1000") == 0);
        sqlite3_close(h);
        snprintf(args, sizeof args, "--db '%s' fleet", hqdb);
        CHECK_INT(h_hq_read(args, 0, out, sizeof out), 0);
        CHECK_MSG(strstr(out, "OFFLINE") && strstr(out, "North Gate"), "%s", out);
        get("/v1/admin/fleet", token, &r);
        CHECK(strstr(r.body, "\"online\":false") != NULL);
        get("/metrics", NULL, &r);
        CHECK(strstr(r.body, "\nfdhq_devices_offline 1\n") != NULL);
    }

    sqlite3_close(k);
    h_server_stop(&srv, 0);
    h_rmdir();
    curl_global_cleanup();
    return check_summary();
}
