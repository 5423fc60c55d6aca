/* Memory estimates of trials (see driver/mem_estimate.h).
 *
 * Invariant relied on: a workload's graph grows linearly with n (or not at
 * all: a document's size is the document's), so two small dry builds give
 * its bytes at any n.  Every other need of a trial is bounded by a multiple
 * of the graph's bytes and objects, with the multiples below chosen from the
 * mechanisms' own layouts; the estimate errs high, and the budget catches
 * what it misses.  Sums are in double: a --size of 10^12 must not wrap. */
#include "driver/mem_estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/oracle.h"
#include "regionlab/region.h"

#define GiB (1024.0 * 1024.0 * 1024.0)
/* The two dry builds; a graph of up to DRY_BIG objects is measured exactly. */
#define DRY_SMALL 1024u
#define DRY_BIG 16384u
/* Strategy memory per object moved, at most: a forwarding entry in a hash
 * table with its handle and malloc's header (naive's uthash: ~110 bytes
 * measured), a worklist entry; plus a forwarding map of one word per 8 bytes
 * of src (fwdmap) and the shadow, per byte of src. */
#define STRATEGY_PER_OBJECT 128.0
#define STRATEGY_PER_SRC_BYTE 1.1
/* The oracle: visited maps (16-byte entries at 3/4 load, two while growing)
 * and explicit stacks; the census alone without --verify. */
#define ORACLE_PER_OBJECT 64.0
#define CENSUS_PER_OBJECT 48.0
/* The runner's warm heap (4x the bytes + 1 MiB, driver/runner.c) is freed
 * before the call and kept by malloc, which then serves the strategy's
 * memory and the memcpy yardstick (2x the bytes) from it: the larger counts. */
#define WARM_PER_BYTE 4.0
#define WARM_FIXED (1024.0 * 1024.0)
/* Measured (peak RSS of the trial, 10^6 objects, judged): list 163 MB
 * (bitmap) to 293 MB (naive), tree 138-215 MB, mixed 201-280 MB; these
 * constants estimate 330, 300 and 450 MB. */
/* The process itself: code, threads' stacks, the allocator's arenas. */
#define FIXED_BYTES (64.0 * 1024.0 * 1024.0)

/* ---- the limit --------------------------------------------------------------- */

uint64_t rl_mem_default_limit(void)
{
	uint64_t kib = 0;
	FILE *fp = fopen("/proc/meminfo", "r");
	if (fp != NULL) {
		char line[256];
		unsigned long long v;
		while (fgets(line, sizeof line, fp) != NULL)
			if (sscanf(line, "MemAvailable: %llu kB", &v) == 1) {
				kib = v;
				break;
			}
		fclose(fp);
	}
	if (kib == 0)
		return (uint64_t)4 << 30;
	return kib * 1024u / 2u;
}

static double test_scale(void)
{
	const char *s = getenv("RL_TEST_MEM_ESTIMATE_SCALE");
	double v = s != NULL ? strtod(s, NULL) : 1.0;
	return v > 0 ? v : 1.0;
}

static void human(double bytes, char *buf, size_t len)
{
	if (bytes >= GiB)
		snprintf(buf, len, "%.1f GiB", bytes / GiB);
	else
		snprintf(buf, len, "%.1f MiB", bytes / (1024.0 * 1024.0));
}

/* ---- transmigration ------------------------------------------------------------ */

struct measured {
	double used;    /* bytes the graph's regions hold (objects and garbage) */
	double other;   /* the third region's blocks (cross-region workloads) */
	double objects; /* objects reachable from the root in src: what moves */
};

static void add_used(rl_block *b, void *env)
{
	double *used = env;
	*used += (b->flags & RL_BLOCK_LARGE) ? (double)rl_block_bytes(b) : (double)(b->top - rl_block_data(b));
}

static int dry_build(const struct rl_workload_spec *w, size_t n, uint64_t seed, struct measured *m, char *err,
		     size_t errlen)
{
	rl_graph g;
	if (rl_graph_make(w->wl, n, seed, &w->params, &g, err, errlen) != 0)
		return -1;
	m->used = 0;
	rl_region_for_each_block(g.src, add_used, &m->used);
	m->other = g.outside != NULL ? (double)rl_region_footprint(g.outside) : 0;
	rl_ranges inside;
	rl_census census;
	int rc = rl_ranges_of(g.src, &inside);
	if (rc == 0) {
		rc = rl_oracle_census(g.root, &inside, &census);
		rl_ranges_free(&inside);
	}
	rl_graph_free(&g);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory measuring a dry build");
		return -1;
	}
	m->objects = (double)census.objects;
	return 0;
}

/* The graph's bytes at n objects, from dry builds at two sizes. */
static int graph_bytes(const struct rl_workload_spec *w, uint64_t seed, struct measured *at_n, char *err,
		       size_t errlen)
{
	size_t n = w->size;
	size_t big = n < DRY_BIG ? n : DRY_BIG;
	struct measured b;
	if (dry_build(w, big, seed, &b, err, errlen) != 0)
		return -1;
	*at_n = b;
	if (n <= DRY_BIG)
		return 0;
	struct measured s;
	if (dry_build(w, DRY_SMALL, seed, &s, err, errlen) != 0)
		return -1;
	double steps = (double)(n - big) / (double)(DRY_BIG - DRY_SMALL);
	if (b.used > s.used) /* grows with n; a document does not */
		at_n->used += (b.used - s.used) * steps;
	if (b.other > s.other)
		at_n->other += (b.other - s.other) * steps;
	if (b.objects > s.objects)
		at_n->objects += (b.objects - s.objects) * steps;
	return 0;
}

/* Bytes of blocks that hold `used` bytes of objects. */
static double in_blocks(double used)
{
	double per_block = (double)(rl_block_size - RL_BLOCK_HEADER);
	return ceil(used / per_block) * (double)rl_block_size;
}

int rl_mem_check_transmigrate(const struct rl_workload_spec *workloads, size_t nworkloads, uint64_t seed,
			      bool verify, bool cold, uint64_t limit, char *err, size_t errlen)
{
	for (size_t i = 0; i < nworkloads; i++) {
		const struct rl_workload_spec *w = &workloads[i];
		struct measured m;
		char why[512];
		if (graph_bytes(w, seed, &m, why, sizeof why) != 0) {
			snprintf(err, errlen, "workload '%s': %s", w->label, why);
			return -1;
		}
		double src = in_blocks(m.used) + m.other;
		double dst = in_blocks(m.used * 1.125) + (double)rl_block_size; /* the pre-faulted blocks */
		double strategy = STRATEGY_PER_OBJECT * m.objects + STRATEGY_PER_SRC_BYTE * src;
		double judge = (verify ? ORACLE_PER_OBJECT : CENSUS_PER_OBJECT) * m.objects;
		double warm = cold ? 2.0 * m.used : WARM_PER_BYTE * m.used + WARM_FIXED;
		double heap = warm > strategy ? warm : strategy;
		double need = (src + dst + heap + judge + FIXED_BYTES) * test_scale();
		if (need > (double)limit) {
			char h_need[32], h_graph[32], h_limit[32];
			human(need, h_need, sizeof h_need);
			human(src, h_graph, sizeof h_graph);
			human((double)limit, h_limit, sizeof h_limit);
			snprintf(err, errlen,
				 "workload '%s' at --size=%zu needs about %s (a %s graph, its copy, the strategy's "
				 "and the judge's tables), over --max-mem=%llu (%s): lower --size or raise --max-mem",
				 w->label, w->size, h_need, h_graph, (unsigned long long)limit, h_limit);
			return -1;
		}
	}
	return 0;
}

/* ---- tethering ------------------------------------------------------------------ */

/* A tethered region: a root vector of 3 words and `read` boxed integers,
 * each a box (header + word) and a cons cell (header + 2 words). */
#define TETHER_ROOT_BYTES 32.0
#define TETHER_PER_READ 40.0
/* Regions retired but not yet freed, per writer, besides the stall's. */
#define TETHER_IN_FLIGHT 64.0
#define TETHER_SAMPLES_BYTES ((double)((size_t)1 << 17) * 8.0) /* SAMPLES_CAP per reader */
#define THREAD_BYTES (256.0 * 1024.0)                           /* what a thread's stack touches */

int rl_mem_check_tether(const struct rl_tether_args *a, uint64_t limit, char *err, size_t errlen)
{
	double region = in_blocks(TETHER_ROOT_BYTES + TETHER_PER_READ * (double)a->read);
	/* A stalled reader keeps what writers retire during one stall. */
	double per_ms = a->update_us != 0 ? 1000.0 / (double)a->update_us : 1000.0;
	double stalled = (double)a->stall_ms * per_ms;
	double regions = (double)a->slots + (double)a->writers * (TETHER_IN_FLIGHT + stalled);
	for (size_t t = 0; t < a->nthreads; t++) {
		double readers = (double)a->threads[t];
		double need = (regions * region + (double)a->slots * 64.0 + readers * TETHER_SAMPLES_BYTES +
			       (readers + (double)a->writers) * THREAD_BYTES + FIXED_BYTES) *
			      test_scale();
		if (need > (double)limit) {
			char h_need[32], h_region[32], h_limit[32];
			human(need, h_need, sizeof h_need);
			human(region, h_region, sizeof h_region);
			human((double)limit, h_limit, sizeof h_limit);
			snprintf(err, errlen,
				 "--tether with --slots=%zu, --read=%zu, --threads=%zu needs about %s (%.0f regions of "
				 "%s), over --max-mem=%llu (%s): lower --slots or --read, or raise --max-mem",
				 a->slots, a->read, a->threads[t], h_need, regions, h_region,
				 (unsigned long long)limit, h_limit);
			return -1;
		}
	}
	return 0;
}
