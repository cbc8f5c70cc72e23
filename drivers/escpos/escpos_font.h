/* escpos_font.h - dot images for receipts: a 1-bit bitmap, printer-like glyph
 * cells drawn with FreeType (Noto Sans CJK via fontconfig or a path), and QR
 * codes drawn with libqrencode. Used by the encoder for printers without a
 * Chinese font and by the virtual printer, so both draw the same dots. */
#ifndef FD_ESCPOS_FONT_H
#define FD_ESCPOS_FONT_H
#include <stddef.h>
#include <stdint.h>

/* Base glyph cell of font A: 12x24 dots (ASCII), 24x24 (CJK). */
#define ESCPOS_CELL_W 12
#define ESCPOS_CELL_H 24
#define ESCPOS_BITMAP_MAX_ROWS 20000 /* ~2.5 m of paper at 8 dots/mm */

/* One byte per dot, 1 = black. Rows grow on demand up to the cap. */
struct escpos_bitmap {
    int w;          /* dots per row */
    int h;          /* rows in use */
    int rows_alloc; /* rows allocated */
    uint8_t *px;    /* w * rows_alloc bytes */
};

/* Makes room for rows [0, h) (zeroed). Returns 0, or -1 past the cap or out
 * of memory. */
int escpos_bitmap_reserve(struct escpos_bitmap *bm, int h);
void escpos_bitmap_free(struct escpos_bitmap *bm);
/* Packs rows [y0, y0+n) into GS v 0 order (MSB first, ceil(w/8) per row). */
void escpos_bitmap_pack(const struct escpos_bitmap *bm, int y0, int n, uint8_t *out);

struct escpos_font;

/* Opens the font at `path` (face `index`), or when `path` is NULL or empty
 * the face fontconfig matches for "Noto Sans CJK SC". Returns 0 and *out, or
 * -1 with a sentence in `err`. Safe to call from any thread, beside the UI's
 * SDL_ttf: each font has its own FreeType library, and a lock of its own, so
 * one font may also be drawn with from several threads. */
int escpos_font_open(const char *path, int index, struct escpos_font **out,
                     char *err, size_t errlen);
void escpos_font_close(struct escpos_font *f);

/* Draws code point `cp` as a cell of (wide ? 24 : 12) x 24 dots magnified
 * `mw` x `mh` with its top-left at (x, y); `bold` thickens strokes like a
 * printer's emphasized mode. Dots outside the bitmap are clipped. Returns 0
 * or -1 when the glyph cannot be rendered (the cell stays blank). */
int escpos_font_draw(struct escpos_font *f, struct escpos_bitmap *bm, int x,
                     int y, uint32_t cp, int wide, int mw, int mh, int bold);

/* Draws a QR code of `data` (`len` bytes, 8-bit mode, ECC level `ecc` 0..3 =
 * L/M/Q/H) with `module` dots per module, a quiet zone of 4 modules, at row
 * `y`, horizontally placed by `align` (0 left, 1 center, 2 right). Sets
 * *height to the rows used. Returns 0 or -1 (data too long, out of memory). */
int escpos_draw_qr(struct escpos_bitmap *bm, int y, int align, const void *data,
                   size_t len, int module, int ecc, int *height);

#endif
