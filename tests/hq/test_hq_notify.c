/* test_hq_notify.c - head office tells the host their visitor is here
 * (issue 14), end to end: a real kiosk store signs visitors in through core
 * and pushes them over real HTTP to frontdesk-hq serve, whose sender posts to
 * a group robot's webhook and mails through SMTP, both receivers run by
 * tests/hq/notify_recv.py on loopback. Each arrival gives one message with
 * the right text and never the phone; a robot's errcode answer is retried; a
 * receiver down then up gets one message; head office killed -9 while
 * waiting to retry sends once, and killed -9 mid-send (the receiver holding
 * the delivery) sends again only with the same message id; a message that
 * cannot go for a day is failed and listed; the outcomes reach the kiosk,
 * whose staff list (core) names the arrivals whose host was not told.
 * FDHQ_TEST_DB runs it on PostgreSQL (tests/hq/pg.cmake). */
#include "check.h"
#include "harness.h"
#include "store.h"
#include "sync.h"
#include "visitor.h"

#include <curl/curl.h>

static struct h_server srv;

#define ADMIN_TOKEN "notify-admin-token-0123456789"

static size_t take(char *p, size_t size, size_t n, void *ctx)
{
    char *buf = ctx;
    size_t have = strlen(buf), add = size * n;
    if (have + add < 65535) {
        memcpy(buf + have, p, add);
        buf[have + add] = '\0';
    }
    return size * n;
}

/* GET url with the admin token into buf (64 KiB); the HTTP status. */
static long admin_get(const char *url, char *buf)
{
    CURL *e = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " ADMIN_TOKEN);
    long status = 0;
    buf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, buf);
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return status;
}

struct recv {
    pid_t pid;
    int port;
    char log[512];
};

/* Starts notify_recv.py (mode http|smtp) on port (0 = any); opt/val extra. */
static int recv_start(struct recv *r, const char *mode, int port, const char *log,
                      const char *opt, const char *val)
{
    int fd[2];
    char p[16], line[128];
    FILE *f;
    snprintf(r->log, sizeof r->log, "%s", log);
    snprintf(p, sizeof p, "%d", port);
    if (pipe(fd) != 0)
        return -1;
    if ((r->pid = fork()) == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        /* Debian's python3 (python3-aiosmtpd is a Debian package) before another in PATH */
        const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
        execlp(py, py, NOTIFY_RECV, mode, p, log, opt, val, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    f = fdopen(fd[0], "r");
    r->port = 0;
    if (f && fgets(line, sizeof line, f) && strncmp(line, "ready ", 6) == 0)
        r->port = atoi(line + 6);
    if (f)
        fclose(f);
    if (r->port <= 0) {
        fprintf(stderr, "notify_recv.py %s did not start\n", mode);
        kill(r->pid, SIGKILL);
        waitpid(r->pid, NULL, 0);
        r->pid = 0;
        return -1;
    }
    return 0;
}

static void recv_stop(struct recv *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGKILL);
        waitpid(r->pid, NULL, 0);
    }
    r->pid = 0;
}

/* Deliveries in log whose id contains id (accepted only: not refused);
 * the last one's line parsed into *last (caller deletes; may be NULL). */
static int deliveries(const char *log, const char *id, int accepted_only, cJSON **last)
{
    char *text = h_slurp(log), *line, *save = NULL;
    int n = 0;
    if (last)
        *last = NULL;
    for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *i = cJSON_GetObjectItem(o, "id");
        if (cJSON_IsString(i) && strstr(i->valuestring, id) &&
            !(accepted_only && cJSON_IsTrue(cJSON_GetObjectItem(o, "refused")))) {
            n++;
            if (last) {
                cJSON_Delete(*last);
                *last = o;
                o = NULL;
            }
        }
        cJSON_Delete(o);
    }
    free(text);
    return n;
}

static int wait_deliveries(const char *log, const char *id, int accepted_only, int want,
                           int secs)
{
    int n = 0;
    for (int i = 0; i < secs * 5; i++) {
        if ((n = deliveries(log, id, accepted_only, NULL)) >= want)
            return n;
        usleep(200000);
    }
    return n;
}

/* A frontdesk-hq command's whole output. */
static char *hq_out(const char *args)
{
    char cmd[2048];
    char *buf = calloc(1, 1 << 20);
    size_t n = 0;
    FILE *p;
    snprintf(cmd, sizeof cmd, "'%s' %s", FDHQ_BIN, args);
    if (!buf || !(p = popen(cmd, "r"))) {
        free(buf);
        return NULL;
    }
    n = fread(buf, 1, (1 << 20) - 1, p);
    buf[n] = '\0';
    pclose(p);
    return buf;
}

/* The queue row of visitor vid as `notify list --json` shows it: its
 * field (a number) or -1; state into st when not NULL. */
static long long queue_field(const char *hqdb, long long vid, const char *field, char *st,
                             size_t stlen)
{
    char args[1024];
    long long v = -1;
    snprintf(args, sizeof args, "--db '%s' notify list --json --limit 1000", hqdb);
    char *out = hq_out(args);
    cJSON *l = out ? cJSON_Parse(out) : NULL, *it;
    cJSON_ArrayForEach(it, l) {
        if ((long long)cJSON_GetObjectItem(it, "visitor_id")->valuedouble != vid)
            continue;
        const cJSON *f = cJSON_GetObjectItem(it, field);
        if (cJSON_IsNumber(f))
            v = (long long)f->valuedouble;
        if (st)
            snprintf(st, stlen, "%s", cJSON_GetObjectItem(it, "state")->valuestring);
    }
    cJSON_Delete(l);
    free(out);
    return v;
}

static int wait_state(const char *hqdb, long long vid, const char *state, int secs)
{
    char st[16] = "";
    for (int i = 0; i < secs * 2; i++) {
        queue_field(hqdb, vid, "id", st, sizeof st);
        if (strcmp(st, state) == 0)
            return 1;
        usleep(500000);
    }
    fprintf(stderr, "visitor %lld: state %s, not %s\n", vid, st, state);
    return 0;
}

static int wait_attempts(const char *hqdb, long long vid, long long want, int secs)
{
    for (int i = 0; i < secs * 2; i++) {
        if (queue_field(hqdb, vid, "attempts", NULL, 0) >= want)
            return 1;
        usleep(500000);
    }
    return 0;
}

static int hq(const char *hqdb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int hq(const char *hqdb, const char *fmt, ...)
{
    char args[1536], rest[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rest, sizeof rest, fmt, ap);
    va_end(ap);
    snprintf(args, sizeof args, "--db '%s' %s", hqdb, rest);
    return h_hq_cmd(args, NULL, 0);
}

/* Signs a visitor in at the kiosk (core) and pushes; returns the visitor. */
static int arrive(struct fd_store *st, const char *name, const char *phone, const char *host,
                  struct visitor *v)
{
    struct visitor_in in = {name, phone, "ACME 测试", 0, host, "签合同 contract"};
    struct fd_err fe = {0};
    struct sync_result res;
    char err[512];
    if (visitor_sign_in(st, &in, (int64_t)time(NULL), v, &fe) != 0) {
        fprintf(stderr, "sign-in: %s\n", fe.msg);
        return -1;
    }
    return sync_round(store_db(st), 0, &res, err, sizeof err) == SYNC_OK ? 0 : -1;
}

static void msgid(char *out, size_t n, const char *dev, const struct visitor *v)
{
    snprintf(out, n, "fdn-%s-%lld-%lld", dev, (long long)v->id, (long long)v->signed_in_at);
}

static const char *outcome_of(const struct visitor_untold *u, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (u[i].v.id == id)
            return u[i].outcome[0] ? u[i].outcome : "(no word)";
    return "(told)";
}

int main(void)
{
    struct recv web = {0}, mail = {0};
    struct fd_store *st = NULL;
    struct sync_result res;
    struct visitor a, b, c, d, e, f, g, h, i;
    char hqdb[512], kdb[512], weblog[512], maillog[512], url[256], tok[128], err[512];
    char dev[65] = "", id[200], deadurl[128], tokfile[512];
    cJSON *last = NULL;

    h_mkdir("hqnotify");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite"); /* FDHQ_TEST_DB: PostgreSQL */
    h_path(kdb, sizeof kdb, "kiosk.sqlite");
    h_path(weblog, sizeof weblog, "web.log");
    h_path(maillog, sizeof maillog, "mail.log");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();

    CHECK(recv_start(&web, "http", 0, weblog, NULL, NULL) == 0);
    CHECK(recv_start(&mail, "smtp", 0, maillog, NULL, NULL) == 0);
    { /* a port nobody listens on: a receiver that never comes */
        struct recv dead = {0};
        char dl[512];
        h_path(dl, sizeof dl, "dead.log");
        CHECK(recv_start(&dead, "http", 0, dl, NULL, NULL) == 0);
        snprintf(deadurl, sizeof deadurl, "http://127.0.0.1:%d/gone", dead.port);
        recv_stop(&dead);
    }

    /* Head office: the hosts and their targets, the mail server, short leases. */
    CHECK_INT(hq(hqdb, "setting set notify_lease_s 5"), 0);
    CHECK_INT(hq(hqdb, "setting set smtp_url smtp://127.0.0.1:%d", mail.port), 0);
    CHECK_INT(hq(hqdb, "setting set smtp_from frontdesk@example.com"), 0);
    CHECK_INT(hq(hqdb, "host add 王经理 --department Sales --notify http://127.0.0.1:%d/wecom"
                       " --notify-kind wecom", web.port), 0);
    CHECK_INT(hq(hqdb, "host add Zhao --notify mailto:zhao@example.com"), 0);
    CHECK_INT(hq(hqdb, "host add Fei --notify http://127.0.0.1:%d/feishu --notify-kind feishu",
                 web.port), 0);
    CHECK_INT(hq(hqdb, "host add Nobody"), 0);
    CHECK_INT(hq(hqdb, "host add Gone --notify %s --notify-kind dingtalk", deadurl), 0);
    /* refused targets */
    CHECK_INT(hq(hqdb, "host add Evil --notify https://evil.example.com/hook 2>/dev/null"), 2);
    CHECK_INT(hq(hqdb, "host add Evil --notify http://127.0.0.1:1/x 2>/dev/null"), 2);
    CHECK_INT(hq(hqdb, "host add Evil --notify mailto:not-an-address 2>/dev/null"), 2);
    CHECK_INT(hq(hqdb, "host add Evil --notify https://oapi.dingtalk.com/robot/send?access_"
                       "token=x --notify-kind wecom 2>/dev/null"), 2);
    CHECK_INT(hq(hqdb, "host add Ding --notify 'https://oapi.dingtalk.com/robot/send?access_"
                       "token=x'"), 0);

    h_path(tokfile, sizeof tokfile, "admin.token");
    {
        FILE *tf = fopen(tokfile, "w");
        if (tf) {
            fprintf(tf, "%s\n", ADMIN_TOKEN);
            fclose(tf);
        }
    }
    CHECK(h_server_start(&srv, hqdb, 0, NULL, "--admin-token-file", tokfile) == 0);
    h_url(&srv, url, sizeof url);
    CHECK(store_open(kdb, &st, err, sizeof err) == 0);
    CHECK(h_token(hqdb, "North", tok, sizeof tok) == 0);
    CHECK_INT(sync_enroll(store_db(st), url, tok, err, sizeof err), SYNC_OK);
    CHECK_INT(sync_round(store_db(st), 0, &res, err, sizeof err), SYNC_OK); /* hosts come down */
    CHECK_INT(h_int(store_db(st), "SELECT count(*) FROM host WHERE active = 1"), 6);
    {
        sqlite3_stmt *q = store_prepare(st, "SELECT value FROM meta WHERE key = 'device_id'");
        if (q && sqlite3_step(q) == SQLITE_ROW)
            snprintf(dev, sizeof dev, "%s", (const char *)sqlite3_column_text(q, 0));
        if (q)
            sqlite3_reset(q);
    }
    /* The target never goes down to the kiosk. */
    CHECK_INT(h_int(store_db(st), "SELECT count(*) FROM config WHERE value LIKE '%127.0.0.1%'"
                                  " OR value LIKE '%example.com%'"), 0);
    CHECK(sync_hq_in_reach(store_db(st), (long long)time(NULL)) == 1);

    /* 1. A WeCom robot: one message, the right text, never the phone. */
    CHECK(arrive(st, "李雷", "13800001111", "王经理", &a) == 0);
    msgid(id, sizeof id, dev, &a);
    CHECK_INT(wait_deliveries(weblog, id, 1, 1, 30), 1);
    deliveries(weblog, id, 1, &last);
    {
        cJSON *body = last ? cJSON_Parse(cJSON_GetObjectItem(last, "body")->valuestring) : NULL;
        const cJSON *t = cJSON_GetObjectItem(cJSON_GetObjectItem(body, "text"), "content");
        char when[32];
        time_t tt = (time_t)a.signed_in_at;
        struct tm lt;
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&tt, &lt));
        CHECK_STR(cJSON_GetObjectItem(body, "msgtype") ? cJSON_GetObjectItem(body, "msgtype")->valuestring : "", "text");
        CHECK(cJSON_IsString(t) && strstr(t->valuestring, "李雷") &&
              strstr(t->valuestring, "ACME 测试") && strstr(t->valuestring, "签合同 contract") &&
              strstr(t->valuestring, "North") && strstr(t->valuestring, "王经理"));
        CHECK_MSG(cJSON_IsString(t) && strstr(t->valuestring, when), "time %s (Shanghai) in %s",
                  when, cJSON_IsString(t) ? t->valuestring : "?");
        CHECK_STR(cJSON_GetObjectItem(last, "path") ? cJSON_GetObjectItem(last, "path")->valuestring : "", "/wecom");
        if (cJSON_IsString(t))
            printf("message: %s\n", t->valuestring);
        cJSON_Delete(body);
    }
    cJSON_Delete(last);
    CHECK(wait_state(hqdb, a.id, "sent", 10));
    /* A re-sent push (the kiosk pushes again) and a later version of the
     * visitor (signed out) make no second message. */
    {
        struct fd_err fe;
        CHECK(visitor_sign_out(st, a.id, "staff", (int64_t)time(NULL), &fe) == 0);
        CHECK_INT(sync_round(store_db(st), 0, &res, err, sizeof err), SYNC_OK);
    }

    /* 2. Feishu's shape. */
    CHECK(arrive(st, "Han Meimei", "13800002222", "Fei", &b) == 0);
    msgid(id, sizeof id, dev, &b);
    CHECK_INT(wait_deliveries(weblog, id, 1, 1, 30), 1);
    deliveries(weblog, id, 1, &last);
    {
        cJSON *body = last ? cJSON_Parse(cJSON_GetObjectItem(last, "body")->valuestring) : NULL;
        const cJSON *t = cJSON_GetObjectItem(cJSON_GetObjectItem(body, "content"), "text");
        CHECK(cJSON_IsString(cJSON_GetObjectItem(body, "msg_type")) &&
              strcmp(cJSON_GetObjectItem(body, "msg_type")->valuestring, "text") == 0);
        CHECK(cJSON_IsString(t) && strstr(t->valuestring, "Han Meimei"));
        cJSON_Delete(body);
    }
    cJSON_Delete(last);

    /* 3. Email through SMTP, with a Message-ID. */
    CHECK(arrive(st, "Wang Fang", "13800003333", "Zhao", &c) == 0);
    msgid(id, sizeof id, dev, &c);
    CHECK_INT(wait_deliveries(maillog, id, 1, 1, 30), 1);
    deliveries(maillog, id, 1, &last);
    {
        const cJSON *body = cJSON_GetObjectItem(last, "body");
        const cJSON *subj = cJSON_GetObjectItem(last, "subject");
        const cJSON *to = cJSON_GetArrayItem(cJSON_GetObjectItem(last, "to"), 0);
        CHECK(cJSON_IsString(body) && strstr(body->valuestring, "Wang Fang") &&
              strstr(body->valuestring, "ACME 测试") && strstr(body->valuestring, "North"));
        CHECK(cJSON_IsString(subj) && strstr(subj->valuestring, "Wang Fang"));
        CHECK(cJSON_IsString(to) && strcmp(to->valuestring, "zhao@example.com") == 0);
        CHECK(cJSON_IsString(cJSON_GetObjectItem(last, "id")) &&
              strstr(cJSON_GetObjectItem(last, "id")->valuestring, "@frontdesk-hq>"));
    }
    cJSON_Delete(last);

    /* 4. A robot answering errcode != 0 is retried: twice refused, then one. */
    recv_stop(&web);
    CHECK(recv_start(&web, "http", web.port, weblog, "--errcode", "2") == 0);
    CHECK(arrive(st, "Errcode Visitor", "13800004444", "王经理", &d) == 0);
    msgid(id, sizeof id, dev, &d);
    CHECK_INT(wait_deliveries(weblog, id, 1, 1, 60), 1);
    CHECK_INT(deliveries(weblog, id, 0, NULL), 3); /* two refused, one taken */
    CHECK(wait_state(hqdb, d.id, "sent", 10));

    /* 5. The receiver down, then up: tries fail, then exactly one message. */
    recv_stop(&web);
    CHECK(arrive(st, "Down Up", "13800005555", "王经理", &e) == 0);
    msgid(id, sizeof id, dev, &e);
    CHECK(wait_attempts(hqdb, e.id, 2, 30));
    CHECK(recv_start(&web, "http", web.port, weblog, NULL, NULL) == 0);
    CHECK_INT(wait_deliveries(weblog, id, 1, 1, 60), 1);
    CHECK(wait_state(hqdb, e.id, "sent", 10));

    /* 6. Head office killed -9 while waiting to retry, restarted: one message. */
    recv_stop(&web);
    CHECK(arrive(st, "Kill Wait", "13800006666", "王经理", &f) == 0);
    msgid(id, sizeof id, dev, &f);
    CHECK(wait_attempts(hqdb, f.id, 1, 30));
    h_server_stop(&srv, 1);
    CHECK(recv_start(&web, "http", web.port, weblog, NULL, NULL) == 0);
    CHECK(h_server_start(&srv, hqdb, srv.port, NULL, "--admin-token-file", tokfile) == 0);
    CHECK_INT(wait_deliveries(weblog, id, 1, 1, 60), 1);
    CHECK(wait_state(hqdb, f.id, "sent", 10));
    sleep(2);
    CHECK_INT(deliveries(weblog, id, 0, NULL), 1);

    /* 7. Killed -9 mid-send: the receiver holds the delivery unanswered when
     * head office dies. After the lease the message goes again, with the
     * same id (the one window hq/README.md describes): one message to a
     * receiver that drops repeats by id. */
    recv_stop(&web);
    CHECK(recv_start(&web, "http", web.port, weblog, "--slow", "8") == 0);
    CHECK(arrive(st, "Kill Send", "13800007777", "王经理", &g) == 0);
    msgid(id, sizeof id, dev, &g);
    CHECK_INT(wait_deliveries(weblog, id, 0, 1, 30), 1);
    h_server_stop(&srv, 1);
    CHECK(h_server_start(&srv, hqdb, srv.port, NULL, "--admin-token-file", tokfile) == 0);
    CHECK(wait_state(hqdb, g.id, "sent", 60));
    {
        int n = deliveries(weblog, id, 0, NULL);
        CHECK_MSG(n == 2, "deliveries after a kill mid-send: %d (the same id each)", n);
    }

    /* 8. A host with no target: no message, outcome "none". */
    CHECK(arrive(st, "No Target", "13800008888", "Nobody", &h) == 0);
    CHECK(wait_state(hqdb, h.id, "none", 30));

    /* 9. A message that cannot go for a day is failed and listed. The row is
     * made a day old through the store (the sender reads created_at). */
    CHECK(arrive(st, "Never Told", "13800009999", "Gone", &i) == 0);
    CHECK(wait_attempts(hqdb, i.id, 1, 30));
    {
        struct hq_store *s = NULL;
        struct hq_param p[2] = {{HQ_P_INT, i.id, NULL}, {HQ_P_TEXT, 0, dev}};
        CHECK(hq_store_open(hqdb, &s, err, sizeof err) == HQ_OK);
        CHECK(s && s->ops->sql(s, "UPDATE notify_queue SET created_at = created_at - 90000,"
                                  " next_at = 0 WHERE visitor_id = $1 AND device_id = $2",
                               p, 2, NULL, NULL, NULL) == HQ_OK);
        hq_store_close(s);
    }
    CHECK(wait_state(hqdb, i.id, "failed", 30));
    {
        char args[1024];
        snprintf(args, sizeof args, "--db '%s' notify list --failed --json", hqdb);
        char *out = hq_out(args);
        cJSON *l = out ? cJSON_Parse(out) : NULL;
        CHECK(cJSON_GetArraySize(l) == 1 &&
              (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(l, 0), "visitor_id")
                      ->valuedouble == i.id);
        CHECK(out && strstr(out, "Gone") != NULL);
        cJSON_Delete(l);
        free(out);
    }

    { /* ... and in the fleet API */
        char fu[300], *buf = calloc(1, 65536);
        snprintf(fu, sizeof fu, "%s/v1/admin/fleet", url);
        CHECK(buf && admin_get(fu, buf) == 200);
        cJSON *o = buf ? cJSON_Parse(buf) : NULL;
        const cJSON *nf = cJSON_GetObjectItem(o, "notifications_failed");
        CHECK(cJSON_GetArraySize(nf) == 1 &&
              (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(nf, 0), "visitor_id")
                      ->valuedouble == i.id);
        cJSON_Delete(o);
        free(buf);
    }

    /* Exactly one taken message per arrival, and no phone anywhere. */
    {
        const struct visitor *all[] = {&a, &b, &d, &e, &f, &g};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            msgid(id, sizeof id, dev, all[k]);
            int n = deliveries(weblog, id, 1, NULL);
            CHECK_MSG(n == (all[k] == &g ? 2 : 1), "visitor %lld: %d taken",
                      (long long)all[k]->id, n);
        }
        char *wl = h_slurp(weblog), *ml = h_slurp(maillog);
        CHECK(wl && !strstr(wl, "1380000") && !strstr(wl, "138 0000"));
        CHECK(ml && !strstr(ml, "1380000"));
        free(wl);
        free(ml);
    }

    /* The outcomes reach the kiosk; its staff list names who was not told. */
    CHECK_INT(sync_round(store_db(st), 0, &res, err, sizeof err), SYNC_OK);
    CHECK_INT(h_int(store_db(st), "SELECT count(*) FROM visitor_notice WHERE outcome = 'sent'"),
              7);
    {
        struct visitor_untold *u = NULL;
        struct fd_err fe = {0};
        int n = 0;
        CHECK(visitor_untold_list(st, (int64_t)time(NULL), &u, &n, &fe) == 0);
        CHECK_INT(n, 2);
        CHECK_STR(outcome_of(u, n, h.id), "none");
        CHECK_STR(outcome_of(u, n, i.id), "failed");
        CHECK_STR(outcome_of(u, n, a.id), "(told)");
        free(u);
    }
    /* Head office out of reach: the kiosk knows. */
    h_server_stop(&srv, 1);
    CHECK(sync_round(store_db(st), 0, &res, err, sizeof err) != SYNC_OK);
    CHECK(sync_hq_in_reach(store_db(st), (long long)time(NULL)) == 0);
    {
        struct visitor j;
        struct visitor_untold *u = NULL;
        struct fd_err fe = {0};
        int n = 0;
        CHECK(arrive(st, "Offline", "13900000000", "王经理", &j) != 0); /* no push */
        CHECK(visitor_untold_list(st, (int64_t)time(NULL), &u, &n, &fe) == 0);
        CHECK_INT(n, 3);
        CHECK_STR(outcome_of(u, n, j.id), "(no word)");
        free(u);
        /* Once the visitor has left, nobody needs to be called. */
        CHECK(visitor_sign_out(st, j.id, "staff", (int64_t)time(NULL), &fe) == 0);
        CHECK(visitor_untold_list(st, (int64_t)time(NULL), &u, &n, &fe) == 0);
        CHECK_INT(n, 2);
        CHECK_STR(outcome_of(u, n, j.id), "(told)");
        free(u);
    }

    store_close(st);
    recv_stop(&web);
    recv_stop(&mail);
    curl_global_cleanup();
    if (check_failed_ == 0)
        h_rmdir();
    return check_summary();
}
