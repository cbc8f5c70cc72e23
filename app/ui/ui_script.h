/* ui_script.h - scripted input for tests, screenshots and benchmarks. A
 * script replays taps, keys and waits on a fake clock (time moves only with
 * `wait`, so timeouts and long presses are deterministic) and saves
 * screenshots. Input goes through SDL's event queue as SDL_FINGER* / text /
 * key events, the same path a real touchscreen takes. One command a line:
 *   size WxH               resize the window (output) and relayout
 *   tap X Y                finger tap; X Y in pixels, or fractions if both
 *                          contain a '.' (0.5 0.5 is the centre)
 *   click X Y              the same with the mouse
 *   tap_id ID[/PART]       tap the centre of widget ID (PART: a keyboard
 *                          key id, or a list row number)
 *   Every touch first waits (fake clock) until new content has settled
 *   (ui_settle), as a visitor looks before touching; these do not:
 *   tap_now X Y · tap_id_now ID[/PART]   touch at once (a double tap)
 *   expect_ignored N       fail unless N touches were swallowed so far
 *   press X Y MS | press_id ID MS      hold for MS (long press)
 *   drag X1 Y1 X2 Y2       finger drag in 10 steps
 *   type TEXT              text input (as from a hardware keyboard)
 *   key NAME               a key by SDL name: Backspace, Return, Escape...
 *   kb KEYID               tap an on-screen keyboard key (see kb_press)
 *   kbtype TEXT            tap the on-screen keys for TEXT (shift for capitals)
 *   wait MS                advance the fake clock, firing timers on the way
 *   shot FILE.png          screenshot (relative to the output directory)
 *   expect ID TEXT         fail unless widget ID shows / holds TEXT
 *   expect_checked ID 0|1  fail unless the checkbox is in that state
 *   expect_screen NAME     fail unless the current screen is NAME
 *   check_targets          fail unless every touchable widget shown is >= 15 mm
 *                          both ways and inside the screen, no two widgets
 *                          shown overlap and no text is squeezed off its line
 *   dump                   the layout of the widgets shown, on stderr
 *   check_uncut [ID...]    fail if text is cut with "…" anywhere (only in the
 *                          widgets with these ids when given, e.g. title kb)
 *   expect_error ID [TEXT] fail unless field ID shows that message (none)
 *   expect_visible ID 0|1  fail unless widget ID (and every box above it) is
 *                          shown (1) or hidden (0)
 *   check_elder            fail unless the screen meets elder mode's rules
 *                          (ui_elder.c: text, line height, targets, contrast
 *                          from the theme and the pixels, error signs)
 *   elder 0|1 (or large 0|1) · theme NAME · wipe · echo TEXT · # comment
 * Other commands go to the handler set with ui_script_set_handler (the
 * kiosk adds e.g. `lang zh`). */
#ifndef UI_SCRIPT_H
#define UI_SCRIPT_H
#include <stddef.h>

/* Handles a command the toolkit does not know: returns 0 when done, -1 with
 * err set on failure, 1 when the command is unknown too. */
typedef int (*ui_script_cmd_fn)(void *ud, const char *cmd, const char *args,
                                char *err, size_t errsz);
void ui_script_set_handler(ui_script_cmd_fn fn, void *ud);

/* Runs the script file at path; screenshots go under outdir. Installs the
 * fake clock for the run (starting at the current time) and restores the
 * real one after. Returns 0, or -1 with "FILE:LINE: message" in err. */
int ui_script_run(const char *path, const char *outdir, char *err,
                  size_t errsz);

/* The same for a script held in memory (name is used in messages). */
int ui_script_run_text(const char *name, const char *text, const char *outdir,
                       char *err, size_t errsz);

/* Handles every queued event and redraws until nothing is left to do
 * (bounded), without waiting. For tests that push their own events. */
void ui_script_settle(void);

/* The fake clock's controls while a script runs (and for tests that install
 * it themselves with ui_script_fake_clock(1)). */
void ui_script_fake_clock(int on);
void ui_script_advance(unsigned ms);

#endif
