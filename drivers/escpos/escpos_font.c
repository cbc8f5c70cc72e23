/* escpos_font.c - dot images shared by the encoder's raster fallback and the
 * virtual printer: bitmaps, glyph cells rendered with SDL2_ttf and thresholded
 * to 1 bit (like a thermal head), and QR codes from libqrencode.
 * SDL2_ttf and FreeType are not thread-safe, so every call into them holds
 * one process-wide lock; glyph cells are cached per font (direct-mapped,
 * fixed size: a miss just renders again). */
#include "escpos_font.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT_PT 21          /* pixels per em at SDL_ttf's 72 dpi */
#define FONT_BASELINE 20    /* baseline row inside a 24-row cell */
#define CACHE_SLOTS 512     /* glyph cells kept per font */
#define CELL_MAX_W (2 * ESCPOS_CELL_W)

struct glyph_slot {
    uint32_t key;                                   /* cp << 1 | wide, 0 = empty */
    uint8_t bits[ESCPOS_CELL_H * CELL_MAX_W];       /* 1 = black */
};

struct escpos_font {
    TTF_Font *ttf;                      /* the face, at FONT_PT */
    struct glyph_slot *cache;           /* CACHE_SLOTS cells */
};

static pthread_mutex_t ttf_lock = PTHREAD_MUTEX_INITIALIZER;

int escpos_bitmap_reserve(struct escpos_bitmap *bm, int h)
{
    if (h < 0 || h > ESCPOS_BITMAP_MAX_ROWS || bm->w <= 0)
        return -1;
    if (h > bm->rows_alloc) {
        int n = bm->rows_alloc ? bm->rows_alloc : 256;
        while (n < h)
            n *= 2;
        if (n > ESCPOS_BITMAP_MAX_ROWS)
            n = ESCPOS_BITMAP_MAX_ROWS;
        uint8_t *p = realloc(bm->px, (size_t)n * (size_t)bm->w);
        if (!p)
            return -1;
        memset(p + (size_t)bm->rows_alloc * (size_t)bm->w, 0,
               (size_t)(n - bm->rows_alloc) * (size_t)bm->w);
        bm->px = p;
        bm->rows_alloc = n;
    }
    if (h > bm->h)
        bm->h = h;
    return 0;
}

void escpos_bitmap_free(struct escpos_bitmap *bm)
{
    free(bm->px);
    bm->px = NULL;
    bm->h = bm->rows_alloc = 0;
}

void escpos_bitmap_pack(const struct escpos_bitmap *bm, int y0, int n, uint8_t *out)
{
    int xb = (bm->w + 7) / 8;
    memset(out, 0, (size_t)xb * (size_t)n);
    for (int y = 0; y < n; y++) {
        const uint8_t *row = bm->px + (size_t)(y0 + y) * (size_t)bm->w;
        for (int x = 0; x < bm->w; x++)
            if (row[x])
                out[y * xb + x / 8] |= (uint8_t)(0x80 >> (x % 8));
    }
}

/* Asks fontconfig for the Noto Sans CJK SC face. Returns 0 or -1. */
static int font_lookup(char *path, size_t pathlen, int *index)
{
    int rc = -1;
    FcPattern *pat = NULL, *match = NULL;
    FcResult res;
    FcChar8 *file = NULL;

    if (!FcInit())
        return -1;
    pat = FcNameParse((const FcChar8 *)"Noto Sans CJK SC:style=Regular");
    if (!pat)
        goto out;
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    match = FcFontMatch(NULL, pat, &res);
    if (!match || FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch)
        goto out;
    if (FcPatternGetInteger(match, FC_INDEX, 0, index) != FcResultMatch)
        *index = 0;
    snprintf(path, pathlen, "%s", (const char *)file);
    rc = 0;
out:
    if (match)
        FcPatternDestroy(match);
    if (pat)
        FcPatternDestroy(pat);
    return rc;
}

int escpos_font_open(const char *path, int index, struct escpos_font **out,
                     char *err, size_t errlen)
{
    char found[1024];
    struct escpos_font *f = NULL;

    *out = NULL;
    if (!path || !*path) {
        if (font_lookup(found, sizeof found, &index) != 0) {
            snprintf(err, errlen, "fontconfig found no \"Noto Sans CJK SC\" "
                                  "(install fonts-noto-cjk or configure a font path)");
            return -1;
        }
        path = found;
    }
    f = calloc(1, sizeof *f);
    if (f)
        f->cache = calloc(CACHE_SLOTS, sizeof *f->cache);
    if (!f || !f->cache) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    pthread_mutex_lock(&ttf_lock);
    if (TTF_Init() == 0) {
        f->ttf = TTF_OpenFontIndex(path, FONT_PT, index);
        if (!f->ttf) {
            snprintf(err, errlen, "cannot open font %s (face %d): %s", path, index,
                     TTF_GetError());
            TTF_Quit();
        }
    } else {
        snprintf(err, errlen, "TTF_Init: %s", TTF_GetError());
    }
    pthread_mutex_unlock(&ttf_lock);
    if (!f->ttf)
        goto fail;
    *out = f;
    return 0;
fail:
    if (f)
        free(f->cache);
    free(f);
    return -1;
}

void escpos_font_close(struct escpos_font *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&ttf_lock);
    TTF_CloseFont(f->ttf);
    TTF_Quit(); /* reference-counted by SDL2_ttf */
    pthread_mutex_unlock(&ttf_lock);
    free(f->cache);
    free(f);
}

/* Renders cp into slot->bits (cellw x 24). Called with ttf_lock held. */
static int render_cell(struct escpos_font *f, uint32_t cp, int cellw, uint8_t *bits)
{
    SDL_Color fg = {0, 0, 0, 255}, bg = {255, 255, 255, 255};
    SDL_Surface *s;
    int asc, dx, dy, sw;

    memset(bits, 0, ESCPOS_CELL_H * CELL_MAX_W);
    if (cp == ' ')
        return 0;
    if (!TTF_GlyphIsProvided32(f->ttf, cp))
        cp = '?';
    s = TTF_RenderGlyph32_Shaded(f->ttf, cp, fg, bg);
    if (!s)
        return -1;
    asc = TTF_FontAscent(f->ttf);
    dy = FONT_BASELINE - asc;
    sw = s->w;
    dx = sw <= cellw ? (cellw - sw) / 2 : 0;
    for (int y = 0; y < ESCPOS_CELL_H; y++) {
        int sy = y - dy;
        if (sy < 0 || sy >= s->h)
            continue;
        const uint8_t *row = (const uint8_t *)s->pixels + (size_t)sy * (size_t)s->pitch;
        for (int x = 0; x < cellw; x++) {
            /* glyphs wider than the cell are squeezed, as printer fonts are */
            int sx = sw <= cellw ? x - dx : x * sw / cellw;
            if (sx < 0 || sx >= sw)
                continue;
            /* Shaded surfaces are 8-bit palettized: index = coverage 0..255 */
            if (row[sx] >= 100)
                bits[y * CELL_MAX_W + x] = 1;
        }
    }
    SDL_FreeSurface(s);
    return 0;
}

int escpos_font_draw(struct escpos_font *f, struct escpos_bitmap *bm, int x,
                     int y, uint32_t cp, int wide, int mw, int mh, int bold)
{
    int cellw = wide ? CELL_MAX_W : ESCPOS_CELL_W;
    uint32_t key = cp << 1 | (wide ? 1u : 0u);
    struct glyph_slot *slot;
    uint8_t bits[ESCPOS_CELL_H * CELL_MAX_W];
    int rc = 0;

    if (!f || cp > 0x10FFFF)
        return -1;
    pthread_mutex_lock(&ttf_lock);
    slot = &f->cache[(cp * 2654435761u + (uint32_t)wide) % CACHE_SLOTS];
    if (slot->key != key) {
        rc = render_cell(f, cp, cellw, slot->bits);
        slot->key = rc == 0 ? key : 0;
    }
    if (rc == 0)
        memcpy(bits, slot->bits, sizeof bits);
    pthread_mutex_unlock(&ttf_lock);
    if (rc != 0)
        return -1;
    if (escpos_bitmap_reserve(bm, y + ESCPOS_CELL_H * mh) != 0)
        return -1;
    for (int cy = 0; cy < ESCPOS_CELL_H; cy++)
        for (int cx = 0; cx < cellw; cx++) {
            int on = bits[cy * CELL_MAX_W + cx] ||
                     (bold && cx > 0 && bits[cy * CELL_MAX_W + cx - 1]);
            if (!on)
                continue;
            for (int j = 0; j < mh; j++) {
                uint8_t *row = bm->px + (size_t)(y + cy * mh + j) * (size_t)bm->w;
                for (int i = 0; i < mw; i++) {
                    int px = x + cx * mw + i;
                    if (px >= 0 && px < bm->w)
                        row[px] = 1;
                }
            }
        }
    return 0;
}

int escpos_draw_qr(struct escpos_bitmap *bm, int y, int align, const void *data,
                   size_t len, int module, int ecc, int *height)
{
    static const QRecLevel levels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q,
                                       QR_ECLEVEL_H};
    QRcode *qr;
    int size, x0, rc = -1;

    *height = 0;
    if (len == 0 || len > 2048 || module < 1 || module > 16 || ecc < 0 || ecc > 3)
        return -1;
    qr = QRcode_encodeData((int)len, data, 0, levels[ecc]);
    if (!qr)
        return -1;
    size = (qr->width + 8) * module;
    if (size > bm->w || escpos_bitmap_reserve(bm, y + size) != 0)
        goto out;
    x0 = align == 1 ? (bm->w - size) / 2 : align == 2 ? bm->w - size : 0;
    for (int my = 0; my < qr->width; my++)
        for (int mx = 0; mx < qr->width; mx++) {
            if (!(qr->data[my * qr->width + mx] & 1))
                continue;
            for (int j = 0; j < module; j++) {
                uint8_t *row = bm->px + (size_t)(y + (my + 4) * module + j) * (size_t)bm->w;
                memset(row + x0 + (mx + 4) * module, 1, (size_t)module);
            }
        }
    *height = size;
    rc = 0;
out:
    QRcode_free(qr);
    return rc;
}
