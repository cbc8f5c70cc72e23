/* test_sync_worker.c - the sync thread: started on the kiosk store, it sends
 * what is waiting without being asked, sends new rows when woken (the
 * interval is an hour, so only the wake can explain it), tells the UI through
 * on_change, backs off when head office is gone and retries after the backoff
 * although the wall clock was stepped forward a day meanwhile (its waits are
 * monotonic: fakeclock.h), and stops promptly. */
#include "check.h"
#include "fakeclock.h"
#include "harness.h"
#include "sync.h"
#include "sync_worker.h"

#include <stdatomic.h>

static atomic_int changes;

static void on_change(void *ctx)
{
    (void)ctx;
    changes++;
}

/* Waits (bounded, 20 s) until the outbox is empty. */
static int wait_empty(sqlite3 *k)
{
    for (int i = 0; i < 2000; i++) {
        if (h_int(k, "SELECT count(*) FROM outbox") == 0)
            return 0;
        usleep(10000);
    }
    return -1;
}

int main(void)
{
    struct h_server srv;
    struct sync_worker *w = NULL;
    char hqdb[512], kdb[512], url[128], tok[128], err[256];
    sqlite3 *k;

    h_mkdir("worker");
    h_path(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    k = h_kiosk_create(kdb);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    CHECK(h_token(hqdb, "Worker", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 50, 1) == 0);

    struct sync_worker_opts o = {.db_path = kdb, .interval = 3600, .on_change = on_change};
    CHECK(sync_worker_start(&o, &w) == 0);
    CHECK(wait_empty(k) == 0); /* the first round runs at start */
    for (int i = 0; i < 2000 && changes < 1; i++) /* told after the round ends */
        usleep(10000);
    CHECK(changes >= 1);
    CHECK(h_activity(k, 50, 2) == 0);
    sync_worker_wake(w);
    CHECK(wait_empty(k) == 0);
    CHECK(h_compare(k, hqdb, NULL) == 0);

    /* Head office gone: the worker records the failure and keeps the rows.
     * Meanwhile the wall clock is stepped a day ahead (as when an RTC-less box
     * sets its clock at boot): a deadline taken on CLOCK_REALTIME would now
     * be a day away, so the retry after the backoff (at most 2 s) proves the
     * naps are monotonic. 60 s below is only a bound. */
    h_server_stop(&srv, 0);
    CHECK(h_activity(k, 5, 3) == 0);
    atomic_store(&fake_clock_step, 86400);
    sync_worker_wake(w);
    struct sync_status st = {0};
    for (int i = 0; i < 2000 && st.failures == 0; i++) {
        usleep(10000);
        sync_status_get(k, &st);
    }
    CHECK(st.failures >= 1);
    CHECK(st.backlog > 0);
    int first = st.failures;
    for (int i = 0; i < 6000 && st.failures <= first; i++) {
        usleep(10000);
        sync_status_get(k, &st);
    }
    CHECK_MSG(st.failures > first, "no retry after the backoff (failures stay %d)", first);
    atomic_store(&fake_clock_step, 0);
    sync_worker_stop(w); /* returns although a backoff sleep is pending */

    sqlite3_close(k);
    h_rmdir();
    return check_summary();
}
