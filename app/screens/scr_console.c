/* scr_console.c - the staff console. This first version is the way out of
 * the kiosk: back to the visitor screens, or quit the program (the only
 * place where the kiosk can be left). The console's queue, visitor, printer
 * and handover pages come with the staff console issue. */
#include <stdio.h>

#include "app.h"
#include "tr.h"

static void on_back(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

static void on_quit(struct ui_widget *w, void *ud)
{
    (void)w;
    (void)ud;
    ui_quit_loop();
}

struct ui_screen *scr_console(struct app *a)
{
    struct ui_screen *s = ui_screen_new("console");
    struct ui_widget *content = app_frame(a, s, "staff.console", NULL);
    ui_label(content, "who", a->flow.staff_name, UI_FONT_TITLE);
    ui_spacer(content, 1);
    struct ui_widget *row = ui_box(content, NULL, UI_ROW);
    struct ui_widget *back = ui_button(row, "back", tr("staff.back"), on_back, a);
    ui_set_weight(back, 1);
    ui_set_style(back, UI_STYLE_PRIMARY);
    struct ui_widget *quit = ui_button(row, "quit", tr("staff.leave"), on_quit, a);
    ui_set_weight(quit, 1);
    ui_set_style(quit, UI_STYLE_DANGER);
    return s;
}
