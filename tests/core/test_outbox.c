/* test_outbox.c - every record change writes exactly one outbox row in the
 * same transaction, with the whole record; a change that fails writes none;
 * seq is never reused, even after rows are deleted (acknowledged). */
#include "check.h"
#include "complaint.h"
#include "testutil.h"
#include "visitor.h"

static long long outbox(struct fd_store *st, const char *type)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE type = '%s'", type);
    return tu_int(st, sql);
}

int main(void)
{
    struct fd_store *st = tu_open("outbox.db");
    struct queue_ticket t;
    struct fd_err e = {0};
    tu_branch(st);
    long long base = tu_int(st, "SELECT count(*) FROM outbox");

    CHECK_INT(queue_take(st, "A", 0, TU_NOW, &t, &e), 0);
    CHECK_INT(outbox(st, "ticket"), 1);
    CHECK_INT(tu_int(st, "SELECT json_extract(record, '$.label') = 'A001' AND"
                         " json_extract(record, '$.service') = 'A' AND"
                         " json_extract(record, '$.state') = 'waiting'"
                         " FROM outbox WHERE type = 'ticket'"), 1);
    CHECK_INT(queue_call_next(st, 1, "amy", TU_NOW + 5, &t, &e), 0);
    /* one ticket update + one event */
    CHECK_INT(outbox(st, "ticket"), 2);
    CHECK_INT(outbox(st, "ticket_event"), 1);
    CHECK_INT(tu_int(st, "SELECT json_extract(record, '$.counter') FROM outbox"
                         " WHERE type = 'ticket' ORDER BY seq DESC LIMIT 1"), 1);

    /* a refused change writes no outbox row */
    long long n = tu_int(st, "SELECT count(*) FROM outbox");
    CHECK_INT(queue_call_next(st, 1, "amy", TU_NOW + 6, &t, &e), FD_ESTATE);
    CHECK_INT(queue_take(st, "Z", 0, TU_NOW, &t, &e), FD_ENOTFOUND);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox"), n);

    /* a transaction rolled back takes its outbox rows with it */
    sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL);
    sqlite3_exec(store_db(st), "UPDATE ticket SET recalls = 9", NULL, NULL, NULL);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox"), n + 1);
    sqlite3_exec(store_db(st), "ROLLBACK", NULL, NULL, NULL);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox"), n);

    /* visitors, complaints, events carry the epoch and schema version */
    int64_t hid;
    host_add(st, "李娜", "", &hid, &e);
    struct visitor_in vi = {.name = "周杰", .phone = "13812345678", .host_id = hid};
    CHECK_INT(visitor_sign_in(st, &vi, TU_NOW, NULL, &e), 0);
    CHECK_INT(outbox(st, "visitor"), 1);
    struct complaint_in ci = {.category = "other", .description = "测试"};
    struct complaint c;
    CHECK_INT(complaint_file(st, &ci, TU_NOW, &c, &e), 0);
    struct complaint_step p = {.to = "assessed", .actor = "li", .severity = "ordinary"};
    CHECK_INT(complaint_advance(st, c.ref, &p, TU_NOW + 1, NULL, &e), 0);
    CHECK_INT(outbox(st, "complaint"), 2);
    CHECK_INT(outbox(st, "complaint_event"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE epoch <> 1 OR"
                         " schema_version <> 1"), 0);
    CHECK_INT(tu_int(st, "SELECT json_extract(record, '$.complaint') = (SELECT ref FROM"
                         " complaint) FROM outbox WHERE type = 'complaint_event'"), 1);

    /* acknowledged rows are deleted; seq is never handed out again */
    long long top = tu_int(st, "SELECT max(seq) FROM outbox");
    sqlite3_exec(store_db(st), "DELETE FROM outbox", NULL, NULL, NULL);
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 10, &t, &e), 0);
    CHECK_INT(tu_int(st, "SELECT min(seq) FROM outbox"), top + 1);
    CHECK(base >= 0);
    store_close(st);
    return check_summary();
}
