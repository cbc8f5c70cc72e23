/* test_transport.c - printer URIs (good and bad, with the errors a person
 * reads), status bytes, and the non-USB transports: a device file, a
 * network printer on loopback (a small server thread that keeps what it
 * receives and answers DLE EOT), and the virtual printer writing PNGs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "prn_transport.h"

static void test_uri(void)
{
    struct prn_uri u;
    char err[256];

    CHECK_INT(prn_uri_parse("usb://auto", &u, err, sizeof err), 0);
    CHECK(u.kind == PRN_USB && u.usb_auto);
    CHECK_INT(prn_uri_parse("usb://0416:5011", &u, err, sizeof err), 0);
    CHECK(u.kind == PRN_USB && !u.usb_auto && u.vid == 0x0416 && u.pid == 0x5011);
    CHECK_INT(prn_uri_parse("usb://0FE6:811E", &u, err, sizeof err), 0);
    CHECK(u.vid == 0x0fe6 && u.pid == 0x811e);
    CHECK_INT(prn_uri_parse("tcp://192.0.2.7:9100", &u, err, sizeof err), 0);
    CHECK(u.kind == PRN_TCP && !strcmp(u.host, "192.0.2.7") && u.port == 9100);
    CHECK_INT(prn_uri_parse("tcp://printer.local", &u, err, sizeof err), 0);
    CHECK(u.port == 9100 && !strcmp(u.host, "printer.local"));
    CHECK_INT(prn_uri_parse("tcp://[::1]:9101", &u, err, sizeof err), 0);
    CHECK(!strcmp(u.host, "::1") && u.port == 9101);
    CHECK_INT(prn_uri_parse("file:/dev/usb/lp0", &u, err, sizeof err), 0);
    CHECK(u.kind == PRN_FILE && !strcmp(u.path, "/dev/usb/lp0"));
    CHECK_INT(prn_uri_parse("file:///dev/usb/lp1", &u, err, sizeof err), 0);
    CHECK(!strcmp(u.path, "/dev/usb/lp1"));
    CHECK_INT(prn_uri_parse("virtual:/tmp/r.png", &u, err, sizeof err), 0);
    CHECK(u.kind == PRN_VIRTUAL && !strcmp(u.path, "/tmp/r.png"));

    static const struct { const char *uri, *says; } bad[] = {
        {"", "empty printer URI"},
        {"usb://", "expected usb://auto or usb://VID:PID"},
        {"usb://0416", "usb://VID:PID"},
        {"usb://0416:50111", "1-4 hex digits"},
        {"usb://xyz:5011", "hex"},
        {"tcp://host:0", "1-65535"},
        {"tcp://host:99999", "1-65535"},
        {"tcp://host:91x", "bad port"},
        {"tcp://:9100", "expected tcp://HOST:PORT"},
        {"tcp://[::1:9100", "missing ']'"},
        {"file:", "expected file:PATH"},
        {"virtual:", "expected virtual:PATH"},
        {"lpt1", "use usb://auto, usb://VID:PID"},
        {"http://x", "unknown printer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK_INT(prn_uri_parse(bad[i].uri, &u, err, sizeof err), PRN_EURI);
        CHECK_MSG(strstr(err, bad[i].says) != NULL, "\"%s\": \"%s\"", bad[i].uri, err);
    }
    struct prn_transport *t = (struct prn_transport *)1;
    CHECK_INT(prn_open("bogus", &t, err, sizeof err), PRN_EURI);
    CHECK(t == NULL);
}

static void test_status_bytes(void)
{
    struct prn_status st;
    char d[128];

    memset(&st, 0, sizeof st);
    CHECK(prn_status_parse(1, 0x12, &st) == 0 && prn_status_parse(2, 0x12, &st) == 0 &&
          prn_status_parse(3, 0x12, &st) == 0 && prn_status_parse(4, 0x12, &st) == 0);
    st.answered = 1;
    CHECK(prn_status_ready(&st));
    prn_status_describe(&st, d, sizeof d);
    CHECK_STR(d, "ready");
    CHECK(prn_status_parse(1, 0x1a, &st) == 0 && st.offline);
    CHECK(prn_status_parse(2, 0x76, &st) == 0 && st.cover_open && st.paper_end && st.error);
    CHECK(prn_status_parse(3, 0x1a, &st) == 0 && st.cutter_error);
    CHECK(prn_status_parse(4, 0x1e, &st) == 0 && st.paper_near_end);
    prn_status_describe(&st, d, sizeof d);
    CHECK_STR(d, "paper end, cover open, cutter error, printer error, offline, paper near end");
    CHECK(prn_status_parse(1, 0x00, &st) == -1); /* fixed bits wrong */
    CHECK(prn_status_parse(1, 0x92, &st) == -1);
    CHECK(prn_status_parse(5, 0x12, &st) == -1);
    memset(&st, 0, sizeof st);
    prn_status_describe(&st, d, sizeof d);
    CHECK_STR(d, "no status answer");
}

static void test_file(void)
{
    char path[64], uri[80], err[256];
    struct prn_transport *t;
    struct prn_status st;
    size_t n = 0;

    snprintf(path, sizeof path, "/tmp/fd-lp-%d.bin", (int)getpid());
    snprintf(uri, sizeof uri, "file:%s", path);
    CHECK_INT(prn_open(uri, &t, err, sizeof err), 0);
    CHECK_INT(prn_write(t, "\x1b@hello\n", 8, 1000, &n), 0);
    CHECK_INT(n, 8);
    CHECK_INT(prn_status(t, &st, 100), PRN_ENOSTATUS); /* a plain file has no way back */
    prn_close(t);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size == 8);
    unlink(path);
    CHECK_INT(prn_open("file:/dev/usb/lp9", &t, err, sizeof err), PRN_ENODEV);
    CHECK(strstr(err, "/dev/usb/lp9") != NULL);
}

/* A network printer on loopback: keeps bytes, answers DLE EOT n with reply[n]. */
struct netprn {
    int lfd, port;
    uint8_t got[4096];
    size_t ngot;
    uint8_t reply[5];
};

static void *netprn_main(void *arg)
{
    struct netprn *p = arg;
    int fd = accept(p->lfd, NULL, NULL);
    uint8_t b[512];
    int eot = 0;
    ssize_t n;
    while (fd >= 0 && (n = read(fd, b, sizeof b)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (p->ngot < sizeof p->got)
                p->got[p->ngot++] = b[i];
            if (eot == 2 && b[i] >= 1 && b[i] <= 4 && write(fd, &p->reply[b[i]], 1) != 1)
                break;
            eot = b[i] == 0x10 ? 1 : (eot == 1 && b[i] == 4) ? 2 : 0;
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void test_tcp(void)
{
    struct netprn p = {.reply = {0, 0x12, 0x12, 0x12, 0x72}};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    pthread_t th;
    char uri[64], err[256];
    struct prn_transport *t;
    struct prn_status st;

    p.lfd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(bind(p.lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(p.lfd, 1) == 0);
    getsockname(p.lfd, (struct sockaddr *)&a, &al);
    p.port = ntohs(a.sin_port);
    pthread_create(&th, NULL, netprn_main, &p);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", p.port);
    CHECK_INT(prn_open(uri, &t, err, sizeof err), 0);
    CHECK_INT(prn_write(t, "\x1b@net\n", 6, 1000, NULL), 0);
    CHECK_INT(prn_status(t, &st, 2000), 0);
    CHECK(st.answered && st.paper_end && !prn_status_ready(&st));
    prn_close(t);
    pthread_join(th, NULL);
    CHECK_INT(p.ngot, 6 + 12);
    CHECK(memcmp(p.got, "\x1b@net\n\x10\x04\x01", 9) == 0);
    close(p.lfd); /* now nobody listens there */
    CHECK_INT(prn_open(uri, &t, err, sizeof err), PRN_ENODEV);
    CHECK(strstr(err, "refused") != NULL);
}

static void test_virtual(void)
{
    char uri[128], path[128], err[256];
    struct prn_transport *t;
    struct prn_status st;
    struct stat sb;

    snprintf(uri, sizeof uri, "virtual:/tmp/fd-virt-%d-%%d.png?dots=576", (int)getpid());
    CHECK_INT(prn_open(uri, &t, err, sizeof err), 0);
    CHECK_INT(prn_status(t, &st, 100), 0);
    CHECK(st.answered && prn_status_ready(&st));
    CHECK_INT(prn_write(t, "\x1b@one\n", 6, 1000, NULL), 0);
    CHECK_INT(prn_write(t, "\x1b@two\n", 6, 1000, NULL), 0);
    prn_close(t);
    for (int i = 1; i <= 2; i++) {
        snprintf(path, sizeof path, "/tmp/fd-virt-%d-%d.png", (int)getpid(), i);
        CHECK(stat(path, &sb) == 0 && sb.st_size > 100);
        unlink(path);
    }
    CHECK_INT(prn_open("virtual:/tmp/x.png?dots=500", &t, err, sizeof err), PRN_EURI);
    CHECK_INT(prn_open("virtual:/nonexistent-dir/x.png", &t, err, sizeof err), 0);
    CHECK_INT(prn_write(t, "x\n", 2, 1000, NULL), PRN_EIO);
    prn_close(t);
}

int main(void)
{
    test_uri();
    test_status_bytes();
    test_file();
    test_tcp();
    test_virtual();
    return check_summary();
}
