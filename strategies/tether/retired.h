/* Retired regions: a FIFO of regions waiting to be freed, each with a stamp
 * (scheme-defined: an epoch, a grace period number).  Owned by one thread,
 * or by a domain under its lock (rl_orphans: those of departed threads).
 * Internal to strategies/tether/. */
#ifndef REGIONLAB_TETHER_RETIRED_H
#define REGIONLAB_TETHER_RETIRED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/tether.h"

struct rl_retired_ent {
	rl_region *r;
	uint64_t stamp;
};

struct rl_retired {
	struct rl_retired_ent *v;
	size_t head, len, cap; /* live entries are v[head .. head+len) */
};

/* 0, or -1 on allocation failure (the caller then frees synchronously or waits). */
int rl_retired_push(struct rl_retired *q, rl_region *r, uint64_t stamp);
/* Moves every entry of `from` to the end of `to` (stamps kept). */
int rl_retired_append(struct rl_retired *to, struct rl_retired *from);
void rl_retired_fini(struct rl_retired *q);
/* Frees every region in q with fr(r, env), then q's storage (a teardown). */
void rl_retired_drain(struct rl_retired *q, rl_region_free_fn fr, void *env);
static inline struct rl_retired_ent *rl_retired_at(struct rl_retired *q, size_t i) { return &q->v[q->head + i]; }
/* Keeps only the entries for which keep[i] is true, in order (compaction). */
void rl_retired_compact(struct rl_retired *q, const bool *keep);

/* ---- orphans ---------------------------------------------------------------
 * Regions retired by threads that have left the domain, not yet freeable:
 * the next reclaimer takes them over.  `have` lets reclaimers skip the lock
 * when there are none. */
struct rl_orphans {
	pthread_mutex_t lock;
	struct rl_retired q;
	atomic_bool have;
};

void rl_orphans_init(struct rl_orphans *o);
/* Frees what is left with fr(r, env) (the domain's teardown), then o. */
void rl_orphans_drain(struct rl_orphans *o, rl_region_free_fn fr, void *env);
/* A leaving thread hands over `from` (emptied).  Without memory to grow the
 * orphans it calls retry(env) between attempts (which frees what it can). */
void rl_orphans_give(struct rl_orphans *o, struct rl_retired *from, void (*retry)(void *), void *env);
/* The orphans, locked, when there are some and the lock is free (a
 * reclaimer then frees what it may and calls rl_orphans_unlock); NULL
 * otherwise. */
struct rl_retired *rl_orphans_trylock(struct rl_orphans *o);
void rl_orphans_unlock(struct rl_orphans *o);

#endif
