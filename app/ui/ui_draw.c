/* ui_draw.c - everything that puts pixels on the screen: the fonts (SDL2_ttf,
 * one TTF_Font per weight, resized to each pixel size as it is used), the
 * bounded LRU of rendered strings (ui_cache) and of measured widths, and a few
 * anti-aliased primitives (rounded corners, the rating faces, the check mark)
 * made from small coverage masks computed once per size and tinted at draw
 * time.
 *
 * Why one face per weight: SDL_ttf reads the font through a stream callback,
 * so FreeType copies what it parses (the CJK font's CFF index, charset, cmap;
 * HarfBuzz its GSUB) into every face: about 1.8 MiB and 45 ms per TTF_Font.
 * One face per size cost the kiosk 13 faces (~26 MiB) in a visitor's walk and
 * a face opened per new ticket-number size. TTF_SetFontSize is cheap, but it
 * empties SDL_ttf's glyph cache, so the widths the layout asks for on every
 * frame are kept in their own small cache and a steady frame loads no glyph.
 *
 * Why a whole label is rendered when it is first measured (its "ink"): the
 * layout measures every label, at every size, before anything is drawn, so
 * each size change between a label's measure and its drawing emptied the
 * glyph cache, and FreeType loaded each glyph five times (HarfBuzz's advance
 * and SDL_ttf's metrics for the measure, the same again and the bitmap for
 * the drawing): half the cost of the home screen's first frame (issue 18).
 * Rendered at once in white, the label's width is the surface's, and its
 * drawing only recolours those pixels: TTF_RenderUTF8_Blended fills a
 * surface with the colour at alpha 0 and ORs each glyph's coverage into the
 * alpha, so the pixels are exactly those a render in the colour gives. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"
#include "ui_text.h"

#define MASK_SLOTS 64        /* primitive masks; all dropped when full or resized */
#define WIDTH_ENTRIES 4096   /* measured widths kept (LRU beyond) */
#define WIDTH_BYTES (512u << 10) /* and the bytes of their keys */
#define INK_ENTRIES 128      /* labels rendered at their measure, not drawn yet */
#define INK_BYTES (4u << 20) /* and their pixels (least recently used go) */
#define INK_MAX_TEXT 256     /* bytes: a longer text is measured only */

/* The face of one weight, resized on demand. */
struct face {
    TTF_Font *font;      /* NULL: not opened yet */
    int px;              /* its current size */
};

/* What a width is measured in (the measure callback's context). */
struct font_ref {
    int px, bold;
    const char *whole;   /* a text likely drawn as it is: measured, it is */
    size_t whole_len;    /* rendered too (its ink); NULL: measure only */
};

struct tex {
    SDL_Texture *t;
    int w, h;
};

enum mask_kind { MASK_CORNER, MASK_DISC, MASK_FACE, MASK_CHECK };

struct mask_slot {
    enum mask_kind kind;
    int size, param;     /* key */
    SDL_Texture *t;      /* NULL: free */
};

static struct face faces[2];        /* [0] regular, [1] bold */
static struct ui_cache *widths;     /* (px, bold, text) -> width + 1 */
static struct ui_cache *inks;       /* (px, bold, text) -> SDL_Surface, white */
static struct { int px, skip; } skips[16]; /* line skip per size (px % 16) */
static struct mask_slot masks[MASK_SLOTS];

/* Role sizes in layout units (1% of the short side). */
static const float font_units[UI_FONT_COUNT] = {
    [UI_FONT_SMALL] = 3.2f, [UI_FONT_BODY] = 4.0f, [UI_FONT_BUTTON] = 4.6f,
    [UI_FONT_TITLE] = 6.0f, [UI_FONT_HEADLINE] = 8.0f, [UI_FONT_HUGE] = 20.0f,
};

SDL_Color ui_col(enum ui_color c)
{
    return ui_g.theme.c[c];
}

/* Frees a cached string texture; typed text is overwritten first so no
 * copy of it outlives the wipe in renderer memory. */
static void tex_free(void *value, int private_, void *ctx)
{
    (void)ctx;
    struct tex *t = value;
    if (private_ && t->w > 0 && t->h > 0) {
        size_t n = (size_t)t->w * (size_t)t->h * 4;
        void *zero = calloc(1, n);
        if (zero) {
            SDL_UpdateTexture(t->t, NULL, zero, t->w * 4);
            free(zero);
        }
    }
    SDL_DestroyTexture(t->t);
    free(t);
}

/* Frees an ink surface; its pixels may show typed text (every ink is
 * stored private: the measure cannot tell), so they are zeroed first. */
static void ink_free(void *value, int private_, void *ctx)
{
    (void)ctx;
    SDL_Surface *sf = value;
    if (private_ && SDL_LockSurface(sf) == 0) {
        explicit_bzero(sf->pixels, (size_t)sf->pitch * (size_t)sf->h);
        SDL_UnlockSurface(sf);
    }
    SDL_FreeSurface(sf);
}

/* Width entries hold no allocation: the value is the width + 1. */
static void width_free(void *value, int private_, void *ctx)
{
    (void)value, (void)private_, (void)ctx;
}

/* The bold face is the regular one when no bold file was found. */
static int bold_is_regular(void)
{
    return strcmp(ui_g.bold_path, ui_g.font_path) == 0 &&
           ui_g.bold_index == ui_g.font_index;
}

int ui_draw_init(char *err, size_t errsz, size_t cache_bytes,
                 size_t cache_entries)
{
    if (TTF_Init() < 0) {
        snprintf(err, errsz, "SDL_ttf: %s", TTF_GetError());
        return -1;
    }
    ui_g.text_cache = ui_cache_new(cache_entries, cache_bytes, tex_free, NULL);
    widths = ui_cache_new(WIDTH_ENTRIES, WIDTH_BYTES, width_free, NULL);
    inks = ui_cache_new(INK_ENTRIES, INK_BYTES, ink_free, NULL);
    if (!ui_g.text_cache || !widths || !inks) {
        snprintf(err, errsz, "text cache: bad size or no memory");
        goto fail;
    }
    /* The regular face now, so a broken font file fails at start, not
     * later; it is the face every regular size uses afterwards. */
    faces[0].font = TTF_OpenFontIndex(ui_g.font_path, 24, ui_g.font_index);
    if (!faces[0].font) {
        snprintf(err, errsz, "cannot open font %s (face %d): %s",
                 ui_g.font_path, ui_g.font_index, TTF_GetError());
        goto fail;
    }
    faces[0].px = 24;
    return 0;
fail:
    ui_cache_free(inks);
    inks = NULL;
    ui_cache_free(widths);
    widths = NULL;
    ui_cache_free(ui_g.text_cache);
    ui_g.text_cache = NULL;
    TTF_Quit();
    return -1;
}

static void masks_clear(void)
{
    for (int i = 0; i < MASK_SLOTS; i++)
        if (masks[i].t) {
            SDL_DestroyTexture(masks[i].t);
            masks[i].t = NULL;
        }
}

void ui_draw_fini(void)
{
    ui_cache_free(ui_g.text_cache);
    ui_g.text_cache = NULL;
    ui_cache_free(widths);
    widths = NULL;
    ui_cache_free(inks);
    inks = NULL;
    masks_clear();
    memset(skips, 0, sizeof skips);
    for (int i = 0; i < 2; i++)
        if (faces[i].font) {
            TTF_CloseFont(faces[i].font);
            faces[i].font = NULL;
        }
    TTF_Quit();
}

void ui_draw_drop_private(void)
{
    if (ui_g.text_cache)
        ui_cache_drop_private(ui_g.text_cache);
    if (widths)
        ui_cache_drop_private(widths);
    if (inks)
        ui_cache_drop_private(inks);
}


void ui_draw_reset_sizes(void)
{
    masks_clear();
}

int ui_font_px(enum ui_font f)
{
    int short_side = ui_g.out_w < ui_g.out_h ? ui_g.out_w : ui_g.out_h;
    float px = font_units[f] * (float)short_side / 100.0f;
    if (ui_g.large) {
        /* Elder mode: larger, and never under the standard's floors at the
         * panel's real dpi (main text 18 dp, titles and up 30 dp). */
        px *= 1.25f;
        float floor_px = (float)ui_dp_px(f >= UI_FONT_TITLE ? UI_ELDER_TITLE_DP
                                                             : UI_ELDER_TEXT_DP);
        if (px < floor_px)
            px = floor_px;
    }
    return px < 12 ? 12 : (int)lroundf(px);
}

TTF_Font *ui_font_get(int px, int bold)
{
    struct face *fc = &faces[bold && !bold_is_regular() ? 1 : 0];
    if (!fc->font) { /* only the bold face opens late: on first use */
        fc->font = TTF_OpenFontIndex(ui_g.bold_path, px, ui_g.bold_index);
        if (!fc->font) {
            SDL_Log("ui: cannot open %s at %dpx: %s", ui_g.bold_path, px,
                    TTF_GetError());
            return NULL;
        }
        fc->px = px;
    }
    if (fc->px != px) {
        if (TTF_SetFontSize(fc->font, px) < 0) {
            SDL_Log("ui: cannot size the font to %dpx: %s", px, TTF_GetError());
            return NULL;
        }
        fc->px = px;
    }
    return fc->font;
}

/* Width of s[0..len) in the font of ctx (a struct font_ref). Widths are
 * cached under (px, bold, text); every entry is private (the text may be
 * what a visitor typed): its key is wiped when it leaves and all go at an
 * idle reset (ui_draw_drop_private). When s[0..len) is ctx's whole text,
 * a first measure renders it (white) and keeps the surface under the same
 * key for ui_draw_text: the width is that surface's (SDL_ttf sizes the
 * surface with the measure TTF_SizeUTF8 makes). */
static int measure(void *ctx, const char *s, size_t len)
{
    const struct font_ref *fr = ctx;
    unsigned char stackkey[512];
    size_t klen = 5 + len;
    unsigned char *key = klen <= sizeof stackkey ? stackkey : malloc(klen);
    int w = 0, h;
    if (!key)
        return 0;
    memcpy(key, &fr->px, 4);
    key[4] = (unsigned char)fr->bold;
    memcpy(key + 5, s, len);
    void *hit = ui_cache_get(widths, key, klen);
    if (hit) {
        w = (int)((uintptr_t)hit - 1);
        goto out;
    }
    TTF_Font *font = ui_font_get(fr->px, fr->bold);
    char *z = font ? malloc(len + 1) : NULL;
    if (!z)
        goto out;
    memcpy(z, s, len);
    z[len] = '\0';
    SDL_Surface *ink = NULL;
    if (fr->whole == s && fr->whole_len == len && len <= INK_MAX_TEXT)
        ink = TTF_RenderUTF8_Blended(font, z, (SDL_Color){255, 255, 255, 255});
    if (ink) {
        w = ink->w;
        /* At the cap it is not kept: drawn later, it is rendered then. */
        if (ui_cache_put(inks, key, klen, ink, (size_t)ink->pitch * (size_t)ink->h, 1) < 0)
            ink_free(ink, 1, NULL);
    } else if (TTF_SizeUTF8(font, z, &w, &h) < 0 || w < 0)
        w = 0;
    explicit_bzero(z, len);
    free(z);
    /* At the cap the width is simply not kept: measured again next time. */
    ui_cache_put(widths, key, klen, (void *)((uintptr_t)w + 1), klen + 32, 1);
out:
    explicit_bzero(key + 5, len);
    if (key != stackkey)
        free(key);
    return w;
}

int ui_text_w(enum ui_font f, int bold, const char *s, size_t len)
{
    /* A whole string (a label's natural width; the field measures spans of
     * its text, the big number measures at the huge size to scale and draws
     * at its own) is likely drawn as it is: its ink is made now. */
    struct font_ref fr = {ui_font_px(f), bold, NULL, 0};
    if (f != UI_FONT_HUGE && s[len] == '\0')
        fr.whole = s, fr.whole_len = len;
    return measure(&fr, s, len);
}

int ui_line_h(enum ui_font f)
{
    /* Asked for on every frame by most widgets: kept per size, so it does
     * not resize the shared face (which would drop its glyph cache). */
    int px = ui_font_px(f);
    int slot = px % 16;
    if (skips[slot].px != px) {
        TTF_Font *font = ui_font_get(px, 0);
        if (!font)
            return px;
        skips[slot].px = px;
        skips[slot].skip = TTF_FontLineSkip(font);
    }
    /* Noto CJK's line skip is 1.45 em; 1.3 em reads fine and saves space.
     * Elder mode: 1.4 em, rounded up (the rule is at least 1.3). */
    if (ui_g.large)
        return (px * UI_ELDER_LINE_TENTHS + 9) / 10;
    int want = px * 13 / 10;
    return skips[slot].skip < want ? skips[slot].skip : want;
}

/* Gives an ink (white, from TTF_RenderUTF8_Blended) the opaque colour c:
 * every pixel keeps its alpha (the coverage) and takes c's RGB, as
 * TTF_RenderUTF8_Blended in c would have made it. Returns 0, or -1 when the
 * surface is not SDL_ttf's ARGB8888. */
static int ink_tint(SDL_Surface *sf, SDL_Color c)
{
    if (sf->format->format != SDL_PIXELFORMAT_ARGB8888 || SDL_LockSurface(sf) < 0)
        return -1;
    uint32_t rgb = (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
    /* four pixels at a time (GCC's vector extension; memcpy: no alignment
     * assumed), then the rest one by one */
    typedef uint32_t px4 __attribute__((vector_size(16)));
    const px4 alpha4 = {0xFF000000u, 0xFF000000u, 0xFF000000u, 0xFF000000u};
    const px4 rgb4 = {rgb, rgb, rgb, rgb};
    for (int y = 0; y < sf->h; y++) {
        uint8_t *row = (uint8_t *)sf->pixels + (size_t)y * sf->pitch;
        int x = 0;
        for (; x + 4 <= sf->w; x += 4) {
            px4 p;
            memcpy(&p, row + 4 * x, sizeof p);
            p = (p & alpha4) | rgb4;
            memcpy(row + 4 * x, &p, sizeof p);
        }
        for (; x < sf->w; x++) {
            uint32_t p;
            memcpy(&p, row + 4 * x, 4);
            p = (p & 0xFF000000u) | rgb;
            memcpy(row + 4 * x, &p, 4);
        }
    }
    SDL_UnlockSurface(sf);
    return 0;
}

void ui_draw_text(TTF_Font *font, int px, int bold, const char *s, size_t len,
                  SDL_Color c, int x, int y, int private_)
{
    if (!font || len == 0)
        return;
    size_t klen = 9 + len;
    unsigned char stackkey[600];
    unsigned char *key = klen <= sizeof stackkey ? stackkey : malloc(klen);
    if (!key)
        return;
    /* (px, bold, text, colour): its first 5 + len bytes are the key of the
     * text's width and ink (measure). */
    memcpy(key, &px, 4);
    key[4] = (unsigned char)bold;
    memcpy(key + 5, s, len);
    key[5 + len] = c.r; key[6 + len] = c.g; key[7 + len] = c.b; key[8 + len] = c.a;
    /* Typed visitor text is never cached: it changes with every key and
     * must not outlive an idle reset. It is rendered, drawn, zeroed, freed. */
    struct tex *t = private_ ? NULL : ui_cache_get(ui_g.text_cache, key, klen);
    int cached = !private_;
    if (!t) {
        /* The face is shared by every size: make sure it is at px. */
        font = ui_font_get(px, bold);
        char *z = NULL;
        SDL_Surface *surf = NULL;
        /* Rendered when it was measured: recoloured (an opaque colour; a
         * translucent one scales the coverage, rendered below). */
        if (font && c.a == 255 &&
            (surf = ui_cache_take(inks, key, 5 + len, NULL)) &&
            ink_tint(surf, c) < 0) {
            ink_free(surf, 1, NULL);
            surf = NULL;
        }
        if (!surf && font)
            z = malloc(len + 1);
        if (z) {
            memcpy(z, s, len);
            z[len] = '\0';
            surf = TTF_RenderUTF8_Blended(font, z, c);
            if (private_)
                explicit_bzero(z, len);
            free(z);
        }
        t = surf ? calloc(1, sizeof *t) : NULL;
        if (t) {
            t->t = SDL_CreateTextureFromSurface(ui_g.ren, surf);
            t->w = surf->w;
            t->h = surf->h;
        }
        if (surf) {
            if (private_ && SDL_LockSurface(surf) == 0) {
                explicit_bzero(surf->pixels, (size_t)surf->pitch * surf->h);
                SDL_UnlockSurface(surf);
            }
            SDL_FreeSurface(surf);
        }
        if (t && !t->t) {
            free(t);
            t = NULL;
        }
        if (t && cached &&
            ui_cache_put(ui_g.text_cache, key, klen, t,
                         (size_t)t->w * t->h * 4, 0) < 0)
            cached = 0; /* larger than the whole cache: draw once, free */
    }
    if (private_)
        explicit_bzero(key + 5, len);
    if (key != stackkey)
        free(key);
    if (!t)
        return;
    SDL_Rect dst = {x, y, t->w, t->h};
    SDL_RenderCopy(ui_g.ren, t->t, NULL, &dst);
    if (!cached)
        tex_free(t, private_, NULL);
}

/* Lines of s at width w in font; fills lines, returns count. */
static int break_lines(struct font_ref *font, const char *s, int w, int max_lines,
                       struct ui_line *lines, int cap, int *truncated)
{
    if (max_lines <= 0 || max_lines > cap)
        max_lines = cap;
    return ui_text_break(s, w < 1 ? 1 : w, measure, font, lines, max_lines,
                         truncated);
}

int ui_text_top(TTF_Font *font, int px, int center_y)
{
    /* Noto CJK's ascent (1.16 em) leaves room for accents above Latin and
     * Chinese; both look centred when the baseline is 0.36 em below the
     * middle of the line. */
    return center_y + px * 36 / 100 - TTF_FontAscent(font);
}

int ui_text_fits(enum ui_font f, int bold, const char *s, int w, int max_lines)
{
    /* No ink: a fitting label tries sizes it is not drawn in. */
    struct font_ref font = {ui_font_px(f), bold, NULL, 0};
    struct ui_line lines[64];
    int truncated = 0;
    if (!s || !*s)
        return 1;
    int n = break_lines(&font, s, w, max_lines, lines, 64, &truncated);
    if (truncated)
        return 0;
    for (int i = 0; i < n; i++)
        if (measure(&font, s + lines[i].start, lines[i].len) > w)
            return 0;
    return 1;
}

void ui_cuts_reset(void)
{
    ui_g.ncuts = 0;
}

/* Notes a cut for check_uncut: the widget being drawn and the text, unless
 * it is visitor data. */
static void note_cut(const char *s, int private_)
{
    if (ui_g.ncuts >= (int)(sizeof ui_g.cuts / sizeof ui_g.cuts[0]))
        return;
    struct ui_cut *c = &ui_g.cuts[ui_g.ncuts++];
    snprintf(c->id, sizeof c->id, "%s", ui_g.drawing ? ui_g.drawing : "");
    snprintf(c->text, sizeof c->text, "%s", private_ ? "(typed text)" : s);
}

int ui_text_box_h(enum ui_font f, int bold, const char *s, int w,
                  int max_lines)
{
    struct font_ref font = {ui_font_px(f), bold, s, s ? strlen(s) : 0};
    struct ui_line lines[64];
    if (!s)
        return 0;
    int n = break_lines(&font, s, w, max_lines, lines, 64, NULL);
    return (n < 1 ? 1 : n) * ui_line_h(f);
}

int ui_draw_text_box(enum ui_font f, int bold, const char *s, struct ui_rect r,
                     enum ui_align align, int max_lines, SDL_Color c,
                     int private_)
{
    int px = ui_font_px(f);
    struct font_ref fr = {px, bold, s, s ? strlen(s) : 0};
    struct ui_line lines[64];
    int truncated = 0;
    if (!s || !*s)
        return 0;
    int lh = ui_line_h(f);
    int fit = r.h / lh;
    if (fit < 1)
        fit = 1;
    if (max_lines <= 0 || max_lines > fit)
        max_lines = fit;
    int n = break_lines(&fr, s, r.w, max_lines, lines, 64, &truncated);
    if (n < 1)
        return 0;
    int total = n * lh;
    int y = r.y + (r.h - total) / 2;
    TTF_Font *font = ui_font_get(px, bold);
    if (!font)
        return 0;
    int yoff = ui_text_top(font, px, lh / 2);
    for (int i = 0; i < n; i++) {
        const char *ls = s + lines[i].start;
        size_t len = lines[i].len;
        char ell[1024];
        int lw = measure(&fr, ls, len);
        if ((i == n - 1 && truncated) || lw > r.w) {
            note_cut(s, private_);
            int k = ui_text_ellipsize(ls, len, r.w, measure, &fr, ell,
                                      sizeof ell);
            if (k > 0) {
                ls = ell;
                len = (size_t)k;
                lw = measure(&fr, ls, len);
            }
        }
        int x = r.x;
        if (align == UI_ALIGN_CENTER)
            x = r.x + (r.w - lw) / 2;
        else if (align == UI_ALIGN_END)
            x = r.x + r.w - lw;
        ui_draw_text(font, px, bold, ls, len, c, x, y + i * lh + yoff, private_);
        if (ls == ell && private_)
            explicit_bzero(ell, sizeof ell);
    }
    return total;
}

void ui_fill_rect(struct ui_rect r, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    SDL_SetRenderDrawColor(ui_g.ren, c.r, c.g, c.b, c.a);
    /* An opaque fill needs no blending, and the software renderer's blended
     * fill goes pixel by pixel: the 1080x1920 home screen spent more on its
     * buttons' fills than a bare program spends to start (issue 18). The
     * pixels are the same (alpha 255 blends to the source). */
    if (c.a == 255)
        SDL_SetRenderDrawBlendMode(ui_g.ren, SDL_BLENDMODE_NONE);
    SDL_RenderFillRect(ui_g.ren, &(SDL_Rect){r.x, r.y, r.w, r.h});
    if (c.a == 255)
        SDL_SetRenderDrawBlendMode(ui_g.ren, SDL_BLENDMODE_BLEND);
}

/* ---- coverage masks ------------------------------------------------------ */

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static float dist_seg(float px, float py, float ax, float ay, float bx,
                      float by)
{
    float dx = bx - ax, dy = by - ay;
    float t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
    t = clamp01(t);
    float ex = ax + t * dx - px, ey = ay + t * dy - py;
    return sqrtf(ex * ex + ey * ey);
}

/* Coverage (0..1) of pixel centre (x,y) in a size x size mask. */
static float coverage(enum mask_kind kind, int size, int param, float x,
                      float y)
{
    float s = (float)size;
    switch (kind) {
    case MASK_CORNER: { /* quarter disc/ring, centre at (size,size) */
        float d = sqrtf((x - s) * (x - s) + (y - s) * (y - s));
        if (param <= 0)
            return clamp01(s - d + 0.5f);
        float in = clamp01(s - d + 0.5f), out = clamp01(d - (s - param) + 0.5f);
        return in < out ? in : out;
    }
    case MASK_DISC: {
        float c = s / 2, d = sqrtf((x - c) * (x - c) + (y - c) * (y - c));
        return clamp01(c - 1 - d + 0.5f);
    }
    case MASK_FACE: { /* outline ring, eyes, mouth; param = face kind */
        float c = s / 2, R = c - 1;
        float d = sqrtf((x - c) * (x - c) + (y - c) * (y - c));
        float t = R * 0.07f;
        float a = clamp01(R - d + 0.5f), b = clamp01(d - (R - t) + 0.5f);
        float v = a < b ? a : b;
        for (int e = -1; e <= 1; e += 2) {
            float ex = c + e * 0.34f * R, ey = c - 0.22f * R;
            float de = sqrtf((x - ex) * (x - ex) + (y - ey) * (y - ey));
            float ce = clamp01(0.11f * R - de + 0.5f);
            if (ce > v)
                v = ce;
        }
        /* mouth: y = yc - bend * (u^2), u in [-1,1] across 0.9 R */
        static const float yc[] = {0.46f, 0.40f, 0.36f, 0.30f};
        static const float bend[] = {0.26f, 0.13f, 0.0f, -0.20f};
        int k = param < 0 || param > 3 ? 2 : param;
        float best = 1e9f, px = 0, py = 0;
        for (int i = 0; i <= 32; i++) {
            float u = -1.0f + i / 16.0f;
            float mx = c + u * 0.45f * R, my = c + (yc[k] - bend[k] * u * u) * R;
            if (i > 0) {
                float dd = dist_seg(x, y, px, py, mx, my);
                if (dd < best)
                    best = dd;
            }
            px = mx;
            py = my;
        }
        float cm = clamp01(0.06f * R - best + 0.5f);
        return cm > v ? cm : v;
    }
    case MASK_CHECK: {
        float d1 = dist_seg(x, y, 0.18f * s, 0.52f * s, 0.42f * s, 0.76f * s);
        float d2 = dist_seg(x, y, 0.42f * s, 0.76f * s, 0.84f * s, 0.26f * s);
        float d = d1 < d2 ? d1 : d2;
        return clamp01(0.07f * s - d + 0.5f);
    }
    }
    return 0;
}

static SDL_Texture *mask_get(enum mask_kind kind, int size, int param)
{
    int free_i = -1;
    if (size < 1)
        return NULL;
    for (int i = 0; i < MASK_SLOTS; i++) {
        if (masks[i].t && masks[i].kind == kind && masks[i].size == size &&
            masks[i].param == param)
            return masks[i].t;
        if (!masks[i].t && free_i < 0)
            free_i = i;
    }
    if (free_i < 0) {
        masks_clear();
        free_i = 0;
    }
    SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32,
                                                     SDL_PIXELFORMAT_RGBA32);
    if (!sf)
        return NULL;
    for (int y = 0; y < size; y++) {
        uint8_t *row = (uint8_t *)sf->pixels + (size_t)y * sf->pitch;
        for (int x = 0; x < size; x++) {
            float a = coverage(kind, size, param, x + 0.5f, y + 0.5f);
            row[x * 4] = row[x * 4 + 1] = row[x * 4 + 2] = 255;
            row[x * 4 + 3] = (uint8_t)lroundf(a * 255.0f);
        }
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(ui_g.ren, sf);
    SDL_FreeSurface(sf);
    if (!t)
        return NULL;
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    masks[free_i] = (struct mask_slot){kind, size, param, t};
    return t;
}

static void draw_mask(SDL_Texture *t, int x, int y, int w, int h,
                      SDL_RendererFlip flip, SDL_Color c)
{
    if (!t)
        return;
    SDL_SetTextureColorMod(t, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(t, c.a);
    SDL_RenderCopyEx(ui_g.ren, t, NULL, &(SDL_Rect){x, y, w, h}, 0, NULL, flip);
}

static int clamp_radius(struct ui_rect r, int radius)
{
    if (radius > r.w / 2)
        radius = r.w / 2;
    if (radius > r.h / 2)
        radius = r.h / 2;
    return radius < 0 ? 0 : radius;
}

void ui_fill_round(struct ui_rect r, int radius, SDL_Color c)
{
    radius = clamp_radius(r, radius);
    if (radius < 2) {
        ui_fill_rect(r, c);
        return;
    }
    SDL_Texture *m = mask_get(MASK_CORNER, radius, 0);
    ui_fill_rect((struct ui_rect){r.x + radius, r.y, r.w - 2 * radius, r.h}, c);
    ui_fill_rect((struct ui_rect){r.x, r.y + radius, radius, r.h - 2 * radius}, c);
    ui_fill_rect((struct ui_rect){r.x + r.w - radius, r.y + radius, radius,
                                  r.h - 2 * radius}, c);
    int rx = r.x + r.w - radius, by = r.y + r.h - radius;
    draw_mask(m, r.x, r.y, radius, radius, SDL_FLIP_NONE, c);
    draw_mask(m, rx, r.y, radius, radius, SDL_FLIP_HORIZONTAL, c);
    draw_mask(m, r.x, by, radius, radius, SDL_FLIP_VERTICAL, c);
    draw_mask(m, rx, by, radius, radius,
              (SDL_RendererFlip)(SDL_FLIP_HORIZONTAL | SDL_FLIP_VERTICAL), c);
}

void ui_stroke_round(struct ui_rect r, int radius, int thick, SDL_Color c)
{
    radius = clamp_radius(r, radius);
    if (thick < 1)
        thick = 1;
    if (radius < thick)
        radius = thick;
    SDL_Texture *m = mask_get(MASK_CORNER, radius, thick);
    int rx = r.x + r.w - radius, by = r.y + r.h - radius;
    ui_fill_rect((struct ui_rect){r.x + radius, r.y, r.w - 2 * radius, thick}, c);
    ui_fill_rect((struct ui_rect){r.x + radius, r.y + r.h - thick,
                                  r.w - 2 * radius, thick}, c);
    ui_fill_rect((struct ui_rect){r.x, r.y + radius, thick, r.h - 2 * radius}, c);
    ui_fill_rect((struct ui_rect){r.x + r.w - thick, r.y + radius, thick,
                                  r.h - 2 * radius}, c);
    draw_mask(m, r.x, r.y, radius, radius, SDL_FLIP_NONE, c);
    draw_mask(m, rx, r.y, radius, radius, SDL_FLIP_HORIZONTAL, c);
    draw_mask(m, r.x, by, radius, radius, SDL_FLIP_VERTICAL, c);
    draw_mask(m, rx, by, radius, radius,
              (SDL_RendererFlip)(SDL_FLIP_HORIZONTAL | SDL_FLIP_VERTICAL), c);
}

void ui_draw_face(struct ui_rect r, enum ui_face_kind kind, SDL_Color fill,
                  SDL_Color fg)
{
    int size = r.w < r.h ? r.w : r.h;
    int x = r.x + (r.w - size) / 2, y = r.y + (r.h - size) / 2;
    draw_mask(mask_get(MASK_DISC, size, 0), x, y, size, size, SDL_FLIP_NONE,
              fill);
    draw_mask(mask_get(MASK_FACE, size, (int)kind), x, y, size, size,
              SDL_FLIP_NONE, fg);
}

void ui_draw_check(struct ui_rect r, SDL_Color c)
{
    int size = r.w < r.h ? r.w : r.h;
    draw_mask(mask_get(MASK_CHECK, size, 0), r.x + (r.w - size) / 2,
              r.y + (r.h - size) / 2, size, size, SDL_FLIP_NONE, c);
}
