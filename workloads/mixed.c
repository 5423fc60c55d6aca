/* mixed: what one caller receives from a burst of calls, in one trial.
 *
 * A function's region dies when it returns and its result escapes to the
 * caller.  Most results are small (a few cells, a string, a short record);
 * a few are large (a parsed table, a long list).  A small result is built
 * among the temporaries of its call, which die with the region: in the
 * source region it sits in a stretch of mostly dead bytes.  A large result
 * is built by code that allocates little else: its blocks are dense.
 *
 * The graph one transmigrate call sees: the root is a vector that holds every
 * result in the order the calls returned them, allocated last (the caller
 * collected them).  About half of the n objects belong to small results of
 * 1 to 16 objects (each under 512 bytes: lists of fixnums or boxed ints,
 * small trees, a string, a 3-slot record), each built among dead temporaries
 * so that `small_live` (default 0.25) of the bytes of those stretches are live;
 * the other half to `big` (default 3) large results, made between the small
 * ones at evenly spaced points: a list of boxed ints, a vector of strings and
 * a tree of cons cells, in turn.  Dead temporaries point at live objects
 * (never the reverse), like the placer's garbage.
 *
 * That is the graph an adaptive strategy exists for: per block, copying wins
 * on the sparse stretches and moving blocks wins on the dense ones.
 *
 * Under knows=home (home=sub) each large result is built in a home of its
 * own (rl_wl_home_begin: a sub-region of src that only src holds, which
 * only the root vector points into), as a runtime would keep the region of
 * a call that built a large result and allocated little else; the small
 * results, their temporaries and the root stay in src.  What the runtime
 * then knows without a trace (regionlab/knowledge.h) lets a strategy move
 * each large result's blocks whole and copy only the small ones.  The
 * placer's own options still apply on top (layout=shuffled scatters
 * everything, garbage= or live= adds uniform garbage).  The option is
 * small_live, not live: the placer's live= is the reachable fraction of the
 * whole source region, this one that of the small results' stretches only. */
#include <stdio.h>

#include "regionlab/knowledge.h"
#include "regionlab/mem.h"
#include "workloads/build.h"

#define SMALL_MAX_OBJECTS 16u
enum { OPT_SMALL_LIVE, OPT_BIG };
static const struct rl_option mixed_options[] = {
	[OPT_SMALL_LIVE] = RL_OPTION_REAL("small_live", "0.25", 0.01, 1.0,
					  "the live share of what the small results allocate (the rest dies)"),
	[OPT_BIG] = RL_OPTION_INT("big", "3", 0, 64, "dense large results among the small ones"),
	RL_OPTIONS_END,
};

struct mix {
	rl_wl_ctx *w;
	double dead_per_live; /* dead bytes allocated per live byte in the small stretches */
	double debt;          /* dead bytes still owed */
	rl_val last_live;     /* what dead temporaries point at */
};

/* Dead temporaries owed for `live_bytes` just allocated: cons cells, strings
 * and short vectors that point at a live object or at each other. */
static bool pay_garbage(struct mix *m, size_t live_bytes)
{
	m->debt += m->dead_per_live * (double)live_bytes;
	while (m->debt > 0) {
		rl_obj *d;
		switch (rl_wl_rand_below(m->w, 3)) {
		case 0:
			d = rl_wl_cons(m->w, m->last_live, rl_fixnum((intptr_t)rl_wl_rand_below(m->w, 1000)));
			break;
		case 1:
			d = rl_wl_string(m->w, "temporary");
			break;
		default:
			d = rl_wl_new(m->w, RL_T_VECTOR, 4 * sizeof(rl_val));
			if (d != NULL)
				d->w[0] = d->w[3] = m->last_live;
			break;
		}
		if (d == NULL)
			return false;
		m->debt -= (double)rl_obj_size(d);
	}
	return true;
}

/* Allocates one live object of a small result, among its temporaries. */
static rl_obj *live_new(struct mix *m, unsigned type, uint32_t bytes)
{
	rl_obj *o = rl_wl_new(m->w, type, bytes);
	if (o == NULL || !pay_garbage(m, rl_obj_size(o)))
		return NULL;
	m->last_live = rl_val_of(o);
	return o;
}

static rl_obj *live_cons(struct mix *m, rl_val car, rl_val cdr)
{
	rl_obj *c = live_new(m, RL_T_CONS, 2 * sizeof(rl_val));
	if (c != NULL) {
		c->w[0] = car;
		c->w[1] = cdr;
	}
	return c;
}

static rl_obj *live_box(struct mix *m, int64_t value)
{
	rl_obj *b = live_new(m, RL_T_BOX_INT, sizeof value);
	if (b != NULL)
		memcpy(b->w, &value, sizeof value);
	return b;
}

/* A small tree of `objects` objects (cons cells, boxed-int leaves). */
static rl_val small_tree(struct mix *m, size_t objects)
{
	if (objects < 3) {
		rl_obj *b = live_box(m, (int64_t)objects);
		return b != NULL ? rl_val_of(b) : RL_NIL;
	}
	rl_obj *cell = live_cons(m, RL_NIL, RL_NIL);
	if (cell == NULL)
		return RL_NIL;
	size_t left = (objects - 1) / 2;
	rl_val car = small_tree(m, left), cdr = car != RL_NIL ? small_tree(m, objects - 1 - left) : RL_NIL;
	if (cdr == RL_NIL)
		return RL_NIL;
	cell->w[0] = car;
	cell->w[1] = cdr;
	return rl_val_of(cell);
}

/* One small result of about `objects` objects; *made gets the exact count. */
static rl_val small_result(struct mix *m, size_t objects, size_t *made)
{
	rl_val head = RL_NIL;
	*made = 0;
	switch (rl_wl_rand_below(m->w, 4)) {
	case 0: /* a list of fixnums */
		for (size_t i = 0; i < objects; i++, (*made)++) {
			rl_obj *c = live_cons(m, rl_fixnum((intptr_t)i), head);
			if (c == NULL)
				return RL_NIL;
			head = rl_val_of(c);
		}
		return head;
	case 1: /* a list of boxed ints: two objects per element */
		for (size_t i = 0; i < (objects + 1) / 2; i++, *made += 2) {
			rl_obj *b = live_box(m, (int64_t)i);
			rl_obj *c = b != NULL ? live_cons(m, rl_val_of(b), head) : NULL;
			if (c == NULL)
				return RL_NIL;
			head = rl_val_of(c);
		}
		return head;
	case 2: /* a small tree */
		*made = objects < 3 ? 1 : objects - (objects % 2 == 0);
		return small_tree(m, *made);
	default: { /* a record: {string, boxed int, fixnum} */
		rl_obj *s = live_new(m, RL_T_STRING, 12);
		rl_obj *b = s != NULL ? live_box(m, (int64_t)objects) : NULL;
		rl_obj *r = b != NULL ? live_new(m, RL_T_VECTOR, 3 * sizeof(rl_val)) : NULL;
		if (r == NULL)
			return RL_NIL;
		memcpy(s->w, "result-str", 11);
		r->w[0] = rl_val_of(s);
		r->w[1] = rl_val_of(b);
		r->w[2] = rl_fixnum((intptr_t)objects);
		*made = 3;
		return rl_val_of(r);
	}
	}
}

/* A large result of about `objects` objects, allocated densely. */
static rl_val big_result(rl_wl_ctx *w, unsigned kind, size_t objects)
{
	rl_val head = RL_NIL;
	switch (kind % 3) {
	case 0: /* a list of boxed ints, built tail first */
		for (size_t i = 0; i < objects / 2; i++) {
			rl_obj *b = rl_wl_box_int(w, (int64_t)i);
			rl_obj *c = b != NULL ? rl_wl_cons(w, rl_val_of(b), head) : NULL;
			if (c == NULL)
				return RL_NIL;
			head = rl_val_of(c);
		}
		return head;
	case 1: { /* a table: a vector of short strings */
		size_t rows = objects > 1 ? objects - 1 : 1;
		rl_obj *v = rl_wl_new(w, RL_T_VECTOR, (uint32_t)(rows * sizeof(rl_val)));
		for (size_t i = 0; v != NULL && i < rows; i++) {
			char text[32];
			snprintf(text, sizeof text, "row %zu", i);
			rl_obj *s = rl_wl_string(w, text);
			if (s == NULL)
				return RL_NIL;
			v->w[i] = rl_val_of(s);
		}
		return v != NULL ? rl_val_of(v) : RL_NIL;
	}
	default: { /* a tree of cons cells over boxed ints, depth first */
		struct mix dense = { .w = w, .dead_per_live = 0 };
		return small_tree(&dense, objects | 1);
	}
	}
}

static rl_val build_mixed(rl_wl_ctx *w, size_t n)
{
	double live = rl_opt_real(rl_wl_params(w), &mixed_options[OPT_SMALL_LIVE]);
	size_t big = rl_opt_int(rl_wl_params(w), &mixed_options[OPT_BIG]);
	struct mix m = { .w = w, .dead_per_live = (1.0 - live) / live };

	/* The results, in the order the calls returned them. */
	bool homed = rl_graph_knows(rl_wl_params(w)) == RL_KNOWS_HOME;
	size_t small_objects = big ? n / 2 : n, big_objects = n - small_objects;
	size_t cap = small_objects + big + 1, count = 0, made_small = 0;
	rl_val *results = rl_mem_alloc(cap * sizeof *results);
	if (results == NULL) {
		rl_wl_fail(w, "out of memory");
		return RL_NIL;
	}
	for (size_t next_big = 0; made_small < small_objects || next_big < big;) {
		/* The next large result is due when its share of the small ones is out. */
		if (next_big < big && made_small >= small_objects * next_big / big) {
			size_t objects = big_objects / big > 3 ? big_objects / big : 3;
			if (homed && rl_wl_home_begin(w) != 0)
				goto fail;
			rl_val r = big_result(w, (unsigned)next_big, objects);
			rl_wl_home_end(w);
			if (r == RL_NIL)
				goto fail;
			results[count++] = r;
			next_big++;
			continue;
		}
		size_t made, want = 1 + (size_t)rl_wl_rand_below(w, SMALL_MAX_OBJECTS);
		rl_val r = small_result(&m, want, &made);
		if (r == RL_NIL)
			goto fail;
		results[count++] = r;
		made_small += made;
	}
	rl_obj *root = rl_wl_new(w, RL_T_VECTOR, (uint32_t)(count * sizeof(rl_val)));
	if (root == NULL)
		goto fail;
	memcpy(root->w, results, count * sizeof *results);
	rl_mem_free(results, cap * sizeof *results);
	return rl_val_of(root);
fail:
	rl_mem_free(results, cap * sizeof *results);
	rl_wl_fail(w, "out of memory");
	return RL_NIL;
}

const struct rl_workload rl_wl_mixed = {
	.name = "mixed",
	.summary = "vector of many small results built among dead temporaries (small_live=0.25) and big=3 dense large ones",
	.default_size = 1000000,
	.options = mixed_options,
	/* The tests that run every workload assume it allocates nothing dead
	 * of its own (so that garbage= is what they measure): small_live=1. */
	.sample_options = "small_live=1",
	.build = build_mixed,
	.homes_results = true,
};
