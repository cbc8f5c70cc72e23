/* test_ime.c - the pinyin input method (app/ime) driven key by key, as the
 * on-screen keyboard drives it: names and company names come out as 汉字,
 * backspace walks back through choices, pages and punctuation behave, bad
 * keys are refused, and - the point of issue 7 - ime_forget() leaves the
 * candidate ranking exactly as a fresh engine's, while without it the
 * learned name visibly moves up (the negative control). Its private
 * directories live in a tmpfs directory of the test's own, and those of
 * engines that died are removed by the next ime_open. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ime.h"

/* Feeds every byte of `keys`; returns the last status (or the first error). */
static int type(struct ime *ime, const char *keys)
{
    int r = IME_PASS;
    for (const char *k = keys; *k; k++) {
        r = ime_key(ime, (unsigned char)*k);
        if (r < 0)
            return r;
    }
    return r;
}

/* Index of candidate `text` among the first `limit`, or -1. */
static long find_cand(struct ime *ime, const char *text, size_t limit)
{
    char buf[IME_TEXT_MAX];
    size_t n = ime_candidate_count(ime);
    for (size_t i = 0; i < n && i < limit; i++)
        if (ime_candidate(ime, i, buf, sizeof buf) >= 0 &&
            strcmp(buf, text) == 0)
            return (long)i;
    return -1;
}

/* Chooses candidate `text` (searched in the first 50); returns the status. */
static int pick(struct ime *ime, const char *text)
{
    long i = find_cand(ime, text, 50);
    if (i < 0) {
        fprintf(stderr, "candidate %s not offered\n", text);
        return -ENOENT;
    }
    return ime_choose(ime, (size_t)i);
}

static const char *preedit(struct ime *ime)
{
    static char buf[IME_TEXT_MAX];
    if (ime_preedit(ime, buf, sizeof buf) < 0)
        return "(error)";
    return buf;
}

static const char *take(struct ime *ime)
{
    static char buf[IME_TEXT_MAX];
    if (ime_take_commit(ime, buf, sizeof buf) < 0)
        return "(error)";
    return buf;
}

/* The whole candidate list for `keys`, joined by '|', into out. The
 * composition is dropped afterwards. */
static void ranking(struct ime *ime, const char *keys, char *out, size_t len)
{
    char buf[IME_TEXT_MAX];
    size_t o = 0;
    out[0] = '\0';
    CHECK_INT(type(ime, keys), IME_CHANGED);
    size_t n = ime_candidate_count(ime);
    for (size_t i = 0; i < n; i++) {
        if (ime_candidate(ime, i, buf, sizeof buf) < 0)
            break;
        int w = snprintf(out + o, len - o, "%s|", buf);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    ime_clear(ime);
}

static void test_open_errors(void)
{
    char err[256] = "";
    struct ime *ime = ime_open("/nonexistent/dict_pinyin.dat", err, sizeof err);
    CHECK(ime == NULL);
    CHECK(strstr(err, "/nonexistent/dict_pinyin.dat") != NULL);
    /* Files that would crash the library are refused before it sees them. */
    char junk[] = "/tmp/fdime-test-XXXXXX";
    int fd = mkstemp(junk);
    CHECK(fd >= 0);
    if (fd >= 0) {
        static char bytes[128 * 1024];
        for (size_t i = 0; i < sizeof bytes; i++)
            bytes[i] = (char)(i * 7919u >> 3);
        CHECK_INT(write(fd, bytes, sizeof bytes), sizeof bytes);
        close(fd);
        CHECK(ime_open(junk, err, sizeof err) == NULL);
        CHECK(strstr(err, "not a googlepinyin dictionary") != NULL);
        unlink(junk);
    }
    CHECK(ime_open("/tmp", err, sizeof err) == NULL);
    CHECK(strstr(err, "not a regular file") != NULL);
    CHECK(ime_open("/proc/self/exe", err, sizeof err) == NULL); /* an ELF */

    ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    struct ime *second = ime_open(NULL, err, sizeof err);
    CHECK(second == NULL);
    CHECK(strstr(err, "already open") != NULL);
    ime_close(ime);
}

static void test_words(struct ime *ime)
{
    /* A name: 张三 among the first page. */
    CHECK_INT(type(ime, "zhangsan"), IME_CHANGED);
    CHECK_STR(preedit(ime), "zhang'san");
    long i = find_cand(ime, "张三", IME_PAGE_DEFAULT);
    CHECK_MSG(i >= 0, "张三 not on the first page");
    CHECK_INT(ime_choose(ime, (size_t)i), IME_COMMIT);
    CHECK_STR(take(ime), "张三");
    CHECK(!ime_composing(ime));

    /* A place, taken with space (first candidate). */
    CHECK_INT(type(ime, "beijing"), IME_CHANGED);
    CHECK(find_cand(ime, "北京", 1) == 0);
    CHECK_INT(ime_key(ime, ' '), IME_COMMIT);
    CHECK_STR(take(ime), "北京");

    /* A company name of several words, chosen word by word: each partial
     * choice leaves the rest of the pinyin composing. */
    CHECK_INT(type(ime, "zhongguoyinhangbeijingfenhang"), IME_CHANGED);
    CHECK_STR(preedit(ime), "zhong'guo'yin'hang'bei'jing'fen'hang");
    CHECK_INT(pick(ime, "中国银行"), IME_CHANGED);
    CHECK_STR(preedit(ime), "中国银行bei'jing'fen'hang");
    CHECK_INT(pick(ime, "北京"), IME_CHANGED);
    CHECK_STR(preedit(ime), "中国银行北京fen'hang");
    CHECK_INT(pick(ime, "分行"), IME_COMMIT);
    CHECK_STR(take(ime), "中国银行北京分行");

    /* The whole name as the best sentence in one go. */
    CHECK_INT(type(ime, "zhongguoyinhang"), IME_CHANGED);
    CHECK(find_cand(ime, "中国银行", 1) == 0);
    CHECK_INT(ime_key(ime, '1'), IME_COMMIT);
    CHECK_STR(take(ime), "中国银行");

    /* An apostrophe separates syllables the letters alone would merge. */
    CHECK_INT(type(ime, "xi'an"), IME_CHANGED);
    CHECK_STR(preedit(ime), "xi'an");
    CHECK(find_cand(ime, "西安", IME_PAGE_DEFAULT) >= 0);
    ime_clear(ime);
    CHECK(!ime_composing(ime));
}

static void test_backspace(struct ime *ime)
{
    char buf[IME_TEXT_MAX];
    /* Nothing composed: backspace is the text field's. */
    CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_PASS);

    CHECK_INT(type(ime, "zhongguoy"), IME_CHANGED);
    CHECK_INT(pick(ime, "中国"), IME_CHANGED);
    CHECK_STR(preedit(ime), "中国y");
    CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_CHANGED);
    CHECK_STR(preedit(ime), "中国");
    /* All of it chosen: the one candidate is what space would commit. */
    CHECK_INT(ime_candidate_count(ime), 1);
    CHECK(ime_candidate(ime, 0, buf, sizeof buf) > 0);
    CHECK_STR(buf, "中国");
    /* Next backspace undoes the choice: the letters come back. */
    CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_CHANGED);
    CHECK_STR(preedit(ime), "zhong'guo");
    CHECK(ime_candidate_count(ime) > 1);
    CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_CHANGED);
    CHECK_STR(preedit(ime), "zhong'gu");
    for (int k = 0; k < 7; k++)
        CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_CHANGED);
    CHECK(!ime_composing(ime));
    CHECK_STR(preedit(ime), "");
    CHECK_INT(ime_candidate_count(ime), 0);
    CHECK_INT(ime_candidate(ime, 0, buf, sizeof buf), -EINVAL);
    CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_PASS);
    CHECK_INT(ime_take_commit(ime, buf, sizeof buf), 0); /* nothing leaked */

    CHECK_INT(type(ime, "zhongguoy"), IME_CHANGED);
    CHECK_INT(pick(ime, "中国"), IME_CHANGED);
    CHECK_INT(ime_key(ime, IME_KEY_BACKSPACE), IME_CHANGED);
    CHECK_INT(ime_key(ime, ' '), IME_COMMIT);
    CHECK_STR(take(ime), "中国");

    /* Escape drops the composition; enter commits the letters as typed. */
    CHECK_INT(type(ime, "nihao"), IME_CHANGED);
    CHECK_INT(ime_key(ime, IME_KEY_ESCAPE), IME_CHANGED);
    CHECK(!ime_composing(ime));
    CHECK_INT(ime_key(ime, IME_KEY_ESCAPE), IME_PASS);
    CHECK_INT(type(ime, "wo'men"), IME_CHANGED);
    CHECK_INT(ime_key(ime, IME_KEY_ENTER), IME_COMMIT);
    CHECK_STR(take(ime), "women");
    CHECK_INT(ime_key(ime, IME_KEY_ENTER), IME_PASS);
    CHECK_INT(ime_key(ime, ' '), IME_PASS);
}

static void test_paging(struct ime *ime)
{
    char a[IME_TEXT_MAX], b[IME_TEXT_MAX];
    size_t first, count;
    CHECK_INT(ime_set_page_size(ime, 0), -EINVAL);
    CHECK_INT(ime_set_page_size(ime, IME_PAGE_MAX + 1), -EINVAL);
    CHECK_INT(ime_set_page_size(ime, 4), 0);

    CHECK_INT(type(ime, "shi"), IME_CHANGED);
    size_t total = ime_candidate_count(ime);
    CHECK(total > 8);
    CHECK_INT(ime_page(ime, &first, &count), 0);
    CHECK_INT(first, 0);
    CHECK_INT(count, 4);
    CHECK_INT(ime_page_move(ime, -1), IME_PASS);
    CHECK_INT(ime_page_move(ime, +1), IME_CHANGED);
    CHECK_INT(ime_page(ime, &first, &count), 1);
    CHECK_INT(first, 4);
    CHECK_INT(count, 4);
    /* Keys pick on the page shown: '2' is candidate 5, space candidate 4. */
    CHECK(ime_candidate(ime, 5, a, sizeof a) > 0);
    CHECK_INT(ime_key(ime, '2'), IME_COMMIT);
    CHECK_STR(take(ime), a);
    CHECK_INT(type(ime, "shi"), IME_CHANGED);
    CHECK_INT(ime_page(ime, &first, &count), 0); /* new input: page 0 */
    CHECK_INT(ime_page_move(ime, +1), IME_CHANGED);
    CHECK(ime_candidate(ime, 4, b, sizeof b) > 0);
    CHECK_INT(ime_key(ime, ' '), IME_COMMIT);
    CHECK_STR(take(ime), b);

    /* The last page holds the remainder and goes no further. */
    CHECK_INT(type(ime, "shi"), IME_CHANGED);
    size_t pages = 0;
    while (ime_page_move(ime, +1) == IME_CHANGED && pages < 10000)
        pages++;
    CHECK_INT(ime_page(ime, &first, &count), pages);
    CHECK_INT(first, pages * 4);
    CHECK_INT(first + count, total);
    CHECK(count >= 1 && count <= 4);
    /* A slot past the end of a short page is refused. */
    if (count < 4)
        CHECK_INT(ime_key(ime, (int)('1' + count)), -EINVAL);
    CHECK_INT(ime_choose(ime, total), -EINVAL);
    ime_clear(ime);
    CHECK_INT(ime_set_page_size(ime, IME_PAGE_DEFAULT), 0);
}

static void test_punctuation(struct ime *ime)
{
    static const struct {
        const char *keys;
        const char *text;
    } cases[] = {
        {",", "，"},   {".", "。"},   {"?", "？"},   {"!", "！"},
        {":", "："},   {";", "；"},   {"\"\"", "“”"}, {"''", "‘’"},
        {"()", "（）"}, {"\\", "、"}, {"<>", "《》"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_INT(type(ime, cases[i].keys), IME_COMMIT);
        CHECK_STR(take(ime), cases[i].text);
    }
    /* Punctuation after pinyin commits the best sentence first. */
    CHECK_INT(type(ime, "nihao"), IME_CHANGED);
    CHECK_INT(ime_key(ime, ','), IME_COMMIT);
    CHECK_STR(take(ime), "你好，");
    /* A field losing focus commits what is composed, best sentence. */
    CHECK_INT(ime_commit_best(ime), IME_PASS);
    CHECK_INT(type(ime, "zhongguoyinhang"), IME_CHANGED);
    CHECK_INT(ime_commit_best(ime), IME_COMMIT);
    CHECK_STR(take(ime), "中国银行");
    CHECK(!ime_composing(ime));
    /* Latin and digits pass through when nothing is composed. */
    CHECK_INT(ime_key(ime, 'A'), IME_PASS);
    CHECK_INT(ime_key(ime, '7'), IME_PASS);
    CHECK_INT(ime_key(ime, '@'), IME_PASS);
}

static void test_refused(struct ime *ime)
{
    char buf[IME_TEXT_MAX];
    CHECK_INT(ime_key(ime, 0x01), -EINVAL);
    CHECK_INT(ime_key(ime, 0x7f), -EINVAL);
    CHECK_INT(ime_key(ime, 0xe4), -EINVAL);
    CHECK_INT(ime_key(ime, -1), -EINVAL);
    CHECK_INT(ime_key(ime, 'i'), -EINVAL); /* no syllable starts with i */
    CHECK(!ime_composing(ime));

    CHECK_INT(type(ime, "bei"), IME_CHANGED);
    CHECK_INT(ime_key(ime, 'A'), -EINVAL);
    CHECK_INT(ime_key(ime, '0'), -EINVAL);
    CHECK_INT(ime_key(ime, '@'), -EINVAL);
    CHECK_INT(ime_key(ime, '\''), IME_CHANGED);
    CHECK_INT(ime_key(ime, '\''), -EINVAL); /* two separators */
    CHECK_STR(preedit(ime), "bei'");
    CHECK_INT(ime_key(ime, 'i'), -EINVAL); /* "bei'i" continues nothing */
    CHECK_STR(preedit(ime), "bei'");
    CHECK_INT(ime_key(ime, 'j'), IME_CHANGED);
    CHECK_STR(preedit(ime), "bei'j");
    ime_clear(ime);

    /* The pinyin buffer has a cap; the key past it is refused. */
    const char *longest = "zhuangzhuangzhuangzhuangzhuangzh";
    CHECK_INT(strlen(longest), IME_PINYIN_MAX);
    CHECK_INT(type(ime, longest), IME_CHANGED);
    CHECK_INT(ime_key(ime, 'i'), -ENOSPC);
    CHECK(ime_preedit(ime, buf, 4) == -ENOSPC);
    CHECK_STR(buf, "");
    ime_clear(ime);
    /* The cap counts every letter held, chosen ones too. */
    CHECK_INT(type(ime, "nihaonihaonihaonihaonihaonihaoni"), IME_CHANGED);
    CHECK_INT(ime_key(ime, 'h'), -ENOSPC);
    CHECK_INT(pick(ime, "你好"), IME_CHANGED);
    CHECK_INT(ime_key(ime, 'h'), -ENOSPC);
    ime_clear(ime);

    /* Commit text not taken blocks further commits rather than losing it. */
    int commits = 0;
    while (ime_key(ime, ',') == IME_COMMIT && commits < 1000)
        commits++;
    CHECK(commits > 10 && commits < 1000);
    CHECK_INT(ime_key(ime, ','), -ENOSPC);
    CHECK_INT(ime_take_commit(ime, buf, 4), -ENOSPC);
    CHECK_INT(ime_take_commit(ime, buf, sizeof buf), commits * 3);
    CHECK_INT(ime_key(ime, ','), IME_COMMIT);
    CHECK_STR(take(ime), "，");
}

/* The engines of this program keep their private directories in a tmpfs
 * directory of its own ($XDG_RUNTIME_DIR, made in main under /dev/shm), so
 * what other runs and other processes leave in /dev/shm changes nothing
 * here. */
static char base[64];

/* Counts the fdime-* directories in `base`. Each must be private (0700)
 * and hold no dictionary file: *bad counts those that are not. */
static int private_dirs(int *bad)
{
    DIR *d = opendir(base);
    int n = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (strncmp(e->d_name, "fdime-", 6) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        n++;
        if ((st.st_mode & 0777) != 0700 || st.st_uid != getuid())
            (*bad)++;
        snprintf(path, sizeof path, "%s/%s/user.dict", base, e->d_name);
        if (access(path, F_OK) == 0)
            (*bad)++;
    }
    closedir(d);
    return n;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Other inputs whose ranking the learned name (or the weights learning
 * shifts) could touch: all must rank as on a fresh engine after a forget. */
static const char *const probes[] = {
    "wangxiao", "xiaoming", "wang", "ming", "wangxiaomingde",
    "zhangsan", "womenzaizheli", "beijingshi", "zhongguoyinhang", "xm",
};
#define NPROBES (sizeof probes / sizeof probes[0])

static void probe_all(struct ime *ime, char out[][2048])
{
    for (size_t i = 0; i < NPROBES; i++)
        ranking(ime, probes[i], out[i], sizeof out[i]);
}

static void test_privacy(void)
{
    static char probe_fresh[NPROBES][2048], probe_after[NPROBES][2048];
    char err[256] = "";
    static char fresh[8192], learned[8192], after[8192], reopened[8192];
    int bad = 0;
    const int dirs_before = private_dirs(&bad);
    CHECK_INT(dirs_before, 0);

    struct ime *ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    if (!ime)
        return;
    CHECK(strncmp(ime_private_dir(ime), base, strlen(base)) == 0 &&
          is_dir(ime_private_dir(ime)));
    CHECK_INT(private_dirs(&bad), dirs_before + 1);
    CHECK_INT(bad, 0);

    ranking(ime, "wangxiaoming", fresh, sizeof fresh);
    CHECK(strstr(fresh, "王晓明|") != fresh); /* not first before learning */
    probe_all(ime, probe_fresh);

    /* Visitor A types the name, picking the words that compose it. */
    CHECK_INT(type(ime, "wangxiaoming"), IME_CHANGED);
    CHECK_INT(pick(ime, "王晓"), IME_CHANGED);
    CHECK_INT(pick(ime, "明"), IME_COMMIT);
    CHECK_STR(take(ime), "王晓明");

    /* Negative control: without forgetting, the engine has learned the
     * name and the next visitor would see it first. */
    ranking(ime, "wangxiaoming", learned, sizeof learned);
    CHECK(strcmp(learned, fresh) != 0);
    CHECK(strncmp(learned, "王晓明|", strlen("王晓明|")) == 0);
    CHECK_INT(private_dirs(&bad), dirs_before + 1);
    CHECK_INT(bad, 0); /* learned words never reach a file */

    /* Visitor B after the reset: exactly a fresh engine's ranking. */
    CHECK_INT(type(ime, "ni"), IME_CHANGED); /* composing across a reset */
    CHECK_INT(ime_forget(ime), 0);
    CHECK(!ime_composing(ime));
    ranking(ime, "wangxiaoming", after, sizeof after);
    CHECK_STR(after, fresh);
    probe_all(ime, probe_after);
    for (size_t i = 0; i < NPROBES; i++)
        CHECK_MSG(strcmp(probe_after[i], probe_fresh[i]) == 0, "%s: %s vs %s",
                  probes[i], probe_after[i], probe_fresh[i]);
    CHECK_INT(private_dirs(&bad), dirs_before + 1);
    CHECK_INT(bad, 0);

    /* The new, empty dictionary learns again - and is forgotten again. */
    CHECK_INT(type(ime, "wangxiaoming"), IME_CHANGED);
    CHECK_INT(pick(ime, "王晓"), IME_CHANGED);
    CHECK_INT(pick(ime, "明"), IME_COMMIT);
    CHECK_STR(take(ime), "王晓明");
    ranking(ime, "wangxiaoming", after, sizeof after);
    CHECK_STR(after, learned);
    CHECK_INT(ime_forget(ime), 0);
    ranking(ime, "wangxiaoming", after, sizeof after);
    CHECK_STR(after, fresh);
    ime_close(ime);
    CHECK_INT(private_dirs(&bad), dirs_before);

    /* And a brand-new engine agrees. */
    ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    if (!ime)
        return;
    ranking(ime, "wangxiaoming", reopened, sizeof reopened);
    CHECK_STR(reopened, fresh);
    /* Forget also resets the quote pairing. */
    CHECK_INT(ime_key(ime, '"'), IME_COMMIT);
    CHECK_INT(ime_forget(ime), 0);
    CHECK_INT(ime_key(ime, '"'), IME_COMMIT);
    CHECK_STR(take(ime), "“");
    ime_close(ime);
    CHECK_INT(bad, 0);
}

/* Starts an engine in a child process and reports its private directory
 * through `out` (a pipe); with `hold` (the read end of a pipe whose write end
 * is `hold_w`), keeps it open until the parent closes that pipe. The child
 * never calls ime_close: it ends as a killed kiosk does. Returns the child's
 * pid, or -1. */
static pid_t engine_child(int out, int hold, int hold_w)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    char err[256], c;
    if (hold_w >= 0)
        close(hold_w);
    struct ime *ime = ime_open(NULL, err, sizeof err);
    const char *dir = ime ? ime_private_dir(ime) : "";
    if (write(out, dir, strlen(dir) + 1) < 0)
        _exit(1);
    if (hold >= 0)
        while (read(hold, &c, 1) > 0)
            ;
    _exit(ime ? 0 : 1);
}

/* Reads a NUL-terminated directory name from a child. */
static void read_dir(int fd, char *dir, size_t len)
{
    size_t n = 0;
    while (n + 1 < len && read(fd, dir + n, 1) == 1 && dir[n])
        n++;
    dir[n] = '\0';
}

/* A kiosk that dies (kill -9, a crash, power) cannot remove its private
 * directory; the next engine to open removes the directories of processes
 * that are gone, and only those. */
static void test_dead_dirs(void)
{
    char err[256], dead[4096], live[4096], old[4096], fresh_old[4096];
    int bad = 0, p1[2], p2[2], hold[2], st;
    CHECK_INT(private_dirs(&bad), 0);
    CHECK(pipe(p1) == 0 && pipe(p2) == 0 && pipe(hold) == 0);
    /* one engine that is alive, then one that died */
    pid_t b = engine_child(p2[1], hold[0], hold[1]);
    close(hold[0]);
    read_dir(p2[0], live, sizeof live);
    pid_t a = engine_child(p1[1], -1, -1);
    read_dir(p1[0], dead, sizeof dead);
    CHECK(a > 0 && waitpid(a, &st, 0) == a && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(dead[0] && is_dir(dead));
    CHECK(live[0] && is_dir(live));
    /* before locked directories: one untouched for two days, one fresh */
    snprintf(old, sizeof old, "%s/fdime-Old123", base);
    snprintf(fresh_old, sizeof fresh_old, "%s/fdime-New123", base);
    CHECK(mkdir(old, 0700) == 0 && mkdir(fresh_old, 0700) == 0);
    struct timespec two_days[2] = {{time(NULL) - 2 * 86400, 0}, {time(NULL) - 2 * 86400, 0}};
    CHECK(utimensat(AT_FDCWD, old, two_days, 0) == 0);
    CHECK_INT(private_dirs(&bad), 4);

    struct ime *ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    CHECK_MSG(!is_dir(dead), "the dead engine's %s is still there", dead);
    CHECK_MSG(is_dir(live), "the live engine's %s was removed", live);
    CHECK(!is_dir(old));
    CHECK(is_dir(fresh_old)); /* maybe an older kiosk still running */
    CHECK_INT(private_dirs(&bad), 3);
    ime_close(ime);
    /* the live one ends too (without closing): the next open clears it */
    close(hold[1]);
    CHECK(b > 0 && waitpid(b, &st, 0) == b);
    ime = ime_open(NULL, err, sizeof err);
    CHECK(ime != NULL && !is_dir(live));
    ime_close(ime);
    rmdir(fresh_old);
    CHECK_INT(private_dirs(&bad), 0);
    CHECK_INT(bad, 0);
    close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]);
}

int main(void)
{
    char err[256] = "";
    /* A private tmpfs base: see `base`. */
    snprintf(base, sizeof base, "/dev/shm/fdimetest-XXXXXX");
    if (!mkdtemp(base)) {
        perror("test_ime: /dev/shm");
        return 2;
    }
    setenv("XDG_RUNTIME_DIR", base, 1);
    test_open_errors();
    struct ime *ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    if (ime) {
        test_words(ime);
        test_backspace(ime);
        test_paging(ime);
        test_punctuation(ime);
        test_refused(ime);
        ime_close(ime);
    }
    test_privacy();
    test_dead_dirs();
    if (rmdir(base) != 0)
        fprintf(stderr, "test_ime: %s left behind\n", base);
    return check_summary();
}
