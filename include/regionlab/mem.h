/* Memory a strategy takes for itself (bitmaps, worklists, hash entries), with
 * accounting and fault injection.
 *
 * Every allocation that a transmigration can make goes through one counter:
 * region blocks (rl_region_alloc) and the strategy's own memory (rl_mem_*).
 * rl_fault_fail_at(k) makes the k-th counted allocation of the calling thread
 * fail, which is how the fault-injection tests reach every failure path.
 *
 * The statistics are per thread (plain counters, no atomics on the hot path):
 * the runner snapshots them around one call. */
#ifndef REGIONLAB_MEM_H
#define REGIONLAB_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rl_mem_stats {
	uint64_t mallocs;    /* rl_mem_* allocations (strategy memory only) */
	uint64_t block_allocs; /* region blocks fetched from the page source */
	size_t live_bytes;   /* strategy bytes currently held */
	size_t peak_bytes;   /* high-water mark of live_bytes since the last reset */
	uint64_t allocations; /* every counted allocation, blocks included */
} rl_mem_stats;

/* The calling thread's counters. */
rl_mem_stats *rl_mem_stats_self(void);
/* Starts a measurement: zeroes mallocs/block_allocs and sets peak = live. */
void rl_mem_stats_begin(void);

void *rl_mem_alloc(size_t bytes);
void *rl_mem_calloc(size_t count, size_t size);
/* `bytes` must be the size the block was allocated with. */
void rl_mem_free(void *p, size_t bytes);

/* Reserves `bytes` of zeroed address space.  It counts as one allocation;
 * the caller charges what it uses with rl_mem_charge.  Up to
 * RL_RESERVE_FROM_HEAP_MAX it comes from the heap: on these VMs an mmap, the
 * first touch of its pages and its munmap cost ~40 us, more than copying
 * 10^3 objects.  Above, it is an mmap with no swap reservation, whose
 * untouched pages cost nothing. */
#define RL_RESERVE_FROM_HEAP_MAX (256u * 1024u)
void *rl_mem_reserve(size_t bytes);
/* The same, for memory whose every byte is written before it is read (a
 * stack), and never zeroed, at any size: from the heap it is what malloc
 * gives, above the heap limit it may be the kept mapping below, holding
 * whatever its last borrower wrote.  So a worklist sized for the whole
 * source (up to 256 KiB at 10^4 objects) costs no memset of its own and
 * evicts nothing from the cache it does not use; a caller that needs zeros
 * writes them (fwdmap.c zeroes each slice it hands out). */
void *rl_mem_reserve_scratch(size_t bytes);
/* Maps (or keeps) the scratch mapping that rl_mem_reserve_scratch lends
 * above the heap limit, at least `bytes` long, and touches each of its
 * pages: a benchmark's warm-up, so that a worklist's first pushes in the
 * timed call find their pages mapped.  A no-op at or below the heap limit,
 * or while the mapping is lent.  The kept mapping itself is outside the
 * memory budget below (a borrower is charged what it asked for): one
 * mapping, as big as the largest prewarm of the process, src's footprint
 * in the harness, resident until the process ends. */
void rl_mem_scratch_prewarm(size_t bytes);
void rl_mem_unreserve(void *p, size_t bytes);
void rl_mem_charge(size_t bytes);
void rl_mem_uncharge(size_t bytes);

/* ---- the memory budget -------------------------------------------------------
 * A process-wide cap on the memory regionlab takes: region blocks (taken from
 * the page source by the block pool; blocks the pool keeps still count),
 * strategy memory (rl_mem_alloc, rl_mem_reserve: the whole reservation) and
 * the oracle's tables.  An allocation that would pass the cap fails as if
 * the machine were out of memory, so an over-large trial ends in an `oom`
 * row (or the oracle's out-of-memory) instead of the kernel's OOM killer.
 * Unlike RLIMIT_AS it works the same under ASan and TSan, whose shadow
 * mappings dwarf any address-space limit.  The harness sets it from
 * --max-mem; 0 (the default) means no cap.  Thread-safe (atomics). */
void rl_mem_budget_set(size_t limit);
size_t rl_mem_budget_limit(void);
size_t rl_mem_budget_used(void);
/* Takes `bytes` from the budget: false (nothing taken) when that would pass the cap. */
bool rl_mem_budget_take(size_t bytes);
void rl_mem_budget_give(size_t bytes);

/* ---- fault injection -------------------------------------------------------
 * k >= 1: the k-th counted allocation from now on, in this thread, fails.
 * k == 0: no failures (the default). */
void rl_fault_fail_at(uint64_t k);
/* Counted allocations this thread made since the last rl_fault_fail_at. */
uint64_t rl_fault_count(void);
/* True when the allocation about to happen must fail. Called by allocators. */
bool rl_fault_next(void);

#endif
