/* Depth-first copying with an explicit worklist (design 2.1): the order of
 * bitmap, shared with adaptive.
 *
 * Of the new copies an object's scan produces, the first one that has slots
 * of its own is scanned next, in the same loop; the others are pushed, and
 * copies without slots (boxed numbers, strings, blobs) are never queued.  So
 * a list, boxed or not, is copied without touching the worklist, and a tree
 * allocated parent-before-children is read in address order (left child
 * first): measured on a 10^6-object tree, scanning the last new child first
 * instead was 3x slower.  Breadth-first Cheney (regionlab/cheney.h) reads
 * such a tree one level at a time, all over the region.
 *
 * Like Cheney, the forwarding address of a copied object is written into its
 * source header (rl_hdr_forward_to), the copy keeps the original header, the
 * originals' payloads are never written, and each copy is allocated while its
 * discoverer is being scanned, after it.  So rl_cheney_undo and
 * rl_cheney_restore give back what a depth-first copy into the same dst
 * borrowed, exactly as for their own copies; a caller that keeps the
 * forwarding words (a consuming strategy) needs nothing else.  With `mark`
 * set, the region shadow bit of every original copied is set too (src must
 * have a shadow attached): rl_shadow_restore_borrowed then gives every header
 * back in one pass. */
#ifndef REGIONLAB_DFCOPY_H
#define REGIONLAB_DFCOPY_H

#include <stdbool.h>
#include <stdint.h>

#include "regionlab/copy.h"
#include "regionlab/object.h"
#include "regionlab/region.h"
#include "regionlab/worklist.h"

typedef struct rl_dfcopy {
	const rl_region *src;
	rl_region *dst;
	rl_worklist wl;
	uint64_t bytes_copied;
	bool mark; /* set the shadow bit of each original copied */
	/* The layout of the last object scanned, kept across calls of
	 * rl_dfcopy_forward (regionlab/copy.h): lists and trees repeat one
	 * layout with values, so the next slot's address does not wait for a
	 * load from the type table. */
	rl_layout memo;
} rl_dfcopy;

/* Reserves the worklist (an entry per word of src: pushing never fails).
 * 0, or -1 when the reservation fails. */
int rl_dfcopy_init(rl_dfcopy *t, const rl_region *src, rl_region *dst, bool mark);
void rl_dfcopy_fini(rl_dfcopy *t);
/* Copies the object *slot points at (unless it is not in src, or copied
 * already) and everything reachable from it that is not copied yet, and
 * makes *slot point at the copy.  0, or -1 when dst cannot grow: the copies
 * made so far stay, forwarded, for the caller to undo. */
int rl_dfcopy_forward(rl_dfcopy *t, rl_val *slot);
/* rl_dfcopy_forward as a probe (t without `mark`): stops once this call's
 * copies pass `budget` bytes (by at most one object).  1 when the copy of
 * what *slot leads to is complete, 0 when it stopped: *slot then names the
 * first copy, and the copies made stay forwarded, some with slots still
 * naming originals, for the caller to undo (rl_cheney_undo_since from a mark
 * of dst taken before this call, with *slot's value before it as the root).
 * -1 when dst cannot grow (as rl_dfcopy_forward). */
int rl_dfcopy_forward_within(rl_dfcopy *t, rl_val *slot, size_t budget);

/* The children of one object (the root's copy: a vector of results), each
 * copied by its own bounded probe as rl_dfcopy_forward_within copies one,
 * in one loop that loads dst's bump allocator once for all of them: a small
 * result costs its objects, not a call's set-up (on `mixed` at 10^5, 6,793
 * children through a call each took adaptive to 9,617,595 instructions a
 * call, this loop to 9,218,764; dfs's whole copy 7,791,493).
 * Its slots are read last first (rl_slots_prev); for each one:
 *   - a value that is not an object of src, and a leaf (an object without
 *     slots), is left as it is (a caller copies the leaves after the rest);
 *   - an object copied already: the slot gets its copy;
 *   - an object bigger than `budget`: left, counted in too_big;
 *   - any other: copied depth first with everything it leads to that is not
 *     copied yet, until the copies pass `budget` bytes (by at most one
 *     object). */
typedef struct rl_dfcopy_children {
	rl_slot_iter slots; /* the slots not read yet */
	size_t budget;      /* each probe's; a caller may lower it between runs */
	size_t too_big;     /* children left for being bigger than the budget */
	/* When rl_dfcopy_children_run returns 0: the slot whose probe passed
	 * the budget, holding its original value again, and dst as it was
	 * before that probe: rl_cheney_undo_since(c, &mark, stopped, 1) undoes
	 * the probe's copies (with t's dst the to-space of c). */
	rl_val *stopped;
	rl_region_mark mark;
} rl_dfcopy_children;

void rl_dfcopy_children_begin(rl_dfcopy_children *ch, rl_obj *holder, size_t budget);
/* Goes on through holder's slots (t without `mark`).  1 once every slot is
 * read, 0 when a probe passed its budget (above; the next run goes on from
 * the slot after it), -1 when dst cannot grow (the copies made stay,
 * forwarded, for the caller's undo). */
int rl_dfcopy_children_run(rl_dfcopy *t, rl_dfcopy_children *ch);

#endif
