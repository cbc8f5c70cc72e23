/* staff.h - staff accounts and PIN sign-in for the staff console. A PIN is
 * 4 to 12 digits, stored only as an Argon2id hash and checked in constant
 * time by libsodium. Three wrong PINs in a row lock the account for 30 s,
 * each further one doubles that (at most an hour). Every attempt is audited;
 * no PIN or hash is ever written to the audit log. */
#ifndef FD_STAFF_H
#define FD_STAFF_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define STAFF_NAME_MAX 40
#define STAFF_PIN_MIN 4
#define STAFF_PIN_MAX 12

struct staff {
    int64_t id;
    char name[STAFF_NAME_MAX * 4 + 1];
    char role[12];          /* staff or manager */
    int64_t locked_until;   /* 0 or Unix seconds */
};

/* Adds an account. The caller wipes `pin` afterwards. Returns 0 and sets *id,
 * or FD_EINVAL (name, role or a PIN that is not 4-12 digits), FD_EEXIST,
 * FD_EDB. */
int staff_add(struct fd_store *st, const char *name, const char *role,
              const char *pin, int64_t now, int64_t *id, struct fd_err *err);

/* Checks the PIN of account `id`. Returns 0 and fills *out; FD_EINVAL for a
 * wrong PIN (err.msg says how many tries are left); FD_ESTATE when locked
 * (*retry_s = seconds to wait); FD_ENOTFOUND; FD_EDB. Audits the attempt.
 * The PIN is hashed outside any transaction (other connections write
 * meanwhile); the outcome is written in a short one afterwards. */
int staff_login(struct fd_store *st, int64_t id, const char *pin, int64_t now,
                struct staff *out, int *retry_s, struct fd_err *err);

/* Active accounts by name; *out malloc'd, free() it. */
int staff_list(struct fd_store *st, struct staff **out, int *n, struct fd_err *err);


/* Creates account `name` or replaces its role, PIN hash and active flag, as
 * head office lists it. pin_hash must be a libsodium Argon2id string: a PIN in
 * clear never travels. A changed hash clears the wrong-PIN count. One
 * statement: runs in the caller's transaction when there is one.
 * Returns 0, FD_EINVAL or FD_EDB. */
int staff_put_hash(struct fd_store *st, const char *name, const char *role,
                   const char *pin_hash, int active, int64_t now, struct fd_err *err);

/* Makes inactive every account whose name is not among keep[0..n).
 * Returns how many, or FD_EDB. */
int staff_retire_others(struct fd_store *st, const char *const *keep, int n,
                        struct fd_err *err);

#endif
