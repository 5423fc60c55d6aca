/* The transmigration contract (regionlab/transmigrator.h), checked by the
 * judge (oracle/judge.h, the same one the harness runner calls) for every
 * registered strategy on every registered workload.
 *
 * The matrix is taken from the registry, never from a list of names here, so
 * a strategy or workload registered later is covered without touching this
 * file: strategies x workloads x layout {alloc, shuffled} x garbage {0, 0.5}
 * x held sub-region {no, yes}, at small sizes, once with the default block
 * size and once with 4 KiB blocks (many blocks per region, large objects on
 * their own blocks).  A held sub-region is one of src that another holder
 * keeps alive: its objects are src's to move, but its bytes must not change.
 *
 * The deliberately wrong strategies of tests/wrong_strategies.h must each
 * fail the same matrix, on the clause they break.
 *
 * The fault-injection sweep then fails the k-th counted allocation of a call,
 * for k = 1, 2, ... until a call succeeds without reaching its fault, and
 * checks clause 4 after every failure: src intact (a held sub-region too),
 * dst exactly as before, nothing leaked.
 *
 * Last, the bitmap strategy's own promises: two allocations per call and
 * strategy memory within 1/64 of src's footprint plus the worklist. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/registry.h"
#include "oracle/judge.h"
#include "regionlab/adopt.h"
#include "regionlab/knowledge.h"
#include "regionlab/mem.h"
#include "regionlab/region.h"
#include "regionlab/transmigrator.h"
#include "regionlab/worklist.h"
#include "regionlab/workload.h"
#include "tests/check.h"
#include "tests/wrong_strategies.h"

#define SEED 20240601u
#define WHY_LEN 512
#define LABEL_LEN 256
#define SMALL_MAX 2000u
#define SWEEP_MAX 500u
#define SWEEP_K_LIMIT 1000000u
#define SMALL_BLOCK_SIZE 4096u

static const char *const layouts[] = { "alloc", "shuffled" };
static const char *const garbages[] = { "0", "0.5" };

/* The workloads the fault sweep runs: small graphs that between them reach
 * every kind of allocation (cells, shared and cyclic graphs, other regions,
 * a sub-region of src, objects on large blocks, one big vector). */
static const char *const sweep_workloads[] = { "list",       "ladder",     "ring",  "fan-in",
					       "cross-region", "sub-region", "blobs", "vector" };

/* A small instance of a workload: about a thousandth of the default for the
 * million-object workloads (1000 to 2000 objects), a fiftieth for those
 * whose default is already small because each unit is large or multiplies
 * (ladder: 20 rungs; blobs: 5 blobs of several KiB each). */
static size_t small_size(const struct rl_workload *wl)
{
	size_t n = wl->default_size >= 100000 ? wl->default_size / 1000 : wl->default_size / 50;
	if (n > SMALL_MAX)
		n = SMALL_MAX;
	return n ? n : 1;
}

/* RL_CONTRACT_STRATEGY=NAME (environment) limits the suite to strategy NAME:
 * tests/test_doc_strategy.sh judges the tutorial's module that way. */
static bool chosen(const struct rl_transmigrator *tm)
{
	const char *only = getenv("RL_CONTRACT_STRATEGY");
	return only == NULL || only[0] == '\0' || strcmp(only, tm->name) == 0;
}

/* One cell of the matrix. */
struct trial {
	const struct rl_transmigrator *tm;
	const struct rl_workload *wl;
	const char *layout;
	const char *garbage;
	size_t n;
	bool held; /* src has a held sub-region in the graph */
	const char *knows; /* the workload's knows= class (NULL: not given; sole for a strategy that adopts src) */
	char label[LABEL_LEN];
};

static void trial_init(struct trial *t, const struct rl_transmigrator *tm, const struct rl_workload *wl,
		       const char *layout, const char *garbage, size_t n, bool held)
{
	t->tm = tm;
	t->wl = wl;
	t->layout = layout;
	t->garbage = garbage;
	t->n = n;
	t->held = held;
	snprintf(t->label, sizeof t->label, "strategy=%s workload=%s layout=%s garbage=%s held=%s n=%zu block=%zu",
		 tm->name, wl->name, layout, garbage, held ? "yes" : "no", n, rl_block_size);
	t->knows = NULL;
}

/* The same trial in knowledge class `knows` (regionlab/knowledge.h). */
static void trial_knows(struct trial *t, const char *knows)
{
	size_t len = strlen(t->label);
	t->knows = knows;
	snprintf(t->label + len, sizeof t->label - len, " knows=%s", knows);
}

/* The knowledge classes a matrix or a sweep adds to every workload, with the
 * garbage each is built with (dense is garbage=0 by definition). */
static const struct {
	const char *knows, *garbage;
	enum rl_knows_class k;
} class_cells[] = {
	{ "dense", "0", RL_KNOWS_DENSE },
	{ "home", "0.5", RL_KNOWS_HOME },
	{ "sole", "0.5", RL_KNOWS_SOLE },
};
#define CLASS_CELLS (sizeof class_cells / sizeof class_cells[0])

/* A built graph, a destination that already holds a few objects, and the
 * judge's snapshot of both. */
struct setup {
	rl_graph g;
	rl_region *dst;
	rl_region *held; /* the held sub-region (our hold), or NULL */
	rl_judge judge;
};

static int prefill(rl_region *dst)
{
	static const char text[] = "already in dst";
	rl_val list = RL_NIL;
	for (int i = 0; i < 3; i++) {
		rl_obj *c = rl_obj_new(dst, RL_T_CONS, 2 * sizeof(rl_val));
		if (c == NULL)
			return -1;
		c->w[0] = rl_fixnum(i);
		c->w[1] = list;
		list = rl_val_of(c);
	}
	rl_obj *s = rl_obj_new(dst, RL_T_STRING, sizeof text);
	if (s == NULL)
		return -1;
	memcpy(s->w, text, sizeof text);
	return 0;
}

/* A sub-region of src with a second holder (this test), so that it outlives
 * src: a ring of three cells whose cars are a boxed int, a string and the
 * boxed int again (shared).  The root becomes a pair in src of (the
 * workload's root . the ring), and the pair's cdr chain reaches the ring a
 * second time (sharing across regions). */
static int add_held_subregion(struct setup *s)
{
	static const char text[] = "held";
	rl_region *held = rl_subregion_create(s->g.src, "held");
	if (held == NULL)
		return -1;
	rl_region_retain(held);
	s->held = held;
	rl_obj *box = rl_obj_new(held, RL_T_BOX_INT, sizeof(int64_t));
	rl_obj *str = rl_obj_new(held, RL_T_STRING, sizeof text);
	rl_obj *cells[3];
	for (int i = 0; i < 3; i++)
		if ((cells[i] = rl_obj_new(held, RL_T_CONS, 2 * sizeof(rl_val))) == NULL)
			return -1;
	rl_obj *pair = rl_obj_new(s->g.src, RL_T_CONS, 2 * sizeof(rl_val));
	rl_obj *again = rl_obj_new(s->g.src, RL_T_CONS, 2 * sizeof(rl_val));
	if (box == NULL || str == NULL || pair == NULL || again == NULL)
		return -1;
	int64_t value = 4242;
	memcpy(box->w, &value, sizeof value);
	memcpy(str->w, text, sizeof text);
	rl_obj *cars[3] = { box, str, box };
	for (int i = 0; i < 3; i++) {
		cells[i]->w[0] = rl_val_of(cars[i]);
		cells[i]->w[1] = rl_val_of(cells[(i + 1) % 3]);
	}
	again->w[0] = rl_val_of(cells[1]);
	again->w[1] = RL_NIL;
	pair->w[0] = s->g.root;
	pair->w[1] = rl_val_of(again);
	s->g.root = rl_val_of(pair);
	return 0;
}

static int setup_make(struct setup *s, const struct trial *t, char *why, size_t why_len)
{
	char spec[256], err[256];
	rl_kv_list params;
	memset(s, 0, sizeof *s);
	/* sample_options: what a workload needs to build at all (an input file) */
	const char *sample = t->wl->sample_options;
	snprintf(spec, sizeof spec, "layout=%s,garbage=%s%s%s%s%s", t->layout, t->garbage, t->knows ? ",knows=" : "",
		 t->knows ? t->knows : "", sample ? "," : "", sample ? sample : "");
	if (rl_kv_parse(spec, &params, err, sizeof err) != 0 ||
	    rl_graph_make(t->wl, t->n, SEED, &params, &s->g, err, sizeof err) != 0) {
		snprintf(why, why_len, "cannot build the graph: %s", err);
		return -1;
	}
	/* Without knows=, src has a second owner (class nothing); a strategy
	 * that adopts src whole is legal only in class sole, so it gets that. */
	if (t->knows == NULL && (t->tm->caps & RL_TM_ADOPTS_SRC))
		atomic_store(&s->g.src->external_rc, 1);
	if (t->held && add_held_subregion(s) != 0) {
		snprintf(why, why_len, "cannot build the held sub-region");
		return -1;
	}
	s->dst = rl_region_create("dst");
	if (s->dst == NULL || prefill(s->dst) != 0) {
		snprintf(why, why_len, "cannot create the destination region");
		return -1;
	}
	rl_verdict v = { 0 };
	if (rl_judge_begin(&s->judge, t->tm->caps, s->g.root, s->g.src, s->dst, &v) != 0) {
		snprintf(why, why_len, "%s", v.why);
		return -1;
	}
	return 0;
}

/* Frees everything, the held sub-region last (our hold is its last one,
 * whether src died in the judge or dies here). */
static void setup_free(struct setup *s)
{
	rl_judge_end(&s->judge);
	rl_region_destroy(s->dst);
	rl_graph_free(&s->g);
	if (s->held != NULL)
		rl_region_release(s->held);
	memset(s, 0, sizeof *s);
}

/* Reads the copy through the strategy's read barrier. */
struct barrier {
	const struct rl_transmigrator *tm;
	rl_tm_ctx *ctx;
};

static rl_val load_through_barrier(void *env, rl_val *slot)
{
	struct barrier *b = env;
	return b->tm->read(b->ctx, slot);
}

/* Judges a call that returned 0: for incremental strategies the copy
 * through the read barrier before finish(), then finish(), then every clause
 * of the contract (which destroys src). */
static int judge_success(struct setup *s, const struct trial *t, rl_tm_ctx *ctx, rl_val out, rl_verdict *v)
{
	if (t->tm->caps & RL_TM_INCREMENTAL) {
		struct barrier b = { t->tm, ctx };
		if (rl_judge_through_barrier(&s->judge, s->g.root, out, s->g.src, load_through_barrier, &b, v) != 0)
			return -1;
	}
	int rc = t->tm->finish(ctx);
	if (rc != RL_TM_OK) {
		rl_verdict_set(v, RL_CLAUSE_OK, "finish() returned %d (%s)", rc, rl_tm_strerror(rc));
		return -1;
	}
	return rl_judge_success(&s->judge, s->g.root, out, &s->g.src, s->dst, v);
}

/* One trial of the matrix: 1 when the call succeeded and passed, 0 when it
 * declined with RL_TM_EPRECONDITION and left everything as it was, -1 on a
 * contract violation (the verdict in v; clause RL_CLAUSE_OK when the trial
 * failed otherwise, e.g. an error with no fault injected). */
static int run_trial(const struct trial *t, rl_verdict *v)
{
	struct setup s;
	int result = -1;
	size_t blocks_before = rl_blocks_live();
	*v = (rl_verdict){ 0 };
	if (setup_make(&s, t, v->why, sizeof v->why) != 0)
		goto out;

	rl_kv_list no_opts = { 0 };
	rl_tm_ctx ctx = { .opts = &no_opts };
	rl_val out = RL_NIL;
	int rc = t->tm->transmigrate(&ctx, s.g.src, s.dst, s.g.root, &out);
	if (rc == RL_TM_EPRECONDITION) {
		if (rl_judge_failure(&s.judge, s.g.src, s.dst, v) == 0)
			result = 0;
		goto out;
	}
	if (rc != RL_TM_OK) {
		snprintf(v->why, sizeof v->why, "transmigrate returned %d (%s) with no fault injected", rc,
			 rl_tm_strerror(rc));
		goto out;
	}
	if (judge_success(&s, t, &ctx, out, v) == 0)
		result = 1;
out:
	setup_free(&s);
	wrong_strategies_clean_up(true);
	if (result >= 0 && rl_blocks_live() != blocks_before) {
		rl_verdict_set(v, RL_CLAUSE_LEAK, "%zu blocks live after the trial, %zu before", rl_blocks_live(),
			       blocks_before);
		result = -1;
	}
	return result;
}

/* Violations the matrix finds in registered strategies that are known and
 * stated in the strategy's own file: they are printed as notes, not counted
 * as failures, and test_contract_matrix fails when one is no longer seen (so
 * that a fix takes its line out of this table).  Keep it short: every line
 * is a bug. */
struct known_gap {
	const char *strategy, *workload;
	bool held;
	rl_clause clause;
	const char *where; /* where the gap is stated */
	size_t seen;
};

static struct known_gap known_gaps[] = {
	{ NULL, NULL, false, RL_CLAUSE_OK, NULL, 0 }, /* end of the table */
};

static struct known_gap *known_gap_of(const struct trial *t, rl_clause clause)
{
	for (size_t i = 0; known_gaps[i].strategy != NULL; i++) {
		struct known_gap *k = &known_gaps[i];
		if (strcmp(k->strategy, t->tm->name) == 0 && strcmp(k->workload, t->wl->name) == 0 &&
		    k->held == t->held && k->clause == clause)
			return k;
	}
	return NULL;
}

/* What one strategy did over the matrix. */
struct matrix_result {
	size_t cells, successes, held_cells;
	size_t failures;  /* cells that violated the contract */
	size_t expected;  /* of those, the ones that broke the clause `expected` */
};

/* One strategy x every workload x layout x garbage x held (cell_step 1;
 * cell_step 4: layout alloc, garbage 0, held or not), then, for a strategy
 * that must pass, each knowledge class legal for it (class_cells).  Every failing cell
 * whose clause is not `expected` (RL_CLAUSE_OK for a strategy that must
 * pass) is reported on stderr. */
static struct matrix_result run_strategy_matrix(const struct rl_transmigrator *tm, rl_clause expected,
						size_t cell_step)
{
	struct matrix_result r = { 0 };
	for (size_t j = 0; rl_workloads[j] != NULL; j++) {
		const struct rl_workload *wl = rl_workloads[j];
		for (size_t cell = 0; cell < 8 + CLASS_CELLS; cell += cell < 8 ? cell_step : 1) {
			const char *layout = layouts[cell & 1], *garbage = garbages[(cell >> 1) & 1];
			bool held = (cell >> 2) & 1;
			struct trial t;
			rl_verdict v;
			trial_init(&t, tm, wl, layout, garbage, small_size(wl), held);
			if (cell >= 8) { /* the knowledge classes, legal ones only */
				if (expected != RL_CLAUSE_OK || !rl_knows_legal(tm->caps, class_cells[cell - 8].k))
					continue;
				trial_init(&t, tm, wl, "alloc", class_cells[cell - 8].garbage, small_size(wl), false);
				trial_knows(&t, class_cells[cell - 8].knows);
			}
			int result = run_trial(&t, &v);
			r.cells++;
			r.held_cells += held;
			if (result > 0) {
				r.successes++;
			} else if (result == 0) {
				printf("note %s: declined (precondition)\n", t.label);
			} else {
				struct known_gap *gap = expected == RL_CLAUSE_OK ? known_gap_of(&t, v.clause) : NULL;
				if (gap != NULL) {
					gap->seen++;
					printf("note %s: known gap (%s): %s: %s\n", t.label, gap->where,
					       rl_clause_name(v.clause), v.why);
					continue;
				}
				r.failures++;
				if (v.clause == expected && expected != RL_CLAUSE_OK)
					r.expected++;
				else
					fprintf(stderr, "contract violated: %s: %s: %s\n", t.label,
						rl_clause_name(v.clause), v.why);
			}
		}
	}
	return r;
}

/* Every registered strategy; reports every failing cell before failing, and
 * requires every strategy to succeed somewhere, held sub-region or not. */
static void run_matrix(void)
{
	size_t cells = 0, failures = 0;
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++) {
		if (!chosen(rl_transmigrators[i]))
			continue;
		struct matrix_result r = run_strategy_matrix(rl_transmigrators[i], RL_CLAUSE_OK, 1);
		CHECK(r.successes > 0, "strategy %s never completed a transmigration", rl_transmigrators[i]->name);
		CHECK(r.held_cells > 0, "no cell with a held sub-region for %s", rl_transmigrators[i]->name);
		cells += r.cells;
		failures += r.failures;
	}
	CHECK(cells > 0, "the registry lists no strategy or no workload");
	CHECK(failures == 0, "%zu of %zu cells violate the contract (listed above)", failures, cells);
}

/* Each deliberately wrong strategy fails the matrix (every workload, held
 * sub-region or not), on its clause only: wrong-held in exactly the cells
 * with a held sub-region, the others in every cell. */
static void test_wrong_strategies_fail_the_contract(void)
{
	for (size_t i = 0; i < WRONG_STRATEGY_COUNT; i++) {
		const struct wrong_strategy *w = &wrong_strategies[i];
		struct matrix_result r = run_strategy_matrix(w->tm, w->clause, 4);
		size_t want = w->needs_held ? r.held_cells : r.cells;
		CHECK(r.failures == r.expected, "%s: %zu cells failed on another clause than %s (listed above)",
		      w->tm->name, r.failures - r.expected, rl_clause_name(w->clause));
		CHECK(r.expected == want && want > 0, "%s: %zu of %zu cells failed on %s, expected %zu", w->tm->name,
		      r.expected, r.cells, rl_clause_name(w->clause), want);
	}
}

static void test_contract_matrix(void)
{
	run_matrix();
	for (size_t i = 0; known_gaps[i].strategy != NULL; i++)
		CHECK(known_gaps[i].seen > 0 || !chosen(rl_find_transmigrator(known_gaps[i].strategy)), "known gap of %s on %s (%s) no longer seen: take it out of known_gaps",
		      known_gaps[i].strategy, known_gaps[i].workload, rl_clause_name(known_gaps[i].clause));
}

static void test_contract_matrix_small_blocks(void)
{
	size_t saved = rl_block_size;
	CHECK(rl_blocks_live() == 0, "%zu blocks live: cannot change the block size", rl_blocks_live());
	CHECK(rl_set_block_size(SMALL_BLOCK_SIZE) == 0, "cannot set %u-byte blocks", SMALL_BLOCK_SIZE);
	run_matrix();
	CHECK(rl_set_block_size(saved) == 0, "cannot restore the block size");
}

/* ---- fault injection --------------------------------------------------------- */

/* Puts "k=K<what>: " in front of the reason in why (why_len >= 64). */
static void prefix_k(char *why, size_t why_len, uint64_t k, const char *what)
{
	char head[48];
	size_t h = (size_t)snprintf(head, sizeof head, "k=%llu%s: ", (unsigned long long)k, what);
	size_t rest = strlen(why);
	if (h + rest + 1 > why_len)
		rest = why_len - h - 1;
	memmove(why + h, why, rest);
	why[h + rest] = '\0';
	memcpy(why, head, h);
}

/* Fails allocation k = 1, 2, ... of one call until a call succeeds without
 * reaching its fault.  Returns the number of injected failures (>= 0) and
 * sets *final_allocs to the counted allocations of that last call, or
 * returns -1 with the reason in why. */
static long sweep(const struct trial *t, uint64_t *final_allocs, char *why, size_t why_len)
{
	struct setup s;
	long injected = 0;
	size_t blocks_before = rl_blocks_live();
	rl_kv_list no_opts = { 0 };
	bool fresh = false; /* s needs building */
	if (setup_make(&s, t, why, why_len) != 0)
		goto fail;
	for (uint64_t k = 1; k <= SWEEP_K_LIMIT; k++) {
		if (fresh) {
			fresh = false;
			if (setup_make(&s, t, why, why_len) != 0)
				goto fail;
		}
		rl_tm_ctx ctx = { .opts = &no_opts };
		rl_val out = RL_NIL;
		rl_verdict v = { 0 };
		rl_fault_fail_at(k);
		int rc = t->tm->transmigrate(&ctx, s.g.src, s.dst, s.g.root, &out);
		uint64_t reached = rl_fault_count();
		rl_fault_fail_at(0);
		if (rc != RL_TM_OK) {
			if (rc != RL_TM_ENOMEM) {
				snprintf(why, why_len, "k=%llu: transmigrate returned %d (%s), expected ENOMEM",
					 (unsigned long long)k, rc, rl_tm_strerror(rc));
				goto fail;
			}
			if (reached < k) {
				snprintf(why, why_len, "k=%llu: ENOMEM after only %llu allocations (fault not reached)",
					 (unsigned long long)k, (unsigned long long)reached);
				goto fail;
			}
			injected++;
			if (rl_judge_failure(&s.judge, s.g.src, s.dst, &v) != 0) {
				rl_verdict_format(&v, why, why_len);
				prefix_k(why, why_len, k, "");
				goto fail;
			}
			continue; /* src and dst are as before: the snapshot still holds */
		}
		/* Success: judge it, fault reached or not, with a fresh graph after. */
		if (judge_success(&s, t, &ctx, out, &v) != 0) {
			rl_verdict_format(&v, why, why_len);
			prefix_k(why, why_len, k, " (success)");
			goto fail;
		}
		setup_free(&s);
		if (reached < k) { /* every allocation of the call succeeded: done */
			*final_allocs = reached;
			if (rl_blocks_live() != blocks_before) {
				snprintf(why, why_len, "%zu blocks live after the sweep, %zu before", rl_blocks_live(),
					 blocks_before);
				return -1;
			}
			return injected;
		}
		fresh = true; /* the strategy absorbed the failure; go on from a new graph */
	}
	snprintf(why, why_len, "no successful call within %u injected faults", SWEEP_K_LIMIT);
fail:
	rl_fault_fail_at(0);
	if (!fresh)
		setup_free(&s);
	return -1;
}

static void test_fault_injection(void)
{
	size_t failures = 0;
	long injected_all = 0;
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++) {
		const struct rl_transmigrator *tm = rl_transmigrators[i];
		long injected_total = 0;
		uint64_t allocs_total = 0;
		if (!chosen(tm))
			continue;
		for (size_t j = 0; j < sizeof sweep_workloads / sizeof sweep_workloads[0]; j++) {
			const struct rl_workload *wl = rl_find_workload(sweep_workloads[j]);
			CHECK(wl != NULL, "workload %s is not registered", sweep_workloads[j]);
			size_t n = small_size(wl) < SWEEP_MAX ? small_size(wl) : SWEEP_MAX;
			/* alloc and shuffled, then alloc with a held sub-region */
			/* then each knowledge class legal for tm (adaptive decides by them) */
			for (size_t l = 0; l < 3 + CLASS_CELLS; l++) {
				struct trial t;
				char why[WHY_LEN] = "";
				uint64_t allocs = 0;
				trial_init(&t, tm, wl, layouts[l % 2], "0", n, l == 2);
				if (l >= 3) {
					if (!rl_knows_legal(tm->caps, class_cells[l - 3].k))
						continue;
					trial_init(&t, tm, wl, "alloc", class_cells[l - 3].garbage, n, false);
					trial_knows(&t, class_cells[l - 3].knows);
				}
				if (t.held && known_gap_of(&t, RL_CLAUSE_HELD_SUBREGION_CHANGED) != NULL)
					continue; /* the matrix notes it */
				long injected = sweep(&t, &allocs, why, sizeof why);
				if (injected < 0) {
					failures++;
					fprintf(stderr, "fault sweep: %s: %s\n", t.label, why);
				} else {
					injected_total += injected;
					allocs_total += allocs;
				}
			}
		}
		/* A strategy that allocates must have been failed at least once;
		 * one that allocates nothing at all (O(1) adoption) has no
		 * failure path to reach. */
		CHECK(injected_total > 0 || allocs_total == 0,
		      "strategy %s: %llu allocations, yet the sweep injected no failure", tm->name,
		      (unsigned long long)allocs_total);
		if (injected_total == 0 && failures == 0)
			printf("note: strategy %s made no counted allocation: no failure to inject\n", tm->name);
		injected_all += injected_total;
	}
	CHECK(injected_all > 0, "the sweep injected no failure into any strategy");
	CHECK(failures == 0, "%zu fault sweeps failed (listed above)", failures);
}

static void test_fault_injection_small_blocks(void)
{
	size_t saved = rl_block_size;
	CHECK(rl_set_block_size(SMALL_BLOCK_SIZE) == 0, "cannot set %u-byte blocks", SMALL_BLOCK_SIZE);
	test_fault_injection();
	CHECK(rl_set_block_size(saved) == 0, "cannot restore the block size");
}

/* ---- bitmap's own promises ----------------------------------------------------- */

/* Worklist pages a traversal of `objects` copies can touch at most. */
static size_t worklist_bound(size_t objects)
{
	size_t steps = (objects + RL_WORKLIST_CHARGE_STEP - 1) / RL_WORKLIST_CHARGE_STEP;
	return steps * RL_WORKLIST_CHARGE_STEP * sizeof(rl_obj *);
}

/* Runs bitmap on workload `name` (n objects) and checks: two allocations in
 * the call (shadow and worklist), strategy memory at most footprint/64 plus
 * `worklist_allowed` bytes (SIZE_MAX: the bound for the census), src byte
 * identical afterwards, and the contract. */
static void bitmap_memory_case(const char *name, size_t n, const char *layout, size_t worklist_allowed)
{
	const struct rl_transmigrator *tm = rl_find_transmigrator("bitmap");
	const struct rl_workload *wl = rl_find_workload(name);
	if (tm != NULL && !chosen(tm))
		return;
	CHECK(tm != NULL && wl != NULL, "bitmap or workload %s is not registered", name);
	struct trial t;
	struct setup s;
	char why[WHY_LEN] = "";
	trial_init(&t, tm, wl, layout, "0", n, false);
	CHECK(setup_make(&s, &t, why, sizeof why) == 0, "%s: %s", t.label, why);

	size_t footprint = rl_region_footprint(s.g.src);
	if (worklist_allowed == SIZE_MAX)
		worklist_allowed = worklist_bound(s.judge.before.census.objects);
	rl_kv_list no_opts = { 0 };
	rl_tm_ctx ctx = { .opts = &no_opts };
	rl_val out;
	size_t live_before = rl_mem_stats_self()->live_bytes;
	rl_mem_stats_begin();
	int rc = tm->transmigrate(&ctx, s.g.src, s.dst, s.g.root, &out);
	rl_mem_stats stats = *rl_mem_stats_self();
	CHECK(rc == RL_TM_OK, "%s: returned %d", t.label, rc);
	CHECK(stats.mallocs == 2, "%s: %llu strategy allocations in the call, expected 2 (shadow, worklist)", t.label,
	      (unsigned long long)stats.mallocs);
	size_t extra = stats.peak_bytes - live_before;
	CHECK(extra <= footprint / 64 + worklist_allowed,
	      "%s: %zu strategy bytes at peak, more than footprint/64 (%zu) + worklist (%zu)", t.label, extra,
	      footprint / 64, worklist_allowed);
	CHECK(rl_oracle_region_hash(s.g.src) == s.judge.before.src_hash, "%s: src not byte-identical after success",
	      t.label);
	rl_verdict v;
	CHECK(judge_success(&s, &t, &ctx, out, &v) == 0, "%s: %s: %s", t.label, rl_clause_name(v.clause), v.why);
	setup_free(&s);
}

static void test_bitmap_memory(void)
{
	/* Lists never touch the worklist: the shadow is all the memory. */
	bitmap_memory_case("list", 100000, "alloc", 0);
	bitmap_memory_case("list", 100000, "shuffled", 0);
	bitmap_memory_case("boxed-list", 50000, "shuffled", 0);
	bitmap_memory_case("ring", 20000, "alloc", 0);
	/* Everything else: within the worklist the census allows. */
	for (size_t j = 0; rl_workloads[j] != NULL; j++) {
		const struct rl_workload *wl = rl_workloads[j];
		bitmap_memory_case(wl->name, small_size(wl), "alloc", SIZE_MAX);
		bitmap_memory_case(wl->name, small_size(wl), "shuffled", SIZE_MAX);
	}
}

/* A root outside src (an immediate, or an object of dst) is its own copy:
 * the call succeeds, returns the root unchanged and leaves src as it was. */
static void test_root_outside_src(void)
{
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++) {
		const struct rl_transmigrator *tm = rl_transmigrators[i];
		if (!chosen(tm))
			continue;
		for (size_t r = 0; r < 4; r++) {
			rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
			CHECK(src != NULL && dst != NULL && prefill(src) == 0 && prefill(dst) == 0, "out of memory");
			rl_obj *in_dst = rl_obj_new(dst, RL_T_BOX_INT, sizeof(int64_t));
			CHECK(in_dst != NULL, "out of memory");
			memset(in_dst->w, 0, sizeof(int64_t));
			const rl_val roots[] = { RL_NIL, rl_fixnum(7), RL_TRUE, rl_val_of(in_dst) };
			rl_val root = roots[r];

			rl_judge judge;
			rl_verdict v;
			CHECK(rl_judge_begin(&judge, tm->caps, root, src, dst, &v) == 0, "%s", v.why);
			rl_kv_list no_opts = { 0 };
			rl_tm_ctx ctx = { .opts = &no_opts };
			rl_val out = RL_NIL;
			int rc = tm->transmigrate(&ctx, src, dst, root, &out);
			CHECK(rc == RL_TM_OK, "%s, root #%zu outside src: returned %d (%s)", tm->name, r, rc,
			      rl_tm_strerror(rc));
			CHECK(tm->read(&ctx, &out) == root, "%s: root #%zu outside src was changed", tm->name, r);
			CHECK(tm->finish(&ctx) == RL_TM_OK, "%s: finish failed", tm->name);
			if (!(tm->caps & RL_TM_CONSUMES_SRC))
				CHECK(rl_oracle_region_hash(src) == judge.before.src_hash, "%s: src written", tm->name);
			CHECK(rl_judge_success(&judge, root, out, &src, dst, &v) == 0, "%s, root #%zu outside src: %s: %s",
			      tm->name, r, rl_clause_name(v.clause), v.why);
			rl_judge_end(&judge);
			rl_region_destroy(dst);
		}
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	char err[256];
	if (rl_registry_check(err, sizeof err) != 0) {
		fprintf(stderr, "registry: %s\n", err);
		return 1;
	}
	RL_RUN(test_contract_matrix);
	RL_RUN(test_wrong_strategies_fail_the_contract);
	RL_RUN(test_fault_injection);
	RL_RUN(test_bitmap_memory);
	RL_RUN(test_root_outside_src);
	RL_RUN(test_contract_matrix_small_blocks);
	RL_RUN(test_fault_injection_small_blocks);
	return rl_test_summary(argv[0]);
}
