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

void rl_region_note_store(rl_val container, const rl_val *slot, rl_val value)
{
	rl_region *target = rl_region_of(rl_ptr(value));
	if (target == NULL)
		return; /* static data: no region to tell */
	if (rl_is_ptr(container) && rl_region_contains(target, container))
		return; /* inside target's family */
	if (!(target->knows & RL_KNOWS_POINTED_INTO)) {
		target->knows |= RL_KNOWS_POINTED_INTO;
		target->pointed_from = container;
		target->pointed_from_slot = slot;
	}
	if (!rl_is_ptr(container) || container != target->pointed_from)
		target->knows |= RL_KNOWS_POINTED_FROM_MANY; /* a root, or a second object */
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

/* Why home, a sub-region of its parent, is not a clean home when pointers
 * into it may have been stored into `holder` alone (RL_NIL: nowhere), or
 * NULL when it is one. */
static const char *unclean_because(const rl_region *home, rl_val holder)
{
	rl_region_knowledge k = rl_region_knowledge_of(home);
	if (!k.sole_owner)
		return "traced: the home sub-region has another holder";
	if (home->children != NULL)
		return "traced: the home sub-region has sub-regions";
	if (k.pointed_into && (holder == RL_NIL || k.pointed_from != holder))
		return "traced: the home sub-region is pointed into from outside";
	if (k.points_out)
		return "traced: the home sub-region points out of itself";
	return NULL;
}

static bool is_sub_region_of(const rl_region *sub, const rl_region *src)
{
	return sub != NULL && sub != src && sub->parent == src && (sub->family & RL_REGION_SUB);
}

rl_region *rl_region_clean_home(rl_region *src, rl_val root, const char **why)
{
	rl_region *home = rl_region_of(rl_ptr(root));
	*why = NULL;
	if (!is_sub_region_of(home, src))
		return NULL;
	*why = unclean_because(home, RL_NIL);
	return *why == NULL ? home : NULL;
}

/* The slot of holder that the first store into sub went into, when it lies
 * in holder's payload and still points into sub. */
static bool still_held(const rl_region *sub, rl_val holder)
{
	const rl_val *slot = sub->pointed_from_slot;
	rl_obj *h = rl_ptr(holder);
	if (slot < h->w || (const char *)(slot + 1) > (const char *)h + rl_obj_size(h))
		return false;
	return rl_is_ptr(*slot) && rl_region_of(rl_ptr(*slot)) == sub;
}

bool rl_region_clean_child_home(const rl_region *src, const rl_region *sub, rl_val holder)
{
	return is_sub_region_of(sub, src) && rl_is_ptr(holder) && rl_region_of(rl_ptr(holder)) == src &&
	       unclean_because(sub, holder) == NULL && (sub->knows & RL_KNOWS_POINTED_INTO) &&
	       still_held(sub, holder);
}
