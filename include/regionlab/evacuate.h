/* Incremental evacuation (design 2.3): the interface of the `proxy`
 * transmigrator beyond struct rl_transmigrator.
 *
 * A proxy (forwarding stub) is a slot value that stands for an object of src
 * not evacuated yet: the source address with tag RL_STUB_TAG in its low bits
 * (a tag no other value uses: pointers end in 000, fixnums in 1, immediates
 * in 010).  A stub costs no allocation, and telling it apart is a test of a
 * register: the read barrier's fast path is one load, one test and one
 * predictable branch.  On its slow path (first touch) the barrier evacuates
 * the stub's object and a bounded part of what it reaches, heals the slot
 * and returns the copy; sharing is kept by a forwarding table beside src
 * (regionlab/fwdmap.h), which is also the record of what has been evacuated,
 * so src itself is never written and stays readable until the end.
 *
 * Reads of the transmigrated graph go through rl_evacuate_read (inline; the
 * registered `read` member calls it) until finish() returns.  With the
 * strategy option background=1 a thread evacuates the rest alone while
 * readers keep reading through the barrier.  Stubs never escape the barrier:
 * it returns copies (or values outside src), never a stub. */
#ifndef REGIONLAB_EVACUATE_H
#define REGIONLAB_EVACUATE_H

#include <stdbool.h>
#include <stddef.h>

#include "regionlab/object.h"
#include "regionlab/transmigrator.h"

#define RL_STUB_TAG 4u

static inline bool rl_is_stub(rl_val v) { return (v & 7u) == RL_STUB_TAG; }
static inline rl_val rl_stub(const rl_obj *x) { return (rl_val)x | RL_STUB_TAG; }
static inline rl_obj *rl_stub_target(rl_val v) { return (rl_obj *)(v & ~(rl_val)7u); }

/* The slow path of the barrier (out of line). */
rl_val rl_evacuate_read_slow(rl_tm_ctx *ctx, rl_val *slot);

/* Reads *slot of the transmigrated graph: the read barrier.  Safe to call
 * from several threads at once, and while the background thread works. */
static inline rl_val rl_evacuate_read(rl_tm_ctx *ctx, rl_val *slot)
{
	rl_val v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (__builtin_expect(rl_is_stub(v), 0))
		return rl_evacuate_read_slow(ctx, slot);
	return v;
}

/* Evacuates about `budget` more objects: 1 when everything reachable has
 * been evacuated (src may then go once finish() returns), 0 when work is
 * left, -1 when dst cannot grow (the graph stays readable; retry or finish). */
int rl_evacuate_step(rl_tm_ctx *ctx, size_t budget);
/* True once everything reachable has been evacuated (or nothing is left to
 * do: no evacuation in progress). */
bool rl_evacuate_done(const rl_tm_ctx *ctx);

/* The barrier's cost on a full read traversal: transmigrates root (of src,
 * which is left as it was) into a scratch region with `proxy`, evacuates it
 * by a first traversal through the barrier, then times the same traversal
 * (depth first, visited bits) through rl_evacuate_read and with plain loads,
 * best of `reps` each, alternating.  Returns through/plain - 1, or NaN when
 * memory runs out or root is not in src. */
double rl_proxy_barrier_overhead(rl_region *src, rl_val root, unsigned reps);

#endif
