/* test_font_threads.c - the print worker renders raster receipts while the UI
 * thread opens and closes its fonts, as the kiosk does at every start with
 * the virtual printer. The UI side is SDL_ttf used the way app/ui/ui_draw.c
 * uses it (TTF_Init, TTF_OpenFontIndex per pixel size on demand, measure,
 * TTF_CloseFont when its cache evicts); the printer side is the real
 * escpos_font + receipt_render, opened and closed again and again. FreeType
 * allows two threads only on two libraries: faces opened in one shared
 * library corrupt its list of faces now and then (a leak or a use after free
 * under ASan, a crash). A race shows rarely, so the test also sees which
 * library every face is opened in: it stands in for FreeType's FT_Open_Face
 * and FT_New_Face (this program's definitions come first for SDL_ttf too)
 * and fails if any library gets faces from both threads. Every receipt must
 * still match its golden bytes. Also run under the ASan build. */
#include <SDL_ttf.h>
#include <dlfcn.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "escpos.h"
#include "receipt.h"
#include "receipt_fixtures.h"

#define ROUNDS 40 /* printer: open the font, render every raster receipt, close */

static char ui_path[1024];
static int ui_index;
static atomic_int stop, ui_opens, ui_failures;

/* ---- which FreeType library each thread opens faces in ---------------- */

static _Thread_local int on_ui_thread;
static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    FT_Library lib;
    int ui, printer;           /* faces opened in it by each side */
} libs[64];
static int nlibs, libs_full;

static void note(FT_Library lib)
{
    pthread_mutex_lock(&libs_lock);
    int i = 0;
    while (i < nlibs && libs[i].lib != lib)
        i++;
    if (i == nlibs) {
        if (nlibs == 64) {
            libs_full = 1;
            pthread_mutex_unlock(&libs_lock);
            return;
        }
        libs[nlibs++].lib = lib;
    }
    if (on_ui_thread)
        libs[i].ui++;
    else
        libs[i].printer++;
    pthread_mutex_unlock(&libs_lock);
}

/* A printer library is freed each round and the next may get its address:
 * forget it when the printer has closed its font (not the UI's, alive). */
static void forget_printer_libs(void)
{
    pthread_mutex_lock(&libs_lock);
    for (int i = 0; i < nlibs; i++)
        if (!libs[i].ui)
            libs[i--] = libs[--nlibs];
    pthread_mutex_unlock(&libs_lock);
}

FT_Error FT_Open_Face(FT_Library lib, const FT_Open_Args *args, FT_Long index, FT_Face *face)
{
    static FT_Error (*real)(FT_Library, const FT_Open_Args *, FT_Long, FT_Face *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "FT_Open_Face");
    note(lib);
    return real(lib, args, index, face);
}

FT_Error FT_New_Face(FT_Library lib, const char *path, FT_Long index, FT_Face *face)
{
    static FT_Error (*real)(FT_Library, const char *, FT_Long, FT_Face *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "FT_New_Face");
    note(lib);
    return real(lib, path, index, face);
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    *out = NULL;
    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(*out = malloc((size_t)n + 1))) {
        fclose(f);
        return -1;
    }
    *len = fread(*out, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

/* The UI's font, as app/ui/ui_font.c finds it (Noto Sans CJK SC). */
static int locate(void)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)"Noto Sans CJK SC:style=Regular"), *m = NULL;
    FcChar8 *file = NULL;
    FcResult res;
    int rc = -1;
    if (!pat)
        return -1;
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    m = FcFontMatch(NULL, pat, &res);
    if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch) {
        if (FcPatternGetInteger(m, FC_INDEX, 0, &ui_index) != FcResultMatch)
            ui_index = 0;
        snprintf(ui_path, sizeof ui_path, "%s", (const char *)file);
        rc = 0;
    }
    if (m)
        FcPatternDestroy(m);
    FcPatternDestroy(pat);
    return rc;
}

/* The UI thread: fonts opened lazily at many sizes, measured, closed. */
static void *ui_thread(void *arg)
{
    (void)arg;
    on_ui_thread = 1;
    if (TTF_Init() < 0) {
        ui_failures++;
        return NULL;
    }
    for (int i = 0; !atomic_load(&stop); i++) {
        TTF_Font *f = TTF_OpenFontIndex(ui_path, 12 + i % 40, ui_index);
        int w = 0, h = 0;
        if (!f || TTF_SizeUTF8(f, "请 A023 号到 3 号窗口", &w, &h) < 0 || w <= 0) {
            ui_failures++;
        }
        if (f)
            TTF_CloseFont(f);
        ui_opens++;
    }
    TTF_Quit();
    return NULL;
}

int main(int argc, char **argv)
{
    static const char *const profiles[] = {"58mm-raster", "80mm-raster"};
    static const void *const fields[] = {&fixture_ticket, &fixture_visitor, &fixture_complaint};
    const char *golden = argc > 1 ? argv[1] : "golden";
    uint8_t *gold[3][2][2] = {{{0}}};
    size_t glen[3][2][2];
    char err[256], path[1200];
    pthread_t ui;
    int mismatches = 0, renders = 0, opens_before, shared = 0, printer_faces = 0;

    setenv("TZ", FIXTURE_TZ, 1);
    CHECK_MSG(locate() == 0, "fontconfig found no Noto Sans CJK SC");
    for (int k = 0; k < 3; k++)
        for (int p = 0; p < 2; p++)
            for (int l = 0; l < 2; l++) {
                snprintf(path, sizeof path, "%s/%s_%s_%s.bin", golden,
                         receipt_kind_name((enum receipt_kind)k), profiles[p], l ? "en" : "zh");
                CHECK_MSG(read_file(path, &gold[k][p][l], &glen[k][p][l]) == 0, "no %s", path);
            }
    if (check_failed_)
        return check_summary();
    CHECK(pthread_create(&ui, NULL, ui_thread, NULL) == 0);
    while (atomic_load(&ui_opens) == 0 && atomic_load(&ui_failures) == 0)
        sched_yield(); /* the UI is opening fonts before the first receipt */
    opens_before = atomic_load(&ui_opens);
    for (int r = 0; r < ROUNDS; r++) {
        struct escpos_font *font = NULL;
        if (escpos_font_open(NULL, 0, &font, err, sizeof err) != 0) {
            CHECK_MSG(0, "escpos_font_open: %s", err);
            break;
        }
        /* a new font each round: its cache is cold, every glyph is rendered */
        int k = r % 3, p = (r / 3) % 2, l = (r / 6) % 2;
        uint8_t *bytes = NULL;
        size_t len = 0;
        int rc = receipt_render((enum receipt_kind)k, fields[k], (enum receipt_lang)l,
                                escpos_profile_find(profiles[p]), font, &bytes, &len);
        renders++;
        if (rc != 0 || len != glen[k][p][l] || memcmp(bytes, gold[k][p][l], len) != 0) {
            mismatches++;
            fprintf(stderr, "round %d: %s %s %s differs from its golden bytes (rc %d)\n", r,
                    receipt_kind_name((enum receipt_kind)k), profiles[p], l ? "en" : "zh", rc);
        }
        free(bytes);
        /* Every face so far: no library with faces of both threads. */
        pthread_mutex_lock(&libs_lock);
        for (int i = 0; i < nlibs; i++)
            if (libs[i].ui && libs[i].printer)
                shared++;
        for (int i = 0; i < nlibs; i++)
            printer_faces += libs[i].printer;
        pthread_mutex_unlock(&libs_lock);
        escpos_font_close(font);
        forget_printer_libs();
        /* no round without a UI font opened beside it (a hand-off, not a time) */
        int seen = atomic_load(&ui_opens);
        while (atomic_load(&ui_opens) == seen && !atomic_load(&ui_failures))
            sched_yield();
    }
    int opens_during = atomic_load(&ui_opens) - opens_before;
    atomic_store(&stop, 1);
    pthread_join(ui, NULL);
    printf("%d receipts rendered while the UI opened and closed fonts %d times\n", renders,
           opens_during);
    CHECK_INT(mismatches, 0);
    CHECK_MSG(printer_faces >= ROUNDS && !libs_full, "the printer's faces were not seen (%d)",
              printer_faces);
    CHECK_MSG(shared == 0, "%d times the printer's font was in the UI's FreeType library", shared);
    CHECK_INT(atomic_load(&ui_failures), 0);
    CHECK_MSG(opens_during >= ROUNDS, "the UI opened fonts only %d times beside the printer",
              opens_during);
    for (int k = 0; k < 3; k++)
        for (int p = 0; p < 2; p++)
            for (int l = 0; l < 2; l++)
                free(gold[k][p][l]);
    return check_summary();
}
