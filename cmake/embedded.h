/* embedded.h - files compiled into a binary at build time (cmake/embed.cmake).
 * Each entry is a file's base name and its bytes, NUL-terminated so text can
 * be used as a C string; `size` excludes that NUL. The table ends with a
 * zeroed entry. */
#ifndef FD_EMBEDDED_H
#define FD_EMBEDDED_H
#include <stddef.h>

struct fd_embedded_file {
    const char *name; /* base name, e.g. "0001_init.sql" */
    const char *data; /* contents, NUL-terminated */
    size_t size;      /* bytes, without the terminating NUL */
};

#endif
