/* fuzz_vprn.c - libFuzzer target for the virtual printer's interpreter:
 * any byte string is interpreted without reading past its end, without
 * leaks, and within the paper cap. Byte 0 picks the paper width. */
#include <stdint.h>
#include <string.h>

#include "vprn.h"

static struct escpos_font *font;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    char err[128];

    if (!init) {
        init = 1;
        if (escpos_font_open(NULL, 0, &font, err, sizeof err) != 0)
            font = NULL;
    }
    if (size < 1)
        return 0;
    struct vprn *v = vprn_new(data[0] & 1 ? 576 : 384, font);
    vprn_feed(v, data + 1, size - 1);
    (void)strlen(vprn_text(v));
    vprn_free(v);
    return 0;
}
