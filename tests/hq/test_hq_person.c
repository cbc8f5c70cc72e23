/* test_hq_person.c - personal data at head office (PIPL), on a real kiosk
 * store synced over loopback to a real frontdesk-hq (SQLite; PostgreSQL
 * through FDHQ_TEST_DB): `person find|export` show a person's records and
 * are audited with who and why (the phone masked), refused without either;
 * `purge` erases names, phones, companies and complaint contacts of visits
 * older than personal_data_days (default 365) in the log, keeping every
 * statistic field and every row; `person erase` erases one phone at once;
 * the setting moves the cut-off; and on SQLite the erased bytes are gone
 * from the database file and its WAL (secure_delete + checkpoint). */
#include "check.h"
#include "harness.h"
#include "hq_person.h"
#include "sync.h"

static struct h_server srv;

/* What the log holds for the device, by person. */
struct scan {
    long long rows, visitors, complaints;
    long long named[4];       /* rows whose personal fields still hold text: per person */
    long long erased[4];      /* rows of that person with every personal field "" */
    long long stats_kept;     /* visitor rows whose badge/host/signed_in_at survived */
};

static const char *const phones[4] = {"13911110001", "13922220002", "13933330003",
                                      "13944440004"};

static int scan_one(void *ctx, const struct hq_held *h)
{
    struct scan *s = ctx;
    cJSON *o = cJSON_Parse(h->json);
    s->rows++;
    if (o && strcmp(h->type, "visitor") == 0) {
        const char *badge = cJSON_GetStringValue(cJSON_GetObjectItem(o, "badge"));
        s->visitors++;
        if (badge && (strcmp(badge, "VOLD") == 0 || strcmp(badge, "VNEW") == 0)) {
            int who = strcmp(badge, "VOLD") == 0 ? 0 : 1;
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
            const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(o, "phone"));
            const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(o, "company"));
            const char *u = cJSON_GetStringValue(cJSON_GetObjectItem(o, "purpose"));
            if (n && p && c && u && !*n && !*p && !*c && !*u)
                s->erased[who]++;
            else
                s->named[who]++;
            if (cJSON_IsNumber(cJSON_GetObjectItem(o, "signed_in_at")) &&
                strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "host")), "王经理") == 0)
                s->stats_kept++;
        }
    } else if (o && strcmp(h->type, "complaint") == 0) {
        const char *ref = cJSON_GetStringValue(cJSON_GetObjectItem(o, "ref"));
        s->complaints++;
        if (ref && (strcmp(ref, "99000000000001") == 0 || strcmp(ref, "99000000000002") == 0)) {
            int who = strcmp(ref, "99000000000001") == 0 ? 2 : 3;
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(o, "contact_name"));
            const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(o, "contact_phone"));
            if (n && p && !*n && !*p &&
                strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "category")), "service") == 0)
                s->erased[who]++;
            else
                s->named[who]++;
        }
    }
    cJSON_Delete(o);
    return 0;
}

static struct scan scan_log(const char *db, const char *dev)
{
    struct scan s;
    struct hq_store *st = NULL;
    char err[256];
    memset(&s, 0, sizeof s);
    if (hq_store_open(db, &st, err, sizeof err) == HQ_OK) {
        st->ops->records(st, dev, 0, 0, 1 << 30, scan_one, &s);
        hq_store_close(st);
    }
    return s;
}

/* Two quarantined visitor rows of another device, straight through the
 * store: one a visit 400 days old (head office refused its version), one
 * not JSON at all (the sweep must step over it, not fail on it). */
static int push_quarantined(const char *db, long long old)
{
    struct hq_store *s = NULL;
    struct hq_record recs[2];
    char js[300], err[256];
    struct hq_push_result res;
    int rc;
    snprintf(js, sizeof js, "{\"id\":1,\"bday\":\"2025-10-27\",\"badge\":\"VQ\","
             "\"name\":\"Wu Quarantined\",\"phone\":\"13955550005\",\"company\":\"\","
             "\"purpose\":\"\",\"signed_in_at\":%lld}", old);
    memset(recs, 0, sizeof recs);
    recs[0] = (struct hq_record){.seq = 1, .type = "visitor", .schema_version = 9, .json = js,
                                 .quarantine = "unsupported schema version"};
    recs[1] = (struct hq_record){.seq = 2, .type = "visitor", .schema_version = 1,
                                 .json = "not json {", .quarantine = "record is not an object"};
    struct hq_batch b = {"feedfeedfeedfeedfeedfeedfeedfeed", 1, 0, 0, old + 60, recs, 2};
    if (hq_store_open(db, &s, err, sizeof err) != HQ_OK)
        return -1;
    rc = s->ops->begin(s);
    if (rc == HQ_OK)
        rc = s->ops->push_apply(s, &b, &res);
    rc = rc == HQ_OK ? s->ops->commit(s) : (s->ops->rollback(s), rc);
    hq_store_close(s);
    return rc == HQ_OK && res.quarantined == 2 ? 0 : -1;
}

static int quarantine_one(void *ctx, const struct hq_held *h)
{
    char *out = ctx;
    if (h->quarantined && strlen(out) + strlen(h->json) + 2 < 1024)
        strcat(strcat(out, h->json), "\n");
    return 0;
}

/* The quarantined rows of that device, as text. */
static void quarantine_text(const char *db, char out[1024])
{
    struct hq_store *s = NULL;
    char err[256];
    out[0] = '\0';
    if (hq_store_open(db, &s, err, sizeof err) == HQ_OK) {
        s->ops->records(s, "feedfeedfeedfeedfeedfeedfeedfeed", 0, 0, 100, quarantine_one, out);
        hq_store_close(s);
    }
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
            cap = (len + got) * 2;
            buf = realloc(buf, cap);
        }
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    for (size_t i = 0; i + n <= len && !found; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

int main(void)
{
    char hqdb[512], kdb[512], url[128], tok[128], err[256], args[1024], dev[80];
    static char out[1 << 18];
    struct sync_result res;
    struct scan s;
    sqlite3 *k;
    long long now = (long long)time(NULL), old = now - 400 * 86400LL, recent = now - 10 * 86400LL;
    char sql[2048];

    h_mkdir("person");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    k = h_kiosk_create(kdb);
    CHECK(h_token(hqdb, "East", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    snprintf(dev, sizeof dev, "%s", "");
    {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(k, "SELECT value FROM meta WHERE key = 'device_id'", -1, &st, NULL);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(dev, sizeof dev, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    /* Two visitors (one 400 days ago, signed out later: two versions; one 10
     * days ago) and two complaints with contacts (400 and 5 days ago). */
    snprintf(sql, sizeof sql,
             "INSERT INTO visitor(bday, badge, name, phone, company, host_id, host_name, purpose,"
             " signed_in_at) VALUES ('2025-10-27', 'VOLD', 'Zhao Oldvisitor', '%s',"
             " 'OldCo Unique', 1, '王经理', 'interview Oldpurpose', %lld);"
             "UPDATE visitor SET signed_out_at = %lld, signout_how = 'staff' WHERE badge = 'VOLD';"
             "INSERT INTO visitor(bday, badge, name, phone, company, host_id, host_name, purpose,"
             " signed_in_at) VALUES ('2026-11-21', 'VNEW', 'Qian Recentvisitor', '%s',"
             " 'NewCo Unique', 1, '王经理', 'delivery', %lld);"
             "INSERT INTO complaint(ref, category, description, contact_name, contact_phone,"
             " consent, received_at, feedback_due, updated_at) VALUES ('99000000000001',"
             " 'service', 'waited long', 'Sun Oldcomplainer', '%s', 1, %lld, %lld, %lld),"
             " ('99000000000002', 'service', 'rude', 'Li Newcomplainer', '%s', 1, %lld, %lld,"
             " %lld);",
             phones[0], old, old + 3600, phones[1], recent, phones[2], old, old + 86400, old,
             phones[3], now - 5 * 86400, now - 4 * 86400, now - 5 * 86400);
    CHECK(h_exec(k, sql) == 0);
    CHECK(h_activity(k, 20, 2) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    s = scan_log(hqdb, dev);
    long long rows = s.rows;
    CHECK(rows > 40);
    CHECK_INT(s.named[0], 2); /* sign-in and sign-out versions */
    CHECK_INT(s.named[1], 1);
    CHECK_INT(s.named[2], 1);
    CHECK_INT(s.named[3], 1);
    CHECK(push_quarantined(hqdb, old) == 0);
    char quar[1024];
    quarantine_text(hqdb, quar);
    CHECK_MSG(strstr(quar, "Wu Quarantined") && strstr(quar, "not json {"), "%s", quar);

    /* find / export: refused without who and why, shown and audited with them. */
    snprintf(args, sizeof args, "--db '%s' person find --phone %s --reason 'PIPL #7'", hqdb,
             phones[1]);
    CHECK_INT(h_hq_out(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "--db '%s' person find --phone %s --by alice --reason"
             " 'PIPL request #7' --json", hqdb, phones[1]);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    cJSON *j = cJSON_Parse(out);
    CHECK_MSG(j && cJSON_GetObjectItem(j, "found")->valuedouble >= 1, "%s", out);
    CHECK(strstr(out, "Recentvisitor") == NULL); /* find counts, it does not show */
    cJSON_Delete(j);
    snprintf(args, sizeof args, "--db '%s' person export --phone %s --by alice --reason"
             " 'PIPL request #7'", hqdb, phones[1]);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "Qian Recentvisitor") && strstr(out, "NewCo Unique"), "%s", out);
    CHECK_MSG(strstr(out, "\"where\":\t\"visitor_state\"") != NULL, "%s", out); /* and the state row */
    CHECK(strstr(out, "Zhao Oldvisitor") == NULL);
    snprintf(args, sizeof args, "--db '%s' person find --phone 13955550005 --by alice --reason"
             " 'PIPL request #8' --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "quarantine.visitor") != NULL, "%s", out);

    /* purge: the default keeps 365 days. */
    snprintf(args, sizeof args, "--db '%s' setting get personal_data_days", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_INT(atoi(out), 365);
    snprintf(args, sizeof args, "--db '%s' purge --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    j = cJSON_Parse(out);
    CHECK_MSG(j && cJSON_GetObjectItem(cJSON_GetObjectItem(j, "erased"), "log")->valuedouble >= 3,
              "%s", out);
    cJSON_Delete(j);
    s = scan_log(hqdb, dev);
    CHECK_INT(s.rows, rows);      /* no row lost */
    CHECK_INT(s.erased[0], 2);    /* both versions of the old visit */
    CHECK_INT(s.named[0], 0);
    CHECK_INT(s.named[1], 1);     /* 10 days old: kept */
    CHECK_INT(s.erased[2], 1);    /* the old complaint's contact */
    CHECK_INT(s.named[3], 1);
    CHECK_INT(s.stats_kept, 3);   /* badge, host, times: still there */
    quarantine_text(hqdb, quar); /* quarantine too; what is not JSON stays as it was */
    CHECK_MSG(!strstr(quar, "Wu Quarantined") && !strstr(quar, "13955550005") &&
              strstr(quar, "\"badge\":\"VQ\"") && strstr(quar, "not json {"), "%s", quar);
    snprintf(args, sizeof args, "--db '%s' purge --json", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"log\":0") != NULL, "%s", out); /* done once */

    /* A person's erasure: at once, whatever the age. */
    snprintf(args, sizeof args, "--db '%s' person erase --phone %s --by bob --reason"
             " 'asked at the counter'", hqdb, phones[3]);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    s = scan_log(hqdb, dev);
    CHECK_INT(s.erased[3], 1);
    CHECK_INT(s.named[1], 1);
    snprintf(args, sizeof args, "--db '%s' person find --phone %s --by bob --reason check"
             " --json", hqdb, phones[3]);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"found\":\t0") || strstr(out, "\"found\":0"), "%s", out);

    /* The setting moves the cut-off: 5 days takes the 10-day-old visit. */
    snprintf(args, sizeof args, "--db '%s' setting set personal_data_days 0", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "--db '%s' setting set personal_data_days 5 --by carol"
             " --reason policy", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--db '%s' purge", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    s = scan_log(hqdb, dev);
    CHECK_INT(s.erased[1], 1);
    CHECK_INT(s.named[1], 0);
    CHECK_INT(s.rows, rows);

    /* The state tables lost the same fields, and a replay of the erased log
     * (rebuild) gives exactly the same rows. */
    static char before_rebuild[1 << 16];
    snprintf(args, sizeof args, "--db '%s' state visitor_state %s", hqdb, dev);
    CHECK_INT(h_hq_out(args, before_rebuild, sizeof before_rebuild), 0);
    CHECK_MSG(strstr(before_rebuild, "\"badge\":\"VOLD\"") != NULL, "%s", before_rebuild);
    CHECK(strstr(before_rebuild, "Oldvisitor") == NULL && strstr(before_rebuild, "Recentvisitor") == NULL);
    CHECK(strstr(before_rebuild, "王经理") != NULL); /* the host stays */
    snprintf(args, sizeof args, "--db '%s' rebuild", hqdb);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--db '%s' state visitor_state %s", hqdb, dev);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_STR(out, before_rebuild);
    snprintf(args, sizeof args, "--db '%s' person find --phone %s --by bob --reason check"
             " --json", hqdb, phones[1]);
    CHECK_INT(h_hq_out(args, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "\"found\":\t0") || strstr(out, "\"found\":0"), "%s", out);

    if (h_hq_is_sqlite(hqdb)) {
        sqlite3 *h = NULL;
        char wal[600];
        CHECK(sqlite3_open(hqdb, &h) == SQLITE_OK);
        /* the audit log: who, why, the phone masked, never in clear */
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE actor = 'alice' AND action ="
                           " 'person.find' AND reason = 'PIPL request #7' AND subject ="
                           " '139****0002'"), 1);
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE actor = 'alice' AND action ="
                           " 'person.export'"), 1);
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE subject = '139****0005'"), 1);
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE actor = 'bob' AND action ="
                           " 'person.erase' AND reason = 'asked at the counter'"), 1);
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE action = 'purge'"), 2);
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE actor = 'carol'"), 1);
        CHECK_INT(h_int(h, "SELECT count(*) FROM hq_audit WHERE subject LIKE '%13922220002%'"
                           " OR detail LIKE '%13922220002%'"), 0);
        /* the sweep's query uses its partial index (no scan of the log) */
        CHECK_INT(h_int(h, "SELECT count(*) FROM (SELECT 1 FROM record WHERE type = 'visitor'"
                           " AND json_extract(record, '$.signed_in_at') < 0 AND ("
                           "json_extract(record, '$.name') <> '' OR json_extract(record,"
                           " '$.phone') <> '' OR json_extract(record, '$.company') <> '' OR"
                           " json_extract(record, '$.purpose') <> ''))"), 0);
        sqlite3_stmt *st = NULL;
        char plan[512] = "";
        sqlite3_prepare_v2(h, "EXPLAIN QUERY PLAN SELECT 1 FROM record WHERE"
                              " json_extract(record, '$.signed_in_at') < 5 AND type = 'visitor'"
                              " AND (json_extract(record, '$.name') <> '' OR json_extract(record,"
                              " '$.phone') <> '' OR json_extract(record, '$.company') <> '' OR"
                              " json_extract(record, '$.purpose') <> '') LIMIT 5", -1, &st, NULL);
        while (st && sqlite3_step(st) == SQLITE_ROW)
            snprintf(plan + strlen(plan), sizeof plan - strlen(plan), "%s;",
                     (const char *)sqlite3_column_text(st, 3));
        sqlite3_finalize(st);
        CHECK_MSG(strstr(plan, "record_visitor_pii") != NULL, "plan: %s", plan);
        sqlite3_close(h);
        /* secure_delete and the checkpoint: the erased bytes are nowhere */
        h_server_stop(&srv, 0);
        snprintf(wal, sizeof wal, "%s-wal", hqdb);
        static const char *const gone[] = {"Zhao Oldvisitor", "OldCo Unique", "Oldpurpose",
                                           "Wu Quarantined", "13955550005",
                                           "13911110001", "Sun Oldcomplainer", "13933330003",
                                           "Li Newcomplainer", "13944440004",
                                           "Qian Recentvisitor", "NewCo Unique", "13922220002"};
        for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
            CHECK_MSG(!file_has(hqdb, gone[i]), "%s is still in the file", gone[i]);
            CHECK_MSG(!file_has(wal, gone[i]), "%s is still in the WAL", gone[i]);
        }
        CHECK(file_has(hqdb, "王经理") || file_has(wal, "王经理")); /* kept: a control */
    } else {
        h_server_stop(&srv, 0);
    }
    sqlite3_close(k);
    h_rmdir();
    return check_summary();
}
