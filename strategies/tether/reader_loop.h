/* The reader loop of the tether workload (struct rl_tether_loop).
 * Internal to strategies/tether/ (and the floors of bench/tether_floor.h,
 * which run the same loop).
 *
 * Instantiated in each scheme file with its static tether/untether/quiesce,
 * which the compiler then inlines (the function pointers are constants once
 * this body is inlined into the scheme's loop function).  Pairs run in blocks
 * of quiesce_every (1024 when 0) with nothing else in the loop; quiesce, the
 * stop flag and the sampled (timed) pair come between blocks. */
#ifndef REGIONLAB_TETHER_READER_LOOP_H
#define REGIONLAB_TETHER_READER_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/clock.h"
#include "regionlab/tether.h"

typedef rl_region *(*rl_tether_op)(rl_tether_thread *t, rl_tether_slot *slot);
typedef void (*rl_untether_op)(rl_tether_thread *t, rl_region *r);
typedef void (*rl_quiesce_op)(rl_tether_thread *t);

/* The quiesce of schemes with nothing to do at a quiescent point. */
static inline void rl_tether_no_quiesce(rl_tether_thread *t) { (void)t; }

struct rl_pairs {
	char *base;
	size_t stride, n;
	int (*visit)(rl_region *, void *);
	void *venv;
	uint64_t rng, bad, empty;
};

/* `count` pairs; `one` (a single slot) and `vis` (a visit callback) are
 * constants at every call site but the timed one, so each gets a tight loop. */
static inline __attribute__((always_inline)) void rl_tether_pairs(rl_tether_thread *t, struct rl_pairs *p,
								  uint64_t count, rl_tether_op tether,
								  rl_untether_op untether, const bool one,
								  const bool vis)
{
	uint64_t rng = p->rng, bad = 0, empty = 0;
	for (uint64_t k = 0; k < count; k++) {
		size_t i = 0;
		if (!one) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			i = (size_t)(((rng >> 32) * (uint64_t)p->n) >> 32);
		}
		rl_region *r = tether(t, (rl_tether_slot *)(void *)(p->base + i * p->stride));
		if (r != NULL) {
			if (vis && p->visit(r, p->venv) != 0)
				bad++;
			untether(t, r);
		} else {
			empty++;
		}
	}
	p->rng = rng;
	p->bad += bad;
	p->empty += empty;
}

static inline __attribute__((always_inline)) void rl_tether_loop_run(rl_tether_thread *t, struct rl_tether_loop *l,
								     rl_tether_op tether,
								     rl_untether_op untether,
								     rl_quiesce_op quiesce)
{
	struct rl_pairs p = {
		.base = l->slots, .stride = l->stride, .n = l->nslots, .visit = l->visit, .venv = l->visit_env,
		.rng = l->rng,
	};
	const uint64_t block = l->quiesce_every != 0 ? l->quiesce_every : 1024;
	const bool one = l->nslots <= 1, vis = l->visit != NULL;
	uint64_t ops = 0, since_sample = 0;
	size_t ns = l->nsamples;
	for (;;) {
		uint64_t left = l->max_ops - l->ops - ops;
		if (left == 0)
			break;
		uint64_t count = left < block ? left : block;
		if (l->sample_every != 0 && since_sample >= l->sample_every) {
			uint64_t t0 = rl_now_ns();
			rl_tether_pairs(t, &p, 1, tether, untether, one, vis);
			uint64_t dt = rl_now_ns() - t0;
			if (ns < l->samples_cap)
				l->samples[ns++] = dt;
			since_sample = 0;
			count--;
			ops++;
		}
		if (one && vis)
			rl_tether_pairs(t, &p, count, tether, untether, true, true);
		else if (one)
			rl_tether_pairs(t, &p, count, tether, untether, true, false);
		else if (vis)
			rl_tether_pairs(t, &p, count, tether, untether, false, true);
		else
			rl_tether_pairs(t, &p, count, tether, untether, false, false);
		ops += count;
		since_sample += count + 1;
		if (l->quiesce_every != 0)
			quiesce(t);
		/* relaxed: a stop request carries no data. */
		if (l->stop != NULL && atomic_load_explicit(l->stop, memory_order_relaxed))
			break;
	}
	l->rng = p.rng;
	l->ops += ops;
	l->bad += p.bad;
	l->empty += p.empty;
	l->nsamples = ns;
}

#endif
