/* ck-hp: Concurrency Kit's ck_hp hazard pointers behind the tether interface
 * (an anchor).
 *
 * Invariant (Michael's, as ck_hp implements it): a reader sets a hazard with
 * ck_hp_set_fence (an atomic exchange on x86: a full fence) and re-reads the
 * slot; ck_hp_free defers a retired region into the record's pending list and
 * ck_hp_reclaim, once `threshold` are pending, frees every one no hazard
 * names.  A tethered region cannot be freed (the validated hazard names it,
 * and the retirer's unpublish came before its scan); a retired one is surely
 * freed: ck_hp_purge at unregister spins until no hazard names its pending
 * regions.  Bounded with a stalled reader: a scan keeps at most the hazarded
 * regions, so a record's pending list stays under threshold + hazards. */
#include <ck_hp.h>

#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/hot_pool.h"
#include "strategies/tether/records.h"
#include "strategies/tether/reader_loop.h"

#define CKHP_MAX 63

struct rl_tether_domain {
	ck_hp_t hp;
	rl_region_free_fn free_region;
	void *env;
	unsigned hazards;
	struct rl_hot_pool hot; /* the hazard arrays */
	struct rl_rec_list recs;
};

struct rl_tether_thread {
	ck_hp_record_t rec; /* first: cache-line aligned */
	struct rl_rec_link link;
	struct rl_tether_domain *d;
	void **ptr;         /* the record's hazard array (a hot cell) */
	unsigned hazards;   /* the domain's, for the nested slow path */
};

struct deferred {
	ck_hp_hazard_t hazard;
	rl_region *r;
	struct rl_tether_domain *d;
};

static void ckhp_free_cb(void *p)
{
	struct deferred *x = p;
	x->d->free_region(x->r, x->d->env);
	free(x);
}

enum { OPT_HAZARDS, OPT_THRESHOLD };
static const struct rl_option ckhp_options[] = {
	[OPT_HAZARDS] = RL_OPTION_INT("hazards", "2", 1, CKHP_MAX, "hazard pointers per thread"),
	[OPT_THRESHOLD] = RL_OPTION_INT("threshold", "64", 1, 1u << 20, "pending frees before ck_hp_reclaim runs"),
	RL_OPTIONS_END,
};

static rl_tether_domain *ckhp_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	size_t hazards = rl_opt_int(cfg->opts, &ckhp_options[OPT_HAZARDS]);
	size_t threshold = rl_opt_int(cfg->opts, &ckhp_options[OPT_THRESHOLD]);
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "ck-hp", err, errlen);
	if (d == NULL)
		return NULL;
	ck_hp_init(&d->hp, (unsigned)hazards, (unsigned)threshold, ckhp_free_cb);
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	d->hazards = (unsigned)hazards;
	rl_hot_init(&d->hot, hazards * sizeof(void *), cfg->layout);
	return d;
}

static void ckhp_domain_destroy(rl_tether_domain *d)
{
	/* Every record was purged at unregister; purge again anyway (ck_hp
	 * scans every record, so all must stay valid until the last), then free. */
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = l->next)
		ck_hp_purge(&rl_container_of(l, rl_tether_thread, link)->rec);
	rl_rec_free_all(&d->recs, offsetof(rl_tether_thread, link));
	rl_hot_fini(&d->hot);
	free(d);
}

static rl_tether_thread *ckhp_thread_register(rl_tether_domain *d)
{
	struct rl_rec_link *l = rl_rec_claim(&d->recs);
	if (l != NULL)
		return rl_container_of(l, rl_tether_thread, link);
	rl_tether_thread *t = rl_rec_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	*t = (rl_tether_thread){ .d = d, .hazards = d->hazards };
	t->ptr = rl_hot_get(&d->hot);
	if (t->ptr == NULL) {
		free(t);
		return NULL;
	}
	ck_hp_register(&d->hp, &t->rec, t->ptr);
	rl_rec_push(&d->recs, &t->link);
	return t;
}

static void ckhp_thread_unregister(rl_tether_thread *t)
{
	ck_hp_clear(&t->rec);
	ck_hp_purge(&t->rec); /* spins until no hazard names a pending region */
	rl_rec_release(&t->link); /* the ck record stays registered, with no hazard */
}

/* A slot of the record whose pointer is NULL, for a tether while slot 0 is
 * busy (a nested tether): out of line. */
static __attribute__((noinline)) unsigned ckhp_free_slot(rl_tether_thread *t)
{
	for (unsigned i = 1; i < t->hazards; i++)
		if (ck_pr_load_ptr(&t->ptr[i]) == NULL)
			return i;
	fprintf(stderr, "regionlab: tether ck-hp: more than %u tethers held by one thread\n", t->hazards);
	abort();
}

/* ck_hp's read protocol as its users write it: load, ck_hp_set_fence on a
 * hazard slot of the record, load again until it holds.  The slot is 0
 * unless the thread already holds a tether there. */
static inline rl_region *ckhp_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_relaxed); /* validated below */
	if (w == 0)
		return NULL;
	unsigned i = __builtin_expect(ck_pr_load_ptr(&t->ptr[0]) == NULL, 1) ? 0 : ckhp_free_slot(t);
	for (;;) {
		ck_hp_set_fence(&t->rec, i, (void *)w);
		/* acquire: pairs with publish's release. */
		uintptr_t again = atomic_load_explicit(&slot->word, memory_order_acquire);
		if (__builtin_expect(again == w, 1))
			return (rl_region *)w;
		if (again == 0) {
			ck_hp_set(&t->rec, i, NULL);
			return NULL;
		}
		w = again;
	}
}

/* Clears the slot other than 0 that holds r (a nested tether). */
static __attribute__((noinline)) void ckhp_untether_slow(rl_tether_thread *t, rl_region *r)
{
	for (unsigned i = 1; i < t->hazards; i++) {
		if (ck_pr_load_ptr(&t->ptr[i]) == (void *)r) {
			ck_pr_fence_release(); /* as in ckhp_untether */
			ck_hp_set(&t->rec, i, NULL);
			return;
		}
	}
}

static inline void ckhp_untether(rl_tether_thread *t, rl_region *r)
{
	if (__builtin_expect(ck_pr_load_ptr(&t->ptr[0]) == (void *)r, 1)) {
		ck_pr_fence_release(); /* our reads of r come before the clear */
		ck_hp_set(&t->rec, 0, NULL);
	} else {
		ckhp_untether_slow(t, r);
	}
}

static void ckhp_retire(rl_tether_thread *t, rl_region *r)
{
	struct deferred *x = malloc(sizeof *x);
	if (x == NULL) { /* no memory to defer: ck_hp_free needs an entry */
		fprintf(stderr, "regionlab: tether ck-hp: out of memory\n");
		abort();
	}
	x->r = r;
	x->d = t->d;
	ck_hp_free(&t->rec, &x->hazard, x, r);
}

static rl_region *ckhp_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return ckhp_tether(t, slot); }
static void ckhp_untether_op(rl_tether_thread *t, rl_region *r) { ckhp_untether(t, r); }

static void ckhp_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, ckhp_tether, ckhp_untether, rl_tether_no_quiesce);
}

const struct rl_tether_scheme rl_tether_ck_hp = {
	.name = "ck-hp",
	.summary = "Concurrency Kit ck_hp: ck_hp_set_fence per tether, ck_hp_free + reclaim past a threshold (anchor)",
	.caps = RL_TETHER_ANCHOR | RL_TETHER_OPAQUE | RL_TETHER_BOUNDED,
	.options = ckhp_options,
	.domain_create = ckhp_domain_create,
	.domain_destroy = ckhp_domain_destroy,
	.thread_register = ckhp_thread_register,
	.thread_unregister = ckhp_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = ckhp_tether_op,
	.untether = ckhp_untether_op,
	.retire = ckhp_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = ckhp_loop,
};
