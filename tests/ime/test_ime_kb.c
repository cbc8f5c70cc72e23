/* test_ime_kb.c - the keyboard adapter (app/ime/ime_kb.c) driven through
 * the kb_ime_ops table exactly as the on-screen keyboard calls it: string
 * keys in, commit text out, candidate i for the bar, backspace eaten only
 * while pinyin is composed, and reset forgetting the visitor. No display. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "ime_kb.h"

static char commit[IME_TEXT_MAX];

static int key(struct ime_kb *k, const char *name)
{
    return ime_kb_ops.key(k, name, commit, sizeof commit);
}

/* Types each letter of `s` as a key; returns the last answer. */
static int type(struct ime_kb *k, const char *s)
{
    int r = 0;
    for (; *s; s++) {
        char one[2] = {*s, '\0'};
        r = key(k, one);
        if (r != 1)
            return r;
    }
    return r;
}

static int find(struct ime_kb *k, const char *text)
{
    const char *c;
    for (int i = 0; i < 60 && (c = ime_kb_ops.candidate(k, i)); i++)
        if (strcmp(c, text) == 0)
            return i;
    return -1;
}

/* All candidates for `s`, joined, then the composition is dropped with
 * escape (so no learning happens). */
static void ranking(struct ime_kb *k, const char *s, char *out, size_t len)
{
    size_t o = 0;
    const char *c;
    out[0] = '\0';
    CHECK_INT(type(k, s), 1);
    for (int i = 0; (c = ime_kb_ops.candidate(k, i)) && o + 1 < len; i++) {
        int w = snprintf(out + o, len - o, "%s|", c);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    CHECK_INT(key(k, "\x1b"), 1);
}

int main(void)
{
    char err[256] = "";
    static char fresh[4096], learned[4096], after[4096];
    struct ime *ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    if (!ime)
        return check_summary();
    struct ime_kb *k = ime_kb_new(ime);
    CHECK(k != NULL);
    CHECK(ime_kb_new(NULL) == NULL);

    /* Nothing composed: the keyboard handles backspace, space, enter and
     * anything not pinyin itself. */
    CHECK_INT(key(k, "bksp"), 0);
    CHECK_INT(key(k, "space"), 0);
    CHECK_INT(key(k, "enter"), 0);
    CHECK_INT(key(k, "A"), 0);
    CHECK_INT(key(k, "7"), 0);
    CHECK_INT(key(k, "\xe3\x80\x82"), 0); /* a 。 key on a symbol layer */
    CHECK_STR(ime_kb_ops.preedit(k), "");
    CHECK(ime_kb_ops.candidate(k, 0) == NULL);

    /* Punctuation becomes full-width even with nothing composed. */
    CHECK_INT(key(k, ","), 1);
    CHECK_STR(commit, "，");

    /* Pinyin, a candidate bar, a choice. */
    CHECK_INT(type(k, "beijing"), 1);
    CHECK_STR(commit, "");
    CHECK_STR(ime_kb_ops.preedit(k), "bei'jing");
    CHECK_STR(ime_kb_ops.candidate(k, 0), "北京");
    CHECK(ime_kb_ops.candidate(k, -1) == NULL);
    CHECK(ime_kb_ops.candidate(k, 100000) == NULL);
    CHECK_INT(ime_kb_ops.select(k, 0, commit, sizeof commit), 1);
    CHECK_STR(commit, "北京");
    CHECK_STR(ime_kb_ops.preedit(k), "");

    /* The bar pages by asking for far candidates: beyond the adapter's
     * window it refills, and the strings stay right. */
    CHECK_INT(type(k, "shi"), 1);
    const char *c40 = ime_kb_ops.candidate(k, 40);
    CHECK(c40 != NULL);
    char keep[IME_TEXT_MAX];
    snprintf(keep, sizeof keep, "%s", c40 ? c40 : "");
    CHECK(ime_kb_ops.candidate(k, 1) != NULL);
    CHECK_STR(ime_kb_ops.candidate(k, 40), keep);
    CHECK_INT(ime_kb_ops.select(k, 40, commit, sizeof commit), 1);
    CHECK_STR(commit, keep);

    /* Backspace goes through the pinyin first, then back to the field. */
    CHECK_INT(type(k, "ni"), 1);
    CHECK_INT(key(k, "bksp"), 1);
    CHECK_STR(ime_kb_ops.preedit(k), "n");
    CHECK_INT(key(k, "bksp"), 1);
    CHECK_STR(ime_kb_ops.preedit(k), "");
    CHECK_INT(key(k, "bksp"), 0);

    /* Space takes the best sentence; enter the letters. */
    CHECK_INT(type(k, "nihao"), 1);
    CHECK_INT(key(k, "space"), 1);
    CHECK_STR(commit, "你好");
    CHECK_INT(type(k, "nihao"), 1);
    CHECK_INT(key(k, "enter"), 1);
    CHECK_STR(commit, "nihao");

    /* A key the engine does not know, mid-pinyin: the sentence first, then
     * that key's text, in order. */
    CHECK_INT(type(k, "nihao"), 1);
    CHECK_INT(key(k, "\xe3\x80\x82"), 1);
    CHECK_STR(commit, "你好。");
    /* A capital or a digit mid-pinyin is text, not pinyin or a candidate
     * number (the engine's page is not the bar's): the sentence first, then
     * the key, in order. */
    CHECK_INT(type(k, "bei"), 1);
    CHECK_INT(key(k, "A"), 1);
    CHECK_STR(commit, "被A");
    CHECK_STR(ime_kb_ops.preedit(k), "");
    CHECK_INT(type(k, "bei"), 1);
    CHECK_INT(key(k, "3"), 1);
    CHECK_STR(commit, "被3");
    CHECK_INT(key(k, "7"), 0); /* nothing composed: the keyboard types it */
    /* A buffer too small keeps the text for the next call. */
    CHECK_INT(type(k, "beijing"), 1);
    char tiny[4];
    CHECK_INT(ime_kb_ops.select(k, 0, tiny, sizeof tiny), -ENOSPC);
    CHECK_INT(key(k, "space"), 0); /* nothing composed any more */
    CHECK_INT(key(k, "."), 1);
    CHECK_STR(commit, "北京。");

    /* Reset (field change, idle reset) forgets the visitor. */
    ranking(k, "wangxiaoming", fresh, sizeof fresh);
    CHECK_INT(type(k, "wangxiaoming"), 1);
    int i = find(k, "王晓");
    CHECK(i >= 0);
    CHECK_INT(ime_kb_ops.select(k, i, commit, sizeof commit), 1);
    i = find(k, "明");
    CHECK(i >= 0);
    CHECK_INT(ime_kb_ops.select(k, i, commit, sizeof commit), 1);
    CHECK_STR(commit, "王晓明");
    ranking(k, "wangxiaoming", learned, sizeof learned);
    CHECK(strcmp(learned, fresh) != 0); /* learned: the control */
    CHECK_INT(type(k, "wang"), 1);
    ime_kb_ops.reset(k);
    CHECK_STR(ime_kb_ops.preedit(k), "");
    ranking(k, "wangxiaoming", after, sizeof after);
    CHECK_STR(after, fresh);

    ime_kb_free(k);
    ime_close(ime);
    return check_summary();
}
