/* visitor.h - visitor registration (front-desk duty: register each visitor,
 * notify the person visited, keep the access log) and the host directory.
 * A badge number is per business day ("V0001"), issued in the sign-in
 * transaction. Visitor records are confidential: callers show them only to
 * staff, and receipts mask the phone number. */
#ifndef FD_VISITOR_H
#define FD_VISITOR_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define VISITOR_NAME_MAX 40     /* characters */
#define VISITOR_COMPANY_MAX 60
#define VISITOR_PURPOSE_MAX 100
#define HOST_NAME_MAX_CHARS 40
#define HOST_DEPT_MAX 40

struct visitor_in {             /* what the visitor typed */
    const char *name;           /* required */
    const char *phone;          /* required, a phone number */
    const char *company;        /* optional */
    int64_t host_id;            /* from the host directory; or 0 and: */
    const char *host_name;      /* a name that must match an active host */
    const char *purpose;        /* optional */
};

struct visitor {
    int64_t id;
    char badge[8];
    char bday[11];
    char name[VISITOR_NAME_MAX * 4 + 1];
    char phone[24];
    char company[VISITOR_COMPANY_MAX * 4 + 1];
    char host_name[HOST_NAME_MAX_CHARS * 4 + 1];
    char purpose[VISITOR_PURPOSE_MAX * 4 + 1];
    int64_t signed_in_at, signed_out_at; /* 0 = still on site */
    char signout_how[8];        /* staff, self, closing */
    char invitation[16];        /* the invitation's code (invite.h), "" for a walk-in */
    int held;                   /* 1: matched the deny list; held at reception, no badge */
};

struct host {
    int64_t id;
    char name[HOST_NAME_MAX_CHARS * 4 + 1];
    char department[HOST_DEPT_MAX * 4 + 1];
};

/* Signs a visitor in. Every field is checked first (FD_EINVAL names the
 * field); the host must be an active directory entry (FD_ENOTFOUND). Fills
 * *out (may be NULL). Returns 0, FD_EINVAL, FD_ENOTFOUND, FD_EFULL or FD_EDB.
 * A visitor whose name or phone matches head office's deny list (deny.h) is
 * still signed in, with out->held = 1, an alert for the staff console and an
 * audit record, all in the sign-in's transaction: the caller prints no
 * badge and sends the visitor to reception without saying why. */
int visitor_sign_in(struct fd_store *st, const struct visitor_in *in,
                    int64_t now, struct visitor *out, struct fd_err *err);

/* visitor_sign_in inside the caller's open write transaction, for a guest
 * with an invitation (invite.c marks it used in the same transaction): the
 * same checks, no commit; the visitor names `invitation` (its code), and a
 * host head office named need not be in this kiosk's directory (then it is
 * kept as named, without a directory entry). Sets *id. Returns 0,
 * FD_EINVAL, FD_EFULL or FD_EDB; on an error the caller rolls back. */
int visitor_sign_in_tx(struct fd_store *st, const struct visitor_in *in,
                       const char *invitation, int64_t now, int64_t *id, struct fd_err *err);

/* Signs visitor `id` out; `how` is "staff", "self" or "closing". FD_ESTATE
 * when already signed out. */
int visitor_sign_out(struct fd_store *st, int64_t id, const char *how,
                     int64_t now, struct fd_err *err);

/* Finds a visitor by today's badge ("V0003") or by id (all digits). */
int visitor_find(struct fd_store *st, const char *badge_or_id, int64_t now,
                 struct visitor *out, struct fd_err *err);

/* Lists visitors: on site only, or all of business day `day` (NULL = today).
 * *out malloc'd, free() it. */
int visitor_list(struct fd_store *st, int on_site_only, const char *day,
                 int64_t now, struct visitor **out, int *n, struct fd_err *err);

/* Signs out ("closing") everyone still on site from an earlier business day,
 * and everyone of today once the configured closing time has passed.
 * Returns the number signed out, or a negative FD_E* code. */
int visitor_sign_out_at_closing(struct fd_store *st, int64_t now,
                                struct fd_err *err);

#define VISITOR_ERASE_BATCH 200 /* visitors erased per write transaction */

/* Called for each visitor erased, inside the batch's transaction on `db`
 * (the same connection): erases the visitor's copies that other modules own
 * (the print jobs of app/print/printq.c). Returns 0, or non-zero to roll the
 * batch back. */
typedef int (*visitor_erase_hook)(void *ctx, sqlite3 *db, int64_t visitor_id);

/* Erases the personal data (name, phone, company, purpose) of visitors who
 * signed out more than visitor_retention_days business days ago; the badge,
 * host and times stay for the statistics. On an enrolled kiosk a visitor is
 * erased once head office holds the record (no outbox row left for them); on
 * a kiosk that is not enrolled it is erased anyway, with its outbox rows (the
 * record will never be sent). Local only: no outbox row is written.
 * visitor_erase_batch erases at most `max` (<= VISITOR_ERASE_BATCH) in one
 * short write transaction and returns how many; visitor_erase_old repeats
 * batches, pausing between them (retention_batches) so that other writers get
 * in, until none is left. `hook` may be NULL. Both return the number erased,
 * or a negative FD_E* code (batches already committed stay erased). */
int visitor_erase_batch(struct fd_store *st, int64_t now, int max,
                        visitor_erase_hook hook, void *ctx, struct fd_err *err);
int visitor_erase_old(struct fd_store *st, int64_t now, visitor_erase_hook hook,
                      void *ctx, struct fd_err *err);

/* Host directory. host_add returns 0 and sets *id; host_search lists active
 * hosts whose name or department contains `query` (all when NULL or "").
 * *out malloc'd, free() it. */
int host_add(struct fd_store *st, const char *name, const char *department,
             int64_t *id, struct fd_err *err);
int host_search(struct fd_store *st, const char *query, struct host **out,
                int *n, struct fd_err *err);


#define HOST_ID_MAX (1LL << 40) /* ids come from head office's directory */

/* Creates host `id` or replaces its name, department and active flag, as
 * head office's directory lists it; host_add's rules. One statement: runs in
 * the caller's transaction when there is one. Returns 0, FD_EINVAL or FD_EDB. */
int host_put(struct fd_store *st, int64_t id, const char *name, const char *department,
             int active, struct fd_err *err);

/* Makes inactive every host whose id is not among keep[0..n) (rows stay:
 * visitors refer to them). Returns how many, or FD_EDB. */
int host_retire_others(struct fd_store *st, const int64_t *keep, int n, struct fd_err *err);

/* ---- telling the host (issue 14) ---- */

/* Records head office's word on whether visitor_id's host was told:
 * outcome "sent", "failed" (gave up after a day) or "none" (the host has no
 * notification target). signed_in_at must match the visitor's (ids recur
 * after a restore: a notice for another visit is ignored, returning
 * FD_ENOTFOUND). One statement: in the caller's transaction when there is
 * one. Returns 0, FD_EINVAL, FD_ENOTFOUND or FD_EDB. */
int visitor_notice_put(struct fd_store *st, int64_t visitor_id, int64_t signed_in_at,
                       const char *outcome, int64_t at, struct fd_err *err);

struct visitor_untold {
    struct visitor v;
    char outcome[8];            /* "" = no word from head office yet, "failed", "none" */
};

/* Today's arrivals (business day of now) still on site whose host has not
 * been told: no "sent" outcome from head office, oldest first, at most 500.
 * Reception phones them. A visitor who has left, or one held at the desk
 * (deny list), is not listed: nobody is to be called for them. *out malloc'd (free()); returns 0 or FD_EDB. */
int visitor_untold_list(struct fd_store *st, int64_t now, struct visitor_untold **out, int *n,
                        struct fd_err *err);

#endif
