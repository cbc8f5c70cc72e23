/* test_hq_report_e2e.c - head office's day report equals each kiosk's own.
 * Two real kiosk stores (core's migrations and write paths, demo services) in
 * two branches and two time zones (head office configures West for New York
 * with the business day turning at midnight; the kiosk pulls it), real sync
 * over loopback HTTP to frontdesk-hq serve, then for every business day the
 * kiosks hold: `frontdesk-ctl --json report day D` on the kiosk equals
 * `frontdesk-hq report day D --branch B --json` figure by figure, the admin
 * API answers the same report, and all branches together add up. Runs on
 * PostgreSQL too (FDHQ_TEST_DB). */
#include "check.h"
#include "complaint.h"
#include "demo.h"
#include "harness.h"
#include "hq_complaint.h"
#include "queue.h"
#include "rating.h"
#include "store.h"
#include "sync.h"
#include "visitor.h"
#include "bday.h"
#include "config.h"

#include <curl/curl.h>
#include <math.h>

static struct h_server srv;

/* A day at a kiosk through core, as the screens do it: n visitors take
 * tickets; most are served, some do not come, some leave; some register a
 * visit (and most sign out), some rate, some complain. */
static int core_day(struct fd_store *st, int n, int64_t now, int seed)
{
    static const char *const codes[] = {"A", "B", "C", "V"};
    struct fd_err e;
    struct queue_ticket t;
    int rc = 0;
    /* One business day: a turn inside the stretch restarts the numbering. */
    now = bday_fit(now, (int64_t)n * 40 + 800, (int)cfg_get_int(st, "day_turnover_hour"));
    for (int c = 1; c <= 4; c++) /* whatever the demo left at the counters */
        queue_finish(st, c, "staff", now, &t, &e);
    for (int i = 0; i < n; i++) {
        int64_t at = now + i * 40;
        const char *code = codes[(i + seed) % 4];
        int counter = code[0] == 'V' ? 4 : code[0] == 'C' ? 2 : 1;
        if ((rc = queue_take(st, code, 0, at, &t, &e)) != 0)
            goto fail;
        if (i % 9 == 4) { /* left before being called */
            if ((rc = queue_cancel(st, t.id, "visitor", at + 5, &e)) != 0)
                goto fail;
            continue;
        }
        if ((rc = queue_call_next(st, counter, "staff", at + 10 + (i * 7 + seed) % 50, &t, &e)) !=
            0)
            goto fail;
        if (i % 6 == 1) { /* did not come */
            if ((rc = queue_noshow(st, counter, "staff", at + 70, &t, &e)) != 0)
                goto fail;
            continue;
        }
        if ((rc = queue_serve(st, counter, "staff", at + 70, &t, &e)) != 0 ||
            (rc = queue_finish(st, counter, "staff", at + 90 + (i * 13) % 40, &t, &e)) != 0)
            goto fail;
        if (i % 3 == 0) {
            char name[32];
            struct visitor v;
            struct visitor_in in = {name, "13800138000", "ACME", 0, "李娜", "会议"};
            snprintf(name, sizeof name, "访客%d", i);
            if ((rc = visitor_sign_in(st, &in, at, &v, &e)) != 0)
                goto fail;
            if (i % 2 == 0 && (rc = visitor_sign_out(st, v.id, "staff", at + 600 + i, &e)) != 0)
                goto fail;
        }
        if (i % 4 == 0) {
            int64_t id;
            int offer;
            if ((rc = rating_add(st, t.id, 1 + i % 4, 1 + (i / 4) % 4, 1 + (i + seed) % 4, "",
                                 at + 120, &id, &offer, &e)) != 0)
                goto fail;
        }
        if (i % 7 == 0) {
            struct complaint_in in = {complaint_category(i % 3), "等了太久", "", "", 0, t.id};
            if ((rc = complaint_file(st, &in, at + 150, NULL, &e)) != 0)
                goto fail;
        }
    }
    return 0;
fail:
    fprintf(stderr, "core: %s\n", e.msg);
    return rc;
}

/* Runs a command and returns all it printed (malloc'd), exit status in *st. */
static char *run_all(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int c, st;
    if (!p)
        return NULL;
    while ((c = fgetc(p)) != EOF) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
        }
        buf[n++] = (char)c;
    }
    if (buf)
        buf[n] = '\0';
    st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

static const cJSON *at(const cJSON *o, const char *path)
{
    char part[64];
    const char *p = path;
    while (o && *p) {
        size_t k = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)k, p);
        o = cJSON_GetObjectItemCaseSensitive(o, part);
        p += k + (p[k] == '.');
    }
    return o;
}

/* The kiosk's figure kpath equals head office's hpath (both null, or equal
 * numbers). Returns 1 when equal; prints the difference otherwise. */
static int same(const char *what, const cJSON *k, const char *kpath, const cJSON *h,
                const char *hpath)
{
    const cJSON *a = at(k, kpath), *b = at(h, hpath);
    int ok = (!a || cJSON_IsNull(a)) ? (!b || cJSON_IsNull(b))
                                     : (cJSON_IsNumber(a) && cJSON_IsNumber(b) &&
                                        fabs(a->valuedouble - b->valuedouble) < 1e-9);
    if (!ok)
        fprintf(stderr, "%s: kiosk %s = %g, head office %s = %g\n", what, kpath,
                cJSON_IsNumber(a) ? a->valuedouble : -1, hpath,
                cJSON_IsNumber(b) ? b->valuedouble : -1);
    return ok;
}

/* Compares one kiosk's day report with head office's for its branch. */
static int compare_day(const char *kdb, const char *hqdb, const char *branch, const char *day,
                       long long *tickets)
{
    char cmd[2048];
    char *ktxt, *htxt;
    int st1 = -1, st2 = -1, bad = 0;
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' --json report day %s", FDCTL_BIN, kdb, day);
    ktxt = run_all(cmd, &st1);
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' report day %s --branch '%s' --json", FDHQ_BIN,
             hqdb, day, branch);
    htxt = run_all(cmd, &st2);
    cJSON *k = ktxt ? cJSON_Parse(ktxt) : NULL, *hr = htxt ? cJSON_Parse(htxt) : NULL;
    const cJSON *h = at(hr, "branches");
    h = h ? cJSON_GetObjectItemCaseSensitive(h, branch) : NULL;
    if (st1 != 0 || st2 != 0 || !k || !h) {
        fprintf(stderr, "report %s %s: ctl %d, hq %d\n%s\n%s\n", branch, day, st1, st2,
                ktxt ? ktxt : "", htxt ? htxt : "");
        bad = 1;
        goto out;
    }
    static const char *const pairs[][2] = {
        {"tickets", "tickets.issued"},          {"served", "tickets.served"},
        {"noshow", "tickets.no_show"},          {"cancelled", "tickets.cancelled"},
        {"noshow_rate", "tickets.no_show_rate"}, {"wait_avg_s", "tickets.wait_s.avg"},
        {"wait_max_s", "tickets.wait_s.max"},   {"service_avg_s", "tickets.service_s.avg"},
        {"visitors", "visitors.total"},         {"complaints", "complaints.total"},
        {"complaints_serious", "complaints.by_severity.serious"},
        {"ratings", "ratings.total"},           {"rating_service.excellent", "ratings.excellent"},
        {"rating_service.good", "ratings.good"}, {"rating_service.fair", "ratings.fair"},
        {"rating_service.poor", "ratings.poor"},
        {"rating_attitude_avg", "ratings.attitude.avg_level"},
        {"rating_result_avg", "ratings.result.avg_level"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        bad += !same(branch, k, pairs[i][0], h, pairs[i][1]);
    /* per service */
    const cJSON *svc;
    int nsvc = 0;
    cJSON_ArrayForEach(svc, at(k, "by_service")) {
        char p[96];
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(svc, "code"));
        static const char *const sk[] = {"tickets", "served", "noshow", "wait_avg_s",
                                         "wait_max_s", "service_avg_s"};
        static const char *const sh[] = {"issued", "served", "no_show", "wait_s.avg",
                                         "wait_s.max", "service_s.avg"};
        nsvc++;
        for (int j = 0; j < 6; j++) {
            snprintf(p, sizeof p, "services.%s.tickets.%s", code ? code : "?", sh[j]);
            bad += !same(code ? code : "?", svc, sk[j], h, p);
        }
    }
    if (nsvc != cJSON_GetArraySize(at(h, "services"))) {
        fprintf(stderr, "%s: %d services at the kiosk, %d at head office\n", branch, nsvc,
                cJSON_GetArraySize(at(h, "services")));
        bad++;
    }
    /* complaints by category */
    const cJSON *cat;
    int ncat = 0;
    cJSON_ArrayForEach(cat, at(k, "complaints_by_category")) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(at(h, "complaints.by_category"),
                                                          cat->string);
        ncat++;
        if (!cJSON_IsNumber(o) || o->valuedouble != cat->valuedouble) {
            fprintf(stderr, "%s: complaints of %s differ\n", branch, cat->string);
            bad++;
        }
    }
    if (ncat != cJSON_GetArraySize(at(h, "complaints.by_category")))
        bad++;
    *tickets += (long long)cJSON_GetNumberValue(at(k, "tickets"));
out:
    cJSON_Delete(k);
    cJSON_Delete(hr);
    free(ktxt);
    free(htxt);
    return bad ? -1 : 0;
}

struct resp {
    long status;
    char *body;
    size_t len;
    char ctype[64];
};

static size_t on_body(char *d, size_t s, size_t n, void *ctx)
{
    struct resp *r = ctx;
    char *nb = realloc(r->body, r->len + s * n + 1);
    if (!nb)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, d, s * n);
    r->len += s * n;
    r->body[r->len] = '\0';
    return s * n;
}

static struct resp get(const char *path, const char *token)
{
    struct resp r = {0};
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[512], auth[128];
    char *ct = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", srv.port, path);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
            snprintf(r.ctype, sizeof r.ctype, "%s", ct);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

/* The business days a kiosk's tickets carry, as a list of up to 8. */
static int kiosk_days(sqlite3 *k, char days[8][11])
{
    sqlite3_stmt *q = NULL;
    int n = 0;
    sqlite3_prepare_v2(k, "SELECT DISTINCT bday FROM ticket ORDER BY bday", -1, &q, NULL);
    while (q && sqlite3_step(q) == SQLITE_ROW && n < 8)
        snprintf(days[n++], 11, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return n;
}

static int first_received(void *ctx, const struct hq_complaint *c)
{
    *(long long *)ctx = c->id;
    return 0;
}

int main(void)
{
    const char *token = "report-token-0123456789";
    static const char *const names[2] = {"North", "West"};
    static const char *const zones[2] = {"Asia/Shanghai", "America/New_York"};
    struct fd_store *st[2] = {NULL, NULL};
    sqlite3 *k[2];
    struct sync_result res;
    struct fd_err fe;
    char hqdb[512], kdb[2][512], tokfile[512], url[128], tok[128], err[512];
    /* The kiosks' two hours of work end by 14:00 UTC of today (or of
     * yesterday, before that hour): far from both business days' turns
     * (04:00 Shanghai = 20:00 UTC, midnight New York = 04:00/05:00 UTC), so a
     * ticket is never issued on one business day and called on the next, at
     * whatever hour the test runs. */
    int64_t now = (int64_t)time(NULL);
    now = now - now % 86400 + 14 * 3600 <= now ? now - now % 86400 + 14 * 3600
                                               : now - now % 86400 - 10 * 3600;

    h_mkdir("hqreport");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(tokfile, sizeof tokfile, "admin.token");
    {
        FILE *f = fopen(tokfile, "w");
        fprintf(f, "%s\n", token);
        fclose(f);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, "--admin-token-file", tokfile) == 0);
    h_url(&srv, url, sizeof url);
    {
        /* Head office keeps West on New York time, its day turning at midnight. */
        struct hq_store *hs = NULL;
        CHECK(hq_store_open(hqdb, &hs, err, sizeof err) == HQ_OK);
        CHECK(hs && hs->ops->config_set(hs, "West", "timezone", "\"America/New_York\"", now) ==
                        HQ_OK);
        CHECK(hs && hs->ops->config_set(hs, "West", "day_turnover_hour", "\"0\"", now) == HQ_OK);
        hq_store_close(hs);
    }
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "kiosk%d.sqlite", i);
        h_path(kdb[i], sizeof kdb[i], name);
        CHECK(store_open(kdb[i], &st[i], err, sizeof err) == 0);
        k[i] = st[i] ? store_db(st[i]) : NULL;
        CHECK(k[i] != NULL && h_history(k[i]) == 0); /* the test's copy of the outbox */
        CHECK(h_token(hqdb, names[i], tok, sizeof tok) == 0);
        CHECK_INT(sync_enroll(k[i], url, tok, err, sizeof err), SYNC_OK);
        CHECK_INT(sync_round(k[i], 0, &res, err, sizeof err), SYNC_OK); /* config comes down */
    }
    CHECK_INT(h_int(k[1], "SELECT count(*) FROM config WHERE key = 'timezone'"
                          " AND value = 'America/New_York'"),
              1);
    /* Each kiosk works in its own zone, as its process would (bday_set_zone). */
    for (int i = 0; i < 2; i++) {
        CHECK(bday_set_zone(zones[i], &fe) == 0);
        /* Each kiosk its own terminal number before the demo's complaint:
         * references are unique across branches only with it. */
        char tn[8];
        snprintf(tn, sizeof tn, "%d", i + 1);
        CHECK(cfg_set(st[i], "terminal_no", tn, &fe) == 0);
        CHECK(demo_load(st[i], now - 7200, &fe) == 0);
        CHECK(core_day(st[i], 120, now - 6000, i) == 0);
        CHECK_INT(sync_round(k[i], 0, &res, err, sizeof err), SYNC_OK);
        CHECK_INT(h_int(k[i], "SELECT count(*) FROM outbox"), 0);
    }
    /* Head office answers one North complaint; the status goes down. */
    {
        struct hq_store *hs = NULL;
        long long cid = 0;
        struct hq_advance a1 = {"assessed", "serious", 1, NULL, NULL, NULL, NULL, "hq:li", ""};
        CHECK(hq_store_open(hqdb, &hs, err, sizeof err) == HQ_OK);
        CHECK(hs && hs->ops->complaint_list(hs, "received", "North", 1, first_received, &cid) ==
                        HQ_OK);
        CHECK(cid > 0);
        CHECK_INT(hq_complaint_advance(hs, cid, &a1, now, err, sizeof err), HQ_OK);
        hq_store_close(hs);
        CHECK_INT(sync_round(k[0], 0, &res, err, sizeof err), SYNC_OK);
        CHECK_INT(h_int(k[0], "SELECT count(*) FROM complaint WHERE severity = 'serious'"), 1);
        CHECK_INT(sync_round(k[0], 0, &res, err, sizeof err), SYNC_OK); /* the echo */
    }
    for (int i = 0; i < 2; i++)
        CHECK(h_compare(k[i], hqdb, NULL) == 0); /* and the state equals a replay */

    /* The day report at head office equals each kiosk's, for every day. */
    long long all = 0;
    char days[2][8][11];
    int nd[2];
    for (int i = 0; i < 2; i++) {
        nd[i] = kiosk_days(k[i], days[i]);
        CHECK(nd[i] >= 1);
        for (int d = 0; d < nd[i]; d++)
            CHECK_MSG(compare_day(kdb[i], hqdb, names[i], days[i][d], &all) == 0, "%s %s",
                      names[i], days[i][d]);
    }
    CHECK_INT(all, h_int(k[0], "SELECT count(*) FROM ticket") +
                       h_int(k[1], "SELECT count(*) FROM ticket"));

    /* All branches together add up, and the admin API answers the same. */
    {
        char cmd[1024], path[256];
        int status = -1;
        snprintf(cmd, sizeof cmd, "'%s' --db '%s' report day %s --json", FDHQ_BIN, hqdb,
                 days[0][nd[0] - 1]);
        char *txt = run_all(cmd, &status);
        cJSON *cli = txt ? cJSON_Parse(txt) : NULL;
        CHECK_INT(status, 0);
        CHECK(cli != NULL);
        double sum = 0;
        const cJSON *b;
        cJSON_ArrayForEach(b, at(cli, "branches"))
            sum += cJSON_GetNumberValue(at(b, "tickets.issued"));
        CHECK(sum > 0 && sum == cJSON_GetNumberValue(at(cli, "total.tickets.issued")));
        CHECK(cJSON_GetNumberValue(at(cli, "total.ratings.excellent")) >= 0);
        CHECK(cJSON_IsNumber(at(cli, "total.complaints.total")));

        snprintf(path, sizeof path, "/v1/admin/report?day=%s", days[0][nd[0] - 1]);
        struct resp r = get(path, token);
        cJSON *api = r.body ? cJSON_Parse(r.body) : NULL;
        CHECK_INT(r.status, 200);
        CHECK(api && cli && cJSON_Compare(api, cli, 1));
        cJSON_Delete(api);
        free(r.body);
        r = get(path, NULL);
        CHECK_INT(r.status, 401);
        free(r.body);
        r = get(path, "wrong-token-0123456789");
        CHECK_INT(r.status, 401);
        free(r.body);
        snprintf(path, sizeof path, "/v1/admin/report?month=%.7s&branch=West&format=csv",
                 days[1][0]);
        r = get(path, token);
        CHECK_INT(r.status, 200);
        CHECK(strncmp(r.ctype, "text/csv", 8) == 0);
        CHECK(r.body && strncmp(r.body, "branch,service,tickets.issued", 29) == 0);
        CHECK(r.body && strstr(r.body, "\"West\"") && !strstr(r.body, "\"North\""));
        free(r.body);
        r = get("/v1/admin/report?day=2026-02-30", token);
        CHECK_INT(r.status, 400);
        free(r.body);
        r = get("/v1/admin/report?day=2026-11-23&branch=Nowhere", token);
        CHECK_INT(r.status, 404);
        free(r.body);
        cJSON_Delete(cli);
        free(txt);
    }

    h_server_stop(&srv, 0);
    for (int i = 0; i < 2; i++)
        store_close(st[i]);
    curl_global_cleanup();
    h_rmdir();
    return check_summary();
}
