/* ime_kb.h - plugs the pinyin input method (ime.h) into the on-screen
 * keyboard (app/ui/kb.h) through its kb_ime_ops interface: the keyboard's 中
 * key turns it on, its candidate bar shows our candidates (it pages them by
 * asking for candidate i), and backspace eats pinyin before field text. */
#ifndef FD_IME_KB_H
#define FD_IME_KB_H
#include "ime.h"
#include "kb.h"

struct ime_kb;

/* The operations to give kb_set_ime() with an ime_kb as ctx. */
extern const struct kb_ime_ops ime_kb_ops;

/* Wraps an open engine (not owned: the caller closes it after freeing the
 * adapter). Returns NULL when memory runs out. */
struct ime_kb *ime_kb_new(struct ime *ime);

/* Wipes and frees the adapter; NULL is a no-op. */
void ime_kb_free(struct ime_kb *k);

/* Plugs k into kb and labels the switch 中 (pinyin on) / EN (off); the
 * keyboard starts in pinyin mode when `on`, or when the engine is composing
 * (a screen rebuilt around the same field: the pinyin is kept). Returns 0
 * or -1 (a label did not fit). */
int ime_kb_attach(struct kb *kb, struct ime_kb *k, int on);

/* The visitor is done (idle reset, completed form): forgets the learning,
 * the composition and every buffer here. kb's reset op does the same. */
void ime_kb_forget(struct ime_kb *k);

#endif
