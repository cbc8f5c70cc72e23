/* printq.h - the print job queue: jobs are rows of print_job
 * (data/schema/0002_print.sql) holding the ESC/POS bytes, and one worker
 * thread with its own SQLite connection sends them to the printer. The UI
 * thread only inserts rows (printq_enqueue, in its own transaction if it
 * likes) and reads printq_get_state; it never waits on USB.
 *
 * Delivery rule: a job is marked 'printing' in a committed write before its
 * first byte is sent, and is sent again automatically only when the
 * transport reported that the send failed (unplug, timeout): then it goes
 * back to 'pending' and prints once the printer is back. A job still
 * 'printing' when the queue starts was interrupted by a crash or power cut
 * at an unknown point: it is NOT resent (the visitor may hold the receipt,
 * and a ticket printed minutes later would be for someone who has gone);
 * it becomes 'failed' with a reason, and staff reprint it if needed. */
#ifndef FD_PRINTQ_H
#define FD_PRINTQ_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "prn_transport.h"

struct printq_config {
    const char *db_path;        /* the store; the worker opens its own connection */
    const char *printer_uri;    /* see prn_transport.h */
    int rescan_ms;              /* retry an absent printer this often (0: 2000) */
    int poll_ms;                /* read status this often while idle (0: 5000) */
    int io_timeout_ms;          /* per write chunk and status answer (0: 2000) */
    int max_attempts;           /* sends tried before a job fails (0: 3) */
    int pending_max_s;          /* a job pending longer expires (0: never);
                                   the setting print_pending_max_s */
    void (*notify)(void *user); /* on the worker thread, when the state changed:
                                   e.g. SDL_PushEvent to wake the UI */
    void *user;
};

/* What the staff console shows. */
struct printq_state {
    int connected;              /* the transport is open */
    int ready;                  /* connected and the last status allows printing */
    struct prn_status status;   /* the last status read */
    int pending;                /* jobs waiting */
    int failed;                 /* jobs failed, waiting for staff */
    char message[192];          /* "ready", "paper end", "not connected: ..." */
    char detail[128];           /* transport detail ("usb 0416:5011 if 0 ...") */
    unsigned long seq;          /* raised at every change */
};

struct printq;

/* Starts the worker. It first turns jobs left in 'printing' into 'failed'
 * (see above). Returns 0 and *out, or -1 with a sentence in err (database
 * cannot be opened, thread cannot start). The printer may be absent. */
int printq_start(const struct printq_config *cfg, struct printq **out, char *err,
                 size_t errlen);
/* Tells the worker that jobs were added or changed (cheap, any thread). */
void printq_wake(struct printq *q);
/* Copies the current state (any thread). */
void printq_get_state(struct printq *q, struct printq_state *out);
/* Waits until the state's seq passes `seq` or timeout_ms elapse; returns 0
 * or -1 on timeout. For tests and command-line tools. */
int printq_wait(struct printq *q, unsigned long seq, int timeout_ms);
/* Stops and joins the worker (a job being sent finishes first, bounded by
 * the I/O timeouts), closes the printer and the connection. NULL is fine. */
void printq_stop(struct printq *q);

/* Job rows, on the caller's connection (any thread with its own). Each
 * returns 0 or -1 (SQLite error, or the job is not in a state that allows
 * it). */
int printq_enqueue(sqlite3 *db, const char *kind, int64_t ref_id, const void *payload,
                   size_t len, int64_t *id);
/* pending or failed -> cancelled. */
int printq_cancel(sqlite3 *db, int64_t id);
/* A new pending job with the same bytes as job `id` (any state), while its
 * bytes are kept (the reprint window); -1 after. */
int printq_reprint(sqlite3 *db, int64_t id, int64_t *new_id);
/* pending -> failed with `why` as last_error: a job its caller will not see
 * printed (frontdesk-ctl print when the printer cannot be opened or is not
 * ready), so that no printer prints it by surprise later. */
int printq_fail(sqlite3 *db, int64_t id, const char *why);
/* Jobs pending and failed, through the index print_job_by_state: the cost
 * follows those few rows, not the history (the worker publishes these on
 * every poll of an idle kiosk). Returns 0, or -1 with both left at -1. */
int printq_counts(sqlite3 *db, int *pending, int *failed);
/* A job as the staff console's printer page and `frontdesk-ctl printer
 * jobs` list it. */
struct printq_job {
    int64_t id;
    char kind[16];              /* ticket, visitor, complaint, evacuation, ... */
    int64_t ref_id;             /* the record printed, 0 if none */
    char state[12];             /* pending printing done failed cancelled expired */
    int attempts;
    char error[256];            /* last_error, "" if none */
    int64_t created_at;
    int64_t printed_at;         /* 0: not printed */
};
/* The newest jobs, at most max, newest first. Returns how many, or -1. */
int printq_jobs(sqlite3 *db, struct printq_job *out, int max);
/* Job id's state word into state: 0, 1 if there is no such job (state ""),
 * or -1 (SQLite error). */
int printq_job_state(sqlite3 *db, int64_t id, char *state, size_t len);
/* 'printing' -> 'failed' for every job (done by printq_start); *n counts them. */
int printq_recover(sqlite3 *db, int *n);

/* ---- retention (data/schema/0005_retention.sql) ----
 * A receipt holds names (badges, the evacuation list): its bytes are kept
 * for a reprint window only, and a visitor's erasure erases their jobs'
 * bytes too. A job pending too long expires: a ticket printed an hour late
 * is for someone who has left. State 'expired' shows in the console's job
 * list and `frontdesk-ctl printer jobs` with last_error saying why. */
#define PRINTQ_BATCH 200        /* rows per write transaction */
#define PRINTQ_HISTORY_DAYS 90  /* job rows (without bytes) kept this long */

/* pending jobs created more than max_age_s before `now` -> 'expired' (one
 * statement over the few pending rows). Returns how many, or -1. */
int printq_expire(sqlite3 *db, int64_t now, int max_age_s);
/* Drops the bytes of every job not pending or printing created more than
 * keep_s (at least an hour) before `now`, and deletes the rows of those
 * older than PRINTQ_HISTORY_DAYS; in batches of PRINTQ_BATCH rows, each its
 * own transaction, with a pause between. Returns the jobs changed, or -1.
 * Not inside a transaction of the caller's. */
int printq_compact(sqlite3 *db, int64_t now, int64_t keep_s);
/* How long a receipt's bytes are kept: the reprint window (the setting
 * print_reprint_hours), but never longer than visitors' personal data
 * (visitor_retention_days, 0 = kept), so that no copy outlives the record. */
int64_t printq_keep_s(long reprint_hours, long retention_days);
/* Drops the bytes of every job of record (kind, ref_id), e.g. ("visitor",
 * id) when the visitor is erased; a pending one is cancelled. Runs in the
 * caller's transaction if there is one (visitor_erase_old's hook). Returns 0
 * or -1. */
int printq_erase_ref(sqlite3 *db, const char *kind, int64_t ref_id, int64_t now);

/* Outcome of printq_run_job. */
enum printq_result {
    PRINTQ_DONE = 0,        /* all bytes sent, status after fine or unknown */
    PRINTQ_NOT_READY = 1,   /* status before said not ready: job left pending */
    PRINTQ_RETRY = 2,       /* transport failed: job pending again (or failed at the
                               attempt cap); close the transport and rescan */
    PRINTQ_FAILED = 3,      /* job failed for good (see last_error) */
    PRINTQ_SKIPPED = 4,     /* job no longer pending (cancelled, done elsewhere) */
    PRINTQ_EDB = -1,        /* SQLite error */
};

/* Prints job `id` on transport t following the delivery rule above: status
 * before, mark printing (committed), send, status after, mark done/failed/
 * pending. The worker uses it; so does frontdesk-ctl. *st gets the last
 * status read; msg a sentence on what happened. */
enum printq_result printq_run_job(sqlite3 *db, struct prn_transport *t, int64_t id,
                                  int io_timeout_ms, int max_attempts,
                                  struct prn_status *st, char *msg, size_t msglen);

#endif
