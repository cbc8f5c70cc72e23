/* test_hq_console.c - the head-office console's API (hq/CONSOLE_API.md) over
 * real HTTP on loopback against a real frontdesk-hq and a real kiosk
 * database synced through the real protocol: users made by the command line
 * (password on stdin); login right and wrong; five wrong passwords lock the
 * account (a right one is refused too) until the lock runs out; idle expiry;
 * logout; a change without the CSRF token, from another Origin or another
 * site is refused and writes nothing; a manager cannot open, advance or list
 * another branch's complaint; a complaint filed at the kiosk goes through
 * every step of the manual's loop and the kiosk's pull sees each state; the
 * XLSX report reads back (unzip: the monthly complaint sheet and the
 * complaint's reference are in it); configuration is checked by the kiosk's
 * rules and reaches the kiosk; fleet; audit rows carry the user's name.
 * FDHQ_TEST_DB runs the same on PostgreSQL. Expiry and lock ends are made by
 * moving the stored times back, never by waiting. */
#include "check.h"
#include "demo.h"
#include "fderr.h"
#include "harness.h"
#include "http_client.h"
#include "store.h"
#include "sync.h"

#include <curl/curl.h>

static struct h_server srv;
static char hqdb[512];

struct resp {
    long status;
    char body[65536];
    size_t len;
    char cookie[128];           /* fdhq_session value from Set-Cookie, "" if none */
    int cookie_deleted;
};

/* A session as the browser holds it. */
struct sess {
    char cookie[128];
    char csrf[80];
};

/* One request. extra: a header line to add (or NULL); s: send its cookie and,
 * with csrf set, X-CSRF-Token. Every fdhq_session cookie set must be
 * HttpOnly and SameSite=Strict. */
static struct resp call(const char *method, const char *path, const struct sess *s, int csrf,
                        const char *body, const char *extra)
{
    static struct resp r;
    static struct http_answer a;
    const char *hl[5] = {"Content-Type: application/json"}, *at = NULL;
    char cookie[256], token[256], line[512];
    int n = 1;
    memset(&r, 0, sizeof r);
    if (s && s->cookie[0]) {
        snprintf(cookie, sizeof cookie, "Cookie: fdhq_session=%s", s->cookie);
        hl[n++] = cookie;
    }
    if (s && csrf) {
        snprintf(token, sizeof token, "X-CSRF-Token: %s", s->csrf);
        hl[n++] = token;
    }
    if (extra)
        hl[n++] = extra;
    struct http_request rq = {.method = method, .headers = hl, .body = body, .body_len = -1};
    r.status = http_ask(&a, srv.port, path, &rq);
    memcpy(r.body, a.body, a.len + 1);
    r.len = a.len;
    while (http_next_line(&a, &at, line, sizeof line))
        if (strncasecmp(line, "Set-Cookie: fdhq_session=", 25) == 0) {
            size_t k = strcspn(line + 25, ";\r\n");
            snprintf(r.cookie, sizeof r.cookie, "%.*s", (int)k, line + 25);
            r.cookie_deleted = k == 0;
            CHECK(strstr(line, "HttpOnly") && strstr(line, "SameSite=Strict"));
        }
    return r;
}

static struct resp post(const char *path, const struct sess *s, const char *body)
{
    return call("POST", path, s, 1, body, NULL);
}

static struct resp get(const char *path, const struct sess *s)
{
    return call("GET", path, s, 0, NULL, NULL);
}

/* Logs in; 0 with s filled when the answer was 200. Returns the status. */
static long login(const char *name, const char *pw, struct sess *s)
{
    char body[256];
    struct resp r;
    cJSON *o;
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
    r = call("POST", "/console/api/login", NULL, 0, body, NULL);
    memset(s, 0, sizeof *s);
    if (r.status != 200)
        return r.status;
    o = cJSON_Parse(r.body);
    snprintf(s->cookie, sizeof s->cookie, "%s", r.cookie);
    snprintf(s->csrf, sizeof s->csrf, "%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(o, "csrf")) ? cJSON_GetStringValue(
                 cJSON_GetObjectItem(o, "csrf")) : "");
    cJSON_Delete(o);
    CHECK(strlen(s->cookie) == 64 && strlen(s->csrf) == 64);
    return r.status;
}

static long long json_num(const char *body, const char *k1, const char *k2)
{
    cJSON *o = cJSON_Parse(body), *v = cJSON_GetObjectItem(o, k1);
    double d;
    if (k2)
        v = cJSON_GetObjectItem(v, k2);
    d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    cJSON_Delete(o);
    return (long long)d;
}

/* The state and close_reason the kiosk holds for its complaint ref. */
static void kiosk_state(sqlite3 *k, const char *ref, char *state, size_t n, int *has_close)
{
    sqlite3_stmt *q = NULL;
    state[0] = '\0';
    *has_close = 0;
    sqlite3_prepare_v2(k, "SELECT state, close_reason FROM complaint WHERE ref = ?", -1, &q,
                       NULL);
    sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(state, n, "%s", (const char *)sqlite3_column_text(q, 0));
        *has_close = sqlite3_column_bytes(q, 1) > 0;
    }
    sqlite3_finalize(q);
}

int main(void)
{
    char kdb[512], url[128], tok[128], err[256], path[256], ref[32] = "", st[32], xlsx[512],
        cmd[1200];
    struct sess admin, bob, mgr, mgr2, carol, s;
    struct sync_result res;
    struct resp r;
    long long id = 0;
    struct fd_store *kst = NULL;
    struct fd_err fe;
    sqlite3 *k;
    cJSON *o;
    int has_close;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_mkdir("console");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    /* A kiosk with its real schema (core's store) and demo set-up. */
    CHECK(store_open(kdb, &kst, err, sizeof err) == 0);
    k = store_db(kst);
    CHECK(demo_load(kst, time(NULL), &fe) == 0);
    CHECK(h_token(hqdb, "North", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 8, 1) == 0); /* two complaints (filed in 2025) */
    {
        /* Three tickets waiting today (the fleet's figures). */
        char sql[512], day[16];
        time_t now = time(NULL);
        strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
        for (int i = 0; i < 3; i++) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO ticket(bday, issued_service_id, service_id, number, label,"
                     " issued_at) VALUES ('%s', 1, 1, %d, 'A%03d', %lld)",
                     day, 900 + i, 900 + i, (long long)now - 600 + i);
            CHECK(h_exec(k, sql) == 0);
        }
    }
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);

    /* Accounts from the command line. */
    CHECK_INT(h_user_add(hqdb, "alice", "admin", NULL, "alice-password-1"), 0);
    CHECK_INT(h_user_add(hqdb, "bob", "officer", NULL, "bob-password-12"), 0);
    CHECK_INT(h_user_add(hqdb, "mgr", "manager", "North", "mgr-password-123"), 0);
    CHECK_INT(h_user_add(hqdb, "mgr2", "manager", "South", "mgr2-password-12"), 0);
    CHECK_INT(h_user_add(hqdb, "carol", "officer", NULL, "carol-password-1"), 0);
    CHECK(h_user_add(hqdb, "dave", "manager", NULL, "dave-password-1") != 0); /* a manager needs a branch */
    CHECK(h_user_add(hqdb, "erin", "officer", NULL, "short") != 0);
    CHECK(h_user_add(hqdb, "bob", "officer", NULL, "bob-password-12") != 0); /* taken */
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM console_user WHERE pw_hash LIKE '$argon2id$%'", NULL) == 5);

    /* Login right and wrong; no session, no API. */
    CHECK_INT(get("/console/api/me", NULL).status, 401);
    CHECK_INT(login("alice", "wrong-password-1", &s), 401);
    CHECK_INT(login("nobody", "alice-password-1", &s), 401);
    CHECK_INT(login("alice", "alice-password-1", &admin), 200);
    CHECK_INT(login("bob", "bob-password-12", &bob), 200);
    CHECK_INT(login("mgr", "mgr-password-123", &mgr), 200);
    CHECK_INT(login("mgr2", "mgr2-password-12", &mgr2), 200);
    r = get("/console/api/me", &bob);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"name\":\"bob\"") && strstr(r.body, bob.csrf));
    s = bob;
    s.cookie[5] ^= 1; /* a forged cookie */
    CHECK_INT(get("/console/api/me", &s).status, 401);

    /* The landing list: both complaints, open, with their deadlines. */
    r = get("/console/api/complaints", &bob);
    CHECK_INT(r.status, 200);
    o = cJSON_Parse(r.body);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(o, "complaints")) >= 2); /* + the demo's */
    {
        cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "complaints"), 0);
        id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(c0, "id"));
        snprintf(ref, sizeof ref, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(c0, "ref")));
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(c0, "overdue"))); /* filed in 2025, no answer */
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(c0, "feedback_due")) > 0);
    }
    cJSON_Delete(o);
    CHECK(id > 0 && strlen(ref) >= 13);

    /* Cross-site: without the token, with another Origin, from another site:
     * refused, nothing written. */
    snprintf(path, sizeof path, "/console/api/complaints/%lld/note", id);
    long long notes = h_hq_ll(hqdb, "SELECT count(*) FROM complaint_note", NULL);
    CHECK_INT(call("POST", path, &bob, 0, "{\"text\":\"x\"}", NULL).status, 403);
    CHECK_INT(call("POST", path, &bob, 1, "{\"text\":\"x\"}", "Origin: http://evil.example").status,
              403);
    CHECK_INT(call("POST", path, &bob, 1, "{\"text\":\"x\"}", "Sec-Fetch-Site: cross-site").status,
              403);
    s = bob;
    snprintf(s.csrf, sizeof s.csrf, "%s", mgr.csrf); /* another session's token */
    CHECK_INT(post(path, &s, "{\"text\":\"x\"}").status, 403);
    CHECK_INT(call("POST", "/console/api/login", NULL, 0,
                   "{\"name\":\"bob\",\"password\":\"bob-password-12\"}",
                   "Sec-Fetch-Site: cross-site").status,
              403);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM complaint_note", NULL), notes);
    /* The same from our page: written. */
    snprintf(cmd, sizeof cmd, "Origin: http://127.0.0.1:%d", srv.port);
    r = call("POST", path, &bob, 1, "{\"text\":\"<b>rang</b> the customer\"}", cmd);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"kind\":\"note\"") && strstr(r.body, "<b>rang</b> the customer"));
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM complaint_note", NULL), notes + 1);

    /* A manager of another branch: refused by the API; the branch's own manager sees it. */
    snprintf(path, sizeof path, "/console/api/complaints/%lld", id);
    CHECK_INT(get(path, &mgr2).status, 403);
    CHECK_INT(get(path, &mgr).status, 200);
    snprintf(path, sizeof path, "/console/api/complaints/%lld/advance", id);
    CHECK_INT(post(path, &mgr2, "{\"to\":\"assessed\",\"severity\":\"serious\",\"valid\":true}")
                  .status,
              403);
    r = get("/console/api/complaints", &mgr2);
    CHECK(r.status == 200 && strstr(r.body, "\"complaints\":[]"));
    CHECK_INT(get("/console/api/complaints?branch=North", &mgr2).status, 403);
    CHECK_INT(get("/console/api/fleet?branch=North", &mgr2).status, 403);
    CHECK_INT(get("/console/api/reports?kind=month&period=2025-11&branch=North", &mgr2).status,
              403);
    CHECK_INT(get("/console/api/config", &mgr).status, 403);   /* admin only */
    CHECK_INT(get("/console/api/users", &bob).status, 403);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM complaint WHERE state <> 'received'", NULL), 0);

    /* Assign to the officer. */
    snprintf(path, sizeof path, "/console/api/complaints/%lld/assign", id);
    CHECK_INT(post(path, &bob, "{\"officer\":\"mgr2\"}").status, 400); /* not their branch */
    r = post(path, &bob, "{\"officer\":\"bob\"}");
    CHECK(r.status == 200 && strstr(r.body, "\"assignee\":\"bob\""));

    /* Every step of the loop; the kiosk's pull sees each. */
    static const struct {
        const char *body;
        const char *hq_state, *kiosk_state;
        int kiosk_close;          /* close_reason set at the kiosk (follow-up shown) */
    } steps[] = {
        {"{\"to\":\"assessed\",\"severity\":\"serious\",\"valid\":true,\"note\":\"lost item\"}",
         "assessed", "assessed", 0},
        {"{\"to\":\"investigating\",\"department\":\"营业部 Operations\"}", "investigating",
         "investigating", 0},
        {"{\"to\":\"proposed\",\"resolution\":\"apologise and refund the fee\"}", "proposed",
         "proposed", 0},
        {"{\"to\":\"resolved\",\"note\":\"refunded\"}", "resolved", "resolved", 0},
        {"{\"to\":\"followed_up\",\"satisfaction\":\"good\",\"close_reason\":\"customer "
         "satisfied\"}",
         "followed_up", "resolved", 1},
        {"{\"to\":\"closed\",\"stat_category\":\"service\"}", "closed", "closed", 1},
    };
    snprintf(path, sizeof path, "/console/api/complaints/%lld/advance", id);
    CHECK_INT(post(path, &bob, "{\"to\":\"resolved\"}").status, 409); /* skipping steps */
    CHECK_INT(post(path, &bob, "{\"to\":\"assessed\"}").status, 409); /* needs severity, valid */
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char want[64];
        if (i == 4) /* the follow-up needs the satisfaction */
            CHECK_INT(post(path, &bob, "{\"to\":\"followed_up\",\"close_reason\":\"ok\"}").status,
                      409);
        r = post(path, &bob, steps[i].body);
        CHECK_MSG(r.status == 200, "step %zu: %ld %s", i, r.status, r.body);
        snprintf(want, sizeof want, "\"state\":\"%s\"", steps[i].hq_state);
        CHECK_MSG(strstr(r.body, want) != NULL, "step %zu: %s", i, r.body);
        CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
        kiosk_state(k, ref, st, sizeof st, &has_close);
        CHECK_MSG(strcmp(st, steps[i].kiosk_state) == 0, "step %zu: kiosk has %s", i, st);
        CHECK_INT(has_close, steps[i].kiosk_close);
    }
    CHECK_INT(h_int(k, "SELECT count(*) FROM complaint_event WHERE actor = 'hq'"), 6);
    CHECK_INT(h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_refused'"), 0);
    r = get(path + 0, &bob); /* GET on advance: 405 */
    CHECK_INT(r.status, 405);
    snprintf(path, sizeof path, "/console/api/complaints/%lld", id);
    r = get(path, &bob);
    CHECK(strstr(r.body, "\"satisfaction\":\"good\"") && strstr(r.body, "\"next\":[]"));
    o = cJSON_Parse(r.body);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(o, "history")), 8); /* 6 steps, note, assign */
    cJSON_Delete(o);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:bob'"
                " AND action = 'complaint.advance'", NULL) == 6);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:bob'"
                " AND action IN ('complaint.note', 'complaint.assign')", NULL) == 2);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM complaint_event WHERE actor = 'console:bob'", NULL) == 6);
    r = get("/console/api/complaints", &bob); /* closed: off the landing list */
    CHECK(r.status == 200 && !strstr(r.body, ref));

    /* Reports: JSON, CSV, and the workbook read back. */
    r = get("/console/api/reports?kind=month&period=2025-11", &bob);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"branches\":{\"North\":{") != NULL);
    r = get("/console/api/reports?kind=month&period=2025-11&format=csv", &bob);
    CHECK(r.status == 200 && strchr(r.body, ','));
    r = get("/console/api/reports?kind=month&period=2025-13", &bob); /* named, for the page */
    CHECK(r.status == 400 && strstr(r.body, "\"error\":\"invalid\",\"field\":\"period\""));
    r = get("/console/api/reports/compare?kind=month&period=2025-11", &mgr);
    CHECK(r.status == 200 && strstr(r.body, "\"branch\":\"North\""));
    {
        CURL *c = curl_easy_init();
        FILE *f;
        char line[256];
        struct curl_slist *h = NULL;
        long status = 0;
        h_path(xlsx, sizeof xlsx, "report.xlsx");
        f = fopen(xlsx, "wb");
        snprintf(url, sizeof url, "http://127.0.0.1:%d/console/api/reports?kind=month"
                                  "&period=2025-11&format=xlsx", srv.port);
        snprintf(line, sizeof line, "Cookie: fdhq_session=%s", mgr.cookie);
        h = curl_slist_append(h, line);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
        CHECK(curl_easy_perform(c) == CURLE_OK);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        CHECK_INT(status, 200);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        fclose(f);
        char out[8192];
        FILE *p;
        size_t n;
        snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/workbook.xml xl/sharedStrings.xml", xlsx);
        p = popen(cmd, "r");
        n = p ? fread(out, 1, sizeof out - 1, p) : 0;
        out[n] = '\0';
        if (p)
            CHECK_INT(pclose(p), 0);
        CHECK(strstr(out, "name=\"月度客户投诉汇总记录表\"") != NULL);
        CHECK(strstr(out, ref) != NULL);          /* the complaint's row */
        CHECK(strstr(out, "customer satisfied") != NULL);
        CHECK(strstr(out, "已结案") != NULL);
    }

    /* Configuration: the kiosk's rules, then the kiosk gets it. */
    r = post("/console/api/config/services", &admin,
             "{\"branch\":\"North\",\"items\":[{\"code\":\"Q\",\"name_zh\":\"咨询\","
             "\"name_en\":\"Enquiries\",\"open_min\":1000,\"close_min\":900}]}");
    CHECK_INT(r.status, 400);
    CHECK(strstr(r.body, "\"error\":\"invalid\"") != NULL);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM config WHERE key = 'services'", NULL), 0);
    r = post("/console/api/config/services", &admin,
             "{\"branch\":\"North\",\"items\":[{\"code\":\"Q\",\"name_zh\":\"咨询\","
             "\"name_en\":\"Enquiries\",\"open_min\":540,\"close_min\":1020,\"daily_cap\":50}]}");
    CHECK_INT(r.status, 200);
    r = post("/console/api/config/staff", &admin,
             "{\"branch\":\"North\",\"items\":[{\"name\":\"李 Li\",\"role\":\"staff\","
             "\"pin\":\"2580\"}]}");
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"pin_set\":true") && !strstr(r.body, "argon2"));
    CHECK_INT(post("/console/api/config/settings", &admin,
                   "{\"branch\":\"North\",\"key\":\"closing_time\",\"value\":\"25:61\"}").status,
              400);
    CHECK_INT(post("/console/api/config/settings", &admin,
                   "{\"branch\":\"North\",\"key\":\"closing_time\",\"value\":\"19:30\"}").status,
              200);
    /* Hosts with their notification targets (issue 14): checked, kept at
     * head office, never in what the kiosk pulls. */
    r = post("/console/api/config/hosts", &admin,
             "{\"branch\":\"North\",\"items\":[{\"id\":7,\"name\":\"王经理\","
             "\"department\":\"Sales\",\"notify\":\"https://evil.example.com/x\"}]}");
    CHECK_INT(r.status, 400);
    r = post("/console/api/config/hosts", &admin,
             "{\"branch\":\"North\",\"items\":[{\"id\":7,\"name\":\"王经理\","
             "\"department\":\"Sales\",\"notify\":\"mailto:wang@example.com\"}]}");
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"notify\":\"mailto:wang@example.com\"") != NULL);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM config WHERE key = 'hosts' AND value LIKE '%example%'",
                NULL) == 0);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM host_notify WHERE host_id = 7 AND kind = 'email'"
                " AND target = 'wang@example.com'", NULL) == 1);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT daily_cap FROM service WHERE code = 'Q'"), 50);
    CHECK_INT(h_int(k, "SELECT count(*) FROM host WHERE id = 7 AND name = '王经理'"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM staff WHERE name = '李 Li'"
                       " AND pin_hash LIKE '$argon2id$%'"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM config WHERE key = 'closing_time'"
                       " AND value = '19:30'"), 1);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:alice'"
                " AND action = 'config.set'", NULL) == 4);

    /* Fleet and revoke. */
    r = get("/console/api/fleet", &mgr);
    {
        char want[96];
        long long today = h_int(k, "SELECT count(*) FROM ticket WHERE bday ="
                                   " (SELECT max(bday) FROM ticket)");
        long long waiting = h_int(k, "SELECT count(*) FROM ticket WHERE state = 'waiting'"
                                     " AND bday = (SELECT max(bday) FROM ticket)");
        CHECK(today >= 3 && waiting >= 3);
        snprintf(want, sizeof want, "\"tickets_today\":%lld,\"waiting_now\":%lld", today,
                 waiting);
        CHECK_MSG(r.status == 200 && strstr(r.body, "\"branch\":\"North\"") &&
                      strstr(r.body, want) && strstr(r.body, "\"longest_wait_s\":"),
                  "%s", r.body);
    }
    CHECK_INT(get("/console/api/fleet", &mgr2).status, 200);
    CHECK(strstr(get("/console/api/fleet", &mgr2).body, "\"devices\":[]") != NULL);
    CHECK_INT(post("/console/api/enrol-tokens", &bob, "{\"branch\":\"East\"}").status, 403);
    r = post("/console/api/enrol-tokens", &admin, "{\"branch\":\"East\",\"ttl_s\":3600}");
    CHECK(r.status == 200 && strstr(r.body, "\"token\":\""));

    /* Five wrong passwords lock; the right one is refused during the lock. */
    for (int i = 0; i < 4; i++)
        CHECK_INT(login("carol", "not-her-password", &carol), 401);
    CHECK_INT(login("carol", "not-her-password", &carol), 423);
    r = call("POST", "/console/api/login", NULL, 0,
             "{\"name\":\"carol\",\"password\":\"carol-password-1\"}", NULL);
    CHECK_INT(r.status, 423);
    CHECK(json_num(r.body, "retry_after", NULL) > 800);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:carol'"
                " AND action = 'login.lock'", NULL) == 1);
    /* ... until the lock runs out (moved back, not waited for). */
    CHECK(h_hq_ll(hqdb, "UPDATE console_user SET locked_until = locked_until - 901 WHERE name = $1"
                " RETURNING 1", "carol") == 1);
    CHECK_INT(login("carol", "carol-password-1", &carol), 200);
    CHECK_INT(login("bob", "bob-password-12", &s), 200); /* others never locked */

    /* Idle expiry and logout. */
    CHECK_INT(get("/console/api/me", &carol).status, 200);
    CHECK(h_hq_ll(hqdb, "UPDATE console_session SET last_seen = last_seen - 1801 WHERE user_name = $1"
                " RETURNING 1", "carol") == 1);
    CHECK_INT(get("/console/api/me", &carol).status, 401);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM console_session WHERE user_name = $1", "carol"), 0);
    CHECK_INT(call("POST", "/console/api/logout", &mgr, 0, "{}", NULL).status, 403); /* CSRF */
    r = post("/console/api/logout", &mgr, "{}");
    CHECK(r.status == 200 && r.cookie_deleted);
    CHECK_INT(get("/console/api/me", &mgr).status, 401);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:mgr' AND action = 'logout'",
                NULL) == 1);

    /* Users: an admin disables one; their sessions end. */
    r = post("/console/api/users/bob", &admin, "{\"disabled\":true}");
    CHECK(r.status == 200 && strstr(r.body, "\"disabled\":true"));
    CHECK_INT(get("/console/api/me", &bob).status, 401);
    CHECK_INT(login("bob", "bob-password-12", &s), 401);
    r = post("/console/api/users", &admin,
             "{\"name\":\"frank\",\"role\":\"manager\",\"branches\":[\"North\"],"
             "\"password\":\"frank-password-1\"}");
    CHECK_INT(r.status, 200);
    CHECK_INT(login("frank", "frank-password-1", &s), 200);
    r = get("/console/api/audit?limit=500", &admin);
    CHECK(r.status == 200 && strstr(r.body, "\"actor\":\"console:alice\"") &&
          strstr(r.body, "\"action\":\"user.add\""));

    /* Revoke: the administrator's; the kiosk is then refused. */
    {
        char dev[80] = "";
        r = get("/console/api/fleet", &admin);
        o = cJSON_Parse(r.body);
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(o, "devices"), 0), "device_id"));
        snprintf(dev, sizeof dev, "%s", d ? d : "");
        CHECK(strlen(dev) > 8);
        cJSON_Delete(o);
        snprintf(path, sizeof path, "/console/api/devices/%s/revoke", dev);
        CHECK_INT(post(path, &s, "{}").status, 403); /* frank, a manager */
        CHECK_INT(post("/console/api/devices/nosuchdevice/revoke", &admin, "{}").status, 404);
        CHECK_INT(post(path, &admin, "{}").status, 200);
        CHECK(sync_round(k, 0, &res, err, sizeof err) != SYNC_OK);
        r = get("/console/api/fleet", &admin);
        CHECK(strstr(r.body, "\"revoked\":true") != NULL);
        CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:alice'"
                    " AND action = 'revoke'", NULL) == 1);
    }

    store_close(kst);
    h_server_stop(&srv, 0);
    h_rmdir();
    curl_global_cleanup();
    return check_summary();
}
