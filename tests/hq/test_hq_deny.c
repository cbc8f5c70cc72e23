/* test_hq_deny.c - the deny list end to end (issue 14): `frontdesk-hq deny
 * add|list|remove` on a real head office (SQLite here, PostgreSQL again as
 * test_hq_deny_pg through FDHQ_TEST_DB), two enrolled kiosks of two branches
 * pulling over loopback. The pull delivers the key and the hashes (a branch's
 * own entry only to that branch), the kiosk holds the same key as head
 * office, a sign-in that matches is held (and a normal one is not), the
 * kiosk's audit record of the match reaches head office with the push, a
 * removal reaches the kiosk, every use is audited, and no clear value of an
 * entry is in head office's answer, its audit log, its SQLite file or the
 * kiosks' files. */
#include "check.h"
#include "demo.h"
#include "deny.h"
#include "seal.h"
#include "harness.h"
#include "store.h"
#include "sync.h"
#include "visitor.h"

#include <sodium.h>

static int file_has(const char *path, const char *needle)
{
    char *buf = NULL;
    size_t n = 0, m = strlen(needle);
    FILE *f = fopen(path, "rb");
    int found = 0;
    if (!f)
        return 0; /* no such file (no WAL left): nothing in it */
    for (;;) {
        char *nb = realloc(buf, n + 65536);
        if (!nb)
            break;
        buf = nb;
        size_t got = fread(buf + n, 1, 65536, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    for (size_t i = 0; buf && i + m <= n && !found; i++)
        found = memcmp(buf + i, needle, m) == 0;
    free(buf);
    return found;
}

/* The clear values of the entries: none may be stored anywhere. */
static const char *const CLEAR[] = {"Wang Barred", "wang barred", "13700001111",
                                    "Liu Nobody", "liu nobody", "13600002222"};

static int text_row(void *ctx, int ncol, const char *const *col)
{
    char *out = ctx;
    size_t n = strlen(out);
    for (int i = 0; i < ncol; i++)
        n += (size_t)snprintf(out + n, n < 8192 ? 8192 - n : 0, "%s|", col[i] ? col[i] : "");
    return 0;
}

/* records callback: counts held audit rows of the kiosk's match and visitor
 * rows marked held. */
struct seen {
    int held_audit, held_visitor;
};
static int seen_row(void *ctx, const struct hq_held *h)
{
    struct seen *s = ctx;
    if (!strcmp(h->type, "audit") && strstr(h->json, "\"visitor.held\""))
        s->held_audit++;
    if (!strcmp(h->type, "visitor") && strstr(h->json, "\"held\":1"))
        s->held_visitor++;
    return 0;
}

static int sign_in(struct fd_store *st, const char *name, const char *phone, long long at)
{
    struct visitor v;
    struct fd_err e = {0};
    struct visitor_in in = {.name = name, .phone = phone, .host_id = 1};
    if (visitor_sign_in(st, &in, at, &v, &e) != 0) {
        fprintf(stderr, "sign-in: %s\n", e.msg);
        return -1;
    }
    return v.held;
}

int main(void)
{
    struct h_server srv;
    struct sync_result res;
    struct fd_store *north = NULL, *south = NULL;
    struct fd_err fe;
    struct hq_store *hs = NULL;
    char hqdb[512], kn[512], ks[512], url[128], tok[128], err[512], args[2048], out[8192];
    long long now = time(NULL);
    sqlite3 *n, *s;

    if (sodium_init() < 0)
        return 1;
    h_mkdir("deny");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kn, sizeof kn, "north.sqlite");
    h_path(ks, sizeof ks, "south.sqlite");
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    CHECK(store_open(kn, &north, err, sizeof err) == 0);
    CHECK(store_open(ks, &south, err, sizeof err) == 0);
    n = store_db(north);
    s = store_db(south);
    CHECK(demo_load(north, now, &fe) == 0);
    CHECK(demo_load(south, now, &fe) == 0);
    CHECK(h_token(hqdb, "North", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(n, url, tok, err, sizeof err), SYNC_OK);
    CHECK(h_token(hqdb, "South", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(s, url, tok, err, sizeof err), SYNC_OK);

    /* Refused: neither name nor phone, no reason, no --by, a bad phone, a
     * hand-made deny_key. Nothing is stored. */
    snprintf(args, sizeof args, "--db '%s' deny add --reason x --by alice 2>/dev/null", hqdb);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 2);
    snprintf(args, sizeof args, "--db '%s' deny add --name X --by alice 2>/dev/null", hqdb);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 2);
    snprintf(args, sizeof args, "--db '%s' deny add --name X --reason r 2>/dev/null", hqdb);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 2);
    snprintf(args, sizeof args, "--db '%s' deny add --phone 12 --reason r --by a 2>/dev/null",
             hqdb);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 2);
    snprintf(args, sizeof args,
             "--db '%s' config set deny_key '\"00\"' 2>/dev/null", hqdb);
    CHECK(h_hq_cmd(args, NULL, 0) != 0);

    /* Entry 1 for every branch by name; entry 2 for North only by phone;
     * entry 3 for every branch, both fields, that nobody will type. */
    snprintf(args, sizeof args, "--db '%s' deny add --name 'Wang Barred' --reason 'threatened"
             " staff' --by alice --json", hqdb);
    CHECK_INT(h_hq_cmd(args, out, sizeof out), 0);
    CHECK_STR(out, "{\"id\":1}");
    snprintf(args, sizeof args, "--db '%s' deny add --phone '+86 137 0000 1111' --reason"
             " 'court order' --by alice --branch North --json", hqdb);
    CHECK_INT(h_hq_cmd(args, out, sizeof out), 0);
    CHECK_STR(out, "{\"id\":2}");
    snprintf(args, sizeof args, "--db '%s' deny add --name 'Liu Nobody' --phone 13600002222"
             " --reason r3 --by bob --json", hqdb);
    CHECK_INT(h_hq_cmd(args, out, sizeof out), 0);
    CHECK_STR(out, "{\"id\":3}");

    /* list: ids, who, why, which fields; never a clear value. */
    snprintf(args, sizeof args, "--db '%s' deny list --json --by carol", hqdb);
    CHECK_INT(h_hq_cmd(args, out, sizeof out), 0);
    cJSON *l = cJSON_Parse(out), *ents = cJSON_GetObjectItem(l, "entries");
    CHECK_INT(cJSON_GetArraySize(ents), 3);
    cJSON *e2 = cJSON_GetArrayItem(ents, 1);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(e2, "name")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(e2, "phone")));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e2, "branch")), "North");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e2, "added_by")), "alice");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e2, "reason")), "court order");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(ents, 0), "branch")));
    cJSON_Delete(l);
    for (size_t i = 0; i < sizeof CLEAR / sizeof CLEAR[0]; i++)
        CHECK_MSG(!strstr(out, CLEAR[i]), "list shows %s", CLEAR[i]);

    /* The pull delivers the key and the hashes; each branch its own list. */
    CHECK_INT(sync_round(n, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.skipped, 0);
    CHECK_INT(sync_round(s, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(deny_count(north), 3);
    CHECK_INT(deny_count(south), 2);
    CHECK(hq_store_open(hqdb, &hs, err, sizeof err) == HQ_OK);
    char hqkey[8192] = "";
    if (hs)
        CHECK_INT(hs->ops->sql(hs, "SELECT key FROM deny_key", NULL, 0, text_row, hqkey, NULL),
                  HQ_OK);
    CHECK_INT(strlen(hqkey), DENY_HASH_HEX + 1);
    hqkey[DENY_HASH_HEX] = '\0';
    /* The kiosk holds head office's key sealed with its machine id (seal.h),
     * never the clear hex. */
    sqlite3_stmt *q = NULL;
    unsigned char held[DENY_KEY_BYTES], want_key[DENY_KEY_BYTES];
    CHECK(sqlite3_prepare_v2(n, "SELECT key FROM deny_key", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    const char *stored = (const char *)sqlite3_column_text(q, 0);
    CHECK_MSG(stored && strncmp(stored, "s1:", 3) == 0 && !strstr(stored, hqkey), "%s",
              stored ? stored : "(null)");
    CHECK_INT(seal_open(stored, held, sizeof held), 0);
    CHECK_INT(deny_key_parse(hqkey, want_key), 0);
    CHECK(memcmp(held, want_key, sizeof held) == 0);
    sqlite3_finalize(q);
    /* A kiosk from before sealing: both its secrets in plain hex. The next
     * pull seals them in place (sync_seal_at_rest) and sync goes on. */
    {
        char dev_id[65], plain_sk[129], kerr[256];
        unsigned char sk[64];
        CHECK_INT(sync_device_key(n, dev_id, sk, kerr, sizeof kerr), SYNC_OK);
        sodium_bin2hex(plain_sk, sizeof plain_sk, sk, sizeof sk);
        sodium_memzero(sk, sizeof sk);
        sqlite3_stmt *u = NULL;
        CHECK(sqlite3_prepare_v2(n, "UPDATE sync_state SET secret_key = ?1", -1, &u, NULL) ==
              SQLITE_OK);
        sqlite3_bind_text(u, 1, plain_sk, -1, SQLITE_STATIC);
        CHECK(sqlite3_step(u) == SQLITE_DONE);
        sqlite3_finalize(u);
        u = NULL;
        CHECK(sqlite3_prepare_v2(n, "UPDATE deny_key SET key = ?1", -1, &u, NULL) == SQLITE_OK);
        sqlite3_bind_text(u, 1, hqkey, -1, SQLITE_STATIC);
        CHECK(sqlite3_step(u) == SQLITE_DONE);
        sqlite3_finalize(u);
        CHECK_INT(h_int(n, "SELECT (SELECT key NOT LIKE 's1:%' FROM deny_key) + (SELECT"
                           " secret_key NOT LIKE 's1:%' FROM sync_state)"), 2);
        CHECK_INT(sync_round(n, 0, &res, err, sizeof err), SYNC_OK);
        CHECK_INT(h_int(n, "SELECT (SELECT key LIKE 's1:%' FROM deny_key) + (SELECT"
                           " secret_key LIKE 's1:%' FROM sync_state)"), 2);
        CHECK_INT(sync_seal_at_rest(n), 0); /* done once */
        q = NULL;
        CHECK(sqlite3_prepare_v2(n, "SELECT key FROM deny_key", -1, &q, NULL) == SQLITE_OK);
        CHECK(sqlite3_step(q) == SQLITE_ROW);
        CHECK_INT(seal_open((const char *)sqlite3_column_text(q, 0), held, sizeof held), 0);
        CHECK(memcmp(held, want_key, sizeof held) == 0);
        sqlite3_finalize(q);
        CHECK_INT(sync_round(n, 0, &res, err, sizeof err), SYNC_OK); /* the sealed key signs */
        sodium_memzero(plain_sk, sizeof plain_sk);
    }
    /* The hashes are the shared rule's: entry 2's phone as the kiosk would
     * hash "13700001111" typed by a visitor. */
    unsigned char key[DENY_KEY_BYTES];
    char want[DENY_HASH_HEX + 1] = "";
    CHECK_INT(deny_key_parse(hqkey, key), 0);
    CHECK_INT(deny_hash_phone(key, "13700001111", want), 0);
    q = NULL;
    CHECK(sqlite3_prepare_v2(n, "SELECT count(*) FROM deny_entry WHERE id = 2 AND"
                                " name_hash IS NULL AND phone_hash = ?1", -1, &q, NULL) == SQLITE_OK);
    sqlite3_bind_text(q, 1, want, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1);
    sqlite3_finalize(q);

    /* Sign-ins: by phone alone at North (its own entry), not at South; by
     * name alone (another case and spacing) at South; a normal visitor. */
    CHECK_INT(sign_in(north, "Someone", "137-0000-1111", now), 1);
    CHECK_INT(sign_in(south, "Someone", "13700001111", now), 0);
    CHECK_INT(sign_in(south, "WANG  barred", "13912340000", now + 1), 1);
    CHECK_INT(sign_in(south, "Chen Normal", "13912340001", now + 2), 0);
    CHECK_INT(h_int(s, "SELECT count(*) FROM deny_alert WHERE ack_at IS NULL"), 1);

    /* The match reaches head office with the push: the audit record and the
     * visitor record marked held. */
    CHECK_INT(sync_round(n, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(sync_round(s, 0, &res, err, sizeof err), SYNC_OK);
    char dev[64] = "";
    q = NULL;
    CHECK(sqlite3_prepare_v2(s, "SELECT value FROM meta WHERE key = 'device_id'", -1, &q,
                             NULL) == SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        snprintf(dev, sizeof dev, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    struct seen seen = {0};
    if (hs)
        CHECK_INT(hs->ops->records(hs, dev, 0, 0, 100000, seen_row, &seen), HQ_OK);
    CHECK_INT(seen.held_audit, 1);
    CHECK_INT(seen.held_visitor, 1);

    /* Removal reaches the kiosks: entry 1 lifted, that name passes again. */
    snprintf(args, sizeof args, "--db '%s' deny remove 1 --by bob --reason 'lifted' --json",
             hqdb);
    CHECK_INT(h_hq_cmd(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "--db '%s' deny remove 1 --by bob --reason again 2>/dev/null",
             hqdb);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 1); /* not in force any more */
    snprintf(args, sizeof args, "--db '%s' deny remove 2 --by bob 2>/dev/null", hqdb);
    CHECK_INT(h_hq_cmd(args, NULL, 0), 2); /* no reason */
    CHECK_INT(sync_round(n, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(sync_round(s, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(deny_count(north), 2);
    CHECK_INT(deny_count(south), 1);
    CHECK_INT(sign_in(south, "Wang Barred", "13912340002", now + 3), 0);
    CHECK_INT(sign_in(north, "Else", "13700001111", now + 4), 1); /* entry 2 stays */

    /* Every use audited at head office, with who and why, and no clear
     * value in the audit log. */
    char audit[8192] = "";
    if (hs) {
        CHECK_INT(hs->ops->sql(hs, "SELECT action, actor, subject, reason, detail FROM hq_audit"
                                   " WHERE action LIKE 'deny.%' ORDER BY id",
                               NULL, 0, text_row, audit, NULL),
                  HQ_OK);
    }
    CHECK(strstr(audit, "deny.add|alice|deny entry 1|threatened staff|") != NULL);
    CHECK(strstr(audit, "deny.list|carol|") != NULL);
    CHECK(strstr(audit, "deny.remove|bob|deny entry 1|lifted|") != NULL);
    for (size_t i = 0; i < sizeof CLEAR / sizeof CLEAR[0]; i++)
        CHECK_MSG(!strstr(audit, CLEAR[i]), "audit holds %s", CLEAR[i]);
    /* A list head office should never send (a clear name where a hash
     * goes, written past the CLI): the kiosk refuses the entry, audits the
     * refusal (no value in it) and keeps nothing of it. */
    if (hs)
        CHECK_INT(hs->ops->config_set(hs, "South", "deny_list",
                                      "[{\"id\":7,\"name\":\"Clear Text Name\"}]", now),
                  HQ_OK);
    CHECK_INT(sync_round(s, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.skipped, 1);
    CHECK_INT(deny_count(south), 0); /* entry 3 not listed any more; 7 refused */
    CHECK_INT(h_int(s, "SELECT count(*) FROM audit WHERE action = 'sync_refused'"
                       " AND subject = 'deny_list' AND detail NOT LIKE '%Clear%'"), 1);
    hq_store_close(hs);

    /* The files: head office's (SQLite) and the kiosks'. */
    CHECK(sqlite3_exec(n, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK);
    h_server_stop(&srv, 0);
    for (size_t i = 0; i < sizeof CLEAR / sizeof CLEAR[0]; i++) {
        char wal[600];
        /* Visitors typed "Wang Barred" and 13700001111 themselves: those are
         * visitor records (at the kiosk, and pushed to head office). */
        int typed = !strcmp(CLEAR[i], "Wang Barred") || !strcmp(CLEAR[i], "13700001111");
        if (h_hq_is_sqlite(hqdb) && !typed) {
            snprintf(wal, sizeof wal, "%s-wal", hqdb);
            CHECK_MSG(!file_has(hqdb, CLEAR[i]) && !file_has(wal, CLEAR[i]),
                      "head office's file holds %s", CLEAR[i]);
        }
        CHECK_MSG(!file_has(ks, CLEAR[i]) || typed,
                  "the South kiosk's file holds %s", CLEAR[i]);
    }
    /* South never had entry 2 and nobody typed entry 3 anywhere. */
    CHECK(!file_has(ks, "13600002222") && !file_has(kn, "13600002222"));
    CHECK(!file_has(ks, "Liu Nobody") && !file_has(kn, "Liu Nobody"));
    CHECK(!file_has(kn, "Wang Barred"));
    CHECK(!file_has(ks, "Clear Text Name"));
    store_close(north);
    store_close(south);
    h_rmdir();
    return check_summary();
}
