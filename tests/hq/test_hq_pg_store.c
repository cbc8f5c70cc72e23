/* test_hq_pg_store.c - the PostgreSQL backend (hq_store_pg.c) against a real
 * server started by pg_harness.sh (FDHQ_PG_DSN): migrations (once, under a
 * version table, refused when the database is newer), tokens, devices,
 * nonces, pushes (ignore what is held, gaps, in-batch gaps, epoch_start,
 * quarantine, exact text through COPY, rollback writes nothing), complaints
 * and the change log branches pull, stats and totals; then the concurrency
 * the backend exists for: the same batch applied by several connections at
 * once is stored exactly once, a deadlock comes back as HQ_E_BUSY, a puller
 * misses no change while several handles write them, and a handle survives
 * a PostgreSQL restart. */
#include "check.h"
#include "hq_complaint.h"
#include "hq_push.h"
#include "hq_store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const int hq_pg_schema_count; /* schema files built in (hq_store_pg.c) */

static const char *dsn;
static PGconn *raw; /* a plain libpq connection to look behind the store */

static long long q_int(const char *sql)
{
    PGresult *r = PQexec(raw, sql);
    long long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        fprintf(stderr, "query failed: %s: %s", sql, PQerrorMessage(raw));
    PQclear(r);
    return v;
}

static void q_exec(const char *sql)
{
    PGresult *r = PQexec(raw, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "exec failed: %s: %s", sql, PQerrorMessage(raw));
    PQclear(r);
}

static struct hq_store *open_store(void)
{
    struct hq_store *s = NULL;
    char err[512];
    if (hq_store_open(dsn, &s, err, sizeof err) != HQ_OK)
        fprintf(stderr, "open: %s\n", err);
    return s;
}

/* Parses a push body and applies it (alone, or in a transaction when tx). */
static int push(struct hq_store *s, const char *json, long long now, int tx,
                struct hq_push_result *res)
{
    struct hq_push_msg m;
    char err[256];
    int rc;
    memset(&m, 0, sizeof m);
    if (hq_push_parse(json, strlen(json), 500, &m, err, sizeof err) != 0) {
        fprintf(stderr, "parse: %s\n", err);
        return -100;
    }
    m.batch.now = now;
    if (tx && (rc = s->ops->begin(s)) != HQ_OK)
        goto out;
    rc = s->ops->push_apply(s, &m.batch, res);
    if (tx) {
        if (rc == HQ_OK)
            rc = s->ops->commit(s);
        else
            s->ops->rollback(s);
    }
out:
    hq_push_free(&m);
    return rc;
}

/* A body of tickets seq from..to of epoch for device dev. */
static char *tickets(const char *dev, long long epoch, long long from, long long to)
{
    size_t cap = 256 + (size_t)(to - from + 1) * 224, len;
    char *b = malloc(cap);
    len = (size_t)snprintf(b, cap, "{\"device_id\":\"%s\",\"epoch\":%lld,\"backlog\":7,"
                                   "\"records\":[", dev, epoch);
    for (long long q = from; q <= to; q++)
        len += (size_t)snprintf(b + len, cap - len,
                                "%s{\"seq\":%lld,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":%lld,"
                                "\"bday\":\"2026-11-23\",\"issued_service\":\"A\",\"service\":\"A\","
                                "\"label\":\"A%03lld\",\"state\":\"waiting\","
                                "\"issued_at\":1763900000}}",
                                q == from ? "" : ",", q, q, q % 1000);
    snprintf(b + len, cap - len, "]}");
    return b;
}

struct held_list {
    long long n, seqs[64];
    int quar[64];
    char json[4][256];
};

static int on_held(void *ctx, const struct hq_held *h)
{
    struct held_list *l = ctx;
    if (l->n < 64) {
        l->seqs[l->n] = h->epoch * 1000 + h->seq;
        l->quar[l->n] = h->quarantined;
        if (l->n < 4)
            snprintf(l->json[l->n], sizeof l->json[0], "%s", h->json);
    }
    l->n++;
    return 0;
}

struct change_list {
    int n;
    char kinds[16][16], keys[16][32], values[16][512];
};

static int on_change(void *ctx, const struct hq_change *c)
{
    struct change_list *l = ctx;
    if (l->n < 16) {
        snprintf(l->kinds[l->n], sizeof l->kinds[0], "%s", c->kind);
        snprintf(l->keys[l->n], sizeof l->keys[0], "%s", c->key);
        snprintf(l->values[l->n], sizeof l->values[0], "%s", c->value);
    }
    l->n++;
    return 0;
}

struct cmp_seen {
    int n;
    long long id;
    char state[32], branch[64], category[64], severity[16], ref[32];
    int valid;
};

static int on_cmp(void *ctx, const struct hq_complaint *c)
{
    struct cmp_seen *k = ctx;
    k->n++;
    k->id = c->id;
    k->valid = c->valid;
    snprintf(k->state, sizeof k->state, "%s", c->state);
    snprintf(k->branch, sizeof k->branch, "%s", c->branch);
    snprintf(k->category, sizeof k->category, "%s", c->category);
    snprintf(k->severity, sizeof k->severity, "%s", c->severity ? c->severity : "(null)");
    snprintf(k->ref, sizeof k->ref, "%s", c->ref);
    return 0;
}

struct stat_seen {
    int devs;
    long long quarantined, tickets;
};

static int on_dev(void *ctx, const struct hq_dev_stat *d)
{
    struct stat_seen *s = ctx;
    s->devs++;
    s->quarantined += d->quarantined;
    return 0;
}

static int on_type(void *ctx, const struct hq_type_stat *t)
{
    struct stat_seen *s = ctx;
    if (strcmp(t->type, "ticket") == 0 && strcmp(t->branch, "North") == 0)
        s->tickets = t->records;
    return 0;
}

/* ---- concurrency ---- */

struct racer {
    const char *body;
    struct hq_push_result res;
    int rc;
    pthread_barrier_t *go;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct hq_store *s = open_store();
    if (!s) {
        r->rc = -99;
        return NULL;
    }
    pthread_barrier_wait(r->go);
    for (int attempt = 0; attempt < 5; attempt++) { /* as the server does on busy */
        r->rc = push(s, r->body, 1763900100, 1, &r->res);
        if (r->rc != HQ_E_BUSY)
            break;
    }
    hq_store_close(s);
    return NULL;
}

struct locker {
    struct hq_store *s;
    const char *body;
    int rc;
};

/* Second half of the deadlock: this handle already holds one device's lock
 * and now asks for the other's. */
static void *lock_second(void *arg)
{
    struct locker *l = arg;
    struct hq_push_msg m;
    struct hq_push_result res;
    char err[128];
    memset(&m, 0, sizeof m);
    hq_push_parse(l->body, strlen(l->body), 500, &m, err, sizeof err);
    m.batch.now = 1763900200;
    l->rc = l->s->ops->push_apply(l->s, &m.batch, &res);
    if (l->rc == HQ_OK)
        l->rc = l->s->ops->commit(l->s);
    else
        l->s->ops->rollback(l->s);
    hq_push_free(&m);
    return NULL;
}

/* Change-log writers and a puller at the same time: the puller's cursor
 * must never pass a change that commits later with a smaller id. */
enum { WRITERS = 3, WRITES = 80 };
static atomic_int writers_left;

static void *cfg_writer(void *arg)
{
    struct hq_store *s = open_store();
    char key[32];
    for (int i = 0; s && i < WRITES; i++) {
        snprintf(key, sizeof key, "k%d_%d", (int)(long)arg, i);
        if (s->ops->config_set(s, "Cfg", key, "1", 1) != HQ_OK)
            fprintf(stderr, "config_set: %s\n", s->ops->errmsg(s));
    }
    hq_store_close(s);
    atomic_fetch_sub(&writers_left, 1);
    return NULL;
}

struct seen {
    long long last, n, out_of_order;
};

static int on_seen(void *ctx, const struct hq_change *c)
{
    struct seen *z = ctx;
    if (c->id <= z->last)
        z->out_of_order++;
    z->last = c->id;
    z->n++;
    return 0;
}

int main(void)
{
    struct hq_store *s, *s2;
    struct hq_push_result res;
    struct hq_device dev;
    unsigned char h1[HQ_HASH_BYTES], h2[HQ_HASH_BYTES], pk[HQ_PUBKEY_BYTES];
    char branch[HQ_BRANCH_MAX + 1], err[256];
    char *body;
    const char *A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", *B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    dsn = getenv("FDHQ_PG_DSN");
    if (!dsn) {
        printf("FDHQ_PG_DSN not set (run through pg_harness.sh): skipped\n");
        return 77;
    }
    raw = PQconnectdb(dsn);
    CHECK(PQstatus(raw) == CONNECTION_OK);

    /* Migrations: applied once, recorded; opening again changes nothing. */
    s = open_store();
    CHECK(s != NULL);
    if (!s)
        return check_summary();
    CHECK_STR(s->ops->name, "postgresql");
    CHECK(q_int("SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = 'frontdesk-hq'") >= 1);
    CHECK_INT(q_int("SELECT count(*) FROM hq_schema_version"), hq_pg_schema_count);
    s2 = open_store();
    CHECK(s2 != NULL);
    hq_store_close(s2);
    CHECK_INT(q_int("SELECT count(*) FROM hq_schema_version"), hq_pg_schema_count);
    q_exec("INSERT INTO hq_schema_version(version, name) VALUES (99, 'future.sql')");
    s2 = NULL;
    CHECK_INT(hq_store_open(dsn, &s2, err, sizeof err), HQ_E_IO);
    CHECK(strstr(err, "schema version 99") != NULL);
    q_exec("DELETE FROM hq_schema_version WHERE version = 99");

    /* Tokens: single use, expire. */
    memset(h1, 1, sizeof h1);
    memset(h2, 2, sizeof h2);
    CHECK_INT(s->ops->token_create(s, h1, "North", 1000, 2000), HQ_OK);
    CHECK_INT(s->ops->token_create(s, h2, "South", 1000, 1500), HQ_OK);
    CHECK_INT(s->ops->token_consume(s, h1, 1100, branch), HQ_OK);
    CHECK_STR(branch, "North");
    CHECK_INT(s->ops->token_consume(s, h1, 1100, branch), HQ_E_NOTFOUND);
    CHECK_INT(s->ops->token_consume(s, h2, 1600, branch), HQ_E_NOTFOUND); /* expired */
    memset(h2, 3, sizeof h2);
    CHECK_INT(s->ops->token_consume(s, h2, 1100, branch), HQ_E_NOTFOUND);

    /* Devices. A taken id inside a transaction says EXISTS and the
     * transaction goes on (PostgreSQL aborts a transaction on an error). */
    for (int i = 0; i < HQ_PUBKEY_BYTES; i++)
        pk[i] = (unsigned char)(i * 7 + 1);
    CHECK_INT(s->ops->device_register(s, A, "North", pk, 1200), HQ_OK);
    CHECK_INT(s->ops->begin(s), HQ_OK);
    CHECK_INT(s->ops->device_register(s, A, "South", pk, 1200), HQ_E_EXISTS);
    CHECK_INT(s->ops->device_register(s, B, "South", pk, 1200), HQ_OK);
    CHECK_INT(s->ops->commit(s), HQ_OK);
    CHECK_INT(s->ops->device_lookup(s, A, &dev), HQ_OK);
    CHECK_STR(dev.branch, "North");
    CHECK(memcmp(dev.pubkey, pk, sizeof pk) == 0);
    CHECK_INT(dev.enrolled_at, 1200);
    CHECK_INT(dev.revoked_at, 0);
    CHECK_INT(s->ops->device_lookup(s, "cccc", &dev), HQ_E_NOTFOUND);
    CHECK_INT(s->ops->device_revoke(s, "cccc", 1300), HQ_E_NOTFOUND);

    /* Nonces. */
    CHECK_INT(s->ops->nonce_put(s, A, "n1", 1000), HQ_OK);
    CHECK_INT(s->ops->nonce_put(s, A, "n1", 1001), HQ_E_EXISTS);
    CHECK_INT(s->ops->nonce_put(s, B, "n1", 1001), HQ_OK);
    CHECK_INT(s->ops->nonce_put(s, A, "n2", 2000), HQ_OK);
    CHECK_INT(s->ops->nonce_prune(s, 1500), HQ_OK);
    CHECK_INT(q_int("SELECT count(*) FROM nonce"), 1);
    CHECK_INT(s->ops->nonce_put(s, A, "n1", 1001), HQ_OK); /* forgotten: too old anyway */

    /* Pushes: contiguous seq, held rows ignored, gaps refused. */
    body = tickets(A, 1, 1, 5);
    CHECK_INT(push(s, body, 1763900000, 0, &res), HQ_OK);
    CHECK_INT(res.high, 5);
    CHECK_INT(res.applied, 5);
    CHECK_INT(push(s, body, 1763900000, 1, &res), HQ_OK);
    CHECK_INT(res.high, 5);
    CHECK_INT(res.applied, 0);
    CHECK_INT(res.ignored, 5);
    free(body);
    body = tickets(A, 1, 4, 8);
    CHECK_INT(push(s, body, 1763900001, 1, &res), HQ_OK);
    CHECK_INT(res.high, 8);
    CHECK_INT(res.applied, 3);
    CHECK_INT(res.ignored, 2);
    free(body);
    body = tickets(A, 1, 10, 12);
    CHECK_INT(push(s, body, 1763900002, 1, &res), HQ_E_GAP);
    CHECK_INT(res.expected, 9);
    CHECK_INT(res.high, 8);
    free(body);
    CHECK_INT(q_int("SELECT count(*) FROM record"), 8);
    /* In a transaction the caller rolls back: nothing stays. */
    body = tickets(A, 1, 9, 9);
    CHECK_INT(s->ops->begin(s), HQ_OK);
    {
        struct hq_push_msg m;
        memset(&m, 0, sizeof m);
        CHECK(hq_push_parse(body, strlen(body), 500, &m, err, sizeof err) == 0);
        m.batch.now = 5;
        CHECK_INT(s->ops->push_apply(s, &m.batch, &res), HQ_OK);
        CHECK_INT(res.high, 9);
        hq_push_free(&m);
    }
    CHECK_INT(s->ops->rollback(s), HQ_OK);
    CHECK_INT(q_int("SELECT high FROM stream WHERE epoch = 1"), 8);
    free(body);
    /* A gap inside the batch keeps the contiguous part; quarantine is held
     * and acknowledged; text with tabs, newlines, backslashes, quotes and
     * CJK comes back exactly (it went in through COPY). */
    body = strdup("{\"device_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"epoch\":1,\"backlog\":0,"
                  "\"records\":[{\"seq\":9,\"type\":\"audit\",\"v\":1,\"record\":{\"id\":1,"
                  "\"at\":5,\"actor\":\"a\\tb\\nc\\\\d\\\"e\\r王\",\"action\":\"x\"}},"
                  "{\"seq\":10,\"type\":\"ticket\",\"v\":9,\"record\":{\"id\":2}},"
                  "{\"seq\":12,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":3}}]}");
    CHECK_INT(push(s, body, 1763900003, 1, &res), HQ_OK);
    CHECK_INT(res.high, 10);
    CHECK_INT(res.applied, 2);
    CHECK_INT(res.quarantined, 1);
    free(body);
    {
        struct held_list l;
        memset(&l, 0, sizeof l);
        CHECK_INT(s->ops->records(s, A, 1, 8, 100, on_held, &l), HQ_OK);
        CHECK_INT(l.n, 2);
        CHECK_INT(l.seqs[0], 1009);
        CHECK_INT(l.quar[0], 0);
        CHECK_INT(l.seqs[1], 1010);
        CHECK_INT(l.quar[1], 1);
        CHECK_STR(l.json[0], "{\"id\":1,\"at\":5,\"actor\":\"a\\tb\\nc\\\\d\\\"e\\r王\","
                             "\"action\":\"x\"}");
    }
    /* epoch_start for a new epoch; without it a new epoch starts at 1. */
    body = strdup("{\"device_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"epoch\":2,\"epoch_start\":100,"
                  "\"backlog\":3,\"records\":[{\"seq\":100,\"type\":\"handover\",\"v\":1,"
                  "\"record\":{\"id\":1,\"at\":5,\"staff\":\"s\",\"note\":\"n\"}}]}");
    CHECK_INT(push(s, body, 1763900004, 0, &res), HQ_OK);
    CHECK_INT(res.high, 100);
    free(body);
    body = tickets(A, 3, 5, 6);
    CHECK_INT(push(s, body, 1763900005, 0, &res), HQ_E_GAP);
    CHECK_INT(res.expected, 1);
    CHECK_INT(res.high, 0);
    free(body);
    {
        struct held_list l;
        memset(&l, 0, sizeof l);
        CHECK_INT(s->ops->records(s, A, 0, 0, 1000, on_held, &l), HQ_OK);
        CHECK_INT(l.n, 11);
        CHECK_INT(l.seqs[10], 2100);
    }
    CHECK_INT(s->ops->device_lookup(s, A, &dev), HQ_OK);
    CHECK_INT(dev.last_push, 1763900004);
    CHECK_INT(dev.backlog, 3);
    /* A device head office does not know (tools, tests) still pushes. */
    body = tickets("dddd", 1, 1, 2);
    CHECK_INT(push(s, body, 1763900006, 1, &res), HQ_OK);
    CHECK_INT(res.high, 2);
    free(body);
    /* ... but its complaint has no branch: that statement fails inside the
     * pipeline, the whole push fails and writes nothing, and the handle
     * goes on working. */
    body = strdup("{\"device_id\":\"dddd\",\"epoch\":1,\"backlog\":0,\"records\":["
                  "{\"seq\":3,\"type\":\"ticket\",\"v\":9,\"record\":{\"id\":3}},"
                  "{\"seq\":4,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":1,"
                  "\"ref\":\"20261123000009\",\"category\":\"service\",\"description\":\"x\","
                  "\"received_at\":1763900000,\"feedback_due\":1763986400,\"state\":\"received\"}},"
                  "{\"seq\":5,\"type\":\"ticket\",\"v\":9,\"record\":{\"id\":5}}]}");
    CHECK_INT(push(s, body, 1763900006, 1, &res), HQ_E_IO);
    CHECK(strstr(s->ops->errmsg(s), "23502") != NULL); /* not_null_violation */
    free(body);
    CHECK_INT(q_int("SELECT count(*) FROM quarantine WHERE device_id = 'dddd'"), 0);
    CHECK_INT(q_int("SELECT high FROM stream WHERE device_id = 'dddd'"), 2);
    body = tickets("dddd", 1, 3, 3);
    CHECK_INT(push(s, body, 1763900006, 0, &res), HQ_OK);
    CHECK_INT(res.high, 3);
    free(body);

    /* Complaints: the first version sets the workflow fields, later ones
     * only the kiosk-owned fields. */
    body = strdup("{\"device_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"epoch\":1,\"backlog\":0,"
                  "\"records\":[{\"seq\":11,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":1,"
                  "\"ref\":\"20261123000001\",\"category\":\"service\",\"description\":\"slow\","
                  "\"received_at\":1763900000,\"feedback_due\":1763986400,\"state\":\"received\"}},"
                  "{\"seq\":12,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":1,"
                  "\"ref\":\"20261123000001\",\"category\":\"staff\",\"description\":\"slow\","
                  "\"received_at\":1763900000,\"feedback_due\":1763986400,\"state\":\"closed\"}}]}");
    CHECK_INT(push(s, body, 1763900007, 1, &res), HQ_OK);
    CHECK_INT(res.high, 12);
    free(body);
    {
        struct cmp_seen k;
        struct hq_advance adv = {.to = "assessed", .severity = "ordinary", .valid = 1,
                                 .actor = "hq:alice", .note = "checked"};
        memset(&k, 0, sizeof k);
        CHECK_INT(s->ops->complaint_list(s, NULL, "North", 10, on_cmp, &k), HQ_OK);
        CHECK_INT(k.n, 1);
        CHECK_STR(k.state, "received");
        CHECK_STR(k.category, "staff");
        CHECK_STR(k.branch, "North");
        CHECK_STR(k.severity, "(null)");
        CHECK_INT(k.valid, -1);
        CHECK_INT(hq_complaint_advance(s, k.id, &adv, 1763900100, err, sizeof err), HQ_OK);
        adv.to = "closed";
        CHECK_INT(hq_complaint_advance(s, k.id, &adv, 1763900101, err, sizeof err),
                  HQ_E_INVALID);
        memset(&k, 0, sizeof k);
        CHECK_INT(s->ops->complaint_list(s, "assessed", NULL, -1, on_cmp, &k), HQ_OK);
        CHECK_INT(k.n, 1);
        memset(&k, 0, sizeof k);
        CHECK_INT(s->ops->complaint_get(s, 9999, on_cmp, &k), HQ_E_NOTFOUND);
    }
    CHECK_INT(s->ops->config_set(s, NULL, "opening_hours", "{\"mon\":\"9-17\"}", 1763900102),
              HQ_OK);
    CHECK_INT(s->ops->config_set(s, "South", "branch_name", "\"South St\"", 1763900103), HQ_OK);
    CHECK_INT(s->ops->config_set(s, "North", "branch_name", "\"North St\"", 1763900104), HQ_OK);
    {
        struct change_list l;
        long long next = 0;
        int more = 0;
        memset(&l, 0, sizeof l);
        CHECK_INT(s->ops->pull(s, A, 0, 2, on_change, &l, &next, &more), HQ_OK);
        CHECK_INT(l.n, 2);
        CHECK_INT(more, 1);
        CHECK_STR(l.kinds[0], "complaint");
        CHECK_STR(l.keys[0], "20261123000001");
        CHECK(strstr(l.values[0], "\"state\" : \"assessed\"") ||
              strstr(l.values[0], "\"state\":\"assessed\""));
        CHECK(strstr(l.values[0], "\"valid\" : 1") || strstr(l.values[0], "\"valid\":1"));
        CHECK(strstr(l.values[0], "hq:alice") != NULL);
        CHECK_STR(l.keys[1], "opening_hours");
        CHECK_INT(s->ops->pull(s, A, next, 10, on_change, &l, &next, &more), HQ_OK);
        CHECK_INT(l.n, 3); /* North's name, not South's */
        CHECK_INT(more, 0);
        CHECK_STR(l.values[2], "\"North St\"");
        memset(&l, 0, sizeof l);
        CHECK_INT(s->ops->pull(s, B, 0, 10, on_change, &l, &next, &more), HQ_OK);
        CHECK_INT(l.n, 2); /* every branch's hours, South's name; not A's complaint */
        CHECK_STR(l.values[1], "\"South St\"");
    }

    /* Stats and totals. */
    {
        struct stat_seen st = {0};
        struct hq_totals t;
        CHECK_INT(s->ops->stats(s, on_dev, on_type, &st), HQ_OK);
        CHECK_INT(st.devs, 2);
        CHECK_INT(st.quarantined, 1);
        CHECK_INT(st.tickets, 8);
        CHECK_INT(s->ops->totals(s, &t), HQ_OK);
        CHECK_INT(t.devices, 2);
        CHECK_INT(t.records, 15); /* A: 8 tickets, audit, 2 complaints, handover; dddd: 3 */
        CHECK_INT(t.quarantined, 1);
        CHECK_INT(t.complaints_open, 1);
    }
    CHECK_INT(s->ops->device_revoke(s, A, 1300), HQ_OK);
    CHECK_INT(s->ops->device_lookup(s, A, &dev), HQ_OK);
    CHECK_INT(dev.revoked_at, 1300);

    /* Concurrency: four connections apply the same batch at the same moment;
     * each row is stored once and every answer says high = 60. */
    {
        enum { N = 4 };
        struct racer r[N];
        pthread_t th[N];
        pthread_barrier_t go;
        long long applied = 0, ignored = 0;
        body = tickets(B, 1, 1, 60);
        pthread_barrier_init(&go, NULL, N);
        for (int i = 0; i < N; i++) {
            memset(&r[i], 0, sizeof r[i]);
            r[i].body = body;
            r[i].go = &go;
            pthread_create(&th[i], NULL, race, &r[i]);
        }
        for (int i = 0; i < N; i++) {
            pthread_join(th[i], NULL);
            CHECK_INT(r[i].rc, HQ_OK);
            CHECK_INT(r[i].res.high, 60);
            applied += (long long)r[i].res.applied;
            ignored += (long long)r[i].res.ignored;
        }
        pthread_barrier_destroy(&go);
        CHECK_INT(applied, 60);
        CHECK_INT(ignored, 60 * (N - 1));
        CHECK_INT(q_int("SELECT count(*) FROM record WHERE device_id = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'"), 60);
        free(body);
    }

    /* A deadlock (two handles each holding one device and asking for the
     * other's) ends with exactly one HQ_E_BUSY; the other push commits. */
    {
        struct hq_store *x = open_store(), *y = open_store();
        struct locker lx;
        pthread_t th;
        char *ba = tickets(A, 5, 1, 1), *bb = tickets(B, 5, 1, 1);
        int ry;
        CHECK(x && y);
        if (x && y) {
            CHECK_INT(push(x, ba, 1, 0, &res), HQ_OK); /* epochs exist: plain lock path */
            CHECK_INT(push(x, bb, 1, 0, &res), HQ_OK);
            free(ba);
            free(bb);
            ba = tickets(A, 5, 2, 2);
            bb = tickets(B, 5, 2, 2);
            CHECK_INT(x->ops->begin(x), HQ_OK);
            CHECK_INT(push(x, ba, 2, 0, &res), HQ_OK); /* x holds A */
            CHECK_INT(y->ops->begin(y), HQ_OK);
            CHECK_INT(push(y, bb, 2, 0, &res), HQ_OK); /* y holds B */
            lx = (struct locker){x, bb, 0};
            pthread_create(&th, NULL, lock_second, &lx); /* x waits for B */
            ry = push(y, ba, 2, 0, &res);                 /* y waits for A: deadlock */
            if (ry == HQ_OK)
                ry = y->ops->commit(y);
            else
                y->ops->rollback(y);
            pthread_join(th, NULL);
            CHECK_MSG((lx.rc == HQ_E_BUSY) != (ry == HQ_E_BUSY), "x %d, y %d", lx.rc, ry);
            CHECK(lx.rc == HQ_OK || ry == HQ_OK);
            CHECK(strstr(lx.rc == HQ_E_BUSY ? x->ops->errmsg(x) : y->ops->errmsg(y),
                         "40P01") != NULL);
            /* the winner applied both seq 2 rows after the loser rolled back */
            CHECK_INT(q_int("SELECT count(*) FROM record WHERE epoch = 5"), 4);
        }
        free(ba);
        free(bb);
        hq_store_close(x);
        hq_store_close(y);
    }

    {
        const unsigned char pk3[HQ_PUBKEY_BYTES] = {3};
        struct seen z = {0, 0, 0};
        pthread_t th[WRITERS];
        long long cursor = q_int("SELECT max(id) FROM change"), next;
        int more, done = 0, pull_errors = 0;
        CHECK_INT(s->ops->device_register(s, "cfgdev", "Cfg", pk3, 1), HQ_OK);
        z.last = cursor;
        atomic_store(&writers_left, WRITERS);
        for (long i = 0; i < WRITERS; i++)
            pthread_create(&th[i], NULL, cfg_writer, (void *)i);
        while (!done) { /* the last pass starts after every writer finished */
            done = atomic_load(&writers_left) == 0;
            do {
                if (s->ops->pull(s, "cfgdev", cursor, 7, on_seen, &z, &next, &more) != HQ_OK)
                    pull_errors++;
                cursor = next;
            } while (more && pull_errors < 10);
        }
        for (int i = 0; i < WRITERS; i++)
            pthread_join(th[i], NULL);
        CHECK_INT(pull_errors, 0);
        CHECK_INT(z.n, WRITERS * WRITES);
        CHECK_INT(z.out_of_order, 0);
    }

    /* PostgreSQL restarts under an open handle: the next call notices the
     * closed session before it sends anything, reconnects, and succeeds. */
    {
        const char *harness = getenv("FDHQ_PG_HARNESS");
        char cmd[1024];
        struct hq_totals t;
        int rc, fails = 0;
        CHECK(harness != NULL);
        snprintf(cmd, sizeof cmd, "'%s' --restart", harness ? harness : "false");
        PQfinish(raw);
        CHECK(system(cmd) == 0);
        raw = PQconnectdb(dsn);
        while ((rc = s->ops->totals(s, &t)) != HQ_OK && ++fails < 3)
            fprintf(stderr, "after restart: %s\n", s->ops->errmsg(s));
        CHECK_INT(rc, HQ_OK);
        CHECK_INT(fails, 0);
        CHECK_INT(t.records, q_int("SELECT count(*) FROM record"));
        body = tickets(B, 1, 61, 62);
        CHECK_INT(push(s, body, 1763900300, 1, &res), HQ_OK);
        CHECK_INT(res.high, 62);
        free(body);
    }

    hq_store_close(s);
    PQfinish(raw);
    return check_summary();
}
