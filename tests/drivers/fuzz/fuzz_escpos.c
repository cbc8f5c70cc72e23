/* fuzz_escpos.c - libFuzzer target for the ESC/POS builder: any text, in any
 * profile and size, must yield only builder commands and harmless text
 * (escpos_oracle), and the virtual printer must digest the result.
 * Input: byte 0 = profile, byte 1 = size, the rest = text (to the first NUL). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"
#include "escpos_oracle.h"
#include "vprn.h"

static struct escpos_font *font;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    char err[128], *text;
    int n = 0;

    if (!init) {
        init = 1;
        if (escpos_font_open(NULL, 0, &font, err, sizeof err) != 0)
            font = NULL;
    }
    if (size < 2)
        return 0;
    while (escpos_profile_at(n))
        n++;
    const struct escpos_profile *prof = escpos_profile_at(data[0] % n);
    if (!font && (!prof->cjk_font || !prof->qr))
        prof = escpos_profile_find("58mm");
    text = malloc(size - 1);
    memcpy(text, data + 2, size - 2);
    text[size - 2] = 0;
    struct escpos *e = escpos_new(prof, 64 * 1024, font);
    escpos_init(e);
    escpos_align(e, (enum escpos_align)(data[1] % 3));
    escpos_size(e, 1 + (data[1] >> 2) % 4, 1 + (data[1] >> 4) % 4);
    escpos_bold(e, data[1] >> 7);
    escpos_text(e, text);
    escpos_pair(e, text, text + strlen(text) / 2);
    if (*text && strlen(text) <= 300)
        escpos_qr(e, text, 1 + data[1] % 8);
    escpos_cut(e);
    size_t len;
    const uint8_t *b = escpos_bytes(e, &len);
    if (escpos_error(e) == 0 && escpos_oracle(b, len) >= 0)
        abort(); /* visitor text produced something that is not ours */
    struct vprn *v = vprn_new(prof->dots, font);
    vprn_feed(v, b, len);
    vprn_free(v);
    escpos_free(e);
    free(text);
    return 0;
}
