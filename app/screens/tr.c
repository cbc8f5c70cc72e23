/* tr.c - translations (tr.h). The table is a copy of the embedded TSV cut in
 * place into key / zh / en pointers; lookups are a linear scan over about a
 * hundred keys, done only when a screen is built. */
#include "tr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"

extern const struct fd_embedded_file fd_strings[];

#define TR_MAX 512 /* keys; past it tr_init fails ("too many strings") */

static struct {
    const char *key, *zh, *en;
} table[TR_MAX];
static int ntable;
static char *text; /* the table's storage, owned */
static int zh_now = 1;

/* The printf conversions of s, e.g. "%d%s", for comparing languages. */
static void conversions(const char *s, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = s; *p && o + 2 < len; p++)
        if (*p == '%' && p[1]) {
            out[o++] = p[1];
            p++;
        }
    out[o] = '\0';
}

int tr_init(char *err, size_t errlen)
{
    tr_free();
    text = strdup(fd_strings[0].data);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int line = 0;
    for (char *save, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        if (*l == '#' || *l == '\0')
            continue;
        char *t1 = strchr(l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || strchr(t2 + 1, '\t') || t1 == l || t2 == t1 + 1 || !t2[1]) {
            snprintf(err, errlen, "strings.tsv:%d: want key<TAB>中文<TAB>English", line);
            return -1;
        }
        if (ntable == TR_MAX) {
            snprintf(err, errlen, "strings.tsv: too many strings (at most %d)", TR_MAX);
            return -1;
        }
        *t1 = *t2 = '\0';
        char a[16], b[16];
        conversions(t1 + 1, a, sizeof a);
        conversions(t2 + 1, b, sizeof b);
        if (strcmp(a, b)) {
            snprintf(err, errlen, "strings.tsv:%d: %s has different placeholders", line, l);
            return -1;
        }
        for (int i = 0; i < ntable; i++)
            if (!strcmp(table[i].key, l)) {
                snprintf(err, errlen, "strings.tsv:%d: %s twice", line, l);
                return -1;
            }
        table[ntable].key = l, table[ntable].zh = t1 + 1, table[ntable].en = t2 + 1;
        ntable++;
    }
    return 0;
}

void tr_free(void)
{
    free(text);
    text = NULL;
    ntable = 0;
}

void tr_set_zh(int zh) { zh_now = zh != 0; }
int tr_zh(void) { return zh_now; }
int tr_count(void) { return ntable; }
const char *tr_key(int i) { return i >= 0 && i < ntable ? table[i].key : NULL; }

const char *tr_in(const char *key, int zh)
{
    for (int i = 0; i < ntable; i++)
        if (!strcmp(table[i].key, key))
            return zh ? table[i].zh : table[i].en;
    fprintf(stderr, "frontdesk: no translation for %s\n", key);
    return key;
}

const char *tr(const char *key) { return tr_in(key, zh_now); }

const char *tr_fmt(char *buf, size_t len, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf, len, tr(key), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    return buf;
}
