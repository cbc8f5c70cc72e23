/* ctl_print.h - frontdesk-ctl's printing commands (app/ctl/ctl_print.c):
 *   print ticket|visitor|complaint ID [--printer URI] [--lang zh|en]
 *         [--profile 58mm|80mm|58mm-raster|80mm-raster] [--queue]
 *   printer status [--printer URI]
 *   printer jobs                      the last 20 print jobs
 *   printer cancel JOB_ID             pending/failed -> cancelled
 *   printer reprint JOB_ID            a new job with the same bytes
 * URI: usb://auto, usb://VID:PID, tcp://HOST:PORT, file:PATH, virtual:PNG_PATH;
 * default: config printer_uri; "auto" = usb://auto when a USB printer is
 * there, else virtual:receipt.png. Config comes from the store's config
 * rows, else the compiled-in defaults (data/config/default.conf). --queue only
 * adds the job for the kiosk's print worker (which owns the USB printer). */
#ifndef FD_CTL_PRINT_H
#define FD_CTL_PRINT_H
#include "store.h"

/* Runs one command; argv[0] is "print" or "printer", options follow the
 * positional words. `store` is the open store (NULL is accepted by
 * "printer status"); json != 0 prints one JSON object on stdout instead of text.
 * Returns the exit status: 0 done (for "printer status": the printer is
 * ready), 1 failed (not printed, printer not ready or absent), 2 usage,
 * 3 database error. Errors go to stderr. */
int ctl_print_main(int argc, char **argv, struct fd_store *store, int json);

#endif
