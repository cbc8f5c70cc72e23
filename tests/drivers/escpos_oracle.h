/* escpos_oracle.h - checks that a byte stream holds only the commands the
 * ESC/POS builder is allowed to emit, and text that cannot be read as a
 * command: printable ASCII, and two-byte GBK pairs only inside Chinese mode
 * (FS & ... FS .). Used by test_escpos and the encoder's fuzz target: any
 * visitor text must never switch the printer into another command.
 * Returns -1 when the stream is clean, else the offset of the first bad byte. */
#ifndef FD_ESCPOS_ORACLE_H
#define FD_ESCPOS_ORACLE_H
#include <stddef.h>
#include <stdint.h>

static inline long escpos_oracle(const uint8_t *b, size_t n)
{
    size_t i = 0;
    int cjk = 0;

    while (i < n) {
        uint8_t c = b[i];
        size_t left = n - i;
        if (c == 0x0A) { i++; continue; }
        if (c == 0x1B && left >= 2 && b[i + 1] == '@') { i += 2; continue; }
        if (c == 0x1B && left >= 3 && b[i + 1] == 'a' && b[i + 2] <= 2) { i += 3; continue; }
        if (c == 0x1B && left >= 3 && b[i + 1] == 'E' && b[i + 2] <= 1) { i += 3; continue; }
        if (c == 0x1B && left >= 3 && b[i + 1] == 'd') { i += 3; continue; }
        if (c == 0x1D && left >= 3 && b[i + 1] == '!' && (b[i + 2] & 0x88) == 0) { i += 3; continue; }
        if (c == 0x1D && left >= 3 && (b[i + 1] == 'h' || b[i + 1] == 'w' || b[i + 1] == 'H')) { i += 3; continue; }
        if (c == 0x1D && left >= 4 && b[i + 1] == 'V' && b[i + 2] == 66 && b[i + 3] == 0) { i += 4; continue; }
        if (c == 0x1C && left >= 2 && b[i + 1] == '&' && !cjk) { cjk = 1; i += 2; continue; }
        if (c == 0x1C && left >= 2 && b[i + 1] == '.' && cjk) { cjk = 0; i += 2; continue; }
        if (c == 0x1D && left >= 5 && b[i + 1] == '(' && b[i + 2] == 'k') {
            size_t k = b[i + 3] | (size_t)b[i + 4] << 8;
            if (k < 3 || left < 5 + k || b[i + 5] != 49)
                return (long)i;
            i += 5 + k;
            continue;
        }
        if (c == 0x1D && left >= 4 && b[i + 1] == 'k' && b[i + 2] == 73) {
            size_t k = b[i + 3];
            if (left < 4 + k)
                return (long)i;
            for (size_t j = 0; j < k; j++)
                if (b[i + 4 + j] < 0x20 || b[i + 4 + j] > 0x7E)
                    return (long)(i + 4 + j);
            i += 4 + k;
            continue;
        }
        if (c == 0x1D && left >= 8 && b[i + 1] == 'v' && b[i + 2] == '0' && b[i + 3] == 0) {
            size_t xb = b[i + 4] | (size_t)b[i + 5] << 8, rows = b[i + 6] | (size_t)b[i + 7] << 8;
            if (left < 8 + xb * rows)
                return (long)i;
            i += 8 + xb * rows;
            continue;
        }
        if (c >= 0x20 && c < 0x7F) { i++; continue; }
        if (cjk && c >= 0x81 && c <= 0xFE && left >= 2 && b[i + 1] >= 0x40 && b[i + 1] <= 0xFE &&
            b[i + 1] != 0x7F) { i += 2; continue; }
        return (long)i;
    }
    return cjk ? (long)n : -1; /* Chinese mode must be closed */
}

#endif
