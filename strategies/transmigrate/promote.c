/* promote: the old all-or-nothing arena_promote (design 1.1).
 *
 * Invariant: dst adopts src whole (regionlab/adopt.h): both block chains are
 * relinked onto dst's in O(1) and src's RCB lives on as an alias, so every
 * object keeps its address and the graph needs no fixing at all.  Correct by
 * construction, with no precondition: whatever else src held (garbage, other
 * graphs, its sub-regions, which dst adopts with it) now lives as long as dst.  To show what that costs, the call first
 * traces the graph (shadow + worklist, allocation-free once set up) and
 * reports as garbage_bytes the bytes it moved that the root does not reach;
 * measure=0 skips the trace, and the call is then O(1) like linear. */
#include <stdint.h>

#include "regionlab/adopt.h"
#include "regionlab/liveness.h"
#include "regionlab/transmigrator.h"

enum { OPT_MEASURE };
static const struct rl_option promote_options[] = {
	[OPT_MEASURE] = RL_OPTION_INT("measure", "1", 0, 1, "1: trace the graph to report the garbage dst inherits"),
	RL_OPTIONS_END,
};

static int promote_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	size_t measure = rl_opt_int(ctx->opts, &promote_options[OPT_MEASURE]);
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;
	if (!rl_region_can_adopt(dst, src))
		return RL_TM_EPRECONDITION;

	uint64_t moved = rl_region_family_bytes(src); /* its sub-regions go to dst too */
	uint64_t garbage = UINT64_MAX; /* not measured: an empty CSV cell */
	if (measure) {
		rl_liveness lv;
		if (rl_liveness_init(&lv, src) != 0)
			return RL_TM_ENOMEM;
		rl_liveness_trace(&lv, root);
		garbage = moved - lv.bytes;
		rl_liveness_fini(&lv);
	}
	rl_region_adopt(dst, src);
	ctx->report.bytes_spliced = moved;
	ctx->report.garbage_bytes = garbage;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_promote = {
	.name = "promote",
	.summary = "dst adopts all of src in O(1) (old arena_promote); traces only to report the garbage it inherits",
	.caps = RL_TM_ZERO_COPY | RL_TM_ADOPTS_SRC,
	.options = promote_options,
	.transmigrate = promote_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
