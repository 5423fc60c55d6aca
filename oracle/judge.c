/* The contract judge (see oracle/judge.h).
 *
 * Invariant relied on: the snapshot taken before the call holds everything
 * the clauses compare against (src's and dst's blocks, hashes and block
 * counts, the original graph's checksum, the strategy memory held), and the
 * judge reads the graph only through the oracle's primitives, which never
 * share a mechanism with a strategy.  A check that needs memory and cannot
 * get it says RL_CLAUSE_OOM, never a clause. */
#include "oracle/judge.h"

#include <string.h>

#include "regionlab/adopt.h"
#include "regionlab/mem.h"
#include "regionlab/transmigrator.h"

#define say rl_verdict_set
#define OUT_OF_MEMORY "the judge ran out of memory"

/* Blocks of r's family: every block rl_region_contains(r, .) counts. */
static size_t family_blocks(const rl_region *r)
{
	size_t n = 0;
	for (const rl_region *m = r; m != NULL; m = rl_region_family_next(r, m))
		n += m->small.count + m->large.count;
	return n;
}

/* ---- the snapshot ------------------------------------------------------------ */
int rl_oracle_before_call(rl_oracle_before *b, rl_val root, rl_region *src, rl_region *dst)
{
	memset(b, 0, sizeof *b);
	if (rl_ranges_of(src, &b->src) != 0 || rl_ranges_of(dst, &b->dst) != 0 ||
	    rl_oracle_survey(root, &b->src, &b->census, &b->checksum) != 0) {
		rl_oracle_before_free(b);
		return -1;
	}
	b->src_hash = rl_oracle_region_hash(src);
	b->dst_hash = rl_oracle_region_hash(dst);
	b->dst_mark = rl_region_mark_now(dst);
	b->dst_footprint = rl_region_footprint(dst);
	b->blocks_live = rl_blocks_live();
	b->src_blocks = family_blocks(src);
	b->dst_blocks = family_blocks(dst);
	b->mem_live = rl_mem_stats_self()->live_bytes;
	for (const rl_region *m = rl_region_family_next(src, src); m != NULL; m = rl_region_family_next(src, m)) {
		if (rl_region_dies_with(m, src) || b->nsurvivors == RL_ORACLE_SURVIVORS_MAX)
			continue;
		b->survivors[b->nsurvivors] = m;
		b->survivor_hash[b->nsurvivors++] = rl_oracle_region_hash(m);
	}
	return 0;
}

void rl_oracle_before_free(rl_oracle_before *b)
{
	rl_ranges_free(&b->src);
	rl_ranges_free(&b->dst);
}

/* ---- the clauses, one function each ----------------------------------------------- */

static int held_subregions_unchanged(const rl_oracle_before *b, rl_verdict *v)
{
	for (size_t i = 0; i < b->nsurvivors; i++) {
		if (rl_oracle_region_hash(b->survivors[i]) != b->survivor_hash[i]) {
			say(v, RL_CLAUSE_HELD_SUBREGION_CHANGED,
			    "a sub-region that outlives src (held sub-region '%s') was written",
			    b->survivors[i]->name ? b->survivors[i]->name : "?");
			return -1;
		}
	}
	return 0;
}

static int src_unchanged(const rl_oracle_before *b, const rl_region *src, const char *when, rl_verdict *v)
{
	if (rl_oracle_region_hash(src) == b->src_hash)
		return 0;
	say(v, RL_CLAUSE_SRC_CHANGED, "%s, a byte of src differs from before the call (header borrowed and not restored?)",
	    when);
	return -1;
}

static int strategy_memory_returned(const rl_oracle_before *b, rl_verdict *v)
{
	size_t live = rl_mem_stats_self()->live_bytes;
	if (live > b->mem_live)
		say(v, RL_CLAUSE_LEAK, "%zu strategy bytes still held", live - b->mem_live);
	else if (live < b->mem_live)
		say(v, RL_CLAUSE_LEAK, "strategy memory accounting: %zu bytes released that it never took",
		    b->mem_live - live);
	return live == b->mem_live ? 0 : -1;
}

/* Every block the call took from the page source is in src's or dst's family
 * (blocks moved from src to dst count on both sides alike). */
static int blocks_accounted(const rl_oracle_before *b, const rl_region *src, const rl_region *dst, rl_verdict *v)
{
	size_t held = family_blocks(src) + family_blocks(dst), held_before = b->src_blocks + b->dst_blocks;
	size_t live = rl_blocks_live(), expected = b->blocks_live + held - held_before;
	if (live > expected)
		say(v, RL_CLAUSE_LEAK, "%zu blocks live that neither src nor dst holds", live - expected);
	else if (live < expected)
		say(v, RL_CLAUSE_LEAK, "block accounting: %zu blocks fewer live than src and dst hold",
		    expected - live);
	return live == expected ? 0 : -1;
}

/* ---- after a success ------------------------------------------------------------- */

/* What a successful call is held to beyond the copy itself. */
struct success_rules {
	bool src_readable;  /* src may be read after the call (not RL_TM_CONSUMES_SRC) */
	bool src_must_stay; /* src byte-identical after the call */
	bool no_leaks;      /* strategy memory returned, blocks accounted for */
};

static struct success_rules rules_for(unsigned caps)
{
	return (struct success_rules){
		.src_readable = !(caps & RL_TM_CONSUMES_SRC),
		.src_must_stay = (caps & RL_TM_BORROWS_SRC) || !(caps & (RL_TM_CONSUMES_SRC | RL_TM_ZERO_COPY)),
		.no_leaks = true,
	};
}

/* In order: held sub-regions and src (bytes written where they must not be
 * are named as such, before they show up as a copy that differs), the copy
 * against the original while src lives, leaks; then src is destroyed and the
 * copy must still read the same. */
static int judge_success(rl_oracle_before *b, rl_val root, rl_val out, rl_region **src, rl_region *dst,
			 const struct success_rules *rules, rl_verdict *v)
{
	rl_ranges doomed = { 0 }, internal = { 0 };
	int rc = -1;
	if (rl_ranges_of(*src, &doomed) != 0 || rl_ranges_added(dst, &b->dst, &b->dst_mark, &internal) != 0) {
		say(v, RL_CLAUSE_OOM, OUT_OF_MEMORY);
		goto out;
	}
	if (held_subregions_unchanged(b, v) != 0)
		goto out;
	if (rules->src_must_stay && src_unchanged(b, *src, "after success", v) != 0)
		goto out;
	if (rules->src_readable && rl_oracle_copy_verdict(root, out, &b->src, &doomed, NULL, NULL, v) != 0)
		goto out;
	if (rules->no_leaks && (strategy_memory_returned(b, v) != 0 || blocks_accounted(b, *src, dst, v) != 0))
		goto out;
	rl_region_destroy(*src);
	*src = NULL;
	rc = rl_oracle_survivor_verdict(out, &internal, &doomed, b->checksum, v);
out:
	/* src goes in every case, so the caller owns the same things either way. */
	rl_region_destroy(*src);
	*src = NULL;
	rl_ranges_free(&doomed);
	rl_ranges_free(&internal);
	return rc;
}

/* ---- after a failure ----------------------------------------------------------- */

static int dst_as_before(const rl_oracle_before *b, rl_region *dst, rl_verdict *v)
{
	rl_region_mark m = rl_region_mark_now(dst);
	const rl_region_mark *was = &b->dst_mark;
	if (m.small_count != was->small_count || m.large_count != was->large_count) {
		say(v, RL_CLAUSE_DST_CHANGED,
		    "dst not rolled back: %zu small and %zu large blocks, before the call %zu and %zu", m.small_count,
		    m.large_count, was->small_count, was->large_count);
		return -1;
	}
	if (m.bytes_used != was->bytes_used) {
		say(v, RL_CLAUSE_DST_CHANGED, "dst not rolled back: %zu bytes used, before the call %zu", m.bytes_used,
		    was->bytes_used);
		return -1;
	}
	if (m.small_tail != was->small_tail || m.large_tail != was->large_tail || m.top != was->top) {
		say(v, RL_CLAUSE_DST_CHANGED, "dst not rolled back: its tail block or bump pointer moved");
		return -1;
	}
	size_t footprint = rl_region_footprint(dst);
	if (footprint != b->dst_footprint) {
		say(v, RL_CLAUSE_DST_CHANGED, "dst not rolled back: footprint %zu bytes, before the call %zu", footprint,
		    b->dst_footprint);
		return -1;
	}
	if (rl_oracle_region_hash(dst) != b->dst_hash) {
		say(v, RL_CLAUSE_DST_CHANGED, "a byte of dst differs from before the call");
		return -1;
	}
	return 0;
}

static int no_block_leaked(const rl_oracle_before *b, rl_verdict *v)
{
	size_t blocks = rl_blocks_live();
	if (blocks > b->blocks_live)
		say(v, RL_CLAUSE_LEAK, "%zu blocks still live", blocks - b->blocks_live);
	else if (blocks < b->blocks_live)
		say(v, RL_CLAUSE_LEAK, "block accounting: %zu blocks fewer than before the call",
		    b->blocks_live - blocks);
	return blocks == b->blocks_live ? 0 : -1;
}

static int judge_failure(const rl_oracle_before *b, rl_region *src, rl_region *dst, rl_verdict *v)
{
	if (dst_as_before(b, dst, v) != 0 || src_unchanged(b, src, "after a failed call", v) != 0 ||
	    no_block_leaked(b, v) != 0 || strategy_memory_returned(b, v) != 0)
		return -1;
	return 0;
}

/* ---- the judge ----------------------------------------------------------------------- */

int rl_judge_begin(rl_judge *j, unsigned caps, rl_val root, rl_region *src, rl_region *dst, rl_verdict *v)
{
	j->caps = caps;
	j->begun = rl_oracle_before_call(&j->before, root, src, dst) == 0;
	if (!j->begun)
		say(v, RL_CLAUSE_OOM, OUT_OF_MEMORY " taking the snapshot");
	return j->begun ? 0 : -1;
}

int rl_judge_through_barrier(rl_judge *j, rl_val root, rl_val out, const rl_region *src, rl_oracle_load_fn load,
			     void *load_env, rl_verdict *v)
{
	rl_ranges doomed;
	if (rl_ranges_of(src, &doomed) != 0) {
		say(v, RL_CLAUSE_OOM, OUT_OF_MEMORY);
		return -1;
	}
	int rc = rl_oracle_copy_verdict(root, out, &j->before.src, &doomed, load, load_env, v);
	rl_ranges_free(&doomed);
	if (rc != 0 && v->clause != RL_CLAUSE_OOM) {
		char why[sizeof v->why];
		memcpy(why, v->why, sizeof why);
		say(v, v->clause, "through the read barrier: %s", why);
	}
	return rc;
}

int rl_judge_success(rl_judge *j, rl_val root, rl_val out, rl_region **src, rl_region *dst, rl_verdict *v)
{
	struct success_rules rules = rules_for(j->caps);
	return judge_success(&j->before, root, out, src, dst, &rules, v);
}

int rl_judge_failure(rl_judge *j, rl_region *src, rl_region *dst, rl_verdict *v)
{
	return judge_failure(&j->before, src, dst, v);
}

void rl_judge_end(rl_judge *j)
{
	if (j->begun)
		rl_oracle_before_free(&j->before);
	j->begun = false;
}

/* ---- the why-string entry points (oracle/oracle.h) ------------------------------------ */

int rl_oracle_after_success(rl_oracle_before *b, rl_val root, rl_val out, rl_region **src, rl_region *dst,
			    bool src_readable, char *why, size_t why_len)
{
	struct success_rules rules = { .src_readable = src_readable };
	rl_verdict v = { 0 };
	if (judge_success(b, root, out, src, dst, &rules, &v) == 0)
		return 0;
	rl_verdict_format(&v, why, why_len);
	return -1;
}

int rl_oracle_after_failure(const rl_oracle_before *b, rl_region *src, rl_region *dst, char *why, size_t why_len)
{
	rl_verdict v = { 0 };
	if (judge_failure(b, src, dst, &v) == 0)
		return 0;
	rl_verdict_format(&v, why, why_len);
	return -1;
}
