/* hq_person.c - personal data at head office (see hq_person.h). The list of
 * personal fields is a table; the backends find rows with it (their indexes
 * follow the same table, schema/.../0003_fleet.sql) and rewrite each row's
 * JSON with hq_pii_scrub, so the log, quarantine and state tables lose the
 * same fields and a rebuild from the log gives the same erased state.
 * Invitations (hq_invite.c owns them) are head office's own records, not
 * the log's: they go whole, with their copies in the pull log. */
#include "hq_person.h"

#include "hq_invite.h"
#include "hq_notify.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct hq_pii_type hq_pii_types[] = {
    {"visitor", "signed_in_at", "phone", {"name", "phone", "company", "purpose", NULL}},
    {"complaint", "received_at", "contact_phone", {"contact_name", "contact_phone", NULL}},
};
const int hq_pii_ntypes = (int)(sizeof hq_pii_types / sizeof hq_pii_types[0]);

static const struct hq_pii_type *pii_type(const char *type)
{
    for (int i = 0; type && i < hq_pii_ntypes; i++)
        if (strcmp(hq_pii_types[i].type, type) == 0)
            return &hq_pii_types[i];
    return NULL;
}

char *hq_pii_scrub(const char *type, const char *json, int *oom)
{
    const struct hq_pii_type *t = pii_type(type);
    cJSON *o;
    char *out = NULL;
    int changed = 0;
    *oom = 0;
    if (!t || !json || !(o = cJSON_Parse(json)))
        return NULL;
    for (int i = 0; t->fields[i]; i++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(o, t->fields[i]);
        if (cJSON_IsString(v) && v->valuestring[0]) {
            /* overwritten in place: no copy of the old text lingers in memory */
            memset(v->valuestring, 0, strlen(v->valuestring));
            changed = 1;
        }
    }
    if (changed && !(out = cJSON_PrintUnformatted(o)))
        *oom = 1;
    cJSON_Delete(o);
    if (out) { /* cJSON's allocator is malloc: callers free() it */
        char *copy = strdup(out);
        cJSON_free(out);
        if (!copy)
            *oom = 1;
        out = copy;
    }
    return out;
}

void hq_phone_mask(const char *phone, char *out, size_t len)
{
    size_t n = strlen(phone);
    if (n <= 4) {
        snprintf(out, len, "****");
        return;
    }
    size_t head = n >= 11 ? 3 : n > 7 ? 2 : 0;
    snprintf(out, len, "%.*s****%s", (int)head, phone, phone + n - 4);
}

int hq_pii_days(struct hq_store *s)
{
    return (int)hq_setting_num(s, "personal_data_days", HQ_PII_DAYS_DEFAULT, 1,
                               HQ_PII_DAYS_MAX);
}

/* SQLite: after a commit that deleted personal data outside pii_erase
 * (invitations), copies the WAL into the file and truncates it, as the
 * backend does after pii_erase (its scrub_flush): the old page images in
 * the WAL would keep the erased bytes. PRAGMA is SQLite's own, hence the
 * check of the backend. PostgreSQL: VACUUM's business (hq/README.md). */
static void flush_erased(struct hq_store *s)
{
    if (strcmp(s->ops->name, "sqlite") == 0 &&
        s->ops->sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0, NULL, NULL, NULL) != HQ_OK)
        fprintf(stderr, "frontdesk-hq: checkpoint after erasing invitations: %s\n",
                s->ops->errmsg(s));
}

/* Invitations erased per transaction: each is three statements (one round
 * trip each on PostgreSQL), and the last part holds the pull log's lock. */
#define INVITE_BATCH 100

/* Invitations whose day is before the day of `before` (UTC), in
 * transactions of INVITE_BATCH each, at most max_batches (0 = all). */
static int sweep_invitations(struct hq_store *s, long long before, long long now,
                             int max_batches, long long *total)
{
    char cut[16];
    time_t t = (time_t)before;
    struct tm tm;
    int rc = HQ_OK;
    if (!gmtime_r(&t, &tm) || strftime(cut, sizeof cut, "%Y-%m-%d", &tm) != 10)
        return HQ_E_INVALID;
    for (int b = 0; max_batches == 0 || b < max_batches; b++) {
        long long n = 0;
        if ((rc = s->ops->begin(s)) != HQ_OK)
            break;
        rc = hq_invite_erase(s, NULL, cut, INVITE_BATCH, now, &n);
        if (rc == HQ_OK)
            rc = s->ops->commit(s);
        if (rc != HQ_OK) {
            s->ops->rollback(s);
            break;
        }
        *total += n;
        if (n < INVITE_BATCH)
            break;
    }
    if (*total > 0)
        flush_erased(s);
    return rc;
}

int hq_pii_sweep(struct hq_store *s, long long now, int max_batches, struct hq_pii_count *out,
                 struct hq_sweep_more *more)
{
    long long before = now - (long long)hq_pii_days(s) * 86400;
    struct hq_pii_count total = {0, 0};
    long long invitations = 0, notes = 0;
    int rc = HQ_OK, r2;
    for (int b = 0; max_batches == 0 || b < max_batches; b++) {
        struct hq_pii_count c = {0, 0};
        if ((rc = s->ops->pii_erase(s, NULL, before, HQ_PII_BATCH, &c)) != HQ_OK)
            break;
        total.log += c.log;
        total.state += c.state;
        if (c.log == 0 && c.state == 0)
            break;
    }
    /* The invitations go with the visits (the same period, from their day)
     * and the finished notifications after notify_keep_days: one failure
     * does not stop the others; the first is returned. */
    r2 = sweep_invitations(s, before, now, max_batches, &invitations);
    if (rc == HQ_OK)
        rc = r2;
    r2 = hq_notify_prune(s, now, max_batches, &notes);
    if (rc == HQ_OK)
        rc = r2;
    if (total.log || total.state || invitations || notes) {
        char detail[200];
        snprintf(detail, sizeof detail, "{\"before\":%lld,\"log\":%lld,\"state\":%lld,"
                 "\"invitations\":%lld,\"notifications\":%lld}", before, total.log, total.state,
                 invitations, notes);
        int ra = s->ops->audit_put(s, now, "hq:purge", "purge", "personal_data_days",
                                   "retention", detail);
        if (rc == HQ_OK)
            rc = ra;
    }
    if (out) {
        out->log += total.log;
        out->state += total.state;
    }
    if (more) {
        more->invitations += invitations;
        more->notifications += notes;
    }
    return rc;
}

/* ---- the command line ---- */

struct find_ctx {
    int export_all;           /* 1: every row; 0: counts per branch and type */
    int json;
    cJSON *rows;              /* export */
    cJSON *counts;            /* find: {"branch":{"visitor":n,...}} */
    long long n;
};

static int find_one(void *ctx, const struct hq_pii_hit *h)
{
    struct find_ctx *f = ctx;
    f->n++;
    if (f->export_all) {
        cJSON *o = cJSON_CreateObject();
        cJSON *rec = cJSON_Parse(h->json ? h->json : "null");
        cJSON_AddStringToObject(o, "where", h->where);
        cJSON_AddStringToObject(o, "branch", h->branch ? h->branch : "");
        cJSON_AddStringToObject(o, "device_id", h->device_id ? h->device_id : "");
        if (h->seq > 0) {
            cJSON_AddNumberToObject(o, "epoch", (double)h->epoch);
            cJSON_AddNumberToObject(o, "seq", (double)h->seq);
        }
        cJSON_AddStringToObject(o, "type", h->type ? h->type : "");
        cJSON_AddItemToObject(o, "record", rec ? rec : cJSON_CreateString(h->json ? h->json : ""));
        cJSON_AddItemToArray(f->rows, o);
    } else {
        const char *br = h->branch ? h->branch : "";
        char key[64];
        cJSON *b = cJSON_GetObjectItemCaseSensitive(f->counts, br), *n;
        if (!b)
            b = cJSON_AddObjectToObject(f->counts, br);
        snprintf(key, sizeof key, "%s.%s", h->where, h->type ? h->type : "");
        if ((n = cJSON_GetObjectItemCaseSensitive(b, key)))
            cJSON_SetNumberValue(n, n->valuedouble + 1);
        else
            cJSON_AddNumberToObject(b, key, 1);
    }
    return 0;
}

static int good_phone(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    return n >= 3 && n <= HQ_PHONE_MAX && strspn(p, "0123456789+-() ") == n;
}

int hq_person_cmd(struct hq_store *s, const char *sub, const char *phone, const char *by,
                  const char *reason, int json)
{
    long long now = (long long)time(NULL);
    char mask[48], detail[256];
    int rc;
    if (!sub || (strcmp(sub, "find") && strcmp(sub, "export") && strcmp(sub, "erase")) ||
        !good_phone(phone) || !by || !*by || strlen(by) > 128 || !reason || !*reason ||
        strlen(reason) > 1000) {
        fprintf(stderr, "frontdesk-hq: person find|export|erase --phone P (digits) --by NAME"
                        " --reason TEXT (all three required)\n");
        return 2;
    }
    hq_phone_mask(phone, mask, sizeof mask);
    if (strcmp(sub, "erase") == 0) {
        struct hq_pii_count c = {0, 0};
        long long inv = 0;
        if ((rc = s->ops->begin(s)) == HQ_OK &&
            (rc = s->ops->pii_erase(s, phone, 0, 0, &c)) == HQ_OK &&
            (rc = hq_invite_erase(s, phone, NULL, 0, now, &inv)) == HQ_OK) {
            snprintf(detail, sizeof detail, "{\"log\":%lld,\"state\":%lld,"
                     "\"invitations\":%lld}", c.log, c.state, inv);
            rc = s->ops->audit_put(s, now, by, "person.erase", mask, reason, detail);
        }
        if (rc == HQ_OK)
            rc = s->ops->commit(s);
        if (rc != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            s->ops->rollback(s);
            return 1;
        }
        if (inv > 0)
            flush_erased(s);
        if (json)
            printf("{\"erased\":{\"log\":%lld,\"state\":%lld,\"invitations\":%lld}}\n",
                   c.log, c.state, inv);
        else
            printf("%s: %lld log row(s), %lld state row(s) and %lld invitation(s) erased\n",
                   mask, c.log, c.state, inv);
        return 0;
    }
    /* find / export: audited before anything is shown */
    if ((rc = s->ops->audit_put(s, now, by, strcmp(sub, "find") == 0 ? "person.find"
                                                                       : "person.export",
                                mask, reason, "")) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: cannot audit, nothing shown: %s\n", s->ops->errmsg(s));
        return 1;
    }
    struct find_ctx f = {strcmp(sub, "export") == 0, json, cJSON_CreateArray(),
                         cJSON_CreateObject(), 0};
    rc = s->ops->pii_find(s, phone, find_one, &f);
    if (rc == HQ_OK) /* invitations and their copies in the pull log */
        rc = hq_invite_pii_find(s, phone, find_one, &f);
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        cJSON_Delete(f.rows);
        cJSON_Delete(f.counts);
        return 1;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "phone", phone);
    cJSON_AddNumberToObject(root, "found", (double)f.n);
    if (f.export_all) {
        cJSON_AddItemToObject(root, "rows", f.rows);
        cJSON_Delete(f.counts);
    } else {
        cJSON_AddItemToObject(root, "branches", f.counts);
        cJSON_Delete(f.rows);
    }
    char *txt = json || f.export_all ? cJSON_Print(root) : NULL;
    if (txt) {
        printf("%s\n", txt);
        cJSON_free(txt);
    } else {
        cJSON *b, *n;
        printf("%s: %lld place(s)\n", mask, f.n);
        cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(root, "branches"))
            cJSON_ArrayForEach(n, b) printf("  %-20s %-22s %.0f\n", b->string, n->string,
                                            n->valuedouble);
    }
    cJSON_Delete(root);
    return 0;
}

int hq_purge_cmd(struct hq_store *s, int json)
{
    struct hq_pii_count c = {0, 0};
    struct hq_sweep_more m = {0, 0};
    int days = hq_pii_days(s), keep = hq_notify_keep_days(s);
    if (hq_pii_sweep(s, (long long)time(NULL), 0, &c, &m) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    if (json)
        printf("{\"personal_data_days\":%d,\"erased\":{\"log\":%lld,\"state\":%lld,"
               "\"invitations\":%lld},\"notify_keep_days\":%d,\"notifications_pruned\":%lld}\n",
               days, c.log, c.state, m.invitations, keep, m.notifications);
    else
        printf("personal data older than %d days: %lld log row(s), %lld state row(s) and %lld"
               " invitation(s) erased; %lld notification(s) ended over %d days ago deleted\n",
               days, c.log, c.state, m.invitations, m.notifications, keep);
    return 0;
}
