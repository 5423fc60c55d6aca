/* The graph sample (core/sample.c) on graphs built by hand, whose figures are
 * known exactly: objects reached, slots followed and crossing blocks, the
 * whole-graph verdict, and the live share of the stretches walked (exact
 * fractions of the footprints placed); the sample across a root's children;
 * and that it writes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/oracle.h"
#include "regionlab/region.h"
#include "regionlab/sample.h"
#include "tests/check.h"
#include "tests/objects.h"

#define CONS_BYTES 24u /* footprint of a cons cell: header and two words */
#define DEAD_BYTES 16u /* of the dead object after each cell of a sparse list: header and a word */

/* One cell alone (what list_head_first makes n of). */
static rl_obj *cons(rl_region *r)
{
	rl_obj *c = obj(r, RL_T_CONS, 2 * sizeof(rl_val));
	c->w[0] = rl_fixnum(1);
	c->w[1] = RL_NIL;
	return c;
}

/* A list of n cells, head first; a dead 16-byte object after each cell when
 * `sparse`. */
static rl_val list(rl_region *r, size_t n, bool sparse)
{
	return list_head_first(r, n, sparse ? DEAD_BYTES - 8 : 0);
}

static rl_graph_sample sample(rl_region *r, rl_val root, size_t max)
{
	rl_graph_sample g;
	uint64_t before = rl_oracle_region_hash(r);
	rl_graph_sample_take(r, root, max, 256, &g);
	CHECK(rl_oracle_region_hash(r) == before, "the sample wrote into the region");
	return g;
}

static void dense_list_in_order(void)
{
	rl_region *r = region("src");
	rl_graph_sample g = sample(r, list(r, 100, false), 32);
	/* the root's edge (to the second cell) is not counted */
	CHECK(g.objects == 32 && g.followed == 30 && g.crossed == 0 && !g.whole, "objects %zu followed %zu crossed %zu whole %d",
	      g.objects, g.followed, g.crossed, g.whole);
	CHECK(g.density == 1.0 && g.neighboured == 31, "density %g over %zu objects of a dense list", g.density,
	      g.neighboured);
	rl_region_destroy(r);
}

static void small_graph_is_reached_whole(void)
{
	rl_region *r = region("src");
	rl_graph_sample g = sample(r, list(r, 10, true), 32);
	CHECK(g.whole && g.objects == 10 && g.followed == 8, "whole %d objects %zu followed %zu", g.whole, g.objects,
	      g.followed);
	rl_region_destroy(r);
}

/* A dead 16-byte object after every 24-byte cell: 24 / 40 exactly (the last
 * cell reached has no reached neighbour within the gap and is left out). */
static void interleaved_garbage_gives_its_share(void)
{
	rl_region *r = region("src");
	rl_graph_sample g = sample(r, list(r, 100, true), 32);
	double want = (double)CONS_BYTES / (CONS_BYTES + DEAD_BYTES);
	CHECK(g.density == want, "density %g, want %g", g.density, want);
	rl_region_destroy(r);
}

/* Two dense stretches 1 KiB apart: the long gap is not counted as dead. */
static void a_long_gap_ends_a_stretch(void)
{
	rl_region *r = region("src");
	rl_val a = list(r, 10, false);
	(void)obj(r, RL_T_BLOB, 1024);
	rl_val b = list(r, 10, false);
	rl_obj *tail = rl_ptr(a);
	while (tail->w[1] != RL_NIL)
		tail = rl_ptr(tail->w[1]);
	tail->w[1] = b;
	rl_graph_sample g = sample(r, a, 32);
	CHECK(g.whole && g.objects == 20 && g.density == 1.0, "whole %d objects %zu density %g", g.whole, g.objects,
	      g.density);
	rl_region_destroy(r);
}

/* uniform: a list of cons cells is one type; cells whose cars are boxes
 * (a tree's nodes and leaves) are two; a vector of lists is one (the root
 * is left out), a vector of lists and strings two; a lone string is one. */
static void one_type_or_several(void)
{
	rl_region *r = region("src");
	CHECK(sample(r, list(r, 100, false), 32).uniform, "a list of cons cells read as several types");
	rl_val head = RL_NIL;
	for (int i = 0; i < 40; i++) {
		rl_obj *box = obj(r, RL_T_BOX_INT, sizeof(rl_val)), *c = cons(r);
		box->w[0] = (rl_val)i;
		c->w[0] = rl_val_of(box);
		c->w[1] = head;
		head = rl_val_of(c);
	}
	CHECK(!sample(r, head, 32).uniform, "cells and their boxes read as one type");
	rl_val lists[4] = { list(r, 10, false), list(r, 10, false), list(r, 10, false), list(r, 10, false) };
	rl_obj *root = obj(r, RL_T_VECTOR, sizeof lists);
	memcpy(root->w, lists, sizeof lists);
	CHECK(sample(r, rl_val_of(root), 32).uniform, "a vector of lists read as several types (its root counted)");
	rl_obj *text = obj(r, RL_T_STRING, 6);
	memcpy(text->w, "text!", 6);
	root->w[2] = rl_val_of(text);
	CHECK(!sample(r, rl_val_of(root), 32).uniform, "a vector of lists and a string read as one type");
	rl_obj *str = obj(r, RL_T_STRING, 6);
	memcpy(str->w, "hello", 6);
	CHECK(sample(r, rl_val_of(str), 32).uniform, "a lone string read as several types");
	rl_region_destroy(r);
}

/* A vector of 16 results: the first a dense list of 200 cells, the others
 * 4-cell lists with garbage between their cells.  The walk starts from the
 * children at 8 evenly spaced slots, each an equal share of what is left (3
 * or 4 objects): one dense stretch and seven sparse ones, where the first
 * child alone would read as dense. */
static void the_roots_children_are_sampled_across(void)
{
	rl_region *r = region("src");
	rl_val results[16];
	results[0] = list(r, 200, false);
	for (int i = 1; i < 16; i++)
		results[i] = list(r, 4, true);
	rl_obj *root = obj(r, RL_T_VECTOR, sizeof results);
	memcpy(root->w, results, sizeof results);
	rl_graph_sample g = sample(r, rl_val_of(root), 32);
	CHECK(!g.whole && g.objects == 32, "whole %d objects %zu", g.whole, g.objects);
	CHECK(g.density < 0.8, "density %g: the first result passed for all of them", g.density);
	rl_graph_sample first = sample(r, results[0], 32);
	CHECK(first.density == 1.0, "the dense result alone: %g", first.density);
	rl_region_destroy(r);
}

/* n cells over several blocks, linked in address order, then with a stride
 * that jumps between blocks on most links. */
static void crossings_tell_a_scattered_layout(void)
{
	enum { N = 8192 }; /* four 64 KiB blocks of cells */
	static rl_obj *cells[N];
	rl_region *r = region("src");
	for (size_t i = 0; i < N; i++)
		cells[i] = cons(r);
	CHECK(r->small.count >= 3, "%zu blocks", r->small.count);
	for (size_t i = 0; i + 1 < N; i++)
		cells[i]->w[1] = rl_val_of(cells[i + 1]);
	rl_graph_sample in_order = sample(r, rl_val_of(cells[0]), 64);
	CHECK(in_order.followed == 62 && in_order.crossed <= 1, "in order: %zu of %zu crossed", in_order.crossed,
	      in_order.followed);
	size_t k = 0;
	for (size_t i = 0; i + 1 < N; i++) { /* 3001 is prime to N: a chain through N - 1 cells */
		size_t next = (k + 3001) % N;
		cells[k]->w[1] = i + 2 < N ? rl_val_of(cells[next]) : RL_NIL;
		k = next;
	}
	rl_graph_sample shuffled = sample(r, rl_val_of(cells[0]), 64);
	CHECK(shuffled.followed == 62 && shuffled.crossed * 2 >= shuffled.followed, "shuffled: %zu of %zu crossed",
	      shuffled.crossed, shuffled.followed);
	rl_region_destroy(r);
}

/* 600 dead bytes after every cell: no reached object has a reached one
 * within the gap, so the density rests on nothing (and says 1). */
static void long_runs_of_garbage_leave_no_stretch(void)
{
	rl_region *r = region("src");
	rl_graph_sample g = sample(r, list_head_first(r, 60, 600), 32);
	CHECK(g.neighboured == 0 && g.density == 1.0 && !g.whole, "neighboured %zu density %g", g.neighboured,
	      g.density);
	rl_region_destroy(r);
}

/* A root on a large block of its own, holding boxes on small blocks: every
 * edge of the root crosses, and none is counted. */
static void the_roots_edges_are_not_counted(void)
{
	rl_region *r = region("src");
	size_t n = rl_small_object_max() / sizeof(rl_val) + 16;
	rl_val *kids = calloc(n, sizeof *kids);
	CHECK(kids != NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		rl_obj *b = obj(r, RL_T_BOX_INT, sizeof(rl_val));
		b->w[0] = (rl_val)i;
		kids[i] = rl_val_of(b);
	}
	rl_obj *root = obj(r, RL_T_VECTOR, (uint32_t)(n * sizeof(rl_val)));
	CHECK(rl_block_of(root)->flags & RL_BLOCK_LARGE, "no large root");
	memcpy(root->w, kids, n * sizeof(rl_val));
	free(kids);
	rl_graph_sample g = sample(r, rl_val_of(root), 32);
	CHECK(g.objects == 32 && g.followed == 0 && g.crossed == 0, "objects %zu followed %zu crossed %zu", g.objects,
	      g.followed, g.crossed);
	rl_region_destroy(r);
}

/* The budget's edges: 0 reaches nothing and says so, 1 the root alone,
 * more than RL_SAMPLE_MAX is RL_SAMPLE_MAX; a root without slots is a whole
 * graph of one; a forwarded object is not reached, nor what lies past it. */
static void budgets_leaves_and_forwarded_objects(void)
{
	rl_region *r = region("src");
	rl_val head = list(r, 1000, false);
	rl_graph_sample g = sample(r, head, 0);
	CHECK(g.objects == 0 && !g.whole, "max 0: objects %zu whole %d", g.objects, g.whole);
	g = sample(r, head, 1);
	CHECK(g.objects == 1 && !g.whole && g.followed == 0, "max 1: objects %zu whole %d", g.objects, g.whole);
	g = sample(r, head, 10 * RL_SAMPLE_MAX);
	CHECK(g.objects == RL_SAMPLE_MAX && !g.whole, "max past the cap: objects %zu", g.objects);
	rl_obj *str = obj(r, RL_T_STRING, 6);
	memcpy(str->w, "hello", 6);
	g = sample(r, rl_val_of(str), 32);
	CHECK(g.objects == 1 && g.whole, "a string root: objects %zu whole %d", g.objects, g.whole);
	rl_obj *third = rl_ptr(rl_ptr(rl_ptr(head)->w[1])->w[1]);
	uint64_t hdr = third->hdr;
	third->hdr = rl_hdr_forward_to(rl_ptr(head)); /* as a copy would leave it */
	g = sample(r, head, 32);
	third->hdr = hdr;
	CHECK(g.objects == 2 && g.whole, "past a forwarded cell: objects %zu whole %d", g.objects, g.whole);
	rl_region_destroy(r);
}

static void a_root_outside_the_region_is_nothing(void)
{
	rl_region *r = region("src"), *other = region("other");
	rl_graph_sample g = sample(r, list(other, 5, false), 32);
	CHECK(g.whole && g.objects == 0 && g.followed == 0, "whole %d objects %zu", g.whole, g.objects);
	g = sample(r, rl_fixnum(3), 32);
	CHECK(g.whole && g.objects == 0, "a fixnum root: objects %zu", g.objects);
	rl_region_destroy(other);
	rl_region_destroy(r);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(dense_list_in_order);
	RL_RUN(small_graph_is_reached_whole);
	RL_RUN(interleaved_garbage_gives_its_share);
	RL_RUN(a_long_gap_ends_a_stretch);
	RL_RUN(one_type_or_several);
	RL_RUN(the_roots_children_are_sampled_across);
	RL_RUN(crossings_tell_a_scattered_layout);
	RL_RUN(long_runs_of_garbage_leave_no_stretch);
	RL_RUN(the_roots_edges_are_not_counted);
	RL_RUN(budgets_leaves_and_forwarded_objects);
	RL_RUN(a_root_outside_the_region_is_nothing);
	return rl_test_summary(argv[0]);
}
