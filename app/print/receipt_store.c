/* receipt_store.c - receipts from core records (receipt_store.h). The branch
 * name is the branch_name setting, in both languages (it is bilingual
 * already); the ticket's QR carries "ticket:BUSINESS_DAY:LABEL:CODE", CODE
 * the ticket's own code of digits (rating_code_make) that the kiosk's
 * scanner takes on the rating screen. */
#include "receipt_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bday.h"
#include "complaint.h"
#include "config.h"
#include "queue.h"
#include "rating.h"
#include "invite.h"
#include "visitor.h"

static int render(enum receipt_kind kind, const void *f, enum receipt_lang lang,
                  const struct escpos_profile *prof, struct escpos_font *font, uint8_t **out,
                  size_t *len, char *err, size_t errlen)
{
    int rc = receipt_render(kind, f, lang, prof, font, out, len);
    if (rc) {
        snprintf(err, errlen, "cannot lay out the receipt: %s", escpos_strerror(rc));
        return -1;
    }
    return 0;
}

static int ticket(struct fd_store *st, int64_t id, const char *branch, enum receipt_lang lang,
                  const struct escpos_profile *prof, struct escpos_font *font, uint8_t **out,
                  size_t *len, char *err, size_t errlen)
{
    struct queue_ticket t;
    struct queue_service *v = NULL;
    struct fd_err e = {0};
    char qr[64], code[RATING_CODE_MAX + 1];
    int n = 0, rc = queue_ticket_get(st, id, bday_now(), &t, &e);
    if (rc)
        return rc == FD_ENOTFOUND ? 1 : (snprintf(err, errlen, "%s", e.msg), -1);
    if (rating_code_make(t.bday, t.label, code) == 0)
        snprintf(qr, sizeof qr, "ticket:%s:%s:%s", t.bday, t.label, code);
    else
        snprintf(qr, sizeof qr, "ticket:%s:%s", t.bday, t.label);
    struct receipt_ticket r = {.branch_zh = branch, .branch_en = branch, .label = t.label,
                               .people_ahead = strcmp(t.state, "waiting") ? -1 : t.ahead,
                               .issued_at = t.issued_at, .qr = qr};
    queue_service_list(st, bday_now(), &v, &n, NULL);
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].code, t.service))
            r.service_zh = v[i].name_zh, r.service_en = v[i].name_en;
    rc = render(RECEIPT_TICKET, &r, lang, prof, font, out, len, err, errlen);
    free(v);
    return rc;
}

static int visitor(struct fd_store *st, int64_t id, const char *branch, enum receipt_lang lang,
                   const struct escpos_profile *prof, struct escpos_font *font, uint8_t **out,
                   size_t *len, char *err, size_t errlen)
{
    struct visitor *v = calloc(1, sizeof *v);
    struct fd_err e = {0};
    char key[24];
    int rc;
    if (!v)
        return -1;
    snprintf(key, sizeof key, "%lld", (long long)id);
    rc = visitor_find(st, key, bday_now(), v, &e);
    if (rc == 0) {
        char inv[INVITE_CODE_SHOWN] = "";
        if (v->invitation[0])
            invite_code_format(v->invitation, inv);
        struct receipt_visitor r = {.branch_zh = branch, .branch_en = branch,
                                    .name = v->name, .phone = v->phone,
                                    .company = v->company, .host = v->host_name,
                                    .badge = v->badge, .signed_in_at = v->signed_in_at,
                                    .invitation = inv};
        rc = render(RECEIPT_VISITOR, &r, lang, prof, font, out, len, err, errlen);
    } else {
        rc = rc == FD_ENOTFOUND ? 1 : (snprintf(err, errlen, "%s", e.msg), -1);
    }
    explicit_bzero(v, sizeof *v); /* visitor data: confidential */
    free(v);
    return rc;
}

static int complaint(struct fd_store *st, int64_t id, const char *branch,
                     enum receipt_lang lang, const struct escpos_profile *prof,
                     struct escpos_font *font, uint8_t **out, size_t *len, char *err,
                     size_t errlen)
{
    struct complaint *c = calloc(1, sizeof *c);
    struct fd_err e = {0};
    char pretty[18];
    int rc;
    if (!c)
        return -1;
    rc = complaint_get_id(st, id, c, &e);
    if (rc == 0) {
        complaint_ref_format(c->ref, pretty);
        struct receipt_complaint r = {.branch_zh = branch, .branch_en = branch,
                                      .ref = pretty, .category = c->category,
                                      .received_at = c->received_at,
                                      .feedback_due = c->feedback_due};
        rc = render(RECEIPT_COMPLAINT, &r, lang, prof, font, out, len, err, errlen);
    } else {
        rc = rc == FD_ENOTFOUND ? 1 : (snprintf(err, errlen, "%s", e.msg), -1);
    }
    explicit_bzero(c, sizeof *c);
    free(c);
    return rc;
}

int receipt_for(struct fd_store *st, enum receipt_kind kind, int64_t id,
                enum receipt_lang lang, const struct escpos_profile *prof,
                struct escpos_font *font, uint8_t **out, size_t *len, char *err,
                size_t errlen)
{
    char branch[256] = "";
    *out = NULL, *len = 0;
    cfg_get(st, "branch_name", branch, sizeof branch);
    switch (kind) {
    case RECEIPT_TICKET:
        return ticket(st, id, branch, lang, prof, font, out, len, err, errlen);
    case RECEIPT_VISITOR:
        return visitor(st, id, branch, lang, prof, font, out, len, err, errlen);
    case RECEIPT_COMPLAINT:
        return complaint(st, id, branch, lang, prof, font, out, len, err, errlen);
    }
    snprintf(err, errlen, "unknown receipt kind");
    return -1;
}
