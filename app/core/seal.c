/* seal.c - secrets sealed at rest with this machine's id (seal.h):
 * libsodium's secretbox (XSalsa20-Poly1305) under a BLAKE2b hash of the
 * machine id. Moved here from app/sync/sync.c, which sealed the device key
 * alone, so that core's deny key is sealed by the same code (core may not
 * call sync). The format is unchanged: keys sealed before still open. */
#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOX_MAX (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + SEAL_SECRET_MAX)

/* The sealing key: a hash of this machine's id (/etc/machine-id; a test
 * build, FD_TEST_HOOKS, reads FD_MACHINE_ID_FILE first). Returns 0, or -1
 * when there is no machine id to read. */
static int machine_key(unsigned char key[crypto_secretbox_KEYBYTES])
{
#ifdef FD_TEST_HOOKS
    const char *path = getenv("FD_MACHINE_ID_FILE");
#else
    const char *path = NULL;
#endif
    char id[128] = "";
    FILE *f = fopen(path && *path ? path : "/etc/machine-id", "r");
    size_t n;
    if (!f)
        return -1;
    n = fread(id, 1, sizeof id - 1, f);
    fclose(f);
    id[n] = '\0';
    id[strcspn(id, "\r\n")] = '\0';
    if (strlen(id) < 8)
        return -1;
    /* the context names the first secret sealed so; kept for every one:
     * the keys already sealed with it must still open */
    crypto_generichash(key, crypto_secretbox_KEYBYTES, (const unsigned char *)id, strlen(id),
                       (const unsigned char *)"frontdesk-device-key-1", 22);
    sodium_memzero(id, sizeof id);
    return 0;
}

int seal_put(const unsigned char *secret, size_t n, char *out, size_t outlen)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    unsigned char box[BOX_MAX];
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    if (outlen)
        out[0] = '\0';
    if (n == 0 || n > SEAL_SECRET_MAX || outlen < SEAL_TEXT_LEN(n))
        return -1;
    if (machine_key(key) != 0) {
        fprintf(stderr, "seal: no machine id: a secret is stored unsealed\n");
        sodium_bin2hex(out, outlen, secret, n);
        return 0;
    }
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, n, box, key);
    memcpy(out, SEAL_PREFIX, 3);
    sodium_bin2hex(out + 3, outlen - 3, box, blen);
    sodium_memzero(key, sizeof key);
    return 1;
}

/* Exactly 2n hex digits into n bytes: 0, or -1. */
static int unhex(const char *hex, unsigned char *out, size_t n)
{
    size_t got = 0;
    if (!hex || strlen(hex) != 2 * n)
        return -1;
    return sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) == 0 && got == n ? 0 : -1;
}

int seal_open(const char *stored, unsigned char *secret, size_t n)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    unsigned char box[BOX_MAX];
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    int rc = -1;
    if (!stored || n == 0 || n > SEAL_SECRET_MAX)
        return -1;
    if (!seal_is_sealed(stored)) {
        rc = unhex(stored, secret, n);
    } else if (unhex(stored + 3, box, blen) == 0 && machine_key(key) == 0) {
        rc = crypto_secretbox_open_easy(secret, box + crypto_secretbox_NONCEBYTES,
                                        blen - crypto_secretbox_NONCEBYTES, box, key) == 0
                 ? 0
                 : -1;
        sodium_memzero(key, sizeof key);
    }
    sodium_memzero(box, sizeof box);
    if (rc != 0)
        sodium_memzero(secret, n);
    return rc;
}

int seal_is_sealed(const char *stored)
{
    return stored && strncmp(stored, SEAL_PREFIX, 3) == 0;
}

int seal_available(void)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    int ok = machine_key(key) == 0;
    sodium_memzero(key, sizeof key);
    return ok;
}
