/* tether-floor/MODULE~FLOOR: a tether scheme beside the reference floor of
 * its design (bench/tether_floor.h), timed in the same process and
 * interleaved, as copy-bound pairs bitmap with its yardstick.
 *
 * Both sides run the workload's reader loop as the harness runs it for
 * Table 5 (driver/tether_run.c, reader_run): the scheme's `loop` (its fast
 * path inlined), one published slot, no writer, one thread, quiesce every
 * 1024 pairs, one pair in 4096 timed into a sample buffer, the stop flag
 * polled: the `--threads=1 --writers=0 --slots=1 --read=0 --duration=S`
 * trial.  Cases marked `loop=vtable` run both sides through the ops table
 * instead (rl_tether_loop_vtable: the harness's `loop=vtable`, what a
 * runtime calling s->tether pays).  One benchmark iteration is one round: PAIRS pairs
 * of the module and PAIRS of the floor, the order alternating between
 * rounds, each side timed on its own.  Counters: module_ns and floor_ns
 * (median ns per pair over the rounds), ratio (median of the rounds'
 * module/floor ratios) with ratio_p10 and ratio_p90 (its spread), rounds.
 *
 * Targets (issue 13): tls within 1.2x of floor-cc, ebr within 1.5x of
 * floor-ebr, hazard within 1.15x of floor-hp, hazard-asym within 3x of
 * floor-hp-asym.  The anchors are paired for reference only. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"
#include "bench/tether_floor.h"
#include "driver/registry.h"
#include "regionlab/clock.h"

#define PAIRS 16384u
#define ROUNDS_CAP 65536u
#define SAMPLE_EVERY 4096u /* as the harness with --duration (tether_run.c) */
#define SAMPLES_CAP 64u

struct floor_case {
	const char *module; /* a registered scheme, with options */
	const char *floor;  /* one of rl_tether_floors */
	bool vtable;        /* both sides through the ops table */
};

static const struct floor_case cases[] = {
	{ "tls", "floor-cc", false },
	{ "ebr", "floor-ebr", false },
	{ "ebr:fence=sym", "floor-ebr-sc", false },
	{ "hazard", "floor-hp", false },
	{ "hazard-asym", "floor-hp-asym", false },
	{ "ck-hp", "floor-hp", false },
	{ "ck-epoch", "floor-ebr-sc", false },
	{ "tls", "floor-cc", true },
	{ "ebr", "floor-ebr", true },
	{ "hazard", "floor-hp", true },
	{ "hazard-asym", "floor-hp-asym", true },
};

/* One side: a domain, this thread's record, one slot publishing a region. */
struct side {
	const struct rl_tether_scheme *s;
	rl_tether_domain *d;
	rl_tether_thread *t;
	rl_tether_slot *slot; /* on a cache line of its own, as the harness's table */
	bool vtable;
	atomic_bool stop;     /* never set: polled as the harness polls its own */
	uint64_t samples[SAMPLES_CAP];
	struct rl_tether_loop l;
};

static void free_region(rl_region *r, void *env)
{
	(void)env;
	rl_region_destroy(r);
}

static const struct rl_tether_scheme *find_floor(const char *name)
{
	for (size_t i = 0; i < RL_TETHER_NFLOORS; i++)
		if (strcmp(rl_tether_floors[i].name, name) == 0)
			return &rl_tether_floors[i];
	return NULL;
}

/* 0, or -1 with why. */
static int side_open(struct side *sd, const struct rl_tether_scheme *s, const char *opts, bool vtable, char *why,
		     size_t len)
{
	memset(sd, 0, sizeof *sd);
	sd->s = s;
	sd->vtable = vtable;
	atomic_init(&sd->stop, false);
	rl_kv_list kv;
	if (rl_kv_parse(opts, &kv, why, len) != 0)
		return -1;
	struct rl_tether_config cfg = { .opts = &kv, .free_region = free_region };
	sd->d = s->domain_create(&cfg, why, len);
	if (sd->d == NULL)
		return -1;
	sd->t = s->thread_register(sd->d);
	sd->slot = aligned_alloc(64, 64);
	rl_region *r = rl_region_create("tether-floor");
	if (sd->t == NULL || sd->slot == NULL || r == NULL || s->attach(sd->t, r, 0) != 0) {
		snprintf(why, len, "%s: cannot set up", s->name);
		return -1;
	}
	atomic_init(&sd->slot->word, 0);
	s->publish(sd->t, sd->slot, r);
	sd->l = (struct rl_tether_loop){
		.slots = (char *)sd->slot, .stride = sizeof *sd->slot, .nslots = 1, .max_ops = PAIRS,
		.stop = &sd->stop, .quiesce_every = 1024, .sample_every = SAMPLE_EVERY, .samples = sd->samples,
		.samples_cap = SAMPLES_CAP, .rng = 1,
	};
	return 0;
}

static void side_close(struct side *sd)
{
	if (sd->t != NULL && sd->slot != NULL) {
		rl_region *r = sd->s->publish(sd->t, sd->slot, NULL);
		if (r != NULL)
			sd->s->retire(sd->t, r);
		sd->s->quiesce(sd->t);
		sd->s->thread_unregister(sd->t);
	}
	if (sd->d != NULL)
		sd->s->domain_destroy(sd->d);
	free(sd->slot);
}

/* ns per pair of one round of PAIRS pairs. */
static double side_round(struct side *sd)
{
	sd->l.ops = 0;
	sd->l.nsamples = 0;
	uint64_t t0 = rl_now_ns();
	if (sd->vtable)
		rl_tether_loop_vtable(sd->s, sd->t, &sd->l);
	else
		sd->s->loop(sd->t, &sd->l);
	return (double)(rl_now_ns() - t0) / (double)PAIRS;
}

/* The two sides' rounds, kept out of line so that callgrind counts each
 * (bench/tether_floor_ir.sh: inclusive instructions over calls x PAIRS). */
__attribute__((noipa)) static double module_round(struct side *sd) { return side_round(sd); }
__attribute__((noipa)) static double floor_round(struct side *sd) { return side_round(sd); }

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of v[0..n) (sorts v). */
static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(size_t)(q * (double)(n - 1))];
}

static void report(rl_bench_state *s, double *mod, double *flo, double *ratio, size_t n)
{
	rl_bench_counter(s, "rounds", (double)n);
	if (n == 0)
		return;
	rl_bench_counter(s, "module_ns", quantile(mod, n, 0.5));
	rl_bench_counter(s, "floor_ns", quantile(flo, n, 0.5));
	rl_bench_counter(s, "ratio", quantile(ratio, n, 0.5));
	rl_bench_counter(s, "ratio_p10", quantile(ratio, n, 0.1));
	rl_bench_counter(s, "ratio_p90", quantile(ratio, n, 0.9));
}

static void bench_floor(rl_bench_state *s, void *env)
{
	const struct floor_case *c = env;
	char name[64], why[256] = "";
	snprintf(name, sizeof name, "%.*s", (int)strcspn(c->module, ":"), c->module);
	const char *opts = strchr(c->module, ':') != NULL ? strchr(c->module, ':') + 1 : "";
	const struct rl_tether_scheme *ms = rl_find_tether_scheme(name), *fs = find_floor(c->floor);
	struct side m = { 0 }, f = { 0 };
	double *v = malloc(3 * ROUNDS_CAP * sizeof *v);
	if (ms == NULL || fs == NULL || v == NULL || side_open(&m, ms, opts, c->vtable, why, sizeof why) != 0 ||
	    side_open(&f, fs, "", c->vtable, why, sizeof why) != 0) {
		rl_bench_skip(s, why[0] != '\0' ? why : "unknown scheme or no memory");
	} else {
		double *mod = v, *flo = v + ROUNDS_CAP, *ratio = v + 2 * ROUNDS_CAP;
		size_t n = 0;
		while (rl_bench_keep_running(s, 1)) {
			bool module_first = n % 2 == 0;
			double a = module_first ? module_round(&m) : floor_round(&f);
			double b = module_first ? floor_round(&f) : module_round(&m);
			if (n < ROUNDS_CAP) {
				mod[n] = module_first ? a : b;
				flo[n] = module_first ? b : a;
				ratio[n] = mod[n] / flo[n];
				n++;
			}
		}
		report(s, mod, flo, ratio, n);
	}
	side_close(&m);
	side_close(&f);
	free(v);
}

void bench_register_tether_floor(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[96];
		snprintf(name, sizeof name, "tether-floor/%s%s~%s", cases[i].module, cases[i].vtable ? ":loop=vtable" : "",
			 cases[i].floor);
		rl_bench_register(name, bench_floor, (void *)&cases[i]);
	}
}
