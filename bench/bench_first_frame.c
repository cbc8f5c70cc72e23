/* bench_first_frame.c - time from exec to the first frame a program presents
 * (issue 18: "first frame as the visitor sees it"). Each program prints
 * "presented NS CPU_NS" (CLOCK_MONOTONIC; its CPU time so far) on stdout
 * right after its first SDL_RenderPresent: bench_bare_frame always, the
 * kiosk with --first-frame (a test-hooks build). This launcher reads the clock, forks and execs,
 * reads that line, then stops the program (SIGTERM) and waits for it. The
 * programs are run in turns, ROUNDS times, so all see the same machine.
 * Prints per program the median, the fastest and the slowest, and each
 * median as a ratio of the first program's (the floor); then the same for
 * the CPU time the program had used by then (all its threads), which a
 * busy machine disturbs less than the wall clock.
 * Usage: bench_first_frame ROUNDS LABEL CMD [ARGS...] [-- LABEL CMD ...]... */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROGS 8
#define MAX_ROUNDS 200

struct prog {
    const char *label;
    char **argv;          /* NULL-terminated, points into main's argv */
    double ms[MAX_ROUNDS];  /* exec to present */
    double cpu[MAX_ROUNDS]; /* CPU used by then */
    int n;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs p once. Returns exec-to-present in ms (and the CPU ms in *cpu_ms),
 * or -1 (the program failed or printed nothing within 60 s). */
static double run_once(const struct prog *p, double *cpu_ms)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    long long t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(p->argv[0], p->argv);
        _exit(127);
    }
    close(fds[1]);
    char buf[4096];
    size_t got = 0;
    long long at = -1;
    while (at < 0 && got < sizeof buf - 1) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int r = poll(&pfd, 1, 60000);
        if (r <= 0)
            break;
        ssize_t n = read(fds[0], buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        char *line = strstr(buf, "presented ");
        if (line && strchr(line, '\n')) {
            char *end;
            at = strtoll(line + 10, &end, 10);
            *cpu_ms = (double)strtoll(end, NULL, 10) / 1e6;
        }
    }
    kill(pid, SIGTERM);
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return at < 0 ? -1 : (double)(at - t0) / 1e6;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Prints one table: wall clock (cpu 0) or CPU time (cpu 1). */
static void report(const char *what, struct prog *progs, int np, int rounds, int cpu)
{
    double floor_med = 0;
    printf("%s, %d rounds (ms): median  fastest  slowest  x floor\n", what, rounds);
    for (int k = 0; k < np; k++) {
        struct prog *p = &progs[k];
        double *v = cpu ? p->cpu : p->ms;
        double med = median(v, p->n);
        if (k == 0)
            floor_med = med;
        printf("  %-34s %7.1f  %7.1f  %7.1f  %5.2f\n", p->label, med, v[0],
               v[p->n - 1], floor_med > 0 ? med / floor_med : 0);
    }
}

int main(int argc, char **argv)
{
    struct prog progs[MAX_PROGS];
    int np = 0;
    int rounds = argc > 1 ? atoi(argv[1]) : 0;
    if (argc < 4 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: bench_first_frame ROUNDS(1-%d) LABEL CMD [ARGS...]"
                        " [-- LABEL CMD ...]...\n", MAX_ROUNDS);
        return 2;
    }
    for (int i = 2; i < argc;) {
        if (np == MAX_PROGS || i + 1 >= argc) {
            fprintf(stderr, "bench_first_frame: at most %d programs, each LABEL CMD\n",
                    MAX_PROGS);
            return 2;
        }
        progs[np] = (struct prog){.label = argv[i], .argv = &argv[i + 1]};
        int j = i + 1;
        while (j < argc && strcmp(argv[j], "--") != 0)
            j++;
        if (j < argc)
            argv[j++] = NULL; /* ends this program's argv */
        i = j;
        np++;
    }
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < np; k++) {
            double cpu = 0, ms = run_once(&progs[k], &cpu);
            if (ms < 0) {
                fprintf(stderr, "bench_first_frame: %s showed no frame\n",
                        progs[k].label);
                return 1;
            }
            progs[k].cpu[progs[k].n] = cpu;
            progs[k].ms[progs[k].n++] = ms;
        }
    report("exec to first frame presented", progs, np, rounds, 0);
    report("CPU used by the first frame", progs, np, rounds, 1);
    return 0;
}
