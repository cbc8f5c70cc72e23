/* test_staff.c - staff PINs: Argon2id only, constant-time check by
 * libsodium, lockout that grows, every attempt audited, no PIN in clear
 * anywhere in the database files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>

#include <sodium.h>

#include "check.h"
#include "staff.h"
#include "testutil.h"

/* While a login hashes, is the login's connection outside any transaction,
 * and can another connection write? This program's own
 * crypto_pwhash_str_verify comes before libsodium's (the executable's
 * symbols win), looks, then hands over to the real one. */
static struct fd_store *watched; /* the connection logging in */
static sqlite3 *other;           /* another connection to the same file */
static int hashes, hashes_in_tx, other_wrote;

int crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES], const char *passwd,
                             unsigned long long passwdlen)
{
    int (*real)(const char *, const char *, unsigned long long) =
        (int (*)(const char *, const char *, unsigned long long))dlsym(
            RTLD_NEXT, "crypto_pwhash_str_verify");
    if (watched) {
        hashes++;
        hashes_in_tx += !sqlite3_get_autocommit(store_db(watched));
        /* no waiting: the write must not need the login's lock */
        sqlite3_busy_timeout(other, 0);
        if (sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO audit(at, actor, action)"
                                " VALUES (1, 'other', 'wrote during a login'); COMMIT",
                         NULL, NULL, NULL) == SQLITE_OK)
            other_wrote++;
        else
            sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    }
    return real ? real(str, passwd, passwdlen) : -1;
}

/* Does the file at path contain the bytes of s? */
static int file_has(const char *path, const char *s)
{
    FILE *f = fopen(path, "rb");
    static char buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    return n && memmem(buf, n, s, strlen(s)) != NULL;
}

int main(void)
{
    struct fd_store *st = tu_open("staff.db");
    struct fd_err e = {0};
    struct staff who;
    int64_t id, id2;
    int retry;
    CHECK_INT(staff_add(st, "李娜", "manager", "90817263", TU_NOW, &id, &e), 0);
    CHECK_INT(staff_add(st, "王伟", NULL, "4321", TU_NOW, &id2, &e), 0);
    CHECK_INT(staff_add(st, "李娜", "staff", "5555", TU_NOW, NULL, &e), FD_EEXIST);
    CHECK_INT(staff_add(st, "x", "staff", "12a4", TU_NOW, NULL, &e), FD_EINVAL);
    CHECK_INT(staff_add(st, "x", "staff", "123", TU_NOW, NULL, &e), FD_EINVAL);
    CHECK_INT(staff_add(st, "x", "boss", "1234", TU_NOW, NULL, &e), FD_EINVAL);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM staff WHERE pin_hash LIKE '$argon2id$%'"), 2);

    CHECK_INT(staff_login(st, id, "90817263", TU_NOW, &who, &retry, &e), 0);
    CHECK_STR(who.name, "李娜");
    CHECK_STR(who.role, "manager");
    /* wrong, wrong, wrong: locked for 30 s */
    CHECK_INT(staff_login(st, id, "0000", TU_NOW + 1, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(staff_login(st, id, "1111", TU_NOW + 2, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(retry, 0);
    CHECK_INT(staff_login(st, id, "2222", TU_NOW + 3, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(retry, 30);
    /* even the right PIN is refused while locked */
    CHECK_INT(staff_login(st, id, "90817263", TU_NOW + 10, &who, &retry, &e), FD_ESTATE);
    CHECK_INT(retry, 23);
    /* after the lock, one more wrong PIN locks for twice as long */
    CHECK_INT(staff_login(st, id, "3333", TU_NOW + 40, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(retry, 60);
    CHECK_INT(staff_login(st, id, "4444", TU_NOW + 101, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(retry, 120);
    /* the other account is not affected */
    CHECK_INT(staff_login(st, id2, "4321", TU_NOW + 102, &who, &retry, &e), 0);
    /* the right PIN after the lock resets the count */
    CHECK_INT(staff_login(st, id, "90817263", TU_NOW + 300, &who, &retry, &e), 0);
    CHECK_INT(staff_login(st, id, "0000", TU_NOW + 301, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(retry, 0);
    CHECK_INT(staff_login(st, 999, "1234", TU_NOW, &who, &retry, &e), FD_ENOTFOUND);
    CHECK_INT(staff_login(st, id2, NULL, TU_NOW, &who, &retry, &e), FD_EINVAL);
    /* audited: every attempt, without the PIN */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE action LIKE 'login%'"), 11);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE detail LIKE '%9081%'"
                         " OR subject LIKE '%9081%'"), 0);
    struct staff *list;
    int n;
    CHECK_INT(staff_list(st, &list, &n, &e), 0);
    CHECK_INT(n, 2);
    free(list);
    store_close(st);
    /* no PIN in clear in the database or its WAL */
    CHECK(!file_has(tu_path("staff.db"), "90817263"));
    char wal[200];
    snprintf(wal, sizeof wal, "%s-wal", tu_path("staff.db"));
    CHECK(!file_has(wal, "90817263"));

    /* Argon2id runs outside the transaction: another connection writes
     * while a login hashes (right and wrong PINs). */
    char err[200];
    CHECK_INT(store_open(tu_path("staff.db"), &st, err, sizeof err), 0);
    CHECK_INT(sqlite3_open(tu_path("staff.db"), &other), SQLITE_OK);
    watched = st;
    CHECK_INT(staff_login(st, id2, "4321", TU_NOW + 20000, &who, &retry, &e), 0);
    CHECK_INT(staff_login(st, id2, "9999", TU_NOW + 20001, &who, &retry, &e), FD_EINVAL);
    watched = NULL;
    CHECK_INT(hashes, 2);
    CHECK_INT(hashes_in_tx, 0);
    CHECK_INT(other_wrote, 2);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE actor = 'other'"), 2);
    /* and what the login decided was still written */
    CHECK_INT(tu_int(st, "SELECT failures FROM staff WHERE name = '王伟'"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE actor = '王伟'"
                         " AND action = 'login_failed' AND at > 1795440000"), 1);
    sqlite3_close(other);

    /* Parameters for a small box (9 MiB, not 64): new hashes carry them; a
     * hash made with the old 64 MiB limits (or by head office) still
     * verifies, and the first right PIN rehashes it; a wrong one does not. */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM staff WHERE pin_hash LIKE '%m=9216,t=4,p=1%'"), 2);
    char old[crypto_pwhash_STRBYTES];
    CHECK(crypto_pwhash_str(old, "2468", 4, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0);
    CHECK_INT(staff_put_hash(st, "张敏", "staff", old, 1, TU_NOW, &e), 0);
    int64_t id3 = tu_int(st, "SELECT id FROM staff WHERE name = '张敏'");
    CHECK_INT(tu_int(st, "SELECT count(*) FROM staff WHERE name = '张敏'"
                         " AND pin_hash LIKE '%m=65536,t=2,p=1%'"), 1);
    CHECK_INT(staff_login(st, id3, "1357", TU_NOW + 30000, &who, &retry, &e), FD_EINVAL);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM staff WHERE name = '张敏'"
                         " AND pin_hash LIKE '%m=65536,t=2,p=1%'"), 1);
    CHECK_INT(staff_login(st, id3, "2468", TU_NOW + 30001, &who, &retry, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM staff WHERE name = '张敏'"
                         " AND pin_hash LIKE '$argon2id$%m=9216,t=4,p=1%'"), 1);
    CHECK_INT(staff_login(st, id3, "2468", TU_NOW + 30002, &who, &retry, &e), 0);
    CHECK_INT(staff_login(st, id3, "1357", TU_NOW + 30003, &who, &retry, &e), FD_EINVAL);
    store_close(st);
    return check_summary();
}
