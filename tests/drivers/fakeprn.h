/* fakeprn.h - an emulated USB receipt printer for tests, on libumockdev.
 * fakeprn_testbed() loads a device description (tests/drivers/printers.umockdev)
 * into a umockdev testbed; fakeprn_attach() answers the usbdevfs ioctls of
 * one /dev/bus/usb node like a printer would: bulk OUT bytes are kept (the
 * "paper"), DLE EOT n is answered on bulk IN from a settable status table,
 * a kernel driver (usblp) can hold the interface, and the printer can be
 * silent, or unplugged after N bytes and plugged back. The process must run
 * under `umockdev-wrapper` (LD_PRELOAD of libumockdev-preload).
 *
 * printers.umockdev (umockdev's format has no comments, so they are here):
 *   001/002 0fe6:811e printer class 7, bulk OUT 0x03, bulk IN 0x81 (odd
 *           numbers on purpose: the transport must read the descriptors)
 *   001/003 1fc9:2016 vendor-specific class 0xff printer, OUT 0x02, IN 0x84:
 *           found only by usb://VID:PID
 *   001/004 046d:c31c a HID keyboard that class discovery must skip
 *   001/001 the root hub, then its PCI controller. */
#ifndef FD_FAKEPRN_H
#define FD_FAKEPRN_H
#include <stddef.h>
#include <stdint.h>

struct fakeprn;

/* Creates the testbed from `umockdev_file`. Returns 0, 77 when not under
 * umockdev-wrapper (tests then skip), or -1 with err set. */
int fakeprn_testbed(const char *umockdev_file, char *err, size_t errlen);
/* Destroys the testbed (and its /tmp directory) and every fake. */
void fakeprn_teardown(void);

/* Emulates a printer on `devnode` whose bulk endpoints are ep_out / ep_in
 * (as its descriptors say). NULL on failure. */
struct fakeprn *fakeprn_attach(const char *devnode, uint8_t ep_out, uint8_t ep_in);

void fakeprn_set_driver(struct fakeprn *f, const char *name); /* "usblp" or NULL */
const char *fakeprn_driver(struct fakeprn *f);                /* "" when none */
void fakeprn_set_status(struct fakeprn *f, int n, uint8_t reply); /* DLE EOT n */
void fakeprn_set_busy(struct fakeprn *f, int busy); /* another program claimed it */
void fakeprn_set_silent(struct fakeprn *f, int silent);       /* never answer IN */
void fakeprn_unplug_after(struct fakeprn *f, long nbytes);    /* -1: never */
void fakeprn_unplug(struct fakeprn *f);                       /* cable out now */
void fakeprn_replug(struct fakeprn *f);                       /* plugged in again */
int fakeprn_unplugged(struct fakeprn *f);

/* The bytes received on bulk OUT so far, status requests included:
 * malloc'd copy in *out (caller frees), returns the count. */
size_t fakeprn_paper(struct fakeprn *f, uint8_t **out);
void fakeprn_clear(struct fakeprn *f);
int fakeprn_claims(struct fakeprn *f);        /* successful CLAIMINTERFACE */
int fakeprn_wrong_endpoint(struct fakeprn *f);/* URBs sent to unknown endpoints */

#endif
