/* The contract judge: one verdict on one transmigration call, the same for
 * the harness runner (driver/runner.c judges every trial with it unless
 * --no-verify) and for the contract tests (tests/test_contract.c).
 *
 * It is built from the oracle's primitives (oracle/oracle.h) and, like them,
 * shares no code with the strategies it judges.  What it checks, by the name
 * a row's status gives the broken clause (oracle/verdict.h):
 *
 * after a successful call (and finish()):
 *   not_isomorphic, sharing_lost, outside_changed, points_into_src
 *       the copy reads as the original, object for object, sharing and
 *       cycles kept, pointers out of src left as they were, nothing in src's
 *       memory reachable from it: checked while src is alive (unless the
 *       strategy consumes src), and again by checksum once src is destroyed;
 *   held_subregion_changed
 *       a sub-region of src that outlives it (another holder) is
 *       byte-identical;
 *   src_changed
 *       src is byte-identical when the strategy says it borrows src
 *       (RL_TM_BORROWS_SRC), or claims no right to change it at all
 *       (neither RL_TM_CONSUMES_SRC nor RL_TM_ZERO_COPY);
 *   leak
 *       the strategy's memory (rl_mem_*) is back where it was, and every
 *       region block the call took is in src's or dst's family;
 * after a failed call:
 *   src_changed, dst_changed, leak
 *       src byte-identical, dst at the same mark with the same bytes,
 *       nothing leaked.
 *
 * The judge's own memory comes from malloc and mmap (never rl_mem_*, never
 * fault injection); when it runs out the verdict is RL_CLAUSE_OOM, the
 * status verify_oom, which says nothing about the strategy.
 *
 * Use, around one call of tm on (src, dst, root):
 *     rl_judge_begin(&j, tm->caps, root, src, dst, &v)     before the call
 *     rc = tm->transmigrate(...);
 *     incremental strategies: rl_judge_through_barrier(...) before finish()
 *     tm->finish(...)
 *     rc == 0: rl_judge_success(&j, root, out, &src, dst, &v)  (destroys src)
 *     else:    rl_judge_failure(&j, src, dst, &v)
 *     rl_judge_end(&j)
 * Each returns 0, or -1 with the verdict in v. */
#ifndef REGIONLAB_JUDGE_H
#define REGIONLAB_JUDGE_H

#include "oracle/oracle.h"
#include "oracle/verdict.h"

typedef struct rl_judge {
	rl_oracle_before before; /* the snapshot of src and dst */
	unsigned caps;           /* the strategy's RL_TM_* */
	bool begun;
} rl_judge;

/* Snapshots src and dst: 0, or -1 with RL_CLAUSE_OOM. */
int rl_judge_begin(rl_judge *j, unsigned caps, rl_val root, rl_region *src, rl_region *dst, rl_verdict *v);
/* Incremental strategies, after the call and before finish(): the copy read
 * through the read barrier `load` is isomorphic to the original and reaches
 * nothing in src. */
int rl_judge_through_barrier(rl_judge *j, rl_val root, rl_val out, const rl_region *src, rl_oracle_load_fn load,
			     void *load_env, rl_verdict *v);
/* After a successful call and its finish(): every clause; destroys src in
 * every case (*src becomes NULL). */
int rl_judge_success(rl_judge *j, rl_val root, rl_val out, rl_region **src, rl_region *dst, rl_verdict *v);
/* After a failed call. */
int rl_judge_failure(rl_judge *j, rl_region *src, rl_region *dst, rl_verdict *v);
void rl_judge_end(rl_judge *j);

#endif
