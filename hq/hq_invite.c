/* hq_invite.c - invitations at head office (hq_invite.h): stored through
 * the store's generic statement, sent down the pull as "invitation"
 * changes, marked used from the visitor records kiosks push, printed as a
 * QR code. The code rule and the fields' rules are core's (invite.c). */
#include "hq_invite.h"

#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "invite.h"
#include "validate.h"

#define ADD_TRIES 8          /* fresh codes tried when one is taken (1e9 codes) */
#define LIST_MAX 100000      /* rows in one listing */
#define QR_MODULE 8          /* pixels per QR module in the PNG */
#define BY_MAX 96            /* who invited: "console:" and a console user's name */

static struct hq_param ptxt(const char *v)
{
    struct hq_param p = {HQ_P_TEXT, 0, v};
    return p;
}

static struct hq_param pint(long long v)
{
    struct hq_param p = {HQ_P_INT, v, NULL};
    return p;
}

/* The change a kiosk needs: what it shows the guest and signs them in with. */
static char *change_json(const char *const *col, const char *state)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "day", col[1]);
    cJSON_AddStringToObject(o, "name", col[2]);
    cJSON_AddStringToObject(o, "phone", col[3]);
    cJSON_AddStringToObject(o, "company", col[4]);
    cJSON_AddStringToObject(o, "purpose", col[5]);
    cJSON_AddStringToObject(o, "host", col[6]);
    cJSON_AddStringToObject(o, "state", state);
    char *j = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return j;
}

#define CHANGE_COLS "code, day, name, phone, company, purpose, host, branch"

/* One invitation's row (CHANGE_COLS) copied for a change. */
struct inv_row {
    int found;
    char *col[8];
};

static int take_row(void *ctx, int ncol, const char *const *col)
{
    struct inv_row *r = ctx;
    if (ncol < 8 || r->found)
        return 0;
    for (int i = 0; i < 8; i++)
        r->col[i] = strdup(col[i] ? col[i] : "");
    r->found = 1;
    return 0;
}

static void row_free(struct inv_row *r)
{
    for (int i = 0; i < 8; i++)
        free(r->col[i]);
    memset(r, 0, sizeof *r);
}

/* Logs the change of invitation `code` with `state` for its branch. */
static int send_change(struct hq_store *s, const char *code, const char *state, long long now)
{
    struct inv_row r = {0};
    struct hq_param p[1] = {ptxt(code)};
    int rc = s->ops->sql(s, "SELECT " CHANGE_COLS " FROM invitation WHERE code = $1", p, 1,
                         take_row, &r, NULL);
    if (rc == HQ_OK && !r.found)
        rc = HQ_E_NOTFOUND;
    for (int i = 0; rc == HQ_OK && i < 8; i++)
        if (!r.col[i])
            rc = HQ_E_IO;
    if (rc == HQ_OK) {
        char *j = change_json((const char *const *)r.col, state);
        rc = j ? s->ops->change_put(s, r.col[7], "", "invitation", code, j, now) : HQ_E_IO;
        free(j);
    }
    row_free(&r);
    return rc;
}

int hq_invite_add(struct hq_store *s, const struct hq_invite_new *in, long long now,
                  char code[16], char *msg, size_t msglen, struct fd_err *why)
{
    struct fd_err e = {0};
    int rc = HQ_E_EXISTS;
    code[0] = '\0';
    if (!in->branch || !*in->branch || strlen(in->branch) > HQ_BRANCH_MAX ||
        val_text(in->branch, "branch", HQ_BRANCH_MAX, VAL_REQUIRED, &e)) {
        snprintf(msg, msglen, "--branch: a branch name of 1..%d bytes", HQ_BRANCH_MAX);
        fd_fail(why, FD_EINVAL, "branch", "%s", msg);
        return HQ_E_INVALID;
    }
    if (in->by && val_text(in->by, "by", BY_MAX, 0, &e)) {
        snprintf(msg, msglen, "--by: %s", e.msg);
        if (why)
            *why = e;
        return HQ_E_INVALID;
    }
    for (int t = 0; t < ADD_TRIES && rc == HQ_E_EXISTS; t++) {
        char c[INVITE_CODE_LEN + 1], phone[24];
        invite_code_make(c);
        struct invite_in ii = {c, in->day, in->name, in->phone, in->company ? in->company : "",
                               in->purpose ? in->purpose : "", in->host ? in->host : ""};
        if (invite_check(&ii, &e)) { /* core's rules, field by field */
            if (e.field[0] && strncmp(e.msg, e.field, strlen(e.field)) != 0)
                snprintf(msg, msglen, "%s: %s", e.field, e.msg);
            else
                snprintf(msg, msglen, "%s", e.msg);
            if (why)
                *why = e;
            return HQ_E_INVALID;
        }
        val_phone_normalize(in->phone, phone, sizeof phone);
        struct hq_param p[10] = {ptxt(c),          ptxt(in->branch),  ptxt(in->day),
                                 ptxt(in->name),   ptxt(phone),       ptxt(ii.company),
                                 ptxt(ii.purpose), ptxt(ii.host),     pint(now),
                                 ptxt(in->by ? in->by : "")};
        if ((rc = s->ops->begin(s)) != HQ_OK)
            break;
        rc = s->ops->sql(s, "INSERT INTO invitation(code, branch, day, name, phone, company,"
                            " purpose, host, created_at, created_by)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                         p, 10, NULL, NULL, NULL);
        if (rc == HQ_OK)
            rc = send_change(s, c, "open", now);
        if (rc == HQ_OK) { /* as a cancel is: who, which code, where and when (no name) */
            cJSON *d = cJSON_CreateObject();
            char *dj;
            cJSON_AddStringToObject(d, "branch", in->branch);
            cJSON_AddStringToObject(d, "day", in->day);
            dj = cJSON_PrintUnformatted(d);
            cJSON_Delete(d);
            rc = dj ? s->ops->audit_put(s, now, in->by && *in->by ? in->by : "hq",
                                        "invitation_add", c, "", dj)
                    : HQ_E_IO;
            cJSON_free(dj);
        }
        if (rc == HQ_OK)
            rc = s->ops->commit(s);
        if (rc != HQ_OK)
            s->ops->rollback(s);
        if (rc == HQ_OK)
            snprintf(code, 16, "%s", c);
    }
    if (rc != HQ_OK)
        snprintf(msg, msglen, "%s", rc == HQ_E_EXISTS ? "no free code found: try again"
                                                      : s->ops->errmsg(s));
    return rc;
}

struct state_row {
    int found;
    int cancelled, used;
};

static int take_state(void *ctx, int ncol, const char *const *col)
{
    struct state_row *r = ctx;
    if (ncol >= 2) {
        r->found = 1;
        r->cancelled = col[0] != NULL;
        r->used = col[1] != NULL;
    }
    return 0;
}

int hq_invite_cancel(struct hq_store *s, const char *code, const char *by, long long now,
                     char *msg, size_t msglen)
{
    char c[INVITE_CODE_LEN + 1], detail[64];
    struct state_row r = {0};
    int rc;
    if (invite_code_parse(code, c)) {
        snprintf(msg, msglen, "no invitation has this code (10 digits, check digit)");
        return HQ_E_NOTFOUND;
    }
    struct hq_param p[2] = {ptxt(c), pint(now)};
    if ((rc = s->ops->begin(s)) != HQ_OK)
        goto fail;
    /* used: marked, or a visitor record naming it already arrived */
    rc = s->ops->sql(s, "SELECT cancelled_at, coalesce(used_at, (SELECT max(v.signed_in_at)"
                        " FROM visitor_state v WHERE v.invitation = i.code)) FROM invitation i"
                        " WHERE code = $1",
                     p, 1, take_state, &r, NULL);
    if (rc == HQ_OK && !r.found) {
        s->ops->rollback(s);
        snprintf(msg, msglen, "no invitation has this code");
        return HQ_E_NOTFOUND;
    }
    if (rc == HQ_OK && (r.cancelled || r.used)) {
        s->ops->rollback(s);
        snprintf(msg, msglen, "this invitation is %s already", r.used ? "used" : "cancelled");
        return HQ_E_INVALID;
    }
    if (rc == HQ_OK)
        rc = s->ops->sql(s, "UPDATE invitation SET cancelled_at = $2 WHERE code = $1", p, 2,
                         NULL, NULL, NULL);
    if (rc == HQ_OK)
        rc = send_change(s, c, "cancelled", now);
    snprintf(detail, sizeof detail, "{\"code\":\"%s\"}", c);
    if (rc == HQ_OK)
        rc = s->ops->audit_put(s, now, by && *by ? by : "hq", "invitation_cancel", c, "",
                               detail);
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    if (rc == HQ_OK)
        return HQ_OK;
fail:
    s->ops->rollback(s);
    snprintf(msg, msglen, "%s", s->ops->errmsg(s));
    return rc;
}

/* ---- listing ---- */

struct list_ctx {
    cJSON *arr;
    int n;
};

static cJSON *num_or_null(const char *v)
{
    return v ? cJSON_CreateNumber((double)strtoll(v, NULL, 10)) : cJSON_CreateNull();
}

static int list_row(void *ctx, int ncol, const char *const *col)
{
    struct list_ctx *l = ctx;
    char shown[INVITE_CODE_SHOWN];
    static const char *const names[] = {"code", "branch", "day", "name", "phone",
                                        "company", "purpose", "host"};
    if (ncol < 13 || ++l->n > LIST_MAX)
        return 0;
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < 8; i++)
        cJSON_AddStringToObject(o, names[i], col[i] ? col[i] : "");
    invite_code_format(col[0] ? col[0] : "", shown);
    cJSON_AddStringToObject(o, "shown", shown);
    cJSON_AddStringToObject(o, "qr", col[0] ? col[0] : ""); /* the QR holds the code alone */
    long long uses = col[12] ? strtoll(col[12], NULL, 10) : 0;
    cJSON_AddStringToObject(o, "state", col[10] ? "cancelled"
                                        : (col[11] || uses > 0) ? "used" : "open");
    cJSON_AddItemToObject(o, "created_at", num_or_null(col[8]));
    cJSON_AddItemToObject(o, "cancelled_at", num_or_null(col[10]));
    cJSON_AddItemToObject(o, "used_at", num_or_null(col[11]));
    cJSON_AddItemToObject(o, "used_device",
                          ncol > 13 && col[13] ? cJSON_CreateString(col[13]) : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "uses", (double)uses);
    cJSON_AddItemToObject(o, "visitors", cJSON_CreateArray());
    cJSON_AddItemToArray(l->arr, o);
    return 0;
}

/* The visitors of each listed invitation (device_id, id, badge, signed_in_at). */
static int visitor_row(void *ctx, int ncol, const char *const *col)
{
    struct list_ctx *l = ctx;
    cJSON *it;
    if (ncol < 5 || !col[0])
        return 0;
    cJSON_ArrayForEach(it, l->arr) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "code");
        if (cJSON_IsString(c) && strcmp(c->valuestring, col[0]) == 0) {
            cJSON *v = cJSON_CreateObject();
            cJSON_AddStringToObject(v, "device_id", col[1] ? col[1] : "");
            cJSON_AddItemToObject(v, "id", num_or_null(col[2]));
            cJSON_AddStringToObject(v, "badge", col[3] ? col[3] : "");
            cJSON_AddItemToObject(v, "signed_in_at", num_or_null(col[4]));
            cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(it, "visitors"), v);
            break;
        }
    }
    return 0;
}

int hq_invite_list(struct hq_store *s, const char *branch, const char *day, cJSON **out)
{
    struct list_ctx l = {cJSON_CreateArray(), 0};
    struct hq_param p[2] = {ptxt(branch ? branch : ""), ptxt(day ? day : "")};
    int rc;
    *out = NULL;
    if (!l.arr)
        return HQ_E_IO;
    rc = s->ops->sql(s,
        "SELECT code, branch, day, name, phone, company, purpose, host, created_at,"
        " created_by, cancelled_at, used_at,"
        " (SELECT count(*) FROM visitor_state v WHERE v.invitation = i.code), used_device"
        " FROM invitation i WHERE ($1 = '' OR branch = $1) AND ($2 = '' OR day = $2)"
        " ORDER BY day, name, code",
        p, 2, list_row, &l, NULL);
    if (rc == HQ_OK && l.n > 0)
        rc = s->ops->sql(s,
            "SELECT v.invitation, v.device_id, v.id, v.badge, v.signed_in_at"
            " FROM visitor_state v JOIN invitation i ON i.code = v.invitation"
            " WHERE ($1 = '' OR i.branch = $1) AND ($2 = '' OR i.day = $2)"
            " ORDER BY v.signed_in_at, v.device_id",
            p, 2, visitor_row, &l, NULL);
    if (rc != HQ_OK) {
        cJSON_Delete(l.arr);
        return rc;
    }
    *out = l.arr;
    return HQ_OK;
}

static int take_branch(void *ctx, int ncol, const char *const *col)
{
    char *b = ctx;
    if (ncol >= 1 && col[0])
        snprintf(b, HQ_BRANCH_MAX + 1, "%s", col[0]);
    return 0;
}

int hq_invite_branch(struct hq_store *s, const char *code, char branch[HQ_BRANCH_MAX + 1])
{
    char c[INVITE_CODE_LEN + 1];
    int rc;
    branch[0] = '\0';
    if (!code || invite_code_parse(code, c))
        return HQ_E_NOTFOUND;
    struct hq_param p[1] = {ptxt(c)};
    rc = s->ops->sql(s, "SELECT branch FROM invitation WHERE code = $1", p, 1, take_branch,
                     branch, NULL);
    if (rc == HQ_OK && !branch[0])
        rc = HQ_E_NOTFOUND;
    return rc;
}

/* ---- used ---- */

struct mark_ctx {
    char (*codes)[INVITE_CODE_LEN + 1];
    char (*devices)[HQ_DEVICE_ID_MAX + 1];
    int n, cap;
};

static int mark_row(void *ctx, int ncol, const char *const *col)
{
    struct mark_ctx *m = ctx;
    if (ncol < 2 || !col[0] || !col[1] || strlen(col[0]) > INVITE_CODE_LEN)
        return 0;
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->codes[i], col[0]) == 0)
            return 0; /* the first visitor (by sign-in) is the use */
    if (m->n == m->cap)
        return 0; /* the rest on the next call */
    snprintf(m->codes[m->n], sizeof m->codes[0], "%s", col[0]);
    snprintf(m->devices[m->n], sizeof m->devices[0], "%s", col[1]);
    m->n++;
    return 0;
}

int hq_invite_mark_used(struct hq_store *s, long long now)
{
    enum { CAP = 500 };
    struct mark_ctx m = {calloc(CAP, sizeof *m.codes), calloc(CAP, sizeof *m.devices), 0, CAP};
    int rc = HQ_E_IO;
    if (!m.codes || !m.devices)
        goto out;
    if ((rc = s->ops->begin(s)) != HQ_OK)
        goto out;
    rc = s->ops->sql(s, "SELECT v.invitation, v.device_id FROM visitor_state v"
                        " JOIN invitation i ON i.code = v.invitation"
                        " WHERE i.used_at IS NULL ORDER BY v.signed_in_at, v.device_id",
                     NULL, 0, mark_row, &m, NULL);
    for (int i = 0; rc == HQ_OK && i < m.n; i++) {
        struct hq_param p[3] = {ptxt(m.codes[i]), pint(now), ptxt(m.devices[i])};
        rc = s->ops->sql(s, "UPDATE invitation SET used_at = $2, used_device = $3"
                            " WHERE code = $1 AND used_at IS NULL",
                         p, 3, NULL, NULL, NULL);
        if (rc == HQ_OK)
            rc = send_change(s, m.codes[i], "used", now);
    }
    if (rc == HQ_OK)
        rc = s->ops->commit(s);
    if (rc != HQ_OK)
        s->ops->rollback(s);
out:
    free(m.codes);
    free(m.devices);
    return rc == HQ_OK ? m.n : rc;
}

/* ---- personal data (issue 10's rules: hq_person.c calls these) ---- */

#define ERASED_CHANGE "{\"state\":\"erased\"}" /* what a kiosk needs: drop it */
#define HQ_PHONE_DIGITS 64     /* a normalised phone (hq_person.h: HQ_PHONE_MAX typed) */

/* Codes (and branches) of the invitations to erase. */
struct code_list {
    char (*code)[INVITE_CODE_LEN + 1];
    char (*branch)[HQ_BRANCH_MAX + 1];
    int n, cap;
    int oom;
};

static int code_row(void *ctx, int ncol, const char *const *col)
{
    struct code_list *l = ctx;
    if (ncol < 2 || !col[0] || !col[1] || strlen(col[0]) > INVITE_CODE_LEN ||
        strlen(col[1]) > HQ_BRANCH_MAX)
        return 0;
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 16;
        void *c = realloc(l->code, (size_t)nc * sizeof *l->code);
        if (c)
            l->code = c;
        void *b = c ? realloc(l->branch, (size_t)nc * sizeof *l->branch) : NULL;
        if (b)
            l->branch = b;
        if (!c || !b) {
            l->oom = 1;
            return 1;
        }
        l->cap = nc;
    }
    snprintf(l->code[l->n], sizeof l->code[0], "%s", col[0]);
    snprintf(l->branch[l->n], sizeof l->branch[0], "%s", col[1]);
    l->n++;
    return 0;
}

int hq_invite_erase(struct hq_store *s, const char *phone, const char *before_day, int limit,
                    long long now, long long *n)
{
    struct code_list l = {0};
    char norm[HQ_PHONE_DIGITS];
    int rc;
    *n = 0;
    if (phone) {
        val_phone_normalize(phone, norm, sizeof norm);
        struct hq_param p[2] = {ptxt(phone), ptxt(norm)};
        rc = s->ops->sql(s, "SELECT code, branch FROM invitation WHERE phone = $1 OR phone = $2"
                            " ORDER BY code", p, 2, code_row, &l, NULL);
    } else {
        if (!before_day || limit < 1)
            return HQ_E_INVALID;
        struct hq_param p[2] = {ptxt(before_day), pint(limit)};
        rc = s->ops->sql(s, "SELECT code, branch FROM invitation WHERE day < $1"
                            " ORDER BY day, code LIMIT $2", p, 2, code_row, &l, NULL);
    }
    if (l.oom)
        rc = HQ_E_IO;
    for (int i = 0; rc == HQ_OK && i < l.n; i++) {
        struct hq_param p[1] = {ptxt(l.code[i])};
        rc = s->ops->sql(s, "DELETE FROM change WHERE kind = 'invitation' AND key = $1", p, 1,
                         NULL, NULL, NULL);
        if (rc == HQ_OK)
            rc = s->ops->sql(s, "DELETE FROM invitation WHERE code = $1", p, 1, NULL, NULL, NULL);
    }
    /* last: on PostgreSQL the first change_put takes the pull log's lock,
     * which every writer of the log then waits for until the commit */
    for (int i = 0; rc == HQ_OK && i < l.n; i++)
        rc = s->ops->change_put(s, l.branch[i], "", "invitation", l.code[i], ERASED_CHANGE, now);
    if (rc == HQ_OK)
        *n = l.n;
    free(l.code);
    free(l.branch);
    return rc;
}

struct pii_find_ctx {
    hq_pii_fn fn;
    void *ctx;
};

/* An invitation row (code, branch, day, name, phone, company, purpose,
 * host, created_at, cancelled_at, used_at) as JSON for the person. */
static int pii_inv_row(void *ctx, int ncol, const char *const *col)
{
    struct pii_find_ctx *f = ctx;
    static const char *const names[] = {"code", "branch", "day", "name", "phone",
                                        "company", "purpose", "host"};
    if (ncol < 11)
        return 0;
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < 8; i++)
        cJSON_AddStringToObject(o, names[i], col[i] ? col[i] : "");
    cJSON_AddItemToObject(o, "created_at", num_or_null(col[8]));
    cJSON_AddItemToObject(o, "cancelled_at", num_or_null(col[9]));
    cJSON_AddItemToObject(o, "used_at", num_or_null(col[10]));
    char *j = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!j)
        return HQ_E_IO;
    struct hq_pii_hit h = {"invitation", col[1] ? col[1] : "", "", 0, 0, "invitation", j};
    int stop = f->fn(f->ctx, &h);
    free(j);
    return stop;
}

/* A change of the pull log (branch, device_id, value) copying one. */
static int pii_change_row(void *ctx, int ncol, const char *const *col)
{
    struct pii_find_ctx *f = ctx;
    if (ncol < 3)
        return 0;
    struct hq_pii_hit h = {"change", col[0] ? col[0] : "", col[1] ? col[1] : "", 0, 0,
                           "invitation", col[2] ? col[2] : ""};
    return f->fn(f->ctx, &h);
}

int hq_invite_pii_find(struct hq_store *s, const char *phone, hq_pii_fn fn, void *ctx)
{
    char norm[HQ_PHONE_DIGITS];
    struct pii_find_ctx f = {fn, ctx};
    int rc;
    val_phone_normalize(phone, norm, sizeof norm);
    struct hq_param p[2] = {ptxt(phone), ptxt(norm)};
    rc = s->ops->sql(s, "SELECT code, branch, day, name, phone, company, purpose, host,"
                        " created_at, cancelled_at, used_at FROM invitation"
                        " WHERE phone = $1 OR phone = $2 ORDER BY day, code",
                     p, 2, pii_inv_row, &f, NULL);
    if (rc == HQ_OK)
        rc = s->ops->sql(s, "SELECT c.branch, c.device_id, c.value FROM change c"
                            " JOIN invitation i ON c.kind = 'invitation' AND c.key = i.code"
                            " WHERE i.phone = $1 OR i.phone = $2 ORDER BY c.id",
                         p, 2, pii_change_row, &f, NULL);
    return rc;
}

/* ---- QR ---- */

/* Writes the QR code of `code` as a PNG to f. 0, or -1 with msg filled. */
static int qr_write(const char *code, FILE *f, char *msg, size_t msglen)
{
    QRcode *qr = QRcode_encodeString(code, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    png_structp png = NULL;
    png_infop info = NULL;
    unsigned char *row = NULL;
    int rc = -1;
    if (!qr) {
        snprintf(msg, msglen, "the QR code could not be made");
        return -1;
    }
    int side = (qr->width + 8) * QR_MODULE; /* a quiet zone of 4 modules each side */
    if (!(row = malloc((size_t)side))) {
        snprintf(msg, msglen, "out of memory");
        goto out;
    }
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        snprintf(msg, msglen, "the PNG could not be written");
        goto out;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < side; y++) {
        int my = y / QR_MODULE - 4;
        for (int x = 0; x < side; x++) {
            int mx = x / QR_MODULE - 4;
            int dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                       (qr->data[my * qr->width + mx] & 1);
            row[x] = dark ? 0 : 255;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    rc = 0;
out:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    free(row);
    QRcode_free(qr);
    return rc;
}

int hq_invite_qr_png(const char *code, const char *path, char *msg, size_t msglen)
{
    FILE *f = fopen(path, "wb");
    int rc;
    if (!f) {
        snprintf(msg, msglen, "%s: cannot write", path);
        return -1;
    }
    rc = qr_write(code, f, msg, msglen);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(msg, msglen, "%s: cannot write", path);
        rc = -1;
    }
    return rc;
}

int hq_invite_qr_png_mem(const char *code, unsigned char **out, size_t *len, char *msg,
                         size_t msglen)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n); /* glibc: a FILE that grows a buffer */
    int rc;
    *out = NULL;
    *len = 0;
    if (!f) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    rc = qr_write(code, f, msg, msglen);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(msg, msglen, "out of memory");
        rc = -1;
    }
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = (unsigned char *)buf;
    *len = n;
    return 0;
}

/* ---- the command line ---- */

struct inv_args {
    const char *db, *branch, *day, *name, *phone, *company, *purpose, *host, *qr, *by;
    int json;
    const char *pos[8];
    int npos;
};

static const struct {
    const char *name;
    size_t off;
} inv_opts[] = {
    {"--db", offsetof(struct inv_args, db)},         {"--branch", offsetof(struct inv_args, branch)},
    {"--day", offsetof(struct inv_args, day)},       {"--name", offsetof(struct inv_args, name)},
    {"--phone", offsetof(struct inv_args, phone)},   {"--company", offsetof(struct inv_args, company)},
    {"--purpose", offsetof(struct inv_args, purpose)}, {"--host", offsetof(struct inv_args, host)},
    {"--qr", offsetof(struct inv_args, qr)},         {"--by", offsetof(struct inv_args, by)},
};

/* The first word that is neither an option nor an option's value. */
static const char *command_word(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0)
            return argv[i];
        if (strcmp(argv[i], "--json") && strcmp(argv[i], "--csv") && strcmp(argv[i], "--drop"))
            i++; /* skips the option's value */
    }
    return NULL;
}

static int inv_usage(void)
{
    fprintf(stderr,
            "usage: frontdesk-hq --db DB invite add --branch B --day YYYY-MM-DD --name N"
            " --phone P [--company C] [--purpose X] [--host NAME] [--qr FILE.png] [--json]\n"
            "       frontdesk-hq --db DB invite list [--branch B] [--day D] [--json]\n"
            "       frontdesk-hq --db DB invite cancel CODE [--by NAME]\n");
    return 2;
}

static int inv_parse(int argc, char **argv, struct inv_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        int done = 0;
        for (size_t k = 0; k < sizeof inv_opts / sizeof inv_opts[0] && !done; k++)
            if (strcmp(argv[i], inv_opts[k].name) == 0) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "frontdesk-hq: %s needs a value\n", argv[i]);
                    return -1;
                }
                *(const char **)((char *)a + inv_opts[k].off) = argv[++i];
                done = 1;
            }
        if (done)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            a->json = 1;
        else if (strncmp(argv[i], "--", 2) == 0) {
            fprintf(stderr, "frontdesk-hq: unknown option %s for invite\n", argv[i]);
            return -1;
        } else if (a->npos < 8)
            a->pos[a->npos++] = argv[i];
        else
            return -1;
    }
    return 0;
}

static void print_text(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const char *f[6];
        static const char *const k[] = {"shown", "day", "branch", "state", "name", "host"};
        for (int i = 0; i < 6; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, k[i]);
            f[i] = cJSON_IsString(v) ? v->valuestring : "";
        }
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "uses");
        int uses = cJSON_IsNumber(u) ? u->valueint : 0;
        printf("%s  %s  %-12s %-9s %s%s%s", f[0], f[1], f[2], f[3], f[4], *f[5] ? " -> " : "",
               f[5]);
        if (uses > 1)
            printf("  (used at %d kiosks: every visitor kept)", uses);
        printf("\n");
    }
}

int hq_invite_main(int argc, char **argv)
{
    const char *cmd = command_word(argc, argv);
    struct inv_args a;
    struct hq_store *s = NULL;
    char err[512], msg[300];
    long long now = (long long)time(NULL);
    int rc = 2;

    if (!cmd || strcmp(cmd, "invite") != 0)
        return -1;
    if (inv_parse(argc, argv, &a) != 0 || a.npos < 2)
        return inv_usage();
    if (!a.db) {
        fprintf(stderr, "frontdesk-hq: --db is required\n");
        return 2;
    }
    if (hq_store_open(a.db, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", err);
        return 1;
    }
    if (strcmp(a.pos[1], "add") == 0 && a.npos == 2) {
        char code[16], shown[INVITE_CODE_SHOWN];
        struct hq_invite_new in = {a.branch, a.day, a.name, a.phone, a.company, a.purpose,
                                   a.host, a.by};
        int r = hq_invite_add(s, &in, now, code, msg, sizeof msg, NULL);
        if (r != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", msg);
            rc = r == HQ_E_INVALID ? 2 : 1;
        } else if (a.qr && hq_invite_qr_png(code, a.qr, msg, sizeof msg) != 0) {
            fprintf(stderr, "frontdesk-hq: invitation %s stored, but its QR: %s\n", code, msg);
            printf("%s\n", code);
            rc = 1;
        } else {
            invite_code_format(code, shown);
            if (a.json)
                printf("{\"code\":\"%s\",\"shown\":\"%s\",\"qr\":\"%s\"}\n", code, shown, code);
            else
                printf("%s\n", code);
            rc = 0;
        }
    } else if (strcmp(a.pos[1], "list") == 0 && a.npos == 2) {
        cJSON *arr = NULL;
        if (hq_invite_list(s, a.branch, a.day, &arr) != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            rc = 1;
        } else {
            if (a.json) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddItemToObject(o, "invitations", arr);
                char *j = cJSON_PrintUnformatted(o);
                printf("%s\n", j ? j : "{}");
                free(j);
                cJSON_Delete(o);
            } else {
                print_text(arr);
                cJSON_Delete(arr);
            }
            rc = 0;
        }
    } else if (strcmp(a.pos[1], "cancel") == 0 && a.npos == 3) {
        int r = hq_invite_cancel(s, a.pos[2], a.by, now, msg, sizeof msg);
        if (r != HQ_OK)
            fprintf(stderr, "frontdesk-hq: %s\n", msg);
        rc = r == HQ_OK ? 0 : 1;
    } else {
        rc = inv_usage();
    }
    hq_store_close(s);
    return rc;
}
