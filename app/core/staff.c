/* staff.c - staff accounts and PIN checks (staff.h). Hashing and the
 * constant-time comparison are libsodium's crypto_pwhash_str(_verify)
 * (Argon2id). The parameters are sized for the box, not for a server:
 * libsodium's "interactive" limits took 64 MiB at once, which doubled the
 * kiosk's resident memory at every staff login (85 -> 150 MiB) on a box
 * that should stay within 64 MB. We use 9 MiB and 4 passes, one of OWASP's
 * equivalent Argon2id settings (m=9216 KiB, t=4, p=1): about as slow to
 * guess with as the interactive limits on this CPU class, and still far
 * slower than the lockout lets anyone guess at the screen. A 4-digit PIN
 * is never strong against a stolen database: the hash only buys time.
 * The parameters are in each hash string, so hashes made earlier (or by
 * head office) keep verifying; a successful login rehashes them with these. */
#include "staff.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "validate.h"

#define LOCK_AFTER 3       /* wrong PINs before the first lock */
#define LOCK_BASE_S 30     /* first lock; doubles after that */
#define LOCK_MAX_S 3600

#define PIN_OPSLIMIT 4ULL                 /* Argon2id passes (see above) */
#define PIN_MEMLIMIT (9216ULL * 1024)     /* 9 MiB */

static int check_pin(const char *pin, struct fd_err *err)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n < STAFF_PIN_MIN || n > STAFF_PIN_MAX)
        return fd_fail(err, FD_EINVAL, "pin", "a PIN has %d to %d digits", STAFF_PIN_MIN,
                       STAFF_PIN_MAX);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)pin[i]))
            return fd_fail(err, FD_EINVAL, "pin", "a PIN has only digits");
    return 0;
}

int staff_add(struct fd_store *st, const char *name, const char *role,
              const char *pin, int64_t now, int64_t *id, struct fd_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc;
    if ((rc = val_text(name, "name", STAFF_NAME_MAX, VAL_REQUIRED, err)) ||
        (rc = check_pin(pin, err)))
        return rc;
    if (!role)
        role = "staff";
    if (strcmp(role, "staff") && strcmp(role, "manager"))
        return fd_fail(err, FD_EINVAL, "role", "role is staff or manager");
    if (sodium_init() < 0)
        return fd_fail(err, FD_EDB, "", "libsodium cannot start");
    if (crypto_pwhash_str(hash, pin, strlen(pin), PIN_OPSLIMIT, PIN_MEMLIMIT) != 0)
        return fd_fail(err, FD_EDB, "", "out of memory hashing the PIN");
    if (store_begin(st)) {
        sodium_memzero(hash, sizeof hash);
        return store_fail(st, err);
    }
    sqlite3_stmt *s = store_prepare(st, "INSERT INTO staff(name, role, pin_hash, created_at)"
                                        " VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        goto dbfail;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sodium_memzero(hash, sizeof hash);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        store_rollback(st);
        return fd_fail(err, FD_EEXIST, "name", "there is already a staff member %s", name);
    }
    if (rc != SQLITE_DONE)
        goto dbfail;
    if (id)
        *id = sqlite3_last_insert_rowid(store_db(st));
    if ((rc = journal_audit(st, "ctl", "staff_added", name, role, now, err)))
        goto fail;
    return store_commit(st) ? store_fail(st, err) : 0;
dbfail:
    sodium_memzero(hash, sizeof hash);
    rc = store_fail(st, err);
fail:
    store_rollback(st);
    return rc;
}

/* Reads what a login needs of staff `id` (no transaction: a plain read).
 * Returns 0, FD_ENOTFOUND or FD_EDB. */
static int login_row(struct fd_store *st, int64_t id, struct staff *who, char *hash,
                     size_t hashlen, int *failures, int64_t *locked_until)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT name, role, pin_hash, failures, locked_until"
                                        " FROM staff WHERE id = ?1 AND active = 1");
    int rc;
    if (!s)
        return FD_EDB;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        store_col_text(s, 0, who->name, sizeof who->name);
        store_col_text(s, 1, who->role, sizeof who->role);
        store_col_text(s, 2, hash, hashlen);
        *failures = sqlite3_column_int(s, 3);
        *locked_until = sqlite3_column_int64(s, 4);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? FD_ENOTFOUND : FD_EDB;
}

int staff_login(struct fd_store *st, int64_t id, const char *pin, int64_t now,
                struct staff *out, int *retry_s, struct fd_err *err)
{
    char hash[crypto_pwhash_STRBYTES], hash2[crypto_pwhash_STRBYTES];
    char rehash[crypto_pwhash_STRBYTES] = "";
    int rc, failures, ok;
    int64_t locked_until;
    struct staff who = {.id = id};
    if (retry_s)
        *retry_s = 0;
    if (sodium_init() < 0)
        return fd_fail(err, FD_EDB, "", "libsodium cannot start");
    /* Argon2id takes a tenth of a second and 9 MiB: it runs outside any
     * transaction, so nobody waits for the write lock meanwhile. What it
     * decided is written afterwards in a short transaction that reads the
     * row again (another login may have counted a failure meanwhile). */
    rc = login_row(st, id, &who, hash, sizeof hash, &failures, &locked_until);
    if (rc)
        return rc == FD_ENOTFOUND ? fd_fail(err, rc, "staff", "no such staff member")
                                  : store_fail(st, err);
    ok = locked_until <= now && check_pin(pin, NULL) == 0 &&
         crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
    /* a hash made with other parameters (the 64 MiB ones of old) is made
     * again with ours while the right PIN is at hand; if that fails the old
     * one stays, which still verifies */
    if (ok && crypto_pwhash_str_needs_rehash(hash, PIN_OPSLIMIT, PIN_MEMLIMIT) != 0 &&
        crypto_pwhash_str(rehash, pin, strlen(pin), PIN_OPSLIMIT, PIN_MEMLIMIT) != 0)
        rehash[0] = '\0';

    if (store_begin(st)) {
        sodium_memzero(hash, sizeof hash);
        return store_fail(st, err);
    }
    rc = login_row(st, id, &who, hash2, sizeof hash2, &failures, &locked_until);
    if (rc == 0 && strcmp(hash, hash2) != 0)
        ok = 0; /* the PIN changed while we hashed: not the PIN checked */
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(hash2, sizeof hash2);
    if (rc) {
        store_rollback(st);
        return rc == FD_ENOTFOUND ? fd_fail(err, rc, "staff", "no such staff member")
                                  : store_fail(st, err);
    }
    if (locked_until > now) {
        if (retry_s)
            *retry_s = (int)(locked_until - now);
        journal_audit(st, who.name, "login_locked", "", "", now, NULL);
        store_commit(st);
        return fd_fail(err, FD_ESTATE, "pin", "locked: try again in %lld s",
                       (long long)(locked_until - now));
    }
    if (ok) {
        failures = 0, locked_until = 0;
    } else if (++failures >= LOCK_AFTER) {
        int shift = failures - LOCK_AFTER > 7 ? 7 : failures - LOCK_AFTER;
        int64_t lock = (int64_t)LOCK_BASE_S << shift;
        locked_until = now + (lock > LOCK_MAX_S ? LOCK_MAX_S : lock);
    }
    sqlite3_stmt *s = store_prepare(st, "UPDATE staff SET failures = ?2, locked_until = ?3,"
                                        " pin_hash = coalesce(?4, pin_hash) WHERE id = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, failures);
    sqlite3_bind_int64(s, 3, locked_until);
    if (ok && rehash[0])
        sqlite3_bind_text(s, 4, rehash, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sodium_memzero(rehash, sizeof rehash);
    if (rc != SQLITE_DONE ||
        journal_audit(st, who.name, ok ? "login" : "login_failed", "", "", now, NULL))
        goto dbfail;
    if (store_commit(st))
        return store_fail(st, err);
    if (!ok) {
        if (retry_s && locked_until > now)
            *retry_s = (int)(locked_until - now);
        return fd_fail(err, FD_EINVAL, "pin", "wrong PIN%s",
                       locked_until > now ? ": locked for a while" : "");
    }
    if (out)
        *out = who;
    return 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

static void staff_row(sqlite3_stmt *s, void *p)
{
    struct staff *x = p;
    x->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, x->name, sizeof x->name);
    store_col_text(s, 2, x->role, sizeof x->role);
    x->locked_until = sqlite3_column_int64(s, 3);
}

int staff_list(struct fd_store *st, struct staff **out, int *n, struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st, "SELECT id, name, role, locked_until FROM staff"
                                        " WHERE active = 1 ORDER BY name");
    *out = NULL, *n = 0;
    if (!s || store_collect(s, sizeof **out, 1000, staff_row, (void **)out, n))
        return store_fail(st, err);
    return 0;
}

int staff_put_hash(struct fd_store *st, const char *name, const char *role,
                   const char *pin_hash, int active, int64_t now, struct fd_err *err)
{
    int rc;
    if ((rc = val_text(name, "name", STAFF_NAME_MAX, VAL_REQUIRED, err)))
        return rc;
    if (!role)
        role = "staff";
    if (strcmp(role, "staff") && strcmp(role, "manager"))
        return fd_fail(err, FD_EINVAL, "role", "role is staff or manager");
    /* Only hashes travel: a PIN in clear, or anything else, is refused. */
    if (!pin_hash || strncmp(pin_hash, "$argon2id$", 10) != 0 ||
        strlen(pin_hash) >= crypto_pwhash_STRBYTES ||
        val_text(pin_hash, "pin_hash", crypto_pwhash_STRBYTES, VAL_REQUIRED, NULL))
        return fd_fail(err, FD_EINVAL, "pin_hash", "a staff account needs an Argon2id PIN hash");
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO staff(name, role, pin_hash, active, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET"
        " role = excluded.role, pin_hash = excluded.pin_hash, active = excluded.active,"
        " failures = CASE WHEN pin_hash = excluded.pin_hash THEN failures ELSE 0 END");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, pin_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, active ? 1 : 0);
    sqlite3_bind_int64(s, 5, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

int staff_retire_others(struct fd_store *st, const char *const *keep, int n,
                        struct fd_err *err)
{
    int64_t *ids = NULL;
    int rc, m = 0, changed = 0;
    sqlite3_stmt *s = store_prepare(st, "SELECT id, name FROM staff WHERE active = 1");
    if (!s)
        return store_fail(st, err);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        int kept = 0;
        for (int i = 0; i < n && !kept; i++)
            kept = keep[i] && name && strcmp(keep[i], name) == 0;
        if (kept)
            continue;
        void *grown = realloc(ids, (size_t)(m + 1) * sizeof *ids);
        if (!grown)
            break;
        ids = grown;
        ids[m++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(ids);
        return rc == SQLITE_ROW ? fd_fail(err, FD_EDB, "", "out of memory")
                                : store_fail(st, err);
    }
    for (int i = 0; i < m && s; i++) {
        s = store_prepare(st, "UPDATE staff SET active = 0 WHERE id = ?1");
        if (!s)
            break;
        sqlite3_bind_int64(s, 1, ids[i]);
        if (sqlite3_step(s) != SQLITE_DONE)
            s = NULL;
        else
            changed++;
        if (s)
            sqlite3_reset(s);
    }
    free(ids);
    return s ? changed : store_fail(st, err);
}
