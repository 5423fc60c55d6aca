/* Small region indices (see index_pool.h). */
#include "strategies/tether/index_pool.h"

#include <stdlib.h>
#include <string.h>

void rl_index_init(struct rl_index_pool *p, uint32_t limit)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	p->limit = limit;
}

int rl_index_get(struct rl_index_pool *p, uint32_t *idx)
{
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	if (p->nfree != 0)
		*idx = p->free_idx[--p->nfree];
	else if (p->next < p->limit)
		*idx = p->next++;
	else
		rc = -1;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void rl_index_put(struct rl_index_pool *p, uint32_t idx)
{
	pthread_mutex_lock(&p->lock);
	if (p->nfree == p->free_cap) {
		size_t cap = p->free_cap ? 2 * p->free_cap : 256;
		uint32_t *v = realloc(p->free_idx, cap * sizeof *v);
		if (v == NULL) { /* the index is lost (never reused): harmless */
			pthread_mutex_unlock(&p->lock);
			return;
		}
		p->free_idx = v;
		p->free_cap = cap;
	}
	p->free_idx[p->nfree++] = idx;
	pthread_mutex_unlock(&p->lock);
}

void rl_index_fini(struct rl_index_pool *p)
{
	free(p->free_idx);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof *p);
}
