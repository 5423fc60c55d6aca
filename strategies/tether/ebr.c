/* ebr: epoch-based reclamation (design section 3.3).
 *
 * Invariant.  A global epoch g; a thread inside a tether announces
 * (epoch << 1 | 1) in its own word, then fences, then reads the slot.  The
 * epoch moves from g to g + 1 only when every active thread has announced g,
 * and a region retired at epoch e (read after it was unpublished) is freed
 * once the global epoch reaches e + 2.  A tethered region cannot be freed: a
 * thread that read r from a slot announced some epoch a <= e before it could
 * see r, and while it stays inside the global epoch cannot pass a + 1 <= e + 1.
 * A retired region is surely freed: once the threads inside a tether at
 * retirement have left (tethers are finite), two advances succeed at the
 * writer's next reclamation attempts, and at domain destroy everything left
 * is freed.  Unbounded with a stalled reader: nothing retired after it
 * entered is freed until it leaves.
 *
 * Fences: with fence=asym (the default where membarrier works) the reader
 * only has a compiler barrier between its announcement and its slot load, and
 * the advancing thread runs membarrier(PRIVATE_EXPEDITED) before it scans;
 * with fence=sym the announcement is a seq_cst exchange (a full barrier, as
 * in ck_epoch_begin) and the advancing thread issues a seq_cst fence. */
#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/epoch.h"
#include "strategies/tether/fence.h"
#include "strategies/tether/hot_pool.h"
#include "strategies/tether/reader_loop.h"

struct rl_tether_domain {
	struct rl_ebr ebr;
	struct rl_hot_pool hot; /* announced words */
};

/* A thread record is an rl_ebr_rec. */
static struct rl_ebr_rec *rec_of(rl_tether_thread *t) { return (struct rl_ebr_rec *)(void *)t; }

enum { OPT_FENCE, OPT_THRESHOLD };
static const struct rl_option ebr_options[] = {
	[OPT_FENCE] = RL_TETHER_FENCE_OPTION,
	[OPT_THRESHOLD] = RL_OPTION_INT("threshold", "64", 1, 1u << 20, "retirements between reclamation attempts"),
	RL_OPTIONS_END,
};

static rl_tether_domain *ebr_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	bool asym;
	size_t threshold = rl_opt_int(cfg->opts, &ebr_options[OPT_THRESHOLD]);
	if (rl_fence_option(cfg, "ebr", &asym, err, errlen) != 0)
		return NULL;
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "ebr", err, errlen);
	if (d == NULL)
		return NULL;
	rl_hot_init(&d->hot, sizeof(uint64_t), cfg->layout);
	rl_ebr_init(&d->ebr, asym, threshold, &d->hot, cfg->free_region, cfg->env);
	return d;
}

static void ebr_domain_destroy(rl_tether_domain *d)
{
	rl_ebr_fini(&d->ebr);
	rl_hot_fini(&d->hot);
	free(d);
}

static rl_tether_thread *ebr_thread_register(rl_tether_domain *d)
{
	return (rl_tether_thread *)(void *)rl_ebr_register(&d->ebr);
}

static void ebr_thread_unregister(rl_tether_thread *t) { rl_ebr_unregister(rec_of(t)); }

static inline __attribute__((always_inline)) rl_region *ebr_tether_fence(rl_tether_thread *t,
									  rl_tether_slot *slot, bool asym)
{
	struct rl_ebr_rec *rec = rec_of(t);
	rl_ebr_enter_fence(rec, asym);
	/* seq_cst (acquire at least): pairs with publish's release (r's
	 * contents); seq_cst for the symmetric store-load order. */
	rl_region *r = rl_plain_load(slot, memory_order_seq_cst);
	if (r == NULL)
		rl_ebr_exit(rec);
	return r;
}

static inline rl_region *ebr_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	return ebr_tether_fence(t, slot, rec_of(t)->e->asym);
}

static inline void ebr_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	rl_ebr_exit(rec_of(t));
}

/* The reader loop's pairs never nest: entered with no section open, the
 * loop runs pairs that announce and close without the nesting count. */
static inline __attribute__((always_inline)) rl_region *ebr_pair_tether(rl_tether_thread *t, rl_tether_slot *slot,
									 bool asym)
{
	struct rl_ebr_rec *rec = rec_of(t);
	rl_ebr_announce(rec, asym);
	rl_region *r = rl_plain_load(slot, memory_order_seq_cst); /* as in ebr_tether_fence */
	if (r == NULL)
		rl_ebr_close(rec);
	return r;
}
static inline rl_region *ebr_pair_tether_asym(rl_tether_thread *t, rl_tether_slot *slot)
{
	return ebr_pair_tether(t, slot, true);
}
static inline rl_region *ebr_pair_tether_sym(rl_tether_thread *t, rl_tether_slot *slot)
{
	return ebr_pair_tether(t, slot, false);
}
static inline void ebr_pair_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	rl_ebr_close(rec_of(t));
}

static void ebr_retire(rl_tether_thread *t, rl_region *r) { rl_ebr_retire(rec_of(t), r); }

static rl_region *ebr_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return ebr_tether(t, slot); }
static void ebr_untether_op(rl_tether_thread *t, rl_region *r) { ebr_untether(t, r); }

/* One loop per fence (the runtime test is made once, not per tether), and
 * pairs without the nesting count unless the caller holds a section. */
static void ebr_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	struct rl_ebr_rec *rec = rec_of(t);
	if (rec->open)
		rl_tether_loop_run(t, l, ebr_tether, ebr_untether, rl_tether_no_quiesce);
	else if (rec->e->asym)
		rl_tether_loop_run(t, l, ebr_pair_tether_asym, ebr_pair_untether, rl_tether_no_quiesce);
	else
		rl_tether_loop_run(t, l, ebr_pair_tether_sym, ebr_pair_untether, rl_tether_no_quiesce);
}

const struct rl_tether_scheme rl_tether_ebr = {
	.name = "ebr",
	.summary = "epoch-based reclamation: global epoch, announced epochs, free two epochs later (design 3.3)",
	.caps = 0,
	.options = ebr_options,
	.domain_create = ebr_domain_create,
	.domain_destroy = ebr_domain_destroy,
	.thread_register = ebr_thread_register,
	.thread_unregister = ebr_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = ebr_tether_op,
	.untether = ebr_untether_op,
	.retire = ebr_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = ebr_loop,
};
