/* sync.h - the kiosk side of head-office sync (hq/PROTOCOL.md): enrolment,
 * pushing the outbox in signed gzip batches (one in flight), pulling
 * configuration and complaint status, and the sync health the console shows.
 * Every function works on the caller's SQLite connection to the kiosk store
 * (schema 0001 + 0003) and blocks on the network: call it from the sync
 * worker (sync_worker.h) or frontdesk-ctl, never from the UI thread. */
#ifndef SYNC_H
#define SYNC_H
#include <sqlite3.h>
#include <stddef.h>

#define SYNC_BATCH_ROWS 400        /* rows per push (the server takes up to 500) */
#define SYNC_BATCH_BYTES (1u << 20)/* plain JSON per push; a batch stops before this */

/* Results: 0 or one of these. */
enum sync_rc {
    SYNC_OK = 0,
    SYNC_E_DB = -1,        /* the kiosk database failed */
    SYNC_E_NET = -2,       /* could not reach head office, or no answer */
    SYNC_E_REFUSED = -3,   /* head office refused (4xx): err says why */
    SYNC_E_BUSY = -4,      /* 429/503: retry after *retry_after seconds */
    SYNC_E_SERVER = -5,    /* 5xx or an answer that is not the protocol */
    SYNC_E_NOT_ENROLLED = -6,
    SYNC_E_ARG = -7,       /* bad argument */
};

struct sync_status {
    int enrolled;
    char hq_url[256];
    char branch[129];
    char device_id[65];
    long long backlog;      /* outbox rows not yet acknowledged (exact up to 10,000, then an upper bound) */
    long long pull_cursor;
    long long last_attempt; /* Unix seconds, 0 = never */
    long long last_success; /* Unix seconds, 0 = never */
    int failures;           /* consecutive */
    char last_error[256];   /* "" when the last attempt succeeded */
};

/* What one round did. */
struct sync_result {
    long long pushed;       /* rows acknowledged and deleted */
    long long batches;
    long long pulled;       /* changes applied */
    long long skipped;      /* changes (or parts) refused by core's rules: in the audit log */
    int retry_after;        /* seconds head office asked for (busy), else 0 */
    int batch_rows;         /* rows per push head office takes (halved on 413) */
};

/* Test and benchmark hooks: before a push request is sent and after its
 * answer arrived (before the kiosk acts on it). A hook returning non-zero
 * aborts the round with SYNC_E_NET (as if the network had failed there). */
struct sync_hooks {
    int (*before_send)(void *ctx, long long first_seq, long long last_seq);
    int (*after_answer)(void *ctx, long long status);
    void *ctx;
};
void sync_set_hooks(const struct sync_hooks *h); /* NULL clears; not thread-safe */

/* Makes this kiosk's key pair, registers it at hq_url with the one-time
 * token, and stores url, keys, branch and ca_file (a PEM file of the CA to
 * trust for an https head office; NULL = the system's CAs) in sync_state.
 * Makes meta.device_id if the store has none. Returns 0 or a sync_rc with a
 * sentence in err. */
int sync_enroll_ca(sqlite3 *db, const char *hq_url, const char *token, const char *ca_file,
                   char *err, size_t errlen);

/* sync_enroll_ca with the system's CAs. */
int sync_enroll(sqlite3 *db, const char *hq_url, const char *token, char *err, size_t errlen);

/* Pushes one batch (the oldest outbox rows of one epoch, at most
 * res->batch_rows or SYNC_BATCH_ROWS; halved while head office answers 413).
 * Adds the rows acknowledged to res->pushed (nothing when the outbox is
 * empty). Returns 0 or a sync_rc. */
int sync_push_once(sqlite3 *db, struct sync_result *res, char *err, size_t errlen);

/* Pulls and applies changes until head office has no more. Returns 0 or a
 * sync_rc. Each page is applied with its cursor in one transaction. */
int sync_pull(sqlite3 *db, struct sync_result *res, char *err, size_t errlen);

/* One full round: push until the outbox is empty (or max_batches, 0 = no
 * limit), then pull. Stops at the first error. Returns 0 or a sync_rc. */
int sync_round(sqlite3 *db, long long max_batches, struct sync_result *res, char *err,
               size_t errlen);

/* The device id and (unsealed) secret key, for tests and tools that craft
 * requests; the caller wipes sk (sodium_memzero). Returns 0,
 * SYNC_E_NOT_ENROLLED (also when the key was sealed on another machine) or
 * SYNC_E_DB. */
int sync_device_key(sqlite3 *db, char device_id[65], unsigned char sk[64], char *err,
                    size_t errlen);

/* Seals at rest (core's seal.h) the secrets a store may still hold in
 * plain hex from before sealing: the device key (sync_state.secret_key)
 * and head office's deny key (deny.c's deny_key_seal). Called at every pull
 * (one read each when there is nothing to do). Returns how many it sealed
 * (0 also when this machine has no id to seal with: nothing is tried, and
 * nothing is logged at each pull), or SYNC_E_DB. */
int sync_seal_at_rest(sqlite3 *db);

/* Whether head office is within reach now (issue 14: else reception calls
 * the visitor's host itself): enrolled, the last sync attempt succeeded,
 * and the last success is at most SYNC_REACH_S seconds old (the worker
 * talks to head office every 15 s, at least every 5 minutes). 1 or 0 (also
 * when the database cannot tell). */
#define SYNC_REACH_S 180
int sync_hq_in_reach(sqlite3 *db, long long now);

/* Reads the sync health. Returns 0 or SYNC_E_DB. */
int sync_status_get(sqlite3 *db, struct sync_status *st);

/* Full-jitter backoff: a random wait in [0, min(cap, base * 2^failures)],
 * at least floor (Retry-After). Seconds. */
double sync_backoff(int failures, double base, double cap, double floor);

#endif
