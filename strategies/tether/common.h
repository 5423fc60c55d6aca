/* Mechanisms the tether schemes share (MMTk's "policies"): a scheme file
 * composes these, so each one stays a page of its own logic.
 *
 *   rl_hot_pool      cells for the shared hot words, packed or padded
 *   rl_fence_*, rl_announce  symmetric (full barrier) or asymmetric (membarrier) fences
 *   rl_rec_*         a domain's list of per-thread records, reused, never freed
 *                    before the domain
 *   rl_retired       a FIFO of retired regions with a stamp each
 *   rl_sc_*          the split count: one atomic counter per region, with the
 *                    tethers taken through a slot counted in the slot's high bits
 *   rl_tls_*         a thread-local cache of counted pins (design section 3.1)
 *   rl_ebr_*         epoch-based reclamation (design section 3.3)
 *   rl_tether_loop_run  the reader loop, instantiated per scheme
 *
 * Internal to strategies/tether/: nothing outside includes this header. */
#ifndef REGIONLAB_TETHER_COMMON_H
#define REGIONLAB_TETHER_COMMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/clock.h"
#include "regionlab/region.h"
#include "regionlab/tether.h"

#define rl_container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* A zeroed domain of size bytes (calloc), or NULL with "tether SCHEME: out of
 * memory" in err. */
void *rl_tether_domain_alloc(size_t size, const char *scheme, char *err, size_t errlen);

/* ---- options ---------------------------------------------------------------- */
/* The fence row of the schemes that offer the choice (in their option table). */
#define RL_TETHER_FENCE_OPTION                                                          \
	RL_OPTION_ENUM("fence", "auto", "auto|asym|sym",                                \
		       "asym: membarrier on the reclaiming side; sym: seq_cst on both; auto: asym where it works")

/* Reads fence= (RL_TETHER_FENCE_OPTION): *asym is true for asym, and for
 * auto where membarrier works; fence=asym where it does not is an error. */
int rl_fence_option(const struct rl_tether_config *cfg, const char *scheme, bool *asym, char *err, size_t errlen);

/* ---- hot-word cells --------------------------------------------------------
 * Fixed-size cells carved from 64-byte aligned chunks: consecutive cells share
 * cache lines (packed) or get one line each (padded).  Type stable: a cell is
 * only reused by the pool, never returned to malloc before rl_hot_fini. */
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

/* ---- fences ----------------------------------------------------------------
 * A reader that publishes a word and then reads a shared one needs store-load
 * order against the reclaimer, which publishes (unlinks) and then reads the
 * readers' words.  Symmetric: each side issues a full barrier (rl_announce
 * below on the reader's side, a seq_cst fence on the reclaimer's).  Asymmetric: the
 * reader issues only a compiler barrier and the reclaimer makes every thread
 * of the process execute a full barrier (membarrier PRIVATE_EXPEDITED), which
 * orders the reader's store before its load as seen by the reclaimer. */
/* 0 when membarrier PRIVATE_EXPEDITED works here (registers once per process);
 * -1 with a one-line reason otherwise. */
int rl_membarrier_init(char *err, size_t errlen);
void rl_membarrier(void);

/* A full fence (mfence).  ThreadSanitizer models happens-before through
 * release/acquire pairs only, not fences; GCC warns that it ignores them.
 * These fences provide store-load order, never happens-before (every
 * handoff here is a release/acquire pair), so TSan builds keep the real
 * fence and silence the warning. */
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
static inline void rl_fence_full(void) { atomic_thread_fence(memory_order_seq_cst); }
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif

static inline void rl_fence_heavy(bool asym)
{
	if (asym)
		rl_membarrier();
	else
		rl_fence_full();
}

/* A reader announces a word that reclaimers scan (a hazard, an epoch, an open
 * window) and must make it visible before its next load of a slot.
 * Symmetric: a seq_cst exchange (xchg, a full barrier on x86: what
 * ck_hp_set_fence and ck_epoch_begin do), and the slot loads after it are
 * seq_cst too, so both sides are in the single total order with the
 * reclaimer's seq_cst fence.  Asymmetric: a plain store (`mo`) and a compiler
 * barrier; the reclaimer's membarrier orders it.  Type-generic, like the
 * atomic operations it wraps. */
#define rl_announce(word, value, asym, mo)                                          \
	do {                                                                        \
		if (asym) {                                                         \
			atomic_store_explicit((word), (value), (mo));               \
			atomic_signal_fence(memory_order_seq_cst);                  \
		} else {                                                            \
			(void)atomic_exchange_explicit((word), (value), memory_order_seq_cst); \
		}                                                                   \
	} while (0)

/* ---- per-thread records ------------------------------------------------------
 * Records go on a lock-free push-only list, scanned by reclaimers and reused
 * by later threads; they are freed with the domain. */
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

/* ---- retired regions ---------------------------------------------------------- */
struct rl_retired_ent {
	rl_region *r;
	uint64_t stamp; /* scheme-defined: an epoch, a grace period number */
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

/* ---- the split count --------------------------------------------------------
 * The slot word is (tethers taken through the slot << 48) | region address.
 * tether is one fetch_add on the slot: it pins exactly the region the slot
 * names at that instant, so a region that is being unpublished or freed can
 * never be resurrected (there is no load-then-increment window).  Untether
 * decrements the region's own counter.  Publish swaps the slot and moves the
 * slot's count into the old region's counter; retire adds RL_SC_RETIRED.  The
 * counter then equals RL_SC_RETIRED exactly when the region is retired and no
 * tether is held, and the thread whose atomic operation makes it so frees it.
 * (Williams' split reference count, with the external count packed in the
 * pointer's unused high bits.) */
#define RL_SC_SHIFT 48
#define RL_SC_ONE ((uintptr_t)1 << RL_SC_SHIFT)
#define RL_SC_PTR ((RL_SC_ONE - 1) & ~(uintptr_t)7)
#define RL_SC_MARK ((uintptr_t)1) /* hybrid: the region takes the EBR path */
#define RL_SC_NORMALIZE ((uintptr_t)1 << 14) /* move slot units into the counter past this */
#define RL_SC_RETIRED ((int64_t)1 << 62)

struct rl_sc_cell {
	_Atomic int64_t count; /* internal count; + RL_SC_RETIRED once retired */
	uint32_t flags;        /* RL_TETHER_REGION_* given to attach; read-only after */
	uint32_t unused;
};

static inline struct rl_sc_cell *rl_sc_cell_of(const rl_region *r) { return (struct rl_sc_cell *)r->tether; }
static inline rl_region *rl_sc_ptr(uintptr_t w) { return (rl_region *)(w & RL_SC_PTR); }

/* Aborts with a message when r does not fit the 48-bit encoding. */
void rl_sc_check_address(const rl_region *r);
/* The slow path of rl_sc_tether: the slot holds many units; move them into
 * r's counter (the caller holds one of them, so r stays pinned). */
void rl_sc_normalize(rl_tether_slot *slot, rl_region *r);

/* Pins what the slot names now.  *word_out gets the slot word seen. */
static inline rl_region *rl_sc_tether(rl_tether_slot *slot, uintptr_t *word_out)
{
	/* acquire: pairs with the release in rl_sc_publish, so r's contents
	 * (and its cell) written before publication are visible here. */
	uintptr_t w = atomic_fetch_add_explicit(&slot->word, RL_SC_ONE, memory_order_acquire);
	*word_out = w;
	rl_region *r = rl_sc_ptr(w);
	if (r != NULL && (w >> RL_SC_SHIFT) >= RL_SC_NORMALIZE && !(w & RL_SC_MARK))
		rl_sc_normalize(slot, r);
	return r;
}

/* Drops one counted pin; true when the caller must now free r (it was the
 * last pin of a retired region). */
static inline bool rl_sc_release(rl_region *r)
{
	struct rl_sc_cell *c = rl_sc_cell_of(r);
	/* acq_rel: release orders this thread's reads of r before the free;
	 * acquire (for the thread that frees) pairs with the other pins'
	 * releases and with retire's release. */
	int64_t v = atomic_fetch_sub_explicit(&c->count, 1, memory_order_acq_rel) - 1;
	return v == RL_SC_RETIRED;
}

/* True once r is retired (relaxed: a stale false only delays a flush to the
 * next quiescent point). */
static inline bool rl_sc_is_retired(const rl_region *r)
{
	return atomic_load_explicit(&rl_sc_cell_of(r)->count, memory_order_relaxed) > RL_SC_RETIRED / 2;
}

/* Marks r retired; true when no pin is held and the caller must free it. */
static inline bool rl_sc_retire(rl_region *r)
{
	struct rl_sc_cell *c = rl_sc_cell_of(r);
	/* acq_rel: pairs with rl_sc_release (see there). */
	int64_t v = atomic_fetch_add_explicit(&c->count, RL_SC_RETIRED, memory_order_acq_rel) + RL_SC_RETIRED;
	return v == RL_SC_RETIRED;
}

/* Publishes r (its word carries `mark`) and settles the old region's units. */
rl_region *rl_sc_publish(rl_tether_slot *slot, rl_region *r, uintptr_t mark);

/* What every split-count domain holds: the cells and the way out. */
struct rl_sc_domain {
	rl_region_free_fn free_region;
	void *env;
	struct rl_hot_pool cells;
};

void rl_sc_domain_init(struct rl_sc_domain *d, const struct rl_tether_config *cfg);
/* r->tether = a zeroed cell with `flags`; 0, or -1 when no memory. */
int rl_sc_attach(struct rl_sc_domain *d, rl_region *r, unsigned flags);
/* Returns r's cell to the pool and frees r through the domain's callback. */
void rl_sc_free(struct rl_sc_domain *d, rl_region *r);

/* ---- thread-local tether caches (design section 3.1) ---------------------------
 * A thread keeps one counted pin per region it tethers, in a way with a local
 * count of the tethers it holds through that pin.  The first tether of a
 * region is one rl_sc_tether; while the region stays in the cache, later
 * tethers of it by this thread load the slot, find the region in the cache
 * and bump the local count: the cached pin keeps the region alive, so
 * whatever the slot named when loaded is safe to use if it is cached.
 * quiesce drops the pins whose local count is zero and whose region has been
 * retired (pins of live regions stay cached across quiescent points: they
 * delay nothing, and re-taking them would be shared atomics).
 *
 * The cache is RL_TLS_WAYS direct-mapped ways (indexed by a hash of the
 * region's address) plus an overflow list for a region whose way is busy
 * with another held region.  Every tether goes through the way of its region
 * (at most one per region), so an untether always finds a nonzero count and
 * decrements it without testing it. */
#define RL_TLS_WAYS 64u

struct rl_tls_way {
	rl_region *r;
	uint64_t local; /* tethers held through this pin */
};

struct rl_tls_cache {
	struct rl_tls_way way[RL_TLS_WAYS];
	struct rl_tls_way *more; /* regions whose way was busy */
	unsigned nmore, more_cap;
	unsigned pinned;         /* ways and overflow entries holding a pin */
};

/* Called with the region to free (cell already put back by the scheme). */
typedef void (*rl_tls_free_fn)(rl_tether_thread *t, rl_region *r);

static inline struct rl_tls_way *rl_tls_way_of(struct rl_tls_cache *c, const rl_region *r)
{
	return &c->way[((uintptr_t)r * UINT64_C(0x9e3779b97f4a7c15)) >> 58];
}

/* The way that holds r, or NULL.  (A "hot" way checked first at a constant
 * offset made a re-tether of one region 0.2 ns cheaper and one among 16
 * regions 1 ns dearer, through mispredictions: measured, and dropped.) */
static inline struct rl_tls_way *rl_tls_find(struct rl_tls_cache *c, const rl_region *r)
{
	struct rl_tls_way *w = rl_tls_way_of(c, r);
	if (w->r == r)
		return w;
	for (unsigned i = 0; i < c->nmore; i++)
		if (c->more[i].r == r)
			return &c->more[i];
	return NULL;
}

/* The slow path: pin through the slot and cache the pin.  When the slot
 * turns out to hold a marked (EBR) region, nothing is pinned: NULL with
 * *marked set (hybrid then takes its EBR path). */
rl_region *rl_tls_miss(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot, rl_tls_free_fn fr,
		       bool *marked);

/* The fast path: a cached region (NULL when the slot's region is not). */
static inline rl_region *rl_tls_hit(struct rl_tls_cache *c, uintptr_t w)
{
	rl_region *r = rl_sc_ptr(w);
	struct rl_tls_way *way = rl_tls_find(c, r);
	if (way == NULL)
		return NULL;
	way->local++;
	return r;
}

static inline rl_region *rl_tls_tether(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot,
				       rl_tls_free_fn fr)
{
	/* acquire: pairs with publish's release (only needed when the pin is
	 * taken by the slow path, which does its own acquire; free on x86). */
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_acquire);
	if (rl_sc_ptr(w) == NULL)
		return NULL;
	rl_region *r = rl_tls_hit(c, w);
	bool marked;
	return r != NULL ? r : rl_tls_miss(t, c, slot, fr, &marked);
}

/* Returns one tether of r to its way; false when r has no way (not a
 * cached tether: hybrid's EBR path). */
static inline bool rl_tls_untether(struct rl_tls_cache *c, rl_region *r)
{
	struct rl_tls_way *way = rl_tls_find(c, r);
	if (way == NULL)
		return false;
	way->local--;
	return true;
}

/* Drops the cached pins with no local tether whose region is retired (all
 * of them with `all`).  Pins of live regions stay: they cost nothing, and
 * the next quiesce after the region's retirement drops them. */
void rl_tls_flush(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr, bool all);
/* Flushes and frees the overflow list (the thread holds no tether). */
void rl_tls_fini(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr);

/* ---- epoch-based reclamation (design section 3.3) --------------------------
 * A global epoch; each record announces (epoch << 1 | 1) while inside a
 * section and 0 outside.  A region retired at epoch e is freed once the
 * global epoch reaches e + 2: the epoch only moves from g to g + 1 when every
 * active record announced g, so by e + 2 every section that was open when the
 * region was unpublished has closed. */
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
	pthread_mutex_t lock;    /* orphans */
	struct rl_retired orphans;
	atomic_bool have_orphans;
};

struct rl_ebr_rec {
	struct rl_rec_link link;
	struct rl_ebr *e;
	_Atomic uint64_t *state; /* a hot cell */
	unsigned nest;
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

static inline void rl_ebr_enter(struct rl_ebr_rec *rec)
{
	if (rec->nest++ == 0) {
		uint64_t e = atomic_load_explicit(&rec->e->epoch, memory_order_relaxed);
		/* Store-load: the announcement is visible before this thread
		 * reads any slot; pairs with the heavy fence in the advance. */
		rl_announce(rec->state, (e << 1) | 1u, rec->e->asym, memory_order_relaxed);
	}
}

static inline void rl_ebr_exit(struct rl_ebr_rec *rec)
{
	if (--rec->nest == 0) {
		/* release: the section's reads of regions happen before an
		 * advancer's acquire load of this word sees it inactive. */
		atomic_store_explicit(rec->state, 0, memory_order_release);
	}
}

/* ---- default operations ------------------------------------------------------------ */
int rl_tether_attach_none(rl_tether_thread *t, rl_region *r, unsigned flags);
/* A plain exchange: the slot word is the region's address. */
rl_region *rl_tether_publish_plain(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r);
void rl_tether_nop(rl_tether_thread *t);

static inline rl_region *rl_plain_load(rl_tether_slot *slot, memory_order mo)
{
	return (rl_region *)atomic_load_explicit(&slot->word, mo);
}

/* ---- the reader loop ------------------------------------------------------------------
 * Instantiated in each scheme file with its static tether/untether/quiesce,
 * which the compiler then inlines (the function pointers are constants once
 * this body is inlined into the scheme's loop function).  Pairs run in blocks
 * of quiesce_every (1024 when 0) with nothing else in the loop; quiesce, the
 * stop flag and the sampled (timed) pair come between blocks. */
typedef rl_region *(*rl_tether_op)(rl_tether_thread *t, rl_tether_slot *slot);
typedef void (*rl_untether_op)(rl_tether_thread *t, rl_region *r);
typedef void (*rl_quiesce_op)(rl_tether_thread *t);

struct rl_pairs {
	char *base;
	size_t stride, n;
	int (*visit)(rl_region *, void *);
	void *venv;
	uint64_t rng, bad, empty;
};

/* `count` pairs; `one` (a single slot) and `vis` (a visit callback) are
 * constants at every call site but the timed one, so each gets a tight loop. */
static inline __attribute__((always_inline)) void rl_tether_pairs(rl_tether_thread *t, struct rl_pairs *p,
								  uint64_t count, rl_tether_op tether,
								  rl_untether_op untether, const bool one,
								  const bool vis)
{
	uint64_t rng = p->rng, bad = 0, empty = 0;
	for (uint64_t k = 0; k < count; k++) {
		size_t i = 0;
		if (!one) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			i = (size_t)(((rng >> 32) * (uint64_t)p->n) >> 32);
		}
		rl_region *r = tether(t, (rl_tether_slot *)(void *)(p->base + i * p->stride));
		if (r != NULL) {
			if (vis && p->visit(r, p->venv) != 0)
				bad++;
			untether(t, r);
		} else {
			empty++;
		}
	}
	p->rng = rng;
	p->bad += bad;
	p->empty += empty;
}

static inline __attribute__((always_inline)) void rl_tether_loop_run(rl_tether_thread *t, struct rl_tether_loop *l,
								     rl_tether_op tether,
								     rl_untether_op untether,
								     rl_quiesce_op quiesce)
{
	struct rl_pairs p = {
		.base = l->slots, .stride = l->stride, .n = l->nslots, .visit = l->visit, .venv = l->visit_env,
		.rng = l->rng,
	};
	const uint64_t block = l->quiesce_every != 0 ? l->quiesce_every : 1024;
	const bool one = l->nslots <= 1, vis = l->visit != NULL;
	uint64_t ops = 0, since_sample = 0;
	size_t ns = l->nsamples;
	for (;;) {
		uint64_t left = l->max_ops - l->ops - ops;
		if (left == 0)
			break;
		uint64_t count = left < block ? left : block;
		if (l->sample_every != 0 && since_sample >= l->sample_every) {
			uint64_t t0 = rl_now_ns();
			rl_tether_pairs(t, &p, 1, tether, untether, one, vis);
			uint64_t dt = rl_now_ns() - t0;
			if (ns < l->samples_cap)
				l->samples[ns++] = dt;
			since_sample = 0;
			count--;
			ops++;
		}
		if (one && vis)
			rl_tether_pairs(t, &p, count, tether, untether, true, true);
		else if (one)
			rl_tether_pairs(t, &p, count, tether, untether, true, false);
		else if (vis)
			rl_tether_pairs(t, &p, count, tether, untether, false, true);
		else
			rl_tether_pairs(t, &p, count, tether, untether, false, false);
		ops += count;
		since_sample += count + 1;
		if (l->quiesce_every != 0)
			quiesce(t);
		/* relaxed: a stop request carries no data. */
		if (l->stop != NULL && atomic_load_explicit(l->stop, memory_order_relaxed))
			break;
	}
	l->rng = p.rng;
	l->ops += ops;
	l->bad += p.bad;
	l->empty += p.empty;
	l->nsamples = ns;
}

#endif
