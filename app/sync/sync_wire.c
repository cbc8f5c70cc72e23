/* sync_wire.c - signing string, Ed25519, hashes, nonces and capped gzip for
 * the sync protocol (see sync_wire.h and hq/PROTOCOL.md). libsodium does the
 * cryptography and zlib the compression; this file only fixes the formats. */
#include "sync_wire.h"

#include <sodium.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int sync_wire_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void sync_hex(const unsigned char *in, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

int sync_unhex(const char *hex, unsigned char *out, size_t n)
{
    size_t got = 0;
    if (!hex || strlen(hex) != 2 * n)
        return -1;
    if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) != 0 || got != n)
        return -1;
    return 0;
}

void sync_body_hash(const void *body, size_t len, char out[SYNC_HASH_HEX + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, len ? body : (const void *)"", len);
    sync_hex(h, sizeof h, out);
}

void sync_nonce(char out[SYNC_NONCE_HEX + 1])
{
    unsigned char r[SYNC_NONCE_HEX / 2];
    randombytes_buf(r, sizeof r);
    sync_hex(r, sizeof r, out);
}

int sync_sign_string(char *buf, size_t len, const char *method, const char *path,
                     const char *body_hash, const char *device_id, long long ts,
                     const char *nonce)
{
    int n = snprintf(buf, len, "FD1\n%s\n%s\n%s\n%s\n%lld\n%s", method, path, body_hash,
                     device_id, ts, nonce);
    return (n < 0 || (size_t)n >= len) ? -1 : n;
}

/* The signed string for a request, in buf (4 KiB is plenty: headers are capped). */
static int build(char *buf, size_t len, const char *method, const char *path,
                 const void *body, size_t body_len, const char *device_id, long long ts,
                 const char *nonce)
{
    char h[SYNC_HASH_HEX + 1];
    sync_body_hash(body, body_len, h);
    return sync_sign_string(buf, len, method, path, h, device_id, ts, nonce);
}

int sync_sign(const unsigned char sk[SYNC_SK_BYTES], const char *method, const char *path,
              const void *body, size_t body_len, const char *device_id, long long ts,
              const char *nonce, char out[SYNC_SIG_HEX + 1])
{
    char msg[4096];
    unsigned char sig[crypto_sign_BYTES];
    int n = build(msg, sizeof msg, method, path, body, body_len, device_id, ts, nonce);
    if (n < 0)
        return -1;
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (size_t)n, sk);
    sync_hex(sig, sizeof sig, out);
    return 0;
}

int sync_verify(const unsigned char pk[SYNC_PK_BYTES], const char *method, const char *path,
                const void *body, size_t body_len, const char *device_id, long long ts,
                const char *nonce, const char *sig_hex)
{
    char msg[4096];
    unsigned char sig[crypto_sign_BYTES];
    int n = build(msg, sizeof msg, method, path, body, body_len, device_id, ts, nonce);
    if (n < 0 || sync_unhex(sig_hex, sig, sizeof sig) != 0)
        return -1;
    return crypto_sign_verify_detached(sig, (const unsigned char *)msg, (size_t)n, pk) == 0
               ? 0 : -1;
}

int sync_gzip(const void *in, size_t len, unsigned char **out, size_t *out_len)
{
    z_stream z;
    unsigned char *buf;
    size_t cap;
    int rc;

    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    cap = deflateBound(&z, len) + 32;
    buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (unsigned char *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    rc = deflate(&z, Z_FINISH);
    if (rc != Z_STREAM_END) {
        deflateEnd(&z);
        free(buf);
        return -1;
    }
    *out_len = cap - z.avail_out;
    *out = buf;
    deflateEnd(&z);
    return 0;
}

int sync_gunzip(const void *in, size_t len, size_t max, char **out, size_t *out_len)
{
    z_stream z;
    char *buf = NULL;
    size_t cap = len * 4 + 1024, used = 0;
    int rc = -1, zr;

    *out = NULL;
    *out_len = 0;
    if (cap > max + 1)
        cap = max + 1;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return -1;
    buf = malloc(cap + 1);
    if (!buf)
        goto done;
    z.next_in = (unsigned char *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    for (;;) {
        if (used == cap) {
            size_t ncap;
            char *nb;
            if (cap > max) { /* already holds max + 1 bytes: over the cap */
                rc = -2;
                goto done;
            }
            ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            nb = realloc(buf, ncap + 1);
            if (!nb)
                goto done;
            buf = nb;
            cap = ncap;
        }
        z.next_out = (unsigned char *)buf + used;
        z.avail_out = (uInt)(cap - used);
        zr = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && !(zr == Z_BUF_ERROR && z.avail_out == 0))
            goto done; /* corrupt, or input ended before the stream did */
        if (z.avail_in == 0 && z.avail_out != 0)
            goto done; /* truncated */
    }
    if (used > max) {
        rc = -2;
        goto done;
    }
    if (z.avail_in != 0)
        goto done; /* trailing bytes after the stream */
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    buf = NULL;
    rc = 0;
done:
    inflateEnd(&z);
    free(buf);
    return rc;
}
