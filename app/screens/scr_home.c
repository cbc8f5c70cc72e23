/* scr_home.c - the home screen: six large tiles (the last for invited
 * guests; a scanned invitation works from here without a touch), the language switch, the
 * larger-text toggle, and the hidden staff entry (a long press in the top
 * left corner). Nothing here times out: an idle kiosk rests on this screen. */
#include "app.h"
#include "tr.h"

#define STAFF_PRESS_MS 3000

static void go(struct app *a, enum scr s) { app_go(a, s); }
static void on_ticket(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_TICKET); }
static void on_register(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_REGISTER); }
static void on_complaint(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_COMPLAINT); }
static void on_status(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_STATUS); }
static void on_rate(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_RATE); }
static void on_staff(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_STAFF); }
static void on_invite(struct ui_widget *w, void *ud) { (void)w; go(ud, SCR_INVITE); }

static void on_lang(struct ui_widget *w, void *ud)
{
    (void)w;
    tr_set_zh(!tr_zh());
    app_rebuild(ud);
}

/* Elder mode (长辈模式): larger text, longer idle reset, read aloud; it
 * ends with the visitor (app.c's idle reset). */
static void on_large(struct ui_widget *w, void *ud)
{
    ui_set_elder(ui_checked(w));
    app_rebuild(ud);
}

static const struct tile {
    const char *id, *title, *sub;
    ui_cb fn;
    int primary;
} tiles[] = {
    {"ticket", "home.ticket", "home.ticket_sub", on_ticket, 1},
    {"register", "home.register", "home.register_sub", on_register, 0},
    {"complaint", "home.complaint", "home.complaint_sub", on_complaint, 0},
    {"status", "home.status", "home.status_sub", on_status, 0},
    {"rate", "home.rate", "home.rate_sub", on_rate, 0},
    {"invite", "home.invite", "home.invite_sub", on_invite, 0}, /* issue 14 */
};

struct ui_screen *scr_home(struct app *a)
{
    struct ui_screen *s = ui_screen_new("home");
    struct ui_widget *root = ui_screen_root(s);
    /* In elder mode on a portrait screen the bar's larger controls leave the
     * branch's name no room ("·"): the greeting's headline names the branch
     * instead (a line more would squeeze the tiles). */
    int branch_row = ui_elder() && !ui_is_landscape();
    struct ui_widget *bar = ui_box(root, "bar", UI_ROW);
    struct ui_widget *title = ui_label(bar, branch_row ? "bar_gap" : "branch",
                                       branch_row ? "" : a->branch ? a->branch : "",
                                       UI_FONT_BODY);
    ui_set_weight(title, 1);
    ui_set_lines(title, 1);
    struct ui_widget *large = ui_check(bar, "large", tr("common.large_text"), on_large, a);
    ui_set_checked(large, ui_elder());
    app_read_button(a, bar);
    ui_button(bar, "lang", tr("lang.switch"), on_lang, a);

    /* The greeting, except in elder mode on a landscape screen, where its
     * larger text would squeeze the six tiles: there the tiles are the
     * whole screen (a portrait screen has room for both). */
    if (!ui_elder() || !ui_is_landscape()) {
        int named = branch_row && a->branch && a->branch[0];
        struct ui_widget *welcome = ui_label(root, named ? "branch" : "welcome",
                                             named ? a->branch : tr("app.title"),
                                             UI_FONT_HEADLINE);
        ui_set_align(welcome, UI_ALIGN_CENTER);
        ui_set_lines(welcome, 1);
        ui_set_fit(welcome, 1);
        struct ui_widget *sub = ui_label(root, "subtitle", tr("home.subtitle"), UI_FONT_TITLE);
        ui_set_align(sub, UI_ALIGN_CENTER);
        ui_set_fit(sub, 1); /* elder mode, portrait: smaller, never cut */
    }

    struct ui_widget *grid = ui_grid(root, "menu", 3, 1);
    ui_set_weight(grid, 1);
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        struct ui_widget *b = ui_button(grid, tiles[i].id, tr(tiles[i].title), tiles[i].fn, a);
        ui_set_font(b, UI_FONT_TITLE);
        ui_set_sub(b, tr(tiles[i].sub));
        if (tiles[i].primary)
            ui_set_style(b, UI_STYLE_PRIMARY);
    }
    struct ui_widget *corner = ui_overlay(s, "corner", UI_TOP_LEFT, 0, 0);
    ui_hotspot(corner, "staff", STAFF_PRESS_MS, on_staff, a);
    return s;
}
