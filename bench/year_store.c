/* year_store.c - a busy branch's history written straight into the real
 * schema (see year_store.h). Plain prepared INSERTs in one transaction per
 * day rather than core's functions, so a year takes seconds, not the hours
 * 180,000 fsynced ticket transactions would; the schema's own triggers still
 * write the outbox as the kiosk's writes do. */
#include <errno.h> /* program_invocation_short_name */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "year_store.h"

#define DAY 86400LL

void year_die_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, sqlite3_errmsg(db));
    exit(1);
}

void year_exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        year_die_sql(db, sql);
}

sqlite3_stmt *year_prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        year_die_sql(db, sql);
    return s;
}

static void step(sqlite3 *db, sqlite3_stmt *s)
{
    if (sqlite3_step(s) != SQLITE_DONE)
        year_die_sql(db, sqlite3_sql(s));
    sqlite3_reset(s);
}

static void payload(char *buf, size_t len, const char *what)
{
    memset(buf, '.', len);
    size_t n = strlen(what);
    memcpy(buf, what, n < len ? n : len);
}

/* The year: one transaction per day, synchronous off while building. */
void year_build(sqlite3 *db, int days, int64_t start)
{
    static char pay[900];
    char label[16], bday[11], name[64], ref[48];
    year_exec(db, "PRAGMA synchronous = OFF;"
             "INSERT INTO service(id, code, name_zh, name_en) VALUES"
             " (1, 'A', '综合', 'General'), (2, 'B', '对公', 'Business'), (3, 'C', '理财', 'Wealth');"
             "INSERT INTO counter(id, name) VALUES (1, '一号'), (2, '二号'), (3, '三号');"
             "INSERT INTO host(id, name, department) VALUES (1, '王经理', '对公部');");
    sqlite3_stmt *tk = year_prep(db, "INSERT INTO ticket(bday, issued_service_id, service_id, number,"
                                " label, issued_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5)");
    sqlite3_stmt *tu = year_prep(db, "UPDATE ticket SET state = ?2, counter_id = 1,"
                                " called_at = coalesce(called_at, ?3),"
                                " serving_at = CASE WHEN ?2 <> 'called' THEN coalesce(serving_at, ?3) END,"
                                " finished_at = CASE WHEN ?2 = 'done' THEN ?3 END WHERE id = ?1");
    sqlite3_stmt *te = year_prep(db, "INSERT INTO ticket_event(ticket_id, at, event, counter_id, actor)"
                                " VALUES (?1, ?2, ?3, 1, '前台')");
    sqlite3_stmt *vi = year_prep(db, "INSERT INTO visitor(bday, badge, name, phone, company, host_id,"
                                " host_name, purpose, signed_in_at) VALUES (?1, ?2, ?3, ?4,"
                                " '某某科技有限公司', 1, '王经理', '商务洽谈', ?5)");
    sqlite3_stmt *vo = year_prep(db, "UPDATE visitor SET signed_out_at = ?2, signout_how = 'staff'"
                                " WHERE id = ?1");
    sqlite3_stmt *co = year_prep(db, "INSERT INTO complaint(ref, category, description, contact_name,"
                                " contact_phone, received_at, feedback_due, updated_at)"
                                " VALUES (?1, 'service', '等候时间太长，窗口只开了一个。', '张先生',"
                                " '13800001111', ?2, ?2 + 86400, ?2)");
    sqlite3_stmt *pj = year_prep(db, "INSERT INTO print_job(kind, ref_id, payload, state, attempts,"
                                " created_at, printed_at) VALUES (?1, ?2, ?3, 'done', 1, ?4, ?4)");
    static const char *const states[] = {"called", "serving", "done"};
    for (int d = 0; d < days; d++) {
        int64_t t0 = start + d * DAY + 9 * 3600;
        time_t tt = (time_t)(start + d * DAY);
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(bday, sizeof bday, "%Y-%m-%d", &tm);
        year_exec(db, "BEGIN");
        for (int i = 0; i < 500; i++) {
            int svc = 1 + i % 3;
            int64_t at = t0 + i * 60;
            snprintf(label, sizeof label, "%c%03d", 'A' + svc - 1, i / 3 + 1);
            sqlite3_bind_text(tk, 1, bday, -1, SQLITE_STATIC);
            sqlite3_bind_int(tk, 2, svc);
            sqlite3_bind_int(tk, 3, i / 3 + 1);
            sqlite3_bind_text(tk, 4, label, -1, SQLITE_STATIC);
            sqlite3_bind_int64(tk, 5, at);
            step(db, tk);
            int64_t id = sqlite3_last_insert_rowid(db);
            for (int k = 0; k < 3; k++) {
                sqlite3_bind_int64(tu, 1, id);
                sqlite3_bind_text(tu, 2, states[k], -1, SQLITE_STATIC);
                sqlite3_bind_int64(tu, 3, at + 300 * (k + 1));
                step(db, tu);
                sqlite3_bind_int64(te, 1, id);
                sqlite3_bind_int64(te, 2, at + 300 * (k + 1));
                sqlite3_bind_text(te, 3, states[k], -1, SQLITE_STATIC);
                step(db, te);
            }
            payload(pay, sizeof pay, label);
            sqlite3_bind_text(pj, 1, "ticket", -1, SQLITE_STATIC);
            sqlite3_bind_int64(pj, 2, id);
            sqlite3_bind_blob(pj, 3, pay, sizeof pay, SQLITE_STATIC);
            sqlite3_bind_int64(pj, 4, at);
            step(db, pj);
        }
        for (int i = 0; i < 50; i++) {
            int64_t at = t0 + i * 600;
            char badge[8], phone[16];
            snprintf(badge, sizeof badge, "V%04d", i + 1);
            snprintf(name, sizeof name, "访客%03d-%05d", i, d);
            snprintf(phone, sizeof phone, "139%08d", d * 100 + i);
            sqlite3_bind_text(vi, 1, bday, -1, SQLITE_STATIC);
            sqlite3_bind_text(vi, 2, badge, -1, SQLITE_STATIC);
            sqlite3_bind_text(vi, 3, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(vi, 4, phone, -1, SQLITE_STATIC);
            sqlite3_bind_int64(vi, 5, at);
            step(db, vi);
            int64_t id = sqlite3_last_insert_rowid(db);
            sqlite3_bind_int64(vo, 1, id);
            sqlite3_bind_int64(vo, 2, at + 3600);
            step(db, vo);
            payload(pay, sizeof pay, name);
            sqlite3_bind_text(pj, 1, "visitor", -1, SQLITE_STATIC);
            sqlite3_bind_int64(pj, 2, id);
            sqlite3_bind_blob(pj, 3, pay, sizeof pay, SQLITE_STATIC);
            sqlite3_bind_int64(pj, 4, at);
            step(db, pj);
        }
        for (int i = 0; i < 5; i++) {
            int64_t at = t0 + i * 3600;
            snprintf(ref, sizeof ref, "%02d%02d%02d001%03d%d", tm.tm_year % 100, tm.tm_mon + 1,
                     tm.tm_mday, d % 1000, i);
            sqlite3_bind_text(co, 1, ref, -1, SQLITE_STATIC);
            sqlite3_bind_int64(co, 2, at);
            step(db, co);
            int64_t id = sqlite3_last_insert_rowid(db);
            payload(pay, sizeof pay, ref);
            sqlite3_bind_text(pj, 1, "complaint", -1, SQLITE_STATIC);
            sqlite3_bind_int64(pj, 2, id);
            sqlite3_bind_blob(pj, 3, pay, sizeof pay, SQLITE_STATIC);
            sqlite3_bind_int64(pj, 4, at);
            step(db, pj);
        }
        year_exec(db, "COMMIT");
    }
    sqlite3_finalize(tk), sqlite3_finalize(tu), sqlite3_finalize(te);
    sqlite3_finalize(vi), sqlite3_finalize(vo), sqlite3_finalize(co), sqlite3_finalize(pj);
    year_exec(db, "PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE)");
}

