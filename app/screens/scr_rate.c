/* scr_rate.c - rate the service: the visitor types the number on their
 * ticket (core's rating_ticket: finished in the last half hour, not rated
 * yet; no list of recent numbers is offered, so nobody rates another's
 * visit) or scans the ticket's QR at the kiosk's scanner (its code:
 * rating_ticket_code, same rules), then rates service, attitude and result
 * on the four faces 优/良/中/差. A poor mark offers a complaint linked to
 * that ticket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bday.h"
#include "invite.h"
#include "rating.h"
#include "tr.h"

#define RATE_WINDOW_S 1800

enum { ST_PICK, ST_FACES, ST_THANKS, ST_OFFER, NSTEPS };

static struct {
    struct ui_widget *steps[NSTEPS];
    struct ui_widget *faces[3][4];
    struct ui_widget *submit, *ticket, *number;
} Q;

static const char *const dims[3] = {"rate.service", "rate.attitude", "rate.result"};
static const char *const levels[4] = {"rate.excellent", "rate.good", "rate.fair", "rate.poor"};

/* Core's answer on the ticket asked for (typed or scanned): on the first
 * step, its message under the number; else the faces for that ticket. */
static void picked(struct app *a, int rc, int64_t id, const char *label)
{
    if (rc) {
        ui_field_set_error(Q.number, tr(rc == FD_EEXIST    ? "rate.already"
                                        : rc == FD_EINVAL ? "rate.bad_number"
                                                          : "rate.not_found"));
        return;
    }
    ui_field_set_error(Q.number, "");
    a->flow.ticket_id = id;
    snprintf(a->flow.ticket_label, sizeof a->flow.ticket_label, "%s", label);
    ui_set_text(Q.ticket, label);
    app_wizard_show(a, Q.steps, NSTEPS, ST_FACES, NULL);
    ui_set_visible(kb_widget(kb_of_screen(ui_screen_of(Q.submit))), 0);
}

/* The number typed: core says whether it may be rated now. */
static void on_pick(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    struct fd_err e = {0};
    char label[8];
    int64_t id = 0;
    int rc = rating_ticket(a->st, ui_text(Q.number), bday_now(), RATE_WINDOW_S, &id, label, &e);
    picked(a, rc, id, label);
}

int scr_rate_scan(struct app *a, const char *code)
{
    char bday[11], label[8];
    struct fd_err e = {0};
    int64_t id = 0;
    int ours = rating_code_parse(code, bday, label) == 0;
    /* On this screen a code that is no invitation's either (its length) is
     * a ticket's misread: said here, not on the invitation screen. */
    if (!ours && (a->cur != SCR_RATE || strlen(code) == INVITE_CODE_LEN))
        return 0;
    if (a->cur != SCR_RATE) {
        int zh = tr_zh();
        app_home(a); /* whatever the visitor was doing is over */
        tr_set_zh(zh);
        app_go(a, SCR_RATE);
    }
    int rc = ours ? rating_ticket_code(a->st, code, bday_now(), RATE_WINDOW_S, &id, label, &e)
                  : FD_EINVAL;
    /* a new ticket: its faces start unset; the scanner's letters
     * ("ticket:...") went into the number field as they came */
    memset(a->flow.faces, 0, sizeof a->flow.faces);
    for (int d = 0; d < 3; d++)
        for (int i = 0; i < 4; i++)
            ui_set_style(Q.faces[d][i], UI_STYLE_NORMAL);
    ui_set_enabled(Q.submit, 0);
    ui_field_clear(Q.number);
    if (rc) {
        a->flow.ticket_id = 0;
        app_wizard_show(a, Q.steps, NSTEPS, ST_PICK, Q.number);
        ui_set_visible(kb_widget(kb_of_screen(ui_screen_of(Q.submit))), 1);
    }
    picked(a, rc, id, label);
    return 1;
}

static void on_face(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    int v = (int)(intptr_t)ui_user(w), dim = v / 10, level = v % 10;
    a->flow.faces[dim] = level;
    for (int i = 0; i < 4; i++)
        ui_set_style(Q.faces[dim][i], i + 1 == level ? UI_STYLE_SELECTED : UI_STYLE_NORMAL);
    ui_set_enabled(Q.submit, a->flow.faces[0] && a->flow.faces[1] && a->flow.faces[2]);
}

static void on_submit(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    int offer = 0;
    struct fd_err e = {0};
    int rc = rating_add(a->st, a->flow.ticket_id, a->flow.faces[0], a->flow.faces[1],
                        a->flow.faces[2], "", bday_now(), NULL, &offer, &e);
    if (rc == FD_EEXIST || rc == 0)
        app_wizard_show(a, Q.steps, NSTEPS, offer ? ST_OFFER : ST_THANKS, NULL);
    if (rc == FD_EEXIST)
        ui_set_text(ui_find(ui_screen_of(Q.submit), "thanks"), tr("rate.already"));
}

static void on_complain(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    int64_t ticket = a->flow.ticket_id;
    app_go(a, SCR_COMPLAINT);
    a->flow.ticket_id = ticket; /* the complaint is linked to it */
}

static void on_home(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

struct ui_screen *scr_rate(struct app *a)
{
    struct ui_screen *s = ui_screen_new("rate");
    struct ui_widget *content = app_frame(a, s, "rate.title", NULL);
    memset(&Q, 0, sizeof Q);

    Q.steps[ST_PICK] = ui_box(content, "step_pick", UI_COL);
    struct ui_widget *prow = ui_box(Q.steps[ST_PICK], NULL, UI_ROW);
    Q.number = ui_field(prow, "ticket_no", tr("rate.number"), 6);
    ui_set_weight(Q.number, 1);
    ui_field_on_submit(Q.number, on_pick, a);
    struct ui_widget *pn = ui_button(prow, "next_pick", tr("common.next"), on_pick, a);
    ui_set_style(pn, UI_STYLE_PRIMARY);

    Q.steps[ST_FACES] = ui_box(content, "step_faces", UI_COL);
    ui_set_weight(Q.steps[ST_FACES], 1);
    /* Each question: its words, then its four faces in a grid of equal
     * cells (as a row of boxes they took their captions' widths, 185 px
     * against 119). Portrait: the ticket's number on top, each question's
     * words above its faces (the screen's width for them), Submit below.
     * Landscape (short of height): the words beside the faces, the
     * questions sharing what height there is (sized by it, not by the
     * faces' wish: no text squeezed off its line), the number beside
     * Submit. */
    int land = ui_is_landscape();
    if (!land)
        Q.ticket = ui_label(Q.steps[ST_FACES], "ticket", "", UI_FONT_TITLE);
    for (int d = 0; d < 3; d++) {
        struct ui_widget *row = ui_box(Q.steps[ST_FACES], NULL, land ? UI_ROW : UI_COL);
        ui_set_weight(row, d == 0 && !land ? 2 : 1); /* the first question is the big one */
        if (land)
            ui_set_size(row, 1);
        else
            ui_box_set_gap(row, 0.5f);
        struct ui_widget *l = ui_label(row, NULL, tr(dims[d]), UI_FONT_BODY);
        if (land)
            ui_set_size(l, 20);
        struct ui_widget *g = ui_grid(row, NULL, 4, 4);
        ui_set_weight(g, 1);
        for (int i = 0; i < 4; i++) {
            char id[24];
            snprintf(id, sizeof id, "face_%d_%d", d, i + 1);
            Q.faces[d][i] = ui_face(g, id, (enum ui_face_kind)(UI_FACE_EXCELLENT + i),
                                    tr(levels[i]), on_face, a);
            ui_set_user(Q.faces[d][i], (void *)(intptr_t)(d * 10 + i + 1));
            ui_set_weight(Q.faces[d][i], 1);
        }
    }
    struct ui_widget *srow = Q.steps[ST_FACES];
    if (land) {
        srow = ui_box(Q.steps[ST_FACES], NULL, UI_ROW);
        Q.ticket = ui_label(srow, "ticket", "", UI_FONT_TITLE);
        ui_set_weight(Q.ticket, 1);
    }
    ui_set_lines(Q.ticket, 1); /* "A012": kept whole, never squeezed */
    Q.submit = ui_button(srow, "submit", tr("common.submit"), on_submit, a);
    ui_set_style(Q.submit, UI_STYLE_PRIMARY);
    if (land)
        ui_set_weight(Q.submit, 2);
    ui_set_enabled(Q.submit, 0);

    Q.steps[ST_THANKS] = ui_box(content, "step_thanks", UI_COL);
    ui_set_weight(Q.steps[ST_THANKS], 1);
    struct ui_widget *t = ui_label(Q.steps[ST_THANKS], "thanks", tr("rate.thanks"),
                                   UI_FONT_HEADLINE);
    ui_set_align(t, UI_ALIGN_CENTER);
    ui_set_weight(t, 1);
    ui_button(Q.steps[ST_THANKS], "done", tr("common.done"), on_home, a);

    Q.steps[ST_OFFER] = ui_box(content, "step_offer", UI_COL);
    ui_set_weight(Q.steps[ST_OFFER], 1);
    struct ui_widget *o = ui_label(Q.steps[ST_OFFER], "offer", tr("rate.offer"),
                                   UI_FONT_HEADLINE);
    ui_set_weight(o, 1);
    struct ui_widget *row = ui_box(Q.steps[ST_OFFER], NULL, UI_ROW);
    struct ui_widget *yes = ui_button(row, "offer_yes", tr("rate.offer_yes"), on_complain, a);
    ui_set_style(yes, UI_STYLE_PRIMARY);
    ui_set_weight(yes, 1);
    ui_set_weight(ui_button(row, "offer_no", tr("rate.offer_no"), on_home, a), 1);
    ui_spacer(content, 0.01f); /* the keyboard sits at the bottom */
    struct kb *kb = app_keyboard(a, content, "letters");
    if (kb)
        kb_set_ime_on(kb, 0); /* "A012": letters and digits, no pinyin */
    /* Rebuilt in place (language switch): the ticket, the faces chosen and
     * the step stay. */
    int step = a->flow.ticket_id ? a->flow.step : ST_PICK;
    ui_set_text(Q.ticket, a->flow.ticket_label);
    for (int d = 0; d < 3; d++)
        for (int i = 0; i < 4; i++)
            ui_set_style(Q.faces[d][i], i + 1 == a->flow.faces[d] ? UI_STYLE_SELECTED
                                                                  : UI_STYLE_NORMAL);
    ui_set_enabled(Q.submit, a->flow.faces[0] && a->flow.faces[1] && a->flow.faces[2]);
    app_wizard_show(a, Q.steps, NSTEPS, step, step == ST_PICK ? Q.number : NULL);
    if (kb)
        ui_set_visible(kb_widget(kb), step == ST_PICK);
    return s;
}
