/* scr_staff.c - the hidden staff entry (reached by a long press in the home
 * screen's top left corner): tap your name, type your PIN. Core checks the
 * PIN against its Argon2id hash and locks the account after repeated
 * failures; the typed PIN is wiped from the field as soon as it is taken.
 * The check costs a tenth of a second of CPU: it runs on a thread of its
 * own with its own connection to the store, while the screen says
 * "checking..." and ignores another OK; a UI timer collects the outcome. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "bday.h"
#include "staff.h"
#include "tr.h"

#define CHECK_POLL_MS 30   /* how often the UI looks for the outcome */

static struct {
    struct ui_widget *steps[2];
    struct ui_widget *pin, *who;
    unsigned gen;          /* which build of the screen this is */
} P;

/* One PIN check in flight (at most one: the screen ignores OK meanwhile). */
struct pin_check {
    char db_path[1024];    /* the store, opened again on the thread */
    int64_t staff_id;
    int64_t now;
    char pin[STAFF_PIN_MAX + 1]; /* wiped on the thread once checked */
    unsigned gen;          /* P.gen when it started: stale if the screen went */
    pthread_t thread;
    atomic_int done;       /* set by the thread last */
    int rc, retry;         /* staff_login's outcome */
};
static struct pin_check *C;
static unsigned gen_seq;

static void *check_main(void *arg)
{
    struct pin_check *c = arg;
    struct fd_store *st = NULL;
    struct fd_err e = {0};
    char err[300];
    if (store_open(c->db_path, &st, err, sizeof err) != 0) {
        fprintf(stderr, "frontdesk: staff sign-in: %s\n", err);
        c->rc = FD_EDB;
    } else {
        c->rc = staff_login(st, c->staff_id, c->pin, c->now, NULL, &c->retry, &e);
        store_close(st);
    }
    sodium_memzero(c->pin, sizeof c->pin);
    atomic_store(&c->done, 1);
    return NULL;
}

/* Joins a finished check and, when its screen is still shown, acts on the
 * outcome. Returns 1 when there was one to finish. */
static int check_finish(struct app *a)
{
    struct pin_check *c = C;
    char buf[96];
    if (!c || !atomic_load(&c->done))
        return 0;
    pthread_join(c->thread, NULL);
    C = NULL;
    int rc = c->rc, retry = c->retry, ours = c->gen == P.gen && a->cur == SCR_STAFF;
    free(c);
    if (!ours)
        return 1; /* the screen went meanwhile (idle, Home): nothing to show */
    if (rc == 0) {
        app_go(a, SCR_CONSOLE);
        return 1;
    }
    if (retry > 0)
        ui_field_set_error(P.pin, tr_fmt(buf, sizeof buf, "staff.locked", retry));
    else
        ui_field_set_error(P.pin, tr("staff.wrong"));
    return 1;
}

static void check_poll(void *ud)
{
    struct app *a = ud;
    if (C && !check_finish(a))
        ui_timer_add(CHECK_POLL_MS, check_poll, a);
}

int scr_staff_settle(struct app *a, int timeout_ms)
{
    for (int waited = 0; C && !atomic_load(&C->done); waited += 10) {
        if (waited >= timeout_ms)
            return -1;
        usleep(10000);
    }
    check_finish(a);
    return 0;
}

static void on_pick(struct ui_widget *w, void *ud)
{
    struct app *a = ud;
    a->flow.staff_id = (int64_t)(intptr_t)ui_user(w);
    snprintf(a->flow.staff_name, sizeof a->flow.staff_name, "%s", ui_text(w));
    ui_set_text(P.who, a->flow.staff_name);
    app_wizard_show(a, P.steps, 2, 1, P.pin);
}

static void on_pin(struct ui_widget *w, void *ud)
{
    (void)w;
    struct app *a = ud;
    const char *path = sqlite3_db_filename(store_db(a->st), "main");
    if (C) { /* a check is running: this OK waits for it */
        ui_field_clear(P.pin);
        return;
    }
    struct pin_check *c = calloc(1, sizeof *c);
    if (!c || !path || strlen(path) >= sizeof c->db_path) {
        free(c);
        ui_field_clear(P.pin);
        ui_field_set_error(P.pin, tr("staff.wrong"));
        return;
    }
    snprintf(c->db_path, sizeof c->db_path, "%s", path);
    snprintf(c->pin, sizeof c->pin, "%s", ui_text(P.pin));
    ui_field_clear(P.pin); /* wiped from the field whatever the outcome */
    c->staff_id = a->flow.staff_id;
    c->now = bday_now();
    c->gen = P.gen;
    if (pthread_create(&c->thread, NULL, check_main, c) != 0) {
        sodium_memzero(c->pin, sizeof c->pin);
        free(c);
        ui_field_set_error(P.pin, tr("staff.wrong"));
        return;
    }
    C = c;
    ui_field_set_error(P.pin, tr("staff.checking"));
    ui_timer_add(CHECK_POLL_MS, check_poll, a);
}

struct ui_screen *scr_staff(struct app *a)
{
    struct ui_screen *s = ui_screen_new("staff");
    struct ui_widget *content = app_frame(a, s, "staff.title", NULL);
    struct staff *v = NULL;
    int n = 0;
    memset(&P, 0, sizeof P);
    P.gen = ++gen_seq;
    P.steps[0] = ui_box(content, "step_who", UI_COL);
    ui_set_weight(P.steps[0], 1);
    struct ui_widget *grid = ui_grid(P.steps[0], "staff", 3, 2);
    ui_set_weight(grid, 1);
    staff_list(a->st, &v, &n, NULL);
    for (int i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "staff_%lld", (long long)v[i].id);
        struct ui_widget *b = ui_button(grid, id, v[i].name, on_pick, a);
        ui_set_user(b, (void *)(intptr_t)v[i].id);
    }
    free(v);
    P.steps[1] = ui_box(content, "step_pin", UI_COL);
    ui_set_weight(P.steps[1], 1);
    P.who = ui_label(P.steps[1], "who", "", UI_FONT_TITLE);
    ui_label(P.steps[1], NULL, tr("staff.pin"), UI_FONT_BODY);
    P.pin = ui_field(P.steps[1], "pin", "", STAFF_PIN_MAX);
    ui_field_set_secret(P.pin, 1);
    ui_field_set_keyboard(P.pin, "numeric");
    ui_field_on_submit(P.pin, on_pin, a);
    ui_spacer(P.steps[1], 1);
    struct kb *kb = kb_new(P.steps[1], "kb", "numeric");
    kb_set_label(kb, "enter", "OK");
    app_wizard_show(a, P.steps, 2, 0, NULL);
    return s;
}
