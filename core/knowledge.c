/* What a region knows without a trace (see regionlab/knowledge.h).
 *
 * Invariant: a flag, once set, stays set for the life of the region (a
 * store cannot be taken back); the byte counts are the allocator's. */
#include "regionlab/knowledge.h"

#include "regionlab/adopt.h"

rl_region_knowledge rl_region_knowledge_of(const rl_region *r)
{
	rl_region_knowledge k = {
		.bytes = r->bytes_used,
		.subregion_bytes = rl_region_family_bytes(r) - r->bytes_used,
		.pointed_into = (r->knows & RL_KNOWS_POINTED_INTO) != 0,
		.points_out = (r->knows & RL_KNOWS_POINTS_OUT) != 0,
		.all_result = (r->knows & RL_KNOWS_ALL_RESULT) != 0,
		.sole_owner = atomic_load(&r->external_rc) == 1,
	};
	return k;
}

void rl_region_hint_all_result(rl_region *r, bool all_result)
{
	if (all_result)
		r->knows |= RL_KNOWS_ALL_RESULT;
	else
		r->knows &= ~RL_KNOWS_ALL_RESULT;
}

void rl_region_note_store(rl_val container, rl_val value)
{
	rl_region *target = rl_region_of(rl_ptr(value));
	if (target == NULL)
		return; /* static data: no region to tell */
	if (rl_is_ptr(container) && rl_region_contains(target, container))
		return; /* inside target's family */
	target->knows |= RL_KNOWS_POINTED_INTO;
	rl_region *holder = rl_is_ptr(container) ? rl_region_of(rl_ptr(container)) : NULL;
	if (holder != NULL && !rl_region_contains(holder, value))
		holder->knows |= RL_KNOWS_POINTS_OUT; /* a parent's store into its sub-region stays in its family */
}
