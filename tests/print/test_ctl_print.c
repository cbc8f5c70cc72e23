/* test_ctl_print.c - frontdesk-ctl print / printer against a real store
 * (fdcore migrations 0001 + 0002) and the virtual printer: each receipt is
 * read from its table, printed to a PNG whose QR/barcode reads back, and
 * recorded as a done print_job; printer status, jobs, cancel, reprint, and
 * the errors a staff member would hit (bad URI, absent printer, bad id). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "ctl_print.h"
#include "store.h"

static sqlite3 *db;
static struct fd_store *st;

static int run(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4,
               const char *a5, const char *a6)
{
    char *argv[8] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5,
                     (char *)a6, NULL};
    int argc = 0;
    while (argc < 7 && argv[argc])
        argc++;
    fflush(stdout);
    return ctl_print_main(argc, argv, st, 0);
}

static const char *zbar(const char *png)
{
    static char out[512];
    char cmd[700];
    FILE *p;
    size_t n;
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", png);
    out[0] = 0;
    if (!(p = popen(cmd, "r")))
        return out;
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose(p);
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    return out;
}

static int count_jobs(const char *state)
{
    sqlite3_stmt *s;
    int n = -1;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM print_job WHERE state = ?", -1, &s, NULL);
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/fd-ctlprint-XXXXXX", path[300], uri[512], png[400], err[256];
    struct stat sb;

    setenv("TZ", "Asia/Shanghai", 1);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/k.db", dir);
    CHECK_MSG(store_open(path, &st, err, sizeof err) == 0, "%s", err);
    if (!st)
        return check_summary();
    db = store_db(st);
    CHECK(sqlite3_exec(db,
        "INSERT OR REPLACE INTO config(key, value) VALUES ('branch_name', '城东支行');"
        "INSERT INTO service(id, code, name_zh, name_en) VALUES (1, 'A', '个人业务', 'Personal');"
        "INSERT INTO ticket(id, bday, issued_service_id, service_id, number, label, issued_at) "
        "  VALUES (1, '2026-11-23', 1, 1, 1, 'A001', 1795414500),"
        "         (2, '2026-11-23', 1, 1, 2, 'A002', 1795414560),"
        "         (3, '2026-11-23', 1, 1, 3, 'A003', 1795414620);"
        "INSERT INTO visitor(id, bday, badge, name, phone, host_name, signed_in_at) "
        "  VALUES (1, '2026-11-23', 'V0001', '王芳', '13900001111', '李娜', 1795416120);"
        "INSERT INTO complaint(id, ref, category, description, received_at, feedback_due, updated_at) "
        "  VALUES (1, '2611230010422', 'environment', '太冷', 1795417200, 1795503600, 1795417200);",
        NULL, NULL, NULL) == SQLITE_OK);

    snprintf(png, sizeof png, "%s/ticket.png", dir);
    snprintf(uri, sizeof uri, "virtual:%s", png);
    CHECK_INT(run("print", "ticket", "3", "--printer", uri, "--profile", "58mm"), 0);
    CHECK(stat(png, &sb) == 0 && sb.st_size > 1000);
    /* the ticket's own code last (rating_code_make): scanned to rate it */
    CHECK_STR(zbar(png), "ticket:2026-11-23:A003:261123100000035");
    CHECK_INT(count_jobs("done"), 1);

    snprintf(png, sizeof png, "%s/visitor.png", dir);
    snprintf(uri, sizeof uri, "virtual:%s", png);
    CHECK_INT(run("print", "visitor", "1", "--printer", uri, "--lang", "en"), 0);
    CHECK_STR(zbar(png), "V0001");

    snprintf(png, sizeof png, "%s/complaint.png", dir);
    snprintf(uri, sizeof uri, "virtual:%s", png);
    CHECK_INT(run("print", "complaint", "1", "--printer", uri, "--profile", "80mm-raster"), 0);
    CHECK_STR(zbar(png), "261123-001-042-2");
    CHECK_INT(count_jobs("done"), 3);

    /* what staff can get wrong */
    CHECK_INT(run("print", "ticket", "99", "--printer", uri, NULL, NULL), 1);   /* no such ticket */
    CHECK_INT(run("print", "ticket", "x", NULL, NULL, NULL, NULL), 2);          /* bad id */
    CHECK_INT(run("print", "badge", "1", NULL, NULL, NULL, NULL), 2);           /* bad kind */
    CHECK_INT(run("print", "ticket", "1", "--printer", "lpt1", NULL, NULL), 1); /* bad URI */
    CHECK_INT(run("print", "ticket", "1", "--printer", "usb://dead:beef", NULL, NULL), 1);
    CHECK_INT(count_jobs("failed"), 2); /* recorded, not left pending */
    CHECK_INT(count_jobs("pending"), 0);
    CHECK_INT(run("print", "ticket", "2", "--queue", NULL, NULL, NULL), 0);    /* for the kiosk */
    CHECK_INT(count_jobs("pending"), 1);

    /* printer status: exit 0 only when ready */
    snprintf(uri, sizeof uri, "virtual:%s/status.png", dir);
    CHECK_INT(run("printer", "status", "--printer", uri, NULL, NULL, NULL), 0);
    CHECK_INT(run("printer", "status", "--printer", "usb://dead:beef", NULL, NULL, NULL), 1);
    CHECK_INT(run("printer", "status", "--printer", "tcp://127.0.0.1:1", NULL, NULL, NULL), 1);

    /* jobs, cancel, reprint */
    CHECK_INT(run("printer", "jobs", NULL, NULL, NULL, NULL, NULL), 0);
    CHECK_INT(run("printer", "cancel", "1", NULL, NULL, NULL, NULL), 1); /* done: not cancellable */
    CHECK_INT(run("printer", "cancel", "6", NULL, NULL, NULL, NULL), 0); /* the queued one */
    CHECK_INT(count_jobs("pending"), 0);
    CHECK_INT(run("printer", "reprint", "1", NULL, NULL, NULL, NULL), 0);
    CHECK_INT(count_jobs("pending"), 1);
    CHECK_INT(run("printer", "frobnicate", NULL, NULL, NULL, NULL, NULL), 2);

    store_close(st);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_summary();
}
