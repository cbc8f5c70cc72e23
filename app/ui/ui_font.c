/* ui_font.c - finds the CJK font through fontconfig. The kiosk needs Noto
 * Sans CJK SC (face 2 of the .ttc: face 0 is the Japanese design and draws
 * some Chinese characters in Japanese forms); fontconfig knows which file and
 * face that is. A match that is not the family asked for (fontconfig always
 * returns *something*) is an error, so a missing package is reported clearly. */
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

int ui_font_locate(const char *family, int bold, char *path, size_t pathsz,
                   int *index, char *err, size_t errsz)
{
    int rc = -1;
    FcPattern *pat = NULL, *match = NULL;
    FcResult res;
    FcChar8 *file = NULL, *fam = NULL;
    if (!FcInit()) {
        snprintf(err, errsz, "fontconfig: cannot initialise");
        return -1;
    }
    pat = FcPatternCreate();
    if (!pat)
        goto out;
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    match = FcFontMatch(NULL, pat, &res);
    if (!match || FcPatternGetString(match, FC_FAMILY, 0, &fam) != FcResultMatch ||
        strcmp((const char *)fam, family) != 0 ||
        FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch) {
        snprintf(err, errsz,
                 "font \"%s\" not found (install fonts-noto-cjk, or set a "
                 "font path in the configuration)", family);
        goto out;
    }
    if (FcPatternGetInteger(match, FC_INDEX, 0, index) != FcResultMatch)
        *index = 0;
    if (snprintf(path, pathsz, "%s", (const char *)file) >= (int)pathsz) {
        snprintf(err, errsz, "font path too long");
        goto out;
    }
    rc = 0;
out:
    if (match)
        FcPatternDestroy(match);
    if (pat)
        FcPatternDestroy(pat);
    return rc;
}
