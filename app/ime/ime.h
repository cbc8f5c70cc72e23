/* ime.h - pinyin input for the on-screen keyboard (library fdime): keys in,
 * a pinyin preedit with syllables marked, pages of candidates, chosen 汉字
 * out. The decoder is Debian's googlepinyin. It learns what visitors choose,
 * so the learning is kept per visitor: the user dictionary lives in memory
 * (its file on tmpfs is unlinked as soon as it is loaded) and ime_forget()
 * replaces it with an empty one on every idle reset and completed form.
 * Use from one thread (the UI thread); one engine per process. */
#ifndef FD_IME_H
#define FD_IME_H
#include <stdbool.h>
#include <stddef.h>

/* Keys besides printable ASCII that ime_key() understands. */
#define IME_KEY_BACKSPACE 0x08
#define IME_KEY_ENTER '\r'
#define IME_KEY_ESCAPE 0x1b

#define IME_PINYIN_MAX 32 /* letters + apostrophes held; more are refused */
#define IME_TEXT_MAX 256  /* bytes for a preedit, candidate or commit text */
#define IME_PAGE_MAX 10   /* largest page size */
#define IME_PAGE_DEFAULT 5

/* What a key or a choice did (negative values are -errno failures). */
enum ime_status {
    IME_PASS = 0,    /* not for the IME: the caller handles the key itself */
    IME_CHANGED = 1, /* preedit or candidates changed: redraw them */
    IME_COMMIT = 2,  /* text is ready: fetch it with ime_take_commit() */
};

struct ime;

/* Opens the engine on the system dictionary `sys_dict` (NULL: the Debian
 * path, .../googlepinyin/data/dict_pinyin.dat under pkg-config's libdir) with a fresh, empty user dictionary in a
 * private directory on tmpfs ($XDG_RUNTIME_DIR, else /dev/shm; directory
 * 0700, file 0600, unlinked once loaded; the directory is locked while the
 * engine lives, and the private directories of engines whose process is
 * gone are removed first). Returns NULL with a sentence in
 * `err` when the dictionary cannot be loaded, no tmpfs is usable, memory
 * runs out, or another engine is open in this process. */
struct ime *ime_open(const char *sys_dict, char *err, size_t errlen);

/* Closes the engine, wipes the composition and removes the private
 * directory. NULL is a no-op. */
void ime_close(struct ime *ime);

/* The engine's private directory (a path inside the tmpfs ime_open chose),
 * for checks and diagnostics; valid until ime_close. */
const char *ime_private_dir(const struct ime *ime);

/* Throws away everything this visitor left: the composition, pending commit
 * text, quote state and the learned user dictionary, which is replaced in
 * place by an empty one (the system dictionary stays loaded; well under a
 * millisecond). Afterwards candidates rank exactly as on a fresh engine.
 * Call on every idle reset and completed form. Returns 0 (-EIO only for an
 * engine that never opened). */
int ime_forget(struct ime *ime);

/* Feeds one key: 'a'..'z'; '\'' between syllables; IME_KEY_BACKSPACE
 * (removes the last pinyin letter, then undoes the last choice, and passes
 * when nothing is composed so the caller deletes text); ' ' (chooses the
 * first candidate of the page); IME_KEY_ENTER (commits the letters as typed);
 * IME_KEY_ESCAPE (drops the composition); '1'..'9' (candidate on the page);
 * punctuation (commits the sentence, then the full-width mark). With nothing
 * composed, other printable keys pass. Returns an ime_status or -EINVAL for
 * a key that is refused (not a key, a letter that continues no pinyin, an
 * uppercase or other key in the middle of pinyin), -ENOSPC when the pinyin
 * is at IME_PINYIN_MAX letters (choose a part first) or the commit text was
 * not taken. */
int ime_key(struct ime *ime, int key);

/* True while pinyin is being composed (backspace and space belong to us). */
bool ime_composing(const struct ime *ime);

/* The preedit as shown: chosen 汉字, then the pinyin with an apostrophe
 * between syllables ("中国yin'hang"). Returns the byte length, or -ENOSPC
 * ("" in buf) when it does not fit `len`. */
int ime_preedit(struct ime *ime, char *buf, size_t len);

/* Number of candidates for the current pinyin (0 when not composing). */
size_t ime_candidate_count(struct ime *ime);

/* Candidate `index` (0 = best sentence) as UTF-8. Returns its byte length,
 * -EINVAL when out of range, -ENOSPC when it does not fit `len`. */
int ime_candidate(struct ime *ime, size_t index, char *buf, size_t len);

/* Sets how many candidates a page holds (1..IME_PAGE_MAX); -EINVAL else. */
int ime_set_page_size(struct ime *ime, size_t n);

/* The current page: *first gets its first candidate index and *count how
 * many it shows (0 when not composing). Returns the page number (from 0).
 * A new key or choice goes back to page 0. */
size_t ime_page(struct ime *ime, size_t *first, size_t *count);

/* Moves one page forward (`delta` > 0) or back. Returns IME_CHANGED, or
 * IME_PASS when there is no page that way. */
int ime_page_move(struct ime *ime, int delta);

/* Chooses candidate `index`. When it covers only part of the pinyin the
 * rest stays composing (IME_CHANGED); when all is chosen the text is
 * committed (IME_COMMIT) and the engine learns it for this visitor. Returns
 * -EINVAL when out of range, -ENOSPC when the commit text was not taken. */
int ime_choose(struct ime *ime, size_t index);

/* Commits the best sentence for everything composed, as if each part were
 * taken with space: for a key the IME does not know, a field losing focus,
 * or switching to EN. Returns IME_COMMIT, IME_PASS when nothing is
 * composed, or -ENOSPC when the commit text was not taken. */
int ime_commit_best(struct ime *ime);

/* Moves the committed text into buf (NUL-terminated) and wipes our copy.
 * Returns its byte length (0 if none), or -ENOSPC (nothing taken) when it
 * does not fit `len`. */
int ime_take_commit(struct ime *ime, char *buf, size_t len);

/* Drops the composition (not the learning) and wipes its buffers. */
void ime_clear(struct ime *ime);

#endif
