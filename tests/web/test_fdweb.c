/* test_fdweb.c - lib/fdweb over real HTTP on loopback: a libmicrohttpd server
 * answers with fdweb's functions and libcurl asks as a browser would. The
 * built files are tests/web/app, built and embedded by fd_web_app (so the
 * CMake function is exercised too). */
#include "check.h"
#include "fdweb.h"
#include "http_client.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sodium.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const struct fd_embedded_file fdweb_test_app[];
extern const int fdweb_test_app_count;

static const char CSRF[] = "0123456789abcdef";

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_len, void **state)
{
    (void)cls, (void)version, (void)upload;
    if (!*state) { /* first call: headers only */
        *state = c;
        return MHD_YES;
    }
    if (*upload_len) {
        *upload_len = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/app/", 5) == 0)
        return fdweb_asset(c, fdweb_test_app, url + 5, 0);
    if (strcmp(url, "/tls/app/index.html") == 0)
        return fdweb_asset(c, fdweb_test_app, "index.html", 1);
    if (strcmp(url, "/error") == 0)
        return fdweb_error(c, 409, "busy", "say \"no\"\nthen\\stop", 0);
    if (strcmp(url, "/login") == 0 || strcmp(url, "/tls/login") == 0) {
        int tls = url[1] == 't';
        struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        int bad = fdweb_set_cookie(r, "sid", "a b", -1, tls); /* refused: space */
        fdweb_set_cookie(r, "sid", "abc123", tls ? 600 : -1, tls);
        MHD_add_response_header(r, "X-Bad", bad == -1 ? "refused" : "taken");
        enum MHD_Result ok = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ok;
    }
    if (strcmp(url, "/whoami") == 0) {
        char sid[16];
        return fdweb_json(c, 200, fdweb_cookie(c, "sid", sid, sizeof sid) == 0 ? sid : "none", 0);
    }
    if (strcmp(url, "/change") == 0 && strcmp(method, "POST") == 0)
        return fdweb_same_origin(c, CSRF) == 0 ? fdweb_json(c, 200, "{}", 0)
                                               : fdweb_error(c, 403, "cross_site", "refused", 0);
    return fdweb_error(c, 404, "not_found", "no", 0);
}

static int port;

/* One request; `headers` is a NULL-ended list of "Name: value"; a POST
 * sends "{}". The answer stays until the next request. */
static struct http_answer *ask(const char *method, const char *path, const char *const *headers)
{
    static struct http_answer a;
    struct http_request rq = {.method = method, .headers = headers, .body_len = -1};
    if (strcmp(method, "POST") == 0)
        rq.body = "{}";
    http_ask(&a, port, path, &rq);
    return &a;
}

/* The value of header `name` in the answer (case-insensitive), or "". */
static const char *header(const struct http_answer *a, const char *name)
{
    static char v[1024];
    return http_header(a, name, v, sizeof v);
}

static void test_assets(void)
{
    CHECK(fdweb_test_app_count == 3);
    struct http_answer *a = ask("GET", "/app/index.html", NULL);
    CHECK_INT(a->status, 200);
    CHECK(strstr(a->body, "你好") != NULL);
    CHECK(strcmp(header(a, "Content-Type"), "text/html; charset=utf-8") == 0);
    const char *csp = header(a, "Content-Security-Policy");
    CHECK(strstr(csp, "script-src 'self'") != NULL);
    CHECK(strstr(csp, "unsafe-inline") == NULL);
    CHECK(strstr(csp, "frame-ancestors 'none'") != NULL);
    CHECK(strcmp(header(a, "X-Content-Type-Options"), "nosniff") == 0);
    CHECK(strcmp(header(a, "Cache-Control"), "no-cache") == 0);
    CHECK(header(a, "Strict-Transport-Security")[0] == '\0');

    /* The page names its hashed script; that is served, cached for a year. */
    const char *src = strstr(a->body, "src=\"/assets/");
    CHECK(src != NULL);
    char path[128] = "/app/";
    if (src) {
        size_t k = strcspn(src + 6, "\"");
        if (k < 100)
            memcpy(path + 5, src + 6, k);
    }
    char etag[64] = "";
    a = ask("GET", path, NULL);
    CHECK_INT(a->status, 200);
    CHECK(strcmp(header(a, "Content-Type"), "text/javascript; charset=utf-8") == 0);
    CHECK(strstr(header(a, "Cache-Control"), "immutable") != NULL);
    CHECK(strstr(a->body, "textContent") != NULL);
    snprintf(etag, sizeof etag, "If-None-Match: %s", header(a, "ETag"));
    CHECK(strlen(etag) > 20);
    const char *inm[] = {etag, NULL};
    a = ask("GET", path, inm);
    CHECK_INT(a->status, 304);
    CHECK_INT(a->len, 0);
    const char *other[] = {"If-None-Match: \"0000000000000000\"", NULL};
    a = ask("GET", path, other);
    CHECK_INT(a->status, 200);

    /* App routes get the page; what is not there is 404, never another file. */
    a = ask("GET", "/app/complaints/42", NULL);
    CHECK_INT(a->status, 200);
    CHECK(strstr(a->body, "你好") != NULL);
    a = ask("GET", "/app/", NULL);
    CHECK_INT(a->status, 200);
    a = ask("GET", "/app/missing.js", NULL);
    CHECK_INT(a->status, 404);
    CHECK(strstr(header(a, "Content-Security-Policy"), "default-src 'self'") != NULL);
    a = ask("GET", "/app/assets/../index.html", NULL); /* curl squashes it: ours still 200 */
    CHECK(a->status == 200 || a->status == 404);
    a = ask("GET", "/app/logo.svg", NULL);
    CHECK(strcmp(header(a, "Content-Type"), "image/svg+xml") == 0);
    a = ask("GET", "/tls/app/index.html", NULL);
    CHECK(strstr(header(a, "Strict-Transport-Security"), "max-age=") != NULL);
}

static void test_json_and_errors(void)
{
    struct http_answer *a = ask("GET", "/error", NULL);
    CHECK_INT(a->status, 409);
    CHECK(strcmp(header(a, "Content-Type"), "application/json") == 0);
    CHECK(strcmp(header(a, "Cache-Control"), "no-store") == 0);
    cJSON *j = cJSON_Parse(a->body);
    CHECK(j != NULL);
    CHECK(cJSON_IsString(cJSON_GetObjectItem(j, "error")) &&
          strcmp(cJSON_GetObjectItem(j, "error")->valuestring, "busy") == 0);
    cJSON *m = cJSON_GetObjectItem(j, "message");
    CHECK(cJSON_IsString(m) && strcmp(m->valuestring, "say \"no\"\nthen\\stop") == 0);
    cJSON_Delete(j);
}

static void test_cookies(void)
{
    struct http_answer *a = ask("GET", "/login", NULL);
    CHECK(strcmp(header(a, "Set-Cookie"), "sid=abc123; Path=/; HttpOnly; SameSite=Strict") == 0);
    CHECK(strcmp(header(a, "X-Bad"), "refused") == 0);
    a = ask("GET", "/tls/login", NULL);
    CHECK(strcmp(header(a, "Set-Cookie"),
                 "sid=abc123; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=600") == 0);
    const char *ck[] = {"Cookie: theme=dark; sid=f00d", NULL};
    a = ask("GET", "/whoami", ck);
    CHECK(strcmp(a->body, "f00d") == 0);
    const char *big[] = {"Cookie: sid=0123456789abcdef0123", NULL}; /* longer than the cap */
    a = ask("GET", "/whoami", big);
    CHECK(strcmp(a->body, "none") == 0);
    a = ask("GET", "/whoami", NULL);
    CHECK(strcmp(a->body, "none") == 0);

    char t1[65], t2[65];
    fdweb_token(t1, 32);
    fdweb_token(t2, 32);
    CHECK_INT(strlen(t1), 64);
    CHECK(strcmp(t1, t2) != 0);
    CHECK(strspn(t1, "0123456789abcdef") == 64);
}

static void test_same_origin(void)
{
    const char *ok[] = {"X-CSRF-Token: 0123456789abcdef", NULL};
    CHECK_INT(ask("POST", "/change", ok)->status, 200);
    CHECK_INT(ask("POST", "/change", NULL)->status, 403);
    const char *wrong[] = {"X-CSRF-Token: 0123456789abcdeg", NULL};
    CHECK_INT(ask("POST", "/change", wrong)->status, 403);
    const char *shorter[] = {"X-CSRF-Token: 0123", NULL};
    CHECK_INT(ask("POST", "/change", shorter)->status, 403);
    const char *cross[] = {"X-CSRF-Token: 0123456789abcdef", "Sec-Fetch-Site: cross-site", NULL};
    CHECK_INT(ask("POST", "/change", cross)->status, 403);
    const char *same[] = {"X-CSRF-Token: 0123456789abcdef", "Sec-Fetch-Site: same-origin", NULL};
    CHECK_INT(ask("POST", "/change", same)->status, 200);
    char mine[96], evil[] = "Origin: http://evil.example";
    snprintf(mine, sizeof mine, "Origin: http://127.0.0.1:%d", port);
    const char *from_mine[] = {"X-CSRF-Token: 0123456789abcdef", mine, NULL};
    CHECK_INT(ask("POST", "/change", from_mine)->status, 200);
    const char *from_evil[] = {"X-CSRF-Token: 0123456789abcdef", evil, NULL};
    CHECK_INT(ask("POST", "/change", from_evil)->status, 403);
    const char *nohost[] = {"X-CSRF-Token: 0123456789abcdef", "Origin: null", NULL};
    CHECK_INT(ask("POST", "/change", nohost)->status, 403);
}

static void test_listen_addr(void)
{
    struct sockaddr_in sa;
    char host[64], err[160];
    CHECK_INT(fdweb_listen_addr("127.0.0.1:8443", &sa, host, sizeof host, err, sizeof err), 0);
    CHECK_STR(host, "127.0.0.1");
    CHECK_INT(ntohs(sa.sin_port), 8443);
    CHECK(sa.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK_INT(fdweb_listen_addr("0.0.0.0:0", &sa, host, sizeof host, err, sizeof err), 0);
    CHECK_INT(ntohs(sa.sin_port), 0);
    static const char *const bad[] = {"", "8443", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x",
                                      "127.0.0.1:80x", "127.0.0.1:-1", "127.0.0.1:65536",
                                      "localhost:80", "::1:80", "1.2.3:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_MSG(fdweb_listen_addr(bad[i], &sa, host, sizeof host, err, sizeof err) == -1,
                  "'%s' taken", bad[i]);
        CHECK(strstr(err, "--listen") != NULL);
    }
    CHECK_INT(fdweb_listen_addr(NULL, &sa, host, sizeof host, err, sizeof err), -1);
}

int main(void)
{
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 2;
    struct sockaddr_in lo = {.sin_family = AF_INET, .sin_port = 0};
    lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                                            0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR,
                                            (struct sockaddr *)&lo, MHD_OPTION_END);
    CHECK(d != NULL);
    if (!d)
        return 1;
    port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    test_assets();
    test_json_and_errors();
    test_cookies();
    test_same_origin();
    test_listen_addr();
    MHD_stop_daemon(d);
    curl_global_cleanup();
    printf("%d passed, %d failed\n", check_passed_, check_failed_);
    return check_failed_ ? 1 : 0;
}
