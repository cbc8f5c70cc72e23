/* validate.h - checks on every text a visitor or operator types, in core so
 * that no screen, command or sync path can skip them. A field is valid UTF-8
 * (no overlongs, no surrogates), holds only what the one text policy allows
 * (lib/fdtext: no control, invisible formatting, private-use or unassigned
 * characters; a description may keep newlines), is not blank when required,
 * and fits its cap in characters (code points) and bytes. */
#ifndef FD_VALIDATE_H
#define FD_VALIDATE_H
#include <stddef.h>

#include "fderr.h"

enum {
    VAL_REQUIRED = 1,  /* empty or all blanks is an error */
    VAL_MULTILINE = 2, /* \n allowed (descriptions, notes) */
};

/* Checks `s` as field `field` (a name for messages) with at most `max_chars`
 * code points. Returns 0, or FD_EINVAL with err filled (field and a sentence). */
int val_text(const char *s, const char *field, size_t max_chars, int flags,
             struct fd_err *err);

/* Checks a phone number: digits, optionally one leading '+', spaces and '-'
 * between digits, and then the numbering plan (issue 17: 12345 is no phone):
 *   mobile     11 digits, 1 then 3..9 (138 1234 5678)
 *   landline   0 + area code + local number, 10 to 12 digits (010-6552-1234);
 *              a local number alone, 7 or 8 digits not starting 0 or 1
 *   service    400 / 800 numbers, 10 digits
 *   +86 / 0086 followed by a mobile or a landline without its leading 0
 *   +CC        another country: 8 to 15 digits in all (E.164)
 * Empty is allowed only when !(flags & VAL_REQUIRED). Returns 0 or
 * FD_EINVAL. */
int val_phone(const char *s, const char *field, int flags, struct fd_err *err);

/* Copies the phone number with only its digits and a leading '+' kept. */
void val_phone_normalize(const char *s, char *out, size_t len);

/* Number of code points in valid UTF-8 `s`. */
size_t val_utf8_len(const char *s);

/* Returns 0 when `s` is valid UTF-8, else -1 and the byte offset of the
 * first bad byte in *bad_at (if not NULL). */
int val_utf8(const char *s, size_t *bad_at);

#endif
