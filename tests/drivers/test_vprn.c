/* test_vprn.c - the virtual printer: GB18030 back to UTF-8, print modes,
 * auto-wrap at the paper edge, QR and CODE128 drawn so that zbarimg reads
 * them, raster images, cuts, and hostile streams (truncated commands, huge
 * sizes, endless feeds) that must stop at the paper cap without harm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "escpos.h"
#include "vprn.h"

static struct escpos_font *font;

static const char *zbar(const char *png)
{
    static char out[512];
    char cmd[700];
    FILE *p;
    size_t n;
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", png);
    out[0] = 0;
    if (!(p = popen(cmd, "r")))
        return out;
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose(p);
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    return out;
}

static void test_text(void)
{
    static const char job[] = "\x1b@\x1c&\xd6\xd0\xce\xc4 ok\x1c.\nplain \xd6\n\x1dV\x42\x00";
    struct vprn *v = vprn_new(384, font);
    CHECK(vprn_feed(v, job, sizeof job - 1) == 0);
    /* outside Chinese mode a high byte is a code-page character: '?' here */
    CHECK_STR(vprn_text(v), "中文 ok\nplain ?\n[CUT]\n");
    CHECK_INT(vprn_cuts(v), 1);
    CHECK(vprn_rows(v) >= 60);
    vprn_free(v);

    /* 40 characters wrap at 384 dots (32 columns); double width at 16 */
    v = vprn_new(384, font);
    char s[64] = "\x1b@";
    memset(s + 2, 'x', 40);
    s[42] = '\n';
    vprn_feed(v, s, 43);
    CHECK_STR(vprn_text(v), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nxxxxxxxx\n");
    vprn_free(v);
    v = vprn_new(384, NULL); /* no font: boxes, same layout */
    vprn_feed(v, "\x1d!\x11" "abcdefghijklmnopq\n", 21);
    CHECK_STR(vprn_text(v), "abcdefghijklmnop\nq\n");
    CHECK_INT(vprn_rows(v), 96);
    vprn_free(v);
}

static void test_codes(void)
{
    struct escpos *e = escpos_new(escpos_profile_find("80mm"), 0, NULL);
    char png[64], err[128];
    size_t len;

    escpos_init(e);
    escpos_align(e, ESCPOS_CENTER);
    escpos_qr(e, "https://example.cn/c/20261123000042", 5);
    const uint8_t *b = escpos_bytes(e, &len);
    struct vprn *v = vprn_new(576, font);
    CHECK(vprn_feed(v, b, len) == 0);
    CHECK_STR(vprn_qr(v, 0), "https://example.cn/c/20261123000042");
    snprintf(png, sizeof png, "/tmp/fd-vprn-%d.png", (int)getpid());
    CHECK_MSG(vprn_write_png(v, png, err, sizeof err) == 0, "%s", err);
    CHECK_STR(zbar(png), "https://example.cn/c/20261123000042");
    vprn_free(v);
    escpos_free(e);

    e = escpos_new(escpos_profile_find("58mm"), 0, NULL);
    escpos_barcode(e, "V0042-x", 80);
    b = escpos_bytes(e, &len);
    v = vprn_new(384, font);
    vprn_feed(v, b, len);
    CHECK(strstr(vprn_text(v), "[BARCODE:V0042-x]") != NULL);
    CHECK(vprn_write_png(v, png, err, sizeof err) == 0);
    CHECK_STR(zbar(png), "V0042-x");
    vprn_free(v);
    escpos_free(e);
    unlink(png);

    /* a raster image lands where it says */
    static const uint8_t img[] = {0x1d, 'v', '0', 0, 2, 0, 2, 0, 0xff, 0x00, 0x00, 0x01};
    v = vprn_new(384, font);
    vprn_feed(v, img, sizeof img);
    CHECK_STR(vprn_text(v), "[IMAGE 16x2]\n");
    CHECK_INT(vprn_rows(v), 2);
    vprn_free(v);
}

static void test_hostile(void)
{
    static const uint8_t cut_off[][10] = {
        {0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff, 1, 2}, /* 4 GB image, 2 bytes given */
        {0x1d, '(', 'k', 0xff, 0xff, 49, 80, 48, 'A', 'B'}, /* QR data cut off */
        {0x1d, 'k', 73, 200, '{', 'B', 'x', 0, 0, 0},       /* barcode cut off */
        {0x1d, 'k', 4, 'A', 'B', 'C', 'D', 'E', 'F', 'G'},  /* NUL-terminated, no NUL */
        {0x1c, '&', 0xd6, 0, 0, 0, 0, 0, 0, 0},             /* GB lead byte then NUL */
        {0x1b, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cut_off / sizeof cut_off[0]; i++) {
        struct vprn *v = vprn_new(384, font);
        CHECK(vprn_feed(v, cut_off[i], sizeof cut_off[i]) == 0);
        vprn_free(v);
    }
    /* endless feeding stops at the paper cap */
    uint8_t *feeds = malloc(3 * 2000);
    for (int i = 0; i < 2000; i++)
        memcpy(feeds + 3 * i, "\x1b" "d\xff", 3);
    struct vprn *v = vprn_new(384, font);
    CHECK_INT(vprn_feed(v, feeds, 3 * 2000), -1);
    CHECK(vprn_rows(v) <= ESCPOS_BITMAP_MAX_ROWS);
    vprn_free(v);
    free(feeds);
    CHECK(vprn_new(10, font) == NULL);
}

int main(void)
{
    char err[256];
    CHECK_MSG(escpos_font_open(NULL, 0, &font, err, sizeof err) == 0, "%s", err);
    test_text();
    test_codes();
    test_hostile();
    escpos_font_close(font);
    return check_summary();
}
