/* fderr.c - filling `struct fd_err` (see fderr.h). */
#include "fderr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fd_fail(struct fd_err *e, int code, const char *field, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->code = code;
        e->limit = 0;
        snprintf(e->field, sizeof e->field, "%s", field ? field : "");
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *fd_err_name(int code)
{
    switch (code) {
    case FD_OK: return "ok";
    case FD_EINVAL: return "invalid";
    case FD_ENOTFOUND: return "not_found";
    case FD_ESTATE: return "wrong_state";
    case FD_EFULL: return "full";
    case FD_ECLOSED: return "closed";
    case FD_EEMPTY: return "empty";
    case FD_EDB: return "database";
    case FD_ENEWER: return "newer_database";
    case FD_ECORRUPT: return "corrupt_database";
    case FD_EEXIST: return "exists";
    }
    return "error";
}
