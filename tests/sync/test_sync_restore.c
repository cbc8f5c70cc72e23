/* test_sync_restore.c - a kiosk restored from a backup (core's store_backup /
 * store_restore raise the sync epoch) keeps syncing without losing or
 * doubling anything: rows the backup still holds but head office already
 * has are ignored, new rows go up under the new epoch from the seq where the
 * restored outbox continues, and head office ends up holding exactly the
 * union of both timelines' histories. */
#include "check.h"
#include "harness.h"
#include "store.h"
#include "sync.h"

int main(void)
{
    struct h_server srv;
    struct sync_result res;
    struct fd_store *st = NULL;
    char hqdb[512], kdb[512], bak[512], saved[512], url[128], tok[128], err[512], sql[1200];
    sqlite3 *k;

    h_mkdir("restore");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    h_path(bak, sizeof bak, "backup.sqlite");
    h_path(saved, sizeof saved, "saved.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);

    CHECK(store_open(kdb, &st, err, sizeof err) == 0);
    k = store_db(st);
    CHECK(h_history(k) == 0);
    h_exec(k, "INSERT INTO service(id, code, name_zh, name_en) VALUES (1, 'A', 'A', 'A'),"
              " (2, 'B', 'B', 'B'); INSERT INTO counter(id, name) VALUES (1, 'c1');"
              " INSERT INTO host(id, name) VALUES (1, 'h');");
    CHECK(h_token(hqdb, "Restore", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 100, 1) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);

    /* Rows made, backed up while still unsent, then sent; more rows after. */
    CHECK(h_activity(k, 60, 2) == 0);
    CHECK(store_backup(st, bak, err, sizeof err) == 0);
    long long unsent_in_backup = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(unsent_in_backup > 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 60, 3) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK(h_compare(k, hqdb, NULL) == 0);
    /* Keep this timeline's history: the restore will forget it. */
    snprintf(sql, sizeof sql,
             "ATTACH '%s' AS s; CREATE TABLE s.h AS SELECT * FROM outbox_history; DETACH s;",
             saved);
    CHECK(h_exec(k, sql) == 0);
    store_close(st);

    /* Restore the backup: epoch raised, the unsent rows of epoch 1 still there. */
    CHECK(store_restore(bak, kdb, 0, err, sizeof err) == 0);
    CHECK(store_open(kdb, &st, err, sizeof err) == 0);
    k = store_db(st);
    CHECK_INT(h_int(k, "SELECT value FROM meta WHERE key = 'epoch'"), 2);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox WHERE epoch = 1"), unsent_in_backup);
    CHECK(h_activity(k, 60, 4) == 0);
    CHECK(h_int(k, "SELECT count(*) FROM outbox WHERE epoch = 2") > 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);

    /* Head office holds both timelines: the union, each row once. */
    snprintf(sql, sizeof sql,
             "ATTACH '%s' AS s; INSERT OR IGNORE INTO outbox_history SELECT * FROM s.h;"
             " DETACH s;", saved);
    CHECK(h_exec(k, sql) == 0);
    long long rows = 0;
    CHECK(h_compare(k, hqdb, &rows) == 0);
    CHECK_INT(rows, h_int(k, "SELECT count(*) FROM outbox_history"));
    CHECK(h_int(k, "SELECT count(*) FROM outbox_history WHERE epoch = 2") > 0);

    /* Moved to a new head office (a fresh database): enrol again; the rows
     * made from then on go there, starting where the outbox stands. */
    if (h_hq_is_sqlite(hqdb)) {
        struct h_server srv2;
        char hq2[512];
        h_path(hq2, sizeof hq2, "hq2.sqlite");
        CHECK(h_server_start(&srv2, hq2, 0, NULL, NULL, NULL) == 0);
        h_url(&srv2, url, sizeof url);
        CHECK(h_token(hq2, "Moved", tok, sizeof tok) == 0);
        CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
        h_exec(k, "DELETE FROM outbox_history");
        CHECK(h_activity(k, 30, 5) == 0);
        CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
        CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
        CHECK(h_compare(k, hq2, &rows) == 0);
        CHECK(rows > 30);
        h_server_stop(&srv2, 0);
    }

    store_close(st);
    h_server_stop(&srv, 0);
    h_rmdir();
    return check_summary();
}
