/* ui_widget.c - the retained screen model: screens own a tree of widgets
 * (boxes, grids, labels, buttons, fields, checkboxes, lists, big numbers,
 * rating faces, hotspots, custom widgets such as the keyboard), laid out in
 * relative units so one description fits 1920x1080, 1080x1920 and 1024x600.
 * Every touchable widget is at least 15 mm on each side. Also the pointer
 * and key handling that turns presses into taps, long presses, focus and
 * typing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"
#include "ui_text.h"

/* ---- small helpers --------------------------------------------------- */

int ui_rect_has(struct ui_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static char *dup_text(const char *s)
{
    if (!s)
        s = "";
    size_t n = strnlen(s, UI_MAX_TEXT);
    /* Never cut inside a code point. */
    while (n > 0 && n == UI_MAX_TEXT && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void free_text(char **p, int wipe)
{
    if (*p && wipe)
        explicit_bzero(*p, strlen(*p));
    free(*p);
    *p = NULL;
}

static void relayout(void)
{
    ui_g.layout_dirty = ui_g.dirty = 1;
}

static int pad_px(void)
{
    return ui_units(2.0f);
}

static int radius_px(void)
{
    return ui_units(1.5f);
}

int ui_is_touchable(const struct ui_widget *w)
{
    switch (w->kind) {
    case UI_W_BUTTON: case UI_W_FIELD: case UI_W_CHECK: case UI_W_LIST:
    case UI_W_FACE: case UI_W_HOTSPOT: case UI_W_CUSTOM:
        return 1;
    default:
        return w->on_tap || w->on_long;
    }
}

/* ---- screens ------------------------------------------------------- */

struct ui_screen *ui_screen_new(const char *name)
{
    if (ui_g.nscreens >= UI_MAX_SCREENS) {
        SDL_Log("ui: more than %d screens", UI_MAX_SCREENS);
        return NULL;
    }
    struct ui_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "");
    s->root = ui_widget_new(NULL, UI_W_BOX, "root");
    if (!s->root) {
        free(s);
        return NULL;
    }
    /* ui_widget_new registered the root nowhere: adopt it. */
    s->root->screen = s;
    s->all[s->nall++] = s->root;
    s->root->pad_u = 3.0f;
    ui_g.screens[ui_g.nscreens++] = s;
    return s;
}

static void widget_free(struct ui_widget *w)
{
    if (w->ops && w->ops->destroy)
        w->ops->destroy(w);
    free_text(&w->text, w->private_);
    free_text(&w->sub, w->private_);
    free_text(&w->error, 1);
    free_text(&w->limit_msg, 0);
    if (w->buf) {
        explicit_bzero(w->buf, w->buf_size);
        free(w->buf);
    }
    for (int i = 0; i < w->nitems; i++) {
        free_text(&w->items[i].text, w->private_);
        free_text(&w->items[i].sub, w->private_);
    }
    free(w->items);
    free(w->shown);
    explicit_bzero(w->filter, sizeof w->filter);
    free(w);
}

void ui_screen_free(struct ui_screen *s)
{
    if (!s)
        return;
    if (ui_g.cur == s)
        ui_show(NULL);
    for (int i = 0; i < s->nall; i++)
        widget_free(s->all[i]);
    for (int i = 0; i < ui_g.nscreens; i++)
        if (ui_g.screens[i] == s) {
            ui_g.screens[i] = ui_g.screens[--ui_g.nscreens];
            break;
        }
    ui_draw_drop_private();
    free(s);
}

struct ui_widget *ui_screen_root(struct ui_screen *s)
{
    return s->root;
}

const char *ui_screen_name(const struct ui_screen *s)
{
    return s->name;
}

static void pointer_reset(void)
{
    if (ui_g.ptr_w) {
        ui_g.ptr_w->pressed = 0;
        if (ui_g.ptr_w->ops && ui_g.ptr_w->ops->cancel)
            ui_g.ptr_w->ops->cancel(ui_g.ptr_w);
    }
    ui_timer_cancel(ui_g.long_timer);
    ui_g.long_timer = 0;
    ui_g.ptr_w = NULL;
    ui_g.ptr_down = 0;
    ui_g.dragging = 0;
}

void ui_settle(void)
{
    pointer_reset();
    ui_g.settle_pending = 1;
    ui_g.dirty = 1;
}

void ui_show(struct ui_screen *s)
{
    ui_settle();
    ui_g.cur = s;
    relayout();
}

struct ui_screen *ui_current(void)
{
    return ui_g.cur;
}

struct ui_widget *ui_find(struct ui_screen *s, const char *id)
{
    if (!s || !id)
        return NULL;
    for (int i = 0; i < s->nall; i++)
        if (strcmp(s->all[i]->id, id) == 0)
            return s->all[i];
    return NULL;
}

static void list_refilter(struct ui_widget *l);

static void screen_wipe(struct ui_screen *s)
{
    for (int i = 0; i < s->nall; i++) {
        struct ui_widget *w = s->all[i];
        if (w->kind == UI_W_FIELD) {
            explicit_bzero(w->buf, w->buf_size);
            w->len = w->caret = 0;
            w->top_line = 0;
            w->limit_shown = 0;
            free_text(&w->error, 1);
        }
        if (w->kind == UI_W_LIST && w->filter[0]) {
            explicit_bzero(w->filter, sizeof w->filter);
            list_refilter(w);
        }
        if (w->private_) {
            if (w->text) {
                explicit_bzero(w->text, strlen(w->text));
                w->text[0] = '\0';
            }
            if (w->sub) {
                explicit_bzero(w->sub, strlen(w->sub));
                w->sub[0] = '\0';
            }
        }
        if (w->ops && w->ops->wipe)
            w->ops->wipe(w);
    }
}

void ui_screen_wipe(struct ui_screen *s)
{
    if (s) {
        screen_wipe(s);
    } else {
        for (int i = 0; i < ui_g.nscreens; i++)
            screen_wipe(ui_g.screens[i]);
    }
    ui_draw_drop_private();
    relayout();
}

/* ---- construction -------------------------------------------------- */

struct ui_widget *ui_widget_new(struct ui_widget *parent, enum ui_kind kind,
                                const char *id)
{
    struct ui_screen *s = parent ? parent->screen : NULL;
    if (s && s->nall >= UI_MAX_WIDGETS) {
        SDL_Log("ui: screen %s is full (%d widgets)", s->name, UI_MAX_WIDGETS);
        return NULL;
    }
    if (parent && parent->kind != UI_W_BOX && parent->kind != UI_W_GRID) {
        SDL_Log("ui: %s is not a box or grid", parent->id);
        return NULL;
    }
    struct ui_widget *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->kind = kind;
    snprintf(w->id, sizeof w->id, "%s", id ? id : "");
    w->visible = w->enabled = 1;
    w->gap_u = 2.0f;
    w->font = UI_FONT_BODY;
    w->align = UI_ALIGN_START;
    w->sel = -1;
    w->long_ms = ui_g.long_press_ms;
    if (parent) {
        w->screen = s;
        w->parent = parent;
        if (parent->last)
            parent->last->next = w;
        else
            parent->first = w;
        parent->last = w;
        s->all[s->nall++] = w;
    }
    relayout();
    return w;
}

struct ui_widget *ui_box(struct ui_widget *parent, const char *id,
                         enum ui_dir dir)
{
    struct ui_widget *w = ui_widget_new(parent, UI_W_BOX, id);
    if (w)
        w->dir = dir;
    return w;
}

struct ui_widget *ui_grid(struct ui_widget *parent, const char *id,
                          int cols_landscape, int cols_portrait)
{
    struct ui_widget *w = ui_widget_new(parent, UI_W_GRID, id);
    if (w) {
        w->cols_l = cols_landscape > 0 ? cols_landscape : 1;
        w->cols_p = cols_portrait > 0 ? cols_portrait : 1;
    }
    return w;
}

static struct ui_widget *text_widget(struct ui_widget *parent, enum ui_kind k,
                                     const char *id, const char *text)
{
    struct ui_widget *w = ui_widget_new(parent, k, id);
    if (w && !(w->text = dup_text(text))) {
        w->kind = UI_W_SPACER; /* stays in the tree, draws nothing */
        return NULL;
    }
    return w;
}

struct ui_widget *ui_label(struct ui_widget *parent, const char *id,
                           const char *text, enum ui_font font)
{
    struct ui_widget *w = text_widget(parent, UI_W_LABEL, id, text);
    if (w)
        w->font = font;
    return w;
}

struct ui_widget *ui_button(struct ui_widget *parent, const char *id,
                            const char *text, ui_cb on_tap, void *ud)
{
    struct ui_widget *w = text_widget(parent, UI_W_BUTTON, id, text);
    if (w) {
        w->font = UI_FONT_BUTTON;
        w->align = UI_ALIGN_CENTER;
        w->on_tap = on_tap;
        w->tap_ud = ud;
    }
    return w;
}

struct ui_widget *ui_field(struct ui_widget *parent, const char *id,
                           const char *placeholder, int max_chars)
{
    if (max_chars < 1 || max_chars > 1024)
        return NULL;
    struct ui_widget *w = text_widget(parent, UI_W_FIELD, id, placeholder);
    if (!w)
        return NULL;
    w->max_chars = max_chars;
    w->buf_size = (size_t)max_chars * 4 + 1;
    w->buf = calloc(1, w->buf_size);
    if (!w->buf) {
        w->kind = UI_W_SPACER;
        return NULL;
    }
    if (!w->screen->focus)
        w->screen->focus = w;
    return w;
}

struct ui_widget *ui_check(struct ui_widget *parent, const char *id,
                           const char *text, ui_cb on_change, void *ud)
{
    struct ui_widget *w = text_widget(parent, UI_W_CHECK, id, text);
    if (w) {
        w->on_change = on_change;
        w->change_ud = ud;
    }
    return w;
}

struct ui_widget *ui_list(struct ui_widget *parent, const char *id,
                          ui_cb on_select, void *ud)
{
    struct ui_widget *w = ui_widget_new(parent, UI_W_LIST, id);
    if (w) {
        w->on_tap = on_select;
        w->tap_ud = ud;
        w->weight = 1;
    }
    return w;
}

struct ui_widget *ui_bignum(struct ui_widget *parent, const char *id,
                            const char *text)
{
    struct ui_widget *w = text_widget(parent, UI_W_BIGNUM, id, text);
    if (w) {
        w->font = UI_FONT_HUGE;
        w->align = UI_ALIGN_CENTER;
    }
    return w;
}

struct ui_widget *ui_face(struct ui_widget *parent, const char *id,
                          enum ui_face_kind kind, const char *caption,
                          ui_cb on_tap, void *ud)
{
    struct ui_widget *w = text_widget(parent, UI_W_FACE, id, caption);
    if (w) {
        w->face = kind;
        w->font = UI_FONT_TITLE;
        w->align = UI_ALIGN_CENTER;
        w->on_tap = on_tap;
        w->tap_ud = ud;
    }
    return w;
}

struct ui_widget *ui_spacer(struct ui_widget *parent, float weight)
{
    struct ui_widget *w = ui_widget_new(parent, UI_W_SPACER, NULL);
    if (w)
        w->weight = weight;
    return w;
}

struct ui_widget *ui_hotspot(struct ui_widget *parent, const char *id,
                             int long_ms, ui_cb on_long, void *ud)
{
    struct ui_widget *w = ui_widget_new(parent, UI_W_HOTSPOT, id);
    if (w)
        ui_on_long(w, long_ms, on_long, ud);
    return w;
}

struct ui_widget *ui_overlay(struct ui_screen *s, const char *id,
                             enum ui_anchor anchor, float fw, float fh)
{
    if (s->noverlays >= 8 || s->nall >= UI_MAX_WIDGETS)
        return NULL;
    struct ui_widget *w = ui_widget_new(NULL, UI_W_BOX, id);
    if (!w)
        return NULL;
    w->screen = s;
    w->is_overlay = 1;
    w->anchor = anchor;
    w->ow = fw;
    w->oh = fh;
    w->gap_u = 1.0f;
    s->all[s->nall++] = w;
    s->overlays[s->noverlays++] = w;
    return w;
}

/* ---- setters ------------------------------------------------------- */

void ui_set_text(struct ui_widget *w, const char *text)
{
    if (!w)
        return;
    if (w->kind == UI_W_FIELD) {
        ui_field_clear(w);
        ui_field_insert(w, text ? text : "");
        return;
    }
    if (w->text && strcmp(w->text, text ? text : "") == 0)
        return; /* a countdown sets the same text often: no relayout */
    char *d = dup_text(text);
    if (!d)
        return;
    free_text(&w->text, w->private_);
    w->text = d;
    relayout();
}

const char *ui_text(const struct ui_widget *w)
{
    if (!w)
        return "";
    if (w->kind == UI_W_FIELD)
        return w->buf;
    return w->text ? w->text : "";
}

void ui_set_sub(struct ui_widget *w, const char *text)
{
    char *d = text && *text ? dup_text(text) : NULL;
    free_text(&w->sub, w->private_);
    w->sub = d;
    relayout();
}

void ui_set_font(struct ui_widget *w, enum ui_font f)
{
    w->font = f;
    relayout();
}

void ui_set_style(struct ui_widget *w, enum ui_style st)
{
    w->style = st;
    ui_g.dirty = 1;
}

void ui_set_align(struct ui_widget *w, enum ui_align a)
{
    w->align = a;
    ui_g.dirty = 1;
}

void ui_set_lines(struct ui_widget *w, int max_lines)
{
    w->max_lines = max_lines < 0 ? 0 : max_lines;
    relayout();
}

void ui_set_fit(struct ui_widget *w, int on)
{
    w->fit = on ? 1 : 0;
    relayout();
}

void ui_set_visible(struct ui_widget *w, int on)
{
    if (w->visible == (on ? 1 : 0))
        return;
    w->visible = on ? 1 : 0;
    relayout();
}

void ui_set_enabled(struct ui_widget *w, int on)
{
    w->enabled = on ? 1 : 0;
    ui_g.dirty = 1;
}

void ui_set_weight(struct ui_widget *w, float weight)
{
    w->weight = weight < 0 ? 0 : weight;
    relayout();
}

void ui_set_size(struct ui_widget *w, float units)
{
    w->size_u = units < 0 ? 0 : units;
    relayout();
}

void ui_box_set_gap(struct ui_widget *b, float units)
{
    b->gap_u = units < 0 ? 0 : units;
    relayout();
}

void ui_box_set_pad(struct ui_widget *b, float units)
{
    b->pad_u = units < 0 ? 0 : units;
    relayout();
}

void ui_box_set_justify(struct ui_widget *b, enum ui_align a)
{
    b->justify = a;
    relayout();
}

void ui_on_tap(struct ui_widget *w, ui_cb fn, void *ud)
{
    w->on_tap = fn;
    w->tap_ud = ud;
}

void ui_on_long(struct ui_widget *w, int ms, ui_cb fn, void *ud)
{
    w->on_long = fn;
    w->long_ud = ud;
    w->long_ms = ms > 0 ? ms : ui_g.long_press_ms;
}

void ui_set_private(struct ui_widget *w, int on)
{
    w->private_ = on ? 1 : 0;
}

void ui_set_user(struct ui_widget *w, void *user)
{
    w->user = user;
}

void *ui_user(const struct ui_widget *w)
{
    return w->user;
}

const char *ui_id(const struct ui_widget *w)
{
    return w->id;
}

struct ui_rect ui_rect_of(const struct ui_widget *w)
{
    return w->r;
}

struct ui_screen *ui_screen_of(const struct ui_widget *w)
{
    return w->screen;
}

/* ---- fields ------------------------------------------------------------ */

void ui_focus(struct ui_widget *f)
{
    if (!f || f->kind != UI_W_FIELD)
        return;
    f->screen->focus = f;
    ui_g.dirty = 1;
}

struct ui_widget *ui_focused(struct ui_screen *s)
{
    return s ? s->focus : NULL;
}

void ui_field_set_secret(struct ui_widget *f, int on)
{
    f->secret = on ? 1 : 0;
    ui_g.dirty = 1;
}

void ui_field_set_keyboard(struct ui_widget *f, const char *layout)
{
    snprintf(f->kb_layout, sizeof f->kb_layout, "%s", layout ? layout : "");
    ui_g.dirty = 1;
}

const char *ui_field_keyboard(const struct ui_widget *f)
{
    return f && f->kb_layout[0] ? f->kb_layout : "letters";
}

void ui_field_on_change(struct ui_widget *f, ui_cb fn, void *ud)
{
    f->on_change = fn;
    f->change_ud = ud;
}

void ui_field_on_submit(struct ui_widget *f, ui_cb fn, void *ud)
{
    f->on_submit = fn;
    f->submit_ud = ud;
}

/* An edit went through: a limit message shown before goes. */
static void limit_clear(struct ui_widget *f)
{
    if (f->limit_shown)
        ui_field_set_error(f, "");
}

int ui_field_insert(struct ui_widget *f, const char *text)
{
    if (!f || f->kind != UI_W_FIELD || !text)
        return -1;
    size_t n = strlen(text);
    if (n == 0)
        return 0;
    if (!ui_utf8_valid(text, n, 0))
        return -1;
    if (ui_utf8_count(f->buf) + ui_utf8_count(text) > (size_t)f->max_chars ||
        f->len + n + 1 > f->buf_size) {
        /* Never cut silently: say why nothing more goes in. */
        if (f->limit_msg && !f->limit_shown) {
            ui_field_set_error(f, f->limit_msg);
            f->limit_shown = 1;
        }
        return -2;
    }
    if (f->caret > f->len)
        f->caret = f->len;
    memmove(f->buf + f->caret + n, f->buf + f->caret, f->len - f->caret);
    memcpy(f->buf + f->caret, text, n);
    f->len += n;
    f->caret += n;
    f->buf[f->len] = '\0';
    ui_g.dirty = 1;
    limit_clear(f);
    if (f->on_change)
        f->on_change(f, f->change_ud);
    return 0;
}

void ui_field_backspace(struct ui_widget *f)
{
    if (!f || f->kind != UI_W_FIELD || f->len == 0 || f->caret == 0)
        return;
    if (f->caret > f->len)
        f->caret = f->len;
    size_t p = ui_utf8_prev(f->buf, f->caret), gone = f->caret - p;
    memmove(f->buf + p, f->buf + f->caret, f->len - f->caret);
    explicit_bzero(f->buf + f->len - gone, gone);
    f->len -= gone;
    f->caret = p;
    ui_g.dirty = 1;
    limit_clear(f);
    if (f->on_change)
        f->on_change(f, f->change_ud);
}

void ui_field_set_multiline(struct ui_widget *f, int on)
{
    if (!f || f->kind != UI_W_FIELD)
        return;
    f->multiline = on ? 1 : 0;
    relayout();
}

void ui_field_set_limit_msg(struct ui_widget *f, const char *msg)
{
    if (!f || f->kind != UI_W_FIELD)
        return;
    free_text(&f->limit_msg, 0);
    if (msg && *msg)
        f->limit_msg = dup_text(msg);
}

size_t ui_field_caret(const struct ui_widget *f)
{
    return f && f->kind == UI_W_FIELD ? f->caret : 0;
}

void ui_field_clear(struct ui_widget *f)
{
    if (!f || f->kind != UI_W_FIELD)
        return;
    int had = f->len > 0;
    explicit_bzero(f->buf, f->buf_size);
    f->len = f->caret = 0;
    f->top_line = 0;
    ui_g.dirty = 1;
    if (had && f->on_change)
        f->on_change(f, f->change_ud);
}

void ui_field_set_error(struct ui_widget *f, const char *msg)
{
    f->limit_shown = 0;
    free_text(&f->error, 1);
    if (msg && *msg)
        f->error = dup_text(msg);
    relayout();
}

/* ---- checkboxes and lists ------------------------------------------ */

int ui_checked(const struct ui_widget *w)
{
    return w ? w->checked : 0;
}

void ui_set_checked(struct ui_widget *w, int on)
{
    w->checked = on ? 1 : 0;
    ui_g.dirty = 1;
}

static void list_refilter(struct ui_widget *l)
{
    l->nshown = 0;
    for (int i = 0; i < l->nitems; i++) {
        const struct ui_list_item *it = &l->items[i];
        if (!l->filter[0] || strcasestr(it->text, l->filter) ||
            (it->sub && strcasestr(it->sub, l->filter)))
            l->shown[l->nshown++] = i;
    }
    l->scroll = 0;
    ui_g.dirty = 1;
}

int ui_list_add(struct ui_widget *l, const char *text, const char *sub,
                long tag)
{
    if (l->nitems >= UI_MAX_LIST)
        return -1;
    if (l->nitems % 64 == 0) {
        size_t cap = (size_t)l->nitems + 64;
        struct ui_list_item *it = realloc(l->items, cap * sizeof *it);
        if (!it)
            return -1;
        l->items = it;
        int *sh = realloc(l->shown, cap * sizeof *sh);
        if (!sh)
            return -1;
        l->shown = sh;
    }
    struct ui_list_item *it = &l->items[l->nitems];
    it->text = dup_text(text);
    it->sub = sub && *sub ? dup_text(sub) : NULL;
    it->tag = tag;
    if (!it->text) {
        free(it->sub);
        return -1;
    }
    l->nitems++;
    /* Only the new row needs the filter test (a host directory of a
     * thousand rows is added one by one). */
    if (!l->filter[0] || strcasestr(it->text, l->filter) ||
        (it->sub && strcasestr(it->sub, l->filter)))
        l->shown[l->nshown++] = l->nitems - 1;
    relayout(); /* a row with a second line makes every row taller */
    return l->nitems - 1;
}

void ui_list_clear(struct ui_widget *l)
{
    for (int i = 0; i < l->nitems; i++) {
        free_text(&l->items[i].text, l->private_);
        free_text(&l->items[i].sub, l->private_);
    }
    l->nitems = l->nshown = 0;
    l->sel = -1;
    l->scroll = 0;
    ui_g.dirty = 1;
}

void ui_list_set_filter(struct ui_widget *l, const char *filter)
{
    explicit_bzero(l->filter, sizeof l->filter);
    snprintf(l->filter, sizeof l->filter, "%s", filter ? filter : "");
    list_refilter(l);
}

int ui_list_selected(const struct ui_widget *l)
{
    return l->sel;
}

long ui_list_selected_tag(const struct ui_widget *l)
{
    return l->sel >= 0 && l->sel < l->nitems ? l->items[l->sel].tag : -1;
}

void ui_list_select(struct ui_widget *l, int index)
{
    l->sel = index >= 0 && index < l->nitems ? index : -1;
    ui_g.dirty = 1;
}

int ui_list_shown(const struct ui_widget *l)
{
    return l->nshown;
}

static int list_row_h(const struct ui_widget *l)
{
    int h = ui_line_h(UI_FONT_BODY) + pad_px();
    for (int i = 0; i < l->nitems; i++)
        if (l->items[i].sub) {
            h += ui_line_h(UI_FONT_SMALL);
            break;
        }
    return h < ui_target() ? ui_target() : h;
}

int ui_list_row_rect(struct ui_widget *l, int row, struct ui_rect *r)
{
    int rh = list_row_h(l);
    if (row < 0 || row >= l->nshown)
        return -1;
    int y = l->r.y + row * rh - l->scroll;
    if (y < l->r.y || y + rh > l->r.y + l->r.h)
        return -1;
    *r = (struct ui_rect){l->r.x, y, l->r.w, rh};
    return 0;
}

/* ---- layout ------------------------------------------------------------ */

static int is_col(const struct ui_widget *w)
{
    return w->dir == UI_COL || (w->dir == UI_AUTO && !ui_is_landscape());
}

static int grid_cols(const struct ui_widget *w)
{
    return ui_is_landscape() ? w->cols_l : w->cols_p;
}

static int count_visible(const struct ui_widget *w)
{
    int n = 0;
    for (const struct ui_widget *c = w->first; c; c = c->next)
        n += c->visible;
    return n;
}

static int natural_h(struct ui_widget *w, int width);
static int natural_w(struct ui_widget *w);
static int field_error_h(const struct ui_widget *w, int width);

static int text_bold(const struct ui_widget *w)
{
    return w->font >= UI_FONT_TITLE || w->kind == UI_W_BUTTON ||
           w->kind == UI_W_BIGNUM;
}

static int max_i(int a, int b)
{
    return a > b ? a : b;
}

/* ---- elder mode: an error never told by colour alone ------------------ */

/* The font an error is written in: a field's message line, a label's own. */
static enum ui_font cue_font(const struct ui_widget *w)
{
    return w->kind == UI_W_FIELD ? UI_FONT_SMALL : w->font;
}

/* 1 when w shows an error or a warning that elder mode marks with a sign:
 * a field's message, a danger label with text (not one on the idle
 * banner, which is a panel of its own). */
static int has_cue(const struct ui_widget *w)
{
    if (!ui_g.large)
        return 0;
    if (w->kind == UI_W_FIELD)
        return w->error && *w->error;
    return w->kind == UI_W_LABEL && w->style == UI_STYLE_DANGER && w->text && *w->text;
}

/* Side of the sign: the text's em. */
static int cue_side(const struct ui_widget *w)
{
    return ui_font_px(cue_font(w));
}

/* Width the sign takes before the text (0 without one). */
static int cue_reserve(const struct ui_widget *w)
{
    return has_cue(w) ? cue_side(w) * 4 / 3 : 0;
}

/* The text's box beside the sign: r moved right past it, and as much
 * taken off the right of centred text so that it stays centred. */
static struct ui_rect cue_text_box(const struct ui_widget *w, struct ui_rect r)
{
    int k = cue_reserve(w);
    r.x += k;
    r.w -= w->align == UI_ALIGN_CENTER ? 2 * k : k;
    return r;
}

int ui_error_cue_rect(const struct ui_widget *w, struct ui_rect text, struct ui_rect *out)
{
    if (!has_cue(w))
        return -1;
    int side = cue_side(w), lh = ui_line_h(cue_font(w));
    int bold = w->kind == UI_W_LABEL && (w->font >= UI_FONT_TITLE);
    int th = ui_text_box_h(cue_font(w), bold, w->kind == UI_W_FIELD ? w->error : w->text,
                           cue_text_box(w, text).w, w->kind == UI_W_FIELD ? 2 : w->max_lines);
    if (th > text.h)
        th = text.h;
    /* beside the first line of the text, which is centred in its box */
    int top = text.y + (text.h - th) / 2;
    *out = (struct ui_rect){text.x, top + (lh - side) / 2, side, side};
    return 0;
}

/* A warning sign: a filled circle in the error colour with a "!" of the
 * background colour in it (shapes, so no font needs the glyph). */
static void draw_cue(const struct ui_widget *w, struct ui_rect text)
{
    struct ui_rect c;
    if (ui_error_cue_rect(w, text, &c) < 0)
        return;
    ui_fill_round(c, c.w / 2, ui_col(UC_ERROR));
    int bw = max_i(2, c.w / 7), bx = c.x + (c.w - bw) / 2;
    SDL_Color fg = ui_col(UC_BG);
    ui_fill_rect((struct ui_rect){bx, c.y + c.h * 2 / 10, bw, c.h * 45 / 100}, fg);
    ui_fill_rect((struct ui_rect){bx, c.y + c.h * 72 / 100, bw, bw}, fg);
}

/* The font a label is drawn in at width: its own, or for a label that
 * fits (ui_set_fit) the largest step down to small in which its text needs
 * no "…" within its lines. */
/* The font a fitting label (ui_set_fit) is drawn in at width x height
 * (height 0: as tall as it needs): the largest that holds its text on the
 * lines that fit the height (its max_lines at most), so that a title
 * squeezed to one line's height on a short screen takes a smaller font, or
 * two lines of it, rather than a cut. */
static enum ui_font label_font_h(const struct ui_widget *w, int width, int height)
{
    if (!w->fit || !w->text)
        return w->font;
    for (int f = (int)w->font; f > UI_FONT_SMALL; f--) {
        int lines = w->max_lines;
        if (height > 0) {
            int fit = height / ui_line_h((enum ui_font)f);
            if (fit < 1)
                continue;
            if (lines <= 0 || fit < lines)
                lines = fit;
        }
        if (ui_text_fits((enum ui_font)f, text_bold(w), w->text, width, lines))
            return (enum ui_font)f;
    }
    return UI_FONT_SMALL;
}

static enum ui_font label_font(const struct ui_widget *w, int width)
{
    return label_font_h(w, width, 0);
}

enum ui_font ui_label_font(const struct ui_widget *w)
{
    struct ui_rect box = cue_text_box(w, w->r);
    return label_font_h(w, box.w, box.h);
}

/* The largest font (from w's own down to UI_FONT_SMALL) that holds w's
 * caption on one line of width, its line at most a third of height (the
 * face above it keeps the rest; height 0: any). */
static enum ui_font caption_font_one(const struct ui_widget *w, int width, int height)
{
    const char *t = w->text ? w->text : "";
    for (int f = (int)w->font; f > UI_FONT_SMALL; f--)
        if ((height <= 0 || 3 * ui_line_h((enum ui_font)f) <= height) &&
            ui_text_fits((enum ui_font)f, 1, t, width, 1))
            return (enum ui_font)f;
    return UI_FONT_SMALL;
}

enum ui_font ui_face_caption_font(const struct ui_widget *w, int width, int height)
{
    /* the faces beside it (a question's four) take the same font: one
     * caption smaller than the others would make its face look bigger */
    enum ui_font f = caption_font_one(w, width, height);
    for (const struct ui_widget *k = w->parent ? w->parent->first : NULL; k; k = k->next)
        if (k != w && k->kind == UI_W_FACE && k->visible) {
            enum ui_font g = caption_font_one(k, width, height);
            if (g < f)
                f = g;
        }
    return f;
}

/* Height of a face's caption at width: its lines (two at most) in the font
 * ui_face_caption_font picks. */
static int face_caption_h(const struct ui_widget *w, int width, int height)
{
    enum ui_font f = ui_face_caption_font(w, width, height);
    int lh = ui_line_h(f);
    if (!w->text || !*w->text)
        return lh;
    int h = ui_text_box_h(f, 1, w->text, width, 2);
    return h < lh ? lh : h;
}

static int check_box_px(const struct ui_widget *w)
{
    int t = ui_target() * 3 / 4, l = ui_line_h(w->font) * 9 / 10;
    return t > l ? t : l;
}

/* A custom widget's least height (its natural one unless it says). */
static int custom_min_h(const struct ui_widget *c, int size)
{
    if (c->ops && c->ops->min_h) {
        int m = c->ops->min_h((struct ui_widget *)c, c->r.w > 0 ? c->r.w : ui_g.out_w);
        return m < size ? m : size;
    }
    return size;
}

/* Does w hold something a finger uses (shown)? */
static int has_touchable(const struct ui_widget *w)
{
    if (!w->visible)
        return 0;
    if (w->kind != UI_W_BOX && w->kind != UI_W_GRID)
        return ui_is_touchable(w) && w->kind != UI_W_HOTSPOT;
    for (const struct ui_widget *c = w->first; c; c = c->next)
        if (has_touchable(c))
            return 1;
    return 0;
}

/* The least length of c along a column's (col) or a row's main axis: text
 * may go, touch targets stay 15 mm, boxes add up what they hold. */
static int min_len(const struct ui_widget *c, int col)
{
    if (!c->visible)
        return 0;
    if (c->size_u > 0)
        return ui_units(c->size_u);
    switch (c->kind) {
    case UI_W_BOX: {
        int same = is_col(c) == col, n = 0, sum = 0, mx = 0;
        for (const struct ui_widget *k = c->first; k; k = k->next) {
            if (!k->visible)
                continue;
            int m = min_len(k, col);
            sum += m;
            mx = max_i(mx, m);
            n++;
        }
        return (same ? sum + ui_units(c->gap_u) * (n > 0 ? n - 1 : 0) : mx) +
               2 * ui_units(c->pad_u);
    }
    case UI_W_GRID: {
        int n = count_visible(c), cols = grid_cols(c), mx = 0;
        for (const struct ui_widget *k = c->first; k; k = k->next)
            if (k->visible)
                mx = max_i(mx, min_len(k, col));
        if (n == 0)
            return 0;
        int lines = col ? (n + cols - 1) / cols : (cols < n ? cols : n);
        return lines * mx + (lines - 1) * ui_units(c->gap_u);
    }
    case UI_W_LABEL:
        return c->on_tap || c->on_long ? ui_target() : 0;
    case UI_W_CUSTOM:
        return col && c->ops && c->ops->min_h ? custom_min_h(c, 1 << 20) : ui_target();
    case UI_W_SPACER:
    case UI_W_BIGNUM:
    case UI_W_HOTSPOT:
        return 0;
    default:
        return ui_target();
    }
}

/* How small child c (now `size`) may get in shrink phase -1 (a scrolling
 * list or a big number only), 0 (passive children) or 1 (touchable ones
 * too, down to a touch target). */
static int shrink_min(const struct ui_widget *c, int size, int phase, int col)
{
    /* Phase -1: only what fits itself to its box gives way, before the
     * text around it: a list (it scrolls) down to one row, at least a touch
     * target; a big number (drawn to its height) down to two title lines. */
    if (phase < 0) {
        int least = !col                   ? size
                    : c->kind == UI_W_LIST   ? max_i(list_row_h(c), ui_target())
                    : c->kind == UI_W_BIGNUM ? 2 * ui_line_h(UI_FONT_TITLE) /* drawn to fit */
                                             : size;
        return size < least ? size : least;
    }
    if (c->kind == UI_W_CUSTOM && col && c->size_u <= 0) /* the keyboard: keys stay 15 mm */
        return phase == 0 ? size : custom_min_h(c, size);
    if (c->size_u > 0 || c->kind == UI_W_CUSTOM)
        return size;
    /* a one-line label that takes no free space (a step counter "2/5")
     * keeps its width: squeezed, it would stack its characters */
    if (c->kind == UI_W_LABEL && c->max_lines == 1 && c->weight == 0)
        return size;
    /* A box of buttons is no passive text: first the text around it gives
     * way, then it shrinks only to what keeps its targets 15 mm. */
    if ((c->kind == UI_W_BOX || c->kind == UI_W_GRID) && has_touchable(c))
        return phase == 0 ? size : size < min_len(c, col) ? size : min_len(c, col);
    if (ui_is_touchable(c))
        return phase == 0 ? size : ui_target();
    return 0;
}

/* Sizes of box's visible children along its axis in avail pixels; *gap is
 * the gap between them, made smaller (down to 2 px) before any child gives
 * way when they do not fit. Returns the pixels left over, or what is still
 * missing (< 0) with every child at its least. */
static int distribute(struct ui_widget *box, int avail, int cross, int *sizes, int *gapp)
{
    int col = is_col(box), n = 0, total = 0;
    float sumw = 0;
    for (struct ui_widget *c = box->first; c; c = c->next) {
        if (!c->visible)
            continue;
        int b = c->size_u > 0 ? ui_units(c->size_u)
                : col        ? natural_h(c, cross)
                             : natural_w(c);
        sizes[n++] = b;
        total += b;
        sumw += c->weight;
    }
    if (n == 0)
        return avail;
    int gap = *gapp;
    int free_px = avail - total - gap * (n - 1);
    /* a column short of height gives up its gaps before any text (a
     * step's prompt stays readable above the keyboard); a row's text gives
     * way first (a title wraps or takes a smaller font) */
    if (free_px < 0 && n > 1 && gap > 2 && col) {
        int g = gap - (-free_px + n - 2) / (n - 1);
        g = g < 2 ? 2 : g;
        free_px += (gap - g) * (n - 1);
        *gapp = gap = g;
    }
    int i = 0;
    if (free_px >= 0 && sumw > 0) {
        int given = 0, last = -1;
        for (struct ui_widget *c = box->first; c; c = c->next) {
            if (!c->visible)
                continue;
            if (c->weight > 0) {
                int add = (int)((float)free_px * c->weight / sumw);
                sizes[i] += add;
                given += add;
                last = i;
            }
            i++;
        }
        if (last >= 0)
            sizes[last] += free_px - given; /* rounding */
        return 0;
    }
    if (free_px < 0) {
        /* Take space back from lists and big numbers first, then
         * from text and other passive children, then from touchable ones,
         * which never go below a touch target; the keyboard (custom) keeps
         * its size. */
        for (int phase = -1; phase < 2 && free_px < 0; phase++) {
            int shrinkable = 0;
            i = 0;
            for (struct ui_widget *c = box->first; c; c = c->next) {
                if (!c->visible)
                    continue;
                shrinkable += max_i(0, sizes[i] - shrink_min(c, sizes[i], phase, col));
                i++;
            }
            if (shrinkable <= 0)
                continue;
            float k = (float)-free_px / (float)shrinkable;
            if (k > 1)
                k = 1;
            i = 0;
            for (struct ui_widget *c = box->first; c; c = c->next) {
                if (!c->visible)
                    continue;
                int take = (int)((float)max_i(0, sizes[i] - shrink_min(c, sizes[i], phase, col)) * k + 0.5f);
                sizes[i] -= take;
                free_px += take;
                i++;
            }
        }
        if (free_px < 0 && n > 1 && gap > 2 && !col) { /* a row: its gaps last */
            int g = gap - (-free_px + n - 2) / (n - 1);
            g = g < 2 ? 2 : g;
            free_px += (gap - g) * (n - 1);
            *gapp = gap = g;
        }
        return free_px < 0 ? free_px : 0; /* still short: the padding gives way (layout) */
    }
    return free_px;
}

static int natural_w(struct ui_widget *w)
{
    int pad = pad_px(), t = ui_target();
    const char *txt = w->text ? w->text : "";
    switch (w->kind) {
    case UI_W_BOX: {
        int gap = ui_units(w->gap_u), sum = 0, mx = 0, n = 0;
        for (struct ui_widget *c = w->first; c; c = c->next) {
            if (!c->visible)
                continue;
            int cw = c->size_u > 0 && !is_col(w) ? ui_units(c->size_u)
                                                  : natural_w(c);
            sum += cw;
            mx = max_i(mx, cw);
            n++;
        }
        int inner = is_col(w) ? mx : sum + gap * (n > 0 ? n - 1 : 0);
        return inner + 2 * ui_units(w->pad_u);
    }
    case UI_W_GRID: {
        int mx = 0, cols = grid_cols(w), n = count_visible(w);
        for (struct ui_widget *c = w->first; c; c = c->next)
            if (c->visible)
                mx = max_i(mx, natural_w(c));
        if (cols > n)
            cols = max_i(n, 1);
        return cols * mx + (cols - 1) * ui_units(w->gap_u);
    }
    case UI_W_LABEL:
        return ui_text_w(w->font, text_bold(w), txt, strlen(txt));
    case UI_W_BUTTON: {
        int tw = ui_text_w(w->font, 1, txt, strlen(txt));
        if (w->sub)
            tw = max_i(tw, ui_text_w(UI_FONT_SMALL, 0, w->sub, strlen(w->sub)));
        return max_i(t, tw + 2 * pad);
    }
    case UI_W_CHECK:
        return check_box_px(w) + pad + ui_text_w(w->font, 0, txt, strlen(txt));
    case UI_W_FIELD:
        return max_i(3 * t, ui_units(30));
    case UI_W_LIST:
        return ui_units(40);
    case UI_W_BIGNUM:
        return ui_text_w(UI_FONT_HUGE, 1, txt, strlen(txt));
    case UI_W_FACE:
        return max_i(max_i(2 * t, ui_units(16)),
                     ui_text_w(w->font, 1, txt, strlen(txt)));
    case UI_W_HOTSPOT:
        return t;
    case UI_W_CUSTOM:
        return w->ops && w->ops->natural_w ? w->ops->natural_w(w) : ui_units(60);
    case UI_W_SPACER:
        return 0;
    }
    return 0;
}

static int natural_h(struct ui_widget *w, int width)
{
    int pad = pad_px(), t = ui_target();
    const char *txt = w->text ? w->text : "";
    switch (w->kind) {
    case UI_W_BOX: {
        int p = ui_units(w->pad_u), inner_w = width - 2 * p;
        if (is_col(w)) {
            int sum = 0, n = 0;
            for (struct ui_widget *c = w->first; c; c = c->next) {
                if (!c->visible)
                    continue;
                sum += c->size_u > 0 ? ui_units(c->size_u)
                                     : natural_h(c, inner_w);
                n++;
            }
            return sum + ui_units(w->gap_u) * (n > 0 ? n - 1 : 0) + 2 * p;
        }
        int sizes[UI_MAX_WIDGETS], i = 0, mx = 0;
        int g = ui_units(w->gap_u);
        distribute(w, inner_w, 0, sizes, &g);
        for (struct ui_widget *c = w->first; c; c = c->next)
            if (c->visible)
                mx = max_i(mx, natural_h(c, sizes[i++]));
        return mx + 2 * p;
    }
    case UI_W_GRID: {
        int n = count_visible(w), cols = grid_cols(w), gap = ui_units(w->gap_u);
        if (n == 0)
            return 0;
        int rows = (n + cols - 1) / cols;
        int cw = (width - gap * (cols - 1)) / cols, mx = 0;
        for (struct ui_widget *c = w->first; c; c = c->next)
            if (c->visible)
                mx = max_i(mx, natural_h(c, cw));
        return rows * mx + (rows - 1) * gap;
    }
    case UI_W_LABEL: {
        int h = ui_text_box_h(label_font(w, cue_text_box(w, (struct ui_rect){0, 0, width, 0}).w),
                              text_bold(w), txt,
                              cue_text_box(w, (struct ui_rect){0, 0, width, 0}).w,
                              w->max_lines);
        return w->on_tap || w->on_long ? max_i(h, t) : h;
    }
    case UI_W_BUTTON: {
        int h = ui_text_box_h(w->font, 1, txt, width - 2 * pad,
                              w->max_lines ? w->max_lines : 2);
        if (w->sub)
            h += ui_text_box_h(UI_FONT_SMALL, 0, w->sub, width - 2 * pad, 2);
        return max_i(t, h + 2 * pad);
    }
    case UI_W_CHECK:
        return max_i(t, ui_text_box_h(w->font, 0, txt,
                                      width - check_box_px(w) - pad, 3));
    case UI_W_FIELD:
        /* a text area shows three lines at least (more with weight) */
        return max_i(t, (w->multiline ? 3 : 1) * ui_line_h(UI_FONT_BODY) + pad) +
               field_error_h(w, width);
    case UI_W_LIST:
        return 3 * list_row_h(w);
    case UI_W_BIGNUM:
        return ui_line_h(UI_FONT_HUGE);
    case UI_W_FACE:
        return max_i(2 * t, ui_units(16)) + face_caption_h(w, width, 0);
    case UI_W_HOTSPOT:
        return t;
    case UI_W_CUSTOM:
        return w->ops && w->ops->natural_h ? w->ops->natural_h(w, width) : t;
    case UI_W_SPACER:
        return 0;
    }
    return 0;
}

static void layout(struct ui_widget *w, struct ui_rect r)
{
    w->r = r;
    if (w->kind == UI_W_BOX) {
        int p = ui_units(w->pad_u), gap = ui_units(w->gap_u), col = is_col(w);
        struct ui_rect in = {r.x + p, r.y + p, r.w - 2 * p, r.h - 2 * p};
        int sizes[UI_MAX_WIDGETS], i = 0;
        int left = distribute(w, col ? in.h : in.w, col ? in.w : in.h, sizes, &gap);
        if (left < 0 && p > 2) {
            /* Still short with every child at its least and the gaps at
             * 2 px (a small screen at its real dpi): the padding gives way
             * too, so the keyboard stays on the screen. */
            int q = p - (-left + 1) / 2;
            q = q < 2 ? 2 : q;
            in = (struct ui_rect){r.x + q, r.y + q, r.w - 2 * q, r.h - 2 * q};
            gap = ui_units(w->gap_u);
            left = distribute(w, col ? in.h : in.w, col ? in.w : in.h, sizes, &gap);
        }
        if (left < 0)
            left = 0;
        int pos = col ? in.y : in.x;
        if (w->justify == UI_ALIGN_CENTER)
            pos += left / 2;
        else if (w->justify == UI_ALIGN_END)
            pos += left;
        for (struct ui_widget *c = w->first; c; c = c->next) {
            if (!c->visible)
                continue;
            struct ui_rect cr = col ? (struct ui_rect){in.x, pos, in.w, sizes[i]}
                                    : (struct ui_rect){pos, in.y, sizes[i], in.h};
            layout(c, cr);
            pos += sizes[i++] + gap;
        }
    } else if (w->kind == UI_W_GRID) {
        int n = count_visible(w), cols = grid_cols(w), gap = ui_units(w->gap_u);
        if (n == 0)
            return;
        int rows = (n + cols - 1) / cols, i = 0;
        int cw = (r.w - gap * (cols - 1)) / cols;
        int ch = (r.h - gap * (rows - 1)) / rows;
        for (struct ui_widget *c = w->first; c; c = c->next) {
            if (!c->visible)
                continue;
            layout(c, (struct ui_rect){r.x + (i % cols) * (cw + gap),
                                       r.y + (i / cols) * (ch + gap), cw, ch});
            i++;
        }
    } else if (w->kind == UI_W_LIST) {
        int max_scroll = max_i(0, w->nshown * list_row_h(w) - r.h);
        if (w->scroll > max_scroll)
            w->scroll = max_scroll;
    }
}

void ui_layout_screen(struct ui_screen *s)
{
    int W = ui_g.out_w, H = ui_g.out_h, t = ui_target();
    layout(s->root, (struct ui_rect){0, 0, W, H});
    for (int i = 0; i < s->noverlays; i++) {
        struct ui_widget *o = s->overlays[i];
        int w = max_i(t, (int)(o->ow * (float)W));
        int h = max_i(t, (int)(o->oh * (float)H));
        int x = 0, y = 0;
        switch (o->anchor) {
        case UI_TOP_LEFT: break;
        case UI_TOP_RIGHT: x = W - w; break;
        case UI_BOTTOM_LEFT: y = H - h; break;
        case UI_BOTTOM_RIGHT: x = W - w; y = H - h; break;
        case UI_TOP: x = (W - w) / 2; break;
        case UI_BOTTOM: x = (W - w) / 2; y = H - h; break;
        case UI_CENTER: x = (W - w) / 2; y = (H - h) / 2; break;
        }
        layout(o, (struct ui_rect){x, y, w, h});
    }
}

void ui_layout_now(void)
{
    if (ui_g.cur) {
        ui_layout_screen(ui_g.cur);
        ui_g.layout_dirty = 0;
    }
}

/* ---- drawing ----------------------------------------------------------- */

static void style_colors(const struct ui_widget *w, SDL_Color *bg,
                         SDL_Color *fg)
{
    enum ui_color b = UC_BUTTON, f = UC_BUTTON_FG;
    switch (w->style) {
    case UI_STYLE_PRIMARY: b = UC_PRIMARY; f = UC_PRIMARY_FG; break;
    case UI_STYLE_DANGER: b = UC_DANGER; f = UC_DANGER_FG; break;
    case UI_STYLE_SELECTED: b = UC_SELECTED; f = UC_SELECTED_FG; break;
    case UI_STYLE_QUIET: b = UC_BG; f = UC_FG; break;
    case UI_STYLE_NORMAL: break;
    }
    if (!w->enabled) {
        b = UC_DISABLED;
        f = UC_BG;
    } else if (w->pressed) {
        b = UC_PRESSED;
        f = UC_BG;
    }
    *bg = ui_col(b);
    *fg = ui_col(f);
}

/* The colour behind w: the nearest panel above it (a danger panel is
 * filled with the danger colour, other styled boxes with the panel colour),
 * else the screen's background. */
static SDL_Color behind(const struct ui_widget *w)
{
    for (const struct ui_widget *p = w->parent; p; p = p->parent)
        if (p->kind == UI_W_BOX && p->style == UI_STYLE_DANGER)
            return ui_col(UC_DANGER);
        else if (p->kind == UI_W_BOX && p->style != UI_STYLE_NORMAL &&
                 p->style != UI_STYLE_QUIET)
            return ui_col(UC_PANEL);
    return ui_col(UC_BG);
}

int ui_text_colors(const struct ui_widget *w, enum ui_text_part part, SDL_Color *fg,
                   SDL_Color *bg)
{
    *bg = behind(w);
    switch (w->kind) {
    case UI_W_LABEL: {
        /* on a danger panel (the idle banner) text is the panel's fg */
        int on_danger = w->parent && w->parent->kind == UI_W_BOX &&
                        w->parent->style == UI_STYLE_DANGER;
        *fg = ui_col(on_danger ? UC_DANGER_FG
                     : w->style == UI_STYLE_QUIET ? UC_MUTED
                     : w->style == UI_STYLE_DANGER ? UC_ERROR
                                                   : UC_FG);
        return part == UI_PART_MAIN ? 0 : -1;
    }
    case UI_W_BUTTON:
        style_colors(w, bg, fg);
        return part == UI_PART_MAIN || part == UI_PART_SUB ? 0 : -1;
    case UI_W_CHECK:
        *fg = ui_col(w->enabled ? UC_FG : UC_DISABLED);
        return part == UI_PART_MAIN ? 0 : -1;
    case UI_W_BIGNUM:
        *fg = ui_col(w->style == UI_STYLE_PRIMARY ? UC_PRIMARY : UC_FG);
        return part == UI_PART_MAIN ? 0 : -1;
    case UI_W_FACE:
        *fg = ui_col(UC_FG);
        return part == UI_PART_MAIN ? 0 : -1;
    case UI_W_FIELD:
        if (part == UI_PART_ERROR) { /* under the frame, on what is behind */
            *fg = ui_col(UC_ERROR);
            return 0;
        }
        *bg = ui_col(UC_FIELD);
        *fg = ui_col(part == UI_PART_PLACEHOLDER ? UC_MUTED : UC_FIELD_FG);
        return part == UI_PART_MAIN || part == UI_PART_PLACEHOLDER ? 0 : -1;
    case UI_W_LIST:
        *bg = ui_col(UC_PANEL);
        *fg = ui_col(part == UI_PART_SUB ? UC_MUTED : UC_FG);
        return part == UI_PART_MAIN || part == UI_PART_SUB ? 0 : -1;
    default:
        return -1;
    }
}

static void draw_button(struct ui_widget *w)
{
    SDL_Color bg, fg;
    int pad = pad_px(), rad = radius_px();
    style_colors(w, &bg, &fg);
    ui_fill_round(w->r, rad, bg);
    if (w->style == UI_STYLE_QUIET && !w->pressed)
        ui_stroke_round(w->r, rad, max_i(2, ui_units(0.3f)), ui_col(UC_BORDER));
    struct ui_rect in = {w->r.x + pad, w->r.y + pad / 2, w->r.w - 2 * pad,
                         w->r.h - pad};
    if (!w->sub) {
        ui_draw_text_box(w->font, 1, w->text, in, w->align,
                         w->max_lines ? w->max_lines : 2, fg, w->private_);
        return;
    }
    int sh = ui_text_box_h(UI_FONT_SMALL, 0, w->sub, in.w, 2);
    int th = ui_text_box_h(w->font, 1, w->text, in.w, 2);
    int top = in.y + (in.h - th - sh) / 2;
    if (top < in.y)
        top = in.y;
    ui_draw_text_box(w->font, 1, w->text, (struct ui_rect){in.x, top, in.w, th},
                     w->align, 2, fg, w->private_);
    ui_draw_text_box(UI_FONT_SMALL, 0, w->sub,
                     (struct ui_rect){in.x, top + th, in.w, sh},
                     w->align, 2, fg, w->private_);
}

/* The visible tail of a field's text (or its dots), so the caret shows. */
/* ---- text fields: what is shown where ---------------------------------- */

#define FIELD_MAX_LINES 160 /* a text area's lines (1024 chars at >= 7 a line) */

/* Where a field's text and caret are drawn: shared by drawing, a tap that
 * places the caret and the cursor keys, so the three always agree. */
struct field_view {
    struct ui_rect box;                     /* the frame (without the error line) */
    struct ui_rect in;                      /* the text inside it */
    int px, lh;                             /* body font size, line height */
    const char *s;                          /* text as drawn (dots for a secret) */
    size_t len, caret;                      /* its length, the caret in it */
    struct ui_line lines[FIELD_MAX_LINES];  /* text area: its lines */
    int nlines, top, rows;                  /* lines, first shown, rows that fit */
    size_t start;                           /* one line: first byte shown */
    char dots[3 * 1024 + 1];                /* a secret's dots */
};

static int body_w(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    return ui_text_w(UI_FONT_BODY, 0, s, len);
}

/* Lines a field's error may take: a message the visitor must act on is
 * never cut (elder mode on a portrait screen needs three). */
#define FIELD_ERROR_LINES 3

/* Height of the error text under a field (0 without one). */
static int field_error_h(const struct ui_widget *w, int width)
{
    return w->error ? ui_text_box_h(UI_FONT_SMALL, 0, w->error, width - cue_reserve(w),
                                    FIELD_ERROR_LINES)
                    : 0;
}

/* The line the caret is on. */
static int view_caret_line(const struct field_view *v)
{
    for (int i = 0; i + 1 < v->nlines; i++)
        if (v->caret < v->lines[i + 1].start)
            return i;
    return v->nlines > 0 ? v->nlines - 1 : 0;
}

/* Byte offset (in v->s) within line [start, start+len) nearest to x px from
 * the text's left edge. */
static size_t view_offset_at(const struct field_view *v, size_t start, size_t len, int x)
{
    size_t best = start, p = start;
    int best_d = x < 0 ? -x : x;
    while (p < start + len) {
        uint32_t cp;
        int k = ui_utf8_decode(v->s + p, start + len - p, &cp);
        p += k > 0 ? (size_t)k : 1;
        int d = body_w(NULL, v->s + start, p - start) - x;
        if (d < 0)
            d = -d;
        if (d <= best_d) {
            best_d = d;
            best = p;
        }
    }
    return best;
}

static void field_view(struct ui_widget *w, struct field_view *v)
{
    int pad = pad_px();
    v->lh = ui_line_h(UI_FONT_BODY);
    v->px = ui_font_px(UI_FONT_BODY);
    v->box = w->r;
    if (w->multiline)
        v->box.h = max_i(ui_target(), w->r.h - field_error_h(w, w->r.w));
    else if (w->error)
        v->box.h = max_i(ui_target(), v->lh + pad);
    v->in = (struct ui_rect){v->box.x + pad, v->box.y, v->box.w - 2 * pad, v->box.h};
    v->s = w->buf;
    v->len = w->len;
    v->caret = w->caret < w->len ? w->caret : w->len;
    if (w->secret) {
        size_t n = ui_utf8_count(w->buf), k = 0;
        for (size_t i = 0; i < n && k + 3 < sizeof v->dots; i++, k += 3)
            memcpy(v->dots + k, "\xE2\x97\x8F", 3); /* U+25CF */
        v->dots[k] = '\0';
        v->s = v->dots;
        v->len = k;
        v->caret = k; /* a secret is typed and erased at its end only */
    }
    v->nlines = 1;
    v->lines[0] = (struct ui_line){0, v->len};
    v->top = 0;
    v->rows = 1;
    v->start = 0;
    if (w->multiline) {
        v->in.y += pad / 2;
        v->in.h -= pad;
        v->rows = max_i(1, v->in.h / v->lh);
        if (v->len > 0) {
            int n = ui_text_break(v->s, max_i(1, v->in.w - 4), body_w, NULL, v->lines,
                                  FIELD_MAX_LINES, NULL);
            v->nlines = n > 0 ? n : 1;
        }
        int cl = view_caret_line(v), top = w->top_line;
        if (cl < top)
            top = cl;
        if (cl >= top + v->rows)
            top = cl - v->rows + 1;
        if (top > v->nlines - v->rows)
            top = v->nlines - v->rows;
        v->top = w->top_line = top > 0 ? top : 0;
    } else {
        /* Scrolled just enough that the caret shows (at the end: the end). */
        int room = v->in.w - 4;
        while (v->start < v->caret && body_w(NULL, v->s + v->start, v->caret - v->start) > room) {
            uint32_t cp;
            int k = ui_utf8_decode(v->s + v->start, v->len - v->start, &cp);
            v->start += k > 0 ? (size_t)k : 1;
        }
        v->lines[0] = (struct ui_line){v->start, v->len - v->start};
    }
}

/* Top of the text of row r (0: the first line shown). */
static int view_row_y(const struct field_view *v, TTF_Font *font, int r)
{
    if (!v->rows || v->rows == 1)
        return ui_text_top(font, v->px, v->in.y + v->in.h / 2);
    return ui_text_top(font, v->px, v->in.y + r * v->lh + v->lh / 2);
}

/* Caret (byte offset in the field's buffer) for a point on the field. */
static void field_place_caret(struct ui_widget *w, int x, int y)
{
    if (w->secret || w->len == 0) {
        w->caret = w->len;
        return;
    }
    struct field_view *v = malloc(sizeof *v);
    if (!v)
        return;
    field_view(w, v);
    int row = 0;
    if (w->multiline && v->rows > 1) {
        row = v->top + (y - v->in.y) / v->lh;
        if (row >= v->nlines)
            row = v->nlines - 1;
        if (row < 0)
            row = 0;
    }
    w->caret = view_offset_at(v, v->lines[row].start, v->lines[row].len, x - v->in.x);
    explicit_bzero(v, sizeof *v);
    free(v);
    ui_g.dirty = 1;
}

void ui_field_move_caret(struct ui_widget *f, enum ui_caret_move m)
{
    if (!f || f->kind != UI_W_FIELD || f->secret)
        return;
    if (f->caret > f->len)
        f->caret = f->len;
    uint32_t cp;
    int k;
    switch (m) {
    case UI_CARET_LEFT:
        f->caret = ui_utf8_prev(f->buf, f->caret);
        break;
    case UI_CARET_RIGHT:
        k = f->caret < f->len ? ui_utf8_decode(f->buf + f->caret, f->len - f->caret, &cp) : 0;
        f->caret += k > 0 ? (size_t)k : f->caret < f->len ? 1 : 0;
        break;
    case UI_CARET_HOME:
    case UI_CARET_END:
    case UI_CARET_UP:
    case UI_CARET_DOWN: {
        if (!f->multiline || f->len == 0) {
            f->caret = m == UI_CARET_UP || m == UI_CARET_HOME ? 0 : f->len;
            break;
        }
        struct field_view *v = malloc(sizeof *v);
        if (!v)
            return;
        field_view(f, v);
        int cl = view_caret_line(v);
        const struct ui_line *L = &v->lines[cl];
        if (m == UI_CARET_HOME) {
            f->caret = L->start;
        } else if (m == UI_CARET_END) {
            f->caret = L->start + L->len;
        } else {
            int to = cl + (m == UI_CARET_UP ? -1 : 1);
            int x = body_w(NULL, v->s + L->start, v->caret - L->start);
            if (to < 0)
                f->caret = 0;
            else if (to >= v->nlines)
                f->caret = f->len;
            else
                f->caret = view_offset_at(v, v->lines[to].start, v->lines[to].len, x);
        }
        explicit_bzero(v, sizeof *v);
        free(v);
        break;
    }
    }
    ui_g.dirty = 1;
}

static void draw_field(struct ui_widget *w)
{
    int rad = radius_px() / 2;
    int focused = w->screen->focus == w;
    struct field_view *v = malloc(sizeof *v);
    if (!v)
        return;
    field_view(w, v);
    struct ui_rect box = v->box, in = v->in;
    SDL_Color tfg, ph_fg, fbg;
    ui_text_colors(w, UI_PART_MAIN, &tfg, &fbg);
    ui_text_colors(w, UI_PART_PLACEHOLDER, &ph_fg, &fbg);
    ui_fill_round(box, rad, fbg);
    ui_stroke_round(box, rad, focused ? max_i(3, ui_units(0.5f)) : 2,
                    ui_col(w->error ? UC_ERROR : focused ? UC_FOCUS : UC_BORDER));
    TTF_Font *font = ui_font_get(v->px, 0);
    int cl = w->multiline ? view_caret_line(v) : 0;
    int caret_x = in.x, caret_y = view_row_y(v, font, w->multiline ? cl - v->top : 0);
    if (w->len == 0) {
        struct ui_rect ph = in;
        if (w->multiline)
            ph.h = v->lh;
        if (w->text && *w->text)
            ui_draw_text_box(UI_FONT_BODY, 0, w->text, ph, UI_ALIGN_START, 1, ph_fg, 0);
    } else {
        SDL_Rect clip = {in.x, box.y, in.w, box.h};
        SDL_RenderSetClipRect(ui_g.ren, &clip);
        for (int r = 0; r < v->rows && v->top + r < v->nlines; r++) {
            const struct ui_line *L = &v->lines[v->top + r];
            ui_draw_text(font, v->px, 0, v->s + L->start, L->len, tfg, in.x,
                         view_row_y(v, font, r), 1);
        }
        SDL_RenderSetClipRect(ui_g.ren, NULL);
        const struct ui_line *L = &v->lines[cl];
        size_t upto = v->caret > L->start + L->len ? L->len : v->caret - L->start;
        caret_x = in.x + body_w(NULL, v->s + L->start, upto);
        if (w->multiline && (v->top > 0 || v->top + v->rows < v->nlines)) {
            /* more lines than shown: a scroll bar at the right edge */
            int bh = box.h * v->rows / v->nlines, by = box.y + box.h * v->top / v->nlines;
            ui_fill_rect((struct ui_rect){box.x + box.w - ui_units(0.8f) - 2, by,
                                          ui_units(0.8f), max_i(bh, ui_units(2))},
                         ui_col(UC_BORDER));
        }
    }
    if (focused)
        ui_fill_rect((struct ui_rect){caret_x + 1, caret_y + v->px / 8,
                                      max_i(2, ui_units(0.4f)), v->px * 11 / 10},
                     ui_col(UC_FOCUS));
    if (w->error) {
        struct ui_rect er = {w->r.x, box.y + box.h, w->r.w, w->r.h - box.h};
        draw_cue(w, er);
        SDL_Color efg, ebg;
        ui_text_colors(w, UI_PART_ERROR, &efg, &ebg);
        ui_draw_text_box(UI_FONT_SMALL, 0, w->error, cue_text_box(w, er),
                         UI_ALIGN_START, FIELD_ERROR_LINES, efg, 0);
    }
    explicit_bzero(v, sizeof *v);
    free(v);
}

struct ui_rect ui_field_error_rect(const struct ui_widget *w)
{
    struct ui_rect r = {w->r.x, w->r.y + w->r.h, w->r.w, 0};
    struct field_view *v = w->kind == UI_W_FIELD && w->error ? malloc(sizeof *v) : NULL;
    if (!v)
        return r;
    field_view((struct ui_widget *)w, v);
    r = (struct ui_rect){w->r.x, v->box.y + v->box.h, w->r.w, w->r.h - v->box.h};
    explicit_bzero(v, sizeof *v);
    free(v);
    return r;
}

static void draw_check(struct ui_widget *w)
{
    int s = check_box_px(w), pad = pad_px();
    struct ui_rect b = {w->r.x, w->r.y + (w->r.h - s) / 2, s, s};
    ui_fill_round(b, radius_px() / 2, ui_col(w->checked ? UC_BUTTON : UC_FIELD));
    ui_stroke_round(b, radius_px() / 2, max_i(2, ui_units(0.4f)),
                    ui_col(w->pressed ? UC_FOCUS : UC_BORDER));
    if (w->checked)
        ui_draw_check(b, ui_col(UC_BUTTON_FG));
    ui_draw_text_box(w->font, 0, w->text,
                     (struct ui_rect){w->r.x + s + pad, w->r.y,
                                      w->r.w - s - pad, w->r.h},
                     UI_ALIGN_START, 3, ui_col(w->enabled ? UC_FG : UC_DISABLED),
                     w->private_);
}

static void draw_list(struct ui_widget *w)
{
    int rh = list_row_h(w), pad = pad_px();
    ui_fill_rect(w->r, ui_col(UC_PANEL));
    SDL_RenderSetClipRect(ui_g.ren, &(SDL_Rect){w->r.x, w->r.y, w->r.w, w->r.h});
    int first = w->scroll / rh;
    for (int i = first; i < w->nshown; i++) {
        int y = w->r.y + i * rh - w->scroll;
        if (y >= w->r.y + w->r.h)
            break;
        const struct ui_list_item *it = &w->items[w->shown[i]];
        int sel = w->shown[i] == w->sel;
        struct ui_rect row = {w->r.x, y, w->r.w, rh};
        if (sel)
            ui_fill_rect(row, ui_col(UC_SELECTED));
        SDL_Color fg = ui_col(sel ? UC_SELECTED_FG : UC_FG);
        int th = ui_line_h(UI_FONT_BODY);
        int sh = it->sub ? ui_line_h(UI_FONT_SMALL) : 0;
        int ty = y + (rh - th - sh) / 2;
        ui_draw_text_box(UI_FONT_BODY, 0, it->text,
                         (struct ui_rect){row.x + pad, ty, row.w - 2 * pad, th},
                         UI_ALIGN_START, 1, fg, w->private_);
        if (it->sub)
            ui_draw_text_box(UI_FONT_SMALL, 0, it->sub,
                             (struct ui_rect){row.x + pad, ty + th,
                                              row.w - 2 * pad, sh},
                             UI_ALIGN_START, 1,
                             sel ? fg : ui_col(UC_MUTED), w->private_);
        ui_fill_rect((struct ui_rect){row.x, y + rh - 1, row.w, 1},
                     ui_col(UC_BORDER));
    }
    int content = w->nshown * rh;
    if (content > w->r.h) { /* scroll position bar */
        int bw = max_i(4, ui_units(0.8f));
        int bh = max_i(bw * 2, w->r.h * w->r.h / content);
        int by = w->r.y + (w->r.h - bh) * w->scroll / max_i(1, content - w->r.h);
        ui_fill_rect((struct ui_rect){w->r.x + w->r.w - bw, by, bw, bh},
                     ui_col(UC_MUTED));
    }
    SDL_RenderSetClipRect(ui_g.ren, NULL);
    ui_stroke_round(w->r, 0, 2, ui_col(UC_BORDER));
}

/* The largest bold size at which the text fits the rectangle. */
static void draw_bignum(struct ui_widget *w)
{
    const char *s = w->text;
    size_t len = strlen(s);
    if (!len)
        return;
    int px = w->r.h * 10 / 13;
    int base = ui_font_px(UI_FONT_HUGE);
    int bw = ui_text_w(UI_FONT_HUGE, 1, s, len);
    if (bw > 0 && (long)px * bw / base > w->r.w * 95 / 100)
        px = (int)((long)base * (w->r.w * 95 / 100) / bw);
    if (px < 12)
        px = 12;
    TTF_Font *f = ui_font_get(px, 1);
    if (!f)
        return;
    int tw = 0, th = 0;
    char *z = strndup(s, len);
    if (z) {
        TTF_SizeUTF8(f, z, &tw, &th);
        free(z);
    }
    SDL_Color c = ui_col(w->style == UI_STYLE_PRIMARY ? UC_PRIMARY : UC_FG);
    ui_draw_text(f, px, 1, s, len, c, w->r.x + (w->r.w - tw) / 2,
                 w->r.y + (w->r.h - th) / 2, w->private_);
}

static void draw_face(struct ui_widget *w)
{
    /* the caption whole: a smaller font (down to UI_FONT_SMALL), then two
     * lines, never "…" (four faces side by side on a portrait screen) */
    enum ui_font cf = ui_face_caption_font(w, w->r.w, w->r.h);
    int lh = face_caption_h(w, w->r.w, w->r.h);
    if (lh > w->r.h / 2)
        lh = w->r.h / 2;
    struct ui_rect fr = {w->r.x, w->r.y, w->r.w, w->r.h - lh};
    int size = fr.w < fr.h ? fr.w : fr.h;
    static const enum ui_color fill[] = {UC_FACE_1, UC_FACE_2, UC_FACE_3,
                                         UC_FACE_4};
    if (w->pressed || w->style == UI_STYLE_SELECTED)
        ui_fill_round(fr, radius_px(), ui_col(UC_SELECTED));
    int inset = size / 12;
    ui_draw_face((struct ui_rect){fr.x + inset, fr.y + inset, fr.w - 2 * inset,
                                  fr.h - 2 * inset},
                 w->face, ui_col(fill[w->face & 3]), ui_col(UC_FACE_FG));
    ui_draw_text_box(cf, 1, w->text,
                     (struct ui_rect){w->r.x, w->r.y + w->r.h - lh, w->r.w, lh},
                     UI_ALIGN_CENTER, 2, ui_col(UC_FG), w->private_);
}

static void draw_widget(struct ui_widget *w)
{
    if (!w->visible)
        return;
    ui_g.drawing = w->id;
    switch (w->kind) {
    case UI_W_LABEL: {
        /* on a danger panel (the idle banner) text is the panel's fg */
        SDL_Color fg, bg;
        struct ui_rect box = cue_text_box(w, w->r);
        ui_text_colors(w, UI_PART_MAIN, &fg, &bg);
        draw_cue(w, w->r);
        ui_draw_text_box(label_font_h(w, box.w, box.h), text_bold(w), w->text, box, w->align,
                         w->max_lines, fg, w->private_);
        break;
    }
    case UI_W_BUTTON: draw_button(w); break;
    case UI_W_FIELD: draw_field(w); break;
    case UI_W_CHECK: draw_check(w); break;
    case UI_W_LIST: draw_list(w); break;
    case UI_W_BIGNUM: draw_bignum(w); break;
    case UI_W_FACE: draw_face(w); break;
    case UI_W_CUSTOM:
        if (w->ops && w->ops->draw)
            w->ops->draw(w);
        break;
    case UI_W_BOX:
        /* A box is invisible unless given a style: then it is a panel; a
         * danger panel is filled with the danger colour (not pale). */
        if (w->style == UI_STYLE_DANGER)
            ui_fill_round(w->r, radius_px(), ui_col(UC_DANGER));
        else if (w->style != UI_STYLE_NORMAL && w->style != UI_STYLE_QUIET)
            ui_fill_round(w->r, radius_px(), ui_col(UC_PANEL));
        break;
    default:
        break;
    }
    for (struct ui_widget *c = w->first; c; c = c->next)
        draw_widget(c);
}

void ui_draw_screen(struct ui_screen *s)
{
    draw_widget(s->root);
    for (int i = 0; i < s->noverlays; i++)
        draw_widget(s->overlays[i]);
    ui_g.drawing = NULL; /* the ids go with their screen */
}

/* ---- input --------------------------------------------------------- */

static struct ui_widget *hit_tree(struct ui_widget *w, int x, int y)
{
    if (!w->visible || !ui_rect_has(w->r, x, y))
        return NULL;
    for (struct ui_widget *c = w->first; c; c = c->next) {
        struct ui_widget *h = hit_tree(c, x, y);
        if (h)
            return h;
    }
    return ui_is_touchable(w) && w->enabled ? w : NULL;
}

struct ui_widget *ui_hit(struct ui_screen *s, int x, int y)
{
    for (int i = s->noverlays - 1; i >= 0; i--) {
        struct ui_widget *h = hit_tree(s->overlays[i], x, y);
        if (h)
            return h;
    }
    return hit_tree(s->root, x, y);
}

static void long_press_fired(void *ud)
{
    (void)ud;
    ui_g.long_timer = 0;
    struct ui_widget *w = ui_g.ptr_w;
    if (!w || !ui_g.ptr_down || ui_g.dragging ||
        !ui_rect_has(w->r, ui_g.ptr_x, ui_g.ptr_y))
        return;
    ui_g.long_fired = 1;
    w->pressed = 0;
    ui_g.dirty = 1;
    w->on_long(w, w->long_ud);
}

void ui_pointer_down(int x, int y)
{
    ui_g.last_input = ui_now();
    pointer_reset();
    if (!ui_g.cur)
        return;
    ui_g.ptr_down = 1;
    if (ui_settling()) {
        /* Swallowed whole: ptr_w stays NULL, so moves and the lift do
         * nothing either. */
        ui_g.touches_ignored++;
        return;
    }
    ui_g.ptr_x = ui_g.down_x = x;
    ui_g.ptr_y = ui_g.down_y = y;
    ui_g.long_fired = 0;
    struct ui_widget *w = ui_hit(ui_g.cur, x, y);
    ui_g.ptr_w = w;
    if (!w)
        return;
    w->pressed = 1;
    ui_g.drag_scroll0 = w->scroll;
    if (w->ops && w->ops->down)
        w->ops->down(w, x, y);
    if (w->on_long)
        ui_g.long_timer = ui_timer_add((uint32_t)w->long_ms, long_press_fired,
                                       NULL);
    ui_g.dirty = 1;
}

void ui_pointer_move(int x, int y)
{
    struct ui_widget *w = ui_g.ptr_w;
    ui_g.ptr_x = x;
    ui_g.ptr_y = y;
    if (!w)
        return;
    ui_g.last_input = ui_now();
    if (w->ops && w->ops->move)
        w->ops->move(w, x, y);
    if (w->kind == UI_W_LIST) {
        if (!ui_g.dragging && abs(y - ui_g.down_y) > ui_mm(3))
            ui_g.dragging = 1;
        if (ui_g.dragging) {
            int max_scroll = max_i(0, w->nshown * list_row_h(w) - w->r.h);
            int sc = ui_g.drag_scroll0 - (y - ui_g.down_y);
            w->scroll = sc < 0 ? 0 : sc > max_scroll ? max_scroll : sc;
            ui_g.dirty = 1;
        }
        return;
    }
    int in = ui_rect_has(w->r, x, y);
    if (in != w->pressed) {
        w->pressed = in;
        ui_g.dirty = 1;
    }
}

void ui_pointer_up(int x, int y)
{
    struct ui_widget *w = ui_g.ptr_w;
    int dragging = ui_g.dragging, fired = ui_g.long_fired;
    ui_g.last_input = ui_now();
    ui_timer_cancel(ui_g.long_timer);
    ui_g.long_timer = 0;
    ui_g.ptr_down = 0;
    ui_g.ptr_w = NULL;
    ui_g.dragging = 0;
    if (!w)
        return;
    w->pressed = 0;
    ui_g.dirty = 1;
    if (w->ops && w->ops->up)
        w->ops->up(w, x, y);
    if (fired || dragging || !ui_rect_has(w->r, x, y) || !w->enabled)
        return;
    switch (w->kind) {
    case UI_W_CHECK: {
        /* on_change may rebuild the screen (elder mode's box does): w is
         * gone then, so nothing of it is read after the call */
        ui_cb tap = w->on_tap, change = w->on_change;
        void *tap_ud = w->tap_ud;
        w->checked = !w->checked;
        if (change)
            change(w, w->change_ud);
        else if (tap)
            tap(w, tap_ud);
        return;
    }
    case UI_W_FIELD:
        ui_focus(w);
        field_place_caret(w, x, y); /* a tap puts the caret there */
        break;
    case UI_W_LIST: {
        int row = (y - w->r.y + w->scroll) / list_row_h(w);
        if (row >= 0 && row < w->nshown) {
            w->sel = w->shown[row];
            if (w->on_tap)
                w->on_tap(w, w->tap_ud);
        }
        return;
    }
    default:
        break;
    }
    if (w->kind != UI_W_LIST && w->on_tap)
        w->on_tap(w, w->tap_ud);
}

void ui_key_text(const char *text)
{
    if (ui_g.cur && ui_g.cur->focus)
        ui_field_insert(ui_g.cur->focus, text);
}

void ui_key_down(SDL_Keycode k)
{
    struct ui_widget *f = ui_g.cur ? ui_g.cur->focus : NULL;
    if (!f)
        return;
    if (k == SDLK_BACKSPACE)
        ui_field_backspace(f);
    else if (k == SDLK_LEFT || k == SDLK_RIGHT || k == SDLK_UP || k == SDLK_DOWN ||
             k == SDLK_HOME || k == SDLK_END)
        ui_field_move_caret(f, k == SDLK_LEFT ? UI_CARET_LEFT : k == SDLK_RIGHT ? UI_CARET_RIGHT
                               : k == SDLK_UP ? UI_CARET_UP : k == SDLK_DOWN ? UI_CARET_DOWN
                               : k == SDLK_HOME ? UI_CARET_HOME : UI_CARET_END);
    else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && f->on_submit)
        f->on_submit(f, f->submit_ud);
}

/* ---- the screen as text (read aloud) ------------------------------------ */

static void text_add(char *buf, size_t len, size_t *at, const char *t)
{
    if (!t || !*t || *at + 1 >= len)
        return;
    int n = snprintf(buf + *at, len - *at, "%s\n", t);
    if (n < 0)
        return;
    *at += (size_t)n < len - *at ? (size_t)n : len - *at - 1;
}

static void text_walk(const struct ui_widget *w, char *buf, size_t len, size_t *at)
{
    if (!w->visible)
        return;
    if (!w->private_) {
        switch (w->kind) {
        case UI_W_LABEL: case UI_W_CHECK: case UI_W_BIGNUM: case UI_W_FACE:
            text_add(buf, len, at, w->text);
            break;
        case UI_W_BUTTON:
            text_add(buf, len, at, w->text);
            text_add(buf, len, at, w->sub);
            break;
        case UI_W_FIELD: /* never what was typed; its message, if any */
            text_add(buf, len, at, w->error);
            break;
        default:
            break;
        }
    }
    for (const struct ui_widget *c = w->first; c; c = c->next)
        text_walk(c, buf, len, at);
}

size_t ui_screen_text(struct ui_screen *s, char *buf, size_t len)
{
    size_t at = 0;
    if (!buf || len == 0)
        return 0;
    buf[0] = '\0';
    if (!s)
        return 0;
    text_walk(s->root, buf, len, &at);
    for (int i = 0; i < s->noverlays; i++)
        text_walk(s->overlays[i], buf, len, &at);
    return at;
}
