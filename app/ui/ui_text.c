/* ui_text.c - UTF-8 helpers and the line breaker for labels and buttons.
 * The breaker follows the few rules a kiosk needs (a subset of UAX #14): break
 * at spaces in Latin text, between CJK characters, never before closing and
 * never after opening punctuation. Written by hand because Debian 12's
 * libunibreak is a 2013 release and ICU is a large dependency for these rules;
 * it stays pure (no SDL) so tests can run it with a fake measure function. */
#include "ui_text.h"

#include <string.h>

#include "fdtext.h"

int ui_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    return fdtext_decode(s, len, cp);
}

int ui_utf8_valid(const char *s, size_t len, int allow_newline)
{
    /* The one text policy (lib/fdtext), the same core and the printer use:
     * nothing can be typed that core would refuse or the printer drop. */
    return fdtext_check(s, len, allow_newline ? FDTEXT_MULTILINE : 0, NULL, NULL) == 0;
}

size_t ui_utf8_count(const char *s)
{
    size_t n = 0, len = strlen(s), i = 0;
    while (i < len) {
        uint32_t c;
        int k = ui_utf8_decode(s + i, len - i, &c);
        i += k > 0 ? (size_t)k : 1;
        n++;
    }
    return n;
}

size_t ui_utf8_prev(const char *s, size_t pos)
{
    if (pos == 0)
        return 0;
    size_t p = pos - 1;
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80 && pos - p < 4)
        p--;
    return p;
}

/* Ideographs, kana, hangul, CJK and fullwidth punctuation: a line may break
 * on either side of these. */
static int is_cjk(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x2E80 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Characters a line may not start with (closing punctuation). */
static const uint32_t no_start[] = {
    0xFF0C, 0x3002, 0xFF01, 0xFF1F, 0x3001, 0xFF09, 0x300B, 0x300D, 0x300F,
    0x3011, 0x3015, 0x3017, 0x3009, 0x201D, 0x2019, 0xFF1A, 0xFF1B, 0x2026,
    0x2025, 0x3005, 0xFF0E, 0xFF3D, 0xFF5D, 0x30FC, 0xFF5E, 0x00B7, 0xFF05,
    ',', '.', '!', '?', ':', ';', ')', ']', '}', '%', '\'', '"', '-',
};
/* Characters a line may not end with (opening punctuation). */
static const uint32_t no_end[] = {
    0xFF08, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016, 0x3008, 0x201C,
    0x2018, 0xFF3B, 0xFF5B, '(', '[', '{',
};

static int in_set(const uint32_t *set, size_t n, uint32_t c)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == c)
            return 1;
    return 0;
}

/* May a line break fall between code points a and b? Spaces are handled by
 * the caller's trimming: the break is placed after the run of spaces. */
static int break_between(uint32_t a, uint32_t b)
{
    if (b == ' ')
        return 0;
    if (in_set(no_start, sizeof no_start / sizeof *no_start, b) ||
        in_set(no_end, sizeof no_end / sizeof *no_end, a))
        return 0;
    if (a == ' ')
        return 1;
    return is_cjk(a) || is_cjk(b);
}

static size_t trim_back(const char *s, size_t from, size_t end)
{
    while (end > from && s[end - 1] == ' ')
        end--;
    return end;
}

/* Longest prefix of s[from..end) (at least one code point) that fits. */
static size_t fit_prefix(const char *s, size_t from, size_t end, int max_w,
                         ui_measure_fn measure, void *ctx)
{
    size_t best = 0, i = from;
    while (i < end) {
        uint32_t c;
        int k = ui_utf8_decode(s + i, end - i, &c);
        size_t next = i + (k > 0 ? (size_t)k : 1);
        if (best != 0 && measure(ctx, s + from, next - from) > max_w)
            break;
        best = next;
        i = next;
    }
    if (!best)
        return end;
    /* Back off so the split does not fall before closing or after opening
     * punctuation, unless that would leave nothing on the line. */
    size_t cut = best;
    while (cut > from) {
        uint32_t a, b;
        size_t pa = ui_utf8_prev(s, cut);
        if (cut >= end || ui_utf8_decode(s + cut, end - cut, &b) < 0 ||
            ui_utf8_decode(s + pa, cut - pa, &a) < 0)
            break;
        if (!in_set(no_start, sizeof no_start / sizeof *no_start, b) &&
            !in_set(no_end, sizeof no_end / sizeof *no_end, a))
            break;
        cut = pa;
    }
    return cut > from ? cut : best;
}

int ui_text_break(const char *s, int max_w, ui_measure_fn measure, void *ctx,
                  struct ui_line *lines, int max_lines, int *truncated)
{
    if (max_lines < 1 || max_w < 1)
        return -1;
    if (truncated)
        *truncated = 0;
    size_t n = strlen(s), ls = 0, pos = 0;
    size_t ok_end = 0, ok_next = 0;
    int have_ok = 0, count = 0, have_prev = 0;
    uint32_t prev = 0;

    int para = 1; /* ls starts a paragraph (the text, or after a newline) */
    for (;;) {
        /* A paragraph that fits whole is one line: one measure instead of
         * one per break opportunity (each a longer prefix, shaped again),
         * which between CJK characters is every character. Most labels
         * fit; the home screen's layout measured ~10 prefixes each. */
        if (para && !have_ok) {
            const char *nl = memchr(s + ls, '\n', n - ls);
            size_t e = nl ? (size_t)(nl - s) : n, end = trim_back(s, ls, e);
            para = 0;
            if (measure(ctx, s + ls, end - ls) <= max_w) {
                if (count == max_lines) {
                    lines[count - 1].len = trim_back(s, lines[count - 1].start, n) -
                                           lines[count - 1].start;
                    if (truncated)
                        *truncated = 1;
                    return count;
                }
                lines[count].start = ls;
                lines[count].len = end - ls;
                count++;
                if (!nl)
                    return count;
                ls = pos = e + 1;
                have_prev = 0;
                para = 1;
                continue;
            }
        }
        /* Find the next break opportunity: [ls, cend) is the candidate line,
         * cnext where the following line would start. */
        size_t cend = 0, cnext = 0;
        int mandatory = 0, at_end = 0, found = 0;
        while (pos < n && !found) {
            uint32_t c;
            int k = ui_utf8_decode(s + pos, n - pos, &c);
            if (k < 0) {
                c = 0xFFFD;
                k = 1;
            }
            if (c == '\n') {
                cend = trim_back(s, ls, pos);
                cnext = pos + 1;
                mandatory = found = 1;
                have_prev = 0;
                para = 1;
            } else if (have_prev && pos > ls && break_between(prev, c)) {
                cend = trim_back(s, ls, pos);
                cnext = pos;
                found = 1;
                prev = c;
            } else {
                prev = c;
                have_prev = 1;
            }
            pos += (size_t)k;
        }
        if (!found) {
            cend = trim_back(s, ls, n);
            cnext = n;
            mandatory = at_end = 1;
        }
        /* Fit the candidate, emitting earlier lines until it does. */
        for (;;) {
            int fits = measure(ctx, s + ls, cend - ls) <= max_w;
            size_t emit_end, next_ls;
            if (fits && !mandatory) {
                ok_end = cend;
                ok_next = cnext;
                have_ok = 1;
                break;
            }
            if (fits) {
                emit_end = cend;
                next_ls = cnext;
            } else if (have_ok) {
                emit_end = ok_end;
                next_ls = ok_next;
            } else {
                emit_end = fit_prefix(s, ls, cend, max_w, measure, ctx);
                next_ls = emit_end;
            }
            if (count == max_lines) {
                lines[count - 1].len = trim_back(s, lines[count - 1].start, n) -
                                       lines[count - 1].start;
                if (truncated)
                    *truncated = 1;
                return count;
            }
            lines[count].start = ls;
            lines[count].len = emit_end - ls;
            count++;
            ls = next_ls;
            have_ok = 0;
            if (fits) {
                if (at_end)
                    return count;
                break;
            }
        }
        if (ls > pos)
            pos = ls;
    }
}

int ui_text_ellipsize(const char *s, size_t len, int max_w,
                      ui_measure_fn measure, void *ctx, char *out,
                      size_t outsz)
{
    static const char ell[] = "\xE2\x80\xA6"; /* U+2026 */
    const size_t ell_len = sizeof ell - 1;
    if (outsz < ell_len + 1)
        return -1;
    if (len < outsz && measure(ctx, s, len) <= max_w) {
        memcpy(out, s, len);
        out[len] = '\0';
        return (int)len;
    }
    size_t best = 0, i = 0;
    while (i < len) {
        uint32_t c;
        int k = ui_utf8_decode(s + i, len - i, &c);
        size_t next = i + (k > 0 ? (size_t)k : 1);
        size_t keep = trim_back(s, 0, next);
        if (keep + ell_len + 1 > outsz)
            break;
        memcpy(out, s, keep);
        memcpy(out + keep, ell, ell_len);
        if (measure(ctx, out, keep + ell_len) > max_w)
            break;
        best = keep;
        i = next;
    }
    memcpy(out, s, best);
    memcpy(out + best, ell, ell_len);
    out[best + ell_len] = '\0';
    return (int)(best + ell_len);
}
