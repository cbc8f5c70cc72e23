/* test_invite.c - invitations in core (app/core/invite.c): the code rule
 * (complaint references' Damm digit), the fields' rules, the day rule in the
 * branch's time zone, a code used once, cancelled and used-elsewhere codes,
 * and the visitor record the check-in makes (naming the invitation, in the
 * outbox for head office), all on a kiosk that is not enrolled (offline). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "complaint.h"
#include "core/testutil.h"
#include "deny.h"
#include "invite.h"
#include "visitor.h"

/* 2026-12-01 22:00 UTC = 2026-12-02 06:00 in Shanghai (after the 04:00 turnover). */
#define NOW 1796162400LL

static int64_t count(struct fd_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void test_code_rule(void)
{
    char code[INVITE_CODE_LEN + 1], out[INVITE_CODE_LEN + 1], shown[INVITE_CODE_SHOWN];
    int bad_single = 0, bad_swap = 0;
    for (int i = 0; i < 200; i++) {
        invite_code_make(code);
        CHECK_INT(strlen(code), INVITE_CODE_LEN);
        CHECK(code[0] != '0');
        CHECK_INT(invite_code_parse(code, out), 0);
        CHECK_INT(complaint_damm(code), 0); /* the complaint reference's rule */
        /* every single wrong digit and every swap of neighbours is caught */
        for (int k = 0; k < INVITE_CODE_LEN; k++) {
            char t[INVITE_CODE_LEN + 1];
            memcpy(t, code, sizeof t);
            t[k] = (char)('0' + (t[k] - '0' + 1 + i % 9) % 10);
            bad_single += invite_code_parse(t, out) == 0;
            if (k + 1 < INVITE_CODE_LEN && code[k] != code[k + 1]) {
                memcpy(t, code, sizeof t);
                t[k] = code[k + 1];
                t[k + 1] = code[k];
                bad_swap += invite_code_parse(t, out) == 0;
            }
        }
    }
    CHECK_INT(bad_single, 0);
    CHECK_INT(bad_swap, 0);
    invite_code_make(code);
    invite_code_format(code, shown);
    CHECK_INT(strlen(shown), 11);
    CHECK(shown[5] == '-');
    CHECK_INT(invite_code_parse(shown, out), 0); /* the shown form types back */
    CHECK_STR(out, code);
    CHECK(invite_code_parse("12345", out) != 0);
    CHECK(invite_code_parse("12345678901", out) != 0);
    CHECK(invite_code_parse("12345a7890", out) != 0);
    CHECK(invite_code_parse(NULL, out) != 0);
}

static void mk(char code[INVITE_CODE_LEN + 1])
{
    invite_code_make(code);
}

static void test_fields(void)
{
    char code[INVITE_CODE_LEN + 1];
    struct fd_err e = {0};
    mk(code);
    struct invite_in in = {.code = code, .day = "2026-12-02", .name = "王小明",
                           .phone = "13812345678", .company = "ACME", .purpose = "meeting",
                           .host = "李华"};
    CHECK_INT(invite_check(&in, &e), 0);
    in.phone = "12345";
    CHECK_INT(invite_check(&in, &e), FD_EINVAL);
    CHECK_STR(e.field, "phone");
    in.phone = "13812345678";
    in.name = "  ";
    CHECK_INT(invite_check(&in, &e), FD_EINVAL);
    CHECK_STR(e.field, "name");
    in.name = "bad\x01name";
    CHECK_INT(invite_check(&in, &e), FD_EINVAL);
    in.name = "ok";
    in.day = "2026-02-30";
    CHECK_INT(invite_check(&in, &e), FD_EINVAL);
    CHECK_STR(e.field, "day");
    in.day = "2026-12-02";
    code[INVITE_CODE_LEN - 1] = (char)('0' + (code[INVITE_CODE_LEN - 1] - '0' + 1) % 10);
    CHECK_INT(invite_check(&in, &e), FD_EINVAL); /* check digit wrong */
    CHECK_STR(e.field, "code");
}

static void test_use(void)
{
    struct fd_store *st = tu_open("inv.db");
    struct fd_err e = {0};
    struct visitor v;
    struct invitation inv;
    char today[INVITE_CODE_LEN + 1], tomorrow[INVITE_CODE_LEN + 1],
        yesterday_utc[INVITE_CODE_LEN + 1], cancelled[INVITE_CODE_LEN + 1],
        elsewhere[INVITE_CODE_LEN + 1], unknown[INVITE_CODE_LEN + 1], typed[16];
    int why = -1;
    int64_t host_id = 0;

    /* The branch is in Shanghai: at NOW it is 2026-12-02 there, still 12-01 in UTC. */
    CHECK_INT(cfg_set(st, "timezone", "Asia/Shanghai", NULL), 0);
    CHECK_INT(bday_set_zone("Asia/Shanghai", NULL), 0);
    CHECK_INT(host_add(st, "李华", "Sales", &host_id, NULL), 0);
    mk(today);
    mk(tomorrow);
    mk(yesterday_utc);
    mk(cancelled);
    mk(elsewhere);
    mk(unknown);
    struct invite_in in = {.code = today, .day = "2026-12-02", .name = "王小明",
                           .phone = "138 1234 5678", .company = "ACME",
                           .purpose = "contract", .host = "李华"};
    CHECK_INT(invite_put(st, &in, "open", NOW, &e), 0);
    in.code = tomorrow, in.day = "2026-12-03", in.host = "Nobody Here";
    CHECK_INT(invite_put(st, &in, "open", NOW, &e), 0);
    in.code = yesterday_utc, in.day = "2026-12-01";
    CHECK_INT(invite_put(st, &in, "open", NOW, &e), 0);
    in.code = cancelled, in.day = "2026-12-02";
    CHECK_INT(invite_put(st, &in, "cancelled", NOW, &e), 0);
    in.code = elsewhere;
    CHECK_INT(invite_put(st, &in, "used", NOW, &e), 0);
    CHECK_INT(invite_put(st, &in, "gone", NOW, &e), FD_EINVAL);
    in.phone = "123";
    CHECK_INT(invite_put(st, &in, "open", NOW, &e), FD_EINVAL); /* core's phone rule */
    CHECK_INT(count(st, "SELECT count(*) FROM invitation"), 5);

    /* wrong, other-day, cancelled, used elsewhere: refused, nothing written */
    CHECK_INT(invite_use(st, unknown, NOW, &v, &why, &e), FD_ENOTFOUND);
    CHECK_INT(why, INVITE_UNKNOWN);
    CHECK_INT(invite_use(st, "12345", NOW, &v, &why, &e), FD_ENOTFOUND);
    CHECK_INT(why, INVITE_UNKNOWN);
    CHECK_INT(invite_use(st, tomorrow, NOW, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_OTHER_DAY);
    CHECK_INT(invite_use(st, yesterday_utc, NOW, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_OTHER_DAY); /* the UTC date is not the branch's day */
    CHECK_INT(invite_use(st, cancelled, NOW, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_CANCELLED);
    CHECK_INT(invite_use(st, elsewhere, NOW, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_USED);
    CHECK_INT(count(st, "SELECT count(*) FROM visitor"), 0);

    /* today's, typed with a dash: checks the guest in */
    CHECK_INT(invite_find(st, today, NOW, &inv, &why, &e), 0);
    CHECK_STR(inv.name, "王小明");
    invite_code_format(today, typed);
    CHECK_INT(invite_use(st, typed, NOW, &v, &why, &e), 0);
    CHECK_STR(v.name, "王小明");
    CHECK_STR(v.company, "ACME");
    CHECK_STR(v.host_name, "李华");
    CHECK_STR(v.bday, "2026-12-02");
    CHECK_STR(v.invitation, today);
    CHECK_INT(count(st, "SELECT count(*) FROM visitor WHERE host_id IS NOT NULL"), 1);
    CHECK_INT(count(st, "SELECT count(*) FROM invitation WHERE used_at IS NOT NULL"
                        " AND visitor_id = (SELECT max(id) FROM visitor)"), 1);
    /* the record head office receives names the invitation */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE type = 'visitor' AND"
                              " json_extract(record, '$.invitation') = '%s'", today);
    CHECK_INT(count(st, sql), 1);

    /* used once */
    CHECK_INT(invite_use(st, today, NOW + 60, &v, &why, &e), FD_ESTATE);
    CHECK_INT(why, INVITE_USED);
    CHECK_INT(count(st, "SELECT count(*) FROM visitor"), 1);
    /* head office's "used" echo keeps what this kiosk did */
    in.code = today, in.phone = "13812345678", in.host = "李华";
    CHECK_INT(invite_put(st, &in, "used", NOW + 120, &e), 0);
    CHECK_INT(count(st, "SELECT count(*) FROM invitation WHERE visitor_id IS NOT NULL"), 1);

    /* a host head office named who is not in this kiosk's directory: taken as named */
    CHECK_INT(invite_use(st, tomorrow, NOW + 86400, &v, &why, &e), 0);
    CHECK_STR(v.host_name, "Nobody Here");
    CHECK_INT(count(st, "SELECT count(*) FROM visitor WHERE host_id IS NULL"), 1);

    /* past days' invitations are erased; today's and later stay */
    CHECK_INT(invite_erase_old(st, NOW, &e), 0); /* yesterday's (12-01) kept a day */
    CHECK_INT(invite_erase_old(st, NOW + 86400, &e), 1); /* 12-01 on 12-03 */
    CHECK_INT(count(st, "SELECT count(*) FROM invitation WHERE day = '2026-12-01'"), 0);
    CHECK_INT(count(st, "SELECT count(*) FROM visitor"), 2); /* visitors stay */

    /* a walk-in still needs a directory host, and has no invitation */
    struct visitor_in w = {.name = "Walk In", .phone = "13912345678", .host_name = "Nobody"};
    CHECK_INT(visitor_sign_in(st, &w, NOW, &v, &e), FD_ENOTFOUND);
    w.host_id = host_id;
    CHECK_INT(visitor_sign_in(st, &w, NOW, &v, &e), 0);
    CHECK_INT(count(st, "SELECT count(*) FROM outbox WHERE type = 'visitor' AND"
                        " json_extract(record, '$.invitation') IS NULL"), 1);
    store_close(st);
}

/* An invited guest on head office's deny list is held like a walk-in: the
 * check-in is recorded (invitation used, nothing lost), marked held with a
 * console alert, and the record head office receives carries both fields. */
static void test_denied_guest(void)
{
    struct fd_store *st = tu_open("inv_deny.db");
    struct fd_err e = {0};
    struct visitor v;
    char code[INVITE_CODE_LEN + 1], hash[DENY_HASH_HEX + 1];
    unsigned char key[DENY_KEY_BYTES];
    const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    int why = -1;
    int64_t host_id = 0;

    CHECK_INT(cfg_set(st, "timezone", "Asia/Shanghai", NULL), 0);
    CHECK_INT(bday_set_zone("Asia/Shanghai", NULL), 0);
    CHECK_INT(host_add(st, "李华", "Sales", &host_id, NULL), 0);
    CHECK_INT(deny_key_parse(hex, key), 0);
    CHECK_INT(deny_hash_phone(key, "13800001111", hash), 0);
    struct deny_item item = {7, NULL, hash};
    CHECK_INT(deny_set_key(st, hex, &e), 0);
    CHECK_INT(deny_put_list(st, &item, 1, NULL, &e), 0);
    mk(code);
    struct invite_in in = {.code = code, .day = "2026-12-02", .name = "Barred Guest",
                           .phone = "+86 138 0000 1111", .host = "李华"};
    CHECK_INT(invite_put(st, &in, "open", NOW, &e), 0);
    CHECK_INT(invite_use(st, code, NOW, &v, &why, &e), 0);
    CHECK_INT(v.held, 1);
    CHECK_STR(v.invitation, code);
    CHECK_INT(count(st, "SELECT count(*) FROM deny_alert WHERE ack_at IS NULL"), 1);
    CHECK_INT(count(st, "SELECT count(*) FROM invitation WHERE used_at IS NOT NULL"), 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE type = 'visitor' AND"
                              " json_extract(record, '$.held') = 1 AND"
                              " json_extract(record, '$.invitation') = '%s'", code);
    CHECK_INT(count(st, sql), 1);
    store_close(st);
}

int main(void)
{
    test_code_rule();
    test_fields();
    test_use();
    test_denied_guest();
    return check_summary();
}
