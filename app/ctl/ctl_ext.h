/* ctl_ext.h - commands of frontdesk-ctl that live in other parts of the tree
 * (printing, sync). Each part's file is compiled in when it exists, and
 * CMake defines FD_CTL_PRINT / FD_CTL_SYNC; its rows join the table. */
#ifndef FD_CTL_EXT_H
#define FD_CTL_EXT_H

#define CTL_EXT_COMMANDS
#endif
