/* hq_deny.h - head office's deny list (issue 14): people barred from the
 * premises, by name and/or phone, stored only as keyed hashes (the rule is
 * app/core/deny.h, shared with the kiosks). The HMAC key is made on first
 * use and kept in the database; it and the list reach the kiosks through
 * the pull as the config keys deny_key and deny_list (hq/PROTOCOL.md). Every
 * use (add, list, remove) is written to hq_audit with who and why; no clear
 * value is ever stored or audited. */
#ifndef HQ_DENY_H
#define HQ_DENY_H
#include <stddef.h>

#include "hq_store.h"

#define HQ_DENY_REASON_MAX 500   /* bytes */
#define HQ_DENY_BY_MAX 64        /* bytes */

/* Adds an entry (name and/or phone, at least one; branch NULL = every
 * branch) and publishes the new lists, in one transaction. Makes and
 * publishes the key first when there is none. Sets *id. Returns HQ_OK,
 * HQ_E_INVALID (err says what: a name or phone that does not normalise, no
 * reason, ...) or a store error (err has the store's message). */
int hq_deny_add(struct hq_store *s, const char *name, const char *phone, const char *reason,
                const char *by, const char *branch, long long now, long long *id, char *err,
                size_t errlen);

/* Removes entry id (it stays, marked removed, for the record) and
 * publishes the lists without it. HQ_E_NOTFOUND when there is no such entry
 * in force. */
int hq_deny_remove(struct hq_store *s, long long id, const char *by, const char *reason,
                   long long now, char *err, size_t errlen);

/* frontdesk-hq deny add|list|remove: prints to stdout (JSON with json).
 * Returns the exit status (0 done, 1 refused or store error, 2 usage). */
int hq_deny_cmd(struct hq_store *s, int npos, const char *const *pos, const char *name,
                const char *phone, const char *reason, const char *by, const char *branch,
                int json);

#endif
