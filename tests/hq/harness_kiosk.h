/* harness_kiosk.h - a kiosk store for the head-office and sync tests that
 * talk to frontdesk-hq as a branch does: opened with the real schema, the
 * demo's day in it, enrolled; and one sync round. For tests that link core
 * and the sync client (harness.h holds what needs neither). */
#ifndef FD_TEST_HQ_HARNESS_KIOSK_H
#define FD_TEST_HQ_HARNESS_KIOSK_H
#include <stdio.h>

#include "check.h"
#include "demo.h"
#include "harness.h"
#include "store.h"
#include "sync.h"

/* The kiosk store `name` in the test's directory, with the demo's day
 * (from an hour before now), enrolled at url as a kiosk of branch (a token
 * from hqdb). NULL when the store does not open (a CHECK failed). */
static struct fd_store *h_kiosk_enrolled(const char *name, const char *url, const char *hqdb,
                                         const char *branch, int64_t now)
{
    char path[512], err[512], tok[128];
    struct fd_store *st = NULL;
    struct fd_err fe;
    h_path(path, sizeof path, name);
    CHECK(store_open(path, &st, err, sizeof err) == 0);
    if (!st)
        return NULL;
    CHECK(demo_load(st, now - 3600, &fe) == 0);
    CHECK(h_token(hqdb, branch, tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(store_db(st), url, tok, err, sizeof err), SYNC_OK);
    return st;
}

/* One sync round of st; its error on stderr. Returns sync_round's code. */
static int h_round(struct fd_store *st)
{
    struct sync_result res;
    char err[512];
    int rc = sync_round(store_db(st), 0, &res, err, sizeof err);
    if (rc)
        fprintf(stderr, "sync_round: %s\n", err);
    return rc;
}

#endif
