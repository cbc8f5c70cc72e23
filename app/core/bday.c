/* bday.c - business days in the configured time zone (bday.h). Local time
 * comes from glibc's tz database (localtime_r/mktime with TZ set once at
 * start), which knows every DST rule; only the calendar arithmetic on dates
 * is done here, on UTC so no DST can disturb it. */
#include "bday.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int bday_check_zone(const char *tz, struct fd_err *err)
{
    char path[256];
    if (!tz || !*tz || strlen(tz) > 64 || strstr(tz, "..") || tz[0] == '/')
        return fd_fail(err, FD_EINVAL, "timezone",
                       "time zone must be an IANA name such as Asia/Shanghai");
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
            return fd_fail(err, FD_EINVAL, "timezone",
                           "time zone must be an IANA name such as Asia/Shanghai");
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    if (access(path, R_OK) != 0)
        return fd_fail(err, FD_EINVAL, "timezone",
                       "unknown time zone %s (is tzdata installed?)", tz);
    return 0;
}

int bday_set_zone(const char *tz, struct fd_err *err)
{
    int rc = bday_check_zone(tz, err);
    if (rc)
        return rc;
    setenv("TZ", tz, 1);
    tzset();
    return 0;
}

static void date_str(int y, int m, int d, char out[11])
{
    unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
    snprintf(out, 11, "%04u-%02u-%02u", uy, um, ud);
}

void bday_of(int64_t t, int turnover_hour, char out[11])
{
    time_t tt = (time_t)t;
    struct tm lt;
    localtime_r(&tt, &lt);
    if (lt.tm_hour < turnover_hour) {
        /* The day before, as a calendar date: arithmetic on UTC noon. */
        struct tm u = {.tm_year = lt.tm_year, .tm_mon = lt.tm_mon,
                       .tm_mday = lt.tm_mday - 1, .tm_hour = 12};
        time_t x = timegm(&u);
        gmtime_r(&x, &lt);
    }
    date_str(lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday, out);
}

int bday_local_minutes(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm lt;
    localtime_r(&tt, &lt);
    return lt.tm_hour * 60 + lt.tm_min;
}

int bday_parse(const char *day, int *y, int *m, int *d)
{
    char tail;
    if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-' ||
        sscanf(day, "%4d-%2d-%2d%c", y, m, d, &tail) != 3)
        return FD_EINVAL;
    struct tm u = {.tm_year = *y - 1900, .tm_mon = *m - 1, .tm_mday = *d,
                   .tm_hour = 12};
    time_t x = timegm(&u);
    struct tm back;
    gmtime_r(&x, &back);
    if (*y < 2000 || *y > 9999 || back.tm_year != *y - 1900 ||
        back.tm_mon != *m - 1 || back.tm_mday != *d)
        return FD_EINVAL;
    return 0;
}

int bday_add(const char *day, int delta, char out[11])
{
    int y, m, d;
    if (bday_parse(day, &y, &m, &d))
        return FD_EINVAL;
    struct tm u = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + delta,
                   .tm_hour = 12};
    time_t x = timegm(&u);
    gmtime_r(&x, &u);
    date_str(u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, out);
    return 0;
}

int64_t bday_start(const char *day, int turnover_hour)
{
    int y, m, d;
    if (bday_parse(day, &y, &m, &d))
        return -1;
    struct tm lt = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
                    .tm_hour = turnover_hour, .tm_isdst = -1};
    return (int64_t)mktime(&lt);
}

int64_t bday_fit(int64_t t, int64_t span, int turnover_hour)
{
    char d0[11], d1[11];
    bday_of(t, turnover_hour, d0);
    bday_of(t + span, turnover_hour, d1);
    if (strcmp(d0, d1) == 0)
        return t;
    return bday_start(d1, turnover_hour) - span - 60;
}

int64_t bday_now(void)
{
#ifdef FD_TEST_HOOKS
    const char *s = getenv("FRONTDESK_NOW");
    if (s && *s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (*end == '\0' && v > 0)
            return v;
    }
#endif
    return (int64_t)time(NULL);
}
