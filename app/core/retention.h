/* retention.h - what the kiosk keeps, and for how long, beside the visitor
 * erasure of visitor.h: the outbox of a kiosk that is not enrolled with
 * head office, and the pacing shared by the housekeeping's batches. Every
 * function here works in short write transactions (a few hundred rows each)
 * with a pause between them, so the UI thread's writes never wait long. */
#ifndef FD_RETENTION_H
#define FD_RETENTION_H
#include <stdint.h>

#include <sqlite3.h>

#include "fderr.h"
#include "store.h"

#define RETENTION_OUTBOX_CAP 150000 /* rows a standalone kiosk keeps at most */
#define RETENTION_OUTBOX_BATCH 1000 /* outbox rows deleted per transaction */

/* 1 when the kiosk is enrolled with head office (sync_state has a head
 * office and a key), 0 when it is not, FD_EDB when the store cannot say.
 * Cheap: one row. Core's one reading of the rule (cfg_enrolled asks it);
 * app/sync/sync_status.c applies the same to the row it reads whole. */
int retention_enrolled(struct fd_store *st);

/* Bounds the outbox of a kiosk that is not enrolled: rows older than
 * outbox_standalone_days go (their age comes from outbox_mark, which this
 * function also keeps: one mark an hour), and past RETENTION_OUTBOX_CAP rows
 * the oldest go. An enrolled kiosk keeps every row until head office
 * acknowledges it; then only the marks are kept up. Works in batches of
 * RETENTION_OUTBOX_BATCH rows, each its own transaction, and stops at once
 * if the kiosk is enrolled meanwhile. Returns the number of rows deleted, or
 * a negative FD_E* code (rows deleted by earlier batches stay deleted). */
int retention_trim_outbox(struct fd_store *st, int64_t now, struct fd_err *err);

/* Removes the store's restore and migration copies once they are older than
 * RETENTION_COPY_KEEP_S, or than visitor_retention_days when that is
 * shorter (they hold personal data). Returns how many went, or FD_EDB. */
#define RETENTION_COPY_KEEP_S (7 * 86400L)
int retention_prune_copies(struct fd_store *st, int64_t now);

/* Housekeeping in batches: calls step(ctx, max), which does at most `max`
 * rows in a transaction of its own and returns how many (or a negative
 * FD_E* code), until it does fewer than `max`. Between two batches it sleeps
 * as long as the last took (at least 2 ms, at most 50 ms), so that another
 * connection waiting for the write lock gets it. Returns the rows of all
 * batches, or step's negative code (batches already committed stay done). */
int retention_batches(int (*step)(void *ctx, int max), void *ctx, int max);

#define RETENTION_ALERT_BATCH 500 /* deny alerts deleted per transaction */

/* Deletes the deny alerts (deny.c) that staff acknowledged more than
 * visitor_retention_days ago: the visitor records' period (0 = kept, as the
 * visitors are). Open alerts stay whatever their age; the audit rows of the
 * alert and its acknowledgement stay. Batches of RETENTION_ALERT_BATCH, each
 * its own transaction, paced by retention_batches. Returns how many went, or
 * a negative FD_E* code (earlier batches stay deleted). */
int retention_prune_alerts(struct fd_store *st, int64_t now, struct fd_err *err);

/* Outbox rows counted exactly up to this span of sequence numbers. */
#define RETENTION_BACKLOG_EXACT_SPAN 10000

/* The outbox rows waiting for head office, for status lines and the health
 * record, without reading the table: the lowest and highest seq through the
 * primary key, then an exact count over that span when it is at most
 * RETENTION_BACKLOG_EXACT_SPAN (*exact = 1), else the span itself as an upper
 * bound (*exact = 0: rows erased with a visitor leave gaps). count(*) read
 * every row: half a year store's file for one `frontdesk-ctl status`.
 * Returns 0, or FD_EDB (*backlog = 0). `exact` may be NULL. */
int retention_outbox_backlog(sqlite3 *db, int64_t *backlog, int *exact);

#endif
