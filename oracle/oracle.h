/* The oracle: the primitives that judge a transmigration against the
 * contract in regionlab/transmigrator.h.  The judge (oracle/judge.h) puts
 * them together into the one verdict on a call that the harness runner and
 * the contract tests both use.
 *
 * It shares no code with the strategies it judges: its own traversal (an
 * explicit stack), its own visited map (open addressing, private to
 * oracle.c), and it reads slots through the type table only.  A bug in a
 * shared mechanism (worklist, shadow, forwarding) therefore cannot hide
 * from it.
 *
 * Use, around one call transmigrate(src -> dst, root) = out:
 *   before:  rl_ranges_of(src, &src_before); census; checksum(root)
 *   after, src alive:   rl_oracle_check_copy(...)          (clauses 1 and 3)
 *   then:   rl_ranges_of(src, &doomed); destroy src;
 *           rl_oracle_check_survivor(out, &doomed, sum)   (clause 2, and the
 *           copy still reads the same after src's memory is gone)
 *   on failure: rl_oracle_region_hash(src) and (dst) equal their values
 *           before the call, and dst's mark is unchanged (clause 4). */
#ifndef REGIONLAB_ORACLE_H
#define REGIONLAB_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oracle/verdict.h"
#include "regionlab/object.h"
#include "regionlab/region.h"

/* Address ranges [lo, hi) of a set of blocks, sorted. */
typedef struct rl_ranges {
	uintptr_t *lo, *hi;
	size_t n;
} rl_ranges;

/* Snapshot of the blocks r holds now: 0, or -1 on allocation failure.  Like
 * rl_region_contains, it counts the blocks of the regions r adopted and of its
 * sub-regions (regionlab/adopt.h); so does rl_oracle_region_hash.  Taken of
 * src after a call, it is what destroying src frees (the doomed ranges): an
 * adopted src is an alias that holds no block, its sub-regions having gone to
 * the adopter with it.  Held sub-regions count as doomed too, though their
 * holders keep them: their objects are src's (rl_region_contains), and a copy
 * must not depend on a hold it does not own. */
int rl_ranges_of(const rl_region *r, rl_ranges *out);
bool rl_ranges_contain(const rl_ranges *rs, uintptr_t p);
void rl_ranges_free(rl_ranges *rs);

/* Objects and bytes reachable from root that lie inside `inside`: what a
 * transmigration of root out of that region moves. */
typedef struct rl_census {
	size_t objects;
	size_t bytes;
} rl_census;
int rl_oracle_census(rl_val root, const rl_ranges *inside, rl_census *out);

/* A structural hash of the graph reachable from root: types, sizes, raw bytes,
 * immediates, and the shape of sharing (objects numbered in first-visit
 * order), independent of addresses.  Pointers into `internal` are followed
 * and hashed by shape; any other pointer (other regions, static data) is
 * hashed by its address and not followed, so changing it changes the hash.
 * internal == NULL follows every pointer.  Two rooted graphs hash equal
 * exactly when they are isomorphic (up to hash collisions). */
uint64_t rl_oracle_checksum(rl_val root, const rl_ranges *internal);

/* A hash of every byte of every block of r (data area up to top): detects
 * any write into a region, including headers borrowed and not restored. */
uint64_t rl_oracle_region_hash(const rl_region *r);

/* Reads a slot of the copy: a read barrier, or NULL for a plain load. */
typedef rl_val (*rl_oracle_load_fn)(void *env, rl_val *slot);

/* Clauses 1 and 3, with the source still alive.  `src_before` holds the
 * ranges of src taken before the call; `doomed` the ranges that destroying src
 * will free (taken after the call).  Checks that copy is isomorphic to orig
 * (types, sizes, bytes, immediates equal; a bijection between original and
 * copied objects, so sharing and cycles are preserved both ways), that every
 * original pointer outside src_before is left identical, and that no copied
 * pointer lands in doomed memory.  0 when it holds; -1 with a one-line
 * reason in why. */
int rl_oracle_check_copy(rl_val orig, rl_val copy, const rl_ranges *src_before, const rl_ranges *doomed,
			 rl_oracle_load_fn load, void *load_env, char *why, size_t why_len);
/* The same, saying which clause broke (the why-string form above writes
 * "CLAUSE: reason"). */
int rl_oracle_copy_verdict(rl_val orig, rl_val copy, const rl_ranges *src_before, const rl_ranges *doomed,
			   rl_oracle_load_fn load, void *load_env, rl_verdict *v);

/* Clause 2, after src has been destroyed: walks the copy (following pointers
 * into `internal`, the destination's ranges) without ever dereferencing a
 * pointer into `doomed` (that is a failure), and compares its checksum with
 * `expected` (the original's, taken with internal = src's ranges). */
int rl_oracle_check_survivor(rl_val copy, const rl_ranges *internal, const rl_ranges *doomed, uint64_t expected,
			     char *why, size_t why_len);
int rl_oracle_survivor_verdict(rl_val copy, const rl_ranges *internal, const rl_ranges *doomed, uint64_t expected,
			       rl_verdict *v);

/* Census and checksum (internal = inside) in one walk: 0, or -1 out of memory. */
int rl_oracle_survey(rl_val root, const rl_ranges *inside, rl_census *census, uint64_t *checksum);

/* The blocks r holds now that it did not hold when `before` and `mark` were
 * taken (the old bump block counts from the old top on): 0, or -1 out of
 * memory. */
int rl_ranges_added(const rl_region *r, const rl_ranges *before, const rl_region_mark *mark, rl_ranges *out);

/* Tests: the k-th allocation of the oracle from now on fails (0: none), so
 * that the judge's own out-of-memory path can be reached. */
void rl_oracle_fail_at(uint64_t k);

/* ---- one whole trial (implemented by the judge, oracle/judge.c) ------------
 * The snapshot the judge takes before a call, and the older why-string entry
 * points that check parts of the contract (tests of single mechanisms use
 * them).  A whole call is judged with rl_judge_* (oracle/judge.h). */
#define RL_ORACLE_SURVIVORS_MAX 16
typedef struct rl_oracle_before {
	rl_ranges src;          /* src's blocks before the call */
	rl_census census;       /* what the call should move */
	uint64_t checksum;      /* rl_oracle_checksum(root, &src) */
	uint64_t src_hash;      /* rl_oracle_region_hash(src) */
	uint64_t dst_hash;      /* rl_oracle_region_hash(dst) */
	rl_region_mark dst_mark;
	size_t dst_footprint;
	size_t blocks_live;     /* rl_blocks_live() */
	size_t src_blocks;      /* blocks of src's family */
	size_t dst_blocks;      /* blocks of dst's family */
	size_t mem_live;        /* strategy memory held (rl_mem_stats_self()->live_bytes) */
	rl_ranges dst;          /* dst's blocks before the call: the survivor check
				 * treats objects dst already held as external */
	/* Members of src's family that outlive it (held sub-regions): clause 3
	 * says they are left untouched, so their bytes must not change. */
	size_t nsurvivors;
	const rl_region *survivors[RL_ORACLE_SURVIVORS_MAX];
	uint64_t survivor_hash[RL_ORACLE_SURVIVORS_MAX];
} rl_oracle_before;

/* Snapshots src and dst before the call: 0, or -1 on allocation failure. */
int rl_oracle_before_call(rl_oracle_before *b, rl_val root, rl_region *src, rl_region *dst);
void rl_oracle_before_free(rl_oracle_before *b);
/* After a successful call: checks clauses 1 and 3 while src is alive (unless
 * src_readable is false: RL_TM_CONSUMES_SRC strategies, judged by checksum),
 * destroys src (*src becomes NULL), then checks clause 2 and the checksum.
 * 0, or -1 with a one-line reason ("CLAUSE: reason").  The judge adds the
 * clauses that depend on the strategy (src borrowed, leaks). */
int rl_oracle_after_success(rl_oracle_before *b, rl_val root, rl_val out, rl_region **src, rl_region *dst,
			    bool src_readable, char *why, size_t why_len);
/* After a failed call: src byte-identical, dst at the same mark with the same
 * bytes, no strategy memory still held, no block leaked.  0, or -1 + reason
 * ("CLAUSE: reason"). */
int rl_oracle_after_failure(const rl_oracle_before *b, rl_region *src, rl_region *dst, char *why, size_t why_len);

#endif
