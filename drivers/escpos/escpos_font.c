/* escpos_font.c - dot images shared by the encoder's raster fallback and the
 * virtual printer: bitmaps, glyph cells rendered with FreeType and
 * thresholded to 1 bit (like a thermal head), and QR codes from libqrencode.
 * Each font has its own FreeType library (FT_Init_FreeType), never SDL_ttf's
 * process-wide one: the UI thread opens and closes its SDL_ttf fonts lazily
 * while the print worker renders, and FreeType allows that only on separate
 * libraries. A font's own lock lets several threads share it. Cells are placed
 * exactly as SDL2_ttf 2.20 placed TTF_RenderGlyph32_Shaded's surface (same
 * size at 72 dpi, same hinting, same baseline and width), so receipts print
 * the same dots as before; glyph cells are cached per font (direct-mapped,
 * fixed size: a miss just renders again). */
#include "escpos_font.h"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT_PT 21          /* pixels per em at 72 dpi (SDL_ttf's default) */
#define FONT_BASELINE 20    /* baseline row inside a 24-row cell */
#define CACHE_SLOTS 512     /* glyph cells kept per font */
#define CELL_MAX_W (2 * ESCPOS_CELL_W)

struct glyph_slot {
    uint32_t key;                                   /* cp << 1 | wide, 0 = empty */
    uint8_t bits[ESCPOS_CELL_H * CELL_MAX_W];       /* 1 = black */
};

struct escpos_font {
    pthread_mutex_t lock;               /* guards lib, face and cache */
    FT_Library lib;                     /* this font's own FreeType */
    FT_Face face;                       /* the face, at FONT_PT */
    int ascent;                         /* pixels above the baseline (SDL_ttf's) */
    int height;                         /* ascent + descent, rounded up */
    struct glyph_slot *cache;           /* CACHE_SLOTS cells */
};

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

/* 26.6 fixed point to whole pixels, as SDL_ttf rounds. */
static int px_floor(long v) { return (int)((v & -64) / 64); }
static int px_ceil(long v) { return px_floor(v + 63); }

int escpos_font_open(const char *path, int index, struct escpos_font **out,
                     char *err, size_t errlen)
{
    char found[1024];
    struct escpos_font *f = NULL;
    FT_Error e;

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
    if ((e = FT_Init_FreeType(&f->lib)) != 0) {
        snprintf(err, errlen, "FreeType did not start (error %d)", e);
        f->lib = NULL;
        goto fail;
    }
    if ((e = FT_New_Face(f->lib, path, index, &f->face)) != 0) {
        snprintf(err, errlen, "cannot open font %s (face %d): FreeType error %d", path, index, e);
        f->face = NULL;
        goto fail;
    }
    if (!FT_IS_SCALABLE(f->face)) {
        snprintf(err, errlen, "font %s (face %d) is not scalable", path, index);
        goto fail;
    }
    if ((e = FT_Set_Char_Size(f->face, 0, FONT_PT * 64, 72, 72)) != 0) {
        snprintf(err, errlen, "font %s cannot be sized (FreeType error %d)", path, e);
        goto fail;
    }
    FT_Fixed scale = f->face->size->metrics.y_scale;
    f->ascent = px_ceil(FT_MulFix(f->face->ascender, scale));
    f->height = px_ceil(FT_MulFix(f->face->ascender - f->face->descender, scale));
    pthread_mutex_init(&f->lock, NULL);
    *out = f;
    return 0;
fail:
    if (f) {
        if (f->face)
            FT_Done_Face(f->face);
        if (f->lib)
            FT_Done_FreeType(f->lib);
        free(f->cache);
    }
    free(f);
    return -1;
}

void escpos_font_close(struct escpos_font *f)
{
    if (!f)
        return;
    FT_Done_Face(f->face);
    FT_Done_FreeType(f->lib);
    pthread_mutex_destroy(&f->lock);
    free(f->cache);
    free(f);
}

/* Renders cp into bits (cellw x 24), with f->lock held. The glyph is hinted
 * and rendered in 8-bit gray, then laid out on the surface SDL_ttf would have
 * made for it alone: as wide as the glyph's ink or its advance, whichever
 * reaches further, as tall as the font (or the ink), the baseline at the
 * ascent; that surface is centred in the cell (or squeezed into it, as
 * printer fonts squeeze) with its baseline on FONT_BASELINE. */
static int render_cell(struct escpos_font *f, uint32_t cp, int cellw, uint8_t *bits)
{
    FT_GlyphSlot g;
    FT_UInt gi;

    memset(bits, 0, ESCPOS_CELL_H * CELL_MAX_W);
    if (cp == ' ')
        return 0;
    gi = FT_Get_Char_Index(f->face, cp);
    if (gi == 0)
        gi = FT_Get_Char_Index(f->face, '?');
    if (FT_Load_Glyph(f->face, gi, FT_LOAD_DEFAULT | FT_LOAD_TARGET_NORMAL) != 0)
        return -1;
    g = f->face->glyph;
    if (g->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(g, FT_RENDER_MODE_NORMAL) != 0)
        return -1;
    if (g->bitmap.pixel_mode != FT_PIXEL_MODE_GRAY && g->bitmap.rows > 0)
        return -1; /* only outline (gray) faces: Noto Sans CJK */
    int left = g->bitmap_left, top = g->bitmap_top;
    int gw = g->bitmap.rows ? (int)g->bitmap.width : 0, gh = gw ? (int)g->bitmap.rows : 0;
    int gy = f->ascent - top; /* the ink's top row with the baseline at ascent */
    int minx = left < 0 ? left : 0, maxx = left + gw > 0 ? left + gw : 0;
    int miny = gy < 0 ? gy : 0, maxy = gy + gh > f->height ? gy + gh : f->height;
    if (px_floor(g->advance.x) > maxx)
        maxx = px_floor(g->advance.x);
    int xstart = -minx, ystart = -miny;
    int sw = maxx - minx, sh = maxy - miny;
    int dy = FONT_BASELINE - f->ascent;
    int dx = sw <= cellw ? (cellw - sw) / 2 : 0;
    for (int y = 0; y < ESCPOS_CELL_H; y++) {
        int sy = y - dy;
        if (sy < 0 || sy >= sh)
            continue;
        int r = sy - ystart - gy; /* the bitmap's row */
        if (r < 0 || r >= gh)
            continue;
        const uint8_t *row = g->bitmap.buffer + (long)r * g->bitmap.pitch;
        for (int x = 0; x < cellw; x++) {
            int sx = sw <= cellw ? x - dx : x * sw / cellw;
            int c = sx - xstart - left; /* the bitmap's column */
            if (sx < 0 || sx >= sw || c < 0 || c >= gw)
                continue;
            if (row[c] >= 100) /* coverage 0..255 */
                bits[y * CELL_MAX_W + x] = 1;
        }
    }
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
    pthread_mutex_lock(&f->lock);
    slot = &f->cache[(cp * 2654435761u + (uint32_t)wide) % CACHE_SLOTS];
    if (slot->key != key) {
        rc = render_cell(f, cp, cellw, slot->bits);
        slot->key = rc == 0 ? key : 0;
    }
    if (rc == 0)
        memcpy(bits, slot->bits, sizeof bits);
    pthread_mutex_unlock(&f->lock);
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
