/* test_ui_text.c - the line breaker, ellipsis and UTF-8 helpers (pure: no
 * SDL). A fake measure gives every ASCII character 1 unit and every other
 * character 2, like a monospace font where CJK is full width. */
#include <string.h>

#include "check.h"
#include "ui_text.h"

static int fake_measure(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    int w = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            w += 1;
        else if ((c & 0xC0) != 0x80)
            w += 2;
    }
    return w;
}

/* Breaks s at width w and joins the lines with '|'. */
static const char *brk(const char *s, int w, int max_lines)
{
    static char out[1024];
    struct ui_line lines[32];
    int trunc = 0;
    int n = ui_text_break(s, w, fake_measure, NULL, lines,
                          max_lines ? max_lines : 32, &trunc);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, "|");
        strncat(out, s + lines[i].start, lines[i].len);
    }
    if (trunc)
        strcat(out, "+");
    return out;
}

static const char *ell(const char *s, int w)
{
    static char out[256];
    if (ui_text_ellipsize(s, strlen(s), w, fake_measure, NULL, out, sizeof out) < 0)
        return "(error)";
    return out;
}

/* Property test on random text: the lines keep every visible character
 * once and in order, never overlap, and fit the width unless one character
 * alone is wider. Deterministic (fixed seed). */
static void random_texts(void)
{
    static const char *const alphabet[] = {"a", "b", "cd", " ", "你", "好",
        "，", "。", "（", "）", "\n", ".", "“", "”"};
    unsigned seed = 12345;
    int bad = 0;
    printf("random texts: seed %u\n", seed);
    for (int round = 0; round < 3000 && bad < 5; round++) {
        char text[256] = "";
        int parts = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 30;
        for (int i = 0; i < parts; i++) {
            seed = seed * 1103515245u + 12345u;
            strcat(text, alphabet[(seed >> 16) % (sizeof alphabet / sizeof *alphabet)]);
        }
        int w = 1 + (int)((seed >> 8) % 12);
        struct ui_line lines[300];
        int n = ui_text_break(text, w, fake_measure, NULL, lines, 300, NULL);
        /* Visible characters of the text vs of the lines. */
        char want[256] = "", got[256] = "";
        size_t nw = 0, ng = 0;
        for (const char *p = text; *p; p++)
            if (*p != ' ' && *p != '\n')
                want[nw++] = *p;
        want[nw] = '\0';
        size_t prev_end = 0;
        for (int i = 0; i < n; i++) {
            if (lines[i].start < prev_end)
                bad++;
            prev_end = lines[i].start + lines[i].len;
            for (size_t k = 0; k < lines[i].len; k++) {
                char c = text[lines[i].start + k];
                if (c != ' ' && c != '\n')
                    got[ng++] = c;
            }
            /* Wider than the line only when one character alone is. */
            int lw = fake_measure(NULL, text + lines[i].start, lines[i].len);
            uint32_t cp;
            int first = lines[i].len ? ui_utf8_decode(text + lines[i].start,
                                                       lines[i].len, &cp) : 0;
            if (lw > w && (size_t)first != lines[i].len)
                bad++;
        }
        got[ng] = '\0';
        if (n < 1 || strcmp(want, got) != 0)
            bad++;
        if (bad)
            fprintf(stderr, "random text %d \"%s\" at %d: %d lines\n", round,
                    text, w, n);
    }
    CHECK_INT(bad, 0);
}

int main(void)
{
    random_texts();
    /* Latin: at spaces, spaces dropped at the break. */
    CHECK_STR(brk("take a ticket now", 10, 0), "take a|ticket now");
    CHECK_STR(brk("take a ticket now", 100, 0), "take a ticket now");
    CHECK_STR(brk("hello   world", 7, 0), "hello|world");
    /* A word too long for a line is split between characters. */
    CHECK_STR(brk("abcdefghij", 4, 0), "abcd|efgh|ij");
    /* Hard newlines. */
    CHECK_STR(brk("one\ntwo", 100, 0), "one|two");
    CHECK_STR(brk("", 10, 0), "");
    /* CJK: between any two characters (each 2 units wide). */
    CHECK_STR(brk("欢迎光临本行", 6, 0), "欢迎光|临本行");
    /* Never before closing punctuation: "，" moves down with "迎". */
    CHECK_STR(brk("欢迎，光临", 4, 0), "欢|迎，|光临");
    CHECK_STR(brk("请取号。谢谢", 6, 0), "请取|号。谢|谢");
    CHECK_STR(brk("请取号。谢谢", 7, 0), "请取|号。谢|谢");
    CHECK_STR(brk("取号。谢谢", 6, 0), "取号。|谢谢");
    /* No break allowed anywhere: split as late as the rules allow. */
    CHECK_STR(brk("好！？", 4, 0), "好！|？");
    CHECK_STR(brk("您好、再见", 4, 0), "您|好、|再见");
    CHECK_STR(brk("（例如）这里", 6, 0), "（例|如）这|里");
    CHECK_STR(brk("例如）这里", 6, 0), "例如）|这里");
    /* Never after opening punctuation: "（" moves down with "例". */
    CHECK_STR(brk("这里（例如", 6, 0), "这里|（例如");
    CHECK_STR(brk("他说“好”", 6, 0), "他说|“好”");
    CHECK_STR(brk("看《规定》", 6, 0), "看《规|定》");
    CHECK_STR(brk("看看《规定》", 6, 0), "看看|《规|定》");
    /* Mixed: Latin words stay whole, CJK breaks next to them. */
    CHECK_STR(brk("请按OK键", 6, 0), "请按OK|键");
    CHECK_STR(brk("请按OK键", 5, 0), "请按|OK键");
    CHECK_STR(brk("Hi 你好", 5, 0), "Hi 你|好");
    CHECK_STR(brk("Hi 你好", 4, 0), "Hi|你好");
    CHECK_STR(brk("A023号", 4, 0), "A023|号");
    /* Latin punctuation does not start a line either. */
    CHECK_STR(brk("好,好", 4, 0), "好,|好");
    /* max_lines: the last line runs to the end and is flagged. */
    CHECK_STR(brk("one two three four", 7, 2), "one two|three four+");
    CHECK_INT(ui_text_break("x", 0, fake_measure, NULL, NULL, 1, NULL), -1);

    /* Ellipsis. */
    CHECK_STR(ell("short", 10), "short");
    CHECK_STR(ell("a long button text", 8), "a long\xE2\x80\xA6");
    CHECK_STR(ell("非常非常长", 7), "非常\xE2\x80\xA6");
    CHECK_STR(ell("abc", 1), "\xE2\x80\xA6");

    /* UTF-8 helpers. */
    uint32_t cp;
    CHECK_INT(ui_utf8_decode("\xE4\xB8\xAD", 3, &cp), 3);
    CHECK_INT(cp, 0x4E2D);
    CHECK_INT(ui_utf8_decode("\xC0\x80", 2, &cp), -1);      /* overlong */
    CHECK_INT(ui_utf8_decode("\xED\xA0\x80", 3, &cp), -1);  /* surrogate */
    CHECK_INT(ui_utf8_decode("\xE4\xB8", 2, &cp), -1);      /* truncated */
    CHECK_INT(ui_utf8_valid("李伟 Li", strlen("李伟 Li"), 0), 1);
    CHECK_INT(ui_utf8_valid("a\tb", 3, 0), 0);
    CHECK_INT(ui_utf8_valid("a\nb", 3, 0), 0);
    CHECK_INT(ui_utf8_valid("a\nb", 3, 1), 1);
    CHECK_INT(ui_utf8_valid("\xFF", 1, 1), 0);
    CHECK_INT(ui_utf8_count("李伟ab"), 4);
    CHECK_INT(ui_utf8_prev("a李", 4), 1);
    CHECK_INT(ui_utf8_prev("a李", 1), 0);
    return check_summary();
}
