/* Regions with a region runtime's semantics (regions=call).
 *
 * Invariant: no object in an older region points into a younger one.  Live
 * regions form a stack (program data, the top level, then one region per
 * non-tail call in progress), and a region's RCB id grows with its creation,
 * so "older" is "smaller id" once an object's region is followed up its
 * parent chain (an adopted region's blocks name an alias whose parent is the
 * adopter: regionlab/adopt.h).  The invariant holds because
 *   - new objects are made in the youngest region, pointing at anything live;
 *   - a call's result that lives in the dying region is transmigrated into the
 *     caller's region by the strategy under test (what it points at in older
 *     regions it leaves alone), and then the region dies;
 *   - every store into an object or a global goes through lisp_store, the
 *     store barrier: a value younger than the container is moved into the
 *     container's region first.  Its graph may span several younger regions,
 *     so the barrier first copies the part younger than the container into a
 *     fresh staging region (untimed), and the strategy moves that region's
 *     graph like any dying region's: every strategy sees a single source
 *     region that dies after the call.  The stored value is thus a copy, as in
 *     any runtime that copies on escape: a program must not rely on the
 *     identity of an object it stores into an older one.
 * Stack frames need no barrier: only their own scope's code reaches them,
 * and it runs in their region (lisp/internal.h).
 *
 * Every transmigration is judged by the oracle when verification is on; the
 * oracle's snapshots and the census of what moved are timed apart
 * (overhead_ns) and left out of the program's time. */
#include <stdlib.h>
#include <string.h>

#include "lisp/internal.h"
#include "oracle/oracle.h"
#include "regionlab/clock.h"
#include "regionlab/store.h"

/* The live region that owns v's object (NULL: static data). */
static rl_region *owner(rl_val v)
{
	rl_obj *o = rl_ptr(v);
	if (rl_obj_is_static(o))
		return NULL;
	rl_region *r = rl_block_of(o)->region;
	while (r->parent != NULL)
		r = r->parent;
	return r;
}

static uint64_t age(const rl_region *r) { return r != NULL ? r->id : 0; }

static void note_peak(interp *I)
{
	size_t live = rl_block_bytes_live();
	if (live > I->es.peak_block_bytes)
		I->es.peak_block_bytes = live;
}

void lisp_region_enter(interp *I)
{
	if (I->rdepth == I->rcap) {
		size_t cap = I->rcap ? 2 * I->rcap : 256;
		rl_region **s = realloc(I->rstack, cap * sizeof *s);
		if (s == NULL)
			lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (region stack)");
		I->rstack = s;
		I->rcap = cap;
	}
	rl_region *r = rl_region_create("call");
	if (r == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (call region)");
	I->rstack[I->rdepth++] = I->cur;
	I->cur = r;
	I->es.regions++;
}

/* Moves root's graph out of src into dst with the strategy under test; src
 * dies (also on failure).  Returns root's new address. */
static rl_val escape(interp *I, rl_region *src, rl_region *dst, rl_val root, bool barrier)
{
	const struct rl_transmigrator *tm = I->tm;
	static const rl_kv_list no_opts;
	rl_tm_ctx ctx = { .opts = I->cfg->tm_opts != NULL ? I->cfg->tm_opts : &no_opts };
	bool judged = I->cfg->verify;
	rl_oracle_before before;
	rl_census census = { 0 };
	char why[400];

	uint64_t o0 = rl_now_ns();
	if (judged) {
		if (rl_oracle_before_call(&before, root, src, dst) != 0) {
			rl_region_destroy(src);
			lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (oracle)");
		}
		census = before.census;
	} else {
		rl_ranges inside;
		if (rl_ranges_of(src, &inside) == 0) {
			rl_oracle_census(root, &inside, &census);
			rl_ranges_free(&inside);
		}
	}
	uint64_t t0 = rl_now_ns();
	rl_val out = RL_NIL;
	int rc = tm->transmigrate(&ctx, src, dst, root, &out);
	if (rc == RL_TM_OK)
		rc = tm->finish(&ctx);
	uint64_t t1 = rl_now_ns();
	I->es.tm_ns += t1 - t0;

	if (rc != RL_TM_OK) {
		bool bad = judged && rl_oracle_after_failure(&before, src, dst, why, sizeof why) != 0;
		if (judged)
			rl_oracle_before_free(&before);
		rl_region_destroy(src);
		if (bad)
			lisp_fail_at(I, NULL, RL_LISP_VERIFY, "verify_failed: after a failed %s: %s", tm->name, why);
		if (rc == RL_TM_EPRECONDITION)
			lisp_fail_at(I, NULL, RL_LISP_DECLINED, "%s declined an escape of %zu objects (%s)", tm->name,
				     census.objects, rl_tm_strerror(rc));
		lisp_fail_at(I, NULL, RL_LISP_OOM, "%s: %s", tm->name, rl_tm_strerror(rc));
	}
	if (judged) {
		bool src_readable = !(tm->caps & RL_TM_CONSUMES_SRC);
		int bad = rl_oracle_after_success(&before, root, out, &src, dst, src_readable, why, sizeof why);
		rl_oracle_before_free(&before);
		if (bad) {
			rl_region_destroy(src);
			lisp_fail_at(I, NULL, RL_LISP_VERIFY, "verify_failed: %s", why);
		}
	} else {
		rl_region_destroy(src);
	}
	I->es.overhead_ns += (t0 - o0) + (rl_now_ns() - t1);
	if (barrier)
		I->es.barrier_moves++;
	else
		I->es.escapes++;
	I->es.objects += census.objects;
	I->es.bytes += census.bytes;
	if (I->cfg->on_escape != NULL) {
		rl_lisp_escape e = { .barrier = barrier, .objects = census.objects, .bytes = census.bytes, .ns = t1 - t0 };
		I->cfg->on_escape(I->cfg->escape_env, &e);
	}
	return out;
}

rl_val lisp_region_leave(interp *I, rl_val v)
{
	rl_region *dying = I->cur;
	I->cur = I->rstack[--I->rdepth];
	note_peak(I);
	if (rl_is_ptr(v) && rl_region_contains(dying, v))
		return escape(I, dying, I->cur, v, false);
	rl_region_destroy(dying);
	return v;
}

rl_val lisp_adopt_document(interp *I, rl_region *doc, rl_val root)
{
	return escape(I, doc, I->cur, root, false);
}

/* ---- the store barrier ------------------------------------------------------------- */
struct stage {
	rl_region *to;
	uint64_t limit; /* objects of regions younger than this are copied */
	rl_val *from, *copy; /* open addressing: original -> copy */
	size_t n, cap;
	rl_obj **work;
	size_t nwork, workcap;
};

static bool young(const struct stage *s, rl_val v) { return rl_is_ptr(v) && age(owner(v)) > s->limit; }

static void stage_grow(interp *I, struct stage *s)
{
	size_t cap = s->cap ? 2 * s->cap : 64;
	rl_val *from = calloc(cap, sizeof *from), *copy = calloc(cap, sizeof *copy);
	if (from == NULL || copy == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (store barrier)");
	for (size_t i = 0; i < s->cap; i++) {
		if (s->from[i] == RL_NIL)
			continue;
		size_t b = (size_t)((s->from[i] >> 3) * UINT64_C(0x9e3779b97f4a7c15) >> 17) & (cap - 1);
		while (from[b] != RL_NIL)
			b = (b + 1) & (cap - 1);
		from[b] = s->from[i];
		copy[b] = s->copy[i];
	}
	free(s->from);
	free(s->copy);
	s->from = from;
	s->copy = copy;
	s->cap = cap;
}

/* The copy of young object v, made on first sight. */
static rl_val stage_copy(interp *I, struct stage *s, rl_val v)
{
	if (2 * (s->n + 1) > s->cap)
		stage_grow(I, s);
	size_t b = (size_t)((v >> 3) * UINT64_C(0x9e3779b97f4a7c15) >> 17) & (s->cap - 1);
	for (; s->from[b] != RL_NIL; b = (b + 1) & (s->cap - 1))
		if (s->from[b] == v)
			return s->copy[b];
	rl_obj *o = rl_ptr(v);
	rl_obj *c = rl_obj_new(s->to, rl_obj_type(o), rl_obj_bytes(o));
	if (c == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (store barrier)");
	memcpy(c->w, o->w, rl_obj_bytes(o));
	s->from[b] = v;
	s->copy[b] = rl_val_of(c);
	s->n++;
	if (s->nwork == s->workcap) {
		size_t cap = s->workcap ? 2 * s->workcap : 64;
		rl_obj **w = realloc(s->work, cap * sizeof *w);
		if (w == NULL)
			lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (store barrier)");
		s->work = w;
		s->workcap = cap;
	}
	s->work[s->nwork++] = c;
	return rl_val_of(c);
}

/* The barrier (regionlab/store.h): v itself, or its copy in the container's region. */
static rl_val store_barrier(void *env, rl_val container, rl_val v)
{
	interp *I = env;
	if (!rl_is_ptr(v))
		return v;
	rl_region *dst = container == RL_NIL ? I->top : owner(container);
	if (age(owner(v)) <= age(dst))
		return v;
	uint64_t o0 = rl_now_ns();
	struct stage s = { .limit = age(dst) };
	s.to = rl_region_create("staging");
	if (s.to == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (staging region)");
	rl_val root = stage_copy(I, &s, v);
	while (s.nwork > 0) {
		rl_obj *c = s.work[--s.nwork];
		rl_slot_iter it;
		rl_val *p;
		for (rl_slots_begin(&it, c); (p = rl_slots_next(&it)) != NULL;)
			if (young(&s, *p))
				*p = stage_copy(I, &s, *p);
	}
	free(s.from);
	free(s.copy);
	free(s.work);
	I->es.overhead_ns += rl_now_ns() - o0;
	return escape(I, s.to, dst, root, true);
}

void lisp_store(interp *I, rl_val container, rl_val *slot, rl_val v)
{
	rl_store_slot(container, slot, v, I->call_regions ? store_barrier : NULL, I);
}

void lisp_regions_cleanup(interp *I)
{
	while (I->rdepth > 0) {
		rl_region_destroy(I->cur);
		I->cur = I->rstack[--I->rdepth];
	}
	free(I->rstack);
	I->rstack = NULL;
	I->rcap = 0;
}
