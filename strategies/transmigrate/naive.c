/* naive: the baseline the design replaces (design section 1.1).
 *
 * A recursive deep copy with a uthash visited map from each source object to
 * its copy, one heap entry per visited object.  It is kept as the reference
 * point the other strategies are measured against, faults included: the C
 * stack grows with the depth of the graph (a long list overflows it), and
 * every object costs a malloc and a hash probe.
 *
 * Invariant: an object of src is in the map exactly when its copy exists in
 * dst, and the map entry is added before the copy's slots are followed, so a
 * cycle or a shared object finds its copy instead of being copied again.
 * The source region is only read, never written. */
#include <string.h>

#include "regionlab/mem.h"
#include "regionlab/object.h"
#include "regionlab/region.h"
#include "regionlab/transmigrator.h"

/* Route uthash's memory through the counted, fault-injectable allocator and
 * make its out-of-memory cases reportable instead of fatal: a failed entry
 * or bucket allocation leaves the table valid, without the entry, and calls
 * uthash_nonfatal_oom on the entry being added. */
#define uthash_malloc(bytes) rl_mem_alloc(bytes)
#define uthash_free(p, bytes) rl_mem_free((p), (bytes))
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(entry) ((entry)->unmapped = true)
#include <uthash.h>

struct visited {
	rl_obj *src;
	rl_obj *copy;
	bool unmapped; /* set by uthash when adding this entry ran out of memory */
	UT_hash_handle hh;
};

struct naive {
	rl_region *src, *dst;
	struct visited *map;
	uint64_t bytes_copied;
	bool failed;
};

static void map_free(struct visited **map)
{
	/* HASH_CLEAR frees the table but leaves the entries and their
	 * insertion-order links intact: walk those afterwards. */
	struct visited *e = *map, *next;
	HASH_CLEAR(hh, *map);
	for (; e != NULL; e = next) {
		next = e->hh.next;
		rl_mem_free(e, sizeof *e);
	}
}

/* Returns the value that stands for v in the copy: v itself unless it points
 * into src.  Recursion per pointer slot; the result is stored into the copy's
 * slot after the recursive call returns, so the compiler cannot turn the last
 * call into a loop: a deep list really uses one stack frame per cell. */
static rl_val copy_val(struct naive *n, rl_val v)
{
	if (!rl_region_contains(n->src, v))
		return v;
	rl_obj *o = rl_ptr(v);
	struct visited *e;
	HASH_FIND_PTR(n->map, &o, e);
	if (e != NULL)
		return rl_val_of(e->copy);

	size_t size = rl_obj_size(o);
	rl_obj *copy = rl_region_alloc(n->dst, size);
	if (copy == NULL)
		goto fail;
	memcpy(copy, o, size);
	n->bytes_copied += size;

	e = rl_mem_alloc(sizeof *e);
	if (e == NULL)
		goto fail;
	e->src = o;
	e->copy = copy;
	e->unmapped = false;
	HASH_ADD_PTR(n->map, src, e);
	if (e->unmapped) {
		rl_mem_free(e, sizeof *e);
		goto fail;
	}

	rl_slot_iter it;
	rl_val *slot;
	for (rl_slots_begin(&it, copy); (slot = rl_slots_next(&it)) != NULL;) {
		rl_val r = copy_val(n, *slot);
		if (n->failed)
			return RL_NIL;
		*slot = r;
	}
	return rl_val_of(copy);

fail:
	n->failed = true;
	return RL_NIL;
}

static int naive_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	rl_region_mark mark = rl_region_mark_now(dst);
	struct naive n = { .src = src, .dst = dst };
	rl_val copy = copy_val(&n, root);
	map_free(&n.map);
	if (n.failed) {
		rl_region_rollback(dst, &mark);
		return RL_TM_ENOMEM;
	}
	ctx->report.bytes_copied = n.bytes_copied;
	*out = copy;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_naive = {
	.name = "naive",
	.summary = "recursive copy, uthash visited map, malloc per object (design 1.1 baseline)",
	.caps = RL_TM_RECURSIVE,
	.options = NULL,
	.transmigrate = naive_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
