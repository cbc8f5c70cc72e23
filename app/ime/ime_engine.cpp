/* ime_engine.cpp - the C++ shim over Debian's libgooglepinyin (the Android
 * pinyin decoder): one ime_pinyin::MatrixSearch per engine, built in storage
 * we own so that destroying it can be followed by explicit_bzero of the
 * object (it holds the typed pinyin and the chosen lemmas inline). No C++
 * exception crosses into C: allocation is nothrow and the library's methods
 * do not throw. UTF-16 from the engine becomes UTF-8 here. */
#include "ime_engine.h"

#include <matrixsearch.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string.h>
#include <unistd.h>

using ime_pinyin::char16;
using ime_pinyin::MatrixSearch;

/* Longest text we ever ask the engine for, in UTF-16 units: a sentence is at
 * most kMaxRowNum syllables, a lemma at most kMaxLemmaSize characters. */
static const size_t k_text_units = ime_pinyin::kMaxSearchSteps + 8;

struct ime_engine {
    alignas(MatrixSearch) unsigned char storage[sizeof(MatrixSearch)];
    MatrixSearch *ms; /* constructed in `storage`, NULL once destroyed */
};

/* Writes UTF-16 `s` (NUL-terminated, at most `n` units) as UTF-8 into buf.
 * Lone surrogates become U+FFFD. Returns the byte length or -1 if the text
 * does not fit `len` (buf then holds ""). */
static int utf16_to_utf8(const char16 *s, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < n && s[i] != 0; i++) {
        unsigned long c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        unsigned char b[4];
        size_t k;
        if (c < 0x80) {
            b[0] = (unsigned char)c;
            k = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xC0 | (c >> 6));
            b[1] = (unsigned char)(0x80 | (c & 0x3F));
            k = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (c >> 12));
            b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (c & 0x3F));
            k = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (c >> 18));
            b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (c & 0x3F));
            k = 4;
        }
        if (o + k + 1 > len) {
            buf[0] = '\0';
            return -1;
        }
        memcpy(buf + o, b, k);
        o += k;
    }
    buf[o] = '\0';
    return (int)o;
}

/* Destroys the decoder object and wipes its storage. */
static void engine_destroy(struct ime_engine *e)
{
    if (e->ms) {
        e->ms->close();
        e->ms->~MatrixSearch();
        e->ms = nullptr;
    }
    explicit_bzero(e->storage, sizeof e->storage);
}

extern "C" struct ime_engine *ime_engine_open(const char *sys_dict,
                                              const char *usr_dict)
{
    struct ime_engine *e =
        static_cast<struct ime_engine *>(std::calloc(1, sizeof *e));
    if (!e)
        return nullptr;
    e->ms = new (e->storage) MatrixSearch();
    bool ok = false;
    try {
        ok = e->ms->init(sys_dict, usr_dict);
    } catch (...) {
        ok = false; /* std::bad_alloc from a damaged dictionary's sizes */
    }
    if (!ok) {
        engine_destroy(e);
        std::free(e);
        return nullptr;
    }
    return e;
}

extern "C" void ime_engine_close(struct ime_engine *e)
{
    if (!e)
        return;
    engine_destroy(e);
    std::free(e);
}

extern "C" void ime_engine_forget(struct ime_engine *e, const char *usr_dict)
{
    e->ms->reset_search();
    /* flush_cache() is UserDict::flush_cache(): close (write back only if
     * the file exists - it does not), then load the file again, which the
     * library recreates as an empty dictionary since it is missing. */
    unlink(usr_dict);
    e->ms->flush_cache();
    unlink(usr_dict);
    /* Learning also moved a process-wide n-gram weight (set from the user
     * dictionary's total on each choice) that the reload leaves alone.
     * Choosing a one-lemma system sentence learns nothing but recomputes it
     * from the now empty dictionary. (The rankings tests/ime probes match a
     * fresh engine's even without this; it removes the last learned state
     * we know of rather than rely on that.) */
    e->ms->search("a", 1);
    if (e->ms->get_candidate_num() > 0)
        e->ms->choose(0);
    ime_engine_reset(e);
}

extern "C" size_t ime_engine_search(struct ime_engine *e, const char *py,
                                    size_t len)
{
    e->ms->search(py, len);
    size_t decoded = 0;
    e->ms->get_pystr(&decoded);
    return decoded;
}

extern "C" void ime_engine_delete_last(struct ime_engine *e)
{
    size_t decoded = 0;
    const char *py = e->ms->get_pystr(&decoded);
    size_t n = py ? std::strlen(py) : 0;
    if (n > 0)
        e->ms->delsearch(n - 1, false, false);
}

extern "C" void ime_engine_cancel_choice(struct ime_engine *e)
{
    e->ms->cancel_last_choice();
}

extern "C" void ime_engine_reset(struct ime_engine *e)
{
    /* search() copies its whole argument into the engine's pinyin buffer
     * before decoding; a leading apostrophe decodes to nothing, so this
     * overwrites every letter the visitor typed at almost no cost. */
    char junk[ime_pinyin::kMaxSearchSteps];
    std::memset(junk, '\'', sizeof junk);
    e->ms->reset_search();
    e->ms->search(junk, sizeof junk - 1);
    e->ms->reset_search();
}

extern "C" size_t ime_engine_choose(struct ime_engine *e, size_t i)
{
    return e->ms->choose(i);
}

extern "C" size_t ime_engine_candidate_count(struct ime_engine *e)
{
    size_t decoded = 0;
    e->ms->get_pystr(&decoded);
    if (decoded == 0)
        return 0; /* the engine keeps stale candidates after a reset */
    return e->ms->get_candidate_num();
}

extern "C" int ime_engine_candidate(struct ime_engine *e, size_t i, char *buf,
                                    size_t len)
{
    char16 t[k_text_units + 1];
    if (len > 0)
        buf[0] = '\0';
    if (i >= ime_engine_candidate_count(e))
        return -1;
    std::memset(t, 0, sizeof t);
    if (!e->ms->get_candidate(i, t, k_text_units))
        return -1;
    size_t skip = 0;
    if (i == 0) {
        /* Candidate 0 is the whole sentence, chosen prefix included; a bar
         * shows only what choosing it would add (as Android's IME does). */
        skip = e->ms->get_fixedlen();
        size_t n = 0;
        while (n < k_text_units && t[n] != 0)
            n++;
        if (skip > n)
            skip = n;
    }
    int r = utf16_to_utf8(t + skip, k_text_units - skip, buf, len);
    explicit_bzero(t, sizeof t);
    return r;
}

extern "C" int ime_engine_sentence(struct ime_engine *e, int only_fixed,
                                   char *buf, size_t len)
{
    char16 t[k_text_units + 1];
    ime_pinyin::uint16 n = 0;
    if (len > 0)
        buf[0] = '\0';
    size_t decoded = 0;
    e->ms->get_pystr(&decoded);
    if (decoded == 0)
        return len > 0 ? 0 : -1;
    std::memset(t, 0, sizeof t);
    if (!e->ms->get_candidate0(t, k_text_units, &n, false))
        return -1;
    size_t units = n;
    if (only_fixed && e->ms->get_fixedlen() < units)
        units = e->ms->get_fixedlen();
    int r = utf16_to_utf8(t, units, buf, len);
    explicit_bzero(t, sizeof t);
    return r;
}

extern "C" const char *ime_engine_pinyin(struct ime_engine *e, size_t *decoded)
{
    return e->ms->get_pystr(decoded);
}

extern "C" size_t ime_engine_syllables(struct ime_engine *e,
                                       const uint16_t **start)
{
    const ime_pinyin::uint16 *s = nullptr;
    size_t n = e->ms->get_spl_start(s);
    *start = s;
    return n;
}

extern "C" size_t ime_engine_fixed(struct ime_engine *e)
{
    return e->ms->get_fixedlen();
}
