/* The allocator switch: jemalloc really serves region blocks and strategy
 * memory, its counters move during a call, and bad names are rejected. */
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
	(void)argc;
	rl_allocator_reexec_for_jemalloc(argv);
	RL_RUN(unknown_allocator_is_rejected_with_the_valid_names);
	RL_RUN(system_keeps_no_counters);
	RL_RUN(jemalloc_serves_blocks_and_counts_them);
	return rl_test_summary(argv[0]);
}
