/* test_sync_invite.c - invitations end to end over loopback (issue 14), on
 * SQLite or, as test_sync_invite_pg, on PostgreSQL (FDHQ_TEST_DB): head
 * office invites (frontdesk-hq invite add, with its QR), the pull brings
 * the invitation to both kiosks of the branch and to no other, a cancelled
 * one comes down cancelled; a kiosk checks the guest in offline, the
 * visitor record goes up naming the invitation and head office marks it
 * used and tells the other kiosk, which then refuses it; a code used at two
 * kiosks before either synced is shown as such and both visitors are kept. */
#include <cjson/cJSON.h>

#include "bday.h"
#include "check.h"
#include "demo.h"
#include "harness_kiosk.h"
#include "harness.h"
#include "invite.h"
#include "queue.h"
#include "store.h"
#include "sync.h"
#include "visitor.h"

/* Runs `frontdesk-hq --db DB invite ARGS` and returns its first line. */
static int hq_invite(const char *db, const char *args, char *out, size_t len)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "--db '%s' invite %s", db, args);
    return h_hq_cmd(cmd, out, len);
}

/* `invite list --json` parsed; the invitation with `code`, or NULL. */
static cJSON *listed(const char *db, const char *code, cJSON **all)
{
    static char line[1 << 16];
    cJSON *it;
    *all = NULL;
    if (hq_invite(db, "list --json", line, sizeof line) != 0)
        return NULL;
    *all = cJSON_Parse(line);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(*all, "invitations")) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "code");
        if (cJSON_IsString(c) && strcmp(c->valuestring, code) == 0)
            return it;
    }
    return NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static long long jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

int main(void)
{
    struct h_server srv;
    char hqdb[512], url[128], day[11], tomorrow[11], args[1024], qr[512];
    char today_code[64], tomorrow_code[64], cancel_code[64], twice_code[64], line[512];
    struct fd_err e;
    struct visitor v;
    int why = -1;
    int64_t now = time(NULL);
    cJSON *all = NULL, *it;

    CHECK_INT(bday_set_zone("Asia/Shanghai", NULL), 0); /* the kiosks' default zone */
    h_mkdir("invite");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    char tokfile[512];
    h_path(tokfile, sizeof tokfile, "admin.token");
    FILE *tf = fopen(tokfile, "w");
    CHECK(tf != NULL);
    if (tf) {
        fputs("invite-admin-token-0123456789\n", tf);
        fclose(tf);
    }
    CHECK(h_server_start(&srv, hqdb, 0, NULL, "--admin-token-file", tokfile) == 0);
    h_url(&srv, url, sizeof url);
    struct fd_store *a = h_kiosk_enrolled("a.sqlite", url, hqdb, "Main Street", now);
    struct fd_store *b = h_kiosk_enrolled("b.sqlite", url, hqdb, "Main Street", now);
    struct fd_store *c = h_kiosk_enrolled("c.sqlite", url, hqdb, "Other", now);
    if (!a || !b || !c)
        return check_summary();
    sqlite3 *ka = store_db(a), *kb = store_db(b), *kc = store_db(c);
    queue_bday(a, now, day);
    CHECK_INT(bday_add(day, 1, tomorrow), 0);

    /* Head office invites; every field is checked by core's rules. */
    h_path(qr, sizeof qr, "guest.png");
    snprintf(args, sizeof args,
             "add --branch 'Main Street' --day %s --name '王小明' --phone '138 0013 8000'"
             " --company 'ACME' --purpose '签合同' --host '李娜' --qr '%s'", day, qr);
    CHECK_INT(hq_invite(hqdb, args, today_code, sizeof today_code), 0);
    CHECK_INT(strlen(today_code), INVITE_CODE_LEN);
    char norm[INVITE_CODE_LEN + 1];
    CHECK_INT(invite_code_parse(today_code, norm), 0);
    snprintf(args, sizeof args, "add --branch 'Main Street' --day %s --name Tom --phone"
                                " 13900139000 --host '李娜'", tomorrow);
    CHECK_INT(hq_invite(hqdb, args, tomorrow_code, sizeof tomorrow_code), 0);
    snprintf(args, sizeof args, "add --branch 'Main Street' --day %s --name Ann --phone"
                                " 13700137000", day);
    CHECK_INT(hq_invite(hqdb, args, cancel_code, sizeof cancel_code), 0);
    snprintf(args, sizeof args, "add --branch 'Main Street' --day %s --name Twice --phone"
                                " 13600136000 --company Dup", day);
    CHECK_INT(hq_invite(hqdb, args, twice_code, sizeof twice_code), 0);
    snprintf(args, sizeof args, "add --branch 'Main Street' --day %s --name Bad --phone 12345",
             day);
    CHECK_INT(hq_invite(hqdb, args, line, sizeof line), 2); /* core's phone rule */
    snprintf(args, sizeof args, "add --branch 'Main Street' --day 2026-02-30 --name X --phone"
                                " 13600136000");
    CHECK_INT(hq_invite(hqdb, args, line, sizeof line), 2);
    snprintf(args, sizeof args, "cancel %s --by alice", cancel_code);
    CHECK_INT(hq_invite(hqdb, args, line, sizeof line), 0);
    CHECK_INT(hq_invite(hqdb, args, line, sizeof line), 1); /* cancelled already */
    CHECK_INT(hq_invite(hqdb, "cancel 1234567890", line, sizeof line), 1);

    /* The QR holds the code alone (zbarimg reads it when installed). */
    FILE *f = fopen(qr, "rb");
    CHECK(f != NULL);
    if (f) {
        unsigned char sig[8] = {0};
        CHECK(fread(sig, 1, 8, f) == 8 && memcmp(sig, "\x89PNG", 4) == 0);
        fclose(f);
    }
    if (system("command -v zbarimg >/dev/null 2>&1") == 0) {
        char cmd[700], want[80];
        snprintf(cmd, sizeof cmd, "zbarimg -q --raw '%s' 2>/dev/null", qr);
        FILE *p = popen(cmd, "r");
        line[0] = '\0';
        if (p && fgets(line, sizeof line, p))
            line[strcspn(line, "\n")] = '\0';
        if (p)
            pclose(p);
        snprintf(want, sizeof want, "%s", today_code);
        CHECK_STR(line, want);
    }
    it = listed(hqdb, today_code, &all);
    CHECK(it != NULL);
    CHECK_STR(jstr(it, "qr"), today_code);
    CHECK_STR(jstr(it, "state"), "open");
    CHECK_STR(jstr(it, "phone"), "13800138000");
    cJSON_Delete(all);

    /* The pull brings them to the branch's kiosks, not to another branch. */
    CHECK_INT(h_round(a), 0);
    CHECK_INT(h_round(b), 0);
    CHECK_INT(h_round(c), 0);
    CHECK_INT(h_int(ka, "SELECT count(*) FROM invitation"), 4);
    CHECK_INT(h_int(kb, "SELECT count(*) FROM invitation"), 4);
    CHECK_INT(h_int(kc, "SELECT count(*) FROM invitation"), 0);
    CHECK_INT(h_int(ka, "SELECT count(*) FROM invitation WHERE cancelled = 1"), 1);
    CHECK_INT(h_int(ka, "SELECT count(*) FROM invitation WHERE name = '王小明' AND"
                        " company = 'ACME' AND host = '李娜'"), 1);

    /* Offline at the kiosk: wrong day and cancelled refused; today's checks in. */
    CHECK_INT(invite_use(a, tomorrow_code, now, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_OTHER_DAY);
    CHECK_INT(invite_use(a, cancel_code, now, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_CANCELLED);
    CHECK_INT(invite_use(a, today_code, now, &v, &why, &e), 0);
    CHECK_STR(v.name, "王小明");
    /* "twice": both kiosks use it before either syncs */
    CHECK_INT(invite_use(a, twice_code, now, &v, &why, &e), 0);
    CHECK_INT(invite_use(b, twice_code, now + 5, &v, &why, &e), 0);

    /* The push carries the visitor naming the invitation: marked used. */
    CHECK_INT(h_round(a), 0);
    it = listed(hqdb, today_code, &all);
    CHECK(it != NULL);
    CHECK_STR(jstr(it, "state"), "used");
    CHECK_INT(jnum(it, "uses"), 1);
    CHECK(jnum(it, "used_at") > 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(it, "visitors")), 1);
    cJSON_Delete(all);
    snprintf(args, sizeof args, "cancel %s", today_code);
    CHECK_INT(hq_invite(hqdb, args, line, sizeof line), 1); /* used: not cancelled */

    /* Kiosk B learns it is used and refuses it; then B's own use of
     * "twice" goes up: shown as used twice, both visitors kept. */
    CHECK_INT(h_round(b), 0);
    CHECK_INT(h_int(kb, "SELECT used_hq FROM invitation WHERE used_at IS NULL AND"
                        " name = '王小明'"), 1);
    CHECK_INT(invite_use(b, today_code, now, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_USED);
    it = listed(hqdb, twice_code, &all);
    CHECK(it != NULL);
    CHECK_STR(jstr(it, "state"), "used");
    CHECK_INT(jnum(it, "uses"), 2);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(it, "visitors")), 2);
    cJSON_Delete(all);
    CHECK_INT(h_round(a), 0); /* A's own use stays its own */
    CHECK_INT(h_int(ka, "SELECT count(*) FROM invitation WHERE visitor_id IS NOT NULL"), 2);
    CHECK_INT(h_int(ka, "SELECT count(*) FROM visitor WHERE invitation IS NOT NULL"), 2);

    /* The admin JSON: the same list, and invitations made over HTTP. */
    if (system("command -v curl >/dev/null 2>&1") == 0) {
        char cmd[1024];
        static char body[1 << 16];
        snprintf(cmd, sizeof cmd, "curl -s -H 'Authorization: Bearer invite-admin-token-0123456789'"
                                  " '%s/v1/admin/invitations?branch=Main%%20Street&day=%s'", url, day);
        FILE *p = popen(cmd, "r");
        size_t n = p ? fread(body, 1, sizeof body - 1, p) : 0;
        body[n] = '\0';
        if (p)
            pclose(p);
        cJSON *o = cJSON_Parse(body);
        CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "invitations")), 3);
        cJSON_Delete(o);
        snprintf(cmd, sizeof cmd, "curl -s -H 'Authorization: Bearer invite-admin-token-0123456789'"
                                  " -d '{\"branch\":\"Main Street\",\"day\":\"%s\",\"name\":\"Web\","
                                  "\"phone\":\"13500135000\"}' '%s/v1/admin/invitations'", day, url);
        p = popen(cmd, "r");
        n = p ? fread(body, 1, sizeof body - 1, p) : 0;
        body[n] = '\0';
        if (p)
            pclose(p);
        o = cJSON_Parse(body);
        CHECK_INT(strlen(jstr(o, "code")), INVITE_CODE_LEN);
        CHECK_STR(jstr(o, "qr"), jstr(o, "code"));
        cJSON_Delete(o);
        snprintf(cmd, sizeof cmd, "curl -s -o /dev/null -w '%%{http_code}' -H 'Authorization: Bearer"
                                  " invite-admin-token-0123456789' -d '{\"branch\":\"Main Street\","
                                  "\"day\":\"%s\",\"name\":\"Web\",\"phone\":\"1\"}'"
                                  " '%s/v1/admin/invitations'", day, url);
        p = popen(cmd, "r");
        n = p ? fread(body, 1, sizeof body - 1, p) : 0;
        body[n] = '\0';
        if (p)
            pclose(p);
        CHECK_STR(body, "400"); /* core's phone rule */
    }

    /* list filters by branch and day */
    snprintf(args, sizeof args, "list --branch 'Main Street' --day %s", tomorrow);
    CHECK_INT(hq_invite(hqdb, args, line, sizeof line), 0);
    CHECK(strstr(line, "Tom") != NULL);
    CHECK_INT(hq_invite(hqdb, "list --branch Other --json", line, sizeof line), 0);
    CHECK_STR(line, "{\"invitations\":[]}");

    store_close(a);
    store_close(b);
    store_close(c);
    CHECK(WIFSIGNALED(h_server_stop(&srv, 0)) == 0);
    h_rmdir();
    return check_summary();
}
