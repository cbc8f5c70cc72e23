/* scr_invite.c - a guest checks in with an invitation (issue 14): types the
 * code on a big keypad, or scans the invitation's QR anywhere (app.c's
 * scanner watch opens this screen with the code), sees their own details
 * as head office sent them (the phone masked), and confirms with one touch;
 * core signs them in (invite_use: once, only on its day, offline) and the
 * visitor badge prints. A wrong, used, cancelled or other day's code gets
 * its own sentence under the field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bday.h"
#include "invite.h"
#include "receipt.h"
#include "tr.h"

enum { ST_CODE, ST_CONFIRM, ST_DONE, NSTEPS };

static struct {
    struct ui_widget *steps[NSTEPS];
    struct ui_widget *code;           /* the field */
    struct ui_widget *msg;            /* why a code was refused, large */
    struct ui_widget *name, *company, *purpose, *host, *phone, *badge, *noted;
    struct ui_widget *held; /* the deny list's "please see reception" (deny.h) */
    struct kb *kb;
    char pending[INVITE_CODE_LEN * 2 + 1]; /* a scanned code to look up when built */
    char found[INVITE_CODE_LEN + 1];  /* the code of the invitation shown */
} I;

void scr_invite_wipe(void)
{
    explicit_bzero(&I, sizeof I);
}

static void show_step(struct app *a, int step)
{
    static const char *const titles[NSTEPS] = {"invite.title", "invite.confirm_title",
                                               "invite.done_title"};
    app_wizard_show(a, I.steps, NSTEPS, step, step == ST_CODE ? I.code : NULL);
    app_title(ui_screen_of(I.code), tr(titles[step]), 0, 0);
    ui_set_visible(ui_find(ui_screen_of(I.code), "back"), step == ST_CONFIRM);
}

/* The sentence for why a code cannot be used. */
static void refuse(int rc, int why, const struct invitation *inv)
{
    char buf[256];
    const char *msg;
    if (rc == FD_ENOTFOUND) {
        char norm[INVITE_CODE_LEN + 1];
        msg = tr(invite_code_parse(ui_text(I.code), norm) ? "invite.bad_code"
                                                          : "invite.unknown");
    } else if (rc == FD_ESTATE && why == INVITE_USED) {
        msg = tr("invite.used");
    } else if (rc == FD_ESTATE && why == INVITE_OTHER_DAY) {
        msg = tr_fmt(buf, sizeof buf, "invite.other_day", inv->day);
    } else if (rc == FD_ESTATE && why == INVITE_CANCELLED) {
        msg = tr("invite.cancelled");
    } else {
        msg = tr("invite.failed");
    }
    ui_set_text(I.msg, msg);
    ui_set_visible(I.msg, 1);
}

/* Looks the typed code up: the guest's details, or why not. */
static void lookup(struct app *a)
{
    struct invitation *inv = calloc(1, sizeof *inv);
    struct fd_err e = {0};
    char phone[32], shown[INVITE_CODE_SHOWN];
    int why = 0;
    if (!inv)
        return;
    int rc = invite_find(a->st, ui_text(I.code), bday_now(), inv, &why, &e);
    if (rc) {
        refuse(rc, why, inv);
        show_step(a, ST_CODE);
    } else {
        ui_set_text(I.msg, "");
        ui_set_visible(I.msg, 0);
        snprintf(I.found, sizeof I.found, "%s", inv->code);
        invite_code_format(inv->code, shown);
        ui_field_clear(I.code);
        ui_field_insert(I.code, shown);
        ui_set_text(I.name, inv->name);
        ui_set_text(I.company, inv->company[0] ? inv->company : "-");
        ui_set_text(I.purpose, inv->purpose[0] ? inv->purpose : "-");
        ui_set_text(I.host, inv->host[0] ? inv->host : "-");
        if (receipt_mask_phone(inv->phone, phone, sizeof phone) != 0)
            phone[0] = '\0';
        ui_set_text(I.phone, phone);
        explicit_bzero(phone, sizeof phone);
        show_step(a, ST_CONFIRM);
    }
    explicit_bzero(inv, sizeof *inv);
    free(inv);
}

static void on_check(struct ui_widget *w, void *ud)
{
    (void)w;
    lookup(ud);
}

/* Shows the badge of the visitor the check-in made (a->flow.id). */
static int show_done(struct app *a)
{
    struct visitor *v = calloc(1, sizeof *v);
    char key[24], buf[160];
    int ok = 0, held = 0;
    snprintf(key, sizeof key, "%lld", (long long)a->flow.id);
    if (v && visitor_find(a->st, key, bday_now(), v, NULL) == 0 && v->held) {
        held = ok = 1; /* the same neutral end as a walk-in's: nothing says why */
    } else if (v && visitor_find(a->st, key, bday_now(), v, NULL) == 0) {
        ui_set_text(I.badge, v->badge);
        ui_set_text(I.noted, tr_fmt(buf, sizeof buf, "invite.noted", v->host_name[0]
                                                                    ? v->host_name
                                                                    : tr("invite.reception")));
        ok = 1;
    }
    if (v)
        explicit_bzero(v, sizeof *v);
    free(v);
    if (ok) {
        show_step(a, ST_DONE);
        if (held) {
            app_title(ui_screen_of(I.code), tr("invite.title"), 0, 0);
            ui_set_visible(I.steps[ST_DONE], 0);
            ui_set_visible(I.held, 1);
        } else {
            app_receipt_watch(a, "register.slip");
        }
    }
    return ok;
}

static void on_confirm(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    struct visitor *v = calloc(1, sizeof *v);
    struct fd_err e = {0};
    int why = 0;
    if (!v)
        return;
    if (a->flow.id) { /* checked in once per visit */
        free(v);
        show_done(a);
        return;
    }
    int rc = invite_use(a->st, I.found, bday_now(), v, &why, &e);
    if (rc) {
        struct invitation inv;
        memset(&inv, 0, sizeof inv);
        invite_find(a->st, I.found, bday_now(), &inv, &why, NULL);
        refuse(rc, why, &inv);
        explicit_bzero(&inv, sizeof inv);
        show_step(a, ST_CODE);
    } else {
        a->flow.id = v->id;
        /* A guest the deny list holds gets no badge (as a walk-in would). */
        a->flow.job = a->printer.visitor && !v->held
                          ? a->printer.visitor(a->printer.ctx, v->id, tr_zh())
                          : 0;
        for (int i = 0; i < 5; i++) { /* the details leave the screen now */
            struct ui_widget *f[] = {I.name, I.company, I.purpose, I.host, I.phone};
            ui_set_text(f[i], "");
        }
        show_done(a);
    }
    explicit_bzero(v, sizeof *v);
    free(v);
}

static void on_back(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    if (a->flow.step == ST_CONFIRM) {
        ui_field_clear(I.code);
        show_step(a, ST_CODE);
    }
}

static void on_done(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

void scr_invite_open(struct app *a, const char *code)
{
    int zh = tr_zh();
    char c[sizeof I.pending];
    snprintf(c, sizeof c, "%s", code);
    /* Whatever the visitor was doing is over: its typing and its flow go. */
    app_home(a);
    tr_set_zh(zh);
    snprintf(I.pending, sizeof I.pending, "%s", c);
    explicit_bzero(c, sizeof c);
    app_go(a, SCR_INVITE);
}

/* One "label: value" line of the guest's details. */
static struct ui_widget *detail(struct ui_widget *box, const char *id, const char *key)
{
    struct ui_widget *row = ui_box(box, NULL, UI_ROW);
    ui_label(row, NULL, tr(key), UI_FONT_TITLE);
    struct ui_widget *v = ui_label(row, id, "", UI_FONT_TITLE);
    ui_set_weight(v, 1);
    ui_set_lines(v, 2);
    ui_set_private(v, 1);
    return v;
}

struct ui_screen *scr_invite(struct app *a)
{
    struct ui_screen *s = ui_screen_new("invite");
    struct ui_widget *content = app_frame(a, s, "invite.title", on_back);
    char pending[sizeof I.pending], found[sizeof I.found];
    /* keep what survives a rebuild (language switch) or came from a scan */
    snprintf(pending, sizeof pending, "%s", I.pending);
    snprintf(found, sizeof found, "%s", I.found);
    scr_invite_wipe();
    snprintf(I.found, sizeof I.found, "%s", found);

    /* The code: the keypad beside the field (landscape) or under it. */
    I.steps[ST_CODE] = ui_box(content, "step_code", UI_AUTO);
    ui_set_weight(I.steps[ST_CODE], 1);
    struct ui_widget *left = ui_box(I.steps[ST_CODE], "answer", UI_COL);
    ui_set_weight(left, 1);
    ui_label(left, NULL, tr("invite.enter"), UI_FONT_TITLE);
    struct ui_widget *row = ui_box(left, "code_row", UI_ROW);
    I.code = ui_field(row, "inv_code", "12345-67890", 16);
    ui_set_weight(I.code, 1);
    ui_field_set_keyboard(I.code, "numeric");
    ui_field_on_submit(I.code, on_check, a);
    struct ui_widget *go = ui_button(row, "inv_check", tr("invite.check"), on_check, a);
    ui_set_style(go, UI_STYLE_PRIMARY);
    I.msg = ui_label(left, "inv_msg", "", UI_FONT_TITLE);
    ui_set_style(I.msg, UI_STYLE_DANGER);
    ui_set_lines(I.msg, 3);
    ui_set_visible(I.msg, 0);
    struct ui_widget *hint = ui_label(left, "scan_hint", tr("invite.scan"), UI_FONT_BODY);
    ui_set_lines(hint, 3);
    ui_spacer(left, 1);
    I.kb = kb_new(I.steps[ST_CODE], "kb", "numeric");
    if (I.kb)
        ui_set_weight(kb_widget(I.kb), 1);

    /* The guest's details and the one touch. */
    I.steps[ST_CONFIRM] = ui_box(content, "step_confirm", UI_COL);
    ui_set_weight(I.steps[ST_CONFIRM], 1);
    I.name = detail(I.steps[ST_CONFIRM], "inv_name", "invite.f_name");
    I.company = detail(I.steps[ST_CONFIRM], "inv_company", "invite.f_company");
    I.purpose = detail(I.steps[ST_CONFIRM], "inv_purpose", "invite.f_purpose");
    I.host = detail(I.steps[ST_CONFIRM], "inv_host", "invite.f_host");
    I.phone = detail(I.steps[ST_CONFIRM], "inv_phone", "invite.f_phone");
    ui_spacer(I.steps[ST_CONFIRM], 1);
    struct ui_widget *yes = ui_button(I.steps[ST_CONFIRM], "inv_confirm", tr("invite.confirm"),
                                      on_confirm, a);
    ui_set_style(yes, UI_STYLE_PRIMARY);
    ui_set_font(yes, UI_FONT_HEADLINE);
    struct ui_widget *no = ui_button(I.steps[ST_CONFIRM], "inv_not_me", tr("invite.not_me"),
                                     on_back, a);
    ui_set_style(no, UI_STYLE_QUIET);

    /* The badge. */
    I.steps[ST_DONE] = ui_box(content, "step_done", UI_COL);
    ui_set_weight(I.steps[ST_DONE], 1);
    struct ui_widget *t = ui_label(I.steps[ST_DONE], "done_title", tr("invite.done_title"),
                                   UI_FONT_HEADLINE);
    ui_set_align(t, UI_ALIGN_CENTER);
    ui_set_align(ui_label(I.steps[ST_DONE], NULL, tr("register.badge"), UI_FONT_TITLE),
                 UI_ALIGN_CENTER);
    I.badge = ui_bignum(I.steps[ST_DONE], "badge", "");
    ui_set_weight(I.badge, 1);
    I.noted = ui_label(I.steps[ST_DONE], "noted", "", UI_FONT_TITLE);
    ui_set_private(I.noted, 1);
    ui_set_align(I.noted, UI_ALIGN_CENTER);
    app_receipt_labels(I.steps[ST_DONE]);
    struct ui_widget *done = ui_button(I.steps[ST_DONE], "done", tr("common.done"), on_done, a);
    ui_set_style(done, UI_STYLE_PRIMARY);
    I.held = app_held_panel(a, content, on_done);

    if (a->flow.id && show_done(a)) {
        /* rebuilt after the check-in: the same badge again */
    } else if (pending[0]) {
        /* a scan: look its code up at once */
        ui_field_insert(I.code, pending);
        lookup(a);
    } else if (a->flow.step == ST_CONFIRM && I.found[0]) {
        ui_field_insert(I.code, I.found);
        lookup(a);
    } else {
        show_step(a, ST_CODE);
    }
    explicit_bzero(pending, sizeof pending);
    explicit_bzero(found, sizeof found);
    return s;
}
