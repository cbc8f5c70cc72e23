/* test_hq_store.c - the contract of hq_store.h, for any backend: run with no
 * argument it tests SQLite in a temporary file; with a DSN (e.g.
 * postgresql://...) it tests that database, which must be empty. Tokens,
 * devices, nonces, push apply (new streams, epoch_start, duplicates, gaps
 * that write nothing, quarantine, complaint fields owned by head office),
 * pull paging, the complaint workflow, records, stats, rollback, and two
 * handles pushing the same stream from two threads at once. */
#include "check.h"
#include "harness.h"
#include "hq_complaint.h"
#include "fderr.h"
#include "hq_state.h"

#include <pthread.h>

static const unsigned char pk[HQ_PUBKEY_BYTES] = {1, 2, 3};

static int count_cb(void *ctx, const struct hq_held *h)
{
    (void)h;
    (*(long long *)ctx)++;
    return 0;
}

static long long held(struct hq_store *s, const char *dev, long long epoch)
{
    long long n = 0;
    CHECK_INT(s->ops->records(s, dev, epoch, 0, 1 << 30, count_cb, &n), HQ_OK);
    return n;
}

/* A batch of audit rows first..first+n-1 (texts live in a static pool),
 * each with its current-state row as hq_push_parse would make it. */
static struct hq_record recs[600];
static char texts[600][96];
static cJSON *trees[600];
static struct hq_state_row rows[600];

static struct hq_batch mk(const char *dev, long long epoch, long long first, int n)
{
    for (int i = 0; i < n; i++) {
        snprintf(texts[i], sizeof texts[i], "{\"id\":%lld,\"at\":1,\"actor\":\"a\",\"action\":\"x\"}",
                 first + i);
        cJSON_Delete(trees[i]);
        trees[i] = cJSON_Parse(texts[i]);
        if (hq_state_parse(hq_state_for_type("audit"), trees[i], &rows[i]) != NULL)
            abort();
        rows[i].device_id = dev;
        rows[i].epoch = epoch;
        rows[i].seq = first + i;
        recs[i] = (struct hq_record){first + i, "audit", 1, texts[i], NULL, NULL, &rows[i]};
    }
    return (struct hq_batch){dev, epoch, 0, 0, 1000, recs, (size_t)n};
}

static int push(struct hq_store *s, struct hq_batch *b, struct hq_push_result *r)
{
    int rc = s->ops->begin(s);
    if (rc == HQ_OK)
        rc = s->ops->push_apply(s, b, r);
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    else
        s->ops->rollback(s);
    return rc;
}

struct pulled {
    int n;
    char last_kind[16], last_key[64], last_value[512];
};

static int pull_cb(void *ctx, const struct hq_change *c)
{
    struct pulled *p = ctx;
    p->n++;
    snprintf(p->last_kind, sizeof p->last_kind, "%s", c->kind);
    snprintf(p->last_key, sizeof p->last_key, "%s", c->key);
    snprintf(p->last_value, sizeof p->last_value, "%s", c->value);
    return 0;
}

static int cmp_cb(void *ctx, const struct hq_complaint *c)
{
    struct hq_complaint *out = ctx;
    static char state[32], dept[64], sev[16], br[64];
    *out = *c;
    snprintf(br, sizeof br, "%s", c->branch);
    out->branch = br;
    snprintf(state, sizeof state, "%s", c->state);
    snprintf(dept, sizeof dept, "%s", c->department ? c->department : "");
    snprintf(sev, sizeof sev, "%s", c->severity ? c->severity : "");
    out->state = state;
    out->department = dept;
    out->severity = sev;
    return 0;
}

static int dev_cb(void *ctx, const struct hq_dev_stat *d)
{
    (void)d;
    (*(int *)ctx)++;
    return 0;
}

static int type_cb(void *ctx, const struct hq_type_stat *t)
{
    if (strcmp(t->type, "audit") == 0)
        *(long long *)ctx += t->records;
    return 0;
}

/* Two threads push the same stream in 40 overlapping batches each. */
struct racer {
    const char *dsn;
    int id;
    int errors;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct hq_store *s = NULL;
    char err[256];
    static struct hq_record rr[2][50];
    static char tx[2][50][96];
    if (hq_store_open(r->dsn, &s, err, sizeof err) != HQ_OK) {
        r->errors++;
        return NULL;
    }
    for (int b = 0; b < 40; b++) {
        long long first = 1 + b * 25; /* overlaps the previous batch by half */
        struct hq_push_result res;
        for (int i = 0; i < 50; i++) {
            snprintf(tx[r->id][i], sizeof tx[r->id][i], "{\"id\":%lld}", first + i);
            rr[r->id][i] = (struct hq_record){first + i, "audit", 1, tx[r->id][i], NULL, NULL, NULL};
        }
        struct hq_batch bt = {"racedev", 1, 0, 0, 1000, rr[r->id], 50};
        int rc;
        for (int tries = 0; tries < 200; tries++) {
            rc = push(s, &bt, &res);
            if (rc != HQ_E_BUSY && rc != HQ_E_GAP)
                break;
            usleep(1000); /* the other thread is ahead or behind: retry */
        }
        if (rc != HQ_OK)
            r->errors++;
    }
    hq_store_close(s);
    return NULL;
}

int main(int argc, char **argv)
{
    struct hq_store *s = NULL;
    struct hq_push_result r;
    struct hq_device d;
    struct hq_batch b;
    char dsn[512], err[512], branch[HQ_BRANCH_MAX + 1];
    unsigned char h1[HQ_HASH_BYTES] = {9}, h2[HQ_HASH_BYTES] = {8};

    h_mkdir("store");
    if (argc > 1)
        snprintf(dsn, sizeof dsn, "%s", argv[1]);
    else
        h_path(dsn, sizeof dsn, "hq.sqlite");
    CHECK_INT(hq_store_open(dsn, &s, err, sizeof err), HQ_OK);
    if (!s) {
        fprintf(stderr, "%s\n", err);
        return check_summary();
    }
    printf("backend: %s\n", s->ops->name);

    /* Tokens: once, not expired. */
    CHECK_INT(s->ops->token_create(s, h1, "North", 100, 200), HQ_OK);
    CHECK_INT(s->ops->token_create(s, h2, "South", 100, 150), HQ_OK);
    CHECK_INT(s->ops->token_consume(s, h2, 160, branch), HQ_E_NOTFOUND); /* expired */
    CHECK_INT(s->ops->token_consume(s, h1, 120, branch), HQ_OK);
    CHECK_STR(branch, "North");
    CHECK_INT(s->ops->token_consume(s, h1, 121, branch), HQ_E_NOTFOUND); /* used */

    /* Devices. */
    CHECK_INT(s->ops->device_register(s, "dev1", "North", pk, 120), HQ_OK);
    CHECK_INT(s->ops->device_register(s, "dev1", "North", pk, 121), HQ_E_EXISTS);
    CHECK_INT(s->ops->device_register(s, "dev2", "South", pk, 122), HQ_OK);
    CHECK_INT(s->ops->device_lookup(s, "dev1", &d), HQ_OK);
    CHECK_STR(d.branch, "North");
    CHECK(memcmp(d.pubkey, pk, sizeof pk) == 0);
    CHECK_INT(d.revoked_at, 0);
    CHECK_INT(s->ops->device_lookup(s, "nope", &d), HQ_E_NOTFOUND);
    CHECK_INT(s->ops->device_revoke(s, "dev2", 130), HQ_OK);
    CHECK_INT(s->ops->device_lookup(s, "dev2", &d), HQ_OK);
    CHECK_INT(d.revoked_at, 130);
    CHECK_INT(s->ops->device_revoke(s, "nope", 130), HQ_E_NOTFOUND);

    /* Nonces. */
    CHECK_INT(s->ops->nonce_put(s, "dev1", "n1", 1000), HQ_OK);
    CHECK_INT(s->ops->nonce_put(s, "dev1", "n1", 1000), HQ_E_EXISTS);
    CHECK_INT(s->ops->nonce_put(s, "dev2", "n1", 1000), HQ_OK);
    CHECK_INT(s->ops->nonce_prune(s, 1001), HQ_OK);
    CHECK_INT(s->ops->nonce_put(s, "dev1", "n1", 1002), HQ_OK);

    /* Push: a new stream starts at 1; duplicates ignored; a gap writes nothing. */
    b = mk("dev1", 1, 1, 10);
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(r.high, 10);
    CHECK_INT(r.applied, 10);
    b = mk("dev1", 1, 6, 10);
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(r.high, 15);
    CHECK_INT(r.ignored, 5);
    CHECK_INT(r.applied, 5);
    b = mk("dev1", 1, 1, 15);
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(r.applied, 0);
    CHECK_INT(r.high, 15);
    b = mk("dev1", 1, 20, 5);
    CHECK_INT(push(s, &b, &r), HQ_E_GAP);
    CHECK_INT(r.expected, 16);
    CHECK_INT(held(s, "dev1", 1), 15);
    /* A new epoch without epoch_start must start at 1 ... */
    b = mk("dev1", 2, 30, 3);
    CHECK_INT(push(s, &b, &r), HQ_E_GAP);
    CHECK_INT(r.expected, 1);
    /* ... or where the kiosk says; epoch_start is ignored for a known stream. */
    b.epoch_start = 30;
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(r.high, 32);
    b = mk("dev1", 2, 40, 3);
    b.epoch_start = 40;
    CHECK_INT(push(s, &b, &r), HQ_E_GAP);
    CHECK_INT(r.expected, 33);
    /* An in-batch gap keeps the contiguous head. */
    b = mk("dev1", 1, 16, 6);
    recs[3].seq = 30;
    recs[4].seq = 31;
    recs[5].seq = 32;
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(r.high, 18);
    CHECK_INT(r.applied, 3);
    CHECK_INT(held(s, "dev1", 1), 18);
    CHECK_INT(held(s, "dev1", 0), 21);

    /* Quarantine: stored apart, acknowledged, listed as quarantined. */
    b = mk("dev1", 1, 19, 2);
    recs[1].quarantine = "unsupported schema version";
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(r.high, 20);
    CHECK_INT(r.quarantined, 1);
    CHECK_INT(held(s, "dev1", 1), 20);

    /* Rollback discards a push. */
    b = mk("dev1", 1, 21, 5);
    CHECK_INT(s->ops->begin(s), HQ_OK);
    CHECK_INT(s->ops->push_apply(s, &b, &r), HQ_OK);
    CHECK_INT(s->ops->rollback(s), HQ_OK);
    CHECK_INT(held(s, "dev1", 1), 20);

    /* Complaints: the first version sets everything; later ones only the
     * kiosk-owned fields (the kiosk's echo of a status is harmless). */
    struct hq_complaint kc = {0};
    kc.ref = "20261123000001";
    kc.category = "service";
    kc.description = "slow";
    kc.received_at = 500;
    kc.feedback_due = 500 + 86400;
    kc.state = "received";
    kc.valid = -1;
    char cj[] = "{\"id\":1,\"ref\":\"20261123000001\"}";
    struct hq_record crec = {21, "complaint", 1, cj, NULL, &kc, NULL};
    b = (struct hq_batch){"dev1", 1, 0, 3, 600, &crec, 1};
    CHECK_INT(push(s, &b, &r), HQ_OK);
    long long cid = 0;
    struct hq_complaint got;
    CHECK_INT(s->ops->complaint_list(s, NULL, NULL, 10, cmp_cb, &got), HQ_OK);
    cid = got.id;
    CHECK(cid > 0);
    CHECK_STR(got.state, "received");
    CHECK_STR(got.branch, "North");
    struct hq_advance adv = {"assessed", "serious", 1, NULL, NULL, NULL, NULL, "hq:x", "n"};
    CHECK_INT(hq_complaint_advance(s, cid, &adv, 700, err, sizeof err), HQ_OK);
    kc.state = "received"; /* the kiosk's echo, still saying received */
    kc.description = "slow, and rude";
    crec.seq = 22;
    CHECK_INT(push(s, &b, &r), HQ_OK);
    CHECK_INT(s->ops->complaint_get(s, cid, cmp_cb, &got), HQ_OK);
    CHECK_STR(got.state, "assessed");
    CHECK_STR(got.severity, "serious");
    CHECK_INT(got.valid, 1);
    CHECK_INT(s->ops->complaint_get(s, 999999, cmp_cb, &got), HQ_E_NOTFOUND);
    /* a statistics category no kiosk knows, or a department longer than a
     * kiosk holds (41 characters of Chinese: 123 bytes), would be refused
     * at the branch's pull: head office refuses them first, naming them */
    struct fd_err why = {0};
    struct hq_advance bad = {"closed", NULL, -1, NULL, NULL, "x", "y", "hq:x", NULL};
    CHECK_INT(hq_complaint_advance_s(s, cid, &bad, NULL, 701, err, sizeof err, &why),
              HQ_E_INVALID);
    CHECK_STR(why.field, "stat_category");
    CHECK_INT(why.code, FD_EINVAL);
    char dept[41 * 3 + 1] = "";
    for (int i = 0; i < 41; i++)
        strcat(dept, "部");
    struct hq_advance wide = {"investigating", NULL, -1, dept, NULL, NULL, NULL, "hq:x", NULL};
    CHECK_INT(hq_complaint_advance_s(s, cid, &wide, NULL, 701, err, sizeof err, &why),
              HQ_E_INVALID);
    CHECK_STR(why.field, "department");
    CHECK_INT(why.limit, 40);
    struct hq_advance closed = {"closed", NULL, -1, NULL, NULL, "x", NULL, "hq:x", NULL};
    CHECK_INT(hq_complaint_advance_s(s, cid, &closed, NULL, 701, err, sizeof err, &why),
              HQ_E_INVALID); /* closing needs a category */
    CHECK_STR(why.field, "stat_category");
    CHECK_INT(why.code, FD_ESTATE);
    struct hq_advance skip = {"closed", NULL, -1, NULL, NULL, "x", "waiting", "hq:x", NULL};
    CHECK_INT(hq_complaint_advance(s, cid, &skip, 701, err, sizeof err), HQ_OK); /* assessed->closed ok */
    struct hq_advance back = {"investigating", NULL, -1, "Ops", NULL, NULL, NULL, "hq:x", NULL};
    CHECK_INT(hq_complaint_advance(s, cid, &back, 702, err, sizeof err), HQ_E_INVALID);
    CHECK_INT(s->ops->complaint_list(s, "closed", "North", 10, cmp_cb, &got), HQ_OK);
    CHECK_STR(got.state, "closed");

    /* Pull: dev1 sees its complaint changes and North + global config, in
     * order, paged; dev2 (South) sees only the global config. */
    CHECK_INT(s->ops->config_set(s, NULL, "opening_hours", "\"08:30-17:00\"", 800), HQ_OK);
    CHECK_INT(s->ops->config_set(s, "North", "branch_name", "\"North 1\"", 801), HQ_OK);
    CHECK_INT(s->ops->config_set(s, "South", "branch_name", "\"South 1\"", 802), HQ_OK);
    struct pulled p = {0};
    long long next = 0;
    int more = 0;
    CHECK_INT(s->ops->pull(s, "dev1", 0, 3, pull_cb, &p, &next, &more), HQ_OK);
    CHECK_INT(p.n, 3);
    CHECK_INT(more, 1);
    CHECK_STR(p.last_kind, "config");
    long long c1 = next;
    memset(&p, 0, sizeof p);
    CHECK_INT(s->ops->pull(s, "dev1", c1, 3, pull_cb, &p, &next, &more), HQ_OK);
    CHECK_INT(p.n, 1);
    CHECK_INT(more, 0);
    CHECK_STR(p.last_key, "branch_name");
    CHECK(strstr(p.last_value, "North 1") != NULL);
    memset(&p, 0, sizeof p);
    CHECK_INT(s->ops->pull(s, "dev2", 0, 100, pull_cb, &p, &next, &more), HQ_OK);
    CHECK_INT(p.n, 2);
    memset(&p, 0, sizeof p);
    CHECK_INT(s->ops->pull(s, "dev1", 0, 100, pull_cb, &p, &next, &more), HQ_OK);
    CHECK_INT(p.n, 4);
    {
        /* The first complaint change carries the assessment. */
        struct pulled q = {0};
        long long n2;
        int m2;
        CHECK_INT(s->ops->pull(s, "dev1", 0, 1, pull_cb, &q, &n2, &m2), HQ_OK);
        CHECK_STR(q.last_kind, "complaint");
        CHECK_STR(q.last_key, "20261123000001");
        cJSON *v = cJSON_Parse(q.last_value);
        CHECK(v && strcmp(cJSON_GetObjectItem(v, "state")->valuestring, "assessed") == 0);
        CHECK(v && strcmp(cJSON_GetObjectItem(v, "from")->valuestring, "received") == 0);
        CHECK(v && cJSON_GetObjectItem(v, "valid")->valueint == 1);
        cJSON_Delete(v);
    }

    /* Stats and totals. */
    int devs = 0;
    long long audit = 0;
    struct hq_totals t;
    CHECK_INT(s->ops->stats(s, dev_cb, NULL, &devs), HQ_OK);
    CHECK_INT(devs, 2);
    CHECK_INT(s->ops->stats(s, NULL, type_cb, &audit), HQ_OK);
    CHECK_INT(audit, 22); /* epoch 1: 19 (one quarantined), epoch 2: 3 */
    CHECK_INT(s->ops->totals(s, &t), HQ_OK);
    CHECK_INT(t.devices, 2);
    CHECK_INT(t.quarantined, 1);
    CHECK_INT(t.records, 24); /* and 2 complaint versions */
    CHECK_INT(t.complaints_open, 0);
    CHECK_INT(s->ops->device_lookup(s, "dev1", &d), HQ_OK);
    CHECK_INT(d.last_push, 600);
    CHECK_INT(d.backlog, 3);

    /* Two handles, two threads, the same stream, overlapping batches. */
    CHECK_INT(s->ops->device_register(s, "racedev", "North", pk, 900), HQ_OK);
    {
        pthread_t th[2];
        struct racer rc[2] = {{dsn, 0, 0}, {dsn, 1, 0}};
        for (int i = 0; i < 2; i++)
            pthread_create(&th[i], NULL, race, &rc[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        CHECK_INT(rc[0].errors + rc[1].errors, 0);
        CHECK_INT(held(s, "racedev", 1), 1 + 39 * 25 + 49);
    }

    hq_store_close(s);
    h_rmdir();
    return check_summary();
}
