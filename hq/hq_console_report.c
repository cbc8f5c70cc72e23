/* hq_console_report.c - the console's reports: the day and month reports of
 * hq_report.c as JSON, CSV (hq_report_csv) or an Excel workbook written by
 * libxlsxwriter (a summary per branch, the services, and the monthly
 * complaint summary the manuals keep, 月度客户投诉汇总记录表: one row per
 * complaint received in the period, then the count per category), and the
 * branch comparison. A manager gets their branches only. */
#include "hq_console_int.h"
#include "hq_report.h"

#include <xlsxwriter.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XLSX_MAX (64u << 20) /* bytes of a workbook we send; more: 500 (never seen) */

/* The kiosk's complaint categories in Chinese (data/i18n/strings.tsv, cat.*),
 * for the spreadsheet the office files on paper. */
static const struct {
    const char *slug, *zh;
} cats[] = {
    {"service", "服务质量"},   {"attitude", "服务态度"}, {"waiting", "等候时间"},
    {"environment", "环境设施"}, {"fees", "收费问题"},  {"privacy", "信息安全"},
    {"other", "其他"},
};

static const char *cat_zh(const char *slug)
{
    for (size_t i = 0; slug && i < sizeof cats / sizeof cats[0]; i++)
        if (strcmp(cats[i].slug, slug) == 0)
            return cats[i].zh;
    return slug ? slug : "";
}

static const struct {
    const char *en, *zh;
} states_zh[] = {
    {"received", "已受理"},     {"assessed", "已判断"}, {"investigating", "调查中"},
    {"proposed", "已提处理方案"}, {"resolved", "已实施"}, {"followed_up", "已回访"},
    {"closed", "已结案"},
};

static const char *state_zh(const char *s)
{
    for (size_t i = 0; s && i < sizeof states_zh / sizeof states_zh[0]; i++)
        if (strcmp(states_zh[i].en, s) == 0)
            return states_zh[i].zh;
    return s ? s : "";
}

static const char *satisfaction_zh(const char *s)
{
    static const char *const en[] = {"excellent", "good", "fair", "poor"};
    static const char *const zh[] = {"优", "良", "中", "差"};
    for (int i = 0; s && i < 4; i++)
        if (strcmp(en[i], s) == 0)
            return zh[i];
    return "";
}

/* A number at a path of object keys (NULL-terminated), 0 when missing. */
static double at(const cJSON *o, ...)
{
    va_list ap;
    const char *k;
    va_start(ap, o);
    while (o && (k = va_arg(ap, const char *)))
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    va_end(ap);
    return cJSON_IsNumber(o) ? o->valuedouble : 0;
}

/* The branch the user may report on: the one asked for, or a manager's only
 * branch. Returns 0 with *branch (NULL = every branch); else answered. */
static int pick_branch(struct cx *x, const char **branch, enum MHD_Result *ret)
{
    const char *b = arg(x, "branch");
    *branch = b && *b ? b : NULL;
    if (*branch && !hq_user_may_branch(&x->u, *branch)) {
        *ret = ans_err(x, 403, "forbidden", "not your branch");
        return -1;
    }
    if (!*branch && strcmp(x->u.role, "manager") == 0) {
        if (x->u.nbranches != 1) {
            *ret = ans_err(x, 400, "bad_request", "choose one of your branches (branch=)");
            return -1;
        }
        *branch = x->u.branches[0];
    }
    return 0;
}

static int build(struct cx *x, const char *branch, cJSON **rep, enum MHD_Result *ret)
{
    const char *kind = arg(x, "kind"), *period = arg(x, "period");
    char err[512];
    int rc;
    if (!kind || !period) {
        *ret = ans_err(x, 400, "bad_request", "a report needs kind=day|month and period=");
        return -1;
    }
    rc = hq_report_build(x->s, kind, period, branch, rep, err, sizeof err);
    if (rc == HQ_OK)
        return 0;
    if (rc == HQ_E_INVALID) /* a period that is no real day or month: the page names it */
        *ret = ans_refused(x, 400, "invalid", "period", 0, "%s", err);
    else if (rc == HQ_E_NOTFOUND)
        *ret = ans_err(x, 404, "not_found", "%s", err);
    else
        *ret = ans_store(x, rc, "report");
    return -1;
}

/* ---- the workbook ---- */

struct book {
    lxw_workbook *wb;
    lxw_format *head, *title, *when, *pct;
};

/* Seconds east of UTC of a branch in the period: its first business day
 * starts at local midnight + the turnover hour (hq_report's "from"). A
 * clock change inside the month is not followed. */
static long long zone_offset(const cJSON *root, const cJSON *b)
{
    const cJSON *fd = cJSON_GetObjectItemCaseSensitive(root, "first_day");
    struct tm tm;
    int y, m, d;
    if (!cJSON_IsString(fd) || sscanf(fd->valuestring, "%d-%d-%d", &y, &m, &d) != 3)
        return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (long long)timegm(&tm) -
           ((long long)at(b, "from", NULL) - (long long)at(b, "day_turnover_hour", NULL) * 3600);
}

static void summary_sheet(struct book *k, const cJSON *rep)
{
    static const char *const head[] = {
        "分店 Branch",        "取号 Tickets",          "已办理 Served",     "过号 No-shows",
        "取消 Cancelled",     "平均等候(秒) Avg wait s", "访客 Visitors",    "投诉 Complaints",
        "严重 Serious",       "24小时内反馈 Feedback 24 h", "满意度得分 Rating score"};
    lxw_worksheet *ws = workbook_add_worksheet(k->wb, "汇总 Summary");
    const cJSON *b;
    int row = 2;
    char title[160];
    snprintf(title, sizeof title, "%s %s", cJSON_GetObjectItemCaseSensitive(rep, "kind")->valuestring,
             cJSON_GetObjectItemCaseSensitive(rep, "period")->valuestring);
    worksheet_write_string(ws, 0, 0, title, k->title);
    for (int c = 0; c < 11; c++)
        worksheet_write_string(ws, 1, (lxw_col_t)c, head[c], k->head);
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 10, 14, NULL);
    const cJSON *branches = cJSON_GetObjectItemCaseSensitive(rep, "branches");
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *list = pass == 0 ? branches : NULL;
        b = pass == 0 ? (list ? list->child : NULL)
                      : cJSON_GetObjectItemCaseSensitive(rep, "total");
        for (; b; b = pass == 0 ? b->next : NULL) {
            worksheet_write_string(ws, (lxw_row_t)row, 0, pass == 0 ? b->string : "合计 Total",
                                   pass ? k->head : NULL);
            double v[10] = {at(b, "tickets", "issued", NULL),
                            at(b, "tickets", "served", NULL),
                            at(b, "tickets", "no_show", NULL),
                            at(b, "tickets", "cancelled", NULL),
                            at(b, "tickets", "wait_s", "avg", NULL),
                            at(b, "visitors", "total", NULL),
                            at(b, "complaints", "total", NULL),
                            at(b, "complaints", "by_severity", "serious", NULL),
                            at(b, "complaints", "feedback_24h", NULL),
                            at(b, "ratings", "score", NULL)};
            for (int c = 0; c < 10; c++)
                worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)(c + 1), v[c], NULL);
            row++;
        }
    }
}

static void services_sheet(struct book *k, const cJSON *rep)
{
    static const char *const head[] = {"分店 Branch", "业务 Service", "取号 Tickets",
                                       "已办理 Served", "过号 No-shows",
                                       "平均等候(秒) Avg wait s"};
    lxw_worksheet *ws = workbook_add_worksheet(k->wb, "业务 Services");
    const cJSON *b, *svc;
    int row = 1;
    for (int c = 0; c < 6; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], k->head);
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 5, 14, NULL);
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(rep, "branches")) {
        cJSON_ArrayForEach(svc, cJSON_GetObjectItemCaseSensitive(b, "services")) {
            worksheet_write_string(ws, (lxw_row_t)row, 0, b->string, NULL);
            worksheet_write_string(ws, (lxw_row_t)row, 1, svc->string, NULL);
            worksheet_write_number(ws, (lxw_row_t)row, 2, at(svc, "tickets", "issued", NULL), NULL);
            worksheet_write_number(ws, (lxw_row_t)row, 3, at(svc, "tickets", "served", NULL), NULL);
            worksheet_write_number(ws, (lxw_row_t)row, 4, at(svc, "tickets", "no_show", NULL), NULL);
            worksheet_write_number(ws, (lxw_row_t)row, 5, at(svc, "tickets", "wait_s", "avg", NULL),
                                   NULL);
            row++;
        }
    }
}

/* The complaint summary's rows, per branch. */
struct cmp_sheet {
    struct book *k;
    lxw_worksheet *ws;
    int row, n;
    long long offset;           /* the branch's seconds east of UTC */
    long long by_cat[sizeof cats / sizeof cats[0] + 1];
};

enum { K_REF, K_BRANCH, K_RECV, K_CAT, K_DESC, K_SEV, K_VALID, K_DEPT, K_RES, K_SATIS,
       K_CLOSE, K_STAT, K_STATE, K_FIRST, K_CLOSED, K_DUE };

static void write_time(struct cmp_sheet *c, int col, const char *v)
{
    long long t = v ? atoll(v) : 0;
    if (t > 0)
        worksheet_write_unixtime(c->ws, (lxw_row_t)c->row, (lxw_col_t)col, t + c->offset,
                                 c->k->when);
    else
        worksheet_write_string(c->ws, (lxw_row_t)c->row, (lxw_col_t)col, "", NULL);
}

static int cmp_row(void *ctx, int ncol, const char *const *col)
{
    struct cmp_sheet *c = ctx;
    const char *sev = col[K_SEV];
    size_t i;
    (void)ncol;
    c->n++;
    worksheet_write_number(c->ws, (lxw_row_t)c->row, 0, c->n, NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 1, col[K_REF] ? col[K_REF] : "", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 2, col[K_BRANCH] ? col[K_BRANCH] : "", NULL);
    write_time(c, 3, col[K_RECV]);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 4, cat_zh(col[K_CAT]), NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 5, col[K_DESC] ? col[K_DESC] : "", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 6,
                           !sev ? "" : strcmp(sev, "serious") == 0 ? "严重" : "普通", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 7,
                           !col[K_VALID] ? "" : atoi(col[K_VALID]) ? "有效" : "无效", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 8, col[K_DEPT] ? col[K_DEPT] : "", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 9, col[K_RES] ? col[K_RES] : "", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 10, satisfaction_zh(col[K_SATIS]), NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 11, col[K_CLOSE] ? col[K_CLOSE] : "", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 12,
                           col[K_STAT] && *col[K_STAT] ? cat_zh(col[K_STAT]) : "", NULL);
    worksheet_write_string(c->ws, (lxw_row_t)c->row, 13, state_zh(col[K_STATE]), NULL);
    write_time(c, 14, col[K_CLOSED]);
    {
        long long first = col[K_FIRST] ? atoll(col[K_FIRST]) : 0;
        long long due = col[K_DUE] ? atoll(col[K_DUE]) : 0;
        worksheet_write_string(c->ws, (lxw_row_t)c->row, 15,
                               first > 0 && first <= due ? "是" : "否", NULL);
    }
    for (i = 0; i < sizeof cats / sizeof cats[0]; i++)
        if (col[K_CAT] && strcmp(cats[i].slug, col[K_CAT]) == 0)
            break;
    c->by_cat[i]++;
    c->row++;
    return 0;
}

static int complaint_sheet(struct cx *x, struct book *k, const cJSON *rep)
{
    static const char *const head[] = {
        "序号 No.",          "投诉编号 Reference",  "分店 Branch",         "受理时间 Received",
        "投诉类别 Category", "投诉内容 Description", "严重程度 Severity",    "是否有效 Valid",
        "责任部门 Department", "处理方案 Resolution", "回访满意度 Satisfaction",
        "回访结果 Follow-up", "统计分类 Statistics category", "状态 State",
        "结案时间 Closed",   "24小时内反馈 Feedback within 24 h"};
    struct cmp_sheet c;
    const cJSON *b;
    char title[200];
    int rc = HQ_OK;
    memset(&c, 0, sizeof c);
    c.k = k;
    c.ws = workbook_add_worksheet(k->wb, "月度客户投诉汇总记录表");
    snprintf(title, sizeof title, "月度客户投诉汇总记录表  Monthly complaint summary  %s",
             cJSON_GetObjectItemCaseSensitive(rep, "period")->valuestring);
    worksheet_merge_range(c.ws, 0, 0, 0, 15, title, k->title);
    for (int i = 0; i < 16; i++)
        worksheet_write_string(c.ws, 1, (lxw_col_t)i, head[i], k->head);
    worksheet_set_column(c.ws, 0, 0, 6, NULL);
    worksheet_set_column(c.ws, 1, 4, 18, NULL);
    worksheet_set_column(c.ws, 5, 5, 40, NULL);
    worksheet_set_column(c.ws, 6, 15, 14, NULL);
    c.row = 2;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(rep, "branches")) {
        struct hq_param p[3] = {{HQ_P_TEXT, 0, b->string},
                                {HQ_P_INT, (long long)at(b, "from", NULL), NULL},
                                {HQ_P_INT, (long long)at(b, "to", NULL), NULL}};
        c.offset = zone_offset(rep, b);
        rc = x->s->ops->sql(
            x->s,
            "SELECT c.ref, c.branch, c.received_at, c.category, c.description, c.severity,"
            " c.valid, c.department, c.resolution, c.satisfaction, c.close_reason,"
            " c.stat_category, c.state,"
            " coalesce((SELECT min(e.at) FROM complaint_event e WHERE e.complaint_id = c.id), 0),"
            " coalesce((SELECT max(e.at) FROM complaint_event e WHERE e.complaint_id = c.id"
            " AND e.to_state = 'closed'), 0), c.feedback_due"
            " FROM complaint c WHERE c.branch = $1 AND c.received_at >= $2"
            " AND c.received_at < $3 ORDER BY c.received_at, c.id",
            p, 3, cmp_row, &c, NULL);
        if (rc != HQ_OK)
            return rc;
    }
    c.row++;
    worksheet_write_string(c.ws, (lxw_row_t)c.row, 1, "投诉类别 Category", k->head);
    worksheet_write_string(c.ws, (lxw_row_t)c.row++, 2, "件数 Count", k->head);
    for (size_t i = 0; i <= sizeof cats / sizeof cats[0]; i++) {
        if (i == sizeof cats / sizeof cats[0] && c.by_cat[i] == 0)
            break;
        worksheet_write_string(c.ws, (lxw_row_t)c.row, 1,
                               i < sizeof cats / sizeof cats[0] ? cats[i].zh : "?", NULL);
        worksheet_write_number(c.ws, (lxw_row_t)c.row++, 2, (double)c.by_cat[i], NULL);
    }
    worksheet_write_string(c.ws, (lxw_row_t)c.row, 1, "合计 Total", k->head);
    worksheet_write_number(c.ws, (lxw_row_t)c.row, 2, c.n, k->head);
    return HQ_OK;
}

/* The workbook as bytes (malloc'd, *len) or NULL (the store's rc in *rc,
 * HQ_E_IO for the file). libxlsxwriter writes a file: a private temporary
 * one, removed at once. */
static char *workbook(struct cx *x, const cJSON *rep, size_t *len, int *rc)
{
    char path[] = "/tmp/fdhq-xlsx-XXXXXX";
    struct book k;
    struct stat st;
    char *buf = NULL;
    FILE *f;
    int fd = mkstemp(path);
    *rc = HQ_E_IO;
    if (fd < 0)
        return NULL;
    close(fd);
    memset(&k, 0, sizeof k);
    if (!(k.wb = workbook_new(path))) {
        unlink(path);
        return NULL;
    }
    k.head = workbook_add_format(k.wb);
    format_set_bold(k.head);
    format_set_text_wrap(k.head);
    k.title = workbook_add_format(k.wb);
    format_set_bold(k.title);
    format_set_font_size(k.title, 14);
    k.when = workbook_add_format(k.wb);
    format_set_num_format(k.when, "yyyy-mm-dd hh:mm");
    summary_sheet(&k, rep);
    services_sheet(&k, rep);
    *rc = complaint_sheet(x, &k, rep);
    if (workbook_close(k.wb) != LXW_NO_ERROR && *rc == HQ_OK)
        *rc = HQ_E_IO;
    if (*rc == HQ_OK && (f = fopen(path, "rb"))) {
        if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= XLSX_MAX &&
            (buf = malloc((size_t)st.st_size)) &&
            fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
            *len = (size_t)st.st_size;
        } else {
            free(buf);
            buf = NULL;
            *rc = HQ_E_IO;
        }
        fclose(f);
    }
    unlink(path);
    return buf;
}

enum MHD_Result report_get(struct cx *x)
{
    const char *branch, *format = arg(x, "format");
    enum MHD_Result ret;
    cJSON *rep = NULL;
    char name[96];
    if (format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return ans_err(x, 400, "bad_request", "format is json, csv or xlsx");
    if (pick_branch(x, &branch, &ret) != 0 || build(x, branch, &rep, &ret) != 0)
        return ret;
    snprintf(name, sizeof name, "report-%s", arg(x, "period"));
    for (char *p = name; *p; p++) /* a file name, whatever the period held */
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-'))
            *p = '_';
    if (format && strcmp(format, "csv") == 0) {
        char *csv = hq_report_csv(rep);
        cJSON_Delete(rep);
        if (!csv)
            return ans_err(x, 500, "internal", "out of memory");
        strcat(name, ".csv");
        ret = ans_file(x, csv, strlen(csv), "text/csv; charset=utf-8", name);
        free(csv);
        return ret;
    }
    if (format && strcmp(format, "xlsx") == 0) {
        size_t len = 0;
        int rc;
        char *data = workbook(x, rep, &len, &rc);
        cJSON_Delete(rep);
        if (!data) {
            if (rc != HQ_E_IO)
                return ans_store(x, rc, "report workbook");
            fprintf(stderr, "frontdesk-hq: console: the workbook could not be written\n");
            return ans_err(x, 500, "internal", "the workbook could not be written");
        }
        strcat(name, ".xlsx");
        ret = ans_file(x, data, len,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
        free(data);
        if (audit(x, "report.download", name, "") != HQ_OK)
            x->s->ops->rollback(x->s);
        return ret;
    }
    return ans_json(x, 200, rep);
}

enum MHD_Result report_compare(struct cx *x)
{
    enum MHD_Result ret;
    cJSON *rep = NULL, *o, *arr;
    const cJSON *b;
    if (build(x, NULL, &rep, &ret) != 0)
        return ret;
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "kind",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rep, "kind"), 1));
    cJSON_AddItemToObject(o, "period",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rep, "period"), 1));
    arr = cJSON_AddArrayToObject(o, "branches");
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(rep, "branches")) {
        cJSON *e;
        if (!hq_user_may_branch(&x->u, b->string))
            continue;
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "branch", b->string);
        cJSON_AddNumberToObject(e, "tickets", at(b, "tickets", "issued", NULL));
        cJSON_AddNumberToObject(e, "served", at(b, "tickets", "served", NULL));
        cJSON_AddNumberToObject(e, "no_show", at(b, "tickets", "no_show", NULL));
        cJSON_AddNumberToObject(e, "avg_wait_s", at(b, "tickets", "wait_s", "avg", NULL));
        cJSON_AddNumberToObject(e, "visitors", at(b, "visitors", "total", NULL));
        cJSON_AddNumberToObject(e, "complaints", at(b, "complaints", "total", NULL));
        cJSON_AddNumberToObject(e, "serious", at(b, "complaints", "by_severity", "serious", NULL));
        cJSON_AddNumberToObject(e, "feedback_24h_rate",
                                at(b, "complaints", "feedback_24h_share", NULL));
        cJSON_AddNumberToObject(e, "rating_score", at(b, "ratings", "score", NULL));
        cJSON_AddItemToArray(arr, e);
    }
    cJSON_Delete(rep);
    return ans_json(x, 200, o);
}
