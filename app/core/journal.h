/* journal.h - the audit log (who did what, when) and the shift handover log
 * (交接班). Both only grow; both are synced to head office through the
 * outbox like every other record. */
#ifndef FD_JOURNAL_H
#define FD_JOURNAL_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define JOURNAL_NOTE_MAX 1000 /* characters in a handover note */

/* Appends an audit entry. Runs inside the caller's transaction when there is
 * one. Returns 0, FD_EINVAL or FD_EDB. */
int journal_audit(struct fd_store *st, const char *actor, const char *action,
                  const char *subject, const char *detail, int64_t now,
                  struct fd_err *err);

/* Records a shift handover by `staff` with a note; what is still open at
 * `now` (tickets waiting, counters busy, visitors on site, complaints open and
 * overdue) is captured with it as JSON. Sets *id. Returns 0, FD_EINVAL or
 * FD_EDB. */
int journal_handover(struct fd_store *st, const char *staff, const char *note,
                     int64_t now, int64_t *id, struct fd_err *err);

/* What is open now, as a JSON object (malloc'd; free()); NULL on error. */
char *journal_open_items(struct fd_store *st, int64_t now);

/* The last `limit` handovers, newest first, as a JSON array (malloc'd). */
char *journal_handovers(struct fd_store *st, int limit);

#endif
