/* hazard, hazard-asym: hazard pointers to regions (design section 3.2).
 *
 * Invariant.  A reader publishes the slot word it loaded in one of its
 * hazard words, fences, and loads the slot again; it uses the region only if
 * the slot still names it.  A reclaimer frees a retired region only when,
 * after a fence, no hazard word holds it.  A tethered region cannot be freed:
 * the retirer unpublished r before scanning, so if the scan missed the
 * reader's hazard, the fences order the reader's second load after the
 * unpublish and the reader saw another region and retried (store-load on
 * both sides: the classic Dekker pair).  A retired region is surely freed:
 * each writer scans its retire list once it holds `scan` regions (default
 * max(64, 2 x hazards x threads)), frees everything not hazarded, and at
 * unregister hands what is left to the domain; at destroy no hazard is held.
 * Bounded with a stalled reader: after a scan a list keeps at most one
 * region per hazard word, so unreclaimed <= writers x (scan + threads x hazards).
 *
 * hazard issues a full barrier on every tether (a seq_cst exchange, like
 * ck_hp_set_fence: Michael's original); hazard-asym
 * publishes with a compiler barrier only and the reclaimer runs
 * membarrier(PRIVATE_EXPEDITED) before its scan, which executes a full
 * barrier on every thread of the process (folly's asymmetric fence).
 *
 * A hazard word is free when it holds 0 (only its owner writes it), so a
 * thread keeps no other bookkeeping: the common case (nothing held) takes
 * hp[0] and falls through; a nested tether searches the other words out of
 * line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/fence.h"
#include "strategies/tether/hot_pool.h"
#include "strategies/tether/records.h"
#include "strategies/tether/retired.h"
#include "strategies/tether/reader_loop.h"

#define HP_MAX 63

struct rl_tether_domain {
	rl_region_free_fn free_region;
	void *env;
	bool asym;
	unsigned hazards; /* per thread */
	size_t scan;      /* 0: automatic */
	struct rl_hot_pool hot; /* hazard arrays */
	struct rl_rec_list recs;
	struct rl_orphans orphans;
};

struct rl_tether_thread {
	struct rl_rec_link link;
	struct rl_tether_domain *d;
	_Atomic uintptr_t *hp; /* `hazards` words, a hot cell */
	unsigned hazards;      /* the domain's, kept here for the fast path */
	struct rl_retired retired;
	uintptr_t *snap;       /* hazards seen by the last scan, sorted */
	size_t snap_cap;
	bool *keep;
	size_t keep_cap;
};

enum { OPT_HAZARDS, OPT_SCAN };
static const struct rl_option hazard_options[] = {
	[OPT_HAZARDS] = RL_OPTION_INT("hazards", "2", 1, HP_MAX, "hazard pointers per thread"),
	[OPT_SCAN] = RL_OPTION_INT("scan", "0", 0, 1u << 20,
				   "retired regions a writer holds before it scans (0: max(64, 2 x hazards x threads))"),
	RL_OPTIONS_END,
};

static rl_tether_domain *hp_create(const struct rl_tether_config *cfg, const char *name, bool asym_default,
				   char *err, size_t errlen)
{
	size_t hazards = rl_opt_int(cfg->opts, &hazard_options[OPT_HAZARDS]);
	size_t scan = rl_opt_int(cfg->opts, &hazard_options[OPT_SCAN]);
	bool asym = asym_default;
	if (asym && rl_membarrier_init(err, errlen) != 0)
		return NULL;
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, name, err, errlen);
	if (d == NULL)
		return NULL;
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	d->asym = asym;
	d->hazards = (unsigned)hazards;
	d->scan = scan;
	rl_hot_init(&d->hot, hazards * sizeof(uintptr_t), cfg->layout);
	rl_orphans_init(&d->orphans);
	return d;
}

static rl_tether_domain *hazard_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	return hp_create(cfg, "hazard", false, err, errlen);
}

static rl_tether_domain *hazard_asym_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	return hp_create(cfg, "hazard-asym", true, err, errlen);
}

static void hp_domain_destroy(rl_tether_domain *d)
{
	struct rl_rec_link *next;
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = next) {
		next = l->next;
		rl_tether_thread *t = rl_container_of(l, rl_tether_thread, link);
		free(t->snap);
		free(t->keep);
		rl_retired_fini(&t->retired); /* emptied into the orphans at unregister */
		free(t);
	}
	/* No thread is left: no hazard is held. */
	rl_orphans_drain(&d->orphans, d->free_region, d->env);
	rl_hot_fini(&d->hot);
	free(d);
}

static rl_tether_thread *hp_thread_register(rl_tether_domain *d)
{
	struct rl_rec_link *l = rl_rec_claim(&d->recs);
	if (l != NULL) {
		return rl_container_of(l, rl_tether_thread, link); /* its words were cleared at unregister */
	}
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	t->hp = rl_hot_get(&d->hot);
	if (t->hp == NULL) {
		free(t);
		return NULL;
	}
	for (unsigned i = 0; i < d->hazards; i++)
		atomic_init(&t->hp[i], 0);
	t->d = d;
	t->hazards = d->hazards;
	rl_rec_push(&d->recs, &t->link);
	return t;
}

static int cmp_uptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

static bool hazarded(const uintptr_t *v, size_t n, uintptr_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x;
}

/* Frees every region of q that no hazard names; false when out of memory. */
static bool hp_filter(rl_tether_thread *t, struct rl_retired *q, size_t nsnap)
{
	rl_tether_domain *d = t->d;
	if (q->len > t->keep_cap) {
		bool *k = realloc(t->keep, q->len * sizeof *k);
		if (k == NULL)
			return false;
		t->keep = k;
		t->keep_cap = q->len;
	}
	for (size_t i = 0; i < q->len; i++) {
		rl_region *r = rl_retired_at(q, i)->r;
		t->keep[i] = hazarded(t->snap, nsnap, (uintptr_t)r);
		if (!t->keep[i])
			d->free_region(r, d->env);
	}
	rl_retired_compact(q, t->keep);
	return true;
}

static void hp_scan(rl_tether_thread *t)
{
	rl_tether_domain *d = t->d;
	/* Adopt the orphans first: every region we filter must have been
	 * unpublished before the snapshot below (an orphan handed over after
	 * the snapshot could be tethered by a reader the snapshot missed). */
	struct rl_retired *orphans = rl_orphans_trylock(&d->orphans);
	if (orphans != NULL) {
		(void)rl_retired_append(&t->retired, orphans); /* no memory: they stay orphans */
		rl_orphans_unlock(&d->orphans);
	}
	size_t need = atomic_load_explicit(&d->recs.count, memory_order_relaxed) * d->hazards;
	/* Every hazard published before a reader's validating load is visible
	 * from here on: pairs with rl_announce in hp_tether. */
	rl_fence_heavy(d->asym);
	size_t n = 0;
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = l->next) {
		rl_tether_thread *o = rl_container_of(l, rl_tether_thread, link);
		for (unsigned i = 0; i < d->hazards; i++) {
			/* acquire: pairs with the release stores of hp_tether and
			 * hp_untether: the holder's reads of a region happen before
			 * we free it. */
			uintptr_t v = atomic_load_explicit(&o->hp[i], memory_order_acquire);
			if (v == 0)
				continue;
			if (n == t->snap_cap) {
				size_t cap = t->snap_cap ? 2 * t->snap_cap : (need > 16 ? need : 16);
				uintptr_t *s = realloc(t->snap, cap * sizeof *s);
				if (s == NULL)
					return; /* keep everything; try again at the next scan */
				t->snap = s;
				t->snap_cap = cap;
			}
			t->snap[n++] = v;
		}
	}
	if (n > 1)
		qsort(t->snap, n, sizeof *t->snap, cmp_uptr);
	hp_filter(t, &t->retired, n);
}

static void hp_scan_env(void *t) { hp_scan(t); }

static size_t hp_threshold(rl_tether_domain *d)
{
	if (d->scan != 0)
		return d->scan;
	size_t auto_scan = 2 * d->hazards * atomic_load_explicit(&d->recs.count, memory_order_relaxed);
	return auto_scan > 64 ? auto_scan : 64;
}

/* True when some hazard names r (after a heavy fence). */
static bool hp_held(rl_tether_domain *d, rl_region *r)
{
	rl_fence_heavy(d->asym); /* as in hp_scan */
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = l->next) {
		rl_tether_thread *o = rl_container_of(l, rl_tether_thread, link);
		for (unsigned i = 0; i < d->hazards; i++)
			if (atomic_load_explicit(&o->hp[i], memory_order_acquire) == (uintptr_t)r) /* as in hp_scan */
				return true;
	}
	return false;
}

static void hp_retire(rl_tether_thread *t, rl_region *r)
{
	rl_tether_domain *d = t->d;
	if (rl_retired_push(&t->retired, r, 0) != 0) {
		/* No memory to defer r: wait until no hazard names it. */
		while (hp_held(d, r))
			sched_yield();
		d->free_region(r, d->env);
		return;
	}
	if (t->retired.len >= hp_threshold(d))
		hp_scan(t);
}

static void hp_thread_unregister(rl_tether_thread *t)
{
	rl_tether_domain *d = t->d;
	for (unsigned i = 0; i < d->hazards; i++)
		atomic_store_explicit(&t->hp[i], 0, memory_order_release); /* pairs with the scans' acquire */
	hp_scan(t);
	rl_orphans_give(&d->orphans, &t->retired, hp_scan_env, t);
	rl_rec_release(&t->link);
}

/* A free hazard word of t (one that holds 0), for a tether while hp[0] is
 * busy: the general search, out of line. */
static __attribute__((noinline)) unsigned hp_free_slot(rl_tether_thread *t)
{
	for (unsigned i = 1; i < t->hazards; i++)
		if (atomic_load_explicit(&t->hp[i], memory_order_relaxed) == 0) /* relaxed: our own word */
			return i;
	fprintf(stderr, "regionlab: tether hazard: more than %u tethers held by one thread (hazards=N)\n", t->hazards);
	abort();
}

/* The common case (nothing held) publishes in hp[0]; a free word is one
 * that holds 0, so there is no bookkeeping beside the hazard words. */
static inline __attribute__((always_inline)) rl_region *hp_tether(rl_tether_thread *t, rl_tether_slot *slot,
								   bool asym)
{
	/* relaxed: validated by the seq_cst load below. */
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_relaxed);
	if (w == 0)
		return NULL;
	/* relaxed: only this thread writes its own hazard words. */
	unsigned i = __builtin_expect(atomic_load_explicit(&t->hp[0], memory_order_relaxed) == 0, 1)
			     ? 0
			     : hp_free_slot(t);
	for (;;) {
		/* Store-load: the hazard is visible before the slot is read
		 * again; pairs with rl_fence_heavy in hp_scan.  release (asym):
		 * orders this thread's earlier reads (of regions it untethered)
		 * before a scan that sees this value. */
		rl_announce(&t->hp[i], w, asym, memory_order_release);
		/* seq_cst (acquire at least): pairs with publish's release (r's
		 * contents); seq_cst for the symmetric store-load order. */
		uintptr_t again = atomic_load_explicit(&slot->word, memory_order_seq_cst);
		if (__builtin_expect(again == w, 1))
			return (rl_region *)w;
		if (again == 0) { /* emptied meanwhile: the word goes back to free */
			atomic_store_explicit(&t->hp[i], 0, memory_order_release);
			return NULL;
		}
		w = again;
	}
}

/* Clears the hazard word other than hp[0] that names r. */
static __attribute__((noinline)) void hp_untether_slow(rl_tether_thread *t, rl_region *r)
{
	for (unsigned i = 1; i < t->hazards; i++) {
		if (atomic_load_explicit(&t->hp[i], memory_order_relaxed) == (uintptr_t)r) {
			atomic_store_explicit(&t->hp[i], 0, memory_order_release); /* as in hp_untether */
			return;
		}
	}
}

static inline void hp_untether(rl_tether_thread *t, rl_region *r)
{
	/* relaxed: our own word. */
	if (__builtin_expect(atomic_load_explicit(&t->hp[0], memory_order_relaxed) == (uintptr_t)r, 1))
		/* release: our reads of r happen before a scan that sees 0. */
		atomic_store_explicit(&t->hp[0], 0, memory_order_release);
	else
		hp_untether_slow(t, r);
}

static inline rl_region *hazard_tether(rl_tether_thread *t, rl_tether_slot *slot) { return hp_tether(t, slot, false); }
static inline rl_region *hazard_asym_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	return hp_tether(t, slot, true);
}
static void hp_untether_op(rl_tether_thread *t, rl_region *r) { hp_untether(t, r); }

static void hazard_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, hazard_tether, hp_untether, rl_tether_no_quiesce);
}

static void hazard_asym_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, hazard_asym_tether, hp_untether, rl_tether_no_quiesce);
}

static rl_region *hazard_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return hazard_tether(t, slot); }
static rl_region *hazard_asym_tether_op(rl_tether_thread *t, rl_tether_slot *slot)
{
	return hazard_asym_tether(t, slot);
}

const struct rl_tether_scheme rl_tether_hazard = {
	.name = "hazard",
	.summary = "hazard pointers to regions, full fence per tether, retire list scanned past a threshold (design 3.2)",
	.caps = RL_TETHER_BOUNDED,
	.options = hazard_options,
	.domain_create = hazard_domain_create,
	.domain_destroy = hp_domain_destroy,
	.thread_register = hp_thread_register,
	.thread_unregister = hp_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = hazard_tether_op,
	.untether = hp_untether_op,
	.retire = hp_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = hazard_loop,
};

const struct rl_tether_scheme rl_tether_hazard_asym = {
	.name = "hazard-asym",
	.summary = "hazard pointers published with a compiler barrier; the reclaimer runs membarrier before scanning",
	.caps = RL_TETHER_BOUNDED,
	.options = hazard_options,
	.domain_create = hazard_asym_domain_create,
	.domain_destroy = hp_domain_destroy,
	.thread_register = hp_thread_register,
	.thread_unregister = hp_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = hazard_asym_tether_op,
	.untether = hp_untether_op,
	.retire = hp_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = hazard_asym_loop,
};
