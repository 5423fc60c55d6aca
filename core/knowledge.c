/* What a region knows without a trace (see regionlab/knowledge.h).
 *
 * Invariant: a flag, once set, stays set for the life of the region (a
 * store cannot be taken back); the byte counts are the allocator's. */
#include "regionlab/knowledge.h"

#include "regionlab/adopt.h"
#include "regionlab/transmigrator.h"

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

const char *rl_knows_class_name(enum rl_knows_class k)
{
	static const char *const names[RL_KNOWS_NCLASSES] = { "nothing", "dense", "home", "sole" };
	return k < RL_KNOWS_NCLASSES ? names[k] : "?";
}

bool rl_knows_legal(unsigned caps, enum rl_knows_class k)
{
	return k == RL_KNOWS_SOLE || !(caps & (RL_TM_NEEDS_SOLE_OWNER | RL_TM_ADOPTS_SRC));
}

rl_region *rl_region_clean_home(rl_region *src, rl_val root, const char **why)
{
	rl_region *home = rl_region_of(rl_ptr(root));
	*why = NULL;
	if (home == NULL || home == src || home->parent != src || !(home->family & RL_REGION_SUB))
		return NULL;
	rl_region_knowledge k = rl_region_knowledge_of(home);
	if (!k.sole_owner)
		*why = "traced: the home sub-region has another holder";
	else if (home->children != NULL)
		*why = "traced: the home sub-region has sub-regions";
	else if (k.pointed_into)
		*why = "traced: the home sub-region is pointed into from outside";
	else if (k.points_out)
		*why = "traced: the home sub-region points out of itself";
	return *why == NULL ? home : NULL;
}
