/* report.h - the day's figures for the end-of-day summary and the monthly
 * report to management: tickets by service, waits, service times, no-shows,
 * visitors, complaints by category, ratings. */
#ifndef FD_REPORT_H
#define FD_REPORT_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

/* The report for business day `day` ('YYYY-MM-DD', NULL = today at `now`) as
 * a JSON object in *json (malloc'd; free()). Returns 0, FD_EINVAL (bad date)
 * or FD_EDB. */
int report_day(struct fd_store *st, const char *day, int64_t now, char **json,
               struct fd_err *err);

#endif
