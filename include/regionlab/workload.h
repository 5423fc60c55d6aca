/* Graph workloads: seeded, reproducible object graphs built in a source region.
 *
 * A workload's build() allocates its graph through the context (rl_wl_new)
 * in allocation order; the shared placer then lays the graph out in the
 * source region with the options every workload accepts:
 *   layout=alloc|shuffled  allocation order, or objects at randomized addresses
 *   garbage=RATIO          dead bytes interleaved per live byte (0 = none)
 *   live=RATIO             the fraction of src's object bytes that is reachable,
 *                          in [0.01, 1]: garbage=(1-RATIO)/RATIO (not with garbage=)
 *   home=src|sub           where the graph lives: src, or a sub-region of src
 *                          (held by src alone) while the garbage stays in src
 * so that layout and garbage are handled once, not in every workload. */
#ifndef REGIONLAB_WORKLOAD_H
#define REGIONLAB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/object.h"
#include "regionlab/options.h"
#include "regionlab/region.h"

typedef struct rl_wl_ctx rl_wl_ctx;

/* The options the placer takes for every workload (layout, garbage, live). */
extern const struct rl_option rl_wl_placer_options[];

struct rl_workload {
	const char *name;
	const char *summary;  /* one line, shown by --list */
	size_t default_size;  /* --size when not given */
	const struct rl_option *options; /* its own option table, besides the placer's; NULL: none */
	/* Options that make a small working instance, for the tests that run
	 * every workload (e.g. "file=tests/data/sample.json"); NULL = none needed. */
	const char *sample_options;
	/* Builds a graph of about n objects and returns its root.  Allocates only
	 * through rl_wl_new / rl_wl_outside_new / rl_wl_sub_new.  Returns RL_NIL with
	 * rl_wl_fail() called on bad options or allocation failure. */
	rl_val (*build)(rl_wl_ctx *w, size_t n);
	/* True when the graph is a document's (file=PATH) and n is ignored: the
	 * runner's warm call, which builds a small instance, skips it. */
	bool sized_by_document;
	/* True when, under knows=home, build() puts each result it knows to be
	 * one in a home of its own (rl_wl_home_begin) and the rest stays in src;
	 * otherwise knows=home (home=sub) puts the whole graph in one home. */
	bool homes_results;
};

/* A built instance. */
typedef struct rl_graph {
	rl_region *src;     /* holds the graph (and its garbage) */
	rl_region *outside; /* third region that src's graph points into, or NULL */
	rl_val root;
	size_t n;
} rl_graph;

/* Builds workload `wl` with `n` objects: returns 0, or -1 with a one-line reason. */
int rl_graph_make(const struct rl_workload *wl, size_t n, uint64_t seed, const rl_kv_list *params, rl_graph *g,
		  char *err, size_t errlen);
void rl_graph_free(rl_graph *g);
/* The dead bytes per live byte that params ask for (garbage=, or live= turned
 * into garbage; 0 when neither): 0, or -1 with the one-line reason that
 * rl_graph_make would give. */
int rl_graph_garbage(const struct rl_workload *wl, const rl_kv_list *params, double *ratio, char *err, size_t errlen);
/* The trial's knowledge class (regionlab/knowledge.h) that params declare
 * (already judged): knows= when given, else `home` when home=sub is given,
 * else `nothing`. */
unsigned rl_graph_knows(const rl_kv_list *params);

/* ---- for build() ---------------------------------------------------------- */
rl_obj *rl_wl_new(rl_wl_ctx *w, unsigned type, uint32_t payload_bytes);
/* An object in the third region (cross-region pointers). */
rl_obj *rl_wl_outside_new(rl_wl_ctx *w, unsigned type, uint32_t payload_bytes);
/* An object in a sub-region of src (regionlab/adopt.h), held only by src so
 * that it dies with src: rl_region_contains(src, .) counts it.  Like outside
 * objects, it is never placed (layout= and garbage= leave it where it is) and
 * must not point at rl_wl_new objects. */
rl_obj *rl_wl_sub_new(rl_wl_ctx *w, unsigned type, uint32_t payload_bytes);
/* Between these two calls rl_wl_new allocates in a fresh region, a result's
 * home: made a sub-region of src, held by src alone, once src exists, with
 * the hint that all of it is the result (regionlab/knowledge.h).  Its
 * objects are never placed and must not point at objects outside their
 * home; the objects that point into it should all be one (a vector of
 * results), so that the home stays clean for what that object holds
 * (rl_region_clean_child_home).  begin: 0, or -1 after rl_wl_fail. */
int rl_wl_home_begin(rl_wl_ctx *w);
void rl_wl_home_end(rl_wl_ctx *w);
uint64_t rl_wl_rand(rl_wl_ctx *w);            /* seeded 64-bit generator */
uint64_t rl_wl_rand_below(rl_wl_ctx *w, uint64_t bound);
const rl_kv_list *rl_wl_params(rl_wl_ctx *w);
/* Records a one-line failure reason; build() then returns RL_NIL. */
void rl_wl_fail(rl_wl_ctx *w, const char *fmt, ...);

/* ---- source positions of the sexp reader ------------------------------------ */
/* While a hook is set (per thread), the sexp workload's reader calls
 * hook(env, list, line, col) for every list it reads, with the line and column
 * (from 1) of its opening parenthesis: the Scheme evaluator (lisp/) keeps them
 * in a side table for its error messages.  NULL removes the hook. */
typedef void (*rl_sexp_position_hook)(void *env, rl_val list, size_t line, size_t col);
void rl_sexp_set_position_hook(rl_sexp_position_hook hook, void *env);

#endif
