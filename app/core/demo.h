/* demo.h - the demo branch for `frontdesk-ctl init --demo` and the kiosk's
 * demo mode: services, counters, hosts (data/demo/demo.sql), then a morning's
 * activity made through core itself. */
#ifndef FD_DEMO_H
#define FD_DEMO_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

/* Loads the demo into an empty store at `now`. FD_EEXIST when the store has
 * services already. Returns 0 or a negative FD_E* code. */
int demo_load(struct fd_store *st, int64_t now, struct fd_err *err);

#endif
