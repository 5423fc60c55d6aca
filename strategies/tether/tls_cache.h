/* Thread-local tether caches (design section 3.1), over the split count.
 * Internal to strategies/tether/.
 *
 * A thread keeps counted pins of the regions it tethers in a cache, and one
 * count of the tethers it holds (`held`).  The first tether of a region is
 * one rl_sc_tether (a counted pin: a unit in the slot word's high bits) and
 * caches the pin; while the region stays in the cache, later tethers of it
 * by this thread load the slot, find the word itself in the cache and bump
 * `held`: the cached pin keeps the region alive, so whatever the slot named
 * when loaded is safe to use if it is cached.  A word that carries units or
 * the mark never equals a way: it takes the slow path, which looks its region
 * up in the cache and, when found, counts the hit there and moves the slot's
 * units into the region's counter (rl_sc_normalize down to none, safe under
 * the cached pin), so that the following tethers find the bare address in
 * line.  A pin evicted before its region is tethered again costs no more
 * than the split count's one fetch_add.  An
 * untether only decrements `held`.  A cached pin is dropped only when the
 * thread holds nothing (held == 0): then no tether can depend on it.
 * quiesce drops the pins of retired regions (pins of live regions stay cached
 * across quiescent points: they delay nothing, and re-taking them would be
 * shared atomics); a miss evicts its home way's pin when nothing is held and
 * every way of its window is taken.
 *
 * The cache is RL_TLS_HOMES home ways, indexed by a hash of the region's
 * address, and the RL_TLS_PROBE - 1 ways past the last (an empty way holds
 * RL_TLS_EMPTY, never a region address, so the hit test needs no NULL
 * test).  A region's pin goes in the first empty way of the RL_TLS_PROBE
 * ways from its home (linear probing in a window that never moves: lookups
 * read the whole window, so an emptied way needs no tombstone); only when
 * all of them are taken is the home way's pin evicted (nothing held) or the
 * new one put in an overflow list (something held), emptied at every
 * quiescent point.  The hit path compares the home way, as the floor's
 * direct-mapped cache compares its one way (bench/tether_floor.h, whose
 * golden-ratio index into 64 ways never collides in its one-slot loop),
 * then the next one, and falls through; a pin further in its window is
 * found out of line, without a shared atomic.
 * Before (64 direct-mapped ways, and a hash that put the 16 regions of a
 * table in 4 of them: rl_tls_home) regions evicted each other's pins on
 * most tethers, each time a fetch_add on a slot word the other readers
 * share: with 16 slots two readers paid 90-120 ns a pair where one paid 3,
 * and how often depended on where malloc put the regions, so it changed
 * from trial to trial. */
#ifndef REGIONLAB_TETHER_TLS_CACHE_H
#define REGIONLAB_TETHER_TLS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "regionlab/tether.h"
#include "strategies/tether/split_count.h"

#define RL_TLS_HOMES 128u
#define RL_TLS_PROBE 8u /* the window of ways a region's pin may take, from its home way */
#define RL_TLS_WAYS (RL_TLS_HOMES + RL_TLS_PROBE - 1)
#define RL_TLS_EMPTY ((rl_region *)(uintptr_t)1) /* an empty way: no region is at an odd address */

struct rl_tls_cache {
	rl_region *way[RL_TLS_WAYS];
	uint64_t held;      /* tethers this thread holds through the cache */
	rl_region **more;   /* pins whose way was busy while something was held */
	unsigned nmore, more_cap;
	unsigned pinned;    /* ways and overflow entries holding a pin */
};

/* Called with the region to free (cell already put back by the scheme). */
typedef void (*rl_tls_free_fn)(rl_tether_thread *t, rl_region *r);

/* An empty cache (every way RL_TLS_EMPTY). */
void rl_tls_init(struct rl_tls_cache *c);

/* The home way of r: the first of its window.  The address's bits above
 * malloc's 16-byte grain, in as few instructions as the product it
 * replaced: RCBs that calloc lays out one after the other take distinct
 * homes, 128 in a row at 144 bytes apart (9 grains, when this was
 * written), 64 at 160 (10 grains: the RCB's size since it records
 * pointed_from_slot).  The product took the top bits of the address times
 * the golden ratio, which barely move at a stride of 144 (a Fibonacci
 * number: 144 x 0.618... is within 0.003 of an integer): the 16 regions of
 * a table fell in 4 ways. */
static inline unsigned rl_tls_home(const rl_region *r)
{
	return (unsigned)(((uintptr_t)r >> 4) % RL_TLS_HOMES);
}

static inline rl_region **rl_tls_way_of(struct rl_tls_cache *c, const rl_region *r)
{
	return &c->way[rl_tls_home(r)];
}

/* r's pin is in its home way or in the next one (where a region goes whose
 * home another took): compared in line, the second only when the first
 * misses, so a hit in the home way runs the floor's instructions. */
static inline bool rl_tls_near(struct rl_tls_cache *c, const rl_region *r)
{
	rl_region *const *way = rl_tls_way_of(c, r);
	if (__builtin_expect(way[0] == r, 1))
		return true;
	return way[1] == r;
}

/* The slow path, for a slot word that is not a bare address in the first
 * two ways of its window: an empty slot (NULL), a cached region whose word
 * carries units, a region whose pin is further in its window or in the
 * overflow, or a new pin through the slot, cached.  When the slot turns out
 * to hold a marked (EBR) region, nothing is pinned: NULL with *marked set
 * (hybrid then takes its EBR path). */
rl_region *rl_tls_miss(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot, uintptr_t w,
		       rl_tls_free_fn fr, bool *marked);

/* The fast path: the region of slot word w when w is the bare address that
 * one of the first two ways of its window holds (counted in `held`), NULL
 * otherwise (including w == 0, a marked word, and a word carrying units:
 * rl_tls_miss looks those up). */
static inline rl_region *rl_tls_hit(struct rl_tls_cache *c, uintptr_t w)
{
	rl_region *r = (rl_region *)w;
	if (__builtin_expect(!rl_tls_near(c, r), 0))
		return NULL;
	c->held++;
	return r;
}

static inline rl_region *rl_tls_tether(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot,
				       rl_tls_free_fn fr)
{
	/* acquire: pairs with publish's release (only needed when the pin is
	 * taken by the slow path, which does its own acquire; free on x86). */
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_acquire);
	rl_region *r = (rl_region *)w;
	/* A hit is the bare word found in the first two ways of its window:
	 * never NULL (empty ways hold
	 * RL_TLS_EMPTY).  Its shape is the floor's, hit counted in line. */
	if (__builtin_expect(rl_tls_near(c, r), 1)) {
		c->held++;
		return r;
	}
	bool marked;
	return rl_tls_miss(t, c, slot, w, fr, &marked);
}

/* Returns one tether taken through the cache. */
static inline void rl_tls_untether(struct rl_tls_cache *c) { c->held--; }

/* With nothing held: drops the cached pins whose region is retired (all of
 * them with `all`) and the overflow.  Pins of live regions stay: they cost
 * nothing, and the next quiesce after the region's retirement drops them. */
void rl_tls_flush(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr, bool all);
/* Flushes and frees the overflow list (the thread holds no tether). */
void rl_tls_fini(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr);

#endif
