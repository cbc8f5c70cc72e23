/* kiosk_read.c - the kiosk's reader (kiosk_read.h): one thread takes the
 * newest request (a text replaces one not yet started), opens the voice at
 * the first one and hands the text to it line by line (each widget's text
 * is one announcement, so none reaches VOICE_MAX_S); the voice's own worker
 * synthesises and plays. The UI thread only copies the text under a mutex. */
#include "kiosk_read.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kread {
    struct voice_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *text;          /* the request not yet handed over, or NULL */
    int zh;
    int hush;            /* a hush not yet handed over */
    int stop;
    int failed;          /* the voice could not open: requests are dropped */
    unsigned asked, done;/* requests taken, and read to the end */
    struct voice *v;     /* opened by the thread */
};

/* A newer request (a text, a hush) or the stop came. */
static int interrupted(struct kread *r)
{
    pthread_mutex_lock(&r->mu);
    int i = r->stop || r->text || r->hush;
    pthread_mutex_unlock(&r->mu);
    return i;
}

static void *reader(void *arg)
{
    struct kread *r = arg;
    char err[160];
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && !r->text && !r->hush)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->stop)
            break;
        char *text = r->text;
        int zh = r->zh, hush = r->hush;
        r->text = NULL;
        r->hush = 0;
        pthread_mutex_unlock(&r->mu);
        if (text && !r->v && !r->failed) {
            struct voice *v = NULL;
            int bad = voice_open(&r->cfg, &v, err, sizeof err);
            if (bad)
                fprintf(stderr, "frontdesk: read aloud is off: %s\n", err);
            pthread_mutex_lock(&r->mu);
            r->v = v;
            r->failed = bad;
            pthread_mutex_unlock(&r->mu);
        }
        if (r->v && (hush || text))
            voice_hush(r->v);
        if (r->v && text) {
            char *save = NULL;
            for (char *line = strtok_r(text, "\n", &save); line && !interrupted(r);
                 line = strtok_r(NULL, "\n", &save))
                voice_say(r->v, line, zh);
            /* to the end, unless a hush or a new text comes first */
            while (voice_drain(r->v, 100) < 0 && !interrupted(r))
                ;
        }
        free(text);
        pthread_mutex_lock(&r->mu);
        if (text)
            r->done++;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

struct kread *kread_start(const struct voice_config *cfg)
{
    struct kread *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *cfg;
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca; /* kread_wait's deadline is monotonic */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&r->thread, NULL, reader, r) != 0) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        return NULL;
    }
    return r;
}

int kread_say(struct kread *r, const char *text, int zh)
{
    char *copy = r && text ? strdup(text) : NULL;
    if (!copy)
        return -1;
    pthread_mutex_lock(&r->mu);
    int failed = r->failed;
    struct voice *v = r->v;
    if (!failed) {
        if (r->text)
            r->done++; /* replaced before it started: it counts as over */
        free(r->text);
        r->text = copy;
        r->zh = zh;
        r->asked++;
        copy = NULL;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    /* the thread may be reading: a new text cuts it (it hushes first) */
    if (!failed && v)
        voice_hush(v);
    free(copy);
    return failed ? -1 : 0;
}

void kread_hush(struct kread *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    if (r->text)
        r->done++;
    free(r->text);
    r->text = NULL;
    r->hush = 1;
    pthread_cond_broadcast(&r->cv);
    struct voice *v = r->v;
    pthread_mutex_unlock(&r->mu);
    if (v)
        voice_hush(v);
}

int kread_busy(struct kread *r)
{
    pthread_mutex_lock(&r->mu);
    int busy = r->done < r->asked;
    pthread_mutex_unlock(&r->mu);
    return busy;
}

int kread_wait(struct kread *r, int timeout_ms)
{
    struct timespec until;
    int rc = 0;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&r->mu);
    while (r->done < r->asked && rc == 0)
        rc = pthread_cond_timedwait(&r->cv, &r->mu, &until) ? -1 : 0;
    int n = rc ? -1 : (int)r->done;
    pthread_mutex_unlock(&r->mu);
    return n;
}

void kread_stop(struct kread *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->cv);
    struct voice *v = r->v;
    pthread_mutex_unlock(&r->mu);
    if (v)
        voice_hush(v); /* the thread may be waiting for the speech */
    pthread_join(r->thread, NULL);
    voice_close(r->v);
    free(r->text);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
