/* ime_kb_attach.c - the one part of the keyboard adapter that calls into the
 * keyboard (kb_set_ime and its labels), kept apart so that programs and
 * tests using only ime_kb_ops need not link the SDL toolkit. */
#include "ime_kb.h"

int ime_kb_attach(struct kb *kb, struct ime_kb *k, int on)
{
    kb_set_ime(kb, &ime_kb_ops, k);
    if (kb_set_label(kb, "ime_on", "\xe4\xb8\xad") != 0 || /* 中 */
        kb_set_label(kb, "ime_off", "EN") != 0)
        return -1;
    /* Attached while the engine composes - the screen was rebuilt around
     * the same field for a language switch -: the pinyin typed so far stays
     * and the input method stays on for it (issue 17). */
    const char *pre = ime_kb_ops.preedit(k);
    kb_set_ime_on(kb, on || (pre && *pre));
    return 0;
}
