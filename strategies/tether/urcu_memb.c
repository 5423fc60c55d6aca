/* urcu-memb: liburcu's memb flavor behind the tether interface (an anchor).
 *
 * memb: read_lock/unlock bump a per-thread nesting count with a compiler
 * barrier; synchronize_rcu issues membarrier to order the readers.
 *
 * Invariant (liburcu's): a tether is a read-side critical section; retire
 * hands the region to call_rcu, whose worker thread frees it after a grace
 * period, i.e. once every reader that could have loaded it from a slot has
 * left its critical section.  A tethered region cannot be freed (its reader's
 * critical section holds the grace period back); a retired one is surely freed
 * (grace periods end when critical sections end; destroy runs rcu_barrier).
 * Unbounded with a stalled reader.
 *
 * The RCU domain is the process: records bind to the OS thread that
 * registered them, and one thread may not hold two urcu-memb records at once.
 * The fast path is the library's inline one (_LGPL_SOURCE). */
#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>

#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/common.h"

struct rl_tether_domain {
	rl_region_free_fn free_region;
	void *env;
};

struct rl_tether_thread {
	struct rl_tether_domain *d;
};

struct deferred {
	struct rcu_head head;
	rl_region *r;
	struct rl_tether_domain *d;
};

static rl_tether_domain *u_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	rl_tether_domain *d = calloc(1, sizeof *d);
	if (d == NULL) {
		snprintf(err, errlen, "tether urcu-memb: out of memory");
		return NULL;
	}
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	return d;
}

static void u_domain_destroy(rl_tether_domain *d)
{
	urcu_memb_barrier(); /* every call_rcu callback has run */
	free(d);
}

static rl_tether_thread *u_thread_register(rl_tether_domain *d)
{
	rl_tether_thread *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->d = d;
	urcu_memb_register_thread();
	return t;
}

static void u_thread_unregister(rl_tether_thread *t)
{
	urcu_memb_unregister_thread();
	free(t);
}

static inline rl_region *u_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	(void)t;
	urcu_memb_read_lock();
	/* acquire: pairs with publish's release (rcu_dereference's role). */
	rl_region *r = rl_plain_load(slot, memory_order_acquire);
	if (r == NULL)
		urcu_memb_read_unlock();
	return r;
}

static inline void u_untether(rl_tether_thread *t, rl_region *r)
{
	(void)t;
	(void)r;
	urcu_memb_read_unlock();
}

static void u_free_cb(struct rcu_head *h)
{
	struct deferred *x = caa_container_of(h, struct deferred, head);
	x->d->free_region(x->r, x->d->env);
	free(x);
}

static void u_retire(rl_tether_thread *t, rl_region *r)
{
	struct deferred *x = malloc(sizeof *x);
	if (x == NULL) { /* no memory to defer: wait for a grace period here */
		urcu_memb_synchronize_rcu();
		t->d->free_region(r, t->d->env);
		return;
	}
	x->r = r;
	x->d = t->d;
	urcu_memb_call_rcu(&x->head, u_free_cb);
}

static inline void u_quiesce(rl_tether_thread *t)
{
	(void)t;
}

static void u_quiesce_op(rl_tether_thread *t) { u_quiesce(t); }

static void u_offline(rl_tether_thread *t)
{
	(void)t;
}

static void u_online(rl_tether_thread *t)
{
	(void)t;
}

static rl_region *u_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return u_tether(t, slot); }
static void u_untether_op(rl_tether_thread *t, rl_region *r) { u_untether(t, r); }

static void u_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, u_tether, u_untether, u_quiesce);
}

const struct rl_tether_scheme rl_tether_urcu_memb = {
	.name = "urcu-memb",
	.summary = "liburcu memb: per-thread nesting count, membarrier on the writer side (anchor)",
	.caps = RL_TETHER_ANCHOR | RL_TETHER_OPAQUE | RL_TETHER_ASYNC,
	.options = RL_TETHER_RUN_KEYS,
	.domain_create = u_domain_create,
	.domain_destroy = u_domain_destroy,
	.thread_register = u_thread_register,
	.thread_unregister = u_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = u_tether_op,
	.untether = u_untether_op,
	.retire = u_retire,
	.quiesce = u_quiesce_op,
	.offline = u_offline,
	.online = u_online,
	.loop = u_loop,
};
