/* Shared setup of the microbenchmarks: a region of N cons cells and a
 * seeded shuffled visiting order. */
#ifndef REGIONLAB_BENCH_COMMON_H
#define REGIONLAB_BENCH_COMMON_H

#include <stddef.h>

#include "bench/gbench.h"
#include "regionlab/region.h"

struct bench_cells {
	rl_region *region;
	rl_obj **order; /* every cell once, shuffled */
	size_t n;
};

void bench_cells_make(struct bench_cells *c, size_t n);
void bench_cells_free(struct bench_cells *c);

void bench_register_visited(void);
void bench_register_alloc(void);
void bench_register_barrier(void);
void bench_register_tether(void);
void bench_register_copy_bound(void);
void bench_register_tether_floor(void);
void bench_register_copy_floor(void);

#endif
