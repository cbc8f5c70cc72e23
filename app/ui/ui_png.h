/* ui_png.h - PNG files for screenshots and golden-image tests (libpng).
 * Pixels are 8-bit RGBA, row after row, no padding. No SDL here, so the
 * golden comparison can be used by any test program (tools/shot/pngdiff). */
#ifndef UI_PNG_H
#define UI_PNG_H
#include <stddef.h>
#include <stdint.h>

/* Writes w*h RGBA pixels to path as an RGB PNG (alpha dropped: screens are
 * opaque). Returns 0, or -1 with a message in err. */
int ui_png_write(const char *path, const uint8_t *rgba, int w, int h,
                 char *err, size_t errsz);

/* Reads path into a new RGBA buffer (*out, free() it) of *w x *h. Images over
 * 8192 pixels a side are refused. Returns 0, or -1 with a message in err. */
int ui_png_read(const char *path, uint8_t **out, int *w, int *h, char *err,
                size_t errsz);

struct ui_png_diff {
    long differing;   /* pixels where some channel differs by more than tol */
    int max_delta;    /* largest channel difference seen */
    long total;       /* pixels compared */
};

/* Compares two PNG files. A pixel differs when any RGB channel differs by
 * more than tol. When diff_path is set and some pixel differs, writes an
 * image there: the expected image dimmed, differing pixels in red. Returns 0
 * when the sizes match and at most max_differing pixels differ, 1 when they
 * do not (sizes differ or too many pixels), -1 on an I/O error (err says). */
int ui_png_compare(const char *expected, const char *actual, int tol,
                   long max_differing, const char *diff_path,
                   struct ui_png_diff *d, char *err, size_t errsz);

#endif
