/* dfs: depth-first copy, forwarding left in the source headers, src consumed.
 *
 * Invariant: an object of src has been copied exactly when its header word
 * holds its copy's address tagged RL_HDR_FORWARD; the copy holds the original
 * header, and the originals' payloads are never written.  So the forwarded
 * header is the visited mark (no shadow, no side table), and every copy is
 * made while its discoverer is scanned, after it in dst: the to-space walk
 * of regionlab/cheney.h can give every borrowed header back from the copies
 * alone, allocating nothing.  On failure it does (rl_cheney_undo), then dst
 * is rolled back, so src ends byte-identical.  On success the headers stay
 * borrowed (RL_TM_CONSUMES_SRC: src is fit only for destruction), except
 * those of held sub-regions, which outlive src: rl_cheney_release_held gives
 * those back.
 *
 * The traversal is core's (regionlab/dfcopy.h, bitmap's without the shadow):
 * this file composes it with the Cheney to-space record that undoes it. */
#include "regionlab/cheney.h"
#include "regionlab/dfcopy.h"
#include "regionlab/region.h"
#include "regionlab/transmigrator.h"

static int dfs_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK; /* an immediate, or an object outside src: its own copy */

	rl_cheney record; /* dst's mark and whether src has held sub-regions */
	rl_cheney_begin(&record, src, dst);
	rl_dfcopy t;
	if (rl_dfcopy_init(&t, src, dst, false) != 0)
		return RL_TM_ENOMEM;
	rl_val copy = root;
	int rc = rl_dfcopy_forward(&t, &copy);
	rl_dfcopy_fini(&t);
	if (rc != 0) {
		rl_cheney_undo(&record, &root, 1); /* headers back, dst rolled back */
		return RL_TM_ENOMEM;
	}
	rl_cheney_release_held(&record, &root, 1);
	ctx->report.bytes_copied = t.bytes_copied;
	*out = copy;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_dfs = {
	.name = "dfs",
	.summary = "depth-first copy, forwarding left in source headers (src consumed, no shadow)",
	.caps = RL_TM_CONSUMES_SRC,
	.options = NULL,
	.transmigrate = dfs_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
