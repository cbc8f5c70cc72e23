/* ctl_sync.h - frontdesk-ctl's sync commands (implemented in ctl_sync.c on
 * top of app/sync): `enroll --hq URL --token T`, `sync now`, and
 * `[--json] sync status`. CTL_SYNC_COMMANDS are the rows for ctl.c's command
 * table; link fdsync. */
#ifndef FD_CTL_SYNC_H
#define FD_CTL_SYNC_H
#include "ctl.h"

/* Makes the key pair and registers the kiosk at head office with a one-time
 * token (--ca FILE: the CA to trust for an https head office). Exit status: 0, CTL_EUSAGE (missing --hq/--token), CTL_EFAIL
 * (refused or unreachable: the message says which), CTL_EDB. */
int ctl_sync_enroll(struct ctl *c);

/* Pushes and pulls until the backlog is empty or an error (the message and
 * sync status say which). Prints what moved. 0 or CTL_EFAIL / CTL_EDB. */
int ctl_sync_now(struct ctl *c);

/* Prints enrolled, hq, branch, device_id, backlog, last_success,
 * last_attempt, failures, last_error, pull_cursor (JSON with --json). */
int ctl_sync_status(struct ctl *c);

#define CTL_SYNC_COMMANDS                                                              \
    {"enroll", "", 0, 0, "hq token ca", ctl_sync_enroll, 0,                            \
     "register this kiosk at head office (--hq URL --token T [--ca FILE])"},           \
    {"sync now", "", 0, 0, "", ctl_sync_now, 0,                                        \
     "send and fetch until the backlog is empty or an error"},                         \
    {"sync status", "", 0, 0, "", ctl_sync_status, 0,                                  \
     "backlog, last success, last error"},

#endif
