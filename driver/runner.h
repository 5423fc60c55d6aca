/* The transmigration runner: per grid point (workload spec), rounds of every
 * strategy (rl_sweep_run), one trial each, one CSV row each.
 *
 * A trial runs in a forked child (unless fork is off) so that a crash becomes
 * a row and the sweep goes on.  Inside, the whole trial runs on a dedicated
 * thread whose stack is an mmap'd region of `stack_bytes` with a PROT_NONE
 * guard below it: a fault in or near the guard during the call is reported as
 * stack_overflow.  The thread also keeps the per-thread memory statistics
 * (regionlab/mem.h) of the strategy and of the oracle's snapshots together. */
#ifndef REGIONLAB_RUNNER_H
#define REGIONLAB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/csv.h"
#include "driver/format.h"
#include "driver/machine_gate.h"
#include "driver/tether_args.h"
#include "regionlab/options.h"
#include "regionlab/transmigrator.h"
#include "regionlab/workload.h"

#define RL_STACK_DEFAULT (8u * 1024u * 1024u)
#define RL_STACK_MIN (64u * 1024u)

/* One --strategy entry: NAME[:key=val,...]. */
struct rl_strategy_spec {
	const struct rl_transmigrator *tm;
	char label[RL_SPEC_LABEL_MAX]; /* as written: the `strategy` column */
	rl_kv_list params;
};

/* One --workload entry: NAME[:key=val,...], with its size. */
struct rl_workload_spec {
	const struct rl_workload *wl;
	char label[RL_SPEC_LABEL_MAX]; /* as written: the `workload` column */
	rl_kv_list params;
	size_t size;        /* --size, or the workload's default_size */
	const char *layout; /* the layout option ("alloc" when absent), points into params */
	double garbage;     /* dead bytes per live byte: garbage=, or live= converted (0 when neither) */
};

struct rl_sweep {
	const struct rl_strategy_spec *strategies;
	size_t nstrategies;
	const struct rl_workload_spec *workloads;
	size_t nworkloads;
	size_t reps;        /* the minimum number of rounds per grid point */
	size_t max_rounds;  /* --max-rounds (0: reps): the cap of rounds per grid point */
	double max_seconds; /* --max-seconds (0: none): the cap of time per grid point */
	size_t first_round; /* --first-round: the number of this call's first round (its rep) */
	uint64_t seed;      /* round r builds its graph with seed + r (the `seed` column) */
	size_t block;       /* the block size already set with rl_set_block_size */
	size_t stack_bytes; /* stack of the trial thread */
	bool verify;        /* run the oracle around every call */
	bool fork;          /* one child process per trial */
	bool cold;          /* no pre-faulted destination blocks (--cold) */
};

#define RL_STATUS_MAX 1024
#define RL_REPORT_TEXT_MAX 128
/* The text cells a trial fills, where the row's pointers lead: the status,
 * and one buffer for every text column the strategy reports (the REPORTED
 * STR lines of driver/columns.def, e.g. decision). */
#define RL_TRIAL_TEXT_STR(name) char name[RL_REPORT_TEXT_MAX];
#define RL_TRIAL_TEXT_U64(name)
#define RL_TRIAL_TEXT_F64(name)
struct rl_trial_text {
	char status[RL_STATUS_MAX];
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) RL_TRIAL_TEXT_##type(name)
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
};

/* Runs one trial in this process, through the same phases as every harness
 * trial (build, judge's snapshot, timed call, the strategy's report into the
 * row, judge), and fills `row` (rl_row_init'ed by the caller); its text
 * cells point into `text`.  A crash ends the process.  The strategy is
 * st->tm, registered or not: tests run deliberately wrong strategies through
 * it (tests/test_judge.c). */
void rl_trial_run(const struct rl_sweep *s, const struct rl_strategy_spec *st, const struct rl_workload_spec *wl,
		  size_t rep, rl_row *row, struct rl_trial_text *text);

/* Runs the sweep grid point by grid point (one workload spec with its size):
 * in rounds, each running every strategy once in a seeded shuffled order on
 * the same graph (seed + round), until every strategy's median ns_per_obj
 * has a bootstrap interval within +-5% (driver/stats.h) after at least
 * `reps` rounds, or max_rounds or max_seconds is reached.  A trial whose
 * machine was disturbed is retried.  The grid point's rows are written when
 * it ends, with its rounds, intervals and stop.  0, or -1 when a row could
 * not be written (the output is gone: no point going on). */
int rl_sweep_run(const struct rl_sweep *s, rl_out *out);


/* The old copy yardstick (the memcpy_best3_ns column): one memcpy of `bytes`
 * between two buffers just written, best of 3.  RL_UNSET_U64 when the
 * buffers cannot be had.  Also the yardstick of bench/bench_copy_bound.c. */
uint64_t rl_memcpy_ceiling_ns(size_t bytes);

#endif
