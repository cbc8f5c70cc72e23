/* usbprn.c - the USB transport: libusb-1.0 bulk transfers to a printer.
 * The printer is found by interface class 7 (printer) or by VID:PID; the
 * endpoints come from its descriptors. When the kernel's usblp driver holds
 * the interface (the "Resource busy" that bites python-escpos users) it is
 * detached, and given back on close. Writes go in chunks with a timeout, so
 * an unplug or a stalled printer is reported with how much got through. */
#include "prn_transport.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096          /* bytes per bulk OUT transfer */
#define PRINTER_CLASS 7

struct usb_transport {
    struct prn_transport base;
    libusb_context *ctx;
    libusb_device_handle *h;
    struct usbprn_info info;
    int in_size;            /* wMaxPacketSize of the IN endpoint */
};

static int usb_err(int r)
{
    switch (r) {
    case LIBUSB_ERROR_NO_DEVICE: case LIBUSB_ERROR_NOT_FOUND: return PRN_ENODEV;
    case LIBUSB_ERROR_BUSY: return PRN_EBUSY;
    case LIBUSB_ERROR_ACCESS: return PRN_EACCESS;
    case LIBUSB_ERROR_TIMEOUT: return PRN_ETIMEOUT;
    case LIBUSB_ERROR_NO_MEM: return PRN_ENOMEM;
    default: return PRN_EIO;
    }
}

/* Looks through dev's configuration for the printer interface. With
 * want_class set only class 7 counts; otherwise class 7 is preferred and the
 * first interface with a bulk OUT endpoint is taken. Returns 0 and fills
 * info (endpoints, interface), or -1. */
static int find_interface(libusb_device *dev, int want_class, struct usbprn_info *info,
                          int *in_size)
{
    struct libusb_config_descriptor *cfg = NULL;
    int best = -1;

    if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) != 0)
        return -1;
    for (int pass = 0; pass < 2 && best < 0; pass++) {
        if (pass == 1 && want_class)
            break;
        for (int i = 0; i < cfg->bNumInterfaces && best < 0; i++) {
            const struct libusb_interface *itf = &cfg->interface[i];
            for (int a = 0; a < itf->num_altsetting && best < 0; a++) {
                const struct libusb_interface_descriptor *d = &itf->altsetting[a];
                uint8_t out = 0, in = 0;
                int isz = 0;
                if (pass == 0 && d->bInterfaceClass != PRINTER_CLASS)
                    continue;
                for (int e = 0; e < d->bNumEndpoints; e++) {
                    const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];
                    if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
                        continue;
                    if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
                        if (!in) {
                            in = ep->bEndpointAddress;
                            isz = ep->wMaxPacketSize;
                        }
                    } else if (!out) {
                        out = ep->bEndpointAddress;
                    }
                }
                if (!out)
                    continue;
                info->iface = d->bInterfaceNumber;
                info->alt = d->bAlternateSetting;
                info->ep_out = out;
                info->ep_in = in;
                *in_size = isz > 0 ? isz : 64;
                best = i;
            }
        }
    }
    libusb_free_config_descriptor(cfg);
    return best >= 0 ? 0 : -1;
}

static int usb_write(struct prn_transport *t, const void *buf, size_t len, int timeout_ms,
                     size_t *written)
{
    struct usb_transport *u = (struct usb_transport *)t;
    const uint8_t *p = buf;

    *written = 0;
    while (*written < len) {
        int n = len - *written > CHUNK ? CHUNK : (int)(len - *written), xfer = 0;
        int r = libusb_bulk_transfer(u->h, u->info.ep_out, (unsigned char *)p + *written, n,
                                     &xfer, (unsigned)timeout_ms);
        *written += xfer > 0 ? (size_t)xfer : 0;
        if (r == LIBUSB_ERROR_PIPE)
            libusb_clear_halt(u->h, u->info.ep_out);
        if (r)
            return usb_err(r);
    }
    return 0;
}

static int usb_status(struct prn_transport *t, struct prn_status *st, int timeout_ms)
{
    struct usb_transport *u = (struct usb_transport *)t;
    unsigned char buf[512];
    int sz = u->in_size > (int)sizeof buf ? (int)sizeof buf : u->in_size;

    if (!u->info.ep_in)
        return PRN_ENOSTATUS;
    /* Printers answer DLE EOT as soon as they see it, even inside image
     * data, so drop stale answers before asking. */
    for (int i = 0; i < 4; i++) {
        int got = 0;
        if (libusb_bulk_transfer(u->h, u->info.ep_in, buf, sz, &got, 5) != 0 || got == 0)
            break;
    }
    for (int n = 1; n <= 4; n++) {
        uint8_t req[3] = {0x10, 0x04, (uint8_t)n};
        size_t w;
        int got = 0, rc = usb_write(t, req, 3, timeout_ms, &w);
        if (rc)
            return rc;
        int r = libusb_bulk_transfer(u->h, u->info.ep_in, buf, sz, &got, (unsigned)timeout_ms);
        if (r)
            return usb_err(r);
        if (got < 1 || prn_status_parse(n, buf[got - 1], st) != 0)
            return PRN_EIO;
    }
    st->answered = 1;
    return 0;
}

static void usb_close(struct prn_transport *t)
{
    struct usb_transport *u = (struct usb_transport *)t;
    if (u->h) {
        libusb_release_interface(u->h, u->info.iface);
        if (u->info.detached)
            libusb_attach_kernel_driver(u->h, u->info.iface); /* give usblp back */
        libusb_close(u->h);
    }
    if (u->ctx)
        libusb_exit(u->ctx);
    free(u);
}

static const struct prn_transport_ops usb_ops = {"usb", usb_write, usb_status, usb_close};

int usbprn_info(const struct prn_transport *t, struct usbprn_info *out)
{
    if (!t || t->ops != &usb_ops)
        return -1;
    *out = ((const struct usb_transport *)t)->info;
    return 0;
}

int usbprn_open(const struct prn_uri *uri, struct prn_transport **out, char *err, size_t errlen)
{
    struct usb_transport *u = calloc(1, sizeof *u);
    libusb_device **list = NULL;
    libusb_device *found = NULL;
    ssize_t n;
    int r, rc = PRN_ENODEV;

    *out = NULL;
    if (!u)
        return PRN_ENOMEM;
    u->base.ops = &usb_ops;
    u->base.uri = *uri;
    r = libusb_init(&u->ctx);
    if (r) {
        snprintf(err, errlen, "libusb: %s", libusb_strerror(r));
        u->ctx = NULL;
        rc = PRN_EIO;
        goto fail;
    }
    n = libusb_get_device_list(u->ctx, &list);
    for (ssize_t i = 0; i < n && !found; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) != 0)
            continue;
        if (!uri->usb_auto && (dd.idVendor != uri->vid || dd.idProduct != uri->pid))
            continue;
        if (find_interface(list[i], uri->usb_auto, &u->info, &u->in_size) != 0)
            continue;
        u->info.vid = dd.idVendor;
        u->info.pid = dd.idProduct;
        found = list[i];
    }
    if (!found) {
        if (uri->usb_auto)
            snprintf(err, errlen, "no USB printer (interface class 7) is connected");
        else
            snprintf(err, errlen, "no USB printer %04x:%04x is connected", uri->vid, uri->pid);
        goto fail;
    }
    r = libusb_open(found, &u->h);
    if (r) {
        rc = usb_err(r);
        snprintf(err, errlen, "cannot open USB printer %04x:%04x: %s%s", u->info.vid,
                 u->info.pid, libusb_strerror(r),
                 r == LIBUSB_ERROR_ACCESS ? " (is the udev rule installed?)" : "");
        u->h = NULL;
        goto fail;
    }
    if (libusb_kernel_driver_active(u->h, u->info.iface) == 1) {
        r = libusb_detach_kernel_driver(u->h, u->info.iface);
        if (r) {
            rc = usb_err(r);
            snprintf(err, errlen, "cannot detach the kernel driver (usblp) from USB printer "
                                  "%04x:%04x: %s", u->info.vid, u->info.pid, libusb_strerror(r));
            goto fail;
        }
        u->info.detached = 1;
    }
    r = libusb_claim_interface(u->h, u->info.iface);
    if (r) {
        rc = usb_err(r);
        snprintf(err, errlen, "cannot claim USB printer %04x:%04x interface %d: %s%s",
                 u->info.vid, u->info.pid, u->info.iface, libusb_strerror(r),
                 r == LIBUSB_ERROR_BUSY ? " (another program is using it)" : "");
        goto fail;
    }
    if (u->info.alt != 0 &&
        (r = libusb_set_interface_alt_setting(u->h, u->info.iface, u->info.alt)) != 0) {
        rc = usb_err(r);
        snprintf(err, errlen, "cannot select USB printer alt setting: %s", libusb_strerror(r));
        libusb_release_interface(u->h, u->info.iface);
        goto fail;
    }
    snprintf(u->base.detail, sizeof u->base.detail,
             "usb %04x:%04x if %d out 0x%02x in 0x%02x%s", u->info.vid, u->info.pid,
             u->info.iface, u->info.ep_out, u->info.ep_in,
             u->info.detached ? " (usblp detached)" : "");
    libusb_free_device_list(list, 1);
    *out = &u->base;
    return 0;
fail:
    if (list)
        libusb_free_device_list(list, 1);
    if (u->h && u->info.detached)
        libusb_attach_kernel_driver(u->h, u->info.iface);
    if (u->h)
        libusb_close(u->h);
    if (u->ctx)
        libusb_exit(u->ctx);
    free(u);
    return rc;
}
