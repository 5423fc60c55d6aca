/* Unit tests of the strategies of issue 3 and the mechanisms they share:
 * adoption and sub-regions, liveness, the block mover, the Cheney engine's
 * undo, the forwarding side table, incremental evacuation (barrier, steps,
 * the background thread, a failing finish) and the adaptive evacuator's
 * decisions.  tests/test_contract.c runs every strategy through the oracle
 * and the fault sweep; these tests check what is particular to each one.
 * Properties only, never timings. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/adopt.h"
#include "regionlab/knowledge.h"
#include "regionlab/cheney.h"
#include "regionlab/dfcopy.h"
#include "regionlab/evacuate.h"
#include "regionlab/fwdmap.h"
#include "regionlab/liveness.h"
#include "regionlab/mem.h"
#include "regionlab/region.h"
#include "regionlab/transmigrator.h"
#include "regionlab/workload.h"
#include "tests/check.h"
#include "tests/objects.h"

#define SEED 7u
#define WHY_LEN 512

/* ---- helpers --------------------------------------------------------------------- */

/* A list of n cons cells in r, car i = fixnum i. */
static rl_val make_list(rl_region *r, size_t n)
{
	rl_val head = RL_NIL;
	for (size_t i = n; i-- > 0;) {
		rl_obj *c = rl_obj_new(r, RL_T_CONS, 2 * sizeof(rl_val));
		CHECK(c != NULL, "out of memory");
		c->w[0] = rl_fixnum((intptr_t)i);
		c->w[1] = head;
		head = rl_val_of(c);
	}
	return head;
}

static size_t list_sum(rl_val v)
{
	size_t sum = 0;
	for (; rl_is_ptr(v); v = rl_ptr(v)->w[1])
		sum += (size_t)rl_fixnum_value(rl_ptr(v)->w[0]);
	return sum;
}

static size_t chain_count(const rl_block_list *l)
{
	size_t n = 0;
	for (const rl_block *b = l->head; b != NULL; b = b->next)
		n++;
	return n;
}

/* A workload graph with a destination, built from "name" and "k=v,..." */
struct graph_case {
	rl_graph g;
	rl_region *dst;
	rl_oracle_before before;
};

static void graph_case_make(struct graph_case *gc, const char *workload, size_t n, const char *params)
{
	char err[256];
	rl_kv_list kv;
	const struct rl_workload *wl = rl_find_workload(workload);
	CHECK(wl != NULL, "workload %s is not registered", workload);
	CHECK(rl_kv_parse(params, &kv, err, sizeof err) == 0, "%s", err);
	CHECK(rl_graph_make(wl, n, SEED, &kv, &gc->g, err, sizeof err) == 0, "%s", err);
	gc->dst = rl_region_create("dst");
	CHECK(gc->dst != NULL, "out of memory");
	CHECK(rl_oracle_before_call(&gc->before, gc->g.root, gc->g.src, gc->dst) == 0, "oracle: out of memory");
}

static void graph_case_free(struct graph_case *gc)
{
	rl_oracle_before_free(&gc->before);
	rl_region_destroy(gc->dst);
	rl_graph_free(&gc->g);
}

/* Runs strategy `spec` ("name:k=v") on gc: returns its ctx and out. */
static int run_strategy(const char *spec, struct graph_case *gc, rl_tm_ctx *ctx, rl_kv_list *opts, rl_val *out)
{
	char name[64], err[256];
	CHECK(rl_kv_split_spec(spec, name, sizeof name, opts, err, sizeof err) == 0, "%s", err);
	const struct rl_transmigrator *tm = rl_find_transmigrator(name);
	CHECK(tm != NULL, "strategy %s is not registered", name);
	*ctx = (rl_tm_ctx){ .opts = opts };
	return tm->transmigrate(ctx, gc->g.src, gc->dst, gc->g.root, out);
}

/* The whole contract after a successful call (destroys src). */
static void judge(const char *spec, struct graph_case *gc, rl_tm_ctx *ctx, rl_val out)
{
	char name[64], why[WHY_LEN];
	rl_kv_list opts;
	CHECK(rl_kv_split_spec(spec, name, sizeof name, &opts, why, sizeof why) == 0, "%s", why);
	const struct rl_transmigrator *tm = rl_find_transmigrator(name);
	CHECK(tm->finish(ctx) == RL_TM_OK, "%s: finish failed", spec);
	CHECK(rl_oracle_after_success(&gc->before, gc->g.root, out, &gc->g.src, gc->dst,
				      !(tm->caps & RL_TM_CONSUMES_SRC), why, sizeof why) == 0,
	      "%s: %s", spec, why);
}

/* Fails each allocation of one call in turn (like the contract's sweep, but
 * for any workload and options): clause 4 after every failure. */
static void fault_sweep(const char *spec, const char *workload, size_t n, const char *params)
{
	for (uint64_t k = 1;; k++) {
		struct graph_case gc;
		rl_tm_ctx ctx;
		rl_kv_list opts;
		rl_val out;
		char why[WHY_LEN];
		size_t blocks = rl_blocks_live();
		graph_case_make(&gc, workload, n, params);
		rl_fault_fail_at(k);
		int rc = run_strategy(spec, &gc, &ctx, &opts, &out);
		uint64_t reached = rl_fault_count();
		rl_fault_fail_at(0);
		if (rc == RL_TM_OK) {
			judge(spec, &gc, &ctx, out);
			graph_case_free(&gc);
			CHECK(rl_blocks_live() == blocks, "%s: blocks leaked", spec);
			if (reached < k)
				return;
			continue;
		}
		CHECK(rc == RL_TM_ENOMEM, "%s k=%llu: returned %d", spec, (unsigned long long)k, rc);
		CHECK(rl_oracle_after_failure(&gc.before, gc.g.src, gc.dst, why, sizeof why) == 0, "%s k=%llu: %s",
		      spec, (unsigned long long)k, why);
		graph_case_free(&gc);
		CHECK(rl_blocks_live() == blocks, "%s k=%llu: blocks leaked", spec, (unsigned long long)k);
	}
}

/* ---- adoption and sub-regions ------------------------------------------------------ */

static void test_adopt_moves_everything_in_place(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src != NULL && dst != NULL, "out of memory");
	rl_val d = make_list(dst, 10);
	rl_val s = make_list(src, 20000); /* several blocks */
	size_t src_blocks = src->small.count, dst_blocks = dst->small.count, used = src->bytes_used + dst->bytes_used;
	CHECK(rl_region_adopt(dst, src) == 0, "adopt refused");
	CHECK(src->small.head == NULL && src->small.count == 0 && src->bytes_used == 0, "src still holds blocks");
	CHECK(dst->small.count == src_blocks + dst_blocks && chain_count(&dst->small) == dst->small.count,
	      "dst chain has %zu blocks, expected %zu", chain_count(&dst->small), src_blocks + dst_blocks);
	CHECK(dst->bytes_used == used, "bytes_used not carried over");
	CHECK(rl_region_contains(dst, s) && rl_region_contains(dst, d), "dst does not contain the adopted graph");
	CHECK(rl_region_of(rl_ptr(s)) == src, "blocks were rewritten (adoption must not touch them)");
	CHECK(list_sum(s) == 20000u * 19999u / 2, "adopted list reads wrong");
	/* Bump allocation goes on in the adopted tail block. */
	rl_val more = make_list(dst, 3);
	CHECK(rl_region_contains(dst, more), "new objects not in dst");
	rl_region_destroy(src); /* an alias: only the handle goes */
	CHECK(rl_blocks_live() == blocks + dst->small.count, "destroying the alias freed blocks");
	CHECK(list_sum(s) == 20000u * 19999u / 2, "adopted list changed after the alias went");
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "%zu blocks leaked", rl_blocks_live() - blocks);
}

static void test_adopt_nested_and_orphans(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *a = rl_region_create("a"), *b = rl_region_create("b"), *c = rl_region_create("c");
	CHECK(a && b && c, "out of memory");
	rl_val vb = make_list(b, 100), va = make_list(a, 100);
	CHECK(!rl_region_can_adopt(a, a), "a region adopted itself");
	CHECK(rl_region_adopt(a, b) == 0, "a cannot adopt b");
	CHECK(!rl_region_can_adopt(c, b), "an alias was adopted again");
	CHECK(rl_region_adopt(c, a) == 0, "c cannot adopt a");
	CHECK(rl_region_contains(c, vb) && rl_region_contains(c, va), "contains does not follow two adoptions");
	CHECK(!rl_region_contains(b, va), "b contains its adopter's objects");
	/* The adopter goes first: the aliases become orphans, still destroyable. */
	rl_region_destroy(c);
	CHECK(rl_blocks_live() == blocks, "blocks of the family not freed with the adopter");
	rl_region_destroy(a);
	rl_region_destroy(b);
	/* A region cannot adopt its own ancestor. */
	rl_region *p = rl_region_create("p");
	rl_region *sub = rl_subregion_create(p, "sub");
	CHECK(p && sub, "out of memory");
	CHECK(!rl_region_can_adopt(sub, p), "a sub-region adopted its parent");
	CHECK(!rl_region_can_adopt(p, sub), "a region with a parent was adopted");
	rl_region_destroy(p);
	CHECK(rl_blocks_live() == blocks, "leak");
}

static void test_subregion_hold_keeps_only_its_blocks(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *parent = rl_region_create("parent");
	CHECK(parent != NULL, "out of memory");
	rl_val pv = make_list(parent, 10000);
	size_t parent_blocks = parent->small.count;
	rl_region *held = rl_subregion_create(parent, "held");
	rl_region *loose = rl_subregion_create(parent, "loose");
	CHECK(held && loose, "out of memory");
	rl_val hv = make_list(held, 5000), lv = make_list(loose, 5000);
	size_t held_blocks = held->small.count, loose_blocks = loose->small.count;
	CHECK(rl_region_contains(parent, hv) && rl_region_contains(parent, lv) && rl_region_contains(parent, pv),
	      "the parent does not contain its sub-regions' objects");
	CHECK(!rl_region_contains(held, pv) && !rl_region_contains(held, lv), "a sub-region contains others' objects");
	CHECK(held->tether == NULL && &held->tether != &parent->tether, "tether metadata shared");
	CHECK(rl_blocks_live() == blocks + parent_blocks + held_blocks + loose_blocks, "block count");

	rl_region_retain(held);
	rl_region_destroy(parent);
	/* Exactly the held sub-region's blocks survive. */
	CHECK(rl_blocks_live() == blocks + held_blocks, "%zu blocks live after the parent died, expected %zu",
	      rl_blocks_live() - blocks, held_blocks);
	CHECK(held->parent == NULL, "the survivor still names its dead parent");
	CHECK(list_sum(hv) == 5000u * 4999u / 2, "the held sub-region's objects were freed or poisoned");
	rl_region_release(held);
	CHECK(rl_blocks_live() == blocks, "the last release did not free the sub-region");

	/* Destroying a sub-region early unlinks it from its parent. */
	parent = rl_region_create("parent");
	rl_region *early = rl_subregion_create(parent, "early");
	CHECK(parent && early, "out of memory");
	make_list(early, 10);
	rl_region_destroy(early);
	CHECK(parent->children == NULL, "a destroyed sub-region is still a child");
	rl_region_destroy(parent);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* src with two sub-regions, "loose" (dies with src) and "held" (one more
 * holder: it outlives src), and an empty dst. */
static void held_family(rl_region **src, rl_region **dst, rl_region **loose, rl_region **held)
{
	*src = rl_region_create("src");
	*dst = rl_region_create("dst");
	CHECK(*src && *dst, "out of memory");
	*loose = rl_subregion_create(*src, "loose");
	*held = rl_subregion_create(*src, "held");
	CHECK(*loose && *held, "out of memory");
	rl_region_retain(*held);
}

/* Adoption hands src's sub-regions to dst with src's hold on them: they die
 * with dst (unless held), and destroying the alias frees nothing. */
static void test_adopt_hands_over_subregions(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src, *dst, *loose, *held;
	held_family(&src, &dst, &loose, &held);
	rl_val lv = make_list(loose, 5000), hv = make_list(held, 100);
	make_list(src, 100);
	size_t live = rl_blocks_live();
	CHECK(rl_region_family_bytes(src) == src->bytes_used + loose->bytes_used + held->bytes_used, "family bytes");
	CHECK(rl_region_adopt(dst, src) == 0, "adopt refused");
	CHECK(loose->parent == dst && held->parent == dst && src->children == NULL,
	      "the sub-regions did not go to the adopter");
	CHECK(rl_region_contains(dst, lv) && rl_region_contains(dst, hv), "dst does not contain them");
	rl_region_destroy(src);
	CHECK(rl_blocks_live() == live, "destroying the alias freed blocks");
	CHECK(list_sum(lv) == 5000u * 4999u / 2, "the sub-region changed");
	size_t held_blocks = held->small.count;
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks + held_blocks, "%zu blocks live after dst died, expected the held %zu",
	      rl_blocks_live() - blocks, held_blocks);
	CHECK(held->parent == NULL && list_sum(hv) == 100u * 99u / 2, "the held sub-region did not survive");
	rl_region_release(held);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* splice moves the dense blocks of an unheld sub-region like src's own, but
 * never a held one's: it copies their live objects and gives their headers
 * back, so the holder finds them byte for byte as they were. */
static void test_splice_subregions(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src, *dst, *loose, *held;
	held_family(&src, &dst, &loose, &held);
	rl_val lv = make_list(loose, 5000), hv = make_list(held, 5000);
	rl_obj *pair = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
	CHECK(pair != NULL, "out of memory");
	pair->w[0] = lv;
	pair->w[1] = hv;
	uint64_t held_hash = rl_oracle_region_hash(held);
	size_t loose_blocks = loose->small.count;
	rl_oracle_before b;
	CHECK(rl_oracle_before_call(&b, rl_val_of(pair), src, dst) == 0, "oracle: out of memory");
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out;
	const struct rl_transmigrator *tm = rl_find_transmigrator("splice");
	CHECK(tm != NULL && tm->transmigrate(&ctx, src, dst, rl_val_of(pair), &out) == RL_TM_OK, "splice failed");
	CHECK(loose->small.count == 0 && dst->small.count >= loose_blocks, "the loose sub-region's blocks stayed");
	CHECK(rl_oracle_region_hash(held) == held_hash, "the held sub-region was written");
	char why[WHY_LEN];
	CHECK(rl_oracle_after_success(&b, rl_val_of(pair), out, &src, dst, false, why, sizeof why) == 0, "%s", why);
	rl_oracle_before_free(&b);
	CHECK(rl_oracle_region_hash(held) == held_hash && list_sum(hv) == 5000u * 4999u / 2,
	      "the held sub-region changed after src died");
	rl_region_release(held);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* cheney and adaptive (whose small-graph path is a Cheney copy) consume src,
 * but the objects of a held sub-region outlive it: they are copied, and
 * must come out byte-identical, their headers given back.  The loose list
 * ends in the held one, so a held object is reached twice (sharing). */
static void copy_keeps_held_subregion(const char *name, size_t n)
{
	size_t blocks = rl_blocks_live();
	rl_region *src, *dst, *loose, *held;
	held_family(&src, &dst, &loose, &held);
	rl_val hv = make_list(held, 600), lv = make_list(loose, n);
	rl_obj *last = rl_ptr(lv);
	while (last->w[1] != RL_NIL)
		last = rl_ptr(last->w[1]);
	/* Stores across the sub-regions' borders go through rl_store, as the
	 * runtime's do: what the regions know (adaptive's step 0b reads it)
	 * is only as good as that discipline. */
	rl_store(rl_val_of(last), &last->w[1], hv);
	rl_obj *pair = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
	CHECK(pair != NULL, "out of memory");
	rl_store(rl_val_of(pair), &pair->w[0], lv);
	rl_store(rl_val_of(pair), &pair->w[1], hv);
	uint64_t held_hash = rl_oracle_region_hash(held);
	rl_region_retain(src); /* a second owner: adaptive would adopt a sole-owned src (knows=sole) */
	rl_oracle_before b;
	CHECK(rl_oracle_before_call(&b, rl_val_of(pair), src, dst) == 0, "oracle: out of memory");
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out;
	const struct rl_transmigrator *tm = rl_find_transmigrator(name);
	CHECK(tm != NULL && tm->transmigrate(&ctx, src, dst, rl_val_of(pair), &out) == RL_TM_OK, "%s failed", name);
	CHECK(rl_oracle_region_hash(held) == held_hash, "%s (%s): the held sub-region was written", name,
	      ctx.report.decision ? ctx.report.decision : "-");
	CHECK(ctx.report.bytes_copied > 0, "%s copied nothing", name);
	char why[WHY_LEN];
	CHECK(rl_oracle_after_success(&b, rl_val_of(pair), out, &src, dst, false, why, sizeof why) == 0, "%s: %s",
	      name, why);
	rl_oracle_before_free(&b);
	CHECK(rl_oracle_region_hash(held) == held_hash && list_sum(hv) == 600u * 599u / 2,
	      "%s: the held sub-region changed after src died", name);
	rl_region_release(held);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "%s: leak", name);
}

/* A copier's bytes_copied is the footprint of the live graph, and what it
 * allocated in dst (a fresh region): cheney counts a complete scan's bytes
 * from dst's byte count and the bump allocators from how far their top
 * moved, so a wrong sync shows here.  Garbage in src (not copied), and
 * blobs bigger than a block (dst's large chain). */
static void test_copies_count_their_bytes(void)
{
	static const char *const copiers[] = { "cheney", "cheney:restore=1", "dfs", "bitmap" };
	static const struct {
		const char *workload, *params;
		size_t n;
	} graphs[] = { { "list", "garbage=1", 5000 }, { "tree", "garbage=1", 5000 }, { "mixed", "", 5000 },
		       { "blobs", "", 8 } };
	for (size_t s = 0; s < sizeof copiers / sizeof copiers[0]; s++) {
		for (size_t w = 0; w < sizeof graphs / sizeof graphs[0]; w++) {
			struct graph_case gc;
			rl_tm_ctx ctx;
			rl_kv_list opts;
			rl_val out;
			graph_case_make(&gc, graphs[w].workload, graphs[w].n, graphs[w].params);
			CHECK(run_strategy(copiers[s], &gc, &ctx, &opts, &out) == RL_TM_OK, "%s failed", copiers[s]);
			CHECK(ctx.report.bytes_copied == gc.before.census.bytes && gc.dst->bytes_used == gc.before.census.bytes,
			      "%s on %s: bytes_copied %llu, dst holds %zu, the graph is %zu", copiers[s], graphs[w].workload,
			      (unsigned long long)ctx.report.bytes_copied, gc.dst->bytes_used, gc.before.census.bytes);
			judge(copiers[s], &gc, &ctx, out);
			graph_case_free(&gc);
		}
	}
}

static void test_cheney_held_subregion(void)
{
	copy_keeps_held_subregion("cheney", 600);
	copy_keeps_held_subregion("adaptive", 600);  /* under `small`: one Cheney copy */
	copy_keeps_held_subregion("cheney", 6000);
	copy_keeps_held_subregion("dfs", 600);
	copy_keeps_held_subregion("dfs", 6000);
	/* adaptive past `small` with a dense deferred child (decision "splice")
	 * still leaves the held objects its child probes copied forwarded: a
	 * known gap, stated at the top of adaptive.c. */
}

/* ---- linear and promote -------------------------------------------------------------- */

static void test_linear_precondition_changes_nothing(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	char why[WHY_LEN];
	graph_case_make(&gc, "tree", 5000, "");
	rl_region_retain(gc.g.src); /* a second owner */
	int rc = run_strategy("linear", &gc, &ctx, &opts, &out);
	CHECK(rc == RL_TM_EPRECONDITION, "linear with two owners returned %d", rc);
	CHECK(rl_oracle_after_failure(&gc.before, gc.g.src, gc.dst, why, sizeof why) == 0, "%s", why);
	atomic_store(&gc.g.src->external_rc, 1);
	size_t moved = gc.g.src->bytes_used, src_blocks = gc.g.src->small.count + gc.g.src->large.count;
	size_t dst_blocks = gc.dst->small.count + gc.dst->large.count;
	rc = run_strategy("linear", &gc, &ctx, &opts, &out);
	CHECK(rc == RL_TM_OK, "linear with one owner returned %d", rc);
	CHECK(out == gc.g.root, "linear moved the root");
	CHECK(ctx.report.bytes_spliced == moved, "bytes_spliced %llu, expected %zu",
	      (unsigned long long)ctx.report.bytes_spliced, moved);
	CHECK(gc.dst->small.count + gc.dst->large.count == src_blocks + dst_blocks, "dst did not get every block");
	judge("linear", &gc, &ctx, out);
	graph_case_free(&gc);
}

static void test_promote_reports_inherited_garbage(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "boxed-list", 3000, "garbage=2");
	size_t used = gc.g.src->bytes_used, live = gc.before.census.bytes;
	CHECK(used > 2 * live, "the workload made no garbage");
	CHECK(run_strategy("promote", &gc, &ctx, &opts, &out) == RL_TM_OK, "promote failed");
	CHECK(ctx.report.garbage_bytes == used - live, "garbage_bytes %llu, expected %zu",
	      (unsigned long long)ctx.report.garbage_bytes, used - live);
	CHECK(ctx.report.bytes_spliced == used && ctx.report.bytes_copied == 0, "promote copied or lost bytes");
	judge("promote", &gc, &ctx, out);
	graph_case_free(&gc);
	fault_sweep("promote", "tree", 300, "garbage=1");
}

/* ---- liveness and splice ---------------------------------------------------------------- */

struct sum_env {
	size_t bytes;
};

static void add_size(rl_obj *o, void *env) { ((struct sum_env *)env)->bytes += rl_obj_size(o); }

static void test_liveness_counts_each_block(void)
{
	struct graph_case gc;
	graph_case_make(&gc, "random", 3000, "garbage=1.5,layout=shuffled");
	rl_liveness lv;
	CHECK(rl_liveness_init(&lv, gc.g.src) == 0, "out of memory");
	rl_liveness_trace(&lv, gc.g.root);
	CHECK(lv.bytes == gc.before.census.bytes && lv.objects == gc.before.census.objects,
	      "trace reached %llu objects / %llu bytes, the oracle %zu / %zu", (unsigned long long)lv.objects,
	      (unsigned long long)lv.bytes, gc.before.census.objects, gc.before.census.bytes);
	size_t total = 0, blocks = 0;
	for (int chain = 0; chain < 2; chain++) {
		for (rl_block *b = chain ? gc.g.src->large.head : gc.g.src->small.head; b != NULL; b = b->next) {
			struct sum_env e = { 0 };
			rl_liveness_for_each_in_block(&lv, b, add_size, &e);
			CHECK(e.bytes == rl_liveness_block(&lv, b), "block %zu: counter %zu, marked objects %zu bytes",
			      blocks, rl_liveness_block(&lv, b), e.bytes);
			CHECK(e.bytes <= rl_block_used(b), "more live bytes than allocated");
			total += e.bytes;
			blocks++;
		}
	}
	CHECK(total == lv.bytes, "counters add up to %zu, trace says %llu", total, (unsigned long long)lv.bytes);
	CHECK(blocks == lv.nblocks, "counter count");
	rl_liveness_fini(&lv);
	for (rl_block *b = gc.g.src->small.head; b != NULL; b = b->next)
		CHECK(b->scratch == NULL, "a block kept its shadow slice");
	graph_case_free(&gc);
}

/* The log of slots that cross blocks grows where few do (mixed: big results
 * spread over blocks, about one object in five), and every slot it holds
 * points into another block of src; where most slots cross (a shuffled tree)
 * it keeps its first size and says it overflowed.  Either way splice moves
 * the graph whole (the judge), also when growing the log fails (the sweep). */
static void test_liveness_log_grows_only_where_few_slots_cross(void)
{
	struct graph_case gc;
	graph_case_make(&gc, "mixed", 30000, "");
	rl_liveness lv;
	CHECK(rl_liveness_init(&lv, gc.g.src) == 0, "out of memory");
	size_t first = lv.log_cap;
	rl_liveness_trace(&lv, gc.g.root);
	CHECK(lv.nlog > first && !lv.log_overflow, "mixed: %zu slots logged in room for %zu (first %zu), overflow %d",
	      lv.nlog, lv.log_cap, first, lv.log_overflow);
	for (size_t i = 0; i < lv.nlog; i++) {
		rl_val v = *lv.log[i];
		CHECK(rl_block_of(rl_ptr(v)) != rl_block_of(lv.log[i]), "slot %zu points into its own block", i);
	}
	rl_liveness_fini(&lv);
	graph_case_free(&gc);

	graph_case_make(&gc, "tree", 30000, "layout=shuffled");
	CHECK(rl_liveness_init(&lv, gc.g.src) == 0, "out of memory");
	first = lv.log_cap;
	rl_liveness_trace(&lv, gc.g.root);
	CHECK(lv.log_overflow && lv.log_cap == first, "shuffled tree: room for %zu (first %zu), overflow %d",
	      lv.log_cap, first, lv.log_overflow);
	rl_liveness_fini(&lv);
	graph_case_free(&gc);

	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "mixed", 30000, "");
	CHECK(run_strategy("splice", &gc, &ctx, &opts, &out) == RL_TM_OK, "splice failed");
	CHECK(ctx.report.bytes_copied != 0 && ctx.report.bytes_spliced != 0, "mixed: splice did not both copy and move");
	judge("splice", &gc, &ctx, out);
	graph_case_free(&gc);
	fault_sweep("splice", "mixed", 30000, "");
}

/* splice's figures add up, and the threshold moves the split. */
static void splice_case(const char *spec, const char *params, bool expect_copy, bool expect_splice)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "tree", 20000, params);
	size_t src_blocks = gc.g.src->small.count + gc.g.src->large.count;
	CHECK(run_strategy(spec, &gc, &ctx, &opts, &out) == RL_TM_OK, "%s failed", spec);
	const rl_tm_report *r = &ctx.report;
	CHECK(r->bytes_copied + (r->bytes_spliced - r->garbage_bytes) == gc.before.census.bytes,
	      "%s %s: copied %llu + live spliced %llu != moved %zu", spec, params,
	      (unsigned long long)r->bytes_copied, (unsigned long long)(r->bytes_spliced - r->garbage_bytes),
	      gc.before.census.bytes);
	CHECK((r->bytes_copied != 0) == expect_copy, "%s %s: copied %llu bytes", spec, params,
	      (unsigned long long)r->bytes_copied);
	CHECK((r->bytes_spliced != 0) == expect_splice, "%s %s: spliced %llu bytes", spec, params,
	      (unsigned long long)r->bytes_spliced);
	size_t left = gc.g.src->small.count + gc.g.src->large.count;
	CHECK(left <= src_blocks && chain_count(&gc.g.src->small) == gc.g.src->small.count,
	      "src chain broken by the moves");
	judge(spec, &gc, &ctx, out);
	graph_case_free(&gc);
}

static void test_splice_threshold(void)
{
	/* Dense: every block moves, nothing is copied, no garbage comes along. */
	splice_case("splice", "", false, true);
	/* Half garbage: no block reaches 70%, everything is copied ... */
	splice_case("splice", "garbage=1", true, false);
	/* ... unless the threshold says half is enough (some blocks straddle). */
	splice_case("splice:threshold=0.3", "garbage=1", false, true);
	splice_case("splice:threshold=0", "garbage=3,layout=shuffled", false, true);
}

/* A dense list whose cars point into a sparse one (every cell followed by a
 * dead cell): the dense blocks move, the sparse cells are copied, and the
 * moved cells' cars must be redirected to the copies. */
static void test_splice_mixed_blocks_fix_pointers(void)
{
	const size_t n = 6000;
	char why[WHY_LEN];
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src && dst, "out of memory");
	rl_val sparse = RL_NIL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *c = rl_obj_new(src, RL_T_CONS, 16), *dead = rl_obj_new(src, RL_T_CONS, 16);
		CHECK(c && dead, "out of memory");
		c->w[0] = rl_fixnum((intptr_t)i);
		c->w[1] = sparse;
		dead->w[0] = dead->w[1] = rl_val_of(c);
		sparse = rl_val_of(c);
	}
	rl_val dense = RL_NIL, s = sparse;
	for (size_t i = 0; i < n; i++, s = rl_ptr(s)->w[1]) {
		rl_obj *c = rl_obj_new(src, RL_T_CONS, 16);
		CHECK(c, "out of memory");
		c->w[0] = s;
		c->w[1] = dense;
		dense = rl_val_of(c);
	}
	rl_obj *root = rl_obj_new(src, RL_T_CONS, 16);
	CHECK(root, "out of memory");
	root->w[0] = dense;
	root->w[1] = sparse;
	rl_oracle_before before;
	CHECK(rl_oracle_before_call(&before, rl_val_of(root), src, dst) == 0, "oracle: out of memory");
	rl_kv_list opts = { 0 };
	rl_tm_ctx ctx = { .opts = &opts };
	rl_val out;
	CHECK(rl_find_transmigrator("splice")->transmigrate(&ctx, src, dst, rl_val_of(root), &out) == RL_TM_OK,
	      "splice failed");
	/* Only the block where the two lists meet may go either way. */
	CHECK(ctx.report.bytes_copied + rl_block_size >= n * 24 && ctx.report.bytes_copied <= n * 24 + 24,
	      "copied %llu bytes: not the sparse list", (unsigned long long)ctx.report.bytes_copied);
	CHECK(ctx.report.bytes_spliced + rl_block_size >= n * 24, "spliced %llu bytes: not the dense list",
	      (unsigned long long)ctx.report.bytes_spliced);
	CHECK(rl_oracle_after_success(&before, rl_val_of(root), out, &src, dst, false, why, sizeof why) == 0, "%s",
	      why);
	rl_oracle_before_free(&before);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

static void test_splice_fault_sweep_copying(void)
{
	/* The contract's sweep runs without garbage, where splice copies
	 * nothing: here every copy-step failure is reached. */
	fault_sweep("splice", "boxed-list", 300, "garbage=1");
	fault_sweep("splice:threshold=0.2", "random", 200, "garbage=3,layout=shuffled");
}

/* ---- cheney ---------------------------------------------------------------------- */

/* A copy stopped half way (and across both chains: blobs live on large
 * blocks) is undone: src byte-identical, dst as before. */
static void test_cheney_undo_partial(void)
{
	static const char *const workloads[] = { "blobs", "random", "closures" };
	size_t saved = rl_block_size;
	CHECK(rl_set_block_size(4096) == 0, "cannot set 4 KiB blocks (blocks live?)");
	for (size_t w = 0; w < 3; w++) {
		for (size_t budget = 1; budget < 200000; budget *= 7) {
			struct graph_case gc;
			char why[WHY_LEN];
			graph_case_make(&gc, workloads[w], 40, "layout=shuffled");
			rl_cheney c;
			rl_cheney_begin(&c, gc.g.src, gc.dst);
			rl_val root = gc.g.root, copy = root;
			CHECK(rl_cheney_forward(&c, &copy) == 0, "out of memory");
			int r = rl_cheney_scan(&c, budget);
			CHECK(r >= 0, "out of memory");
			rl_cheney_undo(&c, &root, 1);
			CHECK(rl_oracle_after_failure(&gc.before, gc.g.src, gc.dst, why, sizeof why) == 0,
			      "%s, budget %zu: %s", workloads[w], budget, why);
			graph_case_free(&gc);
		}
	}
	CHECK(rl_set_block_size(saved) == 0, "cannot restore the block size");
}

/* A depth-first probe (rl_dfcopy_forward_within) stops where its budget
 * runs out, across both chains and with copies still on its worklist, and
 * rl_cheney_undo_since gives back everything it borrowed (src
 * byte-identical, dst as before); the next probe
 * on the same worklist (as adaptive's next child) starts clean, and a
 * budget the graph fits in completes the copy, which the oracle judges. */
static void test_dfcopy_probe_stops_and_undoes(void)
{
	static const char *const workloads[] = { "blobs", "random", "closures", "tree" };
	size_t saved = rl_block_size;
	CHECK(rl_set_block_size(4096) == 0, "cannot set 4 KiB blocks (blocks live?)");
	for (size_t w = 0; w < 4; w++) {
		bool stopped = false;
		for (size_t budget = 1; budget < 200000; budget *= 7) {
			struct graph_case gc;
			char why[WHY_LEN];
			rl_cheney c;
			rl_dfcopy t;
			graph_case_make(&gc, workloads[w], 40, "layout=shuffled");
			rl_cheney_begin(&c, gc.g.src, gc.dst);
			rl_region_mark m = rl_region_mark_now(gc.dst);
			CHECK(rl_dfcopy_init(&t, gc.g.src, gc.dst, false) == 0, "out of memory");
			rl_val root = gc.g.root, copy = root;
			int r = rl_dfcopy_forward_within(&t, &copy, budget);
			CHECK(r >= 0, "out of memory");
			CHECK(r == 1 || t.bytes_copied > budget, "%s, budget %zu: stopped after %llu bytes", workloads[w],
			      budget, (unsigned long long)t.bytes_copied);
			if (r == 0) {
				stopped = true;
				rl_cheney_undo_since(&c, &m, &root, 1);
				CHECK(rl_oracle_region_hash(gc.g.src) == gc.before.src_hash &&
					      gc.dst->bytes_used == m.bytes_used,
				      "%s, budget %zu: the undo left src changed or dst grown", workloads[w], budget);
				copy = root;
				r = rl_dfcopy_forward_within(&t, &copy, SIZE_MAX);
				CHECK(r == 1, "%s, budget %zu: the probe after a stopped one did not complete",
				      workloads[w], budget);
			}
			rl_dfcopy_fini(&t);
			CHECK(rl_oracle_after_success(&gc.before, root, copy, &gc.g.src, gc.dst, false, why, sizeof why) ==
				      0,
			      "%s, budget %zu: %s", workloads[w], budget, why);
			graph_case_free(&gc);
		}
		CHECK(stopped, "%s: no budget stopped the probe", workloads[w]);
	}
	CHECK(rl_set_block_size(saved) == 0, "cannot restore the block size");
}

/* The children of one holder, each on its own probe in one loop
 * (rl_dfcopy_children_run): read last first; a value outside src, a leaf
 * and a child bigger than the budget are left (the last counted); a child
 * copied already through another gets its copy; a child whose probe passes
 * the budget stops the run with its slot given back its original value and
 * a mark from which rl_cheney_undo_since gives everything back; the next run
 * goes on from the slot read after it (the stopped child is the caller's),
 * under the budget the caller sets. */
static void test_dfcopy_children_each_on_its_probe(void)
{
	size_t saved = rl_block_size;
	CHECK(rl_set_block_size(4096) == 0, "cannot set 4 KiB blocks (blocks live?)");
	rl_region *src = region("src"), *dst = region("dst"), *other = region("other");
	enum { FIX, SMALL, LEAF, OUTSIDE, BIG, SHARED, HUGE_VEC, SMALL2, NSLOTS };
	rl_val small = make_list(src, 5), big = make_list(src, 400), small2 = make_list(src, 3);
	rl_obj *leaf = obj(src, RL_T_STRING, 6);
	rl_obj *huge = obj(src, RL_T_VECTOR, 800 * sizeof(rl_val)); /* a large object, 6,408 bytes */
	for (size_t i = 0; i < 800; i++)
		huge->w[i] = RL_NIL;
	rl_obj *shared = obj(src, RL_T_CONS, 2 * sizeof(rl_val)); /* reaches `small` too */
	shared->w[0] = rl_fixnum(7);
	shared->w[1] = small;
	rl_obj *holder = obj(dst, RL_T_VECTOR, NSLOTS * sizeof(rl_val));
	holder->w[FIX] = rl_fixnum(1);
	holder->w[SMALL] = small;
	holder->w[LEAF] = rl_val_of(leaf);
	holder->w[OUTSIDE] = make_list(other, 2);
	holder->w[BIG] = big;
	holder->w[SHARED] = rl_val_of(shared);
	holder->w[HUGE_VEC] = rl_val_of(huge);
	holder->w[SMALL2] = small2;
	rl_val before[NSLOTS];
	memcpy(before, holder->w, sizeof before);
	uint64_t src_hash = rl_oracle_region_hash(src);

	rl_cheney c;
	rl_dfcopy t;
	rl_dfcopy_children run;
	rl_cheney_begin(&c, src, dst);
	CHECK(rl_dfcopy_init(&t, src, dst, false) == 0, "out of memory");
	/* 6,000 bytes: more than a 4 KiB block, so the big list's probe (400
	 * conses of 24 bytes) crosses into a new block before it stops. */
	rl_dfcopy_children_begin(&run, holder, 6000);
	/* Read last first: SMALL2, then HUGE_VEC (too big), SHARED (with SMALL), then BIG stops. */
	CHECK(rl_dfcopy_children_run(&t, &run) == 0, "the big child did not stop the run");
	CHECK(run.stopped == &holder->w[BIG] && holder->w[BIG] == big, "stopped at slot %td, holding %#lx",
	      run.stopped - holder->w, (unsigned long)holder->w[BIG]);
	CHECK(run.too_big == 1 && holder->w[HUGE_VEC] == before[HUGE_VEC], "the vector bigger than the budget: %zu",
	      run.too_big);
	CHECK(rl_region_contains(dst, holder->w[SMALL2]) && rl_region_contains(dst, holder->w[SHARED]),
	      "the children before the big one were not copied");
	CHECK(dst->small.count > run.mark.small_count, "the stopped probe did not cross a block");
	rl_cheney_undo_since(&c, &run.mark, run.stopped, 1);
	CHECK(dst->bytes_used == run.mark.bytes_used && dst->small.count == run.mark.small_count,
	      "the undo left dst grown: %zu bytes, %zu blocks (mark: %zu, %zu)", dst->bytes_used, dst->small.count,
	      run.mark.bytes_used, run.mark.small_count);
	for (rl_val v = big; v != RL_NIL; v = rl_ptr(v)->w[1])
		CHECK(!rl_hdr_is_forward(rl_ptr(v)->hdr), "the undo left a cell of the big child forwarded");
	run.budget = SIZE_MAX;
	CHECK(rl_dfcopy_children_run(&t, &run) == 1, "the run did not finish");
	CHECK(holder->w[BIG] == big && rl_region_contains(dst, holder->w[SMALL]),
	      "the run did not go on from the slot after the stopped one");
	CHECK(holder->w[SMALL] == rl_ptr(holder->w[SHARED])->w[1], "the shared child was copied twice");
	CHECK(holder->w[FIX] == before[FIX] && holder->w[LEAF] == before[LEAF] && holder->w[OUTSIDE] == before[OUTSIDE],
	      "a fixnum, a leaf or a value outside src was changed");
	CHECK(list_sum(holder->w[SMALL]) == list_sum(small), "the small list's copy differs");
	/* Everything back from the children's original values: src as it was. */
	memcpy(holder->w, before, sizeof before);
	rl_dfcopy_fini(&t);
	rl_cheney_undo(&c, before, NSLOTS);
	CHECK(rl_oracle_region_hash(src) == src_hash, "src changed after the undo");
	rl_region_destroy(src);
	rl_region_destroy(dst);
	rl_region_destroy(other);
	CHECK(rl_set_block_size(saved) == 0, "cannot restore the block size");
}

static void test_cheney_restore_keeps_src(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "ladder", 30, "layout=shuffled");
	CHECK(run_strategy("cheney:restore=1", &gc, &ctx, &opts, &out) == RL_TM_OK, "cheney failed");
	CHECK(rl_oracle_region_hash(gc.g.src) == gc.before.src_hash, "restore=1 left src changed");
	/* src is readable again: the full check with src alive. */
	char why[WHY_LEN];
	CHECK(rl_oracle_after_success(&gc.before, gc.g.root, out, &gc.g.src, gc.dst, true, why, sizeof why) == 0,
	      "%s", why);
	graph_case_free(&gc);
}

/* ---- forwarding side table ------------------------------------------------------------ */

static void test_fwdmap_lazy_slices(void)
{
	rl_region *r = rl_region_create("r");
	CHECK(r != NULL, "out of memory");
	rl_val l = make_list(r, 10000);
	rl_fwdmap f;
	size_t live = rl_mem_stats_self()->live_bytes;
	CHECK(rl_fwdmap_init(&f, r) == 0, "out of memory");
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		CHECK(b->scratch == NULL, "a slice was handed out before use");
	rl_obj *last = rl_ptr(l);
	while (rl_is_ptr(last->w[1]))
		last = rl_ptr(last->w[1]);
	uintptr_t *e1 = rl_fwdmap_entry(&f, rl_ptr(l)), *e2 = rl_fwdmap_entry(&f, last);
	CHECK(e1 != NULL && e2 != NULL && e1 != e2 && *e1 == 0 && *e2 == 0, "fresh entries");
	*e2 = 42;
	CHECK(*rl_fwdmap_entry(&f, last) == 42 && *rl_fwdmap_entry(&f, rl_ptr(l)) == 0, "entries alias");
	size_t given = 0;
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		given += b->scratch != NULL;
	CHECK(given == 2, "%zu slices handed out for two blocks", given);
	rl_fwdmap_fini(&f);
	CHECK(rl_mem_stats_self()->live_bytes == live, "table memory not released");
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		CHECK(b->scratch == NULL, "scratch not given back");
	rl_region_destroy(r);
}

/* ---- proxy ---------------------------------------------------------------------------- */

static rl_val barrier_load(void *env, rl_val *slot) { return rl_evacuate_read(env, slot); }

static void test_proxy_pause_moves_only_the_root(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "list", 50000, "");
	size_t dst_used = gc.dst->bytes_used;
	CHECK(run_strategy("proxy", &gc, &ctx, &opts, &out) == RL_TM_OK, "proxy failed");
	CHECK(gc.dst->bytes_used - dst_used == rl_obj_size(rl_ptr(gc.g.root)), "the pause copied %zu bytes",
	      gc.dst->bytes_used - dst_used);
	CHECK(rl_region_contains(gc.dst, out), "the root copy is not in dst");
	rl_val *cdr = &rl_ptr(out)->w[1];
	CHECK(rl_is_stub(*cdr) && rl_stub_target(*cdr) == rl_ptr(rl_ptr(gc.g.root)->w[1]),
	      "the root's tail is not a stub for the second cell");
	/* First touch: a copy comes back and the slot is healed. */
	rl_val second = rl_evacuate_read(&ctx, cdr);
	CHECK(rl_region_contains(gc.dst, second) && *cdr == second, "slot not healed to a copy in dst");
	CHECK(rl_evacuate_read(&ctx, cdr) == second, "second read differs");
	CHECK(!rl_evacuate_done(&ctx), "done after one read of 50000 cells");
	CHECK(rl_oracle_region_hash(gc.g.src) == gc.before.src_hash, "src was written");
	judge("proxy", &gc, &ctx, out);
	graph_case_free(&gc);
}

/* The forwarding table is scratch memory: it may borrow the kept mapping
 * after a worklist left garbage in it (a sweep run without --fork), and
 * each slice is zeroed when it is handed out, so no stale word reads as a
 * forwarding address. */
static void test_proxy_table_on_a_dirty_kept_mapping(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "tree", 60000, "");
	size_t bytes = rl_region_family_footprint(gc.g.src) + sizeof(rl_obj *);
	CHECK(bytes > RL_RESERVE_FROM_HEAP_MAX, "the table would come from the heap");
	rl_mem_scratch_prewarm(bytes);
	char *kept = rl_mem_reserve_scratch(bytes);
	CHECK(kept != NULL, "out of memory");
	memset(kept, 0x5a, bytes); /* what a worklist leaves */
	rl_mem_unreserve(kept, bytes);
	CHECK(run_strategy("proxy", &gc, &ctx, &opts, &out) == RL_TM_OK, "proxy failed");
	judge("proxy", &gc, &ctx, out); /* finish() evacuates the rest through the table */
	graph_case_free(&gc);
	rl_mem_scratch_prewarm(bytes);
	char *again = rl_mem_reserve_scratch(bytes);
	CHECK(again == kept, "proxy's table did not give the kept mapping back");
	rl_mem_unreserve(again, bytes);
}

static void test_proxy_sharing_through_the_barrier(void)
{
	/* ladder: car and cdr of every rung are the same object. */
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	char why[WHY_LEN];
	graph_case_make(&gc, "ladder", 40, "");
	CHECK(run_strategy("proxy:subtree=0", &gc, &ctx, &opts, &out) == RL_TM_OK, "proxy failed");
	rl_val v = out;
	for (int depth = 0; depth < 40 && rl_is_ptr(v); depth++) {
		rl_val a = rl_evacuate_read(&ctx, &rl_ptr(v)->w[0]);
		rl_val d = rl_evacuate_read(&ctx, &rl_ptr(v)->w[1]);
		CHECK(a == d, "rung %d: two stubs for one object resolved to two copies", depth);
		v = a;
	}
	rl_ranges doomed;
	CHECK(rl_ranges_of(gc.g.src, &doomed) == 0, "out of memory");
	CHECK(rl_oracle_check_copy(gc.g.root, out, &gc.before.src, &doomed, barrier_load, &ctx, why, sizeof why) == 0,
	      "through the barrier: %s", why);
	rl_ranges_free(&doomed);
	judge("proxy", &gc, &ctx, out);
	graph_case_free(&gc);
}

static void test_proxy_steps_terminate(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	graph_case_make(&gc, "random", 5000, "layout=shuffled");
	CHECK(run_strategy("proxy", &gc, &ctx, &opts, &out) == RL_TM_OK, "proxy failed");
	size_t steps = 0, budget = 100;
	int r;
	while ((r = rl_evacuate_step(&ctx, budget)) == 0)
		steps++;
	CHECK(r == 1, "a step failed");
	CHECK(steps <= gc.before.census.objects / budget + 1, "%zu steps of %zu for %zu objects", steps, budget,
	      gc.before.census.objects);
	CHECK(rl_evacuate_done(&ctx), "not done after the last step");
	uint64_t used = gc.dst->bytes_used;
	CHECK(rl_find_transmigrator("proxy")->finish(&ctx) == RL_TM_OK, "finish failed");
	CHECK(gc.dst->bytes_used == used, "finish copied more after the steps were done");
	char why[WHY_LEN];
	CHECK(rl_oracle_after_success(&gc.before, gc.g.root, out, &gc.g.src, gc.dst, true, why, sizeof why) == 0,
	      "%s", why);
	graph_case_free(&gc);
}

/* finish() runs out of memory: the whole call is undone. */
static void test_proxy_finish_failure_undoes_the_call(void)
{
	for (uint64_t k = 1; k < 64; k++) {
		struct graph_case gc;
		rl_tm_ctx ctx;
		rl_kv_list opts;
		rl_val out;
		char why[WHY_LEN];
		size_t blocks = rl_blocks_live();
		graph_case_make(&gc, "tree", 20000, "layout=shuffled");
		size_t mem = rl_mem_stats_self()->live_bytes;
		CHECK(run_strategy("proxy", &gc, &ctx, &opts, &out) == RL_TM_OK, "proxy failed");
		/* Touch a little, so the failure meets copies made both ways. */
		rl_evacuate_read(&ctx, &rl_ptr(out)->w[0]);
		rl_fault_fail_at(k);
		int rc = rl_find_transmigrator("proxy")->finish(&ctx);
		uint64_t reached = rl_fault_count();
		rl_fault_fail_at(0);
		if (rc == RL_TM_OK) {
			CHECK(reached < k, "finish succeeded through an injected failure");
			CHECK(rl_oracle_after_success(&gc.before, gc.g.root, out, &gc.g.src, gc.dst, true, why,
						      sizeof why) == 0,
			      "%s", why);
			graph_case_free(&gc);
			CHECK(k > 1, "finish allocated nothing: no failure was injected");
			return;
		}
		CHECK(rc == RL_TM_ENOMEM && ctx.state == NULL, "k=%llu: finish returned %d", (unsigned long long)k,
		      rc);
		CHECK(rl_mem_stats_self()->live_bytes == mem, "k=%llu: strategy memory leaked", (unsigned long long)k);
		CHECK(rl_oracle_after_failure(&gc.before, gc.g.src, gc.dst, why, sizeof why) == 0, "k=%llu: %s",
		      (unsigned long long)k, why);
		graph_case_free(&gc);
		CHECK(rl_blocks_live() == blocks, "leak");
	}
	CHECK(0, "finish never succeeded");
}

/* Readers on two threads traverse the graph through the barrier while the
 * background thread evacuates it (run this binary under TSan too). */
struct reader {
	rl_tm_ctx *ctx;
	rl_val root;
	size_t n;
	size_t sum;
};

static void *read_list(void *arg)
{
	struct reader *r = arg;
	size_t sum = 0, cells = 0;
	for (rl_val v = r->root; rl_is_ptr(v) && cells < r->n; cells++) {
		rl_obj *o = rl_ptr(v);
		sum += (size_t)rl_fixnum_value(rl_evacuate_read(r->ctx, &o->w[0]));
		v = rl_evacuate_read(r->ctx, &o->w[1]);
	}
	r->sum = sum;
	return NULL;
}

static void test_proxy_background_with_concurrent_readers(void)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list opts;
	rl_val out;
	char why[WHY_LEN];
	const size_t n = 30000;
	graph_case_make(&gc, "list", n, "layout=shuffled");
	CHECK(run_strategy("proxy:background=1,step=64,subtree=4", &gc, &ctx, &opts, &out) == RL_TM_OK,
	      "proxy failed");
	struct reader rs[2] = { { &ctx, out, n, 0 }, { &ctx, out, n, 0 } };
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, read_list, &rs[i]) == 0, "pthread_create");
	rl_ranges doomed;
	CHECK(rl_ranges_of(gc.g.src, &doomed) == 0, "out of memory");
	int rc = rl_oracle_check_copy(gc.g.root, out, &gc.before.src, &doomed, barrier_load, &ctx, why, sizeof why);
	rl_ranges_free(&doomed);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(rc == 0, "through the barrier, concurrently: %s", why);
	for (int i = 0; i < 2; i++)
		CHECK(rs[i].sum == n * (n - 1) / 2, "reader %d summed %zu", i, rs[i].sum);
	/* The thread finishes alone. */
	struct timespec pause = { 0, 1000000 };
	for (int i = 0; i < 20000 && !rl_evacuate_done(&ctx); i++)
		nanosleep(&pause, NULL);
	CHECK(rl_evacuate_done(&ctx), "the background thread did not finish the evacuation");
	judge("proxy", &gc, &ctx, out);
	graph_case_free(&gc);
}

static void test_proxy_barrier_overhead_is_measured(void)
{
	struct graph_case gc;
	graph_case_make(&gc, "tree", 5000, "");
	size_t blocks = rl_blocks_live(), mem = rl_mem_stats_self()->live_bytes;
	double overhead = rl_proxy_barrier_overhead(gc.g.src, gc.g.root, 3);
	CHECK(isfinite(overhead) && overhead > -1.0, "overhead %g", overhead);
	CHECK(rl_blocks_live() == blocks && rl_mem_stats_self()->live_bytes == mem, "the measurement leaked");
	CHECK(rl_oracle_region_hash(gc.g.src) == gc.before.src_hash, "the measurement wrote src");
	CHECK(isnan(rl_proxy_barrier_overhead(gc.g.src, rl_fixnum(3), 1)), "a root outside src gave a figure");
	graph_case_free(&gc);
}

/* ---- adaptive ----------------------------------------------------------------------------- */

/* Runs adaptive with `opts` on a workload, checks the path it took, that
 * its figures add up, and the contract. */
static void adaptive_case(const char *opts, const char *workload, size_t n, const char *params,
			  const char *expect)
{
	struct graph_case gc;
	rl_tm_ctx ctx;
	rl_kv_list kv;
	rl_val out;
	char spec[160];
	snprintf(spec, sizeof spec, "adaptive%s%s", opts[0] ? ":" : "", opts);
	graph_case_make(&gc, workload, n, params);
	CHECK(run_strategy(spec, &gc, &ctx, &kv, &out) == RL_TM_OK, "%s on %s failed", spec, workload);
	const rl_tm_report *r = &ctx.report;
	CHECK(r->decision != NULL && strcmp(r->decision, expect) == 0, "%s on %s:%s took '%s', expected '%s'", spec,
	      workload, params, r->decision ? r->decision : "(none)", expect);
	if (r->copied_all_of_src) /* relocated: garbage and all; homes (step 0b) left src whole */
		CHECK(r->bytes_copied == rl_region_family_bytes(gc.g.src) &&
			      (r->bytes_spliced == 0 || strncmp(r->decision, "homes+", 6) == 0),
		      "%s on %s: relocated %llu of src's %zu bytes, spliced %llu", spec, workload,
		      (unsigned long long)r->bytes_copied, rl_region_family_bytes(gc.g.src),
		      (unsigned long long)r->bytes_spliced);
	else
		CHECK(r->bytes_copied + (r->bytes_spliced - r->garbage_bytes) == gc.before.census.bytes,
		      "%s on %s: copied %llu + live spliced %llu != moved %zu", spec, workload,
		      (unsigned long long)r->bytes_copied, (unsigned long long)(r->bytes_spliced - r->garbage_bytes),
		      gc.before.census.bytes);
	judge(spec, &gc, &ctx, out);
	graph_case_free(&gc);
}

static void test_adaptive_paths(void)
{
	/* Small graph: the probe was the copy. */
	adaptive_case("", "tree", 9, "garbage=30", "copy");
	/* A vector of small results among garbage: one probe per child. */
	adaptive_case("", "mixed", 20000, "big=0", "children");
	/* ... and with its three dense results too, neither relocated (the
	 * sample across the results: core/sample.c's tests) nor split by block:
	 * under a wide root each result within an eighth of src is copied by
	 * its probe. */
	adaptive_case("", "mixed", 20000, "", "children");
	/* One dense result bigger than an eighth of src: its probe is undone,
	 * and src is split by block. */
	adaptive_case("", "mixed", 20000, "big=1", "blocks");
	/* The same results, each large one in a home of its own that only the
	 * root points into (knows=home): the homes are set aside and move
	 * whole (step 0b), the small results are copied child by child. */
	adaptive_case("", "mixed", 20000, "knows=home", "homes+children");
	adaptive_case("", "mixed", 20000, "knows=home,big=1", "homes+children");
	adaptive_case("", "mixed", 20000, "knows=home,layout=shuffled", "homes+relocate-scattered");
	/* The relocate sample (step 1b): a dense source laid out as it is
	 * read, and a scattered one, are relocated whole; a quarter live, or
	 * turned off, they are not.  A scattered graph of one type (a list) is
	 * relocated at any size; of several (a tree's nodes and leaves), from
	 * scatter_from (512 KiB) up, and below it (the 20000-object tree
	 * holds 400 KB) copied breadth first at once ("scattered"; with the
	 * sample off the traced path gets there after its probes: "sparse"). */
	adaptive_case("", "tree", 20000, "", "relocate-dense");
	adaptive_case("", "list", 20000, "", "relocate-dense");
	adaptive_case("", "list", 20000, "layout=shuffled", "relocate-scattered");
	adaptive_case("", "tree", 20000, "layout=shuffled", "scattered");
	adaptive_case("scatter_from=0", "tree", 20000, "layout=shuffled", "relocate-scattered");
	adaptive_case("", "tree", 100000, "layout=shuffled", "relocate-scattered");
	adaptive_case("", "list", 20000, "live=0.25", "sparse");
	/* A src of at most `large` bytes is copied outright, no sample taken. */
	adaptive_case("", "list", 1000, "", "copy");
	adaptive_case("relocate=known", "tree", 20000, "layout=shuffled", "sparse");
	adaptive_case("scatter_from=100000000", "tree", 100000, "layout=shuffled", "scattered");
	adaptive_case("dense_from=1", "list", 20000, "live=0.9", "splice");
	/* The tracing paths, the sample off (relocate=known).  Dense and big:
	 * traced, every block moved. */
	adaptive_case("relocate=known,large=1024", "tree", 20000, "", "splice");
	/* Sparse and big: the density probe says copy. */
	adaptive_case("relocate=known,large=1024,probe=4096", "tree", 20000, "garbage=3", "sparse");
	/* Under a narrow root (a tree's node) a child's probe stops at
	 * narrow_probe (8 KiB): the two subtrees (200 KB each, in a src of 3.2
	 * MB) are deferred, and the density probe says copy; with a budget they
	 * fit in (src/8), the probes copy them. */
	adaptive_case("relocate=known", "tree", 20000, "garbage=7", "sparse");
	adaptive_case("relocate=known,narrow_probe=100000000", "tree", 20000, "garbage=7", "children");
	/* Both: small results copied child by child, the large one moved by
	 * block, the blocks where both meet copied. */
	adaptive_case("relocate=known,large=4096", "mixed", 40000, "big=1", "blocks");
	/* A root bigger than `large` stays in place and moves with its block;
	 * its leaves move with theirs (the sample is for roots up to `large`). */
	adaptive_case("", "vector", 20000, "", "splice");
	/* A shared leaf of the root must not be copied before the trace. */
	adaptive_case("relocate=known,large=1024", "fan-in", 20000, "", "splice");
	/* A source a little over `large` (about 80 KiB): each child's probe
	 * gets at most an eighth of it, so the two 40 KiB subtrees, which a
	 * 64 KiB narrow_probe alone would let a probe copy ("children"), are
	 * deferred and moved by block. */
	adaptive_case("relocate=known,narrow_probe=65536", "tree", 4000, "", "splice");
}

static void test_adaptive_fault_sweeps(void)
{
	fault_sweep("adaptive:relocate=known,large=1024", "tree", 2000, "");
	fault_sweep("adaptive:relocate=known,large=1024,probe=2048", "tree", 2000, "garbage=3");
	fault_sweep("adaptive:relocate=known,large=2048", "mixed", 4000, "");
	/* homes set aside, then given back to src on every failure */
	adaptive_case("relocate=known,large=2048", "mixed", 4000, "knows=home", "homes+children");
	fault_sweep("adaptive:relocate=known,large=2048", "mixed", 4000, "knows=home");
	fault_sweep("adaptive", "vector", 9000, "");
	fault_sweep("adaptive:relocate=known,large=1024,probe=1024", "vector", 9000, "garbage=3");
	fault_sweep("adaptive:relocate=known,narrow_probe=65536", "tree", 4000, ""); /* probes capped at src/8 */
	/* relocate's paths under failure (adaptive_case says they are taken) */
	adaptive_case("", "tree", 4000, "", "relocate-dense");
	fault_sweep("adaptive", "tree", 4000, "");
	adaptive_case("scatter_from=0", "tree", 20000, "layout=shuffled", "relocate-scattered");
	fault_sweep("adaptive:scatter_from=0", "tree", 20000, "layout=shuffled");
	adaptive_case("", "tree", 20000, "layout=shuffled", "scattered");
	fault_sweep("adaptive", "tree", 20000, "layout=shuffled");
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_adopt_moves_everything_in_place);
	RL_RUN(test_adopt_nested_and_orphans);
	RL_RUN(test_subregion_hold_keeps_only_its_blocks);
	RL_RUN(test_adopt_hands_over_subregions);
	RL_RUN(test_splice_subregions);
	RL_RUN(test_linear_precondition_changes_nothing);
	RL_RUN(test_promote_reports_inherited_garbage);
	RL_RUN(test_liveness_counts_each_block);
	RL_RUN(test_liveness_log_grows_only_where_few_slots_cross);
	RL_RUN(test_splice_threshold);
	RL_RUN(test_splice_mixed_blocks_fix_pointers);
	RL_RUN(test_splice_fault_sweep_copying);
	RL_RUN(test_cheney_undo_partial);
	RL_RUN(test_dfcopy_probe_stops_and_undoes);
	RL_RUN(test_dfcopy_children_each_on_its_probe);
	RL_RUN(test_cheney_restore_keeps_src);
	RL_RUN(test_copies_count_their_bytes);
	RL_RUN(test_cheney_held_subregion);
	RL_RUN(test_fwdmap_lazy_slices);
	RL_RUN(test_proxy_pause_moves_only_the_root);
	RL_RUN(test_proxy_table_on_a_dirty_kept_mapping);
	RL_RUN(test_proxy_sharing_through_the_barrier);
	RL_RUN(test_proxy_steps_terminate);
	RL_RUN(test_proxy_finish_failure_undoes_the_call);
	RL_RUN(test_proxy_background_with_concurrent_readers);
	RL_RUN(test_proxy_barrier_overhead_is_measured);
	RL_RUN(test_adaptive_paths);
	RL_RUN(test_adaptive_fault_sweeps);
	return rl_test_summary(argv[0]);
}
