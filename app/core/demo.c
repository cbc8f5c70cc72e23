/* demo.c - loading the demo branch (demo.h). */
#include "demo.h"

#include "complaint.h"
#include "config.h"
#include "bday.h"
#include "embedded.h"
#include "queue.h"
#include "staff.h"
#include "visitor.h"

extern const struct fd_embedded_file fd_demo_data[];

int demo_load(struct fd_store *st, int64_t now, struct fd_err *err)
{
    static const char *const takes[] = {"A", "A", "B", "C", "A", "V", "B", "A", "C", "A"};
    struct queue_ticket t;
    int rc;
    sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM service");
    if (!s)
        return store_fail(st, err);
    rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    if (rc != 0)
        return rc < 0 ? store_fail(st, err)
                      : fd_fail(err, FD_EEXIST, "", "the database has services already");
    if (store_begin(st))
        return store_fail(st, err);
    if (sqlite3_exec(store_db(st), fd_demo_data[0].data, NULL, NULL, NULL) != SQLITE_OK) {
        rc = store_fail(st, err);
        store_rollback(st);
        return rc;
    }
    if (store_commit(st))
        return store_fail(st, err);
    /* Demo PINs (README): never use these on a real kiosk. */
    if ((rc = staff_add(st, "值班经理 Duty manager", "manager", "1234", now, NULL, err)) ||
        (rc = staff_add(st, "前台 Reception", "staff", "2580", now, NULL, err)))
        return rc;
    /* The demo's morning: the last half hour, but never before today's
     * business day began (a demo made just after the turnover is squeezed
     * into the minutes since, so it is all one day). T(x): x seconds into a
     * 30-minute morning. */
    char day[11];
    queue_bday(st, now, day);
    int64_t begin = now - 1800, start = bday_start(day, (int)cfg_get_int(st, "day_turnover_hour"));
    if (start > 0 && begin < start)
        begin = start < now ? start : now;
#define T(x) (begin + (now - begin) * (int64_t)(x) / 1800)
    for (size_t i = 0; i < sizeof takes / sizeof takes[0]; i++)
        if ((rc = queue_take(st, takes[i], takes[i][0] == 'V', T(i * 120), &t, err)))
            return rc;
    if ((rc = queue_call_next(st, 1, "demo", T(900), &t, err)) ||
        (rc = queue_serve(st, 1, "demo", T(960), &t, err)) ||
        (rc = queue_call_next(st, 1, "demo", T(1200), &t, err)) ||
        (rc = queue_call_next(st, 4, "demo", T(1300), &t, err)) ||
        (rc = queue_serve(st, 4, "demo", T(1320), &t, err)))
        return rc;
    struct visitor_in v1 = {.name = "周杰", .phone = "13812345678",
                            .company = "华信科技 Huaxin Tech", .host_name = "李娜",
                            .purpose = "季度对账 Quarterly review"};
    struct visitor_in v2 = {.name = "Oliver Brown", .phone = "+44 20 7946 0958",
                            .company = "Brown & Co", .host_name = "Emma Wilson",
                            .purpose = "Meeting"};
    if ((rc = visitor_sign_in(st, &v1, T(600), NULL, err)) ||
        (rc = visitor_sign_in(st, &v2, T(1500), NULL, err)))
        return rc;
    struct complaint_in c = {.category = "waiting",
                             .description = "等候时间太长，叫号屏幕没有显示我的号码。",
                             .contact_name = "陈先生", .contact_phone = "13900001111",
                             .consent = 1};
    return complaint_file(st, &c, T(1100), NULL, err);
#undef T
}
