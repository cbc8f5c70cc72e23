/* sync_wire.h - the parts of the sync protocol both ends share (hq/PROTOCOL.md):
 * the string a request signature covers, Ed25519 signing and verifying over
 * it, body hashes, nonces, hex, and gzip with caps. The kiosk's sync worker
 * and frontdesk-hq link the same code, so they cannot drift apart. Needs only
 * libsodium and zlib: no SQLite, no network. */
#ifndef SYNC_WIRE_H
#define SYNC_WIRE_H
#include <stddef.h>

#define SYNC_PK_BYTES 32          /* crypto_sign_PUBLICKEYBYTES */
#define SYNC_SK_BYTES 64          /* crypto_sign_SECRETKEYBYTES */
#define SYNC_SIG_HEX 128          /* signature as hex */
#define SYNC_NONCE_HEX 32         /* nonce as hex */
#define SYNC_HASH_HEX 64          /* SHA-256 as hex */
#define SYNC_TS_WINDOW 300        /* seconds a signed timestamp may be off */
#define SYNC_NONCE_KEEP 900       /* seconds head office keeps nonces */
#define SYNC_BODY_MAX (2u << 20)  /* request body as sent (gzip) */
#define SYNC_PLAIN_MAX (16u << 20)/* body after gunzip */
#define SYNC_BATCH_MAX 500        /* records per push */

/* Starts libsodium; 0 or -1. Safe to call many times, from any thread. */
int sync_wire_init(void);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void sync_hex(const unsigned char *in, size_t n, char *out);

/* Parses exactly 2n hex chars into n bytes; 0 or -1 (wrong length, not hex). */
int sync_unhex(const char *hex, unsigned char *out, size_t n);

/* Hex SHA-256 of body (len may be 0) into out[SYNC_HASH_HEX + 1]. */
void sync_body_hash(const void *body, size_t len, char out[SYNC_HASH_HEX + 1]);

/* A fresh random nonce, hex, into out[SYNC_NONCE_HEX + 1]. */
void sync_nonce(char out[SYNC_NONCE_HEX + 1]);

/* Builds the signed string of PROTOCOL.md into buf; returns its length, or
 * -1 if it does not fit in len. */
int sync_sign_string(char *buf, size_t len, const char *method, const char *path,
                     const char *body_hash, const char *device_id, long long ts,
                     const char *nonce);

/* Signs a request: out gets the signature as hex (SYNC_SIG_HEX + 1 bytes).
 * Returns 0 or -1 (strings too long). */
int sync_sign(const unsigned char sk[SYNC_SK_BYTES], const char *method, const char *path,
              const void *body, size_t body_len, const char *device_id, long long ts,
              const char *nonce, char out[SYNC_SIG_HEX + 1]);

/* Verifies a request signature (hex). Returns 0 when it verifies, -1 when not
 * (including malformed hex). Constant time in the key and signature. */
int sync_verify(const unsigned char pk[SYNC_PK_BYTES], const char *method, const char *path,
                const void *body, size_t body_len, const char *device_id, long long ts,
                const char *nonce, const char *sig_hex);

/* gzip-compresses in into a malloc'd buffer (*out, *out_len). 0 or -1. */
int sync_gzip(const void *in, size_t len, unsigned char **out, size_t *out_len);

/* Inflates a gzip stream into a malloc'd, NUL-terminated buffer of at most
 * max bytes (the NUL not counted). Returns 0, -1 (corrupt or truncated
 * stream, trailing garbage) or -2 (would exceed max: a "zip bomb" stops
 * here, not in memory). */
int sync_gunzip(const void *in, size_t len, size_t max, char **out, size_t *out_len);

#endif
