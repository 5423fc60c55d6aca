/* Thread-local tether caches (design section 3.1), over the split count.
 * Internal to strategies/tether/.
 *
 * A thread keeps one counted pin per region it tethers, in a way with a local
 * count of the tethers it holds through that pin.  The first tether of a
 * region is one rl_sc_tether; while the region stays in the cache, later
 * tethers of it by this thread load the slot, find the region in the cache
 * and bump the local count: the cached pin keeps the region alive, so
 * whatever the slot named when loaded is safe to use if it is cached.
 * quiesce drops the pins whose local count is zero and whose region has been
 * retired (pins of live regions stay cached across quiescent points: they
 * delay nothing, and re-taking them would be shared atomics).
 *
 * The cache is RL_TLS_WAYS direct-mapped ways (indexed by a hash of the
 * region's address) plus an overflow list for a region whose way is busy
 * with another held region.  Every tether goes through the way of its region
 * (at most one per region), so an untether always finds a nonzero count and
 * decrements it without testing it. */
#ifndef REGIONLAB_TETHER_TLS_CACHE_H
#define REGIONLAB_TETHER_TLS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "regionlab/tether.h"
#include "strategies/tether/split_count.h"

#define RL_TLS_WAYS 64u

struct rl_tls_way {
	rl_region *r;
	uint64_t local; /* tethers held through this pin */
};

struct rl_tls_cache {
	struct rl_tls_way way[RL_TLS_WAYS];
	struct rl_tls_way *more; /* regions whose way was busy */
	unsigned nmore, more_cap;
	unsigned pinned;         /* ways and overflow entries holding a pin */
};

/* Called with the region to free (cell already put back by the scheme). */
typedef void (*rl_tls_free_fn)(rl_tether_thread *t, rl_region *r);

static inline struct rl_tls_way *rl_tls_way_of(struct rl_tls_cache *c, const rl_region *r)
{
	return &c->way[((uintptr_t)r * UINT64_C(0x9e3779b97f4a7c15)) >> 58];
}

/* The way that holds r, or NULL.  (A "hot" way checked first at a constant
 * offset made a re-tether of one region 0.2 ns cheaper and one among 16
 * regions 1 ns dearer, through mispredictions: measured, and dropped.) */
static inline struct rl_tls_way *rl_tls_find(struct rl_tls_cache *c, const rl_region *r)
{
	struct rl_tls_way *w = rl_tls_way_of(c, r);
	if (w->r == r)
		return w;
	for (unsigned i = 0; i < c->nmore; i++)
		if (c->more[i].r == r)
			return &c->more[i];
	return NULL;
}

/* The slow path: pin through the slot and cache the pin.  When the slot
 * turns out to hold a marked (EBR) region, nothing is pinned: NULL with
 * *marked set (hybrid then takes its EBR path). */
rl_region *rl_tls_miss(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot, rl_tls_free_fn fr,
		       bool *marked);

/* The fast path: a cached region (NULL when the slot's region is not). */
static inline rl_region *rl_tls_hit(struct rl_tls_cache *c, uintptr_t w)
{
	rl_region *r = rl_sc_ptr(w);
	struct rl_tls_way *way = rl_tls_find(c, r);
	if (way == NULL)
		return NULL;
	way->local++;
	return r;
}

static inline rl_region *rl_tls_tether(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot,
				       rl_tls_free_fn fr)
{
	/* acquire: pairs with publish's release (only needed when the pin is
	 * taken by the slow path, which does its own acquire; free on x86). */
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_acquire);
	if (rl_sc_ptr(w) == NULL)
		return NULL;
	rl_region *r = rl_tls_hit(c, w);
	bool marked;
	return r != NULL ? r : rl_tls_miss(t, c, slot, fr, &marked);
}

/* Returns one tether of r to its way; false when r has no way (not a
 * cached tether: hybrid's EBR path). */
static inline bool rl_tls_untether(struct rl_tls_cache *c, rl_region *r)
{
	struct rl_tls_way *way = rl_tls_find(c, r);
	if (way == NULL)
		return false;
	way->local--;
	return true;
}

/* Drops the cached pins with no local tether whose region is retired (all
 * of them with `all`).  Pins of live regions stay: they cost nothing, and
 * the next quiesce after the region's retirement drops them. */
void rl_tls_flush(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr, bool all);
/* Flushes and frees the overflow list (the thread holds no tether). */
void rl_tls_fini(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr);

#endif
