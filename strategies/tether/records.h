/* Per-thread records: a domain's list of thread records, scanned by
 * reclaimers.
 *
 * Records go on a lock-free push-only list and are reused by later threads
 * (claimed with a CAS on `used`); none leaves the list before the domain is
 * destroyed, so a scan may always follow `next`.  Internal to
 * strategies/tether/. */
#ifndef REGIONLAB_TETHER_RECORDS_H
#define REGIONLAB_TETHER_RECORDS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct rl_rec_link {
	struct rl_rec_link *next; /* written before the record is pushed */
	atomic_bool used;
};

struct rl_rec_list {
	_Atomic(struct rl_rec_link *) head;
	atomic_size_t count; /* records ever pushed */
};

/* An unused record, now marked used, or NULL. */
struct rl_rec_link *rl_rec_claim(struct rl_rec_list *l);
void rl_rec_push(struct rl_rec_list *l, struct rl_rec_link *n);
void rl_rec_release(struct rl_rec_link *n);
/* Uninitialised room for a record of size bytes on cache lines of its own
 * (free() releases it), or NULL. */
void *rl_rec_alloc(size_t size);
/* Frees every record on the list, each a block from malloc or rl_rec_alloc
 * holding its link link_off bytes in: the domain's teardown, no thread left. */
void rl_rec_free_all(struct rl_rec_list *l, size_t link_off);

static inline struct rl_rec_link *rl_rec_first(struct rl_rec_list *l)
{
	return atomic_load_explicit(&l->head, memory_order_acquire); /* pairs with the push CAS */
}

#endif
