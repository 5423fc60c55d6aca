/* Program trials: the workload `program` runs a Scheme program (lisp/) with
 * the strategy under test moving every escape.
 *
 *   --workload=program:name=NAME     a bundled program, lisp/programs/NAME.scm
 *   --workload=program:file=PATH     any program file
 *   keys: size=N (the argument of (main N); default --size),
 *         regions=call|none (a region per non-tail call, or one region),
 *         series=FILE (append the escapes' sizes and times to FILE)
 *
 * One trial is one run of the program; its row says: ns_total and
 * program_ns the program's time (wall, less the oracle's and the census's),
 * tm_ns the time inside the strategy, escapes and barrier_moves how many
 * values moved (call results, store barrier), objects and bytes what they
 * moved in all, answer_ok whether the program ran to its end (each bundled
 * program checks its own answer and calls error when it is wrong).
 *
 * The series: one line per distinct escape (kind, objects, bytes) of the
 * trial, with how many escapes had that size and their strategy time in all;
 * a program's escapes are the same under every strategy, so one strategy's
 * series gives the size distribution (scripts/plot.py draws it).  Lines are
 * appended in chunks of whole lines (O_APPEND), so trials running in
 * parallel can share a file.
 *
 * As a graph (the dry build the CLI makes to check the options, and the
 * tests that run every workload) the program is its path as a string. */
#include "driver/program_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lisp/lisp.h"
#include "regionlab/object.h"

#define PROGRAMS_DIR "lisp/programs"

/* The program's path from its options: 0, or -1 with the reason in err. */
static int program_path(const rl_kv_list *p, char *path, size_t len, char *err, size_t errlen)
{
	const char *name = rl_kv_get(p, "name"), *file = rl_kv_get(p, "file");
	if ((name == NULL) == (file == NULL)) {
		snprintf(err, errlen, "give name=NAME (a program of %s/) or file=PATH, one of them", PROGRAMS_DIR);
		return -1;
	}
	if (file != NULL)
		snprintf(path, len, "%s", file);
	else if (strchr(name, '/') != NULL || name[0] == '\0')
		return snprintf(err, errlen, "name=%s: a program's name, without '/'", name), -1;
	else
		snprintf(path, len, "%s/%s.scm", PROGRAMS_DIR, name);
	if (access(path, R_OK) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s%s", path, strerror(errno),
			 name != NULL ? " (the bundled programs are the .scm files of " PROGRAMS_DIR "/)" : "");
		return -1;
	}
	return 0;
}

/* The program workload's options (judged by the registry before any trial). */
enum { OPT_NAME, OPT_FILE, OPT_SIZE, OPT_REGIONS, OPT_SERIES };
static const struct rl_option program_options[] = {
	[OPT_NAME] = RL_OPTION_TEXT("name", NULL, "a bundled program: the name of a .scm file of " PROGRAMS_DIR "/"),
	[OPT_FILE] = RL_OPTION_TEXT("file", NULL, "any program file (give name= or file=, one of them)"),
	[OPT_SIZE] = RL_OPTION_INT("size", NULL, 0, (size_t)1 << 40,
				   "the N of (main N) (default: --size, else the workload's default)"),
	[OPT_REGIONS] = RL_OPTION_ENUM("regions", "call", "call|none",
				       "call: a region per non-tail call, escapes moved by the strategy; none: one region"),
	[OPT_SERIES] = RL_OPTION_TEXT("series", NULL, "append the per-escape series (sizes, strategy time) to FILE"),
	RL_OPTIONS_END,
};

/* regions= and size= (checked already): 0. */
static int program_keys(const rl_kv_list *p, size_t def_size, bool *none, size_t *size, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*none = rl_opt_enum(p, &program_options[OPT_REGIONS]) == 1;
	*size = rl_kv_get(p, "size") != NULL ? rl_opt_int(p, &program_options[OPT_SIZE]) : def_size;
	return 0;
}

static rl_val program_build(rl_wl_ctx *w, size_t n)
{
	char path[1024], err[512];
	bool none;
	size_t size;
	if (program_path(rl_wl_params(w), path, sizeof path, err, sizeof err) != 0 ||
	    program_keys(rl_wl_params(w), n, &none, &size, err, sizeof err) != 0) {
		rl_wl_fail(w, "%s", err);
		return RL_NIL;
	}
	size_t len = strlen(path);
	rl_obj *s = rl_wl_new(w, RL_T_STRING, (uint32_t)(len + 1));
	if (s == NULL)
		return RL_NIL;
	memcpy(s->w, path, len + 1);
	return rl_val_of(s);
}

const struct rl_workload rl_wl_program = {
	.name = "program",
	.summary = "a Scheme program on regions (lisp/): name=NAME (lisp/programs) or file=PATH; size=N, "
		   "regions=call|none, series=FILE",
	.default_size = 1,
	.options = program_options,
	.sample_options = "name=tak,size=6",
	.build = program_build,
};

/* ---- the per-escape series ------------------------------------------------------ */
struct escape_bin {
	uint64_t objects, bytes, count, ns;
	bool barrier;
	bool used;
};

struct series {
	struct escape_bin *bins; /* open addressing on (barrier, objects, bytes) */
	size_t n, cap;
	bool failed;
};

static size_t bin_hash(bool barrier, uint64_t objects, uint64_t bytes)
{
	uint64_t h = (objects * UINT64_C(0x9e3779b97f4a7c15)) ^ (bytes * UINT64_C(0xc2b2ae3d27d4eb4f)) ^ barrier;
	return (size_t)(h ^ (h >> 29));
}

static bool series_grow(struct series *s)
{
	size_t cap = s->cap ? 2 * s->cap : 256;
	struct escape_bin *bins = calloc(cap, sizeof *bins);
	if (bins == NULL)
		return false;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->bins[i].used)
			continue;
		size_t b = bin_hash(s->bins[i].barrier, s->bins[i].objects, s->bins[i].bytes) & (cap - 1);
		while (bins[b].used)
			b = (b + 1) & (cap - 1);
		bins[b] = s->bins[i];
	}
	free(s->bins);
	s->bins = bins;
	s->cap = cap;
	return true;
}

static void on_escape(void *env, const rl_lisp_escape *e)
{
	struct series *s = env;
	if (s->failed || (2 * (s->n + 1) > s->cap && !series_grow(s))) {
		s->failed = true;
		return;
	}
	size_t b = bin_hash(e->barrier, e->objects, e->bytes) & (s->cap - 1);
	for (;; b = (b + 1) & (s->cap - 1)) {
		struct escape_bin *x = &s->bins[b];
		if (!x->used) {
			*x = (struct escape_bin){ .objects = e->objects, .bytes = e->bytes, .barrier = e->barrier, .used = true };
			s->n++;
		}
		if (x->barrier == e->barrier && x->objects == e->objects && x->bytes == e->bytes) {
			x->count++;
			x->ns += e->ns;
			return;
		}
	}
}

/* A CSV cell: quoted when it holds a comma or a quote. */
static int put_cell(char *buf, size_t len, const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL)
		return snprintf(buf, len, "%s", s);
	size_t k = 0;
	if (k < len)
		buf[k++] = '"';
	for (; *s && k + 2 < len; s++) {
		if (*s == '"')
			buf[k++] = '"';
		buf[k++] = *s;
	}
	if (k + 1 < len)
		buf[k++] = '"';
	buf[k < len ? k : len - 1] = '\0';
	return (int)k;
}

/* Appends the series to path: 0, or -1 with err. */
static int series_write(const struct series *s, const char *path, const char *workload, const char *strategy,
			size_t rep, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "series=%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char chunk[4096], prefix[1024], wl[512], stg[256];
	size_t used = 0;
	put_cell(wl, sizeof wl, workload);
	put_cell(stg, sizeof stg, strategy);
	snprintf(prefix, sizeof prefix, "%s,%s,%zu", wl, stg, rep);
	if (lseek(fd, 0, SEEK_END) == 0)
		used = (size_t)snprintf(chunk, sizeof chunk, "workload,strategy,rep,kind,objects,bytes,count,ns_total\n");
	int rc = 0;
	for (size_t i = 0; i <= s->cap; i++) {
		char line[1400];
		int n = 0;
		if (i < s->cap && s->bins[i].used) {
			const struct escape_bin *x = &s->bins[i];
			n = snprintf(line, sizeof line, "%s,%s,%llu,%llu,%llu,%llu\n", prefix, x->barrier ? "barrier" : "return",
				     (unsigned long long)x->objects, (unsigned long long)x->bytes,
				     (unsigned long long)x->count, (unsigned long long)x->ns);
		}
		if (used > 0 && (i == s->cap || used + (size_t)n > sizeof chunk)) {
			if (write(fd, chunk, used) != (ssize_t)used)
				rc = -1;
			used = 0;
		}
		if (n > 0 && (size_t)n < sizeof line) {
			memcpy(chunk + used, line, (size_t)n);
			used += (size_t)n;
		}
	}
	close(fd);
	if (rc != 0)
		snprintf(err, errlen, "series=%s: write failed", path);
	return rc;
}

/* ---- the trial ------------------------------------------------------------------------ */
void rl_program_trial(const struct rl_sweep *s, const struct rl_strategy_spec *st, const struct rl_workload_spec *wl,
		      size_t rep, rl_row *row, char *status, size_t status_len)
{
	char path[1024], err[512];
	bool none;
	size_t size;
	if (program_path(&wl->params, path, sizeof path, err, sizeof err) != 0 ||
	    program_keys(&wl->params, wl->size, &none, &size, err, sizeof err) != 0) {
		snprintf(status, status_len, "error: workload: %s", err);
		return;
	}
	const char *series_path = rl_kv_get(&wl->params, "series");
	struct series series = { 0 };
	FILE *devnull = fopen("/dev/null", "w");
	rl_lisp_config cfg = {
		.path = path,
		.size = (long long)size,
		.regions = none ? RL_LISP_REGIONS_NONE : RL_LISP_REGIONS_CALL,
		.tm = st->tm,
		.tm_opts = &st->params,
		.verify = s->verify,
		.out = devnull,
		.on_escape = series_path != NULL ? on_escape : NULL,
		.escape_env = &series,
	};
	rl_lisp_result res;
	rl_lisp_run(&cfg, &res);
	if (devnull != NULL)
		fclose(devnull);

	row->ns_total = res.stats.program_ns;
	row->program_ns = res.stats.program_ns;
	row->tm_ns = res.stats.tm_ns;
	row->escapes = res.stats.escapes;
	row->barrier_moves = res.stats.barrier_moves;
	row->objects = res.stats.objects_moved;
	row->bytes = res.stats.bytes_moved;
	row->answer_ok = res.status == RL_LISP_OK;
	if (res.status == RL_LISP_OK)
		snprintf(status, status_len, "ok");
	else if (res.status == RL_LISP_VERIFY)
		snprintf(status, status_len, "%s", res.message);
	else
		snprintf(status, status_len, "%s: %s", rl_lisp_status_name(res.status), res.message);
	if (series_path != NULL) {
		if (series.failed)
			snprintf(status, status_len, "oom: the escape series");
		else if (series_write(&series, series_path, wl->label, st->label, rep, err, sizeof err) != 0)
			snprintf(status, status_len, "error: %s", err);
	}
	free(series.bins);
}
