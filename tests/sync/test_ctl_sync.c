/* test_ctl_sync.c - frontdesk-ctl's sync commands (app/ctl/ctl_sync.c) on a
 * kiosk store opened by core, against a real frontdesk-hq: enroll with the
 * options the operator types, sync status as JSON (backlog, last_success,
 * last_error), sync now (with the kiosk's health record, as the sync worker
 * sends it, reaching head office's fleet view), and the failure paths.
 * ctl.c's helpers are replaced
 * here by small stand-ins that capture the output. */
#include "check.h"
#include "ctl_sync.h"
#include "harness.h"
#include "complaint.h"
#include "config.h"
#include "hq_health.h"
#include "hq_store.h"
#include "sync.h"
#include "queue.h"
#include "demo.h"
#ifdef FD_CTL_PRINT
#include "printq.h"
#endif

#include <stdarg.h>

static char captured[4096]; /* the last JSON object printed */
static int failed_code;

const char *ctl_opt(const struct ctl *c, const char *name)
{
    for (int i = 0; i < c->nopt; i++)
        if (strcmp(c->opt_name[i], name) == 0)
            return c->opt_val[i];
    return NULL;
}

int ctl_fail(const struct ctl *c, int code, const struct fd_err *err)
{
    (void)c;
    failed_code = code;
    snprintf(captured, sizeof captured, "FAIL %s", err ? err->msg : "");
    return code == FD_EDB ? CTL_EDB : CTL_EFAIL;
}

int ctl_usage(const struct ctl *c, const char *fmt, ...)
{
    (void)c;
    (void)fmt;
    return CTL_EUSAGE;
}

void ctl_print_json(cJSON *obj)
{
    char *t = cJSON_PrintUnformatted(obj);
    snprintf(captured, sizeof captured, "%s", t ? t : "");
    cJSON_free(t);
    cJSON_Delete(obj);
}

/* The health head office holds for the only device (fleet view), now. */
struct seen {
    int rows;
    long long health_at, backlog, print_failed;
    int printer_known;
    char version[40];
};

static int fleet_row(void *ctx, const struct hq_fleet_row *r)
{
    struct seen *o = ctx;
    o->rows++;
    o->health_at = r->health_at;
    if (r->health_at > 0) {
        o->backlog = r->h.backlog;
        o->print_failed = r->h.print_failed;
        o->printer_known = r->h.printer_known;
        snprintf(o->version, sizeof o->version, "%s", r->h.app_version);
    }
    return 0;
}

static struct seen fleet(const char *hqdb)
{
    struct seen o;
    struct hq_store *s = NULL;
    char err[256];
    memset(&o, 0, sizeof o);
    o.backlog = -1;
    if (hq_store_open(hqdb, &s, err, sizeof err) == HQ_OK) {
        s->ops->fleet(s, (long long)time(NULL), fleet_row, &o);
        hq_store_close(s);
    }
    return o;
}

/* Head office's fleet view (hq_fleet_collect): its warnings joined by " | ",
 * and how many devices are marked terminal_clash. */
static int fleet_warnings(const char *hqdb, char *out, size_t len)
{
    struct hq_store *s = NULL;
    cJSON *root = NULL, *w;
    char err[256];
    int clash = 0;
    out[0] = '\0';
    if (hq_store_open(hqdb, &s, err, sizeof err) != HQ_OK)
        return -1;
    if (hq_fleet_collect(s, (long long)time(NULL), NULL, &root) == HQ_OK) {
        cJSON_ArrayForEach(w, cJSON_GetObjectItem(root, "warnings"))
            snprintf(out + strlen(out), len - strlen(out), "%s | ", w->valuestring);
        cJSON_ArrayForEach(w, cJSON_GetObjectItem(root, "devices"))
            clash += cJSON_IsTrue(cJSON_GetObjectItem(w, "terminal_clash"));
    }
    cJSON_Delete(root);
    hq_store_close(s);
    return clash;
}

static cJSON *status_json(struct ctl *c)
{
    c->json = 1;
    captured[0] = '\0';
    CHECK_INT(ctl_sync_status(c), CTL_OK);
    return cJSON_Parse(captured);
}

int main(void)
{
    struct h_server srv;
    struct ctl c;
    struct fd_err fe;
    char hqdb[512], kdb[512], url[128], tok[128], err[256];
    cJSON *o;

    h_mkdir("ctl");
    h_path(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    memset(&c, 0, sizeof c);
    c.db_path = kdb;
    CHECK(store_open(kdb, &c.st, err, sizeof err) == 0);
    CHECK(demo_load(c.st, time(NULL), &fe) == 0);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);

    /* Before enrolment: status says so; sync now fails with a reason. */
    o = status_json(&c);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(o, "enrolled")));
    CHECK(cJSON_GetObjectItem(o, "backlog")->valuedouble >= 10);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "last_success")));
    cJSON_Delete(o);
    CHECK_INT(ctl_sync_now(&c), CTL_EFAIL);
    CHECK(strstr(captured, "not enrolled") != NULL);

    /* enroll: options missing, then right. */
    CHECK_INT(ctl_sync_enroll(&c), CTL_EUSAGE);
    CHECK(h_token(hqdb, "CTL", tok, sizeof tok) == 0);
    c.nopt = 2;
    c.opt_name[0] = "hq";
    c.opt_val[0] = url;
    c.opt_name[1] = "token";
    c.opt_val[1] = tok;
    c.json = 1;
    CHECK_INT(ctl_sync_enroll(&c), CTL_OK);
    CHECK(strstr(captured, "\"branch\":\"CTL\"") != NULL);
    c.nopt = 0;

    /* A receipt that failed and waits for staff (the print queue's rows). */
    int64_t job = 0;
#ifdef FD_CTL_PRINT
    CHECK(printq_enqueue(store_db(c.st), "ticket", 1, "\x1b@", 2, &job) == 0);
    CHECK(printq_fail(store_db(c.st), job, "paper end") == 0);
#endif

    /* sync now empties the backlog; status shows the success. */
    CHECK_INT(ctl_sync_now(&c), CTL_OK);
    CHECK(strstr(captured, "\"pushed\":") != NULL);
    o = status_json(&c);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(o, "enrolled")));
    CHECK_INT(cJSON_GetObjectItem(o, "backlog")->valuedouble, 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(o, "last_success")));
    CHECK_STR(cJSON_GetObjectItem(o, "last_error")->valuestring, "");
    cJSON_Delete(o);

    /* ... and its push carried the kiosk's health, as the worker's do:
     * enrolled, never heard from, then a record taken before the round
     * (the backlog it had) from a process without a printer worker. */
    struct seen f = fleet(hqdb);
    CHECK_INT(f.rows, 1);
    CHECK(f.health_at > 0);
    CHECK(f.backlog >= 10);
    CHECK_INT(f.printer_known, 0);
    CHECK_INT(f.print_failed, job > 0); /* counted by the print queue */
    CHECK(f.version[0] != '\0');
    /* Nothing left to send: sync now still sends the health alone (an
     * empty push), which now says the backlog is 0 (and, staff having
     * cancelled the failed receipt, no failed job). */
#ifdef FD_CTL_PRINT
    CHECK(printq_cancel(store_db(c.st), job) == 0);
#endif
    CHECK_INT(ctl_sync_now(&c), CTL_OK);
    CHECK(strstr(captured, "\"pushed\":0") != NULL);
    f = fleet(hqdb);
    CHECK_INT(f.backlog, 0);
    CHECK_INT(f.print_failed, 0);

    /* A second kiosk of the branch left at the default terminal number
     * (001, as the first): their complaint references collide, and head
     * office's fleet view says so, naming both; once it has its own number
     * (and a complaint made with it), the warning is gone. */
    {
        char kdb2[512], warn[2048];
        struct fd_store *st2 = NULL;
        struct sync_result res;
        h_path(kdb2, sizeof kdb2, "kiosk2.sqlite");
        CHECK(store_open(kdb2, &st2, err, sizeof err) == 0);
        CHECK(demo_load(st2, time(NULL), &fe) == 0); /* files a complaint at terminal 001 */
        CHECK_INT(fleet_warnings(hqdb, warn, sizeof warn), 0);
        CHECK(h_token(hqdb, "CTL", tok, sizeof tok) == 0);
        CHECK_INT(sync_enroll(store_db(st2), url, tok, err, sizeof err), SYNC_OK);
        CHECK_INT(sync_round(store_db(st2), 0, &res, err, sizeof err), SYNC_OK);
        CHECK_INT(fleet_warnings(hqdb, warn, sizeof warn), 2);
        CHECK(strstr(warn, "terminal 001 is used by device") != NULL);
        CHECK(strstr(warn, "both of one branch") != NULL);
        CHECK(strstr(warn, "terminal_no") != NULL);
        CHECK(cfg_set(st2, "terminal_no", "2", &fe) == 0);
        struct complaint_in in = {.category = "waiting", .description = "again",
                                  .contact_name = "x", .contact_phone = "13900001111",
                                  .consent = 1};
        struct complaint out;
        CHECK(complaint_file(st2, &in, time(NULL), &out, &fe) == 0);
        CHECK(strncmp(out.ref + 6, "002", 3) == 0);
        CHECK_INT(sync_round(store_db(st2), 0, &res, err, sizeof err), SYNC_OK);
        CHECK_INT(fleet_warnings(hqdb, warn, sizeof warn), 0);
        CHECK_STR(warn, "");
        store_close(st2);
    }

    /* Head office gone: sync now fails, status keeps the error and backlog. */
    h_server_stop(&srv, 0);
    struct queue_ticket t;
    CHECK(queue_take(c.st, "A", 0, time(NULL), &t, &fe) == 0);
    CHECK_INT(ctl_sync_now(&c), CTL_EFAIL);
    o = status_json(&c);
    CHECK(cJSON_GetObjectItem(o, "backlog")->valuedouble >= 1);
    CHECK(strstr(cJSON_GetObjectItem(o, "last_error")->valuestring, "unreachable") != NULL);
    cJSON_Delete(o);

    store_close(c.st);
    h_rmdir();
    return check_summary();
}
