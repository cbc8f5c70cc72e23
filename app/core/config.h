/* config.h - kiosk settings: the `config` table over compiled-in defaults
 * (data/config/default.conf). Every key has a rule (type and range) here in
 * core, so a bad value from an operator or from head office is refused with
 * a clear message instead of reaching the queue engine. */
#ifndef FD_CONFIG_H
#define FD_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#include "fderr.h"
#include "store.h"

/* Copies the value of `key` (stored, else the default) into buf. Returns 0,
 * or FD_ENOTFOUND for an unknown key. */
int cfg_get(struct fd_store *st, const char *key, char *buf, size_t len);

/* The integer value of `key`; the default when the stored one is unusable.
 * Only for keys whose rule is an integer (asserted). */
long cfg_get_int(struct fd_store *st, const char *key);

/* Where a value comes from. Who may set what (README, "Who owns a setting"):
 * device settings (terminal_no, printer_uri, printer_profile, voice_on,
 * voice_volume; the display's font, dpi and theme never reach the store)
 * belong to this box: its config file and frontdesk-ctl set them, head
 * office never does. Branch settings (everything else) come from head office
 * once the kiosk is enrolled; the file and frontdesk-ctl set them only while
 * it stands alone. */
enum cfg_source {
    CFG_SRC_OPERATOR, /* frontdesk-ctl config set */
    CFG_SRC_FILE,     /* the kiosk's --config file, read at start */
    CFG_SRC_HQ,       /* pulled from head office */
};

/* Checks and stores `value` for `key` on behalf of `src`. Returns 0, FD_EINVAL
 * (unknown key or bad value, with a sentence), FD_ESTATE (src does not own
 * the key now: a device setting from head office, a branch setting from the
 * file or ctl once enrolled) or FD_EDB. One statement: runs in the caller's
 * transaction when there is one. */
int cfg_set_by(struct fd_store *st, const char *key, const char *value,
               enum cfg_source src, struct fd_err *err);

/* cfg_set_by with CFG_SRC_OPERATOR. */
int cfg_set(struct fd_store *st, const char *key, const char *value,
            struct fd_err *err);

/* 1 when `key` is a device setting, 0 a branch setting, -1 unknown. */
int cfg_is_device(const char *key);

/* 1 when the store is enrolled with a head office (branch settings are
 * then head office's), else 0. */
int cfg_enrolled(struct fd_store *st);

/* A fingerprint of the values in effect (stored, else default) of the
 * NULL-terminated `keys`: the kiosk compares it to notice a change it must
 * apply. */
uint64_t cfg_hash(struct fd_store *st, const char *const *keys);

/* Checks a value without storing it (used for config pushed by head office). */
int cfg_check(const char *key, const char *value, struct fd_err *err);

/* Iterates over the known keys: returns the i-th key name, or NULL past the end. */
const char *cfg_key(int i);

#endif
