/* test_calls.c - core queries the console and the lobby use: queue_calls
 * (the cursor a lobby announces from, recalls included, the last calls of the
 * day newest first) and the console's configuration keys with their rules. */
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "queue.h"
#include "core/testutil.h"

int main(void)
{
    struct fd_store *st = tu_open("calls.db");
    struct queue_ticket t;
    struct queue_call *c = NULL;
    int n = -1;
    int64_t now = TU_NOW;
    tu_branch(st);
    /* Nothing called yet. */
    CHECK_INT(queue_calls(st, -1, 5, now, &c, &n, NULL), 0);
    CHECK_INT(n, 0);
    free(c);
    for (int i = 0; i < 3; i++)
        CHECK_INT(queue_take(st, "A", 0, now + i, &t, NULL), 0);
    CHECK_INT(queue_call_next(st, 1, "anna", now + 10, &t, NULL), 0);  /* A001 at 1 */
    CHECK_INT(queue_recall(st, 1, "anna", now + 20, &t, NULL), 0);     /* A001 again */
    CHECK_INT(queue_call_next(st, 3, "bo", now + 30, &t, NULL), 0);    /* A002 at 3 */
    CHECK_INT(queue_serve(st, 3, "bo", now + 40, &t, NULL), 0);        /* not a call */

    /* From the start: three calls, oldest first, the recall marked. */
    CHECK_INT(queue_calls(st, 0, 10, now, &c, &n, NULL), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(c[0].label, "A001");
        CHECK_INT(c[0].counter, 1);
        CHECK_INT(c[0].recall, 0);
        CHECK_STR(c[1].label, "A001");
        CHECK_INT(c[1].recall, 1);
        CHECK_STR(c[2].label, "A002");
        CHECK_INT(c[2].counter, 3);
        CHECK(c[0].event_id < c[1].event_id && c[1].event_id < c[2].event_id);
        CHECK_INT(c[2].at, now + 30);
    }
    /* After the cursor: only what is new. */
    int64_t cursor = n == 3 ? c[1].event_id : 0;
    free(c);
    CHECK_INT(queue_calls(st, cursor, 10, now, &c, &n, NULL), 0);
    CHECK_INT(n, 1);
    CHECK(n == 1 && !strcmp(c[0].label, "A002"));
    free(c);
    /* The last of the day, newest first, capped. */
    CHECK_INT(queue_calls(st, -1, 2, now, &c, &n, NULL), 0);
    CHECK_INT(n, 2);
    CHECK(n == 2 && !strcmp(c[0].label, "A002") && c[1].recall == 1);
    free(c);
    /* The next business day starts with no calls to show. */
    CHECK_INT(queue_calls(st, -1, 5, now + 86400, &c, &n, NULL), 0);
    CHECK_INT(n, 0);
    free(c);
    CHECK_INT(queue_calls(st, 0, 0, now, &c, &n, NULL), FD_EINVAL);

    /* Configuration of the console, the lobby and the voice. */
    struct fd_err e = {0};
    char buf[300];
    CHECK_INT(cfg_get_int(st, "voice_on"), 1);
    CHECK_INT(cfg_get_int(st, "voice_volume"), 80);
    CHECK_INT(cfg_get_int(st, "target_wait_s"), 900);
    CHECK(cfg_get(st, "voice_order", buf, sizeof buf) == 0 && !strcmp(buf, "zh,en"));
    CHECK(cfg_get(st, "lobby_notice", buf, sizeof buf) == 0 && strlen(buf) > 10);
    CHECK_INT(cfg_set(st, "voice_order", "en,zh", &e), 0);
    CHECK_INT(cfg_set(st, "voice_order", "fr", &e), FD_EINVAL);
    CHECK_INT(cfg_set(st, "voice_volume", "101", &e), FD_EINVAL);
    CHECK_INT(cfg_set(st, "voice_on", "0", &e), 0);
    CHECK_INT(cfg_set(st, "target_wait_s", "30", &e), FD_EINVAL);
    CHECK_INT(cfg_set(st, "lobby_notice", "", &e), FD_EINVAL);
    CHECK_INT(cfg_get_int(st, "voice_on"), 0);
    store_close(st);
    return check_summary();
}
