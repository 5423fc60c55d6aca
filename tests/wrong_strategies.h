/* Deliberately wrong transmigrators: test fixtures, compiled into the tests
 * that include this header and never registered in the harness.
 *
 * Each one makes a correct copy (the registered `naive` strategy does it),
 * then breaks exactly one clause of the contract, the way a real bug would:
 *   wrong-held        writes into a held sub-region of src (it outlives src)
 *   wrong-src         claims RL_TM_BORROWS_SRC and leaves a mark in a header
 *   wrong-leak        keeps strategy memory (rl_mem_alloc) after the call
 *   wrong-block-leak  keeps a region block after the call
 *   wrong-into-src    leaves a pointer of the copy aimed at the original
 * and the judge must name that clause: tests/test_judge.c runs them through
 * the harness runner (rows), tests/test_contract.c through the contract
 * suite.  What the leaking fixtures keep is freed by wrong_strategies_clean_up
 * after each trial, so that the test itself leaks nothing. */
#ifndef REGIONLAB_TESTS_WRONG_STRATEGIES_H
#define REGIONLAB_TESTS_WRONG_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/registry.h"
#include "oracle/verdict.h"
#include "regionlab/adopt.h"
#include "regionlab/allocator.h"
#include "regionlab/mem.h"
#include "regionlab/transmigrator.h"

#define WRONG_LEAK_BYTES 64

/* What the leaking fixtures kept, for the clean-up. */
static void *wrong_leaked_memory;
static rl_region *wrong_leaked_region;

/* Frees what the leaking fixtures kept.  same_thread: the trial ran on this
 * thread (its strategy-memory account is given back too); otherwise the
 * trial's thread and its account are gone, and only the memory is freed. */
static inline void wrong_strategies_clean_up(bool same_thread)
{
	if (wrong_leaked_memory != NULL) {
		if (same_thread)
			rl_mem_free(wrong_leaked_memory, WRONG_LEAK_BYTES);
		else
			rl_allocator_free(wrong_leaked_memory, WRONG_LEAK_BYTES);
	}
	wrong_leaked_memory = NULL;
	rl_region_destroy(wrong_leaked_region);
	wrong_leaked_region = NULL;
}

/* The correct copy every fixture starts from. */
static inline int wrong_copy(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	const struct rl_transmigrator *naive = rl_find_transmigrator("naive");
	return naive != NULL ? naive->transmigrate(ctx, src, dst, root, out) : RL_TM_EPRECONDITION;
}

/* wrong-held: one byte of the first object of a sub-region that outlives src. */
static inline int wrong_held_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	int rc = wrong_copy(ctx, src, dst, root, out);
	if (rc != RL_TM_OK)
		return rc;
	for (rl_region *m = rl_region_family_next(src, src); m != NULL; m = rl_region_family_next(src, m)) {
		rl_block *b = m->small.head != NULL ? m->small.head : m->large.head;
		if (rl_region_dies_with(m, src) || b == NULL || !rl_block_has_obj(b, rl_block_first_obj(b)))
			continue;
		((unsigned char *)rl_block_first_obj(b)->w)[0] ^= 1;
		break;
	}
	return RL_TM_OK;
}

/* wrong-src: marks the root visited with a spare header flag and "forgets"
 * to clear it.  The copy still reads right (flags are not part of an
 * object's value), so only src's bytes tell. */
#define WRONG_MARK_FLAG (1u << 6)
static inline int wrong_src_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	int rc = wrong_copy(ctx, src, dst, root, out);
	if (rc == RL_TM_OK && rl_region_contains(src, root))
		rl_ptr(root)->hdr |= RL_OBJ_FLAG_MASK & ~RL_OBJ_STATIC & WRONG_MARK_FLAG;
	return rc;
}

/* wrong-leak: strategy memory taken during the call and never given back. */
static inline int wrong_leak_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	int rc = wrong_copy(ctx, src, dst, root, out);
	if (rc == RL_TM_OK && wrong_leaked_memory == NULL)
		wrong_leaked_memory = rl_mem_alloc(WRONG_LEAK_BYTES);
	return rc;
}

/* wrong-block-leak: a scratch region (one block) never destroyed. */
static inline int wrong_block_leak_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root,
						rl_val *out)
{
	int rc = wrong_copy(ctx, src, dst, root, out);
	if (rc == RL_TM_OK && wrong_leaked_region == NULL) {
		wrong_leaked_region = rl_region_create("scratch");
		if (wrong_leaked_region != NULL)
			(void)rl_obj_new(wrong_leaked_region, RL_T_BOX_INT, sizeof(int64_t));
	}
	return rc;
}

/* wrong-into-src: the first slot of the root's copy that should lead to a
 * copy leads back to the original instead. */
static inline int wrong_into_src_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root,
					      rl_val *out)
{
	int rc = wrong_copy(ctx, src, dst, root, out);
	if (rc != RL_TM_OK || !rl_region_contains(src, root))
		return rc;
	rl_slot_iter io, ic;
	rl_val *so, *sc;
	rl_slots_begin(&io, rl_ptr(root));
	rl_slots_begin(&ic, rl_ptr(*out));
	while ((so = rl_slots_next(&io)) != NULL && (sc = rl_slots_next(&ic)) != NULL) {
		if (rl_region_contains(src, *so)) {
			*sc = *so;
			return RL_TM_OK;
		}
	}
	*out = root; /* no slot into src: the "copy" is the original itself */
	return RL_TM_OK;
}

#define WRONG_STRATEGY(var, label, fn, extra_caps)                                                   \
	static const struct rl_transmigrator var = {                                                 \
		.name = label,                                                                       \
		.summary = "test fixture: a deliberately wrong strategy",                           \
		.caps = RL_TM_RECURSIVE | (extra_caps),                                              \
		.transmigrate = fn,                                                                  \
		.finish = rl_tm_finish_nothing,                                                      \
		.read = rl_tm_read_plain,                                                            \
	}
WRONG_STRATEGY(wrong_held, "wrong-held", wrong_held_transmigrate, 0);
WRONG_STRATEGY(wrong_src, "wrong-src", wrong_src_transmigrate, RL_TM_BORROWS_SRC);
WRONG_STRATEGY(wrong_leak, "wrong-leak", wrong_leak_transmigrate, 0);
WRONG_STRATEGY(wrong_block_leak, "wrong-block-leak", wrong_block_leak_transmigrate, 0);
WRONG_STRATEGY(wrong_into_src, "wrong-into-src", wrong_into_src_transmigrate, 0);
#undef WRONG_STRATEGY

/* Each fixture with the clause it breaks, and whether it needs a held
 * sub-region to break it. */
struct wrong_strategy {
	const struct rl_transmigrator *tm;
	rl_clause clause;
	bool needs_held;
};

static const struct wrong_strategy wrong_strategies[] = {
	{ &wrong_held, RL_CLAUSE_HELD_SUBREGION_CHANGED, true },
	{ &wrong_src, RL_CLAUSE_SRC_CHANGED, false },
	{ &wrong_leak, RL_CLAUSE_LEAK, false },
	{ &wrong_block_leak, RL_CLAUSE_LEAK, false },
	{ &wrong_into_src, RL_CLAUSE_POINTS_INTO_SRC, false },
};
#define WRONG_STRATEGY_COUNT (sizeof wrong_strategies / sizeof wrong_strategies[0])

#endif /* REGIONLAB_TESTS_WRONG_STRATEGIES_H */
