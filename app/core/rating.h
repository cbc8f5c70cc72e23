/* rating.h - satisfaction ratings for a served ticket: excellent / good /
 * fair / poor (优/良/中/差) for service level, attitude and result, with an
 * optional comment. One rating per ticket. A poor mark anywhere means the
 * kiosk offers to open a complaint linked to the ticket. */
#ifndef FD_RATING_H
#define FD_RATING_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

enum rating_level { RATE_EXCELLENT = 1, RATE_GOOD, RATE_FAIR, RATE_POOR };

#define RATING_COMMENT_MAX 200

/* Records a rating for finished ticket `ticket_id`. Levels 1..4. Returns 0
 * and sets *offer_complaint (any poor mark) and *id, or FD_EINVAL,
 * FD_ENOTFOUND, FD_ESTATE (ticket not done), FD_EEXIST (rated already),
 * FD_EDB. */
int rating_add(struct fd_store *st, int64_t ticket_id, int service, int attitude,
               int result, const char *comment, int64_t now, int64_t *id,
               int *offer_complaint, struct fd_err *err);

/* The ticket a visitor names to rate it: the number on their slip
 * ("A012"; any case, spaces ignored), served and finished within the last
 * window_s seconds. Only the visitor holding the slip knows which number
 * was theirs: the kiosk offers no list of recent visits to pick from
 * (anyone could rate anyone's), and rating_add takes a ticket once.
 * Returns 0 with *ticket_id and label (8 bytes, "A012"), FD_EINVAL (not a
 * ticket number), FD_ENOTFOUND (no such ticket finished lately: not served
 * yet, or too long ago), FD_EEXIST (rated already), FD_EDB. */
int rating_ticket(struct fd_store *st, const char *number, int64_t now, int window_s,
                  int64_t *ticket_id, char label[8], struct fd_err *err);

/* The ticket's own code, printed as the QR on its slip (after
 * "ticket:BUSINESS_DAY:LABEL:"), by which a visitor rates it with the
 * kiosk's barcode scanner: the business day as YYMMDD, each character of
 * the label as two digits (0-9 as 00-09, A-Z as 10-35) and a Damm check
 * digit (complaint_damm); A003 of 2026-11-23 is 261123 10000003 and its
 * check. Digits only, so a USB scanner types it as one burst of digits;
 * 15 to 21 of them, never the length of an invitation (10) or a complaint
 * reference (13). */
#define RATING_CODE_MAX 21

/* Makes that code into out. Returns 0, or FD_EINVAL when bday is not
 * YYYY-MM-DD of this century or label is not a ticket's (a letter, then
 * letters and digits, 4 to 7 in all). */
int rating_code_make(const char *bday, const char *label, char out[RATING_CODE_MAX + 1]);

/* Reads a scanned code back: 0 with bday ("YYYY-MM-DD") and label, or
 * FD_EINVAL when it is no ticket's code (length, digits, check digit). */
int rating_code_parse(const char *code, char bday[11], char label[8]);

/* rating_ticket for a scanned code: the ticket of that business day and
 * label, under the same rules (finished within window_s, rated once).
 * Returns as rating_ticket does; FD_EINVAL when the code is no ticket's. */
int rating_ticket_code(struct fd_store *st, const char *code, int64_t now, int window_s,
                       int64_t *ticket_id, char label[8], struct fd_err *err);

struct rating_candidate {
    int64_t ticket_id;
    char label[8];   /* "A012" */
    int counter;     /* where it was served */
};

/* Tickets finished in the last `window_s` seconds and not rated yet, newest
 * first, at most `max`: what the kiosk offers to rate. *out malloc'd. */
int rating_candidates(struct fd_store *st, int64_t now, int window_s, int max,
                      struct rating_candidate **out, int *n, struct fd_err *err);

/* "excellent", "good", "fair", "poor" for 1..4; NULL otherwise. */
const char *rating_name(int level);

/* Parses a level name or digit; returns 1..4 or 0. */
int rating_parse(const char *s);

#endif
