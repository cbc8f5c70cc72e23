/* voice.c - call announcements (voice.h): espeak-ng synthesises into a
 * buffer (AUDIO_OUTPUT_SYNCHRONOUS, no audio of its own), the chime is a
 * generated two-tone "ding-dong", and one worker thread feeds whole
 * announcements to an SDL audio device, waiting for each to drain before the
 * next, so two calls can never overlap. Mandarin is spoken from pinyin with
 * espeak-ng's cmn-latn-pinyin voice: Debian's Mandarin dictionary lacks
 * characters like 请 and 号, which the plain cmn voice would spell in
 * English. The words of both languages are the tables below. */
#include "voice.h"

#include <SDL.h>
#include <espeak-ng/speak_lib.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHIME_MS 700      /* two tones of 350 ms */
#define GAP_MS 250        /* chime to speech, and between the languages */
#define TAIL_MS 700       /* silence after an announcement, before the next */

/* What is shown (zh, en) and what is spoken (pinyin, SSML). %s the label,
 * %d the counter; the spoken forms get the label spelled out. */
static const char *const shown_fmt[2] = {
    "Number %s, please go to counter %d", /* [0]: English */
    "请 %s 号到 %d 号窗口",                /* [1]: Chinese */
};

/* Letters and digits in pinyin (how a Chinese queue caller says them). */
static const char *const pinyin_letter[26] = {
    "ei1", "bi4", "xi1", "di4", "yi4", "ai2 fu5", "ji4", "ai2 qi1", "ai4", "jie4",
    "kai4", "ai2 le5", "ai2 mu5", "en1", "ou1", "pi4", "kiu1", "a4", "ai2 si1", "ti4",
    "you1", "wei1", "da2 bu5 liu", "ai2 ke4 si1", "wai4", "zei4",
};
static const char *const pinyin_digit[10] = {
    "ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3",
};

static pthread_mutex_t espeak_lock = PTHREAD_MUTEX_INITIALIZER;
static int espeak_rate;       /* sample rate once initialised, 0 before */

struct pcm {
    int16_t *s;
    size_t n, cap;
    int over;                 /* hit the VOICE_MAX_S cap */
};

static int pcm_reserve(struct pcm *p, size_t more)
{
    size_t limit = (size_t)VOICE_MAX_S * (size_t)(espeak_rate ? espeak_rate : 22050);
    if (p->n + more > limit) {
        p->over = 1;
        return -1;
    }
    if (p->n + more > p->cap) {
        size_t cap = p->cap ? p->cap : 16384;
        while (cap < p->n + more)
            cap *= 2;
        int16_t *s = realloc(p->s, cap * sizeof *s);
        if (!s)
            return -1;
        p->s = s, p->cap = cap;
    }
    return 0;
}

static void pcm_silence(struct pcm *p, int ms)
{
    size_t k = (size_t)espeak_rate * (size_t)ms / 1000;
    if (pcm_reserve(p, k) == 0) {
        memset(p->s + p->n, 0, k * sizeof *p->s);
        p->n += k;
    }
}

/* A soft two-tone chime: each tone a sine with its octave, decaying. */
static void pcm_chime(struct pcm *p)
{
    static const double freq[2] = {784.0, 622.25}; /* G5, E-flat5 */
    size_t each = (size_t)espeak_rate * (CHIME_MS / 2) / 1000;
    if (pcm_reserve(p, 2 * each))
        return;
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < each; i++) {
            double x = (double)i / espeak_rate;
            double env = exp(-4.0 * x) * (i < 200 ? i / 200.0 : 1.0);
            double v = sin(2 * M_PI * freq[t] * x) + 0.3 * sin(4 * M_PI * freq[t] * x);
            p->s[p->n++] = (int16_t)(v / 1.3 * env * 14000.0);
        }
}

static int synth_cb(short *wav, int n, espeak_EVENT *ev)
{
    struct pcm *p = ev ? ev->user_data : NULL;
    if (!p || !wav || n <= 0)
        return 0;
    if (pcm_reserve(p, (size_t)n))
        return 1; /* stop synthesis: over the cap */
    memcpy(p->s + p->n, wav, (size_t)n * sizeof *wav);
    p->n += (size_t)n;
    return 0;
}

static void espeak_down(void)
{
    espeak_Terminate();
}

/* Starts espeak-ng once per process (stopped at exit); call with
 * espeak_lock held. */
static int espeak_up(char *err, size_t errlen)
{
    if (espeak_rate > 0)
        return 0;
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
        snprintf(err, errlen, "espeak-ng did not start (is espeak-ng-data installed?)");
        return -1;
    }
    espeak_SetSynthCallback(synth_cb);
    espeak_rate = rate;
    atexit(espeak_down);
    return 0;
}

int voice_rate(void)
{
    char err[128]; /* espeak_up writes a whole sentence; unused here */
    pthread_mutex_lock(&espeak_lock);
    espeak_up(err, sizeof err);
    pthread_mutex_unlock(&espeak_lock);
    return espeak_rate;
}

int voice_order_parse(const char *s, enum voice_order *out)
{
    static const char *const names[] = {"zh,en", "en,zh", "zh", "en"};
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, names[i])) {
            *out = (enum voice_order)i;
            return 0;
        }
    return -1;
}

/* A label is 1-2 capital letters and digits ("A012", "VP003"). */
static int label_ok(const char *label)
{
    size_t n = label ? strlen(label) : 0;
    if (n == 0 || n > 7)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((label[i] >= 'A' && label[i] <= 'Z') || (label[i] >= '0' && label[i] <= '9')))
            return 0;
    return 1;
}

int voice_text(const char *label, int counter, int zh, char *buf, size_t len)
{
    if (!label_ok(label) || counter < 1 || counter > 999)
        return -1;
    int n = snprintf(buf, len, shown_fmt[zh ? 1 : 0], label, counter);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A counter number the Chinese way up to 99 (十三, 二十), else digit by digit. */
static void pinyin_number(int v, char *out, size_t len)
{
    char tmp[64] = "";
    if (v < 10) {
        snprintf(out, len, "%s", pinyin_digit[v]);
        return;
    }
    if (v < 100) {
        snprintf(out, len, "%s%sshi2%s%s", v >= 20 ? pinyin_digit[v / 10] : "",
                 v >= 20 ? " " : "", v % 10 ? " " : "", v % 10 ? pinyin_digit[v % 10] : "");
        return;
    }
    snprintf(tmp, sizeof tmp, "%d", v);
    out[0] = '\0';
    for (char *c = tmp; *c; c++) {
        size_t at = strlen(out);
        snprintf(out + at, len - at, "%s%s", at ? " " : "", pinyin_digit[*c - '0']);
    }
}

/* The spoken form: pinyin for zh, SSML spelling the label for en. */
static int spoken(const char *label, int counter, int zh, char *buf, size_t len)
{
    if (!zh) {
        int n = snprintf(buf, len,
                         "<speak>Number <say-as interpret-as=\"characters\">%s</say-as>,"
                         " please go to counter %d.</speak>", label, counter);
        return n < 0 || (size_t)n >= len ? -1 : 0;
    }
    char num[64];
    size_t at = (size_t)snprintf(buf, len, "qing3");
    for (const char *c = label; *c && at < len; c++)
        at += (size_t)snprintf(buf + at, len - at, " %s",
                               *c >= 'A' ? pinyin_letter[*c - 'A'] : pinyin_digit[*c - '0']);
    pinyin_number(counter, num, sizeof num);
    if (at < len)
        at += (size_t)snprintf(buf + at, len - at, " hao4, dao4 %s hao4 chuang1 kou3.", num);
    return at < len ? 0 : -1;
}

/* Synthesises text in one language into p at `rate` words a minute, with
 * espeak_lock held. cmn-latn-pinyin reads Chinese characters too (its
 * dictionary gives their pinyin); the plain cmn voice would read that pinyin
 * as English. Past VOICE_MAX_S what was made is kept (p->over). */
static int synth(struct pcm *p, const char *text, int zh, int rate, int ssml, char *err,
                 size_t errlen)
{
    if (espeak_SetVoiceByName(zh ? "cmn-latn-pinyin" : "en") != EE_OK) {
        snprintf(err, errlen, "espeak-ng has no %s voice", zh ? "Mandarin" : "English");
        return -1;
    }
    espeak_SetParameter(espeakRATE, rate, 0);
    espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8 | (ssml ? espeakSSML : 0), NULL, p);
    espeak_Synchronize();
    if (e != EE_OK && !p->over) {
        snprintf(err, errlen, "espeak-ng failed to speak (%d)", (int)e);
        return -1;
    }
    return 0;
}

/* Hands p's samples to the caller at the configured volume (p is emptied). */
static void pcm_take(const struct voice_config *cfg, struct pcm *p, int16_t **out, size_t *n)
{
    int vol = cfg->volume < 0 ? 0 : cfg->volume > 100 ? 100 : cfg->volume;
    for (size_t i = 0; i < p->n; i++)
        p->s[i] = (int16_t)((int32_t)p->s[i] * vol / 100);
    *out = p->s, *n = p->n;
    p->s = NULL;
}

int voice_render(const struct voice_config *cfg, const char *label, int counter,
                 int16_t **out, size_t *n, char *err, size_t errlen)
{
    struct pcm p = {0};
    int rc = -1;
    *out = NULL, *n = 0;
    if (!label_ok(label) || counter < 1 || counter > 999) {
        snprintf(err, errlen, "not a ticket label and counter: %s %d", label ? label : "",
                 counter);
        return -1;
    }
    pthread_mutex_lock(&espeak_lock);
    if (espeak_up(err, errlen))
        goto out;
    pcm_chime(&p);
    if (cfg->speak) {
        int langs[2], nl = 0;
        switch (cfg->order) {
        case VOICE_ZH_EN: langs[nl++] = 1; langs[nl++] = 0; break;
        case VOICE_EN_ZH: langs[nl++] = 0; langs[nl++] = 1; break;
        case VOICE_ZH: langs[nl++] = 1; break;
        case VOICE_EN: langs[nl++] = 0; break;
        }
        for (int i = 0; i < nl; i++) {
            char text[512];
            pcm_silence(&p, GAP_MS);
            if (spoken(label, counter, langs[i], text, sizeof text)) {
                snprintf(err, errlen, "announcement too long");
                goto out;
            }
            if (synth(&p, text, langs[i], 150, !langs[i], err, errlen))
                goto out;
        }
    }
    pcm_silence(&p, TAIL_MS);
    if (!p.s || p.over) {
        snprintf(err, errlen, p.over ? "announcement longer than %d s" : "no memory",
                 VOICE_MAX_S);
        goto out;
    }
    pcm_take(cfg, &p, out, n);
    rc = 0;
out:
    pthread_mutex_unlock(&espeak_lock);
    free(p.s);
    return rc;
}

/* ---- the worker ---------------------------------------------------------- */

struct call {
    char label[8];
    int counter;
    char *text;               /* voice_say: what to read (owned), else NULL */
    int zh;
};

struct voice {
    struct voice_config cfg;
    SDL_AudioDeviceID dev;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct call q[VOICE_QUEUE_MAX]; /* ring */
    int head, count;
    int busy;                 /* an announcement is being played */
    int stop;
    int hush;                 /* voice_hush: cut what is playing */
    unsigned played;
    voice_tap_fn tap;         /* tests */
    void *tap_ctx;
};

/* Renders text read aloud (voice_say): no chime, a little slower than a
 * call; past VOICE_MAX_S what was made is kept (the rest is cut). */
static int render_text(const struct voice_config *cfg, const char *text, int zh,
                       int16_t **out, size_t *n, char *err, size_t errlen)
{
    struct pcm p = {0};
    int rc = -1;
    *out = NULL, *n = 0;
    pthread_mutex_lock(&espeak_lock);
    if (espeak_up(err, errlen))
        goto out;
    if (synth(&p, text, zh, 130, 0, err, errlen))
        goto out;
    pcm_silence(&p, GAP_MS);
    if (!p.s) {
        snprintf(err, errlen, "no memory");
        goto out;
    }
    pcm_take(cfg, &p, out, n);
    rc = 0;
out:
    pthread_mutex_unlock(&espeak_lock);
    free(p.s);
    return rc;
}

/* Plays one announcement to its end (or until stop or a hush). */
static void play(struct voice *v, const struct call *c)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    char err[160];
    if (c->text ? render_text(&v->cfg, c->text, c->zh, &pcm, &n, err, sizeof err)
                : voice_render(&v->cfg, c->label, c->counter, &pcm, &n, err, sizeof err)) {
        fprintf(stderr, "voice: %s %d: %s\n", c->label, c->counter, err);
        return;
    }
    if (v->tap)
        v->tap(v->tap_ctx, c->label, c->counter, pcm, n);
    if (SDL_QueueAudio(v->dev, pcm, (Uint32)(n * sizeof *pcm)) != 0)
        fprintf(stderr, "voice: cannot play: %s\n", SDL_GetError());
    free(pcm);
    /* Wait for the device to take it all: the next call starts after. */
    for (;;) {
        pthread_mutex_lock(&v->mu);
        int stop = v->stop || v->hush;
        pthread_mutex_unlock(&v->mu);
        if (stop)
            SDL_ClearQueuedAudio(v->dev);
        if (stop || SDL_GetQueuedAudioSize(v->dev) == 0)
            break;
        SDL_Delay(20);
    }
}

static void *worker(void *arg)
{
    struct voice *v = arg;
    pthread_mutex_lock(&v->mu);
    for (;;) {
        while (!v->stop && v->count == 0)
            pthread_cond_wait(&v->cv, &v->mu);
        if (v->stop)
            break;
        struct call c = v->q[v->head];
        v->q[v->head].text = NULL; /* ours now */
        v->head = (v->head + 1) % VOICE_QUEUE_MAX;
        v->count--;
        v->busy = 1;
        v->hush = 0;
        pthread_mutex_unlock(&v->mu);
        play(v, &c);
        free(c.text);
        pthread_mutex_lock(&v->mu);
        v->busy = 0;
        v->played++;
        pthread_cond_broadcast(&v->cv);
    }
    pthread_mutex_unlock(&v->mu);
    return NULL;
}

int voice_open(const struct voice_config *cfg, struct voice **out, char *err, size_t errlen)
{
    struct voice *v = calloc(1, sizeof *v);
    SDL_AudioSpec want = {0}, have;
    *out = NULL;
    if (!v) {
        snprintf(err, errlen, "no memory");
        return -1;
    }
    v->cfg = *cfg;
    pthread_mutex_lock(&espeak_lock);
    int up = espeak_up(err, errlen);
    pthread_mutex_unlock(&espeak_lock);
    if (up)
        goto fail;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        snprintf(err, errlen, "no audio: %s", SDL_GetError());
        goto fail;
    }
    want.freq = espeak_rate;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024;
    /* No format changes allowed: SDL converts if the hardware differs, so
     * the samples given are the samples played (the disk driver's file holds
     * them exactly, which the tests rely on). */
    v->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!v->dev) {
        snprintf(err, errlen, "no audio device: %s", SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        goto fail;
    }
    SDL_PauseAudioDevice(v->dev, 0);
    pthread_mutex_init(&v->mu, NULL);
    pthread_condattr_t ca; /* voice_drain's deadline is monotonic: see there */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&v->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&v->thread, NULL, worker, v) != 0) {
        snprintf(err, errlen, "cannot start the voice thread");
        SDL_CloseAudioDevice(v->dev);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        pthread_mutex_destroy(&v->mu);
        pthread_cond_destroy(&v->cv);
        goto fail;
    }
    *out = v;
    return 0;
fail:
    free(v);
    return -1;
}

int voice_call(struct voice *v, const char *label, int counter)
{
    int rc = -1;
    if (!v || !label_ok(label))
        return -1;
    pthread_mutex_lock(&v->mu);
    if (v->count < VOICE_QUEUE_MAX) {
        struct call *c = &v->q[(v->head + v->count) % VOICE_QUEUE_MAX];
        memset(c, 0, sizeof *c);
        snprintf(c->label, sizeof c->label, "%s", label);
        c->counter = counter;
        v->count++;
        pthread_cond_broadcast(&v->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&v->mu);
    if (rc)
        fprintf(stderr, "voice: %d calls waiting, %s dropped\n", VOICE_QUEUE_MAX, label);
    return rc;
}

int voice_say(struct voice *v, const char *text, int zh)
{
    int rc = -1;
    size_t n = text ? strnlen(text, VOICE_TEXT_MAX) : 0;
    char *copy = n ? malloc(n + 1) : NULL;
    if (!v || !copy) {
        free(copy);
        return -1;
    }
    memcpy(copy, text, n); /* cut at the cap: the rest is not read */
    copy[n] = '\0';
    pthread_mutex_lock(&v->mu);
    if (v->count < VOICE_QUEUE_MAX) {
        struct call *c = &v->q[(v->head + v->count) % VOICE_QUEUE_MAX];
        memset(c, 0, sizeof *c);
        c->text = copy;
        c->zh = zh ? 1 : 0;
        copy = NULL;
        v->count++;
        pthread_cond_broadcast(&v->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&v->mu);
    free(copy);
    return rc;
}

void voice_hush(struct voice *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->mu);
    while (v->count > 0) {
        free(v->q[v->head].text);
        v->q[v->head].text = NULL;
        v->head = (v->head + 1) % VOICE_QUEUE_MAX;
        v->count--;
    }
    if (v->busy)
        v->hush = 1;
    pthread_cond_broadcast(&v->cv);
    pthread_mutex_unlock(&v->mu);
}

int voice_drain(struct voice *v, int timeout_ms)
{
    struct timespec until;
    int rc = 0;
    /* Monotonic, as v->cv is: a wall clock stepped at boot (no RTC battery)
     * must neither cut the wait short nor stretch it. */
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&v->mu);
    while ((v->count || v->busy) && rc == 0)
        rc = pthread_cond_timedwait(&v->cv, &v->mu, &until) ? -1 : 0;
    pthread_mutex_unlock(&v->mu);
    return rc;
}

void voice_set_tap(struct voice *v, voice_tap_fn fn, void *ctx)
{
    pthread_mutex_lock(&v->mu);
    v->tap = fn, v->tap_ctx = ctx;
    pthread_mutex_unlock(&v->mu);
}

unsigned voice_played(struct voice *v)
{
    pthread_mutex_lock(&v->mu);
    unsigned n = v->played;
    pthread_mutex_unlock(&v->mu);
    return n;
}

void voice_close(struct voice *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->mu);
    v->stop = 1;
    pthread_cond_broadcast(&v->cv);
    pthread_mutex_unlock(&v->mu);
    pthread_join(v->thread, NULL);
    for (; v->count > 0; v->count--, v->head = (v->head + 1) % VOICE_QUEUE_MAX)
        free(v->q[v->head].text); /* texts never read */
    SDL_CloseAudioDevice(v->dev);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    pthread_mutex_destroy(&v->mu);
    pthread_cond_destroy(&v->cv);
    free(v);
}
