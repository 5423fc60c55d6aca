/* adaptive: the Adaptive Evacuator (design 4), and past it.
 *
 * Invariant: every object reachable from the root is handled exactly once,
 * by one of two mechanisms: copying (forwarding in the source header, by
 * Cheney, regionlab/cheney.h, or depth first, regionlab/dfcopy.h, into the
 * same to-space, which rl_cheney_undo gives back either way) or block
 * moving after a liveness trace (regionlab/splice.h); the second runs only
 * on what the first left, since
 * the trace skips forwarded objects and the block mover redirects every slot
 * that points at one.  Until the call returns success, every source header
 * borrowed is where an undo finds it (the Cheney to-space, the block mover's
 * copies), and no slot of src is written before the last allocation has
 * succeeded, so a failure anywhere gives src back intact.
 *
 * Held sub-regions (regionlab/adopt.h) outlive src: copies made by copying
 * alone (Cheney, depth first, or both into one to-space) give their headers
 * back (rl_cheney_release_held); when the
 * block mover runs after child probes (decision "splice"/"blocks"), the held
 * objects those probes copied keep their forwarding words through the trace
 * and the block mover (released earlier, the trace would copy a shared held
 * object twice) and get their headers back once every slot is redirected
 * (rl_cheney_release_held_blocks).
 *
 * The decisions, each paid for by work that is kept:
 *  0. Before any probe or trace, what the region knows (regionlab/
 *     knowledge.h, read in O(1) with no walk of an object), in the order of
 *     issue 15: src's sole owner hands it over, so src dies: dst adopts it
 *     whole (linear, O(1)); the graph lives in a clean home sub-region: its
 *     blocks move into dst (sub-region splice, O(1)); all of src is
 *     known to be the graph (the all-result hint, no sub-regions) while
 *     another owner keeps src: relocate copies every block without a trace
 *     and src stays byte-identical.  These paths read no clock: a pair
 *     of reads around this step cost more than its few loads (at 10^3,
 *     interleaved, adaptive's median over linear's went from 1.09-1.29 to
 *     1.01-1.08 without them); their cost is their regret against linear
 *     and splice, timed in the same round.  When the call goes on below,
 *     decide_ns is the time from the caller's clock read to the end of
 *     this step (the fixed cost every traced call pays): one clock read.
 *  0b. Results homed in clean sub-regions of their own, that the root
 *     alone points into (a vector of the results of several calls): set
 *     aside, so that the steps below leave them where they are, and moved
 *     into dst whole once the rest is placed (set_homes_aside).
 *  1. Small graph: a Cheney copy with a budget of `small` bytes (512) is the
 *     probe; when it finishes, it was the copy (design tier 1; the design's
 *     bitmap copy needs a shadow of the whole region first, Cheney nothing).
 *     A region of at most `large` bytes (64 KiB) holds no bigger graph: it is
 *     copied outright (tier 2: the design's proxy buys a short pause with
 *     more total work, see docs/strategies.md).
 *  1b. Otherwise (relocate=probed, a root of at most `large` bytes, src
 *     bigger than that and without sub-regions) a sample of the graph (regionlab/sample.h: a
 *     depth-first walk of 32 objects, no allocation) says whether src is
 *     laid out as the graph is read and nearly all live, or scattered:
 *     relocate copies all of src then, without a trace, but for a scattered
 *     graph of several object types in a src under `scatter_from`, which
 *     one Cheney scan copies at once ("scattered"; relocate_probe says when
 *     and what it risks).
 *  2. Otherwise each child of the root gets its own depth-first probe
 *     (regionlab/dfcopy.h) of an eighth of src, and at most `narrow_probe`
 *     bytes under a narrow root (child_budget says why), the most recent (last)
 *     first: the many small results a vector or a record holds are copied
 *     at once, in one pass each.  A child that overflows is undone (at most
 *     its budget of work lost) and deferred;
 *     so are children whose own object is bigger than the budget, and the leaves when anything
 *     else is (a leaf shared with the big part, copied first, would make
 *     every slot that names it need fixing: fan-in).  A root bigger than
 *     `large` sits alone on a large block: a bounded trace from its last
 *     children first estimates their density, and when it is dense the
 *     whole graph is split by block at once (the root moves with its
 *     block), as splice would.
 *  3. A bounded liveness trace of the deferred children (`probe` bytes)
 *     estimates their density: sparse ones (below `threshold`) are copied
 *     after all (depth first when the trace rarely crossed blocks and the
 *     graph forks: a tree allocated depth first, read in address order;
 *     Cheney otherwise); dense ones are traced to the end and split block
 *     by block: blocks at least `threshold` live move into dst whole, the
 *     live objects of the others are copied (design tier 3, per block:
 *     "splice dense blocks, copy sparse ones").
 *  4. A root whose children mostly lie in different blocks from one another
 *     (shuffled) is copied by one Cheney scan instead of child by child (after
 *     the density probe when it is bigger than `large`).
 * ctx->report.decision says which path the graph took: linear, home,
 * relocate (step 0), relocate-dense, relocate-scattered or scattered (step
 * 1b), copy, children, sparse, splice or blocks; prefixed "homes+" when
 * step 0b moved homed results too. */
#include <stdint.h>
#include <string.h>

#include "regionlab/adopt.h"
#include "regionlab/cheney.h"
#include "regionlab/clock.h"
#include "regionlab/dfcopy.h"
#include "regionlab/knowledge.h"
#include "regionlab/liveness.h"
#include "regionlab/relocate.h"
#include "regionlab/sample.h"
#include "regionlab/splice.h"
#include "regionlab/transmigrator.h"

#define SAMPLE_CHILDREN 4096u /* at most this many children of a big root start its density probe */
#define CROSS_RATIO 8u       /* a depth-first-shaped trace crosses blocks on < 1/8 of its objects */
#define BRANCH_ROOTS 4u      /* deferred children the branching probe walks down from */
#define BRANCH_HOPS 32u      /* objects on each walk */
#define SCATTER_SAMPLE 64u   /* children of the root whose placement is compared */
#define SCATTER_MIN 16u      /* fewer pairs than this say nothing */

struct options {
	size_t small, large, probe, scatter_from, narrow_probe;
	double threshold, dense_from;
	bool relocate_probed;
};

/* The size thresholds, checked against the escapes of real programs (issue
 * 16: the 12 bundled programs at their sweep sizes, regions=call, 50,315
 * escapes): 89.9% of escapes are at most 512 B (28.8% of the bytes), 94.4%
 * at most 1 KiB, 99.2% at most 4 KiB (61.3% of the bytes), 100.0% at most
 * 64 KiB (88.8% of the bytes).  A bigger `small` would let the escapes
 * between 512 B and 4 KiB finish on the first probe, but every graph bigger
 * than `small` pays that probe for nothing, and callgrind counts it on every
 * default workload (instructions per call, small = 512 / 1024 / 4096: list
 * 10^4 2,103,454 / 2,108,432 / 2,138,488; list 10^5 10,725,645 / 10,730,586
 * / 10,760,666; tree 10^5 9,431,754 / 9,436,548 / 9,465,750; mixed 10^5
 * unchanged), while no program escape gains: a frame whose sole owner hands
 * it over is adopted before any threshold is read (step 0), and a region of
 * at most `large` bytes is copied whole whatever `small` says.  So both stay
 * at the design's 512 B and 64 KiB: the measurements confirm them. */
enum { OPT_SMALL, OPT_LARGE, OPT_PROBE, OPT_THRESHOLD, OPT_RELOCATE, OPT_DENSE_FROM, OPT_SCATTER_FROM, OPT_NARROW_PROBE };
enum { RELOCATE_PROBED, RELOCATE_KNOWN };
static const struct rl_option adaptive_options[] = {
	[OPT_SMALL] = RL_OPTION_INT("small", "512", 0, SIZE_MAX,
				    "bytes: budget of the first Cheney probe; a graph that fits is copied by it"),
	[OPT_LARGE] = RL_OPTION_INT("large", "65536", 0, SIZE_MAX,
				    "bytes: a source this small is copied whole; a bigger root is read as a large result (its density probed)"),
	[OPT_PROBE] = RL_OPTION_INT("probe", "65536", 0, SIZE_MAX,
				    "bytes the liveness trace of the deferred children covers"),
	[OPT_THRESHOLD] = RL_OPTION_REAL("threshold", "0.7", 0.0, 1.0,
					 "density from which deferred children are split by block, not copied"),
	[OPT_RELOCATE] = RL_OPTION_ENUM("relocate", "probed", "probed|known",
					"relocate all of src when a sample finds it dense or scattered (probed), or "
					"only when the region knows it is all result (known)"),
	[OPT_DENSE_FROM] = RL_OPTION_REAL("dense_from", "0.9", 0.0, 1.0,
					  "sampled density from which a source laid out as it is read is relocated"),
	[OPT_SCATTER_FROM] = RL_OPTION_INT("scatter_from", "524288", 0, SIZE_MAX,
					   "source bytes from which a scattered graph of several object types is relocated "
					   "(of one type: at any size)"),
	[OPT_NARROW_PROBE] = RL_OPTION_INT("narrow_probe", "8192", 0, SIZE_MAX,
					   "bytes: the most a child's probe copies under a root of fewer than 8 slots (at most src/8)"),
	RL_OPTIONS_END,
};

static struct options read_options(const rl_kv_list *o)
{
	return (struct options){
		.small = rl_opt_int(o, &adaptive_options[OPT_SMALL]),
		.large = rl_opt_int(o, &adaptive_options[OPT_LARGE]),
		.probe = rl_opt_int(o, &adaptive_options[OPT_PROBE]),
		.threshold = rl_opt_real(o, &adaptive_options[OPT_THRESHOLD]),
		.relocate_probed = rl_opt_enum(o, &adaptive_options[OPT_RELOCATE]) == RELOCATE_PROBED,
		.dense_from = rl_opt_real(o, &adaptive_options[OPT_DENSE_FROM]),
		.scatter_from = rl_opt_int(o, &adaptive_options[OPT_SCATTER_FROM]),
		.narrow_probe = rl_opt_int(o, &adaptive_options[OPT_NARROW_PROBE]),
	};
}

/* A child's probe copies at most 1/PROBE_SHARE of src, and, under a narrow
 * root (fewer than WIDE_ROOT slots), `narrow_probe` bytes (before, `large`:
 * 64 KiB).  An overflowing probe is undone (its copy and the undo, which
 * walks the copy again, are lost), so a graph of a few big children in a
 * source not much bigger than `large` lost most of a copy's worth before
 * it was placed (a 10^4 tree: two 64 KiB probes undone in a 256 KiB
 * source).  Bounded by a share of src, what the probes lose stays a small
 * part of the call: callgrind, instructions per object at 10^4 with the
 * budget at `large` / src/16 / src/8 (freed memory not poisoned, as in
 * timings): tree 199 / 94 / 119, list 149 / 97 / 113, mixed 121 / 180 / 121.
 *
 * Under a narrow root (a list's head, a tree's node) a child is most of the
 * graph whenever the graph is big, and the probe only finds that out: it
 * stops at `narrow_probe`.  At 10^5 with garbage (`./harness
 * --strategy=adaptive,adaptive:large=8192,dfs,cheney --workload=W
 * --size=100000`, medians of 20 rounds in one process), its probes at 64
 * KiB took adaptive to 584 / 657 / 496 us on the list half live / the tree
 * half live / the list 80% live, at 8 KiB to 523 / 548 / 482 (dfs 497 /
 * 496 / 459).  Under a wide root (a vector of results) a child is one
 * result among many: one bigger than `large` but within an eighth of src is
 * copied whole by its probe, not undone and traced to be split by block
 * (after one overflow the other children get the narrow budget: children
 * that share one structure bigger than src/8 would each copy and undo up
 * to src/8 of it).
 * On `mixed` at 10^5 (three dense results of about 330 KiB in a 5 MiB
 * source), capped at `large` the three probes were undone and the split
 * took adaptive to 1.25x dfs's time; copied, 0.90x (`./harness
 * --strategy=adaptive,dfs,cheney --workload=mixed --size=100000`, one
 * process for each build, medians of 30 rounds).  Real programs' escapes
 * are mostly far smaller (89.9% at most 512 B, issue 16). */
#define PROBE_SHARE 8u
#define WIDE_ROOT 8u /* slots from which a root is read as holding many results */

static size_t child_budget(const struct options *opt, size_t src_bytes, rl_obj *holder)
{
	size_t budget = src_bytes / PROBE_SHARE;
	if (rl_slots_count(holder) >= WIDE_ROOT)
		return budget;
	return budget < opt->narrow_probe ? budget : opt->narrow_probe;
}

/* v points at an object of src nobody has copied. */
static bool uncopied(const rl_region *src, rl_val v)
{
	return rl_region_contains(src, v) && !rl_hdr_is_forward(rl_ptr(v)->hdr);
}

/* The children of `holder`, the root's copy. */
struct children {
	rl_cheney *c;
	rl_dfcopy probe; /* copies each child depth first, into c's to-space */
	rl_obj *holder;
	size_t budget; /* the budget of each child's probe (child_budget) */
	size_t narrow; /* the budget once a probe has overflowed (narrow_probe) */
	long deferred; /* slots left pointing at uncopied objects */
};

/* A child's probe passed its budget (rl_dfcopy_children_run returned 0):
 * its copies are undone (at most its budget of work lost) and it is
 * deferred.  The probes copy depth first (regionlab/dfcopy.h), into the
 * to-space where rl_cheney_undo_since finds their copies: a small result
 * read in the order it was allocated, with none of Cheney's per-copy queue
 * bookkeeping (callgrind, instructions per call on `mixed` at 10^4: the
 * probes 528,000 breadth first, 427,000 depth first, a call each; the whole
 * call 652,205 then, 484,410 with a call per child, dfs alone 389,035). */
static void defer_overflowed(struct children *ch, rl_dfcopy_children *run)
{
	ch->c->bytes_copied += ch->probe.bytes_copied; /* what the undo takes back */
	ch->probe.bytes_copied = 0;
	rl_cheney_undo_since(ch->c, &run->mark, run->stopped, 1);
	ch->deferred++;
	/* Children that reach one shared structure bigger than the budget
	 * would each copy and undo up to src/8 of it: after one overflow the
	 * others get the narrow budget. */
	if (run->budget > ch->narrow)
		run->budget = ch->narrow;
}

/* Step 2.  The children go last first: a root that collects results in the
 * order they came holds the most recent last, the one most likely still in
 * cache, and its objects sit just below the root in memory, so the sweep
 * goes down through memory in one direction (first to last was 1.8x slower
 * on `mixed` at 25% live).  Leaves wait for a second pass.  0, or -1 when
 * dst cannot grow. */
static int copy_children(struct children *ch)
{
	const rl_region *src = ch->c->src;
	rl_slot_iter it;
	rl_val *s;
	int rc = 0;
	rl_dfcopy_children run;
	rl_cheney_skip(ch->c);
	if (rl_dfcopy_init(&ch->probe, src, ch->c->dst, false) != 0)
		return -1;
	rl_dfcopy_children_begin(&run, ch->holder, ch->budget);
	while ((rc = rl_dfcopy_children_run(&ch->probe, &run)) == 0)
		defer_overflowed(ch, &run);
	ch->c->bytes_copied += ch->probe.bytes_copied;
	ch->deferred += (long)run.too_big;
	ch->budget = run.budget;
	rc = rc < 0 ? -1 : 0;
	rl_dfcopy_fini(&ch->probe);
	/* The probes scanned their copies: a later Cheney scan starts after them. */
	rl_cheney_skip(ch->c);
	if (rc != 0 || ch->deferred > 0)
		return rc; /* the leaves wait with the rest (step 3 finds them) */
	for (rl_slots_begin(&it, ch->holder); (s = rl_slots_prev(&it)) != NULL;) {
		if (!rl_region_contains(src, *s))
			continue;
		if (!uncopied(src, *s)) { /* a leaf met before (shared) */
			*s = (rl_val)rl_hdr_forward_target(rl_ptr(*s)->hdr);
			continue;
		}
		if (rl_hdr_may_have_slots(rl_ptr(*s)->hdr))
			continue;
		if (rl_obj_size(rl_ptr(*s)) > ch->budget) {
			ch->deferred++;
			continue;
		}
		if (rl_cheney_forward(ch->c, s) != 0)
			return -1;
	}
	return 0;
}

/* After the blocks moved: the holder's slots that still name originals of
 * copied objects (children copied in step 2, objects the block mover
 * copied) get their copies; the others point at objects that moved with
 * their blocks.  Returns the holder's final address. */
static rl_obj *fix_holder(const rl_region *src, rl_obj *holder)
{
	rl_slot_iter it;
	rl_val *s;
	if (rl_hdr_is_forward(holder->hdr))
		holder = rl_hdr_forward_target(holder->hdr);
	for (rl_slots_begin(&it, holder); (s = rl_slots_prev(&it)) != NULL;)
		if (rl_region_contains(src, *s) && rl_hdr_is_forward(rl_ptr(*s)->hdr))
			*s = (rl_val)rl_hdr_forward_target(rl_ptr(*s)->hdr);
	return holder;
}

/* The dense path: finishes the trace, moves the blocks at least `threshold`
 * live and copies the live objects of the others, then fixes *holder (the
 * root's copy, or the root itself), whose slots may name originals the block
 * mover copied, and which may have been copied itself.  Consumes lv.  0, or
 * -1 when an allocation fails (this step's work undone). */
static int split_blocks(rl_tm_ctx *ctx, rl_liveness *lv, bool traced, rl_region *dst, rl_obj **holder,
			double threshold)
{
	rl_splice_result res;
	if (!traced)
		rl_liveness_run(lv, UINT64_MAX);
	rl_liveness_take_dense(lv, threshold);
	int rc = rl_splice_apply(lv, dst, NULL, NULL, 0, &res);
	rl_liveness_fini(lv);
	if (rc != 0)
		return -1;
	if (res.bytes_copied != 0)
		*holder = fix_holder(lv->src, *holder);
	else if (rl_hdr_is_forward((*holder)->hdr))
		*holder = rl_hdr_forward_target((*holder)->hdr);
	ctx->report.bytes_copied += res.bytes_copied;
	ctx->report.bytes_spliced = res.bytes_spliced;
	ctx->report.garbage_bytes = res.garbage_bytes;
	ctx->report.decision = res.bytes_copied != 0 ? "blocks" : "splice";
	return 0;
}

/* The trace so far crossed blocks on fewer than one slot in CROSS_RATIO
 * per object reached (its log counts those slots): the graph was allocated
 * in the order a depth-first walk reads it (a tree parent before children, a
 * list head first), garbage between or not, and a depth-first copy reads src
 * nearly in address order, where a breadth-first one sweeps it once per
 * level.  Shuffled and random graphs cross blocks on most slots. */
static bool depth_first_shaped(const rl_liveness *lv)
{
	return !lv->log_overflow && lv->nlog * CROSS_RATIO < lv->objects;
}

/* Walks down from the first BRANCH_ROOTS uncopied children of holder,
 * BRANCH_HOPS steps each, to the first child that may have slots, and says
 * whether most objects on the way have two such children or more (a tree,
 * not a list).  A depth-first copy pays off only there: a chain is read in
 * the same order by both copiers, and Cheney's loop is the cheaper one. */
static bool branching(const rl_region *src, rl_obj *holder)
{
	rl_slot_iter it;
	rl_val *s;
	unsigned roots = 0, nodes = 0, forks = 0;
	for (rl_slots_begin(&it, holder); (s = rl_slots_prev(&it)) != NULL && roots < BRANCH_ROOTS;) {
		if (!uncopied(src, *s))
			continue;
		roots++;
		for (rl_obj *o = rl_ptr(*s), *next; o != NULL && nodes < roots * BRANCH_HOPS; o = next) {
			rl_slot_iter si;
			rl_val *t;
			unsigned kids = 0;
			next = NULL;
			for (rl_slots_begin(&si, o); (t = rl_slots_next(&si)) != NULL;) {
				if (!uncopied(src, *t) || !rl_hdr_may_have_slots(rl_ptr(*t)->hdr))
					continue;
				if (kids++ == 0)
					next = rl_ptr(*t);
			}
			nodes++;
			forks += kids >= 2;
		}
	}
	return forks * 2 > nodes;
}

/* Most of the last SCATTER_SAMPLE + 1 children of the root lie in another
 * block than the one before (a shuffled layout): probing them one by one is
 * a chain of dependent misses, where one breadth-first scan keeps many in
 * flight.  A root with fewer than SCATTER_MIN + 1 children is not judged. */
static bool scattered(const rl_region *src, rl_obj *root)
{
	rl_slot_iter it;
	rl_val *s;
	const rl_block *prev = NULL;
	unsigned pairs = 0, apart = 0;
	for (rl_slots_begin(&it, root); (s = rl_slots_prev(&it)) != NULL && pairs < SCATTER_SAMPLE;) {
		if (!rl_region_contains(src, *s))
			continue;
		const rl_block *b = rl_block_of(rl_ptr(*s));
		if (prev != NULL) {
			pairs++;
			apart += b != prev;
		}
		prev = b;
	}
	return pairs >= SCATTER_MIN && apart * 2 > pairs;
}

/* Copies what holder's slots lead to depth first (regionlab/dfcopy.h) into
 * c's to-space, where rl_cheney_undo finds it.  0, or -1 when an allocation
 * fails (the copies made stay for the caller's undo). */
static int copy_depth_first(rl_tm_ctx *ctx, rl_cheney *c, rl_obj *holder)
{
	rl_slot_iter it;
	rl_val *s;
	rl_dfcopy t;
	int rc = 0;
	if (rl_dfcopy_init(&t, c->src, c->dst, false) != 0)
		return -1;
	for (rl_slots_begin(&it, holder); (s = rl_slots_prev(&it)) != NULL && rc == 0;)
		rc = rl_dfcopy_forward(&t, s);
	rl_dfcopy_fini(&t);
	ctx->report.bytes_copied += t.bytes_copied;
	return rc;
}

/* Step 3: places the deferred children of the root's copy, with lv (set up
 * and empty; consumed).  0 when they were copied (the to-space holds only
 * copies), 1 when blocks were split, or -1 when an allocation fails
 * (everything this step did is undone; the caller undoes the copies). */
static int place_deferred(rl_tm_ctx *ctx, struct children *ch, rl_liveness *lv, const struct options *opt)
{
	rl_cheney *c = ch->c;
	const rl_region *src = c->src;
	rl_slot_iter it;
	rl_val *s;
	int rc = 0;
	for (rl_slots_begin(&it, ch->holder); (s = rl_slots_prev(&it)) != NULL;)
		if (uncopied(src, *s))
			rl_liveness_add_root(lv, *s);
	bool traced = rl_liveness_run(lv, opt->probe);
	if (!traced && rl_liveness_density(lv) < opt->threshold) {
		/* Sparse: the trace so far is all that is lost. */
		bool depth_first = depth_first_shaped(lv);
		rl_liveness_fini(lv);
		ctx->report.decision = "sparse";
		if (depth_first && branching(src, ch->holder))
			return copy_depth_first(ctx, c, ch->holder);
		for (rl_slots_begin(&it, ch->holder); (s = rl_slots_prev(&it)) != NULL && rc == 0;)
			rc = rl_cheney_forward(c, s);
		if (rc == 0 && rl_cheney_scan(c, SIZE_MAX) < 0)
			rc = -1;
		return rc;
	}
	rl_obj *holder = ch->holder;
	return split_blocks(ctx, lv, traced, c->dst, &holder, opt->threshold) != 0 ? -1 : 1;
}

/* A root too big for a probe: a bounded trace from its last children (the
 * most recent results, as many as make half the probe's bytes, or
 * SAMPLE_CHILDREN) estimates the density of what it holds.  Dense: the
 * whole graph is split by block, the root moving with its block (1, *out
 * set).  Sparse: 0, lv kept (emptied) for step 3.  -1 when an allocation
 * fails (nothing changed). */
static int big_root(rl_tm_ctx *ctx, rl_liveness *lv, rl_region *dst, rl_val root, rl_val *out,
		    const struct options *opt)
{
	rl_slot_iter it;
	rl_val *s;
	size_t sampled = 0;
	if (rl_liveness_init(lv, (rl_region *)rl_region_of(rl_ptr(root))) != 0)
		return -1;
	rl_liveness_mark_only(lv, root);
	uint64_t stop = lv->bytes + opt->probe / 2;
	for (rl_slots_begin(&it, rl_ptr(root)); (s = rl_slots_prev(&it)) != NULL && sampled < SAMPLE_CHILDREN &&
					    lv->bytes < stop;) {
		if (uncopied(lv->src, *s)) {
			rl_liveness_add_root(lv, *s);
			sampled++;
		}
	}
	rl_liveness_run(lv, opt->probe);
	if (rl_liveness_density(lv) < opt->threshold) {
		rl_liveness_reset(lv);
		return 0;
	}
	rl_obj *holder = rl_ptr(root);
	rl_liveness_scan(lv, holder); /* the rest of its children */
	if (split_blocks(ctx, lv, false, dst, &holder, opt->threshold) != 0)
		return -1;
	*out = rl_val_of(holder);
	return 1;
}

/* Step 0's home path, out of line (see adaptive_transmigrate). */
static __attribute__((noinline)) void splice_home(rl_tm_ctx *ctx, rl_region *home, rl_region *dst)
{
	bool clean = rl_region_knowledge_of(home).all_result; /* garbage is known only from the hint */
	ctx->report.bytes_spliced = rl_splice_home(home, dst);
	ctx->report.garbage_bytes = clean ? 0 : UINT64_MAX;
	ctx->report.decision = "home";
}

/* Step 0's relocate path, out of line: 1, or -1 when it could not allocate. */
static __attribute__((noinline)) int relocate_all(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root,
						  rl_val *out)
{
	rl_relocate_result res;
	rl_val r = root, *slot = &r;
	if (rl_relocate(src, dst, &slot, 1, &res) != 0)
		return -1;
	ctx->report.bytes_copied = res.bytes_copied;
	ctx->report.copied_all_of_src = true;
	ctx->report.decision = "relocate";
	*out = r;
	return 1;
}

/* Step 1b (relocate=probed): what the region does not know, a sample asks
 * before anything is copied.  relocate's cost follows src's bytes, a
 * trace's (and every copier's) the graph's, so relocate pays off when
 * nearly all of src is the graph, or when the graph is scattered: a trace
 * then waits for a miss on every object once src outgrows the caches, where
 * relocate streams (Table 1, the shuffled list at 10^6: relocate 3.3 ns per
 * object, every tracing copier 120-140).  Only in a src bigger than
 * `large`: in a smaller one the 512-byte probe, its undo and the sample
 * cost what relocate saves (`make results` on 4853d25, which sampled there,
 * at 10^3: the list relocated this way took 5.2 us, relocate alone 2.8;
 * copied outright it takes 5.0-5.6).  The
 * sample (regionlab/sample.h) is a depth-first walk of at most
 * SAMPLE_OBJECTS objects from the root; it allocates and writes nothing.
 *  - It reached the whole graph: the graph is small, the caller copies it.
 *  - Its slots crossed blocks rarely (fewer than 1 in CROSS_RATIO: src laid
 *    out as the graph is read), at least half the objects it reached have
 *    another reached object close after them (so the stretches it measured
 *    are most of what it saw: with long runs of garbage between them, they
 *    are not), and the live share of those stretches is at least
 *    `dense_from` (0.9): relocate ("relocate-dense").  Not lower: dead
 *    objects of many shapes cost relocate far more per byte than the
 *    graph's own (each needs its layout and its slots fixed): on the 10^5
 *    list relocate took 252 us with no garbage, 645 us at 80% live and
 *    2.0 ms at 50%, where dfs took 430 and 480 us.
 *  - Half its slots or more crossed blocks (a layout with no order):
 *    relocate ("relocate-scattered") when the objects it reached are all of
 *    one type (a list of cells), or when src holds at least `scatter_from`
 *    bytes (512 KiB).  Here a sample cannot tell how much of src is live
 *    (live objects spread evenly look the same at any density), only that
 *    the graph is bigger than the sample: that is the risk taken (relocate
 *    copies all of src, garbage included); relocate=known turns the sample
 *    off.  Objects of several types in no order (a tree's nodes and leaves
 *    shuffled) are relocated at about a breadth-first copy's speed while src
 *    fits in the caches, and this path pays the probe and the sample on top
 *    (at dd32e7c, interleaved medians in ns an object, the shuffled tree at
 *    10^4, src 256 KiB: relocate 4.55-4.75, cheney 4.51-4.70, adaptive 5.15-5.23
 *    by "scattered" and 5.39-5.47 by "relocate-scattered"; at 3 x 10^4, src
 *    640 KiB: relocate 4.73-6.40, cheney 5.73-11.96, adaptive 6.07-11.41 by
 *    "scattered" and 5.00-6.55 by "relocate-scattered"; so 512 KiB), and
 *    under `scatter_from` a breadth-first copy is what the
 *    caller does then (*scattered set, decision "scattered"): the traced
 *    path would copy it breadth first too, after child probes (a chain of
 *    dependent misses) and a density trace that it pays for nothing.
 * A src with sub-regions (held ones outlive it, adopted ones are its own)
 * is left to the tracing paths (as in step 0).  1 when src was relocated
 * (*out set), 0 when the caller goes on (nothing changed; *scattered says
 * whether the sample found the layout scattered), -1 when relocate could
 * not allocate (dst rolled back). */
#define SAMPLE_OBJECTS 32u /* 64 took twice the instructions (about 8,000 a call) for the same decisions */
#define SAMPLE_GAP 256u    /* bytes: a longer dead stretch ends the stretch the sample went through */

static __attribute__((noinline)) int relocate_probe(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root,
						    rl_val *out, const struct options *opt, bool *scattered)
{
	*scattered = false;
	if (!opt->relocate_probed || src->children != NULL)
		return 0;
	rl_graph_sample g;
	rl_graph_sample_take(src, root, SAMPLE_OBJECTS, SAMPLE_GAP, &g);
	const char *why = NULL;
	if (g.whole || g.followed == 0)
		return 0; /* small, or nothing past the root's edges to judge by */
	if (g.crossed * CROSS_RATIO < g.followed && g.neighboured * 2 >= g.objects && g.density >= opt->dense_from)
		why = "relocate-dense";
	else if (g.crossed * 2 >= g.followed && (g.uniform || rl_region_family_bytes(src) >= opt->scatter_from))
		why = "relocate-scattered";
	else
		*scattered = g.crossed * 2 >= g.followed;
	if (why == NULL)
		return 0;
	int rc = relocate_all(ctx, src, dst, root, out);
	if (rc > 0)
		ctx->report.decision = why;
	return rc;
}

/* Step 0: the paths that what src knows decides alone.  1 when the graph
 * was moved (*out set), 0 when nothing is known that settles it (nothing
 * done), -1 when relocate could not allocate (dst rolled back). */
static int decide_by_knowledge(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	/* Each test reads only what it needs, in the order of the decisions:
	 * the sole-owner test what linear reads, the home test what splice
	 * reads, and only a call that gets past both reads what src knows of
	 * its density (rl_region_knowledge_of walks src's family).  Reading it
	 * all first cost the linear and home paths a few cache misses more than
	 * the fixed strategies they pick. */
	const char *why;
	rl_region *home = NULL;
	enum { GO_ON, LINEAR, HOME, RELOCATE } path = GO_ON;
	if (rl_region_sole_owner(src) && rl_region_can_adopt(dst, src)) {
		path = LINEAR; /* src dies with the call: nobody else can see it */
	} else if ((home = rl_region_clean_home(src, root, &why)) != NULL) {
		path = HOME;
	} else {
		rl_region_knowledge k = rl_region_knowledge_of(src);
		if (k.all_result && k.subregion_bytes == 0)
			path = RELOCATE; /* dense, and src must stay: its other owner reads it */
	}
	if (path == LINEAR) {
		ctx->report.bytes_spliced = rl_region_family_bytes(src); /* src's family: all of it goes */
		ctx->report.garbage_bytes = UINT64_MAX; /* not measured (linear's rule) */
		ctx->report.decision = "linear";
		rl_region_adopt(dst, src);
	} else if (path == HOME) {
		splice_home(ctx, home, dst);
	} else if (path == RELOCATE) {
		return relocate_all(ctx, src, dst, root, out);
	}
	return path != GO_ON;
}

/* Steps 1-4: the graph is traced or probed (steps 0 and 0b settled nothing
 * or only some of it). */
static int trace_graph(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	struct options opt = read_options(ctx->opts);

	rl_cheney c;
	rl_val r = root;
	size_t root_size = rl_obj_size(rl_ptr(root));
	size_t src_bytes = rl_region_family_bytes(src);
	bool bounded = src_bytes <= opt.large;
	rl_liveness lv;
	bool have_lv = false;
	rl_cheney_begin(&c, src, dst);
	ctx->report.decision = "copy";

	/* 1. Small graphs (or regions too small to hold a big one). */
	if (bounded || root_size <= opt.small) {
		if (rl_cheney_forward(&c, &r) != 0)
			goto fail;
		int k = rl_cheney_scan(&c, bounded ? SIZE_MAX : opt.small - root_size);
		if (k < 0)
			goto fail;
		if (k == 1)
			goto done;
		/* Bigger than `small`: start over child by child (a few hundred
		 * bytes of copying lost). */
		rl_cheney_undo(&c, &root, 1);
		r = root;
	}
	/* 1b. Most of src the graph, or the graph scattered: relocate. */
	bool sample_scattered = false;
	if (root_size <= opt.large) {
		int k = relocate_probe(ctx, src, dst, root, out, &opt, &sample_scattered);
		if (k < 0)
			ctx->report = (rl_tm_report){ 0 };
		if (k != 0)
			return k > 0 ? RL_TM_OK : RL_TM_ENOMEM;
	} else {
		int k = big_root(ctx, &lv, dst, root, out, &opt);
		if (k != 0)
			return k > 0 ? RL_TM_OK : RL_TM_ENOMEM;
		have_lv = true;
	}
	if (sample_scattered || scattered(src, rl_ptr(root))) {
		/* The sample's slots, or the root's children, spread all over
		 * src (sparse, when the root is big): one breadth-first copy. */
		ctx->report.decision = sample_scattered ? "scattered" : "sparse";
		if (rl_cheney_forward(&c, &r) != 0 || rl_cheney_scan(&c, SIZE_MAX) < 0)
			goto fail;
		goto release;
	}

	/* 2. The root's children, each on its own probe. */
	struct children ch = { .c = &c,
			       .budget = child_budget(&opt, src_bytes, rl_ptr(root)),
			       .narrow = opt.narrow_probe };
	if (rl_cheney_forward(&c, &r) != 0 || (ch.holder = rl_ptr(r), copy_children(&ch) != 0))
		goto fail;
	ctx->report.decision = "children";

	/* 3. The big ones and the leaves that waited. */
	if (ch.deferred == 0)
		goto release;
	{
		if (!have_lv && rl_liveness_init(&lv, src) != 0)
			goto fail;
		have_lv = false; /* place_deferred consumes it */
		int placed = place_deferred(ctx, &ch, &lv, &opt);
		if (placed < 0)
			goto fail;
		if (placed > 0) {
			/* The block mover gave back what it borrowed; the
			 * probes' held originals get theirs now. */
			rl_cheney_release_held_blocks(&c);
			goto done;
		}
	}
release:
	/* Copied by copying alone (several roots): objects of a held
	 * sub-region of src survive it, so they get their headers back. */
	rl_cheney_release_held(&c, &root, 1);
done:
	if (have_lv)
		rl_liveness_fini(&lv);
	ctx->report.bytes_copied += c.bytes_copied;
	*out = r;
	return RL_TM_OK;
fail:
	if (have_lv)
		rl_liveness_fini(&lv);
	rl_cheney_undo(&c, &root, 1);
	ctx->report = (rl_tm_report){ 0 };
	return RL_TM_ENOMEM;
}

/* Step 0b: results homed in sub-regions of their own (`mixed` under
 * knows=home: a call that built a large result in a region the caller kept
 * as a sub-region of src).  Every sub-region of src that is a clean home of
 * a result the root holds (regionlab/knowledge.h,
 * rl_region_clean_child_home: only src holds it, it stores no pointer out
 * of itself, nothing but the root was ever stored pointing into it, and the
 * root's slot that the first such store went into still does) is set aside
 * before anything is probed or copied (regionlab/adopt.h), so that the
 * steps below see its objects as outside src and leave the root's copy
 * naming them where they are.  The caller moves them into dst whole once
 * the call has succeeded (O(1) each, splice_homes), or gives them back to
 * src when it fails.  O(src's sub-regions), no slot of the root read but
 * the one each home recorded: a first version read every slot of the root
 * to find the homes it reached, 21 us of a 400 us call on `mixed` at 10^5
 * (Table 7's decide column in the pair of fdf74e8).  Other graphs pay one
 * load (src's list of sub-regions, empty).  NULL when none. */
static rl_region *set_homes_aside(rl_region *src, rl_val root)
{
	if (src->children == NULL || rl_region_of(rl_ptr(root)) != src)
		return NULL;
	bool any = false;
	for (rl_region *c = src->children; c != NULL; c = c->sibling)
		if (rl_region_clean_child_home(src, c, root)) {
			c->family |= RL_REGION_TAKE;
			any = true;
		}
	return any ? rl_subregion_set_aside(src) : NULL;
}

/* The decision of a call that also moved homed results (step 0b). */
static const char *with_homes(const char *decision)
{
	static const char *const paths[][2] = {
		{ "copy", "homes+copy" },
		{ "relocate-dense", "homes+relocate-dense" },
		{ "relocate-scattered", "homes+relocate-scattered" },
		{ "scattered", "homes+scattered" },
		{ "children", "homes+children" },
		{ "sparse", "homes+sparse" },
		{ "splice", "homes+splice" },
		{ "blocks", "homes+blocks" },
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (strcmp(decision, paths[i][0]) == 0)
			return paths[i][1];
	return "homes";
}

/* The call succeeded: the homes set aside join dst whole.  Garbage in them
 * is known only from their all-result hints. */
static void splice_homes(rl_tm_ctx *ctx, rl_region *homes, rl_region *dst)
{
	for (const rl_region *h = homes; h != NULL; h = h->aside_next)
		if (!rl_region_knowledge_of(h).all_result)
			ctx->report.garbage_bytes = UINT64_MAX; /* not measured */
	ctx->report.bytes_spliced += rl_subregion_adopt_aside(dst, homes);
	ctx->report.decision = with_homes(ctx->report.decision);
}

/* Steps 0b to 4: the graph is traced or probed (step 0 settled nothing).
 * decide_ns is the time from the caller's clock read to the end of step
 * 0b: one clock read. */
static __attribute__((noinline)) int adaptive_trace(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	rl_region *homes = set_homes_aside(src, root);
	if (ctx->call_start_ns != 0)
		ctx->report.decide_ns = rl_now_ns() - ctx->call_start_ns;
	int rc = trace_graph(ctx, src, dst, root, out);
	if (homes != NULL && rc == RL_TM_OK)
		splice_homes(ctx, homes, dst);
	else if (homes != NULL)
		rl_subregion_put_back(src, homes);
	return rc;
}

/* Step 0 first, before even the options are parsed: when what src knows
 * settles the path, the call touches no code it does not need.  In a
 * forked trial every first-touched text page is a fault (parsing the
 * options made a linear decision 30 us slower than linear), and every
 * first-touched code line a cache miss: so this entry is small, the
 * linear path runs straight through it, and the tracing steps, the home
 * splice and relocate sit out of line. */
static int adaptive_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;
	int known = decide_by_knowledge(ctx, src, dst, root, out);
	if (known == 0)
		return adaptive_trace(ctx, src, dst, root, out);
	if (known < 0)
		ctx->report = (rl_tm_report){ 0 };
	return known > 0 ? RL_TM_OK : RL_TM_ENOMEM;
}

const struct rl_transmigrator rl_tm_adaptive = {
	.name = "adaptive",
	.summary = "probes that become the copy for small graphs and the root's children; big ones traced, dense "
		   "blocks moved, sparse copied",
	.caps = RL_TM_ZERO_COPY | RL_TM_CONSUMES_SRC,
	.options = adaptive_options,
	.transmigrate = adaptive_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};
