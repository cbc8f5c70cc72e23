/* test_hq_state.c - head office's current state and reports, through the real
 * push parser and the store interface (SQLite here; FDHQ_TEST_DB runs it on
 * PostgreSQL): the newest version of a record wins whatever order versions
 * arrive in (a restore's higher epoch wins over late rows of the old epoch),
 * what the state tables cannot take goes to quarantine and is still
 * acknowledged, stats counts records rather than versions, a rebuild equals
 * the pushes, and the day and month reports count each branch in its own
 * time zone and business day. */
#include "check.h"
#include "harness.h"
#include "hq_complaint.h"
#include "hq_push.h"
#include "hq_report.h"
#include "hq_state.h"

static const unsigned char pk[HQ_PUBKEY_BYTES] = {7};

/* Unix time of a UTC wall-clock time. */
static long long utc(int y, int mo, int d, int h, int mi)
{
    struct tm t = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                   .tm_min = mi};
    return (long long)timegm(&t);
}

/* Pushes a body (JSON text) as the server would: parse, apply, commit. */
static int push(struct hq_store *s, const char *body, struct hq_push_result *res)
{
    struct hq_push_msg m;
    char err[256];
    int rc;
    if (hq_push_parse(body, strlen(body), 500, &m, err, sizeof err) != 0) {
        fprintf(stderr, "parse: %s\n", err);
        return -100;
    }
    m.batch.now = 1800000000;
    rc = s->ops->begin(s);
    if (rc == HQ_OK)
        rc = s->ops->push_apply(s, &m.batch, res);
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    else
        s->ops->rollback(s);
    hq_push_free(&m);
    return rc;
}

/* Pushes a body the way the server does: through push_commit where the
 * backend has one (PostgreSQL: group commit), with the given nonce;
 * elsewhere as push() does. */
static int push_commit(struct hq_store *s, const char *body, const char *nonce,
                       struct hq_push_result *res)
{
    struct hq_push_msg m;
    char err[256];
    int rc;
    if (!s->ops->push_commit)
        return push(s, body, res);
    if (hq_push_parse(body, strlen(body), 500, &m, err, sizeof err) != 0) {
        fprintf(stderr, "parse: %s\n", err);
        return -100;
    }
    m.batch.now = 1800000000;
    struct hq_push_job j = {m.batch.device_id, nonce, m.batch.now, &m.batch, NULL, NULL, NULL};
    rc = s->ops->push_commit(s, &j, res);
    if (rc != HQ_OK)
        fprintf(stderr, "push_commit: %s\n", s->ops->errmsg(s));
    hq_push_free(&m);
    return rc;
}

/* Two ticket events of device devsouth in epoch (its seq 1 and 2) as a
 * push body; service and actor are JSON (null or a string). */
struct ev {
    long long id, at;
    const char *event, *service, *actor;
};

static void events_body(char *out, size_t n, int epoch, const struct ev e[2])
{
    int k = snprintf(out, n, "{\"device_id\":\"devsouth\",\"epoch\":%d,%s\"records\":[",
                     epoch, epoch > 1 ? "\"epoch_start\":1," : "");
    for (int i = 0; i < 2 && k > 0 && (size_t)k < n; i++)
        k += snprintf(out + k, n - (size_t)k,
                      "%s{\"seq\":%d,\"type\":\"ticket_event\",\"v\":1,\"record\":{\"id\":%lld,"
                      "\"ticket\":1,\"at\":%lld,\"event\":\"%s\",\"counter\":1,"
                      "\"service\":%s,\"actor\":%s}}",
                      i ? "," : "", i + 1, e[i].id, e[i].at, e[i].event, e[i].service, e[i].actor);
    if (k > 0 && (size_t)k < n)
        snprintf(out + k, n - (size_t)k, "]}");
}

/* A ticket record's JSON. */
static char *ticket(char *out, size_t n, long long id, const char *bday, const char *svc,
                    const char *state, long long issued, long long called, long long serving,
                    long long finished)
{
    char c[32] = "null", sv[32] = "null", f[32] = "null";
    if (called)
        snprintf(c, sizeof c, "%lld", called);
    if (serving)
        snprintf(sv, sizeof sv, "%lld", serving);
    if (finished)
        snprintf(f, sizeof f, "%lld", finished);
    snprintf(out, n,
             "{\"id\":%lld,\"bday\":\"%s\",\"issued_service\":\"%s\",\"service\":\"%s\","
             "\"number\":%lld,\"label\":\"%s%03lld\",\"priority\":0,\"state\":\"%s\","
             "\"counter\":1,\"recalls\":0,\"transfers\":0,\"issued_at\":%lld,"
             "\"called_at\":%s,\"serving_at\":%s,\"finished_at\":%s}",
             id, bday, svc, svc, id, svc, id, state, issued, c, sv, f);
    return out;
}

/* The one state row of (table, device, id) as JSON text in out ("" if none). */
struct find {
    long long id;
    char *out;
    size_t n;
};

static int find_row(void *ctx, const struct hq_state_row *row)
{
    struct find *f = ctx;
    if (row->id == f->id) {
        cJSON *o = hq_state_row_json(row);
        char *t = cJSON_PrintUnformatted(o);
        snprintf(f->out, f->n, "%s", t);
        cJSON_free(t);
        cJSON_Delete(o);
    }
    return 0;
}

static const char *row_of(struct hq_store *s, const char *table, const char *dev, long long id,
                          char *out, size_t n)
{
    struct hq_state_filter flt = {dev, NULL, NULL, NULL, 0, 0};
    struct find f = {id, out, n};
    out[0] = '\0';
    s->ops->state_each(s, hq_state_by_name(table), &flt, find_row, &f);
    return out;
}

static int count_id(void *ctx, const struct hq_state_row *row)
{
    long long *c = ctx; /* c[0]: the id looked for, c[1]: rows, c[2]: rows done */
    if (row->id == c[0]) {
        c[1]++;
        c[2] += strcmp(row->v[hq_state_col(row->t, "state")].s, "done") == 0;
    }
    return 0;
}

/* Whether devsouth's ticket event id is held with both texts in its row. */
static int event_has(struct hq_store *s, long long id, const char *a, const char *b)
{
    char row[2048];
    row_of(s, "ticket_event_state", "devsouth", id, row, sizeof row);
    return strstr(row, a) && strstr(row, b);
}

static int count_rows(void *ctx, const struct hq_state_row *row)
{
    long long *c = ctx; /* c[0]: the id looked for, c[1]: its rows */
    c[1] += row->id == c[0];
    return 0;
}

static long long type_count;
static const char *type_branch, *type_name;

static int on_type(void *ctx, const struct hq_type_stat *t)
{
    (void)ctx;
    if (strcmp(t->branch, type_branch) == 0 && strcmp(t->type, type_name) == 0)
        type_count = t->records;
    return 0;
}

static double num(const cJSON *o, const char *path)
{
    char part[64];
    const char *p = path;
    while (o && *p) {
        size_t k = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)k, p);
        o = cJSON_GetObjectItemCaseSensitive(o, part);
        p += k + (p[k] == '.');
    }
    return cJSON_IsNumber(o) ? o->valuedouble : -999;
}

static int is_null(const cJSON *o, const char *path)
{
    char part[64];
    const char *p = path;
    while (o && *p) {
        size_t k = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)k, p);
        o = cJSON_GetObjectItemCaseSensitive(o, part);
        p += k + (p[k] == '.');
    }
    return cJSON_IsNull(o);
}

static int first_id(void *ctx, const struct hq_complaint *c)
{
    if (strcmp(c->ref, "20261123000017") == 0)
        *(long long *)ctx = c->id;
    return 0;
}

/* The kiosk-owned fields of the complaint with ref k->ref. */
struct cmp_pick {
    const char *ref;
    char category[64], description[64];
    long long received_at;
};

static int pick_complaint(void *ctx, const struct hq_complaint *c)
{
    struct cmp_pick *k = ctx;
    if (strcmp(c->ref, k->ref) == 0) {
        snprintf(k->category, sizeof k->category, "%s", c->category);
        snprintf(k->description, sizeof k->description, "%s", c->description);
        k->received_at = c->received_at;
    }
    return 0;
}

/* A store op that, after the report's first read of ticket_state, pushes a
 * visitor and a complaint of the same day through a second handle. */
static const struct hq_store_ops *mid_real;
static const char *mid_db;
static int mid_pushed;

static int state_each_then_push(struct hq_store *s, const struct hq_state_table *t,
                                const struct hq_state_filter *f, hq_state_fn fn, void *ctx)
{
    int rc = mid_real->state_each(s, t, f, fn, ctx);
    if (rc == HQ_OK && !mid_pushed && strcmp(t->table, "ticket_state") == 0) {
        struct hq_store *s2 = NULL;
        struct hq_push_result res;
        char err[256], body[1024];
        long long V = utc(2026, 11, 23, 3, 0);
        snprintf(body, sizeof body,
                 "{\"device_id\":\"devnorth\",\"epoch\":1,\"records\":["
                 "{\"seq\":8,\"type\":\"visitor\",\"v\":1,\"record\":{\"id\":50,"
                 "\"bday\":\"2026-11-23\",\"badge\":\"V9\",\"name\":\"赵六\","
                 "\"signed_in_at\":%lld}},"
                 "{\"seq\":9,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":9,"
                 "\"ref\":\"20261123000050\",\"category\":\"wait\",\"description\":\"x\","
                 "\"received_at\":%lld,\"feedback_due\":%lld,\"state\":\"received\"}}]}",
                 V, V, V + 86400);
        if (hq_store_open(mid_db, &s2, err, sizeof err) != HQ_OK) {
            fprintf(stderr, "%s\n", err);
            return HQ_E_IO;
        }
        if (push(s2, body, &res) == HQ_OK && res.applied == 2)
            mid_pushed = 1;
        else
            fprintf(stderr, "the push during the report failed: %s\n", s2->ops->errmsg(s2));
        hq_store_close(s2);
    }
    return rc;
}

int main(void)
{
    struct hq_store *s = NULL;
    struct hq_push_result res;
    char db[512], err[512], t[8][600], row[2048];
    static char body[65536];
    long long rows = 0;

    h_mkdir("hqstate");
    h_hq_db(db, sizeof db, "hq.sqlite");
    hq_report_init();
    if (hq_store_open(db, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("backend: %s\n", s->ops->name);
    CHECK_INT(s->ops->device_register(s, "devnorth", "North", pk, 1), HQ_OK);
    CHECK_INT(s->ops->device_register(s, "devwest", "West", pk, 1), HQ_OK);
    CHECK_INT(s->ops->config_set(s, "West", "timezone", "\"America/New_York\"", 1), HQ_OK);
    CHECK_INT(s->ops->config_set(s, "West", "day_turnover_hour", "\"0\"", 1), HQ_OK);

    /* ---- newest (epoch, seq) wins ---- */
    long long T = utc(2026, 11, 23, 2, 5); /* 10:05 in Shanghai, the North's zone */
    snprintf(body, sizeof body,
             "{\"device_id\":\"devnorth\",\"epoch\":1,\"records\":["
             "{\"seq\":1,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
             "{\"seq\":2,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
             "{\"seq\":3,\"type\":\"ticket_event\",\"v\":1,\"record\":{\"id\":1,\"ticket\":1,"
             "\"at\":%lld,\"event\":\"called\",\"counter\":1,\"service\":null,\"actor\":\"li\"}},"
             "{\"seq\":4,\"type\":\"ticket\",\"v\":1,\"record\":%s}]}",
             ticket(t[0], 600, 1, "2026-11-23", "A", "waiting", T, 0, 0, 0),
             ticket(t[1], 600, 1, "2026-11-23", "A", "called", T, T + 60, 0, 0), T + 60,
             ticket(t[2], 600, 1, "2026-11-23", "A", "done", T, T + 60, T + 70, T + 370));
    CHECK_INT(push(s, body, &res), HQ_OK);
    CHECK_INT(res.high, 4);
    CHECK(strstr(row_of(s, "ticket_state", "devnorth", 1, row, sizeof row),
                 "\"state\":\"done\"") != NULL);
    CHECK(strstr(row, "\"epoch\":1,\"seq\":4") != NULL);
    CHECK(strstr(row_of(s, "ticket_event_state", "devnorth", 1, row, sizeof row),
                 "\"event\":\"called\"") != NULL);
    /* A restore: epoch 2 says ticket 1 is waiting again (the backup's view) ... */
    snprintf(body, sizeof body,
             "{\"device_id\":\"devnorth\",\"epoch\":2,\"epoch_start\":3,\"records\":["
             "{\"seq\":3,\"type\":\"ticket\",\"v\":1,\"record\":%s}]}",
             ticket(t[0], 600, 1, "2026-11-23", "A", "serving", T, T + 60, T + 70, 0));
    CHECK_INT(push(s, body, &res), HQ_OK);
    CHECK(strstr(row_of(s, "ticket_state", "devnorth", 1, row, sizeof row),
                 "\"state\":\"serving\"") != NULL);
    /* ... and a late row of epoch 1 (seq 5, newer in its epoch) never wins over it. */
    snprintf(body, sizeof body,
             "{\"device_id\":\"devnorth\",\"epoch\":1,\"records\":["
             "{\"seq\":5,\"type\":\"ticket\",\"v\":1,\"record\":%s}]}",
             ticket(t[0], 600, 1, "2026-11-23", "A", "cancelled", T, 0, 0, 0));
    CHECK_INT(push(s, body, &res), HQ_OK);
    CHECK_INT(res.applied, 1);
    CHECK(strstr(row_of(s, "ticket_state", "devnorth", 1, row, sizeof row),
                 "\"state\":\"serving\"") != NULL);
    CHECK(strstr(row, "\"epoch\":2,\"seq\":3") != NULL);
    /* The kiosk finishes the ticket in epoch 2: newest again. */
    snprintf(body, sizeof body,
             "{\"device_id\":\"devnorth\",\"epoch\":2,\"records\":["
             "{\"seq\":4,\"type\":\"ticket\",\"v\":1,\"record\":%s}]}",
             ticket(t[0], 600, 1, "2026-11-23", "A", "done", T, T + 60, T + 70, T + 370));
    CHECK_INT(push(s, body, &res), HQ_OK);
    CHECK(strstr(row_of(s, "ticket_state", "devnorth", 1, row, sizeof row),
                 "\"state\":\"done\"") != NULL);
    /* An older row put directly (a replay in any order) changes nothing either. */
    {
        cJSON *tree = cJSON_Parse(t[1]);
        struct hq_state_row r;
        CHECK(hq_state_parse(hq_state_for_type("ticket"), tree, &r) == NULL);
        r.device_id = "devnorth";
        r.epoch = 2;
        r.seq = 1;
        CHECK_INT(s->ops->state_put(s, &r, 1), HQ_OK);
        CHECK(strstr(row_of(s, "ticket_state", "devnorth", 1, row, sizeof row),
                     "\"state\":\"done\"") != NULL);
        cJSON_Delete(tree);
    }

    /* ---- the server's path (push_commit: on PostgreSQL, group commit): a
     * restored kiosk sends an event head office holds already; the newer
     * epoch's row wins, once, nothing refused. */
    events_body(body, sizeof body, 1, (struct ev[]){{1, T, "called", "null", "\"li\""},
                                                   {2, T + 5, "serving", "\"A\"",
                                                    "\"li\\t\\\\x\""}});
    CHECK_INT(push_commit(s, body, "nonce-ev-1", &res), HQ_OK);
    CHECK_INT(res.high, 2);
    CHECK(event_has(s, 1, "\"actor\":\"li\"", "\"epoch\":1,\"seq\":1"));
    /* text with a tab and a backslash comes back as sent */
    CHECK(event_has(s, 2, "\"actor\":\"li\\t\\\\x\"", "\"service\":\"A\""));
    events_body(body, sizeof body, 2, (struct ev[]){{1, T, "called", "null", "\"wang\""},
                                                   {3, T + 9, "done", "null", "\"wang\""}});
    CHECK_INT(push_commit(s, body, "nonce-ev-2", &res), HQ_OK);
    CHECK_INT(res.applied, 2);
    CHECK(event_has(s, 1, "\"actor\":\"wang\"", "\"epoch\":2,\"seq\":1"));
    CHECK(event_has(s, 3, "\"event\":\"done\"", "\"epoch\":2,\"seq\":2"));
    {
        long long c[2] = {1, 0};
        struct hq_state_filter flt = {"devsouth", NULL, NULL, NULL, 0, 0};
        s->ops->state_each(s, hq_state_by_name("ticket_event_state"), &flt, count_rows, c);
        CHECK_INT(c[1], 1);
    }

    /* ---- what the state tables cannot take: quarantine, acknowledged ---- */
    snprintf(body, sizeof body,
             "{\"device_id\":\"devnorth\",\"epoch\":2,\"records\":["
             "{\"seq\":5,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":9,\"bday\":\"2026-13-40\","
             "\"issued_service\":\"A\",\"service\":\"A\",\"label\":\"A9\",\"state\":\"waiting\","
             "\"issued_at\":1}},"
             "{\"seq\":6,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":9,\"bday\":\"2026-11-23\","
             "\"issued_service\":\"A\",\"service\":\"A\",\"label\":\"A9\",\"state\":\"lost\","
             "\"issued_at\":1}},"
             "{\"seq\":7,\"type\":\"rating\",\"v\":1,\"record\":{\"id\":1,\"ticket\":1,"
             "\"service\":9,\"attitude\":1,\"result\":1,\"at\":1}},"
             "{\"seq\":8,\"type\":\"visitor\",\"v\":1,\"record\":{\"id\":1,\"bday\":\"2026-11-23\","
             "\"badge\":\"V1\",\"name\":\"x\",\"signed_in_at\":\"noon\"}},"
             "{\"seq\":9,\"type\":\"ticket\",\"v\":1,\"record\":{\"id\":9,\"bday\":\"2026-11-23\","
             "\"label\":\"A9\",\"state\":\"waiting\",\"issued_at\":1}},"
             "{\"seq\":10,\"type\":\"audit\",\"v\":1,\"record\":{\"id\":1,\"at\":5,"
             "\"actor\":\"li\",\"action\":\"login\",\"subject\":\"\",\"detail\":\"\"}}]}");
    CHECK_INT(push(s, body, &res), HQ_OK);
    CHECK_INT(res.high, 10);
    CHECK_INT(res.applied, 6);
    CHECK_INT(res.quarantined, 5);
    CHECK(row_of(s, "ticket_state", "devnorth", 9, row, sizeof row)[0] == '\0');
    CHECK(row_of(s, "rating_state", "devnorth", 1, row, sizeof row)[0] == '\0');
    CHECK(row_of(s, "audit_state", "devnorth", 1, row, sizeof row)[0] != '\0');

    /* ---- stats counts tickets, not versions: 10 tickets in 16 versions ---- */
    {
        char *p = body;
        p += sprintf(p, "{\"device_id\":\"devwest\",\"epoch\":1,\"records\":[");
        long long W = utc(2026, 11, 23, 14, 30); /* 09:30 in New York */
        for (int i = 0; i < 16; i++) {
            int id = i < 10 ? i + 1 : i - 9; /* tickets 1..10, then 1..6 again */
            ticket(t[3], 600, id, "2026-11-23", id % 2 ? "A" : "B", i < 10 ? "waiting" : "noshow",
                   W + id * 60, i < 10 ? 0 : W + id * 60 + 300, 0, 0);
            p += sprintf(p, "%s{\"seq\":%d,\"type\":\"ticket\",\"v\":1,\"record\":%s}",
                         i ? "," : "", i + 1, t[3]);
        }
        sprintf(p, "]}");
        CHECK_INT(push(s, body, &res), HQ_OK);
        CHECK_INT(res.applied, 16);
        type_branch = "West";
        type_name = "ticket";
        CHECK_INT(s->ops->stats(s, NULL, on_type, NULL), HQ_OK);
        CHECK_INT(type_count, 10);
    }

    /* ---- the North's day: more tickets, visitors, ratings, complaints ---- */
    long long A = utc(2026, 11, 23, 2, 20), B = utc(2026, 11, 23, 3, 0),
              C = utc(2026, 11, 23, 2, 40), D = utc(2026, 11, 22, 5, 0);
    long long c1 = utc(2026, 11, 23, 4, 0);   /* 12:00 Shanghai: day 23 */
    long long c2 = utc(2026, 11, 23, 19, 0);  /* 03:00 on the 24th, before the turnover: 23 */
    long long c3 = utc(2026, 11, 22, 19, 59); /* 03:59 on the 23rd: still day 22 */
    snprintf(body, sizeof body,
             "{\"device_id\":\"devnorth\",\"epoch\":2,\"records\":["
             "{\"seq\":11,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
             "{\"seq\":12,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
             "{\"seq\":13,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
             "{\"seq\":14,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
             "{\"seq\":15,\"type\":\"visitor\",\"v\":1,\"record\":{\"id\":1,\"bday\":\"2026-11-23\","
             "\"badge\":\"V1\",\"name\":\"张三\",\"phone\":\"13800138000\",\"company\":\"\","
             "\"host\":\"王\",\"purpose\":\"\",\"signed_in_at\":%lld,\"signed_out_at\":%lld,"
             "\"signout_how\":\"staff\"}},"
             "{\"seq\":16,\"type\":\"visitor\",\"v\":1,\"record\":{\"id\":2,\"bday\":\"2026-11-23\","
             "\"badge\":\"V2\",\"name\":\"李四\",\"signed_in_at\":%lld}},"
             "{\"seq\":17,\"type\":\"visitor\",\"v\":1,\"record\":{\"id\":3,\"bday\":\"2026-11-22\","
             "\"badge\":\"V1\",\"name\":\"王五\",\"signed_in_at\":%lld}},"
             "{\"seq\":18,\"type\":\"rating\",\"v\":1,\"record\":{\"id\":1,\"ticket\":1,"
             "\"counter\":1,\"service\":1,\"attitude\":2,\"result\":1,\"comment\":\"\",\"at\":%lld}},"
             "{\"seq\":19,\"type\":\"rating\",\"v\":1,\"record\":{\"id\":2,\"ticket\":3,"
             "\"service\":2,\"attitude\":2,\"result\":4,\"at\":%lld}},"
             "{\"seq\":20,\"type\":\"rating\",\"v\":1,\"record\":{\"id\":3,\"ticket\":4,"
             "\"service\":4,\"attitude\":4,\"result\":4,\"at\":%lld}},"
             "{\"seq\":21,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":1,"
             "\"ref\":\"20261123000017\",\"category\":\"wait\",\"description\":\"slow\","
             "\"received_at\":%lld,\"feedback_due\":%lld,\"state\":\"received\"}},"
             "{\"seq\":22,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":2,"
             "\"ref\":\"20261124000018\",\"category\":\"staff\",\"description\":\"rude\","
             "\"received_at\":%lld,\"feedback_due\":%lld,\"state\":\"received\"}},"
             "{\"seq\":23,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":3,"
             "\"ref\":\"20261123000019\",\"category\":\"wait\",\"description\":\"x\","
             "\"received_at\":%lld,\"feedback_due\":%lld,\"state\":\"received\"}},"
             "{\"seq\":24,\"type\":\"handover\",\"v\":1,\"record\":{\"id\":1,\"at\":%lld,"
             "\"staff\":\"li\",\"note\":\"交接\\n班\",\"open\":{\"waiting\":3,"
             "\"visitors\":[\"V1\"]}}}]}",
             ticket(t[4], 600, 2, "2026-11-23", "A", "noshow", A, A + 120, 0, 0),
             ticket(t[5], 600, 3, "2026-11-23", "B", "done", B, B + 30, B + 40, B + 640),
             ticket(t[6], 600, 4, "2026-11-22", "A", "done", D, D + 10, D + 20, D + 30),
             ticket(t[7], 600, 5, "2026-11-23", "B", "cancelled", C, 0, 0, 0), T, T + 1800, T,
             D, T + 400, B + 700, D + 100, c1, c1 + 86400, c2, c2 + 86400, c3, c3 + 86400,
             T + 3600);
    CHECK_INT(push(s, body, &res), HQ_OK);
    CHECK_INT(res.quarantined, 0);
    CHECK(strstr(row_of(s, "handover_state", "devnorth", 1, row, sizeof row),
                 "\"note\":\"交接\\n班\",\"open\":{\"waiting\":3,\"visitors\":[\"V1\"]}") != NULL);
    {
        long long id = 0;
        struct hq_advance a1 = {"assessed", "ordinary", 1, NULL, NULL, NULL, NULL, "hq:li", ""};
        struct hq_advance a2 = {"closed", NULL, -1, NULL, NULL, "called back", "waiting",
                                "hq:li", ""}; /* a category every kiosk knows */
        CHECK_INT(s->ops->complaint_list(s, NULL, NULL, 100, first_id, &id), HQ_OK);
        CHECK(id > 0);
        CHECK_INT(hq_complaint_advance(s, id, &a1, c1 + 3600, err, sizeof err), HQ_OK);
        CHECK_INT(hq_complaint_advance(s, id, &a2, c1 + 2 * 86400, err, sizeof err), HQ_OK);
    }

    /* A restored kiosk hands out ticket 7 again: another ticket (issued at
     * another time), not a newer version of the one before the restore. */
    {
        long long X = utc(2026, 10, 1, 2, 0), Y = utc(2026, 10, 2, 2, 0), c[3] = {7, 0, 0};
        struct hq_state_filter f = {"devnorth", NULL, NULL, NULL, 0, 0};
        snprintf(body, sizeof body,
                 "{\"device_id\":\"devnorth\",\"epoch\":1,\"records\":["
                 "{\"seq\":6,\"type\":\"ticket\",\"v\":1,\"record\":%s}]}",
                 ticket(t[0], 600, 7, "2026-10-01", "A", "waiting", X, 0, 0, 0));
        CHECK_INT(push(s, body, &res), HQ_OK);
        snprintf(body, sizeof body,
                 "{\"device_id\":\"devnorth\",\"epoch\":2,\"records\":["
                 "{\"seq\":25,\"type\":\"ticket\",\"v\":1,\"record\":%s},"
                 "{\"seq\":26,\"type\":\"ticket\",\"v\":1,\"record\":%s}]}",
                 ticket(t[1], 600, 7, "2026-10-02", "A", "waiting", Y, 0, 0, 0),
                 ticket(t[2], 600, 7, "2026-10-02", "A", "done", Y, Y + 5, Y + 6, Y + 9));
        CHECK_INT(push(s, body, &res), HQ_OK);
        CHECK_INT(s->ops->state_each(s, hq_state_by_name("ticket_state"), &f, count_id, c),
                  HQ_OK);
        CHECK_INT(c[1], 2);
        CHECK_INT(c[2], 1);
    }

    /* A complaint's kiosk-owned fields follow its newest version by (epoch,
     * seq), as the state tables do: a late version of the old epoch arriving
     * after the restore's never overwrites them (the replay check below then
     * proves the rebuild agrees). */
    {
        long long R = utc(2026, 10, 2, 3, 0);
        struct cmp_pick k = {"20261002000031", "", "", 0};
        snprintf(body, sizeof body,
                 "{\"device_id\":\"devnorth\",\"epoch\":2,\"records\":["
                 "{\"seq\":27,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":4,"
                 "\"ref\":\"20261002000031\",\"category\":\"queue\",\"description\":\"new\","
                 "\"received_at\":%lld,\"feedback_due\":%lld,\"state\":\"received\"}}]}",
                 R, R + 86400);
        CHECK_INT(push(s, body, &res), HQ_OK);
        snprintf(body, sizeof body,
                 "{\"device_id\":\"devnorth\",\"epoch\":1,\"records\":["
                 "{\"seq\":7,\"type\":\"complaint\",\"v\":1,\"record\":{\"id\":4,"
                 "\"ref\":\"20261002000031\",\"category\":\"staff\",\"description\":\"old\","
                 "\"received_at\":%lld,\"feedback_due\":%lld,\"state\":\"received\"}}]}",
                 R - 60, R - 60 + 86400);
        CHECK_INT(push(s, body, &res), HQ_OK);
        CHECK_INT(res.applied, 1);
        CHECK_INT(s->ops->complaint_list(s, NULL, NULL, 100, pick_complaint, &k), HQ_OK);
        CHECK_STR(k.category, "queue");
        CHECK_STR(k.description, "new");
        CHECK(k.received_at == R);
    }

    /* Two more kiosks with 1500 audit lines each: the replay reads the log in
     * pages of 2000, one page ending inside a device and another starting
     * with one device and going on with the next. */
    for (int d = 0; d < 2; d++) {
        char dev[16];
        snprintf(dev, sizeof dev, "devbulk%d", d);
        CHECK_INT(s->ops->device_register(s, dev, "Bulk", pk, 1), HQ_OK);
        for (int b = 0; b < 3; b++) {
            char *p = body + sprintf(body, "{\"device_id\":\"%s\",\"epoch\":1,\"records\":[", dev);
            for (int i = 0; i < 500; i++) {
                int seq = b * 500 + i + 1;
                p += sprintf(p, "%s{\"seq\":%d,\"type\":\"audit\",\"v\":1,\"record\":{\"id\":%d,"
                                "\"at\":%d,\"actor\":\"a\",\"action\":\"x\"}}",
                             i ? "," : "", seq, seq, 1000 + seq);
            }
            sprintf(p, "]}");
            CHECK_INT(push(s, body, &res), HQ_OK);
        }
    }

    /* ---- a replay of the log equals what the pushes built ---- */
    hq_store_close(s);
    CHECK_INT(h_state_replay_check(db, &rows), 0);
    CHECK(rows >= 3020);
    /* The replay sets a complaint's kiosk-owned fields from the log: a row
     * that disagrees with its newest version is found, and put right. */
    if (h_hq_is_sqlite(db)) {
        sqlite3 *raw = NULL;
        CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
        CHECK_INT(sqlite3_exec(raw, "UPDATE complaint SET category = 'staff' WHERE ref ="
                                    " '20261002000031'", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        CHECK_INT(h_state_replay_check(db, NULL), -1);
        CHECK_INT(h_state_replay_check(db, NULL), 0);
    }
    CHECK_INT(hq_store_open(db, &s, err, sizeof err), HQ_OK);

    /* ---- reports ---- */
    cJSON *rep = NULL, *n, *w, *tot;
    CHECK_INT(hq_report_build(s, "day", "2026-11-23", NULL, &rep, err, sizeof err), HQ_OK);
    n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "branches"),
                                         "North");
    w = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "branches"),
                                         "West");
    tot = cJSON_GetObjectItemCaseSensitive(rep, "total");
    CHECK(n && w && tot);
    /* North: tickets 1 (done), 2 (no-show), 3 (done), 5 (cancelled) of day 23 */
    CHECK(num(n, "tickets.issued") == 4);
    CHECK(num(n, "tickets.served") == 2);
    CHECK(num(n, "tickets.no_show") == 1);
    CHECK(num(n, "tickets.cancelled") == 1);
    CHECK(num(n, "tickets.no_show_rate") == 0.333);
    CHECK(num(n, "tickets.wait_s.p50") == 60);  /* waits 30, 60, 120 */
    CHECK(num(n, "tickets.wait_s.p90") == 120);
    CHECK(num(n, "tickets.wait_s.max") == 120);
    CHECK(num(n, "tickets.wait_s.avg") == 70);
    CHECK(num(n, "tickets.service_s.p50") == 300); /* 300, 600 */
    CHECK(num(n, "tickets.busiest_hour.hour") == 10); /* Shanghai time */
    CHECK(num(n, "tickets.busiest_hour.tickets") == 3);
    CHECK(num(n, "services.A.tickets.issued") == 2);
    CHECK(num(n, "services.B.tickets.issued") == 2);
    CHECK(num(n, "services.B.tickets.served") == 1);
    CHECK(num(n, "visitors.total") == 2);
    CHECK(num(n, "visitors.avg_stay_s") == 1800);
    CHECK(num(n, "ratings.total") == 2); /* ticket 4 is day 22's */
    CHECK(num(n, "ratings.excellent") == 1);
    CHECK(num(n, "ratings.good") == 1);
    CHECK(num(n, "ratings.poor") == 0);
    CHECK(num(n, "ratings.attitude.good") == 2);
    CHECK(num(n, "ratings.result.poor") == 1);
    CHECK(num(n, "ratings.service.score") == 83.3); /* (3 + 2) / 6 */
    CHECK(num(n, "complaints.total") == 2);           /* c1, c2; c3 is day 22's */
    CHECK(num(n, "complaints.by_category.wait") == 1);
    CHECK(num(n, "complaints.by_category.staff") == 1);
    CHECK(num(n, "complaints.closed") == 1);
    CHECK(num(n, "complaints.valid") == 1);
    CHECK(num(n, "complaints.unassessed") == 1);
    CHECK(num(n, "complaints.by_severity.ordinary") == 1);
    CHECK(num(n, "complaints.feedback_24h") == 1);
    CHECK(num(n, "complaints.feedback_24h_share") == 0.5);
    CHECK(num(n, "complaints.first_response_p50_s") == 3600);
    CHECK(num(n, "complaints.close_p50_s") == 2 * 86400);
    CHECK(num(n, "day_turnover_hour") == 4);
    /* West: New York, the turnover at midnight; 10 tickets, 6 no-shows */
    CHECK(num(w, "tickets.issued") == 10);
    CHECK(num(w, "tickets.no_show") == 6);
    CHECK(num(w, "tickets.wait_s.p50") == 300);
    CHECK(num(w, "tickets.busiest_hour.hour") == 9);
    CHECK(is_null(w, "tickets.service_s.p50"));
    CHECK(num(w, "complaints.total") == 0);
    CHECK(num(tot, "tickets.issued") == 14);
    CHECK(num(tot, "tickets.no_show") == 7);
    CHECK(num(tot, "services.A.tickets.issued") == 7);
    CHECK(num(tot, "tickets.busiest_hour.hour") == 9); /* all 10 of West's tickets at 9:xx */
    CHECK(num(tot, "ratings.total") == 2);
    CHECK(num(tot, "complaints.total") == 2);
    cJSON_Delete(rep);

    /* The month counts day 22 too; one branch alone; CSV; refusals. */
    CHECK_INT(hq_report_build(s, "month", "2026-11", "North", &rep, err, sizeof err), HQ_OK);
    n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "branches"),
                                         "North");
    CHECK(num(n, "tickets.issued") == 5);
    CHECK(num(n, "ratings.total") == 3);
    CHECK(num(n, "complaints.total") == 3);
    CHECK(num(n, "visitors.total") == 3);
    CHECK(!cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "branches"),
                                            "West"));
    CHECK(num(cJSON_GetObjectItemCaseSensitive(rep, "total"), "tickets.issued") == 5);
    {
        char *csv = hq_report_csv(rep);
        CHECK(csv && strncmp(csv, "branch,service,tickets.issued,", 30) == 0);
        CHECK(csv && strstr(csv, "\n\"North\",\"A\",3,2,1,0,0.333,") != NULL);
        free(csv);
    }
    cJSON_Delete(rep);
    CHECK_INT(hq_report_build(s, "month", "2026-12", NULL, &rep, err, sizeof err), HQ_OK);
    CHECK(num(cJSON_GetObjectItemCaseSensitive(rep, "total"), "tickets.issued") == 0);
    CHECK(is_null(cJSON_GetObjectItemCaseSensitive(rep, "total"), "tickets.wait_s.p50"));
    cJSON_Delete(rep);
    CHECK_INT(hq_report_build(s, "day", "2026-02-30", NULL, &rep, err, sizeof err),
              HQ_E_INVALID);
    CHECK_INT(hq_report_build(s, "month", "2026-13", NULL, &rep, err, sizeof err),
              HQ_E_INVALID);
    CHECK_INT(hq_report_build(s, "week", "2026-11-23", NULL, &rep, err, sizeof err),
              HQ_E_INVALID);
    CHECK_INT(hq_report_build(s, "day", "2026-11-23", "Nowhere", &rep, err, sizeof err),
              HQ_E_NOTFOUND);

    /* A report reads one snapshot: a push that commits (through another
     * handle, not blocked by the report) after the report read the tickets
     * and before it reads the visitors is in none of its figures. */
    {
        static struct hq_store_ops mid;
        const struct hq_store_ops *real = s->ops;
        mid = *real;
        mid.state_each = state_each_then_push;
        mid_real = real;
        mid_db = db;
        mid_pushed = 0;
        s->ops = &mid;
        int rc = hq_report_build(s, "day", "2026-11-23", "North", &rep, err, sizeof err);
        s->ops = real;
        CHECK_INT(rc, HQ_OK);
        CHECK_INT(mid_pushed, 1);
        n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "branches"),
                                             "North");
        CHECK(num(n, "tickets.issued") == 4);
        CHECK(num(n, "visitors.total") == 2);
        CHECK(num(n, "complaints.total") == 2);
        cJSON_Delete(rep);
        CHECK_INT(hq_report_build(s, "day", "2026-11-23", "North", &rep, err, sizeof err), HQ_OK);
        n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "branches"),
                                             "North");
        CHECK(num(n, "visitors.total") == 3);
        CHECK(num(n, "complaints.total") == 3);
        cJSON_Delete(rep);
    }

    /* The CLI: stats --json and report --json read the same store. */
    hq_store_close(s);
    {
        char args[1024], line[512];
        snprintf(args, sizeof args, "--db '%s' rebuild", db);
        CHECK_INT(h_hq_cmd(args, line, sizeof line), 0);
        CHECK(strstr(line, "skipped 0") != NULL);
        snprintf(args, sizeof args, "--db '%s' report day 2026-11-23 --branch West --csv", db);
        CHECK_INT(h_hq_cmd(args, line, sizeof line), 0);
        CHECK(strncmp(line, "branch,service,", 15) == 0);
        snprintf(args, sizeof args, "--db '%s' report day 2026-11-31", db);
        CHECK_INT(h_hq_cmd(args, NULL, 0), 2);
    }
    h_rmdir();
    return check_summary();
}
