/* hq_notify.c - telling a host their visitor is here (see hq_notify.h and
 * hq/README.md, Notifications). The queue is filled by a trigger in the
 * push's transaction (schema/.../0006_notify.sql), so an arrival is never
 * lost and never queued twice. This file checks targets, runs the `host`
 * and `notify` commands, and runs the sender: claim a due row with a lease
 * (committed before anything is sent, so a second server or a restarted one
 * leaves it alone until the lease ends), send it through libcurl, mark it.
 * A crash between the receiver's answer and the mark sends the row again
 * after the lease, with the same message id (X-Frontdesk-Notification-Id,
 * SMTP Message-ID) so a receiver can drop the repeat. Every statement is
 * the store's portable `sql` op: both backends run this same code. */
#include "hq_notify.h"

#include "hq_console.h"
#include "hq_report.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_MAX (64u * 1024)   /* bytes of a robot's answer kept; more is cut */
#define LEASE_DEFAULT 60          /* seconds a sender holds a claimed row */
#define LEASE_MIN 5
#define LEASE_MAX 3600
#define RETRY_FIRST 5             /* seconds before the first retry; doubles */
#define RETRY_MAX 600             /* the longest wait between tries */
#define PASS_ROWS 50              /* rows one pass sends at most, then it sleeps */
#define SETTING_MAX 512

/* ---- targets ---- */

/* The robots: host and path (prefix) of their webhook URLs. */
static const struct {
    const char *kind, *host, *path;
    int prefix;               /* 1: the path starts so (Feishu: the hook id follows) */
} robots[] = {
    {"wecom", "qyapi.weixin.qq.com", "/cgi-bin/webhook/send", 0},
    {"dingtalk", "oapi.dingtalk.com", "/robot/send", 0},
    {"feishu", "open.feishu.cn", "/open-apis/bot/v2/hook/", 1},
};

static int atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* A plain mail address (RFC 5321's dot-atom local part, a dotted domain of
 * letters, digits and hyphens): 1 when fine. */
static int mail_ok(const char *a)
{
    const char *at = strrchr(a, '@'), *p;
    size_t n = strlen(a), label = 0, labels = 1;
    if (!at || at == a || at - a > 64 || n > 254 || a[0] == '.' || at[-1] == '.')
        return 0;
    for (p = a; p < at; p++)
        if (!(atext(*p) || (*p == '.' && p[1] != '.')))
            return 0;
    for (p = at + 1; *p; p++) {
        if (*p == '.') {
            if (label == 0 || p[-1] == '-')
                return 0;
            label = 0;
            labels++;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || (*p == '-' && label > 0)) {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0 && p[-1] != '-' && labels >= 2;
}

int hq_notify_target_check(const char *target, const char *kind, char kind_out[16],
                           char out[HQ_NOTIFY_TARGET_MAX + 1], char *why, size_t len)
{
    CURLU *u = NULL;
    char *scheme = NULL, *host = NULL, *path = NULL;
    int rc = -1;
    const char *k = NULL;

    if (kind && !*kind)
        kind = NULL;
    kind_out[0] = out[0] = '\0';
    if (!target || !*target || strlen(target) > HQ_NOTIFY_TARGET_MAX) {
        snprintf(why, len, "a notification target is 1 to %d bytes", HQ_NOTIFY_TARGET_MAX);
        return -1;
    }
    for (const char *p = target; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
            snprintf(why, len, "a notification target has no spaces, control characters or"
                               " non-ASCII letters");
            return -1;
        }
    if (strncmp(target, "mailto:", 7) == 0) {
        if (kind && strcmp(kind, "email") != 0) {
            snprintf(why, len, "a mailto: target is of kind email, not %s", kind);
            return -1;
        }
        if (!mail_ok(target + 7)) {
            snprintf(why, len, "not a mail address: %s", target + 7);
            return -1;
        }
        snprintf(kind_out, 16, "email");
        snprintf(out, HQ_NOTIFY_TARGET_MAX + 1, "%s", target + 7);
        return 0;
    }
    if (!(u = curl_url()) || curl_url_set(u, CURLUPART_URL, target, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        snprintf(why, len, "not a URL or mailto:ADDR: %.80s", target);
        goto out;
    }
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        snprintf(why, len, "a webhook is an http or https URL");
        goto out;
    }
    {
        char *user = NULL;
        CURLUcode c = curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_free(user);
        if (c == CURLUE_OK) {
            snprintf(why, len, "a webhook URL carries no user name or password");
            goto out;
        }
    }
    for (size_t i = 0; i < sizeof robots / sizeof robots[0]; i++)
        if (strcmp(host, robots[i].host) == 0 &&
            (robots[i].prefix ? strncmp(path, robots[i].path, strlen(robots[i].path)) == 0 &&
                                    path[strlen(robots[i].path)] != '\0'
                              : strcmp(path, robots[i].path) == 0))
            k = robots[i].kind;
    if (!k && strcmp(scheme, "http") == 0 && strcmp(host, "127.0.0.1") == 0) {
        /* a receiver on this machine (tests): the kind is said, not guessed */
        for (size_t i = 0; kind && i < sizeof robots / sizeof robots[0]; i++)
            if (strcmp(kind, robots[i].kind) == 0)
                k = robots[i].kind;
        if (!k) {
            snprintf(why, len, "a webhook on 127.0.0.1 needs its kind (--notify-kind wecom|"
                               "dingtalk|feishu)");
            goto out;
        }
    }
    if (!k) {
        snprintf(why, len, "not a WeCom, DingTalk or Feishu robot's webhook (%.60s%.60s)", host,
                 path);
        goto out;
    }
    if (kind && strcmp(kind, k) != 0) {
        snprintf(why, len, "the URL is a %s robot's, not %s", k, kind);
        goto out;
    }
    snprintf(kind_out, 16, "%s", k);
    snprintf(out, HQ_NOTIFY_TARGET_MAX + 1, "%s", target);
    rc = 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(path);
    curl_url_cleanup(u);
    return rc;
}

int hq_notify_target_put(struct hq_store *s, const char *branch, long long host_id,
                         const char *kind, const char *target, long long now)
{
    struct hq_param p[5] = {{HQ_P_TEXT, 0, branch ? branch : ""}, {HQ_P_INT, host_id, NULL},
                            {HQ_P_TEXT, 0, kind}, {HQ_P_TEXT, 0, target}, {HQ_P_INT, now, NULL}};
    if (!target || !*target)
        return s->ops->sql(s, "DELETE FROM host_notify WHERE branch = $1 AND host_id = $2", p,
                           2, NULL, NULL, NULL);
    return s->ops->sql(s, "INSERT INTO host_notify(branch, host_id, kind, target, updated_at)"
                          " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (branch, host_id) DO UPDATE"
                          " SET kind = excluded.kind, target = excluded.target,"
                          " updated_at = excluded.updated_at",
                       p, 5, NULL, NULL, NULL);
}

/* The target as a person typed it. */
static void target_shown(const char *kind, const char *target, char *out, size_t n)
{
    snprintf(out, n, "%s%s", strcmp(kind, "email") == 0 ? "mailto:" : "", target);
}

struct targets_cx {
    cJSON *hosts;
};

static int target_row(void *ctx, int ncol, const char *const *col)
{
    struct targets_cx *t = ctx;
    cJSON *it;
    (void)ncol;
    if (!col[0] || !col[1] || !col[2])
        return 0;
    cJSON_ArrayForEach(it, t->hosts) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsNumber(id) && (long long)id->valuedouble == atoll(col[0])) {
            char shown[HQ_NOTIFY_TARGET_MAX + 16];
            target_shown(col[1], col[2], shown, sizeof shown);
            cJSON_DeleteItemFromObjectCaseSensitive(it, "notify");
            cJSON_DeleteItemFromObjectCaseSensitive(it, "notify_kind");
            cJSON_AddStringToObject(it, "notify", shown);
            cJSON_AddStringToObject(it, "notify_kind", col[1]);
        }
    }
    return 0;
}

int hq_notify_targets_add(struct hq_store *s, const char *branch, cJSON *hosts)
{
    struct hq_param p[1] = {{HQ_P_TEXT, 0, branch ? branch : ""}};
    struct targets_cx t = {hosts};
    cJSON *it;
    cJSON_ArrayForEach(it, hosts) {
        if (!cJSON_GetObjectItemCaseSensitive(it, "notify"))
            cJSON_AddStringToObject(it, "notify", "");
        if (!cJSON_GetObjectItemCaseSensitive(it, "notify_kind"))
            cJSON_AddStringToObject(it, "notify_kind", "");
    }
    return s->ops->sql(s, "SELECT host_id, kind, target FROM host_notify WHERE branch = $1", p,
                       1, target_row, &t, NULL);
}

/* ---- the host directory (frontdesk-hq host ...) ---- */

/* A string member, "" when absent or not a string. */
static const char *jstr_or(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int text_row(void *ctx, int ncol, const char *const *col)
{
    char **out = ctx;
    (void)ncol;
    if (col[0] && !*out)
        *out = strdup(col[0]);
    return 0;
}

/* The hosts list of branch ("" = every branch's) as stored; an empty array
 * when there is none. NULL when the store failed. */
static cJSON *hosts_load(struct hq_store *s, const char *branch)
{
    struct hq_param p[1] = {{HQ_P_TEXT, 0, branch}};
    char *t = NULL;
    cJSON *v;
    if (s->ops->sql(s, "SELECT value FROM config WHERE branch = $1 AND key = 'hosts'", p, 1,
                    text_row, &t, NULL) != HQ_OK) {
        free(t);
        return NULL;
    }
    v = t ? cJSON_Parse(t) : NULL;
    free(t);
    if (!cJSON_IsArray(v)) {
        cJSON_Delete(v);
        v = cJSON_CreateArray();
    }
    return v;
}

static int max_id_row(void *ctx, int ncol, const char *const *col)
{
    long long *max = ctx;
    cJSON *v = col[0] ? cJSON_Parse(col[0]) : NULL, *it;
    (void)ncol;
    cJSON_ArrayForEach(it, v) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsNumber(id) && id->valuedouble > (double)*max && id->valuedouble < 1e12)
            *max = (long long)id->valuedouble;
    }
    cJSON_Delete(v);
    return 0;
}

static cJSON *host_by_name(cJSON *hosts, const char *name)
{
    cJSON *it, *found = NULL;
    cJSON_ArrayForEach(it, hosts) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "active");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0 &&
            (!found || !a || cJSON_IsTrue(a) || (cJSON_IsNumber(a) && a->valuedouble != 0)))
            found = it; /* an active one wins over a retired namesake */
    }
    return found;
}

static int host_change(struct hq_store *s, int add, const char *name,
                       const struct hq_notify_opts *o)
{
    const char *branch = o->branch ? o->branch : "";
    char kind[16] = "", target[HQ_NOTIFY_TARGET_MAX + 1] = "", why[400];
    long long now = (long long)time(NULL), id;
    cJSON *hosts = hosts_load(s, branch), *h;
    char *text = NULL;
    int rc = 1, clear = o->notify && strcmp(o->notify, "none") == 0;

    if (!hosts) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    if (o->notify && !clear &&
        hq_notify_target_check(o->notify, o->notify_kind, kind, target, why, sizeof why) != 0) {
        fprintf(stderr, "frontdesk-hq: --notify: %s\n", why);
        rc = 2;
        goto out;
    }
    if (o->notify_kind && !o->notify) {
        fprintf(stderr, "frontdesk-hq: --notify-kind goes with --notify\n");
        rc = 2;
        goto out;
    }
    h = host_by_name(hosts, name);
    if (add && h) {
        fprintf(stderr, "frontdesk-hq: %s is in the directory already (host set changes it)\n",
                name);
        rc = 2;
        goto out;
    }
    if (!add && !h) {
        fprintf(stderr, "frontdesk-hq: no host %s in %s's directory (host add makes one)\n",
                name, *branch ? branch : "every branch");
        rc = 2;
        goto out;
    }
    if (add) {
        long long max = 0;
        if (s->ops->sql(s, "SELECT value FROM config WHERE key = 'hosts'", NULL, 0, max_id_row,
                        &max, NULL) != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            goto out;
        }
        h = cJSON_CreateObject();
        cJSON_AddNumberToObject(h, "id", (double)(max + 1));
        cJSON_AddStringToObject(h, "name", name);
        cJSON_AddStringToObject(h, "department", o->department ? o->department : "");
        cJSON_AddNumberToObject(h, "active", 1);
        cJSON_AddItemToArray(hosts, h);
    } else {
        if (o->department) {
            cJSON_DeleteItemFromObjectCaseSensitive(h, "department");
            cJSON_AddStringToObject(h, "department", o->department);
        }
        cJSON_DeleteItemFromObjectCaseSensitive(h, "active");
        cJSON_AddNumberToObject(h, "active", 1);
    }
    {
        const cJSON *idv = cJSON_GetObjectItemCaseSensitive(h, "id");
        if (!cJSON_IsNumber(idv)) {
            fprintf(stderr, "frontdesk-hq: %s has no id in the stored directory\n", name);
            rc = 2;
            goto out;
        }
        id = (long long)idv->valuedouble;
    }
    /* The kiosk's own rules decide what a directory entry may hold. */
    {
        int c = hq_config_check("hosts", hosts, why, sizeof why);
        if (c != 0) {
            fprintf(stderr, "frontdesk-hq: %s\n", c > 0 ? why : "the host could not be checked");
            rc = c > 0 ? 2 : 1;
            goto out;
        }
    }
    if (!(text = cJSON_PrintUnformatted(hosts)))
        goto out;
    if (s->ops->begin(s) != HQ_OK ||
        s->ops->config_set(s, *branch ? branch : NULL, "hosts", text, now) != HQ_OK ||
        (o->notify && hq_notify_target_put(s, branch, id, kind, clear ? NULL : target, now) !=
                          HQ_OK) ||
        s->ops->audit_put(s, now, "hq", add ? "host.add" : "host.set", name, "",
                          o->notify ? (clear ? "notify cleared" : kind) : "") != HQ_OK ||
        s->ops->commit(s) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        s->ops->rollback(s);
        goto out;
    }
    printf("host %lld %s%s%s\n", id, name, o->notify ? ", notify: " : "",
           o->notify ? (clear ? "none" : kind) : "");
    rc = 0;
out:
    free(text);
    cJSON_Delete(hosts);
    return rc;
}

struct list_cx {
    struct hq_store *s;
    const char *only;         /* NULL = every branch's list */
    cJSON *out;               /* [{"branch":..,"hosts":[..]}] */
};

static int list_row(void *ctx, int ncol, const char *const *col)
{
    struct list_cx *l = ctx;
    cJSON *v, *o;
    (void)ncol;
    if (!col[0] || !col[1] || (l->only && strcmp(l->only, col[0]) != 0))
        return 0;
    if (!cJSON_IsArray(v = cJSON_Parse(col[1]))) {
        cJSON_Delete(v);
        return 0;
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "branch", col[0]);
    cJSON_AddItemToObject(o, "hosts", v);
    cJSON_AddItemToArray(l->out, o);
    return 0;
}

static int host_list(struct hq_store *s, const struct hq_notify_opts *o)
{
    struct list_cx l = {s, o->branch, cJSON_CreateArray()};
    cJSON *b, *h;
    if (s->ops->sql(s, "SELECT branch, value FROM config WHERE key = 'hosts' ORDER BY branch",
                    NULL, 0, list_row, &l, NULL) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        cJSON_Delete(l.out);
        return 1;
    }
    cJSON_ArrayForEach(b, l.out) {
        if (hq_notify_targets_add(s, jstr_or(b, "branch"),
                                  cJSON_GetObjectItemCaseSensitive(b, "hosts")) != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            cJSON_Delete(l.out);
            return 1;
        }
    }
    if (o->json) {
        char *t = cJSON_PrintUnformatted(l.out);
        printf("%s\n", t ? t : "[]");
        free(t);
    } else {
        printf("%-12s %6s %-20s %-16s %-6s %s\n", "BRANCH", "ID", "NAME", "DEPARTMENT", "ACTIVE",
               "NOTIFY");
        cJSON_ArrayForEach(b, l.out) {
            cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(b, "hosts")) {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, "active");
                printf("%-12s %6.0f %-20s %-16s %-6s %s\n",
                       *jstr_or(b, "branch") ? jstr_or(b, "branch") : "(all)",
                       cJSON_IsNumber(id) ? id->valuedouble : 0, jstr_or(h, "name"),
                       jstr_or(h, "department"),
                       !a || cJSON_IsTrue(a) || (cJSON_IsNumber(a) && a->valuedouble) ? "yes"
                                                                                       : "no",
                       *jstr_or(h, "notify") ? jstr_or(h, "notify") : "-");
            }
        }
    }
    cJSON_Delete(l.out);
    return 0;
}

/* ---- the queue, as head office sees it (notify list) ---- */

static const char *const list_cols[] = {"id", "state", "attempts", "created_at", "done_at",
                                        "branch", "device_id", "visitor_id", "signed_in_at",
                                        "host", "kind", "last_error"};

static int queue_row(void *ctx, int ncol, const char *const *col)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < ncol && i < (int)(sizeof list_cols / sizeof list_cols[0]); i++) {
        const char *v = col[i] ? col[i] : "";
        if (i == 0 || i == 2 || i == 3 || i == 4 || i == 7 || i == 8)
            cJSON_AddNumberToObject(o, list_cols[i], (double)atoll(v));
        else
            cJSON_AddStringToObject(o, list_cols[i], v);
    }
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

cJSON *hq_notify_list_json(struct hq_store *s, int failed_only, int limit)
{
    struct hq_param p[2] = {{HQ_P_INT, failed_only ? 1 : 0, NULL}, {HQ_P_INT, limit, NULL}};
    cJSON *out = cJSON_CreateArray();
    if (s->ops->sql(s, "SELECT q.id, q.state, q.attempts, q.created_at, q.done_at,"
                       " coalesce(d.branch, ''), q.device_id, q.visitor_id, q.signed_in_at,"
                       " coalesce(v.host, ''), q.kind, q.last_error FROM notify_queue q"
                       " LEFT JOIN device d ON d.device_id = q.device_id"
                       " LEFT JOIN visitor_state v ON v.device_id = q.device_id"
                       " AND v.id = q.visitor_id AND v.signed_in_at = q.signed_in_at"
                       " WHERE ($1 = 0 OR q.state = 'failed') ORDER BY q.id DESC LIMIT $2",
                    p, 2, queue_row, out, NULL) != HQ_OK) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static int notify_list(struct hq_store *s, const struct hq_notify_opts *o)
{
    cJSON *l = hq_notify_list_json(s, o->failed, o->limit > 0 ? (int)o->limit : 100), *it;
    if (!l) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    if (o->json) {
        char *t = cJSON_PrintUnformatted(l);
        printf("%s\n", t ? t : "[]");
        free(t);
    } else {
        printf("%6s %-8s %3s %-20s %-12s %-10s %-20s %s\n", "ID", "STATE", "TRY", "ARRIVED (UTC)",
               "BRANCH", "KIND", "HOST", "LAST ERROR");
        cJSON_ArrayForEach(it, l) {
            char when[32];
            time_t t = (time_t)cJSON_GetObjectItem(it, "signed_in_at")->valuedouble;
            struct tm tm;
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
            printf("%6.0f %-8s %3.0f %-20s %-12s %-10s %-20s %s\n",
                   cJSON_GetObjectItem(it, "id")->valuedouble, jstr_or(it, "state"),
                   cJSON_GetObjectItem(it, "attempts")->valuedouble, when, jstr_or(it, "branch"),
                   jstr_or(it, "kind"), jstr_or(it, "host"), jstr_or(it, "last_error"));
        }
    }
    cJSON_Delete(l);
    return 0;
}

int hq_notify_cmd(struct hq_store *s, int npos, const char *const *pos,
                  const struct hq_notify_opts *o)
{
    if (strcmp(pos[0], "notify") == 0 && npos == 2 && strcmp(pos[1], "list") == 0)
        return notify_list(s, o);
    if (strcmp(pos[0], "host") == 0 && npos == 2 && strcmp(pos[1], "list") == 0)
        return host_list(s, o);
    if (strcmp(pos[0], "host") == 0 && npos == 3 &&
        (strcmp(pos[1], "add") == 0 || strcmp(pos[1], "set") == 0))
        return host_change(s, strcmp(pos[1], "add") == 0, pos[2], o);
    fprintf(stderr, "usage: frontdesk-hq --db DB host add|set NAME [--branch B]"
                    " [--department D] [--notify URL|mailto:ADDR|none [--notify-kind K]]\n"
                    "       frontdesk-hq --db DB host list [--branch B] [--json]\n"
                    "       frontdesk-hq --db DB notify list [--failed] [--json] [--limit N]\n");
    return 2;
}

/* ---- settings ---- */

/* Checks a value of one of the sender's settings: 0, or -1 with why. */
static int setting_check(const char *key, const char *v, char *why, size_t len)
{
    if (strcmp(key, "notify_lease_s") == 0) {
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (!end || *end || end == v || n < LEASE_MIN || n > LEASE_MAX) {
            snprintf(why, len, "notify_lease_s is a whole number of seconds, %d to %d",
                     LEASE_MIN, LEASE_MAX);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "notify_keep_days") == 0) {
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (!end || *end || end == v || n < HQ_NOTIFY_KEEP_MIN || n > HQ_NOTIFY_KEEP_MAX) {
            snprintf(why, len, "notify_keep_days is a whole number of days, %d to %d",
                     HQ_NOTIFY_KEEP_MIN, HQ_NOTIFY_KEEP_MAX);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "smtp_from") == 0) {
        if (!mail_ok(v)) {
            snprintf(why, len, "smtp_from is a mail address (name@example.com)");
            return -1;
        }
        return 0;
    }
    /* smtp_url: smtp:// or smtps://HOST[:PORT], user and password allowed */
    CURLU *u = curl_url();
    char *scheme = NULL;
    int ok = u && strlen(v) <= SETTING_MAX &&
             curl_url_set(u, CURLUPART_URL, v, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             (strcmp(scheme, "smtp") == 0 || strcmp(scheme, "smtps") == 0);
    curl_free(scheme);
    curl_url_cleanup(u);
    if (!ok) {
        snprintf(why, len, "smtp_url is smtp://HOST[:PORT] or smtps://HOST[:PORT]");
        return -1;
    }
    return 0;
}

int hq_notify_setting(struct hq_store *s, int npos, const char *const *pos)
{
    static const char *const keys[] = {"smtp_url", "smtp_from", "notify_lease_s",
                                       "notify_keep_days"};
    char v[SETTING_MAX + 1], why[200];
    int mine = 0, rc;
    if (npos < 3)
        return -1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        mine |= strcmp(pos[2], keys[i]) == 0;
    if (!mine)
        return -1;
    if (npos == 3 && strcmp(pos[1], "get") == 0) {
        rc = s->ops->setting_get(s, pos[2], v, sizeof v);
        if (rc == HQ_E_NOTFOUND)
            snprintf(v, sizeof v, "%s", strcmp(pos[2], "notify_lease_s") == 0     ? "60"
                                        : strcmp(pos[2], "notify_keep_days") == 0 ? "30"
                                                                                  : "");
        else if (rc != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            return 1;
        }
        printf("%s\n", v);
        return 0;
    }
    if (npos == 4 && strcmp(pos[1], "set") == 0) {
        long long now = (long long)time(NULL);
        if (setting_check(pos[2], pos[3], why, sizeof why) != 0) {
            fprintf(stderr, "frontdesk-hq: %s\n", why);
            return 2;
        }
        /* the URL may carry a password: the audit names the key only */
        if (s->ops->setting_set(s, pos[2], pos[3], now) != HQ_OK ||
            s->ops->audit_put(s, now, "hq", "setting", pos[2], "", "") != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            return 1;
        }
        return 0;
    }
    return -1;
}

/* ---- pruning ---- */

int hq_notify_keep_days(struct hq_store *s)
{
    return (int)hq_setting_num(s, "notify_keep_days", HQ_NOTIFY_KEEP_DAYS, HQ_NOTIFY_KEEP_MIN,
                               HQ_NOTIFY_KEEP_MAX);
}

int hq_notify_prune(struct hq_store *s, long long now, int max_batches, long long *n)
{
    static const char *const ended[] = {"sent", "none", "failed"};
    long long before = now - (long long)hq_notify_keep_days(s) * 86400;
    int rc = HQ_OK, b = 0;
    /* one state at a time: each delete is a range of the (state, done_at)
     * index (0010_pipl.sql), a few hundred rows, committed on its own */
    for (size_t k = 0; k < sizeof ended / sizeof ended[0] && rc == HQ_OK; k++) {
        long long got = HQ_NOTIFY_PRUNE_BATCH;
        while (rc == HQ_OK && got == HQ_NOTIFY_PRUNE_BATCH &&
               (max_batches == 0 || b < max_batches)) {
            struct hq_param p[3] = {{HQ_P_TEXT, 0, ended[k]}, {HQ_P_INT, before, NULL},
                                    {HQ_P_INT, HQ_NOTIFY_PRUNE_BATCH, NULL}};
            got = 0;
            rc = s->ops->sql(s, "DELETE FROM notify_queue WHERE id IN (SELECT id FROM"
                                " notify_queue WHERE state = $1 AND done_at < $2"
                                " ORDER BY done_at LIMIT $3)",
                             p, 3, NULL, NULL, &got);
            if (rc == HQ_OK)
                *n += got;
            b++;
        }
    }
    return rc;
}

/* ---- sending ---- */

struct answer {
    char buf[ANSWER_MAX + 1];
    size_t n;
};

static size_t answer_take(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct answer *a = ctx;
    size_t n = size * nmemb, room = ANSWER_MAX - a->n;
    memcpy(a->buf + a->n, p, n < room ? n : room); /* past the cap: cut, not failed */
    a->n += n < room ? n : room;
    a->buf[a->n] = '\0';
    return n;
}

/* The robot's own verdict in a 2xx answer: 0 when it took the message. */
static int robot_ok(const char *kind, const char *body, char *why, size_t len)
{
    cJSON *o = cJSON_Parse(body);
    const cJSON *code = NULL;
    const char *msg = NULL;
    int ok;
    if (o) {
        code = cJSON_GetObjectItemCaseSensitive(o, strcmp(kind, "feishu") == 0 ? "code"
                                                                               : "errcode");
        if (!code && strcmp(kind, "feishu") == 0)
            code = cJSON_GetObjectItemCaseSensitive(o, "StatusCode");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, strcmp(kind, "feishu") == 0
                                                                 ? "msg"
                                                                 : "errmsg");
        msg = cJSON_IsString(m) ? m->valuestring : NULL;
    }
    ok = cJSON_IsNumber(code) && code->valuedouble == 0;
    if (!ok)
        snprintf(why, len, "the robot refused: %s %.0f %.100s", !o ? "not JSON" : "code",
                 cJSON_IsNumber(code) ? code->valuedouble : -1, msg ? msg : "");
    cJSON_Delete(o);
    return ok ? 0 : -1;
}

static int send_webhook(const char *kind, const char *url, const char *text,
                        const char *msgid, long timeout, char *why, size_t len)
{
    cJSON *b = cJSON_CreateObject(), *c;
    struct curl_slist *h = NULL;
    struct answer *a = calloc(1, sizeof *a);
    char hdr[160], *body = NULL;
    long status = 0;
    CURL *e = NULL;
    CURLcode cc;
    int rc = -1;

    if (strcmp(kind, "feishu") == 0) {
        cJSON_AddStringToObject(b, "msg_type", "text");
        c = cJSON_AddObjectToObject(b, "content");
    } else {
        cJSON_AddStringToObject(b, "msgtype", "text");
        c = cJSON_AddObjectToObject(b, "text");
    }
    cJSON_AddStringToObject(c, strcmp(kind, "feishu") == 0 ? "text" : "content", text);
    if (!a || !(body = cJSON_PrintUnformatted(b)) || !(e = curl_easy_init())) {
        snprintf(why, len, "out of memory");
        goto out;
    }
    snprintf(hdr, sizeof hdr, "X-Frontdesk-Notification-Id: %s", msgid);
    h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
    h = curl_slist_append(h, hdr);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, answer_take);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "frontdesk-hq");
    if ((cc = curl_easy_perform(e)) != CURLE_OK) {
        snprintf(why, len, "%s", curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        snprintf(why, len, "HTTP %ld", status);
        goto out;
    }
    rc = robot_ok(kind, a->buf, why, len);
out:
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    cJSON_free(body);
    cJSON_Delete(b);
    free(a);
    return rc;
}

/* RFC 2047: a UTF-8 header word in base64. */
static void header_word(const char *text, char *out, size_t n)
{
    char b64[512];
    size_t len = strlen(text);
    if (len > 300)
        len = 300; /* a subject line, not a letter */
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
        len--; /* never cut inside a character */
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, n, "=?UTF-8?B?%s?=", b64);
}

static int send_mail(const char *smtp_url, const char *from, const char *to,
                     const char *subject, const char *text, const char *msgid, long timeout,
                     char *why, size_t len)
{
    struct curl_slist *rcpt = NULL, *h = NULL;
    char line[700], word[600];
    CURL *e = NULL;
    curl_mime *m = NULL;
    curl_mimepart *part;
    CURLcode cc;
    time_t now = time(NULL);
    struct tm tm;
    int rc = -1;

    if (!smtp_url[0] || !from[0]) {
        snprintf(why, len, "no mail server set (setting set smtp_url / smtp_from)");
        return -1;
    }
    if (!(e = curl_easy_init())) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    snprintf(line, sizeof line, "<%s>", to);
    rcpt = curl_slist_append(rcpt, line);
    header_word(subject, word, sizeof word);
    snprintf(line, sizeof line, "Subject: %s", word);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "From: <%s>", from);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "To: <%s>", to);
    h = curl_slist_append(h, line);
    strftime(word, sizeof word, "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&now, &tm));
    snprintf(line, sizeof line, "Date: %s", word);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "Message-ID: <%s@frontdesk-hq>", msgid);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-Frontdesk-Notification-Id: %s", msgid);
    h = curl_slist_append(h, line);
    m = curl_mime_init(e);
    part = curl_mime_addpart(m);
    curl_mime_data(part, text, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=UTF-8");
    curl_mime_encoder(part, "base64");
    snprintf(line, sizeof line, "<%s>", from);
    curl_easy_setopt(e, CURLOPT_URL, smtp_url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, line);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_MIMEPOST, m);
    curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout);
    if ((cc = curl_easy_perform(e)) != CURLE_OK)
        snprintf(why, len, "mail: %s", curl_easy_strerror(cc));
    else
        rc = 0;
    curl_easy_cleanup(e); /* before the mime and lists it used */
    curl_mime_free(m);
    curl_slist_free_all(rcpt);
    curl_slist_free_all(h);
    return rc;
}

/* ---- the sender thread ---- */

struct hq_notifier {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    char *db;
    char owner[40];           /* this process's lease name */
};

/* A claimed row. */
struct job {
    long long id, visitor_id, signed_in_at, created_at, attempts;
    char device_id[HQ_DEVICE_ID_MAX + 1];
    int have;
};

static int job_row(void *ctx, int ncol, const char *const *col)
{
    struct job *j = ctx;
    if (ncol < 6 || !col[0] || !col[1])
        return 0;
    j->id = atoll(col[0]);
    snprintf(j->device_id, sizeof j->device_id, "%s", col[1]);
    j->visitor_id = atoll(col[2] ? col[2] : "0");
    j->signed_in_at = atoll(col[3] ? col[3] : "0");
    j->created_at = atoll(col[4] ? col[4] : "0");
    j->attempts = atoll(col[5] ? col[5] : "0");
    j->have = 1;
    return 0;
}

/* Claims the oldest due row for lease seconds: committed alone, before any
 * sending. At READ COMMITTED (PostgreSQL) two servers may pick the same id;
 * the loser's UPDATE re-checks the lease on the winner's row and changes
 * nothing. 1 claimed, 0 nothing due, -1 store error. */
static int claim(struct hq_store *s, const char *owner, long long now, int lease,
                 struct job *j)
{
    struct hq_param p[3] = {{HQ_P_INT, now + lease, NULL}, {HQ_P_TEXT, 0, owner},
                            {HQ_P_INT, now, NULL}};
    memset(j, 0, sizeof *j);
    if (s->ops->sql(s, "UPDATE notify_queue SET lease_until = $1, lease_owner = $2,"
                       " attempts = attempts + 1 WHERE id = (SELECT id FROM notify_queue"
                       " WHERE state = 'pending' AND next_at <= $3 AND lease_until <= $3"
                       " ORDER BY next_at, id LIMIT 1) AND state = 'pending'"
                       " AND lease_until <= $3"
                       " RETURNING id, device_id, visitor_id, signed_in_at, created_at, attempts",
                    p, 3, job_row, j, NULL) != HQ_OK)
        return -1;
    return j->have;
}

struct visit {
    char name[256], company[256], purpose[512], host[256], branch[HQ_BRANCH_MAX + 1];
    int have;
};

static int visit_row(void *ctx, int ncol, const char *const *col)
{
    struct visit *v = ctx;
    (void)ncol;
    snprintf(v->name, sizeof v->name, "%s", col[0] ? col[0] : "");
    snprintf(v->company, sizeof v->company, "%s", col[1] ? col[1] : "");
    snprintf(v->purpose, sizeof v->purpose, "%s", col[2] ? col[2] : "");
    snprintf(v->host, sizeof v->host, "%s", col[3] ? col[3] : "");
    snprintf(v->branch, sizeof v->branch, "%s", col[4] ? col[4] : "");
    v->have = 1;
    return 0;
}

struct target {
    char kind[16], to[HQ_NOTIFY_TARGET_MAX + 1];
    int have;
};

static int target_get_row(void *ctx, int ncol, const char *const *col)
{
    struct target *t = ctx;
    (void)ncol;
    if (col[0] && col[1]) {
        snprintf(t->kind, sizeof t->kind, "%s", col[0]);
        snprintf(t->to, sizeof t->to, "%s", col[1]);
        t->have = 1;
    }
    return 0;
}

/* The host's target: the host named in the branch's own directory (else
 * in every branch's), by name, as the kiosk recorded it at sign-in. */
static int target_find(struct hq_store *s, const struct visit *v, struct target *t)
{
    const char *lists[2] = {v->branch, ""};
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 2; i++) {
        cJSON *hosts = hosts_load(s, lists[i]), *h;
        int rc = HQ_OK;
        if (!hosts)
            return HQ_E_IO;
        if ((h = host_by_name(hosts, v->host)) != NULL) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
            struct hq_param p[2] = {{HQ_P_TEXT, 0, lists[i]},
                                    {HQ_P_INT, cJSON_IsNumber(id) ? (long long)id->valuedouble
                                                                  : 0, NULL}};
            rc = s->ops->sql(s, "SELECT kind, target FROM host_notify WHERE branch = $1"
                                " AND host_id = $2",
                             p, 2, target_get_row, t, NULL);
        }
        int listed = cJSON_GetArraySize(hosts) > 0;
        cJSON_Delete(hosts);
        if (rc != HQ_OK || h || (listed && i == 0))
            return rc; /* the branch's own list replaces every branch's */
    }
    return HQ_OK;
}

/* Ends a claimed row: state 'sent', 'failed' or 'none' (done), or back to
 * 'pending' for a retry at next_at. Done rows reach the kiosk through the
 * outcome trigger. */
static int mark(struct hq_store *s, const struct job *j, const char *state, long long now,
                long long next_at, const struct target *t, const char *err)
{
    struct hq_param p[7] = {{HQ_P_TEXT, 0, state}, {HQ_P_INT, now, NULL},
                            {HQ_P_TEXT, 0, t ? t->kind : ""}, {HQ_P_TEXT, 0, t ? t->to : ""},
                            {HQ_P_TEXT, 0, err ? err : ""}, {HQ_P_INT, j->id, NULL},
                            {HQ_P_INT, next_at, NULL}};
    if (strcmp(state, "pending") == 0)
        return s->ops->sql(s, "UPDATE notify_queue SET next_at = $7, kind = $3, target = $4,"
                              " last_error = $5, lease_until = 0"
                              " WHERE id = $6 AND state = $1 AND CAST($2 AS BIGINT) >= 0",
                           p, 7, NULL, NULL, NULL);
    /* A row sent after its lease ran out (another server may be sending it
     * now) is still marked: sent is sent. */
    return s->ops->sql(s, "UPDATE notify_queue SET state = $1, done_at = $2, kind = $3,"
                          " target = $4, last_error = $5, lease_until = 0"
                          " WHERE id = $6 AND state = 'pending' AND CAST($7 AS BIGINT) >= 0",
                       p, 7, NULL, NULL, NULL);
}

static long long backoff(long long attempts)
{
    long long d = RETRY_FIRST;
    for (long long i = 1; i < attempts && d < RETRY_MAX; i++)
        d *= 2;
    return d < RETRY_MAX ? d : RETRY_MAX;
}

/* Builds the message (never the phone: head office reads only these
 * columns) and sends one claimed row. Returns HQ_OK or a store error. */
static int send_one(struct hq_store *s, const struct job *j, int lease)
{
    struct hq_param p[3] = {{HQ_P_TEXT, 0, j->device_id}, {HQ_P_INT, j->visitor_id, NULL},
                            {HQ_P_INT, j->signed_in_at, NULL}};
    struct visit v = {0};
    struct target t;
    char when[64], zone[80], text[2048], subject[400], msgid[128], why[300] = "";
    long long now;
    long timeout = lease / 2 < 20 ? lease / 2 : 20;
    int rc, sent;

    rc = s->ops->sql(s, "SELECT v.name, v.company, v.purpose, v.host, d.branch"
                        " FROM visitor_state v LEFT JOIN device d ON d.device_id = v.device_id"
                        " WHERE v.device_id = $1 AND v.id = $2 AND v.signed_in_at = $3",
                     p, 3, visit_row, &v, NULL);
    if (rc != HQ_OK)
        return rc;
    now = (long long)time(NULL);
    if (!v.have || !v.host[0])
        return mark(s, j, "none", now, 0, NULL, "the visit names no host");
    if ((rc = target_find(s, &v, &t)) != HQ_OK)
        return rc;
    if (!t.have)
        return mark(s, j, "none", now, 0, NULL, "the host has no notification target");
    if (hq_report_local_time(s, v.branch, j->signed_in_at, when, sizeof when, zone,
                             sizeof zone) != HQ_OK)
        snprintf(when, sizeof when, "?");
    snprintf(subject, sizeof subject, "访客到访 Visitor: %.120s%s%.120s", v.name,
             v.company[0] ? " · " : "", v.company);
    snprintf(text, sizeof text,
             "访客到访 / Your visitor is here\n"
             "访客 Visitor: %s\n单位 Company: %s\n事由 Purpose: %s\n"
             "被访人 Host: %s\n网点 Branch: %s\n时间 Time: %s (%s)",
             v.name, v.company[0] ? v.company : "-", v.purpose[0] ? v.purpose : "-", v.host,
             v.branch, when, zone);
    snprintf(msgid, sizeof msgid, "fdn-%s-%lld-%lld", j->device_id, j->visitor_id,
             j->signed_in_at);
    if (timeout < 2)
        timeout = 2;
    if (strcmp(t.kind, "email") == 0) {
        char url[SETTING_MAX + 1] = "", from[SETTING_MAX + 1] = "";
        s->ops->setting_get(s, "smtp_url", url, sizeof url);
        s->ops->setting_get(s, "smtp_from", from, sizeof from);
        sent = send_mail(url, from, t.to, subject, text, msgid, timeout, why, sizeof why) == 0;
    } else {
        sent = send_webhook(t.kind, t.to, text, msgid, timeout, why, sizeof why) == 0;
    }
    sodium_memzero(text, sizeof text);
    now = (long long)time(NULL);
    if (sent)
        return mark(s, j, "sent", now, 0, &t, NULL);
    if (now - j->created_at >= HQ_NOTIFY_GIVE_UP_S) {
        fprintf(stderr, "frontdesk-hq: notification %lld failed for good after %lld tries: %s\n",
                j->id, j->attempts, why);
        return mark(s, j, "failed", now, 0, &t, why);
    }
    fprintf(stderr, "frontdesk-hq: notification %lld, try %lld: %s (again in %lld s)\n", j->id,
            j->attempts, why, backoff(j->attempts));
    return mark(s, j, "pending", now, now + backoff(j->attempts), &t, why);
}

/* Waits up to ms or until stop; returns 1 when stopping. */
static int nap(struct hq_notifier *n, long ms)
{
    struct timespec until;
    int stop;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&n->mu);
    while (!n->stop)
        if (pthread_cond_timedwait(&n->cv, &n->mu, &until) == ETIMEDOUT)
            break;
    stop = n->stop;
    pthread_mutex_unlock(&n->mu);
    return stop;
}

static void *sender_run(void *arg)
{
    struct hq_notifier *n = arg;
    struct hq_store *s = NULL;
    char err[512];
    do {
        if (!s && hq_store_open(n->db, &s, err, sizeof err) != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: notifications: %s\n", err);
            s = NULL;
            continue;
        }
        int lease =
            (int)hq_setting_num(s, "notify_lease_s", LEASE_DEFAULT, LEASE_MIN, LEASE_MAX);
        for (int i = 0; i < PASS_ROWS; i++) {
            struct job j;
            int c = claim(s, n->owner, (long long)time(NULL), lease, &j);
            if (c == 0)
                break;
            if (c < 0 || send_one(s, &j, lease) != HQ_OK) {
                fprintf(stderr, "frontdesk-hq: notifications: %s\n", s->ops->errmsg(s));
                hq_store_close(s); /* reopened on the next pass */
                s = NULL;
                break;
            }
            pthread_mutex_lock(&n->mu);
            int stop = n->stop;
            pthread_mutex_unlock(&n->mu);
            if (stop)
                break;
        }
    } while (!nap(n, s ? 1000 : 5000));
    hq_store_close(s);
    return NULL;
}

struct hq_notifier *hq_notify_start(const char *db, char *err, size_t errlen)
{
    struct hq_notifier *n = calloc(1, sizeof *n);
    pthread_condattr_t ca;
    unsigned char r[8];
    if (!n || !(n->db = strdup(db))) {
        free(n);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    randombytes_buf(r, sizeof r);
    snprintf(n->owner, sizeof n->owner, "%d-%02x%02x%02x%02x%02x%02x%02x%02x", (int)getpid(),
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
    pthread_mutex_init(&n->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&n->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&n->thread, NULL, sender_run, n) != 0) {
        snprintf(err, errlen, "the notification sender did not start");
        pthread_cond_destroy(&n->cv);
        pthread_mutex_destroy(&n->mu);
        free(n->db);
        free(n);
        return NULL;
    }
    return n;
}

void hq_notify_stop(struct hq_notifier *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->mu);
    n->stop = 1;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->thread, NULL);
    pthread_cond_destroy(&n->cv);
    pthread_mutex_destroy(&n->mu);
    free(n->db);
    free(n);
}
