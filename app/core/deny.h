/* deny.h - head office's deny list: people barred from the premises, as
 * keyed hashes. Head office (hq/hq_deny.c) and the kiosk share the one rule
 * here: how a name and a phone number are normalised, and how a normalised
 * value is hashed (HMAC-SHA256 with head office's deny key, libsodium). On
 * the kiosk this module owns deny_key (sealed, seal.h), deny_entry and deny_alert
 * (data/schema/0008_deny.sql): the pull replaces the key and the list, a
 * sign-in asks deny_check, and a match leaves an alert for the staff console
 * until someone acknowledges it. No clear value of a list entry ever
 * reaches the kiosk; what a visitor typed is hashed and wiped. */
#ifndef FD_DENY_H
#define FD_DENY_H
#include <stddef.h>
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define DENY_KEY_BYTES 32     /* HMAC-SHA256 key */
#define DENY_HASH_HEX 64      /* a hash as lowercase hex (without the NUL) */
#define DENY_NORM_MAX 512     /* bytes of a normalised value; longer is refused */
#define DENY_LIST_MAX 20000   /* entries in one deny_list; more is refused */

/* ---- the rule (pure: no store) ---- */

/* Normalises a name: NFKC with case folding (GNU libunistring's
 * u8_casefold), then leading and trailing white space dropped and inner runs
 * collapsed to one space. "  ＺＨＡＮＧ　 San " -> "zhang san". Writes out
 * (len bytes; DENY_NORM_MAX + 1 is always enough). Returns 0, or FD_EINVAL
 * when s is NULL, not UTF-8, empty after normalising or too long. */
int deny_norm_name(const char *s, char *out, size_t len);

/* Normalises a phone number: NFKC (full-width digits and plus become ASCII),
 * then digits only; a leading +86 or 0086 (China) is dropped, and so is a
 * bare 86 before an 11-digit mobile number; a Chinese landline given with
 * +86 gets its trunk 0 back ("+86 10 6552 9988" -> "01065529988", as it is
 * dialled at home). Other country codes stay as digits. Returns 0, or
 * FD_EINVAL when fewer than 5 or more than 20 digits remain, or s is not
 * UTF-8. */
int deny_norm_phone(const char *s, char *out, size_t len);

/* The keyed hash of a normalised value: lowercase hex of HMAC-SHA256(key,
 * kind || 0x00 || norm), kind "name" or "phone" (so a name never matches a
 * phone). out has DENY_HASH_HEX + 1 bytes. */
void deny_hash(const unsigned char key[DENY_KEY_BYTES], const char *kind, const char *norm,
               char out[DENY_HASH_HEX + 1]);

/* Normalises then hashes (deny_norm_* and deny_hash); the normalised copy
 * is wiped. Returns 0 or FD_EINVAL (as the normaliser). */
int deny_hash_name(const unsigned char key[DENY_KEY_BYTES], const char *name,
                   char out[DENY_HASH_HEX + 1]);
int deny_hash_phone(const unsigned char key[DENY_KEY_BYTES], const char *phone,
                    char out[DENY_HASH_HEX + 1]);

/* Parses a key from 64 hex characters. Returns 0 or FD_EINVAL. */
int deny_key_parse(const char *hex, unsigned char key[DENY_KEY_BYTES]);

/* 1 when s is exactly DENY_HASH_HEX lowercase hex characters. */
int deny_is_hash(const char *s);

/* ---- the kiosk's copy ---- */

/* One entry as head office lists it (deny_list): at least one hash. */
struct deny_item {
    int64_t id;                 /* head office's entry id, > 0 */
    const char *name_hash;      /* DENY_HASH_HEX lowercase hex, or NULL */
    const char *phone_hash;     /* likewise */
};

/* Replaces the key (64 hex, as head office sends it). It is stored sealed
 * with the machine id (seal.h, as the device key is): a copy of the store
 * taken off the box cannot hash a name to test it against the list. One
 * statement: in the caller's transaction when there is one. Returns 0,
 * FD_EINVAL or FD_EDB. */
int deny_set_key(struct fd_store *st, const char *hex, struct fd_err *err);

/* The migration path: a key stored before sealing (plain hex) is sealed in
 * place. Returns 1 when it sealed it, 0 when there was nothing to do (no
 * key, sealed already, or no machine id to seal with: logged by seal.c),
 * or FD_EDB. One read, at most one write: cheap enough for every pull. */
int deny_key_seal(struct fd_store *st, struct fd_err *err);

/* Replaces the whole list with items[0..n): entries not listed go; a bad
 * entry (no hash, a hash that is not hex, a bad id) is skipped and counted
 * in *skipped (may be NULL), keeping its old row when its id is good; the
 * others apply. In the caller's transaction when there is one.
 * Returns 0, FD_EINVAL (n over DENY_LIST_MAX: nothing changed) or FD_EDB. */
int deny_put_list(struct fd_store *st, const struct deny_item *items, int n, int *skipped,
                  struct fd_err *err);

/* Entries held now (for status and tests), or FD_EDB (negative). */
int deny_count(struct fd_store *st);

/* What a sign-in matched. */
struct deny_match {
    int64_t entry_id;           /* head office's entry */
    char matched[12];           /* "name", "phone" or "name+phone" */
};

/* Whether name or phone (as the visitor typed them) matches an entry: their
 * normalised forms are hashed with the held key and looked up. Returns 1
 * and fills *m, 0 when nothing matches (or no key or list is held yet, or
 * neither value normalises), or FD_EDB. Reads only: runs in the caller's
 * transaction when there is one. Nothing typed is kept. */
int deny_check(struct fd_store *st, const char *name, const char *phone, struct deny_match *m,
               struct fd_err *err);

/* Records the alert for visitor_id (signed in and held at reception) and
 * audits it ("visitor.held": the badge, the entry and what matched; never
 * the name or phone). Call inside the sign-in's transaction. Returns 0,
 * FD_EINVAL or FD_EDB. */
int deny_alert_add(struct fd_store *st, int64_t visitor_id, const char *badge,
                   const struct deny_match *m, int64_t now, struct fd_err *err);

/* An alert not yet acknowledged, with what the console shows. */
struct deny_alert {
    int64_t id;
    int64_t visitor_id;
    int64_t entry_id;
    int64_t at;
    char matched[12];
    char badge[8];
    char name[161];             /* the visitor's name as typed ("" once erased) */
};

/* The open alerts, oldest first, at most 50. *out malloc'd (free()); *n set.
 * Returns 0 or FD_EDB. */
int deny_alert_open(struct fd_store *st, struct deny_alert **out, int *n, struct fd_err *err);

/* Acknowledges alert id by staff (audited "deny.ack"). Returns 0,
 * FD_ENOTFOUND, FD_ESTATE (acknowledged already), FD_EINVAL or FD_EDB. */
int deny_alert_ack(struct fd_store *st, int64_t id, const char *staff, int64_t now,
                   struct fd_err *err);

/* Deletes at most max alerts that staff acknowledged before `before` (Unix
 * seconds), oldest first; open alerts never. Their audit rows (visitor.held,
 * deny.ack) stay: they are the record. One statement: in the caller's
 * transaction when there is one. Returns how many went, or FD_EDB. The
 * retention's period and batches are retention.c's (retention_prune_alerts). */
int deny_alert_prune(struct fd_store *st, int64_t before, int max, struct fd_err *err);

#endif
