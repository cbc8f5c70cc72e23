/* validate.c - text and phone checks for visitor-typed fields (validate.h).
 * UTF-8 is decoded by hand here: it is twenty lines, and glibc's mbrtowc
 * depends on the process locale, which a kiosk must not rely on. */
#include "validate.h"

#include <ctype.h>
#include <string.h>

/* Decodes one code point at s; returns its length in bytes, or 0 if invalid. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    unsigned min;
    if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
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

/* Control characters: C0, DEL, C1, and the Unicode line/paragraph separators
 * and bidi overrides that can disguise text on a screen or a receipt. */
static int is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
           cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
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
        if (is_control(cp) && !(cp == '\n' && (flags & VAL_MULTILINE)))
            return fd_fail(err, FD_EINVAL, field,
                           "%s contains a control character (U+%04X)", field, cp);
        if (!is_blank_cp(cp))
            blank = 0;
        chars++;
        p += n;
    }
    if ((flags & VAL_REQUIRED) && blank)
        return fd_fail(err, FD_EINVAL, field, "%s is required", field);
    if (chars > max_chars)
        return fd_fail(err, FD_EINVAL, field,
                       "%s is too long (%zu characters, at most %zu)", field,
                       chars, max_chars);
    return 0;
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
    return 0;
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
