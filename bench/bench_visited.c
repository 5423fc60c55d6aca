/* Microbenchmarks of the visited check, the operation that separates the
 * naive baseline from the bitmap strategy (ANCHORS: "a visited map costs
 * 1.7-12x (open addressing) and 2.5-55x (uthash) over forwarding in the
 * object header"):
 *   visited/uthash   HASH_FIND_PTR + HASH_ADD_PTR, one malloc per entry
 *   visited/shadow   the region shadow: one bit per word (core/shadow.c)
 *   visited/header   a flag in the object's own header word
 * Each iteration checks-and-marks one object; objects are visited in a
 * shuffled order of N cons cells, and the structure is reset (untimed)
 * between passes. */
#include <stdlib.h>

#include "bench/bench_common.h"
#include "regionlab/mem.h"
#include "regionlab/shadow.h"

#define uthash_malloc(sz) rl_mem_alloc(sz)
#define uthash_free(ptr, sz) rl_mem_free(ptr, sz)
#include <uthash.h>

struct visit_entry {
	const rl_obj *key;
	UT_hash_handle hh;
};

static void bench_uthash(rl_bench_state *s, void *env)
{
	(void)env;
	struct bench_cells cells;
	bench_cells_make(&cells, (size_t)rl_bench_arg(s));
	struct visit_entry *map = NULL;
	struct visit_entry *entries = calloc(cells.n, sizeof *entries);
	while (rl_bench_keep_running(s, cells.n)) {
		for (size_t i = 0; i < cells.n; i++) {
			const rl_obj *o = cells.order[i];
			struct visit_entry *e;
			HASH_FIND_PTR(map, &o, e);
			if (e == NULL) {
				e = &entries[i];
				e->key = o;
				HASH_ADD_PTR(map, key, e);
			}
		}
		rl_bench_pause(s);
		HASH_CLEAR(hh, map);
		rl_bench_resume(s);
	}
	HASH_CLEAR(hh, map);
	free(entries);
	bench_cells_free(&cells);
}

static void bench_shadow(rl_bench_state *s, void *env)
{
	(void)env;
	struct bench_cells cells;
	bench_cells_make(&cells, (size_t)rl_bench_arg(s));
	rl_shadow shadow;
	if (rl_shadow_attach(&shadow, cells.region) != 0) {
		rl_bench_skip(s, "shadow allocation failed");
		bench_cells_free(&cells);
		return;
	}
	size_t marked = 0;
	while (rl_bench_keep_running(s, cells.n)) {
		for (size_t i = 0; i < cells.n; i++)
			marked += !rl_shadow_test_and_set(cells.order[i]);
		rl_bench_pause(s);
		rl_shadow_detach(&shadow);
		rl_shadow_attach(&shadow, cells.region);
		rl_bench_resume(s);
	}
	rl_bench_counter(s, "marked", (double)marked);
	rl_shadow_detach(&shadow);
	bench_cells_free(&cells);
}

#define VISITED_FLAG (1u << 7)

static void bench_header(rl_bench_state *s, void *env)
{
	(void)env;
	struct bench_cells cells;
	bench_cells_make(&cells, (size_t)rl_bench_arg(s));
	size_t marked = 0;
	while (rl_bench_keep_running(s, cells.n)) {
		for (size_t i = 0; i < cells.n; i++) {
			rl_obj *o = cells.order[i];
			if (!(o->hdr & VISITED_FLAG)) {
				o->hdr |= VISITED_FLAG;
				marked++;
			}
		}
		rl_bench_pause(s);
		for (size_t i = 0; i < cells.n; i++)
			cells.order[i]->hdr &= ~(uint64_t)VISITED_FLAG;
		rl_bench_resume(s);
	}
	rl_bench_counter(s, "marked", (double)marked);
	bench_cells_free(&cells);
}

void bench_register_visited(void)
{
	rl_bench_register_arg("visited/uthash", bench_uthash, NULL, 1 << 16);
	rl_bench_register_arg("visited/shadow", bench_shadow, NULL, 1 << 16);
	rl_bench_register_arg("visited/header", bench_header, NULL, 1 << 16);
}
