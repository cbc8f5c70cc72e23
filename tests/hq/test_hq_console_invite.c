/* test_hq_console_invite.c - the console's invitations and host notice
 * targets (issue 14; hq/CONSOLE_API.md) over real HTTP on loopback against
 * a real frontdesk-hq and a real kiosk store synced by the real protocol.
 * Invitations: an officer or another branch's manager may not invite or
 * cancel (403), every field is checked by core's rules (400), the answer
 * and the list carry the phone masked only, the list is limited to a
 * manager's branches, a past day's open invitation is "expired", the QR is
 * a PNG of the code (read back by zbarimg when installed), the kiosk gets
 * the invitation by its pull and can use it, a cancel from the console goes
 * down the pull and the kiosk then refuses the code, a second cancel is
 * 409; both writes are audited with the user's name. Host notice targets:
 * only an administrator sets them, a bad URL is refused with the CLI's
 * sentence and stores nothing, an unknown host is 404, a good one is
 * stored beside the directory (never in what kiosks pull, no config change
 * for them), the audit names the kind but never the URL's key, "" clears;
 * an inherited directory's host gets it on every branch's list.
 * FDHQ_TEST_DB runs the same on PostgreSQL. */
#include "bday.h"
#include "check.h"
#include "demo.h"
#include "fderr.h"
#include "harness_kiosk.h"
#include "harness.h"
#include "http_client.h"
#include "invite.h"
#include "queue.h"
#include "store.h"
#include "sync.h"

#include <curl/curl.h>

static struct h_server srv;
static char hqdb[512];

struct resp {
    long status;
    char body[65536];
    size_t len;
    char cookie[128];
    char ctype[64];
};

struct sess {
    char cookie[128];
    char csrf[80];
};

static struct resp *call(const char *method, const char *path, const struct sess *s,
                         const char *body)
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
    if (s && body) {
        snprintf(token, sizeof token, "X-CSRF-Token: %s", s->csrf);
        hl[n++] = token;
    }
    struct http_request rq = {.method = method, .headers = hl, .body = body, .body_len = -1};
    r.status = http_ask(&a, srv.port, path, &rq);
    memcpy(r.body, a.body, a.len + 1);
    r.len = a.len;
    while (http_next_line(&a, &at, line, sizeof line)) {
        if (strncasecmp(line, "Set-Cookie: fdhq_session=", 25) == 0)
            snprintf(r.cookie, sizeof r.cookie, "%.*s", (int)strcspn(line + 25, ";\r\n"),
                     line + 25);
        if (strncasecmp(line, "Content-Type: ", 14) == 0)
            snprintf(r.ctype, sizeof r.ctype, "%.*s", (int)strcspn(line + 14, "\r\n"),
                     line + 14);
    }
    return &r;
}

static struct resp *post(const char *path, const struct sess *s, const char *body)
{
    return call("POST", path, s, body ? body : "{}");
}

static struct resp *get(const char *path, const struct sess *s)
{
    return call("GET", path, s, NULL);
}

static long login(const char *name, const char *pw, struct sess *s)
{
    char body[256];
    struct resp *r;
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
    r = call("POST", "/console/api/login", NULL, body);
    memset(s, 0, sizeof *s);
    if (r->status == 200) {
        cJSON *o = cJSON_Parse(r->body);
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(o, "csrf"));
        snprintf(s->cookie, sizeof s->cookie, "%s", r->cookie);
        snprintf(s->csrf, sizeof s->csrf, "%s", c ? c : "");
        cJSON_Delete(o);
    }
    return r->status;
}

/* The string at o.k1[.k2] of a JSON text, copied into out ("" if none). */
static void jget(const char *body, const char *k1, const char *k2, char *out, size_t n)
{
    cJSON *o = cJSON_Parse(body), *v = cJSON_GetObjectItem(o, k1);
    if (k2)
        v = cJSON_GetObjectItem(v, k2);
    snprintf(out, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
    cJSON_Delete(o);
}

/* The state the list gives invitation code ("" when not listed). */
static void listed_state(const char *body, const char *code, char *out, size_t n)
{
    cJSON *o = cJSON_Parse(body), *it;
    out[0] = '\0';
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "invitations")) {
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(it, "code"));
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(it, "state"));
        if (c && s && strcmp(c, code) == 0)
            snprintf(out, n, "%s", s);
    }
    cJSON_Delete(o);
}

int main(void)
{
    char kdb[512], url[128], tok[128], err[256], path[256], body[1024], day[11], yday[11];
    char code[32] = "", old[32] = "", st[32], txt[256];
    struct sess admin, bob, mgr, mgr2;
    struct fd_store *kst = NULL;
    struct fd_err fe;
    struct invitation inv;
    struct resp *r;
    int why = -1;
    int64_t now = time(NULL);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CHECK_INT(bday_set_zone("Asia/Shanghai", NULL), 0); /* the kiosks' default zone */
    h_mkdir("console-invite");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    CHECK(store_open(kdb, &kst, err, sizeof err) == 0);
    if (!kst)
        return check_summary();
    CHECK(demo_load(kst, now - 3600, &fe) == 0);
    CHECK(h_token(hqdb, "North", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(store_db(kst), url, tok, err, sizeof err), SYNC_OK);
    CHECK_INT(h_round(kst), 0);
    queue_bday(kst, now, day); /* the kiosk's business day */
    CHECK_INT(bday_add(day, -1, yday), 0);

    CHECK_INT(h_user_add(hqdb, "alice", "admin", NULL, "alice-password-1"), 0);
    CHECK_INT(h_user_add(hqdb, "bob", "officer", NULL, "bob-password-12"), 0);
    CHECK_INT(h_user_add(hqdb, "mgr", "manager", "North", "mgr-password-123"), 0);
    CHECK_INT(h_user_add(hqdb, "mgr2", "manager", "South", "mgr2-password-12"), 0);
    CHECK_INT(login("alice", "alice-password-1", &admin), 200);
    CHECK_INT(login("bob", "bob-password-12", &bob), 200);
    CHECK_INT(login("mgr", "mgr-password-123", &mgr), 200);
    CHECK_INT(login("mgr2", "mgr2-password-12", &mgr2), 200);

    /* ---- invitations: roles, then core's rules ---- */
    snprintf(body, sizeof body,
             "{\"branch\":\"North\",\"day\":\"%s\",\"name\":\"王小明 <b>x</b>\","
             "\"phone\":\"138 0013 8000\",\"company\":\"ACME\",\"purpose\":\"签合同\","
             "\"host\":\"李娜\"}", day);
    CHECK_INT(post("/console/api/invitations", &bob, body)->status, 403);  /* officer */
    CHECK_INT(post("/console/api/invitations", &mgr2, body)->status, 403); /* other branch */
    CHECK_INT(call("POST", "/console/api/invitations", &mgr, NULL)->status, 403); /* no CSRF */
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM invitation", NULL), 0);
    {
        static const struct {
            const char *json;
            long status;
            const char *says;    /* in the message */
        } bad[] = {
            {"{\"branch\":\"North\",\"day\":\"%s\",\"name\":\"Bad\",\"phone\":\"12345\"}", 400,
             "phone"},
            {"{\"branch\":\"North\",\"day\":\"2026-02-30\",\"name\":\"X\",\"phone\":"
             "\"13600136000\"}", 400, "day"},
            {"{\"branch\":\"North\",\"day\":\"%s\",\"phone\":\"13600136000\"}", 400, "name"},
            {"{\"branch\":\"North\",\"day\":\"%s\",\"name\":7,\"phone\":\"13600136000\"}", 400,
             "name"},
            {"{\"branch\":\"\",\"day\":\"%s\",\"name\":\"X\",\"phone\":\"13600136000\"}", 400,
             "branch"},
            {"{\"branch\":\"North\",\"day\":\"%s\",\"name\":\"a\\u0007b\",\"phone\":"
             "\"13600136000\"}", 400, "name"},
            {"[1,2]", 400, "JSON object"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char b2[512];
            snprintf(b2, sizeof b2, bad[i].json, day);
            r = post("/console/api/invitations", &mgr, b2);
            CHECK_MSG(r->status == bad[i].status && strstr(r->body, bad[i].says),
                      "bad input %zu: %ld %s", i, r->status, r->body);
        }
    }
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM invitation", NULL), 0);

    /* The branch's manager invites: the code, the phone masked only. */
    r = post("/console/api/invitations", &mgr, body);
    CHECK_MSG(r->status == 200, "%ld %s", r->status, r->body);
    jget(r->body, "invitation", "code", code, sizeof code);
    CHECK_INT(strlen(code), INVITE_CODE_LEN);
    jget(r->body, "invitation", "phone", txt, sizeof txt);
    CHECK_STR(txt, "138****8000");
    jget(r->body, "invitation", "state", txt, sizeof txt);
    CHECK_STR(txt, "open");
    jget(r->body, "invitation", "name", txt, sizeof txt);
    CHECK_STR(txt, "王小明 <b>x</b>"); /* text, as given */
    CHECK(strstr(r->body, "13800138000") == NULL);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM invitation WHERE phone = '13800138000'"
                " AND created_by = 'console:mgr'", NULL) == 1);
    /* An administrator invites for yesterday: listed as expired. */
    snprintf(body, sizeof body, "{\"branch\":\"North\",\"day\":\"%s\",\"name\":\"Late\","
                                "\"phone\":\"13900139000\"}", yday);
    r = post("/console/api/invitations", &admin, body);
    CHECK_INT(r->status, 200);
    jget(r->body, "invitation", "code", old, sizeof old);
    jget(r->body, "invitation", "state", txt, sizeof txt);
    CHECK_STR(txt, "expired");

    /* The list: by day, a manager's branches only, phones masked. */
    snprintf(path, sizeof path, "/console/api/invitations?day=%s", day);
    r = get(path, &bob);
    CHECK_INT(r->status, 200);
    listed_state(r->body, code, st, sizeof st);
    CHECK_STR(st, "open");
    listed_state(r->body, old, st, sizeof st);
    CHECK_STR(st, ""); /* another day */
    CHECK(strstr(r->body, "138****8000") && !strstr(r->body, "13800138000"));
    r = get("/console/api/invitations", &bob);
    listed_state(r->body, old, st, sizeof st);
    CHECK_STR(st, "expired");
    r = get("/console/api/invitations", &mgr2);
    CHECK(r->status == 200 && strstr(r->body, "\"invitations\":[]"));
    CHECK_INT(get("/console/api/invitations?branch=North", &mgr2)->status, 403);
    CHECK_INT(get("/console/api/invitations?day=2026-13-01", &bob)->status, 400);
    CHECK_INT(get("/console/api/invitations", NULL)->status, 401);

    /* The QR: a PNG of the code alone. */
    snprintf(path, sizeof path, "/console/api/invitations/%s/qr.png", code);
    r = get(path, &bob);
    CHECK_INT(r->status, 200);
    CHECK_STR(r->ctype, "image/png");
    CHECK(r->len > 100 && memcmp(r->body, "\x89PNG", 4) == 0);
    if (system("command -v zbarimg >/dev/null 2>&1") == 0) {
        char png[512], cmd[700], line[64] = "";
        FILE *f;
        h_path(png, sizeof png, "qr.png");
        if ((f = fopen(png, "wb"))) {
            fwrite(r->body, 1, r->len, f);
            fclose(f);
        }
        snprintf(cmd, sizeof cmd, "zbarimg -q --raw '%s' 2>/dev/null", png);
        if ((f = popen(cmd, "r"))) {
            if (fgets(line, sizeof line, f))
                line[strcspn(line, "\n")] = '\0';
            pclose(f);
        }
        CHECK_STR(line, code);
    }
    CHECK_INT(get(path, &mgr2)->status, 403);
    CHECK_INT(get("/console/api/invitations/1234567890/qr.png", &bob)->status, 404);

    /* The kiosk gets it by its pull and could use it. */
    CHECK_INT(h_round(kst), 0);
    CHECK_INT(invite_find(kst, code, now, &inv, &why, &fe), 0);
    CHECK_STR(inv.name, "王小明 <b>x</b>");

    /* Cancel: the roles, then the kiosk refuses the code after its pull. */
    snprintf(path, sizeof path, "/console/api/invitations/%s/cancel", code);
    CHECK_INT(post(path, &bob, NULL)->status, 403);
    CHECK_INT(post(path, &mgr2, NULL)->status, 403);
    CHECK_INT(get(path, &mgr)->status, 405);
    CHECK_INT(post("/console/api/invitations/1234567890/cancel", &mgr, NULL)->status, 404);
    CHECK_INT(post("/console/api/invitations/12/34/cancel", &mgr, NULL)->status, 404);
    r = post(path, &mgr, NULL);
    CHECK_MSG(r->status == 200 && strstr(r->body, "\"state\":\"cancelled\""), "%s", r->body);
    CHECK_INT(post(path, &mgr, NULL)->status, 409);
    snprintf(path, sizeof path, "/console/api/invitations?day=%s&branch=North", day);
    listed_state(get(path, &mgr)->body, code, st, sizeof st);
    CHECK_STR(st, "cancelled");
    CHECK_INT(h_round(kst), 0);
    CHECK_INT(invite_find(kst, code, now, &inv, &why, &fe), FD_ESTATE);
    CHECK_INT(why, INVITE_CANCELLED);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:mgr'"
                " AND action = 'invitation_add'", NULL) == 1);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:mgr'"
                " AND action = 'invitation_cancel' AND subject = $1", code) == 1);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE action = 'invitation_add'"
                " AND detail LIKE '%1380013%'", NULL) == 0);

    /* ---- host notice targets ---- */
    r = post("/console/api/config/hosts", &admin,
             "{\"branch\":\"North\",\"items\":[{\"id\":7,\"name\":\"王经理\","
             "\"department\":\"Sales\",\"active\":1}]}");
    CHECK_INT(r->status, 200);
    long long sets = h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE action = 'config.set'", NULL);
    const char *wecom = "{\"branch\":\"North\",\"id\":7,\"notify\":"
                        "\"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=s3cr3t-key\"}";
    CHECK_INT(post("/console/api/config/host-notify", &bob, wecom)->status, 403);
    CHECK_INT(post("/console/api/config/host-notify", &mgr, wecom)->status, 403);
    r = post("/console/api/config/host-notify", &admin,
             "{\"branch\":\"North\",\"id\":7,\"notify\":\"https://evil.example.com/x\"}");
    CHECK_INT(r->status, 400);
    CHECK_MSG(strstr(r->body, "\"error\":\"invalid\"") && strstr(r->body, "webhook"), "%s",
              r->body);
    r = post("/console/api/config/host-notify", &admin,
             "{\"branch\":\"North\",\"id\":7,\"notify\":\"mailto:not an address\"}");
    CHECK_INT(r->status, 400);
    r = post("/console/api/config/host-notify", &admin,
             "{\"branch\":\"North\",\"id\":7,\"notify\":\"ftp://qyapi.weixin.qq.com/x\"}");
    CHECK_INT(r->status, 400);
    CHECK_INT(post("/console/api/config/host-notify", &admin,
                   "{\"branch\":\"North\",\"id\":7}")->status, 400);
    CHECK_INT(post("/console/api/config/host-notify", &admin,
                   "{\"branch\":\"North\",\"id\":99,\"notify\":\"mailto:a@example.com\"}")
                  ->status, 404);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM host_notify", NULL), 0);
    r = post("/console/api/config/host-notify", &admin, wecom);
    CHECK_MSG(r->status == 200 && strstr(r->body, "\"notify_kind\":\"wecom\""), "%ld %s",
              r->status, r->body);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM host_notify WHERE branch = 'North' AND host_id = 7"
                " AND kind = 'wecom'", NULL) == 1);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'console:alice'"
                " AND action = 'host.notify' AND detail = 'wecom'", NULL) == 1);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE detail LIKE '%s3cr3t%'"
                    " OR subject LIKE '%s3cr3t%'", NULL), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE action = 'config.set'", NULL), sets);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM config WHERE value LIKE '%s3cr3t%'", NULL), 0);
    CHECK_INT(h_round(kst), 0);
    CHECK_INT(h_int(store_db(kst), "SELECT count(*) FROM host WHERE id = 7"), 1);
    /* "" clears. */
    r = post("/console/api/config/host-notify", &admin,
             "{\"branch\":\"North\",\"id\":7,\"notify\":\"\"}");
    CHECK(r->status == 200 && strstr(r->body, "\"notify\":\"\""));
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM host_notify", NULL), 0);
    /* A branch that takes every branch's directory: the target goes there. */
    CHECK_INT(post("/console/api/config/hosts", &admin,
                   "{\"branch\":\"\",\"items\":[{\"id\":3,\"name\":\"Zhao\",\"active\":1}]}")
                  ->status, 200);
    r = post("/console/api/config/host-notify", &admin,
             "{\"branch\":\"South\",\"id\":3,\"notify\":\"mailto:zhao@example.com\"}");
    CHECK_MSG(r->status == 200 && strstr(r->body, "\"notify\":\"mailto:zhao@example.com\""),
              "%s", r->body);
    CHECK(h_hq_ll(hqdb, "SELECT count(*) FROM host_notify WHERE branch = '' AND host_id = 3"
                " AND kind = 'email' AND target = 'zhao@example.com'", NULL) == 1);

    store_close(kst);
    h_server_stop(&srv, 0);
    h_rmdir();
    curl_global_cleanup();
    return check_summary();
}
