/* sync_config.c - applies what head office pulls down (configuration and
 * complaint status, invitations) inside the pull's transaction, so a page and its cursor
 * land together. Every row is written by the core module that owns its
 * table (queue for services and counters, visitor for hosts, staff, complaint,
 * config for settings), so the rules exist once: this file only reads JSON.
 * Each change runs under a savepoint; one the kiosk cannot take is rolled
 * back, logged, recorded in the audit log (the staff console shows it, and
 * it reaches head office) and skipped: it never blocks the channel
 * (hq/PROTOCOL.md). In a structured list each entry stands alone: a bad
 * service is skipped and keeps its old row, the good ones apply. Nothing is
 * ever deleted (tickets, visitors and logs refer to these rows): what head
 * office no longer lists is made inactive. */
#include "sync_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "complaint.h"
#include "config.h"
#include "invite.h"
#include "deny.h"
#include "journal.h"
#include "queue.h"
#include "staff.h"
#include "visitor.h"

#define ITEMS_MAX 500       /* entries in one list; more is refused */
#define HOSTS_MAX 5000      /* the host directory may be longer */

/* What one change did: its entries skipped (with the first reason). */
struct outcome {
    int skipped;
    char why[200];
    struct fd_err first; /* core's report of the first refusal */
};

static void skip(struct outcome *o, const char *what, const struct fd_err *e)
{
    if (o->skipped++ == 0) {
        snprintf(o->why, sizeof o->why, "%.40s: %.150s", what, e->msg);
        o->first = *e;
    }
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A whole number member in [lo, hi] (true/false count as 1/0), def when
 * absent or null; anything else sets *bad. Range first: no overflow. The
 * range is only what fits the C type; the rule is core's. */
static long long num(const cJSON *o, const char *k, long long lo, long long hi, long long def,
                     int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v || cJSON_IsNull(v))
        return def;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)lo) || v->valuedouble > (double)hi ||
        v->valuedouble != (double)(long long)v->valuedouble) {
        *bad = 1;
        return def;
    }
    return (long long)v->valuedouble;
}

#define INT_LO (-2147483647LL)
#define INT_HI 2147483647LL

/* ---- structured configuration: each a whole list ---- */

static int apply_services(struct fd_store *st, const cJSON *v, struct outcome *o,
                          struct fd_err *e)
{
    const char *keep[ITEMS_MAX];
    const cJSON *it;
    int n = 0, rc;
    cJSON_ArrayForEach(it, v) {
        struct queue_service s = {0};
        int bad = 0;
        const char *code = str(it, "code"), *zh = str(it, "name_zh"), *en = str(it, "name_en");
        long long sort = num(it, "sort", INT_LO, INT_HI, 0, &bad);
        s.active = (int)num(it, "active", INT_LO, INT_HI, 1, &bad);
        s.open_min = (int)num(it, "open_min", INT_LO, INT_HI, 0, &bad);
        s.close_min = (int)num(it, "close_min", INT_LO, INT_HI, 1440, &bad);
        s.daily_cap = (int)num(it, "daily_cap", INT_LO, INT_HI, 0, &bad);
        if (code)
            keep[n++] = code; /* listed: a bad entry keeps its old row */
        if (bad || !code || strlen(code) >= sizeof s.code || !zh ||
            strlen(zh) >= sizeof s.name_zh || !en || strlen(en) >= sizeof s.name_en) {
            fd_fail(e, FD_EINVAL, "service", "a service entry is not the protocol");
            skip(o, code ? code : "service", e);
            continue;
        }
        if (s.active != 0 && s.active != 1) {
            fd_fail(e, FD_EINVAL, "active", "active is 0 or 1");
            skip(o, code, e);
            continue;
        }
        snprintf(s.code, sizeof s.code, "%s", code);
        snprintf(s.name_zh, sizeof s.name_zh, "%s", zh);
        snprintf(s.name_en, sizeof s.name_en, "%s", en);
        if ((rc = queue_service_put(st, &s, (int)sort, e)) == FD_EDB)
            return rc;
        if (rc)
            skip(o, code, e);
    }
    rc = queue_service_retire_others(st, keep, n, e);
    return rc < 0 ? rc : 0;
}

static int apply_counters(struct fd_store *st, const cJSON *v, struct outcome *o,
                          struct fd_err *e)
{
    int keep[ITEMS_MAX], n = 0, rc;
    const cJSON *it, *c;
    cJSON_ArrayForEach(it, v) {
        char codes[QUEUE_CODES_MAX] = "";
        size_t len = 0;
        int bad = 0;
        long long id = num(it, "id", 1, 999, 0, &bad);
        const cJSON *svc = cJSON_GetObjectItemCaseSensitive(it, "services");
        char what[24];
        snprintf(what, sizeof what, "counter %lld", id);
        if (bad || id == 0) {
            fd_fail(e, FD_EINVAL, "id", "a counter id is not 1 to 999");
            skip(o, "counter", e);
            continue;
        }
        keep[n++] = (int)id;
        cJSON_ArrayForEach(c, svc) {
            if (!cJSON_IsString(c) || len + strlen(c->valuestring) + 2 > sizeof codes) {
                bad = 1;
                break;
            }
            len += (size_t)snprintf(codes + len, sizeof codes - len, "%s%s", len ? "," : "",
                                    c->valuestring);
        }
        if (bad || !cJSON_IsArray(svc)) {
            fd_fail(e, FD_EINVAL, "services", "a counter's services are a list of codes");
            skip(o, what, e);
            continue;
        }
        if ((rc = queue_counter_put(st, (int)id, str(it, "name"), codes, e)) == FD_EDB)
            return rc;
        if (rc)
            skip(o, what, e);
    }
    rc = queue_counter_retire_others(st, keep, n, e);
    return rc < 0 ? rc : 0;
}

static int apply_hosts(struct fd_store *st, const cJSON *v, struct outcome *o,
                       struct fd_err *e)
{
    int64_t *keep = malloc(HOSTS_MAX * sizeof *keep);
    const cJSON *it;
    int n = 0, rc = 0;
    if (!keep)
        return fd_fail(e, FD_EDB, "", "out of memory");
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        long long id = num(it, "id", 1, HOST_ID_MAX, 0, &bad);
        long long active = num(it, "active", 0, 1, 1, &bad);
        if (bad || id == 0) {
            fd_fail(e, FD_EINVAL, "id", "a host has a bad id or active flag");
            skip(o, "host", e);
            continue;
        }
        keep[n++] = id;
        rc = host_put(st, id, str(it, "name"), str(it, "department"), (int)active, e);
        if (rc == FD_EDB)
            break;
        if (rc)
            skip(o, "host", e);
        rc = 0;
    }
    if (rc == 0)
        rc = host_retire_others(st, keep, n, e);
    free(keep);
    return rc < 0 ? rc : 0;
}

static int apply_staff(struct fd_store *st, const cJSON *v, struct outcome *o,
                       struct fd_err *e)
{
    const char *keep[ITEMS_MAX];
    const cJSON *it;
    int n = 0, rc;
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        const char *name = str(it, "name");
        long long active = num(it, "active", 0, 1, 1, &bad);
        if (name)
            keep[n++] = name;
        if (bad) {
            fd_fail(e, FD_EINVAL, "active", "active is 0 or 1");
            skip(o, "staff", e);
            continue;
        }
        rc = staff_put_hash(st, name, str(it, "role"), str(it, "pin_hash"), (int)active,
                            (int64_t)time(NULL), e);
        if (rc == FD_EDB)
            return rc;
        if (rc)
            skip(o, "staff", e); /* never the name: it may be what is wrong */
    }
    rc = staff_retire_others(st, keep, n, e);
    return rc < 0 ? rc : 0;
}

/* deny_list: [{"id":N,"name":"<hex>"|null,"phone":"<hex>"|null}], keyed
 * hashes only (deny.h); the whole list replaces the kiosk's. */
static int apply_deny_list(struct fd_store *st, const cJSON *v, struct outcome *o,
                           struct fd_err *e)
{
    int n = cJSON_GetArraySize(v), k = 0, skipped = 0, rc;
    struct deny_item *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    const cJSON *it;
    if (!items)
        return fd_fail(e, FD_EDB, "", "out of memory");
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        items[k].id = num(it, "id", 1, 1LL << 50, 0, &bad);
        items[k].name_hash = str(it, "name");
        items[k].phone_hash = str(it, "phone");
        if (bad)
            items[k].id = 0; /* deny_put_list skips and counts it */
        k++;
    }
    rc = deny_put_list(st, items, k, &skipped, e);
    free(items);
    if (rc == FD_EDB)
        return rc;
    if (rc || skipped) /* never a hash in the message: it names no entry */
        skip(o, "deny_list", e);
    return 0;
}

/* The structured keys: a list of at most `max` objects, and who applies it. */
static const struct {
    const char *key;
    int max;
    int (*apply)(struct fd_store *st, const cJSON *v, struct outcome *o, struct fd_err *e);
} lists[] = {
    {"services", ITEMS_MAX, apply_services},
    {"counters", ITEMS_MAX, apply_counters},
    {"hosts", HOSTS_MAX, apply_hosts},
    {"staff_pins", ITEMS_MAX, apply_staff},
    {"deny_list", DENY_LIST_MAX, apply_deny_list},
};

/* A config change: a structured list, else a scalar setting through
 * cfg_set_by (which refuses device settings from head office). */
static int apply_config(struct fd_store *st, const char *key, const cJSON *v,
                        struct outcome *o, struct fd_err *e)
{
    if (strcmp(key, "deny_key") == 0) { /* head office's HMAC key, 64 hex */
        int rc = cJSON_IsString(v) ? deny_set_key(st, v->valuestring, e)
                                   : fd_fail(e, FD_EINVAL, key, "deny_key is a string");
        if (rc && rc != FD_EDB)
            skip(o, key, e);
        return rc == FD_EDB ? rc : 0;
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const cJSON *it;
        if (strcmp(lists[i].key, key) != 0)
            continue;
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > lists[i].max) {
            fd_fail(e, FD_EINVAL, key, "%s must be a list of at most %d objects", key,
                    lists[i].max);
            skip(o, key, e);
            return 0;
        }
        cJSON_ArrayForEach(it, v) {
            if (!cJSON_IsObject(it)) {
                fd_fail(e, FD_EINVAL, key, "%s must be a list of objects", key);
                skip(o, key, e);
                return 0;
            }
        }
        return lists[i].apply(st, v, o, e);
    }
    if (!cJSON_IsString(v)) {
        fd_fail(e, FD_EINVAL, key, "a setting's value is a string");
        skip(o, key, e);
        return 0;
    }
    int rc = cfg_set_by(st, key, v->valuestring, CFG_SRC_HQ, e);
    if (rc && rc != FD_EDB)
        skip(o, key, e);
    return rc == FD_EDB ? rc : 0;
}

static int apply_complaint(struct fd_store *st, const char *ref, const cJSON *v,
                           struct outcome *o, struct fd_err *e)
{
    const cJSON *valid = cJSON_GetObjectItemCaseSensitive(v, "valid");
    const cJSON *upd = cJSON_GetObjectItemCaseSensitive(v, "updated_at");
    struct complaint_hq h = {
        .state = str(v, "state"),
        .severity = str(v, "severity"),
        .valid = cJSON_IsNumber(valid) ? valid->valueint != 0
                 : cJSON_IsBool(valid) ? cJSON_IsTrue(valid) : -1,
        .department = str(v, "department"),
        .resolution = str(v, "resolution"),
        .close_reason = str(v, "close_reason"),
        .stat_category = str(v, "stat_category"),
        .note = str(v, "note"),
        .updated_at = cJSON_IsNumber(upd) && upd->valuedouble > 0 &&
                              upd->valuedouble < 9007199254740992.0
                          ? (int64_t)upd->valuedouble
                          : 0,
    };
    if (!cJSON_IsObject(v)) {
        fd_fail(e, FD_EINVAL, "value", "a complaint change is an object");
        skip(o, "complaint", e);
        return 0;
    }
    int rc = complaint_set_hq(st, ref, &h, (int64_t)time(NULL), e);
    if (rc == FD_ENOTFOUND)
        return 0; /* not a complaint of this kiosk (any more): nothing to do */
    if (rc && rc != FD_EDB)
        skip(o, "complaint", e);
    return rc == FD_EDB ? rc : 0;
}

/* Head office's word on telling a visitor's host (issue 14): core's
 * visitor module records it. A notice for a visit this kiosk no longer
 * holds (restored from a backup) changes nothing and is no refusal. */
static int apply_notice(struct fd_store *st, const cJSON *v, struct outcome *o,
                        struct fd_err *e)
{
    int bad = 0, rc;
    long long id = num(v, "visitor", 1, INT64_MAX / 2, 0, &bad);
    long long in = num(v, "signed_in_at", 0, INT64_MAX / 2, 0, &bad);
    long long at = num(v, "at", 0, INT64_MAX / 2, 0, &bad);
    const char *outcome = str(v, "outcome");
    if (bad || !cJSON_IsObject(v) || id == 0) {
        fd_fail(e, FD_EINVAL, "notice", "a notice names a visitor, a time and an outcome");
        skip(o, "notice", e);
        return 0;
    }
    rc = visitor_notice_put(st, id, in, outcome, at, e);
    if (rc == FD_EDB)
        return rc;
    if (rc == FD_EINVAL)
        skip(o, "notice", e);
    return 0;
}

/* An invitation (issue 14): key = its code, value = what the kiosk needs to
 * check the guest in; core's rules check every field. State "erased" (head
 * office erased the guest's data: hq_invite_erase) carries nothing else and
 * drops the kiosk's copy. */
static int apply_invitation(struct fd_store *st, const char *code, const cJSON *v,
                            struct outcome *o, struct fd_err *e)
{
    struct invite_in in = {.code = code, .day = str(v, "day"), .name = str(v, "name"),
                           .phone = str(v, "phone"), .company = str(v, "company"),
                           .purpose = str(v, "purpose"), .host = str(v, "host")};
    const char *state = str(v, "state");
    int rc;
    if (!cJSON_IsObject(v)) {
        fd_fail(e, FD_EINVAL, "value", "an invitation change is an object");
        skip(o, "invitation", e);
        return 0;
    }
    if (state && strcmp(state, "erased") == 0) {
        rc = invite_drop(st, code, e);
        if (rc == FD_EINVAL)
            skip(o, "invitation", e);
        return rc == FD_EDB ? rc : 0;
    }
    rc = invite_put(st, &in, state ? state : "open", (int64_t)time(NULL), e);
    if (rc && rc != FD_EDB)
        skip(o, "invitation", e);
    return rc == FD_EDB ? rc : 0;
}

int sync_apply_change(struct fd_store *st, const char *kind, const char *key,
                      const cJSON *value, char *why, size_t len, struct fd_err *first)
{
    struct outcome o = {0};
    struct fd_err e = {0};
    sqlite3 *db = store_db(st);
    int rc;

    if (strcmp(kind, "complaint") != 0 && strcmp(kind, "config") != 0 &&
        strcmp(kind, "notice") != 0 && strcmp(kind, "invitation") != 0)
        return SYNC_CHANGE_NOT_MINE; /* not for this version of the kiosk */
    if (sqlite3_exec(db, "SAVEPOINT sync_change", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(why, len, "%s", sqlite3_errmsg(db));
        return SYNC_CHANGE_DB;
    }
    rc = strcmp(kind, "complaint") == 0    ? apply_complaint(st, key, value, &o, &e)
         : strcmp(kind, "notice") == 0     ? apply_notice(st, value, &o, &e)
         : strcmp(kind, "invitation") == 0 ? apply_invitation(st, key, value, &o, &e)
                                           : apply_config(st, key, value, &o, &e);
    if (rc != 0) {
        /* The kiosk's own database failed: the page is not applied. */
        snprintf(why, len, "%s", e.msg[0] ? e.msg : sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK TO sync_change", NULL, NULL, NULL);
        sqlite3_exec(db, "RELEASE sync_change", NULL, NULL, NULL);
        return SYNC_CHANGE_DB;
    }
    if (o.skipped) {
        /* Logged, and kept where the staff see it (and head office, through
         * the audit's outbox row). A bad list entry leaves the good ones. */
        char detail[300];
        if (first)
            *first = o.first;
        snprintf(why, len, "%s%s", o.why, o.skipped > 1 ? " (and more)" : "");
        snprintf(detail, sizeof detail, "%.10s %.40s: %d skipped: %.200s", kind, key, o.skipped,
                 o.why);
        fprintf(stderr, "sync: from head office, not applied: %s\n", detail);
        rc = journal_audit(st, "hq", "sync_refused", key, detail, (int64_t)time(NULL), &e);
        if (rc == FD_EINVAL) {
            /* The key or the reason quotes head office's text, which may be
             * what core refused (or cut inside a character): a plain record. */
            snprintf(detail, sizeof detail, "%.10s: %d skipped (see the kiosk's log)", kind,
                     o.skipped);
            rc = journal_audit(st, "hq", "sync_refused", "", detail, (int64_t)time(NULL), &e);
        }
        if (rc == FD_EDB) {
            snprintf(why, len, "%s", e.msg);
            sqlite3_exec(db, "ROLLBACK TO sync_change", NULL, NULL, NULL);
            sqlite3_exec(db, "RELEASE sync_change", NULL, NULL, NULL);
            return SYNC_CHANGE_DB;
        }
    }
    if (sqlite3_exec(db, "RELEASE sync_change", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(why, len, "%s", sqlite3_errmsg(db));
        return SYNC_CHANGE_DB;
    }
    return o.skipped ? SYNC_CHANGE_SKIPPED : SYNC_CHANGE_APPLIED;
}
