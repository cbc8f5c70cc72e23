/* hq_push.h - parsing and validating a push body (the JSON inside the gzip,
 * hq/PROTOCOL.md) into a batch for hq_store. A body that is not the protocol's
 * shape is refused whole; a record that is well placed but not acceptable
 * (unknown version, missing fields) is marked for quarantine. This is the
 * parser the fuzz target drives. */
#ifndef HQ_PUSH_H
#define HQ_PUSH_H
#include <stddef.h>

#include "hq_store.h"

#define HQ_VERSION_MAX 3  /* record schema versions head office accepts: 1..3 */

struct hq_push_msg {
    char device_id[HQ_DEVICE_ID_MAX + 1];
    struct hq_batch batch;        /* recs point into the fields below */
    struct hq_record *recs;       /* batch.n of them */
    struct hq_complaint *cmps;    /* one per record; used by complaint records */
    struct hq_state_row *states;  /* one per record; used by types with a state table */
    char **texts;                 /* JSON text of each record as received, or printed
                                     compact when the body is not strict JSON (owned) */
    void *root;                   /* the parsed cJSON tree (owned) */
    struct hq_health health;      /* the "health" object, when has_health */
    int has_health;               /* 1: health present and valid */
    char health_err[128];         /* health present but refused: why ("" otherwise) */
};

/* Parses json (len bytes, need not be NUL-terminated) into m. Returns 0, or
 * -1 with a sentence in err (not JSON, not an object, missing or mistyped
 * epoch/records/seq, seq not strictly increasing, more than max_records
 * records). A "health" object that does not check out (hq_health_parse)
 * refuses nothing: has_health stays 0 and health_err says why. On success
 * call hq_push_free. */
int hq_push_parse(const char *json, size_t len, size_t max_records, struct hq_push_msg *m,
                  char *err, size_t errlen);

/* Frees what hq_push_parse allocated; a zeroed or failed m is fine. */
void hq_push_free(struct hq_push_msg *m);

#endif
