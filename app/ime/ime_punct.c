/* ime_punct.c - the ASCII to full-width punctuation table of the pinyin
 * mode, as data: one row per key, with a second form for the keys whose
 * Chinese mark comes in pairs (quotes). The set is the one Chinese forms use
 * (，。？！：；“”‘’（）、) plus the common IME extras (《》【】…… ——). */
#include "ime_punct.h"

#include <stddef.h>

struct punct_row {
    char key;            /* ASCII key on the keyboard */
    const char *text;    /* full-width form (the opening one for pairs) */
    const char *closing; /* closing form of a pair, NULL for single marks */
    unsigned bit;        /* the ime_punct_state bit of a pair, 0 if none */
};

static const struct punct_row punct_table[] = {
    {',', "\xef\xbc\x8c", NULL, 0},           /* ， */
    {'.', "\xe3\x80\x82", NULL, 0},           /* 。 */
    {'?', "\xef\xbc\x9f", NULL, 0},           /* ？ */
    {'!', "\xef\xbc\x81", NULL, 0},           /* ！ */
    {':', "\xef\xbc\x9a", NULL, 0},           /* ： */
    {';', "\xef\xbc\x9b", NULL, 0},           /* ； */
    {'"', "\xe2\x80\x9c", "\xe2\x80\x9d", 1}, /* “ ” */
    {'\'', "\xe2\x80\x98", "\xe2\x80\x99", 2}, /* ‘ ’ */
    {'(', "\xef\xbc\x88", NULL, 0},           /* （ */
    {')', "\xef\xbc\x89", NULL, 0},           /* ） */
    {'\\', "\xe3\x80\x81", NULL, 0},          /* 、 */
    {'<', "\xe3\x80\x8a", NULL, 0},           /* 《 */
    {'>', "\xe3\x80\x8b", NULL, 0},           /* 》 */
    {'[', "\xe3\x80\x90", NULL, 0},           /* 【 */
    {']', "\xe3\x80\x91", NULL, 0},           /* 】 */
    {'^', "\xe2\x80\xa6\xe2\x80\xa6", NULL, 0}, /* …… */
    {'_', "\xe2\x80\x94\xe2\x80\x94", NULL, 0}, /* —— */
    {'~', "\xef\xbd\x9e", NULL, 0},           /* ～ */
    {'$', "\xef\xbf\xa5", NULL, 0},           /* ￥ */
};

const char *ime_punct_map(int key, struct ime_punct_state *st)
{
    for (size_t i = 0; i < sizeof punct_table / sizeof punct_table[0]; i++) {
        const struct punct_row *r = &punct_table[i];
        if (r->key != key)
            continue;
        if (!r->closing)
            return r->text;
        unsigned closing_next = st ? (st->quotes & r->bit) : 0;
        if (st)
            st->quotes ^= r->bit;
        return closing_next ? r->closing : r->text;
    }
    return NULL;
}
