/* ui.h - the kiosk's touch toolkit: one full-screen SDL2 window, a retained
 * tree of widgets per screen, text in Noto Sans CJK SC, a layout in relative
 * units that adapts to the output, and an event loop that sleeps when nothing
 * changes. Screens include this header (and kb.h for the on-screen keyboard);
 * they never touch SDL. All calls are for the UI thread, except ui_wake().
 *
 * Typical screen:
 *     struct ui_screen *s = ui_screen_new("home");
 *     struct ui_widget *root = ui_screen_root(s);           // a column
 *     ui_label(root, "title", tr("home.title"), UI_FONT_TITLE);
 *     struct ui_widget *g = ui_grid(root, "menu", 2, 1);    // 2 cols wide, 1 tall
 *     ui_set_weight(g, 1);
 *     ui_button(g, "ticket", tr("home.ticket"), on_ticket, app);
 *     ui_show(s);  ... ui_run();
 */
#ifndef UI_H
#define UI_H
#include <stddef.h>
#include <stdint.h>

struct ui_screen;
struct ui_widget;

struct ui_rect {
    int x, y, w, h; /* pixels, origin top left of the output */
};

struct ui_config {
    int window_w, window_h;     /* 0,0: full screen at the display's own size,
                                   following its resolution and rotation */
    const char *title;          /* window title; NULL: "frontdesk" */
    const char *font_path;      /* NULL: fontconfig "Noto Sans CJK SC" */
    int font_index;             /* face in font_path (.ttc): 2 is SC */
    const char *font_bold_path; /* NULL: fontconfig bold (or font_path) */
    int dpi;                    /* 0: 96 */
    const char *theme;          /* theme name in data/ui or a file; NULL: "default" */
    int kiosk;                  /* 1: nothing quits (window close, Escape) */
    size_t cache_bytes;         /* text texture cache cap; 0: 8 MiB */
    size_t cache_entries;       /* and entry cap; 0: 1024 */
    int long_press_ms;          /* default long press; 0: 1500 */
    int hidden;                 /* 1: create the window hidden (tests) */
    int display;                /* which display (0 = the first); one that
                                   does not exist falls back to 0 with a
                                   message on stderr */
};

/* Opens the window and renderer, loads the fonts and theme. On failure
 * returns -1 with a message in err (e.g. the font is not installed) and
 * leaves nothing open. One UI per process. */
int ui_init(const struct ui_config *cfg, char *err, size_t errsz);

/* Frees every screen, the caches, fonts, window; safe to call twice. */
void ui_shutdown(void);

/* ---- time and the loop ---------------------------------------------- */

/* The toolkit's clock in milliseconds. Tests and ui_script replace it with a
 * fake one; NULL restores SDL's monotonic clock. */
typedef uint64_t (*ui_clock_fn)(void *ctx);
void ui_set_clock(ui_clock_fn fn, void *ctx);
uint64_t ui_now(void);

/* Runs the loop until ui_quit_loop(): handles input, fires timers, redraws
 * only when something changed, and otherwise sleeps in SDL_WaitEventTimeout
 * (no CPU while idle). A ui_quit_loop() that came before (in an earlier
 * ui_step) returns at once. Returns 0. */
int ui_run(void);

/* One loop iteration: waits up to timeout_ms for an event (-1: until one
 * comes or a timer is due; 0: do not wait), handles all pending events, fires
 * due timers, redraws if needed. Returns 1 once ui_quit_loop() was called. */
int ui_step(int timeout_ms);

/* Makes ui_run return after the current iteration. */
void ui_quit_loop(void);

/* Thread-safe: wakes the UI thread, which then calls the ui_on_wake handler
 * (e.g. a printer or sync worker saw a change the screen shows). */
void ui_wake(void);
void ui_on_wake(void (*fn)(void *ud), void *ud);

/* Watches every key pressed on a physical keyboard (a USB barcode scanner is
 * one) before the focused widget gets it: fn(ud, key, ms) with key '0'..'9'
 * (main row or keypad), '\r' (Enter), 0 (a modifier such as Shift) or -1
 * (anything else; a repeating key counts as pressed again), and ms the time
 * the key was pressed (milliseconds; under X11 the X server's clock,
 * elsewhere the time SDL took the event in; only differences between keys
 * mean anything). fn returns 1 to take the key (the widget never sees it), 0
 * to pass it on. NULL fn: no watch. */
typedef int (*ui_key_watch_fn)(void *ud, int key, uint32_t ms);
void ui_on_key_watch(ui_key_watch_fn fn, void *ud);

/* Asks for a redraw (setters already do this). */
void ui_invalidate(void);

/* Calls fn(ud) once, ms from now on the toolkit's clock. At most 32 timers
 * exist at once. Returns an id > 0, or -1 when all are in use. */
int ui_timer_add(uint32_t ms, void (*fn)(void *ud), void *ud);
void ui_timer_cancel(int id); /* unknown or fired ids are ignored */

/* Clock time of the last touch, click or key: screens time their idle reset
 * from this. */
uint64_t ui_last_input(void);

/* One touch, one action. What is under the finger changed (a new screen, a
 * new wizard step): a touch that is down now is dropped (its lift acts on
 * nothing), and every touch that begins before UI_SETTLE_MS have passed
 * since the first frame showing the new content is swallowed whole (down,
 * moves and lift). So the second and third tap of a double or triple tap
 * never act on what the first one opened. Timed on the toolkit's clock
 * (monotonic: SDL_GetTicks64, or a script's fake clock). ui_show() calls it;
 * screens call it when they swap content within a screen. */
#define UI_SETTLE_MS 500
void ui_settle(void);
/* 1 while touches are being swallowed (or the new content is not yet on
 * screen); scripts wait for 0 before they tap, as a visitor would. */
int ui_settling(void);
/* Touches swallowed by a settle since ui_init (tests). */
uint64_t ui_touches_ignored(void);

/* ---- output, units, theme ------------------------------------------- */

void ui_output_size(int *w, int *h);
int ui_is_landscape(void);
/* Pixels for a length in millimetres (at the configured dpi). */
int ui_mm(float mm);
/* Pixels for layout units: one unit is 1% of the output's shorter side. */
int ui_units(float u);
/* Smallest touch target side in pixels (15 mm). */
int ui_target(void);
/* The real dpi of a common kiosk panel by name ("10.1-1024x600",
 * "15.6-1920x1080", "21.5-1920x1080"; the `panel` setting), from its
 * diagonal and resolution; 0 for a name not in the table. */
int ui_panel_dpi(const char *name);
/* Elder mode (长辈模式), after MIIT's aging-friendly rules for apps (2021):
 * text x1.25 and never under 18 dp (titles and larger: 30 dp), dp = px x
 * 160 / dpi at the configured dpi; lines at 1.4 em (>= 1.3); an error
 * (a field's message, a danger label) drawn with a warning sign beside its
 * words, never told by colour alone. Touch targets are 15 mm in every mode
 * (more than 60 dp at any dpi). Relayouts. The old "larger text" calls are
 * the same switch. */
void ui_set_elder(int on);
int ui_elder(void);
void ui_set_large_text(int on);
int ui_large_text(void);
/* Density-independent pixels of a length of px pixels at the configured
 * dpi (dp = px x 160 / dpi), and back (rounded up). */
float ui_px_dp(int px);
int ui_dp_px(float dp);
/* The text a visitor sees on s, in reading order (the tree's order): every
 * shown label, button (and its second line), checkbox, big number, face
 * caption and field message, one per line, into buf (cut at len, always
 * NUL-terminated). Typed text and widgets marked private are left out: the
 * screen is read aloud in a public room. Returns the bytes written. */
size_t ui_screen_text(struct ui_screen *s, char *buf, size_t len);
/* Switches theme: a name in data/ui ("default", "contrast") or a file path.
 * Returns 0 or -1 with err set (the old theme stays). */
int ui_set_theme(const char *name, char *err, size_t errsz);
/* Resizes the window (development, scripts). Returns 0 or -1. */
int ui_set_window_size(int w, int h);

/* Draws the current screen now and saves it as a PNG (SDL_RenderReadPixels).
 * Returns 0 or -1 with err set. */
int ui_shot(const char *png_path, char *err, size_t errsz);

struct ui_stats {
    uint64_t frames;          /* frames drawn and presented */
    uint64_t wakeups;         /* times the loop woke from its wait */
    size_t cache_entries;     /* text textures cached */
    size_t cache_bytes;       /* their pixel bytes */
    size_t cache_evictions;   /* evicted by a cap so far */
};
void ui_get_stats(struct ui_stats *st);

/* ---- screens ---------------------------------------------------------- */

/* A screen owns its widgets (at most 512). Returns NULL on no memory. */
struct ui_screen *ui_screen_new(const char *name);
/* Frees the screen and its widgets (wiping field text); NULL is fine. */
void ui_screen_free(struct ui_screen *s);
/* The root: a column filling the output, padded. */
struct ui_widget *ui_screen_root(struct ui_screen *s);
const char *ui_screen_name(const struct ui_screen *s);
/* Makes s the screen shown (NULL: nothing). Focus and scroll stay as they
 * were on s. */
void ui_show(struct ui_screen *s);
struct ui_screen *ui_current(void);
/* The widget with this id on s, or NULL. */
struct ui_widget *ui_find(struct ui_screen *s, const char *id);
/* Wipes every text field of s (NULL: of every screen) with explicit_bzero,
 * resets the input method, and drops every cached texture made from typed
 * text. Call on idle reset. */
void ui_screen_wipe(struct ui_screen *s);

/* ---- widgets ---------------------------------------------------------- */

typedef void (*ui_cb)(struct ui_widget *w, void *ud);

enum ui_dir { UI_COL, UI_ROW, UI_AUTO /* row when landscape, else column */ };
enum ui_font {
    UI_FONT_SMALL, UI_FONT_BODY, UI_FONT_BUTTON, UI_FONT_TITLE,
    UI_FONT_HEADLINE, UI_FONT_HUGE, UI_FONT_COUNT
};
enum ui_style {
    UI_STYLE_NORMAL, UI_STYLE_PRIMARY, UI_STYLE_DANGER, UI_STYLE_QUIET,
    UI_STYLE_SELECTED
};
enum ui_align { UI_ALIGN_START, UI_ALIGN_CENTER, UI_ALIGN_END };
enum ui_anchor {
    UI_TOP_LEFT, UI_TOP_RIGHT, UI_BOTTOM_LEFT, UI_BOTTOM_RIGHT, UI_TOP,
    UI_BOTTOM, UI_CENTER
};
enum ui_face_kind { UI_FACE_EXCELLENT, UI_FACE_GOOD, UI_FACE_FAIR, UI_FACE_POOR };

/* Constructors add a child at the end of parent (a box or grid) and return
 * it, or NULL when the screen is full or memory ran out. id names the widget
 * for ui_find and scripts (tap_id); it may be NULL. Texts are copied (at most
 * 4 KiB). */

/* A stack of children along dir, with a gap between them (default 2 units). */
struct ui_widget *ui_box(struct ui_widget *parent, const char *id,
                         enum ui_dir dir);
/* Equal cells, cols_landscape columns on a landscape output and
 * cols_portrait on a portrait one. */
struct ui_widget *ui_grid(struct ui_widget *parent, const char *id,
                          int cols_landscape, int cols_portrait);
/* Text that wraps onto as many lines as it needs (ui_set_lines caps it). */
struct ui_widget *ui_label(struct ui_widget *parent, const char *id,
                           const char *text, enum ui_font font);
/* A button or tile (ui_set_sub adds a second, smaller line). */
struct ui_widget *ui_button(struct ui_widget *parent, const char *id,
                            const char *text, ui_cb on_tap, void *ud);
/* A one-line text field holding at most max_chars characters (1..1024). */
struct ui_widget *ui_field(struct ui_widget *parent, const char *id,
                           const char *placeholder, int max_chars);
struct ui_widget *ui_check(struct ui_widget *parent, const char *id,
                           const char *text, ui_cb on_change, void *ud);
/* A scrolling list of rows (drag to scroll, tap to select); at most 2000. */
struct ui_widget *ui_list(struct ui_widget *parent, const char *id,
                          ui_cb on_select, void *ud);
/* A number (or short code) drawn as large as its rectangle allows. */
struct ui_widget *ui_bignum(struct ui_widget *parent, const char *id,
                            const char *text);
/* A rating face drawn with primitives, caption under it. */
struct ui_widget *ui_face(struct ui_widget *parent, const char *id,
                          enum ui_face_kind kind, const char *caption,
                          ui_cb on_tap, void *ud);
/* A PNG image, shown whole and scaled to fit (aspect kept). A file that
 * cannot be read shows as an empty box. */
struct ui_widget *ui_image(struct ui_widget *parent, const char *id, const char *png_path);
/* Empty space that takes `weight` of the free space. */
struct ui_widget *ui_spacer(struct ui_widget *parent, float weight);
/* An invisible area that only answers a long press (the staff corner). */
struct ui_widget *ui_hotspot(struct ui_widget *parent, const char *id,
                             int long_ms, ui_cb on_long, void *ud);
/* A box laid over the screen at an anchor, w and h as fractions of the
 * output (never smaller than a touch target). Drawn above the root. */
struct ui_widget *ui_overlay(struct ui_screen *s, const char *id,
                             enum ui_anchor anchor, float w, float h);

/* Common setters (each asks for a redraw or relayout as needed). */
void ui_set_text(struct ui_widget *w, const char *text);
const char *ui_text(const struct ui_widget *w); /* field: its content */
void ui_set_sub(struct ui_widget *w, const char *text);
void ui_set_font(struct ui_widget *w, enum ui_font font);
void ui_set_style(struct ui_widget *w, enum ui_style style);
void ui_set_align(struct ui_widget *w, enum ui_align align);
void ui_set_lines(struct ui_widget *w, int max_lines); /* then "…" */
/* A label that does not fit its lines is drawn a font step smaller (down
 * to UI_FONT_SMALL) rather than cut with "…" (titles). */
void ui_set_fit(struct ui_widget *w, int on);
void ui_set_visible(struct ui_widget *w, int on);
void ui_set_enabled(struct ui_widget *w, int on);
/* Share of the parent's free space along its main axis (0: natural size). */
void ui_set_weight(struct ui_widget *w, float weight);
/* Fixed size along the parent's main axis, in units (0: natural). */
void ui_set_size(struct ui_widget *w, float units);
void ui_box_set_gap(struct ui_widget *box, float units);
void ui_box_set_pad(struct ui_widget *box, float units);
/* Where children sit when they leave free space along the main axis. */
void ui_box_set_justify(struct ui_widget *box, enum ui_align align);
void ui_on_tap(struct ui_widget *w, ui_cb fn, void *ud);
/* Long press of ms (0: default) calls fn instead of the tap. */
void ui_on_long(struct ui_widget *w, int ms, ui_cb fn, void *ud);
/* Marks a widget as showing visitor data (e.g. a review label): its text is
 * wiped by ui_screen_wipe and its textures are dropped with typed text. */
void ui_set_private(struct ui_widget *w, int on);
void ui_set_user(struct ui_widget *w, void *user);
void *ui_user(const struct ui_widget *w);
const char *ui_id(const struct ui_widget *w);
struct ui_rect ui_rect_of(const struct ui_widget *w); /* after layout */
struct ui_screen *ui_screen_of(const struct ui_widget *w);
/* Lays out the current screen now (normally done before drawing). */
void ui_layout_now(void);

/* Text fields. Content is kept in one fixed buffer sized from max_chars and
 * wiped, never reallocated. */
void ui_focus(struct ui_widget *field);
struct ui_widget *ui_focused(struct ui_screen *s);
void ui_field_set_secret(struct ui_widget *f, int on);   /* shows dots */
void ui_field_set_keyboard(struct ui_widget *f, const char *layout);
const char *ui_field_keyboard(const struct ui_widget *f);
void ui_field_on_change(struct ui_widget *f, ui_cb fn, void *ud);
void ui_field_on_submit(struct ui_widget *f, ui_cb fn, void *ud);
/* Inserts UTF-8 text at the caret (the end unless the visitor moved it).
 * Returns 0, -1 when the text is not valid UTF-8 or holds control
 * characters, -2 when max_chars would be exceeded (nothing is inserted
 * then; the limit message, when set, shows under the field). */
int ui_field_insert(struct ui_widget *f, const char *text);
/* Deletes the character before the caret. */
void ui_field_backspace(struct ui_widget *f);
/* A text area: the text wraps onto as many lines as the field is tall
 * (at least three), the caret line is kept in view. */
void ui_field_set_multiline(struct ui_widget *f, int on);
/* The message shown under the field when typing would pass max_chars
 * (e.g. "Name: up to 40 characters"); it goes with the next edit. */
void ui_field_set_limit_msg(struct ui_widget *f, const char *msg);
/* Moves the caret: one character left (-1) or right (+1), a line up (-2)
 * or down (+2; a single-line field: to the start or the end). */
enum ui_caret_move { UI_CARET_LEFT = -1, UI_CARET_RIGHT = 1, UI_CARET_UP = -2,
                     UI_CARET_DOWN = 2, UI_CARET_HOME = -3, UI_CARET_END = 3 };
void ui_field_move_caret(struct ui_widget *f, enum ui_caret_move m);
/* Byte offset of the caret in ui_text(f). */
size_t ui_field_caret(const struct ui_widget *f);
/* Empties the field, wiping its buffer. */
void ui_field_clear(struct ui_widget *f);
/* Shows a validation message under the field and marks it ("" or NULL
 * clears it). */
void ui_field_set_error(struct ui_widget *f, const char *msg);

/* Checkboxes. */
int ui_checked(const struct ui_widget *w);
void ui_set_checked(struct ui_widget *w, int on);

/* Lists. */
int ui_list_add(struct ui_widget *l, const char *text, const char *sub,
                long tag);                  /* returns index, -1 when full */
void ui_list_clear(struct ui_widget *l);
/* Shows only rows whose text or sub contains filter (case-insensitive for
 * ASCII); NULL or "" shows all. */
void ui_list_set_filter(struct ui_widget *l, const char *filter);
int ui_list_selected(const struct ui_widget *l);   /* index or -1 */
long ui_list_selected_tag(const struct ui_widget *l); /* tag or -1 */
void ui_list_select(struct ui_widget *l, int index);
int ui_list_shown(const struct ui_widget *l);      /* rows passing filter */

#endif
