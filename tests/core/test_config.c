/* test_config.c - settings: every rule has a default that passes it, bad
 * values are refused with the key named, stored values win over defaults. */
#include "check.h"
#include "testutil.h"

int main(void)
{
    struct fd_store *st = tu_open("config.db");
    struct fd_err e = {0};
    char v[256];
    int keys = 0;
    for (int i = 0; cfg_key(i); i++, keys++) {
        CHECK_MSG(cfg_get(NULL, cfg_key(i), v, sizeof v) == 0, "no default for %s",
                  cfg_key(i));
        CHECK_MSG(cfg_check(cfg_key(i), v, &e) == 0, "default of %s fails: %s",
                  cfg_key(i), e.msg);
    }
    CHECK(keys >= 10);
    CHECK_INT(cfg_get_int(st, "day_turnover_hour"), 4);
    CHECK_INT(cfg_set(st, "day_turnover_hour", "6", &e), 0);
    CHECK_INT(cfg_get_int(st, "day_turnover_hour"), 6);
    static const char *const bad[][2] = {
        {"day_turnover_hour", "24"}, {"day_turnover_hour", "-1"},
        {"day_turnover_hour", "4x"}, {"day_turnover_hour", ""},
        {"terminal_no", "0"}, {"terminal_no", "1000"},
        {"recall_limit", "99999999999999999999"}, {"language", "fr"},
        {"closing_time", "25:00"}, {"closing_time", "8:00"},
        {"timezone", "Asia/Nowhere"}, {"branch_name", "\x01"},
        /* names that exist under zoneinfo but are not zones: glibc would
         * silently run on UTC with them (issue 15) */
        {"timezone", "Asia"}, {"timezone", "America"}, {"timezone", "posix"},
        {"timezone", "right"}, {"timezone", "zone.tab"}, {"timezone", "iso3166.tab"},
        {"timezone", "tzdata.zi"}, {"timezone", "Asia/../Asia/Shanghai"},
        {"timezone", "/etc/passwd"}, {"timezone", "Asia/"},
        {"branch_name", ""}, {"printer_uri", "lpt://1"},
        {"printer_uri", "usb://"}, {"printer_profile", "57mm"},
        {"no_such_key", "1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = cfg_set(st, bad[i][0], bad[i][1], &e);
        CHECK_MSG(rc == FD_EINVAL, "%s=%s accepted", bad[i][0], bad[i][1]);
    }
    CHECK_INT(cfg_set(st, "printer_uri", "usb://0416:5011", &e), 0);
    /* real zones pass, and the refusal names the setting */
    CHECK_INT(cfg_set(st, "timezone", "America/New_York", &e), 0);
    CHECK_INT(cfg_set(st, "timezone", "UTC", &e), 0);
    CHECK_INT(cfg_check("timezone", "Asia/Shanghai", &e), 0);
    CHECK_INT(cfg_check("timezone", "Asia", &e), FD_EINVAL);
    CHECK_STR(e.field, "timezone");
    v[0] = '\0';
    CHECK_INT(cfg_get(st, "timezone", v, sizeof v), 0);
    CHECK_STR(v, "UTC");
    CHECK_INT(cfg_set(st, "closing_time", "01:30", &e), 0);
    /* Who owns a setting: standalone, the file and ctl set branch settings;
     * head office never sets a device one; once enrolled, branch settings
     * are head office's only. */
    CHECK_INT(cfg_is_device("terminal_no"), 1);
    CHECK_INT(cfg_is_device("branch_name"), 0);
    CHECK_INT(cfg_is_device("no_such_key"), -1);
    CHECK_INT(cfg_enrolled(st), 0);
    CHECK_INT(cfg_set_by(st, "branch_name", "File St", CFG_SRC_FILE, &e), 0);
    CHECK_INT(cfg_set_by(st, "printer_uri", "virtual:/tmp/x.png", CFG_SRC_HQ, &e), FD_ESTATE);
    CHECK_INT(cfg_set_by(st, "timezone", "Asia", CFG_SRC_HQ, &e), FD_EINVAL);
    sqlite3_exec(store_db(st), "UPDATE sync_state SET hq_url = 'https://hq', secret_key = 'k'"
                               " WHERE id = 1", NULL, NULL, NULL);
    CHECK_INT(cfg_enrolled(st), 1);
    CHECK_INT(cfg_set_by(st, "branch_name", "File St 2", CFG_SRC_FILE, &e), FD_ESTATE);
    CHECK_INT(cfg_set(st, "branch_name", "Ctl St", &e), FD_ESTATE);
    CHECK_INT(cfg_set_by(st, "branch_name", "HQ St", CFG_SRC_HQ, &e), 0);
    CHECK_INT(cfg_set_by(st, "terminal_no", "3", CFG_SRC_FILE, &e), 0);
    CHECK_INT(cfg_get(st, "branch_name", v, sizeof v), 0);
    CHECK_STR(v, "HQ St");
    /* the fingerprint of settings changes with any of them, not otherwise */
    static const char *const fp_keys[] = {"branch_name", "terminal_no", NULL};
    uint64_t h = cfg_hash(st, fp_keys);
    CHECK(h == cfg_hash(st, fp_keys));
    CHECK_INT(cfg_set(st, "recall_limit", "3", &e), FD_ESTATE); /* branch, enrolled */
    CHECK(h == cfg_hash(st, fp_keys));
    CHECK_INT(cfg_set(st, "terminal_no", "4", &e), 0);
    CHECK(h != cfg_hash(st, fp_keys));
    /* a value damaged in the table falls back to the default, never crashes */
    sqlite3_exec(store_db(st), "UPDATE config SET value = 'zzz' WHERE key = 'day_turnover_hour'",
                 NULL, NULL, NULL);
    CHECK_INT(cfg_get_int(st, "day_turnover_hour"), 4);
    store_close(st);
    return check_summary();
}
