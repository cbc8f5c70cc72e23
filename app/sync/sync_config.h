/* sync_config.h - what head office pulls down (configuration: settings,
 * services, counters, hosts, staff_pins; complaint status; invitations),
 * applied through core's functions in the pull's transaction (sync_config.c). */
#ifndef SYNC_CONFIG_H
#define SYNC_CONFIG_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "fderr.h"
#include "store.h"

enum {
    SYNC_CHANGE_APPLIED = 0,
    SYNC_CHANGE_SKIPPED = 1,  /* all or part refused by core's rules: logged,
                                 in the audit log, why says why; go on */
    SYNC_CHANGE_NOT_MINE = 2, /* a kind this kiosk does not know: ignored */
    SYNC_CHANGE_DB = -1,      /* the kiosk database failed: abort the page */
};

/* Applies one pulled change (kind "config", "complaint" or "invitation",
 * its key and value) inside the caller's open transaction, under a savepoint of its own.
 * Returns one of the codes above; only SYNC_CHANGE_DB stops the page. On
 * SYNC_CHANGE_SKIPPED, first (if not NULL) is core's report of the first
 * entry refused: its field, and the limit of a text too long (head office
 * checks a list on a scratch kiosk with this, and names the field). */
int sync_apply_change(struct fd_store *st, const char *kind, const char *key,
                      const cJSON *value, char *why, size_t len, struct fd_err *first);

#endif
