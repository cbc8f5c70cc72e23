/* hq_health.c - checks kiosk health records and renders the fleet view (see
 * hq_health.h). Every field that comes from a kiosk is checked here for its
 * type, range and length before the store sees it; a health record that
 * fails is not stored, and the push it came with is applied as usual (the
 * records matter more than the health line). */
#include "hq_health.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define COUNT_MAX 1000000000LL     /* backlog, uptime (31 years), free MB (1 PB) */
#define FAILED_MAX 1000000LL       /* print jobs failed */

/* 1 when s is valid UTF-8 of at most max bytes with no control characters. */
static int good_text(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    if (n > max)
        return 0;
    while (*p) {
        unsigned c = *p;
        int more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
                 : (c & 0xf8) == 0xf0 ? 3 : -1;
        if (more < 0 || (more == 1 && c < 0xc2) || c == 0x7f || (c < 0x20))
            return 0;
        p++;
        for (int i = 0; i < more; i++, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static int get_count(const cJSON *o, const char *k, long long max, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
        v->valuedouble > (double)max || floor(v->valuedouble) != v->valuedouble)
        return -1;
    *out = (long long)v->valuedouble;
    return 0;
}

static int get_bool(const cJSON *o, const char *k, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsBool(v))
        return -1;
    *out = cJSON_IsTrue(v);
    return 0;
}

static const char *get_text(const cJSON *o, const char *k, size_t max)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && good_text(v->valuestring, max) ? v->valuestring : NULL;
}

int hq_health_parse(const cJSON *o, struct hq_health *h, char *err, size_t errlen)
{
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "printer");
    const char *bad = NULL;
    memset(h, 0, sizeof *h);
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "health is not an object");
        return -1;
    }
    h->app_version = get_text(o, "app_version", HQ_VERSION_TEXT_MAX);
    if (!h->app_version || !*h->app_version ||
        strspn(h->app_version, "0123456789abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+-~_") != strlen(h->app_version))
        bad = "app_version";
    else if (!cJSON_IsObject(pr) || get_bool(pr, "known", &h->printer_known) ||
             get_bool(pr, "online", &h->printer_online) ||
             get_bool(pr, "paper_out", &h->paper_out) ||
             get_bool(pr, "paper_near_end", &h->paper_near_end) ||
             get_bool(pr, "cover_open", &h->cover_open) ||
             !(h->printer_message = get_text(pr, "message", HQ_PRINTER_MSG_MAX)))
        bad = "printer";
    else if (get_count(o, "print_failed", FAILED_MAX, &h->print_failed))
        bad = "print_failed";
    else if (get_count(o, "backlog", COUNT_MAX, &h->backlog))
        bad = "backlog";
    else if (!(h->last_error = get_text(o, "last_error", HQ_ERROR_TEXT_MAX)))
        bad = "last_error";
    else if (get_count(o, "uptime_s", COUNT_MAX, &h->uptime_s))
        bad = "uptime_s";
    else if (get_count(o, "disk_free_mb", COUNT_MAX, &h->disk_free_mb))
        bad = "disk_free_mb";
    if (bad) {
        snprintf(err, errlen, "health.%s missing, mistyped, out of range or too long", bad);
        memset(h, 0, sizeof *h);
        return -1;
    }
    return 0;
}

cJSON *hq_fleet_json(const struct hq_fleet_row *r)
{
    cJSON *o = cJSON_CreateObject(), *h, *p;
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "device_id", r->device_id);
    cJSON_AddStringToObject(o, "branch", r->branch);
    cJSON_AddNumberToObject(o, "last_contact", (double)r->last_contact);
    cJSON_AddBoolToObject(o, "online", r->online);
    cJSON_AddBoolToObject(o, "revoked", r->revoked_at != 0);
    if (r->health_at <= 0) {
        cJSON_AddNullToObject(o, "health");
        return o;
    }
    h = cJSON_AddObjectToObject(o, "health");
    cJSON_AddNumberToObject(h, "at", (double)r->health_at);
    cJSON_AddStringToObject(h, "app_version", r->h.app_version ? r->h.app_version : "");
    p = cJSON_AddObjectToObject(h, "printer");
    cJSON_AddBoolToObject(p, "known", r->h.printer_known);
    cJSON_AddBoolToObject(p, "online", r->h.printer_online);
    cJSON_AddBoolToObject(p, "paper_out", r->h.paper_out);
    cJSON_AddBoolToObject(p, "paper_near_end", r->h.paper_near_end);
    cJSON_AddBoolToObject(p, "cover_open", r->h.cover_open);
    cJSON_AddStringToObject(p, "message", r->h.printer_message ? r->h.printer_message : "");
    cJSON_AddNumberToObject(h, "print_failed", (double)r->h.print_failed);
    cJSON_AddNumberToObject(h, "backlog", (double)r->h.backlog);
    cJSON_AddStringToObject(h, "last_error", r->h.last_error ? r->h.last_error : "");
    cJSON_AddNumberToObject(h, "uptime_s", (double)r->h.uptime_s);
    cJSON_AddNumberToObject(h, "disk_free_mb", (double)r->h.disk_free_mb);
    return o;
}

struct collect {
    cJSON *arr;
    const char *branch;
};

static int collect_one(void *ctx, const struct hq_fleet_row *r)
{
    struct collect *c = ctx;
    cJSON *o;
    if (c->branch && strcmp(c->branch, r->branch) != 0)
        return 0;
    if (!(o = hq_fleet_json(r)))
        return HQ_E_IO;
    cJSON_AddItemToArray(c->arr, o);
    return 0;
}

/* Terminal numbers (see terminal_check): the rows come ordered by terminal,
 * so devices sharing one are neighbours. */
struct term_scan {
    cJSON *devices;               /* the fleet's device objects */
    cJSON *warnings;              /* the messages made */
    const char *branch;           /* the fleet's filter, NULL = all */
    char t[4], dev[65], br[HQ_BRANCH_MAX + 1]; /* the first device of the current terminal */
    int rc;
};

/* Marks the fleet's object of device id (when listed) with its terminal. */
static void term_mark(cJSON *devices, const char *id, const char *t, int clash)
{
    cJSON *d;
    cJSON_ArrayForEach(d, devices) {
        const char *did = cJSON_GetStringValue(cJSON_GetObjectItem(d, "device_id"));
        if (!did || strcmp(did, id) != 0)
            continue;
        if (!cJSON_GetObjectItem(d, "terminal"))
            cJSON_AddStringToObject(d, "terminal", t);
        if (clash && !cJSON_GetObjectItem(d, "terminal_clash"))
            cJSON_AddBoolToObject(d, "terminal_clash", 1);
    }
}

static int term_row(void *ctx, int ncol, const char *const *col)
{
    struct term_scan *x = ctx;
    char msg[512];
    if (ncol < 3 || !col[0] || !col[1] || !col[2] || strlen(col[2]) != 3)
        return 0; /* no complaint yet: its terminal is not known here */
    term_mark(x->devices, col[0], col[2], 0);
    if (strcmp(x->t, col[2]) != 0) {
        snprintf(x->t, sizeof x->t, "%s", col[2]);
        snprintf(x->dev, sizeof x->dev, "%s", col[0]);
        snprintf(x->br, sizeof x->br, "%s", col[1]);
        return 0;
    }
    term_mark(x->devices, col[0], col[2], 1);
    term_mark(x->devices, x->dev, col[2], 1);
    if (x->branch && strcmp(x->branch, col[1]) != 0 && strcmp(x->branch, x->br) != 0)
        return 0;
    snprintf(msg, sizeof msg,
             "terminal %s is used by device %.12s (%s) and device %.12s (%s)%s: their complaint "
             "references collide; give each kiosk its own terminal_no "
             "(frontdesk-ctl config set terminal_no N)",
             col[2], x->dev, x->br, col[0], col[1],
             strcmp(x->br, col[1]) == 0 ? ", both of one branch" : "");
    if (!cJSON_AddItemToArray(x->warnings, cJSON_CreateString(msg)))
        x->rc = HQ_E_IO;
    return 0;
}

/* Complaint references are YYMMDD, the kiosk's terminal_no, the day's
 * sequence and a check digit: unique across the company only while no two
 * kiosks share a terminal number. Head office learns a kiosk's terminal only
 * from its references, so each active device's is taken from its latest
 * complaint (one index probe per device), each device object gets
 * "terminal" (and "terminal_clash": true when shared), and root gets
 * "warnings". A warning, not a refusal: the records are the visitors' and
 * were issued already; the fix is at the kiosks. */
static int terminal_check(struct hq_store *s, cJSON *root, const char *branch)
{
    struct term_scan x = {.devices = cJSON_GetObjectItem(root, "devices"),
                          .warnings = cJSON_AddArrayToObject(root, "warnings"),
                          .branch = branch};
    int rc;
    if (!x.warnings)
        return HQ_E_IO;
    if (!s->ops->sql)
        return HQ_OK;
    rc = s->ops->sql(s,
                     "SELECT d.device_id, d.branch, (SELECT substr(c.ref, 7, 3) FROM complaint c"
                     " WHERE c.device_id = d.device_id ORDER BY c.received_at DESC, c.id DESC"
                     " LIMIT 1) AS t FROM device d WHERE d.revoked_at = 0"
                     " ORDER BY t, d.branch, d.device_id",
                     NULL, 0, term_row, &x, NULL);
    return rc != HQ_OK ? rc : x.rc;
}

int hq_fleet_collect(struct hq_store *s, long long now, const char *branch, cJSON **out)
{
    cJSON *root = cJSON_CreateObject();
    struct collect c = {NULL, branch};
    int rc;
    *out = NULL;
    if (!root)
        return HQ_E_IO;
    cJSON_AddNumberToObject(root, "offline_after_s", HQ_OFFLINE_AFTER);
    cJSON_AddNumberToObject(root, "now", (double)now);
    c.arr = cJSON_AddArrayToObject(root, "devices");
    if ((rc = s->ops->fleet(s, now, collect_one, &c)) != HQ_OK ||
        (rc = terminal_check(s, root, branch)) != HQ_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return HQ_OK;
}
