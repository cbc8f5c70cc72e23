/* test_sync_config.c - configuration head office sends down reaches the
 * kiosk's tables and core can use it at once: services (hours, cap, new and
 * withdrawn ones), counters and the services they serve, the host directory,
 * staff accounts with Argon2id PIN hashes (core signs in with them); a value
 * the kiosk cannot take is skipped whole and does not block what follows. */
#include "check.h"
#include "demo.h"
#include "harness.h"
#include "queue.h"
#include "staff.h"
#include "store.h"
#include "sync.h"

#include <sodium.h>

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
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled, 6);

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

    hq_store_close(hs);
    store_close(st);
    h_server_stop(&srv, 0);
    h_rmdir();
    return check_summary();
}
