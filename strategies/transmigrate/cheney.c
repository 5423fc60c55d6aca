/* cheney: breadth-first copy with the destination as the queue.
 *
 * Invariant: during the call a source object's header holds a forwarding
 * word exactly when the object has been copied, and its copy (the only one)
 * holds the original header; every other byte of src is never written.  So
 * the source graph can always be recovered from the copies alone, without a
 * side table: on failure rl_cheney_undo gives every header back and rolls
 * dst back, allocating nothing (regionlab/cheney.h explains how).
 *
 * On success src is left consumed (RL_TM_CONSUMES_SRC): its headers still
 * forward to the copies, which is all a dying region needs, except those of
 * the objects of held sub-regions, which outlive src: the scan gives them
 * back when src has any (a second pass over the to-space, paid only then).
 * restore=1 gives every header back before returning, for callers that
 * read src again; it costs that second pass (measured in
 * docs/strategies.md). */
#include "regionlab/cheney.h"
#include "regionlab/transmigrator.h"

enum { OPT_RESTORE };
static const struct rl_option cheney_options[] = {
	[OPT_RESTORE] = RL_OPTION_INT("restore", "0", 0, 1, "1: give every source header back before returning"),
	RL_OPTIONS_END,
};

static int cheney_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	size_t restore = rl_opt_int(ctx->opts, &cheney_options[OPT_RESTORE]);
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;

	rl_cheney c;
	rl_cheney_begin(&c, src, dst);
	if (restore)
		c.release_held = false; /* rl_cheney_restore gives back all */
	rl_val copy = root;
	if (rl_cheney_forward(&c, &copy) != 0 || rl_cheney_scan(&c, SIZE_MAX) < 0) {
		rl_cheney_undo(&c, &root, 1);
		return RL_TM_ENOMEM;
	}
	if (restore)
		rl_cheney_restore(&c, &root, 1);
	ctx->report.bytes_copied = c.bytes_copied;
	*out = copy;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_cheney = {
	.name = "cheney",
	.summary = "breadth-first copy, dst is the queue, forwarding in source headers (restore=1 gives them back)",
	.caps = RL_TM_CONSUMES_SRC,
	.options = cheney_options,
	.transmigrate = cheney_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
