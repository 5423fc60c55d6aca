/* The tether scheme plug-in interface (design section 3).
 *
 * A tether pins a region alive while a thread reads it.  The shape follows
 * Concurrency Kit: a domain (global object) plus one record per thread, and
 * the same verbs in every scheme:
 *   register/unregister  a thread joins or leaves the domain
 *   attach               the region gets whatever per-region state the scheme
 *                        keeps (r->tether), before it is first published
 *   publish              a writer stores a region into a shared slot and gets
 *                        back the region it replaced
 *   tether/untether      pin the region a shared slot names, then let go
 *   retire               the owner let go (external_rc reached 0) and the
 *                        region is no longer reachable from any slot: free it
 *                        once no thread holds it, and then surely
 *   quiesce              a quiescent point: the thread holds no tether now
 *   offline/online       the thread holds no tether for a while (it sleeps
 *                        or waits); schemes that track quiescent states stop
 *                        waiting for it until it comes back
 *
 * A region's life under a domain:
 *   rl_region_create -> attach -> publish(slot, r) ... tethers ...
 *   -> publish(slot, other) returns r -> external_rc-- reaches 0 -> retire(r)
 *   -> the scheme calls free_region(r, env) once no thread can hold r.
 * Every attached region must end in retire; domain_destroy (every thread has
 * unregistered) frees whatever is still retired.
 *
 * Slots.  A slot's word belongs to the scheme: the split-count schemes keep
 * a count of tethers in its high bits, hybrid keeps a mark in its low bit.
 * Write a slot only with publish and read it only with tether (or
 * rl_tether_slot_peek, for tests and shutdown, when no publish can race).
 *
 * Threads.  A record is used by one thread at a time.  The anchors (liburcu)
 * bind a record to the OS thread that registered it, so portable callers
 * register in the thread that uses the record and keep one record per thread
 * per domain.
 *
 * A scheme is one file under strategies/tether/ that defines a
 * `const struct rl_tether_scheme` plus one line in driver/registry.c
 * (docs/tethering.md walks through adding one). */
#ifndef REGIONLAB_TETHER_H
#define REGIONLAB_TETHER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/options.h"
#include "regionlab/region.h"

typedef struct rl_tether_domain rl_tether_domain; /* defined by each scheme */
typedef struct rl_tether_thread rl_tether_thread; /* defined by each scheme */
typedef void (*rl_region_free_fn)(rl_region *r, void *env);

/* A shared slot that names a region (or nothing: 0). */
typedef struct rl_tether_slot {
	_Atomic uintptr_t word;
} rl_tether_slot;

/* The region a slot names, decoded for every scheme.  Only where no publish
 * can race and the caller holds the region otherwise (tests, shutdown). */
static inline rl_region *rl_tether_slot_peek(rl_tether_slot *s)
{
	uintptr_t w = atomic_load_explicit(&s->word, memory_order_acquire); /* pairs with publish */
	return (rl_region *)(w & (((uintptr_t)1 << 48) - 1) & ~(uintptr_t)7);
}

/* ---- capabilities ------------------------------------------------------------ */
#define RL_TETHER_BOUNDED (1u << 0)   /* unreclaimed regions stay bounded with a stalled reader */
#define RL_TETHER_ANCHOR (1u << 1)    /* an external library measured for reference */
#define RL_TETHER_OPAQUE (1u << 2)    /* synchronizes inside code ThreadSanitizer cannot see */
#define RL_TETHER_ASYNC (1u << 3)     /* frees on a thread of its own: reclamation is not prompt */

/* ---- per-region flags given to attach ---------------------------------------- */
/* "Marked high-concurrency" (design section 4): the region belongs to a module
 * that many threads read at once.  hybrid tethers such regions with EBR
 * instead of its thread-local caches; the other schemes ignore the mark. */
#define RL_TETHER_REGION_CONCURRENT (1u << 0)

/* Where a scheme's shared hot words live: the per-region counters and the
 * per-thread words other threads scan (hazard pointers, announced epochs).
 * PACKED puts neighbours in one cache line (8-byte cells); PADDED gives each
 * its own 64-byte line. */
enum rl_tether_layout { RL_TETHER_PADDED = 0, RL_TETHER_PACKED = 1 };

/* Keys of the tether workload (driver/tether_run.c), accepted after every
 * scheme's name and stripped before the scheme sees its options:
 *   loop=inline|vtable   the reader loop with the fast path inlined (default)
 *                        or through the ops table
 *   concurrent=F         the share of slots (0..1) whose regions are marked
 *                        RL_TETHER_REGION_CONCURRENT (default 0)
 *   series=FILE          append the unreclaimed-over-time series to FILE
 *   pick=random|own      readers pick any slot (default), or each reader its
 *                        own slots (i, i+R, i+2R, ...): with --layout=packed
 *                        their counters then share lines without sharing a
 *                        region, which isolates false sharing
 * Their table is rl_tether_run_options (driver/tether_args.h). */

struct rl_tether_config {
	const rl_kv_list *opts;        /* checked against the scheme's table; read with rl_opt_* */
	rl_region_free_fn free_region; /* how the scheme finally frees a retired region */
	void *env;                     /* passed to free_region */
	enum rl_tether_layout layout;
};

/* The reader's hot loop (liburcu keeps an inlined fast path beside the
 * vtable; so do we): each scheme instantiates it with its own tether and
 * untether inlined (strategies/tether/reader_loop.h), and rl_tether_loop_vtable
 * runs the same loop through the ops, to measure the dispatch itself. */
struct rl_tether_loop {
	/* in */
	char *slots;             /* slot i is (rl_tether_slot *)(slots + i * stride) */
	size_t stride, nslots;
	uint64_t max_ops;        /* stop after this many pairs (UINT64_MAX: when *stop) */
	const atomic_bool *stop; /* polled every 64 pairs; NULL: run to max_ops */
	uint32_t quiesce_every;  /* quiesce after every N pairs (0: never) */
	uint32_t sample_every;   /* time one pair of every N (0: none) */
	uint64_t *samples;       /* sampled latencies in ns, up to samples_cap */
	size_t samples_cap;
	/* Reads the region and returns 0 when its checksum holds (NULL: a bare
	 * tether; the pair then reads nothing). */
	int (*visit)(rl_region *r, void *env);
	void *visit_env;
	uint64_t rng;            /* xorshift64 state, nonzero; advanced */
	/* out (accumulated) */
	uint64_t ops, bad, empty; /* pairs; visits that failed; tethers of an empty slot */
	size_t nsamples;
};

struct rl_tether_scheme {
	const char *name;
	const char *summary;
	unsigned caps;
	/* Its option table (regionlab/options.h; NULL: none).  The run keys
	 * below are shared by every scheme and live in the driver's table. */
	const struct rl_option *options;
	/* NULL with a one-line reason in err (a bad option value, no memory). */
	rl_tether_domain *(*domain_create)(const struct rl_tether_config *cfg, char *err, size_t errlen);
	/* Every thread has unregistered: frees whatever is still retired. */
	void (*domain_destroy)(rl_tether_domain *d);
	/* NULL on allocation failure. */
	rl_tether_thread *(*thread_register)(rl_tether_domain *d);
	/* The thread holds no tether.  Its pending retirements stay with the domain. */
	void (*thread_unregister)(rl_tether_thread *t);
	/* Sets up r->tether; flags RL_TETHER_REGION_*.  0, or -1 on allocation failure. */
	int (*attach)(rl_tether_thread *t, rl_region *r, unsigned flags);
	/* Stores r (attached, or NULL) into the slot; returns the region it replaced. */
	rl_region *(*publish)(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r);
	/* Pins the region the slot names now and returns it; NULL for an empty slot.
	 * A thread may hold several tethers, the same region more than once. */
	rl_region *(*tether)(rl_tether_thread *t, rl_tether_slot *slot);
	void (*untether)(rl_tether_thread *t, rl_region *r);
	void (*retire)(rl_tether_thread *t, rl_region *r);
	void (*quiesce)(rl_tether_thread *t);
	void (*offline)(rl_tether_thread *t);
	void (*online)(rl_tether_thread *t);
	/* Runs the reader loop with this scheme's fast path inlined. */
	void (*loop)(rl_tether_thread *t, struct rl_tether_loop *l);
};

/* The same loop through the ops table (one indirect call per verb). */
void rl_tether_loop_vtable(const struct rl_tether_scheme *s, rl_tether_thread *t, struct rl_tether_loop *l);

#endif
