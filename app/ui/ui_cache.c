/* ui_cache.c - bounded LRU map (key bytes -> value) for rendered text.
 * A chained hash table (FNV-1a, power-of-two buckets sized from the entry
 * cap, never resized) plus a doubly linked recency list. At either cap the
 * least recently used values are evicted; a value too costly for the whole
 * cache is refused and stays the caller's. */
#include "ui_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *hnext;             /* next in the hash bucket */
    struct entry *prev, *next;       /* recency list, head = most recent */
    void *value;                     /* owned; freed through free_fn */
    size_t cost;                     /* what it counts against max_cost */
    uint32_t hash;                   /* FNV-1a of the key */
    int private_;                    /* typed text: wipe key, drop on wipe */
    size_t klen;                     /* key bytes */
    unsigned char key[];             /* key copy */
};

struct ui_cache {
    struct entry **buckets;          /* nbuckets chains */
    size_t nbuckets;                 /* power of two */
    struct entry *head, *tail;       /* most / least recently used */
    size_t entries, cost;            /* current totals */
    size_t max_entries, max_cost;    /* caps */
    size_t evictions;                /* values evicted by a cap so far */
    ui_cache_free_fn free_fn;        /* value destructor */
    void *ctx;                       /* for free_fn */
};

static uint32_t fnv1a(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

struct ui_cache *ui_cache_new(size_t max_entries, size_t max_cost,
                              ui_cache_free_fn free_fn, void *ctx)
{
    if (max_entries == 0 || max_cost == 0 || !free_fn)
        return NULL;
    struct ui_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nbuckets = 16;
    while (c->nbuckets < max_entries && c->nbuckets < (1u << 20))
        c->nbuckets <<= 1;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->max_cost = max_cost;
    c->free_fn = free_fn;
    c->ctx = ctx;
    return c;
}

static void list_unlink(struct ui_cache *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void list_push_front(struct ui_cache *c, struct entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

/* Removes e from the table and list and frees it; its value is freed too
 * unless keep_value (ui_cache_take hands it to the caller). */
static void entry_unlink_free(struct ui_cache *c, struct entry *e, int keep_value)
{
    struct entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    list_unlink(c, e);
    c->entries--;
    c->cost -= e->cost;
    if (!keep_value)
        c->free_fn(e->value, e->private_, c->ctx);
    if (e->private_)
        explicit_bzero(e->key, e->klen);
    free(e);
}

static void entry_remove(struct ui_cache *c, struct entry *e)
{
    entry_unlink_free(c, e, 0);
}

void ui_cache_free(struct ui_cache *c)
{
    if (!c)
        return;
    ui_cache_clear(c);
    free(c->buckets);
    free(c);
}

static struct entry *find(struct ui_cache *c, const void *key, size_t klen,
                          uint32_t h)
{
    for (struct entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e;
    return NULL;
}

void *ui_cache_get(struct ui_cache *c, const void *key, size_t klen)
{
    struct entry *e = find(c, key, klen, fnv1a(key, klen));
    if (!e)
        return NULL;
    list_unlink(c, e);
    list_push_front(c, e);
    return e->value;
}

void *ui_cache_take(struct ui_cache *c, const void *key, size_t klen,
                    int *private_)
{
    struct entry *e = find(c, key, klen, fnv1a(key, klen));
    if (!e)
        return NULL;
    void *value = e->value;
    if (private_)
        *private_ = e->private_;
    entry_unlink_free(c, e, 1);
    return value;
}

int ui_cache_put(struct ui_cache *c, const void *key, size_t klen,
                 void *value, size_t cost, int private_)
{
    if (cost > c->max_cost)
        return -1;
    uint32_t h = fnv1a(key, klen);
    struct entry *old = find(c, key, klen, h);
    if (old)
        entry_remove(c, old);
    struct entry *e = malloc(sizeof *e + klen);
    if (!e)
        return -1;
    while (c->tail &&
           (c->entries + 1 > c->max_entries || c->cost + cost > c->max_cost)) {
        entry_remove(c, c->tail);
        c->evictions++;
    }
    memcpy(e->key, key, klen);
    e->klen = klen;
    e->hash = h;
    e->value = value;
    e->cost = cost;
    e->private_ = private_ ? 1 : 0;
    size_t b = h & (c->nbuckets - 1);
    e->hnext = c->buckets[b];
    c->buckets[b] = e;
    list_push_front(c, e);
    c->entries++;
    c->cost += cost;
    return 0;
}

int ui_cache_drop_private(struct ui_cache *c)
{
    int n = 0;
    struct entry *e = c->head;
    while (e) {
        struct entry *next = e->next;
        if (e->private_) {
            entry_remove(c, e);
            n++;
        }
        e = next;
    }
    return n;
}

void ui_cache_clear(struct ui_cache *c)
{
    while (c->tail)
        entry_remove(c, c->tail);
}

void ui_cache_stats(const struct ui_cache *c, size_t *entries, size_t *cost,
                    size_t *evictions)
{
    if (entries)
        *entries = c->entries;
    if (cost)
        *cost = c->cost;
    if (evictions)
        *evictions = c->evictions;
}

int ui_cache_key_contains(const struct ui_cache *c, const void *needle,
                          size_t n)
{
    for (const struct entry *e = c->head; e; e = e->next)
        if (n > 0 && memmem(e->key, e->klen, needle, n))
            return 1;
    return 0;
}
