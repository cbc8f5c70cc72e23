/* ui_script.c - the scripted input mode (see ui_script.h for the commands).
 * Taps are pushed into SDL's queue as finger events with normalised
 * coordinates and then handled by the normal loop, so a script exercises
 * the same code as a visitor's finger; the clock is fake so a script gives
 * the same frames every run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "ui_int.h"
#include "ui_script.h"

#define SCRIPT_MAX_BYTES (1 << 20)

static uint64_t fake_now;
static ui_script_cmd_fn handler;
static void *handler_ud;

static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

void ui_script_fake_clock(int on)
{
    if (on) {
        fake_now = ui_now();
        ui_set_clock(fake_clock, NULL);
    } else {
        ui_set_clock(NULL, NULL);
    }
}

void ui_script_set_handler(ui_script_cmd_fn fn, void *ud)
{
    handler = fn;
    handler_ud = ud;
}

void ui_script_settle(void)
{
    for (int i = 0; i < 64; i++) {
        SDL_PumpEvents();
        int pending = SDL_PeepEvents(NULL, 0, SDL_PEEKEVENT, SDL_FIRSTEVENT,
                                     SDL_LASTEVENT);
        if (pending <= 0 && !ui_g.dirty && !ui_g.layout_dirty)
            break;
        ui_step(0);
    }
}

void ui_script_advance(unsigned ms)
{
    uint64_t target = fake_now + ms;
    for (;;) {
        uint64_t due = 0;
        int any = 0;
        for (int i = 0; i < UI_MAX_TIMERS; i++)
            if (ui_g.timers[i].id && ui_g.timers[i].due <= target &&
                (!any || ui_g.timers[i].due < due)) {
                due = ui_g.timers[i].due;
                any = 1;
            }
        if (!any)
            break;
        if (due > fake_now)
            fake_now = due;
        ui_script_settle();
        ui_step(0);
    }
    fake_now = target;
    ui_script_settle();
}

static void push_finger(uint32_t type, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = 1;
    e.tfinger.x = (float)x / (float)(ui_g.out_w > 0 ? ui_g.out_w : 1);
    e.tfinger.y = (float)y / (float)(ui_g.out_h > 0 ? ui_g.out_h : 1);
    e.tfinger.pressure = 1.0f;
    SDL_PushEvent(&e);
    ui_script_settle();
}

static void push_mouse(uint32_t type, int x, int y)
{
    SDL_Event e;
    int ww, wh;
    SDL_GetWindowSize(ui_g.win, &ww, &wh);
    memset(&e, 0, sizeof e);
    e.type = type;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    e.button.x = x * ww / (ui_g.out_w > 0 ? ui_g.out_w : 1);
    e.button.y = y * wh / (ui_g.out_h > 0 ? ui_g.out_h : 1);
    e.button.windowID = SDL_GetWindowID(ui_g.win);
    SDL_PushEvent(&e);
    ui_script_settle();
}

/* A visitor looks before touching: the new content is drawn and its settle
 * time (ui_settle) passes on the fake clock before the next touch begins.
 * The *_now commands skip this to test the settle itself. */
static int no_wait;

static void wait_settled(void)
{
    ui_script_settle();
    if (no_wait || !ui_settling())
        return;
    if (ui_g.settle_until > fake_now)
        ui_script_advance((unsigned)(ui_g.settle_until - fake_now));
}

static void tap_at(int x, int y, unsigned hold_ms)
{
    wait_settled();
    push_finger(SDL_FINGERDOWN, x, y);
    ui_script_advance(hold_ms);
    push_finger(SDL_FINGERUP, x, y);
}

/* Parses "X Y" as pixels, or as fractions of the output when both have a
 * '.'. Returns the number of characters used, or -1. */
static int parse_xy(const char *s, int *x, int *y)
{
    char a[32], b[32];
    int used = 0;
    if (sscanf(s, "%31s %31s%n", a, b, &used) != 2)
        return -1;
    char *ea, *eb;
    double fx = strtod(a, &ea), fy = strtod(b, &eb);
    if (*ea || *eb)
        return -1;
    if (strchr(a, '.') && strchr(b, '.')) {
        fx *= ui_g.out_w;
        fy *= ui_g.out_h;
    }
    *x = (int)fx;
    *y = (int)fy;
    return used;
}

/* Centre of widget "ID" or of a part "ID/PART". */
static int find_point(const char *spec, int *x, int *y, char *err, size_t errsz)
{
    char id[64];
    const char *slash = strchr(spec, '/');
    snprintf(id, sizeof id, "%.*s", (int)(slash ? slash - spec : (long)strlen(spec)), spec);
    if (ui_g.layout_dirty)
        ui_layout_now();
    struct ui_widget *w = ui_find(ui_g.cur, id);
    if (!w || !w->visible) {
        snprintf(err, errsz, "no visible widget \"%s\" on screen %s", id,
                 ui_g.cur ? ui_g.cur->name : "(none)");
        return -1;
    }
    struct ui_rect r = w->r;
    if (slash) {
        const char *part = slash + 1;
        if (w->ops && w->ops->part_rect) {
            if (w->ops->part_rect(w, part, &r) < 0) {
                snprintf(err, errsz, "%s has no part \"%s\"", id, part);
                return -1;
            }
        } else if (w->kind == UI_W_LIST) {
            if (ui_list_row_rect(w, atoi(part), &r) < 0) {
                snprintf(err, errsz, "%s: row %s is not in view", id, part);
                return -1;
            }
        } else {
            snprintf(err, errsz, "%s has no parts", id);
            return -1;
        }
    }
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
    return 0;
}

static int do_kbtype(const char *text, char *err, size_t errsz)
{
    struct kb *kb = kb_of_screen(ui_g.cur);
    ui_script_settle();
    if (!kb) {
        snprintf(err, errsz, "no keyboard on this screen");
        return -1;
    }
    for (const char *p = text; *p; p++) {
        char key[8] = {0};
        struct ui_rect r;
        if ((unsigned char)*p >= 0x80) { /* whole UTF-8 sequence */
            int n = 1;
            while (((unsigned char)p[n] & 0xC0) == 0x80 && n < 4)
                n++;
            memcpy(key, p, (size_t)n);
            p += n - 1;
        } else if (*p == ' ') {
            strcpy(key, "space");
        } else {
            key[0] = *p;
        }
        int upper = key[1] == 0 && key[0] >= 'A' && key[0] <= 'Z';
        if (upper)
            key[0] = (char)(key[0] - 'A' + 'a');
        ui_script_settle(); /* a focus change may have swapped layouts */
        if (kb_key_rect(kb, key, &r) < 0) {
            snprintf(err, errsz, "key \"%s\" is not on layout %s", key,
                     kb_layout(kb));
            return -1;
        }
        if (upper) {
            struct ui_rect s;
            if (kb_key_rect(kb, "shift", &s) < 0) {
                snprintf(err, errsz, "no shift key on layout %s", kb_layout(kb));
                return -1;
            }
            tap_at(s.x + s.w / 2, s.y + s.h / 2, 40);
        }
        tap_at(r.x + r.w / 2, r.y + r.h / 2, 40);
        ui_script_advance(60);
    }
    return 0;
}

static int run_line(const char *cmd, const char *args, const char *outdir,
                    char *err, size_t errsz)
{
    int x, y, x2, y2, ms, n;
    char path[1024];
    if (strcmp(cmd, "size") == 0) {
        if (sscanf(args, "%dx%d", &x, &y) != 2 || ui_set_window_size(x, y) < 0) {
            snprintf(err, errsz, "cannot resize to \"%s\"", args);
            return -1;
        }
        ui_script_settle();
    } else if (strcmp(cmd, "tap") == 0 || strcmp(cmd, "click") == 0) {
        if (parse_xy(args, &x, &y) < 0) {
            snprintf(err, errsz, "want X Y");
            return -1;
        }
        if (cmd[0] == 't') {
            tap_at(x, y, 60);
        } else {
            wait_settled();
            push_mouse(SDL_MOUSEBUTTONDOWN, x, y);
            ui_script_advance(60);
            push_mouse(SDL_MOUSEBUTTONUP, x, y);
        }
    } else if (strcmp(cmd, "tap_id") == 0 || strcmp(cmd, "tap_id_now") == 0) {
        if (find_point(args, &x, &y, err, errsz) < 0)
            return -1;
        no_wait = cmd[6] == '_';
        tap_at(x, y, 60);
        no_wait = 0;
    } else if (strcmp(cmd, "tap_now") == 0) {
        if (parse_xy(args, &x, &y) < 0) {
            snprintf(err, errsz, "want X Y");
            return -1;
        }
        no_wait = 1;
        tap_at(x, y, 60);
        no_wait = 0;
    } else if (strcmp(cmd, "expect_ignored") == 0) {
        if (sscanf(args, "%d", &n) != 1 || (uint64_t)n != ui_touches_ignored()) {
            snprintf(err, errsz, "touches ignored: expected %s, found %llu", args,
                     (unsigned long long)ui_touches_ignored());
            return -1;
        }
    } else if (strcmp(cmd, "press") == 0) {
        if ((n = parse_xy(args, &x, &y)) < 0 || sscanf(args + n, "%d", &ms) != 1) {
            snprintf(err, errsz, "want X Y MS");
            return -1;
        }
        tap_at(x, y, (unsigned)ms);
    } else if (strcmp(cmd, "press_id") == 0) {
        char id[96];
        if (sscanf(args, "%95s %d", id, &ms) != 2) {
            snprintf(err, errsz, "want ID MS");
            return -1;
        }
        if (find_point(id, &x, &y, err, errsz) < 0)
            return -1;
        tap_at(x, y, (unsigned)ms);
    } else if (strcmp(cmd, "drag") == 0) {
        if (sscanf(args, "%d %d %d %d", &x, &y, &x2, &y2) != 4) {
            snprintf(err, errsz, "want X1 Y1 X2 Y2");
            return -1;
        }
        wait_settled();
        push_finger(SDL_FINGERDOWN, x, y);
        for (int i = 1; i <= 10; i++) {
            ui_script_advance(16);
            push_finger(SDL_FINGERMOTION, x + (x2 - x) * i / 10,
                        y + (y2 - y) * i / 10);
        }
        push_finger(SDL_FINGERUP, x2, y2);
    } else if (strcmp(cmd, "type") == 0) {
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_TEXTINPUT;
        size_t len = strlen(args), i = 0;
        while (i < len) { /* SDL carries at most 31 bytes per event */
            size_t k = len - i < 31 ? len - i : 31;
            while (k > 0 && i + k < len && ((unsigned char)args[i + k] & 0xC0) == 0x80)
                k--;
            memset(e.text.text, 0, sizeof e.text.text);
            memcpy(e.text.text, args + i, k);
            SDL_PushEvent(&e);
            i += k;
        }
        explicit_bzero(&e, sizeof e);
        ui_script_settle();
    } else if (strcmp(cmd, "key") == 0) {
        SDL_Keycode k = SDL_GetKeyFromName(args);
        if (k == SDLK_UNKNOWN) {
            snprintf(err, errsz, "unknown key \"%s\"", args);
            return -1;
        }
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_KEYDOWN;
        e.key.state = SDL_PRESSED;
        e.key.keysym.sym = k;
        e.key.keysym.scancode = SDL_GetScancodeFromKey(k);
        SDL_PushEvent(&e);
        e.type = SDL_KEYUP;
        e.key.state = SDL_RELEASED;
        SDL_PushEvent(&e);
        ui_script_settle();
    } else if (strcmp(cmd, "kb") == 0) {
        struct kb *kb = kb_of_screen(ui_g.cur);
        struct ui_rect r;
        ui_script_settle();
        if (!kb || kb_key_rect(kb, args, &r) < 0) {
            snprintf(err, errsz, "no on-screen key \"%s\"", args);
            return -1;
        }
        tap_at(r.x + r.w / 2, r.y + r.h / 2, 40);
    } else if (strcmp(cmd, "kbtype") == 0) {
        return do_kbtype(args, err, errsz);
    } else if (strcmp(cmd, "wait") == 0) {
        if (sscanf(args, "%d", &ms) != 1 || ms < 0) {
            snprintf(err, errsz, "want MS");
            return -1;
        }
        ui_script_advance((unsigned)ms);
    } else if (strcmp(cmd, "shot") == 0) {
        if (args[0] == '/')
            snprintf(path, sizeof path, "%s", args);
        else
            snprintf(path, sizeof path, "%s/%s", outdir, args);
        ui_script_settle();
        return ui_shot(path, err, errsz);
    } else if (strcmp(cmd, "expect") == 0 || strcmp(cmd, "expect_checked") == 0) {
        char id[64];
        int off = 0;
        if (sscanf(args, "%63s%n", id, &off) != 1) {
            snprintf(err, errsz, "want ID VALUE");
            return -1;
        }
        const char *want = args + off + (args[off] == ' ' ? 1 : 0);
        struct ui_widget *w = ui_find(ui_g.cur, id);
        if (!w) {
            snprintf(err, errsz, "no widget \"%s\"", id);
            return -1;
        }
        if (cmd[6] == '_' ? ui_checked(w) != atoi(want)
                          : strcmp(ui_text(w), want) != 0) {
            snprintf(err, errsz, "%s: expected \"%s\", found \"%s\"", id, want,
                     cmd[6] == '_' ? (ui_checked(w) ? "1" : "0") : ui_text(w));
            return -1;
        }
    } else if (strcmp(cmd, "check_targets") == 0) {
        /* every touchable widget shown is a touch target (15 mm at the
         * configured dpi) on both sides, measured from the layout */
        struct ui_screen *sc = ui_g.cur;
        int t = ui_target(), bad = 0;
        size_t o = 0;
        if (ui_g.layout_dirty)
            ui_layout_now();
        for (int i = 0; sc && i < sc->nall; i++) {
            struct ui_widget *w = sc->all[i];
            int shown = 1;
            for (struct ui_widget *p = w; p && shown; p = p->parent)
                shown = p->visible;
            if (!shown || !ui_is_touchable(w) || w->kind == UI_W_HOTSPOT)
                continue;
            int h = w->kind == UI_W_FIELD && w->error ? t : w->r.h; /* the error line is extra */
            int inside = w->r.x >= 0 && w->r.y >= 0 && w->r.x + w->r.w <= ui_g.out_w &&
                         w->r.y + w->r.h <= ui_g.out_h; /* not pushed off the screen */
            /* a keyboard's keys and a list's rows are sized by their own
             * widget (kb.c keeps keys 15 mm); here: it is on the screen */
            int whole = w->kind == UI_W_CUSTOM || w->kind == UI_W_LIST;
            if ((whole || (w->r.w >= t && h >= t)) && inside)
                continue;
            bad++;
            if (o < errsz)
                o += (size_t)snprintf(err + o, errsz - o, "%s%s %dx%d+%d+%d", bad > 1 ? ", " : "",
                                      w->id[0] ? w->id : "(no id)", w->r.w, w->r.h, w->r.x,
                                      w->r.y);
        }
        /* nothing drawn on something else: no two widgets shown (boxes
         * aside, overlays are on top by design) share pixels, and no text
         * is squeezed below its one line (it would spill onto its
         * neighbours) */
        struct ui_widget *leaf[UI_MAX_WIDGETS];
        int nl = 0;
        for (int i = 0; sc && i < sc->nall && nl < UI_MAX_WIDGETS; i++) {
            struct ui_widget *w = sc->all[i], *top = w;
            int shown = 1;
            for (struct ui_widget *p = w; p && shown; p = p->parent) {
                shown = p->visible;
                top = p;
            }
            if (!shown || top->is_overlay || w->kind == UI_W_BOX || w->kind == UI_W_GRID ||
                w->kind == UI_W_SPACER || w->kind == UI_W_HOTSPOT)
                continue;
            if (w->kind == UI_W_LABEL && w->text && w->text[0] &&
                w->r.h < ui_line_h(w->font) * 3 / 4) {
                bad++;
                if (o < errsz)
                    o += (size_t)snprintf(err + o, errsz - o, "%s%s squeezed to %d px",
                                          bad > 1 ? ", " : "", w->id[0] ? w->id : "(text)",
                                          w->r.h);
                continue;
            }
            if (w->r.w > 0 && w->r.h > 0)
                leaf[nl++] = w;
        }
        for (int i = 0; i < nl; i++)
            for (int j = i + 1; j < nl; j++) {
                struct ui_rect a = leaf[i]->r, b = leaf[j]->r;
                int related = 0;
                for (struct ui_widget *p = leaf[i]->parent; p && !related; p = p->parent)
                    related = p == leaf[j];
                for (struct ui_widget *p = leaf[j]->parent; p && !related; p = p->parent)
                    related = p == leaf[i];
                if (related || a.x >= b.x + b.w || b.x >= a.x + a.w || a.y >= b.y + b.h ||
                    b.y >= a.y + a.h)
                    continue;
                bad++;
                if (o < errsz)
                    o += (size_t)snprintf(err + o, errsz - o, "%s%s overlaps %s",
                                          bad > 1 ? ", " : "",
                                          leaf[i]->id[0] ? leaf[i]->id : "(no id)",
                                          leaf[j]->id[0] ? leaf[j]->id : "(no id)");
            }
        if (bad) {
            char head[128];
            snprintf(head, sizeof head, ": under %d px (15 mm at %d dpi), off the %dx%d screen or overlapping on %s",
                     t, ui_g.dpi, ui_g.out_w, ui_g.out_h, sc ? sc->name : "?");
            if (o < errsz)
                snprintf(err + o, errsz - o, "%s", head);
            return -1;
        }
    } else if (strcmp(cmd, "dump") == 0) {
        /* the layout of the widgets shown, one a line on stderr: depth,
         * id, rectangle, and the text unless it is visitor data */
        struct ui_screen *sc = ui_g.cur;
        ui_script_settle();
        if (ui_g.layout_dirty)
            ui_layout_now();
        fprintf(stderr, "dump %s %dx%d at %d dpi\n", sc ? sc->name : "?", ui_g.out_w,
                ui_g.out_h, ui_g.dpi);
        for (int i = 0; sc && i < sc->nall; i++) {
            struct ui_widget *w = sc->all[i];
            int shown = 1, depth = 0;
            for (struct ui_widget *p = w; p && shown; p = p->parent, depth++)
                shown = p->visible;
            if (!shown)
                continue;
            fprintf(stderr, "%*s%s %dx%d+%d+%d %s\n", depth, "", w->id[0] ? w->id : "-",
                    w->r.w, w->r.h, w->r.x, w->r.y,
                    w->private_ || !w->text ? "" : w->text);
        }
    } else if (strcmp(cmd, "check_uncut") == 0) {
        /* nothing drawn is cut with "…" (only in the widgets named, when
         * ids are given: "title", "kb"); a frame is drawn to find out */
        size_t o = 0;
        int bad = 0;
        ui_script_settle();
        ui_cuts_reset();
        ui_redraw_now();
        for (int i = 0; i < ui_g.ncuts; i++) {
            const struct ui_cut *c = &ui_g.cuts[i];
            int want = !args[0];
            char ids[256], *save = NULL;
            snprintf(ids, sizeof ids, "%s", args);
            for (char *id = strtok_r(ids, " ", &save); id && !want;
                 id = strtok_r(NULL, " ", &save))
                want = strcmp(id, c->id) == 0;
            if (!want)
                continue;
            bad++;
            if (o < errsz)
                o += (size_t)snprintf(err + o, errsz - o, "%s%s \"%s\"", bad > 1 ? ", " : "",
                                      c->id[0] ? c->id : "(no id)", c->text);
        }
        if (bad) {
            if (o < errsz)
                snprintf(err + o, errsz - o, ": cut with \"…\" on %s at %dx%d",
                         ui_g.cur ? ui_g.cur->name : "?", ui_g.out_w, ui_g.out_h);
            return -1;
        }
    } else if (strcmp(cmd, "expect_error") == 0) {
        char id[64];
        int off = 0;
        if (sscanf(args, "%63s%n", id, &off) != 1) {
            snprintf(err, errsz, "want ID [TEXT]");
            return -1;
        }
        const char *want = args + off + (args[off] == ' ' ? 1 : 0);
        struct ui_widget *w = ui_find(ui_g.cur, id);
        const char *got = w && w->error ? w->error : "";
        if (!w || strcmp(got, want) != 0) {
            snprintf(err, errsz, "%s: expected the message \"%s\", found \"%s\"", id, want, got);
            return -1;
        }
    } else if (strcmp(cmd, "expect_visible") == 0) {
        char id[64];
        int want = -1;
        if (sscanf(args, "%63s %d", id, &want) != 2 || (want != 0 && want != 1)) {
            snprintf(err, errsz, "want ID 0|1");
            return -1;
        }
        struct ui_widget *w = ui_find(ui_g.cur, id);
        int shown = w != NULL; /* it and every box above it are visible */
        for (struct ui_widget *p = w; p && shown; p = p->parent)
            shown = p->visible;
        if (!w || shown != want) {
            snprintf(err, errsz, "%s: expected %s, it is %s", id, want ? "shown" : "hidden",
                     !w ? "missing" : shown ? "shown" : "hidden");
            return -1;
        }
    } else if (strcmp(cmd, "expect_screen") == 0) {
        if (!ui_g.cur || strcmp(ui_g.cur->name, args) != 0) {
            snprintf(err, errsz, "screen is %s, not %s",
                     ui_g.cur ? ui_g.cur->name : "(none)", args);
            return -1;
        }
    } else if (strcmp(cmd, "large") == 0 || strcmp(cmd, "elder") == 0) {
        ui_set_elder(atoi(args));
        ui_script_settle();
    } else if (strcmp(cmd, "check_elder") == 0) {
        if (ui_g.layout_dirty)
            ui_layout_now();
        return ui_elder_check(err, errsz);
    } else if (strcmp(cmd, "theme") == 0) {
        if (ui_set_theme(args, err, errsz) < 0)
            return -1;
        ui_script_settle();
    } else if (strcmp(cmd, "wipe") == 0) {
        ui_screen_wipe(NULL);
        ui_script_settle();
    } else if (strcmp(cmd, "echo") == 0) {
        printf("%s\n", args);
    } else {
        int rc = handler ? handler(handler_ud, cmd, args, err, errsz) : 1;
        if (rc == 1)
            snprintf(err, errsz, "unknown command \"%s\"", cmd);
        if (rc == 0)
            ui_script_settle();
        return rc == 0 ? 0 : -1;
    }
    return 0;
}

int ui_script_run_text(const char *name, const char *text, const char *outdir,
                       char *err, size_t errsz)
{
    int rc = 0, lineno = 0;
    const char *p = text;
    ui_script_fake_clock(1);
    ui_script_settle();
    while (*p && rc == 0) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char line[2048], cmd[32];
        lineno++;
        if (n >= sizeof line) {
            snprintf(err, errsz, "%s:%d: line too long", name, lineno);
            rc = -1;
            break;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (eol ? 1 : 0);
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        const char *s = line + strspn(line, " \t");
        int used = 0;
        if (*s == '#' || *s == '\0' || sscanf(s, "%31s%n", cmd, &used) != 1)
            continue;
        const char *args = s + used;
        args += strspn(args, " \t");
        char msg[512] = "";
        if (run_line(cmd, args, outdir, msg, sizeof msg) < 0) {
            snprintf(err, errsz, "%s:%d: %s", name, lineno, msg);
            rc = -1;
        }
        explicit_bzero(line, sizeof line);
    }
    ui_script_fake_clock(0);
    return rc;
}

int ui_script_run(const char *path, const char *outdir, char *err,
                  size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(SCRIPT_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, SCRIPT_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n > SCRIPT_MAX_BYTES) {
        snprintf(err, errsz, "%s: %s", path, buf ? "script over 1 MiB" : "no memory");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    int rc = ui_script_run_text(path, buf, outdir, err, errsz);
    free(buf);
    return rc;
}
