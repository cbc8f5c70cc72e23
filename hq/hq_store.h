/* hq_store.h - the head-office storage interface.
 * frontdesk-hq keeps everything it knows (enrolled devices, nonces, the records
 * branches push, quarantine, the complaint workflow, configuration and the
 * change log that branches pull) behind this one vtable, so the same server
 * runs on SQLite (hq_store_sqlite.c, the default) or on PostgreSQL
 * (hq_store_pg.c, several stateless servers sharing one database). */
#ifndef HQ_STORE_H
#define HQ_STORE_H
#include <stddef.h>

/* Results of every store operation: 0 or one of these (negative). */
enum hq_store_rc {
    HQ_OK = 0,
    HQ_E_IO = -1,       /* backend failure (disk, connection, SQL); err text set */
    HQ_E_NOTFOUND = -2, /* no such token / device / complaint */
    HQ_E_EXISTS = -3,   /* already there: device id taken, nonce already seen */
    HQ_E_GAP = -4,      /* push: first unheld seq is not high+1 (see expected) */
    HQ_E_BUSY = -5,     /* lock or serialization conflict: roll back and retry */
    HQ_E_INVALID = -6,  /* argument out of range (caller bug or bad input) */
};

#define HQ_DEVICE_ID_MAX 64  /* device ids are hex, 32 chars in practice */
#define HQ_BRANCH_MAX 128    /* branch names, UTF-8 bytes */
#define HQ_PUBKEY_BYTES 32   /* Ed25519 public key (crypto_sign_PUBLICKEYBYTES) */
#define HQ_HASH_BYTES 32     /* token hashes (crypto_generichash, 32 bytes) */
#define HQ_NONCE_MAX 64      /* nonce text, hex */

struct hq_store;
struct hq_state_row;     /* hq_state.h: a current-state row */
struct hq_state_table;
struct hq_state_filter;

/* A device as head office knows it. */
struct hq_device {
    char device_id[HQ_DEVICE_ID_MAX + 1];
    char branch[HQ_BRANCH_MAX + 1];
    unsigned char pubkey[HQ_PUBKEY_BYTES];
    long long enrolled_at;                  /* Unix seconds */
    long long revoked_at;                   /* 0 = not revoked */
    long long last_push;                    /* Unix seconds of last applied push, 0 = never */
    long long backlog;                      /* outbox rows the kiosk reported still to send */
};

/* Head-office-owned complaint fields, the part that goes back down to the
 * kiosk. Text fields point into storage owned by the backend (valid until the
 * next call on the same store) or, for complaint_advance, by the caller. */
struct hq_complaint {
    long long id;             /* head office's own id (CLI and dashboard use it) */
    const char *device_id;    /* the kiosk that took the complaint */
    const char *branch;
    const char *ref;          /* the kiosk's 14-digit reference (unique per device) */
    const char *category;     /* kiosk-owned, as received */
    const char *description;  /* kiosk-owned, as received */
    long long received_at;    /* kiosk-owned */
    long long feedback_due;   /* kiosk-owned */
    const char *state;        /* received|assessed|investigating|proposed|resolved|closed */
    const char *severity;     /* NULL, "ordinary" or "serious" */
    int valid;                /* -1 unknown, 0 not valid, 1 valid */
    const char *department;
    const char *resolution;
    const char *close_reason;
    const char *stat_category;
    long long updated_at;     /* head office's last change (Unix seconds) */
};

/* One outbox row in a push, after the server parsed and validated it. */
struct hq_record {
    long long seq;            /* the kiosk's outbox seq; strictly increasing in a batch */
    const char *type;         /* "ticket", "visitor", "complaint", ... */
    int schema_version;
    const char *json;         /* the record, compact JSON text, NUL-terminated */
    const char *quarantine;   /* non-NULL: reason; the row goes to quarantine instead */
    /* For a valid type "complaint" record: its kiosk-owned fields (state,
     * severity etc. in it are used only when head office has not seen the
     * complaint yet; afterwards head office owns them and ignores the kiosk's,
     * which is how the kiosk's echo of a pulled status is made harmless). */
    const struct hq_complaint *complaint;
    /* For a valid record of a type with a current-state table (hq_state.h):
     * its row, upserted in the same transaction (NULL: no state table). */
    const struct hq_state_row *state;
};

/* A batch: contiguous rows of one (device, epoch) stream. */
struct hq_batch {
    const char *device_id;
    long long epoch;
    long long epoch_start;    /* >0: first seq of this epoch; honoured only when head
                                 office has no row of (device, epoch) yet */
    long long backlog;        /* rows the kiosk still holds after this batch */
    long long now;            /* Unix seconds, head office's clock */
    const struct hq_record *recs;
    size_t n;
};

/* What a push did. high is the highest contiguous seq held for (device,
 * epoch) after the batch (0 = none); on HQ_E_GAP expected is the seq head
 * office needs next and nothing was written. */
struct hq_push_result {
    long long high;
    long long expected;
    size_t applied;           /* new rows stored (including quarantined ones) */
    size_t ignored;           /* rows already held */
    size_t quarantined;       /* of applied, how many went to quarantine */
};

/* One change a branch pulls: kind "config" (key = config key, value = JSON
 * value) or "complaint" (key = ref, value = JSON object of the hq-owned fields:
 * state, severity, valid, department, resolution, close_reason, stat_category,
 * updated_at, and from/actor/note of the transition). */
struct hq_change {
    long long id;             /* the cursor: strictly increasing */
    const char *kind;
    const char *key;
    const char *value;        /* JSON text */
};

/* A raw record as held (for exports and the tests' exact comparisons). */
struct hq_held {
    long long epoch;
    long long seq;
    const char *type;
    int schema_version;
    const char *json;
    int quarantined;          /* 1 when it sits in quarantine */
};

/* Per-device figures for stats and /metrics. */
struct hq_dev_stat {
    const char *branch;
    const char *device_id;
    long long last_push;      /* 0 = never */
    long long backlog;        /* as last reported by the kiosk */
    long long quarantined;
    long long revoked_at;     /* 0 = active */
};

/* Per-branch, per-type record counts (quarantined rows not counted). */
struct hq_type_stat {
    const char *branch;
    const char *type;
    long long records;
};

/* Totals for /metrics. */
struct hq_totals {
    long long devices;
    long long records;
    long long quarantined;
    long long complaints_open;  /* state != 'closed' */
};

/* A complaint for the reports: the complaint and, from head office's
 * workflow events, when it was first answered and when closed (0 = not yet). */
struct hq_report_complaint {
    struct hq_complaint c;
    long long first_response_at;
    long long closed_at;
};

/* Callbacks: return 0 to go on, non-zero to stop (the op then returns it). */
typedef int (*hq_change_fn)(void *ctx, const struct hq_change *c);
typedef int (*hq_complaint_fn)(void *ctx, const struct hq_complaint *c);
typedef int (*hq_held_fn)(void *ctx, const struct hq_held *h);
typedef int (*hq_dev_stat_fn)(void *ctx, const struct hq_dev_stat *s);
typedef int (*hq_type_stat_fn)(void *ctx, const struct hq_type_stat *s);
typedef int (*hq_state_fn)(void *ctx, const struct hq_state_row *row);
typedef int (*hq_log_fn)(void *ctx, const char *device_id, const struct hq_held *h);
typedef int (*hq_report_complaint_fn)(void *ctx, const struct hq_report_complaint *c);

/* ---- kiosk health, personal data, the log's partitions (issue 10) ---- */

#define HQ_OFFLINE_AFTER 900     /* seconds without contact before a kiosk shows offline */
#define HQ_VERSION_TEXT_MAX 32   /* app_version, bytes */
#define HQ_PRINTER_MSG_MAX 96    /* printer message, bytes */
#define HQ_ERROR_TEXT_MAX 256    /* last sync error, bytes */

/* A kiosk's health as it last reported it (PROTOCOL.md, "health"), checked
 * by hq_health_parse. Text fields point into the parser's or the backend's
 * storage. */
struct hq_health {
    const char *app_version;      /* e.g. "0.1.0" */
    int printer_known;            /* 0: the kiosk has no printer worker (tools) */
    int printer_online;           /* the printer answers */
    int paper_out;
    int paper_near_end;
    int cover_open;
    const char *printer_message;  /* "ready", "paper end", ... */
    long long print_failed;       /* print jobs failed, waiting for staff */
    long long backlog;            /* outbox rows not yet acknowledged */
    const char *last_error;       /* the kiosk's last sync error, "" = none */
    long long uptime_s;           /* seconds the kiosk program has run */
    long long disk_free_mb;       /* free space where its database lives */
};

/* One device in the fleet view. */
struct hq_fleet_row {
    const char *device_id;
    const char *branch;
    long long last_contact;       /* Unix seconds of its last push (health comes at least
                                     every 5 minutes), 0 = never */
    int online;                   /* heard from within HQ_OFFLINE_AFTER of now */
    long long revoked_at;         /* 0 = active */
    long long health_at;          /* when its health was received, 0 = never */
    struct hq_health h;           /* valid when health_at > 0 */
};

/* What an erasure of personal data did (rows changed per place). */
struct hq_pii_count {
    long long log;                /* record versions rewritten in the log (and quarantine) */
    long long state;              /* rows of the state tables (visitors, complaints) */
};

/* One place where a phone number occurs (person find/export). */
struct hq_pii_hit {
    const char *where;            /* "record", "quarantine", "complaint", "visitor" */
    const char *branch;
    const char *device_id;
    long long epoch, seq;         /* for log rows; 0 for state rows */
    const char *type;             /* record type */
    const char *json;             /* the row as JSON */
};

/* One whole push for push_commit (what POST /v1/push does after the
 * signature check): the nonce, the batch, the health line (NULL = none). */
struct hq_push_job {
    const char *device_id;
    const char *nonce;
    long long ts;                 /* the request's timestamp (nonce_put's ts) */
    const struct hq_batch *batch;
    const struct hq_health *health;
    /* Called (when not NULL) with ctx once the push is applied, just before
     * the commit that makes it durable (the server's test faults). */
    void (*before_commit)(void *ctx);
    void *ctx;
};

typedef int (*hq_fleet_fn)(void *ctx, const struct hq_fleet_row *r);

/* A parameter of the generic statement op (sql, below). */
enum hq_param_kind { HQ_P_NULL = 0, HQ_P_INT, HQ_P_TEXT };
struct hq_param {
    enum hq_param_kind kind;
    long long i;                  /* HQ_P_INT */
    const char *s;                /* HQ_P_TEXT (NULL reads as SQL NULL) */
};
/* One result row of the sql op: ncol text columns (NULL = SQL NULL). */
typedef int (*hq_row_fn)(void *ctx, int ncol, const char *const *col);
typedef int (*hq_pii_fn)(void *ctx, const struct hq_pii_hit *h);

/* The backend vtable. Every op returns HQ_OK or a negative hq_store_rc and,
 * on HQ_E_IO/HQ_E_BUSY, leaves a message for hq_store_errmsg(). Ops may run
 * inside begin/commit (the caller's transaction) or alone (each then runs in
 * its own transaction). A handle is used by one thread at a time; the server
 * keeps a pool of handles. Strings passed to callbacks live until the callback
 * returns. */
struct hq_store_ops {
    const char *name;         /* "sqlite", "postgresql" */
    /* Opens (creating and migrating the schema as needed) the database named
     * by dsn. On failure returns HQ_E_IO with the reason in err. */
    int (*open)(const char *dsn, struct hq_store **out, char *err, size_t errlen);
    void (*close)(struct hq_store *s);
    int (*begin)(struct hq_store *s);       /* a write transaction (SQLite: IMMEDIATE) */
    int (*commit)(struct hq_store *s);      /* HQ_E_BUSY if it must be retried */
    int (*rollback)(struct hq_store *s);    /* safe to call with no transaction open */
    /* A read-only transaction: every read until commit/rollback sees one
     * snapshot, and pushes committing meanwhile are neither blocked nor seen
     * (SQLite: a deferred transaction on the WAL; PostgreSQL: REPEATABLE
     * READ READ ONLY). Writes in it fail. */
    int (*begin_read)(struct hq_store *s);

    /* Enrolment tokens: stored as a hash only; single use; expire. */
    int (*token_create)(struct hq_store *s, const unsigned char hash[HQ_HASH_BYTES],
                        const char *branch, long long now, long long expires_at);
    /* Marks the token used and copies its branch out. HQ_E_NOTFOUND when
     * unknown, used or expired. */
    int (*token_consume)(struct hq_store *s, const unsigned char hash[HQ_HASH_BYTES],
                         long long now, char branch[HQ_BRANCH_MAX + 1]);

    /* Devices. register: HQ_E_EXISTS if the id is taken. lookup/revoke:
     * HQ_E_NOTFOUND if unknown. */
    int (*device_register)(struct hq_store *s, const char *device_id, const char *branch,
                           const unsigned char pubkey[HQ_PUBKEY_BYTES], long long now);
    int (*device_lookup)(struct hq_store *s, const char *device_id, struct hq_device *out);
    int (*device_revoke)(struct hq_store *s, const char *device_id, long long now);

    /* Replay protection: HQ_E_EXISTS if (device, nonce) was seen. prune
     * forgets nonces with timestamp < before (they are refused as too old). */
    int (*nonce_put)(struct hq_store *s, const char *device_id, const char *nonce,
                     long long ts);
    int (*nonce_prune)(struct hq_store *s, long long before);

    /* Applies a batch, in the caller's transaction: rows with seq <= high are
     * ignored; the rest must continue high+1, high+2, ... (a new stream starts
     * at epoch_start if given, else at 1). Stores rows (or quarantines them),
     * upserts complaints, advances high, records last_push and backlog. If the
     * first unheld row is not high+1, returns HQ_E_GAP with res->expected set
     * and writes nothing. Rows after an in-batch gap are not stored (high tells
     * the kiosk where to resume). Must serialize concurrent pushes of the same
     * (device, epoch) (PostgreSQL: SELECT ... FOR UPDATE on the stream row). */
    int (*push_apply)(struct hq_store *s, const struct hq_batch *b,
                      struct hq_push_result *res);

    /* Changes for a device (its branch's config and its complaints) with
     * id > cursor, oldest first, at most limit; *next = last id given (or
     * cursor), *more = 1 when more are waiting. */
    int (*pull)(struct hq_store *s, const char *device_id, long long cursor, int limit,
                hq_change_fn fn, void *ctx, long long *next, int *more);
    /* Sets a config key (value is JSON text) for a branch, or for all
     * branches when branch is NULL, and logs the change for pull. */
    int (*config_set)(struct hq_store *s, const char *branch, const char *key,
                      const char *value_json, long long now);

    /* Complaints. list: state NULL = all, branch NULL = all, newest first,
     * at most limit. get: by head office id. advance: writes the hq-owned
     * fields of c (c->id names the row), logs a transition from_state ->
     * c->state by actor with note, and logs a "complaint" change for pull.
     * The caller checks the workflow rules (hq_complaint.c). */
    int (*complaint_list)(struct hq_store *s, const char *state, const char *branch,
                          int limit, hq_complaint_fn fn, void *ctx);
    int (*complaint_get)(struct hq_store *s, long long id, hq_complaint_fn fn, void *ctx);
    int (*complaint_advance)(struct hq_store *s, const struct hq_complaint *c,
                             const char *from_state, const char *actor, const char *note,
                             long long now);

    /* Raw records held for (device, epoch) with seq > after, ascending, at
     * most limit (epoch 0 = every epoch, ordered by epoch then seq). */
    int (*records)(struct hq_store *s, const char *device_id, long long epoch,
                   long long after, int limit, hq_held_fn fn, void *ctx);

    /* Stats (frontdesk-hq stats) and metrics (/metrics). */
    int (*stats)(struct hq_store *s, hq_dev_stat_fn dev, hq_type_stat_fn type, void *ctx);
    int (*totals)(struct hq_store *s, struct hq_totals *out);

    /* ---- Current state (hq_state.h) and reports (hq_report.h) ---- */

    /* Upserts n rows (each names its device, epoch and seq): a row replaces
     * the held row of (device, id) only when its (epoch, seq) is newer. In
     * the caller's transaction, or its own. push_apply does the same for
     * every record that carries a state row. */
    int (*state_put)(struct hq_store *s, const struct hq_state_row *rows, size_t n);
    /* Deletes every row of every state table (the start of a rebuild; in the
     * caller's transaction). */
    int (*state_clear)(struct hq_store *s);
    /* Sets every complaint's kiosk-owned fields (category, description,
     * received_at, feedback_due) from its newest version in the log by
     * (epoch, seq), as push_apply keeps them; head office's own fields stay
     * (the rest of a rebuild; in the caller's transaction). */
    int (*complaint_rebuild)(struct hq_store *s);
    /* Rows of table t that pass f (NULL = all), ordered by device_id, id.
     * HQ_E_INVALID when f names a column t does not have. */
    int (*state_each)(struct hq_store *s, const struct hq_state_table *t,
                      const struct hq_state_filter *f, hq_state_fn fn, void *ctx);
    /* The log (record, quarantine left out) after key (device_id, epoch,
     * seq) in key order, at most limit rows; after_device "" = from the start. */
    int (*log_page)(struct hq_store *s, const char *after_device, long long after_epoch,
                    long long after_seq, int limit, hq_log_fn fn, void *ctx);
    /* A device's complaints received in [from, to), by received_at. */
    int (*report_complaints)(struct hq_store *s, const char *device_id, long long from,
                             long long to, hq_report_complaint_fn fn, void *ctx);
    /* The config value (JSON text) of key for branch ("" = every branch) into
     * out; HQ_E_NOTFOUND when not set, HQ_E_INVALID when it does not fit. */
    int (*config_get)(struct hq_store *s, const char *branch, const char *key, char *out,
                      size_t outlen);

    /* ---- issue 10: health, personal data, partitions (hq_health.c, hq_person.c) ---- */

    /* Stores a device's health (replacing the previous one) with received_at
     * = now; in the caller's push transaction. */
    int (*health_put)(struct hq_store *s, const char *device_id, const struct hq_health *h,
                      long long now);
    /* Every device with its last contact and health, by branch and id;
     * online is judged against now. */
    int (*fleet)(struct hq_store *s, long long now, hq_fleet_fn fn, void *ctx);

    /* Head-office settings (not sent to kiosks): value text of key into out
     * (HQ_E_NOTFOUND when unset); set replaces it. */
    int (*setting_get)(struct hq_store *s, const char *key, char *out, size_t outlen);
    int (*setting_set)(struct hq_store *s, const char *key, const char *value, long long now);
    /* Appends to head office's own audit log (who did what, and why). */
    int (*audit_put)(struct hq_store *s, long long at, const char *actor, const char *action,
                     const char *subject, const char *reason, const char *detail);

    /* Erases visitors' names, phones, companies and purposes and complaints'
     * contact names and phones: with phone NULL those of visits/complaints
     * that happened before `before` (Unix seconds), at most limit log rows
     * and limit state rows per call (call again while anything changed);
     * with phone set, every occurrence of that phone at once. Rewrites the
     * log's JSON too, so a rebuild yields the same erased state. Statistics
     * fields stay. Runs in its own transaction unless the caller opened one. */
    int (*pii_erase)(struct hq_store *s, const char *phone, long long before, int limit,
                     struct hq_pii_count *out);
    /* Every place the phone occurs (log, quarantine, state), in log order. */
    int (*pii_find)(struct hq_store *s, const char *phone, hq_pii_fn fn, void *ctx);
    /* Makes sure the log can take rows received from `from` to `to` (Unix
     * seconds): PostgreSQL creates the monthly partitions of record; SQLite
     * has nothing to do. */
    int (*log_prepare)(struct hq_store *s, long long from, long long to);
    /* Takes the log's months before `before` (the first second of a month,
     * UTC) out of the log. PostgreSQL: detaches each monthly partition
     * (it stays a plain table, record_YYYY_MM, for pg_dump) and with drop
     * drops it. SQLite: only with drop, deletes those rows (else
     * HQ_E_INVALID). *months = partitions (or months) affected, *rows = rows.
     * Never touches the state tables. */
    int (*log_archive)(struct hq_store *s, long long before, int drop, int *months,
                       long long *rows);

    /* ---- issue 11: the console's own tables (hq_user.c, hq_console.c) ---- */

    /* Runs one statement written for both backends: parameters $1..$n (each
     * used at least once where PostgreSQL can infer its type, or inside
     * CAST(.. AS TEXT|BIGINT)), no backend-only syntax. Each result row goes to
     * fn (may be NULL) as text columns, NULL for SQL NULL; a non-zero return
     * stops and is returned. *changed (may be NULL) = rows changed. In the
     * caller's transaction, or alone (autocommit). HQ_E_EXISTS on a unique or
     * primary key violation, else HQ_OK or a store error. */
    int (*sql)(struct hq_store *s, const char *sql, const struct hq_param *p, int n,
               hq_row_fn fn, void *ctx, long long *changed);

    /* The whole push in one call, for a backend that lets concurrent pushes
     * share one transaction and one commit (group commit, PostgreSQL); NULL
     * when the caller runs begin, nonce_put, push_apply, health_put and
     * commit itself (SQLite). Never inside the caller's transaction. Returns
     * HQ_OK only once the push is committed (res filled), HQ_E_EXISTS when
     * the nonce was seen (nothing written), HQ_E_GAP (res->expected set,
     * nothing written), HQ_E_BUSY (retry) or HQ_E_IO; on an error nothing of
     * this push is stored. */
    int (*push_commit)(struct hq_store *s, const struct hq_push_job *j,
                       struct hq_push_result *res);

    /* Last error text of this handle ("" if none). */
    const char *(*errmsg)(struct hq_store *s);

    /* Re-enrolment (a revoked or re-imaged kiosk with a fresh token): the
     * existing device gets the new public key and the token's branch, its
     * revocation is lifted; its streams, records and pull log stay, so the
     * kiosk carries on where head office stands. HQ_E_NOTFOUND if unknown. */
    int (*device_reenroll)(struct hq_store *s, const char *device_id, const char *branch,
                           const unsigned char pubkey[HQ_PUBKEY_BYTES], long long now);

    /* Appends a change of `kind` (not "config": config_set keeps those) to
     * the pull log for a branch ("" = every branch) and a device ("" = every
     * device of the branch), with the serialization the log needs
     * (PostgreSQL: the change-log lock, held until commit). In the caller's
     * transaction, or its own. (issue 14: invitations) */
    int (*change_put)(struct hq_store *s, const char *branch, const char *device_id,
                      const char *kind, const char *key, const char *value_json,
                      long long now);
};

/* Every backend's handle starts with this, so the generic code can reach the
 * vtable: struct my_store { struct hq_store base; ... }. */
struct hq_store {
    const struct hq_store_ops *ops;
};

extern const struct hq_store_ops hq_store_sqlite_ops;
extern const struct hq_store_ops hq_store_pg_ops; /* only when built with HQ_HAVE_PG */

/* PostgreSQL's group commit (push_commit), counted over the process: how
 * many transactions applied how many pushes (HQ_HAVE_PG builds only). */
void hq_store_pg_group_stats(long long *groups, long long *pushes);

/* Opens the store named by dsn: "postgresql://..." or "postgres://..." picks
 * PostgreSQL (HQ_E_INVALID if not built in), anything else is a SQLite file
 * path. Returns HQ_OK and *out, or a negative code with err filled. */
int hq_store_open(const char *dsn, struct hq_store **out, char *err, size_t errlen);

/* Closes a store from hq_store_open (NULL is fine). */
void hq_store_close(struct hq_store *s);

/* Short name of a result code ("ok", "io", "gap", ...). */
const char *hq_store_rcname(int rc);

/* A whole-number head-office setting: its value when it is set and a whole
 * number in [lo, hi], else def. */
long hq_setting_num(struct hq_store *s, const char *key, long def, long lo, long hi);

#endif
