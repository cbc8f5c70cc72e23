/* store.c - opening, checking, migrating, backing up and restoring the store.
 * The migrations are the files of data/schema/, compiled in by fd_embed in
 * name order; migration N (1-based) brings user_version from N-1 to N. A
 * database newer than this build is refused without being touched, so an
 * older kiosk binary never damages what a newer one wrote.
 *
 * Integrity is checked where it pays, not on every open (a year's store takes
 * seconds to read): by the first connection after a session that did not end
 * with a close (power cut, crash), every STORE_CHECK_DAYS, before a migration,
 * in every backup and in every restore. Who is first and whether the last
 * session ended cleanly is kept in a marker file beside the database
 * ("<db>-open"), locked with Linux open-file-description locks: every
 * connection holds a shared lock on it for its life; the first one takes it
 * exclusively while it checks, the last one to close marks the store clean.
 * A restore takes it exclusively for its whole length, so it never runs under
 * a live kiosk and nobody opens the store half-way through. */
/* _GNU_SOURCE (F_OFD_SETLK, mkostemp) comes from the build */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "embedded.h"
#include "fderr.h"

extern const struct fd_embedded_file fd_schema[];
extern const int fd_schema_count;

#define STMT_CACHE 128 /* distinct statements kept (more than the code has, so
                          * nothing is evicted in practice); past it, the
                          * oldest slot is reused */
#define STORE_CHECK_DAYS 7 /* a store not checked for this long is checked by
                            * its next first connection */
#define MARK_OPEN '1'  /* marker byte while sessions run (or after one that
                        * never closed); MARK_CLEAN after the last one closed */
#define MARK_CLEAN '0'

struct fd_store {
    sqlite3 *db; /* the connection, owned */
    char *path;  /* as given to store_open, owned */
    int marker;  /* "<db>-open", shared-locked for our life; -1 if none */
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

/* Writes "<path><suffix>" into buf; -1 when it does not fit. */
static int sibling(char *buf, size_t len, const char *path, const char *suffix)
{
    return snprintf(buf, len, "%s%s", path, suffix) >= (int)len ? -1 : 0;
}

/* fsync()s the file at `path` (O_RDONLY is enough on Linux); 0 or -1. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* fsync()s the directory holding `path`, so that a rename or a new file in it
 * survives a power cut; 0 or -1. */
static int sync_dir_of(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    return sync_file(dirname(buf));
}

/* An open-file-description lock on all of `fd`: F_RDLCK, F_WRLCK or F_UNLCK.
 * `wait` blocks until it is granted. Returns 0, or -1 with errno (EAGAIN:
 * held by another). OFD locks belong to the open file, not the process, so
 * the kiosk's several connections count one by one, and closing one never
 * drops another's lock; converting one kind to the other is atomic. */
static int ofd_lock(int fd, short type, int wait)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    int rc;
    do
        rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
    while (rc < 0 && errno == EINTR);
    return rc;
}

/* Opens the marker of the database at `path` (created if missing, owned like
 * the database when we run as root); -1 when it cannot be. *existed says
 * whether it was there before. */
static int marker_open(const char *path, int *existed)
{
    char mp[4096];
    struct stat db;
    int fd;
    if (sibling(mp, sizeof mp, path, "-open"))
        return -1;
    *existed = access(mp, F_OK) == 0;
    fd = open(mp, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
    if (fd >= 0 && !*existed && geteuid() == 0 && stat(path, &db) == 0 &&
        fchown(fd, db.st_uid, db.st_gid) != 0) {
        /* root may go on: the owner may then not lock it and checks always */
    }
    return fd;
}

/* Does the marker say a session is open, or never closed (anything but
 * MARK_CLEAN, an empty file included)? */
static int marker_dirty(int fd)
{
    char c;
    return pread(fd, &c, 1, 0) != 1 || c != MARK_CLEAN;
}

/* Writes the marker's one byte. MARK_OPEN is written back to the disk at once
 * (sync_file_range: the write starts, nobody waits for it), since the next
 * first opener must see it after a power cut; a new marker's size is synced
 * once with fdatasync. Waiting for every mark would cost each open alone an
 * fdatasync (13 ms against 1.4 ms for the open, bench_store_open); the
 * window it leaves is a power cut within milliseconds of the first open, and
 * then the weekly check and the backup's still run. 0 or -1. */
static int marker_set(int fd, char mark, int fresh)
{
    if (pwrite(fd, &mark, 1, 0) != 1)
        return -1;
    if (fresh)
        return fdatasync(fd);
    if (mark == MARK_OPEN)
        sync_file_range(fd, 0, 1, SYNC_FILE_RANGE_WRITE);
    return 0;
}

/* Busy is busy: another connection holds a lock (SQLITE_BUSY, _LOCKED, or
 * the WAL's lock protocol giving up, SQLITE_PROTOCOL). Never a sign of
 * damage: a caller that says "damaged" for it sends an operator to restore a
 * backup of a healthy store. */
static int is_busy(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_PROTOCOL;
}

/* Returns PRAGMA user_version, or -1 when it cannot be read (not a database),
 * or -2 when the database is locked by someone else. */
static int read_user_version(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int v = -1, rc;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        else if (is_busy(rc))
            v = -2;
    } else if (is_busy(sqlite3_errcode(db))) {
        v = -2;
    }
    sqlite3_finalize(s);
    return v;
}

/* Runs PRAGMA quick_check (or integrity_check when `full`); returns 0 when it
 * says "ok", -2 when the check could not run because the database is busy
 * (no verdict), else -1 with the first complaint in `why`. */
static int check_db(sqlite3 *db, const char *schema, int full, char *why, size_t len)
{
    sqlite3_stmt *s = NULL;
    char sql[80];
    snprintf(sql, sizeof sql, "PRAGMA %s.%s(1)", schema,
             full ? "integrity_check" : "quick_check");
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, len, "%s", sqlite3_errmsg(db));
        return is_busy(sqlite3_errcode(db)) ? -2 : -1;
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
        if (is_busy(rc)) {
            sqlite3_finalize(s);
            return -2;
        }
    }
    sqlite3_finalize(s);
    return -1;
}

/* Seconds since the store was last checked whole (meta checked_at), or a
 * large number when never (or when meta cannot be read). */
static long long since_checked(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    long long age = 1LL << 40;
    if (sqlite3_prepare_v2(db, "SELECT unixepoch() - CAST(value AS INTEGER) FROM meta"
                               " WHERE key = 'checked_at'", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        age = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return age;
}

/* Records that schema `schema` of `db` passed a check now. */
static int note_checked(sqlite3 *db, const char *schema)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.meta(key, value) VALUES ('checked_at',"
             " CAST(unixepoch() AS TEXT)) ON CONFLICT(key) DO UPDATE SET value ="
             " excluded.value", schema);
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Applies the migrations after the current version in one transaction. */
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

static int copy_db(sqlite3 *from, const char *dest, int check, char *err, size_t errlen);

/* Opens the SQLite file itself (sqlite3_open_v2 plus a first read, which in
 * WAL mode holds a shared lock on the file for the connection's life). If the
 * path was renamed over meanwhile (a restore finished while we waited), the
 * handle is on the replaced file: open again. Returns the user_version (see
 * read_user_version) and sets *db, or -3 when the open itself failed. */
static int open_file(const char *path, sqlite3 **db)
{
    for (int attempt = 0;; attempt++) {
        int v, moved = 0;
        if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            NULL) != SQLITE_OK)
            return -3;
        sqlite3_extended_result_codes(*db, 1);
        sqlite3_busy_timeout(*db, 5000);
        v = read_user_version(*db);
        if (v < 0 || attempt == 3 ||
            sqlite3_file_control(*db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) !=
                SQLITE_OK || !moved)
            return v;
        sqlite3_close(*db);
        *db = NULL;
    }
}

int store_open(const char *path, struct fd_store **out, char *err, size_t errlen)
{
    struct fd_store *st = NULL;
    sqlite3 *db = NULL;
    char why[200];
    int rc, version, marker, existed = 0, first = 0, check;

    *out = NULL;
    /* The session marker first: nothing touches the file before we know
     * whether we are the first, and a restore in progress holds it. */
    marker = marker_open(path, &existed);
    if (marker >= 0) {
        if (ofd_lock(marker, F_WRLCK, 0) == 0) {
            first = 1;
        } else if (ofd_lock(marker, F_RDLCK, 1) != 0) {
            close(marker);
            marker = -1;
        }
    }
    /* Check when we cannot know (no marker), or as the first connection after
     * a session that never closed; the schedule is looked at below. */
    check = marker < 0 || (first && (!existed || marker_dirty(marker)));
    if (first && marker_set(marker, MARK_OPEN, !existed) != 0) {
        close(marker);
        marker = -1;
        check = 1;
    }

    version = open_file(path, &db);
    if (version == -3) {
        set_err(err, errlen, "cannot open database %s: %s", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        rc = FD_EDB;
        goto fail;
    }
    if (version == -2) {
        set_err(err, errlen, "database %s is locked by another program (a restore?);"
                " try again%s", path, "");
        rc = FD_EDB;
        goto fail;
    }
    if (first && !check && version >= 1 && since_checked(db) > STORE_CHECK_DAYS * 86400LL)
        check = 1;
    int verdict = version < 0 || !check ? 0 : check_db(db, "main", 0, why, sizeof why);
    if (verdict == -2) {
        set_err(err, errlen, "database %s is busy (%s: another program holds it); try again",
                path, why);
        rc = FD_EDB;
        goto fail;
    }
    if (version < 0 || verdict != 0) {
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
    if (version >= 1 && version < fd_schema_count) {
        /* Never migrate without a way back: a checked copy beside the db. */
        char keep[4096], e2[300] = "path too long";
        rc = FD_EDB;
        if (sibling(keep, sizeof keep, path, ".pre-migration") ||
            (rc = copy_db(db, keep, 1, e2, sizeof e2)) != 0) {
            set_err(err, errlen, "database %s not migrated: the copy kept before a"
                    " migration failed (%s)", path, e2);
            rc = rc == FD_ECORRUPT ? FD_ECORRUPT : FD_EDB;
            goto fail;
        }
    }
    if (version < fd_schema_count && (rc = migrate(db, err, errlen)) != 0)
        goto fail;
    if (check)
        note_checked(db, "main");

    st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        set_err(err, errlen, "out of memory opening %s%s", path, "");
        rc = FD_EDB;
        goto fail;
    }
    if (first)
        ofd_lock(marker, F_RDLCK, 0); /* atomic: others may come in now */
    st->db = db;
    st->marker = marker;
    *out = st;
    return 0;
fail:
    sqlite3_close(db);
    if (marker >= 0)
        close(marker); /* still dirty when we were first: checked next time */
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
    /* The last connection to close marks the store clean: the next first
     * opener then need not check it. */
    if (st->marker >= 0) {
        if (ofd_lock(st->marker, F_WRLCK, 0) == 0 && marker_set(st->marker, MARK_CLEAN, 0)) {
            /* left dirty: the next first opener checks, which is safe */
        }
        close(st->marker);
    }
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
    st->marker = -1; /* the owner of db keeps the clean-shutdown marker */
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

/* Switches `schema` of `db` to a rollback journal, which checkpoints and
 * removes its WAL, so the database is one self-contained file; 0 or -1. */
static int to_single_file(sqlite3 *db, const char *schema)
{
    char sql[80];
    sqlite3_stmt *s = NULL;
    int ok = 0;
    snprintf(sql, sizeof sql, "PRAGMA %s.journal_mode = DELETE", schema);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        ok = !strcmp((const char *)sqlite3_column_text(s, 0), "delete");
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}

/* Copies `from` into a new database file at `dest`: written beside it under a
 * unique temporary name as one self-contained file (no WAL), checked
 * (`check`: 0 not, 1 quick_check, 2 integrity_check), synced, renamed over
 * dest, and the directory synced. Returns 0, FD_ECORRUPT (the copy failed its
 * check: the source is damaged; dest untouched) or FD_EDB. */
static int copy_db(sqlite3 *from, const char *dest, int check, char *err, size_t errlen)
{
    char tmp[4096], why[200] = "";
    sqlite3 *to = NULL;
    sqlite3_backup *b;
    int rc, fd;

    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", dest) >= (int)sizeof tmp) {
        set_err(err, errlen, "backup path too long: %s%s", dest, "");
        return FD_EDB;
    }
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
        set_err(err, errlen, "backup to %s failed: %s", dest, strerror(errno));
        return FD_EDB;
    }
    close(fd); /* an empty file is an empty database */
    if (sqlite3_open(tmp, &to) != SQLITE_OK)
        goto fail;
    sqlite3_exec(to, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    b = sqlite3_backup_init(to, "main", from, "main");
    if (!b)
        goto fail;
    /* All pages in one step: one read transaction, one consistent snapshot
     * (WAL: writers go on meanwhile). Copied in slices, every commit by the
     * kiosk between two slices would start the copy over. */
    for (int tries = 0;; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries == 250)
            break;
        sqlite3_sleep(20);
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || to_single_file(to, "main") != 0)
        goto fail;
    if (check && check_db(to, "main", check == 2, why, sizeof why) != 0) {
        sqlite3_close(to);
        unlink(tmp);
        set_err(err, errlen, "the database is damaged (%s); %s was not written", why, dest);
        return FD_ECORRUPT;
    }
    if (check)
        note_checked(to, "main");
    if (sqlite3_close(to) != SQLITE_OK) {
        to = NULL;
        goto fail;
    }
    to = NULL;
    if (sync_file(tmp) != 0 || rename(tmp, dest) != 0 || sync_dir_of(dest) != 0) {
        set_err(err, errlen, "cannot move the copy into place at %s: %s", dest,
                strerror(errno));
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
    int rc = copy_db(st->db, dest, 2, err, errlen);
    if (rc == 0)
        note_checked(st->db, "main"); /* what the copy showed holds here too */
    return rc;
}

/* Numbers the replaced store issued, carried into the restored copy attached
 * as `r` (restore_into): every per-day sequence moves up to at least what
 * the replaced store reached (a ticket's service matched by its code), and
 * every AUTOINCREMENT record id too, so no ticket, badge, complaint
 * reference or record id handed out since the backup is handed out again.
 * The outbox's seq is not carried: the raised epoch keeps (epoch, seq)
 * unique, and head office expects a new epoch to continue from the outbox. */
static const char carry_sql[] =
    "INSERT INTO r.ticket_seq(service_id, bday, last)"
    " SELECT rs.id, o.bday, o.last FROM main.ticket_seq o"
    " JOIN main.service os ON os.id = o.service_id JOIN r.service rs ON rs.code = os.code"
    " WHERE true ON CONFLICT(service_id, bday) DO UPDATE SET last = max(last, excluded.last);"
    "INSERT INTO r.visitor_seq(bday, last) SELECT bday, last FROM main.visitor_seq"
    " WHERE true ON CONFLICT(bday) DO UPDATE SET last = max(last, excluded.last);"
    "INSERT INTO r.complaint_seq(day, last) SELECT day, last FROM main.complaint_seq"
    " WHERE true ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last);"
    "UPDATE r.sqlite_sequence SET seq = max(seq, (SELECT o.seq FROM main.sqlite_sequence o"
    " WHERE o.name = r.sqlite_sequence.name)) WHERE name <> 'outbox'"
    " AND name IN (SELECT name FROM main.sqlite_sequence);"
    "INSERT INTO r.sqlite_sequence(name, seq) SELECT name, seq FROM main.sqlite_sequence"
    " WHERE name <> 'outbox' AND name NOT IN (SELECT name FROM r.sqlite_sequence)"
    " AND name IN (SELECT name FROM r.sqlite_master WHERE type = 'table');"
    /* past both timelines' epochs: the replaced store may itself have been
     * restored from an older backup */
    "UPDATE r.meta SET value = CAST(max(CAST(value AS INTEGER), coalesce((SELECT"
    " CAST(value AS INTEGER) FROM main.meta WHERE key = 'epoch'), 0)) + 1 AS TEXT)"
    " WHERE key = 'epoch';";

/* Builds the restored store at `tmp` from the backup `src`: a copy, checked
 * whole, migrated, one self-contained file. `src` is only read. */
static int build_copy(const char *src, const char *tmp, char *err, size_t errlen)
{
    sqlite3 *from = NULL, *to = NULL;
    sqlite3_backup *b;
    char why[200];
    int rc = FD_ECORRUPT, v;

    unlink(tmp);
    if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        (v = read_user_version(from)) < 0) {
        set_err(err, errlen, "backup unusable: %s is not a frontdesk database (%s)", src,
                from ? sqlite3_errmsg(from) : "out of memory");
        goto out;
    }
    if (v > fd_schema_count) {
        set_err(err, errlen, "backup %s was written by a newer frontdesk; install it%s",
                src, "");
        rc = FD_ENEWER;
        goto out;
    }
    if (v < 1) {
        set_err(err, errlen, "backup unusable: %s is not a frontdesk database%s", src, "");
        goto out;
    }
    rc = FD_EDB;
    if (sqlite3_open(tmp, &to) != SQLITE_OK)
        goto dberr;
    sqlite3_exec(to, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    if (!(b = sqlite3_backup_init(to, "main", from, "main")))
        goto dberr;
    while ((v = sqlite3_backup_step(b, 1024)) == SQLITE_OK)
        ;
    sqlite3_backup_finish(b);
    if (v != SQLITE_DONE) {
        set_err(err, errlen, "backup unusable: cannot read it (%s)%s",
                sqlite3_errstr(v), "");
        rc = FD_ECORRUPT;
        goto out;
    }
    if (to_single_file(to, "main") != 0)
        goto dberr;
    if (check_db(to, "main", 1, why, sizeof why) != 0) {
        set_err(err, errlen, "backup unusable: it is damaged (%s)%s", why, "");
        rc = FD_ECORRUPT;
        goto out;
    }
    /* the copy is migrated, never the backup */
    if ((rc = migrate(to, err, errlen)) != 0 || (rc = note_checked(to, "main")) != 0)
        goto dberr;
    rc = 0;
    goto out;
dberr:
    if (err && errlen && !err[0])
        set_err(err, errlen, "cannot build the restored copy %s: %s", tmp,
                to ? sqlite3_errmsg(to) : "out of memory");
    rc = FD_EDB;
out:
    sqlite3_close(from);
    if (sqlite3_close(to) != SQLITE_OK && rc == 0)
        rc = FD_EDB;
    return rc;
}

int store_restore(const char *src, const char *path, int flags, char *err, size_t errlen)
{
    char tmp[4096], aux[4096 + 16], e2[300] = "";
    sqlite3 *cur = NULL;
    int marker = -1, existed, rc, have = access(path, F_OK) == 0, carried = 0;

    if (err && errlen)
        err[0] = '\0';
    if (access(src, R_OK) != 0) {
        set_err(err, errlen, "backup %s cannot be read%s", src, "");
        return FD_ECORRUPT;
    }
    if (sibling(tmp, sizeof tmp, path, ".restoring") || sibling(aux, sizeof aux, path, "-wal") ||
        sibling(aux, sizeof aux, tmp, "-wal")) {
        set_err(err, errlen, "database path too long: %s%s", path, "");
        return FD_EDB;
    }
    /* 1. Nobody else may have the store open, and nobody may open it until
     *    it is replaced: the marker exclusively, and SQLite's own lock
     *    exclusively (covers programs that are not frontdesk). */
    marker = marker_open(path, &existed);
    for (int i = 0; marker >= 0 && ofd_lock(marker, F_WRLCK, 0) != 0; i++) {
        if (i == 40) { /* two seconds: a short frontdesk-ctl command ends */
            close(marker);
            marker = -2;
            break;
        }
        sqlite3_sleep(50);
    }
    if (marker < 0) {
        set_err(err, errlen, "%s is in use (is the kiosk running? stop it first:"
                " systemctl stop frontdesk)%s", path, "");
        rc = marker == -1 ? FD_EDB : FD_ESTATE;
        goto out;
    }
    if (have) {
        int v;
        if (sqlite3_open_v2(path, &cur, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
            set_err(err, errlen, "cannot open %s: %s", path,
                    cur ? sqlite3_errmsg(cur) : "out of memory");
            rc = FD_EDB;
            goto out;
        }
        sqlite3_busy_timeout(cur, 2000);
        /* held from here until the connection closes, after the rename */
        v = sqlite3_exec(cur, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT",
                         NULL, NULL, NULL);
        if ((v & 0xff) == SQLITE_BUSY || (v & 0xff) == SQLITE_LOCKED) {
            set_err(err, errlen, "%s is in use by another program; stop it first%s",
                    path, "");
            rc = FD_ESTATE;
            goto out;
        }
        /* 2. What the replaced store issued, read under the lock (below);
         *    an empty database never issued anything. */
        if (read_user_version(cur) == 0)
            have = 0;
    }
    /* 3. The restored copy, complete, beside the store. */
    if ((rc = build_copy(src, tmp, err, errlen)) != 0)
        goto out;
    if (have) {
        char sql[4200];
        char *q = sqlite3_mprintf("ATTACH %Q AS r", tmp);
        rc = sqlite3_exec(cur, q, NULL, NULL, NULL);
        sqlite3_free(q);
        if (rc == SQLITE_OK) {
            snprintf(sql, sizeof sql, "BEGIN; %s COMMIT;", carry_sql);
            if (sqlite3_exec(cur, sql, NULL, NULL, NULL) == SQLITE_OK)
                carried = 1;
            else
                snprintf(e2, sizeof e2, "%s", sqlite3_errmsg(cur));
            sqlite3_exec(cur, "ROLLBACK", NULL, NULL, NULL);
            sqlite3_exec(cur, "DETACH r", NULL, NULL, NULL);
        } else {
            snprintf(e2, sizeof e2, "%s", sqlite3_errmsg(cur));
        }
        if (!carried && !(flags & STORE_RESTORE_FORCE)) {
            set_err(err, errlen, "not restored: the numbers %s issued cannot be read (%s),"
                    " so tickets and complaint references issued since the backup could be"
                    " issued again; restore with --force to accept that", path, e2);
            rc = FD_ESTATE;
            goto out;
        }
    }
    if (!carried) {
        /* no store to read, or forced over an unreadable one */
        sqlite3 *t = NULL;
        rc = sqlite3_open(tmp, &t) == SQLITE_OK &&
                     sqlite3_exec(t, "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
                                     " WHERE key = 'epoch'", NULL, NULL, NULL) == SQLITE_OK
                 ? 0 : FD_EDB;
        if (rc)
            set_err(err, errlen, "cannot raise the sync epoch: %s%s",
                    t ? sqlite3_errmsg(t) : "out of memory", "");
        sqlite3_close(t);
        if (rc)
            goto out;
    }
    {   /* The store runs in WAL mode, and so does the restored file from its
         * first byte (closing the last connection folds and removes its WAL);
         * a WAL reader holds its lock for its life, so a later restore sees
         * even programs that are not frontdesk. */
        sqlite3 *t = NULL;
        int ok = sqlite3_open(tmp, &t) == SQLITE_OK &&
                 sqlite3_exec(t, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK;
        if (sqlite3_close(t) != SQLITE_OK || !ok) {
            set_err(err, errlen, "cannot finish the restored copy %s: WAL mode%s", tmp, "");
            rc = FD_EDB;
            goto out;
        }
        sibling(aux, sizeof aux, tmp, "-wal");
        unlink(aux);
        sibling(aux, sizeof aux, tmp, "-shm");
        unlink(aux);
    }
    {   /* owned and readable like the store it replaces (a restore run as
         * root must not leave the kiosk's user a store it cannot write) */
        struct stat was;
        if (stat(path, &was) == 0 &&
            (chmod(tmp, was.st_mode & 07777) != 0 ||
             (geteuid() == 0 && chown(tmp, was.st_uid, was.st_gid) != 0))) {
            set_err(err, errlen, "cannot give %s the owner of %s", tmp, path);
            rc = FD_EDB;
            goto out;
        }
    }
    if (sync_file(tmp) != 0) {
        set_err(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
        rc = FD_EDB;
        goto out;
    }
    /* 4. The replaced store is kept whole beside it (its WAL folded in), and
     *    its WAL must not be replayed onto the restored one. */
    if (have) {
        char keep[4096];
        if (to_single_file(cur, "main") == 0 && !sibling(keep, sizeof keep, path, ".replaced")) {
            unlink(keep);
            if (link(path, keep) != 0) {
                /* no hard links here: the restore goes on without the copy */
            }
        }
    }
    sibling(aux, sizeof aux, path, "-wal");
    unlink(aux);
    sibling(aux, sizeof aux, path, "-shm");
    unlink(aux);
    sibling(aux, sizeof aux, path, "-journal");
    unlink(aux);
    /* 5. The switch: one rename, made durable. */
    if (rename(tmp, path) != 0 || sync_dir_of(path) != 0) {
        set_err(err, errlen, "cannot move the restored copy into place at %s: %s", path,
                strerror(errno));
        rc = FD_EDB;
        goto out;
    }
    /* just checked whole: the next opener need not check again */
    if (marker_set(marker, MARK_CLEAN, 0) != 0) {
        /* stays dirty: the next first opener checks */
    }
    rc = 0;
out:
    if (rc) {
        unlink(tmp);
        sibling(aux, sizeof aux, tmp, "-journal");
        unlink(aux);
    }
    sqlite3_close(cur); /* the lock on the replaced file goes with it */
    if (marker >= 0)
        close(marker);  /* only now may others open the store */
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

int store_exec_ids(struct fd_store *st, const char *sql, const int64_t *ids, int n,
                   struct fd_err *err)
{
    /* numbers need no escaping: at most 20 digits and a comma each */
    size_t cap = 3 + (size_t)(n > 0 ? n : 0) * 21, len = 0;
    char *list = malloc(cap);
    int rc;
    if (!list)
        return fd_fail(err, FD_EDB, "", "out of memory");
    list[len++] = '[';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, cap - len, "%s%lld", i ? "," : "",
                                (long long)ids[i]);
    snprintf(list + len, cap - len, "]");
    sqlite3_stmt *s = store_prepare(st, sql);
    if (!s) {
        free(list);
        return store_fail(st, err);
    }
    sqlite3_bind_text(s, 1, list, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    free(list);
    return rc == SQLITE_DONE ? sqlite3_changes(store_db(st)) : store_fail(st, err);
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

int store_prune_copies(struct fd_store *st, int64_t now, int64_t max_age_s)
{
    static const char *const suffixes[] = {".replaced", ".pre-migration"};
    char copy[4096];
    int removed = 0, rc = 0;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        struct stat sb;
        if (sibling(copy, sizeof copy, st->path, suffixes[i]) || stat(copy, &sb) != 0)
            continue; /* no such copy (or a path too long to have made one) */
        if (now - (int64_t)sb.st_ctime < max_age_s)
            continue;
        if (unlink(copy) == 0)
            removed++;
        else if (errno != ENOENT)
            rc = FD_EDB;
    }
    return rc ? rc : removed;
}
