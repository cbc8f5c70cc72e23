/* counter_main.c - the program `frontdesk-counter`: every counter's caller
 * as a page in a browser on the branch network, and a JSON API for
 * integrations and hardware callers, served from the kiosk's own store
 * through core (another process on the same SQLite file, as frontdesk-ctl
 * is). The kiosk starts it when the setting counter_listen is set; it runs
 * by itself too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: frontdesk-counter --db DB --listen ADDR:PORT [--tls-cert PEM --tls-key PEM]"
            " [--tls]\n"
            "  plain HTTP on a loopback address (127.x.x.x), TLS anywhere else (a self-signed\n"
            "  certificate made at first start beside DB, its fingerprint printed);\n"
            "  --tls: TLS on loopback too.\n");
}

int main(int argc, char **argv)
{
    struct counter_opts o = {0};
    char err[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--db") && v)
            o.db = v, i++;
        else if (!strcmp(a, "--listen") && v)
            o.listen = v, i++;
        else if (!strcmp(a, "--tls-cert") && v)
            o.cert = v, i++;
        else if (!strcmp(a, "--tls-key") && v)
            o.key = v, i++;
        else if (!strcmp(a, "--tls"))
            o.force_tls = 1;
        else {
            usage();
            return 2;
        }
    }
    if (!o.db)
        o.db = getenv("FRONTDESK_DB");
    if (!o.db || !o.listen || !o.cert != !o.key) {
        usage();
        return 2;
    }
    if (counter_run(&o, err, sizeof err) != 0) {
        fprintf(stderr, "frontdesk-counter: %s\n", err);
        return 1;
    }
    return 0;
}
