/* fderr.h - the error report every core function fills on failure.
 * Core functions return 0 on success or a negative FD_E* code, and write a
 * human-readable message (and, for bad input, the field name) into the
 * caller's `struct fd_err` when one is given. Nothing is written to the
 * database when a function fails. */
#ifndef FD_ERR_H
#define FD_ERR_H
#include <stddef.h>

enum {
    FD_OK = 0,
    FD_EINVAL = -1,    /* bad input: see err.field and err.msg */
    FD_ENOTFOUND = -2, /* no such service, ticket, complaint, ... */
    FD_ESTATE = -3,    /* not allowed in the record's current state */
    FD_EFULL = -4,     /* a cap was reached (daily cap, sequence space) */
    FD_ECLOSED = -5,   /* the service is closed or inactive now */
    FD_EEMPTY = -6,    /* nothing waiting for this counter */
    FD_EDB = -7,       /* SQLite failed: message holds its text */
    FD_ENEWER = -8,    /* database written by a newer frontdesk */
    FD_ECORRUPT = -9,  /* database failed its integrity check */
    FD_EEXIST = -10,   /* already exists (duplicate code, rating, ...) */
};

struct fd_err {
    int code;       /* the FD_E* code returned */
    char field[32]; /* the input field at fault, "" if none */
    char msg[256];  /* one sentence for a person, no trailing newline */
    int limit;      /* a text too long: the most characters field holds; else 0 */
};

/* Fills `e` (if not NULL) and returns `code`, so that callers can write
 * `return fd_fail(e, FD_EINVAL, "name", "Name is too long");`. */
int fd_fail(struct fd_err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A short stable name for a code ("invalid", "not_found", ...), for JSON. */
const char *fd_err_name(int code);

#endif
