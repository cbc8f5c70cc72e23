/* fdweb.c - built files, security headers, JSON answers, cookies and the
 * same-origin check for our browser apps' servers (see fdweb.h). */
#include "fdweb.h"

#include <sodium.h>

#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char CSP[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

const char *fdweb_mime(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},          {".svg", "image/svg+xml"},
        {".png", "image/png"},                  {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},               {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},           {".webmanifest", "application/manifest+json"},
    };
    const char *dot = name ? strrchr(name, '.') : NULL;
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

void fdweb_headers(struct MHD_Response *r, int tls)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

/* Queues a response and drops our reference to it. */
static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

enum MHD_Result fdweb_json(struct MHD_Connection *c, unsigned status, const char *json, int tls)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    fdweb_headers(r, tls);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    return queue(c, status, r);
}

/* Appends `s` to out[*n] as the inside of a JSON string. */
static void json_str(char *out, size_t cap, size_t *n, const char *s)
{
    for (; s && *s && *n + 7 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            *n += (size_t)snprintf(out + *n, cap - *n, "\\%c", ch);
        else if (ch < 0x20)
            *n += (size_t)snprintf(out + *n, cap - *n, "\\u%04x", ch);
        else
            out[(*n)++] = (char)ch;
    }
    out[*n] = '\0';
}

enum MHD_Result fdweb_error(struct MHD_Connection *c, unsigned status, const char *code,
                            const char *message, int tls)
{
    char body[1024];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"error\":\"");
    json_str(body, sizeof body - 16, &n, code);
    n += (size_t)snprintf(body + n, sizeof body - n, "\",\"message\":\"");
    json_str(body, sizeof body - 4, &n, message);
    snprintf(body + n, sizeof body - n, "\"}");
    return fdweb_json(c, status, body, tls);
}

/* FNV-1a over the bytes: a strong enough validator for files we built. */
static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

enum MHD_Result fdweb_asset(struct MHD_Connection *c, const struct fd_embedded_file *files,
                            const char *path, int tls)
{
    if (!path)
        path = "";
    while (*path == '/')
        path++;
    const char *last = strrchr(path, '/');
    last = last ? last + 1 : path;
    if (!strchr(last, '.'))
        path = "index.html"; /* an app route: the page decides */
    const struct fd_embedded_file *f = NULL;
    if (!strstr(path, ".."))
        for (const struct fd_embedded_file *e = files; e && e->name; e++)
            if (strcmp(e->name, path) == 0) {
                f = e;
                break;
            }
    if (!f)
        return fdweb_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such page", tls);

    char etag[24];
    snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)fnv(f->data, f->size));
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    int same = inm && strcmp(inm, etag) == 0;
    struct MHD_Response *r = same ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
                                  : MHD_create_response_from_buffer(f->size, (void *)f->data,
                                                                    MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    fdweb_headers(r, tls);
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Cache-Control", strncmp(path, "assets/", 7) == 0
                                                     ? "public, max-age=31536000, immutable"
                                                     : "no-cache");
    if (!same)
        MHD_add_response_header(r, "Content-Type", fdweb_mime(f->name));
    return queue(c, same ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
}

void fdweb_token(char *out, size_t bytes)
{
    unsigned char raw[64];
    if (bytes > sizeof raw)
        bytes = sizeof raw;
    randombytes_buf(raw, bytes);
    sodium_bin2hex(out, 2 * bytes + 1, raw, bytes);
    sodium_memzero(raw, sizeof raw);
}

int fdweb_cookie(struct MHD_Connection *c, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, name);
    if (!v || strlen(v) >= cap)
        return -1;
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

/* Only the characters our cookie names and hex tokens use. */
static int cookie_safe(const char *s)
{
    if (!s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int fdweb_set_cookie(struct MHD_Response *r, const char *name, const char *value, int max_age,
                     int tls)
{
    if (!cookie_safe(name) || !*name || !cookie_safe(value))
        return -1;
    char h[512], age[32] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%d", max_age);
    int n = snprintf(h, sizeof h, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
                     tls ? "; Secure" : "", age);
    if (n < 0 || (size_t)n >= sizeof h)
        return -1;
    return MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, h) == MHD_YES ? 0 : -1;
}

int fdweb_same_origin(struct MHD_Connection *c, const char *csrf_expected)
{
    const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0)
        return -1;
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (origin) {
        const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
        const char *after = strstr(origin, "://");
        if (!host || !after || strcmp(after + 3, host) != 0)
            return -1;
    }
    const char *got = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    if (!csrf_expected || !*csrf_expected || !got || strlen(got) != strlen(csrf_expected))
        return -1;
    return sodium_memcmp(got, csrf_expected, strlen(got)) == 0 ? 0 : -1;
}

int fdweb_listen_addr(const char *listen, struct sockaddr_in *sa, char *host, size_t cap,
                      char *err, size_t errlen)
{
    char buf[64], *colon, *end;
    long port;
    if (!listen || snprintf(buf, sizeof buf, "%s", listen) >= (int)sizeof buf) {
        snprintf(err, errlen, "--listen wants ADDR:PORT (an IPv4 address)");
        return -1;
    }
    colon = strrchr(buf, ':');
    port = colon && colon[1] ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || !colon[1] || *end || colon[1] == '-' || colon[1] == '+' || port < 0 ||
        port > 65535) {
        snprintf(err, errlen, "--listen wants ADDR:PORT (an IPv4 address), not '%s'", buf);
        return -1;
    }
    *colon = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, buf, &sa->sin_addr) != 1) {
        snprintf(err, errlen, "--listen: '%s' is not an IPv4 address", buf);
        return -1;
    }
    if (snprintf(host, cap, "%s", buf) >= (int)cap) {
        snprintf(err, errlen, "--listen: '%s' is too long", buf);
        return -1;
    }
    return 0;
}
