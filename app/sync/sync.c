/* sync.c - the kiosk's sync client (sync.h, hq/PROTOCOL.md). libcurl talks
 * to head office; cJSON builds and reads the bodies (outbox records go into a
 * batch as they are stored, raw, never re-encoded); sync_wire signs and
 * gzips. Outbox rows are deleted only after head office answered with the
 * highest seq it holds, and pulled changes are applied in the same
 * transaction as the cursor, so a crash anywhere repeats work, never loses it. */
#include "sync.h"
#include "sync_config.h"
#include "sync_health.h"
#include "sync_wire.h"
#include "journal.h"
#include "deny.h"
#include "retention.h"
#include "seal.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Head office's answers are small (a pull page is bounded at
 * HQ_PULL_PAGE_BYTES, one change can be larger); capped, and an answer past
 * the cap is an error that says so. */
#define ANSWER_MAX SYNC_PLAIN_MAX

static const struct sync_hooks *hooks;

void sync_set_hooks(const struct sync_hooks *h)
{
    hooks = h;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* A whole JSON number in [0, 2^53] (what head office sends: seqs, cursors,
 * times); anything else is not the protocol. */
static int json_count(const cJSON *v, long long *out)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != (double)(long long)v->valuedouble)
        return -1;
    *out = (long long)v->valuedouble;
    return 0;
}

/* ---- sync_state ---- */

/* Keys and where to send, read in one go. The secret key is wiped by keys_wipe. */
struct keys {
    char url[256];
    char ca[256];             /* CA file to trust for head office, "" = system CAs */
    char device_id[65];
    unsigned char sk[SYNC_SK_BYTES];
    long long offset;         /* head office clock - ours */
    long long acked_epoch;
    long long cursor;
};

static void keys_wipe(struct keys *k)
{
    sodium_memzero(k, sizeof *k);
}

/* The device key is sealed at rest with this machine's id (core's seal.h,
 * the one scheme for every secret the kiosk keeps): a copy of the database
 * taken off the box (a backup) then carries no usable device key; a restore
 * on the same box still works; on another box the kiosk must be enrolled
 * again. A key stored before sealing (plain hex) still opens, and
 * sync_seal_at_rest seals it. */
#define SEALED_HEX_MAX SEAL_TEXT_LEN(SYNC_SK_BYTES)

static int load_keys(sqlite3 *db, struct keys *k, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = SYNC_E_DB;
    memset(k, 0, sizeof *k);
    if (sqlite3_prepare_v2(db,
                           "SELECT s.hq_url, s.secret_key, s.clock_offset, s.acked_epoch,"
                           " s.pull_cursor, (SELECT value FROM meta WHERE key = 'device_id'),"
                           " s.ca_file FROM sync_state s WHERE id = 1",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, errlen, "sync_state: %s", sqlite3_errmsg(db));
        return SYNC_E_DB;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        set_err(err, errlen, "sync_state: %s", sqlite3_errmsg(db));
        goto out;
    }
    const char *url = (const char *)sqlite3_column_text(st, 0);
    const char *sk = (const char *)sqlite3_column_text(st, 1);
    const char *dev = (const char *)sqlite3_column_text(st, 5);
    if (!url || !*url || !sk || !*sk || !dev) {
        set_err(err, errlen, "this kiosk is not enrolled (frontdesk-ctl enroll --hq URL --token T)");
        rc = SYNC_E_NOT_ENROLLED;
        goto out;
    }
    if (seal_open(sk, k->sk, SYNC_SK_BYTES) != 0) {
        set_err(err, errlen, "the device key was sealed on another machine (a restored backup?):"
                             " enroll this kiosk again");
        rc = SYNC_E_NOT_ENROLLED;
        goto out;
    }
    snprintf(k->url, sizeof k->url, "%s", url);
    snprintf(k->device_id, sizeof k->device_id, "%s", dev);
    snprintf(k->ca, sizeof k->ca, "%s", (const char *)sqlite3_column_text(st, 6));
    k->offset = sqlite3_column_int64(st, 2);
    k->acked_epoch = sqlite3_column_int64(st, 3);
    k->cursor = sqlite3_column_int64(st, 4);
    rc = SYNC_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

int sync_device_key(sqlite3 *db, char device_id[65], unsigned char sk[64], char *err,
                    size_t errlen)
{
    struct keys k;
    int rc = load_keys(db, &k, err, errlen);
    if (rc == SYNC_OK) {
        snprintf(device_id, 65, "%s", k.device_id);
        memcpy(sk, k.sk, SYNC_SK_BYTES);
    }
    keys_wipe(&k);
    return rc;
}

/* Records the outcome of an attempt (err NULL = success). */
static void note_outcome(sqlite3 *db, const char *error)
{
    sqlite3_stmt *st = NULL;
    const char *sql =
        error ? "UPDATE sync_state SET last_attempt = ?1, failures = failures + 1,"
                " last_error = ?2 WHERE id = 1"
              : "UPDATE sync_state SET last_attempt = ?1, last_success = ?1, failures = 0,"
                " last_error = '' WHERE id = 1";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (long long)time(NULL));
        if (error)
            sqlite3_bind_text(st, 2, error, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- HTTP ---- */

struct answer {
    char *p;
    size_t len, cap;
    int over;                 /* more than ANSWER_MAX came: cut */
    int retry_after;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * n;
    if (a->len + len > ANSWER_MAX) {
        a->over = 1;
        return 0; /* aborts the transfer */
    }
    if (a->len + len + 1 > a->cap) { /* grows by doubling: a big page is no quadratic copy */
        size_t ncap = a->cap ? a->cap : 16384;
        while (ncap < a->len + len + 1)
            ncap *= 2;
        char *np = realloc(a->p, ncap);
        if (!np)
            return 0;
        a->p = np;
        a->cap = ncap;
    }
    memcpy(a->p + a->len, data, len);
    a->len += len;
    a->p[a->len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0)
        a->retry_after = atoi(data + 12);
    return len;
}

/* During a round, one connection to head office is kept (keep-alive: one TLS
 * handshake per round, not per batch). Per thread, so kiosks simulated on
 * several threads do not share it; sync_round opens and closes it. */
static _Thread_local CURL *round_curl;

/* Signs and POSTs body to url+path. Returns the HTTP status (>0), or -1 on
 * a network failure with err set. The answer body lands in *a (caller frees a->p). */
static long post(const struct keys *k, const char *path, const void *body, size_t len,
                 int gzip, struct answer *a, char *err, size_t errlen)
{
    CURL *c = round_curl ? round_curl : curl_easy_init();
    struct curl_slist *h = NULL;
    char url[512], line[300], nonce[SYNC_NONCE_HEX + 1], sig[SYNC_SIG_HEX + 1];
    long long ts = (long long)time(NULL) + k->offset;
    long status = -1;
    CURLcode cc;

    memset(a, 0, sizeof *a);
    if (!c) {
        set_err(err, errlen, "curl: out of memory");
        return -1;
    }
    sync_nonce(nonce);
    if (sync_sign(k->sk, "POST", path, body, len, k->device_id, ts, nonce, sig) != 0) {
        set_err(err, errlen, "cannot sign the request");
        if (c != round_curl)
            curl_easy_cleanup(c);
        return -1;
    }
    snprintf(url, sizeof url, "%s%s", k->url, path);
    snprintf(line, sizeof line, "X-FD-Device: %s", k->device_id);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-FD-Timestamp: %lld", ts);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-FD-Nonce: %s", nonce);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-FD-Signature: %s", sig);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (gzip)
        h = curl_slist_append(h, "Content-Encoding: gzip");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (k->ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, k->ca);
    cc = curl_easy_perform(c);
    if (cc == CURLE_WRITE_ERROR && a->over) {
        set_err(err, errlen, "head office's answer to %s is larger than %u bytes: refused",
                path, ANSWER_MAX);
    } else if (cc != CURLE_OK) {
        set_err(err, errlen, "head office unreachable: %s", curl_easy_strerror(cc));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_slist_free_all(h);
    if (c == round_curl)
        curl_easy_reset(c); /* keeps the connection, forgets this request's options */
    else
        curl_easy_cleanup(c);
    sodium_memzero(sig, sizeof sig);
    return status;
}

/* Maps a non-200 answer to a sync_rc with a sentence. Returns 1 when signing
 * again at once is the cure: stale_timestamp (the clock offset is learnt
 * here) or replay (our own request delivered twice). */
static int refusal(sqlite3 *db, long status, const struct answer *a, struct sync_result *res,
                   char *err, size_t errlen)
{
    cJSON *o = a->p ? cJSON_Parse(a->p) : NULL;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "error");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "server_time");
    const char *c = cJSON_IsString(code) ? code->valuestring : "?";
    int rc;

    if (status == 401 && strcmp(c, "replay") == 0) {
        /* Our own request arrived twice: libcurl sends it again on a fresh
         * connection when a kept-alive one died after sending (an answer lost
         * after head office committed). Signing again is safe: a batch head
         * office holds is ignored. */
        cJSON_Delete(o);
        return 1;
    }
    long long server_time = 0;
    if (status == 401 && strcmp(c, "stale_timestamp") == 0 && json_count(st, &server_time) == 0) {
        sqlite3_stmt *s = NULL;
        long long off = server_time - (long long)time(NULL);
        if (sqlite3_prepare_v2(db, "UPDATE sync_state SET clock_offset = ? WHERE id = 1", -1,
                               &s, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(s, 1, off);
            sqlite3_step(s);
        }
        sqlite3_finalize(s);
        cJSON_Delete(o);
        return 1;
    }
    set_err(err, errlen, "head office answered %ld %s: %s", status, c,
            cJSON_IsString(msg) ? msg->valuestring : (a->p ? "" : "(no body)"));
    if (status == 429 || status == 503) {
        res->retry_after = a->retry_after > 0 ? a->retry_after : 1;
        rc = SYNC_E_BUSY;
    } else if (status >= 400 && status < 500) {
        rc = SYNC_E_REFUSED;
    } else {
        rc = SYNC_E_SERVER;
    }
    cJSON_Delete(o);
    return rc;
}

/* ---- enrolment ---- */

int sync_enroll(sqlite3 *db, const char *hq_url, const char *token, char *err, size_t errlen)
{
    return sync_enroll_ca(db, hq_url, token, NULL, err, errlen);
}

int sync_enroll_ca(sqlite3 *db, const char *hq_url, const char *token, const char *ca_file,
                   char *err, size_t errlen)
{
    unsigned char pk[SYNC_PK_BYTES];
    struct keys k;
    struct answer a = {0};
    char pk_hex[2 * SYNC_PK_BYTES + 1], sk_hex[SEALED_HEX_MAX];
    char *body = NULL;
    cJSON *o = NULL, *ans = NULL;
    sqlite3_stmt *st = NULL;
    long status;
    int rc = SYNC_E_ARG;

    memset(&k, 0, sizeof k);
    if (!hq_url || strncmp(hq_url, "http", 4) != 0 || strlen(hq_url) >= sizeof k.url || !token ||
        !*token) {
        set_err(err, errlen, "enroll needs --hq http(s)://HOST:PORT and --token T");
        return SYNC_E_ARG;
    }
    if (sync_wire_init() != 0) {
        set_err(err, errlen, "libsodium failed to start");
        return SYNC_E_ARG;
    }
    snprintf(k.url, sizeof k.url, "%s", hq_url);
    if (ca_file && strlen(ca_file) >= sizeof k.ca) {
        set_err(err, errlen, "--ca: path too long");
        return SYNC_E_ARG;
    }
    snprintf(k.ca, sizeof k.ca, "%s", ca_file ? ca_file : "");
    if (k.url[strlen(k.url) - 1] == '/')
        k.url[strlen(k.url) - 1] = '\0';
    /* The device id is the core's; make one only if this store has none. */
    if (exec(db, "INSERT OR IGNORE INTO meta(key, value)"
                 " VALUES ('device_id', lower(hex(randomblob(16))))") != 0 ||
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'device_id'", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        set_err(err, errlen, "meta: %s", sqlite3_errmsg(db));
        rc = SYNC_E_DB;
        goto out;
    }
    snprintf(k.device_id, sizeof k.device_id, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    st = NULL;

    crypto_sign_keypair(pk, k.sk);
    sync_hex(pk, sizeof pk, pk_hex);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    cJSON_AddStringToObject(o, "device_id", k.device_id);
    cJSON_AddStringToObject(o, "public_key", pk_hex);
    body = cJSON_PrintUnformatted(o);
    for (int tries = 0; tries < 2; tries++) {
        free(a.p);
        status = post(&k, "/v1/enroll", body, strlen(body), 0, &a, err, errlen);
        if (status < 0) {
            rc = SYNC_E_NET;
            goto out;
        }
        if (status == 200)
            break;
        struct sync_result res = {0};
        if ((rc = refusal(db, status, &a, &res, err, errlen)) != 1)
            goto out;
        /* Learnt the clock offset: read it and sign again. */
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, "SELECT clock_offset FROM sync_state WHERE id = 1", -1, &q,
                               NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            k.offset = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        rc = SYNC_E_REFUSED;
    }
    if (status != 200) {
        set_err(err, errlen, "head office refused the enrolment (clock?)");
        goto out;
    }
    ans = cJSON_Parse(a.p ? a.p : "");
    const cJSON *br = cJSON_GetObjectItemCaseSensitive(ans, "branch");
    seal_put(k.sk, SYNC_SK_BYTES, sk_hex, sizeof sk_hex);
    if (sqlite3_prepare_v2(db,
                           "UPDATE sync_state SET hq_url = ?, branch = ?, public_key = ?,"
                           " secret_key = ?, enrolled_at = ?, ca_file = ?, pull_cursor = 0,"
                           " acked_epoch = 0, clock_offset = ?7,"
                           " last_error = '', failures = 0 WHERE id = 1",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, errlen, "sync_state: %s", sqlite3_errmsg(db));
        rc = SYNC_E_DB;
        goto out;
    }
    sqlite3_bind_text(st, 1, k.url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cJSON_IsString(br) ? br->valuestring : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, pk_hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sk_hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (long long)time(NULL));
    sqlite3_bind_text(st, 6, k.ca, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, k.offset); /* a new head office: nothing of ours acknowledged */
    if (sqlite3_step(st) != SQLITE_DONE) {
        set_err(err, errlen, "sync_state: %s", sqlite3_errmsg(db));
        rc = SYNC_E_DB;
        goto out;
    }
    rc = SYNC_OK;
out:
    sodium_memzero(sk_hex, sizeof sk_hex);
    keys_wipe(&k);
    sqlite3_finalize(st);
    cJSON_Delete(o);
    cJSON_Delete(ans);
    if (body)
        cJSON_free(body);
    free(a.p);
    return rc;
}

/* ---- push ---- */

#define SYNC_TOO_LARGE 1000 /* internal: head office answered 413 to this batch */
#define SYNC_E_GAP_MOVED 1001 /* internal: the outbox moved to a new epoch; push again */

/* After a 409 gap that this kiosk cannot fill (head office expects seq
 * `expected` of `epoch`, the outbox starts at `first`): raises the epoch in
 * meta, moves every outbox row to it (the held rows are one contiguous seq
 * range, so the new epoch starts at `first`) and writes an audit record of
 * the seqs lost, all in one transaction. Returns 0 or -1 (rolled back). */
static int new_epoch_after_gap(sqlite3 *db, long long epoch, long long expected,
                               long long first)
{
    struct fd_store *core = NULL;
    struct fd_err e;
    char detail[200];
    int rc = -1;
    if (exec(db, "BEGIN IMMEDIATE") != 0)
        return -1;
    if (exec(db, "UPDATE meta SET value = CAST(max(CAST(value AS INTEGER),"
                 " (SELECT coalesce(max(epoch), 0) FROM outbox)) + 1 AS TEXT)"
                 " WHERE key = 'epoch'") != 0 ||
        sqlite3_changes(db) != 1 ||
        exec(db, "UPDATE outbox SET epoch = (SELECT CAST(value AS INTEGER) FROM meta"
                 " WHERE key = 'epoch')") != 0 ||
        store_wrap(db, &core) != 0)
        goto out;
    memset(&e, 0, sizeof e);
    snprintf(detail, sizeof detail, "epoch %lld seq %lld..%lld missing at head office and no"
             " longer held here; outbox moved to a new epoch", epoch, expected, first - 1);
    fprintf(stderr, "sync: %s\n", detail);
    if (journal_audit(core, "sync", "sync_gap", "", detail, (int64_t)time(NULL), &e) != 0)
        goto out;
    rc = exec(db, "COMMIT");
out:
    store_close(core);
    if (rc != 0)
        exec(db, "ROLLBACK");
    return rc;
}

/* The highest outbox seq this store ever handed out (AUTOINCREMENT keeps
 * it in sqlite_sequence), or -1 when it cannot be read. */
static long long outbox_top(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Pushes one batch of at most rows rows (see sync_push_once). */
static int push_rows(sqlite3 *db, int rows, struct sync_result *res, char *err, size_t errlen)
{
    struct keys k;
    struct answer a = {0};
    sqlite3_stmt *st = NULL;
    cJSON *root = NULL, *recs, *ans = NULL;
    char *plain = NULL;
    unsigned char *gz = NULL;
    size_t gz_len = 0, bytes = 0;
    long long epoch = 0, first = 0, last = 0, total = 0, n = 0;
    long status;
    int rc;

    if ((rc = load_keys(db, &k, err, errlen)) != SYNC_OK)
        return rc;
    rc = SYNC_E_DB;
    /* The oldest rows, of the oldest epoch only (seq grows with epoch). */
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, epoch, type, schema_version, record, "
                           "(SELECT max(seq) FROM outbox) FROM outbox ORDER BY seq LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_int(st, 1, rows);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "device_id", k.device_id);
    recs = cJSON_CreateArray();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0), ep = sqlite3_column_int64(st, 1);
        const char *rec = (const char *)sqlite3_column_text(st, 4);
        size_t rl = (size_t)sqlite3_column_bytes(st, 4);
        if (n == 0) {
            epoch = ep;
            first = seq;
            total = sqlite3_column_int64(st, 5); /* max seq: count(*) would scan */
        } else if (ep != epoch || bytes + rl > SYNC_BATCH_BYTES) {
            break;
        }
        cJSON *r = cJSON_CreateObject(), *chk = rec ? cJSON_ParseWithLength(rec, rl) : NULL;
        cJSON_AddNumberToObject(r, "seq", (double)seq);
        cJSON_AddStringToObject(r, "type", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(r, "v", sqlite3_column_int(st, 3));
        /* A row that is not JSON (a damaged page, a bug) would make the whole
         * batch unreadable and block the kiosk for good: it goes as a string,
         * which head office quarantines with its reason and acknowledges. */
        cJSON_AddItemToObject(r, "record", chk ? cJSON_CreateRaw(rec)
                                               : cJSON_CreateString(rec ? rec : ""));
        if (!chk)
            fprintf(stderr, "sync: outbox row %lld is not JSON: sent for quarantine\n", seq);
        cJSON_Delete(chk);
        cJSON_AddItemToArray(recs, r);
        bytes += rl + 64;
        last = seq;
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        cJSON_Delete(recs);
        goto db_fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* A health record the worker offered (sync_health.c) rides on this push;
     * with an empty outbox it goes alone, in a push with no records. */
    const char *health = sync_health_pending();
    if (n == 0 && !health) {
        cJSON_Delete(recs);
        rc = SYNC_OK;
        goto out;
    }
    if (n == 0) {
        sqlite3_stmt *e = NULL;
        if (sqlite3_prepare_v2(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'epoch'",
                               -1, &e, NULL) == SQLITE_OK && sqlite3_step(e) == SQLITE_ROW)
            epoch = sqlite3_column_int64(e, 0);
        sqlite3_finalize(e);
        if (epoch < 1)
            epoch = 1;
    }
    cJSON_AddNumberToObject(root, "epoch", (double)epoch);
    if (k.acked_epoch != epoch && n > 0)
        cJSON_AddNumberToObject(root, "epoch_start", (double)first);
    cJSON_AddNumberToObject(root, "backlog", (double)(total - last)); /* about: seq has no gaps */
    cJSON_AddItemToObject(root, "records", recs);
    if (health)
        cJSON_AddItemToObject(root, "health", cJSON_CreateRaw(health));
    plain = cJSON_PrintUnformatted(root);
    if (!plain || sync_gzip(plain, strlen(plain), &gz, &gz_len) != 0) {
        set_err(err, errlen, "out of memory building a batch");
        rc = SYNC_E_ARG;
        goto out;
    }
    for (int tries = 0;; tries++) {
        if (hooks && hooks->before_send && hooks->before_send(hooks->ctx, first, last)) {
            set_err(err, errlen, "aborted before sending (test hook)");
            rc = SYNC_E_NET;
            goto out;
        }
        free(a.p);
        status = post(&k, "/v1/push", gz, gz_len, 1, &a, err, errlen);
        if (hooks && hooks->after_answer && hooks->after_answer(hooks->ctx, status)) {
            set_err(err, errlen, "answer lost (test hook)");
            rc = SYNC_E_NET;
            goto out;
        }
        if (status < 0) {
            rc = SYNC_E_NET;
            goto out;
        }
        if (status == 200)
            break;
        rc = refusal(db, status, &a, res, err, errlen);
        if (status == 413 && n > 1) {
            rc = SYNC_TOO_LARGE; /* the caller tries a smaller batch */
            goto out;
        }
        if (status == 409) {
            /* Head office misses rows this kiosk no longer holds: a head
             * office restored from an older backup (or a kiosk restored
             * without raising the epoch). Rows this kiosk still holds are
             * resent from `expected` by the next push; rows it no longer
             * holds are gone from both ends, so the stream cannot go on:
             * what the outbox holds moves to a new epoch, which head office
             * starts at its first row (epoch_start), and an audit record
             * tells head office which seqs were lost. */
            cJSON *g = cJSON_Parse(a.p ? a.p : "");
            long long expected;
            if (json_count(cJSON_GetObjectItemCaseSensitive(g, "expected"), &expected) == 0) {
                set_err(err, errlen,
                        "head office expects seq %lld of epoch %lld but this kiosk's outbox"
                        " starts at %lld: rows are missing (head office restored from a"
                        " backup?)",
                        expected, epoch, first);
                if (expected < first && new_epoch_after_gap(db, epoch, expected, first) == 0) {
                    rc = SYNC_E_GAP_MOVED;
                    cJSON_Delete(g);
                    goto out;
                }
            }
            cJSON_Delete(g);
        }
        if (rc != 1 || tries > 0)
            goto out;
        keys_wipe(&k); /* the clock offset changed: reload and sign again */
        if ((rc = load_keys(db, &k, err, errlen)) != SYNC_OK)
            goto out;
    }
    if (health)
        sync_health_delivered();
    if (n == 0) { /* health alone: nothing to forget, no epoch acknowledged */
        rc = SYNC_OK;
        goto out;
    }
    ans = cJSON_Parse(a.p ? a.p : "");
    long long high;
    if (json_count(cJSON_GetObjectItemCaseSensitive(ans, "high"), &high) != 0) {
        set_err(err, errlen, "head office answered 200 without high");
        rc = SYNC_E_SERVER;
        goto out;
    }
    if (high > last) {
        /* Head office holds more of this epoch than the batch carried (a
         * kiosk restored from a backup resends rows it already has). Only
         * what was sent is forgotten: the rest goes in the next batch, and
         * head office ignores what it holds. A `high` past every seq this
         * kiosk ever numbered cannot be true: a protocol error, and nothing
         * is deleted. */
        long long top = outbox_top(db);
        if (top < 0 || high > top) {
            set_err(err, errlen, "protocol error: head office acknowledged seq %lld of epoch %lld"
                    " but this kiosk never numbered past %lld (the batch ended at %lld);"
                    " nothing deleted", high, epoch, top, last);
            rc = SYNC_E_SERVER;
            goto out;
        }
        high = last;
    }
    /* Forget what head office holds; remember it has seen this epoch. */
    if (exec(db, "BEGIN IMMEDIATE") != 0 ||
        sqlite3_prepare_v2(db, "DELETE FROM outbox WHERE epoch = ? AND seq <= ?", -1, &st,
                           NULL) != SQLITE_OK)
        goto db_fail_tx;
    sqlite3_bind_int64(st, 1, epoch);
    sqlite3_bind_int64(st, 2, high);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto db_fail_tx;
    res->pushed += sqlite3_changes(db);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "UPDATE sync_state SET acked_epoch = ? WHERE id = 1", -1, &st,
                           NULL) != SQLITE_OK)
        goto db_fail_tx;
    sqlite3_bind_int64(st, 1, epoch);
    if (sqlite3_step(st) != SQLITE_DONE || exec(db, "COMMIT") != 0)
        goto db_fail_tx;
    res->batches++;
    if (high < first) {
        /* Head office took nothing of this batch and no gap was reported:
         * it must have lost rows it had acknowledged. Do not spin. */
        set_err(err, errlen, "head office holds only up to %lld of epoch %lld; kiosk has %lld..%lld",
                high, epoch, first, last);
        rc = SYNC_E_SERVER;
        goto out;
    }
    rc = SYNC_OK;
    goto out;
db_fail_tx:
    set_err(err, errlen, "kiosk database: %s", sqlite3_errmsg(db));
    exec(db, "ROLLBACK");
    rc = SYNC_E_DB;
    goto out;
db_fail:
    set_err(err, errlen, "kiosk database: %s", sqlite3_errmsg(db));
    rc = SYNC_E_DB;
out:
    keys_wipe(&k);
    sqlite3_finalize(st);
    cJSON_Delete(root);
    cJSON_Delete(ans);
    if (plain)
        cJSON_free(plain);
    free(gz);
    free(a.p);
    return rc;
}

int sync_push_once(sqlite3 *db, struct sync_result *res, char *err, size_t errlen)
{
    int rows = res->batch_rows > 0 ? res->batch_rows : SYNC_BATCH_ROWS, rc;
    /* A head office with a smaller cap (an older version) answers 413:
     * halve the batch until it fits, and keep that size for the round. */
    int moved = 0;
    while ((rc = push_rows(db, rows, res, err, errlen)) == SYNC_TOO_LARGE ||
           (rc == SYNC_E_GAP_MOVED && !moved++))
        if (rc == SYNC_TOO_LARGE)
            rows = rows > 1 ? rows / 2 : 1;
    if (rc == SYNC_E_GAP_MOVED)
        rc = SYNC_E_REFUSED;
    res->batch_rows = rows;
    return rc;
}

/* ---- secrets at rest ---- */

/* The device key: sealed in place when it is still plain hex. 1 sealed, 0
 * nothing to do, SYNC_E_DB. */
static int seal_device_key(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    unsigned char sk[SYNC_SK_BYTES];
    char old[2 * SYNC_SK_BYTES + 1] = "", sealed[SEALED_HEX_MAX];
    int rc = SYNC_E_DB, plain = 0;
    if (sqlite3_prepare_v2(db, "SELECT secret_key FROM sync_state WHERE id = 1", -1, &st,
                           NULL) != SQLITE_OK)
        return SYNC_E_DB;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        plain = t && !seal_is_sealed(t) && strlen(t) == 2 * SYNC_SK_BYTES;
        if (plain)
            memcpy(old, t, sizeof old);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return SYNC_E_DB;
    if (!plain)
        return 0;
    if (seal_open(old, sk, SYNC_SK_BYTES) != 0 || seal_put(sk, SYNC_SK_BYTES, sealed,
                                                           sizeof sealed) != 1) {
        rc = 0; /* not a key (load_keys says so), or no machine id (logged) */
        goto out;
    }
    /* only the value read: an enrolment meanwhile wrote a sealed key */
    if (sqlite3_prepare_v2(db, "UPDATE sync_state SET secret_key = ?2 WHERE id = 1"
                               " AND secret_key = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, old, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sealed, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            rc = sqlite3_changes(db) > 0;
    }
out:
    sqlite3_finalize(st);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(old, sizeof old);
    sodium_memzero(sealed, sizeof sealed);
    return rc;
}

int sync_seal_at_rest(sqlite3 *db)
{
    struct fd_store *core = NULL;
    struct fd_err e = {0};
    int a, b;
    if (!seal_available())
        return 0; /* plain as before; seal_put logged it when the key was stored */
    if ((a = seal_device_key(db)) < 0)
        return a;
    if (store_wrap(db, &core) != 0)
        return SYNC_E_DB;
    b = deny_key_seal(core, &e);
    store_close(core);
    if (b < 0) {
        fprintf(stderr, "sync: sealing the deny key: %s\n", e.msg);
        return SYNC_E_DB;
    }
    return a + b;
}

/* ---- pull ---- */

int sync_pull(sqlite3 *db, struct sync_result *res, char *err, size_t errlen)
{
    struct keys k;
    int rc, more = 1;

    struct fd_store *core = NULL;
    if (sync_seal_at_rest(db) < 0) /* the pull says what the database did */
        fprintf(stderr, "sync: secrets not sealed yet: %s\n", sqlite3_errmsg(db));
    if ((rc = load_keys(db, &k, err, errlen)) != SYNC_OK)
        return rc;
    if (store_wrap(db, &core) != 0) {
        keys_wipe(&k);
        set_err(err, errlen, "out of memory");
        return SYNC_E_DB;
    }
    for (int page = 0; more && page < 10000; page++) {
        struct answer a = {0};
        char body[96];
        cJSON *ans = NULL;
        const cJSON *ch, *it, *cur, *mo;
        long status;

        snprintf(body, sizeof body, "{\"cursor\":%lld,\"limit\":200}", k.cursor);
        status = post(&k, "/v1/pull", body, strlen(body), 0, &a, err, errlen);
        if (status < 0) {
            rc = SYNC_E_NET;
            free(a.p);
            break;
        }
        if (status != 200) {
            rc = refusal(db, status, &a, res, err, errlen);
            free(a.p);
            if (rc == 1 && page == 0) {
                keys_wipe(&k);
                if ((rc = load_keys(db, &k, err, errlen)) != SYNC_OK)
                    break;
                continue;
            }
            if (rc == 1)
                rc = SYNC_E_REFUSED;
            break;
        }
        ans = cJSON_Parse(a.p ? a.p : "");
        free(a.p);
        ch = cJSON_GetObjectItemCaseSensitive(ans, "changes");
        cur = cJSON_GetObjectItemCaseSensitive(ans, "cursor");
        mo = cJSON_GetObjectItemCaseSensitive(ans, "more");
        long long next_cursor;
        if (!cJSON_IsArray(ch) || json_count(cur, &next_cursor) != 0) {
            set_err(err, errlen, "pull answer is not the protocol");
            cJSON_Delete(ans);
            rc = SYNC_E_SERVER;
            break;
        }
        more = cJSON_IsTrue(mo);
        rc = SYNC_OK;
        if (exec(db, "BEGIN IMMEDIATE") != 0) {
            set_err(err, errlen, "kiosk database: %s", sqlite3_errmsg(db));
            rc = SYNC_E_DB;
        }
        cJSON_ArrayForEach(it, ch) {
            const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
            const cJSON *key = cJSON_GetObjectItemCaseSensitive(it, "key");
            const cJSON *val = cJSON_GetObjectItemCaseSensitive(it, "value");
            if (rc != SYNC_OK)
                break;
            char why[256];
            if (!cJSON_IsString(kind) || !cJSON_IsString(key) || !val)
                continue; /* not for this version of the kiosk */
            /* Through core's functions; a change core refuses is skipped
             * (logged and audited there) and the page goes on. */
            switch (sync_apply_change(core, kind->valuestring, key->valuestring, val, why,
                                      sizeof why, NULL)) {
            case SYNC_CHANGE_DB:
                set_err(err, errlen, "applying %s %s: %s", kind->valuestring,
                        key->valuestring, why);
                rc = SYNC_E_DB;
                break;
            case SYNC_CHANGE_APPLIED:
                res->pulled++;
                break;
            case SYNC_CHANGE_SKIPPED:
                res->skipped++;
                break;
            default:
                break;
            }
        }
        if (rc == SYNC_OK) {
            sqlite3_stmt *st = NULL;
            k.cursor = next_cursor;
            if (sqlite3_prepare_v2(db, "UPDATE sync_state SET pull_cursor = ? WHERE id = 1",
                                   -1, &st, NULL) != SQLITE_OK ||
                (sqlite3_bind_int64(st, 1, k.cursor), sqlite3_step(st)) != SQLITE_DONE ||
                exec(db, "COMMIT") != 0) {
                set_err(err, errlen, "kiosk database: %s", sqlite3_errmsg(db));
                rc = SYNC_E_DB;
            }
            sqlite3_finalize(st);
        }
        if (rc != SYNC_OK)
            exec(db, "ROLLBACK");
        cJSON_Delete(ans);
        if (rc != SYNC_OK)
            break;
    }
    store_close(core);
    keys_wipe(&k);
    return rc;
}

int sync_round(sqlite3 *db, long long max_batches, struct sync_result *res, char *err,
               size_t errlen)
{
    int rc = SYNC_OK;
    long long before;
    memset(res, 0, sizeof *res);
    round_curl = curl_easy_init(); /* NULL is fine: each request opens its own */
    for (long long b = 0; max_batches == 0 || b < max_batches; b++) {
        before = res->batches;
        rc = sync_push_once(db, res, err, errlen);
        if (rc != SYNC_OK || res->batches == before)
            break; /* failed, or the outbox is empty */
    }
    if (rc == SYNC_OK)
        rc = sync_pull(db, res, err, errlen);
    /* Applying pulled complaint status writes outbox rows (the complaint_upd
     * echo and the 'hq' complaint_event): send them too, so a round ends
     * with an empty backlog. */
    while (rc == SYNC_OK && (res->pulled > 0 || res->skipped > 0)) {
        before = res->batches;
        rc = sync_push_once(db, res, err, errlen);
        if (res->batches == before)
            break;
    }
    note_outcome(db, rc == SYNC_OK ? NULL : err);
    if (round_curl)
        curl_easy_cleanup(round_curl);
    round_curl = NULL;
    return rc;
}

double sync_backoff(int failures, double base, double cap, double floor)
{
    double hi = base;
    for (int i = 0; i < failures && hi < cap; i++)
        hi *= 2;
    if (hi > cap)
        hi = cap;
    double w = hi * ((double)randombytes_uniform(1000001) / 1000000.0);
    return w < floor ? floor : w;
}
