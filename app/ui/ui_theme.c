/* ui_theme.c - colours as data. A theme file (data/ui/theme_*.txt, compiled
 * in with fd_embed, or any file path) holds "name = #RRGGBB" lines; names not
 * given keep the built-in high-contrast defaults below, unknown names are an
 * error so a typo cannot pass unnoticed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "ui_int.h"

extern const struct fd_embedded_file ui_data_files[];
extern const int ui_data_files_count;

static const char *const names[UC_COUNT] = {
    [UC_BG] = "bg", [UC_FG] = "fg", [UC_MUTED] = "muted",
    [UC_PANEL] = "panel", [UC_BORDER] = "border", [UC_BUTTON] = "button",
    [UC_BUTTON_FG] = "button_fg", [UC_PRIMARY] = "primary",
    [UC_PRIMARY_FG] = "primary_fg", [UC_DANGER] = "danger",
    [UC_DANGER_FG] = "danger_fg", [UC_SELECTED] = "selected",
    [UC_SELECTED_FG] = "selected_fg", [UC_PRESSED] = "pressed",
    [UC_FOCUS] = "focus", [UC_ERROR] = "error", [UC_FIELD] = "field",
    [UC_FIELD_FG] = "field_fg", [UC_KB_BG] = "kb_bg", [UC_KEY] = "key",
    [UC_KEY_FG] = "key_fg", [UC_KEY_SPECIAL] = "key_special",
    [UC_FACE_1] = "face_excellent", [UC_FACE_2] = "face_good",
    [UC_FACE_3] = "face_fair", [UC_FACE_4] = "face_poor",
    [UC_FACE_FG] = "face_fg", [UC_DISABLED] = "disabled",
};

/* Looks a data/ui file up by base name; NULL if absent. */
const char *ui_data_file(const char *name, size_t *size)
{
    for (int i = 0; i < ui_data_files_count; i++)
        if (strcmp(ui_data_files[i].name, name) == 0) {
            if (size)
                *size = ui_data_files[i].size;
            return ui_data_files[i].data;
        }
    return NULL;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(65537);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int ui_theme_load(const char *name, struct ui_theme *t, char *err,
                  size_t errsz)
{
    char fname[96];
    char *owned = NULL;
    const char *text;
    snprintf(fname, sizeof fname, "theme_%s.txt", name);
    text = ui_data_file(fname, NULL);
    if (!text && strchr(name, '/'))
        text = owned = read_file(name);
    if (!text) {
        snprintf(err, errsz, "theme \"%s\" not found", name);
        return -1;
    }
    struct ui_theme nt;
    for (int i = 0; i < UC_COUNT; i++) /* black on white until told */
        nt.c[i] = (i == UC_BG || i == UC_FIELD || i == UC_PANEL)
                      ? (SDL_Color){255, 255, 255, 255}
                      : (SDL_Color){0, 0, 0, 255};
    int rc = 0, lineno = 0;
    const char *p = text;
    while (*p && rc == 0) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char line[160];
        lineno++;
        snprintf(line, sizeof line, "%.*s", (int)(n < 159 ? n : 159), p);
        p += n + (eol ? 1 : 0);
        char *hash = strchr(line, '#');
        char key[40];
        unsigned rgb;
        if (line[0] == '#' || strspn(line, " \t\r") == strlen(line))
            continue;
        if (!hash || sscanf(line, " %39[a-z_0-9] =", key) != 1 ||
            sscanf(hash + 1, "%6x", &rgb) != 1) {
            snprintf(err, errsz, "theme %s line %d: want \"name = #RRGGBB\"",
                     name, lineno);
            rc = -1;
            break;
        }
        int k;
        for (k = 0; k < UC_COUNT; k++)
            if (names[k] && strcmp(names[k], key) == 0)
                break;
        if (k == UC_COUNT) {
            snprintf(err, errsz, "theme %s line %d: unknown colour \"%s\"",
                     name, lineno, key);
            rc = -1;
            break;
        }
        nt.c[k] = (SDL_Color){(uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8),
                              (uint8_t)rgb, 255};
    }
    free(owned);
    if (rc == 0)
        *t = nt;
    return rc;
}
