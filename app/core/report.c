/* report.c - day report (report.h), computed in SQL and returned as JSON so
 * the console, the printer and frontdesk-ctl all show the same numbers.
 * Waits are called_at - issued_at of tickets that were called; service time
 * is finished_at - serving_at of tickets served. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "config.h"
#include "queue.h"

int report_day(struct fd_store *st, const char *day_in, int64_t now, char **json,
               struct fd_err *err)
{
    char day[11], next[11];
    int y, m, d, turnover = (int)cfg_get_int(st, "day_turnover_hour");
    *json = NULL;
    if (day_in) {
        if (bday_parse(day_in, &y, &m, &d))
            return fd_fail(err, FD_EINVAL, "date", "date must be YYYY-MM-DD");
        snprintf(day, sizeof day, "%s", day_in);
    } else {
        queue_bday(st, now, day);
    }
    bday_add(day, 1, next);
    sqlite3_stmt *s = store_prepare(st,
        /* Service by service through ticket's UNIQUE (issued_service_id,
         * bday, number) index: the day's rows only, where a plain join
         * read the whole table (CROSS JOIN keeps that order). Complaints
         * by received_at through complaint_by_received (0009). */
        "WITH t AS (SELECT t.*, s.code AS code, s.name_zh, s.name_en FROM service s"
        "   CROSS JOIN ticket t ON t.issued_service_id = s.id WHERE t.bday = ?1),"
        " c AS (SELECT * FROM complaint WHERE received_at >= ?2 AND received_at < ?3),"
        " r AS (SELECT * FROM rating WHERE ticket_id IN (SELECT id FROM t))"
        " SELECT json_object("
        "  'date', ?1,"
        "  'tickets', (SELECT count(*) FROM t),"
        "  'served', (SELECT count(*) FROM t WHERE state = 'done'),"
        "  'noshow', (SELECT count(*) FROM t WHERE state = 'noshow'),"
        "  'cancelled', (SELECT count(*) FROM t WHERE state = 'cancelled'),"
        "  'noshow_rate', (SELECT round(1.0 * sum(state = 'noshow') /"
        "     nullif(sum(state IN ('done', 'noshow')), 0), 3) FROM t),"
        "  'wait_avg_s', (SELECT round(avg(called_at - issued_at)) FROM t"
        "     WHERE called_at IS NOT NULL),"
        "  'wait_max_s', (SELECT max(called_at - issued_at) FROM t WHERE called_at IS NOT NULL),"
        "  'service_avg_s', (SELECT round(avg(finished_at - serving_at)) FROM t"
        "     WHERE state = 'done' AND serving_at IS NOT NULL),"
        "  'by_service', (SELECT json_group_array(json_object('code', code,"
        "     'name_zh', name_zh, 'name_en', name_en, 'tickets', n, 'served', served,"
        "     'noshow', noshow, 'wait_avg_s', wait_avg, 'wait_max_s', wait_max,"
        "     'service_avg_s', svc_avg)) FROM (SELECT code, name_zh, name_en,"
        "     count(*) AS n, sum(state = 'done') AS served, sum(state = 'noshow') AS noshow,"
        "     round(avg(called_at - issued_at)) AS wait_avg,"
        "     max(called_at - issued_at) AS wait_max,"
        "     round(avg(CASE WHEN state = 'done' THEN finished_at - serving_at END))"
        "     AS svc_avg FROM t GROUP BY code ORDER BY code)),"
        "  'visitors', (SELECT count(*) FROM visitor WHERE bday = ?1),"
        "  'complaints', (SELECT count(*) FROM c),"
        "  'complaints_by_category', (SELECT json_group_object(category, n) FROM"
        "     (SELECT category, count(*) AS n FROM c GROUP BY category)),"
        "  'complaints_serious', (SELECT count(*) FROM c WHERE severity = 'serious'),"
        "  'ratings', (SELECT count(*) FROM r),"
        "  'rating_service', (SELECT json_object('excellent', coalesce(sum(service = 1), 0),"
        "     'good', coalesce(sum(service = 2), 0), 'fair', coalesce(sum(service = 3), 0),"
        "     'poor', coalesce(sum(service = 4), 0)) FROM r),"
        "  'rating_attitude_avg', (SELECT round(avg(attitude), 2) FROM r),"
        "  'rating_result_avg', (SELECT round(avg(result), 2) FROM r))");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, bday_start(day, turnover));
    sqlite3_bind_int64(s, 3, bday_start(next, turnover));
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        *json = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return *json ? 0 : store_fail(st, err);
}
