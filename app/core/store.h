/* store.h - the kiosk's SQLite store: open, migrate, check, back up, restore.
 * One `struct fd_store` is one connection; each thread opens its own. The
 * store runs in WAL mode with synchronous=FULL (a number shown is a number
 * kept) and foreign keys on. Migrations live in data/schema/NNNN_*.sql and are
 * compiled in; PRAGMA user_version counts how many have been applied. */
#ifndef FD_STORE_H
#define FD_STORE_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct fd_store;

/* Opens (creating if needed) the database at `path` and migrates an older
 * schema in one transaction, after keeping a checked copy of it beside the
 * database (`<path>.pre-migration`). The whole file is checked (quick_check)
 * only where it pays: by the first connection after a session that never
 * closed (power cut, crash), when the store was not checked for a week
 * (meta checked_at; backups and restores check too), or when the session
 * marker `<path>-open` cannot be used. Every connection holds a shared lock on
 * that marker for its life; while a restore runs, store_open waits for it.
 * Returns 0 and sets *out, or a negative FD_E* code with a sentence in
 * `err`: FD_ECORRUPT (not a database, or damaged: the message says how to
 * restore the last backup), FD_ENEWER (written by a newer frontdesk: refused
 * untouched), FD_EDB (anything else SQLite reports, or the pre-migration copy
 * could not be made: then nothing was migrated). */
int store_open(const char *path, struct fd_store **out, char *err, size_t errlen);

/* Wraps a connection the caller opened on a migrated store (the sync worker's)
 * so that core's functions can run on it, inside the caller's transaction.
 * store_close frees the wrapper and its cached statements, not `db`.
 * Returns 0 or FD_EDB (out of memory). */
int store_wrap(sqlite3 *db, struct fd_store **out);

/* Closes the connection; NULL is fine. */
void store_close(struct fd_store *st);

/* The SQLite handle, for core modules and workers on this connection. */
sqlite3 *store_db(struct fd_store *st);

/* The path the store was opened with. */
const char *store_path(struct fd_store *st);

/* The schema version this build knows (number of compiled-in migrations). */
int store_schema_version(void);

/* Copies the live database to `dest` with SQLite's online backup, while others
 * keep writing; `dest` appears whole (written beside it as one file without a
 * WAL, checked with integrity_check, synced, renamed, its folder synced). A
 * copy that fails the check is not kept, so a good older backup is never
 * replaced by a damaged one. Returns 0, FD_ECORRUPT (the store is damaged:
 * `err` says how) or FD_EDB. */
int store_backup(struct fd_store *st, const char *dest, char *err, size_t errlen);

#define STORE_RESTORE_FORCE 1 /* restore even when the store being replaced
                               * cannot be read (its numbers not carried) */

/* Replaces the database at `path` with the backup at `src`, which is only
 * read. The restored store is built completely beside it (`<path>.restoring`):
 * a copy of the backup, checked, migrated, every ticket, badge and complaint
 * number and record id carried past what the replaced store issued, and the
 * sync epoch raised past both; then it replaces the store with one rename,
 * synced with its folder. The replaced store is kept as `<path>.replaced`
 * (a hard link). A restore refuses to run while any connection has the store
 * open (the kiosk must be stopped); programs that open it meanwhile wait.
 * Returns 0, FD_ECORRUPT (backup unusable), FD_ENEWER (backup from a newer
 * frontdesk), FD_ESTATE (the store is in use, or its numbers cannot be read
 * and `flags` lacks STORE_RESTORE_FORCE; nothing changed) or FD_EDB. */
int store_restore(const char *src, const char *path, int flags, char *err, size_t errlen);

/* The copies a restore (<db>.replaced) and a migration (<db>.pre-migration)
 * leave beside the store are for going back within days: they hold visitors'
 * personal data that the retention sweep never reaches. Removes each of them
 * whose inode changed (made or linked) more than max_age_s before `now`
 * (Unix seconds). Returns how many were removed, or FD_EDB when one could not
 * be (errno kept; the next round tries again). */
int store_prune_copies(struct fd_store *st, int64_t now, int64_t max_age_s);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on the store. `store_begin` returns 0
 * or FD_EDB; `store_commit` returns 0 or FD_EDB (and rolls back). */
int store_begin(struct fd_store *st);
int store_commit(struct fd_store *st);
void store_rollback(struct fd_store *st);

/* meta table: facts about this database (device_id, epoch). `store_meta_get`
 * copies the value into buf and returns 0, or FD_ENOTFOUND. */
int store_meta_get(struct fd_store *st, const char *key, char *buf, size_t len);

/* A prepared statement for `sql`, cached on this connection for its lifetime
 * (`sql` must be a string literal: the cache is keyed by its address). The
 * statement comes back reset with no bindings. NULL on an SQL error (see
 * store_errmsg). Not shared between threads, like the connection. */
sqlite3_stmt *store_prepare(struct fd_store *st, const char *sql);

/* Steps `stmt` to the end, turning each row into an element of `elem_size`
 * bytes with `row(stmt, elem)`, into a malloc'd array (*out, *n; free() it).
 * At most `cap` rows are kept: past it, FD_EFULL. Resets `stmt`.
 * Returns 0, FD_EFULL or FD_EDB. */
int store_collect(sqlite3_stmt *stmt, size_t elem_size, int cap,
                  void (*row)(sqlite3_stmt *, void *), void **out, int *n);

/* Runs `stmt` (bound by the caller) for at most one row and turns it into
 * *out with row(). Resets stmt. Returns 0, FD_ENOTFOUND (no row) or FD_EDB. */
int store_one(sqlite3_stmt *stmt, void (*row)(sqlite3_stmt *, void *), void *out);

/* Copies text column `col` of the current row into dst ("" for NULL). */
void store_col_text(sqlite3_stmt *s, int col, char *dst, size_t len);

/* Fills err with FD_EDB and the connection's last SQLite message; returns
 * FD_EDB. For the "database error" path of every core function. */
struct fd_err;
int store_fail(struct fd_store *st, struct fd_err *err);

/* Runs one statement whose ?1 is the list ids[0..n) (n may be 0), as a JSON
 * array for json_each (e.g. "... WHERE id NOT IN (SELECT value FROM
 * json_each(?1))"), in the caller's transaction when there is one.
 * Returns the rows changed (>= 0), or FD_EDB with err set. */
int store_exec_ids(struct fd_store *st, const char *sql, const int64_t *ids, int n,
                   struct fd_err *err);

/* PRAGMA data_version: changes when another connection (another process,
 * another thread) committed to the database since the last call on this one.
 * Screens poll it to show what others did. -1 on error. */
int64_t store_data_version(struct fd_store *st);

/* The last SQLite error message on this connection. */
const char *store_errmsg(struct fd_store *st);

#endif
