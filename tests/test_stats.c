/* The statistics of driver/stats.h on known samples, never on timings:
 * medians, the bootstrap interval (exact values for samples whose bootstrap
 * distribution is known, the same figures scripts/lib/stats.py gives for the
 * same sample and seed), the stopping rule and the tie rule; the machine
 * gate's rules on known probes, and its pin. */
#define _GNU_SOURCE /* sched_getaffinity, sched_getcpu, CPU_COUNT */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "driver/format.h"
#include "driver/registry.h"
#include "driver/runner.h"
#include "driver/stats.h"
#include "regionlab/region.h"
#include "tests/check.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NEAR(x, y) (fabs((x) - (y)) < 1e-6)

static void median_odd_even_empty(void)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
	CHECK(rl_stats_median(odd, N(odd)) == 3, "odd");
	CHECK(rl_stats_median(even, N(even)) == 2.5, "even: mean of the middle two");
	CHECK(odd[0] == 5 && odd[1] == 1, "the sample is left as it was");
	CHECK(isnan(rl_stats_median(odd, 0)), "empty: NaN");
}

static void quantile_interpolates(void)
{
	double s[] = { 0, 10, 20, 30, 40 };
	CHECK(rl_stats_quantile_sorted(s, 5, 0) == 0, "p=0");
	CHECK(rl_stats_quantile_sorted(s, 5, 1) == 40, "p=1");
	CHECK(NEAR(rl_stats_quantile_sorted(s, 5, 0.1), 4), "p=0.1 lies at 0.4 of the way to 10");
	CHECK(rl_stats_quantile_sorted(s, 5, 0.5) == 20, "p=0.5");
}

/* Every resample of a constant sample has the same median. */
static void bootstrap_constant_and_single(void)
{
	double c[] = { 7, 7, 7, 7, 7 }, one[] = { 42 };
	struct rl_ci ci;
	CHECK(rl_stats_median_ci(c, N(c), RL_STATS_RESAMPLES, RL_STATS_SEED, &ci) == 0, "runs");
	CHECK(ci.lo == 7 && ci.hi == 7, "constant: [7, 7], got [%g, %g]", ci.lo, ci.hi);
	rl_stats_median_ci(one, 1, RL_STATS_RESAMPLES, RL_STATS_SEED, &ci);
	CHECK(ci.lo == 42 && ci.hi == 42, "single value");
	rl_stats_median_ci(one, 0, RL_STATS_RESAMPLES, RL_STATS_SEED, &ci);
	CHECK(isnan(ci.lo) && isnan(ci.hi), "empty: NaN");
}

/* {1, 2, 3}: a resample's median is 1 with probability 7/27 (two or three
 * draws of 1), 3 likewise, 2 otherwise; both tails hold more than 2.5%, so
 * the 95% interval is [1, 3] exactly. */
static void bootstrap_three_values(void)
{
	double x[] = { 1, 2, 3 };
	struct rl_ci ci;
	rl_stats_median_ci(x, N(x), RL_STATS_RESAMPLES, RL_STATS_SEED, &ci);
	CHECK(ci.lo == 1 && ci.hi == 3, "[1, 3], got [%g, %g]", ci.lo, ci.hi);
}

/* A sample with one outlier: the figures scripts/lib/stats.py prints for
 * `known` (same generator, seed, resampling and quantiles), the interval
 * holds the median, the outlier does not drag it, and the same seed gives
 * the same interval while another seed gives a close one. */
static void bootstrap_known_sample(void)
{
	double x[] = { 10, 12, 9, 11, 30, 10.5, 9.5, 11.5, 10.2, 9.8 };
	struct rl_ci ci, again, other;
	double m = rl_stats_median(x, N(x));
	rl_stats_median_ci(x, N(x), RL_STATS_RESAMPLES, RL_STATS_SEED, &ci);
	CHECK(NEAR(m, 10.35), "median %g", m);
	CHECK(NEAR(ci.lo, 9.75) && NEAR(ci.hi, 11.5), "[9.75, 11.5] as in Python, got [%.6f, %.6f]", ci.lo, ci.hi);
	CHECK(ci.lo <= m && m <= ci.hi, "holds the median");
	rl_stats_median_ci(x, N(x), RL_STATS_RESAMPLES, RL_STATS_SEED, &again);
	CHECK(again.lo == ci.lo && again.hi == ci.hi, "seeded: reproduces");
	/* With 5 resamples every draw shows: the generator and the resampling
	 * must be Python's exactly. */
	rl_stats_median_ci(x, N(x), 5, RL_STATS_SEED, &other);
	CHECK(NEAR(other.lo, 9.91) && NEAR(other.hi, 10.92), "5 resamples: [9.91, 10.92] as in Python, got [%.6f, %.6f]",
	      other.lo, other.hi);
	rl_stats_median_ci(x, N(x), RL_STATS_RESAMPLES, RL_STATS_SEED + 1, &other);
	CHECK(other.lo >= 9.5 && other.hi <= 12, "another seed, a close interval [%g, %g]", other.lo, other.hi);
}

static const struct rl_stop_rule rule = { .min_rounds = 3, .max_rounds = 10, .max_seconds = 5, .half_width = 0.05 };

static void stop_rule(void)
{
	double med[] = { 100, 200 };
	struct rl_ci tight[] = { { 96, 104 }, { 191, 209 } };   /* half-widths 4%, 4.5% */
	struct rl_ci loose[] = { { 96, 104 }, { 180, 221 } };   /* the second 10.25% */
	struct rl_ci edge[] = { { 95, 105 }, { 190, 210 } };    /* exactly 5% */
	CHECK(rl_stats_stop(&rule, 2, 0, med, tight, 2) == RL_STOP_CONTINUE, "before min_rounds: continue");
	CHECK(rl_stats_stop(&rule, 3, 0, med, tight, 2) == RL_STOP_CONVERGED, "narrow: converged");
	CHECK(rl_stats_stop(&rule, 3, 0, med, edge, 2) == RL_STOP_CONVERGED, "within 5%% inclusive");
	CHECK(rl_stats_stop(&rule, 3, 0, med, loose, 2) == RL_STOP_CONTINUE, "one module wide: continue");
	CHECK(rl_stats_stop(&rule, 10, 0, med, loose, 2) == RL_STOP_CAP_ROUNDS, "max_rounds");
	CHECK(rl_stats_stop(&rule, 4, 5.0, med, loose, 2) == RL_STOP_CAP_SECONDS, "max_seconds");
	CHECK(rl_stats_stop(&rule, 10, 9.0, med, loose, 2) == RL_STOP_CAP_ROUNDS, "rounds cap named first");
	CHECK(rl_stats_stop(&rule, 2, 9.0, med, loose, 2) == RL_STOP_CONTINUE, "min_rounds beats the seconds cap");
	double nan_med[] = { NAN, 200 };
	CHECK(rl_stats_stop(&rule, 3, 0, nan_med, tight, 2) == RL_STOP_CONTINUE, "no figure: never converged");
	CHECK(rl_stop_name(RL_STOP_CONTINUE) == NULL, "continue has no name");
	CHECK(strcmp(rl_stop_name(RL_STOP_CAP_SECONDS), "cap_seconds") == 0, "names");
}

/* The tie rule on a ratio of paired samples: a is 5/6 of b in every round
 * (give or take 3%): below 1, a verdict; a within 1% of b either way: a tie. */
static void tie_rule(void)
{
	double a[] = { 100, 102, 98, 101, 99, 103, 100, 97 };
	double b[] = { 120, 121, 119, 125, 118, 122, 120, 117 };
	double same[] = { 101, 101, 97, 100, 100, 104, 99, 98 };
	double m;
	struct rl_ci ci;
	rl_stats_ratio_ci(a, b, N(a), RL_STATS_RESAMPLES, RL_STATS_SEED, &m, &ci);
	CHECK(NEAR(m, 0.833333) && NEAR(ci.lo, 0.823529) && NEAR(ci.hi, 0.842975), "as in Python: %.6f [%.6f, %.6f]",
	      m, ci.lo, ci.hi);
	CHECK(rl_stats_verdict(ci, 1.0) == RL_BELOW, "a faster than b");
	rl_stats_ratio_ci(b, a, N(a), RL_STATS_RESAMPLES, RL_STATS_SEED, &m, &ci);
	CHECK(rl_stats_verdict(ci, 1.0) == RL_ABOVE, "b slower than a");
	rl_stats_ratio_ci(same, a, N(a), RL_STATS_RESAMPLES, RL_STATS_SEED, &m, &ci);
	CHECK(ci.lo < 1 && ci.hi > 1 && rl_stats_verdict(ci, 1.0) == RL_TIE, "overlap: tie [%g, %g]", ci.lo, ci.hi);
	CHECK(rl_stats_verdict((struct rl_ci){ NAN, NAN }, 1.0) == RL_TIE, "no interval: tie");
	CHECK(rl_stats_verdict((struct rl_ci){ 0.9, 1.0 }, 1.0) == RL_TIE, "touching the alternative: tie");
}

/* ---- the runner's rounds ---------------------------------------------------------
 * Rows are captured as the runner hands them out; nothing here depends on how
 * long a trial took except how many rounds ran, which lies between --reps
 * and --max-rounds. */
#define MAX_CAPTURED 64
struct captured {
	char strategy[32], stop[16];
	uint64_t rep, seed, rounds, disturbed, cpu_ns, ns_total, probe_ns;
	double ns_per_obj, ci_lo, ci_hi;
};
struct capture {
	rl_writer base;
	size_t n;
	struct captured rows[MAX_CAPTURED];
};
static int capture_write(rl_writer *w, rl_row *r)
{
	struct capture *c = (struct capture *)w;
	if (c->n == MAX_CAPTURED)
		return -1;
	struct captured *k = &c->rows[c->n++];
	snprintf(k->strategy, sizeof k->strategy, "%s", r->strategy);
	snprintf(k->stop, sizeof k->stop, "%s", r->stop ? r->stop : "");
	k->rep = r->rep, k->seed = r->seed, k->rounds = r->rounds, k->disturbed = r->disturbed;
	k->cpu_ns = r->cpu_ns, k->ns_total = r->ns_total, k->probe_ns = r->probe_ns;
	k->ns_per_obj = r->ns_per_obj, k->ci_lo = r->ci_lo, k->ci_hi = r->ci_hi;
	return 0;
}
static int capture_close(rl_writer *w)
{
	(void)w;
	return 0;
}
static const struct rl_writer_ops capture_ops = { capture_write, capture_close };

static struct capture capture;

static void rounds_pair_every_strategy(void)
{
	const char *names[] = { "cheney", "bitmap" };
	struct rl_strategy_spec st[2] = { 0 };
	for (int i = 0; i < 2; i++) {
		st[i].tm = rl_find_transmigrator(names[i]);
		CHECK(st[i].tm != NULL, "%s registered", names[i]);
		snprintf(st[i].label, sizeof st[i].label, "%s", names[i]);
	}
	struct rl_workload_spec wl = { .wl = rl_find_workload("list"), .size = 200, .layout = "alloc" };
	CHECK(wl.wl != NULL, "list registered");
	snprintf(wl.label, sizeof wl.label, "list");
	struct rl_sweep s = {
		.strategies = st, .nstrategies = 2, .workloads = &wl, .nworkloads = 1,
		.reps = 3, .max_rounds = 5, .seed = 7, .block = rl_block_size,
		.stack_bytes = RL_STACK_DEFAULT, .verify = true, .fork = true, .cold = true,
	};
	capture = (struct capture){ .base = { &capture_ops } };
	rl_out out = { .writers = { &capture.base }, .nwriters = 1 };
	CHECK(rl_sweep_run(&s, &out) == 0, "the sweep ran");
	size_t rounds = capture.rows[0].rounds;
	CHECK(rounds >= 3 && rounds <= 5, "between --reps and --max-rounds: %zu", rounds);
	CHECK(capture.n == 2 * rounds, "one row per strategy per round: %zu rows, %zu rounds", capture.n, rounds);
	for (size_t k = 0; k < capture.n; k++) {
		const struct captured *r = &capture.rows[k];
		CHECK(r->rounds == rounds, "every row of the grid point says its rounds");
		CHECK(r->rep == k / 2 && r->seed == 7 + k / 2, "round %zu: rep %llu seed %llu", k / 2,
		      (unsigned long long)r->rep, (unsigned long long)r->seed);
		CHECK(strcmp(r->stop, "converged") == 0 || (rounds == 5 && strcmp(r->stop, "cap_rounds") == 0),
		      "stop %s after %zu rounds", r->stop, rounds);
		/* no interval when fewer than two of the strategy's trials were undisturbed */
		CHECK(r->ci_lo <= r->ci_hi || (isnan(r->ci_lo) && isnan(r->ci_hi)), "an interval, or none");
		CHECK(r->cpu_ns != RL_UNSET_U64 && r->cpu_ns > 0, "cpu_ns");
		CHECK(r->probe_ns != RL_UNSET_U64 && r->probe_ns > 0, "probe_ns");
		CHECK(r->disturbed <= 3, "disturbed counts retries");
	}
	/* each strategy once per round, and its interval holds its median */
	for (int i = 0; i < 2; i++) {
		double x[8];
		size_t m = 0;
		for (size_t k = 0; k < capture.n; k++)
			if (strcmp(capture.rows[k].strategy, names[i]) == 0 && capture.rows[k].disturbed <= 2)
				x[m++] = capture.rows[k].ns_per_obj;
		if (m < 2) { /* (nearly) every trial on a slow machine: no interval */
			CHECK(isnan(capture.rows[i].ci_lo), "%s: %zu undisturbed trials, yet an interval", names[i], m);
			continue;
		}
		double med = rl_stats_median(x, m);
		CHECK(capture.rows[i].ci_lo <= med && med <= capture.rows[i].ci_hi, "%s: median %g in [%g, %g]",
		      names[i], med, capture.rows[i].ci_lo, capture.rows[i].ci_hi);
	}
	for (size_t r = 0; r < rounds; r++)
		CHECK(strcmp(capture.rows[2 * r].strategy, capture.rows[2 * r + 1].strategy) != 0, "both in round %zu",
		      r);
}

/* ---- the machine gate (driver/machine_gate.h) ------------------------------------ */

static int allowed_cpus(void)
{
	cpu_set_t set;
	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
}

/* The rules on known probes, and the pin: a single-thread trial runs on one
 * CPU and the thread gets its whole mask back after it; a multi-thread
 * trial's gate leaves the mask as it was.  Runs last: it lowers the
 * process's reference. */
static void machine_gate_rules(void)
{
	CHECK(!rl_gate_is_slow(115, 100) && rl_gate_is_slow(116, 100), "slow: more than 15%% above the reference");
	CHECK(!rl_gate_is_slow(1000000, 0), "no reference: never slow");
	CHECK(!rl_gate_disagree(100, 125) && !rl_gate_disagree(125, 100), "25%% apart: agree");
	CHECK(rl_gate_disagree(100, 126) && rl_gate_disagree(126, 100), "more than 25%% apart: disagree");

	int home = allowed_cpus();
	struct rl_disturbance d;
	rl_disturbance_begin(&d, RL_GATE_ONE_CPU);
	CHECK(d.probe_ns > 0 && rl_gate_reference() > 0, "a probe, and a reference: %llu, %llu",
	      (unsigned long long)d.probe_ns, (unsigned long long)rl_gate_reference());
	if (d.cpu >= 0)
		CHECK(allowed_cpus() == 1 && sched_getcpu() == d.cpu, "pinned to cpu %d during the trial", d.cpu);
	(void)rl_disturbance_end(&d);
	CHECK(allowed_cpus() == home, "the mask given back: %d of %d CPUs", allowed_cpus(), home);
	rl_disturbance_begin(&d, RL_GATE_ALL_CPUS);
	CHECK(allowed_cpus() == home && d.cpu == -1, "every CPU allowed during a tether trial");
	(void)rl_disturbance_end(&d);
	CHECK(allowed_cpus() == home, "and after it");

	uint64_t ref = rl_gate_reference();
	rl_gate_set_reference(ref + 1000);
	CHECK(rl_gate_reference() == ref, "a higher --probe-ref does not raise the reference");
	rl_gate_set_reference(ref / 2);
	CHECK(rl_gate_reference() == ref / 2, "a lower one becomes it");
	rl_disturbance_begin(&d, RL_GATE_ONE_CPU);
	bool slow = rl_gate_is_slow(d.probe_ns, rl_gate_reference()), disturbed = rl_disturbance_end(&d);
	CHECK(slow && disturbed, "a trial on a CPU slower than the reference (twice the best probe) is disturbed");
	CHECK(allowed_cpus() == home, "the mask given back after a slow trial");
	/* multi-thread trials: against the best slowest-CPU probe, which the
	 * single-CPU reference does not lower */
	bool calm = false, spell = false; /* one of three trials undisturbed (steal or a probe disagreeing may hit one) */
	for (int i = 0; i < 3 && !calm; i++) {
		rl_disturbance_begin(&d, RL_GATE_ALL_CPUS);
		spell = rl_gate_is_slow(d.probe_ns, rl_gate_all_reference()); /* a slow spell of the machine itself */
		calm = !rl_disturbance_end(&d);
	}
	uint64_t all_ref = rl_gate_all_reference();
	rl_gate_set_reference(1);
	CHECK(all_ref > 0 && rl_gate_all_reference() == all_ref, "the multi-thread reference (%llu) is its own",
	      (unsigned long long)all_ref);
	if (spell && !calm)
		fprintf(stderr, "note: the last multi-thread trial ran in a slow spell; its calm case is not judged\n");
	else
		CHECK(calm, "every multi-thread trial disturbed: judged against the (halved) single-CPU reference?");
	rl_gate_set_all_reference(all_ref / 2);
	rl_disturbance_begin(&d, RL_GATE_ALL_CPUS); /* waits for the CPUs as long as allowed, then runs */
	slow = rl_gate_is_slow(d.probe_ns, rl_gate_all_reference());
	disturbed = rl_disturbance_end(&d);
	CHECK(slow && disturbed, "a multi-thread trial while the slowest CPU is slower than its reference is disturbed");
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(median_odd_even_empty);
	RL_RUN(quantile_interpolates);
	RL_RUN(bootstrap_constant_and_single);
	RL_RUN(bootstrap_three_values);
	RL_RUN(bootstrap_known_sample);
	RL_RUN(stop_rule);
	RL_RUN(tie_rule);
	RL_RUN(rounds_pair_every_strategy);
	RL_RUN(machine_gate_rules); /* last: it lowers the gate's reference */
	return rl_test_summary(argv[0]);
}
