/* test_receipt.c - golden bytes for every receipt x profile x language, the
 * virtual printer's rendering of each (PNG + transcript), QR codes read back
 * with zbarimg, and phone masking. FD_GOLDEN_UPDATE=1 rewrites the golden
 * files (then review the diff and the PNGs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "escpos.h"
#include "receipt.h"
#include "receipt_fixtures.h"
#include "vprn.h"
#include "../drivers/escpos_oracle.h"

static struct escpos_font *font;

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    *len = fread(*out, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

/* Runs zbarimg on png; returns the decoded text (static) or "". */
static const char *zbar(const char *png)
{
    static char out[1024];
    char cmd[1200];
    FILE *p;
    size_t n;

    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", png);
    out[0] = 0;
    p = popen(cmd, "r");
    if (!p)
        return out;
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose(p);
    while (n > 0 && out[n - 1] == '\n')
        out[--n] = 0;
    return out;
}

static const void *fixture(enum receipt_kind k)
{
    return k == RECEIPT_TICKET ? (const void *)&fixture_ticket
         : k == RECEIPT_VISITOR ? (const void *)&fixture_visitor
                                : (const void *)&fixture_complaint;
}

static void one(enum receipt_kind kind, const char *profile, enum receipt_lang lang,
                const char *golden_dir, const char *out_dir)
{
    const struct escpos_profile *prof = escpos_profile_find(profile);
    const char *ln = lang == RECEIPT_EN ? "en" : "zh";
    char gpath[1024], png[1024], err[256];
    uint8_t *bytes = NULL, *gold = NULL;
    size_t len = 0, glen = 0;

    CHECK(prof != NULL);
    int rc = receipt_render(kind, fixture(kind), lang, prof, font, &bytes, &len);
    CHECK_MSG(rc == 0, "%s %s %s: %s", receipt_kind_name(kind), profile, ln, escpos_strerror(rc));
    if (rc)
        return;
    snprintf(gpath, sizeof gpath, "%s/%s_%s_%s.bin", golden_dir, receipt_kind_name(kind), profile, ln);
    if (getenv("FD_GOLDEN_UPDATE")) {
        FILE *f = fopen(gpath, "wb");
        CHECK(f != NULL);
        if (f) {
            fwrite(bytes, 1, len, f);
            fclose(f);
        }
    }
    CHECK_MSG(read_file(gpath, &gold, &glen) == 0, "missing golden %s", gpath);
    CHECK_MSG(gold && glen == len && memcmp(gold, bytes, len) == 0,
              "%s differs from the golden bytes (%zu vs %zu bytes)", gpath, len, glen);

    /* the virtual printer draws it; its transcript holds the words */
    struct vprn *v = vprn_new(prof->dots, font);
    CHECK(vprn_feed(v, bytes, len) == 0);
    CHECK_INT(vprn_cuts(v), prof->cutter ? 1 : 0);
    const char *text = vprn_text(v);
    if (prof->cjk_font) {
        if (kind == RECEIPT_TICKET) {
            CHECK(strstr(text, "A023") != NULL);
            CHECK(strstr(text, lang == RECEIPT_ZH ? "城东支行" : "East City Branch") != NULL);
            CHECK(strstr(text, lang == RECEIPT_ZH ? "前面还有 5 人等候" : "5 people ahead") != NULL);
            CHECK(strstr(text, "2026-11-23 14:15") != NULL);
        } else if (kind == RECEIPT_VISITOR) {
            CHECK(strstr(text, "138****1234") != NULL);
            CHECK(strstr(text, "13812341234") == NULL);
            CHECK(strstr(text, "张伟") != NULL);
            CHECK(strstr(text, "[BARCODE:V0007]") != NULL);
        } else {
            CHECK(strstr(text, "20261123000042") != NULL);
            CHECK(strstr(text, lang == RECEIPT_ZH ? "24小时" : "24 hours") != NULL);
        }
    } else {
        CHECK(strstr(text, "[IMAGE 384x") != NULL || strstr(text, "[IMAGE 576x") != NULL);
    }
    snprintf(png, sizeof png, "%s/%s_%s_%s.png", out_dir, receipt_kind_name(kind), profile, ln);
    CHECK_MSG(vprn_write_png(v, png, err, sizeof err) == 0, "%s", err);
    if (kind == RECEIPT_TICKET)
        CHECK_STR(zbar(png), fixture_ticket.qr);
    else if (kind == RECEIPT_COMPLAINT)
        CHECK_STR(zbar(png), "https://q.example.cn/c/20261123000042");
    else
        CHECK_STR(zbar(png), "V0007"); /* the CODE128 badge barcode */
    vprn_free(v);
    free(bytes);
    free(gold);
}

static void test_mask(void)
{
    char b[32];
    CHECK(receipt_mask_phone("13812341234", b, sizeof b) == 0);
    CHECK_STR(b, "138****1234");
    CHECK(receipt_mask_phone("+86 138-1234-1234", b, sizeof b) == 0);
    CHECK_STR(b, "861******1234");
    CHECK(receipt_mask_phone("010-6552-1234", b, sizeof b) == 0);
    CHECK_STR(b, "010****1234");
    CHECK(receipt_mask_phone("12345", b, sizeof b) == 0);
    CHECK_STR(b, "***45");
    CHECK(receipt_mask_phone("", b, sizeof b) == 0);
    CHECK_STR(b, "");
    CHECK(receipt_mask_phone("13812341234", b, 5) == -1);
}

/* What a visitor types can be anything: the receipt stays our commands. */
static void test_hostile_fields(void)
{
    struct receipt_visitor v = fixture_visitor;
    uint8_t *bytes;
    size_t len;
    v.name = "Bob\x1b@\x1dV😀\xe2\x80\xae" "evil";
    v.company = "\x10\x04\x01\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xff\xfe";
    v.host = "\xc2\x9b" "31m李娜";
    v.phone = "138-1234-1234\x1b";
    for (int p = 0; p < 2; p++) {
        CHECK(receipt_render(RECEIPT_VISITOR, &v, RECEIPT_EN,
                             escpos_profile_find(p ? "80mm" : "58mm"), font, &bytes, &len) == 0);
        CHECK_INT(escpos_oracle(bytes, len), -1);
        struct vprn *pr = vprn_new(p ? 576 : 384, font);
        vprn_feed(pr, bytes, len);
        CHECK(strstr(vprn_text(pr), "Bob@V?evil") != NULL);
        CHECK(strstr(vprn_text(pr), "???? ??") != NULL);
        CHECK(strstr(vprn_text(pr), "31m李娜") != NULL);
        CHECK(strstr(vprn_text(pr), "138****1234") != NULL);
        CHECK_INT(vprn_cuts(pr), 1);
        vprn_free(pr);
        free(bytes);
    }
}

static void test_strings(void)
{
    CHECK_STR(receipt_str("ticket.title", RECEIPT_ZH), "取号凭条");
    CHECK_STR(receipt_str("ticket.title", RECEIPT_EN), "QUEUE TICKET");
    CHECK_STR(receipt_str("no.such.key", RECEIPT_EN), "no.such.key");
    /* the complaint's category in words, as on the kiosk; unknown ones as they are */
    CHECK_STR(receipt_category("attitude", RECEIPT_ZH), "服务态度");
    CHECK_STR(receipt_category("attitude", RECEIPT_EN), "Staff attitude");
    CHECK_STR(receipt_category("waiting", RECEIPT_ZH), "等候时间");
    CHECK_STR(receipt_category("服务态度 / Attitude", RECEIPT_EN), "服务态度 / Attitude");
    CHECK_STR(receipt_category("", RECEIPT_EN), "");
    CHECK_INT(receipt_kind_parse("complaint"), RECEIPT_COMPLAINT);
    CHECK_INT(receipt_kind_parse("bogus"), -1);
}

int main(int argc, char **argv)
{
    static const char *const profiles[] = {"58mm", "80mm", "58mm-raster", "80mm-raster"};
    const char *golden = argc > 1 ? argv[1] : "golden";
    const char *out = argc > 2 ? argv[2] : ".";
    char err[256];

    setenv("TZ", FIXTURE_TZ, 1);
    CHECK_MSG(escpos_font_open(NULL, 0, &font, err, sizeof err) == 0, "%s", err);
    test_mask();
    test_strings();
    test_hostile_fields();
    for (int k = 0; k < 3; k++)
        for (size_t p = 0; p < sizeof profiles / sizeof profiles[0]; p++)
            for (int l = 0; l < 2; l++)
                one((enum receipt_kind)k, profiles[p], (enum receipt_lang)l, golden, out);
    /* a printer without a Chinese font gets the very same dots */
    for (int k = 0; k < 3; k++)
        for (int w = 0; w < 2; w++)
            for (int l = 0; l < 2; l++) {
                char a[1024], b[1024], cmd[2200];
                const char *kn = receipt_kind_name((enum receipt_kind)k), *pn = w ? "80mm" : "58mm",
                           *ln = l ? "en" : "zh";
                snprintf(a, sizeof a, "%s/%s_%s_%s.png", out, kn, pn, ln);
                snprintf(b, sizeof b, "%s/%s_%s-raster_%s.png", out, kn, pn, ln);
                snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
                CHECK_MSG(system(cmd) == 0, "%s and %s differ", a, b);
            }
    escpos_font_close(font);
    return check_summary();
}
