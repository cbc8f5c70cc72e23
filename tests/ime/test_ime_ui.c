/* test_ime_ui.c - the real pinyin engine on the real on-screen keyboard
 * (app/ui kb + app/ime adapter) on a private Xvfb: taps on letter keys
 * compose pinyin, the candidate bar commits 汉字 into the focused field,
 * backspace eats pinyin before field text, 中/EN switches, a focus change and
 * the idle wipe forget; "shi" pages past its 15th candidate, "," is "，"
 * and a shifted letter a Latin capital. Saves screenshots of pinyin mode
 * with candidates (ime_kb_*.png in BINDIR; also in $IME_SHOT_DIR when set,
 * for docs/screens).
 * Usage: test_ime_ui BINDIR (run through tests/ui/run-xvfb.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ime_kb.h"
#include "kb.h"
#include "ui.h"
#include "ui_script.h"

static char bindir[512];

static int run(const char *script)
{
    char err[512];
    int rc = ui_script_run_text("inline", script, bindir, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "script: %s\n", err);
    return rc;
}

/* Screenshot `name` into BINDIR (checked, then removed) and, when asked,
 * into $IME_SHOT_DIR to keep. */
static void shot(const char *name)
{
    char cmd[700], path[1100];
    const char *keep = getenv("IME_SHOT_DIR");
    snprintf(cmd, sizeof cmd, "shot %s\n", name);
    CHECK_INT(run(cmd), 0);
    snprintf(path, sizeof path, "%s/%s", bindir, name);
    CHECK(access(path, R_OK) == 0);
    if (keep && *keep) {
        char err[512];
        snprintf(path, sizeof path, "%s/%s", keep, name);
        CHECK_MSG(ui_shot(path, err, sizeof err) == 0, "%s", err);
    }
    snprintf(path, sizeof path, "%s/%s", bindir, name);
    unlink(path);
}

static const char *cand(struct ime *ime, size_t i)
{
    static char buf[IME_TEXT_MAX];
    if (ime_candidate(ime, i, buf, sizeof buf) < 0)
        return "";
    return buf;
}

int main(int argc, char **argv)
{
    char err[256];
    if (argc != 2) {
        fprintf(stderr, "usage: test_ime_ui BINDIR\n");
        return 2;
    }
    snprintf(bindir, sizeof bindir, "%s", argv[1]);
    struct ui_config cfg = {.window_w = 1024, .window_h = 600,
                            .title = "test_ime_ui"};
    if (ui_init(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "ui_init: %s\n", err);
        return 1;
    }
    struct ime *ime = ime_open(NULL, err, sizeof err);
    CHECK_MSG(ime != NULL, "%s", err);
    struct ime_kb *ik = ime_kb_new(ime);
    if (!ime || !ik) {
        ui_shutdown();
        return check_summary();
    }

    /* A visitor form in miniature: name, company, keyboard. */
    struct ui_screen *form = ui_screen_new("form");
    struct ui_widget *r = ui_screen_root(form);
    ui_label(r, "title", "来访登记", UI_FONT_TITLE);
    struct ui_widget *name = ui_field(r, "name", "姓名", 20);
    struct ui_widget *company = ui_field(r, "company", "单位", 30);
    ui_spacer(r, 1);
    struct kb *kb = kb_new(r, "kb", "letters");
    CHECK(kb != NULL);
    CHECK_INT(ime_kb_attach(kb, ik, 1), 0);
    CHECK_INT(kb_ime_on(kb), 1);
    ui_show(form);
    ui_focus(name);

    /* Pinyin on the keys: nothing reaches the field until a choice. */
    CHECK_INT(run("size 1024x600\nkbtype zhangsan\n"), 0);
    CHECK_STR(ui_text(name), "");
    CHECK(ime_composing(ime));
    shot("ime_kb_pinyin.png");
    CHECK_STR(cand(ime, 0), "张三");
    CHECK_INT(run("kb cand:0\nexpect name 张三\n"), 0);

    /* Backspace: pinyin first, then the field's text. */
    CHECK_INT(run("kbtype beijin\nkb bksp\nkb bksp\n"), 0);
    CHECK_STR(ui_text(name), "张三");
    CHECK(ime_composing(ime));
    CHECK_INT(run("kbtype ing\nkb space\n"), 0);
    CHECK_STR(ui_text(name), "张三北京");
    CHECK_INT(run("kb bksp\nkb bksp\nexpect name 张三\n"), 0);

    /* A company name of several words, chosen word by word in the bar. */
    CHECK_INT(run("tap_id company\nkbtype zhongguoyinhangbeijingfenhang\n"),
              0);
    shot("ime_kb_company.png");
    int picked = 0;
    for (const char *want[] = {"中国银行", "北京", "分行"}, **w = want;
         w < want + 3; w++) {
        for (size_t i = 0; i < 40; i++) {
            if (strcmp(cand(ime, i), *w) == 0) {
                char cmd[64];
                snprintf(cmd, sizeof cmd, "kb cand:%zu\n", i);
                CHECK_INT(run(cmd), 0);
                picked++;
                break;
            }
        }
    }
    CHECK_INT(picked, 3);
    CHECK_STR(ui_text(company), "中国银行北京分行");

    /* Paging: the bar's > cell (the rightmost) shows the next candidates;
     * tap one of them. (Long words here; single characters below.) */
    CHECK_INT(run("kbtype zhongguoyinhang\n"), 0);
    struct ui_rect cr, kr = ui_rect_of(kb_widget(kb));
    int last = -1;
    while (last < 40) {
        char id[32];
        snprintf(id, sizeof id, "cand:%d", last + 1);
        if (kb_key_rect(kb, id, &cr) < 0)
            break;
        last++;
    }
    CHECK(last >= 2); /* some candidates visible, then > */
    CHECK_INT(kb_key_rect(kb, "cand:0", &cr), 0);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "tap %d %d\n", kr.x + kr.w - ui_target() / 2,
             cr.y + cr.h / 2);
    CHECK_INT(run(cmd), 0);
    shot("ime_kb_page2.png");
    char id[32];
    snprintf(id, sizeof id, "cand:%d", last + 1);
    CHECK_INT(kb_key_rect(kb, id, &cr), 0); /* now on the bar */
    char far[IME_TEXT_MAX];
    snprintf(far, sizeof far, "%s", cand(ime, (size_t)last + 1));
    CHECK(far[0] != '\0');
    snprintf(cmd, sizeof cmd, "kb cand:%d\n", last + 1);
    CHECK_INT(run(cmd), 0);
    /* A single character covers "zhong" only: the rest stays composing. */
    char want[2 * IME_TEXT_MAX], pre[IME_TEXT_MAX];
    CHECK_STR(ui_text(company), "中国银行北京分行");
    snprintf(want, sizeof want, "%sguo'yin'hang", far);
    CHECK(ime_preedit(ime, pre, sizeof pre) > 0);
    CHECK_STR(pre, want);
    CHECK_INT(run("kb space\n"), 0); /* the rest, best sentence */
    CHECK(!ime_composing(ime));
    snprintf(want, sizeof want, "中国银行北京分行%s", far);
    CHECK(strncmp(ui_text(company), want, strlen(want)) == 0);
    CHECK(strlen(ui_text(company)) > strlen(want));
    char base[IME_TEXT_MAX + 64];
    snprintf(base, sizeof base, "%s", ui_text(company));

    /* 中/EN: off, letters go straight into the field. */
    CHECK_INT(run("kb ime\nkbtype abc\nkb ime\n"), 0);
    CHECK_INT(kb_ime_on(kb), 1);
    snprintf(want, sizeof want, "%sabc", base);
    CHECK_STR(ui_text(company), want);

    /* The idle wipe: fields empty, composition gone, learning forgotten
     * (the learned 王晓明 no longer comes first). */
    CHECK_INT(run("tap_id name\nkb bksp\nkb bksp\nkb bksp\nkb bksp\n"
                  "kbtype wangxiaoming\n"), 0);
    CHECK_STR(ui_text(name), "");
    char fresh0[IME_TEXT_MAX];
    snprintf(fresh0, sizeof fresh0, "%s", cand(ime, 0));
    for (const char *part[] = {"王晓", "明"}, **p = part; p < part + 2; p++)
        for (size_t i = 0; i < 40; i++)
            if (strcmp(cand(ime, i), *p) == 0) {
                snprintf(cmd, sizeof cmd, "kb cand:%zu\n", i);
                CHECK_INT(run(cmd), 0);
                break;
            }
    CHECK_STR(ui_text(name), "王晓明");
    CHECK_INT(run("kbtype wangxiaoming\n"), 0);
    shot("ime_kb_learned.png");
    CHECK_STR(cand(ime, 0), "王晓明"); /* learned within this visit */
    CHECK(strcmp(fresh0, "王晓明") != 0);
    CHECK_INT(run("wipe\n"), 0);
    CHECK_STR(ui_text(name), "");
    CHECK_STR(ui_text(company), "");
    CHECK(!ime_composing(ime));
    CHECK_INT(run("kbtype wangxiaoming\n"), 0);
    CHECK_STR(cand(ime, 0), fresh0);

    /* One syllable, hundreds of single characters: the bar keeps its last
     * cell for > while more remain, so paging reaches past the 15th; <
     * comes back. Pick the first candidate of the second page by its cell. */
    CHECK_INT(run("wipe\ntap_id name\nkbtype shi\n"), 0);
    CHECK(ime_candidate_count(ime) > 40);
    int first = -1, shown = 0;
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "cand:%d", i);
        if (kb_key_rect(kb, id, &cr) == 0)
            shown++;
    }
    CHECK(shown >= 2);
    CHECK_INT(kb_key_rect(kb, "cand:prev", &cr), -1);
    CHECK_INT(kb_key_rect(kb, "cand:next", &cr), 0);
    CHECK_INT(run("kb cand:next\n"), 0);
    CHECK_INT(kb_key_rect(kb, "cand:prev", &cr), 0);
    for (int i = 0; i < 60 && first < 0; i++) {
        snprintf(id, sizeof id, "cand:%d", i);
        if (kb_key_rect(kb, id, &cr) == 0)
            first = i;
    }
    CHECK_INT(first, shown); /* the page after the first */
    CHECK(first >= 15);      /* at 1024x600: past the 16-cell bar's 15th */
    CHECK_INT(run("kb cand:prev\n"), 0);
    CHECK_INT(kb_key_rect(kb, "cand:0", &cr), 0);
    CHECK_INT(run("kb cand:next\n"), 0);
    shot("ime_kb_shi_page2.png");
    snprintf(far, sizeof far, "%s", cand(ime, (size_t)first));
    snprintf(cmd, sizeof cmd, "kb cand:%d\n", first);
    CHECK_INT(run(cmd), 0);
    CHECK_STR(ui_text(name), far);
    CHECK(!ime_composing(ime));

    /* Punctuation in pinyin mode is full-width, composing or not. */
    CHECK_INT(run("kb layer:symbols\nkb ,\nkb layer:letters\n"), 0);
    snprintf(want, sizeof want, "%s，", far);
    CHECK_STR(ui_text(name), want);
    CHECK_INT(run("kbtype nihao\nkb layer:symbols\nkb ,\n"
                  "kb layer:letters\n"), 0);
    snprintf(want, sizeof want, "%s，你好，", far);
    CHECK_STR(ui_text(name), want);
    CHECK(!ime_composing(ime));

    /* A shifted letter reaches the field as a Latin capital, and the next
     * letter is pinyin again. Mid-pinyin a capital is text: the sentence
     * composed so far goes first, then the capital. */
    CHECK_INT(run("wipe\ntap_id name\nkbtype Abei\n"), 0);
    CHECK_STR(ui_text(name), "A");
    CHECK(ime_composing(ime));
    CHECK(ime_preedit(ime, pre, sizeof pre) > 0);
    CHECK_STR(pre, "bei");
    CHECK_INT(run("kbtype J\n"), 0);
    CHECK_STR(ui_text(name), "A被J");
    CHECK(!ime_composing(ime));

    ui_shutdown(); /* the keyboard may reset its input method on the way */
    ime_kb_free(ik);
    ime_close(ime);
    return check_summary();
}
