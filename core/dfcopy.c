/* Depth-first copying (see regionlab/dfcopy.h).
 *
 * Invariant: every copy that has value slots is scanned exactly once: it is
 * either being scanned, the one to be scanned next, or on the worklist; a
 * copy's slots still hold the original's values until it is scanned.  (A
 * bounded probe that stops, rl_dfcopy_forward_within, empties the worklist
 * and leaves those copies unscanned: its caller undoes them, which reads
 * only the originals.)  An
 * original is copied exactly when its header holds a forwarding word (and,
 * with `mark`, its shadow bit is set), so "visited?" is the forwarding bit of
 * the header the loop loads anyway.
 *
 * The scan keeps its whole state in registers: the allocator, the block
 * mask, the copy being scanned with its original and header, the layout of
 * that header (regionlab/copy.h), and the copy to scan next with its
 * original (its header is read back from the copy); nothing of it goes
 * through memory between two objects but the worklist's pushes. */
#include "regionlab/dfcopy.h"

#include "regionlab/shadow.h"

int rl_dfcopy_init(rl_dfcopy *t, const rl_region *src, rl_region *dst, bool mark)
{
	*t = (rl_dfcopy){ .src = src, .dst = dst, .mark = mark, .memo = { .hdr = RL_HDR_FORWARD } };
	return rl_worklist_init(&t->wl, rl_region_family_footprint(src) / 8);
}

void rl_dfcopy_fini(rl_dfcopy *t) { rl_worklist_fini(&t->wl); }

/* Copies o (in src, not yet copied, header h, in block b) to dst and
 * forwards it; NULL when dst cannot grow (o is then unchanged). */
static inline __attribute__((always_inline)) rl_obj *evacuate(rl_region *dst, rl_bump *a, size_t small_max, bool mark,
							       rl_obj *o, uint64_t h, rl_block *b, uint64_t *copied)
{
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	rl_obj *copy = rl_bump_alloc(a, dst, size, small_max);
	if (copy == NULL)
		return NULL;
	rl_copy_object(copy, o, size);
	if (mark)
		rl_shadow_mark_in(o, b);
	o->hdr = rl_hdr_forward_to(copy);
	*copied += size;
	return copy;
}

/* Rewrites the slots of copy c, reading their values from `from` (c's
 * original, whose payload is never written, or c itself; h is their header),
 * and of every copy reachable from c that is not yet scanned.  Reading the
 * values of a copy just made from its original, not from the copy, keeps
 * the store of the copy out of the chain of loads that walks a list.  `mark`
 * and `bounded` are constants in each instance; with `bounded`, the scan
 * stops once the copies it made pass `limit` bytes and empties the worklist
 * (the copies stay forwarded, some not scanned, for the caller's undo).
 * The allocator is *a: with `own_bump`, loaded here and synced on return;
 * without, the caller's, loaded and synced by it (rl_dfcopy_children_run,
 * which scans many children in turn, once for all of them).
 * 0, 1 when it stopped so, or -1 when dst cannot grow. */
static inline __attribute__((always_inline)) int scan_from(rl_dfcopy *t, rl_bump *a, bool own_bump, bool mark,
							    bool bounded, size_t limit, rl_obj *c, const rl_obj *from,
							    uint64_t h)
{
	const rl_region *src = t->src;
	rl_region *dst = t->dst;
	const uintptr_t mask = ~(uintptr_t)(rl_block_size - 1);
	const size_t small_max = rl_small_object_max();
	rl_layout l = t->memo;
	uint64_t copied = 0;
	int rc = 0;
	if (own_bump)
		rl_bump_load(a, dst);
	for (;;) {
		if (h != l.hdr)
			rl_layout_of(&l, h);
		rl_obj *next = NULL; /* scanned next instead of being pushed */
		const rl_obj *next_from = NULL;
		uint64_t map = l.map;
		/* The slots: the map's bits, then the tail [next, end). */
		for (size_t i = map ? (size_t)__builtin_ctzll(map) : l.next; i < l.end || map != 0;) {
			rl_val v = from->w[i];
			if (rl_region_contains_masked(src, v, mask)) {
				rl_obj *o = rl_ptr(v);
				uint64_t oh = o->hdr;
				if (rl_hdr_is_forward(oh)) {
					c->w[i] = rl_val_of(rl_hdr_forward_target(oh));
				} else {
					rl_obj *copy = evacuate(dst, a, small_max, mark, o, oh,
								(rl_block *)(v & mask), &copied);
					if (copy == NULL) {
						rc = -1;
						goto out;
					}
					c->w[i] = rl_val_of(copy);
					if (bounded && copied > limit) {
						t->wl.len = 0;
						rc = 1;
						goto out;
					}
					/* Copies without slots are never queued. */
					if (oh == l.hdr || rl_hdr_may_have_slots(oh)) {
						if (next == NULL) {
							next = copy;
							next_from = o;
						} else {
							rl_worklist_push(&t->wl, copy);
						}
					}
				}
			}
			if (map != 0) {
				map &= map - 1;
				i = map ? (size_t)__builtin_ctzll(map) : l.next;
			} else {
				i++;
			}
		}
		if (next != NULL) {
			c = next;
			from = next_from;
			/* The copy holds its original's header: read back, not
			 * carried beside it.  It only picks the layout, so the
			 * loads that walk a list do not wait for it, and the
			 * loop carries one register less. */
			h = c->hdr;
		} else {
			c = rl_worklist_pop(&t->wl);
			if (c == NULL)
				break;
			from = c;
			h = c->hdr; /* a copy holds its original's header */
		}
	}
out:
	if (own_bump)
		rl_bump_sync(a, dst);
	t->memo = l;
	t->bytes_copied += copied;
	return rc;
}

static int scan_marked(rl_dfcopy *t, rl_obj *c, const rl_obj *from, uint64_t h)
{
	rl_bump a;
	return scan_from(t, &a, true, true, false, 0, c, from, h);
}

static int scan_plain(rl_dfcopy *t, rl_obj *c, const rl_obj *from, uint64_t h)
{
	rl_bump a;
	return scan_from(t, &a, true, false, false, 0, c, from, h);
}

static int scan_within(rl_dfcopy *t, size_t limit, rl_obj *c, const rl_obj *from, uint64_t h)
{
	rl_bump a;
	return scan_from(t, &a, true, false, true, limit, c, from, h);
}

/* Copies the object *slot points at, when it is in src and not copied yet:
 * *copy gets the copy when it has slots to scan, else NULL (*slot updated
 * already), and *h its header.  0, or -1 when dst cannot grow. */
static inline __attribute__((always_inline)) int forward_first(rl_dfcopy *t, rl_val *slot, rl_obj **copy, uint64_t *h)
{
	rl_val v = *slot;
	*copy = NULL;
	if (!rl_region_contains(t->src, v))
		return 0;
	rl_obj *o = rl_ptr(v);
	*h = o->hdr;
	if (rl_hdr_is_forward(*h)) {
		*slot = rl_val_of(rl_hdr_forward_target(*h));
		return 0;
	}
	rl_bump a;
	uint64_t copied = 0;
	rl_bump_load(&a, t->dst);
	rl_obj *c = evacuate(t->dst, &a, rl_small_object_max(), t->mark, o, *h, rl_block_of(o), &copied);
	rl_bump_sync(&a, t->dst);
	if (c == NULL)
		return -1;
	t->bytes_copied += copied;
	*slot = rl_val_of(c);
	if (rl_hdr_may_have_slots(*h))
		*copy = c;
	return 0;
}

int rl_dfcopy_forward(rl_dfcopy *t, rl_val *slot)
{
	rl_obj *copy;
	uint64_t h;
	const rl_obj *from = rl_ptr(*slot);
	if (forward_first(t, slot, &copy, &h) != 0)
		return -1;
	if (copy == NULL)
		return 0;
	return t->mark ? scan_marked(t, copy, from, h) : scan_plain(t, copy, from, h);
}

int rl_dfcopy_forward_within(rl_dfcopy *t, rl_val *slot, size_t budget)
{
	rl_obj *copy;
	uint64_t h;
	const rl_obj *from = rl_ptr(*slot);
	if (forward_first(t, slot, &copy, &h) != 0)
		return -1;
	if (copy == NULL)
		return 1;
	size_t first = rl_obj_footprint(rl_hdr_bytes(h));
	if (first > budget)
		return 0;
	int rc = scan_within(t, budget - first, copy, from, h);
	return rc < 0 ? -1 : rc == 0;
}

void rl_dfcopy_children_begin(rl_dfcopy_children *ch, rl_obj *holder, size_t budget)
{
	*ch = (rl_dfcopy_children){ .budget = budget };
	rl_slots_begin(&ch->slots, holder);
}

int rl_dfcopy_children_run(rl_dfcopy *t, rl_dfcopy_children *ch)
{
	const rl_region *src = t->src;
	rl_region *dst = t->dst;
	const uintptr_t mask = ~(uintptr_t)(rl_block_size - 1);
	const size_t small_max = rl_small_object_max();
	rl_val *s;
	rl_bump a;
	int rc = 1;
	rl_bump_load(&a, dst);
	while ((s = rl_slots_prev(&ch->slots)) != NULL) {
		rl_val v = *s;
		if (!rl_region_contains_masked(src, v, mask))
			continue;
		rl_obj *o = rl_ptr(v);
		uint64_t h = o->hdr;
		if (rl_hdr_is_forward(h)) {
			*s = rl_val_of(rl_hdr_forward_target(h));
			continue;
		}
		if (!rl_hdr_may_have_slots(h))
			continue;
		size_t size = rl_obj_footprint(rl_hdr_bytes(h));
		if (size > ch->budget) {
			ch->too_big++;
			continue;
		}
		/* dst as it is before this probe, for its undo */
		rl_bump_sync(&a, dst);
		rl_region_mark m = rl_region_mark_now(dst);
		uint64_t copied = 0;
		rl_obj *copy = evacuate(dst, &a, small_max, false, o, h, (rl_block *)(v & mask), &copied);
		if (copy == NULL) {
			rc = -1;
			break;
		}
		t->bytes_copied += copied;
		*s = rl_val_of(copy);
		int k = scan_from(t, &a, false, false, true, ch->budget - size, copy, o, h);
		if (k < 0) {
			rc = -1;
			break;
		}
		if (k > 0) {
			*s = v;
			ch->stopped = s;
			ch->mark = m;
			rc = 0;
			break;
		}
	}
	rl_bump_sync(&a, dst);
	return rc;
}
