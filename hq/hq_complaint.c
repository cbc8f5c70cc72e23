/* hq_complaint.c - the complaint workflow rules (see hq_complaint.h), as a
 * table of allowed transitions and the fields each needs once it is done.
 * The manual's closed loop: 受理 received -> 判断 assessed -> 调查
 * investigating -> 处理方案 proposed -> 实施 resolved (carried out) -> 回访
 * followed_up (the customer's satisfaction recorded) -> closed. */
#include "hq_complaint.h"

#include "complaint.h"
#include "fderr.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Needs, as bits: what must be set after the transition. */
enum { N_ASSESS = 1, N_DEPT = 2, N_RESOLUTION = 4, N_CLOSE = 8, N_FOLLOWUP = 16 };

static const struct {
    const char *from, *to;
    int needs;
} rules[] = {
    {"received", "assessed", N_ASSESS},
    {"assessed", "investigating", N_DEPT},
    {"assessed", "closed", N_CLOSE},        /* not valid: closed with a reason */
    {"investigating", "proposed", N_RESOLUTION},
    {"proposed", "investigating", 0},       /* the customer did not accept it */
    {"proposed", "resolved", 0},            /* carried out, customer confirmed */
    {"resolved", "followed_up", N_FOLLOWUP}, /* 回访: the customer asked, satisfaction kept */
    {"followed_up", "closed", N_CLOSE},     /* counted for the monthly statistics */
};

static const char *const states[] = {"received", "assessed",  "investigating", "proposed",
                                     "resolved", "followed_up", "closed"};

static const char *const satisfactions[] = {"excellent", "good", "fair", "poor"};

int hq_complaint_satisfaction_ok(const char *v)
{
    for (size_t i = 0; v && i < sizeof satisfactions / sizeof satisfactions[0]; i++)
        if (strcmp(satisfactions[i], v) == 0)
            return 1;
    return 0;
}

int hq_complaint_next(const char *from, const char **out, int cap)
{
    int n = 0;
    for (size_t i = 0; from && i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].from, from) == 0 && n < cap)
            out[n++] = rules[i].to;
    return n;
}

int hq_complaint_state_ok(const char *state)
{
    for (size_t i = 0; state && i < sizeof states / sizeof states[0]; i++)
        if (strcmp(states[i], state) == 0)
            return 1;
    return 0;
}

/* A copy of the current row; strings duplicated (the store's die on the next call). */
struct cur {
    struct hq_complaint c;
    char *s[8];
    int found;
};

static char *dup(const char *v)
{
    return v ? strdup(v) : NULL;
}

static int keep_row(void *ctx, const struct hq_complaint *c)
{
    struct cur *k = ctx;
    k->c = *c;
    k->c.state = k->s[0] = dup(c->state);
    k->c.severity = k->s[1] = dup(c->severity);
    k->c.department = k->s[2] = dup(c->department);
    k->c.resolution = k->s[3] = dup(c->resolution);
    k->c.close_reason = k->s[4] = dup(c->close_reason);
    k->c.stat_category = k->s[5] = dup(c->stat_category);
    k->c.device_id = k->c.branch = k->c.ref = k->c.category = k->c.description = NULL;
    k->found = 1;
    return 0;
}

static int empty(const char *v)
{
    return !v || !*v;
}

int hq_complaint_advance(struct hq_store *s, long long id, const struct hq_advance *a,
                         long long now, char *err, size_t errlen)
{
    return hq_complaint_advance_s(s, id, a, NULL, now, err, errlen, NULL);
}

/* HQ_E_INVALID with err and why filled: the input `field` at fault; code
 * FD_EINVAL for a value a rule refused, FD_ESTATE for a step not allowed
 * now or missing what it needs. */
static int refuse(char *err, size_t errlen, struct fd_err *why, int code, const char *field,
                  const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    fd_fail(why, code, field, "%s", msg);
    return HQ_E_INVALID;
}

int hq_complaint_advance_s(struct hq_store *s, long long id, const struct hq_advance *a,
                           const char *satisfaction, long long now, char *err, size_t errlen,
                           struct fd_err *why)
{
    const struct hq_store_ops *o = s->ops;
    struct cur k;
    struct fd_err fe = {0};
    char from[32];
    int rc, needs = -1;
    /* What a branch receives of this step, by the branch's own rules. */
    const struct complaint_hq sent = {.severity = a->severity, .valid = a->valid,
                                      .department = a->department, .resolution = a->resolution,
                                      .close_reason = a->close_reason,
                                      .stat_category = a->stat_category, .note = a->note};

    memset(&k, 0, sizeof k);
    if (!hq_complaint_state_ok(a->to)) {
        char msg[80];
        snprintf(msg, sizeof msg, "unknown state '%.40s'", a->to ? a->to : "");
        return refuse(err, errlen, why, FD_EINVAL, "to", msg);
    }
    if (satisfaction && !hq_complaint_satisfaction_ok(satisfaction))
        return refuse(err, errlen, why, FD_EINVAL, "satisfaction",
                      "satisfaction must be excellent, good, fair or poor");
    if (complaint_hq_check(&sent, &fe) != 0) {
        snprintf(err, errlen, "%s", fe.msg);
        if (why)
            *why = fe;
        return HQ_E_INVALID;
    }
    if ((rc = o->begin(s)) != HQ_OK) {
        snprintf(err, errlen, "%s", o->errmsg(s));
        return rc;
    }
    if ((rc = o->complaint_get(s, id, keep_row, &k)) != HQ_OK) {
        if (rc == HQ_E_NOTFOUND)
            snprintf(err, errlen, "no complaint %lld", id);
        else
            snprintf(err, errlen, "%s", o->errmsg(s));
        goto out;
    }
    snprintf(from, sizeof from, "%s", k.c.state ? k.c.state : "");
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].from, from) == 0 && strcmp(rules[i].to, a->to) == 0)
            needs = rules[i].needs;
    if (needs < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "complaint %lld cannot go from %s to %s", id, from, a->to);
        rc = refuse(err, errlen, why, FD_ESTATE, "", msg);
        goto out;
    }
    k.c.state = a->to;
    if (a->severity)
        k.c.severity = a->severity;
    if (a->valid >= 0)
        k.c.valid = a->valid;
    if (a->department)
        k.c.department = a->department;
    if (a->resolution)
        k.c.resolution = a->resolution;
    if (a->close_reason)
        k.c.close_reason = a->close_reason;
    if (a->stat_category)
        k.c.stat_category = a->stat_category;
    /* what the step needs (why->field: the first one missing) */
    if ((needs & N_ASSESS) && (empty(k.c.severity) || k.c.valid < 0))
        rc = refuse(err, errlen, why, FD_ESTATE, empty(k.c.severity) ? "severity" : "valid",
                    "assessing needs --severity and --valid");
    else if ((needs & N_DEPT) && empty(k.c.department))
        rc = refuse(err, errlen, why, FD_ESTATE, "department",
                    "investigating needs --department");
    else if ((needs & N_RESOLUTION) && empty(k.c.resolution))
        rc = refuse(err, errlen, why, FD_ESTATE, "resolution", "proposing needs --resolution");
    else if ((needs & N_FOLLOWUP) && (empty(satisfaction) || empty(k.c.close_reason)))
        rc = refuse(err, errlen, why, FD_ESTATE,
                    empty(satisfaction) ? "satisfaction" : "close_reason",
                    "the follow-up needs --satisfaction and --close-reason (what the "
                    "customer said)");
    else if ((needs & N_CLOSE) && (empty(k.c.close_reason) || empty(k.c.stat_category)))
        rc = refuse(err, errlen, why, FD_ESTATE,
                    empty(k.c.close_reason) ? "close_reason" : "stat_category",
                    "closing needs --close-reason and --stat-category");
    if (rc != HQ_OK)
        goto out;
    k.c.id = id;
    if (satisfaction) { /* before the change row, which carries it */
        struct hq_param p[2] = {{HQ_P_INT, id, NULL}, {HQ_P_TEXT, 0, satisfaction}};
        if ((rc = o->sql(s, "UPDATE complaint SET satisfaction = $2 WHERE id = $1", p, 2, NULL,
                         NULL, NULL)) != HQ_OK) {
            snprintf(err, errlen, "%s", o->errmsg(s));
            goto out;
        }
    }
    if ((rc = o->complaint_advance(s, &k.c, from, a->actor ? a->actor : "hq", a->note, now)) !=
        HQ_OK) {
        snprintf(err, errlen, "%s", o->errmsg(s));
        goto out;
    }
    if ((rc = o->commit(s)) != HQ_OK)
        snprintf(err, errlen, "%s", o->errmsg(s));
out:
    if (rc != HQ_OK)
        o->rollback(s);
    for (int i = 0; i < 8; i++)
        free(k.s[i]);
    return rc;
}

cJSON *hq_complaint_json(const struct hq_complaint *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddStringToObject(o, "branch", c->branch ? c->branch : "");
    cJSON_AddStringToObject(o, "device_id", c->device_id ? c->device_id : "");
    cJSON_AddStringToObject(o, "ref", c->ref ? c->ref : "");
    cJSON_AddStringToObject(o, "category", c->category ? c->category : "");
    cJSON_AddStringToObject(o, "description", c->description ? c->description : "");
    cJSON_AddNumberToObject(o, "received_at", (double)c->received_at);
    cJSON_AddNumberToObject(o, "feedback_due", (double)c->feedback_due);
    cJSON_AddStringToObject(o, "state", c->state ? c->state : "");
    if (c->severity)
        cJSON_AddStringToObject(o, "severity", c->severity);
    else
        cJSON_AddNullToObject(o, "severity");
    if (c->valid >= 0)
        cJSON_AddNumberToObject(o, "valid", c->valid);
    else
        cJSON_AddNullToObject(o, "valid");
    cJSON_AddStringToObject(o, "department", c->department ? c->department : "");
    cJSON_AddStringToObject(o, "resolution", c->resolution ? c->resolution : "");
    cJSON_AddStringToObject(o, "close_reason", c->close_reason ? c->close_reason : "");
    cJSON_AddStringToObject(o, "stat_category", c->stat_category ? c->stat_category : "");
    cJSON_AddNumberToObject(o, "updated_at", (double)c->updated_at);
    return o;
}
