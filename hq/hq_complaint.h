/* hq_complaint.h - the complaint workflow at head office: which transitions
 * are allowed (received -> assessed -> investigating -> proposed -> resolved
 * -> closed, per the complaint-handling manual) and what each one needs. The
 * store keeps the data; this module keeps the rules. */
#ifndef HQ_COMPLAINT_H
#define HQ_COMPLAINT_H
#include <stddef.h>

#include "hq_store.h"

/* One requested transition. NULL / -1 fields keep the current value. */
struct hq_advance {
    const char *to;            /* target state */
    const char *severity;      /* "ordinary" | "serious" (assessment) */
    int valid;                 /* 0/1 (assessment), -1 keep */
    const char *department;    /* responsible department (investigating) */
    const char *resolution;    /* proposed resolution (proposed) */
    const char *close_reason;  /* follow-up result (closed) */
    const char *stat_category; /* category for the monthly statistics (closed) */
    const char *actor;         /* who, e.g. "hq:alice" */
    const char *note;
};

/* Applies a transition to complaint id in one transaction: checks it against
 * the rules, writes it and logs the change for the branch to pull. Returns 0,
 * HQ_E_NOTFOUND, HQ_E_INVALID (transition not allowed or a needed field
 * missing: err says which), or a store error. */
int hq_complaint_advance(struct hq_store *s, long long id, const struct hq_advance *a,
                         long long now, char *err, size_t errlen);

/* The complaint as a JSON object (for the CLI and the admin API); the
 * caller owns it (cJSON_Delete). */
struct cJSON;
struct cJSON *hq_complaint_json(const struct hq_complaint *c);

/* 1 if state is one of the six workflow states. */
int hq_complaint_state_ok(const char *state);

#endif
