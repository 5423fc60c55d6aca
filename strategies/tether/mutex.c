/* mutex: the worked example of docs/tethering.md, the simplest correct
 * scheme: one mutex per domain guards every slot and a count per region.
 *
 * Invariant.  Every slot access, every count change and every retirement
 * happens under the domain's mutex.  A tether reads the slot and counts the
 * region it names in one critical section, so it counts exactly the region
 * the slot names at that instant, which is not retired (retire comes after
 * the unpublish, which took the same mutex).  A region is freed by whichever
 * of retire and the last untether finds it retired with a zero count: a
 * tethered region (count > 0) is never freed, and a retired one is freed as
 * soon as its last tether is returned.  Bounded with a stalled reader: only
 * the regions it holds stay.
 *
 * Why not one mutex per region: a reader does not know the region before it
 * reads the slot, and once it has read it the region may already be freed
 * (the load-then-increment race), so the lock that guards the slot must also
 * guard the count.  Every tether takes the one mutex: correct, and the
 * slowest scheme as soon as two threads read. */
#include <pthread.h>
#include <stdlib.h>

#include "strategies/tether/reader_loop.h"
#include "strategies/tether/scheme_base.h"

struct rl_tether_domain {
	pthread_mutex_t lock; /* the slots, and every region's mutex_count */
	rl_region_free_fn free_region;
	void *env;
};

struct rl_tether_thread {
	struct rl_tether_domain *d;
};

/* r->tether, read and written under the domain's mutex. */
struct mutex_count {
	size_t tethers;
	bool retired;
};

static rl_tether_domain *mutex_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "mutex", err, errlen);
	if (d == NULL)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	return d;
}

static void mutex_domain_destroy(rl_tether_domain *d)
{
	/* Every retired region was freed by its retire or its last untether. */
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static rl_tether_thread *mutex_thread_register(rl_tether_domain *d)
{
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t != NULL)
		t->d = d;
	return t;
}

static void mutex_thread_unregister(rl_tether_thread *t) { free(t); }

static int mutex_attach(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)t;
	(void)flags;
	r->tether = calloc(1, sizeof(struct mutex_count)); /* published by publish's unlock */
	return r->tether != NULL ? 0 : -1;
}

static rl_region *mutex_publish(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	pthread_mutex_lock(&t->d->lock);
	/* relaxed: the mutex orders every access to the slot. */
	rl_region *old = (rl_region *)atomic_exchange_explicit(&slot->word, (uintptr_t)r, memory_order_relaxed);
	pthread_mutex_unlock(&t->d->lock);
	return old;
}

/* The region's count is back to zero after its retirement: nobody can reach it. */
static void mutex_free(rl_tether_domain *d, rl_region *r)
{
	free(r->tether);
	r->tether = NULL;
	d->free_region(r, d->env);
}

static inline rl_region *mutex_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	pthread_mutex_lock(&t->d->lock);
	rl_region *r = rl_plain_load(slot, memory_order_relaxed); /* relaxed: as in publish */
	if (r != NULL)
		((struct mutex_count *)r->tether)->tethers++;
	pthread_mutex_unlock(&t->d->lock);
	return r;
}

static inline void mutex_untether(rl_tether_thread *t, rl_region *r)
{
	struct mutex_count *c = r->tether;
	pthread_mutex_lock(&t->d->lock);
	bool last = --c->tethers == 0 && c->retired;
	pthread_mutex_unlock(&t->d->lock);
	if (last)
		mutex_free(t->d, r);
}

static void mutex_retire(rl_tether_thread *t, rl_region *r)
{
	struct mutex_count *c = r->tether;
	pthread_mutex_lock(&t->d->lock);
	c->retired = true;
	bool unheld = c->tethers == 0;
	pthread_mutex_unlock(&t->d->lock);
	if (unheld)
		mutex_free(t->d, r);
}

static rl_region *mutex_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return mutex_tether(t, slot); }
static void mutex_untether_op(rl_tether_thread *t, rl_region *r) { mutex_untether(t, r); }

static void mutex_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, mutex_tether, mutex_untether, rl_tether_no_quiesce);
}

const struct rl_tether_scheme rl_tether_mutex = {
	.name = "mutex",
	.summary = "the worked example: one domain mutex guards the slots and a count per region",
	.caps = RL_TETHER_BOUNDED,
	.options = NULL,
	.domain_create = mutex_domain_create,
	.domain_destroy = mutex_domain_destroy,
	.thread_register = mutex_thread_register,
	.thread_unregister = mutex_thread_unregister,
	.attach = mutex_attach,
	.publish = mutex_publish,
	.tether = mutex_tether_op,
	.untether = mutex_untether_op,
	.retire = mutex_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = mutex_loop,
};
