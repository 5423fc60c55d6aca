/* The transmigration runner (see driver/runner.h).
 *
 * One trial is a sequence of phases (trial_body), all on the trial thread:
 *   incremental strategies, unless --no-verify: an untimed call on a graph
 *     of its own, judged through the read barrier (verify_through_barrier);
 *   build_source   the graph (seed + rep) in src, footprint of src, dst;
 *   take_census    the judge's snapshot (oracle/judge.h), or with
 *                  --no-verify a census alone;
 *   send_progress  forked: the census to the parent;
 *   warm_up        a warm call, pre-fault dst's blocks and the heap, barrier
 *                  overhead (timed_call reads src's and the code's lines last);
 *   timed_call     the call (and finish()) between two clock reads, and the
 *                  memory statistics around it;
 *   take_report    the strategy's report into its columns, through the
 *                  REPORTED lines of driver/columns.def;
 *   judge_call     the status: the call's failure, or the judge's verdict
 *                  (verify_failed: CLAUSE: reason, or verify_oom);
 *   tear_down, fill_ratios  free everything; the paired memcpy of the same
 *                  bytes (memcpy_ns), in the same trial.
 *
 * The sweep (rl_sweep_run) runs grid point by grid point in rounds: every
 * strategy once per round, shuffled, on the same graph, each trial behind
 * the machine gate (driver/machine_gate.h: pinned to a CPU whose throughput
 * probe is at its usual speed; retried when it was not, or when steal time
 * rose), until the stopping rule of driver/stats.h holds; the grid point's
 * rows are written when it ends.
 *
 * Forked mode: the child sends its row to the parent over a pipe, once before
 * the call (the census, so a crash row still says what was being moved) and
 * once at the end.  A message is smaller than PIPE_BUF, so each write is
 * atomic.  A stack overflow is caught by the SIGSEGV handler on the
 * alternate signal stack, which writes a message prepared before the call
 * (status stack_overflow) and exits; any other fault goes to the previous
 * handler (the default action, or the sanitizer's), and the parent makes the
 * status from the signal that ended the child. */
#define _GNU_SOURCE /* RUSAGE_THREAD; MAP_ANONYMOUS, MAP_NORESERVE, sigaltstack, SA_ONSTACK */
#include "driver/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver/program_run.h"
#include "regionlab/knowledge.h"
#include "driver/stats.h"
#include "oracle/judge.h"
#include "regionlab/adopt.h"
#include "regionlab/allocator.h"
#include "regionlab/block_pool.h"
#include "regionlab/clock.h"
#include "regionlab/mem.h"
#include "regionlab/region.h"
#include "regionlab/worklist.h"

#define GUARD_BYTES (64u * 1024u)
/* A frame bigger than the guard can jump past it: a fault this far below the
 * guard, during the call, still counts as a stack overflow. */
#define GUARD_SLACK (1024u * 1024u)
#define ALTSTACK_BYTES (64u * 1024u)
#define MEMCPY_TRIES 3

/* What a forked trial tells its parent. */
struct trial_msg {
	uint32_t final; /* 1: the trial's last word; 0: progress (census taken) */
	rl_row row;     /* numeric columns; the parent keeps its own text columns */
	struct rl_trial_text text; /* the status and the strategy's text columns */
};

_Static_assert(sizeof(struct trial_msg) <= PIPE_BUF, "a trial message must be one atomic pipe write");

struct trial_job {
	const struct rl_sweep *sweep;
	const struct rl_strategy_spec *st;
	const struct rl_workload_spec *wl;
	size_t rep;
	rl_row *row;
	struct rl_trial_text *text;    /* where the row's text cells point */
	int report_fd;                 /* forked: the pipe to the parent; -1 in-process */
	struct trial_msg overflow_msg; /* forked: what the SIGSEGV handler sends */
};

/* ---- stack overflow detection ---------------------------------------------- */

static uintptr_t guard_lo, guard_hi;      /* the PROT_NONE guard of the trial stack */
static volatile sig_atomic_t call_armed;  /* inside the timed call(s) */
static int overflow_fd = -1;              /* forked: where the handler reports */
static const struct trial_msg *overflow_msg;
static struct sigaction previous_segv;

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* Runs on the alternate signal stack: only async-signal-safe calls. */
static void on_segv(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	uintptr_t addr = (uintptr_t)info->si_addr;
	if (call_armed && addr < guard_hi && addr + GUARD_SLACK >= guard_lo) {
		if (overflow_fd >= 0) {
			write_all(overflow_fd, overflow_msg, sizeof *overflow_msg);
			_exit(0);
		}
		static const char note[] = "harness: stack overflow in the transmigrate call (--no-fork: the sweep stops)\n";
		write_all(STDERR_FILENO, note, sizeof note - 1);
	}
	/* Not ours: the previous handler takes the fault when it repeats (a
	 * signal sent by kill() does not repeat: send it again). */
	sigaction(sig, &previous_segv, NULL);
	if (info->si_code <= 0)
		raise(sig);
}

static void install_segv_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &previous_segv);
}

static void restore_segv_handler(void) { sigaction(SIGSEGV, &previous_segv, NULL); }

static void arm(int on)
{
	atomic_signal_fence(memory_order_seq_cst);
	call_armed = on;
	atomic_signal_fence(memory_order_seq_cst);
}

/* ---- measurements ------------------------------------------------------------ */

uint64_t rl_memcpy_ceiling_ns(size_t bytes)
{
	if (bytes == 0)
		return 0;
	char *from = malloc(bytes), *to = malloc(bytes);
	uint64_t best = RL_UNSET_U64;
	if (from != NULL && to != NULL) {
		memset(from, 0x5a, bytes);
		memset(to, 0xa5, bytes);
		for (int i = 0; i < MEMCPY_TRIES; i++) {
			uint64_t t0 = rl_now_ns();
			memcpy(to, from, bytes);
			__asm__ volatile("" : : "r"(to) : "memory"); /* the copy is used */
			uint64_t t = rl_now_ns() - t0;
			if (t < best)
				best = t;
		}
	}
	free(from);
	free(to);
	return best;
}

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

/* The trial thread's CPU time (the cpu_ns column). */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Page faults, minor and major, the calling thread has taken so far (the
 * call_faults column); RL_UNSET_U64 when the kernel cannot say. */
static uint64_t thread_faults(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return RL_UNSET_U64;
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

/* What reading the thread CPU clock around the two wall-clock reads adds to
 * the span (a system call: ~1.5 us, ~30 us the first time), least of a few:
 * cpu_ns leaves it out. */
static uint64_t thread_cpu_clock_cost(void)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 4; i++) {
		uint64_t c0 = thread_cpu_ns();
		uint64_t t0 = rl_now_ns();
		uint64_t t1 = rl_now_ns();
		uint64_t c1 = thread_cpu_ns();
		uint64_t cost = (c1 - c0) - (t1 - t0);
		if (cost < best)
			best = cost;
	}
	return best;
}

/* The paired copy yardstick of --cold trials (the memcpy_ns column): one
 * memcpy of `bytes` from a buffer just written into fresh memory, as the
 * cold call's dst is. */
static uint64_t cold_memcpy_ns(size_t bytes)
{
	if (bytes == 0)
		return 0;
	char *from = malloc(bytes), *to = malloc(bytes);
	uint64_t t = RL_UNSET_U64;
	if (from != NULL && to != NULL) {
		memset(from, 0x5a, bytes);
		__asm__ volatile("" : : "r"(from), "r"(to) : "memory");
		uint64_t t0 = rl_now_ns();
		memcpy(to, from, bytes);
		__asm__ volatile("" : : "r"(to) : "memory"); /* the copy is used */
		t = rl_now_ns() - t0;
	}
	free(from);
	free(to);
	return t;
}

/* ---- one trial on the trial thread ------------------------------------------ */

static void set_status(struct trial_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_status(struct trial_job *job, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(job->text->status, sizeof job->text->status, fmt, ap);
	va_end(ap);
}

static bool status_ok(const struct trial_job *job) { return strcmp(job->text->status, "ok") == 0; }

/* The judge's verdict as the status: verify_oom when the judge ran out of
 * memory, else verify_failed: CLAUSE: [when: ]reason. */
static void set_verdict(struct trial_job *job, const char *when, const rl_verdict *v)
{
	if (v->clause == RL_CLAUSE_OOM)
		set_status(job, "verify_oom");
	else
		set_status(job, "verify_failed: %s: %s%s%s", rl_clause_name(v->clause), when, when[0] ? ": " : "",
			   v->why);
}

/* The status of a call that returned rc != 0: oom, or error: REASON. */
static const char *call_failure(int rc, char *buf, size_t len)
{
	snprintf(buf, len, rc == RL_TM_ENOMEM ? "oom" : "error: %s", rl_tm_strerror(rc));
	return buf;
}

static void set_call_failed(struct trial_job *job, int rc)
{
	char failure[64];
	set_status(job, "%s", call_failure(rc, failure, sizeof failure));
}

static void fill_msg(struct trial_msg *msg, const struct trial_job *job, uint32_t final, const char *status)
{
	memset(msg, 0, sizeof *msg);
	msg->final = final;
	msg->row = *job->row;
	msg->text = *job->text;
	snprintf(msg->text.status, sizeof msg->text.status, "%s", status);
}

/* A text the strategy reported, copied where the row can keep it. */
static const char *keep_text(char *buf, size_t len, const char *s)
{
	if (s == NULL)
		return NULL;
	snprintf(buf, len, "%s", s);
	return buf;
}

/* The strategy's report into its columns: every REPORTED line of
 * driver/columns.def, nothing named here. */
#define TAKE_KEEP(v, unset) (v)
#define TAKE_EMPTY(v, unset) ((v) != 0 ? (v) : (unset))
static void take_report(struct trial_job *job, const rl_tm_report *r)
{
	rl_row *row = job->row;
	struct rl_trial_text *text = job->text;
	(void)text;
#define TAKE_U64(name, zero) row->name = TAKE_##zero(r->name, RL_UNSET_U64);
#define TAKE_F64(name, zero) row->name = TAKE_##zero(r->name, NAN);
#define TAKE_STR(name, zero) row->name = keep_text(text->name, sizeof text->name, r->name);
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) TAKE_##type(name, zero)
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
#undef TAKE_STR
#undef TAKE_F64
#undef TAKE_U64
	/* What the call moved, copied or (adaptive's homes, step 0b) spliced. */
	uint64_t moved = r->bytes_copied + r->bytes_spliced;
	if (r->copied_all_of_src && row->bytes != RL_UNSET_U64 && moved >= row->bytes)
		row->garbage_bytes = moved - row->bytes; /* untimed: the census traced */
}

struct barrier_env {
	const struct rl_transmigrator *tm;
	rl_tm_ctx *ctx;
};

static rl_val load_through_barrier(void *env, rl_val *slot)
{
	struct barrier_env *b = env;
	return b->tm->read(b->ctx, slot);
}

/* Incremental strategies: the copy must read as the original through the
 * read barrier before finish(), and as the original with plain loads after.
 * Reading through the barrier evacuates what it touches, which would move
 * work out of the timed finish(), so this runs untimed on a graph of its own
 * (same seed) before the timed trial, whose result is judged plainly.
 * False when the trial must stop here (the status says why). */
static bool verify_through_barrier(struct trial_job *job)
{
	const struct rl_transmigrator *tm = job->st->tm;
	char why[RL_STATUS_MAX - 64];
	rl_graph g;
	rl_judge judge = { 0 };
	rl_verdict v = { 0 };
	if (rl_graph_make(job->wl->wl, job->wl->size, job->sweep->seed + job->rep, &job->wl->params, &g, why,
			  sizeof why) != 0) {
		set_status(job, "error: workload: %s", why);
		return false;
	}
	rl_region *dst = rl_region_create("dst");
	if (dst == NULL)
		set_status(job, "oom");
	else if (rl_judge_begin(&judge, tm->caps, g.root, g.src, dst, &v) != 0)
		set_verdict(job, "", &v);
	if (status_ok(job)) {
		rl_tm_ctx ctx = { .opts = &job->st->params };
		rl_val out;
		int rc = tm->transmigrate(&ctx, g.src, dst, g.root, &out);
		struct barrier_env env = { .tm = tm, .ctx = &ctx };
		if (rc != RL_TM_OK)
			set_call_failed(job, rc);
		else if (rl_judge_through_barrier(&judge, g.root, out, g.src, load_through_barrier, &env, &v) != 0)
			set_verdict(job, "", &v);
		if (rc == RL_TM_OK && (rc = tm->finish(&ctx)) != RL_TM_OK)
			set_call_failed(job, rc);
		else if (rc == RL_TM_OK && status_ok(job) && rl_judge_success(&judge, g.root, out, &g.src, dst, &v) != 0)
			set_verdict(job, "after finish", &v);
	}
	rl_judge_end(&judge);
	rl_region_destroy(dst);
	rl_graph_free(&g);
	return status_ok(job);
}

/* The strategy's own memory (bitmaps, tables, hash entries) comes from the
 * heap; like the destination's blocks, let it find pages already faulted in,
 * as in a runtime that has been running for a while.  Keeps freed heap
 * memory mapped (glibc's trim and mmap thresholds) and writes `bytes` of it
 * in 4 KiB pieces: malloc hands out the free chunks in its bins before the
 * top of the heap, so the pieces cover those chunks first, and a forked
 * trial's heap is its parent's, shared copy-on-write, whose free chunks
 * (the graph's build leaves some) are where a call's small allocations
 * land.  Written in 16 MiB pieces (from the top alone), splice's liveness
 * shadow took a copy-on-write fault in every call at 10^3 (17-24 us, where
 * the call takes 5-6) and 8-11 at 10^5 on some sweeps: results/default.csv
 * of 88a9147 has 229 of splice's 573 rows with call_faults > 0. */
#define HEAP_PIECE (4u << 10)
/* Requests from this size up get a mapping of their own (glibc's mmap
 * threshold, set by keep_heap): far above any block or strategy table of
 * the default sizes, so that those come from the heap the warm-up wrote. */
#define HEAP_MMAP_THRESHOLD (32u << 20)
/* Not 0: gcc may turn malloc + memset(0) into calloc, and glibc's calloc
 * leaves memory fresh from the kernel untouched, so nothing would be warmed
 * (it happened: a build that inlined differently took 1,839 page faults
 * where 13,505 were due, and bitmap's setup at 10^4 went from 30 to 750 us). */
#define HEAP_TOUCH 0xa5
static void warm_heap(size_t bytes)
{
	size_t n = (bytes + HEAP_PIECE - 1) / HEAP_PIECE;
	void **pieces = calloc(n, sizeof *pieces);
	if (pieces == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t piece = i + 1 < n ? HEAP_PIECE : bytes - (n - 1) * HEAP_PIECE;
		if ((pieces[i] = malloc(piece)) != NULL) {
			memset(pieces[i], HEAP_TOUCH, piece);
			/* The writes are the point: gcc may drop a malloc + memset + free. */
			__asm__ volatile("" : : "r"(pieces[i]) : "memory");
		}
	}
	for (size_t i = 0; i < n; i++)
		free(pieces[i]);
	free(pieces);
}

/* The trial thread's stack is a fresh mapping (run_on_trial_thread), so the
 * first call in a trial to go deeper than anything before it takes a page
 * fault on each new page: adaptive's graph sample (a frame of about 8 KiB)
 * took one in every timed call whose warm call's small graph had not run it
 * (call_faults 1, about 15 us: the 10^4 list took 39.5 us against 28.4
 * with the sample warmed, relocate alone 23.7).  A runtime's stack is mapped
 * as deep as it has ever been: the warm-up writes one byte of every page of
 * the STACK_TOUCH bytes below its own frame, which timed_call's shares (both
 * are called from trial_body), when the stack is big enough to spare them. */
#define STACK_TOUCH (64u * 1024u)
#define STACK_TOUCH_FROM (1u << 20) /* stacks smaller than this (--stack) are left alone */
static __attribute__((noinline)) void warm_stack(void)
{
	volatile unsigned char below[STACK_TOUCH];
	for (size_t i = 0; i < sizeof below; i += RL_PAGE)
		below[i] = 0;
}

/* One trial's state, handed from phase to phase. */
struct trial {
	struct trial_job *job;
	const struct rl_transmigrator *tm;
	rl_graph g;
	bool have_graph;
	rl_region *dst;
	rl_judge judge; /* --verify: the snapshot before the call */
	bool judging;
	rl_census census;
	rl_tm_ctx ctx;
	rl_val out;
	int rc; /* what the call (then finish()) returned */
};

/* Blocks and strategy memory come from one contiguous heap that keeps what
 * is freed, as in a long-running runtime: otherwise glibc maps every aligned
 * 64 KiB block on its own (a mapping, its page faults and its TLB entries
 * each), which is what the first 10^6-object trials measured. */
static void keep_heap(const struct rl_sweep *s)
{
	if (s->cold)
		return;
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

/* The graph (seed + rep) in src, and an empty dst. */
static int build_source(struct trial *t)
{
	struct trial_job *job = t->job;
	char why[RL_STATUS_MAX - 64];
	if (rl_graph_make(job->wl->wl, job->wl->size, job->sweep->seed + job->rep, &job->wl->params, &t->g, why,
			  sizeof why) != 0) {
		set_status(job, "error: workload: %s", why);
		return -1;
	}
	t->have_graph = true;
	job->row->src_bytes = rl_region_footprint(t->g.src);
	t->dst = rl_region_create("dst");
	if (t->dst == NULL) {
		set_status(job, "oom");
		return -1;
	}
	return 0;
}

/* What the call should move: from the judge's snapshot, or (--no-verify) a
 * census alone. */
static int take_census(struct trial *t)
{
	struct trial_job *job = t->job;
	if (job->sweep->verify) {
		rl_verdict v = { 0 };
		if (rl_judge_begin(&t->judge, t->tm->caps, t->g.root, t->g.src, t->dst, &v) != 0) {
			set_verdict(job, "", &v);
			return -1;
		}
		t->judging = true;
		t->census = t->judge.before.census;
	} else {
		rl_ranges inside;
		int rc = rl_ranges_of(t->g.src, &inside);
		if (rc == 0)
			rc = rl_oracle_census(t->g.root, &inside, &t->census);
		rl_ranges_free(&inside);
		if (rc != 0) {
			set_status(job, "error: census: out of memory");
			return -1;
		}
	}
	job->row->objects = t->census.objects;
	job->row->bytes = t->census.bytes;
	return 0;
}

/* Forked: the census goes to the parent now, so that a crash row still says
 * what was being moved; the stack-overflow message is prepared. */
static void send_progress(struct trial_job *job)
{
	if (job->report_fd < 0)
		return;
	struct trial_msg progress;
	fill_msg(&progress, job, 0, "");
	write_all(job->report_fd, &progress, sizeof progress);
	fill_msg(&job->overflow_msg, job, 1, "stack_overflow");
}

/* The copy yardstick's destination: standard blocks taken from the page
 * source (the pool: pre-faulted, as the call's dst blocks are), enough to
 * hold `bytes`; they go back to the pool when the copy is timed. */
struct copy_dst {
	char **blocks;
	size_t n, block;
};

static bool copy_dst_take(struct copy_dst *d, size_t bytes)
{
	const rl_page_source *ps = rl_page_source_current();
	d->block = rl_block_size;
	d->n = (bytes + d->block - 1) / d->block;
	d->blocks = calloc(d->n, sizeof *d->blocks);
	if (d->blocks == NULL)
		return false;
	for (size_t i = 0; i < d->n; i++)
		if ((d->blocks[i] = ps->alloc(d->block, d->block)) == NULL)
			return false;
	return true;
}

static void copy_dst_give_back(struct copy_dst *d)
{
	const rl_page_source *ps = rl_page_source_current();
	for (size_t i = 0; d->blocks != NULL && i < d->n; i++)
		if (d->blocks[i] != NULL)
			ps->free(d->blocks[i], d->block);
	free(d->blocks);
}

/* The destination's pages private and writable, as the pool's blocks are
 * before the call (rl_block_pool_rewarm). */
static void copy_dst_rewarm(const struct copy_dst *d)
{
	for (size_t i = 0; i < d->n; i++)
		rl_pages_write(d->blocks[i], d->block);
}

/* `bytes` of src's blocks, from the first block on, into d: one memcpy per
 * piece of a source block that fits one destination block.  When src's own
 * blocks hold fewer bytes than that (the graph lives partly in sub-regions),
 * they are read again from the first; when src has no block of its own (the
 * whole graph in a home sub-region, no garbage), the first sub-region that
 * has blocks is read instead. */
static void copy_src_into(const rl_region *src, struct copy_dst *d, size_t bytes)
{
	size_t pos = 0;
	const rl_region *from_region = src;
	for (const rl_region *c = src->children; c != NULL && from_region->small.head == NULL &&
						   from_region->large.head == NULL;
	     c = c->sibling)
		from_region = c;
	const rl_block *chains[2] = { from_region->small.head, from_region->large.head };
	if (chains[0] == NULL && chains[1] == NULL)
		return;
	while (pos < bytes)
		for (int c = 0; c < 2; c++)
			for (const rl_block *b = chains[c]; b != NULL && pos < bytes; b = b->next) {
				const char *from = (const char *)b;
				size_t left = rl_block_bytes(b);
				while (left > 0 && pos < bytes) {
					size_t room = d->block - pos % d->block, n = left;
					if (n > room)
						n = room;
					if (n > bytes - pos)
						n = bytes - pos;
					memcpy(d->blocks[pos / d->block] + pos % d->block, from, n);
					from += n;
					left -= n;
					pos += n;
				}
			}
	__asm__ volatile("" : : "r"(d->blocks) : "memory"); /* the copy is used */
}

/* How much memory a call on src may need ready: the graph's reachable bytes,
 * or everything src's family holds when that is more.  relocate copies the
 * garbage too, and worklists and forwarding tables are sized by the family's
 * bytes: sized by the graph alone, relocate on a list a quarter live at 10^5
 * took 389 page faults in its call and twice its time. */
static size_t warm_bytes(const rl_region *src, size_t reachable)
{
	size_t family = rl_region_family_bytes(src);
	return family > reachable ? family : reachable;
}

/* Blocks for a copy of src pre-faulted into the pool, 4x as much heap
 * written, plus 1 MiB, and the scratch mapping that a worklist over src's
 * blocks takes (rl_mem_scratch_prewarm; a fresh one faulted on the pages its
 * first pushes touched); what the pool pre-faulted (the dst_warm column). */
static size_t warm_memory(const rl_region *src, size_t reachable)
{
	size_t bytes = warm_bytes(src, reachable);
	size_t pooled = rl_block_pool_prefault(bytes + bytes / 8 + rl_block_size);
	warm_heap(4 * bytes + (1u << 20));
	rl_worklist_prewarm(src);
	return pooled;
}

/* The paired copy yardstick (the memcpy_ns column), defined once (issue 12):
 * a memcpy of src's bytes (`bytes`, the census's reachable bytes, read from
 * src's own blocks in chain order) into pre-faulted destination memory in
 * the same state as the call's, after the same warm-up: the pool pre-faulted,
 * the heap warmed, the destination blocks' pages and then touch_last, as
 * before the call (timed_call runs it, after warm_up).  It runs before the call's own
 * warm-up, which then sets the same state again for the call.  One copy: the
 * call gets one try.  --cold: into fresh memory (cold_memcpy_ns). */
static void touch_last(rl_region *src);

static uint64_t yardstick_memcpy_ns(rl_region *src, size_t bytes, bool cold)
{
	if (bytes == 0)
		return 0;
	if (cold)
		return cold_memcpy_ns(bytes);
	warm_memory(src, bytes);
	struct copy_dst d = { 0 };
	uint64_t t = RL_UNSET_U64;
	if (copy_dst_take(&d, bytes)) {
		rl_block_pool_rewarm();
		copy_dst_rewarm(&d);
		touch_last(src); /* as before the call */
		uint64_t t0 = rl_now_ns();
		copy_src_into(src, &d, bytes);
		t = rl_now_ns() - t0;
	}
	copy_dst_give_back(&d);
	return t;
}

/* The harness's code, mapped: a forked trial's process has touched none of
 * the strategy's code pages, and the first call then took a minor page fault
 * on each (~40 us in all on these VMs, whatever the strategy: a 100-object
 * copy cost 40-80 us forked and 5 us in a process that had run it before).
 * Reading one byte of every page of the text maps them all, as in a runtime
 * that has been running for a while. */
extern const char __data_start[], end[];
/* One byte of every page of [p, p + bytes): rl_pages_read, not instrumented:
 * the data segment holds the sanitizers' redzones around globals, which this
 * reads on purpose (one byte per page, never used). */
__attribute__((no_sanitize_address, no_sanitize_thread)) static unsigned char read_image_pages(const char *p,
												size_t bytes)
{
	unsigned char sum = 0;
	for (size_t off = 0; off < bytes; off += RL_PAGE)
		sum ^= ((const volatile char *)p)[off];
	return sum;
}

/* A forked child shares its parent's file-backed pages but not their page
 * table entries: its first read of each page of a shared library's code or
 * read-only data is a fault (~6 us in these VMs).  Calls of a few us were
 * paying them in the timed call (splice's home path at 10^3: 21 us forked,
 * 3.3 us in-process, from strtod's pages in libc), so every readable
 * file-backed mapping (and the vdso) is read here, one byte a page.
 * /proc/self/maps is read with read(2) into a static buffer: no allocation
 * in the warm-up; mappings past its 64 KiB (none in these builds) are not
 * warmed. */
static unsigned char read_mapped_files(void)
{
	static char maps[1 << 16];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t len = 0;
	ssize_t n;
	while (len < sizeof maps - 1 && (n = read(fd, maps + len, sizeof maps - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	maps[len] = '\0';
	unsigned char sum = 0;
	for (char *line = maps; line != NULL && *line != '\0';) {
		char *next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		unsigned long lo, hi;
		char perms[5];
		int path_at = 0;
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perms, &path_at) == 3 && perms[0] == 'r' &&
		    path_at > 0 && (line[path_at] == '/' || strcmp(line + path_at, "[vdso]") == 0))
			sum ^= read_image_pages((const char *)lo, hi - lo);
		line = next;
	}
	return sum;
}

/* Every cache line of the harness's own text (~360 KiB: its code with the
 * headers and symbol tables before it; GNU ld's layout, whose read-only
 * data comes after etext and whose segments leave no unmapped gap between
 * __executable_start and etext), read as data: the
 * lines land in the shared caches, where the call's instruction fetches
 * find them instead of memory, as in a runtime whose code has been running.
 * Cold lines were a fixed cost in every small call that differed between
 * strategies by how much code each touches (alternating runs at 10^3:
 * linear 0.92-1.10 us without, 0.69-0.82 with; splice's home path
 * 1.40-1.71 against 1.13-1.36; cheney on a list 8.3-8.7 against 7.6-7.9). */
extern const char __executable_start[], etext[];
static unsigned char read_code_lines(void)
{
	return rl_lines_read(__executable_start, (size_t)(etext - __executable_start));
}

/* The last reads before a timed call, and before the yardstick's memcpy:
 * every line of src (which maps its pages again, should the host have
 * unmapped them meanwhile), the state of a region just built; then every
 * line of the harness's code, as in a runtime whose transmigration code has
 * run recently.
 * - Reading one byte of each of src's pages instead left its lines wherever
 *   the warm-up had left them, which differed from process to process:
 *   cheney on the shuffled 10^4 list took 30-36 ns per object in six
 *   processes here and 10.7 in one process of another run; with src's lines
 *   then the code read last, 6.4-8.0 in nine.
 * - The code goes after src: src's lines alone evicted it at 10^6, and
 *   linear (which touches no object) took 1.21-1.27 us there instead of
 *   0.85-0.95 with src's pages only, 0.70-0.80 with the code read after.
 * - src's lines are read SRC_LINE_READS times: once left a src larger than
 *   the second-level cache (10^5 objects, 2.4-3.5 MiB) in a state that
 *   differed from trial to trial, and pointer-chasing copies with it:
 *   the same forked chase over a shuffled 2.4 MiB list took 2.9-6.3 ms
 *   after one read (eight children), 1.6-2.0 after four, 1.5-1.9 after
 *   six (this VM's last-level cache is filled by what the second level
 *   evicts, so a line read once may not be in it; reads after the first
 *   settle it).  At 10^6 objects src is larger than the caches and the
 *   reads leave what one would; at 10^3-10^4 it fits the second level. */
#define SRC_LINE_READS 4
static void touch_last(rl_region *src)
{
	unsigned char sum = 0;
	for (int i = 0; i < SRC_LINE_READS; i++)
		sum ^= rl_region_read_lines(src);
	sum ^= read_code_lines();
	__asm__ volatile("" : : "r"(sum));
}

static void warm_code(void)
{
	/* The harness's own code is one of the file-backed mappings (its lines
	 * are read last, by touch_last); its data and bss are read apart (bss is
	 * anonymous, written .data too). */
	unsigned char sum = read_mapped_files();
	sum ^= read_image_pages(__data_start, (size_t)(end - __data_start));
	__asm__ volatile("" : : "r"(sum));
}

/* One call of the strategy, and finish(), on a small graph of the same
 * workload in regions of its own, freed before the warm-up goes on: the
 * timed call then runs code that has run before in this process (its
 * instruction TLB entries, predictors and first-level cache lines), as in a
 * runtime in its steady state, rather than the first call of a fresh
 * process.  Reading the code as data (warm_code) puts it in the shared
 * caches only: relocate on the 10^3 tree took 4.7-5.0 us per call without
 * this call and 3.9-4.0 with it, cheney 5.2 and 4.9 (medians of 30 rounds,
 * two processes each).  Nothing of it is measured.  A document's workload
 * (json, sexp), whose size is the whole file, gets no warm call; one that
 * cannot be built this small, or a call that fails, is left at that.  Under
 * --verify the judge's snapshot is taken before it, so a leak in the warm
 * call would be reported as the call's (a strategy that leaks does so in
 * both). */
#define WARM_CALL_OBJECTS 64
static void warm_call(struct trial *t)
{
	struct trial_job *job = t->job;
	if (job->wl->wl->sized_by_document)
		return;
	size_t n = job->wl->size < WARM_CALL_OBJECTS ? job->wl->size : WARM_CALL_OBJECTS;
	char why[RL_STATUS_MAX - 64];
	rl_graph g;
	if (rl_graph_make(job->wl->wl, n, job->sweep->seed + job->rep, &job->wl->params, &g, why, sizeof why) != 0)
		return;
	rl_region *dst = rl_region_create("warm-call dst");
	if (dst != NULL) {
		rl_tm_ctx ctx = { .opts = &job->st->params };
		rl_val out = RL_NIL;
		if (t->tm->transmigrate(&ctx, g.src, dst, g.root, &out) == RL_TM_OK)
			(void)t->tm->finish(&ctx);
		rl_region_destroy(dst);
	}
	rl_graph_free(&g);
}

/* The copy lands in blocks taken from the pool, pre-faulted here unless
 * --cold: a first touch costs ~10 us in these VMs, more than the copy.  On
 * these VMs the host may also unmap guest pages while the judge's snapshot
 * and the pre-faulting run: the first touch of each page then costs ~6 us,
 * invisible to the guest's fault counters, and a 10^6-object copy ran 3-7x
 * slower in such trials, from run to run.  So every page of the pooled
 * blocks is touched again here, and timed_call reads every line of src (and
 * then the code) last, right before the clock (touch_last). */
static void warm_up(struct trial *t)
{
	const struct rl_sweep *s = t->job->sweep;
	rl_row *row = t->job->row;
	if (!s->cold)
		warm_call(t);
	row->dst_warm = s->cold ? 0 : warm_memory(t->g.src, t->census.bytes);
	row->barrier_overhead = rl_tm_barrier_overhead(t->tm, t->g.src, t->g.root, 3);
	if (!s->cold) {
		if (s->stack_bytes >= STACK_TOUCH_FROM)
			warm_stack();
		warm_code();
		rl_opts_read_all(&t->job->st->params, t->tm->options); /* see regionlab/options.h */
		rl_block_pool_rewarm();
	}
}

/* The timed call (incremental strategies: through finish()), and what the
 * runner measures around it.  Nothing else runs between the clock reads. */
static void timed_call(struct trial *t)
{
	const struct rl_transmigrator *tm = t->tm;
	rl_row *row = t->job->row;
	t->ctx = (rl_tm_ctx){ .opts = &t->job->st->params };
	t->out = RL_NIL;
	rl_mem_stats *stats = rl_mem_stats_self();
	rl_mem_stats_begin();
	size_t live_before = stats->live_bytes;
	rl_alloc_counters je_before, je_after;
	bool have_je = rl_allocator_counters(&je_before);
	uint64_t cpu_clock_cost = thread_cpu_clock_cost();
	uint64_t faults_before = thread_faults();
	if (!t->job->sweep->cold)
		touch_last(t->g.src); /* after the counters' system calls and the allocator's statistics */

	arm(1);
	uint64_t c0 = thread_cpu_ns();
	uint64_t t0 = rl_now_ns();
	t->ctx.call_start_ns = t0;
	int rc = tm->transmigrate(&t->ctx, t->g.src, t->dst, t->g.root, &t->out);
	uint64_t t1 = rl_now_ns();
	uint64_t c1 = thread_cpu_ns();
	arm(0);
	uint64_t pause = t1 - t0, total = pause, cpu = c1 - c0;
	if (rc == RL_TM_OK && (tm->caps & RL_TM_INCREMENTAL)) {
		arm(1);
		uint64_t c2 = thread_cpu_ns();
		uint64_t t2 = rl_now_ns();
		rc = tm->finish(&t->ctx);
		uint64_t t3 = rl_now_ns();
		uint64_t c3 = thread_cpu_ns();
		arm(0);
		total += t3 - t2;
		cpu += c3 - c2;
		/* src may be freed once finish() returns: everything has moved */
		row->free_latency_ns = t3 - t0;
	}
	uint64_t faults_after = thread_faults();
	if (rc == RL_TM_OK && !(tm->caps & RL_TM_INCREMENTAL))
		rc = tm->finish(&t->ctx); /* rl_tm_finish_nothing: not part of the call */
	if (faults_before != RL_UNSET_U64 && faults_after != RL_UNSET_U64)
		row->call_faults = faults_after - faults_before;
	if (have_je && rl_allocator_counters(&je_after)) {
		row->je_bytes = je_after.bytes - je_before.bytes;
		row->je_allocs = je_after.allocs - je_before.allocs;
	}
	row->ns_total = total;
	row->cpu_ns = cpu > cpu_clock_cost ? cpu - cpu_clock_cost : 0;
	row->pause_ns = pause;
	row->mallocs = stats->mallocs;
	row->blocks_new = stats->block_allocs;
	row->extra_bytes = stats->peak_bytes - live_before;
	t->rc = rc;
}

/* The status: the call's failure, or the judge's verdict on the call. */
static void judge_call(struct trial *t)
{
	struct trial_job *job = t->job;
	rl_verdict v = { 0 };
	if (t->rc != RL_TM_OK) {
		char failure[64], when[80];
		set_status(job, "%s", call_failure(t->rc, failure, sizeof failure));
		snprintf(when, sizeof when, "after %s", failure);
		if (t->judging && rl_judge_failure(&t->judge, t->g.src, t->dst, &v) != 0)
			set_verdict(job, when, &v);
	} else if (t->judging && rl_judge_success(&t->judge, t->g.root, t->out, &t->g.src, t->dst, &v) != 0) {
		set_verdict(job, "", &v);
	}
}

static void tear_down(struct trial *t)
{
	if (t->judging)
		rl_judge_end(&t->judge);
	rl_region_destroy(t->dst);
	if (t->have_graph)
		rl_graph_free(&t->g);
}

/* memcpy_best3_ns (the old yardstick, after the call: Table 8's
 * continuity column), and the figures derived from ns_total. */
static void fill_ratios(rl_row *row)
{
	if (row->bytes == RL_UNSET_U64)
		return;
	row->memcpy_best3_ns = rl_memcpy_ceiling_ns(row->bytes);
	if (row->ns_total == RL_UNSET_U64)
		return;
	row->ns_per_obj = ratio((double)row->ns_total, (double)row->objects);
	row->mb_per_s = ratio((double)row->bytes / (1024.0 * 1024.0), (double)row->ns_total / 1e9);
	if (row->memcpy_ns != RL_UNSET_U64)
		row->memcpy_frac = ratio((double)row->memcpy_ns, (double)row->ns_total);
}

/* One trial, phase by phase. */
static void trial_body(struct trial_job *job)
{
	struct trial t = { .job = job, .tm = job->st->tm, .out = RL_NIL };
	set_status(job, "ok");
	keep_heap(job->sweep);
	if (rl_is_program_workload(job->wl->wl)) { /* a Scheme program: driver/program_run.c */
		rl_program_trial(job->sweep, job->st, job->wl, job->rep, job->row, job->text->status,
				 sizeof job->text->status);
		return;
	}
	if (job->sweep->verify && (t.tm->caps & RL_TM_INCREMENTAL) && !verify_through_barrier(job))
		return;
	if (build_source(&t) == 0 && take_census(&t) == 0) {
		send_progress(job);
		job->row->memcpy_ns = yardstick_memcpy_ns(t.g.src, t.census.bytes, job->sweep->cold);
		warm_up(&t);
		timed_call(&t);
		take_report(job, &t.ctx.report);
		judge_call(&t);
	}
	tear_down(&t);
	fill_ratios(job->row);
}

static void *trial_thread(void *arg)
{
	struct trial_job *job = arg;
	stack_t alt = { .ss_size = ALTSTACK_BYTES, .ss_flags = 0 };
	alt.ss_sp = mmap(NULL, ALTSTACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool have_alt = alt.ss_sp != MAP_FAILED && sigaltstack(&alt, NULL) == 0;
	trial_body(job);
	if (have_alt) {
		stack_t off = { .ss_flags = SS_DISABLE };
		sigaltstack(&off, NULL);
	}
	if (alt.ss_sp != MAP_FAILED)
		munmap(alt.ss_sp, ALTSTACK_BYTES);
	return NULL;
}

/* Runs the job on a thread with an mmap'd stack of stack_bytes above a
 * PROT_NONE guard. */
static void run_on_trial_thread(struct trial_job *job)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t stack = (job->sweep->stack_bytes + page - 1) & ~(page - 1);
	size_t total = GUARD_BYTES + stack;
	char *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		set_status(job, "error: cannot map a %zu-byte trial stack: %s", stack, strerror(errno));
		return;
	}
	pthread_attr_t attr;
	pthread_t thread;
	int err = mprotect(base, GUARD_BYTES, PROT_NONE) != 0 ? errno : 0;
	if (err == 0)
		err = pthread_attr_init(&attr);
	if (err == 0) {
		err = pthread_attr_setstack(&attr, base + GUARD_BYTES, stack);
		guard_lo = (uintptr_t)base;
		guard_hi = (uintptr_t)base + GUARD_BYTES;
		overflow_fd = job->report_fd;
		overflow_msg = &job->overflow_msg;
		install_segv_handler();
		if (err == 0)
			err = pthread_create(&thread, &attr, trial_thread, job);
		if (err == 0)
			pthread_join(thread, NULL);
		restore_segv_handler();
		overflow_fd = -1;
		pthread_attr_destroy(&attr);
	}
	if (err != 0)
		set_status(job, "error: cannot start the trial thread: %s", strerror(err));
	munmap(base, total);
}

void rl_trial_run(const struct rl_sweep *s, const struct rl_strategy_spec *st, const struct rl_workload_spec *wl,
		  size_t rep, rl_row *row, struct rl_trial_text *text)
{
	row->status = text->status;
	struct trial_job *job = calloc(1, sizeof *job);
	if (job == NULL) {
		snprintf(text->status, sizeof text->status, "oom");
		return;
	}
	*job = (struct trial_job){
		.sweep = s, .st = st, .wl = wl, .rep = rep, .row = row, .text = text, .report_fd = -1,
	};
	run_on_trial_thread(job);
	free(job);
}

/* ---- forked trials ------------------------------------------------------------ */

static void child_trial(const struct rl_sweep *s, const struct rl_strategy_spec *st,
			const struct rl_workload_spec *wl, size_t rep, rl_row *row, int fd)
{
	static struct trial_job job;
	static struct trial_msg final;
	static struct rl_trial_text text;
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core); /* a crash row, not a core file per trial */
	job = (struct trial_job){
		.sweep = s, .st = st, .wl = wl, .rep = rep, .row = row, .text = &text, .report_fd = fd,
	};
	run_on_trial_thread(&job);
	fill_msg(&final, &job, 1, text.status);
	write_all(fd, &final, sizeof final);
}

static const char *signal_name(int sig, char *buf, size_t len)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {
		{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" },   { SIGABRT, "SIGABRT" }, { SIGFPE, "SIGFPE" },
		{ SIGILL, "SIGILL" },   { SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" },
		{ SIGTRAP, "SIGTRAP" }, { SIGPIPE, "SIGPIPE" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].sig == sig)
			return names[i].name;
	snprintf(buf, len, "SIG%d", sig);
	return buf;
}

static ssize_t read_msg(int fd, struct trial_msg *msg)
{
	size_t got = 0;
	while (got < sizeof *msg) {
		ssize_t n = read(fd, (char *)msg + got, sizeof *msg - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The parent keeps its own text columns and takes the child's numbers. */
static void take_numbers(rl_row *row, const rl_row *child)
{
#define TAKE_STR(name)
#define TAKE_U64(name) row->name = child->name;
#define TAKE_F64(name) row->name = child->name;
#define COLUMN(name, type, doc) TAKE_##type(name)
#include "driver/columns.def"
#undef COLUMN
#undef TAKE_STR
#undef TAKE_U64
#undef TAKE_F64
}

/* ... and the child's text cells: the status and the strategy's texts. */
static void take_text(rl_row *row, struct rl_trial_text *text, const struct rl_trial_text *child)
{
	*text = *child;
	row->status = text->status;
#define POINT_STR(name) row->name = text->name[0] != '\0' ? text->name : NULL;
#define POINT_U64(name)
#define POINT_F64(name)
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) POINT_##type(name)
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
#undef POINT_F64
#undef POINT_U64
#undef POINT_STR
}

/* A forked trial never outlives its harness: the kernel sends it SIGKILL when
 * the parent dies (a harness killed with SIGKILL included).  A parent that
 * died before prctl took effect is seen by getppid() no longer being it.
 * RL_TEST_CHILD_SLEEP_MS (tests only) holds the child that long first, so a
 * test can kill the harness in the middle of a trial. */
static void die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	const char *hold = getenv("RL_TEST_CHILD_SLEEP_MS");
	if (hold != NULL) {
		long ms = strtol(hold, NULL, 10);
		struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
}

static void forked_trial(const struct rl_sweep *s, const struct rl_strategy_spec *st,
			 const struct rl_workload_spec *wl, size_t rep, rl_row *row, struct rl_trial_text *text)
{
	int fds[2];
	char *status = text->status;
	size_t status_len = sizeof text->status;
	row->status = status;
	if (pipe(fds) != 0) {
		snprintf(status, status_len, "error: pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL); /* the child must not write the parent's buffered rows again */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(status, status_len, "error: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		die_with_parent(parent);
		child_trial(s, st, wl, rep, row, fds[1]);
		_exit(0);
	}
	close(fds[1]);

	static struct trial_msg msg;
	bool got_final = false;
	while (!got_final && read_msg(fds[0], &msg) == (ssize_t)sizeof msg) {
		got_final = msg.final != 0;
		take_numbers(row, &msg.row);
		take_text(row, text, &msg.text);
	}
	close(fds[0]);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (got_final)
		return;
	char buf[32];
	if (WIFSIGNALED(ws))
		snprintf(status, status_len, "crash:%s", signal_name(WTERMSIG(ws), buf, sizeof buf));
	else
		snprintf(status, status_len, "crash:exit %d", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
}

/* ---- the sweep: grid points in rounds ------------------------------------------ */

#define OFF_CPU_SHARE 0.05          /* the call's thread off the CPU for 5% of it... */
#define OFF_CPU_NS 20000u           /* ...and 20 us (two clock reads cost ~1.5 us) */

/* The call's thread was off the CPU (preempted) for a noticeable part of
 * the call: wall time well above the thread's CPU time. */
static bool off_cpu(const rl_row *row)
{
	if (row->ns_total == RL_UNSET_U64 || row->cpu_ns == RL_UNSET_U64 || row->ns_total <= row->cpu_ns)
		return false;
	uint64_t gap = row->ns_total - row->cpu_ns;
	return gap > OFF_CPU_NS && (double)gap > OFF_CPU_SHARE * (double)row->ns_total;
}

/* The trial with its fixed cells, run (forked or not) behind the machine
 * gate, pinned to a CPU that runs at its usual speed (driver/machine_gate.h),
 * and checked for a disturbed machine (a slow CPU, steal, or the call off
 * the CPU), retried
 * while disturbed (at most RL_DISTURBED_RETRIES
 * times); the kept attempt's row, with disturbed = attempts thrown away
 * (RL_DISTURBED_RETRIES + 1 when the kept one was disturbed too). */
static void run_paired_trial(const struct rl_sweep *s, const struct rl_strategy_spec *st,
			     const struct rl_workload_spec *wl, size_t round, rl_row *row, struct rl_trial_text *text)
{
	for (uint64_t attempt = 0;; attempt++) {
		rl_row_init(row, "transmigrate");
		row->strategy = st->label;
		row->workload = wl->label;
		row->size = wl->size;
		row->layout = wl->layout;
		row->garbage = wl->garbage;
		row->knows = rl_is_program_workload(wl->wl) ? NULL : rl_knows_class_name(rl_graph_knows(&wl->params));
		row->block = s->block;
		row->rep = round;
		row->seed = s->seed + round;
		row->allocator = rl_allocator_name();
		memset(text, 0, sizeof *text);
		struct rl_disturbance before;
		rl_disturbance_begin(&before, RL_GATE_ONE_CPU);
		if (s->fork)
			forked_trial(s, st, wl, round, row, text);
		else
			rl_trial_run(s, st, wl, round, row, text);
		row->probe_ns = before.probe_ns;
		bool disturbed = rl_disturbance_end(&before) || off_cpu(row);
		row->disturbed = attempt + (disturbed ? 1 : 0);
		if (!disturbed || attempt == RL_DISTURBED_RETRIES)
			return;
	}
}

/* One grid point's trials so far: round r's row of strategy i is
 * rows[r * n + i]. */
struct grid_point {
	size_t n; /* strategies */
	size_t rounds, cap;
	rl_row *rows;
	struct rl_trial_text *texts;
	double *sample; /* scratch: one strategy's figures */
	double *medians;
	struct rl_ci *cis;
	bool *has_sample; /* strategies with at least one figure */
};

static int grid_point_grow(struct grid_point *g)
{
	if (g->rounds < g->cap)
		return 0;
	size_t cap = g->cap ? 2 * g->cap : 8;
	rl_row *rows = realloc(g->rows, cap * g->n * sizeof *rows);
	if (rows == NULL)
		return -1;
	g->rows = rows;
	struct rl_trial_text *texts = realloc(g->texts, cap * g->n * sizeof *texts);
	if (texts == NULL)
		return -1;
	g->texts = texts;
	/* sample holds one strategy's figures (rounds) or every strategy's median (n) */
	double *sample = realloc(g->sample, (cap > g->n ? cap : g->n) * sizeof *sample);
	if (sample == NULL)
		return -1;
	g->sample = sample;
	g->cap = cap;
	return 0;
}

/* A trial's figure for the interval: ns_per_obj of an ok trial that was not
 * itself disturbed (a program trial, which has no ns_per_obj: its whole time,
 * program_ns); NaN otherwise. */
static double trial_figure(const rl_row *row)
{
	if (row->status == NULL || strcmp(row->status, "ok") != 0 || row->disturbed > RL_DISTURBED_RETRIES)
		return NAN;
	if (row->program_ns != RL_UNSET_U64)
		return (double)row->program_ns;
	return row->ns_per_obj;
}

/* Every strategy's median and interval over the rounds so far. */
static void grid_point_intervals(struct grid_point *g)
{
	for (size_t i = 0; i < g->n; i++) {
		size_t m = 0;
		for (size_t r = 0; r < g->rounds; r++) {
			double x = trial_figure(&g->rows[r * g->n + i]);
			if (!isnan(x))
				g->sample[m++] = x;
		}
		g->has_sample[i] = m > 0;
		g->medians[i] = rl_stats_median(g->sample, m);
		/* one figure has no interval (the bootstrap's [x, x] says nothing) */
		if (m < 2 || rl_stats_median_ci(g->sample, m, RL_STATS_RESAMPLES, RL_STATS_SEED, &g->cis[i]) != 0)
			g->cis[i] = (struct rl_ci){ NAN, NAN };
	}
}

/* The stopping rule over the strategies that have a figure (one that fails
 * every trial has nothing to converge). */
static enum rl_stop grid_point_stop(struct grid_point *g, const struct rl_stop_rule *rule, double elapsed_s)
{
	size_t m = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->has_sample[i]) {
			g->sample[m] = g->medians[i];
			g->cis[g->n + m] = g->cis[i];
			m++;
		}
	return rl_stats_stop(rule, g->rounds, elapsed_s, g->sample, g->cis + g->n, m);
}

/* The round's order of strategies: a Fisher-Yates shuffle seeded by the
 * sweep's seed and the round, so a rerun runs the same order. */
static void shuffle_order(size_t *order, size_t n, uint64_t seed, size_t round)
{
	uint64_t state = seed * UINT64_C(0x9e3779b97f4a7c15) + round + 1;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		size_t j = (size_t)(state % i);
		size_t tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

/* The grid point's rows, each with its strategy's interval and the point's
 * rounds and stop: round by round, strategies in the command line's order. */
static int grid_point_write(struct grid_point *g, enum rl_stop stop, rl_out *out)
{
	for (size_t r = 0; r < g->rounds; r++)
		for (size_t i = 0; i < g->n; i++) {
			rl_row *row = &g->rows[r * g->n + i];
			row->rounds = g->rounds;
			row->ci_lo = g->cis[i].lo;
			row->ci_hi = g->cis[i].hi;
			row->stop = rl_stop_name(stop);
			if (rl_out_write(out, row) != 0)
				return -1;
		}
	return 0;
}

/* Text cells point into the texts array, which may move as it grows: point
 * them again (take_text does exactly that). */
static void grid_point_repoint(struct grid_point *g)
{
	for (size_t k = 0; k < g->rounds * g->n; k++) {
		struct rl_trial_text copy = g->texts[k];
		take_text(&g->rows[k], &g->texts[k], &copy);
	}
}

static int run_grid_point(const struct rl_sweep *s, const struct rl_workload_spec *wl, struct grid_point *g,
			  size_t *order, rl_out *out)
{
	const struct rl_stop_rule rule = {
		.min_rounds = s->reps,
		.max_rounds = s->max_rounds > s->reps ? s->max_rounds : s->reps,
		.max_seconds = s->max_seconds > 0 ? s->max_seconds : INFINITY,
		.half_width = RL_STATS_HALF_WIDTH,
	};
	uint64_t start = rl_now_ns();
	enum rl_stop stop = RL_STOP_CONTINUE;
	g->rounds = 0;
	while (stop == RL_STOP_CONTINUE) {
		rl_row *before = g->rows;
		struct rl_trial_text *texts_before = g->texts;
		if (grid_point_grow(g) != 0)
			return -2;
		if (g->rows != before || g->texts != texts_before)
			grid_point_repoint(g);
		size_t round = s->first_round + g->rounds;
		shuffle_order(order, g->n, s->seed, round);
		for (size_t k = 0; k < g->n; k++) {
			size_t i = order[k];
			size_t slot = g->rounds * g->n + i;
			run_paired_trial(s, &s->strategies[i], wl, round, &g->rows[slot], &g->texts[slot]);
		}
		g->rounds++;
		grid_point_intervals(g);
		stop = grid_point_stop(g, &rule, (double)(rl_now_ns() - start) / 1e9);
	}
	return grid_point_write(g, stop, out);
}

int rl_sweep_run(const struct rl_sweep *s, rl_out *out)
{
	struct grid_point g = { .n = s->nstrategies };
	size_t *order = calloc(s->nstrategies, sizeof *order);
	g.medians = calloc(s->nstrategies, sizeof *g.medians);
	g.cis = calloc(2 * s->nstrategies, sizeof *g.cis);
	g.has_sample = calloc(s->nstrategies, sizeof *g.has_sample);
	int rc = order != NULL && g.medians != NULL && g.cis != NULL && g.has_sample != NULL ? 0 : -2;
	for (size_t j = 0; j < s->nworkloads && rc == 0; j++)
		rc = run_grid_point(s, &s->workloads[j], &g, order, out);
	if (rc == -2)
		fprintf(stderr, "harness: out of memory keeping a grid point's rows\n");
	free(order);
	free(g.medians);
	free(g.cis);
	free(g.has_sample);
	free(g.rows);
	free(g.texts);
	free(g.sample);
	return rc == 0 ? 0 : -1;
}
