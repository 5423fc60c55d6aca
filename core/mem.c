/* Strategy memory accounting and fault injection (see regionlab/mem.h). */
#define _DEFAULT_SOURCE /* MAP_NORESERVE, MAP_ANONYMOUS */
#include "regionlab/mem.h"

#include "regionlab/allocator.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- the budget ------------------------------------------------------------- */

static atomic_size_t budget_limit; /* 0: no cap */
static atomic_size_t budget_used;

void rl_mem_budget_set(size_t limit) { atomic_store(&budget_limit, limit); }
size_t rl_mem_budget_limit(void) { return atomic_load(&budget_limit); }
size_t rl_mem_budget_used(void) { return atomic_load_explicit(&budget_used, memory_order_relaxed); }

bool rl_mem_budget_take(size_t bytes)
{
	size_t limit = atomic_load_explicit(&budget_limit, memory_order_relaxed);
	size_t before = atomic_fetch_add_explicit(&budget_used, bytes, memory_order_relaxed);
	if (limit != 0 && (before + bytes < before || before + bytes > limit)) {
		atomic_fetch_sub_explicit(&budget_used, bytes, memory_order_relaxed);
		return false;
	}
	return true;
}

void rl_mem_budget_give(size_t bytes) { atomic_fetch_sub_explicit(&budget_used, bytes, memory_order_relaxed); }

/* ---- statistics ------------------------------------------------------------- */

static _Thread_local rl_mem_stats stats;
static _Thread_local uint64_t fault_at;    /* 0 = never */
static _Thread_local uint64_t fault_count; /* counted allocations since armed */

rl_mem_stats *rl_mem_stats_self(void) { return &stats; }

void rl_mem_stats_begin(void)
{
	stats.mallocs = 0;
	stats.block_allocs = 0;
	stats.allocations = 0;
	stats.peak_bytes = stats.live_bytes;
}

void rl_fault_fail_at(uint64_t k)
{
	fault_at = k;
	fault_count = 0;
}

uint64_t rl_fault_count(void) { return fault_count; }

bool rl_fault_next(void)
{
	stats.allocations++;
	fault_count++;
	return fault_at != 0 && fault_count == fault_at;
}

void rl_mem_charge(size_t bytes)
{
	stats.live_bytes += bytes;
	if (stats.live_bytes > stats.peak_bytes)
		stats.peak_bytes = stats.live_bytes;
}

void rl_mem_uncharge(size_t bytes) { stats.live_bytes -= bytes; }

void *rl_mem_alloc(size_t bytes)
{
	if (rl_fault_next() || !rl_mem_budget_take(bytes))
		return NULL;
	void *p = rl_allocator_malloc(bytes);
	if (p == NULL) {
		rl_mem_budget_give(bytes);
		return NULL;
	}
	stats.mallocs++;
	rl_mem_charge(bytes);
	return p;
}

void *rl_mem_calloc(size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	void *p = rl_mem_alloc(count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

void rl_mem_free(void *p, size_t bytes)
{
	if (p == NULL)
		return;
	rl_mem_uncharge(bytes);
	rl_allocator_free(p, bytes);
	rl_mem_budget_give(bytes);
}

static bool reserve_from_heap(size_t bytes) { return bytes <= RL_RESERVE_FROM_HEAP_MAX; }

static void *map_fresh(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- the kept scratch mapping ------------------------------------------------
 * One mapping for scratch reservations above the heap limit, kept between
 * reservations instead of unmapped, as a runtime that has been running keeps
 * its collector's worklist: a fresh mapping faults on each page its first
 * pushes touch (~10 us a page on these VMs: dfs on `mixed` at 10^4 took two
 * such faults, about a fifth of its call).  rl_mem_scratch_prewarm maps and
 * touches it ahead of a timed call.  While it is lent out, another scratch
 * reservation gets a fresh mapping, as before. */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static void *kept;        /* the mapping, NULL when there is none */
static size_t kept_bytes; /* its size */
static bool kept_lent;    /* handed out by a reservation not yet given back */

static void *scratch_take(size_t bytes)
{
	void *p = NULL;
	pthread_mutex_lock(&kept_lock);
	if (kept != NULL && !kept_lent && kept_bytes >= bytes) {
		p = kept;
		kept_lent = true;
	}
	pthread_mutex_unlock(&kept_lock);
	return p != NULL ? p : map_fresh(bytes);
}

/* True when p was the kept mapping (it is kept again). */
static bool scratch_give_back(void *p)
{
	pthread_mutex_lock(&kept_lock);
	bool ours = kept_lent && p == kept;
	if (ours)
		kept_lent = false;
	pthread_mutex_unlock(&kept_lock);
	return ours;
}

void rl_mem_scratch_prewarm(size_t bytes)
{
	if (reserve_from_heap(bytes))
		return;
	const size_t page = 4096; /* the smallest page */
	bytes = (bytes + page - 1) / page * page;
	pthread_mutex_lock(&kept_lock);
	if (!kept_lent) {
		if (kept != NULL && kept_bytes < bytes) {
			munmap(kept, kept_bytes);
			kept = NULL;
		}
		if (kept == NULL && (kept = map_fresh(bytes)) != NULL)
			kept_bytes = bytes;
		if (kept != NULL)
			for (size_t off = 0; off < kept_bytes; off += page)
				((volatile char *)kept)[off] = 0;
	}
	pthread_mutex_unlock(&kept_lock);
}

static void *reserve(size_t bytes, bool zeroed)
{
	if (rl_fault_next() || !rl_mem_budget_take(bytes))
		return NULL;
	void *p;
	if (reserve_from_heap(bytes))
		p = zeroed ? calloc(1, bytes) : malloc(bytes);
	else
		p = zeroed ? map_fresh(bytes) : scratch_take(bytes);
	if (p == NULL) {
		rl_mem_budget_give(bytes);
		return NULL;
	}
	stats.mallocs++;
	return p;
}

void *rl_mem_reserve(size_t bytes) { return reserve(bytes, true); }

void *rl_mem_reserve_scratch(size_t bytes) { return reserve(bytes, false); }

void rl_mem_unreserve(void *p, size_t bytes)
{
	if (p == NULL)
		return;
	if (reserve_from_heap(bytes))
		free(p);
	else if (!scratch_give_back(p))
		munmap(p, bytes);
	rl_mem_budget_give(bytes);
}
