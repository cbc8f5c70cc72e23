/* validate.c - text and phone checks for visitor-typed fields (validate.h).
 * What a text may contain is the one policy of lib/fdtext (libunistring's
 * categories), shared with the toolkit and the printer, so core never stores
 * what the printer would drop. */
#include "validate.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "fdtext.h"

/* Decodes one code point at s; returns its length in bytes, or 0 if invalid. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
    uint32_t c;
    int n = fdtext_decode((const char *)s, strnlen((const char *)s, 4), &c);
    if (n <= 0)
        return 0;
    *cp = c;
    return (size_t)n;
}

int val_utf8(const char *s, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned cp;
    while (*p) {
        size_t n = utf8_next(p, &cp);
        if (n == 0) {
            if (bad_at)
                *bad_at = (size_t)(p - (const unsigned char *)s);
            return -1;
        }
        p += n;
    }
    return 0;
}

size_t val_utf8_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

static int is_blank_cp(unsigned cp)
{
    return cp == ' ' || cp == '\n' || cp == 0x3000; /* ideographic space */
}

int val_text(const char *s, const char *field, size_t max_chars, int flags,
             struct fd_err *err)
{
    const unsigned char *p;
    size_t chars = 0;
    int blank = 1;
    unsigned cp;

    if (!s)
        s = "";
    p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_next(p, &cp);
        if (n == 0)
            return fd_fail(err, FD_EINVAL, field,
                           "%s is not valid UTF-8 text (byte %zu)", field,
                           (size_t)(p - (const unsigned char *)s));
        enum fdtext_class k = fdtext_class(cp);
        if (k == FDTEXT_REFUSED || (k == FDTEXT_NEWLINE && !(flags & VAL_MULTILINE)))
            return fd_fail(err, FD_EINVAL, field,
                           "%s contains a control or invisible character (U+%04X)", field,
                           cp);
        if (!is_blank_cp(cp))
            blank = 0;
        chars++;
        p += n;
    }
    if ((flags & VAL_REQUIRED) && blank)
        return fd_fail(err, FD_EINVAL, field, "%s is required", field);
    if (chars > max_chars) {
        fd_fail(err, FD_EINVAL, field, "%s is too long (%zu characters, at most %zu)", field,
                chars, max_chars);
        if (err)
            err->limit = max_chars > 1000000 ? 1000000 : (int)max_chars;
        return FD_EINVAL;
    }
    return 0;
}

/* The numbering plan of val_phone (validate.h) over the digits of s. */
static int phone_plan(const char *s, const char *field, struct fd_err *err)
{
    char d[16];
    size_t n = 0;
    int intl = *s == '+';
    for (const char *p = s; *p && n < sizeof d - 1; p++)
        if (isdigit((unsigned char)*p))
            d[n++] = *p;
    d[n] = '\0';
    const char *x = d;
    if (!intl && !strncmp(d, "00", 2)) { /* 0086 ... is +86 ... */
        intl = 1;
        x += 2;
    }
    if (intl) {
        if (strncmp(x, "86", 2)) { /* another country: E.164 length only */
            if (strlen(x) >= 8)
                return 0;
            return fd_fail(err, FD_EINVAL, field, "%s: too short for an international number",
                           field);
        }
        x += 2;
        size_t k = strlen(x);
        if ((x[0] == '1' && k == 11 && x[1] >= '3') ||
            (x[0] == '1' && x[1] == '0' && k >= 9 && k <= 10) || /* Beijing, 10 */
            (x[0] >= '2' && k >= 9 && k <= 11))
            return 0;
        return fd_fail(err, FD_EINVAL, field,
                       "%s: +86 wants a mobile (11 digits from 1) or an area code and number",
                       field);
    }
    if (d[0] == '1') {
        if (n == 11 && d[1] >= '3')
            return 0;
        return fd_fail(err, FD_EINVAL, field,
                       "%s: a mobile number has 11 digits and starts 13 to 19", field);
    }
    if (d[0] == '0') {
        if (n >= 10 && n <= 12 && d[1] != '0')
            return 0;
        return fd_fail(err, FD_EINVAL, field,
                       "%s: a landline is 0, the area code and the number", field);
    }
    if ((!strncmp(d, "400", 3) || !strncmp(d, "800", 3)) && n == 10)
        return 0;
    if (n == 7 || n == 8)
        return 0;
    return fd_fail(err, FD_EINVAL, field,
                   "%s: not a mobile (11 digits), a landline or a +86 number", field);
}

int val_phone(const char *s, const char *field, int flags, struct fd_err *err)
{
    int digits = 0;
    int last_digit = 0;
    if (!s || !*s) {
        if (flags & VAL_REQUIRED)
            return fd_fail(err, FD_EINVAL, field, "%s is required", field);
        return 0;
    }
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            digits++;
            last_digit = 1;
        } else if (*p == '+' && p == s) {
            last_digit = 0;
        } else if ((*p == ' ' || *p == '-') && last_digit && p[1]) {
            last_digit = 0;
        } else {
            return fd_fail(err, FD_EINVAL, field,
                           "%s is not a phone number (only digits, a leading +,"
                           " spaces or dashes)", field);
        }
    }
    if (digits < 5 || digits > 15)
        return fd_fail(err, FD_EINVAL, field,
                       "%s must have 5 to 15 digits (has %d)", field, digits);
    return phone_plan(s, field, err);
}

void val_phone_normalize(const char *s, char *out, size_t len)
{
    size_t o = 0;
    if (!len)
        return;
    for (const char *p = s; *p && o + 1 < len; p++)
        if (isdigit((unsigned char)*p) || (*p == '+' && p == s))
            out[o++] = *p;
    out[o] = '\0';
}
