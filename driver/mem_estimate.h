/* What a trial will need in memory, estimated before anything is built, and
 * the limit it must fit in (--max-mem).
 *
 * The harness refuses, up front with one line and exit 2, a trial whose
 * estimate exceeds the limit; inside a trial the memory budget
 * (regionlab/mem.h) is set to the same limit, so an estimate that was too
 * low ends in an `oom` row, never in the kernel's OOM killer.
 *
 * Test-only: RL_TEST_MEM_ESTIMATE_SCALE=X multiplies every estimate by X, so
 * a test can let a trial through that the budget then stops. */
#ifndef REGIONLAB_MEM_ESTIMATE_H
#define REGIONLAB_MEM_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "driver/runner.h"
#include "driver/tether_args.h"

/* Half of MemAvailable (/proc/meminfo) now; 4 GiB when it cannot be read. */
uint64_t rl_mem_default_limit(void);

/* Checks every workload of a transmigration sweep against `limit`: 0, or -1
 * with a one-line reason naming the trial, its estimate and the limit. */
int rl_mem_check_transmigrate(const struct rl_workload_spec *workloads, size_t nworkloads, uint64_t seed,
			      bool verify, bool cold, uint64_t limit, char *err, size_t errlen);

/* The same for every reader count of a tether sweep. */
int rl_mem_check_tether(const struct rl_tether_args *a, uint64_t limit, char *err, size_t errlen);

#endif
