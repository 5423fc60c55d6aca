/* CSV rows (see driver/csv.h).  Everything that names or orders columns is
 * generated from driver/columns.def: the header line, the row writer and the
 * schema document; no column name is written twice.
 *
 * Cells follow RFC 4180: a text cell is quoted (with quotes doubled) when it
 * holds a comma, a quote or a line break; an unset value is an empty cell. */
#define _DEFAULT_SOURCE /* flock, pread, open_memstream */
#include "driver/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef RL_GIT_SHA
#define RL_GIT_SHA "unknown"
#endif

#ifdef __clang__
#define RL_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define RL_COMPILER "gcc " __VERSION__
#else
#define RL_COMPILER "unknown"
#endif

#define HEADER_MAX 4096

/* ---- provenance ------------------------------------------------------------ */

/* "model name" of /proc/cpuinfo plus " x<online cpus>", read once. */
static const char *cpu_description(void)
{
	static char desc[256];
	if (desc[0] != '\0')
		return desc;
	char model[192] = "unknown";
	FILE *fp = fopen("/proc/cpuinfo", "r");
	if (fp != NULL) {
		char line[512];
		while (fgets(line, sizeof line, fp) != NULL) {
			if (strncmp(line, "model name", 10) != 0)
				continue;
			const char *colon = strchr(line, ':');
			if (colon == NULL)
				continue;
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			size_t len = strcspn(colon, "\r\n");
			if (len >= sizeof model)
				len = sizeof model - 1;
			memcpy(model, colon, len);
			model[len] = '\0';
			break;
		}
		fclose(fp);
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(desc, sizeof desc, "%s x%ld", model, cpus > 0 ? cpus : 1L);
	return desc;
}

void rl_row_init(rl_row *r, const char *kind)
{
#define RL_UNSET_STR NULL
#define RL_UNSET_F64 NAN
#define COLUMN(name, type, doc) r->name = RL_UNSET_##type;
#include "driver/columns.def"
#undef COLUMN
#undef RL_UNSET_STR
#undef RL_UNSET_F64
	r->schema = RL_CSV_SCHEMA;
	r->git_sha = RL_GIT_SHA;
	r->compiler = RL_COMPILER;
	r->cpu = cpu_description();
	r->kind = kind;
}

/* ---- cells ----------------------------------------------------------------- */

static void put_str(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void put_U64(FILE *fp, uint64_t v)
{
	if (v != RL_UNSET_U64)
		fprintf(fp, "%llu", (unsigned long long)v);
}

static void put_F64(FILE *fp, double v)
{
	if (!isnan(v))
		fprintf(fp, "%.6g", v);
}

#define put_STR put_str

/* ---- header ---------------------------------------------------------------- */

static void header_string(char *buf, size_t len)
{
	size_t used = 0;
	bool first = true;
	buf[0] = '\0';
#define COLUMN(name, type, doc)                                                                    \
	if (used < len)                                                                            \
		used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? "" : ",", #name); \
	first = false;
#include "driver/columns.def"
#undef COLUMN
}

void rl_csv_print_header(FILE *fp)
{
	char header[HEADER_MAX];
	header_string(header, sizeof header);
	fputs(header, fp);
}

/* ---- files -----------------------------------------------------------------
 * Several writers may share one --out (two harnesses, a harness and a sweep):
 * every row is appended with one write() to a descriptor opened O_APPEND,
 * under an exclusive flock() of the file, and the header is written only
 * when the file is empty at that moment, under the same lock.  Nothing ever
 * rewrites or renames the file, so no writer can lose another's rows. */

/* Reads the first line of the file (without its line break) into buf. */
static int first_line(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* With the lock held: an existing non-empty file must start with exactly our
 * header line and end with a newline (a row cut short, by a writer killed in
 * the middle of it, would glue onto the next one). */
static int check_existing(const char *path, int fd, off_t size, char *err, size_t errlen)
{
	char expected[HEADER_MAX], line[HEADER_MAX + 2];
	header_string(expected, sizeof expected);
	if (first_line(fd, line, sizeof line) != 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (strcmp(line, expected) != 0) {
		snprintf(err, errlen, "'%s' exists and its header is not this harness's %s header (pick another --out)",
			 path, RL_CSV_SCHEMA);
		return -1;
	}
	char last = 0;
	if (pread(fd, &last, 1, size - 1) != 1 || last != '\n') {
		snprintf(err, errlen,
			 "'%s' ends in a truncated row (a writer was killed in the middle of it): remove that last "
			 "partial line or pick another --out",
			 path);
		return -1;
	}
	return 0;
}

static int lock_file(int fd)
{
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static void unlock_file(int fd) { (void)flock(fd, LOCK_UN); }

/* With the lock held: checks the file as it is now (another writer may have
 * written the header, or left a truncated row, since we last looked) and
 * tells whether the header is still to be written. */
static int check_now(rl_csv *c, bool *needs_header, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(c->fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat '%s': %s", c->path, strerror(errno));
		return -1;
	}
	*needs_header = st.st_size == 0;
	if (st.st_size == 0)
		return 0;
	return check_existing(c->path, c->fd, st.st_size, err, errlen);
}

int rl_csv_open(rl_csv *c, const char *path, char *err, size_t errlen)
{
	c->fp = NULL;
	c->fd = -1;
	c->path = path;
	c->header_done = 0;
	if (path == NULL || strcmp(path, "-") == 0) {
		c->fp = stdout;
		return 0;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write '%s': is a directory", path);
		return -1;
	}
	c->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (c->fd < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	bool needs_header;
	int rc = lock_file(c->fd);
	if (rc != 0)
		snprintf(err, errlen, "cannot lock '%s': %s", path, strerror(errno));
	else {
		rc = check_now(c, &needs_header, err, errlen);
		unlock_file(c->fd);
	}
	if (rc != 0) {
		close(c->fd);
		c->fd = -1;
	}
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Appends one formatted row (with its newline) to the shared file, the
 * header first when the file is empty; exits 2 when the file has become one
 * we must not append to. */
static int append_locked(rl_csv *c, const char *row, size_t len)
{
	char err[HEADER_MAX + 256];
	bool needs_header = false;
	if (lock_file(c->fd) != 0)
		return -1;
	if (check_now(c, &needs_header, err, sizeof err) != 0) {
		unlock_file(c->fd);
		fprintf(stderr, "harness: %s\n", err);
		exit(2);
	}
	int rc = 0;
	if (needs_header) {
		char header[HEADER_MAX + 1];
		header_string(header, HEADER_MAX);
		size_t hl = strlen(header);
		header[hl++] = '\n';
		rc = write_all(c->fd, header, hl);
	}
	if (rc == 0)
		rc = write_all(c->fd, row, len);
	unlock_file(c->fd);
	return rc;
}

/* The date column: UTC now, ISO 8601.  One buffer: rows are written by one
 * thread, and the row only borrows it until rl_csv_write returns. */
static const char *utc_now(void)
{
	static char buf[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void put_row(FILE *fp, const rl_row *r)
{
	bool first = true;
#define COLUMN(name, type, doc)       \
	if (!first)                   \
		fputc(',', fp);       \
	first = false;                \
	put_##type(fp, r->name);
#include "driver/columns.def"
#undef COLUMN
	fputc('\n', fp);
}

int rl_csv_write(rl_csv *c, rl_row *r)
{
	r->date = utc_now();
	int rc = 0;
	if (c->fp != NULL) { /* a stream (stdout): one writer */
		if (!c->header_done) {
			rl_csv_print_header(c->fp);
			fputc('\n', c->fp);
			c->header_done = 1;
		}
		put_row(c->fp, r);
		rc = fflush(c->fp) != 0 || ferror(c->fp) ? -1 : 0;
	} else {
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		if (mem == NULL)
			rc = -1;
		else {
			put_row(mem, r);
			rc = fclose(mem) != 0 ? -1 : append_locked(c, buf, len);
		}
		free(buf);
	}
	r->date = NULL;
	return rc;
}

void rl_csv_close(rl_csv *c)
{
	if (c->fp != NULL)
		fflush(c->fp);
	else if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->fp = NULL;
}

/* ---- schema document ------------------------------------------------------- */

/* Every value the status column can take, and what it means.  Kept beside
 * the writer so that a new status and its documentation land together. */
static const struct {
	const char *status, *kinds, *meaning;
} statuses[] = {
	{ "ok", "all", "The trial ran and, unless `--no-verify`, the judge accepted the result." },
	{ "oom", "transmigrate, tether",
	  "Out of memory in the trial itself: the strategy's call returned out of memory (and the judge found src "
	  "and dst as they were), the destination region could not be made, or a tether trial could not build its "
	  "regions.  The cap is `--max-mem` (the memory budget: region blocks, strategy memory, the judge's tables) "
	  "or the machine's memory." },
	{ "verify_oom", "transmigrate",
	  "The judge ran out of memory (its snapshot before the call, or its checks after it), under `--max-mem` "
	  "or the machine's memory: nothing is known about the strategy." },
	{ "stack_overflow", "transmigrate", "The call overflowed the trial thread's stack (`--stack`)." },
	{ "crash:SIGNAL", "transmigrate",
	  "The forked trial was killed by SIGNAL before its last word (`crash:SIGSEGV`, `crash:SIGABRT` from an "
	  "assertion or a sanitizer, `crash:SIGKILL`, `crash:SIG<n>` for others); the numbers columns keep what "
	  "was measured before." },
	{ "crash:exit N", "transmigrate", "The forked trial exited with status N before its last word." },
	{ "verify_failed: CLAUSE: DETAIL", "transmigrate",
	  "The judge (oracle/judge.c) rejected the result; CLAUSE names the part of the contract the call broke: "
	  "`not_isomorphic` (a type, size, byte or immediate of the copy differs, or a reference was lost), "
	  "`sharing_lost` (an object reached twice was copied twice, or two became one), `points_into_src` (the "
	  "copy reaches memory freed with src), `outside_changed` (a pointer to another region or static data was "
	  "changed), `src_changed` (src not byte-identical where the strategy must leave it so), "
	  "`held_subregion_changed` (a sub-region of src that outlives it was written), `dst_changed` (a failed "
	  "call did not leave dst as it was), `leak` (strategy memory or region blocks kept after the call).  "
	  "`verify_failed: through the barrier: ...` and `verify_failed: after finish: ...` for incremental "
	  "strategies; `verify_failed: after oom: ...` (or `after error: ...`) when a failed call did not leave "
	  "src and dst as they were." },
	{ "error: workload: REASON", "transmigrate",
	  "The graph could not be built: `error: workload: workload W: out of memory building the graph` when it "
	  "does not fit `--max-mem` (or the machine), or the reader's one-line reason for a document." },
	{ "error: precondition failed", "transmigrate",
	  "The strategy cannot move this graph and changed nothing (its precondition does not hold: e.g. "
	  "`linear` needs src's external count to be 1)." },
	{ "error: unknown error", "transmigrate", "The strategy returned an error code regionlab does not know." },
	{ "error: census: out of memory", "transmigrate",
	  "With `--no-verify`, the census of what the call moves did not fit." },
	{ "error: cannot map a N-byte trial stack: ERRNO", "transmigrate", "The trial thread's stack could not be mapped." },
	{ "error: cannot start the trial thread: ERRNO", "transmigrate", "The trial thread could not be started." },
	{ "error: pipe: ERRNO", "transmigrate", "The pipe to a forked trial could not be made." },
	{ "error: fork: ERRNO", "transmigrate", "The forked trial could not be started." },
	{ "error: cannot create threads", "tether", "Not every reader and writer thread could be started." },
	{ "use_after_free", "tether",
	  "A reader saw a region's poison: the scheme freed a region while it was tethered." },
	{ "leak: N of M retired regions not freed, K blocks", "tether",
	  "At the end of the trial, retired regions were never freed or blocks were not returned." },
};

static const char *type_word(const char *type)
{
	if (strcmp(type, "STR") == 0)
		return "text";
	if (strcmp(type, "U64") == 0)
		return "integer";
	return "number";
}

/* How the measured columns were measured (issue 12): rounds, the stopping
 * rule, disturbed trials, clocks, warm-up, yardsticks and code placement. */
static void print_method_doc(FILE *fp)
{
	fputs("\n## How the figures are measured\n\n"
	      "**Rounds.** A harness call measures grid points: for transmigration one workload spec and\n"
	      "size with every `--strategy`, for tethers one `--threads` count (with the other tether\n"
	      "flags) with every `--tether` scheme and two yardsticks.  Each round runs every module of\n"
	      "the grid point once, in an order shuffled by a generator seeded with `--seed`, the round\n"
	      "(and for tethers the reader count), so drift of the machine hits every module alike and a\n"
	      "rerun runs the same order.  Transmigration round r builds its graph with seed + r (the `rep`\n"
	      "column is the round, `seed` the graph's seed; `--first-round=K` numbers a call's rounds from\n"
	      "K).  A grid point's rows are written when it ends; for tethers only the schemes given are\n"
	      "rows, the yardsticks are columns of them.  A sweep may split a transmigration grid point's\n"
	      "rounds over several calls (`passes` in a sweep file: pass p numbers its rounds from p times\n"
	      "its share of `max_rounds`), run minutes apart: a cell's figures are then the rows of all its\n"
	      "calls, and their `rounds`, `ci_lo`, `ci_hi` and `stop` are each call's own.\n\n"
	      "**Stopping rule** (driver/stats.h, the same in scripts/lib/stats.py).  After each round the\n"
	      "median of every module's figure (transmigration: `ns_per_obj`; tether: `ns_per_op`) over its\n"
	      "`ok`, undisturbed trials gets a 95% percentile-bootstrap interval (2000 resamples, seeded by\n"
	      "splitmix64 from a fixed seed, so an interval reproduces exactly).  Rounds stop after at least\n"
	      "`--reps` rounds when every module's half-width is within 5% of its median (`stop` =\n"
	      "`converged`; a module with one figure has no interval yet), else at `--max-rounds`\n"
	      "(`cap_rounds`), else once `--max-seconds` are spent by\n"
	      "the end of a round (`cap_seconds`).  `rounds`, `ci_lo`, `ci_hi` and `stop` are the same on\n"
	      "every row of a module of one call at the grid point.\n\n"
	      "**The machine gate** (driver/machine_gate.h).  A vCPU of a shared guest has spells, seconds\n"
	      "to minutes long, in which everything on it runs ~1.3x slower, and the vCPUs have them at\n"
	      "different times; a throughput probe (eight shift/xor/add chains, each adding its\n"
	      "neighbour: work the core overlaps; best of 3, ~0.5 ms; `probe_ns`) sees them where a chain\n"
	      "of dependent multiplies does not.  The gate's reference is the best probe known: this process's, or the sweep's so far (`--probe-ref`,\n"
	      "which scripts/sweep passes).  Before a single-thread trial (transmigration, or a tether\n"
	      "trial with one reader and no writer) the gate pins the trial's thread (and so its forked\n"
	      "child, its one worker, and any thread started during the trial) to an allowed CPU whose probe is within 15% of the reference, the\n"
	      "current one first, polling every 50 ms for up to 1 s (4 s per process) when none is, and\n"
	      "gives the affinity back after the trial.  Before a tether trial of several threads, which\n"
	      "use every CPU, it waits the same way until the slowest CPU's probe is within 15% of the best\n"
	      "such probe the process has seen (a CPU that is always slower sets that reference instead\n"
	      "of making every trial slow), and runs the trial anyway when it is not (a disturbed trial,\n"
	      "below).  `./gbench` runs each single-thread benchmark behind the same\n"
	      "gate (pinned for the benchmark's run; no retry).\n\n"
	      "**Disturbed trials.** A trial is thrown away and run again, at most twice, when its probes\n"
	      "before and after differ by more than 25%, when steal time in `/proc/stat` rose during it,\n"
	      "when either probe (several threads: the slowest CPU's, against its own reference) was more\n"
	      "than 15% above the reference (it ran on a slow CPU: the same 2-thread tether cells of two `make results` runs\n"
	      "were 50-60% apart when one ran through such a spell, which the gate used to let pass for\n"
	      "trials of several threads), or (transmigration) when the call's thread was off the CPU for\n"
	      "more than 5% of the call and 20 us;\n"
	      "`disturbed` counts the attempts thrown away, and a row with `disturbed` = 3 was disturbed\n"
	      "itself: it is kept as a row but left out of every interval, every median of the tables and\n"
	      "figures, and `scripts/compare-runs`; `scripts/sweep` runs such a trial once more at its end\n"
	      "(docs/experiments.md).\n"
	      "Run one sweep job at a time (`make results` does): two trials in parallel on two cores make\n"
	      "each other's calls lose the CPU and most trials would count as disturbed, and the gate may\n"
	      "pin both to one CPU (a CPU busy with the other process still probes fast).\n\n"
	      "**Clocks.** `ns_total`, `pause_ns`, `memcpy_ns` and the figures derived from them are wall\n"
	      "time (`CLOCK_MONOTONIC`): the cost a runtime's mutator waits for, page faults served and\n"
	      "memory stalls included; `cpu_ns` is the same span on the thread's CPU clock, so that a trial\n"
	      "that lost the CPU is seen (and retried).  Tables 1-4, 7 and 8 of results/paper.md use wall\n"
	      "time, disturbed trials excluded.  Tether figures (`ns_per_op`, Tables 5 and 6) are each\n"
	      "reader's thread CPU time over its pairs: with several threads on few cores, wall time would\n"
	      "measure the scheduler's share, not the pair's cost; `ops_per_s` is wall-clock throughput.\n\n"
	      "**Warm-up** (transmigration, unless `--cold`).  After the graph is built and its census\n"
	      "taken, and before the timed call: first one call of the strategy (and finish()) on a\n"
	      "64-object graph of the same workload in regions of its own, then freed, so that the timed\n"
	      "call runs code that has run before (a runtime's steady state: relocate on the 10^3 tree\n"
	      "took 4.7-5.0 us without it and 3.9-4.0 with it, cheney 5.2 and 4.9); then, sized\n"
	      "by what the call may need (the graph's bytes, or\n"
	      "everything src's family holds when that is more: relocate copies the garbage too): the\n"
	      "block pool is pre-faulted with enough blocks for a copy of that (`dst_warm`), freed heap\n"
	      "memory is kept mapped and 4x that plus 1 MiB of heap is written in 4 KiB pieces (the\n"
	      "strategy's tables find faulted pages; small pieces take malloc's free chunks first, which\n"
	      "a forked trial shares copy-on-write with its parent: written in 16 MiB pieces, from the\n"
	      "top of the heap alone, splice's liveness shadow took a fault in every call at 10^3, 17-24\n"
	      "us where the call takes 5-6), the scratch mapping that worklists above 256 KiB borrow is mapped, as\n"
	      "big as src's blocks, and each of its pages written (a fresh mapping per call faulted on the\n"
	      "pages a worklist's first pushes touched: dfs on `mixed` at 10^4 took 122 us with it, 230\n"
	      "without), the read barrier's overhead is measured\n"
	      "(incremental strategies), one byte of every page of the 64 KiB of the trial thread's stack\n"
	      "below the warm-up's frame is written when the stack has 1 MiB or more (the stack is a\n"
	      "fresh mapping per trial: a call that went deeper than the warm call took a fault, as\n"
	      "adaptive's graph sample did at 10^4 and above), every page of the harness's code and data\n"
	      "is read (a forked\n"
	      "trial's process has touched none of the strategy's code: the first call took a minor fault\n"
	      "per page, ~35 us in all), then one byte of every page of the pooled blocks is written back\n"
	      "unchanged (the host may have unmapped them meanwhile, and a forked trial shares the\n"
	      "parent's pages copy-on-write, which a read leaves shared: the copy yardstick's memcpy then\n"
	      "took 16 faults a block), then every cache line of src (a region just built: reading\n"
	      "one byte of each page left src's lines wherever the warm-up had left them, and cheney on\n"
	      "the shuffled 10^4 list took 30-36 ns per object in some processes and 11 in others; 6-8\n"
	      "with src's lines; and read four times, not once: one read left a src larger than the\n"
	      "second-level cache (10^5 objects) in a state that differed from trial to trial, and the\n"
	      "tracing copies on the shuffled 10^5 list took 1.9-6.5 ms per call in one process, 1.4-1.6\n"
	      "with four reads),\n"
	      "and last every line of the harness's code again (src's lines alone\n"
	      "evicted it at 10^6: linear, which touches no object, took 1.2 us there instead of 0.7-0.8),\n"
	      "these last reads coming after the system calls and allocator statistics that the row's\n"
	      "counters take before the clock starts;\n"
	      "`call_faults` counts the page faults the call (and these last reads, which find their\n"
	      "pages mapped)\n"
	      "still takes (a few stray pages at most for the copying strategies; naive's per-object\n"
	      "mallocs outgrow the warmed heap; proxy's forwarding table borrows the scratch mapping).\n"
	      "The copy yardstick (`memcpy_ns`) runs before\n"
	      "this warm-up, after the same steps of its own (pool, heap, its destination blocks' pages,\n"
	      "src's lines, the code's lines last), so both start from the same state.\n\n"
	      "**No poisoning in timings.** The test builds (`RL_DEBUG`, every build of the Makefile and\n"
	      "meson) fill what a region frees, and what a rollback gives back, with a poison byte so that\n"
	      "stale reads show up in the checks.  A run with `--no-verify` (every sweep of `make results`)\n"
	      "turns that off: it was a memset inside timed calls (adaptive's undone probes roll their\n"
	      "blocks back) and on every region a program frees, a cost of the lab in every figure that\n"
	      "includes it.  Verified runs keep it.\n\n"
	      "**Yardsticks.** Transmigration: `memcpy_ns`, src's bytes copied from src's own blocks into\n"
	      "blocks taken from the pre-faulted pool, in the same trial (the old best-of-3 copy between\n"
	      "two buffers just written, in cache at small sizes, is `memcpy_best3_ns`).  Tethers: the empty\n"
	      "loop (the reader loop with its slot pick and a load of the slot, no tether; `empty_ns`) and\n"
	      "urcu-qsbr (`qsbr_ns`), run in the same round of the same grid point as the row.  Tables\n"
	      "report ratios to them beside absolute times, each ratio the median of per-trial ratios with\n"
	      "its interval.\n\n"
	      "**Code placement and stack.** Every build (Makefile `ALIGN`, meson.build) passes\n"
	      "`-falign-functions=64 -falign-loops=64`, so a hot loop starts on a cache line whatever the\n"
	      "code around it.  The transmigration call runs on a thread of its own whose stack is an\n"
	      "`mmap`ed region of `--stack` bytes above a guard, its top page-aligned, so neither the\n"
	      "environment's size (which moves the main thread's stack) nor the caller's frames move it;\n"
	      "tether workers are threads with a fixed 8 MiB stack (not glibc's default, which follows\n"
	      "`ulimit -s`).\n",
	      fp);
}

void rl_csv_print_schema_doc(FILE *fp)
{
	fprintf(fp, "# CSV schema %s\n\n", RL_CSV_SCHEMA);
	fputs("<!-- Generated by `./harness --schema > docs/csv-schema.md` from driver/columns.def.\n"
	      "     Do not edit: tests/test_cli.sh fails when this file is not current. -->\n\n"
	      "Every row of a harness CSV is one trial.  The `kind` column says which group of\n"
	      "columns applies (transmigrate, tether or gbench); a column that does not apply to\n"
	      "a row, or a value that was not measured, is an empty cell.\n\n"
	      "- Text cells are quoted per RFC 4180 when they contain a comma, a double quote or\n"
	      "  a line break (quotes inside are doubled).\n"
	      "- Integers are unsigned decimal; numbers are decimal or exponent notation\n"
	      "  (six significant digits).\n"
	      "- A trial that failed is still a row: `status` says what went wrong and the\n"
	      "  exit status of the harness stays 0.\n"
	      "- `--out` appends to an existing file only when its first line equals the header\n"
	      "  below exactly, so an interrupted sweep can resume into the same file.\n"
	      "- Writers share a file safely: the harness and `scripts/sweep` append each row\n"
	      "  (never rewrite the file) under an exclusive `flock` of it, and write the header\n"
	      "  only into an empty file.  A file whose last row was cut short (its writer was\n"
	      "  killed mid-row) is refused by the harness (exit 2) and set aside by the sweep\n"
	      "  (into FILE.truncated, with one line saying so) before anything is appended.\n"
	      "- When a meaning changes, the schema version (`schema` column) changes too.\n\n"
	      "Header line:\n\n```\n",
	      fp);
	rl_csv_print_header(fp);
	fputs("\n```\n\n| # | column | type | meaning |\n|---|---|---|---|\n", fp);
	unsigned index = 0;
#define COLUMN(name, type, doc) fprintf(fp, "| %u | `%s` | %s | %s |\n", ++index, #name, type_word(#type), doc);
#include "driver/columns.def"
#undef COLUMN
	fputs("\n## Statuses\n\nEvery value the `status` column can take (upper-case words stand for the\n"
	      "details a row fills in).  A trial that did not end `ok` is still a row.\n\n"
	      "| status | kind | meaning |\n|---|---|---|\n",
	      fp);
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		fprintf(fp, "| `%s` | %s | %s |\n", statuses[i].status, statuses[i].kinds, statuses[i].meaning);
	print_method_doc(fp);
}

/* ---- for the other writers (driver/format.h) --------------------------------- */

const char *rl_csv_date_now(void) { return utc_now(); }
