/* export.h - CSV export of a table for operators (frontdesk-ctl export csv).
 * Only the record tables are exportable, never meta, config or the outbox. */
#ifndef FD_EXPORT_H
#define FD_EXPORT_H
#include <stdio.h>

#include "fderr.h"
#include "store.h"

/* Writes table `table` as RFC 4180 CSV with a header line to `out`. Cells
 * that a spreadsheet would run as a formula (= + - @ at the start) get a
 * leading apostrophe. Returns 0, FD_EINVAL (table not exportable) or FD_EDB. */
int export_csv(struct fd_store *st, const char *table, FILE *out,
               struct fd_err *err);

/* The i-th exportable table name, NULL past the end. */
const char *export_table(int i);

#endif
