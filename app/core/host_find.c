/* host_find.c - the host directory by pinyin (host_find.h). The reading of
 * a name's characters comes from ICU's Han-Latin transliterator in its
 * names variant (surnames read as surnames: 单 shan, 曾 zeng), then
 * Latin-ASCII drops the tones: Debian's ICU has the data, so no pinyin
 * table is written here. The transliterator is built once (its rules take
 * milliseconds to compile) and used under a lock; a directory is small
 * (hundreds of names) and is read through host_search, so core's SQL stays
 * in visitor.c. ICU is opened (dlopen) with the transliterator, not linked:
 * its three libraries and their 2,000 relocations, bound at load, cost every
 * start of the kiosk before its first frame, and only the host search on
 * the visit form needs them (issue 18). The library and symbol names are
 * the ones the headers compiled against give (urename.h versions them). */
#include "host_find.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uvernum.h>

#define HF_STR2(x) #x
#define HF_STR(x) HF_STR2(x) /* a macro's expansion as a string */
#define ICU_LIB "libicui18n.so." HF_STR(U_ICU_VERSION_MAJOR_NUM)

#define PY_MAX 256 /* bytes of one name's pinyin */

static pthread_mutex_t tr_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *tr;
static int tr_failed;

/* The ICU functions used, from the library opened once (never closed). */
static struct {
    __typeof__(utrans_openU) *open_u;
    __typeof__(utrans_transUChars) *trans_uchars;
    __typeof__(u_uastrcpy) *uastrcpy;
    __typeof__(u_strFromUTF8) *from_utf8;
    __typeof__(u_strToUTF8) *to_utf8;
} icu;

/* Opens ICU and finds its functions (u_* are libicuuc's, which libicui18n
 * brings). 0, or -1 when ICU is not installed or lacks one. */
static int icu_open(void)
{
    void *h = dlopen(ICU_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return -1;
    *(void **)&icu.open_u = dlsym(h, HF_STR(utrans_openU));
    *(void **)&icu.trans_uchars = dlsym(h, HF_STR(utrans_transUChars));
    *(void **)&icu.uastrcpy = dlsym(h, HF_STR(u_uastrcpy));
    *(void **)&icu.from_utf8 = dlsym(h, HF_STR(u_strFromUTF8));
    *(void **)&icu.to_utf8 = dlsym(h, HF_STR(u_strToUTF8));
    if (!icu.open_u || !icu.trans_uchars || !icu.uastrcpy || !icu.from_utf8 ||
        !icu.to_utf8) {
        dlclose(h);
        return -1;
    }
    return 0;
}

/* The transliterator, built on first use; NULL when ICU is missing or
 * cannot build it. Called with tr_lock held. */
static UTransliterator *translit(void)
{
    static const char id[] = "Han-Latin/Names; Latin-ASCII; Lower";
    UChar uid[64];
    UErrorCode ec = U_ZERO_ERROR;
    if (tr || tr_failed)
        return tr;
    if (icu_open() < 0) {
        tr_failed = 1;
        return NULL;
    }
    icu.uastrcpy(uid, id);
    tr = icu.open_u(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &ec);
    if (U_FAILURE(ec)) {
        tr = NULL;
        tr_failed = 1;
    }
    return tr;
}

static void *warm_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&tr_lock);
    translit();
    pthread_mutex_unlock(&tr_lock);
    return NULL;
}

void host_find_warm(void)
{
    pthread_t t;
    pthread_attr_t at;
    if (pthread_attr_init(&at) != 0)
        return;
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &at, warm_main, NULL);
    pthread_attr_destroy(&at);
}

int host_pinyin(const char *name, char *out, size_t outsz)
{
    UChar u[4 * PY_MAX]; /* 40 characters grow to ~7 each ("zhāng ") */
    char raw[4 * PY_MAX * 3];
    int32_t len = 0, limit;
    UErrorCode ec = U_ZERO_ERROR;
    if (!outsz)
        return -1;
    out[0] = '\0';
    pthread_mutex_lock(&tr_lock);
    UTransliterator *t = translit();
    if (t) {
        icu.from_utf8(u, 4 * PY_MAX, &len, name, -1, &ec);
        if (U_SUCCESS(ec)) {
            limit = len;
            icu.trans_uchars(t, u, &len, 4 * PY_MAX, 0, &limit, &ec);
        }
        if (U_SUCCESS(ec))
            icu.to_utf8(raw, sizeof raw, NULL, u, len, &ec);
    }
    pthread_mutex_unlock(&tr_lock);
    if (!t || U_FAILURE(ec))
        return -1;
    /* letters only, syllables (anything else between) one space apart */
    size_t o = 0;
    for (const char *p = raw; *p;) {
        while (*p && !(*p >= 'a' && *p <= 'z'))
            p++;
        const char *q = p;
        while (*q >= 'a' && *q <= 'z')
            q++;
        size_t k = (size_t)(q - p);
        if (k && o + (o > 0) + k < outsz) {
            if (o)
                out[o++] = ' ';
            memcpy(out + o, p, k);
            o += k;
            out[o] = '\0';
        } else if (k) {
            break;
        }
        p = q;
    }
    return 0;
}

/* Lower-case ASCII letters of a Latin query ("Zhang W" -> "zhangw") into
 * out; 0 when the query is something else (characters, digits). */
static int latin_key(const char *q, char *out, size_t outsz)
{
    size_t o = 0;
    for (; *q; q++) {
        char c = *q;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c >= 'a' && c <= 'z') {
            if (o + 1 >= outsz)
                return 0;
            out[o++] = c;
        } else if (c != ' ' && c != '\'') {
            return 0;
        }
    }
    out[o] = '\0';
    return o > 0;
}

/* Whether key matches pinyin py ("zhang wei"): the letters from some
 * syllable on start with key ("zhang", "zhangw", "wei"), or the initials
 * from some syllable on do ("zw", "w"). */
static int pinyin_match(const char *py, const char *key)
{
    char syl[32][24], all[PY_MAX], ini[33];
    int ns = 0;
    for (const char *p = py; *p && ns < 32;) {
        size_t k = strcspn(p, " ");
        if (k && k < sizeof syl[0]) {
            memcpy(syl[ns], p, k);
            syl[ns++][k] = '\0';
        }
        p += k;
        while (*p == ' ')
            p++;
    }
    size_t kl = strlen(key);
    for (int j = 0; j < ns; j++) {
        size_t o = 0;
        for (int i = j; i < ns; i++) {
            size_t k = strlen(syl[i]);
            memcpy(all + o, syl[i], k);
            o += k;
        }
        all[o] = '\0';
        if (strncmp(all, key, kl) == 0)
            return 1;
        o = 0;
        for (int i = j; i < ns; i++)
            ini[o++] = syl[i][0];
        ini[o] = '\0';
        if (o >= kl && strncmp(ini, key, kl) == 0)
            return 1;
    }
    return 0;
}

/* strcasestr for ASCII letters (the Latin part of a name: "Anna"). */
static int has_icase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

int host_find(struct fd_store *st, const char *query, struct host **out, int *n,
              struct fd_err *err)
{
    char key[HOST_NAME_MAX_CHARS * 4 + 1], py[PY_MAX];
    int rc;
    if (!query || !*query || !latin_key(query, key, sizeof key))
        return host_search(st, query, out, n, err);
    if ((rc = host_search(st, NULL, out, n, err)))
        return rc;
    int k = 0;
    for (int i = 0; i < *n; i++) {
        struct host *h = &(*out)[i];
        int hit = has_icase(h->name, query) || has_icase(h->department, query) ||
                  (host_pinyin(h->name, py, sizeof py) == 0 && pinyin_match(py, key));
        if (hit)
            (*out)[k++] = *h;
    }
    *n = k;
    return 0;
}
