/* test_bday.c - business days: turnover hour, DST changes, date arithmetic. */
#include <stdlib.h>
#include <time.h>

#include "bday.h"
#include "check.h"

/* Unix time of a local wall-clock time in the current zone. */
static int64_t local(int y, int mo, int d, int h, int mi)
{
    struct tm t = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                   .tm_hour = h, .tm_min = mi, .tm_isdst = -1};
    return (int64_t)mktime(&t);
}

int main(void)
{
    char day[11];
    struct fd_err e = {0};

    CHECK_INT(bday_set_zone("Asia/Shanghai", &e), 0);
    /* turnover at 04:00: 03:59 belongs to yesterday, 04:00 to today */
    bday_of(local(2026, 11, 23, 3, 59), 4, day);
    CHECK_STR(day, "2026-11-22");
    bday_of(local(2026, 11, 23, 4, 0), 4, day);
    CHECK_STR(day, "2026-11-23");
    bday_of(local(2026, 11, 23, 23, 59), 4, day);
    CHECK_STR(day, "2026-11-23");
    /* across a month and a year */
    bday_of(local(2027, 1, 1, 1, 0), 4, day);
    CHECK_STR(day, "2026-12-31");
    bday_of(local(2024, 3, 1, 2, 0), 4, day);
    CHECK_STR(day, "2024-02-29");
    /* turnover 0 = midnight; UTC midnight is 08:00 in Shanghai, not a turnover */
    bday_of(local(2026, 11, 23, 7, 0), 0, day);
    CHECK_STR(day, "2026-11-23");
    bday_of(1795392000 /* 2026-11-23 00:00 UTC = 08:00 CST */ - 1, 0, day);
    CHECK_STR(day, "2026-11-23");

    /* DST: Europe/Berlin springs forward 2026-03-29 02:00 -> 03:00 and falls
     * back 2026-10-25 03:00 -> 02:00. With turnover at 03:00 the hour that
     * repeats or vanishes must not produce a wrong day. */
    CHECK_INT(bday_set_zone("Europe/Berlin", &e), 0);
    int64_t before = local(2026, 3, 29, 1, 59);
    bday_of(before, 3, day);
    CHECK_STR(day, "2026-03-28");
    bday_of(before + 60, 3, day); /* 03:00 CEST, one minute later */
    CHECK_STR(day, "2026-03-29");
    int64_t fall = local(2026, 10, 25, 1, 30); /* CEST */
    bday_of(fall, 3, day);
    CHECK_STR(day, "2026-10-24");
    bday_of(fall + 3600, 3, day); /* 02:30 CEST */
    CHECK_STR(day, "2026-10-24");
    bday_of(fall + 7200, 3, day); /* 02:30 CET, the repeated hour */
    CHECK_STR(day, "2026-10-24");
    bday_of(fall + 3 * 3600, 3, day); /* 03:30 CET */
    CHECK_STR(day, "2026-10-25");
    /* a business day across a DST change is 23 or 25 hours long */
    CHECK_INT(bday_start("2026-03-29", 3) - bday_start("2026-03-28", 3), 23 * 3600);
    CHECK_INT(bday_start("2026-10-25", 3) - bday_start("2026-10-24", 3), 25 * 3600);

    /* bday_fit: a stretch that stays inside its day is left where it is; one
     * that meets the turn moves to end before it, in the same day as its start */
    CHECK_INT(bday_set_zone("Asia/Shanghai", &e), 0);
    int64_t noon = local(2026, 11, 23, 12, 0);
    CHECK_INT(bday_fit(noon, 3 * 3600, 4), noon);
    int64_t late = local(2026, 11, 24, 1, 0); /* business day 2026-11-23 */
    int64_t fit = bday_fit(late, 5 * 3600, 4);
    CHECK(fit < late);
    bday_of(fit, 4, day);
    CHECK_STR(day, "2026-11-23");
    bday_of(fit + 5 * 3600, 4, day);
    CHECK_STR(day, "2026-11-23");
    CHECK_INT(bday_fit(fit, 5 * 3600, 4), fit);
    /* a stretch that starts just after the turn is already inside one day */
    int64_t turn = local(2026, 11, 24, 4, 0);
    CHECK_INT(bday_fit(turn, 5 * 3600, 4), turn);

    /* zones */
    CHECK_INT(bday_check_zone("Asia/Shanghai", &e), 0);
    CHECK_INT(bday_check_zone("Mars/Olympus", &e), FD_EINVAL);
    CHECK_INT(bday_check_zone("../../etc/passwd", &e), FD_EINVAL);
    CHECK_INT(bday_check_zone("/etc/localtime", &e), FD_EINVAL);
    CHECK_INT(bday_check_zone("", &e), FD_EINVAL);

    /* dates */
    int y, m, d;
    CHECK_INT(bday_parse("2026-02-29", &y, &m, &d), FD_EINVAL);
    CHECK_INT(bday_parse("2028-02-29", &y, &m, &d), 0);
    CHECK_INT(bday_parse("2026-13-01", &y, &m, &d), FD_EINVAL);
    CHECK_INT(bday_parse("2026-1-01", &y, &m, &d), FD_EINVAL);
    CHECK_INT(bday_parse("2026-01-01x", &y, &m, &d), FD_EINVAL);
    CHECK_INT(bday_add("2026-12-31", 1, day), 0);
    CHECK_STR(day, "2027-01-01");
    CHECK_INT(bday_add("2026-03-01", -1, day), 0);
    CHECK_STR(day, "2026-02-28");

    /* FRONTDESK_NOW drives the clock in a test build (FD_TEST_HOOKS) only;
     * a production build never reads it. */
    setenv("FRONTDESK_NOW", "1800000000", 1);
#ifdef FD_TEST_HOOKS
    CHECK_INT(bday_now(), 1800000000);
#else
    CHECK(bday_now() != 1800000000 && llabs(bday_now() - (int64_t)time(NULL)) <= 5);
#endif
    setenv("FRONTDESK_NOW", "garbage", 1);
    CHECK(bday_now() != 0 && bday_now() != 1800000000);
    return check_summary();
}
