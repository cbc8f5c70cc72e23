/* test_host_find.c - the host directory searched as a visitor types it
 * (issue 17): by pinyin ("zhang" and the initials "zw" find 张伟), by the
 * characters, by the department, any case; nobody for nonsense; the pinyin
 * comes from ICU (host_pinyin), not a table of ours. */
#include <stdlib.h>

#include "check.h"
#include "demo.h"
#include "host_find.h"
#include "testutil.h"

/* The names host_find lists for query, joined by "|". */
static const char *found(struct fd_store *st, const char *query)
{
    static char buf[1024];
    struct host *h = NULL;
    int n = 0;
    size_t o = 0;
    buf[0] = '\0';
    if (host_find(st, query, &h, &n, NULL))
        return "(error)";
    for (int i = 0; i < n && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? "|" : "", h[i].name);
    free(h);
    return buf;
}

int main(void)
{
    struct fd_store *st = tu_open("hosts.db");
    char py[128];
    /* As the kiosk starts it: the transliterator made on a thread of its
     * own while the first search (below) may already wait for it. */
    host_find_warm();
    CHECK_INT(demo_load(st, 1700000000, NULL), 0);

    CHECK_INT(host_pinyin("张伟", py, sizeof py), 0);
    CHECK_STR(py, "zhang wei");
    CHECK_INT(host_pinyin("王晓明", py, sizeof py), 0);
    CHECK_STR(py, "wang xiao ming");
    CHECK_INT(host_pinyin("Emma Wilson", py, sizeof py), 0);
    CHECK_STR(py, "emma wilson");
    CHECK_INT(host_pinyin("张伟", py, 6), 0); /* short: cut at a syllable */
    CHECK_STR(py, "zhang");

    CHECK_STR(found(st, "zhang"), "张伟");
    CHECK_STR(found(st, "Zhang Wei"), "张伟");
    CHECK_STR(found(st, "zhangw"), "张伟");
    CHECK_STR(found(st, "zw"), "张伟");
    CHECK_STR(found(st, "xiaoming"), "王晓明"); /* from a later syllable */
    CHECK_STR(found(st, "wxm"), "王晓明");
    CHECK_STR(found(st, "li'na"), "李娜");
    CHECK_STR(found(st, "张"), "张伟");
    CHECK_STR(found(st, "财务"), "李娜");
    CHECK_STR(found(st, "finance"), "李娜");         /* department, any case */
    CHECK_STR(found(st, "emma"), "Emma Wilson");
    CHECK_STR(found(st, "xyzq"), "");
    CHECK_STR(found(st, "赵钱孙"), "");
    /* everybody for no query, in the directory's order */
    struct host *h = NULL;
    int n = 0;
    CHECK_INT(host_find(st, "", &h, &n, NULL), 0);
    CHECK_INT(n, 8);
    free(h);
    store_close(st);
    return check_summary();
}
