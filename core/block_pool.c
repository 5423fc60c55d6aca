/* The block pool (see regionlab/block_pool.h).
 *
 * Invariant: every block on the free list has the current standard size and
 * alignment and belongs to no region; it was either freed by a region (and
 * poisoned there in debug builds) or pre-faulted here.  A change of block
 * size is only allowed with no live block, and drains the pool first.
 * Every block taken from the inner page source is charged to the memory
 * budget (regionlab/mem.h) until it goes back to it, pooled or not. */
#include "regionlab/block_pool.h"

#include <pthread.h>
#include <string.h>

#include "regionlab/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_KEEPS_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_KEEPS_BLOCKS 0
#endif
#endif
#ifndef POOL_KEEPS_BLOCKS
#define POOL_KEEPS_BLOCKS 1
#endif

struct free_block {
	struct free_block *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct free_block *free_list;
static size_t free_count;
static size_t free_block_size; /* size of the blocks on the list */
static const rl_page_source *inner = &rl_pages_system;

/* The inner page source, within the memory budget. */
static void *inner_alloc(size_t bytes, size_t align)
{
	if (!rl_mem_budget_take(bytes))
		return NULL;
	void *p = inner->alloc(bytes, align);
	if (p == NULL)
		rl_mem_budget_give(bytes);
	return p;
}

static void inner_free(void *p, size_t bytes)
{
	inner->free(p, bytes);
	rl_mem_budget_give(bytes);
}

void rl_block_pool_set_inner(const rl_page_source *ps)
{
	rl_block_pool_drain();
	inner = ps;
}

const rl_page_source *rl_block_pool_inner(void) { return inner; }

size_t rl_block_pool_count(void)
{
	pthread_mutex_lock(&lock);
	size_t n = free_count;
	pthread_mutex_unlock(&lock);
	return n;
}

void rl_block_pool_drain(void)
{
	pthread_mutex_lock(&lock);
	struct free_block *list = free_list;
	size_t size = free_block_size;
	free_list = NULL;
	free_count = 0;
	pthread_mutex_unlock(&lock);
	while (list != NULL) {
		struct free_block *next = list->next;
		inner_free(list, size);
		list = next;
	}
}

static void *pooled_alloc(size_t bytes, size_t align)
{
	if (POOL_KEEPS_BLOCKS && bytes == rl_block_size && align == rl_block_size) {
		pthread_mutex_lock(&lock);
		struct free_block *b = free_block_size == bytes ? free_list : NULL;
		if (b != NULL) {
			free_list = b->next;
			free_count--;
		}
		pthread_mutex_unlock(&lock);
		if (b != NULL)
			return b;
	}
	return inner_alloc(bytes, align);
}

static void pool_push(void *p, size_t bytes)
{
	struct free_block *b = p;
	pthread_mutex_lock(&lock);
	if (free_block_size != bytes) {
		/* the block size changed while nothing was live: start over */
		pthread_mutex_unlock(&lock);
		rl_block_pool_drain();
		pthread_mutex_lock(&lock);
		free_block_size = bytes;
	}
	b->next = free_list;
	free_list = b;
	free_count++;
	pthread_mutex_unlock(&lock);
}

static void pooled_free(void *p, size_t bytes)
{
	if (POOL_KEEPS_BLOCKS && bytes == rl_block_size)
		pool_push(p, bytes);
	else
		inner_free(p, bytes);
}

const rl_page_source rl_pages_pooled = {
	.name = "pooled",
	.alloc = pooled_alloc,
	.free = pooled_free,
};

size_t rl_block_pool_prefault(size_t bytes)
{
	if (!POOL_KEEPS_BLOCKS)
		return 0;
	size_t per_block = rl_block_size - RL_BLOCK_HEADER;
	size_t want = (bytes + per_block - 1) / per_block;
	size_t have = rl_block_pool_count();
	for (; have < want; have++) {
		void *p = inner_alloc(rl_block_size, rl_block_size);
		if (p == NULL)
			break;
		memset(p, 0, rl_block_size); /* the first touch of every page */
		pool_push(p, rl_block_size);
	}
	return have * rl_block_size;
}

void rl_block_pool_rewarm(void)
{
	pthread_mutex_lock(&lock);
	for (struct free_block *b = free_list; b != NULL; b = b->next)
		rl_pages_write(b, free_block_size);
	pthread_mutex_unlock(&lock);
}
