/* scr_register.c - register a visit, one question per step (name, phone,
 * company, the person visited from the host directory, purpose), so that
 * each step is large and fits a small screen with the keyboard. Each answer
 * is checked by core's own rules when the visitor moves on, and the whole
 * record again by core on sign-in; a message from core is shown under the
 * field it is about. The last step shows the badge number; a visitor whom
 * core held at reception (head office's deny list, app/core/deny.h) sees
 * only "please see reception", with no badge and no hint of why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "bday.h"
#include "store.h"
#include "sync.h"
#include "host_find.h"
#include "tr.h"
#include "validate.h"
#include "visitor.h"

enum { ST_NAME, ST_PHONE, ST_COMPANY, ST_HOST, ST_PURPOSE, ST_DONE, NSTEPS };

static struct {
    struct app *app;
    struct ui_widget *steps[NSTEPS];
    struct ui_widget *field[ST_DONE]; /* name, phone, company, host query, purpose */
    struct ui_widget *hosts;          /* the host list */
    struct ui_widget *nomatch;        /* "no match" under the search */
    struct ui_widget *next[ST_DONE];  /* Next beside each field */
    struct kb *kb;
    struct ui_widget *badge, *notified;
    struct ui_widget *held;           /* "please see reception" instead of the badge */
} R;

static const char *const field_ids[ST_DONE] = {"name", "phone", "company", "host_q", "purpose"};
static const char *const prompts[ST_DONE] = {"register.name", "register.phone",
                                             "register.company", "register.host",
                                             "register.purpose"};
static const char *const layouts[ST_DONE] = {"letters", "phone", "letters", "letters",
                                             "letters"};

void scr_register_wipe(void)
{
    explicit_bzero(&R, sizeof R);
}

static void show_step(struct app *a, int step)
{
    struct ui_screen *s = ui_screen_of(R.badge);
    app_wizard_show(a, R.steps, NSTEPS, step, step < ST_DONE ? R.field[step] : NULL);
    if (step < ST_DONE)
        app_title(s, tr(prompts[step]), step + 1, ST_DONE);
    else
        app_title(s, tr("register.title"), 0, 0);
    ui_set_visible(kb_widget(R.kb), step < ST_DONE);
    ui_set_visible(ui_find(s, "back"), step > 0 && step < ST_DONE);
    if (step < ST_DONE)
        kb_set_layout(R.kb, layouts[step]);
}

/* Checks the answer of `step` with core's rules; shows the error. */
static int check_step(int step)
{
    struct fd_err e = {0};
    const char *v = ui_text(R.field[step]);
    int rc = 0;
    switch (step) {
    case ST_NAME:
        rc = val_text(v, "name", VISITOR_NAME_MAX, VAL_REQUIRED, &e);
        break;
    case ST_PHONE:
        rc = val_phone(v, "phone", VAL_REQUIRED, &e);
        break;
    case ST_COMPANY:
        rc = val_text(v, "company", VISITOR_COMPANY_MAX, 0, &e);
        break;
    case ST_HOST:
        if (ui_list_selected_tag(R.hosts) <= 0)
            rc = fd_fail(&e, FD_EINVAL, "host", "choose the host");
        break;
    case ST_PURPOSE:
        rc = val_text(v, "purpose", VISITOR_PURPOSE_MAX, 0, &e);
        break;
    }
    app_field_error(R.field[step], rc ? e.field : "");
    return rc;
}

static const char *step_field_name(int step)
{
    static const char *const names[] = {"name", "phone", "company", "host", "purpose"};
    return names[step];
}

/* The last step's promise (issue 14): head office tells the host within
 * seconds when it is within reach (sync_hq_in_reach: the last contact
 * succeeded and is at most 3 minutes old); else reception calls the host,
 * and the staff console lists the arrival until head office says it told
 * them. */
static const char *notified_key(struct app *a)
{
    return sync_hq_in_reach(store_db(a->st), (long long)time(NULL)) ? "register.notified"
                                                                   : "register.call_host";
}

/* The end for a visitor held at reception: no badge, no host, no slip. */
static void show_held(struct app *a)
{
    show_step(a, ST_DONE);
    ui_set_visible(R.steps[ST_DONE], 0);
    ui_set_visible(R.held, 1);
}

static void submit(struct app *a)
{
    struct visitor *v = calloc(1, sizeof *v);
    struct fd_err e = {0};
    char buf[256];
    if (a->flow.id) { /* signed in once per visit */
        free(v);
        show_step(a, ST_DONE);
        return;
    }
    if (!v)
        return;
    struct visitor_in in = {.name = ui_text(R.field[ST_NAME]),
                            .phone = ui_text(R.field[ST_PHONE]),
                            .company = ui_text(R.field[ST_COMPANY]),
                            .host_id = ui_list_selected_tag(R.hosts),
                            .purpose = ui_text(R.field[ST_PURPOSE])};
    int rc = visitor_sign_in(a->st, &in, bday_now(), v, &e);
    if (rc) {
        /* back to the step the message is about */
        for (int i = 0; i < ST_DONE; i++)
            if (!strcmp(e.field, step_field_name(i))) {
                show_step(a, i);
                app_field_error(R.field[i], e.field);
                break;
            }
        explicit_bzero(v, sizeof *v);
        free(v);
        return;
    }
    a->flow.id = v->id;
    if (v->held) {
        /* Nothing prints and nothing says why; the staff console knows. */
        explicit_bzero(v, sizeof *v);
        free(v);
        for (int i = 0; i < ST_DONE; i++)
            ui_field_clear(R.field[i]);
        if (a->ime.forget)
            a->ime.forget(a->ime.ctx);
        show_held(a);
        return;
    }
    ui_set_text(R.badge, v->badge);
    ui_set_text(R.notified, tr_fmt(buf, sizeof buf, notified_key(a), v->host_name));
    a->flow.job = a->printer.visitor ? a->printer.visitor(a->printer.ctx, v->id, tr_zh()) : 0;
    explicit_bzero(v, sizeof *v);
    free(v);
    /* The record is made: what was typed leaves the screen and the input
     * method now, not only at the idle reset. */
    for (int i = 0; i < ST_DONE; i++)
        ui_field_clear(R.field[i]);
    if (a->ime.forget)
        a->ime.forget(a->ime.ctx);
    show_step(a, ST_DONE);
    app_receipt_watch(a, "register.slip");
}

static void on_next(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    int step = a->flow.step;
    if (step >= ST_DONE || check_step(step))
        return;
    if (step == ST_PURPOSE)
        submit(a);
    else
        show_step(a, step + 1);
}

static void on_back(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    if (a->flow.step > 0 && a->flow.step < ST_DONE)
        show_step(a, a->flow.step - 1);
}

/* The host list for what is typed in the search: core finds them (by the
 * characters, the department or the pinyin, host_find); the choice stays
 * when the chosen host is still listed; none found says so. */
static void list_hosts(struct app *a, const char *query)
{
    struct host *h = NULL;
    int n = 0;
    struct fd_err e = {0};
    ui_list_clear(R.hosts);
    if (host_find(a->st, query, &h, &n, &e))
        n = 0; /* a query core refuses (too long) finds nobody */
    for (int k = 0; k < n; k++) {
        int row = ui_list_add(R.hosts, h[k].name, h[k].department, (long)h[k].id);
        if (row >= 0 && h[k].id == a->flow.host_id)
            ui_list_select(R.hosts, row);
    }
    free(h);
    ui_set_visible(R.nomatch, n == 0);
}

static void on_host_query(struct ui_widget *w, void *ud)
{
    list_hosts(ud, ui_text(w));
}

static void on_host_pick(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.host_id = ui_list_selected_tag(w);
    app_field_error(R.field[ST_HOST], "");
}

static void on_invite(struct ui_widget *w, void *ud)
{
    (void)w;
    scr_invite_open(ud, ""); /* what was typed here is wiped on the way */
}

static void on_done(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

struct ui_screen *scr_register(struct app *a)
{
    struct ui_screen *s = ui_screen_new("register");
    struct ui_widget *content = app_frame(a, s, "register.title", on_back);
    scr_register_wipe();
    R.app = a;
    for (int i = 0; i < ST_DONE; i++) {
        char id[24];
        static const int caps[ST_DONE] = {VISITOR_NAME_MAX, 24, VISITOR_COMPANY_MAX,
                                          HOST_NAME_MAX_CHARS, VISITOR_PURPOSE_MAX};
        snprintf(id, sizeof id, "step_%s", field_ids[i]);
        /* The host step puts the list beside the search on a landscape
         * screen, where the keyboard leaves little height. */
        R.steps[i] = ui_box(content, id, i == ST_HOST ? UI_AUTO : UI_COL);
        ui_set_weight(R.steps[i], i == ST_HOST ? 1 : 0);
        struct ui_widget *col = R.steps[i];
        if (i == ST_HOST && ui_is_landscape()) {
            col = ui_box(R.steps[i], NULL, UI_COL);
            ui_set_weight(col, 1);
        }
        struct ui_widget *row = ui_box(col, NULL, UI_ROW);
        R.field[i] = ui_field(row, field_ids[i],
                              i == ST_HOST ? tr("register.host_search") : tr(prompts[i]),
                              caps[i]);
        ui_set_weight(R.field[i], 1);
        app_field_limit(R.field[i], caps[i]);
        ui_field_set_keyboard(R.field[i], layouts[i]);
        ui_field_on_submit(R.field[i], on_next, a);
        snprintf(id, sizeof id, "next_%s", field_ids[i]);
        R.next[i] = ui_button(row, i == ST_PURPOSE ? "submit" : id,
                              tr(i == ST_PURPOSE ? "common.submit" : "common.next"), on_next, a);
        ui_set_style(R.next[i], UI_STYLE_PRIMARY);
        if (i == ST_NAME) {
            /* An invited guest needs none of these questions (issue 14):
             * beside Next on a landscape screen, where the keyboard leaves
             * no height for a line of its own (10.1" panel at 117 dpi). */
            struct ui_widget *inv = ui_button(ui_is_landscape() ? row : col, "have_invite",
                                              tr("register.have_invite"), on_invite, a);
            ui_set_style(inv, UI_STYLE_QUIET);
        }
        if (i == ST_HOST) {
            ui_field_on_change(R.field[i], on_host_query, a);
            R.nomatch = ui_label(col, "nomatch", tr("register.no_match"), UI_FONT_BODY);
            ui_set_style(R.nomatch, UI_STYLE_DANGER);
            R.hosts = ui_list(R.steps[i], "hosts", on_host_pick, a);
            ui_set_weight(R.hosts, 1);
            list_hosts(a, NULL); /* rebuilt: the choice stays */
        }
    }
    R.steps[ST_DONE] = ui_box(content, "step_done", UI_COL);
    ui_set_weight(R.steps[ST_DONE], 1);
    struct ui_widget *t = ui_label(R.steps[ST_DONE], "done_title", tr("register.done_title"),
                                   UI_FONT_HEADLINE);
    ui_set_align(t, UI_ALIGN_CENTER);
    ui_set_align(ui_label(R.steps[ST_DONE], NULL, tr("register.badge"), UI_FONT_TITLE),
                 UI_ALIGN_CENTER);
    R.badge = ui_bignum(R.steps[ST_DONE], "badge", "");
    ui_set_weight(R.badge, 1);
    R.notified = ui_label(R.steps[ST_DONE], "notified", "", UI_FONT_TITLE);
    ui_set_private(R.notified, 1);
    ui_set_align(R.notified, UI_ALIGN_CENTER);
    app_receipt_labels(R.steps[ST_DONE]);
    struct ui_widget *done = ui_button(R.steps[ST_DONE], "done", tr("common.done"), on_done, a);
    ui_set_style(done, UI_STYLE_PRIMARY);
    R.held = app_held_panel(a, content, on_done);

    ui_spacer(content, 0.01f); /* the keyboard sits at the bottom */
    R.kb = app_keyboard(a, content, "letters");
    /* Rebuilt (language switch) after signing in: the same badge again. */
    struct visitor *v = a->flow.id ? calloc(1, sizeof *v) : NULL;
    char idbuf[24], buf[256];
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)a->flow.id);
    int found = v && visitor_find(a->st, idbuf, bday_now(), v, NULL) == 0;
    if (found && v->held) {
        show_held(a);
    } else if (found) {
        ui_set_text(R.badge, v->badge);
        ui_set_text(R.notified, tr_fmt(buf, sizeof buf, notified_key(a), v->host_name));
        show_step(a, ST_DONE);
        app_receipt_watch(a, "register.slip");
    } else {
        show_step(a, a->flow.step < ST_DONE ? a->flow.step : 0);
    }
    if (v)
        explicit_bzero(v, sizeof *v);
    free(v);
    explicit_bzero(buf, sizeof buf);
    return s;
}
