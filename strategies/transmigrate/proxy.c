/* proxy: incremental / lazy evacuation behind a read barrier (design 2.3).
 *
 * Invariant: src is never written.  Every object of src that has been
 * evacuated has exactly one copy, recorded in the forwarding table beside src
 * (regionlab/fwdmap.h); the copies are appended to dst in the order they are
 * made (the to-space, after the call's mark).  Outside finish(), every slot
 * of every copy holds a final value (a copy, or what the original held if it
 * was not an object of src) or a stub for an object of src (evacuate.h):
 * never a raw pointer into src, because a copy is sealed (its slots into src
 * turned into stubs, or into copies where those exist) before anything can
 * reach it.  The global scan cursor walks the to-space; every copy before it
 * holds no stub any more, so when it catches up with dst's end everything
 * reachable has been evacuated.
 *
 * The pause copies the root alone and turns its slots into stubs; the
 * forwarding table is set up by the first evacuation after it (a barrier
 * slow path, a step, the thread or finish), so the pause does not depend on
 * the size of src.
 *
 * Concurrency: all evacuation (the barrier's slow path, steps, the background
 * thread) runs under one mutex; the barrier's fast path takes no lock.  A
 * copy is fully written and sealed before a slot is healed to point at it,
 * and heals are release stores read by the barrier's acquire loads, so a
 * reader that sees a copy sees all of it.  Only heals write to a slot a
 * reader may be looking at.
 *
 * finish() runs alone (it stops and joins the thread first), so it evacuates
 * what is left in the fastest way: the scan leaves raw source pointers in the
 * copies it has not reached yet (plain Cheney, forwarding in the table), and
 * reaches them all before it returns.  If it runs out of memory it undoes
 * the whole call: dst rolled back to the call's mark, src untouched. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "regionlab/cheney.h"
#include "regionlab/clock.h"
#include "regionlab/copy.h"
#include "regionlab/evacuate.h"
#include "regionlab/fwdmap.h"
#include "regionlab/mem.h"
#include "regionlab/shadow.h"
#include "regionlab/transmigrator.h"
#include "regionlab/worklist.h"

enum { OPT_BACKGROUND, OPT_SUBTREE, OPT_STEP };
static const struct rl_option proxy_options[] = {
	[OPT_BACKGROUND] = RL_OPTION_INT("background", "0", 0, 1, "1: a thread evacuates in steps after the call"),
	[OPT_SUBTREE] = RL_OPTION_INT("subtree", "64", 0, SIZE_MAX,
				      "objects the barrier's slow path evacuates past the one touched"),
	[OPT_STEP] = RL_OPTION_INT("step", "4096", 1, SIZE_MAX,
				   "objects per background step (the lock is dropped between)"),
	RL_OPTIONS_END,
};

struct proxy {
	rl_region *src, *dst;
	rl_region_mark mark; /* dst before the call */
	rl_obj *root, *root_copy;
	bool have_table;     /* fwd set up (the first evacuation after the pause does it) */
	rl_fwdmap fwd;
	rl_tospace_cursor scan; /* copies before it hold no stub */
	size_t subtree, step;
	pthread_mutex_t lock;
	pthread_t thread;
	bool has_thread;
	atomic_bool stop; /* finish() wants the thread gone */
	atomic_bool done; /* the scan has caught up: nothing left in src */
	uint64_t bytes_copied;
};

/* ---- evacuation (under the lock) -------------------------------------------- */

/* The forwarding table is set up by the first evacuation after the call, not
 * during it: its reservation and first page would be most of the pause.
 * Until then the root is the only object copied.  0, or -1 when the
 * reservation fails. */
static int need_table(struct proxy *p)
{
	if (p->have_table)
		return 0;
	if (rl_fwdmap_init(&p->fwd, p->src) != 0)
		return -1;
	uintptr_t *e = rl_fwdmap_entry(&p->fwd, p->root);
	if (e == NULL) {
		rl_fwdmap_fini(&p->fwd);
		return -1;
	}
	*e = (uintptr_t)p->root_copy;
	p->have_table = true;
	return 0;
}

/* Turns the slots of copy c that point into src into copies (already
 * evacuated) or stubs.  c is not reachable by any reader yet: plain stores. */
static void seal(struct proxy *p, rl_obj *c)
{
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, c); (s = rl_slots_next(&it)) != NULL;) {
		if (!rl_region_contains(p->src, *s))
			continue;
		uintptr_t *e = rl_fwdmap_entry(&p->fwd, rl_ptr(*s));
		*s = e != NULL && *e != 0 ? (rl_val)*e : rl_stub(rl_ptr(*s));
	}
}

/* The copy of x (an object of src), made now if there is none; sealed when
 * `sealed`.  NULL when dst cannot grow. */
static rl_obj *evacuate(struct proxy *p, rl_obj *x, bool sealed)
{
	uintptr_t *e = rl_fwdmap_entry(&p->fwd, x);
	if (e == NULL)
		return NULL;
	if (*e != 0)
		return (rl_obj *)*e;
	size_t size = rl_obj_size(x);
	rl_obj *c = rl_region_bump(p->dst, size);
	if (c == NULL)
		return NULL;
	rl_copy_object(c, x, size);
	*e = (uintptr_t)c;
	p->bytes_copied += size;
	if (sealed)
		seal(p, c);
	return c;
}

/* Heals every slot of copy n that holds a stub (or, unsealed, a raw source
 * pointer): 0, or -1 when dst cannot grow. */
static int scan_copy(struct proxy *p, rl_obj *n, bool sealed)
{
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, n); (s = rl_slots_next(&it)) != NULL;) {
		rl_val v = __atomic_load_n(s, __ATOMIC_RELAXED);
		rl_obj *x;
		if (rl_is_stub(v))
			x = rl_stub_target(v);
		else if (!sealed && rl_region_contains(p->src, v))
			x = rl_ptr(v);
		else
			continue;
		rl_obj *c = evacuate(p, x, sealed);
		if (c == NULL)
			return -1;
		__atomic_store_n(s, rl_val_of(c), __ATOMIC_RELEASE);
	}
	return 0;
}

/* Scans up to `budget` copies from *cur: 1 when it caught up with dst's end,
 * 0 when the budget ran out first, -1 when dst cannot grow. */
static int scan_from(struct proxy *p, rl_tospace_cursor *cur, size_t budget, bool sealed)
{
	for (;; budget--) {
		rl_obj *n = rl_tospace_small_peek(cur, p->dst);
		bool large = n == NULL;
		if (large && (n = rl_tospace_large_peek(cur, p->dst)) == NULL)
			return 1;
		if (budget == 0)
			return 0;
		if (scan_copy(p, n, sealed) != 0)
			return -1;
		if (large)
			rl_tospace_large_advance(cur, p->dst);
		else
			rl_tospace_small_advance(cur, rl_obj_size(n));
	}
}

static int scan_global(struct proxy *p, size_t budget, bool sealed)
{
	if (need_table(p) != 0)
		return -1;
	int r = scan_from(p, &p->scan, budget, sealed);
	if (r == 1)
		atomic_store_explicit(&p->done, true, memory_order_release);
	return r;
}

/* ---- the barrier, steps and the thread ---------------------------------------- */

rl_val rl_evacuate_read_slow(rl_tm_ctx *ctx, rl_val *slot)
{
	struct proxy *p = ctx->state;
	pthread_mutex_lock(&p->lock);
	rl_val v = __atomic_load_n(slot, __ATOMIC_RELAXED); /* healed meanwhile? */
	if (rl_is_stub(v)) {
		rl_region_mark before = rl_region_mark_now(p->dst);
		rl_obj *c = need_table(p) == 0 ? evacuate(p, rl_stub_target(v), true) : NULL;
		if (c != NULL) {
			/* The subtree below c, breadth first, a bounded amount:
			 * the reader is likely to go there next. */
			rl_tospace_cursor cur;
			rl_tospace_cursor_at(&cur, &before);
			scan_from(p, &cur, p->subtree, true);
			v = rl_val_of(c);
			__atomic_store_n(slot, v, __ATOMIC_RELEASE);
		} else {
			/* dst cannot grow: the original, valid while src lives.
			 * The slot keeps its stub for finish() to retry. */
			v = rl_val_of(rl_stub_target(v));
		}
	}
	pthread_mutex_unlock(&p->lock);
	return v;
}

int rl_evacuate_step(rl_tm_ctx *ctx, size_t budget)
{
	struct proxy *p = ctx->state;
	if (p == NULL)
		return 1;
	pthread_mutex_lock(&p->lock);
	int r = scan_global(p, budget, true);
	pthread_mutex_unlock(&p->lock);
	return r;
}

bool rl_evacuate_done(const rl_tm_ctx *ctx)
{
	const struct proxy *p = ctx->state;
	return p == NULL || atomic_load_explicit(&p->done, memory_order_acquire);
}

static void *background(void *arg)
{
	struct proxy *p = arg;
	while (!atomic_load_explicit(&p->stop, memory_order_acquire)) {
		pthread_mutex_lock(&p->lock);
		int r = scan_global(p, p->step, true);
		pthread_mutex_unlock(&p->lock);
		if (r != 0)
			break; /* done, or out of memory: finish() takes over */
	}
	return NULL;
}

/* ---- the transmigrator ---------------------------------------------------------- */

static void teardown(struct proxy *p)
{
	pthread_mutex_destroy(&p->lock);
	if (p->have_table)
		rl_fwdmap_fini(&p->fwd);
	rl_mem_free(p, sizeof *p);
}

/* The pause's copy: the root alone, its slots into src turned into stubs
 * (or into the copy itself where the root points at itself). */
static rl_obj *copy_root(struct proxy *p)
{
	size_t size = rl_obj_size(p->root);
	rl_obj *c = rl_region_bump(p->dst, size);
	if (c == NULL)
		return NULL;
	rl_copy_object(c, p->root, size);
	p->bytes_copied += size;
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, c); (s = rl_slots_next(&it)) != NULL;)
		if (rl_region_contains(p->src, *s))
			*s = rl_ptr(*s) == p->root ? rl_val_of(c) : rl_stub(rl_ptr(*s));
	p->root_copy = c;
	return c;
}

static int proxy_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	size_t background_opt = rl_opt_int(ctx->opts, &proxy_options[OPT_BACKGROUND]);
	size_t subtree = rl_opt_int(ctx->opts, &proxy_options[OPT_SUBTREE]);
	size_t step = rl_opt_int(ctx->opts, &proxy_options[OPT_STEP]);
	ctx->state = NULL;
	*out = root;
	if (!rl_region_contains(src, root))
		return RL_TM_OK;

	struct proxy *p = rl_mem_calloc(1, sizeof *p);
	if (p == NULL)
		return RL_TM_ENOMEM;
	p->src = src;
	p->dst = dst;
	p->subtree = subtree;
	p->step = step;
	p->mark = rl_region_mark_now(dst);
	p->root = rl_ptr(root);
	rl_tospace_cursor_at(&p->scan, &p->mark);
	atomic_init(&p->stop, false);
	atomic_init(&p->done, false);
	pthread_mutex_init(&p->lock, NULL);
	rl_obj *c = copy_root(p);
	if (c == NULL)
		goto fail;
	if (background_opt) {
		if (pthread_create(&p->thread, NULL, background, p) != 0)
			goto fail;
		p->has_thread = true;
	}
	ctx->state = p;
	*out = rl_val_of(c);
	return RL_TM_OK;
fail:
	rl_region_rollback(dst, &p->mark);
	teardown(p);
	return RL_TM_ENOMEM;
}

static int proxy_finish(rl_tm_ctx *ctx)
{
	struct proxy *p = ctx->state;
	if (p == NULL)
		return RL_TM_OK;
	if (p->has_thread) {
		atomic_store_explicit(&p->stop, true, memory_order_release);
		pthread_join(p->thread, NULL);
	}
	/* Alone now: the rest as a plain Cheney scan (raw slots allowed). */
	int r = scan_global(p, SIZE_MAX, false);
	ctx->report.bytes_copied = p->bytes_copied;
	if (r < 0)
		rl_region_rollback(p->dst, &p->mark); /* the whole call undone */
	teardown(p);
	ctx->state = NULL;
	return r < 0 ? RL_TM_ENOMEM : RL_TM_OK;
}

static rl_val proxy_read(rl_tm_ctx *ctx, rl_val *slot) { return rl_evacuate_read(ctx, slot); }

const struct rl_transmigrator rl_tm_proxy = {
	.name = "proxy",
	.summary = "moves the root, leaves stubs; a read barrier evacuates on first touch, finish() (or "
		   "background=1) the rest",
	.caps = RL_TM_INCREMENTAL,
	.options = proxy_options,
	.transmigrate = proxy_transmigrate,
	.finish = proxy_finish,
	.read = proxy_read,
	.barrier_overhead = rl_proxy_barrier_overhead,
};

/* ---- barrier overhead ------------------------------------------------------------- */

/* A full read traversal of the copy: depth first, visited bits in a shadow
 * of dst; sums the fixnums it reads so that nothing is optimized away.
 * Inlined twice: through the barrier (ctx) and with plain loads (NULL). */
static inline __attribute__((always_inline)) uint64_t traverse(rl_tm_ctx *ctx, rl_region *dst, rl_val root,
								rl_shadow *sh, rl_worklist *wl)
{
	uint64_t sum = 0;
	memset(sh->bits, 0, sh->bytes);
	if (!rl_region_contains(dst, root))
		return 0;
	rl_shadow_test_and_set(rl_ptr(root));
	rl_worklist_push(wl, rl_ptr(root));
	rl_obj *o;
	while ((o = rl_worklist_pop(wl)) != NULL) {
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;) {
			rl_val v = ctx != NULL ? rl_evacuate_read(ctx, s) : *s;
			if (rl_is_fixnum(v))
				sum += v;
			else if (rl_region_contains(dst, v) && !rl_shadow_test_and_set(rl_ptr(v)))
				rl_worklist_push(wl, rl_ptr(v));
		}
	}
	return sum;
}

static __attribute__((noinline)) uint64_t traverse_barrier(rl_tm_ctx *ctx, rl_region *dst, rl_val root,
							   rl_shadow *sh, rl_worklist *wl)
{
	return traverse(ctx, dst, root, sh, wl);
}

static __attribute__((noinline)) uint64_t traverse_plain(rl_region *dst, rl_val root, rl_shadow *sh,
							 rl_worklist *wl)
{
	return traverse(NULL, dst, root, sh, wl);
}

double rl_proxy_barrier_overhead(rl_region *src, rl_val root, unsigned reps)
{
	double result = NAN;
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_shadow sh = { 0 };
	rl_worklist wl = { 0 };
	rl_val out;
	rl_region *dst = rl_region_create("barrier-overhead");
	if (dst == NULL || !rl_region_contains(src, root))
		goto out_dst;
	if (rl_tm_proxy.transmigrate(&ctx, src, dst, root, &out) != RL_TM_OK)
		goto out_dst;
	/* Evacuate everything first: the traversals below then measure the
	 * barrier's fast path, every slot already healed. */
	if (rl_evacuate_step(&ctx, SIZE_MAX) != 1 || rl_shadow_attach(&sh, dst) != 0 ||
	    rl_worklist_init(&wl, dst->bytes_used / 8 + 1) != 0)
		goto out_finish;
	uint64_t best_barrier = UINT64_MAX, best_plain = UINT64_MAX, s1 = 0, s2 = 0;
	for (unsigned r = 0; r < 2 * reps; r++) {
		uint64_t t0 = rl_now_ns();
		if (r & 1)
			s1 += traverse_barrier(&ctx, dst, out, &sh, &wl);
		else
			s2 += traverse_plain(dst, out, &sh, &wl);
		uint64_t t = rl_now_ns() - t0;
		if (r & 1)
			best_barrier = t < best_barrier ? t : best_barrier;
		else
			best_plain = t < best_plain ? t : best_plain;
	}
	if (s1 == s2 && best_plain > 0)
		result = (double)best_barrier / (double)best_plain - 1.0;
out_finish:
	rl_worklist_fini(&wl);
	rl_shadow_detach(&sh);
	rl_tm_proxy.finish(&ctx);
out_dst:
	rl_region_destroy(dst);
	return result;
}
