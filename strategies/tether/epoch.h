/* Epoch-based reclamation (design section 3.3): ebr, and hybrid's marked
 * regions.  Internal to strategies/tether/.
 *
 * A global epoch; each record announces (epoch << 1 | 1) while inside a
 * section and 0 outside.  A region retired at epoch e is freed once the
 * global epoch reaches e + 2: the epoch only moves from g to g + 1 when every
 * active record announced g, so by e + 2 every section that was open when the
 * region was unpublished has closed. */
#ifndef REGIONLAB_TETHER_EPOCH_H
#define REGIONLAB_TETHER_EPOCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/region.h"
#include "strategies/tether/fence.h"
#include "strategies/tether/hot_pool.h"
#include "strategies/tether/records.h"
#include "strategies/tether/retired.h"

typedef void (*rl_ebr_free_fn)(rl_region *r, void *env);

struct rl_ebr {
	_Atomic uint64_t epoch;
	char pad[RL_CACHE_LINE - sizeof(uint64_t)];
	bool asym;
	size_t threshold; /* retirements between reclamation attempts */
	rl_ebr_free_fn free;
	void *env;
	struct rl_hot_pool *hot; /* where the announced words live */
	struct rl_rec_list recs;
	struct rl_orphans orphans;
};

struct rl_ebr_rec {
	struct rl_rec_link link;
	struct rl_ebr *e;
	_Atomic uint64_t *state; /* a hot cell */
	unsigned open;           /* 1: a section is open (its word announced); not a char,
	                          * which would alias `state` and reload it */
	unsigned nest;           /* sections open beyond the first */
	size_t since;            /* retirements since the last attempt */
	struct rl_retired retired;
};

void rl_ebr_init(struct rl_ebr *e, bool asym, size_t threshold, struct rl_hot_pool *hot, rl_ebr_free_fn fr,
		 void *env);
/* Every record unregistered: frees everything retired. */
void rl_ebr_fini(struct rl_ebr *e);
struct rl_ebr_rec *rl_ebr_register(struct rl_ebr *e);
void rl_ebr_unregister(struct rl_ebr_rec *rec);
void rl_ebr_retire(struct rl_ebr_rec *rec, rl_region *r);
/* Tries to advance the epoch and frees what this record may free. */
void rl_ebr_collect(struct rl_ebr_rec *rec);

/* Announces the current epoch: the section's first step, when no section
 * of this record is open.  `asym` is a constant at the schemes' fast paths
 * (their loops are instantiated per fence), so this is one kind of store. */
static inline __attribute__((always_inline)) void rl_ebr_announce(struct rl_ebr_rec *rec, bool asym)
{
	uint64_t e = atomic_load_explicit(&rec->e->epoch, memory_order_relaxed);
	/* Store-load: the announcement is visible before this thread
	 * reads any slot; pairs with the heavy fence in the advance. */
	rl_announce(rec->state, (e << 1) | 1u, asym, memory_order_relaxed);
}

/* Closes the record's only open section. */
static inline void rl_ebr_close(struct rl_ebr_rec *rec)
{
	/* release: the section's reads of regions happen before an
	 * advancer's acquire load of this word sees it inactive. */
	atomic_store_explicit(rec->state, 0, memory_order_release);
}

/* Opens a section, nested or not.  The common case (none open) announces and
 * falls through; a nested one only counts, out of the common path.  `open`
 * is the owner's plain copy of "the word is announced" (reading the
 * announced word itself right after the untether's store to it measured
 * 0.3 ns dearer).  A caller that knows its sections never nest (the reader
 * loop's pairs) uses rl_ebr_announce and rl_ebr_close alone. */
static inline __attribute__((always_inline)) void rl_ebr_enter_fence(struct rl_ebr_rec *rec, bool asym)
{
	if (__builtin_expect(rec->open, 0)) {
		rec->nest++;
		return;
	}
	rec->open = 1;
	rl_ebr_announce(rec, asym);
}

static inline void rl_ebr_enter(struct rl_ebr_rec *rec) { rl_ebr_enter_fence(rec, rec->e->asym); }

static inline void rl_ebr_exit(struct rl_ebr_rec *rec)
{
	if (__builtin_expect(rec->nest != 0, 0)) {
		rec->nest--;
		return;
	}
	rec->open = 0;
	rl_ebr_close(rec);
}

#endif
