/* linear: zero-copy ownership transfer (design 2.5).
 *
 * Invariant: when src has exactly one owning reference (external_rc == 1,
 * the caller's, which it hands over), nothing else can observe src, so dst
 * may adopt it whole (regionlab/adopt.h): both block chains are relinked onto
 * dst's and src's RCB becomes an alias of dst, in O(1) whatever the size of
 * the graph; every object keeps its address.  When the precondition does not
 * hold (another owner, or src already belongs to a region family that makes
 * adoption impossible) the call returns RL_TM_EPRECONDITION and changes
 * nothing.  It inherits whatever garbage src held, unmeasured (tracing it
 * would cost what the strategy exists to avoid): garbage_bytes is left empty. */
#include <stdint.h>

#include "regionlab/adopt.h"
#include "regionlab/transmigrator.h"

static int linear_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;
	if (atomic_load_explicit(&src->external_rc, memory_order_acquire) != 1 || !rl_region_can_adopt(dst, src))
		return RL_TM_EPRECONDITION;
	ctx->report.bytes_spliced = rl_region_family_bytes(src); /* its sub-regions go to dst too */
	ctx->report.garbage_bytes = UINT64_MAX; /* not measured: an empty CSV cell */
	rl_region_adopt(dst, src);
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_linear = {
	.name = "linear",
	.summary = "dst adopts src's RCB and blocks in O(1) when src's external_rc is 1; else EPRECONDITION",
	.caps = RL_TM_ZERO_COPY | RL_TM_NEEDS_SOLE_OWNER | RL_TM_ADOPTS_SRC,
	.options = NULL,
	.transmigrate = linear_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
