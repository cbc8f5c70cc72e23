/* invite.c - invitations: the code rule, the fields' rules, the table the
 * pull fills and the one-time, one-day check-in (invite.h). The check digit
 * is complaint references' Damm digit (complaint_damm): one rule for every
 * number a visitor types. */
#include "invite.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bday.h"
#include "complaint.h"
#include "queue.h"
#include "validate.h"

#define INV_COLS                                                              \
    "code, day, name, phone, company, purpose, host, cancelled, used_hq,"     \
    " coalesce(used_at, 0), coalesce(visitor_id, 0)"

int invite_code_parse(const char *in, char out[INVITE_CODE_LEN + 1])
{
    int n = 0;
    if (!in)
        return FD_EINVAL;
    for (const char *p = in; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n == INVITE_CODE_LEN)
                return FD_EINVAL;
            out[n++] = *p;
        } else if (*p != '-' && *p != ' ') {
            return FD_EINVAL;
        }
    }
    out[n] = '\0';
    /* A number followed by its Damm digit has check value 0. */
    if (n != INVITE_CODE_LEN || complaint_damm(out) != 0)
        return FD_EINVAL;
    return 0;
}

void invite_code_make(char out[INVITE_CODE_LEN + 1])
{
    out[0] = (char)('1' + randombytes_uniform(9));
    for (int i = 1; i < INVITE_CODE_LEN - 1; i++)
        out[i] = (char)('0' + randombytes_uniform(10));
    out[INVITE_CODE_LEN - 1] = '\0';
    out[INVITE_CODE_LEN - 1] = (char)('0' + complaint_damm(out));
    out[INVITE_CODE_LEN] = '\0';
}

void invite_code_format(const char *code, char out[INVITE_CODE_SHOWN])
{
    snprintf(out, INVITE_CODE_SHOWN, "%.5s-%.5s", code, strlen(code) > 5 ? code + 5 : "");
}

int invite_check(const struct invite_in *in, struct fd_err *err)
{
    char code[INVITE_CODE_LEN + 1];
    int y, m, d, rc;
    if (!in->code || invite_code_parse(in->code, code) || strcmp(code, in->code) != 0)
        return fd_fail(err, FD_EINVAL, "code", "an invitation code is 10 digits with a valid"
                                               " check digit");
    if (!in->day || strlen(in->day) != 10 || bday_parse(in->day, &y, &m, &d))
        return fd_fail(err, FD_EINVAL, "day", "the day is a date YYYY-MM-DD");
    if ((rc = val_text(in->name, "name", VISITOR_NAME_MAX, VAL_REQUIRED, err)) ||
        (rc = val_phone(in->phone, "phone", VAL_REQUIRED, err)) ||
        (rc = val_text(in->company, "company", VISITOR_COMPANY_MAX, 0, err)) ||
        (rc = val_text(in->purpose, "purpose", VISITOR_PURPOSE_MAX, 0, err)) ||
        (rc = val_text(in->host, "host", HOST_NAME_MAX_CHARS, 0, err)))
        return rc;
    return 0;
}

int invite_put(struct fd_store *st, const struct invite_in *in, const char *state,
               int64_t now, struct fd_err *err)
{
    int rc;
    if ((rc = invite_check(in, err)) != 0)
        return rc;
    if (!state || (strcmp(state, "open") && strcmp(state, "cancelled") && strcmp(state, "used")))
        return fd_fail(err, FD_EINVAL, "state", "an invitation is open, cancelled or used");
    sqlite3_stmt *s = store_prepare(st,
        "INSERT INTO invitation(code, day, name, phone, company, purpose, host, cancelled,"
        " used_hq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT(code) DO UPDATE SET day = excluded.day, name = excluded.name,"
        " phone = excluded.phone, company = excluded.company, purpose = excluded.purpose,"
        " host = excluded.host, cancelled = excluded.cancelled, used_hq = excluded.used_hq,"
        " updated_at = excluded.updated_at");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, in->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, in->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, in->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, in->phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, in->company ? in->company : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, in->purpose ? in->purpose : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, in->host ? in->host : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 8, strcmp(state, "cancelled") == 0);
    sqlite3_bind_int(s, 9, strcmp(state, "used") == 0);
    sqlite3_bind_int64(s, 10, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, err);
}

int invite_drop(struct fd_store *st, const char *code, struct fd_err *err)
{
    char c[INVITE_CODE_LEN + 1];
    int rc;
    if (!code || invite_code_parse(code, c) || strcmp(c, code) != 0)
        return fd_fail(err, FD_EINVAL, "code", "an invitation code is 10 digits with a valid"
                                               " check digit");
    sqlite3_stmt *s = store_prepare(st, "DELETE FROM invitation WHERE code = ?1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, c, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? sqlite3_changes(store_db(st)) > 0 : store_fail(st, err);
}

static void row_to_inv(sqlite3_stmt *s, void *p)
{
    struct invitation *v = p;
    memset(v, 0, sizeof *v);
    store_col_text(s, 0, v->code, sizeof v->code);
    store_col_text(s, 1, v->day, sizeof v->day);
    store_col_text(s, 2, v->name, sizeof v->name);
    store_col_text(s, 3, v->phone, sizeof v->phone);
    store_col_text(s, 4, v->company, sizeof v->company);
    store_col_text(s, 5, v->purpose, sizeof v->purpose);
    store_col_text(s, 6, v->host, sizeof v->host);
    v->cancelled = sqlite3_column_int(s, 7);
    v->used_hq = sqlite3_column_int(s, 8);
    v->used_at = sqlite3_column_int64(s, 9);
    v->visitor_id = sqlite3_column_int64(s, 10);
}

/* The lookup and the rules, on whatever transaction is open. */
static int find(struct fd_store *st, const char *typed, int64_t now, struct invitation *out,
                int *why, struct fd_err *err)
{
    char code[INVITE_CODE_LEN + 1], today[11];
    int rc;
    *why = INVITE_UNKNOWN;
    memset(out, 0, sizeof *out);
    if (invite_code_parse(typed, code))
        return fd_fail(err, FD_ENOTFOUND, "code", "no invitation has this code");
    sqlite3_stmt *s = store_prepare(st, "SELECT " INV_COLS " FROM invitation WHERE code = ?1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
    rc = store_one(s, row_to_inv, out);
    if (rc == FD_ENOTFOUND)
        return fd_fail(err, FD_ENOTFOUND, "code", "no invitation has this code");
    if (rc)
        return store_fail(st, err);
    queue_bday(st, now, today);
    if (out->cancelled) {
        *why = INVITE_CANCELLED;
        return fd_fail(err, FD_ESTATE, "code", "this invitation was cancelled");
    }
    if (out->used_at || out->visitor_id || out->used_hq) {
        *why = INVITE_USED;
        return fd_fail(err, FD_ESTATE, "code", "this invitation has been used");
    }
    if (strcmp(out->day, today) != 0) {
        *why = INVITE_OTHER_DAY;
        return fd_fail(err, FD_ESTATE, "code", "this invitation is for %s, not today",
                       out->day);
    }
    *why = INVITE_USABLE;
    return 0;
}

int invite_find(struct fd_store *st, const char *typed, int64_t now, struct invitation *out,
                int *why, struct fd_err *err)
{
    int dummy;
    return find(st, typed, now, out, why ? why : &dummy, err);
}

int invite_erase_old(struct fd_store *st, int64_t now, struct fd_err *err)
{
    char today[11], cut[11];
    queue_bday(st, now, today);
    if (bday_add(today, -1, cut))
        return fd_fail(err, FD_EINVAL, "day", "no business day");
    sqlite3_stmt *s = store_prepare(st, "DELETE FROM invitation WHERE day < ?1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, cut, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? sqlite3_changes(store_db(st)) : store_fail(st, err);
}

int invite_use(struct fd_store *st, const char *typed, int64_t now, struct visitor *out,
               int *why, struct fd_err *err)
{
    struct invitation inv;
    int64_t id = 0;
    int dummy, rc;
    char key[24];
    if (!why)
        why = &dummy;
    /* One write transaction from the check to the mark: two screens (or two
     * processes) racing for one code cannot both use it. */
    if (store_begin(st))
        return store_fail(st, err);
    if ((rc = find(st, typed, now, &inv, why, err)) != 0)
        goto fail;
    struct visitor_in in = {.name = inv.name, .phone = inv.phone, .company = inv.company,
                            .host_name = inv.host, .purpose = inv.purpose};
    if ((rc = visitor_sign_in_tx(st, &in, inv.code, now, &id, err)) != 0)
        goto fail;
    sqlite3_stmt *s = store_prepare(st, "UPDATE invitation SET used_at = ?2, visitor_id = ?3"
                                        " WHERE code = ?1 AND used_at IS NULL");
    if (!s) {
        rc = store_fail(st, err);
        goto fail;
    }
    sqlite3_bind_text(s, 1, inv.code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE || sqlite3_changes(store_db(st)) != 1) {
        rc = store_fail(st, err);
        goto fail;
    }
    explicit_bzero(&inv, sizeof inv);
    if (store_commit(st))
        return store_fail(st, err);
    snprintf(key, sizeof key, "%lld", (long long)id);
    if (out && visitor_find(st, key, now, out, err))
        return err && err->code ? err->code : FD_EDB;
    return 0;
fail:
    explicit_bzero(&inv, sizeof inv);
    store_rollback(st);
    return rc;
}
