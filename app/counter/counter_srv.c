/* counter_srv.c - frontdesk-counter's HTTP side on libmicrohttpd: the page
 * (built files embedded in the binary, served by lib/fdweb), the JSON API
 * (README, "The counter API") and the Server-Sent Events stream.
 *
 * Every queue action goes through core's queue engine on a connection from a
 * small pool, as the staff console's do, and is audited with the staff name
 * and the counter; staff sign in with core's staff module (the same Argon2id
 * hashes and lockout as the console). Sessions live in this process's memory
 * (one process serves a branch: a restart logs everyone out, and pages ask
 * for the PIN again). libmicrohttpd runs a thread per connection: a stream
 * blocks its own thread while it waits for news, and a PIN check (a tenth of
 * a second of CPU) never holds up another counter. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bday.h"
#include "counter.h"
#include "fdweb.h"
#include "journal.h"
#include "queue.h"
#include "queue_json.h"
#include "staff.h"

extern const struct fd_embedded_file counter_web[];

#define BODY_MAX 4096          /* a request body; more is refused (413) */
#define SESS_MAX 256           /* sessions in memory; the oldest anonymous go first */
#define SESS_IDLE_S (12 * 3600) /* a signed-in page unused this long signs out */
#define ANON_IDLE_S 600         /* a login form's session */
#define COOKIE "fdc_sid"
#define CONN_MAX 64             /* connections (threads) at once */

/* ---- the pool --------------------------------------------------------------- */

struct fd_store *counter_pool_get(struct counter_pool *p, char *err, size_t errlen)
{
    struct fd_store *st = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->nidle > 0)
        st = p->idle[--p->nidle];
    pthread_mutex_unlock(&p->mu);
    if (!st && store_open(p->db, &st, err, errlen) != 0)
        return NULL;
    return st;
}

void counter_pool_put(struct counter_pool *p, struct fd_store *st, int bad)
{
    if (!st)
        return;
    pthread_mutex_lock(&p->mu);
    if (!bad && p->nidle < (int)(sizeof p->idle / sizeof p->idle[0])) {
        p->idle[p->nidle++] = st;
        st = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    store_close(st);
}

/* ---- sessions ------------------------------------------------------------------ */

struct sess {
    char id[65];               /* the cookie's value; "" = free slot */
    char csrf[65];             /* the X-CSRF-Token its page must send */
    int logged;                /* 0: a login form's (anonymous) session */
    char staff[STAFF_NAME_MAX * 4 + 1];
    int counter;
    int64_t seen;              /* monotonic seconds of the last request */
};

static struct {
    pthread_mutex_t mu;
    struct sess s[SESS_MAX];
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* Finds the live session `id`; with S.mu held. */
static struct sess *sess_find(const char *id)
{
    int64_t now = mono_s();
    if (!id || strlen(id) != 64)
        return NULL;
    for (int i = 0; i < SESS_MAX; i++) {
        struct sess *x = &S.s[i];
        if (!x->id[0] || sodium_memcmp(x->id, id, 64) != 0)
            continue;
        if (now - x->seen > (x->logged ? SESS_IDLE_S : ANON_IDLE_S)) {
            sodium_memzero(x, sizeof *x);
            return NULL;
        }
        x->seen = now;
        return x;
    }
    return NULL;
}

/* A new session (fresh id and CSRF token) in a free slot, else in place of
 * the stalest anonymous one, else of the stalest of all; with S.mu held. */
static struct sess *sess_new(void)
{
    struct sess *pick = NULL;
    for (int i = 0; i < SESS_MAX && !pick; i++)
        if (!S.s[i].id[0])
            pick = &S.s[i];
    for (int pass = 0; pass < 2 && !pick; pass++)
        for (int i = 0; i < SESS_MAX; i++)
            if ((pass || !S.s[i].logged) && (!pick || S.s[i].seen < pick->seen))
                pick = &S.s[i];
    memset(pick, 0, sizeof *pick);
    fdweb_token(pick->id, 32);
    fdweb_token(pick->csrf, 32);
    pick->seen = mono_s();
    return pick;
}

/* A copy of the request's session, when it has one. */
static int sess_get(struct MHD_Connection *c, struct sess *out)
{
    char id[80];
    struct sess *x;
    if (fdweb_cookie(c, COOKIE, id, sizeof id) != 0)
        return -1;
    pthread_mutex_lock(&S.mu);
    x = sess_find(id);
    if (x)
        *out = *x;
    pthread_mutex_unlock(&S.mu);
    return x ? 0 : -1;
}

/* A stream stays open while its session is signed in. */
struct stream_owner {
    char id[65];
};

static int sess_alive(void *arg)
{
    struct stream_owner *o = arg;
    int ok;
    pthread_mutex_lock(&S.mu); /* not sess_find: a stream is not "use" */
    ok = 0;
    for (int i = 0; i < SESS_MAX && !ok; i++)
        ok = S.s[i].logged && !strcmp(S.s[i].id, o->id);
    pthread_mutex_unlock(&S.mu);
    return ok;
}

/* ---- the server ---------------------------------------------------------------------- */

struct srv {
    struct counter_pool pool;
    struct live live;
    int tls;
    /* One action at a time from this process: SQLite's busy handler is not
     * fair, and four counters hammering BEGIN IMMEDIATE on four connections
     * starve one past its timeout. Behind this mutex they queue in order;
     * other processes (the kiosk, frontdesk-ctl) meet at most one writer
     * from here. Held for one short core call and its audit row. */
    pthread_mutex_t write_mu;
};

struct req {
    char *body;
    size_t len;
    int too_big;
};

/* Queues a JSON object (consumed) with `status`, and a cookie when set. */
static enum MHD_Result send_obj(struct srv *sv, struct MHD_Connection *c, unsigned status,
                                cJSON *o, const char *cookie, int cookie_age)
{
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!t)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(t), t, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(t);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    fdweb_headers(r, sv->tls);
    if (cookie)
        fdweb_set_cookie(r, COOKIE, cookie, cookie_age, sv->tls);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A refusal as frontdesk-ctl --json words it: {"error", "field", "message"}. */
static enum MHD_Result send_err(struct srv *sv, struct MHD_Connection *c, unsigned status,
                                const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static enum MHD_Result send_err(struct srv *sv, struct MHD_Connection *c, unsigned status,
                                const char *code, const char *field, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", code);
    if (field && *field)
        cJSON_AddStringToObject(o, "field", field);
    cJSON_AddStringToObject(o, "message", msg);
    return send_obj(sv, c, status, o, NULL, 0);
}

static unsigned status_of(int rc)
{
    switch (rc) {
    case FD_EINVAL: return 400;
    case FD_ENOTFOUND: return 404;
    case FD_EDB: case FD_ECORRUPT: case FD_ENEWER: return 500;
    default: return 409; /* state, empty, closed, full, exists */
    }
}

static enum MHD_Result send_fd_err(struct srv *sv, struct MHD_Connection *c, int rc,
                                   const struct fd_err *e)
{
    return send_err(sv, c, status_of(rc), fd_err_name(rc), e->field,
                    "%s", e->msg[0] ? e->msg : fd_err_name(rc));
}

static void audit(struct fd_store *st, const struct sess *s, const char *action,
                  const char *detail)
{
    char subj[32];
    struct fd_err e = {0};
    snprintf(subj, sizeof subj, "counter %d", s->counter);
    if (journal_audit(st, s->staff, action, subj, detail, bday_now(), &e))
        fprintf(stderr, "frontdesk-counter: audit %s: %s\n", action, e.msg);
}

/* ---- the API's handlers ---------------------------------------------------------------- */

/* GET /api/session: who is signed in here, the CSRF token the page sends
 * with every change, and what the login form offers. A request without a
 * session gets an anonymous one (its token guards the login). */
static enum MHD_Result do_session(struct srv *sv, struct MHD_Connection *c, struct fd_store *st)
{
    struct sess s;
    const char *set = NULL;
    char newid[65];
    if (sess_get(c, &s) != 0) {
        pthread_mutex_lock(&S.mu);
        s = *sess_new();
        pthread_mutex_unlock(&S.mu);
        memcpy(newid, s.id, sizeof newid);
        set = newid;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "logged_in", s.logged);
    cJSON_AddStringToObject(o, "csrf", s.csrf);
    if (s.logged) {
        cJSON_AddStringToObject(o, "staff", s.staff);
        cJSON_AddNumberToObject(o, "counter", s.counter);
    } else {
        struct staff *sf = NULL;
        struct queue_counter *qc = NULL;
        int n = 0;
        cJSON *a = cJSON_AddArrayToObject(o, "staff_names");
        if (staff_list(st, &sf, &n, NULL) == 0)
            for (int i = 0; i < n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(sf[i].name));
        free(sf);
        a = cJSON_AddArrayToObject(o, "counters");
        if (queue_counter_list(st, &qc, &n, NULL) == 0)
            for (int i = 0; i < n; i++) {
                cJSON *x = cJSON_CreateObject();
                cJSON_AddNumberToObject(x, "id", qc[i].id);
                cJSON_AddStringToObject(x, "name", qc[i].name);
                cJSON_AddItemToArray(a, x);
            }
        free(qc);
    }
    return send_obj(sv, c, 200, o, set, -1);
}

/* POST /api/login {"staff": NAME, "pin": PIN, "counter": ID}. */
static enum MHD_Result do_login(struct srv *sv, struct MHD_Connection *c, struct fd_store *st,
                                struct req *q)
{
    struct sess s;
    struct staff *sf = NULL, who;
    struct queue_counter *qc = NULL;
    struct fd_err e = {0};
    char pin[STAFF_PIN_MAX + 1] = "", name[STAFF_NAME_MAX * 4 + 1], newid[65];
    int n = 0, counter = 0, found = 0, retry = 0, rc;
    int64_t staff_id = 0;
    enum MHD_Result res;

    if (sess_get(c, &s) != 0 || fdweb_same_origin(c, s.csrf) != 0)
        return send_err(sv, c, 403, "cross_site", NULL,
                        "refused: not sent by this server's own page"
                        " (GET /api/session first, then send its csrf as X-CSRF-Token)");
    cJSON *j = q->body ? cJSON_Parse(q->body) : NULL;
    if (q->body)
        sodium_memzero(q->body, q->len); /* the PIN */
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(j, "staff");
    const cJSON *jp = cJSON_GetObjectItemCaseSensitive(j, "pin");
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(j, "counter");
    if (cJSON_IsString(jp) && strlen(jp->valuestring) < sizeof pin)
        snprintf(pin, sizeof pin, "%s", jp->valuestring);
    if (cJSON_IsString(jp))
        sodium_memzero(jp->valuestring, strlen(jp->valuestring));
    if (cJSON_IsNumber(jc))
        counter = jc->valueint;
    else if (cJSON_IsString(jc))
        counter = atoi(jc->valuestring);
    if (!cJSON_IsString(js) || strlen(js->valuestring) >= sizeof name) {
        res = send_err(sv, c, 400, "invalid", "staff", "staff must be a staff member's name");
        goto out;
    }
    snprintf(name, sizeof name, "%s", js->valuestring);
    if (!pin[0]) {
        res = send_err(sv, c, 400, "invalid", "pin", "pin must be the PIN (4-12 digits) as text");
        goto out;
    }
    if (counter < 1 || counter > 999) {
        res = send_err(sv, c, 400, "invalid", "counter", "counter must be a counter number 1-999");
        goto out;
    }
    if (queue_counter_list(st, &qc, &n, &e)) {
        res = send_fd_err(sv, c, FD_EDB, &e);
        goto out;
    }
    for (int i = 0; i < n; i++)
        found |= qc[i].id == counter;
    if (!found) {
        res = send_err(sv, c, 404, "not_found", "counter", "there is no counter %d", counter);
        goto out;
    }
    if (staff_list(st, &sf, &n, &e)) {
        res = send_fd_err(sv, c, FD_EDB, &e);
        goto out;
    }
    for (int i = 0; i < n && !staff_id; i++)
        if (!strcmp(sf[i].name, name))
            staff_id = sf[i].id;
    if (!staff_id) {
        res = send_err(sv, c, 404, "not_found", "staff", "no active staff account is named %s",
                       name);
        goto out;
    }
    /* Under the write lock (see struct srv): the check writes its outcome
     * and the audit row; a tenth of a second per attempt. */
    pthread_mutex_lock(&sv->write_mu);
    rc = staff_login(st, staff_id, pin, bday_now(), &who, &retry, &e);
    pthread_mutex_unlock(&sv->write_mu);
    if (rc == FD_ESTATE) {
        res = send_err(sv, c, 429, "locked", "pin",
                       "too many wrong PINs: %s is locked for %d more seconds", name, retry);
        goto out;
    }
    if (rc == FD_EINVAL) {
        res = send_err(sv, c, 401, "wrong_pin", "pin", "%s", e.msg);
        goto out;
    }
    if (rc) {
        res = send_fd_err(sv, c, rc, &e);
        goto out;
    }
    /* A new id at sign-in: a session id seen before it is worth nothing. */
    pthread_mutex_lock(&S.mu);
    struct sess *old = sess_find(s.id);
    if (old)
        sodium_memzero(old, sizeof *old);
    struct sess *x = sess_new();
    x->logged = 1;
    snprintf(x->staff, sizeof x->staff, "%s", who.name);
    x->counter = counter;
    s = *x;
    pthread_mutex_unlock(&S.mu);
    memcpy(newid, s.id, sizeof newid);
    pthread_mutex_lock(&sv->write_mu);
    audit(st, &s, "counter.login", "counter page");
    pthread_mutex_unlock(&sv->write_mu);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "logged_in", 1);
    cJSON_AddStringToObject(o, "staff", s.staff);
    cJSON_AddNumberToObject(o, "counter", s.counter);
    cJSON_AddStringToObject(o, "csrf", s.csrf);
    res = send_obj(sv, c, 200, o, newid, -1);
out:
    sodium_memzero(pin, sizeof pin);
    cJSON_Delete(j);
    free(sf);
    free(qc);
    return res;
}

enum op { OP_CALL, OP_RECALL, OP_NOSHOW, OP_SERVE, OP_FINISH, OP_TRANSFER, OP_OPEN, OP_CLOSE,
          OP_LOGOUT, OP_COUNT };

static const struct {
    const char *path, *action;
} ops[OP_COUNT] = {
    {"/api/call", "queue.call"},       {"/api/recall", "queue.recall"},
    {"/api/noshow", "queue.noshow"},   {"/api/serve", "queue.serve"},
    {"/api/finish", "queue.finish"},   {"/api/transfer", "queue.transfer"},
    {"/api/open", "counter.open"},     {"/api/close", "counter.close"},
    {"/api/logout", "counter.logout"},
};

/* A signed-in page's action on its counter. */
static enum MHD_Result do_op(struct srv *sv, struct MHD_Connection *c, struct fd_store *st,
                             struct req *q, enum op op, const struct sess *s)
{
    struct queue_ticket t = {0};
    struct fd_err e = {0};
    char detail[64], code[8] = "";
    int64_t now = bday_now();
    int rc = 0;
    cJSON *o;

    if (op == OP_LOGOUT)
        goto logout;
    pthread_mutex_lock(&sv->write_mu);
    now = bday_now(); /* when it happened, not when it was asked */
    switch (op) {
    case OP_CALL: rc = queue_call_next(st, s->counter, s->staff, now, &t, &e); break;
    case OP_RECALL: rc = queue_recall(st, s->counter, s->staff, now, &t, &e); break;
    case OP_NOSHOW: rc = queue_noshow(st, s->counter, s->staff, now, &t, &e); break;
    case OP_SERVE: rc = queue_serve(st, s->counter, s->staff, now, &t, &e); break;
    case OP_FINISH: rc = queue_finish(st, s->counter, s->staff, now, &t, &e); break;
    case OP_TRANSFER: {
        cJSON *j = q->body ? cJSON_Parse(q->body) : NULL;
        const cJSON *sv_ = cJSON_GetObjectItemCaseSensitive(j, "service");
        if (cJSON_IsString(sv_) && strlen(sv_->valuestring) < sizeof code)
            snprintf(code, sizeof code, "%s", sv_->valuestring);
        cJSON_Delete(j);
        if (!code[0]) {
            pthread_mutex_unlock(&sv->write_mu);
            return send_err(sv, c, 400, "invalid", "service",
                            "transfer needs {\"service\": CODE}, the service to send it to");
        }
        rc = queue_transfer(st, s->counter, code, s->staff, now, &t, &e);
        break;
    }
    case OP_OPEN:
    case OP_CLOSE: rc = queue_counter_set_open(st, s->counter, op == OP_OPEN, &e); break;
    case OP_LOGOUT:
    case OP_COUNT: break;
    }
    if (op == OP_TRANSFER)
        snprintf(detail, sizeof detail, "%s -> %s", rc ? "" : t.label, code);
    else
        snprintf(detail, sizeof detail, "%s", t.label);
    audit(st, s, ops[op].action, rc ? (e.msg[0] ? e.msg : fd_err_name(rc)) : detail);
    pthread_mutex_unlock(&sv->write_mu);
    live_poke(&sv->live);
    goto answer;
logout: {
        struct sess *x;
        pthread_mutex_lock(&sv->write_mu);
        audit(st, s, ops[op].action, NULL);
        pthread_mutex_unlock(&sv->write_mu);
        pthread_mutex_lock(&S.mu);
        if ((x = sess_find(s->id)))
            sodium_memzero(x, sizeof *x);
        pthread_mutex_unlock(&S.mu);
        o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "logged_in", 0);
        return send_obj(sv, c, 200, o, "gone", 0);
    }
answer:
    if (rc == FD_EEMPTY && t.id) { /* finished one, nobody next: both facts */
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", fd_err_name(rc));
        cJSON_AddStringToObject(o, "message", e.msg);
        cJSON_AddItemToObject(o, "finished", queue_ticket_json(&t, QUEUE_JSON_BRIEF));
        return send_obj(sv, c, 409, o, NULL, 0);
    }
    if (rc)
        return send_fd_err(sv, c, rc, &e);
    o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON_AddNumberToObject(o, "counter", s->counter);
    if (op == OP_OPEN || op == OP_CLOSE)
        cJSON_AddBoolToObject(o, "open", op == OP_OPEN);
    else
        cJSON_AddItemToObject(o, "ticket", queue_ticket_json(&t, QUEUE_JSON_BRIEF));
    return send_obj(sv, c, 200, o, NULL, 0);
}

/* GET /api/queue: the snapshot the stream sends, and who this page is. */
static enum MHD_Result do_queue(struct srv *sv, struct MHD_Connection *c, struct fd_store *st,
                                const struct sess *s)
{
    char *snap = live_snapshot(st, bday_now());
    cJSON *o = snap ? cJSON_Parse(snap) : NULL;
    free(snap);
    if (!o)
        return send_err(sv, c, 500, "database", NULL, "cannot read the queue: %s",
                        store_errmsg(st));
    cJSON *me = cJSON_AddObjectToObject(o, "me");
    cJSON_AddStringToObject(me, "staff", s->staff);
    cJSON_AddNumberToObject(me, "counter", s->counter);
    return send_obj(sv, c, 200, o, NULL, 0);
}

static void free_owner(void *p)
{
    free(p);
}

/* GET /api/events: the Server-Sent Events stream. */
static enum MHD_Result do_events(struct srv *sv, struct MHD_Connection *c, const struct sess *s)
{
    const char *lei = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    const char *qlei = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "last");
    int64_t last = -1;
    char *end;
    if (!lei)
        lei = qlei; /* a hardware caller that cannot set the header */
    if (lei && *lei) {
        long long v = strtoll(lei, &end, 10);
        if (*end == '\0' && v >= 0)
            last = v;
    }
    struct stream_owner *own = malloc(sizeof *own);
    if (!own)
        return MHD_NO;
    memcpy(own->id, s->id, sizeof own->id);
    struct live_stream *ls = live_stream_open(&sv->live, last, sess_alive, own);
    if (!ls) {
        free(own);
        return MHD_NO;
    }
    ls->owner_free = free_owner;
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
                                                               live_stream_read, ls,
                                                               live_stream_free);
    if (!r) {
        live_stream_free(ls);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    fdweb_headers(r, sv->tls);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result route(struct srv *sv, struct MHD_Connection *c, const char *url,
                             const char *method, struct req *q)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    char err[300];
    struct sess s;
    enum MHD_Result res;

    if (strncmp(url, "/api/", 5) != 0) {
        if (!get)
            return send_err(sv, c, 405, "method", NULL, "the page is read with GET");
        return fdweb_asset(c, counter_web, url + 1, sv->tls);
    }
    if (q->too_big)
        return send_err(sv, c, 413, "too_large", NULL, "request bodies are capped at %d bytes",
                        BODY_MAX);
    int op = -1;
    for (int i = 0; i < OP_COUNT; i++)
        if (!strcmp(url, ops[i].path))
            op = i;
    int known = op >= 0 || !strcmp(url, "/api/login") || !strcmp(url, "/api/session") ||
                !strcmp(url, "/api/queue") || !strcmp(url, "/api/events");
    if (!known)
        return send_err(sv, c, 404, "not_found", NULL, "no such endpoint: %s %s", method, url);
    if ((op >= 0 || !strcmp(url, "/api/login")) ? !post : !get)
        return send_err(sv, c, 405, "method", NULL, "%s takes %s", url,
                        (op >= 0 || !strcmp(url, "/api/login")) ? "POST" : "GET");
    if (strcmp(url, "/api/session") && strcmp(url, "/api/login")) {
        if (sess_get(c, &s) != 0 || !s.logged)
            return send_err(sv, c, 401, "unauthenticated", NULL,
                            "log in first (POST /api/login with staff, pin and counter)");
        if (post && fdweb_same_origin(c, s.csrf) != 0)
            return send_err(sv, c, 403, "cross_site", NULL,
                            "refused: a change must come from this server's own page"
                            " (X-CSRF-Token from /api/login or /api/session)");
        if (!strcmp(url, "/api/events"))
            return do_events(sv, c, &s);
    }
    struct fd_store *st = counter_pool_get(&sv->pool, err, sizeof err);
    if (!st)
        return send_err(sv, c, 503, "database", NULL, "the store cannot be opened: %s", err);
    if (!strcmp(url, "/api/session"))
        res = do_session(sv, c, st);
    else if (!strcmp(url, "/api/login"))
        res = do_login(sv, c, st, q);
    else if (!strcmp(url, "/api/queue"))
        res = do_queue(sv, c, st, &s);
    else
        res = do_op(sv, c, st, q, (enum op)op, &s);
    counter_pool_put(&sv->pool, st, 0);
    return res;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct req *q = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (!q)
        return;
    if (q->body) {
        sodium_memzero(q->body, q->len);
        free(q->body);
    }
    free(q);
    *con_cls = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct srv *sv = cls;
    struct req *q = *con_cls;
    (void)version;
    if (!q) {
        if (!(q = calloc(1, sizeof *q)))
            return MHD_NO;
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big && q->len + *upload_size <= BODY_MAX) {
            char *nb = realloc(q->body, BODY_MAX + 1);
            if (!nb)
                return MHD_NO;
            q->body = nb;
            memcpy(q->body + q->len, upload, *upload_size);
            q->len += *upload_size;
            q->body[q->len] = '\0';
        } else {
            q->too_big = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return route(sv, c, url, method, q);
}

/* ---- start and stop ---------------------------------------------------------------------- */

/* libmicrohttpd's messages, without the one every page that goes away
 * causes (its stream's next write finds the socket gone): that is normal. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (strstr(msg, "Failed to send the chunked response body"))
        return;
    fprintf(stderr, "frontdesk-counter: %s%s", msg,
            *msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static int is_loopback(const struct sockaddr_in *sa)
{
    return (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
}

/* Writes what the kiosk's health page shows: the page's address and the
 * certificate's fingerprint, one per line, beside the store. */
static void write_status(const char *db, const char *url, const char *fpr)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s.counter", db);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "url %s\nsha256 %s\n", url, fpr[0] ? fpr : "-");
    if (fclose(f) == 0)
        rename(tmp, path);
}

int counter_run(const struct counter_opts *o, char *err, size_t errlen)
{
    struct srv *sv = calloc(1, sizeof *sv);
    struct sockaddr_in sa;
    struct MHD_Daemon *d = NULL;
    char host[64], *cert = NULL, *key = NULL, fpr[96] = "", url[128];
    sigset_t set;
    int sig, rc = -1, port;

    if (!sv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&sv->pool.mu, NULL);
    pthread_mutex_init(&sv->write_mu, NULL);
    sv->pool.db = o->db;
    if (fdweb_listen_addr(o->listen, &sa, host, sizeof host, err, errlen) != 0)
        goto out;
    port = ntohs(sa.sin_port);
    /* Plain HTTP only where nobody else can listen: loopback. */
    sv->tls = !is_loopback(&sa) || o->force_tls;
    if (sv->tls) {
        char cpath[4200], kpath[4200];
        snprintf(cpath, sizeof cpath, "%s", o->cert ? o->cert : "");
        snprintf(kpath, sizeof kpath, "%s", o->key ? o->key : "");
        if (!o->cert)
            snprintf(cpath, sizeof cpath, "%s.counter-cert.pem", o->db);
        if (!o->key)
            snprintf(kpath, sizeof kpath, "%s.counter-key.pem", o->db);
        if (counter_tls_load(cpath, kpath, host, &cert, &key, fpr, err, errlen))
            goto out;
    }
    if (live_start(&sv->live, &sv->pool, err, errlen))
        goto out;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* libmicrohttpd's threads inherit it */
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (sv->tls ? MHD_USE_TLS : 0);
    if (sv->tls)
        d = MHD_start_daemon(flags, 0, NULL, NULL, handle, sv,
                             MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_MAX,
                             MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                             MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
                             MHD_OPTION_NOTIFY_COMPLETED, completed, sv,
                             MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                             MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, 0, NULL, NULL, handle, sv,
                             MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_MAX,
                             MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                             MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
                             MHD_OPTION_NOTIFY_COMPLETED, completed, sv, MHD_OPTION_END);
    if (!d) {
        snprintf(err, errlen, "cannot listen on %s (address in use?)", o->listen);
        live_stop(&sv->live);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(url, sizeof url, "%s://%s:%u/", sv->tls ? "https" : "http", host,
             info ? (unsigned)info->port : (unsigned)port);
    printf("frontdesk-counter: listening on %s\n", url);
    if (!strcmp(host, "0.0.0.0")) { /* the health page shows an address staff can type */
        struct ifaddrs *ifa = NULL;
        char ip[INET_ADDRSTRLEN];
        if (getifaddrs(&ifa) == 0) {
            for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
                    !is_loopback((const struct sockaddr_in *)(const void *)i->ifa_addr) &&
                    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr,
                              ip, sizeof ip)) {
                    snprintf(url, sizeof url, "%s://%s:%u/", sv->tls ? "https" : "http", ip,
                             info ? (unsigned)info->port : (unsigned)port);
                    break;
                }
            freeifaddrs(ifa);
        }
    }
    if (sv->tls)
        printf("frontdesk-counter: certificate SHA-256 %s\n", fpr);
    fflush(stdout);
    write_status(o->db, url, fpr);
    sigwait(&set, &sig);
    /* Streams end first (they block their threads), then the daemon. */
    pthread_mutex_lock(&sv->live.mu);
    sv->live.stop = 1;
    pthread_cond_broadcast(&sv->live.cv);
    pthread_mutex_unlock(&sv->live.mu);
    MHD_stop_daemon(d);
    live_stop(&sv->live);
    char status_path[4200];
    snprintf(status_path, sizeof status_path, "%s.counter", o->db); /* not running now */
    unlink(status_path);
    rc = 0;
out:
    while (sv->pool.nidle > 0)
        store_close(sv->pool.idle[--sv->pool.nidle]);
    if (key)
        sodium_memzero(key, strlen(key));
    free(key);
    free(cert);
    free(sv);
    return rc;
}
