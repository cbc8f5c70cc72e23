/* vprn.h - the virtual printer: interprets the ESC/POS subset that
 * drivers/escpos emits (text in GB18030 or ASCII, sizes, bold, alignment,
 * QR, CODE128, raster images, feeds, cuts) and draws the paper as a PNG.
 * Used as the demo printer, for previews in the staff console and in tests.
 * It never trusts its input: any byte string is interpreted without reading
 * past its end, and the paper is capped at ESCPOS_BITMAP_MAX_ROWS. */
#ifndef FD_VPRN_H
#define FD_VPRN_H
#include <stddef.h>
#include <stdint.h>

#include "escpos_font.h"

struct vprn;

/* A new blank roll `dots` wide (384 or 576; 64..2048 accepted). `font` is
 * borrowed (NULL: glyphs are drawn as boxes). NULL when out of memory. */
struct vprn *vprn_new(int dots, struct escpos_font *font);
void vprn_free(struct vprn *v);

/* Interprets `len` bytes (a whole job; a command cut off at the end is
 * dropped). Returns 0, or -1 when the paper cap was reached (the rest is
 * ignored). */
int vprn_feed(struct vprn *v, const void *bytes, size_t len);

/* What was printed as UTF-8 text, one line per printed line, with "[QR:...]",
 * "[BARCODE:...]", "[IMAGE WxH]" and "[CUT]" markers. Owned by v; capped at
 * 64 KiB (later text is dropped). */
const char *vprn_text(const struct vprn *v);

/* Counters for tests. */
int vprn_cuts(const struct vprn *v);
int vprn_rows(const struct vprn *v);
/* The i-th QR payload printed (NUL-terminated, owned by v), or NULL. */
const char *vprn_qr(const struct vprn *v, int i);

/* Writes the paper so far as an 8-bit grayscale PNG (white paper, black
 * dots, a grey line where it was cut). Returns 0 or -1 with `err` set. */
int vprn_write_png(const struct vprn *v, const char *path, char *err, size_t errlen);

#endif
