/* http_client.h - one HTTP request to a server of ours on loopback, as the
 * tests that talk to frontdesk-hq and lib/fdweb make it (libcurl): the
 * answer's status, body and header lines, each kept up to its cap. One copy
 * for every such test; header-only, like check.h (static inline: a test that
 * uses part of it draws no unused-function warning). */
#ifndef FD_TEST_HTTP_CLIENT_H
#define FD_TEST_HTTP_CLIENT_H
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct http_answer {
    long status;        /* 0: no answer (refused, reset, timed out) */
    char body[65536];   /* NUL-terminated; what passes the cap is dropped */
    size_t len;
    char headers[8192]; /* the header lines as received, NUL-terminated; cut at the cap */
    size_t hlen;
};

struct http_request {
    const char *method;         /* sent as the method when set (else GET, or POST with a body) */
    const char *const *headers; /* NULL-ended "Name: value" lines, or NULL */
    const void *body;           /* sent when not NULL */
    long long body_len;         /* its length; < 0: strlen(body) */
    long timeout_s;             /* 0: none */
};

/* Appends what fits to a capped, NUL-terminated buffer. */
static inline size_t http_keep_(char *buf, size_t cap, size_t *len, const char *d, size_t n)
{
    size_t room = cap - 1 - *len, k = n < room ? n : room;
    memcpy(buf + *len, d, k);
    *len += k;
    buf[*len] = '\0';
    return n;
}

static inline size_t http_on_body_(char *d, size_t s, size_t n, void *ctx)
{
    struct http_answer *a = ctx;
    return http_keep_(a->body, sizeof a->body, &a->len, d, s * n);
}

static inline size_t http_on_header_(char *d, size_t s, size_t n, void *ctx)
{
    struct http_answer *a = ctx;
    return http_keep_(a->headers, sizeof a->headers, &a->hlen, d, s * n);
}

/* Asks http://127.0.0.1:PORT PATH as rq says (rq may be NULL: a plain GET)
 * and fills *a (cleared first). Returns a->status (0 when no answer came). */
static inline long http_ask(struct http_answer *a, int port, const char *path,
                            const struct http_request *rq)
{
    static const struct http_request get = {0};
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    char url[512];
    if (!rq)
        rq = &get;
    memset(a, 0, sizeof *a);
    if (!c)
        return 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    for (const char *const *h = rq->headers; h && *h; h++)
        hl = curl_slist_append(hl, *h);
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (hl)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (rq->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(rq->body_len < 0 ? (long long)strlen(rq->body)
                                                       : rq->body_len));
    }
    if (rq->timeout_s)
        curl_easy_setopt(c, CURLOPT_TIMEOUT, rq->timeout_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_on_body_);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_on_header_);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return a->status;
}

/* The next header line of the answer at or after *at (start with *at = NULL)
 * copied into line (without CR LF, cut at cap); returns line, or NULL after
 * the last. */
static inline const char *http_next_line(const struct http_answer *a, const char **at,
                                         char *line, size_t cap)
{
    const char *l = *at ? *at : a->headers;
    if (!*l)
        return NULL;
    size_t k = strcspn(l, "\r\n");
    snprintf(line, cap, "%.*s", (int)(k < cap ? k : cap - 1), l);
    l += k;
    while (*l == '\r' || *l == '\n')
        l++;
    *at = l;
    return line;
}

/* The value of the first header `name` (case-insensitive, leading blanks
 * skipped) copied into out; "" when the answer has none. Returns out. */
static inline const char *http_header(const struct http_answer *a, const char *name, char *out,
                                      size_t cap)
{
    const char *at = NULL;
    char line[2048];
    size_t n = strlen(name);
    out[0] = '\0';
    while (http_next_line(a, &at, line, sizeof line))
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *s = line + n + 1;
            while (*s == ' ')
                s++;
            size_t k = strlen(s) < cap ? strlen(s) : cap - 1;
            memcpy(out, s, k);
            out[k] = '\0';
            break;
        }
    return out;
}

#endif
