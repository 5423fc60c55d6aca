/* The split count (see split_count.h). */
#include "strategies/tether/split_count.h"

#include <stdio.h>
#include <stdlib.h>

/* Aborts with a message when r does not fit the 48-bit encoding. */
static void sc_check_address(const rl_region *r)
{
	if (((uintptr_t)r & ~RL_SC_PTR) != 0) {
		fprintf(stderr, "regionlab: region %p does not fit the 48-bit slot encoding\n", (const void *)r);
		abort();
	}
}

void rl_sc_normalize(rl_tether_slot *slot, rl_region *r, uintptr_t min_units)
{
	struct rl_sc_cell *c = rl_sc_cell_of(r);
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_relaxed);
	while (rl_sc_ptr(w) == r && (w >> RL_SC_SHIFT) >= min_units) {
		uintptr_t units = w >> RL_SC_SHIFT;
		/* Count first, then take the units out of the slot: r is over-
		 * counted for a moment, never under-counted.  The caller holds one
		 * of the units, so none of this can be the last pin.  relaxed:
		 * only the totals matter; the free decision is an acq_rel RMW. */
		atomic_fetch_add_explicit(&c->count, (int64_t)units, memory_order_relaxed);
		if (atomic_compare_exchange_weak_explicit(&slot->word, &w, w - units * RL_SC_ONE,
							  memory_order_relaxed, memory_order_relaxed))
			return;
		/* The slot changed: either more units (retry) or a publish that
		 * already moved every unit, ours included, into the counter. */
		atomic_fetch_sub_explicit(&c->count, (int64_t)units, memory_order_relaxed);
	}
}

rl_region *rl_sc_publish(rl_tether_slot *slot, rl_region *r, uintptr_t mark)
{
	uintptr_t w = 0;
	if (r != NULL) {
		sc_check_address(r);
		w = (uintptr_t)r | mark;
	}
	/* acq_rel: release makes r's contents and cell visible to the acquire
	 * of a tether that sees r; acquire makes the old region's state (and the
	 * tethers counted on it) visible to this writer. */
	uintptr_t old = atomic_exchange_explicit(&slot->word, w, memory_order_acq_rel);
	rl_region *o = rl_sc_ptr(old);
	uintptr_t units = old >> RL_SC_SHIFT;
	/* A marked (EBR) word's units are strays of racing readers: ignored. */
	if (o != NULL && units != 0 && !(old & RL_SC_MARK))
		/* relaxed: the retire that follows in this thread is an acq_rel
		 * RMW of the same counter, ordered after this by coherence. */
		atomic_fetch_add_explicit(&rl_sc_cell_of(o)->count, (int64_t)units, memory_order_relaxed);
	return o;
}

void rl_sc_domain_init(struct rl_sc_domain *d, const struct rl_tether_config *cfg)
{
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	rl_hot_init(&d->cells, sizeof(struct rl_sc_cell), cfg->layout);
}

int rl_sc_attach(struct rl_sc_domain *d, rl_region *r, unsigned flags)
{
	struct rl_sc_cell *c = rl_hot_get(&d->cells);
	if (c == NULL)
		return -1;
	atomic_init(&c->count, 0);
	c->flags = flags;
	r->tether = c; /* published to readers by publish's release */
	return 0;
}

void rl_sc_free(struct rl_sc_domain *d, rl_region *r)
{
	void *c = r->tether;
	r->tether = NULL;
	rl_hot_put(&d->cells, c);
	d->free_region(r, d->env);
}
