/* sync_config.h - structured configuration from head office (services,
 * counters, hosts, staff_pins; values and checks in sync_config.c), applied
 * in the pull's transaction. Scalar settings go through core's cfg_check in
 * sync.c instead. */
#ifndef SYNC_CONFIG_H
#define SYNC_CONFIG_H
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>

enum {
    SYNC_CONFIG_APPLIED = 0,
    SYNC_CONFIG_REFUSED = 1,  /* checked and skipped; why says why */
    SYNC_CONFIG_NOT_MINE = 2, /* not a structured key */
    SYNC_CONFIG_DB = -1,      /* the kiosk database failed: abort the page */
};

/* Applies value for key inside the caller's open transaction (under a
 * savepoint of its own). Returns one of the codes above. */
int sync_config_apply(sqlite3 *db, const char *key, const cJSON *value, char *why, size_t len);

#endif
