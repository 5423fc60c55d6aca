/* bitmap: iterative worklist copy with the region shadow (design 2.1 + 2.2).
 *
 * Invariant: during the call, an object of src has its shadow bit set
 * exactly when it has been copied, and then (and only then) its header word
 * is borrowed to hold the forwarding address of its copy; the original
 * header lives on in the copy's first word.  Every copy that has value
 * slots is scanned exactly once: it is either being scanned, the one to be
 * scanned next, or on the worklist.  Before the call returns, on success and
 * on failure alike, one pass over the shadow writes every borrowed header
 * back from its copy, so src ends byte-identical.
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
};

/* Copies o (in src, not yet visited) to dst, marks it and forwards it.
 * NULL when dst cannot grow; o is then left unmarked and unchanged. */
static inline rl_obj *evacuate(struct bitmap *t, rl_obj *o)
{
	size_t size = rl_obj_size(o);
	rl_obj *copy = rl_region_bump(t->dst, size);
	if (copy == NULL)
		return NULL;
	rl_copy_object(copy, o, size);
	rl_shadow_test_and_set(o);
	o->hdr = rl_hdr_forward_to(copy);
	t->bytes_copied += size;
	return copy;
}

/* True when objects of o's type can hold values: copies of the others
 * (boxed numbers, strings, blobs) need no scan and are never queued. */
static inline bool may_hold_values(const rl_obj *o)
{
	const rl_type *type = rl_type_of(o);
	return type->ptr_map != 0 || type->tail_from != RL_NO_TAIL;
}

/* Rewrites the slots of copy c and of every copy reachable from it that is
 * not yet scanned.  0, or -1 when dst cannot grow. */
static int scan_from(struct bitmap *t, rl_obj *c)
{
	const rl_region *src = t->src;
	do {
		rl_obj *next = NULL; /* scanned next instead of being pushed */
		rl_slot_iter it;
		rl_val *slot;
		for (rl_slots_begin(&it, c); (slot = rl_slots_next(&it)) != NULL;) {
			rl_val v = *slot;
			if (!rl_region_contains(src, v))
				continue;
			rl_obj *o = rl_ptr(v);
			if (rl_shadow_test(o)) {
				*slot = rl_val_of(rl_hdr_forward_target(o->hdr));
				continue;
			}
			rl_obj *copy = evacuate(t, o);
			if (copy == NULL)
				return -1;
			*slot = rl_val_of(copy);
			if (!may_hold_values(copy))
				continue;
			if (next == NULL)
				next = copy;
			else
				rl_worklist_push(&t->wl, copy);
		}
		c = next != NULL ? next : rl_worklist_pop(&t->wl);
	} while (c != NULL);
	return 0;
}

static void restore_header(rl_obj *o, void *env)
{
	(void)env;
	o->hdr = rl_hdr_forward_target(o->hdr)->hdr;
}

static int bitmap_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	if (!rl_region_contains(src, root)) {
		*out = root;
		return RL_TM_OK;
	}

	rl_region_mark mark = rl_region_mark_now(dst);
	struct bitmap t = { .src = src, .dst = dst };
	rl_shadow shadow;
	if (rl_shadow_attach(&shadow, src) != 0)
		return RL_TM_ENOMEM;
	if (rl_worklist_init(&t.wl, rl_region_footprint(src) / 8) != 0) {
		rl_shadow_detach(&shadow);
		return RL_TM_ENOMEM;
	}

	bool failed = true;
	rl_obj *copy = evacuate(&t, rl_ptr(root));
	if (copy != NULL)
		failed = scan_from(&t, copy) != 0;

	/* Copies must still exist here: the rollback below frees them. */
	rl_shadow_for_each_marked(&shadow, restore_header, NULL);
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
