/* scr_console_admin.c - console pages about the shift and the machine:
 * health (printer state, the last print jobs with reprint and cancel, a
 * preview of the last receipt, sync backlog and last success), the shift
 * handover (what is still open, a note, recorded in the handover log) and
 * the end-of-day summary (core's day report) that can be printed. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "config.h"
#include "journal.h"
#include "report.h"
#include "scr_console.h"
#include "sync.h"
#include "tr.h"

#define JOBS_SHOWN 20
#define DAY_LINES 64    /* lines of the printed summary (services beyond are left out) */

static void msg_line(struct app *a, struct ui_widget *box)
{
    struct ui_widget *m = ui_label(box, "msg", a->flow.msg, UI_FONT_BODY);
    ui_set_lines(m, 2);
}

static int jint(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---- health ------------------------------------------------------------------ */

static void on_job(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.sel = ui_list_selected_tag(w);
}

static void job_op(struct app *a, int reprint)
{
    char subj[32];
    int64_t id = a->flow.sel;
    if (id <= 0) {
        con_done(a, 1, "con.h.pick");
        return;
    }
    int rc = reprint ? (a->printer.reprint ? a->printer.reprint(a->printer.ctx, id) : -1)
                     : (a->printer.cancel ? a->printer.cancel(a->printer.ctx, id) : -1);
    snprintf(subj, sizeof subj, "job %lld", (long long)id);
    con_audit(a, reprint ? "print.reprint" : "print.cancel", subj, rc ? "refused" : NULL);
    a->flow.sel = 0;
    if (rc)
        con_done(a, 1, "con.h.cannot", (long long)id);
    else
        con_done(a, 0, reprint ? "con.h.reprinted" : "con.h.cancelled", (long long)id);
}

static void on_reprint(struct ui_widget *w, void *ud)
{
    (void)w;
    job_op(ud, 1);
}

static void on_cancel_job(struct ui_widget *w, void *ud)
{
    (void)w;
    job_op(ud, 0);
}

/* The counters' page (frontdesk-counter, started by the kiosk when
 * counter_listen is set): its address and its TLS certificate's SHA-256
 * fingerprint, which staff compare with what their browser shows the first
 * time. frontdesk-counter writes both beside the store when it starts. */
static void counter_line(struct app *a, struct ui_widget *box)
{
    char listen[64] = "", path[1100], line[200], url[200] = "", fpr[200] = "", buf[600];
    FILE *f;
    cfg_get(a->st, "counter_listen", listen, sizeof listen);
    if (!listen[0]) {
        snprintf(buf, sizeof buf, "%s: %s", tr("con.h.counter"), tr("con.h.counter_off"));
    } else {
        snprintf(path, sizeof path, "%s.counter", store_path(a->st));
        if ((f = fopen(path, "r"))) {
            while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\r\n")] = '\0';
                if (!strncmp(line, "url ", 4))
                    snprintf(url, sizeof url, "%s", line + 4);
                else if (!strncmp(line, "sha256 ", 7))
                    snprintf(fpr, sizeof fpr, "%s", line + 7);
            }
            fclose(f);
        }
        if (url[0] && strlen(fpr) == 95) /* 32 bytes as AB:CD:..., in two lines */
            snprintf(buf, sizeof buf, "%s: %s\nSHA-256 %.47s\n%s", tr("con.h.counter"), url,
                     fpr, fpr + 48);
        else if (url[0]) /* plain HTTP on loopback: no certificate */
            snprintf(buf, sizeof buf, "%s: %s", tr("con.h.counter"), url);
        else
            snprintf(buf, sizeof buf, "%s: %s", tr("con.h.counter"), tr("con.h.counter_wait"));
    }
    struct ui_widget *l = ui_label(box, "counter_page", buf, UI_FONT_SMALL);
    ui_set_lines(l, 4);
}

void con_page_health(struct app *a, struct ui_widget *box)
{
    char buf[400], sub[300], when[32], state[200] = "";
    struct app_job jobs[JOBS_SHOWN];
    struct sync_status ss;
    int ready = 0, nj = 0;
    struct ui_widget *cols = ui_box(box, NULL, UI_AUTO);
    ui_set_weight(cols, 1);
    struct ui_widget *left = ui_box(cols, NULL, UI_COL);
    ui_set_weight(left, 1);
    if (a->printer.status)
        ready = a->printer.status(a->printer.ctx, state, sizeof state);
    snprintf(buf, sizeof buf, "%s: %s — %s", tr("con.h.printer"),
             tr(ready ? "con.h.ready" : "con.h.notready"), state);
    struct ui_widget *pl = ui_label(left, "printer", buf, UI_FONT_BODY);
    ui_set_lines(pl, 2);
    struct ui_widget *l = ui_list(left, "jobs", on_job, a);
    ui_set_weight(l, 1);
    if (a->printer.jobs)
        nj = a->printer.jobs(a->printer.ctx, jobs, JOBS_SHOWN);
    for (int i = 0; i < nj; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s", jobs[i].state);
        tr_fmt(buf, sizeof buf, "con.h.job_row", (long long)jobs[i].id, jobs[i].kind, jobs[i].state);
        snprintf(sub, sizeof sub, "%s%s%s", app_time(jobs[i].created_at, when, sizeof when),
                 jobs[i].error[0] ? " · " : "", jobs[i].error);
        int row = ui_list_add(l, buf, sub, (long)jobs[i].id);
        if (jobs[i].id == a->flow.sel)
            ui_list_select(l, row);
    }
    msg_line(a, left);
    struct ui_widget *g = con_buttons(left, 2, 2);
    ui_set_enabled(ui_button(g, "reprint", tr("con.h.reprint"), on_reprint, a), nj > 0);
    ui_set_enabled(ui_button(g, "cancel_job", tr("con.h.cancel"), on_cancel_job, a), nj > 0);
    /* Sync: read from the store; the network is the sync worker's business. */
    memset(&ss, 0, sizeof ss);
    int have = sync_status_get(store_db(a->st), &ss) == 0;
    if (!have || !ss.enrolled) {
        snprintf(buf, sizeof buf, "%s: %s", tr("con.h.sync"), tr("con.h.sync_off"));
    } else {
        char backlog[96], last[96];
        tr_fmt(backlog, sizeof backlog, "con.h.backlog", ss.backlog);
        if (ss.last_success)
            tr_fmt(last, sizeof last, "con.h.last_ok", app_time(ss.last_success, when, sizeof when));
        else
            snprintf(last, sizeof last, "%s", tr("con.h.never"));
        snprintf(buf, sizeof buf, "%s: %s · %s", tr("con.h.sync"), backlog, last);
        if (ss.last_error[0]) {
            size_t at = strlen(buf);
            snprintf(buf + at, sizeof buf - at, " · ");
            at = strlen(buf);
            tr_fmt(buf + at, sizeof buf - at, "con.h.sync_err", ss.last_error);
        }
    }
    struct ui_widget *sl = ui_label(left, "sync", buf, UI_FONT_BODY);
    ui_set_lines(sl, 3);
    counter_line(a, left);
    /* The last receipt as the virtual printer drew it. */
    struct ui_widget *right = ui_box(cols, NULL, UI_COL);
    ui_set_weight(right, 1);
    ui_label(right, NULL, tr("con.h.preview"), UI_FONT_BODY);
    const char *png = a->printer.preview ? a->printer.preview(a->printer.ctx) : NULL;
    struct ui_widget *img = ui_image(right, "preview", png);
    if (img)
        ui_set_weight(img, 1);
    else
        ui_set_weight(ui_label(right, "preview", tr("con.h.nopreview"), UI_FONT_SMALL), 1);
}

/* ---- shift handover ------------------------------------------------------------ */

static void record_handover(struct app *a)
{
    struct ui_widget *f = ui_find(a->screen, "note");
    struct fd_err e = {0};
    int64_t id = 0;
    char subj[32];
    if (!f || !ui_text(f) || !*ui_text(f)) {
        con_done(a, 1, "con.ho.empty");
        return;
    }
    int rc = journal_handover(a->st, a->flow.staff_name, ui_text(f), bday_now(), &id, &e);
    snprintf(subj, sizeof subj, "handover %lld", (long long)id);
    con_audit(a, "handover", rc ? NULL : subj, rc ? e.msg : NULL);
    ui_field_clear(f);
    if (rc)
        con_done(a, 1, "con.err.other", e.msg);
    else
        con_done(a, 0, "con.ho.done");
}

static void on_record(struct ui_widget *w, void *ud)
{
    (void)w;
    record_handover(ud);
}

void con_page_handover(struct app *a, struct ui_widget *box)
{
    char buf[300], line[1200] = "", when[32];
    char *open = journal_open_items(a->st, bday_now());
    cJSON *o = open ? cJSON_Parse(open) : NULL;
    free(open);
    if (o) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "at_counters");
        size_t n = 0;
        n += (size_t)snprintf(line + n, sizeof line - n, "%s: ", tr("con.ho.open"));
        n += (size_t)snprintf(line + n, sizeof line - n, "%s · ",
                              tr_fmt(buf, sizeof buf, "con.ho.waiting", jint(o, "waiting")));
        n += (size_t)snprintf(line + n, sizeof line - n, "%s · ",
                              tr_fmt(buf, sizeof buf, "con.ho.counters", cJSON_GetArraySize(at)));
        n += (size_t)snprintf(line + n, sizeof line - n, "%s · ",
                              tr_fmt(buf, sizeof buf, "con.ho.visitors", jint(o, "visitors_on_site")));
        snprintf(line + n, sizeof line - n, "%s",
                 tr_fmt(buf, sizeof buf, "con.ho.complaints", jint(o, "complaints_open"),
                        jint(o, "complaints_unanswered_overdue")));
        cJSON_Delete(o);
    }
    /* One label (the keyboard leaves little room at 1024x600): the outcome
     * of the last action or the last handover, then what is open. */
    char *last = journal_handovers(a->st, 1);
    cJSON *h = last ? cJSON_Parse(last) : NULL;
    free(last);
    const cJSON *h0 = cJSON_GetArrayItem(h, 0);
    char text[1600];
    if (!a->flow.msg[0] && h0)
        tr_fmt(buf, sizeof buf, "con.ho.last", jstr(h0, "staff"),
               app_time((int64_t)jnum(h0, "at"), when, sizeof when));
    else
        snprintf(buf, sizeof buf, "%s", a->flow.msg);
    cJSON_Delete(h);
    snprintf(text, sizeof text, "%s%s%s", buf, buf[0] ? " · " : "", line);
    struct ui_widget *ol = ui_label(box, "msg", text, UI_FONT_BODY);
    ui_set_lines(ol, ui_is_landscape() ? 2 : 4);
    struct ui_widget *row = ui_box(box, NULL, UI_ROW);
    ui_set_size(row, 11); /* the keyboard keeps its size: the field must too */
    struct ui_widget *f = ui_field(row, "note", tr("con.ho.note"), 300);
    ui_set_weight(f, 1);
    ui_field_on_submit(f, on_record, a);
    struct ui_widget *rec = ui_button(row, "record", tr("con.ho.record"), on_record, a);
    ui_set_style(rec, UI_STYLE_PRIMARY);
    struct kb *kb = app_keyboard(a, box, "letters");
    if (kb)
        kb_set_label(kb, "enter", tr("common.done"));
    ui_focus(f);
}

/* ---- end of day ---------------------------------------------------------------- */

/* The summary as lines, for the screen and for paper alike. Returns n. */
static int day_lines(const cJSON *r, char (*out)[300], int max)
{
    char d1[24], d2[24], rate[16];
    int n = 0;
    const cJSON *svc, *cats = cJSON_GetObjectItemCaseSensitive(r, "complaints_by_category");
    tr_fmt(out[n++], 300, "con.day.tickets", jint(r, "tickets"), jint(r, "served"),
           jint(r, "noshow"));
    tr_fmt(out[n++], 300, "con.day.wait", con_dur((int64_t)jnum(r, "wait_avg_s"), d1, sizeof d1),
           con_dur((int64_t)jnum(r, "wait_max_s"), d2, sizeof d2));
    snprintf(rate, sizeof rate, "%.1f%%", 100.0 * jnum(r, "noshow_rate"));
    tr_fmt(out[n++], 300, "con.day.service",
           con_dur((int64_t)jnum(r, "service_avg_s"), d1, sizeof d1), rate);
    cJSON_ArrayForEach(svc, cJSON_GetObjectItemCaseSensitive(r, "by_service"))
    {
        if (n >= max - 5)
            break;
        tr_fmt(out[n++], 300, "con.day.svc", jstr(svc, "code"),
               jstr(svc, tr_zh() ? "name_zh" : "name_en"), jint(svc, "tickets"),
               con_dur((int64_t)jnum(svc, "wait_avg_s"), d1, sizeof d1));
    }
    tr_fmt(out[n++], 300, "con.day.visitors", jint(r, "visitors"));
    tr_fmt(out[n++], 300, "con.day.complaints", jint(r, "complaints"),
           jint(r, "complaints_serious"));
    if (cJSON_GetArraySize(cats) > 0) {
        char list[240] = "", key[48];
        const cJSON *c;
        cJSON_ArrayForEach(c, cats)
        {
            size_t at = strlen(list);
            snprintf(key, sizeof key, "cat.%s", c->string ? c->string : "");
            snprintf(list + at, sizeof list - at, "%s%s %d", at ? ", " : "", tr(key), c->valueint);
        }
        tr_fmt(out[n++], 300, "con.day.cat", list);
    }
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(r, "rating_service");
    tr_fmt(out[n++], 300, "con.day.ratings", jint(r, "ratings"), jint(rs, "excellent"),
           jint(rs, "good"), jint(rs, "fair"), jint(rs, "poor"));
    return n;
}

static void on_print_day(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    char *json = NULL, (*lines)[300] = calloc(DAY_LINES, sizeof *lines), title[80];
    const char *ptr[DAY_LINES];
    int64_t job = 0;
    cJSON *r = NULL;
    if (lines && report_day(a->st, NULL, bday_now(), &json, NULL) == 0 && (r = cJSON_Parse(json))) {
        int n = day_lines(r, lines, DAY_LINES);
        for (int i = 0; i < n; i++)
            ptr[i] = lines[i];
        tr_fmt(title, sizeof title, "con.day.title", jstr(r, "date"));
        if (a->printer.document)
            job = a->printer.document(a->printer.ctx, "day_report", title, ptr, n);
    }
    con_audit(a, "report.print", r ? jstr(r, "date") : NULL, job > 0 ? NULL : "not printed");
    cJSON_Delete(r);
    free(json), free(lines);
    if (job > 0)
        con_done(a, 0, "con.day.printed");
    else
        con_done(a, 1, "con.day.unprinted");
}

void con_page_day(struct app *a, struct ui_widget *box)
{
    char *json = NULL, (*lines)[300] = calloc(DAY_LINES, sizeof *lines), title[80];
    cJSON *r = NULL;
    if (lines && report_day(a->st, NULL, bday_now(), &json, NULL) == 0 && (r = cJSON_Parse(json))) {
        ui_label(box, "day", tr_fmt(title, sizeof title, "con.day.title", jstr(r, "date")),
                 UI_FONT_TITLE);
        struct ui_widget *l = ui_list(box, "summary", NULL, NULL);
        ui_set_weight(l, 1);
        int n = day_lines(r, lines, DAY_LINES);
        for (int i = 0; i < n; i++)
            ui_list_add(l, lines[i], NULL, i);
    }
    cJSON_Delete(r);
    free(json), free(lines);
    msg_line(a, box);
    struct ui_widget *p = ui_button(box, "print_day", tr("con.day.print"), on_print_day, a);
    ui_set_style(p, UI_STYLE_PRIMARY);
}
