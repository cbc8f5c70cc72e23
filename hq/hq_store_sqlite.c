/* hq_store_sqlite.c - the SQLite backend of hq_store.h (the default: one file,
 * nothing to install). WAL mode, synchronous=FULL (a push is answered only
 * after its commit is on disk), busy timeout for the server's handle pool.
 * Statements are prepared once per handle and kept. The schema files in
 * hq/schema/sqlite are compiled in and applied in name order. */
#include "hq_store.h"
#include "embedded.h"
#include "hq_person.h"
#include "hq_state.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fd_embedded_file hq_sqlite_schema[];
extern const int hq_sqlite_schema_count;

/* Every statement this backend runs, prepared lazily into sq_store.st[]. */
enum {
    Q_TOKEN_INS, Q_TOKEN_USE, Q_TOKEN_BRANCH, Q_DEV_INS, Q_DEV_GET, Q_DEV_REVOKE,
    Q_NONCE_INS, Q_NONCE_PRUNE, Q_STREAM_GET, Q_STREAM_PUT, Q_REC_INS, Q_QUAR_INS,
    Q_CMP_UPSERT, Q_DEV_PUSHED, Q_PULL, Q_CFG_PUT, Q_CHANGE_INS, Q_CMP_LIST, Q_CMP_GET,
    Q_CMP_UPD, Q_CMP_EV, Q_CMP_CHANGE, Q_RECORDS, Q_RECORDS_ALL, Q_STAT_DEV, Q_STAT_TYPE,
    Q_TOT_DEV, Q_TOT_REC, Q_TOT_QUAR, Q_TOT_OPEN, Q_LOG_PAGE, Q_RPT_CMP, Q_CFG_GET, Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
    [Q_TOKEN_INS] = "INSERT INTO enroll_token(hash, branch, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?)",
    [Q_TOKEN_USE] = "UPDATE enroll_token SET used_at = ?2 WHERE hash = ?1"
                    " AND used_at IS NULL AND expires_at > ?2",
    [Q_TOKEN_BRANCH] = "SELECT branch FROM enroll_token WHERE hash = ?",
    [Q_DEV_INS] = "INSERT INTO device(device_id, branch, pubkey, enrolled_at)"
                  " VALUES (?, ?, ?, ?)",
    [Q_DEV_GET] = "SELECT device_id, branch, pubkey, enrolled_at, revoked_at, last_push,"
                  " backlog FROM device WHERE device_id = ?",
    [Q_DEV_REVOKE] = "UPDATE device SET revoked_at = ?2 WHERE device_id = ?1",
    [Q_NONCE_INS] = "INSERT INTO nonce(device_id, nonce, ts) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
    [Q_NONCE_PRUNE] = "DELETE FROM nonce WHERE ts < ?",
    [Q_STREAM_GET] = "SELECT high FROM stream WHERE device_id = ? AND epoch = ?",
    [Q_STREAM_PUT] = "INSERT INTO stream(device_id, epoch, high) VALUES (?, ?, ?)"
                     " ON CONFLICT(device_id, epoch) DO UPDATE SET high = excluded.high",
    [Q_REC_INS] = "INSERT INTO record(device_id, epoch, seq, type, schema_version, record,"
                  " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [Q_QUAR_INS] = "INSERT INTO quarantine(device_id, epoch, seq, type, schema_version,"
                   " record, reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_CMP_UPSERT] =
        "INSERT INTO complaint(device_id, branch, ref, category, description, received_at,"
        " feedback_due, state, severity, valid, department, resolution, close_reason,"
        " stat_category, updated_at)"
        " VALUES (?1, (SELECT branch FROM device WHERE device_id = ?1), ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        " ON CONFLICT(device_id, ref) DO UPDATE SET category = excluded.category,"
        " description = excluded.description, received_at = excluded.received_at,"
        " feedback_due = excluded.feedback_due"
        /* newest (epoch, seq) wins: not when the log holds a newer version */
        " WHERE NOT EXISTS (SELECT 1 FROM record r WHERE r.device_id = ?1"
        " AND (r.epoch, r.seq) > (?15, ?16) AND r.type = 'complaint'"
        " AND json_extract(r.record, '$.ref') = ?2)",
    [Q_DEV_PUSHED] = "UPDATE device SET last_push = ?2, backlog = ?3 WHERE device_id = ?1",
    [Q_PULL] = "SELECT id, kind, key, value FROM change WHERE id > ?1"
               " AND (branch = '' OR branch = (SELECT branch FROM device WHERE device_id = ?2))"
               " AND (device_id = '' OR device_id = ?2) ORDER BY id LIMIT ?3",
    [Q_CFG_PUT] = "INSERT INTO config(branch, key, value, updated_at) VALUES (?, ?, ?, ?)"
                  " ON CONFLICT(branch, key) DO UPDATE SET value = excluded.value,"
                  " updated_at = excluded.updated_at",
    [Q_CHANGE_INS] = "INSERT INTO change(branch, device_id, kind, key, value, at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
    [Q_CMP_LIST] = "SELECT id, device_id, branch, ref, category, description, received_at,"
                   " feedback_due, state, severity, valid, department, resolution,"
                   " close_reason, stat_category, updated_at FROM complaint"
                   " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR branch = ?2)"
                   " ORDER BY id DESC LIMIT ?3",
    [Q_CMP_GET] = "SELECT id, device_id, branch, ref, category, description, received_at,"
                  " feedback_due, state, severity, valid, department, resolution,"
                  " close_reason, stat_category, updated_at FROM complaint WHERE id = ?",
    [Q_CMP_UPD] = "UPDATE complaint SET state = ?2, severity = ?3, valid = ?4,"
                  " department = ?5, resolution = ?6, close_reason = ?7,"
                  " stat_category = ?8, updated_at = ?9 WHERE id = ?1",
    [Q_CMP_EV] = "INSERT INTO complaint_event(complaint_id, at, from_state, to_state, actor,"
                 " note) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_CMP_CHANGE] =
        "INSERT INTO change(branch, device_id, kind, key, value, at)"
        /* Kiosks know six states: the follow-up (回访) goes down as resolved
         * with its close_reason (the kiosk shows that as followed up); step
         * carries head office's own state. */
        " SELECT branch, device_id, 'complaint', ref, json_object('state',"
        " CASE state WHEN 'followed_up' THEN 'resolved' ELSE state END, 'step', state,"
        " 'severity', severity, 'valid', valid, 'department', department,"
        " 'resolution', resolution, 'close_reason', close_reason,"
        " 'stat_category', stat_category, 'satisfaction', satisfaction,"
        " 'updated_at', updated_at, 'from', ?2,"
        " 'actor', ?3, 'note', ?4), ?5 FROM complaint WHERE id = ?1",
    [Q_RECORDS] = "SELECT epoch, seq, type, schema_version, record, 0 FROM record"
                  " WHERE device_id = ?1 AND epoch = ?2 AND seq > ?3"
                  " UNION ALL SELECT epoch, seq, type, schema_version, record, 1"
                  " FROM quarantine WHERE device_id = ?1 AND epoch = ?2 AND seq > ?3"
                  " ORDER BY 1, 2 LIMIT ?4",
    [Q_RECORDS_ALL] = "SELECT epoch, seq, type, schema_version, record, 0 FROM record"
                      " WHERE device_id = ?1 AND seq > ?3 AND ?2 = 0"
                      " UNION ALL SELECT epoch, seq, type, schema_version, record, 1"
                      " FROM quarantine WHERE device_id = ?1 AND seq > ?3 AND ?2 = 0"
                      " ORDER BY 1, 2 LIMIT ?4",
    [Q_STAT_DEV] = "SELECT d.branch, d.device_id, d.last_push, d.backlog,"
                   " (SELECT count(*) FROM quarantine q WHERE q.device_id = d.device_id),"
                   " d.revoked_at FROM device d ORDER BY d.branch, d.device_id",
    [Q_STAT_TYPE] = NULL, /* hq_state_sql_stat_types() */
    [Q_TOT_DEV] = "SELECT count(*) FROM device",
    [Q_TOT_REC] = "SELECT count(*) FROM record",
    [Q_TOT_QUAR] = "SELECT count(*) FROM quarantine",
    [Q_TOT_OPEN] = "SELECT count(*) FROM complaint WHERE state <> 'closed'",
    [Q_LOG_PAGE] = "SELECT device_id, epoch, seq, type, schema_version, record FROM record"
                   " WHERE (device_id, epoch, seq) > (?1, ?2, ?3)"
                   " ORDER BY device_id, epoch, seq LIMIT ?4",
    [Q_RPT_CMP] = "SELECT c.id, c.device_id, c.branch, c.ref, c.category, c.description,"
                  " c.received_at, c.feedback_due, c.state, c.severity, c.valid, c.department,"
                  " c.resolution, c.close_reason, c.stat_category, c.updated_at,"
                  " (SELECT min(e.at) FROM complaint_event e WHERE e.complaint_id = c.id),"
                  " (SELECT min(e.at) FROM complaint_event e WHERE e.complaint_id = c.id"
                  "   AND e.to_state = 'closed')"
                  " FROM complaint c WHERE c.device_id = ?1 AND c.received_at >= ?2"
                  " AND c.received_at < ?3 ORDER BY c.received_at, c.id",
    [Q_CFG_GET] = "SELECT value FROM config WHERE branch = ?1 AND key = ?2",
};

#define STATE_MAX 16 /* state tables a handle keeps an upsert for */

struct sq_store {
    struct hq_store base;      /* must be first: the vtable */
    sqlite3 *db;
    sqlite3_stmt *st[Q_COUNT]; /* prepared on first use */
    sqlite3_stmt *put[STATE_MAX]; /* state upserts, by hq_state_tables index */
    int in_tx;                 /* a begin without commit/rollback yet */
    int scrubbed;              /* personal data erased in this transaction: the
                                  commit checkpoints the WAL away (0003_fleet.sql) */
    char err[256];             /* last error text */
};

#define SQ(s) ((struct sq_store *)(s))

static void set_err(struct sq_store *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->err, sizeof q->err, fmt, ap);
    va_end(ap);
}

/* Maps a SQLite result to hq_store_rc, keeping the message. */
static int fail(struct sq_store *q, int rc, const char *what)
{
    set_err(q, "%s: %s", what, sqlite3_errmsg(q->db));
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return HQ_E_BUSY;
    return HQ_E_IO;
}

/* The statement for id, reset and unbound; NULL on a prepare error. */
static sqlite3_stmt *stmt(struct sq_store *q, int id)
{
    if (!q->st[id]) {
        char gen[4096];
        const char *sql = sql_text[id];
        if (id == Q_STAT_TYPE) {
            if (hq_state_sql_stat_types(gen, sizeof gen) != 0) {
                set_err(q, "stats: statement too long");
                return NULL;
            }
            sql = gen;
        }
        if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                               &q->st[id], NULL) != SQLITE_OK) {
            set_err(q, "prepare: %s", sqlite3_errmsg(q->db));
            return NULL;
        }
    } else {
        sqlite3_reset(q->st[id]);
        sqlite3_clear_bindings(q->st[id]);
    }
    return q->st[id];
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows; HQ_OK or an error. */
static int run(struct sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int out = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? HQ_OK : fail(q, rc, what);
    sqlite3_reset(st);
    return out;
}

static int exec(struct sq_store *q, const char *sql)
{
    int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? HQ_OK : fail(q, rc, sql);
}

static int migrate(struct sq_store *q)
{
    sqlite3_stmt *st = NULL;
    int version = -1, rc;
    char sql[64];

    if ((rc = exec(q, "BEGIN IMMEDIATE")) != HQ_OK)
        return rc;
    if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0 || version > hq_sqlite_schema_count) {
        set_err(q, "unexpected schema version %d (this build knows %d)", version,
                hq_sqlite_schema_count);
        exec(q, "ROLLBACK");
        return HQ_E_IO;
    }
    for (int i = version; i < hq_sqlite_schema_count; i++) {
        if ((rc = exec(q, hq_sqlite_schema[i].data)) != HQ_OK) {
            exec(q, "ROLLBACK");
            return rc;
        }
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", hq_sqlite_schema_count);
    if ((rc = exec(q, sql)) != HQ_OK || (rc = exec(q, "COMMIT")) != HQ_OK) {
        exec(q, "ROLLBACK");
        return rc;
    }
    return HQ_OK;
}

static void sq_close(struct hq_store *s)
{
    struct sq_store *q = SQ(s);
    if (!q)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    for (int i = 0; i < STATE_MAX; i++)
        sqlite3_finalize(q->put[i]);
    sqlite3_close(q->db);
    free(q);
}

static int sq_open(const char *dsn, struct hq_store **out, char *err, size_t errlen)
{
    struct sq_store *q = calloc(1, sizeof *q);
    int rc;

    *out = NULL;
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return HQ_E_IO;
    }
    q->base.ops = &hq_store_sqlite_ops;
    if (sqlite3_open_v2(dsn, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                         SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", dsn,
                 q->db ? sqlite3_errmsg(q->db) : "out of memory");
        sq_close(&q->base);
        return HQ_E_IO;
    }
    sqlite3_busy_timeout(q->db, 10000);
    if ((rc = exec(q, "PRAGMA journal_mode=WAL")) != HQ_OK ||
        (rc = exec(q, "PRAGMA synchronous=FULL")) != HQ_OK ||
        (rc = exec(q, "PRAGMA foreign_keys=ON")) != HQ_OK ||
        (rc = exec(q, "PRAGMA secure_delete=ON")) != HQ_OK || (rc = migrate(q)) != HQ_OK) {
        snprintf(err, errlen, "%s: %s", dsn, q->err);
        sq_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return HQ_OK;
}

static int sq_begin(struct hq_store *s)
{
    int rc = exec(SQ(s), "BEGIN IMMEDIATE");
    if (rc == HQ_OK)
        SQ(s)->in_tx = 1;
    return rc;
}

static void scrub_flush(struct sq_store *q);

static int sq_begin_read(struct hq_store *s)
{
    struct sq_store *q = SQ(s);
    /* The snapshot starts at the first read: take it now, not at the
     * caller's first query. */
    int rc = exec(q, "BEGIN DEFERRED");
    if (rc == HQ_OK && (rc = exec(q, "SELECT count(*) FROM sqlite_schema")) != HQ_OK)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    if (rc == HQ_OK)
        q->in_tx = 1;
    return rc;
}

static int sq_commit(struct hq_store *s)
{
    struct sq_store *q = SQ(s);
    int rc = exec(q, "COMMIT");
    if (rc != HQ_OK) {
        char keep[sizeof q->err];
        memcpy(keep, q->err, sizeof keep);
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
        memcpy(q->err, keep, sizeof keep);
    } else if (q->scrubbed) {
        scrub_flush(q);
    }
    q->scrubbed = 0;
    q->in_tx = 0;
    return rc;
}

static int sq_rollback(struct hq_store *s)
{
    struct sq_store *q = SQ(s);
    q->in_tx = 0;
    q->scrubbed = 0;
    if (sqlite3_get_autocommit(q->db))
        return HQ_OK;
    return exec(q, "ROLLBACK");
}

static int sq_token_create(struct hq_store *s, const unsigned char hash[HQ_HASH_BYTES],
                           const char *branch, long long now, long long expires_at)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_TOKEN_INS);
    if (!st)
        return HQ_E_IO;
    sqlite3_bind_blob(st, 1, hash, HQ_HASH_BYTES, SQLITE_STATIC);
    bind_text(st, 2, branch);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, expires_at);
    return run(q, st, "token create");
}

static int sq_token_consume(struct hq_store *s, const unsigned char hash[HQ_HASH_BYTES],
                            long long now, char branch[HQ_BRANCH_MAX + 1])
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_TOKEN_USE);
    int rc;
    if (!st)
        return HQ_E_IO;
    sqlite3_bind_blob(st, 1, hash, HQ_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    if ((rc = run(q, st, "token consume")) != HQ_OK)
        return rc;
    if (sqlite3_changes(q->db) != 1)
        return HQ_E_NOTFOUND;
    if (!(st = stmt(q, Q_TOKEN_BRANCH)))
        return HQ_E_IO;
    sqlite3_bind_blob(st, 1, hash, HQ_HASH_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = fail(q, rc, "token branch");
        sqlite3_reset(st);
        return rc;
    }
    snprintf(branch, HQ_BRANCH_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return HQ_OK;
}

static int sq_device_register(struct hq_store *s, const char *device_id, const char *branch,
                              const unsigned char pubkey[HQ_PUBKEY_BYTES], long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_DEV_INS);
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    bind_text(st, 2, branch);
    sqlite3_bind_blob(st, 3, pubkey, HQ_PUBKEY_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return HQ_OK;
    if (rc == SQLITE_CONSTRAINT)
        return HQ_E_EXISTS;
    return fail(q, rc, "device register");
}

static int sq_device_lookup(struct hq_store *s, const char *device_id, struct hq_device *out)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_DEV_GET);
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        snprintf(out->device_id, sizeof out->device_id, "%s",
                 (const char *)sqlite3_column_text(st, 0));
        snprintf(out->branch, sizeof out->branch, "%s",
                 (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_bytes(st, 2) == HQ_PUBKEY_BYTES)
            memcpy(out->pubkey, sqlite3_column_blob(st, 2), HQ_PUBKEY_BYTES);
        out->enrolled_at = sqlite3_column_int64(st, 3);
        out->revoked_at = sqlite3_column_int64(st, 4);
        out->last_push = sqlite3_column_int64(st, 5);
        out->backlog = sqlite3_column_int64(st, 6);
        rc = HQ_OK;
    } else if (rc == SQLITE_DONE) {
        rc = HQ_E_NOTFOUND;
    } else {
        rc = fail(q, rc, "device lookup");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_device_revoke(struct hq_store *s, const char *device_id, long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_DEV_REVOKE);
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    sqlite3_bind_int64(st, 2, now);
    if ((rc = run(q, st, "device revoke")) != HQ_OK)
        return rc;
    return sqlite3_changes(q->db) == 1 ? HQ_OK : HQ_E_NOTFOUND;
}

static int sq_nonce_put(struct hq_store *s, const char *device_id, const char *nonce,
                        long long ts)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_NONCE_INS);
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    bind_text(st, 2, nonce);
    sqlite3_bind_int64(st, 3, ts);
    if ((rc = run(q, st, "nonce")) != HQ_OK)
        return rc;
    return sqlite3_changes(q->db) == 1 ? HQ_OK : HQ_E_EXISTS;
}

static int sq_nonce_prune(struct hq_store *s, long long before)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_NONCE_PRUNE);
    if (!st)
        return HQ_E_IO;
    sqlite3_bind_int64(st, 1, before);
    return run(q, st, "nonce prune");
}

/* Upserts one current-state row: newer (epoch, seq) wins (hq_state.h). */
static int put_state(struct sq_store *q, const struct hq_state_row *row)
{
    int ti = (int)(row->t - hq_state_tables), rc;
    sqlite3_stmt *st;
    assert(ti >= 0 && ti < hq_state_ntables && ti < STATE_MAX);
    if (!q->put[ti]) {
        char sql[4096];
        if (hq_state_sql_upsert(row->t, '?', sql, sizeof sql) != 0) {
            set_err(q, "state: statement too long");
            return HQ_E_IO;
        }
        if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->put[ti], NULL) !=
            SQLITE_OK) {
            set_err(q, "prepare %s: %s", row->t->table, sqlite3_errmsg(q->db));
            return HQ_E_IO;
        }
    }
    st = q->put[ti];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    bind_text(st, 1, row->device_id);
    sqlite3_bind_int64(st, 2, row->id);
    sqlite3_bind_int64(st, 3, row->epoch);
    sqlite3_bind_int64(st, 4, row->seq);
    for (int i = 0; i < row->t->ncols; i++) {
        const struct hq_state_val *v = &row->v[i];
        if (v->null)
            sqlite3_bind_null(st, 5 + i);
        else if (row->t->cols[i].type == HQ_COL_INT)
            sqlite3_bind_int64(st, 5 + i, v->i);
        else
            bind_text(st, 5 + i, v->s ? v->s : "");
    }
    rc = run(q, st, row->t->table);
    return rc;
}

/* Stores one row of a batch (record or quarantine, complaint upsert). */
static int put_row(struct sq_store *q, const struct hq_batch *b, const struct hq_record *r)
{
    sqlite3_stmt *st = stmt(q, r->quarantine ? Q_QUAR_INS : Q_REC_INS);
    int rc, i = 1;
    if (!st)
        return HQ_E_IO;
    bind_text(st, i++, b->device_id);
    sqlite3_bind_int64(st, i++, b->epoch);
    sqlite3_bind_int64(st, i++, r->seq);
    bind_text(st, i++, r->type ? r->type : "");
    sqlite3_bind_int(st, i++, r->schema_version);
    bind_text(st, i++, r->json ? r->json : "null");
    if (r->quarantine)
        bind_text(st, i++, r->quarantine);
    sqlite3_bind_int64(st, i++, b->now);
    if ((rc = run(q, st, "record")) != HQ_OK || r->quarantine)
        return rc;
    if (r->state && (rc = put_state(q, r->state)) != HQ_OK)
        return rc;
    if (!r->complaint)
        return HQ_OK;
    const struct hq_complaint *c = r->complaint;
    if (!(st = stmt(q, Q_CMP_UPSERT)))
        return HQ_E_IO;
    bind_text(st, 1, b->device_id);
    bind_text(st, 2, c->ref);
    bind_text(st, 3, c->category ? c->category : "");
    bind_text(st, 4, c->description ? c->description : "");
    sqlite3_bind_int64(st, 5, c->received_at);
    sqlite3_bind_int64(st, 6, c->feedback_due);
    bind_text(st, 7, c->state ? c->state : "received");
    bind_text(st, 8, c->severity);
    if (c->valid < 0)
        sqlite3_bind_null(st, 9);
    else
        sqlite3_bind_int(st, 9, c->valid);
    bind_text(st, 10, c->department ? c->department : "");
    bind_text(st, 11, c->resolution ? c->resolution : "");
    bind_text(st, 12, c->close_reason ? c->close_reason : "");
    bind_text(st, 13, c->stat_category ? c->stat_category : "");
    sqlite3_bind_int64(st, 14, b->now);
    sqlite3_bind_int64(st, 15, b->epoch);
    sqlite3_bind_int64(st, 16, r->seq);
    return run(q, st, "complaint upsert");
}

static int sq_push_apply(struct hq_store *s, const struct hq_batch *b,
                         struct hq_push_result *res)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st;
    long long high = 0;
    int known = 0, rc;

    memset(res, 0, sizeof *res);
    if (!b->device_id || b->epoch < 1)
        return HQ_E_INVALID;
    if (!(st = stmt(q, Q_STREAM_GET)))
        return HQ_E_IO;
    bind_text(st, 1, b->device_id);
    sqlite3_bind_int64(st, 2, b->epoch);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        high = sqlite3_column_int64(st, 0);
        known = 1;
    } else if (rc != SQLITE_DONE) {
        rc = fail(q, rc, "stream");
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    if (!known)
        high = b->epoch_start > 0 ? b->epoch_start - 1 : 0;

    for (size_t i = 0; i < b->n; i++) {
        const struct hq_record *r = &b->recs[i];
        if (r->seq <= high) {
            res->ignored++;
            continue;
        }
        if (r->seq != high + 1) {
            if (res->applied == 0) {
                res->expected = high + 1;
                res->high = known ? high : 0;
                return HQ_E_GAP; /* nothing written yet */
            }
            break; /* an in-batch gap: keep the contiguous part */
        }
        if ((rc = put_row(q, b, r)) != HQ_OK)
            return rc;
        high = r->seq;
        res->applied++;
        if (r->quarantine)
            res->quarantined++;
    }
    if (res->applied > 0 || known) {
        if (!(st = stmt(q, Q_STREAM_PUT)))
            return HQ_E_IO;
        bind_text(st, 1, b->device_id);
        sqlite3_bind_int64(st, 2, b->epoch);
        sqlite3_bind_int64(st, 3, high);
        if ((rc = run(q, st, "stream put")) != HQ_OK)
            return rc;
    }
    if (!(st = stmt(q, Q_DEV_PUSHED)))
        return HQ_E_IO;
    bind_text(st, 1, b->device_id);
    sqlite3_bind_int64(st, 2, b->now);
    sqlite3_bind_int64(st, 3, b->backlog);
    if ((rc = run(q, st, "device pushed")) != HQ_OK)
        return rc;
    res->high = (res->applied > 0 || known) ? high : 0;
    return HQ_OK;
}

static int sq_pull(struct hq_store *s, const char *device_id, long long cursor, int limit,
                   hq_change_fn fn, void *ctx, long long *next, int *more)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_PULL);
    int rc, n = 0, stop = 0;

    *next = cursor;
    *more = 0;
    if (!st)
        return HQ_E_IO;
    if (limit < 1)
        return HQ_E_INVALID;
    sqlite3_bind_int64(st, 1, cursor);
    bind_text(st, 2, device_id);
    sqlite3_bind_int(st, 3, limit + 1); /* one more tells whether more wait */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hq_change c;
        if (n == limit) {
            *more = 1;
            break;
        }
        c.id = sqlite3_column_int64(st, 0);
        c.kind = (const char *)sqlite3_column_text(st, 1);
        c.key = (const char *)sqlite3_column_text(st, 2);
        c.value = (const char *)sqlite3_column_text(st, 3);
        if ((stop = fn(ctx, &c)) != 0)
            break;
        *next = c.id;
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        stop = fail(q, rc, "pull");
    sqlite3_reset(st);
    return stop;
}

static int sq_config_set(struct hq_store *s, const char *branch, const char *key,
                         const char *value_json, long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_CFG_PUT);
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, branch ? branch : "");
    bind_text(st, 2, key);
    bind_text(st, 3, value_json);
    sqlite3_bind_int64(st, 4, now);
    if ((rc = run(q, st, "config")) != HQ_OK)
        return rc;
    if (!(st = stmt(q, Q_CHANGE_INS)))
        return HQ_E_IO;
    bind_text(st, 1, branch ? branch : "");
    bind_text(st, 2, "");
    bind_text(st, 3, "config");
    bind_text(st, 4, key);
    bind_text(st, 5, value_json);
    sqlite3_bind_int64(st, 6, now);
    return run(q, st, "change");
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Steps a complaint SELECT, calling fn per row. */
static int each_complaint(struct sq_store *q, sqlite3_stmt *st, hq_complaint_fn fn, void *ctx,
                          int *rows)
{
    int rc, stop = 0;
    *rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hq_complaint c;
        c.id = sqlite3_column_int64(st, 0);
        c.device_id = col_text(st, 1);
        c.branch = col_text(st, 2);
        c.ref = col_text(st, 3);
        c.category = col_text(st, 4);
        c.description = col_text(st, 5);
        c.received_at = sqlite3_column_int64(st, 6);
        c.feedback_due = sqlite3_column_int64(st, 7);
        c.state = col_text(st, 8);
        c.severity = col_text(st, 9);
        c.valid = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 10);
        c.department = col_text(st, 11);
        c.resolution = col_text(st, 12);
        c.close_reason = col_text(st, 13);
        c.stat_category = col_text(st, 14);
        c.updated_at = sqlite3_column_int64(st, 15);
        (*rows)++;
        if ((stop = fn(ctx, &c)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        stop = fail(q, rc, "complaints");
    sqlite3_reset(st);
    return stop;
}

static int sq_complaint_list(struct hq_store *s, const char *state, const char *branch,
                             int limit, hq_complaint_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_CMP_LIST);
    int rows;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, state);
    bind_text(st, 2, branch);
    sqlite3_bind_int(st, 3, limit);
    return each_complaint(q, st, fn, ctx, &rows);
}

static int sq_complaint_get(struct hq_store *s, long long id, hq_complaint_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_CMP_GET);
    int rows, rc;
    if (!st)
        return HQ_E_IO;
    sqlite3_bind_int64(st, 1, id);
    rc = each_complaint(q, st, fn, ctx, &rows);
    if (rc == HQ_OK && rows == 0)
        return HQ_E_NOTFOUND;
    return rc;
}

static int sq_complaint_advance(struct hq_store *s, const struct hq_complaint *c,
                                const char *from_state, const char *actor, const char *note,
                                long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_CMP_UPD);
    int rc;
    if (!st)
        return HQ_E_IO;
    sqlite3_bind_int64(st, 1, c->id);
    bind_text(st, 2, c->state);
    bind_text(st, 3, c->severity);
    if (c->valid < 0)
        sqlite3_bind_null(st, 4);
    else
        sqlite3_bind_int(st, 4, c->valid);
    bind_text(st, 5, c->department ? c->department : "");
    bind_text(st, 6, c->resolution ? c->resolution : "");
    bind_text(st, 7, c->close_reason ? c->close_reason : "");
    bind_text(st, 8, c->stat_category ? c->stat_category : "");
    sqlite3_bind_int64(st, 9, now);
    if ((rc = run(q, st, "complaint advance")) != HQ_OK)
        return rc;
    if (sqlite3_changes(q->db) != 1)
        return HQ_E_NOTFOUND;
    if (!(st = stmt(q, Q_CMP_EV)))
        return HQ_E_IO;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_int64(st, 2, now);
    bind_text(st, 3, from_state);
    bind_text(st, 4, c->state);
    bind_text(st, 5, actor);
    bind_text(st, 6, note ? note : "");
    if ((rc = run(q, st, "complaint event")) != HQ_OK)
        return rc;
    if (!(st = stmt(q, Q_CMP_CHANGE)))
        return HQ_E_IO;
    sqlite3_bind_int64(st, 1, c->id);
    bind_text(st, 2, from_state);
    bind_text(st, 3, actor);
    bind_text(st, 4, note ? note : "");
    sqlite3_bind_int64(st, 5, now);
    return run(q, st, "complaint change");
}

static int sq_records(struct hq_store *s, const char *device_id, long long epoch,
                      long long after, int limit, hq_held_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, epoch ? Q_RECORDS : Q_RECORDS_ALL);
    int rc, stop = 0;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    sqlite3_bind_int64(st, 2, epoch);
    sqlite3_bind_int64(st, 3, after);
    sqlite3_bind_int(st, 4, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hq_held h;
        h.epoch = sqlite3_column_int64(st, 0);
        h.seq = sqlite3_column_int64(st, 1);
        h.type = col_text(st, 2);
        h.schema_version = sqlite3_column_int(st, 3);
        h.json = col_text(st, 4);
        h.quarantined = sqlite3_column_int(st, 5);
        if ((stop = fn(ctx, &h)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        stop = fail(q, rc, "records");
    sqlite3_reset(st);
    return stop;
}

static int sq_stats(struct hq_store *s, hq_dev_stat_fn dev, hq_type_stat_fn type, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st;
    int rc, stop = 0;

    if (dev) {
        if (!(st = stmt(q, Q_STAT_DEV)))
            return HQ_E_IO;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct hq_dev_stat d = {col_text(st, 0), col_text(st, 1),
                                    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                                    sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)};
            if ((stop = dev(ctx, &d)) != 0)
                break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            stop = fail(q, rc, "stats");
        sqlite3_reset(st);
        if (stop)
            return stop;
    }
    if (type) {
        if (!(st = stmt(q, Q_STAT_TYPE)))
            return HQ_E_IO;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct hq_type_stat t = {col_text(st, 0), col_text(st, 1),
                                     sqlite3_column_int64(st, 2)};
            if ((stop = type(ctx, &t)) != 0)
                break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            stop = fail(q, rc, "stats");
        sqlite3_reset(st);
    }
    return stop;
}

/* One count(*) into *out. */
static int count(struct sq_store *q, int id, long long *out)
{
    sqlite3_stmt *st = stmt(q, id);
    int rc;
    if (!st)
        return HQ_E_IO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = HQ_OK;
    } else {
        rc = fail(q, rc, "count");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_totals(struct hq_store *s, struct hq_totals *out)
{
    struct sq_store *q = SQ(s);
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = count(q, Q_TOT_DEV, &out->devices)) != HQ_OK ||
        (rc = count(q, Q_TOT_REC, &out->records)) != HQ_OK ||
        (rc = count(q, Q_TOT_QUAR, &out->quarantined)) != HQ_OK)
        return rc;
    return count(q, Q_TOT_OPEN, &out->complaints_open);
}

/* ---- current state and reports ---- */

static int sq_state_put(struct hq_store *s, const struct hq_state_row *rows, size_t n)
{
    int rc = HQ_OK;
    for (size_t i = 0; i < n && rc == HQ_OK; i++)
        rc = put_state(SQ(s), &rows[i]);
    return rc;
}

static int sq_state_clear(struct hq_store *s)
{
    struct sq_store *q = SQ(s);
    char sql[128];
    int rc = HQ_OK;
    for (int i = 0; i < hq_state_ntables && rc == HQ_OK; i++) {
        snprintf(sql, sizeof sql, "DELETE FROM %s", hq_state_tables[i].table);
        rc = exec(q, sql);
    }
    return rc;
}

static int sq_complaint_rebuild(struct hq_store *s)
{
    return exec(SQ(s),
                "UPDATE complaint SET category = n.category, description = n.description,"
                " received_at = n.received_at, feedback_due = n.feedback_due FROM"
                " (SELECT device_id, json_extract(record, '$.ref') AS ref,"
                " json_extract(record, '$.category') AS category,"
                " json_extract(record, '$.description') AS description,"
                " CAST(json_extract(record, '$.received_at') AS INTEGER) AS received_at,"
                " CAST(json_extract(record, '$.feedback_due') AS INTEGER) AS feedback_due,"
                " row_number() OVER (PARTITION BY device_id, json_extract(record, '$.ref')"
                " ORDER BY epoch DESC, seq DESC) AS rn FROM record WHERE type = 'complaint') n"
                " WHERE n.rn = 1 AND n.device_id = complaint.device_id AND n.ref = complaint.ref");
}

static int sq_state_each(struct hq_store *s, const struct hq_state_table *t,
                         const struct hq_state_filter *f, hq_state_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    int col = f && f->col ? hq_state_col(t, f->col) : -1, p = 1, rc, stop = 0;
    sqlite3_stmt *st = NULL;
    char sql[4096];

    if (f && f->col && col < 0) {
        set_err(q, "%s has no column %s", t->table, f->col);
        return HQ_E_INVALID;
    }
    if (hq_state_sql_select(t, '?', f && f->device_id, col, sql, sizeof sql) != 0) {
        set_err(q, "state: statement too long");
        return HQ_E_IO;
    }
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(q, SQLITE_ERROR, t->table);
    if (f && f->device_id)
        bind_text(st, p++, f->device_id);
    if (col >= 0 && t->cols[col].type == HQ_COL_INT) {
        sqlite3_bind_int64(st, p++, f->lo_i);
        sqlite3_bind_int64(st, p++, f->hi_i);
    } else if (col >= 0) {
        bind_text(st, p++, f->lo_s ? f->lo_s : "");
        bind_text(st, p++, f->hi_s ? f->hi_s : "");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hq_state_row row;
        memset(&row, 0, sizeof row);
        row.t = t;
        row.device_id = col_text(st, 0);
        row.id = sqlite3_column_int64(st, 1);
        row.epoch = sqlite3_column_int64(st, 2);
        row.seq = sqlite3_column_int64(st, 3);
        for (int i = 0; i < t->ncols; i++) {
            row.v[i].null = sqlite3_column_type(st, 4 + i) == SQLITE_NULL;
            if (t->cols[i].type == HQ_COL_INT)
                row.v[i].i = sqlite3_column_int64(st, 4 + i);
            else
                row.v[i].s = col_text(st, 4 + i);
        }
        if ((stop = fn(ctx, &row)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        stop = fail(q, rc, t->table);
    sqlite3_finalize(st);
    return stop;
}

static int sq_log_page(struct hq_store *s, const char *after_device, long long after_epoch,
                       long long after_seq, int limit, hq_log_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_LOG_PAGE);
    int rc, stop = 0;
    if (!st)
        return HQ_E_IO;
    /* a copy: the caller may reuse its buffer for the next key while we step */
    sqlite3_bind_text(st, 1, after_device ? after_device : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, after_epoch);
    sqlite3_bind_int64(st, 3, after_seq);
    sqlite3_bind_int(st, 4, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hq_held h = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                            col_text(st, 3), sqlite3_column_int(st, 4), col_text(st, 5), 0};
        if ((stop = fn(ctx, col_text(st, 0), &h)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        stop = fail(q, rc, "log");
    sqlite3_reset(st);
    return stop;
}

/* Adapts each_complaint's rows to report rows (the two extra columns). */
struct rpt_ctx {
    sqlite3_stmt *st;
    hq_report_complaint_fn fn;
    void *ctx;
};

static int rpt_one(void *ctx, const struct hq_complaint *c)
{
    struct rpt_ctx *r = ctx;
    struct hq_report_complaint rc = {*c, sqlite3_column_int64(r->st, 16),
                                     sqlite3_column_int64(r->st, 17)};
    return r->fn(r->ctx, &rc);
}

static int sq_report_complaints(struct hq_store *s, const char *device_id, long long from,
                                long long to, hq_report_complaint_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_RPT_CMP);
    struct rpt_ctx r = {st, fn, ctx};
    int rows;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    return each_complaint(q, st, rpt_one, &r, &rows);
}

static int sq_config_get(struct hq_store *s, const char *branch, const char *key, char *out,
                         size_t outlen)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_CFG_GET);
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, branch ? branch : "");
    bind_text(st, 2, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *v = col_text(st, 0);
        rc = v && strlen(v) < outlen ? HQ_OK : HQ_E_INVALID;
        if (rc == HQ_OK)
            memcpy(out, v, strlen(v) + 1);
    } else {
        rc = rc == SQLITE_DONE ? HQ_E_NOTFOUND : fail(q, rc, "config");
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- issue 10: health, settings, audit, personal data, the log's months ---- */

/* A one-off statement (these ops are rare: no slot in the prepared cache). */
static sqlite3_stmt *prep(struct sq_store *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(q, "prepare: %s", sqlite3_errmsg(q->db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Runs a one-off statement to its end and finalizes it. */
static int run_once(struct sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int out = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? HQ_OK : fail(q, rc, what);
    sqlite3_finalize(st);
    return out;
}

static int sq_health_put(struct hq_store *s, const char *device_id, const struct hq_health *h,
                         long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = prep(q,
        "INSERT INTO device_health(device_id, received_at, app_version, printer_known,"
        " printer_online, paper_out, paper_near_end, cover_open, printer_message,"
        " print_failed, backlog, last_error, uptime_s, disk_free_mb)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE"
        " SET received_at = excluded.received_at, app_version = excluded.app_version,"
        " printer_known = excluded.printer_known, printer_online = excluded.printer_online,"
        " paper_out = excluded.paper_out, paper_near_end = excluded.paper_near_end,"
        " cover_open = excluded.cover_open, printer_message = excluded.printer_message,"
        " print_failed = excluded.print_failed, backlog = excluded.backlog,"
        " last_error = excluded.last_error, uptime_s = excluded.uptime_s,"
        " disk_free_mb = excluded.disk_free_mb");
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, device_id);
    sqlite3_bind_int64(st, 2, now);
    bind_text(st, 3, h->app_version ? h->app_version : "");
    sqlite3_bind_int(st, 4, h->printer_known);
    sqlite3_bind_int(st, 5, h->printer_online);
    sqlite3_bind_int(st, 6, h->paper_out);
    sqlite3_bind_int(st, 7, h->paper_near_end);
    sqlite3_bind_int(st, 8, h->cover_open);
    bind_text(st, 9, h->printer_message ? h->printer_message : "");
    sqlite3_bind_int64(st, 10, h->print_failed);
    sqlite3_bind_int64(st, 11, h->backlog);
    bind_text(st, 12, h->last_error ? h->last_error : "");
    sqlite3_bind_int64(st, 13, h->uptime_s);
    sqlite3_bind_int64(st, 14, h->disk_free_mb);
    return run_once(q, st, "health");
}

static int sq_fleet(struct hq_store *s, long long now, hq_fleet_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = prep(q,
        "SELECT d.device_id, d.branch, max(d.last_push, coalesce(h.received_at, 0)),"
        " d.revoked_at, coalesce(h.received_at, 0), h.app_version, h.printer_known,"
        " h.printer_online, h.paper_out, h.paper_near_end, h.cover_open, h.printer_message,"
        " h.print_failed, h.backlog, h.last_error, h.uptime_s, h.disk_free_mb"
        " FROM device d LEFT JOIN device_health h ON h.device_id = d.device_id"
        " ORDER BY d.branch, d.device_id");
    int rc, stop = 0;
    if (!st)
        return HQ_E_IO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hq_fleet_row r;
        memset(&r, 0, sizeof r);
        r.device_id = col_text(st, 0);
        r.branch = col_text(st, 1);
        r.last_contact = sqlite3_column_int64(st, 2);
        r.online = r.last_contact > 0 && now - r.last_contact <= HQ_OFFLINE_AFTER;
        r.revoked_at = sqlite3_column_int64(st, 3);
        r.health_at = sqlite3_column_int64(st, 4);
        r.h.app_version = col_text(st, 5);
        r.h.printer_known = sqlite3_column_int(st, 6);
        r.h.printer_online = sqlite3_column_int(st, 7);
        r.h.paper_out = sqlite3_column_int(st, 8);
        r.h.paper_near_end = sqlite3_column_int(st, 9);
        r.h.cover_open = sqlite3_column_int(st, 10);
        r.h.printer_message = col_text(st, 11);
        r.h.print_failed = sqlite3_column_int64(st, 12);
        r.h.backlog = sqlite3_column_int64(st, 13);
        r.h.last_error = col_text(st, 14);
        r.h.uptime_s = sqlite3_column_int64(st, 15);
        r.h.disk_free_mb = sqlite3_column_int64(st, 16);
        if ((stop = fn(ctx, &r)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        stop = fail(q, rc, "fleet");
    sqlite3_finalize(st);
    return stop;
}

static int sq_setting_get(struct hq_store *s, const char *key, char *out, size_t outlen)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = prep(q, "SELECT value FROM hq_setting WHERE key = ?");
    int rc;
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(out, outlen, "%s", col_text(st, 0));
        rc = HQ_OK;
    } else {
        rc = rc == SQLITE_DONE ? HQ_E_NOTFOUND : fail(q, rc, "setting");
    }
    sqlite3_finalize(st);
    return rc;
}

static int sq_setting_set(struct hq_store *s, const char *key, const char *value, long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = prep(q, "INSERT INTO hq_setting(key, value, updated_at) VALUES (?, ?, ?)"
                               " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                               " updated_at = excluded.updated_at");
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    sqlite3_bind_int64(st, 3, now);
    return run_once(q, st, "setting");
}

static int sq_audit_put(struct hq_store *s, long long at, const char *actor, const char *action,
                        const char *subject, const char *reason, const char *detail)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = prep(q, "INSERT INTO hq_audit(at, actor, action, subject, reason, detail)"
                               " VALUES (?, ?, ?, ?, ?, ?)");
    if (!st)
        return HQ_E_IO;
    sqlite3_bind_int64(st, 1, at);
    bind_text(st, 2, actor);
    bind_text(st, 3, action);
    bind_text(st, 4, subject ? subject : "");
    bind_text(st, 5, reason ? reason : "");
    bind_text(st, 6, detail ? detail : "");
    return run_once(q, st, "audit");
}

/* After a commit that erased personal data: copies the WAL into the file
 * and truncates it, so neither the old page images in the WAL nor the old
 * versions in the file (secure_delete zeroes those) keep the erased bytes.
 * A reader holding an old snapshot makes it incomplete: logged, and the
 * next erasure's commit tries again. */
static void scrub_flush(struct sq_store *q)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    if (rc != SQLITE_OK)
        fprintf(stderr, "frontdesk-hq: checkpoint after erasing personal data: %s\n",
                sqlite3_errmsg(q->db));
}

/* expr on a quarantined row only when it is a JSON object (NULL otherwise):
 * CASE is evaluated in order, AND is not, and json_extract on text that is
 * not JSON is an error. */
#define Q_OBJ(expr) "CASE WHEN json_valid(record) THEN CASE WHEN json_type(record) = 'object'" \
                    " THEN (" expr ") END END"

/* The SQL that finds a type's rows still holding personal data, as
 * schema/sqlite/0003_fleet.sql indexes them: `what` selects the columns. */
static void pii_where(const struct hq_pii_type *t, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "type = '%s' AND (", t->type);
    for (int i = 0; t->fields[i] && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%sjson_extract(record, '$.%s') <> ''",
                              i ? " OR " : "", t->fields[i]);
    if (n < len)
        snprintf(out + n, len - n, ")");
}

/* 1 when the state table exists (0002_state.sql, built by another part). */
static int has_table(struct sq_store *q, const char *name)
{
    return sqlite3_table_column_metadata(q->db, NULL, name, NULL, NULL, NULL, NULL, NULL,
                                         NULL) == SQLITE_OK;
}

struct sq_key {
    char *dev;
    long long epoch, seq;
    char *json;
};

/* Rewrites the selected log (or quarantine) rows of st with hq_pii_scrub.
 * st yields device_id, epoch, seq, record. Adds the rows changed to *n. */
static int scrub_rows(struct sq_store *q, sqlite3_stmt *st, const char *table, const char *type,
                      long long *n)
{
    struct sq_key *keys = NULL;
    size_t nk = 0, cap = 0;
    int rc, out = HQ_OK;
    char sql[160];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int oom = 0;
        char *js = hq_pii_scrub(type, col_text(st, 3), &oom);
        if (oom) {
            set_err(q, "out of memory");
            out = HQ_E_IO;
            break;
        }
        if (!js)
            continue;
        if (nk == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct sq_key *nkeys = realloc(keys, nc * sizeof *keys);
            if (!nkeys) {
                free(js);
                out = HQ_E_IO;
                break;
            }
            keys = nkeys;
            cap = nc;
        }
        keys[nk].dev = strdup(col_text(st, 0));
        keys[nk].epoch = sqlite3_column_int64(st, 1);
        keys[nk].seq = sqlite3_column_int64(st, 2);
        keys[nk].json = js;
        nk++;
    }
    if (out == HQ_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        out = fail(q, rc, "personal data");
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "UPDATE %s SET record = ? WHERE device_id = ? AND epoch = ?"
                              " AND seq = ?", table);
    sqlite3_stmt *up = out == HQ_OK ? prep(q, sql) : NULL;
    if (out == HQ_OK && !up)
        out = HQ_E_IO;
    for (size_t i = 0; i < nk; i++) {
        if (out == HQ_OK) {
            sqlite3_reset(up);
            bind_text(up, 1, keys[i].json);
            bind_text(up, 2, keys[i].dev);
            sqlite3_bind_int64(up, 3, keys[i].epoch);
            sqlite3_bind_int64(up, 4, keys[i].seq);
            rc = sqlite3_step(up);
            if (rc != SQLITE_DONE)
                out = fail(q, rc, "personal data");
            else
                (*n)++;
        }
        free(keys[i].dev);
        free(keys[i].json);
    }
    sqlite3_finalize(up);
    free(keys);
    return out;
}

/* The state tables' personal columns, blanked the way hq_pii_scrub blanks
 * the JSON they come from (a non-empty text becomes '', NULL stays NULL). */
static const struct {
    const char *type, *table, *time_col, *phone_col, *set, *held;
} pii_state[] = {
    {"visitor", "visitor_state", "signed_in_at", "phone",
     "name = '', phone = iif(phone IS NULL, NULL, ''), company = iif(company IS NULL, NULL,"
     " ''), purpose = iif(purpose IS NULL, NULL, '')",
     "(name <> '' OR phone <> '' OR company <> '' OR purpose <> '')"},
};

static int sq_pii_erase(struct hq_store *s, const char *phone, long long before, int limit,
                        struct hq_pii_count *out)
{
    struct sq_store *q = SQ(s);
    int own = !q->in_tx, rc = HQ_OK;
    char sql[1024], where[512];
    memset(out, 0, sizeof *out);
    if (!phone && limit < 1)
        return HQ_E_INVALID;
    if (own && (rc = sq_begin(s)) != HQ_OK)
        return rc;
    for (int i = 0; i < hq_pii_ntypes && rc == HQ_OK; i++) {
        const struct hq_pii_type *t = &hq_pii_types[i];
        static const char *const tables[] = {"record", "quarantine"};
        for (int k = 0; k < 2 && rc == HQ_OK; k++) {
            sqlite3_stmt *st;
            if (phone) {
                snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, record FROM %s WHERE"
                         " type = '%s' AND " Q_OBJ("json_extract(record, '$.%s')") " = ?1",
                         tables[k], t->type, t->phone_field);
                if (k == 0) /* the log: exactly the phone index's expression */
                    snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, record FROM record"
                             " WHERE type = '%s' AND json_extract(record, '$.%s') = ?1",
                             t->type, t->phone_field);
            } else if (k == 0) {
                pii_where(t, where, sizeof where);
                snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, record FROM record"
                         " WHERE json_extract(record, '$.%s') < ?1 AND %s LIMIT ?2",
                         t->time_field, where);
            } else { /* quarantine: few rows, any shape (maybe not JSON at all) */
                char cond[600];
                pii_where(t, where, sizeof where);
                snprintf(cond, sizeof cond, "json_extract(record, '$.%s') < ?1 AND %s",
                         t->time_field, where);
                snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, record FROM quarantine"
                         " WHERE " Q_OBJ("%s") " LIMIT ?2", cond);
            }
            if (!(st = prep(q, sql))) {
                rc = HQ_E_IO;
                break;
            }
            if (phone) {
                bind_text(st, 1, phone);
            } else {
                sqlite3_bind_int64(st, 1, before);
                sqlite3_bind_int(st, 2, limit);
            }
            rc = scrub_rows(q, st, tables[k], t->type, &out->log);
        }
    }
    for (size_t i = 0; i < sizeof pii_state / sizeof pii_state[0] && rc == HQ_OK; i++) {
        sqlite3_stmt *st;
        if (!has_table(q, pii_state[i].table))
            continue;
        if (phone)
            snprintf(sql, sizeof sql, "UPDATE %s SET %s WHERE %s = ?1 AND %s",
                     pii_state[i].table, pii_state[i].set, pii_state[i].phone_col,
                     pii_state[i].held);
        else
            snprintf(sql, sizeof sql, "UPDATE %s SET %s WHERE (device_id, id, %s) IN (SELECT"
                     " device_id, id, %s FROM %s WHERE %s < ?1 AND %s LIMIT ?2)",
                     pii_state[i].table, pii_state[i].set, pii_state[i].time_col,
                     pii_state[i].time_col, pii_state[i].table, pii_state[i].time_col,
                     pii_state[i].held); /* the row's key: device, id, the time */
        if (!(st = prep(q, sql))) {
            rc = HQ_E_IO;
            break;
        }
        if (phone) {
            bind_text(st, 1, phone);
        } else {
            sqlite3_bind_int64(st, 1, before);
            sqlite3_bind_int(st, 2, limit);
        }
        if ((rc = run_once(q, st, "personal data")) == HQ_OK)
            out->state += sqlite3_changes(q->db);
    }
    if (rc == HQ_OK && (out->log || out->state))
        q->scrubbed = 1;
    if (!own)
        return rc;
    if (rc == HQ_OK)
        return sq_commit(s);
    sq_rollback(s);
    return rc;
}

static int sq_pii_find(struct hq_store *s, const char *phone, hq_pii_fn fn, void *ctx)
{
    struct sq_store *q = SQ(s);
    char sql[1024];
    int rc = HQ_OK, stop = 0;
    for (int i = 0; i < hq_pii_ntypes && !stop; i++) {
        const struct hq_pii_type *t = &hq_pii_types[i];
        snprintf(sql, sizeof sql,
                 "SELECT 'record', d.branch, r.device_id, r.epoch, r.seq, r.type, r.record"
                 " FROM record r LEFT JOIN device d ON d.device_id = r.device_id"
                 " WHERE r.type = '%s' AND json_extract(r.record, '$.%s') = ?1"
                 " UNION ALL SELECT 'quarantine', d.branch, r.device_id, r.epoch, r.seq,"
                 " r.type, r.record FROM quarantine r LEFT JOIN device d"
                 " ON d.device_id = r.device_id WHERE r.type = '%s' AND CASE WHEN"
                 " json_valid(r.record) THEN CASE WHEN json_type(r.record) = 'object' THEN"
                 " json_extract(r.record, '$.%s') END END = ?1 ORDER BY 1, 3, 4, 5",
                 t->type, t->phone_field, t->type, t->phone_field);
        sqlite3_stmt *st = prep(q, sql);
        if (!st)
            return HQ_E_IO;
        bind_text(st, 1, phone);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct hq_pii_hit h = {col_text(st, 0), col_text(st, 1), col_text(st, 2),
                                   sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
                                   col_text(st, 5), col_text(st, 6)};
            if ((stop = fn(ctx, &h)) != 0)
                break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            stop = fail(q, rc, "person find");
        sqlite3_finalize(st);
    }
    for (size_t i = 0; i < sizeof pii_state / sizeof pii_state[0] && !stop; i++) {
        if (!has_table(q, pii_state[i].table))
            continue;
        /* the state row as JSON */
        snprintf(sql, sizeof sql,
                 "SELECT d.branch, v.device_id, v.rowid_json FROM (SELECT device_id, %s,"
                 " json_object('id', id, 'name', name, 'phone', phone, 'company', company,"
                 " 'purpose', purpose, 'signed_in_at', signed_in_at, 'signed_out_at',"
                 " signed_out_at, 'badge', badge, 'host', host) AS rowid_json FROM %s) v"
                 " LEFT JOIN device d ON d.device_id = v.device_id WHERE v.%s = ?1",
                 pii_state[i].phone_col, pii_state[i].table, pii_state[i].phone_col);
        sqlite3_stmt *st = prep(q, sql);
        if (!st)
            return HQ_E_IO;
        bind_text(st, 1, phone);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct hq_pii_hit h = {pii_state[i].table, col_text(st, 0), col_text(st, 1), 0, 0,
                                   pii_state[i].type, col_text(st, 2)};
            if ((stop = fn(ctx, &h)) != 0)
                break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            stop = fail(q, rc, "person find");
        sqlite3_finalize(st);
    }
    return stop;
}

static int sq_log_prepare(struct hq_store *s, long long from, long long to)
{
    (void)s;
    (void)from;
    (void)to;
    return HQ_OK; /* one table, no partitions */
}

static int sq_log_archive(struct hq_store *s, long long before, int drop, int *months,
                          long long *rows)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st;
    int own = !q->in_tx, rc;
    *months = 0;
    *rows = 0;
    if (!drop) {
        set_err(q, "on SQLite the log has no partitions to detach: copy the file first"
                   " (a backup), then archive with --drop");
        return HQ_E_INVALID;
    }
    if (own && (rc = sq_begin(s)) != HQ_OK)
        return rc;
    st = prep(q, "SELECT count(DISTINCT strftime('%Y-%m', received_at, 'unixepoch'))"
                 " FROM record WHERE received_at < ?");
    if (!st) {
        rc = HQ_E_IO;
    } else {
        sqlite3_bind_int64(st, 1, before);
        if (sqlite3_step(st) == SQLITE_ROW)
            *months = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        st = prep(q, "DELETE FROM record WHERE received_at < ?");
        rc = st ? HQ_OK : HQ_E_IO;
        if (st) {
            sqlite3_bind_int64(st, 1, before);
            if ((rc = run_once(q, st, "archive")) == HQ_OK)
                *rows = sqlite3_changes(q->db);
        }
    }
    if (!own)
        return rc;
    if (rc == HQ_OK)
        return sq_commit(s);
    sq_rollback(s);
    return rc;
}

/* ---- issue 11: the console's generic statement (hq_store.h, sql) ---- */

#define SQL_COLS_MAX 32 /* result columns the generic op hands out */

static int sq_sql(struct hq_store *s, const char *sql, const struct hq_param *p, int n,
                  hq_row_fn fn, void *ctx, long long *changed)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    const char *col[SQL_COLS_MAX];
    int rc, ncol, stop = 0;

    if (changed)
        *changed = 0;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(q, "prepare: %s", sqlite3_errmsg(q->db));
        return HQ_E_IO;
    }
    /* $1..$n are named parameters to SQLite: bind each by its name. */
    for (int i = 0; i < n; i++) {
        char name[16];
        int at;
        snprintf(name, sizeof name, "$%d", i + 1);
        if ((at = sqlite3_bind_parameter_index(st, name)) == 0)
            continue;
        if (p[i].kind == HQ_P_INT)
            sqlite3_bind_int64(st, at, p[i].i);
        else if (p[i].kind == HQ_P_TEXT && p[i].s)
            sqlite3_bind_text(st, at, p[i].s, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, at);
    }
    ncol = sqlite3_column_count(st);
    if (ncol > SQL_COLS_MAX) {
        sqlite3_finalize(st);
        set_err(q, "sql: more than %d columns", SQL_COLS_MAX);
        return HQ_E_INVALID;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++)
            col[i] = (const char *)sqlite3_column_text(st, i);
        if (fn && (stop = fn(ctx, ncol, col)) != 0)
            break;
    }
    if (stop) {
        sqlite3_finalize(st);
        return stop;
    }
    if (rc != SQLITE_DONE) {
        int ext = sqlite3_extended_errcode(q->db);
        int out = fail(q, rc, "sql");
        sqlite3_finalize(st);
        return ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY
                   ? HQ_E_EXISTS
                   : out;
    }
    if (changed)
        *changed = sqlite3_changes(q->db);
    sqlite3_finalize(st);
    return HQ_OK;
}

static const char *sq_errmsg(struct hq_store *s)
{
    return SQ(s)->err;
}

static int sq_device_reenroll(struct hq_store *s, const char *device_id, const char *branch,
                              const unsigned char pubkey[HQ_PUBKEY_BYTES], long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, "UPDATE device SET branch = ?2, pubkey = ?3,"
                                " enrolled_at = ?4, revoked_at = 0 WHERE device_id = ?1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return fail(q, rc, "device re-enrol");
    bind_text(st, 1, device_id);
    bind_text(st, 2, branch);
    sqlite3_bind_blob(st, 3, pubkey, HQ_PUBKEY_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    rc = run(q, st, "device re-enrol");
    sqlite3_finalize(st);
    if (rc != HQ_OK)
        return rc;
    return sqlite3_changes(q->db) == 1 ? HQ_OK : HQ_E_NOTFOUND;
}

static int sq_change_put(struct hq_store *s, const char *branch, const char *device_id,
                         const char *kind, const char *key, const char *value_json,
                         long long now)
{
    struct sq_store *q = SQ(s);
    sqlite3_stmt *st = stmt(q, Q_CHANGE_INS);
    if (!st)
        return HQ_E_IO;
    bind_text(st, 1, branch ? branch : "");
    bind_text(st, 2, device_id ? device_id : "");
    bind_text(st, 3, kind);
    bind_text(st, 4, key);
    bind_text(st, 5, value_json);
    sqlite3_bind_int64(st, 6, now);
    return run(q, st, "change");
}

const struct hq_store_ops hq_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .begin_read = sq_begin_read,
    .rollback = sq_rollback,
    .token_create = sq_token_create,
    .token_consume = sq_token_consume,
    .device_register = sq_device_register,
    .device_lookup = sq_device_lookup,
    .device_revoke = sq_device_revoke,
    .nonce_put = sq_nonce_put,
    .nonce_prune = sq_nonce_prune,
    .push_apply = sq_push_apply,
    .pull = sq_pull,
    .config_set = sq_config_set,
    .complaint_list = sq_complaint_list,
    .complaint_get = sq_complaint_get,
    .complaint_advance = sq_complaint_advance,
    .records = sq_records,
    .stats = sq_stats,
    .totals = sq_totals,
    .state_put = sq_state_put,
    .state_clear = sq_state_clear,
    .complaint_rebuild = sq_complaint_rebuild,
    .state_each = sq_state_each,
    .log_page = sq_log_page,
    .report_complaints = sq_report_complaints,
    .config_get = sq_config_get,
    .health_put = sq_health_put,
    .fleet = sq_fleet,
    .setting_get = sq_setting_get,
    .setting_set = sq_setting_set,
    .audit_put = sq_audit_put,
    .pii_erase = sq_pii_erase,
    .pii_find = sq_pii_find,
    .log_prepare = sq_log_prepare,
    .log_archive = sq_log_archive,
    .sql = sq_sql,
    .errmsg = sq_errmsg,
    .device_reenroll = sq_device_reenroll,
    .change_put = sq_change_put,
};
