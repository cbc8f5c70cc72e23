/* scr_staff.c - the hidden staff entry (reached by a long press in the home
 * screen's top left corner): tap your name, type your PIN. Core checks the
 * PIN against its Argon2id hash and locks the account after repeated
 * failures; the typed PIN is wiped from the field as soon as it was checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bday.h"
#include "staff.h"
#include "tr.h"

static struct {
    struct ui_widget *steps[2];
    struct ui_widget *pin, *who;
} P;

static void on_pick(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.staff_id = (int64_t)(intptr_t)ui_user(w);
    snprintf(a->flow.staff_name, sizeof a->flow.staff_name, "%s", ui_text(w));
    ui_set_text(P.who, a->flow.staff_name);
    app_wizard_show(a, P.steps, 2, 1, P.pin);
}

static void on_pin(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    struct staff who;
    struct fd_err e = {0};
    char buf[96];
    int retry = 0;
    int rc = staff_login(a->st, a->flow.staff_id, ui_text(P.pin), bday_now(), &who, &retry, &e);
    ui_field_clear(P.pin); /* wiped whatever the outcome */
    if (rc == 0) {
        app_go(a, SCR_CONSOLE);
        return;
    }
    if (retry > 0)
        ui_field_set_error(P.pin, tr_fmt(buf, sizeof buf, "staff.locked", retry));
    else
        ui_field_set_error(P.pin, tr("staff.wrong"));
}

struct ui_screen *scr_staff(struct app *a)
{
    struct ui_screen *s = ui_screen_new("staff");
    struct ui_widget *content = app_frame(a, s, "staff.title", NULL);
    struct staff *v = NULL;
    int n = 0;
    memset(&P, 0, sizeof P);
    P.steps[0] = ui_box(content, "step_who", UI_COL);
    ui_set_weight(P.steps[0], 1);
    struct ui_widget *grid = ui_grid(P.steps[0], "staff", 3, 2);
    ui_set_weight(grid, 1);
    staff_list(a->st, &v, &n, NULL);
    for (int i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "staff_%lld", (long long)v[i].id);
        struct ui_widget *b = ui_button(grid, id, v[i].name, on_pick, a);
        ui_set_user(b, (void *)(intptr_t)v[i].id);
    }
    free(v);
    P.steps[1] = ui_box(content, "step_pin", UI_COL);
    ui_set_weight(P.steps[1], 1);
    P.who = ui_label(P.steps[1], "who", "", UI_FONT_TITLE);
    ui_label(P.steps[1], NULL, tr("staff.pin"), UI_FONT_BODY);
    P.pin = ui_field(P.steps[1], "pin", "", STAFF_PIN_MAX);
    ui_field_set_secret(P.pin, 1);
    ui_field_set_keyboard(P.pin, "numeric");
    ui_field_on_submit(P.pin, on_pin, a);
    ui_spacer(P.steps[1], 1);
    struct kb *kb = kb_new(P.steps[1], "kb", "numeric");
    kb_set_label(kb, "enter", "OK");
    app_wizard_show(a, P.steps, 2, 0, NULL);
    return s;
}
