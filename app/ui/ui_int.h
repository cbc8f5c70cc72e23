/* ui_int.h - private to app/ui: widget and toolkit state shared by ui.c
 * (loop, input), ui_draw.c (fonts, text cache, primitives), ui_widget.c
 * (widgets, layout) and kb.c (the keyboard, a custom widget). Screens never
 * include it. */
#ifndef UI_INT_H
#define UI_INT_H
#include <SDL.h>
#include <SDL_ttf.h>

#include "ui.h"
#include "ui_cache.h"

#define UI_MAX_WIDGETS 512   /* per screen */
#define UI_MAX_TEXT 4096     /* label / button text bytes */
#define UI_MAX_LIST 2000     /* list rows */
#define UI_MAX_TIMERS 32
#define UI_MAX_SCREENS 64
/* Elder mode's floors (MIIT 2021, aging-friendly rules for apps; dp = px x
 * 160 / dpi): main text, the largest text (titles), line height in tenths
 * of an em, touch targets of the main controls and of the rest. */
#define UI_ELDER_TEXT_DP 18
#define UI_ELDER_TITLE_DP 30
#define UI_ELDER_LINE_TENTHS 14
#define UI_ELDER_TARGET_DP 60
#define UI_ELDER_TARGET_MINOR_DP 44

enum ui_kind {
    UI_W_BOX, UI_W_GRID, UI_W_LABEL, UI_W_BUTTON, UI_W_FIELD, UI_W_CHECK,
    UI_W_LIST, UI_W_BIGNUM, UI_W_FACE, UI_W_SPACER, UI_W_HOTSPOT,
    UI_W_CUSTOM
};

/* A widget with its own drawing and input (the keyboard). */
struct ui_widget_ops {
    int (*natural_h)(struct ui_widget *w, int width);
    int (*natural_w)(struct ui_widget *w);      /* also its minimum */
    void (*draw)(struct ui_widget *w);
    void (*down)(struct ui_widget *w, int x, int y);
    void (*move)(struct ui_widget *w, int x, int y);
    void (*up)(struct ui_widget *w, int x, int y);
    void (*cancel)(struct ui_widget *w);         /* pointer lost */
    void (*wipe)(struct ui_widget *w);           /* idle reset */
    void (*destroy)(struct ui_widget *w);
    /* Rectangle of a named part (a key), for scripts; 0 or -1. */
    int (*part_rect)(struct ui_widget *w, const char *part, struct ui_rect *r);
    /* The least height it works at (the keyboard: keys 15 mm tall); NULL:
     * it keeps its natural height. */
    int (*min_h)(struct ui_widget *w, int width);
};

struct ui_list_item {
    char *text;    /* row text */
    char *sub;     /* second line or NULL */
    long tag;      /* caller's value (e.g. host id) */
};

struct ui_widget {
    enum ui_kind kind;
    char id[40];                     /* for ui_find and scripts; "" if none */
    struct ui_screen *screen;        /* owner */
    struct ui_widget *parent;        /* NULL for roots and overlays */
    struct ui_widget *first, *last;  /* children */
    struct ui_widget *next;          /* sibling */
    struct ui_rect r;                /* laid out rectangle */
    float weight;                    /* share of free main-axis space */
    float size_u;                    /* fixed main size in units, 0 natural */
    int visible, enabled;
    /* containers */
    enum ui_dir dir;                 /* box direction */
    float gap_u, pad_u;              /* units */
    enum ui_align justify;           /* free space placement */
    int cols_l, cols_p;              /* grid columns landscape / portrait */
    /* text */
    char *text;                      /* label/button/check/bignum text */
    char *sub;                       /* second line of a tile */
    enum ui_font font;
    enum ui_style style;
    enum ui_align align;
    int max_lines;                   /* 0: unlimited */
    int fit;                         /* label: a font step smaller before "…" */
    /* input */
    ui_cb on_tap; void *tap_ud;
    ui_cb on_long; void *long_ud; int long_ms;
    ui_cb on_change; void *change_ud;
    ui_cb on_submit; void *submit_ud;
    int pressed;                     /* pointer is down on it */
    int checked;
    int private_;                    /* holds visitor data: wiped on reset */
    /* field */
    char *buf;                       /* fixed, buf_size bytes, NUL-terminated */
    size_t buf_size, len;            /* capacity, bytes used */
    int max_chars;
    int secret;
    char kb_layout[24];              /* wanted keyboard layout, "" letters */
    char *error;                     /* validation message or NULL */
    size_t caret;                    /* byte offset of the caret, <= len */
    int multiline;                   /* wraps onto lines (a text area) */
    int top_line;                    /* text area: first line shown */
    char *limit_msg;                 /* shown when typing hits max_chars */
    int limit_shown;                 /* error holds limit_msg now */
    /* list */
    struct ui_list_item *items;      /* nitems rows */
    int nitems;
    int *shown;                      /* indexes passing the filter */
    int nshown;
    int sel;                         /* selected index or -1 */
    int scroll;                      /* pixels scrolled */
    char filter[128];
    /* face */
    enum ui_face_kind face;
    /* overlay */
    int is_overlay;
    enum ui_anchor anchor;
    float ow, oh;
    /* custom */
    const struct ui_widget_ops *ops;
    void *impl;
    void *user;
};

struct ui_screen {
    char name[32];
    struct ui_widget *root;
    struct ui_widget *overlays[8];   /* drawn above root, hit first */
    int noverlays;
    struct ui_widget *all[UI_MAX_WIDGETS]; /* every widget, for free/find */
    int nall;
    struct ui_widget *focus;         /* focused field or NULL */
};

struct ui_timer {
    int id;             /* 0: slot free */
    uint64_t due;       /* clock ms */
    void (*fn)(void *);
    void *ud;
};

struct ui_theme {
    SDL_Color c[32];    /* by enum ui_color */
};

enum ui_color {
    UC_BG, UC_FG, UC_MUTED, UC_PANEL, UC_BORDER, UC_BUTTON, UC_BUTTON_FG,
    UC_PRIMARY, UC_PRIMARY_FG, UC_DANGER, UC_DANGER_FG, UC_SELECTED,
    UC_SELECTED_FG, UC_PRESSED, UC_FOCUS, UC_ERROR, UC_FIELD, UC_FIELD_FG,
    UC_KB_BG, UC_KEY, UC_KEY_FG, UC_KEY_SPECIAL, UC_FACE_1, UC_FACE_2,
    UC_FACE_3, UC_FACE_4, UC_FACE_FG, UC_DISABLED, UC_COUNT
};

struct ui_state {
    SDL_Window *win;
    SDL_Renderer *ren;
    int out_w, out_h;               /* renderer output size */
    int fullscreen;                 /* 1: the window covers its display */
    int display;                    /* the display it is on */
    int dpi;
    int kiosk;
    int long_press_ms;
    int large;                      /* elder mode on (ui_set_elder) */
    int dirty, layout_dirty;
    int quit;
    uint32_t wake_event;            /* registered SDL user event */
    void (*wake_fn)(void *);
    void *wake_ud;
    ui_key_watch_fn key_watch;      /* ui_on_key_watch, NULL = none */
    void *key_watch_ud;
    uint32_t key_x_time;            /* X server time of the last KeyPress (ms) */
    int key_x_time_set;             /* ... not yet paired with its SDL_KEYDOWN */
    ui_clock_fn clock;
    void *clock_ctx;
    uint64_t last_input;
    struct ui_timer timers[UI_MAX_TIMERS];
    int next_timer_id;
    struct ui_screen *screens[UI_MAX_SCREENS];
    int nscreens;
    struct ui_screen *cur;
    /* pointer */
    int ptr_down;                   /* a finger or the mouse is down */
    SDL_FingerID finger;            /* the finger followed, or -1 mouse */
    int ptr_x, ptr_y, down_x, down_y;
    struct ui_widget *ptr_w;        /* widget under the press */
    int dragging;                   /* list scroll in progress */
    int drag_scroll0;
    int long_timer;                 /* timer id of the long press, 0 */
    int long_fired;
    /* settle (ui_settle): touches beginning before settle_until are
     * swallowed whole; settle_pending until the new content's first frame */
    int settle_pending;
    uint64_t settle_until;          /* clock ms */
    uint64_t touches_ignored;       /* swallowed by a settle so far */
    /* drawing */
    struct ui_theme theme;
    char font_path[512], bold_path[512];
    int font_index, bold_index;
    struct ui_cache *text_cache;
    uint64_t frames, wakeups;
    /* text cut with "…" in the frames drawn since ui_cuts_reset: for the
     * layout checks of scripts (check_uncut); the text of visitor data is
     * never kept */
    const char *drawing;            /* id of the widget being drawn, "" */
    int ncuts;
    struct ui_cut { char id[40]; char text[96]; } cuts[16];
};

extern struct ui_state ui_g;

/* ui_draw.c */
int ui_draw_init(char *err, size_t errsz, size_t cache_bytes,
                 size_t cache_entries);
void ui_draw_fini(void);
void ui_draw_reset_sizes(void);     /* output size or text scale changed */
void ui_draw_drop_private(void);    /* idle reset: typed text's textures, widths */
int ui_font_px(enum ui_font f);
TTF_Font *ui_font_get(int px, int bold);
/* Width of s[0..len) in f. Reads s[len] too (s is a string or a span of
 * one): a whole string's first measure also renders it for its drawing. */
int ui_text_w(enum ui_font f, int bold, const char *s, size_t len);
int ui_line_h(enum ui_font f);
/* Draws s[0..len) with its top left at x,y; private_ marks typed text. */
void ui_draw_text(TTF_Font *font, int px, int bold, const char *s, size_t len,
                  SDL_Color c, int x, int y, int private_);
/* Draws text wrapped into r (at most max_lines, 0: as fit), aligned, and
 * vertically centred; returns the height used. */
int ui_draw_text_box(enum ui_font f, int bold, const char *s, struct ui_rect r,
                     enum ui_align align, int max_lines, SDL_Color c,
                     int private_);
/* y of the top of a text texture whose line is centred on center_y. */
int ui_text_top(TTF_Font *font, int px, int center_y);
/* 1 when s fits at width w in max_lines lines (0: any number) without
 * being cut, 0 otherwise. */
int ui_text_fits(enum ui_font f, int bold, const char *s, int w, int max_lines);
/* Forgets the cuts recorded (ui_g.cuts); the next frames record theirs. */
void ui_cuts_reset(void);
/* Lays out (if needed) and draws the current screen into the renderer. */
void ui_redraw_now(void);
/* Height text needs at width w. */
int ui_text_box_h(enum ui_font f, int bold, const char *s, int w,
                  int max_lines);
void ui_fill_rect(struct ui_rect r, SDL_Color c);
void ui_fill_round(struct ui_rect r, int radius, SDL_Color c);
void ui_stroke_round(struct ui_rect r, int radius, int thick, SDL_Color c);
void ui_draw_face(struct ui_rect r, enum ui_face_kind kind, SDL_Color fill,
                  SDL_Color fg);
void ui_draw_check(struct ui_rect r, SDL_Color c);
SDL_Color ui_col(enum ui_color c);

/* ui.c: draws the current screen and reads it back, RGBA bytes (R first),
 * *w x *h; SDL_free() it. NULL on failure. */
uint8_t *ui_read_frame(int *w, int *h);

/* ui_elder.c: WCAG contrast ratio of two colours (1..21), and the elder-mode
 * check of the screen shown (ui_script's check_elder): 0, or -1 with every
 * failure in err; prints one summary line on stdout. */
double ui_contrast(SDL_Color a, SDL_Color b);
int ui_elder_check(char *err, size_t errsz);

/* ui_theme.c */
int ui_theme_load(const char *name, struct ui_theme *t, char *err,
                  size_t errsz);

/* ui_font.c */
int ui_font_locate(const char *family, int bold, char *path, size_t pathsz,
                   int *index, char *err, size_t errsz);

/* ui_widget.c */
void ui_layout_screen(struct ui_screen *s);
/* The font a face's caption is drawn in at width x height (0: as tall as
 * it needs): its own, or the largest smaller one (down to UI_FONT_SMALL)
 * that holds it and its sibling faces' captions on one line each, a line
 * at most a third of the height. */
enum ui_font ui_face_caption_font(const struct ui_widget *w, int width, int height);
/* The font a label is drawn in at its rectangle (a fitting one's may be
 * smaller than its own: ui_set_fit). */
enum ui_font ui_label_font(const struct ui_widget *w);
void ui_draw_screen(struct ui_screen *s);
struct ui_widget *ui_hit(struct ui_screen *s, int x, int y);
int ui_is_touchable(const struct ui_widget *w);
void ui_pointer_down(int x, int y);
void ui_pointer_move(int x, int y);
void ui_pointer_up(int x, int y);
void ui_key_text(const char *text);
void ui_key_down(SDL_Keycode k);
struct ui_widget *ui_widget_new(struct ui_widget *parent, enum ui_kind kind,
                                const char *id);
int ui_rect_has(struct ui_rect r, int x, int y);
/* The colours a part of w's text is drawn in and what is behind it (the
 * drawing uses this, and so does the elder-mode check). Returns 0, or -1
 * when w has no such text. */
enum ui_text_part { UI_PART_MAIN, UI_PART_SUB, UI_PART_ERROR, UI_PART_PLACEHOLDER };
int ui_text_colors(const struct ui_widget *w, enum ui_text_part part, SDL_Color *fg,
                   SDL_Color *bg);
/* Elder mode: where the warning sign of w's error (a field's message, a
 * danger label) is drawn, for text laid out in `text` (a label's rect, the
 * line under a field's frame). Returns 0, or -1 when w shows none. */
int ui_error_cue_rect(const struct ui_widget *w, struct ui_rect text, struct ui_rect *out);
/* The rectangle under a field's frame that holds its message (h 0: none). */
struct ui_rect ui_field_error_rect(const struct ui_widget *w);
/* Rectangle of shown row `row` of a list when it is in view: 0, else -1. */
int ui_list_row_rect(struct ui_widget *l, int row, struct ui_rect *r);


#endif
