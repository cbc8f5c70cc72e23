/* ctl_sync.c - frontdesk-ctl enroll / sync now / sync status (ctl_sync.h).
 * Thin: the work is in app/sync; this file turns it into exit statuses and
 * text or one JSON object on stdout. */
#include "ctl_sync.h"
#include "sync.h"
#include "sync_health.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FD_CTL_PRINT
#include "printq.h"

/* The printer for the health record of a round run here: no printer worker
 * in this process (known false), but the jobs that failed and wait for
 * staff are in the store, and the print queue counts them. */
static void ctl_printer(void *ctx, struct sync_printer *out)
{
    const struct ctl *c = ctx;
    int pending, failed;
    snprintf(out->message, sizeof out->message, "no printer worker");
    if (printq_counts(store_db(c->st), &pending, &failed) == 0)
        out->jobs_failed = failed;
}
#endif

/* Reports a sync failure like ctl_fail does; returns the exit status. */
static int sync_fail(const struct ctl *c, int rc, const char *msg)
{
    struct fd_err e = {.code = rc == SYNC_E_DB ? FD_EDB : FD_EINVAL};
    snprintf(e.msg, sizeof e.msg, "%s", msg);
    return ctl_fail(c, e.code, &e);
}

int ctl_sync_enroll(struct ctl *c)
{
    const char *hq = ctl_opt(c, "hq"), *token = ctl_opt(c, "token"), *ca = ctl_opt(c, "ca");
    struct sync_status st;
    char err[256];
    int rc;
    if (!hq || !*hq || !token || !*token)
        return ctl_usage(c, "enroll needs --hq URL --token T [--ca FILE]");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = sync_enroll_ca(store_db(c->st), hq, token, ca, err, sizeof err);
    curl_global_cleanup();
    if (rc != SYNC_OK)
        return sync_fail(c, rc, err);
    sync_status_get(store_db(c->st), &st);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "device_id", st.device_id);
        cJSON_AddStringToObject(o, "branch", st.branch);
        cJSON_AddStringToObject(o, "hq", st.hq_url);
        ctl_print_json(o);
    } else {
        printf("enrolled %s at %s as branch %s\n", st.device_id, st.hq_url, st.branch);
    }
    return CTL_OK;
}

int ctl_sync_now(struct ctl *c)
{
    struct sync_result res;
    char err[256];
    int rc;
    /* The round carries the kiosk's health record as the sync worker's do
     * (one function for both); this process has no printer worker, so the
     * record says printer.known false (hq/PROTOCOL.md, "a tool pushed"). */
    struct sync_health_state hs = {0};
    curl_global_init(CURL_GLOBAL_DEFAULT);
#ifdef FD_CTL_PRINT
    rc = sync_health_round(&hs, store_db(c->st), c->db_path, ctl_printer, c, &res, err,
                           sizeof err);
#else
    rc = sync_health_round(&hs, store_db(c->st), c->db_path, NULL, NULL, &res, err, sizeof err);
#endif
    curl_global_cleanup();
    if (rc != SYNC_OK)
        return sync_fail(c, rc, err);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "pushed", (double)res.pushed);
        cJSON_AddNumberToObject(o, "batches", (double)res.batches);
        cJSON_AddNumberToObject(o, "pulled", (double)res.pulled);
        ctl_print_json(o);
    } else {
        printf("sent %lld records in %lld batches, applied %lld changes from head office\n",
               res.pushed, res.batches, res.pulled);
    }
    return CTL_OK;
}

int ctl_sync_status(struct ctl *c)
{
    struct sync_status st;
    if (sync_status_get(store_db(c->st), &st) != SYNC_OK) {
        struct fd_err e = {.code = FD_EDB};
        snprintf(e.msg, sizeof e.msg, "cannot read sync state: %s", store_errmsg(c->st));
        return ctl_fail(c, FD_EDB, &e);
    }
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "enrolled", st.enrolled);
        cJSON_AddStringToObject(o, "hq", st.hq_url);
        cJSON_AddStringToObject(o, "branch", st.branch);
        cJSON_AddStringToObject(o, "device_id", st.device_id);
        cJSON_AddNumberToObject(o, "backlog", (double)st.backlog);
        if (st.last_success)
            cJSON_AddNumberToObject(o, "last_success", (double)st.last_success);
        else
            cJSON_AddNullToObject(o, "last_success");
        if (st.last_attempt)
            cJSON_AddNumberToObject(o, "last_attempt", (double)st.last_attempt);
        else
            cJSON_AddNullToObject(o, "last_attempt");
        cJSON_AddNumberToObject(o, "failures", st.failures);
        cJSON_AddStringToObject(o, "last_error", st.last_error);
        cJSON_AddNumberToObject(o, "pull_cursor", (double)st.pull_cursor);
        ctl_print_json(o);
    } else {
        printf("%s; %lld records waiting; last success %lld; failures %d%s%s\n",
               st.enrolled ? st.hq_url : "not enrolled", st.backlog, st.last_success,
               st.failures, st.last_error[0] ? "; last error: " : "", st.last_error);
    }
    return CTL_OK;
}
