/* kiosk_print.h - the kiosk's receipts: turns core records into receipts
 * (app/print), queues them as print jobs and runs the print worker. With
 * printer_uri = auto the kiosk uses a USB printer when one answers at start
 * and the virtual printer otherwise (receipts become PNGs in the state
 * folder), so a demo needs no hardware. */
#ifndef FD_KIOSK_PRINT_H
#define FD_KIOSK_PRINT_H
#include "app.h"
#include "store.h"

struct kprint;

/* Starts printing for the store at db_path (st is the UI thread's
 * connection). `png_dir` is where the virtual printer writes. On failure the
 * kiosk still runs: every receipt then reports "could not be printed".
 * Returns NULL only when memory runs out. */
struct kprint *kprint_start(struct fd_store *st, const char *db_path, const char *png_dir,
                            void (*notify)(void *), void *user);
/* Fills the screens' printer interface. */
void kprint_bind(struct kprint *k, struct app_printer *p);
/* The printer line for the console: "ready", "paper end", ... */
const char *kprint_status(struct kprint *k, char *buf, size_t len);
/* The printer for the sync worker's health record (sync_health.h); ctx is
 * the struct kprint. Thread-safe. */
struct sync_printer;
void kprint_health(void *ctx, struct sync_printer *out);
void kprint_stop(struct kprint *k);

#endif
