/* receipt.c - receipt layouts (see receipt.h). Each layout is a short list
 * of builder calls: the paper width, Chinese handling and raster fallback
 * are the builder's business, the words are data/print/strings.tsv's. */
#include "receipt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embedded.h"

extern const struct fd_embedded_file fd_print_strings[];
extern const int fd_print_strings_count;

#define STR_MAX 96 /* strings in the table; more are ignored */

struct str_entry {
    char *key, *text[2]; /* key, zh, en */
};

static struct str_entry strs[STR_MAX];
static int nstrs;
static pthread_once_t strs_once = PTHREAD_ONCE_INIT;

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* Parses strings.tsv once: key<TAB>zh<TAB>en per line, '#' comments. */
static void strs_load(void)
{
    for (int f = 0; f < fd_print_strings_count; f++) {
        const char *p = fd_print_strings[f].data;
        const char *end = p + fd_print_strings[f].size;
        while (p < end && nstrs < STR_MAX) {
            const char *eol = memchr(p, '\n', (size_t)(end - p));
            if (!eol)
                eol = end;
            const char *t1 = memchr(p, '\t', (size_t)(eol - p));
            const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1)) : NULL;
            if (*p != '#' && t1 && t2) {
                struct str_entry *s = &strs[nstrs];
                s->key = dup_n(p, (size_t)(t1 - p));
                s->text[0] = dup_n(t1 + 1, (size_t)(t2 - t1 - 1));
                s->text[1] = dup_n(t2 + 1, (size_t)(eol - t2 - 1));
                if (s->key && s->text[0] && s->text[1])
                    nstrs++;
            }
            p = eol + 1;
        }
    }
}

/* The receipt's words for key in lang, or NULL when it has none. */
static const char *find_str(const char *key, enum receipt_lang lang)
{
    pthread_once(&strs_once, strs_load);
    for (int i = 0; i < nstrs; i++)
        if (strcmp(strs[i].key, key) == 0)
            return strs[i].text[lang == RECEIPT_EN ? 1 : 0];
    return NULL;
}

const char *receipt_str(const char *key, enum receipt_lang lang)
{
    const char *w = find_str(key, lang);
    return w ? w : key;
}

const char *receipt_category(const char *category, enum receipt_lang lang)
{
    char key[64];
    if (!category || snprintf(key, sizeof key, "cat.%s", category) >= (int)sizeof key)
        return category ? category : "";
    const char *w = find_str(key, lang);
    return w ? w : category;
}

static const char *pick(const char *zh, const char *en, enum receipt_lang lang)
{
    const char *a = lang == RECEIPT_EN ? en : zh, *b = lang == RECEIPT_EN ? zh : en;
    return a && *a ? a : b ? b : "";
}

/* "{n}" in `tmpl` replaced by n. */
static void fill_n(char *out, size_t len, const char *tmpl, int n)
{
    const char *at = strstr(tmpl, "{n}");
    if (!at)
        snprintf(out, len, "%s", tmpl);
    else
        snprintf(out, len, "%.*s%d%s", (int)(at - tmpl), tmpl, n, at + 3);
}

static void fmt_time(char *out, size_t len, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || strftime(out, len, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, len, "?");
}

int receipt_mask_phone(const char *phone, char *out, size_t outlen)
{
    char d[32];
    size_t n = 0, keep_head, keep_tail;

    for (const char *p = phone ? phone : ""; *p && n < sizeof d; p++)
        if (*p >= '0' && *p <= '9')
            d[n++] = *p;
    if (n >= 8) {
        keep_head = 3;
        keep_tail = 4;
    } else {
        keep_head = 0;
        keep_tail = n > 2 ? 2 : 0;
    }
    if (n + 1 > outlen)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (i < keep_head || i >= n - keep_tail) ? d[i] : '*';
    out[n] = 0;
    return 0;
}

static void header(struct escpos *e, const char *branch, const char *title)
{
    escpos_init(e);
    escpos_align(e, ESCPOS_CENTER);
    if (branch && *branch) {
        escpos_bold(e, 1);
        escpos_text(e, branch);
        escpos_bold(e, 0);
    }
    escpos_size(e, 1, 2);
    escpos_text(e, title);
    escpos_size(e, 1, 1);
    escpos_rule(e, '-');
}

static void footer(struct escpos *e, const char *text, enum receipt_lang lang)
{
    escpos_align(e, ESCPOS_CENTER);
    if (text)
        escpos_text(e, text);
    escpos_text(e, receipt_str("thanks", lang));
    escpos_cut(e);
}

int receipt_ticket(struct escpos *e, const struct receipt_ticket *t, enum receipt_lang lang)
{
    char buf[160];
    int big = escpos_profile(e)->big_size;

    header(e, pick(t->branch_zh, t->branch_en, lang), receipt_str("ticket.title", lang));
    escpos_text(e, receipt_str("ticket.number", lang));
    escpos_bold(e, 1);
    escpos_size(e, big, big);
    escpos_text(e, t->label ? t->label : "?");
    escpos_size(e, 1, 2);
    escpos_text(e, pick(t->service_zh, t->service_en, lang));
    escpos_size(e, 1, 1);
    escpos_bold(e, 0);
    if (t->people_ahead >= 0) {
        if (t->people_ahead == 0)
            snprintf(buf, sizeof buf, "%s", receipt_str("ticket.ahead0", lang));
        else if (t->people_ahead == 1)
            snprintf(buf, sizeof buf, "%s", receipt_str("ticket.ahead1", lang));
        else
            fill_n(buf, sizeof buf, receipt_str("ticket.ahead", lang), t->people_ahead);
        escpos_text(e, buf);
    }
    escpos_align(e, ESCPOS_LEFT);
    escpos_rule(e, '-');
    fmt_time(buf, sizeof buf, t->issued_at);
    escpos_pair(e, receipt_str("ticket.time", lang), buf);
    if (t->qr && *t->qr) {
        escpos_align(e, ESCPOS_CENTER);
        escpos_qr(e, t->qr, 6);
        escpos_text(e, receipt_str("ticket.scan", lang));
    }
    footer(e, receipt_str("ticket.footer", lang), lang);
    return escpos_error(e);
}

int receipt_visitor(struct escpos *e, const struct receipt_visitor *v, enum receipt_lang lang)
{
    char buf[64];

    header(e, pick(v->branch_zh, v->branch_en, lang), receipt_str("visitor.title", lang));
    escpos_text(e, receipt_str("visitor.badge", lang));
    escpos_bold(e, 1);
    escpos_size(e, 3, 3);
    escpos_text(e, v->badge ? v->badge : "?");
    escpos_size(e, 1, 1);
    escpos_bold(e, 0);
    escpos_align(e, ESCPOS_LEFT);
    escpos_rule(e, '-');
    escpos_pair(e, receipt_str("visitor.name", lang), v->name);
    if (receipt_mask_phone(v->phone, buf, sizeof buf) == 0 && buf[0])
        escpos_pair(e, receipt_str("visitor.phone", lang), buf);
    if (v->company && *v->company)
        escpos_pair(e, receipt_str("visitor.company", lang), v->company);
    escpos_pair(e, receipt_str("visitor.host", lang), v->host);
    fmt_time(buf, sizeof buf, v->signed_in_at);
    escpos_pair(e, receipt_str("visitor.time", lang), buf);
    if (v->invitation && *v->invitation)
        escpos_pair(e, receipt_str("visitor.invitation", lang), v->invitation);
    escpos_rule(e, '-');
    if (v->badge && *v->badge) {
        escpos_align(e, ESCPOS_CENTER);
        escpos_barcode(e, v->badge, 60);
    }
    footer(e, receipt_str("visitor.footer", lang), lang);
    return escpos_error(e);
}

int receipt_complaint(struct escpos *e, const struct receipt_complaint *c,
                      enum receipt_lang lang)
{
    char buf[600];

    header(e, pick(c->branch_zh, c->branch_en, lang), receipt_str("complaint.title", lang));
    escpos_text(e, receipt_str("complaint.ref", lang));
    escpos_bold(e, 1);
    escpos_size(e, 1, 2);
    escpos_text(e, c->ref ? c->ref : "?");
    escpos_size(e, 1, 1);
    escpos_bold(e, 0);
    escpos_align(e, ESCPOS_LEFT);
    escpos_rule(e, '-');
    if (c->category && *c->category)
        escpos_pair(e, receipt_str("complaint.category", lang), receipt_category(c->category, lang));
    fmt_time(buf, sizeof buf, c->received_at);
    escpos_pair(e, receipt_str("complaint.time", lang), buf);
    fmt_time(buf, sizeof buf, c->feedback_due);
    escpos_pair(e, receipt_str("complaint.due", lang), buf);
    escpos_rule(e, '-');
    escpos_bold(e, 1);
    escpos_text(e, receipt_str("complaint.promise", lang));
    escpos_bold(e, 0);
    if (c->ref && *c->ref) {
        snprintf(buf, sizeof buf, "%s%s", c->qr_prefix ? c->qr_prefix : "", c->ref);
        escpos_align(e, ESCPOS_CENTER);
        escpos_qr(e, buf, 6);
    }
    footer(e, receipt_str("complaint.scan", lang), lang);
    return escpos_error(e);
}

int receipt_render(enum receipt_kind kind, const void *fields, enum receipt_lang lang,
                   const struct escpos_profile *prof, struct escpos_font *font,
                   uint8_t **out, size_t *len)
{
    struct escpos *e = escpos_new(prof, 0, font);
    const uint8_t *b;
    int rc;

    *out = NULL;
    *len = 0;
    if (!e)
        return ESCPOS_ENOMEM;
    rc = escpos_error(e);
    if (rc == 0) {
        if (kind == RECEIPT_TICKET)
            rc = receipt_ticket(e, fields, lang);
        else if (kind == RECEIPT_VISITOR)
            rc = receipt_visitor(e, fields, lang);
        else if (kind == RECEIPT_COMPLAINT)
            rc = receipt_complaint(e, fields, lang);
        else
            rc = ESCPOS_EINVAL;
    }
    if (rc == 0) {
        b = escpos_bytes(e, len);
        *out = malloc(*len ? *len : 1);
        if (*out)
            memcpy(*out, b, *len);
        else
            rc = ESCPOS_ENOMEM;
    }
    escpos_free(e);
    return rc;
}

static const char *const kind_names[] = {"ticket", "visitor", "complaint"};

const char *receipt_kind_name(enum receipt_kind k)
{
    return k >= RECEIPT_TICKET && k <= RECEIPT_COMPLAINT ? kind_names[k] : "?";
}

int receipt_kind_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (name && strcmp(name, kind_names[i]) == 0)
            return i;
    return -1;
}
