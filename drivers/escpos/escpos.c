/* escpos.c - the ESC/POS receipt builder (see escpos.h).
 * Text goes through one pipeline: UTF-8 is decoded strictly, what the one
 * text policy refuses (lib/fdtext) is dropped, every code point is converted to
 * GB18030 with glibc iconv and kept only when the printer's font has it (a
 * one-byte ASCII or a two-byte GBK form), so no text byte can ever be read
 * by the printer as a command (GBK bytes are all >= 0x40). Lines are cells of
 * one or two columns; native profiles send their bytes, raster profiles draw
 * the same cells with escpos_font and send GS v 0 strips. */
#include "escpos.h"

#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "fdtext.h"

#define DEFAULT_CAP (256u * 1024u)
#define MAX_CAP (4u * 1024u * 1024u)
#define MAX_TEXT 4096        /* bytes of UTF-8 per escpos_text call */
#define LINE_DOTS 30         /* default line spacing (ESC 2) in dots */

struct cell {
    uint32_t cp;   /* what is printed (after replacement) */
    uint8_t gb[2]; /* its GB18030 bytes */
    uint8_t n;     /* bytes = columns: 1 or 2 */
};

struct escpos {
    const struct escpos_profile *prof; /* borrowed, static table */
    struct escpos_font *font;          /* borrowed; raster text and QR */
    uint8_t *buf;                      /* output */
    size_t len;                        /* bytes used */
    size_t alloc;                      /* bytes allocated */
    size_t cap;                        /* most bytes allowed */
    int err;                           /* sticky error */
    iconv_t cd;                        /* UTF-8 -> GB18030 */
    int align, bold, w, h;             /* current print mode */
};

static int put(struct escpos *e, const void *p, size_t n)
{
    if (e->err)
        return e->err;
    if (n > e->cap - e->len) {
        e->err = ESCPOS_ETOOBIG;
        return e->err;
    }
    if (e->len + n > e->alloc) {
        size_t a = e->alloc ? e->alloc : 1024;
        while (a < e->len + n)
            a *= 2;
        if (a > e->cap)
            a = e->cap;
        uint8_t *b = realloc(e->buf, a);
        if (!b) {
            e->err = ESCPOS_ENOMEM;
            return e->err;
        }
        e->buf = b;
        e->alloc = a;
    }
    memcpy(e->buf + e->len, p, n);
    e->len += n;
    return 0;
}

static int put3(struct escpos *e, uint8_t a, uint8_t b, uint8_t c)
{
    uint8_t s[3] = {a, b, c};
    return put(e, s, 3);
}

struct escpos *escpos_new(const struct escpos_profile *prof, size_t cap,
                          struct escpos_font *font)
{
    struct escpos *e;

    if (!prof)
        return NULL;
    e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->prof = prof;
    e->font = font;
    e->cap = cap == 0 ? DEFAULT_CAP : cap > MAX_CAP ? MAX_CAP : cap;
    e->w = e->h = 1;
    e->cd = iconv_open("GB18030", "UTF-8");
    if (e->cd == (iconv_t)-1) {
        free(e);
        return NULL;
    }
    if ((!prof->cjk_font || !prof->qr) && !font)
        e->err = ESCPOS_EFONT;
    return e;
}

void escpos_free(struct escpos *e)
{
    if (!e)
        return;
    iconv_close(e->cd);
    free(e->buf);
    free(e);
}

int escpos_error(const struct escpos *e) { return e->err; }

const uint8_t *escpos_bytes(const struct escpos *e, size_t *len)
{
    *len = e->len;
    return e->buf;
}

const struct escpos_profile *escpos_profile(const struct escpos *e) { return e->prof; }

const char *escpos_strerror(int rc)
{
    switch (rc) {
    case ESCPOS_OK: return "ok";
    case ESCPOS_ENOMEM: return "out of memory";
    case ESCPOS_ETOOBIG: return "receipt larger than the builder's cap";
    case ESCPOS_EINVAL: return "invalid argument";
    case ESCPOS_EFONT: return "raster profile needs a font (Noto Sans CJK)";
    case ESCPOS_EICONV: return "iconv has no GB18030";
    default: return "unknown error";
    }
}

int escpos_init(struct escpos *e)
{
    e->align = 0;
    e->bold = 0;
    e->w = e->h = 1;
    return put(e, "\x1b@", 2);
}

int escpos_align(struct escpos *e, enum escpos_align a)
{
    if (a < ESCPOS_LEFT || a > ESCPOS_RIGHT)
        return e->err ? e->err : (e->err = ESCPOS_EINVAL);
    e->align = (int)a;
    return put3(e, 0x1b, 'a', (uint8_t)a);
}

int escpos_bold(struct escpos *e, int on)
{
    e->bold = on ? 1 : 0;
    return put3(e, 0x1b, 'E', (uint8_t)e->bold);
}

int escpos_size(struct escpos *e, int w, int h)
{
    if (w < 1 || w > 8 || h < 1 || h > 8)
        return e->err ? e->err : (e->err = ESCPOS_EINVAL);
    e->w = w;
    e->h = h;
    return put3(e, 0x1d, '!', (uint8_t)((w - 1) << 4 | (h - 1)));
}

int escpos_raw(struct escpos *e, const void *bytes, size_t len)
{
    return put(e, bytes, len);
}

/* Strict UTF-8 decoding (lib/fdtext): returns the code point at *s and
 * advances, or U+FFFD for a malformed sequence (advancing one byte). */
static uint32_t utf8_next(const unsigned char **s, const unsigned char *end)
{
    uint32_t c;
    int n = fdtext_decode((const char *)*s, (size_t)(end - *s), &c);
    if (n <= 0) {
        *s += 1;
        return 0xFFFD;
    }
    *s += n;
    return c;
}

/* Characters that are never printed: what the one text policy refuses
 * (controls, invisible formatting that could reorder or hide text, private
 * use, unassigned), and variation selectors, which only pick a glyph the
 * printer's font cannot. Core refuses the same set, so nothing a visitor was
 * allowed to type is lost on paper. */
static int cp_dropped(uint32_t c)
{
    enum fdtext_class k = fdtext_class(c);
    return k == FDTEXT_REFUSED || k == FDTEXT_SELECTOR;
}

int escpos_dropped(const char *utf8)
{
    size_t len = strnlen(utf8, MAX_TEXT);
    const unsigned char *s = (const unsigned char *)utf8, *end = s + len;
    int n = 0;
    while (s < end) {
        uint32_t cp = utf8_next(&s, end);
        if (cp == '\n' || cp == '\t')
            continue; /* a line break; a space */
        if (cp_dropped(cp) && fdtext_class(cp) != FDTEXT_SELECTOR)
            n++;
    }
    return n;
}

/* Fills *out for code point c: its GB18030 form when the printer's font has
 * it (ASCII, or two bytes lead 0x81-0xFE, trail 0x40-0xFE but 0x7F), else '?'. */
static void cell_make(iconv_t cd, uint32_t c, struct cell *out)
{
    char in[4], gb[8];
    char *ip = in, *op = gb;
    size_t il, ol = sizeof gb;

    out->cp = '?';
    out->gb[0] = '?';
    out->n = 1;
    if (c >= 0x20 && c < 0x7F) {
        out->cp = c;
        out->gb[0] = (uint8_t)c;
        return;
    }
    if (c < 0x800) { in[0] = (char)(0xC0 | c >> 6); in[1] = (char)(0x80 | (c & 0x3F)); il = 2; }
    else if (c < 0x10000) { in[0] = (char)(0xE0 | c >> 12); in[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                            in[2] = (char)(0x80 | (c & 0x3F)); il = 3; }
    else { in[0] = (char)(0xF0 | c >> 18); in[1] = (char)(0x80 | ((c >> 12) & 0x3F));
           in[2] = (char)(0x80 | ((c >> 6) & 0x3F)); in[3] = (char)(0x80 | (c & 0x3F)); il = 4; }
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || op - gb != 2)
        return;
    uint8_t b0 = (uint8_t)gb[0], b1 = (uint8_t)gb[1];
    if (b0 < 0x81 || b0 > 0xFE || b1 < 0x40 || b1 > 0xFE || b1 == 0x7F)
        return;
    out->cp = c;
    out->gb[0] = b0;
    out->gb[1] = b1;
    out->n = 2;
}

/* Decodes and cleans `utf8` into cells; '\n' becomes a cell with cp '\n'.
 * Returns the number of cells (<= strlen), or -1 when out of memory. */
static int cells_from_utf8(iconv_t cd, const char *utf8, struct cell **out)
{
    size_t len = strnlen(utf8, MAX_TEXT);
    const unsigned char *s = (const unsigned char *)utf8, *end = s + len;
    struct cell *c = malloc((len + 1) * sizeof *c);
    int n = 0;

    *out = c;
    if (!c)
        return -1;
    while (s < end) {
        uint32_t cp = utf8_next(&s, end);
        if (cp == '\n' || cp == 0x2028 || cp == 0x2029) {
            c[n].cp = '\n';
            c[n].n = 0;
            n++;
            continue;
        }
        if (cp == '\t')
            cp = ' ';
        if (cp_dropped(cp))
            continue;
        cell_make(cd, cp, &c[n++]);
    }
    return n;
}

int escpos_columns(const char *utf8)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    struct cell *c;
    int n, cols = 0;

    if (cd == (iconv_t)-1)
        return -1;
    n = cells_from_utf8(cd, utf8, &c);
    for (int i = 0; i < n; i++)
        cols += c[i].n;
    free(c);
    iconv_close(cd);
    return n < 0 ? -1 : cols;
}

/* Emits a bitmap as GS v 0 blocks of at most raster_rows rows. */
static int emit_raster(struct escpos *e, const struct escpos_bitmap *bm)
{
    int xb = (bm->w + 7) / 8, strip = e->prof->raster_rows;
    uint8_t *tmp = malloc((size_t)xb * (size_t)strip);

    if (!tmp)
        return e->err = ESCPOS_ENOMEM;
    for (int y = 0; y < bm->h && !e->err; y += strip) {
        int n = bm->h - y < strip ? bm->h - y : strip;
        uint8_t hdr[8] = {0x1d, 'v', '0', 0, (uint8_t)(xb & 0xFF), (uint8_t)(xb >> 8),
                          (uint8_t)(n & 0xFF), (uint8_t)(n >> 8)};
        escpos_bitmap_pack(bm, y, n, tmp);
        put(e, hdr, sizeof hdr);
        put(e, tmp, (size_t)xb * (size_t)n);
    }
    free(tmp);
    return e->err;
}

/* Prints one laid-out line of cells. */
static int emit_line(struct escpos *e, const struct cell *c, int n)
{
    int cjk = 0, cols = 0;

    for (int i = 0; i < n; i++) {
        cjk |= c[i].n == 2;
        cols += c[i].n;
    }
    if (e->prof->cjk_font) {
        if (cjk)
            put(e, "\x1c&", 2);
        for (int i = 0; i < n; i++)
            put(e, c[i].gb, c[i].n);
        if (cjk)
            put(e, "\x1c.", 2);
        return put(e, "\n", 1);
    }
    /* raster: the same cells, drawn where the printer would put them */
    struct escpos_bitmap bm = {.w = e->prof->dots};
    int cellh = ESCPOS_CELL_H * e->h;
    int lineh = cellh > LINE_DOTS ? cellh : LINE_DOTS;
    int width = cols * ESCPOS_CELL_W * e->w;
    int x = e->align == ESCPOS_CENTER ? (bm.w - width) / 2
          : e->align == ESCPOS_RIGHT ? bm.w - width : 0;

    if (x < 0)
        x = 0;
    if (escpos_bitmap_reserve(&bm, lineh) != 0)
        return e->err = ESCPOS_ENOMEM;
    for (int i = 0; i < n; i++) {
        escpos_font_draw(e->font, &bm, x, 0, c[i].cp, c[i].n == 2, e->w, e->h, e->bold);
        x += c[i].n * ESCPOS_CELL_W * e->w;
    }
    emit_raster(e, &bm);
    escpos_bitmap_free(&bm);
    return e->err;
}

/* Wraps cells into lines of at most `avail` columns, breaking after the last
 * space when one is in the second half of the line. */
static int emit_wrapped(struct escpos *e, const struct cell *c, int n)
{
    int avail = e->prof->cols / e->w;
    int start = 0;

    if (avail < 2)
        avail = 2;
    while (start < n && !e->err) {
        int cols = 0, i = start, brk = -1;
        while (i < n && c[i].cp != '\n' && cols + c[i].n <= avail) {
            if (c[i].cp == ' ')
                brk = i;
            cols += c[i].n;
            i++;
        }
        if (i < n && c[i].cp == '\n') {
            emit_line(e, c + start, i - start);
            start = i + 1;
            if (start == n) /* a trailing '\n' adds no empty line */
                break;
            continue;
        }
        if (i < n && brk > start + (i - start) / 2)
            i = brk; /* break at the space, which is then skipped */
        emit_line(e, c + start, i - start);
        start = i;
        while (start < n && c[start].cp == ' ' && i < n)
            start++;
    }
    return e->err;
}

int escpos_text(struct escpos *e, const char *utf8)
{
    struct cell *c;
    int n;

    if (e->err)
        return e->err;
    n = cells_from_utf8(e->cd, utf8 ? utf8 : "", &c);
    if (n < 0)
        return e->err = ESCPOS_ENOMEM;
    if (n == 0)
        emit_line(e, c, 0);
    else
        emit_wrapped(e, c, n);
    free(c);
    return e->err;
}

int escpos_pair(struct escpos *e, const char *left, const char *right)
{
    struct cell *l = NULL, *r = NULL, *line = NULL;
    int nl, nr, cl = 0, cr = 0, avail = e->prof->cols / e->w;

    if (e->err)
        return e->err;
    nl = cells_from_utf8(e->cd, left ? left : "", &l);
    nr = cells_from_utf8(e->cd, right ? right : "", &r);
    if (nl < 0 || nr < 0)
        goto nomem;
    for (int i = 0; i < nl; i++) {
        if (l[i].cp == '\n') l[i] = (struct cell){' ', {' ', 0}, 1};
        cl += l[i].n;
    }
    for (int i = 0; i < nr; i++) {
        if (r[i].cp == '\n') r[i] = (struct cell){' ', {' ', 0}, 1};
        cr += r[i].n;
    }
    if (cl + cr + 1 > avail) {
        /* does not fit: left as a paragraph, right flush right below */
        emit_wrapped(e, l, nl);
        int pad = avail - cr;
        line = malloc((size_t)(avail + nr + 1) * sizeof *line);
        if (!line)
            goto nomem;
        int k = 0;
        for (int i = 0; i < pad; i++)
            line[k++] = (struct cell){' ', {' ', 0}, 1};
        memcpy(line + k, r, (size_t)nr * sizeof *r);
        emit_wrapped(e, line, k + nr);
    } else {
        line = malloc((size_t)(avail + 1) * sizeof *line);
        if (!line)
            goto nomem;
        int k = 0;
        memcpy(line, l, (size_t)nl * sizeof *l);
        k = nl;
        for (int i = 0; i < avail - cl - cr; i++)
            line[k++] = (struct cell){' ', {' ', 0}, 1};
        memcpy(line + k, r, (size_t)nr * sizeof *r);
        emit_line(e, line, k + nr);
    }
    free(l);
    free(r);
    free(line);
    return e->err;
nomem:
    free(l);
    free(r);
    free(line);
    return e->err = ESCPOS_ENOMEM;
}

int escpos_rule(struct escpos *e, char ch)
{
    char s[64];
    int n = e->prof->cols / e->w;

    if (ch < 0x21 || ch > 0x7E)
        ch = '-';
    if (n > (int)sizeof s - 1)
        n = (int)sizeof s - 1;
    memset(s, ch, (size_t)n);
    s[n] = 0;
    return escpos_text(e, s);
}

int escpos_qr(struct escpos *e, const char *data, int module)
{
    size_t n = data ? strlen(data) : 0;

    if (e->err)
        return e->err;
    if (n == 0 || n > 512 || module < 1 || module > 16)
        return e->err = ESCPOS_EINVAL;
    if (!e->prof->qr) {
        struct escpos_bitmap bm = {.w = e->prof->dots};
        int h;
        if (escpos_draw_qr(&bm, 0, e->align, data, n, module, 1, &h) != 0) {
            escpos_bitmap_free(&bm);
            return e->err = ESCPOS_EINVAL;
        }
        emit_raster(e, &bm);
        escpos_bitmap_free(&bm);
        return e->err;
    }
    /* GS ( k, cn 49: fn 65 model 2, fn 67 module size, fn 69 ECC M (49),
     * fn 80 store data, fn 81 print. */
    static const uint8_t model[] = {0x1d, '(', 'k', 4, 0, 49, 65, 50, 0};
    uint8_t size[] = {0x1d, '(', 'k', 3, 0, 49, 67, (uint8_t)module};
    static const uint8_t ecc[] = {0x1d, '(', 'k', 3, 0, 49, 69, 49};
    uint8_t store[] = {0x1d, '(', 'k', (uint8_t)((n + 3) & 0xFF), (uint8_t)((n + 3) >> 8),
                       49, 80, 48};
    static const uint8_t print[] = {0x1d, '(', 'k', 3, 0, 49, 81, 48};
    put(e, model, sizeof model);
    put(e, size, sizeof size);
    put(e, ecc, sizeof ecc);
    put(e, store, sizeof store);
    put(e, data, n);
    put(e, print, sizeof print);
    return put(e, "\n", 1);
}

int escpos_barcode(struct escpos *e, const char *data, int height)
{
    size_t n = data ? strlen(data) : 0;

    if (e->err)
        return e->err;
    if (n == 0 || n > 40 || height < 8 || height > 255)
        return e->err = ESCPOS_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (data[i] < 0x20 || data[i] > 0x7E || data[i] == '{')
            return e->err = ESCPOS_EINVAL;
    put3(e, 0x1d, 'h', (uint8_t)height);
    put3(e, 0x1d, 'w', 2);
    put3(e, 0x1d, 'H', 2); /* human-readable text below */
    uint8_t hdr[6] = {0x1d, 'k', 73, (uint8_t)(n + 2), '{', 'B'};
    put(e, hdr, sizeof hdr);
    put(e, data, n);
    return put(e, "\n", 1);
}

int escpos_feed(struct escpos *e, int lines)
{
    if (lines < 0 || lines > 255)
        return e->err ? e->err : (e->err = ESCPOS_EINVAL);
    return put3(e, 0x1b, 'd', (uint8_t)lines);
}

int escpos_cut(struct escpos *e)
{
    /* every builder call ends at a line start, so the cut never splits a line */
    if (!e->prof->cutter)
        return escpos_feed(e, 4);
    uint8_t cut[4] = {0x1d, 'V', 66, 0}; /* feed to the cutter, partial cut */
    return put(e, cut, sizeof cut);
}
