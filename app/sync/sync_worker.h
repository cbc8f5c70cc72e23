/* sync_worker.h - the kiosk's sync thread: runs sync rounds on its own
 * SQLite connection, so the UI never waits on the network; sleeps between
 * rounds, backs off with full jitter (1 s doubling to 5 min) after failures,
 * honours Retry-After, and can be woken when new outbox rows are waiting.
 * Each round carries the kiosk's health record when it changed, and at
 * least every 5 minutes (sync_health.h). */
#ifndef SYNC_WORKER_H
#define SYNC_WORKER_H

struct sync_printer;

struct sync_worker;

struct sync_worker_opts {
    const char *db_path;       /* the kiosk store (already migrated by core) */
    int interval;              /* seconds between rounds when all is well (default 15) */
    /* Called on the worker thread after a round changed something the UI
     * shows (complaint status, config, sync health); e.g. SDL_PushEvent. */
    void (*on_change)(void *ctx);
    void *ctx;
    /* The printer for the health record (sync_health.h); NULL = unknown.
     * Called on the worker thread. */
    void (*printer)(void *ctx, struct sync_printer *out);
    void *printer_ctx;
};

/* Starts the thread. Returns 0 and *out, or -1 (thread or memory). */
int sync_worker_start(const struct sync_worker_opts *o, struct sync_worker **out);

/* Asks for a round now (after the kiosk wrote records). Thread-safe. */
void sync_worker_wake(struct sync_worker *w);

/* Stops the thread (an exchange in progress finishes first, bounded by the
 * HTTP timeouts) and frees w. NULL is fine. */
void sync_worker_stop(struct sync_worker *w);

#endif
