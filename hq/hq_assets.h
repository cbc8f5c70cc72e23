/* hq_assets.h - the head-office browser console's files (hq/console/, built
 * by `npm run build` and compiled into frontdesk-hq), served at /console/
 * on the server's own port and TLS. The console's JSON API under
 * /console/api/ is not here (hq_console.c). */
#ifndef HQ_ASSETS_H
#define HQ_ASSETS_H
#include <microhttpd.h>

/* 1 when url is the console's pages or files ("/console", "/console/...")
 * and not its API ("/console/api/..."); 0 otherwise. */
int hq_assets_wants(const char *url);

/* Answers a request hq_assets_wants() took: GET or HEAD of a built file
 * (index.html for "/console/" and for any path that is not a file), with
 * the Content-Security-Policy and security headers of lib/fdweb; "/console"
 * is redirected to "/console/"; other methods get 405. Needs no store.
 * Returns libmicrohttpd's result of queueing the answer. */
enum MHD_Result hq_assets_serve(struct MHD_Connection *c, const char *method, const char *url);

#endif
