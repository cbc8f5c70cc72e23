/* counter_tls.c - the counter page's TLS certificate: made once, at the first
 * start that listens beyond loopback, with GnuTLS (libmicrohttpd's own TLS
 * library, so nothing else is linked), and kept beside the store. It is
 * self-signed: a branch has no name a public authority would certify, so
 * staff check its SHA-256 fingerprint, printed at start and shown on the
 * kiosk console's health page, once per device when the browser asks. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "counter.h"

#define PEM_MAX (64 * 1024) /* a certificate or key file larger is not ours */
#define VALID_DAYS 3650

/* Reads a whole small file; NULL when absent (errno ENOENT) or unreadable. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f)
        return NULL;
    buf = malloc(PEM_MAX + 1);
    n = buf ? fread(buf, 1, PEM_MAX, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n == PEM_MAX) {
        free(buf);
        errno = EINVAL;
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Writes `data` to `path` whole: a temporary file (mode), synced, renamed. */
static int put_file(const char *path, const void *data, size_t len, mode_t mode)
{
    char tmp[4200];
    int fd;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    if (write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    return rename(tmp, path);
}

static int fingerprint(const char *pem, char fpr[96])
{
    gnutls_x509_crt_t crt;
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)strlen(pem)};
    unsigned char md[32];
    size_t mdlen = sizeof md;
    int rc = -1;
    if (gnutls_x509_crt_init(&crt) < 0)
        return -1;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) >= 0 &&
        gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md, &mdlen) >= 0 &&
        mdlen == 32) {
        for (int i = 0; i < 32; i++)
            snprintf(fpr + i * 3, 4, "%02X%s", md[i], i < 31 ? ":" : "");
        rc = 0;
    }
    gnutls_x509_crt_deinit(crt);
    return rc;
}

/* Makes a key and a self-signed certificate for `ip` (its address as a
 * subjectAltName unless it is 0.0.0.0) and writes both. */
static int make(const char *cert_path, const char *key_path, const char *ip, char *err,
                size_t errlen)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kd = {0}, cd = {0};
    unsigned char serial[16], addr[4];
    time_t now = time(NULL);
    const char *cn = "frontdesk-counter";
    int rc = -1, g;

    if ((g = gnutls_x509_privkey_init(&key)) < 0 ||
        (g = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
        (g = gnutls_x509_crt_init(&crt)) < 0 || (g = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (g = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
        goto gerr;
    serial[0] &= 0x7f; /* a positive serial */
    if ((g = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (g = gnutls_x509_crt_set_activation_time(crt, now - 86400)) < 0 ||
        (g = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)VALID_DAYS * 86400)) < 0 ||
        (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                           (unsigned)strlen(cn))) < 0 ||
        (g = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
        goto gerr;
    if (inet_pton(AF_INET, ip, addr) == 1 && memcmp(addr, "\0\0\0\0", 4) != 0 &&
        (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, addr, 4,
                                                  GNUTLS_FSAN_APPEND)) < 0)
        goto gerr;
    if ((g = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (g = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kd)) < 0 ||
        (g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd)) < 0)
        goto gerr;
    /* The key first: a certificate never exists without its key. */
    if (put_file(key_path, kd.data, kd.size, 0600) != 0 ||
        put_file(cert_path, cd.data, cd.size, 0644) != 0) {
        snprintf(err, errlen, "cannot write %s / %s: %s", key_path, cert_path, strerror(errno));
        goto out;
    }
    rc = 0;
    goto out;
gerr:
    snprintf(err, errlen, "making the TLS certificate: %s", gnutls_strerror(g));
out:
    if (kd.data) {
        gnutls_memset(kd.data, 0, kd.size);
        gnutls_free(kd.data);
    }
    gnutls_free(cd.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return rc;
}

int counter_tls_load(const char *cert_path, const char *key_path, const char *ip, char **cert,
                     char **key, char fpr[96], char *err, size_t errlen)
{
    *cert = *key = NULL;
    if (access(cert_path, F_OK) != 0 || access(key_path, F_OK) != 0) {
        if (make(cert_path, key_path, ip, err, errlen))
            return -1;
        printf("frontdesk-counter: made a self-signed TLS certificate %s\n", cert_path);
    }
    *cert = slurp(cert_path);
    *key = slurp(key_path);
    if (!*cert || !*key || fingerprint(*cert, fpr) != 0) {
        snprintf(err, errlen, "cannot read the TLS certificate %s and key %s", cert_path,
                 key_path);
        if (*key) {
            gnutls_memset(*key, 0, strlen(*key));
            free(*key);
        }
        free(*cert);
        *cert = *key = NULL;
        return -1;
    }
    return 0;
}
