/* Hot-word cells (see hot_pool.h). */
#include "strategies/tether/hot_pool.h"

#include <stdlib.h>
#include <string.h>

#define HOT_CHUNK 4096u

void rl_hot_init(struct rl_hot_pool *p, size_t cell_bytes, enum rl_tether_layout layout)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	size_t packed = (cell_bytes + 7u) & ~(size_t)7u;
	size_t padded = (cell_bytes + RL_CACHE_LINE - 1) & ~(size_t)(RL_CACHE_LINE - 1);
	p->stride = layout == RL_TETHER_PACKED ? packed : padded;
}

/* Makes room for one more cell in the current chunk; false when out of memory. */
static bool hot_grow(struct rl_hot_pool *p)
{
	if (p->chunk != NULL && (size_t)(p->chunk_end - p->chunk) >= p->stride)
		return true;
	if (p->nchunks == p->chunks_cap) {
		size_t cap = p->chunks_cap ? 2 * p->chunks_cap : 16;
		void **v = realloc(p->chunks, cap * sizeof *v);
		if (v == NULL)
			return false;
		p->chunks = v;
		p->chunks_cap = cap;
	}
	size_t bytes = HOT_CHUNK > p->stride ? HOT_CHUNK : p->stride;
	char *c = aligned_alloc(RL_CACHE_LINE, (bytes + RL_CACHE_LINE - 1) & ~(size_t)(RL_CACHE_LINE - 1));
	if (c == NULL)
		return false;
	p->chunks[p->nchunks++] = c;
	p->chunk = c;
	p->chunk_end = c + bytes;
	return true;
}

void *rl_hot_get(struct rl_hot_pool *p)
{
	void *cell = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->free != NULL) {
		cell = p->free;
		p->free = *(void **)cell;
	} else if (hot_grow(p)) {
		cell = p->chunk;
		p->chunk += p->stride;
	}
	pthread_mutex_unlock(&p->lock);
	if (cell != NULL)
		memset(cell, 0, p->stride);
	return cell;
}

void rl_hot_put(struct rl_hot_pool *p, void *cell)
{
	pthread_mutex_lock(&p->lock);
	*(void **)cell = p->free;
	p->free = cell;
	pthread_mutex_unlock(&p->lock);
}

void rl_hot_fini(struct rl_hot_pool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof *p);
}
