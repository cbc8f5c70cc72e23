/* ctl.c - frontdesk-ctl, the operators' command-line tool. Operators script
 * it, so command names, options and JSON keys are an interface: add, never
 * rename. Each command is a row in `commands` below: its words, the options
 * it accepts, how many positional arguments, and the function that runs it.
 * All domain rules live in core; this file parses, calls and prints. */
#include <errno.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bday.h"
#include "complaint.h"
#include "config.h"
#include "ctl.h"
#include "demo.h"
#include "export.h"
#include "invite.h"
#include "journal.h"
#include "queue.h"
#include "queue_json.h"
#include "rating.h"
#include "report.h"
#include "retention.h"
#include "staff.h"
#include "visitor.h"
#ifdef FD_CTL_PRINT
#include "printq.h" /* sweep: receipts' retention */
#endif

#define DEFAULT_DB "/var/lib/frontdesk/frontdesk.db"

/* ---- shared helpers ---------------------------------------------------- */

const char *ctl_opt(const struct ctl *c, const char *name)
{
    for (int i = 0; i < c->nopt; i++)
        if (!strcmp(c->opt_name[i], name))
            return c->opt_val[i];
    return NULL;
}

int ctl_fail(const struct ctl *c, int code, const struct fd_err *err)
{
    const char *msg = err && err->msg[0] ? err->msg : fd_err_name(code);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", fd_err_name(code));
        if (err && err->field[0])
            cJSON_AddStringToObject(o, "field", err->field);
        cJSON_AddStringToObject(o, "message", msg);
        char *t = cJSON_PrintUnformatted(o);
        fprintf(stderr, "%s\n", t ? t : "{}");
        free(t);
        cJSON_Delete(o);
    } else {
        fprintf(stderr, "frontdesk-ctl: %s\n", msg);
    }
    return code == FD_EDB || code == FD_ECORRUPT || code == FD_ENEWER ? CTL_EDB
                                                                      : CTL_EFAIL;
}

int ctl_usage(const struct ctl *c, const char *fmt, ...)
{
    struct fd_err e = {.code = FD_EINVAL};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    ctl_fail(c, FD_EINVAL, &e);
    return CTL_EUSAGE;
}

void ctl_print_json(cJSON *obj)
{
    char *t = cJSON_PrintUnformatted(obj);
    printf("%s\n", t ? t : "{}");
    free(t);
    cJSON_Delete(obj);
}

/* Adds a Unix time as a number, or null when 0 (not yet). */
static void add_time(cJSON *o, const char *key, int64_t t)
{
    if (t)
        cJSON_AddNumberToObject(o, key, (double)t);
    else
        cJSON_AddNullToObject(o, key);
}

static const char *clock_str(int64_t t, char buf[20])
{
    time_t tt = (time_t)t;
    struct tm lt;
    if (!t)
        return "-";
    localtime_r(&tt, &lt);
    strftime(buf, 20, "%Y-%m-%d %H:%M", &lt);
    return buf;
}

static long parse_long(const char *s, long min, long max, int *ok)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    *ok = s && *s && !*end && !errno && v >= min && v <= max;
    return v;
}

/* Reports a record made by an add command: its id. */
static int print_added(const struct ctl *c, const char *what, int64_t id)
{
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)id);
        ctl_print_json(o);
    } else {
        printf("%s %lld added\n", what, (long long)id);
    }
    return 0;
}

/* ---- tickets and queue ------------------------------------------------- */


static void print_ticket(const struct ctl *c, const struct queue_ticket *t)
{
    if (c->json) {
        ctl_print_json(queue_ticket_json(t, QUEUE_JSON_FULL));
        return;
    }
    printf("%s  %s", t->label, t->state);
    if (t->counter)
        printf("  counter %d", t->counter);
    if (!strcmp(t->state, "waiting"))
        printf("  %d ahead, about %lld min", t->ahead,
               (long long)(t->est_wait_s + 59) / 60);
    if (t->recalls)
        printf("  recalled %d", t->recalls);
    printf("\n");
}

static int cmd_ticket_take(struct ctl *c)
{
    struct queue_ticket t;
    struct fd_err e = {0};
    int rc = queue_take(c->st, c->pos[0], ctl_opt(c, "priority") != NULL, c->now, &t, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    print_ticket(c, &t);
    return 0;
}

/* Finds a ticket by id (digits) or today's label. */
static int find_ticket(struct ctl *c, const char *key, struct queue_ticket *t,
                       struct fd_err *e)
{
    int ok;
    long id = parse_long(key, 1, 0x7fffffff, &ok);
    return ok ? queue_ticket_get(c->st, id, c->now, t, e)
              : queue_ticket_find(c->st, key, c->now, t, e);
}

static int cmd_ticket_show(struct ctl *c)
{
    struct queue_ticket t;
    struct fd_err e = {0};
    int rc = find_ticket(c, c->pos[0], &t, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    print_ticket(c, &t);
    return 0;
}

static int cmd_ticket_cancel(struct ctl *c)
{
    struct queue_ticket t;
    struct fd_err e = {0};
    int rc = find_ticket(c, c->pos[0], &t, &e);
    if (!rc)
        rc = queue_cancel(c->st, t.id, c->actor, c->now, &e);
    if (!rc)
        rc = queue_ticket_get(c->st, t.id, c->now, &t, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    print_ticket(c, &t);
    return 0;
}

static int cmd_queue(struct ctl *c)
{
    struct queue_ticket *v;
    struct fd_err e = {0};
    int n, rc = queue_waiting(c->st, c->npos ? c->pos[0] : NULL, c->now, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "waiting");
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(a, queue_ticket_json(&v[i], QUEUE_JSON_FULL));
        cJSON_AddNumberToObject(o, "count", n);
        ctl_print_json(o);
    } else {
        char b[20];
        printf("%d waiting\n", n);
        for (int i = 0; i < n; i++)
            printf("  %-6s %s%s  since %s\n", v[i].label, v[i].service,
                   v[i].priority ? " priority" : "", clock_str(v[i].issued_at, b));
    }
    free(v);
    return 0;
}

typedef int (*counter_fn)(struct fd_store *, int, const char *, int64_t,
                          struct queue_ticket *, struct fd_err *);

static int counter_cmd(struct ctl *c, counter_fn fn)
{
    struct queue_ticket t;
    struct fd_err e = {0};
    int ok, counter = (int)parse_long(c->pos[0], 1, 999, &ok);
    if (!ok)
        return ctl_usage(c, "COUNTER must be a counter number 1-999");
    int rc = fn(c->st, counter, c->actor, c->now, &t, &e);
    if (rc == FD_EEMPTY && t.id) { /* finished one, nobody next: both facts */
        print_ticket(c, &t);
        return ctl_fail(c, rc, &e);
    }
    if (rc)
        return ctl_fail(c, rc, &e);
    print_ticket(c, &t);
    return 0;
}

static int cmd_call(struct ctl *c) { return counter_cmd(c, queue_call_next); }
static int cmd_recall(struct ctl *c) { return counter_cmd(c, queue_recall); }
static int cmd_noshow(struct ctl *c) { return counter_cmd(c, queue_noshow); }
static int cmd_serve(struct ctl *c) { return counter_cmd(c, queue_serve); }
static int cmd_finish(struct ctl *c) { return counter_cmd(c, queue_finish); }

static int cmd_transfer(struct ctl *c)
{
    struct queue_ticket t;
    struct fd_err e = {0};
    int ok, counter = (int)parse_long(c->pos[0], 1, 999, &ok);
    if (!ok)
        return ctl_usage(c, "COUNTER must be a counter number 1-999");
    int rc = queue_transfer(c->st, counter, c->pos[1], c->actor, c->now, &t, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    print_ticket(c, &t);
    return 0;
}

/* ---- services and counters --------------------------------------------- */

/* Parses --hours HH:MM-HH:MM into minutes. */
static int parse_hours(const char *s, int *open, int *close)
{
    int a, b, x, y;
    char tail;
    if (!s)
        return 0;
    if (sscanf(s, "%d:%d-%d:%d%c", &a, &b, &x, &y, &tail) != 4 || a < 0 || a > 24 ||
        b < 0 || b > 59 || x < 0 || x > 24 || y < 0 || y > 59)
        return -1;
    *open = a * 60 + b, *close = x * 60 + y;
    return 0;
}

static int service_opts(struct ctl *c, struct queue_service *v)
{
    int ok;
    if (parse_hours(ctl_opt(c, "hours"), &v->open_min, &v->close_min))
        return ctl_usage(c, "--hours must look like 08:30-17:00");
    if (ctl_opt(c, "cap")) {
        v->daily_cap = (int)parse_long(ctl_opt(c, "cap"), 0, 9999, &ok);
        if (!ok)
            return ctl_usage(c, "--cap must be 0 (none) to 9999");
    }
    if (ctl_opt(c, "inactive"))
        v->active = 0;
    if (ctl_opt(c, "active"))
        v->active = 1;
    return 0;
}

static int cmd_service_add(struct ctl *c)
{
    struct queue_service v = {.active = 1, .open_min = 0, .close_min = 1440};
    struct fd_err e = {0};
    snprintf(v.code, sizeof v.code, "%.2s", c->pos[0]);
    if (strlen(c->pos[0]) > 2)
        v.code[0] = '?';
    snprintf(v.name_zh, sizeof v.name_zh, "%s", c->pos[1]);
    snprintf(v.name_en, sizeof v.name_en, "%s", c->pos[2]);
    if (strlen(c->pos[1]) >= sizeof v.name_zh || strlen(c->pos[2]) >= sizeof v.name_en)
        return ctl_usage(c, "service names are at most %d characters", QUEUE_NAME_MAX);
    int rc = service_opts(c, &v);
    if (rc)
        return rc;
    if ((rc = queue_service_add(c->st, &v, &e)))
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "service", v.code);
        ctl_print_json(o);
    } else {
        printf("service %s added\n", v.code);
    }
    return 0;
}

static int cmd_service_set(struct ctl *c)
{
    struct queue_service *list, v;
    struct fd_err e = {0};
    int n, rc = queue_service_list(c->st, c->now, &list, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    int found = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i].code, c->pos[0]))
            found = i;
    if (found < 0) {
        free(list);
        fd_fail(&e, FD_ENOTFOUND, "code", "no service %s", c->pos[0]);
        return ctl_fail(c, FD_ENOTFOUND, &e);
    }
    v = list[found];
    free(list);
    v.name_zh[0] = v.name_en[0] = '\0';
    if ((rc = service_opts(c, &v)))
        return rc;
    if ((rc = queue_service_update(c->st, &v, &e)))
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "service", v.code);
        ctl_print_json(o);
    } else {
        printf("service %s updated\n", v.code);
    }
    return 0;
}

static int cmd_service_list(struct ctl *c)
{
    struct queue_service *v;
    struct fd_err e = {0};
    int n, rc = queue_service_list(c->st, c->now, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "services");
        for (int i = 0; i < n; i++) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "code", v[i].code);
            cJSON_AddStringToObject(s, "name_zh", v[i].name_zh);
            cJSON_AddStringToObject(s, "name_en", v[i].name_en);
            cJSON_AddBoolToObject(s, "active", v[i].active);
            cJSON_AddBoolToObject(s, "open_now", v[i].open_now);
            cJSON_AddNumberToObject(s, "open_min", v[i].open_min);
            cJSON_AddNumberToObject(s, "close_min", v[i].close_min);
            cJSON_AddNumberToObject(s, "daily_cap", v[i].daily_cap);
            cJSON_AddNumberToObject(s, "waiting", v[i].waiting);
            cJSON_AddNumberToObject(s, "counters_open", v[i].counters_open);
            cJSON_AddNumberToObject(s, "estimated_wait_s", (double)v[i].est_wait_s);
            cJSON_AddItemToArray(a, s);
        }
        ctl_print_json(o);
    } else {
        for (int i = 0; i < n; i++)
            printf("%-2s %-12s %-22s %s %02d:%02d-%02d:%02d waiting %d, about %lld min\n",
                   v[i].code, v[i].name_zh, v[i].name_en,
                   v[i].open_now ? "open  " : "closed", v[i].open_min / 60,
                   v[i].open_min % 60, v[i].close_min / 60, v[i].close_min % 60,
                   v[i].waiting, (long long)(v[i].est_wait_s + 59) / 60);
    }
    free(v);
    return 0;
}

static int cmd_counter_add(struct ctl *c)
{
    struct fd_err e = {0};
    int ok, id = (int)parse_long(c->pos[0], 1, 999, &ok);
    if (!ok)
        return ctl_usage(c, "ID must be a counter number 1-999");
    int rc = queue_counter_add(c->st, id, c->pos[1], c->pos[2], &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "counter", id);
        ctl_print_json(o);
    } else {
        printf("counter %d added\n", id);
    }
    return 0;
}

static int counter_open_cmd(struct ctl *c, int open)
{
    struct fd_err e = {0};
    int ok, id = (int)parse_long(c->pos[0], 1, 999, &ok);
    if (!ok)
        return ctl_usage(c, "ID must be a counter number 1-999");
    int rc = queue_counter_set_open(c->st, id, open, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "counter", id);
        cJSON_AddBoolToObject(o, "open", open);
        ctl_print_json(o);
    } else {
        printf("counter %d %s\n", id, open ? "open" : "closed");
    }
    return 0;
}

static int cmd_counter_open(struct ctl *c) { return counter_open_cmd(c, 1); }
static int cmd_counter_close(struct ctl *c) { return counter_open_cmd(c, 0); }

static int cmd_counter_list(struct ctl *c)
{
    struct queue_counter *v;
    struct fd_err e = {0};
    int n, rc = queue_counter_list(c->st, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "counters");
        for (int i = 0; i < n; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddNumberToObject(x, "id", v[i].id);
            cJSON_AddStringToObject(x, "name", v[i].name);
            cJSON_AddBoolToObject(x, "open", v[i].open);
            cJSON_AddStringToObject(x, "services", v[i].services);
            if (v[i].ticket_id) {
                cJSON_AddStringToObject(x, "ticket", v[i].ticket);
                cJSON_AddStringToObject(x, "ticket_state", v[i].ticket_state);
            } else {
                cJSON_AddNullToObject(x, "ticket");
            }
            cJSON_AddItemToArray(a, x);
        }
        ctl_print_json(o);
    } else {
        for (int i = 0; i < n; i++)
            printf("%3d %-24s %-6s serves %-8s %s %s\n", v[i].id, v[i].name,
                   v[i].open ? "open" : "closed", v[i].services,
                   v[i].ticket_id ? v[i].ticket : "-", v[i].ticket_state);
    }
    free(v);
    return 0;
}

/* ---- visitors and hosts ------------------------------------------------ */

static cJSON *j_visitor(const struct visitor *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)v->id);
    cJSON_AddStringToObject(o, "badge", v->badge);
    cJSON_AddStringToObject(o, "bday", v->bday);
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "phone", v->phone);
    cJSON_AddStringToObject(o, "company", v->company);
    cJSON_AddStringToObject(o, "host", v->host_name);
    cJSON_AddStringToObject(o, "purpose", v->purpose);
    add_time(o, "signed_in_at", v->signed_in_at);
    add_time(o, "signed_out_at", v->signed_out_at);
    if (v->signout_how[0])
        cJSON_AddStringToObject(o, "signout_how", v->signout_how);
    return o;
}

static void print_visitor(const struct visitor *v)
{
    char a[20], b[20];
    printf("%s  %s  %s  %s → %s  in %s  out %s\n", v->badge, v->name, v->phone,
           v->company[0] ? v->company : "-", v->host_name, clock_str(v->signed_in_at, a),
           clock_str(v->signed_out_at, b));
}

static int cmd_visitor_in(struct ctl *c)
{
    struct visitor v;
    struct fd_err e = {0};
    struct visitor_in in = {.name = ctl_opt(c, "name"), .phone = ctl_opt(c, "phone"),
                            .company = ctl_opt(c, "company"),
                            .host_name = ctl_opt(c, "host"),
                            .purpose = ctl_opt(c, "purpose")};
    int rc = visitor_sign_in(c->st, &in, c->now, &v, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json)
        ctl_print_json(j_visitor(&v));
    else
        print_visitor(&v);
    return 0;
}

static int cmd_visitor_out(struct ctl *c)
{
    struct visitor v;
    struct fd_err e = {0};
    int rc = visitor_find(c->st, c->pos[0], c->now, &v, &e);
    if (!rc)
        rc = visitor_sign_out(c->st, v.id, ctl_opt(c, "self") ? "self" : "staff",
                              c->now, &e);
    if (!rc)
        rc = visitor_find(c->st, c->pos[0], c->now, &v, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json)
        ctl_print_json(j_visitor(&v));
    else
        print_visitor(&v);
    return 0;
}

static int cmd_visitor_list(struct ctl *c)
{
    struct visitor *v;
    struct fd_err e = {0};
    int n, all = ctl_opt(c, "all") || ctl_opt(c, "date");
    int rc = visitor_list(c->st, !all, ctl_opt(c, "date"), c->now, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "visitors");
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(a, j_visitor(&v[i]));
        cJSON_AddNumberToObject(o, "count", n);
        ctl_print_json(o);
    } else {
        printf("%d %s\n", n, all ? "visitors" : "visitors on site");
        for (int i = 0; i < n; i++)
            print_visitor(&v[i]);
    }
    free(v);
    return 0;
}

#ifdef FD_CTL_PRINT
/* visitor_erase_old's hook: the visitor's receipts go with their data. */
static int sweep_erase_jobs(void *ctx, sqlite3 *db, int64_t visitor_id)
{
    return printq_erase_ref(db, "visitor", visitor_id, *(const int64_t *)ctx) ? -1 : 0;
}
#endif

#ifndef FD_CTL_DELEGATE /* there frontdesk-ctl-full runs it */
/* The kiosk's housekeeping round (app/kiosk/kiosk_sweep.c runs the same
 * steps every minute): each in short write transactions. */
static int cmd_sweep(struct ctl *c)
{
    struct fd_err e = {0};
    int64_t now = c->now;
    int jobs_expired = 0, jobs_compacted = 0;
    int t = queue_expire(c->st, c->actor, now, &e);
    if (t < 0)
        return ctl_fail(c, t, &e);
    int v = visitor_sign_out_at_closing(c->st, now, &e);
    if (v < 0)
        return ctl_fail(c, v, &e);
#ifdef FD_CTL_PRINT
    int x = visitor_erase_old(c->st, now, sweep_erase_jobs, &now, &e);
#else
    int x = visitor_erase_old(c->st, now, NULL, NULL, &e);
#endif
    if (x < 0)
        return ctl_fail(c, x, &e);
    int inv = invite_erase_old(c->st, now, &e); /* past days' invitations */
    if (inv < 0)
        return ctl_fail(c, inv, &e);
    int alerts = retention_prune_alerts(c->st, now, &e); /* acknowledged deny alerts */
    if (alerts < 0)
        return ctl_fail(c, alerts, &e);
    int o = retention_trim_outbox(c->st, now, &e);
    if (o < 0)
        return ctl_fail(c, o, &e);
    int copies = retention_prune_copies(c->st, now);
    if (copies < 0) {
        fd_fail(&e, FD_EDB, "", "removing old restore/migration copies of the store");
        return ctl_fail(c, FD_EDB, &e);
    }
#ifdef FD_CTL_PRINT
    sqlite3 *db = store_db(c->st);
    jobs_expired = printq_expire(db, now, (int)cfg_get_int(c->st, "print_pending_max_s"));
    if (jobs_expired >= 0)
        jobs_compacted = printq_compact(db, now,
                                        printq_keep_s(cfg_get_int(c->st, "print_reprint_hours"),
                                                      cfg_get_int(c->st,
                                                                  "visitor_retention_days")));
    if (jobs_expired < 0 || jobs_compacted < 0) {
        fd_fail(&e, FD_EDB, "", "print jobs: %s", sqlite3_errmsg(db));
        return ctl_fail(c, FD_EDB, &e);
    }
#endif
    if (c->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "tickets_closed", t);
        cJSON_AddNumberToObject(j, "visitors_signed_out", v);
        cJSON_AddNumberToObject(j, "visitors_erased", x);
        cJSON_AddNumberToObject(j, "alerts_pruned", alerts);
        cJSON_AddNumberToObject(j, "outbox_dropped", o);
        cJSON_AddNumberToObject(j, "copies_removed", copies);
        cJSON_AddNumberToObject(j, "jobs_expired", jobs_expired);
        cJSON_AddNumberToObject(j, "jobs_compacted", jobs_compacted);
        ctl_print_json(j);
    } else {
        printf("%d tickets of earlier days closed, %d visitors signed out at closing,"
               " %d visitors' personal data erased after the retention period,"
               " %d outbox rows a standalone kiosk no longer keeps dropped,"
               " %d receipts expired unprinted, %d old receipts dropped,"
               " %d old restore/migration copies of the store removed\n",
               t, v, x, o, jobs_expired, jobs_compacted, copies);
    }
    return 0;
}
#endif

static int cmd_host_add(struct ctl *c)
{
    struct fd_err e = {0};
    int64_t id;
    int rc = host_add(c->st, c->pos[0], c->npos > 1 ? c->pos[1] : "", &id, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    return print_added(c, "host", id);
}

static int cmd_host_list(struct ctl *c)
{
    struct host *v;
    struct fd_err e = {0};
    int n, rc = host_search(c->st, c->npos ? c->pos[0] : NULL, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "hosts");
        for (int i = 0; i < n; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddNumberToObject(x, "id", (double)v[i].id);
            cJSON_AddStringToObject(x, "name", v[i].name);
            cJSON_AddStringToObject(x, "department", v[i].department);
            cJSON_AddItemToArray(a, x);
        }
        ctl_print_json(o);
    } else {
        for (int i = 0; i < n; i++)
            printf("%4lld  %-12s %s\n", (long long)v[i].id, v[i].name, v[i].department);
    }
    free(v);
    return 0;
}

/* ---- complaints -------------------------------------------------------- */

static cJSON *j_complaint(const struct complaint *x)
{
    char pretty[18];
    cJSON *o = cJSON_CreateObject();
    complaint_ref_format(x->ref, pretty);
    cJSON_AddNumberToObject(o, "id", (double)x->id);
    cJSON_AddStringToObject(o, "ref", x->ref);
    cJSON_AddStringToObject(o, "ref_display", pretty);
    cJSON_AddStringToObject(o, "category", x->category);
    cJSON_AddStringToObject(o, "description", x->description);
    cJSON_AddStringToObject(o, "contact_name", x->contact_name);
    cJSON_AddStringToObject(o, "contact_phone", x->contact_phone);
    cJSON_AddBoolToObject(o, "consent", x->consent);
    if (x->ticket_id)
        cJSON_AddNumberToObject(o, "ticket_id", (double)x->ticket_id);
    add_time(o, "received_at", x->received_at);
    add_time(o, "feedback_due", x->feedback_due);
    add_time(o, "updated_at", x->updated_at);
    cJSON_AddStringToObject(o, "state", x->state);
    if (x->severity[0])
        cJSON_AddStringToObject(o, "severity", x->severity);
    if (x->valid >= 0)
        cJSON_AddBoolToObject(o, "valid", x->valid);
    cJSON_AddStringToObject(o, "department", x->department);
    cJSON_AddStringToObject(o, "resolution", x->resolution);
    cJSON_AddStringToObject(o, "close_reason", x->close_reason);
    cJSON_AddStringToObject(o, "stat_category", x->stat_category);
    return o;
}

static void print_complaint(const struct complaint *x)
{
    char pretty[18], a[20], b[20];
    complaint_ref_format(x->ref, pretty);
    printf("%s  [%s]  category %s%s%s  received %s  feedback due %s\n  %s\n", pretty,
           x->state, x->category, x->severity[0] ? ", " : "", x->severity,
           clock_str(x->received_at, a), clock_str(x->feedback_due, b), x->description);
}

static int cmd_complaint_file(struct ctl *c)
{
    struct complaint *x = malloc(sizeof *x);
    struct fd_err e = {0};
    int ok = 1;
    long ticket = ctl_opt(c, "ticket") ? parse_long(ctl_opt(c, "ticket"), 1, 0x7fffffff, &ok) : 0;
    if (!x)
        return CTL_EDB;
    if (!ok) {
        free(x);
        return ctl_usage(c, "--ticket takes a ticket id");
    }
    struct complaint_in in = {.category = ctl_opt(c, "category"),
                              .description = ctl_opt(c, "description"),
                              .contact_name = ctl_opt(c, "name"),
                              .contact_phone = ctl_opt(c, "phone"),
                              .consent = ctl_opt(c, "consent") != NULL,
                              .ticket_id = ticket};
    int rc = complaint_file(c->st, &in, c->now, x, &e);
    if (rc) {
        free(x);
        return ctl_fail(c, rc, &e);
    }
    if (c->json)
        ctl_print_json(j_complaint(x));
    else
        print_complaint(x);
    free(x);
    return 0;
}

static int cmd_complaint_show(struct ctl *c)
{
    struct complaint *x = malloc(sizeof *x);
    struct fd_err e = {0};
    if (!x)
        return CTL_EDB;
    int rc = complaint_get(c->st, c->pos[0], x, &e);
    if (rc) {
        free(x);
        return ctl_fail(c, rc, &e);
    }
    if (c->json)
        ctl_print_json(j_complaint(x));
    else
        print_complaint(x);
    free(x);
    return 0;
}

static int cmd_complaint_list(struct ctl *c)
{
    struct complaint *v;
    struct fd_err e = {0};
    int n, rc = complaint_list(c->st, ctl_opt(c, "date"), c->now, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "complaints");
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(a, j_complaint(&v[i]));
        cJSON_AddNumberToObject(o, "count", n);
        ctl_print_json(o);
    } else {
        for (int i = 0; i < n; i++)
            print_complaint(&v[i]);
    }
    free(v);
    return 0;
}

static int cmd_complaint_advance(struct ctl *c)
{
    struct complaint *x;
    struct fd_err e = {0};
    /* Once enrolled, head office owns the workflow (DESIGN: one owner per
     * field): a local step would be overwritten by the next pull.
     * (cfg_enrolled: sync_status_get would count the whole outbox.) */
    if (cfg_enrolled(c->st)) {
        fd_fail(&e, FD_ESTATE, "ref",
                "this kiosk is enrolled at head office, which owns the complaint workflow:"
                " use frontdesk-hq complaint advance there");
        return ctl_fail(c, FD_ESTATE, &e);
    }
    x = malloc(sizeof *x);
    if (!x)
        return CTL_EDB;
    struct complaint_step p = {.to = c->pos[1], .actor = c->actor,
                               .severity = ctl_opt(c, "severity"),
                               .invalid = ctl_opt(c, "invalid") != NULL,
                               .department = ctl_opt(c, "department"),
                               .resolution = ctl_opt(c, "resolution"),
                               .close_reason = ctl_opt(c, "reason"),
                               .stat_category = ctl_opt(c, "category"),
                               .note = ctl_opt(c, "note")};
    int rc = complaint_advance(c->st, c->pos[0], &p, c->now, x, &e);
    if (rc) {
        free(x);
        return ctl_fail(c, rc, &e);
    }
    if (c->json)
        ctl_print_json(j_complaint(x));
    else
        print_complaint(x);
    free(x);
    return 0;
}

/* ---- ratings, handover, reports ---------------------------------------- */

static int cmd_rate(struct ctl *c)
{
    struct queue_ticket t;
    struct fd_err e = {0};
    int64_t id = 0;
    int offer = 0;
    int rc = find_ticket(c, c->pos[0], &t, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    int sv = rating_parse(ctl_opt(c, "service"));
    int at = ctl_opt(c, "attitude") ? rating_parse(ctl_opt(c, "attitude")) : sv;
    int re = ctl_opt(c, "result") ? rating_parse(ctl_opt(c, "result")) : sv;
    rc = rating_add(c->st, t.id, sv, at, re, ctl_opt(c, "comment"), c->now, &id,
                    &offer, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)id);
        cJSON_AddStringToObject(o, "ticket", t.label);
        cJSON_AddStringToObject(o, "service", rating_name(sv));
        cJSON_AddStringToObject(o, "attitude", rating_name(at));
        cJSON_AddStringToObject(o, "result", rating_name(re));
        cJSON_AddBoolToObject(o, "offer_complaint", offer);
        ctl_print_json(o);
    } else {
        printf("rating %lld for %s recorded%s\n", (long long)id, t.label,
               offer ? " (poor: offer the visitor a complaint)" : "");
    }
    return 0;
}

static int print_json_text(struct ctl *c, char *json)
{
    if (!json) {
        struct fd_err e = {0};
        store_fail(c->st, &e);
        return ctl_fail(c, FD_EDB, &e);
    }
    if (c->json) {
        printf("%s\n", json);
    } else {
        cJSON *o = cJSON_Parse(json);
        char *pretty = o ? cJSON_Print(o) : NULL;
        printf("%s\n", pretty ? pretty : json);
        free(pretty);
        cJSON_Delete(o);
    }
    free(json);
    return 0;
}

static int cmd_handover(struct ctl *c)
{
    struct fd_err e = {0};
    int64_t id;
    const char *staff = ctl_opt(c, "staff") ? ctl_opt(c, "staff") : c->actor;
    int rc = journal_handover(c->st, staff, ctl_opt(c, "note"), c->now, &id, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)id);
        char *open = journal_open_items(c->st, c->now);
        cJSON_AddItemToObject(o, "open", open ? cJSON_Parse(open) : cJSON_CreateNull());
        free(open);
        ctl_print_json(o);
        return 0;
    }
    printf("handover %lld recorded; still open:\n", (long long)id);
    return print_json_text(c, journal_open_items(c->st, c->now));
}

static int cmd_handover_list(struct ctl *c)
{
    return print_json_text(c, journal_handovers(c->st, 10));
}

/* Minutes of a JSON seconds field, or "-" when it is null (nothing yet). */
static const char *minutes(const cJSON *o, const char *key, char buf[16])
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    if (!cJSON_IsNumber(v))
        return "-";
    snprintf(buf, 16, "%.1fm", v->valuedouble / 60.0);
    return buf;
}

static int cmd_report_day(struct ctl *c)
{
    struct fd_err e = {0};
    char *json;
    int rc = report_day(c->st, c->npos ? c->pos[0] : NULL, c->now, &json, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    if (c->json)
        return print_json_text(c, json);
    cJSON *r = cJSON_Parse(json);
    free(json);
    if (!r)
        return CTL_EDB;
#define NUM(o, k) (cJSON_IsNumber(cJSON_GetObjectItem(o, k)) ? cJSON_GetObjectItem(o, k)->valuedouble : 0)
    printf("Day report %s\n\n", cJSON_GetStringValue(cJSON_GetObjectItem(r, "date")));
    printf("tickets %g: served %g, no-show %g (%.0f%%), cancelled %g\n", NUM(r, "tickets"),
           NUM(r, "served"), NUM(r, "noshow"), 100 * NUM(r, "noshow_rate"), NUM(r, "cancelled"));
    char m1[16], m2[16], m3[16];
    printf("wait: average %s, longest %s; service: average %s\n\n",
           minutes(r, "wait_avg_s", m1), minutes(r, "wait_max_s", m2),
           minutes(r, "service_avg_s", m3));
    printf("%-3s %-22s %7s %7s %7s %9s %9s %9s\n", "", "service", "tickets", "served",
           "no-show", "wait avg", "wait max", "svc avg");
    cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "by_service"))
        printf("%-3s %-22s %7g %7g %7g %9s %9s %9s\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(it, "code")),
               cJSON_GetStringValue(cJSON_GetObjectItem(it, "name_en")), NUM(it, "tickets"),
               NUM(it, "served"), NUM(it, "noshow"), minutes(it, "wait_avg_s", m1),
               minutes(it, "wait_max_s", m2), minutes(it, "service_avg_s", m3));
    printf("\nvisitors %g\ncomplaints %g (serious %g):", NUM(r, "visitors"),
           NUM(r, "complaints"), NUM(r, "complaints_serious"));
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "complaints_by_category"))
        printf(" %s %g", it->string, it->valuedouble);
    cJSON *sv = cJSON_GetObjectItem(r, "rating_service");
    printf("\nratings %g: excellent %g, good %g, fair %g, poor %g\n", NUM(r, "ratings"),
           NUM(sv, "excellent"), NUM(sv, "good"), NUM(sv, "fair"), NUM(sv, "poor"));
#undef NUM
    cJSON_Delete(r);
    return 0;
}

/* ---- staff ------------------------------------------------------------- */

/* `staff add NAME`: the PIN is read from standard input (one line), never
 * from the command line, where every user of the machine could see it. */
static int cmd_staff_add(struct ctl *c)
{
    char pin[64] = "";
    struct fd_err e = {0};
    int64_t id;
    if (!fgets(pin, sizeof pin, stdin)) {
        return ctl_usage(c, "give the PIN on standard input, e.g. echo 1234 | frontdesk-ctl"
                            " staff add NAME");
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    int rc = staff_add(c->st, c->pos[0], ctl_opt(c, "role"), pin, c->now, &id, &e);
    explicit_bzero(pin, sizeof pin);
    if (rc)
        return ctl_fail(c, rc, &e);
    return print_added(c, "staff", id);
}

static int cmd_staff_list(struct ctl *c)
{
    struct staff *v;
    struct fd_err e = {0};
    int n, rc = staff_list(c->st, &v, &n, &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "staff");
    for (int i = 0; i < n; i++) {
        if (!c->json) {
            printf("%4lld  %-24s %-8s%s\n", (long long)v[i].id, v[i].name, v[i].role,
                   v[i].locked_until > c->now ? "  locked" : "");
            continue;
        }
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "id", (double)v[i].id);
        cJSON_AddStringToObject(x, "name", v[i].name);
        cJSON_AddStringToObject(x, "role", v[i].role);
        cJSON_AddBoolToObject(x, "locked", v[i].locked_until > c->now);
        cJSON_AddItemToArray(a, x);
    }
    if (c->json)
        ctl_print_json(o);
    else
        cJSON_Delete(o);
    free(v);
    return 0;
}

/* ---- store administration ---------------------------------------------- */

static int cmd_init(struct ctl *c)
{
    struct fd_err e = {0};
    char id[64] = "";
    int rc;
    if (ctl_opt(c, "demo") && (rc = demo_load(c->st, c->now, &e)))
        return ctl_fail(c, rc, &e);
    store_meta_get(c->st, "device_id", id, sizeof id);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "db", c->db_path);
        cJSON_AddStringToObject(o, "device_id", id);
        cJSON_AddNumberToObject(o, "schema_version", store_schema_version());
        cJSON_AddBoolToObject(o, "demo", ctl_opt(c, "demo") != NULL);
        ctl_print_json(o);
    } else {
        printf("database %s ready (schema %d, device %s)%s\n", c->db_path,
               store_schema_version(), id, ctl_opt(c, "demo") ? " with demo data" : "");
    }
    return 0;
}

static int cmd_backup(struct ctl *c)
{
    char err[300];
    struct fd_err e = {0};
    int rc = store_backup(c->st, c->pos[0], err, sizeof err);
    if (rc) { /* FD_ECORRUPT: the store is damaged, the old backup kept */
        fd_fail(&e, rc, "", "%s", err);
        return ctl_fail(c, rc, &e);
    }
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "backup", c->pos[0]);
        ctl_print_json(o);
    } else {
        printf("backup written to %s\n", c->pos[0]);
    }
    return 0;
}

/* Runs without an open store: the database may be the damaged one. Refused
 * while the kiosk (or anything else) has the store open. */
static int cmd_restore(struct ctl *c)
{
    char err[300];
    struct fd_err e = {0};
    int rc = store_restore(c->pos[0], c->db_path,
                           ctl_opt(c, "force") ? STORE_RESTORE_FORCE : 0, err, sizeof err);
    if (rc) {
        fd_fail(&e, rc, "", "%s", err);
        return ctl_fail(c, rc, &e);
    }
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "restored", c->pos[0]);
        cJSON_AddStringToObject(o, "db", c->db_path);
        ctl_print_json(o);
    } else {
        printf("%s restored from %s (sync epoch raised)\n", c->db_path, c->pos[0]);
    }
    return 0;
}

static int cmd_export_csv(struct ctl *c)
{
    struct fd_err e = {0};
    int rc = export_csv(c->st, c->pos[0], stdout, &e);
    return rc ? ctl_fail(c, rc, &e) : 0;
}

static int cmd_config_get(struct ctl *c)
{
    char v[256];
    struct fd_err e = {0};
    if (cfg_get(c->st, c->pos[0], v, sizeof v)) {
        fd_fail(&e, FD_ENOTFOUND, "key", "unknown setting %s", c->pos[0]);
        return ctl_fail(c, FD_ENOTFOUND, &e);
    }
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, c->pos[0], v);
        ctl_print_json(o);
    } else {
        printf("%s\n", v);
    }
    return 0;
}

static int cmd_config_set(struct ctl *c)
{
    struct fd_err e = {0};
    int rc = cfg_set(c->st, c->pos[0], c->pos[1], &e);
    if (rc)
        return ctl_fail(c, rc, &e);
    return cmd_config_get(c);
}

static int cmd_config_list(struct ctl *c)
{
    char v[256];
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; cfg_key(i); i++) {
        cfg_get(c->st, cfg_key(i), v, sizeof v);
        if (c->json)
            cJSON_AddStringToObject(o, cfg_key(i), v);
        else
            printf("%-18s = %s\n", cfg_key(i), v);
    }
    if (c->json)
        ctl_print_json(o);
    else
        cJSON_Delete(o);
    return 0;
}

/* One screen for an operator: services, counters and the sync backlog. */
/* Sets *backlog to the outbox rows waiting to sync and *exact to 1, or to
 * an upper bound and 0 (retention_outbox_backlog: never reads the table). */
static void outbox_backlog(struct ctl *c, int64_t *backlog, int *exact)
{
    retention_outbox_backlog(store_db(c->st), backlog, exact);
}

static int cmd_status(struct ctl *c)
{
    int64_t backlog = 0;
    int exact = 1;
    char id[64] = "", epoch[16] = "";
    outbox_backlog(c, &backlog, &exact);
    store_meta_get(c->st, "device_id", id, sizeof id);
    store_meta_get(c->st, "epoch", epoch, sizeof epoch);
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "device_id", id);
        cJSON_AddNumberToObject(o, "epoch", atoi(epoch));
        cJSON_AddNumberToObject(o, "outbox_backlog", (double)backlog);
        cJSON_AddBoolToObject(o, "outbox_backlog_exact", exact);
        char day[11];
        queue_bday(c->st, c->now, day);
        cJSON_AddStringToObject(o, "bday", day);
        ctl_print_json(o);
        return 0;
    }
    printf("device %s, epoch %s, %s%lld records waiting to sync\n", id, epoch,
           exact ? "" : "up to ", (long long)backlog);
    int rc = cmd_service_list(c);
    return rc ? rc : cmd_counter_list(c);
}

/* ---- the command table ------------------------------------------------- */

#include "ctl_ext.h"

#ifdef FD_CTL_PRINT
int ctl_run_print(struct ctl *c)
{
    char words[64], *save = NULL;
    char *argv[CTL_MAX_ARGS * 3 + 4];
    int argc = 0;
    snprintf(words, sizeof words, "%s", c->words);
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    for (int i = 0; i < c->npos; i++)
        argv[argc++] = (char *)c->pos[i];
    for (int i = 0; i < c->nopt; i++) {
        static char opt[CTL_MAX_ARGS][40];
        snprintf(opt[i], sizeof opt[i], "--%s", c->opt_name[i]);
        argv[argc++] = opt[i];
        if (c->opt_val[i][0])
            argv[argc++] = (char *)c->opt_val[i];
    }
    argv[argc] = NULL;
    return ctl_print_main(argc, argv, c->st, c->json);
}
#endif

/* Options: "name" takes a value, "name!" is a flag. */
static const struct command {
    const char *words;   /* "ticket take" */
    const char *args;    /* usage of the positional arguments */
    int min_pos, max_pos;
    const char *opts;    /* space-separated accepted options */
    int (*run)(struct ctl *);
    int no_store;        /* the command opens the store itself, or needs none */
    const char *help;
} commands[] = {
    {"init", "", 0, 0, "demo!", cmd_init, 0, "create or migrate the database"},
    {"status", "", 0, 0, "", cmd_status, 0, "services, counters, sync backlog"},
    {"config get", "KEY", 1, 1, "", cmd_config_get, 0, "show a setting"},
    {"config set", "KEY VALUE", 2, 2, "", cmd_config_set, 0, "change a setting"},
    {"config list", "", 0, 0, "", cmd_config_list, 0, "show all settings"},
    {"service add", "CODE NAME_ZH NAME_EN", 3, 3, "hours cap inactive!", cmd_service_add,
     0, "add a service (--hours 08:30-17:00 --cap N)"},
    {"service set", "CODE", 1, 1, "hours cap inactive! active!", cmd_service_set, 0,
     "change hours, cap, active"},
    {"service list", "", 0, 0, "", cmd_service_list, 0, "services with waiting and wait"},
    {"counter add", "ID NAME CODES", 3, 3, "", cmd_counter_add, 0,
     "add a counter serving CODES (A,B)"},
    {"counter open", "ID", 1, 1, "", cmd_counter_open, 0, "counter is staffed"},
    {"counter close", "ID", 1, 1, "", cmd_counter_close, 0, "counter is unstaffed"},
    {"counter list", "", 0, 0, "", cmd_counter_list, 0, "counters and their tickets"},
    {"ticket take", "CODE", 1, 1, "priority!", cmd_ticket_take, 0, "issue a ticket"},
    {"ticket show", "ID|LABEL", 1, 1, "", cmd_ticket_show, 0, "show a ticket"},
    {"ticket cancel", "ID|LABEL", 1, 1, "", cmd_ticket_cancel, 0, "cancel a waiting ticket"},
    {"queue", "[CODE]", 0, 1, "", cmd_queue, 0, "waiting tickets in call order"},
    {"call", "COUNTER", 1, 1, "", cmd_call, 0, "call the next ticket"},
    {"recall", "COUNTER", 1, 1, "", cmd_recall, 0, "call the current ticket again"},
    {"noshow", "COUNTER", 1, 1, "", cmd_noshow, 0, "the called visitor did not come"},
    {"serve", "COUNTER", 1, 1, "", cmd_serve, 0, "the called visitor arrived"},
    {"finish", "COUNTER", 1, 1, "", cmd_finish, 0, "service finished"},
    {"transfer", "COUNTER CODE", 2, 2, "", cmd_transfer, 0, "send to another service"},
    {"visitor in", "", 0, 0, "name phone company host purpose", cmd_visitor_in, 0,
     "sign a visitor in"},
    {"visitor out", "BADGE|ID", 1, 1, "self!", cmd_visitor_out, 0, "sign a visitor out"},
    {"visitor list", "", 0, 0, "all! date", cmd_visitor_list, 0,
     "visitors on site (--all: today's, --date D)"},
#ifdef FD_CTL_DELEGATE /* the receipts' part of the round needs the print queue */
    {"sweep", "", 0, 0, "", ctl_delegate, 0,
#else
    {"sweep", "", 0, 0, "", cmd_sweep, 0,
#endif
     "close earlier days, sign visitors out at closing, erase old visitor data"},
    {"host add", "NAME [DEPARTMENT]", 1, 2, "", cmd_host_add, 0, "add to the host directory"},
    {"host list", "[QUERY]", 0, 1, "", cmd_host_list, 0, "search the host directory"},
    {"complaint file", "", 0, 0, "category description name phone consent! ticket",
     cmd_complaint_file, 0, "file a complaint"},
    {"complaint show", "REF", 1, 1, "", cmd_complaint_show, 0, "show a complaint"},
    {"complaint list", "", 0, 0, "date", cmd_complaint_list, 0,
     "open complaints (--date D: received that day)"},
    {"complaint advance", "REF STATE", 2, 2,
     "severity invalid! department resolution reason category note",
     cmd_complaint_advance, 0, "move along the workflow"},
    {"rate", "TICKET", 1, 1, "service attitude result comment", cmd_rate, 0,
     "rate a finished ticket (excellent|good|fair|poor)"},
    {"staff add", "NAME", 1, 1, "role", cmd_staff_add, 0,
     "add a staff member; PIN on stdin (--role staff|manager)"},
    {"staff list", "", 0, 0, "", cmd_staff_list, 0, "staff who may open the console"},
    {"handover", "", 0, 0, "staff note", cmd_handover, 0, "record a shift handover"},
    {"handover list", "", 0, 0, "", cmd_handover_list, 0, "recent handovers"},
    {"report day", "[DATE]", 0, 1, "", cmd_report_day, 0, "the day's figures"},
    {"backup", "PATH", 1, 1, "", cmd_backup, 0, "online backup to PATH"},
    {"restore", "BACKUP", 1, 1, "force!", cmd_restore, 1,
     "replace the database with a backup (kiosk stopped)"},
    {"export csv", "TABLE", 1, 1, "", cmd_export_csv, 0, "a table as CSV on stdout"},
    CTL_EXT_COMMANDS
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: frontdesk-ctl [--db PATH] [--json] [--actor NAME] COMMAND ...\n"
               "  --db defaults to $FRONTDESK_DB, else " DEFAULT_DB "\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char line[80];
        snprintf(line, sizeof line, "%s %s", commands[i].words, commands[i].args);
        fprintf(f, "  %-34s %s\n", line, commands[i].help);
    }
}

/* How many of argv's words match the command's words; 0 if not all do. */
static int match_words(const char *words, int argc, char **argv)
{
    char buf[64];
    int n = 0;
    snprintf(buf, sizeof buf, "%s", words);
    for (char *save, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (n >= argc || strcmp(argv[n], w))
            return 0;
        n++;
    }
    return n;
}

/* Is `name` among the command's options; sets *flag for "name!". */
static int accepts(const char *opts, const char *name, int *flag)
{
    size_t len = strlen(name);
    for (const char *p = opts; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int f = n && p[n - 1] == '!';
        if (n - f == len && !strncmp(p, name, len)) {
            *flag = f;
            return 1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

#ifdef FD_CTL_DELEGATE
/* Never called: main execs frontdesk-ctl-full for these commands before
 * parsing their options (ctl_ext.h). */
int ctl_delegate(struct ctl *c)
{
    (void)c;
    return CTL_EUSAGE;
}

/* Runs frontdesk-ctl-full with this program's argv: the one beside this
 * program (a build tree, or a package that installs both in one folder),
 * else the installed one. Returns only on failure (exit status 3). */
static int delegate_exec(char **argv)
{
    char self[4096], path[4200];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/frontdesk-ctl-full", self);
            execv(path, argv);
        }
    }
    execv(FD_CTL_FULL, argv);
    fprintf(stderr, "frontdesk-ctl: cannot run %s: %s\n", FD_CTL_FULL, strerror(errno));
    return CTL_EDB;
}
#endif

int main(int argc, char **argv)
{
    struct ctl c = {.actor = "ctl"};
    int i = 1, rc;
    const struct command *cmd = NULL;
    int best = 0;

    c.db_path = getenv("FRONTDESK_DB") ? getenv("FRONTDESK_DB") : DEFAULT_DB;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--json")) {
            c.json = 1;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            c.db_path = argv[++i];
        } else if (!strcmp(argv[i], "--actor") && i + 1 < argc) {
            c.actor = argv[++i];
        } else if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            return ctl_usage(&c, "unknown option %s (see --help)", argv[i]);
        }
    }
    for (size_t k = 0; k < NCOMMANDS; k++) {
        int n = match_words(commands[k].words, argc - i, argv + i);
        if (n > best)
            best = n, cmd = &commands[k];
    }
    if (!cmd) {
        usage(stderr);
        return CTL_EUSAGE;
    }
#ifdef FD_CTL_DELEGATE
    if (cmd->run == ctl_delegate)
        return delegate_exec(argv);
#endif
    for (i += best; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2) && argv[i][2]) {
            char *name = argv[i] + 2, *eq = strchr(name, '=');
            int flag = 0;
            if (eq)
                *eq = '\0';
            if (!accepts(cmd->opts, name, &flag))
                return ctl_usage(&c, "%s does not take --%s", cmd->words, name);
            if (c.nopt == CTL_MAX_ARGS)
                return ctl_usage(&c, "too many options");
            c.opt_name[c.nopt] = name;
            if (flag)
                c.opt_val[c.nopt] = "";
            else if (eq)
                c.opt_val[c.nopt] = eq + 1;
            else if (i + 1 < argc)
                c.opt_val[c.nopt] = argv[++i];
            else
                return ctl_usage(&c, "--%s needs a value", name);
            c.nopt++;
        } else {
            if (c.npos == CTL_MAX_ARGS)
                return ctl_usage(&c, "too many arguments");
            c.pos[c.npos++] = argv[i];
        }
    }
    if (c.npos < cmd->min_pos || c.npos > cmd->max_pos)
        return ctl_usage(&c, "usage: frontdesk-ctl %s %s", cmd->words, cmd->args);

    if (!cmd->no_store) {
        char err[400];
        struct fd_err e = {0};
        rc = store_open(c.db_path, &c.st, err, sizeof err);
        if (rc) {
            fd_fail(&e, rc, "", "%s", err);
            return ctl_fail(&c, rc, &e);
        }
        char tz[80];
        if (cfg_get(c.st, "timezone", tz, sizeof tz) == 0 && bday_set_zone(tz, &e)) {
            store_close(c.st);
            return ctl_fail(&c, FD_EINVAL, &e);
        }
    }
    c.now = bday_now();
    c.words = cmd->words;
    rc = cmd->run(&c);
    store_close(c.st);
    return rc;
}
