/* seal.h - secrets sealed at rest with this machine's id: the kiosk's
 * device signing key (app/sync, sync_state.secret_key) and head office's
 * deny key (deny.c, deny_key.key). Sealed text is "s1:" + hex(nonce |
 * crypto_secretbox(secret)) under a key hashed from /etc/machine-id, so a
 * copy of the database taken off the box (a backup) carries no usable
 * secret; a restore on the same box still opens it. Plain hex is what
 * stores written before sealing hold (and what a box without a machine id
 * writes): seal_open reads it, seal_is_sealed tells the caller to seal it
 * again (the migration path). One scheme for every secret the kiosk keeps. */
#ifndef FD_SEAL_H
#define FD_SEAL_H
#include <stddef.h>

#define SEAL_PREFIX "s1:"
#define SEAL_SECRET_MAX 64   /* bytes of a secret (the Ed25519 secret key is 64) */
/* bytes of the stored text of an n-byte secret, with its NUL */
#define SEAL_TEXT_LEN(n) (3 + 2 * (24 + 16 + (n)) + 1)

/* Writes the stored text of secret[0..n) into out (outlen >=
 * SEAL_TEXT_LEN(n)): sealed, or plain hex when this machine has no id
 * (logged once per call: the secret then lies in the clear, as before
 * sealing existed). Returns 1 sealed, 0 plain, -1 when n or outlen is out
 * of range (out = ""). */
int seal_put(const unsigned char *secret, size_t n, char *out, size_t outlen);

/* Reads stored text (sealed, or plain hex of exactly 2n digits) into
 * secret[0..n). Returns 0, or -1 when it is neither, or was sealed on
 * another machine (or this one has lost its id): secret is then zeroed. */
int seal_open(const char *stored, unsigned char *secret, size_t n);

/* 1 when stored is sealed text (starts with "s1:"), else 0. */
int seal_is_sealed(const char *stored);

/* 1 when this machine has an id to seal with, else 0 (quietly: for a
 * caller that would otherwise try, and log, at every round). */
int seal_available(void);

#endif
