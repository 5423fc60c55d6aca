/* Relocation: copying a region's blocks whole, without tracing (issue 15).
 *
 * rl_relocate copies every block of src's family (regionlab/adopt.h: its
 * sub-regions' too, held or not) into fresh blocks of dst, in the order
 * rl_region_for_each_block visits them (allocation order within a chain), and
 * rewrites, in the same pass, every value slot of the copies that points
 * into one of those blocks: such a pointer moves by its block's offset, found
 * by masking the pointer to its block and looking the block up in a small
 * block-to-block map: a table of (block, offset) entries indexed by the
 * block number modulo a size at which no two source blocks collide, read
 * without a branch (the usual case: blocks mostly lie side by side);
 * otherwise, when src's blocks are too scattered for a table of 32 entries
 * per block (1,024 for a few blocks), a hash map with one entry per source
 * block (open addressing, the last block hit cached).  rl_relocate_result
 * says which; the strategy's decision column says so when it was hashed.
 *
 * Nothing reachable or not is traced, so garbage is copied with the rest.
 * Small blocks are packed into destination blocks whole (a source block's
 * objects stay contiguous, so one offset per block suffices): the copy is
 * as compact as src's blocks were, less their empty tails when several fit
 * one block.  Each large block gets a large block of its own size.
 *
 * src is only read.  On failure (a block or the map cannot be had) dst is
 * rolled back and nothing leaks. */
#ifndef REGIONLAB_RELOCATE_H
#define REGIONLAB_RELOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/region.h"

typedef struct rl_relocate_result {
	uint64_t bytes_copied; /* object bytes written into dst (garbage included) */
	size_t blocks_src;     /* source blocks that held objects */
	size_t blocks_dst;     /* destination blocks made */
	bool hashed_map;       /* src's blocks lay too far apart for the direct map */
	/* Chunks (4 KiB of copied bytes) each of the two fixing loops ran on,
	 * one inside a large object included: [0] the repeating loop, which
	 * branches on each header change, [1] the alternating one, which does
	 * not; core/relocate.c picks one per chunk by how predictable src's
	 * header changes are. */
	size_t chunks_fixed[2];
} rl_relocate_result;

/* Copies all of src into dst as above and rewrites each of the `nslots`
 * roots `slots` lists that points into src to its copy.  0, or -1 when dst
 * cannot grow or the map cannot be had (dst rolled back, roots untouched). */
int rl_relocate(rl_region *src, rl_region *dst, rl_val *const *slots, size_t nslots, rl_relocate_result *out);

#endif
