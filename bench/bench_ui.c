/* bench_ui.c - figures for the touch toolkit (app/ui), printed in one run
 * under Xvfb with the software renderer (never fails on time):
 *   time from main() to the first frame of a home-like screen (includes
 *   fontconfig, SDL, window, first glyphs), CPU used over N idle seconds
 *   (target: near zero), frame time p50/p99 while typing on the on-screen
 *   keyboard, and peak RSS with the CJK font loaded.
 * Run: tests/ui/run-xvfb.sh build/DIR/bench/bench_ui [IDLE_SECONDS=10] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <SDL.h>

#include "kb.h"
#include "ui.h"
#include "ui_script.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void stop(void *ud)
{
    (void)ud;
    ui_quit_loop();
}

static void nop(struct ui_widget *w, void *ud)
{
    (void)w;
    (void)ud;
}

/* Pushes a finger tap at the centre of r. */
static void push_tap(struct ui_rect r, int W, int H)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = 1;
    e.tfinger.x = (float)(r.x + r.w / 2) / (float)W;
    e.tfinger.y = (float)(r.y + r.h / 2) / (float)H;
    e.type = SDL_FINGERDOWN;
    SDL_PushEvent(&e);
    e.type = SDL_FINGERUP;
    SDL_PushEvent(&e);
}

int main(int argc, char **argv)
{
    double t0 = now_s();
    int idle_s = argc > 1 ? atoi(argv[1]) : 10;
    char err[256];
    struct ui_config cfg = {.window_w = 1920, .window_h = 1080, .title = "bench_ui"};
    if (idle_s < 1)
        idle_s = 1;
    if (ui_init(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "bench_ui: %s (run it under tests/ui/run-xvfb.sh)\n", err);
        return 1;
    }
    /* A home screen like the kiosk's. */
    struct ui_screen *home = ui_screen_new("home");
    struct ui_widget *root = ui_screen_root(home);
    ui_label(root, "title", "欢迎光临 · Welcome", UI_FONT_TITLE);
    struct ui_widget *g = ui_grid(root, "menu", 2, 1);
    ui_set_weight(g, 1);
    ui_button(g, "ticket", "取号 Take a ticket", nop, NULL);
    ui_button(g, "visit", "来访登记 Register a visit", nop, NULL);
    ui_button(g, "complain", "投诉建议 Make a complaint", nop, NULL);
    ui_button(g, "status", "查询投诉 Check a complaint", nop, NULL);
    ui_show(home);
    struct ui_stats st;
    do
        ui_step(0);
    while (ui_get_stats(&st), st.frames == 0);
    double first = now_s() - t0;
    long rss_first = maxrss_kb();

    /* Idle: nothing happens for idle_s seconds. Settle first (map, expose). */
    for (int i = 0; i < 5; i++)
        ui_step(50);
    struct ui_stats s0, s1;
    ui_get_stats(&s0);
    double c0 = cpu_s(), w0 = now_s();
    ui_timer_add((uint32_t)idle_s * 1000, stop, NULL);
    ui_run();
    double c1 = cpu_s(), w1 = now_s();
    ui_get_stats(&s1);

    /* Typing on the keyboard: one frame per tap, each timed. */
    struct ui_screen *form = ui_screen_new("form");
    root = ui_screen_root(form);
    ui_label(root, "title", "来访登记 Register a visit", UI_FONT_TITLE);
    struct ui_widget *f = ui_field(root, "name", "姓名 Name", 1000);
    ui_spacer(root, 1);
    struct kb *k = kb_new(root, "kb", "letters");
    ui_show(form);
    ui_step(0);
    static const char keys[] = "thequickbrownfoxjumpsoverthelazydog";
    enum { N = 300 };
    double ft[N];
    int W, H;
    ui_output_size(&W, &H);
    for (int i = 0; i < N; i++) {
        char id[2] = {keys[i % (sizeof keys - 1)], 0};
        struct ui_rect r;
        kb_key_rect(k, id, &r);
        push_tap(r, W, H);
        double a = now_s();
        ui_step(0); /* handles down+up, inserts the letter, draws a frame */
        ft[i] = (now_s() - a) * 1000.0;
        if (i % 60 == 59)
            ui_field_clear(f); /* keep the line on screen */
    }
    qsort(ft, N, sizeof *ft, cmp_d);
    ui_get_stats(&st);

    printf("bench_ui (SDL software renderer, 1920x1080, Noto Sans CJK SC)\n");
    printf("first frame of a home screen: %.1f ms after main()\n", first * 1000);
    printf("idle %d s: CPU %.4f s (%.3f%%), %llu frames drawn, %llu wakeups\n",
           idle_s, c1 - c0, 100.0 * (c1 - c0) / (w1 - w0),
           (unsigned long long)(s1.frames - s0.frames),
           (unsigned long long)(s1.wakeups - s0.wakeups));
    printf("typing (%d taps): frame p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           N, ft[N / 2], ft[N * 99 / 100], ft[N - 1]);
    printf("text cache: %zu textures, %.1f MiB, %zu evicted\n",
           st.cache_entries, (double)st.cache_bytes / 1048576.0,
           st.cache_evictions);
    printf("peak RSS: %.1f MiB at first frame, %.1f MiB at the end\n",
           rss_first / 1024.0, maxrss_kb() / 1024.0);
    ui_shutdown();
    return 0;
}
