/* hq_console_assets.c - the console's browser pages under /console/. This
 * placeholder answers 404 until the pages' build (web/, issue 11's front
 * end) replaces it with the embedded files served by lib/fdweb. */
#include "hq_console.h"

#include <string.h>

enum MHD_Result hq_console_assets(struct MHD_Connection *c, const char *path, int tls)
{
    static const char body[] = "{\"error\":\"not_found\",\"message\":\"the console's pages are "
                               "not built into this server\"}";
    struct MHD_Response *r = MHD_create_response_from_buffer(
        sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;
    (void)path;
    (void)tls;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    ret = MHD_queue_response(c, 404, r);
    MHD_destroy_response(r);
    return ret;
}
