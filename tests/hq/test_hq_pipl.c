/* test_hq_pipl.c - invitations under head office's personal-data rules and
 * the notification queue's pruning (issue 14 with issue 10's retention), on
 * SQLite or, as test_hq_pipl_pg, on PostgreSQL (FDHQ_TEST_DB), with a real
 * frontdesk-hq over loopback and real kiosk stores:
 * - `person find|export` list a guest's invitations and their copies in the
 *   pull log; `person erase` deletes them everywhere (table, pull log), the
 *   kiosk that holds one drops it at its next pull, a kiosk enrolled later
 *   never receives it, and the bytes are gone from the SQLite file and WAL
 *   (on PostgreSQL: no row holds them);
 * - `purge` (the sweep `serve` runs) erases invitations personal_data_days
 *   after their day, and the kiosks drop them;
 * - `purge` deletes ended notifications after notify_keep_days (checked
 *   like every setting), in batches, and never a pending one. */
#include <cjson/cJSON.h>

#include "check.h"
#include "demo.h"
#include "harness_kiosk.h"
#include "harness.h"
#include "store.h"
#include "sync.h"

static struct h_server srv;

static int hq_exec(const char *db, const char *sql)
{
    struct hq_store *s = NULL;
    char err[256];
    int rc;
    if (hq_store_open(db, &s, err, sizeof err) != HQ_OK)
        return -1;
    rc = s->ops->sql(s, sql, NULL, 0, NULL, NULL, NULL);
    if (rc != HQ_OK)
        fprintf(stderr, "%s: %s\n", sql, s->ops->errmsg(s));
    hq_store_close(s);
    return rc;
}

static int kiosk_has(struct fd_store *st, const char *code)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM invitation WHERE code = '%s'", code);
    return (int)h_int(store_db(st), sql);
}

/* 1 when needle occurs in the file at path (a missing file holds nothing). */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    size_t n = strlen(needle), len = 0, cap = 0;
    char *buf = NULL, chunk[65536];
    size_t got;
    int found = 0;
    if (!f)
        return 0;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            char *nb = realloc(buf, (len + got) * 2);
            if (!nb)
                break;
            buf = nb;
            cap = (len + got) * 2;
        }
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    for (size_t i = 0; buf && i + n <= len && !found; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

static void utc_day(long long t, char out[16])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

#define P_A "13811112222"   /* the guest who asks to be erased */
#define P_B "13833334444"   /* another guest: kept */
#define P_C "13855556666"   /* an old invitation: the sweep's */
/* The test's own notification rows (the kiosks' demo arrivals queue theirs) */
#define MINE "SELECT count(*) FROM notify_queue WHERE device_id IN ('d', 'bulk')"

int main(void)
{
    char hqdb[512], url[128], args[1024], today[16], old_day[16], code_a[64], code_b[64],
        code_c[64], line[512];
    static char out[1 << 18];
    long long now = (long long)time(NULL);

    h_mkdir("pipl");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    struct fd_store *k1 = h_kiosk_enrolled("k1.sqlite", url, hqdb, "East", now);
    if (!k1)
        return check_summary();
    utc_day(now + 86400, today); /* tomorrow (UTC): no sweep takes it */
    utc_day(now - 400 * 86400LL, old_day);

    /* Three invitations: A (typed with spaces; then cancelled: two changes
     * in the pull log), B, and C whose day is 400 days ago. */
    snprintf(args, sizeof args, "--db '%s' invite add --branch East --day %s --name"
             " 'Zhou Invited' --phone '138 1111 2222' --company 'InviteCo Unique' --purpose"
             " 'Secretpurpose' --host '王经理'", hqdb, today);
    CHECK_INT(h_hq_cmd(args, code_a, sizeof code_a), 0);
    snprintf(args, sizeof args, "--db '%s' invite add --branch East --day %s --name"
             " 'Wu Keepme' --phone %s --company KeepCo", hqdb, today, P_B);
    CHECK_INT(h_hq_cmd(args, code_b, sizeof code_b), 0);
    snprintf(args, sizeof args, "--db '%s' invite add --branch East --day %s --name"
             " 'Old Guestname' --phone %s --company OldInviteCo", hqdb, old_day, P_C);
    CHECK_INT(h_hq_cmd(args, code_c, sizeof code_c), 0);
    CHECK_INT(h_round(k1), 0);
    snprintf(args, sizeof args, "--db '%s' invite cancel %s --by admin", hqdb, code_a);
    CHECK_INT(h_hq_cmd(args, line, sizeof line), 0);
    CHECK_INT(h_round(k1), 0);
    CHECK_INT(kiosk_has(k1, code_a), 1);
    CHECK_INT(kiosk_has(k1, code_b), 1);
    CHECK_INT(kiosk_has(k1, code_c), 1);
    CHECK_INT(h_int(store_db(k1), "SELECT count(*) FROM invitation WHERE cancelled = 1"), 1);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE kind = 'invitation'"
                             " AND key = $1", code_a), 2);

    /* find / export: the invitation and its copies in the pull log. */
    snprintf(args, sizeof args, "--db '%s' person find --phone %s --by alice --reason"
             " 'PIPL #21' --json", hqdb, P_A);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    cJSON *j = cJSON_Parse(out);
    cJSON *br = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "branches"), "East");
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "found")) == 3, "%s", out);
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(br, "invitation.invitation")) == 1,
              "%s", out);
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(br, "change.invitation")) == 2, "%s",
              out);
    CHECK(strstr(out, "Zhou Invited") == NULL); /* find counts, it does not show */
    cJSON_Delete(j);
    snprintf(args, sizeof args, "--db '%s' person export --phone '138-1111-2222' --by alice"
             " --reason 'PIPL #21'", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "Zhou Invited") && strstr(out, "InviteCo Unique") &&
              strstr(out, "\"where\":\t\"invitation\"") && strstr(out, code_a), "%s", out);
    CHECK(strstr(out, "Wu Keepme") == NULL);

    /* erase: the invitation and every copy of it in the pull log, one
     * "erased" change left for the kiosks; the other guest's stay. */
    snprintf(args, sizeof args, "--db '%s' person erase --phone %s --by bob --reason"
             " 'asked by mail' --json", hqdb, P_A);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    j = cJSON_Parse(out);
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "erased"),
                                                       "invitations")) == 1, "%s", out);
    cJSON_Delete(j);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM invitation WHERE code = $1", code_a), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE value LIKE '%' || $1 || '%'",
                       P_A), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE value LIKE '%' || $1 || '%'",
                       "Zhou Invited"), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE kind = 'invitation'"
                             " AND key = $1 AND value = '{\"state\":\"erased\"}'", code_a), 1);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE kind = 'invitation'"
                             " AND key = $1", code_a), 1);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE value LIKE '%' || $1 || '%'",
                       "Wu Keepme"), 1);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE actor = 'bob' AND action ="
                             " 'person.erase' AND detail LIKE '%\"invitations\":1%'"
                             " AND subject = $1", "138****2222"), 1);
    snprintf(args, sizeof args, "--db '%s' person find --phone %s --by bob --reason check"
             " --json", hqdb, P_A);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"found\":\t0") != NULL, "%s", out);

    /* The kiosk that holds it drops it at its next pull; a kiosk enrolled
     * now never receives the guest's data (only the "erased" change). */
    CHECK_INT(h_round(k1), 0);
    CHECK_INT(kiosk_has(k1, code_a), 0);
    CHECK_INT(kiosk_has(k1, code_b), 1);
    CHECK_INT(h_int(store_db(k1), "SELECT count(*) FROM audit WHERE action ="
                                  " 'sync_refused'"), 0); /* understood, not skipped */
    struct fd_store *k2 = h_kiosk_enrolled("k2.sqlite", url, hqdb, "East", now);
    if (k2) {
        CHECK_INT(h_round(k2), 0);
        CHECK_INT(kiosk_has(k2, code_a), 0);
        CHECK_INT(kiosk_has(k2, code_b), 1);
        CHECK_INT(kiosk_has(k2, code_c), 1);
    }

    /* The sweep: the invitation whose day is 400 days ago goes (default
     * personal_data_days 365), with its copies; the kiosks drop it. 250 more
     * old ones of a branch without kiosks show the batches (100 each). */
    char bulk[1024];
    snprintf(bulk, sizeof bulk,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)"
             " INSERT INTO invitation(code, branch, day, name, phone, created_at)"
             " SELECT 'bulk' || CAST(i AS TEXT), 'Bulk', '%s', 'Bulk Guest',"
             " '1390000' || CAST(1000 + i AS TEXT), 0 FROM n", old_day);
    CHECK_INT(hq_exec(hqdb, bulk), HQ_OK);
    snprintf(args, sizeof args, "--db '%s' purge --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    j = cJSON_Parse(out);
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "erased"),
                                                       "invitations")) == 251, "%s", out);
    cJSON_Delete(j);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM invitation WHERE branch = $1", "Bulk"), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE branch = $1 AND value ="
                             " '{\"state\":\"erased\"}'", "Bulk"), 250);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM invitation WHERE code = $1", code_c), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM invitation WHERE code = $1", code_b), 1);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM change WHERE value LIKE '%' || $1 || '%'",
                       "Old Guestname"), 0);
    CHECK_INT(h_hq_ll(hqdb, "SELECT count(*) FROM hq_audit WHERE action = 'purge'"
                             " AND detail LIKE $1", "%\"invitations\":251%"), 1);
    snprintf(args, sizeof args, "--db '%s' purge --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"invitations\":0") != NULL, "%s", out); /* done once */
    CHECK_INT(h_round(k1), 0);
    CHECK_INT(kiosk_has(k1, code_c), 0);
    CHECK_INT(kiosk_has(k1, code_b), 1);
    if (k2) {
        CHECK_INT(h_round(k2), 0);
        CHECK_INT(kiosk_has(k2, code_c), 0);
    }

    /* No sender from here on: the rows below are the test's alone. */
    h_server_stop(&srv, 0);

    /* The notification queue: ended rows go notify_keep_days (default 30)
     * after they ended, pending ones never; 1,200 old sent rows show the
     * batches (HQ_NOTIFY_PRUNE_BATCH = 500 a statement). */
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO notify_queue(device_id, visitor_id, signed_in_at, created_at, state,"
             " next_at, done_at) VALUES"
             " ('d', 1, %lld, %lld, 'sent', 0, %lld),"      /* sent 40 days ago: goes */
             " ('d', 2, %lld, %lld, 'sent', 0, %lld),"      /* sent yesterday: stays */
             " ('d', 3, %lld, %lld, 'failed', 0, %lld),"    /* failed 31 days ago: goes */
             " ('d', 4, %lld, %lld, 'failed', 0, %lld),"    /* failed 5 days ago: stays */
             " ('d', 5, %lld, %lld, 'none', 0, %lld),"      /* no target, 40 days: goes */
             " ('d', 6, %lld, %lld, 'pending', %lld, 0)",   /* pending, 40 days: stays */
             now - 40 * 86400LL, now - 40 * 86400LL, now - 40 * 86400LL,
             now - 86400LL, now - 86400LL, now - 86400LL,
             now - 32 * 86400LL, now - 32 * 86400LL, now - 31 * 86400LL,
             now - 6 * 86400LL, now - 6 * 86400LL, now - 5 * 86400LL,
             now - 40 * 86400LL, now - 40 * 86400LL, now - 40 * 86400LL,
             now - 40 * 86400LL, now - 40 * 86400LL, now + 30 * 86400LL);
    CHECK_INT(hq_exec(hqdb, sql), HQ_OK);
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 1299)"
             " INSERT INTO notify_queue(device_id, visitor_id, signed_in_at, created_at, state,"
             " next_at, done_at) SELECT 'bulk', i, %lld, %lld, 'sent', 0, %lld FROM n",
             now - 50 * 86400LL, now - 50 * 86400LL, now - 50 * 86400LL);
    CHECK_INT(hq_exec(hqdb, sql), HQ_OK);
    CHECK_INT(h_hq_ll(hqdb, MINE, NULL), 1206);
    snprintf(args, sizeof args, "--db '%s' purge --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    j = cJSON_Parse(out);
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "notifications_pruned")) == 1203,
              "%s", out);
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "notify_keep_days")) == 30, "%s",
              out);
    cJSON_Delete(j);
    snprintf(line, sizeof line, "SELECT count(*) FROM notify_queue WHERE device_id = 'd'"
                                " AND visitor_id IN (2, 4, 6)");
    CHECK_INT(h_hq_ll(hqdb, line, NULL), 3);
    CHECK_INT(h_hq_ll(hqdb, MINE, NULL), 3);

    /* The setting is checked like the others; a shorter one takes more. */
    static const char *const bad[] = {"0", "1", "3651", "abc", "7days"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "--db '%s' setting set notify_keep_days %s", hqdb, bad[i]);
        CHECK_MSG(h_hq_out(args, out, sizeof out) == 2, "%s accepted: %s", bad[i], out);
    }
    snprintf(args, sizeof args, "--db '%s' setting get notify_keep_days", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_INT(atoi(out), 30);
    snprintf(args, sizeof args, "--db '%s' setting set notify_keep_days 3", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--db '%s' setting get notify_keep_days", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_INT(atoi(out), 3);
    snprintf(args, sizeof args, "--db '%s' purge --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"notifications_pruned\":1") != NULL, "%s", out); /* the 5-day one */
    CHECK_INT(h_hq_ll(hqdb, MINE " AND state = 'pending'", NULL),
              1);
    CHECK_INT(h_hq_ll(hqdb, MINE, NULL), 2);

    if (h_hq_is_sqlite(hqdb)) {
        /* secure_delete and the checkpoint: the erased bytes are nowhere */
        char wal[600];
        snprintf(wal, sizeof wal, "%s-wal", hqdb);
        static const char *const gone[] = {"Zhou Invited", "InviteCo Unique", "Secretpurpose",
                                           P_A, "Old Guestname", "OldInviteCo", P_C};
        for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
            CHECK_MSG(!file_has(hqdb, gone[i]), "%s is still in the file", gone[i]);
            CHECK_MSG(!file_has(wal, gone[i]), "%s is still in the WAL", gone[i]);
        }
        CHECK(file_has(hqdb, "Wu Keepme") || file_has(wal, "Wu Keepme")); /* a control */
    } else {
        /* PostgreSQL: no row holds them (the dead tuples are VACUUM's:
         * hq/README.md says what it does and does not guarantee) */
        static const char *const gone[] = {"Zhou Invited", "Old Guestname", P_A, P_C};
        for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
            CHECK_INT(h_hq_ll(hqdb, "SELECT (SELECT count(*) FROM invitation WHERE name = $1"
                                     " OR phone = $1) + (SELECT count(*) FROM change WHERE"
                                     " value LIKE '%' || $1 || '%')", gone[i]), 0);
    }
    store_close(k1);
    store_close(k2);
    h_rmdir();
    return check_summary();
}
