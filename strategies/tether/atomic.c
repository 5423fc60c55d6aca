/* atomic: one atomic counter per region (design section 1.2), the baseline.
 *
 * Invariant.  A region's tethers are counted in two places: the high 16 bits
 * of the slot word that publishes it (tethers taken through the slot) and its
 * own counter (everything else: the slot's count moved in when the region is
 * unpublished, minus the untethers).  A tether is one fetch_add on the slot
 * word, so the increment and "the slot still publishes r" are one atomic
 * event: there is no window in which a reader has loaded r but not yet
 * counted it, and a region being unpublished or freed can never be
 * resurrected.  A tethered region cannot be freed: its total count is at
 * least one, and the counter reaches RL_SC_RETIRED (retired, no tether)
 * only when every tether has been returned.  A retired region is surely
 * freed: retire adds RL_SC_RETIRED once the slot's count has been moved in,
 * and whichever atomic operation (that retire, or the last untether) leaves
 * the counter at exactly RL_SC_RETIRED frees it at once.
 *
 * Every tether and untether writes a shared line (the slot, the counter): the
 * cost the other schemes avoid.  Layout: cells are 16 bytes, four to a cache
 * line when packed. */
#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/split_count.h"
#include "strategies/tether/reader_loop.h"

struct rl_tether_domain {
	struct rl_sc_domain sc;
};

struct rl_tether_thread {
	struct rl_tether_domain *d;
};

static rl_tether_domain *atomic_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "atomic", err, errlen);
	if (d == NULL)
		return NULL;
	rl_sc_domain_init(&d->sc, cfg);
	return d;
}

static void atomic_domain_destroy(rl_tether_domain *d)
{
	/* Every retired region was freed by its last untether or its retire. */
	rl_hot_fini(&d->sc.cells);
	free(d);
}

static rl_tether_thread *atomic_thread_register(rl_tether_domain *d)
{
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t != NULL)
		t->d = d;
	return t;
}

static void atomic_thread_unregister(rl_tether_thread *t) { free(t); }

static int atomic_attach(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	return rl_sc_attach(&t->d->sc, r, flags);
}

static rl_region *atomic_publish(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	return rl_sc_publish(slot, r, 0);
}

static inline rl_region *atomic_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	(void)t;
	uintptr_t w;
	return rl_sc_tether(slot, &w);
}

static inline void atomic_untether(rl_tether_thread *t, rl_region *r)
{
	if (rl_sc_release(r))
		rl_sc_free(&t->d->sc, r);
}

static void atomic_retire(rl_tether_thread *t, rl_region *r)
{
	if (rl_sc_retire(r))
		rl_sc_free(&t->d->sc, r);
}

static rl_region *atomic_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return atomic_tether(t, slot); }
static void atomic_untether_op(rl_tether_thread *t, rl_region *r) { atomic_untether(t, r); }

static void atomic_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, atomic_tether, atomic_untether, rl_tether_no_quiesce);
}

const struct rl_tether_scheme rl_tether_atomic = {
	.name = "atomic",
	.summary = "one atomic counter per region; tethers through a slot counted in the slot word (split count)",
	.caps = RL_TETHER_BOUNDED,
	.options = NULL,
	.domain_create = atomic_domain_create,
	.domain_destroy = atomic_domain_destroy,
	.thread_register = atomic_thread_register,
	.thread_unregister = atomic_thread_unregister,
	.attach = atomic_attach,
	.publish = atomic_publish,
	.tether = atomic_tether_op,
	.untether = atomic_untether_op,
	.retire = atomic_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = atomic_loop,
};
