/* Cheney's copying traversal (1970): breadth first, with the destination
 * region itself as the queue.
 *
 * Copies are appended to dst; two scan cursors (one on dst's small chain,
 * one on its large chain) walk the copies made since rl_cheney_begin and
 * rewrite their slots, copying each source object they meet the first time.
 * The queue is the to-space: no worklist, no allocation besides the copies.
 * The forwarding address of a copied object is written into its source
 * header (rl_hdr_forward_to); the copy keeps the original header.
 *
 * Undo is allocation-free.  rl_cheney_restore walks the to-space again in an
 * order where every copy's discoverer comes before it, gives each source
 * header back from its copy and, for that while, stores a back-pointer to
 * the original in the copy's header word: that is how the walk learns which
 * original a copy stands for (the originals' payloads were never written, so
 * their slots lead on to the next originals).  It also gives each copy its
 * header back, so after a complete copy it leaves both graphs valid.
 *
 * Several copies may follow one another into the same dst (rl_cheney_begin
 * each time): forwarding left by an earlier one is honoured and never undone
 * by a later one.
 *
 * Held sub-regions (regionlab/adopt.h) outlive src: their objects may be
 * copied but must not keep borrowed headers.  rl_cheney_begin checks once
 * whether src has any; if so, a scan that completes a copy made from a
 * single root (one object copied by rl_cheney_forward, no rl_cheney_skip)
 * walks the to-space once more, as the undo does, and gives back the
 * headers of the originals that do not die with src; the others keep their
 * forwarding.  That copy is then over: forwarding more roots into it, or
 * undoing it, is not supported.  Callers with several roots call
 * rl_cheney_release_held themselves when their copy is complete. */
#ifndef REGIONLAB_CHENEY_H
#define REGIONLAB_CHENEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/copy.h"
#include "regionlab/object.h"
#include "regionlab/region.h"

/* A position in the to-space: the next object to visit on each chain. */
typedef struct rl_tospace_cursor {
	rl_block *sb;  /* small chain: current block (NULL: not started) */
	char *sp;      /* next object in sb */
	rl_block *lb;  /* large chain: last block visited (NULL: none yet) */
} rl_tospace_cursor;

typedef struct rl_cheney {
	const rl_region *src;
	rl_region *dst;
	rl_region_mark mark;  /* dst when the copy began: the to-space starts there */
	rl_tospace_cursor scan;
	uint64_t bytes_copied;
	/* src has held sub-regions (set by rl_cheney_begin); a caller that
	 * restores src anyway (rl_cheney_restore) may clear it. */
	bool release_held;
	unsigned roots;    /* objects copied by rl_cheney_forward (2: many) */
	rl_val root;       /* the first of them, before it was copied */
} rl_cheney;

void rl_cheney_begin(rl_cheney *c, const rl_region *src, rl_region *dst);

/* Copies the object *slot points at (unless it is not in src, or already
 * copied) and makes *slot point at the copy.  0, or -1 when dst cannot grow
 * (nothing changed). */
static inline int rl_cheney_forward(rl_cheney *c, rl_val *slot)
{
	rl_val v = *slot;
	if (!rl_region_contains(c->src, v))
		return 0;
	rl_obj *o = rl_ptr(v);
	uint64_t h = o->hdr;
	if (rl_hdr_is_forward(h)) {
		*slot = (rl_val)rl_hdr_forward_target(h);
		return 0;
	}
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	rl_obj *n = rl_region_bump(c->dst, size);
	if (n == NULL)
		return -1;
	rl_copy_object(n, o, size);
	o->hdr = rl_hdr_forward_to(n);
	*slot = rl_val_of(n);
	c->bytes_copied += size;
	if (c->roots++ == 0)
		c->root = v;
	else
		c->roots = 2;
	return 0;
}

/* Scans the copies not scanned yet.  1 when none is left (the copy is
 * complete), 0 when the next copy would take the bytes copied by this call
 * past `budget` (it is not made: call again to go on), -1 when dst cannot
 * grow. */
int rl_cheney_scan(rl_cheney *c, size_t budget);

/* Gives back the borrowed headers of the originals whose blocks outlive src
 * (held sub-regions); `roots` as for rl_cheney_restore, the copy complete.
 * The other originals keep forwarding to their copies.  Allocation-free; a
 * no-op unless c->release_held.  Afterwards the copy cannot be undone. */
void rl_cheney_release_held(rl_cheney *c, const rl_val *roots, size_t nroots);
/* The same, for a to-space whose copies were mixed with block moving (a
 * splice after copying probes, regionlab/splice.h), where the walk from the
 * roots no longer reaches every copy: walks the objects of every block of
 * src's family that outlives src and gives back each header that forwards
 * into this to-space.  Call it once every slot has been redirected (the
 * forwarding words are no longer read).  Costs one pass over the held
 * sub-regions' blocks; a no-op unless c->release_held. */
void rl_cheney_release_held_blocks(rl_cheney *c);

/* Gives back every source header this copy borrowed, and every copy's own
 * header; `roots` are the values the copy started from (rl_cheney_forward
 * was called on them).  Allocation-free.  After a complete copy both graphs
 * are valid; after a partial one the copies must be dropped (rl_cheney_undo). */
void rl_cheney_restore(rl_cheney *c, const rl_val *roots, size_t nroots);
/* rl_cheney_restore, then dst rolled back to where the copy began. */
void rl_cheney_undo(rl_cheney *c, const rl_val *roots, size_t nroots);
/* Counts every copy made so far as scanned without scanning it: a caller
 * that wants to handle some copies' slots itself (one child at a time). */
void rl_cheney_skip(rl_cheney *c);
/* Undoes only what was copied since mark m of dst, taken when the scan had
 * caught up (every earlier copy fully scanned, or counted so by
 * rl_cheney_skip) and `roots` were forwarded next: their copies and all they
 * led to, scanned or not, made by this Cheney copy or by a depth-first one
 * into the same dst (regionlab/dfcopy.h: a stopped rl_dfcopy_forward_within).
 * Earlier copies stay; the scan resumes at m. */
void rl_cheney_undo_since(rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots);
/* rl_cheney_undo for a copy whose roots were `holder` (an object of src,
 * perhaps copied itself) and the values its slots hold (src's payloads are
 * never written, so they are still the originals). */
void rl_cheney_undo_holder(rl_cheney *c, rl_obj *holder);

/* ---- the to-space, for strategies that scan it themselves ------------------ */
/* A cursor at dst's end as of `mark` (the first object allocated after it). */
void rl_tospace_cursor_at(rl_tospace_cursor *cur, const rl_region_mark *mark);
/* The next object on the small chain at or after the cursor, NULL when the
 * cursor has caught up with dst; rl_tospace_small_advance moves past it. */
static inline rl_obj *rl_tospace_small_peek(rl_tospace_cursor *cur, const rl_region *dst)
{
	if (cur->sb == NULL) {
		if (dst->small.head == NULL)
			return NULL;
		cur->sb = dst->small.head;
		cur->sp = rl_block_data(cur->sb);
	}
	while (cur->sp >= cur->sb->top) {
		if (cur->sb->next == NULL)
			return NULL;
		cur->sb = cur->sb->next;
		cur->sp = rl_block_data(cur->sb);
	}
	return (rl_obj *)cur->sp;
}
static inline void rl_tospace_small_advance(rl_tospace_cursor *cur, size_t size) { cur->sp += size; }
/* The object of the next large block after the cursor, NULL when none;
 * rl_tospace_large_advance moves past it. */
static inline rl_obj *rl_tospace_large_peek(const rl_tospace_cursor *cur, const rl_region *dst)
{
	rl_block *b = cur->lb != NULL ? cur->lb->next : dst->large.head;
	return b != NULL ? rl_block_first_obj(b) : NULL;
}
static inline void rl_tospace_large_advance(rl_tospace_cursor *cur, const rl_region *dst)
{
	cur->lb = cur->lb != NULL ? cur->lb->next : dst->large.head;
}

#endif
