/* test_sync_tls.c - head office over HTTPS (--tls-cert/--tls-key): a kiosk
 * enrolled with the CA to trust syncs; one that trusts only the system's CAs
 * refuses the unknown certificate and sends nothing. The certificate is made
 * here with openssl for 127.0.0.1. */
#include "check.h"
#include "harness.h"
#include "sync.h"

int main(void)
{
    struct h_server srv;
    struct sync_result res;
    char hqdb[512], kdb[512], kdb2[512], url[128], tok[128], err[512], cert[512], key[512];
    char cmd[2048];
    sqlite3 *k, *k2;

    h_mkdir("tls");
    h_path(hqdb, sizeof hqdb, "hq.sqlite");
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    h_path(kdb2, sizeof kdb2, "kiosk2.sqlite");
    h_path(cert, sizeof cert, "cert.pem");
    h_path(key, sizeof key, "key.pem");
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
             " -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' 2>/dev/null",
             key, cert);
    CHECK(system(cmd) == 0);
    {
        /* The harness passes at most two extra arguments: a wrapper adds both. */
        char wrap[512];
        h_path(wrap, sizeof wrap, "hq-tls.sh");
        FILE *f = fopen(wrap, "w");
        fprintf(f, "#!/bin/sh\nexec '%s' \"$@\" --tls-cert '%s' --tls-key '%s'\n", FDHQ_BIN,
                cert, key);
        fclose(f);
        chmod(wrap, 0755);
        CHECK(h_server_start_bin(&srv, wrap, hqdb, 0, NULL, NULL, NULL) == 0);
    }
    snprintf(url, sizeof url, "https://127.0.0.1:%d", srv.port);

    k = h_kiosk_create(kdb);
    k2 = h_kiosk_create(kdb2);
    CHECK(h_token(hqdb, "TLS", tok, sizeof tok) == 0);
    /* Without the CA: the certificate is refused, nothing is enrolled. */
    CHECK_INT(sync_enroll(k2, url, tok, err, sizeof err), SYNC_E_NET);
    CHECK(strstr(err, "certificate") != NULL || strstr(err, "SSL") != NULL);
    /* With it: enrolled, and the records go over TLS. */
    CHECK_INT(sync_enroll_ca(k, url, tok, cert, err, sizeof err), SYNC_OK);
    CHECK(h_activity(k, 100, 1) == 0);
    CHECK_INT(sync_round(k, 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(k, "SELECT count(*) FROM outbox"), 0);
    CHECK(h_compare(k, hqdb, NULL) == 0);
    /* Plain HTTP to the TLS port gets nowhere. */
    h_exec(k, "UPDATE sync_state SET hq_url = replace(hq_url, 'https:', 'http:')");
    CHECK(h_activity(k, 1, 2) == 0);
    CHECK(sync_round(k, 0, &res, err, sizeof err) != SYNC_OK);

    sqlite3_close(k);
    sqlite3_close(k2);
    h_server_stop(&srv, 0);
    h_rmdir();
    return check_summary();
}
