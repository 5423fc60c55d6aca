/* Tests of the graph workloads and the shared placer (regionlab/workload.h).
 *
 * Every registered workload is built at a small size in both layouts, with
 * and without garbage, and checked for what the runner relies on: the root
 * lies in src, the graph is reproducible from its seed (same checksum, same
 * layout block by block), layout and garbage change addresses but not the
 * graph, live=R is garbage=(1-R)/R, every pointer lands in src (its
 * sub-regions included), the outside region or static data, and nothing
 * leaks.  The workloads with a stated shape (ladder, fan-in, ring, dlist,
 * cross-region, sub-region, blobs, ...) get checks of that shape. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/adopt.h"
#include "regionlab/mem.h"
#include "regionlab/workload.h"
#include "tests/check.h"

#define SMALL_N 40 /* objects per workload in the generic tests, at most */
#define SEED 7

static const char *const layouts[] = { "alloc", "shuffled" };
static const char *const garbages[] = { "0", "1" };

/* ---- helpers ------------------------------------------------------------- */
/* The size every workload is tested at: SMALL_N, or 1/64 of the default size
 * where that is smaller (a workload of big objects has a small default). */
static size_t small_size(const struct rl_workload *wl)
{
	size_t n = wl->default_size / 64;
	return n < 4 ? 4 : n < SMALL_N ? n : SMALL_N;
}

static int make_graph(const struct rl_workload *wl, size_t n, uint64_t seed, const char *params, rl_graph *g,
		      char *err, size_t errlen)
{
	/* A workload that needs an input to build at all (json, sexp) names one
	 * in sample_options; the properties tested here hold for it too. */
	char spec[512];
	const char *sample = wl->sample_options;
	snprintf(spec, sizeof spec, "%s%s%s", params, sample && *params ? "," : "", sample ? sample : "");
	rl_kv_list kv;
	if (rl_kv_parse(spec, &kv, err, errlen) != 0)
		return -1;
	return rl_graph_make(wl, n, seed, &kv, g, err, errlen);
}

static void make_ok(const struct rl_workload *wl, size_t n, uint64_t seed, const char *params, rl_graph *g)
{
	char err[256] = "";
	int rc = make_graph(wl, n, seed, params, g, err, sizeof err);
	CHECK(rc == 0, "%s:%s n=%zu: %s", wl->name, params, n, err);
}

static const struct rl_workload *workload(const char *name)
{
	const struct rl_workload *wl = rl_find_workload(name);
	CHECK(wl != NULL, "workload %s is not registered", name);
	return wl;
}

static rl_census census_of(const rl_graph *g)
{
	rl_ranges src;
	rl_census c;
	CHECK(rl_ranges_of(g->src, &src) == 0, "rl_ranges_of failed");
	int rc = rl_oracle_census(g->root, &src, &c);
	rl_ranges_free(&src);
	CHECK(rc == 0, "census failed");
	return c;
}

/* The graph's structural hash.  Pointers into src are followed; a graph with
 * an outside region is hashed following every pointer, since outside objects
 * have other addresses in every build. */
static uint64_t checksum_of(const rl_graph *g)
{
	if (g->outside != NULL)
		return rl_oracle_checksum(g->root, NULL);
	rl_ranges src;
	CHECK(rl_ranges_of(g->src, &src) == 0, "rl_ranges_of failed");
	uint64_t h = rl_oracle_checksum(g->root, &src);
	rl_ranges_free(&src);
	return h;
}

/* Where p lies in r: index of its block (small chain first, then large) and
 * offset in it.  False when r holds no block containing p. */
static bool locate(const rl_region *r, rl_val p, size_t *block, size_t *offset)
{
	const rl_block *chains[2] = { r != NULL ? r->small.head : NULL, r != NULL ? r->large.head : NULL };
	size_t index = 0;
	for (int c = 0; c < 2; c++) {
		for (const rl_block *b = chains[c]; b != NULL; b = b->next, index++) {
			if (p >= (uintptr_t)b && p < (uintptr_t)b->limit) {
				*block = index;
				*offset = (size_t)(p - (uintptr_t)b);
				return true;
			}
		}
	}
	return false;
}

/* locate over root's family (its sub-regions: regionlab/adopt.h), block
 * indices running on from one member to the next; *owner gets the member. */
static bool locate_family(const rl_region *root, rl_val p, size_t *block, size_t *offset, const rl_region **owner)
{
	size_t base = 0;
	for (const rl_region *m = root; m != NULL; m = rl_region_family_next(root, m)) {
		if (locate(m, p, block, offset)) {
			*block += base;
			*owner = m;
			return true;
		}
		base += m->small.count + m->large.count;
	}
	return false;
}

enum place { IN_SRC, IN_OUTSIDE, STATIC_OBJ, IMMEDIATE };

/* Classifies a value of g's graph; fails the test on a pointer that is
 * neither static nor inside a live object of src or outside. */
static enum place place_of(const rl_graph *g, rl_val v, size_t *block, size_t *offset)
{
	*block = *offset = 0;
	if (!rl_is_ptr(v))
		return IMMEDIATE;
	enum place where;
	const rl_region *r;
	if (locate_family(g->src, v, block, offset, &r)) {
		where = IN_SRC;
	} else if (locate(g->outside, v, block, offset)) {
		where = IN_OUTSIDE;
		r = g->outside;
	} else {
		CHECK(rl_obj_is_static(rl_ptr(v)), "pointer %#lx is in no region of the graph and not static",
		      (unsigned long)v);
		return STATIC_OBJ;
	}
	rl_block *b = rl_block_of(rl_ptr(v));
	CHECK(b->region == r, "block of %#lx is not owned by its region", (unsigned long)v);
	CHECK(*offset >= RL_BLOCK_HEADER && (char *)v < b->top, "pointer %#lx is outside the block's objects",
	      (unsigned long)v);
	return where;
}

/* Calls fn for every object of r, block by block in chain order. */
static void for_each_object(rl_region *r, void (*fn)(rl_obj *o, void *env), void *env)
{
	rl_block *chains[2] = { r->small.head, r->large.head };
	for (int c = 0; c < 2; c++)
		for (rl_block *b = chains[c]; b != NULL; b = b->next)
			for (rl_obj *o = rl_block_first_obj(b); rl_block_has_obj(b, o);
			     o = (rl_obj *)((char *)o + rl_obj_size(o)))
				fn(o, env);
}

/* Every object in src, live or dead, has a valid header and zero padding
 * (so equal graphs are equal byte for byte), and every slot holds an
 * immediate or a pointer into src, outside or static data: nothing dangles
 * into scratch. */
static void check_object(rl_obj *o, void *env)
{
	const rl_graph *g = env;
	CHECK(rl_obj_type(o) != RL_T_FREE && rl_obj_type(o) < rl_type_count() && !rl_hdr_is_forward(o->hdr),
	      "bad header %#llx in src", (unsigned long long)o->hdr);
	const unsigned char *raw = (const unsigned char *)o->w;
	for (size_t i = rl_obj_bytes(o); i < rl_words_for(rl_obj_bytes(o)) * sizeof(rl_val); i++)
		CHECK(raw[i] == 0, "%s object: padding byte %zu is %#x", rl_type_of(o)->name, i, raw[i]);
	rl_slot_iter it;
	rl_val *s;
	size_t block, offset;
	for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;)
		place_of(g, *s, &block, &offset);
}

static void check_src_objects(rl_graph *g)
{
	for (rl_region *m = g->src; m != NULL; m = rl_region_family_next(g->src, m))
		for_each_object(m, check_object, g);
}

/* Two values correspond when they are equal immediates or static pointers,
 * or point at the same offset of the same block of the same region. */
static void check_same_value(const rl_graph *a, rl_val va, const rl_graph *b, rl_val vb)
{
	size_t ba, oa, bb, ob;
	enum place pa = place_of(a, va, &ba, &oa), pb = place_of(b, vb, &bb, &ob);
	CHECK(pa == pb, "values %#lx and %#lx lie in different places", (unsigned long)va, (unsigned long)vb);
	if (pa == IMMEDIATE || pa == STATIC_OBJ)
		CHECK(va == vb, "values %#lx and %#lx differ", (unsigned long)va, (unsigned long)vb);
	else
		CHECK(ba == bb && oa == ob, "pointers to block %zu+%zu and block %zu+%zu", ba, oa, bb, ob);
}

/* Compares two objects word by word: value slots by place, raw words by bytes. */
static void check_same_object(const rl_graph *a, rl_obj *oa, const rl_graph *b, rl_obj *ob)
{
	CHECK(oa->hdr == ob->hdr, "headers %#llx and %#llx differ", (unsigned long long)oa->hdr,
	      (unsigned long long)ob->hdr);
	size_t words = rl_words_for(rl_obj_bytes(oa));
	rl_slot_iter it;
	rl_slots_begin(&it, oa);
	rl_val *slot = rl_slots_next(&it);
	for (size_t i = 0; i < words; i++) {
		if (&oa->w[i] == slot) {
			check_same_value(a, oa->w[i], b, ob->w[i]);
			slot = rl_slots_next(&it);
		} else {
			CHECK(memcmp(&oa->w[i], &ob->w[i], sizeof(rl_val)) == 0, "raw word %zu differs", i);
		}
	}
}

/* Same block chains, same bytes used, the same objects at the same offsets
 * with corresponding pointers, and corresponding roots: the same layout. */
static void check_same_layout(const rl_graph *a, const rl_graph *b)
{
	CHECK(a->src->small.count == b->src->small.count && a->src->large.count == b->src->large.count,
	      "block counts differ");
	CHECK(a->src->bytes_used == b->src->bytes_used, "bytes used differ");
	check_same_value(a, a->root, b, b->root);
	rl_block *chains_a[2] = { a->src->small.head, a->src->large.head };
	rl_block *chains_b[2] = { b->src->small.head, b->src->large.head };
	for (int c = 0; c < 2; c++) {
		for (rl_block *ba = chains_a[c], *bb = chains_b[c]; ba != NULL; ba = ba->next, bb = bb->next) {
			CHECK(ba->top - rl_block_data(ba) == bb->top - rl_block_data(bb), "block fill differs");
			CHECK(ba->limit - (char *)ba == bb->limit - (char *)bb, "block sizes differ");
			rl_obj *oa = rl_block_first_obj(ba), *ob = rl_block_first_obj(bb);
			for (; rl_block_has_obj(ba, oa); oa = (rl_obj *)((char *)oa + rl_obj_size(oa)),
							 ob = (rl_obj *)((char *)ob + rl_obj_size(ob)))
				check_same_object(a, oa, b, ob);
		}
	}
}

/* ---- every workload ------------------------------------------------------------ */
/* Builds one configuration twice from the same seed and checks the pair;
 * returns the checksum, the census and the bytes src holds. */
static void check_configuration(const struct rl_workload *wl, const char *params, uint64_t *sum, rl_census *census,
				size_t *used)
{
	size_t blocks = rl_blocks_live(), mem = rl_mem_stats_self()->live_bytes;
	rl_graph g1, g2;
	size_t n = small_size(wl);
	make_ok(wl, n, SEED, params, &g1);
	make_ok(wl, n, SEED, params, &g2);
	CHECK(g1.n == n, "%s: n is %zu, expected %zu", wl->name, g1.n, n);
	CHECK(rl_region_contains(g1.src, g1.root), "%s:%s: root does not lie in src", wl->name, params);
	*census = census_of(&g1);
	CHECK(census->objects > 0 && census->bytes > 0, "%s:%s: empty graph", wl->name, params);
	*sum = checksum_of(&g1);
	CHECK(*sum != 0, "%s:%s: checksum failed", wl->name, params);
	CHECK(checksum_of(&g2) == *sum, "%s:%s: same seed, different graphs", wl->name, params);
	check_src_objects(&g1);
	check_same_layout(&g1, &g2);
	*used = g1.src->bytes_used;
	rl_graph_free(&g1);
	rl_graph_free(&g2);
	CHECK(g1.src == NULL && g1.outside == NULL, "rl_graph_free leaves the graph set");
	CHECK(rl_blocks_live() == blocks, "%s:%s: %zu blocks leaked", wl->name, params, rl_blocks_live() - blocks);
	CHECK(rl_mem_stats_self()->live_bytes == mem, "%s:%s: workload memory still held", wl->name, params);
}

static void test_every_workload(void)
{
	size_t count = 0;
	for (size_t i = 0; rl_workloads[i] != NULL; i++, count++) {
		const struct rl_workload *wl = rl_workloads[i];
		uint64_t first_sum = 0;
		rl_census first = { 0, 0 };
		size_t bare_used[2] = { 0, 0 };
		for (size_t l = 0; l < 2; l++) {
			for (size_t gb = 0; gb < 2; gb++) {
				char params[64];
				snprintf(params, sizeof params, "layout=%s,garbage=%s", layouts[l], garbages[gb]);
				uint64_t sum;
				rl_census c;
				size_t used;
				check_configuration(wl, params, &sum, &c, &used);
				if (l == 0 && gb == 0) {
					first_sum = sum;
					first = c;
				}
				CHECK(sum == first_sum, "%s:%s: not the graph of layout=alloc,garbage=0", wl->name,
				      params);
				CHECK(c.objects == first.objects && c.bytes == first.bytes,
				      "%s:%s: census %zu/%zu, expected %zu/%zu", wl->name, params, c.objects, c.bytes,
				      first.objects, first.bytes);
				if (gb == 0)
					bare_used[l] = used;
				else
					CHECK(used > bare_used[l], "%s:%s: garbage added no bytes to src", wl->name,
					      params);
			}
		}
	}
	CHECK(count > 0, "no workload registered");
}

/* Without garbage every object in src is reachable: the workloads allocate
 * nothing dead, which is what makes garbage=RATIO measurable. */
static void test_no_garbage_means_all_live(void)
{
	for (size_t i = 0; rl_workloads[i] != NULL; i++) {
		const struct rl_workload *wl = rl_workloads[i];
		for (size_t l = 0; l < 2; l++) {
			char params[64];
			snprintf(params, sizeof params, "layout=%s", layouts[l]);
			rl_graph g;
			make_ok(wl, small_size(wl), SEED, params, &g);
			rl_census c = census_of(&g);
			size_t used = rl_region_family_bytes(g.src);
			rl_graph_free(&g);
			CHECK(c.bytes == used, "%s:%s: %zu bytes in src, %zu reachable", wl->name, params, used,
			      c.bytes);
		}
	}
}

/* Dead bytes per live byte come out at the requested ratio, within one small
 * object (the placer pays its debt with objects of at most the debt + 16). */
static void test_garbage_ratio(void)
{
	static const char *const ratios[] = { "0.25", "1", "3" };
	static const struct {
		const char *name;
		size_t n;
	} cases[] = { { "list", 200 }, { "tree", 200 }, { "vector", 200 }, { "blobs", 4 } };
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		for (size_t r = 0; r < sizeof ratios / sizeof ratios[0]; r++) {
			for (size_t l = 0; l < 2; l++) {
				char params[64];
				snprintf(params, sizeof params, "layout=%s,garbage=%s", layouts[l], ratios[r]);
				rl_graph g;
				make_ok(workload(cases[k].name), cases[k].n, SEED, params, &g);
				rl_census c = census_of(&g);
				double dead = (double)(g.src->bytes_used - c.bytes), want = atof(ratios[r]) * c.bytes;
				rl_graph_free(&g);
				CHECK(fabs(dead - want) <= 32, "%s:%s: %.0f dead bytes for %zu live, expected %.0f",
				      cases[k].name, params, dead, c.bytes, want);
			}
		}
	}
}

/* live=R is garbage=(1-R)/R: the same dead bytes per live byte as that
 * garbage ratio (within the tolerance above), and live=1 is no garbage at all:
 * the very layout of the bare build. */
static void test_live_ratio(void)
{
	static const struct {
		const char *live;
		double garbage;
	} ratios[] = { { "0.5", 1 }, { "0.8", 0.25 }, { "0.25", 3 } };
	static const struct {
		const char *name;
		size_t n;
	} cases[] = { { "list", 200 }, { "tree", 200 }, { "vector", 200 }, { "blobs", 4 } };
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		for (size_t r = 0; r < sizeof ratios / sizeof ratios[0]; r++) {
			for (size_t l = 0; l < 2; l++) {
				char params[64];
				snprintf(params, sizeof params, "layout=%s,live=%s", layouts[l], ratios[r].live);
				rl_graph g;
				make_ok(workload(cases[k].name), cases[k].n, SEED, params, &g);
				rl_census c = census_of(&g);
				double dead = (double)(g.src->bytes_used - c.bytes), want = ratios[r].garbage * c.bytes;
				rl_graph_free(&g);
				CHECK(fabs(dead - want) <= 32, "%s:%s: %.0f dead bytes for %zu live, expected %.0f",
				      cases[k].name, params, dead, c.bytes, want);
			}
		}
	}
	/* live=0.5 places exactly what garbage=1 places. */
	for (size_t l = 0; l < 2; l++) {
		char live[64], garbage[64];
		snprintf(live, sizeof live, "layout=%s,live=0.5", layouts[l]);
		snprintf(garbage, sizeof garbage, "layout=%s,garbage=1", layouts[l]);
		rl_graph a, b;
		make_ok(workload("tree"), 300, SEED, live, &a);
		make_ok(workload("tree"), 300, SEED, garbage, &b);
		check_same_layout(&a, &b);
		rl_graph_free(&a);
		rl_graph_free(&b);
	}
	/* live=1 is no garbage: every byte reachable, the layout of the bare build. */
	for (size_t i = 0; rl_workloads[i] != NULL; i++) {
		const struct rl_workload *wl = rl_workloads[i];
		for (size_t l = 0; l < 2; l++) {
			char bare[64], live[64];
			snprintf(bare, sizeof bare, "layout=%s", layouts[l]);
			snprintf(live, sizeof live, "layout=%s,live=1", layouts[l]);
			rl_graph a, b;
			make_ok(wl, small_size(wl), SEED, bare, &a);
			make_ok(wl, small_size(wl), SEED, live, &b);
			rl_census c = census_of(&b);
			CHECK(c.bytes == rl_region_family_bytes(b.src), "%s:%s: %zu bytes in src, %zu reachable",
			      wl->name, live, rl_region_family_bytes(b.src), c.bytes);
			check_same_layout(&a, &b);
			rl_graph_free(&a);
			rl_graph_free(&b);
		}
	}
}

/* Garbage costs blocks, not just bytes: the footprint grows with the ratio. */
static void test_garbage_footprint(void)
{
	static const char *const names[] = { "list", "closures" };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t footprint[3];
		for (size_t r = 0; r < 3; r++) {
			char params[32];
			snprintf(params, sizeof params, "garbage=%zu", r * 2);
			rl_graph g;
			make_ok(workload(names[k]), 5000, SEED, params, &g);
			footprint[r] = rl_region_footprint(g.src);
			rl_graph_free(&g);
		}
		CHECK(footprint[0] < footprint[1] && footprint[1] < footprint[2],
		      "%s: footprints %zu, %zu, %zu for garbage 0, 2, 4", names[k], footprint[0], footprint[1],
		      footprint[2]);
	}
}

static void test_seed_matters(void)
{
	static const char *const names[] = { "random", "vector", "blobs", "ffi" };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		rl_graph a, b;
		make_ok(workload(names[k]), small_size(workload(names[k])), 1, "", &a);
		make_ok(workload(names[k]), small_size(workload(names[k])), 2, "", &b);
		uint64_t sa = checksum_of(&a), sb = checksum_of(&b);
		rl_graph_free(&a);
		rl_graph_free(&b);
		CHECK(sa != sb, "%s: seeds 1 and 2 built the same graph", names[k]);
	}
}

/* ---- layout -------------------------------------------------------------------- */
/* Counts the cells of a list whose successor lies at a lower address. */
static size_t descents(rl_val list, size_t *cells)
{
	size_t down = 0;
	*cells = 0;
	for (rl_val v = list; v != RL_NIL; v = rl_ptr(v)->w[1]) {
		rl_val next = rl_ptr(v)->w[1];
		(*cells)++;
		if (next != RL_NIL && next < v)
			down++;
	}
	return down;
}

static void test_shuffled_permutes_addresses(void)
{
	const size_t n = 500;
	size_t cells;
	rl_graph g;
	make_ok(workload("list"), n, SEED, "layout=alloc", &g);
	size_t down = descents(g.root, &cells);
	rl_graph_free(&g);
	CHECK(cells == n && down == 0, "layout=alloc: %zu of %zu cells step down in address", down, cells);

	make_ok(workload("list"), n, SEED, "layout=shuffled", &g);
	down = descents(g.root, &cells);
	rl_graph_free(&g);
	CHECK(cells == n, "layout=shuffled: %zu cells, expected %zu", cells, n);
	/* A random permutation steps down about half the time. */
	CHECK(down > n / 4 && down < 3 * n / 4, "layout=shuffled: %zu of %zu steps go down", down, n);

	/* With garbage, alloc order keeps the live cells ascending. */
	make_ok(workload("list"), n, SEED, "layout=alloc,garbage=2", &g);
	down = descents(g.root, &cells);
	rl_graph_free(&g);
	CHECK(cells == n && down == 0, "layout=alloc,garbage=2: %zu cells step down", down);
}

/* ---- options ---------------------------------------------------------------------- */
static void expect_error(const char *name, size_t n, const char *params, const char *message)
{
	size_t blocks = rl_blocks_live();
	char err[256] = "";
	rl_graph g = { .n = 99 };
	int rc = make_graph(workload(name), n, SEED, params, &g, err, sizeof err);
	CHECK(rc == -1, "%s:%s n=%zu was accepted", name, params, n);
	CHECK(strcmp(err, message) == 0, "%s:%s: message \"%s\", expected \"%s\"", name, params, err, message);
	CHECK(g.src == NULL && g.outside == NULL && g.n == 0, "%s:%s: graph left set", name, params);
	CHECK(rl_blocks_live() == blocks, "%s:%s: blocks leaked", name, params);
}

static void test_bad_options(void)
{
	expect_error("tree", 10, "layout=foo", "workload 'tree': layout=foo: expected one of alloc|shuffled");
	expect_error("tree", 10, "layout=", "workload 'tree': layout=: expected one of alloc|shuffled");
	expect_error("list", 10, "garbage=lots", "workload 'list': garbage=lots: expected a number in [0, 100]");
	expect_error("list", 10, "garbage=101", "workload 'list': garbage=101: expected a number in [0, 100]");
	expect_error("list", 10, "garbage=-0.5", "workload 'list': garbage=-0.5: expected a number in [0, 100]");
	expect_error("list", 10, "garbage=nan", "workload 'list': garbage=nan: expected a number in [0, 100]");
	expect_error("tree", 10, "live=0", "workload 'tree': live=0: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=1.5", "workload 'tree': live=1.5: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=abc", "workload 'tree': live=abc: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=0.005", "workload 'tree': live=0.005: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=-0.5", "workload 'tree': live=-0.5: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=nan", "workload 'tree': live=nan: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=", "workload 'tree': live=: expected a number in [0.01, 1]");
	expect_error("tree", 10, "live=0.5,garbage=1", "workload 'tree': give garbage= or live=, not both");
	expect_error("tree", 10, "garbage=0,live=1", "workload 'tree': give garbage= or live=, not both");
	expect_error("list", 10, "degree=3", "workload 'list': unknown option 'degree' (valid: layout, garbage, live, home, knows)");
	expect_error("random", 10, "depth=3",
		     "workload 'random': unknown option 'depth' (valid: degree, layout, garbage, live, home, knows)");
	/* mixed's own small_live (not the placer's live); sample_options adds small_live=1 after it */
	expect_error("mixed", 10, "small_live=0", "workload 'mixed': small_live=0: expected a number in [0.01, 1]");
	expect_error("random", 10, "degree=65", "workload 'random': degree=65: expected an integer in [0, 64]");
	expect_error("random", 10, "degree=x", "workload 'random': degree=x: expected an integer in [0, 64]");
	expect_error("ladder", 0, "", "workload ladder: size 0: expected at least 1");
}

static void test_random_degree(void)
{
	static const size_t degrees[] = { 0, 1, 5 };
	for (size_t k = 0; k < sizeof degrees / sizeof degrees[0]; k++) {
		char params[32];
		snprintf(params, sizeof params, "degree=%zu", degrees[k]);
		rl_graph g;
		make_ok(workload("random"), SMALL_N, SEED, params, &g);
		rl_census c = census_of(&g);
		rl_obj *node = rl_ptr(g.root);
		size_t slots = rl_words_for(rl_obj_bytes(node));
		rl_graph_free(&g);
		CHECK(c.objects == SMALL_N, "degree=%zu: %zu nodes reachable", degrees[k], c.objects);
		CHECK(slots == degrees[k] + 2, "degree=%zu: %zu slots per node", degrees[k], slots);
	}
}

/* ---- shapes ------------------------------------------------------------------------- */
static void test_ladder(void)
{
	const size_t n = 60; /* 2^60 paths: only a sharing-aware walk finishes */
	rl_graph g;
	make_ok(workload("ladder"), n, SEED, "layout=shuffled,garbage=1", &g);
	rl_census c = census_of(&g);
	rl_obj *top = rl_ptr(g.root);
	bool shared = top->w[0] == top->w[1] && rl_region_contains(g.src, top->w[0]);
	rl_graph_free(&g);
	CHECK(c.objects == n + 1, "ladder %zu: %zu objects, expected %zu", n, c.objects, n + 1);
	CHECK(shared, "ladder: a rung's car and cdr are not the same object");
}

static void test_fan_in(void)
{
	const size_t n = 300;
	rl_graph g;
	make_ok(workload("fan-in"), n, SEED, "layout=shuffled", &g);
	rl_census c = census_of(&g);
	rl_val leaf = rl_ptr(g.root)->w[0];
	size_t cells = 0, same = 0;
	for (rl_val v = g.root; v != RL_NIL; v = rl_ptr(v)->w[1], cells++)
		same += rl_ptr(v)->w[0] == leaf;
	bool boxed = rl_region_contains(g.src, leaf) && rl_obj_type(rl_ptr(leaf)) == RL_T_BOX_INT;
	rl_graph_free(&g);
	CHECK(c.objects == n + 1, "fan-in %zu: %zu objects, expected %zu", n, c.objects, n + 1);
	CHECK(cells == n && same == n && boxed, "fan-in: %zu of %zu cars share one boxed leaf", same, cells);
}

static void test_tree(void)
{
	rl_graph g;
	make_ok(workload("tree"), 1001, SEED, "layout=shuffled", &g);
	rl_census c = census_of(&g);
	rl_graph_free(&g);
	CHECK(c.objects == 1001, "tree 1001: %zu objects", c.objects);
}

static void test_lists(void)
{
	rl_graph g;
	make_ok(workload("boxed-list"), 100, SEED, "layout=shuffled", &g);
	rl_census c = census_of(&g);
	int64_t third;
	memcpy(&third, rl_ptr(rl_ptr(rl_ptr(rl_ptr(g.root)->w[1])->w[1])->w[0])->w, sizeof third);
	rl_graph_free(&g);
	CHECK(c.objects == 200, "boxed-list 100: %zu objects, expected 200", c.objects);
	CHECK(third == 2, "boxed-list: third car holds %lld", (long long)third);

	make_ok(workload("deep-list"), 1000, SEED, "", &g);
	c = census_of(&g);
	rl_graph_free(&g);
	CHECK(c.objects == 1000, "deep-list 1000: %zu objects", c.objects);
	CHECK(workload("deep-list")->default_size >= 10000000, "deep-list is not deep by default");
}

/* Walks n steps along slot `link` from the root and expects to be back. */
static void check_cycle(const char *name, size_t n, const char *params, size_t link, size_t back_link)
{
	rl_graph g;
	make_ok(workload(name), n, SEED, params, &g);
	rl_val v = g.root;
	size_t steps = 0, mismatched = 0;
	do {
		rl_val next = rl_ptr(v)->w[link];
		if (back_link != link && rl_ptr(next)->w[back_link] != v)
			mismatched++;
		v = next;
		steps++;
	} while (v != g.root && steps <= n);
	rl_census c = census_of(&g);
	rl_graph_free(&g);
	CHECK(steps == n, "%s: back at the root after %zu steps, expected %zu", name, steps, n);
	CHECK(mismatched == 0, "%s: %zu nodes whose successor does not point back", name, mismatched);
	CHECK(c.objects == n, "%s: %zu objects, expected %zu", name, c.objects, n);
}

static void test_cycles(void)
{
	check_cycle("ring", 257, "layout=shuffled,garbage=1", 1, 1);
	check_cycle("dlist", 257, "layout=shuffled,garbage=1", 1, 0);
	check_cycle("dlist", 1, "", 1, 0);
	check_cycle("ring", 1, "", 1, 1);
}

static void test_cross_region(void)
{
	const size_t n = 300;
	for (size_t l = 0; l < 2; l++) {
		char params[64];
		snprintf(params, sizeof params, "layout=%s,garbage=1", layouts[l]);
		rl_graph g;
		make_ok(workload("cross-region"), n, SEED, params, &g);
		size_t outside = 0, statics = 0, local = 0, cells = 0;
		for (rl_val v = g.root; v != RL_NIL; v = rl_ptr(v)->w[1], cells++) {
			rl_val car = rl_ptr(v)->w[0];
			if (g.outside != NULL && rl_region_contains(g.outside, car))
				outside++;
			else if (rl_is_ptr(car) && rl_obj_is_static(rl_ptr(car)) &&
				 rl_obj_type(rl_ptr(car)) == RL_T_SYMBOL)
				statics++;
			else if (rl_region_contains(g.src, car))
				local++;
		}
		rl_census c = census_of(&g);
		rl_graph_free(&g);
		CHECK(cells == n, "cross-region: %zu cells", cells);
		CHECK(outside == n / 3 && statics == n / 3 && local == n / 3,
		      "%s: %zu outside, %zu static, %zu local cars", params, outside, statics, local);
		CHECK(c.objects == n + local, "%s: census %zu, expected the %zu cells and %zu boxes", params,
		      c.objects, n, local);
	}
}

/* sub-region: two cars in three lie in a sub-region of src that only src
 * holds (so it dies with src), whatever the layout and garbage; the placer
 * leaves them there. */
static void test_sub_region(void)
{
	const size_t n = 300;
	for (size_t l = 0; l < 2; l++) {
		char params[64];
		snprintf(params, sizeof params, "layout=%s,garbage=1", layouts[l]);
		size_t blocks = rl_blocks_live();
		rl_graph g;
		make_ok(workload("sub-region"), n, SEED, params, &g);
		rl_region *sub = g.src->children;
		CHECK(sub != NULL && sub->sibling == NULL && sub->parent == g.src && (sub->family & RL_REGION_SUB) &&
			      atomic_load(&sub->external_rc) == 1 && sub->large.count == 1,
		      "%s: src has no single unheld sub-region with a large block", params);
		size_t in_sub = 0, own = 0, cells = 0;
		for (rl_val v = g.root; v != RL_NIL; v = rl_ptr(v)->w[1], cells++) {
			rl_val car = rl_ptr(v)->w[0];
			CHECK(rl_region_contains(g.src, car), "%s: car %zu not in src's family", params, cells);
			if (rl_region_contains(sub, car))
				in_sub++;
			else if (rl_region_of(rl_ptr(car)) == g.src)
				own++;
		}
		rl_graph_free(&g);
		CHECK(cells == n && in_sub == n - n / 3 + 1 && own == n / 3 - 1, "%s: %zu cells, %zu cars in sub, %zu in src",
		      params, cells, in_sub, own);
		CHECK(rl_blocks_live() == blocks, "%s: the sub-region outlived src", params);
	}
}

static void check_blobs(void)
{
	rl_graph g;
	make_ok(workload("blobs"), 9, SEED, "layout=shuffled", &g);
	rl_obj *vec = rl_ptr(g.root);
	size_t slots = rl_words_for(rl_obj_bytes(vec)), blobs = 0, strings = 0, small = 0;
	for (size_t i = 0; i < slots; i++) {
		rl_obj *o = rl_ptr(vec->w[i]);
		if (rl_obj_type(o) == RL_T_BLOB) {
			blobs++;
			if (rl_obj_bytes(o) <= rl_block_size || rl_obj_bytes(o) > 3 * rl_block_size ||
			    !rl_region_contains(g.src, vec->w[i]))
				small++;
		} else if (rl_obj_type(o) == RL_T_STRING) {
			strings++;
		}
	}
	size_t large_blocks = g.src->large.count;
	rl_graph_free(&g);
	CHECK(blobs == 9 && strings == 2, "blobs 9: %zu blobs and %zu strings", blobs, strings);
	CHECK(small == 0, "%zu blobs are not between 1 and 3 blocks, or not in src", small);
	CHECK(large_blocks == 9, "%zu large blocks, expected one per blob", large_blocks);
}

static void test_blobs(void)
{
	check_blobs();
	CHECK(rl_blocks_live() == 0, "blocks live before changing the block size");
	CHECK(rl_set_block_size(16384) == 0, "cannot set the block size");
	check_blobs();
	CHECK(rl_set_block_size(RL_BLOCK_SIZE_DEFAULT) == 0, "cannot restore the block size");
}

static void test_closures(void)
{
	const size_t n = 100;
	rl_graph g;
	make_ok(workload("closures"), n, SEED, "layout=shuffled", &g);
	rl_census c = census_of(&g);
	size_t chain = 0, pointer_like_code = 0;
	for (rl_val v = g.root; v != RL_NIL; v = rl_ptr(v)->w[3], chain++) {
		rl_obj *cl = rl_ptr(v);
		if (rl_obj_type(cl) == RL_T_CLOSURE && cl->w[0] != 0 && (cl->w[0] & 7) == 0)
			pointer_like_code++;
	}
	rl_graph_free(&g);
	CHECK(chain == n, "closures: chain of %zu, expected %zu", chain, n);
	CHECK(pointer_like_code == n, "closures: %zu code words look like pointers", pointer_like_code);
	CHECK(c.objects == n + (n + 7) / 8, "closures: %zu objects", c.objects);
}

static void test_ffi_types(void)
{
	rl_graph g;
	make_ok(workload("ffi"), 30, SEED, "", &g);
	unsigned types = rl_type_count();
	rl_graph_free(&g);
	make_ok(workload("ffi"), 30, SEED + 1, "layout=shuffled", &g);
	rl_census c = census_of(&g);
	rl_graph_free(&g);
	CHECK(rl_type_count() == types, "building ffi again registered more types");
	int node = rl_type_lookup("ffi-node"), edge = rl_type_lookup("ffi-edge"), point = rl_type_lookup("ffi-point");
	CHECK(node > 0 && edge > 0 && point > 0, "ffi types not registered");
	uint64_t map = rl_type_table[node].ptr_map;
	CHECK(map != 0 && (map & (map + 1)) != 0, "ffi-node's pointer map %#llx has no hole",
	      (unsigned long long)map);
	CHECK(rl_type_table[point].ptr_map == 0, "ffi-point has pointers");
	CHECK(c.objects == 30, "ffi 30: %zu objects", c.objects);
}

/* ---- failure ------------------------------------------------------------------------- */
/* Fails each allocation in turn: every failure returns -1 with a reason and
 * leaves no block and no memory behind; the sweep ends with a success. */
static void test_allocation_failure(void)
{
	static const struct {
		const char *name, *params;
		size_t n;
	} cases[] = {
		{ "list", "layout=shuffled,garbage=1", 3000 },
		{ "cross-region", "", 3000 },
		{ "blobs", "garbage=0.5", 5 },
		{ "random", "layout=alloc,garbage=0", 3000 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		size_t blocks = rl_blocks_live(), mem = rl_mem_stats_self()->live_bytes;
		size_t failures = 0;
		for (uint64_t at = 1;; at++) {
			char err[256] = "";
			rl_graph g;
			rl_fault_fail_at(at);
			int rc = make_graph(workload(cases[k].name), cases[k].n, SEED, cases[k].params, &g, err,
					    sizeof err);
			rl_fault_fail_at(0);
			if (rc == 0) {
				rl_graph_free(&g);
				break;
			}
			failures++;
			CHECK(strstr(err, "out of memory") != NULL, "%s: failure %llu: \"%s\"", cases[k].name,
			      (unsigned long long)at, err);
			CHECK(rl_blocks_live() == blocks && rl_mem_stats_self()->live_bytes == mem,
			      "%s: failure %llu leaked", cases[k].name, (unsigned long long)at);
			CHECK(at < 100000, "%s: never succeeds", cases[k].name);
		}
		CHECK(failures > 2, "%s: only %zu allocations to fail", cases[k].name, failures);
		CHECK(rl_blocks_live() == blocks, "%s: leaked after success", cases[k].name);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_every_workload);
	RL_RUN(test_no_garbage_means_all_live);
	RL_RUN(test_garbage_ratio);
	RL_RUN(test_live_ratio);
	RL_RUN(test_garbage_footprint);
	RL_RUN(test_seed_matters);
	RL_RUN(test_shuffled_permutes_addresses);
	RL_RUN(test_bad_options);
	RL_RUN(test_random_degree);
	RL_RUN(test_ladder);
	RL_RUN(test_fan_in);
	RL_RUN(test_tree);
	RL_RUN(test_lists);
	RL_RUN(test_cycles);
	RL_RUN(test_cross_region);
	RL_RUN(test_sub_region);
	RL_RUN(test_blobs);
	RL_RUN(test_closures);
	RL_RUN(test_ffi_types);
	RL_RUN(test_allocation_failure);
	return rl_test_summary(argv[0]);
}
