/* The allocator switch: jemalloc really serves region blocks and strategy
 * memory, its counters move during a call, and bad names are rejected. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "regionlab/allocator.h"
#include "regionlab/block_pool.h"
#include "regionlab/mem.h"
#include "regionlab/region.h"
#include "tests/check.h"

static void unknown_allocator_is_rejected_with_the_valid_names(void)
{
	char err[256];
	CHECK(rl_allocator_select("tcmalloc", err, sizeof err) == -1, "accepted an unknown allocator");
	CHECK(strcmp(err, "unknown allocator 'tcmalloc' (valid: system, jemalloc)") == 0, "message: %s", err);
	CHECK(strcmp(rl_allocator_name(), "system") == 0, "selection changed: %s", rl_allocator_name());
}

static void system_keeps_no_counters(void)
{
	char err[256];
	rl_alloc_counters c;
	CHECK(rl_allocator_select("system", err, sizeof err) == 0, "%s", err);
	CHECK(!rl_allocator_counters(&c), "system allocator claims counters");
}

static void jemalloc_serves_blocks_and_counts_them(void)
{
	char err[512];
	CHECK(rl_allocator_select("jemalloc", err, sizeof err) == 0, "%s", err);
	CHECK(strcmp(rl_block_pool_inner()->name, "jemalloc") == 0, "page source %s", rl_block_pool_inner()->name);
	rl_block_pool_drain(); /* blocks pooled from the system allocator must not be reused */
	rl_alloc_counters before, after;
	CHECK(rl_allocator_counters(&before), "no counters");
	rl_region *r = rl_region_create("je");
	for (int i = 0; i < 20000; i++)
		CHECK(rl_obj_new(r, RL_T_CONS, 16) != NULL, "allocation %d failed", i);
	void *p = rl_mem_alloc(1000);
	CHECK(p != NULL, "rl_mem_alloc failed");
	CHECK(((uintptr_t)r->small.head & (rl_block_size - 1)) == 0, "block not aligned");
	CHECK(rl_allocator_counters(&after), "no counters");
	size_t blocks = r->small.count;
	CHECK(after.bytes - before.bytes >= blocks * rl_block_size + 1000, "allocated %llu bytes for %zu blocks",
	      (unsigned long long)(after.bytes - before.bytes), blocks);
	CHECK(after.allocs - before.allocs >= blocks + 1, "%llu requests for %zu blocks + 1",
	      (unsigned long long)(after.allocs - before.allocs), blocks);
	rl_mem_free(p, 1000);
	rl_region_destroy(r);
	CHECK(rl_blocks_live() == 0, "blocks leaked");
	CHECK(rl_allocator_select("system", err, sizeof err) == 0, "%s", err);
}

static long minor_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* Scratch reservations above the heap limit (a worklist over a big source)
 * borrow the mapping rl_mem_scratch_prewarm mapped and touched: its pages
 * take no fault when written, it is lent again once given back, a second
 * reservation while it is lent gets a mapping of its own, zeroed
 * reservations never get it, and the budget is given back each time. */
static void scratch_reservations_borrow_the_prewarmed_mapping(void)
{
	const size_t bytes = 4u << 20, page = 4096;
	CHECK(bytes > RL_RESERVE_FROM_HEAP_MAX, "the test needs a mapping, not heap memory");
	size_t used = rl_mem_budget_used();
	rl_mem_scratch_prewarm(bytes);
	char *a = rl_mem_reserve_scratch(bytes);
	CHECK(a != NULL, "out of memory");
	long before = minor_faults();
	for (size_t off = 0; off < bytes; off += page)
		a[off] = 1;
	long faults = minor_faults() - before;
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN /* TSan maps shadow pages of its own on these writes */
	CHECK(faults == 0, "writing the prewarmed mapping took %ld page faults", faults);
#else
	(void)faults;
#endif
	char *b = rl_mem_reserve_scratch(bytes);
	CHECK(b != NULL && b != a, "a second reservation got the lent mapping");
	rl_mem_unreserve(b, bytes);
	rl_mem_unreserve(a, bytes); /* kept, with a 1 in each page */
	char *z = rl_mem_reserve(bytes / 2);
	CHECK(z != NULL && z != a && z[0] == 0 && z[bytes / 2 - page] == 0, "a zeroed reservation got the kept mapping");
	rl_mem_unreserve(z, bytes / 2);
	char *c = rl_mem_reserve_scratch(bytes / 2);
	CHECK(c == a, "the kept mapping was not lent again");
	rl_mem_unreserve(c, bytes / 2);
	CHECK(rl_mem_budget_used() == used, "budget: %zu taken, %zu before", rl_mem_budget_used(), used);
}

int main(int argc, char **argv)
{
	(void)argc;
	rl_allocator_reexec_for_jemalloc(argv);
	RL_RUN(unknown_allocator_is_rejected_with_the_valid_names);
	RL_RUN(system_keeps_no_counters);
	RL_RUN(jemalloc_serves_blocks_and_counts_them);
	RL_RUN(scratch_reservations_borrow_the_prewarmed_mapping);
	return rl_test_summary(argv[0]);
}
