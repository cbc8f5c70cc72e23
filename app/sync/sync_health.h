/* sync_health.h - the kiosk's health record for head office (hq/PROTOCOL.md,
 * "health"): app version, printer state, print jobs failed, outbox backlog,
 * last sync error, uptime and free disk. The sync worker collects it before
 * each round and offers it when something that matters changed or 5 minutes
 * passed since the last one head office took; the next push on that thread
 * carries it (a push with no records when the outbox is empty). */
#ifndef SYNC_HEALTH_H
#define SYNC_HEALTH_H
#include <sqlite3.h>
#include <stddef.h>

#define SYNC_HEALTH_EVERY 300   /* seconds: a health record at least this often */

/* The printer as the print queue sees it (app/print/printq.h). */
struct sync_printer {
    int known;                  /* 0: no printer worker in this process */
    int online;                 /* connected and answering */
    int paper_out;
    int paper_near_end;
    int cover_open;
    char message[96];           /* "ready", "paper end", ... */
    long long jobs_failed;      /* print jobs failed, waiting for staff
                                   (printq_counts; the print queue owns
                                   print_job, so sync never reads it) */
};

/* Fills *out (zeroed before the call) from the print queue, known included;
 * runs on the sync thread (thread-safe). */
typedef void (*sync_printer_fn)(void *ctx, struct sync_printer *out);

struct sync_health {
    char app_version[33];
    struct sync_printer printer;
    long long print_failed;     /* printer.jobs_failed (0 without fn) */
    long long backlog;          /* outbox rows (exact up to 10,000, then an upper bound) */
    char last_error[257];       /* sync_state.last_error */
    long long uptime_s;         /* seconds this process has run */
    long long disk_free_mb;     /* free space in the database's folder */
};

/* What the worker remembers between rounds. Zero it before the first use. */
struct sync_health_state {
    struct sync_health last;    /* the last record head office took */
    int sent;                   /* last is valid */
    double sent_at;             /* monotonic seconds when it was taken */
};

/* Reads the health of the store at db_path on db (printer from fn, NULL =
 * unknown). Returns 0, or -1 when the store cannot be read (out is then
 * still filled with what could be). */
int sync_health_collect(sqlite3 *db, const char *db_path, sync_printer_fn fn, void *ctx,
                        struct sync_health *out);

/* 1 when head office should hear of b having been a: the version, the
 * printer, failed jobs or the sync error changed (backlog, uptime and free
 * space change all the time and ride along). */
int sync_health_changed(const struct sync_health *a, const struct sync_health *b);

/* The record as compact JSON (malloc'd; NULL when memory runs out). */
char *sync_health_json(const struct sync_health *h);

/* Before a round: collects, and offers the record for this thread's next
 * push when it changed or SYNC_HEALTH_EVERY passed. */
void sync_health_before_round(struct sync_health_state *hs, sqlite3 *db, const char *db_path,
                              sync_printer_fn fn, void *ctx);
/* After a round: notes whether head office took the offered record. */
void sync_health_after_round(struct sync_health_state *hs);

struct sync_result;

/* One sync round carrying the health record, as the kiosk's sync worker runs
 * each of its rounds and `frontdesk-ctl sync now` runs its one:
 * sync_health_before_round, sync_round (no batch limit), then
 * sync_health_after_round. hs is the caller's memory between rounds; a
 * zeroed one (a one-shot caller) always sends the record. fn NULL: no
 * printer worker in this process (printer.known false). Returns
 * sync_round's 0 or sync_rc, with res and err filled as it fills them. */
int sync_health_round(struct sync_health_state *hs, sqlite3 *db, const char *db_path,
                      sync_printer_fn fn, void *ctx, struct sync_result *res, char *err,
                      size_t errlen);

/* The record waiting for this thread's next push (NULL = none), and the
 * push's report that head office answered 200 to a body carrying it. Used
 * by sync.c. sync_health_offer(NULL) withdraws it. */
void sync_health_offer(const char *json);
const char *sync_health_pending(void);
void sync_health_delivered(void);

#endif
