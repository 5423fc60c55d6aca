/* Epoch-based reclamation (see epoch.h). */
#include "strategies/tether/epoch.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/tether/scheme_base.h"

void rl_ebr_init(struct rl_ebr *e, bool asym, size_t threshold, struct rl_hot_pool *hot, rl_ebr_free_fn fr,
		 void *env)
{
	memset(e, 0, sizeof *e);
	atomic_init(&e->epoch, 0);
	e->asym = asym;
	e->threshold = threshold ? threshold : 1;
	e->free = fr;
	e->env = env;
	e->hot = hot;
	atomic_init(&e->recs.head, NULL);
	atomic_init(&e->recs.count, 0);
	rl_orphans_init(&e->orphans);
}

struct rl_ebr_rec *rl_ebr_register(struct rl_ebr *e)
{
	struct rl_rec_link *l = rl_rec_claim(&e->recs);
	if (l != NULL) {
		struct rl_ebr_rec *rec = rl_container_of(l, struct rl_ebr_rec, link);
		rec->open = 0;
		rec->nest = 0;
		rec->since = 0;
		return rec;
	}
	struct rl_ebr_rec *rec = calloc(1, sizeof *rec);
	if (rec == NULL)
		return NULL;
	rec->state = rl_hot_get(e->hot);
	if (rec->state == NULL) {
		free(rec);
		return NULL;
	}
	atomic_init(rec->state, 0);
	rec->e = e;
	rl_rec_push(&e->recs, &rec->link);
	return rec;
}

/* Advances the global epoch if every active record announced it; returns
 * the epoch now (after our attempt). */
static uint64_t ebr_try_advance(struct rl_ebr *e)
{
	uint64_t g = atomic_load_explicit(&e->epoch, memory_order_acquire); /* pairs with the CAS below */
	/* Every reader's announcement made before its slot loads is visible
	 * now: pairs with rl_announce in rl_ebr_enter. */
	rl_fence_heavy(e->asym);
	for (struct rl_rec_link *l = rl_rec_first(&e->recs); l != NULL; l = l->next) {
		struct rl_ebr_rec *rec = rl_container_of(l, struct rl_ebr_rec, link);
		/* acquire: pairs with rl_ebr_exit's release, so a closed
		 * section's reads happen before what we free. */
		uint64_t s = atomic_load_explicit(rec->state, memory_order_acquire);
		if ((s & 1u) && (s >> 1) != g)
			return g;
	}
	uint64_t want = g;
	/* acq_rel: release passes what this scan saw (sections closed) on to
	 * any thread that frees after reading the new epoch with acquire. */
	if (atomic_compare_exchange_strong_explicit(&e->epoch, &want, g + 1, memory_order_acq_rel,
						    memory_order_acquire))
		return g + 1;
	return want;
}

static void ebr_free_orphans(struct rl_ebr *e, uint64_t g)
{
	struct rl_retired *q = rl_orphans_trylock(&e->orphans);
	if (q == NULL)
		return;
	size_t j = 0;
	for (size_t i = 0; i < q->len; i++) {
		struct rl_retired_ent *x = rl_retired_at(q, i);
		if (x->stamp + 2 <= g)
			e->free(x->r, e->env);
		else
			q->v[q->head + j++] = *x;
	}
	q->len = j;
	rl_orphans_unlock(&e->orphans);
}

void rl_ebr_collect(struct rl_ebr_rec *rec)
{
	struct rl_ebr *e = rec->e;
	uint64_t g = ebr_try_advance(e);
	struct rl_retired *q = &rec->retired;
	/* Stamps are nondecreasing in a record's own list: free a prefix. */
	while (q->len != 0 && q->v[q->head].stamp + 2 <= g) {
		rl_region *r = q->v[q->head].r;
		q->head++;
		q->len--;
		e->free(r, e->env);
	}
	if (q->len == 0)
		q->head = 0;
	ebr_free_orphans(e, g);
}

void rl_ebr_retire(struct rl_ebr_rec *rec, rl_region *r)
{
	struct rl_ebr *e = rec->e;
	/* The unpublish of r (before this call) is ordered before the stamp:
	 * a reader that could still see r announced an epoch <= the stamp. */
	rl_fence_full();
	uint64_t g = atomic_load_explicit(&e->epoch, memory_order_relaxed);
	if (rl_retired_push(&rec->retired, r, g) != 0) {
		/* No memory to defer: wait for two advances and free now. */
		while (ebr_try_advance(e) < g + 2)
			sched_yield();
		e->free(r, e->env);
		return;
	}
	if (++rec->since >= e->threshold) {
		rec->since = 0;
		rl_ebr_collect(rec);
	}
}

static void ebr_collect_env(void *rec) { rl_ebr_collect(rec); }

void rl_ebr_unregister(struct rl_ebr_rec *rec)
{
	rl_ebr_collect(rec);
	rl_orphans_give(&rec->e->orphans, &rec->retired, ebr_collect_env, rec);
	atomic_store_explicit(rec->state, 0, memory_order_release); /* pairs with the scan's acquire */
	rl_rec_release(&rec->link);
}

void rl_ebr_fini(struct rl_ebr *e)
{
	struct rl_rec_link *next;
	for (struct rl_rec_link *l = rl_rec_first(&e->recs); l != NULL; l = next) {
		next = l->next;
		struct rl_ebr_rec *rec = rl_container_of(l, struct rl_ebr_rec, link);
		rl_retired_drain(&rec->retired, e->free, e->env);
		free(rec); /* its hot cell goes with the scheme's pool */
	}
	rl_orphans_drain(&e->orphans, e->free, e->env);
}
