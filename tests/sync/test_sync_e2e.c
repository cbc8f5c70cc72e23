/* test_sync_e2e.c - a kiosk and head office over loopback, real HTTP: enrol,
 * take tickets / register visitors / file complaints, sync, and check head
 * office holds exactly the kiosk's history; advance a complaint at head office
 * and see its status (and an 'hq' complaint_event) at the kiosk; config goes
 * down; the kiosk's echo of the status changes nothing at head office. */
#include "check.h"
#include "harness.h"
#include "hq_complaint.h"
#include "sync.h"

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

    h_mkdir("e2e");
    h_path(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    k = h_kiosk_create(kdb);
    CHECK(k != NULL);
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

    /* Smallest slice: one visitor's records, one batch, acknowledged. */
    CHECK(h_activity(k, 1, 1) == 0);
    long long made = h_int(k, "SELECT count(*) FROM outbox");
    CHECK(made >= 5);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.batches, 1);
    CHECK_INT(res.pushed, made);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(h_compare(k, hqdb, &rows) == 0);
    CHECK_INT(rows, made);

    /* A busier stretch: several batches. */
    CHECK(h_activity(k, 300, 2) == 0);
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
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled, 3); /* two complaint changes + this branch's config */
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
    /* The cursor was stored: a second pull brings nothing new. */
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(res.pulled, 0);
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
    {
        sqlite3 *h = NULL;
        sqlite3_open(hqdb, &h);
        CHECK(h_exec(h, "DELETE FROM record WHERE seq = (SELECT max(seq) / 2 FROM record)") == 0);
        sqlite3_close(h);
        CHECK(h_compare(k, hqdb, &rows) != 0);
    }

    hq_store_close(hs);
    sqlite3_close(k);
    CHECK(WIFSIGNALED(h_server_stop(&srv, 0)) == 0);
    h_rmdir();
    return check_summary();
}
