/* rating.c - satisfaction ratings (rating.h), and the code on a ticket's
 * QR by which it is rated (its check digit is complaint references'). */
#include "rating.h"

#include <stdio.h>
#include <string.h>

#include "complaint.h"
#include "validate.h"

static const char *const names[] = {"excellent", "good", "fair", "poor"};

const char *rating_name(int level)
{
    return level >= 1 && level <= 4 ? names[level - 1] : NULL;
}

int rating_parse(const char *s)
{
    if (!s)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i]) || (s[0] == '1' + i && !s[1]))
            return i + 1;
    return 0;
}

int rating_add(struct fd_store *st, int64_t ticket_id, int service, int attitude,
               int result, const char *comment, int64_t now, int64_t *id,
               int *offer_complaint, struct fd_err *err)
{
    int rc, counter;
    const char *why = !rating_name(service)    ? "service"
                      : !rating_name(attitude) ? "attitude"
                      : !rating_name(result)   ? "result"
                                               : NULL;
    if (why)
        return fd_fail(err, FD_EINVAL, why,
                       "%s must be rated excellent, good, fair or poor", why);
    if ((rc = val_text(comment, "comment", RATING_COMMENT_MAX, VAL_MULTILINE, err)))
        return rc;
    if (store_begin(st))
        return store_fail(st, err);
    sqlite3_stmt *s = store_prepare(st,
        "SELECT state, coalesce(counter_id, 0), label,"
        " (SELECT count(*) FROM rating WHERE ticket_id = ?1)"
        " FROM ticket WHERE id = ?1");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, ticket_id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        store_rollback(st);
        return rc == SQLITE_DONE ? fd_fail(err, FD_ENOTFOUND, "ticket", "no ticket %lld",
                                           (long long)ticket_id)
                                 : store_fail(st, err);
    }
    int done = !strcmp((const char *)sqlite3_column_text(s, 0), "done");
    int rated = sqlite3_column_int(s, 3);
    counter = sqlite3_column_int(s, 1);
    sqlite3_reset(s);
    if (!done || rated) {
        store_rollback(st);
        return rated ? fd_fail(err, FD_EEXIST, "ticket", "this visit was rated already")
                     : fd_fail(err, FD_ESTATE, "ticket",
                               "a ticket can be rated once its service is finished");
    }
    s = store_prepare(st,
        "INSERT INTO rating(ticket_id, counter_id, service, attitude, result,"
        " comment, at) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7)");
    if (!s)
        goto dbfail;
    sqlite3_bind_int64(s, 1, ticket_id);
    sqlite3_bind_int(s, 2, counter);
    sqlite3_bind_int(s, 3, service);
    sqlite3_bind_int(s, 4, attitude);
    sqlite3_bind_int(s, 5, result);
    sqlite3_bind_text(s, 6, comment ? comment : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        goto dbfail;
    if (id)
        *id = sqlite3_last_insert_rowid(store_db(st));
    if (offer_complaint)
        *offer_complaint = service == RATE_POOR || attitude == RATE_POOR ||
                           result == RATE_POOR;
    return store_commit(st) ? store_fail(st, err) : 0;
dbfail:
    rc = store_fail(st, err);
    store_rollback(st);
    return rc;
}

/* The finished, unrated ticket labelled want (of business day bday, or
 * the latest of any day when NULL) within the window. */
static int find_done(struct fd_store *st, const char *want, const char *bday, int64_t now,
                     int window_s, int64_t *ticket_id, char label[8], struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st,
        "SELECT t.id, t.label, EXISTS (SELECT 1 FROM rating r WHERE r.ticket_id = t.id)"
        " FROM ticket t WHERE t.label = ?1 AND t.state = 'done'"
        " AND t.finished_at BETWEEN ?2 - ?3 AND ?2 AND (?4 IS NULL OR t.bday = ?4)"
        " ORDER BY t.finished_at DESC, t.id DESC LIMIT 1");
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_text(s, 1, want, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int(s, 3, window_s);
    if (bday)
        sqlite3_bind_text(s, 4, bday, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 4);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? fd_fail(err, FD_ENOTFOUND, "ticket",
                                           "no ticket %s finished lately", want)
                                 : store_fail(st, err);
    }
    int64_t id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, label, 8);
    int rated = sqlite3_column_int(s, 2);
    sqlite3_reset(s);
    if (rated)
        return fd_fail(err, FD_EEXIST, "ticket", "this visit was rated already");
    *ticket_id = id;
    return 0;
}

int rating_code_make(const char *bday, const char *label, char out[RATING_CODE_MAX + 1])
{
    size_t n = label ? strlen(label) : 0, o = 0;
    out[0] = '\0';
    if (!bday || strlen(bday) != 10 || strncmp(bday, "20", 2) || bday[4] != '-' ||
        bday[7] != '-' || n < 4 || n > 7 || !(label[0] >= 'A' && label[0] <= 'Z'))
        return FD_EINVAL;
    const int at[6] = {2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 6; i++) {
        if (bday[at[i]] < '0' || bday[at[i]] > '9')
            return FD_EINVAL;
        out[o++] = bday[at[i]];
    }
    for (size_t i = 0; i < n; i++) {
        char c = label[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : -1;
        if (v < 0)
            return (out[0] = '\0', FD_EINVAL);
        out[o++] = (char)('0' + v / 10);
        out[o++] = (char)('0' + v % 10);
    }
    out[o] = '\0';
    out[o] = (char)('0' + complaint_damm(out));
    out[o + 1] = '\0';
    return 0;
}

int rating_code_parse(const char *code, char bday[11], char label[8])
{
    size_t n = code ? strlen(code) : 0;
    bday[0] = label[0] = '\0';
    if (n < 6 + 2 * 4 + 1 || n > RATING_CODE_MAX || (n - 7) % 2)
        return FD_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return FD_EINVAL;
    if (complaint_damm(code) != 0) /* a code followed by its check digit */
        return FD_EINVAL;
    size_t k = 0;
    for (size_t i = 6; i + 1 < n; i += 2) {
        int v = (code[i] - '0') * 10 + (code[i + 1] - '0');
        if (v > 35 || (k == 0 && v < 10))
            return (label[0] = '\0', FD_EINVAL);
        label[k++] = (char)(v < 10 ? '0' + v : 'A' + v - 10);
    }
    label[k] = '\0';
    snprintf(bday, 11, "20%.2s-%.2s-%.2s", code, code + 2, code + 4);
    return 0;
}

int rating_ticket_code(struct fd_store *st, const char *code, int64_t now, int window_s,
                       int64_t *ticket_id, char label[8], struct fd_err *err)
{
    char bday[11], want[8];
    *ticket_id = 0;
    label[0] = '\0';
    if (rating_code_parse(code, bday, want))
        return fd_fail(err, FD_EINVAL, "ticket", "not a ticket's code");
    return find_done(st, want, bday, now, window_s, ticket_id, label, err);
}

int rating_ticket(struct fd_store *st, const char *number, int64_t now, int window_s,
                  int64_t *ticket_id, char label[8], struct fd_err *err)
{
    char want[8];
    size_t n = 0;
    *ticket_id = 0;
    label[0] = '\0';
    /* a letter or two and digits, as labels are made ("A012", "VIP3" no) */
    for (const char *p = number ? number : ""; *p; p++) {
        char c = *p;
        if (c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n + 1 >= sizeof want)
            return fd_fail(err, FD_EINVAL, "ticket", "not a ticket number");
        want[n++] = c;
    }
    want[n] = '\0';
    if (n < 2)
        return fd_fail(err, FD_EINVAL, "ticket", "not a ticket number");
    return find_done(st, want, NULL, now, window_s, ticket_id, label, err);
}

static void candidate_row(sqlite3_stmt *s, void *p)
{
    struct rating_candidate *c = p;
    c->ticket_id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, c->label, sizeof c->label);
    c->counter = sqlite3_column_int(s, 2);
}

int rating_candidates(struct fd_store *st, int64_t now, int window_s, int max,
                      struct rating_candidate **out, int *n, struct fd_err *err)
{
    sqlite3_stmt *s = store_prepare(st,
        "SELECT t.id, t.label, coalesce(t.counter_id, 0) FROM ticket t"
        " WHERE t.state = 'done' AND t.finished_at BETWEEN ?1 - ?2 AND ?1"
        " AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.ticket_id = t.id)"
        " ORDER BY t.finished_at DESC, t.id DESC LIMIT ?3");
    *out = NULL, *n = 0;
    if (!s)
        return store_fail(st, err);
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, window_s);
    sqlite3_bind_int(s, 3, max);
    if (store_collect(s, sizeof **out, max, candidate_row, (void **)out, n))
        return store_fail(st, err);
    return 0;
}
