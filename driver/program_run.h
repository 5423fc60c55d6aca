/* Program trials: a Scheme program run on regions with the strategy under
 * test (driver/program_run.c).  A program is the workload `program`. */
#ifndef REGIONLAB_PROGRAM_RUN_H
#define REGIONLAB_PROGRAM_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/runner.h"

extern const struct rl_workload rl_wl_program;

static inline bool rl_is_program_workload(const struct rl_workload *wl) { return wl == &rl_wl_program; }

/* Runs the program of `wl` with strategy `st` and fills the row; the row's
 * status ("ok" or what went wrong) goes into status. */
void rl_program_trial(const struct rl_sweep *s, const struct rl_strategy_spec *st, const struct rl_workload_spec *wl,
		      size_t rep, rl_row *row, char *status, size_t status_len);

#endif
