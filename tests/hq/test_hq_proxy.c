/* test_hq_proxy.c - the shipped reverse-proxy configuration
 * (packaging/nginx/frontdesk-hq.conf) in front of two frontdesk-hq
 * instances on one database: Debian's nginx started on loopback with that
 * file (only its ports and certificate paths replaced), TLS with a
 * certificate made here, a kiosk that enrols and syncs through it (every row
 * at head office exactly once, both instances served batches), /health and
 * /metrics through it, and its refusals in the protocol's JSON. Skipped (77)
 * when nginx is not installed. FDHQ_TEST_DB runs it on PostgreSQL. */
#include "check.h"
#include "harness.h"
#include "sync.h"

#include "nginx_harness.h"

#ifndef FD_NGINX_CONF
#error FD_NGINX_CONF (packaging/nginx/frontdesk-hq.conf) is set by CMake
#endif

static long long batches_of(int port)
{
    char cmd[256], out[128];
    snprintf(cmd, sizeof cmd,
             "curl -s http://127.0.0.1:%d/metrics | awk '/^fdhq_batches_total /{print $2}'", port);
    if (h_sh(cmd, out, sizeof out) != 0 || !out[0])
        return -1;
    return atoll(out);
}

int main(void)
{
    struct h_server a, b;
    struct h_nginx ng;
    struct sync_result res;
    char hqdb[512], cmd[4096], url[128], tok[128], err[512], out[512], kdb[512], cert[512];

    if (!h_nginx_bin()) {
        printf("nginx is not installed (packaging/deps/hq.txt): skipped\n");
        return 77;
    }
    h_mkdir("proxy");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    /* two instances on one database, per-address limits left to nginx */
    CHECK(h_server_start(&a, hqdb, 0, NULL, "--per-ip-limit", "0") == 0);
    CHECK(h_server_start(&b, hqdb, 0, NULL, "--per-ip-limit", "0") == 0);
    /* the shipped file, with only the ports and the certificate replaced */
    CHECK(h_nginx_start(&ng, FD_NGINX_CONF, a.port, b.port, "") == 0);
    snprintf(cert, sizeof cert, "%s", ng.cert);
    int port = ng.port;

    /* a kiosk enrols and syncs through the proxy, over TLS */
    snprintf(url, sizeof url, "https://127.0.0.1:%d", port);
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    sqlite3 *k = h_kiosk_create(kdb);
    CHECK(k != NULL);
    CHECK(h_token(hqdb, "Proxied", tok, sizeof tok) == 0);
    int rc = sync_enroll_ca(k, url, tok, cert, err, sizeof err);
    CHECK_MSG(rc == SYNC_OK, "%d: %s", rc, err);
    CHECK(h_activity(k, 600, 3) == 0);
    rc = sync_round(k, 0, &res, err, sizeof err);
    CHECK_MSG(rc == SYNC_OK, "%d: %s", rc, err);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(res.batches >= 4);
    CHECK(h_compare(k, hqdb, NULL) == 0);
    /* nginx spread the batches over both instances */
    long long ba = batches_of(a.port), bb = batches_of(b.port);
    CHECK_MSG(ba > 0 && bb > 0 && ba + bb == res.batches, "%lld + %lld of %lld", ba, bb,
              (long long)res.batches);
    sqlite3_close(k);

    /* /health through it; /metrics from this machine; refusals in JSON */
    snprintf(cmd, sizeof cmd, "curl -s --cacert '%s' %s/health", cert, url);
    CHECK_INT(h_sh(cmd, out, sizeof out), 0);
    CHECK_STR(out, "{\"status\":\"ok\"}");
    snprintf(cmd, sizeof cmd, "curl -s --cacert '%s' %s/metrics | grep -c '^fdhq_'", cert, url);
    CHECK_INT(h_sh(cmd, out, sizeof out), 0);
    CHECK(atoi(out) > 10);
    snprintf(cmd, sizeof cmd,
             "head -c 3000000 /dev/zero | curl -s --cacert '%s' -o - -w ' %%{http_code}'"
             " --data-binary @- %s/v1/push",
             cert, url);
    CHECK_INT(h_sh(cmd, out, sizeof out), 0);
    CHECK_MSG(strstr(out, "too_large") && strstr(out, " 413"), "%s", out);
    snprintf(cmd, sizeof cmd,
             "head -c 8000 /dev/zero | curl -s --cacert '%s' -o - -w ' %%{http_code}'"
             " --data-binary @- %s/v1/enroll",
             cert, url);
    CHECK_INT(h_sh(cmd, out, sizeof out), 0);
    CHECK_MSG(strstr(out, " 413") != NULL, "%s", out);

    h_nginx_stop(&ng);
    h_server_stop(&a, 0);
    h_server_stop(&b, 0);
    h_rmdir();
    return check_summary();
}
