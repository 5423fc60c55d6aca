/* relocate: a copy that never traces (issue 15, design 2.5's dense case).
 *
 * Invariant: every block of src's family is copied whole into fresh blocks of
 * dst and every pointer into src is moved by its block's offset
 * (regionlab/relocate.h), so the copy of the object at address a is at a plus
 * its block's offset: sharing, cycles and layout are preserved by
 * construction, with no forwarding and no visited set.  src is only read: it
 * stays byte-identical (the Erlang message case: the sender keeps its data),
 * which RL_TM_BORROWS_SRC has the contract suite check after every call.
 *
 * What the root does not reach is copied too: the call's cost is src's
 * footprint, not the graph's.  So it wins when src is dense (the runtime
 * knows all of it is the result) and loses as garbage grows.  The copy's
 * garbage is not measured here (that would be the trace this strategy exists
 * to avoid): the report says the copy includes it, and the runner derives
 * garbage_bytes from the census it takes before the timed call. */
#include "regionlab/relocate.h"
#include "regionlab/transmigrator.h"

static int relocate_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;
	rl_relocate_result res;
	rl_val r = root, *slot = &r;
	if (rl_relocate(src, dst, &slot, 1, &res) != 0)
		return RL_TM_ENOMEM;
	ctx->report.bytes_copied = res.bytes_copied;
	ctx->report.copied_all_of_src = true;
	ctx->report.decision = res.hashed_map ? "copied all of src, garbage included; hashed block map"
					      : "copied all of src, garbage included";
	*out = r;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_relocate = {
	.name = "relocate",
	.summary = "copies every block of src whole, moving pointers by their block's offset: no trace, garbage included",
	.caps = RL_TM_BORROWS_SRC,
	.options = NULL,
	.transmigrate = relocate_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
