/* ctl.h - what frontdesk-ctl's command modules share: the parsed command
 * line, the open store, and output in text or JSON (one object per command
 * on stdout; errors on stderr and a non-zero exit). */
#ifndef FD_CTL_H
#define FD_CTL_H
#include <cjson/cJSON.h>
#include <stdint.h>

#include "fderr.h"
#include "store.h"

enum { CTL_OK = 0, CTL_EFAIL = 1, CTL_EUSAGE = 2, CTL_EDB = 3 };

#define CTL_MAX_ARGS 16

struct ctl {
    const char *words;        /* the command's words, "printer status" */
    const char *db_path;      /* --db */
    int json;                 /* --json */
    const char *actor;        /* --actor, who is recorded as doing it */
    int64_t now;              /* the time of this command */
    struct fd_store *st;      /* open store (NULL for commands that open none) */
    int npos;                 /* positional arguments after the command words */
    const char *pos[CTL_MAX_ARGS];
    int nopt;                 /* --name value options */
    const char *opt_name[CTL_MAX_ARGS];
    const char *opt_val[CTL_MAX_ARGS]; /* "" for a flag */
};

/* The value of option --name, or NULL when absent. */
const char *ctl_opt(const struct ctl *c, const char *name);

/* Reports a core failure on stderr (JSON in --json mode); returns the exit
 * status for it. */
int ctl_fail(const struct ctl *c, int code, const struct fd_err *err);

/* Reports a usage error; returns CTL_EUSAGE. */
int ctl_usage(const struct ctl *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints `obj` as one line of JSON on stdout and frees it. */
void ctl_print_json(cJSON *obj);

#endif
