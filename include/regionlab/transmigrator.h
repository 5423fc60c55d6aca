/* The transmigrator plug-in interface.
 *
 * A transmigrator moves the graph reachable from `root` out of region `src`
 * into region `dst` so that it survives the destruction of `src`.
 *
 * The contract, checked by the oracle after every trial and every test:
 *  1. *out is isomorphic to root: same types, scalars and bytes; sharing and
 *     cycles preserved (two references to one object stay two references to
 *     one copy).
 *  2. No pointer reachable from *out points into memory freed when src is
 *     destroyed.
 *  3. Pointers into other regions and static data are left untouched.
 *  4. On failure the call returns an error, src is intact (same checksum)
 *     and dst is exactly as before the call; nothing leaks.
 *
 * A strategy is one file that defines a `const struct rl_transmigrator` and
 * one line in driver/registry.c (docs/adding-a-strategy.md). */
#ifndef REGIONLAB_TRANSMIGRATOR_H
#define REGIONLAB_TRANSMIGRATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "regionlab/object.h"
#include "regionlab/options.h"
#include "regionlab/region.h"

/* Error codes returned by transmigrate (0 is success). */
enum rl_tm_error {
	RL_TM_OK = 0,
	RL_TM_ENOMEM = 1,        /* an allocation failed; src and dst unchanged */
	RL_TM_EPRECONDITION = 2, /* the strategy's precondition does not hold; nothing changed */
};
const char *rl_tm_strerror(int err);

/* Capability flags: what a strategy does, for the runner, tests and docs. */
#define RL_TM_RECURSIVE (1u << 0)   /* C stack grows with graph depth: may overflow */
#define RL_TM_BORROWS_SRC (1u << 1) /* writes into src during the call, restores it before returning */
#define RL_TM_CONSUMES_SRC (1u << 5) /* on success src is fit only for destruction (not re-read) */
#define RL_TM_ZERO_COPY (1u << 2)   /* may move whole blocks instead of copying objects */
#define RL_TM_INCREMENTAL (1u << 3) /* leaves work for finish(): reads go through a barrier */
#define RL_TM_NEEDS_SOLE_OWNER (1u << 4) /* requires src->external_rc == 1 */
#define RL_TM_ADOPTS_SRC (1u << 6) /* dst adopts all of src, whoever else holds it (regionlab/knowledge.h) */

/* Figures a strategy reports beyond what the runner measures itself: one
 * field per REPORTED column of driver/columns.def (the CSV schema), of the
 * same name and the column's type (U64: uint64_t, F64: double, STR: const
 * char *, a string that outlives the call), documented there.  The runner
 * zeroes the report before each call and copies every field into its column
 * after it, so a new figure is one line in that list.  Today: bytes_copied,
 * bytes_spliced, garbage_bytes, decision (adaptive strategies: the path
 * taken), setup_ns and restore_ns (strategies that time their phases with
 * rl_now_ns: before the traversal, and giving src back what it borrowed). */
#define RL_TM_REPORT_U64 uint64_t
#define RL_TM_REPORT_F64 double
#define RL_TM_REPORT_STR const char *
typedef struct rl_tm_report {
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) RL_TM_REPORT_##type name;
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
	/* Not a column: the call copied all of src, reachable or not, without
	 * measuring what was garbage (relocate): the runner sets garbage_bytes
	 * to bytes_copied (plus bytes_spliced, sub-regions moved whole) less
	 * the bytes its census (taken before the call) found reachable. */
	bool copied_all_of_src;
} rl_tm_report;

typedef struct rl_tm_ctx {
	const rl_kv_list *opts; /* --strategy=NAME:key=val,... */
	rl_tm_report report;    /* zeroed by the runner before each call */
	void *state;            /* incremental strategies: work left for finish() */
	/* The caller's rl_now_ns() right before the call, 0 when it read none:
	 * a strategy that times a part of its call from the start reads the
	 * clock once, not twice (adaptive's decide_ns). */
	uint64_t call_start_ns;
} rl_tm_ctx;

struct rl_transmigrator {
	const char *name;
	const char *summary; /* one line, shown by --list */
	unsigned caps;       /* RL_TM_* */
	const struct rl_option *options; /* its option table (regionlab/options.h); NULL: none */
	int (*transmigrate)(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out);
	/* Completes deferred work (incremental strategies); 0 or an error.
	 * Strategies that leave none use rl_tm_finish_nothing. */
	int (*finish)(rl_tm_ctx *ctx);
	/* Reads a slot of the transmigrated graph before finish() (the read
	 * barrier); strategies without one use rl_tm_read_plain. */
	rl_val (*read)(rl_tm_ctx *ctx, rl_val *slot);
	/* Optional, for strategies with a read barrier: the barrier's cost on a
	 * full read traversal of a copy of root (src left as it was), as
	 * through/plain - 1.  Call it through rl_tm_barrier_overhead. */
	double (*barrier_overhead)(rl_region *src, rl_val root, unsigned reps);
};

/* tm's barrier_overhead, or NaN (an empty CSV cell) when it has no barrier. */
double rl_tm_barrier_overhead(const struct rl_transmigrator *tm, rl_region *src, rl_val root, unsigned reps);

int rl_tm_finish_nothing(rl_tm_ctx *ctx);
rl_val rl_tm_read_plain(rl_tm_ctx *ctx, rl_val *slot);

#endif
