/* fdweb.h - what our browser apps' servers share (frontdesk-hq's console,
 * frontdesk-counter): built files served from the binary with the security
 * headers every answer carries, JSON answers, session cookies and the check
 * that a state-changing request came from our own page.
 *
 * Knows nothing of the domain or of sessions' storage: callers keep their
 * sessions and pass the session's CSRF token to fdweb_same_origin(). Every
 * function that queues an answer returns libmicrohttpd's MHD_Result. */
#ifndef FD_FDWEB_H
#define FD_FDWEB_H

#include <stddef.h>

#include <netinet/in.h>

#include <microhttpd.h>

#include "embedded.h"

/* The Content-Type for a file name, by its extension ("index.html" ->
 * "text/html; charset=utf-8"); "application/octet-stream" when unknown. */
const char *fdweb_mime(const char *name);

/* Adds the headers every page and answer carries: a Content-Security-Policy
 * that allows only our own origin and no inline script, nosniff, no referrer,
 * no framing, and Strict-Transport-Security when `tls`. */
void fdweb_headers(struct MHD_Response *r, int tls);

/* Queues the built file at `path` (relative to the app's root, no leading
 * '/': "", "index.html", "assets/app-1a2b.js") from `files` (a table made by
 * fd_web_app, ended by a zeroed entry). A path whose last part has no dot is
 * an app route and gets "index.html"; a path with ".." or that is absent gets
 * 404. Answers 304 to a matching If-None-Match; hashed assets (under
 * "assets/") are cached for a year, everything else is revalidated. */
enum MHD_Result fdweb_asset(struct MHD_Connection *c, const struct fd_embedded_file *files,
                            const char *path, int tls);

/* Queues `json` (copied) with `status`, as application/json, no-store. */
enum MHD_Result fdweb_json(struct MHD_Connection *c, unsigned status, const char *json, int tls);

/* Queues {"error": code, "message": message} with `status`. */
enum MHD_Result fdweb_error(struct MHD_Connection *c, unsigned status, const char *code,
                            const char *message, int tls);

/* Writes `bytes` random bytes as 2*bytes lowercase hex digits and a NUL into
 * `out` (which holds at least 2*bytes+1). */
void fdweb_token(char *out, size_t bytes);

/* Copies the value of the request's cookie `name` into `out` (cap bytes with
 * the NUL). Returns 0 when found and it fits, -1 otherwise (out is ""). */
int fdweb_cookie(struct MHD_Connection *c, const char *name, char *out, size_t cap);

/* Adds Set-Cookie: name=value; Path=/; HttpOnly; SameSite=Strict, with
 * Secure under `tls`; max_age -1 makes a session cookie, 0 deletes it, more
 * sets Max-Age. Returns 0, or -1 when name/value hold characters a cookie
 * cannot (only [A-Za-z0-9._-] are allowed, tokens are hex). */
int fdweb_set_cookie(struct MHD_Response *r, const char *name, const char *value, int max_age,
                     int tls);

/* For every state-changing request: 0 when it came from our own page, i.e.
 * Sec-Fetch-Site (when sent) is "same-origin", Origin (when sent) names the
 * request's own Host, and the X-CSRF-Token header equals `csrf_expected`
 * (compared in constant time); -1 otherwise (answer 403 "cross_site"). */
int fdweb_same_origin(struct MHD_Connection *c, const char *csrf_expected);

/* Parses a server's --listen value "ADDR:PORT" (an IPv4 address; port 0 to
 * 65535, 0 = any free port) into *sa and copies the address as text into
 * `host` (cap bytes). Returns 0, or -1 with the reason in err (naming the
 * value) and *sa unspecified. */
int fdweb_listen_addr(const char *listen, struct sockaddr_in *sa, char *host, size_t cap,
                      char *err, size_t errlen);

#endif
