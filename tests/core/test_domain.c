/* test_domain.c - visitors, complaints and their workflow, ratings,
 * handover, the day report and CSV export; bad input writes nothing. */
#include "check.h"
#include "complaint.h"
#include "demo.h"
#include "export.h"
#include "journal.h"
#include "rating.h"
#include "report.h"
#include "testutil.h"
#include "visitor.h"

static long long rows(struct fd_store *st)
{
    return tu_int(st, "SELECT (SELECT count(*) FROM visitor) + (SELECT count(*) FROM"
                      " complaint) + (SELECT count(*) FROM rating) + (SELECT count(*)"
                      " FROM outbox)");
}

int main(void)
{
    struct fd_store *st = tu_open("domain.db");
    struct fd_err e = {0};
    struct visitor v;
    int64_t hid;
    tu_branch(st);

    /* ---- visitors ---- */
    CHECK_INT(host_add(st, "王晓明", "客户服务部", &hid, &e), 0);
    CHECK_INT(host_add(st, "", "x", NULL, &e), FD_EINVAL);
    struct visitor_in in = {.name = "张三", .phone = "138 1234 5678", .company = "华信",
                            .host_id = hid, .purpose = "面谈"};
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW, &v, &e), 0);
    CHECK_STR(v.badge, "V0001");
    CHECK_STR(v.phone, "13812345678");
    CHECK_STR(v.host_name, "王晓明");
    in.host_id = 0, in.host_name = "王晓明";
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW + 60, &v, &e), 0);
    CHECK_STR(v.badge, "V0002");
    /* bad input: each field named, nothing written */
    long long before = rows(st);
    struct visitor_in bad = in;
    bad.name = "";
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), FD_EINVAL);
    CHECK_STR(e.field, "name");
    bad = in, bad.name = "Robert'); DROP TABLE visitor;--";
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), 0); /* stored literally */
    CHECK_STR(v.name, "Robert'); DROP TABLE visitor;--");
    before = rows(st);
    bad = in, bad.phone = "call me";
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), FD_EINVAL);
    CHECK_STR(e.field, "phone");
    bad = in, bad.company = "\xff\xfe";
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), FD_EINVAL);
    CHECK_STR(e.field, "company");
    bad = in, bad.purpose = "a\x01";
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), FD_EINVAL);
    CHECK_STR(e.field, "purpose");
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    bad = in, bad.name = longname;
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), FD_EINVAL);
    bad = in, bad.host_name = "Nobody";
    CHECK_INT(visitor_sign_in(st, &bad, TU_NOW, &v, &e), FD_ENOTFOUND);
    CHECK_STR(e.field, "host");
    CHECK_INT(rows(st), before);
    /* sign out, twice */
    CHECK_INT(visitor_find(st, "V0001", TU_NOW, &v, &e), 0);
    CHECK_INT(visitor_sign_out(st, v.id, "staff", TU_NOW + 600, &e), 0);
    CHECK_INT(visitor_sign_out(st, v.id, "staff", TU_NOW + 600, &e), FD_ESTATE);
    CHECK_INT(visitor_sign_out(st, v.id, "magic", TU_NOW + 600, &e), FD_EINVAL);
    struct visitor *list;
    int n;
    CHECK_INT(visitor_list(st, 1, NULL, TU_NOW, &list, &n, &e), 0);
    CHECK_INT(n, 2);
    free(list);
    /* closing: 20:00 signs out everyone still on site */
    CHECK_INT(visitor_sign_out_at_closing(st, TU_NOW + 3600, &e), 0); /* 11:00 */
    CHECK_INT(visitor_sign_out_at_closing(st, TU_NOW + 10 * 3600 + 60, &e), 2); /* 20:01 */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE signout_how = 'closing'"), 2);
    /* someone let in after closing (21:00) is not signed out at once... */
    CHECK_INT(visitor_sign_in(st, &in, TU_NOW + 11 * 3600, &v, &e), 0); /* 21:00 */
    CHECK_INT(visitor_sign_out_at_closing(st, TU_NOW + 11 * 3600 + 60, &e), 0);
    /* ...and goes at the first sweep of the next business day */
    CHECK_INT(visitor_sign_out_at_closing(st, TU_NOW + 23 * 3600, &e), 1); /* 09:00 */
    struct host *hosts;
    CHECK_INT(host_search(st, "客户", &hosts, &n, &e), 0);
    CHECK_INT(n, 1);
    free(hosts);

    /* ---- complaints ---- */
    struct complaint *c = malloc(sizeof *c);
    struct complaint_in ci = {.category = "waiting", .description = "等了一个小时。\n没人理。",
                              .contact_name = "陈先生", .contact_phone = "13900001111",
                              .consent = 1};
    CHECK_INT(complaint_file(st, &ci, TU_NOW, c, &e), 0);
    CHECK_STR(c->state, "received");
    CHECK_INT(c->feedback_due - c->received_at, 24 * 3600);
    CHECK_INT(strlen(c->ref), 13);
    CHECK(!strncmp(c->ref, "261123001001", 12));
    char ref[14], pretty[18];
    snprintf(ref, sizeof ref, "%s", c->ref);
    complaint_ref_format(ref, pretty);
    CHECK_INT(strlen(pretty), 16);
    CHECK_INT(complaint_get(st, pretty, c, &e), 0); /* dashes are fine */
    /* every single-digit error and every neighbour swap is caught */
    int caught = 0, tried = 0;
    char norm[14];
    for (int i = 0; i < 13; i++) {
        for (char d = '0'; d <= '9'; d++) {
            char x[14];
            memcpy(x, ref, 14);
            if (x[i] == d)
                continue;
            x[i] = d;
            tried++;
            caught += complaint_ref_parse(x, norm) != 0;
        }
        if (i < 12 && ref[i] != ref[i + 1]) {
            char x[14];
            memcpy(x, ref, 14);
            x[i] = ref[i + 1], x[i + 1] = ref[i];
            tried++;
            caught += complaint_ref_parse(x, norm) != 0;
        }
    }
    CHECK_INT(caught, tried);
    CHECK_INT(complaint_get(st, "123", c, &e), FD_EINVAL);
    CHECK_INT(complaint_get(st, "abc", c, &e), FD_EINVAL);
    /* anonymous is fine; a contact without consent is not kept */
    struct complaint_in anon = {.category = "attitude", .description = "态度不好"};
    CHECK_INT(complaint_file(st, &anon, TU_NOW + 1, c, &e), 0);
    CHECK(!strncmp(c->ref, "261123001002", 12));
    CHECK_STR(c->contact_name, "");
    before = rows(st);
    struct complaint_in nocons = ci;
    nocons.consent = 0;
    CHECK_INT(complaint_file(st, &nocons, TU_NOW, c, &e), FD_EINVAL);
    CHECK_STR(e.field, "consent");
    struct complaint_in badc = ci;
    badc.category = "cats";
    CHECK_INT(complaint_file(st, &badc, TU_NOW, c, &e), FD_EINVAL);
    badc = ci, badc.description = "  ";
    CHECK_INT(complaint_file(st, &badc, TU_NOW, c, &e), FD_EINVAL);
    badc = ci, badc.contact_phone = "12";
    CHECK_INT(complaint_file(st, &badc, TU_NOW, c, &e), FD_EINVAL);
    badc = ci, badc.ticket_id = 99999;
    CHECK_INT(complaint_file(st, &badc, TU_NOW, c, &e), FD_ENOTFOUND);
    CHECK_INT(rows(st), before);
    /* the workflow, each step recorded with who and when */
    struct complaint_step p = {.to = "investigating", .actor = "li"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 100, c, &e), FD_ESTATE);
    p = (struct complaint_step){.to = "assessed", .actor = "li"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 100, c, &e), FD_EINVAL);
    CHECK_STR(e.field, "severity");
    p.severity = "serious";
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 100, c, &e), 0);
    CHECK_STR(c->state, "assessed");
    CHECK_INT(c->valid, 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM audit WHERE action = 'complaint_escalated'"), 1);
    p = (struct complaint_step){.to = "investigating", .actor = "li"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 200, c, &e), FD_EINVAL);
    p.department = "运营部";
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 200, c, &e), 0);
    p = (struct complaint_step){.to = "proposed", .actor = "li", .resolution = "道歉并增开窗口"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 300, c, &e), 0);
    p = (struct complaint_step){.to = "investigating", .actor = "li", .note = "客户不接受"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 400, c, &e), 0);
    p = (struct complaint_step){.to = "proposed", .actor = "li", .resolution = "补偿"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 500, c, &e), 0);
    p = (struct complaint_step){.to = "resolved", .actor = "li"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 600, c, &e), 0);
    p = (struct complaint_step){.to = "closed", .actor = "li"};
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 700, c, &e), FD_EINVAL);
    p.stat_category = "waiting";
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 700, c, &e), 0);
    CHECK_STR(c->state, "closed");
    CHECK_STR(c->resolution, "补偿");
    CHECK_INT(tu_int(st, "SELECT count(*) FROM complaint_event WHERE actor = 'li'"), 7);
    CHECK_INT(complaint_advance(st, ref, &p, TU_NOW + 800, c, &e), FD_ESTATE);
    /* an invalid complaint is closed at assessment with a reason */
    CHECK_INT(complaint_file(st, &anon, TU_NOW + 2, c, &e), 0);
    p = (struct complaint_step){.to = "closed", .actor = "li", .invalid = 1};
    CHECK_INT(complaint_advance(st, c->ref, &p, TU_NOW + 900, c, &e), FD_EINVAL);
    p.close_reason = "重复投诉";
    CHECK_INT(complaint_advance(st, c->ref, &p, TU_NOW + 900, c, &e), 0);
    CHECK_INT(c->valid, 0);
    struct complaint *cl;
    CHECK_INT(complaint_list(st, "2026-11-23", TU_NOW, &cl, &n, &e), 0);
    CHECK_INT(n, 3);
    free(cl);
    CHECK_INT(complaint_list(st, NULL, TU_NOW, &cl, &n, &e), 0);
    CHECK_INT(n, 1); /* open ones only */
    free(cl);

    /* ---- ratings ---- */
    struct queue_ticket t;
    int64_t rid;
    int offer;
    CHECK_INT(queue_take(st, "A", 0, TU_NOW, &t, &e), 0);
    CHECK_INT(rating_add(st, t.id, 1, 1, 1, "", TU_NOW, &rid, &offer, &e), FD_ESTATE);
    queue_call_next(st, 1, "x", TU_NOW + 10, &t, &e);
    queue_serve(st, 1, "x", TU_NOW + 20, &t, &e);
    queue_finish(st, 1, "x", TU_NOW + 320, &t, &e);
    struct rating_candidate *rc;
    CHECK_INT(rating_candidates(st, TU_NOW + 400, 1800, 12, &rc, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rc[0].label, t.label);
    free(rc);
    CHECK_INT(rating_candidates(st, TU_NOW + 4000, 1800, 12, &rc, &n, &e), 0);
    CHECK_INT(n, 0); /* too long ago */
    free(rc);
    /* by its number only (issue 17): served lately, any case, not twice */
    int64_t tid = 0;
    char lab[8], lower[128];
    CHECK_INT(rating_ticket(st, t.label, TU_NOW + 400, 1800, &tid, lab, &e), 0);
    CHECK_INT(tid, t.id);
    CHECK_STR(lab, t.label);
    snprintf(lower, sizeof lower, "%c %s", t.label[0] - 'A' + 'a', t.label + 1);
    CHECK_INT(rating_ticket(st, lower, TU_NOW + 400, 1800, &tid, lab, &e), 0);
    CHECK_INT(tid, t.id);
    CHECK_INT(rating_ticket(st, t.label, TU_NOW + 4000, 1800, &tid, lab, &e), FD_ENOTFOUND);
    CHECK_INT(rating_ticket(st, "A0'1", TU_NOW + 400, 1800, &tid, lab, &e), FD_EINVAL);
    CHECK_INT(rating_ticket(st, "", TU_NOW + 400, 1800, &tid, lab, &e), FD_EINVAL);
    CHECK_INT(rating_ticket(st, "Z999", TU_NOW + 400, 1800, &tid, lab, &e), FD_ENOTFOUND);
    /* by the code on its QR (issue 17): its day and number, a check digit */
    char code[RATING_CODE_MAX + 1], other[RATING_CODE_MAX + 1], day[11], lab2[8];
    CHECK_INT(rating_code_make(t.bday, t.label, code), 0);
    CHECK_INT(rating_code_parse(code, day, lab2), 0);
    CHECK_STR(day, t.bday);
    CHECK_STR(lab2, t.label);
    CHECK_INT(rating_ticket_code(st, code, TU_NOW + 400, 1800, &tid, lab, &e), 0);
    CHECK_INT(tid, t.id);
    CHECK_INT(rating_ticket_code(st, code, TU_NOW + 4000, 1800, &tid, lab, &e), FD_ENOTFOUND);
    snprintf(other, sizeof other, "%s", code);
    other[strlen(other) - 1] = (char)('0' + (other[strlen(other) - 1] - '0' + 1) % 10);
    CHECK_INT(rating_ticket_code(st, other, TU_NOW + 400, 1800, &tid, lab, &e), FD_EINVAL);
    CHECK_INT(rating_code_make("2026-11-22", t.label, other), 0); /* another day's */
    CHECK_INT(rating_ticket_code(st, other, TU_NOW + 400, 1800, &tid, lab, &e), FD_ENOTFOUND);
    CHECK_INT(rating_code_make("2026-11-23", "A0'1", other), FD_EINVAL);
    CHECK_INT(rating_code_make("2026-11-23", "001", other), FD_EINVAL);
    CHECK_INT(rating_code_parse("2611230018", day, lab2), FD_EINVAL); /* an invitation's */
    CHECK_INT(rating_code_parse("2611230010422", day, lab2), FD_EINVAL); /* a complaint's */
    CHECK_INT(rating_add(st, t.id, 5, 1, 1, "", TU_NOW, &rid, &offer, &e), FD_EINVAL);
    CHECK_INT(rating_add(st, t.id, 2, 4, 3, "柜员不耐烦", TU_NOW, &rid, &offer, &e), 0);
    CHECK_INT(offer, 1);
    CHECK_INT(rating_add(st, t.id, 1, 1, 1, "", TU_NOW, &rid, &offer, &e), FD_EEXIST);
    CHECK_INT(rating_ticket(st, t.label, TU_NOW + 400, 1800, &tid, lab, &e), FD_EEXIST);
    CHECK_INT(rating_ticket_code(st, code, TU_NOW + 400, 1800, &tid, lab, &e), FD_EEXIST);
    CHECK_INT(rating_candidates(st, TU_NOW + 400, 1800, 12, &rc, &n, &e), 0);
    CHECK_INT(n, 0); /* rated: no longer offered */
    free(rc);
    CHECK_INT(rating_parse("poor"), RATE_POOR);
    CHECK_INT(rating_parse("2"), RATE_GOOD);
    CHECK_INT(rating_parse("meh"), 0);
    /* the poor rating's complaint is linked to it */
    struct complaint_in linked = {.category = "attitude", .description = "见评价",
                                  .ticket_id = t.id};
    CHECK_INT(complaint_file(st, &linked, TU_NOW + 400, c, &e), 0);
    CHECK_INT(tu_int(st, "SELECT complaint_id FROM rating WHERE id = 1"), c->id);

    /* ---- handover, report, export ---- */
    int64_t hid2;
    CHECK_INT(journal_handover(st, "li", "打印机缺纸，已更换。", TU_NOW + 1000, &hid2, &e), 0);
    CHECK_INT(journal_handover(st, "li", "", TU_NOW, &hid2, &e), FD_EINVAL);
    CHECK_INT(tu_int(st, "SELECT json_extract(open_json, '$.complaints_open') FROM handover"), 2);
    char *json = NULL;
    CHECK_INT(report_day(st, "2026-11-23", TU_NOW, &json, &e), 0);
    CHECK(json && strstr(json, "\"complaints\":4") != NULL);
    CHECK(json && strstr(json, "\"served\":1") != NULL);
    CHECK(json && strstr(json, "\"poor\":0") != NULL);
    free(json);
    CHECK_INT(report_day(st, "2026-02-30", TU_NOW, &json, &e), FD_EINVAL);
    FILE *f = tmpfile();
    CHECK_INT(export_csv(st, "visitor", f, &e), 0);
    rewind(f);
    char buf[4096] = "";
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = 0;
    CHECK(strstr(buf, "id,bday,badge,name") == buf);
    CHECK(strstr(buf, "\"Robert'); DROP TABLE visitor;--\"") == NULL); /* no quotes needed */
    CHECK(strstr(buf, "Robert'); DROP TABLE visitor;--") != NULL);
    fclose(f);
    CHECK_INT(export_csv(st, "meta", stdout, &e), FD_EINVAL);
    CHECK_INT(export_csv(st, "visitor; DROP TABLE visitor", stdout, &e), FD_EINVAL);
    /* Retention: personal data goes N days after the visit, but on an
     * enrolled kiosk only once head office holds the record (the outbox row
     * was acknowledged); tests/core/test_retention.c has the standalone
     * kiosk and the batches. */
    CHECK_INT(cfg_set(st, "visitor_retention_days", "2", &e), 0);
    CHECK_INT(sqlite3_exec(store_db(st), "UPDATE sync_state SET hq_url = 'https://hq.test',"
                           " secret_key = 's1:00'", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(visitor_erase_old(st, TU_NOW + 9 * 86400, NULL, NULL, &e), 0); /* not yet sent */
    long long outbox_before = tu_int(st, "SELECT count(*) FROM outbox");
    sqlite3_exec(store_db(st), "DELETE FROM outbox WHERE type = 'visitor'", NULL, NULL, NULL);
    CHECK_INT(visitor_erase_old(st, TU_NOW + 2 * 86400, NULL, NULL, &e), 0); /* too recent */
    CHECK_INT(visitor_erase_old(st, TU_NOW + 9 * 86400, NULL, NULL, &e), 4);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM visitor WHERE name = '' AND phone = ''"
                         " AND erased_at IS NOT NULL AND badge <> '' AND host_name <> ''"), 4);
    CHECK(tu_int(st, "SELECT count(*) FROM outbox") < outbox_before); /* no row for erasing */
    CHECK_INT(visitor_erase_old(st, TU_NOW + 10 * 86400, NULL, NULL, &e), 0);    /* once */
    sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    {
        /* secure_delete: the erased name is nowhere in the file any more */
        FILE *f = fopen(tu_path("domain.db"), "rb");
        static char buf[1 << 20];
        size_t got = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        CHECK(got > 0);
        CHECK(memmem(buf, got, "DROP TABLE visitor", 18) == NULL);
    }
    CHECK_INT(cfg_set_by(st, "visitor_retention_days", "0", CFG_SRC_HQ, &e), 0);
    free(c);
    store_close(st);

    /* The demo branch can be made at any hour, even a minute after the
     * business day turned over (04:00 here): it is then all of today. */
    st = tu_open("demo.db");
    int64_t just_after = bday_start("2026-11-24", 4) + 60;
    CHECK_INT(demo_load(st, just_after, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(DISTINCT bday) FROM ticket"), 1);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket"), 10);
    CHECK_INT(demo_load(st, TU_NOW, &e), FD_EEXIST);
    store_close(st);
    st = tu_open("demo2.db");
    CHECK_INT(demo_load(st, TU_NOW, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket WHERE state = 'done'"), 1);
    store_close(st);
    return check_summary();
}
