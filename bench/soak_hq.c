/* soak_hq.c - head office under a fleet and under attack (issue 16): 50
 * kiosks sync every ~2 s over TLS through Debian's nginx with the shipped
 * configuration (packaging/nginx/frontdesk-hq.conf) in front of two
 * frontdesk-hq instances on one database, for a while, twice: once alone
 * (the baseline), once with hostile clients mixed in:
 *   - 40 connections that open and say nothing (a TLS handshake never made),
 *     opened again whenever the proxy cuts them;
 *   - 20 uploads that trickle a 2 MiB body at 200 bytes a second;
 *   - 4 clients flooding /v1/enroll with garbage;
 *   - 4 clients hammering /health and /metrics;
 *   - one enrolled key sending a gzip bomb (16 KB inflating to 15 MiB of
 *     tiny values) every 2 s.
 * Prints, per run and as hostile/baseline ratios: syncs completed, failed,
 * the p50 and p99 sync time, and head office's peak memory (VmHWM of each
 * instance). Every kiosk here comes from 127.0.0.1, so the per-address
 * limits of the proxy are raised for this bench (else they would throttle the
 * fleet itself); the hostile clients then meet the deadlines, the body caps
 * and head office's own limits. FDHQ_TEST_DB (bench/soak_hq.sh --pg) runs it
 * on PostgreSQL.
 * Usage: soak_hq [seconds per run=600] [kiosks=50] */
#include "harness.h"
#include "nginx_harness.h"
#include "sync.h"
#include "sync_wire.h"

#include <curl/curl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#ifndef FD_NGINX_CONF
#error FD_NGINX_CONF is set by CMake
#endif

static atomic_int stop;
static int proxy_port;
static char cert[512], hqdb[512], url_direct[128];
static atomic_long hostile_sent, hostile_refused, bombs_refused, slow_cut;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct kiosk {
    int no;
    double *times;            /* seconds of each sync round */
    int n, cap, failed;
};

static void *kiosk_run(void *arg)
{
    struct kiosk *ks = arg;
    char path[512], tok[128], err[512], sql[1024];
    struct sync_result res;
    snprintf(path, sizeof path, "%s/k%d.sqlite", h_dir, ks->no);
    sqlite3 *k = h_kiosk_create(path);
    if (!k || h_token(hqdb, "Soak", tok, sizeof tok) != 0 ||
        sync_enroll(k, url_direct, tok, err, sizeof err) != SYNC_OK) {
        fprintf(stderr, "kiosk %d: cannot enrol: %s\n", ks->no, err);
        if (k)
            sqlite3_close(k);
        return NULL;
    }
    /* from now on through the proxy, over TLS */
    snprintf(sql, sizeof sql,
             "UPDATE sync_state SET hq_url = 'https://127.0.0.1:%d', ca_file = '%s'",
             proxy_port, cert);
    h_exec(k, sql);
    for (int seed = ks->no * 100000; !atomic_load(&stop); seed++) {
        h_activity(k, 3, seed);
        double t0 = now_s();
        int rc = sync_round(k, 0, &res, err, sizeof err);
        double dt = now_s() - t0;
        if (rc == SYNC_OK) {
            if (ks->n == ks->cap) {
                ks->cap = ks->cap ? ks->cap * 2 : 512;
                ks->times = realloc(ks->times, (size_t)ks->cap * sizeof *ks->times);
            }
            ks->times[ks->n++] = dt;
        } else {
            ks->failed++;
        }
        usleep(1500000 + (useconds_t)(random() % 1000000));
    }
    sqlite3_close(k);
    return NULL;
}

/* ---- hostile clients ---- */

static size_t sink(char *d, size_t s, size_t n, void *c)
{
    (void)d, (void)c;
    return s * n;
}

static CURL *hostile_curl(const char *path)
{
    char url[256];
    CURL *c = curl_easy_init();
    snprintf(url, sizeof url, "https://127.0.0.1:%d%s", proxy_port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, cert);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    return c;
}

static long perform(CURL *c)
{
    long code = 0;
    hostile_sent++;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200)
        hostile_refused++;
    return code;
}

static void *silent_run(void *arg)
{
    int fds[40];
    (void)arg;
    for (int i = 0; i < 40; i++)
        fds[i] = -1;
    while (!atomic_load(&stop)) {
        for (int i = 0; i < 40; i++) {
            struct pollfd p = {fds[i], POLLIN, 0};
            char b[64];
            if (fds[i] >= 0 && poll(&p, 1, 0) > 0 && read(fds[i], b, sizeof b) <= 0) {
                close(fds[i]);
                fds[i] = -1;
                slow_cut++;
            }
            if (fds[i] < 0) {
                struct sockaddr_in sa;
                memset(&sa, 0, sizeof sa);
                sa.sin_family = AF_INET;
                sa.sin_port = htons((uint16_t)proxy_port);
                sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                fds[i] = socket(AF_INET, SOCK_STREAM, 0);
                if (fds[i] >= 0 && connect(fds[i], (struct sockaddr *)&sa, sizeof sa) != 0) {
                    close(fds[i]);
                    fds[i] = -1;
                }
            }
        }
        usleep(200000);
    }
    for (int i = 0; i < 40; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return NULL;
}

static void *trickle_run(void *arg)
{
    static char body[2 << 20];
    (void)arg;
    while (!atomic_load(&stop)) {
        CURL *c = hostile_curl("/v1/push");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)sizeof body);
        curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)200);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        if (perform(c) == 0)
            slow_cut++;
        curl_easy_cleanup(c);
    }
    return NULL;
}

static void *enroll_flood_run(void *arg)
{
    char junk[4000];
    (void)arg;
    memset(junk, '{', sizeof junk);
    while (!atomic_load(&stop)) {
        CURL *c = hostile_curl("/v1/enroll");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, junk);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)sizeof junk);
        perform(c);
        curl_easy_cleanup(c);
    }
    return NULL;
}

static void *hammer_run(void *arg)
{
    int i = 0;
    (void)arg;
    CURL *h = hostile_curl("/health"), *m = hostile_curl("/metrics");
    while (!atomic_load(&stop))
        perform(i++ % 2 ? h : m);
    curl_easy_cleanup(h);
    curl_easy_cleanup(m);
    return NULL;
}

static void *bomb_run(void *arg)
{
    char path[512], tok[128], err[512], dev[65], hdr[4][200], nonce[SYNC_NONCE_HEX + 1],
        sig[SYNC_SIG_HEX + 1];
    unsigned char sk[64], *gz = NULL;
    size_t cap = 15u << 20, n = 0, gz_len = 0;
    (void)arg;
    snprintf(path, sizeof path, "%s/bomber.sqlite", h_dir);
    sqlite3 *k = h_kiosk_create(path);
    if (!k || h_token(hqdb, "Bomber", tok, sizeof tok) != 0 ||
        sync_enroll(k, url_direct, tok, err, sizeof err) != SYNC_OK ||
        sync_device_key(k, dev, sk, err, sizeof err) != SYNC_OK) {
        fprintf(stderr, "bomber: %s\n", err);
        return NULL;
    }
    sqlite3_close(k);
    char *plain = malloc(cap + 256);
    n += (size_t)sprintf(plain, "{\"device_id\":\"%s\",\"epoch\":1,\"records\":[{\"seq\":1,"
                                "\"type\":\"memo\",\"v\":1,\"record\":{\"id\":1", dev);
    while (n + 8 < cap) {
        memcpy(plain + n, ",\"a\":[]", 7);
        n += 7;
    }
    n += (size_t)sprintf(plain + n, "}}]}");
    sync_gzip(plain, n, &gz, &gz_len);
    free(plain);
    while (!atomic_load(&stop)) {
        struct curl_slist *l = NULL;
        long long ts = (long long)time(NULL);
        CURL *c = hostile_curl("/v1/push");
        sync_nonce(nonce);
        sync_sign(sk, "POST", "/v1/push", gz, gz_len, dev, ts, nonce, sig);
        snprintf(hdr[0], sizeof hdr[0], "X-FD-Device: %s", dev);
        snprintf(hdr[1], sizeof hdr[1], "X-FD-Timestamp: %lld", ts);
        snprintf(hdr[2], sizeof hdr[2], "X-FD-Nonce: %s", nonce);
        snprintf(hdr[3], sizeof hdr[3], "X-FD-Signature: %s", sig);
        for (int i = 0; i < 4; i++)
            l = curl_slist_append(l, hdr[i]);
        l = curl_slist_append(l, "Content-Encoding: gzip");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, gz);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)gz_len);
        if (perform(c) == 413)
            bombs_refused++;
        curl_easy_cleanup(c);
        curl_slist_free_all(l);
        sleep(2);
    }
    free(gz);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct result {
    long syncs, failed;
    double p50, p99;
    long long peak_a, peak_b; /* KiB */
    long sent, refused, bombs, cut;
};

static long long hwm(pid_t pid)
{
    char path[64], line[256];
    long long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atoll(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static int run(int seconds, int nk, int hostile, struct result *r)
{
    struct h_server a, b;
    struct h_nginx ng;
    pthread_t kt[256], ht[32];
    struct kiosk ks[256];
    int nh = 0;

    memset(r, 0, sizeof *r);
    memset(ks, 0, sizeof ks);
    hostile_sent = hostile_refused = bombs_refused = slow_cut = 0;
    atomic_store(&stop, 0);
    h_mkdir("soak");
    h_hq_db(hqdb, sizeof hqdb, "hq.sqlite");
    if (h_server_start(&a, hqdb, 0, NULL, "--per-ip-limit", "0") != 0 ||
        h_server_start(&b, hqdb, 0, NULL, "--per-ip-limit", "0") != 0)
        return -1;
    snprintf(url_direct, sizeof url_direct, "http://127.0.0.1:%d", a.port);
    /* every client of this bench is 127.0.0.1: the per-address limits would
     * throttle the fleet itself */
    if (h_nginx_start(&ng, FD_NGINX_CONF, a.port, b.port,
                      "-e 's|rate=20r/s|rate=2000r/s|' -e 's|limit_conn fdhq_conn 16;|"
                      "limit_conn fdhq_conn 400;|' -e 's|burst=40|burst=400|'") != 0)
        return -1;
    proxy_port = ng.port;
    snprintf(cert, sizeof cert, "%s", ng.cert);
    for (int i = 0; i < nk; i++) {
        ks[i].no = i + 1;
        pthread_create(&kt[i], NULL, kiosk_run, &ks[i]);
    }
    if (hostile) {
        pthread_create(&ht[nh++], NULL, silent_run, NULL);
        for (int i = 0; i < 20; i++)
            pthread_create(&ht[nh++], NULL, trickle_run, NULL);
        for (int i = 0; i < 4; i++)
            pthread_create(&ht[nh++], NULL, enroll_flood_run, NULL);
        for (int i = 0; i < 4; i++)
            pthread_create(&ht[nh++], NULL, hammer_run, NULL);
        pthread_create(&ht[nh++], NULL, bomb_run, NULL);
    }
    sleep((unsigned)seconds);
    atomic_store(&stop, 1);
    for (int i = 0; i < nk; i++)
        pthread_join(kt[i], NULL);
    for (int i = 0; i < nh; i++)
        pthread_join(ht[i], NULL);
    r->peak_a = hwm(a.pid);
    r->peak_b = hwm(b.pid);
    h_nginx_stop(&ng);
    h_server_stop(&a, 0);
    h_server_stop(&b, 0);

    size_t total = 0;
    for (int i = 0; i < nk; i++) {
        total += (size_t)ks[i].n;
        r->failed += ks[i].failed;
    }
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t o = 0;
    for (int i = 0; i < nk; i++) {
        memcpy(all + o, ks[i].times, (size_t)ks[i].n * sizeof *all);
        o += (size_t)ks[i].n;
        free(ks[i].times);
    }
    qsort(all, total, sizeof *all, cmp_d);
    r->syncs = (long)total;
    r->p50 = total ? all[total / 2] : 0;
    r->p99 = total ? all[(size_t)((double)(total - 1) * 0.99)] : 0;
    free(all);
    r->sent = hostile_sent;
    r->refused = hostile_refused;
    r->bombs = bombs_refused;
    r->cut = slow_cut;
    h_rmdir();
    return 0;
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 600, nk = argc > 2 ? atoi(argv[2]) : 50;
    struct result base, hot;
    if (!h_nginx_bin()) {
        fprintf(stderr, "soak_hq: nginx is not installed (packaging/deps/hq.txt)\n");
        return 2;
    }
    if (seconds < 5 || nk < 1 || nk > 256) {
        fprintf(stderr, "usage: soak_hq [seconds per run >= 5] [kiosks 1..256]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sync_wire_init();
    printf("soak_hq: %d kiosks, %d s per run, two frontdesk-hq (%s) behind nginx\n", nk, seconds,
           getenv("FDHQ_TEST_DB") ? "PostgreSQL" : "SQLite");
    fflush(stdout);
    if (run(seconds, nk, 0, &base) != 0 || run(seconds, nk, 1, &hot) != 0) {
        fprintf(stderr, "soak_hq: could not start\n");
        return 1;
    }
    printf("%-28s %12s %12s %8s\n", "", "baseline", "hostile", "ratio");
    printf("%-28s %12ld %12ld %8.2f\n", "syncs completed", base.syncs, hot.syncs,
           base.syncs ? (double)hot.syncs / (double)base.syncs : 0.0);
    printf("%-28s %12ld %12ld\n", "syncs failed", base.failed, hot.failed);
    printf("%-28s %12.3f %12.3f %8.2f\n", "p50 sync time (s)", base.p50, hot.p50,
           base.p50 > 0 ? hot.p50 / base.p50 : 0.0);
    printf("%-28s %12.3f %12.3f %8.2f\n", "p99 sync time (s)", base.p99, hot.p99,
           base.p99 > 0 ? hot.p99 / base.p99 : 0.0);
    printf("%-28s %12.1f %12.1f %8.2f\n", "hq peak RSS, larger (MiB)",
           (double)(base.peak_a > base.peak_b ? base.peak_a : base.peak_b) / 1024,
           (double)(hot.peak_a > hot.peak_b ? hot.peak_a : hot.peak_b) / 1024,
           (double)(hot.peak_a > hot.peak_b ? hot.peak_a : hot.peak_b) /
               (double)(base.peak_a > base.peak_b ? base.peak_a : base.peak_b));
    printf("hostile requests: %ld sent, %ld refused or cut; gzip bombs refused: %ld;"
           " silent/slow connections cut: %ld\n",
           hot.sent, hot.refused, hot.bombs, hot.cut);
    curl_global_cleanup();
    return 0;
}
