/* escpos.h - builds an ESC/POS receipt into a capped byte buffer.
 * The builder knows paper widths and printer profiles (escpos_profile.c), turns
 * UTF-8 into GB18030 for printers with a Chinese font, and lays text out in
 * columns where a CJK character takes two. For a profile without a Chinese
 * font it draws the same cells into a 1-bit image sent as raster (GS v 0).
 * It knows nothing of what a receipt means: app/print/ does. */
#ifndef FD_ESCPOS_H
#define FD_ESCPOS_H
#include <stddef.h>
#include <stdint.h>

#include "escpos_font.h"

/* Error codes (negative), sticky in a builder once one happens. */
enum {
    ESCPOS_OK = 0,
    ESCPOS_ENOMEM = -1,   /* out of memory */
    ESCPOS_ETOOBIG = -2,  /* the receipt would pass the builder's byte cap */
    ESCPOS_EINVAL = -3,   /* bad argument (size out of range, empty QR, ...) */
    ESCPOS_EFONT = -4,    /* raster profile without a usable font */
    ESCPOS_EICONV = -5,   /* glibc has no GB18030 converter */
};

/* A printer model, as data: see the table in escpos_profile.c. */
struct escpos_profile {
    const char *name;       /* "58mm", "80mm", "58mm-raster", ... */
    int paper_mm;           /* 58 or 80 */
    int cols;               /* columns of font A (12x24 dots) per line */
    int dots;               /* printable dots per line */
    int cjk_font;           /* 1: has a GB18030 font (FS &); 0: send text as raster */
    int cutter;             /* 1: has an auto-cutter (GS V) */
    int qr;                 /* 1: understands GS ( k; 0: QR sent as raster */
    int raster_rows;        /* max rows per GS v 0 block (printer buffer) */
    int big_size;           /* magnification for "very large" text, 1..8 */
};

/* The profile named `name`, or NULL. Names are listed by escpos_profile_at. */
const struct escpos_profile *escpos_profile_find(const char *name);
/* The i-th profile of the table, or NULL past its end. */
const struct escpos_profile *escpos_profile_at(int i);

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };

struct escpos;

/* A new builder for `prof` whose output may grow to `cap` bytes (0 = 256 KiB).
 * `font` is borrowed and must outlive the builder; it is required when the
 * profile has no Chinese font or no QR support (raster), else may be NULL.
 * Returns NULL when out of memory or when iconv lacks GB18030. */
struct escpos *escpos_new(const struct escpos_profile *prof, size_t cap,
                          struct escpos_font *font);
void escpos_free(struct escpos *e);

/* Each call below appends commands and returns 0 or the builder's sticky
 * error (negative): after the first failure, later calls do nothing, so a
 * receipt is built with plain calls and checked once with escpos_error(). */
int escpos_init(struct escpos *e);                       /* ESC @ */
int escpos_align(struct escpos *e, enum escpos_align a); /* ESC a n */
int escpos_bold(struct escpos *e, int on);               /* ESC E n */
int escpos_size(struct escpos *e, int w, int h);         /* GS ! n, 1..8 each */
/* Prints `utf8` as one paragraph ending in a line feed, wrapped at the
 * line's width in columns (a CJK character counts two). '\n' breaks lines;
 * tabs become spaces; control, bidi-format and invalid bytes are dropped or
 * become '?', and characters the printer's font lacks (outside GB18030's
 * one- and two-byte forms: emoji, RTL scripts, ...) become '?'. At most
 * 4096 bytes of `utf8` are read: a longer text is cut there. */
int escpos_text(struct escpos *e, const char *utf8);
/* One line with `left` flush left and `right` flush right (columns); when
 * both do not fit, left is printed, then right on its own line. */
int escpos_pair(struct escpos *e, const char *left, const char *right);
/* A full line of `ch` (ASCII). */
int escpos_rule(struct escpos *e, char ch);
/* A QR code holding `data` (1..512 bytes), modules of `module` dots (1..16),
 * error correction M. Native GS ( k, or raster when the profile lacks QR. */
int escpos_qr(struct escpos *e, const char *data, int module);
/* A CODE128 barcode (code set B) of printable ASCII `data` (1..40 chars),
 * `height` dots, human-readable text below. */
int escpos_barcode(struct escpos *e, const char *data, int height);
int escpos_feed(struct escpos *e, int lines);            /* ESC d n */
/* Feeds past the tear bar and cuts (GS V 66 0) at a line start; on a
 * printer without cutter only feeds. */
int escpos_cut(struct escpos *e);
/* Appends raw bytes (for status requests and tests). */
int escpos_raw(struct escpos *e, const void *bytes, size_t len);

/* The sticky error, 0 when every call so far succeeded. */
int escpos_error(const struct escpos *e);
/* The bytes built so far (owned by the builder) and their count. */
const uint8_t *escpos_bytes(const struct escpos *e, size_t *len);
/* The profile the builder was made for. */
const struct escpos_profile *escpos_profile(const struct escpos *e);

/* Width in columns of `utf8` as the builder prints it (CJK = 2), for layout.
 * Returns -1 when iconv is unavailable. */
int escpos_columns(const char *utf8);

/* How many characters of `utf8` the builder leaves out because the text
 * policy (lib/fdtext) refuses them (malformed bytes print as '?', variation
 * selectors are left out without counting: they draw nothing alone). 0 for
 * any text core accepted. */
int escpos_dropped(const char *utf8);

/* Human text for an ESCPOS_E* code. */
const char *escpos_strerror(int rc);

#endif
