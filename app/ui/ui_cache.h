/* ui_cache.h - a bounded LRU map from a byte-string key to an owned value.
 * The toolkit keeps rendered text textures here (SDL_ttf's own glyph cache
 * holds 256 glyphs and thrashes on Chinese), but the cache itself knows
 * nothing of SDL, so it is tested on its own. */
#ifndef UI_CACHE_H
#define UI_CACHE_H
#include <stddef.h>

struct ui_cache;

/* Called when a value leaves the cache (evicted, dropped, or cache freed).
 * `private_` is the flag it was stored with (see ui_cache_put). */
typedef void (*ui_cache_free_fn)(void *value, int private_, void *ctx);

/* Creates a cache holding at most max_entries values whose costs add up to at
 * most max_cost (e.g. texture bytes). Returns NULL on bad arguments or no
 * memory. */
struct ui_cache *ui_cache_new(size_t max_entries, size_t max_cost,
                              ui_cache_free_fn free_fn, void *ctx);

/* Frees every value (through free_fn) and the cache. NULL is fine. */
void ui_cache_free(struct ui_cache *c);

/* Returns the value stored under key[0..klen) and marks it most recently
 * used, or NULL. */
void *ui_cache_get(struct ui_cache *c, const void *key, size_t klen);

/* Removes the value stored under key[0..klen) from the cache without
 * freeing it and returns it (the caller now owns it), or NULL. When
 * `private_` is not NULL it receives the flag the value was stored with. */
void *ui_cache_take(struct ui_cache *c, const void *key, size_t klen,
                    int *private_);

/* Stores value under key (the cache copies the key; a value already under
 * that key is freed first). Least recently used values are evicted until
 * both caps hold. `private_` marks values made from typed visitor text: their
 * keys are wiped (explicit_bzero) when they leave, and ui_cache_drop_private
 * drops them all. Returns 0, or -1 when the value alone is costlier than
 * max_cost or memory ran out: the value is then NOT stored and the caller
 * still owns it (uses it once and frees it). */
int ui_cache_put(struct ui_cache *c, const void *key, size_t klen,
                 void *value, size_t cost, int private_);

/* Frees every value stored with private_ set. Returns how many. */
int ui_cache_drop_private(struct ui_cache *c);

/* Frees every value. */
void ui_cache_clear(struct ui_cache *c);

/* 1 when some stored key contains the bytes needle[0..n) (tests: prove
 * that no typed text was kept), else 0. */
int ui_cache_key_contains(const struct ui_cache *c, const void *needle,
                          size_t n);

/* Current figures (any pointer may be NULL). */
void ui_cache_stats(const struct ui_cache *c, size_t *entries, size_t *cost,
                    size_t *evictions);

#endif
