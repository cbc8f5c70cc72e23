/* scr_status.c - check a complaint: the visitor types the 13-digit reference
 * from the receipt on a keypad and sees its status and last update. The
 * check digit catches a mistyped number before any lookup. Only the state
 * and dates are shown: the description and the contact stay private. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "complaint.h"
#include "tr.h"

static struct {
    struct ui_widget *ref, *state, *updated, *due;
} S;

static void on_lookup(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    struct complaint c;
    struct fd_err e = {0};
    char buf[160], key[40], t[32];
    int rc = complaint_get(a->st, ui_text(S.ref), &c, &e);
    ui_set_visible(S.updated, rc == 0);
    ui_set_visible(S.due, rc == 0 && !strcmp(c.state, "received"));
    if (rc) {
        ui_field_set_error(S.ref, tr(rc == FD_EINVAL ? "status.bad_ref" : "status.not_found"));
        ui_set_text(S.state, "");
        return;
    }
    ui_field_set_error(S.ref, "");
    a->flow.step = 1; /* a result is shown: a language switch shows it again */
    /* Head office's follow-up (回访) arrives as resolved with its result in
     * close_reason: kiosks keep six states (hq/hq_complaint.h). */
    if (!strcmp(c.state, "resolved") && c.close_reason[0])
        snprintf(key, sizeof key, "state.followed_up");
    else
        snprintf(key, sizeof key, "state.%s", c.state);
    char state[96];
    snprintf(state, sizeof state, "%s", tr(key));
    ui_set_text(S.state, tr_fmt(buf, sizeof buf, "status.state", state));
    ui_set_text(S.updated, tr_fmt(buf, sizeof buf, "status.updated",
                                  app_time(c.updated_at, t, sizeof t)));
    ui_set_text(S.due, tr_fmt(buf, sizeof buf, "status.due",
                              app_time(c.feedback_due, t, sizeof t)));
    explicit_bzero(&c, sizeof c);
}

void scr_status_restore(struct app *a)
{
    if (a->cur == SCR_STATUS && a->flow.step == 1 && S.ref && *ui_text(S.ref))
        on_lookup(NULL, a);
}

struct ui_screen *scr_status(struct app *a)
{
    struct ui_screen *s = ui_screen_new("status");
    struct ui_widget *content = app_frame(a, s, "status.title", NULL);
    memset(&S, 0, sizeof S);
    /* Landscape: the keypad beside the answer; portrait: under it. */
    struct ui_widget *split = ui_box(content, "split", UI_AUTO);
    ui_set_weight(split, 1);
    struct ui_widget *left = ui_box(split, "answer", UI_COL);
    ui_set_weight(left, 1);
    ui_label(left, NULL, tr("status.enter"), UI_FONT_BODY);
    struct ui_widget *row = ui_box(left, "lookup_row", UI_ROW);
    S.ref = ui_field(row, "ref", "261123-001-001-0", 20);
    ui_set_weight(S.ref, 1);
    ui_field_set_keyboard(S.ref, "numeric");
    ui_field_on_submit(S.ref, on_lookup, a);
    struct ui_widget *go = ui_button(row, "lookup", tr("status.lookup"), on_lookup, a);
    ui_set_style(go, UI_STYLE_PRIMARY);
    S.state = ui_label(left, "state", "", UI_FONT_TITLE);
    S.updated = ui_label(left, "updated", "", UI_FONT_BODY);
    S.due = ui_label(left, "due", "", UI_FONT_BODY);
    ui_set_visible(S.updated, 0);
    ui_set_visible(S.due, 0);
    ui_spacer(left, 1);
    struct kb *kb = kb_new(split, "kb", "numeric");
    if (kb)
        ui_set_weight(kb_widget(kb), 1);
    ui_focus(S.ref);
    return s;
}
