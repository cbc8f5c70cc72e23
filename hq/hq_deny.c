/* hq_deny.c - the deny list at head office (hq_deny.h). Every statement goes
 * through the store's generic op (hq_store.h, sql), so it runs on SQLite and
 * PostgreSQL alike. The normalising and hashing rule is the kiosk's own
 * (app/core/deny.c): head office and kiosk hash the same way by
 * construction. After every change the whole list is published again as
 * config (a list replaces the previous one, hq/PROTOCOL.md): the list for
 * every branch (entries without a branch), then, for each branch that has
 * entries of its own, that branch's list (the common entries and its own)
 * after it, so that a kiosk pulling in id order ends with its branch's. */
#include "hq_deny.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deny.h"
#include "validate.h"

static struct hq_param P_INT(long long v)
{
    struct hq_param p = {HQ_P_INT, v, NULL};
    return p;
}

static struct hq_param P_TXT(const char *v)
{
    struct hq_param p = {HQ_P_TEXT, 0, v};
    return p;
}

static int one_text(void *ctx, int ncol, const char *const *col)
{
    char *out = ctx; /* DENY_HASH_HEX + 1 bytes */
    if (ncol >= 1 && col[0])
        snprintf(out, DENY_HASH_HEX + 1, "%s", col[0]);
    return 0;
}

/* The key, made (and published to every branch) when there is none; the
 * key row is then locked until the caller's transaction ends, so two
 * writers of the list take turns. In the caller's transaction. */
static int deny_key_get(struct hq_store *s, long long now, unsigned char key[DENY_KEY_BYTES])
{
    unsigned char raw[DENY_KEY_BYTES];
    char hex[DENY_HASH_HEX + 1], held[DENY_HASH_HEX + 1] = "", val[DENY_HASH_HEX + 3];
    long long made = 0;
    int rc;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    struct hq_param p[] = {P_TXT(hex), P_INT(now)};
    rc = s->ops->sql(s, "INSERT INTO deny_key(id, key, created_at) VALUES (1, $1, $2)"
                        " ON CONFLICT (id) DO NOTHING", p, 2, NULL, NULL, &made);
    if (rc == HQ_OK)
        rc = s->ops->sql(s, "UPDATE deny_key SET created_at = created_at WHERE id = 1", NULL, 0,
                         NULL, NULL, NULL);
    if (rc == HQ_OK)
        rc = s->ops->sql(s, "SELECT key FROM deny_key WHERE id = 1", NULL, 0, one_text, held,
                         NULL);
    if (rc == HQ_OK && deny_key_parse(held, key) != 0)
        rc = HQ_E_IO; /* not the format this code writes: someone edited the row */
    if (rc == HQ_OK && made == 1) {
        snprintf(val, sizeof val, "\"%s\"", held);
        rc = s->ops->config_set(s, NULL, "deny_key", val, now);
    }
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(held, sizeof held);
    sodium_memzero(val, sizeof val);
    return rc;
}

/* Entries in force, as publish() reads them. */
struct entry {
    long long id;
    char name[DENY_HASH_HEX + 1], phone[DENY_HASH_HEX + 1];
    char *branch;             /* NULL = every branch (malloc'd) */
};
struct entries {
    struct entry *v;
    int n, cap, oom;
};

static int entry_row(void *ctx, int ncol, const char *const *col)
{
    struct entries *e = ctx;
    (void)ncol;
    if (e->n == e->cap) {
        int cap = e->cap ? e->cap * 2 : 64;
        struct entry *v = realloc(e->v, (size_t)cap * sizeof *v);
        if (!v) {
            e->oom = 1;
            return 1;
        }
        e->v = v;
        e->cap = cap;
    }
    struct entry *it = &e->v[e->n];
    memset(it, 0, sizeof *it);
    it->id = atoll(col[0]);
    snprintf(it->name, sizeof it->name, "%s", col[1] ? col[1] : "");
    snprintf(it->phone, sizeof it->phone, "%s", col[2] ? col[2] : "");
    it->branch = col[3] ? strdup(col[3]) : NULL;
    if (col[3] && !it->branch) {
        e->oom = 1;
        return 1;
    }
    e->n++;
    return 0;
}

static void entries_free(struct entries *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->v[i].branch);
    free(e->v);
}

/* The deny_list for branch (NULL: the list of every branch) as JSON text. */
static char *list_json(const struct entries *e, const char *branch)
{
    cJSON *a = cJSON_CreateArray();
    char *out;
    for (int i = 0; a && i < e->n; i++) {
        const struct entry *it = &e->v[i];
        if (it->branch && (!branch || strcmp(branch, it->branch) != 0))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(a, o);
        cJSON_AddNumberToObject(o, "id", (double)it->id);
        if (it->name[0])
            cJSON_AddStringToObject(o, "name", it->name);
        if (it->phone[0])
            cJSON_AddStringToObject(o, "phone", it->phone);
    }
    out = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return out;
}

static int branch_row(void *ctx, int ncol, const char *const *col)
{
    cJSON *a = ctx;
    (void)ncol;
    if (col[0])
        cJSON_AddItemToArray(a, cJSON_CreateString(col[0]));
    return 0;
}

/* Publishes every list (see the file's opening). In the caller's
 * transaction. */
static int publish(struct hq_store *s, long long now)
{
    struct entries e = {0};
    cJSON *branches = cJSON_CreateArray(), *b;
    char *txt = NULL;
    int rc = branches ? HQ_OK : HQ_E_IO;
    if (rc == HQ_OK)
        rc = s->ops->sql(s, "SELECT id, name_hash, phone_hash, branch FROM deny_entry"
                            " WHERE removed_at IS NULL ORDER BY id", NULL, 0, entry_row, &e,
                         NULL);
    if (rc == HQ_OK && !e.oom)
        rc = s->ops->sql(s, "SELECT DISTINCT branch FROM deny_entry WHERE branch IS NOT NULL"
                            " ORDER BY branch", NULL, 0, branch_row, branches, NULL);
    if (e.oom)
        rc = HQ_E_IO;
    if (rc == HQ_OK) {
        rc = (txt = list_json(&e, NULL)) ? s->ops->config_set(s, NULL, "deny_list", txt, now)
                                         : HQ_E_IO;
        free(txt);
    }
    cJSON_ArrayForEach(b, branches) {
        if (rc != HQ_OK)
            break;
        rc = (txt = list_json(&e, b->valuestring))
                 ? s->ops->config_set(s, b->valuestring, "deny_list", txt, now)
                 : HQ_E_IO;
        free(txt);
    }
    cJSON_Delete(branches);
    entries_free(&e);
    return rc;
}

static int count_row(void *ctx, int ncol, const char *const *col)
{
    (void)ncol;
    *(long long *)ctx = col[0] ? atoll(col[0]) : 0;
    return 0;
}

/* Checks a text argument with core's rule; fills err. */
static int check_text(const char *s, const char *what, size_t max, int required, char *err,
                      size_t errlen)
{
    struct fd_err e = {0};
    if (val_text(s, what, max, required ? VAL_REQUIRED : 0, &e) != 0 ||
        (s && strlen(s) > max)) {
        snprintf(err, errlen, "%s: %s", what, e.msg[0] ? e.msg : "too long");
        return -1;
    }
    return 0;
}

static int finish(struct hq_store *s, int rc, char *err, size_t errlen)
{
    if (rc == HQ_OK && (rc = s->ops->commit(s)) == HQ_OK)
        return HQ_OK;
    if (!err[0])
        snprintf(err, errlen, "%s", s->ops->errmsg(s));
    s->ops->rollback(s);
    return rc;
}

int hq_deny_add(struct hq_store *s, const char *name, const char *phone, const char *reason,
                const char *by, const char *branch, long long now, long long *id, char *err,
                size_t errlen)
{
    unsigned char key[DENY_KEY_BYTES];
    char nh[DENY_HASH_HEX + 1] = "", ph[DENY_HASH_HEX + 1] = "", norm[DENY_NORM_MAX + 1];
    char subject[32], detail[160], idtxt[24] = "";
    long long active = 0;
    int rc;
    err[0] = '\0';
    if ((!name || !*name) && (!phone || !*phone)) {
        snprintf(err, errlen, "give --name, --phone or both");
        return HQ_E_INVALID;
    }
    if (check_text(by, "by", HQ_DENY_BY_MAX, 1, err, errlen) ||
        check_text(reason, "reason", HQ_DENY_REASON_MAX, 1, err, errlen) ||
        (branch && check_text(branch, "branch", HQ_BRANCH_MAX, 1, err, errlen)))
        return HQ_E_INVALID;
    if (name && *name && deny_norm_name(name, norm, sizeof norm) != 0) {
        snprintf(err, errlen, "the name is empty, not UTF-8 or too long");
        return HQ_E_INVALID;
    }
    if (phone && *phone && deny_norm_phone(phone, norm, sizeof norm) != 0) {
        snprintf(err, errlen, "the phone number needs 5 to 20 digits");
        return HQ_E_INVALID;
    }
    sodium_memzero(norm, sizeof norm);
    if ((rc = s->ops->begin(s)) != HQ_OK) {
        snprintf(err, errlen, "%s", s->ops->errmsg(s));
        return rc;
    }
    rc = deny_key_get(s, now, key);
    if (rc == HQ_OK) {
        if (name && *name)
            deny_hash_name(key, name, nh);
        if (phone && *phone)
            deny_hash_phone(key, phone, ph);
        sodium_memzero(key, sizeof key);
        rc = s->ops->sql(s, "SELECT count(*) FROM deny_entry WHERE removed_at IS NULL", NULL, 0,
                         count_row, &active, NULL);
    }
    if (rc == HQ_OK && active >= DENY_LIST_MAX) {
        snprintf(err, errlen, "the deny list holds at most %d entries", DENY_LIST_MAX);
        rc = HQ_E_INVALID;
    }
    if (rc == HQ_OK) {
        struct hq_param p[] = {P_TXT(nh[0] ? nh : NULL), P_TXT(ph[0] ? ph : NULL),
                               P_TXT(branch), P_TXT(reason), P_TXT(by), P_INT(now)};
        rc = s->ops->sql(s, "INSERT INTO deny_entry(name_hash, phone_hash, branch, reason,"
                            " added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                         p, 6, one_text, idtxt, NULL);
    }
    if (rc == HQ_OK) {
        *id = atoll(idtxt);
        cJSON *d = cJSON_CreateObject();
        char *dt;
        cJSON_AddStringToObject(d, "fields", nh[0] && ph[0] ? "name+phone" : nh[0] ? "name" : "phone");
        if (branch)
            cJSON_AddStringToObject(d, "branch", branch);
        else
            cJSON_AddNullToObject(d, "branch");
        dt = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
        snprintf(detail, sizeof detail, "%s", dt ? dt : "{}");
        free(dt);
        snprintf(subject, sizeof subject, "deny entry %lld", *id);
        rc = s->ops->audit_put(s, now, by, "deny.add", subject, reason, detail);
    }
    if (rc == HQ_OK)
        rc = publish(s, now);
    return finish(s, rc, err, errlen);
}

int hq_deny_remove(struct hq_store *s, long long id, const char *by, const char *reason,
                   long long now, char *err, size_t errlen)
{
    unsigned char key[DENY_KEY_BYTES];
    char subject[32];
    long long changed = 0;
    int rc;
    err[0] = '\0';
    if (check_text(by, "by", HQ_DENY_BY_MAX, 1, err, errlen) ||
        check_text(reason, "reason", HQ_DENY_REASON_MAX, 1, err, errlen))
        return HQ_E_INVALID;
    if ((rc = s->ops->begin(s)) != HQ_OK) {
        snprintf(err, errlen, "%s", s->ops->errmsg(s));
        return rc;
    }
    rc = deny_key_get(s, now, key); /* takes the writers' lock */
    sodium_memzero(key, sizeof key);
    if (rc == HQ_OK) {
        struct hq_param p[] = {P_INT(id), P_INT(now), P_TXT(by), P_TXT(reason)};
        rc = s->ops->sql(s, "UPDATE deny_entry SET removed_at = $2, removed_by = $3,"
                            " removed_reason = $4 WHERE id = $1 AND removed_at IS NULL",
                         p, 4, NULL, NULL, &changed);
    }
    if (rc == HQ_OK && changed == 0) {
        snprintf(err, errlen, "no deny entry %lld in force", id);
        rc = HQ_E_NOTFOUND;
    }
    snprintf(subject, sizeof subject, "deny entry %lld", id);
    if (rc == HQ_OK)
        rc = s->ops->audit_put(s, now, by, "deny.remove", subject, reason, "");
    if (rc == HQ_OK)
        rc = publish(s, now);
    return finish(s, rc, err, errlen);
}

/* ---- the command line ---- */

struct list_ctx {
    cJSON *arr;
    int json;
};

static int list_row(void *ctx, int ncol, const char *const *col)
{
    struct list_ctx *c = ctx;
    (void)ncol;
    int hn = col[1] && atoi(col[1]), hp = col[2] && atoi(col[2]);
    const char *fields = hn && hp ? "name+phone" : hn ? "name" : "phone";
    long long at = col[6] ? atoll(col[6]) : 0;
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(c->arr, o);
        cJSON_AddNumberToObject(o, "id", (double)atoll(col[0]));
        cJSON_AddBoolToObject(o, "name", hn);
        cJSON_AddBoolToObject(o, "phone", hp);
        if (col[3])
            cJSON_AddStringToObject(o, "branch", col[3]);
        else
            cJSON_AddNullToObject(o, "branch");
        cJSON_AddStringToObject(o, "reason", col[4] ? col[4] : "");
        cJSON_AddStringToObject(o, "added_by", col[5] ? col[5] : "");
        cJSON_AddNumberToObject(o, "added_at", (double)at);
    } else {
        char when[32] = "";
        time_t t = (time_t)at;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
        printf("%-6s %-10s %-20s %-16s %-12s %s\n", col[0], fields, when,
               col[5] ? col[5] : "", col[3] ? col[3] : "(all)", col[4] ? col[4] : "");
    }
    return 0;
}

static int cmd_list(struct hq_store *s, const char *by, const char *reason, int json)
{
    struct list_ctx c = {cJSON_CreateArray(), json};
    long long now = (long long)time(NULL);
    char detail[64];
    int rc;
    if (!c.arr)
        return 1;
    if (!json)
        printf("%-6s %-10s %-20s %-16s %-12s %s\n", "id", "fields", "added", "by", "branch",
               "reason");
    rc = s->ops->sql(s, "SELECT id, CASE WHEN name_hash IS NULL THEN 0 ELSE 1 END,"
                        " CASE WHEN phone_hash IS NULL THEN 0 ELSE 1 END, branch, reason,"
                        " added_by, added_at FROM deny_entry WHERE removed_at IS NULL"
                        " ORDER BY id", NULL, 0, list_row, &c, NULL);
    snprintf(detail, sizeof detail, "{\"entries\":%d}", cJSON_GetArraySize(c.arr));
    if (rc == HQ_OK) /* a look at the list is a use of it: audited */
        rc = s->ops->audit_put(s, now, by && *by ? by : "hq:cli", "deny.list", "",
                               reason ? reason : "", detail);
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        cJSON_Delete(c.arr);
        return 1;
    }
    if (json) {
        cJSON *root = cJSON_CreateObject();
        char *txt;
        cJSON_AddItemToObject(root, "entries", c.arr);
        txt = cJSON_PrintUnformatted(root);
        printf("%s\n", txt ? txt : "{}");
        free(txt);
        cJSON_Delete(root);
    } else {
        cJSON_Delete(c.arr);
    }
    return 0;
}

int hq_deny_cmd(struct hq_store *s, int npos, const char *const *pos, const char *name,
                const char *phone, const char *reason, const char *by, const char *branch,
                int json)
{
    char err[300];
    long long now = (long long)time(NULL), id = 0;
    int rc;
    if (npos == 2 && strcmp(pos[1], "list") == 0)
        return cmd_list(s, by, reason, json);
    if (npos == 2 && strcmp(pos[1], "add") == 0) {
        rc = hq_deny_add(s, name, phone, reason, by, branch, now, &id, err, sizeof err);
        if (rc != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: deny add: %s\n", err);
            return rc == HQ_E_INVALID ? 2 : 1;
        }
        if (json)
            printf("{\"id\":%lld}\n", id);
        else
            printf("deny entry %lld added\n", id);
        return 0;
    }
    if (npos == 3 && strcmp(pos[1], "remove") == 0) {
        char *end = NULL;
        id = strtoll(pos[2], &end, 10);
        if (!end || *end || id <= 0) {
            fprintf(stderr, "frontdesk-hq: deny remove ID: ID is an entry's number\n");
            return 2;
        }
        rc = hq_deny_remove(s, id, by, reason, now, err, sizeof err);
        if (rc != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: deny remove: %s\n", err);
            return rc == HQ_E_INVALID ? 2 : 1;
        }
        if (json)
            printf("{\"id\":%lld,\"removed\":true}\n", id);
        else
            printf("deny entry %lld removed\n", id);
        return 0;
    }
    fprintf(stderr, "usage: frontdesk-hq --db DB deny add [--name N] [--phone P] --reason TEXT"
                    " --by WHO [--branch B]\n"
                    "       frontdesk-hq --db DB deny list [--json]\n"
                    "       frontdesk-hq --db DB deny remove ID --by WHO --reason TEXT\n");
    return 2;
}
