/* ime_kb.c - the adapter between the on-screen keyboard's input-method
 * interface (kb_ime_ops: string keys, candidate i, commit buffers) and the
 * pinyin engine (ime.h: int keys, statuses, pages). It keeps the strings the
 * keyboard is handed (preedit, a window of candidates) and wipes them
 * whenever the composition changes or the visitor is forgotten. */
#include "ime_kb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Candidates kept as strings at a time: more than a bar shows, so paging
 * within it costs nothing; asking outside refills the window. */
#define CAND_WINDOW 32

struct ime_kb {
    struct ime *ime;                      /* the engine, not owned */
    char preedit[IME_TEXT_MAX];           /* last preedit handed out */
    bool cand_valid;                      /* window matches the engine */
    size_t cand_base;                     /* index of cand[0] */
    size_t cand_n;                        /* filled slots */
    char cand[CAND_WINDOW][IME_TEXT_MAX]; /* candidate strings */
};

static void drop_candidates(struct ime_kb *k)
{
    explicit_bzero(k->cand, k->cand_n * sizeof k->cand[0]);
    k->cand_n = 0;
    k->cand_base = 0;
    k->cand_valid = false;
}

/* Turns an ime status into the keyboard's answer, moving committed text
 * into its buffer. */
static int answer(struct ime_kb *k, int st, char *commit, size_t commit_size)
{
    if (st != IME_PASS)
        drop_candidates(k);
    if (st < 0)
        return st;
    if (st == IME_PASS)
        return 0;
    if (st == IME_COMMIT) {
        /* The keyboard's buffer is meant to hold IME_TEXT_MAX; if it does
         * not, the text stays with the engine for the next call. */
        int n = ime_take_commit(k->ime, commit, commit_size);
        if (n < 0)
            return n;
    }
    return 1;
}

/* Maps the keyboard's key names to ime_key() codes; -1 for keys that are
 * not single ASCII characters (a 。 or an emoji on a symbol layer). */
static int key_code(const char *key)
{
    if (strcmp(key, "bksp") == 0)
        return IME_KEY_BACKSPACE;
    if (strcmp(key, "space") == 0)
        return ' ';
    if (strcmp(key, "enter") == 0)
        return IME_KEY_ENTER;
    if (key[0] != '\0' && key[1] == '\0' && (unsigned char)key[0] < 0x80)
        return (unsigned char)key[0];
    return -1;
}

static int op_key(void *ctx, const char *key, char *commit,
                  size_t commit_size)
{
    struct ime_kb *k = ctx;
    if (commit_size > 0)
        commit[0] = '\0';
    if (!key)
        return -EINVAL;
    int c = key_code(key);
    /* A capital or a digit from the keyboard is text, never pinyin or a
     * candidate number: the bar shows its own pages, and a digit picking
     * from the engine's page would pick something not on the screen. */
    if (c >= 0 && !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
        return answer(k, ime_key(k->ime, c), commit, commit_size);
    /* Any other text key: what is composed goes first, the keyboard then
     * types its key after it. Returning 0 with text would lose the order. */
    if (!ime_composing(k->ime))
        return 0;
    int r = answer(k, ime_commit_best(k->ime), commit, commit_size);
    if (r != 1)
        return r;
    size_t n = strlen(commit), m = strlen(key);
    if (n + m + 1 > commit_size)
        return 1; /* the committed text is kept; this one key is dropped */
    memcpy(commit + n, key, m + 1);
    return 1;
}

static const char *op_preedit(void *ctx)
{
    struct ime_kb *k = ctx;
    if (ime_preedit(k->ime, k->preedit, sizeof k->preedit) < 0)
        k->preedit[0] = '\0';
    return k->preedit;
}

static const char *op_candidate(void *ctx, int i)
{
    struct ime_kb *k = ctx;
    size_t total = ime_candidate_count(k->ime);
    if (i < 0 || (size_t)i >= total)
        return NULL;
    size_t idx = (size_t)i;
    if (!k->cand_valid || idx < k->cand_base ||
        idx >= k->cand_base + k->cand_n) {
        drop_candidates(k);
        k->cand_base = idx / CAND_WINDOW * CAND_WINDOW;
        while (k->cand_n < CAND_WINDOW && k->cand_base + k->cand_n < total) {
            char *slot = k->cand[k->cand_n];
            if (ime_candidate(k->ime, k->cand_base + k->cand_n, slot,
                              IME_TEXT_MAX) < 0)
                slot[0] = '\0';
            k->cand_n++;
        }
        k->cand_valid = true;
    }
    return k->cand[idx - k->cand_base];
}

static int op_select(void *ctx, int i, char *commit, size_t commit_size)
{
    struct ime_kb *k = ctx;
    if (commit_size > 0)
        commit[0] = '\0';
    if (i < 0)
        return -EINVAL;
    return answer(k, ime_choose(k->ime, (size_t)i), commit, commit_size);
}

void ime_kb_forget(struct ime_kb *k)
{
    if (!k)
        return;
    ime_forget(k->ime);
    drop_candidates(k);
    explicit_bzero(k->preedit, sizeof k->preedit);
}

/* The keyboard resets on field change and idle reset alike and cannot tell
 * us which; forgetting costs ~20 us, so both forget - the safe side. */
static void op_reset(void *ctx)
{
    ime_kb_forget(ctx);
}

const struct kb_ime_ops ime_kb_ops = {
    .key = op_key,
    .preedit = op_preedit,
    .candidate = op_candidate,
    .select = op_select,
    .reset = op_reset,
};

struct ime_kb *ime_kb_new(struct ime *ime)
{
    struct ime_kb *k;
    if (!ime)
        return NULL;
    k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->ime = ime;
    return k;
}

void ime_kb_free(struct ime_kb *k)
{
    if (!k)
        return;
    explicit_bzero(k, sizeof *k);
    free(k);
}
