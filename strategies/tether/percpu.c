/* percpu: a sharded per-thread counter, percpu_ref style (past the design).
 *
 * Each region gets a small index; each thread keeps its own counter for every
 * index (a chunked table in its record, written only by its owner with plain
 * loads and stores: no atomic read-modify-write, no shared line).  Like
 * percpu_ref, the step from "loaded r from the slot" to "counted r" runs
 * inside a short read-side window, and reclamation waits for a grace period
 * of those windows only, never for the tethers themselves.
 *
 * Invariant.  A tether opens its window (an odd sequence number in its own
 * word), fences, loads the slot, bumps its counter for r's index and closes
 * the window.  A retired region is freed once (1) a grace period has passed
 * since it was unpublished, every window open at its start having closed, and
 * then (2) every thread's counter for its index reads zero.  A tethered region
 * cannot be freed: either its counter was bumped in a window that the grace
 * period waited for, so step (2) sees it, or the window opened after the grace
 * period began, and then (the reclaimer's heavy fence orders it) its slot
 * load could not return r any more.  After (1) no counter of r can rise, so a
 * zero sum read thread by thread is a true zero.  A retired region is surely
 * freed: windows are a few instructions long, so grace periods always end,
 * and each reclamation attempt re-checks the regions still counted.  Bounded
 * with a stalled reader: it holds one count and no window, so only the
 * regions it holds stay; a writer waits for a grace period rather than let
 * more than 4 batches pile up behind a reader preempted inside its window, so
 * unreclaimed <= writers x 8 x batch + the regions tethered.
 *
 * Fences: fence=auto|asym|sym as in ebr (membarrier by default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/fence.h"
#include "strategies/tether/hot_pool.h"
#include "strategies/tether/index_pool.h"
#include "strategies/tether/records.h"
#include "strategies/tether/retired.h"
#include "strategies/tether/reader_loop.h"

#define PC_CHUNK 1024u     /* counters per chunk */
#define PC_CHUNKS 4096u    /* chunks per thread: 4M region indices */

struct pc_cell {
	uint32_t idx; /* read-only after attach */
};

struct rl_tether_domain {
	rl_region_free_fn free_region;
	void *env;
	bool asym;
	size_t batch;
	struct rl_hot_pool hot;   /* window words */
	struct rl_hot_pool cells; /* per-region cells */
	struct rl_rec_list recs;
	struct rl_index_pool idx; /* region indices */
	struct rl_orphans orphans;
};

struct grace { /* the windows open when a grace period began */
	struct open_window {
		rl_tether_thread *rec;
		uint64_t seq;
	} *open;
	size_t n, cap;
	bool active;
};

struct rl_tether_thread {
	struct rl_rec_link link;
	struct rl_tether_domain *d;
	_Atomic uint64_t *win; /* odd while inside a window (a hot cell) */
	uint64_t seq;          /* our copy of *win */
	/* counters by region index; a chunk is published once, with release */
	_Atomic(_Atomic uint32_t *) chunk[PC_CHUNKS];
	/* writer side */
	struct rl_retired pending; /* retired, no grace period started */
	struct rl_retired waiting; /* their grace period is running */
	struct rl_retired counted; /* grace period over, counters being watched */
	struct grace g;
	size_t since;
};

enum { OPT_FENCE, OPT_BATCH };
static const struct rl_option percpu_options[] = {
	[OPT_FENCE] = RL_TETHER_FENCE_OPTION,
	[OPT_BATCH] = RL_OPTION_INT("batch", "32", 1, 1u << 20, "retirements per grace period"),
	RL_OPTIONS_END,
};

static rl_tether_domain *percpu_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	bool asym;
	size_t batch = rl_opt_int(cfg->opts, &percpu_options[OPT_BATCH]);
	if (rl_fence_option(cfg, "percpu", &asym, err, errlen) != 0)
		return NULL;
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "percpu", err, errlen);
	if (d == NULL)
		return NULL;
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	d->asym = asym;
	d->batch = batch;
	rl_hot_init(&d->hot, sizeof(uint64_t), cfg->layout);
	rl_hot_init(&d->cells, sizeof(struct pc_cell), cfg->layout);
	rl_index_init(&d->idx, PC_CHUNK * PC_CHUNKS);
	rl_orphans_init(&d->orphans);
	return d;
}

/* Every counter of the region is zero and stays so: free it. */
static void pc_free(rl_tether_domain *d, rl_region *r)
{
	struct pc_cell *c = r->tether;
	rl_index_put(&d->idx, c->idx);
	r->tether = NULL;
	rl_hot_put(&d->cells, c);
	d->free_region(r, d->env);
}

static void pc_free_env(rl_region *r, void *d) { pc_free(d, r); }

static void pc_thread_fini(rl_tether_thread *t)
{
	for (unsigned i = 0; i < PC_CHUNKS; i++)
		free(atomic_load_explicit(&t->chunk[i], memory_order_relaxed));
	free(t->g.open);
	rl_retired_fini(&t->pending);
	rl_retired_fini(&t->waiting);
	rl_retired_fini(&t->counted);
}

static void percpu_domain_destroy(rl_tether_domain *d)
{
	struct rl_rec_link *next;
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = next) {
		next = l->next;
		rl_tether_thread *t = rl_container_of(l, rl_tether_thread, link);
		pc_thread_fini(t); /* its lists were handed to the orphans */
		free(t);
	}
	/* No thread is left: no window is open and no counter is held. */
	rl_orphans_drain(&d->orphans, pc_free_env, d);
	rl_index_fini(&d->idx);
	rl_hot_fini(&d->cells);
	rl_hot_fini(&d->hot);
	free(d);
}

static rl_tether_thread *percpu_thread_register(rl_tether_domain *d)
{
	struct rl_rec_link *l = rl_rec_claim(&d->recs);
	if (l != NULL)
		return rl_container_of(l, rl_tether_thread, link);
	rl_tether_thread *t = rl_tether_thread_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	t->win = rl_hot_get(&d->hot);
	if (t->win == NULL) {
		free(t);
		return NULL;
	}
	atomic_init(t->win, 0);
	for (unsigned i = 0; i < PC_CHUNKS; i++)
		atomic_init(&t->chunk[i], NULL);
	t->d = d;
	rl_rec_push(&d->recs, &t->link);
	return t;
}

static int percpu_attach(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)flags;
	rl_tether_domain *d = t->d;
	struct pc_cell *c = rl_hot_get(&d->cells);
	if (c == NULL)
		return -1;
	if (rl_index_get(&d->idx, &c->idx) != 0) {
		rl_hot_put(&d->cells, c);
		return -1;
	}
	r->tether = c; /* published to readers by publish's release */
	return 0;
}

/* The counter of index idx in t's table; NULL when its chunk is absent. */
static inline _Atomic uint32_t *pc_counter(rl_tether_thread *t, uint32_t idx, memory_order mo)
{
	_Atomic uint32_t *ch = atomic_load_explicit(&t->chunk[idx / PC_CHUNK], mo);
	return ch != NULL ? &ch[idx % PC_CHUNK] : NULL;
}

static __attribute__((noinline)) _Atomic uint32_t *pc_new_chunk(rl_tether_thread *t, uint32_t idx)
{
	_Atomic uint32_t *ch = calloc(PC_CHUNK, sizeof *ch);
	if (ch == NULL) {
		fprintf(stderr, "regionlab: tether percpu: out of memory for a counter chunk\n");
		abort();
	}
	for (unsigned i = 0; i < PC_CHUNK; i++)
		atomic_init(&ch[i], 0);
	/* release: the zeroed chunk is visible to scanners that load it with acquire. */
	atomic_store_explicit(&t->chunk[idx / PC_CHUNK], ch, memory_order_release);
	return &ch[idx % PC_CHUNK];
}

static inline rl_region *percpu_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	uint64_t s = t->seq + 1; /* odd: inside the window */
	/* Store-load: the open window is visible before the slot is read;
	 * pairs with rl_fence_heavy in pc_grace_start. */
	rl_announce(t->win, s, t->d->asym, memory_order_relaxed);
	/* seq_cst (acquire at least): pairs with publish's release (r's
	 * contents and cell); seq_cst for the symmetric store-load order. */
	rl_region *r = rl_plain_load(slot, memory_order_seq_cst);
	if (r != NULL) {
		uint32_t idx = ((struct pc_cell *)r->tether)->idx;
		_Atomic uint32_t *c = pc_counter(t, idx, memory_order_relaxed); /* our own chunk */
		if (c == NULL)
			c = pc_new_chunk(t, idx);
		/* relaxed: published by the window's release close below. */
		atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
	}
	t->seq = s + 1;
	/* release: the count above is visible to a grace period that sees
	 * the window closed (pc_grace_done's acquire). */
	atomic_store_explicit(t->win, s + 1, memory_order_release);
	return r;
}

static inline void percpu_untether(rl_tether_thread *t, rl_region *r)
{
	_Atomic uint32_t *c = pc_counter(t, ((struct pc_cell *)r->tether)->idx, memory_order_relaxed);
	/* release: our reads of r happen before a scan that reads the lower
	 * count with acquire (pc_sum) and frees r. */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) - 1, memory_order_release);
}

/* ---- reclamation (writers) ---------------------------------------------------- */
static bool pc_grace_start(rl_tether_thread *t)
{
	rl_tether_domain *d = t->d;
	struct grace *g = &t->g;
	/* Windows opened before this point are visible below; windows opened
	 * after it load the slot after the unpublish: pairs with rl_announce
	 * in percpu_tether. */
	rl_fence_heavy(d->asym);
	g->n = 0;
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = l->next) {
		rl_tether_thread *o = rl_container_of(l, rl_tether_thread, link);
		uint64_t s = atomic_load_explicit(o->win, memory_order_acquire); /* pairs with the window close */
		if (!(s & 1u))
			continue;
		if (g->n == g->cap) {
			size_t cap = g->cap ? 2 * g->cap : 16;
			struct open_window *v = realloc(g->open, cap * sizeof *v);
			if (v == NULL)
				return false;
			g->open = v;
			g->cap = cap;
		}
		g->open[g->n++] = (struct open_window){ .rec = o, .seq = s };
	}
	g->active = true;
	return true;
}

static bool pc_grace_done(rl_tether_thread *t)
{
	struct grace *g = &t->g;
	while (g->n != 0) {
		/* acquire: pairs with the window close (its count store). */
		if (atomic_load_explicit(g->open[g->n - 1].rec->win, memory_order_acquire) == g->open[g->n - 1].seq)
			return false;
		g->n--;
	}
	g->active = false;
	return true;
}

static uint64_t pc_sum(rl_tether_domain *d, uint32_t idx)
{
	uint64_t sum = 0;
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = l->next) {
		rl_tether_thread *o = rl_container_of(l, rl_tether_thread, link);
		/* acquire: pairs with pc_new_chunk's release and untether's release. */
		_Atomic uint32_t *c = pc_counter(o, idx, memory_order_acquire);
		if (c != NULL)
			sum += atomic_load_explicit(c, memory_order_acquire);
	}
	return sum;
}

/* Frees the regions of q whose counters are all zero. */
static void pc_free_uncounted(rl_tether_domain *d, struct rl_retired *q)
{
	size_t j = 0;
	for (size_t i = 0; i < q->len; i++) {
		struct rl_retired_ent *x = rl_retired_at(q, i);
		if (pc_sum(d, ((struct pc_cell *)x->r->tether)->idx) == 0)
			pc_free(d, x->r);
		else
			q->v[q->head + j++] = *x;
	}
	q->len = j;
}

static void pc_free_counted_env(void *t)
{
	rl_tether_thread *self = t;
	pc_free_uncounted(self->d, &self->counted);
}

/* One step of reclamation: finish a grace period, start the next, free. */
static void pc_collect(rl_tether_thread *t, bool force)
{
	rl_tether_domain *d = t->d;
	if (t->g.active && pc_grace_done(t)) {
		if (rl_retired_append(&t->counted, &t->waiting) != 0)
			t->g.active = true; /* no memory: try again later */
	}
	if (!t->g.active && (force || t->pending.len >= d->batch) && t->pending.len != 0) {
		struct rl_retired tmp = t->waiting; /* empty: swap the lists */
		t->waiting = t->pending;
		t->pending = tmp;
		if (!pc_grace_start(t)) { /* no memory: put them back */
			tmp = t->waiting;
			t->waiting = t->pending;
			t->pending = tmp;
			t->g.active = false;
		}
	}
	pc_free_uncounted(d, &t->counted);
	struct rl_retired *orphans = rl_orphans_trylock(&d->orphans);
	if (orphans != NULL) {
		/* Orphans passed a grace period before their thread left. */
		pc_free_uncounted(d, orphans);
		rl_orphans_unlock(&d->orphans);
	}
}

static void percpu_retire(rl_tether_thread *t, rl_region *r)
{
	while (rl_retired_push(&t->pending, r, 0) != 0) {
		pc_collect(t, true); /* no memory: make room the slow way */
		sched_yield();
	}
	if (++t->since >= t->d->batch) {
		t->since = 0;
		pc_collect(t, false);
		/* A reader preempted inside its window holds the grace period
		 * back: past 4 batches, wait for it (windows are a few
		 * instructions long) rather than let the backlog grow. */
		while (t->pending.len >= 4 * t->d->batch && t->g.active) {
			sched_yield();
			pc_collect(t, false);
		}
	}
}

static void percpu_thread_unregister(rl_tether_thread *t)
{
	/* Run grace periods until every region this thread retired is at
	 * least counted-only: windows are short, so this ends. */
	while (t->pending.len != 0 || t->waiting.len != 0) {
		pc_collect(t, true);
		if (t->pending.len != 0 || t->waiting.len != 0)
			sched_yield();
	}
	rl_orphans_give(&t->d->orphans, &t->counted, pc_free_counted_env, t);
	t->since = 0;
	rl_rec_release(&t->link);
}

static rl_region *percpu_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return percpu_tether(t, slot); }
static void percpu_untether_op(rl_tether_thread *t, rl_region *r) { percpu_untether(t, r); }

static void percpu_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, percpu_tether, percpu_untether, rl_tether_no_quiesce);
}

const struct rl_tether_scheme rl_tether_percpu = {
	.name = "percpu",
	.summary = "per-thread counter shards (percpu_ref style): plain stores, grace period of the tether window only",
	.caps = RL_TETHER_BOUNDED,
	.options = percpu_options,
	.domain_create = percpu_domain_create,
	.domain_destroy = percpu_domain_destroy,
	.thread_register = percpu_thread_register,
	.thread_unregister = percpu_thread_unregister,
	.attach = percpu_attach,
	.publish = rl_tether_publish_plain,
	.tether = percpu_tether_op,
	.untether = percpu_untether_op,
	.retire = percpu_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = percpu_loop,
};
