/* hq_health.h - kiosk health at head office: the "health" object of a push
 * (hq/PROTOCOL.md) checked field by field into struct hq_health, and the
 * fleet view (every device, its last contact, online or not, its health) as
 * JSON for `frontdesk-hq fleet --json` and GET /v1/admin/fleet. The rows
 * themselves live in the store (health_put, fleet in hq_store.h). */
#ifndef HQ_HEALTH_H
#define HQ_HEALTH_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "hq_store.h"

/* Checks a push's "health" object and fills h (strings point into o, which
 * must outlive h). Unknown keys are ignored (the protocol only adds). Returns
 * 0, or -1 with a sentence in err: a field missing, of the wrong type, out
 * of range, or text too long, not UTF-8 or with control characters. */
int hq_health_parse(const cJSON *o, struct hq_health *h, char *err, size_t errlen);

/* The fleet row as a JSON object (the caller deletes it); NULL when memory
 * runs out. */
cJSON *hq_fleet_json(const struct hq_fleet_row *r);

/* The whole fleet view {"offline_after_s":900,"now":N,"devices":[...],
 * "warnings":[...]}, optionally of one branch (NULL = all). A device whose
 * complaints show its terminal number has "terminal" ("001"); two active
 * devices with the same one are marked "terminal_clash": true and named in
 * a warning (their complaint references collide). Returns HQ_OK and *out,
 * or a store error (message in the store's errmsg). */
int hq_fleet_collect(struct hq_store *s, long long now, const char *branch, cJSON **out);

#endif
