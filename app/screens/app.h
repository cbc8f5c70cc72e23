/* app.h - the kiosk's shared state and navigation. One screen is shown at a
 * time; each is built fresh when entered (so a language switch or an idle
 * reset never leaves stale text behind) and freed, its fields wiped, when
 * left. Visitor screens go home after the idle timeout, with a countdown in
 * the last seconds; going home wipes every field, the input method and the
 * flow's memory. Screens call core, never SQL. */
#ifndef FD_APP_H
#define FD_APP_H
#include <stdint.h>

#include "kb.h"
#include "store.h"
#include "ui.h"

enum scr {
    SCR_HOME, SCR_TICKET, SCR_REGISTER, SCR_COMPLAINT, SCR_STATUS, SCR_RATE,
    SCR_STAFF, SCR_CONSOLE, SCR_LOBBY, SCR_INVITE, SCR_COUNT
};

/* A print job as the staff console lists it. */
struct app_job {
    int64_t id;
    char kind[16];               /* ticket, visitor, complaint, evacuation, ... */
    char state[12];              /* pending printing done failed cancelled */
    int64_t created_at;
    char error[96];              /* last error, "" if none */
};

/* Printing as the screens see it (app/kiosk provides it; NULL = none). */
struct app_printer {
    /* Queue a receipt; returns a job id > 0, or <= 0 when it could not be
     * queued (the screen then says the receipt could not be printed). */
    int64_t (*ticket)(void *ctx, int64_t ticket_id, int zh);
    int64_t (*visitor)(void *ctx, int64_t visitor_id, int zh);
    int64_t (*complaint)(void *ctx, const char *ref, int zh);
    /* State of a job: 0 waiting/printing, 1 printed, -1 failed or the
     * printer is not ready (the job stays queued). */
    int (*job_state)(void *ctx, int64_t job_id);
    /* Staff console (each may be NULL). The printer's state as a sentence;
     * returns 1 when it can print now, 0 otherwise. */
    int (*status)(void *ctx, char *buf, size_t len);
    /* The last `max` jobs, newest first, into out; returns how many. */
    int (*jobs)(void *ctx, struct app_job *out, int max);
    /* Reprint (a new job with the same bytes) or cancel job `id`: 0 or -1. */
    int (*reprint)(void *ctx, int64_t job_id);
    int (*cancel)(void *ctx, int64_t job_id);
    /* Path of the virtual printer's last receipt image, or NULL. */
    const char *(*preview)(void *ctx);
    /* A staff document (evacuation list, day summary): a title, then lines
     * ("left\tright" prints as a pair, "-" as a rule, else as text). Returns
     * a job id > 0, or <= 0 when it could not be queued. */
    int64_t (*document)(void *ctx, const char *kind, const char *title,
                        const char *const *lines, int n);
    void *ctx;
};

/* The input method as the screens see it (NULL ops = none). */
struct app_ime {
    int (*attach)(void *ctx, struct kb *kb); /* plug into a new keyboard */
    void (*forget)(void *ctx);               /* a visitor is done */
    void *ctx;
};

/* Lobby announcements (app/voice through main.c; NULL call = silent). */
struct app_voice {
    int (*call)(void *ctx, const char *label, int counter);
    /* Elder mode's "read aloud": speaks text (lines) in Chinese (zh 1) or
     * English on a worker, never waiting; a new text replaces what is
     * being read. NULL: no reader (the button is not shown). */
    int (*say)(void *ctx, const char *text, int zh);
    void (*hush)(void *ctx);     /* stops reading (the visitor has gone) */
    void *ctx;
};

struct app {
    struct fd_store *st;         /* the store (UI thread's connection) */
    int default_zh;              /* language a visitor sees first */
    int idle_s;                  /* visitor screens go home after this */
    int staff_idle_s;            /* the staff console locks after this */
    int kiosk;                   /* 1: only the console may quit */
    enum scr cur;                /* screen shown */
    struct ui_screen *screen;    /* its widgets, owned */
    int tick;                    /* idle timer id, 0 = none (home is idle) */
    struct ui_widget *countdown; /* overlay label of the current screen */
    struct app_printer printer;  /* receipts */
    struct app_ime ime;          /* pinyin */
    const char *branch;          /* branch name, for the home screen */
    void (*on_show)(struct app *); /* after a screen is shown (tests) */
    struct app_voice voice;      /* lobby: announces calls */
    int64_t lobby_cursor;        /* lobby: last call event announced, -1 unset */
    int lobby_notice_x;          /* lobby: scroll step of the notice line */

    /* The current visitor's flow, wiped by app_home(). */
    struct {
        int step;                /* wizard step of the current screen */
        int64_t id;              /* record made by the flow (ticket, ...) */
        int64_t job;             /* its print job, 0 = none */
        int64_t ticket_id;       /* rate: the ticket; complaint: linked one */
        char ticket_label[8];    /* rate: its number ("A012") */
        int64_t host_id;         /* register: chosen host */
        int faces[3];            /* rate: service, attitude, result (0 = unset) */
        char category[24];       /* complaint category */
        char ref[20];            /* complaint: the reference filed, formatted */
        int64_t staff_id;        /* staff sign-in: who */
        char staff_name[64];     /* signed-in staff */
        int page;                /* console: page shown */
        int counter;             /* console: the counter this staff works at */
        int64_t sel;             /* console: selected row (visitor, job) */
        int transfer;            /* console: choosing a service to transfer to */
        char msg[200];           /* console: outcome of the last action */
        int msg_bad;             /* console: that outcome is an error */
    } flow;
};

/* Shows screen `s`, built fresh. Typed text of fields with the same ids
 * carries over when the screen is rebuilt in place (language switch). */
void app_go(struct app *a, enum scr s);
/* Rebuilds the current screen (language, elder mode). */
void app_rebuild(struct app *a);
/* Wipes everything the visitor typed or was shown, then shows home in the
 * default language. */
void app_home(struct app *a);

/* Builds the common frame on screen s: a top bar with Back (when on_back is
 * given), the title (widget "title"), a step counter (widget "stepno"), the
 * language switch and Home, and returns the content box under it. Wizards
 * put each step's question in the title, so that a step is one bar, one
 * field and the keyboard: that fits a 1024x600 screen. */
struct ui_widget *app_frame(struct app *a, struct ui_screen *s, const char *title_key,
                            ui_cb on_back);

/* Sets the title and the step counter ("2/5"; n = 0 hides it). */
void app_title(struct ui_screen *s, const char *text, int step, int n);

/* Shows step `step` of a wizard: of boxes[0..n-1] only that one is visible;
 * focuses `field` when not NULL. */
void app_wizard_show(struct app *a, struct ui_widget **boxes, int n, int step,
                     struct ui_widget *field);

/* Adds the on-screen keyboard (with the input method when there is one). */
struct kb *app_keyboard(struct app *a, struct ui_widget *parent, const char *layout);

/* Says under field f, when typing reaches max_chars, that it is full
 * ("at most N characters") instead of dropping what is typed silently. */
void app_field_limit(struct ui_widget *f, int max_chars);

/* Puts the translated message err.<field> under field f ("" clears). */
void app_field_error(struct ui_widget *f, const char *field);

/* Honest about paper. A confirmation holds a label "receipt" (the receipt's
 * state) and a label "receipt_note" (hidden unless the receipt did not
 * print: "write down or photograph the number above", large). This shows
 * the state of a->flow.job from the print queue (printing / printed_key /
 * not printed) and keeps polling it while the confirmation is shown: a
 * printer back in time still prints, and the line says so. */
void app_receipt_watch(struct app *a, const char *printed_key);
/* Adds the two labels to box (centred). */
void app_receipt_labels(struct ui_widget *box);

/* The end of a sign-in the deny list holds (app/core/deny.h): a hidden
 * panel in content saying only "please see reception" with a Done button
 * (on_done), the same for a walk-in and an invited guest. Shown in place of
 * the badge step; nothing on it says why. */
struct ui_widget *app_held_panel(struct app *a, struct ui_widget *content, ui_cb on_done);

/* The print worker saw a change: home shows whether the printer is down. */
void app_printer_changed(struct app *a);

/* Elder mode (长辈模式; ui_set_elder for the text, targets and signs): the
 * idle reset waits ELDER_IDLE_FACTOR times idle_timeout_s (3 minutes at the
 * default 60 s) and counts down the last ELDER_COUNTDOWN_S seconds; it ends
 * with the visitor (the idle reset, Home). */
#define ELDER_IDLE_FACTOR 3
#define ELDER_COUNTDOWN_S 20
/* The visitor's idle timeout in seconds now (longer in elder mode). */
int app_idle_s(const struct app *a);
/* Adds the "read aloud / 朗读" button to a bar when elder mode is on and
 * there is a reader: it reads the screen shown (ui_screen_text) aloud. */
void app_read_button(struct app *a, struct ui_widget *bar);

/* Formats a Unix time as local "MM-DD HH:MM" into buf. */
const char *app_time(int64_t t, char *buf, size_t len);

/* Screen builders (one file each). */
struct ui_screen *scr_home(struct app *a);
struct ui_screen *scr_ticket(struct app *a);
struct ui_screen *scr_register(struct app *a);
struct ui_screen *scr_complaint(struct app *a);
struct ui_screen *scr_status(struct app *a);
struct ui_screen *scr_rate(struct app *a);
/* A scan (app.c's scanner watch) of a ticket's QR code (rating_code_make):
 * the rating screen with that ticket picked, or its first step saying why
 * not (on the rating screen also a code of no invitation's length: a
 * ticket's misread). Returns 1 when taken, 0 when not (nothing done). */
int scr_rate_scan(struct app *a, const char *code);
struct ui_screen *scr_staff(struct app *a);
/* Waits (real time, up to timeout_ms) for a staff PIN check running on its
 * thread and acts on its outcome now; for scripts (`wait_login`). Returns 0,
 * or -1 when it is still running. */
int scr_staff_settle(struct app *a, int timeout_ms);
struct ui_screen *scr_console(struct app *a);
struct ui_screen *scr_lobby(struct app *a);

struct ui_screen *scr_invite(struct app *a);
/* A guest's invitation code arrived (typed, or scanned anywhere: see
 * app.c's scanner watch): shows the invitation screen with its outcome. */
void scr_invite_open(struct app *a, const char *code);

/* The lobby checks for new calls (main.c polls PRAGMA data_version and
 * calls this when it changed): announces them and rebuilds the display. */
void scr_lobby_changed(struct app *a);

/* The printer or sync worker saw a change: the console rebuilds when the
 * page shown reflects it (health), keeping what is selected. */
void scr_console_refresh(struct app *a);

/* After a rebuild in place has carried the typed reference over: the
 * status screen shows the result it showed before. */
void scr_status_restore(struct app *a);

/* Called by app_home and on exit: screens that keep static state wipe it. */
void scr_register_wipe(void);
void scr_complaint_wipe(void);
void scr_invite_wipe(void);

#endif
