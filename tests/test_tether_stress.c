/* Every registered tether scheme under the real workload (driver/tether_run.c):
 * several readers and writers, thousands of retirements, checksums on every
 * read.  The trial's own checks are the properties:
 *   status ok          no reader saw a wrong sum (no use after free) and, at
 *                      domain destroy, every retired region had been freed
 *                      and every block returned (rl_blocks_live);
 *   retired >= 1000    the main run really retired thousands of regions
 *                      (the variants at least a hundred: they run shorter
 *                      and oversubscribed);
 *   reclaimed == retired, and rl_blocks_live() back to its start here too.
 * Under ThreadSanitizer (build-tsan) the same runs check for data races.
 *
 * The scheme list comes from rl_tether_schemes: nothing here names a scheme,
 * except that TSan skips the ones with RL_TETHER_OPAQUE (tests/tether.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/registry.h"
#include "driver/tether_args.h"
#include "regionlab/region.h"
#include "tests/check.h"
#include "tests/tether.h"

#define MAX_COLS 128

struct table {
	char *names[MAX_COLS];
	char *cells[MAX_COLS];
	size_t n;
};

/* Splits one CSV line (RFC 4180 quoting) in place. */
static size_t split_csv(char *line, char **out, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		char *cell = p, *w = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else if (*p == '\0') {
					break;
				} else {
					*w++ = *p++;
				}
			}
		} else {
			while (*p != ',' && *p != '\0' && *p != '\n')
				*w++ = *p++;
		}
		char end = *p;
		*w = '\0';
		if (n < max)
			out[n++] = cell;
		if (end != ',')
			break;
		p++;
	}
	return n;
}

static const char *cell(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->names[i], name) == 0)
			return t->cells[i];
	return NULL;
}

static unsigned long long cell_u64(const struct table *t, const char *name)
{
	const char *c = cell(t, name);
	return c != NULL ? strtoull(c, NULL, 10) : 0;
}

struct trial_opts {
	size_t readers, writers, slots, read;
	uint64_t update_us, stall_ms;
	double duration;
	bool packed;
	unsigned long long min_retired; /* the run must retire at least this many */
	const char *keys; /* extra spec keys, "" for none */
};

/* Runs one trial of scheme s; *buf holds the CSV (header + row). */
static void run(const struct rl_tether_scheme *s, const struct trial_opts *o, struct table *t, char **buf)
{
	static struct rl_tether_args a;
	memset(&a, 0, sizeof a);
	a.nschemes = 1;
	a.schemes[0].scheme = s;
	snprintf(a.schemes[0].label, sizeof a.schemes[0].label, "%s%s%s", s->name, o->keys[0] ? ":" : "", o->keys);
	char err[512];
	CHECK(rl_kv_parse(o->keys, &a.schemes[0].params, err, sizeof err) == 0, "%s", err);
	a.nthreads = 1;
	a.threads[0] = o->readers;
	a.writers = o->writers;
	a.duration_s = o->duration;
	a.slots = o->slots;
	a.read = o->read;
	a.update_us = o->update_us;
	a.stall_ms = o->stall_ms;
	a.layout_packed = o->packed;
	a.seed = 7;
	a.reps = 1;
	a.verify = true;

	size_t len = 0;
	FILE *fp = open_memstream(buf, &len);
	CHECK(fp != NULL, "open_memstream");
	rl_csv out = { .fp = fp };
	int rc = rl_tether_run(&a, &out, err, sizeof err);
	fclose(fp);
	CHECK(rc == 0, "%s: rl_tether_run: %s", s->name, err);
	char *nl = strchr(*buf, '\n');
	CHECK(nl != NULL, "%s: no CSV header", s->name);
	*nl = '\0';
	size_t nh = split_csv(*buf, t->names, MAX_COLS);
	t->n = split_csv(nl + 1, t->cells, MAX_COLS);
	CHECK(t->n == nh, "%s: header has %zu cells, row %zu", s->name, nh, t->n);
}

static void stress_one(const struct rl_tether_scheme *s, const struct trial_opts *o)
{
	size_t blocks = rl_blocks_live();
	struct table t;
	char *buf = NULL;
	run(s, o, &t, &buf);
	const char *status = cell(&t, "status");
	if (status == NULL)
		status = "(none)";
	unsigned long long retired = cell_u64(&t, "retired"), reclaimed = cell_u64(&t, "reclaimed");
	unsigned long long ops = cell_u64(&t, "ops");
	printf("  %-12s %-28s ops=%llu retired=%llu peak_unreclaimed=%llu status=%s\n", s->name, o->keys, ops,
	       retired, cell_u64(&t, "peak_unreclaimed"), status);
	bool ok = strcmp(status, "ok") == 0;
	char why[256];
	snprintf(why, sizeof why, "%s", status);
	free(buf);
	CHECK(ok, "%s: status %s", s->name, why);
	CHECK(retired >= o->min_retired, "%s: only %llu regions retired (want %llu)", s->name, retired,
	      o->min_retired);
	CHECK(reclaimed == retired, "%s: %llu of %llu retired regions freed", s->name, reclaimed, retired);
	CHECK(ops > 0, "%s: readers did nothing", s->name);
	CHECK(rl_blocks_live() == blocks, "%s: %zu blocks live after the trial, %zu before", s->name,
	      rl_blocks_live(), blocks);
}

/* Three readers and two writers on four slots, back-to-back updates,
 * 16 objects read and summed per tether. */
static void test_stress_every_scheme(void)
{
	const struct trial_opts o = {
		.readers = 3, .writers = 2, .slots = 4, .read = 16, .update_us = 0, .duration = 1.0, .keys = "",
		.min_retired = 1000,
	};
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		if (!tether_skipped(rl_tether_schemes[i]))
			stress_one(rl_tether_schemes[i], &o);
}

/* The same, oversubscribed (8 readers on this machine's cores), packed
 * layout, through the ops table, half the slots marked high-concurrency
 * (hybrid then runs both of its paths at once), one slot shared by all. */
static void test_stress_oversubscribed_packed(void)
{
	const struct trial_opts o = {
		.readers = 8, .writers = 2, .slots = 2, .read = 4, .update_us = 0, .duration = 0.5, .packed = true,
		.keys = "loop=vtable,concurrent=0.5", .min_retired = 100,
	};
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		if (!tether_skipped(rl_tether_schemes[i]))
			stress_one(rl_tether_schemes[i], &o);
}

/* A stalled reader (sleeps 20 ms inside each tether) beside busy ones: no
 * use after free, and everything is freed at the end. */
static void test_stress_stalled_reader(void)
{
	const struct trial_opts o = {
		.readers = 3, .writers = 2, .slots = 4, .read = 8, .update_us = 0, .stall_ms = 20, .duration = 0.5,
		.keys = "concurrent=1", .min_retired = 100,
	};
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		if (!tether_skipped(rl_tether_schemes[i]))
			stress_one(rl_tether_schemes[i], &o);
}

/* A bad option value is an error (the harness exits 2), not a row. */
static void test_bad_option_value(void)
{
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++) {
		const struct rl_tether_scheme *s = rl_tether_schemes[i];
		static struct rl_tether_args a;
		memset(&a, 0, sizeof a);
		a.nschemes = 1;
		a.schemes[0].scheme = s;
		snprintf(a.schemes[0].label, sizeof a.schemes[0].label, "%s:loop=sideways", s->name);
		char err[512] = "";
		CHECK(rl_kv_parse("loop=sideways", &a.schemes[0].params, err, sizeof err) == 0, "%s", err);
		a.nthreads = 1;
		a.threads[0] = 1;
		a.slots = 1;
		a.duration_s = 0.01;
		a.reps = 1;
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);
		CHECK(fp != NULL, "open_memstream");
		rl_csv out = { .fp = fp };
		int rc = rl_tether_run(&a, &out, err, sizeof err);
		fclose(fp);
		bool empty = len == 0;
		free(buf);
		CHECK(rc == -1 && strstr(err, "loop") != NULL, "%s: loop=sideways accepted (%s)", s->name, err);
		CHECK(empty, "%s: a row was written for bad input", s->name);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	if (tether_test_setup() != 0)
		return 1;
	RL_RUN(test_bad_option_value);
	RL_RUN(test_stress_every_scheme);
	RL_RUN(test_stress_oversubscribed_packed);
	RL_RUN(test_stress_stalled_reader);
	return rl_test_summary(argv[0]);
}
