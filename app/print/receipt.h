/* receipt.h - the three receipts a visitor takes away: queue ticket, visitor
 * slip and complaint receipt, in Chinese or English, laid out with the
 * ESC/POS builder (drivers/escpos). Callers fill the plain structs below
 * (core knows the records; this module only knows paper). Strings come from
 * data/print/strings.tsv, compiled in. A phone number is always masked. */
#ifndef FD_RECEIPT_H
#define FD_RECEIPT_H
#include <stddef.h>
#include <stdint.h>

#include "escpos.h"

enum receipt_lang { RECEIPT_ZH = 0, RECEIPT_EN = 1 };
enum receipt_kind { RECEIPT_TICKET = 0, RECEIPT_VISITOR = 1, RECEIPT_COMPLAINT = 2 };

/* Every string is UTF-8 and borrowed; NULL prints nothing (or falls back to
 * the other language for *_zh / *_en pairs). Times are Unix seconds printed
 * in the process's local time zone (TZ). */
struct receipt_ticket {
    const char *branch_zh, *branch_en;   /* branch name */
    const char *service_zh, *service_en; /* service name */
    const char *label;                   /* ticket number, "A023" */
    int people_ahead;                    /* waiting before it; < 0: unknown */
    int64_t issued_at;                   /* when the ticket was issued */
    const char *qr;                      /* QR payload (status URL), NULL: none */
};

struct receipt_visitor {
    const char *branch_zh, *branch_en;
    const char *name;                    /* visitor's name */
    const char *phone;                   /* as entered: masked on paper */
    const char *company;                 /* may be NULL or "" */
    const char *host;                    /* whom they visit */
    const char *badge;                   /* badge number, "V0007" */
    int64_t signed_in_at;
    const char *invitation;              /* checked in with this invitation code
                                            (shown form), NULL/"" = walk-in */
};

struct receipt_complaint {
    const char *branch_zh, *branch_en;
    const char *ref;                     /* reference number */
    const char *category;                /* as chosen by the visitor */
    int64_t received_at;
    int64_t feedback_due;                /* received_at + 24 h */
    const char *qr_prefix;               /* QR = prefix + ref (NULL: ref alone) */
};

/* Appends a whole receipt (init ... cut) to `e`. Returns 0 or the builder's
 * negative ESCPOS_E* error. */
int receipt_ticket(struct escpos *e, const struct receipt_ticket *t, enum receipt_lang lang);
int receipt_visitor(struct escpos *e, const struct receipt_visitor *v, enum receipt_lang lang);
int receipt_complaint(struct escpos *e, const struct receipt_complaint *c,
                      enum receipt_lang lang);

/* Renders receipt `kind` (fields: the matching struct) for `prof` into a
 * malloc'd buffer *out of *len bytes (caller frees). `font` is needed for
 * raster profiles (see escpos_new). Returns 0 or a negative ESCPOS_E* code. */
int receipt_render(enum receipt_kind kind, const void *fields, enum receipt_lang lang,
                   const struct escpos_profile *prof, struct escpos_font *font,
                   uint8_t **out, size_t *len);

/* Masks a phone number for paper: digits only, first 3 and last 4 kept,
 * the rest '*' (13812341234 -> 138****1234); numbers of 7 digits or fewer
 * keep only their last 2. Writes a NUL-terminated string into out (at most
 * outlen bytes) and returns 0, or -1 when it does not fit. */
int receipt_mask_phone(const char *phone, char *out, size_t outlen);

/* The receipt string `key` in `lang` (never NULL: the key itself when
 * missing). */
const char *receipt_str(const char *key, enum receipt_lang lang);

/* A complaint category's words on the receipt ("attitude" -> 服务态度 /
 * "Staff attitude", as the kiosk names it); a category the receipt's words do
 * not know is printed as it is. */
const char *receipt_category(const char *category, enum receipt_lang lang);

/* "ticket", "visitor", "complaint"; or -1 from receipt_kind_parse for others. */
const char *receipt_kind_name(enum receipt_kind k);
int receipt_kind_parse(const char *name);

#endif
