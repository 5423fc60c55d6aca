/* The machine gate (see driver/machine_gate.h).
 *
 * Invariant: a trial kept as undisturbed by RL_GATE_ONE_CPU ran (where the
 * thread's affinity can be set) pinned to one CPU whose throughput probe,
 * just before and just after the trial, was
 * within RL_GATE_SLACK_PCT percent of the best probe known to the sweep, with no steal
 * time in between.  The probe is what a spell slows (measured with a
 * monitor beside a copy loop: the probe was more than 15% slow in 265 of
 * the 274 samples where the copy was more than 25% slow, and in 41 of the
 * 1,561 others); the pin keeps the trial from migrating to a CPU that was
 * not probed.  One kept by RL_GATE_ALL_CPUS ran while the slowest allowed
 * CPU's probe, just before and just after, was within the slack of the best
 * such probe this process has seen, with no steal. */
#define _GNU_SOURCE /* sched_getaffinity, sched_setaffinity, sched_getcpu, CPU_* */
#include "driver/machine_gate.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "regionlab/clock.h"

#define PROBE_SPINS 100000u /* ~0.16 ms of the eight linked chains */
#define PROBE_TRIES 3
#define GATE_MAX_CPUS 64 /* CPUs probed at most (the first of the allowed ones) */

static _Atomic uint64_t reference_ns;  /* the best probe known, 0: none yet */
static _Atomic uint64_t all_reference_ns; /* the best slowest-CPU probe this process saw, 0: none yet */
static _Atomic uint64_t waited_ns;     /* the gate's sleeping so far, against RL_GATE_BUDGET_MS */

/* *ref becomes probe_ns when that is lower (or *ref is 0); 0 changes nothing. */
static void lower(_Atomic uint64_t *ref, uint64_t probe_ns)
{
	uint64_t cur = atomic_load_explicit(ref, memory_order_relaxed);
	while (probe_ns != 0 && (cur == 0 || probe_ns < cur) &&
	       !atomic_compare_exchange_weak_explicit(ref, &cur, probe_ns, memory_order_relaxed, memory_order_relaxed))
		;
}

void rl_gate_set_reference(uint64_t probe_ref_ns) { lower(&reference_ns, probe_ref_ns); }

void rl_gate_set_all_reference(uint64_t probe_ns) { lower(&all_reference_ns, probe_ns); }

uint64_t rl_gate_all_reference(void) { return atomic_load_explicit(&all_reference_ns, memory_order_relaxed); }

uint64_t rl_gate_reference(void)
{
	return atomic_load_explicit(&reference_ns, memory_order_relaxed);
}

/* Eight shift/xor/add chains, each adding its neighbour once per round:
 * work the core overlaps, so it slows when another thread shares the
 * core's execution units, unlike a chain of dependent multiplies.  Best of
 * PROBE_TRIES runs. */
uint64_t rl_gate_probe_ns(void)
{
	uint64_t best = UINT64_MAX;
	for (int t = 0; t < PROBE_TRIES; t++) {
		uint64_t a = (uint64_t)t + 1, b = a + 1, c = a + 2, d = a + 3, e = a + 4, f = a + 5, g = a + 6,
			 h = a + 7;
		uint64_t t0 = rl_now_ns();
		for (unsigned i = 0; i < PROBE_SPINS; i++) {
			a = (a ^ (a << 7)) + b;
			b = (b ^ (b >> 9)) + c;
			c = (c ^ (c << 5)) + d;
			d = (d ^ (d >> 3)) + e;
			e = (e ^ (e << 11)) + f;
			f = (f ^ (f >> 13)) + g;
			g = (g ^ (g << 2)) + h;
			h = (h ^ (h >> 17)) + a;
			__asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h));
		}
		uint64_t took = rl_now_ns() - t0;
		if (took < best)
			best = took;
	}
	rl_gate_set_reference(best);
	return best;
}

bool rl_gate_is_slow(uint64_t probe_ns, uint64_t reference_ns_)
{
	return reference_ns_ != 0 && probe_ns * 100 > reference_ns_ * (100 + RL_GATE_SLACK_PCT);
}

bool rl_gate_disagree(uint64_t before_ns, uint64_t after_ns)
{
	uint64_t lo = before_ns < after_ns ? before_ns : after_ns, hi = before_ns < after_ns ? after_ns : before_ns;
	return lo > 0 && hi * 100 > lo * (100 + RL_GATE_DISAGREE_PCT);
}

/* Steal ticks of all CPUs so far (/proc/stat's 8th figure); 0 when unknown. */
static uint64_t steal_ticks(void)
{
	FILE *fp = fopen("/proc/stat", "r");
	unsigned long long f[8] = { 0 };
	if (fp == NULL)
		return 0;
	int n = fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
		       &f[6], &f[7]);
	fclose(fp);
	return n == 8 ? (uint64_t)f[7] : 0;
}

/* ---- CPUs -------------------------------------------------------------------- */

/* The thread's own affinity, read at the gate's first use: the CPUs it may
 * pick from, and what it gives back after each trial. */
static cpu_set_t home_mask;
static int home_cpus[GATE_MAX_CPUS];
static int home_ncpus = -1; /* -1: not read yet; 0: affinity unavailable (the gate only waits) */

static void read_home(void)
{
	if (home_ncpus >= 0)
		return;
	home_ncpus = 0;
	CPU_ZERO(&home_mask);
	if (sched_getaffinity(0, sizeof home_mask, &home_mask) != 0)
		return;
	for (int c = 0; c < CPU_SETSIZE && home_ncpus < GATE_MAX_CPUS; c++)
		if (CPU_ISSET(c, &home_mask))
			home_cpus[home_ncpus++] = c;
}

static bool pin_to(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof one, &one) == 0;
}

static void unpin(void)
{
	if (home_ncpus > 0)
		(void)sched_setaffinity(0, sizeof home_mask, &home_mask);
}

/* Whether the gate may still wait, having begun at `start`: within the
 * trial's limit and the process's budget. */
static bool may_wait(uint64_t start)
{
	return rl_now_ns() - start < (uint64_t)RL_GATE_WAIT_MS * 1000000u &&
	       atomic_load_explicit(&waited_ns, memory_order_relaxed) < (uint64_t)RL_GATE_BUDGET_MS * 1000000u;
}

/* One poll interval of waiting, charged to the process's budget. */
static void pause_poll(void)
{
	uint64_t t0 = rl_now_ns();
	struct timespec ts = { 0, (long)RL_GATE_POLL_MS * 1000000L };
	nanosleep(&ts, NULL);
	atomic_fetch_add_explicit(&waited_ns, rl_now_ns() - t0, memory_order_relaxed);
}

/* RL_GATE_ONE_CPU: the first allowed CPU, the current one first, whose probe
 * is not slow; having waited as long as allowed, the best one seen, probed
 * again.  Leaves the thread pinned there.  -1 (not pinned, probe where it
 * runs) when no CPU takes the pin, affinity unavailable included. */
static int pick_cpu(uint64_t *probe)
{
	int here = sched_getcpu(), first = 0;
	for (int i = 0; i < home_ncpus; i++)
		if (home_cpus[i] == here)
			first = i;
	uint64_t start = rl_now_ns(), best = UINT64_MAX;
	int best_cpu = -1;
	for (;;) {
		for (int k = 0; k < home_ncpus; k++) {
			int c = home_cpus[(first + k) % home_ncpus];
			if (!pin_to(c))
				continue;
			uint64_t p = rl_gate_probe_ns();
			if (!rl_gate_is_slow(p, rl_gate_reference())) {
				*probe = p;
				return c;
			}
			if (p < best)
				best = p, best_cpu = c;
		}
		if (best_cpu < 0 || !may_wait(start))
			break;
		pause_poll();
	}
	if (best_cpu < 0 || !pin_to(best_cpu)) { /* no CPU took the pin (or none to pick from) */
		unpin();
		*probe = rl_gate_probe_ns();
		return -1;
	}
	*probe = rl_gate_probe_ns(); /* now, not the best of the wait */
	return best_cpu;
}

/* The slowest allowed CPU's probe, each probed pinned; the affinity given
 * back.  Lowers the multi-thread reference when it beats it. */
static uint64_t probe_all_cpus(void)
{
	uint64_t worst = 0;
	for (int k = 0; k < home_ncpus; k++)
		if (pin_to(home_cpus[k])) {
			uint64_t p = rl_gate_probe_ns();
			if (p > worst)
				worst = p;
		}
	if (home_ncpus > 0)
		unpin();
	if (worst == 0)
		worst = rl_gate_probe_ns();
	rl_gate_set_all_reference(worst);
	return worst;
}

/* RL_GATE_ALL_CPUS: every allowed CPU within the slack, waiting as long as
 * allowed; the slowest probe of the last look. */
static uint64_t wait_all_cpus(void)
{
	uint64_t start = rl_now_ns(), worst;
	while (rl_gate_is_slow(worst = probe_all_cpus(), rl_gate_all_reference()) && may_wait(start))
		pause_poll();
	return worst;
}

void rl_disturbance_begin(struct rl_disturbance *d, enum rl_gate_mode mode)
{
	read_home();
	d->mode = mode;
	d->cpu = -1;
	if (mode == RL_GATE_ONE_CPU)
		d->cpu = pick_cpu(&d->probe_ns);
	else
		d->probe_ns = wait_all_cpus();
	d->steal = steal_ticks();
}

bool rl_disturbance_end(const struct rl_disturbance *d)
{
	uint64_t steal = steal_ticks(), after, ref;
	if (d->mode == RL_GATE_ONE_CPU) {
		after = rl_gate_probe_ns(); /* still pinned: the trial's CPU */
		unpin();
		ref = rl_gate_reference();
	} else {
		after = probe_all_cpus(); /* the slowest CPU's */
		ref = rl_gate_all_reference();
	}
	bool slow = rl_gate_is_slow(d->probe_ns, ref) || rl_gate_is_slow(after, ref);
	return steal > d->steal || rl_gate_disagree(d->probe_ns, after) || slow;
}
