/* ime_punct.h - the full-width Chinese punctuation a pinyin keyboard types
 * in place of ASCII marks (, -> ，  . -> 。  \ -> 、 ...). The mapping is a
 * table in ime_punct.c; quotes alternate between opening and closing forms,
 * so a caller keeps one small state per input method. */
#ifndef FD_IME_PUNCT_H
#define FD_IME_PUNCT_H

/* Which quote comes next: bit 0 for double quotes, bit 1 for single. Zero is
 * "opening next", the state of a fresh input method. */
struct ime_punct_state {
    unsigned quotes; /* bit set = the matching closing quote comes next */
};

/* Returns the full-width UTF-8 text for ASCII `key`, or NULL when the key is
 * not punctuation with a Chinese form. A quote key flips *st (if not NULL),
 * so that “ and ” (and ‘ ’) alternate. */
const char *ime_punct_map(int key, struct ime_punct_state *st);

#endif
