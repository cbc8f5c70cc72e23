/* config.h - kiosk settings: the `config` table over compiled-in defaults
 * (data/config/default.conf). Every key has a rule (type and range) here in
 * core, so a bad value from an operator or from head office is refused with
 * a clear message instead of reaching the queue engine. */
#ifndef FD_CONFIG_H
#define FD_CONFIG_H
#include <stddef.h>

#include "fderr.h"
#include "store.h"

/* Copies the value of `key` (stored, else the default) into buf. Returns 0,
 * or FD_ENOTFOUND for an unknown key. */
int cfg_get(struct fd_store *st, const char *key, char *buf, size_t len);

/* The integer value of `key`; the default when the stored one is unusable.
 * Only for keys whose rule is an integer (asserted). */
long cfg_get_int(struct fd_store *st, const char *key);

/* Checks and stores `value` for `key`. Returns 0, FD_EINVAL (unknown key or
 * bad value, with a sentence) or FD_EDB. */
int cfg_set(struct fd_store *st, const char *key, const char *value,
            struct fd_err *err);

/* Checks a value without storing it (used for config pushed by head office). */
int cfg_check(const char *key, const char *value, struct fd_err *err);

/* Iterates over the known keys: returns the i-th key name, or NULL past the end. */
const char *cfg_key(int i);

#endif
