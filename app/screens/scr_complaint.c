/* scr_complaint.c - make a complaint: the category as large tiles, then the
 * description (pinyin or letters), then an optional contact with a consent
 * box, then a review, then the reference number shown large with the promise
 * of an answer within 24 hours. Severity is never asked: staff assess it. A
 * complaint opened from a poor rating is linked to that ticket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bday.h"
#include "complaint.h"
#include "tr.h"
#include "validate.h"

enum { ST_CATEGORY, ST_TEXT, ST_CONTACT, ST_REVIEW, ST_DONE, NSTEPS };

static struct {
    struct ui_widget *steps[NSTEPS];
    struct ui_widget *desc, *cname, *cphone, *consent, *consent_err;
    struct ui_widget *rv_cat, *rv_desc, *rv_contact, *cat_err;
    struct ui_widget *ref;
    struct kb *kb;
} C;

void scr_complaint_wipe(void)
{
    explicit_bzero(&C, sizeof C);
}

static const char *category_label(const char *slug)
{
    char key[40];
    static char out[128];
    snprintf(key, sizeof key, "cat.%s", slug);
    snprintf(out, sizeof out, "%s", tr(key));
    return out;
}

static const char *const titles[NSTEPS] = {"complaint.step_category", "complaint.step_text",
                                            "complaint.step_contact", "complaint.step_review",
                                            "complaint.title"};

static void show_step(struct app *a, int step)
{
    struct ui_widget *focus = step == ST_TEXT ? C.desc : step == ST_CONTACT ? C.cname : NULL;
    struct ui_screen *s = ui_screen_of(C.ref);
    app_wizard_show(a, C.steps, NSTEPS, step, focus);
    app_title(s, tr(titles[step]), step + 1, step < ST_DONE ? ST_DONE : 0);
    ui_set_visible(ui_find(s, "back"), step > ST_CATEGORY && step < ST_DONE);
    ui_set_visible(kb_widget(C.kb), step == ST_TEXT || step == ST_CONTACT);
    if (step == ST_TEXT)
        kb_set_layout(C.kb, "letters");
    if (step == ST_REVIEW) {
        char buf[256];
        const char *n = ui_text(C.cname), *p = ui_text(C.cphone);
        ui_set_text(C.rv_cat, tr_fmt(buf, sizeof buf, "complaint.review_category",
                                     category_label(a->flow.category)));
        ui_set_text(C.rv_desc, ui_text(C.desc));
        if (*n || *p) {
            char both[200];
            snprintf(both, sizeof both, "%s %s", n, p);
            ui_set_text(C.rv_contact, tr_fmt(buf, sizeof buf, "complaint.review_contact", both));
        } else {
            ui_set_text(C.rv_contact, tr_fmt(buf, sizeof buf, "complaint.review_contact",
                                             tr("complaint.review_anonymous")));
        }
        explicit_bzero(buf, sizeof buf);
    }
}

static void on_category(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    snprintf(a->flow.category, sizeof a->flow.category, "%s", (const char *)ui_user(w));
    show_step(a, ST_TEXT);
}

static int check_step(struct app *a, int step)
{
    struct fd_err e = {0};
    int rc = 0;
    if (step == ST_TEXT) {
        rc = val_text(ui_text(C.desc), "description", COMPLAINT_DESC_MAX,
                      VAL_REQUIRED | VAL_MULTILINE, &e);
        app_field_error(C.desc, rc ? "description" : "");
    } else if (step == ST_CONTACT) {
        int r1 = val_text(ui_text(C.cname), "contact_name", COMPLAINT_NAME_MAX, 0, &e);
        app_field_error(C.cname, r1 ? "contact_name" : "");
        int r2 = val_phone(ui_text(C.cphone), "contact_phone", 0, &e);
        app_field_error(C.cphone, r2 ? "contact_phone" : "");
        int given = *ui_text(C.cname) || *ui_text(C.cphone);
        int r3 = given && !ui_checked(C.consent);
        ui_set_text(C.consent_err, r3 ? tr("err.consent") : "");
        ui_set_visible(C.consent_err, r3);
        rc = r1 || r2 || r3;
    }
    (void)a;
    return rc;
}

static void submit(struct app *a)
{
    struct complaint *c = calloc(1, sizeof *c);
    struct fd_err e = {0};
    char pretty[18];
    if (a->flow.id) { /* filed once per visit: show its reference again */
        free(c);
        show_step(a, ST_DONE);
        return;
    }
    if (!c)
        return;
    struct complaint_in in = {.category = a->flow.category,
                              .description = ui_text(C.desc),
                              .contact_name = ui_text(C.cname),
                              .contact_phone = ui_text(C.cphone),
                              .consent = ui_checked(C.consent),
                              .ticket_id = a->flow.ticket_id};
    int rc = complaint_file(a->st, &in, bday_now(), c, &e);
    if (rc) {
        int step = !strcmp(e.field, "description") ? ST_TEXT
                   : !strcmp(e.field, "category")  ? ST_CATEGORY
                                                   : ST_CONTACT;
        show_step(a, step);
        check_step(a, step);
        free(c);
        return;
    }
    a->flow.id = c->id;
    complaint_ref_format(c->ref, pretty);
    snprintf(a->flow.ref, sizeof a->flow.ref, "%s", pretty);
    ui_set_text(C.ref, pretty);
    a->flow.job = a->printer.complaint ? a->printer.complaint(a->printer.ctx, c->ref, tr_zh())
                                       : 0;
    explicit_bzero(c, sizeof *c);
    free(c);
    /* Filed: the text leaves the screen and the input method now. */
    ui_field_clear(C.desc);
    ui_field_clear(C.cname);
    ui_field_clear(C.cphone);
    ui_set_text(C.rv_desc, "");
    ui_set_text(C.rv_contact, "");
    if (a->ime.forget)
        a->ime.forget(a->ime.ctx);
    show_step(a, ST_DONE);
    app_receipt_watch(a, "complaint.keep_ref");
}

static void on_next(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    int step = a->flow.step;
    if (step == ST_REVIEW) {
        submit(a);
        return;
    }
    if (step > ST_CATEGORY && step < ST_REVIEW && !check_step(a, step))
        show_step(a, step + 1);
}

static void on_back(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    if (a->flow.step > ST_CATEGORY && a->flow.step < ST_DONE)
        show_step(a, a->flow.step - 1);
}

static void on_done(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

/* A row with the step's Next (or Submit) button at its end. */
static void next_button(struct app *a, struct ui_widget *parent, const char *id,
                        const char *label)
{
    struct ui_widget *row = ui_box(parent, NULL, UI_ROW);
    ui_spacer(row, 1);
    struct ui_widget *b = ui_button(row, id, tr(label), on_next, a);
    ui_set_style(b, UI_STYLE_PRIMARY);
}

struct ui_screen *scr_complaint(struct app *a)
{
    struct ui_screen *s = ui_screen_new("complaint");
    struct ui_widget *content = app_frame(a, s, "complaint.title", on_back);
    scr_complaint_wipe();

    C.steps[ST_CATEGORY] = ui_box(content, "step_category", UI_COL);
    ui_set_weight(C.steps[ST_CATEGORY], 1);
    struct ui_widget *grid = ui_grid(C.steps[ST_CATEGORY], "categories", 3, 2);
    ui_set_weight(grid, 1);
    for (int i = 0; complaint_category(i); i++) {
        char id[32];
        snprintf(id, sizeof id, "cat_%s", complaint_category(i));
        struct ui_widget *b = ui_button(grid, id, category_label(complaint_category(i)),
                                        on_category, a);
        ui_set_user(b, (void *)complaint_category(i));
        ui_set_font(b, UI_FONT_TITLE);
    }

    C.steps[ST_TEXT] = ui_box(content, "step_text", UI_COL);
    ui_set_weight(C.steps[ST_TEXT], 1);
    struct ui_widget *trow = ui_box(C.steps[ST_TEXT], NULL, UI_ROW);
    ui_set_weight(trow, 1);
    C.desc = ui_field(trow, "desc", tr("complaint.description"), COMPLAINT_DESC_MAX);
    ui_field_set_multiline(C.desc, 1); /* wraps; tap or ← → move the caret */
    app_field_limit(C.desc, COMPLAINT_DESC_MAX);
    ui_set_weight(C.desc, 1);
    struct ui_widget *nt = ui_button(trow, "next_text", tr("common.next"), on_next, a);
    ui_set_style(nt, UI_STYLE_PRIMARY);

    /* A short landscape screen (the 10.1" panel at its real 117 dpi: 600 px
     * are 8.7 touch targets) has no height for the fields, the consent and
     * the letters keyboard one under the other: the consent joins the
     * fields' row, and the title's "optional" says what the hint said. */
    int out_w, out_h;
    ui_output_size(&out_w, &out_h);
    int short_ = out_w > out_h && out_h < 9 * ui_target();
    C.steps[ST_CONTACT] = ui_box(content, "step_contact", UI_COL);
    if (!short_)
        ui_label(C.steps[ST_CONTACT], NULL, tr("complaint.anonymous"), UI_FONT_BODY);
    struct ui_widget *row = ui_box(C.steps[ST_CONTACT], "contact_row", UI_ROW);
    C.cname = ui_field(row, "cname", tr("complaint.contact_name"), COMPLAINT_NAME_MAX);
    app_field_limit(C.cname, COMPLAINT_NAME_MAX);
    ui_set_weight(C.cname, 1);
    C.cphone = ui_field(row, "cphone", tr("complaint.contact_phone"), 24);
    ui_set_weight(C.cphone, 1);
    ui_field_set_keyboard(C.cphone, "phone");
    if (short_) {
        C.consent = ui_check(row, "consent", tr("complaint.consent"), NULL, NULL);
        ui_set_font(C.consent, UI_FONT_SMALL);
        ui_set_size(C.consent, 60); /* units: the fields share the rest */
    }
    struct ui_widget *nc = ui_button(row, "next_contact", tr("common.next"), on_next, a);
    ui_set_style(nc, UI_STYLE_PRIMARY);
    if (!short_)
        C.consent = ui_check(C.steps[ST_CONTACT], "consent", tr("complaint.consent"), NULL,
                             NULL);
    C.consent_err = ui_label(C.steps[ST_CONTACT], "consent_err", "", UI_FONT_BODY);
    ui_set_style(C.consent_err, UI_STYLE_DANGER);
    ui_set_visible(C.consent_err, 0);

    C.steps[ST_REVIEW] = ui_box(content, "step_review", UI_COL);
    ui_set_weight(C.steps[ST_REVIEW], 1);
    C.rv_cat = ui_label(C.steps[ST_REVIEW], "rv_cat", "", UI_FONT_TITLE);
    C.rv_desc = ui_label(C.steps[ST_REVIEW], "rv_desc", "", UI_FONT_BODY);
    ui_set_weight(C.rv_desc, 1);
    C.rv_contact = ui_label(C.steps[ST_REVIEW], "rv_contact", "", UI_FONT_BODY);
    ui_set_private(C.rv_desc, 1);
    ui_set_private(C.rv_contact, 1);
    next_button(a, C.steps[ST_REVIEW], "submit", "common.submit");

    C.steps[ST_DONE] = ui_box(content, "step_done", UI_COL);
    ui_set_weight(C.steps[ST_DONE], 1);
    struct ui_widget *t = ui_label(C.steps[ST_DONE], NULL, tr("complaint.done_title"),
                                   UI_FONT_HEADLINE);
    ui_set_align(t, UI_ALIGN_CENTER);
    ui_set_align(ui_label(C.steps[ST_DONE], NULL, tr("complaint.ref"), UI_FONT_TITLE),
                 UI_ALIGN_CENTER);
    C.ref = ui_bignum(C.steps[ST_DONE], "ref", "");
    ui_set_weight(C.ref, 1);
    struct ui_widget *promise = ui_label(C.steps[ST_DONE], "promise", tr("complaint.promise"),
                                         UI_FONT_TITLE);
    ui_set_align(promise, UI_ALIGN_CENTER);
    app_receipt_labels(C.steps[ST_DONE]);
    struct ui_widget *done = ui_button(C.steps[ST_DONE], "done", tr("common.done"), on_done, a);
    ui_set_style(done, UI_STYLE_PRIMARY);

    ui_field_on_submit(C.cname, on_next, a);
    ui_field_on_submit(C.cphone, on_next, a);
    ui_spacer(content, 0.01f); /* the keyboard sits at the bottom */
    C.kb = app_keyboard(a, content, "letters");
    /* Rebuilt (language switch) after filing: the same reference again. */
    if (a->flow.id && a->flow.ref[0])
        ui_set_text(C.ref, a->flow.ref);
    show_step(a, a->flow.id ? ST_DONE : a->flow.step < ST_DONE ? a->flow.step : ST_CATEGORY);
    if (a->flow.id)
        app_receipt_watch(a, "complaint.keep_ref");
    return s;
}
