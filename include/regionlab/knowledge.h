/* What a region knows about itself without a trace (issue 15, item 3).
 *
 * A strategy that must decide before it traces (relocate, a sub-region
 * splice, an adaptive evacuator) reads these facts; each is kept as a side
 * effect of something the runtime does anyway, so knowing it costs nothing:
 *   - bytes allocated in the region itself, and in its sub-regions
 *     (bytes_used, counted by the allocator; the sub-regions' by a walk of
 *     the family's RCBs, never of a block);
 *   - whether a pointer into the region was ever stored in an object outside
 *     its family, or in a root outside every region, and whether the region
 *     ever stored a pointer out of its family: set by rl_store, the one
 *     function through which a runtime stores a pointer into an object;
 *   - the caller's hint that everything allocated in the region is the
 *     result (reachable from the root that will be transmigrated), so that a
 *     copy of all of it copies no garbage;
 *   - whether one holder owns it (external_rc == 1).
 * The flags are only as good as the discipline behind them: a slot written
 * directly (not through rl_store) is invisible.  Workloads build through
 * their constructors, whose stores stay inside one region; the placer and
 * the workloads with cross-region pointers store through rl_store. */
#ifndef REGIONLAB_KNOWLEDGE_H
#define REGIONLAB_KNOWLEDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "regionlab/region.h"

/* Bits of rl_region.knows. */
#define RL_KNOWS_POINTED_INTO 1u /* a pointer into r's family was stored outside it */
#define RL_KNOWS_POINTS_OUT 2u   /* r stored a pointer out of its family */
#define RL_KNOWS_ALL_RESULT 4u   /* hint: everything allocated in r is the result */

typedef struct rl_region_knowledge {
	size_t bytes;           /* object bytes allocated in r itself */
	size_t subregion_bytes; /* object bytes allocated in r's sub-regions (its family less r) */
	bool pointed_into;      /* RL_KNOWS_POINTED_INTO */
	bool points_out;        /* RL_KNOWS_POINTS_OUT */
	bool all_result;        /* RL_KNOWS_ALL_RESULT */
	bool sole_owner;        /* external_rc == 1 */
} rl_region_knowledge;

/* What r knows, in O(members of its family). */
rl_region_knowledge rl_region_knowledge_of(const rl_region *r);

/* The caller's hint: everything allocated in r (its own blocks, not its
 * sub-regions') is the result, or no longer. */
void rl_region_hint_all_result(rl_region *r, bool all_result);

/* Records that `value` is being stored into a slot of `container` (RL_NIL:
 * a root outside every region): when value points into a region whose
 * family does not hold the container, that region is pointed into from
 * outside and the container's region points out. */
void rl_region_note_store(rl_val container, rl_val value);

/* The store function: *slot = value, recorded as above.  Every store of a
 * pointer into an object goes through it. */
static inline void rl_store(rl_val container, rl_val *slot, rl_val value)
{
	if (rl_is_ptr(value))
		rl_region_note_store(container, value);
	*slot = value;
}

#endif
