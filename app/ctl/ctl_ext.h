/* ctl_ext.h - commands of frontdesk-ctl that live in other parts of the tree
 * (printing: ctl_print.c, sync: ctl_sync.c). CMake compiles a part's file in
 * when the part is built and defines FD_CTL_PRINT / FD_CTL_SYNC; its rows
 * then join ctl.c's command table. */
#ifndef FD_CTL_EXT_H
#define FD_CTL_EXT_H

#ifdef FD_CTL_DELEGATE
/* The lean frontdesk-ctl (issue 18): the everyday commands without libcurl,
 * USB, fonts and their ~30 libraries, whose loading was most of a command's
 * time. The print and sync commands are in its table (usage, matching) but
 * main hands them, argv unchanged, to frontdesk-ctl-full. */
int ctl_delegate(struct ctl *c);
#define ctl_sync_enroll ctl_delegate
#define ctl_sync_now ctl_delegate
#define ctl_sync_status ctl_delegate
#define ctl_run_print ctl_delegate
#endif

#if defined(FD_CTL_SYNC) || defined(FD_CTL_DELEGATE)
#include "ctl_sync.h"
#else
#define CTL_SYNC_COMMANDS
#endif

#if defined(FD_CTL_PRINT) || defined(FD_CTL_DELEGATE)
#ifdef FD_CTL_PRINT
#include "ctl_print.h"
#endif
/* Hands a print/printer command to ctl_print_main with its own argv. */
int ctl_run_print(struct ctl *c);
#define PRINT_OPTS "printer lang profile queue!"
#define CTL_PRINT_COMMANDS                                                     \
    {"print", "ticket|visitor|complaint ID", 2, 2, PRINT_OPTS, ctl_run_print, \
     0, "print a receipt (--printer URI, --lang, --profile, --queue)"},         \
    {"printer status", "", 0, 0, "printer", ctl_run_print, 1,                  \
     "is the printer ready (--printer URI)"},                                  \
    {"printer jobs", "", 0, 0, "", ctl_run_print, 0, "the last print jobs"},   \
    {"printer cancel", "JOB", 1, 1, "", ctl_run_print, 0, "cancel a print job"},\
    {"printer reprint", "JOB", 1, 1, "", ctl_run_print, 0, "print a job again"},
#else
#define CTL_PRINT_COMMANDS
#endif

#define CTL_EXT_COMMANDS CTL_SYNC_COMMANDS CTL_PRINT_COMMANDS
#endif
