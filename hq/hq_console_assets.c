/* hq_console_assets.c - what reaches the console's handler under /console/
 * that is not the API: the built pages are served before the store is
 * touched (hq_assets.c, hq/console), so whatever comes here is not a page. */
#include "hq_console.h"

#include "fdweb.h"

#include <string.h>

enum MHD_Result hq_console_assets(struct MHD_Connection *c, const char *path, int tls)
{
    (void)path;
    return fdweb_error(c, 404, "not_found", "no such page", tls);
}
