/* voice.h - the lobby's call announcements: a chime, then "请 A012 号到 3 号
 * 窗口" and "Number A012, please go to counter 3", spoken offline by
 * espeak-ng (Mandarin and English voices) and played through SDL audio.
 * Calls wait in a queue and are played one after the other on a worker
 * thread, each whole: they never overlap and never cut each other off.
 * With the voice off only the chime plays. One voice per process (espeak-ng
 * keeps global state); voice_text and voice_render need no audio device. */
#ifndef FD_VOICE_H
#define FD_VOICE_H
#include <stddef.h>
#include <stdint.h>

#define VOICE_QUEUE_MAX 32   /* calls waiting; past it a new call is dropped (logged) */
#define VOICE_MAX_S 30       /* an announcement longer than this is cut at synthesis */

/* Languages spoken and their order. */
enum voice_order { VOICE_ZH_EN, VOICE_EN_ZH, VOICE_ZH, VOICE_EN };

struct voice_config {
    int speak;               /* 0: chime only */
    enum voice_order order;
    int volume;              /* 0..100 */
};

/* Parses "zh,en", "en,zh", "zh" or "en"; returns 0 or -1. */
int voice_order_parse(const char *s, enum voice_order *out);

/* The announcement as shown/spoken for ticket `label` at `counter` in one
 * language (zh 1: Chinese). Returns 0, or -1 when it does not fit buf. */
int voice_text(const char *label, int counter, int zh, char *buf, size_t len);

/* Renders one whole announcement (chime, pause, then the languages of
 * cfg->order) as signed 16-bit mono PCM at voice_rate() Hz into a malloc'd
 * *pcm of *n samples (free() it). Must not run while a voice worker is open
 * in this process (espeak-ng is not reentrant). Returns 0, or -1 with a
 * sentence in err (espeak-ng cannot start, no such voice, no memory). */
int voice_render(const struct voice_config *cfg, const char *label, int counter,
                 int16_t **pcm, size_t *n, char *err, size_t errlen);

/* Samples per second of voice_render and of the audio device. */
int voice_rate(void);

struct voice;

/* Opens the default SDL audio output (SDL_AUDIODRIVER picks a driver; the
 * "disk" driver writes the exact samples to SDL_DISKAUDIOFILE, for tests)
 * and starts the worker. Returns 0 and *out, or -1 with a sentence in err
 * (no audio device, espeak-ng data missing): the lobby then stays silent. */
int voice_open(const struct voice_config *cfg, struct voice **out, char *err, size_t errlen);

/* Queues an announcement (a recall is queued like a new call, so it is
 * repeated). Returns 0, or -1 when VOICE_QUEUE_MAX calls are waiting. Any
 * thread. */
int voice_call(struct voice *v, const char *label, int counter);

/* Queues text to be read aloud (elder mode's "read aloud" on the kiosk) in
 * Mandarin (zh 1; Chinese characters are read through espeak-ng's pinyin
 * voice) or English, without the chime; it is cut at VOICE_TEXT_MAX bytes
 * and at VOICE_MAX_S seconds of speech. Returns 0, or -1 when the queue is
 * full or there is no memory. Any thread; never waits for the speech. */
#define VOICE_TEXT_MAX 2000
int voice_say(struct voice *v, const char *text, int zh);

/* Drops everything queued and cuts what is playing. Any thread. */
void voice_hush(struct voice *v);

/* Waits until every queued call has been played to the end, at most
 * timeout_ms. Returns 0, or -1 on timeout. For tests and tools. */
int voice_drain(struct voice *v, int timeout_ms);

/* Announcements played to the end so far. */
unsigned voice_played(struct voice *v);

/* For tests: fn is called on the worker thread with each announcement
 * exactly as it is handed to the audio device (espeak-ng's output varies by
 * a few samples from one synthesis to the next, so a test cannot render its
 * own copy to compare). Set it before the first call. */
typedef void (*voice_tap_fn)(void *ctx, const char *label, int counter, const int16_t *pcm,
                             size_t n);
void voice_set_tap(struct voice *v, voice_tap_fn fn, void *ctx);

/* Stops the worker (a playing announcement is cut: the program is leaving),
 * closes the device. NULL is fine. */
void voice_close(struct voice *v);

#endif
