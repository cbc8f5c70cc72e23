/* test_sync_faults.c - sync under faults, each ending with an exact comparison
 * of the kiosk's history against head office (none missing, none twice):
 * the answer lost after head office committed (server fault hook), head
 * office killed with SIGKILL mid-apply, the kiosk killed with SIGKILL before
 * sending and after head office committed, head office down (a "week") then
 * back, the kiosk's clock a day off, a month offline catching up, and a loop
 * of random faults (FD_FAULT_LOOPS, default 25) whose count is printed. */ 
#include "check.h"
#include "harness.h"
#include "sync.h"

static struct h_server srv;
static char hqdb[512], kdb[512];
static long long faults; /* faults injected, all kinds */

/* Points the kiosk at the running server (a restart may get a new port). */
static void aim(sqlite3 *k)
{
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE sync_state SET hq_url = 'http://127.0.0.1:%d'", srv.port);
    h_exec(k, sql);
}

static void restart(sqlite3 *k, const char *fault, int hard)
{
    h_server_stop(&srv, hard);
    CHECK(h_server_start(&srv, hqdb, 0, fault, NULL, NULL) == 0);
    aim(k);
}

/* Syncs until the outbox is empty and a round succeeds (bounded). */
static int drain(sqlite3 *k)
{
    struct sync_result res;
    char err[512];
    for (int i = 0; i < 50; i++) {
        if (sync_round(k, 0, &res, err, sizeof err) == SYNC_OK &&
            h_int(k, "SELECT count(*) FROM outbox") == 0)
            return 0;
    }
    fprintf(stderr, "drain: %s\n", err);
    return -1;
}

/* Kiosk-side hooks: kill this (child) process, or lose the answer, at the nth batch. */
struct hook_ctx {
    int mode;                 /* 1 kill before send, 2 kill after answer, 3 lose answer */
    int at;                   /* which batch (1-based) */
    int n;
};

static int before_send(void *ctx, long long first, long long last)
{
    struct hook_ctx *h = ctx;
    (void)first;
    (void)last;
    h->n++;
    if (h->mode == 1 && h->n == h->at)
        raise(SIGKILL);
    return 0;
}

static int after_answer(void *ctx, long long status)
{
    struct hook_ctx *h = ctx;
    if (h->n != h->at || status != 200)
        return 0;
    if (h->mode == 2)
        raise(SIGKILL);
    return h->mode == 3;
}

/* Runs a sync in a child process that dies by SIGKILL at the chosen point. */
static int kiosk_killed(int mode, int at)
{
    pid_t pid = fork();
    int st = 0;
    if (pid == 0) {
        struct hook_ctx h = {mode, at, 0};
        struct sync_hooks hk = {before_send, after_answer, &h};
        struct sync_result res;
        char err[256];
        sqlite3 *c = h_kiosk_open(kdb);
        sync_set_hooks(&hk);
        sync_round(c, 0, &res, err, sizeof err);
        _exit(0); /* the batch count was too small to reach the kill */
    }
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

int main(void)
{
    struct sync_result res;
    struct sync_status ss;
    char err[512], url[128], tok[128];
    long long rows;
    sqlite3 *k;
#ifdef __SANITIZE_ADDRESS__
    int loops = getenv("FD_FAULT_LOOPS") ? atoi(getenv("FD_FAULT_LOOPS")) : 10; /* 5x slower */
#else
    int loops = getenv("FD_FAULT_LOOPS") ? atoi(getenv("FD_FAULT_LOOPS")) : 25;
#endif

    h_mkdir("faults");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    k = h_kiosk_create(kdb);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);
    CHECK(h_token(hqdb, "Faults", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);

    /* 1. The answer is lost after head office committed (every 2nd push). */
    restart(k, "drop_after_commit:2", 0);
    CHECK(h_activity(k, 250, 1) == 0);
    {
        /* Either the round stops there (no answer), or libcurl sent the
         * request again on a fresh connection, head office called it a replay
         * and the kiosk signed again: both are right; the history decides. */
        int rc = sync_round(k, 0, &res, err, sizeof err);
        CHECK_MSG(rc == SYNC_E_NET || rc == SYNC_OK, "rc %d: %s", rc, err);
    }
    faults++;
    CHECK(drain(k) == 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);

    /* 2. Head office killed (SIGKILL) between apply and commit of the 2nd push. */
    restart(k, "kill_in_apply:2", 0);
    CHECK(h_activity(k, 250, 2) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_E_NET);
    {
        int st = 0;
        waitpid(srv.pid, &st, 0);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        srv.pid = 0;
        faults++;
    }
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    aim(k);
    CHECK(drain(k) == 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);

    /* 3. The kiosk killed before sending its 2nd batch, and after head office
     *    committed its 2nd batch but before it deleted the rows. */
    CHECK(h_activity(k, 250, 3) == 0);
    CHECK(kiosk_killed(1, 2));
    CHECK(h_activity(k, 250, 4) == 0);
    CHECK(kiosk_killed(2, 2));
    faults += 2;
    CHECK(drain(k) == 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);

    /* 4. Head office down for a "week": the kiosk keeps working and says so. */
    h_server_stop(&srv, 0);
    for (int day = 0; day < 7; day++) {
        CHECK(h_activity(k, 40, 10 + day) == 0);
        CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_E_NET);
    }
    faults++;
    CHECK(sync_status_get(k, &ss) == 0);
    CHECK(ss.backlog > 500);
    CHECK_INT(ss.failures, 7);
    CHECK(strstr(ss.last_error, "unreachable") != NULL);
    CHECK(sync_backoff(ss.failures, 1, 300, 0) <= 128.0);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    aim(k);
    CHECK(drain(k) == 0);
    CHECK(sync_status_get(k, &ss) == 0);
    CHECK_INT(ss.backlog, 0);
    CHECK_INT(ss.failures, 0);
    CHECK_STR(ss.last_error, "");
    CHECK(h_compare(k, hqdb, &rows) == 0);

    /* 4b. A head office that takes fewer records per push (413): the kiosk
     *     halves its batches until they fit. */
    restart(k, "batch_max:60", 0);
    CHECK(h_activity(k, 150, 30) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK(res.batches >= 10);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);
    restart(k, NULL, 0);

    /* 5. The kiosk's clock a day behind: corrected from head office's answer. */
    h_exec(k, "UPDATE sync_state SET clock_offset = -86400");
    CHECK(h_activity(k, 5, 20) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK(llabs(h_int(k, "SELECT clock_offset FROM sync_state")) < 60);
    faults++;
    CHECK(h_compare(k, hqdb, &rows) == 0);

    /* 6. A month offline at a modest branch (~20,000 rows) catches up. */
    for (int day = 0; day < 30; day++)
        CHECK(h_activity(k, 160, 100 + day) == 0);
    long long backlog = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(backlog > 15000);
    {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CHECK(drain(k) == 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("month offline: %lld rows caught up in %.2f s\n", backlog,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    CHECK(h_compare(k, hqdb, &rows) == 0);
    CHECK_INT(rows, h_int(k, "SELECT count(*) FROM outbox_history"));

    /* 7. Random faults in a loop; the history must match after every one. */
    srand(12345);
    printf("random faults: seed 12345\n");
    int bad = 0;
    for (int i = 0; i < loops; i++) {
        int kind = rand() % 5;
        CHECK(h_activity(k, 1 + rand() % 60, 200 + i) == 0);
        switch (kind) {
        case 0:
            restart(k, "drop_after_commit:1", 0);
            sync_round(k, 1, &res, err, sizeof err);
            restart(k, NULL, 0);
            break;
        case 1: {
            char f[64];
            snprintf(f, sizeof f, "kill_in_apply:%d", 1 + rand() % 2);
            restart(k, f, 0);
            sync_round(k, 0, &res, err, sizeof err);
            restart(k, NULL, 1);
            break;
        }
        case 2:
            kiosk_killed(1 + rand() % 2, 1 + rand() % 2);
            break;
        case 3: { /* the kiosk loses the answer, resends */
            struct hook_ctx h = {3, 1, 0};
            struct sync_hooks hk = {before_send, after_answer, &h};
            sync_set_hooks(&hk);
            sync_round(k, 1, &res, err, sizeof err);
            sync_set_hooks(NULL);
            break;
        }
        default: /* head office down a while */
            h_server_stop(&srv, rand() % 2);
            sync_round(k, 0, &res, err, sizeof err);
            restart(k, NULL, 0);
            break;
        }
        faults++;
        if (drain(k) != 0 || h_compare(k, hqdb, NULL) != 0) {
            bad++;
            fprintf(stderr, "fault loop %d (kind %d) broke the history\n", i, kind);
        }
    }
    CHECK_INT(bad, 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);
    printf("faults injected: %lld, history rows compared: %lld, head office on %s\n", faults,
           rows, h_hq_is_sqlite(hqdb) ? "SQLite" : "PostgreSQL");

    sqlite3_close(k);
    h_server_stop(&srv, 0);
    h_rmdir();
    return check_summary();
}
