/* tls: thread-local tether caches (design section 3.1).
 *
 * Invariant.  A thread's first tether of a region takes a counted pin, the
 * split count of `atomic` (one fetch_add on the slot word, which pins exactly
 * the region the slot names, so nothing is ever resurrected), and caches it.
 * Later tethers of that region by the same thread load the slot, find the
 * region in the cache and bump the thread's one held count: the cached pin
 * keeps it alive, so a region found in the cache is safe to read whatever
 * has happened to the slot since.  A cached pin is returned only when the
 * thread holds nothing, so a tethered region always has at least one counted
 * pin and cannot be freed.  quiesce (a quiescent point, nothing held)
 * returns every pin whose region is retired (pins of live regions stay
 * cached); a retired region is
 * freed by whichever atomic operation returns its last pin (or by retire when
 * none is held), so it is freed at the latest once every thread that cached
 * it has passed a quiescent point after the retirement became visible to it.
 *
 * With a stalled reader the unreclaimed regions stay bounded: a thread pins
 * at most RL_TLS_WAYS cached regions plus those it tethered while holding
 * one (the overflow, emptied at its next quiescent point).  offline drops
 * every pin (a sleeping thread should hold nothing).  The hit path (slot
 * load, way compare, held++) falls through; misses go out of line.  A hit
 * compares the bare slot word: a word carrying the split count's units takes
 * the slow path, which finds the region cached and, under that pin, moves the
 * units into the region's counter (see tls_cache.h). */
#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/split_count.h"
#include "strategies/tether/tls_cache.h"
#include "strategies/tether/reader_loop.h"

struct rl_tether_domain {
	struct rl_sc_domain sc;
};

struct rl_tether_thread {
	struct rl_tether_domain *d;
	struct rl_tls_cache cache;
};

static rl_tether_domain *tls_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "tls", err, errlen);
	if (d == NULL)
		return NULL;
	rl_sc_domain_init(&d->sc, cfg);
	return d;
}

static void tls_domain_destroy(rl_tether_domain *d)
{
	/* Every thread flushed its cache when it unregistered: every retired
	 * region lost its last pin and was freed then. */
	rl_hot_fini(&d->sc.cells);
	free(d);
}

static rl_tether_thread *tls_thread_register(rl_tether_domain *d)
{
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	t->d = d;
	rl_tls_init(&t->cache);
	return t;
}

static void tls_free(rl_tether_thread *t, rl_region *r) { rl_sc_free(&t->d->sc, r); }

static inline void tls_quiesce(rl_tether_thread *t) { rl_tls_flush(t, &t->cache, tls_free, false); }

static void tls_thread_unregister(rl_tether_thread *t)
{
	rl_tls_fini(t, &t->cache, tls_free);
	free(t);
}

static int tls_attach(rl_tether_thread *t, rl_region *r, unsigned flags) { return rl_sc_attach(&t->d->sc, r, flags); }

static rl_region *tls_publish(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	return rl_sc_publish(slot, r, 0);
}

static inline rl_region *tls_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	return rl_tls_tether(t, &t->cache, slot, tls_free);
}

static inline void tls_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	rl_tls_untether(&t->cache);
}

static void tls_retire(rl_tether_thread *t, rl_region *r)
{
	if (rl_sc_retire(r))
		rl_sc_free(&t->d->sc, r);
}

static rl_region *tls_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return tls_tether(t, slot); }
static void tls_untether_op(rl_tether_thread *t, rl_region *r) { tls_untether(t, r); }
static void tls_quiesce_op(rl_tether_thread *t) { tls_quiesce(t); }
static void tls_offline(rl_tether_thread *t) { rl_tls_flush(t, &t->cache, tls_free, true); }

static void tls_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, tls_tether, tls_untether, tls_quiesce);
}

const struct rl_tether_scheme rl_tether_tls = {
	.name = "tls",
	.summary = "thread-local caches of counted pins, flushed at quiescent points (design 3.1)",
	.caps = RL_TETHER_BOUNDED,
	.options = NULL,
	.domain_create = tls_domain_create,
	.domain_destroy = tls_domain_destroy,
	.thread_register = tls_thread_register,
	.thread_unregister = tls_thread_unregister,
	.attach = tls_attach,
	.publish = tls_publish,
	.tether = tls_tether_op,
	.untether = tls_untether_op,
	.retire = tls_retire,
	.quiesce = tls_quiesce_op,
	.offline = tls_offline,
	.online = rl_tether_nop,
	.loop = tls_loop,
};
