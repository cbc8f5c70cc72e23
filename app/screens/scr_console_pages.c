/* scr_console_pages.c - console pages that show the branch right now: the
 * queue overview (waiting per service, longest wait, tickets over the target
 * wait, what each counter does), visitors on site with sign-out and the
 * evacuation list (printed from the local store: works offline), and the
 * complaints received today with serious ones flagged and the 24-hour
 * feedback deadline. Visitor and complaint rows are confidential: their
 * widgets are private, wiped with the fields when the console locks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "complaint.h"
#include "config.h"
#include "queue.h"
#include "scr_console.h"
#include "tr.h"
#include "visitor.h"

#define OVER_ROWS 200   /* tickets over target listed; the count is exact */
#define EVAC_MAX 2000   /* people on an evacuation list (more: listed as a count) */

/* Copies at most max bytes of UTF-8 src, never cutting a character. */
static const char *cut(char *dst, size_t dstlen, const char *src, size_t max)
{
    size_t n = strlen(src);
    if (max >= dstlen)
        max = dstlen - 1;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return dst;
}

static void msg_line(struct app *a, struct ui_widget *box)
{
    struct ui_widget *m = ui_label(box, "msg", a->flow.msg, UI_FONT_BODY);
    ui_set_lines(m, 2);
}

/* ---- queue overview ---------------------------------------------------------- */

void con_page_queue(struct app *a, struct ui_widget *box)
{
    struct queue_service *v = NULL;
    struct queue_ticket *w = NULL;
    struct queue_counter *c = NULL;
    int nv = 0, nw = 0, nc = 0;
    int64_t now = bday_now(), target = cfg_get_int(a->st, "target_wait_s");
    char buf[300], sub[300], d1[24];
    queue_service_list(a->st, now, &v, &nv, NULL);
    queue_waiting(a->st, NULL, now, &w, &nw, NULL);
    queue_counter_list(a->st, &c, &nc, NULL);
    ui_label(box, "target", tr_fmt(buf, sizeof buf, "con.q.target", (int)(target / 60)),
             UI_FONT_BODY);
    struct ui_widget *cols = ui_box(box, NULL, UI_AUTO);
    ui_set_weight(cols, 1);
    struct ui_widget *svc = ui_list(cols, "services", NULL, NULL);
    ui_set_weight(svc, 1);
    for (int i = 0; i < nv; i++) {
        int64_t longest = 0;
        int over = 0;
        for (int j = 0; j < nw; j++)
            if (!strcmp(w[j].service, v[i].code)) {
                int64_t waited = now - w[j].issued_at;
                if (waited > longest)
                    longest = waited;
                over += waited > target;
            }
        tr_fmt(buf, sizeof buf, "con.q.service", v[i].code, tr_zh() ? v[i].name_zh : v[i].name_en);
        tr_fmt(sub, sizeof sub, "con.q.line", v[i].waiting, con_dur(longest, d1, sizeof d1), over);
        ui_list_add(svc, buf, sub, i);
    }
    struct ui_widget *right = ui_list(cols, "over", NULL, NULL);
    ui_set_weight(right, 1);
    int shown = 0;
    ui_list_add(right, tr("con.q.over"), NULL, -1);
    for (int j = 0; j < nw && shown < OVER_ROWS; j++) {
        int64_t waited = now - w[j].issued_at;
        if (waited <= target)
            continue;
        ui_list_add(right, tr_fmt(buf, sizeof buf, "con.q.over_row", w[j].label,
                                  con_dur(waited, d1, sizeof d1)), NULL, j);
        shown++;
    }
    if (!shown)
        ui_list_add(right, tr("con.q.none_over"), NULL, -1);
    ui_list_add(right, tr("con.q.counters"), NULL, -1);
    for (int i = 0; i < nc; i++) {
        if (!c[i].open)
            snprintf(sub, sizeof sub, "%s", tr("con.counter.closed"));
        else if (c[i].ticket_id)
            snprintf(sub, sizeof sub, "%s (%s)", c[i].ticket,
                     tr(!strcmp(c[i].ticket_state, "serving") ? "con.q.serving" : "con.q.called"));
        else
            snprintf(sub, sizeof sub, "%s", tr("con.q.idle"));
        tr_fmt(buf, sizeof buf, "con.q.counter_row", c[i].id, sub);
        ui_list_add(right, buf, NULL, 1000 + i);
    }
    free(v), free(w), free(c);
}

/* ---- visitors on site ---------------------------------------------------------- */

static void on_visitor(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.sel = ui_list_selected_tag(w);
}

static void on_signout_visitor(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    struct visitor *v = calloc(1, sizeof *v);
    struct fd_err e = {0};
    char key[24];
    if (!v)
        return;
    snprintf(key, sizeof key, "%lld", (long long)a->flow.sel);
    if (a->flow.sel <= 0 || visitor_find(a->st, key, bday_now(), v, NULL)) {
        free(v);
        con_done(a, 1, "con.v.pick");
        return;
    }
    int rc = visitor_sign_out(a->st, v->id, "staff", bday_now(), &e);
    con_audit(a, "visitor.signout", v->badge, rc ? e.msg : NULL);
    a->flow.sel = 0;
    if (rc)
        con_done(a, 1, "con.err.other", e.msg);
    else
        con_done(a, 0, "con.v.done", v->badge);
    explicit_bzero(v, sizeof *v);
    free(v);
}

/* Prints everyone still signed in: name, company, host, since when. The
 * list comes from the local store and the local print queue. */
static void on_evacuate(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    struct visitor *v = NULL;
    int n = 0, nl = 0;
    char when[32], total[32];
    int64_t job = 0;
    visitor_list(a->st, 1, NULL, bday_now(), &v, &n, NULL);
    int shown = n < EVAC_MAX ? n : EVAC_MAX;
    const char **lines = calloc((size_t)shown * 3 + 4, sizeof *lines);
    char (*text)[2][480] = calloc((size_t)shown + 1, sizeof *text);
    if (lines && text && a->printer.document) {
        app_time(bday_now(), when, sizeof when);
        snprintf(text[shown][0], sizeof text[shown][0], "%s\t%s", tr("con.evac.at"), when);
        snprintf(total, sizeof total, "%d", n);
        snprintf(text[shown][1], sizeof text[shown][1], "%s\t%s", tr("con.evac.total"), total);
        lines[nl++] = text[shown][0];
        lines[nl++] = text[shown][1];
        lines[nl++] = "-";
        for (int i = 0; i < shown; i++) {
            app_time(v[i].signed_in_at, when, sizeof when);
            snprintf(text[i][0], sizeof text[i][0], "%s %s\t%s", v[i].badge, v[i].name, when + 6);
            snprintf(text[i][1], sizeof text[i][1], "  %s%s%s", v[i].company,
                     v[i].company[0] ? " / " : "", v[i].host_name);
            lines[nl++] = text[i][0];
            lines[nl++] = text[i][1];
        }
        job = a->printer.document(a->printer.ctx, "evacuation", tr("con.evac.title"), lines, nl);
    }
    snprintf(total, sizeof total, "%d on site", n);
    con_audit(a, "visitor.evacuation_list", NULL, total);
    if (text)
        explicit_bzero(text, ((size_t)shown + 1) * sizeof *text);
    if (v)
        explicit_bzero(v, (size_t)n * sizeof *v);
    free(lines), free(text), free(v);
    if (job > 0)
        con_done(a, 0, "con.v.printed", n);
    else
        con_done(a, 1, "con.v.unprinted");
}

/* Today's arrivals whose host head office has not told (issue 14: head
 * office out of reach, the host has no notification target, or sending
 * failed): reception phones them. Core gives the list; shown only when
 * someone is on it. */
static void untold_list(struct app *a, struct ui_widget *box)
{
    struct visitor_untold *u = NULL;
    int n = 0;
    char buf[600], sub[400], when[32], key[32];
    if (visitor_untold_list(a->st, bday_now(), &u, &n, NULL) != 0 || n == 0) {
        free(u);
        return;
    }
    ui_label(box, "untold_count", tr_fmt(buf, sizeof buf, "con.v.untold", n), UI_FONT_BODY);
    struct ui_widget *l = ui_list(box, "untold", NULL, NULL);
    ui_set_weight(l, 1);
    ui_set_private(l, 1);
    for (int i = 0; i < n; i++) {
        app_time(u[i].v.signed_in_at, when, sizeof when);
        snprintf(key, sizeof key, "con.v.untold_%s", u[i].outcome[0] ? u[i].outcome : "wait");
        tr_fmt(buf, sizeof buf, "con.v.untold_row", u[i].v.host_name, u[i].v.badge,
               u[i].v.name);
        tr_fmt(sub, sizeof sub, "con.v.untold_sub", when, tr(key));
        ui_list_add(l, buf, sub, (long)u[i].v.id);
    }
    explicit_bzero(buf, sizeof buf);
    explicit_bzero(sub, sizeof sub);
    explicit_bzero(u, (size_t)n * sizeof *u);
    free(u);
}

void con_page_visitors(struct app *a, struct ui_widget *box)
{
    struct visitor *v = NULL;
    int n = 0;
    char buf[600], sub[400], when[32];
    visitor_list(a->st, 1, NULL, bday_now(), &v, &n, NULL);
    ui_label(box, "count", tr_fmt(buf, sizeof buf, "con.v.count", n), UI_FONT_TITLE);
    struct ui_widget *l = ui_list(box, "visitors", on_visitor, a);
    ui_set_weight(l, 1);
    ui_set_private(l, 1);
    for (int i = 0; i < n; i++) {
        app_time(v[i].signed_in_at, when, sizeof when);
        tr_fmt(buf, sizeof buf, "con.v.row", v[i].badge, v[i].name,
               v[i].company[0] ? v[i].company : "—");
        tr_fmt(sub, sizeof sub, "con.v.sub", v[i].host_name, when);
        if (v[i].held) { /* the deny list: at reception, no badge */
            size_t len = strlen(sub);
            snprintf(sub + len, sizeof sub - len, " · %s", tr("con.v.held"));
        }
        int row = ui_list_add(l, buf, sub, (long)v[i].id);
        if (v[i].id == a->flow.sel)
            ui_list_select(l, row);
    }
    explicit_bzero(buf, sizeof buf);
    explicit_bzero(sub, sizeof sub);
    if (v)
        explicit_bzero(v, (size_t)n * sizeof *v);
    free(v);
    untold_list(a, box);
    msg_line(a, box);
    struct ui_widget *g = con_buttons(box, 2, 2);
    ui_set_enabled(ui_button(g, "signout_visitor", tr("con.v.signout"), on_signout_visitor, a),
                   n > 0);
    struct ui_widget *ev = ui_button(g, "evacuate", tr("con.v.evacuate"), on_evacuate, a);
    ui_set_style(ev, UI_STYLE_DANGER);
}

/* ---- complaints today -------------------------------------------------------------- */

void con_page_complaints(struct app *a, struct ui_widget *box)
{
    struct complaint *c = NULL;
    int n = 0, serious = 0, overdue = 0;
    char day[11], buf[600], sub[400], pretty[18], due[32], left[24], key[48];
    int64_t now = bday_now();
    queue_bday(a->st, now, day);
    complaint_list(a->st, day, now, &c, &n, NULL);
    for (int i = 0; i < n; i++) {
        serious += !strcmp(c[i].severity, "serious");
        overdue += !strcmp(c[i].state, "received") && c[i].feedback_due < now;
    }
    ui_label(box, "count", tr_fmt(buf, sizeof buf, "con.c.count", n, serious, overdue),
             UI_FONT_TITLE);
    struct ui_widget *l = ui_list(box, "complaints", NULL, NULL);
    ui_set_weight(l, 1);
    ui_set_private(l, 1);
    /* Serious ones first, then as received. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            int is_serious = !strcmp(c[i].severity, "serious");
            if (is_serious != (pass == 0))
                continue;
            complaint_ref_format(c[i].ref, pretty);
            snprintf(key, sizeof key, "cat.%s", c[i].category);
            char desc[200];
            snprintf(buf, sizeof buf, "%s%s · %s · %s", is_serious ? tr("con.c.serious") : "",
                     pretty, tr(key), cut(desc, sizeof desc, c[i].description, 90));
            explicit_bzero(desc, sizeof desc);
            app_time(c[i].feedback_due, due, sizeof due);
            snprintf(key, sizeof key, "con.st.%s", c[i].state);
            if (strcmp(c[i].state, "received"))
                snprintf(sub, sizeof sub, "%s · %s", tr(key), tr("con.c.answered"));
            else if (c[i].feedback_due < now)
                tr_fmt(sub, sizeof sub, "con.c.overdue", due);
            else
                tr_fmt(sub, sizeof sub, "con.c.due", due,
                       con_dur(c[i].feedback_due - now, left, sizeof left));
            ui_list_add(l, buf, sub, (long)c[i].id);
        }
    explicit_bzero(buf, sizeof buf);
    if (c)
        explicit_bzero(c, (size_t)n * sizeof *c);
    free(c);
}
