/* ctl_print.c - frontdesk-ctl print / printer (see ctl_print.h). Renders the
 * receipt of a ticket, visitor or complaint through app/print/receipt_store
 * (the kiosk's own), records it as a print_job and prints it through the
 * same printq_run_job the kiosk's worker uses, so the delivery rule (marked
 * 'printing' before the first byte, never resent blindly) holds here too.
 * The job rows are the print queue's (printq.h): no SQL here. */
#include "ctl_print.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "escpos.h"
#include "printq.h"
#include "prn_transport.h"
#include "receipt.h"
#include "receipt_store.h"

enum { P_OK = 0, P_FAIL = 1, P_USAGE = 2, P_DB = 3 };

#define IO_TIMEOUT_MS 3000

struct opts {
    const char *printer, *lang, *profile;
    int queue;
    const char *pos[4];
    int npos;
};

static int usage(const char *msg)
{
    fprintf(stderr, "frontdesk-ctl: %s\n"
            "usage: frontdesk-ctl print ticket|visitor|complaint ID [--printer URI] "
            "[--lang zh|en] [--profile NAME] [--queue]\n"
            "       frontdesk-ctl printer status|jobs [--printer URI]\n"
            "       frontdesk-ctl printer cancel|reprint JOB_ID\n", msg);
    return P_USAGE;
}

static int parse(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--queue") == 0) {
            o->queue = 1;
        } else if (strncmp(a, "--", 2) == 0) {
            const char **dst = !strcmp(a, "--printer") ? &o->printer
                             : !strcmp(a, "--lang") ? &o->lang
                             : !strcmp(a, "--profile") ? &o->profile : NULL;
            if (!dst || i + 1 >= argc)
                return -1;
            *dst = argv[++i];
        } else if (o->npos < 4) {
            o->pos[o->npos++] = a;
        } else {
            return -1;
        }
    }
    return 0;
}

/* A setting: stored, else core's compiled-in default (cfg_get). NULL when
 * the store is not open and there is no default. */
static const char *config(struct fd_store *store, const char *key, char *buf, size_t len)
{
    return cfg_get(store, key, buf, len) == 0 ? buf : NULL;
}

static int parse_id(const char *s, long long *id)
{
    char *end = NULL;
    *id = s ? strtoll(s, &end, 10) : 0;
    return s && *s && end && !*end && *id > 0 ? 0 : -1;
}

static void print_status_text(const char *uri, const struct prn_transport *t,
                              const struct prn_status *st, int rc)
{
    char desc[160];
    if (rc == 0) {
        prn_status_describe(st, desc, sizeof desc);
        printf("printer %s (%s): %s\n", uri, t->detail, desc);
    } else {
        printf("printer %s (%s): status unknown: %s\n", uri, t->detail, prn_strerror(rc));
    }
}

static cJSON *status_json(const struct prn_status *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "answered", st->answered);
    cJSON_AddBoolToObject(o, "ready", st->answered && prn_status_ready(st));
    cJSON_AddBoolToObject(o, "offline", st->offline);
    cJSON_AddBoolToObject(o, "cover_open", st->cover_open);
    cJSON_AddBoolToObject(o, "paper_end", st->paper_end);
    cJSON_AddBoolToObject(o, "paper_near_end", st->paper_near_end);
    cJSON_AddBoolToObject(o, "cutter_error", st->cutter_error);
    cJSON_AddBoolToObject(o, "error", st->error);
    return o;
}

static void emit(cJSON *o)
{
    char *t = cJSON_PrintUnformatted(o);
    printf("%s\n", t ? t : "{}");
    free(t);
    cJSON_Delete(o);
}

static int cmd_status(sqlite3 *db, const char *uri, int json)
{
    struct prn_transport *t = NULL;
    struct prn_status st;
    char err[256];
    int rc = prn_open(uri, &t, err, sizeof err), ready = 0;
    int pending = -1, failed = -1;

    if (db)
        printq_counts(db, &pending, &failed);
    if (rc) {
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "printer", uri);
            cJSON_AddBoolToObject(o, "connected", 0);
            cJSON_AddStringToObject(o, "message", err);
            if (pending >= 0) {
                cJSON_AddNumberToObject(o, "pending", pending);
                cJSON_AddNumberToObject(o, "failed", failed);
            }
            emit(o);
        } else {
            printf("printer %s: not connected: %s\n", uri, err);
            if (pending >= 0)
                printf("jobs: %d pending, %d failed\n", pending, failed);
        }
        return P_FAIL;
    }
    int src = prn_status(t, &st, IO_TIMEOUT_MS);
    ready = src == 0 ? prn_status_ready(&st) : src == PRN_ENOSTATUS;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        char desc[160];
        cJSON_AddStringToObject(o, "printer", uri);
        cJSON_AddBoolToObject(o, "connected", 1);
        cJSON_AddStringToObject(o, "transport", t->detail);
        cJSON_AddItemToObject(o, "status", status_json(&st));
        if (src == 0)
            prn_status_describe(&st, desc, sizeof desc);
        else
            snprintf(desc, sizeof desc, "status unknown: %s", prn_strerror(src));
        cJSON_AddStringToObject(o, "message", desc);
        if (pending >= 0) {
            cJSON_AddNumberToObject(o, "pending", pending);
            cJSON_AddNumberToObject(o, "failed", failed);
        }
        emit(o);
    } else {
        print_status_text(uri, t, &st, src);
        if (pending >= 0)
            printf("jobs: %d pending, %d failed\n", pending, failed);
    }
    prn_close(t);
    return ready ? P_OK : P_FAIL;
}

/* A virtual printer gets the profile's paper width unless the URI says. */
static const char *paper_uri(const char *uri, const struct escpos_profile *prof, char *buf,
                             size_t len)
{
    if (strncmp(uri, "virtual:", 8) != 0 || strstr(uri, "?dots="))
        return uri;
    snprintf(buf, len, "%s?dots=%d", uri, prof->dots);
    return buf;
}

static int cmd_print(struct fd_store *store, const struct opts *o, const char *uri, int json)
{
    sqlite3 *db = store ? store_db(store) : NULL;
    int kind = receipt_kind_parse(o->pos[0]);
    long long id;
    char cfgbuf[64], err[256], msg[320];
    const char *lang_s = o->lang ? o->lang : config(store, "language", cfgbuf, sizeof cfgbuf);
    enum receipt_lang lang = lang_s && !strcmp(lang_s, "en") ? RECEIPT_EN : RECEIPT_ZH;
    char profbuf[64], vuri[1200];
    const char *pname = o->profile ? o->profile : config(store, "printer_profile", profbuf, sizeof profbuf);
    const struct escpos_profile *prof = escpos_profile_find(pname ? pname : "80mm");
    struct escpos_font *font = NULL;
    struct prn_transport *t = NULL;
    struct prn_status st = {0};
    uint8_t *bytes = NULL;
    size_t len = 0;
    int64_t job = 0;
    int rc = P_FAIL, r;
    enum printq_result res = PRINTQ_EDB;

    if (kind < 0 || o->npos != 2 || parse_id(o->pos[1], &id) != 0)
        return usage("print: expected ticket|visitor|complaint and a numeric ID");
    if (o->lang && strcmp(o->lang, "zh") && strcmp(o->lang, "en"))
        return usage("--lang must be zh or en");
    if (!prof)
        return usage("unknown --profile: use 58mm, 80mm, 58mm-raster or 80mm-raster");
    if (!db)
        return usage("print needs the database");
    if ((!prof->cjk_font || !prof->qr) &&
        escpos_font_open(NULL, 0, &font, err, sizeof err) != 0) {
        fprintf(stderr, "frontdesk-ctl: %s\n", err);
        goto out;
    }
    /* The same receipt of the same record as the kiosk prints. */
    r = receipt_for(store, (enum receipt_kind)kind, id, lang, prof, font, &bytes, &len, err,
                    sizeof err);
    if (r != 0) {
        if (r > 0)
            fprintf(stderr, "frontdesk-ctl: no %s with id %lld\n", o->pos[0], id);
        else
            fprintf(stderr, "frontdesk-ctl: receipt: %s\n", err);
        rc = r > 0 ? P_FAIL : P_DB;
        goto out;
    }
    if (printq_enqueue(db, o->pos[0], id, bytes, len, &job) != 0) {
        fprintf(stderr, "frontdesk-ctl: print_job: %s\n", sqlite3_errmsg(db));
        rc = P_DB;
        goto out;
    }
    if (o->queue) {
        snprintf(msg, sizeof msg, "queued for the kiosk's printer");
        res = PRINTQ_NOT_READY;
        rc = P_OK;
    } else if ((r = prn_open(paper_uri(uri, prof, vuri, sizeof vuri), &t, err, sizeof err)) != 0) {
        snprintf(msg, sizeof msg, "%s", err);
        /* not printed by this command: fail the job rather than let a
         * printer print it by surprise later; staff can reprint it */
        printq_fail(db, job, err);
    } else {
        res = printq_run_job(db, t, job, IO_TIMEOUT_MS, 1, &st, msg, sizeof msg);
        if (res == PRINTQ_NOT_READY) /* printer not ready: leave nothing pending */
            printq_fail(db, job, msg);
        rc = res == PRINTQ_DONE ? P_OK : res == PRINTQ_EDB ? P_DB : P_FAIL;
    }
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "job", (double)job);
        cJSON_AddStringToObject(j, "kind", o->pos[0]);
        cJSON_AddNumberToObject(j, "id", (double)id);
        cJSON_AddStringToObject(j, "printer", o->queue ? "queue" : uri);
        cJSON_AddStringToObject(j, "profile", prof->name);
        cJSON_AddStringToObject(j, "lang", lang == RECEIPT_EN ? "en" : "zh");
        cJSON_AddNumberToObject(j, "bytes", (double)len);
        cJSON_AddBoolToObject(j, "printed", res == PRINTQ_DONE);
        cJSON_AddStringToObject(j, "message", msg);
        emit(j);
    } else if (rc == P_OK) {
        printf("%s %lld: job %lld %s (%zu bytes, %s, %s)\n", o->pos[0], id, (long long)job,
               o->queue ? "queued" : "printed", len, prof->name, o->queue ? "queue" : uri);
    } else {
        fprintf(stderr, "frontdesk-ctl: %s %lld not printed: %s\n", o->pos[0], id, msg);
    }
out:
    prn_close(t);
    escpos_font_close(font);
    free(bytes);

    return rc;
}

static int cmd_jobs(sqlite3 *db, int json)
{
    struct printq_job jobs[20];
    int n = db ? printq_jobs(db, jobs, 20) : -1;
    cJSON *arr = json ? cJSON_CreateArray() : NULL;

    if (n < 0) {
        fprintf(stderr, "frontdesk-ctl: print jobs: %s\n", db ? sqlite3_errmsg(db) : "no database");
        cJSON_Delete(arr);
        return P_DB;
    }
    for (int i = 0; i < n; i++) {
        const struct printq_job *j = &jobs[i];
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "job", (double)j->id);
            cJSON_AddStringToObject(o, "kind", j->kind);
            cJSON_AddNumberToObject(o, "id", (double)j->ref_id);
            cJSON_AddStringToObject(o, "state", j->state);
            cJSON_AddNumberToObject(o, "attempts", j->attempts);
            cJSON_AddStringToObject(o, "last_error", j->error);
            cJSON_AddNumberToObject(o, "created_at", (double)j->created_at);
            if (j->printed_at)
                cJSON_AddNumberToObject(o, "printed_at", (double)j->printed_at);
            else
                cJSON_AddNullToObject(o, "printed_at");
            cJSON_AddItemToArray(arr, o);
        } else {
            printf("%6lld %-9s %6lld %-9s %d %s\n", (long long)j->id, j->kind,
                   (long long)j->ref_id, j->state, j->attempts, j->error);
        }
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "jobs", arr);
        emit(o);
    }
    return P_OK;
}

static int cmd_job_op(sqlite3 *db, const char *op, const char *arg, int json)
{
    long long id;
    int64_t new_id = 0;
    int r;

    if (parse_id(arg, &id) != 0)
        return usage("expected a numeric JOB_ID");
    if (!db)
        return usage("needs the database");
    r = !strcmp(op, "cancel") ? printq_cancel(db, id) : printq_reprint(db, id, &new_id);
    if (r != 0) {
        fprintf(stderr, "frontdesk-ctl: cannot %s job %lld (no such job%s)\n", op, id,
                !strcmp(op, "cancel") ? ", or not pending/failed" : "");
        return P_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "job", (double)id);
        if (new_id)
            cJSON_AddNumberToObject(o, "new_job", (double)new_id);
        cJSON_AddStringToObject(o, "done", op);
        emit(o);
    } else if (new_id) {
        printf("job %lld reprinted as job %lld (pending)\n", id, (long long)new_id);
    } else {
        printf("job %lld cancelled\n", id);
    }
    return P_OK;
}

int ctl_print_main(int argc, char **argv, struct fd_store *store, int json)
{
    sqlite3 *db = store ? store_db(store) : NULL;
    struct opts o;
    char buf[1100];
    const char *uri;

    if (argc < 1 || parse(argc, argv, &o) != 0)
        return usage("bad arguments");
    uri = o.printer ? o.printer : config(store, "printer_uri", buf, sizeof buf);
    if (!uri || !strcmp(uri, "auto")) {
        /* as the kiosk does: a USB printer when one is there, else the
         * virtual printer into ./receipt.png */
        struct prn_transport *t = NULL;
        char err[200];
        uri = prn_open("usb://auto", &t, err, sizeof err) == 0 ? "usb://auto"
                                                              : "virtual:receipt.png";
        prn_close(t);
    }
    if (!strcmp(argv[0], "print"))
        return cmd_print(store, &o, uri, json);
    if (strcmp(argv[0], "printer") != 0 || o.npos < 1)
        return usage("expected print or printer");
    if (!strcmp(o.pos[0], "status") && o.npos == 1)
        return cmd_status(db, uri, json);
    if (!strcmp(o.pos[0], "jobs") && o.npos == 1)
        return cmd_jobs(db, json);
    if ((!strcmp(o.pos[0], "cancel") || !strcmp(o.pos[0], "reprint")) && o.npos == 2)
        return cmd_job_op(db, o.pos[0], o.pos[1], json);
    return usage("printer: expected status, jobs, cancel JOB_ID or reprint JOB_ID");
}
