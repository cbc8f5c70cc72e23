/* scr_console.c - the staff console, reached through the hidden corner and a
 * PIN (scr_staff.c): page tabs, the counter page (call next, recall,
 * no-show, start serving, finish, transfer; who is being served and for how
 * long) and the way out of the kiosk program, which exists only here. The
 * other pages are in scr_console_pages.c and scr_console_admin.c. Above the
 * tabs, a visitor held at reception (the deny list, app/core/deny.h) shows
 * as a banner until a staff member acknowledges it: only here, never on a
 * visitor's screen. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "deny.h"
#include "journal.h"
#include "queue.h"
#include "scr_console.h"
#include "tr.h"

static const struct {
    const char *id, *key;
    void (*build)(struct app *, struct ui_widget *);
} pages[CON_PAGES] = {
    {"tab_counter", "con.tab.counter", con_page_counter},
    {"tab_queue", "con.tab.queue", con_page_queue},
    {"tab_visitors", "con.tab.visitors", con_page_visitors},
    {"tab_complaints", "con.tab.complaints", con_page_complaints},
    {"tab_health", "con.tab.health", con_page_health},
    {"tab_handover", "con.tab.handover", con_page_handover},
    {"tab_day", "con.tab.day", con_page_day},
    {"home", "con.tab.exit", NULL}, /* the frame's Home button */
};

/* ---- helpers -------------------------------------------------------------- */

void con_audit(struct app *a, const char *action, const char *subject, const char *detail)
{
    struct fd_err e = {0};
    if (journal_audit(a->st, a->flow.staff_name[0] ? a->flow.staff_name : "?", action,
                      subject, detail, bday_now(), &e))
        fprintf(stderr, "frontdesk: audit %s: %s\n", action, e.msg);
}

void con_done(struct app *a, int bad, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    vsnprintf(a->flow.msg, sizeof a->flow.msg, tr(key), ap);
    va_end(ap);
    a->flow.msg_bad = bad;
    app_rebuild(a);
}

const char *con_dur(int64_t s, char *buf, size_t len)
{
    if (s < 0)
        s = 0;
    if (s >= 3600)
        snprintf(buf, len, "%lld:%02lld:%02lld", (long long)(s / 3600),
                 (long long)(s / 60 % 60), (long long)(s % 60));
    else
        snprintf(buf, len, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

struct ui_widget *con_buttons(struct ui_widget *box, int n, int portrait_cols)
{
    return ui_grid(box, NULL, n, portrait_cols);
}

/* ---- the counter page ------------------------------------------------------- */

static struct {
    int timer;          /* ticking "for how long", 0 = none */
    int64_t since;      /* called_at or serving_at of the current ticket */
    int serving;
} T;

static void tick_since(void *ud)
{
    struct app *a = ud;
    char buf[96], d[24];
    struct ui_widget *w = a->cur == SCR_CONSOLE ? ui_find(a->screen, "since") : NULL;
    T.timer = 0;
    if (!w || !T.since)
        return;
    ui_set_text(w, tr_fmt(buf, sizeof buf, T.serving ? "con.serving_for" : "con.called_for",
                          con_dur(bday_now() - T.since, d, sizeof d)));
    T.timer = ui_timer_add(1000, tick_since, a);
}

enum op { OP_CALL, OP_RECALL, OP_NOSHOW, OP_SERVE, OP_FINISH, OP_COUNT };

static const struct {
    const char *id, *key, *action, *done;
} ops[OP_COUNT] = {
    {"call", "con.call", "queue.call", "con.done.call"},
    {"recall", "con.recall", "queue.recall", "con.done.recall"},
    {"noshow", "con.noshow", "queue.noshow", "con.done.noshow"},
    {"serve", "con.serve", "queue.serve", "con.done.serve"},
    {"finish", "con.finish", "queue.finish", "con.done.finish"},
};

/* Shows why a counter operation failed. */
static void op_failed(struct app *a, int rc, const struct fd_err *e)
{
    if (rc == FD_EEMPTY)
        con_done(a, 1, "con.err.empty");
    else if (rc == FD_ESTATE && strstr(e->msg, "has not come yet"))
        con_done(a, 1, "con.err.state");
    else if (rc == FD_ESTATE)
        con_done(a, 1, "con.err.none");
    else
        con_done(a, 1, "con.err.other", e->msg);
}

static void on_op(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    int op = (int)(intptr_t)ui_user(w), rc = 0, counter = a->flow.counter;
    struct queue_ticket t = {0};
    struct fd_err e = {0};
    char subj[32];
    int64_t now = bday_now();
    const char *who = a->flow.staff_name;
    switch (op) {
    case OP_CALL: rc = queue_call_next(a->st, counter, who, now, &t, &e); break;
    case OP_RECALL: rc = queue_recall(a->st, counter, who, now, &t, &e); break;
    case OP_NOSHOW: rc = queue_noshow(a->st, counter, who, now, &t, &e); break;
    case OP_SERVE: rc = queue_serve(a->st, counter, who, now, &t, &e); break;
    default: rc = queue_finish(a->st, counter, who, now, &t, &e); break;
    }
    snprintf(subj, sizeof subj, "counter %d", counter);
    if (rc) {
        con_audit(a, ops[op].action, subj, e.msg[0] ? e.msg : fd_err_name(rc));
        op_failed(a, rc, &e);
        return;
    }
    con_audit(a, ops[op].action, subj, t.label);
    /* A recall past the limit turns the ticket into a no-show (core). */
    if (op == OP_RECALL && !strcmp(t.state, "noshow"))
        con_done(a, 0, "con.done.noshow", t.label);
    else if (op == OP_CALL)
        con_done(a, 0, ops[op].done, t.label, counter);
    else
        con_done(a, 0, ops[op].done, t.label);
}

static void on_transfer(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    a->flow.transfer = !a->flow.transfer;
    a->flow.msg[0] = '\0';
    app_rebuild(a);
}

static void on_transfer_to(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    const char *code = ui_id(w) + 3; /* "to_A" */
    struct queue_ticket t = {0};
    struct fd_err e = {0};
    char subj[32], detail[64];
    a->flow.transfer = 0;
    int rc = queue_transfer(a->st, a->flow.counter, code, a->flow.staff_name, bday_now(), &t, &e);
    snprintf(subj, sizeof subj, "counter %d", a->flow.counter);
    snprintf(detail, sizeof detail, "%s -> %s", rc ? "" : t.label, code);
    con_audit(a, "queue.transfer", subj, rc ? e.msg : detail);
    if (rc)
        op_failed(a, rc, &e);
    else
        con_done(a, 0, "con.done.transfer", t.label, code);
}

/* Opens (staffed) or closes the chosen counter; core refuses to close one
 * with a ticket called or in service. */
static void on_open_close(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    int open = (int)(intptr_t)ui_user(w);
    struct fd_err e = {0};
    char subj[32];
    int rc = queue_counter_set_open(a->st, a->flow.counter, open, &e);
    snprintf(subj, sizeof subj, "counter %d", a->flow.counter);
    con_audit(a, open ? "counter.open" : "counter.close", subj, rc ? e.msg : NULL);
    if (rc == FD_ESTATE)
        con_done(a, 1, "con.err.busy");
    else if (rc)
        con_done(a, 1, "con.err.other", e.msg);
    else
        con_done(a, 0, open ? "con.opened" : "con.closed", a->flow.counter);
}

static void on_counter(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.counter = (int)(intptr_t)ui_user(w);
    a->flow.transfer = 0;
    a->flow.msg[0] = '\0';
    app_rebuild(a);
}

void con_page_counter(struct app *a, struct ui_widget *box)
{
    struct queue_counter *c = NULL;
    struct queue_service *v = NULL;
    int nc = 0, nv = 0;
    char buf[200], d[24];
    const struct queue_counter *mine = NULL;
    queue_counter_list(a->st, &c, &nc, NULL);
    if (!a->flow.counter) /* the first open counter until one is chosen */
        for (int i = 0; i < nc && !a->flow.counter; i++)
            if (c[i].open)
                a->flow.counter = c[i].id;
    struct ui_widget *row = ui_grid(box, "counters", nc > 0 && nc < 6 ? nc : 6, 3);
    for (int i = 0; i < nc; i++) {
        char id[16];
        snprintf(id, sizeof id, "counter_%d", c[i].id);
        struct ui_widget *b = ui_button(row, id, tr_fmt(buf, sizeof buf, "con.counter", c[i].id),
                                        on_counter, a);
        ui_set_user(b, (void *)(intptr_t)c[i].id);
        ui_set_sub(b, c[i].open ? c[i].services : tr("con.counter.closed"));
        if (c[i].id == a->flow.counter) {
            ui_set_style(b, UI_STYLE_SELECTED);
            mine = &c[i];
        }
    }
    struct ui_widget *now = ui_box(box, "now", UI_AUTO);
    ui_set_weight(now, 1);
    struct ui_widget *num = ui_bignum(now, "ticket", mine && mine->ticket_id ? mine->ticket : "—");
    ui_set_weight(num, 1);
    struct ui_widget *side = ui_box(now, NULL, UI_COL);
    ui_set_weight(side, 1);
    struct queue_ticket t = {0};
    T.since = 0;
    if (mine && mine->ticket_id && queue_ticket_get(a->st, mine->ticket_id, bday_now(), &t, NULL) == 0) {
        T.serving = !strcmp(t.state, "serving");
        T.since = T.serving ? t.serving_at : t.called_at;
        ui_label(side, "since", tr_fmt(buf, sizeof buf, T.serving ? "con.serving_for" : "con.called_for",
                                        con_dur(bday_now() - T.since, d, sizeof d)),
                 UI_FONT_TITLE);
    } else {
        ui_label(side, "since", tr("con.none"), UI_FONT_TITLE);
    }
    struct ui_widget *msg = ui_label(side, "msg", a->flow.msg, UI_FONT_BODY);
    ui_set_lines(msg, 2);
    if (T.timer)
        ui_timer_cancel(T.timer);
    T.timer = T.since ? ui_timer_add(1000, tick_since, a) : 0;

    int called = mine && !strcmp(mine->ticket_state, "called");
    int serving = mine && !strcmp(mine->ticket_state, "serving");
    if (a->flow.transfer && (called || serving)) {
        ui_label(box, NULL, tr("con.transfer.to"), UI_FONT_BODY);
        queue_service_list(a->st, bday_now(), &v, &nv, NULL);
        struct ui_widget *g = con_buttons(box, nv + 1 < 6 ? nv + 1 : 6, 3);
        for (int i = 0; i < nv; i++) {
            char id[8];
            if (!v[i].active || !strcmp(v[i].code, t.service))
                continue;
            snprintf(id, sizeof id, "to_%s", v[i].code);
            snprintf(buf, sizeof buf, "%s %s", v[i].code, tr_zh() ? v[i].name_zh : v[i].name_en);
            ui_button(g, id, buf, on_transfer_to, a);
        }
        struct ui_widget *cancel = ui_button(g, "transfer_cancel", tr("common.cancel"), on_transfer, a);
        ui_set_style(cancel, UI_STYLE_QUIET);
        free(v);
    } else {
        struct ui_widget *g = con_buttons(box, 4, 2);
        for (int i = 0; i < OP_COUNT; i++) {
            struct ui_widget *b = ui_button(g, ops[i].id, tr(ops[i].key), on_op, a);
            ui_set_user(b, (void *)(intptr_t)i);
            int on = i == OP_CALL     ? !called && mine && mine->open
                     : i == OP_SERVE  ? called
                     : i == OP_FINISH ? called || serving
                                      : called;
            ui_set_enabled(b, on);
            if (i == OP_CALL)
                ui_set_style(b, UI_STYLE_PRIMARY);
        }
        struct ui_widget *tb = ui_button(g, "transfer", tr("con.transfer"), on_transfer, a);
        ui_set_enabled(tb, called || serving);
        if (mine) {
            struct ui_widget *oc = ui_button(g, "open_close",
                                             tr(mine->open ? "con.close" : "con.open"),
                                             on_open_close, a);
            ui_set_user(oc, (void *)(intptr_t)!mine->open);
            ui_set_style(oc, mine->open ? UI_STYLE_QUIET : UI_STYLE_PRIMARY);
        }
    }
    free(c);
}

/* ---- leaving ---------------------------------------------------------------- */

static void on_signout(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    con_audit(a, "signout", NULL, NULL);
    app_home(a);
}

static void on_quit(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    con_audit(a, "kiosk.quit", NULL, NULL);
    ui_quit_loop();
}

static void page_exit(struct app *a, struct ui_widget *box)
{
    ui_label(box, NULL, tr("con.exit.text"), UI_FONT_TITLE);
    ui_spacer(box, 1);
    struct ui_widget *row = ui_box(box, NULL, UI_AUTO);
    struct ui_widget *back = ui_button(row, "back", tr("staff.back"), on_signout, a);
    ui_set_weight(back, 1);
    ui_set_style(back, UI_STYLE_PRIMARY);
    struct ui_widget *quit = ui_button(row, "quit", tr("staff.leave"), on_quit, a);
    ui_set_weight(quit, 1);
    ui_set_style(quit, UI_STYLE_DANGER);
}

/* ---- the deny list's alerts -------------------------------------------------- */

static void on_deny_ack(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    struct deny_alert *al = NULL;
    struct fd_err e = {0};
    int n = 0;
    int64_t id = (int64_t)(intptr_t)ui_user(w);
    char badge[8] = "";
    /* the badge for the message: from the open alerts, as shown */
    if (deny_alert_open(a->st, &al, &n, NULL) == 0)
        for (int i = 0; i < n; i++)
            if (al[i].id == id)
                snprintf(badge, sizeof badge, "%s", al[i].badge);
    free(al);
    int rc = deny_alert_ack(a->st, id, a->flow.staff_name[0] ? a->flow.staff_name : "?",
                            bday_now(), &e); /* audited by core */
    if (rc)
        con_done(a, 1, "con.err.other", e.msg);
    else
        con_done(a, 0, "con.deny.acked", badge);
}

/* A tap on the alert shows that visitor on the visitors page. */
static void on_deny_show(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.page = CON_VISITORS;
    a->flow.sel = (int64_t)(intptr_t)ui_user(w);
    a->flow.transfer = 0;
    a->flow.msg[0] = '\0';
    app_rebuild(a);
}

/* The oldest open alert as a banner (with how many more), or nothing. */
static void deny_banner(struct app *a, struct ui_widget *content)
{
    struct deny_alert *al = NULL;
    int n = 0;
    char buf[400], when[24], more[64];
    if (deny_alert_open(a->st, &al, &n, NULL) != 0 || n == 0) {
        free(al);
        return;
    }
    const char *by = !strcmp(al[0].matched, "name")    ? tr("con.deny.by.name")
                     : !strcmp(al[0].matched, "phone") ? tr("con.deny.by.phone")
                                                       : tr("con.deny.by.both");
    struct ui_widget *row = ui_box(content, "deny_banner", UI_AUTO); /* a column in portrait */
    struct ui_widget *b = ui_button(row, "deny_alert",
                                    tr_fmt(buf, sizeof buf, "con.deny.alert", al[0].badge, by),
                                    on_deny_show, a);
    ui_set_user(b, (void *)(intptr_t)al[0].visitor_id);
    ui_set_style(b, UI_STYLE_DANGER);
    ui_set_weight(b, 1);
    ui_set_font(b, UI_FONT_BODY); /* one line for the what, one for who and when */
    ui_set_private(b, 1);
    /* who and when on the second line, and how many more wait */
    tr_fmt(buf, sizeof buf, "con.deny.detail", al[0].name, app_time(al[0].at, when, sizeof when));
    if (n > 1) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, " · %s",
                 tr_fmt(more, sizeof more, "con.deny.more", n - 1));
    }
    ui_set_sub(b, buf);
    struct ui_widget *ack = ui_button(row, "deny_ack", tr("con.deny.ack"), on_deny_ack, a);
    ui_set_user(ack, (void *)(intptr_t)al[0].id);
    ui_set_style(ack, UI_STYLE_PRIMARY);
    explicit_bzero(buf, sizeof buf);
    explicit_bzero(al, (size_t)n * sizeof *al);
    free(al);
}

/* ---- the screen --------------------------------------------------------------- */

void scr_console_refresh(struct app *a)
{
    if (a->cur == SCR_CONSOLE && a->flow.page == CON_HEALTH)
        app_rebuild(a);
}

/* While the console is shown, what other processes do (a call made at
 * another counter's console, a ticket taken at the kiosk, head office's
 * status changes) shows within a second. The handover page is left alone
 * while a note is being typed. The timer stops when the console is left. */
#define CONSOLE_POLL_MS 1000
static int console_timer;  /* the pending tick, 0 = none */
static int64_t console_seen; /* data_version the shown console reflects */

static void console_tick(void *ud)
{
    int64_t seen = console_seen;
    struct app *a = ud;
    console_timer = 0;
    if (a->cur != SCR_CONSOLE)
        return;
    int64_t v = store_data_version(a->st);
    int changed = v != seen;
    console_seen = v;
    if (changed && a->flow.page != CON_HANDOVER)
        app_rebuild(a); /* the rebuilt console arms the next tick */
    if (!console_timer)
        console_timer = ui_timer_add(CONSOLE_POLL_MS, console_tick, a);
}

static void on_tab(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.page = (int)(intptr_t)ui_user(w);
    a->flow.sel = 0;
    a->flow.transfer = 0;
    a->flow.msg[0] = '\0';
    app_rebuild(a);
}

struct ui_screen *scr_console(struct app *a)
{
    struct ui_screen *s = ui_screen_new("console");
    console_seen = store_data_version(a->st); /* what this build shows */
    if (!console_timer)
        console_timer = ui_timer_add(CONSOLE_POLL_MS, console_tick, a);
    struct ui_widget *content = app_frame(a, s, "staff.console", NULL);
    char buf[160];
    if (a->flow.page < 0 || a->flow.page >= CON_PAGES)
        a->flow.page = CON_COUNTER;
    app_title(s, tr_fmt(buf, sizeof buf, "con.title", a->flow.staff_name), 0, 0);
    /* Home would leave the console without a trace: it opens the exit page
     * (sign out, or quit the program) instead. */
    struct ui_widget *home = ui_find(s, "home");
    if (home) {
        ui_set_text(home, tr("con.tab.exit"));
        ui_set_user(home, (void *)(intptr_t)CON_EXIT);
        ui_on_tap(home, on_tab, a);
        if (a->flow.page == CON_EXIT)
            ui_set_style(home, UI_STYLE_SELECTED);
    }
    deny_banner(a, content);
    struct ui_widget *tabs = ui_grid(content, "tabs", CON_EXIT, 3);
    /* Seven tabs in a row: the smaller text keeps each word on one line. */
    enum ui_font tab_font = UI_FONT_SMALL;
    for (int i = 0; i < CON_EXIT; i++) {
        struct ui_widget *b = ui_button(tabs, pages[i].id, tr(pages[i].key), on_tab, a);
        ui_set_user(b, (void *)(intptr_t)i);
        ui_set_font(b, tab_font);
        if (i == a->flow.page)
            ui_set_style(b, UI_STYLE_SELECTED);
    }
    struct ui_widget *box = ui_box(content, "page", UI_COL);
    ui_set_weight(box, 1);
    if (a->flow.page == CON_EXIT)
        page_exit(a, box);
    else
        pages[a->flow.page].build(a, box);
    return s;
}
