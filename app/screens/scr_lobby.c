/* scr_lobby.c - the lobby display (frontdesk --lobby): the number just
 * called and its counter as large as the screen allows, what every open
 * counter is calling, the last few calls, the people waiting per service,
 * and a notice line scrolling at the foot, all in Chinese and English at
 * once. It learns of calls made by any process through scr_lobby_changed
 * (main.c polls PRAGMA data_version), announces each new call or recall
 * once, in order, and rebuilds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "config.h"
#include "queue.h"
#include "tr.h"

#include "app.h"

#define RECENT 12         /* calls looked at for the list (each number once) */
#define RECENT_SHOWN 4    /* numbers listed besides the newest */
#define NEW_CALLS_MAX 50  /* calls announced per change; older ones are only shown */
#define NOTICE_STEP_MS 400
#define NOTICE_VISIBLE 32 /* characters of the notice shown at once */

static struct {
    int timer;            /* notice scroll, 0 = none */
    char notice[1024];    /* the notice and a gap, scrolled by characters */
} L;

/* "中文 English" for a key. */
static const char *both(char *buf, size_t len, const char *key)
{
    snprintf(buf, len, "%s  %s", tr_in(key, 1), tr_in(key, 0));
    return buf;
}

/* The notice from character `from` on, wrapping round, NOTICE_VISIBLE long. */
static void notice_window(char *out, size_t len, int from)
{
    const char *p = L.notice;
    int nchars = 0;
    for (const char *q = p; *q; q++)
        nchars += ((unsigned char)*q & 0xC0) != 0x80;
    out[0] = '\0';
    if (!nchars)
        return;
    from %= nchars;
    /* Find the byte where character `from` starts. */
    int c = 0;
    while (*p && c < from) {
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80)
            p++;
        c++;
    }
    size_t at = 0;
    int shown = 0;
    const char *q = p;
    while (shown < NOTICE_VISIBLE && shown < nchars) {
        if (!*q)
            q = L.notice;
        size_t k = 1;
        while (((unsigned char)q[k] & 0xC0) == 0x80)
            k++;
        if (at + k + 1 > len)
            break;
        memcpy(out + at, q, k);
        at += k;
        q += k;
        shown++;
    }
    out[at] = '\0';
}

static void notice_tick(void *ud)
{
    struct app *a = ud;
    char buf[sizeof L.notice];
    struct ui_widget *w = a->cur == SCR_LOBBY ? ui_find(a->screen, "notice") : NULL;
    L.timer = 0;
    if (!w)
        return;
    a->lobby_notice_x++;
    notice_window(buf, sizeof buf, a->lobby_notice_x);
    ui_set_text(w, buf);
    L.timer = ui_timer_add(NOTICE_STEP_MS, notice_tick, a);
}

void scr_lobby_changed(struct app *a)
{
    struct queue_call *c = NULL;
    int n = 0;
    if (a->lobby_cursor < 0) { /* start: what was called before is not announced */
        if (queue_calls(a->st, -1, 1, bday_now(), &c, &n, NULL) == 0)
            a->lobby_cursor = n ? c[0].event_id : 0;
    } else if (queue_calls(a->st, a->lobby_cursor, NEW_CALLS_MAX, bday_now(), &c, &n, NULL) == 0) {
        for (int i = 0; i < n; i++) {
            if (a->voice.call)
                a->voice.call(a->voice.ctx, c[i].label, c[i].counter);
            a->lobby_cursor = c[i].event_id;
        }
    }
    free(c);
    if (a->cur == SCR_LOBBY)
        app_rebuild(a);
}

struct ui_screen *scr_lobby(struct app *a)
{
    struct ui_screen *s = ui_screen_new("lobby");
    struct ui_widget *root = ui_screen_root(s);
    struct queue_counter *c = NULL;
    struct queue_service *v = NULL;
    struct queue_call *calls = NULL;
    int nc = 0, nv = 0, ncalls = 0;
    char buf[400], h[200];
    int64_t now = bday_now();
    queue_counter_list(a->st, &c, &nc, NULL);
    queue_service_list(a->st, now, &v, &nv, NULL);
    queue_calls(a->st, -1, RECENT + 1, now, &calls, &ncalls, NULL);

    struct ui_widget *t = ui_label(root, "title", a->branch ? a->branch : "", UI_FONT_TITLE);
    ui_set_align(t, UI_ALIGN_CENTER);
    ui_set_lines(t, 1);
    struct ui_widget *main = ui_grid(root, "main", 2, 1); /* halves: calls | list */
    ui_set_weight(main, 1);

    /* The newest call, and every open counter's number. */
    struct ui_widget *left = ui_box(main, "calling", UI_COL);
    ui_set_weight(left, 5);
    ui_label(left, "now_head", both(h, sizeof h, "lobby.now"), UI_FONT_TITLE);
    struct ui_widget *hero = ui_box(left, "hero", UI_ROW);
    ui_set_weight(hero, 3);
    if (ncalls) {
        ui_set_weight(ui_bignum(hero, "now", calls[0].label), 3);
        snprintf(buf, sizeof buf, "%d", calls[0].counter);
        struct ui_widget *at = ui_box(hero, NULL, UI_COL);
        ui_set_weight(at, 2);
        ui_set_weight(ui_bignum(at, "now_counter", buf), 2);
        char zh[64], en[64];
        snprintf(zh, sizeof zh, tr_in("con.counter", 1), calls[0].counter);
        snprintf(en, sizeof en, tr_in("con.counter", 0), calls[0].counter);
        ui_set_align(ui_label(at, "now_at", zh, UI_FONT_TITLE), UI_ALIGN_CENTER);
        ui_set_align(ui_label(at, "now_at_en", en, UI_FONT_TITLE), UI_ALIGN_CENTER);
    } else {
        struct ui_widget *none = ui_label(hero, "now", both(h, sizeof h, "lobby.none"),
                                          UI_FONT_HEADLINE);
        ui_set_weight(none, 1);
        ui_set_align(none, UI_ALIGN_CENTER);
    }
    struct ui_widget *grid = ui_grid(left, "counters", 4, 3);
    ui_set_weight(grid, 2);
    for (int i = 0; i < nc; i++) {
        if (!c[i].open)
            continue;
        struct ui_widget *cell = ui_box(grid, NULL, UI_COL);
        ui_box_set_gap(cell, 0.5f);
        ui_set_weight(ui_bignum(cell, NULL, c[i].ticket_id ? c[i].ticket : "—"), 1);
        char zh[64], en[64];
        snprintf(zh, sizeof zh, tr_in("con.counter", 1), c[i].id);
        snprintf(en, sizeof en, tr_in("con.counter", 0), c[i].id);
        ui_set_align(ui_label(cell, NULL, zh, UI_FONT_SMALL), UI_ALIGN_CENTER);
        ui_set_align(ui_label(cell, NULL, en, UI_FONT_SMALL), UI_ALIGN_CENTER);
    }

    /* The last calls and the queue. */
    struct ui_widget *right = ui_box(main, "side", UI_COL);
    ui_set_weight(right, 4);
    ui_set_lines(ui_label(right, "recent_head", both(h, sizeof h, "lobby.recent"), UI_FONT_BODY), 1);
    struct ui_widget *recent = ui_box(right, "recent", UI_COL);
    ui_set_weight(recent, 3);
    /* A recall or a transfer calls a number again: list each number once. */
    for (int i = 1, shown = 0; i < ncalls && shown < RECENT_SHOWN; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= !strcmp(calls[j].label, calls[i].label);
        if (seen)
            continue;
        struct ui_widget *r = ui_label(recent, NULL,
                                       tr_fmt(buf, sizeof buf, "lobby.call_row", calls[i].label,
                                              calls[i].counter),
                                       UI_FONT_HEADLINE);
        ui_set_lines(r, 1);
        shown++;
    }
    ui_set_lines(ui_label(right, "waiting_head", both(h, sizeof h, "lobby.waiting"), UI_FONT_BODY), 1);
    struct ui_widget *waits = ui_box(right, "waiting", UI_COL);
    ui_set_weight(waits, 2);
    for (int i = 0; i < nv; i++) {
        if (!v[i].active)
            continue;
        snprintf(buf, sizeof buf, "%s %s %s · %d", v[i].code, v[i].name_zh, v[i].name_en,
                 v[i].waiting);
        struct ui_widget *w = ui_label(waits, NULL, buf, UI_FONT_SMALL);
        ui_set_lines(w, 2);
    }

    /* The notice line. */
    char notice[600] = "";
    cfg_get(a->st, "lobby_notice", notice, sizeof notice);
    snprintf(L.notice, sizeof L.notice, "%s        ", notice);
    notice_window(buf, sizeof buf, a->lobby_notice_x);
    struct ui_widget *nl = ui_label(root, "notice", buf, UI_FONT_TITLE);
    ui_set_lines(nl, 1);
    if (L.timer)
        ui_timer_cancel(L.timer);
    L.timer = ui_timer_add(NOTICE_STEP_MS, notice_tick, a);
    free(c), free(v), free(calls);
    return s;
}
