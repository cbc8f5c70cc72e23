/* test_deny.c - the deny list's rule and the kiosk's copy (app/core/deny.c):
 * normalisation (full-width digits, +86/0086, spaces, case), the keyed hash,
 * a sign-in that matches by name alone, by phone alone, or not at all, the
 * alert and its acknowledgement and its retention, a list that replaces the
 * previous one, the store file's bytes: no clear value of a list entry
 * anywhere in it; and the key sealed at rest, an old plain key sealed. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deny.h"
#include "journal.h"
#include "retention.h"
#include "seal.h"
#include "testutil.h"
#include "visitor.h"

static void norm_name(const char *in, const char *want)
{
    char out[DENY_NORM_MAX + 1];
    int rc = deny_norm_name(in, out, sizeof out);
    if (want) {
        CHECK_INT(rc, 0);
        CHECK_STR(out, want);
    } else {
        CHECK_INT(rc, FD_EINVAL);
    }
}

static void norm_phone(const char *in, const char *want)
{
    char out[32];
    int rc = deny_norm_phone(in, out, sizeof out);
    if (want) {
        CHECK_MSG(rc == 0, "%s refused", in);
        CHECK_STR(out, want);
    } else {
        CHECK_MSG(rc == FD_EINVAL, "%s taken as %s", in, out);
    }
}

static void normalise(void)
{
    norm_name("Zhang San", "zhang san");
    norm_name("  ＺＨＡＮＧ　 San ", "zhang san");      /* full-width letters, U+3000 */
    norm_name("ZHANG\t\tSAN", "zhang san");
    norm_name("张三", "张三");
    norm_name(" 张  三 ", "张 三");
    norm_name("Straße", "strasse");                     /* case folding, not lowering */
    norm_name("Ｍｒ.　Ｌｉ", "mr. li");
    norm_name("   ", NULL);
    norm_name("", NULL);
    norm_name("bad \xff utf8", NULL);
    norm_name(NULL, NULL);

    norm_phone("13800138000", "13800138000");
    norm_phone("１３８ ００１３ ８０００", "13800138000");  /* full-width digits */
    norm_phone("+86 138-0013-8000", "13800138000");
    norm_phone("＋８６ 13800138000", "13800138000");      /* full-width plus */
    norm_phone("0086 138 0013 8000", "13800138000");
    norm_phone("8613800138000", "13800138000");
    norm_phone("+86 10 6552 9988", "01065529988");       /* landline: trunk 0 back */
    norm_phone("010-6552-9988", "01065529988");
    norm_phone("+1 415 555 0100", "14155550100");        /* another country: digits */
    norm_phone("(021) 6555-1234", "02165551234");
    norm_phone("1234", NULL);
    norm_phone("no digits", NULL);
    norm_phone("123456789012345678901234", NULL);
    norm_phone(NULL, NULL);
}

static void hashing(void)
{
    unsigned char k1[DENY_KEY_BYTES], k2[DENY_KEY_BYTES], mac[32];
    char a[DENY_HASH_HEX + 1], b[DENY_HASH_HEX + 1], want[DENY_HASH_HEX + 1];
    for (int i = 0; i < DENY_KEY_BYTES; i++)
        k1[i] = (unsigned char)i, k2[i] = (unsigned char)(i + 1);
    /* HMAC-SHA256 over "name" 0x00 "zhang san", as libsodium computes it. */
    static const char msg[] = "name\0zhang san";
    crypto_auth_hmacsha256_state h;
    crypto_auth_hmacsha256_init(&h, k1, sizeof k1);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)msg, sizeof msg - 1);
    crypto_auth_hmacsha256_final(&h, mac);
    sodium_bin2hex(want, sizeof want, mac, sizeof mac);
    CHECK_INT(deny_hash_name(k1, " ZHANG  san", a), 0);
    CHECK_STR(a, want);
    CHECK(deny_is_hash(a));
    CHECK_INT(deny_hash_name(k2, "zhang san", b), 0);
    CHECK(strcmp(a, b) != 0); /* another head office, another hash */
    CHECK_INT(deny_hash_phone(k1, "+86 13800138000", a), 0);
    CHECK_INT(deny_hash_phone(k1, "１３８００１３８０００", b), 0);
    CHECK_STR(a, b);
    deny_hash(k1, "name", "13800138000", b); /* the same text as a name */
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(deny_hash_phone(k1, "12", a), FD_EINVAL);
    CHECK_INT(deny_key_parse("00", k2), FD_EINVAL);
    CHECK_INT(deny_key_parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                             k2), 0);
    CHECK(memcmp(k1, k2, sizeof k1) == 0);
    CHECK_INT(deny_key_parse("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
                             k2), FD_EINVAL); /* lowercase only: one spelling, one hash */
}

/* Does the file's byte content hold needle? */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0, cap = 1 << 20, m = strlen(needle);
    char *buf = NULL;
    int found = 0;
    if (!f)
        return -1;
    while (!feof(f)) {
        char *nb = realloc(buf, cap);
        if (!nb)
            break;
        buf = nb;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
    }
    fclose(f);
    for (size_t i = 0; buf && i + m <= n && !found; i++)
        found = memcmp(buf + i, needle, m) == 0;
    free(buf);
    return found;
}

static const char *KEY_HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

static void kiosk(void)
{
    struct fd_store *st = tu_open("deny.db");
    struct fd_err e = {0};
    unsigned char key[DENY_KEY_BYTES];
    char n1[65], p2[65], n3[65], p3[65];
    int64_t host;
    struct visitor v;
    struct deny_match m;
    int skipped = -1;

    CHECK_INT(host_add(st, "Ms Host", "", &host, &e), 0);
    /* Nothing held yet: no key, no match, the sign-in is ordinary. */
    CHECK_INT(deny_check(st, "Wang Barred", "13900009999", &m, &e), 0);

    /* Head office hashes with its key; the kiosk receives hashes only. */
    CHECK_INT(deny_key_parse(KEY_HEX, key), 0);
    CHECK_INT(deny_hash_name(key, "Wang Barred", n1), 0);       /* entry 1: name only */
    CHECK_INT(deny_hash_phone(key, "13700001111", p2), 0);      /* entry 2: phone only */
    CHECK_INT(deny_hash_name(key, "Liu Both", n3), 0);          /* entry 3: both */
    CHECK_INT(deny_hash_phone(key, "+86 136 0000 2222", p3), 0);
    struct deny_item items[] = {
        {1, n1, NULL}, {2, NULL, p2}, {3, n3, p3},
        {4, NULL, NULL},          /* no hash: skipped */
        {5, "Wang Barred", NULL}, /* a clear value is not a hash: skipped */
        {0, n1, NULL},            /* no id: skipped */
    };
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(deny_set_key(st, KEY_HEX, &e), 0);
    CHECK_INT(deny_put_list(st, items, 6, &skipped, &e), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(skipped, 3);
    CHECK_INT(deny_count(st), 3);
    /* each entry holds only its own hashes (none left from the entry before) */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM deny_entry WHERE id = 2 AND name_hash IS NULL"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM deny_entry WHERE id = 1 AND phone_hash IS NULL"), 1);
    CHECK_INT(deny_set_key(st, "not a key", &e), FD_EINVAL);

    /* A normal visitor is unaffected. */
    struct visitor_in in = {.name = "Chen Normal", .phone = "13812345678", .host_id = host};
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW, &v, &e), 0);
    CHECK_INT(v.held, 0);

    /* By name alone (another phone), typed in full width and another case. */
    in.name = "ＷＡＮＧ　barred";
    in.phone = "13955556666";
    CHECK_INT(deny_check(st, in.name, in.phone, &m, &e), 1);
    CHECK_INT(m.entry_id, 1);
    CHECK_STR(m.matched, "name");
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW + 60, &v, &e), 0);
    CHECK_INT(v.held, 1);
    int64_t held_id = v.id;

    /* By phone alone (another name), with +86 and spaces. */
    in.name = "Someone Else";
    in.phone = "+86 137 0000 1111";
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW + 120, &v, &e), 0);
    CHECK_INT(v.held, 1);
    CHECK_INT(deny_check(st, in.name, in.phone, &m, &e), 1);
    CHECK_STR(m.matched, "phone");
    CHECK_INT(m.entry_id, 2);

    /* Both. */
    CHECK_INT(deny_check(st, "liu  BOTH", "0086 13600002222", &m, &e), 1);
    CHECK_STR(m.matched, "name+phone");
    CHECK_INT(m.entry_id, 3);
    /* The name of one entry with the phone of nobody's: only that entry. */
    CHECK_INT(deny_check(st, "Chen Normal", "13812345678", &m, &e), 0);

    /* Held visitors are on record (head office gets held:1), audited, and
     * the console has two alerts. */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE held = 1"), 2);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE held = 0"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE type = 'visitor'"
                         " AND json_extract(record, '$.held') = 1"), 2);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE type = 'audit'"
                         " AND json_extract(record, '$.action') = 'visitor.held'"
                         " AND json_extract(record, '$.detail') LIKE '%entry 1 matched by name%'"),
              1);
    /* Reception is not asked to phone the host of a held visitor: only the
     * ordinary arrival is on the list of hosts not told. */
    {
        struct visitor_untold *u = NULL;
        int nu = 0;
        CHECK_INT(visitor_untold_list(st, TU_NOW + 200, &u, &nu, &e), 0);
        CHECK_INT(nu, 1);
        if (nu == 1)
            CHECK_STR(u[0].v.name, "Chen Normal");
        free(u);
    }
    struct deny_alert *al = NULL;
    int na = 0;
    CHECK_INT(deny_alert_open(st, &al, &na, &e), 0);
    CHECK_INT(na, 2);
    if (na == 2) {
        CHECK_INT(al[0].visitor_id, held_id);
        CHECK_STR(al[0].matched, "name");
        CHECK_STR(al[0].badge, "V0002");
        CHECK_STR(al[1].matched, "phone");
        CHECK_INT(deny_alert_ack(st, al[0].id, "Reception", TU_NOW + 300, &e), 0);
        CHECK_INT(deny_alert_ack(st, al[0].id, "Reception", TU_NOW + 301, &e), FD_ESTATE);
        CHECK_INT(deny_alert_ack(st, al[1].id, "", TU_NOW + 301, &e), FD_EINVAL);
    }
    CHECK_INT(deny_alert_ack(st, 999, "Reception", TU_NOW, &e), FD_ENOTFOUND);
    free(al);
    CHECK_INT(deny_alert_open(st, &al, &na, &e), 0);
    CHECK_INT(na, 1);
    free(al);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE action = 'deny.ack'"
                         " AND actor = 'Reception' AND subject = 'V0002'"), 1);

    /* The kiosk's retention: an acknowledged alert goes visitor_retention_days
     * after its acknowledgement (0 = kept, as the visitors are); the open
     * one stays whatever its age; the audit of both stays. */
    CHECK_INT(cfg_set(st, "visitor_retention_days", "0", &e), 0); /* 0: kept */
    CHECK_INT(retention_prune_alerts(st, TU_NOW + 400 * 86400LL, &e), 0);
    CHECK_INT(cfg_set(st, "visitor_retention_days", "30", &e), 0);
    CHECK_INT(retention_prune_alerts(st, TU_NOW + 300 + 29 * 86400LL, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM deny_alert"), 2);
    CHECK_INT(retention_prune_alerts(st, TU_NOW + 301 + 30 * 86400LL, &e), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM deny_alert"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM deny_alert WHERE ack_at IS NULL"), 1);
    CHECK_INT(retention_prune_alerts(st, TU_NOW + 4000 * 86400LL, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE action = 'deny.ack'"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE action = 'visitor.held'"), 2);
    CHECK_INT(cfg_set(st, "visitor_retention_days", "90", &e), 0);

    /* A list that no longer has entry 1: that name passes again. Entry 3
     * is listed but not as the protocol says: it keeps its old row. */
    struct deny_item fewer[] = {{2, NULL, p2}, {3, "not hex", NULL}};
    CHECK_INT(deny_put_list(st, fewer, 2, &skipped, &e), 0);
    CHECK_INT(skipped, 1);
    CHECK_INT(deny_count(st), 2);
    CHECK_INT(deny_check(st, "Wang Barred", "13955556666", &m, &e), 0);
    CHECK_INT(deny_check(st, "x", "13700001111", &m, &e), 1);
    CHECK_INT(deny_check(st, "Liu Both", "1", &m, &e), 1);
    CHECK_INT(m.entry_id, 3);
    CHECK_INT(deny_put_list(st, fewer, 1, &skipped, &e), 0); /* now entry 3 goes too */
    CHECK_INT(deny_count(st), 1);
    CHECK_INT(deny_put_list(st, fewer, DENY_LIST_MAX + 1, &skipped, &e), FD_EINVAL);

    /* The bytes of the store: list entries' clear values never appear (the
     * visitors who signed in are records, as every visitor is). */
    CHECK_INT(sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
              SQLITE_OK);
    const char *path = tu_path("deny.db");
    CHECK_INT(file_has(path, "Liu Both"), 0);
    CHECK_INT(file_has(path, "liu both"), 0);
    CHECK_INT(file_has(path, "13600002222"), 0);
    CHECK_INT(file_has(path, "Wang Barred"), 0);
    CHECK_INT(file_has(path, "wang barred"), 0);
    CHECK_INT(file_has(path, "Chen Normal"), 1); /* the probe itself works */
    CHECK_INT(file_has(path, p2), 1);            /* the list is there, as hashes */
    store_close(st);
}

/* The key at rest: sealed with the machine id (seal.h) as the device key
 * is; a key stored plain by an older kiosk still works and is sealed in
 * place (deny_key_seal); on another machine the key does not open and no
 * sign-in matches (nothing crashes, nothing is held by mistake). */
static void sealed_key(void)
{
    struct fd_store *st = tu_open("sealed.db");
    struct fd_err e = {0};
    struct deny_match m;
    unsigned char key[DENY_KEY_BYTES], back[DENY_KEY_BYTES];
    char n1[65], stored[SEAL_TEXT_LEN(DENY_KEY_BYTES)], plain[65];
    struct deny_item items[1] = {{1, n1, NULL}};

    /* the shared function: a round trip, plain hex read, damage refused */
    CHECK_INT(deny_key_parse(KEY_HEX, key), 0);
    CHECK_INT(seal_put(key, sizeof key, stored, sizeof stored), 1);
    CHECK(seal_is_sealed(stored) && !strstr(stored, KEY_HEX));
    CHECK_INT(seal_open(stored, back, sizeof back), 0);
    CHECK(memcmp(key, back, sizeof key) == 0);
    CHECK_INT(seal_open(KEY_HEX, back, sizeof back), 0);
    CHECK(memcmp(key, back, sizeof key) == 0);
    stored[10] = stored[10] == 'a' ? 'b' : 'a';
    CHECK_INT(seal_open(stored, back, sizeof back), -1);
    CHECK_INT(seal_open("s1:00", back, sizeof back), -1);
    CHECK_INT(seal_put(key, sizeof key, stored, 10), -1);

    CHECK_INT(deny_hash_name(key, "Wang Barred", n1), 0);
    CHECK_INT(deny_set_key(st, KEY_HEX, &e), 0);
    CHECK_INT(deny_put_list(st, items, 1, NULL, &e), 0);
    CHECK_INT(tu_int(st, "SELECT key LIKE 's1:%' FROM deny_key"), 1);
    CHECK_INT(tu_int(st, "SELECT instr(key, '9f86d081884c7d65') FROM deny_key"), 0);
    CHECK_INT(deny_check(st, "wang barred", "", &m, &e), 1);
    CHECK_INT(deny_key_seal(st, &e), 0); /* sealed already */

    /* an older kiosk's store: the key in plain hex */
    snprintf(plain, sizeof plain, "%s", KEY_HEX);
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(store_db(st), "UPDATE deny_key SET key = ?1", -1, &q, NULL) ==
          SQLITE_OK);
    sqlite3_bind_text(q, 1, plain, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(q) == SQLITE_DONE);
    sqlite3_finalize(q);
    CHECK_INT(deny_check(st, "Wang Barred", "", &m, &e), 1); /* still works */
    CHECK_INT(deny_key_seal(st, &e), 1);
    CHECK_INT(tu_int(st, "SELECT key LIKE 's1:%' FROM deny_key"), 1);
    CHECK_INT(deny_key_seal(st, &e), 0);
    CHECK_INT(deny_check(st, "Wang Barred", "", &m, &e), 1);
    CHECK_INT(sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(file_has(tu_path("sealed.db"), KEY_HEX), 0); /* secure_delete: gone */

#ifdef FD_TEST_HOOKS /* another machine: FD_MACHINE_ID_FILE, a test hook */
    const char *other = tu_path("other-machine-id");
    FILE *f = fopen(other, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("0123456789abcdef0123456789abcdef\n", f);
        fclose(f);
        setenv("FD_MACHINE_ID_FILE", other, 1);
        CHECK_INT(deny_check(st, "Wang Barred", "", &m, &e), 0);
        unsetenv("FD_MACHINE_ID_FILE");
        CHECK_INT(deny_check(st, "Wang Barred", "", &m, &e), 1);
    }
#endif
    sodium_memzero(key, sizeof key);
    store_close(st);
}

int main(void)
{
    if (sodium_init() < 0)
        return 2;
    normalise();
    hashing();
    kiosk();
    sealed_key();
    return check_summary();
}
