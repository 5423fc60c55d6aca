/* bitmap: iterative worklist copy with the region shadow (design 2.1 + 2.2).
 *
 * Invariant: during the call, an object of src has its shadow bit set
 * exactly when it has been copied, and then (and only then) its header word
 * is borrowed to hold the forwarding address of its copy; the original
 * header lives on in the copy's first word.  So the traversal's "visited?"
 * is the forwarding bit of the header it loads anyway; the shadow is only
 * written there, and read by the restore.  Every copy that has value
 * slots is scanned exactly once: it is either being scanned, the one to be
 * scanned next, or on the worklist.  Before the call returns, on success and
 * on failure alike, one pass over the shadow (rl_shadow_restore_borrowed)
 * writes every borrowed header back from its copy, so src ends
 * byte-identical.
 *
 * Setup is two allocations: the shadow (one bit per 8-byte word of src) and
 * the worklist's address space (an entry per word of src, more than the
 * number of objects it can ever hold).  The traversal itself allocates
 * nothing but the copies.
 *
 * Order: of the new copies an object's scan produces, the first one that has
 * slots of its own is scanned next, in the same loop; the others are pushed,
 * and copies without slots (boxed numbers, strings, blobs) are never queued.
 * So a list, boxed or not, is copied without touching the worklist (the tail
 * is the only child with slots), and a tree allocated parent-before-children
 * is read in address order (left child first): measured on a 10^6-object
 * tree, scanning the last new child first instead was 3x slower. */
#include "regionlab/copy.h"
#include "regionlab/mem.h"
#include "regionlab/object.h"
#include "regionlab/region.h"
#include "regionlab/shadow.h"
#include "regionlab/transmigrator.h"
#include "regionlab/worklist.h"

struct bitmap {
	const rl_region *src;
	rl_region *dst;
	rl_worklist wl;
	uint64_t bytes_copied;
	/* The slot iterator of the last layout met, begun on an object whose
	 * header was memo_hdr: an object with the same header has the same
	 * slots, so the iterator is only rebased.  Lists and trees repeat one
	 * or two layouts, and the branch on the memo is predicted, so the next
	 * slot's address no longer waits for a load from the type table. */
	uint64_t memo_hdr;
	rl_slot_iter memo;
};

/* Begins `it` on the slots of o, whose header (the original, not a
 * forwarding word) is h.  True when o has value slots at all: objects
 * without (boxed numbers, strings, blobs) are never scanned or queued. */
static inline bool slots_begin(struct bitmap *t, rl_slot_iter *it, rl_obj *o, uint64_t h)
{
	if (h != t->memo_hdr) {
		rl_slots_begin(&t->memo, o);
		t->memo_hdr = h;
	}
	*it = t->memo;
	it->w = o->w;
	return it->map != 0 || it->next < it->end;
}

/* Copies o (in src, not yet visited, header h) to dst, marks it and
 * forwards it; begins *it on o's slots (see slots_begin, whose result goes
 * to *has_slots).  NULL when dst cannot grow; o is then left unmarked and
 * unchanged. */
static inline __attribute__((always_inline)) rl_obj *evacuate(struct bitmap *t, rl_bump *a, size_t small_max,
							       rl_obj *o, uint64_t h, rl_slot_iter *it,
							       bool *has_slots)
{
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	rl_obj *copy = rl_bump_alloc(a, t->dst, size, small_max);
	if (copy == NULL)
		return NULL;
	rl_copy_object(copy, o, size);
	*has_slots = slots_begin(t, it, o, h);
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
 * walks a list.  0, or -1 when dst cannot grow. */
static int scan_from(struct bitmap *t, rl_obj *c, const rl_obj *from, rl_slot_iter it)
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
			/* Visited: the invariant makes the forwarding bit of a
			 * header of src the same as o's shadow bit. */
			if (rl_hdr_is_forward(h)) {
				*to = rl_val_of(rl_hdr_forward_target(h));
				continue;
			}
			rl_slot_iter oit;
			bool has_slots;
			rl_obj *copy = evacuate(t, &a, small_max, o, h, &oit, &has_slots);
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
			slots_begin(t, &it, c, c->hdr);
		}
	}
out:
	rl_bump_sync(&a, t->dst);
	return rc;
}

static int bitmap_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	if (!rl_region_contains(src, root)) {
		*out = root;
		return RL_TM_OK;
	}

	rl_region_mark mark = rl_region_mark_now(dst);
	struct bitmap t = { .src = src, .dst = dst, .memo_hdr = RL_HDR_FORWARD };
	rl_shadow shadow;
	if (rl_shadow_attach(&shadow, src) != 0)
		return RL_TM_ENOMEM;
	if (rl_worklist_init(&t.wl, rl_region_footprint(src) / 8) != 0) {
		rl_shadow_detach(&shadow);
		return RL_TM_ENOMEM;
	}

	bool failed = true;
	rl_obj *o = rl_ptr(root);
	rl_bump a;
	rl_slot_iter it;
	bool has_slots;
	rl_bump_load(&a, dst);
	rl_obj *copy = evacuate(&t, &a, rl_small_object_max(), o, o->hdr, &it, &has_slots);
	rl_bump_sync(&a, dst);
	if (copy != NULL)
		failed = has_slots && scan_from(&t, copy, o, it) != 0;

	/* Copies must still exist here: the rollback below frees them. */
	rl_shadow_restore_borrowed(&shadow);
	rl_worklist_fini(&t.wl);
	rl_shadow_detach(&shadow);
	if (failed) {
		rl_region_rollback(dst, &mark);
		return RL_TM_ENOMEM;
	}
	ctx->report.bytes_copied = t.bytes_copied;
	*out = rl_val_of(copy);
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_bitmap = {
	.name = "bitmap",
	.summary = "iterative worklist copy, shadow bitmap, forwarding in borrowed headers (design 2.1 + 2.2)",
	.caps = RL_TM_BORROWS_SRC,
	.options = "",
	.transmigrate = bitmap_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
