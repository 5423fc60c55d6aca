/* The statistics behind every reported figure: the median of a grid point's
 * trials, a seeded percentile-bootstrap 95% confidence interval of it, the
 * rule that says when a grid point has enough rounds, and the rule that says
 * when an ordering between two modules is a verdict rather than a tie.
 *
 * Everything is deterministic for a given sample and seed (the random
 * numbers are splitmix64's), so an interval reproduces exactly; the same
 * rules, with the same generator and the same percentile definition, are in
 * scripts/lib/stats.py, and tests/test_stats.c and tests/test_scripts.sh
 * check both on the same known samples. */
#ifndef REGIONLAB_DRIVER_STATS_H
#define REGIONLAB_DRIVER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_STATS_RESAMPLES 2000u
#define RL_STATS_SEED UINT64_C(0x5eed2013) /* fixed: an interval reproduces */
#define RL_STATS_LEVEL 0.95
#define RL_STATS_HALF_WIDTH 0.05 /* converged: every half-width within 5% of its median */

/* A confidence interval; lo == hi == NaN when there is no sample. */
struct rl_ci {
	double lo, hi;
};

/* The median of x[0..n) (the mean of the two middle values when n is even);
 * NaN when n == 0.  x is left as it was. */
double rl_stats_median(const double *x, size_t n);
/* The same, sorting x in place (no copy: for callers with scratch space). */
double rl_stats_median_in_place(double *x, size_t n);

/* The p-quantile (0 <= p <= 1) of sorted[0..n), interpolated linearly
 * between order statistics (position p*(n-1): R's type 7, numpy's default). */
double rl_stats_quantile_sorted(const double *sorted, size_t n, double p);

/* Percentile bootstrap interval at RL_STATS_LEVEL of the median of x[0..n):
 * `resamples` resamples of n values drawn with replacement (index =
 * splitmix64(seed) % n), the median of each, and their 2.5% and 97.5%
 * quantiles.  0, or -1 when out of memory (*ci is then NaN). */
int rl_stats_median_ci(const double *x, size_t n, unsigned resamples, uint64_t seed, struct rl_ci *ci);

/* Paired samples (a[i] and b[i] measured in the same round): the median of
 * the ratios a[i]/b[i] and its bootstrap interval, as rl_stats_median_ci on
 * those ratios.  Pairs with b[i] <= 0 or a NaN are skipped. */
int rl_stats_ratio_ci(const double *a, const double *b, size_t n, unsigned resamples, uint64_t seed,
		      double *median, struct rl_ci *ci);

/* ---- the stopping rule ------------------------------------------------------- */

enum rl_stop {
	RL_STOP_CONTINUE,    /* run another round */
	RL_STOP_CONVERGED,   /* every module's interval within +-5% of its median */
	RL_STOP_CAP_ROUNDS,  /* max_rounds reached first */
	RL_STOP_CAP_SECONDS, /* max_seconds spent first */
};

struct rl_stop_rule {
	size_t min_rounds;  /* --reps: never stop before */
	size_t max_rounds;  /* --max-rounds */
	double max_seconds; /* --max-seconds per grid point */
	double half_width;  /* RL_STATS_HALF_WIDTH */
};

/* Whether a grid point stops after `rounds` rounds and `elapsed_s` seconds,
 * given each of its `modules` modules' median and interval.  Before
 * min_rounds: continue, whatever else holds.  Then converged when every
 * module's half-width (hi - lo) / 2 is at most half_width * |median| (a
 * module with no figure, NaN, cannot converge), else cap_rounds when
 * rounds >= max_rounds, else cap_seconds when elapsed_s >= max_seconds,
 * else continue. */
enum rl_stop rl_stats_stop(const struct rl_stop_rule *rule, size_t rounds, double elapsed_s,
			   const double *medians, const struct rl_ci *cis, size_t modules);

/* The `stop` column: converged, cap_rounds, cap_seconds (NULL: continue). */
const char *rl_stop_name(enum rl_stop stop);

/* ---- the tie rule --------------------------------------------------------------- */

enum rl_verdict_sign {
	RL_TIE,     /* the interval holds the alternative: no ordering */
	RL_BELOW,   /* the whole interval lies below the alternative */
	RL_ABOVE,   /* the whole interval lies above it */
};

/* An ordering holds only when the interval excludes the alternative: for a
 * ratio of paired samples, alternative 1 (RL_BELOW: a is faster than b).
 * A NaN bound is a tie. */
enum rl_verdict_sign rl_stats_verdict(struct rl_ci ci, double alternative);

#endif
