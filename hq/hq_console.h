/* hq_console.h - the head-office console's server side: the JSON API under
 * /console/api/ (hq/CONSOLE_API.md is the contract). The browser pages
 * under /console/ are hq_assets.h's, served before a store is borrowed.
 * Sessions and accounts are hq_user.h's; complaint rules hq_complaint.h's;
 * reports hq_report.h's. hq_server.c hands every other /console request here. */
#ifndef HQ_CONSOLE_H
#define HQ_CONSOLE_H
#include <microhttpd.h>
#include <stddef.h>

#include "hq_store.h"

#define HQ_CONSOLE_BODY_MAX (1u << 20) /* bytes of a request body; more: 413 */

/* Answers one request whose url starts with "/console" (body: the whole
 * request body, len bytes, may be NULL). Always queues an answer (the
 * caller sends nothing more) and leaves no transaction open on s. Returns
 * what MHD_queue_response returned. */
enum MHD_Result hq_console_handle(struct hq_store *s, struct MHD_Connection *c,
                                  const char *method, const char *url, const char *body,
                                  size_t len);

struct cJSON;
/* Checks a configuration list (key "services", "counters", "hosts" or
 * "staff_pins", value the whole list) with the kiosk's own rules, as the
 * console's configuration page does (hq_console_config.c). 0 fine, 1 a
 * kiosk would skip it (why says why), -1 the check itself failed (why). */
int hq_config_check(const char *key, const struct cJSON *value, char *why, size_t len);

#endif
