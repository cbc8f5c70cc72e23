/* test_escpos.c - the ESC/POS builder: exact bytes of each command, GB18030
 * and Chinese mode, column counting and wrapping at 32/48 columns, pairs,
 * the byte cap, bad arguments, and hostile text (emoji, characters outside
 * GB18030, right-to-left, bidi overrides, controls, invalid UTF-8, and a
 * few thousand random strings) that must never produce a command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "escpos.h"
#include "escpos_oracle.h"

static struct escpos *mk(const char *profile)
{
    struct escpos *e = escpos_new(escpos_profile_find(profile), 0, NULL);
    CHECK(e != NULL);
    return e;
}

static int bytes_are(struct escpos *e, const void *want, size_t n)
{
    size_t len;
    const uint8_t *b = escpos_bytes(e, &len);
    if (len != n || memcmp(b, want, n) != 0) {
        fprintf(stderr, "got %zu bytes:", len);
        for (size_t i = 0; i < len && i < 80; i++)
            fprintf(stderr, " %02x", b[i]);
        fprintf(stderr, "\n");
        return 0;
    }
    return 1;
}

static void test_commands(void)
{
    struct escpos *e = mk("58mm");
    escpos_init(e);
    escpos_align(e, ESCPOS_CENTER);
    escpos_bold(e, 1);
    escpos_size(e, 2, 3);
    escpos_feed(e, 2);
    escpos_cut(e);
    CHECK(bytes_are(e, "\x1b@\x1b" "a\x01\x1b" "E\x01\x1d!\x12\x1b" "d\x02\x1dVB\x00", 18));
    escpos_free(e);

    e = mk("58mm");
    escpos_text(e, "Hi 中文");
    CHECK(bytes_are(e, "\x1c&Hi \xd6\xd0\xce\xc4\x1c.\n", 12));
    escpos_free(e);

    e = mk("58mm");
    escpos_qr(e, "AB", 4);
    CHECK(bytes_are(e, "\x1d(k\x04\x00\x31\x41\x32\x00"
                       "\x1d(k\x03\x00\x31\x43\x04"
                       "\x1d(k\x03\x00\x31\x45\x31"
                       "\x1d(k\x05\x00\x31\x50\x30" "AB"
                       "\x1d(k\x03\x00\x31\x51\x30\n", 44));
    escpos_free(e);

    e = mk("58mm");
    escpos_barcode(e, "V7", 60);
    CHECK(bytes_are(e, "\x1dh\x3c\x1dw\x02\x1dH\x02\x1dkI\x04{BV7\n", 18));
    escpos_free(e);

    e = mk("58mm-noqr"); /* no cutter: feed instead; needs a font for QR */
    CHECK_INT(escpos_error(e), ESCPOS_EFONT);
    escpos_free(e);
}

static void test_columns(void)
{
    CHECK_INT(escpos_columns("abc"), 3);
    CHECK_INT(escpos_columns("中文ab"), 6);
    CHECK_INT(escpos_columns("😀"), 1);  /* printed as '?' */
    CHECK_INT(escpos_columns("a\x1b" "b"), 2);

    /* 40 letters on 32 columns: 32 + 8 */
    struct escpos *e = mk("58mm");
    char s[64];
    memset(s, 'x', 40);
    s[40] = 0;
    escpos_text(e, s);
    size_t len;
    const uint8_t *b = escpos_bytes(e, &len);
    CHECK_INT(len, 42);
    CHECK(b[32] == '\n' && b[41] == '\n');
    escpos_free(e);

    /* 17 CJK characters = 34 columns: 16 on the first line, none split */
    e = mk("58mm");
    escpos_text(e, "一二三四五六七八九十一二三四五六七");
    b = escpos_bytes(e, &len);
    CHECK_INT(len, 2 + 32 + 2 + 1 + 2 + 2 + 2 + 1);
    CHECK(memcmp(b + 34, "\x1c.\n", 3) == 0);
    escpos_free(e);

    /* words wrap at a space in the second half of the line */
    e = mk("58mm");
    escpos_text(e, "Please listen for your number when called");
    b = escpos_bytes(e, &len);
    CHECK(len > 0 && memcmp(b, "Please listen for your number\n", 30) == 0);
    escpos_free(e);

    /* double width halves the columns */
    e = mk("80mm");
    escpos_size(e, 2, 2);
    memset(s, 'y', 30);
    s[30] = 0;
    escpos_text(e, s);
    b = escpos_bytes(e, &len);
    CHECK(len == 3 + 24 + 1 + 6 + 1 && b[27] == '\n');
    escpos_free(e);

    /* pair: exactly the line width */
    e = mk("58mm");
    escpos_pair(e, "时间", "14:15");
    b = escpos_bytes(e, &len);
    CHECK(len == 2 + 4 + 23 + 5 + 2 + 1 && memcmp(b + 29, "14:15", 5) == 0);
    escpos_free(e);
    e = mk("58mm");
    escpos_pair(e, "A long label that fills the line", "right");
    b = escpos_bytes(e, &len);
    CHECK(len == 33 + 33 && memcmp(b + 33 + 27, "right\n", 6) == 0);
    escpos_free(e);
}

static void test_limits(void)
{
    struct escpos *e = escpos_new(escpos_profile_find("58mm"), 100, NULL);
    char s[200];
    memset(s, 'z', sizeof s - 1);
    s[sizeof s - 1] = 0;
    CHECK_INT(escpos_text(e, s), ESCPOS_ETOOBIG);
    CHECK_INT(escpos_init(e), ESCPOS_ETOOBIG); /* sticky */
    size_t len;
    escpos_bytes(e, &len);
    CHECK(len <= 100);
    escpos_free(e);

    e = mk("58mm");
    CHECK_INT(escpos_size(e, 0, 1), ESCPOS_EINVAL);
    escpos_free(e);
    e = mk("58mm");
    CHECK_INT(escpos_qr(e, "", 4), ESCPOS_EINVAL);
    escpos_free(e);
    e = mk("58mm");
    CHECK_INT(escpos_barcode(e, "a{b", 60), ESCPOS_EINVAL);
    escpos_free(e);
    e = mk("58mm");
    CHECK_INT(escpos_barcode(e, "a\nb", 60), ESCPOS_EINVAL);
    escpos_free(e);

    CHECK(escpos_profile_find("58mm")->cols == 32 && escpos_profile_find("58mm")->dots == 384);
    CHECK(escpos_profile_find("80mm")->cols == 48 && escpos_profile_find("80mm")->dots == 576);
    CHECK(escpos_profile_find("nope") == NULL);
    int n = 0;
    while (escpos_profile_at(n))
        n++;
    CHECK(n >= 4);
}

/* Text that must come out as itself, '?' or nothing: never a command. */
static void test_hostile(void)
{
    static const struct { const char *in, *out; } cases[] = {
        {"a\x1b@b", "a@b\n"},                         /* ESC @ in text: ESC dropped */
        {"a\x1d" "V\x00", "aV\n"},                    /* GS V: cut */
        {"\x10\x04\x01x", "x\n"},                     /* DLE EOT */
        {"x\xc2\x9b" "1m", "x1m\n"},                  /* C1 CSI */
        {"emoji 😀!", "emoji ?!\n"},
        {"\xe2\x80\xae" "abc", "abc\n"},              /* RIGHT-TO-LEFT OVERRIDE */
        {"שלום", "????\n"},                           /* Hebrew: not in the font */
        {"مرحبا", "?????\n"},                         /* Arabic */
        {"bad \xff\xfe utf8 \xc0\xaf", "bad ?? utf8 ??\n"},
        {"zero\xe2\x80\x8bwidth", "zerowidth\n"},
        {"tab\there", "tab here\n"},
        {"\xed\xa0\x80", "???\n"},                    /* a UTF-16 surrogate */
        {"𠀀", "?\n"},                                /* CJK ext. B: 4-byte GB18030 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct escpos *e = mk("58mm");
        escpos_text(e, cases[i].in);
        CHECK_MSG(bytes_are(e, cases[i].out, strlen(cases[i].out)), "case %zu", i);
        escpos_free(e);
    }

    /* random byte strings, biased to UTF-8 lead bytes and controls */
    unsigned seed = 12345;
    uint8_t buf[160];
    printf("random strings: seed %u\n", seed);
    int bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(iter % 150);
        for (size_t j = 0; j < n; j++) {
            seed = seed * 1103515245u + 12345u;
            uint8_t r = (uint8_t)(seed >> 16);
            static const uint8_t pool[] = {0x1b, 0x1d, 0x1c, 0x10, 0x0a, 0xe4, 0xb8, 0xad,
                                           0xf0, 0x9f, 0x98, 0x80, 0xd7, 0xa9, 0xc2, 0x9b};
            buf[j] = (seed >> 28) & 1 ? pool[r % sizeof pool] : r;
            if (buf[j] == 0)
                buf[j] = 'x';
        }
        buf[n] = 0;
        struct escpos *e = mk(iter % 2 ? "58mm" : "80mm");
        escpos_init(e);
        escpos_size(e, 1 + iter % 3, 1);
        escpos_text(e, (const char *)buf);
        escpos_pair(e, (const char *)buf, (const char *)buf + n / 2);
        size_t len;
        const uint8_t *b = escpos_bytes(e, &len);
        long at = escpos_oracle(b, len);
        if (at >= 0 && bad++ < 3)
            fprintf(stderr, "iteration %d: bad byte at %ld\n", iter, at);
        escpos_free(e);
    }
    CHECK_INT(bad, 0);
}

int main(void)
{
    test_commands();
    test_columns();
    test_limits();
    test_hostile();
    return check_summary();
}
