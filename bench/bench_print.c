/* bench_print.c - receipts (issue 4), figures side by side in one run:
 *   1. time from "ticket issued" (receipt laid out) to the last byte handed
 *      to the transport: render + job row committed + status + 'printing'
 *      committed + write; and the same through the worker thread (wake-up
 *      to job 'done', status after included); virtual printer and USB
 *      (libusb against the emulated printer, when run under umockdev);
 *   2. receipt size in bytes, native ESC/POS vs raster text, per receipt.
 * Run: umockdev-wrapper build/<dir>/bench/bench_print   (USB rows need it;
 * without it only the virtual printer is measured). Never fails on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escpos.h"
#include "fakeprn.h"
#include "printq.h"
#include "prn_transport.h"
#include "receipt.h"
#include "receipt_fixtures.h"
#include "store.h"

#define RUNS 40

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void stats(double *v, int n, double *p50, double *p95)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    *p50 = v[n / 2];
    *p95 = v[(n * 95) / 100];
}

static const char *label(const char *uri)
{
    return strncmp(uri, "virtual:", 8) == 0 ? "virtual (PNG)" : uri;
}

/* layout alone, for scale */
static void render_only(const char *profile, struct escpos_font *font)
{
    double v[RUNS], p50, p95;
    for (int i = 0; i < RUNS; i++) {
        uint8_t *bytes;
        size_t len;
        double t0 = now_ms();
        receipt_render(RECEIPT_TICKET, &fixture_ticket, RECEIPT_ZH, escpos_profile_find(profile),
                       font, &bytes, &len);
        v[i] = now_ms() - t0;
        free(bytes);
    }
    stats(v, RUNS, &p50, &p95);
    printf("  %-14s %-12s  p50 %7.3f ms  p95 %7.3f ms\n", "layout only", profile, p50, p95);
}

/* issued -> last byte handed to the transport, on this thread */
static void direct(sqlite3 *db, const char *uri, const char *profile, struct escpos_font *font)
{
    struct prn_transport *t;
    char err[256];
    double v[RUNS], p50, p95;
    size_t len = 0;

    if (prn_open(uri, &t, err, sizeof err) != 0) {
        printf("  %-14s %-12s  (not available: %s)\n", label(uri), profile, err);
        return;
    }
    for (int i = 0; i < RUNS; i++) {
        uint8_t *bytes;
        int64_t id;
        struct prn_status st;
        double t0 = now_ms();
        receipt_render(RECEIPT_TICKET, &fixture_ticket, RECEIPT_ZH, escpos_profile_find(profile),
                       font, &bytes, &len);
        printq_enqueue(db, "ticket", 1, bytes, len, &id);
        prn_status(t, &st, 1000);
        sqlite3_exec(db, "UPDATE print_job SET state = 'printing' WHERE state = 'pending'",
                     NULL, NULL, NULL);
        prn_write(t, bytes, len, 2000, NULL);
        v[i] = now_ms() - t0;
        sqlite3_exec(db, "UPDATE print_job SET state = 'done' WHERE state = 'printing'", NULL,
                     NULL, NULL);
        free(bytes);
    }
    prn_close(t);
    stats(v, RUNS, &p50, &p95);
    printf("  %-14s %-12s  p50 %7.2f ms  p95 %7.2f ms  (%zu bytes)\n", label(uri), profile, p50,
           p95, len);
}

/* the same through the worker: enqueue + wake -> job 'done' */
static void worker(sqlite3 *db, const char *dbpath, const char *uri, const char *profile,
                   struct escpos_font *font)
{
    struct printq_config cfg = {.db_path = dbpath, .printer_uri = uri, .rescan_ms = 20,
                                .poll_ms = 60000, .io_timeout_ms = 1000};
    struct printq *q;
    struct printq_state ps;
    char err[256];
    double v[RUNS], p50, p95;

    if (printq_start(&cfg, &q, err, sizeof err) != 0)
        return;
    printq_get_state(q, &ps);
    for (int w = 0; w < 50 && !ps.connected; w++) { /* first status read */
        printq_wait(q, ps.seq, 100);
        printq_get_state(q, &ps);
    }
    for (int i = 0; i < RUNS; i++) {
        uint8_t *bytes;
        size_t len;
        int64_t id;
        double t0 = now_ms();
        receipt_render(RECEIPT_TICKET, &fixture_ticket, RECEIPT_ZH, escpos_profile_find(profile),
                       font, &bytes, &len);
        printq_enqueue(db, "ticket", 1, bytes, len, &id);
        printq_wake(q);
        for (int w = 0; w < 100; w++) {
            sqlite3_stmt *s;
            int done = 0;
            sqlite3_prepare_v2(db, "SELECT state = 'done' FROM print_job WHERE id = ?", -1, &s, NULL);
            sqlite3_bind_int64(s, 1, id);
            if (sqlite3_step(s) == SQLITE_ROW)
                done = sqlite3_column_int(s, 0);
            sqlite3_finalize(s);
            if (done)
                break;
            printq_get_state(q, &ps);
            printq_wait(q, ps.seq, 20);
        }
        v[i] = now_ms() - t0;
        free(bytes);
    }
    printq_stop(q);
    stats(v, RUNS, &p50, &p95);
    printf("  %-14s %-12s  p50 %7.2f ms  p95 %7.2f ms  (worker, to 'done')\n", label(uri),
           profile, p50, p95);
}

int main(int argc, char **argv)
{
    char dbpath[128], err[256], vuri[160];
    struct fd_store *st;
    struct escpos_font *font;
    int usb = 0;

    setenv("TZ", FIXTURE_TZ, 1);
    if (escpos_font_open(NULL, 0, &font, err, sizeof err) != 0) {
        fprintf(stderr, "bench_print: %s\n", err);
        return 1;
    }
    snprintf(dbpath, sizeof dbpath, "/tmp/fd-bench-print-%d.db", (int)getpid());
    if (store_open(dbpath, &st, err, sizeof err) != 0) {
        fprintf(stderr, "bench_print: %s\n", err);
        return 1;
    }
    if (fakeprn_testbed(argc > 1 ? argv[1] : "tests/drivers/printers.umockdev", err,
                        sizeof err) == 0 &&
        fakeprn_attach("/dev/bus/usb/001/002", 0x03, 0x81))
        usb = 1;
    snprintf(vuri, sizeof vuri, "virtual:/tmp/fd-bench-print-%d.png", (int)getpid());

    printf("bench_print: queue ticket, %d runs each (synchronous=FULL store)\n", RUNS);
    printf("1. ticket issued -> last byte handed to the transport\n");
    for (int p = 0; p < 2; p++) {
        const char *prof = p ? "58mm-raster" : "58mm";
        render_only(prof, font);
        direct(store_db(st), vuri, prof, font);
        if (usb)
            direct(store_db(st), "usb://auto", prof, font);
    }
    printf("   through the print worker thread\n");
    for (int p = 0; p < 2; p++) {
        const char *prof = p ? "58mm-raster" : "58mm";
        worker(store_db(st), dbpath, vuri, prof, font);
        if (usb)
            worker(store_db(st), dbpath, "usb://auto", prof, font);
    }
    if (!usb)
        printf("   (USB rows need: umockdev-wrapper bench_print tests/drivers/printers.umockdev)\n");

    printf("2. receipt size, native ESC/POS vs raster text (zh / en)\n");
    static const char *const names[] = {"ticket", "visitor", "complaint"};
    const void *fx[] = {&fixture_ticket, &fixture_visitor, &fixture_complaint};
    for (int k = 0; k < 3; k++)
        for (int w = 0; w < 2; w++)
            for (int l = 0; l < 2; l++) {
                size_t n1, n2;
                uint8_t *b1, *b2;
                const char *pn = w ? "80mm" : "58mm";
                char pr[32];
                snprintf(pr, sizeof pr, "%s-raster", pn);
                receipt_render((enum receipt_kind)k, fx[k], (enum receipt_lang)l,
                               escpos_profile_find(pn), font, &b1, &n1);
                receipt_render((enum receipt_kind)k, fx[k], (enum receipt_lang)l,
                               escpos_profile_find(pr), font, &b2, &n2);
                printf("  %-9s %s %s  native %6zu B  raster %6zu B  x%.1f\n", names[k], pn,
                       l ? "en" : "zh", n1, n2, (double)n2 / (double)n1);
                free(b1);
                free(b2);
            }
    if (usb)
        fakeprn_teardown();
    store_close(st);
    escpos_font_close(font);
    unlink(dbpath);
    char side[160];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    unlink(side);
    unlink(vuri + 8);
    return 0;
}
