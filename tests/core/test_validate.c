/* test_validate.c - the checks on typed text and phone numbers. */
#include "check.h"
#include "validate.h"

static int text_ok(const char *s, size_t max, int flags)
{
    struct fd_err e = {0};
    return val_text(s, "field", max, flags, &e) == 0;
}

int main(void)
{
    struct fd_err e = {0};

    /* valid text */
    CHECK(text_ok("王晓明", 40, VAL_REQUIRED));
    CHECK(text_ok("O'Brien; DROP TABLE visitor;--", 40, VAL_REQUIRED));
    CHECK(text_ok("", 40, 0));
    CHECK(text_ok("😀 emoji", 40, 0));
    CHECK(text_ok("line one\nline two", 40, VAL_MULTILINE));
    /* required and blank */
    CHECK(!text_ok("", 40, VAL_REQUIRED));
    CHECK(!text_ok("   \xe3\x80\x80", 40, VAL_REQUIRED)); /* spaces + ideographic space */
    /* length in characters, not bytes */
    CHECK(text_ok("一二三四五", 5, 0));
    CHECK(!text_ok("一二三四五六", 5, 0));
    CHECK_INT(val_text("一二三四五六", "name", 5, 0, &e), FD_EINVAL);
    CHECK_STR(e.field, "name");
    CHECK(strstr(e.msg, "too long") != NULL);
    /* invalid UTF-8 of every kind */
    CHECK(!text_ok("\xff", 40, 0));
    CHECK(!text_ok("abc\xc3", 40, 0));                 /* truncated */
    CHECK(!text_ok("\xc0\xaf", 40, 0));                /* overlong '/' */
    CHECK(!text_ok("\xe0\x80\xaf", 40, 0));            /* overlong */
    CHECK(!text_ok("\xed\xa0\x80", 40, 0));            /* surrogate */
    CHECK(!text_ok("\xf4\x90\x80\x80", 40, 0));        /* > U+10FFFF */
    CHECK(!text_ok("\x80", 40, 0));                    /* lone continuation */
    CHECK_INT(val_text("ok\xfe", "name", 40, 0, &e), FD_EINVAL);
    CHECK(strstr(e.msg, "UTF-8") != NULL);
    /* control characters */
    CHECK(!text_ok("a\tb", 40, 0));
    CHECK(!text_ok("a\nb", 40, 0));
    CHECK(!text_ok("a\rb", 40, VAL_MULTILINE));
    CHECK(!text_ok("a\x1b[2Jb", 40, 0));              /* terminal escape */
    CHECK(!text_ok("a\x7f", 40, 0));
    CHECK(!text_ok("a\xc2\x85", 40, 0));               /* C1 NEL */
    CHECK(!text_ok("abc\xe2\x80\xae", 40, 0));         /* RLO bidi override */
    CHECK(!text_ok("abc\xe2\x80\xa8", 40, 0));         /* line separator */
    CHECK_INT(val_utf8_len("a王b"), 3);

    /* phones */
    CHECK_INT(val_phone("13812345678", "phone", VAL_REQUIRED, &e), 0);
    CHECK_INT(val_phone("+86 138-1234-5678", "phone", VAL_REQUIRED, &e), 0);
    CHECK_INT(val_phone("", "phone", 0, &e), 0);
    CHECK_INT(val_phone("", "phone", VAL_REQUIRED, &e), FD_EINVAL);
    CHECK_INT(val_phone("1234", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("1234567890123456", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("138abc45678", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("138--12345678", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("13812345678-", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("1+3812345678", "phone", 0, &e), FD_EINVAL);
    /* the numbering plan (issue 17) */
    CHECK_INT(val_phone("12345", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("1381234567", "phone", 0, &e), FD_EINVAL);   /* 10 digits */
    CHECK_INT(val_phone("138123456789", "phone", 0, &e), FD_EINVAL); /* 12 digits */
    CHECK_INT(val_phone("12812345678", "phone", 0, &e), FD_EINVAL);  /* 12x is no mobile */
    CHECK_INT(val_phone("010-6552-1234", "phone", 0, &e), 0);
    CHECK_INT(val_phone("0755 8888 6666", "phone", 0, &e), 0);
    CHECK_INT(val_phone("0123", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("65521234", "phone", 0, &e), 0);              /* local, 8 */
    CHECK_INT(val_phone("123456", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("400-810-8888", "phone", 0, &e), 0);
    CHECK_INT(val_phone("+8613812345678", "phone", 0, &e), 0);
    CHECK_INT(val_phone("008613812345678", "phone", 0, &e), 0);
    CHECK_INT(val_phone("+86 10 6552 1234", "phone", 0, &e), 0);
    CHECK_INT(val_phone("+86 12345", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("+44 20 7946 0958", "phone", 0, &e), 0);
    CHECK_INT(val_phone("+44 12", "phone", 0, &e), FD_EINVAL);
    CHECK_INT(val_phone("'; DROP TABLE", "phone", 0, &e), FD_EINVAL);
    char norm[24];
    val_phone_normalize("+86 138-1234-5678", norm, sizeof norm);
    CHECK_STR(norm, "+8613812345678");
    return check_summary();
}
