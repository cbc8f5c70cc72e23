/* hq_server.h - the HTTP(S) side of frontdesk-hq: libmicrohttpd, a pool of
 * store handles, request signing checks, push/pull/enroll, /health and
 * /metrics, caps and load shedding (hq/PROTOCOL.md is the contract). */
#ifndef HQ_SERVER_H
#define HQ_SERVER_H
#include <stddef.h>

struct hq_server_opts {
    const char *db;            /* store name (hq_store_open) */
    const char *listen;        /* "ADDR:PORT" (IPv4); port 0 picks a free one */
    const char *tls_cert;      /* PEM files; both or neither */
    const char *tls_key;
    int threads;               /* worker threads = store handles (default 4) */
    int max_inflight;          /* requests served at once before 503 (default 32) */
    const char *admin_token_file; /* enables /v1/admin/ (the dashboard API): a file
                                     holding the bearer token; NULL = disabled */
    int per_ip_limit;          /* connections at once from one address: 0 = default
                                  (16), <0 = no limit (behind a reverse proxy) */
    const char *metrics_token_file; /* /metrics needs this bearer token; NULL = only
                                       from a loopback address */
};

/* Serves until SIGINT or SIGTERM. Prints "listening on ADDR:PORT" on stdout
 * once requests are accepted. Returns 0 after a clean stop, or -1 with err
 * set when it cannot start (bad address, port taken, unreadable TLS files,
 * database cannot be opened). Test-only faults come from the environment
 * variable FDHQ_FAULT in a build with FD_TEST_HOOKS only (see hq_server.c). */
int hq_server_run(const struct hq_server_opts *o, char *err, size_t errlen);

#endif
