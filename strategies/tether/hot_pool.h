/* Hot-word cells: where a scheme's shared hot words live (the per-region
 * counters, the per-thread words reclaimers scan).
 *
 * Fixed-size cells carved from 64-byte aligned chunks: consecutive cells share
 * cache lines (packed) or get one line each (padded).  Type stable: a cell is
 * only reused by the pool, never returned to malloc before rl_hot_fini, so a
 * reclaimer may read a cell its owner has given back.  Internal to
 * strategies/tether/. */
#ifndef REGIONLAB_TETHER_HOT_POOL_H
#define REGIONLAB_TETHER_HOT_POOL_H

#include <pthread.h>
#include <stddef.h>

#include "regionlab/tether.h"

struct rl_hot_pool {
	pthread_mutex_t lock;
	size_t stride;    /* bytes from one cell to the next */
	void *free;       /* free cells, linked through their first word */
	char *chunk, *chunk_end;
	void **chunks;    /* every chunk, for fini */
	size_t nchunks, chunks_cap;
};

void rl_hot_init(struct rl_hot_pool *p, size_t cell_bytes, enum rl_tether_layout layout);
/* A zeroed cell, or NULL on allocation failure. */
void *rl_hot_get(struct rl_hot_pool *p);
void rl_hot_put(struct rl_hot_pool *p, void *cell);
void rl_hot_fini(struct rl_hot_pool *p);

#endif
