/* ime_engine.h - private C view of Debian's googlepinyin decoder (the C++
 * class ime_pinyin::MatrixSearch), used only by ime.c. Each function is a
 * thin, non-throwing call into one engine method; text comes back as UTF-8.
 * The engine is not thread-safe and the library keeps process-wide tables
 * (spelling trie, n-gram), so ime.c allows one open engine per process. */
#ifndef FD_IME_ENGINE_H
#define FD_IME_ENGINE_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ime_engine;

/* Opens the decoder on the system dictionary `sys_dict` and the user
 * dictionary file `usr_dict` (created empty if it holds no dictionary).
 * Returns NULL if either cannot be loaded or memory runs out. */
struct ime_engine *ime_engine_open(const char *sys_dict, const char *usr_dict);

/* Closes the decoder and wipes the decoder object (its pinyin buffer and
 * choice arrays) with explicit_bzero before freeing it. NULL is a no-op.
 * The engine's own heap pools are freed by the library without wiping. */
void ime_engine_close(struct ime_engine *e);

/* Decodes `len` bytes of pinyin (letters and apostrophes), keeping earlier
 * choices when `py` extends the current string. Returns how many bytes of
 * `py` the engine could decode. */
size_t ime_engine_search(struct ime_engine *e, const char *py, size_t len);

/* Replaces the user dictionary with an empty one, in place: deletes the
 * file `usr_dict` (so the library's write-back on close finds nothing to
 * write into), makes the library reload it (it recreates an empty file),
 * deletes that file again, and resets the n-gram weighting the learned words
 * had shifted. The system dictionary stays loaded. */
void ime_engine_forget(struct ime_engine *e, const char *usr_dict);

/* Deletes the last byte of the pinyin string (never a chosen part). */
void ime_engine_delete_last(struct ime_engine *e);

/* Undoes the last choice: its letters become pinyin again. */
void ime_engine_cancel_choice(struct ime_engine *e);

/* Ends the composition: drops choices and overwrites the engine's pinyin
 * buffer, so no letter of it stays readable in the decoder object. */
void ime_engine_reset(struct ime_engine *e);

/* Chooses candidate `i` (learned into the user dictionary when the whole
 * string becomes fixed). Returns the new number of candidates. */
size_t ime_engine_choose(struct ime_engine *e, size_t i);

/* Number of candidates for the current string (0 when nothing decodes). */
size_t ime_engine_candidate_count(struct ime_engine *e);

/* Candidate `i` as UTF-8 into buf. Candidate 0 is the best sentence for the
 * unchosen part (the chosen prefix is stripped). Returns the byte length, or
 * -1 if `i` is out of range or the text does not fit `len`. */
int ime_engine_candidate(struct ime_engine *e, size_t i, char *buf,
                         size_t len);

/* The whole best sentence (chosen prefix included) as UTF-8; with
 * `only_fixed`, only the chosen prefix. Returns the byte length or -1. */
int ime_engine_sentence(struct ime_engine *e, int only_fixed, char *buf,
                        size_t len);

/* The pinyin string the engine holds (NUL-terminated, owned by the engine,
 * valid until the next call); *decoded gets the decoded length. */
const char *ime_engine_pinyin(struct ime_engine *e, size_t *decoded);

/* Syllable boundaries: returns the number of syllables n and points *start
 * at n + 1 offsets into the pinyin string (start[n] = decoded end). */
size_t ime_engine_syllables(struct ime_engine *e, const uint16_t **start);

/* Number of syllables already chosen (fixed), from the start. */
size_t ime_engine_fixed(struct ime_engine *e);

#ifdef __cplusplus
}
#endif
#endif
