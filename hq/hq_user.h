/* hq_user.h - the head-office console's accounts and sessions: users with a
 * role (admin, officer, manager) and, for managers, their branches; Argon2id
 * password hashes; a lock after repeated wrong passwords; sessions kept in
 * the database (only the cookie's hash), so several frontdesk-hq processes on
 * one PostgreSQL share them, with an idle and an absolute expiry. The
 * `frontdesk-hq user ...` command line lives here too. Tables:
 * console_user, console_session (schema 0005_console.sql); this module is
 * their only writer. */
#ifndef HQ_USER_H
#define HQ_USER_H
#include <stddef.h>

#include "hq_store.h"

#define HQ_USER_NAME_MAX 64        /* bytes of a user name */
#define HQ_USER_BRANCHES_MAX 32    /* branches of one manager */
#define HQ_PASSWORD_MIN 10         /* bytes */
#define HQ_PASSWORD_MAX 128
#define HQ_SESSION_IDLE 1800       /* seconds without a request before a session ends */
#define HQ_SESSION_MAX_AGE 43200   /* seconds from login after which it ends anyway */
#define HQ_LOCK_AFTER 5            /* wrong passwords in a row before the lock */
#define HQ_LOCK_FOR 900            /* seconds the lock lasts */
#define HQ_TOKEN_HEX 64            /* cookie and CSRF token: 32 random bytes as hex */

/* A console user as the console needs it. */
struct hq_user {
    char name[HQ_USER_NAME_MAX + 1];
    char role[16];                 /* admin | officer | manager */
    int nbranches;                 /* a manager's branches (others: 0) */
    char branches[HQ_USER_BRANCHES_MAX][HQ_BRANCH_MAX + 1];
    int disabled;
    long long locked_until;        /* 0 = not locked */
    long long last_login;          /* 0 = never */
};

enum hq_login_rc {
    HQ_LOGIN_OK = 0,
    HQ_LOGIN_BAD = 1,              /* unknown user, disabled, or wrong password */
    HQ_LOGIN_LOCKED = 2,           /* locked (this failure may have locked it) */
};

/* Checks a name, a role and a manager's branches (role "manager" needs at
 * least one). Returns 0, or -1 with a sentence in err; why (if not NULL)
 * names the field ("name", "role", "branches"; "password" below). */
struct fd_err;
int hq_user_check(const char *name, const char *role, const char *const *branches, int n,
                  char *err, size_t errlen, struct fd_err *why);

/* Adds a user (password hashed here: Argon2id, 64 MiB, 3 passes). Returns
 * HQ_OK, HQ_E_INVALID (err says which rule), HQ_E_EXISTS, or a store error. */
int hq_user_add(struct hq_store *s, const char *name, const char *role,
                const char *const *branches, int n, const char *password, long long now,
                char *err, size_t errlen, struct fd_err *why);

/* Sets what is given (NULL/-1 keeps it): role and branches (together),
 * disabled (1 also ends the user's sessions; 0 also clears a lock),
 * password. HQ_E_NOTFOUND, HQ_E_INVALID (err), or a store error. */
int hq_user_update(struct hq_store *s, const char *name, const char *role,
                   const char *const *branches, int n, int disabled, const char *password,
                   char *err, size_t errlen, struct fd_err *why);

/* The user by name into u. HQ_OK, HQ_E_NOTFOUND or a store error. */
int hq_user_get(struct hq_store *s, const char *name, struct hq_user *u);

/* Every user, by name. fn's return stops the walk and is returned. */
int hq_user_each(struct hq_store *s, int (*fn)(void *ctx, const struct hq_user *u),
                 void *ctx);

/* 1 if u may see branch b: admins and officers every branch, a manager
 * their own. */
int hq_user_may_branch(const struct hq_user *u, const char *b);

/* Logs in: checks the lock, then the password (outside any transaction: the
 * hash takes a while), counts a failure (HQ_LOCK_AFTER in a row lock the
 * account for HQ_LOCK_FOR seconds) or starts a session. On HQ_LOGIN_OK
 * cookie and csrf hold new tokens (HQ_TOKEN_HEX + 1 bytes each) and u the
 * user; on HQ_LOGIN_LOCKED *retry_after = seconds left. Returns an
 * hq_login_rc, or a negative store error. */
int hq_user_login(struct hq_store *s, const char *name, const char *password, long long now,
                  char *cookie, char *csrf, struct hq_user *u, long long *retry_after);

/* The session of cookie: HQ_OK with u and csrf (HQ_TOKEN_HEX + 1 bytes) and
 * its last use moved to now; HQ_E_NOTFOUND when unknown, expired (idle or
 * too old: then deleted) or its user is disabled; else a store error. */
int hq_session_check(struct hq_store *s, const char *cookie, long long now, struct hq_user *u,
                     char *csrf);

/* Ends the session of cookie (no error when there is none). */
int hq_session_end(struct hq_store *s, const char *cookie);

/* The JSON text of u for answers: {"name","role","branches":[..],
 * "disabled","locked_until","last_login"}, malloc'd (NULL: out of memory). */
struct cJSON;
struct cJSON *hq_user_json(const struct hq_user *u);

/* `frontdesk-hq user add|list|disable|enable|passwd` (pos[0] is the verb).
 * Passwords come from standard input (its first line). Returns the exit
 * status. */
int hq_user_cmd(struct hq_store *s, int npos, const char *const *pos, const char *role,
                const char *const *branches, int nbranches, int json);

#endif
