/* Moving a region's blocks by verdict (design 2.6): after a liveness trace of
 * src (regionlab/liveness.h) and a verdict per block in its counter's
 * RL_LIVE_TAKE bit, rl_splice_apply
 *   1. copies the live objects of every block not taken into dst, in address
 *      order, forwarding each source header to its copy;
 *   2. fixes every slot that points at a forwarded object: in the copies, in
 *      the live objects of the taken blocks, and the roots;
 *   3. unlinks the taken blocks from src's chains and appends them to dst's,
 *      rewriting only their owner.
 * src's blocks are those of its family (its sub-regions' too: regionlab/
 * adopt.h); a block that outlives src (a held sub-region's) is never taken,
 * whatever its verdict, and its copied objects get their headers back after
 * step 2, so its holder finds it as it was.
 * Step 1 is the only one that allocates; when it fails, the headers it
 * borrowed are given back from the copies and dst is rolled back, so src and
 * dst are exactly as before.  After success src holds exactly the blocks that
 * die with it, its forwarded headers included (src is consumed). */
#ifndef REGIONLAB_SPLICE_H
#define REGIONLAB_SPLICE_H

#include <stddef.h>
#include <stdint.h>

#include "regionlab/liveness.h"

typedef struct rl_splice_result {
	uint64_t bytes_copied;  /* footprint of the objects copied */
	uint64_t bytes_spliced; /* object bytes (live and dead) of the blocks moved */
	uint64_t garbage_bytes; /* of those, bytes not reached by the trace */
	size_t blocks_spliced;
} rl_splice_result;

/* Step 2 fixes: the copies made in dst since `fix_from` (NULL: since step 1
 * began; a caller that copied objects of src itself before the trace passes
 * the mark it took then), the slots of moved objects that the trace logged
 * (or every moved object when the log overflowed; neither when nothing was
 * copied or forwarded), and the `nslots` slots `slots` lists (the roots).
 * 0, or -1 when dst cannot grow (then nothing of this call is left). */
int rl_splice_apply(rl_liveness *lv, rl_region *dst, const rl_region_mark *fix_from, rl_val *const *slots,
		    size_t nslots, rl_splice_result *out);

/* Moves every block of `home` (a clean home sub-region: regionlab/knowledge.h,
 * rl_region_clean_home) into dst whole, with no trace, in O(1) whatever its
 * size: dst adopts home (rl_subregion_adopt), so no block is touched and
 * home's RCB stays as dst's alias, the owner its blocks name.  Returns the
 * object bytes moved.  A home rl_region_clean_home did not return, or a dst
 * inside home's family, is a caller's bug: it aborts with a message. */
size_t rl_splice_home(rl_region *home, rl_region *dst);

#endif
