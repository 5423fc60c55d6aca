/* A sample of a graph (see regionlab/sample.h).
 *
 * Invariant: an object is in `seen` exactly when the walk has reached it,
 * and, within one walk from a child of the root, it is on the stack while
 * the walk has slots of it left to follow; an object is pushed only when
 * first reached, so the stack never holds more frames than objects reached
 * (at most RL_SAMPLE_MAX), and the visited table, twice that size, always
 * has an empty entry.  Nothing is read past a block's top: the scan for a
 * neighbour stops there. */
#include "regionlab/sample.h"

#include <stdint.h>
#include <string.h>

#define SEEN_ENTRIES (2u * RL_SAMPLE_MAX) /* a power of two */

struct seen {
	const rl_obj *at[SEEN_ENTRIES];
};

static size_t seen_index(const rl_obj *o)
{
	return (size_t)((((uintptr_t)o >> 3) * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (SEEN_ENTRIES - 1);
}

/* Adds o; false when it was there already. */
static bool seen_add(struct seen *s, const rl_obj *o)
{
	for (size_t i = seen_index(o);; i = (i + 1) & (SEEN_ENTRIES - 1)) {
		if (s->at[i] == o)
			return false;
		if (s->at[i] == NULL) {
			s->at[i] = o;
			return true;
		}
	}
}

static bool seen_has(const struct seen *s, const rl_obj *o)
{
	for (size_t i = seen_index(o);; i = (i + 1) & (SEEN_ENTRIES - 1)) {
		if (s->at[i] == o)
			return true;
		if (s->at[i] == NULL)
			return false;
	}
}

/* rl_graph_sample.density and .neighboured: from each reached object of a
 * small block, the objects after it are read by their headers, up to
 * max_gap bytes or the block's top, until one the walk reached. */
static void stretches(const struct seen *seen, const rl_obj *const *reached, size_t n, size_t max_gap,
		      rl_graph_sample *out)
{
	uint64_t live = 0, spanned = 0;
	for (size_t i = 0; i < n; i++) {
		const rl_obj *o = reached[i];
		const rl_block *b = rl_block_of(o);
		if (b->flags & RL_BLOCK_LARGE)
			continue; /* one object: no neighbours */
		size_t size = rl_obj_size(o);
		const char *after = (const char *)o + size, *at = after;
		if (after >= b->top)
			continue;
		const char *end = (size_t)(b->top - after) < max_gap ? b->top : after + max_gap;
		while (at < end) {
			const rl_obj *next = (const rl_obj *)at;
			if (seen_has(seen, next)) {
				live += size;
				spanned += size + (size_t)(at - after);
				out->neighboured++;
				break;
			}
			if (rl_hdr_is_forward(next->hdr))
				break; /* copied away: no size to read past it */
			at += rl_obj_size(next);
		}
	}
	out->density = spanned != 0 ? (double)live / (double)spanned : 1.0;
}

struct walk {
	const rl_region *src;
	struct seen seen;
	const rl_obj *reached[RL_SAMPLE_MAX];
	struct frame {
		const rl_obj *o;
		rl_slot_iter it;
	} stack[RL_SAMPLE_MAX];
	size_t n;
	rl_graph_sample *out;
};

/* Reaches o, counted as followed from `holder` (NULL for the root and its
 * children: the root's edges are left out of the counts, see sample.h). */
static void reach(struct walk *w, const rl_obj *o, const rl_obj *holder, size_t *depth)
{
	seen_add(&w->seen, o);
	if (w->n > 1 && rl_obj_type(o) != rl_obj_type(w->reached[1]))
		w->out->uniform = false; /* the root left out, as its edges are */
	w->reached[w->n++] = o;
	if (holder != NULL) {
		w->out->followed++;
		w->out->crossed += rl_block_of(o) != rl_block_of(holder);
	}
	if (rl_hdr_may_have_slots(o->hdr)) {
		w->stack[*depth].o = o;
		rl_slots_begin(&w->stack[(*depth)++].it, (rl_obj *)o);
	}
}

/* o's slot number k (k < rl_slots_count(o)), in rl_slots_next's order. */
static rl_val *slot_at(rl_obj *o, size_t k)
{
	rl_slot_iter it;
	rl_slots_begin(&it, o);
	size_t in_map = (size_t)__builtin_popcountll(it.map);
	if (k >= in_map)
		return &it.w[it.next + (k - in_map)];
	while (k-- > 0)
		it.map &= it.map - 1;
	return &it.w[__builtin_ctzll(it.map)];
}

/* An object of src the walk has not reached, or NULL. */
static const rl_obj *unreached(const struct walk *w, rl_val v)
{
	if (!rl_region_contains(w->src, v))
		return NULL;
	const rl_obj *o = rl_ptr(v);
	return rl_hdr_is_forward(o->hdr) || seen_has(&w->seen, o) ? NULL : o;
}

/* Depth first from `child`, a child of the root, until `limit` objects are
 * reached in all: false when it stopped there with objects left. */
static bool walk_from(struct walk *w, const rl_obj *child, size_t limit)
{
	size_t depth = 0;
	if (w->n == limit)
		return false;
	reach(w, child, NULL, &depth);
	while (depth > 0) {
		struct frame *f = &w->stack[depth - 1];
		rl_val *s = rl_slots_next(&f->it);
		if (s == NULL) {
			depth--;
			continue;
		}
		const rl_obj *o = unreached(w, *s);
		if (o == NULL)
			continue;
		if (w->n == limit)
			return false;
		reach(w, o, f->o, &depth);
	}
	return true;
}

void rl_graph_sample_take(const rl_region *src, rl_val root, size_t max_objects, size_t max_gap,
			  rl_graph_sample *out)
{
	struct walk w;
	*out = (rl_graph_sample){ .whole = true, .uniform = true, .density = 1.0 };
	if (max_objects > RL_SAMPLE_MAX)
		max_objects = RL_SAMPLE_MAX;
	if (!rl_region_contains(src, root) || rl_hdr_is_forward(rl_ptr(root)->hdr))
		return; /* nothing of src to reach */
	if (max_objects == 0) {
		out->whole = false; /* a graph, and nothing known of it */
		return;
	}
	memset(&w.seen, 0, sizeof w.seen);
	w.src = src;
	w.n = 0;
	w.out = out;
	const rl_obj *r = rl_ptr(root);
	size_t depth = 0;
	reach(&w, r, NULL, &depth);
	rl_slot_iter it;
	rl_val *s;
	/* The walks from RL_SAMPLE_BRANCHES evenly spaced slots of the root
	 * first, each an equal share of the budget left (so a slot that holds
	 * no unreached object of src, or a walk that ends early, leaves its
	 * share to the ones after it), then from
	 * every child in order with what is left (a child cut short at its
	 * share stays so: the graph is then not reached whole, whatever
	 * follows).  The spaced slots are found by index, not by a walk of the
	 * root's slots: a root of 10^5 results costs no more than one of 10. */
	size_t slots = depth != 0 ? rl_slots_count((rl_obj *)r) : 0;
	size_t branches = slots < RL_SAMPLE_BRANCHES ? slots : RL_SAMPLE_BRANCHES;
	bool cut = false;
	for (size_t picked = 0; picked < branches; picked++) {
		const rl_obj *child = unreached(&w, *slot_at((rl_obj *)r, picked * slots / branches));
		size_t share = (max_objects - w.n) / (branches - picked);
		if (child != NULL && share != 0)
			cut |= !walk_from(&w, child, w.n + share);
	}
	for (rl_slots_begin(&it, (rl_obj *)r); depth != 0 && (s = rl_slots_next(&it)) != NULL;) {
		const rl_obj *child = unreached(&w, *s);
		if (child != NULL && !walk_from(&w, child, max_objects)) {
			cut = true;
			break;
		}
	}
	out->objects = w.n;
	out->whole = !cut;
	stretches(&w.seen, w.reached, w.n, max_gap, out);
}
