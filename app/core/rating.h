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
