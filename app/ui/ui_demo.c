/* ui_demo.c - `ui-demo`, a development program (not installed) that shows
 * the toolkit's widgets and keyboard at a given size, in Chinese or English,
 * so they can be looked at and screenshotted under Xvfb:
 *   ui-demo --window 1024x600 --lang zh --screen form --script s.txt
 * The strings here are demo text, not visitor-facing: the kiosk's screens
 * take theirs from translation files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "ui.h"
#include "ui_script.h"

struct demo {
    int zh;                       /* 1: Chinese texts */
    int report;                   /* --report: print taps for outside tests */
    int taps;                     /* button taps counted */
    struct ui_screen *scr[4];     /* widgets, form, list, rate */
    struct ui_widget *count;      /* label showing taps */
};

static struct demo D;

static const char *T(const char *en, const char *zh)
{
    return D.zh ? zh : en;
}

static void show_named(const char *name)
{
    static const char *const names[] = {"widgets", "form", "list", "rate"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            ui_show(D.scr[i]);
}

static void on_nav(struct ui_widget *w, void *ud)
{
    (void)w;
    show_named(ud);
}

static void on_count(struct ui_widget *w, void *ud)
{
    (void)ud;
    char buf[64];
    D.taps++;
    snprintf(buf, sizeof buf, "%s %d", T("Taps:", "点击次数："), D.taps);
    ui_set_text(D.count, buf);
    if (D.report) {
        printf("tap %s %d\n", ui_id(w), D.taps);
        fflush(stdout);
    }
}

static void on_long(struct ui_widget *w, void *ud)
{
    (void)w;
    (void)ud;
    ui_set_text(D.count, T("Staff corner held", "已长按员工入口"));
}

static void on_large(struct ui_widget *w, void *ud)
{
    (void)ud;
    ui_set_large_text(ui_checked(w));
}

/* A row of navigation buttons at the top of each demo screen. */
static void nav(struct ui_widget *root, const char *title)
{
    struct ui_widget *bar = ui_box(root, "nav", UI_ROW);
    struct ui_widget *t = ui_label(bar, "title", title, UI_FONT_TITLE);
    ui_set_weight(t, 1);
    ui_set_lines(t, 1);
    ui_button(bar, "to_widgets", T("Widgets", "控件"), on_nav, "widgets");
    ui_button(bar, "to_form", T("Form", "表单"), on_nav, "form");
    ui_button(bar, "to_list", T("List", "列表"), on_nav, "list");
    ui_button(bar, "to_rate", T("Rate", "评价"), on_nav, "rate");
    struct ui_widget *corner = ui_overlay(ui_screen_of(root), "corner",
                                          UI_TOP_LEFT, 0, 0);
    ui_hotspot(corner, "staff", 2000, on_long, NULL);
}

static void build_widgets(void)
{
    struct ui_screen *s = ui_screen_new("widgets");
    struct ui_widget *root = ui_screen_root(s);
    nav(root, T("Toolkit demo", "控件演示"));
    ui_label(root, "para",
             T("Welcome. Take a ticket, register a visit or tell us how we "
               "did. Lines break at spaces in English and between characters "
               "in Chinese, never before punctuation.",
               "欢迎光临。您可以取号、登记来访，或者告诉我们服务得怎么样。中文在汉字之间"
               "换行，但绝不会在“，。！？、）”之前换行（例如这里）。"),
             UI_FONT_BODY);
    struct ui_widget *g = ui_grid(root, "tiles", 3, 2);
    ui_set_weight(g, 1);
    struct ui_widget *b = ui_button(g, "count", T("Tap me", "点我"), on_count, NULL);
    ui_set_style(b, UI_STYLE_PRIMARY);
    b = ui_button(g, "tile", T("Take a ticket", "取号"), on_count, NULL);
    ui_set_sub(b, T("12 waiting · about 15 min", "12 人等候 · 约 15 分钟"));
    b = ui_button(g, "long", T("A very long button text that cannot fit on one line at all",
                               "一个非常非常长的按钮文字，无论如何也放不进一行里面去"),
                  on_count, NULL);
    ui_set_lines(b, 1);
    b = ui_button(g, "danger", T("Cancel", "取消"), NULL, NULL);
    ui_set_style(b, UI_STYLE_DANGER);
    b = ui_button(g, "quiet", T("Back", "返回"), NULL, NULL);
    ui_set_style(b, UI_STYLE_QUIET);
    b = ui_button(g, "off", T("Disabled", "不可用"), NULL, NULL);
    ui_set_enabled(b, 0);
    struct ui_widget *row = ui_box(root, "bottom", UI_ROW);
    D.count = ui_label(row, "taps", T("Taps: 0", "点击次数：0"), UI_FONT_BODY);
    ui_set_weight(D.count, 1);
    ui_check(row, "large", T("Larger text", "大字体"), on_large, NULL);
    D.scr[0] = s;
}

static void on_filter(struct ui_widget *f, void *ud)
{
    ui_list_set_filter(ud, ui_text(f));
}

static void build_form(void)
{
    struct ui_screen *s = ui_screen_new("form");
    struct ui_widget *root = ui_screen_root(s);
    nav(root, T("Register a visit", "来访登记"));
    struct ui_widget *f = ui_box(root, "fields", UI_AUTO);
    struct ui_widget *name = ui_field(f, "name", T("Your name", "您的姓名"), 40);
    ui_set_weight(name, 1);
    struct ui_widget *phone = ui_field(f, "phone", T("Phone", "手机号码"), 20);
    ui_field_set_keyboard(phone, "phone");
    ui_set_weight(phone, 1);
    struct ui_widget *c = ui_check(root, "consent",
                                   T("I agree that my phone number is kept to contact me about this visit.",
                                     "我同意保存我的手机号码，以便就本次来访与我联系。"),
                                   NULL, NULL);
    (void)c;
    ui_spacer(root, 1);
    struct kb *k = kb_new(root, "kb", "letters");
    (void)k;
    D.scr[1] = s;
    (void)on_filter;
}

static void build_list(void)
{
    static const char *const hosts_en[][2] = {
        {"Li Wei", "Finance, 3rd floor"}, {"Wang Fang", "Human resources"},
        {"Zhang Min", "Front office"}, {"Liu Yang", "Legal"},
        {"Chen Jie", "IT support"}, {"Yang Li", "Customer service"},
        {"Zhao Lei", "Loans"}, {"Huang Tao", "Director"},
        {"Zhou Xin", "Accounts"}, {"Wu Hao", "Security"},
    };
    static const char *const hosts_zh[][2] = {
        {"李伟", "财务部 三楼"}, {"王芳", "人力资源部"}, {"张敏", "前台"},
        {"刘洋", "法务部"}, {"陈杰", "信息技术部"}, {"杨丽", "客户服务部"},
        {"赵磊", "信贷部"}, {"黄涛", "行长办公室"}, {"周欣", "会计部"},
        {"吴浩", "安保部"},
    };
    struct ui_screen *s = ui_screen_new("list");
    struct ui_widget *root = ui_screen_root(s);
    nav(root, T("Whom are you visiting?", "您要拜访谁？"));
    struct ui_widget *body = ui_box(root, "body", UI_AUTO);
    ui_set_weight(body, 1);
    struct ui_widget *left = ui_box(body, "left", UI_COL);
    ui_set_weight(left, 1);
    struct ui_widget *search = ui_field(left, "search", T("Search by name", "按姓名搜索"), 20);
    struct ui_widget *l = ui_list(left, "hosts", NULL, NULL);
    for (int i = 0; i < 10; i++)
        ui_list_add(l, D.zh ? hosts_zh[i][0] : hosts_en[i][0],
                    D.zh ? hosts_zh[i][1] : hosts_en[i][1], i);
    ui_field_on_change(search, on_filter, l);
    struct kb *k = kb_new(body, "kb", "letters");
    ui_set_weight(kb_widget(k), 1);
    D.scr[2] = s;
}

static void build_rate(void)
{
    struct ui_screen *s = ui_screen_new("rate");
    struct ui_widget *root = ui_screen_root(s);
    nav(root, T("How did we do?", "请为我们的服务评价"));
    struct ui_widget *b = ui_bignum(root, "number", "A023");
    ui_set_weight(b, 1);
    struct ui_widget *g = ui_grid(root, "faces", 4, 2);
    ui_set_weight(g, 2);
    ui_face(g, "excellent", UI_FACE_EXCELLENT, T("Excellent", "优"), on_count, NULL);
    ui_face(g, "good", UI_FACE_GOOD, T("Good", "良"), on_count, NULL);
    ui_face(g, "fair", UI_FACE_FAIR, T("Fair", "中"), on_count, NULL);
    ui_face(g, "poor", UI_FACE_POOR, T("Poor", "差"), on_count, NULL);
    D.scr[3] = s;
}

static int parse_size(const char *s, int *w, int *h)
{
    return sscanf(s, "%dx%d", w, h) == 2 && *w > 0 && *h > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct ui_config cfg = {.window_w = 1024, .window_h = 600,
                            .title = "ui-demo"};
    const char *script = NULL, *screen = "widgets", *outdir = ".";
    char err[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--window") == 0 && v && parse_size(v, &cfg.window_w, &cfg.window_h) == 0)
            i++;
        else if (strcmp(a, "--fullscreen") == 0)
            cfg.window_w = cfg.window_h = 0;
        else if (strcmp(a, "--script") == 0 && v)
            script = argv[++i];
        else if (strcmp(a, "--out") == 0 && v)
            outdir = argv[++i];
        else if (strcmp(a, "--screen") == 0 && v)
            screen = argv[++i];
        else if (strcmp(a, "--lang") == 0 && v)
            D.zh = strcmp(argv[++i], "zh") == 0;
        else if (strcmp(a, "--report") == 0)
            D.report = 1;
        else if (strcmp(a, "--theme") == 0 && v)
            cfg.theme = argv[++i];
        else if (strcmp(a, "--font") == 0 && v)
            cfg.font_path = argv[++i], cfg.font_index = 2;
        else {
            fprintf(stderr,
                    "usage: ui-demo [--window WxH|--fullscreen] [--lang en|zh] "
                    "[--screen widgets|form|list|rate] [--theme NAME] "
                    "[--script FILE [--out DIR]] [--font FILE.ttc] [--report]\n");
            return 2;
        }
    }
    if (ui_init(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "ui-demo: %s\n", err);
        return 1;
    }
    build_widgets();
    build_form();
    build_list();
    build_rate();
    show_named(screen);
    int rc = 0;
    if (script) {
        if (ui_script_run(script, outdir, err, sizeof err) < 0) {
            fprintf(stderr, "ui-demo: %s\n", err);
            rc = 1;
        }
    } else {
        if (D.report) { /* where the count button is, once it is drawn */
            ui_step(0);
            struct ui_rect r = ui_rect_of(ui_find(D.scr[0], "count"));
            printf("ready count %d %d %d %d\n", r.x, r.y, r.w, r.h);
            fflush(stdout);
        }
        ui_run();
    }
    ui_shutdown();
    return rc;
}
