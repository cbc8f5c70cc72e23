/* test_text_policy.c - one text policy (issue 15): a table of strings (bidi
 * marks, BOM, zero-width joiner in emoji, C0/C1 controls, unassigned,
 * private use, line separators, ordinary Chinese, emoji, combining marks,
 * variation selectors) and the verdict each layer gives: core (val_text, what
 * is stored), the toolkit (ui_utf8_valid, what a field takes) and the printer
 * (escpos_dropped, what it would leave out). They must agree: what core
 * accepts the toolkit takes and the printer prints whole; what core refuses
 * neither the toolkit nor the printer lets through. Before, core stored
 * U+200F and U+FEFF in names that the printer then dropped. */
#include "check.h"
#include "escpos.h"
#include "fdtext.h"
#include "ui_text.h"
#include "validate.h"

static const struct {
    const char *what;
    const char *s;
    int ok; /* the policy's verdict */
} table[] = {
    {"Chinese name", "王晓明", 1},
    {"Latin with accents", "José Müller", 1},
    {"combining acute", "Jose\xcc\x81", 1},
    {"emoji", "\xf0\x9f\x98\x80 ok", 1},
    {"emoji + VS16", "\xe2\x9d\xa4\xef\xb8\x8f", 1},
    {"ideographic variation", "\xe8\x91\x9b\xf3\xa0\x84\x80", 1}, /* 葛 + U+E0100 */
    {"fullwidth", "ＡＢＣ１２３", 1},
    {"CJK ext B", "\xf0\xa0\x80\x80", 1},                        /* U+20000 */
    {"apostrophe, SQL", "O'Brien; DROP TABLE visitor;--", 1},
    {"RLM U+200F", "abc\xe2\x80\x8f", 0},
    {"LRM U+200E", "\xe2\x80\x8e" "abc", 0},
    {"RLO U+202E", "abc\xe2\x80\xae" "def", 0},
    {"LRI U+2066", "\xe2\x81\xa6x", 0},
    {"BOM U+FEFF", "\xef\xbb\xbf王", 0},
    {"ZWSP U+200B", "a\xe2\x80\x8b" "b", 0},
    {"ZWJ in emoji family", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 0},
    {"ZWNJ U+200C", "a\xe2\x80\x8c" "b", 0},
    {"soft hyphen U+00AD", "co\xc2\xad" "op", 0},
    {"word joiner U+2060", "a\xe2\x81\xa0" "b", 0},
    {"tag U+E0041", "a\xf3\xa0\x81\x81", 0},
    {"C0 NUL-less ESC", "a\x1b[2Jb", 0},
    {"C0 tab", "a\tb", 0},
    {"C0 newline (one line)", "a\nb", 0},
    {"DEL", "a\x7f", 0},
    {"C1 NEL U+0085", "a\xc2\x85", 0},
    {"C1 CSI U+009B", "a\xc2\x9b", 0},
    {"line separator U+2028", "a\xe2\x80\xa8" "b", 0},
    {"paragraph separator U+2029", "a\xe2\x80\xa9" "b", 0},
    {"unassigned U+0378", "a\xcd\xb8", 0},
    {"unassigned U+2FFFF", "\xf0\xaf\xbf\xbf", 0},
    {"noncharacter U+FFFE", "\xef\xbf\xbe", 0},
    {"private use U+E000", "\xee\x80\x80", 0},
    {"private use U+F8FF", "\xef\xa3\xbf", 0},
    {"supplementary private use U+F0000", "\xf3\xb0\x80\x80", 0},
    {"interlinear annotation U+FFF9", "\xef\xbf\xb9", 0},
};

int main(void)
{
    int accepted = 0, refused = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *s = table[i].s;
        struct fd_err e = {0};
        int core = val_text(s, "name", 40, 0, &e) == 0;
        int ui = ui_utf8_valid(s, strlen(s), 0);
        /* '\t' and '\n' are layout to the printer (receipts are built with
         * them: a space, a line break), never a character it prints. */
        int layout = strchr(s, '\t') || strchr(s, '\n');
        int printer = layout ? table[i].ok : escpos_dropped(s) == 0;
        int policy = fdtext_check(s, strlen(s), 0, NULL, NULL) == 0;
        CHECK_MSG(policy == table[i].ok, "%s: policy says %d", table[i].what, policy);
        CHECK_MSG(core == table[i].ok, "%s: core says %d (%s)", table[i].what, core, e.msg);
        CHECK_MSG(ui == table[i].ok, "%s: toolkit says %d", table[i].what, ui);
        CHECK_MSG(printer == table[i].ok, "%s: printer drops %d", table[i].what,
                  escpos_dropped(s));
        if (table[i].ok)
            accepted++;
        else
            refused++;
    }
    printf("%d strings accepted, %d refused by all three layers\n", accepted, refused);

    /* Multi-line fields keep '\n' in every layer; invalid UTF-8 is refused by
     * core and the toolkit (the printer shows it as '?', never as bytes). */
    struct fd_err e = {0};
    CHECK_INT(val_text("a\nb", "d", 40, VAL_MULTILINE, &e), 0);
    CHECK(ui_utf8_valid("a\nb", 3, 1));
    CHECK_INT(escpos_dropped("a\nb"), 0);
    static const char *const bad_utf8[] = {"\xff", "abc\xc3", "\xc0\xaf", "\xe0\x80\xaf",
                                           "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        CHECK_MSG(val_text(bad_utf8[i], "n", 40, 0, &e) == FD_EINVAL, "core takes bad %zu", i);
        CHECK_MSG(!ui_utf8_valid(bad_utf8[i], strlen(bad_utf8[i]), 0), "ui takes bad %zu", i);
    }
    /* the refusal names the code point, so an operator can find it */
    CHECK_INT(val_text("abc\xe2\x80\x8f", "name", 40, 0, &e), FD_EINVAL);
    CHECK(strstr(e.msg, "U+200F") != NULL);
    size_t at = 0;
    uint32_t cp = 0;
    CHECK_INT(fdtext_check("ab\xef\xbb\xbf", 5, 0, &at, &cp), -1);
    CHECK_INT((int)at, 2);
    CHECK_INT((int)cp, 0xFEFF);
    return check_summary();
}
