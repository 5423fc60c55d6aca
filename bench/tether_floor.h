/* Reference floors of the tether schemes (issue 13): the least a correct
 * implementation of each design does per tether+untether pair, written as
 * tiny schemes behind the same ops struct so that bench/bench_tether_floor.c
 * runs them through the same reader loop as the modules they bound, and
 * tests/test_tether_floor.c checks each one's invariant.  Not registered:
 * `./harness --list` never shows them.
 *
 *   floor-cc       counted cache (bounds tls): a hashed direct-mapped cache
 *                  of pins and one per-thread held count.  Hit: load the
 *                  slot, find the region in its way, held++; untether
 *                  held--.  A miss pins under the domain's mutex.
 *   floor-ebr      EBR announce, asymmetric (bounds ebr): store the epoch
 *                  (plain store + compiler barrier), load the slot; store 0.
 *   floor-ebr-sc   the same announce as a seq_cst exchange (bounds ebr with
 *                  fence=sym).
 *   floor-hp       hazard publish with xchg (bounds hazard): load the slot,
 *                  exchange it into the thread's one hazard, load it again.
 *   floor-hp-asym  the same with a plain store + compiler barrier, and
 *                  membarrier on the reclaimer (bounds hazard-asym).
 *
 * Invariants.  floor-cc: a cached pin keeps its region alive (the count is
 * taken under the mutex that retire also takes, and the slot is read inside
 * that critical section, so a pin is never taken on a retired region); a
 * region found in the cache is therefore safe whatever the slot says now,
 * and quiesce drops pins only when the thread holds nothing.  floor-ebr*:
 * a region retired at epoch e is freed once the epoch reaches e + 2, and the
 * epoch moves only when every announced record is at the current epoch
 * (the reclaimer's fence, or membarrier, orders each reader's announcement
 * before its slot load).  floor-hp*: a region is freed only when no hazard
 * names it after the reclaimer's fence; a reader uses what its hazard names
 * only once the slot still names it after the publish.  The EBR and hazard
 * floors hold one tether per thread at a time (no nesting: that is what
 * makes them floors); reclamation runs every FLOOR_BATCH retirements and at
 * domain destroy.
 *
 * Include after defining _GNU_SOURCE (syscall(2), for membarrier). */
#ifndef REGIONLAB_BENCH_TETHER_FLOOR_H
#define REGIONLAB_BENCH_TETHER_FLOOR_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before any include: the floors call membarrier through syscall(2)"
#endif

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "regionlab/region.h"
#include "regionlab/tether.h"
#include "strategies/tether/reader_loop.h"

#define FLOOR_RECORDS 16 /* threads per domain */
#define FLOOR_BATCH 32   /* retirements between reclamation attempts */
#define FLOOR_WAYS 64u
#define FLOOR_EMPTY ((rl_region *)(uintptr_t)1) /* an empty way: never a region */

/* ---- the reclaimer's side of the fences ------------------------------------- */
static inline bool floor_membarrier_works(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	return cmds >= 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	       syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
/* A full fence (TSan ignores fences and GCC may warn: silenced, as in
 * strategies/tether/fence.h). */
static inline void floor_fence_full(void) { atomic_thread_fence(memory_order_seq_cst); }

static inline void floor_fence(bool asym)
{
	if (!asym)
		floor_fence_full();
	else if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
		abort(); /* registered when the domain was made */
}
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif

/* ---- what the EBR and hazard floors share: records, a retire list ---------------- */
struct floor_rec {
	_Alignas(64) _Atomic uintptr_t word; /* announced epoch, or hazard; 0: none */
	struct floor_dom *d;
	atomic_bool used;
	rl_region *retired[FLOOR_BATCH * 4];
	uint64_t stamp[FLOOR_BATCH * 4];
	size_t nretired;
};

struct floor_dom {
	_Atomic uint64_t epoch; /* EBR floors */
	bool asym, hazard;
	rl_region_free_fn free_region;
	void *env;
	struct floor_rec rec[FLOOR_RECORDS];
	pthread_mutex_t lock; /* floor-cc's pins */
};

static inline struct floor_dom *floor_dom_of(rl_tether_domain *d) { return (struct floor_dom *)(void *)d; }
static inline struct floor_rec *floor_rec_of(rl_tether_thread *t) { return (struct floor_rec *)(void *)t; }

static inline rl_tether_domain *floor_dom_new(const struct rl_tether_config *cfg, bool asym, bool hazard,
					      char *err, size_t errlen)
{
	struct floor_dom *d = aligned_alloc(64, sizeof *d);
	if (d == NULL || (asym && !floor_membarrier_works())) {
		snprintf(err, errlen, d == NULL ? "out of memory" : "membarrier does not work here");
		free(d);
		return NULL;
	}
	*d = (struct floor_dom){ .asym = asym, .hazard = hazard, .free_region = cfg->free_region, .env = cfg->env };
	pthread_mutex_init(&d->lock, NULL);
	return (rl_tether_domain *)(void *)d;
}

static inline rl_tether_thread *floor_register(rl_tether_domain *dom)
{
	struct floor_dom *d = floor_dom_of(dom);
	for (size_t i = 0; i < FLOOR_RECORDS; i++) {
		bool no = false;
		/* acquire: pairs with unregister's release (the record's last user). */
		if (atomic_compare_exchange_strong_explicit(&d->rec[i].used, &no, true, memory_order_acquire,
							    memory_order_relaxed)) {
			d->rec[i].d = d;
			return (rl_tether_thread *)(void *)&d->rec[i];
		}
	}
	return NULL;
}

/* One reclamation attempt: EBR advances the epoch if every announced record
 * is at it; then every retired region no record blocks is freed. */
static inline void floor_reclaim(struct floor_rec *me)
{
	struct floor_dom *d = me->d;
	floor_fence(d->asym); /* every announcement before its reader's slot load is visible now */
	uint64_t g = atomic_load_explicit(&d->epoch, memory_order_acquire);
	bool advance = !d->hazard;
	for (size_t i = 0; i < FLOOR_RECORDS; i++) {
		uintptr_t w = atomic_load_explicit(&d->rec[i].word, memory_order_acquire); /* pairs with untether */
		advance = advance && (w == 0 || (w >> 1) == g);
	}
	if (advance && atomic_compare_exchange_strong_explicit(&d->epoch, &g, g + 1, memory_order_acq_rel,
							       memory_order_acquire))
		g++;
	size_t keep = 0;
	for (size_t k = 0; k < me->nretired; k++) {
		rl_region *r = me->retired[k];
		bool blocked = !d->hazard && me->stamp[k] + 2 > g;
		for (size_t i = 0; d->hazard && i < FLOOR_RECORDS && !blocked; i++) /* acquire: as above */
			blocked = atomic_load_explicit(&d->rec[i].word, memory_order_acquire) == (uintptr_t)r;
		if (blocked) {
			me->stamp[keep] = me->stamp[k];
			me->retired[keep++] = r;
		} else {
			d->free_region(r, d->env);
		}
	}
	me->nretired = keep;
}

static inline void floor_retire(rl_tether_thread *t, rl_region *r)
{
	struct floor_rec *me = floor_rec_of(t);
	floor_fence_full(); /* the unpublish comes before the stamp */
	me->stamp[me->nretired] = atomic_load_explicit(&me->d->epoch, memory_order_relaxed);
	me->retired[me->nretired++] = r;
	while (me->nretired >= FLOOR_BATCH) {
		floor_reclaim(me);
		if (me->nretired >= FLOOR_BATCH * 4 - 1)
			sched_yield(); /* a reader sits in an old epoch: wait for it */
		else
			break;
	}
}

static inline void floor_unregister(rl_tether_thread *t)
{
	struct floor_rec *me = floor_rec_of(t);
	atomic_store_explicit(&me->word, 0, memory_order_release);
	while (me->nretired != 0) { /* the other records' tethers end */
		floor_reclaim(me);
		if (me->nretired != 0)
			sched_yield();
	}
	atomic_store_explicit(&me->used, false, memory_order_release);
}

static inline void floor_dom_free(rl_tether_domain *dom)
{
	pthread_mutex_destroy(&floor_dom_of(dom)->lock);
	free(dom); /* every record unregistered with nothing retired */
}

static inline rl_region *floor_publish(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	/* acq_rel: release publishes r's contents; acquire hands the old one to its retirer. */
	return (rl_region *)atomic_exchange_explicit(&slot->word, (uintptr_t)r, memory_order_acq_rel);
}

static inline int floor_attach_none(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)t, (void)r, (void)flags;
	return 0;
}

static inline void floor_nop(rl_tether_thread *t) { (void)t; }

/* ---- floor-ebr, floor-ebr-sc: the announce ----------------------------------------------- */
static inline __attribute__((always_inline)) rl_region *floor_ebr_tether_(rl_tether_thread *t,
									  rl_tether_slot *slot, bool asym)
{
	struct floor_rec *me = floor_rec_of(t);
	uintptr_t e = (uintptr_t)atomic_load_explicit(&me->d->epoch, memory_order_relaxed);
	if (asym) {
		atomic_store_explicit(&me->word, (e << 1) | 1u, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
	} else {
		(void)atomic_exchange_explicit(&me->word, (e << 1) | 1u, memory_order_seq_cst);
	}
	/* seq_cst: pairs with publish's release; in the total order with the reclaimer's fence. */
	rl_region *r = (rl_region *)atomic_load_explicit(&slot->word, memory_order_seq_cst);
	if (r == NULL)
		atomic_store_explicit(&me->word, 0, memory_order_release);
	return r;
}

static inline void floor_ebr_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	/* release: the section's reads come before a reclaimer that sees it closed. */
	atomic_store_explicit(&floor_rec_of(t)->word, 0, memory_order_release);
}

/* ---- floor-hp, floor-hp-asym: the publish ----------------------------------------------- */
static inline __attribute__((always_inline)) rl_region *floor_hp_tether_(rl_tether_thread *t,
									 rl_tether_slot *slot, bool asym)
{
	struct floor_rec *me = floor_rec_of(t);
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_relaxed); /* validated below */
	if (w == 0)
		return NULL;
	for (;;) {
		if (asym) {
			atomic_store_explicit(&me->word, w, memory_order_release);
			atomic_signal_fence(memory_order_seq_cst);
		} else {
			(void)atomic_exchange_explicit(&me->word, w, memory_order_seq_cst);
		}
		uintptr_t again = atomic_load_explicit(&slot->word, memory_order_seq_cst); /* as in floor-ebr */
		if (__builtin_expect(again == w, 1))
			return (rl_region *)w;
		if (again == 0)
			return NULL; /* the stale hazard only delays a free until the next tether */
		w = again;
	}
}

static inline void floor_hp_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	/* release: our reads of r come before a scan that sees the hazard cleared. */
	atomic_store_explicit(&floor_rec_of(t)->word, 0, memory_order_release);
}

/* ---- floor-cc: the counted cache ------------------------------------------------------ */
struct floor_pin {
	size_t count; /* pins, under the domain's mutex */
	bool retired;
};

struct floor_cc {
	struct floor_rec rec; /* first: registration and the records */
	rl_region *way[FLOOR_WAYS];
	rl_region *extra[8]; /* pins whose way was busy while something was held */
	unsigned nextra;
	uint64_t held;
};

static inline struct floor_cc *floor_cc_of(rl_tether_thread *t) { return (struct floor_cc *)(void *)t; }

static inline rl_region **floor_cc_way(struct floor_cc *c, const rl_region *r)
{
	return &c->way[((uintptr_t)r * UINT64_C(0x9e3779b97f4a7c15)) >> 58];
}

/* Drops one pin of r; frees it when that was the last pin of a retired region. */
static inline void floor_cc_unpin(struct floor_dom *d, rl_region *r)
{
	struct floor_pin *p = r->tether;
	pthread_mutex_lock(&d->lock);
	bool last = --p->count == 0 && p->retired;
	pthread_mutex_unlock(&d->lock);
	if (last) {
		free(p);
		d->free_region(r, d->env);
	}
}

static __attribute__((noinline)) rl_region *floor_cc_miss(struct floor_cc *c, rl_tether_slot *slot)
{
	struct floor_dom *d = c->rec.d;
	pthread_mutex_lock(&d->lock);
	/* Inside the mutex that retire takes after the unpublish: a region
	 * read here is not retired yet.  acquire: pairs with publish. */
	rl_region *r = (rl_region *)atomic_load_explicit(&slot->word, memory_order_acquire);
	if (r != NULL)
		((struct floor_pin *)r->tether)->count++;
	pthread_mutex_unlock(&d->lock);
	if (r == NULL)
		return NULL;
	rl_region **way = floor_cc_way(c, r);
	if (*way != FLOOR_EMPTY && c->held == 0) { /* nothing held: the old pin may go */
		floor_cc_unpin(d, *way);
		*way = FLOOR_EMPTY;
	}
	if (*way == FLOOR_EMPTY)
		*way = r;
	else if (c->nextra < sizeof c->extra / sizeof *c->extra)
		c->extra[c->nextra++] = r;
	else
		abort(); /* more than 8 regions held beyond the ways: not a floor's case */
	c->held++;
	return r;
}

static inline rl_region *floor_cc_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	struct floor_cc *c = floor_cc_of(t);
	rl_region *r = (rl_region *)atomic_load_explicit(&slot->word, memory_order_acquire); /* pairs with publish */
	if (__builtin_expect(*floor_cc_way(c, r) == r, 1)) { /* never for NULL: empty ways hold FLOOR_EMPTY */
		c->held++;
		return r;
	}
	return floor_cc_miss(c, slot);
}

static inline void floor_cc_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	floor_cc_of(t)->held--;
}

/* A quiescent point: with nothing held, the pins of retired regions go. */
static inline void floor_cc_quiesce(rl_tether_thread *t)
{
	struct floor_cc *c = floor_cc_of(t);
	if (c->held != 0)
		return;
	for (unsigned i = 0; i < FLOOR_WAYS; i++) {
		rl_region *r = c->way[i];
		if (r != FLOOR_EMPTY && __atomic_load_n(&((struct floor_pin *)r->tether)->retired, __ATOMIC_RELAXED)) {
			c->way[i] = FLOOR_EMPTY;
			floor_cc_unpin(c->rec.d, r);
		}
	}
	while (c->nextra != 0)
		floor_cc_unpin(c->rec.d, c->extra[--c->nextra]);
}

static inline int floor_cc_attach(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)t, (void)flags;
	r->tether = calloc(1, sizeof(struct floor_pin)); /* published by publish's release */
	return r->tether != NULL ? 0 : -1;
}

static inline void floor_cc_retire(rl_tether_thread *t, rl_region *r)
{
	struct floor_dom *d = floor_rec_of(t)->d;
	struct floor_pin *p = r->tether;
	pthread_mutex_lock(&d->lock);
	__atomic_store_n(&p->retired, true, __ATOMIC_RELAXED); /* read unlocked by quiesce: a hint */
	bool unpinned = p->count == 0;
	pthread_mutex_unlock(&d->lock);
	if (unpinned) {
		free(p);
		d->free_region(r, d->env);
	}
}

static inline rl_tether_thread *floor_cc_register(rl_tether_domain *dom)
{
	struct floor_dom *d = floor_dom_of(dom);
	struct floor_cc *c = aligned_alloc(64, sizeof *c);
	if (c == NULL)
		return NULL;
	*c = (struct floor_cc){ .rec.d = d };
	for (unsigned i = 0; i < FLOOR_WAYS; i++)
		c->way[i] = FLOOR_EMPTY;
	return (rl_tether_thread *)(void *)c;
}

static inline void floor_cc_unregister(rl_tether_thread *t)
{
	struct floor_cc *c = floor_cc_of(t);
	for (unsigned i = 0; i < FLOOR_WAYS; i++)
		if (c->way[i] != FLOOR_EMPTY)
			floor_cc_unpin(c->rec.d, c->way[i]);
	while (c->nextra != 0)
		floor_cc_unpin(c->rec.d, c->extra[--c->nextra]);
	free(c);
}

/* ---- the five floors as schemes ----------------------------------------------------------- */
#define FLOOR_DOMAIN(fn, asym, hazard)                                                                  \
	static inline rl_tether_domain *fn(const struct rl_tether_config *cfg, char *err, size_t errlen) \
	{                                                                                                \
		return floor_dom_new(cfg, asym, hazard, err, errlen);                                    \
	}
FLOOR_DOMAIN(floor_cc_domain, false, false)
FLOOR_DOMAIN(floor_ebr_domain, true, false)
FLOOR_DOMAIN(floor_ebr_sc_domain, false, false)
FLOOR_DOMAIN(floor_hp_domain, false, true)
FLOOR_DOMAIN(floor_hp_asym_domain, true, true)

static inline rl_region *floor_ebr_tether(rl_tether_thread *t, rl_tether_slot *s) { return floor_ebr_tether_(t, s, true); }
static inline rl_region *floor_ebr_sc_tether(rl_tether_thread *t, rl_tether_slot *s) { return floor_ebr_tether_(t, s, false); }
static inline rl_region *floor_hp_tether(rl_tether_thread *t, rl_tether_slot *s) { return floor_hp_tether_(t, s, false); }
static inline rl_region *floor_hp_asym_tether(rl_tether_thread *t, rl_tether_slot *s) { return floor_hp_tether_(t, s, true); }

/* The loops: noinline, so that callgrind reports each floor's loop by name. */
#define FLOOR_LOOP(fn, tether, untether, quiesce)                                        \
	static __attribute__((noinline)) void fn(rl_tether_thread *t, struct rl_tether_loop *l) \
	{                                                                                 \
		rl_tether_loop_run(t, l, tether, untether, quiesce);                      \
	}
FLOOR_LOOP(floor_cc_loop, floor_cc_tether, floor_cc_untether, floor_cc_quiesce)
FLOOR_LOOP(floor_ebr_loop, floor_ebr_tether, floor_ebr_untether, floor_nop)
FLOOR_LOOP(floor_ebr_sc_loop, floor_ebr_sc_tether, floor_ebr_untether, floor_nop)
FLOOR_LOOP(floor_hp_loop, floor_hp_tether, floor_hp_untether, floor_nop)
FLOOR_LOOP(floor_hp_asym_loop, floor_hp_asym_tether, floor_hp_untether, floor_nop)

#define FLOOR_SCHEME(NAME, DOMAIN, REGISTER, UNREGISTER, ATTACH, TETHER, UNTETHER, RETIRE, QUIESCE, LOOP) \
	{                                                                                                 \
		.name = NAME, .summary = "reference floor (bench/tether_floor.h)", .caps = 0,                 \
		.options = NULL, .domain_create = DOMAIN, .domain_destroy = floor_dom_free,               \
		.thread_register = REGISTER, .thread_unregister = UNREGISTER, .attach = ATTACH,           \
		.publish = floor_publish, .tether = TETHER, .untether = UNTETHER, .retire = RETIRE,       \
		.quiesce = QUIESCE, .offline = QUIESCE, .online = floor_nop, .loop = LOOP,                \
	}

static const struct rl_tether_scheme rl_tether_floors[] = {
	FLOOR_SCHEME("floor-cc", floor_cc_domain, floor_cc_register, floor_cc_unregister, floor_cc_attach,
		     floor_cc_tether, floor_cc_untether, floor_cc_retire, floor_cc_quiesce, floor_cc_loop),
	FLOOR_SCHEME("floor-ebr", floor_ebr_domain, floor_register, floor_unregister, floor_attach_none,
		     floor_ebr_tether, floor_ebr_untether, floor_retire, floor_nop, floor_ebr_loop),
	FLOOR_SCHEME("floor-ebr-sc", floor_ebr_sc_domain, floor_register, floor_unregister, floor_attach_none,
		     floor_ebr_sc_tether, floor_ebr_untether, floor_retire, floor_nop, floor_ebr_sc_loop),
	FLOOR_SCHEME("floor-hp", floor_hp_domain, floor_register, floor_unregister, floor_attach_none,
		     floor_hp_tether, floor_hp_untether, floor_retire, floor_nop, floor_hp_loop),
	FLOOR_SCHEME("floor-hp-asym", floor_hp_asym_domain, floor_register, floor_unregister, floor_attach_none,
		     floor_hp_asym_tether, floor_hp_untether, floor_retire, floor_nop, floor_hp_asym_loop),
};
#define RL_TETHER_NFLOORS (sizeof rl_tether_floors / sizeof *rl_tether_floors)

#endif
