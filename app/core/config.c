/* config.c - settings with rules and compiled-in defaults (config.h).
 * The rules are a table: a key, its kind and its range. Defaults come from
 * data/config/default.conf, embedded at build time; a test checks that every
 * rule has a default and every default passes its rule. */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bday.h"
#include "embedded.h"
#include "retention.h"
#include "validate.h"

extern const struct fd_embedded_file fd_default_config[];

enum cfg_kind { CFG_INT, CFG_TEXT, CFG_ZONE, CFG_LANG, CFG_HHMM, CFG_PRINTER, CFG_PROFILE,
                CFG_ORDER, CFG_LISTEN };

static const struct cfg_rule {
    const char *key;    /* as in the config table */
    enum cfg_kind kind; /* how the value is checked */
    long min, max;      /* range for CFG_INT; max characters for CFG_TEXT */
    int device;         /* 1: this box's (file, ctl); 0: the branch's (head office) */
} rules[] = {
    {"branch_name", CFG_TEXT, 1, 60, 0},
    {"terminal_no", CFG_INT, 1, 999, 1},
    {"timezone", CFG_ZONE, 0, 0, 0},
    {"day_turnover_hour", CFG_INT, 0, 23, 0},
    {"recall_limit", CFG_INT, 1, 10, 0},
    {"default_service_s", CFG_INT, 10, 7200, 0},
    {"avg_window", CFG_INT, 3, 200, 0},
    {"idle_timeout_s", CFG_INT, 10, 600, 0},
    {"language", CFG_LANG, 0, 0, 0},
    {"closing_time", CFG_HHMM, 0, 0, 0},
    {"visitor_retention_days", CFG_INT, 0, 3650, 0},
    {"printer_uri", CFG_PRINTER, 0, 200, 1},
    {"printer_profile", CFG_PROFILE, 0, 0, 1},
    {"voice_on", CFG_INT, 0, 1, 1},
    {"voice_order", CFG_ORDER, 0, 0, 0},
    {"voice_volume", CFG_INT, 0, 100, 1},
    {"target_wait_s", CFG_INT, 60, 14400, 0},
    {"lobby_notice", CFG_TEXT, 1, 200, 0},
    {"outbox_standalone_days", CFG_INT, 1, 366, 0},
    {"print_reprint_hours", CFG_INT, 1, 720, 0},
    {"print_pending_max_s", CFG_INT, 30, 86400, 1},
    {"counter_listen", CFG_LISTEN, 0, 0, 1},
};
#define NRULES (sizeof rules / sizeof rules[0])

static const struct cfg_rule *find_rule(const char *key)
{
    for (size_t i = 0; i < NRULES; i++)
        if (strcmp(rules[i].key, key) == 0)
            return &rules[i];
    return NULL;
}

const char *cfg_key(int i)
{
    return i >= 0 && (size_t)i < NRULES ? rules[i].key : NULL;
}

/* Finds `key` in default.conf and copies its value (trimmed). */
static int default_value(const char *key, char *buf, size_t len)
{
    const char *p = fd_default_config[0].data;
    size_t klen = strlen(key);
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        const char *end = eol ? eol : p + strlen(p);
        if (*p != '#' && (size_t)(end - p) > klen && strncmp(p, key, klen) == 0 &&
            (p[klen] == ' ' || p[klen] == '=')) {
            const char *v = strchr(p, '=');
            if (v && v < end) {
                v++;
                while (v < end && *v == ' ')
                    v++;
                while (end > v && (end[-1] == ' ' || end[-1] == '\r'))
                    end--;
                snprintf(buf, len, "%.*s", (int)(end - v), v);
                return 0;
            }
        }
        p = eol ? eol + 1 : NULL;
    }
    return FD_ENOTFOUND;
}

/* A time zone is a name glibc will really load: bday_check_zone's spelling
 * rules, then a regular file under the zoneinfo folder that starts with the
 * TZif magic. Without this "Asia" (a folder), "zone.tab" (a table) or
 * "posix" pass an access() test, and glibc silently runs on UTC: a Shanghai
 * branch's business day would turn over at noon. */
static int zone_ok(const char *tz, struct fd_err *err)
{
    char path[256], magic[4];
    struct stat sb;
    int fd, rc = bday_check_zone(tz, err);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        read(fd, magic, sizeof magic) != (ssize_t)sizeof magic ||
        memcmp(magic, "TZif", 4) != 0) {
        if (fd >= 0)
            close(fd);
        return fd_fail(err, FD_EINVAL, "timezone",
                       "%s is not a time zone (a zone is a name such as Asia/Shanghai,"
                       " not a region or a folder)", tz);
    }
    close(fd);
    return 0;
}

int cfg_check(const char *key, const char *value, struct fd_err *err)
{
    const struct cfg_rule *r = find_rule(key);
    if (!r)
        return fd_fail(err, FD_EINVAL, "key", "unknown setting %s", key);
    if (!value)
        return fd_fail(err, FD_EINVAL, key, "%s needs a value", key);
    switch (r->kind) {
    case CFG_INT: {
        char *end;
        long v = strtol(value, &end, 10);
        if (!*value || *end || v < r->min || v > r->max)
            return fd_fail(err, FD_EINVAL, key,
                           "%s must be a whole number from %ld to %ld", key,
                           r->min, r->max);
        return 0;
    }
    case CFG_TEXT:
        return val_text(value, key, (size_t)r->max, VAL_REQUIRED, err);
    case CFG_ZONE:
        return zone_ok(value, err);
    case CFG_LANG:
        if (strcmp(value, "zh") && strcmp(value, "en"))
            return fd_fail(err, FD_EINVAL, key, "%s must be zh or en", key);
        return 0;
    case CFG_HHMM: {
        int h, m;
        char tail;
        if (strlen(value) != 5 || sscanf(value, "%2d:%2d%c", &h, &m, &tail) != 2 ||
            !isdigit((unsigned char)value[0]) || h < 0 || h > 23 || m < 0 || m > 59)
            return fd_fail(err, FD_EINVAL, key, "%s must be a time HH:MM", key);
        return 0;
    }
    case CFG_PRINTER: {
        static const char *const schemes[] = {"usb://", "tcp://", "file:", "virtual:"};
        int rc = val_text(value, key, (size_t)r->max, VAL_REQUIRED, err);
        if (rc)
            return rc;
        if (!strcmp(value, "auto"))
            return 0;
        for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
            if (!strncmp(value, schemes[i], strlen(schemes[i])) &&
                value[strlen(schemes[i])])
                return 0;
        return fd_fail(err, FD_EINVAL, key,
                       "%s must be auto, usb://auto, usb://VID:PID, tcp://HOST:PORT,"
                       " file:PATH or virtual:PNG_PATH", key);
    }
    case CFG_PROFILE:
        if (strcmp(value, "58mm") && strcmp(value, "80mm") &&
            strcmp(value, "58mm-raster") && strcmp(value, "80mm-raster"))
            return fd_fail(err, FD_EINVAL, key,
                           "%s must be 58mm, 80mm, 58mm-raster or 80mm-raster", key);
        return 0;
    case CFG_LISTEN: { /* "" (off) or IPv4:PORT, for frontdesk-counter */
        int a[4], port, n = -1;
        if (!*value)
            return 0;
        if (sscanf(value, "%3d.%3d.%3d.%3d:%5d%n", &a[0], &a[1], &a[2], &a[3], &port, &n) != 5 ||
            n != (int)strlen(value) || !isdigit((unsigned char)value[0]) || port < 1 ||
            port > 65535 || a[0] > 255 || a[1] > 255 || a[2] > 255 || a[3] > 255 ||
            a[0] < 0 || a[1] < 0 || a[2] < 0 || a[3] < 0 || strchr(value, ' ') ||
            strchr(value, '+') || strchr(value, '-'))
            return fd_fail(err, FD_EINVAL, key,
                           "%s must be empty (off) or ADDR:PORT with an IPv4 address,"
                           " such as 0.0.0.0:8443", key);
        return 0;
    }
    case CFG_ORDER:
        if (strcmp(value, "zh,en") && strcmp(value, "en,zh") && strcmp(value, "zh") &&
            strcmp(value, "en"))
            return fd_fail(err, FD_EINVAL, key, "%s must be zh,en, en,zh, zh or en", key);
        return 0;
    }
    return fd_fail(err, FD_EINVAL, key, "%s has no rule", key);
}

int cfg_get(struct fd_store *st, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *s = NULL;
    int found = 0;
    if (!find_rule(key))
        return FD_ENOTFOUND;
    if (st && sqlite3_prepare_v2(store_db(st),
                                 "SELECT value FROM config WHERE key = ?", -1, &s,
                                 NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(s, 0);
            if (v && cfg_check(key, v, NULL) == 0) {
                snprintf(buf, len, "%s", v);
                found = 1;
            }
        }
    }
    sqlite3_finalize(s);
    if (found)
        return 0;
    return default_value(key, buf, len);
}

long cfg_get_int(struct fd_store *st, const char *key)
{
    char buf[32];
    const struct cfg_rule *r = find_rule(key);
    assert(r && r->kind == CFG_INT);
    if (!r || cfg_get(st, key, buf, sizeof buf) != 0)
        return 0;
    return strtol(buf, NULL, 10);
}

int cfg_is_device(const char *key)
{
    const struct cfg_rule *r = find_rule(key);
    return r ? r->device : -1;
}

int cfg_enrolled(struct fd_store *st)
{
    /* One rule of what enrolled means (retention.h); a store that cannot
     * say is taken as standalone here. */
    return retention_enrolled(st) == 1;
}

int cfg_set_by(struct fd_store *st, const char *key, const char *value,
               enum cfg_source src, struct fd_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = cfg_check(key, value, err);
    if (rc)
        return rc;
    /* Who owns a setting (README, "Who owns a setting"). */
    if (src == CFG_SRC_HQ && find_rule(key)->device)
        return fd_fail(err, FD_ESTATE, key,
                       "%s belongs to this device (its config file or frontdesk-ctl),"
                       " not to head office", key);
    if (src != CFG_SRC_HQ && !find_rule(key)->device && cfg_enrolled(st))
        return fd_fail(err, FD_ESTATE, key,
                       "%s is set by head office since this kiosk enrolled", key);
    if (sqlite3_prepare_v2(store_db(st),
                           "INSERT INTO config(key, value) VALUES (?, ?)"
                           " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           -1, &s, NULL) != SQLITE_OK)
        return fd_fail(err, FD_EDB, "", "%s", store_errmsg(st));
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : FD_EDB;
    if (rc)
        fd_fail(err, rc, "", "%s", store_errmsg(st));
    sqlite3_finalize(s);
    return rc;
}

int cfg_set(struct fd_store *st, const char *key, const char *value,
            struct fd_err *err)
{
    return cfg_set_by(st, key, value, CFG_SRC_OPERATOR, err);
}

uint64_t cfg_hash(struct fd_store *st, const char *const *keys)
{
    /* FNV-1a over "key=value\n" of the values in effect: cheap (a few
     * rows), and changes whenever any of them does. */
    uint64_t h = 1469598103934665603ULL;
    char v[512];
    for (int i = 0; keys[i]; i++) {
        if (cfg_get(st, keys[i], v, sizeof v) != 0)
            v[0] = '\0';
        for (const char *p = keys[i]; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ '=') * 1099511628211ULL;
        for (const char *p = v; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ '\n') * 1099511628211ULL;
    }
    return h;
}
