/* The small Scheme on regions (lisp/):
 *  - every bundled program gives its expected answer (it checks itself and
 *    calls error otherwise) under every strategy, with every transmigration
 *    judged by the oracle, and prints the same output as with regions=none;
 *  - a suite of error programs gives one line per kind of error, naming the
 *    source position;
 *  - a named-let loop of 10^7 iterations runs in constant stack and memory
 *    under every strategy: on a 256 KiB thread stack, a value stack that
 *    stays under 64 words and region blocks that stay under 1 MiB. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/program_run.h"
#include "driver/registry.h"
#include "lisp/lisp.h"
#include "regionlab/adopt.h"
#include "regionlab/region.h"
#include "tests/check.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define PROGRAMS_DIR "lisp/programs"

/* Runs path with the given strategy (NULL: regions=none); output into *out
 * (malloc'd, NUL-terminated). */
static enum rl_lisp_status run(const char *path, long long size, const struct rl_transmigrator *tm, bool verify,
			       char **out, rl_lisp_result *res)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	rl_lisp_config cfg = {
		.path = path, .size = size, .regions = tm != NULL ? RL_LISP_REGIONS_CALL : RL_LISP_REGIONS_NONE,
		.tm = tm, .verify = verify, .out = f,
	};
	rl_lisp_run(&cfg, res);
	fclose(f);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return res->status;
}

/* The test size a program declares in its ";; sizes: test=N sweep=M" line. */
static long long test_size(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long long n = -1;
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, ";; sizes: test=%lld", &n) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return n;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The bundled programs, sorted. */
static size_t programs(char names[][64], size_t max)
{
	DIR *d = opendir(PROGRAMS_DIR);
	size_t n = 0;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);
		if (len > 4 && len < 64 && strcmp(e->d_name + len - 4, ".scm") == 0)
			snprintf(names[n++], 64, "%s", e->d_name);
	}
	if (d != NULL)
		closedir(d);
	char *ptrs[64];
	for (size_t i = 0; i < n; i++)
		ptrs[i] = names[i];
	qsort(ptrs, n, sizeof ptrs[0], cmp_names);
	char sorted[64][64];
	for (size_t i = 0; i < n; i++)
		memcpy(sorted[i], ptrs[i], 64);
	memcpy(names, sorted, n * 64);
	return n;
}

static void bundled_programs_answer_under_every_strategy(void)
{
	char names[64][64];
	size_t n = programs(names, 64);
	CHECK(n >= 10, "only %zu bundled programs", n);
	for (size_t p = 0; p < n; p++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%.63s", PROGRAMS_DIR, names[p]);
		long long size = test_size(path);
		CHECK(size > 0, "%s declares no test size", path);
		rl_lisp_result res;
		char *baseline;
		CHECK(run(path, size, NULL, false, &baseline, &res) == RL_LISP_OK, "%s regions=none: %s", path, res.message);
		CHECK(strlen(baseline) > 0, "%s printed nothing", path);
		for (const struct rl_transmigrator *const *tm = rl_transmigrators; *tm != NULL; tm++) {
			char *out;
			enum rl_lisp_status st = run(path, size, *tm, true, &out, &res);
			if (strcmp((*tm)->name, "linear") == 0 && st == RL_LISP_DECLINED) {
				free(out);
				continue; /* linear may decline an escape: a status that says so */
			}
			CHECK(st == RL_LISP_OK, "%s under %s: %s", path, (*tm)->name, res.message);
			CHECK(strcmp(out, baseline) == 0, "%s under %s printed '%s', not '%s'", path, (*tm)->name, out,
			      baseline);
			free(out);
		}
		free(baseline);
	}
}

/* Escapes and store-barrier moves happen, and each was judged. */
static void escapes_and_barrier_moves_are_judged(void)
{
	rl_lisp_result res;
	const struct rl_transmigrator *bitmap = rl_find_transmigrator("bitmap");
	CHECK(run(PROGRAMS_DIR "/destruct.scm", 20, bitmap, true, NULL, &res) == RL_LISP_OK, "%s", res.message);
	CHECK(res.stats.escapes > 0 && res.stats.barrier_moves > 0, "escapes %llu, barrier moves %llu",
	      (unsigned long long)res.stats.escapes, (unsigned long long)res.stats.barrier_moves);
	CHECK(res.stats.objects_moved > 0 && res.stats.bytes_moved >= 24 * res.stats.objects_moved,
	      "objects %llu bytes %llu", (unsigned long long)res.stats.objects_moved,
	      (unsigned long long)res.stats.bytes_moved);
	CHECK(run(PROGRAMS_DIR "/destruct.scm", 20, NULL, false, NULL, &res) == RL_LISP_OK, "%s", res.message);
	CHECK(res.stats.escapes == 0 && res.stats.barrier_moves == 0 && res.stats.regions == 0,
	      "regions=none moved something");
}

/* A strategy that declines every escape ends the run with a status that says
 * so: the run is not retried with another strategy. */
static int decline(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	(void)ctx;
	(void)src;
	(void)dst;
	*out = root;
	return RL_TM_EPRECONDITION;
}

static void a_declined_escape_ends_the_run(void)
{
	static const struct rl_transmigrator decliner = {
		.name = "decliner", .summary = "declines everything", .options = NULL, .transmigrate = decline,
		.finish = rl_tm_finish_nothing, .read = rl_tm_read_plain,
	};
	rl_lisp_result res;
	enum rl_lisp_status st = run(PROGRAMS_DIR "/msort.scm", 20, &decliner, true, NULL, &res);
	CHECK(st == RL_LISP_DECLINED, "status %s (%s)", rl_lisp_status_name(st), res.message);
	CHECK(strstr(res.message, "decliner declined an escape") != NULL, "message '%s'", res.message);
	CHECK(res.stats.escapes == 0, "%llu escapes counted", (unsigned long long)res.stats.escapes);
}

/* linear itself declines when the dying frame's region has another holder
 * (as a reader's tether would be): its precondition, external_rc == 1, fails.
 * The trial's row then says "declined" and names linear; it is not retried
 * with another strategy, and the oracle judges that the failed call changed
 * nothing. */
static int linear_beside_a_second_holder(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	rl_region_retain(src);
	int rc = rl_find_transmigrator("linear")->transmigrate(ctx, src, dst, root, out);
	rl_region_release(src);
	return rc;
}

static void linear_declines_when_the_frame_has_another_holder(void)
{
	const struct rl_transmigrator *linear = rl_find_transmigrator("linear");
	struct rl_transmigrator held = *linear;
	held.transmigrate = linear_beside_a_second_holder;
	rl_lisp_result res;
	enum rl_lisp_status st = run(PROGRAMS_DIR "/msort.scm", 20, &held, true, NULL, &res);
	CHECK(st == RL_LISP_DECLINED, "status %s (%s)", rl_lisp_status_name(st), res.message);
	CHECK(strstr(res.message, "linear declined an escape of ") != NULL, "message '%s'", res.message);
	CHECK(strstr(res.message, rl_tm_strerror(RL_TM_EPRECONDITION)) != NULL, "message '%s'", res.message);

	/* the same through the harness's program trial: the row's status */
	struct rl_workload_spec wl = { .wl = &rl_wl_program, .label = "program:name=msort,size=20", .size = 1 };
	char err[256];
	CHECK(rl_kv_parse("name=msort,size=20", &wl.params, err, sizeof err) == 0, "%s", err);
	struct rl_strategy_spec st_spec = { .tm = &held, .label = "linear" };
	struct rl_sweep sweep = { .strategies = &st_spec, .nstrategies = 1, .workloads = &wl, .nworkloads = 1,
				  .reps = 1, .verify = true };
	rl_row row;
	rl_row_init(&row, "transmigrate");
	char status[RL_STATUS_MAX] = "";
	rl_program_trial(&sweep, &st_spec, &wl, 0, &row, status, sizeof status);
	CHECK(strncmp(status, "declined: ", 10) == 0 && strstr(status, "linear declined an escape of ") != NULL &&
		      strchr(status, '\n') == NULL,
	      "row status '%s'", status);
	CHECK(row.answer_ok == 0 && row.escapes == 0, "answer_ok %llu, escapes %llu", (unsigned long long)row.answer_ok,
	      (unsigned long long)row.escapes);

	/* and without the second holder, linear moves every escape of the same run */
	CHECK(run(PROGRAMS_DIR "/msort.scm", 20, linear, true, NULL, &res) == RL_LISP_OK, "%s", res.message);
	CHECK(res.stats.escapes > 0, "no escapes");
}

static char *write_temp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/test_lisp_%d.scm", (int)getpid());
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

static void errors_name_the_kind_and_the_position(void)
{
	static const struct {
		const char *source, *message; /* message without the "PATH:" prefix */
		enum rl_lisp_status status;
	} cases[] = {
		{ "(define (f) (g 1))\n(f)\n", "1:13: unbound variable: g", RL_LISP_ERROR },
		{ "(define (f x) (car x))\n(f 5)\n", "1:15: car: expected a pair, got fixnum 5", RL_LISP_ERROR },
		{ "(define (f x) x)\n(f 1 2)\n", "2:1: wrong number of arguments to f: expected 1, got 2", RL_LISP_ERROR },
		{ "(define (f n) (* n n))\n(f 4611686018427387903)\n", "1:15: fixnum overflow in *", RL_LISP_ERROR },
		{ "(define (f n) (+ n 4611686018427387000))\n(f 1000)\n",
		  "1:15: fixnum overflow: 4611686018427388000 does not fit 63 bits", RL_LISP_ERROR },
		{ "(5 1)\n", "1:1: call: expected a procedure, got fixnum 5", RL_LISP_ERROR },
		{ "\n  (error \"bad thing\" 42)\n", "2:3: error: bad thing 42", RL_LISP_ERROR },
		{ "(vector-ref (vector 1 2) 5)\n", "1:1: vector-ref: index 5 out of range [0, 2)", RL_LISP_ERROR },
		{ "(quotient 1 0)\n", "1:1: quotient: division by zero", RL_LISP_ERROR },
		{ "(if)\n", "1:1: syntax error: bad if form: expected 2 to 3 arguments, got 0", RL_LISP_ERROR },
		{ "(define x\n", "1:1: '(' is never closed", RL_LISP_LOAD },
		{ "(define (f n) (+ 1 (f n)))\n(f 1)\n", "1:20: recursion too deep (the C stack is nearly full)",
		  RL_LISP_ERROR },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = write_temp(cases[i].source);
		CHECK(path != NULL, "cannot write a temporary file");
		char want[512];
		snprintf(want, sizeof want, "%s:%s", path, cases[i].message);
		for (int regions = 0; regions < 2; regions++) {
			rl_lisp_result res;
			run(path, 1, regions ? rl_find_transmigrator("cheney") : NULL, true, NULL, &res);
			unlink(path);
			path = write_temp(cases[i].source);
			CHECK(res.status == cases[i].status, "case %zu: status %s (%s)", i, rl_lisp_status_name(res.status),
			      res.message);
			CHECK(strcmp(res.message, want) == 0, "case %zu: '%s', expected '%s'", i, res.message, want);
			CHECK(strchr(res.message, '\n') == NULL, "case %zu: more than one line", i);
		}
		unlink(path);
	}
}

/* ---- the 10^7 loop in constant stack and memory ------------------------------------ */
struct loop_job {
	const struct rl_transmigrator *tm;
	long long n;
	rl_lisp_result res;
};

static void *loop_thread(void *arg)
{
	struct loop_job *job = arg;
	const char *path = write_temp("(define (main n)\n"
				      "  (let loop ((i 0) (acc 0))\n"
				      "    (if (< i n) (loop (+ i 1) (+ acc 2)) (if (= acc (* 2 n)) acc (error \"bad sum\")))))\n");
	rl_lisp_config cfg = { .path = path, .size = job->n, .regions = RL_LISP_REGIONS_CALL, .tm = job->tm };
	rl_lisp_run(&cfg, &job->res);
	unlink(path);
	return NULL;
}

static void named_let_runs_in_constant_stack_and_memory(void)
{
	/* a small C stack: ASan's frames are several times larger */
	size_t stack = SANITIZED ? 4u << 20 : 256u << 10;
	for (const struct rl_transmigrator *const *tm = rl_transmigrators; *tm != NULL; tm++) {
		struct loop_job job = { .tm = *tm, .n = SANITIZED && tm != rl_transmigrators ? 1000000 : 10000000 };
		pthread_attr_t attr;
		pthread_t t;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, stack);
		CHECK(pthread_create(&t, &attr, loop_thread, &job) == 0, "no thread");
		pthread_join(t, NULL);
		pthread_attr_destroy(&attr);
		CHECK(job.res.status == RL_LISP_OK, "%s: %s", (*tm)->name, job.res.message);
		CHECK(job.res.stats.peak_stack < 64, "%s: the value stack grew to %llu words", (*tm)->name,
		      (unsigned long long)job.res.stats.peak_stack);
		CHECK(job.res.stats.peak_block_bytes < (1u << 20), "%s: region blocks grew to %llu bytes", (*tm)->name,
		      (unsigned long long)job.res.stats.peak_block_bytes);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	/* the block size of the program grids (experiments/default.sweep): a
	 * region per call makes many small regions */
	if (rl_set_block_size(4096) != 0) {
		fprintf(stderr, "cannot set the block size\n");
		return 1;
	}
	RL_RUN(bundled_programs_answer_under_every_strategy);
	RL_RUN(escapes_and_barrier_moves_are_judged);
	RL_RUN(a_declined_escape_ends_the_run);
	RL_RUN(linear_declines_when_the_frame_has_another_holder);
	RL_RUN(errors_name_the_kind_and_the_position);
	RL_RUN(named_let_runs_in_constant_stack_and_memory);
	return rl_test_summary(argv[0]);
}
