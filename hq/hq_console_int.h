/* hq_console_int.h - what the console's API files share (hq_console.c: the
 * session and routes; hq_console_config.c: configuration; hq_console_report.c:
 * reports and downloads; hq_console_invite.c: invitations). Not for other
 * modules. */
#ifndef HQ_CONSOLE_INT_H
#define HQ_CONSOLE_INT_H
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stddef.h>

#include "hq_store.h"
#include "hq_user.h"

/* One API request being answered. */
struct cx {
    struct hq_store *s;
    struct MHD_Connection *c;
    const char *method;
    const char *path;          /* after /console/api/ */
    const char *body;          /* request body (may be NULL) */
    size_t len;
    int tls;                   /* served over TLS: cookies get Secure, HSTS is sent */
    long long now;             /* Unix seconds */
    struct hq_user u;          /* the signed-in user (after the session check) */
    char actor[HQ_USER_NAME_MAX + 16]; /* "console:NAME" */
};

/* Answers: each queues the response and returns MHD_queue_response's result.
 * ans_json takes o (deletes it); NULL o answers 500 (out of memory). */
enum MHD_Result ans_json(struct cx *x, unsigned status, cJSON *o);
enum MHD_Result ans_err(struct cx *x, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A refusal that names the input at fault, so that the page can say it in
 * its user's language: {"error": code, "field": field, "limit": limit (a
 * text's most characters, when that is the rule), "message": English for
 * logs}. field "" or limit 0 leave those out. */
enum MHD_Result ans_refused(struct cx *x, unsigned status, const char *code, const char *field,
                            int limit, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A store error rc (HQ_E_BUSY: 503 busy; else 500 internal; the reason goes
 * to stderr only). */
enum MHD_Result ans_store(struct cx *x, int rc, const char *what);
/* A download: data (len bytes) as ctype, offered as filename. */
enum MHD_Result ans_file(struct cx *x, const void *data, size_t len, const char *ctype,
                         const char *filename);

/* Bytes (len) as ctype, shown in the page (an image), not downloaded. */
enum MHD_Result ans_bytes(struct cx *x, const void *data, size_t len, const char *ctype);

/* A GET argument, NULL when absent. */
const char *arg(struct cx *x, const char *name);
/* The request body as a JSON object (caller deletes), NULL when it is not one. */
cJSON *body_json(struct cx *x);
/* A string member, NULL when absent or not a string. */
const char *jstr(const cJSON *o, const char *k);

/* Text from a person: UTF-8, at most max bytes, no control characters
 * (newlines only with multiline). 1 when acceptable. */
int text_ok(const char *s, size_t max, int multiline);

/* Appends to the audit log as x's user. */
int audit(struct cx *x, const char *action, const char *subject, const char *detail);

/* Routes of the other files; each answers. */
enum MHD_Result config_get(struct cx *x);
enum MHD_Result config_post(struct cx *x, const char *what);
enum MHD_Result report_get(struct cx *x);
enum MHD_Result report_compare(struct cx *x);
/* invitations[/CODE/cancel|/CODE/qr.png] (hq_console_invite.c); rest is
 * what follows "invitations" in the path. */
enum MHD_Result invitations(struct cx *x, const char *rest);

#endif
