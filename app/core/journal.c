/* journal.c - audit and handover logs (journal.h). The "open items" summary
 * is one SQL query producing JSON with SQLite's json functions, so the
 * handover record holds exactly what the database said at that moment. */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "validate.h"

int journal_audit(struct fd_store *st, const char *actor, const char *action,
                  const char *subject, const char *detail, int64_t now,
                  struct fd_err *err)
{
    int rc;
    if ((rc = val_text(actor, "actor", 40, VAL_REQUIRED, err)) ||
        (rc = val_text(action, "action", 40, VAL_REQUIRED, err)) ||
        (rc = val_text(subject, "subject", 100, 0, err)) ||
        (rc = val_text(detail, "detail", 500, VAL_MULTILINE, err)))
        return rc;
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO audit(at, actor, action, subject, detail)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_text(s, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, subject ? subject : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, detail ? detail : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

/* Runs a one-row, one-column query bound to (?1 = bday, ?2 = now) and
 * returns its text malloc'd. */
static char *query_text(struct fd_store *st, const char *sql, const char *day,
                        int64_t now)
{
    char *res = NULL;
    sqlite3_stmt *s = store_prepare(st, sql);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        res = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return res;
}

char *journal_open_items(struct fd_store *st, int64_t now)
{
    char day[11];
    queue_bday(st, now, day);
    return query_text(st,
        "SELECT json_object("
        " 'bday', ?1,"
        " 'waiting', (SELECT count(*) FROM ticket WHERE state = 'waiting' AND bday = ?1),"
        " 'at_counters', (SELECT json_group_array(json_object('counter', counter_id,"
        "   'ticket', label, 'state', state)) FROM ticket"
        "   WHERE state IN ('called', 'serving')),"
        " 'visitors_on_site', (SELECT count(*) FROM visitor WHERE signed_out_at IS NULL),"
        " 'complaints_open', (SELECT count(*) FROM complaint WHERE state <> 'closed'),"
        " 'complaints_unanswered_overdue', (SELECT count(*) FROM complaint"
        "   WHERE state = 'received' AND feedback_due < ?2))",
        day, now);
}

int journal_handover(struct fd_store *st, const char *staff, const char *note,
                     int64_t now, int64_t *id, struct fd_err *err)
{
    int rc;
    char *open = NULL;
    if ((rc = val_text(staff, "staff", 40, VAL_REQUIRED, err)) ||
        (rc = val_text(note, "note", JOURNAL_NOTE_MAX, VAL_REQUIRED | VAL_MULTILINE, err)))
        return rc;
    if (store_begin(st))
        return store_fail(st, err);
    open = journal_open_items(st, now);
    if (!open)
        goto dbfail;
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO handover(at, staff, note, open_json) VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_text(s, 2, staff, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, open, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    if (id)
        *id = sqlite3_last_insert_rowid(store_db(st));
    free(open);
    return store_commit(st) ? store_fail(st, err) : 0;
dbfail:
    free(open);
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

char *journal_handovers(struct fd_store *st, int limit)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit > 0 ? limit : 10);
    return query_text(st,
        "SELECT coalesce(json_group_array(json_object('id', id, 'at', at,"
        " 'staff', staff, 'note', note, 'open', json(open_json))), '[]') FROM"
        " (SELECT * FROM handover WHERE ?2 >= 0 ORDER BY id DESC LIMIT CAST(?1 AS INTEGER))",
        lim, 0);
}
