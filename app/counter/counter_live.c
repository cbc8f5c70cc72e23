/* counter_live.c - every change to the queue, wherever it was made (the
 * kiosk's console, another counter's page, frontdesk-ctl, a visitor taking a
 * ticket), reaches every open counter page as a Server-Sent Event.
 *
 * One watcher thread, on its own connection, reads PRAGMA data_version every
 * LIVE_POLL_MS while a stream is open (it changes when any other connection,
 * of this process or another, committed): the cheapest way to notice another
 * process's commit on SQLite, needing no IPC between programs (DESIGN.md,
 * "Call next"); with no stream open it sleeps and costs nothing. On a change
 * it loads the new calls (ticket events "called"/"recalled": their ids are
 * the stream's event ids, so a reconnecting page sends Last-Event-ID and gets
 * every call it missed, from memory or, when it lags further, from the store)
 * and a new snapshot of the whole queue (counters, waiting, longest wait),
 * which is small and replaces the last one: a page that missed snapshots
 * needs only the newest. Streams run on libmicrohttpd's thread per
 * connection and block on the condition variable until there is news. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bday.h"
#include "counter.h"
#include "queue.h"

#define STREAM_PING_S 15        /* a comment line keeps proxies and NATs open */
#define CATCHUP_BATCHES 20      /* a page further behind than 20,000 calls
                                 * gets a "reset" event and the newest state */

/* ---- the snapshot --------------------------------------------------------- */

char *live_snapshot(struct fd_store *st, int64_t now)
{
    struct queue_counter *c = NULL;
    struct queue_service *v = NULL;
    struct queue_ticket *w = NULL;
    struct queue_call *calls = NULL;
    int nc = 0, nv = 0, nw = 0, ncalls = 0;
    char day[11], *json = NULL;
    cJSON *o = NULL, *arr;

    if (queue_counter_list(st, &c, &nc, NULL) || queue_service_list(st, now, &v, &nv, NULL) ||
        queue_waiting(st, NULL, now, &w, &nw, NULL) || queue_calls(st, -1, 8, now, &calls, &ncalls, NULL))
        goto out;
    queue_bday(st, now, day);
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "now", (double)now);
    cJSON_AddStringToObject(o, "bday", day);
    arr = cJSON_AddArrayToObject(o, "counters");
    for (int i = 0; i < nc; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, x);
        cJSON_AddNumberToObject(x, "id", c[i].id);
        cJSON_AddStringToObject(x, "name", c[i].name);
        cJSON_AddBoolToObject(x, "open", c[i].open);
        cJSON_AddStringToObject(x, "services", c[i].services);
        if (!c[i].ticket_id) {
            cJSON_AddNullToObject(x, "ticket");
            continue;
        }
        struct queue_ticket t;
        if (queue_ticket_get(st, c[i].ticket_id, now, &t, NULL))
            goto out;
        cJSON_AddStringToObject(x, "ticket", t.label);
        cJSON_AddStringToObject(x, "state", t.state);
        cJSON_AddStringToObject(x, "service", t.service);
        cJSON_AddNumberToObject(x, "since", (double)(!strcmp(t.state, "serving") ? t.serving_at
                                                                               : t.called_at));
        cJSON_AddNumberToObject(x, "recalls", t.recalls);
    }
    arr = cJSON_AddArrayToObject(o, "services");
    for (int i = 0; i < nv; i++) {
        int64_t oldest = 0;
        const char *first = NULL;
        int waiting = 0;
        for (int k = 0; k < nw; k++) /* call order: the first is next */
            if (!strcmp(w[k].service, v[i].code)) {
                waiting++;
                if (!first)
                    first = w[k].label;
                if (!oldest || w[k].issued_at < oldest)
                    oldest = w[k].issued_at;
            }
        if (!v[i].active && !waiting)
            continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, x);
        cJSON_AddStringToObject(x, "code", v[i].code);
        cJSON_AddStringToObject(x, "name_zh", v[i].name_zh);
        cJSON_AddStringToObject(x, "name_en", v[i].name_en);
        cJSON_AddBoolToObject(x, "open", v[i].open_now);
        cJSON_AddNumberToObject(x, "waiting", waiting);
        cJSON_AddNumberToObject(x, "longest_wait_s", oldest ? (double)(now - oldest) : 0);
        if (first)
            cJSON_AddStringToObject(x, "next", first);
        else
            cJSON_AddNullToObject(x, "next");
        cJSON_AddNumberToObject(x, "counters_open", v[i].counters_open);
        cJSON_AddNumberToObject(x, "est_wait_s", (double)v[i].est_wait_s);
    }
    arr = cJSON_AddArrayToObject(o, "calls"); /* newest first */
    for (int i = 0; i < ncalls; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, x);
        cJSON_AddNumberToObject(x, "id", (double)calls[i].event_id);
        cJSON_AddStringToObject(x, "ticket", calls[i].label);
        cJSON_AddNumberToObject(x, "counter", calls[i].counter);
        cJSON_AddBoolToObject(x, "recall", calls[i].recall);
        cJSON_AddNumberToObject(x, "at", (double)calls[i].at);
    }
    json = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    free(c);
    free(v);
    free(w);
    free(calls);
    return json;
}

/* ---- the watcher ----------------------------------------------------------- */

static void deadline_ms(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* The id of the newest call in the store: today's newest, else (no call
 * today) the end of the whole history, read in pages once at start. */
static int64_t newest_call(struct fd_store *st, int64_t now)
{
    struct queue_call *c = NULL;
    int n = 0;
    int64_t id = 0;
    if (queue_calls(st, -1, 1, now, &c, &n, NULL) == 0 && n == 1)
        id = c[0].event_id;
    free(c);
    if (id)
        return id;
    for (;;) {
        if (queue_calls(st, id, 1000, now, &c, &n, NULL) || n == 0) {
            free(c);
            return id;
        }
        id = c[n - 1].event_id;
        free(c);
        if (n < 1000)
            return id;
    }
}

/* Loads the calls after ring_to into the ring and a new snapshot; called by
 * the watcher when data_version moved (and once at start). */
static void refresh(struct live *lv, struct fd_store *st)
{
    struct queue_call *c = NULL;
    int n = 0;
    int64_t now = bday_now();
    char *snap;
    for (;;) { /* new calls, in pages */
        int64_t after;
        pthread_mutex_lock(&lv->mu);
        after = lv->ring_to;
        pthread_mutex_unlock(&lv->mu);
        if (queue_calls(st, after, 1000, now, &c, &n, NULL) || n == 0)
            break;
        pthread_mutex_lock(&lv->mu);
        for (int i = 0; i < n; i++) {
            if (lv->ring_n == LIVE_RING) { /* the oldest leaves: the range shrinks */
                lv->ring_from = lv->ring[0].event_id;
                memmove(lv->ring, lv->ring + 1, sizeof lv->ring[0] * (LIVE_RING - 1));
                lv->ring_n--;
            }
            lv->ring[lv->ring_n++] = c[i];
        }
        lv->ring_to = c[n - 1].event_id;
        pthread_cond_broadcast(&lv->cv);
        pthread_mutex_unlock(&lv->mu);
        free(c);
        c = NULL;
        if (n < 1000)
            break;
    }
    free(c);
    snap = live_snapshot(st, now);
    if (!snap) {
        fprintf(stderr, "frontdesk-counter: snapshot: %s\n", store_errmsg(st));
        return;
    }
    pthread_mutex_lock(&lv->mu);
    lv->rebuilds++;
    if (!lv->state || strcmp(lv->state, snap) != 0) {
        free(lv->state);
        lv->state = snap;
        snap = NULL;
        lv->state_seq++;
        pthread_cond_broadcast(&lv->cv);
    }
    pthread_mutex_unlock(&lv->mu);
    free(snap);
}

static void *watch_main(void *arg)
{
    struct live *lv = arg;
    char err[300];
    struct fd_store *st = counter_pool_get(lv->pool, err, sizeof err);
    int64_t seen = -1, second = -1;
    if (!st) {
        fprintf(stderr, "frontdesk-counter: live feed: %s\n", err);
        return NULL;
    }
    pthread_mutex_lock(&lv->mu);
    lv->watching = 1;
    while (!lv->stop) {
        struct timespec ts;
        if (!lv->clients) { /* nobody listens: no polling at all */
            pthread_cond_wait(&lv->cv, &lv->mu);
            continue;
        }
        lv->checking = 1;
        pthread_mutex_unlock(&lv->mu);
        int64_t dv = store_data_version(st);
        int64_t sec = bday_now(); /* "serving for" and waits move each second */
        if (dv != seen || dv < 0) {
            seen = dv;
            second = sec;
            refresh(lv, st);
        } else if (sec / 30 != second / 30) {
            /* Without a change the times on the page tick by themselves;
             * a snapshot twice a minute only keeps a page's clock honest. */
            second = sec;
            refresh(lv, st);
        }
        pthread_mutex_lock(&lv->mu);
        lv->checking = 0;
        lv->polls++;
        pthread_cond_broadcast(&lv->cv); /* streams waiting for a fresh look */
        deadline_ms(&ts, LIVE_POLL_MS);
        while (!lv->stop && !lv->poke &&
               pthread_cond_timedwait(&lv->cv, &lv->mu, &ts) != ETIMEDOUT)
            ; /* woken by our own broadcasts: keep the pace */
        lv->poke = 0;
    }
    lv->watching = 0;
    pthread_cond_broadcast(&lv->cv);
    pthread_mutex_unlock(&lv->mu);
    counter_pool_put(lv->pool, st, 0);
    return NULL;
}

int live_start(struct live *lv, struct counter_pool *pool, char *err, size_t errlen)
{
    pthread_condattr_t ca;
    struct fd_store *st;
    memset(lv, 0, sizeof *lv);
    lv->pool = pool;
    pthread_mutex_init(&lv->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&lv->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (!(st = counter_pool_get(pool, err, errlen)))
        return -1;
    lv->ring_to = lv->ring_from = newest_call(st, bday_now());
    lv->state = live_snapshot(st, bday_now());
    counter_pool_put(pool, st, !lv->state);
    if (!lv->state) {
        snprintf(err, errlen, "cannot read the queue");
        return -1;
    }
    if (pthread_create(&lv->thread, NULL, watch_main, lv) != 0) {
        snprintf(err, errlen, "cannot start the live feed thread");
        return -1;
    }
    lv->started = 1;
    return 0;
}

void live_poke(struct live *lv)
{
    pthread_mutex_lock(&lv->mu);
    lv->poke = 1;
    pthread_cond_broadcast(&lv->cv);
    pthread_mutex_unlock(&lv->mu);
}

void live_stop(struct live *lv)
{
    pthread_mutex_lock(&lv->mu);
    lv->stop = 1;
    pthread_cond_broadcast(&lv->cv);
    pthread_mutex_unlock(&lv->mu);
    if (lv->started)
        pthread_join(lv->thread, NULL);
    lv->started = 0;
    free(lv->state);
    lv->state = NULL;
}

/* ---- streams ---------------------------------------------------------------- */

/* Appends to the stream's pending bytes; -1 when out of memory. */
static int out_add(struct live_stream *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int out_add(struct live_stream *s, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = s->cap - s->len;
        va_start(ap, fmt);
        int n = vsnprintf(s->out + s->len, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < room) {
            s->len += (size_t)n;
            return 0;
        }
        size_t ncap = s->cap ? s->cap * 2 : 4096;
        while (ncap - s->len <= (size_t)n)
            ncap *= 2;
        char *nb = realloc(s->out, ncap);
        if (!nb)
            return -1;
        s->out = nb;
        s->cap = ncap;
    }
}

static int add_call(struct live_stream *s, const struct queue_call *c)
{
    s->cursor = c->event_id;
    return out_add(s,
                   "id: %lld\nevent: call\ndata: {\"id\":%lld,\"ticket\":\"%s\",\"counter\":%d,"
                   "\"recall\":%s,\"at\":%lld}\n\n",
                   (long long)c->event_id, (long long)c->event_id, c->label, c->counter,
                   c->recall ? "true" : "false", (long long)c->at);
}

struct live_stream *live_stream_open(struct live *lv, int64_t last_id, int (*alive)(void *),
                                     void *alive_arg)
{
    struct live_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lv = lv;
    s->alive = alive;
    s->alive_arg = alive_arg;
    pthread_mutex_lock(&lv->mu);
    /* A page that never saw an event starts now; one that did continues
     * after its last (a cursor ahead of the store, from a store restored
     * since, starts now too). */
    s->cursor = last_id < 0 || last_id > lv->ring_to ? lv->ring_to : last_id;
    /* With no stream open the watcher slept: its ring and snapshot may miss
     * what other processes did since. The stream sends nothing but its hello
     * until the watcher has looked at the store after this moment (a look
     * under way may have begun before), so a page that reconnects gets the
     * calls it missed before a state, never a stale state first. */
    s->fresh = lv->polls + (lv->checking ? 2 : 1);
    lv->clients++;
    lv->poke = 1;
    pthread_cond_broadcast(&lv->cv); /* wakes the watcher if it slept */
    pthread_mutex_unlock(&lv->mu);
    return s;
}

void live_stream_free(void *cls)
{
    struct live_stream *s = cls;
    if (!s)
        return;
    pthread_mutex_lock(&s->lv->mu);
    s->lv->clients--;
    pthread_mutex_unlock(&s->lv->mu);
    if (s->owner_free)
        s->owner_free(s->alive_arg);
    free(s->out);
    free(s);
}

/* Reads the calls after the cursor from the store (the stream lags behind
 * the ring): at most CATCHUP_BATCHES pages. Called without the lock. */
static int catch_up(struct live_stream *s)
{
    char err[300];
    struct fd_store *st = counter_pool_get(s->lv->pool, err, sizeof err);
    int rc = 0;
    if (!st)
        return -1;
    for (int b = 0; b < CATCHUP_BATCHES; b++) {
        struct queue_call *c = NULL;
        int n = 0;
        int64_t from;
        pthread_mutex_lock(&s->lv->mu);
        from = s->lv->ring_from;
        pthread_mutex_unlock(&s->lv->mu);
        if (s->cursor >= from)
            break;
        if (queue_calls(st, s->cursor, 1000, bday_now(), &c, &n, NULL)) {
            rc = -1;
            break;
        }
        for (int i = 0; i < n && !rc; i++) {
            if (c[i].event_id > from) { /* the ring holds the rest */
                s->cursor = from;
                break;
            }
            rc = add_call(s, &c[i]);
        }
        if (n < 1000 && s->cursor < from)
            s->cursor = from; /* nothing more up to the ring's start */
        free(c);
        if (rc)
            break;
    }
    counter_pool_put(s->lv->pool, st, rc != 0);
    pthread_mutex_lock(&s->lv->mu);
    if (!rc && s->cursor < s->lv->ring_from) { /* too far behind: say so */
        s->cursor = s->lv->ring_to;
        rc = out_add(s, "id: %lld\nevent: reset\ndata: {}\n\n", (long long)s->cursor);
    }
    pthread_mutex_unlock(&s->lv->mu);
    return rc;
}

/* Fills the pending bytes with what is new for this stream, waiting for it
 * (at most STREAM_PING_S). Returns 0, or -1 to end the stream. */
static int next_events(struct live_stream *s)
{
    struct live *lv = s->lv;
    struct timespec ts;
    int lag;
    s->len = s->off = 0;
    pthread_mutex_lock(&lv->mu);
    lag = s->cursor < lv->ring_from;
    pthread_mutex_unlock(&lv->mu);
    if (lag && catch_up(s))
        return -1;
    pthread_mutex_lock(&lv->mu);
    deadline_ms(&ts, STREAM_PING_S * 1000L);
    for (;;) {
        if (lv->stop || (s->alive && !s->alive(s->alive_arg))) {
            pthread_mutex_unlock(&lv->mu);
            return -1;
        }
        if (!s->hello) { /* the cursor first, so a reconnect starts from it */
            s->hello = 1;
            out_add(s, "retry: 1000\nid: %lld\nevent: hello\ndata: {\"cursor\":%lld}\n\n",
                    (long long)s->cursor, (long long)s->cursor);
        }
        if (lv->watching && lv->polls < s->fresh) { /* see live_stream_open */
            if (pthread_cond_timedwait(&lv->cv, &lv->mu, &ts) == ETIMEDOUT) {
                out_add(s, ": ping\n\n");
                break;
            }
            continue;
        }
        if (s->cursor < lv->ring_from) /* the ring moved past us meanwhile */
            break;
        for (int i = 0; i < lv->ring_n; i++)
            if (lv->ring[i].event_id > s->cursor && add_call(s, &lv->ring[i])) {
                pthread_mutex_unlock(&lv->mu);
                return -1;
            }
        if (s->state_sent != lv->state_seq && lv->state) {
            s->state_sent = lv->state_seq;
            if (out_add(s, "event: state\ndata: %s\n\n", lv->state)) {
                pthread_mutex_unlock(&lv->mu);
                return -1;
            }
        }
        if (s->len)
            break;
        if (pthread_cond_timedwait(&lv->cv, &lv->mu, &ts) == ETIMEDOUT) {
            out_add(s, ": ping\n\n");
            break;
        }
    }
    pthread_mutex_unlock(&lv->mu);
    return 0;
}

ssize_t live_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct live_stream *s = cls;
    (void)pos;
    while (s->off >= s->len)
        if (next_events(s))
            return (ssize_t)-1; /* MHD_CONTENT_READER_END_OF_STREAM */
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->out + s->off, n);
    s->off += n;
    return (ssize_t)n;
}
