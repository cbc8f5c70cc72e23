/* test_tr.c - the translations: the table parses, every key has Chinese and
 * English with the same placeholders (tr_init checks), and every key the
 * screens ask for exists (their sources are scanned for tr("..."),
 * tr_fmt(..., "...") and the key tables).
 * usage: test_kiosk_tr APP_SCREENS_DIR */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tr.h"

static int has_key(const char *k)
{
    for (int i = 0; i < tr_count(); i++)
        if (!strcmp(tr_key(i), k))
            return 1;
    return 0;
}

/* Every string literal in `path` that looks like a key ("area.name") and
 * whose area is one of the table's must be a key. */
static void scan(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    CHECK_MSG(f != NULL, "cannot read %s", path);
    while (f && fgets(line, sizeof line, f)) {
        for (char *p = strchr(line, '"'); p; p = strchr(p + 1, '"')) {
            char *q = strchr(p + 1, '"');
            if (!q)
                break;
            char lit[128];
            size_t n = (size_t)(q - p - 1);
            if (n > 0 && n < sizeof lit) {
                memcpy(lit, p + 1, n);
                lit[n] = '\0';
                char *dot = strchr(lit, '.');
                int keyish = dot && dot != lit && dot[1] && !strchr(lit, ' ') &&
                             !strchr(lit, '%') && !strchr(lit, '/');
                static const char *const areas[] = {"app.", "home.", "common.", "idle.",
                                                    "ticket.", "register.", "complaint.",
                                                    "status.", "rate.", "staff.", "lang.",
                                                    NULL};
                int area = 0;
                for (int i = 0; areas[i]; i++)
                    area |= !strncmp(lit, areas[i], strlen(areas[i]));
                size_t ln = strlen(lit);
                int file = ln > 2 && (!strcmp(lit + ln - 2, ".h") || !strcmp(lit + ln - 2, ".c"));
                if (keyish && area && !file && !strstr(lit, ".png"))
                    CHECK_MSG(has_key(lit), "%s uses %s, which has no translation", path, lit);
            }
            p = q;
        }
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    char err[256];
    CHECK_INT(tr_init(err, sizeof err), 0);
    CHECK(tr_count() > 50);
    tr_set_zh(1);
    CHECK_STR(tr("home.ticket"), "取号排队");
    tr_set_zh(0);
    CHECK_STR(tr("home.ticket"), "Take a number");
    char buf[128];
    CHECK_STR(tr_fmt(buf, sizeof buf, "ticket.ahead", 3), "3 people ahead of you");
    CHECK_STR(tr("no.such.key"), "no.such.key");
    /* the categories and states core defines all have names */
    static const char *const must[] = {"cat.service", "cat.attitude", "cat.waiting",
                                       "cat.environment", "cat.fees", "cat.privacy",
                                       "cat.other", "state.received", "state.assessed",
                                       "state.investigating", "state.proposed",
                                       "state.resolved", "state.closed", "err.name",
                                       "err.phone", "err.company", "err.purpose", "err.host",
                                       "err.description", "err.contact_name",
                                       "err.contact_phone", "err.consent"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        CHECK_MSG(has_key(must[i]), "missing %s", must[i]);
    if (argc > 1) {
        DIR *d = opendir(argv[1]);
        struct dirent *e;
        int files = 0;
        while (d && (e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n > 2 && !strcmp(e->d_name + n - 2, ".c")) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
                scan(path);
                files++;
            }
        }
        if (d)
            closedir(d);
        CHECK(files >= 8);
    }
    tr_free();
    return check_summary();
}
