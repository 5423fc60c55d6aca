/* Per-thread records (see records.h). */
#include "strategies/tether/records.h"

#include <stdlib.h>

#include "regionlab/region.h"

struct rl_rec_link *rl_rec_claim(struct rl_rec_list *l)
{
	for (struct rl_rec_link *n = rl_rec_first(l); n != NULL; n = n->next) {
		bool expect = false;
		/* acquire: pairs with rl_rec_release, so the previous owner's
		 * writes to the record happen before ours. */
		if (!atomic_load_explicit(&n->used, memory_order_relaxed) &&
		    atomic_compare_exchange_strong_explicit(&n->used, &expect, true, memory_order_acquire,
							    memory_order_relaxed))
			return n;
	}
	return NULL;
}

void rl_rec_push(struct rl_rec_list *l, struct rl_rec_link *n)
{
	atomic_init(&n->used, true);
	struct rl_rec_link *head = atomic_load_explicit(&l->head, memory_order_relaxed);
	do
		n->next = head;
	/* release: the record's initialization is visible to scanners that
	 * load the head with acquire (rl_rec_first). */
	while (!atomic_compare_exchange_weak_explicit(&l->head, &head, n, memory_order_release, memory_order_relaxed));
	atomic_fetch_add_explicit(&l->count, 1, memory_order_relaxed);
}

void rl_rec_release(struct rl_rec_link *n)
{
	/* release: pairs with the acquire in rl_rec_claim. */
	atomic_store_explicit(&n->used, false, memory_order_release);
}

void *rl_rec_alloc(size_t size)
{
	return aligned_alloc(RL_CACHE_LINE, (size + RL_CACHE_LINE - 1) & ~(size_t)(RL_CACHE_LINE - 1));
}

void rl_rec_free_all(struct rl_rec_list *l, size_t link_off)
{
	struct rl_rec_link *next;
	for (struct rl_rec_link *n = rl_rec_first(l); n != NULL; n = next) {
		next = n->next;
		free((char *)n - link_off);
	}
}
