/* store.c - opening, checking, migrating, backing up and restoring the store.
 * The migrations are the files of data/schema/, compiled in by fd_embed in
 * name order; migration N (1-based) brings user_version from N-1 to N. A
 * database newer than this build is refused without being touched, so an
 * older kiosk binary never damages what a newer one wrote. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embedded.h"
#include "fderr.h"

extern const struct fd_embedded_file fd_schema[];
extern const int fd_schema_count;

#define STMT_CACHE 128 /* distinct statements kept (more than the code has, so
                          * nothing is evicted in practice); past it, the
                          * oldest slot is reused */

struct fd_store {
    sqlite3 *db; /* the connection, owned */
    char *path;  /* as given to store_open, owned */
    struct {
        const char *sql;    /* key: address of a string literal */
        sqlite3_stmt *stmt; /* prepared, owned */
    } cache[STMT_CACHE];
    int cache_next; /* slot to reuse when the cache is full */
    int borrowed;   /* db belongs to the caller (store_wrap): not closed here */
};

static void set_err(char *err, size_t errlen, const char *fmt, const char *a,
                    const char *b)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a, b);
}

int store_schema_version(void) { return fd_schema_count; }

sqlite3 *store_db(struct fd_store *st) { return st->db; }

const char *store_path(struct fd_store *st) { return st->path; }

const char *store_errmsg(struct fd_store *st) { return sqlite3_errmsg(st->db); }

/* Returns PRAGMA user_version, or -1 when it cannot be read (not a database). */
static int read_user_version(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Runs PRAGMA quick_check; returns 0 when it says "ok", else copies the first
 * complaint into `why`. */
static int quick_check(sqlite3 *db, char *why, size_t len)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, len, "%s", sqlite3_errmsg(db));
        return -1;
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (t && strcmp(t, "ok") == 0) {
            sqlite3_finalize(s);
            return 0;
        }
        snprintf(why, len, "%s", t ? t : "unknown damage");
    } else {
        snprintf(why, len, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    return -1;
}

/* Applies the migrations after `from` in one transaction. */
static int migrate(sqlite3 *db, char *err, size_t errlen)
{
    char *msg = NULL;
    char sql[64];
    int from;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    from = read_user_version(db); /* again: another process may have won */
    for (int i = from; i < fd_schema_count; i++) {
        if (sqlite3_exec(db, fd_schema[i].data, NULL, NULL, &msg) != SQLITE_OK) {
            char what[300];
            snprintf(what, sizeof what, "migration %s failed: %s",
                     fd_schema[i].name, msg ? msg : "?");
            sqlite3_free(msg);
            msg = sqlite3_mprintf("%s", what);
            goto fail;
        }
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", fd_schema_count);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    /* A new database gets its identity here, in the same transaction. */
    if (sqlite3_exec(db,
                     "INSERT OR IGNORE INTO meta(key, value) VALUES"
                     " ('device_id', lower(hex(randomblob(16)))),"
                     " ('created_at', CAST(unixepoch() AS TEXT))",
                     NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    set_err(err, errlen, "cannot migrate the database: %s%s",
            msg ? msg : sqlite3_errmsg(db), "");
    sqlite3_free(msg);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return FD_EDB;
}

static int configure(sqlite3 *db)
{
    sqlite3_busy_timeout(db, 5000);
    return sqlite3_exec(db,
                        "PRAGMA journal_mode = WAL;"
                        "PRAGMA synchronous = FULL;"
                        "PRAGMA foreign_keys = ON;"
                        /* erased and deleted records leave no readable
                         * bytes in free pages of the file */
                        "PRAGMA secure_delete = ON;",
                        NULL, NULL, NULL);
}

int store_open(const char *path, struct fd_store **out, char *err, size_t errlen)
{
    struct fd_store *st = NULL;
    sqlite3 *db = NULL;
    char why[200];
    int rc, version;

    *out = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        set_err(err, errlen, "cannot open database %s: %s", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        rc = FD_EDB;
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    version = read_user_version(db);
    if (version < 0 || quick_check(db, why, sizeof why) != 0) {
        if (version < 0)
            snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
        set_err(err, errlen,
                "database %s is damaged (%s); restore the last backup with "
                "`frontdesk-ctl restore BACKUP`",
                path, why);
        rc = FD_ECORRUPT;
        goto fail;
    }
    if (version > fd_schema_count) {
        char v[64];
        snprintf(v, sizeof v, "%d, this frontdesk knows up to %d", version,
                 fd_schema_count);
        set_err(err, errlen,
                "database %s was written by a newer frontdesk (schema version "
                "%s); it was left untouched: install the newer frontdesk",
                path, v);
        rc = FD_ENEWER;
        goto fail;
    }
    if (configure(db) != SQLITE_OK) {
        set_err(err, errlen, "cannot configure database %s: %s", path,
                sqlite3_errmsg(db));
        rc = FD_EDB;
        goto fail;
    }
    if (version < fd_schema_count && (rc = migrate(db, err, errlen)) != 0)
        goto fail;

    st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        set_err(err, errlen, "out of memory opening %s%s", path, "");
        rc = FD_EDB;
        goto fail;
    }
    st->db = db;
    *out = st;
    return 0;
fail:
    sqlite3_close(db);
    return rc;
}

sqlite3_stmt *store_prepare(struct fd_store *st, const char *sql)
{
    int free_slot = -1;
    for (int i = 0; i < STMT_CACHE; i++) {
        if (st->cache[i].sql == sql) {
            sqlite3_reset(st->cache[i].stmt);
            sqlite3_clear_bindings(st->cache[i].stmt);
            return st->cache[i].stmt;
        }
        if (!st->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
                           NULL) != SQLITE_OK)
        return NULL;
    if (free_slot < 0) {
        free_slot = st->cache_next;
        st->cache_next = (st->cache_next + 1) % STMT_CACHE;
        sqlite3_finalize(st->cache[free_slot].stmt);
    }
    st->cache[free_slot].sql = sql;
    st->cache[free_slot].stmt = s;
    return s;
}

void store_close(struct fd_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(st->cache[i].stmt);
    if (!st->borrowed)
        sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int store_wrap(sqlite3 *db, struct fd_store **out)
{
    struct fd_store *st = calloc(1, sizeof *st);
    const char *path = sqlite3_db_filename(db, "main");
    *out = NULL;
    if (!st || !(st->path = strdup(path ? path : ""))) {
        free(st);
        return FD_EDB;
    }
    st->db = db;
    st->borrowed = 1;
    *out = st;
    return 0;
}

int store_begin(struct fd_store *st)
{
    return sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : FD_EDB;
}

int store_commit(struct fd_store *st)
{
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    store_rollback(st);
    return FD_EDB;
}

void store_rollback(struct fd_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_meta_get(struct fd_store *st, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *s = NULL;
    int rc = FD_ENOTFOUND;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1,
                           &s, NULL) != SQLITE_OK)
        return FD_EDB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Copies `from` into a new database file at `dest` (written as dest.part,
 * synced, then renamed over dest). */
static int copy_db(sqlite3 *from, const char *dest, char *err, size_t errlen)
{
    char tmp[4096];
    sqlite3 *to = NULL;
    sqlite3_backup *b;
    int rc;

    if (snprintf(tmp, sizeof tmp, "%s.part", dest) >= (int)sizeof tmp) {
        set_err(err, errlen, "backup path too long: %s%s", dest, "");
        return FD_EDB;
    }
    unlink(tmp);
    if (sqlite3_open(tmp, &to) != SQLITE_OK)
        goto fail;
    b = sqlite3_backup_init(to, "main", from, "main");
    if (!b)
        goto fail;
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        goto fail;
    /* The copy keeps WAL mode; checkpoint so the one file is complete. */
    sqlite3_exec(to, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (sqlite3_close(to) != SQLITE_OK) {
        to = NULL;
        goto fail;
    }
    to = NULL;
    if (rename(tmp, dest) != 0) {
        set_err(err, errlen, "cannot move the backup into place at %s%s", dest, "");
        unlink(tmp);
        return FD_EDB;
    }
    return 0;
fail:
    set_err(err, errlen, "backup to %s failed: %s", dest,
            to ? sqlite3_errmsg(to) : "cannot create the file");
    sqlite3_close(to);
    unlink(tmp);
    return FD_EDB;
}

int store_backup(struct fd_store *st, const char *dest, char *err, size_t errlen)
{
    return copy_db(st->db, dest, err, errlen);
}

int store_restore(const char *src, const char *path, char *err, size_t errlen)
{
    struct fd_store *b = NULL;
    char why[256];
    int rc;

    if (access(src, R_OK) != 0) {
        set_err(err, errlen, "backup %s cannot be read%s", src, "");
        return FD_ECORRUPT;
    }
    /* Opening checks and migrates the backup, so what lands is current. */
    rc = store_open(src, &b, why, sizeof why);
    if (rc != 0) {
        set_err(err, errlen, "backup unusable: %s%s", why, "");
        return rc == FD_ENEWER ? FD_ENEWER : FD_ECORRUPT;
    }
    rc = copy_db(b->db, path, err, errlen);
    store_close(b);
    if (rc != 0)
        return rc;
    /* Stale WAL files of the replaced database must not be replayed. */
    snprintf(why, sizeof why, "%s-wal", path);
    unlink(why);
    snprintf(why, sizeof why, "%s-shm", path);
    unlink(why);
    rc = store_open(path, &b, err, errlen);
    if (rc != 0)
        return rc;
    if (sqlite3_exec(b->db,
                     "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
                     " WHERE key = 'epoch'",
                     NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, errlen, "cannot raise the sync epoch: %s%s",
                sqlite3_errmsg(b->db), "");
        rc = FD_EDB;
    }
    store_close(b);
    return rc;
}

int store_collect(sqlite3_stmt *stmt, size_t elem_size, int cap,
                  void (*row)(sqlite3_stmt *, void *), void **out, int *n)
{
    size_t have = 16, count = 0;
    char *v = malloc(have * elem_size);
    int rc = 0;

    *out = NULL, *n = 0;
    if (!v) {
        sqlite3_reset(stmt);
        return FD_EDB;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((int)count == cap) {
            rc = FD_EFULL;
            goto fail;
        }
        if (count == have) {
            char *nv = realloc(v, (have *= 2) * elem_size);
            if (!nv) {
                rc = FD_EDB;
                goto fail;
            }
            v = nv;
        }
        memset(v + count * elem_size, 0, elem_size);
        row(stmt, v + count * elem_size);
        count++;
    }
    if (rc != SQLITE_DONE) {
        rc = FD_EDB;
        goto fail;
    }
    sqlite3_reset(stmt);
    *out = v, *n = (int)count;
    return 0;
fail:
    sqlite3_reset(stmt);
    free(v);
    return rc;
}

void store_col_text(sqlite3_stmt *s, int col, char *dst, size_t len)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", v ? v : "");
}

int store_fail(struct fd_store *st, struct fd_err *err)
{
    return fd_fail(err, FD_EDB, "", "database error: %s", sqlite3_errmsg(st->db));
}

int store_one(sqlite3_stmt *stmt, void (*row)(sqlite3_stmt *, void *), void *out)
{
    int rc;
    if (!stmt)
        return FD_EDB;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        row(stmt, out);
    sqlite3_reset(stmt);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? FD_ENOTFOUND : FD_EDB;
}

int64_t store_data_version(struct fd_store *st)
{
    int64_t v = -1;
    sqlite3_stmt *s = store_prepare(st, "PRAGMA data_version");
    if (s && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    return v;
}
