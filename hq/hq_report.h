/* hq_report.h - head office's day and month reports across branches, from the
 * current-state tables and the complaint workflow: tickets (issued, served,
 * no-shows, cancelled, waits, service times, the busiest hour), visitors,
 * complaints (categories, severity, validity, feedback within 24 h, time to
 * first response and to closing) and ratings (优/良/中/差 for service,
 * attitude and result, with a score), per branch, per service and for all
 * branches together. Each branch is counted in its own time zone and
 * business day, as its kiosk counts (app/core/report.c). */
#ifndef HQ_REPORT_H
#define HQ_REPORT_H
#include <stddef.h>

#include "hq_store.h"

struct cJSON;

/* Call once at start, before any thread: the reports switch the process's
 * TZ under a lock, and this makes sure TZ exists so that switching it never
 * reallocates the environment under another thread's getenv. */
void hq_report_init(void);

/* Builds the report. kind is "day" (period 'YYYY-MM-DD', a business day) or
 * "month" (period 'YYYY-MM', its business days); branch NULL = every branch.
 * On HQ_OK *out is the report (caller frees with cJSON_Delete):
 *   {"kind":..,"period":..,"branches":{NAME:{block}},"total":{block}}
 * where a block holds "tickets", "services" (per service code: "tickets"),
 * "visitors", "complaints" and "ratings" (see hq/README.md for every key).
 * HQ_E_INVALID: a bad kind or period (err says); HQ_E_NOTFOUND: no such
 * branch; else a store error (err has the store's message). Every figure
 * comes from one snapshot (the store's begin_read; pushes are not blocked),
 * so s must have no transaction open. */
int hq_report_build(struct hq_store *s, const char *kind, const char *period,
                    const char *branch, struct cJSON **out, char *err, size_t errlen);

/* The report as CSV (a header line, then one line per branch and service,
 * per branch, and the total), malloc'd; NULL when out of memory. */
char *hq_report_csv(const struct cJSON *report);

/* The report as text for a terminal, malloc'd; NULL when out of memory. */
char *hq_report_text(const struct cJSON *report);

/* Formats t ("YYYY-MM-DD HH:MM") in the time zone head office configured
 * for branch (else for every branch, else the kiosk's default), the zone's
 * name into zone (may be NULL). Safe from any thread (the zone switch is
 * under the reports' lock). HQ_OK or a store error. */
int hq_report_local_time(struct hq_store *s, const char *branch, long long t, char *out,
                         size_t n, char *zone, size_t zn);

#endif
