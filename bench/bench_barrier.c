/* The read barrier's fast path: a full traversal of a transmigrated list
 * through an incremental strategy's read() after evacuation has completed
 * (every slot healed), against the same traversal with plain loads.  The
 * difference is what the barrier costs a mutator once the slow path is done
 * (ANCHORS: read barriers cost ~5.4% on average, Yang et al.). */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"
#include "driver/registry.h"

#define BARRIER_CELLS (1 << 16)

struct barrier_env {
	const struct rl_transmigrator *tm;
	bool through_barrier;
};

static rl_val walk(const struct barrier_env *env, rl_tm_ctx *ctx, rl_val list)
{
	rl_val sum = 0;
	while (rl_is_ptr(list)) {
		rl_obj *cell = rl_ptr(list);
		if (env->through_barrier) {
			sum += env->tm->read(ctx, &cell->w[0]);
			list = env->tm->read(ctx, &cell->w[1]);
		} else {
			sum += cell->w[0];
			list = cell->w[1];
		}
	}
	return sum;
}

static void bench_barrier(rl_bench_state *s, void *arg)
{
	const struct barrier_env *env = arg;
	rl_region *src = rl_region_create("bench-src"), *dst = rl_region_create("bench-dst");
	rl_val list = RL_NIL;
	for (size_t i = 0; i < BARRIER_CELLS; i++) {
		rl_obj *cell = rl_obj_new(src, RL_T_CONS, 16);
		cell->w[0] = rl_fixnum((intptr_t)i);
		cell->w[1] = list;
		list = rl_val_of(cell);
	}
	rl_kv_list opts = { 0 };
	rl_tm_ctx ctx = { .opts = &opts };
	rl_val out;
	if (env->tm->transmigrate(&ctx, src, dst, list, &out) != RL_TM_OK || env->tm->finish(&ctx) != RL_TM_OK) {
		rl_bench_skip(s, "transmigration failed");
	} else {
		volatile rl_val sink = 0;
		while (rl_bench_keep_running(s, BARRIER_CELLS))
			sink += walk(env, &ctx, out);
		(void)sink;
	}
	rl_region_destroy(src);
	rl_region_destroy(dst);
}

void bench_register_barrier(void)
{
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++) {
		const struct rl_transmigrator *tm = rl_transmigrators[i];
		if (!(tm->caps & RL_TM_INCREMENTAL))
			continue;
		for (int through = 0; through <= 1; through++) {
			struct barrier_env *env = calloc(1, sizeof *env);
			env->tm = tm;
			env->through_barrier = through;
			char name[96];
			snprintf(name, sizeof name, "barrier/%s/%s", tm->name, through ? "read" : "plain");
			rl_bench_register(name, bench_barrier, env);
		}
	}
}
