/* test_sync_e2e.c - a kiosk and head office over loopback, real HTTP: enrol,
 * take tickets / register visitors / file complaints, sync, and check head
 * office holds exactly the kiosk's history; advance a complaint at head office
 * and see its status (and an 'hq' complaint_event) at the kiosk; config goes
 * down; the kiosk's echo of the status changes nothing at head office. */
#include "bday.h"
#include "check.h"
#include "complaint.h"
#include "config.h"
#include "demo.h"
#include "harness.h"
#include "hq_complaint.h"
#include "journal.h"
#include "queue.h"
#include "rating.h"
#include "store.h"
#include "sync.h"
#include "visitor.h"

/* A kiosk day through core, as the screens would do it: n visitors take
 * tickets and are served; every third registers a visit, every fifth rates,
 * every seventh files a complaint. Returns 0 or the first core error. */
static int core_day(struct fd_store *st, int n, int64_t now)
{
    /* The stretch stays inside one business day: a ticket taken just before
     * the day turns is yesterday's, and today's counter finds nobody waiting
     * (a run between 23:00 and 05:00 UTC met that turn). */
    now = bday_fit(now, (int64_t)n * 90 + 200, (int)cfg_get_int(st, "day_turnover_hour"));
    static const char *const codes[] = {"A", "B", "C", "V"};
    struct fd_err e;
    struct queue_ticket t;
    int rc;
    for (int c = 1; c <= 4; c++) /* whatever the demo left at the counters */
        queue_finish(st, c, "staff", now, &t, &e);
    for (int i = 0; i < n; i++) {
        int64_t at = now + i * 90;
        int counter = codes[i % 4][0] == 'V' ? 4 : codes[i % 4][0] == 'C' ? 2 : 1;
        if ((rc = queue_take(st, codes[i % 4], 0, at, &t, &e)) != 0 ||
            (rc = queue_call_next(st, counter, "staff", at + 30, &t, &e)) != 0 ||
            (rc = queue_serve(st, counter, "staff", at + 40, &t, &e)) != 0 ||
            (rc = queue_finish(st, counter, "staff", at + 80, &t, &e)) != 0)
            goto fail;
        if (i % 3 == 0) {
            char name[32];
            struct visitor v;
            struct visitor_in in = {name, "13800138000", "ACME \"Ltd\"", 0, "李娜", "会议"};
            snprintf(name, sizeof name, "访客%d", i);
            if ((rc = visitor_sign_in(st, &in, at, &v, &e)) != 0)
                goto fail;
        }
        if (i % 5 == 0) {
            int64_t id;
            int offer;
            if ((rc = rating_add(st, t.id, 1 + i % 4, 2, 1, "谢谢", at + 90, &id, &offer,
                                 &e)) != 0)
                goto fail;
        }
        if (i % 7 == 0) {
            struct complaint_in in = {complaint_category(0), "等了太久", "张三", "13900139000",
                                      1, t.id};
            if ((rc = complaint_file(st, &in, at + 100, NULL, &e)) != 0)
                goto fail;
        }
    }
    return 0;
fail:
    fprintf(stderr, "core: %s\n", e.msg);
    return rc;
}

static int first_complaint(void *ctx, const struct hq_complaint *c)
{
    *(long long *)ctx = c->id;
    return 0;
}

struct state_ctx {
    char state[32];
    char department[64];
};

static int get_state(void *ctx, const struct hq_complaint *c)
{
    struct state_ctx *s = ctx;
    snprintf(s->state, sizeof s->state, "%s", c->state);
    snprintf(s->department, sizeof s->department, "%s", c->department ? c->department : "");
    return 0;
}

int main(void)
{
    struct h_server srv;
    struct sync_result res;
    struct sync_status st;
    sqlite3 *k;
    char hqdb[512], kdb[512], url[128], tok[128], err[512];
    long long rows = 0;

    struct fd_store *fst = NULL;
    struct fd_err fe;
    int64_t now = time(NULL);

    h_mkdir("e2e");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    /* The kiosk store as the kiosk opens it (all migrations), plus the
     * test's history copy, then the demo branch loaded through core. */
    CHECK(store_open(kdb, &fst, err, sizeof err) == 0);
    k = fst ? store_db(fst) : NULL;
    CHECK(k != NULL && h_history(k) == 0);
    CHECK(demo_load(fst, now - 3600, &fe) == 0);
    CHECK(h_server_start(&srv, hqdb, 0, NULL, NULL, NULL) == 0);
    h_url(&srv, url, sizeof url);

    /* Not enrolled yet: sync says so and sends nothing. */
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_E_NOT_ENROLLED);

    /* A wrong token is refused; the right one enrols. */
    CHECK_INT(sync_enroll(k, url, "not-a-token", err, sizeof err), SYNC_E_REFUSED);
    CHECK(strstr(err, "bad_token") != NULL);
    CHECK(h_token(hqdb, "Main Street", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_OK);
    /* A token works once. */
    CHECK_INT(sync_enroll(k, url, tok, err, sizeof err), SYNC_E_REFUSED);
    CHECK(sync_status_get(k, &st) == 0);
    CHECK(st.enrolled);
    CHECK_STR(st.branch, "Main Street");
    /* The device key is sealed at rest; on another machine it will not open. */
    CHECK_INT(h_int(k, "SELECT secret_key LIKE 's1:%' FROM sync_state"), 1);
#ifdef FD_TEST_HOOKS /* another machine id: FD_MACHINE_ID_FILE, a test hook */
    {
        char other[600];
        FILE *f;
        h_path(other, sizeof other, "other-machine-id");
        f = fopen(other, "w");
        fputs("0123456789abcdef0123456789abcdef\n", f);
        fclose(f);
        setenv("FD_MACHINE_ID_FILE", other, 1);
        CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_E_NOT_ENROLLED);
        CHECK(strstr(err, "another machine") != NULL);
        unsetenv("FD_MACHINE_ID_FILE");
    }
#endif

    /* Smallest slice: the demo's records, one batch, acknowledged. */
    long long made = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(made >= 10);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.batches, 1);
    CHECK_INT(res.pushed, made);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);
    CHECK_INT(rows, made);

    /* A busier stretch through core: several batches. */
    CHECK(core_day(fst, 200, now - 3000) == 0);
    made = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(made > SYNC_BATCH_ROWS * 2);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK(res.batches >= 3);
    CHECK_INT(res.pushed, made);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);
    CHECK_INT(rows, h_int(k, "SELECT count(*) FROM outbox_history"));
    CHECK(sync_status_get(k, &st) == 0);
    CHECK_INT(st.backlog, 0);
    CHECK(st.last_success > 0);
    CHECK_STR(st.last_error, "");

    /* Head office advances the first complaint; config goes down too. */
    struct hq_store *hs = NULL;
    long long cid = 0;
    CHECK(hq_store_open(hqdb, &hs, err, sizeof err) == HQ_OK);
    CHECK(hs && hs->ops->complaint_list(hs, "received", NULL, 1000, first_complaint, &cid) ==
                    HQ_OK);
    CHECK(cid > 0);
    struct hq_advance a1 = {"assessed", "ordinary", 1, NULL, NULL, NULL, NULL, "hq:li", "ok"};
    struct hq_advance a2 = {"investigating", NULL, -1, "Operations", NULL, NULL, NULL, "hq:li",
                            NULL};
    struct hq_advance bad = {"closed", NULL, -1, NULL, NULL, NULL, NULL, "hq:li", NULL};
    CHECK_INT(hq_complaint_advance(hs, cid, &a1, time(NULL), err, sizeof err), HQ_OK);
    CHECK_INT(hq_complaint_advance(hs, cid, &bad, time(NULL), err, sizeof err), HQ_E_INVALID);
    CHECK_INT(hq_complaint_advance(hs, cid, &a2, time(NULL), err, sizeof err), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Main Street", "branch_name", "\"Main Street 1\"",
                                  time(NULL)),
              HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, "Other", "branch_name", "\"Other branch\"", time(NULL)),
              HQ_OK);
    /* Head office's word on telling each visitor's host (issue 14: kind
     * "notice", one per visit, whenever its sender gets to it) comes down
     * too: counted apart, by the rows it makes. */
    long long notices = h_int(k, "SELECT count(*) FROM visitor_notice");
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    notices = h_int(k, "SELECT count(*) FROM visitor_notice") - notices;
    CHECK_INT(res.pulled - notices, 3); /* two complaint changes + this branch's config */
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0); /* the echo went up too */
    {
        sqlite3_stmt *q = NULL;
        /* Which kiosk complaint is cid? The hq row carries its ref. */
        struct state_ctx sc;
        CHECK(hs->ops->complaint_get(hs, cid, get_state, &sc) == HQ_OK);
        CHECK_STR(sc.state, "investigating");
        sqlite3_prepare_v2(k, "SELECT state, department, severity, valid FROM complaint"
                              " WHERE state <> 'received'", -1, &q, NULL);
        CHECK(sqlite3_step(q) == SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(q, 0), "investigating");
        CHECK_STR((const char *)sqlite3_column_text(q, 1), "Operations");
        CHECK_STR((const char *)sqlite3_column_text(q, 2), "ordinary");
        CHECK_INT(sqlite3_column_int(q, 3), 1);
        CHECK(sqlite3_step(q) == SQLITE_DONE); /* only that one moved */
        sqlite3_finalize(q);
    }
    CHECK_INT(h_int(k, "SELECT count(*) FROM complaint_event WHERE actor = 'hq'"), 2);
    CHECK_INT(h_int(k, "SELECT count(*) FROM config WHERE key = 'branch_name'"
                       " AND value = 'Main Street 1'"),
              1);
    /* Config core refuses is skipped, not applied, and does not block. */
    CHECK_INT(hs->ops->config_set(hs, NULL, "recall_limit", "\"many\"", time(NULL)), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, NULL, "no_such_key", "\"x\"", time(NULL)), HQ_OK);
    CHECK_INT(hs->ops->config_set(hs, NULL, "closing_time", "\"21:30\"", time(NULL)), HQ_OK);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT count(*) FROM config WHERE key IN ('recall_limit', 'no_such_key')"),
              0);
    CHECK_INT(h_int(k, "SELECT count(*) FROM config WHERE key = 'closing_time'"
                       " AND value = '21:30'"), 1);
    /* The cursor was stored: a second pull brings nothing new. */
    notices = h_int(k, "SELECT count(*) FROM visitor_notice");
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    notices = h_int(k, "SELECT count(*) FROM visitor_notice") - notices;
    CHECK_INT(res.pulled - notices, 0);
    /* The echo (complaint_upd rows) went up and changed nothing at head office. */
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    {
        struct state_ctx sc;
        CHECK(hs->ops->complaint_get(hs, cid, get_state, &sc) == HQ_OK);
        CHECK_STR(sc.state, "investigating");
        CHECK_STR(sc.department, "Operations");
    }
    CHECK(h_compare(k, hqdb, &rows) == 0);
    CHECK_INT(rows, h_int(k, "SELECT count(*) FROM outbox_history"));

    /* stats --json names the branch and its records. */
    {
        char args[700], line[256];
        snprintf(args, sizeof args, "--db '%s' stats --json", hqdb);
        CHECK_INT(h_hq_cmd(args, line, sizeof line), 0);
    }

    /* The comparison itself can fail: lose one record at head office. */
    if (h_hq_is_sqlite(hqdb)) {
        sqlite3 *h = NULL;
        sqlite3_open(hqdb, &h);
        sqlite3_busy_timeout(h, 30000); /* serve's notification sender writes too */
        CHECK(h_exec(h, "DELETE FROM record WHERE seq = (SELECT max(seq) / 2 FROM record)") == 0);
        sqlite3_close(h);
        CHECK(h_compare(k, hqdb, &rows) != 0);
    }

    /* A row lost from the kiosk's outbox (which only a bad restore could
     * do): head office keeps what is contiguous; the row is gone from both
     * ends, so the kiosk records the loss (a sync_gap audit, which reaches
     * head office) and goes on in a new epoch instead of stopping for good
     * (issue 16; PROTOCOL.md, Head office restored from a backup). */
    CHECK(h_activity(k, 100, 9) == 0);
    CHECK(h_exec(k, "DELETE FROM outbox WHERE seq = (SELECT min(seq) + 10 FROM outbox)") == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT count(*) FROM audit WHERE action = 'sync_gap'"), 1);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(sync_status_get(k, &st) == 0);
    CHECK_STR(st.last_error, "");

    hq_store_close(hs);
    store_close(fst);
    CHECK(WIFSIGNALED(h_server_stop(&srv, 0)) == 0);
    h_rmdir();
    return check_summary();
}
