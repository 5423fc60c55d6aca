/* rlscheme: runs one program of the small Scheme on regions (lisp/lisp.h).
 *
 *   rlscheme [--size=N] [--regions=call|none] [--strategy=NAME[:key=val,...]]
 *            [--verify] [--stats] FILE
 *
 * The program's output goes to stdout; an error is one line on stderr
 * ("PATH:LINE:COL: what") and exit code 1; bad command-line input is one
 * line and exit code 2.  --stats prints the run's figures on stderr. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/registry.h"
#include "lisp/lisp.h"

static int usage(const char *why)
{
	fprintf(stderr, "rlscheme: %s; usage: rlscheme [--size=N] [--regions=call|none] "
			"[--strategy=NAME[:key=val,...]] [--verify] [--stats] FILE\n",
		why);
	return 2;
}

int main(int argc, char **argv)
{
	rl_lisp_config cfg = { .size = 10, .regions = RL_LISP_REGIONS_CALL };
	rl_kv_list opts = { 0 };
	bool stats = false;
	char err[512];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--size=", 7) == 0) {
			char *end;
			cfg.size = strtoll(a + 7, &end, 10);
			if (end == a + 7 || *end != '\0' || cfg.size < 0)
				return usage("--size: expected a non-negative integer");
		} else if (strcmp(a, "--regions=call") == 0) {
			cfg.regions = RL_LISP_REGIONS_CALL;
		} else if (strcmp(a, "--regions=none") == 0) {
			cfg.regions = RL_LISP_REGIONS_NONE;
		} else if (strncmp(a, "--regions=", 10) == 0) {
			return usage("--regions: expected call or none");
		} else if (strncmp(a, "--strategy=", 11) == 0) {
			char name[64];
			if (rl_kv_split_spec(a + 11, name, sizeof name, &opts, err, sizeof err) != 0)
				return usage(err);
			cfg.tm = rl_find_transmigrator(name);
			if (cfg.tm == NULL) {
				char names[512], msg[700];
				rl_transmigrator_names(names, sizeof names);
				snprintf(msg, sizeof msg, "unknown strategy '%s' (valid: %s)", name, names);
				return usage(msg);
			}
			if (rl_strategy_options_check(cfg.tm, &opts, err, sizeof err) != 0)
				return usage(err);
			cfg.tm_opts = &opts;
		} else if (strcmp(a, "--verify") == 0) {
			cfg.verify = true;
		} else if (strcmp(a, "--stats") == 0) {
			stats = true;
		} else if (a[0] == '-' && a[1] == '-') {
			char msg[300];
			snprintf(msg, sizeof msg, "unknown option '%s'", a);
			return usage(msg);
		} else if (cfg.path == NULL) {
			cfg.path = a;
		} else {
			return usage("one program file only");
		}
	}
	if (cfg.path == NULL)
		return usage("no program file given");
	rl_lisp_result res;
	rl_lisp_run(&cfg, &res);
	if (stats) {
		const rl_lisp_stats *s = &res.stats;
		fprintf(stderr,
			"status=%s program_ns=%" PRIu64 " tm_ns=%" PRIu64 " escapes=%" PRIu64 " barrier_moves=%" PRIu64
			" objects_moved=%" PRIu64 " bytes_moved=%" PRIu64 " regions=%" PRIu64 " peak_stack=%" PRIu64
			" peak_block_bytes=%" PRIu64 "\n",
			rl_lisp_status_name(res.status), s->program_ns, s->tm_ns, s->escapes, s->barrier_moves,
			s->objects_moved, s->bytes_moved, s->regions, s->peak_stack, s->peak_block_bytes);
	}
	if (res.status != RL_LISP_OK) {
		fprintf(stderr, "%s\n", res.message);
		return res.status == RL_LISP_LOAD ? 2 : 1;
	}
	return 0;
}
