/* The machine gate: is the machine running at its usual speed for us right
 * now, and was it disturbed around a trial (issue 12)?
 *
 * On the shared 2-vCPU guests this lab runs on, a vCPU has spells, seconds
 * to minutes long, during which everything on it runs about 1.3x slower
 * (another tenant on its physical core, as far as a guest can tell), and
 * the two vCPUs have them at different times.  A chain of dependent
 * multiplies does not see them; a throughput probe (eight shift/xor/add
 * chains, each adding its neighbour once per round: work the core can
 * overlap, unlike one dependent chain; rl_gate_probe_ns) does.  The gate compares the
 * probe with a reference, the best probe seen (by this process, or by the
 * sweep so far: --probe-ref), and before a trial
 *   - single-thread trials (RL_GATE_ONE_CPU: transmigration, and tether
 *     trials with one reader and no writer): keeps the trial thread on a
 *     CPU whose probe is within RL_GATE_SLACK_PCT of the reference, moving it
 *     to another allowed CPU when its own is slow (the affinity is given
 *     back after the trial; a forked child and any thread created meanwhile
 *     inherit it: a strategy that starts a thread during the call, such as
 *     proxy:background=1, has it share the trial's CPU);
 *   - multi-thread trials (RL_GATE_ALL_CPUS): waits until the slowest
 *     allowed CPU (of the first 64) is within the slack of the multi-thread
 *     reference, the best such slowest-CPU probe this process has seen
 *     (rl_gate_all_reference: a CPU that is always slower than the others,
 *     a little core or a vCPU whose core is always shared, sets it, rather
 *     than making every trial slow), or gives up (the trial runs anyway,
 *     and is disturbed when a CPU was still slow: a tether grid's readers
 *     use every CPU, and a reader on a slow CPU sets its pace; the same
 *     2-thread cells of two `make results` runs were 50-60% apart when one
 *     ran through a spell with the slowest CPU's probe 20-30% above the
 *     reference, which the gate let pass).
 * Waiting re-probes every RL_GATE_POLL_MS, at most RL_GATE_WAIT_MS per
 * trial and RL_GATE_BUDGET_MS of sleeping per process.  Without affinity
 * (sched_setaffinity refused) the gate only probes where the thread runs.
 * Several harness processes at once (scripts/sweep --jobs > 1) can be
 * pinned to the same CPU: a CPU busy with another process still probes
 * fast, since a probe fits in a time slice; run one job at a time for
 * timings, as `make results` does.
 *
 * After the trial, a trial was disturbed (and is retried, at most
 * RL_DISTURBED_RETRIES times; its row's `disturbed` counts the attempts
 * thrown away) when steal time in /proc/stat rose, when the probes before
 * and after disagree by more than 25%, or when the probe before or after it
 * (RL_GATE_ALL_CPUS: the slowest CPU's) was slow against the reference
 * (RL_GATE_ALL_CPUS: the multi-thread reference): the
 * trial ran on a slow CPU, and its figure is not mixed in with the others.
 * Shared by the
 * transmigration and tether runners. */
#ifndef RL_DRIVER_MACHINE_GATE_H
#define RL_DRIVER_MACHINE_GATE_H

#include <stdbool.h>
#include <stdint.h>

#define RL_DISTURBED_RETRIES 2
#define RL_GATE_SLACK_PCT 15    /* a probe more than 15% above the reference is slow */
#define RL_GATE_DISAGREE_PCT 25 /* before and after may differ by 25% */
#define RL_GATE_POLL_MS 50
#define RL_GATE_WAIT_MS 1000
#define RL_GATE_BUDGET_MS 4000

enum rl_gate_mode { RL_GATE_ONE_CPU, RL_GATE_ALL_CPUS };

struct rl_disturbance {
	enum rl_gate_mode mode;
	uint64_t steal;
	uint64_t probe_ns; /* the probe right before the trial (ALL_CPUS: the slowest CPU's) */
	int cpu;           /* ONE_CPU: the CPU the trial was kept on, -1 when not pinned */
};

/* The sweep's reference so far (--probe-ref, ns; 0: none): the gate's
 * reference is the least of it and every probe this process takes. */
void rl_gate_set_reference(uint64_t probe_ref_ns);

/* The reference now: the best probe known (ns), 0 before any. */
uint64_t rl_gate_reference(void);

/* The multi-thread reference: the best slowest-CPU probe this process has
 * seen (every look at all CPUs lowers it), 0 before any; a sweep passes
 * none.  rl_gate_set_all_reference lowers it (tests). */
uint64_t rl_gate_all_reference(void);
void rl_gate_set_all_reference(uint64_t probe_ns);

/* The throughput probe on the calling thread's CPU: best of a few runs of
 * a fixed loop, in ns.  Lowers the reference when it beats it. */
uint64_t rl_gate_probe_ns(void);

/* Whether a probe is slow against a reference: more than RL_GATE_SLACK_PCT percent above
 * it, in exact integer arithmetic (a reference of 0 knows nothing: never
 * slow). */
bool rl_gate_is_slow(uint64_t probe_ns, uint64_t reference_ns);

/* Whether the two probes around a trial disagree by more than
 * RL_GATE_DISAGREE_PCT percent. */
bool rl_gate_disagree(uint64_t before_ns, uint64_t after_ns);

/* Before the trial: the gate, then the readings the end compares with. */
void rl_disturbance_begin(struct rl_disturbance *d, enum rl_gate_mode mode);

/* After the trial: whether it must be retried (see above); gives the
 * trial thread its affinity back. */
bool rl_disturbance_end(const struct rl_disturbance *d);

#endif
