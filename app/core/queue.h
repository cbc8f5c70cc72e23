/* queue.h - services, counters and the ticket queue engine.
 * A ticket's number comes from ticket_seq in the same transaction that writes
 * the ticket (and, by trigger, its outbox row), so a number shown is never
 * issued again, whatever crashes. Call-next picks, among the services a
 * counter serves, priority tickets first, then the oldest; "oldest" is the
 * ticket id, never a wall clock. All functions take `now` (Unix seconds) so
 * that tests can drive time. */
#ifndef FD_QUEUE_H
#define FD_QUEUE_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define QUEUE_NAME_MAX 40 /* characters in a service or counter name */
#define QUEUE_SORT_MAX 1000000 /* |sort| of a service on the home screen */
#define QUEUE_CODE_MAX 2   /* capital letters of a service code: "A", "VP" */
#define QUEUE_CODES_MAX 64 /* bytes of a counter's "A,B,..." list */

struct queue_service {
    int64_t id;
    char code[3];             /* "A", "VP" */
    char name_zh[QUEUE_NAME_MAX * 4 + 1];
    char name_en[QUEUE_NAME_MAX * 4 + 1];
    int active;               /* 0: takes no new tickets */
    int open_min, close_min;  /* local opening hours, minutes after midnight */
    int daily_cap;            /* tickets per business day, 0 = no cap */
    /* filled by queue_service_list: */
    int open_now;             /* active and within hours at `now` */
    int waiting;              /* tickets waiting today */
    int counters_open;        /* open counters serving it */
    int64_t est_wait_s;       /* estimate for a ticket taken now */
};

struct queue_counter {
    int id;                   /* the number visitors see */
    char name[QUEUE_NAME_MAX * 4 + 1];
    int open;                 /* staffed */
    char services[64];        /* codes it serves, comma-separated */
    int64_t ticket_id;        /* ticket called or being served, 0 = none */
    char ticket[8];           /* its label */
    char ticket_state[12];    /* called or serving */
};

struct queue_ticket {
    int64_t id;
    char label[8];            /* "A001" */
    char service[3];          /* current service code */
    char issued_service[3];   /* service it was issued for */
    char bday[11];            /* business day it was issued on */
    int number;
    int priority;
    char state[12];           /* waiting called serving done noshow cancelled */
    int counter;              /* 0 = none */
    int recalls, transfers;
    int64_t issued_at, called_at, serving_at, finished_at; /* 0 = not yet */
    int ahead;                /* waiting before it (queue_take, queue_ticket_get) */
    int64_t est_wait_s;       /* estimated wait from now (same) */
};

/* Adds a service. code: 1-2 capital letters; names required, at most
 * QUEUE_NAME_MAX characters; hours 0..1440 with open < close; cap >= 0.
 * Returns 0, FD_EINVAL, FD_EEXIST (code taken) or FD_EDB. */
int queue_service_add(struct fd_store *st, const struct queue_service *svc,
                      struct fd_err *err);

/* Changes active flag, hours and cap of service `code` (names too when not
 * empty). Returns 0, FD_EINVAL, FD_ENOTFOUND or FD_EDB. */
int queue_service_update(struct fd_store *st, const struct queue_service *svc,
                         struct fd_err *err);

/* Creates service svc->code, or replaces all of it (names required, active,
 * hours, cap, and its place `sort`), as head office lists it. The rules are
 * queue_service_add's (cap at most 9,999; |sort| <= QUEUE_SORT_MAX). One
 * statement: runs in the caller's transaction when there is one.
 * Returns 0, FD_EINVAL or FD_EDB. */
int queue_service_put(struct fd_store *st, const struct queue_service *svc, int sort,
                      struct fd_err *err);

/* Makes inactive every active service whose code is not among keep[0..n)
 * (rows stay: tickets refer to them). Returns how many, or FD_EDB. */
int queue_service_retire_others(struct fd_store *st, const char *const *keep, int n,
                                struct fd_err *err);

/* Lists services in display order with today's figures at `now`. On success
 * *out is a malloc'd array of *n entries (free() it). */
int queue_service_list(struct fd_store *st, int64_t now,
                       struct queue_service **out, int *n, struct fd_err *err);

/* Adds counter `id` (1..999) serving the comma-separated service `codes`.
 * Returns 0, FD_EINVAL, FD_ENOTFOUND (a code), FD_EEXIST or FD_EDB. */
int queue_counter_add(struct fd_store *st, int id, const char *name,
                      const char *codes, struct fd_err *err);

/* Creates counter `id` or renames it, and makes it serve exactly the
 * comma-separated `codes` ("" = nothing); whether it is staffed stays the
 * branch's. Every code must name an existing service, else nothing changes.
 * Atomic (a savepoint, inside the caller's transaction when there is one).
 * Returns 0, FD_EINVAL, FD_ENOTFOUND (a code) or FD_EDB. */
int queue_counter_put(struct fd_store *st, int id, const char *name, const char *codes,
                      struct fd_err *err);

/* Counters not among keep[0..n) serve nothing any more (rows stay). Returns
 * how many changed, or FD_EDB. */
int queue_counter_retire_others(struct fd_store *st, const int *keep, int n,
                                struct fd_err *err);

/* Opens (staffed) or closes a counter. Closing one that has a ticket called or
 * in service is refused (FD_ESTATE). */
int queue_counter_set_open(struct fd_store *st, int id, int open,
                           struct fd_err *err);

/* Lists counters with what each is doing; *out malloc'd, free() it. */
int queue_counter_list(struct fd_store *st, struct queue_counter **out, int *n,
                       struct fd_err *err);

/* Issues a ticket for service `code`. Returns 0 and fills *out (with ahead and
 * the estimate), or FD_ENOTFOUND (no such service), FD_ECLOSED (inactive or
 * outside hours), FD_EFULL (daily cap, or 9999 numbers), FD_EDB. */
int queue_take(struct fd_store *st, const char *code, int priority, int64_t now,
               struct queue_ticket *out, struct fd_err *err);

/* Counter operations. Each acts on the counter's current ticket (called or
 * serving) and fills *out with it afterwards:
 *  call_next: finishes a ticket in service, then calls the next waiting one
 *             (FD_EEMPTY when none; FD_ESTATE when a called visitor has not
 *             come yet: recall or no-show first);
 *  recall:    calls again; past recall_limit the ticket becomes a no-show;
 *  noshow:    the called visitor did not come;
 *  serve:     the visitor arrived (called -> serving);
 *  finish:    done (from called or serving);
 *  transfer:  back to waiting in service `code`, keeping its place by issue
 *             order, its number and its history.
 * `actor` is who did it, for the ticket's history. */
int queue_call_next(struct fd_store *st, int counter, const char *actor,
                    int64_t now, struct queue_ticket *out, struct fd_err *err);
int queue_recall(struct fd_store *st, int counter, const char *actor,
                 int64_t now, struct queue_ticket *out, struct fd_err *err);
int queue_noshow(struct fd_store *st, int counter, const char *actor,
                 int64_t now, struct queue_ticket *out, struct fd_err *err);
int queue_serve(struct fd_store *st, int counter, const char *actor,
                int64_t now, struct queue_ticket *out, struct fd_err *err);
int queue_finish(struct fd_store *st, int counter, const char *actor,
                 int64_t now, struct queue_ticket *out, struct fd_err *err);
int queue_transfer(struct fd_store *st, int counter, const char *code,
                   const char *actor, int64_t now, struct queue_ticket *out,
                   struct fd_err *err);

/* Cancels a waiting ticket (the visitor left). FD_ESTATE if not waiting. */
int queue_cancel(struct fd_store *st, int64_t ticket_id, const char *actor,
                 int64_t now, struct fd_err *err);

/* Closes earlier business days: their tickets still waiting or called are
 * cancelled (event "expired"), those still in service are finished. Run at
 * the turnover (the kiosk sweeps every minute; frontdesk-ctl sweep). Returns
 * the number of tickets closed, or a negative FD_E* code. */
int queue_expire(struct fd_store *st, const char *actor, int64_t now,
                 struct fd_err *err);

/* Reads ticket `id` (with ahead and estimate when waiting). */
int queue_ticket_get(struct fd_store *st, int64_t id, int64_t now,
                     struct queue_ticket *out, struct fd_err *err);

/* Finds a ticket by label on the current business day ("A012"). */
int queue_ticket_find(struct fd_store *st, const char *label, int64_t now,
                      struct queue_ticket *out, struct fd_err *err);

/* Waiting tickets of today in call order (service `code`, or all when NULL);
 * *out malloc'd, free() it. */
int queue_waiting(struct fd_store *st, const char *code, int64_t now,
                  struct queue_ticket **out, int *n, struct fd_err *err);

/* A call as the lobby announces it: a ticket_event "called" or "recalled". */
struct queue_call {
    int64_t event_id;         /* increasing: a cursor for "what is new" */
    int64_t ticket_id;
    char label[8];            /* "A012" */
    int counter;
    int recall;               /* 1: called again */
    int64_t at;
};

/* Calls and recalls. after_id >= 0: those with event_id > after_id, oldest
 * first (what a lobby has not announced yet); after_id < 0: the last ones of
 * the business day at `now`, newest first. At most `max` (1..1000).
 * *out malloc'd, free() it. Returns 0, FD_EINVAL or FD_EDB. */
int queue_calls(struct fd_store *st, int64_t after_id, int max, int64_t now,
                struct queue_call **out, int *n, struct fd_err *err);

/* The business day in force at `now`: the configured day at `now`, but never
 * earlier than the last day a ticket was issued on (a clock set backwards does
 * not reopen an old day). */
void queue_bday(struct fd_store *st, int64_t now, char out[11]);

/* Estimated wait for a ticket with `ahead` people before it in service
 * `service_id`: ahead x mean time a counter spends per ticket (called to
 * finished, last avg_window tickets of the service, else default_service_s)
 * / the open counters serving it, each counted by its share (a counter that
 * serves two services counts half). Measured on simulated days by
 * bench/sim_day (see README). */
int64_t queue_estimate(struct fd_store *st, int64_t service_id, int ahead);

#endif
