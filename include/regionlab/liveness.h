/* Block liveness (design 2.6; V8's page promotion rule): a mark-only trace of
 * the graph reachable from one or more roots inside src, which sets the
 * region shadow's bit of every reached object and adds its footprint to a
 * live-byte counter of its block.  Strategies that move whole blocks read the
 * counters to decide block by block: move it (dense) or copy its live objects
 * (sparse).
 *
 * The counters are indexed by block, in the order the shadow lays out its
 * slices (small chain, then large chain), so a block's counter is found from
 * its shadow slice with a subtraction and a shift: no lookup table.  Each
 * counter has one spare bit (RL_LIVE_TAKE) where a strategy records its
 * verdict for the block.
 *
 * The trace skips objects whose header is already forwarded: they were copied
 * before the trace (by an earlier copy into the same destination) and are not
 * live in src any more; their referrers are fixed when the blocks are moved.
 *
 * It also logs the address of every slot it meets that points into another
 * block of src or at a forwarded object: after some blocks have moved and the
 * live objects of the others have been copied, those are the only slots of
 * moved objects that can need fixing (a slot pointing into its own block
 * moves with its target); slots of blocks that outlive src (a held
 * sub-region's, regionlab/adopt.h) are not logged: they never move.  It starts
 * with room for 4096 slots plus 64 per block (graphs laid out in allocation
 * order cross blocks rarely) and doubles when full while it holds at most one
 * slot per 32 bytes marked: fixing from the log costs what crossed blocks, a
 * pass over every moved object costs every object (on `mixed` at 10^5, whose
 * big results cross blocks on about a fifth of their objects, that pass was a
 * quarter of adaptive's instructions).  When more slots cross (shuffled
 * layouts: the pass costs about what the log would), or growing fails, it
 * says so (log_overflow) and the fixing falls back to that pass.  A grown
 * log is one more allocation (the mallocs column, fault injection), and it
 * can let adaptive's "depth-first shaped" test pass where the old bound
 * overflowed, only with a probe budget far above its default (at 64 KiB a
 * probe reaches ~4,096 objects, and such a trace logs under 512 slots). */
#ifndef REGIONLAB_LIVENESS_H
#define REGIONLAB_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/region.h"
#include "regionlab/shadow.h"
#include "regionlab/worklist.h"

#define RL_LIVE_TAKE (UINT32_C(1) << 31) /* verdict bit: move the block whole */
#define RL_LIVE_BYTES (RL_LIVE_TAKE - 1)

typedef struct rl_liveness {
	rl_region *src;
	rl_shadow shadow;  /* mark bits */
	rl_worklist wl;
	uint32_t *live;    /* per block: live bytes | RL_LIVE_TAKE */
	size_t nsmall;     /* small blocks (the first counters) */
	size_t nblocks;    /* all blocks */
	unsigned slice_shift; /* log2 of the shadow words per small block */
	uint64_t objects;  /* reached objects */
	uint64_t bytes;    /* their footprint */
	uint64_t forwarded_refs; /* slots met that point at forwarded objects of src */
	rl_val **log;      /* slots pointing into another block or at a forwarded object */
	size_t nlog, log_cap;
	bool log_overflow; /* some were not logged */
} rl_liveness;

/* Attaches the shadow and takes the counters and the worklist: 0, or -1 when
 * an allocation fails (nothing held). */
int rl_liveness_init(rl_liveness *lv, rl_region *src);
/* Marks and counts everything reachable from v inside src (v itself
 * included); may be called for several roots. */
void rl_liveness_trace(rl_liveness *lv, rl_val v);
/* The same in steps: rl_liveness_add_root marks v and queues it,
 * rl_liveness_run traces until the queue is empty (true) or about `budget`
 * more bytes have been marked (false: call it again to go on). */
void rl_liveness_add_root(rl_liveness *lv, rl_val v);
bool rl_liveness_run(rl_liveness *lv, uint64_t budget);
/* Marks and counts the object v points at without scanning it (a caller that
 * handles its slots itself, or scans it later with rl_liveness_scan). */
void rl_liveness_mark_only(rl_liveness *lv, rl_val v);
/* Queues object o, marked already, for a scan of its slots. */
void rl_liveness_scan(rl_liveness *lv, rl_obj *o);
/* Forgets every mark and count (the memory stays): a fresh trace. */
void rl_liveness_reset(rl_liveness *lv);
/* Releases the shadow, the counters and the worklist; src's remaining blocks
 * get their scratch word back (moved blocks must have theirs cleared). */
void rl_liveness_fini(rl_liveness *lv);

/* Index of block b's counter (b must be one of src's blocks). */
static inline size_t rl_liveness_index(const rl_liveness *lv, const rl_block *b)
{
	size_t off = (size_t)((const uint64_t *)b->scratch - lv->shadow.bits);
	size_t small_words = lv->nsmall << lv->slice_shift;
	return off < small_words ? off >> lv->slice_shift : lv->nsmall + (off - small_words);
}

static inline uint32_t *rl_liveness_counter(const rl_liveness *lv, const rl_block *b)
{
	return &lv->live[rl_liveness_index(lv, b)];
}

/* Sets RL_LIVE_TAKE on every block of src's family whose live bytes reach
 * `threshold` of its used bytes: the blocks a splice moves whole. */
void rl_liveness_take_dense(rl_liveness *lv, double threshold);

/* Live bytes of block b. */
static inline size_t rl_liveness_block(const rl_liveness *lv, const rl_block *b)
{
	return *rl_liveness_counter(lv, b) & RL_LIVE_BYTES;
}

/* Bytes allocated in block b (live and dead). */
static inline size_t rl_block_used(const rl_block *b) { return (size_t)(b->top - rl_block_data((rl_block *)b)); }

/* Each marked small block's live bytes over the span they occupy (first to last
 * marked byte), averaged with the live bytes as weights: about the blocks'
 * live fraction when the trace has walked them in address order, low when it
 * has only touched them here and there (or they are mostly garbage).  1 when
 * no small block is marked. */
double rl_liveness_density(const rl_liveness *lv);

/* Calls fn(o, env) for every marked object of block b in address order. */
void rl_liveness_for_each_in_block(const rl_liveness *lv, rl_block *b, void (*fn)(rl_obj *o, void *env), void *env);

#endif
