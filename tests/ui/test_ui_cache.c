/* test_ui_cache.c - the bounded LRU behind the text texture cache: both caps
 * hold, the least recently used goes first, a value too costly for the whole
 * cache is refused (and stays the caller's), private values are dropped by
 * ui_cache_drop_private, a value taken out (ui_cache_take) is the caller's
 * and no longer counted. Pure: values are counters, not textures. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ui_cache.h"

static int freed, freed_private;

static void count_free(void *v, int priv, void *ctx)
{
    (void)ctx;
    freed++;
    freed_private += priv;
    free(v);
}

static int *val(int n)
{
    int *p = malloc(sizeof *p);
    *p = n;
    return p;
}

static int put(struct ui_cache *c, const char *k, int n, size_t cost, int priv)
{
    int *v = val(n);
    int rc = ui_cache_put(c, k, strlen(k), v, cost, priv);
    if (rc < 0)
        free(v);
    return rc;
}

static int get(struct ui_cache *c, const char *k)
{
    int *v = ui_cache_get(c, k, strlen(k));
    return v ? *v : -1;
}

int main(void)
{
    size_t n, cost, ev;
    CHECK(ui_cache_new(0, 10, count_free, NULL) == NULL);

    /* Entry cap 3. */
    struct ui_cache *c = ui_cache_new(3, 1000, count_free, NULL);
    CHECK_INT(put(c, "a", 1, 10, 0), 0);
    CHECK_INT(put(c, "b", 2, 10, 0), 0);
    CHECK_INT(put(c, "c", 3, 10, 0), 0);
    CHECK_INT(get(c, "a"), 1);             /* a is now most recent */
    CHECK_INT(put(c, "d", 4, 10, 0), 0);   /* evicts b, the least recent */
    CHECK_INT(get(c, "b"), -1);
    CHECK_INT(get(c, "a"), 1);
    CHECK_INT(get(c, "c"), 3);
    CHECK_INT(get(c, "d"), 4);
    ui_cache_stats(c, &n, &cost, &ev);
    CHECK_INT(n, 3);
    CHECK_INT(cost, 30);
    CHECK_INT(ev, 1);
    /* Same key replaces (old value freed, no eviction counted). */
    freed = 0;
    CHECK_INT(put(c, "d", 5, 10, 0), 0);
    CHECK_INT(get(c, "d"), 5);
    CHECK_INT(freed, 1);
    ui_cache_free(c);

    /* Cost cap 100: many entries, the total never goes over. */
    c = ui_cache_new(1000, 100, count_free, NULL);
    char key[16];
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof key, "k%d", i);
        CHECK_INT(put(c, key, i, 30, 0), 0);
        ui_cache_stats(c, &n, &cost, &ev);
        CHECK(cost <= 100);
    }
    CHECK_INT(n, 3);                       /* 3 x 30 fit in 100 */
    CHECK_INT(get(c, "k49"), 49);
    CHECK_INT(get(c, "k46"), -1);
    /* Too costly for the whole cache: refused, nothing evicted. */
    CHECK_INT(put(c, "huge", 7, 101, 0), -1);
    CHECK_INT(get(c, "k48"), 48);
    CHECK_INT(get(c, "huge"), -1);

    /* Private entries are dropped on demand, others stay. */
    freed = freed_private = 0;
    CHECK_INT(put(c, "typed", 9, 10, 1), 0);
    CHECK_INT(ui_cache_drop_private(c), 1);
    CHECK_INT(freed_private, 1);
    CHECK_INT(get(c, "typed"), -1);
    CHECK_INT(get(c, "k49"), 49);

    /* Taken out: handed over unfreed, its cost no longer counted. */
    freed = 0;
    int priv = -1;
    CHECK_INT(put(c, "ink", 11, 10, 1), 0);
    ui_cache_stats(c, &n, &cost, NULL);
    size_t before = cost;
    int *v = ui_cache_take(c, "ink", 3, &priv);
    CHECK(v != NULL && *v == 11);
    CHECK_INT(priv, 1);
    CHECK_INT(freed, 0);
    free(v);
    ui_cache_stats(c, &n, &cost, NULL);
    CHECK_INT(cost, before - 10);
    CHECK_INT(get(c, "ink"), -1);
    CHECK(ui_cache_take(c, "ink", 3, NULL) == NULL);
    CHECK_INT(get(c, "k49"), 49);
    ui_cache_clear(c);
    ui_cache_stats(c, &n, &cost, NULL);
    CHECK_INT(n, 0);
    CHECK_INT(cost, 0);
    ui_cache_free(c);
    return check_summary();
}
