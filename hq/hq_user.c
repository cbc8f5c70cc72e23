/* hq_user.c - console accounts, sessions and the lockout (see hq_user.h).
 * Passwords are hashed with libsodium's Argon2id (crypto_pwhash_str), as the
 * kiosk hashes staff PINs, with stronger settings: head office is a server
 * with memory to spare and a password is worth more than a 4-digit PIN
 * (64 MiB, 3 passes; hashes made with other settings are redone at the next
 * login). A session cookie is 32 random bytes; the database keeps only its
 * BLAKE2b hash, so a copy of the database opens no session. Every statement
 * goes through the store's generic op (hq_store.h, sql) and runs on SQLite
 * and PostgreSQL alike. */
#include "hq_user.h"

#include "fderr.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PW_OPSLIMIT 3ULL                   /* Argon2id passes */
#define PW_MEMLIMIT (64ULL * 1024 * 1024)  /* 64 MiB */
#define TOUCH_EVERY 10                     /* seconds between last_seen writes */

static struct hq_param P_INT(long long v)
{
    struct hq_param p = {HQ_P_INT, v, NULL};
    return p;
}

static struct hq_param P_TXT(const char *v)
{
    struct hq_param p = {HQ_P_TEXT, 0, v};
    return p;
}

static int valid_text(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    /* UTF-8: cJSON would carry anything; the database and the page need text. */
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        if (!len)
            return 0;
        for (int k = 1; k < len; k++)
            if ((p[k] & 0xc0) != 0x80)
                return 0;
        p += len;
    }
    return 1;
}

/* -1 with the sentence in err and in why (the input `field` at fault). */
static int refuse(char *err, size_t errlen, struct fd_err *why, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int refuse(char *err, size_t errlen, struct fd_err *why, const char *field,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    fd_fail(why, FD_EINVAL, field, "%s", err);
    return -1;
}

int hq_user_check(const char *name, const char *role, const char *const *branches, int n,
                  char *err, size_t errlen, struct fd_err *why)
{
    if (!valid_text(name, HQ_USER_NAME_MAX) || strchr(name, ' ') || strchr(name, '/'))
        return refuse(err, errlen, why, "name",
                      "a user name is 1 to %d bytes of text, no spaces or '/'",
                      HQ_USER_NAME_MAX);
    if (!role || (strcmp(role, "admin") && strcmp(role, "officer") && strcmp(role, "manager")))
        return refuse(err, errlen, why, "role", "the role is admin, officer or manager");
    if (n < 0 || n > HQ_USER_BRANCHES_MAX)
        return refuse(err, errlen, why, "branches", "at most %d branches",
                      HQ_USER_BRANCHES_MAX);
    for (int i = 0; i < n; i++)
        if (!valid_text(branches[i], HQ_BRANCH_MAX))
            return refuse(err, errlen, why, "branches", "a branch name is 1 to %d bytes of text",
                          HQ_BRANCH_MAX);
    if (strcmp(role, "manager") == 0 && n == 0)
        return refuse(err, errlen, why, "branches", "a manager needs at least one --branch");
    if (strcmp(role, "manager") != 0 && n > 0)
        return refuse(err, errlen, why, "branches", "only managers are limited to branches");
    return 0;
}

static int check_password(const char *pw, char *err, size_t errlen, struct fd_err *why)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < HQ_PASSWORD_MIN || n > HQ_PASSWORD_MAX || !valid_text(pw, HQ_PASSWORD_MAX))
        return refuse(err, errlen, why, "password", "a password is %d to %d bytes of text",
                      HQ_PASSWORD_MIN, HQ_PASSWORD_MAX);
    return 0;
}

/* The branches as a JSON array text, malloc'd. */
static char *branches_text(const char *const *branches, int n)
{
    cJSON *a = cJSON_CreateArray();
    char *out;
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(branches[i]));
    out = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return out;
}

/* Row: name, role, branches, disabled, locked_until, last_login. */
#define USER_COLS "name, role, branches, disabled, locked_until, last_login"

static void user_from(struct hq_user *u, const char *const *col)
{
    cJSON *a = cJSON_Parse(col[2] ? col[2] : "[]");
    const cJSON *it;
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", col[0] ? col[0] : "");
    snprintf(u->role, sizeof u->role, "%s", col[1] ? col[1] : "");
    cJSON_ArrayForEach(it, a) {
        if (cJSON_IsString(it) && u->nbranches < HQ_USER_BRANCHES_MAX)
            snprintf(u->branches[u->nbranches++], sizeof u->branches[0], "%s", it->valuestring);
    }
    cJSON_Delete(a);
    u->disabled = col[3] ? atoi(col[3]) : 0;
    u->locked_until = col[4] ? atoll(col[4]) : 0;
    u->last_login = col[5] ? atoll(col[5]) : 0;
}

static int one_user(void *ctx, int ncol, const char *const *col)
{
    (void)ncol;
    user_from(ctx, col);
    return 1; /* found: stop */
}

int hq_user_get(struct hq_store *s, const char *name, struct hq_user *u)
{
    struct hq_param p[1] = {P_TXT(name)};
    int rc = s->ops->sql(s, "SELECT " USER_COLS " FROM console_user WHERE name = $1", p, 1,
                         one_user, u, NULL);
    return rc == 1 ? HQ_OK : rc == HQ_OK ? HQ_E_NOTFOUND : rc;
}

struct each_ctx {
    int (*fn)(void *ctx, const struct hq_user *u);
    void *ctx;
};

static int each_row(void *ctx, int ncol, const char *const *col)
{
    struct each_ctx *e = ctx;
    struct hq_user u;
    (void)ncol;
    user_from(&u, col);
    return e->fn(e->ctx, &u);
}

int hq_user_each(struct hq_store *s, int (*fn)(void *ctx, const struct hq_user *u), void *ctx)
{
    struct each_ctx e = {fn, ctx};
    return s->ops->sql(s, "SELECT " USER_COLS " FROM console_user ORDER BY name", NULL, 0,
                       each_row, &e, NULL);
}

int hq_user_may_branch(const struct hq_user *u, const char *b)
{
    if (strcmp(u->role, "manager") != 0)
        return 1;
    for (int i = 0; b && i < u->nbranches; i++)
        if (strcmp(u->branches[i], b) == 0)
            return 1;
    return 0;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
    return crypto_pwhash_str(out, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT);
}

int hq_user_add(struct hq_store *s, const char *name, const char *role,
                const char *const *branches, int n, const char *password, long long now,
                char *err, size_t errlen, struct fd_err *why)
{
    char hash[crypto_pwhash_STRBYTES];
    char *br;
    int rc;
    if (hq_user_check(name, role, branches, n, err, errlen, why) != 0 ||
        check_password(password, err, errlen, why) != 0)
        return HQ_E_INVALID;
    if (hash_password(password, hash) != 0) {
        snprintf(err, errlen, "out of memory hashing the password");
        return HQ_E_IO;
    }
    if (!(br = branches_text(branches, n))) {
        snprintf(err, errlen, "out of memory");
        return HQ_E_IO;
    }
    struct hq_param p[5] = {P_TXT(name), P_TXT(role), P_TXT(br), P_TXT(hash), P_INT(now)};
    rc = s->ops->sql(s, "INSERT INTO console_user(name, role, branches, pw_hash, created_at)"
                        " VALUES ($1, $2, $3, $4, $5)",
                     p, 5, NULL, NULL, NULL);
    free(br);
    sodium_memzero(hash, sizeof hash);
    if (rc == HQ_E_EXISTS)
        snprintf(err, errlen, "there is a user %s already", name);
    else if (rc != HQ_OK)
        snprintf(err, errlen, "%s", s->ops->errmsg(s));
    return rc;
}

int hq_user_update(struct hq_store *s, const char *name, const char *role,
                   const char *const *branches, int n, int disabled, const char *password,
                   char *err, size_t errlen, struct fd_err *why)
{
    struct hq_user u;
    char hash[crypto_pwhash_STRBYTES] = "";
    char *br = NULL;
    long long changed = 0;
    int rc = hq_user_get(s, name, &u);
    if (rc != HQ_OK) {
        snprintf(err, errlen, rc == HQ_E_NOTFOUND ? "no user %s" : "%s",
                 rc == HQ_E_NOTFOUND ? name : s->ops->errmsg(s));
        return rc;
    }
    if (role && hq_user_check(name, role, branches, n, err, errlen, why) != 0)
        return HQ_E_INVALID;
    if (password && check_password(password, err, errlen, why) != 0)
        return HQ_E_INVALID;
    if (password && hash_password(password, hash) != 0) {
        snprintf(err, errlen, "out of memory hashing the password");
        return HQ_E_IO;
    }
    if (role && !(br = branches_text(branches, n))) {
        snprintf(err, errlen, "out of memory");
        return HQ_E_IO;
    }
    if ((rc = s->ops->begin(s)) != HQ_OK)
        goto out;
    {
        struct hq_param p[5] = {P_TXT(name), P_TXT(role), P_TXT(br), P_INT(disabled),
                                P_TXT(password ? hash : NULL)};
        rc = s->ops->sql(s,
                         "UPDATE console_user SET role = coalesce(CAST($2 AS TEXT), role),"
                         " branches = coalesce(CAST($3 AS TEXT), branches),"
                         " disabled = CASE WHEN $4 < 0 THEN disabled ELSE $4 END,"
                         " failures = CASE WHEN $4 = 0 THEN 0 ELSE failures END,"
                         " locked_until = CASE WHEN $4 = 0 THEN 0 ELSE locked_until END,"
                         " pw_hash = coalesce(CAST($5 AS TEXT), pw_hash) WHERE name = $1",
                         p, 5, NULL, NULL, &changed);
    }
    if (rc == HQ_OK && (disabled == 1 || password)) { /* sessions end with the old rights */
        struct hq_param p[1] = {P_TXT(name)};
        rc = s->ops->sql(s, "DELETE FROM console_session WHERE user_name = $1", p, 1, NULL,
                         NULL, NULL);
    }
    rc = rc == HQ_OK ? s->ops->commit(s) : rc;
out:
    if (rc != HQ_OK) {
        snprintf(err, errlen, "%s", s->ops->errmsg(s));
        s->ops->rollback(s);
    }
    free(br);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* Row for login: pw_hash, disabled, locked_until, then the user's columns. */
struct login_row {
    int found;
    char hash[crypto_pwhash_STRBYTES];
    struct hq_user u;
};

static int login_row(void *ctx, int ncol, const char *const *col)
{
    struct login_row *r = ctx;
    (void)ncol;
    r->found = 1;
    snprintf(r->hash, sizeof r->hash, "%s", col[0] ? col[0] : "");
    user_from(&r->u, col + 1);
    return 1;
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char b[64];
    randombytes_buf(b, bytes);
    sodium_bin2hex(out, 2 * bytes + 1, b, bytes);
    sodium_memzero(b, sizeof b);
}

static void token_hash(const char *token, char out[2 * HQ_HASH_BYTES + 1])
{
    unsigned char h[HQ_HASH_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 2 * HQ_HASH_BYTES + 1, h, sizeof h);
}

static int audit(struct hq_store *s, long long now, const char *name, const char *action,
                 const char *detail)
{
    char actor[HQ_USER_NAME_MAX + 16];
    snprintf(actor, sizeof actor, "console:%s", name);
    return s->ops->audit_put(s, now, actor, action, name, "", detail ? detail : "");
}

static int two_ll(void *ctx, int ncol, const char *const *col)
{
    long long *v = ctx;
    for (int i = 0; i < ncol && i < 2; i++)
        v[i] = col[i] ? atoll(col[i]) : 0;
    return 0;
}

/* A hash of nothing in particular: an unknown name takes as long as a known
 * one, so the answer's time does not tell which names exist. */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
    unsigned char r[16];
    char pw[33];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    if (hash_password(pw, dummy) != 0)
        dummy[0] = '\0';
}

int hq_user_login(struct hq_store *s, const char *name, const char *password, long long now,
                  char *cookie, char *csrf, struct hq_user *u, long long *retry_after)
{
    struct login_row r;
    char th[2 * HQ_HASH_BYTES + 1];
    int ok, rc;

    memset(&r, 0, sizeof r);
    *retry_after = 0;
    if (!name || !password || strlen(name) > HQ_USER_NAME_MAX ||
        strlen(password) > HQ_PASSWORD_MAX)
        return HQ_LOGIN_BAD;
    {
        struct hq_param p[1] = {P_TXT(name)};
        rc = s->ops->sql(s, "SELECT pw_hash, " USER_COLS " FROM console_user WHERE name = $1",
                         p, 1, login_row, &r, NULL);
        if (rc < 0)
            return rc;
    }
    if (r.found && r.u.locked_until > now) {
        *retry_after = r.u.locked_until - now;
        audit(s, now, name, "login.locked", "refused: the account is locked");
        return HQ_LOGIN_LOCKED;
    }
    if (!r.found) {
        pthread_once(&dummy_once, dummy_make);
        if (dummy[0] && crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
            return HQ_LOGIN_BAD; /* cannot happen: nobody knows the dummy's password */
        return HQ_LOGIN_BAD;
    }
    ok = crypto_pwhash_str_verify(r.hash, password, strlen(password)) == 0 && !r.u.disabled;
    if (!ok) {
        long long v[2] = {0, 0};
        struct hq_param p[4] = {P_TXT(name), P_INT(now), P_INT(now + HQ_LOCK_FOR),
                                P_INT(HQ_LOCK_AFTER)};
        /* One statement: concurrent failures on several servers all count. A
         * lock that ran out starts the count again. */
        rc = s->ops->sql(s,
                         "UPDATE console_user SET"
                         " failures = CASE WHEN locked_until > 0 AND locked_until <= $2"
                         " THEN 1 ELSE failures + 1 END,"
                         " locked_until = CASE WHEN (CASE WHEN locked_until > 0 AND"
                         " locked_until <= $2 THEN 1 ELSE failures + 1 END) >= $4 THEN $3"
                         " WHEN locked_until <= $2 THEN 0 ELSE locked_until END"
                         " WHERE name = $1 RETURNING failures, locked_until",
                         p, 4, two_ll, v, NULL);
        if (rc != HQ_OK)
            return rc;
        if (v[1] > now) {
            *retry_after = v[1] - now;
            audit(s, now, name, "login.lock", "locked after wrong passwords");
            return HQ_LOGIN_LOCKED;
        }
        audit(s, now, name, "login.failed", r.u.disabled ? "disabled" : "wrong password");
        return HQ_LOGIN_BAD;
    }
    if (crypto_pwhash_str_needs_rehash(r.hash, PW_OPSLIMIT, PW_MEMLIMIT) != 0) {
        char nh[crypto_pwhash_STRBYTES];
        if (hash_password(password, nh) == 0) {
            struct hq_param p[2] = {P_TXT(name), P_TXT(nh)};
            s->ops->sql(s, "UPDATE console_user SET pw_hash = $2 WHERE name = $1", p, 2, NULL,
                        NULL, NULL);
        }
        sodium_memzero(nh, sizeof nh);
    }
    random_hex(cookie, HQ_TOKEN_HEX / 2);
    random_hex(csrf, HQ_TOKEN_HEX / 2);
    token_hash(cookie, th);
    if ((rc = s->ops->begin(s)) != HQ_OK)
        return rc;
    {
        struct hq_param p[3] = {P_INT(now - HQ_SESSION_IDLE), P_INT(now - HQ_SESSION_MAX_AGE)};
        rc = s->ops->sql(s, "DELETE FROM console_session WHERE last_seen < $1 OR created_at < $2",
                         p, 2, NULL, NULL, NULL);
    }
    if (rc == HQ_OK) {
        struct hq_param p[4] = {P_TXT(th), P_TXT(name), P_TXT(csrf), P_INT(now)};
        rc = s->ops->sql(s, "INSERT INTO console_session(hash, user_name, csrf, created_at,"
                            " last_seen) VALUES ($1, $2, $3, $4, $4)",
                         p, 4, NULL, NULL, NULL);
    }
    if (rc == HQ_OK) {
        struct hq_param p[2] = {P_TXT(name), P_INT(now)};
        rc = s->ops->sql(s, "UPDATE console_user SET failures = 0, locked_until = 0,"
                            " last_login = $2 WHERE name = $1",
                         p, 2, NULL, NULL, NULL);
    }
    if (rc == HQ_OK)
        rc = audit(s, now, name, "login", "");
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    if (rc != HQ_OK) {
        s->ops->rollback(s);
        return rc;
    }
    *u = r.u;
    u->last_login = now;
    sodium_memzero(r.hash, sizeof r.hash);
    return HQ_LOGIN_OK;
}

struct sess_row {
    int found;
    char csrf[HQ_TOKEN_HEX + 1];
    long long created_at, last_seen;
    struct hq_user u;
};

static int sess_row(void *ctx, int ncol, const char *const *col)
{
    struct sess_row *r = ctx;
    (void)ncol;
    r->found = 1;
    snprintf(r->csrf, sizeof r->csrf, "%s", col[0] ? col[0] : "");
    r->created_at = col[1] ? atoll(col[1]) : 0;
    r->last_seen = col[2] ? atoll(col[2]) : 0;
    user_from(&r->u, col + 3);
    return 1;
}

int hq_session_check(struct hq_store *s, const char *cookie, long long now, struct hq_user *u,
                     char *csrf)
{
    char th[2 * HQ_HASH_BYTES + 1];
    struct sess_row r;
    int rc;
    if (!cookie || strlen(cookie) != HQ_TOKEN_HEX)
        return HQ_E_NOTFOUND;
    memset(&r, 0, sizeof r);
    token_hash(cookie, th);
    {
        struct hq_param p[1] = {P_TXT(th)};
        rc = s->ops->sql(s,
                         "SELECT s.csrf, s.created_at, s.last_seen, u.name, u.role, u.branches,"
                         " u.disabled, u.locked_until, u.last_login FROM console_session s"
                         " JOIN console_user u ON u.name = s.user_name WHERE s.hash = $1",
                         p, 1, sess_row, &r, NULL);
    }
    if (rc < 0)
        return rc;
    if (!r.found)
        return HQ_E_NOTFOUND;
    if (r.u.disabled || r.last_seen < now - HQ_SESSION_IDLE ||
        r.created_at < now - HQ_SESSION_MAX_AGE) {
        hq_session_end(s, cookie);
        return HQ_E_NOTFOUND;
    }
    if (now - r.last_seen >= TOUCH_EVERY) {
        struct hq_param p[2] = {P_TXT(th), P_INT(now)};
        if ((rc = s->ops->sql(s, "UPDATE console_session SET last_seen = $2 WHERE hash = $1",
                              p, 2, NULL, NULL, NULL)) != HQ_OK)
            return rc;
    }
    *u = r.u;
    memcpy(csrf, r.csrf, sizeof r.csrf);
    return HQ_OK;
}

int hq_session_end(struct hq_store *s, const char *cookie)
{
    char th[2 * HQ_HASH_BYTES + 1];
    if (!cookie)
        return HQ_OK;
    token_hash(cookie, th);
    struct hq_param p[1] = {P_TXT(th)};
    return s->ops->sql(s, "DELETE FROM console_session WHERE hash = $1", p, 1, NULL, NULL, NULL);
}

cJSON *hq_user_json(const struct hq_user *u)
{
    cJSON *o = cJSON_CreateObject(), *a;
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", u->name);
    cJSON_AddStringToObject(o, "role", u->role);
    a = cJSON_AddArrayToObject(o, "branches");
    for (int i = 0; i < u->nbranches; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(u->branches[i]));
    cJSON_AddBoolToObject(o, "disabled", u->disabled);
    cJSON_AddNumberToObject(o, "locked_until", (double)u->locked_until);
    cJSON_AddNumberToObject(o, "last_login", (double)u->last_login);
    return o;
}

/* ---- the command line ---- */

/* The first line of standard input, without its newline, into buf. */
static int read_password(char *buf, size_t len)
{
    size_t n;
    if (!fgets(buf, (int)len, stdin))
        return -1;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin))
        return -1; /* longer than the buffer */
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

static int print_user(void *ctx, const struct hq_user *u)
{
    int json = *(int *)ctx;
    if (json) {
        cJSON *o = hq_user_json(u);
        char *t = o ? cJSON_PrintUnformatted(o) : NULL;
        if (t)
            puts(t);
        free(t);
        cJSON_Delete(o);
        return 0;
    }
    printf("%-20s %-8s %-9s", u->name, u->role,
           u->disabled ? "disabled" : u->locked_until > time(NULL) ? "locked" : "active");
    for (int i = 0; i < u->nbranches; i++)
        printf("%s%s", i ? ", " : " ", u->branches[i]);
    putchar('\n');
    return 0;
}

int hq_user_cmd(struct hq_store *s, int npos, const char *const *pos, const char *role,
                const char *const *branches, int nbranches, int json)
{
    const char *verb = pos[0];
    char pw[HQ_PASSWORD_MAX + 4], err[256] = "";
    long long now = (long long)time(NULL);
    int rc;

    if (strcmp(verb, "list") == 0 && npos == 1) {
        rc = hq_user_each(s, print_user, &json);
    } else if (strcmp(verb, "add") == 0 && npos == 2) {
        if (read_password(pw, sizeof pw) != 0) {
            fprintf(stderr, "frontdesk-hq: give the password on standard input (at most %d "
                            "bytes)\n", HQ_PASSWORD_MAX);
            return 2;
        }
        rc = hq_user_add(s, pos[1], role, branches, nbranches, pw, now, err, sizeof err, NULL);
        sodium_memzero(pw, sizeof pw);
        if (rc == HQ_OK)
            rc = s->ops->audit_put(s, now, "cli", "user.add", pos[1], "", role ? role : "");
    } else if ((strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) && npos == 2) {
        int off = strcmp(verb, "disable") == 0;
        rc = hq_user_update(s, pos[1], NULL, NULL, 0, off, NULL, err, sizeof err, NULL);
        if (rc == HQ_OK)
            rc = s->ops->audit_put(s, now, "cli", off ? "user.disable" : "user.enable", pos[1],
                                   "", "");
    } else if (strcmp(verb, "passwd") == 0 && npos == 2) {
        if (read_password(pw, sizeof pw) != 0) {
            fprintf(stderr, "frontdesk-hq: give the password on standard input\n");
            return 2;
        }
        rc = hq_user_update(s, pos[1], NULL, NULL, 0, -1, pw, err, sizeof err, NULL);
        sodium_memzero(pw, sizeof pw);
        if (rc == HQ_OK)
            rc = s->ops->audit_put(s, now, "cli", "user.passwd", pos[1], "", "");
    } else {
        fprintf(stderr, "usage: frontdesk-hq --db DB user add NAME --role R [--branch B]... | "
                        "list | disable NAME | enable NAME | passwd NAME\n");
        return 2;
    }
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", err[0] ? err : s->ops->errmsg(s));
        return rc == HQ_E_IO || rc == HQ_E_BUSY ? 1 : 2;
    }
    return 0;
}
