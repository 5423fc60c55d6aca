/* hybrid: the design's default (section 4): thread-local tether caches, with
 * EBR for regions of modules marked high-concurrency.
 *
 * "Marked" is a flag given to attach: RL_TETHER_REGION_CONCURRENT.  publish
 * copies it into the slot word's low bit, so a reader sees the mark in the
 * same load that finds the region.
 *
 * Invariant.  Unmarked regions follow `tls` exactly: a tether is counted in
 * the thread's held count against a cached counted pin, the pin is taken by
 * one fetch_add on the slot word so nothing is resurrected, and the region is
 * freed by the operation that returns its last pin after retire.  A region's
 * mark is fixed at attach and a marked region is never cached, so untether
 * tells the two kinds apart by the region's flags.  Marked regions follow
 * `ebr` exactly: the reader announces its epoch, fences, loads the slot again
 * and uses the region only if the word is still marked; a marked region is
 * freed two epochs after its retirement.  A tether of either kind therefore
 * keeps its region from being freed, and each kind is surely freed by its
 * own mechanism (quiescent points for the caches, epoch advances at retire
 * and domain destroy for EBR).  A slot may switch between kinds: a reader
 * that finds the other kind than it expected undoes its step and retries.
 *
 * Unbounded with a stalled reader inside a marked region (EBR), bounded for
 * unmarked ones. */
#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/epoch.h"
#include "strategies/tether/fence.h"
#include "strategies/tether/hot_pool.h"
#include "strategies/tether/split_count.h"
#include "strategies/tether/tls_cache.h"
#include "strategies/tether/reader_loop.h"

struct rl_tether_domain {
	struct rl_sc_domain sc;
	struct rl_ebr ebr;
	struct rl_hot_pool hot; /* announced epochs */
};

struct rl_tether_thread {
	struct rl_tether_domain *d;
	struct rl_ebr_rec *ebr;
	struct rl_tls_cache cache;
};

static void hybrid_ebr_free(rl_region *r, void *env) { rl_sc_free(env, r); }

enum { OPT_FENCE, OPT_THRESHOLD };
static const struct rl_option hybrid_options[] = {
	[OPT_FENCE] = RL_TETHER_FENCE_OPTION,
	[OPT_THRESHOLD] = RL_OPTION_INT("threshold", "64", 1, 1u << 20,
					"EBR retirements between reclamation attempts (concurrent regions)"),
	RL_OPTIONS_END,
};

static rl_tether_domain *hybrid_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	bool asym;
	size_t threshold = rl_opt_int(cfg->opts, &hybrid_options[OPT_THRESHOLD]);
	if (rl_fence_option(cfg, "hybrid", &asym, err, errlen) != 0)
		return NULL;
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "hybrid", err, errlen);
	if (d == NULL)
		return NULL;
	rl_sc_domain_init(&d->sc, cfg);
	rl_hot_init(&d->hot, sizeof(uint64_t), cfg->layout);
	rl_ebr_init(&d->ebr, asym, threshold, &d->hot, hybrid_ebr_free, &d->sc);
	return d;
}

static void hybrid_domain_destroy(rl_tether_domain *d)
{
	rl_ebr_fini(&d->ebr); /* marked regions; unmarked ones were freed by their last pin */
	rl_hot_fini(&d->hot);
	rl_hot_fini(&d->sc.cells);
	free(d);
}

static rl_tether_thread *hybrid_thread_register(rl_tether_domain *d)
{
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	t->ebr = rl_ebr_register(&d->ebr);
	if (t->ebr == NULL) {
		free(t);
		return NULL;
	}
	t->d = d;
	rl_tls_init(&t->cache);
	return t;
}

static void hybrid_free(rl_tether_thread *t, rl_region *r) { rl_sc_free(&t->d->sc, r); }

static inline void hybrid_quiesce(rl_tether_thread *t) { rl_tls_flush(t, &t->cache, hybrid_free, false); }

static void hybrid_thread_unregister(rl_tether_thread *t)
{
	rl_tls_fini(t, &t->cache, hybrid_free);
	rl_ebr_unregister(t->ebr);
	free(t);
}

static int hybrid_attach(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	return rl_sc_attach(&t->d->sc, r, flags);
}

static bool marked(const rl_region *r) { return (rl_sc_cell_of(r)->flags & RL_TETHER_REGION_CONCURRENT) != 0; }


static rl_region *hybrid_publish(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	return rl_sc_publish(slot, r, r != NULL && marked(r) ? RL_SC_MARK : 0);
}

/* The EBR path and the cache misses, out of line. */
static __attribute__((noinline)) rl_region *hybrid_slow(rl_tether_thread *t, rl_tether_slot *slot, uintptr_t w)
{
	for (;;) {
		if (w & RL_SC_MARK) {
			rl_ebr_enter(t->ebr);
			/* seq_cst: as in ebr_tether. */
			w = atomic_load_explicit(&slot->word, memory_order_seq_cst);
			if (w & RL_SC_MARK)
				return rl_sc_ptr(w);
			rl_ebr_exit(t->ebr); /* became unmarked: take a pin instead */
			continue;
		}
		if (rl_sc_ptr(w) == NULL)
			return NULL;
		bool mark;
		rl_region *r = rl_tls_miss(t, &t->cache, slot, w, hybrid_free, &mark);
		if (r != NULL || !mark)
			return r;
		w = RL_SC_MARK; /* became marked: take the EBR path */
	}
}

static inline rl_region *hybrid_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	/* acquire: pairs with publish's release (see rl_tls_tether). */
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_acquire);
	rl_region *r = rl_tls_hit(&t->cache, w); /* a marked region is never cached */
	return __builtin_expect(r != NULL, 1) ? r : hybrid_slow(t, slot, w);
}

static inline void hybrid_untether(rl_tether_thread *t, rl_region *r)
{
	/* A region's mark is fixed at attach: marked ones took the EBR path. */
	if (__builtin_expect(marked(r), 0))
		rl_ebr_exit(t->ebr);
	else
		rl_tls_untether(&t->cache);
}

static void hybrid_retire(rl_tether_thread *t, rl_region *r)
{
	if (marked(r))
		rl_ebr_retire(t->ebr, r);
	else if (rl_sc_retire(r))
		rl_sc_free(&t->d->sc, r);
}

static rl_region *hybrid_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return hybrid_tether(t, slot); }
static void hybrid_untether_op(rl_tether_thread *t, rl_region *r) { hybrid_untether(t, r); }
static void hybrid_quiesce_op(rl_tether_thread *t) { hybrid_quiesce(t); }
static void hybrid_offline(rl_tether_thread *t) { rl_tls_flush(t, &t->cache, hybrid_free, true); }

static void hybrid_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, hybrid_tether, hybrid_untether, hybrid_quiesce);
}

const struct rl_tether_scheme rl_tether_hybrid = {
	.name = "hybrid",
	.summary = "thread-local caches; EBR for regions marked high-concurrency (design 4)",
	.caps = 0,
	.options = hybrid_options,
	.domain_create = hybrid_domain_create,
	.domain_destroy = hybrid_domain_destroy,
	.thread_register = hybrid_thread_register,
	.thread_unregister = hybrid_thread_unregister,
	.attach = hybrid_attach,
	.publish = hybrid_publish,
	.tether = hybrid_tether_op,
	.untether = hybrid_untether_op,
	.retire = hybrid_retire,
	.quiesce = hybrid_quiesce_op,
	.offline = hybrid_offline,
	.online = rl_tether_nop,
	.loop = hybrid_loop,
};
