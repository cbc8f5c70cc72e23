/* ime.c - the pinyin input method behind the on-screen keyboard: key
 * handling, preedit, candidate pages and commit text on top of the
 * googlepinyin decoder (ime_engine.cpp), and the per-visitor privacy of what
 * it learns. The decoder needs a user dictionary *file*; we give it one in a
 * private 0700 directory on tmpfs and unlink it right after loading, so what
 * a visitor teaches it lives only in memory and dies with ime_forget(). The
 * directory is held with flock() while the engine lives; the lock dies with
 * the process however it ends, so the next ime_open removes the directories
 * of engines that are gone (a killed kiosk cannot clean up after itself, and
 * tmpfs would fill with them). */
#include "ime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "ime_engine.h"
#include "ime_punct.h"

#ifndef IME_SYS_DICT_DEFAULT
#define IME_SYS_DICT_DEFAULT \
    "/usr/lib/x86_64-linux-gnu/googlepinyin/data/dict_pinyin.dat"
#endif

/* Room a single commit may need: a sentence of IME_PINYIN_MAX 汉字 (3 bytes
 * each) or as many letters, plus a full-width mark. */
#define COMMIT_ROOM (IME_PINYIN_MAX * 3 + 8)
_Static_assert(COMMIT_ROOM < IME_TEXT_MAX, "commit buffer too small");

struct ime {
    struct ime_engine *eng;      /* the decoder, never NULL once open */
    char dir[PATH_MAX - 32];     /* private 0700 directory on tmpfs */
    char file[PATH_MAX];         /* user dictionary path inside `dir` */
    int dir_fd;                  /* `dir`, flock()ed while open; -1 none */
    size_t page_size;            /* candidates per page, 1..IME_PAGE_MAX */
    size_t page;                 /* current page, 0 after every change */
    struct ime_punct_state punct; /* which quote comes next */
    size_t commit_len;           /* bytes waiting in `commit` */
    char commit[IME_TEXT_MAX];   /* committed text not yet taken */
};

/* The library keeps process-wide tables and a process-wide "last write"
 * time for user dictionaries: two engines would disturb each other. */
static bool ime_in_use;

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

/* Private directories: "fdime-v2-XXXXXX", locked by their engine. Before
 * the locks they were "fdime-XXXXXX" (that name is now only the moment
 * between mkdtemp and the rename that publishes a locked directory). */
#define DIR_PREFIX "fdime-"
#define DIR_LOCKED "fdime-v2-"
#define OLD_AGE_S (24 * 3600) /* an unlocked-style directory this old is dead */

/* Removes, in tmpfs directory `base`, the private directories of engines
 * that are gone: ours (same user) whose lock can be taken, and old-style
 * ones untouched for a day. A user.dict inside (an engine killed while
 * loading or forgetting) goes with it. Best effort: what cannot be removed
 * stays for the next start. */
static void sweep_dead_dirs(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        bool locked_style = strncmp(n, DIR_LOCKED, strlen(DIR_LOCKED)) == 0 &&
                            strlen(n) == strlen(DIR_LOCKED) + 6;
        bool old_style = strncmp(n, DIR_PREFIX, strlen(DIR_PREFIX)) == 0 &&
                         strlen(n) == strlen(DIR_PREFIX) + 6;
        if (!locked_style && !old_style)
            continue;
        int fd = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
            continue;
        bool dead = false;
        if (fstat(fd, &st) == 0 && st.st_uid == geteuid()) {
            if (locked_style)
                dead = flock(fd, LOCK_EX | LOCK_NB) == 0; /* nobody holds it */
            else
                dead = st.st_mtime < time(NULL) - OLD_AGE_S;
        }
        if (dead) {
            unlinkat(fd, "user.dict", 0);
            unlinkat(dirfd(d), n, AT_REMOVEDIR);
        }
        close(fd); /* releases a lock taken here */
    }
    closedir(d);
}

/* Creates a private 0700 directory on tmpfs (never on a disk, where a
 * visitor's words could outlive the process) into ime->dir, locked through
 * ime->dir_fd, after removing what dead engines left there. The directory
 * is made under a staging name, locked, then renamed to its locked-style
 * name, so no sweep ever sees it unlocked. Returns 0 or -errno with a
 * sentence in err. */
static int make_private_dir(struct ime *ime, char *err, size_t errlen)
{
    const char *bases[2] = {getenv("XDG_RUNTIME_DIR"), "/dev/shm"};
    for (size_t i = 0; i < 2; i++) {
        struct statfs fs;
        const char *b = bases[i];
        char stage[sizeof ime->dir];
        if (!b || b[0] != '/' || statfs(b, &fs) != 0)
            continue;
        if (fs.f_type != TMPFS_MAGIC && fs.f_type != RAMFS_MAGIC)
            continue;
        sweep_dead_dirs(b);
        for (int tries = 0; tries < 16; tries++) {
            int n = snprintf(stage, sizeof stage, "%s/" DIR_PREFIX "XXXXXX", b);
            if (n < 0 || (size_t)n >= sizeof stage || !mkdtemp(stage))
                break;
            int fd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
                if (fd >= 0)
                    close(fd);
                rmdir(stage);
                break;
            }
            snprintf(ime->dir, sizeof ime->dir, "%s/" DIR_LOCKED "%s", b,
                     stage + strlen(stage) - 6);
            if (renameat2(AT_FDCWD, stage, AT_FDCWD, ime->dir, RENAME_NOREPLACE) == 0) {
                ime->dir_fd = fd;
                snprintf(ime->file, sizeof ime->file, "%s/user.dict", ime->dir);
                return 0;
            }
            close(fd);
            rmdir(stage); /* the name is taken: another six letters */
        }
    }
    ime->dir[0] = '\0';
    set_err(err, errlen,
            "no writable tmpfs ($XDG_RUNTIME_DIR or /dev/shm) for the "
            "private user dictionary");
    return -ENOENT;
}

/* Removes the private directory and drops its lock. */
static void remove_private_dir(struct ime *ime)
{
    if (ime->dir[0])
        rmdir(ime->dir);
    if (ime->dir_fd >= 0)
        close(ime->dir_fd);
    ime->dir_fd = -1;
}

const char *ime_private_dir(const struct ime *ime)
{
    return ime->dir;
}

/* Opens a decoder with an empty user dictionary, then unlinks its file.
 * Returns 0 or -errno. */
static int engine_start(struct ime *ime, const char *sys_dict)
{
    int fd = open(ime->file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                                 O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    close(fd);
    ime->eng = ime_engine_open(sys_dict, ime->file);
    /* Loaded (or failed): from now on the dictionary is only in memory. */
    unlink(ime->file);
    return ime->eng ? 0 : -EIO;
}

/* Closes the decoder. Closing may make the library write an empty
 * dictionary header again (it reloads before freeing); remove it. */
static void engine_stop(struct ime *ime)
{
    if (ime->eng) {
        ime_engine_close(ime->eng);
        ime->eng = NULL;
    }
    if (ime->file[0])
        unlink(ime->file);
}

/* The library trusts its dictionary file completely (a wrong file crashes
 * it), so a configured path is checked first: a regular file of a plausible
 * size that starts as a googlepinyin dictionary does (spelling entry size,
 * then the number of spellings, as native size_t). Returns 0 or -1 with a
 * sentence in err. This catches configuration mistakes, not forgeries. */
static int check_sys_dict(const char *path, char *err, size_t errlen)
{
    char msg[PATH_MAX + 96];
    const char *why = NULL;
    size_t hdr[2] = {0, 0};
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        why = strerror(errno);
    } else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
    } else if (st.st_size < 64 * 1024 || st.st_size > 64 * 1024 * 1024) {
        why = "not the size of a pinyin dictionary";
    } else if (read(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr ||
               hdr[0] < 2 || hdr[0] > 16 || hdr[1] < 100 || hdr[1] > 1024) {
        why = "not a googlepinyin dictionary";
    }
    if (fd >= 0)
        close(fd);
    if (!why)
        return 0;
    snprintf(msg, sizeof msg, "cannot use the pinyin dictionary %s: %s",
             path, why);
    set_err(err, errlen, msg);
    return -1;
}

struct ime *ime_open(const char *sys_dict, char *err, size_t errlen)
{
    struct ime *ime = NULL;
    if (!sys_dict)
        sys_dict = IME_SYS_DICT_DEFAULT;
    if (ime_in_use) {
        set_err(err, errlen, "a pinyin engine is already open in this process");
        return NULL;
    }
    if (check_sys_dict(sys_dict, err, errlen) != 0)
        return NULL;
    ime = calloc(1, sizeof *ime);
    if (!ime) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    ime->page_size = IME_PAGE_DEFAULT;
    ime->dir_fd = -1;
    if (make_private_dir(ime, err, errlen) != 0)
        goto fail;
    if (engine_start(ime, sys_dict) != 0) {
        set_err(err, errlen, "the pinyin engine could not load its "
                             "dictionaries");
        goto fail;
    }
    ime_in_use = true;
    return ime;
fail:
    engine_stop(ime);
    remove_private_dir(ime);
    free(ime);
    return NULL;
}

void ime_clear(struct ime *ime)
{
    if (ime->eng)
        ime_engine_reset(ime->eng);
    ime->page = 0;
}

void ime_close(struct ime *ime)
{
    if (!ime)
        return;
    ime_clear(ime);
    engine_stop(ime);
    remove_private_dir(ime);
    explicit_bzero(ime, sizeof *ime);
    free(ime);
    ime_in_use = false;
}

int ime_forget(struct ime *ime)
{
    if (!ime->eng)
        return -EIO;
    ime_clear(ime);
    ime_engine_forget(ime->eng, ime->file);
    explicit_bzero(ime->commit, sizeof ime->commit);
    ime->commit_len = 0;
    ime->punct.quotes = 0;
    return 0;
}

/* The decoded pinyin (always the whole string: undecodable keys are
 * refused) and its length; "" and 0 when not composing. */
static const char *current_pinyin(const struct ime *ime, size_t *n)
{
    size_t decoded = 0;
    const char *py = ime->eng ? ime_engine_pinyin(ime->eng, &decoded) : NULL;
    *n = py ? decoded : 0;
    return py && decoded ? py : "";
}

bool ime_composing(const struct ime *ime)
{
    size_t n;
    current_pinyin(ime, &n);
    return n > 0;
}

size_t ime_candidate_count(struct ime *ime)
{
    if (!ime_composing(ime))
        return 0;
    return ime_engine_candidate_count(ime->eng);
}

int ime_candidate(struct ime *ime, size_t index, char *buf, size_t len)
{
    if (len > 0)
        buf[0] = '\0';
    if (index >= ime_candidate_count(ime))
        return -EINVAL;
    int r = ime_engine_candidate(ime->eng, index, buf, len);
    if (r == 0 && index == 0) /* all chosen (backspace undid the rest): */
        r = ime_engine_sentence(ime->eng, 0, buf, len); /* show the whole */
    return r < 0 ? -ENOSPC : r;
}

int ime_set_page_size(struct ime *ime, size_t n)
{
    if (n < 1 || n > IME_PAGE_MAX)
        return -EINVAL;
    ime->page_size = n;
    ime->page = 0;
    return 0;
}

size_t ime_page(struct ime *ime, size_t *first, size_t *count)
{
    size_t total = ime_candidate_count(ime);
    if (ime->page * ime->page_size >= total)
        ime->page = 0;
    *first = ime->page * ime->page_size;
    *count = total - *first < ime->page_size ? total - *first : ime->page_size;
    return ime->page;
}

int ime_page_move(struct ime *ime, int delta)
{
    size_t total = ime_candidate_count(ime);
    if (delta > 0 && (ime->page + 1) * ime->page_size < total) {
        ime->page++;
        return IME_CHANGED;
    }
    if (delta < 0 && ime->page > 0) {
        ime->page--;
        return IME_CHANGED;
    }
    return IME_PASS;
}

/* Appends `n` bytes to the commit text; the caller checked the room. */
static void commit_append(struct ime *ime, const char *s, size_t n)
{
    if (ime->commit_len + n + 1 > sizeof ime->commit)
        return; /* cannot happen: COMMIT_ROOM was checked before */
    memcpy(ime->commit + ime->commit_len, s, n);
    ime->commit_len += n;
    ime->commit[ime->commit_len] = '\0';
}

static bool commit_has_room(const struct ime *ime)
{
    return ime->commit_len + COMMIT_ROOM < sizeof ime->commit;
}

/* Chooses `index`; commits when every syllable is chosen. */
static int choose(struct ime *ime, size_t index)
{
    char text[IME_TEXT_MAX];
    const uint16_t *start;
    if (index >= ime_candidate_count(ime))
        return -EINVAL;
    if (!commit_has_room(ime))
        return -ENOSPC;
    ime_engine_choose(ime->eng, index);
    ime->page = 0;
    size_t nsyl = ime_engine_syllables(ime->eng, &start);
    if (ime_engine_fixed(ime->eng) < nsyl)
        return IME_CHANGED;
    int n = ime_engine_sentence(ime->eng, 0, text, sizeof text);
    if (n > 0)
        commit_append(ime, text, (size_t)n);
    explicit_bzero(text, sizeof text);
    ime_clear(ime);
    return IME_COMMIT;
}

int ime_choose(struct ime *ime, size_t index)
{
    if (!ime->eng)
        return -EIO;
    return choose(ime, index);
}

/* Commits the best sentence for everything composed (space-less "enter
 * the obvious"), choosing candidate 0 until all is chosen. */
static int commit_best(struct ime *ime)
{
    int r = IME_PASS;
    for (int i = 0; i <= IME_PINYIN_MAX && ime_composing(ime); i++) {
        r = choose(ime, 0);
        if (r < 0 || r == IME_COMMIT)
            return r;
    }
    ime_clear(ime); /* nothing decodes: drop it rather than loop */
    return r;
}

int ime_commit_best(struct ime *ime)
{
    if (!ime->eng)
        return -EIO;
    if (!ime_composing(ime))
        return IME_PASS;
    if (!commit_has_room(ime))
        return -ENOSPC;
    return commit_best(ime);
}

/* Commits the chosen 汉字 followed by the remaining letters as typed. */
static int commit_letters(struct ime *ime)
{
    char text[IME_TEXT_MAX];
    const uint16_t *start;
    size_t n;
    if (!commit_has_room(ime))
        return -ENOSPC;
    const char *py = current_pinyin(ime, &n);
    size_t nsyl = ime_engine_syllables(ime->eng, &start);
    size_t fixed = ime_engine_fixed(ime->eng);
    size_t from = fixed <= nsyl ? start[fixed] : n;
    int t = ime_engine_sentence(ime->eng, 1, text, sizeof text);
    size_t o = t > 0 ? (size_t)t : 0;
    for (size_t i = from; i < n && o + 1 < sizeof text; i++)
        if (py[i] != '\'')
            text[o++] = py[i];
    commit_append(ime, text, o);
    explicit_bzero(text, sizeof text);
    ime_clear(ime);
    return IME_COMMIT;
}

/* Adds a letter or apostrophe; refuses what the decoder cannot continue. */
static int add_pinyin(struct ime *ime, char c)
{
    char buf[IME_PINYIN_MAX + 1];
    size_t n;
    const char *py = current_pinyin(ime, &n);
    if (n >= IME_PINYIN_MAX)
        return -ENOSPC;
    if (c == '\'' && (n == 0 || py[n - 1] == '\''))
        return -EINVAL;
    memcpy(buf, py, n);
    buf[n] = c;
    size_t decoded = ime_engine_search(ime->eng, buf, n + 1);
    int r = IME_CHANGED;
    if (decoded < n + 1) {
        /* Back to the old string; choices made on it stay. */
        if (n > 0)
            ime_engine_search(ime->eng, buf, n);
        else
            ime_clear(ime);
        r = -EINVAL;
    }
    ime->page = 0;
    explicit_bzero(buf, sizeof buf);
    return r;
}

static int backspace(struct ime *ime)
{
    const uint16_t *start;
    size_t n;
    current_pinyin(ime, &n);
    size_t nsyl = ime_engine_syllables(ime->eng, &start);
    size_t fixed = ime_engine_fixed(ime->eng);
    size_t fixed_letters = fixed > 0 && fixed <= nsyl ? start[fixed] : 0;
    if (n > fixed_letters) {
        ime_engine_delete_last(ime->eng);
        if (!ime_composing(ime))
            ime_clear(ime);
    } else {
        ime_engine_cancel_choice(ime->eng);
    }
    ime->page = 0;
    return IME_CHANGED;
}

static int punctuation(struct ime *ime, const char *mark)
{
    if (!commit_has_room(ime))
        return -ENOSPC;
    if (ime_composing(ime)) {
        int r = commit_best(ime);
        if (r < 0)
            return r;
    }
    commit_append(ime, mark, strlen(mark));
    return IME_COMMIT;
}

int ime_key(struct ime *ime, int key)
{
    if (!ime->eng)
        return -EIO;
    bool composing = ime_composing(ime);
    bool printable = key >= 0x20 && key <= 0x7e;
    if (!printable && key != IME_KEY_BACKSPACE && key != IME_KEY_ENTER &&
        key != '\n' && key != IME_KEY_ESCAPE)
        return -EINVAL;
    if (key >= 'a' && key <= 'z')
        return add_pinyin(ime, (char)key);
    if (!composing) {
        const char *mark = ime_punct_map(key, NULL);
        if (mark)
            return punctuation(ime, ime_punct_map(key, &ime->punct));
        return IME_PASS; /* space, enter, digits, Latin: the caller's */
    }
    switch (key) {
    case '\'':
        return add_pinyin(ime, '\'');
    case IME_KEY_BACKSPACE:
        return backspace(ime);
    case IME_KEY_ESCAPE:
        ime_clear(ime);
        return IME_CHANGED;
    case IME_KEY_ENTER:
    case '\n':
        return commit_letters(ime);
    case ' ': {
        size_t first, count;
        ime_page(ime, &first, &count);
        return count > 0 ? choose(ime, first) : -EINVAL;
    }
    default:
        break;
    }
    if (key >= '1' && key <= '9') {
        size_t first, count, slot = (size_t)(key - '1');
        ime_page(ime, &first, &count);
        return slot < count ? choose(ime, first + slot) : -EINVAL;
    }
    if (ime_punct_map(key, NULL))
        return punctuation(ime, ime_punct_map(key, &ime->punct));
    return -EINVAL; /* uppercase, digits 0, symbols inside pinyin */
}

int ime_preedit(struct ime *ime, char *buf, size_t len)
{
    char text[IME_TEXT_MAX];
    const uint16_t *start;
    size_t n;
    if (len == 0)
        return -ENOSPC;
    buf[0] = '\0';
    const char *py = current_pinyin(ime, &n);
    if (n == 0)
        return 0;
    size_t nsyl = ime_engine_syllables(ime->eng, &start);
    size_t fixed = ime_engine_fixed(ime->eng);
    int t = ime_engine_sentence(ime->eng, 1, text, sizeof text);
    size_t o = t > 0 ? (size_t)t : 0;
    for (size_t s = fixed; s < nsyl; s++) {
        if (s > fixed && o + 1 < sizeof text)
            text[o++] = '\'';
        for (size_t i = start[s]; i < start[s + 1] && i < n; i++)
            if (py[i] != '\'' && o + 1 < sizeof text)
                text[o++] = py[i];
    }
    if (py[n - 1] == '\'' && o + 1 < sizeof text)
        text[o++] = '\''; /* the visitor's own separator, still open */
    text[o] = '\0';
    int r = (int)o;
    if (o + 1 > len)
        r = -ENOSPC;
    else
        memcpy(buf, text, o + 1);
    explicit_bzero(text, sizeof text);
    return r;
}

int ime_take_commit(struct ime *ime, char *buf, size_t len)
{
    if (ime->commit_len + 1 > len)
        return -ENOSPC;
    memcpy(buf, ime->commit, ime->commit_len + 1);
    int r = (int)ime->commit_len;
    explicit_bzero(ime->commit, sizeof ime->commit);
    ime->commit_len = 0;
    return r;
}

#if defined(__SANITIZE_ADDRESS__)
/* Sanitizer builds only (FD_SANITIZE): libgooglepinyin frees a new[] array
 * with delete (SpellingTrie::build_ym_info) and never frees part of its
 * system dictionary (about 200 KB per load, once per ime_open) nor a 128-byte
 * array per user dictionary load (once per ime_forget). Those are Debian's
 * library, not ours; these hooks keep every program that links fdime testable
 * under ASan while our own code stays fully checked. */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void)
{
    return "alloc_dealloc_mismatch=0";
}
const char *__lsan_default_suppressions(void)
{
    return "leak:libgooglepinyin.so\n";
}
#endif
