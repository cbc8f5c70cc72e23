/* hq_person.h - personal data at head office (PIPL): which fields of which
 * record types are personal, the rewrite that erases them from a record's
 * JSON (the backends apply it to the log, quarantine and state tables), the
 * retention sweep (`personal_data_days`, default 365, run by `serve` and by
 * `frontdesk-hq purge`), and a person's requests (`person find|export|erase
 * --phone P --by NAME --reason TEXT`), each written to hq_audit with who and
 * why. Statistics fields are never touched: reports stay the same. The
 * sweep and a person's requests also cover invitations (hq_invite.h) and
 * the sweep prunes the notification queue (hq_notify.h). */
#ifndef HQ_PERSON_H
#define HQ_PERSON_H
#include <stddef.h>

#include "hq_store.h"

#define HQ_PII_DAYS_DEFAULT 365  /* personal_data_days when unset */
#define HQ_PII_DAYS_MAX 3650
#define HQ_PII_BATCH 500         /* rows per transaction in the sweep */
#define HQ_PHONE_MAX 32          /* a phone number as typed at the kiosk, bytes */

/* A record type that carries personal data. */
struct hq_pii_type {
    const char *type;            /* "visitor", "complaint" */
    const char *time_field;      /* when it happened: the age counts from here */
    const char *phone_field;     /* the field a person is found by */
    const char *fields[5];       /* the personal fields, NULL-terminated */
};
extern const struct hq_pii_type hq_pii_types[];
extern const int hq_pii_ntypes;

/* The record's JSON with every personal field of its type that holds a
 * non-empty string set to "" (null and absent fields stay as they are), as
 * a malloc'd string; NULL when nothing changed, the JSON does not parse or
 * the type has no personal data (*oom = 1 when memory ran out). */
char *hq_pii_scrub(const char *type, const char *json, int *oom);

/* Masks a phone for the audit log: "13800001234" -> "138****1234". */
void hq_phone_mask(const char *phone, char *out, size_t len);

/* personal_data_days from the store's settings (default when unset or bad). */
int hq_pii_days(struct hq_store *s);

/* What the sweep did beside the log and the state tables. */
struct hq_sweep_more {
    long long invitations;       /* invitations erased (hq_invite_erase) */
    long long notifications;     /* notification rows pruned (hq_notify_prune) */
};

/* One pass of head office's retention at `now`, each part in its own short
 * transactions, at most max_batches of them per part (0 = until done):
 * - the log and the state tables: what happened more than
 *   personal_data_days ago, HQ_PII_BATCH rows a transaction (*out);
 * - invitations whose day is more than personal_data_days ago (UTC) go
 *   whole, with their copies in the pull log, and the branch's kiosks are
 *   told to drop theirs (hq_invite_erase; more->invitations);
 * - the notification queue's ended rows after notify_keep_days
 *   (hq_notify_prune; more->notifications).
 * Audits a pass that erased anything (actor "hq:purge"). A part that fails
 * does not stop the next; the first failure is returned, else HQ_OK. Adds to
 * *out and *more (either may be NULL). */
int hq_pii_sweep(struct hq_store *s, long long now, int max_batches, struct hq_pii_count *out,
                 struct hq_sweep_more *more);

/* frontdesk-hq person find|export|erase and purge: print to stdout (JSON
 * with json), write the audit row first for find/export (a lookup that is
 * not audited never happens) and with the counts for erase. Return the
 * process exit status (0 done, 1 store error, 2 usage). */
int hq_person_cmd(struct hq_store *s, const char *sub, const char *phone, const char *by,
                  const char *reason, int json);
int hq_purge_cmd(struct hq_store *s, int json);

#endif
