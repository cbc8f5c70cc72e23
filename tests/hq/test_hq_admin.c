/* test_hq_admin.c - the complaint workflow over HTTP for a dashboard
 * (/v1/admin/complaints, bearer token): refused without or with a wrong
 * token, list / show / advance with one, workflow rules answered 409, and
 * the advanced status reaching the kiosk on its next sync. */
#include "check.h"
#include "harness.h"
#include "sync.h"

#include <curl/curl.h>

static struct h_server srv;

struct resp {
    long status;
    char body[16384];
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

static struct resp call(const char *method, const char *path, const char *token, const char *body)
{
    struct resp r = {0};
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[256], auth[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", srv.port, path);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

int main(void)
{
    const char *token = "dashboard-token-0123456789";
    char hqdb[512], kdb[512], tokfile[512], url[128], tok[128], err[256], path[128];
    struct sync_result res;
    struct resp r;
    sqlite3 *k;
    FILE *f;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_mkdir("admin");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    h_path(tokfile, sizeof tokfile, "admin.token");
    f = fopen(tokfile, "w");
    fprintf(f, "%s\n", token);
    fclose(f);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, "--admin-token-file", tokfile) == 0);
    h_url(&srv, url, sizeof url);
    k = h_kiosk_create(kdb);
    CHECK(h_token(hqdb, "Admin", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 8, 1) == 0); /* files two complaints (i = 0, 7) */
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);

    r = call("GET", "/v1/admin/complaints", NULL, NULL);
    CHECK_INT(r.status, 401);
    r = call("GET", "/v1/admin/complaints", "dashboard-token-wrong-0000", NULL);
    CHECK_INT(r.status, 401);
    r = call("GET", "/v1/admin/complaints?state=received", token, NULL);
    CHECK_INT(r.status, 200);
    cJSON *o = cJSON_Parse(r.body), *list = cJSON_GetObjectItem(o, "complaints");
    CHECK_INT(cJSON_GetArraySize(list), 2);
    long long id = (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "id")->valuedouble;
    cJSON_Delete(o);

    snprintf(path, sizeof path, "/v1/admin/complaints/%lld", id);
    r = call("GET", path, token, NULL);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"state\":\"received\"") != NULL);
    r = call("GET", "/v1/admin/complaints/999999", token, NULL);
    CHECK_INT(r.status, 404);

    snprintf(path, sizeof path, "/v1/admin/complaints/%lld/advance", id);
    r = call("POST", path, token, "{\"to\":\"resolved\"}");
    CHECK_INT(r.status, 409);
    r = call("POST", path, token, "{\"to\":\"assessed\"}"); /* needs severity + valid */
    CHECK_INT(r.status, 409);
    r = call("POST", path, token, "not json");
    CHECK_INT(r.status, 400);
    r = call("POST", path, NULL, "{\"to\":\"assessed\",\"severity\":\"ordinary\",\"valid\":1}");
    CHECK_INT(r.status, 401);
    r = call("POST", path, token,
             "{\"to\":\"assessed\",\"severity\":\"ordinary\",\"valid\":true,\"actor\":\"li\","
             "\"note\":\"rang the customer\"}");
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"state\":\"assessed\"") != NULL);
    r = call("GET", "/v1/admin/complaints?state=assessed", token, NULL);
    CHECK(strstr(r.body, "\"severity\":\"ordinary\"") != NULL);

    /* The kiosk learns it on its next round. */
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled, 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM complaint WHERE state = 'assessed'"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM complaint_event WHERE actor = 'hq'"
                       " AND note = 'rang the customer'"), 1);
    CHECK(h_compare(k, hqdb, NULL) == 0);

    sqlite3_close(k);
    h_server_stop(&srv, 0);
    /* Without a token file the admin API is off. */
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    r = call("GET", "/v1/admin/complaints", token, NULL);
    CHECK_INT(r.status, 404);
    h_server_stop(&srv, 0);
    h_rmdir();
    curl_global_cleanup();
    return check_summary();
}
