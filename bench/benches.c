/* Registers every microbenchmark, and the shared setup they use. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"
#include "regionlab/region.h"

void bench_cells_make(struct bench_cells *c, size_t n)
{
	c->region = rl_region_create("bench");
	c->order = malloc(n * sizeof *c->order);
	c->n = n;
	if (c->region == NULL || c->order == NULL) {
		fprintf(stderr, "gbench: out of memory\n");
		exit(1);
	}
	rl_val next = RL_NIL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *cell = rl_obj_new(c->region, RL_T_CONS, 16);
		if (cell == NULL) {
			fprintf(stderr, "gbench: out of memory\n");
			exit(1);
		}
		cell->w[0] = rl_fixnum((intptr_t)i);
		cell->w[1] = next;
		next = rl_val_of(cell);
		c->order[i] = cell;
	}
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (size_t i = n; i > 1; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = (size_t)(x % i);
		rl_obj *t = c->order[i - 1];
		c->order[i - 1] = c->order[j];
		c->order[j] = t;
	}
}

void bench_cells_free(struct bench_cells *c)
{
	rl_region_destroy(c->region);
	free(c->order);
}

/* Bump allocation of one 24-byte cons cell; the region is rolled back
 * (untimed) every 64K cells so the measurement stays in a steady state. */
static void bench_bump(rl_bench_state *s, void *env)
{
	(void)env;
	rl_region *r = rl_region_create("bench-alloc");
	rl_region_mark empty = rl_region_mark_now(r);
	enum { BATCH = 1 << 16 };
	while (rl_bench_keep_running(s, BATCH)) {
		for (int i = 0; i < BATCH; i++) {
			rl_obj *o = rl_obj_new(r, RL_T_CONS, 16);
			o->w[0] = o->w[1] = RL_NIL;
		}
		rl_bench_pause(s);
		rl_region_rollback(r, &empty);
		rl_bench_resume(s);
	}
	rl_region_destroy(r);
}

void bench_register_alloc(void) { rl_bench_register("alloc/bump-cons", bench_bump, NULL); }

void rl_bench_register_all(void)
{
	/* gbench only times: debug builds' poisoning of freed memory is off,
	 * as in the harness's --no-verify runs (regionlab/region.h). */
	rl_region_set_poison(false);
	bench_register_visited();
	bench_register_alloc();
	bench_register_barrier();
	bench_register_tether();
	bench_register_copy_bound();
	bench_register_tether_floor();
	bench_register_copy_floor();
}
