/* fdtext.h - the one text policy: what a visitor's (or head office's, or an
 * operator's) text may contain, decided once for core (which refuses it),
 * the toolkit (which never lets it be typed) and the printer (which leaves
 * out what it refuses). A text is valid UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF) and holds no character of these Unicode general
 * categories: Cc (C0 and C1 controls, DEL, tab), Cf (invisible formatting:
 * bidi marks and overrides, BOM, zero-width space and joiners, soft hyphen,
 * tags), Co (private use: its glyph depends on the font), Cn (unassigned
 * and noncharacters), Zl and Zp (line and paragraph separators). '\n' is
 * allowed where a field says so. Variation selectors are allowed (they only
 * choose a glyph; the printer, which cannot, leaves them out). */
#ifndef FDTEXT_H
#define FDTEXT_H
#include <stddef.h>
#include <stdint.h>

enum fdtext_class {
    FDTEXT_OK = 0,        /* an ordinary visible character */
    FDTEXT_NEWLINE = 1,   /* '\n': allowed only with FDTEXT_MULTILINE */
    FDTEXT_SELECTOR = 2,  /* a variation selector: allowed, draws nothing alone */
    FDTEXT_REFUSED = 3,   /* never stored, typed or printed */
};

enum { FDTEXT_MULTILINE = 1 }; /* flags of fdtext_check */

#define FDTEXT_INVALID 0xFFFFFFFFu /* *bad_cp for bytes that are not UTF-8 */

/* The class of code point `cp` (any value; past U+10FFFF is refused). */
enum fdtext_class fdtext_class(uint32_t cp);

/* Decodes one code point from s[0..len). Returns its length (1..4) and sets
 * *cp, or -1 for bytes that are not UTF-8 (invalid, overlong, truncated,
 * a surrogate, past U+10FFFF). */
int fdtext_decode(const char *s, size_t len, uint32_t *cp);

/* Checks s[0..len) against the policy. Returns 0, or -1 with the byte offset
 * of the first fault in *bad_at and the refused code point in *bad_cp
 * (FDTEXT_INVALID for bytes that are not UTF-8); either pointer may be NULL. */
int fdtext_check(const char *s, size_t len, int flags, size_t *bad_at, uint32_t *bad_cp);

#endif
