/* ui_draw.c - everything that puts pixels on the screen: the fonts (SDL2_ttf,
 * one TTF_Font per pixel size and weight, opened on demand), the bounded LRU
 * of rendered strings (ui_cache), and a few anti-aliased primitives (rounded
 * corners, the rating faces, the check mark) made from small coverage masks
 * computed once per size and tinted at draw time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"
#include "ui_text.h"

#define FONT_SLOTS 24 /* open fonts (size x weight); least used is closed */
#define MASK_SLOTS 64 /* primitive masks; all dropped when full or resized */

struct font_slot {
    int px, bold;        /* key */
    TTF_Font *font;      /* NULL: free slot */
    uint64_t used;       /* last use, for eviction */
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

static struct font_slot fonts[FONT_SLOTS];
static uint64_t font_clock;
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

int ui_draw_init(char *err, size_t errsz, size_t cache_bytes,
                 size_t cache_entries)
{
    if (TTF_Init() < 0) {
        snprintf(err, errsz, "SDL_ttf: %s", TTF_GetError());
        return -1;
    }
    ui_g.text_cache = ui_cache_new(cache_entries, cache_bytes, tex_free, NULL);
    if (!ui_g.text_cache) {
        snprintf(err, errsz, "text cache: bad size or no memory");
        TTF_Quit();
        return -1;
    }
    /* Open one size now so a broken font file fails at start, not later. */
    TTF_Font *f = TTF_OpenFontIndex(ui_g.font_path, 24, ui_g.font_index);
    if (!f) {
        snprintf(err, errsz, "cannot open font %s (face %d): %s",
                 ui_g.font_path, ui_g.font_index, TTF_GetError());
        ui_cache_free(ui_g.text_cache);
        ui_g.text_cache = NULL;
        TTF_Quit();
        return -1;
    }
    TTF_CloseFont(f);
    return 0;
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
    masks_clear();
    for (int i = 0; i < FONT_SLOTS; i++)
        if (fonts[i].font) {
            TTF_CloseFont(fonts[i].font);
            fonts[i].font = NULL;
        }
    TTF_Quit();
}

void ui_draw_reset_sizes(void)
{
    masks_clear();
}

int ui_font_px(enum ui_font f)
{
    int short_side = ui_g.out_w < ui_g.out_h ? ui_g.out_w : ui_g.out_h;
    float px = font_units[f] * (float)short_side / 100.0f;
    if (ui_g.large)
        px *= 1.25f;
    return px < 12 ? 12 : (int)lroundf(px);
}

TTF_Font *ui_font_get(int px, int bold)
{
    int free_i = -1, old_i = 0;
    font_clock++;
    for (int i = 0; i < FONT_SLOTS; i++) {
        if (fonts[i].font && fonts[i].px == px && fonts[i].bold == bold) {
            fonts[i].used = font_clock;
            return fonts[i].font;
        }
        if (!fonts[i].font && free_i < 0)
            free_i = i;
        if (fonts[i].used < fonts[old_i].used)
            old_i = i;
    }
    if (free_i < 0) {
        free_i = old_i;
        TTF_CloseFont(fonts[free_i].font);
        fonts[free_i].font = NULL;
    }
    const char *path = bold ? ui_g.bold_path : ui_g.font_path;
    int index = bold ? ui_g.bold_index : ui_g.font_index;
    TTF_Font *f = TTF_OpenFontIndex(path, px, index);
    if (!f) {
        SDL_Log("ui: cannot open %s at %dpx: %s", path, px, TTF_GetError());
        return NULL;
    }
    fonts[free_i] = (struct font_slot){px, bold, f, font_clock};
    return f;
}

static int measure(void *ctx, const char *s, size_t len)
{
    char stackbuf[512];
    char *buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);
    int w = 0, h;
    if (!buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (TTF_SizeUTF8((TTF_Font *)ctx, buf, &w, &h) < 0)
        w = 0;
    if (buf != stackbuf)
        free(buf);
    return w;
}

int ui_text_w(enum ui_font f, int bold, const char *s, size_t len)
{
    TTF_Font *font = ui_font_get(ui_font_px(f), bold);
    return font ? measure(font, s, len) : 0;
}

int ui_line_h(enum ui_font f)
{
    TTF_Font *font = ui_font_get(ui_font_px(f), 0);
    /* Noto CJK's line skip is 1.45 em; 1.3 em reads fine and saves space. */
    int px = ui_font_px(f);
    int skip = font ? TTF_FontLineSkip(font) : px;
    int want = px * 13 / 10;
    return skip < want ? skip : want;
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
    memcpy(key, &px, 4);
    key[4] = (unsigned char)bold;
    key[5] = c.r; key[6] = c.g; key[7] = c.b; key[8] = c.a;
    memcpy(key + 9, s, len);
    /* Typed visitor text is never cached: it changes with every key and
     * must not outlive an idle reset. It is rendered, drawn, zeroed, freed. */
    struct tex *t = private_ ? NULL : ui_cache_get(ui_g.text_cache, key, klen);
    int cached = !private_;
    if (!t) {
        char *z = malloc(len + 1);
        SDL_Surface *surf = NULL;
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
        explicit_bzero(key + 9, len);
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
static int break_lines(TTF_Font *font, const char *s, int w, int max_lines,
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

int ui_text_box_h(enum ui_font f, int bold, const char *s, int w,
                  int max_lines)
{
    TTF_Font *font = ui_font_get(ui_font_px(f), bold);
    struct ui_line lines[64];
    if (!font || !s)
        return 0;
    int n = break_lines(font, s, w, max_lines, lines, 64, NULL);
    return (n < 1 ? 1 : n) * ui_line_h(f);
}

int ui_draw_text_box(enum ui_font f, int bold, const char *s, struct ui_rect r,
                     enum ui_align align, int max_lines, SDL_Color c,
                     int private_)
{
    int px = ui_font_px(f);
    TTF_Font *font = ui_font_get(px, bold);
    struct ui_line lines[64];
    int truncated = 0;
    if (!font || !s || !*s)
        return 0;
    int lh = ui_line_h(f);
    int fit = r.h / lh;
    if (fit < 1)
        fit = 1;
    if (max_lines <= 0 || max_lines > fit)
        max_lines = fit;
    int n = break_lines(font, s, r.w, max_lines, lines, 64, &truncated);
    if (n < 1)
        return 0;
    int total = n * lh;
    int y = r.y + (r.h - total) / 2;
    int yoff = ui_text_top(font, px, lh / 2);
    for (int i = 0; i < n; i++) {
        const char *ls = s + lines[i].start;
        size_t len = lines[i].len;
        char ell[1024];
        int lw = measure(font, ls, len);
        if ((i == n - 1 && truncated) || lw > r.w) {
            int k = ui_text_ellipsize(ls, len, r.w, measure, font, ell,
                                      sizeof ell);
            if (k > 0) {
                ls = ell;
                len = (size_t)k;
                lw = measure(font, ls, len);
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
    SDL_RenderFillRect(ui_g.ren, &(SDL_Rect){r.x, r.y, r.w, r.h});
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
