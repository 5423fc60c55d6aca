/* What the judge found: which clause of the transmigration contract
 * (regionlab/transmigrator.h) a call broke, with a one-line reason.
 *
 * The clause names are what a harness row says: `verify_failed: CLAUSE:
 * reason` in the status column (each one documented there, in
 * driver/columns.def), and `verify_oom` when the judge itself ran out of
 * memory: that says nothing about the strategy, so it is never a
 * verify_failed. */
#ifndef REGIONLAB_VERDICT_H
#define REGIONLAB_VERDICT_H

#include <stddef.h>

typedef enum rl_clause {
	RL_CLAUSE_OK = 0,
	RL_CLAUSE_NOT_ISOMORPHIC,         /* a type, size, byte or immediate differs, or a reference was lost */
	RL_CLAUSE_SHARING_LOST,           /* one original reached twice gives two copies, or two originals one */
	RL_CLAUSE_POINTS_INTO_SRC,        /* the copy reaches memory freed with src */
	RL_CLAUSE_OUTSIDE_CHANGED,        /* a pointer to another region or to static data was changed */
	RL_CLAUSE_SRC_CHANGED,            /* src not byte-identical where it must be */
	RL_CLAUSE_HELD_SUBREGION_CHANGED, /* a byte of a sub-region that outlives src changed */
	RL_CLAUSE_DST_CHANGED,            /* a failed call did not leave dst as it was */
	RL_CLAUSE_LEAK,                   /* strategy memory or region blocks kept after the call */
	RL_CLAUSE_OOM,                    /* not a clause: the judge ran out of memory */
	RL_CLAUSE_COUNT
} rl_clause;

/* "not_isomorphic", ..., "leak"; "verify_oom" for RL_CLAUSE_OOM, "ok" for
 * RL_CLAUSE_OK. */
const char *rl_clause_name(rl_clause c);

#define RL_VERDICT_WHY_MAX 768
typedef struct rl_verdict {
	rl_clause clause;
	char why[RL_VERDICT_WHY_MAX]; /* one line, without the clause's name */
} rl_verdict;

/* Records a violation: clause c, reason from fmt. */
void rl_verdict_set(rl_verdict *v, rl_clause c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "CLAUSE: reason" into buf (what the oracle's why-string functions give). */
void rl_verdict_format(const rl_verdict *v, char *buf, size_t len);

#endif
