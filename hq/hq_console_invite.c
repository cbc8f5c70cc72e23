/* hq_console_invite.c - the console's invitations (issue 14): the list by
 * branch and day with each one's state, a new invitation, its QR code as a
 * PNG, and cancelling one. Everything goes through hq_invite.c (the owner of
 * the `invitation` table and of core's rules for it), so the console checks
 * exactly what `frontdesk-hq invite add|cancel` checks and its changes go
 * down the pull the same way. Phones leave head office masked (hq_phone_mask,
 * as the audit log shows them): the console has no business with the whole
 * number once the invitation is made. Roles: everyone signed in may read
 * (a manager only their branches); an administrator, or a manager for their
 * own branches, invites and cancels. */
#include "hq_console_int.h"
#include "hq_invite.h"
#include "hq_person.h"
#include "hq_report.h"

#include "bday.h"
#include "embedded.h"
#include "invite.h"
#include "visitor.h" /* the visitor's texts' limits, which an invitation's are */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INV_LIST_MAX 1000   /* invitations in one answer; more: "truncated" */
#define INV_BRANCHES 32     /* branches whose business day one answer remembers */

extern const struct fd_embedded_file fd_default_config[]; /* app/core: default.conf */

/* 1 when the user may invite to and cancel at branch. Officers read only:
 * their work is complaints (hq/CONSOLE_API.md, Roles). */
static int may_invite(const struct cx *x, const char *branch)
{
    if (strcmp(x->u.role, "admin") == 0)
        return 1;
    return strcmp(x->u.role, "manager") == 0 && hq_user_may_branch(&x->u, branch);
}

/* The hour a business day turns over at branch: its own setting, else every
 * branch's, else the kiosk's default (data/config/default.conf). */
static int turnover_hour(struct hq_store *s, const char *branch)
{
    char v[64];
    const char *d, *key = "day_turnover_hour";
    if (s->ops->config_get(s, branch, key, v, sizeof v) == HQ_OK ||
        s->ops->config_get(s, "", key, v, sizeof v) == HQ_OK) {
        char *end;
        long h = strtol(v[0] == '"' ? v + 1 : v, &end, 10);
        if (end != v && h >= 0 && h <= 23)
            return (int)h;
    }
    for (d = fd_default_config[0].data; d && *d; d = strchr(d, '\n') ? strchr(d, '\n') + 1 : NULL)
        if (strncmp(d, key, strlen(key)) == 0 && (d[strlen(key)] == ' ' || d[strlen(key)] == '=')) {
            const char *eq = strchr(d, '=');
            if (eq)
                return atoi(eq + 1);
        }
    return 0;
}

/* Business days of the branches met in one answer. */
struct bdays {
    int n;
    char branch[INV_BRANCHES][HQ_BRANCH_MAX + 1];
    char day[INV_BRANCHES][11];
};

/* The branch's business day now, as its kiosks count it (their zone and
 * turnover hour): the calendar date, in the branch's zone, of now minus
 * the turnover hour. "" when the store failed (nothing is called expired). */
static const char *branch_today(struct cx *x, struct bdays *b, const char *branch)
{
    char t[32];
    int i;
    for (i = 0; i < b->n; i++)
        if (strcmp(b->branch[i], branch) == 0)
            return b->day[i];
    i = b->n < INV_BRANCHES ? b->n++ : INV_BRANCHES - 1;
    snprintf(b->branch[i], sizeof b->branch[i], "%s", branch);
    b->day[i][0] = '\0';
    if (hq_report_local_time(x->s, branch, x->now - 3600LL * turnover_hour(x->s, branch), t,
                             sizeof t, NULL, 0) == HQ_OK && strlen(t) >= 10)
        snprintf(b->day[i], sizeof b->day[i], "%.10s", t);
    return b->day[i];
}

/* An entry of hq_invite_list as the console shows it: the phone masked,
 * an open invitation of a past business day "expired" (a kiosk refuses it:
 * it is only good on its day). */
static void shown(struct cx *x, struct bdays *b, cJSON *it)
{
    const char *phone = jstr(it, "phone"), *state = jstr(it, "state");
    const char *day = jstr(it, "day"), *branch = jstr(it, "branch");
    char mask[48];
    hq_phone_mask(phone ? phone : "", mask, sizeof mask);
    cJSON_ReplaceItemInObjectCaseSensitive(it, "phone", cJSON_CreateString(mask));
    if (state && strcmp(state, "open") == 0 && day && branch) {
        const char *today = branch_today(x, b, branch);
        if (*today && strcmp(day, today) < 0)
            cJSON_ReplaceItemInObjectCaseSensitive(it, "state", cJSON_CreateString("expired"));
    }
}

static int day_ok(const char *d)
{
    int y, m, dd;
    return d && strlen(d) == 10 && bday_parse(d, &y, &m, &dd) == 0;
}

/* GET invitations?branch=B&day=YYYY-MM-DD */
static enum MHD_Result inv_list(struct cx *x)
{
    const char *branch = arg(x, "branch"), *day = arg(x, "day");
    struct bdays *b;
    cJSON *all = NULL, *o, *arr, *it, *next;
    int rc, n = 0;
    if (branch && !*branch)
        branch = NULL;
    if (day && !*day)
        day = NULL;
    if (day && !day_ok(day))
        return ans_err(x, 400, "bad_request", "day is a date YYYY-MM-DD");
    if (branch && !text_ok(branch, HQ_BRANCH_MAX, 0))
        return ans_err(x, 400, "bad_request", "a branch is a name of at most %d bytes",
                       HQ_BRANCH_MAX);
    if (branch && !hq_user_may_branch(&x->u, branch))
        return ans_err(x, 403, "forbidden", "not your branch");
    if ((rc = hq_invite_list(x->s, branch, day, &all)) != HQ_OK)
        return ans_store(x, rc, "invitations");
    if (!(b = calloc(1, sizeof *b))) {
        cJSON_Delete(all);
        return ans_err(x, 500, "internal", "out of memory");
    }
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "now", (double)x->now);
    /* The most characters each text of a new invitation holds: the kiosk's
     * rules (app/core invite_check), which the page's fields take. */
    cJSON *lim = cJSON_AddObjectToObject(o, "limits");
    cJSON_AddNumberToObject(lim, "name", VISITOR_NAME_MAX);
    cJSON_AddNumberToObject(lim, "company", VISITOR_COMPANY_MAX);
    cJSON_AddNumberToObject(lim, "purpose", VISITOR_PURPOSE_MAX);
    cJSON_AddNumberToObject(lim, "host", HOST_NAME_MAX_CHARS);
    arr = cJSON_AddArrayToObject(o, "invitations");
    for (it = all ? all->child : NULL; it; it = next) {
        next = it->next;
        if (!hq_user_may_branch(&x->u, jstr(it, "branch")))
            continue;
        if (n++ >= INV_LIST_MAX) {
            cJSON_AddBoolToObject(o, "truncated", 1);
            break;
        }
        cJSON_DetachItemViaPointer(all, it);
        shown(x, b, it);
        cJSON_AddItemToArray(arr, it);
    }
    cJSON_Delete(all);
    free(b);
    return ans_json(x, 200, o);
}

/* POST invitations {"branch","day","name","phone","company","purpose","host"} */
static enum MHD_Result inv_add(struct cx *x)
{
    static const char *const keys[] = {"branch", "day", "name", "phone", "company", "purpose",
                                       "host"};
    cJSON *b = body_json(x), *all = NULL, *found = NULL, *it, *o;
    char code[16] = "", msg[300] = "";
    struct bdays *bd;
    int rc;
    if (!b) {
        return ans_err(x, 400, "bad_request", "a JSON object with branch, day, name, phone"
                                              " (company, purpose, host optional)");
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, keys[i]);
        if (v && !cJSON_IsString(v) && !cJSON_IsNull(v)) {
            cJSON_Delete(b);
            return ans_err(x, 400, "bad_request", "%s is a text", keys[i]);
        }
    }
    struct hq_invite_new in = {jstr(b, "branch"), jstr(b, "day"), jstr(b, "name"),
                               jstr(b, "phone"), jstr(b, "company"), jstr(b, "purpose"),
                               jstr(b, "host"), x->actor};
    if (!in.branch || !*in.branch || !text_ok(in.branch, HQ_BRANCH_MAX, 0)) {
        cJSON_Delete(b);
        return ans_refused(x, 400, "invalid", "branch", 0, "branch: a branch name of 1..%d bytes",
                           HQ_BRANCH_MAX);
    }
    if (!may_invite(x, in.branch)) {
        cJSON_Delete(b);
        return ans_err(x, 403, "forbidden", "only an administrator, or the branch's manager,"
                                            " may invite");
    }
    if (!in.day || !in.name || !in.phone) {
        const char *f = !in.day ? "day" : !in.name ? "name" : "phone";
        cJSON_Delete(b);
        return ans_refused(x, 400, "invalid", f, 0, "%s: required", f);
    }
    struct fd_err why = {0};
    rc = hq_invite_add(x->s, &in, x->now, code, msg, sizeof msg, &why);
    if (rc == HQ_E_INVALID) {
        cJSON_Delete(b);
        return ans_refused(x, 400, "invalid", why.field, why.limit, "%s", msg);
    }
    if (rc != HQ_OK) {
        cJSON_Delete(b);
        return ans_store(x, rc, "invitation add");
    }
    /* Answer with the invitation as the list shows it. */
    rc = hq_invite_list(x->s, in.branch, in.day, &all);
    cJSON_Delete(b);
    if (rc != HQ_OK)
        return ans_store(x, rc, "invitations");
    cJSON_ArrayForEach(it, all) {
        if (strcmp(jstr(it, "code") ? jstr(it, "code") : "", code) == 0)
            found = it;
    }
    if (!found || !(bd = calloc(1, sizeof *bd))) {
        cJSON_Delete(all);
        return ans_err(x, 500, "internal", "the new invitation could not be read back");
    }
    cJSON_DetachItemViaPointer(all, found);
    cJSON_Delete(all);
    shown(x, bd, found);
    free(bd);
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "invitation", found);
    return ans_json(x, 200, o);
}

/* POST invitations/CODE/cancel */
static enum MHD_Result inv_cancel(struct cx *x, const char *code)
{
    char branch[HQ_BRANCH_MAX + 1], msg[300] = "", c[INVITE_CODE_LEN + 1];
    cJSON *o;
    int rc = hq_invite_branch(x->s, code, branch);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 404, "not_found", "no invitation has this code");
    if (rc != HQ_OK)
        return ans_store(x, rc, "invitation");
    if (!may_invite(x, branch))
        return ans_err(x, 403, "forbidden", "only an administrator, or the branch's manager,"
                                            " may cancel");
    /* hq_invite_cancel audits it (invitation_cancel) with the user's name. */
    rc = hq_invite_cancel(x->s, code, x->actor, x->now, msg, sizeof msg);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 404, "not_found", "%s", msg);
    if (rc == HQ_E_INVALID)
        return ans_err(x, 409, "invalid_transition", "%s", msg);
    if (rc != HQ_OK)
        return ans_store(x, rc, "invitation cancel");
    invite_code_parse(code, c);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", c);
    cJSON_AddStringToObject(o, "state", "cancelled");
    return ans_json(x, 200, o);
}

/* GET invitations/CODE/qr.png: the code alone, as `invite add --qr` writes it. */
static enum MHD_Result inv_qr(struct cx *x, const char *code)
{
    char branch[HQ_BRANCH_MAX + 1], msg[200], c[INVITE_CODE_LEN + 1];
    unsigned char *png = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    int rc = hq_invite_branch(x->s, code, branch);
    if (rc == HQ_E_NOTFOUND)
        return ans_err(x, 404, "not_found", "no invitation has this code");
    if (rc != HQ_OK)
        return ans_store(x, rc, "invitation");
    if (!hq_user_may_branch(&x->u, branch))
        return ans_err(x, 403, "forbidden", "not your branch");
    if (invite_code_parse(code, c) != 0 || hq_invite_qr_png_mem(c, &png, &len, msg, sizeof msg))
        return ans_err(x, 500, "internal", "the QR code could not be made");
    ret = ans_bytes(x, png, len, "image/png");
    free(png);
    return ret;
}

enum MHD_Result invitations(struct cx *x, const char *rest)
{
    int change = strcmp(x->method, "POST") == 0;
    const char *slash;
    char code[32];
    size_t n;
    if (*rest == '\0') {
        if (strcmp(x->method, "GET") == 0)
            return inv_list(x);
        return change ? inv_add(x) : ans_err(x, 405, "method", "GET or POST");
    }
    /* /CODE/cancel or /CODE/qr.png */
    rest++;
    slash = strchr(rest, '/');
    n = slash ? (size_t)(slash - rest) : 0;
    if (!slash || n == 0 || n >= sizeof code)
        return ans_err(x, 404, "not_found", "no such endpoint");
    memcpy(code, rest, n);
    code[n] = '\0';
    if (strcmp(slash, "/cancel") == 0)
        return change ? inv_cancel(x, code) : ans_err(x, 405, "method", "POST only");
    if (strcmp(slash, "/qr.png") == 0)
        return strcmp(x->method, "GET") == 0 ? inv_qr(x, code)
                                             : ans_err(x, 405, "method", "GET only");
    return ans_err(x, 404, "not_found", "no such endpoint");
}
