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

#include "strategies/tether/urcu.h"

static rl_tether_domain *u_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	return rl_urcu_domain_create(cfg, &urcu_memb_flavor, "urcu-memb", err, errlen);
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

static inline void u_quiesce(rl_tether_thread *t)
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
	.options = NULL,
	.domain_create = u_domain_create,
	.domain_destroy = rl_urcu_domain_destroy,
	.thread_register = rl_urcu_thread_register,
	.thread_unregister = rl_urcu_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = u_tether_op,
	.untether = u_untether_op,
	.retire = rl_urcu_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = u_loop,
};
