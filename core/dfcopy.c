/* Depth-first copying (see regionlab/dfcopy.h).
 *
 * Invariant: every copy that has value slots is scanned exactly once: it is
 * either being scanned, the one to be scanned next, or on the worklist; a
 * copy's slots still hold the original's values until it is scanned.  An
 * original is copied exactly when its header holds a forwarding word (and,
 * with `mark`, its shadow bit is set), so "visited?" is the forwarding bit of
 * the header the loop loads anyway. */
#include "regionlab/dfcopy.h"

#include "regionlab/copy.h"
#include "regionlab/shadow.h"

int rl_dfcopy_init(rl_dfcopy *t, const rl_region *src, rl_region *dst, bool mark)
{
	*t = (rl_dfcopy){ .src = src, .dst = dst, .mark = mark, .memo_hdr = RL_HDR_FORWARD };
	return rl_worklist_init(&t->wl, rl_region_family_footprint(src) / 8);
}

void rl_dfcopy_fini(rl_dfcopy *t) { rl_worklist_fini(&t->wl); }

/* Begins `it` on the slots of o, whose header (the original, not a
 * forwarding word) is h.  True when o has value slots at all; false leaves
 * `it` unset.  An object whose type never holds values (a boxed number, a
 * string) is answered from the type table without touching the memo: a
 * tree's leaves would otherwise evict its nodes' layout at every step. */
static inline bool slots_begin(rl_dfcopy *t, rl_slot_iter *it, rl_obj *o, uint64_t h)
{
	if (h != t->memo_hdr) {
		if (!rl_hdr_may_have_slots(h))
			return false;
		rl_slots_begin(&t->memo, o);
		t->memo_hdr = h;
	}
	*it = t->memo;
	it->w = o->w;
	return it->map != 0 || it->next < it->end;
}

/* Copies o (in src, not yet copied, header h) to dst and forwards it;
 * begins *it on o's slots (slots_begin's result goes to *has_slots).  NULL
 * when dst cannot grow; o is then unchanged. */
static inline __attribute__((always_inline)) rl_obj *evacuate(rl_dfcopy *t, rl_bump *a, size_t small_max,
							       bool mark, rl_obj *o, uint64_t h,
							       rl_slot_iter *it, bool *has_slots)
{
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	rl_obj *copy = rl_bump_alloc(a, t->dst, size, small_max);
	if (copy == NULL)
		return NULL;
	rl_copy_object(copy, o, size);
	*has_slots = slots_begin(t, it, o, h);
	if (mark)
		rl_shadow_mark(o);
	o->hdr = rl_hdr_forward_to(copy);
	t->bytes_copied += size;
	return copy;
}

/* Rewrites the slots of copy c, reading their values from `from` (c's
 * original, whose payload is never written, or c itself) through `it`
 * (begun on from), and of every copy reachable from c that is not yet
 * scanned.  Reading the values of a copy just made from its original, not
 * from the copy, keeps the store of the copy out of the chain of loads that
 * walks a list.  `mark` is a constant in each instance.  0, or -1 when dst
 * cannot grow. */
static inline __attribute__((always_inline)) int scan_from(rl_dfcopy *t, bool mark, rl_obj *c,
							    const rl_obj *from, rl_slot_iter it)
{
	const rl_region *src = t->src;
	const size_t small_max = rl_small_object_max();
	rl_bump a;
	int rc = 0;
	rl_bump_load(&a, t->dst);
	for (;;) {
		const ptrdiff_t delta = (char *)c - (const char *)from;
		rl_obj *next = NULL; /* scanned next instead of being pushed */
		const rl_obj *next_from = NULL;
		rl_slot_iter next_it;
		rl_val *slot;
		while ((slot = rl_slots_next(&it)) != NULL) {
			rl_val v = *slot;
			if (!rl_region_contains(src, v))
				continue;
			rl_val *to = (rl_val *)((char *)slot + delta);
			rl_obj *o = rl_ptr(v);
			uint64_t h = o->hdr;
			if (rl_hdr_is_forward(h)) {
				*to = rl_val_of(rl_hdr_forward_target(h));
				continue;
			}
			rl_slot_iter oit;
			bool has_slots;
			rl_obj *copy = evacuate(t, &a, small_max, mark, o, h, &oit, &has_slots);
			if (copy == NULL) {
				rc = -1;
				goto out;
			}
			*to = rl_val_of(copy);
			if (!has_slots)
				continue;
			if (next == NULL) {
				next = copy;
				next_from = o;
				next_it = oit;
			} else {
				rl_worklist_push(&t->wl, copy);
			}
		}
		if (next != NULL) {
			c = next;
			from = next_from;
			it = next_it;
		} else {
			c = rl_worklist_pop(&t->wl);
			if (c == NULL)
				break;
			from = c;
			/* Only copies with slots are pushed; were one without
			 * them popped, `it` would still be the spent iterator of
			 * the last copy, and the next round would pop again. */
			(void)slots_begin(t, &it, c, c->hdr);
		}
	}
out:
	rl_bump_sync(&a, t->dst);
	return rc;
}

static int scan_marked(rl_dfcopy *t, rl_obj *c, const rl_obj *from, rl_slot_iter it)
{
	return scan_from(t, true, c, from, it);
}

static int scan_plain(rl_dfcopy *t, rl_obj *c, const rl_obj *from, rl_slot_iter it)
{
	return scan_from(t, false, c, from, it);
}

int rl_dfcopy_forward(rl_dfcopy *t, rl_val *slot)
{
	rl_val v = *slot;
	if (!rl_region_contains(t->src, v))
		return 0;
	rl_obj *o = rl_ptr(v);
	uint64_t h = o->hdr;
	if (rl_hdr_is_forward(h)) {
		*slot = rl_val_of(rl_hdr_forward_target(h));
		return 0;
	}
	rl_bump a;
	rl_slot_iter it;
	bool has_slots;
	rl_bump_load(&a, t->dst);
	rl_obj *copy = evacuate(t, &a, rl_small_object_max(), t->mark, o, h, &it, &has_slots);
	rl_bump_sync(&a, t->dst);
	if (copy == NULL)
		return -1;
	*slot = rl_val_of(copy);
	if (!has_slots)
		return 0;
	return t->mark ? scan_marked(t, copy, o, it) : scan_plain(t, copy, o, it);
}
