/* ui_png.c - PNG read/write and golden-image comparison with libpng's
 * simplified API (png_image), which handles every PNG colour type for us. */
#include "ui_png.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ui_png_write(const char *path, const uint8_t *rgba, int w, int h,
                 char *err, size_t errsz)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    img.format = PNG_FORMAT_RGBA;
    /* Drop alpha: write through an RGB copy. */
    uint8_t *rgb = malloc((size_t)w * (size_t)h * 3);
    if (!rgb) {
        snprintf(err, errsz, "png: out of memory");
        return -1;
    }
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        memcpy(rgb + i * 3, rgba + i * 4, 3);
    img.format = PNG_FORMAT_RGB;
    int ok = png_image_write_to_file(&img, path, 0, rgb, 0, NULL);
    free(rgb);
    if (!ok) {
        snprintf(err, errsz, "png: cannot write %s: %s", path, img.message);
        return -1;
    }
    return 0;
}

int ui_png_read(const char *path, uint8_t **out, int *w, int *h, char *err,
                size_t errsz)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    *out = NULL;
    if (!png_image_begin_read_from_file(&img, path)) {
        snprintf(err, errsz, "png: cannot read %s: %s", path, img.message);
        return -1;
    }
    if (img.width > 8192 || img.height > 8192) {
        png_image_free(&img);
        snprintf(err, errsz, "png: %s is too large", path);
        return -1;
    }
    img.format = PNG_FORMAT_RGBA;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    if (!buf) {
        png_image_free(&img);
        snprintf(err, errsz, "png: out of memory");
        return -1;
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        snprintf(err, errsz, "png: cannot decode %s: %s", path, img.message);
        free(buf);
        return -1;
    }
    *out = buf;
    *w = (int)img.width;
    *h = (int)img.height;
    return 0;
}

int ui_png_compare(const char *expected, const char *actual, int tol,
                   long max_differing, const char *diff_path,
                   struct ui_png_diff *d, char *err, size_t errsz)
{
    uint8_t *a = NULL, *b = NULL;
    int aw, ah, bw, bh, rc = -1;
    struct ui_png_diff local = {0, 0, 0};
    if (!d)
        d = &local;
    memset(d, 0, sizeof *d);
    if (ui_png_read(expected, &a, &aw, &ah, err, errsz) < 0 ||
        ui_png_read(actual, &b, &bw, &bh, err, errsz) < 0)
        goto out;
    if (aw != bw || ah != bh) {
        snprintf(err, errsz, "png: size %dx%d expected, got %dx%d", aw, ah,
                 bw, bh);
        rc = 1;
        goto out;
    }
    d->total = (long)aw * ah;
    for (long i = 0; i < d->total; i++) {
        int worst = 0;
        for (int ch = 0; ch < 3; ch++) {
            int delta = abs((int)a[i * 4 + ch] - (int)b[i * 4 + ch]);
            if (delta > worst)
                worst = delta;
        }
        if (worst > d->max_delta)
            d->max_delta = worst;
        if (worst > tol) {
            d->differing++;
            a[i * 4] = 255;
            a[i * 4 + 1] = 0;
            a[i * 4 + 2] = 0;
        } else {
            for (int ch = 0; ch < 3; ch++)
                a[i * 4 + ch] = (uint8_t)(128 + a[i * 4 + ch] / 4);
        }
    }
    rc = d->differing > max_differing ? 1 : 0;
    if (rc == 1)
        snprintf(err, errsz, "png: %ld of %ld pixels differ (max delta %d)",
                 d->differing, d->total, d->max_delta);
    if (d->differing > 0 && diff_path &&
        ui_png_write(diff_path, a, aw, ah, err, errsz) < 0)
        rc = -1;
out:
    free(a);
    free(b);
    return rc;
}
