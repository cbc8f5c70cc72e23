/* prn_transport.c - URI parsing, status parsing and the non-USB transports
 * (tcp, file, virtual) behind struct prn_transport_ops; usb is usbprn.c.
 * Stream transports share one status routine: write DLE EOT n, wait for one
 * byte with poll(). */
#include "prn_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escpos_font.h"
#include "vprn.h"

#define VIRTUAL_JOB_CAP (4u * 1024u * 1024u)

const char *prn_strerror(int rc)
{
    switch (rc) {
    case PRN_OK: return "ok";
    case PRN_EURI: return "bad printer URI";
    case PRN_ENODEV: return "printer not connected";
    case PRN_EBUSY: return "printer in use by another program";
    case PRN_EIO: return "transfer to the printer failed";
    case PRN_ETIMEOUT: return "printer did not respond in time";
    case PRN_ENOMEM: return "out of memory";
    case PRN_EACCESS: return "permission denied on the printer device";
    case PRN_ENOSTATUS: return "printer cannot report its status";
    default: return "unknown printer error";
    }
}

static const char uri_forms[] =
    "use usb://auto, usb://VID:PID (hex, e.g. usb://0416:5011), tcp://HOST:PORT, "
    "file:PATH or virtual:PNG_PATH";

static int parse_hex16(const char *s, size_t n, uint16_t *out)
{
    unsigned v = 0;
    if (n < 1 || n > 4)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = (uint16_t)v;
    return 0;
}

int prn_uri_parse(const char *uri, struct prn_uri *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!uri || !*uri) {
        snprintf(err, errlen, "empty printer URI: %s", uri_forms);
        return PRN_EURI;
    }
    if (strncmp(uri, "usb://", 6) == 0) {
        const char *r = uri + 6, *colon = strchr(r, ':');
        out->kind = PRN_USB;
        if (strcmp(r, "auto") == 0) {
            out->usb_auto = 1;
            return 0;
        }
        if (!colon || parse_hex16(r, (size_t)(colon - r), &out->vid) != 0 ||
            parse_hex16(colon + 1, strlen(colon + 1), &out->pid) != 0) {
            snprintf(err, errlen, "bad USB printer \"%s\": expected usb://auto or "
                                  "usb://VID:PID with 1-4 hex digits each", uri);
            return PRN_EURI;
        }
        return 0;
    }
    if (strncmp(uri, "tcp://", 6) == 0) {
        const char *h = uri + 6, *colon = strrchr(h, ':'), *hend;
        char *end = NULL;
        out->kind = PRN_TCP;
        out->port = 9100;
        if (*h == '[') { /* [IPv6]:port */
            const char *rb = strchr(h, ']');
            if (!rb) {
                snprintf(err, errlen, "bad network printer \"%s\": missing ']'", uri);
                return PRN_EURI;
            }
            h++;
            hend = rb;
            colon = rb[1] == ':' ? rb + 1 : NULL;
        } else {
            hend = colon ? colon : h + strlen(h);
        }
        if (colon) {
            long p = strtol(colon + 1, &end, 10);
            if (!colon[1] || *end || p < 1 || p > 65535) {
                snprintf(err, errlen, "bad port in \"%s\": expected 1-65535 (printers use 9100)", uri);
                return PRN_EURI;
            }
            out->port = (int)p;
        }
        if (hend == h || (size_t)(hend - h) >= sizeof out->host) {
            snprintf(err, errlen, "bad network printer \"%s\": expected tcp://HOST:PORT", uri);
            return PRN_EURI;
        }
        memcpy(out->host, h, (size_t)(hend - h));
        return 0;
    }
    if (strncmp(uri, "file:", 5) == 0 || strncmp(uri, "virtual:", 8) == 0) {
        int virt = uri[0] == 'v';
        const char *p = uri + (virt ? 8 : 5);
        out->kind = virt ? PRN_VIRTUAL : PRN_FILE;
        if (strncmp(p, "//", 2) == 0)
            p += 2; /* file:///dev/usb/lp0 */
        if (!*p || strlen(p) >= sizeof out->path) {
            snprintf(err, errlen, "bad %s printer \"%s\": expected %s:PATH", virt ? "virtual" : "file",
                     uri, virt ? "virtual" : "file");
            return PRN_EURI;
        }
        snprintf(out->path, sizeof out->path, "%s", p);
        return 0;
    }
    snprintf(err, errlen, "unknown printer \"%s\": %s", uri, uri_forms);
    return PRN_EURI;
}

int prn_status_parse(int n, uint8_t b, struct prn_status *st)
{
    if (n < 1 || n > 4 || (b & 0x93) != 0x12)
        return -1;
    st->raw[n - 1] = b;
    switch (n) {
    case 1: st->offline = !!(b & 0x08); break;
    case 2:
        st->cover_open = !!(b & 0x04);
        st->paper_end |= !!(b & 0x20);
        st->error |= !!(b & 0x40);
        break;
    case 3:
        st->cutter_error = !!(b & 0x08);
        st->error |= !!(b & 0x60);
        break;
    case 4:
        st->paper_near_end = (b & 0x0C) == 0x0C;
        st->paper_end |= (b & 0x60) == 0x60;
        break;
    }
    return 0;
}

int prn_status_ready(const struct prn_status *st)
{
    return !st->offline && !st->cover_open && !st->paper_end && !st->cutter_error &&
           !st->error;
}

void prn_status_describe(const struct prn_status *st, char *out, size_t len)
{
    static const struct { size_t off; const char *text; } flags[] = {
        {offsetof(struct prn_status, paper_end), "paper end"},
        {offsetof(struct prn_status, cover_open), "cover open"},
        {offsetof(struct prn_status, cutter_error), "cutter error"},
        {offsetof(struct prn_status, error), "printer error"},
        {offsetof(struct prn_status, offline), "offline"},
        {offsetof(struct prn_status, paper_near_end), "paper near end"},
    };
    size_t n = 0;

    out[0] = 0;
    if (!st->answered) {
        snprintf(out, len, "no status answer");
        return;
    }
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (*(const int *)((const char *)st + flags[i].off) && n < len)
            n += (size_t)snprintf(out + n, len - n, "%s%s", n ? ", " : "", flags[i].text);
    if (n == 0)
        snprintf(out, len, "ready");
}

int prn_open(const char *uri, struct prn_transport **out, char *err, size_t errlen);

int prn_write(struct prn_transport *t, const void *buf, size_t len, int timeout_ms,
              size_t *written)
{
    size_t dummy;
    return t->ops->write(t, buf, len, timeout_ms, written ? written : &dummy);
}

int prn_status(struct prn_transport *t, struct prn_status *st, int timeout_ms)
{
    memset(st, 0, sizeof *st);
    return t->ops->status(t, st, timeout_ms);
}

void prn_close(struct prn_transport *t)
{
    if (t)
        t->ops->close(t);
}

/* ---- stream transports: tcp and file ---- */

struct fd_transport {
    struct prn_transport base;
    int fd;
    int can_read; /* a way back exists for status */
};

static int errno_to_prn(int e)
{
    switch (e) {
    case ENOENT: case ENODEV: case ENXIO: case ECONNREFUSED: case EHOSTUNREACH:
    case ENETUNREACH: case EPIPE: case ECONNRESET: return PRN_ENODEV;
    case EBUSY: return PRN_EBUSY;
    case EACCES: case EPERM: return PRN_EACCESS;
    case ETIMEDOUT: case EAGAIN: return PRN_ETIMEOUT;
    case ENOMEM: return PRN_ENOMEM;
    default: return PRN_EIO;
    }
}

static int fd_write(struct prn_transport *t, const void *buf, size_t len, int timeout_ms,
                    size_t *written)
{
    struct fd_transport *f = (struct fd_transport *)t;
    const uint8_t *p = buf;

    *written = 0;
    while (*written < len) {
        struct pollfd pfd = {.fd = f->fd, .events = POLLOUT};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0)
            return PRN_ETIMEOUT;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return PRN_EIO;
        }
        ssize_t n = t->uri.kind == PRN_TCP
                        ? send(f->fd, p + *written, len - *written, MSG_NOSIGNAL)
                        : write(f->fd, p + *written, len - *written);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return errno_to_prn(errno);
        }
        *written += (size_t)n;
    }
    return 0;
}

static int fd_status(struct prn_transport *t, struct prn_status *st, int timeout_ms)
{
    struct fd_transport *f = (struct fd_transport *)t;
    uint8_t junk[64];

    if (!f->can_read)
        return PRN_ENOSTATUS;
    /* drop stale bytes (a late answer to an earlier request) */
    while (1) {
        struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
        if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
            break;
        ssize_t n = read(f->fd, junk, sizeof junk);
        if (n == 0)
            return PRN_ENODEV;
        if (n < 0)
            break;
    }
    for (int n = 1; n <= 4; n++) {
        uint8_t req[3] = {0x10, 0x04, (uint8_t)n}, b;
        size_t w;
        int rc = fd_write(t, req, 3, timeout_ms, &w);
        if (rc)
            return rc;
        struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0)
            return PRN_ETIMEOUT;
        if (r < 0)
            return PRN_EIO;
        ssize_t got = read(f->fd, &b, 1);
        if (got == 0)
            return PRN_ENODEV;
        if (got < 0)
            return errno_to_prn(errno);
        if (prn_status_parse(n, b, st) != 0)
            return PRN_EIO;
    }
    st->answered = 1;
    return 0;
}

static void fd_close(struct prn_transport *t)
{
    struct fd_transport *f = (struct fd_transport *)t;
    if (f->fd >= 0)
        close(f->fd);
    free(f);
}

static const struct prn_transport_ops tcp_ops = {"tcp", fd_write, fd_status, fd_close};
static const struct prn_transport_ops file_ops = {"file", fd_write, fd_status, fd_close};

static int tcp_connect(const struct prn_uri *u, int *fd_out, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    char port[16];
    int fd = -1, rc = PRN_ENODEV, last = ECONNREFUSED;

    snprintf(port, sizeof port, "%d", u->port);
    int g = getaddrinfo(u->host, port, &hints, &res);
    if (g != 0) {
        snprintf(err, errlen, "network printer %s: %s", u->host, gai_strerror(g));
        return PRN_ENODEV;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        if (errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (poll(&pfd, 1, 3000) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                break;
            last = soerr ? soerr : ETIMEDOUT;
        } else {
            last = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "network printer %s:%d: %s", u->host, u->port, strerror(last));
        return rc;
    }
    *fd_out = fd;
    return 0;
}

static int fd_open(const struct prn_uri *u, struct prn_transport **out, char *err, size_t errlen)
{
    struct fd_transport *f = calloc(1, sizeof *f);
    int rc;

    if (!f)
        return PRN_ENOMEM;
    f->fd = -1;
    f->base.uri = *u;
    if (u->kind == PRN_TCP) {
        f->base.ops = &tcp_ops;
        rc = tcp_connect(u, &f->fd, err, errlen);
        f->can_read = 1;
        snprintf(f->base.detail, sizeof f->base.detail, "tcp %.100s:%d", u->host, u->port);
    } else {
        struct stat sb;
        f->base.ops = &file_ops;
        rc = 0;
        f->fd = open(u->path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (f->fd < 0 && (errno == EACCES || errno == EISDIR || errno == EROFS))
            f->fd = open(u->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (f->fd < 0 && errno == ENOENT && strncmp(u->path, "/dev/", 5) != 0)
            f->fd = open(u->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (f->fd < 0) {
            rc = errno_to_prn(errno);
            snprintf(err, errlen, "printer file %s: %s", u->path, strerror(errno));
        } else if (fstat(f->fd, &sb) == 0 && S_ISCHR(sb.st_mode)) {
            int fl = fcntl(f->fd, F_GETFL);
            f->can_read = (fl & O_ACCMODE) == O_RDWR;
        }
        snprintf(f->base.detail, sizeof f->base.detail, "file %.100s", u->path);
    }
    if (rc) {
        fd_close(&f->base);
        return rc;
    }
    *out = &f->base;
    return 0;
}

/* ---- virtual printer ---- */

struct virt_transport {
    struct prn_transport base;
    struct escpos_font *font; /* NULL: boxes instead of glyphs */
    int dots;                 /* paper width */
    int jobs;                 /* jobs written, for %d in the path */
};

/* The PNG path for job n: the URI path with its first "%d" replaced by n and
 * any "?dots=N" suffix removed. */
static void virt_path(const struct virt_transport *v, char *out, size_t len)
{
    char base[1024];
    const char *q, *pct;

    snprintf(base, sizeof base, "%s", v->base.uri.path);
    q = strstr(base, "?dots=");
    if (q)
        base[q - base] = 0;
    pct = strstr(base, "%d");
    if (pct)
        snprintf(out, len, "%.*s%d%s", (int)(pct - base), base, v->jobs, pct + 2);
    else
        snprintf(out, len, "%s", base);
}

static int virt_write(struct prn_transport *t, const void *buf, size_t len, int timeout_ms,
                      size_t *written)
{
    struct virt_transport *v = (struct virt_transport *)t;
    struct vprn *p;
    char path[1100], err[256];
    int rc = 0;

    (void)timeout_ms;
    *written = 0;
    if (len > VIRTUAL_JOB_CAP)
        return PRN_EIO;
    p = vprn_new(v->dots, v->font);
    if (!p)
        return PRN_ENOMEM;
    v->jobs++;
    vprn_feed(p, buf, len);
    virt_path(v, path, sizeof path);
    if (vprn_write_png(p, path, err, sizeof err) != 0)
        rc = PRN_EIO;
    else
        *written = len;
    vprn_free(p);
    return rc;
}

static int virt_status(struct prn_transport *t, struct prn_status *st, int timeout_ms)
{
    (void)t;
    (void)timeout_ms;
    for (int n = 1; n <= 4; n++)
        prn_status_parse(n, 0x12, st);
    st->answered = 1;
    return 0;
}

static void virt_close(struct prn_transport *t)
{
    struct virt_transport *v = (struct virt_transport *)t;
    escpos_font_close(v->font);
    free(v);
}

static const struct prn_transport_ops virt_ops = {"virtual", virt_write, virt_status, virt_close};

static int virt_open(const struct prn_uri *u, struct prn_transport **out, char *err,
                     size_t errlen)
{
    struct virt_transport *v = calloc(1, sizeof *v);
    const char *q = strstr(u->path, "?dots=");
    char ferr[256];

    if (!v)
        return PRN_ENOMEM;
    v->base.ops = &virt_ops;
    v->base.uri = *u;
    v->dots = 384;
    if (q) {
        v->dots = atoi(q + 6);
        if (v->dots != 384 && v->dots != 576) {
            snprintf(err, errlen, "virtual printer: dots must be 384 (58 mm) or 576 (80 mm)");
            free(v);
            return PRN_EURI;
        }
    }
    if (escpos_font_open(NULL, 0, &v->font, ferr, sizeof ferr) != 0)
        v->font = NULL; /* still prints, glyphs as boxes */
    snprintf(v->base.detail, sizeof v->base.detail, "virtual %d dots%s", v->dots,
             v->font ? "" : " (no font: boxes)");
    *out = &v->base;
    return 0;
}

int prn_open(const char *uri, struct prn_transport **out, char *err, size_t errlen)
{
    struct prn_uri u;
    int rc = prn_uri_parse(uri, &u, err, errlen);

    *out = NULL;
    if (rc)
        return rc;
    switch (u.kind) {
    case PRN_USB: return usbprn_open(&u, out, err, errlen);
    case PRN_TCP:
    case PRN_FILE: return fd_open(&u, out, err, errlen);
    case PRN_VIRTUAL: return virt_open(&u, out, err, errlen);
    }
    return PRN_EURI;
}
