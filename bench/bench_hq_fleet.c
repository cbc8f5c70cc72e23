/* bench_hq_fleet.c - head office at fleet scale on PostgreSQL (issue 10):
 * B branches (one kiosk each) x D days of kiosk activity, about 600 record
 * versions per kiosk-day (tickets with their four versions and three events,
 * visitors signing in and out, ratings, a complaint every other day, audit
 * lines), received on the days they happened (so the log's monthly
 * partitions fill as over a real year). Prints, from one run on a
 * temporary PostgreSQL cluster:
 *   1. ingest through the real push path - hq_push_parse, then push_commit
 *      (nonce, log COPY, state-table upserts, complaints, quarantine,
 *      health, commit, several devices' pushes sharing one transaction: the
 *      group commit of hq_store_pg.c): what POST /v1/push does after the
 *      signature check - as a ratio of a plain COPY of the same rows into a
 *      table shaped as the log (LIKE record INCLUDING ALL: record is text,
 *      the log's key and indexes; only the monthly partitions left out),
 *      both with the same number of connections (threads: the push path's
 *      store handles, as the server's --threads) and the same durability
 *      (fsync and synchronous_commit on); goal >= 0.6;
 *   2. the month report for all branches (hq_report_build), best of 3
 *      (goal < 2 s);
 *   3. database size per kiosk-year, and the projection to B x 365 days;
 *   4. what each way in cost, whatever the load of the box: CPU of the
 *      PostgreSQL processes (from /proc: the postmaster, its live and its
 *      ended children) and of this process per 1,000 records, WAL bytes per
 *      record, and the push threads' CPU in hq_push_parse/hq_push_free.
 * HTTP, gzip and Ed25519 are measured by bench_sync; this one is the store.
 * Usage: bench_hq_fleet [branches=100] [days=31] [threads=8] [compare]
 * ("compare" first runs the push path one transaction per push, as before
 * group commit, empties the tables, then runs it as the server does).
 * (bench/bench_hq_fleet.sh runs it; 100 x 365 takes hours on a small box.) */
#include "harness.h"
#include "hq_push.h"
#include "hq_report.h"
#include "hq_state.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <dirent.h>
#include <pwd.h>
#include <stdint.h>
#include <sys/resource.h>

#define PER_DAY_TICKETS 80
#define BATCH 400              /* rows per push, as the kiosk sends (SYNC_BATCH_ROWS) */
#define DAY0 1764547200LL      /* 2025-12-01 00:00 UTC: the simulated year starts here */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the simulated kiosks' records ---- */

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap ? b->cap * 2 : 1 << 16;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
}

/* One kiosk's state while its days are generated. */
struct kiosk {
    char dev[33];
    long long seq, ticket_id, event_id, visitor_id, rating_id, audit_id;
    unsigned rng;
    /* the day's records as (type, json) in seq order */
};

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

/* The pushes of one kiosk: bodies (plain JSON, as inside the gzip) of at
 * most BATCH records, and the same rows as COPY text. */
struct out {
    char **bodies;
    long long *recvs;         /* per body: when head office receives it */
    size_t *copy_end;         /* per body: where its rows end in copy */
    size_t n, cap;
    long long cur_recv;
    long long records;
    struct buf body;          /* the body being filled */
    int nrec;                 /* records in it */
    struct buf copy;
};

static const char *health_json =
    "{\"app_version\":\"0.1.0\",\"printer\":{\"known\":true,\"online\":true,"
    "\"paper_out\":false,\"paper_near_end\":false,\"cover_open\":false,\"message\":\"ready\"},"
    "\"print_failed\":0,\"backlog\":0,\"last_error\":\"\",\"uptime_s\":3600,"
    "\"disk_free_mb\":20000}";

static void close_body(struct out *o)
{
    if (o->nrec == 0)
        return;
    put(&o->body, "],\"health\":%s}", health_json);
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 1024;
        o->bodies = realloc(o->bodies, o->cap * sizeof *o->bodies);
        o->recvs = realloc(o->recvs, o->cap * sizeof *o->recvs);
        o->copy_end = realloc(o->copy_end, o->cap * sizeof *o->copy_end);
        if (!o->bodies || !o->recvs || !o->copy_end)
            abort();
    }
    o->recvs[o->n] = o->cur_recv;
    o->copy_end[o->n] = o->copy.len;
    o->bodies[o->n++] = o->body.p;
    o->records += o->nrec;
    memset(&o->body, 0, sizeof o->body);
    o->nrec = 0;
}

/* A record into the current body (and the COPY text). */
static void emit(struct kiosk *k, struct out *o, long long recv, const char *type,
                 const char *json)
{
    if (o->nrec == 0)
        put(&o->body, "{\"device_id\":\"%s\",\"epoch\":1,\"backlog\":0,\"records\":[", k->dev);
    o->cur_recv = recv;
    k->seq++;
    put(&o->body, "%s{\"seq\":%lld,\"type\":\"%s\",\"v\":1,\"record\":%s}", o->nrec ? "," : "",
        k->seq, type, json);
    o->nrec++;
    put(&o->copy, "%s\t1\t%lld\t%s\t1\t", k->dev, k->seq, type);
    size_t jl = strlen(json);
    if (o->copy.len + 2 * jl + 1 > o->copy.cap) {
        o->copy.cap = (o->copy.len + 2 * jl + 1) * 2;
        if (!(o->copy.p = realloc(o->copy.p, o->copy.cap)))
            abort();
    }
    for (const char *p = json; *p; p++) { /* COPY text escapes */
        if (*p == '\\' || *p == '\t' || *p == '\n') {
            o->copy.p[o->copy.len++] = '\\';
            o->copy.p[o->copy.len++] = *p == '\t' ? 't' : *p == '\n' ? 'n' : '\\';
        } else {
            o->copy.p[o->copy.len++] = *p;
        }
    }
    put(&o->copy, "\t%lld\n", recv);
    if (o->nrec >= BATCH)
        close_body(o);
}

static const char *num(char *b, long long v, int present)
{
    if (!present)
        return "null";
    snprintf(b, 24, "%lld", v);
    return b;
}

/* One kiosk-day: ~600 record versions, received that evening. */
static void gen_day(struct kiosk *k, int day, struct out *o)
{
    long long d0 = DAY0 + (long long)day * 86400 - 8 * 3600; /* local midnight, UTC+8 */
    long long recv = d0 + 22 * 3600;
    char bday[16], js[1024], n1[24], n2[24], n3[24];
    time_t t = (time_t)(d0 + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(bday, sizeof bday, "%Y-%m-%d", &tm);
    for (int i = 0; i < PER_DAY_TICKETS; i++) {
        long long at = d0 + 9 * 3600 + (long long)i * 360 + rnd(&k->rng) % 300;
        long long called = at + 60 + rnd(&k->rng) % 900, serving = called + 30,
                  done = serving + 120 + rnd(&k->rng) % 600;
        int svc = rnd(&k->rng) % 3, noshow = rnd(&k->rng) % 20 == 0;
        char code = (char)('A' + svc);
        long long tid = ++k->ticket_id;
        static const char *const states[] = {"waiting", "called", "serving", "done"};
        long long times[4] = {at, called, serving, done};
        for (int v = 0; v < 4; v++) {
            const char *st = noshow && v == 3 ? "noshow" : states[v];
            if (noshow && v == 2)
                continue;
            snprintf(js, sizeof js,
                     "{\"id\":%lld,\"bday\":\"%s\",\"issued_service\":\"%c\",\"service\":\"%c\","
                     "\"number\":%d,\"label\":\"%c%03d\",\"priority\":0,\"state\":\"%s\","
                     "\"counter\":%s,\"recalls\":0,\"transfers\":0,\"issued_at\":%lld,"
                     "\"called_at\":%s,\"serving_at\":%s,\"finished_at\":%s}",
                     tid, bday, code, code, i + 1, code, i + 1, st, v ? "1" : "null", at,
                     num(n1, called, v >= 1), num(n2, serving, v >= 2 && !noshow),
                     num(n3, done, v >= 3 && !noshow));
            emit(k, o, recv, "ticket", js);
            if (v > 0) {
                snprintf(js, sizeof js,
                         "{\"id\":%lld,\"ticket\":%lld,\"at\":%lld,\"event\":\"%s\","
                         "\"counter\":1,\"service\":null,\"actor\":\"staff-%d\"}",
                         ++k->event_id, tid, times[v], st, i % 3);
                emit(k, o, recv, "ticket_event", js);
            }
        }
        if (i % 10 == 0) {
            snprintf(js, sizeof js,
                     "{\"id\":%lld,\"ticket\":%lld,\"counter\":1,\"service\":%d,\"attitude\":%d,"
                     "\"result\":%d,\"comment\":\"ok\",\"at\":%lld,\"complaint\":null}",
                     ++k->rating_id, tid, 1 + rnd(&k->rng) % 4, 1 + rnd(&k->rng) % 4,
                     1 + rnd(&k->rng) % 4, done + 60);
            emit(k, o, recv, "rating", js);
        }
        if (i % 16 == 0) {
            snprintf(js, sizeof js, "{\"id\":%lld,\"at\":%lld,\"actor\":\"staff\","
                     "\"action\":\"call_next\",\"subject\":\"%c%03d\",\"detail\":\"\"}",
                     ++k->audit_id, called, code, i + 1);
            emit(k, o, recv, "audit", js);
        }
    }
    for (int i = 0; i < 15; i++) { /* visitors: sign in, sign out */
        long long in = d0 + 9 * 3600 + (long long)i * 1800, vid = ++k->visitor_id;
        for (int v = 0; v < 2; v++) {
            snprintf(js, sizeof js,
                     "{\"id\":%lld,\"bday\":\"%s\",\"badge\":\"V%04d\",\"name\":\"访客%lld\","
                     "\"phone\":\"138%08lld\",\"company\":\"ACME\",\"host\":\"王经理\","
                     "\"purpose\":\"meeting\",\"signed_in_at\":%lld,\"signed_out_at\":%s,"
                     "\"signout_how\":%s}",
                     vid, bday, i + 1, vid, vid % 100000000, in, num(n1, in + 3600, v),
                     v ? "\"staff\"" : "null");
            emit(k, o, recv, "visitor", js);
        }
    }
    if (day % 2 == 0) {
        snprintf(js, sizeof js,
                 "{\"id\":%d,\"ref\":\"%.6s%08d\",\"category\":\"service\",\"description\":"
                 "\"排队太久\",\"contact_name\":\"张三\",\"contact_phone\":\"13900000000\","
                 "\"consent\":1,\"ticket\":null,\"received_at\":%lld,\"feedback_due\":%lld,"
                 "\"severity\":null,\"valid\":null,\"state\":\"received\",\"department\":\"\","
                 "\"resolution\":\"\",\"close_reason\":\"\",\"stat_category\":\"\","
                 "\"updated_at\":%lld}",
                 day / 2 + 1, k->dev + 26, day, d0 + 12 * 3600, d0 + 36 * 3600, d0 + 12 * 3600);
        emit(k, o, recv, "complaint", js);
    }
}

/* ---- a temporary PostgreSQL cluster (as bench_sync.c) ---- */

static char pg_dir[600], pg_bin[256];

static int run(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* initdb + pg_ctl start on a unix socket in the temp dir, durable
 * (fsync on), as the postgres user when running as root. */
static int pg_start(char *dsn, size_t len)
{
    char cmd[4096], as[64] = "";
    const char *bins[] = {"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
                          "/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin"};
    for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s/initdb", bins[i]);
        if (access(cmd, X_OK) == 0) {
            snprintf(pg_bin, sizeof pg_bin, "%s", bins[i]);
            break;
        }
    }
    if (!pg_bin[0])
        return -1;
    h_path(pg_dir, sizeof pg_dir, "pg");
    if (geteuid() == 0) {
        if (!getpwnam("postgres"))
            return -1;
        snprintf(as, sizeof as, "runuser -u postgres -- ");
        snprintf(cmd, sizeof cmd, "chmod 755 '%s' && mkdir -p '%s' && chown postgres '%s'",
                 h_dir, pg_dir, pg_dir);
        if (run(cmd) != 0)
            return -1;
    }
    int port = 20000 + (int)(getpid() % 20000);
    snprintf(cmd, sizeof cmd,
             "%s'%s/initdb' -D '%s' -U postgres --auth=trust -E UTF8 --locale=C >/dev/null 2>&1"
             " && %s'%s/pg_ctl' -D '%s' -o \"-k '%s' -p %d -c listen_addresses='' "
             "-c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c max_wal_size=4GB\""
             " -l '%s/log' -w start >/dev/null 2>&1",
             as, pg_bin, pg_dir, as, pg_bin, pg_dir, pg_dir, port, pg_dir);
    if (run(cmd) != 0)
        return -1;
    snprintf(dsn, len, "postgresql://postgres@/postgres?host=%s&port=%d", pg_dir, port);
    return 0;
}

static void pg_stop(void)
{
    char cmd[1024];
    if (!pg_bin[0] || !pg_dir[0])
        return;
    snprintf(cmd, sizeof cmd, "%s'%s/pg_ctl' -D '%s' -m fast stop >/dev/null 2>&1",
             geteuid() == 0 ? "runuser -u postgres -- " : "", pg_bin, pg_dir);
    run(cmd);
}

/* The machine's load average (the box is shared: say how busy it was). */
static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static long long pg_ll(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = PQresultStatus(r) == PGRES_TUPLES_OK ? atoll(PQgetvalue(r, 0, 0)) : -1;
    if (v < 0)
        fprintf(stderr, "pg: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return v;
}

/* CPU seconds (user + sys) spent by the cluster so far: the postmaster with
 * its reaped children (backends that have ended) and its live children
 * (backends, checkpointer, WAL writer...), from /proc. -1 when unreadable. */
static double pg_cpu(void)
{
    char path[700], line[1024];
    long long pm = 0, ticks = 0;
    FILE *f;
    snprintf(path, sizeof path, "%s/postmaster.pid", pg_dir);
    if (!(f = fopen(path, "r")))
        return -1;
    if (fscanf(f, "%lld", &pm) != 1)
        pm = 0;
    fclose(f);
    DIR *d = opendir("/proc");
    struct dirent *e;
    if (!d || pm <= 0) {
        if (d)
            closedir(d);
        return -1;
    }
    while ((e = readdir(d))) {
        long long pid = atoll(e->d_name), ppid, ut, st, cut, cst;
        if (pid <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%lld/stat", pid);
        if (!(f = fopen(path, "r")))
            continue;
        char *rp = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
        fclose(f);
        /* after "pid (comm)": state ppid pgrp session tty tpgid flags minflt
         * cminflt majflt cmajflt utime stime cutime cstime */
        if (!rp || sscanf(rp + 2, "%*c %lld %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld %lld %lld",
                          &ppid, &ut, &st, &cut, &cst) != 5)
            continue;
        if (pid == pm)
            ticks += ut + st + cut + cst;
        else if (ppid == pm)
            ticks += ut + st;
    }
    closedir(d);
    return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* What a phase cost, independent of how busy the box was: CPU of the
 * PostgreSQL processes and of this process (the client: parse, COPY text,
 * arrays), WAL written. */
struct cost {
    double pg_cpu, cl_cpu;
    long long wal;
};

static double self_cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static long long pg_ll(PGconn *c, const char *sql);

static void cost_mark(PGconn *c, struct cost *k)
{
    usleep(200000); /* ended backends reaped by the postmaster */
    k->pg_cpu = pg_cpu();
    k->cl_cpu = self_cpu();
    k->wal = pg_ll(c, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint");
}

/* Prints the cost of a phase between marks a and b over `records` rows. */
static void cost_print(const char *what, const struct cost *a, const struct cost *b,
                       long long records)
{
    double k = records > 0 ? 1000.0 / (double)records : 0;
    printf("  cost %-16s postgres %6.1f ms CPU per 1,000 records, client %5.1f ms,"
           " WAL %5.0f bytes per record\n", what, (b->pg_cpu - a->pg_cpu) * 1000.0 * k,
           (b->cl_cpu - a->cl_cpu) * 1000.0 * k,
           records > 0 ? (double)(b->wal - a->wal) / (double)records : 0.0);
}

/* ---- the two ways in ---- */

struct worker {
    const char *dsn;
    struct out out;
    double secs;
    double parse_cpu;         /* this thread's CPU in hq_push_parse and hq_push_free */
    long long records;
    int failed;
};

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Plain COPY of the worker's rows into bench_copy (one statement). */
static void *copy_run(void *arg)
{
    struct worker *w = arg;
    PGconn *c = PQconnectdb(w->dsn);
    PGresult *r;
    double t0 = now_s();
    r = PQexec(c, "COPY bench_copy FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        fprintf(stderr, "copy: %s", PQerrorMessage(c));
        w->failed = 1;
    }
    PQclear(r);
    for (size_t off = 0; !w->failed && off < w->out.copy.len; off += 1 << 16) {
        size_t n = w->out.copy.len - off < (1u << 16) ? w->out.copy.len - off : 1u << 16;
        if (PQputCopyData(c, w->out.copy.p + off, (int)n) != 1)
            w->failed = 1;
    }
    PQputCopyEnd(c, NULL);
    while ((r = PQgetResult(c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "copy: %s", PQerrorMessage(c));
            w->failed = 1;
        }
        PQclear(r);
    }
    w->secs = now_s() - t0;
    PQfinish(c);
    return NULL;
}

/* The same rows, one COPY and one commit per push batch: the durability the
 * push path must have (a push is answered after its commit). */
static void *copy_batches_run(void *arg)
{
    struct worker *w = arg;
    PGconn *c = PQconnectdb(w->dsn);
    PGresult *r;
    size_t from = 0;
    double t0 = now_s();
    for (size_t i = 0; i < w->out.n && !w->failed; i++) {
        size_t to = w->out.copy_end[i];
        PQclear(PQexec(c, "BEGIN"));
        r = PQexec(c, "COPY bench_copy FROM STDIN");
        PQclear(r);
        if (PQputCopyData(c, w->out.copy.p + from, (int)(to - from)) != 1)
            w->failed = 1;
        PQputCopyEnd(c, NULL);
        while ((r = PQgetResult(c))) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                fprintf(stderr, "copy: %s", PQerrorMessage(c));
                w->failed = 1;
            }
            PQclear(r);
        }
        PQclear(PQexec(c, "COMMIT"));
        from = to;
    }
    w->secs = now_s() - t0;
    PQfinish(c);
    return NULL;
}

/* 1: each push in its own transaction (begin, nonce, apply, health, commit),
 * as before group commit; set for the "compare" run. */
static int one_by_one;

/* The push path: what do_push does after the signature check. */
static void *push_run(void *arg)
{
    struct worker *w = arg;
    struct hq_store *s = NULL;
    char err[256];
    double t0 = now_s();
    if (hq_store_open(w->dsn, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "push: %s\n", err);
        w->failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < w->out.n && !w->failed; i++) {
        struct hq_push_msg m;
        struct hq_push_result res;
        char nonce[40];
        int rc;
        double c0 = thread_cpu();
        int prc = hq_push_parse(w->out.bodies[i], strlen(w->out.bodies[i]), 500, &m, err,
                                sizeof err);
        w->parse_cpu += thread_cpu() - c0;
        if (prc != 0) {
            fprintf(stderr, "push: %s\n", err);
            w->failed = 1;
            break;
        }
        m.batch.now = w->out.recvs[i];
        snprintf(nonce, sizeof nonce, "%016llx%016llx", (unsigned long long)i,
                 (unsigned long long)(uintptr_t)w);
        for (int attempt = 0;; attempt++) {
            if (s->ops->push_commit && !one_by_one) { /* as the server does: group commit */
                struct hq_push_job job = {m.device_id, nonce, m.batch.now, &m.batch,
                                          m.has_health ? &m.health : NULL, NULL, NULL};
                rc = s->ops->push_commit(s, &job, &res);
                if (rc == HQ_OK)
                    break;
                if (rc != HQ_E_BUSY || attempt > 4) {
                    fprintf(stderr, "push: %s: %s\n", hq_store_rcname(rc), s->ops->errmsg(s));
                    w->failed = 1;
                    break;
                }
                continue;
            }
            rc = s->ops->begin(s);
            if (rc == HQ_OK)
                rc = s->ops->nonce_put(s, m.device_id, nonce, m.batch.now);
            if (rc == HQ_OK)
                rc = s->ops->push_apply(s, &m.batch, &res);
            if (rc == HQ_OK && m.has_health)
                rc = s->ops->health_put(s, m.device_id, &m.health, m.batch.now);
            if (rc == HQ_OK)
                rc = s->ops->commit(s);
            if (rc == HQ_OK)
                break;
            s->ops->rollback(s);
            if (rc != HQ_E_BUSY || attempt > 4) {
                fprintf(stderr, "push: %s\n", s->ops->errmsg(s));
                w->failed = 1;
                break;
            }
        }
        if (rc == HQ_OK)
            w->records += (long long)res.applied;
        c0 = thread_cpu();
        hq_push_free(&m);
        w->parse_cpu += thread_cpu() - c0;
    }
    w->secs = now_s() - t0;
    hq_store_close(s);
    return NULL;
}

static double run_all(struct worker *ws, int n, void *(*fn)(void *))
{
    pthread_t th[64];
    double t0 = now_s();
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, fn, &ws[i]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    int branches = argc > 1 ? atoi(argv[1]) : 100;
    int days = argc > 2 ? atoi(argv[2]) : 31;
    int threads = argc > 3 ? atoi(argv[3]) : 8;
    int compare = argc > 4 && strcmp(argv[4], "compare") == 0;
    char dsn[800], err[512];
    struct hq_store *s = NULL;
    struct kiosk *ks;
    struct worker ws[64];
    long long total = 0;
    int failed = 0;

    if (branches < 1 || branches > 100000 || days < 1 || days > 3660 || threads < 1 ||
        threads > 64) {
        fprintf(stderr, "usage: bench_hq_fleet [branches=100] [days=31] [threads=8] [compare]\n");
        return 2;
    }
    hq_report_init();
    h_mkdir("fleet");
    if (pg_start(dsn, sizeof dsn) != 0) {
        fprintf(stderr, "bench_hq_fleet: no PostgreSQL server could be started\n");
        h_rmdir();
        return 1;
    }
    printf("bench_hq_fleet: %d branches x %d days, %d connections, PostgreSQL %s"
           " (fsync on; %ld cores, load average %.1f)\n", branches, days, threads, pg_bin,
           sysconf(_SC_NPROCESSORS_ONLN), loadavg());
    if (hq_store_open(dsn, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "bench_hq_fleet: %s\n", err);
        goto out;
    }
    ks = calloc((size_t)branches, sizeof *ks);
    for (int b = 0; b < branches; b++) {
        unsigned char pk[HQ_PUBKEY_BYTES] = {0};
        char branch[32];
        snprintf(ks[b].dev, sizeof ks[b].dev, "%032x", b + 1);
        ks[b].rng = (unsigned)b * 7919u + 1u;
        snprintf(branch, sizeof branch, "Branch %03d", b + 1);
        s->ops->device_register(s, ks[b].dev, branch, pk, DAY0 - 86400);
    }
    s->ops->config_set(s, NULL, "timezone", "\"Asia/Shanghai\"", DAY0 - 86400);
    /* the server's upkeep makes the months ahead; here the whole span at once */
    if (s->ops->log_prepare(s, DAY0 - 86400, DAY0 + (long long)(days + 1) * 86400) != HQ_OK) {
        fprintf(stderr, "bench_hq_fleet: %s\n", s->ops->errmsg(s));
        goto out;
    }

    /* The kiosks' days, spread over the workers by branch, day by day. */
    memset(ws, 0, sizeof ws);
    double g0 = now_s();
    for (int t = 0; t < threads; t++)
        ws[t].dsn = dsn;
    for (int d = 0; d < days; d++)
        for (int b = 0; b < branches; b++) {
            struct out *o = &ws[b % threads].out;
            gen_day(&ks[b], d, o);
            close_body(o); /* a kiosk pushes at least once a day */
        }
    for (int t = 0; t < threads; t++)
        total += ws[t].out.records;
    printf("generated %lld record versions (%.0f per kiosk-day) in %.1f s\n", total,
           (double)total / branches / days, now_s() - g0);

    /* 1. plain COPY into a keyed table: the yardstick */
    PGconn *c = PQconnectdb(dsn);
    /* the log's own shape: its columns and types (record is text, as head
     * office stores it, not jsonb), its primary key and its indexes; only
     * the monthly partitions are left out */
    PQclear(PQexec(c, "CREATE TABLE bench_copy (LIKE record INCLUDING ALL)"));
    {
        long long idx = pg_ll(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'bench_copy'");
        long long want = pg_ll(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'record'");
        if (idx != want) {
            fprintf(stderr, "bench_hq_fleet: the yardstick has %lld indexes, the log %lld\n", idx,
                    want);
            failed = 1;
        }
    }
    struct cost k0, k1, k2, k3, k4, k5;
    PQclear(PQexec(c, "CHECKPOINT"));
    cost_mark(c, &k0);
    double copy_secs = run_all(ws, threads, copy_run);
    cost_mark(c, &k1);
    for (int t = 0; t < threads; t++)
        failed |= ws[t].failed;
    long long copy_bytes = pg_ll(c, "SELECT pg_total_relation_size('bench_copy')");
    PQclear(PQexec(c, "TRUNCATE bench_copy"));
    PQclear(PQexec(c, "CHECKPOINT")); /* every phase starts after one */
    cost_mark(c, &k2);
    double copyb_secs = run_all(ws, threads, copy_batches_run);
    cost_mark(c, &k3);
    for (int t = 0; t < threads; t++)
        failed |= ws[t].failed;
    PQclear(PQexec(c, "DROP TABLE bench_copy"));
    PQclear(PQexec(c, "CHECKPOINT"));
    long long before = pg_ll(c, "SELECT pg_database_size(current_database())");

    /* 2. the push path: first, with "compare", one transaction per push (the
     * way before group commit), then emptied again */
    double solo_rate = 0;
    long long solo = 0;
    struct cost ks0, ks1;
    if (compare) {
        one_by_one = 1;
        cost_mark(c, &ks0);
        double secs = run_all(ws, threads, push_run);
        cost_mark(c, &ks1);
        one_by_one = 0;
        for (int t = 0; t < threads; t++) {
            failed |= ws[t].failed;
            solo += ws[t].records;
            ws[t].records = 0;
            ws[t].parse_cpu = 0;
        }
        solo_rate = (double)solo / secs;
        /* CASCADE: the console's tables (complaint_note, ...) refer to
         * complaint; without it the TRUNCATE failed whole, the nonces stayed
         * and every push of the second pass was refused as a replay */
        char sql[1024];
        size_t n = (size_t)snprintf(sql, sizeof sql, "TRUNCATE record, quarantine, stream, nonce,"
                                    " complaint, complaint_event, device_health");
        for (int i = 0; i < hq_state_ntables && n < sizeof sql; i++)
            n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s", hq_state_tables[i].table);
        if (n + sizeof " CASCADE" >= sizeof sql)
            abort();
        strcat(sql, " CASCADE");
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench_hq_fleet: %s: %s", sql, PQerrorMessage(c));
            PQclear(r);
            PQfinish(c);
            failed = 1;
            goto out;
        }
        PQclear(r);
        PQclear(PQexec(c, "CHECKPOINT"));
    }
    cost_mark(c, &k4);
    double push_secs = run_all(ws, threads, push_run);
    cost_mark(c, &k5);
    long long groups = 0, grouped = 0;
    hq_store_pg_group_stats(&groups, &grouped);
    long long pushed = 0;
    for (int t = 0; t < threads; t++) {
        failed |= ws[t].failed;
        pushed += ws[t].records;
    }
    PQclear(PQexec(c, "VACUUM ANALYZE"));
    long long after = pg_ll(c, "SELECT pg_database_size(current_database())");
    long long tickets = pg_ll(c, "SELECT count(*) FROM ticket_state");
    long long parts = pg_ll(c, "SELECT count(*) FROM pg_inherits WHERE inhparent ="
                               " 'record'::regclass");
    PQfinish(c);
    double copy_rate = (double)total / copy_secs, push_rate = (double)pushed / push_secs;
    printf("plain COPY        %9.0f rec/s (%lld rows, %.1f s, %.0f MB with its key)\n", copy_rate,
           total, copy_secs, (double)copy_bytes / 1048576.0);
    printf("push path         %9.0f rec/s (%lld rows, %.1f s: parse, nonce, log COPY into %lld"
           " monthly partitions, state upserts, complaints, health, commit per batch)\n",
           push_rate, pushed, push_secs, parts);
    if (groups > 0)
        printf("group commit      %9.2f pushes per transaction (%lld pushes in %lld commits)\n",
               (double)grouped / (double)groups, grouped, groups);
    if (compare)
        printf("push, 1 tx/push   %9.0f rec/s (before group commit, same run) -> %.2f of plain"
               " COPY\n",
               solo_rate, solo_rate / copy_rate);
    printf("ratio push/COPY   %9.2f   (against plain COPY, one transaction per connection;"
           " goal >= 0.6)%s\n", push_rate / copy_rate,
           failed || pushed != total ? "   (SOME BATCHES FAILED)" : "");
    size_t batches = 0;
    for (int t = 0; t < threads; t++)
        batches += ws[t].out.n;
    printf("COPY, commit/batch%9.0f rec/s (%zu commits, as durable as the pushes) -> push path"
           " ratio %.2f\n", (double)total / copyb_secs, batches,
           push_rate / ((double)total / copyb_secs));
    cost_print("plain COPY", &k0, &k1, total);
    cost_print("COPY per batch", &k2, &k3, total);
    if (compare)
        cost_print("push, 1 tx/push", &ks0, &ks1, solo);
    cost_print("push path", &k4, &k5, pushed);
    {
        double parse = 0;
        for (int t = 0; t < threads; t++)
            parse += ws[t].parse_cpu;
        printf("  of the push path's client CPU, hq_push_parse + hq_push_free (JSON, checks,"
               " state rows): %.1f ms per 1,000 records\n",
               pushed > 0 ? parse * 1e6 / (double)pushed : 0.0);
    }

    /* 3. the month report for every branch */
    char month[8];
    {
        time_t t = (time_t)(DAY0 + 8 * 3600);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(month, sizeof month, "%Y-%m", &tm);
    }
    double best = 1e9, issued = 0;
    for (int i = 0; i < 3; i++) {
        cJSON *rep = NULL;
        double t0 = now_s();
        if (hq_report_build(s, "month", month, NULL, &rep, err, sizeof err) != HQ_OK) {
            fprintf(stderr, "report: %s\n", err);
            break;
        }
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
        cJSON *tk = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "total"), "tickets");
        issued = cJSON_GetNumberValue(cJSON_GetObjectItem(tk, "issued"));
        cJSON_Delete(rep);
    }
    printf("month report      %9.3f s  (%s, all %d branches, %.0f tickets of %lld held;"
           " best of 3; goal < 2 s; load average %.1f)\n", best, month, branches, issued,
           tickets, loadavg());

    /* 4. size, and the projection to a year */
    double kiosk_years = (double)branches * days / 365.0;
    double per_ky = (double)(after - before) / kiosk_years;
    double year_rows = (double)total / days * 365.0;
    printf("database size     %9.0f MB for %.2f kiosk-years -> %.0f MB per kiosk-year\n",
           (double)(after - before) / 1048576.0, kiosk_years, per_ky / 1048576.0);
    printf("projection        %d branches x 365 days: %.1f M record versions, %.1f GB,"
           " ingest %.1f h of push-path time at this rate (%.1f rec/s needed on average,"
           " %.1f at a 10x peak)\n",
           branches, year_rows / 1e6, per_ky * branches / 1073741824.0,
           year_rows / push_rate / 3600.0, year_rows / (365.0 * 86400.0),
           year_rows / (365.0 * 86400.0) * 10);
out:
    hq_store_close(s);
    pg_stop();
    h_rmdir();
    return failed;
}
