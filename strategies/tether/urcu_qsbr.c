/* urcu-qsbr: liburcu's qsbr flavor behind the tether interface (an anchor).
 *
 * QSBR: read_lock/unlock compile to nothing; a thread reports quiescent
 * states (quiesce, every N tethers in the workload) and goes offline while it
 * sleeps.  A grace period ends once every online thread has passed one.
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
 * registered them, and one thread may not hold two urcu-qsbr records at once.
 * The fast path is the library's inline one (_LGPL_SOURCE). */
#define _LGPL_SOURCE
#include <urcu/urcu-qsbr.h>

#include "strategies/tether/urcu.h"

static rl_tether_domain *u_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	return rl_urcu_domain_create(cfg, &urcu_qsbr_flavor, "urcu-qsbr", err, errlen);
}

static inline rl_region *u_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	(void)t;
	urcu_qsbr_read_lock();
	/* acquire: pairs with publish's release (rcu_dereference's role). */
	rl_region *r = rl_plain_load(slot, memory_order_acquire);
	if (r == NULL)
		urcu_qsbr_read_unlock();
	return r;
}

static inline void u_untether(rl_tether_thread *t, rl_region *r)
{
	(void)t;
	(void)r;
	urcu_qsbr_read_unlock();
}

static inline void u_quiesce(rl_tether_thread *t)
{
	(void)t;
	urcu_qsbr_quiescent_state();
}

static void u_quiesce_op(rl_tether_thread *t) { u_quiesce(t); }

static void u_offline(rl_tether_thread *t)
{
	(void)t;
	urcu_qsbr_thread_offline();
}

static void u_online(rl_tether_thread *t)
{
	(void)t;
	urcu_qsbr_thread_online();
}

static rl_region *u_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return u_tether(t, slot); }
static void u_untether_op(rl_tether_thread *t, rl_region *r) { u_untether(t, r); }

static void u_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, u_tether, u_untether, u_quiesce);
}

const struct rl_tether_scheme rl_tether_urcu_qsbr = {
	.name = "urcu-qsbr",
	.summary = "liburcu QSBR: free read side, quiescent states reported by quiesce (anchor)",
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
	.quiesce = u_quiesce_op,
	.offline = u_offline,
	.online = u_online,
	.loop = u_loop,
};
