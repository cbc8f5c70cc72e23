/* ui_text.h - UTF-8 helpers and the line breaker (pure: no SDL, no fonts).
 * Screens never call these directly; the label and button widgets do. They are
 * public so tests (and a printer preview, later) can break text the same way. */
#ifndef UI_TEXT_H
#define UI_TEXT_H
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..len). Returns the bytes used (1..4) and sets
 * *cp, or -1 for an invalid/overlong/truncated sequence or a surrogate. */
int ui_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Returns 1 when s[0..len) passes the one text policy (lib/fdtext.h: valid
 * UTF-8, no control, invisible, private-use or unassigned character; '\n'
 * only when allow_newline), else 0. */
int ui_utf8_valid(const char *s, size_t len, int allow_newline);

/* Number of code points in the NUL-terminated UTF-8 string s (invalid bytes
 * count one each). */
size_t ui_utf8_count(const char *s);

/* Byte offset of the start of the code point before pos (0 when pos is 0). */
size_t ui_utf8_prev(const char *s, size_t pos);

/* Width in pixels of s[0..len) in some font; ctx is the caller's. */
typedef int (*ui_measure_fn)(void *ctx, const char *s, size_t len);

struct ui_line {
    size_t start; /* byte offset of the line in the text */
    size_t len;   /* bytes in the line, trailing spaces and '\n' excluded */
};

/* Breaks the NUL-terminated text s into lines no wider than max_w. A break may
 * fall after a space (the space is dropped), between two CJK characters or a
 * CJK character and another, but never before closing punctuation (，。！？、）》”
 * ,.!?:; ...) and never after opening punctuation (（《“ ...). A word wider than
 * max_w alone is split between characters. '\n' forces a break.
 * Writes at most max_lines spans to lines and returns the line count; when
 * the text needed more, *truncated (if not NULL) is set to 1 and the last span
 * runs to the end of the text (callers ellipsize it). Returns -1 when
 * max_lines < 1 or max_w < 1. */
int ui_text_break(const char *s, int max_w, ui_measure_fn measure, void *ctx,
                  struct ui_line *lines, int max_lines, int *truncated);

/* Writes into out (NUL-terminated) the longest prefix of s[0..len) that fits in
 * max_w followed by "…", or all of s when it fits as is. Trailing spaces before
 * the ellipsis are dropped. Returns the bytes written (without the NUL), or -1
 * when out is too small for even "…". Never splits a code point. */
int ui_text_ellipsize(const char *s, size_t len, int max_w,
                      ui_measure_fn measure, void *ctx, char *out,
                      size_t outsz);

#endif
