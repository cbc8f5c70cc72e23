/* hq_server.c - frontdesk-hq's HTTP server (hq_server.h, hq/PROTOCOL.md).
 * libmicrohttpd runs a small thread pool; each request borrows a store
 * handle from a pool of the same size. Bodies are capped while they arrive,
 * requests over the in-flight cap get 503 and a second push from a device
 * already pushing gets 429, both with Retry-After. A push is answered only
 * after its transaction committed.
 * Test-only faults, compiled in only with FD_TEST_HOOKS (the test build; a
 * production binary never reads them) from FDHQ_FAULT: "drop_after_commit:N"
 * closes the connection without an answer after every Nth push committed (the
 * answer is lost); "kill_in_apply:N" sends itself SIGKILL on the Nth push
 * after applying it but before the commit; "batch_max:N" accepts at most N
 * records per push (a head office of an older version with a smaller cap);
 * "hold_push_ms:N" keeps each push's in-flight slot N ms before serving it.
 * Hostile clients (hq/README.md, Hostile clients): a request takes an
 * in-flight slot only once its body has arrived, a few slots are kept for
 * signed kiosk requests, each connection has a deadline for its headers (and
 * TLS handshake) and one for its body that a watcher thread enforces, one
 * address holds a bounded number of connections, a push is parsed within a
 * memory budget after its signature verified and while no other push of the
 * device runs, and answers never carry internals (paths, hosts, SQL). */
#include "hq_server.h"
#include "hq_assets.h"
#include "hq_complaint.h"
#include "hq_console.h"
#include "fdweb.h"
#include "hq_health.h"
#include "hq_notify.h"
#include "hq_invite.h"
#include "invite.h"
#include "hq_person.h"
#include "hq_push.h"
#include "hq_report.h"
#include "hq_store.h"
#include "sync_wire.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <malloc.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX 64          /* store handles at most */
#define HDR_MAX 256          /* longest header value we look at */
#define METRICS_MAX (1u << 20)/* /metrics text cap: lines past it are dropped */
#define RETRY_BUSY 2         /* Retry-After seconds when over the in-flight cap */
#define HDR_DEADLINE_MS 10000 /* headers (and the TLS handshake) complete within this */
#define HDR_PRESSED_MS 2000  /* ... when connections are past 3/4 of the limit */
#define BODY_GRACE_MS 10000  /* a body may take this long, plus ... */
#define BODY_RATE_MIN 4096   /* ... one second per this many bytes it declares */
#define IDLE_TIMEOUT 15      /* seconds a connection may sit silent (libmicrohttpd) */
#define CONN_LIMIT 512       /* connections at once */
#define PER_IP_DEFAULT 16    /* connections at once from one address */
#define ENROLL_BODY_MAX 4096u /* an enrolment is a token, an id and a key */
#define SMALL_BODY_MAX (64u << 10) /* every body but a push's */
#define PARSE_BUDGET (48u << 20) /* bytes a push's parsed tree and texts may take */
#define TRIM_AFTER (1u << 20) /* a push this large (inflated) gives memory back */
#define PULL_PAGE_BYTES (512u << 10) /* a pull page stops after this (one change may pass it) */
#define METRICS_EVERY 15     /* seconds the store's figures in /metrics are reused */

/* The pool of store handles (one per worker thread at most). */
struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct hq_store *idle[POOL_MAX];
    int nidle;                /* handles in idle[] */
    int total;                /* handles open (idle + lent) */
    int max;                  /* total never exceeds this */
    const char *db;
};

/* Devices with a push being served: the "one batch in flight" rule. */
struct pushing {
    pthread_mutex_t mu;
    char ids[POOL_MAX * 2][HQ_DEVICE_ID_MAX + 1];
    int n;
};

/* Process counters for /metrics (each instance is scraped on its own). */
static struct {
    atomic_llong batches, records, quarantined, busy, requests;
    atomic_llong rej_unsigned, rej_signature, rej_stale, rej_replay, rej_device, rej_revoked,
        rej_large, rej_bad, rej_gap, rej_token;
} m;

static struct {
    int batch_max;            /* records per push accepted (SYNC_BATCH_MAX; lower: an old server) */
    int drop_after_commit;    /* every Nth push: no answer after commit (0 = off) */
    int kill_in_apply;        /* the Nth push: SIGKILL before commit (0 = off) */
    int hold_push_ms;         /* a push holds its slot this long first (0 = off) */
    atomic_int pushes;
} fault;

/* One open connection, for the deadlines the watcher enforces. */
struct conn {
    struct conn *prev, *next;
    int fd;
    long long deadline_ms;    /* monotonic; 0 = none (a request being served) */
};

/* Open connections (libmicrohttpd's notify callback keeps the list). */
struct conns {
    pthread_mutex_t mu;
    struct conn *head;
    int n;
};

/* What /metrics shows from the store, rebuilt at most every METRICS_EVERY s. */
struct mcache {
    pthread_mutex_t mu;
    char *text;               /* malloc'd; NULL until first built */
    long long at;             /* monotonic seconds it was built */
};

struct srv {
    unsigned char admin_hash[HQ_HASH_BYTES]; /* hash of the admin bearer token */
    int admin_on;             /* /v1/admin/ enabled */
    unsigned char metrics_hash[HQ_HASH_BYTES]; /* hash of the /metrics token */
    int metrics_token_on;     /* else /metrics only from loopback */
    struct pool pool;
    struct pushing pushing;
    int max_inflight;
    int reserve;              /* of max_inflight: only signed kiosk requests use these */
    atomic_int inflight;
    struct conns conns;
    struct mcache mc;
    atomic_int health_db;     /* last database check: 1 ok, 0 failed */
    atomic_llong health_at;   /* monotonic ms of that check */
    pthread_t watcher;
    atomic_int stop;
};

/* Per request, from the first call to the completion callback. */
struct req {
    char *body;
    size_t len, cap;
    size_t body_max;          /* this endpoint's body cap */
    int refuse;               /* 413 already decided before the body */
    int counted;              /* holds an in-flight slot */
};

/* An answer being built. */
struct reply {
    unsigned status;
    char *json;               /* malloc'd body */
    int retry_after;          /* >0: Retry-After header */
    int drop;                 /* close without answering (fault hook) */
};

static long long now_s(void)
{
    return (long long)time(NULL);
}

static long long mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- cJSON within a budget: a push's tree may not take more than
 * PARSE_BUDGET (a small gzip inflates to 16 MiB of tiny values, which as a
 * tree of nodes is ~20 times that). Per thread; off (0) outside a parse. ---- */

static _Thread_local long long budget_left; /* bytes; meaningful while budget_on */
static _Thread_local int budget_on;
static _Thread_local int budget_hit; /* a request was refused: the parse failed on it */

static void *budget_malloc(size_t n)
{
    void *p;
    if (budget_on && (long long)n > budget_left) {
        budget_hit = 1;
        return NULL; /* the parse fails: "too large" */
    }
    p = malloc(n);
    if (p && budget_on)
        budget_left -= (long long)malloc_usable_size(p);
    return p;
}

static void budget_free(void *p)
{
    if (p && budget_on)
        budget_left += (long long)malloc_usable_size(p);
    free(p);
}

/* ---- connections: deadlines for headers and bodies ---- */

/* libmicrohttpd tells of each connection opened and closed (closed before
 * it closes the socket, so the watcher never touches a reused descriptor:
 * both hold conns.mu). A new connection must finish its headers (and TLS
 * handshake) within HDR_DEADLINE_MS, HDR_PRESSED_MS when connections are
 * scarce. */
static void conn_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                        enum MHD_ConnectionNotificationCode code)
{
    struct srv *sv = cls;
    struct conn *k = *socket_ctx;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(
            c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!fd || !(k = calloc(1, sizeof *k)))
            return;
        k->fd = fd->connect_fd;
        pthread_mutex_lock(&sv->conns.mu);
        k->deadline_ms = mono_ms() + (sv->conns.n * 4 >= CONN_LIMIT * 3 ? HDR_PRESSED_MS
                                                                          : HDR_DEADLINE_MS);
        k->next = sv->conns.head;
        if (k->next)
            k->next->prev = k;
        sv->conns.head = k;
        sv->conns.n++;
        pthread_mutex_unlock(&sv->conns.mu);
        *socket_ctx = k;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
        pthread_mutex_lock(&sv->conns.mu);
        if (k->prev)
            k->prev->next = k->next;
        else
            sv->conns.head = k->next;
        if (k->next)
            k->next->prev = k->prev;
        sv->conns.n--;
        pthread_mutex_unlock(&sv->conns.mu);
        free(k);
        *socket_ctx = NULL;
    }
}

/* Sets the deadline of the connection c (0 = none). */
static void conn_deadline(struct srv *sv, struct MHD_Connection *c, long long at_ms)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *k = i ? i->socket_context : NULL;
    if (!k)
        return;
    pthread_mutex_lock(&sv->conns.mu);
    k->deadline_ms = at_ms;
    pthread_mutex_unlock(&sv->conns.mu);
}

static int conns_open(struct srv *sv)
{
    pthread_mutex_lock(&sv->conns.mu);
    int n = sv->conns.n;
    pthread_mutex_unlock(&sv->conns.mu);
    return n;
}

static atomic_llong slow_closed; /* connections cut at their deadline (/metrics) */

/* Every quarter second: a connection past its deadline is shut down (its
 * socket reads EOF; libmicrohttpd closes it and notifies). */
static void *watcher_run(void *arg)
{
    struct srv *sv = arg;
    while (!atomic_load(&sv->stop)) {
        long long now = mono_ms();
        pthread_mutex_lock(&sv->conns.mu);
        for (struct conn *k = sv->conns.head; k; k = k->next)
            if (k->deadline_ms && now > k->deadline_ms) {
                shutdown(k->fd, SHUT_RDWR);
                k->deadline_ms = 0;
                slow_closed++;
            }
        pthread_mutex_unlock(&sv->conns.mu);
        usleep(250000);
    }
    return NULL;
}

/* ---- store pool ---- */

static struct hq_store *pool_get(struct pool *p, char *err, size_t errlen)
{
    struct hq_store *s = NULL;
    pthread_mutex_lock(&p->mu);
    while (p->nidle == 0 && p->total >= p->max)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->nidle > 0) {
        s = p->idle[--p->nidle];
        pthread_mutex_unlock(&p->mu);
        return s;
    }
    p->total++;
    pthread_mutex_unlock(&p->mu);
    if (hq_store_open(p->db, &s, err, errlen) != HQ_OK) {
        pthread_mutex_lock(&p->mu);
        p->total--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    return s;
}

/* A handle only when one is idle (never waits, never opens): NULL otherwise. */
static struct hq_store *pool_try(struct pool *p)
{
    struct hq_store *s = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->nidle > 0)
        s = p->idle[--p->nidle];
    pthread_mutex_unlock(&p->mu);
    return s;
}

/* Gives a handle back; a handle that failed with HQ_E_IO is closed (a
 * PostgreSQL connection may be dead) and reopened next time. */
static void pool_put(struct pool *p, struct hq_store *s, int broken)
{
    if (!s)
        return;
    s->ops->rollback(s);
    pthread_mutex_lock(&p->mu);
    if (broken || p->nidle >= POOL_MAX) {
        p->total--;
        pthread_mutex_unlock(&p->mu);
        hq_store_close(s);
        pthread_mutex_lock(&p->mu);
    } else {
        p->idle[p->nidle++] = s;
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* ---- one push per device at a time ---- */

static int pushing_enter(struct pushing *ps, const char *id)
{
    int ok = 1;
    pthread_mutex_lock(&ps->mu);
    for (int i = 0; i < ps->n; i++)
        if (strcmp(ps->ids[i], id) == 0)
            ok = 0;
    if (ok && ps->n < (int)(sizeof ps->ids / sizeof ps->ids[0]))
        snprintf(ps->ids[ps->n++], sizeof ps->ids[0], "%s", id);
    else
        ok = 0;
    pthread_mutex_unlock(&ps->mu);
    return ok;
}

static void pushing_leave(struct pushing *ps, const char *id)
{
    pthread_mutex_lock(&ps->mu);
    for (int i = 0; i < ps->n; i++)
        if (strcmp(ps->ids[i], id) == 0) {
            memcpy(ps->ids[i], ps->ids[ps->n - 1], sizeof ps->ids[0]);
            ps->n--;
            break;
        }
    pthread_mutex_unlock(&ps->mu);
}

/* ---- answers ---- */

static void reply_json(struct reply *r, unsigned status, cJSON *obj)
{
    free(r->json);
    r->status = status;
    r->json = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
}

#define BUSY_TEXT "too many requests at once; retry later"

/* An error answer {"error":code,"message":...}. A 5xx answer never carries
 * what went wrong inside (a database path or host, SQL): the operator reads
 * that in the log, the client gets a fixed sentence. */
static void reply_err(struct reply *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    cJSON *o = cJSON_CreateObject();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (status >= 500 && strcmp(msg, BUSY_TEXT) != 0) {
        fprintf(stderr, "frontdesk-hq: %u %s: %s\n", status, code, msg);
        snprintf(msg, sizeof msg, "%s", status == 500 ? "internal error (logged at head office)"
                                                      : BUSY_TEXT);
    }
    cJSON_AddStringToObject(o, "error", code);
    cJSON_AddStringToObject(o, "message", msg);
    if (strcmp(code, "stale_timestamp") == 0)
        cJSON_AddNumberToObject(o, "server_time", (double)now_s());
    reply_json(r, status, o);
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text,
                                 const char *ctype, int retry_after)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc;
    char ra[16];
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", ctype);
    if (retry_after > 0) {
        snprintf(ra, sizeof ra, "%d", retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r)
{
    enum MHD_Result rc;
    if (r->drop) {
        free(r->json);
        return MHD_NO; /* closes the connection: the kiosk never reads an answer */
    }
    rc = send_text(c, r->status ? r->status : 500, r->json ? r->json : "{}",
                   "application/json", r->retry_after);
    free(r->json);
    return rc;
}

/* ---- request authentication (PROTOCOL.md, Signed requests) ---- */

static const char *header(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return (v && strlen(v) <= HDR_MAX) ? v : NULL;
}

static int all_hex(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
            return 0;
    return n >= min && n <= max;
}

/* The signing headers, checked for shape and clock. */
struct sig {
    const char *device, *nonce, *signature;
    long long ts;
};

static int read_sig(struct MHD_Connection *c, struct sig *g, struct reply *r)
{
    const char *ts = header(c, "X-FD-Timestamp");
    char *end = NULL;
    g->device = header(c, "X-FD-Device");
    g->nonce = header(c, "X-FD-Nonce");
    g->signature = header(c, "X-FD-Signature");
    if (!g->device || !g->nonce || !g->signature || !ts || !all_hex(g->device, 1, HQ_DEVICE_ID_MAX) ||
        !all_hex(g->nonce, SYNC_NONCE_HEX, SYNC_NONCE_HEX) ||
        !all_hex(g->signature, SYNC_SIG_HEX, SYNC_SIG_HEX)) {
        m.rej_unsigned++;
        reply_err(r, 401, "unsigned", "missing or malformed signature headers");
        return -1;
    }
    errno = 0;
    g->ts = strtoll(ts, &end, 10);
    if (errno || !end || *end || end == ts) {
        m.rej_unsigned++;
        reply_err(r, 401, "unsigned", "malformed X-FD-Timestamp");
        return -1;
    }
    /* compared, not subtracted: -2^63 must not overflow */
    if (g->ts < now_s() - SYNC_TS_WINDOW || g->ts > now_s() + SYNC_TS_WINDOW) {
        m.rej_stale++;
        reply_err(r, 401, "stale_timestamp", "timestamp %lld is more than %d s from %lld",
                  g->ts, SYNC_TS_WINDOW, now_s());
        return -1;
    }
    return 0;
}

/* Checks device and signature; nothing is written. 0 or -1 with r set. */
static int authenticate(struct MHD_Connection *c, struct hq_store *s, const char *method,
                        const char *url, const struct req *q, struct sig *g,
                        struct hq_device *dev, struct reply *r)
{
    int rc;
    if (read_sig(c, g, r) != 0)
        return -1;
    rc = s->ops->device_lookup(s, g->device, dev);
    if (rc == HQ_E_NOTFOUND) {
        m.rej_device++;
        reply_err(r, 403, "unknown_device", "device %s is not enrolled", g->device);
        return -1;
    }
    if (rc != HQ_OK) {
        reply_err(r, 500, "internal", "%s", s->ops->errmsg(s));
        return -1;
    }
    if (sync_verify(dev->pubkey, method, url, q->body, q->len, g->device, g->ts, g->nonce,
                    g->signature) != 0) {
        m.rej_signature++;
        reply_err(r, 401, "bad_signature", "signature does not verify");
        return -1;
    }
    if (dev->revoked_at) {
        m.rej_revoked++;
        reply_err(r, 403, "revoked", "device %s was revoked", g->device);
        return -1;
    }
    return 0;
}

/* ---- handlers ---- */

static void do_enroll(struct srv *sv, struct hq_store *s, struct MHD_Connection *c,
                      const struct req *q, struct reply *r)
{
    struct sig g;
    cJSON *body = NULL, *out;
    const cJSON *tok, *dev, *pk;
    unsigned char pub[HQ_PUBKEY_BYTES], hash[HQ_HASH_BYTES];
    char branch[HQ_BRANCH_MAX + 1];
    int rc;

    (void)sv;
    if (read_sig(c, &g, r) != 0)
        return;
    body = cJSON_ParseWithLength(q->body ? q->body : "", q->len);
    tok = cJSON_GetObjectItemCaseSensitive(body, "token");
    dev = cJSON_GetObjectItemCaseSensitive(body, "device_id");
    pk = cJSON_GetObjectItemCaseSensitive(body, "public_key");
    if (!cJSON_IsString(tok) || !cJSON_IsString(dev) || !cJSON_IsString(pk) ||
        strcmp(dev->valuestring, g.device) != 0 ||
        sync_unhex(pk->valuestring, pub, sizeof pub) != 0) {
        m.rej_bad++;
        reply_err(r, 400, "bad_request", "enroll needs token, device_id (as signed) and public_key");
        goto out;
    }
    if (sync_verify(pub, "POST", "/v1/enroll", q->body, q->len, g.device, g.ts, g.nonce,
                    g.signature) != 0) {
        m.rej_signature++;
        reply_err(r, 401, "bad_signature", "signature does not verify with the key sent");
        goto out;
    }
    crypto_generichash(hash, sizeof hash, (const unsigned char *)tok->valuestring,
                       strlen(tok->valuestring), NULL, 0);
    if ((rc = s->ops->begin(s)) != HQ_OK)
        goto fail;
    rc = s->ops->token_consume(s, hash, now_s(), branch);
    if (rc == HQ_E_NOTFOUND) {
        s->ops->rollback(s);
        m.rej_token++;
        reply_err(r, 403, "bad_token", "the enrolment token is unknown, used or expired");
        goto out;
    }
    if (rc == HQ_OK)
        rc = s->ops->device_register(s, g.device, branch, pub, now_s());
    if (rc == HQ_E_EXISTS) {
        /* Re-enrolment: a revoked or re-imaged kiosk (restored on a new box)
         * with a fresh token of its own branch takes its id back with its new
         * key; its history and streams stay, so it goes on from where head
         * office stands. A token of another branch cannot take it over. */
        struct hq_device old;
        rc = s->ops->device_lookup(s, g.device, &old);
        if (rc == HQ_OK && strcmp(old.branch, branch) != 0) {
            s->ops->rollback(s);
            reply_err(r, 409, "device_exists",
                      "device %s is enrolled at another branch: re-enrol it with a token of"
                      " that branch, or revoke it there first", g.device);
            goto out;
        }
        if (rc == HQ_OK)
            rc = s->ops->device_reenroll(s, g.device, branch, pub, now_s());
        if (rc == HQ_OK)
            rc = s->ops->audit_put(s, now_s(), "enroll", "device_reenrolled", g.device,
                                   "enrolled again with a new token", branch);
        if (rc == HQ_OK)
            fprintf(stderr, "frontdesk-hq: device %s enrolled again (branch %s)\n", g.device,
                    branch);
    }
    if (rc == HQ_OK)
        rc = s->ops->nonce_put(s, g.device, g.nonce, g.ts);
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    if (rc != HQ_OK)
        goto fail;
    out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "device_id", g.device);
    cJSON_AddStringToObject(out, "branch", branch);
    cJSON_AddNumberToObject(out, "server_time", (double)now_s());
    reply_json(r, 200, out);
    goto out;
fail:
    s->ops->rollback(s);
    reply_err(r, rc == HQ_E_BUSY ? 503 : 500, rc == HQ_E_BUSY ? "busy" : "internal", "%s",
              s->ops->errmsg(s));
    if (rc == HQ_E_BUSY)
        r->retry_after = RETRY_BUSY;
out:
    cJSON_Delete(body);
}

/* The test faults' count of pushes applied (*ctx = this push's number):
 * kill_in_apply dies here, before the commit. */
static void push_fault(void *ctx)
{
    int n = atomic_fetch_add(&fault.pushes, 1) + 1;
    *(int *)ctx = n;
    if (fault.kill_in_apply && n == fault.kill_in_apply)
        raise(SIGKILL);
}

static void do_push(struct srv *sv, struct hq_store *s, struct MHD_Connection *c,
                    const struct req *q, struct reply *r)
{
    struct sig g;
    struct hq_device dev;
    struct hq_push_msg msg;
    struct hq_push_result res;
    const char *enc = header(c, "Content-Encoding");
    char *plain = NULL, err[256];
    size_t plain_len = 0;
    int rc, n = 0, entered = 0;

    memset(&msg, 0, sizeof msg);
    if (!enc || strcmp(enc, "gzip") != 0) {
        m.rej_bad++;
        reply_err(r, 415, "bad_encoding", "push bodies must be Content-Encoding: gzip");
        return;
    }
    /* The signature first (over the gzip bytes as sent), then one push per
     * device, and only then inflating and parsing, within a memory budget. */
    if (authenticate(c, s, "POST", "/v1/push", q, &g, &dev, r) != 0)
        return;
    if (!pushing_enter(&sv->pushing, g.device)) {
        m.busy++;
        reply_err(r, 429, "busy", "a push from this device is already being applied");
        r->retry_after = 1;
        return;
    }
    entered = 1;
    rc = sync_gunzip(q->body ? q->body : "", q->len, SYNC_PLAIN_MAX, &plain, &plain_len);
    if (rc == -2) {
        m.rej_large++;
        reply_err(r, 413, "too_large", "body inflates past %u bytes", SYNC_PLAIN_MAX);
        goto out;
    }
    if (rc != 0) {
        m.rej_bad++;
        reply_err(r, 400, "bad_request", "body is not a complete gzip stream");
        goto out;
    }
    budget_left = PARSE_BUDGET;
    budget_hit = 0;
    budget_on = 1;
    rc = hq_push_parse(plain, plain_len, (size_t)fault.batch_max, &msg, err, sizeof err);
    budget_on = 0;
    if (rc != 0 && budget_hit)
        snprintf(err, sizeof err, "body takes more than %u bytes to parse: at most", PARSE_BUDGET);
    if (rc != 0) {
        m.rej_bad++;
        reply_err(r, strstr(err, "at most") ? 413 : 400,
                  strstr(err, "at most") ? "too_large" : "bad_request", "%s", err);
        goto out;
    }
    if (strcmp(msg.device_id, g.device) != 0) {
        m.rej_bad++;
        reply_err(r, 400, "bad_request", "device_id in the body is not the signer");
        goto out;
    }
    msg.batch.now = now_s();
    for (int attempt = 0;; attempt++) {
        if (s->ops->push_commit) { /* PostgreSQL: shares its commit with other pushes */
            struct hq_push_job job = {g.device, g.nonce, g.ts, &msg.batch,
                                      msg.has_health ? &msg.health : NULL, push_fault, &n};
            rc = s->ops->push_commit(s, &job, &res);
            if (rc == HQ_E_EXISTS) {
                m.rej_replay++;
                reply_err(r, 401, "replay", "nonce already used");
                goto out;
            }
        } else {
            rc = s->ops->begin(s);
            if (rc == HQ_OK) {
                rc = s->ops->nonce_put(s, g.device, g.nonce, g.ts);
                if (rc == HQ_E_EXISTS) {
                    s->ops->rollback(s);
                    m.rej_replay++;
                    reply_err(r, 401, "replay", "nonce already used");
                    goto out;
                }
            }
            if (rc == HQ_OK)
                rc = s->ops->push_apply(s, &msg.batch, &res);
            if (rc == HQ_OK && msg.has_health) /* after push_apply: under its device lock */
                rc = s->ops->health_put(s, g.device, &msg.health, msg.batch.now);
        }
        if (rc == HQ_E_GAP) {
            cJSON *o = cJSON_CreateObject();
            s->ops->rollback(s);
            m.rej_gap++;
            cJSON_AddStringToObject(o, "error", "gap");
            cJSON_AddStringToObject(o, "message", "records are missing before this batch");
            cJSON_AddNumberToObject(o, "expected", (double)res.expected);
            reply_json(r, 409, o);
            goto out;
        }
        if (!s->ops->push_commit && rc == HQ_OK) {
            push_fault(&n);
            rc = s->ops->commit(s);
        }
        if (rc == HQ_OK)
            break;
        s->ops->rollback(s);
        if (rc != HQ_E_BUSY || attempt >= 4) {
            if (rc == HQ_E_BUSY) {
                m.busy++;
                reply_err(r, 503, "busy", "%s", s->ops->errmsg(s));
                r->retry_after = RETRY_BUSY;
            } else {
                reply_err(r, rc == HQ_E_INVALID ? 400 : 500,
                          rc == HQ_E_INVALID ? "bad_request" : "internal", "%s",
                          s->ops->errmsg(s));
            }
            goto out;
        }
        usleep(20000u << attempt);
    }
    /* A visitor record naming an invitation: mark it used and tell the
     * branch (its own short transaction; upkeep repeats it after a crash). */
    for (size_t i = 0; i < msg.batch.n && res.applied > 0; i++)
        if (strcmp(msg.batch.recs[i].type, "visitor") == 0 && !msg.batch.recs[i].quarantine &&
            strstr(msg.batch.recs[i].json, "\"invitation\":\"")) {
            int mk = hq_invite_mark_used(s, msg.batch.now);
            if (mk < 0)
                fprintf(stderr, "frontdesk-hq: invitations not marked used yet: %s\n",
                        s->ops->errmsg(s));
            break;
        }
    m.batches++;
    m.records += (long long)res.applied;
    m.quarantined += (long long)res.quarantined;
    {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "high", (double)res.high);
        cJSON_AddNumberToObject(o, "applied", (double)res.applied);
        cJSON_AddNumberToObject(o, "ignored", (double)res.ignored);
        cJSON_AddNumberToObject(o, "quarantined", (double)res.quarantined);
        if (msg.health_err[0]) { /* the records count; a bad health line does not */
            cJSON_AddStringToObject(o, "health_error", msg.health_err);
            fprintf(stderr, "frontdesk-hq: health from %s not stored: %s\n", g.device,
                    msg.health_err);
        }
        reply_json(r, 200, o);
    }
    if (fault.drop_after_commit && n % fault.drop_after_commit == 0)
        r->drop = 1;
out:
    if (entered)
        pushing_leave(&sv->pushing, g.device);
    hq_push_free(&msg);
    free(plain);
    /* glibc keeps freed memory in this thread's arena: a big push would
     * leave the process at its peak for good. */
    if (plain_len >= TRIM_AFTER || q->len >= TRIM_AFTER)
        malloc_trim(0);
}

/* The changes of one store page, copied (the store's strings die with the call). */
struct pull_ctx {
    struct hq_change *ch;
    int n, cap;
    int oom;
};

static int pull_one(void *ctx, const struct hq_change *ch)
{
    struct pull_ctx *p = ctx;
    if (p->n == p->cap) {
        int ncap = p->cap ? p->cap * 2 : 64;
        struct hq_change *nc = realloc(p->ch, (size_t)ncap * sizeof *nc);
        if (!nc) {
            p->oom = 1;
            return 0;
        }
        p->ch = nc;
        p->cap = ncap;
    }
    struct hq_change *d = &p->ch[p->n];
    d->id = ch->id;
    d->kind = strdup(ch->kind ? ch->kind : "");
    d->key = strdup(ch->key ? ch->key : "");
    d->value = strdup(ch->value ? ch->value : "null");
    if (!d->kind || !d->key || !d->value) {
        free((char *)d->kind);
        free((char *)d->key);
        free((char *)d->value);
        p->oom = 1;
        return 0;
    }
    p->n++;
    return 0;
}

static void pull_free(struct pull_ctx *p)
{
    for (int i = 0; i < p->n; i++) {
        free((char *)p->ch[i].kind);
        free((char *)p->ch[i].key);
        free((char *)p->ch[i].value);
    }
    free(p->ch);
}

/* Builds the answer's changes from the store's page: a config value that a
 * later change of the page replaces is left out (a setting or a whole list
 * replaces the previous one, so the kiosk ends the same; complaint changes
 * are history and all go), and the page stops once PULL_PAGE_BYTES are in it
 * (at least one change goes). *next = the last change passed; *cut = 1 when
 * the page stopped early. */
static void pull_page(const struct pull_ctx *p, cJSON *arr, long long *next, int *cut)
{
    size_t bytes = 0;
    *cut = 0;
    for (int i = 0; i < p->n; i++) {
        const struct hq_change *ch = &p->ch[i];
        int superseded = 0;
        if (strcmp(ch->kind, "config") == 0)
            for (int j = i + 1; j < p->n && !superseded; j++)
                superseded = strcmp(p->ch[j].kind, "config") == 0 &&
                             strcmp(p->ch[j].key, ch->key) == 0;
        if (!superseded) {
            size_t len = strlen(ch->value) + strlen(ch->key) + 64;
            if (bytes > 0 && bytes + len > PULL_PAGE_BYTES) {
                *cut = 1;
                return;
            }
            cJSON *o = cJSON_CreateObject(), *v = cJSON_Parse(ch->value);
            cJSON_AddNumberToObject(o, "id", (double)ch->id);
            cJSON_AddStringToObject(o, "kind", ch->kind);
            cJSON_AddStringToObject(o, "key", ch->key);
            cJSON_AddItemToObject(o, "value", v ? v : cJSON_CreateNull());
            cJSON_AddItemToArray(arr, o);
            bytes += len;
        }
        *next = ch->id;
    }
}

static void do_pull(struct hq_store *s, struct MHD_Connection *c, const struct req *q,
                    struct reply *r)
{
    struct sig g;
    struct hq_device dev;
    struct pull_ctx pc = {0};
    cJSON *body, *out, *arr;
    const cJSON *cur, *lim;
    long long cursor = 0, next = 0;
    int limit = 200, more = 0, rc;

    if (authenticate(c, s, "POST", "/v1/pull", q, &g, &dev, r) != 0)
        return;
    body = cJSON_ParseWithLength(q->body ? q->body : "", q->len);
    cur = cJSON_GetObjectItemCaseSensitive(body, "cursor");
    lim = cJSON_GetObjectItemCaseSensitive(body, "limit");
    if (!cJSON_IsObject(body) || !cJSON_IsNumber(cur) || !(cur->valuedouble >= 0) ||
        cur->valuedouble > 9007199254740992.0 ||
        (lim && (!cJSON_IsNumber(lim) || lim->valueint < 1 || lim->valueint > 500))) {
        cJSON_Delete(body);
        m.rej_bad++;
        reply_err(r, 400, "bad_request", "pull needs {\"cursor\":N[,\"limit\":1..500]}");
        return;
    }
    cursor = (long long)cur->valuedouble;
    if (lim)
        limit = lim->valueint;
    cJSON_Delete(body);
    rc = s->ops->nonce_put(s, g.device, g.nonce, g.ts);
    if (rc == HQ_E_EXISTS) {
        m.rej_replay++;
        reply_err(r, 401, "replay", "nonce already used");
        return;
    }
    if (rc == HQ_OK)
        rc = s->ops->pull(s, g.device, cursor, limit, pull_one, &pc, &next, &more);
    if (rc != HQ_OK || pc.oom) {
        pull_free(&pc);
        reply_err(r, 500, "internal", "%s", rc != HQ_OK ? s->ops->errmsg(s) : "out of memory");
        return;
    }
    out = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(out, "changes");
    {
        int cut = 0;
        long long last = cursor;
        pull_page(&pc, arr, &last, &cut);
        if (cut) { /* stopped on bytes: the rest comes with the next page */
            next = last;
            more = 1;
        }
    }
    pull_free(&pc);
    cJSON_AddNumberToObject(out, "cursor", (double)next);
    cJSON_AddBoolToObject(out, "more", more);
    reply_json(r, 200, out);
}

/* ---- /metrics ---- */

struct mbuf {
    char *p;
    size_t len, cap;
    int full;                 /* hit METRICS_MAX: further lines dropped */
};

static void mput(struct mbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->full)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        if (b->cap * 2 > METRICS_MAX) {
            b->full = 1;
            b->p[b->len] = '\0';
            return;
        }
        char *np = realloc(b->p, b->cap * 2);
        if (!np) {
            b->full = 1;
            return;
        }
        b->p = np;
        b->cap *= 2;
    }
}

/* Label values: backslash, quote and newline escaped as the text format says. */
static void label(char *out, size_t len, const char *v)
{
    size_t o = 0;
    for (; v && *v && o + 3 < len; v++) {
        if (*v == '\\' || *v == '"') {
            out[o++] = '\\';
            out[o++] = *v;
        } else if (*v == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = *v;
        }
    }
    out[o] = '\0';
}

static int metric_dev(void *ctx, const struct hq_dev_stat *d)
{
    struct mbuf *b = ctx;
    char br[HQ_BRANCH_MAX * 2 + 4], dv[HQ_DEVICE_ID_MAX * 2 + 4];
    label(br, sizeof br, d->branch);
    label(dv, sizeof dv, d->device_id);
    mput(b, "fdhq_branch_lag_seconds{branch=\"%s\",device=\"%s\"} %lld\n", br, dv,
         d->last_push ? now_s() - d->last_push : -1);
    mput(b, "fdhq_branch_backlog{branch=\"%s\",device=\"%s\"} %lld\n", br, dv, d->backlog);
    return 0;
}

/* Counts the devices shown offline (fleet view) for /metrics. */
static int count_offline(void *ctx, const struct hq_fleet_row *f)
{
    if (!f->online && !f->revoked_at)
        (*(long long *)ctx)++;
    return 0;
}

/* The totals of /metrics (records held count every row of the log), built
 * at most every METRICS_EVERY seconds and shared by every scrape meanwhile. */
static void metrics_totals(struct hq_store *s, struct mbuf *b)
{
    struct hq_totals t;
    if (s->ops->totals(s, &t) == HQ_OK) {
        mput(b, "# TYPE fdhq_records_held gauge\nfdhq_records_held %lld\n", t.records);
        mput(b, "# TYPE fdhq_quarantine_held gauge\nfdhq_quarantine_held %lld\n",
             t.quarantined);
        mput(b, "# TYPE fdhq_devices gauge\nfdhq_devices %lld\n", t.devices);
        mput(b, "# TYPE fdhq_complaints_open gauge\nfdhq_complaints_open %lld\n",
             t.complaints_open);
    }
}

/* The per-device part of /metrics: one row per device (no counting of
 * records), read on every scrape. */
static void metrics_devices(struct hq_store *s, struct mbuf *b)
{
    {
        long long offline = 0;
        if (s->ops->fleet(s, now_s(), count_offline, &offline) == HQ_OK)
            mput(b, "# HELP fdhq_devices_offline Active devices not heard from for %d s.\n"
                    "# TYPE fdhq_devices_offline gauge\nfdhq_devices_offline %lld\n",
                 HQ_OFFLINE_AFTER, offline);
    }
    mput(b, "# HELP fdhq_branch_lag_seconds Seconds since the device's last push.\n"
            "# TYPE fdhq_branch_lag_seconds gauge\n"
            "# HELP fdhq_branch_backlog Outbox rows the device reported still to send.\n"
            "# TYPE fdhq_branch_backlog gauge\n");
    s->ops->stats(s, metric_dev, NULL, b);
}

/* /metrics answers only with the --metrics-token-file bearer token, or
 * without one configured, to a client on a loopback address. */
static int metrics_allowed(const struct srv *sv, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *i;
    if (sv->metrics_token_on) {
        const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        unsigned char x[HQ_HASH_BYTES];
        if (!h || strncmp(h, "Bearer ", 7) != 0 || strlen(h) > HDR_MAX)
            return 0;
        crypto_generichash(x, sizeof x, (const unsigned char *)h + 7, strlen(h + 7), NULL, 0);
        return sodium_memcmp(x, sv->metrics_hash, sizeof x) == 0;
    }
    i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!i || !i->client_addr)
        return 0;
    if (i->client_addr->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)(const void *)i->client_addr)->sin_addr.s_addr) >>
                24) == 127;
    return 0;
}

static void do_metrics(struct srv *sv, struct MHD_Connection *c, struct reply *r)
{
    struct mbuf b = {malloc(4096), 0, 4096, 0};
    enum MHD_Result mr;
    static const char *const reasons[] = {"unsigned", "bad_signature", "stale_timestamp",
                                          "replay", "unknown_device", "revoked", "too_large",
                                          "bad_request", "gap", "bad_token"};
    long long rej[10] = {m.rej_unsigned, m.rej_signature, m.rej_stale, m.rej_replay,
                         m.rej_device, m.rej_revoked, m.rej_large, m.rej_bad, m.rej_gap,
                         m.rej_token};
    if (!b.p) {
        reply_err(r, 500, "internal", "out of memory");
        return;
    }
    b.p[0] = '\0';
    mput(&b, "# HELP fdhq_batches_total Push batches committed by this instance.\n"
             "# TYPE fdhq_batches_total counter\nfdhq_batches_total %lld\n",
         (long long)m.batches);
    mput(&b, "# HELP fdhq_records_total Records stored by this instance.\n"
             "# TYPE fdhq_records_total counter\nfdhq_records_total %lld\n",
         (long long)m.records);
    mput(&b, "# HELP fdhq_quarantined_total Records quarantined by this instance.\n"
             "# TYPE fdhq_quarantined_total counter\nfdhq_quarantined_total %lld\n",
         (long long)m.quarantined);
    mput(&b, "# HELP fdhq_busy_total Requests shed with 429/503.\n"
             "# TYPE fdhq_busy_total counter\nfdhq_busy_total %lld\n",
         (long long)m.busy);
    mput(&b, "# HELP fdhq_rejects_total Requests refused, by reason.\n"
             "# TYPE fdhq_rejects_total counter\n");
    for (int i = 0; i < 10; i++)
        mput(&b, "fdhq_rejects_total{reason=\"%s\"} %lld\n", reasons[i], rej[i]);
    mput(&b, "# HELP fdhq_slow_closed_total Connections cut at their header or body deadline.\n"
             "# TYPE fdhq_slow_closed_total counter\nfdhq_slow_closed_total %lld\n"
             "# TYPE fdhq_inflight gauge\nfdhq_inflight %d\n"
             "# TYPE fdhq_connections gauge\nfdhq_connections %d\n",
         (long long)slow_closed, atomic_load(&sv->inflight), conns_open(sv));
    /* The totals: rebuilt by one scrape at a time, at most every
     * METRICS_EVERY s; the others meanwhile get the last copy. */
    char err[256];
    struct hq_store *s = pool_get(&sv->pool, err, sizeof err);
    pthread_mutex_lock(&sv->mc.mu);
    if (s && (!sv->mc.text || mono_ms() / 1000 - sv->mc.at >= METRICS_EVERY)) {
        struct mbuf sb = {malloc(4096), 0, 4096, 0};
        if (sb.p) {
            sb.p[0] = '\0';
            metrics_totals(s, &sb);
            free(sv->mc.text);
            sv->mc.text = sb.p;
            sv->mc.at = mono_ms() / 1000;
        }
    }
    if (sv->mc.text)
        mput(&b, "%s", sv->mc.text);
    pthread_mutex_unlock(&sv->mc.mu);
    if (s) {
        metrics_devices(s, &b);
        pool_put(&sv->pool, s, 0);
    }
    mr = send_text(c, 200, b.p, "text/plain; version=0.0.4", 0);
    (void)mr;
    r->status = 0; /* already sent */
    free(b.p);
}

/* ---- /v1/admin/: the complaint workflow for a dashboard ---- */

/* A bearer token compared by hash in constant time. */
static int admin_ok(const struct srv *sv, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    unsigned char x[HQ_HASH_BYTES];
    if (!sv->admin_on || !h || strncmp(h, "Bearer ", 7) != 0 || strlen(h) > HDR_MAX)
        return 0;
    crypto_generichash(x, sizeof x, (const unsigned char *)h + 7, strlen(h + 7), NULL, 0);
    return sodium_memcmp(x, sv->admin_hash, sizeof x) == 0;
}

static int admin_list_one(void *ctx, const struct hq_complaint *c)
{
    cJSON_AddItemToArray(ctx, hq_complaint_json(c));
    return 0;
}

static int admin_get_one(void *ctx, const struct hq_complaint *c)
{
    *(cJSON **)ctx = hq_complaint_json(c);
    return 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void do_admin(struct srv *sv, struct hq_store *s, struct MHD_Connection *c,
                     const char *method, const char *url, const struct req *q, struct reply *r)
{
    const char *rest = url + strlen("/v1/admin/complaints");
    char *end = NULL, err[256];
    long long id;
    int rc;

    if (!sv->admin_on) {
        reply_err(r, 404, "not_found", "the admin API is not enabled (--admin-token-file)");
        return;
    }
    if (!admin_ok(sv, c)) {
        reply_err(r, 401, "unauthorized", "admin requests need Authorization: Bearer TOKEN");
        return;
    }
    if (strcmp(method, "GET") == 0 && *rest == '\0') {
        const char *state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
        const char *branch = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "branch");
        const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
        int limit = lim ? atoi(lim) : 100;
        cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "complaints");
        if (limit < 1 || limit > 1000)
            limit = 100;
        if ((rc = s->ops->complaint_list(s, state, branch, limit, admin_list_one, arr)) !=
            HQ_OK) {
            cJSON_Delete(o);
            reply_err(r, 500, "internal", "%s", s->ops->errmsg(s));
            return;
        }
        reply_json(r, 200, o);
        return;
    }
    if (*rest != '/' || (id = strtoll(rest + 1, &end, 10)) <= 0 || !end) {
        reply_err(r, 404, "not_found", "no such endpoint");
        return;
    }
    if (strcmp(method, "POST") == 0 && strcmp(end, "/advance") == 0) {
        cJSON *b = cJSON_ParseWithLength(q->body ? q->body : "", q->len);
        const cJSON *valid = cJSON_GetObjectItemCaseSensitive(b, "valid");
        struct hq_advance a = {jstr(b, "to"), jstr(b, "severity"),
                               cJSON_IsNumber(valid) ? valid->valueint != 0
                               : cJSON_IsBool(valid) ? cJSON_IsTrue(valid) : -1,
                               jstr(b, "department"), jstr(b, "resolution"),
                               jstr(b, "close_reason"), jstr(b, "stat_category"),
                               jstr(b, "actor"), jstr(b, "note")};
        char actor[96];
        if (!cJSON_IsObject(b) || !a.to) {
            cJSON_Delete(b);
            reply_err(r, 400, "bad_request", "advance needs a JSON object with \"to\"");
            return;
        }
        snprintf(actor, sizeof actor, "hq:%s", a.actor ? a.actor : "dashboard");
        a.actor = actor;
        rc = hq_complaint_advance(s, id, &a, now_s(), err, sizeof err);
        cJSON_Delete(b);
        if (rc == HQ_E_NOTFOUND) {
            reply_err(r, 404, "not_found", "%s", err);
            return;
        }
        if (rc == HQ_E_INVALID) {
            reply_err(r, 409, "invalid_transition", "%s", err);
            return;
        }
        if (rc != HQ_OK) {
            reply_err(r, rc == HQ_E_BUSY ? 503 : 500, rc == HQ_E_BUSY ? "busy" : "internal",
                      "%s", err);
            return;
        }
    } else if (strcmp(method, "GET") != 0 || *end != '\0') {
        reply_err(r, 404, "not_found", "no such endpoint");
        return;
    }
    cJSON *one = NULL;
    rc = s->ops->complaint_get(s, id, admin_get_one, &one);
    if (rc == HQ_OK && one) {
        reply_json(r, 200, one);
        return;
    }
    cJSON_Delete(one);
    if (rc == HQ_E_NOTFOUND)
        reply_err(r, 404, "not_found", "no complaint %lld", id);
    else
        reply_err(r, 500, "internal", "%s", s->ops->errmsg(s));
}

/* GET /v1/admin/report?day=YYYY-MM-DD | month=YYYY-MM [&branch=B]
 * [&format=json|csv]: the figures of `frontdesk-hq report` (hq_report.c). */
static void do_admin_report(struct srv *sv, struct hq_store *s, struct MHD_Connection *c,
                            const char *method, struct reply *r)
{
    const char *day = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "day");
    const char *month = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "month");
    const char *branch = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "branch");
    const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    cJSON *rep = NULL;
    char err[512];
    int rc;

    if (!sv->admin_on) {
        reply_err(r, 404, "not_found", "the admin API is not enabled (--admin-token-file)");
        return;
    }
    if (!admin_ok(sv, c)) {
        reply_err(r, 401, "unauthorized", "admin requests need Authorization: Bearer TOKEN");
        return;
    }
    if (strcmp(method, "GET") != 0) {
        reply_err(r, 404, "not_found", "no such endpoint");
        return;
    }
    if (!day == !month || (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)) {
        reply_err(r, 400, "bad_request",
                  "report needs day=YYYY-MM-DD or month=YYYY-MM [&branch=B][&format=json|csv]");
        return;
    }
    rc = hq_report_build(s, day ? "day" : "month", day ? day : month,
                         branch && *branch ? branch : NULL, &rep, err, sizeof err);
    if (rc == HQ_E_INVALID) {
        reply_err(r, 400, "bad_request", "%s", err);
        return;
    }
    if (rc == HQ_E_NOTFOUND) {
        reply_err(r, 404, "not_found", "%s", err);
        return;
    }
    if (rc != HQ_OK) {
        reply_err(r, 500, "internal", "%s", err);
        return;
    }
    if (format && strcmp(format, "csv") == 0) {
        char *csv = hq_report_csv(rep);
        cJSON_Delete(rep);
        if (!csv) {
            reply_err(r, 500, "internal", "out of memory");
            return;
        }
        send_text(c, 200, csv, "text/csv; charset=utf-8", 0);
        free(csv);
        r->status = 0; /* already sent */
        return;
    }
    reply_json(r, 200, rep);
}

/* GET /v1/admin/fleet[?branch=B]: every device, last contact, online, health. */
static void do_admin_fleet(struct srv *sv, struct hq_store *s, struct MHD_Connection *c,
                           const char *method, struct reply *r)
{
    cJSON *o = NULL;
    if (!sv->admin_on) {
        reply_err(r, 404, "not_found", "the admin API is not enabled (--admin-token-file)");
        return;
    }
    if (!admin_ok(sv, c)) {
        reply_err(r, 401, "unauthorized", "admin requests need Authorization: Bearer TOKEN");
        return;
    }
    if (strcmp(method, "GET") != 0) {
        reply_err(r, 404, "not_found", "no such endpoint");
        return;
    }
    if (hq_fleet_collect(s, now_s(),
                         MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "branch"),
                         &o) != HQ_OK) {
        reply_err(r, 500, "internal", "%s", s->ops->errmsg(s));
        return;
    }
    /* Messages to hosts that head office gave up on (issue 14), newest first. */
    cJSON *failed = hq_notify_list_json(s, 1, 100);
    if (!failed) {
        cJSON_Delete(o);
        reply_err(r, 500, "internal", "%s", s->ops->errmsg(s));
        return;
    }
    cJSON_AddItemToObject(o, "notifications_failed", failed);
    reply_json(r, 200, o);
}

/* GET /v1/admin/invitations[?branch=B&day=D]: hq_invite_list's array;
 * POST with {"branch","day","name","phone","company","purpose","host","by"}
 * invites (answers {"code","shown","qr"}; 400 with the field at fault). */
static void do_admin_invitations(struct srv *sv, struct hq_store *s, struct MHD_Connection *c,
                                 const char *method, const struct req *q, struct reply *r)
{
    char msg[300], code[16];
    if (!sv->admin_on) {
        reply_err(r, 404, "not_found", "the admin API is not enabled (--admin-token-file)");
        return;
    }
    if (!admin_ok(sv, c)) {
        reply_err(r, 401, "unauthorized", "admin requests need Authorization: Bearer TOKEN");
        return;
    }
    if (strcmp(method, "GET") == 0) {
        cJSON *arr = NULL, *o;
        if (hq_invite_list(s, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "branch"),
                           MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "day"),
                           &arr) != HQ_OK) {
            reply_err(r, 500, "internal", "%s", s->ops->errmsg(s));
            return;
        }
        o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "invitations", arr);
        reply_json(r, 200, o);
    } else if (strcmp(method, "POST") == 0) {
        cJSON *in = cJSON_ParseWithLength(q->body ? q->body : "", q->len);
        if (!cJSON_IsObject(in)) {
            cJSON_Delete(in);
            reply_err(r, 400, "bad_request", "the body is a JSON object");
            return;
        }
        struct hq_invite_new n = {jstr(in, "branch"), jstr(in, "day"), jstr(in, "name"),
                                  jstr(in, "phone"), jstr(in, "company"), jstr(in, "purpose"),
                                  jstr(in, "host"), jstr(in, "by")};
        int rc = hq_invite_add(s, &n, now_s(), code, msg, sizeof msg, NULL);
        cJSON_Delete(in);
        if (rc == HQ_E_INVALID) {
            reply_err(r, 400, "bad_request", "%s", msg);
        } else if (rc != HQ_OK) {
            reply_err(r, 500, "internal", "%s", msg);
        } else {
            char shown[INVITE_CODE_SHOWN];
            cJSON *o = cJSON_CreateObject();
            invite_code_format(code, shown);
            cJSON_AddStringToObject(o, "code", code);
            cJSON_AddStringToObject(o, "shown", shown);
            cJSON_AddStringToObject(o, "qr", code);
            reply_json(r, 200, o);
        }
    } else {
        reply_err(r, 404, "not_found", "no such endpoint");
    }
}

/* ---- upkeep: the log's months ahead and the personal-data sweep ---- */

#define UPKEEP_EVERY 3600      /* seconds between passes */
#define UPKEEP_AHEAD (70 * 86400) /* the log's partitions exist this far ahead */
#define UPKEEP_BATCHES 20      /* sweep transactions per pass (HQ_PII_BATCH rows each) */

struct upkeep {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int started;
    const char *db;
};

/* One pass on its own store handle: partitions for the months ahead, then
 * a bounded part of the retention sweep (each batch its own short
 * transaction; what is left waits for the next pass). */
static void upkeep_pass(struct upkeep *u)
{
    struct hq_store *s = NULL;
    struct hq_pii_count c = {0, 0};
    char err[256];
    long long now = now_s();
    if (hq_store_open(u->db, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: upkeep: %s\n", err);
        return;
    }
    if (s->ops->log_prepare(s, now - 86400, now + UPKEEP_AHEAD) != HQ_OK)
        fprintf(stderr, "frontdesk-hq: upkeep: log partitions: %s\n", s->ops->errmsg(s));
    if (hq_invite_mark_used(s, now) < 0)
        fprintf(stderr, "frontdesk-hq: upkeep: invitations: %s\n", s->ops->errmsg(s));
    if (hq_pii_sweep(s, now, UPKEEP_BATCHES, &c, NULL) != HQ_OK)
        fprintf(stderr, "frontdesk-hq: upkeep: personal data sweep: %s\n", s->ops->errmsg(s));
    hq_store_close(s);
}

static void *upkeep_run(void *arg)
{
    struct upkeep *u = arg;
    for (int pass = 0;; pass++) {
        struct timespec until;
        if (pass > 0) /* at start the partitions are made already; sweep an hour later */
            upkeep_pass(u);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += UPKEEP_EVERY;
        pthread_mutex_lock(&u->mu);
        while (!u->stop)
            if (pthread_cond_timedwait(&u->cv, &u->mu, &until) == ETIMEDOUT)
                break;
        int stop = u->stop;
        pthread_mutex_unlock(&u->mu);
        if (stop)
            break;
    }
    return NULL;
}

static int upkeep_start(struct upkeep *u, const char *db)
{
    pthread_condattr_t ca;
    memset(u, 0, sizeof *u);
    u->db = db;
    pthread_mutex_init(&u->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&u->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&u->thread, NULL, upkeep_run, u) != 0)
        return -1;
    u->started = 1;
    return 0;
}

static void upkeep_stop(struct upkeep *u)
{
    if (!u->started)
        return;
    pthread_mutex_lock(&u->mu);
    u->stop = 1;
    pthread_cond_signal(&u->cv);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->thread, NULL);
    u->started = 0;
}

/* ---- libmicrohttpd glue ---- */

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct srv *sv = cls;
    struct req *q = *con_cls;
    (void)toe;
    /* kept alive: the next request's headers have the usual deadline */
    conn_deadline(sv, c, mono_ms() + HDR_DEADLINE_MS);
    if (!q)
        return;
    if (q->counted)
        atomic_fetch_sub(&sv->inflight, 1);
    free(q->body);
    free(q);
    *con_cls = NULL;
}

/* GET /health: 200 only when a push would be served now: a free in-flight
 * slot, connections to spare and a database that answers (checked at most
 * once a second, with an idle handle: a health check never queues behind
 * kiosks). 503 {"status":"busy"|"db_down"} otherwise. */
static enum MHD_Result do_health(struct srv *sv, struct MHD_Connection *c)
{
    long long now = mono_ms();
    if (now - atomic_load(&sv->health_at) >= 1000) {
        struct hq_store *s = pool_try(&sv->pool);
        char err[256];
        if (!s && sv->pool.total < sv->pool.max)
            s = pool_get(&sv->pool, err, sizeof err);
        if (s) { /* an indexed lookup: answers or not, counts nothing */
            struct hq_device d;
            int rc = s->ops->device_lookup(s, "health-check", &d);
            atomic_store(&sv->health_db, rc == HQ_OK || rc == HQ_E_NOTFOUND);
            pool_put(&sv->pool, s, rc != HQ_OK && rc != HQ_E_NOTFOUND);
            atomic_store(&sv->health_at, now);
        } else if (sv->pool.total == 0) {
            atomic_store(&sv->health_db, 0); /* cannot even open one */
            atomic_store(&sv->health_at, now);
        } /* else every handle is serving: the last answer stands */
    }
    if (!atomic_load(&sv->health_db))
        return send_text(c, 503, "{\"status\":\"db_down\"}", "application/json", 5);
    if (atomic_load(&sv->inflight) >= sv->max_inflight ||
        conns_open(sv) * 8 >= CONN_LIMIT * 7)
        return send_text(c, 503, "{\"status\":\"busy\"}", "application/json", RETRY_BUSY);
    return send_text(c, 200, "{\"status\":\"ok\"}", "application/json", 0);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload_data, size_t *upload_data_size,
                              void **con_cls)
{
    struct srv *sv = cls;
    struct req *q = *con_cls;
    struct reply r = {0};
    struct hq_store *s;
    char err[256];
    int io = 0;
    (void)version;

    if (!q) { /* first call: headers only */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *con_cls = q;
        m.requests++;
        /* Each endpoint's body cap: a push's is the protocol's; an enrolment
         * (unauthenticated, parsed to find the key that verifies it) is tiny. */
        q->body_max = strcmp(url, "/v1/push") == 0     ? SYNC_BODY_MAX
                      : strcmp(url, "/v1/enroll") == 0 ? ENROLL_BODY_MAX
                                                       : SMALL_BODY_MAX;
        if (declared > q->body_max)
            q->refuse = 413;
        /* The body has BODY_GRACE_MS plus a second per BODY_RATE_MIN bytes
         * it declares (a chunked one: as for the cap); a client that trickles
         * is cut there. No in-flight slot is held while it arrives. */
        conn_deadline(sv, c, mono_ms() + BODY_GRACE_MS +
                                 (long long)((declared && declared < q->body_max ? declared
                                                                                 : q->body_max) *
                                             1000 / BODY_RATE_MIN));
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!q->refuse) {
            if (q->len + *upload_data_size > q->body_max) {
                q->refuse = 413;
            } else {
                if (q->len + *upload_data_size + 1 > q->cap) {
                    size_t ncap = q->cap ? q->cap : 16384;
                    while (ncap < q->len + *upload_data_size + 1)
                        ncap *= 2;
                    char *nb = realloc(q->body, ncap);
                    if (!nb)
                        return MHD_NO;
                    q->body = nb;
                    q->cap = ncap;
                }
                memcpy(q->body + q->len, upload_data, *upload_data_size);
                q->len += *upload_data_size;
                q->body[q->len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    conn_deadline(sv, c, 0); /* the request is whole: ours to answer */
    if (q->refuse == 413) {
        m.rej_large++;
        reply_err(&r, 413, "too_large", "request bodies to %s are capped at %zu bytes", url,
                  q->body_max);
        return send_reply(c, &r);
    }
    if (strcmp(method, "GET") == 0 && strcmp(url, "/health") == 0)
        return do_health(sv, c);
    if (strcmp(method, "GET") == 0 && strcmp(url, "/metrics") == 0) {
        if (!metrics_allowed(sv, c)) {
            reply_err(&r, 403, "forbidden", "/metrics needs its token or a local address");
            return send_reply(c, &r);
        }
        do_metrics(sv, c, &r);
        return MHD_YES;
    }
    /* An in-flight slot, taken now that the body is whole (a slow client
     * holds none). The last `reserve` slots go only to signed kiosk
     * requests (push, pull), so an unauthenticated flood cannot take them. */
    {
        int kiosk = strcmp(method, "POST") == 0 &&
                    (strcmp(url, "/v1/push") == 0 || strcmp(url, "/v1/pull") == 0) &&
                    header(c, "X-FD-Signature");
        q->counted = 1;
        if (atomic_fetch_add(&sv->inflight, 1) >= sv->max_inflight - (kiosk ? 0 : sv->reserve)) {
            m.busy++;
            reply_err(&r, 503, "busy", BUSY_TEXT);
            r.retry_after = RETRY_BUSY;
            return send_reply(c, &r);
        }
    }
    if (hq_assets_wants(url)) /* the console's files: no store needed */
        return hq_assets_serve(c, method, url);
    s = pool_get(&sv->pool, err, sizeof err);
    if (!s) {
        reply_err(&r, 503, "busy", "database unavailable: %s", err);
        r.retry_after = 5;
        return send_reply(c, &r);
    }
    if (strcmp(method, "POST") == 0 && strcmp(url, "/v1/push") == 0) {
        if (fault.hold_push_ms > 0)
            usleep((useconds_t)fault.hold_push_ms * 1000u);
        do_push(sv, s, c, q, &r);
    }
    else if (strcmp(method, "POST") == 0 && strcmp(url, "/v1/pull") == 0)
        do_pull(s, c, q, &r);
    else if (strcmp(method, "POST") == 0 && strcmp(url, "/v1/enroll") == 0)
        do_enroll(sv, s, c, q, &r);
    else if (strncmp(url, "/v1/admin/complaints", 20) == 0)
        do_admin(sv, s, c, method, url, q, &r);
    else if (strcmp(url, "/v1/admin/invitations") == 0)
        do_admin_invitations(sv, s, c, method, q, &r);
    else if (strcmp(url, "/v1/admin/fleet") == 0)
        do_admin_fleet(sv, s, c, method, &r);
    else if (strcmp(url, "/v1/admin/report") == 0)
        do_admin_report(sv, s, c, method, &r);
    else if (strncmp(url, "/console", 8) == 0 && (url[8] == '/' || url[8] == '\0'))
        hq_console_handle(s, c, method, url, q->body, q->len); /* answers itself: status 0 */
    else
        reply_err(&r, 404, "not_found", "no such endpoint");
    io = r.status == 500; /* reply_err logged why; the client hears "internal" */
    pool_put(&sv->pool, s, io);
    if (r.status == 0 && !r.drop)
        return MHD_YES; /* answered already (a CSV report) */
    if (m.requests % 256 == 0) { /* forget old nonces now and then */
        struct hq_store *p = pool_get(&sv->pool, err, sizeof err);
        if (p) {
            p->ops->nonce_prune(p, now_s() - SYNC_NONCE_KEEP);
            pool_put(&sv->pool, p, 0);
        }
    }
    return send_reply(c, &r);
}

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
    } else {
        free(buf);
        buf = NULL;
        snprintf(err, errlen, "cannot read %s", path);
    }
    fclose(f);
    return buf;
}

/* Sets the faults from FDHQ_FAULT in a test build; none otherwise. */
static void parse_faults(void)
{
    fault.batch_max = SYNC_BATCH_MAX;
#ifdef FD_TEST_HOOKS
    const char *f = getenv("FDHQ_FAULT");
    const char *p;
    if (!f)
        return;
    if ((p = strstr(f, "batch_max:")) && atoi(p + 10) > 0 && atoi(p + 10) < SYNC_BATCH_MAX)
        fault.batch_max = atoi(p + 10);
    if ((p = strstr(f, "drop_after_commit:")))
        fault.drop_after_commit = atoi(p + 18);
    if ((p = strstr(f, "kill_in_apply:")))
        fault.kill_in_apply = atoi(p + 14);
    if ((p = strstr(f, "hold_push_ms:")))
        fault.hold_push_ms = atoi(p + 13);
#endif
}

int hq_server_run(const struct hq_server_opts *o, char *err, size_t errlen)
{
    struct srv sv;
    struct upkeep up = {0};
    struct hq_notifier *notifier = NULL;
    struct sockaddr_in sa;
    struct MHD_Daemon *d = NULL;
    const union MHD_DaemonInfo *info;
    char host[64], *cert = NULL, *key = NULL;
    struct hq_store *first = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    sigset_t set;
    int sig, rc = -1, port;

    memset(&sv, 0, sizeof sv);
    pthread_mutex_init(&sv.pool.mu, NULL);
    pthread_cond_init(&sv.pool.cv, NULL);
    pthread_mutex_init(&sv.pushing.mu, NULL);
    pthread_mutex_init(&sv.conns.mu, NULL);
    pthread_mutex_init(&sv.mc.mu, NULL);
    sv.pool.db = o->db;
    sv.pool.max = o->threads > 0 ? (o->threads < POOL_MAX ? o->threads : POOL_MAX) : 4;
    sv.max_inflight = o->max_inflight > 0 ? o->max_inflight : 32;
    sv.reserve = sv.max_inflight / 4; /* 32: 8 slots only signed kiosk requests take */
    atomic_store(&sv.health_db, 1);
    {
        static cJSON_Hooks hooks = {budget_malloc, budget_free};
        cJSON_InitHooks(&hooks);
    }
    /* Memory goes back after a big push: one arena (glibc gives a thread
     * arena's free top back to nobody, malloc_trim included: four bombs left
     * ~150 MB resident for good), and buffers past 256 KiB always mapped on
     * their own (unmapped at free, not kept by a threshold that grew). */
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    parse_faults();
    if (sync_wire_init() != 0) {
        snprintf(err, errlen, "libsodium failed to start");
        goto out;
    }
    if (fdweb_listen_addr(o->listen, &sa, host, sizeof host, err, errlen) != 0)
        goto out;
    port = ntohs(sa.sin_port);
    if (!o->tls_cert != !o->tls_key) {
        snprintf(err, errlen, "--tls-cert and --tls-key go together");
        goto out;
    }
    if (o->tls_cert) {
        if (!(cert = read_file(o->tls_cert, err, errlen)) ||
            !(key = read_file(o->tls_key, err, errlen)))
            goto out;
        flags |= MHD_USE_TLS;
    }
    if (o->admin_token_file) {
        char *tok = read_file(o->admin_token_file, err, errlen);
        if (!tok)
            goto out;
        tok[strcspn(tok, "\r\n")] = '\0';
        if (strlen(tok) < 16) {
            snprintf(err, errlen, "the admin token in %s is shorter than 16 characters",
                     o->admin_token_file);
            sodium_memzero(tok, strlen(tok));
            free(tok);
            goto out;
        }
        crypto_generichash(sv.admin_hash, sizeof sv.admin_hash, (const unsigned char *)tok,
                           strlen(tok), NULL, 0);
        sodium_memzero(tok, strlen(tok));
        free(tok);
        sv.admin_on = 1;
    }
    if (o->metrics_token_file) {
        char *tok = read_file(o->metrics_token_file, err, errlen);
        if (!tok)
            goto out;
        tok[strcspn(tok, "\r\n")] = '\0';
        if (strlen(tok) < 16) {
            snprintf(err, errlen, "the metrics token in %s is shorter than 16 characters",
                     o->metrics_token_file);
            sodium_memzero(tok, strlen(tok));
            free(tok);
            goto out;
        }
        crypto_generichash(sv.metrics_hash, sizeof sv.metrics_hash, (const unsigned char *)tok,
                           strlen(tok), NULL, 0);
        sodium_memzero(tok, strlen(tok));
        free(tok);
        sv.metrics_token_on = 1;
    }
    /* Open (and migrate) once before serving, so a bad database fails now;
     * the log's months ahead exist before the first push. */
    first = pool_get(&sv.pool, err, errlen);
    if (!first)
        goto out;
    if (first->ops->log_prepare(first, now_s() - 86400, now_s() + UPKEEP_AHEAD) != HQ_OK) {
        snprintf(err, errlen, "log partitions: %s", first->ops->errmsg(first));
        pool_put(&sv.pool, first, 1);
        goto out;
    }
    pool_put(&sv.pool, first, 0);

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* MHD threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    {
        /* Limits (hq/README.md, Hostile clients): connections at once, per
         * address (off behind a reverse proxy, where every client is the
         * proxy), silence, and the deadlines the watcher enforces. */
        unsigned per_ip = o->per_ip_limit < 0 ? 0u
                          : o->per_ip_limit == 0 ? PER_IP_DEFAULT
                                                 : (unsigned)o->per_ip_limit;
        struct MHD_OptionItem tls[] = {
            {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
            {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
            {MHD_OPTION_END, 0, NULL},
        };
        d = MHD_start_daemon(flags, 0, NULL, NULL, handle, &sv, MHD_OPTION_SOCK_ADDR, &sa,
                             MHD_OPTION_THREAD_POOL_SIZE, (unsigned)sv.pool.max,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
                             MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, &sv,
                             MHD_OPTION_NOTIFY_CONNECTION, conn_notify, &sv,
                             MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    }
    if (!d) {
        snprintf(err, errlen, "cannot listen on %s (address in use or TLS files invalid)",
                 o->listen);
        goto out;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on %s:%u%s\n", host, info ? (unsigned)info->port : (unsigned)port,
           cert ? " (https)" : "");
    fflush(stdout);
    if (upkeep_start(&up, o->db) != 0)
        fprintf(stderr, "frontdesk-hq: the upkeep thread did not start\n");
    {
        char nerr[128];
        if (!(notifier = hq_notify_start(o->db, nerr, sizeof nerr)))
            fprintf(stderr, "frontdesk-hq: %s\n", nerr);
    }
    int watching = pthread_create(&sv.watcher, NULL, watcher_run, &sv) == 0;
    if (!watching)
        fprintf(stderr, "frontdesk-hq: the connection watcher did not start\n");
    sigwait(&set, &sig);
    atomic_store(&sv.stop, 1);
    if (watching)
        pthread_join(sv.watcher, NULL);
    MHD_stop_daemon(d);
    hq_notify_stop(notifier);
    upkeep_stop(&up);
    rc = 0;
out:
    while (sv.pool.nidle > 0)
        hq_store_close(sv.pool.idle[--sv.pool.nidle]);
    free(sv.mc.text);
    if (key)
        sodium_memzero(key, strlen(key));
    free(key);
    free(cert);
    return rc;
}
