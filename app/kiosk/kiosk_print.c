/* kiosk_print.c - receipts for the kiosk (kiosk_print.h). A record's receipt
 * comes from app/print/receipt_store.c (the same as frontdesk-ctl prints);
 * it is rendered once, when queued, and the exact bytes are the job, so what
 * the visitor was promised is what prints. */
#include "kiosk_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "complaint.h"
#include "config.h"
#include "printq.h"
#include "receipt.h"
#include "receipt_store.h"
#include "sync_health.h"

struct kprint {
    struct fd_store *st;               /* UI thread's connection, not owned */
    struct printq *q;                  /* the worker, NULL if it did not start */
    const struct escpos_profile *prof; /* paper and font */
    struct escpos_font *font;          /* for raster profiles, NULL otherwise */
    char uri[256];
    char branch[128];
};

/* Queues the receipt of record `ref_id`; returns the job id or 0. */
static int64_t queue_receipt(struct kprint *k, enum receipt_kind kind, int64_t ref_id, int zh)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int64_t id = 0;
    char err[200];
    if (receipt_for(k->st, kind, ref_id, zh ? RECEIPT_ZH : RECEIPT_EN, k->prof, k->font,
                    &bytes, &len, err, sizeof err) != 0)
        return 0;
    if (printq_enqueue(store_db(k->st), receipt_kind_name(kind), ref_id, bytes, len, &id) != 0)
        id = 0;
    free(bytes);
    if (id && k->q)
        printq_wake(k->q);
    return id;
}

static int64_t p_ticket(void *ctx, int64_t ticket_id, int zh)
{
    return queue_receipt(ctx, RECEIPT_TICKET, ticket_id, zh);
}

static int64_t p_visitor(void *ctx, int64_t visitor_id, int zh)
{
    return queue_receipt(ctx, RECEIPT_VISITOR, visitor_id, zh);
}

static int64_t p_complaint(void *ctx, const char *ref, int zh)
{
    struct kprint *k = ctx;
    struct complaint *c = calloc(1, sizeof *c);
    int64_t id = 0;
    if (c && complaint_get(k->st, ref, c, NULL) == 0)
        id = queue_receipt(k, RECEIPT_COMPLAINT, c->id, zh);
    if (c)
        explicit_bzero(c, sizeof *c);
    free(c);
    return id;
}

static int p_job_state(void *ctx, int64_t job)
{
    struct kprint *k = ctx;
    struct printq_state ps = {0};
    char v[12];
    if (printq_job_state(store_db(k->st), job, v, sizeof v) != 0)
        return -1;
    int state = !strcmp(v, "done") ? 1
                : !strcmp(v, "pending") || !strcmp(v, "printing") ? 0
                : -1; /* failed, cancelled, expired */
    if (state == 0) { /* queued: printing only if the printer can print now */
        if (k->q)
            printq_get_state(k->q, &ps);
        if (!ps.ready)
            state = -1;
    }
    return state;
}

/* ---- the staff console's printer page ---------------------------------- */

static int p_status(void *ctx, char *buf, size_t len)
{
    struct kprint *k = ctx;
    struct printq_state ps = {0};
    if (!k->q) {
        snprintf(buf, len, "no printer worker");
        return 0;
    }
    printq_get_state(k->q, &ps);
    snprintf(buf, len, "%s (%s)", ps.message, k->uri);
    return ps.ready;
}

static int p_jobs(void *ctx, struct app_job *out, int max)
{
    struct kprint *k = ctx;
    struct printq_job *j = calloc((size_t)(max > 0 ? max : 1), sizeof *j);
    int n = j ? printq_jobs(store_db(k->st), j, max) : -1;
    for (int i = 0; i < n; i++) {
        out[i].id = j[i].id;
        snprintf(out[i].kind, sizeof out[i].kind, "%s", j[i].kind);
        snprintf(out[i].state, sizeof out[i].state, "%s", j[i].state);
        out[i].created_at = j[i].created_at;
        snprintf(out[i].error, sizeof out[i].error, "%s", j[i].error);
    }
    free(j);
    return n < 0 ? 0 : n;
}

static int p_reprint(void *ctx, int64_t job)
{
    struct kprint *k = ctx;
    int64_t id = 0;
    int rc = printq_reprint(store_db(k->st), job, &id);
    if (rc == 0 && k->q)
        printq_wake(k->q);
    return rc;
}

static int p_cancel(void *ctx, int64_t job)
{
    struct kprint *k = ctx;
    return printq_cancel(store_db(k->st), job);
}

/* The virtual printer's image, when that is the printer and it drew one. */
static const char *p_preview(void *ctx)
{
    struct kprint *k = ctx;
    static char path[256];
    if (strncmp(k->uri, "virtual:", 8))
        return NULL;
    snprintf(path, sizeof path, "%s", k->uri + 8);
    path[strcspn(path, "?")] = '\0'; /* virtual:PATH.png?dots=576 */
    return access(path, R_OK) == 0 ? path : NULL;
}

/* A staff document: the branch, a title, then the lines ("left\tright" as
 * a pair, "-" a rule, else text). Rendered now and queued like a receipt. */
static int64_t p_document(void *ctx, const char *kind, const char *title,
                          const char *const *lines, int n)
{
    struct kprint *k = ctx;
    struct escpos *e = escpos_new(k->prof, 0, k->font);
    int64_t id = 0;
    char left[512];
    if (!e)
        return 0;
    escpos_init(e);
    escpos_align(e, ESCPOS_CENTER);
    escpos_text(e, k->branch);
    escpos_bold(e, 1);
    escpos_size(e, 1, 2);
    escpos_text(e, title);
    escpos_size(e, 1, 1);
    escpos_bold(e, 0);
    escpos_align(e, ESCPOS_LEFT);
    escpos_rule(e, '=');
    for (int i = 0; i < n; i++) {
        const char *tab = strchr(lines[i], '\t');
        if (!strcmp(lines[i], "-")) {
            escpos_rule(e, '-');
        } else if (tab) {
            snprintf(left, sizeof left, "%.*s", (int)(tab - lines[i]), lines[i]);
            escpos_pair(e, left, tab + 1);
        } else {
            escpos_text(e, lines[i]);
        }
    }
    escpos_rule(e, '=');
    escpos_cut(e);
    size_t len = 0;
    const uint8_t *bytes = escpos_bytes(e, &len);
    if (escpos_error(e) == 0 &&
        printq_enqueue(store_db(k->st), kind, 0, bytes, len, &id) == 0 && k->q)
        printq_wake(k->q);
    explicit_bzero(left, sizeof left);
    escpos_free(e);
    return id;
}

/* "auto": a USB printer that opens now, else the virtual printer. */
static void choose_uri(struct kprint *k, const char *png_dir)
{
    char cfg[256] = "auto", err[200];
    cfg_get(k->st, "printer_uri", cfg, sizeof cfg);
    if (strcmp(cfg, "auto")) {
        snprintf(k->uri, sizeof k->uri, "%s", cfg);
        return;
    }
    struct prn_transport *t = NULL;
    if (prn_open("usb://auto", &t, err, sizeof err) == 0) {
        prn_close(t);
        snprintf(k->uri, sizeof k->uri, "usb://auto");
        return;
    }
    snprintf(k->uri, sizeof k->uri, "virtual:%s/last-receipt.png?dots=%d", png_dir,
             k->prof->dots);
}

struct kprint *kprint_start(struct fd_store *st, const char *db_path, const char *png_dir,
                            void (*notify)(void *), void *user)
{
    struct kprint *k = calloc(1, sizeof *k);
    char prof[32] = "80mm", err[256];
    if (!k)
        return NULL;
    k->st = st;
    cfg_get(st, "branch_name", k->branch, sizeof k->branch);
    cfg_get(st, "printer_profile", prof, sizeof prof);
    k->prof = escpos_profile_find(prof);
    if (!k->prof)
        k->prof = escpos_profile_find("80mm");
    if ((!k->prof->cjk_font || !k->prof->qr) &&
        escpos_font_open(NULL, 0, &k->font, err, sizeof err) != 0)
        fprintf(stderr, "frontdesk: receipts: %s\n", err);
    choose_uri(k, png_dir);
    struct printq_config c = {.db_path = db_path, .printer_uri = k->uri,
                              .pending_max_s = (int)cfg_get_int(st, "print_pending_max_s"),
                              .notify = notify, .user = user};
    if (printq_start(&c, &k->q, err, sizeof err) != 0) {
        fprintf(stderr, "frontdesk: printer worker: %s\n", err);
        k->q = NULL;
    }
    return k;
}

void kprint_bind(struct kprint *k, struct app_printer *p)
{
    p->ticket = p_ticket;
    p->visitor = p_visitor;
    p->complaint = p_complaint;
    p->job_state = p_job_state;
    p->status = p_status;
    p->jobs = p_jobs;
    p->reprint = p_reprint;
    p->cancel = p_cancel;
    p->preview = p_preview;
    p->document = p_document;
    p->ctx = k;
}

const char *kprint_status(struct kprint *k, char *buf, size_t len)
{
    struct printq_state ps = {0};
    if (!k || !k->q) {
        snprintf(buf, len, "no printer worker");
        return buf;
    }
    printq_get_state(k->q, &ps);
    snprintf(buf, len, "%s (%s)", ps.message, k->uri);
    return buf;
}

void kprint_health(void *ctx, struct sync_printer *out)
{
    struct kprint *k = ctx;
    struct printq_state ps = {0};
    memset(out, 0, sizeof *out);
    if (!k || !k->q) {
        snprintf(out->message, sizeof out->message, "no printer worker");
        return;
    }
    printq_get_state(k->q, &ps);
    out->known = 1;
    out->jobs_failed = ps.failed > 0 ? ps.failed : 0; /* the worker's last count */
    out->online = ps.connected && !ps.status.offline;
    out->paper_out = ps.status.paper_end;
    out->paper_near_end = ps.status.paper_near_end;
    out->cover_open = ps.status.cover_open;
    snprintf(out->message, sizeof out->message, "%.95s", ps.message); /* cut: a line */
}

void kprint_stop(struct kprint *k)
{
    if (!k)
        return;
    printq_stop(k->q);
    escpos_font_close(k->font);
    free(k);
}
