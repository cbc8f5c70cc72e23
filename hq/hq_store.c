/* hq_store.c - picks the storage backend from the database name.
 * "postgresql://" and "postgres://" go to the PostgreSQL backend (when it is
 * built: HQ_HAVE_PG), anything else is a SQLite file path. The generic code
 * only ever sees struct hq_store and its vtable (hq_store.h). */
#include "hq_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hq_store_open(const char *dsn, struct hq_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!dsn || !*dsn) {
        snprintf(err, errlen, "no database given");
        return HQ_E_INVALID;
    }
    if (strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0) {
#ifdef HQ_HAVE_PG
        return hq_store_pg_ops.open(dsn, out, err, errlen);
#else
        snprintf(err, errlen, "this frontdesk-hq was built without PostgreSQL");
        return HQ_E_INVALID;
#endif
    }
    return hq_store_sqlite_ops.open(dsn, out, err, errlen);
}

void hq_store_close(struct hq_store *s)
{
    if (s)
        s->ops->close(s);
}

const char *hq_store_rcname(int rc)
{
    switch (rc) {
    case HQ_OK: return "ok";
    case HQ_E_IO: return "io";
    case HQ_E_NOTFOUND: return "not_found";
    case HQ_E_EXISTS: return "exists";
    case HQ_E_GAP: return "gap";
    case HQ_E_BUSY: return "busy";
    case HQ_E_INVALID: return "invalid";
    default: return "unknown";
    }
}

long hq_setting_num(struct hq_store *s, const char *key, long def, long lo, long hi)
{
    char v[32];
    char *end = NULL;
    long n;
    if (s->ops->setting_get(s, key, v, sizeof v) != HQ_OK)
        return def;
    n = strtol(v, &end, 10);
    return end && end != v && !*end && n >= lo && n <= hi ? n : def;
}
