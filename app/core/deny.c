/* deny.c - the deny list's rule and the kiosk's copy of it (deny.h).
 * Normalising uses GNU libunistring (u8_casefold with NFKC), hashing uses
 * libsodium's HMAC-SHA256 (crypto_auth_hmacsha256_*): nothing here is a
 * hand-written Unicode table or hash. Only the phone number's digit rules
 * are ours: they are the numbering plan, which no library knows. */
#include "deny.h"
#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unistr.h>
#include <uninorm.h>

#include "journal.h"

/* NFKC + case folding of s into a malloc'd, NUL-terminated buffer; NULL
 * when s is not UTF-8 or memory runs out. */
static char *fold(const char *s, size_t *outlen)
{
    size_t n = strlen(s), len = 0;
    if (u8_check((const uint8_t *)s, n))
        return NULL;
    uint8_t *r = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFKC, NULL, &len);
    if (!r)
        return NULL;
    char *z = realloc(r, len + 1);
    if (!z) {
        sodium_memzero(r, len);
        free(r);
        return NULL;
    }
    z[len] = '\0';
    *outlen = len;
    return z;
}

static int is_space(unsigned char c)
{
    /* After NFKC every Unicode space (U+3000, U+00A0, U+2002...) is U+0020. */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int deny_norm_name(const char *s, char *out, size_t len)
{
    size_t n = 0, o = 0;
    int space = 0, rc = 0;
    char *f;
    if (!s || !out || !len || !(f = fold(s, &n)))
        return FD_EINVAL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)f[i];
        if (is_space(c)) {
            space = o > 0; /* leading spaces vanish; inner runs become one */
            continue;
        }
        if (space) {
            if (o + 1 >= len || o + 1 > DENY_NORM_MAX)
                rc = FD_EINVAL;
            else
                out[o++] = ' ';
            space = 0;
        }
        if (rc == 0 && (o + 1 >= len || o + 1 > DENY_NORM_MAX))
            rc = FD_EINVAL;
        else if (rc == 0)
            out[o++] = (char)c;
    }
    sodium_memzero(f, n);
    free(f);
    out[rc == 0 ? o : 0] = '\0';
    return rc == 0 && o > 0 ? 0 : FD_EINVAL;
}

int deny_norm_phone(const char *s, char *out, size_t len)
{
    char d[24];
    size_t n = 0, k = 0;
    int plus = 0, seen = 0, rc = 0;
    char *f;
    if (!s || !out || !len || !(f = fold(s, &n)))
        return FD_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (c == '+' && !seen)
            plus = 1;
        if (c >= '0' && c <= '9') {
            seen = 1;
            if (k + 1 >= sizeof d) {
                rc = FD_EINVAL;
                break;
            }
            d[k++] = c;
        }
    }
    d[k] = '\0';
    sodium_memzero(f, n);
    free(f);
    const char *x = d;
    int china = 0;
    if (plus && !strncmp(x, "86", 2))
        x += 2, china = 1;
    else if (!plus && !strncmp(x, "0086", 4))
        x += 4, china = 1;
    else if (!plus && k == 13 && !strncmp(x, "861", 3))
        x += 2; /* 86 138 0013 8000: a mobile with the country code, no plus */
    size_t m = strlen(x);
    /* +86 10 6552 9988 is 010 6552 9988 at home: put the trunk 0 back on a
     * landline (a mobile is 11 digits from 1; a landline's area code does
     * not start with 0 after the country code). */
    int trunk = china && m > 0 && x[0] != '0' && !(m == 11 && x[0] == '1');
    if (rc || m + (size_t)trunk < 5 || m + (size_t)trunk > 20 || m + (size_t)trunk + 1 > len)
        rc = FD_EINVAL;
    else
        snprintf(out, len, "%s%s", trunk ? "0" : "", x);
    sodium_memzero(d, sizeof d);
    if (rc && len)
        out[0] = '\0';
    return rc;
}

void deny_hash(const unsigned char key[DENY_KEY_BYTES], const char *kind, const char *norm,
               char out[DENY_HASH_HEX + 1])
{
    crypto_auth_hmacsha256_state h;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    static const unsigned char sep = 0;
    crypto_auth_hmacsha256_init(&h, key, DENY_KEY_BYTES);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)kind, strlen(kind));
    crypto_auth_hmacsha256_update(&h, &sep, 1);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)norm, strlen(norm));
    crypto_auth_hmacsha256_final(&h, mac);
    sodium_bin2hex(out, DENY_HASH_HEX + 1, mac, sizeof mac);
    sodium_memzero(&h, sizeof h);
}

int deny_hash_name(const unsigned char key[DENY_KEY_BYTES], const char *name,
                   char out[DENY_HASH_HEX + 1])
{
    char norm[DENY_NORM_MAX + 1];
    int rc = deny_norm_name(name, norm, sizeof norm);
    if (rc == 0)
        deny_hash(key, "name", norm, out);
    sodium_memzero(norm, sizeof norm);
    return rc;
}

int deny_hash_phone(const unsigned char key[DENY_KEY_BYTES], const char *phone,
                    char out[DENY_HASH_HEX + 1])
{
    char norm[32];
    int rc = deny_norm_phone(phone, norm, sizeof norm);
    if (rc == 0)
        deny_hash(key, "phone", norm, out);
    sodium_memzero(norm, sizeof norm);
    return rc;
}

int deny_is_hash(const char *s)
{
    size_t i = 0;
    if (!s)
        return 0;
    for (; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return i == DENY_HASH_HEX;
}

int deny_key_parse(const char *hex, unsigned char key[DENY_KEY_BYTES])
{
    size_t got = 0;
    if (!deny_is_hash(hex) ||
        sodium_hex2bin(key, DENY_KEY_BYTES, hex, DENY_HASH_HEX, NULL, &got, NULL) != 0 ||
        got != DENY_KEY_BYTES)
        return FD_EINVAL;
    return 0;
}

/* ---- the kiosk's copy ---- */

int deny_set_key(struct fd_store *st, const char *hex, struct fd_err *err)
{
    unsigned char k[DENY_KEY_BYTES];
    char stored[SEAL_TEXT_LEN(DENY_KEY_BYTES)];
    int rc = deny_key_parse(hex, k);
    if (rc) {
        sodium_memzero(k, sizeof k);
        return fd_fail(err, FD_EINVAL, "deny_key", "the deny key is 64 lowercase hex digits");
    }
    /* sealed with the machine id, as the device key is (seal.h) */
    rc = seal_put(k, sizeof k, stored, sizeof stored);
    sodium_memzero(k, sizeof k);
    if (rc < 0)
        return fd_fail(err, FD_EINVAL, "deny_key", "the deny key cannot be sealed");
    sqlite3_stmt *s = store_prepare(st, "INSERT INTO deny_key(id, key) VALUES (1, ?1)"
                                        " ON CONFLICT(id) DO UPDATE SET key = excluded.key");
    if (!s) {
        sodium_memzero(stored, sizeof stored);
        return store_fail(st, err);
    }
    sqlite3_bind_text(s, 1, stored, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sodium_memzero(stored, sizeof stored);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

int deny_key_seal(struct fd_store *st, struct fd_err *err)
{
    unsigned char k[DENY_KEY_BYTES];
    char old[DENY_HASH_HEX + 1] = "", stored[SEAL_TEXT_LEN(DENY_KEY_BYTES)];
    int rc, found = 0;
    sqlite3_stmt *s = store_prepare(st, "SELECT key FROM deny_key WHERE id = 1");
    if (!s)
        return store_fail(st, err);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        /* sealed already, or not a key at all (left for deny_check to report) */
        found = t && !seal_is_sealed(t) && strlen(t) == DENY_HASH_HEX;
        if (found)
            memcpy(old, t, DENY_HASH_HEX + 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, err);
    if (!found)
        return 0;
    rc = deny_key_parse(old, k) == 0 ? seal_put(k, sizeof k, stored, sizeof stored) : -1;
    sodium_memzero(k, sizeof k);
    if (rc != 1) { /* not a key (deny_check ignores it), or no machine id (logged) */
        sodium_memzero(old, sizeof old);
        return 0;
    }
    /* only the value read: a key the pull replaced meanwhile is sealed already */
    s = store_prepare(st, "UPDATE deny_key SET key = ?2 WHERE id = 1 AND key = ?1");
    if (s) {
        sqlite3_bind_text(s, 1, old, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, stored, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
    }
    sodium_memzero(old, sizeof old);
    sodium_memzero(stored, sizeof stored);
    if (!s || rc != SQLITE_DONE)
        return store_fail(st, err);
    return sqlite3_changes(store_db(st)) > 0;
}

int deny_put_list(struct fd_store *st, const struct deny_item *items, int n, int *skipped,
                  struct fd_err *err)
{
    int bad = 0, rc;
    if (skipped)
        *skipped = 0;
    if (n < 0 || n > DENY_LIST_MAX)
        return fd_fail(err, FD_EINVAL, "deny_list", "a deny list holds at most %d entries",
                       DENY_LIST_MAX);
    /* What is not listed goes; a listed entry that is not the protocol keeps
     * its old row (as every list of the pull does, hq/PROTOCOL.md). */
    int64_t *ids = calloc((size_t)(n > 0 ? n : 1), sizeof *ids);
    int nids = 0;
    if (!ids)
        return fd_fail(err, FD_EDB, "", "out of memory");
    for (int i = 0; i < n; i++)
        if (items[i].id > 0)
            ids[nids++] = items[i].id;
    rc = store_exec_ids(st, "DELETE FROM deny_entry WHERE id NOT IN"
                            " (SELECT value FROM json_each(?1))",
                        ids, nids, err);
    free(ids);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        const struct deny_item *it = &items[i];
        int hn = it->name_hash != NULL, hp = it->phone_hash != NULL;
        if (it->id <= 0 || (!hn && !hp) || (hn && !deny_is_hash(it->name_hash)) ||
            (hp && !deny_is_hash(it->phone_hash))) {
            bad++;
            continue;
        }
        sqlite3_stmt *s = store_prepare(st, "INSERT INTO deny_entry(id, name_hash, phone_hash)"
                              " VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET"
                              " name_hash = excluded.name_hash, phone_hash = excluded.phone_hash");
        if (!s)
            return store_fail(st, err);
        sqlite3_bind_int64(s, 1, it->id);
        if (hn)
            sqlite3_bind_text(s, 2, it->name_hash, -1, SQLITE_STATIC);
        if (hp)
            sqlite3_bind_text(s, 3, it->phone_hash, -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return store_fail(st, err);
    }
    if (skipped)
        *skipped = bad;
    if (bad)
        fd_fail(err, FD_EINVAL, "deny_list", "%d deny list entries are not the protocol", bad);
    return 0;
}

int deny_count(struct fd_store *st)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM deny_entry");
    int n = FD_EDB;
    if (s && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    if (s)
        sqlite3_reset(s);
    return n;
}

/* The held key into k: 1, 0 when none is held (or it cannot be opened
 * here: sealed on another machine, logged), FD_EDB. */
static int held_key(struct fd_store *st, unsigned char k[DENY_KEY_BYTES], struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT key FROM deny_key WHERE id = 1");
    int rc;
    if (!s)
        return store_fail(st, err);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        /* sealed (seal.h), or plain hex as stored before sealing */
        rc = seal_open(t, k, DENY_KEY_BYTES) == 0 ? 1 : 0;
        if (rc == 0 && seal_is_sealed(t))
            fprintf(stderr, "deny: the deny key was sealed on another machine (a restored"
                            " backup?): no sign-in is checked until head office sends it"
                            " again\n");
    } else
        rc = rc == SQLITE_DONE ? 0 : FD_EDB;
    sqlite3_reset(s);
    return rc == FD_EDB ? store_fail(st, err) : rc;
}

int deny_check(struct fd_store *st, const char *name, const char *phone, struct deny_match *m,
               struct fd_err *err)
{
    unsigned char k[DENY_KEY_BYTES];
    char hn[DENY_HASH_HEX + 1] = "", hp[DENY_HASH_HEX + 1] = "";
    int rc = held_key(st, k, err);
    if (rc <= 0)
        return rc; /* no key yet: no list can match */
    int have_n = name && deny_hash_name(k, name, hn) == 0;
    int have_p = phone && deny_hash_phone(k, phone, hp) == 0;
    sodium_memzero(k, sizeof k);
    if (!have_n && !have_p)
        return 0;
    sqlite3_stmt *s = store_prepare(st,
        "SELECT id, name_hash IS NOT NULL AND name_hash = ?1,"
        " phone_hash IS NOT NULL AND phone_hash = ?2 FROM deny_entry"
        " WHERE name_hash = ?1 OR phone_hash = ?2 ORDER BY id LIMIT 1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, have_n ? hn : "-", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, have_p ? hp : "-", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int byn = sqlite3_column_int(s, 1), byp = sqlite3_column_int(s, 2);
        if (m) {
            m->entry_id = sqlite3_column_int64(s, 0);
            snprintf(m->matched, sizeof m->matched, "%s",
                     byn && byp ? "name+phone" : byn ? "name" : "phone");
        }
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : FD_EDB;
    }
    sqlite3_reset(s);
    sodium_memzero(hn, sizeof hn);
    sodium_memzero(hp, sizeof hp);
    return rc == FD_EDB ? store_fail(st, err) : rc;
}

int deny_alert_add(struct fd_store *st, int64_t visitor_id, const char *badge,
                   const struct deny_match *m, int64_t now, struct fd_err *err)
{
    char detail[96];
    int rc;
    sqlite3_stmt *s = store_prepare(st, "INSERT INTO deny_alert(visitor_id, entry_id, matched,"
                                        " at) VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, visitor_id);
    sqlite3_bind_int64(s, 2, m->entry_id);
    sqlite3_bind_text(s, 3, m->matched, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    /* Reaches head office with the audit push: which entry, by what. */
    snprintf(detail, sizeof detail, "deny entry %lld matched by %s; visitor %lld",
             (long long)m->entry_id, m->matched, (long long)visitor_id);
    return journal_audit(st, "kiosk", "visitor.held", badge, detail, now, err);
}

static void row_to_alert(sqlite3_stmt *s, void *p)
{
    struct deny_alert *a = p;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->visitor_id = sqlite3_column_int64(s, 1);
    a->entry_id = sqlite3_column_int64(s, 2);
    a->at = sqlite3_column_int64(s, 3);
    store_col_text(s, 4, a->matched, sizeof a->matched);
    store_col_text(s, 5, a->badge, sizeof a->badge);
    store_col_text(s, 6, a->name, sizeof a->name);
}

int deny_alert_open(struct fd_store *st, struct deny_alert **out, int *n, struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st,
        "SELECT a.id, a.visitor_id, a.entry_id, a.at, a.matched, v.badge, v.name"
        " FROM deny_alert a JOIN visitor v ON v.id = a.visitor_id"
        " WHERE a.ack_at IS NULL ORDER BY a.at, a.id LIMIT 50");
    *out = NULL;
    *n = 0;
    if (!s)
        return store_fail(st, err);
    int rc = store_collect(s, sizeof **out, 50, row_to_alert, (void **)out, n);
    return rc == FD_EDB ? store_fail(st, err) : 0;
}

int deny_alert_ack(struct fd_store *st, int64_t id, const char *staff, int64_t now,
                   struct fd_err *err)
{
    char subj[16], detail[64];
    int rc;
    if (!staff || !*staff)
        return fd_fail(err, FD_EINVAL, "staff", "who acknowledges is required");
    if (store_begin(st))
        return store_fail(st, err);
    sqlite3_stmt *s = store_prepare(st, "SELECT a.ack_at IS NOT NULL, v.badge, a.entry_id"
                                        " FROM deny_alert a JOIN visitor v"
                                        " ON v.id = a.visitor_id WHERE a.id = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        store_rollback(st);
        return rc == SQLITE_DONE ? fd_fail(err, FD_ENOTFOUND, "alert", "no alert %lld",
                                           (long long)id)
                                 : store_fail(st, err);
    }
    int done = sqlite3_column_int(s, 0);
    store_col_text(s, 1, subj, sizeof subj);
    snprintf(detail, sizeof detail, "alert %lld, deny entry %lld", (long long)id,
             (long long)sqlite3_column_int64(s, 2));
    sqlite3_reset(s);
    if (done) {
        store_rollback(st);
        return fd_fail(err, FD_ESTATE, "alert", "alert %lld is acknowledged already",
                       (long long)id);
    }
    s = store_prepare(st, "UPDATE deny_alert SET ack_at = ?2, ack_by = ?3 WHERE id = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_text(s, 3, staff, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    if ((rc = journal_audit(st, staff, "deny.ack", subj, detail, now, err)) != 0) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st) ? store_fail(st, err) : 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

int deny_alert_prune(struct fd_store *st, int64_t before, int max, struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st, "DELETE FROM deny_alert WHERE id IN (SELECT id FROM"
                                        " deny_alert WHERE ack_at IS NOT NULL AND ack_at < ?1"
                                        " ORDER BY ack_at, id LIMIT ?2)");
    int rc;
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, before);
    sqlite3_bind_int(s, 2, max > 0 ? max : 1);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? sqlite3_changes(store_db(st)) : store_fail(st, err);
}
