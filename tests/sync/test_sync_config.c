/* test_sync_config.c - configuration head office sends down reaches the
 * kiosk's tables and core can use it at once: services (hours, cap, new and
 * withdrawn ones), counters and the services they serve, the host directory,
 * staff accounts with Argon2id PIN hashes (core signs in with them); a value
 * the kiosk cannot take is skipped and does not block what follows. Then
 * (issue 15) a real head office sends, among good changes, a complaint state
 * the kiosk does not know, a service over core's daily cap, a time zone that
 * is not a zone and a device setting: each is skipped with a record in the
 * audit log, the good ones apply, the cursor moves on and the next round
 * finds nothing stuck. Who owns a setting is checked on the enrolled kiosk. */
#include "check.h"
#include "complaint.h"
#include "config.h"
#include "demo.h"
#include "harness.h"
#include "hq_complaint.h"
#include "queue.h"
#include "staff.h"
#include "store.h"
#include "sync.h"

#include <sodium.h>

struct hq_ids {
    char ref[2][16];
    long long id[2];
};

/* complaint_list callback: head office's id of each of the two refs. */
/* Runs a sync round and counts apart head office's notices (issue 14: kind
 * "notice", one per recent visit, whenever serve's sender gets to it): they
 * come down too, by the rows they make, and are not what this test set. */
static int round_minus_notices(sqlite3 *k, struct sync_result *res, char *err, size_t len)
{
    long long before = h_int(k, "SELECT count(*) FROM visitor_notice");
    int rc = sync_round(k, 0, res, err, len);
    res->pulled -= h_int(k, "SELECT count(*) FROM visitor_notice") - before;
    return rc;
}

static int find_ids(void *ctx, const struct hq_complaint *c)
{
    struct hq_ids *x = ctx;
    for (int i = 0; i < 2; i++)
        if (c->ref && strcmp(c->ref, x->ref[i]) == 0)
            x->id[i] = c->id;
    return 0;
}

int main(void)
{
    struct h_server srv;
    struct sync_result res;
    struct fd_store *st = NULL;
    struct fd_err fe;
    struct hq_store *hs = NULL;
    char hqdb[512], kdb[512], url[128], tok[128], err[512], hash[crypto_pwhash_STRBYTES];
    char staff_json[1024];
    long long now = time(NULL);
    sqlite3 *k;

    if (sodium_init() < 0)
        return 1;
    h_mkdir("config");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    CHECK(store_open(kdb, &st, err, sizeof err) == 0);
    k = store_db(st);
    CHECK(demo_load(st, now, &fe) == 0);
    CHECK(h_token(hqdb, "Cfg", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    CHECK(hq_store_open(hqdb, &hs, err, sizeof err) == HQ_OK);

    CHECK(crypto_pwhash_str(hash, "4321", 4, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0);
    snprintf(staff_json, sizeof staff_json,
             "[{\"name\":\"李经理\",\"role\":\"manager\",\"pin_hash\":\"%s\"}]", hash);
    /* A bad value first: it must be skipped whole, not block the rest. */
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "services",
                                  "[{\"code\":\"a1\",\"name_zh\":\"x\",\"name_en\":\"x\"}]", now),
              HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "staff_pins",
                                  "[{\"name\":\"x\",\"pin\":\"1234\"}]", now),
              HQ_OK);
    /* pulled now: a later value of the same list in one page would replace
     * it before it reached the kiosk (superseded values are left out) */
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.skipped, 2); /* the bad services and staff_pins values */
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "services",
                                  "[{\"code\":\"A\",\"name_zh\":\"综合\",\"name_en\":\"General\","
                                  "\"open_min\":0,\"close_min\":1440,\"daily_cap\":500},"
                                  "{\"code\":\"D\",\"name_zh\":\"对公\",\"name_en\":\"Business\","
                                  "\"sort\":9}]", now),
              HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "counters",
                                  "[{\"id\":1,\"name\":\"Window 1\",\"services\":[\"A\",\"D\"]},"
                                  "{\"id\":5,\"name\":\"Window 5\",\"services\":[\"D\"]}]", now),
              HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "hosts",
                                  "[{\"id\":1,\"name\":\"王晓明\",\"department\":\"CS\"},"
                                  "{\"id\":100,\"name\":\"New Host\",\"department\":\"IT\"}]", now),
              HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "staff_pins", staff_json, now), HQ_OK);
    CHECK_INT(round_minus_notices(k, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled, 4);
    CHECK_INT(res.skipped, 0);

    CHECK_INT(h_int(k, "SELECT count(*) FROM service WHERE code = 'a1'"), 0);
    CHECK_INT(h_int(k, "SELECT count(*) FROM service WHERE active = 1"), 2);
    CHECK_INT(h_int(k, "SELECT daily_cap FROM service WHERE code = 'A'"), 500);
    CHECK_INT(h_int(k, "SELECT count(*) FROM service WHERE code = 'B' AND active = 0"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM counter_service"), 3);
    CHECK_INT(h_int(k, "SELECT count(*) FROM counter WHERE id = 5 AND name = 'Window 5'"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM host WHERE active = 1"), 2);
    CHECK_INT(h_int(k, "SELECT count(*) FROM staff WHERE name = 'x'"), 0);
    CHECK_INT(h_int(k, "SELECT count(*) FROM staff WHERE active = 1"), 1);

    /* Core uses it at once: a ticket for the new service, served at counter
     * 5; the new manager signs in with the PIN whose hash came down. */
    struct queue_ticket t;
    CHECK(queue_take(st, "D", 0, now, &t, &fe) == 0);
    CHECK(queue_take(st, "B", 0, now, &t, &fe) != 0); /* withdrawn */
    CHECK(queue_call_next(st, 5, "staff", now + 10, &t, &fe) == 0);
    CHECK_STR(t.service, "D");
    struct staff who;
    int retry = 0;
    long long sid = h_int(k, "SELECT id FROM staff WHERE name = '李经理'");
    CHECK(staff_login(st, sid, "4321", now, &who, &retry, &fe) == 0);
    CHECK_STR(who.role, "manager");
    CHECK(staff_login(st, sid, "0000", now, &who, &retry, &fe) != 0);
    CHECK_INT(h_int(k, "SELECT pull_cursor > 0 FROM sync_state"), 1);

    /* ---- issue 15: bad changes among good ones never block the channel ---- */
    struct complaint_in cin = {complaint_category(0), "等了太久", NULL, NULL, 0, 0};
    struct complaint c1, c2;
    struct hq_ids ids = {0};
    long long audits = h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_refused'");
    CHECK_INT(audits, 2);
    CHECK(complaint_file(st, &cin, now, &c1, &fe) == 0);
    CHECK(complaint_file(st, &cin, now + 1, &c2, &fe) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK); /* head office has them */
    snprintf(ids.ref[0], sizeof ids.ref[0], "%s", c1.ref);
    snprintf(ids.ref[1], sizeof ids.ref[1], "%s", c2.ref);
    CHECK_INT(hs->ops->complaint_list(hs, "received", NULL, 100, find_ids, &ids), HQ_OK);
    CHECK(ids.id[0] > 0 && ids.id[1] > 0);
    /* A state this kiosk cannot store (a newer head office's), written
     * through head office's store as its workflow would. */
    struct hq_complaint newer = {.id = ids.id[0], .state = "reopened", .valid = -1};
    CHECK_INT(hs->ops->begin(hs), HQ_OK);
    CHECK_INT(hs->ops->complaint_advance(hs, &newer, "received", "hq:li", "", now), HQ_OK);
    CHECK_INT(hs->ops->commit(hs), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "services",
                                  "[{\"code\":\"A\",\"name_zh\":\"综合\",\"name_en\":\"General\","
                                  "\"daily_cap\":300},"
                                  "{\"code\":\"C\",\"name_zh\":\"大户\",\"name_en\":\"Big\","
                                  "\"daily_cap\":1000000},"
                                  "{\"code\":\"D\",\"name_zh\":\"对公\",\"name_en\":\"Business\","
                                  "\"sort\":9}]", now),
              HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "timezone", "\"Asia\"", now), HQ_OK);
    struct hq_advance assess = {"assessed", "ordinary", 1, NULL, NULL, NULL, NULL, "hq:li", "ok"};
    CHECK_INT(hq_complaint_advance(hs, ids.id[1], &assess, now, err, sizeof err), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "branch_name", "\"Main St\"", now), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "terminal_no", "\"7\"", now), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Cfg", "day_turnover_hour", "\"5\"", now), HQ_OK);

    long long cursor_before = h_int(k, "SELECT pull_cursor FROM sync_state");
    CHECK_INT(round_minus_notices(k, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled, 3);  /* the assessment, branch_name, day_turnover_hour */
    CHECK_INT(res.skipped, 4); /* the state, the services (C), the zone, terminal_no */
    CHECK(h_int(k, "SELECT pull_cursor FROM sync_state") > cursor_before);
    /* the good ones applied */
    struct complaint got;
    CHECK(complaint_get(st, c2.ref, &got, &fe) == 0);
    CHECK_STR(got.state, "assessed");
    CHECK_STR(got.severity, "ordinary");
    CHECK_INT(h_int(k, "SELECT daily_cap FROM service WHERE code = 'A'"), 300);
    CHECK_INT(h_int(k, "SELECT count(*) FROM service WHERE code = 'D' AND active = 1"), 1);
    char v[128];
    CHECK(cfg_get(st, "branch_name", v, sizeof v) == 0);
    CHECK_STR(v, "Main St");
    CHECK_INT(cfg_get_int(st, "day_turnover_hour"), 5);
    /* the bad ones did not, and each left a record the staff can see */
    CHECK(complaint_get(st, c1.ref, &got, &fe) == 0);
    CHECK_STR(got.state, "received");
    CHECK_INT(h_int(k, "SELECT count(*) FROM service WHERE daily_cap > 9999"), 0);
    CHECK_INT(h_int(k, "SELECT active FROM service WHERE code = 'C'"), 0); /* as it was */
    CHECK_INT(h_int(k, "SELECT count(*) FROM config WHERE value = 'Asia'"), 0);
    CHECK(cfg_get_int(st, "terminal_no") != 7);
    CHECK_INT(h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_refused'"), audits + 4);
    CHECK_INT(h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_refused'"
                       " AND detail LIKE '%reopened%'"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_refused'"
                       " AND detail LIKE '%C: %9999%'"), 1);
    /* nothing stuck: the next round finds nothing to apply or skip */
    CHECK_INT(round_minus_notices(k, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled + res.skipped, 0);
    struct sync_status ss;
    CHECK(sync_status_get(k, &ss) == 0);
    CHECK_STR(ss.last_error, "");

    /* Who owns a setting, now that the kiosk is enrolled: branch settings
     * are head office's (ctl and the file are refused), device ones stay
     * the box's. */
    CHECK_INT(cfg_enrolled(st), 1);
    CHECK_INT(cfg_set(st, "branch_name", "Local", &fe), FD_ESTATE);
    CHECK_INT(cfg_set_by(st, "idle_timeout_s", "30", CFG_SRC_FILE, &fe), FD_ESTATE);
    CHECK_INT(cfg_set(st, "printer_uri", "tcp://10.0.0.9:9100", &fe), 0);
    CHECK_INT(cfg_set_by(st, "terminal_no", "12", CFG_SRC_FILE, &fe), 0);
    CHECK_INT(cfg_set_by(st, "printer_profile", "58mm", CFG_SRC_HQ, &fe), FD_ESTATE);
    CHECK_INT(cfg_set_by(st, "branch_name", "From HQ", CFG_SRC_HQ, &fe), 0);

    hq_store_close(hs);
    store_close(st);
    h_server_stop(&srv, 0);
    h_rmdir();
    return check_summary();
}
