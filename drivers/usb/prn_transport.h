/* prn_transport.h - one interface to every way a receipt reaches paper:
 *   usb://auto  usb://VID:PID    libusb, printer class 7 (usbprn.c)
 *   tcp://HOST:PORT               network printer, raw port 9100
 *   file:PATH                     a device node such as /dev/usb/lp0
 *   virtual:PNG_PATH              the virtual printer: each job becomes a PNG
 * A transport is a small vtable (struct prn_transport_ops); callers use only
 * the prn_* functions below. Status is the ESC/POS real-time status
 * (DLE EOT 1..4), parsed into struct prn_status. Not thread-safe: one
 * thread owns a transport. */
#ifndef FD_PRN_TRANSPORT_H
#define FD_PRN_TRANSPORT_H
#include <stddef.h>
#include <stdint.h>

/* Errors (negative). */
enum {
    PRN_OK = 0,
    PRN_EURI = -1,     /* the URI is malformed */
    PRN_ENODEV = -2,   /* no such printer, or it was unplugged */
    PRN_EBUSY = -3,    /* another program holds the printer */
    PRN_EIO = -4,      /* transfer failed */
    PRN_ETIMEOUT = -5, /* the printer did not take or give data in time */
    PRN_ENOMEM = -6,
    PRN_EACCESS = -7,  /* permission denied (udev rule missing?) */
    PRN_ENOSTATUS = -8,/* this transport or printer cannot report status */
};

enum prn_kind { PRN_USB, PRN_TCP, PRN_FILE, PRN_VIRTUAL };

struct prn_uri {
    enum prn_kind kind;
    int usb_auto;           /* usb://auto: first printer-class interface */
    uint16_t vid, pid;      /* usb://VID:PID (hex) */
    char host[256];         /* tcp:// host */
    int port;               /* tcp:// port, default 9100 */
    char path[1024];        /* file: or virtual: path */
};

/* Parses `uri` into *out. Returns 0, or PRN_EURI with a sentence in err
 * naming what is wrong and the accepted forms. */
int prn_uri_parse(const char *uri, struct prn_uri *out, char *err, size_t errlen);

/* ESC/POS real-time status. `answered` is 0 when the printer gave no
 * (valid) answer; the flags are then unknown (0). */
struct prn_status {
    int answered;        /* 1: all four DLE EOT replies were read and valid */
    int offline;         /* DLE EOT 1 bit 3 */
    int cover_open;      /* DLE EOT 2 bit 2 */
    int paper_end;       /* DLE EOT 2 bit 5, or DLE EOT 4 bits 5-6 */
    int paper_near_end;  /* DLE EOT 4 bits 2-3 */
    int cutter_error;    /* DLE EOT 3 bit 3 */
    int error;           /* DLE EOT 2 bit 6 / DLE EOT 3 bits 5-6 (other error) */
    uint8_t raw[4];      /* the bytes answered to DLE EOT 1..4 */
};

/* Parses the reply byte `b` to DLE EOT n (1..4) into *st. Returns 0, or -1
 * when the byte does not have the fixed bits of a status reply (0xx1xx10). */
int prn_status_parse(int n, uint8_t b, struct prn_status *st);
/* 1 when the printer can print now: answered (or status unsupported) and no
 * offline, cover, paper end or error flag. Paper near end still prints. */
int prn_status_ready(const struct prn_status *st);
/* A short English summary ("ready", "paper end, cover open", "no answer"). */
void prn_status_describe(const struct prn_status *st, char *out, size_t len);

struct prn_transport;

struct prn_transport_ops {
    const char *name;
    int (*write)(struct prn_transport *t, const void *buf, size_t len, int timeout_ms,
                 size_t *written);
    int (*status)(struct prn_transport *t, struct prn_status *st, int timeout_ms);
    void (*close)(struct prn_transport *t);
};

struct prn_transport {
    const struct prn_transport_ops *ops; /* what kind it is */
    struct prn_uri uri;                  /* where it goes */
    char detail[128];                    /* e.g. "0416:5011 if 0 out 0x01 in 0x82" */
};

/* Opens the printer `uri` names. Returns 0 and *out, or a PRN_E* code with a
 * sentence in err (PRN_ENODEV: not there now, worth a rescan later). */
int prn_open(const char *uri, struct prn_transport **out, char *err, size_t errlen);

/* Sends all `len` bytes, waiting at most timeout_ms per chunk; *written (may
 * be NULL) says how many were handed over, also on failure. Returns 0 or a
 * PRN_E* code (PRN_ENODEV after an unplug). */
int prn_write(struct prn_transport *t, const void *buf, size_t len, int timeout_ms,
              size_t *written);

/* Asks DLE EOT 1..4, each answer awaited timeout_ms. Returns 0 with *st
 * filled, PRN_ENOSTATUS when the transport has no way back (st->answered =
 * 0), PRN_ETIMEOUT when the printer did not answer, or PRN_ENODEV/PRN_EIO. */
int prn_status(struct prn_transport *t, struct prn_status *st, int timeout_ms);

/* Closes and frees; NULL is fine. */
void prn_close(struct prn_transport *t);

/* Human text for a PRN_E* code. */
const char *prn_strerror(int rc);

/* USB (usbprn.c): opens the printer u names (class 7 interface, or the
 * VID:PID device's printer-class interface, else its first interface with a
 * bulk OUT endpoint), detaching the kernel's usblp when it holds the
 * interface. Used by prn_open. */
int usbprn_open(const struct prn_uri *u, struct prn_transport **out, char *err, size_t errlen);

/* What usbprn_open found, read from the descriptors. */
struct usbprn_info {
    uint16_t vid, pid;
    int iface;          /* interface number claimed */
    int alt;            /* its alternate setting */
    uint8_t ep_out;     /* bulk OUT endpoint address */
    uint8_t ep_in;      /* bulk IN endpoint address, 0 when none */
    int detached;       /* 1: a kernel driver (usblp) was detached to claim it */
};
/* Fills *out for a USB transport; returns 0, or -1 for other kinds. */
int usbprn_info(const struct prn_transport *t, struct usbprn_info *out);

#endif
