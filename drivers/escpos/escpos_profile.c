/* escpos_profile.c - the printer models the encoder knows, as one table.
 * Paper: 58 mm = 384 dots = 32 columns of font A (12x24), 80 mm = 576 dots =
 * 48 columns. A "-raster" profile is a printer without a Chinese font (its
 * text is sent as an image); "-noqr" lacks GS ( k. raster_rows keeps each
 * GS v 0 block well under the 4 KiB input buffer of cheap printers. */
#include "escpos.h"

#include <string.h>

static const struct escpos_profile profiles[] = {
    /* name           mm  cols dots cjk cut qr rows big */
    {"58mm",          58, 32, 384, 1,  1,  1,  64, 4},
    {"80mm",          80, 48, 576, 1,  1,  1,  48, 4},
    {"58mm-raster",   58, 32, 384, 0,  1,  1,  64, 4},
    {"80mm-raster",   80, 48, 576, 0,  1,  1,  48, 4},
    {"58mm-noqr",     58, 32, 384, 1,  0,  0,  64, 4},
};

const struct escpos_profile *escpos_profile_at(int i)
{
    if (i < 0 || i >= (int)(sizeof profiles / sizeof profiles[0]))
        return NULL;
    return &profiles[i];
}

const struct escpos_profile *escpos_profile_find(const char *name)
{
    for (int i = 0; name && escpos_profile_at(i); i++)
        if (strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}
