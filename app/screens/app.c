/* app.c - navigation, the common frame, idle reset (app.h). */
#include "app.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bday.h"
#include "journal.h"
#include "tr.h"

#define COUNTDOWN_S 10 /* the last seconds before an idle reset are shown */

typedef struct ui_screen *(*builder_fn)(struct app *);
static const builder_fn builders[SCR_COUNT] = {
    scr_home, scr_ticket, scr_register, scr_complaint, scr_status, scr_rate,
    scr_staff, scr_console, scr_lobby, scr_invite,
};

/* Fields whose typed text survives a rebuild of the same screen. */
static const char *const carried[] = {
    "name", "phone", "company", "host_q", "purpose", "desc", "cname", "cphone", "ref",
    "inv_code",
    "ticket_no",
};

static void tick(void *ud);

/* A USB barcode scanner types the invitation's QR (its code, digits) as key
 * presses far faster than a hand can, ending in Enter. A burst of at least
 * SCAN_MIN_DIGITS digits, each within SCAN_GAP_MS of the one before, with
 * the Enter within SCAN_GAP_MS too, is a scan, wherever a visitor is: its
 * Enter is taken (the focused field never acts on it) and the invitation
 * screen shows that code (a ticket's code, from its QR's last digits, goes
 * to the rating screen instead: scr_rate_scan). The digits themselves reach
 * the focused field as they come (a person typing is never delayed); the
 * screen they went into is left. People type a key every 100-300 ms;
 * scanners every 1-10 ms. Keys are timed by when they were pressed
 * (ui_on_key_watch), not when the loop read them. */
#define SCAN_MIN_DIGITS 6
#define SCAN_GAP_MS 50
#define SCAN_MAX_DIGITS 24 /* longer is no code of ours: not a scan */

static struct {
    char digits[SCAN_MAX_DIGITS + 1];
    int n;                  /* digits in the burst; -1: the burst is spoilt */
    uint32_t last;          /* time of its last key */
} scan;

static int visitor_screen(enum scr s)
{
    return s == SCR_HOME || s == SCR_TICKET || s == SCR_REGISTER || s == SCR_COMPLAINT ||
           s == SCR_STATUS || s == SCR_RATE || s == SCR_INVITE;
}

static int key_watch(void *ud, int key, uint32_t ms)
{
    struct app *a = ud;
    int quick = scan.n != 0 && ms - scan.last <= SCAN_GAP_MS;
    if (key == 0)
        return 0; /* a modifier: neither part of a code nor a break in it */
    if (key >= '0' && key <= '9') {
        if (!quick)
            scan.n = 0; /* a pause: a new burst starts here */
        if (scan.n >= 0 && scan.n < SCAN_MAX_DIGITS)
            scan.digits[scan.n++] = (char)key;
        else
            scan.n = -1;
        scan.last = ms;
        return 0;
    }
    int is_scan = key == '\r' && quick && scan.n >= SCAN_MIN_DIGITS && visitor_screen(a->cur);
    char code[SCAN_MAX_DIGITS + 1];
    if (is_scan) {
        memcpy(code, scan.digits, (size_t)scan.n);
        code[scan.n] = '\0';
    }
    explicit_bzero(&scan, sizeof scan);
    if (!is_scan)
        return 0;
    if (!scr_rate_scan(a, code)) /* a ticket's QR: rate that visit */
        scr_invite_open(a, code); /* goes home first, which wipes `scan` */
    explicit_bzero(code, sizeof code);
    return 1;
}

/* The receipt shown on the current confirmation (app_receipt_watch). */
static struct {
    int timer;              /* pending poll, 0 = none */
    const char *printed;    /* key of the "printed" sentence */
} receipt;

static void receipt_stop(void)
{
    ui_timer_cancel(receipt.timer);
    receipt.timer = 0;
    receipt.printed = NULL;
}

/* State of the visit's receipt: 1 printed, 0 printing, -1 not printed (the
 * job failed, expired or was cancelled, or the printer is not ready). */
static int receipt_state(struct app *a)
{
    return a->flow.job > 0 && a->printer.job_state
               ? a->printer.job_state(a->printer.ctx, a->flow.job)
               : -1;
}

static void receipt_poll(void *ud)
{
    struct app *a = ud;
    receipt.timer = 0;
    struct ui_widget *line = a->screen ? ui_find(a->screen, "receipt") : NULL;
    struct ui_widget *note = a->screen ? ui_find(a->screen, "receipt_note") : NULL;
    if (!line || !receipt.printed)
        return;
    int state = receipt_state(a);
    ui_set_text(line, tr(state > 0 ? receipt.printed : state == 0 ? "receipt.printing"
                                                                  : "receipt.failed"));
    ui_set_style(line, state < 0 ? UI_STYLE_DANGER : UI_STYLE_NORMAL);
    if (note)
        ui_set_visible(note, state < 0);
    /* Printing: soon decided. Not printed: the printer may come back while
     * the visitor is still here, and then the slip prints. */
    if (state <= 0)
        receipt.timer = ui_timer_add(state == 0 ? 250 : 1000, receipt_poll, a);
}

void app_receipt_watch(struct app *a, const char *printed_key)
{
    receipt_stop();
    receipt.printed = printed_key;
    /* at once, but after the screen being built (if any) is a->screen */
    receipt.timer = ui_timer_add(0, receipt_poll, a);
}

struct ui_widget *app_held_panel(struct app *a, struct ui_widget *content, ui_cb on_done)
{
    struct ui_widget *held = ui_box(content, "step_held", UI_COL);
    ui_set_weight(held, 1);
    ui_box_set_justify(held, UI_ALIGN_CENTER);
    struct ui_widget *t = ui_label(held, "held_title", tr("register.reception_title"),
                                   UI_FONT_HEADLINE);
    ui_set_align(t, UI_ALIGN_CENTER);
    t = ui_label(held, "held_text", tr("register.reception_text"), UI_FONT_TITLE);
    ui_set_align(t, UI_ALIGN_CENTER);
    struct ui_widget *done = ui_button(held, "held_done", tr("common.done"), on_done, a);
    ui_set_style(done, UI_STYLE_PRIMARY);
    ui_set_visible(held, 0);
    return held;
}

void app_receipt_labels(struct ui_widget *box)
{
    struct ui_widget *line = ui_label(box, "receipt", "", UI_FONT_BODY);
    ui_set_align(line, UI_ALIGN_CENTER);
    struct ui_widget *note = ui_label(box, "receipt_note", tr("receipt.note"), UI_FONT_TITLE);
    ui_set_align(note, UI_ALIGN_CENTER);
    ui_set_style(note, UI_STYLE_DANGER);
    ui_set_visible(note, 0);
}

/* A receipt that did not print while its visitor was here is cancelled when
 * they leave: it never prints for the next person (print_pending_max_s
 * expires what is left, e.g. after a crash). */
static void receipt_leave(struct app *a)
{
    if (a->flow.job > 0 && a->printer.cancel && receipt_state(a) < 0)
        a->printer.cancel(a->printer.ctx, a->flow.job); /* -1: done or gone already */
    receipt_stop();
}

void app_printer_changed(struct app *a)
{
    char buf[192];
    struct ui_widget *sub = a->cur == SCR_HOME && a->screen ? ui_find(a->screen, "subtitle")
                                                            : NULL;
    if (!sub)
        return;
    int down = a->printer.status && !a->printer.status(a->printer.ctx, buf, sizeof buf);
    ui_set_text(sub, tr(down ? "home.printer_down" : "home.subtitle"));
    ui_set_style(sub, down ? UI_STYLE_DANGER : UI_STYLE_NORMAL);
}

static void arm_idle(struct app *a)
{
    if (a->tick)
        ui_timer_cancel(a->tick);
    a->tick = 0;
    /* Home and the lobby are idle by nature: no timer, no CPU; home only
     * waits to turn elder mode off for the next visitor. */
    if ((a->cur != SCR_HOME || ui_large_text()) && a->cur != SCR_LOBBY)
        a->tick = ui_timer_add(1000, tick, a);
}

int app_idle_s(const struct app *a)
{
    return ui_elder() ? a->idle_s * ELDER_IDLE_FACTOR : a->idle_s;
}

static void on_read(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    char text[4096];
    (void)w;
    if (!a->voice.say || !a->screen)
        return;
    /* what is shown now: hidden steps and the idle banner are not read */
    ui_screen_text(a->screen, text, sizeof text);
    a->voice.say(a->voice.ctx, text, tr_zh());
}

void app_read_button(struct app *a, struct ui_widget *bar)
{
    if (!ui_elder() || !a->voice.say)
        return;
    struct ui_widget *b = ui_button(bar, "read", tr("common.read"), on_read, a);
    ui_set_style(b, UI_STYLE_PRIMARY);
}

static void tick(void *ud)
{
    struct app *a = ud;
    int limit = (a->cur == SCR_CONSOLE || a->cur == SCR_STAFF ? a->staff_idle_s
                                                                 : app_idle_s(a)) * 1000;
    int64_t left = (int64_t)limit - (int64_t)(ui_now() - ui_last_input());
    a->tick = 0;
    if (left <= 0) {
        if (a->cur == SCR_CONSOLE && a->flow.staff_name[0]) {
            /* Staff walked away: the sign-out is theirs in the audit log. */
            char detail[64];
            struct fd_err e = {0};
            snprintf(detail, sizeof detail, "idle %d s", limit / 1000);
            if (journal_audit(a->st, a->flow.staff_name, "signout.idle", NULL, detail,
                              bday_now(), &e))
                fprintf(stderr, "frontdesk: audit signout.idle: %s\n", e.msg);
        }
        /* The visitor has gone: the next one starts without elder mode. */
        ui_set_elder(0);
        app_home(a);
        return;
    }
    if (a->countdown) {
        if (left <= (ui_elder() ? ELDER_COUNTDOWN_S : COUNTDOWN_S) * 1000) {
            char buf[96];
            struct ui_widget *box = a->countdown;
            ui_set_text(ui_find(a->screen, "countdown_text"),
                        tr_fmt(buf, sizeof buf, "idle.countdown", (int)((left + 999) / 1000)));
            ui_set_visible(box, 1);
        } else {
            ui_set_visible(a->countdown, 0);
        }
    }
    a->tick = ui_timer_add(1000, tick, a);
}

static void show(struct app *a, enum scr s, struct ui_screen *old)
{
    char keep[sizeof carried / sizeof carried[0]][4100];
    int have[sizeof carried / sizeof carried[0]] = {0};
    int consent = -1, in_place = old && a->cur == s;
    if (in_place) { /* rebuild in place: carry typed text over */
        for (size_t i = 0; i < sizeof carried / sizeof carried[0]; i++) {
            struct ui_widget *w = ui_find(old, carried[i]);
            if (w && ui_text(w)) {
                snprintf(keep[i], sizeof keep[i], "%s", ui_text(w));
                have[i] = 1;
            }
        }
        struct ui_widget *c = ui_find(old, "consent");
        consent = c ? ui_checked(c) : -1;
    }
    a->cur = s;
    a->countdown = NULL;
    receipt_stop(); /* a confirmation built below starts its own */
    a->screen = builders[s](a);
    for (size_t i = 0; i < sizeof carried / sizeof carried[0]; i++) {
        struct ui_widget *w = have[i] ? ui_find(a->screen, carried[i]) : NULL;
        if (w) {
            ui_field_clear(w);
            ui_field_insert(w, keep[i]);
        }
        explicit_bzero(keep[i], sizeof keep[i]);
    }
    if (consent >= 0 && ui_find(a->screen, "consent"))
        ui_set_checked(ui_find(a->screen, "consent"), consent);
    if (in_place && s == SCR_STATUS)
        scr_status_restore(a);
    /* the pinyin being composed goes on in the other language */
    struct kb *kb_old = in_place ? kb_of_screen(old) : NULL;
    struct kb *kb_new_ = kb_old ? kb_of_screen(a->screen) : NULL;
    if (kb_new_)
        kb_adopt(kb_new_, kb_old);
    ui_show(a->screen);
    ui_screen_free(old);
    arm_idle(a);
    app_printer_changed(a);
    if (a->on_show)
        a->on_show(a);
}

void app_go(struct app *a, enum scr s)
{
    struct ui_screen *old = a->screen;
    if (a->cur != s)
        a->flow.step = 0;
    a->cur = a->cur == s ? s : SCR_COUNT; /* not "in place" */
    show(a, s, old);
}

void app_rebuild(struct app *a)
{
    show(a, a->cur, a->screen);
}

void app_home(struct app *a)
{
    struct ui_screen *old = a->screen;
    receipt_leave(a);
    ui_screen_wipe(NULL);
    if (a->ime.forget)
        a->ime.forget(a->ime.ctx);
    scr_register_wipe();
    scr_complaint_wipe();
    scr_invite_wipe();
    explicit_bzero(&scan, sizeof scan);
    ui_on_key_watch(key_watch, a); /* scans are taken on every visitor screen */
    if (a->voice.hush) /* nothing more is read for a visitor who left */
        a->voice.hush(a->voice.ctx);
    explicit_bzero(&a->flow, sizeof a->flow);
    tr_set_zh(a->default_zh);
    a->cur = SCR_COUNT;
    show(a, SCR_HOME, old);
}

static void on_lang(struct ui_widget *w, void *ud)
{
    (void)w;
    tr_set_zh(!tr_zh());
    app_rebuild(ud);
}

static void on_home(struct ui_widget *w, void *ud)
{
    (void)w;
    app_home(ud);
}

/* A touch on the idle banner: the visitor is still here. */
static void on_keep(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    ui_set_visible(w, 0);
    arm_idle(a);
}

struct ui_widget *app_frame(struct app *a, struct ui_screen *s, const char *title_key,
                            ui_cb on_back)
{
    struct ui_widget *root = ui_screen_root(s);
    struct ui_widget *bar = ui_box(root, "bar", UI_ROW);
    /* Elder mode: the bar's buttons at their larger size leave the title
     * little room, so it has a line of its own under them (with Read
     * aloud) when the screen is tall enough (not on a 600-line panel). */
    int out_h = 0;
    ui_output_size(NULL, &out_h);
    struct ui_widget *tbar = ui_elder() && out_h >= 800 ? ui_box(root, "titlebar", UI_ROW)
                                                        : NULL;
    if (on_back)
        ui_button(bar, "back", tr("common.back"), on_back, a);
    struct ui_widget *t = ui_label(tbar ? tbar : bar, "title", tr(title_key), UI_FONT_TITLE);
    ui_set_weight(t, 1);
    ui_set_lines(t, tbar ? 3 : 2); /* a long question wraps (portrait) rather than "手机…" */
    ui_set_fit(t, 1);   /* and past its lines takes a smaller font, never a cut */
    struct ui_widget *n = ui_label(tbar ? tbar : bar, "stepno", "", UI_FONT_BODY);
    ui_set_lines(n, 1);
    ui_set_visible(n, 0);
    if (tbar)
        ui_spacer(bar, 1);
    /* Read aloud beside the title it starts with (on the bar on a short
     * screen). Home, then the language switch at the far right: the same
     * place as on the home screen, so a tap meant for one never lands on
     * the other. */
    app_read_button(a, tbar ? tbar : bar);
    struct ui_widget *home = ui_button(bar, "home", tr("common.home"), on_home, a);
    ui_set_style(home, UI_STYLE_QUIET);
    ui_button(bar, "lang", tr("lang.switch"), on_lang, a);
    struct ui_widget *content = ui_box(root, "content", UI_COL);
    ui_set_weight(content, 1);
    /* The countdown banner, hidden until the last seconds: in the middle,
     * filled, so it covers neither the bar (language, Home) nor the step's
     * buttons at the bottom; a touch on it only keeps the visitor. */
    a->countdown = ui_overlay(s, "countdown", UI_CENTER, 0.8f, 0.3f);
    ui_box_set_justify(a->countdown, UI_ALIGN_CENTER);
    struct ui_widget *cl = ui_label(a->countdown, "countdown_text", "", UI_FONT_HEADLINE);
    ui_set_align(cl, UI_ALIGN_CENTER);
    struct ui_widget *ct = ui_label(a->countdown, "countdown_touch", tr("idle.touch"),
                                    UI_FONT_TITLE);
    ui_set_align(ct, UI_ALIGN_CENTER);
    ui_set_style(a->countdown, UI_STYLE_DANGER);
    ui_on_tap(a->countdown, on_keep, a);
    ui_set_visible(a->countdown, 0);
    return content;
}

void app_title(struct ui_screen *s, const char *text, int step, int n)
{
    char buf[16];
    struct ui_widget *t = ui_find(s, "title"), *no = ui_find(s, "stepno");
    if (t)
        ui_set_text(t, text);
    if (no) {
        snprintf(buf, sizeof buf, "%d/%d", step, n);
        ui_set_text(no, buf);
        ui_set_visible(no, n > 0);
    }
}

void app_wizard_show(struct app *a, struct ui_widget **boxes, int n, int step,
                     struct ui_widget *field)
{
    a->flow.step = step;
    ui_settle(); /* what is under the finger changed: one touch, one action */
    for (int i = 0; i < n; i++)
        if (boxes[i])
            ui_set_visible(boxes[i], i == step);
    if (field)
        ui_focus(field);
    if (a->on_show && a->screen)
        a->on_show(a);
}

struct kb *app_keyboard(struct app *a, struct ui_widget *parent, const char *layout)
{
    struct kb *kb = kb_new(parent, "kb", layout);
    if (!kb)
        return NULL;
    kb_set_label(kb, "enter", tr("common.next"));
    if (a->ime.attach)
        a->ime.attach(a->ime.ctx, kb);
    return kb;
}

void app_field_limit(struct ui_widget *f, int max_chars)
{
    char buf[160];
    ui_field_set_limit_msg(f, tr_fmt(buf, sizeof buf, "err.limit", max_chars));
}

void app_field_error(struct ui_widget *f, const char *field)
{
    char key[48];
    if (!f)
        return;
    if (!field || !*field) {
        ui_field_set_error(f, "");
        return;
    }
    snprintf(key, sizeof key, "err.%s", field);
    ui_field_set_error(f, tr(key));
}

const char *app_time(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm lt;
    localtime_r(&tt, &lt);
    strftime(buf, len, "%m-%d %H:%M", &lt);
    return buf;
}
