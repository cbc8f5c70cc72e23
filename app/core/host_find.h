/* host_find.h - the host directory searched the way a visitor types a name:
 * by its characters (张), by its department, or by its pinyin on a Latin
 * keyboard ("zhang" and "zhangw" find 张伟, and so do its initials "zw").
 * A separate library (fdcore_find) from fdcore: the pinyin comes from ICU,
 * which only the kiosk's screens need (frontdesk-ctl stays lean). */
#ifndef FD_HOST_FIND_H
#define FD_HOST_FIND_H

#include "fderr.h"
#include "store.h"
#include "visitor.h"

/* Active hosts matching query, in host_search's order: every host when
 * query is NULL or "", else those whose name or department holds query
 * (any case), or - for a query of Latin letters, spaces and apostrophes -
 * whose name's pinyin, from any of its syllables on, starts with the
 * query's letters, or whose syllables' initials do. *out is malloc'd
 * (free it), *n its count; 0 hosts is not an error. Returns 0, FD_EINVAL
 * (a query host_search refuses) or FD_EDB. */
int host_find(struct fd_store *st, const char *query, struct host **out, int *n,
              struct fd_err *err);

/* The pinyin of name, lower case, syllables separated by one space
 * ("张伟" -> "zhang wei"; Latin letters pass through, lower-cased), into
 * out (NUL-terminated, cut at a syllable boundary when out is short).
 * Returns 0, or -1 when ICU's transliterator is not there (out is then ""). */
int host_pinyin(const char *name, char *out, size_t outsz);

/* Makes the transliterator host_pinyin uses (ICU opened and its rules
 * compiled: about 130 ms) on a thread of its own, so that the first letters
 * a visitor types in the host search do not wait for it on the screen's
 * thread; a search meanwhile waits for that thread. Call once the first
 * frame is up. Failing to start the thread changes nothing: the first
 * search then makes it. */
void host_find_warm(void);

#endif
