/* Cheney's copying traversal (see regionlab/cheney.h).
 *
 * Invariant: every object of the to-space (dst past the mark) is the copy of
 * exactly one source object whose header holds a forwarding word to it; the
 * copies before the scan cursors have had all their slots rewritten, the ones
 * after it still hold the source's values.  A copy is created while its
 * discoverer (the copy whose slot first reached the original) is scanned, so
 * the discoverer comes before it in scan order: either earlier on the same
 * chain, or on the other chain.  rl_cheney_restore relies on exactly that. */
#include "regionlab/cheney.h"

void rl_tospace_cursor_at(rl_tospace_cursor *cur, const rl_region_mark *mark)
{
	cur->sb = mark->small_tail;
	cur->sp = mark->top;
	cur->lb = mark->large_tail;
}

void rl_cheney_begin(rl_cheney *c, const rl_region *src, rl_region *dst)
{
	c->src = src;
	c->dst = dst;
	c->mark = rl_region_mark_now(dst);
	rl_tospace_cursor_at(&c->scan, &c->mark);
	c->bytes_copied = 0;
}

rl_obj *rl_bump_refill(rl_bump *a, rl_region *dst, size_t size)
{
	rl_bump_sync(a, dst);
	rl_obj *o = rl_region_alloc(dst, size);
	rl_bump_load(a, dst);
	return o;
}

#define SCAN_OOM (-1)
#define SCAN_BUDGET 1

/* Forwards one slot of a copy being scanned: 0, SCAN_OOM when dst cannot
 * grow, SCAN_BUDGET when the copy would take the bytes copied past `stop`
 * (nothing copied then). */
static inline __attribute__((always_inline)) int scan_slot(const rl_region *src, rl_region *dst, rl_bump *a,
							    size_t small_max, rl_val *s, uint64_t *copied,
							    uint64_t stop)
{
	rl_val v = *s;
	if (!rl_region_contains(src, v))
		return 0;
	rl_obj *o = rl_ptr(v);
	uint64_t h = o->hdr;
	if (rl_hdr_is_forward(h)) {
		*s = (rl_val)rl_hdr_forward_target(h);
		return 0;
	}
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	if (*copied + size > stop)
		return SCAN_BUDGET;
	rl_obj *copy = rl_bump_alloc(a, dst, size, small_max);
	if (copy == NULL)
		return SCAN_OOM;
	rl_copy_object(copy, o, size);
	o->hdr = rl_hdr_forward_to(copy);
	*s = rl_val_of(copy);
	*copied += size;
	return 0;
}

/* Rewrites the slots of copy n, counting the bytes copied in *copied: 0, or
 * what scan_slot reported (n is then partly scanned; scanning it again from
 * the start is harmless, its rewritten slots point outside src).  Inlined
 * into the scan loop, which keeps src, dst, the allocator and the counter in
 * registers. */
static inline __attribute__((always_inline)) int scan_object(const rl_region *src, rl_region *dst, rl_bump *a,
							      size_t small_max, rl_obj *n, uint64_t *copied,
							      uint64_t stop)
{
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, n); (s = rl_slots_next(&it)) != NULL;) {
		int r = scan_slot(src, dst, a, small_max, s, copied, stop);
		if (r != 0)
			return r;
	}
	return 0;
}

int rl_cheney_scan(rl_cheney *c, size_t budget)
{
	const rl_region *src = c->src;
	rl_region *dst = c->dst;
	const size_t small_max = rl_small_object_max();
	rl_block *sb = c->scan.sb;
	char *sp = c->scan.sp;
	uint64_t copied = c->bytes_copied;
	uint64_t stop = copied + budget;
	rl_bump a;
	int rc = 0;
	if (stop < copied)
		stop = UINT64_MAX;
	rl_bump_load(&a, dst);
	for (;;) {
		/* The small chain first: the copies of the block being filled
		 * end at the allocator's top, the others at their own. */
		for (;;) {
			if (sb == NULL) {
				if (dst->small.head == NULL)
					break;
				sb = dst->small.head;
				sp = rl_block_data(sb);
			}
			char *end = sb == a.b ? a.top : sb->top;
			if (sp >= end) {
				if (sb->next == NULL)
					break;
				sb = sb->next;
				sp = rl_block_data(sb);
				continue;
			}
			int r = scan_object(src, dst, &a, small_max, (rl_obj *)sp, &copied, stop);
			if (r != 0) {
				rc = r == SCAN_OOM ? -1 : 0;
				goto out;
			}
			sp += rl_obj_size((rl_obj *)sp);
		}
		rl_bump_sync(&a, dst);
		rl_obj *n = rl_tospace_large_peek(&c->scan, dst);
		if (n == NULL) {
			rc = 1;
			goto out;
		}
		int r = scan_object(src, dst, &a, small_max, n, &copied, stop);
		if (r != 0) {
			rc = r == SCAN_OOM ? -1 : 0;
			goto out;
		}
		rl_tospace_large_advance(&c->scan, dst);
	}
out:
	rl_bump_sync(&a, dst);
	c->scan.sb = sb;
	c->scan.sp = sp;
	c->bytes_copied = copied;
	return rc;
}

/* ---- undo ------------------------------------------------------------------ */
/* If x's header is borrowed by a copy of ours, gives it back and leaves a
 * back-pointer to x in the copy's header word: the copy is now "ready". */
static void give_back(const rl_region_mark *m, rl_obj *x)
{
	uint64_t h = x->hdr;
	if (!rl_hdr_is_forward(h))
		return;
	rl_obj *n = rl_hdr_forward_target(h);
	if (!rl_allocated_after(m, n))
		return;
	x->hdr = n->hdr;
	n->hdr = rl_hdr_forward_to(x);
}

/* n is ready: hands readiness on to the copies of x's children (read from
 * the original x, whose payload was never written), then gives n its header
 * back.  Returns n's footprint. */
static size_t settle(const rl_cheney *c, const rl_region_mark *m, rl_obj *n)
{
	rl_obj *x = rl_hdr_forward_target(n->hdr);
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, x); (s = rl_slots_next(&it)) != NULL;)
		if (rl_region_contains(c->src, *s))
			give_back(m, rl_ptr(*s));
	n->hdr = x->hdr;
	return rl_obj_size(x);
}

/* Gives back what the copy borrowed since mark m (m = c->mark: everything),
 * starting from `roots` and from the slots of `holder` (NULL: none). */
static void restore_since(const rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots,
			  rl_obj *holder)
{
	for (size_t i = 0; i < nroots; i++)
		if (rl_region_contains(c->src, roots[i]))
			give_back(m, rl_ptr(roots[i]));
	if (holder != NULL) {
		rl_slot_iter it;
		rl_val *s;
		give_back(m, holder);
		for (rl_slots_begin(&it, holder); (s = rl_slots_next(&it)) != NULL;)
			if (rl_region_contains(c->src, *s))
				give_back(m, rl_ptr(*s));
	}
	rl_tospace_cursor cur;
	rl_tospace_cursor_at(&cur, m);
	/* Each chain advances while its next copy is ready; a copy that is not
	 * was discovered from the other chain, which then gets its turn.  Both
	 * stuck before their ends cannot happen (see the invariant above). */
	for (bool moved = true; moved;) {
		moved = false;
		rl_obj *n;
		while ((n = rl_tospace_small_peek(&cur, c->dst)) != NULL && rl_hdr_is_forward(n->hdr)) {
			rl_tospace_small_advance(&cur, settle(c, m, n));
			moved = true;
		}
		while ((n = rl_tospace_large_peek(&cur, c->dst)) != NULL && rl_hdr_is_forward(n->hdr)) {
			settle(c, m, n);
			rl_tospace_large_advance(&cur, c->dst);
			moved = true;
		}
	}
}

void rl_cheney_skip(rl_cheney *c)
{
	rl_region_mark now = rl_region_mark_now(c->dst);
	rl_tospace_cursor_at(&c->scan, &now);
}

void rl_cheney_restore(rl_cheney *c, const rl_val *roots, size_t nroots)
{
	restore_since(c, &c->mark, roots, nroots, NULL);
}

static void undo(rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots, rl_obj *holder)
{
	restore_since(c, m, roots, nroots, holder);
	c->bytes_copied -= c->dst->bytes_used - m->bytes_used;
	rl_region_rollback(c->dst, m);
	rl_tospace_cursor_at(&c->scan, m);
}

void rl_cheney_undo(rl_cheney *c, const rl_val *roots, size_t nroots) { undo(c, &c->mark, roots, nroots, NULL); }

void rl_cheney_undo_since(rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots)
{
	undo(c, m, roots, nroots, NULL);
}

void rl_cheney_undo_holder(rl_cheney *c, rl_obj *holder) { undo(c, &c->mark, NULL, 0, holder); }
