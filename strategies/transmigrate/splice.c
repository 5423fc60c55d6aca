/* splice: move the dense blocks, copy the rest (design 2.6).
 *
 * Invariant: a block of src is moved into dst whole only when the trace from
 * the root found at least `threshold` of its allocated bytes live (V8's page
 * promotion rule, 70% by default); every live object of any other block is
 * copied, and every pointer to such an object (in copies, in moved blocks,
 * the root) is redirected to its copy before src dies.  Moved blocks keep
 * their addresses, so pointers into them need no fixing, and their dead
 * objects come along as garbage (reported).  Nothing is mutated until every
 * allocation of the call has succeeded, except the source headers the copy
 * step borrows, which it gives back on failure (regionlab/splice.h).
 *
 * The shared mechanisms: the liveness trace (shadow + worklist, per-block
 * counters, and which blocks are dense enough to move) and the block mover;
 * this file only composes them. */
#include "regionlab/adopt.h"
#include "regionlab/knowledge.h"
#include "regionlab/liveness.h"
#include "regionlab/splice.h"
#include "regionlab/transmigrator.h"

enum { OPT_THRESHOLD };
static const struct rl_option splice_options[] = {
	[OPT_THRESHOLD] = RL_OPTION_REAL("threshold", "0.7", 0.0, 1.0,
					 "move a block whole when at least this share of its bytes is live"),
	RL_OPTIONS_END,
};

/* The early path (issue 15): when the graph lives in a clean home
 * sub-region of src (regionlab/knowledge.h, rl_region_clean_home: only src
 * holds it, nothing outside points in, it points nowhere out), everything the
 * root reaches is in the home and nothing else needs it: dst adopts the home
 * with its blocks in O(1), with no trace (regionlab/splice.h).  Otherwise
 * the decision says why (NULL when the root is in src itself) and the traced
 * path runs. */
static void splice_home(rl_tm_ctx *ctx, rl_region *home, rl_region *dst)
{
	ctx->report.bytes_spliced = rl_splice_home(home, dst);
	/* Garbage in the home is known only from the caller's hint. */
	ctx->report.garbage_bytes = rl_region_knowledge_of(home).all_result ? 0 : UINT64_MAX;
	ctx->report.decision = "home sub-region spliced, no trace";
}

static int splice_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;
	rl_region *home = rl_region_clean_home(src, root, &ctx->report.decision);
	if (home != NULL) {
		splice_home(ctx, home, dst);
		return RL_TM_OK;
	}

	double threshold = rl_opt_real(ctx->opts, &splice_options[OPT_THRESHOLD]); /* the traced path's only */
	rl_liveness lv;
	if (rl_liveness_init(&lv, src) != 0)
		return RL_TM_ENOMEM;
	rl_liveness_trace(&lv, root);
	rl_liveness_take_dense(&lv, threshold);
	rl_splice_result res;
	rl_val r = root, *slot = &r;
	int rc = rl_splice_apply(&lv, dst, NULL, &slot, 1, &res);
	rl_liveness_fini(&lv);
	if (rc != 0)
		return RL_TM_ENOMEM;
	ctx->report.bytes_copied = res.bytes_copied;
	ctx->report.bytes_spliced = res.bytes_spliced;
	ctx->report.garbage_bytes = res.garbage_bytes;
	*out = r;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_splice = {
	.name = "splice",
	.summary = "trace, move blocks at least `threshold` live (0.7) into dst whole, copy the rest",
	.caps = RL_TM_ZERO_COPY | RL_TM_CONSUMES_SRC,
	.options = splice_options,
	.transmigrate = splice_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
