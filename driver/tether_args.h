/* The tether sweep as the command line describes it (`./harness --tether=...`).
 *
 * driver/main.c parses and range-checks every field and resolves scheme names
 * against the registry; rl_tether_run (driver/tether_run.c) runs the cross
 * product  scheme x thread count x rep  and writes one CSV row per trial. */
#ifndef REGIONLAB_TETHER_ARGS_H
#define REGIONLAB_TETHER_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/csv.h"
#include "driver/format.h"
#include "regionlab/options.h"
#include "regionlab/tether.h"

#define RL_TETHER_MAX_SCHEMES 16
#define RL_TETHER_MAX_THREAD_COUNTS 32
#define RL_SPEC_LABEL_MAX 1024

/* One --tether entry: NAME[:key=val,...]. */
struct rl_tether_spec {
	const struct rl_tether_scheme *scheme;
	char label[RL_SPEC_LABEL_MAX]; /* as written: the `tether` column */
	rl_kv_list params;             /* judged by rl_tether_options_check (driver/registry.h) */
};

struct rl_tether_args {
	size_t nschemes;
	struct rl_tether_spec schemes[RL_TETHER_MAX_SCHEMES];
	size_t nthreads;                                /* entries of `threads` */
	size_t threads[RL_TETHER_MAX_THREAD_COUNTS];    /* --threads: reader counts, each >= 1 (default 1) */
	size_t writers;      /* --writers: writer threads retiring regions (default 1) */
	double duration_s;   /* --duration: seconds per trial (default 1.0); unused when ops > 0 */
	uint64_t ops;        /* --ops: tether+untether pairs per reader; 0 = run for duration_s (default 0) */
	size_t slots;        /* --slots: published slots readers pick from (default 16) */
	size_t read;         /* --read: objects read per tether (default 0: bare tether cost) */
	uint64_t update_us;  /* --update-us: each writer replaces a slot every U us (default 100) */
	uint64_t stall_ms;   /* --stall-ms: one reader sleeps M ms inside a tether each time (default 0) */
	bool layout_packed;  /* --layout=packed: per-thread records share cache lines (default padded) */
	uint64_t seed;       /* --seed (default 1) */
	size_t reps;         /* --reps (default 1): the minimum number of rounds per grid point */
	size_t max_rounds;   /* --max-rounds (0: reps): the cap of rounds per grid point */
	double max_seconds;  /* --max-seconds (0: none): the cap of time per grid point */
	bool verify;         /* false with --no-verify */
};

/* The keys every scheme takes for the tether workload (loop, concurrent,
 * series, pick): the shared half of each --tether spec's option table. */
extern const struct rl_option rl_tether_run_options[];

/* Runs the whole tether sweep, writing rows to `out` as trials end.  0, or -1
 * with a one-line reason in err for bad input found only now (an option value
 * a scheme rejects): the harness then exits 2.  A trial that goes wrong at run
 * time is a row with a status, not an error. */
int rl_tether_run(const struct rl_tether_args *args, rl_out *out, char *err, size_t errlen);

#endif
