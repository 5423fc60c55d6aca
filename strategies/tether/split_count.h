/* The split count: one atomic counter per region, with the tethers taken
 * through a slot counted in the slot word's high bits (atomic, tls, hybrid).
 * Internal to strategies/tether/.
 *
 * The slot word is (tethers taken through the slot << 48) | region address.
 * tether is one fetch_add on the slot: it pins exactly the region the slot
 * names at that instant, so a region that is being unpublished or freed can
 * never be resurrected (there is no load-then-increment window).  Untether
 * decrements the region's own counter.  Publish swaps the slot and moves the
 * slot's count into the old region's counter; retire adds RL_SC_RETIRED.  The
 * counter then equals RL_SC_RETIRED exactly when the region is retired and no
 * tether is held, and the thread whose atomic operation makes it so frees it.
 * (Williams' split reference count, with the external count packed in the
 * pointer's unused high bits.) */
#ifndef REGIONLAB_TETHER_SPLIT_COUNT_H
#define REGIONLAB_TETHER_SPLIT_COUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "regionlab/region.h"
#include "regionlab/tether.h"
#include "strategies/tether/hot_pool.h"

#define RL_SC_SHIFT 48
#define RL_SC_ONE ((uintptr_t)1 << RL_SC_SHIFT)
#define RL_SC_PTR ((RL_SC_ONE - 1) & ~(uintptr_t)7)
#define RL_SC_MARK ((uintptr_t)1) /* hybrid: the region takes the EBR path */
#define RL_SC_NORMALIZE ((uintptr_t)1 << 14) /* move slot units into the counter past this */
#define RL_SC_RETIRED ((int64_t)1 << 62)

struct rl_sc_cell {
	_Atomic int64_t count; /* internal count; + RL_SC_RETIRED once retired */
	uint32_t flags;        /* RL_TETHER_REGION_* given to attach; read-only after */
	uint32_t unused;
};

static inline struct rl_sc_cell *rl_sc_cell_of(const rl_region *r) { return (struct rl_sc_cell *)r->tether; }
static inline rl_region *rl_sc_ptr(uintptr_t w) { return (rl_region *)(w & RL_SC_PTR); }

/* Moves the slot's units into r's counter while the slot names r with at
 * least `min_units` of them (the caller holds a pin of r, so r stays pinned).
 * The slow path of rl_sc_tether (min_units RL_SC_NORMALIZE), and tls's hit
 * on a cached region whose word carries units (min_units 1: the slot word is
 * left the bare address its in-line hit compares). */
void rl_sc_normalize(rl_tether_slot *slot, rl_region *r, uintptr_t min_units);

/* Pins what the slot names now.  *word_out gets the slot word seen. */
static inline rl_region *rl_sc_tether(rl_tether_slot *slot, uintptr_t *word_out)
{
	/* acquire: pairs with the release in rl_sc_publish, so r's contents
	 * (and its cell) written before publication are visible here. */
	uintptr_t w = atomic_fetch_add_explicit(&slot->word, RL_SC_ONE, memory_order_acquire);
	*word_out = w;
	rl_region *r = rl_sc_ptr(w);
	if (r != NULL && (w >> RL_SC_SHIFT) >= RL_SC_NORMALIZE && !(w & RL_SC_MARK))
		rl_sc_normalize(slot, r, RL_SC_NORMALIZE);
	return r;
}

/* Drops one counted pin; true when the caller must now free r (it was the
 * last pin of a retired region). */
static inline bool rl_sc_release(rl_region *r)
{
	struct rl_sc_cell *c = rl_sc_cell_of(r);
	/* acq_rel: release orders this thread's reads of r before the free;
	 * acquire (for the thread that frees) pairs with the other pins'
	 * releases and with retire's release. */
	int64_t v = atomic_fetch_sub_explicit(&c->count, 1, memory_order_acq_rel) - 1;
	return v == RL_SC_RETIRED;
}

/* True once r is retired (relaxed: a stale false only delays a flush to the
 * next quiescent point). */
static inline bool rl_sc_is_retired(const rl_region *r)
{
	return atomic_load_explicit(&rl_sc_cell_of(r)->count, memory_order_relaxed) > RL_SC_RETIRED / 2;
}

/* Marks r retired; true when no pin is held and the caller must free it. */
static inline bool rl_sc_retire(rl_region *r)
{
	struct rl_sc_cell *c = rl_sc_cell_of(r);
	/* acq_rel: pairs with rl_sc_release (see there). */
	int64_t v = atomic_fetch_add_explicit(&c->count, RL_SC_RETIRED, memory_order_acq_rel) + RL_SC_RETIRED;
	return v == RL_SC_RETIRED;
}

/* Publishes r (its word carries `mark`) and settles the old region's units. */
rl_region *rl_sc_publish(rl_tether_slot *slot, rl_region *r, uintptr_t mark);

/* What every split-count domain holds: the cells and the way out. */
struct rl_sc_domain {
	rl_region_free_fn free_region;
	void *env;
	struct rl_hot_pool cells;
};

void rl_sc_domain_init(struct rl_sc_domain *d, const struct rl_tether_config *cfg);
/* r->tether = a zeroed cell with `flags`; 0, or -1 when no memory. */
int rl_sc_attach(struct rl_sc_domain *d, rl_region *r, unsigned flags);
/* Returns r's cell to the pool and frees r through the domain's callback. */
void rl_sc_free(struct rl_sc_domain *d, rl_region *r);

#endif
