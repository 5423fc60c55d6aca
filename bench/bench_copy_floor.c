/* copy-floor: each copying module beside the reference floor of its
 * algorithm (bench/copy_floors.h), timed interleaved in one process.
 *
 *   copy-floor/MODULE/FLOOR/WORKLOAD
 *
 * Every iteration times one call of the module and one call of the floor on
 * the same graph (10^6 objects, allocation order; RL_FLOOR_OBJECTS=N in the
 * environment changes the size, e.g. for callgrind), alternating which goes
 * first, each into a fresh dst with the block pool and src re-touched as the
 * runner does, and a memcpy of the graph's bytes (the runner's ceiling).
 * Between calls, outside the timing, src is given back its bytes from a
 * snapshot taken once (a consuming call leaves forwarding words there), or
 * rebuilt when the call moved blocks out of it (splice, adaptive).
 *
 * Counters: module_ns and floor_ns (medians over iterations), ratio (the
 * median of the per-iteration module/floor), ratio_lo and ratio_hi (its
 * extremes), module_frac and floor_frac (median memcpy over median call),
 * objects.  Before anything is timed, the module and the floor are each
 * checked by the oracle on a 10^4-object instance of the workload; a wrong
 * one is reported as skipped, never timed.
 *
 * Under callgrind (scripts/callgrind-floors.sh) the instructions of one
 * module call and one floor call are the inclusive costs of timed_module and
 * timed_floor, which nothing else calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"
#include "bench/copy_floors.h"
#include "driver/registry.h"
#include "driver/runner.h"
#include "oracle/oracle.h"
#include "regionlab/block_pool.h"
#include "regionlab/clock.h"
#include "regionlab/liveness.h"
#include "regionlab/options.h"
#include "regionlab/workload.h"
#include "regionlab/worklist.h"

#define FLOOR_OBJECTS 1000000u
#define FLOOR_CHECK_OBJECTS 10000u
#define FLOOR_SEED 1u
#define FLOOR_MAX_ITERS 512u

/* A floor: a copier, or the mark-only trace (copy NULL). */
struct floor {
	const char *name;
	int (*copy)(rl_region *src, rl_region *dst, rl_val root, rl_val *out);
	bool src_intact; /* gives src back byte-identical */
};

static const struct floor tight_cheney = { "tight-cheney", rl_floor_cheney, false };
static const struct floor tight_dfs = { "tight-dfs", rl_floor_dfs, false };
static const struct floor tight_dfs_restore = { "tight-dfs-restore", rl_floor_dfs_restore, true };
static const struct floor mark_only = { "mark-only", NULL, true };
static const struct floor memcpy_fixup = { "memcpy-fixup", rl_floor_fixup, true };

/* A module of the registry, or "splice-trace": splice's liveness trace alone. */
struct pair {
	const char *module;
	const struct floor *floor;
	const char *workload;
	char name[96];
};

/* ---- the calls ------------------------------------------------------------------ */

static int splice_trace(rl_region *src, rl_val root)
{
	rl_liveness lv;
	if (rl_liveness_init(&lv, src) != 0)
		return -1;
	rl_liveness_trace(&lv, root);
	rl_liveness_fini(&lv);
	return 0;
}

static int module_call(const char *module, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	if (strcmp(module, "splice-trace") == 0) {
		*out = root;
		return splice_trace(src, root);
	}
	const struct rl_transmigrator *tm = rl_find_transmigrator(module);
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	if (tm == NULL || tm->transmigrate(&ctx, src, dst, root, out) != RL_TM_OK)
		return -1;
	return tm->finish(&ctx) == RL_TM_OK ? 0 : -1;
}

static int floor_call(const struct floor *fl, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	size_t marked;
	if (fl->copy != NULL)
		return fl->copy(src, dst, root, out);
	*out = root;
	return rl_floor_mark(src, root, &marked);
}

/* The timed calls, kept out of line so that callgrind can count them. */
__attribute__((noinline)) static int timed_module(const char *module, rl_region *src, rl_region *dst, rl_val root,
						  rl_val *out)
{
	return module_call(module, src, dst, root, out);
}

__attribute__((noinline)) static int timed_floor(const struct floor *fl, rl_region *src, rl_region *dst, rl_val root,
						 rl_val *out)
{
	return floor_call(fl, src, dst, root, out);
}

/* ---- the oracle's verdict on a small instance ------------------------------------- */

static int make_graph(const char *workload, size_t n, rl_graph *g)
{
	rl_kv_list none = { 0 };
	char err[160];
	if (rl_graph_make(rl_find_workload(workload), n, FLOOR_SEED, &none, g, err, sizeof err) != 0) {
		fprintf(stderr, "gbench: copy-floor: %s\n", err);
		return -1;
	}
	return 0;
}

/* A trace (mark-only floor, splice's trace) must reach exactly the objects
 * the oracle counts and leave src byte-identical. */
static bool trace_is_correct(const struct pair *p, bool floor, rl_graph *g, rl_oracle_before *before, char *why,
			     size_t len)
{
	size_t marked = 0;
	int rc = floor ? rl_floor_mark(g->src, g->root, &marked) : splice_trace(g->src, g->root);
	if (rc != 0) {
		snprintf(why, len, "the trace failed");
		return false;
	}
	if (floor && marked != before->census.objects) {
		snprintf(why, len, "%s marked %zu objects, the oracle counts %zu", p->floor->name, marked,
			 before->census.objects);
		return false;
	}
	if (rl_oracle_region_hash(g->src) != before->src_hash) {
		snprintf(why, len, "the trace wrote into src");
		return false;
	}
	return true;
}

static bool is_correct(const struct pair *p, bool floor, char *why, size_t len)
{
	rl_graph g;
	if (make_graph(p->workload, FLOOR_CHECK_OBJECTS, &g) != 0) {
		snprintf(why, len, "cannot build %s", p->workload);
		return false;
	}
	rl_region *dst = rl_region_create("floor-check");
	rl_oracle_before before;
	bool ok = false;
	rl_val out;
	if (dst == NULL || rl_oracle_before_call(&before, g.root, g.src, dst) != 0) {
		snprintf(why, len, "out of memory");
	} else {
		bool trace = floor ? p->floor->copy == NULL : strcmp(p->module, "splice-trace") == 0;
		if (trace) {
			ok = trace_is_correct(p, floor, &g, &before, why, len);
		} else if ((floor ? floor_call(p->floor, g.src, dst, g.root, &out)
				  : module_call(p->module, g.src, dst, g.root, &out)) != 0) {
			snprintf(why, len, "the call failed");
		} else {
			/* Floors that consume src are judged by checksum, as
			 * consuming strategies are. */
			bool readable = floor ? p->floor->src_intact
					      : !(rl_find_transmigrator(p->module)->caps & RL_TM_CONSUMES_SRC);
			ok = rl_oracle_after_success(&before, g.root, out, &g.src, dst, readable, why, len) == 0;
		}
		rl_oracle_before_free(&before);
	}
	if (dst != NULL)
		rl_region_destroy(dst);
	rl_graph_free(&g);
	if (!ok) {
		size_t used = strlen(why);
		snprintf(why + used, len - used, " (%s)", floor ? p->floor->name : p->module);
	}
	return ok;
}

/* ---- src between calls ------------------------------------------------------------- */

/* The bytes of every block of src, to give them back after a consuming call. */
struct snapshot {
	rl_block **blocks;
	char **bytes;
	size_t n, small, large;
};

static void snapshot_add(rl_block *b, void *env)
{
	struct snapshot *s = env;
	size_t used = (size_t)(b->top - rl_block_data(b));
	s->blocks[s->n] = b;
	s->bytes[s->n] = malloc(used ? used : 1);
	if (s->bytes[s->n] != NULL)
		memcpy(s->bytes[s->n], rl_block_data(b), used);
	s->n++;
}

static int snapshot_take(struct snapshot *s, rl_region *src)
{
	size_t small, all;
	rl_region_count_blocks(src, &small, &all);
	*s = (struct snapshot){ .small = src->small.count, .large = src->large.count };
	s->blocks = calloc(all, sizeof *s->blocks);
	s->bytes = calloc(all, sizeof *s->bytes);
	if (s->blocks == NULL || s->bytes == NULL)
		return -1;
	rl_region_for_each_block(src, snapshot_add, s);
	for (size_t i = 0; i < s->n; i++)
		if (s->bytes[i] == NULL)
			return -1;
	return 0;
}

static void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; s->bytes != NULL && i < s->n; i++)
		free(s->bytes[i]);
	free(s->bytes);
	free(s->blocks);
	*s = (struct snapshot){ 0 };
}

/* Gives src its bytes back: 0, or -1 when its blocks changed (moved away). */
static int snapshot_restore(struct snapshot *s, rl_region *src)
{
	if (src->small.count != s->small || src->large.count != s->large)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		memcpy(rl_block_data(s->blocks[i]), s->bytes[i], (size_t)(s->blocks[i]->top - rl_block_data(s->blocks[i])));
	return 0;
}

/* A graph to time on, with its snapshot. */
struct subject {
	rl_graph g;
	struct snapshot snap;
	size_t n;
	const char *workload;
};

static int subject_make(struct subject *s)
{
	if (make_graph(s->workload, s->n, &s->g) != 0)
		return -1;
	return snapshot_take(&s->snap, s->g.src);
}

static void subject_free(struct subject *s)
{
	snapshot_free(&s->snap);
	rl_graph_free(&s->g);
}

/* src as it was built: restored from the snapshot, or rebuilt. */
static int subject_reset(struct subject *s)
{
	if (snapshot_restore(&s->snap, s->g.src) == 0)
		return 0;
	subject_free(s);
	return subject_make(s);
}

/* ---- the benchmark ------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static uint64_t median_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One timed call on a reset src into a fresh dst: its ns, or 0 when it failed. */
static uint64_t one_call(rl_bench_state *st, const struct pair *p, bool floor, struct subject *s)
{
	rl_bench_pause(st);
	rl_region *dst = rl_region_create("floor");
	if (dst == NULL || subject_reset(s) != 0) {
		rl_bench_resume(st);
		if (dst != NULL)
			rl_region_destroy(dst);
		return 0;
	}
	rl_block_pool_rewarm();
	rl_region_rewarm(s->g.src);
	rl_val out;
	rl_bench_resume(st);
	uint64_t t0 = rl_now_ns();
	int rc = floor ? timed_floor(p->floor, s->g.src, dst, s->g.root, &out)
		       : timed_module(p->module, s->g.src, dst, s->g.root, &out);
	uint64_t ns = rl_now_ns() - t0;
	rl_bench_pause(st);
	rl_region_destroy(dst);
	rl_bench_resume(st);
	return rc == 0 && ns > 0 ? ns : 0;
}

static size_t floor_objects(void)
{
	const char *e = getenv("RL_FLOOR_OBJECTS");
	size_t n;
	return e != NULL && rl_parse_size(e, &n) && n > 0 ? n : FLOOR_OBJECTS;
}

static void bench_floor(rl_bench_state *st, void *env)
{
	const struct pair *p = env;
	char why[300];
	if (!is_correct(p, false, why, sizeof why) || !is_correct(p, true, why, sizeof why)) {
		rl_bench_skip(st, why);
		return;
	}
	struct subject s = { .n = floor_objects(), .workload = p->workload };
	if (subject_make(&s) != 0) {
		subject_free(&s);
		rl_bench_skip(st, "cannot build the graph");
		return;
	}
	size_t bytes = s.g.src->bytes_used;
	rl_block_pool_prefault(2 * bytes + bytes / 8 + rl_block_size);
	rl_worklist_prewarm(s.g.src); /* as the harness's warm-up */
	static uint64_t mod_ns[FLOOR_MAX_ITERS], flo_ns[FLOOR_MAX_ITERS], cpy_ns[FLOOR_MAX_ITERS];
	static double ratio[FLOOR_MAX_ITERS];
	size_t iters = 0;
	const char *failed = NULL;
	while (rl_bench_keep_running(st, 1)) {
		if (failed != NULL || iters == FLOOR_MAX_ITERS)
			continue;
		bool floor_first = iters % 2;
		uint64_t a = one_call(st, p, floor_first, &s);
		uint64_t b = one_call(st, p, !floor_first, &s);
		uint64_t m = floor_first ? b : a, f = floor_first ? a : b;
		rl_bench_pause(st);
		uint64_t c = rl_memcpy_ceiling_ns(bytes);
		rl_bench_resume(st);
		if (m == 0 || f == 0 || c == RL_UNSET_U64) {
			failed = m == 0 ? "a timed module call failed" : f == 0 ? "a timed floor call failed"
										 : "no memory for the memcpy buffers";
			continue;
		}
		mod_ns[iters] = m;
		flo_ns[iters] = f;
		cpy_ns[iters] = c;
		ratio[iters] = (double)m / (double)f;
		iters++;
	}
	subject_free(&s);
	if (failed != NULL) {
		rl_bench_skip(st, failed);
		return;
	}
	if (iters == 0)
		return;
	qsort(ratio, iters, sizeof *ratio, cmp_double);
	double mm = (double)median_u64(mod_ns, iters), fm = (double)median_u64(flo_ns, iters);
	double cm = (double)median_u64(cpy_ns, iters);
	rl_bench_counter(st, "module_ns", mm);
	rl_bench_counter(st, "floor_ns", fm);
	rl_bench_counter(st, "ratio", iters % 2 ? ratio[iters / 2] : (ratio[iters / 2 - 1] + ratio[iters / 2]) / 2);
	rl_bench_counter(st, "ratio_lo", ratio[0]);
	rl_bench_counter(st, "ratio_hi", ratio[iters - 1]);
	rl_bench_counter(st, "module_frac", cm / mm);
	rl_bench_counter(st, "floor_frac", cm / fm);
	rl_bench_counter(st, "memcpy_ns", cm);
	rl_bench_counter(st, "objects", (double)s.n);
	rl_bench_counter(st, "bytes", (double)bytes);
	rl_bench_counter(st, "reps", (double)iters);
}

/* Each copying module with the floor of its algorithm.  naive recurses on
 * the C stack: the 10^6 list would overflow it, so it runs on the tree only.
 * promote and linear adopt src in O(1): no copy floor applies.  relocate is
 * block memcpy plus fixup; cheney beside that floor is a reference row. */
static struct pair pairs[] = {
	{ "cheney", &tight_cheney, "list", "" },
	{ "cheney", &tight_cheney, "tree", "" },
	{ "dfs", &tight_dfs, "list", "" },
	{ "dfs", &tight_dfs, "tree", "" },
	{ "bitmap", &tight_dfs_restore, "list", "" },
	{ "bitmap", &tight_dfs_restore, "tree", "" },
	{ "splice-trace", &mark_only, "list", "" },
	{ "splice-trace", &mark_only, "tree", "" },
	{ "splice", &mark_only, "list", "" },
	{ "splice", &mark_only, "tree", "" },
	{ "adaptive", &tight_cheney, "list", "" },
	{ "adaptive", &tight_cheney, "tree", "" },
	{ "proxy", &tight_dfs_restore, "list", "" },
	{ "proxy", &tight_dfs_restore, "tree", "" },
	{ "naive", &tight_dfs_restore, "tree", "" },
	{ "cheney", &memcpy_fixup, "list", "" },
	{ "cheney", &memcpy_fixup, "tree", "" },
	{ "relocate", &memcpy_fixup, "list", "" },
	{ "relocate", &memcpy_fixup, "tree", "" },
};

void bench_register_copy_floor(void)
{
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		struct pair *p = &pairs[i];
		snprintf(p->name, sizeof p->name, "copy-floor/%s/%s/%s", p->module, p->floor->name, p->workload);
		rl_bench_register(p->name, bench_floor, p);
	}
}
