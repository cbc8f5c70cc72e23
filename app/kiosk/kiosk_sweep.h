/* kiosk_sweep.h - the kiosk's periodic housekeeping on a worker thread with
 * its own SQLite connection: close earlier business days, sign visitors out
 * at closing, erase personal data after the retention period (with the
 * print jobs that hold it), bound what a kiosk that is not enrolled keeps,
 * expire receipts that never printed and drop receipt bytes after the
 * reprint window. Each step works in short write transactions, so the UI
 * thread never waits long for the write lock, and it never runs the sweep
 * itself. frontdesk-ctl sweep runs the same steps (app/ctl/ctl.c). */
#ifndef FD_KIOSK_SWEEP_H
#define FD_KIOSK_SWEEP_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define KSWEEP_EVERY_MS 60000 /* one round a minute, and one at start */

/* What one round did. */
struct ksweep_counts {
    int tickets_closed;     /* earlier business days closed (queue_expire) */
    int visitors_signed_out;/* at closing */
    int visitors_erased;    /* personal data erased (retention) */
    int outbox_dropped;     /* outbox rows a standalone kiosk no longer keeps */
    int jobs_expired;       /* receipts pending too long */
    int jobs_compacted;     /* receipts whose bytes (or rows) were dropped */
    int copies_removed;     /* old <db>.replaced / .pre-migration copies */
};

/* One round on `st` (any connection not inside a transaction), as of `now`,
 * `actor` recorded for closed tickets. Every step runs even if an earlier
 * one failed; returns 0, or the first failure's FD_E* code with err filled.
 * Fills *c (may be NULL). */
int ksweep_once(struct fd_store *st, int64_t now, const char *actor,
                struct ksweep_counts *c, struct fd_err *err);

struct ksweep;

/* Starts the worker on the store at db_path: a round at once, then every
 * KSWEEP_EVERY_MS. notify(user) is called on the worker thread after a round
 * that changed something a screen shows (the kiosk's wake callback).
 * Returns NULL when the thread or its connection cannot start (said on
 * stderr); the kiosk then runs without housekeeping. */
struct ksweep *ksweep_start(const char *db_path, void (*notify)(void *), void *user);
/* Runs a round now (any thread). */
void ksweep_wake(struct ksweep *k);
/* Stops and joins the worker (a round under way is interrupted: its batch
 * rolls back, what earlier batches did stays); NULL is fine. */
void ksweep_stop(struct ksweep *k);

#endif
