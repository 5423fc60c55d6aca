/* What a region knows without a trace (regionlab/knowledge.h) and the
 * workloads' home=sub (regionlab/workload.h), checked against a trace:
 *   - the "all of this is the result" hint the workloads set is true: the
 *     bytes reachable from the root inside the home are all of its bytes;
 *   - home=sub puts the whole graph in a sub-region of src held by src alone
 *     and the garbage in src, which points at nothing in the home;
 *   - rl_store sets "pointed into from outside" and "points out" exactly for
 *     stores that cross a family's border;
 *   - the byte counts are the allocator's.
 * Every registered workload is covered (the registry, never a list here). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/adopt.h"
#include "regionlab/knowledge.h"
#include "regionlab/transmigrator.h"
#include "regionlab/workload.h"
#include "tests/check.h"

#define SEED 11u

static void make(const struct rl_workload *wl, const char *extra, rl_graph *g)
{
	char spec[256], err[256];
	rl_kv_list kv;
	const char *sample = wl->sample_options;
	snprintf(spec, sizeof spec, "%s%s%s", extra, sample ? "," : "", sample ? sample : "");
	size_t n = wl->default_size >= 100000 ? 1000 : (wl->default_size / 50 ? wl->default_size / 50 : 1);
	CHECK(rl_kv_parse(spec, &kv, err, sizeof err) == 0, "%s", err);
	CHECK(rl_graph_make(wl, n, SEED, &kv, g, err, sizeof err) == 0, "%s: %s", wl->name, err);
}

/* The region that holds the root: src, or its home sub-region. */
static rl_region *home_of(const rl_graph *g) { return rl_region_of(rl_ptr(g->root)); }

/* Bytes reachable from root inside r (its family). */
static size_t reachable_in(rl_val root, const rl_region *r)
{
	rl_ranges inside;
	rl_census c;
	CHECK(rl_ranges_of(r, &inside) == 0, "out of memory");
	CHECK(rl_oracle_census(root, &inside, &c) == 0, "out of memory");
	rl_ranges_free(&inside);
	return c.bytes;
}

static void test_all_result_hint_is_true(void)
{
	for (size_t i = 0; rl_workloads[i] != NULL; i++) {
		const struct rl_workload *wl = rl_workloads[i];
		const char *specs[] = { "knows=dense", "home=src", "home=sub", "layout=shuffled,home=sub", "garbage=0.5",
					"home=sub,garbage=0.5" };
		for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
			if (wl->homes_results && strstr(specs[s], "home=sub") != NULL)
				continue; /* its results' homes: test_result_homes */
			rl_graph g;
			make(wl, specs[s], &g);
			rl_region *home = home_of(&g);
			rl_region_knowledge k = rl_region_knowledge_of(home);
			/* garbage in the home, or a runtime that does not know (knows=nothing): no hint */
			bool garbage = strcmp(specs[s], "garbage=0.5") == 0 || strcmp(specs[s], "home=src") == 0;
			CHECK(k.all_result == !garbage, "%s %s: hint %d", wl->name, specs[s], k.all_result);
			if (k.all_result) {
				/* the home's own bytes: its family less any sub-region of its own */
				size_t reach = reachable_in(g.root, home);
				CHECK(reach == home->bytes_used + k.subregion_bytes || home == g.src,
				      "%s %s: %zu bytes reachable of the home's %zu", wl->name, specs[s], reach,
				      home->bytes_used);
				if (home == g.src) {
					/* src may hold a workload sub-region too: its bytes count */
					CHECK(reach == rl_region_family_bytes(home),
					      "%s %s: %zu bytes reachable of src's %zu", wl->name, specs[s], reach,
					      rl_region_family_bytes(home));
				}
			}
			rl_graph_free(&g);
		}
	}
}

/* Nothing in src's own blocks points into the home. */
struct border {
	const rl_region *src, *home;
	size_t crossings;
};

static void count_crossings(rl_block *b, void *env)
{
	struct border *e = env;
	if (b->region != e->src)
		return;
	for (rl_obj *o = rl_block_first_obj(b); rl_block_has_obj(b, o); o = (rl_obj *)((char *)o + rl_obj_size(o))) {
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;)
			e->crossings += rl_region_contains(e->home, *s);
	}
}

static void test_home_sub(void)
{
	for (size_t i = 0; rl_workloads[i] != NULL; i++) {
		const struct rl_workload *wl = rl_workloads[i];
		rl_graph g;
		if (wl->homes_results)
			continue; /* test_result_homes */
		make(wl, "home=sub,garbage=1", &g);
		rl_region *home = home_of(&g);
		CHECK(home != g.src && home->parent == g.src && (home->family & RL_REGION_SUB) &&
			      atomic_load(&home->external_rc) == 1,
		      "%s: the root is not in a sub-region held by src alone", wl->name);
		CHECK(g.src->bytes_used > 0, "%s: no garbage in src", wl->name);
		rl_graph_free(&g);
		make(wl, "home=sub", &g);
		CHECK(g.src->bytes_used == 0, "%s: without garbage src itself holds %zu bytes", wl->name,
		      g.src->bytes_used);
		rl_graph_free(&g);
		make(wl, "home=sub,garbage=1", &g);
		home = home_of(&g);
		struct border e = { g.src, home, 0 };
		rl_region_for_each_block(g.src, count_crossings, &e);
		CHECK(e.crossings == 0, "%s: %zu slots of src point into the home", wl->name, e.crossings);
		CHECK(!rl_region_knowledge_of(home).pointed_into, "%s: the home is marked pointed into", wl->name);
		rl_graph_free(&g);
	}
}

static void test_store_flags(void)
{
	rl_region *a = rl_region_create("a"), *b = rl_region_create("b");
	CHECK(a && b, "out of memory");
	rl_region *sub = rl_subregion_create(a, "sub");
	CHECK(sub != NULL, "out of memory");
	rl_obj *x = rl_obj_new(a, RL_T_CONS, 16), *y = rl_obj_new(a, RL_T_CONS, 16), *z = rl_obj_new(b, RL_T_CONS, 16),
	       *s = rl_obj_new(sub, RL_T_CONS, 16);
	CHECK(x && y && z && s, "out of memory");
	rl_store(rl_val_of(x), &x->w[0], rl_val_of(y)); /* inside a */
	rl_store(rl_val_of(x), &x->w[1], rl_val_of(s)); /* a into its own sub-region */
	rl_store(rl_val_of(x), &x->w[1], rl_fixnum(3));
	CHECK(a->knows == 0 && b->knows == 0, "a store inside a family set a flag: a %u b %u", a->knows, b->knows);
	CHECK(sub->knows == RL_KNOWS_POINTED_INTO, "the parent's store into its sub-region: sub %u", sub->knows);
	CHECK(rl_region_knowledge_of(sub).pointed_from == rl_val_of(x) &&
		      rl_region_knowledge_of(sub).pointed_from_slot == &x->w[1],
	      "sub is pointed into from x alone, first through its slot 1");
	rl_store(rl_val_of(x), &x->w[0], rl_val_of(s)); /* x again: still one object */
	CHECK(rl_region_knowledge_of(sub).pointed_from == rl_val_of(x) &&
		      rl_region_knowledge_of(sub).pointed_from_slot == &x->w[1],
	      "a second store from x made it many, or moved the recorded slot");
	/* x's slot 1 was overwritten (a fixnum): what x holds of sub is in its
	 * slot 0 now, not where the first store went, so sub is no clean home
	 * of a result x holds; put back, it is. */
	CHECK(!rl_region_clean_child_home(a, sub, rl_val_of(x)), "a home whose recorded slot was overwritten");
	rl_store(rl_val_of(x), &x->w[1], rl_val_of(s));
	CHECK(rl_region_clean_child_home(a, sub, rl_val_of(x)) && !rl_region_clean_child_home(a, sub, rl_val_of(y)),
	      "sub is a clean home of what x holds, and only of that");
	rl_store(rl_val_of(y), &y->w[0], rl_val_of(s)); /* a second object */
	CHECK(sub->knows == (RL_KNOWS_POINTED_INTO | RL_KNOWS_POINTED_FROM_MANY) &&
		      rl_region_knowledge_of(sub).pointed_from == RL_NIL &&
		      !rl_region_clean_child_home(a, sub, rl_val_of(x)),
	      "stores from x and y: sub %u", sub->knows);
	rl_store(rl_val_of(z), &z->w[0], rl_val_of(x)); /* b into a */
	CHECK(x->w[0] == rl_val_of(s) && z->w[0] == rl_val_of(x), "rl_store did not store");
	rl_region_knowledge ka = rl_region_knowledge_of(a), kb = rl_region_knowledge_of(b);
	CHECK(ka.pointed_into && !ka.points_out && kb.points_out && !kb.pointed_into, "a %u b %u", a->knows, b->knows);
	CHECK(ka.pointed_from == rl_val_of(z), "a is pointed into from z alone");
	rl_val global;
	rl_region *c = rl_region_create("c");
	rl_obj *w = rl_obj_new(c, RL_T_BOX_INT, 8);
	CHECK(c && w, "out of memory");
	rl_store(RL_NIL, &global, rl_val_of(w)); /* a root outside every region */
	CHECK(c->knows == (RL_KNOWS_POINTED_INTO | RL_KNOWS_POINTED_FROM_MANY) && global == rl_val_of(w) &&
		      rl_region_knowledge_of(c).pointed_from == RL_NIL,
	      "a root store: c %u", c->knows);
	ka = rl_region_knowledge_of(a);
	CHECK(ka.bytes == a->bytes_used && ka.subregion_bytes == sub->bytes_used && ka.sole_owner && !ka.all_result,
	      "a's byte counts");
	rl_region_hint_all_result(a, true);
	CHECK(rl_region_knowledge_of(a).all_result, "the hint did not stick");
	rl_region_destroy(a);
	rl_region_destroy(b);
	rl_region_destroy(c);
}

/* One call of strategy `name` on g, judged by the oracle (which destroys
 * g->src); returns the decision the strategy reported.  src has one owner
 * (every strategy is legal), or two when `shared` (knows=nothing|dense|home:
 * adaptive then does not adopt src whole). */
static const char *judged_with(const char *name, rl_graph *g, rl_tm_report *report, bool shared)
{
	const struct rl_transmigrator *tm = rl_find_transmigrator(name);
	CHECK(tm != NULL, "%s is not registered", name);
	rl_region *dst = rl_region_create("dst");
	CHECK(dst != NULL, "out of memory");
	atomic_store(&g->src->external_rc, shared ? 2 : 1);
	rl_oracle_before b;
	CHECK(rl_oracle_before_call(&b, g->root, g->src, dst) == 0, "oracle: out of memory");
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out;
	CHECK(tm->transmigrate(&ctx, g->src, dst, g->root, &out) == RL_TM_OK, "%s failed", name);
	CHECK(tm->finish(&ctx) == RL_TM_OK, "%s: finish failed", name);
	char why[512];
	CHECK(rl_oracle_after_success(&b, g->root, out, &g->src, dst, !(tm->caps & RL_TM_CONSUMES_SRC), why,
				      sizeof why) == 0,
	      "%s: %s", name, why);
	rl_oracle_before_free(&b);
	rl_graph_free(g);
	rl_region_destroy(dst);
	*report = ctx.report;
	return ctx.report.decision != NULL ? ctx.report.decision : "";
}

static const char *judged(const char *name, rl_graph *g, rl_tm_report *report)
{
	return judged_with(name, g, report, false);
}

/* splice moves a clean home's blocks without a trace (nothing copied, every
 * byte of the home spliced) and says so; otherwise it traces and says why. */
static void test_splice_home(void)
{
	size_t blocks = rl_blocks_live();
	rl_tm_report rep;
	rl_graph g;
	make(rl_find_workload("list"), "home=sub,garbage=1", &g);
	size_t home_bytes = home_of(&g)->bytes_used;
	const char *d = judged("splice", &g, &rep);
	CHECK(strcmp(d, "home sub-region spliced, no trace") == 0 && rep.bytes_copied == 0 &&
		      rep.bytes_spliced == home_bytes && rep.garbage_bytes == 0,
	      "clean home: decision '%s', %llu copied, %llu spliced of %zu", d, (unsigned long long)rep.bytes_copied,
	      (unsigned long long)rep.bytes_spliced, home_bytes);

	make(rl_find_workload("sub-region"), "home=sub", &g); /* its cells point into the workload's sub-region */
	d = judged("splice", &g, &rep);
	CHECK(strcmp(d, "traced: the home sub-region points out of itself") == 0, "decision '%s'", d);

	make(rl_find_workload("tree"), "home=sub", &g);
	rl_region *home = home_of(&g);
	rl_region_retain(home); /* a second holder: the home outlives src */
	d = judged("splice", &g, &rep);
	CHECK(strcmp(d, "traced: the home sub-region has another holder") == 0, "decision '%s'", d);
	rl_region_release(home);

	make(rl_find_workload("list"), "home=sub", &g);
	rl_region *other = rl_region_create("other");
	CHECK(other != NULL, "out of memory");
	rl_obj *holder = rl_obj_new(other, RL_T_CONS, 16);
	CHECK(holder != NULL, "out of memory");
	rl_store(rl_val_of(holder), &holder->w[0], g.root); /* pointed into from outside */
	holder->w[1] = RL_NIL;
	d = judged("splice", &g, &rep);
	CHECK(strcmp(d, "traced: the home sub-region is pointed into from outside") == 0, "decision '%s'", d);
	rl_region_destroy(other);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* rl_subregion_adopt (the home path's move) touches no block: the moved
 * blocks still name the home, which is now dst's dropped alias, so dst
 * contains the graph and src's family no longer does; the alias's RCB goes
 * with dst (ASan: no leak).  Refused, with nothing changed: a held
 * sub-region, a region that is no sub-region, a dst inside the sub-region. */
static void test_subregion_adopt(void)
{
	size_t blocks = rl_blocks_live();
	rl_graph g;
	make(rl_find_workload("tree"), "home=sub,garbage=1", &g);
	rl_region *home = home_of(&g), *dst = rl_region_create("dst");
	CHECK(dst != NULL, "out of memory");
	size_t home_bytes = home->bytes_used, src_bytes = g.src->bytes_used;
	const rl_block *first = rl_block_of(rl_ptr(g.root));

	rl_region_retain(home); /* a second holder: refused */
	CHECK(rl_subregion_adopt(dst, home) == -1 && home->parent == g.src, "a held sub-region was adopted");
	rl_region_release(home);
	CHECK(rl_subregion_adopt(home, g.src) == -1 && g.src->parent == NULL, "src (no sub-region) was adopted");
	rl_region *below = rl_subregion_create(home, "below");
	CHECK(below != NULL, "out of memory");
	CHECK(rl_subregion_adopt(below, home) == -1 && home->parent == g.src && (home->family & RL_REGION_SUB) &&
		      g.src->children == home,
	      "a sub-region was adopted by a region of its own family, or not put back");
	rl_region_destroy(below);

	CHECK(rl_subregion_adopt(dst, home) == 0, "a clean home was refused");
	CHECK(home->parent == dst && (home->family & (RL_REGION_ALIAS | RL_REGION_DROPPED)) ==
					     (RL_REGION_ALIAS | RL_REGION_DROPPED) &&
		      !(home->family & RL_REGION_SUB),
	      "the home is not dst's dropped alias (family %#x)", home->family);
	CHECK(first->region == home, "a block's owner was rewritten (the move is O(1))");
	CHECK(rl_region_contains(dst, g.root) && !rl_region_contains(g.src, g.root), "membership did not move");
	CHECK(dst->bytes_used == home_bytes && g.src->bytes_used == src_bytes && g.src->children == NULL,
	      "bytes: dst %zu of %zu, src %zu of %zu", dst->bytes_used, home_bytes, g.src->bytes_used, src_bytes);
	rl_region_destroy(g.src); /* the garbage; the graph stays in dst */
	CHECK(rl_block_of(rl_ptr(g.root)) == first, "the graph's block went with src");
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak: %zu blocks live, %zu before", rl_blocks_live(), blocks);
}

/* Marks the children of `order` whose bit is set in mask and sets them
 * aside; returns the list, after checking that exactly those left the
 * family (neither walked nor contained) and lost their mark. */
static rl_region *set_aside_mask(rl_region *parent, rl_region *const order[5], unsigned mask)
{
	for (int i = 0; i < 5; i++)
		if (mask & (1u << i))
			order[i]->family |= RL_REGION_TAKE;
	rl_region *aside = rl_subregion_set_aside(parent);
	size_t taken = 0;
	for (rl_region *a = aside; a != NULL; a = a->aside_next)
		taken++;
	CHECK(taken == (size_t)__builtin_popcount(mask), "mask %#x: %zu set aside", mask, taken);
	for (int i = 0; i < 5; i++) {
		bool gone = (mask & (1u << i)) != 0;
		CHECK(!(order[i]->family & RL_REGION_TAKE), "mask %#x: the mark stayed", mask);
		bool walked = false;
		for (const rl_region *m = parent; m != NULL; m = rl_region_family_next(parent, m))
			walked |= m == order[i];
		rl_val inside = rl_val_of(rl_block_first_obj(order[i]->small.head));
		CHECK(walked == !gone && rl_region_contains(parent, inside) == !gone, "mask %#x: child %d %s", mask, i,
		      gone ? "still in the family" : "left the family");
	}
	return aside;
}

/* rl_subregion_set_aside takes exactly the sub-regions marked RL_REGION_TAKE
 * out of the family, and put back returns each where it was, so that the
 * family's order, and with it the oracle's hash of src, is as before;
 * adopting them instead moves their blocks into dst and leaves the others.
 * Every pattern of 5 children is set aside, put back, set aside again and
 * adopted (the head, the tail, neighbours, none, all). */
static void test_subregion_set_aside(void)
{
	size_t blocks = rl_blocks_live();
	for (unsigned mask = 0; mask < 32; mask++) {
		rl_region *parent = rl_region_create("parent"), *order[5];
		CHECK(parent != NULL, "out of memory");
		for (int i = 0; i < 5; i++) {
			rl_region *sub = rl_subregion_create(parent, "sub");
			CHECK(sub != NULL && rl_obj_new(sub, RL_T_BOX_INT, 8) != NULL, "out of memory");
		}
		uint64_t hash = rl_oracle_region_hash(parent);
		size_t bytes = rl_region_family_bytes(parent), marked = (size_t)__builtin_popcount(mask);
		int k = 0;
		for (rl_region *c = parent->children; c != NULL; c = c->sibling)
			order[k++] = c;

		rl_subregion_put_back(parent, set_aside_mask(parent, order, mask));
		k = 0;
		for (rl_region *c = parent->children; c != NULL; c = c->sibling, k++)
			CHECK(k < 5 && c == order[k] && c->parent == parent && c->aside_next == NULL,
			      "mask %#x: child %d out of place after put back", mask, k);
		CHECK(k == 5 && rl_oracle_region_hash(parent) == hash && rl_region_family_bytes(parent) == bytes,
		      "mask %#x: the family differs after put back", mask);

		rl_region *dst = rl_region_create("dst");
		CHECK(dst != NULL, "out of memory");
		CHECK(rl_subregion_adopt_aside(dst, set_aside_mask(parent, order, mask)) == bytes * marked / 5 &&
			      rl_region_family_bytes(parent) == bytes - bytes * marked / 5 &&
			      dst->bytes_used == bytes * marked / 5,
		      "mask %#x: bytes after adoption", mask);
		rl_region_destroy(parent);
		rl_region_destroy(dst);
	}
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* Every strategy on every workload with its graph in a home sub-region and
 * garbage in src passes the oracle. */
static void test_every_strategy_home_sub(void)
{
	for (size_t s = 0; rl_transmigrators[s] != NULL; s++)
		for (size_t i = 0; rl_workloads[i] != NULL; i++) {
			const char *specs[] = { "home=sub", "home=sub,garbage=0.5,layout=shuffled" };
			for (size_t k = 0; k < 2; k++) {
				rl_graph g;
				rl_tm_report rep;
				make(rl_workloads[i], specs[k], &g);
				judged(rl_transmigrators[s]->name, &g, &rep);
			}
		}
}

/* The sub-regions of src that are result homes (named "result home" by
 * rl_wl_home_begin; mixed makes no other), and their bytes. */
static size_t result_homes(const rl_graph *g, size_t *bytes)
{
	size_t homes = 0;
	*bytes = 0;
	for (const rl_region *c = g->src->children; c != NULL; c = c->sibling) {
		if (strcmp(c->name, "result home") != 0)
			continue;
		homes++;
		*bytes += c->bytes_used;
	}
	return homes;
}

/* A workload that homes its results (mixed under knows=home): each home is
 * a sub-region of src held by src alone, all of it reachable, marked as all
 * result, pointed into by the root vector alone and pointing nowhere out,
 * so a clean home of what the root holds; the root and the small results
 * stay in src.  adaptive (step 0b) moves every home into dst whole and
 * copies the rest, judged by the oracle; a second object storing a pointer
 * into a home makes it unclean, and adaptive then copies it. */
static void test_result_homes(void)
{
	size_t blocks = rl_blocks_live();
	const struct rl_workload *wl = rl_find_workload("mixed");
	CHECK(wl != NULL && wl->homes_results, "mixed does not home its results");
	const char *specs[] = { "knows=home", "home=sub,garbage=0.5,layout=shuffled" };
	for (size_t k = 0; k < 2; k++) {
		rl_graph g;
		make(wl, specs[k], &g);
		CHECK(home_of(&g) == g.src, "%s: the root is not in src", specs[k]);
		size_t home_bytes, homes = result_homes(&g, &home_bytes);
		CHECK(homes == 3, "%s: %zu result homes, not big=3", specs[k], homes);
		for (const rl_region *c = g.src->children; c != NULL; c = c->sibling) {
			rl_region_knowledge kc = rl_region_knowledge_of(c);
			CHECK(kc.sole_owner && kc.all_result && kc.pointed_into && kc.pointed_from == g.root &&
				      !kc.points_out && rl_region_clean_child_home(g.src, c, g.root),
			      "%s: a home is not clean for the root (knows %u)", specs[k], c->knows);
			size_t reach = 0; /* the census stops at src's root: start at its slots (one per home) */
			for (size_t j = 0; j < rl_slots_count(rl_ptr(g.root)); j++)
				if (rl_region_contains(c, rl_ptr(g.root)->w[j]))
					reach += reachable_in(rl_ptr(g.root)->w[j], c);
			CHECK(reach == c->bytes_used, "%s: %zu bytes of a home's %zu reachable", specs[k], reach,
			      c->bytes_used);
		}
		CHECK(reachable_in(g.root, g.src) > home_bytes, "%s: nothing of the graph outside the homes", specs[k]);
		rl_tm_report rep;
		const char *d = judged_with("adaptive", &g, &rep, true);
		CHECK(strncmp(d, "homes+", 6) == 0 && rep.bytes_spliced == home_bytes && rep.bytes_copied > 0,
		      "%s: adaptive: decision '%s', %llu spliced of %zu", specs[k], d,
		      (unsigned long long)rep.bytes_spliced, home_bytes);
	}

	/* The root's slot that holds one large result is overwritten: that home
	 * is garbage, left to the trace (which finds none of it), and the others
	 * still move whole. */
	{
		rl_graph gg;
		make(wl, "knows=home", &gg);
		rl_obj *root = rl_ptr(gg.root);
		size_t all_bytes, dropped = 0;
		result_homes(&gg, &all_bytes);
		for (size_t j = 0; j < rl_slots_count(root) && dropped == 0; j++) {
			rl_region *r = rl_is_ptr(root->w[j]) ? rl_region_of(rl_ptr(root->w[j])) : NULL;
			if (r != NULL && r != gg.src) {
				dropped = r->bytes_used;
				rl_store(gg.root, &root->w[j], rl_fixnum(0));
			}
		}
		CHECK(dropped != 0, "no slot of the root holds a large result");
		rl_tm_report rep;
		const char *d = judged_with("adaptive", &gg, &rep, true);
		CHECK(strncmp(d, "homes+", 6) == 0 && rep.bytes_spliced == all_bytes - dropped,
		      "a dropped result: decision '%s', %llu spliced, expected %zu", d,
		      (unsigned long long)rep.bytes_spliced, all_bytes - dropped);
	}

	/* A second object points into one home: that home is copied. */
	rl_graph g;
	make(wl, "knows=home", &g);
	rl_obj *other = rl_obj_new(g.src, RL_T_CONS, 16);
	CHECK(other != NULL, "out of memory");
	rl_val into = rl_ptr(g.root)->w[0];
	CHECK(rl_is_ptr(into) && rl_region_of(rl_ptr(into)) != g.src, "the root's first slot is not a result's home");
	rl_store(rl_val_of(other), &other->w[0], into);
	other->w[1] = RL_NIL;
	size_t home_bytes;
	result_homes(&g, &home_bytes);
	size_t unclean = rl_region_of(rl_ptr(into))->bytes_used;
	rl_tm_report rep;
	const char *d = judged_with("adaptive", &g, &rep, true);
	CHECK(strncmp(d, "homes+", 6) == 0 && rep.bytes_spliced == home_bytes - unclean,
	      "one home pointed into twice: decision '%s', %llu spliced, expected %zu", d,
	      (unsigned long long)rep.bytes_spliced, home_bytes - unclean);
	CHECK(rl_blocks_live() == blocks, "leak");
}

static void test_home_bad_value(void)
{
	char err[256];
	rl_kv_list kv;
	rl_graph g;
	CHECK(rl_kv_parse("home=parent", &kv, err, sizeof err) == 0, "%s", err);
	CHECK(rl_graph_make(rl_find_workload("list"), 10, SEED, &kv, &g, err, sizeof err) == -1, "home=parent accepted");
	CHECK(strcmp(err, "workload 'list': home=parent: expected one of src|sub") == 0, "message \"%s\"", err);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_store_flags);
	RL_RUN(test_all_result_hint_is_true);
	RL_RUN(test_home_sub);
	RL_RUN(test_home_bad_value);
	RL_RUN(test_splice_home);
	RL_RUN(test_subregion_adopt);
	RL_RUN(test_subregion_set_aside);
	RL_RUN(test_every_strategy_home_sub);
	RL_RUN(test_result_homes);
	return rl_test_summary(argv[0]);
}
