/* Reference floors of the copying strategies (issue 13): minimal loops over
 * this project's object layout and block format, each what its algorithm
 * costs with nothing else in it, to read a module's time against.
 *
 *   rl_floor_cheney       tight Cheney: breadth first, dst is the queue,
 *                         forwarding in the src header, state in registers,
 *                         no budget or size checks (src consumed)
 *   rl_floor_dfs          tight depth-first copy: the first new child with
 *                         slots is scanned next, the others pushed; src
 *                         consumed
 *   rl_floor_dfs_restore  the same, then one linear pass over src's blocks
 *                         giving every forwarded header back (src intact)
 *   rl_floor_mark         mark-only trace: a side bitmap per block (the
 *                         region shadow), an explicit stack; copies nothing
 *   rl_floor_fixup        every block of src copied whole (memcpy), then one
 *                         pass over the copies adding each pointer's block
 *                         delta (src intact; dead objects come along)
 *
 * They are yardsticks, not strategies: they take the fast path of every
 * question a module must answer in general.  "In src?" is one mask and one
 * load (the value's block names src: no static objects, no sub-regions, no
 * parent chain); objects bigger than a small block, or blocks that are not
 * src's own, make them fail (-1, after undoing nothing: the benchmark then
 * skips the floor).  They use the type table as the modules do (a one-entry
 * layout memo keyed by the header), so the difference to a module is what
 * its generality and its contract cost.  Each is checked by the oracle on a
 * small instance before it is timed (bench/bench_copy_floor.c). */
#ifndef REGIONLAB_BENCH_COPY_FLOORS_H
#define REGIONLAB_BENCH_COPY_FLOORS_H

#include <stddef.h>

#include "regionlab/object.h"
#include "regionlab/region.h"

/* Copiers: *out is the copy of root; 0, or -1 (dst may hold partial copies,
 * src may be forwarded: the caller discards both). */
int rl_floor_cheney(rl_region *src, rl_region *dst, rl_val root, rl_val *out);
int rl_floor_dfs(rl_region *src, rl_region *dst, rl_val root, rl_val *out);
int rl_floor_dfs_restore(rl_region *src, rl_region *dst, rl_val root, rl_val *out);
int rl_floor_fixup(rl_region *src, rl_region *dst, rl_val root, rl_val *out);
/* Marks everything reachable from root in src; *marked = objects marked.
 * 0, or -1 when the shadow or the stack cannot be had. */
int rl_floor_mark(rl_region *src, rl_val root, size_t *marked);

#endif
