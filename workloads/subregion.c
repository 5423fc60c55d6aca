/* A graph that reaches into a sub-region of its source (regionlab/adopt.h).
 *
 * The list's cells live in src; their cars take turns: a boxed int in src, a
 * boxed int in the sub-region, a pair in the sub-region (a fresh boxed int
 * there and one of 16 strings there, shared, each made on first use).  The first car is a blob in the
 * sub-region too large for a small block, so the sub-region has both chains.
 * The sub-region is held by src alone and dies with it: rl_region_contains
 * counts its objects as src's, and a transmigration must take them out of it
 * as it takes src's own (copied, or their blocks moved, or adopted with src). */
#include "workloads/build.h"

#define SHARED_STRINGS 16

static rl_obj *sub_box_int(rl_wl_ctx *w, int64_t value)
{
	rl_obj *b = rl_wl_sub_new(w, RL_T_BOX_INT, sizeof value);
	if (b != NULL)
		memcpy(b->w, &value, sizeof value);
	return b;
}

/* One of the shared strings, at random; made on first use, so that every
 * object of the sub-region is reachable (no garbage unless garbage= asks). */
static rl_obj *shared_string(rl_wl_ctx *w, rl_obj **strings, const char *const *words)
{
	size_t j = (size_t)rl_wl_rand_below(w, SHARED_STRINGS);
	if (strings[j] == NULL) {
		size_t bytes = strlen(words[j]) + 1;
		strings[j] = rl_wl_sub_new(w, RL_T_STRING, (uint32_t)bytes);
		if (strings[j] != NULL)
			memcpy(strings[j]->w, words[j], bytes);
	}
	return strings[j];
}

static rl_val build_sub_region(rl_wl_ctx *w, size_t n)
{
	static const char *const words[SHARED_STRINGS] = {
		"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
		"iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi",
	};
	rl_obj *strings[SHARED_STRINGS] = { NULL };
	uint32_t blob_bytes = (uint32_t)rl_small_object_max() + 8;
	rl_obj *blob = rl_wl_sub_new(w, RL_T_BLOB, blob_bytes);
	if (blob == NULL)
		return RL_NIL;
	for (uint32_t k = 0; k < blob_bytes; k += 8) {
		uint64_t r = rl_wl_rand(w);
		memcpy((char *)blob->w + k, &r, blob_bytes - k < 8 ? blob_bytes - k : 8);
	}

	rl_val head = RL_NIL;
	rl_obj *last = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *cell = rl_wl_cons(w, RL_NIL, RL_NIL), *car;
		if (cell == NULL)
			return RL_NIL;
		if (i == 0) {
			car = blob;
		} else if (i % 3 == 0) {
			car = rl_wl_box_int(w, (int64_t)i);
		} else if (i % 3 == 1) {
			car = sub_box_int(w, (int64_t)i);
		} else {
			rl_obj *box = sub_box_int(w, (int64_t)i);
			rl_obj *str = box != NULL ? shared_string(w, strings, words) : NULL;
			car = str != NULL ? rl_wl_sub_new(w, RL_T_CONS, 2 * sizeof(rl_val)) : NULL;
			if (car != NULL) {
				car->w[0] = rl_val_of(box);
				car->w[1] = rl_val_of(str);
			}
		}
		if (car == NULL)
			return RL_NIL;
		cell->w[0] = rl_val_of(car);
		if (last != NULL)
			last->w[1] = rl_val_of(cell);
		else
			head = rl_val_of(cell);
		last = cell;
	}
	return head;
}

const struct rl_workload rl_wl_sub_region = {
	.name = "sub-region",
	.summary = "list of n cells in src whose cars point into an unheld sub-region of src (boxes, pairs, shared "
		   "strings, a large blob)",
	.default_size = 1000000,
	.options = NULL,
	.build = build_sub_region,
};
