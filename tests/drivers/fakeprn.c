/* fakeprn.c - the emulated USB printer (see fakeprn.h). umockdev calls
 * on_ioctl() from its own thread for every usbdevfs ioctl the code under
 * test makes on the node; URBs are completed into a "reapable" queue that
 * libusb drains with REAPURBNDELAY. Only what libusb 1.0.26 needs for bulk
 * printing is emulated; anything else fails with ENOTTY, loudly. */
#include "fakeprn.h"

#include <errno.h>
#include <glib.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <umockdev.h>

#define MAX_FAKES 4

struct urb {
    UMockdevIoctlData *data; /* the client's struct usbdevfs_urb, buffer resolved */
    gulong addr;             /* its address in the client, for DISCARDURB */
};

struct fakeprn {
    char node[64];
    uint8_t ep_out, ep_in;
    UMockdevIoctlBase *handler;
    GMutex lock;
    GByteArray *paper;       /* bulk OUT bytes */
    GByteArray *answer;      /* bytes waiting to go out on bulk IN */
    GQueue reap;             /* completed URBs */
    GQueue reads;            /* bulk IN URBs waiting for data */
    uint8_t status[5];       /* reply to DLE EOT 1..4 */
    int eot;                 /* DLE EOT parser: bytes of "10 04" seen */
    char driver[32];         /* kernel driver bound to interface 0 */
    int silent, unplugged, claims, wrong_ep;
    int busy;                /* claimed by another program (driver "usbfs") */
    long unplug_after;
};

static UMockdevTestbed *testbed;
static struct fakeprn *fakes[MAX_FAKES];
static int nfakes;

static struct usbdevfs_urb *URB(struct urb *u) { return (struct usbdevfs_urb *)u->data->data; }

static void urb_drop(struct urb *u)
{
    g_object_unref(u->data);
    g_free(u);
}

/* The printer reads its input: real-time DLE EOT n queues a status byte
 * (as real printers do, even inside other data). */
static void consume(struct fakeprn *f, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (f->eot == 2 && b[i] >= 1 && b[i] <= 4 && !f->silent)
            g_byte_array_append(f->answer, &f->status[b[i]], 1);
        f->eot = b[i] == 0x10 ? 1 : (f->eot == 1 && b[i] == 0x04) ? 2 : 0;
    }
}

static void serve_reads(struct fakeprn *f)
{
    while (f->answer->len && !g_queue_is_empty(&f->reads)) {
        struct urb *u = g_queue_pop_head(&f->reads);
        struct usbdevfs_urb *r = URB(u);
        guint n = MIN((guint)r->buffer_length, f->answer->len);
        memcpy(r->buffer, f->answer->data, n);
        g_byte_array_remove_range(f->answer, 0, n);
        r->actual_length = (int)n;
        r->status = 0;
        g_queue_push_tail(&f->reap, u);
    }
}

/* SUBMITURB: returns the errno to fail with, 0 on success. */
static int submit(struct fakeprn *f, UMockdevIoctlData *arg)
{
    GError *err = NULL;
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
    if (!d) {
        g_clear_error(&err);
        return EFAULT;
    }
    struct usbdevfs_urb *r = (struct usbdevfs_urb *)d->data;
    if (r->buffer_length > 0) {
        UMockdevIoctlData *b = umockdev_ioctl_data_resolve(
            d, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)r->buffer_length, &err);
        if (!b) {
            g_clear_error(&err);
            g_object_unref(d);
            return EFAULT;
        }
        g_object_unref(b); /* d keeps it */
    }
    struct urb *u = g_new0(struct urb, 1);
    u->data = d;
    u->addr = d->client_addr;
    if (r->type != USBDEVFS_URB_TYPE_BULK) { /* no control requests on this printer */
        r->status = -EPIPE;
        r->actual_length = 0;
        g_queue_push_tail(&f->reap, u);
        return 0;
    }
    if (r->endpoint == f->ep_in) {
        g_queue_push_tail(&f->reads, u);
        serve_reads(f);
        return 0;
    }
    if (r->endpoint != f->ep_out) {
        f->wrong_ep++;
        urb_drop(u);
        return ENOENT;
    }
    if (f->unplug_after >= 0 && (long)f->paper->len + r->buffer_length > f->unplug_after) {
        f->unplugged = 1; /* the cable comes out during this transfer */
        urb_drop(u);
        return ENODEV;
    }
    g_byte_array_append(f->paper, r->buffer, (guint)r->buffer_length);
    consume(f, r->buffer, (size_t)r->buffer_length);
    r->actual_length = r->buffer_length;
    r->status = 0;
    g_queue_push_tail(&f->reap, u);
    serve_reads(f);
    return 0;
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client, gpointer user)
{
    struct fakeprn *f = user;
    gulong req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *err = NULL;
    long ret = 0;
    int e = 0;
    (void)h;

    g_mutex_lock(&f->lock);
    if (f->unplugged && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_DISCARDURB) {
        ret = -1;
        e = ENODEV;
    } else if (req == USBDEVFS_GET_CAPABILITIES) {
        /* one URB per libusb_bulk_transfer, whatever its length */
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), &err);
        if (d) {
            *(guint32 *)d->data = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
                                  USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                                  USBDEVFS_CAP_BULK_SCATTER_GATHER;
            g_object_unref(d);
        }
    } else if (req == USBDEVFS_GETDRIVER) {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), &err);
        struct usbdevfs_getdriver *g = d ? (void *)d->data : NULL;
        if (g && g->interface == 0 && f->busy)
            g_strlcpy(g->driver, "usbfs", sizeof g->driver);
        else if (g && f->driver[0] && g->interface == 0)
            g_strlcpy(g->driver, f->driver, sizeof g->driver);
        else {
            ret = -1;
            e = ENODATA;
        }
        if (d)
            g_object_unref(d);
    } else if (req == USBDEVFS_IOCTL) { /* detach / attach the kernel driver */
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), &err);
        struct usbdevfs_ioctl *io = d ? (void *)d->data : NULL;
        if (io && (unsigned long)io->ioctl_code == (unsigned long)USBDEVFS_DISCONNECT && f->driver[0]) {
            f->driver[0] = 0;
        } else if (io && (unsigned long)io->ioctl_code == (unsigned long)USBDEVFS_CONNECT && !f->driver[0]) {
            g_strlcpy(f->driver, "usblp", sizeof f->driver);
            ret = 1;
        } else {
            ret = -1;
            e = io ? ENODATA : EFAULT;
        }
        if (d)
            g_object_unref(d);
    } else if (req == USBDEVFS_CLAIMINTERFACE) {
        if (f->driver[0] || f->busy) {
            ret = -1;
            e = EBUSY; /* what the kernel says while usblp or a program holds it */
        } else {
            f->claims++;
        }
    } else if (req == USBDEVFS_RELEASEINTERFACE || req == USBDEVFS_SETINTERFACE ||
               req == USBDEVFS_CLEAR_HALT || req == USBDEVFS_RESETEP) {
        /* accepted */
    } else if (req == USBDEVFS_SUBMITURB) {
        e = submit(f, arg);
        ret = e ? -1 : 0;
    } else if (req == USBDEVFS_DISCARDURB) {
        gulong target = *(gulong *)arg->data;
        ret = -1;
        e = EINVAL;
        for (GList *l = f->reads.head; l; l = l->next) {
            struct urb *u = l->data;
            if (u->addr == target) {
                g_queue_delete_link(&f->reads, l);
                URB(u)->status = -ENOENT;
                URB(u)->actual_length = 0;
                g_queue_push_tail(&f->reap, u);
                ret = 0;
                e = 0;
                break;
            }
        }
    } else if (req == USBDEVFS_REAPURBNDELAY) {
        serve_reads(f);
        if (g_queue_is_empty(&f->reap)) {
            ret = -1;
            e = f->unplugged ? ENODEV : EAGAIN;
        } else {
            struct urb *u = g_queue_pop_head(&f->reap);
            UMockdevIoctlData *slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &err);
            if (slot) {
                umockdev_ioctl_data_set_ptr(slot, 0, u->data); /* *arg = the client's urb */
                g_object_unref(slot);
            }
            urb_drop(u);
        }
    } else {
        fprintf(stderr, "fakeprn %s: unhandled ioctl 0x%lx\n", f->node, req);
        ret = -1;
        e = ENOTTY;
    }
    g_mutex_unlock(&f->lock);
    if (err) {
        fprintf(stderr, "fakeprn %s: %s\n", f->node, err->message);
        g_error_free(err);
        ret = -1;
        e = EFAULT;
    }
    umockdev_ioctl_client_complete(client, ret, e);
    return TRUE;
}

int fakeprn_testbed(const char *umockdev_file, char *err, size_t errlen)
{
    const char *pre = getenv("LD_PRELOAD");
    GError *ge = NULL;

    if (!pre || !strstr(pre, "libumockdev-preload")) {
        snprintf(err, errlen, "not under umockdev-wrapper");
        return 77;
    }
    testbed = umockdev_testbed_new();
    if (!umockdev_testbed_add_from_file(testbed, umockdev_file, &ge)) {
        snprintf(err, errlen, "%s: %s", umockdev_file, ge->message);
        g_error_free(ge);
        return -1;
    }
    return 0;
}

struct fakeprn *fakeprn_attach(const char *devnode, uint8_t ep_out, uint8_t ep_in)
{
    GError *ge = NULL;
    struct fakeprn *f;

    if (!testbed || nfakes == MAX_FAKES)
        return NULL;
    f = g_new0(struct fakeprn, 1);
    g_strlcpy(f->node, devnode, sizeof f->node);
    f->ep_out = ep_out;
    f->ep_in = ep_in;
    g_mutex_init(&f->lock);
    f->paper = g_byte_array_new();
    f->answer = g_byte_array_new();
    memset(f->status, 0x12, sizeof f->status); /* online, no error, paper present */
    f->unplug_after = -1;
    f->handler = umockdev_ioctl_base_new();
    g_signal_connect(f->handler, "handle-ioctl", G_CALLBACK(on_ioctl), f);
    if (!umockdev_testbed_attach_ioctl(testbed, devnode, f->handler, &ge)) {
        fprintf(stderr, "fakeprn: attach %s: %s\n", devnode, ge->message);
        g_error_free(ge);
        g_object_unref(f->handler);
        g_free(f);
        return NULL;
    }
    fakes[nfakes++] = f;
    return f;
}

void fakeprn_teardown(void)
{
    for (int i = 0; i < nfakes; i++) {
        struct fakeprn *f = fakes[i];
        umockdev_testbed_detach_ioctl(testbed, f->node, NULL);
        g_object_unref(f->handler);
        g_queue_clear_full(&f->reap, (GDestroyNotify)urb_drop);
        g_queue_clear_full(&f->reads, (GDestroyNotify)urb_drop);
        g_byte_array_unref(f->paper);
        g_byte_array_unref(f->answer);
        g_mutex_clear(&f->lock);
        g_free(f);
    }
    nfakes = 0;
    g_clear_object(&testbed);
}

#define LOCKED(f, stmt) do { g_mutex_lock(&(f)->lock); stmt; g_mutex_unlock(&(f)->lock); } while (0)

void fakeprn_set_driver(struct fakeprn *f, const char *name)
{
    LOCKED(f, g_strlcpy(f->driver, name ? name : "", sizeof f->driver));
}

const char *fakeprn_driver(struct fakeprn *f) { return f->driver; }

void fakeprn_set_status(struct fakeprn *f, int n, uint8_t reply)
{
    if (n >= 1 && n <= 4)
        LOCKED(f, f->status[n] = reply);
}

void fakeprn_set_busy(struct fakeprn *f, int busy) { LOCKED(f, f->busy = busy); }
void fakeprn_set_silent(struct fakeprn *f, int silent) { LOCKED(f, f->silent = silent); }
void fakeprn_unplug_after(struct fakeprn *f, long n) { LOCKED(f, f->unplug_after = n); }

void fakeprn_unplug(struct fakeprn *f) { LOCKED(f, f->unplugged = 1); }

void fakeprn_replug(struct fakeprn *f)
{
    LOCKED(f, { f->unplugged = 0; f->unplug_after = -1; f->eot = 0;
                g_byte_array_set_size(f->answer, 0); });
}

int fakeprn_unplugged(struct fakeprn *f)
{
    int u;
    LOCKED(f, u = f->unplugged);
    return u;
}

size_t fakeprn_paper(struct fakeprn *f, uint8_t **out)
{
    size_t n;
    LOCKED(f, { n = f->paper->len; *out = malloc(n ? n : 1);
                if (*out) memcpy(*out, f->paper->data, n); });
    return *out ? n : 0;
}

void fakeprn_clear(struct fakeprn *f)
{
    LOCKED(f, { g_byte_array_set_size(f->paper, 0); f->eot = 0; });
}

int fakeprn_claims(struct fakeprn *f) { return f->claims; }
int fakeprn_wrong_endpoint(struct fakeprn *f) { return f->wrong_ep; }
