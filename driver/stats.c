/* Median, bootstrap interval, stopping rule and tie rule (driver/stats.h).
 *
 * Invariant: every result is a function of the sample and the seed alone --
 * no clock, no global random state -- so a table built from the same rows
 * shows the same intervals, here and in scripts/lib/stats.py. */
#include "driver/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double rl_stats_median_in_place(double *x, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(x, n, sizeof *x, cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

double rl_stats_median(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	double *copy = malloc(n * sizeof *copy);
	if (copy == NULL)
		return NAN;
	memcpy(copy, x, n * sizeof *copy);
	double m = rl_stats_median_in_place(copy, n);
	free(copy);
	return m;
}

double rl_stats_quantile_sorted(const double *sorted, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double pos = p * (double)(n - 1);
	size_t i = (size_t)floor(pos);
	if (i + 1 >= n)
		return sorted[n - 1];
	double frac = pos - (double)i;
	return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

/* splitmix64 (Steele, Lea, Flood 2014): small, and the same in Python. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

int rl_stats_median_ci(const double *x, size_t n, unsigned resamples, uint64_t seed, struct rl_ci *ci)
{
	ci->lo = ci->hi = NAN;
	if (n == 0 || resamples == 0)
		return 0;
	double *draw = malloc(n * sizeof *draw);
	double *medians = malloc(resamples * sizeof *medians);
	if (draw == NULL || medians == NULL) {
		free(draw);
		free(medians);
		return -1;
	}
	uint64_t state = seed;
	for (unsigned r = 0; r < resamples; r++) {
		for (size_t i = 0; i < n; i++)
			draw[i] = x[splitmix64(&state) % n];
		medians[r] = rl_stats_median_in_place(draw, n);
	}
	qsort(medians, resamples, sizeof *medians, cmp_double);
	double tail = (1 - RL_STATS_LEVEL) / 2;
	ci->lo = rl_stats_quantile_sorted(medians, resamples, tail);
	ci->hi = rl_stats_quantile_sorted(medians, resamples, 1 - tail);
	free(draw);
	free(medians);
	return 0;
}

int rl_stats_ratio_ci(const double *a, const double *b, size_t n, unsigned resamples, uint64_t seed,
		      double *median, struct rl_ci *ci)
{
	*median = NAN;
	ci->lo = ci->hi = NAN;
	double *ratios = malloc((n ? n : 1) * sizeof *ratios);
	if (ratios == NULL)
		return -1;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (b[i] > 0 && !isnan(a[i]))
			ratios[m++] = a[i] / b[i];
	*median = rl_stats_median(ratios, m);
	int rc = rl_stats_median_ci(ratios, m, resamples, seed, ci);
	free(ratios);
	return rc;
}

static bool within(double median, struct rl_ci ci, double half_width)
{
	if (isnan(median) || isnan(ci.lo) || isnan(ci.hi))
		return false;
	return (ci.hi - ci.lo) / 2 <= half_width * fabs(median);
}

enum rl_stop rl_stats_stop(const struct rl_stop_rule *rule, size_t rounds, double elapsed_s,
			   const double *medians, const struct rl_ci *cis, size_t modules)
{
	if (rounds < rule->min_rounds)
		return RL_STOP_CONTINUE;
	bool converged = true;
	for (size_t i = 0; i < modules && converged; i++)
		converged = within(medians[i], cis[i], rule->half_width);
	if (converged)
		return RL_STOP_CONVERGED;
	if (rounds >= rule->max_rounds)
		return RL_STOP_CAP_ROUNDS;
	if (elapsed_s >= rule->max_seconds)
		return RL_STOP_CAP_SECONDS;
	return RL_STOP_CONTINUE;
}

const char *rl_stop_name(enum rl_stop stop)
{
	switch (stop) {
	case RL_STOP_CONVERGED:
		return "converged";
	case RL_STOP_CAP_ROUNDS:
		return "cap_rounds";
	case RL_STOP_CAP_SECONDS:
		return "cap_seconds";
	case RL_STOP_CONTINUE:
		break;
	}
	return NULL;
}

enum rl_verdict_sign rl_stats_verdict(struct rl_ci ci, double alternative)
{
	if (isnan(ci.lo) || isnan(ci.hi))
		return RL_TIE;
	if (ci.hi < alternative)
		return RL_BELOW;
	if (ci.lo > alternative)
		return RL_ABOVE;
	return RL_TIE;
}
