/* counter.h - frontdesk-counter's parts, shared between its files: the
 * store connection pool (counter_srv.c), the live feed that notices every
 * change to the queue, made by any process, and fans it out to the pages'
 * Server-Sent Events streams (counter_live.c), and the self-signed TLS
 * certificate made at first start (counter_tls.c). */
#ifndef FD_COUNTER_H
#define FD_COUNTER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "queue.h"
#include "store.h"

/* ---- connection pool (counter_srv.c) ---------------------------------- */

/* One SQLite connection per request in flight; idle ones are kept (at most
 * POOL_IDLE_MAX) so a request does not pay for an open. */
struct counter_pool {
    pthread_mutex_t mu;
    const char *db;               /* the store's path */
    struct fd_store *idle[8];     /* idle connections, a stack */
    int nidle;
};

/* A connection from the pool, opened when none is idle; NULL (with err
 * filled) when the store cannot be opened. */
struct fd_store *counter_pool_get(struct counter_pool *p, char *err, size_t errlen);

/* Gives `st` back; `bad` closes it instead (after a database error). */
void counter_pool_put(struct counter_pool *p, struct fd_store *st, int bad);

/* ---- the live feed (counter_live.c) ------------------------------------ */

#define LIVE_RING 256         /* calls kept in memory for streams that lag */
#define LIVE_POLL_MS 100      /* how often PRAGMA data_version is read */

struct live {
    pthread_mutex_t mu;
    pthread_cond_t cv;            /* broadcast on every change and on stop */
    struct counter_pool *pool;    /* for catching up a stream from the store */
    char *state;                  /* the latest snapshot (JSON, malloc'd) */
    uint64_t state_seq;           /* bumped when the snapshot changes */
    struct queue_call ring[LIVE_RING]; /* calls with event_id in (ring_from, ring_to] */
    int ring_n;
    int64_t ring_from, ring_to;   /* every call in that range is in ring[] */
    int clients;                  /* open streams: no polling without any */
    int stop;
    int poke;                     /* poll now: this process just wrote */
    uint64_t polls, rebuilds;     /* counted for the bench and the log */
    int watching;                 /* the watcher's loop runs */
    int checking;                 /* ... and is reading the store right now */
    pthread_t thread;
    int started;
};

/* The snapshot a page shows: every counter with its current ticket and since
 * when, the waiting per service and the longest wait, the last calls of the
 * day. No visitor's personal data (a ticket is a label). Returns malloc'd
 * JSON, or NULL on a database error. */
char *live_snapshot(struct fd_store *st, int64_t now);

/* Starts the watcher thread on its own connection to `db`; it reads
 * PRAGMA data_version every LIVE_POLL_MS while at least one stream is open
 * (none: it sleeps on the condition), and on a change loads the new calls
 * and a new snapshot. Returns 0 or -1 (err filled). */
int live_start(struct live *lv, struct counter_pool *pool, char *err, size_t errlen);

/* Asks the watcher to look at once (after an action of this process): the
 * pages see it without waiting for the next poll. */
void live_poke(struct live *lv);

/* Stops the thread and wakes every stream so that it ends. */
void live_stop(struct live *lv);

/* A stream's state (one per GET /api/events). */
struct live_stream {
    struct live *lv;
    int64_t cursor;               /* id of the last call sent */
    uint64_t fresh;               /* send once lv->polls reaches this */
    uint64_t state_sent;          /* state_seq of the last snapshot sent */
    int hello;                    /* the first event (with the cursor) is out */
    char *out;                    /* bytes not yet given to libmicrohttpd */
    size_t len, off, cap;
    int (*alive)(void *);         /* 0 ends the stream (logged out) */
    void *alive_arg;
    void (*owner_free)(void *);   /* frees alive_arg with the stream, if set */
};

/* Opens a stream starting after call `last_id` (the Last-Event-ID header; -1
 * when absent: only what happens from now). Counts it as a client. */
struct live_stream *live_stream_open(struct live *lv, int64_t last_id,
                                     int (*alive)(void *), void *alive_arg);

/* libmicrohttpd's content reader for the stream (thread per connection: it
 * blocks until there is something to send, at most 15 s, then a comment). */
ssize_t live_stream_read(void *cls, uint64_t pos, char *buf, size_t max);

/* Frees the stream (libmicrohttpd's free callback) and uncounts it. */
void live_stream_free(void *cls);

/* ---- the server (counter_srv.c) ------------------------------------------ */

struct counter_opts {
    const char *db;               /* the kiosk's store */
    const char *listen;           /* "ADDR:PORT", IPv4; port 0 picks a free one */
    const char *cert, *key;       /* TLS files; default <db>.counter-cert.pem/-key.pem */
    int force_tls;                /* TLS on loopback too */
};

/* Serves the page and the API until SIGTERM or SIGINT: plain HTTP on a
 * loopback address, else TLS with the certificate (made at first start).
 * Prints the address (and the certificate's fingerprint) on stdout and
 * writes them to <db>.counter for the kiosk's health page. Returns 0 after
 * a signal, -1 when it could not start (err filled). */
int counter_run(const struct counter_opts *o, char *err, size_t errlen);

/* ---- TLS (counter_tls.c) ------------------------------------------------ */

/* Loads the certificate and key at cert_path/key_path, or makes them (a
 * self-signed ECDSA P-256 certificate for `ip`, valid ten years; the key
 * written 0600) when absent. On success *cert and *key are malloc'd PEM text
 * (wipe and free the key) and fpr holds the certificate's SHA-256
 * fingerprint as "AB:CD:...". Returns 0 or -1 (err filled). */
int counter_tls_load(const char *cert_path, const char *key_path, const char *ip,
                     char **cert, char **key, char fpr[96], char *err, size_t errlen);

#endif
