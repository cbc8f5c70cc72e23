/* hq_assets.c - serves the head-office console's built files at /console/
 * (hq_assets.h). The files are hq/console/'s `npm run build` output,
 * compiled into the binary by cmake's fd_web_app as hq_console_files[]: the
 * console works on an intranet with no internet, and a running server can
 * never serve a half-updated set. lib/fdweb does the serving (MIME types,
 * ETag, caching of hashed assets, the CSP without inline script and the
 * other security headers); this file only maps URLs onto it. */
#include "hq_assets.h"
#include "embedded.h"
#include "fdweb.h"

#include <string.h>

extern const struct fd_embedded_file hq_console_files[];

#define PREFIX "/console"

int hq_assets_wants(const char *url)
{
    size_t n = strlen(PREFIX);
    if (strncmp(url, PREFIX, n) != 0 || (url[n] != '\0' && url[n] != '/'))
        return 0;
    return strncmp(url + n, "/api/", 5) != 0 && strcmp(url + n, "/api") != 0;
}

/* Whether this connection came over TLS (the cookie's and HSTS's Secure). */
static int is_tls(struct MHD_Connection *c)
{
    return MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION) != NULL;
}

enum MHD_Result hq_assets_serve(struct MHD_Connection *c, const char *method, const char *url)
{
    int tls = is_tls(c);
    const char *rest = url + strlen(PREFIX);

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return fdweb_error(c, 405, "method", "the console's files are read with GET", tls);
    if (*rest == '\0') { /* "/console": relative links need the slash */
        struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret;
        if (!r)
            return MHD_NO;
        fdweb_headers(r, tls);
        MHD_add_response_header(r, "Location", PREFIX "/");
        ret = MHD_queue_response(c, MHD_HTTP_MOVED_PERMANENTLY, r);
        MHD_destroy_response(r);
        return ret;
    }
    return fdweb_asset(c, hq_console_files, rest + 1, tls);
}
