/* receipt_store.h - the receipt of a record in the store: reads a ticket, a
 * visitor or a complaint through core and renders its receipt, so that the
 * kiosk and frontdesk-ctl print the same paper from the same data. */
#ifndef FD_RECEIPT_STORE_H
#define FD_RECEIPT_STORE_H
#include <stddef.h>
#include <stdint.h>

#include "receipt.h"
#include "store.h"

/* Renders the receipt of record `id` of `kind` for profile `prof` (`font`
 * for raster profiles) into a malloc'd buffer (*out, *len; free() it).
 * Returns 0, 1 when there is no such record, or -1 (database or layout
 * error, with a sentence in err). */
int receipt_for(struct fd_store *st, enum receipt_kind kind, int64_t id,
                enum receipt_lang lang, const struct escpos_profile *prof,
                struct escpos_font *font, uint8_t **out, size_t *len, char *err,
                size_t errlen);

#endif
