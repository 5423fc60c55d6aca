/* The slow path the two liburcu anchors share (urcu_qsbr.c, urcu_memb.c):
 * domain, thread records and retire through call_rcu.  The flavors differ
 * here only in which library functions they call, so these take the
 * flavor's `struct rcu_flavor_struct` (urcu_qsbr_flavor, urcu_memb_flavor);
 * every verb reached through it is an out-of-line library call anyway.
 *
 * The read side (tether, untether, quiesce) stays in each flavor's file,
 * inlined from the library (_LGPL_SOURCE): the anchors' read-side cost is
 * a measured figure and gets no indirect call.
 *
 * Include after the flavor's <urcu/urcu-*.h>; internal to
 * strategies/tether/. */
#ifndef REGIONLAB_TETHER_URCU_H
#define REGIONLAB_TETHER_URCU_H

#include <stdlib.h>

#include <urcu/flavor.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/reader_loop.h"

struct rl_tether_domain {
	rl_region_free_fn free_region;
	void *env;
	const struct rcu_flavor_struct *flavor;
};

struct rl_tether_thread {
	struct rl_tether_domain *d;
};

struct rl_urcu_deferred {
	struct rcu_head head;
	rl_region *r;
	struct rl_tether_domain *d;
};

static rl_tether_domain *rl_urcu_domain_create(const struct rl_tether_config *cfg,
					       const struct rcu_flavor_struct *flavor, const char *name,
					       char *err, size_t errlen)
{
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, name, err, errlen);
	if (d == NULL)
		return NULL;
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	d->flavor = flavor;
	return d;
}

static void rl_urcu_domain_destroy(rl_tether_domain *d)
{
	d->flavor->barrier(); /* every call_rcu callback has run */
	free(d);
}

static rl_tether_thread *rl_urcu_thread_register(rl_tether_domain *d)
{
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	t->d = d;
	d->flavor->register_thread();
	return t;
}

static void rl_urcu_thread_unregister(rl_tether_thread *t)
{
	t->d->flavor->unregister_thread();
	free(t);
}

static void rl_urcu_free_cb(struct rcu_head *h)
{
	struct rl_urcu_deferred *x = caa_container_of(h, struct rl_urcu_deferred, head);
	x->d->free_region(x->r, x->d->env);
	free(x);
}

static void rl_urcu_retire(rl_tether_thread *t, rl_region *r)
{
	struct rl_urcu_deferred *x = malloc(sizeof *x);
	if (x == NULL) { /* no memory to defer: wait for a grace period here */
		t->d->flavor->update_synchronize_rcu();
		t->d->free_region(r, t->d->env);
		return;
	}
	x->r = r;
	x->d = t->d;
	t->d->flavor->update_call_rcu(&x->head, rl_urcu_free_cb);
}

#endif /* REGIONLAB_TETHER_URCU_H */
