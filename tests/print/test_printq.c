/* test_printq.c - the print job queue end to end: store (fdcore, with
 * migration 0002) -> worker thread -> libusb -> emulated printer (fakeprn,
 * under umockdev-wrapper). Each scenario checks the job's final state and
 * the bytes that reached the "paper": normal print, paper end and cover open
 * before a job (nothing sent, job waits, prints once when fixed), a printer
 * that never answers status, an unplug in the middle of a job (job pending,
 * printed once after replug), a printer plugged in after start (rescan), a
 * job left 'printing' by a crash (not resent), cancel and reprint.
 * Waits are bounded (10 s) and event-driven, never sleeps that must be
 * long enough. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "escpos.h"
#include "fakeprn.h"
#include "printq.h"
#include "receipt.h"
#include "receipt_fixtures.h"
#include "store.h"

static struct fakeprn *prn;
static struct printq *q;
static sqlite3 *db;
static char dbpath[256];
static int notified;

static void on_notify(void *user)
{
    (void)user;
    __atomic_add_fetch(&notified, 1, __ATOMIC_SEQ_CST);
}

static const struct printq_config cfg = {
    .db_path = dbpath, .printer_uri = "usb://auto", .rescan_ms = 50, .poll_ms = 100,
    .io_timeout_ms = 300, .max_attempts = 3, .notify = on_notify,
};

static void start(void)
{
    char err[256];
    CHECK_MSG(printq_start(&cfg, &q, err, sizeof err) == 0, "%s", err);
}

static void job_row(int64_t id, char *state, size_t len, int *attempts, char *error, size_t elen)
{
    sqlite3_stmt *s;
    state[0] = 0;
    if (error)
        error[0] = 0;
    sqlite3_prepare_v2(db, "SELECT state, attempts, coalesce(last_error, '') FROM print_job "
                           "WHERE id = ?", -1, &s, NULL);
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(state, len, "%s", sqlite3_column_text(s, 0));
        if (attempts)
            *attempts = sqlite3_column_int(s, 1);
        if (error)
            snprintf(error, elen, "%s", sqlite3_column_text(s, 2));
    }
    sqlite3_finalize(s);
}

/* Waits (bounded) until job id is in `want`; returns 1 when it is. */
static int wait_state(int64_t id, const char *want)
{
    char st[32];
    time_t end = time(NULL) + 10;
    struct printq_state ps;
    while (time(NULL) < end) {
        job_row(id, st, sizeof st, NULL, NULL, 0);
        if (strcmp(st, want) == 0)
            return 1;
        printq_get_state(q, &ps);
        printq_wait(q, ps.seq, 200);
    }
    fprintf(stderr, "job %lld: state %s, wanted %s\n", (long long)id, st, want);
    return 0;
}

/* Waits (bounded) until the queue's message contains `text`. */
static int wait_message(const char *text)
{
    time_t end = time(NULL) + 10;
    struct printq_state ps;
    while (time(NULL) < end) {
        printq_get_state(q, &ps);
        if (strstr(ps.message, text))
            return 1;
        printq_wait(q, ps.seq, 200);
    }
    fprintf(stderr, "queue message \"%s\", wanted \"%s\"\n", ps.message, text);
    return 0;
}

/* How many times `job` appears in what reached the paper. */
static int printed_times(const uint8_t *job, size_t len)
{
    uint8_t *paper;
    size_t n = fakeprn_paper(prn, &paper);
    int count = 0;
    for (const uint8_t *p = paper; p && (size_t)(p - paper) + len <= n;) {
        const uint8_t *hit = memmem(p, n - (size_t)(p - paper), job, len);
        if (!hit)
            break;
        count++;
        p = hit + len;
    }
    free(paper);
    return count;
}

static int64_t enqueue(const uint8_t *job, size_t len)
{
    int64_t id = 0;
    CHECK(printq_enqueue(db, "ticket", 23, job, len, &id) == 0);
    printq_wake(q);
    return id;
}

int main(int argc, char **argv)
{
    char err[256], st[32], lasterr[512];
    struct fd_store *store = NULL;
    struct escpos_font *font = NULL;
    uint8_t *ticket = NULL, *raster = NULL;
    size_t tlen = 0, rlen = 0;
    int attempts = 0;
    struct printq_state ps;

    int rc = fakeprn_testbed(argc > 1 ? argv[1] : "printers.umockdev", err, sizeof err);
    if (rc == 77) {
        printf("skipped: %s\n", err);
        return 77;
    }
    CHECK_MSG(rc == 0, "%s", err);
    prn = fakeprn_attach("/dev/bus/usb/001/002", 0x03, 0x81);
    CHECK(prn != NULL);
    snprintf(dbpath, sizeof dbpath, "/tmp/fd-test-printq-%d.db", (int)getpid());
    CHECK_MSG(store_open(dbpath, &store, err, sizeof err) == 0, "%s", err);
    if (!prn || !store)
        return check_summary();
    db = store_db(store);
    setenv("TZ", FIXTURE_TZ, 1);
    CHECK_MSG(escpos_font_open(NULL, 0, &font, err, sizeof err) == 0, "%s", err);
    CHECK(receipt_render(RECEIPT_TICKET, &fixture_ticket, RECEIPT_ZH,
                         escpos_profile_find("58mm"), font, &ticket, &tlen) == 0);
    CHECK(receipt_render(RECEIPT_TICKET, &fixture_ticket, RECEIPT_EN,
                         escpos_profile_find("80mm-raster"), font, &raster, &rlen) == 0);
    CHECK(rlen > 3 * 4096); /* several USB chunks */

    start();

    /* 1. a job prints once, with status before and after */
    int64_t a = enqueue(ticket, tlen);
    CHECK(wait_state(a, "done"));
    CHECK_INT(printed_times(ticket, tlen), 1);
    job_row(a, st, sizeof st, &attempts, NULL, 0);
    CHECK_INT(attempts, 1);
    CHECK(wait_message("ready"));

    /* 2. paper end: nothing is sent, the job waits, staff see the fault */
    fakeprn_clear(prn);
    fakeprn_set_status(prn, 4, 0x72);
    CHECK(wait_message("paper end"));
    int64_t b = enqueue(ticket, tlen);
    printq_get_state(q, &ps);
    printq_wait(q, ps.seq, 500); /* let the worker look at the job */
    job_row(b, st, sizeof st, &attempts, NULL, 0);
    CHECK_STR(st, "pending");
    CHECK_INT(attempts, 0);
    CHECK_INT(printed_times(ticket, tlen), 0);
    printq_get_state(q, &ps);
    CHECK(ps.connected && !ps.ready && ps.status.paper_end && ps.pending == 1);
    fakeprn_set_status(prn, 4, 0x12); /* new roll */
    CHECK(wait_state(b, "done"));
    CHECK_INT(printed_times(ticket, tlen), 1);

    /* 3. cover open, the same; cancelled by staff meanwhile: never printed */
    fakeprn_clear(prn);
    fakeprn_set_status(prn, 2, 0x16);
    CHECK(wait_message("cover open"));
    int64_t c = enqueue(ticket, tlen);
    CHECK(printq_cancel(db, c) == 0);
    CHECK(printq_cancel(db, c) == -1); /* already cancelled */
    fakeprn_set_status(prn, 2, 0x12);
    CHECK(wait_message("ready"));
    job_row(c, st, sizeof st, NULL, NULL, 0);
    CHECK_STR(st, "cancelled");
    CHECK_INT(printed_times(ticket, tlen), 0);
    /* ... as the staff console and frontdesk-ctl read them (printq's own
     * reads: no other module runs SQL on print_job) */
    {
        struct printq_job jl[2];
        char w[12] = "x";
        CHECK_INT(printq_job_state(db, c, w, sizeof w), 0);
        CHECK_STR(w, "cancelled");
        CHECK_INT(printq_job_state(db, c + 1000, w, sizeof w), 1);
        CHECK_STR(w, "");
        CHECK_INT(printq_jobs(db, jl, 2), 2); /* the newest two, newest first */
        CHECK(jl[0].id == c && jl[1].id == b);
        CHECK_STR(jl[0].state, "cancelled");
        CHECK_STR(jl[0].kind, "ticket");
        CHECK(jl[0].ref_id == 23 && jl[0].printed_at == 0 && jl[0].created_at > 0);
        CHECK_STR(jl[1].state, "done");
        CHECK(jl[1].printed_at >= jl[1].created_at && jl[1].attempts == 1);
        CHECK_INT(printq_jobs(db, jl, 0), 0);
    }

    /* 4. a printer that never answers status still prints */
    fakeprn_clear(prn);
    fakeprn_set_silent(prn, 1);
    int64_t d = enqueue(ticket, tlen);
    CHECK(wait_state(d, "done"));
    job_row(d, st, sizeof st, NULL, lasterr, sizeof lasterr);
    CHECK(strstr(lasterr, "status after the job unknown") != NULL);
    CHECK_INT(printed_times(ticket, tlen), 1);
    fakeprn_set_silent(prn, 0);

    /* 5. unplugged in the middle of a job: pending, then printed once */
    fakeprn_clear(prn);
    fakeprn_unplug_after(prn, 6000);
    int64_t e = enqueue(raster, rlen);
    CHECK(wait_message("not connected"));
    job_row(e, st, sizeof st, &attempts, lasterr, sizeof lasterr);
    CHECK_STR(st, "pending");
    CHECK_INT(attempts, 1);
    CHECK(strstr(lasterr, "sent 4096 of") != NULL);
    CHECK_INT(printed_times(raster, rlen), 0);
    uint8_t *paper;
    size_t n = fakeprn_paper(prn, &paper);
    CHECK(n >= 4096 && memmem(paper, n, raster, 4096) != NULL); /* the partial first chunk */
    free(paper);
    fakeprn_clear(prn);
    fakeprn_replug(prn);
    CHECK(wait_state(e, "done"));
    CHECK_INT(printed_times(raster, rlen), 1);
    job_row(e, st, sizeof st, &attempts, NULL, 0);
    CHECK_INT(attempts, 2);
    printq_get_state(q, &ps);
    printq_wait(q, ps.seq, 300);
    CHECK_INT(printed_times(raster, rlen), 1); /* and not again */

    /* 6. reprint by staff: a new job with the same bytes */
    fakeprn_clear(prn);
    int64_t f = 0;
    CHECK(printq_reprint(db, a, &f) == 0 && f > e);
    printq_wake(q);
    CHECK(wait_state(f, "done"));
    CHECK_INT(printed_times(ticket, tlen), 1);

    /* 7. a crash left a job 'printing': after restart it is not resent */
    printq_stop(q);
    q = NULL;
    fakeprn_clear(prn);
    int64_t g = 0;
    CHECK(printq_enqueue(db, "ticket", 24, ticket, tlen, &g) == 0);
    sqlite3_exec(db, "UPDATE print_job SET state = 'printing', attempts = 1 WHERE state = 'pending'",
                 NULL, NULL, NULL);
    /* 8. ... and the printer is unplugged at start, plugged in later */
    fakeprn_unplug(prn);
    start();
    CHECK(wait_message("not connected"));
    job_row(g, st, sizeof st, NULL, lasterr, sizeof lasterr);
    CHECK_STR(st, "failed");
    CHECK(strstr(lasterr, "not resent") != NULL);
    int64_t h = enqueue(ticket, tlen);
    printq_get_state(q, &ps);
    printq_wait(q, ps.seq, 300);
    job_row(h, st, sizeof st, NULL, NULL, 0);
    CHECK_STR(st, "pending");
    fakeprn_replug(prn);
    CHECK(wait_state(h, "done"));
    CHECK_INT(printed_times(ticket, tlen), 1); /* h once, g never */
    printq_get_state(q, &ps);
    CHECK_INT(ps.failed, 1);
    CHECK(strstr(ps.detail, "usb 0fe6:811e") != NULL);
    CHECK(__atomic_load_n(&notified, __ATOMIC_SEQ_CST) > 0);

    printq_stop(q);
    free(ticket);
    free(raster);
    escpos_font_close(font);
    store_close(store);
    unlink(dbpath);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    unlink(side);
    fakeprn_teardown();
    return check_summary();
}
