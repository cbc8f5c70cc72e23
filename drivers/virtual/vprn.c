/* vprn.c - the virtual printer (see vprn.h): a small ESC/POS interpreter
 * with the print model of an Epson-style 203 dpi printer (font A 12x24,
 * line spacing 30 dots, GS ! magnification, auto-wrap at the paper edge),
 * drawing into an escpos_bitmap and writing it with libpng. CODE128 bars
 * are drawn from the standard pattern table: libqrencode has no 1-D codes
 * and Debian has no small CODE128 library, so the 107 patterns live here. */
#include "vprn.h"

#include <iconv.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CELLS 256   /* cells in one printed line (auto-wrap first) */
#define TEXT_CAP (64 * 1024) /* transcript bytes */
#define QR_MAX 16            /* QR payloads remembered */
#define QR_DATA_MAX 7089     /* QR capacity in 8-bit mode */
#define CUTS_MAX 64          /* cut marks remembered */
#define MARGIN 16            /* grey border around the paper in the PNG */

struct vcell {
    uint32_t cp;           /* code point drawn */
    uint8_t wide;          /* 24 dots wide (CJK) */
    uint8_t w, h, bold;    /* magnification and emphasis when received */
};

struct vprn {
    struct escpos_bitmap bm;     /* the paper */
    int y;                       /* next row to print on */
    struct escpos_font *font;    /* borrowed, may be NULL */
    iconv_t cd;                  /* GB18030 -> UTF-32LE */
    int align, bold, w, h, cjk;  /* print mode */
    int spacing;                 /* line spacing, dots */
    struct vcell line[LINE_MAX_CELLS]; /* the line being received */
    int nline, line_dots, line_align;
    char *text;                  /* transcript */
    size_t tlen;
    int cuts;                    /* number of cuts */
    int cut_rows[CUTS_MAX];      /* rows where the paper was cut */
    char *qr[QR_MAX];            /* QR payloads printed */
    int nqr;
    uint8_t qr_data[QR_DATA_MAX];/* GS ( k stored symbol data */
    size_t qr_len;
    int qr_module, qr_ecc;
    int bc_h, bc_w, bc_hri;      /* barcode height, module, HRI position */
    int full;                    /* paper cap reached */
};

struct vprn *vprn_new(int dots, struct escpos_font *font)
{
    struct vprn *v;

    if (dots < 64 || dots > 2048)
        return NULL;
    v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->text = malloc(TEXT_CAP + 1);
    v->cd = iconv_open("UTF-32LE", "GB18030");
    if (!v->text || v->cd == (iconv_t)-1) {
        if (v->cd != (iconv_t)-1)
            iconv_close(v->cd);
        free(v->text);
        free(v);
        return NULL;
    }
    v->text[0] = 0;
    v->bm.w = dots;
    v->font = font;
    v->w = v->h = 1;
    v->spacing = 30;
    v->qr_module = 3;
    v->qr_ecc = 1;
    v->bc_h = 162;
    v->bc_w = 3;
    return v;
}

void vprn_free(struct vprn *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->nqr; i++)
        free(v->qr[i]);
    escpos_bitmap_free(&v->bm);
    iconv_close(v->cd);
    free(v->text);
    free(v);
}

const char *vprn_text(const struct vprn *v) { return v->text; }
int vprn_cuts(const struct vprn *v) { return v->cuts; }
int vprn_rows(const struct vprn *v) { return v->y; }
const char *vprn_qr(const struct vprn *v, int i)
{
    return i >= 0 && i < v->nqr ? v->qr[i] : NULL;
}

static void text_add(struct vprn *v, const char *s, size_t n)
{
    if (n > TEXT_CAP - v->tlen)
        n = TEXT_CAP - v->tlen;
    memcpy(v->text + v->tlen, s, n);
    v->tlen += n;
    v->text[v->tlen] = 0;
}

static void text_cp(struct vprn *v, uint32_t c)
{
    char b[4];
    size_t n;
    if (c < 0x80) { b[0] = (char)c; n = 1; }
    else if (c < 0x800) { b[0] = (char)(0xC0 | c >> 6); b[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) { b[0] = (char)(0xE0 | c >> 12); b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                            b[2] = (char)(0x80 | (c & 0x3F)); n = 3; }
    else { b[0] = (char)(0xF0 | c >> 18); b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
           b[2] = (char)(0x80 | ((c >> 6) & 0x3F)); b[3] = (char)(0x80 | (c & 0x3F)); n = 4; }
    text_add(v, b, n);
}

/* Makes room for `rows` more rows below v->y; sets v->full at the cap. */
static int room(struct vprn *v, int rows)
{
    if (v->full || escpos_bitmap_reserve(&v->bm, v->y + rows) != 0) {
        v->full = 1;
        return -1;
    }
    return 0;
}

static int align_x(struct vprn *v, int align, int width)
{
    int x = align == 1 ? (v->bm.w - width) / 2 : align == 2 ? v->bm.w - width : 0;
    return x < 0 ? 0 : x;
}

/* Prints the received line (LF, wrap or a command that prints the buffer). */
static void line_flush(struct vprn *v, int lf)
{
    int maxh = 0, x;

    if (v->nline == 0) {
        if (lf && room(v, v->spacing) == 0)
            v->y += v->spacing;
        if (lf)
            text_add(v, "\n", 1);
        return;
    }
    for (int i = 0; i < v->nline; i++)
        if (v->line[i].h * ESCPOS_CELL_H > maxh)
            maxh = v->line[i].h * ESCPOS_CELL_H;
    int lineh = maxh > v->spacing ? maxh : v->spacing;
    if (room(v, lineh) == 0) {
        x = align_x(v, v->line_align, v->line_dots);
        for (int i = 0; i < v->nline; i++) {
            struct vcell *c = &v->line[i];
            int cw = (c->wide ? 2 : 1) * ESCPOS_CELL_W * c->w;
            int cy = v->y + maxh - c->h * ESCPOS_CELL_H;
            if (v->font) {
                escpos_font_draw(v->font, &v->bm, x, cy, c->cp, c->wide, c->w, c->h, c->bold);
            } else if (c->cp != ' ') { /* no font: a box per glyph */
                for (int yy = cy + 2; yy < cy + c->h * ESCPOS_CELL_H - 2; yy++)
                    for (int xx = x + 1; xx < x + cw - 1 && xx < v->bm.w; xx++)
                        v->bm.px[(size_t)yy * (size_t)v->bm.w + (size_t)xx] = 1;
            }
            x += cw;
        }
        v->y += lineh;
    }
    for (int i = 0; i < v->nline; i++)
        text_cp(v, v->line[i].cp);
    text_add(v, "\n", 1);
    v->nline = 0;
    v->line_dots = 0;
}

static void put_char(struct vprn *v, uint32_t cp, int wide)
{
    int cw = (wide ? 2 : 1) * ESCPOS_CELL_W * v->w;

    if (v->nline > 0 && (v->line_dots + cw > v->bm.w || v->nline == LINE_MAX_CELLS))
        line_flush(v, 0); /* auto-wrap, like the printer */
    if (cw > v->bm.w)
        return;
    if (v->nline == 0)
        v->line_align = v->align;
    v->line[v->nline++] = (struct vcell){cp, (uint8_t)wide, (uint8_t)v->w,
                                         (uint8_t)v->h, (uint8_t)v->bold};
    v->line_dots += cw;
}

static void cut(struct vprn *v)
{
    line_flush(v, 0);
    if (room(v, 48) != 0)
        return;
    v->y += 24;
    if (v->cuts < CUTS_MAX)
        v->cut_rows[v->cuts] = v->y;
    v->cuts++;
    v->y += 24;
    text_add(v, "[CUT]\n", 6);
}

static void raster(struct vprn *v, int m, int xb, int rows, const uint8_t *d)
{
    int sx = (m & 1) + 1, sy = ((m >> 1) & 1) + 1;
    int width = xb * 8 * sx, x0;
    char tag[48];

    line_flush(v, 0);
    if (room(v, rows * sy) != 0)
        return;
    x0 = align_x(v, v->align, width);
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < xb * 8; x++) {
            if (!(d[y * xb + x / 8] & (0x80 >> (x % 8))))
                continue;
            for (int j = 0; j < sy; j++)
                for (int i = 0; i < sx; i++) {
                    int px = x0 + x * sx + i;
                    if (px < v->bm.w)
                        v->bm.px[(size_t)(v->y + y * sy + j) * (size_t)v->bm.w + (size_t)px] = 1;
                }
        }
    v->y += rows * sy;
    snprintf(tag, sizeof tag, "[IMAGE %dx%d]\n", xb * 8, rows);
    text_add(v, tag, strlen(tag));
}

static void qr_print(struct vprn *v)
{
    int h;

    line_flush(v, 0);
    if (v->qr_len == 0 || room(v, 0) != 0)
        return;
    if (escpos_draw_qr(&v->bm, v->y, v->align, v->qr_data, v->qr_len, v->qr_module,
                       v->qr_ecc, &h) != 0) {
        v->full = v->full || v->y > ESCPOS_BITMAP_MAX_ROWS / 2;
        return;
    }
    v->y += h;
    if (v->nqr < QR_MAX) {
        char *s = malloc(v->qr_len + 1);
        if (s) {
            memcpy(s, v->qr_data, v->qr_len);
            s[v->qr_len] = 0;
            v->qr[v->nqr++] = s;
        }
    }
    text_add(v, "[QR:", 4);
    text_add(v, (const char *)v->qr_data, strnlen((const char *)v->qr_data, v->qr_len));
    text_add(v, "]\n", 2);
}

/* CODE128 bar/space widths for values 0..105, then the stop pattern. */
static const char *const c128[] = {
    "212222","222122","222221","121223","121322","131222","122213","122312","132212","221213",
    "221312","231212","112232","122132","122231","113222","123122","123221","223211","221132",
    "221231","213212","223112","312131","311222","321122","321221","312212","322112","322211",
    "212123","212321","232121","111323","131123","131321","112313","132113","132311","211313",
    "231113","231311","112133","112331","132131","113123","113321","133121","313121","211331",
    "231131","213113","213311","213131","311123","311321","331121","312113","312311","332111",
    "314111","221411","431111","111224","111422","121124","121421","141122","141221","112214",
    "112412","122114","122411","142112","142211","241211","221114","413111","241112","134111",
    "111242","121142","121241","114212","124112","124211","411212","421112","421211","212141",
    "214121","412121","111143","111341","131141","114113","114311","411113","411311","113141",
    "114131","311141","411131","211412","211214","211232","2331112"};

static void barcode(struct vprn *v, int m, const uint8_t *d, size_t n)
{
    char hri[64];
    int vals[48], nv = 0, modules, x, mw = v->bc_w < 1 ? 1 : v->bc_w > 6 ? 6 : v->bc_w;
    size_t k = 0;

    line_flush(v, 0);
    if (m != 73 || n < 3 || d[0] != '{' || d[1] != 'B') {
        text_add(v, "[BARCODE?]\n", 11);
        return;
    }
    vals[nv++] = 104; /* start B */
    for (size_t i = 2; i < n && nv < 46 && k < sizeof hri - 1; i++) {
        uint8_t c = d[i];
        if (c == '{' && i + 1 < n && d[i + 1] == '{')
            i++;
        else if (c == '{' || c < 0x20 || c > 0x7F)
            break; /* code set switches are not used by the encoder */
        vals[nv++] = c - 32;
        hri[k++] = (char)c;
    }
    hri[k] = 0;
    int sum = vals[0];
    for (int i = 1; i < nv; i++)
        sum += i * vals[i];
    vals[nv++] = sum % 103;
    vals[nv++] = 106;
    modules = (nv - 1) * 11 + 13;
    int height = v->bc_h < 1 ? 1 : v->bc_h;
    if (room(v, height + 30) != 0)
        return;
    x = align_x(v, v->align, modules * mw);
    for (int i = 0; i < nv; i++) {
        const char *p = c128[vals[i]];
        for (int e = 0; p[e]; e++) {
            int wdots = (p[e] - '0') * mw;
            if (e % 2 == 0)
                for (int yy = 0; yy < height; yy++)
                    for (int xx = x; xx < x + wdots && xx < v->bm.w; xx++)
                        v->bm.px[(size_t)(v->y + yy) * (size_t)v->bm.w + (size_t)xx] = 1;
            x += wdots;
        }
    }
    v->y += height;
    text_add(v, "[BARCODE:", 9);
    text_add(v, hri, k);
    text_add(v, "]\n", 2);
    if (v->bc_hri == 2 || v->bc_hri == 50) { /* human-readable text below */
        int sw = v->w, sh = v->h, sb = v->bold, sa = v->align;
        v->w = v->h = 1;
        v->bold = 0;
        for (size_t i = 0; i < k; i++)
            put_char(v, (uint8_t)hri[i], 0);
        size_t before = v->tlen;
        line_flush(v, 1);
        v->tlen = before; /* the HRI is already in the transcript */
        v->text[v->tlen] = 0;
        v->w = sw; v->h = sh; v->bold = sb; v->align = sa;
    }
}

/* Decodes one GB18030 character at d (n bytes available); returns bytes used
 * (0 when cut off) and the code point, '?' when invalid. */
static size_t gb_char(struct vprn *v, const uint8_t *d, size_t n, uint32_t *cp)
{
    size_t need = (n >= 2 && d[1] >= 0x30 && d[1] <= 0x39) ? 4 : 2;
    uint8_t out[8];
    char *ip = (char *)d, *op = (char *)out;
    size_t il = need, ol = sizeof out;

    if (n < need)
        return 0;
    *cp = '?';
    iconv(v->cd, NULL, NULL, NULL, NULL);
    if (iconv(v->cd, &ip, &il, &op, &ol) != (size_t)-1 && op - (char *)out == 4) {
        uint32_t c = (uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 |
                     (uint32_t)out[3] << 24;
        if (c >= 0x20 && c <= 0x10FFFF)
            *cp = c;
    }
    return need;
}

int vprn_feed(struct vprn *v, const void *bytes, size_t len)
{
    const uint8_t *d = bytes;
    size_t i = 0;

#define NEED(k) do { if (len - i < (size_t)(k)) goto done; } while (0)
    while (i < len && !v->full) {
        uint8_t b = d[i];
        if (b == '\n') {
            line_flush(v, 1);
            i++;
        } else if (b == 0x1b) {
            NEED(2);
            uint8_t c = d[i + 1];
            if (c == '@') {
                v->align = v->bold = v->cjk = 0;
                v->w = v->h = 1;
                v->spacing = 30;
                v->nline = v->line_dots = 0;
                i += 2;
            } else if (c == '2') {
                v->spacing = 30;
                i += 2;
            } else {
                NEED(3);
                uint8_t n = d[i + 2];
                switch (c) {
                case 'a': v->align = (n & 3) == 3 ? 0 : n & 3; break;
                case 'E': v->bold = n & 1; break;
                case '!': v->w = n & 0x20 ? 2 : 1; v->h = n & 0x10 ? 2 : 1; v->bold = !!(n & 8); break;
                case 'd': line_flush(v, 0); if (room(v, n * v->spacing) == 0) v->y += n * v->spacing; break;
                case 'J': line_flush(v, 0); if (room(v, n) == 0) v->y += n; break;
                case '3': v->spacing = n; break;
                default: break; /* ESC - / M / t / R / G ...: one parameter, no effect here */
                }
                i += 3;
            }
        } else if (b == 0x1c) {
            NEED(2);
            uint8_t c = d[i + 1];
            if (c == '&') { v->cjk = 1; i += 2; }
            else if (c == '.') { v->cjk = 0; i += 2; }
            else if (c == '!' || c == 'C' || c == 'W' || c == '-') { NEED(3); i += 3; }
            else i += 2;
        } else if (b == 0x1d) {
            NEED(2);
            uint8_t c = d[i + 1];
            if (c == 'v') {
                NEED(8);
                int m = d[i + 3] & 3;
                int xb = d[i + 4] | d[i + 5] << 8, rows = d[i + 6] | d[i + 7] << 8;
                size_t sz = (size_t)xb * (size_t)rows;
                NEED(8 + sz);
                if (d[i + 2] == '0' || d[i + 2] == 0)
                    raster(v, m, xb, rows, d + i + 8);
                i += 8 + sz;
            } else if (c == '(') {
                NEED(5);
                size_t k = d[i + 3] | (size_t)d[i + 4] << 8;
                NEED(5 + k);
                const uint8_t *p = d + i + 5;
                if (d[i + 2] == 'k' && k >= 3 && p[0] == 49) {
                    if (p[1] == 67) v->qr_module = p[2] < 1 ? 1 : p[2] > 16 ? 16 : p[2];
                    else if (p[1] == 69) v->qr_ecc = p[2] >= 48 && p[2] <= 51 ? p[2] - 48 : 1;
                    else if (p[1] == 80) {
                        v->qr_len = k - 3 > QR_DATA_MAX ? QR_DATA_MAX : k - 3;
                        memcpy(v->qr_data, p + 3, v->qr_len);
                    } else if (p[1] == 81) qr_print(v);
                }
                i += 5 + k;
            } else if (c == 'k') {
                NEED(3);
                uint8_t m = d[i + 2];
                if (m <= 6) { /* NUL-terminated data */
                    size_t j = i + 3;
                    while (j < len && d[j])
                        j++;
                    NEED(j - i + 1);
                    barcode(v, m, d + i + 3, j - i - 3);
                    i = j + 1;
                } else {
                    NEED(4);
                    size_t n = d[i + 3];
                    NEED(4 + n);
                    barcode(v, m, d + i + 4, n);
                    i += 4 + n;
                }
            } else if (c == 'V') {
                NEED(3);
                uint8_t m = d[i + 2];
                if (m == 65 || m == 66) { NEED(4); i += 4; } else i += 3;
                cut(v);
            } else if (c == 'L' || c == 'W') {
                NEED(4);
                i += 4;
            } else {
                NEED(3);
                uint8_t n = d[i + 2];
                if (c == '!') { v->w = (n >> 4 & 7) + 1; v->h = (n & 7) + 1; }
                else if (c == 'h') v->bc_h = n;
                else if (c == 'w') v->bc_w = n;
                else if (c == 'H') v->bc_hri = n;
                i += 3; /* GS B / a / r / I / f ...: one parameter */
            }
        } else if (b == 0x10) {
            NEED(3);
            i += d[i + 1] == 0x14 ? 5 : 3; /* DLE EOT n, DLE ENQ n, DLE DC4 fn m t */
            if (i > len)
                i = len;
        } else if (b == '\t') {
            put_char(v, ' ', 0);
            i++;
        } else if (b >= 0x20 && b < 0x7F) {
            put_char(v, b, 0);
            i++;
        } else if (b >= 0x81 && b <= 0xFE && v->cjk) {
            uint32_t cp;
            size_t n = gb_char(v, d + i, len - i, &cp);
            if (n == 0)
                goto done;
            put_char(v, cp, 1);
            i += n;
        } else if (b >= 0x80) {
            put_char(v, '?', 0); /* code page character: not drawn here */
            i++;
        } else {
            i++; /* other controls: ignored */
        }
    }
done:
#undef NEED
    line_flush(v, 0);
    return v->full ? -1 : 0;
}

int vprn_write_png(const struct vprn *v, const char *path, char *err, size_t errlen)
{
    FILE *fp = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    uint8_t *row = NULL;
    int W = v->bm.w + 2 * MARGIN, H = v->y + 2 * MARGIN;
    volatile int rc = -1; /* set after setjmp */

    fp = fopen(path, "wb");
    if (!fp) {
        snprintf(err, errlen, "cannot write %s: %m", path);
        return -1;
    }
    row = malloc((size_t)W);
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!row || !info) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (setjmp(png_jmpbuf(png))) {
        snprintf(err, errlen, "libpng failed writing %s", path);
        goto out;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)W, (png_uint_32)H, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < H; y++) {
        int py = y - MARGIN, is_cut = 0;
        for (int c = 0; c < v->cuts && c < CUTS_MAX; c++)
            is_cut |= v->cut_rows[c] == py;
        memset(row, 200, (size_t)W);
        if (py >= 0 && py < v->y) {
            for (int x = 0; x < v->bm.w; x++) {
                uint8_t dot = py < v->bm.h ? v->bm.px[(size_t)py * (size_t)v->bm.w + (size_t)x] : 0;
                row[MARGIN + x] = dot ? 0 : 255;
            }
            if (is_cut)
                for (int x = 0; x < W; x += 8)
                    memset(row + x, 120, (size_t)(W - x < 4 ? W - x : 4));
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    rc = 0;
out:
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(fp) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write %s", path);
        rc = -1;
    }
    return rc;
}
