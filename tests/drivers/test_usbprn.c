/* test_usbprn.c - the libusb transport against emulated printers
 * (fakeprn, under umockdev-wrapper): discovery by class and by VID:PID,
 * endpoints from the descriptors, usblp detached and given back, status
 * bits, a silent printer, an unplug in the middle of a write, replug. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "fakeprn.h"
#include "prn_transport.h"

static struct fakeprn *p7, *pff; /* class-7 printer, vendor-class printer */

static int paper_is(struct fakeprn *f, const void *want, size_t len)
{
    uint8_t *b;
    size_t n = fakeprn_paper(f, &b);
    int ok = n == len && memcmp(b, want, len) == 0;
    free(b);
    return ok;
}

static void test_discovery(void)
{
    struct prn_transport *t;
    struct usbprn_info info;
    char err[256];

    /* class 7: the keyboard and the vendor-class printer are skipped */
    CHECK_INT(prn_open("usb://auto", &t, err, sizeof err), 0);
    CHECK(usbprn_info(t, &info) == 0);
    CHECK_INT(info.vid, 0x0fe6);
    CHECK_INT(info.pid, 0x811e);
    CHECK_INT(info.iface, 0);
    CHECK_INT(info.ep_out, 0x03); /* from the descriptors, not 0x01/0x82 */
    CHECK_INT(info.ep_in, 0x81);
    CHECK_INT(info.detached, 0);
    prn_close(t);

    /* VID:PID finds the vendor-class printer that class discovery cannot */
    CHECK_INT(prn_open("usb://1fc9:2016", &t, err, sizeof err), 0);
    CHECK(usbprn_info(t, &info) == 0);
    CHECK_INT(info.ep_out, 0x02);
    CHECK_INT(info.ep_in, 0x84);
    static const uint8_t hello[] = {0x1b, '@', 'h', 'i', '\n'};
    fakeprn_clear(pff);
    CHECK_INT(prn_write(t, hello, sizeof hello, 1000, NULL), 0);
    CHECK(paper_is(pff, hello, sizeof hello));
    prn_close(t);

    CHECK_INT(prn_open("usb://046d:c31c", &t, err, sizeof err), PRN_ENODEV); /* keyboard */
    CHECK(strstr(err, "046d:c31c") != NULL);
    CHECK_INT(prn_open("usb://dead:beef", &t, err, sizeof err), PRN_ENODEV);
    CHECK(strstr(err, "no USB printer dead:beef") != NULL);
    CHECK(t == NULL);
    CHECK_INT(fakeprn_wrong_endpoint(p7) + fakeprn_wrong_endpoint(pff), 0);
}

static void test_usblp(void)
{
    struct prn_transport *t;
    struct usbprn_info info;
    char err[256];

    fakeprn_set_driver(p7, "usblp");
    CHECK_INT(prn_open("usb://0fe6:811e", &t, err, sizeof err), 0);
    CHECK(usbprn_info(t, &info) == 0 && info.detached == 1);
    CHECK_STR(fakeprn_driver(p7), "");     /* detached while we hold it */
    CHECK(strstr(t->detail, "usblp detached") != NULL);
    prn_close(t);
    CHECK_STR(fakeprn_driver(p7), "usblp"); /* given back on close */
    fakeprn_set_driver(p7, NULL);

    /* another program (not a kernel driver) holds it: nothing to detach */
    fakeprn_set_busy(p7, 1);
    t = NULL;
    CHECK_INT(prn_open("usb://auto", &t, err, sizeof err), PRN_EBUSY);
    CHECK(t == NULL && strstr(err, "another program") != NULL);
    fakeprn_set_busy(p7, 0);
}

static void test_status(void)
{
    struct prn_transport *t;
    struct prn_status st;
    char err[256], desc[128];

    CHECK_INT(prn_open("usb://auto", &t, err, sizeof err), 0);
    fakeprn_clear(p7);
    CHECK_INT(prn_status(t, &st, 300), 0);
    CHECK(st.answered && prn_status_ready(&st));
    CHECK(paper_is(p7, "\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04", 12));

    fakeprn_set_status(p7, 4, 0x72); /* roll sensor: paper end */
    fakeprn_set_status(p7, 2, 0x32); /* offline cause: stopped by paper end */
    CHECK_INT(prn_status(t, &st, 300), 0);
    CHECK(st.paper_end && !st.cover_open && !prn_status_ready(&st));
    prn_status_describe(&st, desc, sizeof desc);
    CHECK_STR(desc, "paper end");

    fakeprn_set_status(p7, 4, 0x12);
    fakeprn_set_status(p7, 2, 0x16); /* cover open */
    fakeprn_set_status(p7, 1, 0x1a); /* offline */
    CHECK_INT(prn_status(t, &st, 300), 0);
    CHECK(st.cover_open && st.offline && !st.paper_end && !prn_status_ready(&st));

    fakeprn_set_status(p7, 1, 0x12);
    fakeprn_set_status(p7, 2, 0x12);
    fakeprn_set_status(p7, 3, 0x1a); /* autocutter error */
    CHECK_INT(prn_status(t, &st, 300), 0);
    CHECK(st.cutter_error && !prn_status_ready(&st));

    fakeprn_set_status(p7, 3, 0x12);
    fakeprn_set_status(p7, 4, 0x1e); /* paper near end: still prints */
    CHECK_INT(prn_status(t, &st, 300), 0);
    CHECK(st.paper_near_end && prn_status_ready(&st));
    fakeprn_set_status(p7, 4, 0x12);

    fakeprn_set_status(p7, 1, 0xff); /* not a status byte */
    CHECK_INT(prn_status(t, &st, 300), PRN_EIO);
    fakeprn_set_status(p7, 1, 0x12);

    fakeprn_set_silent(p7, 1);       /* a printer that never answers */
    CHECK_INT(prn_status(t, &st, 200), PRN_ETIMEOUT);
    CHECK(!st.answered);
    fakeprn_set_silent(p7, 0);
    prn_close(t);
}

static void test_unplug(void)
{
    struct prn_transport *t;
    char err[256];
    size_t sent = 0, len = 10000;
    uint8_t *job = malloc(len), *paper;

    for (size_t i = 0; i < len; i++)
        job[i] = (uint8_t)('A' + i % 26);
    CHECK_INT(prn_open("usb://auto", &t, err, sizeof err), 0);
    fakeprn_clear(p7);
    fakeprn_unplug_after(p7, 5000); /* the second 4 KiB chunk pulls the cable */
    CHECK_INT(prn_write(t, job, len, 1000, &sent), PRN_ENODEV);
    CHECK_INT(sent, 4096);
    CHECK(paper_is(p7, job, 4096));
    struct prn_status st;
    CHECK_INT(prn_status(t, &st, 200), PRN_ENODEV);
    prn_close(t);
    CHECK_INT(prn_open("usb://auto", &t, err, sizeof err), PRN_ENODEV); /* still out */
    fakeprn_replug(p7);
    fakeprn_clear(p7);
    CHECK_INT(prn_open("usb://auto", &t, err, sizeof err), 0);
    CHECK_INT(prn_write(t, job, len, 1000, &sent), 0);
    CHECK_INT(sent, len);
    size_t n = fakeprn_paper(p7, &paper);
    CHECK(n == len && memcmp(paper, job, len) == 0);
    free(paper);
    prn_close(t);
    free(job);
}

int main(int argc, char **argv)
{
    char err[256];
    int rc = fakeprn_testbed(argc > 1 ? argv[1] : "printers.umockdev", err, sizeof err);

    if (rc == 77) {
        printf("skipped: %s\n", err);
        return 77;
    }
    CHECK_MSG(rc == 0, "%s", err);
    p7 = fakeprn_attach("/dev/bus/usb/001/002", 0x03, 0x81);
    pff = fakeprn_attach("/dev/bus/usb/001/003", 0x02, 0x84);
    CHECK(p7 && pff);
    if (p7 && pff) {
        test_discovery();
        test_usblp();
        test_status();
        test_unplug();
    }
    fakeprn_teardown();
    return check_summary();
}
