/* Branching workloads: a balanced tree, and the graphs with sharing that
 * broke the old runtime (ladder, fan-in) or have cycles everywhere (random). */
#include "workloads/build.h"

/* A balanced subtree over `leaves` leaves, allocated in pre-order (parent
 * before children: DFS order).  Leaves are boxed ints numbered left to right. */
static rl_val build_subtree(rl_wl_ctx *w, size_t leaves, int64_t *next_leaf)
{
	if (leaves == 1) {
		rl_obj *leaf = rl_wl_box_int(w, (*next_leaf)++);
		return leaf != NULL ? rl_val_of(leaf) : RL_NIL;
	}
	rl_obj *cell = rl_wl_cons(w, RL_NIL, RL_NIL);
	if (cell == NULL)
		return RL_NIL;
	size_t left = leaves / 2;
	rl_val car = build_subtree(w, left, next_leaf);
	if (car == RL_NIL)
		return RL_NIL;
	rl_val cdr = build_subtree(w, leaves - left, next_leaf);
	if (cdr == RL_NIL)
		return RL_NIL;
	cell->w[0] = car;
	cell->w[1] = cdr;
	return rl_val_of(cell);
}

/* (n + 1) / 2 leaves and one fewer cells: n objects for odd n, n - 1 for even. */
static rl_val build_tree(rl_wl_ctx *w, size_t n)
{
	int64_t next_leaf = 0;
	size_t leaves = (n + 1) / 2;
	return build_subtree(w, leaves ? leaves : 1, &next_leaf);
}

/* x_0 = a boxed int, x_i = cons(x_{i-1}, x_{i-1}); the root x_n has 2^n
 * paths to x_0 through n + 1 objects.  A copy that ignores sharing
 * duplicates nodes exponentially. */
static rl_val build_ladder(rl_wl_ctx *w, size_t n)
{
	rl_obj *rung = rl_wl_box_int(w, 0);
	for (size_t i = 1; i <= n && rung != NULL; i++)
		rung = rl_wl_cons(w, rl_val_of(rung), rl_val_of(rung));
	return rung != NULL ? rl_val_of(rung) : RL_NIL;
}

/* One boxed-int leaf shared by the cars of n list cells: n + 1 objects.  A
 * copy that loses sharing, or forgets the leaf, shows it here. */
static rl_val build_fan_in(rl_wl_ctx *w, size_t n)
{
	rl_obj *leaf = rl_wl_box_int(w, 42);
	if (leaf == NULL)
		return RL_NIL;
	rl_val head = RL_NIL;
	rl_obj *last = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *cell = rl_wl_cons(w, rl_val_of(leaf), RL_NIL);
		if (cell == NULL)
			return RL_NIL;
		if (last != NULL)
			last->w[1] = rl_val_of(cell);
		else
			head = rl_val_of(cell);
		last = cell;
	}
	return head;
}

enum { OPT_DEGREE };
static const struct rl_option random_options[] = {
	[OPT_DEGREE] = RL_OPTION_INT("degree", "3", 0, 64, "edges from each node to random nodes, besides the cycle"),
	RL_OPTIONS_END,
};

/* Node i is a vector [fixnum i, node i+1, k random nodes]: the second slot
 * chains every node into one cycle (the last points back to node 0), so all
 * are reachable from node 0; the random edges add sharing and more cycles. */
#define RANDOM_FIXED_SLOTS 2

static rl_val build_random(rl_wl_ctx *w, size_t n)
{
	size_t degree = rl_opt_int(rl_wl_params(w), &random_options[OPT_DEGREE]);
	size_t slots = RANDOM_FIXED_SLOTS + degree;
	size_t first = rl_wl_count(w);
	for (size_t i = 0; i < n; i++) {
		rl_obj *node = rl_wl_new(w, RL_T_VECTOR, (uint32_t)(slots * sizeof(rl_val)));
		if (node == NULL)
			return RL_NIL;
		node->w[0] = rl_fixnum((intptr_t)i);
	}
	for (size_t i = 0; i < n; i++) {
		rl_obj *node = rl_wl_object(w, first + i);
		node->w[1] = rl_val_of(rl_wl_object(w, first + (i + 1) % n));
		for (size_t e = 0; e < degree; e++)
			node->w[RANDOM_FIXED_SLOTS + e] = rl_val_of(rl_wl_object(w, first + rl_wl_rand_below(w, n)));
	}
	return rl_val_of(rl_wl_object(w, first));
}

const struct rl_workload rl_wl_tree = {
	.name = "tree",
	.summary = "balanced binary tree of cons cells with boxed-int leaves, ~n objects, DFS allocation order",
	.default_size = 1000000,
	.options = NULL,
	.build = build_tree,
};

const struct rl_workload rl_wl_ladder = {
	.name = "ladder",
	.summary = "x_i = cons(x_{i-1}, x_{i-1}) over n rungs: n+1 objects, 2^n paths (sharing stress)",
	.default_size = 1000,
	.options = NULL,
	.build = build_ladder,
};

const struct rl_workload rl_wl_fan_in = {
	.name = "fan-in",
	.summary = "list of n cells whose cars all share one boxed-int leaf: n+1 objects",
	.default_size = 1000000,
	.options = NULL,
	.build = build_fan_in,
};

const struct rl_workload rl_wl_random = {
	.name = "random",
	.summary = "n vector nodes in a cycle, each with degree=K (default 3) more edges to random nodes",
	.default_size = 1000000,
	.options = random_options,
	.build = build_random,
};
