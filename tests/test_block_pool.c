/* The block pool recycles standard blocks, pre-faults on request, sends
 * large blocks straight to the page source, and keeps nothing under ASan. */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "regionlab/block_pool.h"
#include "regionlab/region.h"
#include "tests/check.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

static void freed_blocks_are_reused_and_counted_as_not_live(void)
{
	rl_block_pool_drain();
	size_t live = rl_blocks_live();
	rl_region *r = rl_region_create("a");
	CHECK(rl_obj_new(r, RL_T_CONS, 16) != NULL, "allocation failed");
	rl_block *first = r->small.head;
	rl_region_destroy(r);
	CHECK(rl_blocks_live() == live, "a pooled block still counts as live");
	CHECK(rl_block_pool_count() == (UNDER_ASAN ? 0u : 1u), "pool holds %zu blocks", rl_block_pool_count());
	r = rl_region_create("b");
	CHECK(rl_obj_new(r, RL_T_CONS, 16) != NULL, "allocation failed");
	if (!UNDER_ASAN)
		CHECK(r->small.head == first, "the pooled block was not reused");
	CHECK(rl_block_pool_count() == 0, "pool not emptied by the reuse");
	rl_region_destroy(r);
	rl_block_pool_drain();
	CHECK(rl_block_pool_count() == 0, "drain left blocks");
}

static void large_blocks_bypass_the_pool(void)
{
	rl_block_pool_drain();
	rl_region *r = rl_region_create("large");
	CHECK(rl_obj_new(r, RL_T_BLOB, (uint32_t)(2 * rl_block_size)) != NULL, "large allocation failed");
	rl_region_destroy(r);
	CHECK(rl_block_pool_count() == 0, "a large block was pooled");
}

static void prefault_fills_the_pool_for_the_bytes_asked(void)
{
	rl_block_pool_drain();
	size_t bytes = 10 * rl_block_size;
	size_t pooled = rl_block_pool_prefault(bytes);
	if (UNDER_ASAN) {
		CHECK(pooled == 0 && rl_block_pool_count() == 0, "ASan build pooled %zu bytes", pooled);
		return;
	}
	CHECK(pooled >= bytes, "pooled %zu bytes for %zu asked", pooled, bytes);
	size_t blocks = rl_block_pool_count();
	CHECK(blocks * rl_block_size == pooled, "%zu blocks for %zu bytes", blocks, pooled);
	/* a region filling those bytes fetches no block from the page source */
	rl_region *r = rl_region_create("warm");
	while (r->bytes_used < bytes - rl_block_size)
		CHECK(rl_obj_new(r, RL_T_BLOB, 1000) != NULL, "allocation failed");
	CHECK(rl_block_pool_count() == blocks - r->small.count, "blocks did not come from the pool");
	rl_region_destroy(r);
	rl_block_pool_drain();
}

static void a_new_block_size_never_gets_old_blocks(void)
{
	rl_block_pool_drain();
	rl_region *r = rl_region_create("old");
	CHECK(rl_obj_new(r, RL_T_CONS, 16) != NULL, "allocation failed");
	rl_region_destroy(r);
	size_t old = rl_block_size;
	CHECK(rl_set_block_size(old * 2) == 0, "block size change refused");
	r = rl_region_create("new");
	CHECK(rl_obj_new(r, RL_T_CONS, 16) != NULL, "allocation failed");
	CHECK(((uintptr_t)r->small.head & (rl_block_size - 1)) == 0, "block not aligned to the new size");
	CHECK(rl_block_bytes(r->small.head) == rl_block_size, "block of %zu bytes", rl_block_bytes(r->small.head));
	rl_region_destroy(r);
	rl_block_pool_drain();
	CHECK(rl_set_block_size(old) == 0, "block size restore refused");
}

/* Rewarming the pool changes no byte: a freed block keeps its poison (debug
 * builds poison what a region frees). */
static void rewarm_keeps_pooled_blocks_as_they_were(void)
{
	if (UNDER_ASAN)
		return; /* the pool keeps nothing there */
	rl_block_pool_drain();
	rl_region *r = rl_region_create("poisoned");
	CHECK(rl_obj_new(r, RL_T_CONS, 16) != NULL, "allocation failed");
	rl_block *b = r->small.head;
	rl_region_destroy(r);
	CHECK(rl_block_pool_count() == 1, "pool holds %zu blocks", rl_block_pool_count());
	rl_block_pool_rewarm();
	CHECK(rl_block_pool_count() == 1, "rewarm changed the pool");
	const unsigned char *p = (const unsigned char *)b;
	size_t wrong = 0;
	for (size_t i = sizeof(void *); i < rl_block_size; i++) /* past the pool's next pointer */
		wrong += p[i] != RL_POISON_BYTE;
	CHECK(wrong == 0, "%zu bytes of a pooled block lost their poison", wrong);
	rl_block_pool_drain();
}

static long minor_faults(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return u.ru_minflt;
}

/* After a rewarm, filling the pooled blocks takes no page fault, even in a
 * forked child, where the parent's pre-faulted pages are shared copy-on-write
 * until written (the harness forks a process per trial): the call's and the
 * copy yardstick's destinations are ready to write, not only to read. */
static void rewarmed_blocks_fill_without_a_fault_in_a_forked_child(void)
{
	if (UNDER_ASAN)
		return; /* the pool keeps nothing there */
	enum { BLOCKS = 8 };
	rl_block_pool_drain();
	CHECK(rl_block_pool_prefault(BLOCKS * rl_block_size) >= BLOCKS * rl_block_size, "prefault failed");
	pid_t pid = fork();
	CHECK(pid >= 0, "fork failed");
	if (pid == 0) {
		void *blocks[BLOCKS];
		for (int i = 0; i < BLOCKS; i++)
			if ((blocks[i] = rl_pages_pooled.alloc(rl_block_size, rl_block_size)) == NULL)
				_exit(255);
		for (int i = 0; i < BLOCKS; i++) /* back, so that rewarm reaches them */
			rl_pages_pooled.free(blocks[i], rl_block_size);
		rl_block_pool_rewarm();
		for (int i = 0; i < BLOCKS; i++)
			blocks[i] = rl_pages_pooled.alloc(rl_block_size, rl_block_size);
		/* Nothing outside the blocks may fault while counting: the first
		 * getrusage's write of its result may fault the stack page, and a
		 * code path of memset the child has not run yet faults its text
		 * page; so the fill runs a page at a time, a path run just before
		 * on a buffer of the stack. */
		unsigned char warm[RL_PAGE];
		memset(warm, 1, sizeof warm);
		__asm__ volatile("" : : "r"(warm) : "memory");
		(void)minor_faults();
		long before = minor_faults();
		for (int i = 0; i < BLOCKS; i++)
			for (size_t page = 0; page < rl_block_size; page += RL_PAGE)
				memset((char *)blocks[i] + page, 0x5a, RL_PAGE);
		long faults = minor_faults() - before;
		_exit(faults > 250 ? 250 : (int)faults);
	}
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child did not exit");
	int faults = WEXITSTATUS(status);
	CHECK(faults != 255, "the child could not take pooled blocks");
	/* A read-only rewarm leaves about 15 faults a block (120 here); fewer
	 * than one a block leaves room for a fault the kernel takes for its
	 * own reasons (NUMA balancing, khugepaged). */
	CHECK(faults < BLOCKS, "filling %d rewarmed blocks took %d page faults", BLOCKS, faults);
	rl_block_pool_drain();
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(freed_blocks_are_reused_and_counted_as_not_live);
	RL_RUN(large_blocks_bypass_the_pool);
	RL_RUN(prefault_fills_the_pool_for_the_bytes_asked);
	RL_RUN(a_new_block_size_never_gets_old_blocks);
	RL_RUN(rewarm_keeps_pooled_blocks_as_they_were);
	RL_RUN(rewarmed_blocks_fill_without_a_fault_in_a_forked_child);
	return rl_test_summary(argv[0]);
}
