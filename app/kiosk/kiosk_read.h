/* kiosk_read.h - elder mode's "read aloud / 朗读" for the kiosk: the screen's
 * text is read by app/voice (espeak-ng) on threads of its own, so a tap on
 * the button never waits for the synthesis, the audio device or the speech.
 * The audio device is opened at the first request, not at start (a kiosk
 * whose visitors never ask keeps no device open, and the first frame does
 * not wait for it). */
#ifndef KIOSK_READ_H
#define KIOSK_READ_H
#include "voice.h"

struct kread;

/* Starts the reader's thread (no audio yet). NULL on no memory. */
struct kread *kread_start(const struct voice_config *cfg);

/* Reads text (one line per widget) in Chinese (zh 1) or English, replacing
 * whatever is being read. Returns at once: 0, or -1 when the reader could
 * not start its voice (no audio device: logged once). */
int kread_say(struct kread *r, const char *text, int zh);

/* Stops reading (the visitor has gone). */
void kread_hush(struct kread *r);

/* Tests: waits up to timeout_ms (real time) until everything asked for has
 * been read to the end; returns the texts read so far, or -1 on timeout. */
int kread_wait(struct kread *r, int timeout_ms);

/* 1 while a text is waiting or being read. */
int kread_busy(struct kread *r);

/* Stops the thread and the voice. NULL is fine. */
void kread_stop(struct kread *r);

#endif
