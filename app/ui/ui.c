/* ui.c - the toolkit's window, clock, timers and event loop. The loop redraws
 * only when a flag says something changed and otherwise sleeps in
 * SDL_WaitEventTimeout until input, a wake from another thread (ui_wake, a
 * registered SDL user event) or the next timer, so an idle kiosk uses no CPU.
 * Touch and mouse become one pointer here: SDL_FINGER* events are handled
 * directly (KMSDRM sends no mouse events for touch) and SDL's touch-to-mouse
 * emulation is off so X11 gives no duplicates. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <SDL_syswm.h>

#include "ui_int.h"
#include "ui_png.h"

struct ui_state ui_g;

static uint64_t sdl_clock(void *ctx)
{
    (void)ctx;
    return SDL_GetTicks64();
}

void ui_set_clock(ui_clock_fn fn, void *ctx)
{
    ui_g.clock = fn ? fn : sdl_clock;
    ui_g.clock_ctx = fn ? ctx : NULL;
}

uint64_t ui_now(void)
{
    return ui_g.clock ? ui_g.clock(ui_g.clock_ctx) : 0;
}

static void update_output_size(void)
{
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(ui_g.ren, &w, &h) == 0 &&
        (w != ui_g.out_w || h != ui_g.out_h)) {
        ui_g.out_w = w;
        ui_g.out_h = h;
        ui_g.layout_dirty = ui_g.dirty = 1;
        ui_draw_reset_sizes();
    }
}

/* A full-screen window follows its display: after a change of resolution
 * or rotation (an SDL display event) it is moved and sized to the display's
 * bounds again, which a window manager or compositor would do by itself but
 * a bare X server does not. The layout then follows the drawable's size. */
static void fit_display(void)
{
    SDL_Rect b;
    int x, y, w, h;
    if (ui_g.fullscreen && SDL_GetDisplayBounds(ui_g.display, &b) == 0 && b.w > 0 &&
        b.h > 0) {
        SDL_GetWindowPosition(ui_g.win, &x, &y);
        SDL_GetWindowSize(ui_g.win, &w, &h);
        if (x != b.x || y != b.y || w != b.w || h != b.h) {
            /* SDL keeps a full-screen window's size to itself: out of full
             * screen, placed, and back. */
            SDL_SetWindowFullscreen(ui_g.win, 0);
            SDL_SetWindowPosition(ui_g.win, b.x, b.y);
            SDL_SetWindowSize(ui_g.win, b.w, b.h);
            SDL_SetWindowFullscreen(ui_g.win, SDL_WINDOW_FULLSCREEN_DESKTOP);
        }
    }
    update_output_size();
}

/* Under X11 a key watch times keys by when they were pressed (the X server's
 * time in each KeyPress, which SDL hands over as a SDL_SYSWMEVENT just before
 * the key's SDL_KEYDOWN), not by when the loop got round to reading them: a
 * frame that took 80 ms to draw would otherwise split a scanner's burst in
 * two. Elsewhere (Wayland, KMSDRM) SDL's own time is used. */
static void watch_key_times(void)
{
    const char *video = SDL_WasInit(SDL_INIT_VIDEO) ? SDL_GetCurrentVideoDriver() : NULL;
    int x11 = video && strcmp(video, "x11") == 0;
    SDL_EventState(SDL_SYSWMEVENT, ui_g.key_watch && x11 ? SDL_ENABLE : SDL_IGNORE);
    ui_g.key_x_time_set = 0;
}

/* Whether the machine has a GPU the OpenGL ES renderer can use: a DRM
 * render node (/dev/dri/renderD128 and on). */
static int has_render_node(void)
{
    DIR *d = opendir("/dev/dri");
    struct dirent *e;
    int found = 0;
    if (!d)
        return 0;
    while (!found && (e = readdir(d)))
        found = strncmp(e->d_name, "renderD", 7) == 0;
    closedir(d);
    return found;
}

int ui_init(const struct ui_config *cfg, char *err, size_t errsz)
{
    struct ui_config def = {0};
    if (!cfg)
        cfg = &def;
    if (ui_g.win) {
        snprintf(err, errsz, "ui: already initialised");
        return -1;
    }
    memset(&ui_g, 0, sizeof ui_g);
    ui_set_clock(NULL, NULL);
    ui_g.dpi = cfg->dpi > 0 ? cfg->dpi : 96;
    ui_g.kiosk = cfg->kiosk;
    ui_g.long_press_ms = cfg->long_press_ms > 0 ? cfg->long_press_ms : 1500;
    ui_g.next_timer_id = 1;

    /* Fonts first: no window flashes up when the font is missing. A
     * configured file is used as it is: fontconfig's start (its XML
     * configuration and caches) cost the kiosk's first frame more than SDL
     * spends to draw one (issue 18), and the shipped configuration names
     * the files (packaging/frontdesk.conf.example). fontconfig finds the
     * family only when no file is configured, or the one named cannot be
     * read (a font package moved its files): then it says so. */
    const char *font_path = cfg->font_path, *bold_path = cfg->font_bold_path;
    if (font_path && access(font_path, R_OK) != 0) {
        fprintf(stderr, "ui: font %s: %s; asking fontconfig\n", font_path, strerror(errno));
        font_path = bold_path = NULL;
    }
    if (bold_path && access(bold_path, R_OK) != 0) {
        fprintf(stderr, "ui: bold font %s: %s; asking fontconfig\n", bold_path,
                strerror(errno));
        bold_path = NULL;
    }
    if (font_path) {
        snprintf(ui_g.font_path, sizeof ui_g.font_path, "%s", font_path);
        ui_g.font_index = cfg->font_index;
    } else if (ui_font_locate("Noto Sans CJK SC", 0, ui_g.font_path,
                              sizeof ui_g.font_path, &ui_g.font_index, err,
                              errsz) < 0) {
        return -1;
    }
    if (bold_path) {
        snprintf(ui_g.bold_path, sizeof ui_g.bold_path, "%s", bold_path);
        ui_g.bold_index = cfg->font_index;
    } else if (font_path ||
               ui_font_locate("Noto Sans CJK SC", 1, ui_g.bold_path,
                              sizeof ui_g.bold_path, &ui_g.bold_index, err,
                              errsz) < 0) {
        memcpy(ui_g.bold_path, ui_g.font_path, sizeof ui_g.bold_path);
        ui_g.bold_index = ui_g.font_index;
    }
    if (ui_theme_load(cfg->theme ? cfg->theme : "default", &ui_g.theme, err,
                      errsz) < 0)
        return -1;

    /* A box without a GPU (no DRM render node) draws SDL's OpenGL ES
     * renderer with Mesa's llvmpipe, on the CPU, compiling shaders for
     * each new mix of texture, tint and blending the screens use: under
     * cage the kiosk's first frame took 1.52x the CPU of a bare SDL program
     * drawing one line, against 1.22x with SDL's software renderer, which
     * hands the compositor one finished picture (issue 18, README); and wlroots'
     * pixman output showed llvmpipe's frames black. A renderer named in the
     * environment (SDL_RENDER_DRIVER) is kept. */
    if (!SDL_GetHint(SDL_HINT_RENDER_DRIVER) && !has_render_node()) {
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
        fprintf(stderr, "ui: no GPU (no /dev/dri/renderD*): SDL's software renderer\n");
    }
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_IME_SHOW_UI, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) < 0) {
        snprintf(err, errsz, "SDL: %s", SDL_GetError());
        return -1;
    }
    /* With the software renderer under X11, SDL would otherwise present
     * through an OpenGL "accelerated framebuffer" - on a machine without a
     * GPU that is Mesa's llvmpipe: ~90 MB more RSS and CPU for nothing. X11
     * has a native framebuffer (XShm); KMSDRM has not, so it keeps SDL's
     * default there. */
    const char *drv = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
    const char *video = SDL_GetCurrentVideoDriver();
    if (drv && strcmp(drv, "software") == 0 && video &&
        strcmp(video, "x11") == 0)
        SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0",
                                SDL_HINT_DEFAULT);
    ui_g.wake_event = SDL_RegisterEvents(1);
    watch_key_times();
    uint32_t flags = SDL_WINDOW_ALLOW_HIGHDPI;
    int w = cfg->window_w, h = cfg->window_h;
    int display = cfg->display;
    if (display < 0 || display >= SDL_GetNumVideoDisplays()) {
        if (display != 0)
            fprintf(stderr, "ui: no display %d; using display 0\n", display);
        display = 0;
    }
    ui_g.display = display;
    int x = (int)SDL_WINDOWPOS_CENTERED_DISPLAY(display);
    int y = x;
    if (w <= 0 || h <= 0) {
        /* Full screen: created already at the display's own place and size,
         * borderless, so that with no window manager (an X server started by
         * xinit for this one program), where nobody acts on the full-screen
         * request, the window still covers the display; a window manager,
         * Wayland (cage) and KMSDRM honour FULLSCREEN_DESKTOP. */
        SDL_Rect b;
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
        ui_g.fullscreen = 1;
        if (SDL_GetDisplayBounds(display, &b) == 0 && b.w > 0 && b.h > 0) {
            x = b.x, y = b.y, w = b.w, h = b.h;
        } else {
            w = 1024;
            h = 600;
        }
    }
    if (cfg->hidden)
        flags |= SDL_WINDOW_HIDDEN;
    ui_g.win = SDL_CreateWindow(cfg->title ? cfg->title : "frontdesk", x, y, w, h, flags);
    if (ui_g.win)
        ui_g.ren = SDL_CreateRenderer(ui_g.win, -1, 0);
    if (!ui_g.win || !ui_g.ren) {
        snprintf(err, errsz, "SDL window: %s", SDL_GetError());
        goto fail;
    }
    SDL_SetRenderDrawBlendMode(ui_g.ren, SDL_BLENDMODE_BLEND);
    if (flags & SDL_WINDOW_FULLSCREEN_DESKTOP)
        SDL_ShowCursor(SDL_DISABLE);
    fit_display();
    update_output_size();
    /* 8 MiB: every screen's labels at 1024x600 take under 4 MiB; the rest is
     * one-off text (ticket numbers, badges, references at display sizes,
     * ~190 KiB each) that at 32 MiB piled up for a day: +1.1 MiB of RSS per
     * visitor, 108 MiB after twenty (issue 18). Evicted text is drawn again. */
    if (ui_draw_init(err, errsz, cfg->cache_bytes ? cfg->cache_bytes : 8u << 20,
                     cfg->cache_entries ? cfg->cache_entries : 1024) < 0)
        goto fail;
    SDL_StartTextInput();
    ui_g.last_input = ui_now();
    ui_g.dirty = ui_g.layout_dirty = 1;
    return 0;
fail:
    if (ui_g.ren)
        SDL_DestroyRenderer(ui_g.ren);
    if (ui_g.win)
        SDL_DestroyWindow(ui_g.win);
    ui_g.ren = NULL;
    ui_g.win = NULL;
    SDL_Quit();
    return -1;
}

void ui_shutdown(void)
{
    if (!ui_g.win)
        return;
    while (ui_g.nscreens > 0)
        ui_screen_free(ui_g.screens[ui_g.nscreens - 1]);
    ui_draw_fini();
    SDL_DestroyRenderer(ui_g.ren);
    SDL_DestroyWindow(ui_g.win);
    SDL_Quit();
    memset(&ui_g, 0, sizeof ui_g);
}

void ui_invalidate(void)
{
    ui_g.dirty = 1;
}

void ui_quit_loop(void)
{
    ui_g.quit = 1;
}

void ui_wake(void)
{
    if (ui_g.wake_event == 0 || ui_g.wake_event == (uint32_t)-1)
        return; /* before ui_init: nothing to wake */
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = ui_g.wake_event;
    SDL_PushEvent(&e); /* thread-safe; a full queue already wakes the loop */
}

void ui_on_wake(void (*fn)(void *ud), void *ud)
{
    ui_g.wake_fn = fn;
    ui_g.wake_ud = ud;
}

void ui_on_key_watch(ui_key_watch_fn fn, void *ud)
{
    ui_g.key_watch = fn;
    ui_g.key_watch_ud = ud;
    watch_key_times();
}

/* The key as ui_on_key_watch reports it. A press SDL marks as a repeat
 * counts as a press: under X11, SDL takes a release and a press of one key
 * within 2 ms for a key held down, and a scanner typing "11" (or a busy X
 * server stamping a burst with one time) does exactly that. The kiosk's only
 * physical keyboard is the scanner: a held key at worst makes a burst that
 * is no code of ours. */
static int watched_key(const SDL_KeyboardEvent *k)
{
    SDL_Keycode c = k->keysym.sym;
    if (c >= SDLK_0 && c <= SDLK_9)
        return '0' + (int)(c - SDLK_0);
    if (c >= SDLK_KP_1 && c <= SDLK_KP_9)
        return '1' + (int)(c - SDLK_KP_1);
    if (c == SDLK_KP_0)
        return '0';
    if (c == SDLK_RETURN || c == SDLK_KP_ENTER || c == SDLK_RETURN2)
        return '\r';
    if (c == SDLK_LSHIFT || c == SDLK_RSHIFT || c == SDLK_LCTRL || c == SDLK_RCTRL ||
        c == SDLK_LALT || c == SDLK_RALT || c == SDLK_NUMLOCKCLEAR)
        return 0;
    return -1;
}

uint64_t ui_last_input(void)
{
    return ui_g.last_input;
}

int ui_settling(void)
{
    return ui_g.settle_pending || ui_now() < ui_g.settle_until;
}

uint64_t ui_touches_ignored(void)
{
    return ui_g.touches_ignored;
}

/* A frame was presented: a pending settle starts counting from now. */
static void frame_presented(void)
{
    ui_g.frames++;
    if (ui_g.settle_pending) {
        ui_g.settle_pending = 0;
        ui_g.settle_until = ui_now() + UI_SETTLE_MS;
    }
}

/* ---- timers ------------------------------------------------------------ */

int ui_timer_add(uint32_t ms, void (*fn)(void *ud), void *ud)
{
    for (int i = 0; i < UI_MAX_TIMERS; i++)
        if (ui_g.timers[i].id == 0) {
            int id = ui_g.next_timer_id++;
            if (ui_g.next_timer_id <= 0)
                ui_g.next_timer_id = 1;
            ui_g.timers[i] = (struct ui_timer){id, ui_now() + ms, fn, ud};
            return id;
        }
    SDL_Log("ui: all %d timers in use", UI_MAX_TIMERS);
    return -1;
}

void ui_timer_cancel(int id)
{
    for (int i = 0; i < UI_MAX_TIMERS && id > 0; i++)
        if (ui_g.timers[i].id == id)
            ui_g.timers[i].id = 0;
}

/* Milliseconds until the next timer, -1 if none. */
static int64_t next_timer_in(void)
{
    int64_t best = -1;
    uint64_t now = ui_now();
    for (int i = 0; i < UI_MAX_TIMERS; i++) {
        if (!ui_g.timers[i].id)
            continue;
        int64_t d = ui_g.timers[i].due > now ? (int64_t)(ui_g.timers[i].due - now) : 0;
        if (best < 0 || d < best)
            best = d;
    }
    return best;
}

/* Fires every due timer, earliest first (a timer may add timers). */
static void fire_timers(void)
{
    for (int guard = 0; guard < 4 * UI_MAX_TIMERS; guard++) {
        int k = -1;
        uint64_t now = ui_now();
        for (int i = 0; i < UI_MAX_TIMERS; i++)
            if (ui_g.timers[i].id && ui_g.timers[i].due <= now &&
                (k < 0 || ui_g.timers[i].due < ui_g.timers[k].due))
                k = i;
        if (k < 0)
            return;
        struct ui_timer t = ui_g.timers[k];
        ui_g.timers[k].id = 0;
        t.fn(t.ud);
    }
}

/* ---- events ------------------------------------------------------------ */

/* Window coordinates (fractions for touch) to output pixels. */
static void to_output(float fx, float fy, int normalized, int *x, int *y)
{
    int ww = 1, wh = 1;
    SDL_GetWindowSize(ui_g.win, &ww, &wh);
    if (normalized) {
        fx *= (float)ww;
        fy *= (float)wh;
    }
    *x = (int)(fx * (float)ui_g.out_w / (float)(ww > 0 ? ww : 1));
    *y = (int)(fy * (float)ui_g.out_h / (float)(wh > 0 ? wh : 1));
}

static void handle_event(const SDL_Event *e)
{
    int x, y;
    switch (e->type) {
    case SDL_QUIT:
        if (!ui_g.kiosk)
            ui_g.quit = 1;
        break;
    case SDL_DISPLAYEVENT: /* connected, disconnected, rotated */
        fit_display();
        ui_g.dirty = 1;
        break;
    case SDL_WINDOWEVENT:
        switch (e->window.event) {
        case SDL_WINDOWEVENT_SIZE_CHANGED:
        case SDL_WINDOWEVENT_RESIZED:
            update_output_size();
            ui_g.dirty = 1;
            break;
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_SHOWN:
        case SDL_WINDOWEVENT_RESTORED:
        case SDL_WINDOWEVENT_MAXIMIZED:
            ui_g.dirty = 1; /* the picture was lost: draw again */
            break;
        default:
            break; /* focus, enter, leave, moved: nothing to draw */
        }
        break;
    case SDL_FINGERDOWN:
        if (ui_g.ptr_down)
            break; /* one pointer: a second finger is ignored */
        ui_g.finger = e->tfinger.fingerId;
        to_output(e->tfinger.x, e->tfinger.y, 1, &x, &y);
        ui_pointer_down(x, y);
        break;
    case SDL_FINGERMOTION:
        if (ui_g.ptr_down && ui_g.finger == e->tfinger.fingerId) {
            to_output(e->tfinger.x, e->tfinger.y, 1, &x, &y);
            ui_pointer_move(x, y);
        }
        break;
    case SDL_FINGERUP:
        if (ui_g.ptr_down && ui_g.finger == e->tfinger.fingerId) {
            to_output(e->tfinger.x, e->tfinger.y, 1, &x, &y);
            ui_pointer_up(x, y);
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.which == SDL_TOUCH_MOUSEID ||
            e->button.button != SDL_BUTTON_LEFT || ui_g.ptr_down)
            break;
        ui_g.finger = -1;
        to_output((float)e->button.x, (float)e->button.y, 0, &x, &y);
        ui_pointer_down(x, y);
        break;
    case SDL_MOUSEMOTION:
        if (e->motion.which != SDL_TOUCH_MOUSEID && ui_g.ptr_down &&
            ui_g.finger == -1) {
            to_output((float)e->motion.x, (float)e->motion.y, 0, &x, &y);
            ui_pointer_move(x, y);
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.which != SDL_TOUCH_MOUSEID &&
            e->button.button == SDL_BUTTON_LEFT && ui_g.ptr_down &&
            ui_g.finger == -1) {
            to_output((float)e->button.x, (float)e->button.y, 0, &x, &y);
            ui_pointer_up(x, y);
        }
        break;
    case SDL_TEXTINPUT:
        ui_g.last_input = ui_now();
        ui_key_text(e->text.text);
        break;
    case SDL_SYSWMEVENT:
#if defined(SDL_VIDEO_DRIVER_X11)
        if (e->syswm.msg && e->syswm.msg->subsystem == SDL_SYSWM_X11 &&
            e->syswm.msg->msg.x11.event.type == KeyPress) {
            ui_g.key_x_time = (uint32_t)e->syswm.msg->msg.x11.event.xkey.time;
            ui_g.key_x_time_set = 1;
        }
#endif
        break;
    case SDL_KEYDOWN: {
        uint32_t at = ui_g.key_x_time_set ? ui_g.key_x_time : e->key.timestamp;
        ui_g.key_x_time_set = 0;
        ui_g.last_input = ui_now();
        if (ui_g.key_watch && ui_g.key_watch(ui_g.key_watch_ud, watched_key(&e->key), at))
            break; /* taken (a scanner's code) */
        if (e->key.keysym.sym == SDLK_ESCAPE && !ui_g.kiosk)
            ui_g.quit = 1;
        else
            ui_key_down(e->key.keysym.sym);
        break;
    }
    default:
        if (e->type == ui_g.wake_event && ui_g.wake_fn)
            ui_g.wake_fn(ui_g.wake_ud);
        break;
    }
}

static void redraw(void)
{
    if (ui_g.layout_dirty && ui_g.cur) {
        ui_layout_screen(ui_g.cur);
        ui_g.layout_dirty = 0;
    }
    SDL_Color bg = ui_col(UC_BG);
    SDL_SetRenderDrawColor(ui_g.ren, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ui_g.ren);
    if (ui_g.cur)
        ui_draw_screen(ui_g.cur);
    ui_g.dirty = 0;
}

void ui_redraw_now(void)
{
    redraw();
}

int ui_step(int timeout_ms)
{
    SDL_Event e;
    int64_t t = next_timer_in();
    int wait = timeout_ms;
    if (t >= 0 && (wait < 0 || t < wait))
        wait = (int)(t > 0x7fffffff ? 0x7fffffff : t);
    if (ui_g.dirty)
        wait = 0;
    int got = wait == 0 ? SDL_PollEvent(&e)
            : wait < 0 ? SDL_WaitEvent(&e)
                       : SDL_WaitEventTimeout(&e, wait);
    if (wait != 0)
        ui_g.wakeups++;
    if (got) {
        handle_event(&e);
        for (int n = 0; n < 256 && SDL_PollEvent(&e); n++)
            handle_event(&e);
    }
    fire_timers();
    if (ui_g.dirty || ui_g.layout_dirty) {
        redraw();
        SDL_RenderPresent(ui_g.ren);
        frame_presented();
    }
    return ui_g.quit;
}

int ui_run(void)
{
    /* A quit asked for before the loop (a stop taken by an earlier ui_step,
     * such as the kiosk's first frame's) ends it at once: not reset here. */
    while (!ui_g.quit && !ui_step(-1))
        ;
    ui_g.quit = 0;
    return 0;
}

/* ---- output ------------------------------------------------------------ */

void ui_output_size(int *w, int *h)
{
    if (w)
        *w = ui_g.out_w;
    if (h)
        *h = ui_g.out_h;
}

int ui_is_landscape(void)
{
    return ui_g.out_w >= ui_g.out_h;
}

int ui_mm(float mm)
{
    return (int)(mm * (float)ui_g.dpi / 25.4f + 0.999f);
}

int ui_units(float u)
{
    int s = ui_g.out_w < ui_g.out_h ? ui_g.out_w : ui_g.out_h;
    return (int)(u * (float)s / 100.0f + 0.5f);
}

int ui_target(void)
{
    return ui_mm(15.0f);
}

/* Common panels: diagonal in inches and pixels; dpi = sqrt(w^2 + h^2) / d. */
static const struct panel {
    const char *name;
    float inches;
    int w, h;
} panels[] = {
    {"10.1-1024x600", 10.1f, 1024, 600},   /* 117 dpi */
    {"10.1-1280x800", 10.1f, 1280, 800},   /* 149 dpi */
    {"15.6-1920x1080", 15.6f, 1920, 1080}, /* 141 dpi */
    {"21.5-1920x1080", 21.5f, 1920, 1080}, /* 102 dpi */
    {"23.8-1920x1080", 23.8f, 1920, 1080}, /* 93 dpi */
};

int ui_panel_dpi(const char *name)
{
    for (size_t i = 0; name && i < sizeof panels / sizeof panels[0]; i++)
        if (!strcmp(name, panels[i].name)) {
            double d = sqrt((double)panels[i].w * panels[i].w +
                            (double)panels[i].h * panels[i].h) / panels[i].inches;
            return (int)(d + 0.5);
        }
    return 0;
}

void ui_set_elder(int on)
{
    ui_g.large = on ? 1 : 0;
    ui_g.layout_dirty = ui_g.dirty = 1;
}

int ui_elder(void)
{
    return ui_g.large;
}

void ui_set_large_text(int on)
{
    ui_set_elder(on);
}

int ui_large_text(void)
{
    return ui_g.large;
}

float ui_px_dp(int px)
{
    return (float)px * 160.0f / (float)ui_g.dpi;
}

int ui_dp_px(float dp)
{
    return (int)ceilf(dp * (float)ui_g.dpi / 160.0f);
}

int ui_set_theme(const char *name, char *err, size_t errsz)
{
    if (ui_theme_load(name, &ui_g.theme, err, errsz) < 0)
        return -1;
    ui_cache_clear(ui_g.text_cache); /* colours are in the keys anyway */
    ui_g.dirty = 1;
    return 0;
}

int ui_set_window_size(int w, int h)
{
    if (w < 64 || h < 64 || w > 8192 || h > 8192)
        return -1;
    SDL_SetWindowSize(ui_g.win, w, h);
    /* X11 applies the size asynchronously: pump until the renderer sees it
     * (bounded: a window manager may refuse). */
    for (int i = 0; i < 200; i++) {
        SDL_PumpEvents();
        update_output_size();
        if (ui_g.out_w == w && ui_g.out_h == h)
            break;
        SDL_Delay(5);
    }
    /* Drain the resize events so they do not count as work later. */
    SDL_Event e;
    while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, SDL_WINDOWEVENT,
                          SDL_WINDOWEVENT) > 0)
        ;
    update_output_size();
    ui_g.layout_dirty = ui_g.dirty = 1;
    return ui_g.out_w == w && ui_g.out_h == h ? 0 : -1;
}

int ui_shot(const char *png_path, char *err, size_t errsz)
{
    redraw();
    int w = ui_g.out_w, h = ui_g.out_h, rc = -1;
    uint8_t *px = SDL_malloc((size_t)w * h * 4);
    if (!px) {
        snprintf(err, errsz, "shot: out of memory");
        return -1;
    }
    if (SDL_RenderReadPixels(ui_g.ren, NULL, SDL_PIXELFORMAT_ABGR8888, px,
                             w * 4) < 0) {
        snprintf(err, errsz, "shot: %s", SDL_GetError());
    } else {
        rc = ui_png_write(png_path, px, w, h, err, errsz);
    }
    SDL_free(px);
    SDL_RenderPresent(ui_g.ren);
    frame_presented();
    return rc;
}

uint8_t *ui_read_frame(int *w, int *h)
{
    redraw();
    uint8_t *px = SDL_malloc((size_t)ui_g.out_w * ui_g.out_h * 4);
    if (px && SDL_RenderReadPixels(ui_g.ren, NULL, SDL_PIXELFORMAT_ABGR8888, px,
                                   ui_g.out_w * 4) < 0) {
        SDL_free(px);
        px = NULL;
    }
    SDL_RenderPresent(ui_g.ren);
    frame_presented();
    *w = ui_g.out_w;
    *h = ui_g.out_h;
    return px;
}

void ui_get_stats(struct ui_stats *st)
{
    memset(st, 0, sizeof *st);
    st->frames = ui_g.frames;
    st->wakeups = ui_g.wakeups;
    if (ui_g.text_cache)
        ui_cache_stats(ui_g.text_cache, &st->cache_entries, &st->cache_bytes,
                       &st->cache_evictions);
}
