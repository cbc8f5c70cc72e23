/* kiosk_counter.h - the kiosk runs frontdesk-counter (the counters' page) as
 * its child while counter_listen is set, and starts it again if it dies. */
#ifndef FD_KIOSK_COUNTER_H
#define FD_KIOSK_COUNTER_H
#include <signal.h>

struct kcounter;

/* Starts `frontdesk-counter --db DB --listen LISTEN` (found beside this
 * program, in the build tree, or on PATH) with the signal mask child_mask,
 * and keeps it running. NULL when listen is empty (nothing to run) or no
 * thread could start (logged). */
struct kcounter *kcounter_start(const char *db, const char *listen, const sigset_t *child_mask);

/* Stops the child (SIGTERM, waited for) and the thread; NULL is fine. */
void kcounter_stop(struct kcounter *k);

#endif
