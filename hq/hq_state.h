/* hq_state.h - head office's current-state tables (schema/.../0002_state.sql):
 * which record types have one, their columns, and how a record's JSON becomes
 * a row. The tables are data (struct hq_state_table), so both backends build
 * their statements from the same description and a new record type is one
 * more entry. A row replaces the held row of (device, id, ident) only when
 * its (epoch, seq) is newer: pushes and `frontdesk-hq rebuild` (a replay of the
 * log) therefore reach the same rows whatever order versions arrive in. */
#ifndef HQ_STATE_H
#define HQ_STATE_H
#include <stddef.h>

#include "hq_store.h"

#define HQ_STATE_COLS_MAX 16 /* data columns per table (besides device_id, id, epoch, seq) */

enum hq_col_type {
    HQ_COL_INT,               /* JSON integer within +-2^53 */
    HQ_COL_TEXT,              /* JSON string, UTF-8 as received */
    HQ_COL_JSON,              /* any JSON value, kept as compact JSON text */
};

/* One column: filled from the record's field of the same name. */
struct hq_state_col {
    const char *name;
    enum hq_col_type type;
    int required;             /* 1: a record without it (or null) cannot be taken */
    long long min, max;       /* INT: allowed range; TEXT/JSON: max bytes (min unused) */
    const char *const *oneof; /* TEXT: NULL-terminated allowed values, or NULL = any */
    int date;                 /* TEXT: must be a 'YYYY-MM-DD' date */
};

/* One state table: rows of record type `type`, keyed (device_id, id, ident).
 * ident is a column the kiosk never changes once the record exists (when a
 * ticket was issued, a visitor signed in, ...): a kiosk restored from a
 * backup hands out ids again (its AUTOINCREMENT counters went back too), and
 * a record with a reused id is another record, not a newer version. */
struct hq_state_table {
    const char *type;         /* record type, e.g. "ticket" */
    const char *table;        /* SQL table, e.g. "ticket_state" */
    const struct hq_state_col *cols;
    int ncols;
    const char *ident;        /* a required INT column of cols */
};

/* One value of a row. */
struct hq_state_val {
    int null;                 /* 1: SQL NULL */
    long long i;              /* INT */
    const char *s;            /* TEXT/JSON: NUL-terminated, owned as the row says */
};

/* A row: what one record version says about (device_id, id). */
struct hq_state_row {
    const struct hq_state_table *t;
    const char *device_id;    /* set by the caller before it is stored */
    long long id, epoch, seq;
    struct hq_state_val v[HQ_STATE_COLS_MAX]; /* in t->cols order */
    char *owned;              /* JSON column text made by hq_state_parse (freed by
                                 hq_state_row_clear); TEXT values point into the
                                 record's parsed tree */
    char why[112];            /* why hq_state_parse refused it */
};

/* A range filter for reading rows: device_id (NULL = every device) and
 * lo <= col < hi on one column of the table (col NULL = no range). */
struct hq_state_filter {
    const char *device_id;
    const char *col;
    const char *lo_s, *hi_s;  /* for a TEXT column */
    long long lo_i, hi_i;     /* for an INT column */
};

/* Every state table, in a fixed order (hq_state_tables[0..hq_state_ntables)). */
extern const struct hq_state_table hq_state_tables[];
extern const int hq_state_ntables;

/* The table for record type `type`, or NULL when that type has none. */
const struct hq_state_table *hq_state_for_type(const char *type);

/* The table named `table` ("ticket_state") or NULL. */
const struct hq_state_table *hq_state_by_name(const char *table);

/* Index of column `name` in t, or -1. */
int hq_state_col(const struct hq_state_table *t, const char *name);

/* Fills row from a record of type t (rec is the record's cJSON object;
 * strings in row point into it, so it must outlive the row). Returns NULL,
 * or why the state table cannot take it (a sentence naming the field, kept
 * in row->why), in which case row holds nothing to free. */
struct cJSON;
const char *hq_state_parse(const struct hq_state_table *t, const struct cJSON *rec,
                           struct hq_state_row *row);

/* Frees what hq_state_parse allocated in row (a zeroed row is fine). */
void hq_state_row_clear(struct hq_state_row *row);

/* The row as a JSON object {"device_id":..,"id":..,"epoch":..,"seq":..,<cols>}
 * (JSON columns nested), for dumps and the tests' comparisons. Caller owns it. */
struct cJSON *hq_state_row_json(const struct hq_state_row *row);

/* SQL both backends run (portable: PostgreSQL and SQLite agree on upsert and
 * row values), with parameters written "<ph>1", "<ph>2"... (ph '?' for
 * SQLite, '$' for PostgreSQL). Return 0, or -1 when out (len bytes) is too
 * small.
 * upsert: parameters device_id, id, epoch, seq, then the columns in order.
 * select: columns device_id, id, epoch, seq, then the columns; parameters
 * device_id (when by_device), then lo, hi of column range_col (when >= 0). */
int hq_state_sql_upsert(const struct hq_state_table *t, char ph, char *out, size_t len);
int hq_state_sql_select(const struct hq_state_table *t, char ph, int by_device, int range_col,
                        char *out, size_t len);

/* stats: per branch and record type, how many records head office holds:
 * rows of the state tables and complaints, and for types without a table
 * the versions logged. Columns: branch, type, count. */
int hq_state_sql_stat_types(char *out, size_t len);

/* Replays the log into fresh state tables, in one transaction of its own
 * (pushes wait for it: PostgreSQL ones get 503 busy after lock_timeout and
 * are resent by the kiosks; nothing is lost). Quarantined rows are not
 * replayed; a logged row the state tables cannot take (a row stored by an
 * older head office) is skipped and counted. Returns HQ_OK or a store
 * error, with *replayed and *skipped set. */
int hq_state_rebuild(struct hq_store *s, long long *replayed, long long *skipped,
                     char *err, size_t errlen);

#endif
