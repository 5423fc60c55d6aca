"""The statistics rules of driver/stats.c, in Python, for paper.py and compare-runs.

Same generator (splitmix64), same resampling (index = next % n), same median
and quantile definitions, same constants: an interval computed here from a
group's rows equals the one the harness wrote into ci_lo/ci_hi for the same
sample.  tests/test_stats.c and tests/test_scripts.sh check both on the same
known samples.  Standard library only."""

import math

RESAMPLES = 2000
SEED = 0x5EED2013
LEVEL = 0.95
HALF_WIDTH = 0.05
MASK = (1 << 64) - 1

# A ratio whose interval holds its alternative but lies wholly within alternative x
# (1 +- EQUIVALENCE_MARGIN) is EQUIVALENT ("level": equal at that margin), an equivalence verdict (a narrow interval around "no effect" is a
# finding, not a tie); the margin is the stopping rule's half-width, what a converged cell resolves.
EQUIVALENCE_MARGIN = HALF_WIDTH

TIE, BELOW, ABOVE, EQUIVALENT = "tie", "below", "above", "level"


def median(xs):
    """Median of xs (mean of the two middle values when even); NaN when empty."""
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return math.nan
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def quantile_sorted(s, p):
    """Linear interpolation between order statistics at p*(n-1) (R type 7)."""
    n = len(s)
    if n == 0:
        return math.nan
    pos = p * (n - 1)
    i = int(math.floor(pos))
    if i + 1 >= n:
        return s[n - 1]
    return s[i] + (pos - i) * (s[i + 1] - s[i])


def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def _resampled_median(xs, state):
    """(state, median of len(xs) draws from xs with replacement): index = next % n, as in C."""
    n = len(xs)
    draw = []
    for _ in range(n):
        state, r = _splitmix64(state)
        draw.append(xs[r % n])
    return state, median(draw)


def median_ci(xs, resamples=RESAMPLES, seed=SEED):
    """Percentile bootstrap 95% interval of the median: (lo, hi), NaNs when empty."""
    xs = list(xs)
    n = len(xs)
    if n == 0 or resamples == 0:
        return (math.nan, math.nan)
    state = seed
    meds = []
    for _ in range(resamples):
        state, m = _resampled_median(xs, state)
        meds.append(m)
    meds.sort()
    tail = (1 - LEVEL) / 2
    return (quantile_sorted(meds, tail), quantile_sorted(meds, 1 - tail))


def quotient_ci(xs, ys, resamples=RESAMPLES, seed=SEED):
    """Independent samples (two grid points): median(xs) / median(ys) and the percentile bootstrap
    95% interval of that quotient, xs and ys resampled apart from one generator; NaN figures are
    left out.  (NaN, (NaN, NaN)) when either is empty or a median is not positive (every figure
    this divides is a positive time)."""
    xs = [x for x in xs if not math.isnan(x)]
    ys = [y for y in ys if not math.isnan(y)]
    if not xs or not ys or resamples == 0 or not (median(xs) > 0 and median(ys) > 0):
        return math.nan, (math.nan, math.nan)
    state = seed
    quotients = []
    for _ in range(resamples):
        state, mx = _resampled_median(xs, state)
        state, my = _resampled_median(ys, state)
        quotients.append(mx / my)
    quotients.sort()
    tail = (1 - LEVEL) / 2
    return median(xs) / median(ys), (quantile_sorted(quotients, tail), quantile_sorted(quotients, 1 - tail))


def ratio_ci(a, b, resamples=RESAMPLES, seed=SEED):
    """Paired samples: median of a[i]/b[i] and its interval; pairs with b <= 0 or NaN skipped."""
    ratios = [x / y for x, y in zip(a, b) if y > 0 and not math.isnan(x)]
    return median(ratios), median_ci(ratios, resamples, seed)


def within(med, ci, half_width=HALF_WIDTH):
    lo, hi = ci
    if any(math.isnan(v) for v in (med, lo, hi)):
        return False
    return (hi - lo) / 2 <= half_width * abs(med)


def stop(rounds, elapsed_s, medians, cis, min_rounds, max_rounds, max_seconds, half_width=HALF_WIDTH):
    """None (continue), 'converged', 'cap_rounds' or 'cap_seconds', as rl_stats_stop."""
    if rounds < min_rounds:
        return None
    if all(within(m, c, half_width) for m, c in zip(medians, cis)):
        return "converged"
    if rounds >= max_rounds:
        return "cap_rounds"
    if elapsed_s >= max_seconds:
        return "cap_seconds"
    return None


def verdict(ci, alternative=1.0, margin=None):
    """The tie rule: BELOW/ABOVE only when the interval excludes the alternative.  With a margin,
    an interval that holds the alternative and lies wholly within alternative x (1 +- margin) is
    EQUIVALENT ("level": equal at that margin); any other is a TIE.  The ordering is judged first,
    so a small difference the interval resolves (-3% [-4%, -2%]) keeps its sign."""
    lo, hi = ci
    if math.isnan(lo) or math.isnan(hi):
        return TIE
    if hi < alternative:
        return BELOW
    if lo > alternative:
        return ABOVE
    if margin is not None and alternative * (1 - margin) <= lo and hi <= alternative * (1 + margin):
        return EQUIVALENT
    return TIE


def fastest(values, cis):
    """(index of the smallest value, whether it holds): it holds when its interval lies wholly
    below every other's, the tie rule of Table 1 and compare-runs.  None values take no part;
    (None, False) with fewer than two."""
    entries = [(v, i) for i, v in enumerate(values) if v is not None]
    if len(entries) < 2:
        return None, False
    _, best = min(entries)
    hi = cis[best][1]
    holds = hi is not None and not math.isnan(hi) and all(
        cis[j][0] is not None and hi < cis[j][0] for _, j in entries if j != best)
    return best, holds


if __name__ == "__main__":
    # Known samples for the cross-check in tests/test_scripts.sh (the same as tests/test_stats.c).
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == "known":
        ten = [10, 12, 9, 11, 30, 10.5, 9.5, 11.5, 10.2, 9.8]
        lo, hi = median_ci(ten)
        print("%.6f %.6f %.6f" % (median(ten), lo, hi))
        print("%.6f %.6f" % median_ci(ten, 5))
        a = [100, 102, 98, 101, 99, 103, 100, 97]
        b = [120, 121, 119, 125, 118, 122, 120, 117]
        m, (lo, hi) = ratio_ci(a, b)
        print("%.6f %.6f %.6f %s" % (m, lo, hi, verdict((lo, hi))))
