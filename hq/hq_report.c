/* hq_report.c - day and month reports across branches (hq_report.h).
 * The store hands over a device's rows of the period (tickets and visitors by
 * the business day the kiosk gave them, ratings by their ticket, complaints
 * by the time received within the branch's business days); the figures are
 * computed here, in C, so both backends give the same numbers and no SQL
 * dialect's percentile functions are needed. Percentiles are nearest-rank.
 * Business days and local hours use the kiosk's own rules (app/core/bday.c)
 * in the branch's time zone, which head office knows from the configuration
 * it pushes (branch, then all branches, then the kiosk's default). glibc
 * knows zones only through TZ, so zone work runs under one lock. */
#include "hq_report.h"
#include "hq_state.h"

#include "bday.h"
#include "embedded.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VEC_MAX (64u << 20) /* values one figure may collect: past it, "too big" */
#define SVC_MAX 64          /* services per branch (codes are 1-2 letters) */
#define ZONE_MAX 72
#define CODE_MAX 64
#define GATHER_ALONE 1      /* up to this many devices are read one by one */

extern const struct fd_embedded_file fd_default_config[]; /* app/core: default.conf */

static pthread_mutex_t tz_mu = PTHREAD_MUTEX_INITIALIZER;

void hq_report_init(void)
{
    if (!getenv("TZ"))
        setenv("TZ", ":/etc/localtime", 1); /* what an unset TZ means to glibc */
    tzset();
}

/* Runs zone work: sets TZ to zone under the lock (tz_leave restores it). */
static void tz_enter(const char *zone, char *saved, size_t n)
{
    const char *old;
    pthread_mutex_lock(&tz_mu);
    old = getenv("TZ");
    snprintf(saved, n, "%s", old ? old : ":/etc/localtime");
    setenv("TZ", zone, 1);
    tzset();
}

static void tz_leave(const char *saved)
{
    setenv("TZ", saved, 1);
    tzset();
    pthread_mutex_unlock(&tz_mu);
}

/* ---- growing vectors of values (waits, times) ---- */

struct vec {
    long long *v;
    size_t n, cap;
    int sorted;               /* v is in order (pct sorts it once) */
};

static int vec_add(struct vec *x, long long v)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        long long *nv;
        if (cap > VEC_MAX)
            return -1;
        if (!(nv = realloc(x->v, cap * sizeof *nv)))
            return -1;
        x->v = nv;
        x->cap = cap;
    }
    x->v[x->n++] = v;
    x->sorted = 0;
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile p (1..100) of x (sorts it); JSON null when empty. */
static cJSON *pct(struct vec *x, int p)
{
    if (x->n == 0)
        return cJSON_CreateNull();
    if (!x->sorted)
        qsort(x->v, x->n, sizeof *x->v, cmp_ll);
    x->sorted = 1;
    size_t rank = ((size_t)p * x->n + 99) / 100;
    return cJSON_CreateNumber((double)x->v[rank ? rank - 1 : 0]);
}

/* ---- the figures of one block: a branch, a service, or all branches ---- */

struct tix {
    long long issued, served, noshow, cancelled;
    long long wait_sum, svc_sum;
    struct vec wait, svc;     /* issue -> call; serving -> done */
    long long hours[24];      /* tickets issued per local hour */
};

struct svc {
    char code[CODE_MAX + 1];
    struct tix t;
};

struct block {
    struct tix t;
    struct svc *svcs;
    size_t nsvc;
    long long visitors, visitors_out, stay_sum;
    long long cmp, valid, invalid, unassessed, closed, fb24, ordinary, serious;
    cJSON *by_category;       /* category -> count */
    struct vec first_resp, to_close;
    long long rate[3][4];     /* service, attitude, result x 优 良 中 差 */
};

static void tix_free(struct tix *t)
{
    free(t->wait.v);
    free(t->svc.v);
}

static void block_free(struct block *b)
{
    tix_free(&b->t);
    for (size_t i = 0; i < b->nsvc; i++)
        tix_free(&b->svcs[i].t);
    free(b->svcs);
    cJSON_Delete(b->by_category);
    free(b->first_resp.v);
    free(b->to_close.v);
}

static struct tix *svc_of(struct block *b, const char *code)
{
    for (size_t i = 0; i < b->nsvc; i++)
        if (strcmp(b->svcs[i].code, code) == 0)
            return &b->svcs[i].t;
    if (b->nsvc >= SVC_MAX)
        return NULL;
    struct svc *n = realloc(b->svcs, (b->nsvc + 1) * sizeof *n);
    if (!n)
        return NULL;
    b->svcs = n;
    memset(&n[b->nsvc], 0, sizeof n[0]);
    snprintf(n[b->nsvc].code, sizeof n[0].code, "%s", code);
    return &n[b->nsvc++].t;
}

/* One ticket into t; -1 when a vector is full. The rules are the kiosk's
 * (app/core/report.c): a wait counts when the ticket was called, a service
 * time when it was done. */
static int tix_add(struct tix *t, const struct hq_state_row *r, int c_state, int c_issued,
                   int c_called, int c_serving, int c_finished)
{
    const char *state = r->v[c_state].s;
    long long issued = r->v[c_issued].i;
    t->issued++;
    if (strcmp(state, "done") == 0)
        t->served++;
    else if (strcmp(state, "noshow") == 0)
        t->noshow++;
    else if (strcmp(state, "cancelled") == 0)
        t->cancelled++;
    if (!r->v[c_called].null) {
        long long w = r->v[c_called].i - issued;
        t->wait_sum += w;
        if (vec_add(&t->wait, w) != 0)
            return -1;
    }
    if (strcmp(state, "done") == 0 && !r->v[c_serving].null && !r->v[c_finished].null) {
        long long d = r->v[c_finished].i - r->v[c_serving].i;
        t->svc_sum += d;
        if (vec_add(&t->svc, d) != 0)
            return -1;
    }
    return 0;
}

/* ---- gathering a branch ---- */

/* The state tables as the report reads them: the same tables, only the
 * columns a figure uses (a month of a fleet is hundreds of thousands of
 * rows: every other column would be read, sent and parsed for nothing).
 * report_tables_init fills them from hq_state.c's descriptions. */
static const char *const rpt_ticket_cols[] = {"bday", "issued_service", "state", "issued_at",
                                              "called_at", "serving_at", "finished_at", NULL};
static const char *const rpt_visitor_cols[] = {"bday", "signed_in_at", "signed_out_at", NULL};
static const char *const rpt_rating_cols[] = {"ticket", "service", "attitude", "result", "at",
                                              NULL};
static struct hq_state_col rpt_cols[3][HQ_STATE_COLS_MAX];
static struct hq_state_table rpt_tables[3];
static pthread_once_t rpt_once = PTHREAD_ONCE_INIT;
static int rpt_ok;

static void report_tables_init(void)
{
    static const char *const names[3] = {"ticket_state", "visitor_state", "rating_state"};
    static const char *const *const cols[3] = {rpt_ticket_cols, rpt_visitor_cols,
                                               rpt_rating_cols};
    rpt_ok = 1;
    for (int t = 0; t < 3; t++) {
        const struct hq_state_table *full = hq_state_by_name(names[t]);
        int n = 0;
        if (!full) {
            rpt_ok = 0;
            return;
        }
        rpt_tables[t] = *full;
        for (int i = 0; cols[t][i]; i++) {
            int c = hq_state_col(full, cols[t][i]);
            if (c < 0 || n >= HQ_STATE_COLS_MAX) {
                rpt_ok = 0;
                return;
            }
            rpt_cols[t][n++] = full->cols[c];
        }
        rpt_tables[t].cols = rpt_cols[t];
        rpt_tables[t].ncols = n;
    }
}

/* A device reported: its branch and its tickets of the period. */
struct devix {
    const char *id;           /* points into its branch's devices */
    struct branch *b;
    struct vec ids, issued_at;
};

static int devix_cmp(const void *a, const void *b)
{
    return strcmp(((const struct devix *)a)->id, ((const struct devix *)b)->id);
}

struct branch {
    char name[HQ_BRANCH_MAX + 1];
    char zone[ZONE_MAX + 1];
    int turnover;
    long long t_from, t_to;   /* the period in its zone and business days */
    char (*devices)[HQ_DEVICE_ID_MAX + 1];
    size_t ndev;
    struct block b;
};

struct run {
    struct hq_store *s;
    struct branch *br;
    size_t nbr;
    struct block total;
    const char *only;         /* --branch */
    char day_from[11], day_to[11]; /* business days [from, to) */
    int full;                 /* a vector hit VEC_MAX */
    struct devix *dv;         /* every device reported, by device_id */
    size_t ndv;
    /* the device whose rows are being read, its branch and its tickets */
    struct devix *curd;
    struct vec *ids, *issued_at;
    struct branch *cur;
    int c_state, c_issued, c_called, c_serving, c_finished, c_service; /* ticket_state */
};

static int on_device(void *ctx, const struct hq_dev_stat *d)
{
    struct run *r = ctx;
    struct branch *b = r->nbr ? &r->br[r->nbr - 1] : NULL;
    if (r->only && strcmp(r->only, d->branch) != 0)
        return 0;
    if (!b || strcmp(b->name, d->branch) != 0) {
        struct branch *nb = realloc(r->br, (r->nbr + 1) * sizeof *nb);
        if (!nb)
            return HQ_E_IO;
        r->br = nb;
        b = &nb[r->nbr++];
        memset(b, 0, sizeof *b);
        snprintf(b->name, sizeof b->name, "%s", d->branch);
    }
    char (*nd)[HQ_DEVICE_ID_MAX + 1] = realloc(b->devices, (b->ndev + 1) * sizeof *nd);
    if (!nd)
        return HQ_E_IO;
    b->devices = nd;
    snprintf(nd[b->ndev++], sizeof nd[0], "%s", d->device_id);
    return 0;
}

/* The kiosk's default for key from data/config/default.conf ("" if none). */
static void kiosk_default(const char *key, char *out, size_t n)
{
    const char *p = fd_default_config[0].data;
    size_t k = strlen(key);
    out[0] = '\0';
    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t len = strcspn(p, "\n");
        if (strncmp(p, key, k) != 0 || (p[k] != ' ' && p[k] != '='))
            continue;
        const char *v = memchr(p, '=', len);
        if (!v)
            continue;
        v++;
        while (*v == ' ')
            v++;
        size_t vl = (size_t)(p + len - v);
        while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
            vl--;
        snprintf(out, n, "%.*s", (int)vl, v);
        return;
    }
}

/* A kiosk setting as head office configured it for branch (then for every
 * branch), else the kiosk's default: the text of its JSON string value. */
/* The all-branches value of a key, read once per report (every branch
 * without its own value falls back to it). */
struct fallback {
    int have;
    int rc;
    char json[256];
};

static int setting(struct hq_store *s, const char *branch, const char *key, char *out,
                   size_t n, struct fallback *fb)
{
    char json[256];
    int rc = s->ops->config_get(s, branch, key, json, sizeof json);
    if (rc == HQ_E_NOTFOUND || rc == HQ_E_INVALID) {
        if (!fb->have) {
            fb->rc = s->ops->config_get(s, "", key, fb->json, sizeof fb->json);
            fb->have = 1;
        }
        rc = fb->rc;
        memcpy(json, fb->json, sizeof json);
    }
    if (rc == HQ_OK) {
        cJSON *v = cJSON_Parse(json);
        if (cJSON_IsString(v))
            snprintf(out, n, "%s", v->valuestring);
        else if (cJSON_IsNumber(v))
            snprintf(out, n, "%.0f", v->valuedouble);
        else
            rc = HQ_E_INVALID;
        cJSON_Delete(v);
        if (rc == HQ_OK)
            return HQ_OK;
    }
    if (rc != HQ_E_NOTFOUND && rc != HQ_E_INVALID)
        return rc;
    kiosk_default(key, out, n);
    return HQ_OK;
}

/* Makes the row's device the current one; 0 when it is not reported (a
 * read across every device meets devices of other branches). Rows come
 * ordered by device, so the last one found is nearly always it. */
static int dev_enter(struct run *r, const char *id)
{
    struct devix key, *d = r->curd;
    if (!id)
        return 0;
    if (!d || strcmp(d->id, id) != 0) {
        key.id = id;
        if (!(d = bsearch(&key, r->dv, r->ndv, sizeof *r->dv, devix_cmp)))
            return 0;
        r->curd = d;
    }
    r->cur = d->b;
    r->ids = &d->ids;
    r->issued_at = &d->issued_at;
    return 1;
}

static int on_ticket(void *ctx, const struct hq_state_row *row)
{
    struct run *r = ctx;
    if (!dev_enter(r, row->device_id))
        return 0;
    int cs = r->c_state, ci = r->c_issued, cc = r->c_called, csv = r->c_serving,
        cf = r->c_finished, cis = r->c_service;
    struct block *b = &r->cur->b;
    struct tix *bs = svc_of(b, row->v[cis].s), *ts = svc_of(&r->total, row->v[cis].s);
    if (!bs || !ts || tix_add(&b->t, row, cs, ci, cc, csv, cf) ||
        tix_add(&r->total.t, row, cs, ci, cc, csv, cf) || tix_add(bs, row, cs, ci, cc, csv, cf) ||
        tix_add(ts, row, cs, ci, cc, csv, cf) || vec_add(r->ids, row->id) ||
        vec_add(r->issued_at, row->v[ci].i)) {
        r->full = 1;
        return HQ_E_INVALID;
    }
    return 0;
}

static int on_visitor(void *ctx, const struct hq_state_row *row)
{
    struct run *r = ctx;
    int in = hq_state_col(row->t, "signed_in_at"), out = hq_state_col(row->t, "signed_out_at");
    if (!dev_enter(r, row->device_id))
        return 0;
    struct block *bl[2] = {&r->cur->b, &r->total};
    for (int k = 0; k < 2; k++) {
        bl[k]->visitors++;
        if (!row->v[out].null && row->v[out].i >= row->v[in].i) {
            bl[k]->visitors_out++;
            bl[k]->stay_sum += row->v[out].i - row->v[in].i;
        }
    }
    return 0;
}

static int on_rating(void *ctx, const struct hq_state_row *row)
{
    struct run *r = ctx;
    int ct = hq_state_col(row->t, "ticket");
    const char *dims[3] = {"service", "attitude", "result"};
    long long ticket = row->v[ct].i;
    if (!dev_enter(r, row->device_id) || !r->ids->n ||
        !bsearch(&ticket, r->ids->v, r->ids->n, sizeof ticket, cmp_ll))
        return 0; /* a ticket of another day */
    for (int d = 0; d < 3; d++) {
        long long level = row->v[hq_state_col(row->t, dims[d])].i;
        if (level >= 1 && level <= 4) {
            r->cur->b.rate[d][level - 1]++;
            r->total.rate[d][level - 1]++;
        }
    }
    return 0;
}

static int on_complaint(void *ctx, const struct hq_report_complaint *rc)
{
    struct run *r = ctx;
    const struct hq_complaint *c = &rc->c;
    struct block *bl[2] = {&r->cur->b, &r->total};
    for (int k = 0; k < 2; k++) {
        struct block *b = bl[k];
        const char *cat = c->category && *c->category ? c->category : "(none)";
        cJSON *n = cJSON_GetObjectItemCaseSensitive(b->by_category, cat);
        b->cmp++;
        if (n)
            cJSON_SetNumberValue(n, n->valuedouble + 1);
        else
            cJSON_AddNumberToObject(b->by_category, cat, 1);
        if (c->severity && strcmp(c->severity, "serious") == 0)
            b->serious++;
        else if (c->severity && strcmp(c->severity, "ordinary") == 0)
            b->ordinary++;
        if (c->valid == 1)
            b->valid++;
        else if (c->valid == 0)
            b->invalid++;
        else
            b->unassessed++;
        if (c->state && strcmp(c->state, "closed") == 0)
            b->closed++;
        if (rc->first_response_at > 0) {
            if (rc->first_response_at <= c->feedback_due)
                b->fb24++;
            if (vec_add(&b->first_resp, rc->first_response_at - c->received_at) != 0)
                r->full = 1;
        }
        if (rc->closed_at > 0 && vec_add(&b->to_close, rc->closed_at - c->received_at) != 0)
            r->full = 1;
    }
    return r->full ? HQ_E_INVALID : 0;
}

/* Reads the period's tickets, visitors and ratings of device dev (NULL:
 * of every device at once, a few statements for the whole fleet instead of
 * a few per device) into their branches and the total; then each device's
 * complaints (by the time received, in its branch's zone). Ratings are read
 * by ticket id over the range the devices' tickets span and kept only when
 * their ticket is one of the device's tickets of the period. */
static int gather(struct run *r, const char *dev)
{
    struct hq_store *s = r->s;
    struct hq_state_filter f = {dev, "bday", r->day_from, r->day_to, 0, 0};
    long long lo = 0, hi = 0;
    int rc, any = 0;

    r->curd = NULL;
    if ((rc = s->ops->state_each(s, &rpt_tables[0], &f, on_ticket, r)) != HQ_OK ||
        (rc = s->ops->state_each(s, &rpt_tables[1], &f, on_visitor, r)) != HQ_OK)
        return rc;
    for (size_t i = 0; i < r->ndv; i++) {
        struct devix *d = &r->dv[i];
        struct branch *b = d->b;
        char saved[ZONE_MAX + 1];
        if ((dev && strcmp(d->id, dev) != 0) || d->ids.n == 0)
            continue;
        /* local hours, in the branch's zone */
        tz_enter(b->zone, saved, sizeof saved);
        for (size_t k = 0; k < d->issued_at.n; k++) {
            time_t t = (time_t)d->issued_at.v[k];
            struct tm lt;
            if (localtime_r(&t, &lt) && lt.tm_hour >= 0 && lt.tm_hour < 24) {
                b->b.t.hours[lt.tm_hour]++;
                r->total.t.hours[lt.tm_hour]++;
            }
        }
        tz_leave(saved);
        qsort(d->ids.v, d->ids.n, sizeof *d->ids.v, cmp_ll);
        if (!any || d->ids.v[0] < lo)
            lo = d->ids.v[0];
        if (!any || d->ids.v[d->ids.n - 1] + 1 > hi)
            hi = d->ids.v[d->ids.n - 1] + 1;
        any = 1;
    }
    if (any) {
        struct hq_state_filter rf = {dev, "ticket", NULL, NULL, lo, hi};
        r->curd = NULL;
        if ((rc = s->ops->state_each(s, &rpt_tables[2], &rf, on_rating, r)) != HQ_OK)
            return rc;
    }
    for (size_t i = 0; i < r->ndv; i++) {
        struct devix *d = &r->dv[i];
        if (dev && strcmp(d->id, dev) != 0)
            continue;
        r->cur = d->b;
        if ((rc = s->ops->report_complaints(s, d->id, d->b->t_from, d->b->t_to, on_complaint,
                                            r)) != HQ_OK)
            return rc;
    }
    return HQ_OK;
}

/* ---- the JSON ---- */

static cJSON *num_or_null(int ok, double v)
{
    return ok ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static double round_to(double v, int digits)
{
    double f = pow(10, digits);
    return round(v * f) / f;
}

static cJSON *tix_json(struct tix *t, int hours)
{
    cJSON *o = cJSON_CreateObject(), *w, *sv;
    long long called = (long long)t->wait.n, done = (long long)t->svc.n;
    cJSON_AddNumberToObject(o, "issued", (double)t->issued);
    cJSON_AddNumberToObject(o, "served", (double)t->served);
    cJSON_AddNumberToObject(o, "no_show", (double)t->noshow);
    cJSON_AddNumberToObject(o, "cancelled", (double)t->cancelled);
    cJSON_AddItemToObject(o, "no_show_rate",
                          num_or_null(t->served + t->noshow > 0,
                                      round_to((double)t->noshow /
                                                   (double)(t->served + t->noshow ? t->served + t->noshow : 1),
                                               3)));
    w = cJSON_AddObjectToObject(o, "wait_s");
    cJSON_AddItemToObject(w, "avg", num_or_null(called > 0, round((double)t->wait_sum /
                                                                  (double)(called ? called : 1))));
    cJSON_AddItemToObject(w, "p50", pct(&t->wait, 50));
    cJSON_AddItemToObject(w, "p90", pct(&t->wait, 90));
    cJSON_AddItemToObject(w, "max", pct(&t->wait, 100));
    sv = cJSON_AddObjectToObject(o, "service_s");
    cJSON_AddItemToObject(sv, "avg", num_or_null(done > 0, round((double)t->svc_sum /
                                                                 (double)(done ? done : 1))));
    cJSON_AddItemToObject(sv, "p50", pct(&t->svc, 50));
    if (hours) {
        int best = -1;
        for (int h = 0; h < 24; h++)
            if (t->hours[h] > 0 && (best < 0 || t->hours[h] > t->hours[best]))
                best = h;
        if (best < 0) {
            cJSON_AddNullToObject(o, "busiest_hour");
        } else {
            cJSON *bh = cJSON_AddObjectToObject(o, "busiest_hour");
            cJSON_AddNumberToObject(bh, "hour", best);
            cJSON_AddNumberToObject(bh, "tickets", (double)t->hours[best]);
        }
    }
    return o;
}

static const char *const levels[4] = {"excellent", "good", "fair", "poor"};

/* One rating dimension: counts, the average level (1 = 优 .. 4 = 差, as the
 * kiosk reports it) and a score from 0 (all 差) to 100 (all 优). */
static cJSON *dim_json(const long long c[4], double *score)
{
    cJSON *o = cJSON_CreateObject();
    long long n = c[0] + c[1] + c[2] + c[3];
    double lvl = 0, pts = 0;
    for (int i = 0; i < 4; i++) {
        cJSON_AddNumberToObject(o, levels[i], (double)c[i]);
        lvl += (double)c[i] * (i + 1);
        pts += (double)c[i] * (3 - i);
    }
    cJSON_AddItemToObject(o, "avg_level", num_or_null(n > 0, round_to(lvl / (double)(n ? n : 1), 2)));
    *score = n > 0 ? round_to(100.0 * pts / (3.0 * (double)n), 1) : -1;
    cJSON_AddItemToObject(o, "score", num_or_null(n > 0, *score));
    return o;
}

static cJSON *block_json(struct block *b)
{
    cJSON *o = cJSON_CreateObject(), *x, *svcs;
    cJSON_AddItemToObject(o, "tickets", tix_json(&b->t, 1));
    svcs = cJSON_AddObjectToObject(o, "services");
    for (size_t i = 0; i < b->nsvc; i++) {
        cJSON *one = cJSON_AddObjectToObject(svcs, b->svcs[i].code);
        cJSON_AddItemToObject(one, "tickets", tix_json(&b->svcs[i].t, 0));
    }
    x = cJSON_AddObjectToObject(o, "visitors");
    cJSON_AddNumberToObject(x, "total", (double)b->visitors);
    cJSON_AddNumberToObject(x, "signed_out", (double)b->visitors_out);
    cJSON_AddItemToObject(x, "avg_stay_s",
                          num_or_null(b->visitors_out > 0,
                                      round((double)b->stay_sum /
                                            (double)(b->visitors_out ? b->visitors_out : 1))));
    x = cJSON_AddObjectToObject(o, "complaints");
    cJSON_AddNumberToObject(x, "total", (double)b->cmp);
    cJSON_AddItemToObject(x, "by_category", b->by_category);
    b->by_category = NULL;
    cJSON *sev = cJSON_AddObjectToObject(x, "by_severity");
    cJSON_AddNumberToObject(sev, "ordinary", (double)b->ordinary);
    cJSON_AddNumberToObject(sev, "serious", (double)b->serious);
    cJSON_AddNumberToObject(sev, "unassessed", (double)(b->cmp - b->ordinary - b->serious));
    cJSON_AddNumberToObject(x, "valid", (double)b->valid);
    cJSON_AddNumberToObject(x, "invalid", (double)b->invalid);
    cJSON_AddNumberToObject(x, "unassessed", (double)b->unassessed);
    cJSON_AddNumberToObject(x, "closed", (double)b->closed);
    cJSON_AddNumberToObject(x, "feedback_24h", (double)b->fb24);
    cJSON_AddItemToObject(x, "feedback_24h_share",
                          num_or_null(b->cmp > 0, round_to((double)b->fb24 /
                                                               (double)(b->cmp ? b->cmp : 1), 3)));
    cJSON_AddItemToObject(x, "first_response_p50_s", pct(&b->first_resp, 50));
    cJSON_AddItemToObject(x, "close_p50_s", pct(&b->to_close, 50));
    x = cJSON_AddObjectToObject(o, "ratings");
    long long n = b->rate[0][0] + b->rate[0][1] + b->rate[0][2] + b->rate[0][3];
    double sc[3], sum = 0;
    cJSON_AddNumberToObject(x, "total", (double)n);
    for (int i = 0; i < 4; i++) /* the level counts of service, as the kiosk's rating_service */
        cJSON_AddNumberToObject(x, levels[i], (double)b->rate[0][i]);
    cJSON_AddItemToObject(x, "service", dim_json(b->rate[0], &sc[0]));
    cJSON_AddItemToObject(x, "attitude", dim_json(b->rate[1], &sc[1]));
    cJSON_AddItemToObject(x, "result", dim_json(b->rate[2], &sc[2]));
    for (int i = 0; i < 3; i++)
        sum += sc[i] < 0 ? 0 : sc[i];
    cJSON_AddItemToObject(x, "score", num_or_null(n > 0, round_to(sum / 3.0, 1)));
    return o;
}

/* ---- building ---- */

/* The period's business days [from, to): a day, or a month's days. */
static int period_days(const char *kind, const char *period, char from[11], char to[11])
{
    int y, m, d;
    char first[11];
    if (!kind || !period)
        return -1;
    if (strcmp(kind, "day") == 0) {
        if (bday_parse(period, &y, &m, &d) != 0)
            return -1;
        snprintf(from, 11, "%s", period);
        return bday_add(from, 1, to) == 0 ? 0 : -1;
    }
    if (strcmp(kind, "month") != 0 || strlen(period) != 7)
        return -1;
    snprintf(first, sizeof first, "%.7s-01", period);
    if (bday_parse(first, &y, &m, &d) != 0)
        return -1;
    memcpy(from, first, 11);
    /* the first of the next month: 32 days on from the 1st is always in it */
    if (bday_add(first, 32, to) != 0)
        return -1;
    to[8] = '0';
    to[9] = '1';
    return 0;
}

int hq_report_build(struct hq_store *s, const char *kind, const char *period,
                    const char *branch, cJSON **out, char *err, size_t errlen)
{
    struct run *r = calloc(1, sizeof *r);
    struct fallback fb[2] = {{0}};
    size_t ndv = 0;
    cJSON *root = NULL, *branches;
    int rc = HQ_OK, reading = 0;

    *out = NULL;
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return HQ_E_IO;
    }
    r->s = s;
    r->only = branch;
    pthread_once(&rpt_once, report_tables_init);
    if (!rpt_ok) { /* hq_state.c lost a column a figure needs: a build mistake */
        snprintf(err, errlen, "the state tables lack a column the report reads");
        free(r);
        return HQ_E_INVALID;
    }
    {
        const struct hq_state_table *tt = &rpt_tables[0];
        r->c_state = hq_state_col(tt, "state");
        r->c_issued = hq_state_col(tt, "issued_at");
        r->c_called = hq_state_col(tt, "called_at");
        r->c_serving = hq_state_col(tt, "serving_at");
        r->c_finished = hq_state_col(tt, "finished_at");
        r->c_service = hq_state_col(tt, "issued_service");
    }
    if (period_days(kind, period, r->day_from, r->day_to) != 0) {
        snprintf(err, errlen, "report day YYYY-MM-DD or report month YYYY-MM (a real date)");
        rc = HQ_E_INVALID;
        goto out;
    }
    if (!(r->total.by_category = cJSON_CreateObject())) {
        rc = HQ_E_IO;
        goto fail;
    }
    /* Every figure from one moment: pushes go on committing meanwhile. */
    if ((rc = s->ops->begin_read(s)) != HQ_OK)
        goto fail;
    reading = 1;
    if ((rc = s->ops->stats(s, on_device, NULL, r)) != HQ_OK)
        goto fail;
    if (branch && r->nbr == 0) {
        snprintf(err, errlen, "no branch named %s has a device", branch);
        rc = HQ_E_NOTFOUND;
        goto out;
    }
    for (size_t i = 0; i < r->nbr; i++) {
        struct branch *b = &r->br[i];
        char turn[16], saved[ZONE_MAX + 1];
        struct fd_err fe;
        if (!(b->b.by_category = cJSON_CreateObject())) {
            rc = HQ_E_IO;
            goto fail;
        }
        if ((rc = setting(s, b->name, "timezone", b->zone, sizeof b->zone, &fb[0])) != HQ_OK ||
            (rc = setting(s, b->name, "day_turnover_hour", turn, sizeof turn, &fb[1])) != HQ_OK)
            goto fail;
        if (bday_check_zone(b->zone, &fe) != 0) { /* the kiosk refuses it too: default */
            kiosk_default("timezone", b->zone, sizeof b->zone);
            if (bday_check_zone(b->zone, &fe) != 0)
                snprintf(b->zone, sizeof b->zone, "UTC");
        }
        b->turnover = atoi(turn);
        if (b->turnover < 0 || b->turnover > 23)
            b->turnover = 0;
        tz_enter(b->zone, saved, sizeof saved);
        b->t_from = bday_start(r->day_from, b->turnover);
        b->t_to = bday_start(r->day_to, b->turnover);
        tz_leave(saved);
        ndv += b->ndev;
    }
    if (ndv > 0 && !(r->dv = calloc(ndv, sizeof *r->dv))) {
        rc = HQ_E_IO;
        goto fail;
    }
    for (size_t i = 0; i < r->nbr; i++)
        for (size_t d = 0; d < r->br[i].ndev; d++) {
            r->dv[r->ndv].id = r->br[i].devices[d];
            r->dv[r->ndv++].b = &r->br[i];
        }
    qsort(r->dv, r->ndv, sizeof *r->dv, devix_cmp);
    /* a branch's few devices one by one; a fleet's all at once */
    if (branch || r->ndv <= GATHER_ALONE) {
        for (size_t i = 0; i < r->ndv; i++)
            if ((rc = gather(r, r->dv[i].id)) != HQ_OK)
                goto fail;
    } else if ((rc = gather(r, NULL)) != HQ_OK) {
        goto fail;
    }
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", kind);
    cJSON_AddStringToObject(root, "period", period);
    cJSON_AddStringToObject(root, "first_day", r->day_from);
    branches = cJSON_AddObjectToObject(root, "branches");
    for (size_t i = 0; i < r->nbr; i++) {
        struct branch *b = &r->br[i];
        cJSON *o = block_json(&b->b);
        cJSON_AddStringToObject(o, "timezone", b->zone);
        cJSON_AddNumberToObject(o, "day_turnover_hour", b->turnover);
        cJSON_AddNumberToObject(o, "devices", (double)b->ndev);
        cJSON_AddNumberToObject(o, "from", (double)b->t_from);
        cJSON_AddNumberToObject(o, "to", (double)b->t_to);
        cJSON_AddItemToObject(branches, b->name, o);
    }
    cJSON_AddItemToObject(root, "total", block_json(&r->total));
    *out = root;
    goto out;
fail:
    if (r->full)
        snprintf(err, errlen, "the period holds more than %u values of one figure: "
                              "report a shorter period or one branch", VEC_MAX);
    else
        snprintf(err, errlen, "%s", rc == HQ_E_IO && !s->ops->errmsg(s)[0] ? "out of memory"
                                                                          : s->ops->errmsg(s));
    if (r->full)
        rc = HQ_E_INVALID;
out:
    if (reading)
        s->ops->rollback(s); /* read only: nothing to commit */
    for (size_t i = 0; r && i < r->nbr; i++) {
        block_free(&r->br[i].b);
        free(r->br[i].devices);
    }
    free(r->br);
    block_free(&r->total);
    for (size_t i = 0; r->dv && i < r->ndv; i++) {
        free(r->dv[i].ids.v);
        free(r->dv[i].issued_at.v);
    }
    free(r->dv);
    free(r);
    return rc;
}

/* ---- CSV and text ---- */

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_put(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

/* A number at path "a.b.c" in o, or "" when absent or null. */
static void sb_num(struct sbuf *b, const cJSON *o, const char *path)
{
    char part[64];
    const char *p = path;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, p);
        o = cJSON_GetObjectItemCaseSensitive(o, part);
        p += n + (p[n] == '.');
    }
    if (cJSON_IsNumber(o))
        sb_put(b, ",%.15g", o->valuedouble);
    else
        sb_put(b, ",");
}

/* A CSV field: quoted, with quotes doubled. */
static void sb_field(struct sbuf *b, const char *s)
{
    sb_put(b, "\"");
    for (; *s; s++)
        sb_put(b, *s == '"' ? "\"\"" : "%c", *s);
    sb_put(b, "\"");
}

static const char *const csv_ticket_cols[] = {
    "tickets.issued", "tickets.served", "tickets.no_show", "tickets.cancelled",
    "tickets.no_show_rate", "tickets.wait_s.p50", "tickets.wait_s.p90", "tickets.wait_s.max",
    "tickets.service_s.p50", NULL};
static const char *const csv_block_cols[] = {
    "tickets.busiest_hour.hour", "visitors.total", "visitors.avg_stay_s", "complaints.total",
    "complaints.closed", "complaints.feedback_24h_share", "complaints.first_response_p50_s",
    "complaints.close_p50_s", "ratings.total", "ratings.excellent", "ratings.good",
    "ratings.fair", "ratings.poor", "ratings.score", NULL};

static void csv_rows(struct sbuf *b, const char *name, const cJSON *blk)
{
    const cJSON *svc;
    cJSON_ArrayForEach(svc, cJSON_GetObjectItemCaseSensitive(blk, "services")) {
        sb_field(b, name);
        sb_put(b, ",");
        sb_field(b, svc->string);
        for (int i = 0; csv_ticket_cols[i]; i++)
            sb_num(b, svc, csv_ticket_cols[i]);
        for (int i = 0; csv_block_cols[i]; i++)
            sb_put(b, ",");
        sb_put(b, "\n");
    }
    sb_field(b, name);
    sb_put(b, ",\"\"");
    for (int i = 0; csv_ticket_cols[i]; i++)
        sb_num(b, blk, csv_ticket_cols[i]);
    for (int i = 0; csv_block_cols[i]; i++)
        sb_num(b, blk, csv_block_cols[i]);
    sb_put(b, "\n");
}

char *hq_report_csv(const cJSON *report)
{
    struct sbuf b = {0};
    const cJSON *br;
    sb_put(&b, "branch,service");
    for (int i = 0; csv_ticket_cols[i]; i++)
        sb_put(&b, ",%s", csv_ticket_cols[i]);
    for (int i = 0; csv_block_cols[i]; i++)
        sb_put(&b, ",%s", csv_block_cols[i]);
    sb_put(&b, "\n");
    cJSON_ArrayForEach(br, cJSON_GetObjectItemCaseSensitive(report, "branches"))
        csv_rows(&b, br->string, br);
    csv_rows(&b, "(all branches)", cJSON_GetObjectItemCaseSensitive(report, "total"));
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static double jnum(const cJSON *o, const char *a, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void text_block(struct sbuf *b, const char *name, const cJSON *o)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "tickets");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(t, "wait_s");
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(o, "ratings");
    const cJSON *p50 = cJSON_GetObjectItemCaseSensitive(w, "p50");
    const cJSON *p90 = cJSON_GetObjectItemCaseSensitive(w, "p90");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(rt, "score");
    sb_put(b, "%s\n", name);
    sb_put(b, "  tickets %.0f, served %.0f, no-show %.0f, cancelled %.0f; wait p50 %s%.0f s,"
              " p90 %.0f s\n",
           jnum(o, "tickets", "issued"), jnum(o, "tickets", "served"),
           jnum(o, "tickets", "no_show"), jnum(o, "tickets", "cancelled"),
           cJSON_IsNumber(p50) ? "" : "-", cJSON_IsNumber(p50) ? p50->valuedouble : 0,
           cJSON_IsNumber(p90) ? p90->valuedouble : 0);
    sb_put(b, "  visitors %.0f; complaints %.0f (closed %.0f); ratings %.0f: 优 %.0f 良 %.0f"
              " 中 %.0f 差 %.0f, score %.1f\n",
           jnum(o, "visitors", "total"), jnum(o, "complaints", "total"),
           jnum(o, "complaints", "closed"), jnum(o, "ratings", "total"),
           jnum(o, "ratings", "excellent"), jnum(o, "ratings", "good"),
           jnum(o, "ratings", "fair"), jnum(o, "ratings", "poor"),
           cJSON_IsNumber(sc) ? sc->valuedouble : 0);
}

char *hq_report_text(const cJSON *report)
{
    struct sbuf b = {0};
    const cJSON *br;
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(report, "kind");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(report, "period");
    sb_put(&b, "report %s %s\n", cJSON_IsString(k) ? k->valuestring : "?",
           cJSON_IsString(p) ? p->valuestring : "?");
    cJSON_ArrayForEach(br, cJSON_GetObjectItemCaseSensitive(report, "branches"))
        text_block(&b, br->string, br);
    text_block(&b, "all branches", cJSON_GetObjectItemCaseSensitive(report, "total"));
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* The local time of t in branch's zone (as its reports count it): see
 * hq_report.h. */
int hq_report_local_time(struct hq_store *s, const char *branch, long long t, char *out,
                         size_t n, char *zone, size_t zn)
{
    struct fallback fb = {0};
    struct fd_err fe;
    char z[ZONE_MAX + 1], saved[ZONE_MAX + 32];
    struct tm lt;
    time_t tt = (time_t)t;
    int rc = setting(s, branch ? branch : "", "timezone", z, sizeof z, &fb);
    if (rc != HQ_OK)
        return rc;
    if (bday_check_zone(z, &fe) != 0)
        snprintf(z, sizeof z, "UTC");
    tz_enter(z, saved, sizeof saved);
    if (!localtime_r(&tt, &lt) || strftime(out, n, "%Y-%m-%d %H:%M", &lt) == 0)
        snprintf(out, n, "?");
    tz_leave(saved);
    if (zone)
        snprintf(zone, zn, "%s", z);
    return HQ_OK;
}
