/* hq_main.c - the frontdesk-hq command line: serve, enroll-token, stats,
 * complaint list|show|advance, config set, revoke, records, fleet, purge,
 * person find|export|erase, setting get|set, archive, invite add|list|cancel
 * (hq_invite.c), deny add|list|remove. Options may come
 * before or after the command (`frontdesk-hq --db hq.sqlite stats --json`).
 * Everything but `serve` opens the store, does one thing and exits. */
#include "hq_complaint.h"
#include "hq_deny.h"
#include "hq_health.h"
#include "hq_notify.h"
#include "hq_invite.h"
#include "hq_person.h"
#include "hq_report.h"
#include "hq_server.h"
#include "hq_state.h"
#include "hq_store.h"
#include "hq_user.h"
#include "sync_wire.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARGS_MAX 64

/* Options seen anywhere on the line; positional words go to pos[]. */
struct args {
    const char *db, *listen, *tls_cert, *tls_key, *admin_token_file, *branch, *state, *to, *severity, *department,
        *resolution, *close_reason, *stat_category, *actor, *note, *phone, *by, *reason,
        *before, *satisfaction, *role, *metrics_token_file, *name;
    const char *notify, *notify_kind; /* host add|set (hq_notify.c) */
    int failed;                       /* notify list --failed */
    const char *branches[ARGS_MAX]; /* --branch may repeat (user add) */
    int nbranches;
    int json, csv, drop;
    long long threads, max_inflight, valid, limit, ttl, epoch, per_ip_limit;
    const char *pos[ARGS_MAX];
    int npos;
};

/* Options that take a text value: where it goes. */
static const struct {
    const char *name;
    size_t off;               /* offsetof a const char * field */
} str_opts[] = {
    {"--db", offsetof(struct args, db)},
    {"--listen", offsetof(struct args, listen)},
    {"--tls-cert", offsetof(struct args, tls_cert)},
    {"--tls-key", offsetof(struct args, tls_key)},
    {"--admin-token-file", offsetof(struct args, admin_token_file)},
    {"--metrics-token-file", offsetof(struct args, metrics_token_file)},
    {"--branch", offsetof(struct args, branch)},
    {"--state", offsetof(struct args, state)},
    {"--to", offsetof(struct args, to)},
    {"--severity", offsetof(struct args, severity)},
    {"--department", offsetof(struct args, department)},
    {"--resolution", offsetof(struct args, resolution)},
    {"--close-reason", offsetof(struct args, close_reason)},
    {"--stat-category", offsetof(struct args, stat_category)},
    {"--actor", offsetof(struct args, actor)},
    {"--note", offsetof(struct args, note)},
    {"--phone", offsetof(struct args, phone)},
    {"--by", offsetof(struct args, by)},
    {"--reason", offsetof(struct args, reason)},
    {"--before", offsetof(struct args, before)},
    {"--satisfaction", offsetof(struct args, satisfaction)},
    {"--role", offsetof(struct args, role)},
    {"--notify", offsetof(struct args, notify)},
    {"--notify-kind", offsetof(struct args, notify_kind)},
    {"--name", offsetof(struct args, name)},
};

/* Options that take a whole number, with its range. */
static const struct {
    const char *name;
    size_t off;               /* offsetof a long long field */
    long long min, max;
} num_opts[] = {
    {"--threads", offsetof(struct args, threads), 1, 64},
    {"--max-inflight", offsetof(struct args, max_inflight), 1, 10000},
    {"--per-ip-limit", offsetof(struct args, per_ip_limit), 0, 10000},
    {"--valid", offsetof(struct args, valid), 0, 1},
    {"--limit", offsetof(struct args, limit), 1, 100000},
    {"--ttl", offsetof(struct args, ttl), 60, 365LL * 86400},
    {"--epoch", offsetof(struct args, epoch), 0, 1LL << 40},
};

static void usage(void)
{
    fputs("usage: frontdesk-hq serve --db DB --listen ADDR:PORT [--tls-cert F --tls-key F]\n"
          "                          [--threads N] [--max-inflight N] [--admin-token-file F]\n"
          "                          [--per-ip-limit N (0 = off, behind a proxy)]\n"
          "                          [--metrics-token-file F]\n"
          "       frontdesk-hq --db DB enroll-token --branch NAME [--ttl SECONDS]\n"
          "       frontdesk-hq --db DB stats [--json]\n"
          "       frontdesk-hq --db DB complaint list [--state S] [--branch B] [--json]\n"
          "       frontdesk-hq --db DB complaint show ID [--json]\n"
          "       frontdesk-hq --db DB complaint advance ID --to STATE [--severity ordinary|serious]\n"
          "           [--valid 0|1] [--department D] [--resolution R] [--close-reason R]\n"
          "           [--stat-category C] [--satisfaction excellent|good|fair|poor]\n"
          "           [--actor WHO] [--note TEXT]\n"
          "       frontdesk-hq --db DB config set [--branch B] KEY JSON-VALUE\n"
          "       frontdesk-hq --db DB revoke DEVICE_ID\n"
          "       frontdesk-hq --db DB records DEVICE_ID [--epoch E]   (JSON lines)\n"
          "       frontdesk-hq --db DB rebuild        (replays the log into the state tables)\n"
          "       frontdesk-hq --db DB report day YYYY-MM-DD | month YYYY-MM [--branch B]\n"
          "           [--json | --csv]\n"
          "       frontdesk-hq --db DB state TABLE [DEVICE_ID]   (JSON lines)\n"
          "       frontdesk-hq --db DB fleet [--branch B] [--json]\n"
          "       frontdesk-hq --db DB purge [--json]\n"
          "       frontdesk-hq --db DB person find|export|erase --phone P --by NAME --reason TEXT\n"
          "       frontdesk-hq --db DB setting get|set personal_data_days [DAYS]\n"
          "       frontdesk-hq --db DB archive --before YYYY-MM [--drop]\n"
          "       frontdesk-hq --db DB user add NAME --role admin|officer|manager [--branch B]...\n"
          "           (the password on standard input)\n"
          "       frontdesk-hq --db DB user list [--json] | disable NAME | enable NAME |"
          " passwd NAME\n"
          "       frontdesk-hq --db DB host add|set NAME [--branch B] [--department D]\n"
          "           [--notify URL|mailto:ADDR|none [--notify-kind wecom|dingtalk|feishu]]\n"
          "       frontdesk-hq --db DB host list [--branch B] [--json]\n"
          "       frontdesk-hq --db DB notify list [--failed] [--json] [--limit N]\n"
          "       frontdesk-hq --db DB setting get|set smtp_url|smtp_from|notify_lease_s"
          "|notify_keep_days [VALUE]\n"
          "       frontdesk-hq --db DB deny add [--name N] [--phone P] --reason TEXT --by WHO\n"
          "           [--branch B]   (kept as keyed hashes only)\n"
          "       frontdesk-hq --db DB deny list [--json] | remove ID --by WHO --reason TEXT\n"
          "DB is a SQLite file or postgresql://...\n",
          stderr);
}

static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->valid = -1;
    a->limit = 100;
    a->ttl = 7 * 86400;
    a->per_ip_limit = -1; /* not given: the server's default */
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        int done = 0;
        for (size_t k = 0; k < sizeof str_opts / sizeof str_opts[0] && !done; k++)
            if (strcmp(w, str_opts[k].name) == 0) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "frontdesk-hq: %s needs a value\n", w);
                    return -1;
                }
                *(const char **)((char *)a + str_opts[k].off) = argv[++i];
                if (str_opts[k].off == offsetof(struct args, branch) && a->nbranches < ARGS_MAX)
                    a->branches[a->nbranches++] = argv[i];
                done = 1;
            }
        for (size_t k = 0; k < sizeof num_opts / sizeof num_opts[0] && !done; k++)
            if (strcmp(w, num_opts[k].name) == 0) {
                char *end = NULL;
                long long v = i + 1 < argc ? strtoll(argv[i + 1], &end, 10) : 0;
                if (i + 1 >= argc || !end || *end || end == argv[i + 1] ||
                    v < num_opts[k].min || v > num_opts[k].max) {
                    fprintf(stderr, "frontdesk-hq: %s wants a whole number from %lld to %lld\n",
                            w, num_opts[k].min, num_opts[k].max);
                    return -1;
                }
                *(long long *)((char *)a + num_opts[k].off) = v;
                i++;
                done = 1;
            }
        if (done)
            continue;
        if (strcmp(w, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(w, "--csv") == 0) {
            a->csv = 1;
        } else if (strcmp(w, "--drop") == 0) {
            a->drop = 1;
        } else if (strcmp(w, "--failed") == 0) {
            a->failed = 1;
        } else if (w[0] == '-' && w[1] == '-') {
            fprintf(stderr, "frontdesk-hq: unknown option %s\n", w);
            return -1;
        } else if (a->npos < ARGS_MAX) {
            a->pos[a->npos++] = w;
        }
    }
    return 0;
}

static struct hq_store *open_store(const struct args *a)
{
    struct hq_store *s = NULL;
    char err[512];
    if (!a->db) {
        fprintf(stderr, "frontdesk-hq: --db is required\n");
        return NULL;
    }
    if (hq_store_open(a->db, &s, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", err);
        return NULL;
    }
    return s;
}

static int cmd_enroll_token(struct hq_store *s, const struct args *a)
{
    unsigned char raw[20], hash[HQ_HASH_BYTES];
    char token[41];
    long long now = (long long)time(NULL);
    int rc;
    if (!a->branch || !*a->branch || strlen(a->branch) > HQ_BRANCH_MAX) {
        fprintf(stderr, "frontdesk-hq: enroll-token needs --branch NAME (1..%d bytes)\n",
                HQ_BRANCH_MAX);
        return 2;
    }
    randombytes_buf(raw, sizeof raw);
    sync_hex(raw, sizeof raw, token);
    sodium_memzero(raw, sizeof raw);
    crypto_generichash(hash, sizeof hash, (const unsigned char *)token, strlen(token), NULL, 0);
    rc = s->ops->token_create(s, hash, a->branch, now, now + (a->ttl > 0 ? a->ttl : 86400));
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    printf("%s\n", token);
    sodium_memzero(token, sizeof token);
    return 0;
}

/* stats --json: {"branches":{NAME:{"devices":[...],"records":{type:n},"quarantined":n,
 * "last_push":t}}} */
struct stats_ctx {
    cJSON *branches;
    int json;
};

static cJSON *branch_obj(struct stats_ctx *c, const char *name)
{
    cJSON *b = cJSON_GetObjectItemCaseSensitive(c->branches, name);
    if (!b) {
        b = cJSON_AddObjectToObject(c->branches, name);
        cJSON_AddArrayToObject(b, "devices");
        cJSON_AddObjectToObject(b, "records");
        cJSON_AddNumberToObject(b, "quarantined", 0);
        cJSON_AddNumberToObject(b, "last_push", 0);
    }
    return b;
}

static int stats_dev(void *ctx, const struct hq_dev_stat *d)
{
    cJSON *b = branch_obj(ctx, d->branch), *o = cJSON_CreateObject();
    cJSON *q = cJSON_GetObjectItemCaseSensitive(b, "quarantined");
    cJSON *lp = cJSON_GetObjectItemCaseSensitive(b, "last_push");
    cJSON_AddStringToObject(o, "device_id", d->device_id);
    cJSON_AddNumberToObject(o, "last_push", (double)d->last_push);
    cJSON_AddNumberToObject(o, "backlog", (double)d->backlog);
    cJSON_AddNumberToObject(o, "quarantined", (double)d->quarantined);
    cJSON_AddBoolToObject(o, "revoked", d->revoked_at != 0);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(b, "devices"), o);
    cJSON_SetNumberValue(q, q->valuedouble + (double)d->quarantined);
    if ((double)d->last_push > lp->valuedouble)
        cJSON_SetNumberValue(lp, (double)d->last_push);
    return 0;
}

static int stats_type(void *ctx, const struct hq_type_stat *t)
{
    cJSON *b = branch_obj(ctx, t->branch);
    cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(b, "records"), t->type,
                            (double)t->records);
    return 0;
}

static int cmd_stats(struct hq_store *s, const struct args *a)
{
    struct stats_ctx c = {cJSON_CreateObject(), a->json};
    cJSON *root = cJSON_CreateObject(), *it;
    char *txt;
    int rc;
    cJSON_AddItemToObject(root, "branches", c.branches);
    rc = s->ops->stats(s, stats_dev, stats_type, &c);
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        cJSON_Delete(root);
        return 1;
    }
    if (a->json) {
        txt = cJSON_Print(root);
        printf("%s\n", txt);
        cJSON_free(txt);
    } else {
        cJSON_ArrayForEach(it, c.branches) {
            cJSON *r;
            printf("%s: %d device(s), quarantined %d, last push %.0f\n", it->string,
                   cJSON_GetArraySize(cJSON_GetObjectItem(it, "devices")),
                   (int)cJSON_GetObjectItem(it, "quarantined")->valuedouble,
                   cJSON_GetObjectItem(it, "last_push")->valuedouble);
            cJSON_ArrayForEach(r, cJSON_GetObjectItem(it, "records"))
                printf("  %-16s %.0f\n", r->string, r->valuedouble);
        }
    }
    cJSON_Delete(root);
    return 0;
}

static int print_complaint(void *ctx, const struct hq_complaint *c)
{
    const struct args *a = ctx;
    if (a->json) {
        cJSON *o = hq_complaint_json(c);
        char *t = cJSON_PrintUnformatted(o);
        printf("%s\n", t);
        cJSON_free(t);
        cJSON_Delete(o);
    } else {
        printf("%-6lld %-14s %-20s %-13s %s\n", c->id, c->ref, c->branch, c->state,
               c->category);
    }
    return 0;
}

static int cmd_complaint(struct hq_store *s, const struct args *a)
{
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    char err[512];
    int rc;
    if (strcmp(sub, "list") == 0) {
        rc = s->ops->complaint_list(s, a->state, a->branch, (int)a->limit, print_complaint,
                                    (void *)a);
    } else if ((strcmp(sub, "show") == 0 || strcmp(sub, "advance") == 0) && a->npos > 2) {
        long long id = atoll(a->pos[2]);
        if (strcmp(sub, "advance") == 0) {
            struct hq_advance adv = {a->to, a->severity, (int)a->valid, a->department,
                                     a->resolution, a->close_reason, a->stat_category,
                                     a->actor ? a->actor : "hq", a->note};
            rc = hq_complaint_advance_s(s, id, &adv, a->satisfaction, (long long)time(NULL), err,
                                        sizeof err, NULL);
            if (rc != HQ_OK) {
                fprintf(stderr, "frontdesk-hq: %s\n", err);
                return rc == HQ_E_IO ? 1 : 2;
            }
        }
        rc = s->ops->complaint_get(s, id, print_complaint, (void *)a);
        if (rc == HQ_E_NOTFOUND) {
            fprintf(stderr, "frontdesk-hq: no complaint %lld\n", id);
            return 2;
        }
    } else {
        usage();
        return 2;
    }
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    return 0;
}

static int print_held(void *ctx, const struct hq_held *h)
{
    (void)ctx;
    printf("{\"epoch\":%lld,\"seq\":%lld,\"type\":\"%s\",\"v\":%d,\"quarantined\":%d,"
           "\"record\":%s}\n",
           h->epoch, h->seq, h->type, h->schema_version, h->quarantined, h->json);
    return 0;
}

/* report day|month PERIOD: the figures of every branch (or --branch) and
 * all together, as text, JSON or CSV (hq_report.c). */
static int cmd_report(struct hq_store *s, const struct args *a)
{
    cJSON *rep = NULL;
    char err[512], *txt;
    int rc;
    if (a->npos != 3 || (a->json && a->csv)) {
        usage();
        return 2;
    }
    rc = hq_report_build(s, a->pos[1], a->pos[2], a->branch, &rep, err, sizeof err);
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", err);
        return rc == HQ_E_INVALID || rc == HQ_E_NOTFOUND ? 2 : 1;
    }
    txt = a->json ? cJSON_Print(rep) : a->csv ? hq_report_csv(rep) : hq_report_text(rep);
    cJSON_Delete(rep);
    if (!txt) {
        fprintf(stderr, "frontdesk-hq: out of memory\n");
        return 1;
    }
    fputs(txt, stdout);
    if (a->json)
        fputc('\n', stdout);
    free(txt);
    return 0;
}

/* rebuild: the state tables from the log, in one transaction. */
static int cmd_rebuild(struct hq_store *s)
{
    long long replayed = 0, skipped = 0;
    char err[512];
    if (hq_state_rebuild(s, &replayed, &skipped, err, sizeof err) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", err);
        return 1;
    }
    printf("replayed %lld record versions, skipped %lld the state tables cannot take\n",
           replayed, skipped);
    return 0;
}

static int print_state_row(void *ctx, const struct hq_state_row *row)
{
    cJSON *o = hq_state_row_json(row);
    char *t = cJSON_PrintUnformatted(o);
    (void)ctx;
    printf("%s\n", t ? t : "{}");
    cJSON_free(t);
    cJSON_Delete(o);
    return 0;
}

/* state TABLE [DEVICE]: a state table's rows as JSON lines (audits, tests). */
static int cmd_state(struct hq_store *s, const char *table, const char *device)
{
    const struct hq_state_table *t = hq_state_by_name(table);
    struct hq_state_filter f = {device, NULL, NULL, NULL, 0, 0};
    if (!t) {
        fprintf(stderr, "frontdesk-hq: no state table %s (", table);
        for (int i = 0; i < hq_state_ntables; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", hq_state_tables[i].table);
        fprintf(stderr, ")\n");
        return 2;
    }
    if (s->ops->state_each(s, t, &f, print_state_row, NULL) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    return 0;
}

/* fleet: every device, its last contact, online or offline, its health. */
static int cmd_fleet(struct hq_store *s, const struct args *a)
{
    cJSON *root = NULL, *d;
    long long now = (long long)time(NULL);
    if (hq_fleet_collect(s, now, a->branch, &root) != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return 1;
    }
    if (a->json) {
        char *txt = cJSON_Print(root);
        printf("%s\n", txt);
        cJSON_free(txt);
        cJSON_Delete(root);
        return 0;
    }
    printf("%-20s %-12s %-8s %-10s %-8s %-28s %6s %7s %9s  %s\n", "branch", "device",
           "status", "contact", "version", "printer", "failed", "backlog", "disk MB",
           "last error");
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(root, "devices")) {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(d, "health");
        long long last = (long long)cJSON_GetObjectItemCaseSensitive(d, "last_contact")->valuedouble;
        char ago[48];
        if (last <= 0)
            snprintf(ago, sizeof ago, "never");
        else if (now - last < 120)
            snprintf(ago, sizeof ago, "%llds ago", now - last);
        else if (now - last < 7200)
            snprintf(ago, sizeof ago, "%lldm ago", (now - last) / 60);
        else
            snprintf(ago, sizeof ago, "%lldh ago", (now - last) / 3600);
        printf("%-20.20s %-12.12s %-8s %-10s ", cJSON_GetObjectItem(d, "branch")->valuestring,
               cJSON_GetObjectItem(d, "device_id")->valuestring,
               cJSON_IsTrue(cJSON_GetObjectItem(d, "revoked")) ? "revoked"
               : cJSON_IsTrue(cJSON_GetObjectItem(d, "online")) ? "online" : "OFFLINE", ago);
        if (!cJSON_IsObject(h)) {
            printf("(no health reported)\n");
            continue;
        }
        const cJSON *p = cJSON_GetObjectItem(h, "printer");
        char pr[64];
        if (!cJSON_IsTrue(cJSON_GetObjectItem(p, "known")))
            snprintf(pr, sizeof pr, "-");
        else
            snprintf(pr, sizeof pr, "%s%s%s%s",
                     cJSON_IsTrue(cJSON_GetObjectItem(p, "online")) ? "online" : "offline",
                     cJSON_IsTrue(cJSON_GetObjectItem(p, "paper_out")) ? ",PAPER OUT" : "",
                     cJSON_IsTrue(cJSON_GetObjectItem(p, "paper_near_end")) ? ",paper low" : "",
                     cJSON_IsTrue(cJSON_GetObjectItem(p, "cover_open")) ? ",COVER OPEN" : "");
        printf("%-8.8s %-28.28s %6.0f %7.0f %9.0f  %s\n",
               cJSON_GetObjectItem(h, "app_version")->valuestring, pr,
               cJSON_GetObjectItem(h, "print_failed")->valuedouble,
               cJSON_GetObjectItem(h, "backlog")->valuedouble,
               cJSON_GetObjectItem(h, "disk_free_mb")->valuedouble,
               cJSON_GetObjectItem(h, "last_error")->valuestring);
    }
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(root, "warnings"))
        printf("WARNING: %s\n", d->valuestring);
    cJSON_Delete(root);
    return 0;
}

/* setting get|set KEY [VALUE]: head office's own settings (checked here). */
static int cmd_setting(struct hq_store *s, const struct args *a)
{
    char v[64];
    int mine = hq_notify_setting(s, a->npos, a->pos);
    if (mine >= 0)
        return mine;
    if (a->npos == 3 && strcmp(a->pos[1], "get") == 0 &&
        strcmp(a->pos[2], "personal_data_days") == 0) {
        printf("%d\n", hq_pii_days(s));
        return 0;
    }
    if (a->npos == 4 && strcmp(a->pos[1], "set") == 0 &&
        strcmp(a->pos[2], "personal_data_days") == 0) {
        char *end = NULL;
        long d = strtol(a->pos[3], &end, 10);
        if (!end || *end || end == a->pos[3] || d < 1 || d > HQ_PII_DAYS_MAX) {
            fprintf(stderr, "frontdesk-hq: personal_data_days is a whole number of days,"
                            " 1 to %d\n", HQ_PII_DAYS_MAX);
            return 2;
        }
        snprintf(v, sizeof v, "%ld", d);
        if (s->ops->setting_set(s, "personal_data_days", v, (long long)time(NULL)) != HQ_OK ||
            s->ops->audit_put(s, (long long)time(NULL), a->by ? a->by : "hq", "setting",
                              "personal_data_days", a->reason ? a->reason : "", v) != HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "frontdesk-hq: settings: personal_data_days (setting get|set KEY [VALUE])\n");
    return 2;
}

/* archive --before YYYY-MM [--drop]: the log's months before that one. */
static int cmd_archive(struct hq_store *s, const struct args *a)
{
    int y = 0, m = 0, months = 0, rc;
    long long rows = 0;
    char tail, detail[128];
    struct tm tm;
    if (!a->before || sscanf(a->before, "%4d-%2d%c", &y, &m, &tail) != 2 || y < 2000 ||
        y > 9999 || m < 1 || m > 12) {
        fprintf(stderr, "frontdesk-hq: archive --before YYYY-MM [--drop]\n");
        return 2;
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = 1;
    long long before = (long long)timegm(&tm);
    rc = s->ops->log_archive(s, before, a->drop, &months, &rows);
    if (rc != HQ_OK) {
        fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
        return rc == HQ_E_INVALID ? 2 : 1;
    }
    snprintf(detail, sizeof detail, "{\"months\":%d,\"rows\":%lld,\"drop\":%d}", months, rows,
             a->drop);
    s->ops->audit_put(s, (long long)time(NULL), a->by ? a->by : "hq", "archive", a->before,
                      a->reason ? a->reason : "", detail);
    if (a->json)
        printf("{\"months\":%d,\"rows\":%lld,\"dropped\":%s}\n", months, rows,
               a->drop ? "true" : "false");
    else
        printf("%d month(s), %lld record(s) %s\n", months, rows,
               a->drop ? "dropped" : "detached (tables record_YYYY_MM, for pg_dump)");
    return 0;
}

int main(int argc, char **argv)
{
    struct args a;
    struct hq_store *s = NULL;
    const char *cmd;
    int rc = 2;

    if (sodium_init() < 0) {
        fprintf(stderr, "frontdesk-hq: libsodium failed to start\n");
        return 1;
    }
    if ((rc = hq_invite_main(argc, argv)) >= 0) /* its own options (issue 14) */
        return rc;
    rc = 2;
    if (parse_args(argc, argv, &a) != 0 || a.npos < 1) {
        usage();
        return 2;
    }
    if (sync_wire_init() != 0) {
        fprintf(stderr, "frontdesk-hq: libsodium failed to start\n");
        return 1;
    }
    hq_report_init(); /* before any thread */
    cmd = a.pos[0];
    if (strcmp(cmd, "serve") == 0) {
        struct hq_server_opts o = {
            .db = a.db, .listen = a.listen, .tls_cert = a.tls_cert, .tls_key = a.tls_key,
            .threads = (int)a.threads, .max_inflight = (int)a.max_inflight,
            .admin_token_file = a.admin_token_file,
            .per_ip_limit = a.per_ip_limit < 0 ? 0 : a.per_ip_limit == 0 ? -1 : (int)a.per_ip_limit,
            .metrics_token_file = a.metrics_token_file};
        char err[512];
        if (!a.db || !a.listen) {
            usage();
            return 2;
        }
        if (hq_server_run(&o, err, sizeof err) != 0) {
            fprintf(stderr, "frontdesk-hq: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (!(s = open_store(&a)))
        return 1;
    if (strcmp(cmd, "enroll-token") == 0) {
        rc = cmd_enroll_token(s, &a);
    } else if (strcmp(cmd, "stats") == 0) {
        rc = cmd_stats(s, &a);
    } else if (strcmp(cmd, "complaint") == 0) {
        rc = cmd_complaint(s, &a);
    } else if (strcmp(cmd, "config") == 0 && a.npos == 4 && strcmp(a.pos[1], "set") == 0) {
        cJSON *v = cJSON_Parse(a.pos[3]);
        if (!strcmp(a.pos[2], "deny_key") || !strcmp(a.pos[2], "deny_list")) {
            fprintf(stderr, "frontdesk-hq: %s is kept by `frontdesk-hq deny`\n", a.pos[2]);
        } else if (!v) {
            fprintf(stderr, "frontdesk-hq: the value must be JSON (quote strings: '\"x\"')\n");
        } else if (s->ops->config_set(s, a.branch, a.pos[2], a.pos[3], (long long)time(NULL)) !=
                   HQ_OK) {
            fprintf(stderr, "frontdesk-hq: %s\n", s->ops->errmsg(s));
            rc = 1;
        } else {
            rc = 0;
        }
        cJSON_Delete(v);
    } else if (strcmp(cmd, "revoke") == 0 && a.npos == 2) {
        int r = s->ops->device_revoke(s, a.pos[1], (long long)time(NULL));
        rc = r == HQ_OK ? 0 : r == HQ_E_NOTFOUND ? 2 : 1;
        if (r != HQ_OK)
            fprintf(stderr, "frontdesk-hq: %s\n",
                    r == HQ_E_NOTFOUND ? "no such device" : s->ops->errmsg(s));
    } else if (strcmp(cmd, "report") == 0) {
        rc = cmd_report(s, &a);
    } else if (strcmp(cmd, "rebuild") == 0 && a.npos == 1) {
        rc = cmd_rebuild(s);
    } else if (strcmp(cmd, "state") == 0 && (a.npos == 2 || a.npos == 3)) {
        rc = cmd_state(s, a.pos[1], a.npos == 3 ? a.pos[2] : NULL);
    } else if (strcmp(cmd, "fleet") == 0 && a.npos == 1) {
        rc = cmd_fleet(s, &a);
    } else if (strcmp(cmd, "purge") == 0 && a.npos == 1) {
        rc = hq_purge_cmd(s, a.json);
    } else if (strcmp(cmd, "person") == 0 && a.npos == 2) {
        rc = hq_person_cmd(s, a.pos[1], a.phone, a.by, a.reason, a.json);
    } else if (strcmp(cmd, "setting") == 0) {
        rc = cmd_setting(s, &a);
    } else if (strcmp(cmd, "archive") == 0 && a.npos == 1) {
        rc = cmd_archive(s, &a);
    } else if (strcmp(cmd, "user") == 0 && a.npos >= 2) {
        rc = hq_user_cmd(s, a.npos - 1, a.pos + 1, a.role, a.branches, a.nbranches, a.json);
    } else if (strcmp(cmd, "host") == 0 || strcmp(cmd, "notify") == 0) {
        struct hq_notify_opts no = {.branch = a.branch, .department = a.department,
                                    .notify = a.notify, .notify_kind = a.notify_kind,
                                    .failed = a.failed, .json = a.json, .limit = a.limit};
        rc = hq_notify_cmd(s, a.npos, a.pos, &no);
    } else if (strcmp(cmd, "deny") == 0 && a.npos >= 2) {
        rc = hq_deny_cmd(s, a.npos, a.pos, a.name, a.phone, a.reason, a.by, a.branch, a.json);
    } else if (strcmp(cmd, "records") == 0 && a.npos == 2) {
        rc = s->ops->records(s, a.pos[1], a.epoch, 0, 1 << 30, print_held, NULL) == HQ_OK ? 0 : 1;
    } else {
        usage();
    }
    hq_store_close(s);
    return rc;
}
