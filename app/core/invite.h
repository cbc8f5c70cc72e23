/* invite.h - invitations (issue 14). Head office invites a guest to a branch
 * for a day; the invitation comes down the pull and waits here, so that the
 * guest checks in with its code while head office is out of reach. A code is
 * 10 digits a person can type: 9 random digits and a Damm check digit, the
 * rule of complaint references (complaint_damm), shown as 12345-67890. It is
 * used once, and only on its day (the branch's business day, queue_bday).
 * Using it signs the guest in through core's visitor module, in the same
 * transaction, and the visitor record names the invitation. This module owns
 * the `invitation` table; the same rules check what head office stores. */
#ifndef FD_INVITE_H
#define FD_INVITE_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"
#include "visitor.h"

#define INVITE_CODE_LEN 10      /* digits, the last the check digit */
#define INVITE_CODE_SHOWN 12    /* "12345-67890" and its NUL */

/* An invitation as head office sends it (and as `invite add` takes it). */
struct invite_in {
    const char *code;           /* INVITE_CODE_LEN digits, check digit valid */
    const char *day;            /* YYYY-MM-DD */
    const char *name;           /* required, visitor rules */
    const char *phone;          /* required, a phone number */
    const char *company;        /* optional */
    const char *purpose;        /* optional */
    const char *host;           /* optional: the person visited, as named */
};

struct invitation {
    char code[INVITE_CODE_LEN + 1];
    char day[11];
    char name[VISITOR_NAME_MAX * 4 + 1];
    char phone[24];
    char company[VISITOR_COMPANY_MAX * 4 + 1];
    char purpose[VISITOR_PURPOSE_MAX * 4 + 1];
    char host[HOST_NAME_MAX_CHARS * 4 + 1];
    int cancelled;              /* head office cancelled it */
    int used_hq;                /* head office says a kiosk used it */
    int64_t used_at;            /* used at this kiosk, 0 = not here */
    int64_t visitor_id;         /* the visitor that check-in made, 0 = none */
};

/* Why an invitation cannot be used now (invite_find, invite_use). */
enum invite_why {
    INVITE_USABLE = 0,
    INVITE_UNKNOWN,             /* no such code here (or mistyped: check digit) */
    INVITE_USED,                /* used already, here or at another kiosk */
    INVITE_OTHER_DAY,           /* valid, but for another day */
    INVITE_CANCELLED,           /* head office cancelled it */
};

/* Normalises a typed or scanned code (spaces and dashes ignored) into out
 * and checks its check digit. Returns 0 or FD_EINVAL. */
int invite_code_parse(const char *in, char out[INVITE_CODE_LEN + 1]);

/* Makes a new random code (libsodium's random numbers; the first digit is
 * never 0). Head office keeps it unique in its table. */
void invite_code_make(char out[INVITE_CODE_LEN + 1]);

/* Formats 10 digits as "12345-67890". */
void invite_code_format(const char *code, char out[INVITE_CODE_SHOWN]);

/* Checks every field of an invitation with core's rules (the visitor's for
 * name, phone, company, purpose and host; a real date; a valid code).
 * Returns 0 or FD_EINVAL with the field named. */
int invite_check(const struct invite_in *in, struct fd_err *err);

/* Stores an invitation as head office sends it, state "open", "cancelled"
 * or "used" (used at some kiosk of the branch). What this kiosk did with it
 * (used_at, visitor_id) stays. One statement: in the caller's transaction
 * (the pull's) when there is one. Returns 0, FD_EINVAL or FD_EDB. */
int invite_put(struct fd_store *st, const struct invite_in *in, const char *state,
               int64_t now, struct fd_err *err);

/* Drops the invitation `code` (head office erased it: its guest asked, or
 * its retention ran out; state "erased" in the pull). Its row goes whole,
 * name and phone with it; a visitor its check-in made stays (it is the
 * visitor module's, under visitor_retention_days). One statement: in the
 * caller's transaction when there is one. Returns 1 when a row went, 0
 * when none was held, FD_EINVAL (not a code) or FD_EDB. */
int invite_drop(struct fd_store *st, const char *code, struct fd_err *err);

/* Looks a typed code up for use at time `now`. Returns 0 with *out filled
 * when it can be used now; FD_ENOTFOUND (*why INVITE_UNKNOWN: mistyped or
 * unknown), FD_ESTATE (*why INVITE_USED, INVITE_OTHER_DAY or
 * INVITE_CANCELLED, *out filled) or FD_EDB. */
int invite_find(struct fd_store *st, const char *typed, int64_t now, struct invitation *out,
                int *why, struct fd_err *err);

/* Uses an invitation: checks it as invite_find does, signs the guest in
 * with its details (visitor_sign_in_tx, the visitor naming the invitation)
 * and marks it used, in one write transaction: a code is used once even
 * with two screens racing. Fills *out (may be NULL) with the visitor.
 * Returns 0, FD_ENOTFOUND / FD_ESTATE (with *why), the visitor module's
 * errors or FD_EDB; nothing is written on an error. */
int invite_use(struct fd_store *st, const char *typed, int64_t now, struct visitor *out,
               int *why, struct fd_err *err);

/* Deletes the invitations of days before yesterday (business days): they
 * can no longer be used, and they hold a guest's name and phone (the
 * visitor a check-in made keeps its own, under visitor_retention_days).
 * Local only. Returns how many, or FD_EDB. */
int invite_erase_old(struct fd_store *st, int64_t now, struct fd_err *err);

#endif
