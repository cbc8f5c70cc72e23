/* fdtext.c - the text policy (fdtext.h). libunistring decodes strictly and
 * knows each code point's general category for its Unicode version, so the
 * policy is a few lines of categories rather than hand-kept ranges that
 * drift apart (core, the toolkit and the printer used to hold three). It
 * lives in lib/ because drivers and the toolkit must not depend on core. */
#include "fdtext.h"

#include <unictype.h>
#include <unistr.h>

enum fdtext_class fdtext_class(uint32_t cp)
{
    if (cp == '\n')
        return FDTEXT_NEWLINE;
    if (cp > 0x10FFFF)
        return FDTEXT_REFUSED;
    /* C = Cc Cf Cs Co Cn. */
    if (uc_is_general_category(cp, UC_CATEGORY_C) ||
        uc_is_general_category(cp, UC_CATEGORY_Zl) ||
        uc_is_general_category(cp, UC_CATEGORY_Zp))
        return FDTEXT_REFUSED;
    if (uc_is_property_variation_selector(cp))
        return FDTEXT_SELECTOR;
    return FDTEXT_OK;
}

int fdtext_decode(const char *s, size_t len, uint32_t *cp)
{
    ucs4_t uc;
    int n;
    if (len == 0)
        return -1;
    n = u8_mbtoucr(&uc, (const uint8_t *)s, len);
    if (n <= 0)
        return -1;
    *cp = uc;
    return n;
}

int fdtext_check(const char *s, size_t len, int flags, size_t *bad_at, uint32_t *bad_cp)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        int n = fdtext_decode(s + i, len - i, &cp);
        enum fdtext_class c = n > 0 ? fdtext_class(cp) : FDTEXT_REFUSED;
        if (n <= 0 || c == FDTEXT_REFUSED ||
            (c == FDTEXT_NEWLINE && !(flags & FDTEXT_MULTILINE))) {
            if (bad_at)
                *bad_at = i;
            if (bad_cp)
                *bad_cp = n > 0 ? cp : FDTEXT_INVALID;
            return -1;
        }
        i += (size_t)n;
    }
    return 0;
}
