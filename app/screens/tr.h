/* tr.h - the kiosk's visitor-facing strings, from data/i18n/strings.tsv
 * (compiled in): one key, its Chinese and its English. Screens say
 * tr("home.ticket") and get the current language; nothing a visitor reads
 * comes from code. */
#ifndef FD_TR_H
#define FD_TR_H
#include <stddef.h>

/* Parses the compiled-in table and checks it: every key has both languages
 * and the same printf placeholders in each. Returns 0, or -1 with the first
 * problem ("strings.tsv:12: ...") in err. */
int tr_init(char *err, size_t errlen);

/* Current language: 1 Chinese, 0 English. */
void tr_set_zh(int zh);
int tr_zh(void);

/* The string for key in the current language; the key itself when missing
 * (visible on screen, and logged once to stderr). */
const char *tr(const char *key);
const char *tr_in(const char *key, int zh);

/* printf with a translated format into buf; returns buf. */
const char *tr_fmt(char *buf, size_t len, const char *key, ...);

/* Number of keys and the i-th key (for tests). */
int tr_count(void);
const char *tr_key(int i);

/* Frees the table. */
void tr_free(void);

#endif
