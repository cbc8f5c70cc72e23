/* bench_ime.c - what the pinyin input method costs the kiosk: the time from
 * a key press to the candidate page the bar draws (p50/p99/max over a few
 * thousand keystrokes of names, companies and phrases), the time to open the
 * engine and to forget a visitor, and the memory the engine adds (RSS before
 * and after ime_open). Prints figures beside a 60 Hz frame; never fails on
 * time. Usage: bench_ime [rounds]   (default 10 rounds of the word list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ime.h"

/* Typed as a visitor would: names, company names, phrases of a complaint. */
static const char *const words[] = {
    "zhangsan", "wangxiaoming", "lisi", "liuyang", "chenjing", "zhaolei",
    "beijing", "shanghaishi", "zhongguoyinhang", "gongshangyinhang",
    "beijingshifengjishu", "huaweijishuyouxiangongsi", "tengxunkeji",
    "xiaomikeji", "wolaibanliyewu", "wozhaowangjingli", "fuwutaidule",
    "dengdaishijiantaichang", "xiexienimen", "woyaotousu", "zhanghaowenti",
    "mimawangjile", "shenfenzheng", "shoujihaoma", "gongzuorenyuan",
    "qingwenzainali", "feichangmanyi", "youyigewenti", "zhongguoshiyou",
    "nongyeyinhang",
};
#define NWORDS (sizeof words / sizeof words[0])

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Resident set size in KiB, from /proc/self/statm (0 if unreadable). */
static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* What the candidate bar does after every key: read the preedit and the
 * strings of the page it shows. */
static void read_bar(struct ime *ime)
{
    char buf[IME_TEXT_MAX];
    size_t first, count;
    ime_preedit(ime, buf, sizeof buf);
    ime_page(ime, &first, &count);
    for (size_t i = first; i < first + count; i++)
        ime_candidate(ime, i, buf, sizeof buf);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    char err[256], out[IME_TEXT_MAX];
    if (rounds < 1 || rounds > 1000)
        rounds = 10;

    /* Memory: the first open in the process, as on the kiosk. */
    long rss0 = rss_kib();
    double t0 = now_us();
    struct ime *ime = ime_open(NULL, err, sizeof err);
    double first_open = now_us() - t0;
    if (!ime) {
        fprintf(stderr, "bench_ime: %s\n", err);
        return 1;
    }
    long rss1 = rss_kib();

    /* Keystroke to candidates. */
    size_t cap = (size_t)rounds * NWORDS * 40, n = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (!lat)
        return 1;
    for (int r = 0; r < rounds; r++) {
        for (size_t w = 0; w < NWORDS; w++) {
            const char *k = words[w];
            for (; *k && n < cap; k++) {
                double s = now_us();
                ime_key(ime, (unsigned char)*k);
                read_bar(ime);
                lat[n++] = now_us() - s;
            }
            /* Every fifth word: a typo fixed with backspace, then on. */
            if (w % 5 == 0 && n + 2 < cap) {
                double s = now_us();
                ime_key(ime, IME_KEY_BACKSPACE);
                read_bar(ime);
                lat[n++] = now_us() - s;
                s = now_us();
                ime_key(ime, (unsigned char)k[-1]);
                read_bar(ime);
                lat[n++] = now_us() - s;
            }
            double s = now_us();
            ime_key(ime, ' '); /* the best sentence, learned */
            ime_take_commit(ime, out, sizeof out);
            lat[n++] = now_us() - s;
        }
    }
    long rss2 = rss_kib();

    /* Forget a visitor (the idle reset), many times. */
    enum { FORGETS = 200 };
    static double fg[FORGETS];
    for (int i = 0; i < FORGETS; i++) {
        ime_key(ime, 'n');
        ime_key(ime, 'i');
        ime_key(ime, ' ');
        ime_take_commit(ime, out, sizeof out);
        double s = now_us();
        ime_forget(ime);
        fg[i] = now_us() - s;
    }
    long rss3 = rss_kib();
    ime_close(ime);

    /* Open again a few times (the library re-reads the 1 MB dictionary). */
    enum { OPENS = 10 };
    static double op[OPENS];
    for (int i = 0; i < OPENS; i++) {
        double s = now_us();
        ime = ime_open(NULL, err, sizeof err);
        op[i] = now_us() - s;
        ime_close(ime);
    }

    qsort(lat, n, sizeof *lat, cmp_double);
    qsort(fg, FORGETS, sizeof *fg, cmp_double);
    qsort(op, OPENS, sizeof *op, cmp_double);
    const double frame = 1e6 / 60.0;
    printf("ime keystroke->candidates: %zu keys  p50 %.1f us  p99 %.1f us  "
           "max %.1f us  (p99 = %.2f%% of a 60 Hz frame)\n",
           n, pct(lat, n, 0.50), pct(lat, n, 0.99), lat[n - 1],
           100.0 * pct(lat, n, 0.99) / frame);
    printf("ime open: first %.2f ms  later p50 %.2f ms  max %.2f ms\n",
           first_open / 1e3, pct(op, OPENS, 0.5) / 1e3, op[OPENS - 1] / 1e3);
    printf("ime forget: p50 %.1f us  p99 %.1f us  max %.1f us  (%d visitors)\n",
           pct(fg, FORGETS, 0.5), pct(fg, FORGETS, 0.99), fg[FORGETS - 1],
           FORGETS);
    printf("ime memory: RSS %ld KiB before open, %ld after (+%ld), %ld after "
           "typing (+%ld), %ld after %d forgets (+%ld)\n",
           rss0, rss1, rss1 - rss0, rss2, rss2 - rss1, rss3, FORGETS,
           rss3 - rss2);
    free(lat);
    return 0;
}
