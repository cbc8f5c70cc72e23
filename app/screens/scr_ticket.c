/* scr_ticket.c - take a number: the open services as large tiles with the
 * people waiting and the estimated wait; one touch issues the ticket. The
 * result shows the number very large, the service, the people ahead, the
 * estimated wait, and whether the receipt printed (app_receipt_watch polls
 * the print queue). The visitor keeps the number even when the printer is
 * out of paper: then "write it down or photograph it" shows large. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bday.h"
#include "queue.h"
#include "tr.h"

/* Elder mode shows fewer services at once: this many a page, with large
 * Previous / Next buttons under them. */
#define ELDER_PER_PAGE 2

static struct {
    struct ui_widget *steps[2];  /* choose, result */
    struct ui_widget *number, *service, *ahead, *wait, *error;
    struct ui_widget *svc[64];   /* the service tiles, in order */
    int nsvc, page, pages;       /* elder mode's pages of them */
    struct ui_widget *pager, *prev, *next, *pageno;
    struct app *app;
} T;

/* Elder mode: only page T.page of the tiles is shown. */
static void show_page(void)
{
    char buf[64];
    for (int i = 0; i < T.nsvc; i++)
        ui_set_visible(T.svc[i], T.pages <= 1 || i / ELDER_PER_PAGE == T.page);
    if (!T.pager)
        return;
    ui_set_visible(T.pager, T.pages > 1);
    ui_set_enabled(T.prev, T.page > 0);
    ui_set_enabled(T.next, T.page + 1 < T.pages);
    ui_set_text(T.pageno, tr_fmt(buf, sizeof buf, "common.page", T.page + 1, T.pages));
}

static void on_page(struct ui_widget *w, void *ud)
{
    (void)ud;
    int to = T.page + (w == T.next ? 1 : -1);
    if (to < 0 || to >= T.pages)
        return;
    T.page = to;
    ui_settle(); /* other tiles under the finger now: one touch, one action */
    show_page();
}

/* Fills the result step for ticket t of the service named `name`. */
static void fill_result(struct app *a, const struct queue_ticket *t, const char *name)
{
    char buf[128];
    ui_set_text(T.number, t->label);
    ui_set_text(T.service, name);
    if (t->ahead == 1)
        ui_set_text(T.ahead, tr("ticket.ahead_one"));
    else if (t->ahead > 0)
        ui_set_text(T.ahead, tr_fmt(buf, sizeof buf, "ticket.ahead", t->ahead));
    else
        ui_set_text(T.ahead, tr("ticket.next"));
    ui_set_text(T.wait, tr_fmt(buf, sizeof buf, "ticket.est",
                               (int)((t->est_wait_s + 59) / 60)));
    ui_set_visible(T.wait, t->ahead > 0);
    app_wizard_show(a, T.steps, 2, 1, NULL);
    app_title(ui_screen_of(T.number), tr("ticket.result_title"), 0, 0);
    app_receipt_watch(a, "ticket.printed");
}

static void on_service(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    struct queue_ticket t;
    struct fd_err e = {0};
    const char *code = ui_user(w);
    if (a->flow.id) /* one ticket per visit: the result is already shown */
        return;
    int rc = queue_take(a->st, code, 0, bday_now(), &t, &e);
    if (rc) {
        ui_set_text(T.error, tr(rc == FD_ECLOSED ? "ticket.err_closed"
                                : rc == FD_EFULL ? "ticket.err_full"
                                                 : "common.error"));
        ui_set_visible(T.error, 1);
        return;
    }
    a->flow.id = t.id;
    a->flow.job = a->printer.ticket ? a->printer.ticket(a->printer.ctx, t.id, tr_zh()) : 0;
    fill_result(a, &t, ui_text(w));
}

static void on_done(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

struct ui_screen *scr_ticket(struct app *a)
{
    struct ui_screen *s = ui_screen_new("ticket");
    struct ui_widget *content = app_frame(a, s, "ticket.title", NULL);
    struct queue_service *v = NULL;
    int n = 0;
    char buf[128];
    memset(&T, 0, sizeof T);
    T.app = a;

    /* step 0: choose a service */
    T.steps[0] = ui_box(content, "choose", UI_COL);
    ui_set_weight(T.steps[0], 1);
    T.error = ui_label(T.steps[0], "error", "", UI_FONT_BODY);
    ui_set_style(T.error, UI_STYLE_DANGER);
    ui_set_visible(T.error, 0);
    struct ui_widget *grid = ui_grid(T.steps[0], "services", 2, 1);
    ui_set_weight(grid, 1);
    queue_service_list(a->st, bday_now(), &v, &n, NULL);
    int open = 0;
    for (int i = 0; i < n; i++) {
        if (!v[i].active)
            continue;
        char id[16];
        snprintf(id, sizeof id, "svc_%s", v[i].code);
        struct ui_widget *b = ui_button(grid, id, tr_zh() ? v[i].name_zh : v[i].name_en,
                                        on_service, a);
        /* the code must outlive v: keep it in the widget's id */
        ui_set_user(b, (void *)(ui_id(b) + 4));
        if (b && T.nsvc < (int)(sizeof T.svc / sizeof T.svc[0]))
            T.svc[T.nsvc++] = b;
        ui_set_font(b, UI_FONT_TITLE);
        if (v[i].open_now) {
            ui_set_sub(b, tr_fmt(buf, sizeof buf, "ticket.waiting", v[i].waiting,
                                 (int)((v[i].est_wait_s + 59) / 60)));
            open++;
        } else {
            ui_set_sub(b, tr("ticket.closed"));
            ui_set_enabled(b, 0);
        }
    }
    free(v);
    if (ui_elder() && T.nsvc > ELDER_PER_PAGE) {
        /* fewer at once, large Previous / Next under them */
        T.pages = (T.nsvc + ELDER_PER_PAGE - 1) / ELDER_PER_PAGE;
        T.pager = ui_box(T.steps[0], "pager", UI_ROW);
        T.prev = ui_button(T.pager, "page_prev", tr("common.page_prev"), on_page, a);
        T.pageno = ui_label(T.pager, "page", "", UI_FONT_BUTTON);
        ui_set_weight(T.pageno, 1);
        ui_set_align(T.pageno, UI_ALIGN_CENTER);
        T.next = ui_button(T.pager, "page_next", tr("common.page_next"), on_page, a);
        ui_set_font(T.prev, UI_FONT_TITLE);
        ui_set_font(T.next, UI_FONT_TITLE);
        ui_set_style(T.next, UI_STYLE_PRIMARY);
        show_page();
    }
    if (!open) {
        ui_set_text(T.error, tr("ticket.none"));
        ui_set_visible(T.error, 1);
    }

    /* step 1: the number */
    T.steps[1] = ui_box(content, "result", UI_COL);
    ui_set_weight(T.steps[1], 1);
    struct ui_widget *cap = ui_label(T.steps[1], "your_number", tr("ticket.your_number"),
                                     UI_FONT_TITLE);
    ui_set_align(cap, UI_ALIGN_CENTER);
    T.number = ui_bignum(T.steps[1], "number", "");
    ui_set_weight(T.number, 1);
    T.service = ui_label(T.steps[1], "service", "", UI_FONT_TITLE);
    T.ahead = ui_label(T.steps[1], "ahead", "", UI_FONT_TITLE);
    T.wait = ui_label(T.steps[1], "wait", "", UI_FONT_BODY);
    app_receipt_labels(T.steps[1]);
    struct ui_widget *listen = ui_label(T.steps[1], "listen", tr("ticket.listen"),
                                        UI_FONT_BODY);
    struct ui_widget *lines[] = {T.service, T.ahead, T.wait, listen};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        ui_set_align(lines[i], UI_ALIGN_CENTER);
    struct ui_widget *done = ui_button(T.steps[1], "done", tr("common.done"), on_done, a);
    ui_set_style(done, UI_STYLE_PRIMARY);
    app_wizard_show(a, T.steps, 2, 0, NULL);
    /* Rebuilt on the result (language switch): show the same ticket again. */
    struct queue_ticket t;
    if (a->flow.id && queue_ticket_get(a->st, a->flow.id, bday_now(), &t, NULL) == 0) {
        char id[16];
        snprintf(id, sizeof id, "svc_%s", t.service);
        struct ui_widget *b = ui_find(s, id);
        fill_result(a, &t, b ? ui_text(b) : t.service);
    }
    return s;
}
