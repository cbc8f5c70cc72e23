/* sync_config.c - applies the structured configuration head office pulls
 * down (services, counters, the host directory, staff accounts with PIN
 * hashes) inside the pull's transaction, so a page and its cursor land
 * together. Each value is checked whole first (core's text rules) and then
 * applied under a savepoint: a value the kiosk cannot take is skipped with a
 * reason and never blocks the channel. Nothing is ever deleted (tickets,
 * visitors and logs refer to these rows): what head office no longer lists
 * is made inactive. */
#include "sync_config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef SYNC_HAVE_CORE
#include "validate.h"
#endif

#define NAME_MAX_CHARS 40   /* services, counters, hosts, staff (core's caps) */
#define ITEMS_MAX 500       /* entries in one value; more is refused */

/* Text rule: core's when built with it (UTF-8, no control characters, cap). */
static int text_ok(const char *s, size_t max_chars, int required)
{
    if (!s)
        return !required;
#ifdef SYNC_HAVE_CORE
    struct fd_err e;
    return val_text(s, "value", max_chars, required ? VAL_REQUIRED : 0, &e) == 0;
#else
    return (!required || *s) && strlen(s) <= max_chars * 4;
#endif
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integer member in [lo, hi], or def when absent; -1 sets *bad. */
static long long num(const cJSON *o, const char *k, long long lo, long long hi, long long def,
                     int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v || cJSON_IsNull(v))
        return def;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)lo) || v->valuedouble > (double)hi ||
        v->valuedouble != (double)(long long)v->valuedouble) { /* range first: no overflow */
        *bad = 1;
        return def;
    }
    return (long long)v->valuedouble;
}

static int code_ok(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    if (n < 1 || n > 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return 0;
    return 1;
}

static int run(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- checks: the whole value or nothing ---- */

static const char *check_services(const cJSON *v)
{
    const cJSON *it;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > ITEMS_MAX)
        return "services must be an array of at most 500 objects";
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        long long open = num(it, "open_min", 0, 1440, 0, &bad);
        long long close = num(it, "close_min", 0, 1440, 1440, &bad);
        num(it, "daily_cap", 0, 1000000, 0, &bad);
        num(it, "sort", -1000000, 1000000, 0, &bad);
        num(it, "active", 0, 1, 1, &bad);
        if (!code_ok(str(it, "code")))
            return "a service code is not 1-2 capital letters";
        if (!text_ok(str(it, "name_zh"), NAME_MAX_CHARS, 1) ||
            !text_ok(str(it, "name_en"), NAME_MAX_CHARS, 1))
            return "a service name is missing, too long or not clean text";
        if (bad || open >= close)
            return "a service has bad hours, cap, sort or active";
    }
    return NULL;
}

static const char *check_counters(const cJSON *v)
{
    const cJSON *it, *c;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > ITEMS_MAX)
        return "counters must be an array of at most 500 objects";
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        num(it, "id", 1, 999, 0, &bad);
        if (bad || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it, "id")))
            return "a counter id is not 1..999";
        if (!text_ok(str(it, "name"), NAME_MAX_CHARS, 1))
            return "a counter name is missing, too long or not clean text";
        const cJSON *svc = cJSON_GetObjectItemCaseSensitive(it, "services");
        if (!cJSON_IsArray(svc))
            return "a counter has no services array";
        cJSON_ArrayForEach(c, svc) {
            if (!cJSON_IsString(c) || !code_ok(c->valuestring))
                return "a counter names a service code that is not 1-2 capital letters";
        }
    }
    return NULL;
}

static const char *check_hosts(const cJSON *v)
{
    const cJSON *it;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > 5000)
        return "hosts must be an array of at most 5000 objects";
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        num(it, "id", 1, 1LL << 40, 0, &bad);
        num(it, "active", 0, 1, 1, &bad);
        if (bad || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it, "id")))
            return "a host has a bad id or active";
        if (!text_ok(str(it, "name"), NAME_MAX_CHARS, 1) ||
            !text_ok(str(it, "department"), NAME_MAX_CHARS, 0))
            return "a host name or department is missing, too long or not clean text";
    }
    return NULL;
}

static const char *check_staff(const cJSON *v)
{
    const cJSON *it;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > ITEMS_MAX)
        return "staff_pins must be an array of at most 500 objects";
    cJSON_ArrayForEach(it, v) {
        int bad = 0;
        const char *role = str(it, "role"), *hash = str(it, "pin_hash");
        num(it, "active", 0, 1, 1, &bad);
        if (!text_ok(str(it, "name"), NAME_MAX_CHARS, 1))
            return "a staff name is missing, too long or not clean text";
        if (role && strcmp(role, "staff") != 0 && strcmp(role, "manager") != 0)
            return "a staff role is not staff or manager";
        /* Only hashes travel: a PIN in clear is refused. */
        if (!hash || strncmp(hash, "$argon2id$", 10) != 0 || strlen(hash) > 255)
            return "a staff entry has no Argon2id pin_hash";
        if (bad)
            return "a staff entry has a bad active flag";
    }
    return NULL;
}

/* ---- applying (under the caller's transaction) ---- */

static int apply_services(sqlite3 *db, const cJSON *v)
{
    sqlite3_stmt *st = NULL;
    const cJSON *it;
    int rc = -1, bad = 0;
    if (run(db, "UPDATE service SET active = 0") != 0 ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO service(code, name_zh, name_en, active, open_min,"
                           " close_min, daily_cap, sort) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh,"
                           " name_en = excluded.name_en, active = excluded.active,"
                           " open_min = excluded.open_min, close_min = excluded.close_min,"
                           " daily_cap = excluded.daily_cap, sort = excluded.sort",
                           -1, &st, NULL) != SQLITE_OK)
        goto out;
    cJSON_ArrayForEach(it, v) {
        long long cap = num(it, "daily_cap", 0, 1000000, 0, &bad);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, str(it, "code"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, str(it, "name_zh"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, str(it, "name_en"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, num(it, "active", 0, 1, 1, &bad));
        sqlite3_bind_int64(st, 5, num(it, "open_min", 0, 1440, 0, &bad));
        sqlite3_bind_int64(st, 6, num(it, "close_min", 0, 1440, 1440, &bad));
        if (cap > 0)
            sqlite3_bind_int64(st, 7, cap);
        else
            sqlite3_bind_null(st, 7);
        sqlite3_bind_int64(st, 8, num(it, "sort", -1000000, 1000000, 0, &bad));
        if (sqlite3_step(st) != SQLITE_DONE)
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

static int apply_counters(sqlite3 *db, const cJSON *v)
{
    sqlite3_stmt *up = NULL, *cs = NULL;
    const cJSON *it, *c;
    int rc = -1, bad = 0;
    /* Counters head office no longer lists serve nothing; their rows stay. */
    if (run(db, "DELETE FROM counter_service") != 0 ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO counter(id, name) VALUES (?, ?)"
                           " ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                           -1, &up, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO counter_service(counter_id, service_id)"
                           " SELECT ?, id FROM service WHERE code = ?",
                           -1, &cs, NULL) != SQLITE_OK)
        goto out;
    cJSON_ArrayForEach(it, v) {
        long long id = num(it, "id", 1, 999, 0, &bad);
        sqlite3_reset(up);
        sqlite3_bind_int64(up, 1, id);
        sqlite3_bind_text(up, 2, str(it, "name"), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(up) != SQLITE_DONE)
            goto out;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(it, "services")) {
            sqlite3_reset(cs);
            sqlite3_bind_int64(cs, 1, id);
            sqlite3_bind_text(cs, 2, c->valuestring, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(cs) != SQLITE_DONE)
                goto out;
        }
    }
    rc = 0;
out:
    sqlite3_finalize(up);
    sqlite3_finalize(cs);
    return rc;
}

static int apply_hosts(sqlite3 *db, const cJSON *v)
{
    sqlite3_stmt *st = NULL;
    const cJSON *it;
    int rc = -1, bad = 0;
    if (run(db, "UPDATE host SET active = 0") != 0 ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO host(id, name, department, active) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                           " department = excluded.department, active = excluded.active",
                           -1, &st, NULL) != SQLITE_OK)
        goto out;
    cJSON_ArrayForEach(it, v) {
        const char *dept = str(it, "department");
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, num(it, "id", 1, 1LL << 40, 0, &bad));
        sqlite3_bind_text(st, 2, str(it, "name"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, dept ? dept : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, num(it, "active", 0, 1, 1, &bad));
        if (sqlite3_step(st) != SQLITE_DONE)
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

static int apply_staff(sqlite3 *db, const cJSON *v)
{
    sqlite3_stmt *st = NULL;
    const cJSON *it;
    int rc = -1, bad = 0;
    if (run(db, "UPDATE staff SET active = 0") != 0 ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO staff(name, role, pin_hash, active, created_at)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                           " role = excluded.role, pin_hash = excluded.pin_hash,"
                           " active = excluded.active,"
                           " failures = CASE WHEN pin_hash = excluded.pin_hash THEN failures"
                           " ELSE 0 END",
                           -1, &st, NULL) != SQLITE_OK)
        goto out;
    cJSON_ArrayForEach(it, v) {
        const char *role = str(it, "role");
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, str(it, "name"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, role ? role : "staff", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, str(it, "pin_hash"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, num(it, "active", 0, 1, 1, &bad));
        sqlite3_bind_int64(st, 5, (long long)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

/* The structured keys: how each is checked and applied. */
static const struct {
    const char *key;
    const char *(*check)(const cJSON *v);
    int (*apply)(sqlite3 *db, const cJSON *v);
} keys[] = {
    {"services", check_services, apply_services},
    {"counters", check_counters, apply_counters},
    {"hosts", check_hosts, apply_hosts},
    {"staff_pins", check_staff, apply_staff},
};

int sync_config_apply(sqlite3 *db, const char *key, const cJSON *value, char *why, size_t len)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *bad;
        if (strcmp(keys[i].key, key) != 0)
            continue;
        if ((bad = keys[i].check(value)) != NULL) {
            snprintf(why, len, "%s", bad);
            return SYNC_CONFIG_REFUSED;
        }
        if (run(db, "SAVEPOINT sync_config") != 0) {
            snprintf(why, len, "%s", sqlite3_errmsg(db));
            return SYNC_CONFIG_DB;
        }
        if (keys[i].apply(db, value) != 0) {
            /* e.g. a schema without that table, or a row the kiosk's
             * constraints refuse: skip the value, keep the channel going. */
            snprintf(why, len, "not applied: %s", sqlite3_errmsg(db));
            run(db, "ROLLBACK TO sync_config");
            run(db, "RELEASE sync_config");
            return SYNC_CONFIG_REFUSED;
        }
        if (run(db, "RELEASE sync_config") != 0) {
            snprintf(why, len, "%s", sqlite3_errmsg(db));
            return SYNC_CONFIG_DB;
        }
        return SYNC_CONFIG_APPLIED;
    }
    return SYNC_CONFIG_NOT_MINE;
}
