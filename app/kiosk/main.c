/* main.c - `frontdesk`, the kiosk program: the visitor screens on a touch
 * screen, the hidden staff console, receipts and (with --lobby) the lobby
 * display. Everything it needs has a default: the store is SQLite, the
 * printer is the virtual one when no USB printer answers, and head office is
 * optional.
 *   frontdesk --db PATH [--config FILE] [--window WxH] [--lang zh|en]
 *             [--demo] [--lobby] [--shot PNG]
 *             [--no-kiosk] [--lobby-display N] [--allow-root]
 * A test build (FD_TEST_HOOKS) also takes --script FILE --shots DIR (scripted
 * taps and screenshots) and --first-frame, and reads FRONTDESK_VOICE_DRAIN
 * and FRONTDESK_MEMDEBUG; a production build has none of them.
 * --lobby-display N: the kiosk also starts the lobby display as a second
 * process (one window per process) full screen on display N; it announces
 * the calls. --lobby alone is the lobby display by itself. As root it
 * refuses to start unless --allow-root (development, tests) says so. */
#include <SDL.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef FD_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "app.h"
#include "bday.h"
#include "complaint.h"
#include "config.h"
#include "demo.h"
#include "host_find.h"
#include "ime.h"
#include "ime_kb.h"
#include "kiosk_counter.h"
#include "kiosk_print.h"
#include "kiosk_sync.h"
#include "kiosk_sweep.h"
#include "queue.h"
#include "store.h"
#include "sync.h"
#include "sync_worker.h"
#include "tr.h"
#include "ui.h"
#include "ui_script.h"
#include "visitor.h"
#include "voice.h"
#include "kiosk_read.h"

#define SWEEP_MS 60000  /* is the lobby display still there (housekeeping: kiosk_sweep.c) */
#define LOBBY_POLL_MS 250

static struct app A;
static atomic_int stop_requested;   /* set by the signal thread */
static sigset_t stop_signals;       /* SIGTERM, SIGINT: blocked in every thread */
static sigset_t start_mask;         /* the mask before, for the lobby's process */
static struct ime_kb *ime_adapter;
static struct sync_worker *syncw; /* NULL until enrolled */
static struct voice *voice;
static struct ksweep *ksweep;  /* housekeeping worker, NULL in the lobby */
static struct kcounter *kcounter; /* frontdesk-counter's keeper, NULL when off */
static pid_t lobby_pid;         /* the lobby display's process, 0 = none */
static char lobby_db[512];      /* its arguments */
static char lobby_config[512];
static int lobby_display = -1;
static int allow_root;          /* --allow-root: development as root */

/* Starts (or restarts) the lobby display as a second process. */
static void lobby_spawn(void)
{
    char disp[16];
    pid_t pid;
    if (lobby_display < 0)
        return;
    snprintf(disp, sizeof disp, "%d", lobby_display);
    pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &start_mask, NULL); /* its own main blocks them again */
        char *args[10];
        int n = 0;
        args[n++] = "frontdesk";
        args[n++] = "--db", args[n++] = lobby_db;
        if (lobby_config[0])
            args[n++] = "--config", args[n++] = lobby_config;
        args[n++] = "--lobby", args[n++] = "--on-display", args[n++] = disp;
        if (allow_root)
            args[n++] = "--allow-root";
        args[n] = NULL;
        execv("/proc/self/exe", args);
        _exit(127);
    }
    lobby_pid = pid > 0 ? pid : 0;
    if (pid < 0)
        perror("frontdesk: lobby display");
}

static int voice_cb(void *ctx, const char *label, int counter)
{
    return voice_call(ctx, label, counter);
}

/* Elder mode's read aloud (kiosk_read.c; not the lobby's voice). */
static struct kread *reader;
static int read_cb(void *ctx, const char *text, int zh)
{
    (void)ctx;
    return kread_say(reader, text, zh);
}
static void hush_cb(void *ctx)
{
    (void)ctx;
    kread_hush(reader);
}

/* Signals. No handler runs here: SIGTERM (systemd's stop) and SIGINT are
 * blocked from main's first line, so every thread inherits the block, and
 * this thread takes them with sigwait and asks the UI loop to stop through
 * ui_wake (SDL_PushEvent: thread-safe, but not async-signal-safe, so never
 * from a handler). As hq/hq_server.c does. */
static pthread_t sig_thread;
static int sig_thread_on;
static atomic_int sig_closing;      /* main is done with the loop: just return */

static void *sig_wait_main(void *arg)
{
    (void)arg;
    for (;;) {
        int sig;
        if (sigwait(&stop_signals, &sig) != 0)
            continue;
        if (atomic_load(&sig_closing))
            return NULL;
        atomic_store(&stop_requested, 1);
        ui_wake();
    }
}

/* Starts the signal thread once the loop can be woken (after ui_init and
 * ui_on_wake); a signal that came earlier is pending and taken at once. */
static void sig_thread_start(void)
{
    if (pthread_create(&sig_thread, NULL, sig_wait_main, NULL) == 0)
        sig_thread_on = 1;
    else
        fprintf(stderr, "frontdesk: no signal thread: SIGTERM is ignored\n");
}

/* Ends the signal thread (before ui_shutdown, which ui_wake must not race):
 * it is sent a SIGTERM of its own and sees sig_closing. Signals that arrive
 * later stay blocked: the kiosk is stopping anyway. */
static void sig_thread_stop(void)
{
    if (!sig_thread_on)
        return;
    atomic_store(&sig_closing, 1);
    pthread_kill(sig_thread, SIGTERM);
    pthread_join(sig_thread, NULL);
    sig_thread_on = 0;
}

static void wake_from_worker(void *user)
{
    (void)user;
    ui_wake(); /* thread-safe: SDL_PushEvent */
}

/* On the UI thread after a worker's wake-up: redraw what depends on it. */
static void on_wake(void *ud)
{
    struct app *a = ud;
    if (atomic_load(&stop_requested)) {
        ui_quit_loop();
        return;
    }
    if (a->cur == SCR_CONSOLE)
        scr_console_refresh(a);
    app_printer_changed(a); /* home says when the printer is down */
    if (a->cur == SCR_TICKET || a->cur == SCR_CONSOLE)
        ui_invalidate();
}

static void sweep(void *ud)
{
    struct app *a = ud;
    if (lobby_pid > 0 && waitpid(lobby_pid, NULL, WNOHANG) == lobby_pid) {
        fprintf(stderr, "frontdesk: the lobby display stopped; starting it again\n");
        lobby_spawn();
    }
    ui_timer_add(SWEEP_MS, sweep, a);
}

/* Settings this program reads once at start. When one changes (head office's
 * pull, frontdesk-ctl) the kiosk restarts itself cleanly, at the home screen
 * (never under a visitor's hands) or the lobby; settings core reads at each
 * use (turnover hour, recall limit, ...) need nothing. README, "Who owns a
 * setting". */
#define SETTINGS_POLL_MS 5000
static const char *const start_keys[] = {
    "timezone", "branch_name", "language", "idle_timeout_s", "printer_uri",
    "printer_profile", "voice_on", "voice_volume", "voice_order", "counter_listen", NULL};
static uint64_t start_hash;
static int restart_requested;

static void settings_poll(void *ud)
{
    struct app *a = ud;
    if ((a->cur == SCR_HOME || a->cur == SCR_LOBBY) && cfg_hash(a->st, start_keys) != start_hash) {
        fprintf(stderr, "frontdesk: settings changed; restarting to apply them\n");
        restart_requested = 1;
        ui_quit_loop();
        return;
    }
    ui_timer_add(SETTINGS_POLL_MS, settings_poll, a);
}

/* Logs under systemd. Everything the kiosk and its modules say goes to
 * standard error; when that is the journal (JOURNAL_STREAM names our stderr)
 * each line gets a syslog priority prefix the journal reads: the line's own
 * ("<3>frontdesk: ..."), else <4> (warning: the kiosk writes to stderr only
 * what an operator should see). SDL's own log keeps its priorities. The
 * journal rotates; nothing of the kiosk's grows in a file of its own. */
static int journal_fd = -1;
#define LOG_ERR_PREFIX (journal_fd >= 0 ? "<3>" : "") /* for a line that ends the run */
static char journal_line[1024];
static size_t journal_len;

static void journal_flush_line(void)
{
    char out[sizeof journal_line + 8];
    const char *l = journal_line;
    int has = journal_len >= 3 && l[0] == '<' && l[1] >= '0' && l[1] <= '7' && l[2] == '>';
    int n = snprintf(out, sizeof out, "%s%.*s\n", has ? "" : "<4>", (int)journal_len, l);
    if (n > 0 && write(journal_fd, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1) < 0)
        journal_len = 0; /* nowhere to say it */
    journal_len = 0;
}

static ssize_t journal_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n' || journal_len == sizeof journal_line - 1) {
            journal_flush_line();
            if (buf[i] == '\n')
                continue;
        }
        journal_line[journal_len++] = buf[i];
    }
    return (ssize_t)size;
}

static void sdl_log_to_journal(void *ud, int category, SDL_LogPriority p, const char *msg)
{
    static const char prio[] = {'6', '7', '7', '6', '4', '3', '2'}; /* SDL_LOG_PRIORITY_* */
    (void)ud, (void)category;
    fprintf(stderr, "<%c>SDL: %s\n", p >= 1 && p <= 6 ? prio[p] : '6', msg);
}

/* Stderr through journal_write when it is the journal's stream. */
static void journal_setup(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0 ||
        (unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino)
        return;
    cookie_io_functions_t io = {.write = journal_write};
    FILE *f = fopencookie(NULL, "w", io);
    if (!f)
        return;
    journal_fd = 2;
    setvbuf(f, NULL, _IONBF, 0);
    stderr = f;
    SDL_LogSetOutputFunction(sdl_log_to_journal, NULL);
}

/* systemd's watchdog (packaging/systemd/frontdesk.service, WatchdogSec):
 * fed from a UI-loop timer, so a loop that hangs (a screen stuck in a long
 * call, a deadlock) stops feeding it and systemd restarts the kiosk. Half
 * the watchdog's period apart. sd_notify does nothing when NOTIFY_SOCKET is
 * unset (not under systemd); then no timer runs at all. */
#ifdef FD_HAVE_SYSTEMD
static void watchdog_feed(void *ud)
{
    /* WATCHDOG_USEC itself, not sd_watchdog_enabled: under cage the unit's
     * main process (WATCHDOG_PID) is cage, and the kiosk, its child, is the
     * one to watch (the unit has NotifyAccess=all). */
    const char *e = getenv("WATCHDOG_USEC");
    char *end = NULL;
    unsigned long long usec = e ? strtoull(e, &end, 10) : 0;
    sd_notify(0, "WATCHDOG=1");
    if (e && end && *end == '\0' && usec >= 2000 && getenv("NOTIFY_SOCKET"))
        ui_timer_add((uint32_t)(usec / 2000 > 60000 ? 60000 : usec / 2000), watchdog_feed, ud);
}
#endif

/* Tells systemd (Type=notify) that the first screen is up, and starts the
 * watchdog's feeding. */
static void notify_ready(void)
{
#ifdef FD_HAVE_SYSTEMD
    sd_notify(0, "READY=1");
    watchdog_feed(NULL);
#endif
}

/* The lobby learns of calls made by other processes through data_version. */
static void lobby_poll(void *ud)
{
    static int64_t last = -1;
    struct app *a = ud;
    int64_t v = store_data_version(a->st);
    if (v != last) {
        last = v;
        scr_lobby_changed(a);
    }
    ui_timer_add(LOBBY_POLL_MS, lobby_poll, a);
}

/* --report FILE: after each screen change, its name and where its main
 * buttons are, so that a test can click them with xdotool through the real
 * X input path. */
static FILE *report;
static int report_timer; /* the report waits for the handler to finish */

static void report_now(void *ud)
{
    struct app *a = ud;
    report_timer = 0;
    static const char *const ids[] = {"ticket", "register", "complaint", "status", "rate",
                                      "svc_A", "svc_B", "done", "home", "lang",
                                      "calling", "side", "cat_service", "next_text",
                                      "next_contact", "submit", "desc", "back",
                                      "invite", "inv_confirm", "inv_code", "name"};
    ui_layout_now();
    fprintf(report, "screen %s\n", ui_screen_name(a->screen));
    fprintf(report, "step %d\n", a->flow.step);
    fprintf(report, "ignored %llu\n", (unsigned long long)ui_touches_ignored());
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct ui_widget *w = ui_find(a->screen, ids[i]);
        if (w) {
            struct ui_rect r = ui_rect_of(w);
            fprintf(report, "%s %d %d %d %d\n", ids[i], r.x, r.y, r.w, r.h);
        }
    }
    /* Widgets of a wizard's steps and the console, only while laid out
     * (a step never shown has an empty rectangle): the register screen's
     * fields and "see reception" end, the staff sign-in, the console's
     * deny-list banner (tests/kiosk/test_deny.sh). */
    static const char *const shown[] = {"next_name", "next_phone", "next_company", "host_q",
                                        "hosts", "next_host_q", "badge", "held_title",
                                        "held_done", "staff", "staff_1", "pin", "deny_alert",
                                        "deny_ack", "tabs", "next_pick", "face_0_2",
                                        "face_1_4", "face_2_3"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        struct ui_widget *w = ui_find(a->screen, shown[i]);
        struct ui_rect r = w ? ui_rect_of(w) : (struct ui_rect){0};
        if (w && r.w > 0 && r.h > 0)
            fprintf(report, "%s %d %d %d %d\n", shown[i], r.x, r.y, r.w, r.h);
    }
    /* The lobby's call, for tests that time it from another process. */
    static const char *const texts[] = {"now", "now_counter", "inv_msg", "badge", "ticket"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct ui_widget *w = ui_find(a->screen, texts[i]);
        if (w && ui_text(w))
            fprintf(report, "text %s %s\n", texts[i], ui_text(w));
    }
    fprintf(report, "end\n");
    fflush(report);
}

/* on_show: written once the handler that changed the screen has finished
 * (a timer due now), so that the rectangles are the ones drawn. */
static void report_screen(struct app *a)
{
    if (report_timer > 0) { /* one block per change: the pending one now */
        ui_timer_cancel(report_timer);
        report_now(a);
    }
    report_timer = ui_timer_add(0, report_now, a);
    if (report_timer <= 0)
        report_now(a); /* no timer free: now, rather than never */
}

static int ime_attach(void *ctx, struct kb *kb)
{
    return ime_kb_attach(kb, ctx, tr_zh());
}

static void ime_forget_cb(void *ctx)
{
    ime_kb_forget(ctx);
}

#ifdef FD_TEST_HOOKS /* --script and its commands: test builds only */
/* Counts the places in this process's writable memory that hold `needle`,
 * skipping the needle's own buffer. For the idle-wipe test: after a reset,
 * nothing the visitor typed may be left anywhere the process can reach. */
static int memory_count(const unsigned char *needle, size_t n)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY), hits = 0;
    char line[512];
    static unsigned char chunk[1 << 20];
    while (maps && mem >= 0 && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perm[8];
        /* Regions of a GiB or more are reservations, not data: under ASan
         * its shadow memory is terabytes of untouched pages. */
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3 || perm[0] != 'r' ||
            perm[1] != 'w' || strstr(line, "[vvar]") || strstr(line, "[vsyscall]") ||
            hi - lo >= (1UL << 30))
            continue;
        for (unsigned long at = lo; at < hi; at += sizeof chunk - n) {
            size_t len = hi - at < sizeof chunk ? hi - at : sizeof chunk;
            ssize_t got = pread(mem, chunk, len, (off_t)at);
            if (got <= 0)
                break;
            for (unsigned char *p = chunk; (p = memmem(p, (size_t)got - (size_t)(p - chunk),
                                                        needle, n)) != NULL; p++)
                if ((const unsigned char *)(at + (unsigned long)(p - chunk)) != needle) {
                    hits++;
                    if (getenv("FRONTDESK_MEMDEBUG")) {
                        long off = p - chunk;
                        fprintf(stderr, "hit at %lx in %s  context: ", at + (unsigned long)off, line);
                        for (long k = off - 48 < 0 ? 0 : off - 48; k < off + 48 && k < got; k++)
                            fputc(chunk[k] >= 32 && chunk[k] < 127 ? chunk[k] : '.', stderr);
                        fputc('\n', stderr);
                    }
                }
            if ((size_t)got < len || len < sizeof chunk)
                break;
        }
    }
    if (maps)
        fclose(maps);
    if (mem >= 0)
        close(mem);
    return hits;
}

/* Decodes hex into out; returns the length or -1. */
static int unhex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    if (strlen(hex) % 2 || n == 0 || n > cap)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    return (int)n;
}

/* Script commands the toolkit does not know: `lang zh|en`, `home`,
 * `screen NAME`, `type_ref`, and for the wipe test `mem_has HEX` /
 * `mem_wiped HEX` (the text is given in hex so that the script's own copy
 * in memory does not count). */
static int script_cmd(void *ud, const char *cmd, const char *args, char *err, size_t errsz)
{
    struct app *a = ud;
    static const char *const names[SCR_COUNT] = {"home", "ticket", "register", "complaint",
                                                 "status", "rate", "staff", "console", "lobby",
                                                 "invite"};
    if (!strcmp(cmd, "lang")) {
        tr_set_zh(!strcmp(args, "zh"));
        app_rebuild(a);
        return 0;
    }
    if (!strcmp(cmd, "home")) {
        app_home(a);
        return 0;
    }
    if (!strcmp(cmd, "mem_has") || !strcmp(cmd, "mem_wiped")) {
        unsigned char needle[256];
        int n = unhex(args, needle, sizeof needle);
        if (n < 0) {
            snprintf(err, errsz, "%s wants the text in hex", cmd);
            return -1;
        }
        int hits = memory_count(needle, (size_t)n);
        explicit_bzero(needle, sizeof needle);
        if (!strcmp(cmd, "mem_has") ? hits == 0 : hits != 0) {
            snprintf(err, errsz, "%s: the text is %s in memory (%d places)", cmd,
                     hits ? "still" : "not", hits);
            return -1;
        }
        return 0;
    }
    if (!strcmp(cmd, "exec")) { /* tests: another process acts on the store */
        int rc = system(args);
        if (rc != 0) {
            snprintf(err, errsz, "exec: exit status %d: %s", rc, args);
            return -1;
        }
        return 0;
    }
    if (!strcmp(cmd, "sync_wait")) { /* real time: wake the worker, wait for an empty backlog */
        struct sync_status ss = {0};
        if (!syncw) {
            snprintf(err, errsz, "sync_wait: this kiosk is not enrolled");
            return -1;
        }
        for (int i = 0; i < 200; i++) {
            ksync_wake(syncw);
            if (sync_status_get(store_db(a->st), &ss) == 0 && ss.backlog == 0)
                return 0;
            usleep(50000);
        }
        snprintf(err, errsz, "sync_wait: backlog still %lld (%s)", ss.backlog, ss.last_error);
        return -1;
    }
    if (!strcmp(cmd, "type_ref")) { /* the newest open complaint's reference */
        struct complaint *c = NULL;
        int n = 0;
        struct ui_widget *f = ui_focused(a->screen);
        if (complaint_list(a->st, NULL, bday_now(), &c, &n, NULL) || !n || !f) {
            free(c);
            snprintf(err, errsz, "no open complaint, or no field focused");
            return -1;
        }
        ui_field_insert(f, c[n - 1].ref);
        free(c);
        return 0;
    }
    if (!strcmp(cmd, "rss")) { /* prints "rss KB" (VmRSS) on stdout: memory per cycle */
        char line[128];
        long kb = -1;
        FILE *f = fopen("/proc/self/status", "r");
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "VmRSS: %ld", &kb) == 1)
                break;
        if (f)
            fclose(f);
        struct mallinfo2 mi = mallinfo2();
        struct ui_stats us;
        ui_get_stats(&us);
        printf("rss %ld%s%s heap_in_use %zu text_cache %zu entries %zu\n", kb,
               *args ? " " : "", args, mi.uordblks / 1024, us.cache_bytes / 1024,
               us.cache_entries);
        fflush(stdout);
        return 0;
    }
    if (!strcmp(cmd, "wait_login")) { /* the staff PIN check has answered (<= 10 s) */
        if (scr_staff_settle(a, 10000) == 0)
            return 0;
        snprintf(err, errsz, "the PIN check has not answered after 10 s");
        return -1;
    }
    if (!strcmp(cmd, "wait_jobs")) { /* the printer worker has printed all (<= 10 s) */
        for (int tries = 0; tries < 200; tries++) {
            struct app_job j[50];
            int n = a->printer.jobs ? a->printer.jobs(a->printer.ctx, j, 50) : 0, busy = 0;
            for (int i = 0; i < n; i++)
                busy += !strcmp(j[i].state, "pending") || !strcmp(j[i].state, "printing");
            if (!busy)
                return 0;
            usleep(50000);
        }
        snprintf(err, errsz, "print jobs still pending after 10 s");
        return -1;
    }
    if (!strcmp(cmd, "wait_printer")) { /* the printer is ready (1) or not (0), <= 10 s */
        char buf[256];
        int want = atoi(args);
        for (int tries = 0; tries < 200; tries++) {
            if (a->printer.status && a->printer.status(a->printer.ctx, buf, sizeof buf) == want) {
                app_printer_changed(a);
                return 0;
            }
            usleep(50000);
        }
        snprintf(err, errsz, "the printer is not %s after 10 s", want ? "ready" : "down");
        return -1;
    }
    if (!strcmp(cmd, "wait_read")) { /* read aloud: all asked read out (<= 60 s) */
        int n = reader ? kread_wait(reader, 60000) : -1;
        if (n > 0) {
            printf("read aloud: %d texts\n", n);
            return 0;
        }
        snprintf(err, errsz, n < 0 ? "still reading aloud after 60 s" : "nothing was read aloud");
        return -1;
    }
    if (!strcmp(cmd, "expect_reading")) { /* the reader is busy (1) or idle (0) now */
        int busy = reader ? kread_busy(reader) : 0;
        if (busy == atoi(args))
            return 0;
        snprintf(err, errsz, "the reader is %s", busy ? "busy" : "idle");
        return -1;
    }
    if (!strcmp(cmd, "screen")) {
        for (int i = 0; i < SCR_COUNT; i++)
            if (!strcmp(args, names[i])) {
                app_go(a, (enum scr)i);
                return 0;
            }
        snprintf(err, errsz, "no screen %s", args);
        return -1;
    }
    return 1;
}
#endif /* FD_TEST_HOOKS */

/* --config FILE: `key = value` lines. Store settings go through core, which
 * decides who owns each (device settings always from here, branch settings
 * only while standalone); the display settings below apply to this run. */
static int read_config(const char *path, struct fd_store *st, struct ui_config *uc,
                       char *err, size_t errlen)
{
    static char font[512], font_bold[512], theme[128];
    char line[600];
    int n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read config %s", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        n++;
        char *p = line, *eq, *k, *v;
        line[strcspn(line, "\r\n")] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\0')
            continue;
        if (!(eq = strchr(p, '='))) {
            snprintf(err, errlen, "%s:%d: want key = value", path, n);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        k = p, v = eq + 1;
        for (char *e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
            *e = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        struct fd_err fe = {0};
        if (!strcmp(k, "font")) {
            snprintf(font, sizeof font, "%s", v);
            uc->font_path = font;
        } else if (!strcmp(k, "font_bold")) {
            snprintf(font_bold, sizeof font_bold, "%s", v);
            uc->font_bold_path = font_bold;
        } else if (!strcmp(k, "font_index")) {
            uc->font_index = atoi(v);
        } else if (!strcmp(k, "dpi")) {
            uc->dpi = atoi(v);
            if (uc->dpi < 50 || uc->dpi > 600) {
                snprintf(err, errlen, "%s:%d: dpi must be 50 to 600", path, n);
                fclose(f);
                return -1;
            }
        } else if (!strcmp(k, "panel")) { /* a known panel: its real dpi */
            uc->dpi = ui_panel_dpi(v);
            if (!uc->dpi) {
                snprintf(err, errlen, "%s:%d: unknown panel %s (10.1-1024x600, "
                         "15.6-1920x1080, 21.5-1920x1080, ...)", path, n, v);
                fclose(f);
                return -1;
            }
        } else if (!strcmp(k, "theme")) {
            snprintf(theme, sizeof theme, "%s", v);
            uc->theme = theme;
        } else if (cfg_set_by(st, k, v, CFG_SRC_FILE, &fe) == FD_ESTATE) {
            /* a branch setting, head office's once enrolled (README) */
            fprintf(stderr, "frontdesk: %s:%d: ignored: %s\n", path, n, fe.msg);
        } else if (fe.code) {
            snprintf(err, errlen, "%s:%d: %s", path, n, fe.msg);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: frontdesk --db PATH [--config FILE] [--window WxH] [--lang zh|en]\n"
                    "                 [--demo] [--lobby] [--shot PNG] [--no-kiosk]\n"
                    "                 [--lobby-display N] [--allow-root]\n");
#ifdef FD_TEST_HOOKS
    fprintf(stderr, "  test build: [--script FILE] [--shots DIR] [--first-frame]\n");
#endif
}

int main(int argc, char **argv)
{
    const char *db = getenv("FRONTDESK_DB"), *config = NULL;
    const char *shot = NULL, *lang = NULL;
#ifdef FD_TEST_HOOKS
    const char *script = NULL, *shots = ".";
#endif
    int demo = 0, lobby = 0, kiosk = 1, w = 0, h = 0, rc = 1, on_display = -1;
    int first_frame = 0;
    char err[512];
    struct ui_config uc = {.title = "frontdesk", .font_index = 2};

    /* Before any thread exists (SDL's, curl's, the workers'): see sig_wait_main. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &start_mask);
    journal_setup();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--db") && next)
            db = argv[++i];
        else if (!strcmp(a, "--config") && next)
            config = argv[++i];
#ifdef FD_TEST_HOOKS
        else if (!strcmp(a, "--script") && next)
            script = argv[++i];
        else if (!strcmp(a, "--shots") && next)
            shots = argv[++i];
#endif
        else if (!strcmp(a, "--shot") && next)
            shot = argv[++i];
        else if (!strcmp(a, "--lang") && next)
            lang = argv[++i];
        else if (!strcmp(a, "--report") && next) {
            if (!(report = fopen(argv[++i], "w"))) {
                fprintf(stderr, "frontdesk: cannot write %s\n", argv[i]);
                return 2;
            }
        }
        else if (!strcmp(a, "--window") && next) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 320 || h < 240 ||
                w > 8192 || h > 8192) {
                fprintf(stderr, "frontdesk: --window wants WIDTHxHEIGHT, e.g. 1024x600\n");
                return 2;
            }
        } else if (!strcmp(a, "--allow-root"))
            allow_root = 1;
        else if (!strcmp(a, "--demo"))
            demo = 1;
#ifdef FD_TEST_HOOKS
        else if (!strcmp(a, "--first-frame")) /* bench_first_frame */
            first_frame = 1;
#endif
        else if (!strcmp(a, "--lobby"))
            lobby = 1;
        else if (!strcmp(a, "--no-kiosk"))
            kiosk = 0;
        else if ((!strcmp(a, "--lobby-display") || !strcmp(a, "--on-display")) && next) {
            char *end;
            long d = strtol(argv[++i], &end, 10);
            if (*end || d < 0 || d > 15) {
                fprintf(stderr, "frontdesk: %s wants a display number 0..15\n", a);
                return 2;
            }
            if (!strcmp(a, "--on-display"))
                on_display = (int)d;
            else
                lobby_display = (int)d;
        }
        else {
            usage();
            return 2;
        }
    }
    if (!db) {
        usage();
        return 2;
    }
    /* The appliance runs as the user frontdesk (packaging/systemd): the
     * udev rule gives that group the printer and the touch screen, so root
     * is never needed, and a kiosk facing the public must not have it. */
    if (geteuid() == 0 && !allow_root) {
        fprintf(stderr, "%sfrontdesk: refusing to run as root: run it as the user frontdesk "
                        "(systemctl start frontdesk); --allow-root is for development\n",
                LOG_ERR_PREFIX);
        return 2;
    }
    if (lang && strcmp(lang, "zh") && strcmp(lang, "en")) {
        fprintf(stderr, "frontdesk: --lang is zh or en\n");
        return 2;
    }

    struct fd_store *st = NULL;
    struct kprint *kp = NULL;
    struct ime *ime = NULL;
    struct fd_err fe = {0};
    if (store_open(db, &st, err, sizeof err)) {
        fprintf(stderr, "%sfrontdesk: %s\n", LOG_ERR_PREFIX, err);
        return 3;
    }
    if (config && read_config(config, st, &uc, err, sizeof err)) {
        fprintf(stderr, "frontdesk: %s\n", err);
        goto out;
    }
    char tz[80], branch[128] = "", langc[8] = "zh";
    start_hash = cfg_hash(st, start_keys);
    cfg_get(st, "timezone", tz, sizeof tz);
    if (bday_set_zone(tz, &fe)) {
        fprintf(stderr, "frontdesk: %s\n", fe.msg);
        goto out;
    }
    if (demo) {
        int drc = demo_load(st, bday_now(), &fe);
        if (drc && drc != FD_EEXIST) {
            fprintf(stderr, "frontdesk: demo data: %s\n", fe.msg);
            goto out;
        }
    }
    if (tr_init(err, sizeof err)) {
        fprintf(stderr, "frontdesk: %s\n", err);
        goto out;
    }
    cfg_get(st, "branch_name", branch, sizeof branch);
    cfg_get(st, "language", langc, sizeof langc);
    A.st = st;
    A.branch = branch;
    A.default_zh = strcmp(lang ? lang : langc, "en") != 0;
    A.idle_s = (int)cfg_get_int(st, "idle_timeout_s");
    A.staff_idle_s = 120; /* an unattended console signs out (audited) */
    A.kiosk = kiosk;
    tr_set_zh(A.default_zh);

    uc.window_w = w, uc.window_h = h;
    uc.kiosk = kiosk;
    uc.display = on_display >= 0 ? on_display : 0;
    if (ui_init(&uc, err, sizeof err)) {
        fprintf(stderr, "%sfrontdesk: %s\n", LOG_ERR_PREFIX, err);
        goto out;
    }
    ui_on_wake(on_wake, &A);
    if (report)
        A.on_show = report_screen;
    sig_thread_start();
    A.cur = SCR_COUNT;
    if (lobby) {
        A.lobby_cursor = -1;
        app_go(&A, SCR_LOBBY);
        lobby_poll(&A); /* the calls it shows */
    } else {
        app_home(&A);
    }
    /* The first frame, before anything the home screen (or the lobby) does
     * not need: the print, housekeeping and sync workers, the pinyin
     * dictionary, the voice and a second display's process start right
     * after it is on the screen, before the first touch is read (issue 18:
     * first frame as the visitor sees it). */
    ui_step(0);
    if (first_frame) {
        struct timespec ts, cpu;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        printf("presented %lld %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
               (long long)cpu.tv_sec * 1000000000LL + cpu.tv_nsec);
        fflush(stdout);
    }
    if (lobby) {
        char order[16] = "zh,en";
        struct voice_config vc = {.speak = (int)cfg_get_int(st, "voice_on"),
                                  .volume = (int)cfg_get_int(st, "voice_volume")};
        cfg_get(st, "voice_order", order, sizeof order);
        voice_order_parse(order, &vc.order);
        if (voice_open(&vc, &voice, err, sizeof err))
            fprintf(stderr, "frontdesk: the lobby is silent: %s\n", err);
        else
            A.voice.call = voice_cb, A.voice.ctx = voice;
    } else if (lobby_display >= 0) {
        snprintf(lobby_db, sizeof lobby_db, "%s", db);
        snprintf(lobby_config, sizeof lobby_config, "%s", config ? config : "");
        lobby_spawn();
    }
    /* The print worker's files go beside the database. */
    char dir[512];
    snprintf(dir, sizeof dir, "%s", db);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (!lobby) {
        kp = kprint_start(st, db, dir, wake_from_worker, NULL);
        ksweep = ksweep_start(db, wake_from_worker, NULL);
        /* The counters' page, when counter_listen is set. */
        char listen[64] = "";
        cfg_get(st, "counter_listen", listen, sizeof listen);
        kcounter = kcounter_start(db, listen, &start_mask);
        /* Head office is optional: the sync worker runs once enrolled.
         * (cfg_enrolled, not sync_status_get: that one counts the outbox,
         * every row of it - 32 MB read at each start on a year's store.) */
        if (cfg_enrolled(st)) {
            struct sync_worker_opts so = {.db_path = db, .on_change = wake_from_worker,
                                          .printer = kp ? kprint_health : NULL,
                                          .printer_ctx = kp};
            if (ksync_start(&so, &syncw, err, sizeof err) != 0)
                fprintf(stderr, "frontdesk: the sync worker did not start: %s\n", err);
        }
        if (kp)
            kprint_bind(kp, &A.printer);
        struct voice_config rc_ = {.speak = 1, .order = VOICE_ZH,
                                   .volume = (int)cfg_get_int(st, "voice_volume")};
        if ((reader = kread_start(&rc_)))
            A.voice.say = read_cb, A.voice.hush = hush_cb;
        host_find_warm(); /* ICU for the host search by pinyin, off this thread */
        ime = ime_open(NULL, err, sizeof err);
        if (!ime)
            fprintf(stderr, "frontdesk: pinyin input is off: %s\n", err);
        else if ((ime_adapter = ime_kb_new(ime))) {
            A.ime.attach = ime_attach;
            A.ime.forget = ime_forget_cb;
            A.ime.ctx = ime_adapter;
        }
    }
    if (!lobby)
        sweep(&A);
    rc = 0;
#ifdef FD_TEST_HOOKS
    if (script) {
        ui_script_set_handler(script_cmd, &A);
        if (ui_script_run(script, shots, err, sizeof err)) {
            fprintf(stderr, "frontdesk: %s\n", err);
            rc = 1;
        }
    } else
#endif
    if (shot) {
        if (ui_shot(shot, err, sizeof err)) {
            fprintf(stderr, "frontdesk: %s\n", err);
            rc = 1;
        }
    } else {
        ui_timer_add(SETTINGS_POLL_MS, settings_poll, &A);
        notify_ready();
        ui_run();
    }
    sig_thread_stop();
    ui_screen_free(A.screen);
    A.screen = NULL;
#ifdef FD_TEST_HOOKS
    if (voice && getenv("FRONTDESK_VOICE_DRAIN")) /* tests: hear every call out */
        voice_drain(voice, 60000);
#endif
    voice_close(voice);
    A.voice.say = NULL, A.voice.hush = NULL;
    kread_stop(reader);
    reader = NULL;
    /* Workers first: the print worker renders with SDL_ttf, whose library
     * ui_shutdown tears down. */
    ksync_stop(syncw);
    syncw = NULL;
    ksweep_stop(ksweep);
    ksweep = NULL;
    kcounter_stop(kcounter);
    kcounter = NULL;
    kprint_stop(kp);
    kp = NULL;
    ui_shutdown();
    if (lobby_pid > 0) {
        kill(lobby_pid, SIGTERM);
        waitpid(lobby_pid, NULL, 0);
    }
out:
    sig_thread_stop();
    ksync_stop(syncw);
    ksweep_stop(ksweep);
    kcounter_stop(kcounter);
    ime_kb_free(ime_adapter);
    ime_close(ime);
    kprint_stop(kp);
    tr_free();
    store_close(st);
    if (report)
        fclose(report);
    if (restart_requested) { /* everything closed: start again as started */
        execv("/proc/self/exe", argv);
        perror("frontdesk: restart");
    }
    return rc;
}
