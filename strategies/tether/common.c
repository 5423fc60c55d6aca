/* Mechanisms shared by the tether schemes (see common.h for each one's
 * contract and invariant). */
#define _GNU_SOURCE /* syscall(2) for membarrier */
#include "strategies/tether/common.h"

#include <errno.h>
#include <sched.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- options --------------------------------------------------------------- */
static const struct rl_option fence_option = RL_TETHER_FENCE_OPTION;

int rl_fence_option(const struct rl_tether_config *cfg, const char *scheme, bool *asym, char *err, size_t errlen)
{
	enum { FENCE_AUTO, FENCE_ASYM, FENCE_SYM };
	unsigned fence = rl_opt_enum(cfg->opts, &fence_option); /* indexes "auto|asym|sym" */
	char why[200];
	bool have = fence != FENCE_SYM && rl_membarrier_init(why, sizeof why) == 0;
	if (fence == FENCE_ASYM && !have) {
		snprintf(err, errlen, "tether %s: fence=asym: %s", scheme, why);
		return -1;
	}
	*asym = have;
	return 0;
}

/* ---- hot-word cells --------------------------------------------------------- */
#define HOT_CHUNK 4096u

void rl_hot_init(struct rl_hot_pool *p, size_t cell_bytes, enum rl_tether_layout layout)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	size_t packed = (cell_bytes + 7u) & ~(size_t)7u;
	size_t padded = (cell_bytes + RL_CACHE_LINE - 1) & ~(size_t)(RL_CACHE_LINE - 1);
	p->stride = layout == RL_TETHER_PACKED ? packed : padded;
}

void *rl_hot_get(struct rl_hot_pool *p)
{
	void *cell = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->free != NULL) {
		cell = p->free;
		p->free = *(void **)cell;
	} else {
		if (p->chunk == NULL || (size_t)(p->chunk_end - p->chunk) < p->stride) {
			if (p->nchunks == p->chunks_cap) {
				size_t cap = p->chunks_cap ? 2 * p->chunks_cap : 16;
				void **v = realloc(p->chunks, cap * sizeof *v);
				if (v == NULL)
					goto out;
				p->chunks = v;
				p->chunks_cap = cap;
			}
			size_t bytes = HOT_CHUNK > p->stride ? HOT_CHUNK : p->stride;
			char *c = aligned_alloc(RL_CACHE_LINE, (bytes + RL_CACHE_LINE - 1) & ~(size_t)(RL_CACHE_LINE - 1));
			if (c == NULL)
				goto out;
			p->chunks[p->nchunks++] = c;
			p->chunk = c;
			p->chunk_end = c + bytes;
		}
		cell = p->chunk;
		p->chunk += p->stride;
	}
out:
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

/* ---- membarrier ----------------------------------------------------------------- */
static pthread_once_t membarrier_once = PTHREAD_ONCE_INIT;
static int membarrier_errno = -1; /* 0: registered */

static void membarrier_register(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (cmds < 0) {
		membarrier_errno = errno;
		return;
	}
	if (!(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
		membarrier_errno = ENOSYS;
		return;
	}
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0) {
		membarrier_errno = errno;
		return;
	}
	membarrier_errno = 0;
}

int rl_membarrier_init(char *err, size_t errlen)
{
	pthread_once(&membarrier_once, membarrier_register);
	if (membarrier_errno != 0) {
		snprintf(err, errlen, "membarrier(PRIVATE_EXPEDITED) is not available here: %s",
			 strerror(membarrier_errno));
		return -1;
	}
	return 0;
}

void rl_membarrier(void)
{
	/* Registered in rl_membarrier_init, which every asymmetric domain calls
	 * at creation: the command cannot fail afterwards. */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
		fprintf(stderr, "regionlab: membarrier failed: %s\n", strerror(errno));
		abort();
	}
}

/* ---- per-thread records ------------------------------------------------------------ */
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

/* ---- retired regions ------------------------------------------------------------------ */
static int retired_reserve(struct rl_retired *q, size_t more)
{
	if (q->head + q->len + more <= q->cap)
		return 0;
	if (q->head != 0) { /* slide down first */
		memmove(q->v, q->v + q->head, q->len * sizeof *q->v);
		q->head = 0;
		if (q->len + more <= q->cap)
			return 0;
	}
	size_t cap = q->cap ? q->cap : 64;
	while (cap < q->len + more)
		cap *= 2;
	struct rl_retired_ent *v = realloc(q->v, cap * sizeof *v);
	if (v == NULL)
		return -1;
	q->v = v;
	q->cap = cap;
	return 0;
}

int rl_retired_push(struct rl_retired *q, rl_region *r, uint64_t stamp)
{
	if (retired_reserve(q, 1) != 0)
		return -1;
	q->v[q->head + q->len++] = (struct rl_retired_ent){ .r = r, .stamp = stamp };
	return 0;
}

int rl_retired_append(struct rl_retired *to, struct rl_retired *from)
{
	if (retired_reserve(to, from->len) != 0)
		return -1;
	memcpy(to->v + to->head + to->len, from->v + from->head, from->len * sizeof *from->v);
	to->len += from->len;
	from->head = from->len = 0;
	return 0;
}

void rl_retired_compact(struct rl_retired *q, const bool *keep)
{
	size_t j = 0;
	for (size_t i = 0; i < q->len; i++)
		if (keep[i])
			q->v[q->head + j++] = q->v[q->head + i];
	q->len = j;
}

void rl_retired_fini(struct rl_retired *q)
{
	free(q->v);
	memset(q, 0, sizeof *q);
}

void rl_retired_drain(struct rl_retired *q, rl_region_free_fn fr, void *env)
{
	for (size_t i = 0; i < q->len; i++)
		fr(rl_retired_at(q, i)->r, env);
	rl_retired_fini(q);
}

/* ---- the split count -------------------------------------------------------------------- */
void rl_sc_check_address(const rl_region *r)
{
	if (((uintptr_t)r & ~RL_SC_PTR) != 0) {
		fprintf(stderr, "regionlab: region %p does not fit the 48-bit slot encoding\n", (const void *)r);
		abort();
	}
}

void rl_sc_normalize(rl_tether_slot *slot, rl_region *r)
{
	struct rl_sc_cell *c = rl_sc_cell_of(r);
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_relaxed);
	while (rl_sc_ptr(w) == r && (w >> RL_SC_SHIFT) >= RL_SC_NORMALIZE) {
		uintptr_t units = w >> RL_SC_SHIFT;
		/* Count first, then take the units out of the slot: r is over-
		 * counted for a moment, never under-counted.  The caller holds one
		 * of the units, so none of this can be the last pin.  relaxed:
		 * only the totals matter; the free decision is an acq_rel RMW. */
		atomic_fetch_add_explicit(&c->count, (int64_t)units, memory_order_relaxed);
		if (atomic_compare_exchange_weak_explicit(&slot->word, &w, w - units * RL_SC_ONE,
							  memory_order_relaxed, memory_order_relaxed))
			return;
		/* The slot changed: either more units (retry) or a publish that
		 * already moved every unit, ours included, into the counter. */
		atomic_fetch_sub_explicit(&c->count, (int64_t)units, memory_order_relaxed);
	}
}

rl_region *rl_sc_publish(rl_tether_slot *slot, rl_region *r, uintptr_t mark)
{
	uintptr_t w = 0;
	if (r != NULL) {
		rl_sc_check_address(r);
		w = (uintptr_t)r | mark;
	}
	/* acq_rel: release makes r's contents and cell visible to the acquire
	 * of a tether that sees r; acquire makes the old region's state (and the
	 * tethers counted on it) visible to this writer. */
	uintptr_t old = atomic_exchange_explicit(&slot->word, w, memory_order_acq_rel);
	rl_region *o = rl_sc_ptr(old);
	uintptr_t units = old >> RL_SC_SHIFT;
	/* A marked (EBR) word's units are strays of racing readers: ignored. */
	if (o != NULL && units != 0 && !(old & RL_SC_MARK))
		/* relaxed: the retire that follows in this thread is an acq_rel
		 * RMW of the same counter, ordered after this by coherence. */
		atomic_fetch_add_explicit(&rl_sc_cell_of(o)->count, (int64_t)units, memory_order_relaxed);
	return o;
}

void rl_sc_domain_init(struct rl_sc_domain *d, const struct rl_tether_config *cfg)
{
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	rl_hot_init(&d->cells, sizeof(struct rl_sc_cell), cfg->layout);
}

int rl_sc_attach(struct rl_sc_domain *d, rl_region *r, unsigned flags)
{
	struct rl_sc_cell *c = rl_hot_get(&d->cells);
	if (c == NULL)
		return -1;
	atomic_init(&c->count, 0);
	c->flags = flags;
	r->tether = c; /* published to readers by publish's release */
	return 0;
}

void rl_sc_free(struct rl_sc_domain *d, rl_region *r)
{
	void *c = r->tether;
	r->tether = NULL;
	rl_hot_put(&d->cells, c);
	d->free_region(r, d->env);
}

/* ---- thread-local caches ------------------------------------------------------------------ */
rl_region *rl_tls_miss(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot, rl_tls_free_fn fr,
		       bool *marked)
{
	uintptr_t w;
	rl_region *r = rl_sc_tether(slot, &w);
	*marked = (w & RL_SC_MARK) != 0;
	if (r == NULL || *marked) /* a marked word's unit is a stray, dropped by publish */
		return NULL;
	if (rl_tls_hit(c, w) != NULL) {
		/* Cached meanwhile (the slot changed under the fast path's
		 * load): the way counted this tether; drop the new pin, which
		 * cannot be the last (the way pins r). */
		if (rl_sc_release(r))
			fr(t, r);
		return r;
	}
	struct rl_tls_way *way = rl_tls_way_of(c, r);
	if (way->r != NULL && way->local == 0) { /* evict an idle pin */
		rl_region *old = way->r;
		way->r = NULL;
		c->pinned--;
		if (rl_sc_release(old))
			fr(t, old);
	}
	if (way->r != NULL) { /* busy with another held region: overflow */
		if (c->nmore == c->more_cap) {
			unsigned cap = c->more_cap ? 2 * c->more_cap : 8;
			struct rl_tls_way *v = realloc(c->more, cap * sizeof *v);
			if (v == NULL) {
				fprintf(stderr, "regionlab: tether tls: out of memory for the cache\n");
				abort();
			}
			c->more = v;
			c->more_cap = cap;
		}
		way = &c->more[c->nmore++];
	}
	*way = (struct rl_tls_way){ .r = r, .local = 1 };
	c->pinned++;
	return r;
}

static bool tls_drop(const struct rl_tls_way *w, bool all)
{
	return w->local == 0 && (all || rl_sc_is_retired(w->r));
}

void rl_tls_flush(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr, bool all)
{
	if (c->pinned == 0)
		return;
	for (unsigned i = 0; i < RL_TLS_WAYS; i++) {
		struct rl_tls_way *w = &c->way[i];
		if (w->r != NULL && tls_drop(w, all)) {
			rl_region *r = w->r;
			w->r = NULL;
			c->pinned--;
			if (rl_sc_release(r))
				fr(t, r);
		}
	}
	unsigned j = 0;
	for (unsigned i = 0; i < c->nmore; i++) {
		if (tls_drop(&c->more[i], all)) {
			rl_region *r = c->more[i].r;
			c->pinned--;
			if (rl_sc_release(r))
				fr(t, r);
		} else {
			c->more[j++] = c->more[i];
		}
	}
	c->nmore = j;
}

void rl_tls_fini(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr)
{
	rl_tls_flush(t, c, fr, true);
	free(c->more);
	c->more = NULL;
	c->nmore = c->more_cap = 0;
}

/* ---- epoch-based reclamation ------------------------------------------------------------------ */
void rl_ebr_init(struct rl_ebr *e, bool asym, size_t threshold, struct rl_hot_pool *hot, rl_ebr_free_fn fr,
		 void *env)
{
	memset(e, 0, sizeof *e);
	atomic_init(&e->epoch, 0);
	e->asym = asym;
	e->threshold = threshold ? threshold : 1;
	e->free = fr;
	e->env = env;
	e->hot = hot;
	atomic_init(&e->recs.head, NULL);
	atomic_init(&e->recs.count, 0);
	atomic_init(&e->have_orphans, false);
	pthread_mutex_init(&e->lock, NULL);
}

struct rl_ebr_rec *rl_ebr_register(struct rl_ebr *e)
{
	struct rl_rec_link *l = rl_rec_claim(&e->recs);
	if (l != NULL) {
		struct rl_ebr_rec *rec = rl_container_of(l, struct rl_ebr_rec, link);
		rec->nest = 0;
		rec->since = 0;
		return rec;
	}
	struct rl_ebr_rec *rec = calloc(1, sizeof *rec);
	if (rec == NULL)
		return NULL;
	rec->state = rl_hot_get(e->hot);
	if (rec->state == NULL) {
		free(rec);
		return NULL;
	}
	atomic_init(rec->state, 0);
	rec->e = e;
	rl_rec_push(&e->recs, &rec->link);
	return rec;
}

/* Advances the global epoch if every active record announced it; returns
 * the epoch now (after our attempt). */
static uint64_t ebr_try_advance(struct rl_ebr *e)
{
	uint64_t g = atomic_load_explicit(&e->epoch, memory_order_acquire); /* pairs with the CAS below */
	/* Every reader's announcement made before its slot loads is visible
	 * now: pairs with rl_announce in rl_ebr_enter. */
	rl_fence_heavy(e->asym);
	for (struct rl_rec_link *l = rl_rec_first(&e->recs); l != NULL; l = l->next) {
		struct rl_ebr_rec *rec = rl_container_of(l, struct rl_ebr_rec, link);
		/* acquire: pairs with rl_ebr_exit's release, so a closed
		 * section's reads happen before what we free. */
		uint64_t s = atomic_load_explicit(rec->state, memory_order_acquire);
		if ((s & 1u) && (s >> 1) != g)
			return g;
	}
	uint64_t want = g;
	/* acq_rel: release passes what this scan saw (sections closed) on to
	 * any thread that frees after reading the new epoch with acquire. */
	if (atomic_compare_exchange_strong_explicit(&e->epoch, &want, g + 1, memory_order_acq_rel,
						    memory_order_acquire))
		return g + 1;
	return want;
}

static void ebr_free_orphans(struct rl_ebr *e, uint64_t g)
{
	if (!atomic_load_explicit(&e->have_orphans, memory_order_relaxed) || pthread_mutex_trylock(&e->lock) != 0)
		return;
	struct rl_retired *q = &e->orphans;
	size_t j = 0;
	for (size_t i = 0; i < q->len; i++) {
		struct rl_retired_ent *x = rl_retired_at(q, i);
		if (x->stamp + 2 <= g)
			e->free(x->r, e->env);
		else
			q->v[q->head + j++] = *x;
	}
	q->len = j;
	atomic_store_explicit(&e->have_orphans, j != 0, memory_order_relaxed);
	pthread_mutex_unlock(&e->lock);
}

void rl_ebr_collect(struct rl_ebr_rec *rec)
{
	struct rl_ebr *e = rec->e;
	uint64_t g = ebr_try_advance(e);
	struct rl_retired *q = &rec->retired;
	/* Stamps are nondecreasing in a record's own list: free a prefix. */
	while (q->len != 0 && q->v[q->head].stamp + 2 <= g) {
		rl_region *r = q->v[q->head].r;
		q->head++;
		q->len--;
		e->free(r, e->env);
	}
	if (q->len == 0)
		q->head = 0;
	ebr_free_orphans(e, g);
}

void rl_ebr_retire(struct rl_ebr_rec *rec, rl_region *r)
{
	struct rl_ebr *e = rec->e;
	/* The unpublish of r (before this call) is ordered before the stamp:
	 * a reader that could still see r announced an epoch <= the stamp. */
	rl_fence_full();
	uint64_t g = atomic_load_explicit(&e->epoch, memory_order_relaxed);
	if (rl_retired_push(&rec->retired, r, g) != 0) {
		/* No memory to defer: wait for two advances and free now. */
		while (ebr_try_advance(e) < g + 2)
			sched_yield();
		e->free(r, e->env);
		return;
	}
	if (++rec->since >= e->threshold) {
		rec->since = 0;
		rl_ebr_collect(rec);
	}
}

void rl_ebr_unregister(struct rl_ebr_rec *rec)
{
	struct rl_ebr *e = rec->e;
	rl_ebr_collect(rec);
	if (rec->retired.len != 0) {
		pthread_mutex_lock(&e->lock);
		while (rl_retired_append(&e->orphans, &rec->retired) != 0) {
			/* No memory: free this record's regions the slow way. */
			pthread_mutex_unlock(&e->lock);
			while (rec->retired.len != 0) {
				sched_yield();
				rl_ebr_collect(rec);
			}
			pthread_mutex_lock(&e->lock);
		}
		atomic_store_explicit(&e->have_orphans, true, memory_order_relaxed);
		pthread_mutex_unlock(&e->lock);
	}
	atomic_store_explicit(rec->state, 0, memory_order_release); /* pairs with the scan's acquire */
	rl_rec_release(&rec->link);
}

void rl_ebr_fini(struct rl_ebr *e)
{
	struct rl_rec_link *next;
	for (struct rl_rec_link *l = rl_rec_first(&e->recs); l != NULL; l = next) {
		next = l->next;
		struct rl_ebr_rec *rec = rl_container_of(l, struct rl_ebr_rec, link);
		rl_retired_drain(&rec->retired, e->free, e->env);
		free(rec); /* its hot cell goes with the scheme's pool */
	}
	rl_retired_drain(&e->orphans, e->free, e->env);
	pthread_mutex_destroy(&e->lock);
}

void *rl_tether_domain_alloc(size_t size, const char *scheme, char *err, size_t errlen)
{
	void *d = calloc(1, size);
	if (d == NULL)
		snprintf(err, errlen, "tether %s: out of memory", scheme);
	return d;
}

/* ---- defaults ---------------------------------------------------------------------------------- */
int rl_tether_attach_none(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)t;
	(void)r;
	(void)flags;
	return 0;
}

rl_region *rl_tether_publish_plain(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	/* acq_rel: release publishes r's contents to the tethers' acquire
	 * loads; acquire makes the old region's state visible to its retirer. */
	return (rl_region *)atomic_exchange_explicit(&slot->word, (uintptr_t)r, memory_order_acq_rel);
}

void rl_tether_nop(rl_tether_thread *t) { (void)t; }

void rl_tether_loop_vtable(const struct rl_tether_scheme *s, rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, s->tether, s->untether, s->quiesce);
}
