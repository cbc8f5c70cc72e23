/* test_ui_sdl.c - the toolkit on a real SDL window (run under Xvfb with the
 * software renderer by run-xvfb.sh). One program, one part per CTest test:
 *   layout    every touch target >= 15 mm and on screen, at 1920x1080,
 *             1080x1920 and 1024x600, normal and larger text
 *   script    scripted finger taps, clicks, drags and long presses change
 *             state as they should (and a drag off a button does not tap)
 *   keyboard  on-screen keys type into the focused field, shift, backspace,
 *             max length, phone layout follows focus, an input method plugs in
 *   kb_ime    with an input method on: the candidate bar pages to every
 *             candidate (cand:next / cand:prev), punctuation and digits are
 *             offered to it ("," -> "，"), a shifted letter is offered as
 *             the capital and typed when it comes back
 *   wipe      ui_screen_wipe empties every buffer and drops typed textures
 *   idle      no frame is drawn while nothing happens; ui_wake and timers
 *   font      fontconfig finds face 2 of Noto Sans CJK; a missing font is a
 *             clear error; kiosk mode ignores window close and Escape
 *   golden    a screenshot matches golden/ within a small tolerance (a diff
 *             image is written on failure; UI_GOLDEN_UPDATE=1 rewrites it)
 * Usage: test_ui_sdl PART SRCDIR BINDIR */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "kb.h"
#include "ui.h"
#include "ui_int.h"
#include "ui_png.h"
#include "ui_script.h"

static int taps, longs, changes;
static char srcdir[512], bindir[512];

static void on_tap(struct ui_widget *w, void *ud)
{
    (void)w;
    (void)ud;
    char buf[16];
    taps++;
    snprintf(buf, sizeof buf, "%d", taps);
    ui_set_text(ui_find(ui_current(), "count_label"), buf);
}

static void on_long(struct ui_widget *w, void *ud)
{
    (void)w;
    (void)ud;
    longs++;
}

static void on_change(struct ui_widget *w, void *ud)
{
    (void)w;
    (void)ud;
    changes++;
}

static void on_filter(struct ui_widget *f, void *ud)
{
    ui_list_set_filter(ud, ui_text(f));
}

/* The screens a kiosk has, in miniature. */
static struct ui_screen *home, *form, *list, *rate;

static void build(int zh)
{
    const char *t_title = zh ? "欢迎光临 · 人民路支行" : "Welcome · Renmin Road branch";
    home = ui_screen_new("home");
    struct ui_widget *r = ui_screen_root(home);
    ui_label(r, "title", t_title, UI_FONT_TITLE);
    struct ui_widget *g = ui_grid(r, "menu", 2, 1);
    ui_set_weight(g, 1);
    struct ui_widget *b = ui_button(g, "count", zh ? "取号" : "Take a ticket", on_tap, NULL);
    ui_set_sub(b, zh ? "约 15 分钟" : "about 15 min");
    ui_button(g, "visit", zh ? "来访登记" : "Register a visit", NULL, NULL);
    ui_button(g, "complain", zh ? "投诉建议" : "Make a complaint", NULL, NULL);
    ui_button(g, "status", zh ? "查询投诉进度" : "Check a complaint", NULL, NULL);
    struct ui_widget *bar = ui_box(r, "bar", UI_ROW);
    struct ui_widget *cl = ui_label(bar, "count_label", "0", UI_FONT_BODY);
    ui_set_weight(cl, 1);
    ui_check(bar, "large", zh ? "大字体" : "Larger text", on_change, NULL);
    ui_button(bar, "lang", zh ? "English" : "中文", NULL, NULL);
    struct ui_widget *o = ui_overlay(home, "corner", UI_TOP_RIGHT, 0, 0);
    ui_hotspot(o, "staff", 2000, on_long, NULL);

    form = ui_screen_new("form");
    r = ui_screen_root(form);
    ui_label(r, "title", zh ? "来访登记" : "Register a visit", UI_FONT_TITLE);
    struct ui_widget *f = ui_box(r, "fields", UI_AUTO);
    struct ui_widget *name = ui_field(f, "name", zh ? "姓名" : "Name", 10);
    ui_set_weight(name, 1);
    ui_field_on_change(name, on_change, NULL);
    struct ui_widget *phone = ui_field(f, "phone", zh ? "手机" : "Phone", 11);
    ui_field_set_keyboard(phone, "phone");
    ui_set_weight(phone, 1);
    ui_check(r, "consent", zh ? "我同意保存我的手机号码" : "Keep my phone number to contact me",
             on_change, NULL);
    struct ui_widget *review = ui_label(r, "review", "", UI_FONT_BODY);
    ui_set_private(review, 1);
    ui_spacer(r, 1);
    kb_new(r, "kb", "letters");

    list = ui_screen_new("list");
    r = ui_screen_root(list);
    struct ui_widget *body = ui_box(r, "body", UI_AUTO);
    ui_set_weight(body, 1);
    struct ui_widget *left = ui_box(body, "left", UI_COL);
    ui_set_weight(left, 1);
    struct ui_widget *search = ui_field(left, "search", zh ? "搜索" : "Search", 20);
    struct ui_widget *l = ui_list(left, "hosts", on_change, NULL);
    static const char *const names[] = {"Li Wei", "Wang Fang", "Zhang Min",
        "Liu Yang", "Chen Jie", "Yang Li", "Zhao Lei", "Huang Tao",
        "Zhou Xin", "Wu Hao", "Xu Ming", "Sun Li"};
    for (int i = 0; i < 12; i++)
        ui_list_add(l, names[i], zh ? "财务部" : "Finance", 100 + i);
    ui_field_on_change(search, on_filter, l);
    struct kb *k = kb_new(body, "kb", "letters");
    ui_set_weight(kb_widget(k), 1);

    rate = ui_screen_new("rate");
    r = ui_screen_root(rate);
    struct ui_widget *n = ui_bignum(r, "number", "A023");
    ui_set_weight(n, 1);
    g = ui_grid(r, "faces", 4, 2);
    ui_set_weight(g, 2);
    ui_face(g, "excellent", UI_FACE_EXCELLENT, zh ? "优" : "Excellent", on_tap, NULL);
    ui_face(g, "good", UI_FACE_GOOD, zh ? "良" : "Good", on_tap, NULL);
    ui_face(g, "fair", UI_FACE_FAIR, zh ? "中" : "Fair", on_tap, NULL);
    ui_face(g, "poor", UI_FACE_POOR, zh ? "差" : "Poor", on_tap, NULL);
}

static int init(int w, int h)
{
    struct ui_config cfg = {.window_w = w, .window_h = h, .title = "test_ui"};
    char err[256];
    if (ui_init(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "ui_init: %s\n", err);
        return -1;
    }
    return 0;
}

static int run(const char *script)
{
    char err[512];
    int rc = ui_script_run_text("inline", script, bindir, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "script: %s\n", err);
    return rc;
}

/* ---- layout ---------------------------------------------------------- */

static int overlaps(struct ui_rect a, struct ui_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
           b.y < a.y + a.h;
}

static void check_targets(struct ui_screen *s, const char *what)
{
    int W, H, t = ui_target();
    ui_output_size(&W, &H);
    ui_show(s);
    ui_layout_now();
    struct ui_widget *touch[UI_MAX_WIDGETS];
    int n = 0;
    for (int i = 0; i < s->nall; i++) {
        struct ui_widget *w = s->all[i];
        int vis = 1;
        for (struct ui_widget *p = w; p; p = p->parent)
            vis &= p->visible;
        if (!vis || !ui_is_touchable(w))
            continue;
        struct ui_rect r = w->r;
        CHECK_MSG(r.w >= t && r.h >= t, "%s %s/%s: %dx%d < %d px at %dx%d",
                  what, s->name, w->id, r.w, r.h, t, W, H);
        CHECK_MSG(r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H,
                  "%s %s/%s off screen at %d,%d %dx%d", what, s->name, w->id,
                  r.x, r.y, r.w, r.h);
        if (!w->is_overlay && !(w->parent && w->parent->is_overlay))
            touch[n++] = w;
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            CHECK_MSG(!overlaps(touch[i]->r, touch[j]->r), "%s %s: %s overlaps %s",
                      what, s->name, touch[i]->id, touch[j]->id);
    /* Keys of the keyboard, in each layout it can show. */
    struct kb *k = kb_of_screen(s);
    if (!k)
        return;
    static const char *const layouts[] = {"letters", "symbols", "phone", "numeric"};
    static const char *const keys[] = {"q", "p", "a", "l", "z", "m", "shift",
        "bksp", "space", "enter", "1", "0", "@", "+", "-", "layer:symbols",
        "layer:letters"};
    struct ui_rect kr = ui_rect_of(kb_widget(k));
    for (int L = 0; L < 4; L++) {
        kb_set_layout(k, layouts[L]);
        ui_layout_now(); /* a layout may be taller: the screen makes room */
        kr = ui_rect_of(kb_widget(k));
        int found = 0;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
            struct ui_rect r;
            if (kb_key_rect(k, keys[i], &r) < 0)
                continue;
            found++;
            /* A key's touch area includes the gap around it (see key_at). */
            int gap = ui_units(0.5f) > 2 ? ui_units(0.5f) : 2;
            CHECK_MSG(r.w + gap >= t && r.h + gap >= t,
                      "%s %s key %s/%s: %dx%d < %d", what, s->name, layouts[L],
                      keys[i], r.w + gap, r.h + gap, t);
            CHECK_MSG(r.x >= kr.x && r.y >= kr.y && r.x + r.w <= kr.x + kr.w &&
                      r.y + r.h <= kr.y + kr.h,
                      "%s %s key %s/%s outside the keyboard", what, s->name,
                      layouts[L], keys[i]);
        }
        CHECK_MSG(found >= 4, "layout %s: only %d keys found", layouts[L], found);
    }
    kb_set_layout(k, "letters");
}

static void part_layout(void)
{
    static const int sizes[][2] = {{1920, 1080}, {1080, 1920}, {1024, 600}};
    for (int zh = 0; zh < 2; zh++) {
        build(zh);
        for (int i = 0; i < 3; i++) {
            CHECK_INT(ui_set_window_size(sizes[i][0], sizes[i][1]), 0);
            for (int large = 0; large < 2; large++) {
                char what[64];
                snprintf(what, sizeof what, "%dx%d%s%s", sizes[i][0], sizes[i][1],
                         large ? " large" : "", zh ? " zh" : " en");
                ui_set_large_text(large);
                check_targets(home, what);
                check_targets(form, what);
                check_targets(list, what);
                check_targets(rate, what);
            }
        }
        ui_set_large_text(0);
        /* Orientation: the AUTO box is a row when wide, a column when tall. */
        ui_set_window_size(1920, 1080);
        ui_show(list);
        ui_layout_now();
        struct ui_rect a = ui_rect_of(ui_find(list, "left")),
                       b = ui_rect_of(kb_widget(kb_of_screen(list)));
        CHECK(b.x >= a.x + a.w);
        ui_set_window_size(1080, 1920);
        ui_layout_now();
        a = ui_rect_of(ui_find(list, "left"));
        b = ui_rect_of(kb_widget(kb_of_screen(list)));
        CHECK(b.y >= a.y + a.h);
        /* The grid has 2 columns wide and 1 tall. */
        ui_show(home);
        ui_layout_now();
        CHECK_INT(ui_rect_of(ui_find(home, "visit")).x,
                  ui_rect_of(ui_find(home, "count")).x);
        ui_set_window_size(1920, 1080);
        ui_layout_now();
        CHECK(ui_rect_of(ui_find(home, "visit")).x >
              ui_rect_of(ui_find(home, "count")).x);
        ui_screen_free(home);
        ui_screen_free(form);
        ui_screen_free(list);
        ui_screen_free(rate);
    }
    /* The root fills the whole output. */
    build(0);
    ui_set_window_size(1024, 600);
    ui_show(home);
    ui_layout_now();
    struct ui_rect r = ui_rect_of(ui_screen_root(home));
    CHECK(r.x == 0 && r.y == 0 && r.w == 1024 && r.h == 600);
    /* dpi is honoured: 15 mm at 96 dpi is 57 px. */
    CHECK_INT(ui_target(), 57);
}

/* ---- script ---------------------------------------------------------- */

static void part_script(void)
{
    build(0);
    ui_show(home);
    CHECK_INT(run("size 1024x600\n"
                  "tap_id count\n"
                  "expect count_label 1\n"
                  "tap 0.25 0.4\n"              /* fractions: same button */
                  "expect count_label 2\n"
                  "click 0.25 0.4\n"            /* the mouse path */
                  "expect count_label 3\n"
                  "tap_id large\n"
                  "expect_checked large 1\n"
                  "tap_id large\n"
                  "expect_checked large 0\n"), 0);
    CHECK_INT(taps, 3);
    CHECK_INT(changes, 2);
    /* A press that slides off the button before release is not a tap. */
    struct ui_rect b = ui_rect_of(ui_find(home, "count"));
    char s[128];
    snprintf(s, sizeof s, "drag %d %d %d %d\n", b.x + b.w / 2, b.y + b.h / 2,
             b.x + b.w / 2, b.y + b.h + 40);
    CHECK_INT(run(s), 0);
    CHECK_INT(taps, 3);
    /* Long press on the hidden corner: not after 1 s, yes after 2 s, and a
     * long press is not also a tap. */
    CHECK_INT(run("press_id staff 1000\n"), 0);
    CHECK_INT(longs, 0);
    CHECK_INT(run("press_id staff 2100\n"), 0);
    CHECK_INT(longs, 1);
    ui_on_long(ui_find(home, "count"), 1500, on_long, NULL);
    CHECK_INT(run("press_id count 1600\n"), 0);
    CHECK_INT(longs, 2);
    CHECK_INT(taps, 3);
    /* A failing expectation fails the script, with the line. */
    char err[256];
    CHECK_INT(ui_script_run_text("t", "expect count_label 99\n", bindir, err,
                                 sizeof err), -1);
    CHECK(strstr(err, "t:1:") != NULL);
    CHECK_INT(ui_script_run_text("t", "bogus\n", bindir, err, sizeof err), -1);
    /* Lists: tap a row selects it, drag scrolls, filter narrows. */
    ui_show(list);
    CHECK_INT(run("tap_id hosts/2\n"), 0);
    CHECK_INT(ui_list_selected_tag(ui_find(list, "hosts")), 102);
    struct ui_widget *l = ui_find(list, "hosts");
    struct ui_rect lr = ui_rect_of(l);
    snprintf(s, sizeof s, "drag %d %d %d %d\n", lr.x + 20, lr.y + lr.h - 10,
             lr.x + 20, lr.y + 10);
    CHECK_INT(run(s), 0);
    CHECK(l->scroll > 0);
    CHECK_INT(ui_list_selected_tag(l), 102); /* a drag does not select */
    CHECK_INT(run("tap_id search\ntype zh\n"), 0);
    CHECK_INT(ui_list_shown(l), 3); /* Zhang Min, Zhao Lei, Zhou Xin */
    CHECK_INT(run("type ang\n"), 0);
    CHECK_INT(ui_list_shown(l), 1);
}

/* ---- keyboard -------------------------------------------------------- */

/* A toy input method that answers like app/ime's adapter: lowercase
 * letters go to the preedit; "ni" offers 16 candidates and "shi" 40 (more
 * than the bar's 16 cells), "long" one wider than the bar; "," becomes the full-width "，"; other keys
 * come back (0) when nothing is composed and are refused (<0) mid-pinyin. */
struct toy_ime {
    char pre[16];
    int resets;
    char last[8];  /* the last key offered */
};

static int toy_key(void *ctx, const char *key, char *commit, size_t n)
{
    struct toy_ime *t = ctx;
    commit[0] = '\0';
    snprintf(t->last, sizeof t->last, "%s", key);
    if (strlen(key) == 1 && key[0] >= 'a' && key[0] <= 'z') {
        size_t l = strlen(t->pre);
        if (l + 1 < sizeof t->pre) {
            t->pre[l] = key[0];
            t->pre[l + 1] = '\0';
        }
        return 1;
    }
    if (strcmp(key, "bksp") == 0 && t->pre[0]) {
        t->pre[strlen(t->pre) - 1] = '\0';
        return 1;
    }
    if (strcmp(key, "space") == 0 && t->pre[0]) {
        snprintf(commit, n, "%s", t->pre); /* space commits the letters */
        t->pre[0] = '\0';
        return 1;
    }
    if (strcmp(key, ",") == 0 && !t->pre[0]) {
        snprintf(commit, n, "\xEF\xBC\x8C"); /* ， */
        return 1;
    }
    return t->pre[0] ? -22 : 0;
}

static const char *toy_preedit(void *ctx)
{
    return ((struct toy_ime *)ctx)->pre;
}

static const char *toy_candidate(void *ctx, int i)
{
    static const char *const ni[] = {"你", "尼", "泥", "拟", "逆", "倪", "妮",
        "腻", "匿", "霓", "溺", "昵", "睨", "铌", "坭", "怩"};
    static const char *const shi[] = {"是", "十", "时", "事", "市", "使",
        "世", "式", "师", "史", "施", "石", "实", "食", "识", "视", "试",
        "室", "士", "失", "湿", "诗", "势", "示", "氏", "适", "释", "饰",
        "拾", "尸", "狮", "虱", "誓", "逝", "仕", "侍", "柿", "蚀", "矢",
        "始"};
    static char wide[64 * 3 + 1]; /* 64 x 长: wider than any bar */
    struct toy_ime *t = ctx;
    if (strcmp(t->pre, "long") == 0 && (i == 0 || i == 1)) {
        if (!wide[0])
            for (int j = 0; j < 64; j++)
                memcpy(wide + 3 * j, "\xE9\x95\xBF", 3);
        return i == 0 ? wide : "短";
    }
    if (strcmp(t->pre, "ni") == 0 && i >= 0 && i < 16)
        return ni[i];
    if (strcmp(t->pre, "shi") == 0 && i >= 0 && i < 40)
        return shi[i];
    return NULL;
}

static int toy_select(void *ctx, int i, char *commit, size_t n)
{
    const char *c = toy_candidate(ctx, i);
    if (!c)
        return -1;
    snprintf(commit, n, "%s", c);
    ((struct toy_ime *)ctx)->pre[0] = '\0';
    return 1;
}

static void toy_reset(void *ctx)
{
    struct toy_ime *t = ctx;
    explicit_bzero(t->pre, sizeof t->pre);
    t->resets++;
}

static const struct kb_ime_ops toy_ops = {toy_key, toy_preedit, toy_candidate,
                                          toy_select, toy_reset};

static void part_keyboard(void)
{
    build(0);
    ui_show(form);
    struct kb *k = kb_of_screen(form);
    struct ui_widget *name = ui_find(form, "name"), *phone = ui_find(form, "phone");
    CHECK(ui_focused(form) == name); /* the first field has focus */
    CHECK_INT(run("size 1024x600\n"
                  "kbtype Li Wei\n"
                  "expect name Li Wei\n"
                  "kb bksp\n"
                  "expect name Li We\n"
                  "kb layer:symbols\n"
                  "kb 7\n"
                  "kb layer:letters\n"
                  "expect name Li We7\n"
                  "type 你好\n"            /* a hardware keyboard types too */
                  "expect name Li We7你好\n"
                  "kbtype xyzxyz\n"),      /* 10 characters at most */
              0);
    CHECK_STR(ui_text(name), "Li We7你好xy");
    CHECK_INT(ui_field_insert(name, "z"), -2);
    CHECK_INT(ui_field_insert(phone, "\x01"), -1);
    CHECK_INT(ui_field_insert(phone, "\xC0\x80"), -1);
    /* Focusing the phone field brings up the phone keypad. */
    CHECK_INT(run("tap_id phone\nkbtype 138\nkb bksp\nkb 9\n"), 0);
    CHECK_STR(kb_layout(k), "phone");
    CHECK_STR(ui_text(phone), "139");
    CHECK_INT(kb_press(k, "q"), -1); /* no letters on a keypad */
    CHECK_INT(run("tap_id name\n"), 0);
    CHECK_STR(kb_layout(k), "letters");
    /* An input method: letters go to it, a candidate commits. */
    struct toy_ime toy = {"", 0, ""};
    ui_field_clear(name);
    kb_set_ime(k, &toy_ops, &toy);
    CHECK_INT(kb_ime_on(k), 1);
    CHECK_INT(run("kbtype ni\n"), 0);
    CHECK_STR(ui_text(name), "");
    CHECK_STR(toy.pre, "ni");
    CHECK_INT(run("shot ui_kb_ime.png\nkb cand:1\n"), 0);
    CHECK_STR(ui_text(name), "尼");
    CHECK_INT(run("kbtype ni\nkb space\n"), 0);
    CHECK_STR(ui_text(name), "尼ni");
    CHECK_INT(run("kb ime\nkbtype a\n"), 0); /* off: letters go straight in */
    CHECK_STR(ui_text(name), "尼nia");
    int before = toy.resets;
    CHECK_INT(run("kb ime\nkbtype ni\ntap_id phone\n"), 0); /* focus change resets */
    CHECK(toy.resets > before);
    CHECK_STR(toy.pre, "");
    char png[600];
    snprintf(png, sizeof png, "%s/ui_kb_ime.png", bindir);
    unlink(png);
}

/* ---- keyboard + input method ---------------------------------------- */

/* The bar as a script sees it: *first..*last are the candidates shown
 * (each must have a cell; none outside), and every one of their cells ends
 * before the › cell, which is inside the keyboard. */
static void bar_shown(struct kb *k, int total, int *first, int *last,
                      const char *what)
{
    struct ui_rect r, next, kr = ui_rect_of(kb_widget(k));
    int has_next = kb_key_rect(k, "cand:next", &next) == 0;
    *first = *last = -1;
    for (int i = 0; i < total; i++) {
        char id[16];
        snprintf(id, sizeof id, "cand:%d", i);
        if (kb_key_rect(k, id, &r) < 0)
            continue;
        CHECK_MSG(*last < 0 || *last == i - 1, "%s: cand %d after %d", what,
                  i, *last);
        if (*first < 0)
            *first = i;
        *last = i;
        CHECK_MSG(!has_next || r.x + r.w <= next.x, "%s: cand %d under >",
                  what, i);
    }
    if (has_next)
        CHECK_MSG(next.x >= kr.x && next.x + next.w <= kr.x + kr.w &&
                      next.w >= ui_target(),
                  "%s: > cell %d+%d outside %d+%d", what, next.x, next.w,
                  kr.x, kr.w);
}

/* Pages through all `total` candidates with cand:next: each page starts
 * where the last ended, › is there exactly while more remain, ‹ exactly off
 * the first page; then ‹ walks back to the first page. Returns the first
 * candidate of the last page. */
static int walk_pages(struct kb *k, int total, const char *what)
{
    struct ui_rect r;
    int first, last, want = 0, pages = 0, last_first = 0;
    for (;;) {
        ui_script_settle();
        bar_shown(k, total, &first, &last, what);
        CHECK_MSG(first == want && last >= first, "%s page %d: %d..%d, want %d",
                  what, pages, first, last, want);
        CHECK_INT(kb_key_rect(k, "cand:prev", &r) == 0, pages > 0);
        int more = kb_key_rect(k, "cand:next", &r) == 0;
        CHECK_MSG(more == (last < total - 1), "%s page %d: > %d, last %d/%d",
                  what, pages, more, last, total);
        last_first = first;
        if (!more || last < first || pages > total)
            break;
        CHECK_INT(run("kb cand:next\n"), 0);
        want = last + 1;
        pages++;
    }
    CHECK_INT(last, total - 1);
    CHECK_INT(kb_press(k, "cand:next"), -1); /* no page after the last */
    for (int p = pages; p > 0; p--)
        CHECK_INT(kb_press(k, "cand:prev"), 0);
    CHECK_INT(kb_press(k, "cand:prev"), -1);
    ui_script_settle();
    bar_shown(k, total, &first, &last, what);
    CHECK_INT(first, 0);
    for (int p = 0; p < pages; p++)
        CHECK_INT(kb_press(k, "cand:next"), 0);
    ui_script_settle();
    bar_shown(k, total, &first, &last, what);
    CHECK_INT(first, last_first);
    return last_first;
}

static void part_kb_ime(void)
{
    static const int sizes[][2] = {{1920, 1080}, {1024, 600}, {1080, 1920}};
    build(0);
    ui_show(form);
    struct kb *k = kb_of_screen(form);
    struct ui_widget *name = ui_find(form, "name");
    struct toy_ime toy = {"", 0, ""};
    kb_set_ime(k, &toy_ops, &toy);
    char cmd[64], what[32], want[8];

    /* Every candidate is reachable at every size: 16 for "ni" (one more
     * than the cells before ›) and 40 for "shi"; pick one past the 15th. */
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "size %dx%d\n", sizes[i][0], sizes[i][1]);
        CHECK_INT(run(cmd), 0);
        ui_field_clear(name);
        CHECK_INT(run("kbtype ni\n"), 0);
        snprintf(what, sizeof what, "%dx%d ni", sizes[i][0], sizes[i][1]);
        walk_pages(k, 16, what);
        CHECK_INT(run("kb cand:15\n"), 0); /* 怩, the 16th */
        CHECK_STR(ui_text(name), "怩");
        CHECK_INT(run("kbtype shi\n"), 0);
        snprintf(what, sizeof what, "%dx%d shi", sizes[i][0], sizes[i][1]);
        int far = walk_pages(k, 40, what);
        CHECK(far >= 15);
        snprintf(want, sizeof want, "%s", toy_candidate(&toy, far));
        snprintf(cmd, sizeof cmd, "kb cand:%d\n", far);
        CHECK_INT(run(cmd), 0);
        snprintf(what, sizeof what, "怩%s", want);
        CHECK_STR(ui_text(name), what);
    }
    /* A candidate wider than the bar is cut to fit its page, and › still
     * leads on to the next one. */
    CHECK_INT(run("kbtype long\n"), 0);
    walk_pages(k, 2, "long");
    CHECK_INT(run("kb bksp\nkb bksp\nkb bksp\nkb bksp\n"), 0);
    CHECK_STR(toy.pre, "");
    CHECK_INT(kb_press(k, "cand:next"), -1); /* nothing composed */
    CHECK_INT(kb_press(k, "cand:x"), -1);
    CHECK_INT(kb_press(k, "cand:"), -1);

    /* Pinyin on: punctuation and digits go to the input method first;
     * "," comes back full-width, what it does not want is typed as is. */
    ui_field_clear(name);
    CHECK_INT(run("size 1024x600\nkb layer:symbols\nkb ,\nkb 7\n"), 0);
    CHECK_STR(toy.last, "7");
    CHECK_INT(run("kb 。\nkb layer:letters\n"), 0);
    CHECK_STR(toy.last, "。");
    CHECK_STR(ui_text(name), "，7。");
    /* Off (EN): the keyboard types "," itself and asks nobody. */
    CHECK_INT(run("kb ime\nkb layer:symbols\nkb ,\nkb layer:letters\n"
                  "kb ime\n"), 0);
    CHECK_STR(toy.last, "。");
    CHECK_STR(ui_text(name), "，7。,");

    /* Shift: the input method is offered the capital, which comes back and
     * is typed; shift is then off (the next letter is pinyin again). */
    ui_field_clear(name);
    CHECK_INT(run("kbtype Ab\n"), 0);
    CHECK_STR(ui_text(name), "A");
    CHECK_STR(toy.pre, "b");
    /* Mid-pinyin the capital is refused: nothing changes, shift included,
     * so it types once the pinyin is done. */
    CHECK_INT(run("kbtype C\n"), 0);
    CHECK_STR(toy.last, "C");
    CHECK_STR(toy.pre, "b");
    CHECK_STR(ui_text(name), "A");
    CHECK_INT(run("kb space\nkb c\nkb d\n"), 0);
    CHECK_STR(ui_text(name), "AbC");
    CHECK_STR(toy.pre, "d");
    kb_set_ime(k, NULL, NULL);
}

/* ---- wipe ------------------------------------------------------------ */

static int all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void part_wipe(void)
{
    char blank[600], after[600], err[256];
    build(0);
    struct toy_ime toy = {"", 0, ""};
    kb_set_ime(kb_of_screen(form), &toy_ops, &toy);
    kb_set_ime_on(kb_of_screen(form), 0);
    ui_show(form);
    snprintf(blank, sizeof blank, "%s/ui_wipe_blank.png", bindir);
    snprintf(after, sizeof after, "%s/ui_wipe_after.png", bindir);
    CHECK_INT(run("size 1024x600\nshot ui_wipe_blank.png\n"), 0);
    CHECK_INT(run("kbtype Secret\ntap_id phone\nkbtype 13800\n"
                  "tap_id name\nkb ime\nkbtype ni\n"), 0);
    ui_set_text(ui_find(form, "review"), "Secret 13800");
    ui_show(list);
    CHECK_INT(run("tap_id search\ntype Li\n"), 0);
    ui_show(form);
    ui_focus(ui_find(form, "name"));
    ui_script_settle();
    struct ui_widget *name = ui_find(form, "name"), *phone = ui_find(form, "phone");
    struct ui_widget *search = ui_find(list, "search"), *hosts = ui_find(list, "hosts");
    CHECK_STR(ui_text(name), "Secret");
    CHECK_STR(ui_text(phone), "13800");
    CHECK_STR(toy.pre, "ni");
    CHECK(ui_list_shown(hosts) < 12);

    /* Typed text was drawn (the screen shows it) but never cached. */
    CHECK_INT(run("shot ui_wipe_typed.png\n"), 0);
    CHECK_INT(ui_cache_key_contains(ui_g.text_cache, "Secret", 6), 0);
    CHECK_INT(ui_cache_key_contains(ui_g.text_cache, "13800", 5), 0);
    CHECK_INT(ui_cache_key_contains(ui_g.text_cache, "Register", 8), 1);
    char typed[600];
    snprintf(typed, sizeof typed, "%s/ui_wipe_typed.png", bindir);
    struct ui_png_diff d0;
    CHECK_INT(ui_png_compare(blank, typed, 0, 0, NULL, &d0, err, sizeof err), 1);
    unlink(typed);

    ui_screen_wipe(NULL);
    CHECK_STR(ui_text(name), "");
    CHECK_STR(ui_text(phone), "");
    CHECK_STR(ui_text(search), "");
    CHECK_STR(ui_text(ui_find(form, "review")), "");
    CHECK(all_zero(name->buf, name->buf_size));
    CHECK(all_zero(phone->buf, phone->buf_size));
    CHECK(all_zero(search->buf, search->buf_size));
    CHECK(all_zero(hosts->filter, sizeof hosts->filter));
    CHECK_INT(ui_list_shown(hosts), 12);
    CHECK_STR(toy.pre, "");
    CHECK(all_zero(toy.pre, sizeof toy.pre));
    /* No texture made from typed text is left in the cache. */
    CHECK_INT(ui_cache_drop_private(ui_g.text_cache), 0);
    /* And the screen looks as it did before anything was typed. */
    kb_set_ime_on(kb_of_screen(form), 0);
    CHECK_INT(run("shot ui_wipe_after.png\n"), 0);
    struct ui_png_diff d;
    CHECK_INT(ui_png_compare(blank, after, 0, 0, NULL, &d, err, sizeof err), 0);
    unlink(blank);
    unlink(after);
}

/* ---- idle ------------------------------------------------------------ */

static int woke;

static void on_wake(void *ud)
{
    (void)ud;
    woke++;
}

static void *wake_thread(void *arg)
{
    (void)arg;
    usleep(100 * 1000);
    ui_wake();
    return NULL;
}

static void fired(void *ud)
{
    *(int *)ud += 1;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void part_idle(void)
{
    struct ui_stats st0, st1;
    build(0);
    ui_show(form);
    /* Let the window settle (map, expose), then nothing may be drawn. */
    for (int i = 0, quiet = 0; i < 40 && quiet < 3; i++) {
        ui_get_stats(&st0);
        ui_step(100);
        ui_get_stats(&st1);
        quiet = st1.frames == st0.frames ? quiet + 1 : 0;
    }
    ui_get_stats(&st0);
    double c0 = cpu_s();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 6; i++)
        ui_step(500);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double c1 = cpu_s();
    ui_get_stats(&st1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("idle: %.2f s wall, %.4f s CPU, %llu frames, %llu wakeups\n", wall,
           c1 - c0, (unsigned long long)(st1.frames - st0.frames),
           (unsigned long long)(st1.wakeups - st0.wakeups));
    CHECK_INT(st1.frames - st0.frames, 0);
    /* A wake from another thread reaches the handler on this thread, and
     * draws nothing by itself. */
    ui_on_wake(on_wake, NULL);
    pthread_t th;
    pthread_create(&th, NULL, wake_thread, NULL);
    for (int i = 0; i < 50 && !woke; i++)
        ui_step(100);
    pthread_join(th, NULL);
    CHECK_INT(woke, 1);
    ui_get_stats(&st0);
    CHECK_INT(st0.frames, st1.frames);
    /* A timer wakes the loop when due; a cancelled one never fires. */
    int n = 0, m = 0;
    ui_timer_add(50, fired, &n);
    ui_timer_cancel(ui_timer_add(60, fired, &m));
    for (int i = 0; i < 40 && !n; i++)
        ui_step(-1);
    CHECK_INT(n, 1);
    CHECK_INT(m, 0);
    /* Fake clock: timers follow it, not the wall clock. */
    ui_script_fake_clock(1);
    n = 0;
    ui_timer_add(10000, fired, &n);
    ui_script_advance(9999);
    CHECK_INT(n, 0);
    ui_script_advance(1);
    CHECK_INT(n, 1);
    ui_script_fake_clock(0);
}

/* ---- golden ---------------------------------------------------------- */

static void golden_one(const char *name, const char *script)
{
    char golden[700], actual[700], diff[700], err[256], cmd[1600];
    snprintf(golden, sizeof golden, "%s/golden/%s.png", srcdir, name);
    snprintf(actual, sizeof actual, "%s/%s_actual.png", bindir, name);
    snprintf(diff, sizeof diff, "%s/%s_diff.png", bindir, name);
    snprintf(cmd, sizeof cmd, "%sshot %s\n", script, actual);
    CHECK_INT(run(cmd), 0);
    if (getenv("UI_GOLDEN_UPDATE")) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", actual, golden);
        CHECK_INT(system(cmd), 0);
        printf("golden: rewrote %s\n", golden);
        return;
    }
    struct ui_png_diff d;
    /* Tolerance: anti-aliasing may differ by a few levels between FreeType
     * builds; 0.5% of pixels may differ more. */
    int rc = ui_png_compare(golden, actual, 32, 0, diff, &d, err, sizeof err);
    long allowed = d.total / 200;
    if (rc == 1 && d.total > 0 && d.differing <= allowed)
        rc = 0;
    CHECK_MSG(rc == 0, "%s: %s (diff image: %s)", name, err, diff);
    printf("golden %s: %ld of %ld pixels differ, max delta %d\n", name,
           d.differing, d.total, d.max_delta);
    if (rc == 0) {
        unlink(actual);
        unlink(diff);
    }
}

static void part_golden(void)
{
    build(0);
    ui_show(form);
    golden_one("form_en_800x480", "size 800x480\nkbtype Li Wei\ntap_id consent\n");
    ui_shutdown();
    CHECK_INT(init(800, 480), 0);
    build(1);
    ui_show(rate);
    golden_one("rate_zh_800x480", "size 800x480\n");
    /* The comparison can fail: two different goldens differ, and the diff
     * image is written. */
    char a[700], b[700], diff[700], err[256];
    struct ui_png_diff d;
    snprintf(a, sizeof a, "%s/golden/form_en_800x480.png", srcdir);
    snprintf(b, sizeof b, "%s/golden/rate_zh_800x480.png", srcdir);
    snprintf(diff, sizeof diff, "%s/ui_selftest_diff.png", bindir);
    CHECK_INT(ui_png_compare(a, b, 32, 1000, diff, &d, err, sizeof err), 1);
    CHECK(d.differing > 1000);
    CHECK(access(diff, R_OK) == 0);
    unlink(diff);
}

/* ---- font and kiosk ------------------------------------------------ */

static void part_font(void)
{
    char err[256], path[512];
    int index = -1;
    /* fontconfig finds the SC face of the CJK collection (index 2). */
    CHECK_INT(ui_font_locate("Noto Sans CJK SC", 0, path, sizeof path, &index,
                             err, sizeof err), 0);
    CHECK(strstr(path, "NotoSansCJK") != NULL);
    CHECK_INT(index, 2);
    /* A family that is not installed is an error, not a silent fallback. */
    CHECK_INT(ui_font_locate("No Such Family Xyzzy", 0, path, sizeof path,
                             &index, err, sizeof err), -1);
    CHECK(strstr(err, "not found") != NULL);
    /* A configured font file that cannot be read: the kiosk still starts
     * (on fontconfig's font, so the visitor is never met by a black screen)
     * and says which file it could not read. */
    ui_shutdown();
    struct ui_config cfg = {.window_w = 640, .window_h = 480,
                            .font_path = "/nonexistent/font.ttc", .font_index = 2};
    err[0] = '\0';
    FILE *log = tmpfile();
    int saved = dup(2);
    CHECK(log != NULL && saved >= 0);
    if (log && saved >= 0) {
        fflush(stderr);
        dup2(fileno(log), 2);
        CHECK_INT(ui_init(&cfg, err, sizeof err), 0);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        char said[512] = "";
        rewind(log);
        size_t got = fread(said, 1, sizeof said - 1, log);
        said[got] = '\0';
        CHECK(strstr(said, "/nonexistent/font.ttc") != NULL);
        CHECK(strstr(said, "fontconfig") != NULL);
        printf("missing font: %s", said);
        fclose(log);
        ui_shutdown();
    }
    /* Kiosk mode: a window close (SDL_QUIT) and Escape do not quit. */
    cfg.font_path = NULL;
    cfg.kiosk = 1;
    CHECK_INT(ui_init(&cfg, err, sizeof err), 0);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_QUIT;
    SDL_PushEvent(&e);
    CHECK_INT(ui_step(0), 0);
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_ESCAPE;
    SDL_PushEvent(&e);
    CHECK_INT(ui_step(0), 0);
    ui_shutdown();
    /* Outside kiosk mode the window close does quit the loop. */
    cfg.kiosk = 0;
    CHECK_INT(ui_init(&cfg, err, sizeof err), 0);
    memset(&e, 0, sizeof e);
    e.type = SDL_QUIT;
    SDL_PushEvent(&e);
    CHECK_INT(ui_step(0), 1);
    /* A stop asked for before the loop runs (a SIGTERM that the kiosk's
     * first-frame ui_step already took) ends ui_run at once: ui_run once
     * forgot it and slept until the next event, so the stopped kiosk never
     * stopped. The alarm ends this test if it waits. */
    ui_quit_loop();
    CHECK_INT(ui_step(0), 1);
    alarm(30);
    CHECK_INT(ui_run(), 0);
    alarm(0);
    CHECK_INT(ui_step(0), 0); /* and the quit is spent */
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_ui_sdl PART SRCDIR BINDIR\n");
        return 2;
    }
    snprintf(srcdir, sizeof srcdir, "%s", argv[2]);
    snprintf(bindir, sizeof bindir, "%s", argv[3]);
    if (init(1024, 600) < 0)
        return 1;
    const char *p = argv[1];
    if (strcmp(p, "layout") == 0) part_layout();
    else if (strcmp(p, "script") == 0) part_script();
    else if (strcmp(p, "keyboard") == 0) part_keyboard();
    else if (strcmp(p, "kb_ime") == 0) part_kb_ime();
    else if (strcmp(p, "wipe") == 0) part_wipe();
    else if (strcmp(p, "idle") == 0) part_idle();
    else if (strcmp(p, "golden") == 0) part_golden();
    else if (strcmp(p, "font") == 0) part_font();
    else {
        fprintf(stderr, "unknown part %s\n", p);
        return 2;
    }
    ui_shutdown();
    return check_summary();
}
