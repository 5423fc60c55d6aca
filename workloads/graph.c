/* The workload context and the shared placer (see regionlab/workload.h).
 *
 * rl_graph_make runs in three steps:
 *  1. build: the workload allocates its graph in a scratch region through
 *     rl_wl_new, which records every object in allocation order;
 *  2. place: the recorded objects are copied into the source region, in that
 *     order (layout=alloc) or in a seeded permutation (layout=shuffled), each
 *     copy followed by its share of dead objects (garbage=RATIO, or
 *     live=RATIO: the same as garbage=(1-RATIO)/RATIO).  The
 *     scratch header of each placed object is overwritten with a forwarding
 *     word to its copy: scratch dies anyway, so the map from scratch to
 *     source addresses costs no memory at all;
 *  3. rewrite: every value slot of every copy that points at a forwarded
 *     object is redirected to that object's copy, and scratch is destroyed.
 * Only scratch objects are ever forwarded, so pointers into the outside
 * region, into the sub-region (rl_wl_sub_new: attached to src at the end)
 * and to static objects pass through untouched.
 *
 * With layout=alloc and no garbage the placement would reproduce scratch
 * byte for byte (same sizes allocated in the same order into a fresh
 * region), so scratch simply becomes the source region.
 *
 * The build and the placer draw from two generators derived from the seed,
 * so the graph itself depends on neither layout nor garbage: only its
 * addresses do. */
#include "regionlab/workload.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "regionlab/adopt.h"
#include "regionlab/knowledge.h"
#include "regionlab/mem.h"
#include "workloads/build.h"

#define GARBAGE_MAX 100.0
#define LIVE_MIN 0.01 /* garbage=99: within GARBAGE_MAX */
#define RECORD_INITIAL 1024u
#define HOMES_INITIAL 8u
#define PLACER_SALT UINT64_C(0x706c61636572aa55) /* separates the placer's stream from build()'s */

struct rl_wl_ctx {
	const struct rl_workload *wl;
	const rl_kv_list *params;
	rl_region *scratch;  /* build() allocates here */
	rl_region *outside;  /* created by the first rl_wl_outside_new */
	rl_region *sub;      /* created by the first rl_wl_sub_new; made a
			      * sub-region of src once src exists */
	rl_region *home;     /* open result home (rl_wl_home_begin), or NULL */
	rl_region **homes;   /* closed result homes: sub-regions of src at the end */
	size_t nhomes, homes_cap;
	uint64_t rng;        /* build()'s generator */
	rl_obj **objs;       /* every scratch object, in allocation order */
	size_t count, cap;
	bool failed;         /* the first failure wins; later allocations fail */
	char *err;
	size_t errlen;
};

/* ---- seeded generator (splitmix64: one add and a mix per draw) --------------- */
static uint64_t rand_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, bound), without modulo bias; 0 when bound <= 1. */
static uint64_t rand_below(uint64_t *state, uint64_t bound)
{
	if (bound <= 1)
		return 0;
	uint64_t threshold = -bound % bound;
	for (;;) {
		uint64_t r = rand_next(state);
		if (r >= threshold)
			return r % bound;
	}
}

uint64_t rl_wl_rand(rl_wl_ctx *w) { return rand_next(&w->rng); }
uint64_t rl_wl_rand_below(rl_wl_ctx *w, uint64_t bound) { return rand_below(&w->rng, bound); }
const rl_kv_list *rl_wl_params(rl_wl_ctx *w) { return w->params; }
size_t rl_wl_count(const rl_wl_ctx *w) { return w->count; }
rl_obj *rl_wl_object(const rl_wl_ctx *w, size_t index) { return index < w->count ? w->objs[index] : NULL; }

void rl_wl_fail(rl_wl_ctx *w, const char *fmt, ...)
{
	if (w->failed)
		return;
	w->failed = true;
	if (w->err == NULL || w->errlen == 0)
		return;
	int used = snprintf(w->err, w->errlen, "workload %s: ", w->wl->name);
	if (used < 0 || (size_t)used >= w->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err + used, w->errlen - (size_t)used, fmt, ap);
	va_end(ap);
}

/* ---- allocation for build() ------------------------------------------------ */
/* Room for one more element in `array`, which holds `count` elements of
 * `elem` bytes and has room for *cap: array itself, or a copy twice as big
 * (`initial` elements when empty) with *cap updated, or NULL when that
 * cannot be had (array kept).  Through rl_mem_* so that fault injection
 * reaches the build's own arrays too. */
static void *room_for_one(void *array, size_t count, size_t *cap, size_t elem, size_t initial)
{
	if (count < *cap)
		return array;
	size_t grown = *cap ? 2 * *cap : initial;
	void *bigger = rl_mem_alloc(grown * elem);
	if (bigger == NULL)
		return NULL;
	if (count != 0)
		memcpy(bigger, array, count * elem);
	rl_mem_free(array, *cap * elem);
	*cap = grown;
	return bigger;
}

/* Appends o to the record, doubling it when full. */
static int record(rl_wl_ctx *w, rl_obj *o)
{
	rl_obj **objs = room_for_one(w->objs, w->count, &w->cap, sizeof *objs, RECORD_INITIAL);
	if (objs == NULL)
		return -1;
	w->objs = objs;
	w->objs[w->count++] = o;
	return 0;
}

/* A new object in r with its payload zeroed (padding included, so that
 * identical graphs are identical byte for byte). */
static rl_obj *new_zeroed(rl_wl_ctx *w, rl_region *r, unsigned type, uint32_t bytes)
{
	if (type == RL_T_FREE || type >= rl_type_count()) {
		rl_wl_fail(w, "allocation of invalid type id %u", type);
		return NULL;
	}
	uint32_t fixed = rl_type_table[type].fixed_bytes;
	if (fixed != 0 && bytes != fixed) {
		rl_wl_fail(w, "%s takes %u payload bytes, not %u", rl_type_table[type].name, fixed, bytes);
		return NULL;
	}
	rl_obj *o = rl_obj_new(r, type, bytes);
	if (o == NULL) {
		rl_wl_fail(w, "out of memory building the graph");
		return NULL;
	}
	memset(o->w, 0, rl_words_for(bytes) * sizeof(rl_val));
	return o;
}

rl_obj *rl_wl_new(rl_wl_ctx *w, unsigned type, uint32_t payload_bytes)
{
	if (w->failed)
		return NULL;
	if (w->home != NULL) /* a result's home: never placed, so not recorded */
		return new_zeroed(w, w->home, type, payload_bytes);
	rl_obj *o = new_zeroed(w, w->scratch, type, payload_bytes);
	if (o != NULL && record(w, o) != 0) {
		rl_wl_fail(w, "out of memory building the graph");
		return NULL; /* o stays in scratch, which is destroyed with the rest */
	}
	return o;
}

/* Outside objects are not recorded: the placer never moves them.  They must
 * not point into scratch (nothing would redirect such a pointer). */
rl_obj *rl_wl_outside_new(rl_wl_ctx *w, unsigned type, uint32_t payload_bytes)
{
	if (w->failed)
		return NULL;
	if (w->outside == NULL) {
		w->outside = rl_region_create("outside");
		if (w->outside == NULL) {
			rl_wl_fail(w, "out of memory building the graph");
			return NULL;
		}
	}
	return new_zeroed(w, w->outside, type, payload_bytes);
}

/* Sub-region objects are not recorded either: src does not exist yet, so
 * the region is made independent and attached to src at the end. */
rl_obj *rl_wl_sub_new(rl_wl_ctx *w, unsigned type, uint32_t payload_bytes)
{
	if (w->failed)
		return NULL;
	if (w->sub == NULL) {
		w->sub = rl_region_create("sub");
		if (w->sub == NULL) {
			rl_wl_fail(w, "out of memory building the graph");
			return NULL;
		}
	}
	return new_zeroed(w, w->sub, type, payload_bytes);
}

int rl_wl_home_begin(rl_wl_ctx *w)
{
	if (w->failed)
		return -1;
	if (w->home != NULL) {
		rl_wl_fail(w, "rl_wl_home_begin: a result home is already open");
		return -1;
	}
	rl_region **homes = room_for_one(w->homes, w->nhomes, &w->homes_cap, sizeof *homes, HOMES_INITIAL);
	if (homes == NULL) {
		rl_wl_fail(w, "out of memory building the graph");
		return -1;
	}
	w->homes = homes;
	w->home = rl_region_create("result home");
	if (w->home == NULL) {
		rl_wl_fail(w, "out of memory building the graph");
		return -1;
	}
	w->homes[w->nhomes++] = w->home; /* room made above: freed with the rest on failure */
	return 0;
}

void rl_wl_home_end(rl_wl_ctx *w) { w->home = NULL; }

/* The result homes of a build that failed, or that never became src's. */
static void free_homes(rl_wl_ctx *w)
{
	for (size_t i = 0; i < w->nhomes; i++)
		rl_region_destroy(w->homes[i]);
	rl_mem_free(w->homes, w->homes_cap * sizeof *w->homes);
	w->homes = NULL;
	w->nhomes = w->homes_cap = 0;
	w->home = NULL;
}

int rl_wl_user_type(rl_wl_ctx *w, const char *name, uint32_t bytes, uint64_t ptr_map)
{
	int id = rl_type_lookup(name);
	if (id < 0) {
		id = rl_type_register(name, bytes, ptr_map);
		if (id < 0)
			rl_wl_fail(w, "cannot register type '%s' (type table full or bad pointer map)", name);
		return id;
	}
	const rl_type *t = &rl_type_table[id];
	if (t->fixed_bytes != bytes || t->ptr_map != ptr_map || t->tail_from != RL_NO_TAIL) {
		rl_wl_fail(w, "type '%s' is already registered with another layout", name);
		return -1;
	}
	return id;
}

/* ---- the placer ------------------------------------------------------------ */
struct placer {
	rl_region *src;   /* the garbage goes here */
	rl_region *home;  /* the live copies go here: src, or its sub-region (home=sub) */
	rl_obj **objs;    /* scratch objects in placement order; each becomes
			   * its copy once placed */
	size_t count;
	uint64_t rng;
	double ratio;     /* dead bytes per live byte */
	double debt;      /* dead bytes still owed (negative: paid ahead) */
	rl_val last_dead; /* the latest dead object: dead objects chain to it */
};

/* What dead objects look like: types and payload ranges, chosen at random. */
static const struct dead_kind {
	unsigned type;
	uint32_t min_bytes, max_bytes, step;
} dead_kinds[] = {
	{ RL_T_CONS, 16, 16, 8 },
	{ RL_T_BOX_INT, 8, 8, 8 },
	{ RL_T_BOX_DOUBLE, 8, 8, 8 },
	{ RL_T_STRING, 2, 120, 1 },
	{ RL_T_VECTOR, 8, 256, 8 },
	{ RL_T_BLOB, 1, 512, 1 },
};
#define DEAD_KINDS (sizeof dead_kinds / sizeof dead_kinds[0])
#define DEAD_FALLBACK 1 /* box-int: the smallest footprint, 16 bytes */

static rl_obj *copy_of(const rl_obj *placed_scratch) { return rl_hdr_forward_target(placed_scratch->hdr); }

/* A value for a slot of a dead object: a fixnum, a pointer to one of the
 * live copies placed so far (objs[0..placed]), or the previous dead object.
 * Dead objects point into the live graph but nothing live points at them. */
static rl_val dead_slot_value(struct placer *p, size_t placed)
{
	switch (rand_below(&p->rng, 3)) {
	case 0:
		return rl_fixnum((intptr_t)rand_below(&p->rng, 1u << 20));
	case 1:
		if (p->home != p->src) /* home=sub: nothing outside the home points in */
			return p->last_dead;
		return rl_val_of(p->objs[rand_below(&p->rng, placed + 1)]);
	default:
		return p->last_dead;
	}
}

/* One dead object of footprint at most max(budget, 16). */
static rl_obj *dead_object(struct placer *p, size_t budget, size_t placed)
{
	const struct dead_kind *k = &dead_kinds[rand_below(&p->rng, DEAD_KINDS)];
	size_t cap = budget > 16 ? budget - 8 : 8;
	if (k->min_bytes > cap)
		k = &dead_kinds[DEAD_FALLBACK];
	size_t max = k->max_bytes < cap ? k->max_bytes : cap;
	uint32_t bytes = k->min_bytes + k->step * (uint32_t)rand_below(&p->rng, (max - k->min_bytes) / k->step + 1);
	rl_obj *d = rl_obj_new(p->src, k->type, bytes);
	if (d == NULL)
		return NULL;
	/* Raw bytes: lowercase letters ending in NUL, so a dead string is a
	 * well-formed string; then the value slots, whatever the type says. */
	unsigned char *raw = (unsigned char *)d->w;
	memset(raw, 0, rl_words_for(bytes) * sizeof(rl_val));
	for (uint32_t i = 0; i < bytes; i += 8) {
		uint64_t r = rand_next(&p->rng);
		for (uint32_t j = i; j < bytes && j < i + 8; j++, r >>= 8)
			raw[j] = (unsigned char)('a' + (r & 0xff) % 26);
	}
	raw[bytes - 1] = '\0';
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, d); (s = rl_slots_next(&it)) != NULL;)
		*s = dead_slot_value(p, placed);
	p->last_dead = rl_val_of(d);
	return d;
}

/* Pays the dead bytes owed for a live object of `live_bytes`. */
static int add_garbage(struct placer *p, size_t live_bytes, size_t placed)
{
	p->debt += p->ratio * (double)live_bytes;
	while (p->debt > 0) {
		rl_obj *d = dead_object(p, (size_t)p->debt + 1, placed);
		if (d == NULL)
			return -1;
		p->debt -= (double)rl_obj_size(d);
	}
	return 0;
}

static void shuffle(struct placer *p)
{
	for (size_t i = p->count; i > 1; i--) {
		size_t j = (size_t)rand_below(&p->rng, i);
		rl_obj *t = p->objs[i - 1];
		p->objs[i - 1] = p->objs[j];
		p->objs[j] = t;
	}
}

/* Copies every recorded object into src, forwards its scratch header to the
 * copy and puts the copy in its place in objs. */
static int place(struct placer *p)
{
	for (size_t k = 0; k < p->count; k++) {
		rl_obj *o = p->objs[k];
		size_t size = rl_obj_size(o);
		rl_obj *copy = rl_region_alloc(p->home, size);
		if (copy == NULL)
			return -1;
		memcpy(copy, o, size);
		o->hdr = rl_hdr_forward_to(copy);
		p->objs[k] = copy;
		if (p->ratio > 0 && add_garbage(p, size, k) != 0)
			return -1;
	}
	return 0;
}

/* Redirects the slots of every copy from scratch objects to their copies.
 * A forwarded header marks a scratch object: outside and static objects
 * never carry one. */
static void rewrite(struct placer *p)
{
	for (size_t k = 0; k < p->count; k++) {
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, p->objs[k]); (s = rl_slots_next(&it)) != NULL;) {
			if (rl_is_ptr(*s) && rl_hdr_is_forward(rl_ptr(*s)->hdr))
				*s = rl_val_of(copy_of(rl_ptr(*s)));
		}
	}
}

/* Every slot of the graph, its garbage and its sub-regions, as stored through
 * rl_store: build() and the placer write slots directly, and this one pass
 * (not part of any timed call) tells the regions what those stores would
 * have told them (regionlab/knowledge.h). */
static void note_stores(rl_block *b, void *env)
{
	(void)env;
	for (rl_obj *o = rl_block_first_obj(b); rl_block_has_obj(b, o); o = (rl_obj *)((char *)o + rl_obj_size(o))) {
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;)
			if (rl_is_ptr(*s))
				rl_region_note_store(rl_val_of(o), s, *s);
	}
}

/* ---- options --------------------------------------------------------------- */
enum { PLACE_LAYOUT, PLACE_GARBAGE, PLACE_LIVE, PLACE_HOME, PLACE_KNOWS };
enum { HOME_SRC, HOME_SUB }; /* the choices of home= */
enum { LAYOUT_ALLOC, LAYOUT_SHUFFLED }; /* the choices of layout= */
const struct rl_option rl_wl_placer_options[] = {
	[PLACE_LAYOUT] = RL_OPTION_ENUM("layout", "alloc", "alloc|shuffled",
					"objects in allocation order, or at randomized addresses"),
	[PLACE_GARBAGE] = RL_OPTION_REAL("garbage", "0", 0.0, GARBAGE_MAX, "dead bytes interleaved per live byte"),
	[PLACE_LIVE] = RL_OPTION_REAL("live", NULL, LIVE_MIN, 1.0,
				      "the reachable share of src's object bytes: garbage=(1-R)/R (not with garbage=)"),
	/* sub: the graph lives in a sub-region of src, held by src alone, while
	 * the garbage stays in src itself (issue 15). */
	[PLACE_HOME] = RL_OPTION_ENUM("home", "src", "src|sub",
				      "src: the graph in src; sub: in a sub-region held by src alone, garbage in src"),
	/* What the runtime knows when the trial's call runs (regionlab/
	 * knowledge.h, enum rl_knows_class).  A class is exact, so it fixes the
	 * keys it depends on: dense needs garbage=0 (live=1) and home=src; home
	 * is home=sub (implied when home= is absent); nothing and sole are
	 * home=src.  A contradicting key is refused (one line, exit 2), never
	 * reinterpreted.  Without knows=, home=sub means knows=home. */
	[PLACE_KNOWS] = RL_OPTION_ENUM("knows", "nothing", RL_KNOWS_CLASS_NAMES,
				       "nothing|dense (all of src is the graph)|home (in a clean sub-region)|sole (src's only "
				       "owner hands it over); outside sole src has a second owner"),
	RL_OPTIONS_END,
};

/* knows= against the keys it fixes (see PLACE_KNOWS): 0, or -1 with one line. */
static int knows_consistent(const char *owner, const rl_kv_list *params, double ratio, char *err, size_t errlen)
{
	if (rl_kv_get(params, "knows") == NULL)
		return 0;
	unsigned k = rl_opt_enum(params, &rl_wl_placer_options[PLACE_KNOWS]);
	const char *home = rl_kv_get(params, "home");
	bool home_sub = rl_opt_enum(params, &rl_wl_placer_options[PLACE_HOME]) == HOME_SUB;
	const char *name = rl_knows_class_name(k);
	if (k == RL_KNOWS_DENSE && ratio != 0)
		snprintf(err, errlen, "%s: knows=dense needs garbage=0 (all of src is the graph); valid with garbage: "
			 "knows=nothing|home|sole", owner);
	else if (k == RL_KNOWS_HOME && home != NULL && !home_sub)
		snprintf(err, errlen, "%s: knows=home is home=sub (the graph in a clean sub-region); drop home=src", owner);
	else if (k != RL_KNOWS_HOME && home_sub)
		snprintf(err, errlen, "%s: knows=%s is home=src; home=sub goes with knows=home", owner, name);
	else
		return 0;
	return -1;
}

/* Judges params against the placer's table and the workload's, then gives
 * the dead bytes per live byte that garbage= or live= asks for (0 when
 * neither): live=R makes R of src's object bytes reachable, so it is
 * garbage=(1-R)/R. */
int rl_graph_garbage(const struct rl_workload *wl, const rl_kv_list *params, double *ratio, char *err, size_t errlen)
{
	char owner[96];
	*ratio = 0;
	snprintf(owner, sizeof owner, "workload '%s'", wl->name);
	if (rl_opts_check(params, wl->options, rl_wl_placer_options, owner, err, errlen) != 0)
		return -1;
	bool garbage = rl_kv_get(params, "garbage") != NULL, live = rl_kv_get(params, "live") != NULL;
	if (garbage && live) {
		snprintf(err, errlen, "%s: give garbage= or live=, not both", owner);
		return -1;
	}
	if (live) {
		double r = rl_opt_real(params, &rl_wl_placer_options[PLACE_LIVE]);
		*ratio = (1 - r) / r;
	} else {
		*ratio = rl_opt_real(params, &rl_wl_placer_options[PLACE_GARBAGE]);
	}
	return knows_consistent(owner, params, *ratio, err, errlen);
}

unsigned rl_graph_knows(const rl_kv_list *params)
{
	if (rl_kv_get(params, "knows") != NULL)
		return rl_opt_enum(params, &rl_wl_placer_options[PLACE_KNOWS]);
	return rl_opt_enum(params, &rl_wl_placer_options[PLACE_HOME]) == HOME_SUB ? RL_KNOWS_HOME : RL_KNOWS_NOTHING;
}

/* ---- graphs ---------------------------------------------------------------- */
int rl_graph_make(const struct rl_workload *wl, size_t n, uint64_t seed, const rl_kv_list *params, rl_graph *g,
		  char *err, size_t errlen)
{
	double ratio;

	memset(g, 0, sizeof *g);
	if (rl_graph_garbage(wl, params, &ratio, err, errlen) != 0) /* judges every option */
		return -1;
	bool shuffled = rl_opt_enum(params, &rl_wl_placer_options[PLACE_LAYOUT]) == LAYOUT_SHUFFLED;
	unsigned knows = rl_graph_knows(params);
	/* knows=home implies home=sub, home=sub alone is knows=home: the graph
	 * goes into one home, unless the workload homes its results itself. */
	bool home_sub = knows == RL_KNOWS_HOME && !wl->homes_results;
	if (n == 0) {
		snprintf(err, errlen, "workload %s: size 0: expected at least 1", wl->name);
		return -1;
	}

	rl_wl_ctx w = { .wl = wl, .params = params, .rng = seed, .err = err, .errlen = errlen };
	rl_region *src = NULL, *home = NULL;
	rl_val root = RL_NIL;
	w.scratch = rl_region_create("scratch");
	if (w.scratch == NULL) {
		rl_wl_fail(&w, "out of memory building the graph");
		goto fail;
	}
	root = wl->build(&w, n);
	if (!w.failed && !rl_region_contains(w.scratch, root))
		rl_wl_fail(&w, "build() returned a root outside the graph it built");
	if (w.failed)
		goto fail;

	if (!shuffled && ratio == 0) {
		home = w.scratch; /* placing would copy it unchanged (see the top) */
		home->name = home_sub ? "home" : "src";
		w.scratch = NULL;
		src = home_sub ? rl_region_create("src") : home;
		if (src == NULL) {
			rl_wl_fail(&w, "out of memory placing the graph");
			goto fail;
		}
	} else {
		struct placer p = {
			.objs = w.objs, .count = w.count, .rng = seed ^ PLACER_SALT, .ratio = ratio,
		};
		src = p.src = rl_region_create("src");
		home = p.home = home_sub ? rl_region_create("home") : src;
		if (shuffled)
			shuffle(&p);
		if (src == NULL || home == NULL || place(&p) != 0) {
			rl_wl_fail(&w, "out of memory placing the graph");
			goto fail;
		}
		rewrite(&p);
		root = rl_val_of(copy_of(rl_ptr(root)));
		rl_region_destroy(w.scratch);
	}
	rl_mem_free(w.objs, w.cap * sizeof *w.objs);
	/* Everything the build allocated is the graph (build() allocates nothing
	 * else), so all of the home is the result when the garbage is elsewhere
	 * (home=sub), or when there is none and the trial says the runtime knows
	 * it (knows=dense; under knows=nothing|sole it does not). */
	rl_region_hint_all_result(home, (ratio == 0 && knows == RL_KNOWS_DENSE) || home != src);
	/* Outside `sole`, another holder keeps src (regionlab/knowledge.h);
	 * rl_graph_free destroys it whatever its count. */
	if (knows != RL_KNOWS_SOLE)
		rl_region_retain(src);
	if (home != src)
		rl_subregion_attach(src, home); /* cannot fail: home is independent */
	if (w.sub != NULL)
		rl_subregion_attach(src, w.sub); /* cannot fail: sub is independent */
	for (size_t i = 0; i < w.nhomes; i++) {
		rl_region_hint_all_result(w.homes[i], true); /* a home holds its result and nothing else */
		rl_subregion_attach(src, w.homes[i]); /* cannot fail: each home is independent */
	}
	rl_mem_free(w.homes, w.homes_cap * sizeof *w.homes);
	rl_region_for_each_block(src, note_stores, NULL);
	g->src = src;
	g->outside = w.outside;
	g->root = root;
	g->n = n;
	return 0;

fail:
	if (home != src)
		rl_region_destroy(home);
	rl_region_destroy(src);
	rl_region_destroy(w.scratch);
	rl_region_destroy(w.outside);
	rl_region_destroy(w.sub);
	free_homes(&w);
	rl_mem_free(w.objs, w.cap * sizeof *w.objs);
	return -1;
}

void rl_graph_free(rl_graph *g)
{
	rl_region_destroy(g->src);
	rl_region_destroy(g->outside);
	memset(g, 0, sizeof *g);
}
