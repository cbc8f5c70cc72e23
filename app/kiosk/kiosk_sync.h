/* kiosk_sync.h - the kiosk's sync worker (app/sync/sync_worker.h), loaded
 * from the module frontdesk-sync.so when the kiosk is enrolled: libcurl and
 * its TLS, Kerberos and LDAP libraries are then loaded after the first frame
 * and never by a standalone kiosk (issue 18). */
#ifndef KIOSK_SYNC_H
#define KIOSK_SYNC_H

#include <stddef.h>

#include "sync_worker.h"

/* Loads the module (once), initialises libcurl and starts the worker as
 * sync_worker_start does. Returns 0 and *out, or -1 with the reason in err
 * (the module missing or not loadable, the thread not started). */
int ksync_start(const struct sync_worker_opts *o, struct sync_worker **out, char *err,
                size_t errsz);

/* sync_worker_wake through the module; NULL is fine. */
void ksync_wake(struct sync_worker *w);

/* sync_worker_stop through the module; NULL is fine. The module stays
 * loaded (libcurl is not made to unload). */
void ksync_stop(struct sync_worker *w);

#endif
