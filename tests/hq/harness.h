/* harness.h - shared pieces of the head-office and sync tests: a temporary
 * directory, a kiosk database with the real schema (0001 + 0003) whose outbox
 * rows are also copied to outbox_history (so the test still knows the
 * kiosk's whole history after the sync worker deleted acknowledged rows), a
 * generator of kiosk activity that goes through the real triggers, a
 * frontdesk-hq server started on a free loopback port and killed at the end,
 * and the exact comparison of kiosk history against head office's records.
 * Needs FDHQ_BIN and FD_SCHEMA_DIR defined by CMake. */
#ifndef FD_TEST_HQ_HARNESS_H
#define FD_TEST_HQ_HARNESS_H
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hq_state.h"
#include "hq_store.h"

/* Not every test uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

static char h_dir[256]; /* the test's temporary directory */

static void h_path(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", h_dir, name);
}

static void h_mkdir(const char *tag)
{
    snprintf(h_dir, sizeof h_dir, "/tmp/fdtest-%s-XXXXXX", tag);
    if (!mkdtemp(h_dir)) {
        perror("mkdtemp");
        exit(2);
    }
}

static void h_rmdir(void)
{
    char cmd[300];
    if (h_dir[0] && strncmp(h_dir, "/tmp/fdtest-", 12) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", h_dir);
    }
}

/* Head office's database for a test: FDHQ_TEST_DB when set (tests/hq/pg.cmake
 * runs the test again with a PostgreSQL URI there), else a SQLite file. */
static void h_hq_db(char *out, size_t len, const char *name)
{
    const char *env = getenv("FDHQ_TEST_DB");
    if (env && *env)
        snprintf(out, len, "%s", env);
    else
        h_path(out, len, name);
}

static int h_hq_is_sqlite(const char *db)
{
    return strncmp(db, "postgres", 8) != 0;
}

static int h_snap_dev(void *ctx, const struct hq_dev_stat *d)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 1024 - n, " %.8s:%lld/%lld/%lld/%lld", d->device_id, d->last_push,
             d->backlog, d->quarantined, d->revoked_at);
    return 0;
}

/* What head office holds, through the store interface (any backend), as one
 * comparable string (1024 bytes): totals and every device's figures. */
static void h_hq_snapshot(const char *db, char out[1024])
{
    struct hq_store *s = NULL;
    struct hq_totals t;
    char err[256];
    out[0] = '\0';
    if (hq_store_open(db, &s, err, sizeof err) != HQ_OK) {
        snprintf(out, 1024, "cannot open: %s", err);
        return;
    }
    if (s->ops->totals(s, &t) == HQ_OK)
        snprintf(out, 1024, "dev=%lld rec=%lld q=%lld open=%lld", t.devices, t.records,
                 t.quarantined, t.complaints_open);
    s->ops->stats(s, h_snap_dev, NULL, out);
    hq_store_close(s);
}

static char *h_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
        buf[n] = '\0';
    else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int h_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sql failed: %s\n  %.200s\n", msg ? msg : "?", sql);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static long long h_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

/* The test-only copy of every outbox row (the worker deletes acknowledged ones). */
static int h_history(sqlite3 *db)
{
    return h_exec(db, "CREATE TABLE outbox_history (seq INTEGER, epoch INTEGER,"
                      " type TEXT, schema_version INTEGER, record TEXT,"
                      " PRIMARY KEY (epoch, seq));"
                      "CREATE TRIGGER outbox_history_ins AFTER INSERT ON outbox BEGIN"
                      " INSERT INTO outbox_history VALUES (NEW.seq, NEW.epoch, NEW.type,"
                      " NEW.schema_version, NEW.record); END;");
}

/* Creates a kiosk database at path with the schema files and the history copy. */
static sqlite3 *h_kiosk_create(const char *path)
{
    static const char *const files[] = {"0001_init.sql", "0003_sync.sql"};
    sqlite3 *db = NULL;
    char p[512];
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return NULL;
    sqlite3_busy_timeout(db, 10000);
    h_exec(db, "PRAGMA journal_mode=WAL");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", FD_SCHEMA_DIR, files[i]);
        char *sql = h_slurp(p);
        if (!sql || h_exec(db, sql) != 0) {
            fprintf(stderr, "cannot apply %s\n", p);
            free(sql);
            sqlite3_close(db);
            return NULL;
        }
        free(sql);
    }
    h_exec(db, "INSERT OR IGNORE INTO meta(key, value) VALUES"
               " ('device_id', lower(hex(randomblob(16))))");
    h_history(db);
    h_exec(db, "INSERT INTO service(id, code, name_zh, name_en) VALUES"
               " (1, 'A', '综合业务', 'General'), (2, 'B', '投诉', 'Complaints');"
               "INSERT INTO counter(id, name) VALUES (1, 'Counter 1'), (2, 'Counter 2');"
               "INSERT INTO host(id, name, department) VALUES (1, '王经理', 'Sales');");
    return db;
}

static sqlite3 *h_kiosk_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

/* Simulates n visitors at the kiosk: tickets with their events, a visitor
 * registration, sometimes a complaint, a rating, an audit line; every write
 * goes through the schema's triggers as core's would. seed varies content. */
static int h_activity(sqlite3 *db, int n, int seed)
{
    char sql[2048];
    long long t0 = 1763900000 + (long long)seed * 100000;
    if (h_exec(db, "BEGIN") != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        long long at = t0 + i * 60;
        int svc = 1 + (i % 2);
        snprintf(sql, sizeof sql,
                 "INSERT INTO ticket(bday, issued_service_id, service_id, number, label,"
                 " issued_at) VALUES ('2026-11-%02d', %d, %d, %d, '%c%03d', %lld);"
                 "UPDATE ticket SET state = 'called', counter_id = 1, called_at = %lld"
                 " WHERE id = last_insert_rowid();"
                 "INSERT INTO ticket_event(ticket_id, at, event, counter_id, actor)"
                 " VALUES (last_insert_rowid(), %lld, 'called', 1, 'staff-%d');",
                 1 + seed % 28, svc, svc, seed * 100000 + i + 1, svc == 1 ? 'A' : 'B',
                 i % 1000, at, at + 30, at + 30, i % 3);
        if (h_exec(db, sql) != 0)
            goto fail;
        if (i % 3 == 0) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO visitor(bday, badge, name, phone, company, host_id,"
                     " host_name, purpose, signed_in_at) VALUES ('2026-11-%02d', 'V%d-%d',"
                     " '访客 \"%d\"', '1380000%04d', 'ACME\\n', 1, '王经理', 'meeting',"
                     " %lld)",
                     1 + seed % 28, seed, i, i, i % 10000, at);
            if (h_exec(db, sql) != 0)
                goto fail;
        }
        if (i % 7 == 0) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO complaint(ref, category, description, contact_name,"
                     " received_at, feedback_due, updated_at) VALUES ('%04d%010d',"
                     " 'service', '排队太久 %d', '张三', %lld, %lld, %lld)",
                     seed % 10000, i, i, at, at + 86400, at);
            if (h_exec(db, sql) != 0)
                goto fail;
        }
        if (i % 5 == 0) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO rating(ticket_id, counter_id, service, attitude, result,"
                     " comment, at) VALUES ((SELECT max(id) FROM ticket), 1, %d, %d, %d,"
                     " 'ok', %lld)",
                     1 + i % 4, 1 + (i / 2) % 4, 1 + (i / 3) % 4, at + 600);
            if (h_exec(db, sql) != 0)
                goto fail;
        }
        if (i % 11 == 0) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO audit(at, actor, action, subject) VALUES (%lld, 'staff',"
                     " 'call_next', 'A%03d')", at, i % 1000);
            if (h_exec(db, sql) != 0)
                goto fail;
        }
    }
    return h_exec(db, "COMMIT");
fail:
    h_exec(db, "ROLLBACK");
    return -1;
}

/* ---- the head-office server ---- */

struct h_server {
    pid_t pid;
    int port;
    char db[512];
};

/* Starts frontdesk-hq serve on 127.0.0.1:port (0 = a free one) with the given
 * FDHQ_FAULT (NULL = none) and extra args; waits for "listening on". */
static int h_server_start_bin(struct h_server *s, const char *bin, const char *db, int port,
                              const char *fault, const char *extra1, const char *extra2)
{
    int fd[2];
    char listen[64], line[256];
    FILE *f;
    snprintf(s->db, sizeof s->db, "%s", db);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    if (pipe(fd) != 0)
        return -1;
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (fault)
            setenv("FDHQ_FAULT", fault, 1);
        else
            unsetenv("FDHQ_FAULT");
        execl(bin, bin, "serve", "--db", db, "--listen", listen, "--threads", "4", extra1,
              extra2, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    f = fdopen(fd[0], "r");
    s->port = 0;
    if (f && fgets(line, sizeof line, f)) {
        char *c = strrchr(line, ':');
        if (strncmp(line, "listening on", 12) == 0 && c)
            s->port = atoi(c + 1);
    }
    if (f)
        fclose(f);
    if (s->port <= 0) {
        fprintf(stderr, "frontdesk-hq did not start\n");
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        return -1;
    }
    return 0;
}

static int h_server_start(struct h_server *s, const char *db, int port, const char *fault,
                          const char *extra1, const char *extra2)
{
    return h_server_start_bin(s, FDHQ_BIN, db, port, fault, extra1, extra2);
}

/* Stops it: SIGKILL when hard (a crash), else SIGTERM. Returns the wait status. */
static int h_server_stop(struct h_server *s, int hard)
{
    int st = 0;
    if (s->pid <= 0)
        return 0;
    kill(s->pid, hard ? SIGKILL : SIGTERM);
    waitpid(s->pid, &st, 0);
    s->pid = 0;
    return st;
}

static void h_url(const struct h_server *s, char *out, size_t len)
{
    snprintf(out, len, "http://127.0.0.1:%d", s->port);
}

/* Runs a frontdesk-hq command and returns its first output line in out. */
/* frontdesk-hq --db DB user add NAME --role R [--branch B], the password on
 * stdin. Returns pclose's status (0 when added). */
static int h_user_add(const char *db, const char *name, const char *role, const char *branch,
                      const char *pw)
{
    char cmd[2048];
    FILE *p;
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' user add '%s' --role %s%s%s%s", FDHQ_BIN, db,
             name, role, branch ? " --branch '" : "", branch ? branch : "", branch ? "'" : "");
    if (!(p = popen(cmd, "w")))
        return -1;
    fprintf(p, "%s\n", pw);
    return pclose(p);
}

static int h_one_ll(void *ctx, int ncol, const char *const *col)
{
    (void)ncol;
    *(long long *)ctx = col[0] ? atoll(col[0]) : 0;
    return 0;
}

/* One number from head office's database DB (any backend): the first column
 * of the first row of sql, with ?1 = p1 when p1 is not NULL; -2 when the
 * store does not open, -3 when the query fails. */
static long long h_hq_ll(const char *db, const char *sql, const char *p1)
{
    struct hq_store *s = NULL;
    char err[256];
    long long v = -1;
    struct hq_param p[1] = {{HQ_P_TEXT, 0, p1}};
    if (hq_store_open(db, &s, err, sizeof err) != HQ_OK)
        return -2;
    if (s->ops->sql(s, sql, p, p1 ? 1 : 0, h_one_ll, &v, NULL) != HQ_OK) {
        fprintf(stderr, "%s: %s\n", sql, s->ops->errmsg(s));
        v = -3;
    }
    hq_store_close(s);
    return v;
}

static int h_hq_cmd(const char *args, char *out, size_t len)
{
    char cmd[2048];
    FILE *p;
    int st;
    snprintf(cmd, sizeof cmd, "'%s' %s", FDHQ_BIN, args);
    p = popen(cmd, "r");
    if (!p)
        return -1;
    if (out) {
        out[0] = '\0';
        if (fgets(out, (int)len, p))
            out[strcspn(out, "\n")] = '\0';
    }
    while (fgetc(p) != EOF)
        ;
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs frontdesk-hq with args; its output into out, stderr too when
 * with_stderr (a caller that parses stdout as JSON leaves it out).
 * Returns its exit status, or -1 when it could not run. */
static int h_hq_read(const char *args, int with_stderr, char *out, size_t len)
{
    char cmd[2048];
    size_t n = 0;
    FILE *p;
    snprintf(cmd, sizeof cmd, "'%s' %s%s", FDHQ_BIN, args, with_stderr ? " 2>&1" : "");
    if (!(p = popen(cmd, "r")))
        return -1;
    while (n + 1 < len && (n += fread(out + n, 1, len - 1 - n, p)) > 0 && !feof(p))
        ;
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* h_hq_read with stderr: what a person at the terminal sees. */
static int h_hq_out(const char *args, char *out, size_t len)
{
    return h_hq_read(args, 1, out, len);
}

/* Prints an enrolment token for branch into tok. */
static int h_token(const char *db, const char *branch, char *tok, size_t len)
{
    char args[1024];
    snprintf(args, sizeof args, "--db '%s' enroll-token --branch '%s'", db, branch);
    return h_hq_cmd(args, tok, len) == 0 && strlen(tok) > 10 ? 0 : -1;
}

/* ---- comparing kiosk history with head office ---- */

struct h_cmp {
    sqlite3_stmt *hist;       /* the kiosk's history, in (epoch, seq) order */
    long long held, missing, extra, differ, dup;
    int hist_done;
};

static int h_cmp_one(void *ctx, const struct hq_held *h)
{
    struct h_cmp *c = ctx;
    c->held++;
    for (;;) {
        if (c->hist_done) {
            c->extra++;
            return 0;
        }
        long long ep = sqlite3_column_int64(c->hist, 1), seq = sqlite3_column_int64(c->hist, 0);
        if (ep < h->epoch || (ep == h->epoch && seq < h->seq)) {
            c->missing++; /* the kiosk has it, head office does not */
            c->hist_done = sqlite3_step(c->hist) != SQLITE_ROW;
            continue;
        }
        if (ep == h->epoch && seq == h->seq) {
            cJSON *a = cJSON_Parse((const char *)sqlite3_column_text(c->hist, 4));
            cJSON *b = cJSON_Parse(h->json);
            if (!a || !b || !cJSON_Compare(a, b, 1) ||
                strcmp((const char *)sqlite3_column_text(c->hist, 2), h->type) != 0 ||
                sqlite3_column_int(c->hist, 3) != h->schema_version || h->quarantined) {
                if (c->differ < 3)
                    fprintf(stderr, "differs at %lld/%lld: kiosk %s\n  hq %s\n", ep, seq,
                            (const char *)sqlite3_column_text(c->hist, 4), h->json);
                c->differ++;
            }
            cJSON_Delete(a);
            cJSON_Delete(b);
            c->hist_done = sqlite3_step(c->hist) != SQLITE_ROW;
            return 0;
        }
        c->extra++; /* head office has one the kiosk never made */
        return 0;
    }
}

/* ---- current state: what the pushes built equals a replay of the log ---- */

struct h_dump {
    char *p;
    size_t n, cap;
    long long rows;
};

/* Appends o (which it deletes) as one JSON line. */
static int h_dump_json(struct h_dump *d, cJSON *o)
{
    char *t = o ? cJSON_PrintUnformatted(o) : NULL;
    size_t k = t ? strlen(t) : 0;
    cJSON_Delete(o);
    if (!t)
        return -1;
    if (d->n + k + 2 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 65536;
        while (cap < d->n + k + 2)
            cap *= 2;
        char *np = realloc(d->p, cap);
        if (!np) {
            cJSON_free(t);
            return -1;
        }
        d->p = np;
        d->cap = cap;
    }
    memcpy(d->p + d->n, t, k);
    d->n += k;
    d->p[d->n++] = '\n';
    d->p[d->n] = '\0';
    d->rows++;
    cJSON_free(t);
    return 0;
}

static int h_dump_row(void *ctx, const struct hq_state_row *row)
{
    return h_dump_json(ctx, hq_state_row_json(row));
}

/* A complaint's kiosk-owned fields (the part a replay of the log decides). */
static int h_dump_complaint(void *ctx, const struct hq_complaint *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "device_id", c->device_id ? c->device_id : "");
    cJSON_AddStringToObject(o, "ref", c->ref ? c->ref : "");
    cJSON_AddStringToObject(o, "category", c->category ? c->category : "");
    cJSON_AddStringToObject(o, "description", c->description ? c->description : "");
    cJSON_AddNumberToObject(o, "received_at", (double)c->received_at);
    cJSON_AddNumberToObject(o, "feedback_due", (double)c->feedback_due);
    return h_dump_json(ctx, o);
}

/* Every state table of head office, then every complaint's kiosk-owned
 * fields, as JSON lines (malloc'd), rows counted. */
static char *h_state_dump(struct hq_store *s, long long *rows)
{
    struct h_dump d = {0};
    for (int i = 0; i < hq_state_ntables; i++)
        if (s->ops->state_each(s, &hq_state_tables[i], NULL, h_dump_row, &d) != HQ_OK) {
            fprintf(stderr, "state dump: %s\n", s->ops->errmsg(s));
            free(d.p);
            return NULL;
        }
    if (s->ops->complaint_list(s, NULL, NULL, 1 << 30, h_dump_complaint, &d) != HQ_OK) {
        fprintf(stderr, "state dump: %s\n", s->ops->errmsg(s));
        free(d.p);
        return NULL;
    }
    if (rows)
        *rows = d.rows;
    return d.p ? d.p : calloc(1, 1);
}

/* Rebuilds head office's state tables from its log and checks the result is
 * exactly what the pushes had built (call when no push is in flight).
 * Returns 0, or -1 after printing the first difference. */
static int h_state_replay_check(const char *hq_db, long long *rows_out)
{
    struct hq_store *s = NULL;
    char err[256], *before = NULL, *after = NULL;
    long long replayed = 0, skipped = 0, rows = 0;
    int rc = -1;
    if (hq_store_open(hq_db, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "state check: %s\n", err);
        return -1;
    }
    if (!(before = h_state_dump(s, &rows)) ||
        hq_state_rebuild(s, &replayed, &skipped, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "state check: %s\n", before ? err : "dump failed");
        goto out;
    }
    if (!(after = h_state_dump(s, NULL)))
        goto out;
    if (strcmp(before, after) != 0 || skipped != 0) {
        size_t i = 0;
        while (before[i] && before[i] == after[i])
            i++;
        while (i > 0 && before[i - 1] != '\n')
            i--;
        fprintf(stderr, "state check: the replay of %lld versions (%lld skipped) differs from"
                        " what the pushes built:\n  pushed %.300s\n  replay %.300s\n",
                replayed, skipped, before + i, after + i);
        goto out;
    }
    if (rows_out)
        *rows_out = rows;
    rc = 0;
out:
    free(before);
    free(after);
    hq_store_close(s);
    return rc;
}

/* Compares the kiosk's whole history with what head office holds for the
 * device: returns 0 when every row is there exactly once with the same
 * content, else prints what is missing/extra/different and returns -1.
 * Then checks head office's current state equals a replay of its log
 * (h_state_replay_check). */
static int h_compare(sqlite3 *kiosk, const char *hq_db, long long *rows_out)
{
    struct hq_store *s = NULL;
    struct h_cmp c;
    char err[256], dev[80] = "";
    sqlite3_stmt *st = NULL;
    int rc;

    memset(&c, 0, sizeof c);
    if (sqlite3_prepare_v2(kiosk, "SELECT value FROM meta WHERE key = 'device_id'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(dev, sizeof dev, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (hq_store_open(hq_db, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "compare: %s\n", err);
        return -1;
    }
    sqlite3_prepare_v2(kiosk, "SELECT seq, epoch, type, schema_version, record FROM"
                              " outbox_history ORDER BY epoch, seq", -1, &c.hist, NULL);
    c.hist_done = sqlite3_step(c.hist) != SQLITE_ROW;
    rc = s->ops->records(s, dev, 0, 0, 1 << 30, h_cmp_one, &c);
    while (!c.hist_done) {
        c.missing++;
        c.hist_done = sqlite3_step(c.hist) != SQLITE_ROW;
    }
    sqlite3_finalize(c.hist);
    hq_store_close(s);
    if (rows_out)
        *rows_out = c.held;
    if (rc != HQ_OK || c.missing || c.extra || c.differ) {
        fprintf(stderr, "compare: held %lld, missing %lld, extra %lld, differ %lld\n", c.held,
                c.missing, c.extra, c.differ);
        return -1;
    }
    long long state_rows = 0;
    if (h_state_replay_check(hq_db, &state_rows) != 0)
        return -1;
    if (state_rows == 0 && h_int(kiosk, "SELECT count(*) FROM outbox_history WHERE type IN"
                                        " ('ticket', 'visitor', 'rating', 'audit')") > 0) {
        fprintf(stderr, "compare: head office holds no current state for a kiosk that has\n");
        return -1;
    }
    return 0;
}

#endif
