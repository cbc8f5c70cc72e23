/* sync_status.c - what the kiosk and frontdesk-ctl show of sync (sync.h,
 * sync_status_get): read from the store alone, no network. Apart from the
 * client (sync.c) so that the kiosk's screens, which show it, do not link
 * libcurl: the kiosk loads the client as a module once enrolled, after its
 * first frame (issue 18; app/kiosk/kiosk_sync.c). */
#include "sync.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "retention.h"

int sync_status_get(sqlite3 *db, struct sync_status *s)
{
    sqlite3_stmt *st = NULL;
    int rc = SYNC_E_DB;
    memset(s, 0, sizeof *s);
    if (sqlite3_prepare_v2(db,
                           "SELECT hq_url, branch, pull_cursor, last_attempt, last_success,"
                           " failures, last_error, 0,"
                           " (SELECT value FROM meta WHERE key = 'device_id'),"
                           " secret_key <> '' FROM sync_state WHERE id = 1",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *t;
        snprintf(s->hq_url, sizeof s->hq_url, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(s->branch, sizeof s->branch, "%s", (const char *)sqlite3_column_text(st, 1));
        s->pull_cursor = sqlite3_column_int64(st, 2);
        s->last_attempt = sqlite3_column_int64(st, 3);
        s->last_success = sqlite3_column_int64(st, 4);
        s->failures = sqlite3_column_int(st, 5);
        snprintf(s->last_error, sizeof s->last_error, "%s",
                 (const char *)sqlite3_column_text(st, 6));
        int64_t backlog = 0; /* an upper bound past 10,000 rows: never a scan */
        retention_outbox_backlog(db, &backlog, NULL);
        s->backlog = backlog;
        t = (const char *)sqlite3_column_text(st, 8);
        snprintf(s->device_id, sizeof s->device_id, "%s", t ? t : "");
        s->enrolled = s->hq_url[0] && sqlite3_column_int(st, 9);
        rc = SYNC_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int sync_hq_in_reach(sqlite3 *db, long long now)
{
    struct sync_status s;
    if (sync_status_get(db, &s) != 0 || !s.enrolled)
        return 0;
    return s.failures == 0 && s.last_success > 0 && s.last_success >= now - SYNC_REACH_S &&
           s.last_success <= now + SYNC_REACH_S;
}
