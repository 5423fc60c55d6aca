/* Small region indices (percpu's counter tables): handed out densely from 0
 * below a limit, given back to a free list and reused.  Thread-safe (one
 * mutex: attach and free are writer-side).  Internal to strategies/tether/. */
#ifndef REGIONLAB_TETHER_INDEX_POOL_H
#define REGIONLAB_TETHER_INDEX_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct rl_index_pool {
	pthread_mutex_t lock;
	uint32_t *free_idx;
	size_t nfree, free_cap;
	uint32_t next, limit;
};

void rl_index_init(struct rl_index_pool *p, uint32_t limit);
/* 0 with *idx, or -1 when all `limit` indices are in use. */
int rl_index_get(struct rl_index_pool *p, uint32_t *idx);
void rl_index_put(struct rl_index_pool *p, uint32_t idx);
void rl_index_fini(struct rl_index_pool *p);

#endif
