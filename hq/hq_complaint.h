/* hq_complaint.h - the complaint workflow at head office: which transitions
 * are allowed (received -> assessed -> investigating -> proposed -> resolved
 * -> followed_up -> closed, per the complaint-handling manual) and what each
 * one needs. The store keeps the data; this module keeps the rules. Kiosks
 * know six states: the pull sends followed_up as resolved with the
 * follow-up's close_reason set (the kiosk shows that as followed up). */
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

/* hq_complaint_advance with the customer's satisfaction at the follow-up
 * (excellent|good|fair|poor; NULL keeps it), which the step to followed_up
 * needs. On HQ_E_INVALID, why (if not NULL) names the input at fault:
 * why->code FD_EINVAL for a value a rule refused (why->limit set for a
 * text too long), FD_ESTATE for a step not allowed from the current state
 * (why->field "") or missing a field it needs (named). The texts a branch receives are checked by core's
 * own rules (complaint_hq_check), so that no kiosk refuses the step. */
struct fd_err;
int hq_complaint_advance_s(struct hq_store *s, long long id, const struct hq_advance *a,
                           const char *satisfaction, long long now, char *err, size_t errlen,
                           struct fd_err *why);

/* The complaint as a JSON object (for the CLI and the admin API); the
 * caller owns it (cJSON_Delete). */
struct cJSON;
struct cJSON *hq_complaint_json(const struct hq_complaint *c);

/* 1 if state is one of the seven workflow states. */
int hq_complaint_state_ok(const char *state);

/* 1 if v is a satisfaction level (excellent, good, fair, poor). */
int hq_complaint_satisfaction_ok(const char *v);

/* The states a complaint in state `from` may go to, at most cap of them into
 * out (static strings); returns how many. */
int hq_complaint_next(const char *from, const char **out, int cap);

#endif
