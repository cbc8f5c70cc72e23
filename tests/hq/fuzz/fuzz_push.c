/* fuzz_push.c - libFuzzer target for head office's push-body parser: the
 * input is a body as a kiosk would send it (gzip, or plain JSON when it does
 * not start with the gzip magic). Whatever comes in, the parser must either
 * refuse it or hand back a batch that keeps its promises: seq strictly
 * increasing, every record with a type and JSON text (a logged one whole and
 * without raw control bytes), complaint fields only
 * on valid complaint records, a health record only when every field checked. */
#include "hq_push.h"
#include "sync_wire.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hq_push_msg m;
    char err[256], *plain = NULL;
    size_t plain_len = size;
    const char *body = (const char *)data;

    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        if (sync_gunzip(data, size, 1u << 20, &plain, &plain_len) != 0)
            return 0;
        body = plain;
    }
    if (hq_push_parse(body, plain_len, 500, &m, err, sizeof err) == 0) {
        assert(m.batch.epoch >= 1);
        assert(m.batch.n <= 500);
        for (size_t i = 0; i < m.batch.n; i++) {
            const struct hq_record *r = &m.batch.recs[i];
            assert(r->type && r->json);
            assert(i == 0 || r->seq > m.batch.recs[i - 1].seq);
            assert(!r->complaint || (!r->quarantine && strcmp(r->type, "complaint") == 0));
            assert(!r->complaint || r->complaint->ref);
            /* a logged text is JSON, cut from the body or printed, never torn */
            if (!r->quarantine) {
                cJSON *back = cJSON_Parse(r->json);
                assert(back);
                cJSON_Delete(back);
                for (const char *c = r->json; *c; c++)
                    assert((unsigned char)*c >= 0x20 || *c == ' ' || *c == '\t' ||
                           *c == '\n' || *c == '\r');
            }
        }
        /* a health record is either fully checked or absent, never half */
        assert(!m.has_health || (m.health.app_version && m.health.printer_message &&
                                 m.health.last_error && m.health.backlog >= 0 &&
                                 strlen(m.health.last_error) <= HQ_ERROR_TEXT_MAX));
        assert(!m.has_health || !m.health_err[0]);
        hq_push_free(&m);
    }
    free(plain);
    return 0;
}
