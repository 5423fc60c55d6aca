/* What a region knows about itself without a trace (issue 15, item 3).
 *
 * A strategy that must decide before it traces (relocate, a sub-region
 * splice, an adaptive evacuator) reads these facts; each is kept as a side
 * effect of something the runtime does anyway, so knowing it costs nothing:
 *   - bytes allocated in the region itself, and in its sub-regions
 *     (bytes_used, counted by the allocator; the sub-regions' by a walk of
 *     the family's RCBs, never of a block);
 *   - whether a pointer into the region was ever stored in an object outside
 *     its family, or in a root outside every region, and if so whether every
 *     such store was made into one object (`pointed_from`: a vector that
 *     collects results) and into which of its slots the first one went, and
 *     whether the region ever stored a pointer out of its family: set by
 *     rl_store, the one function through which a runtime stores a pointer
 *     into an object;
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

#include "regionlab/adopt.h"
#include "regionlab/region.h"

/* Bits of rl_region.knows. */
#define RL_KNOWS_POINTED_INTO 1u /* a pointer into r's family was stored outside it */
#define RL_KNOWS_POINTS_OUT 2u   /* r stored a pointer out of its family */
#define RL_KNOWS_ALL_RESULT 4u   /* hint: everything allocated in r is the result */
#define RL_KNOWS_POINTED_FROM_MANY 8u /* those stores came from more than one object, or a root */

typedef struct rl_region_knowledge {
	size_t bytes;           /* object bytes allocated in r itself */
	size_t subregion_bytes; /* object bytes allocated in r's sub-regions (its family less r) */
	bool pointed_into;      /* RL_KNOWS_POINTED_INTO */
	/* When pointed_into: the one object outside r's family that every such
	 * store went into; RL_NIL when they went into several, or into a root
	 * outside every region.  An object that stored once and was later
	 * overwritten or freed stays named: the record only ever over-counts. */
	rl_val pointed_from;
	const rl_val *pointed_from_slot; /* the slot of pointed_from the first such store went into */
	bool points_out;        /* RL_KNOWS_POINTS_OUT */
	bool all_result;        /* RL_KNOWS_ALL_RESULT */
	bool sole_owner;        /* external_rc == 1 */
} rl_region_knowledge;

/* What r knows, in O(members of its family).  Inline: a caller that decides
 * by it (adaptive's step 0) touches no code page of its own for it. */
/* r's sole owner is the caller: external_rc is 1 (what `sole_owner` says). */
static inline bool rl_region_sole_owner(const rl_region *r) { return atomic_load(&r->external_rc) == 1; }

static inline rl_region_knowledge rl_region_knowledge_of(const rl_region *r)
{
	rl_region_knowledge k = {
		.bytes = r->bytes_used,
		.subregion_bytes = rl_region_family_bytes(r) - r->bytes_used,
		.pointed_into = (r->knows & RL_KNOWS_POINTED_INTO) != 0,
		.pointed_from = (r->knows & RL_KNOWS_POINTED_FROM_MANY) ? RL_NIL : r->pointed_from,
		.pointed_from_slot = (r->knows & RL_KNOWS_POINTED_FROM_MANY) ? NULL : r->pointed_from_slot,
		.points_out = (r->knows & RL_KNOWS_POINTS_OUT) != 0,
		.all_result = (r->knows & RL_KNOWS_ALL_RESULT) != 0,
		.sole_owner = rl_region_sole_owner(r),
	};
	return k;
}

/* The caller's hint: everything allocated in r (its own blocks, not its
 * sub-regions') is the result, or no longer. */
void rl_region_hint_all_result(rl_region *r, bool all_result);

/* Records that `value` is being stored into `slot`, a slot of `container`
 * (RL_NIL: a root outside every region): when value points into a region
 * whose family does not hold the container, that region is pointed into
 * from outside (from that container and slot, when it is the first such
 * store) and the container's region points out. */
void rl_region_note_store(rl_val container, const rl_val *slot, rl_val value);

/* The store function: *slot = value, recorded as above.  Every store of a
 * pointer into an object goes through it. */
static inline void rl_store(rl_val container, rl_val *slot, rl_val value)
{
	if (rl_is_ptr(value))
		rl_region_note_store(container, slot, value);
	*slot = value;
}

/* ---- what a trial declares the runtime knows (issue 15, item 4) ------------
 * A transmigration trial's class (the graph workloads' knows= key):
 *   nothing: src has a second owning reference (another holder keeps it),
 *            no hint is set, the graph lives in src itself;
 *   dense:   as nothing, and the all-result hint is set on src (everything
 *            allocated in src is the graph: garbage=0, home=src);
 *   home:    as nothing, but the graph lives in a sub-region of src held by
 *            src alone (home=sub), its garbage in src;
 *   sole:    src has a single owning reference, the caller's, which it hands
 *            over with the call (linear's precondition): src dies.
 * Outside `sole`, src has another owner, so a strategy that adopts src whole
 * (RL_TM_NEEDS_SOLE_OWNER: linear declines; RL_TM_ADOPTS_SRC: promote
 * would keep the other owner's data alive in dst) is not legal. */
enum rl_knows_class { RL_KNOWS_NOTHING, RL_KNOWS_DENSE, RL_KNOWS_HOME, RL_KNOWS_SOLE, RL_KNOWS_NCLASSES };
#define RL_KNOWS_CLASS_NAMES "nothing|dense|home|sole" /* in enum order */

/* "nothing", "dense", "home" or "sole". */
const char *rl_knows_class_name(enum rl_knows_class k);
/* Whether a strategy with these caps (regionlab/transmigrator.h) may run in
 * class k. */
bool rl_knows_legal(unsigned caps, enum rl_knows_class k);

/* The home sub-region of root when it is clean: a sub-region of src (not src
 * itself) that only src holds, with no sub-regions of its own, that nothing
 * outside it was ever stored pointing into and that never stored a pointer
 * out of itself.  Then everything root reaches is in it and nothing else
 * needs it, so its blocks may move whole with no trace.  Otherwise NULL, with
 * *why saying which condition failed (NULL too when root is in src itself).
 * O(1): reads only what rl_region_knowledge_of reads. */
rl_region *rl_region_clean_home(rl_region *src, rl_val root, const char **why);

/* Whether sub, a sub-region of src, is a clean home of a result that
 * `holder`, an object of src itself, holds: as rl_region_clean_home asks of
 * a root's home, except that pointers into sub may have been stored from
 * outside, all of them into holder (a vector of the results of several
 * calls, each result built in a sub-region of its own), and the slot of
 * holder that the first of them went into still points into sub (so the
 * result is still held: a home whose slot was overwritten since is left to
 * the trace, which copies what is reachable of it).  Then holder, and
 * nothing else, points into sub, and sub's blocks may move into the
 * destination whole while holder's copy keeps its pointers.  O(1): no slot
 * of holder but that one is read. */
bool rl_region_clean_child_home(const rl_region *src, const rl_region *sub, rl_val holder);

#endif
