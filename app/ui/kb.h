/* kb.h - the on-screen keyboard: a widget drawn from a data table of keys and
 * widths (data/ui/kb_*.txt, compiled in: letters, symbols, phone, numeric),
 * typing into the focused text field of its screen. It follows the field's
 * wanted layout (ui_field_set_keyboard) and can host an input method (the
 * pinyin engine in app/ime) through the small kb_ime_ops interface, drawing
 * its preedit and candidates in a bar above the keys. */
#ifndef KB_H
#define KB_H
#include <stddef.h>
#include <stdint.h>

#include "ui.h"

struct kb;

/* An input method plug-in. Each call gets the ctx given to kb_set_ime. */
struct kb_ime_ops {
    /* Offers a key. While the input method is on, every text key of one
     * character is offered: "a".."z", "A".."Z" when shifted, a digit or a
     * punctuation mark (also non-ASCII, "。"); "bksp", "space", "enter"
     * only while the preedit is not empty. Returns 1 when the engine took
     * it (then commit holds text to insert into the field, "" for none), 0
     * when the keyboard should handle the key itself (it types the text,
     * the capital included, and shift ends), <0 when refused or on an
     * error (the key is dropped and shift stays on). */
    int (*key)(void *ctx, const char *key, char *commit, size_t commit_size);
    /* What has been typed and not committed yet ("" when nothing). */
    const char *(*preedit)(void *ctx);
    /* Candidate i, 0 first; NULL past the last. */
    const char *(*candidate)(void *ctx, int i);
    /* Chooses candidate i: same result as key(). */
    int (*select)(void *ctx, int i, char *commit, size_t commit_size);
    /* Forgets (and wipes) the preedit and candidates: field change, idle
     * reset. */
    void (*reset)(void *ctx);
};

/* Adds a keyboard showing `layout` ("letters", "symbols", "phone",
 * "numeric") at the end of parent. The keyboard belongs to the widget and is
 * freed with its screen. Returns NULL on an unknown layout or no memory. */
struct kb *kb_new(struct ui_widget *parent, const char *id, const char *layout);
struct ui_widget *kb_widget(struct kb *kb);

/* Shows another layout; 0, or -1 when there is no such layout. */
int kb_set_layout(struct kb *kb, const char *layout);
const char *kb_layout(const struct kb *kb);

/* Plugs an input method in (ops NULL: none) and turns it on. The @ime key
 * toggles it; without an input method that key is not shown. */
void kb_set_ime(struct kb *kb, const struct kb_ime_ops *ops, void *ctx);
void kb_set_ime_on(struct kb *kb, int on);
int kb_ime_on(const struct kb *kb);

/* 1 when the input method holds letters not committed yet (pinyin being
 * composed), 0 otherwise. */
int kb_composing(struct kb *kb);

/* The screen holding kb was rebuilt in place of the one holding old (a
 * language switch), its field focused again: kb goes on where old was -
 * the input method's state (what is being composed), shift - instead of
 * resetting it as for a new field. Call before old is freed. */
void kb_adopt(struct kb *kb, const struct kb *old);

/* Label for an action key ("enter", "space", "layer:symbols", "ime_on",
 * "ime_off"...), e.g. a translation. 0, or -1 when the label is too long. */
int kb_set_label(struct kb *kb, const char *action, const char *label);

/* Acts as if the key with this id was tapped: a text key's id is its text
 * ("q", "7"), an action key's id its action ("shift", "bksp", "space",
 * "enter", "layer:symbols", "ime"), a candidate "cand:N" (any candidate,
 * shown or not), the bar's paging cells "cand:next" (›) and "cand:prev"
 * (‹). 0, or -1 when the key is not on the current layout or the cell is
 * not on the bar now. */
int kb_press(struct kb *kb, const char *key_id);

/* Where that key is drawn now (for scripts and tests); "cand:N",
 * "cand:next" and "cand:prev" are cells of the candidate bar. 0, or -1
 * when it is not drawn. */
int kb_key_rect(struct kb *kb, const char *key_id, struct ui_rect *r);

/* For layout checks (check_elder): every key shown in the frame px (pw x
 * ph RGBA bytes, R first, as ui_read_frame gives) holds its label with a
 * clear margin (a tenth of its smaller side, at least 4 px): no pixel of
 * the label's colour lies in that band inside its border. Returns the
 * number of keys that fail, each appended to err (NUL-terminated, errsz
 * bytes; "; " between). */
int kb_check_labels(struct kb *kb, const uint8_t *px, int pw, int ph, char *err,
                    size_t errsz);
/* The keyboard on screen s (the first one), or NULL. */
struct kb *kb_of_screen(struct ui_screen *s);

#endif
