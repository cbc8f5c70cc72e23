/* hq_store_pg.c - the PostgreSQL backend of hq_store.h (libpq), for head
 * offices that outgrow one machine: several stateless frontdesk-hq processes
 * share one database. Transactions run at READ COMMITTED with explicit locks
 * on what a transaction reads to modify: a push locks its device row (FOR
 * UPDATE) before it reads the stream's high, so two servers applying the same
 * device's pushes take turns and never double-apply or skip; pushes of
 * different devices never wait for each other. Lock conflicts that PostgreSQL
 * resolves by aborting (serialization failure, deadlock, lock timeout) come
 * back as HQ_E_BUSY, which the server answers with 503 + Retry-After. Records
 * of a batch go in with COPY (one round trip for the whole batch). The schema
 * files in hq/schema/pg are compiled in and applied in one transaction under
 * an advisory lock, counted in hq_schema_version. */
#include "hq_store.h"
#include "embedded.h"
#include "hq_person.h"
#include "hq_state.h"

#include <assert.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct fd_embedded_file hq_pg_schema[];
extern const int hq_pg_schema_count;

/* Advisory lock keys (any bigint; these spell "fdhqmigr" and "fdhqchng"). */
#define LOCK_MIGRATE 0x666468716d696772LL /* schema migration */
#define LOCK_CHANGE 0x666468716368616eLL  /* change-log writers, held until commit */

#define COPY_CHUNK (64u * 1024u)          /* COPY data is sent in pieces of this size */
#define PIPE_MAX 128                      /* statements in flight before a pipeline sync */
#define COPY_ROW_MAX (32u * 1024u * 1024u) /* one escaped row; a batch body is capped at 16 MiB */

/* Every statement this backend runs, prepared on first use as "q<id>". */
enum {
    Q_TOKEN_INS, Q_TOKEN_USE, Q_DEV_INS, Q_DEV_GET, Q_DEV_REVOKE, Q_NONCE_INS,
    Q_NONCE_PRUNE, Q_DEV_LOCK, Q_ADV_LOCK, Q_STREAM_GET, Q_STREAM_DEV, Q_DEV_PUSHED,
    Q_QUAR_INS, Q_CMP_UPSERT, Q_PULL, Q_CFG_PUT, Q_CHANGE_LOCK, Q_CHANGE_INS, Q_CMP_LIST,
    Q_CMP_GET, Q_CMP_GET_LOCK, Q_CMP_UPD, Q_CMP_EV, Q_CMP_CHANGE, Q_RECORDS, Q_RECORDS_ALL,
    Q_STAT_DEV, Q_STAT_TYPE, Q_TOTALS, Q_LOG_PAGE, Q_RPT_CMP, Q_CFG_GET, Q_NONCE_DEL, Q_HEALTH, Q_COUNT
};

#define CMP_COLS                                                                      \
    "id, device_id, branch, ref, category, description, received_at, feedback_due,"   \
    " state, severity, valid, department, resolution, close_reason, stat_category,"  \
    " updated_at"

static const char *const sql_text[Q_COUNT] = {
    [Q_TOKEN_INS] = "INSERT INTO enroll_token(hash, branch, created_at, expires_at)"
                    " VALUES (decode($1, 'hex'), $2, $3, $4)",
    [Q_TOKEN_USE] = "UPDATE enroll_token SET used_at = $2 WHERE hash = decode($1, 'hex')"
                    " AND used_at IS NULL AND expires_at > $2 RETURNING branch",
    [Q_DEV_INS] = "INSERT INTO device(device_id, branch, pubkey, enrolled_at)"
                  " VALUES ($1, $2, decode($3, 'hex'), $4) ON CONFLICT DO NOTHING",
    [Q_DEV_GET] = "SELECT device_id, branch, encode(pubkey, 'hex'), enrolled_at, revoked_at,"
                  " last_push, backlog FROM device WHERE device_id = $1",
    [Q_DEV_REVOKE] = "UPDATE device SET revoked_at = $2 WHERE device_id = $1",
    [Q_NONCE_INS] = "INSERT INTO nonce(device_id, nonce, ts) VALUES ($1, $2, $3)"
                    " ON CONFLICT DO NOTHING",
    [Q_NONCE_PRUNE] = "DELETE FROM nonce WHERE ts < $1",
    /* The push lock. The stream is read by the next statement, not joined
     * here: at READ COMMITTED a statement that waited for a lock re-checks
     * only the locked row, so a joined stream row could be stale. */
    [Q_DEV_LOCK] = "SELECT 1 FROM device WHERE device_id = $1 FOR UPDATE",
    [Q_ADV_LOCK] = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
    [Q_STREAM_GET] = "SELECT high FROM stream WHERE device_id = $1 AND epoch = $2",
    [Q_STREAM_DEV] = "WITH s AS (INSERT INTO stream(device_id, epoch, high) VALUES ($1, $2, $3)"
                     " ON CONFLICT (device_id, epoch) DO UPDATE SET high = excluded.high)"
                     " UPDATE device SET last_push = $4, backlog = $5 WHERE device_id = $1",
    [Q_DEV_PUSHED] = "UPDATE device SET last_push = $2, backlog = $3 WHERE device_id = $1",
    [Q_QUAR_INS] = "INSERT INTO quarantine(device_id, epoch, seq, type, schema_version,"
                   " record, reason, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    [Q_CMP_UPSERT] =
        "INSERT INTO complaint(device_id, branch, ref, category, description, received_at,"
        " feedback_due, state, severity, valid, department, resolution, close_reason,"
        " stat_category, updated_at)"
        " VALUES ($1, (SELECT branch FROM device WHERE device_id = $1), $2, $3, $4, $5, $6,"
        " $7, $8, $9, $10, $11, $12, $13, $14)"
        " ON CONFLICT (device_id, ref) DO UPDATE SET category = excluded.category,"
        " description = excluded.description, received_at = excluded.received_at,"
        " feedback_due = excluded.feedback_due"
        /* newest (epoch, seq) wins: not when the log holds a newer version
         * (the batch's own later rows are in it already: COPY came first) */
        " WHERE NOT EXISTS (SELECT 1 FROM record r WHERE r.device_id = $1"
        " AND (r.epoch, r.seq) > ($15::bigint, $16::bigint) AND r.type = 'complaint'"
        " AND r.record::json->>'ref' = $2)",
    [Q_PULL] = "SELECT id, kind, key, value FROM change WHERE id > $1"
               " AND (branch = '' OR branch = (SELECT branch FROM device WHERE device_id = $2))"
               " AND (device_id = '' OR device_id = $2) ORDER BY id LIMIT $3",
    [Q_CFG_PUT] = "INSERT INTO config(branch, key, value, updated_at) VALUES ($1, $2, $3, $4)"
                  " ON CONFLICT (branch, key) DO UPDATE SET value = excluded.value,"
                  " updated_at = excluded.updated_at",
    [Q_CHANGE_LOCK] = "SELECT pg_advisory_xact_lock($1)",
    [Q_CHANGE_INS] = "INSERT INTO change(branch, device_id, kind, key, value, at)"
                     " VALUES ($1, $2, $3, $4, $5, $6)",
    [Q_CMP_LIST] = "SELECT " CMP_COLS " FROM complaint"
                   " WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR branch = $2)"
                   " ORDER BY id DESC LIMIT $3",
    [Q_CMP_GET] = "SELECT " CMP_COLS " FROM complaint WHERE id = $1",
    /* Inside a caller's transaction a get is a read-to-modify (hq_complaint.c
     * checks the workflow on what it read): lock the row. */
    [Q_CMP_GET_LOCK] = "SELECT " CMP_COLS " FROM complaint WHERE id = $1 FOR UPDATE",
    [Q_CMP_UPD] = "UPDATE complaint SET state = $2, severity = $3, valid = $4,"
                  " department = $5, resolution = $6, close_reason = $7,"
                  " stat_category = $8, updated_at = $9 WHERE id = $1",
    [Q_CMP_EV] = "INSERT INTO complaint_event(complaint_id, at, from_state, to_state, actor,"
                 " note) VALUES ($1, $2, $3, $4, $5, $6)",
    [Q_CMP_CHANGE] =
        "INSERT INTO change(branch, device_id, kind, key, value, at)"
        /* Kiosks know six states: see hq_store_sqlite.c's Q_CMP_CHANGE. */
        " SELECT branch, device_id, 'complaint', ref, json_build_object('state',"
        " CASE state WHEN 'followed_up' THEN 'resolved' ELSE state END, 'step', state,"
        " 'severity', severity, 'valid', valid, 'department', department,"
        " 'resolution', resolution, 'close_reason', close_reason,"
        " 'stat_category', stat_category, 'satisfaction', satisfaction,"
        " 'updated_at', updated_at, 'from', $2::text,"
        " 'actor', $3::text, 'note', $4::text)::text, $5 FROM complaint WHERE id = $1",
    [Q_RECORDS] = "SELECT epoch, seq, type, schema_version, record, 0 FROM record"
                  " WHERE device_id = $1 AND epoch = $2 AND seq > $3"
                  " UNION ALL SELECT epoch, seq, type, schema_version, record, 1"
                  " FROM quarantine WHERE device_id = $1 AND epoch = $2 AND seq > $3"
                  " ORDER BY 1, 2 LIMIT $4",
    [Q_RECORDS_ALL] = "SELECT epoch, seq, type, schema_version, record, 0 FROM record"
                      " WHERE device_id = $1 AND seq > $2"
                      " UNION ALL SELECT epoch, seq, type, schema_version, record, 1"
                      " FROM quarantine WHERE device_id = $1 AND seq > $2"
                      " ORDER BY 1, 2 LIMIT $3",
    [Q_STAT_DEV] = "SELECT d.branch, d.device_id, d.last_push, d.backlog,"
                   " (SELECT count(*) FROM quarantine q WHERE q.device_id = d.device_id),"
                   " d.revoked_at FROM device d ORDER BY d.branch, d.device_id",
    [Q_STAT_TYPE] = NULL, /* hq_state_sql_stat_types() */
    [Q_TOTALS] = "SELECT (SELECT count(*) FROM device), (SELECT count(*) FROM record),"
                 " (SELECT count(*) FROM quarantine),"
                 " (SELECT count(*) FROM complaint WHERE state <> 'closed')",
    [Q_LOG_PAGE] = "SELECT device_id, epoch, seq, type, schema_version, record FROM record"
                   " WHERE (device_id, epoch, seq) > ($1, $2, $3)"
                   " ORDER BY device_id, epoch, seq LIMIT $4",
    [Q_RPT_CMP] = "SELECT c.id, c.device_id, c.branch, c.ref, c.category, c.description,"
                  " c.received_at, c.feedback_due, c.state, c.severity, c.valid, c.department,"
                  " c.resolution, c.close_reason, c.stat_category, c.updated_at,"
                  " (SELECT min(e.at) FROM complaint_event e WHERE e.complaint_id = c.id),"
                  " (SELECT min(e.at) FROM complaint_event e WHERE e.complaint_id = c.id"
                  "   AND e.to_state = 'closed')"
                  " FROM complaint c WHERE c.device_id = $1 AND c.received_at >= $2"
                  " AND c.received_at < $3 ORDER BY c.received_at, c.id",
    [Q_CFG_GET] = "SELECT value FROM config WHERE branch = $1 AND key = $2",
    [Q_NONCE_DEL] = "DELETE FROM nonce WHERE device_id = $1 AND nonce = $2",
    /* The health upsert (health_put; the group commit sends it pipelined). */
    [Q_HEALTH] =
        "INSERT INTO device_health(device_id, received_at, app_version, printer_known,"
        " printer_online, paper_out, paper_near_end, cover_open, printer_message,"
        " print_failed, backlog, last_error, uptime_s, disk_free_mb)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        " ON CONFLICT (device_id) DO UPDATE SET received_at = excluded.received_at,"
        " app_version = excluded.app_version, printer_known = excluded.printer_known,"
        " printer_online = excluded.printer_online, paper_out = excluded.paper_out,"
        " paper_near_end = excluded.paper_near_end, cover_open = excluded.cover_open,"
        " printer_message = excluded.printer_message, print_failed = excluded.print_failed,"
        " backlog = excluded.backlog, last_error = excluded.last_error,"
        " uptime_s = excluded.uptime_s, disk_free_mb = excluded.disk_free_mb",
};

#define STATE_MAX 16 /* state tables: upserts prepared as "s<index>" */

struct gc_queue;

struct pg_store {
    struct hq_store base;      /* must be first: the vtable */
    PGconn *conn;
    unsigned char prepared[Q_COUNT]; /* 1 once "q<id>" exists on this connection */
    unsigned char sprepared[STATE_MAX]; /* 1 once "s<index>" exists (state upserts) */
    int in_tx;                 /* inside the caller's begin .. commit/rollback */
    int pipe_sent;             /* statements sent in pipeline mode, results not read */
    long long month_lo, month_hi; /* a month of the log known to have its partition */
    struct gc_queue *gq;       /* pushes waiting to share a commit (NULL: each alone) */
    char err[512];             /* last error text */
};

#define PG(s) ((struct pg_store *)(s))

/* Parameters of one statement, as text (libpq's text format). */
#define PA_MAX 24
struct pa {
    const char *v[PA_MAX];
    char num[PA_MAX][24];      /* storage for integers */
    int n;
};

static void pa_txt(struct pa *a, const char *s)
{
    assert(a->n < PA_MAX);
    a->v[a->n++] = s;
}

static void pa_int(struct pa *a, long long x)
{
    assert(a->n < PA_MAX);
    snprintf(a->num[a->n], sizeof a->num[0], "%lld", x);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

static void set_err(struct pg_store *p, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    n = strlen(p->err);
    while (n > 0 && (p->err[n - 1] == '\n' || p->err[n - 1] == ' '))
        p->err[--n] = '\0';
}

/* Maps a failed result (which it clears) to hq_store_rc, keeping the message:
 * serialization failure, deadlock and lock timeout are HQ_E_BUSY (retry). */
static int fail(struct pg_store *p, PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    int busy = state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                         strcmp(state, "55P03") == 0);
    if (!msg || !*msg)
        msg = PQerrorMessage(p->conn);
    set_err(p, "%s: %s%s%s", what, msg, state ? " SQLSTATE " : "", state ? state : "");
    PQclear(r);
    return busy ? HQ_E_BUSY : HQ_E_IO;
}

static long long col_ll(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static const char *col_txt(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* libpq prints server notices ("relation already exists, skipping") to
 * stderr by default; head office has nothing to learn from them. */
static void on_notice(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

/* Runs a simple command (no parameters); HQ_OK or an error. */
static int exec(struct pg_store *p, const char *sql)
{
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return fail(p, r, sql);
    PQclear(r);
    return HQ_OK;
}

/* Session settings: a push waiting for another server's lock on the same
 * device gives up after 10 s (HQ_E_BUSY: 503), and a transaction left open by
 * a hung server is ended after a minute, releasing its locks. */
static int session_setup(struct pg_store *p)
{
    PQsetNoticeProcessor(p->conn, on_notice, NULL);
    if (PQsetClientEncoding(p->conn, "UTF8") != 0) {
        set_err(p, "client encoding: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    memset(p->prepared, 0, sizeof p->prepared);
    memset(p->sprepared, 0, sizeof p->sprepared);
    return exec(p, "SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s'");
}

/* Before an op outside a transaction: reconnects a connection that broke
 * (PostgreSQL restarted, idle timeout). A server that ended an idle session
 * has already said so (a FATAL message) and closed the socket; reading that
 * without blocking (the message, then the end of the stream: two reads) marks
 * the connection bad, so the op goes to a new connection instead of failing
 * on the dead one. Nothing is ever retried after it was sent. */
static int ensure_conn(struct pg_store *p)
{
    for (int i = 0; i < 2 && PQstatus(p->conn) == CONNECTION_OK; i++)
        if (!PQconsumeInput(p->conn))
            break;
    if (PQstatus(p->conn) == CONNECTION_OK)
        return HQ_OK;
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        set_err(p, "reconnect: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    if (PQpipelineStatus(p->conn) != PQ_PIPELINE_OFF) /* a pipeline the old session lost */
        PQexitPipelineMode(p->conn);
    p->pipe_sent = 0;
    return session_setup(p);
}

static int prepare(struct pg_store *p, int id, const char *what);

/* Runs prepared statement id with a's parameters. Returns the result (the
 * caller clears it) with *rc = HQ_OK, or NULL with *rc set and err filled. */
static PGresult *run(struct pg_store *p, int id, const struct pa *a, const char *what, int *rc)
{
    char name[16];
    PGresult *r;
    ExecStatusType st;

    snprintf(name, sizeof name, "q%d", id);
    if ((*rc = prepare(p, id, what)) != HQ_OK)
        return NULL;
    r = PQexecPrepared(p->conn, name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0);
    st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *rc = fail(p, r, what);
        return NULL;
    }
    *rc = HQ_OK;
    return r;
}

/* Makes sure statement id is prepared on this connection (a pipeline sends
 * only executions, so their statements are prepared before it starts). */
static int prepare(struct pg_store *p, int id, const char *what)
{
    char name[16];
    PGresult *r;
    char gen[4096];
    const char *sql = sql_text[id];
    if (p->prepared[id])
        return HQ_OK;
    if (id == Q_STAT_TYPE) {
        if (hq_state_sql_stat_types(gen, sizeof gen) != 0) {
            set_err(p, "%s: statement too long", what);
            return HQ_E_IO;
        }
        sql = gen;
    }
    snprintf(name, sizeof name, "q%d", id);
    r = PQprepare(p->conn, name, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return fail(p, r, what);
    PQclear(r);
    p->prepared[id] = 1;
    return HQ_OK;
}

/* Pipeline mode (libpq >= 14): statements go out without waiting for each
 * answer, so a batch's per-row statements cost one round trip, not one each.
 * pipe_sync reads every answer up to the sync point and keeps the first
 * error (later statements then come back PIPELINE_ABORTED). At most PIPE_MAX
 * statements are in flight, so neither side's socket buffer can fill up
 * while the other waits (a blocking connection would deadlock). */
static int pipe_sync(struct pg_store *p)
{
    int rc = HQ_OK, nulls = 0;
    if (PQpipelineSync(p->conn) != 1) {
        set_err(p, "pipeline sync: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    for (;;) {
        PGresult *r = PQgetResult(p->conn);
        if (!r) { /* the end of one statement's results */
            if (PQstatus(p->conn) != CONNECTION_OK || ++nulls > p->pipe_sent + 1) {
                set_err(p, "pipeline: %s", PQerrorMessage(p->conn));
                rc = HQ_E_IO;
                break;
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_FATAL_ERROR && rc == HQ_OK)
            rc = fail(p, r, "pipeline"); /* clears r */
        else
            PQclear(r);
    }
    p->pipe_sent = 0;
    return rc;
}

static int pipe_begin(struct pg_store *p)
{
    p->pipe_sent = 0;
    if (PQenterPipelineMode(p->conn) != 1) {
        set_err(p, "pipeline: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    return HQ_OK;
}

/* Sends the prepared statement called name with a's parameters. */
static int pipe_send_named(struct pg_store *p, const char *name, const struct pa *a)
{
    if (PQsendQueryPrepared(p->conn, name, a->n, a->v, NULL, NULL, 0) != 1) {
        set_err(p, "pipeline send: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    if (++p->pipe_sent >= PIPE_MAX)
        return pipe_sync(p);
    return HQ_OK;
}

/* Sends prepared statement id (see prepare) with a's parameters. */
static int pipe_send(struct pg_store *p, int id, const struct pa *a)
{
    char name[16];
    snprintf(name, sizeof name, "q%d", id);
    return pipe_send_named(p, name, a);
}

/* The set-based upsert of state table t into out: one statement per batch
 * and table. Parameter k+1 is an array (text literal) of column k of the
 * rows, in the order device_id, id, epoch, seq, t->cols. Of several rows for
 * one key (device, id, ident) only the newest (epoch, seq) is offered (the
 * first of equals, as row by row would keep), and it replaces the held row
 * only when newer: the semantics of hq_state_sql_upsert, row by row.
 * MERGE, not INSERT ... ON CONFLICT: a new key is a plain insert (ON
 * CONFLICT's speculative insertion costs a second index probe and a third
 * WAL record per row: 35 % of the statement on a fleet's pushes). MERGE does
 * not wait out a concurrent insert of the same key the way ON CONFLICT does,
 * and need not: a device's state rows are written only under its push lock
 * (a push), or with the tables truncated in the same transaction (rebuild). */
static int state_set_sql(const struct hq_state_table *t, char *out, size_t len)
{
    size_t n = 0;
    int k;
#define PUT(...)                                                              \
    do {                                                                      \
        k = snprintf(out + n, len - n, __VA_ARGS__);                          \
        if (k < 0 || (size_t)k >= len - n)                                    \
            return -1;                                                        \
        n += (size_t)k;                                                       \
    } while (0)
    PUT("MERGE INTO %s AS t USING (SELECT DISTINCT ON (u.device_id, u.id, u.%s) u.*"
        " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]", t->table, t->ident);
    for (int i = 0; i < t->ncols; i++)
        PUT(", $%d::%s[]", i + 5, t->cols[i].type == HQ_COL_INT ? "bigint" : "text");
    PUT(") WITH ORDINALITY AS u(device_id, id, epoch, seq");
    for (int i = 0; i < t->ncols; i++)
        PUT(", %s", t->cols[i].name);
    PUT(", ord) ORDER BY u.device_id, u.id, u.%s, u.epoch DESC, u.seq DESC, u.ord) AS u"
        " ON t.device_id = u.device_id AND t.id = u.id AND t.%s = u.%s", t->ident, t->ident,
        t->ident);
    PUT(" WHEN MATCHED AND (u.epoch, u.seq) > (t.epoch, t.seq) THEN UPDATE SET"
        " epoch = u.epoch, seq = u.seq");
    for (int i = 0; i < t->ncols; i++)
        PUT(", %s = u.%s", t->cols[i].name, t->cols[i].name);
    PUT(" WHEN NOT MATCHED THEN INSERT (device_id, id, epoch, seq");
    for (int i = 0; i < t->ncols; i++)
        PUT(", %s", t->cols[i].name);
    PUT(") VALUES (u.device_id, u.id, u.epoch, u.seq");
    for (int i = 0; i < t->ncols; i++)
        PUT(", u.%s", t->cols[i].name);
    PUT(")");
#undef PUT
    return 0;
}

/* Prepares every state table's set-based upsert ("s<index>", state_set_sql). */
static int prepare_state(struct pg_store *p)
{
    for (int i = 0; i < hq_state_ntables && i < STATE_MAX; i++) {
        char name[16], sql[8192];
        PGresult *r;
        if (p->sprepared[i])
            continue;
        if (state_set_sql(&hq_state_tables[i], sql, sizeof sql) != 0) {
            set_err(p, "state: statement too long");
            return HQ_E_IO;
        }
        snprintf(name, sizeof name, "s%d", i);
        r = PQprepare(p->conn, name, sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return fail(p, r, hq_state_tables[i].table);
        PQclear(r);
        p->sprepared[i] = 1;
    }
    return HQ_OK;
}

/* A growing buffer: COPY text for the log (flushed to the server in
 * COPY_CHUNK pieces) and the array literals of the state upserts. */
struct copybuf {
    char *d;
    size_t len, cap;
};

/* Makes room for `more` bytes after len; -1 when out of memory or when one
 * piece is over COPY_ROW_MAX (a record is capped well below it). */
static int cb_reserve(struct copybuf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    if (more > COPY_ROW_MAX)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    char *d = realloc(b->d, cap);
    if (!d)
        return -1;
    b->d = d;
    b->cap = cap;
    return 0;
}

/* Appends one element to array literal b: NULL as NULL, s double-quoted
 * with '"' and '\' escaped (so any text, empty or not, comes back as is). */
static int sb_elem(struct copybuf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    /* "," and either NULL or a quoted, escaped copy (at most 2n + 5 bytes),
     * then the NUL */
    if (cb_reserve(b, 2 * n + 6) != 0)
        return -1;
    if (b->len > 0)
        b->d[b->len++] = ',';
    if (!s) {
        memcpy(b->d + b->len, "NULL", 4);
        b->len += 4;
    } else {
        b->d[b->len++] = '"';
        for (; *s; s++) {
            if (*s == '"' || *s == '\\')
                b->d[b->len++] = '\\';
            b->d[b->len++] = *s;
        }
        b->d[b->len++] = '"';
    }
    b->d[b->len] = '\0';
    return 0;
}

static int sb_int(struct copybuf *b, long long x)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", x);
    return sb_elem(b, num);
}

/* Sends (pipelined) the upsert of rows[0..n) that belong to table ti, in one
 * statement (nothing when none does); newer (epoch, seq) wins. The rows
 * given as pointers (rowp) or as an array (rows). */
static int pipe_state_table(struct pg_store *p, int ti, const struct hq_state_row *rows,
                            const struct hq_state_row *const *rowp, size_t n)
{
    const struct hq_state_table *t = &hq_state_tables[ti];
    struct copybuf col[HQ_STATE_COLS_MAX + 4] = {{0}};
    const char *v[HQ_STATE_COLS_MAX + 4];
    int ncol = t->ncols + 4, rc = HQ_OK, err = 0;
    size_t taken = 0;
    char name[16];

    assert(ti >= 0 && ti < hq_state_ntables && ti < STATE_MAX);
    assert(t->ncols <= HQ_STATE_COLS_MAX);
    for (size_t r = 0; r < n && !err; r++) {
        const struct hq_state_row *row = rowp ? rowp[r] : &rows[r];
        if (!row || row->t != t)
            continue;
        taken++;
        err |= sb_elem(&col[0], row->device_id ? row->device_id : "");
        err |= sb_int(&col[1], row->id);
        err |= sb_int(&col[2], row->epoch);
        err |= sb_int(&col[3], row->seq);
        for (int i = 0; i < t->ncols; i++) {
            const struct hq_state_val *x = &row->v[i];
            if (x->null)
                err |= sb_elem(&col[i + 4], NULL);
            else if (t->cols[i].type == HQ_COL_INT)
                err |= sb_int(&col[i + 4], x->i);
            else
                err |= sb_elem(&col[i + 4], x->s ? x->s : "");
        }
    }
    if (err) {
        set_err(p, "state: out of memory");
        rc = HQ_E_IO;
    } else if (taken > 0) {
        for (int i = 0; i < ncol; i++) {
            /* "{" + elements + "}" in place: shift right by one */
            if (cb_reserve(&col[i], 3) != 0) {
                set_err(p, "state: out of memory");
                rc = HQ_E_IO;
                break;
            }
            memmove(col[i].d + 1, col[i].d, col[i].len);
            col[i].d[0] = '{';
            col[i].d[col[i].len + 1] = '}';
            col[i].d[col[i].len + 2] = '\0';
            col[i].len += 2;
            v[i] = col[i].d;
        }
        if (rc == HQ_OK) {
            snprintf(name, sizeof name, "s%d", ti);
            if (PQsendQueryPrepared(p->conn, name, ncol, v, NULL, NULL, 0) != 1) {
                set_err(p, "pipeline send: %s", PQerrorMessage(p->conn));
                rc = HQ_E_IO;
            } else if (++p->pipe_sent >= PIPE_MAX) {
                rc = pipe_sync(p);
            }
        }
    }
    for (int i = 0; i < ncol; i++)
        free(col[i].d);
    return rc;
}

static int pipe_send_sql(struct pg_store *p, const char *sql, const struct pa *a);

/* Sends (pipelined) the upserts of n state rows: one statement per table.
 * Each joins a batch's few rows to a table of millions by its key, which is
 * an index lookup per row; but the planner, judging by statistics that lag
 * behind tables every push grows (or that were taken when they were small,
 * or before rebuild's TRUNCATE), may hash the batch and read the whole table
 * instead: on 10 branches x 31 days that doubled PostgreSQL's CPU per pushed
 * version (bench_hq_fleet: 51.7 ms per 1,000 with hash and merge joins
 * allowed, 29.9 without). So these statements run with both off, set for
 * the transaction just before and put back just after, in the same
 * pipeline (an aborted transaction puts them back by itself). */
static int pipe_states(struct pg_store *p, const struct hq_state_row *rows,
                       const struct hq_state_row *const *rowp, size_t n)
{
    int rc = HQ_OK;
    if (n == 0)
        return HQ_OK;
    rc = pipe_send_sql(p, "SELECT set_config('enable_hashjoin', 'off', true),"
                          " set_config('enable_mergejoin', 'off', true)", NULL);
    for (int ti = 0; ti < hq_state_ntables && rc == HQ_OK; ti++)
        rc = pipe_state_table(p, ti, rows, rowp, n);
    if (rc == HQ_OK)
        rc = pipe_send_sql(p, "SELECT set_config(name, reset_val, true) FROM pg_settings"
                              " WHERE name IN ('enable_hashjoin', 'enable_mergejoin')", NULL);
    return rc;
}

/* Reads what is still in flight and leaves pipeline mode; returns rc, or the
 * pipeline's first error when rc is HQ_OK. */
static int pipe_end(struct pg_store *p, int rc)
{
    int rs = HQ_OK;
    if (p->pipe_sent > 0 && PQstatus(p->conn) == CONNECTION_OK)
        rs = pipe_sync(p);
    if (PQexitPipelineMode(p->conn) != 1 && rs == HQ_OK) {
        set_err(p, "pipeline end: %s", PQerrorMessage(p->conn));
        rs = HQ_E_IO;
    }
    return rc != HQ_OK ? rc : rs;
}

/* Runs a statement whose rows do not matter; rows changed into *changed. */
static int run_cmd(struct pg_store *p, int id, const struct pa *a, const char *what,
                   long long *changed)
{
    int rc;
    PGresult *r = run(p, id, a, what, &rc);
    if (!r)
        return rc;
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return HQ_OK;
}

/* An op that must be atomic opens its own transaction when the caller has
 * none (*own = 1), and op_end commits or rolls back only that one. Inside the
 * caller's transaction a lost connection is never replaced: its statements
 * fail and the caller rolls back. */
static int op_begin(struct pg_store *p, int *own)
{
    int rc;
    *own = 0;
    if (p->in_tx)
        return HQ_OK;
    if ((rc = ensure_conn(p)) != HQ_OK || (rc = exec(p, "BEGIN")) != HQ_OK)
        return rc;
    *own = 1;
    return HQ_OK;
}

static int commit(struct pg_store *p)
{
    PGresult *r = PQexec(p->conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return fail(p, r, "commit");
    /* COMMIT of a transaction an error aborted answers "ROLLBACK". */
    if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        set_err(p, "commit: the transaction had failed and was rolled back");
        PQclear(r);
        return HQ_E_IO;
    }
    PQclear(r);
    return HQ_OK;
}

static int rollback(struct pg_store *p)
{
    PGTransactionStatusType t = PQtransactionStatus(p->conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) {
        char keep[sizeof p->err];
        memcpy(keep, p->err, sizeof keep); /* keep the reason, not "ROLLBACK failed" */
        int rc = exec(p, "ROLLBACK");
        memcpy(p->err, keep, sizeof keep);
        return rc;
    }
    return HQ_OK;
}

static int op_end(struct pg_store *p, int own, int rc)
{
    if (!own)
        return rc;
    if (rc == HQ_OK)
        return commit(p);
    rollback(p);
    return rc;
}

/* A single statement outside a transaction is its own; only reconnect. */
static int op_alone(struct pg_store *p)
{
    return p->in_tx ? HQ_OK : ensure_conn(p);
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int unhex(const char *in, unsigned char *out, size_t n)
{
    if (!in || strlen(in) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = in[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* Applies the schema files not applied yet, all in one transaction. The
 * advisory lock makes servers that start together take turns; a database
 * from a newer build (more files applied than this build knows) is refused. */
static int migrate(struct pg_store *p)
{
    PGresult *r;
    long long version = -1;
    char sql[200];
    int rc;

    /* Fast path, without locks: already up to date (every open after the first). */
    r = PQexec(p->conn, "SELECT to_regclass('hq_schema_version') IS NOT NULL");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
        PQclear(r);
        r = PQexec(p->conn, "SELECT coalesce(max(version), 0) FROM hq_schema_version");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && col_ll(r, 0, 0) == hq_pg_schema_count) {
            PQclear(r);
            return HQ_OK;
        }
    }
    PQclear(r);
    if ((rc = exec(p, "BEGIN")) != HQ_OK)
        return rc;
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%lld)", LOCK_MIGRATE);
    if ((rc = exec(p, sql)) != HQ_OK ||
        (rc = exec(p, "CREATE TABLE IF NOT EXISTS hq_schema_version (version integer PRIMARY"
                      " KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT"
                      " now())")) != HQ_OK)
        goto out;
    r = PQexec(p->conn, "SELECT coalesce(max(version), 0) FROM hq_schema_version");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail(p, r, "schema version");
        goto out;
    }
    version = col_ll(r, 0, 0);
    PQclear(r);
    if (version < 0 || version > hq_pg_schema_count) {
        set_err(p, "unexpected schema version %lld (this build knows %d)", version,
                hq_pg_schema_count);
        rc = HQ_E_IO;
        goto out;
    }
    for (int i = (int)version; i < hq_pg_schema_count; i++) {
        const char *vals[2];
        char num[16];
        if ((rc = exec(p, hq_pg_schema[i].data)) != HQ_OK)
            goto out;
        snprintf(num, sizeof num, "%d", i + 1);
        vals[0] = num;
        vals[1] = hq_pg_schema[i].name;
        r = PQexecParams(p->conn, "INSERT INTO hq_schema_version(version, name) VALUES ($1, $2)",
                         2, NULL, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = fail(p, r, "schema version");
            goto out;
        }
        PQclear(r);
    }
    rc = commit(p);
out:
    if (rc != HQ_OK)
        rollback(p);
    return rc;
}

static void gc_put(struct gc_queue *q);
static struct gc_queue *gc_get(const char *dsn);

static void pg_close(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    if (!p)
        return;
    gc_put(p->gq);
    PQfinish(p->conn);
    free(p);
}

static int pg_open(const char *dsn, struct hq_store **out, char *err, size_t errlen)
{
    struct pg_store *p = calloc(1, sizeof *p);
    int rc;

    *out = NULL;
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return HQ_E_IO;
    }
    p->base.ops = &hq_store_pg_ops;
    /* Defaults the URI may override (later keywords win; the URI is expanded
     * where dbname stands): never wait forever for an unreachable server
     * (reconnects reuse these), and name the sessions in pg_stat_activity. */
    {
        static const char *const keys[] = {"connect_timeout", "application_name", "dbname",
                                           NULL};
        const char *vals[] = {"10", "frontdesk-hq", dsn, NULL};
        p->conn = PQconnectdbParams(keys, vals, 1);
    }
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        /* the message, never the DSN: it may carry a password */
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
                 p->conn ? PQerrorMessage(p->conn) : "out of memory");
        err[strcspn(err, "\n")] = '\0';
        pg_close(&p->base);
        return HQ_E_IO;
    }
    if ((rc = session_setup(p)) != HQ_OK || (rc = migrate(p)) != HQ_OK) {
        snprintf(err, errlen, "PostgreSQL: %s", p->err);
        pg_close(&p->base);
        return rc;
    }
    p->gq = gc_get(dsn);
    *out = &p->base;
    return HQ_OK;
}

static int pg_begin(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    int rc;
    if (p->in_tx) {
        set_err(p, "begin: a transaction is already open on this handle");
        return HQ_E_INVALID;
    }
    if ((rc = ensure_conn(p)) != HQ_OK ||
        (rc = exec(p, "BEGIN ISOLATION LEVEL READ COMMITTED")) != HQ_OK)
        return rc;
    p->in_tx = 1;
    return HQ_OK;
}

static int pg_begin_read(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    int rc;
    if (p->in_tx) {
        set_err(p, "begin: a transaction is already open on this handle");
        return HQ_E_INVALID;
    }
    if ((rc = ensure_conn(p)) != HQ_OK ||
        (rc = exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) != HQ_OK)
        return rc;
    p->in_tx = 1;
    return HQ_OK;
}

static int pg_commit(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    int rc;
    if (!p->in_tx) {
        set_err(p, "commit: no transaction open");
        return HQ_E_INVALID;
    }
    rc = commit(p);
    p->in_tx = 0;
    if (rc != HQ_OK)
        rollback(p);
    return rc;
}

static int pg_rollback(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    p->in_tx = 0;
    return rollback(p);
}

static int pg_token_create(struct hq_store *s, const unsigned char hash[HQ_HASH_BYTES],
                           const char *branch, long long now, long long expires_at)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    char h[2 * HQ_HASH_BYTES + 1];
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    hex(hash, HQ_HASH_BYTES, h);
    pa_txt(&a, h);
    pa_txt(&a, branch);
    pa_int(&a, now);
    pa_int(&a, expires_at);
    return run_cmd(p, Q_TOKEN_INS, &a, "token create", NULL);
}

static int pg_token_consume(struct hq_store *s, const unsigned char hash[HQ_HASH_BYTES],
                            long long now, char branch[HQ_BRANCH_MAX + 1])
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    char h[2 * HQ_HASH_BYTES + 1];
    PGresult *r;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    hex(hash, HQ_HASH_BYTES, h);
    pa_txt(&a, h);
    pa_int(&a, now);
    /* one UPDATE: a token two servers race for is used by exactly one */
    if (!(r = run(p, Q_TOKEN_USE, &a, "token consume", &rc)))
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return HQ_E_NOTFOUND;
    }
    snprintf(branch, HQ_BRANCH_MAX + 1, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return HQ_OK;
}

static int device_put(struct hq_store *s, int reenroll, const char *device_id,
                      const char *branch, const unsigned char pubkey[HQ_PUBKEY_BYTES],
                      long long now);

static int pg_device_register(struct hq_store *s, const char *device_id, const char *branch,
                              const unsigned char pubkey[HQ_PUBKEY_BYTES], long long now)
{
    return device_put(s, 0, device_id, branch, pubkey, now);
}

static int pg_device_lookup(struct hq_store *s, const char *device_id, struct hq_device *out)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, device_id);
    if (!(r = run(p, Q_DEV_GET, &a, "device lookup", &rc)))
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return HQ_E_NOTFOUND;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->device_id, sizeof out->device_id, "%s", PQgetvalue(r, 0, 0));
    snprintf(out->branch, sizeof out->branch, "%s", PQgetvalue(r, 0, 1));
    if (unhex(PQgetvalue(r, 0, 2), out->pubkey, HQ_PUBKEY_BYTES) != 0)
        memset(out->pubkey, 0, sizeof out->pubkey); /* verifies nothing */
    out->enrolled_at = col_ll(r, 0, 3);
    out->revoked_at = col_ll(r, 0, 4);
    out->last_push = col_ll(r, 0, 5);
    out->backlog = col_ll(r, 0, 6);
    PQclear(r);
    return HQ_OK;
}

static int pg_device_revoke(struct hq_store *s, const char *device_id, long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    long long n = 0;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, device_id);
    pa_int(&a, now);
    if ((rc = run_cmd(p, Q_DEV_REVOKE, &a, "device revoke", &n)) != HQ_OK)
        return rc;
    return n == 1 ? HQ_OK : HQ_E_NOTFOUND;
}

static int pg_nonce_put(struct hq_store *s, const char *device_id, const char *nonce,
                        long long ts)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    long long n = 0;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, device_id);
    pa_txt(&a, nonce);
    pa_int(&a, ts);
    /* a nonce another server is inserting right now: waits for it, then 0 rows */
    if ((rc = run_cmd(p, Q_NONCE_INS, &a, "nonce", &n)) != HQ_OK)
        return rc;
    return n == 1 ? HQ_OK : HQ_E_EXISTS;
}

static int pg_nonce_prune(struct hq_store *s, long long before)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_int(&a, before);
    return run_cmd(p, Q_NONCE_PRUNE, &a, "nonce prune", NULL);
}

/* ---- push ---- */

/* Appends s escaped for COPY's text format (backslash, tab, newline, CR). */
static int cb_text(struct copybuf *b, const char *s)
{
    size_t n = strlen(s);
    if (cb_reserve(b, 2 * n + 1) != 0)
        return -1;
    for (; *s; s++) {
        char c = *s;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            b->d[b->len++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        b->d[b->len++] = c;
    }
    return 0;
}

static int cb_raw(struct copybuf *b, const char *s)
{
    size_t n = strlen(s);
    if (cb_reserve(b, n) != 0)
        return -1;
    memcpy(b->d + b->len, s, n);
    b->len += n;
    return 0;
}

/* COPY into the log, in three steps so one COPY can carry the rows of
 * several pushes (group commit): copy_open starts it, copy_rows appends rows
 * [from, to) of a batch that are not quarantined (sent in COPY_CHUNK pieces),
 * copy_close ends it and checks that `count` rows were stored. After a
 * failed copy_rows, copy_close still ends the COPY (aborted). */
static int copy_open(struct pg_store *p)
{
    PGresult *r = PQexec(p->conn, "COPY record(device_id, epoch, seq, type, schema_version,"
                                  " record, received_at) FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        return fail(p, r, "copy");
    PQclear(r);
    return HQ_OK;
}

static int copy_rows(struct pg_store *p, struct copybuf *buf, const struct hq_batch *b,
                     size_t from, size_t to)
{
    char num[80];
    for (size_t i = from; i < to; i++) {
        const struct hq_record *rec = &b->recs[i];
        if (rec->quarantine)
            continue;
        snprintf(num, sizeof num, "\t%lld\t%lld\t", b->epoch, rec->seq);
        if (cb_text(buf, b->device_id) || cb_raw(buf, num) ||
            cb_text(buf, rec->type ? rec->type : "") ||
            (snprintf(num, sizeof num, "\t%d\t", rec->schema_version), cb_raw(buf, num)) ||
            cb_text(buf, rec->json ? rec->json : "null") ||
            (snprintf(num, sizeof num, "\t%lld\n", b->now), cb_raw(buf, num))) {
            set_err(p, "copy: out of memory or a record over %u bytes", COPY_ROW_MAX);
            return HQ_E_IO;
        }
        if (buf->len >= COPY_CHUNK) {
            if (PQputCopyData(p->conn, buf->d, (int)buf->len) != 1) {
                set_err(p, "copy: %s", PQerrorMessage(p->conn));
                return HQ_E_IO;
            }
            buf->len = 0;
        }
    }
    return HQ_OK;
}

static int copy_close(struct pg_store *p, struct copybuf *buf, int rc, size_t count)
{
    PGresult *r;
    if (rc == HQ_OK && buf->len > 0 && PQputCopyData(p->conn, buf->d, (int)buf->len) != 1) {
        set_err(p, "copy: %s", PQerrorMessage(p->conn));
        rc = HQ_E_IO;
    }
    buf->len = 0;
    if (PQputCopyEnd(p->conn, rc == HQ_OK ? NULL : "push aborted") != 1 && rc == HQ_OK) {
        set_err(p, "copy end: %s", PQerrorMessage(p->conn));
        rc = HQ_E_IO;
    }
    while ((r = PQgetResult(p->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            int f = fail(p, r, "copy");
            if (rc == HQ_OK)
                rc = f;
            continue;
        }
        if (rc == HQ_OK && strtoll(PQcmdTuples(r), NULL, 10) != (long long)count) {
            set_err(p, "copy: stored %s rows of %zu", PQcmdTuples(r), count);
            rc = HQ_E_IO;
        }
        PQclear(r);
    }
    return rc;
}

/* Stores rows [from, to) of the batch that are not quarantined with one COPY
 * (the whole batch in one statement: this is what makes ingest fast). */
static int copy_records(struct pg_store *p, const struct hq_batch *b, size_t from, size_t to,
                        size_t count)
{
    struct copybuf buf = {0};
    int rc = copy_open(p);
    if (rc != HQ_OK)
        return rc;
    rc = copy_rows(p, &buf, b, from, to);
    rc = copy_close(p, &buf, rc, count);
    free(buf.d);
    return rc;
}

/* Sends (pipelined) one quarantined row, or one complaint (kiosk-owned fields
 * on every version; workflow fields only when head office sees it first). */
static int put_extra(struct pg_store *p, const struct hq_batch *b, const struct hq_record *r)
{
    struct pa a = {0};
    if (r->quarantine) {
        pa_txt(&a, b->device_id);
        pa_int(&a, b->epoch);
        pa_int(&a, r->seq);
        pa_txt(&a, r->type ? r->type : "");
        pa_int(&a, r->schema_version);
        pa_txt(&a, r->json ? r->json : "null");
        pa_txt(&a, r->quarantine);
        pa_int(&a, b->now);
        return pipe_send(p, Q_QUAR_INS, &a);
    }
    const struct hq_complaint *c = r->complaint;
    pa_txt(&a, b->device_id);
    pa_txt(&a, c->ref);
    pa_txt(&a, c->category ? c->category : "");
    pa_txt(&a, c->description ? c->description : "");
    pa_int(&a, c->received_at);
    pa_int(&a, c->feedback_due);
    pa_txt(&a, c->state ? c->state : "received");
    pa_txt(&a, c->severity);
    if (c->valid < 0)
        pa_txt(&a, NULL);
    else
        pa_int(&a, c->valid);
    pa_txt(&a, c->department ? c->department : "");
    pa_txt(&a, c->resolution ? c->resolution : "");
    pa_txt(&a, c->close_reason ? c->close_reason : "");
    pa_txt(&a, c->stat_category ? c->stat_category : "");
    pa_int(&a, b->now);
    pa_int(&a, b->epoch);
    pa_int(&a, r->seq);
    return pipe_send(p, Q_CMP_UPSERT, &a);
}

static int month_ready(struct pg_store *p, long long at);

/* Decides before anything is written which rows of b a push stores, given
 * the stream's high (known = 0: head office has no row of (device, epoch)):
 * held rows are ignored, the rest must continue high+1, high+2, ...; rows
 * after an in-batch gap are left for later. Sets res (applied, ignored,
 * quarantined), rows [*first, *end) to store, *stored of them not
 * quarantined, *cur the new high. HQ_E_GAP (res->expected, res->high set)
 * when the first unheld row does not continue the stream. */
static int push_decide(const struct hq_batch *b, long long high, int known,
                       struct hq_push_result *res, size_t *first, size_t *end,
                       size_t *stored, long long *cur)
{
    if (!known)
        high = b->epoch_start > 0 ? b->epoch_start - 1 : 0;
    *first = *end = *stored = 0;
    *cur = high;
    for (size_t i = 0; i < b->n; i++) {
        const struct hq_record *rec = &b->recs[i];
        if (rec->seq <= *cur) {
            res->ignored++;
            continue;
        }
        if (rec->seq != *cur + 1) {
            if (res->applied == 0) {
                res->expected = high + 1;
                res->high = known ? high : 0;
                return HQ_E_GAP;
            }
            break;
        }
        if (res->applied == 0)
            *first = i;
        *end = i + 1;
        *cur = rec->seq;
        res->applied++;
        if (rec->quarantine)
            res->quarantined++;
        else
            (*stored)++;
    }
    return HQ_OK;
}

static int pg_push_apply(struct hq_store *s, const struct hq_batch *b,
                         struct hq_push_result *res)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    long long high = 0, cur;
    size_t first = 0, end = 0, stored = 0, nstate = 0;
    int known = 0, own = 0, rc;

    memset(res, 0, sizeof *res);
    if (!b->device_id || b->epoch < 1)
        return HQ_E_INVALID;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;

    /* Take this device's push lock, then read where its stream stands. */
    pa_txt(&a, b->device_id);
    if (!(r = run(p, Q_DEV_LOCK, &a, "push lock", &rc)))
        goto out;
    if (PQntuples(r) == 0) { /* not enrolled (tools, tests): lock the id instead */
        PQclear(r);
        if (!(r = run(p, Q_ADV_LOCK, &a, "push lock", &rc)))
            goto out;
    }
    PQclear(r);
    pa_int(&a, b->epoch);
    if (!(r = run(p, Q_STREAM_GET, &a, "stream", &rc)))
        goto out;
    if (PQntuples(r) == 1) {
        high = col_ll(r, 0, 0);
        known = 1;
    }
    PQclear(r);
    if ((rc = push_decide(b, high, known, res, &first, &end, &stored, &cur)) != HQ_OK)
        goto out; /* a gap: nothing written */

    /* The records in one COPY; then quarantine rows, complaints and the
     * stream's new high in one pipeline (COPY cannot be pipelined). */
    if (stored > 0 && (rc = month_ready(p, b->now)) != HQ_OK)
        goto out;
    if (stored > 0 && (rc = copy_records(p, b, first, end, stored)) != HQ_OK)
        goto out;
    if ((rc = prepare(p, Q_QUAR_INS, "quarantine")) != HQ_OK ||
        (rc = prepare(p, Q_CMP_UPSERT, "complaint upsert")) != HQ_OK ||
        (rc = prepare(p, Q_STREAM_DEV, "stream put")) != HQ_OK ||
        (rc = prepare(p, Q_DEV_PUSHED, "device pushed")) != HQ_OK ||
        (rc = prepare_state(p)) != HQ_OK || (rc = pipe_begin(p)) != HQ_OK)
        goto out;
    for (size_t i = first; i < end && rc == HQ_OK; i++) {
        const struct hq_record *rec = &b->recs[i];
        if (rec->quarantine || rec->complaint)
            rc = put_extra(p, b, rec);
        if (!rec->quarantine && rec->state)
            nstate++;
    }
    if (rc == HQ_OK && nstate > 0) { /* the state rows: one upsert per table */
        const struct hq_state_row **sr = calloc(nstate, sizeof *sr);
        size_t k = 0;
        if (!sr) {
            set_err(p, "state: out of memory");
            rc = HQ_E_IO;
        } else {
            for (size_t i = first; i < end; i++)
                if (!b->recs[i].quarantine && b->recs[i].state)
                    sr[k++] = b->recs[i].state;
            rc = pipe_states(p, NULL, sr, k);
            free(sr);
        }
    }
    a.n = 0;
    pa_txt(&a, b->device_id);
    if (rc == HQ_OK && (res->applied > 0 || known)) {
        pa_int(&a, b->epoch);
        pa_int(&a, cur);
        pa_int(&a, b->now);
        pa_int(&a, b->backlog);
        rc = pipe_send(p, Q_STREAM_DEV, &a);
    } else if (rc == HQ_OK) {
        pa_int(&a, b->now);
        pa_int(&a, b->backlog);
        rc = pipe_send(p, Q_DEV_PUSHED, &a);
    }
    rc = pipe_end(p, rc);
    if (rc == HQ_OK)
        res->high = (res->applied > 0 || known) ? cur : 0;
out:
    return op_end(p, own, rc);
}

/* ---- pull, config, complaints ---- */

static int pg_pull(struct hq_store *s, const char *device_id, long long cursor, int limit,
                   hq_change_fn fn, void *ctx, long long *next, int *more)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc, rows, stop = 0;

    *next = cursor;
    *more = 0;
    if (limit < 1)
        return HQ_E_INVALID;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_int(&a, cursor);
    pa_txt(&a, device_id);
    pa_int(&a, (long long)limit + 1); /* one more tells whether more wait */
    if (!(r = run(p, Q_PULL, &a, "pull", &rc)))
        return rc;
    rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        struct hq_change c;
        if (i == limit) {
            *more = 1;
            break;
        }
        c.id = col_ll(r, i, 0);
        c.kind = col_txt(r, i, 1);
        c.key = col_txt(r, i, 2);
        c.value = col_txt(r, i, 3);
        if ((stop = fn(ctx, &c)) != 0)
            break;
        *next = c.id;
    }
    PQclear(r);
    return stop;
}

/* Change-log writers hold this lock until they commit, so a change id is
 * visible before any larger one is handed out: a puller that has seen id N
 * can never later find a smaller id appear behind its cursor. */
static int change_lock(struct pg_store *p)
{
    struct pa a = {0};
    pa_int(&a, LOCK_CHANGE);
    return run_cmd(p, Q_CHANGE_LOCK, &a, "change lock", NULL);
}

static int pg_config_set(struct hq_store *s, const char *branch, const char *key,
                         const char *value_json, long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int own, rc;

    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    if ((rc = change_lock(p)) != HQ_OK)
        return op_end(p, own, rc);
    pa_txt(&a, branch ? branch : "");
    pa_txt(&a, key);
    pa_txt(&a, value_json);
    pa_int(&a, now);
    if ((rc = run_cmd(p, Q_CFG_PUT, &a, "config", NULL)) != HQ_OK)
        return op_end(p, own, rc);
    a.n = 0;
    pa_txt(&a, branch ? branch : "");
    pa_txt(&a, "");
    pa_txt(&a, "config");
    pa_txt(&a, key);
    pa_txt(&a, value_json);
    pa_int(&a, now);
    rc = run_cmd(p, Q_CHANGE_INS, &a, "change", NULL);
    return op_end(p, own, rc);
}

/* Calls fn for each complaint row of r (which it clears); *rows = count. */
static int each_complaint(PGresult *r, hq_complaint_fn fn, void *ctx, int *rows)
{
    int stop = 0, n = PQntuples(r);
    *rows = n;
    for (int i = 0; i < n && !stop; i++) {
        struct hq_complaint c;
        c.id = col_ll(r, i, 0);
        c.device_id = col_txt(r, i, 1);
        c.branch = col_txt(r, i, 2);
        c.ref = col_txt(r, i, 3);
        c.category = col_txt(r, i, 4);
        c.description = col_txt(r, i, 5);
        c.received_at = col_ll(r, i, 6);
        c.feedback_due = col_ll(r, i, 7);
        c.state = col_txt(r, i, 8);
        c.severity = col_txt(r, i, 9);
        c.valid = PQgetisnull(r, i, 10) ? -1 : (int)col_ll(r, i, 10);
        c.department = col_txt(r, i, 11);
        c.resolution = col_txt(r, i, 12);
        c.close_reason = col_txt(r, i, 13);
        c.stat_category = col_txt(r, i, 14);
        c.updated_at = col_ll(r, i, 15);
        stop = fn(ctx, &c);
    }
    PQclear(r);
    return stop;
}

static int pg_complaint_list(struct hq_store *s, const char *state, const char *branch,
                             int limit, hq_complaint_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc, rows;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, state);
    pa_txt(&a, branch);
    if (limit < 0)
        pa_txt(&a, NULL); /* LIMIT NULL: no limit, as SQLite's LIMIT -1 */
    else
        pa_int(&a, limit);
    if (!(r = run(p, Q_CMP_LIST, &a, "complaints", &rc)))
        return rc;
    return each_complaint(r, fn, ctx, &rows);
}

static int pg_complaint_get(struct hq_store *s, long long id, hq_complaint_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc, rows;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_int(&a, id);
    if (!(r = run(p, p->in_tx ? Q_CMP_GET_LOCK : Q_CMP_GET, &a, "complaint", &rc)))
        return rc;
    rc = each_complaint(r, fn, ctx, &rows);
    if (rc == HQ_OK && rows == 0)
        return HQ_E_NOTFOUND;
    return rc;
}

static int pg_complaint_advance(struct hq_store *s, const struct hq_complaint *c,
                                const char *from_state, const char *actor, const char *note,
                                long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    long long n = 0;
    int own, rc;

    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    if ((rc = change_lock(p)) != HQ_OK)
        return op_end(p, own, rc);
    pa_int(&a, c->id);
    pa_txt(&a, c->state);
    pa_txt(&a, c->severity);
    if (c->valid < 0)
        pa_txt(&a, NULL);
    else
        pa_int(&a, c->valid);
    pa_txt(&a, c->department ? c->department : "");
    pa_txt(&a, c->resolution ? c->resolution : "");
    pa_txt(&a, c->close_reason ? c->close_reason : "");
    pa_txt(&a, c->stat_category ? c->stat_category : "");
    pa_int(&a, now);
    if ((rc = run_cmd(p, Q_CMP_UPD, &a, "complaint advance", &n)) != HQ_OK)
        return op_end(p, own, rc);
    if (n != 1)
        return op_end(p, own, HQ_E_NOTFOUND);
    a.n = 0;
    pa_int(&a, c->id);
    pa_int(&a, now);
    pa_txt(&a, from_state);
    pa_txt(&a, c->state);
    pa_txt(&a, actor);
    pa_txt(&a, note ? note : "");
    if ((rc = run_cmd(p, Q_CMP_EV, &a, "complaint event", NULL)) != HQ_OK)
        return op_end(p, own, rc);
    a.n = 0;
    pa_int(&a, c->id);
    pa_txt(&a, from_state);
    pa_txt(&a, actor);
    pa_txt(&a, note ? note : "");
    pa_int(&a, now);
    rc = run_cmd(p, Q_CMP_CHANGE, &a, "complaint change", NULL);
    return op_end(p, own, rc);
}

/* ---- records, stats ---- */

static int pg_records(struct hq_store *s, const char *device_id, long long epoch,
                      long long after, int limit, hq_held_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc, stop = 0, n;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, device_id);
    if (epoch)
        pa_int(&a, epoch);
    pa_int(&a, after);
    if (limit < 0)
        pa_txt(&a, NULL);
    else
        pa_int(&a, limit);
    if (!(r = run(p, epoch ? Q_RECORDS : Q_RECORDS_ALL, &a, "records", &rc)))
        return rc;
    n = PQntuples(r);
    for (int i = 0; i < n && !stop; i++) {
        struct hq_held h;
        h.epoch = col_ll(r, i, 0);
        h.seq = col_ll(r, i, 1);
        h.type = col_txt(r, i, 2);
        h.schema_version = (int)col_ll(r, i, 3);
        h.json = col_txt(r, i, 4);
        h.quarantined = (int)col_ll(r, i, 5);
        stop = fn(ctx, &h);
    }
    PQclear(r);
    return stop;
}

static int pg_stats(struct hq_store *s, hq_dev_stat_fn dev, hq_type_stat_fn type, void *ctx)
{
    struct pg_store *p = PG(s);
    PGresult *r;
    int rc, stop = 0, n;

    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    if (dev) {
        if (!(r = run(p, Q_STAT_DEV, NULL, "stats", &rc)))
            return rc;
        n = PQntuples(r);
        for (int i = 0; i < n && !stop; i++) {
            struct hq_dev_stat d = {col_txt(r, i, 0), col_txt(r, i, 1), col_ll(r, i, 2),
                                    col_ll(r, i, 3),  col_ll(r, i, 4),  col_ll(r, i, 5)};
            stop = dev(ctx, &d);
        }
        PQclear(r);
        if (stop)
            return stop;
    }
    if (type) {
        if (!(r = run(p, Q_STAT_TYPE, NULL, "stats", &rc)))
            return rc;
        n = PQntuples(r);
        for (int i = 0; i < n && !stop; i++) {
            struct hq_type_stat t = {col_txt(r, i, 0), col_txt(r, i, 1), col_ll(r, i, 2)};
            stop = type(ctx, &t);
        }
        PQclear(r);
    }
    return stop;
}

static int pg_totals(struct hq_store *s, struct hq_totals *out)
{
    struct pg_store *p = PG(s);
    PGresult *r;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    if (!(r = run(p, Q_TOTALS, NULL, "totals", &rc)))
        return rc;
    out->devices = col_ll(r, 0, 0);
    out->records = col_ll(r, 0, 1);
    out->quarantined = col_ll(r, 0, 2);
    out->complaints_open = col_ll(r, 0, 3);
    PQclear(r);
    return HQ_OK;
}

/* ---- current state and reports ---- */

static int pg_state_put(struct hq_store *s, const struct hq_state_row *rows, size_t n)
{
    struct pg_store *p = PG(s);
    int own, rc;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    if ((rc = prepare_state(p)) != HQ_OK || (rc = pipe_begin(p)) != HQ_OK)
        return op_end(p, own, rc);
    rc = pipe_states(p, rows, NULL, n);
    rc = pipe_end(p, rc);
    return op_end(p, own, rc);
}

static int pg_state_clear(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    char sql[1024];
    size_t n = 0;
    int own, rc;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    n += (size_t)snprintf(sql, sizeof sql, "TRUNCATE ");
    for (int i = 0; i < hq_state_ntables && n < sizeof sql; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", i ? ", " : "",
                              hq_state_tables[i].table);
    rc = exec(p, sql);
    return op_end(p, own, rc);
}

static int pg_complaint_rebuild(struct hq_store *s)
{
    struct pg_store *p = PG(s);
    int own, rc;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    rc = exec(p, "UPDATE complaint c SET category = n.category, description = n.description,"
                 " received_at = n.received_at, feedback_due = n.feedback_due FROM"
                 " (SELECT DISTINCT ON (device_id, record::json->>'ref') device_id,"
                 " record::json->>'ref' AS ref, record::json->>'category' AS category,"
                 " record::json->>'description' AS description,"
                 " (record::json->>'received_at')::numeric::bigint AS received_at,"
                 " (record::json->>'feedback_due')::numeric::bigint AS feedback_due"
                 " FROM record WHERE type = 'complaint'"
                 " ORDER BY device_id, record::json->>'ref', epoch DESC, seq DESC) n"
                 " WHERE c.device_id = n.device_id AND c.ref = n.ref");
    return op_end(p, own, rc);
}

static int pg_state_each(struct hq_store *s, const struct hq_state_table *t,
                         const struct hq_state_filter *f, hq_state_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    int col = f && f->col ? hq_state_col(t, f->col) : -1, rc, stop = 0, n;
    struct pa a = {0};
    char sql[4096];
    PGresult *r;
    ExecStatusType st;

    if (f && f->col && col < 0) {
        set_err(p, "%s has no column %s", t->table, f->col);
        return HQ_E_INVALID;
    }
    if (hq_state_sql_select(t, '$', f && f->device_id, col, sql, sizeof sql) != 0) {
        set_err(p, "state: statement too long");
        return HQ_E_IO;
    }
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    if (f && f->device_id)
        pa_txt(&a, f->device_id);
    if (col >= 0 && t->cols[col].type == HQ_COL_INT) {
        pa_int(&a, f->lo_i);
        pa_int(&a, f->hi_i);
    } else if (col >= 0) {
        pa_txt(&a, f->lo_s ? f->lo_s : "");
        pa_txt(&a, f->hi_s ? f->hi_s : "");
    }
    r = PQexecParams(p->conn, sql, a.n, NULL, a.v, NULL, NULL, 0);
    st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK)
        return fail(p, r, t->table);
    n = PQntuples(r);
    for (int i = 0; i < n && !stop; i++) {
        struct hq_state_row row;
        memset(&row, 0, sizeof row);
        row.t = t;
        row.device_id = col_txt(r, i, 0);
        row.id = col_ll(r, i, 1);
        row.epoch = col_ll(r, i, 2);
        row.seq = col_ll(r, i, 3);
        for (int c = 0; c < t->ncols; c++) {
            row.v[c].null = PQgetisnull(r, i, 4 + c);
            if (t->cols[c].type == HQ_COL_INT)
                row.v[c].i = col_ll(r, i, 4 + c);
            else
                row.v[c].s = col_txt(r, i, 4 + c);
        }
        stop = fn(ctx, &row);
    }
    PQclear(r);
    return stop;
}

static int pg_log_page(struct hq_store *s, const char *after_device, long long after_epoch,
                       long long after_seq, int limit, hq_log_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc, stop = 0, n;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, after_device ? after_device : "");
    pa_int(&a, after_epoch);
    pa_int(&a, after_seq);
    pa_int(&a, limit);
    if (!(r = run(p, Q_LOG_PAGE, &a, "log", &rc)))
        return rc;
    n = PQntuples(r);
    for (int i = 0; i < n && !stop; i++) {
        struct hq_held h = {col_ll(r, i, 1), col_ll(r, i, 2), col_txt(r, i, 3),
                            (int)col_ll(r, i, 4), col_txt(r, i, 5), 0};
        stop = fn(ctx, col_txt(r, i, 0), &h);
    }
    PQclear(r);
    return stop;
}

/* Adapts each_complaint's rows to report rows (the two extra columns). */
struct rpt_ctx {
    PGresult *r;
    int row;
    hq_report_complaint_fn fn;
    void *ctx;
};

static int rpt_one(void *ctx, const struct hq_complaint *c)
{
    struct rpt_ctx *x = ctx;
    struct hq_report_complaint rc = {*c, col_ll(x->r, x->row, 16), col_ll(x->r, x->row, 17)};
    x->row++;
    return x->fn(x->ctx, &rc);
}

static int pg_report_complaints(struct hq_store *s, const char *device_id, long long from,
                                long long to, hq_report_complaint_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc, rows;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, device_id);
    pa_int(&a, from);
    pa_int(&a, to);
    if (!(r = run(p, Q_RPT_CMP, &a, "report complaints", &rc)))
        return rc;
    struct rpt_ctx x = {r, 0, fn, ctx};
    return each_complaint(r, rpt_one, &x, &rows);
}

static int pg_config_get(struct hq_store *s, const char *branch, const char *key, char *out,
                         size_t outlen)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, branch ? branch : "");
    pa_txt(&a, key);
    if (!(r = run(p, Q_CFG_GET, &a, "config", &rc)))
        return rc;
    if (PQntuples(r) != 1) {
        rc = HQ_E_NOTFOUND;
    } else if (strlen(PQgetvalue(r, 0, 0)) >= outlen) {
        rc = HQ_E_INVALID;
    } else {
        memcpy(out, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)) + 1);
        rc = HQ_OK;
    }
    PQclear(r);
    return rc;
}

/* ---- issue 10: health, settings, audit, personal data, the log's months ---- */

/* Runs sql once (not prepared: these ops are rare) with a's parameters.
 * Returns the result (the caller clears it) or NULL with *rc set. */
static PGresult *run_sql(struct pg_store *p, const char *sql, const struct pa *a,
                         const char *what, int *rc)
{
    PGresult *r = PQexecParams(p->conn, sql, a ? a->n : 0, NULL, a ? a->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *rc = fail(p, r, what);
        return NULL;
    }
    *rc = HQ_OK;
    return r;
}

static int run_sql_cmd(struct pg_store *p, const char *sql, const struct pa *a,
                       const char *what, long long *changed)
{
    int rc;
    PGresult *r = run_sql(p, sql, a, what, &rc);
    if (!r)
        return rc;
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return HQ_OK;
}

/* Makes sure the log has the month of `at` (see log_prepare). Inside a push
 * this runs before the COPY; a month made here is the rare case (the server
 * makes them ahead every hour), and the handle remembers the month it saw. */
static int month_ready(struct pg_store *p, long long at)
{
    struct pa a = {0};
    if (at >= p->month_lo && at < p->month_hi)
        return HQ_OK;
    pa_int(&a, at);
    pa_int(&a, at);
    int rc;
    PGresult *r = run_sql(p, "SELECT hq_record_partitions($1, $2),"
                             " extract(epoch FROM date_trunc('month', to_timestamp($1::bigint)"
                             " AT TIME ZONE 'UTC'))::bigint,"
                             " extract(epoch FROM date_trunc('month', to_timestamp($1::bigint)"
                             " AT TIME ZONE 'UTC') + interval '1 month')::bigint",
                          &a, "log partition", &rc);
    if (!r)
        return rc;
    p->month_lo = col_ll(r, 0, 1);
    p->month_hi = col_ll(r, 0, 2);
    PQclear(r);
    return HQ_OK;
}

static int pg_log_prepare(struct hq_store *s, long long from, long long to)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int own, rc;
    if (to < from)
        return HQ_E_INVALID;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    pa_int(&a, from);
    pa_int(&a, to);
    rc = run_sql_cmd(p, "SELECT hq_record_partitions($1, $2)", &a, "log partitions", NULL);
    return op_end(p, own, rc);
}

/* Civil month start (UTC) as Unix seconds (days_from_civil, H. Hinnant). */
static long long month_start(long long y, long long m)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

static int pg_log_archive(struct hq_store *s, long long before, int drop, int *months,
                          long long *rows)
{
    struct pg_store *p = PG(s);
    PGresult *r;
    int own, rc, n;
    *months = 0;
    *rows = 0;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    r = run_sql(p, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                   " WHERE i.inhparent = 'record'::regclass ORDER BY 1",
                NULL, "log partitions", &rc);
    if (!r)
        return op_end(p, own, rc);
    n = PQntuples(r);
    for (int i = 0; i < n && rc == HQ_OK; i++) {
        const char *name = PQgetvalue(r, i, 0);
        int y, m;
        char sql[160], tail;
        if (sscanf(name, "record_%4d_%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12)
            continue; /* not one of ours */
        if (month_start(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1) > before)
            continue; /* the month reaches past `before` */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", name);
        PGresult *c = run_sql(p, sql, NULL, "archive", &rc);
        if (!c)
            break;
        *rows += col_ll(c, 0, 0);
        PQclear(c);
        snprintf(sql, sizeof sql, "ALTER TABLE record DETACH PARTITION \"%s\"", name);
        if ((rc = run_sql_cmd(p, sql, NULL, "archive", NULL)) != HQ_OK)
            break;
        if (drop) {
            snprintf(sql, sizeof sql, "DROP TABLE \"%s\"", name);
            if ((rc = run_sql_cmd(p, sql, NULL, "archive", NULL)) != HQ_OK)
                break;
        }
        (*months)++;
    }
    PQclear(r);
    p->month_lo = p->month_hi = 0;
    return op_end(p, own, rc);
}

static void health_params(struct pa *a, const char *device_id, const struct hq_health *h,
                          long long now)
{
    a->n = 0;
    pa_txt(a, device_id);
    pa_int(a, now);
    pa_txt(a, h->app_version ? h->app_version : "");
    pa_int(a, h->printer_known);
    pa_int(a, h->printer_online);
    pa_int(a, h->paper_out);
    pa_int(a, h->paper_near_end);
    pa_int(a, h->cover_open);
    pa_txt(a, h->printer_message ? h->printer_message : "");
    pa_int(a, h->print_failed);
    pa_int(a, h->backlog);
    pa_txt(a, h->last_error ? h->last_error : "");
    pa_int(a, h->uptime_s);
    pa_int(a, h->disk_free_mb);
}

static int pg_health_put(struct hq_store *s, const char *device_id, const struct hq_health *h,
                         long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    health_params(&a, device_id, h, now);
    return run_cmd(p, Q_HEALTH, &a, "health", NULL);
}

static int pg_fleet(struct hq_store *s, long long now, hq_fleet_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    PGresult *r;
    int rc, stop = 0, n;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    r = run_sql(p,
        "SELECT d.device_id, d.branch, greatest(d.last_push, coalesce(h.received_at, 0)),"
        " d.revoked_at, coalesce(h.received_at, 0), h.app_version, h.printer_known,"
        " h.printer_online, h.paper_out, h.paper_near_end, h.cover_open, h.printer_message,"
        " h.print_failed, h.backlog, h.last_error, h.uptime_s, h.disk_free_mb"
        " FROM device d LEFT JOIN device_health h ON h.device_id = d.device_id"
        " ORDER BY d.branch, d.device_id", NULL, "fleet", &rc);
    if (!r)
        return rc;
    n = PQntuples(r);
    for (int i = 0; i < n && !stop; i++) {
        struct hq_fleet_row f;
        memset(&f, 0, sizeof f);
        f.device_id = col_txt(r, i, 0);
        f.branch = col_txt(r, i, 1);
        f.last_contact = col_ll(r, i, 2);
        f.online = f.last_contact > 0 && now - f.last_contact <= HQ_OFFLINE_AFTER;
        f.revoked_at = col_ll(r, i, 3);
        f.health_at = col_ll(r, i, 4);
        f.h.app_version = col_txt(r, i, 5);
        f.h.printer_known = (int)col_ll(r, i, 6);
        f.h.printer_online = (int)col_ll(r, i, 7);
        f.h.paper_out = (int)col_ll(r, i, 8);
        f.h.paper_near_end = (int)col_ll(r, i, 9);
        f.h.cover_open = (int)col_ll(r, i, 10);
        f.h.printer_message = col_txt(r, i, 11);
        f.h.print_failed = col_ll(r, i, 12);
        f.h.backlog = col_ll(r, i, 13);
        f.h.last_error = col_txt(r, i, 14);
        f.h.uptime_s = col_ll(r, i, 15);
        f.h.disk_free_mb = col_ll(r, i, 16);
        stop = fn(ctx, &f);
    }
    PQclear(r);
    return stop;
}

static int pg_setting_get(struct hq_store *s, const char *key, char *out, size_t outlen)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    PGresult *r;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, key);
    if (!(r = run_sql(p, "SELECT value FROM hq_setting WHERE key = $1", &a, "setting", &rc)))
        return rc;
    rc = PQntuples(r) == 1 ? HQ_OK : HQ_E_NOTFOUND;
    if (rc == HQ_OK)
        snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

static int pg_setting_set(struct hq_store *s, const char *key, const char *value, long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_txt(&a, key);
    pa_txt(&a, value);
    pa_int(&a, now);
    return run_sql_cmd(p, "INSERT INTO hq_setting(key, value, updated_at) VALUES ($1, $2, $3)"
                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                          " updated_at = excluded.updated_at", &a, "setting", NULL);
}

static int pg_audit_put(struct hq_store *s, long long at, const char *actor, const char *action,
                        const char *subject, const char *reason, const char *detail)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    pa_int(&a, at);
    pa_txt(&a, actor);
    pa_txt(&a, action);
    pa_txt(&a, subject ? subject : "");
    pa_txt(&a, reason ? reason : "");
    pa_txt(&a, detail ? detail : "");
    return run_sql_cmd(p, "INSERT INTO hq_audit(at, actor, action, subject, reason, detail)"
                          " VALUES ($1, $2, $3, $4, $5, $6)", &a, "audit", NULL);
}

/* Rows of a type still holding personal data, as schema/pg/0003_fleet.sql
 * indexes them (the same expressions, so the partial indexes serve). */
static void pii_where(const struct hq_pii_type *t, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "type = '%s' AND (", t->type);
    for (int i = 0; t->fields[i] && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%s((record::jsonb) ->> '%s') <> ''",
                              i ? " OR " : "", t->fields[i]);
    if (n < len)
        snprintf(out + n, len - n, ")");
}

/* Rewrites the rows of r (device_id, epoch, seq, received_at, record) in
 * table with hq_pii_scrub; adds the rows changed to *n. Clears r. */
static int scrub_rows(struct pg_store *p, PGresult *r, const char *table, const char *type,
                      long long *n)
{
    char sql[200];
    int rc = HQ_OK, rows = PQntuples(r);
    snprintf(sql, sizeof sql, "UPDATE %s SET record = $5 WHERE device_id = $1 AND epoch = $2"
                              " AND seq = $3 AND received_at = $4", table);
    for (int i = 0; i < rows && rc == HQ_OK; i++) {
        struct pa a = {0};
        int oom = 0;
        long long ch = 0;
        char *js = hq_pii_scrub(type, col_txt(r, i, 4), &oom);
        if (oom) {
            set_err(p, "out of memory");
            rc = HQ_E_IO;
            break;
        }
        if (!js)
            continue;
        pa_txt(&a, col_txt(r, i, 0));
        pa_txt(&a, col_txt(r, i, 1));
        pa_txt(&a, col_txt(r, i, 2));
        pa_txt(&a, col_txt(r, i, 3));
        pa_txt(&a, js);
        rc = run_sql_cmd(p, sql, &a, "personal data", &ch);
        free(js);
        *n += ch;
    }
    PQclear(r);
    return rc;
}

/* The state tables' personal columns (see hq_store_sqlite.c, pii_state). */
static const struct {
    const char *type, *table, *time_col, *phone_col, *set, *held, *json;
} pii_state[] = {
    {"visitor", "visitor_state", "signed_in_at", "phone",
     "name = '', phone = CASE WHEN phone IS NULL THEN NULL ELSE '' END,"
     " company = CASE WHEN company IS NULL THEN NULL ELSE '' END,"
     " purpose = CASE WHEN purpose IS NULL THEN NULL ELSE '' END",
     "(name <> '' OR phone <> '' OR company <> '' OR purpose <> '')",
     "json_build_object('id', id, 'name', name, 'phone', phone, 'company', company,"
     " 'purpose', purpose, 'signed_in_at', signed_in_at, 'signed_out_at', signed_out_at,"
     " 'badge', badge, 'host', host)::text"},
};

static int has_table(struct pg_store *p, const char *name, int *yes)
{
    struct pa a = {0};
    int rc;
    PGresult *r;
    pa_txt(&a, name);
    if (!(r = run_sql(p, "SELECT to_regclass($1) IS NOT NULL", &a, "table", &rc)))
        return rc;
    *yes = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return HQ_OK;
}

static int pg_pii_erase(struct hq_store *s, const char *phone, long long before, int limit,
                        struct hq_pii_count *out)
{
    struct pg_store *p = PG(s);
    char sql[1024], where[512];
    int own, rc;
    memset(out, 0, sizeof *out);
    if (!phone && limit < 1)
        return HQ_E_INVALID;
    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    for (int i = 0; i < hq_pii_ntypes && rc == HQ_OK; i++) {
        const struct hq_pii_type *t = &hq_pii_types[i];
        static const char *const tables[] = {"record", "quarantine"};
        for (int k = 0; k < 2 && rc == HQ_OK; k++) {
            struct pa a = {0};
            PGresult *r;
            if (phone) {
                if (k == 0)
                    snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, received_at,"
                             " record FROM record WHERE type = '%s' AND"
                             " ((record::jsonb) ->> '%s') = $1 FOR UPDATE", t->type,
                             t->phone_field);
                else
                    snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, received_at,"
                             " record FROM quarantine WHERE type = '%s' AND"
                             " hq_json_field(record, '%s') = $1 FOR UPDATE", t->type,
                             t->phone_field);
                pa_txt(&a, phone);
            } else if (k == 0) {
                pii_where(t, where, sizeof where);
                snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, received_at, record"
                         " FROM record WHERE (((record::jsonb) ->> '%s')::bigint) < $1 AND %s"
                         " LIMIT $2 FOR UPDATE SKIP LOCKED", t->time_field, where);
                pa_int(&a, before);
                pa_int(&a, limit);
            } else {
                char held[400];
                size_t hn = 0;
                for (int f = 0; t->fields[f] && hn < sizeof held; f++)
                    hn += (size_t)snprintf(held + hn, sizeof held - hn,
                                           "%scoalesce(hq_json_field(record, '%s'), '') <> ''",
                                           f ? " OR " : "", t->fields[f]);
                snprintf(sql, sizeof sql, "SELECT device_id, epoch, seq, received_at, record"
                         " FROM quarantine WHERE type = '%s' AND CASE WHEN"
                         " hq_json_field(record, '%s') ~ '^[0-9]{1,15}$' THEN"
                         " hq_json_field(record, '%s')::bigint END < $1 AND (%s)"
                         " LIMIT $2 FOR UPDATE", t->type, t->time_field, t->time_field, held);
                pa_int(&a, before);
                pa_int(&a, limit);
            }
            if (!(r = run_sql(p, sql, &a, "personal data", &rc)))
                break;
            rc = scrub_rows(p, r, tables[k], t->type, &out->log);
        }
    }
    for (size_t i = 0; i < sizeof pii_state / sizeof pii_state[0] && rc == HQ_OK; i++) {
        struct pa a = {0};
        long long ch = 0;
        int yes = 0;
        if ((rc = has_table(p, pii_state[i].table, &yes)) != HQ_OK || !yes)
            continue;
        if (phone) {
            snprintf(sql, sizeof sql, "UPDATE %s SET %s WHERE %s = $1 AND %s",
                     pii_state[i].table, pii_state[i].set, pii_state[i].phone_col,
                     pii_state[i].held);
            pa_txt(&a, phone);
        } else {
            snprintf(sql, sizeof sql, "UPDATE %s SET %s WHERE (device_id, id, %s) IN (SELECT"
                     " device_id, id, %s FROM %s WHERE %s < $1 AND %s LIMIT $2)",
                     pii_state[i].table, pii_state[i].set, pii_state[i].time_col,
                     pii_state[i].time_col, pii_state[i].table, pii_state[i].time_col,
                     pii_state[i].held); /* the row's key: device, id, the time */
            pa_int(&a, before);
            pa_int(&a, limit);
        }
        if ((rc = run_sql_cmd(p, sql, &a, "personal data", &ch)) == HQ_OK)
            out->state += ch;
    }
    return op_end(p, own, rc);
}

static int pg_pii_find(struct hq_store *s, const char *phone, hq_pii_fn fn, void *ctx)
{
    struct pg_store *p = PG(s);
    char sql[1024];
    int rc, stop = 0;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    for (int i = 0; i < hq_pii_ntypes && !stop; i++) {
        const struct hq_pii_type *t = &hq_pii_types[i];
        struct pa a = {0};
        PGresult *r;
        snprintf(sql, sizeof sql,
                 "SELECT w, d.branch, x.device_id, x.epoch, x.seq, x.type, x.record FROM ("
                 " SELECT 'record' AS w, device_id, epoch, seq, type, record FROM record"
                 " WHERE type = '%s' AND ((record::jsonb) ->> '%s') = $1"
                 " UNION ALL SELECT 'quarantine', device_id, epoch, seq, type, record"
                 " FROM quarantine WHERE type = '%s' AND hq_json_field(record, '%s') = $1) x"
                 " LEFT JOIN device d ON d.device_id = x.device_id ORDER BY 1, 3, 4, 5",
                 t->type, t->phone_field, t->type, t->phone_field);
        pa_txt(&a, phone);
        if (!(r = run_sql(p, sql, &a, "person find", &rc)))
            return rc;
        for (int k = 0; k < PQntuples(r) && !stop; k++) {
            struct hq_pii_hit h = {col_txt(r, k, 0), col_txt(r, k, 1), col_txt(r, k, 2),
                                   col_ll(r, k, 3),  col_ll(r, k, 4),  col_txt(r, k, 5),
                                   col_txt(r, k, 6)};
            stop = fn(ctx, &h);
        }
        PQclear(r);
    }
    for (size_t i = 0; i < sizeof pii_state / sizeof pii_state[0] && !stop; i++) {
        struct pa a = {0};
        PGresult *r;
        int yes = 0;
        if ((rc = has_table(p, pii_state[i].table, &yes)) != HQ_OK)
            return rc;
        if (!yes)
            continue;
        snprintf(sql, sizeof sql, "SELECT d.branch, v.device_id, %s FROM %s v LEFT JOIN device"
                 " d ON d.device_id = v.device_id WHERE v.%s = $1 ORDER BY 2",
                 pii_state[i].json, pii_state[i].table, pii_state[i].phone_col);
        pa_txt(&a, phone);
        if (!(r = run_sql(p, sql, &a, "person find", &rc)))
            return rc;
        for (int k = 0; k < PQntuples(r) && !stop; k++) {
            struct hq_pii_hit h = {pii_state[i].table, col_txt(r, k, 0), col_txt(r, k, 1), 0, 0,
                                   pii_state[i].type, col_txt(r, k, 2)};
            stop = fn(ctx, &h);
        }
        PQclear(r);
    }
    return stop;
}

/* ---- issue 11: the console's generic statement (hq_store.h, sql) ---- */

#define SQL_COLS_MAX 32 /* result columns the generic op hands out */

static int pg_sql(struct hq_store *s, const char *sql, const struct hq_param *prm, int n,
                  hq_row_fn fn, void *ctx, long long *changed)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    const char *col[SQL_COLS_MAX];
    PGresult *r;
    ExecStatusType st;
    int rc, rows, ncol, stop = 0;

    if (changed)
        *changed = 0;
    if (n > PA_MAX) {
        set_err(p, "sql: more than %d parameters", PA_MAX);
        return HQ_E_INVALID;
    }
    for (int i = 0; i < n; i++) {
        if (prm[i].kind == HQ_P_INT)
            pa_int(&a, prm[i].i);
        else
            pa_txt(&a, prm[i].kind == HQ_P_TEXT ? prm[i].s : NULL);
    }
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    r = PQexecParams(p->conn, sql, a.n, NULL, a.v, NULL, NULL, 0);
    st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        int dup = state && strcmp(state, "23505") == 0;
        rc = fail(p, r, "sql");
        return dup ? HQ_E_EXISTS : rc;
    }
    ncol = PQnfields(r);
    if (ncol > SQL_COLS_MAX) {
        PQclear(r);
        set_err(p, "sql: more than %d columns", SQL_COLS_MAX);
        return HQ_E_INVALID;
    }
    rows = PQntuples(r);
    for (int i = 0; fn && i < rows && !stop; i++) {
        for (int k = 0; k < ncol; k++)
            col[k] = col_txt(r, i, k);
        stop = fn(ctx, ncol, col);
    }
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return stop;
}

/* ---- group commit: concurrent pushes share one transaction ---- */

/* Every handle of one process opened on the same database shares a queue.
 * A push (push_commit) joins it; when no push of that queue is being applied
 * the pusher becomes the leader: it takes the queue (at most GROUP_MAX pushes
 * and about GROUP_ROWS records, one push per device) and applies them in one
 * transaction on its own connection, in four round trips whatever their
 * number (begin + every nonce, device lock and stream read; the log's rows
 * of every push in one COPY; then quarantine, complaints, the state upserts
 * of the whole group - one statement per table -, streams, health and
 * COMMIT in one pipeline). Each pusher is answered only after that commit:
 * durability is the same as one transaction per push (synchronous_commit
 * stays on); what is shared is the fsync and the round trips. A replayed
 * nonce or a gap fails only its own push (its nonce is taken back); an
 * error in the shared part is retried push by push, so one bad push never
 * fails the others - unless COMMIT had been sent (it may have committed:
 * then every push of the group gets the error, and the kiosks' resends are
 * ignored rows, never duplicates). Devices are locked in device_id order, so
 * two servers' groups cannot deadlock on each other. */

#define GROUP_MAX 32        /* pushes per transaction: 3 statements each in the first
                               pipeline, kept under PIPE_MAX */
#define GROUP_ROWS 20000    /* records per transaction, about (50 full batches) */
#define GROUP_LEADERS 4     /* groups applied at once (each on its leader's connection):
                               more than one keeps PostgreSQL's cores busy while a
                               group waits for its commit's fsync */

struct gc_push {
    const struct hq_push_job *j;
    struct hq_push_result *res;
    int rc;                   /* its result once done */
    int done;
    char err[512];            /* the error text for the pusher's own handle (as p->err) */
    /* while its group runs */
    int known;
    size_t first, end, stored;
    long long cur;
    struct gc_push *next;
};

struct gc_queue {
    char *dsn;
    int refs;                 /* handles using it */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct gc_push *head, *tail;
    int leading;              /* groups being applied (at most GROUP_LEADERS) */
    long long groups, pushes; /* for hq_store_pg_group_stats */
};

static pthread_mutex_t gc_list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct gc_queue *gc_all[64]; /* the process's queues, one per database name */

/* The queue for dsn (made on first use), or NULL when out of memory or
 * slots: the handle then applies its pushes alone. */
static struct gc_queue *gc_get(const char *dsn)
{
    struct gc_queue *q = NULL;
    pthread_mutex_lock(&gc_list_mu);
    for (size_t i = 0; i < sizeof gc_all / sizeof gc_all[0] && !q; i++)
        if (gc_all[i] && strcmp(gc_all[i]->dsn, dsn) == 0)
            q = gc_all[i];
    for (size_t i = 0; i < sizeof gc_all / sizeof gc_all[0] && !q; i++) {
        if (gc_all[i])
            continue;
        if (!(q = calloc(1, sizeof *q)) || !(q->dsn = strdup(dsn))) {
            free(q);
            q = NULL;
            break;
        }
        pthread_mutex_init(&q->mu, NULL);
        pthread_cond_init(&q->cv, NULL);
        gc_all[i] = q;
    }
    if (q)
        q->refs++;
    pthread_mutex_unlock(&gc_list_mu);
    return q;
}

static void gc_put(struct gc_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&gc_list_mu);
    if (--q->refs == 0) {
        for (size_t i = 0; i < sizeof gc_all / sizeof gc_all[0]; i++)
            if (gc_all[i] == q)
                gc_all[i] = NULL;
        assert(!q->head && !q->leading);
        pthread_mutex_destroy(&q->mu);
        pthread_cond_destroy(&q->cv);
        free(q->dsn);
        free(q);
    }
    pthread_mutex_unlock(&gc_list_mu);
}

void hq_store_pg_group_stats(long long *groups, long long *pushes)
{
    *groups = *pushes = 0;
    pthread_mutex_lock(&gc_list_mu);
    for (size_t i = 0; i < sizeof gc_all / sizeof gc_all[0]; i++) {
        struct gc_queue *q = gc_all[i];
        if (!q)
            continue;
        pthread_mutex_lock(&q->mu);
        *groups += q->groups;
        *pushes += q->pushes;
        pthread_mutex_unlock(&q->mu);
    }
    pthread_mutex_unlock(&gc_list_mu);
}

/* Sends sql (not prepared) with a's parameters in the pipeline. */
static int pipe_send_sql(struct pg_store *p, const char *sql, const struct pa *a)
{
    if (PQsendQueryParams(p->conn, sql, a ? a->n : 0, NULL, a ? a->v : NULL, NULL, NULL, 0) !=
        1) {
        set_err(p, "pipeline send: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    if (++p->pipe_sent >= PIPE_MAX)
        return pipe_sync(p);
    return HQ_OK;
}

/* Syncs the pipeline and keeps the results of its n statements in out[]
 * (NULL for one that failed or was skipped after a failure); returns the
 * first error, or HQ_OK. The caller clears out[]. */
static int pipe_collect(struct pg_store *p, PGresult **out, int n)
{
    int rc = HQ_OK, k = 0, nulls = 0;
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (PQpipelineSync(p->conn) != 1) {
        set_err(p, "pipeline sync: %s", PQerrorMessage(p->conn));
        return HQ_E_IO;
    }
    for (;;) {
        PGresult *r = PQgetResult(p->conn);
        if (!r) {
            if (PQstatus(p->conn) != CONNECTION_OK || ++nulls > n + 1) {
                set_err(p, "pipeline: %s", PQerrorMessage(p->conn));
                rc = HQ_E_IO;
                break;
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_FATAL_ERROR) {
            int f = fail(p, r, "push"); /* clears r */
            if (rc == HQ_OK)
                rc = f;
            r = NULL;
        } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            if (rc == HQ_OK) {
                set_err(p, "push: statement skipped");
                rc = HQ_E_IO;
            }
            PQclear(r);
            r = NULL;
        }
        if (k < n)
            out[k++] = r;
        else
            PQclear(r);
    }
    p->pipe_sent = 0;
    return rc;
}

/* Order of state rows for state_newest: table, device, id, ident, then the
 * newest (epoch, seq) first, then the order given (the row's position). */
struct srow {
    const struct hq_state_row *r;
    long long ident;
    size_t pos;
};

static int srow_cmp(const void *x, const void *y)
{
    const struct srow *a = x, *b = y;
    int c;
    if (a->r->t != b->r->t)
        return a->r->t < b->r->t ? -1 : 1;
    if ((c = strcmp(a->r->device_id ? a->r->device_id : "",
                    b->r->device_id ? b->r->device_id : "")) != 0)
        return c;
    if (a->r->id != b->r->id)
        return a->r->id < b->r->id ? -1 : 1;
    if (a->ident != b->ident)
        return a->ident < b->ident ? -1 : 1;
    if (a->r->epoch != b->r->epoch)
        return a->r->epoch > b->r->epoch ? -1 : 1;
    if (a->r->seq != b->r->seq)
        return a->r->seq > b->r->seq ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Keeps of sr[0..n) only the row the upsert would keep for each key
 * (device, id, ident) of each table - the newest (epoch, seq), the first of
 * equals, as state_set_sql's DISTINCT ON does - so a group's arrays carry
 * each ticket once, not once per version. Returns the rows kept (in key
 * order); on out of memory keeps them all (the statement dedupes too). */
static size_t state_newest(const struct hq_state_row **sr, size_t n)
{
    struct srow *v = n > 1 ? malloc(n * sizeof *v) : NULL;
    size_t k = 0;
    if (!v)
        return n;
    for (size_t i = 0; i < n; i++) {
        int c = hq_state_col(sr[i]->t, sr[i]->t->ident);
        v[i].r = sr[i];
        v[i].ident = c >= 0 ? sr[i]->v[c].i : 0;
        v[i].pos = i;
    }
    qsort(v, n, sizeof *v, srow_cmp);
    for (size_t i = 0; i < n; i++) {
        const struct srow *a = &v[i], *b = i > 0 ? &v[i - 1] : NULL;
        if (b && a->r->t == b->r->t && a->r->id == b->r->id && a->ident == b->ident &&
            strcmp(a->r->device_id ? a->r->device_id : "",
                   b->r->device_id ? b->r->device_id : "") == 0)
            continue; /* an older version of the key just kept */
        sr[k++] = v[i].r;
    }
    free(v);
    return k;
}

/* Applies the pushes P[0..n) (distinct devices, in device_id order) in one
 * transaction; sets each P[i]->rc and res. Returns HQ_OK when the
 * transaction committed, else the error (every push then has it, and
 * *commit_sent says whether COMMIT had gone out). */
static int group_apply(struct pg_store *p, struct gc_push **P, size_t n, int *commit_sent)
{
    PGresult *rs[1 + 3 * GROUP_MAX];
    int rc, nres = 1 + 3 * (int)n, piping = 0;
    size_t stored = 0, nstate = 0;
    struct pa a;

    assert(n >= 1 && n <= GROUP_MAX);
    *commit_sent = 0;
    memset(rs, 0, sizeof rs);
    for (size_t i = 0; i < n; i++) {
        memset(P[i]->res, 0, sizeof *P[i]->res);
        P[i]->rc = HQ_OK;
        P[i]->known = 0;
        P[i]->first = P[i]->end = P[i]->stored = 0;
    }
    if ((rc = ensure_conn(p)) != HQ_OK)
        goto out;
    { /* a pipeline sends only executions: the statements a push runs */
        static const int ids[] = {Q_NONCE_INS, Q_DEV_LOCK, Q_STREAM_GET, Q_ADV_LOCK, Q_QUAR_INS,
                                  Q_CMP_UPSERT, Q_STREAM_DEV, Q_DEV_PUSHED, Q_NONCE_DEL,
                                  Q_HEALTH};
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            if ((rc = prepare(p, ids[i], "push")) != HQ_OK)
                goto out;
    }
    if ((rc = prepare_state(p)) != HQ_OK)
        goto out;

    /* 1. begin, and for each push: its nonce, its device's lock, its stream */
    if ((rc = pipe_begin(p)) != HQ_OK)
        goto out;
    piping = 1;
    if (PQsendQueryParams(p->conn, "BEGIN ISOLATION LEVEL READ COMMITTED", 0, NULL, NULL, NULL,
                          NULL, 0) != 1) {
        set_err(p, "pipeline send: %s", PQerrorMessage(p->conn));
        rc = HQ_E_IO;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct hq_push_job *j = P[i]->j;
        static const int ids[3] = {Q_NONCE_INS, Q_DEV_LOCK, Q_STREAM_GET};
        for (int k = 0; k < 3; k++) {
            char name[16];
            memset(&a, 0, sizeof a);
            pa_txt(&a, j->device_id);
            if (k == 0) {
                pa_txt(&a, j->nonce);
                pa_int(&a, j->ts);
            } else if (k == 2) {
                pa_int(&a, j->batch->epoch);
            }
            snprintf(name, sizeof name, "q%d", ids[k]);
            if (PQsendQueryPrepared(p->conn, name, a.n, a.v, NULL, NULL, 0) != 1) {
                set_err(p, "pipeline send: %s", PQerrorMessage(p->conn));
                rc = HQ_E_IO;
                goto out;
            }
        }
    }
    rc = pipe_collect(p, rs, nres);
    piping = 0;
    if (PQexitPipelineMode(p->conn) != 1 && rc == HQ_OK) {
        set_err(p, "pipeline end: %s", PQerrorMessage(p->conn));
        rc = HQ_E_IO;
    }
    if (rc != HQ_OK)
        goto out;

    /* Decide each push on what it read; a device not enrolled (tools, tests)
     * is locked by its id instead, and its stream read again. */
    for (size_t i = 0; i < n; i++) {
        struct gc_push *g = P[i];
        const struct hq_batch *b = g->j->batch;
        PGresult *st = rs[1 + 3 * i + 2];
        long long high = 0;
        if (strcmp(PQcmdTuples(rs[1 + 3 * i]), "1") != 0) {
            g->rc = HQ_E_EXISTS;
            continue;
        }
        if (PQntuples(rs[1 + 3 * i + 1]) == 0) {
            PGresult *r;
            memset(&a, 0, sizeof a);
            pa_txt(&a, g->j->device_id);
            if (!(r = run(p, Q_ADV_LOCK, &a, "push lock", &rc)))
                goto out;
            PQclear(r);
            pa_int(&a, b->epoch);
            if (!(r = run(p, Q_STREAM_GET, &a, "stream", &rc)))
                goto out;
            PQclear(rs[1 + 3 * i + 2]);
            rs[1 + 3 * i + 2] = st = r;
        }
        if (PQntuples(st) == 1) {
            high = col_ll(st, 0, 0);
            g->known = 1;
        }
        g->rc = push_decide(b, high, g->known, g->res, &g->first, &g->end, &g->stored, &g->cur);
        if (g->rc != HQ_OK)
            continue; /* a gap: its nonce is taken back below */
        if (g->stored > 0 && (rc = month_ready(p, b->now)) != HQ_OK)
            goto out;
        stored += g->stored;
        for (size_t k = g->first; k < g->end; k++)
            if (!b->recs[k].quarantine && b->recs[k].state)
                nstate++;
    }

    /* 2. the log: every push's rows in one COPY */
    if (stored > 0) {
        struct copybuf buf = {0};
        if ((rc = copy_open(p)) != HQ_OK)
            goto out;
        for (size_t i = 0; i < n && rc == HQ_OK; i++)
            if (P[i]->rc == HQ_OK && P[i]->stored > 0)
                rc = copy_rows(p, &buf, P[i]->j->batch, P[i]->first, P[i]->end);
        rc = copy_close(p, &buf, rc, stored);
        free(buf.d);
        if (rc != HQ_OK)
            goto out;
    }

    /* 3. the rest and COMMIT in one pipeline */
    if ((rc = pipe_begin(p)) != HQ_OK)
        goto out;
    piping = 1;
    for (size_t i = 0; i < n && rc == HQ_OK; i++) {
        struct gc_push *g = P[i];
        const struct hq_batch *b = g->j->batch;
        if (g->rc == HQ_E_GAP) {
            memset(&a, 0, sizeof a);
            pa_txt(&a, g->j->device_id);
            pa_txt(&a, g->j->nonce);
            rc = pipe_send(p, Q_NONCE_DEL, &a);
            continue;
        }
        if (g->rc != HQ_OK)
            continue;
        for (size_t k = g->first; k < g->end && rc == HQ_OK; k++)
            if (b->recs[k].quarantine || b->recs[k].complaint)
                rc = put_extra(p, b, &b->recs[k]);
    }
    if (rc == HQ_OK && nstate > 0) { /* the group's state rows: one upsert per table */
        const struct hq_state_row **sr = calloc(nstate, sizeof *sr);
        size_t k = 0;
        if (!sr) {
            set_err(p, "state: out of memory");
            rc = HQ_E_IO;
        } else {
            for (size_t i = 0; i < n; i++) {
                const struct hq_batch *b = P[i]->j->batch;
                if (P[i]->rc != HQ_OK)
                    continue;
                for (size_t r = P[i]->first; r < P[i]->end; r++)
                    if (!b->recs[r].quarantine && b->recs[r].state)
                        sr[k++] = b->recs[r].state;
            }
            k = state_newest(sr, k);
            rc = pipe_states(p, NULL, sr, k);
            free(sr);
        }
    }
    for (size_t i = 0; i < n && rc == HQ_OK; i++) {
        struct gc_push *g = P[i];
        const struct hq_batch *b = g->j->batch;
        if (g->rc != HQ_OK)
            continue;
        memset(&a, 0, sizeof a);
        pa_txt(&a, b->device_id);
        if (g->res->applied > 0 || g->known) {
            pa_int(&a, b->epoch);
            pa_int(&a, g->cur);
            pa_int(&a, b->now);
            pa_int(&a, b->backlog);
            rc = pipe_send(p, Q_STREAM_DEV, &a);
        } else {
            pa_int(&a, b->now);
            pa_int(&a, b->backlog);
            rc = pipe_send(p, Q_DEV_PUSHED, &a);
        }
        if (rc == HQ_OK && g->j->health) { /* after the stream: under its device lock */
            health_params(&a, g->j->device_id, g->j->health, b->now);
            rc = pipe_send(p, Q_HEALTH, &a);
        }
    }
    for (size_t i = 0; i < n && rc == HQ_OK; i++)
        if (P[i]->rc == HQ_OK && P[i]->j->before_commit)
            P[i]->j->before_commit(P[i]->j->ctx);
    if (rc == HQ_OK) {
        *commit_sent = 1;
        rc = pipe_send_sql(p, "COMMIT", NULL);
    }
    rc = pipe_end(p, rc); /* an error before COMMIT aborted the rest */
    piping = 0;
    if (rc == HQ_OK)
        for (size_t i = 0; i < n; i++)
            if (P[i]->rc == HQ_OK)
                P[i]->res->high = (P[i]->res->applied > 0 || P[i]->known) ? P[i]->cur : 0;
out:
    for (int i = 0; i < nres; i++)
        PQclear(rs[i]);
    if (piping)
        rc = pipe_end(p, rc);
    if (rc != HQ_OK) {
        rollback(p);
        for (size_t i = 0; i < n; i++) {
            P[i]->rc = rc;
            snprintf(P[i]->err, sizeof P[i]->err, "%s", p->err);
        }
    }
    return rc;
}

/* Applies a group taken from the queue (see above) on p's connection. */
static void group_run(struct pg_store *p, struct gc_push **P, size_t n)
{
    int sent;
    /* device order (stable: insertion sort; n is small) */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(P[k - 1]->j->device_id, P[k]->j->device_id) > 0;
             k--) {
            struct gc_push *t = P[k];
            P[k] = P[k - 1];
            P[k - 1] = t;
        }
    if (group_apply(p, P, n, &sent) != HQ_OK && n > 1 && !sent)
        for (size_t i = 0; i < n; i++) /* one by one: a bad push fails alone */
            group_apply(p, &P[i], 1, &sent);
}

static int pg_push_commit(struct hq_store *s, const struct hq_push_job *j,
                          struct hq_push_result *res)
{
    struct pg_store *p = PG(s);
    struct gc_queue *q = p->gq;
    struct gc_push me, *mine = &me;

    memset(res, 0, sizeof *res);
    memset(&me, 0, sizeof me);
    me.j = j;
    me.res = res;
    if (p->in_tx) {
        set_err(p, "push: a transaction is already open on this handle");
        return HQ_E_INVALID;
    }
    if (!j->device_id || !j->nonce || !j->batch || j->batch->epoch < 1 ||
        strcmp(j->device_id, j->batch->device_id ? j->batch->device_id : "") != 0)
        return HQ_E_INVALID;
    if (!q) {
        group_run(p, &mine, 1);
        return me.rc;
    }
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = &me;
    else
        q->head = &me;
    q->tail = &me;
    while (!me.done) {
        if (q->leading >= GROUP_LEADERS || q->head == NULL) {
            pthread_cond_wait(&q->cv, &q->mu);
            continue;
        }
        /* lead: take the queue in order, one push per device, within the caps */
        struct gc_push *P[GROUP_MAX], **link = &q->head, *prev = NULL;
        size_t n = 0, rows = 0;
        while (*link && n < GROUP_MAX && (n == 0 || rows + (*link)->j->batch->n <= GROUP_ROWS)) {
            struct gc_push *g = *link;
            int dup = 0;
            for (size_t i = 0; i < n && !dup; i++)
                dup = strcmp(P[i]->j->device_id, g->j->device_id) == 0;
            if (dup) { /* the device's next push: the next group */
                prev = g;
                link = &g->next;
                continue;
            }
            *link = g->next;
            if (q->tail == g)
                q->tail = prev;
            g->next = NULL;
            P[n++] = g;
            rows += g->j->batch->n;
        }
        q->leading++;
        pthread_mutex_unlock(&q->mu);
        group_run(p, P, n);
        pthread_mutex_lock(&q->mu);
        for (size_t i = 0; i < n; i++)
            P[i]->done = 1;
        q->groups++;
        q->pushes += (long long)n;
        q->leading--;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    if (me.rc != HQ_OK && me.rc != HQ_E_EXISTS && me.rc != HQ_E_GAP)
        set_err(p, "%s", me.err);
    return me.rc;
}

static const char *pg_errmsg(struct hq_store *s)
{
    return PG(s)->err;
}

/* Writes a device's branch, key and enrolment time: a new row (reenroll 0:
 * HQ_E_EXISTS when the id is taken) or the known device's row again, its
 * revocation lifted (reenroll 1: HQ_E_NOTFOUND when unknown). The one body
 * of pg_device_register and pg_device_reenroll. */
static int device_put(struct hq_store *s, int reenroll, const char *device_id,
                      const char *branch, const unsigned char pubkey[HQ_PUBKEY_BYTES],
                      long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    char k[2 * HQ_PUBKEY_BYTES + 1];
    long long n = 0;
    int rc;
    if ((rc = op_alone(p)) != HQ_OK)
        return rc;
    hex(pubkey, HQ_PUBKEY_BYTES, k);
    pa_txt(&a, device_id);
    pa_txt(&a, branch);
    pa_txt(&a, k);
    pa_int(&a, now);
    if (reenroll)
        rc = run_sql_cmd(p, "UPDATE device SET branch = $2, pubkey = decode($3, 'hex'),"
                         " enrolled_at = $4, revoked_at = 0 WHERE device_id = $1",
                         &a, "device re-enrol", &n);
    else /* ON CONFLICT DO NOTHING: a taken id must not abort the caller's transaction */
        rc = run_cmd(p, Q_DEV_INS, &a, "device register", &n);
    if (rc != HQ_OK)
        return rc;
    if (n == 1)
        return HQ_OK;
    return reenroll ? HQ_E_NOTFOUND : HQ_E_EXISTS;
}

static int pg_device_reenroll(struct hq_store *s, const char *device_id, const char *branch,
                              const unsigned char pubkey[HQ_PUBKEY_BYTES], long long now)
{
    return device_put(s, 1, device_id, branch, pubkey, now);
}

static int pg_change_put(struct hq_store *s, const char *branch, const char *device_id,
                         const char *kind, const char *key, const char *value_json,
                         long long now)
{
    struct pg_store *p = PG(s);
    struct pa a = {0};
    int own, rc;

    if ((rc = op_begin(p, &own)) != HQ_OK)
        return rc;
    if ((rc = change_lock(p)) != HQ_OK)
        return op_end(p, own, rc);
    pa_txt(&a, branch ? branch : "");
    pa_txt(&a, device_id ? device_id : "");
    pa_txt(&a, kind);
    pa_txt(&a, key);
    pa_txt(&a, value_json);
    pa_int(&a, now);
    rc = run_cmd(p, Q_CHANGE_INS, &a, "change", NULL);
    return op_end(p, own, rc);
}

const struct hq_store_ops hq_store_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .begin_read = pg_begin_read,
    .rollback = pg_rollback,
    .token_create = pg_token_create,
    .token_consume = pg_token_consume,
    .device_register = pg_device_register,
    .device_lookup = pg_device_lookup,
    .device_revoke = pg_device_revoke,
    .nonce_put = pg_nonce_put,
    .nonce_prune = pg_nonce_prune,
    .push_apply = pg_push_apply,
    .pull = pg_pull,
    .config_set = pg_config_set,
    .complaint_list = pg_complaint_list,
    .complaint_get = pg_complaint_get,
    .complaint_advance = pg_complaint_advance,
    .records = pg_records,
    .stats = pg_stats,
    .totals = pg_totals,
    .state_put = pg_state_put,
    .state_clear = pg_state_clear,
    .complaint_rebuild = pg_complaint_rebuild,
    .state_each = pg_state_each,
    .log_page = pg_log_page,
    .report_complaints = pg_report_complaints,
    .config_get = pg_config_get,
    .health_put = pg_health_put,
    .fleet = pg_fleet,
    .setting_get = pg_setting_get,
    .setting_set = pg_setting_set,
    .audit_put = pg_audit_put,
    .pii_erase = pg_pii_erase,
    .pii_find = pg_pii_find,
    .log_prepare = pg_log_prepare,
    .log_archive = pg_log_archive,
    .sql = pg_sql,
    .push_commit = pg_push_commit,
    .errmsg = pg_errmsg,
    .device_reenroll = pg_device_reenroll,
    .change_put = pg_change_put,
};
