/* sync_health.c - collects the kiosk's health record and decides when head
 * office hears it (see sync_health.h). The record rides on a push: the
 * worker offers it for its thread's next push (sync.c reads it with
 * sync_health_pending and reports delivery), so no second request, key or
 * retry path exists for it. Text is cleaned here to what head office checks
 * (UTF-8 without control characters, within its caps), so a long curl
 * message never costs a refused health line. */
#include "sync_health.h"
#include "retention.h"
#include "sync.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#ifndef FD_APP_VERSION
#define FD_APP_VERSION "0.0.0"
#endif

static _Thread_local char *pending;           /* JSON offered for the next push */
static _Thread_local struct sync_health pending_h;
static _Thread_local int delivered;           /* a push carrying it got a 200 */

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Copies src into dst (cap bytes with the NUL) as valid UTF-8 without
 * control characters: a control becomes a space, a broken sequence '?', and
 * the text is cut at a character boundary. */
static void clean_text(char *dst, size_t cap, const char *src)
{
    const unsigned char *p = (const unsigned char *)(src ? src : "");
    size_t o = 0;
    while (*p) {
        unsigned c = *p;
        int more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 1 : (c & 0xf0) == 0xe0 ? 2
                 : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 3 : -1;
        int ok = more >= 0;
        for (int i = 1; ok && i <= more; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (!ok) {
            if (o + 1 >= cap)
                break;
            dst[o++] = '?';
            p++;
            continue;
        }
        if ((size_t)more + 1 + o >= cap)
            break;
        if (more == 0)
            dst[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
        else
            for (int i = 0; i <= more; i++)
                dst[o++] = (char)p[i];
        p += more + 1;
    }
    dst[o] = '\0';
}

/* Seconds this process has run: its start (clock ticks after boot, from
 * /proc/self/stat) against the boot clock. 0 when /proc cannot tell. */
static long long uptime_s(void)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n;
    const char *p;
    unsigned long long start = 0;
    struct timespec now;
    long tick = sysconf(_SC_CLK_TCK);
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (!(p = strrchr(buf, ')')) || tick <= 0)
        return 0;
    p++;
    for (int field = 3; field < 22 && p; field++) { /* fields 3..21, then starttime */
        p = strchr(p + 1, ' ');
    }
    if (!p || sscanf(p, " %llu", &start) != 1 || clock_gettime(CLOCK_BOOTTIME, &now) != 0)
        return 0;
    long long up = (long long)now.tv_sec - (long long)(start / (unsigned long long)tick);
    return up > 0 ? up : 0;
}

/* Free megabytes in the folder of path (".": path has no folder). */
static long long disk_free_mb(const char *path)
{
    char dir[512];
    struct statvfs v;
    snprintf(dir, sizeof dir, "%s", path ? path : ".");
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (statvfs(dir, &v) != 0)
        return 0;
    return (long long)((unsigned long long)v.f_bavail * v.f_frsize / (1024ull * 1024ull));
}

int sync_health_collect(sqlite3 *db, const char *db_path, sync_printer_fn fn, void *ctx,
                        struct sync_health *out)
{
    sqlite3_stmt *st = NULL;
    int bad = 0;
    memset(out, 0, sizeof *out);
    clean_text(out->app_version, sizeof out->app_version, FD_APP_VERSION);
    if (fn) {
        struct sync_printer p;
        memset(&p, 0, sizeof p);
        fn(ctx, &p);
        out->printer = p;
        clean_text(out->printer.message, sizeof out->printer.message, p.message);
    } else {
        snprintf(out->printer.message, sizeof out->printer.message, "no printer worker");
    }
    out->print_failed = out->printer.jobs_failed > 0 ? out->printer.jobs_failed : 0;
    int64_t backlog = 0; /* exact up to 10,000 rows, then an upper bound: never a scan */
    if (retention_outbox_backlog(db, &backlog, NULL) != 0)
        bad = 1;
    out->backlog = backlog;
    if (sqlite3_prepare_v2(db, "SELECT last_error FROM sync_state WHERE id = 1", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        clean_text(out->last_error, sizeof out->last_error,
                   (const char *)sqlite3_column_text(st, 0));
    else
        bad = 1;
    sqlite3_finalize(st);
    out->uptime_s = uptime_s();
    out->disk_free_mb = disk_free_mb(db_path);
    return bad ? -1 : 0;
}

int sync_health_changed(const struct sync_health *a, const struct sync_health *b)
{
    return strcmp(a->app_version, b->app_version) != 0 || a->printer.known != b->printer.known ||
           a->printer.online != b->printer.online || a->printer.paper_out != b->printer.paper_out ||
           a->printer.paper_near_end != b->printer.paper_near_end ||
           a->printer.cover_open != b->printer.cover_open ||
           a->print_failed != b->print_failed || strcmp(a->last_error, b->last_error) != 0;
}

char *sync_health_json(const struct sync_health *h)
{
    cJSON *o = cJSON_CreateObject(), *p;
    char *txt = NULL, *out = NULL;
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "app_version", h->app_version);
    p = cJSON_AddObjectToObject(o, "printer");
    cJSON_AddBoolToObject(p, "known", h->printer.known);
    cJSON_AddBoolToObject(p, "online", h->printer.online);
    cJSON_AddBoolToObject(p, "paper_out", h->printer.paper_out);
    cJSON_AddBoolToObject(p, "paper_near_end", h->printer.paper_near_end);
    cJSON_AddBoolToObject(p, "cover_open", h->printer.cover_open);
    cJSON_AddStringToObject(p, "message", h->printer.message);
    cJSON_AddNumberToObject(o, "print_failed", (double)h->print_failed);
    cJSON_AddNumberToObject(o, "backlog", (double)h->backlog);
    cJSON_AddStringToObject(o, "last_error", h->last_error);
    cJSON_AddNumberToObject(o, "uptime_s", (double)h->uptime_s);
    cJSON_AddNumberToObject(o, "disk_free_mb", (double)h->disk_free_mb);
    txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (txt) {
        out = strdup(txt);
        cJSON_free(txt);
    }
    return out;
}

void sync_health_offer(const char *json)
{
    free(pending);
    pending = json ? strdup(json) : NULL;
    delivered = 0;
}

const char *sync_health_pending(void)
{
    return pending;
}

void sync_health_delivered(void)
{
    if (pending)
        delivered = 1;
}

void sync_health_before_round(struct sync_health_state *hs, sqlite3 *db, const char *db_path,
                              sync_printer_fn fn, void *ctx)
{
    struct sync_health cur;
    char *json;
    sync_health_collect(db, db_path, fn, ctx, &cur);
    if (hs->sent && !sync_health_changed(&hs->last, &cur) &&
        mono_s() - hs->sent_at < SYNC_HEALTH_EVERY) {
        sync_health_offer(NULL);
        return;
    }
    if (!(json = sync_health_json(&cur)))
        return;
    sync_health_offer(json);
    free(json);
    pending_h = cur;
}

void sync_health_after_round(struct sync_health_state *hs)
{
    if (pending && delivered) {
        hs->last = pending_h;
        hs->sent = 1;
        hs->sent_at = mono_s();
    }
    sync_health_offer(NULL);
}

int sync_health_round(struct sync_health_state *hs, sqlite3 *db, const char *db_path,
                      sync_printer_fn fn, void *ctx, struct sync_result *res, char *err,
                      size_t errlen)
{
    sync_health_before_round(hs, db, db_path, fn, ctx);
    int rc = sync_round(db, 0, res, err, errlen);
    sync_health_after_round(hs);
    return rc;
}
