/* scr_console.h - private to the staff console (scr_console*.c): one screen
 * with a row of page tabs; each page is built by one function into the
 * content box. Every action goes through core, is audited with the
 * signed-in staff's name, leaves its outcome in a->flow.msg and rebuilds
 * the screen so that what is shown is what the store holds now. */
#ifndef FD_SCR_CONSOLE_H
#define FD_SCR_CONSOLE_H
#include <stdint.h>

#include "app.h"

enum con_page {
    CON_COUNTER, CON_QUEUE, CON_VISITORS, CON_COMPLAINTS, CON_HEALTH, CON_HANDOVER,
    CON_DAY, CON_EXIT, CON_PAGES
};

/* Page builders (into `box`, a column taking the free space). */
void con_page_counter(struct app *a, struct ui_widget *box);
void con_page_queue(struct app *a, struct ui_widget *box);
void con_page_visitors(struct app *a, struct ui_widget *box);
void con_page_complaints(struct app *a, struct ui_widget *box);
void con_page_health(struct app *a, struct ui_widget *box);
void con_page_handover(struct app *a, struct ui_widget *box);
void con_page_day(struct app *a, struct ui_widget *box);

/* Writes an audit entry for the signed-in staff (failures are logged). */
void con_audit(struct app *a, const char *action, const char *subject, const char *detail);

/* Sets the outcome line (printf with a translated format) and rebuilds. */
void con_done(struct app *a, int bad, const char *key, ...);

/* "12:05" / "1:02:05" for a duration in seconds. */
const char *con_dur(int64_t s, char *buf, size_t len);

/* A row of buttons (grid: n across in landscape, portrait_cols in portrait). */
struct ui_widget *con_buttons(struct ui_widget *box, int n, int portrait_cols);

#endif
