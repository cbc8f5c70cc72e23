/* hq_console_config.c - the console's configuration pages' API: services
 * (hours, daily caps), counters, the host directory, kiosk staff accounts and
 * PINs, and branch settings, per branch or for every branch. Values are
 * stored with the store's config_set, which also logs them for the kiosks'
 * pull (hq/PROTOCOL.md), exactly as `frontdesk-hq config set` does.
 *
 * Checked with the kiosk's own rules, not a copy of them: before a list is
 * stored it is applied, through the very function a kiosk's pull uses
 * (sync_apply_change), to a scratch kiosk database in a private temporary
 * folder; an entry the kiosk would skip is refused here with the kiosk's
 * sentence. PINs are hashed the same way (core's staff_add on the scratch
 * store, with the kiosk's Argon2id settings), so only hashes leave head
 * office, and no answer ever carries one. */
#include "hq_console_int.h"

#include <dirent.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fderr.h"
#include "hq_console.h"
#include "hq_notify.h"
#include "queue.h"
#include "staff.h"
#include "store.h"
#include "visitor.h"
#include "sync_config.h"

static const char *const lists[] = {"services", "counters", "hosts", "staff_pins"};

/* ---- the scratch kiosk store ---- */

struct scratch {
    char dir[64];
    struct fd_store *st;
};

static int scratch_open(struct scratch *k, char *why, size_t len)
{
    char path[96], err[256];
    memset(k, 0, sizeof *k);
    snprintf(k->dir, sizeof k->dir, "/tmp/fdhq-check-XXXXXX");
    if (!mkdtemp(k->dir)) {
        snprintf(why, len, "cannot make a scratch folder in /tmp");
        k->dir[0] = '\0';
        return -1;
    }
    snprintf(path, sizeof path, "%s/kiosk.db", k->dir);
    if (store_open(path, &k->st, err, sizeof err) != 0) {
        snprintf(why, len, "scratch kiosk store: %s", err);
        return -1;
    }
    return 0;
}

static void scratch_close(struct scratch *k)
{
    DIR *d;
    struct dirent *e;
    store_close(k->st);
    k->st = NULL;
    if (!k->dir[0] || !(d = opendir(k->dir)))
        return;
    while ((e = readdir(d))) {
        char p[384];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", k->dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(k->dir);
}

/* Applies key = value (JSON) as a kiosk's pull would. 0 applied, 1 the
 * kiosk would skip it (why says the kiosk's reason), -1 the scratch store
 * failed (why). */
static int scratch_apply(struct scratch *k, const char *key, const cJSON *value, char *why,
                         size_t len, struct fd_err *fe)
{
    int rc;
    if (store_begin(k->st) != 0) {
        snprintf(why, len, "scratch kiosk store: cannot begin");
        return -1;
    }
    rc = sync_apply_change(k->st, "config", key, value, why, len, fe);
    if (store_commit(k->st) != 0 && rc == SYNC_CHANGE_APPLIED) {
        snprintf(why, len, "scratch kiosk store: cannot commit");
        return -1;
    }
    return rc == SYNC_CHANGE_APPLIED ? 0 : rc == SYNC_CHANGE_SKIPPED ? 1 : -1;
}

int hq_config_check(const char *key, const cJSON *value, char *why, size_t len)
{
    struct scratch k;
    int rc;
    if (scratch_open(&k, why, len) != 0) {
        scratch_close(&k);
        return -1;
    }
    rc = scratch_apply(&k, key, value, why, len, NULL);
    scratch_close(&k);
    return rc;
}

/* The hosts' notification targets (issue 14) are head office's own: taken
 * out of a posted hosts list (each checked), stored beside it in
 * host_notify, never in the list the kiosks pull. Fills *targets with
 * [{"id":N,"kind":K,"target":T}] for the entries that carry "notify" ("" =
 * clear) and removes notify/notify_kind from value. 0, or 1 with why. */
static int hosts_split_notify(cJSON *value, cJSON **targets, char *why, size_t len,
                              struct fd_err *fe)
{
    cJSON *it;
    *targets = cJSON_CreateArray();
    cJSON_ArrayForEach(it, value) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "notify");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        char kind[16] = "", target[HQ_NOTIFY_TARGET_MAX + 1] = "", w[300];
        cJSON *t;
        if (!n)
            continue;
        if (!cJSON_IsString(n) || !cJSON_IsNumber(id)) {
            snprintf(why, len, "a host's notify is a text (and the host needs its id)");
            return 1;
        }
        if (*n->valuestring && hq_notify_target_check(n->valuestring,
                                                      jstr(it, "notify_kind"), kind, target,
                                                      w, sizeof w) != 0) {
            snprintf(why, len, "%.60s: %s", jstr(it, "name") ? jstr(it, "name") : "host", w);
            fd_fail(fe, FD_EINVAL, "notify", "%s", w);
            return 1;
        }
        t = cJSON_CreateObject();
        cJSON_AddNumberToObject(t, "id", id->valuedouble);
        cJSON_AddStringToObject(t, "kind", kind);
        cJSON_AddStringToObject(t, "target", target);
        cJSON_AddItemToArray(*targets, t);
        cJSON_DeleteItemFromObjectCaseSensitive(it, "notify");
        cJSON_DeleteItemFromObjectCaseSensitive(it, "notify_kind");
    }
    return 0;
}

/* ---- reading the configuration ---- */

struct cfg_rows {
    const char *branch;        /* "" = every branch */
    cJSON *own, *all;          /* key -> parsed value */
};

static int cfg_row(void *ctx, int ncol, const char *const *col)
{
    struct cfg_rows *r = ctx;
    cJSON *v;
    (void)ncol;
    if (!col[1] || !col[2] || !(v = cJSON_Parse(col[2])))
        return 0;
    cJSON_AddItemToObject(col[0] && *col[0] ? r->own : r->all, col[1], v);
    return 0;
}

static int cfg_load(struct cx *x, const char *branch, struct cfg_rows *r)
{
    struct hq_param p[1] = {{HQ_P_TEXT, 0, branch}};
    int rc;
    r->branch = branch;
    r->own = cJSON_CreateObject();
    r->all = cJSON_CreateObject();
    rc = x->s->ops->sql(x->s, "SELECT branch, key, value FROM config WHERE branch = $1"
                              " OR branch = '' ORDER BY branch, key",
                        p, 1, cfg_row, r, NULL);
    if (*branch == '\0') { /* rows of '' went to all: that is what this branch means */
        cJSON_Delete(r->own);
        r->own = r->all;
        r->all = cJSON_CreateObject();
    }
    return rc;
}

static void cfg_free(struct cfg_rows *r)
{
    cJSON_Delete(r->own);
    cJSON_Delete(r->all);
}

/* The value in effect for key: the branch's own, else every branch's. */
static const cJSON *cfg_value(const struct cfg_rows *r, const char *key, int *inherited)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->own, key);
    *inherited = 0;
    if (v)
        return v;
    v = cJSON_GetObjectItemCaseSensitive(r->all, key);
    *inherited = v != NULL;
    return v;
}

static const char *branch_arg(const char *b)
{
    return b ? b : "";
}

static enum MHD_Result config_get_branch(struct cx *x, const char *branch)
{
    struct cfg_rows r;
    cJSON *o, *inh, *settings, *keys, *it;
    int rc, in;
    if (!text_ok(branch, HQ_BRANCH_MAX, 0))
        return ans_err(x, 400, "bad_request", "a branch is a name of at most %d bytes",
                       HQ_BRANCH_MAX);
    if ((rc = cfg_load(x, branch, &r)) != HQ_OK) {
        cfg_free(&r);
        return ans_store(x, rc, "config");
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "branch", branch);
    inh = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const cJSON *v = cfg_value(&r, lists[i], &in);
        const char *name = strcmp(lists[i], "staff_pins") == 0 ? "staff" : lists[i];
        cJSON *copy = cJSON_IsArray(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateArray();
        if (strcmp(name, "staff") == 0) /* hashes never leave in an answer */
            cJSON_ArrayForEach(it, copy) {
                const char *h = jstr(it, "pin_hash");
                cJSON_AddBoolToObject(it, "pin_set", h && *h);
                cJSON_DeleteItemFromObjectCaseSensitive(it, "pin_hash");
            }
        if (strcmp(name, "hosts") == 0 &&
            hq_notify_targets_add(x->s, in ? "" : branch, copy) != HQ_OK) {
            cJSON_Delete(copy);
            cJSON_Delete(o);
            cJSON_Delete(inh);
            cfg_free(&r);
            return ans_store(x, HQ_E_IO, "host notify");
        }
        cJSON_AddItemToObject(o, name, copy);
        cJSON_AddBoolToObject(inh, name, in);
    }
    settings = cJSON_AddObjectToObject(o, "settings");
    keys = cJSON_AddArrayToObject(o, "setting_keys");
    for (int i = 0; cfg_key(i); i++) {
        const char *k = cfg_key(i);
        const cJSON *v;
        if (cfg_is_device(k) != 0)
            continue; /* a kiosk's own: head office never sets it */
        cJSON_AddItemToArray(keys, cJSON_CreateString(k));
        if ((v = cfg_value(&r, k, &in)) != NULL) {
            cJSON_AddItemToObject(settings, k, cJSON_Duplicate(v, 1));
            cJSON_AddBoolToObject(inh, k, in);
        }
    }
    cJSON_AddItemToObject(o, "inherited", inh);
    /* The most characters each list's texts hold: the kiosk's rules
     * (app/core), which the page's fields take as their maxlength. */
    cJSON *lim = cJSON_AddObjectToObject(o, "limits"), *l;
    l = cJSON_AddObjectToObject(lim, "services");
    cJSON_AddNumberToObject(l, "code", QUEUE_CODE_MAX);
    cJSON_AddNumberToObject(l, "name_zh", QUEUE_NAME_MAX);
    cJSON_AddNumberToObject(l, "name_en", QUEUE_NAME_MAX);
    l = cJSON_AddObjectToObject(lim, "counters");
    cJSON_AddNumberToObject(l, "name", QUEUE_NAME_MAX);
    l = cJSON_AddObjectToObject(lim, "hosts");
    cJSON_AddNumberToObject(l, "name", HOST_NAME_MAX_CHARS);
    cJSON_AddNumberToObject(l, "department", HOST_DEPT_MAX);
    l = cJSON_AddObjectToObject(lim, "staff");
    cJSON_AddNumberToObject(l, "name", STAFF_NAME_MAX);
    cfg_free(&r);
    return ans_json(x, 200, o);
}

enum MHD_Result config_get(struct cx *x)
{
    return config_get_branch(x, branch_arg(arg(x, "branch")));
}

/* ---- changing it ---- */

/* The staff list with PIN hashes: a new PIN is hashed by core on the scratch
 * store, an unchanged one keeps the stored hash. Returns the list for
 * staff_pins (caller deletes), or NULL with why. */
static cJSON *staff_with_hashes(struct scratch *k, const cJSON *items, const cJSON *old,
                                long long now, char *why, size_t len, struct fd_err *why_e)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *it, *o;
    cJSON_ArrayForEach(it, items) {
        const char *name = jstr(it, "name"), *pin = jstr(it, "pin"), *role = jstr(it, "role");
        const cJSON *active = cJSON_GetObjectItemCaseSensitive(it, "active");
        const char *hash = NULL;
        char fresh[160] = "";
        cJSON *e;
        if (!cJSON_IsObject(it) || !name) {
            snprintf(why, len, "every staff entry needs a name");
            fd_fail(why_e, FD_EINVAL, "name", "%s", why);
            goto bad;
        }
        if (pin) {
            struct fd_err fe = {0};
            int64_t id = 0;
            sqlite3_stmt *q = NULL;
            if (staff_add(k->st, name, role, pin, now, &id, &fe) != 0) {
                snprintf(why, len, "%s: %s", name, fe.msg);
                if (why_e)
                    *why_e = fe;
                goto bad;
            }
            if (sqlite3_prepare_v2(store_db(k->st), "SELECT pin_hash FROM staff WHERE id = ?",
                                   -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(q, 1, id);
                if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
                    snprintf(fresh, sizeof fresh, "%s", (const char *)sqlite3_column_text(q, 0));
            }
            sqlite3_finalize(q);
            if (!fresh[0]) {
                snprintf(why, len, "the PIN could not be hashed");
                goto bad;
            }
            hash = fresh;
        } else {
            cJSON_ArrayForEach(o, old) {
                const char *n = jstr(o, "name");
                if (n && strcmp(n, name) == 0)
                    hash = jstr(o, "pin_hash");
            }
            if (!hash) {
                snprintf(why, len, "%s: a new staff member needs a PIN", name);
                fd_fail(why_e, FD_EINVAL, "pin", "%s", why);
                goto bad;
            }
        }
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", name);
        cJSON_AddStringToObject(e, "role", role ? role : "staff");
        cJSON_AddNumberToObject(e, "active",
                                !active ? 1 : cJSON_IsBool(active) ? cJSON_IsTrue(active)
                                : cJSON_IsNumber(active) ? active->valuedouble : -1);
        cJSON_AddStringToObject(e, "pin_hash", hash);
        cJSON_AddItemToArray(out, e);
        sodium_memzero(fresh, sizeof fresh);
    }
    return out;
bad:
    cJSON_Delete(out);
    return NULL;
}

/* Stores key = value for branch ("" = every branch) with its audit row, in
 * one transaction. */
static int cfg_store(struct cx *x, const char *branch, const char *key, const cJSON *value,
                     const cJSON *targets)
{
    struct hq_store *s = x->s;
    char *t = cJSON_PrintUnformatted(value);
    const cJSON *it;
    int rc;
    if (!t)
        return HQ_E_IO;
    if ((rc = s->ops->begin(s)) == HQ_OK &&
        (rc = s->ops->config_set(s, *branch ? branch : NULL, key, t, x->now)) == HQ_OK &&
        (rc = audit(x, "config.set", *branch ? branch : "(all branches)", key)) == HQ_OK) {
        cJSON_ArrayForEach(it, targets) {
            if (rc == HQ_OK)
                rc = hq_notify_target_put(s, branch,
                                          (long long)cJSON_GetObjectItem(it, "id")->valuedouble,
                                          jstr(it, "kind"), jstr(it, "target"), x->now);
        }
        if (rc == HQ_OK)
            rc = s->ops->commit(s);
    }
    if (rc != HQ_OK)
        s->ops->rollback(s);
    free(t);
    return rc;
}

/* POST config/host-notify {"branch","id","notify","notify_kind"}: sets
 * ("notify" a target) or clears ("notify" "") one host's notification
 * target, checked by hq_notify_target_check as `frontdesk-hq host set
 * --notify` checks it. The target is head office's own: it goes on the
 * hosts list in effect for the branch (the branch's own, else every
 * branch's, as config_get shows it) and nothing goes down the pull. The
 * audit row names the host and the kind, never the URL (a robot's webhook
 * carries its key). Answers as GET config?branch=. */
static enum MHD_Result host_notify_post(struct cx *x, cJSON *b, const char *branch)
{
    struct cfg_rows r;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "id");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "notify");
    const char *nk = jstr(b, "notify_kind");
    const cJSON *hosts, *it, *host = NULL;
    char kind[16] = "", target[HQ_NOTIFY_TARGET_MAX + 1] = "", why[300] = "";
    char subject[HQ_BRANCH_MAX + 200], detail[48], q[HQ_BRANCH_MAX + 1];
    int rc, in = 0;
    long long hid;

    if (!cJSON_IsNumber(id) || !cJSON_IsString(n)) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "host-notify needs {\"branch\", \"id\": the host's"
                                              " id, \"notify\": a target or \"\"}");
    }
    hid = (long long)id->valuedouble;
    if (*n->valuestring &&
        hq_notify_target_check(n->valuestring, nk, kind, target, why, sizeof why) != 0) {
        cJSON_Delete(b);
        return ans_err(x, 400, "invalid", "%s", why);
    }
    if ((rc = cfg_load(x, branch, &r)) != HQ_OK) {
        cJSON_Delete(b);
        cfg_free(&r);
        return ans_store(x, rc, "config");
    }
    hosts = cfg_value(&r, "hosts", &in);
    cJSON_ArrayForEach(it, hosts) {
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(it, "id");
        if (cJSON_IsNumber(hi) && (long long)hi->valuedouble == hid)
            host = it;
    }
    if (!host) { /* branch points into b: answer first */
        enum MHD_Result ret = ans_err(x, 404, "not_found", "no host with id %lld in %s's"
                                      " directory (save the list first)",
                                      hid, *branch ? branch : "every branch");
        cfg_free(&r);
        cJSON_Delete(b);
        return ret;
    }
    /* The list in effect owns the target: the branch's own, or every branch's. */
    snprintf(subject, sizeof subject, "%s/%.120s", in || !*branch ? "(all branches)" : branch,
             jstr(host, "name") ? jstr(host, "name") : "?");
    snprintf(detail, sizeof detail, "%s", *target ? kind : "notify cleared");
    cfg_free(&r);
    if ((rc = x->s->ops->begin(x->s)) == HQ_OK &&
        (rc = hq_notify_target_put(x->s, in ? "" : branch, hid, kind, target, x->now)) == HQ_OK &&
        (rc = audit(x, "host.notify", subject, detail)) == HQ_OK)
        rc = x->s->ops->commit(x->s);
    if (rc != HQ_OK) {
        cJSON_Delete(b);
        return ans_store(x, rc, "host notify");
    }
    snprintf(q, sizeof q, "%s", branch);
    cJSON_Delete(b);
    return config_get_branch(x, q);
}

enum MHD_Result config_post(struct cx *x, const char *what)
{
    cJSON *b = body_json(x), *value = NULL, *targets = NULL;
    const char *branch = b ? branch_arg(jstr(b, "branch")) : "";
    const char *key = NULL;
    struct scratch k;
    struct cfg_rows r = {0};
    struct fd_err fe = {0}; /* what was refused: the field, for the page */
    char why[400] = "";
    int rc, in, refused = 0;
    enum MHD_Result ret;

    memset(&k, 0, sizeof k);
    if (!b || !text_ok(branch, HQ_BRANCH_MAX, 0)) {
        cJSON_Delete(b);
        return ans_err(x, 400, "bad_request", "a JSON object with a branch (\"\" = every "
                                              "branch)");
    }
    if (strcmp(what, "host-notify") == 0)
        return host_notify_post(x, b, branch);
    if ((rc = cfg_load(x, branch, &r)) != HQ_OK) {
        cJSON_Delete(b);
        cfg_free(&r);
        return ans_store(x, rc, "config");
    }
    if (strcmp(what, "settings") == 0) {
        const char *v = jstr(b, "value");
        key = jstr(b, "key");
        if (!key || !v || cfg_is_device(key) != 0) {
            snprintf(why, sizeof why, "settings need a branch setting's key and a text value");
            refused = 1;
        } else if (cfg_check(key, v, &fe) != 0) {
            snprintf(why, sizeof why, "%s", fe.msg);
            refused = 1;
        } else {
            value = cJSON_CreateString(v);
        }
    } else {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(b, "items");
        key = strcmp(what, "staff") == 0 ? "staff_pins" : what;
        if (strcmp(what, "services") && strcmp(what, "counters") && strcmp(what, "hosts") &&
            strcmp(what, "staff")) {
            cfg_free(&r);
            cJSON_Delete(b);
            return ans_err(x, 404, "not_found", "no such configuration: %s", what);
        }
        if (!cJSON_IsArray(items)) {
            snprintf(why, sizeof why, "items must be the whole list");
            refused = 1;
        } else if (scratch_open(&k, why, sizeof why) != 0) {
            refused = -1;
        } else {
            /* Counters name services: the branch's services first. */
            const cJSON *svc = cfg_value(&r, "services", &in);
            if (strcmp(key, "counters") == 0 && svc &&
                scratch_apply(&k, "services", svc, why, sizeof why, NULL) < 0)
                refused = -1;
            if (!refused && strcmp(key, "staff_pins") == 0) {
                value = staff_with_hashes(&k, items, cfg_value(&r, "staff_pins", &in), x->now,
                                          why, sizeof why, &fe);
                refused = value ? 0 : 1;
                /* The hashing added rows: check the list on a clean store. */
                scratch_close(&k);
                if (!refused && scratch_open(&k, why, sizeof why) != 0)
                    refused = -1;
            } else if (!refused) {
                value = cJSON_Duplicate(items, 1);
                if (strcmp(key, "hosts") == 0)
                    refused = hosts_split_notify(value, &targets, why, sizeof why, &fe);
            }
            if (!refused) {
                int a = scratch_apply(&k, key, value, why, sizeof why, &fe);
                refused = a == 0 ? 0 : a == 1 ? 1 : -1;
            }
            scratch_close(&k);
        }
    }
    cfg_free(&r);
    if (refused) {
        cJSON_Delete(targets);
        cJSON_Delete(value);
        cJSON_Delete(b);
        if (refused < 0) {
            fprintf(stderr, "frontdesk-hq: console config check: %s\n", why);
            return ans_err(x, 500, "internal", "the configuration could not be checked");
        }
        return ans_refused(x, 400, "invalid", fe.field, fe.limit, "%s", why);
    }
    rc = cfg_store(x, branch, key, value, targets);
    cJSON_Delete(targets);
    cJSON_Delete(value);
    if (rc != HQ_OK) {
        cJSON_Delete(b);
        return ans_store(x, rc, "config set");
    }
    /* Answer as GET ?branch= does. */
    {
        char q[HQ_BRANCH_MAX + 1];
        snprintf(q, sizeof q, "%s", branch);
        cJSON_Delete(b);
        ret = config_get_branch(x, q);
    }
    return ret;
}
