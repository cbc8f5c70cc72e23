/* kb.c - the on-screen keyboard. Layouts are data (data/ui/kb_*.txt, parsed
 * once from the embedded copies into a table of rows of keys with widths);
 * this file only scales that table to the widget, draws it, finds the key
 * under a finger and turns a tap into text for the focused field, passing
 * keys through the input-method plug-in first when one is on. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "kb.h"
#include "ui_int.h"

#define KB_MAX_LAYOUTS 8
#define KB_MAX_ROWS 6
#define KB_MAX_KEYS 16   /* per row */
#define KB_MAX_LABELS 12
#define KB_MAX_CELLS 16  /* candidate bar cells, ‹ and › included */
#define KB_MAX_PAGES 64  /* bar pages remembered for ‹; no › past them */

extern const struct fd_embedded_file ui_data_files[];
extern const int ui_data_files_count;

struct kb_key {
    char text[16];      /* typed text, "" for an action or a gap */
    char action[32];    /* shift, bksp, layer:NAME ... or "" */
    char label[24];     /* label from the data, "" for the default */
    float width;        /* key units */
};

struct kb_row {
    struct kb_key keys[KB_MAX_KEYS];
    int n;
};

struct kb_layout {
    char name[24];
    int has_case;       /* letters: shift gives capitals */
    struct kb_row rows[KB_MAX_ROWS];
    int nrows;
};

struct kb_label {
    char action[32];
    char label[24];
};

enum cell_kind { CELL_CAND, CELL_PREV, CELL_NEXT };

struct kb_cell {
    struct ui_rect r;
    enum cell_kind kind;
    int index;          /* candidate index */
};

struct kb {
    struct ui_widget *w;
    const struct kb_layout *layout;
    int shift;                       /* one-shot shift */
    const struct kb_ime_ops *ime;    /* plug-in or NULL */
    void *ime_ctx;
    int ime_on;
    int cand_page;                   /* first candidate shown */
    int page_starts[KB_MAX_PAGES];   /* first candidate of earlier pages */
    int npages;
    struct ui_widget *last_focus;    /* to notice a focus change */
    int pressed_row, pressed_key;    /* key under the finger, -1 none */
    int pressed_cell;                /* candidate cell, -1 none */
    struct kb_label labels[KB_MAX_LABELS];
    int nlabels;
    int repeat_timer;                /* held backspace: next repeat, 0 none */
    int repeated;                    /* it repeated: the lift does nothing */
};

#define KB_REPEAT_DELAY_MS 500       /* a held backspace starts repeating */
#define KB_REPEAT_MS 80              /* then deletes this often */

static struct kb_layout layouts[KB_MAX_LAYOUTS];
static int nlayouts = -1; /* -1: not parsed yet */

/* ---- the data table ------------------------------------------------ */

static int parse_key(const char *tok, struct kb_key *k)
{
    char t[96];
    memset(k, 0, sizeof *k);
    k->width = 1.0f;
    snprintf(t, sizeof t, "%s", tok);
    /* Trailing *WIDTH (a lone "*" is the star key). */
    char *star = strrchr(t, '*');
    if (star && star[1] && strspn(star + 1, "0123456789.") == strlen(star + 1)) {
        k->width = strtof(star + 1, NULL);
        *star = '\0';
        if (k->width <= 0 || k->width > 12)
            return -1;
        if (t[0] == '\0')
            return 0; /* gap */
    }
    if (t[0] == '@' && t[1]) {
        char *eq = strchr(t, '=');
        if (eq) {
            *eq = '\0';
            if (strlen(eq + 1) >= sizeof k->label)
                return -1;
            strcpy(k->label, eq + 1);
        }
        if (strlen(t + 1) >= sizeof k->action)
            return -1;
        strcpy(k->action, t + 1);
        return 0;
    }
    if (strlen(t) >= sizeof k->text)
        return -1;
    strcpy(k->text, t);
    return 0;
}

static int parse_layout(const char *fname, const char *text)
{
    struct kb_layout *L = &layouts[nlayouts];
    memset(L, 0, sizeof *L);
    const char *p = text;
    int lineno = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), p);
        p += n + (eol ? 1 : 0);
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *save = NULL, *tok = strtok_r(line, " \t\r", &save);
        if (!tok)
            continue;
        if (strcmp(tok, "name") == 0) {
            tok = strtok_r(NULL, " \t\r", &save);
            snprintf(L->name, sizeof L->name, "%s", tok ? tok : "");
        } else if (strcmp(tok, "case") == 0) {
            tok = strtok_r(NULL, " \t\r", &save);
            L->has_case = tok && strcmp(tok, "yes") == 0;
        } else if (strcmp(tok, "row") == 0 && L->nrows < KB_MAX_ROWS) {
            struct kb_row *R = &L->rows[L->nrows++];
            while ((tok = strtok_r(NULL, " \t\r", &save))) {
                if (R->n >= KB_MAX_KEYS || parse_key(tok, &R->keys[R->n]) < 0) {
                    SDL_Log("kb: %s line %d: bad key \"%s\"", fname, lineno, tok);
                    return -1;
                }
                R->n++;
            }
        } else {
            SDL_Log("kb: %s line %d: unknown \"%s\"", fname, lineno, tok);
            return -1;
        }
    }
    if (!L->name[0] || L->nrows == 0) {
        SDL_Log("kb: %s: no name or no rows", fname);
        return -1;
    }
    nlayouts++;
    return 0;
}

static void load_layouts(void)
{
    if (nlayouts >= 0)
        return;
    nlayouts = 0;
    for (int i = 0; i < ui_data_files_count && nlayouts < KB_MAX_LAYOUTS; i++)
        if (strncmp(ui_data_files[i].name, "kb_", 3) == 0)
            parse_layout(ui_data_files[i].name, ui_data_files[i].data);
}

static const struct kb_layout *find_layout_exact(const char *name)
{
    load_layouts();
    for (int i = 0; i < nlayouts; i++)
        if (strcmp(layouts[i].name, name) == 0)
            return &layouts[i];
    return NULL;
}

/* A layout by name; on a landscape output its "NAME_wide" form when the
 * data has one (a keyboard as wide as the screen allows). */
static const struct kb_layout *find_layout(const char *name)
{
    char wide[40];
    snprintf(wide, sizeof wide, "%s_wide", name);
    const struct kb_layout *L = ui_is_landscape() ? find_layout_exact(wide) : NULL;
    return L ? L : find_layout_exact(name);
}

/* ---- geometry ------------------------------------------------------ */

static int shown(const struct kb *kb, const struct kb_key *k)
{
    return strcmp(k->action, "ime") != 0 || kb->ime;
}

/* Width of a key in units on this keyboard: an @ime key without an input
 * method gives its width to the space bar of its row. */
static float key_units(const struct kb *kb, const struct kb_row *R, int i)
{
    const struct kb_key *k = &R->keys[i];
    if (!shown(kb, k))
        return 0;
    float u = k->width;
    if (!kb->ime && strcmp(k->action, "space") == 0)
        for (int j = 0; j < R->n; j++)
            if (strcmp(R->keys[j].action, "ime") == 0)
                u += R->keys[j].width;
    return u;
}

static float row_units(const struct kb *kb, const struct kb_row *R)
{
    float u = 0;
    for (int i = 0; i < R->n; i++)
        u += key_units(kb, R, i);
    return u;
}

struct geom {
    struct ui_rect area; /* what the keyboard paints (bottom of its rect) */
    struct ui_rect bar;  /* candidate bar (h 0 without an input method) */
    int unit;            /* pixels per key unit */
    int key_h;           /* row height */
    int top;             /* y of the first row */
    int gap;             /* inset of a key in its cell */
};

/* The clear edge kept around a key's label: a tenth of the key's smaller
 * side, at least 4 px (its 1 px border and the rounding included). */
static int label_margin(struct ui_rect kr)
{
    int m = (kr.w < kr.h ? kr.w : kr.h) / 10;
    return m < 4 ? 4 : m;
}

/* 1 when a label of font px and width tw fits a key of kr with its margin.
 * Lines are centred with the baseline 0.36 em below the middle: the ink of
 * Latin and Chinese reaches about 0.6 em from the middle either way (a
 * descender's foot, an ascender's top), so the key holds 1.2 em. */
static int label_fits(struct ui_rect kr, int px, int tw)
{
    int m = label_margin(kr);
    return tw + 2 * m <= kr.w && px * 6 / 5 + 2 * m <= kr.h;
}

/* The font a key's label is drawn in: the button font, or the largest
 * smaller one that fits the key with its margin (a short key on a portrait
 * screen in elder mode); UI_FONT_SMALL at least (elder mode keeps it at
 * 18 dp). */
static enum ui_font label_font(const char *label, struct ui_rect kr)
{
    for (int f = UI_FONT_BUTTON; f > UI_FONT_SMALL; f--)
        if (label_fits(kr, ui_font_px((enum ui_font)f),
                       ui_text_w((enum ui_font)f, 0, label, strlen(label))))
            return (enum ui_font)f;
    return UI_FONT_SMALL;
}

static void geometry(const struct kb *kb, struct ui_rect r, struct geom *g)
{
    float maxu = 1;
    int t = ui_target();
    for (int i = 0; i < kb->layout->nrows; i++) {
        float u = row_units(kb, &kb->layout->rows[i]);
        if (u > maxu)
            maxu = u;
    }
    g->gap = ui_units(0.5f) > 2 ? ui_units(0.5f) : 2;
    int pad = ui_units(1.0f);
    g->unit = (int)((float)(r.w - 2 * pad) / maxu);
    if (g->unit > 2 * t)
        g->unit = 2 * t;
    g->key_h = g->unit * 7 / 10;
    /* Tall enough for a label in the button font (elder mode's letters on a
     * portrait screen, where keys are narrow and the font is large): the
     * row grows when the screen gives the height (below it shrinks). */
    int lab = ui_font_px(UI_FONT_BUTTON) * 6 / 5, lm = lab / 8 < 4 ? 4 : lab / 8;
    if (g->key_h < lab + 2 * lm + g->gap)
        g->key_h = lab + 2 * lm + g->gap;
    /* the candidate bar belongs to letters (pinyin); digits have none */
    int bar_h = kb->ime && kb->layout->has_case ? t : 0;
    /* Given less height than that (a small screen at its real dpi), the
     * keys get shorter, never below a touch target. */
    if (r.h > 0 && g->key_h * kb->layout->nrows > r.h - bar_h - 2 * pad)
        g->key_h = (r.h - bar_h - 2 * pad) / kb->layout->nrows;
    if (g->key_h < t + g->gap)
        g->key_h = t + g->gap;
    int keys_h = g->key_h * kb->layout->nrows;
    /* Given more height than it needs, the keyboard sits at the bottom of
     * its rectangle, where the thumbs and the eye expect it. */
    int need = bar_h + keys_h + 2 * pad;
    int y0 = r.h > need ? r.y + r.h - need : r.y;
    g->area = (struct ui_rect){r.x, y0, r.w, r.y + r.h - y0};
    g->bar = (struct ui_rect){r.x, y0, r.w, bar_h};
    g->top = y0 + bar_h + pad;
}

static struct ui_rect key_rect(const struct kb *kb, const struct geom *g,
                               int row, int i)
{
    const struct kb_row *R = &kb->layout->rows[row];
    struct ui_rect r = kb->w->r;
    int total = (int)(row_units(kb, R) * (float)g->unit);
    int x = r.x + (r.w - total) / 2;
    for (int j = 0; j < i; j++)
        x += (int)(key_units(kb, R, j) * (float)g->unit);
    int w = (int)(key_units(kb, R, i) * (float)g->unit);
    return (struct ui_rect){x + g->gap / 2, g->top + row * g->key_h + g->gap / 2,
                            w - g->gap, g->key_h - g->gap};
}

static int is_key(const struct kb_key *k)
{
    return k->text[0] || k->action[0];
}

static int key_at(const struct kb *kb, int x, int y, int *row, int *idx)
{
    struct geom g;
    geometry(kb, kb->w->r, &g);
    for (int r = 0; r < kb->layout->nrows; r++)
        for (int i = 0; i < kb->layout->rows[r].n; i++) {
            const struct kb_key *k = &kb->layout->rows[r].keys[i];
            if (!is_key(k) || !shown(kb, k))
                continue;
            struct ui_rect kr = key_rect(kb, &g, r, i);
            /* The gap between keys belongs to the nearest key. */
            kr.x -= g.gap / 2; kr.y -= g.gap / 2;
            kr.w += g.gap; kr.h += g.gap;
            if (ui_rect_has(kr, x, y)) {
                *row = r;
                *idx = i;
                return 0;
            }
        }
    return -1;
}

/* Lays the candidate bar out: preedit, ‹ when not on the first page, then
 * as many candidates as fit from cand_page, by width and by cell count,
 * with the last cell kept for › whenever a candidate is left over. A page
 * shows at least one candidate (cut to fit), so › always moves on. Returns
 * the cell count (at most KB_MAX_CELLS). */
static int bar_cells(struct kb *kb, const struct geom *g, struct kb_cell *cells,
                     int *preedit_w)
{
    int n = 0, t = ui_target(), pad = ui_units(1.5f);
    *preedit_w = 0;
    if (!kb->ime || !kb->ime_on || g->bar.h == 0)
        return 0;
    const char *pre = kb->ime->preedit(kb->ime_ctx);
    if (!pre || !*pre)
        return 0;
    *preedit_w = ui_text_w(UI_FONT_BODY, 0, pre, strlen(pre)) + 2 * pad;
    if (*preedit_w > g->bar.w - 3 * t) /* room for ‹, a candidate and › */
        *preedit_w = g->bar.w > 3 * t ? g->bar.w - 3 * t : 0;
    /* The page's first candidate is shown whole ("我在这里等了很久", not
     * "我在这里…"): the preedit gives up its room to it first (what the
     * visitor typed is the lesser part), and a candidate wider than the
     * bar still is drawn on two smaller lines (kb_draw). */
    const char *c0 = kb->ime->candidate(kb->ime_ctx, kb->cand_page);
    if (c0) {
        int w0 = ui_text_w(UI_FONT_BODY, 0, c0, strlen(c0)) + 2 * pad;
        int room = g->bar.w - t - (kb->cand_page > 0 ? t : 0) - (w0 < t ? t : w0);
        if (*preedit_w > room)
            *preedit_w = room > t ? room : 0;
    }
    int x = g->bar.x + *preedit_w, right = g->bar.x + g->bar.w;
    if (kb->cand_page > 0) {
        cells[n++] = (struct kb_cell){{x, g->bar.y, t, g->bar.h}, CELL_PREV, 0};
        x += t;
    }
    int i = kb->cand_page;
    const char *c;
    while ((c = kb->ime->candidate(kb->ime_ctx, i))) {
        int cw = ui_text_w(UI_FONT_BODY, 0, c, strlen(c)) + 2 * pad;
        if (cw < t)
            cw = t;
        int full = n == KB_MAX_CELLS - 1 || x + cw > right - t;
        if (full && i > kb->cand_page) {
            if (kb->npages < KB_MAX_PAGES)
                cells[n++] = (struct kb_cell){{right - t, g->bar.y, t, g->bar.h},
                                              CELL_NEXT, i};
            break;
        }
        if (full)
            cw = right - t - x;
        cells[n++] = (struct kb_cell){{x, g->bar.y, cw, g->bar.h}, CELL_CAND, i};
        x += cw;
        i++;
    }
    return n;
}

/* Reads the part of a candidate-bar id after "cand:": "next" (›), "prev"
 * (‹) or a candidate index. 0, or -1 when it is none of these. */
static int parse_cell(const char *id, enum cell_kind *kind, int *index)
{
    char *end;
    *index = 0;
    if (strcmp(id, "next") == 0) {
        *kind = CELL_NEXT;
        return 0;
    }
    if (strcmp(id, "prev") == 0) {
        *kind = CELL_PREV;
        return 0;
    }
    if (*id < '0' || *id > '9')
        return -1;
    long v = strtol(id, &end, 10);
    if (*end || v > 1000000)
        return -1;
    *kind = CELL_CAND;
    *index = (int)v;
    return 0;
}

/* The bar cell of that kind (and candidate index) shown now: its index in
 * the cells bar_cells gives, with the cell in *out; -1 when not shown. */
static int find_cell(struct kb *kb, enum cell_kind kind, int index,
                     struct kb_cell *out)
{
    struct geom g;
    struct kb_cell cells[KB_MAX_CELLS];
    int pw;
    geometry(kb, kb->w->r, &g);
    int n = bar_cells(kb, &g, cells, &pw);
    for (int c = 0; c < n; c++)
        if (cells[c].kind == kind && (kind != CELL_CAND || cells[c].index == index)) {
            *out = cells[c];
            return c;
        }
    return -1;
}

/* ---- actions ------------------------------------------------------- */

static struct ui_widget *target(struct kb *kb)
{
    struct ui_widget *f = ui_focused(kb->w->screen);
    if (f != kb->last_focus) {
        kb->last_focus = f;
        if (kb->ime)
            kb->ime->reset(kb->ime_ctx);
        kb->cand_page = kb->npages = 0;
        kb->shift = 0;
        const struct kb_layout *L = find_layout(ui_field_keyboard(f));
        if (f && L && L != kb->layout) {
            kb->layout = L;
            ui_g.layout_dirty = 1; /* keypads are taller than letters */
        }
        ui_invalidate();
    }
    return f;
}

static void commit(struct kb *kb, const char *text)
{
    struct ui_widget *f = target(kb);
    if (f && text && *text)
        ui_field_insert(f, text);
}

/* True when s is one UTF-8 character ("a", "7", "，"). */
static int one_char(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    return len > 0 && strlen(s) == len;
}

/* Offers key to the input method while it is on: every text key of one
 * character (letters, a shifted capital, digits, punctuation: it hands back
 * what it does not want), the other keys only while it composes. Returns 1
 * when it took the key (and its text was typed), 0 when the keyboard
 * handles the key, -1 when it refused it (the key is dropped). */
static int ime_offer(struct kb *kb, const char *key)
{
    char out[256] = "";
    if (!kb->ime || !kb->ime_on)
        return 0;
    if (!one_char(key)) {
        const char *pre = kb->ime->preedit(kb->ime_ctx);
        if (!pre || !*pre)
            return 0;
    }
    int rc = kb->ime->key(kb->ime_ctx, key, out, sizeof out);
    if (rc > 0) {
        commit(kb, out);
        kb->cand_page = kb->npages = 0;
    }
    explicit_bzero(out, sizeof out);
    ui_invalidate();
    return rc > 0 ? 1 : rc < 0 ? -1 : 0;
}

static void choose(struct kb *kb, int i)
{
    char out[256] = "";
    if (kb->ime->select(kb->ime_ctx, i, out, sizeof out) > 0)
        commit(kb, out);
    explicit_bzero(out, sizeof out);
    kb->cand_page = kb->npages = 0;
    ui_invalidate();
}

static void act(struct kb *kb, const struct kb_key *k)
{
    struct ui_widget *f = target(kb);
    const char *a = k->action;
    ui_invalidate();
    if (k->text[0]) {
        char t[16];
        snprintf(t, sizeof t, "%s", k->text);
        /* Shift first: the input method is offered the capital ("A") and
         * hands it back to be typed as a Latin letter. */
        if (kb->shift && kb->layout->has_case && strlen(t) == 1)
            t[0] = (char)toupper((unsigned char)t[0]);
        int rc = ime_offer(kb, t);
        if (rc < 0)
            return; /* refused: nothing changed, shift stays for the retry */
        kb->shift = 0;
        if (rc == 0)
            commit(kb, t);
    } else if (strcmp(a, "shift") == 0) {
        kb->shift = !kb->shift;
    } else if (strcmp(a, "bksp") == 0) {
        if (!ime_offer(kb, "bksp"))
            ui_field_backspace(f);
    } else if (strcmp(a, "space") == 0) {
        if (!ime_offer(kb, "space"))
            commit(kb, " ");
    } else if (strcmp(a, "enter") == 0) {
        if (!ime_offer(kb, "enter") && f && f->on_submit)
            f->on_submit(f, f->submit_ud);
    } else if (strcmp(a, "clear") == 0) {
        ui_field_clear(f);
    } else if (strcmp(a, "left") == 0 || strcmp(a, "right") == 0) {
        /* not while pinyin is being composed: the caret stays where the
         * chosen characters go */
        const char *pre = kb->ime && kb->ime_on ? kb->ime->preedit(kb->ime_ctx) : NULL;
        if (!pre || !*pre)
            ui_field_move_caret(f, a[0] == 'l' ? UI_CARET_LEFT : UI_CARET_RIGHT);
    } else if (strcmp(a, "ime") == 0) {
        kb_set_ime_on(kb, !kb->ime_on);
    } else if (strncmp(a, "layer:", 6) == 0) {
        kb_set_layout(kb, a + 6);
    }
}

/* ---- widget ops ---------------------------------------------------- */

static const char *default_label(const struct kb *kb, const struct kb_key *k,
                                 char *buf, size_t bufsz)
{
    const char *a = k->action;
    for (int i = 0; i < kb->nlabels; i++) {
        const char *want = strcmp(a, "ime") == 0
                               ? (kb->ime_on ? "ime_on" : "ime_off") : a;
        if (strcmp(kb->labels[i].action, want) == 0)
            return kb->labels[i].label;
    }
    if (k->label[0])
        return k->label;
    if (k->text[0]) {
        snprintf(buf, bufsz, "%s", k->text);
        if (kb->shift && kb->layout->has_case && strlen(buf) == 1)
            buf[0] = (char)toupper((unsigned char)buf[0]);
        return buf;
    }
    if (strcmp(a, "shift") == 0) return "\xE2\x87\xA7";   /* ⇧ */
    if (strcmp(a, "bksp") == 0) return "\xE2\x87\xA6";    /* ⇦ */
    if (strcmp(a, "enter") == 0) return "\xE2\x8F\x8E";   /* ⏎ */
    if (strcmp(a, "space") == 0) return "\xE2\x90\xA3";   /* ␣ */
    if (strcmp(a, "ime") == 0) return kb->ime_on ? "\xE4\xB8\xAD" : "EN";
    if (strcmp(a, "clear") == 0) return "C";
    if (strcmp(a, "left") == 0) return "\xE2\x86\x90";    /* ← */
    if (strcmp(a, "right") == 0) return "\xE2\x86\x92";   /* → */
    return a;
}

static int kb_natural_h(struct ui_widget *w, int width)
{
    struct kb *kb = w->impl;
    struct geom g;
    geometry(kb, (struct ui_rect){0, 0, width, 0}, &g);
    return g.bar.h + g.key_h * kb->layout->nrows + 2 * ui_units(1.0f);
}

/* Narrowest width at which every key is a touch target. */
static int kb_natural_w(struct ui_widget *w)
{
    struct kb *kb = w->impl;
    float maxu = 1;
    for (int i = 0; i < kb->layout->nrows; i++) {
        float u = row_units(kb, &kb->layout->rows[i]);
        if (u > maxu)
            maxu = u;
    }
    int gap = ui_units(0.5f) > 2 ? ui_units(0.5f) : 2;
    return (int)(maxu * (float)(ui_target() + gap)) + 2 * ui_units(1.0f) + 1;
}

static void kb_draw(struct ui_widget *w)
{
    struct kb *kb = w->impl;
    struct geom g;
    target(kb);
    geometry(kb, w->r, &g);
    ui_fill_rect(g.area, ui_col(UC_KB_BG));
    int rad = ui_units(0.8f);
    for (int r = 0; r < kb->layout->nrows; r++) {
        const struct kb_row *R = &kb->layout->rows[r];
        for (int i = 0; i < R->n; i++) {
            const struct kb_key *k = &R->keys[i];
            if (!is_key(k) || !shown(kb, k))
                continue;
            struct ui_rect kr = key_rect(kb, &g, r, i);
            int pressed = kb->pressed_row == r && kb->pressed_key == i;
            int special = k->action[0] != 0;
            int lit = (strcmp(k->action, "shift") == 0 && kb->shift) ||
                      (strcmp(k->action, "ime") == 0 && kb->ime_on);
            enum ui_color bg = pressed ? UC_PRESSED : lit ? UC_SELECTED
                               : special ? UC_KEY_SPECIAL : UC_KEY;
            enum ui_color fg = pressed ? UC_BG : lit ? UC_SELECTED_FG : UC_KEY_FG;
            ui_fill_round(kr, rad, ui_col(bg));
            ui_stroke_round(kr, rad, 1, ui_col(UC_BORDER));
            char buf[24];
            const char *label = default_label(kb, k, buf, sizeof buf);
            ui_draw_text_box(label_font(label, kr), 0, label, kr, UI_ALIGN_CENTER, 1,
                             ui_col(fg), 0);
        }
    }
    if (g.bar.h == 0)
        return;
    /* Candidate bar: preedit (private: it is what the visitor typed). */
    struct kb_cell cells[KB_MAX_CELLS];
    int pw, n = bar_cells(kb, &g, cells, &pw);
    ui_fill_rect(g.bar, ui_col(UC_PANEL));
    const char *self = ui_g.drawing;
    if (pw > 0) {
        const char *pre = kb->ime->preedit(kb->ime_ctx);
        ui_g.drawing = "kb:preedit"; /* may be cut for a long candidate */
        ui_draw_text_box(UI_FONT_BODY, 0, pre,
                         (struct ui_rect){g.bar.x, g.bar.y, pw, g.bar.h},
                         UI_ALIGN_CENTER, 1, ui_col(UC_MUTED), 1);
        ui_g.drawing = self;
    }
    int pad = ui_units(1.5f);
    for (int i = 0; i < n; i++) {
        const char *label = cells[i].kind == CELL_PREV ? "\xE2\x80\xB9"
                            : cells[i].kind == CELL_NEXT
                                ? "\xE2\x80\xBA"
                                : kb->ime->candidate(kb->ime_ctx, cells[i].index);
        if (kb->pressed_cell == i)
            ui_fill_rect(cells[i].r, ui_col(UC_PRESSED));
        /* wider than its cell (only a page's first candidate can be): two
         * lines of the small font rather than a cut */
        int wide = label && ui_text_w(UI_FONT_BODY, 0, label, strlen(label)) >
                                cells[i].r.w - pad;
        struct ui_rect in = cells[i].r;
        if (wide) {
            in.x += pad / 2;
            in.w -= pad;
        }
        ui_draw_text_box(wide ? UI_FONT_SMALL : UI_FONT_BODY, 0, label ? label : "", in,
                         UI_ALIGN_CENTER, wide ? 2 : 1,
                         ui_col(kb->pressed_cell == i ? UC_BG : UC_FG), 1);
    }
}

static int cell_at(struct kb *kb, int x, int y)
{
    struct geom g;
    struct kb_cell cells[KB_MAX_CELLS];
    int pw;
    geometry(kb, kb->w->r, &g);
    int n = bar_cells(kb, &g, cells, &pw);
    for (int i = 0; i < n; i++)
        if (ui_rect_has(cells[i].r, x, y))
            return i;
    return -1;
}

static void repeat_stop(struct kb *kb)
{
    ui_timer_cancel(kb->repeat_timer);
    kb->repeat_timer = 0;
}

/* A held backspace deletes again and again (the toolkit's clock). */
static void repeat_fire(void *ud)
{
    struct kb *kb = ud;
    kb->repeat_timer = 0;
    if (kb->pressed_row < 0 || kb->pressed_key < 0)
        return;
    const struct kb_key *k = &kb->layout->rows[kb->pressed_row].keys[kb->pressed_key];
    if (strcmp(k->action, "bksp") != 0)
        return;
    kb->repeated = 1;
    act(kb, k);
    kb->repeat_timer = ui_timer_add(KB_REPEAT_MS, repeat_fire, kb);
}

static void kb_down(struct ui_widget *w, int x, int y)
{
    struct kb *kb = w->impl;
    target(kb);
    repeat_stop(kb);
    kb->repeated = 0;
    kb->pressed_row = kb->pressed_key = -1;
    kb->pressed_cell = cell_at(kb, x, y);
    if (kb->pressed_cell < 0 &&
        key_at(kb, x, y, &kb->pressed_row, &kb->pressed_key) == 0 &&
        strcmp(kb->layout->rows[kb->pressed_row].keys[kb->pressed_key].action, "bksp") == 0)
        kb->repeat_timer = ui_timer_add(KB_REPEAT_DELAY_MS, repeat_fire, kb);
    ui_invalidate();
}

static void kb_move(struct ui_widget *w, int x, int y)
{
    struct kb *kb = w->impl;
    int r = -1, i = -1;
    if (kb->pressed_cell >= 0)
        return;
    key_at(kb, x, y, &r, &i);
    if (r != kb->pressed_row || i != kb->pressed_key) {
        repeat_stop(kb); /* slid off the key */
        kb->pressed_row = r;
        kb->pressed_key = i;
        ui_invalidate();
    }
}

static void press_cell(struct kb *kb, int ci)
{
    struct geom g;
    struct kb_cell cells[KB_MAX_CELLS];
    int pw;
    geometry(kb, kb->w->r, &g);
    int n = bar_cells(kb, &g, cells, &pw);
    if (ci < 0 || ci >= n)
        return;
    if (cells[ci].kind == CELL_CAND) {
        choose(kb, cells[ci].index);
    } else if (cells[ci].kind == CELL_NEXT && kb->npages < KB_MAX_PAGES) {
        kb->page_starts[kb->npages++] = kb->cand_page;
        kb->cand_page = cells[ci].index;
    } else if (cells[ci].kind == CELL_PREV && kb->npages > 0) {
        kb->cand_page = kb->page_starts[--kb->npages];
    }
    ui_invalidate();
}

static void kb_up(struct ui_widget *w, int x, int y)
{
    struct kb *kb = w->impl;
    int r = -1, i = -1;
    repeat_stop(kb);
    if (kb->repeated) {
        /* the held backspace already did its work */
    } else if (kb->pressed_cell >= 0) {
        int ci = cell_at(kb, x, y);
        if (ci == kb->pressed_cell)
            press_cell(kb, ci);
    } else if (key_at(kb, x, y, &r, &i) == 0 && r == kb->pressed_row &&
               i == kb->pressed_key) {
        act(kb, &kb->layout->rows[r].keys[i]);
    }
    kb->pressed_row = kb->pressed_key = kb->pressed_cell = -1;
    ui_invalidate();
}

static void kb_cancel(struct ui_widget *w)
{
    struct kb *kb = w->impl;
    repeat_stop(kb);
    kb->pressed_row = kb->pressed_key = kb->pressed_cell = -1;
}

static void kb_wipe(struct ui_widget *w)
{
    struct kb *kb = w->impl;
    if (kb->ime)
        kb->ime->reset(kb->ime_ctx);
    kb->shift = 0;
    kb->cand_page = kb->npages = 0;
    kb->pressed_row = kb->pressed_key = kb->pressed_cell = -1;
    repeat_stop(kb);
}

static void kb_destroy(struct ui_widget *w)
{
    repeat_stop(w->impl);
    free(w->impl);
    w->impl = NULL;
}

static int find_key(const struct kb *kb, const char *id, int *row, int *idx)
{
    for (int r = 0; r < kb->layout->nrows; r++)
        for (int i = 0; i < kb->layout->rows[r].n; i++) {
            const struct kb_key *k = &kb->layout->rows[r].keys[i];
            if (!shown(kb, k))
                continue;
            if ((k->text[0] && strcmp(k->text, id) == 0) ||
                (k->action[0] && strcmp(k->action, id) == 0)) {
                *row = r;
                *idx = i;
                return 0;
            }
        }
    return -1;
}

int kb_key_rect(struct kb *kb, const char *key_id, struct ui_rect *out)
{
    struct geom g;
    int r, i;
    geometry(kb, kb->w->r, &g);
    if (strncmp(key_id, "cand:", 5) == 0) {
        struct kb_cell cell;
        enum cell_kind kind;
        int want;
        if (parse_cell(key_id + 5, &kind, &want) < 0 ||
            find_cell(kb, kind, want, &cell) < 0)
            return -1;
        *out = cell.r;
        return 0;
    }
    if (find_key(kb, key_id, &r, &i) < 0)
        return -1;
    *out = key_rect(kb, &g, r, i);
    return 0;
}

/* 1 when pixel p (RGBA, R first) is the label colour c's (a glyph's core;
 * its anti-aliased edge is not counted). */
static int ink(const uint8_t *p, SDL_Color c)
{
    return abs(p[0] - c.r) <= 40 && abs(p[1] - c.g) <= 40 && abs(p[2] - c.b) <= 40;
}

int kb_check_labels(struct kb *kb, const uint8_t *px, int pw, int ph, char *err,
                    size_t errsz)
{
    struct geom g;
    int bad = 0, rad = ui_units(0.8f);
    size_t o = strlen(err);
    geometry(kb, kb->w->r, &g);
    for (int r = 0; r < kb->layout->nrows; r++) {
        const struct kb_row *R = &kb->layout->rows[r];
        for (int i = 0; i < R->n; i++) {
            const struct kb_key *k = &R->keys[i];
            if (!is_key(k) || !shown(kb, k) || (kb->pressed_row == r && kb->pressed_key == i))
                continue;
            int lit = (strcmp(k->action, "shift") == 0 && kb->shift) ||
                      (strcmp(k->action, "ime") == 0 && kb->ime_on);
            SDL_Color fg = ui_col(lit ? UC_SELECTED_FG : UC_KEY_FG);
            struct ui_rect kr = key_rect(kb, &g, r, i);
            int m = label_margin(kr), hits = 0;
            /* the band from inside the border (2 px) to the margin, the
             * rounded corners left out */
            for (int y = kr.y + 2; y < kr.y + kr.h - 2; y++)
                for (int x = kr.x + 2; x < kr.x + kr.w - 2; x++) {
                    int in_band = y < kr.y + m || y >= kr.y + kr.h - m || x < kr.x + m ||
                                  x >= kr.x + kr.w - m;
                    int corner = (x < kr.x + rad || x >= kr.x + kr.w - rad) &&
                                 (y < kr.y + rad || y >= kr.y + kr.h - rad);
                    if (!in_band || corner || x < 0 || y < 0 || x >= pw || y >= ph)
                        continue;
                    hits += ink(px + ((size_t)y * (size_t)pw + (size_t)x) * 4, fg);
                }
            if (hits == 0)
                continue;
            bad++;
            char buf[24];
            if (o < errsz) {
                int n = snprintf(err + o, errsz - o, "%skey \"%s\" %dx%d: its label reaches "
                                 "its %d px margin (%d px)", o ? "; " : "",
                                 default_label(kb, k, buf, sizeof buf), kr.w, kr.h, m, hits);
                o += n > 0 ? (size_t)n : 0;
            }
        }
    }
    return bad;
}

static int kb_part_rect(struct ui_widget *w, const char *part, struct ui_rect *r)
{
    return kb_key_rect(w->impl, part, r);
}

/* Rows of keys a touch target (and a gap) tall, and the candidate bar. */
static int kb_min_h(struct ui_widget *w, int width)
{
    struct kb *kb = w->impl;
    (void)width;
    int t = ui_target(), gap = ui_units(0.5f) > 2 ? ui_units(0.5f) : 2;
    return (kb->ime && kb->layout->has_case ? t : 0) + (t + gap) * kb->layout->nrows +
           2 * ui_units(1.0f);
}

static const struct ui_widget_ops kb_ops = {
    .natural_h = kb_natural_h,
    .min_h = kb_min_h,
    .natural_w = kb_natural_w,
    .draw = kb_draw,
    .down = kb_down,
    .move = kb_move,
    .up = kb_up,
    .cancel = kb_cancel,
    .wipe = kb_wipe,
    .destroy = kb_destroy,
    .part_rect = kb_part_rect,
};

/* ---- public -------------------------------------------------------- */

struct kb *kb_new(struct ui_widget *parent, const char *id, const char *layout)
{
    const struct kb_layout *L = find_layout(layout ? layout : "letters");
    if (!L) {
        SDL_Log("kb: no layout \"%s\"", layout ? layout : "");
        return NULL;
    }
    struct kb *kb = calloc(1, sizeof *kb);
    if (!kb)
        return NULL;
    struct ui_widget *w = ui_widget_new(parent, UI_W_CUSTOM, id);
    if (!w) {
        free(kb);
        return NULL;
    }
    w->ops = &kb_ops;
    w->impl = kb;
    kb->w = w;
    kb->layout = L;
    kb->pressed_row = kb->pressed_key = kb->pressed_cell = -1;
    kb->last_focus = ui_focused(w->screen);
    const struct kb_layout *want = find_layout(ui_field_keyboard(kb->last_focus));
    if (kb->last_focus && want)
        kb->layout = want;
    return kb;
}

struct ui_widget *kb_widget(struct kb *kb)
{
    return kb->w;
}

int kb_set_layout(struct kb *kb, const char *name)
{
    const struct kb_layout *L = find_layout(name);
    if (!L)
        return -1;
    kb->layout = L;
    kb->shift = 0;
    ui_g.layout_dirty = ui_g.dirty = 1;
    return 0;
}

const char *kb_layout(const struct kb *kb)
{
    /* "phone_wide" is the "phone" layout as a landscape screen shows it */
    static char base[24];
    const char *n = kb->layout->name, *w = strstr(n, "_wide");
    if (!w || w[5])
        return n;
    snprintf(base, sizeof base, "%.*s", (int)(w - n), n);
    return base;
}

void kb_set_ime(struct kb *kb, const struct kb_ime_ops *ops, void *ctx)
{
    if (kb->ime)
        kb->ime->reset(kb->ime_ctx);
    kb->ime = ops;
    kb->ime_ctx = ctx;
    kb->ime_on = ops != NULL;
    ui_g.layout_dirty = ui_g.dirty = 1;
}

void kb_set_ime_on(struct kb *kb, int on)
{
    if (!kb->ime)
        return;
    if (!on)
        kb->ime->reset(kb->ime_ctx);
    kb->ime_on = on ? 1 : 0;
    kb->cand_page = kb->npages = 0;
    ui_invalidate();
}

int kb_ime_on(const struct kb *kb)
{
    return kb->ime_on;
}

int kb_composing(struct kb *kb)
{
    const char *pre = kb->ime && kb->ime_on ? kb->ime->preedit(kb->ime_ctx) : NULL;
    return pre && *pre;
}

void kb_adopt(struct kb *kb, const struct kb *old)
{
    kb->ime_on = kb->ime ? old->ime_on : 0;
    kb->shift = old->shift;
    /* the field focused now is the one composing: no reset for it */
    kb->last_focus = ui_focused(kb->w->screen);
    const struct kb_layout *L = find_layout(ui_field_keyboard(kb->last_focus));
    if (kb->last_focus && L)
        kb->layout = L;
    ui_g.layout_dirty = ui_g.dirty = 1;
}

int kb_set_label(struct kb *kb, const char *action, const char *label)
{
    int i;
    if (strlen(action) >= sizeof kb->labels[0].action ||
        strlen(label) >= sizeof kb->labels[0].label)
        return -1;
    for (i = 0; i < kb->nlabels; i++)
        if (strcmp(kb->labels[i].action, action) == 0)
            break;
    if (i == KB_MAX_LABELS)
        return -1;
    if (i == kb->nlabels)
        kb->nlabels++;
    strcpy(kb->labels[i].action, action);
    strcpy(kb->labels[i].label, label);
    ui_invalidate();
    return 0;
}

int kb_press(struct kb *kb, const char *key_id)
{
    int r, i;
    target(kb);
    if (strncmp(key_id, "cand:", 5) == 0) {
        struct kb_cell cell;
        enum cell_kind kind;
        int want, ci;
        if (!kb->ime || !kb->ime_on || parse_cell(key_id + 5, &kind, &want) < 0)
            return -1;
        if (kind == CELL_CAND) { /* any candidate, shown or not */
            if (!kb->ime->candidate(kb->ime_ctx, want))
                return -1;
            choose(kb, want);
            return 0;
        }
        if ((ci = find_cell(kb, kind, want, &cell)) < 0)
            return -1;
        press_cell(kb, ci);
        return 0;
    }
    if (find_key(kb, key_id, &r, &i) < 0)
        return -1;
    act(kb, &kb->layout->rows[r].keys[i]);
    return 0;
}

struct kb *kb_of_screen(struct ui_screen *s)
{
    for (int i = 0; s && i < s->nall; i++)
        if (s->all[i]->kind == UI_W_CUSTOM && s->all[i]->ops == &kb_ops)
            return s->all[i]->impl;
    return NULL;
}
