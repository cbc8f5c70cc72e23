/* test_ctl_sync.c - frontdesk-ctl's sync commands (app/ctl/ctl_sync.c) on a
 * kiosk store opened by core, against a real frontdesk-hq: enroll with the
 * options the operator types, sync status as JSON (backlog, last_success,
 * last_error), sync now, and the failure paths. ctl.c's helpers are replaced
 * here by small stand-ins that capture the output. */
#include "check.h"
#include "ctl_sync.h"
#include "harness.h"
#include "queue.h"
#include "demo.h"

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

    /* sync now empties the backlog; status shows the success. */
    CHECK_INT(ctl_sync_now(&c), CTL_OK);
    CHECK(strstr(captured, "\"pushed\":") != NULL);
    o = status_json(&c);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(o, "enrolled")));
    CHECK_INT(cJSON_GetObjectItem(o, "backlog")->valuedouble, 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(o, "last_success")));
    CHECK_STR(cJSON_GetObjectItem(o, "last_error")->valuestring, "");
    cJSON_Delete(o);

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
