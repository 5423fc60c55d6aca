/* bitmap: iterative worklist copy with the region shadow (design 2.1 + 2.2).
 *
 * Invariant: during the call, an object of src has its shadow bit set
 * exactly when it has been copied, and then (and only then) its header word
 * is borrowed to hold the forwarding address of its copy; the original
 * header lives on in the copy's first word.  So the traversal's "visited?"
 * is the forwarding bit of the header it loads anyway; the shadow is only
 * written there, and read by the restore.  Every copy that has value
 * slots is scanned exactly once: it is either being scanned, the one to be
 * scanned next, or on the worklist.  Before the call returns, on success and
 * on failure alike, one pass over the shadow (rl_shadow_restore_borrowed)
 * writes every borrowed header back from its copy, so src ends
 * byte-identical.
 *
 * Setup is two allocations: the shadow (one bit per 8-byte word of src) and
 * the worklist's address space (an entry per word of src, more than the
 * number of objects it can ever hold).  The traversal itself allocates
 * nothing but the copies.
 *
 * The traversal is the depth-first copy of regionlab/dfcopy.h with `mark`
 * set (its order, and why, are described there).  The call reports its
 * setup and its restore pass apart (setup_ns, restore_ns): what remains of
 * ns_total is the traversal. */
#include "regionlab/clock.h"
#include "regionlab/dfcopy.h"
#include "regionlab/region.h"
#include "regionlab/shadow.h"
#include "regionlab/transmigrator.h"

static int bitmap_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	if (!rl_region_contains(src, root)) {
		*out = root;
		return RL_TM_OK;
	}

	uint64_t t0 = rl_now_ns();
	rl_region_mark mark = rl_region_mark_now(dst);
	rl_dfcopy t;
	rl_shadow shadow;
	if (rl_shadow_attach(&shadow, src) != 0)
		return RL_TM_ENOMEM;
	if (rl_dfcopy_init(&t, src, dst, true) != 0) {
		rl_shadow_detach(&shadow);
		return RL_TM_ENOMEM;
	}

	uint64_t t1 = rl_now_ns();
	rl_val copy = root;
	bool failed = rl_dfcopy_forward(&t, &copy) != 0;

	/* Copies must still exist here: the rollback below frees them. */
	uint64_t t2 = rl_now_ns();
	rl_shadow_restore_borrowed(&shadow);
	ctx->report.setup_ns = t1 - t0;
	ctx->report.restore_ns = rl_now_ns() - t2;
	rl_dfcopy_fini(&t);
	rl_shadow_detach(&shadow);
	if (failed) {
		rl_region_rollback(dst, &mark);
		return RL_TM_ENOMEM;
	}
	ctx->report.bytes_copied = t.bytes_copied;
	*out = copy;
	return RL_TM_OK;
}

const struct rl_transmigrator rl_tm_bitmap = {
	.name = "bitmap",
	.summary = "iterative worklist copy, shadow bitmap, forwarding in borrowed headers (design 2.1 + 2.2)",
	.caps = RL_TM_BORROWS_SRC,
	.options = NULL,
	.transmigrate = bitmap_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
