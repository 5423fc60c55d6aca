/* Moving a region's blocks by verdict (see regionlab/splice.h).
 *
 * Invariant: until step 3, every block stays where it was; a source object
 * has a forwarded header only if it is live in a block not taken (copied in
 * step 1) or was forwarded before the trace, and each copy made here holds
 * the header its original had.  Step 2 writes only slots of live objects that
 * will survive (copies and objects of taken blocks) and the roots.  "src's
 * blocks" are those of its whole family (regionlab/adopt.h): a block is taken
 * only when it dies with src, and after step 2 the objects copied out of
 * blocks that outlive src (held sub-regions) get their headers back. */
#include "regionlab/splice.h"

#include <stdio.h>
#include <stdlib.h>

#include "regionlab/adopt.h"
#include "regionlab/cheney.h"
#include "regionlab/copy.h"

struct copy_env {
	rl_region *dst;
	rl_region_mark mark;
	uint64_t copied;
	int failed;
};

static void copy_one(rl_obj *o, void *envp)
{
	struct copy_env *e = envp;
	if (e->failed)
		return;
	size_t size = rl_obj_size(o);
	rl_obj *c = rl_region_bump(e->dst, size);
	if (c == NULL) {
		e->failed = 1;
		return;
	}
	rl_copy_object(c, o, size);
	o->hdr = rl_hdr_forward_to(c);
	e->copied += size;
}

/* Undo of copy_one: o's header back from its copy, when we made one. */
static void give_back(rl_obj *o, void *envp)
{
	struct copy_env *e = envp;
	if (!rl_hdr_is_forward(o->hdr))
		return;
	rl_obj *c = rl_hdr_forward_target(o->hdr);
	if (rl_allocated_after(&e->mark, c))
		o->hdr = c->hdr;
}

/* A block moves only when its verdict says so and src's death would free it. */
static bool taken(const rl_liveness *lv, const rl_block *b)
{
	return (*rl_liveness_counter(lv, b) & RL_LIVE_TAKE) != 0 && rl_region_dies_with(b->region, lv->src);
}

enum which { NOT_TAKEN, TAKEN, OUTLIVING };

/* fn on every marked object of every block of src's family that is not taken
 * (NOT_TAKEN), taken (TAKEN), or not taken and outliving src (OUTLIVING):
 * small blocks, then large, chain order. */
static void for_each_live(rl_liveness *lv, enum which which, void (*fn)(rl_obj *o, void *env), void *env)
{
	rl_region *src = lv->src;
	for (int chain = 0; chain < 2; chain++) {
		for (rl_region *m = src; m != NULL; m = rl_region_family_next(src, m)) {
			for (rl_block *b = chain ? m->large.head : m->small.head; b != NULL; b = b->next) {
				if (rl_liveness_block(lv, b) == 0 || taken(lv, b) != (which == TAKEN))
					continue;
				if (which == OUTLIVING && rl_region_dies_with(m, src))
					continue;
				rl_liveness_for_each_in_block(lv, b, fn, env);
			}
		}
	}
}

struct fix_env {
	const rl_region *src;
};

static inline void fix_slot(const rl_region *src, rl_val *s)
{
	if (rl_region_contains(src, *s) && rl_hdr_is_forward(rl_ptr(*s)->hdr))
		*s = (rl_val)rl_hdr_forward_target(rl_ptr(*s)->hdr);
}

static void fix_object(rl_obj *o, void *envp)
{
	const struct fix_env *e = envp;
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;)
		fix_slot(e->src, s);
}

struct take_env {
	rl_liveness *lv;
	uint64_t live;
	size_t blocks;
};

static bool take_block(rl_block *b, void *envp)
{
	struct take_env *e = envp;
	if (!taken(e->lv, b))
		return false;
	e->live += rl_liveness_block(e->lv, b);
	e->blocks++;
	b->scratch = NULL; /* leaves the shadow with src */
	return true;
}

int rl_splice_apply(rl_liveness *lv, rl_region *dst, const rl_region_mark *fix_from, rl_val *const *slots,
		    size_t nslots, rl_splice_result *out)
{
	rl_region *src = lv->src;
	struct copy_env ce = { .dst = dst, .mark = rl_region_mark_now(dst) };

	/* 1. Copy the live objects of the blocks not taken. */
	for_each_live(lv, NOT_TAKEN, copy_one, &ce);
	if (ce.failed) {
		for_each_live(lv, NOT_TAKEN, give_back, &ce);
		rl_region_rollback(dst, &ce.mark);
		return -1;
	}

	/* 2. Fix the slots that point at copies: nothing else moved. */
	struct fix_env fe = { src };
	if (fix_from != NULL || ce.copied != 0) {
		rl_tospace_cursor cur;
		rl_obj *n;
		rl_tospace_cursor_at(&cur, fix_from != NULL ? fix_from : &ce.mark);
		while ((n = rl_tospace_small_peek(&cur, dst)) != NULL) {
			fix_object(n, &fe);
			rl_tospace_small_advance(&cur, rl_obj_size(n));
		}
		while ((n = rl_tospace_large_peek(&cur, dst)) != NULL) {
			fix_object(n, &fe);
			rl_tospace_large_advance(&cur, dst);
		}
	}
	if (ce.copied != 0 || lv->forwarded_refs != 0) {
		if (lv->log_overflow) {
			for_each_live(lv, TAKEN, fix_object, &fe);
		} else {
			for (size_t i = 0; i < lv->nlog; i++)
				fix_slot(src, lv->log[i]);
		}
	}
	for (size_t i = 0; i < nslots; i++)
		fix_slot(src, slots[i]);

	/* Every slot is fixed: the objects of blocks that outlive src are
	 * their holders', give them their headers back. */
	if (ce.copied != 0)
		for_each_live(lv, OUTLIVING, give_back, &ce);

	/* 3. Move the taken blocks, from each member of src's family. */
	struct take_env te = { .lv = lv };
	size_t moved = 0;
	for (rl_region *m = src; m != NULL; m = rl_region_family_next(src, m)) {
		size_t from_m = rl_block_list_take(&dst->small, &m->small, dst, take_block, &te);
		from_m += rl_block_list_take(&dst->large, &m->large, dst, take_block, &te);
		m->bytes_used -= from_m;
		moved += from_m;
	}
	dst->bytes_used += moved;

	out->bytes_copied = ce.copied;
	out->bytes_spliced = moved;
	out->garbage_bytes = moved - te.live;
	out->blocks_spliced = te.blocks;
	return 0;
}

size_t rl_splice_home(rl_region *home, rl_region *dst)
{
	size_t bytes = home->bytes_used;
	if (rl_subregion_adopt(dst, home) != 0) {
		fprintf(stderr, "regionlab: rl_splice_home: the home is not a sub-region only its parent holds, "
				"or dst lies in its family (use rl_region_clean_home first)\n");
		abort();
	}
	return bytes;
}
