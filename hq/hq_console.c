/* hq_console.c - the console's JSON API (hq/CONSOLE_API.md): the session
 * (login, logout, me; the cookie; the CSRF and same-origin check on every
 * change), the complaint workflow (list, detail with history, advance,
 * assign, note), the fleet with its alarms, enrolment tokens and revoke,
 * users and the audit log. Configuration, reports and invitations are in
 * hq_console_config.c, hq_console_report.c and hq_console_invite.c. Every
 * change is audited with the user's name; a manager's requests are limited
 * to their branches here, in the API, not only in the page. */
#include "hq_console.h"
#include "hq_complaint.h"
#include "hq_console_int.h"
#include "hq_health.h"
#include "hq_user.h"

#include "fdweb.h"
#include <sodium.h>

#include "complaint.h" /* app/core: how much of a complaint's texts a kiosk holds */
#include "fderr.h"
#include "validate.h"   /* app/core: what a text may hold */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COOKIE "fdhq_session"
#define LIST_MAX 1000        /* complaints in one list answer */
#define SCAN_MAX 20000       /* complaints a manager's list looks through */
#define NOTE_MAX 2000        /* characters of a note (head office's own, never sent) */
#define AUDIT_MAX 1000

/* ---- answers (lib/fdweb: headers, JSON, cookies) ---- */

static enum MHD_Result send_mem(struct cx *x, unsigned status, const void *data, size_t len,
                                const char *ctype, const char *extra_name,
                                const char *extra_value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    if (!r)
        return MHD_NO;
    fdweb_headers(r, x->tls);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Type", ctype);
    if (extra_name)
        MHD_add_response_header(r, extra_name, extra_value);
    ret = MHD_queue_response(x->c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result ans_json(struct cx *x, unsigned status, cJSON *o)
{
    char *t = o ? cJSON_PrintUnformatted(o) : NULL;
    enum MHD_Result ret;
    cJSON_Delete(o);
    if (!t)
        return fdweb_error(x->c, 500, "internal", "out of memory", x->tls);
    ret = fdweb_json(x->c, status, t, x->tls);
    free(t);
    return ret;
}

enum MHD_Result ans_err(struct cx *x, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ans_refused(x, status, code, NULL, 0, "%s", msg);
}

enum MHD_Result ans_refused(struct cx *x, unsigned status, const char *code, const char *field,
                            int limit, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    cJSON *o = cJSON_CreateObject();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!o)
        return ans_json(x, status, NULL);
    cJSON_AddStringToObject(o, "error", code);
    if (field && *field)
        cJSON_AddStringToObject(o, "field", field);
    if (limit > 0)
        cJSON_AddNumberToObject(o, "limit", limit);
    cJSON_AddStringToObject(o, "message", msg);
    return ans_json(x, status, o);
}

enum MHD_Result ans_store(struct cx *x, int rc, const char *what)
{
    x->s->ops->rollback(x->s);
    fprintf(stderr, "frontdesk-hq: console %s %s: %s: %s\n", x->method, x->path, what,
            x->s->ops->errmsg(x->s));
    if (rc == HQ_E_BUSY)
        return ans_err(x, 503, "busy", "the database is busy; try again");
    return ans_err(x, 500, "internal", "the database failed (see the server's log)");
}

enum MHD_Result ans_file(struct cx *x, const void *data, size_t len, const char *ctype,
                         const char *filename)
{
    char disp[160];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
    return send_mem(x, 200, data, len, ctype, "Content-Disposition", disp);
}

enum MHD_Result ans_bytes(struct cx *x, const void *data, size_t len, const char *ctype)
{
    return send_mem(x, 200, data, len, ctype, NULL, NULL);
}

/* Answers o (deleted) with the session cookie set (value) or deleted (NULL). */
static enum MHD_Result ans_cookie(struct cx *x, cJSON *o, const char *value)
{
    char *t = cJSON_PrintUnformatted(o);
    struct MHD_Response *r;
    enum MHD_Result ret;
    cJSON_Delete(o);
    if (!t)
        return ans_err(x, 500, "internal", "out of memory");
    r = MHD_create_response_from_buffer(strlen(t), t, MHD_RESPMEM_MUST_COPY);
    free(t);
    if (!r)
        return MHD_NO;
    fdweb_headers(r, x->tls);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (fdweb_set_cookie(r, COOKIE, value ? value : "", value ? -1 : 0, x->tls) != 0) {
        MHD_destroy_response(r);
        return ans_err(x, 500, "internal", "the session cookie could not be set");
    }
    ret = MHD_queue_response(x->c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- small helpers ---- */

const char *arg(struct cx *x, const char *name)
{
    return MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, name);
}

cJSON *body_json(struct cx *x)
{
    cJSON *o = x->body && x->len ? cJSON_ParseWithLength(x->body, x->len) : NULL;
    if (o && !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int text_ok(const char *s, size_t max, int multiline)
{
    size_t n = s ? strlen(s) : 0;
    if (!s || n > max)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        if (!len || (*p < 0x20 && !(multiline && *p == '\n')) || *p == 0x7f)
            return 0;
        for (int k = 1; k < len; k++)
            if ((p[k] & 0xc0) != 0x80)
                return 0;
        p += len;
    }
    return 1;
}

int audit(struct cx *x, const char *action, const char *subject, const char *detail)
{
    return x->s->ops->audit_put(x->s, x->now, x->actor, action, subject ? subject : "", "",
                                detail ? detail : "");
}

static int is_admin(const struct cx *x)
{
    return strcmp(x->u.role, "admin") == 0;
}

/* ---- the session and the cross-site rule ---- */

/* Before there is a session (login): 0 when Sec-Fetch-Site (when sent) is
 * same-origin and Origin (when sent) is this host. With a session every
 * change goes through fdweb_same_origin, which adds the CSRF token. */
static int login_origin_ok(struct cx *x)
{
    const char *site = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "Sec-Fetch-Site");
    const char *origin = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "Host");
    if (site && strcmp(site, "same-origin") != 0)
        return -1;
    if (origin) {
        const char *o = strstr(origin, "://");
        if (!host || !o || strcmp(o + 3, host) != 0)
            return -1;
    }
    return 0;
}

static enum MHD_Result do_login(struct cx *x)
{
    cJSON *b, *o;
    char cookie[HQ_TOKEN_HEX + 1], csrf[HQ_TOKEN_HEX + 1];
    long long retry = 0;
    int rc;
    if (login_origin_ok(x) != 0)
        return ans_err(x, 403, "cross_site", "a login from another site is refused");
    if (!(b = body_json(x)) || !jstr(b, "name") || !jstr(b, "password")) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "login needs {\"name\", \"password\"}");
    }
    rc = hq_user_login(x->s, jstr(b, "name"), jstr(b, "password"), x->now, cookie, csrf, &x->u,
                       &retry);
    {
        cJSON *pw = cJSON_GetObjectItemCaseSensitive(b, "password");
        sodium_memzero(pw->valuestring, strlen(pw->valuestring));
    }
    cJSON_Delete(b);
    if (rc < 0)
        return ans_store(x, rc, "login");
    if (rc == HQ_LOGIN_LOCKED) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", "locked");
        cJSON_AddStringToObject(o, "message", "too many wrong passwords: the account is locked");
        cJSON_AddNumberToObject(o, "retry_after", (double)retry);
        return ans_json(x, 423, o);
    }
    if (rc == HQ_LOGIN_BAD)
        return ans_err(x, 401, "bad_credentials", "wrong name or password");
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", hq_user_json(&x->u));
    cJSON_AddStringToObject(o, "csrf", csrf);
    cJSON_AddNumberToObject(o, "idle_timeout_s", HQ_SESSION_IDLE);
    cJSON_AddNumberToObject(o, "now", (double)x->now);
    sodium_memzero(csrf, sizeof csrf);
    enum MHD_Result ret = ans_cookie(x, o, cookie);
    sodium_memzero(cookie, sizeof cookie);
    return ret;
}

/* ---- complaints ---- */

#define CMP_SELECT                                                                          \
    "SELECT c.id, c.ref, c.branch, c.device_id, c.category, c.description, c.received_at," \
    " c.feedback_due, c.state, c.severity, c.valid, c.department, c.resolution,"          \
    " c.close_reason, c.stat_category, c.updated_at, c.assignee, c.satisfaction,"         \
    " coalesce((SELECT min(e.at) FROM complaint_event e WHERE e.complaint_id = c.id), 0)"  \
    " AS first_resp FROM complaint c"

enum { C_ID, C_REF, C_BRANCH, C_DEV, C_CAT, C_DESC, C_RECV, C_DUE, C_STATE, C_SEV, C_VALID,
       C_DEPT, C_RES, C_CLOSE, C_STAT, C_UPD, C_ASSIGNEE, C_SATIS, C_FIRST };

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *cmp_json(const char *const *col, long long now, int full)
{
    cJSON *o = cJSON_CreateObject();
    long long due = col[C_DUE] ? atoll(col[C_DUE]) : 0;
    long long first = col[C_FIRST] ? atoll(col[C_FIRST]) : 0;
    cJSON_AddNumberToObject(o, "id", col[C_ID] ? atof(col[C_ID]) : 0);
    cJSON_AddStringToObject(o, "ref", col[C_REF] ? col[C_REF] : "");
    cJSON_AddStringToObject(o, "branch", col[C_BRANCH] ? col[C_BRANCH] : "");
    cJSON_AddStringToObject(o, "device_id", col[C_DEV] ? col[C_DEV] : "");
    cJSON_AddStringToObject(o, "category", col[C_CAT] ? col[C_CAT] : "");
    if (full)
        cJSON_AddStringToObject(o, "description", col[C_DESC] ? col[C_DESC] : "");
    cJSON_AddStringToObject(o, "state", col[C_STATE] ? col[C_STATE] : "");
    add_str_or_null(o, "severity", col[C_SEV]);
    if (col[C_VALID])
        cJSON_AddBoolToObject(o, "valid", atoi(col[C_VALID]) != 0);
    else
        cJSON_AddNullToObject(o, "valid");
    add_str_or_null(o, "assignee", col[C_ASSIGNEE]);
    cJSON_AddNumberToObject(o, "received_at", col[C_RECV] ? atof(col[C_RECV]) : 0);
    cJSON_AddNumberToObject(o, "feedback_due", (double)due);
    cJSON_AddNumberToObject(o, "first_response_at", (double)first);
    cJSON_AddBoolToObject(o, "overdue", first == 0 && now > due);
    cJSON_AddNumberToObject(o, "updated_at", col[C_UPD] ? atof(col[C_UPD]) : 0);
    if (full) {
        cJSON_AddStringToObject(o, "department", col[C_DEPT] ? col[C_DEPT] : "");
        cJSON_AddStringToObject(o, "resolution", col[C_RES] ? col[C_RES] : "");
        add_str_or_null(o, "satisfaction", col[C_SATIS]);
        cJSON_AddStringToObject(o, "close_reason", col[C_CLOSE] ? col[C_CLOSE] : "");
        cJSON_AddStringToObject(o, "stat_category", col[C_STAT] ? col[C_STAT] : "");
    }
    return o;
}

struct list_ctx {
    struct cx *x;
    cJSON *arr;
    int n, limit;
};

static int list_row(void *ctx, int ncol, const char *const *col)
{
    struct list_ctx *l = ctx;
    (void)ncol;
    if (!hq_user_may_branch(&l->x->u, col[C_BRANCH]))
        return 0;
    if (l->n >= l->limit)
        return 1;
    cJSON_AddItemToArray(l->arr, cmp_json(col, l->x->now, 0));
    l->n++;
    return 0;
}

static enum MHD_Result complaints_list(struct cx *x)
{
    const char *state = arg(x, "state"), *branch = arg(x, "branch"), *lim = arg(x, "limit");
    struct list_ctx l = {x, NULL, 0, 200};
    char sql[1024];
    cJSON *o;
    int rc;
    if (lim && (l.limit = atoi(lim)) < 1)
        l.limit = 1;
    if (l.limit > LIST_MAX)
        l.limit = LIST_MAX;
    if (!state || !*state)
        state = "open";
    if (strcmp(state, "open") != 0 && strcmp(state, "all") != 0 && !hq_complaint_state_ok(state))
        return ans_err(x, 400, "bad_request", "state is open, all or a workflow state");
    if (branch && *branch && !hq_user_may_branch(&x->u, branch))
        return ans_err(x, 403, "forbidden", "not your branch");
    /* Serious first, then overdue (no first answer by the deadline), then by
     * the deadline. A manager's other branches are skipped while reading. */
    snprintf(sql, sizeof sql,
             "SELECT * FROM (" CMP_SELECT " WHERE (CAST($1 AS TEXT) = 'all'"
             " OR (CAST($1 AS TEXT) = 'open' AND c.state <> 'closed') OR c.state = $1)"
             " AND (CAST($2 AS TEXT) IS NULL OR c.branch = $2)) x"
             " ORDER BY CASE WHEN severity = 'serious' THEN 0 ELSE 1 END,"
             " CASE WHEN first_resp = 0 AND feedback_due < $3 THEN 0 ELSE 1 END,"
             " feedback_due, id LIMIT $4");
    struct hq_param p[4] = {{HQ_P_TEXT, 0, state},
                            {HQ_P_TEXT, 0, branch && *branch ? branch : NULL},
                            {HQ_P_INT, x->now, NULL},
                            {HQ_P_INT, strcmp(x->u.role, "manager") == 0 ? SCAN_MAX : l.limit,
                             NULL}};
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "now", (double)x->now);
    l.arr = cJSON_AddArrayToObject(o, "complaints");
    rc = x->s->ops->sql(x->s, sql, p, 4, list_row, &l, NULL);
    if (rc < 0) {
        cJSON_Delete(o);
        return ans_store(x, rc, "complaint list");
    }
    return ans_json(x, 200, o);
}

struct one_ctx {
    struct cx *x;
    cJSON *c;
    char branch[HQ_BRANCH_MAX + 1];
    char state[32];
};

static int one_row(void *ctx, int ncol, const char *const *col)
{
    struct one_ctx *k = ctx;
    (void)ncol;
    k->c = cmp_json(col, k->x->now, 1);
    snprintf(k->branch, sizeof k->branch, "%s", col[C_BRANCH] ? col[C_BRANCH] : "");
    snprintf(k->state, sizeof k->state, "%s", col[C_STATE] ? col[C_STATE] : "");
    return 1;
}

static int hist_row(void *ctx, int ncol, const char *const *col)
{
    cJSON *h = cJSON_CreateObject();
    (void)ncol;
    cJSON_AddNumberToObject(h, "at", col[0] ? atof(col[0]) : 0);
    cJSON_AddStringToObject(h, "kind", col[1] ? col[1] : "");
    if (strcmp(col[1] ? col[1] : "", "transition") == 0) {
        cJSON_AddStringToObject(h, "from", col[2] ? col[2] : "");
        cJSON_AddStringToObject(h, "to", col[3] ? col[3] : "");
    }
    cJSON_AddStringToObject(h, "actor", col[4] ? col[4] : "");
    cJSON_AddStringToObject(h, "note", col[5] ? col[5] : "");
    cJSON_AddItemToArray(ctx, h);
    return 0;
}

/* Loads complaint id for x's user: 0 and k filled; else the answer was
 * queued into *ret (404, 403, store error) and -1. */
static int complaint_load(struct cx *x, long long id, struct one_ctx *k, enum MHD_Result *ret)
{
    struct hq_param p[1] = {{HQ_P_INT, id, NULL}};
    int rc;
    memset(k, 0, sizeof *k);
    k->x = x;
    rc = x->s->ops->sql(x->s, CMP_SELECT " WHERE c.id = $1", p, 1, one_row, k, NULL);
    if (rc < 0) {
        *ret = ans_store(x, rc, "complaint");
        return -1;
    }
    if (!k->c) {
        *ret = ans_err(x, 404, "not_found", "no complaint %lld", id);
        return -1;
    }
    if (!hq_user_may_branch(&x->u, k->branch)) {
        cJSON_Delete(k->c);
        k->c = NULL;
        *ret = ans_err(x, 403, "forbidden", "complaint %lld is not of your branches", id);
        return -1;
    }
    return 0;
}

/* The detail answer: {"complaint", "next", "history"}. */
static enum MHD_Result complaint_show(struct cx *x, long long id)
{
    struct one_ctx k;
    enum MHD_Result ret;
    const char *next[8];
    cJSON *o, *arr;
    int n, rc;
    if (complaint_load(x, id, &k, &ret) != 0)
        return ret;
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "complaint", k.c);
    arr = cJSON_AddArrayToObject(o, "next");
    n = hq_complaint_next(k.state, next, 8);
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(next[i]));
    /* The most characters each text holds: the kiosk's rules (app/core
     * complaint.h) for what a branch receives; the page's fields take them. */
    cJSON *lim = cJSON_AddObjectToObject(o, "limits");
    cJSON_AddNumberToObject(lim, "department", COMPLAINT_NAME_MAX);
    cJSON_AddNumberToObject(lim, "resolution", COMPLAINT_NOTE_MAX);
    cJSON_AddNumberToObject(lim, "close_reason", COMPLAINT_NOTE_MAX);
    cJSON_AddNumberToObject(lim, "note", COMPLAINT_NOTE_MAX);
    cJSON_AddNumberToObject(lim, "text", NOTE_MAX);
    arr = cJSON_AddArrayToObject(o, "history");
    struct hq_param p[1] = {{HQ_P_INT, id, NULL}};
    rc = x->s->ops->sql(x->s,
                        "SELECT at, 'transition', from_state, to_state, actor, note, id, 0"
                        " FROM complaint_event WHERE complaint_id = $1"
                        " UNION ALL SELECT at, kind, '', '', actor, body, id, 1"
                        " FROM complaint_note WHERE complaint_id = $1 ORDER BY 1, 8, 7",
                        p, 1, hist_row, arr, NULL);
    if (rc < 0) {
        cJSON_Delete(o);
        return ans_store(x, rc, "complaint history");
    }
    return ans_json(x, 200, o);
}

/* Member k of b as text (*out; NULL when absent or null), or -1 when it is
 * not text. What it may hold is core's rule (hq_complaint_advance_s). */
static int field(const cJSON *b, const char *k, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, k);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    *out = v->valuestring;
    return 0;
}

static enum MHD_Result api_complaint_advance(struct cx *x, long long id)
{
    struct one_ctx k;
    enum MHD_Result ret;
    struct hq_advance a;
    struct fd_err why = {0};
    char err[300] = "";
    cJSON *b;
    const cJSON *valid;
    int rc;
    if (complaint_load(x, id, &k, &ret) != 0)
        return ret;
    cJSON_Delete(k.c);
    if (!(b = body_json(x)) || !jstr(b, "to")) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "advance needs a JSON object with \"to\"");
    }
    memset(&a, 0, sizeof a);
    a.to = jstr(b, "to");
    a.severity = jstr(b, "severity");
    valid = cJSON_GetObjectItemCaseSensitive(b, "valid");
    a.valid = cJSON_IsBool(valid) ? cJSON_IsTrue(valid)
              : cJSON_IsNumber(valid) ? valid->valueint != 0 : -1;
    a.actor = x->actor;
    if (field(b, "department", &a.department) || field(b, "resolution", &a.resolution) ||
        field(b, "close_reason", &a.close_reason) || field(b, "stat_category", &a.stat_category) ||
        field(b, "note", &a.note)) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "department, resolution, close_reason,"
                                              " stat_category and note are texts");
    }
    rc = hq_complaint_advance_s(x->s, id, &a, jstr(b, "satisfaction"), x->now, err, sizeof err,
                                &why);
    if (rc == HQ_OK) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s -> %s", k.state, a.to);
        rc = audit(x, "complaint.advance", k.branch, detail);
    }
    cJSON_Delete(b);
    /* A value a rule refused: 400 invalid; a step not allowed now, or one
     * missing what it needs: 409 invalid_transition. Both name the field. */
    if (rc == HQ_E_INVALID && why.code == FD_EINVAL)
        return ans_refused(x, 400, "invalid", why.field, why.limit, "%s", err);
    if (rc == HQ_E_INVALID)
        return ans_refused(x, 409, "invalid_transition", why.field, 0, "%s", err);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 404, "not_found", "%s", err);
    if (rc != HQ_OK)
        return ans_store(x, rc, "complaint advance");
    return complaint_show(x, id);
}

/* Adds a note or an assignment (kind) with its audit row, in one transaction. */
static int note_put(struct cx *x, long long id, const char *kind, const char *text,
                    const char *assignee)
{
    struct hq_store *s = x->s;
    char subject[32];
    int rc = s->ops->begin(s);
    if (rc != HQ_OK)
        return rc;
    if (strcmp(kind, "assign") == 0) {
        struct hq_param p[3] = {{HQ_P_INT, id, NULL}, {HQ_P_TEXT, 0, assignee},
                                {HQ_P_INT, x->now, NULL}};
        rc = s->ops->sql(s, "UPDATE complaint SET assignee = $2 WHERE id = $1", p, 2, NULL,
                         NULL, NULL);
    }
    if (rc == HQ_OK) {
        struct hq_param p[5] = {{HQ_P_INT, id, NULL}, {HQ_P_INT, x->now, NULL},
                                {HQ_P_TEXT, 0, kind}, {HQ_P_TEXT, 0, x->actor},
                                {HQ_P_TEXT, 0, text}};
        rc = s->ops->sql(s, "INSERT INTO complaint_note(complaint_id, at, kind, actor, body)"
                            " VALUES ($1, $2, $3, $4, $5)",
                         p, 5, NULL, NULL, NULL);
    }
    snprintf(subject, sizeof subject, "complaint %lld", id);
    if (rc == HQ_OK)
        rc = audit(x, strcmp(kind, "assign") == 0 ? "complaint.assign" : "complaint.note",
                   subject, text);
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    if (rc != HQ_OK)
        s->ops->rollback(s);
    return rc;
}

static enum MHD_Result complaint_note(struct cx *x, long long id)
{
    struct one_ctx k;
    enum MHD_Result ret;
    cJSON *b;
    const char *t;
    int rc;
    if (complaint_load(x, id, &k, &ret) != 0)
        return ret;
    cJSON_Delete(k.c);
    b = body_json(x);
    t = jstr(b, "text");
    struct fd_err why = {0};
    if (val_text(t, "text", NOTE_MAX, VAL_REQUIRED | VAL_MULTILINE, &why) != 0) {
        cJSON_Delete(b);
        return ans_refused(x, 400, "invalid", "text", why.limit, "%s", why.msg);
    }
    rc = note_put(x, id, "note", t, NULL);
    cJSON_Delete(b);
    if (rc != HQ_OK)
        return ans_store(x, rc, "complaint note");
    return complaint_show(x, id);
}

static enum MHD_Result complaint_assign(struct cx *x, long long id)
{
    struct one_ctx k;
    enum MHD_Result ret;
    struct hq_user who;
    cJSON *b;
    const cJSON *v;
    const char *name = NULL;
    int rc;
    if (complaint_load(x, id, &k, &ret) != 0)
        return ret;
    cJSON_Delete(k.c);
    b = body_json(x);
    v = cJSON_GetObjectItemCaseSensitive(b, "officer");
    if (!b || !v || !(cJSON_IsNull(v) || cJSON_IsString(v))) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "assign needs {\"officer\": NAME or null}");
    }
    if (cJSON_IsString(v)) {
        name = v->valuestring;
        rc = hq_user_get(x->s, name, &who);
        if (rc == HQ_E_NOTFOUND || (rc == HQ_OK && (who.disabled ||
                                                    !hq_user_may_branch(&who, k.branch)))) {
            enum MHD_Result bad = ans_refused(
                x, 400, "invalid", "officer", 0, "%.64s is not an active user who may work"
                                                 " this branch's complaints", name);
            cJSON_Delete(b); /* name points into it */
            return bad;
        }
        if (rc != HQ_OK) {
            cJSON_Delete(b);
            return ans_store(x, rc, "assign");
        }
    }
    rc = note_put(x, id, "assign", name ? name : "", name);
    cJSON_Delete(b);
    if (rc != HQ_OK)
        return ans_store(x, rc, "complaint assign");
    return complaint_show(x, id);
}

static enum MHD_Result complaints(struct cx *x, const char *rest)
{
    char *end = NULL;
    long long id;
    if (*rest == '\0') {
        if (strcmp(x->method, "GET") != 0)
            return ans_err(x, 405, "method", "GET only");
        return complaints_list(x);
    }
    if (*rest != '/' || (id = strtoll(rest + 1, &end, 10)) <= 0 || end == rest + 1)
        return ans_err(x, 404, "not_found", "no such complaint");
    if (*end == '\0')
        return strcmp(x->method, "GET") == 0 ? complaint_show(x, id)
                                             : ans_err(x, 405, "method", "GET only");
    if (strcmp(x->method, "POST") != 0)
        return ans_err(x, 405, "method", "POST only");
    if (strcmp(end, "/advance") == 0)
        return api_complaint_advance(x, id);
    if (strcmp(end, "/assign") == 0)
        return complaint_assign(x, id);
    if (strcmp(end, "/note") == 0)
        return complaint_note(x, id);
    return ans_err(x, 404, "not_found", "no such endpoint");
}

/* ---- fleet ---- */

/* Adds figures from a per-device query into the devices' objects (by id). */
struct fig_ctx {
    cJSON *devs;
    const char *const *keys;  /* JSON names of columns 1.. */
    int nkeys;
};

static cJSON *device_obj(cJSON *devs, const char *id)
{
    cJSON *d;
    cJSON_ArrayForEach(d, devs) {
        const char *v = jstr(d, "device_id");
        if (v && id && strcmp(v, id) == 0)
            return d;
    }
    return NULL;
}

static int fig_row(void *ctx, int ncol, const char *const *col)
{
    struct fig_ctx *f = ctx;
    cJSON *d = device_obj(f->devs, col[0]);
    for (int i = 0; d && i < f->nkeys && i + 1 < ncol; i++)
        cJSON_ReplaceItemInObjectCaseSensitive(
            d, f->keys[i], cJSON_CreateNumber(col[i + 1] ? atof(col[i + 1]) : 0));
    return 0;
}

static void alarm_add(cJSON *alarms, const char *kind, const cJSON *d, double since, double count)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "kind", kind);
    cJSON_AddStringToObject(a, "branch", jstr(d, "branch") ? jstr(d, "branch") : "");
    cJSON_AddStringToObject(a, "device_id", jstr(d, "device_id") ? jstr(d, "device_id") : "");
    cJSON_AddNumberToObject(a, "since", since);
    cJSON_AddNumberToObject(a, "count", count);
    cJSON_AddItemToArray(alarms, a);
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static enum MHD_Result fleet(struct cx *x)
{
    const char *branch = arg(x, "branch");
    cJSON *o = NULL, *devs, *d, *next, *branches, *alarms;
    static const char *const k_dev[] = {"backlog", "quarantined"};
    static const char *const k_day[] = {"tickets_today", "waiting_now", "oldest_waiting_at"};
    struct fig_ctx f;
    int rc;
    if (strcmp(x->method, "GET") != 0)
        return ans_err(x, 405, "method", "GET only");
    if (branch && *branch && !hq_user_may_branch(&x->u, branch))
        return ans_err(x, 403, "forbidden", "not your branch");
    if ((rc = hq_fleet_collect(x->s, x->now, branch && *branch ? branch : NULL, &o)) != HQ_OK)
        return ans_store(x, rc, "fleet");
    devs = cJSON_GetObjectItemCaseSensitive(o, "devices");
    /* A manager's other branches leave the answer. */
    for (d = devs ? devs->child : NULL; d; d = next) {
        next = d->next;
        if (!hq_user_may_branch(&x->u, jstr(d, "branch")))
            cJSON_Delete(cJSON_DetachItemViaPointer(devs, d));
        else
            for (size_t i = 0; i < 5; i++)
                cJSON_AddNumberToObject(d, i < 2 ? k_dev[i] : k_day[i - 2], 0);
    }
    f = (struct fig_ctx){devs, k_dev, 2};
    rc = x->s->ops->sql(x->s,
                        "SELECT d.device_id, d.backlog, (SELECT count(*) FROM quarantine q"
                        " WHERE q.device_id = d.device_id) FROM device d",
                        NULL, 0, fig_row, &f, NULL);
    /* Today: the kiosk's newest business day, when it began within a day. */
    if (rc == HQ_OK) {
        struct hq_param p[1] = {{HQ_P_INT, x->now - 86400, NULL}};
        f = (struct fig_ctx){devs, k_day, 3};
        rc = x->s->ops->sql(
            x->s,
            "SELECT t.device_id, count(*),"
            " sum(CASE WHEN t.state = 'waiting' THEN 1 ELSE 0 END),"
            " coalesce(min(CASE WHEN t.state = 'waiting' THEN t.issued_at END), 0)"
            " FROM ticket_state t WHERE t.bday = (SELECT max(x.bday) FROM ticket_state x"
            " WHERE x.device_id = t.device_id) AND t.device_id IN (SELECT device_id FROM"
            " ticket_state WHERE issued_at >= $1) GROUP BY t.device_id",
            p, 1, fig_row, &f, NULL);
    }
    if (rc != HQ_OK) {
        cJSON_Delete(o);
        return ans_store(x, rc, "fleet figures");
    }
    branches = cJSON_AddArrayToObject(o, "branches");
    alarms = cJSON_AddArrayToObject(o, "alarms");
    cJSON_ArrayForEach(d, devs) {
        const char *b = jstr(d, "branch");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(d, "health");
        double oldest = num(d, "oldest_waiting_at");
        cJSON *bo = NULL, *it;
        int revoked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "revoked"));
        int online = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "online"));
        cJSON_DeleteItemFromObjectCaseSensitive(d, "oldest_waiting_at");
        cJSON_AddNumberToObject(d, "longest_wait_s",
                                oldest > 0 && x->now > oldest ? (double)x->now - oldest : 0);
        cJSON_ArrayForEach(it, branches) {
            if (strcmp(jstr(it, "branch"), b ? b : "") == 0)
                bo = it;
        }
        if (!bo) {
            bo = cJSON_CreateObject();
            cJSON_AddStringToObject(bo, "branch", b ? b : "");
            cJSON_AddNumberToObject(bo, "devices", 0);
            cJSON_AddNumberToObject(bo, "online", 0);
            cJSON_AddNumberToObject(bo, "tickets_today", 0);
            cJSON_AddNumberToObject(bo, "waiting_now", 0);
            cJSON_AddNumberToObject(bo, "longest_wait_s", 0);
            cJSON_AddNumberToObject(bo, "quarantined", 0);
            cJSON_AddItemToArray(branches, bo);
        }
        if (revoked)
            continue;
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(bo, "devices"),
                             num(bo, "devices") + 1);
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(bo, "online"),
                             num(bo, "online") + online);
        static const char *const sums[] = {"tickets_today", "waiting_now", "quarantined"};
        for (int i = 0; i < 3; i++)
            cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(bo, sums[i]),
                                 num(bo, sums[i]) + num(d, sums[i]));
        if (num(d, "longest_wait_s") > num(bo, "longest_wait_s"))
            cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(bo, "longest_wait_s"),
                                 num(d, "longest_wait_s"));
        if (!online)
            alarm_add(alarms, "offline", d, num(d, "last_contact"), 0);
        if (cJSON_IsObject(h) &&
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(h, "printer"), "paper_out")))
            alarm_add(alarms, "paper_out", d, num(h, "at"), 0);
        if (num(d, "quarantined") > 0)
            alarm_add(alarms, "quarantine", d, 0, num(d, "quarantined"));
    }
    return ans_json(x, 200, o);
}

static enum MHD_Result enrol_token(struct cx *x)
{
    cJSON *b = body_json(x), *o;
    const char *branch = jstr(b, "branch");
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(b, "ttl_s");
    long long t = cJSON_IsNumber(ttl) ? (long long)ttl->valuedouble : 86400;
    unsigned char raw[32], hash[HQ_HASH_BYTES];
    char tok[65];
    int rc;
    if (!branch || !*branch || !text_ok(branch, HQ_BRANCH_MAX, 0) || t < 60 ||
        t > 365LL * 86400) {
        cJSON_Delete(b);
        return ans_err(x, 400, "invalid", "a token needs a branch name and ttl_s of 60 s to a "
                                          "year");
    }
    /* As `frontdesk-hq enroll-token`: 32 random bytes, only the hash kept. */
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
    crypto_generichash(hash, sizeof hash, (const unsigned char *)tok, strlen(tok), NULL, 0);
    rc = x->s->ops->token_create(x->s, hash, branch, x->now, x->now + t);
    if (rc == HQ_OK)
        rc = audit(x, "enroll_token", branch, "");
    if (rc != HQ_OK) {
        cJSON_Delete(b);
        return ans_store(x, rc, "enrol token");
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", tok);
    cJSON_AddStringToObject(o, "branch", branch);
    cJSON_AddNumberToObject(o, "expires_at", (double)(x->now + t));
    cJSON_Delete(b);
    sodium_memzero(tok, sizeof tok);
    return ans_json(x, 200, o);
}

static enum MHD_Result api_revoke(struct cx *x, const char *id)
{
    cJSON *o;
    int rc;
    if (!text_ok(id, HQ_DEVICE_ID_MAX, 0) || !*id)
        return ans_err(x, 404, "not_found", "no such device");
    rc = x->s->ops->device_revoke(x->s, id, x->now);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 404, "not_found", "no such device");
    if (rc == HQ_OK)
        rc = audit(x, "revoke", id, "");
    if (rc != HQ_OK)
        return ans_store(x, rc, "revoke");
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "device_id", id);
    cJSON_AddBoolToObject(o, "revoked", 1);
    return ans_json(x, 200, o);
}

/* ---- users and audit (admin) ---- */

static int user_item(void *ctx, const struct hq_user *u)
{
    cJSON_AddItemToArray(ctx, hq_user_json(u));
    return 0;
}

/* The branches member of b into out[] (pointing into b); -1 when not a
 * list of strings. */
static int branches_of(const cJSON *b, const char **out, int *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(b, "branches"), *it;
    *n = 0;
    if (!a || cJSON_IsNull(a))
        return 0;
    if (!cJSON_IsArray(a))
        return -1;
    cJSON_ArrayForEach(it, a) {
        if (!cJSON_IsString(it) || *n >= HQ_USER_BRANCHES_MAX)
            return -1;
        out[(*n)++] = it->valuestring;
    }
    return 0;
}

static enum MHD_Result user_answer(struct cx *x, const char *name)
{
    struct hq_user u;
    int rc = hq_user_get(x->s, name, &u);
    cJSON *o;
    if (rc != HQ_OK)
        return ans_store(x, rc, "user");
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", hq_user_json(&u));
    return ans_json(x, 200, o);
}

static enum MHD_Result users(struct cx *x, const char *rest)
{
    const char *br[HQ_USER_BRANCHES_MAX];
    struct fd_err why = {0}; /* a refusal's field, for the page */
    char err[256] = "";
    cJSON *b, *o;
    int nb = 0, rc;
    if (*rest == '\0' && strcmp(x->method, "GET") == 0) {
        o = cJSON_CreateObject();
        if ((rc = hq_user_each(x->s, user_item, cJSON_AddArrayToObject(o, "users"))) < 0) {
            cJSON_Delete(o);
            return ans_store(x, rc, "users");
        }
        return ans_json(x, 200, o);
    }
    if (strcmp(x->method, "POST") != 0)
        return ans_err(x, 405, "method", "GET or POST");
    if (!(b = body_json(x)) || branches_of(b, br, &nb) != 0) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "a JSON object with branches a list of names");
    }
    if (*rest == '\0') {
        const char *name = jstr(b, "name");
        rc = hq_user_add(x->s, name, jstr(b, "role"), br, nb, jstr(b, "password"), x->now, err,
                         sizeof err, &why);
        if (rc == HQ_OK)
            rc = audit(x, "user.add", name, jstr(b, "role"));
        if (rc == HQ_OK) {
            enum MHD_Result ret = user_answer(x, name);
            cJSON_Delete(b);
            return ret;
        }
    } else if (*rest == '/' && rest[1]) {
        const char *name = rest + 1;
        const cJSON *dis = cJSON_GetObjectItemCaseSensitive(b, "disabled");
        const char *role = jstr(b, "role");
        char detail[96];
        int d = cJSON_IsBool(dis) ? cJSON_IsTrue(dis) : -1;
        if (!role && nb > 0) {
            cJSON_Delete(b);
            return ans_refused(x, 400, "invalid", "branches", 0, "branches go with a role");
        }
        if (d == 1 && strcmp(name, x->u.name) == 0) {
            cJSON_Delete(b);
            return ans_refused(x, 400, "invalid", "disabled", 0, "you cannot disable yourself");
        }
        rc = hq_user_update(x->s, name, role, br, nb, d, jstr(b, "password"), err, sizeof err,
                            &why);
        snprintf(detail, sizeof detail, "%s%s%s", role ? role : "",
                 d == 1 ? " disabled" : d == 0 ? " enabled" : "",
                 jstr(b, "password") ? " password" : "");
        if (rc == HQ_OK)
            rc = audit(x, "user.update", name, detail);
        if (rc == HQ_OK) {
            enum MHD_Result ret = user_answer(x, name);
            cJSON_Delete(b);
            return ret;
        }
    } else {
        cJSON_Delete(b);
        return ans_err(x, 404, "not_found", "no such endpoint");
    }
    {
        cJSON *pw = cJSON_GetObjectItemCaseSensitive(b, "password");
        if (cJSON_IsString(pw))
            sodium_memzero(pw->valuestring, strlen(pw->valuestring));
    }
    cJSON_Delete(b);
    if (rc == HQ_E_INVALID)
        return ans_refused(x, 400, "invalid", why.field, 0, "%s", err);
    if (rc == HQ_E_EXISTS)
        return ans_err(x, 409, "exists", "%s", err);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 404, "not_found", "%s", err);
    return ans_store(x, rc, "user change");
}

static int audit_row(void *ctx, int ncol, const char *const *col)
{
    cJSON *a = cJSON_CreateObject();
    static const char *const names[] = {"at", "actor", "action", "subject", "reason", "detail"};
    for (int i = 0; i < ncol && i < 6; i++) {
        if (i == 0)
            cJSON_AddNumberToObject(a, names[i], col[i] ? atof(col[i]) : 0);
        else
            cJSON_AddStringToObject(a, names[i], col[i] ? col[i] : "");
    }
    cJSON_AddItemToArray(ctx, a);
    return 0;
}

static enum MHD_Result audit_list(struct cx *x)
{
    const char *lim = arg(x, "limit");
    int n = lim ? atoi(lim) : 200;
    cJSON *o = cJSON_CreateObject();
    int rc;
    if (n < 1 || n > AUDIT_MAX)
        n = 200;
    struct hq_param p[1] = {{HQ_P_INT, n, NULL}};
    rc = x->s->ops->sql(x->s,
                        "SELECT at, actor, action, subject, reason, detail FROM hq_audit"
                        " ORDER BY id DESC LIMIT $1",
                        p, 1, audit_row, cJSON_AddArrayToObject(o, "audit"), NULL);
    if (rc < 0) {
        cJSON_Delete(o);
        return ans_store(x, rc, "audit");
    }
    return ans_json(x, 200, o);
}

/* ---- routing ---- */

static int connection_tls(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
    const union MHD_DaemonInfo *di =
        ci ? MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_FLAGS) : NULL;
    return di && (di->flags & MHD_USE_TLS) != 0;
}

static int prefix(const char *path, const char *p, const char **rest)
{
    size_t n = strlen(p);
    if (strncmp(path, p, n) != 0 || (path[n] != '\0' && path[n] != '/'))
        return 0;
    *rest = path + n;
    return 1;
}

static enum MHD_Result api(struct cx *x)
{
    char cookie[HQ_TOKEN_HEX + 1];
    const char *rest;
    char csrf[HQ_TOKEN_HEX + 1];
    int change = strcmp(x->method, "GET") != 0 && strcmp(x->method, "HEAD") != 0;
    int rc;

    if (fdweb_cookie(x->c, COOKIE, cookie, sizeof cookie) != 0)
        cookie[0] = '\0';
    if (x->len > HQ_CONSOLE_BODY_MAX)
        return ans_err(x, 413, "too_large", "request bodies are capped at %u bytes",
                       HQ_CONSOLE_BODY_MAX);
    if (strcmp(x->path, "login") == 0)
        return strcmp(x->method, "POST") == 0 ? do_login(x)
                                               : ans_err(x, 405, "method", "POST only");
    rc = hq_session_check(x->s, cookie, x->now, &x->u, csrf);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 401, "unauthenticated", "sign in first (or again)");
    if (rc != HQ_OK)
        return ans_store(x, rc, "session");
    snprintf(x->actor, sizeof x->actor, "console:%s", x->u.name);
    /* Every change: our own pages only (SameSite=Strict already keeps the
     * cookie off other sites' requests; this holds even where it does not). */
    if (change && fdweb_same_origin(x->c, csrf) != 0) {
        sodium_memzero(csrf, sizeof csrf);
        return ans_err(x, 403, "cross_site", "refused: not sent by the console's own page");
    }
    if (strcmp(x->path, "me") == 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "user", hq_user_json(&x->u));
        cJSON_AddStringToObject(o, "csrf", csrf);
        cJSON_AddNumberToObject(o, "idle_timeout_s", HQ_SESSION_IDLE);
        cJSON_AddNumberToObject(o, "now", (double)x->now);
        sodium_memzero(csrf, sizeof csrf);
        return ans_json(x, 200, o);
    }
    sodium_memzero(csrf, sizeof csrf);
    if (strcmp(x->path, "logout") == 0) {
        if (!change)
            return ans_err(x, 405, "method", "POST only");
        if ((rc = hq_session_end(x->s, cookie)) == HQ_OK)
            rc = audit(x, "logout", x->u.name, "");
        if (rc != HQ_OK)
            return ans_store(x, rc, "logout");
        return ans_cookie(x, cJSON_CreateObject(), NULL);
    }
    if (prefix(x->path, "complaints", &rest))
        return complaints(x, rest);
    if (strcmp(x->path, "fleet") == 0)
        return fleet(x);
    if (prefix(x->path, "invitations", &rest))
        return invitations(x, rest); /* roles checked there */
    if (prefix(x->path, "reports", &rest)) {
        if (strcmp(x->method, "GET") != 0)
            return ans_err(x, 405, "method", "GET only");
        if (*rest == '\0')
            return report_get(x);
        if (strcmp(rest, "/compare") == 0)
            return report_compare(x);
        return ans_err(x, 404, "not_found", "no such report");
    }
    /* The rest is the administrator's. */
    if (!is_admin(x))
        return ans_err(x, 403, "forbidden", "only an administrator may do this");
    if (strcmp(x->path, "enrol-tokens") == 0)
        return change ? enrol_token(x) : ans_err(x, 405, "method", "POST only");
    if (prefix(x->path, "devices", &rest)) {
        size_t n = strlen(rest);
        if (!change || n < 9 || strcmp(rest + n - 7, "/revoke") != 0 || rest[0] != '/')
            return ans_err(x, 404, "not_found", "no such endpoint");
        char id[HQ_DEVICE_ID_MAX + 2];
        if (n - 8 > HQ_DEVICE_ID_MAX)
            return ans_err(x, 404, "not_found", "no such device");
        memcpy(id, rest + 1, n - 8);
        id[n - 8] = '\0';
        return api_revoke(x, id);
    }
    if (prefix(x->path, "config", &rest)) {
        if (*rest == '\0')
            return strcmp(x->method, "GET") == 0 ? config_get(x)
                                                 : ans_err(x, 405, "method", "GET only");
        return change ? config_post(x, rest + 1) : ans_err(x, 405, "method", "POST only");
    }
    if (prefix(x->path, "users", &rest))
        return users(x, rest);
    if (strcmp(x->path, "audit") == 0)
        return audit_list(x);
    return ans_err(x, 404, "not_found", "no such endpoint: %s", x->path);
}

enum MHD_Result hq_console_handle(struct hq_store *s, struct MHD_Connection *c,
                                  const char *method, const char *url, const char *body,
                                  size_t len)
{
    struct cx x;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.c = c;
    x.method = method;
    x.body = body;
    x.len = len;
    x.tls = connection_tls(c);
    x.now = (long long)time(NULL);
    if (strncmp(url, "/console/api/", 13) == 0) {
        x.path = url + 13;
        enum MHD_Result ret = api(&x);
        s->ops->rollback(s); /* never leave a transaction open on a pooled handle */
        return ret;
    }
    /* the pages (hq_assets.c) never come here: only "/console/api" itself */
    x.path = url;
    return ans_err(&x, 404, "not_found", "no such endpoint");
}
