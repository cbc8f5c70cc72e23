/* test_counter_race.c COUNTER_BIN [ROUNDS] - four counters pressing "call
 * next" at once through frontdesk-counter's API: 4 counters x ROUNDS (200)
 * call / serve / finish rounds in parallel threads, each its own session over
 * real HTTP on loopback (libcurl), on a store with 4 x ROUNDS tickets of one
 * service. Every ticket must be called by exactly one counter, every call
 * must answer 200, and the calls must follow the queue's order (issue
 * order: the call events' ticket ids increase). Then a stream that last saw
 * event 0 reconnects: the server must replay every one of those calls, in
 * order, from the store (far more than its in-memory ring holds). */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bday.h"
#include "check.h"
#include "queue.h"
#include "staff.h"
#include "store.h"

#define COUNTERS 4

static char base[128];
static int rounds = 200;

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *ud)
{
    struct buf *b = ud;
    char *np = realloc(b->p, b->n + sz * nm + 1);
    if (!np)
        return 0;
    b->p = np;
    memcpy(b->p + b->n, d, sz * nm);
    b->n += sz * nm;
    b->p[b->n] = '\0';
    return sz * nm;
}

/* One request on the thread's handle; returns the HTTP status and the parsed
 * body in *out (cJSON_Delete it). */
static long request(CURL *h, const char *path, const char *body, const char *csrf, cJSON **out)
{
    char url[256], hdr[128];
    struct buf b = {0};
    struct curl_slist *hl = NULL;
    long status = 0;
    snprintf(url, sizeof url, "%s%s", base, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (body) {
        hl = curl_slist_append(hl, "Content-Type: application/json");
        snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", csrf ? csrf : "");
        hl = curl_slist_append(hl, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    *out = b.p ? cJSON_Parse(b.p) : NULL;
    free(b.p);
    return status;
}

struct worker {
    int counter;
    pthread_t th;
    int64_t *called;           /* ticket ids this counter called, in order */
    int ncalled, errors;
    char first_error[256];
};

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void fail(struct worker *w, const char *what, long status, const cJSON *j)
{
    if (!w->errors++)
        snprintf(w->first_error, sizeof w->first_error, "%s: %ld %s", what, status,
                 jstr(j, "message"));
}

static void *work(void *arg)
{
    struct worker *w = arg;
    CURL *h = curl_easy_init();
    cJSON *j = NULL;
    char csrf[80] = "", body[128];
    long st;
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* cookies on, in memory */
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    st = request(h, "/api/session", NULL, NULL, &j);
    snprintf(csrf, sizeof csrf, "%s", jstr(j, "csrf"));
    cJSON_Delete(j);
    snprintf(body, sizeof body, "{\"staff\":\"staff%d\",\"pin\":\"%04d\",\"counter\":%d}",
             w->counter, 1000 + w->counter, w->counter);
    st = request(h, "/api/login", body, csrf, &j);
    if (st != 200)
        fail(w, "login", st, j);
    snprintf(csrf, sizeof csrf, "%s", jstr(j, "csrf"));
    cJSON_Delete(j);
    for (int r = 0; r < rounds && !w->errors; r++) {
        st = request(h, "/api/call", "{}", csrf, &j);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "ticket");
        if (st != 200 || !t) {
            fail(w, "call", st, j);
        } else {
            w->called[w->ncalled++] =
                (int64_t)cJSON_GetObjectItemCaseSensitive(t, "id")->valuedouble;
        }
        cJSON_Delete(j);
        st = request(h, "/api/serve", "{}", csrf, &j);
        if (st != 200)
            fail(w, "serve", st, j);
        cJSON_Delete(j);
        st = request(h, "/api/finish", "{}", csrf, &j);
        if (st != 200)
            fail(w, "finish", st, j);
        cJSON_Delete(j);
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* Stream reader: stops when `want` call events arrived. */
struct sse {
    struct buf b;
    int calls, want;
};

static size_t on_sse(char *d, size_t sz, size_t nm, void *ud)
{
    struct sse *s = ud;
    size_t n = on_data(d, sz, nm, &s->b);
    s->calls = 0;
    for (const char *p = s->b.p; (p = strstr(p, "event: call\n")); p++)
        s->calls++;
    return s->calls >= s->want ? 0 : n; /* 0 ends the transfer */
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/fdrace.XXXXXX", db[256], err[300], line[256] = "";
    struct fd_store *st = NULL;
    struct fd_err e = {0};
    struct worker w[COUNTERS];
    int fds[2], total;
    pid_t pid;
    if (argc < 2) {
        fprintf(stderr, "usage: test_counter_race COUNTER_BIN [ROUNDS]\n");
        return 2;
    }
    /* A fixed clock (core reads FRONTDESK_NOW in every program): the
     * business day does not turn over in the middle of the run. */
    setenv("FRONTDESK_NOW", "1795399200", 1);
    if (argc > 2)
        rounds = atoi(argv[2]) > 0 ? atoi(argv[2]) : rounds;
    total = COUNTERS * rounds;
    if (!mkdtemp(dir))
        return 2;
    snprintf(db, sizeof db, "%s/k.db", dir);
    CHECK(store_open(db, &st, err, sizeof err) == 0);
    struct queue_service a = {.code = "A", .name_zh = "综合", .name_en = "General",
                              .active = 1, .open_min = 0, .close_min = 1440};
    CHECK(queue_service_add(st, &a, &e) == 0);
    for (int c = 1; c <= COUNTERS; c++) {
        char name[32], pin[8];
        int64_t id;
        snprintf(name, sizeof name, "staff%d", c);
        snprintf(pin, sizeof pin, "%04d", 1000 + c);
        CHECK(queue_counter_add(st, c, name, "A", &e) == 0);
        CHECK(staff_add(st, name, "staff", pin, bday_now(), &id, &e) == 0);
    }
    for (int i = 0; i < total; i++) {
        struct queue_ticket t;
        if (queue_take(st, "A", 0, bday_now(), &t, &e) != 0) {
            CHECK_MSG(0, "take: %s", e.msg);
            break;
        }
    }
    /* The server, its address from its first line. */
    if (pipe(fds) != 0 || (pid = fork()) < 0)
        return 2;
    if (pid == 0) {
        char listen[] = "127.0.0.1:0";
        dup2(fds[1], 1);
        close(fds[0]);
        execl(argv[1], argv[1], "--db", db, "--listen", listen, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    if (!out || !fgets(line, sizeof line, out) ||
        sscanf(line, "frontdesk-counter: listening on %127s", base) != 1) {
        CHECK_MSG(0, "the server did not start: %s", line);
        kill(pid, SIGTERM);
        return check_summary();
    }
    if (strlen(base) && base[strlen(base) - 1] == '/')
        base[strlen(base) - 1] = '\0';
    curl_global_init(CURL_GLOBAL_DEFAULT);

    for (int i = 0; i < COUNTERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].counter = i + 1;
        w[i].called = calloc((size_t)rounds, sizeof *w[i].called);
        pthread_create(&w[i].th, NULL, work, &w[i]);
    }
    for (int i = 0; i < COUNTERS; i++) {
        pthread_join(w[i].th, NULL);
        CHECK_MSG(w[i].errors == 0, "counter %d: %d errors, first %s", w[i].counter,
                  w[i].errors, w[i].first_error);
        CHECK_INT(w[i].ncalled, rounds);
    }
    /* Every ticket called by exactly one counter. */
    char *seen = calloc((size_t)total + 1, 1);
    int dup = 0, bad = 0;
    for (int i = 0; i < COUNTERS; i++)
        for (int k = 0; k < w[i].ncalled; k++) {
            int64_t id = w[i].called[k];
            if (id < 1 || id > total)
                bad++;
            else if (seen[id]++)
                dup++;
            if (k && w[i].called[k] <= w[i].called[k - 1])
                bad++; /* a counter's own calls go forward too */
        }
    CHECK_MSG(dup == 0, "%d tickets called twice", dup);
    CHECK_MSG(bad == 0, "%d ids out of range or backwards", bad);
    int missing = 0;
    for (int id = 1; id <= total; id++)
        missing += !seen[id];
    CHECK_MSG(missing == 0, "%d tickets never called", missing);
    /* The queue's order: the call events, in the order they happened, call
     * tickets in issue order. */
    struct queue_call *calls = NULL;
    int n = 0, backwards = 0;
    int64_t *order = calloc((size_t)total + 1, sizeof *order);
    int norder = 0;
    int64_t last_ticket = 0;
    for (int64_t after = 0;;) {
        free(calls);
        calls = NULL;
        if (queue_calls(st, after, 1000, bday_now(), &calls, &n, &e) || n == 0)
            break;
        for (int i = 0; i < n; i++) {
            if (calls[i].ticket_id <= last_ticket)
                backwards++;
            last_ticket = calls[i].ticket_id;
            if (norder < total)
                order[norder++] = calls[i].event_id;
            else
                backwards++;
            after = calls[i].event_id;
        }
    }
    free(calls);
    CHECK_INT(norder, total);
    CHECK_MSG(backwards == 0, "%d calls out of the queue's order", backwards);
    free(seen);
    printf("race: %d counters x %d rounds, %d calls, %d twice, %d out of order\n", COUNTERS,
           rounds, norder, dup, backwards);

    /* A stream that last saw event 0 gets every call back, in order. */
    CURL *h = curl_easy_init();
    struct sse s = {.want = total};
    char csrf[80] = "", body[128], url[200];
    cJSON *j = NULL;
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    request(h, "/api/session", NULL, NULL, &j);
    snprintf(csrf, sizeof csrf, "%s", jstr(j, "csrf"));
    cJSON_Delete(j);
    snprintf(body, sizeof body, "{\"staff\":\"staff1\",\"pin\":\"1001\",\"counter\":1}");
    CHECK_INT(request(h, "/api/login", body, csrf, &j), 200);
    cJSON_Delete(j);
    struct curl_slist *hl = curl_slist_append(NULL, "Last-Event-ID: 0");
    snprintf(url, sizeof url, "%s/api/events", base);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_sse);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_perform(h); /* ends when all arrived (or at the timeout) */
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    CHECK_MSG(s.calls == total, "replayed %d of %d calls", s.calls, total);
    int k = 0, mismatch = 0;
    for (const char *p = s.b.p; p && (p = strstr(p, "event: call\ndata: {\"id\":")); p++) {
        long long id = atoll(p + strlen("event: call\ndata: {\"id\":"));
        if (k >= norder || id != order[k])
            mismatch++;
        k++;
    }
    CHECK_MSG(mismatch == 0, "%d replayed calls differ from the store's", mismatch);
    free(s.b.p);
    free(order);

    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "server exit status %d", status);
    fclose(out);
    for (int i = 0; i < COUNTERS; i++)
        free(w[i].called);
    store_close(st);
    curl_global_cleanup();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
