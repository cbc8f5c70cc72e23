/* kiosk_counter.c - the kiosk keeps frontdesk-counter (the counters' page and
 * API, app/counter) running as its child while the setting counter_listen is
 * set. A thread of its own starts it, waits for it (waitpid blocks: no
 * polling, nothing to do while it runs) and starts it again when it dies,
 * after a pause that doubles up to a minute while it keeps dying at once.
 * The child gets SIGTERM when the kiosk stops, and dies with the kiosk even
 * when the kiosk is killed (PR_SET_PDEATHSIG). A change of counter_listen
 * restarts the kiosk (main.c's start_keys), which starts the child anew. */
#include "kiosk_counter.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define STABLE_S 60            /* ran this long: the next death restarts at once */

struct kcounter {
    char db[PATH_MAX], listen[64], bin[PATH_MAX];  /* bin: see find_bin */
    sigset_t child_mask;       /* the signal mask the child starts with */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* wakes the pause early on stop */
    pid_t pid;                 /* the running child, 0 = none */
    int stop;
    int starts;                /* how many times it was started */
};

/* The program: beside this one (installed), or in the build tree's
 * app/counter (development), else by name from PATH. */
static void find_bin(char *out, size_t len)
{
    char self[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(out, len, "%s/frontdesk-counter", self);
            if (access(out, X_OK) == 0)
                return;
            snprintf(out, len, "%s/../counter/frontdesk-counter", self);
            if (access(out, X_OK) == 0)
                return;
        }
    }
    snprintf(out, len, "frontdesk-counter");
}

static pid_t spawn(struct kcounter *k)
{
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* dies with this thread, i.e. the kiosk */
        sigprocmask(SIG_SETMASK, &k->child_mask, NULL);
        execlp(k->bin, "frontdesk-counter", "--db", k->db, "--listen", k->listen, (char *)NULL);
        fprintf(stderr, "frontdesk: cannot run %s: %s\n", k->bin, strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        fprintf(stderr, "frontdesk: counter page: fork: %s\n", strerror(errno));
    return pid > 0 ? pid : 0;
}

static void *run(void *arg)
{
    struct kcounter *k = arg;
    long backoff = BACKOFF_MIN_MS;
    pthread_mutex_lock(&k->mu);
    while (!k->stop) {
        struct timespec t0, t1, until;
        pid_t pid = spawn(k);
        k->pid = pid;
        k->starts++;
        pthread_mutex_unlock(&k->mu);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int status = 0;
        if (pid > 0)
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pthread_mutex_lock(&k->mu);
        k->pid = 0;
        if (k->stop)
            break;
        fprintf(stderr, "frontdesk: frontdesk-counter stopped (status %d); starting it again\n",
                status);
        backoff = t1.tv_sec - t0.tv_sec >= STABLE_S ? BACKOFF_MIN_MS
                  : backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
        until = t1;
        until.tv_sec += backoff / 1000;
        while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

struct kcounter *kcounter_start(const char *db, const char *listen, const sigset_t *child_mask)
{
    pthread_condattr_t ca;
    struct kcounter *k;
    if (!listen || !*listen)
        return NULL;
    if (!(k = calloc(1, sizeof *k)))
        return NULL;
    snprintf(k->db, sizeof k->db, "%s", db);
    snprintf(k->listen, sizeof k->listen, "%s", listen);
    find_bin(k->bin, sizeof k->bin);
    k->child_mask = *child_mask;
    pthread_mutex_init(&k->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        fprintf(stderr, "frontdesk: counter page: no thread\n");
        free(k);
        return NULL;
    }
    fprintf(stderr, "frontdesk: starting the counter page (%s) on %s\n", k->bin, listen);
    return k;
}

void kcounter_stop(struct kcounter *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = 1;
    if (k->pid > 0)
        kill(k->pid, SIGTERM);
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    free(k);
}
