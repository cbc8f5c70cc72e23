/* bday.h - business days and local time. A business day is named by the local
 * date ('YYYY-MM-DD') in the configured time zone, and turns over at a
 * configured local hour rather than at midnight, so a branch that closes after
 * midnight keeps one day's numbering. Wall clocks may jump: callers never use
 * the day for ordering, only for numbering and reports. */
#ifndef FD_BDAY_H
#define FD_BDAY_H
#include <stdint.h>

#include "fderr.h"

/* Checks an IANA zone name (must exist under /usr/share/zoneinfo). */
int bday_check_zone(const char *tz, struct fd_err *err);

/* Makes `tz` the process's local time zone. Call before starting threads.
 * Returns 0 or FD_EINVAL. */
int bday_set_zone(const char *tz, struct fd_err *err);

/* Writes the business day of time `t` into out (11 bytes): the local date,
 * or the day before when the local hour is before `turnover_hour`. */
void bday_of(int64_t t, int turnover_hour, char out[11]);

/* Minutes after local midnight at time `t` (0..1439). */
int bday_local_minutes(int64_t t);

/* The day after/before `day` ('YYYY-MM-DD'), delta in days. Returns 0, or
 * FD_EINVAL when `day` is not a date. */
int bday_add(const char *day, int delta, char out[11]);

/* Returns 0 when `day` is a real date 'YYYY-MM-DD'. */
int bday_parse(const char *day, int *y, int *m, int *d);

/* Start of the business day `day` as a Unix time (local turnover hour). */
int64_t bday_start(const char *day, int turnover_hour);

/* The latest time no later than `t` from which `span` seconds stay inside one
 * business day: `t` itself, or, when a turnover falls inside the stretch,
 * span seconds (and a little) before that turnover. For generators and tests
 * that play a stretch of a day and must not see the numbering restart. */
int64_t bday_fit(int64_t t, int64_t span, int turnover_hour);

/* The current time: time(NULL). A test build (FD_TEST_HOOKS) takes
 * FRONTDESK_NOW (Unix seconds) instead when set, so that tests can run every
 * program on a fixed day; a production build never reads it. */
int64_t bday_now(void);

#endif
