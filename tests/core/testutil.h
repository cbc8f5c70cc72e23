/* testutil.h - fresh temporary stores for the core tests. */
#ifndef FD_TESTUTIL_H
#define FD_TESTUTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bday.h"
#include "config.h"
#include "queue.h"
#include "store.h"

/* A new temporary directory for this test (removed by tu_cleanup). */
static char tu_dir[64];

static void tu_cleanup(void)
{
    char cmd[128];
    if (tu_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", tu_dir);
    }
}

static const char *tu_path(const char *name)
{
    static char buf[32][128]; /* rotating: enough for every path of one test */
    static int next;
    if (!tu_dir[0]) {
        snprintf(tu_dir, sizeof tu_dir, "/tmp/fdtest.XXXXXX");
        if (!mkdtemp(tu_dir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(tu_cleanup);
    }
    next = (next + 1) % 32;
    snprintf(buf[next], sizeof buf[next], "%s/%s", tu_dir, name);
    return buf[next];
}

/* Opens a fresh store named `name`, in UTC with turnover at 04:00. */
static struct fd_store *tu_open(const char *name)
{
    struct fd_store *st = NULL;
    char err[300];
    const char *p = tu_path(name);
    unlink(p);
    if (store_open(p, &st, err, sizeof err)) {
        fprintf(stderr, "store_open %s: %s\n", p, err);
        exit(2);
    }
    cfg_set(st, "timezone", "UTC", NULL);
    bday_set_zone("UTC", NULL);
    return st;
}

/* Adds services A, B, C (all day) and counters 1 (A,B), 2 (B,C), 3 (C,A). */
__attribute__((unused)) static void tu_branch(struct fd_store *st)
{
    static const char *const codes[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        struct queue_service v = {.active = 1, .open_min = 0, .close_min = 1440};
        snprintf(v.code, sizeof v.code, "%s", codes[i]);
        snprintf(v.name_zh, sizeof v.name_zh, "服务%s", codes[i]);
        snprintf(v.name_en, sizeof v.name_en, "Service %s", codes[i]);
        if (queue_service_add(st, &v, NULL))
            exit(2);
    }
    if (queue_counter_add(st, 1, "一号", "A,B", NULL) ||
        queue_counter_add(st, 2, "二号", "B,C", NULL) ||
        queue_counter_add(st, 3, "三号", "C,A", NULL))
        exit(2);
}

/* One integer from an SQL query on the store (-1 on error). */
__attribute__((unused)) static long long tu_int(struct fd_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* 2026-11-23 10:00 UTC: a Monday morning. */
#define TU_NOW 1795428000LL

#endif
