/* scr_lobby.c - the lobby display (frontdesk --lobby): the number each
 * counter is calling and the people waiting per service, large enough to
 * read across a hall. It rebuilds when the database changed (the kiosk
 * polls PRAGMA data_version and calls app_rebuild). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bday.h"
#include "queue.h"
#include "tr.h"

struct ui_screen *scr_lobby(struct app *a)
{
    struct ui_screen *s = ui_screen_new("lobby");
    struct ui_widget *root = ui_screen_root(s);
    struct queue_counter *c = NULL;
    struct queue_service *v = NULL;
    int nc = 0, nv = 0;
    char buf[400];
    struct ui_widget *t = ui_label(root, "title", a->branch ? a->branch : "", UI_FONT_TITLE);
    ui_set_align(t, UI_ALIGN_CENTER);
    struct ui_widget *grid = ui_grid(root, "calls", 2, 1);
    ui_set_weight(grid, 3);
    queue_counter_list(a->st, &c, &nc, NULL);
    for (int i = 0; i < nc; i++) {
        if (!c[i].open)
            continue;
        struct ui_widget *cell = ui_box(grid, NULL, UI_ROW);
        struct ui_widget *num = ui_bignum(cell, NULL, c[i].ticket_id ? c[i].ticket : "—");
        ui_set_weight(num, 2);
        struct ui_widget *at = ui_label(cell, NULL, c[i].name, UI_FONT_TITLE);
        ui_set_weight(at, 1);
    }
    free(c);
    struct ui_widget *waits = ui_box(root, "waiting", UI_ROW);
    queue_service_list(a->st, bday_now(), &v, &nv, NULL);
    for (int i = 0; i < nv; i++) {
        if (!v[i].active)
            continue;
        snprintf(buf, sizeof buf, "%s %s: %d", v[i].code, tr_zh() ? v[i].name_zh : v[i].name_en,
                 v[i].waiting);
        ui_set_weight(ui_label(waits, NULL, buf, UI_FONT_BODY), 1);
    }
    free(v);
    return s;
}
