/* ./harness: the command line of regionlab.
 *
 * It parses and checks every flag (one table, `flags`), resolves module
 * names against the registry, judges every module's options against the
 * table the module declares (regionlab/options.h), dry-builds each workload
 * with its options, and opens --out, all before the first trial: bad input
 * anywhere is one line on stderr and exit status 2, with nothing written.
 * --check stops just before opening --out.  Then it hands the sweep to the runner
 * (transmigration, driver/runner.c) or to rl_tether_run (tethering).
 *
 * `make` builds build/harness (build-asan/harness, ...) and copies the
 * release build to ./harness at the repository root; that is why this source
 * lives in driver/ and not in a harness/ directory. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/csv.h"
#include "driver/format.h"
#include "driver/mem_estimate.h"
#include "driver/program_run.h"
#include "driver/registry.h"
#include "driver/runner.h"
#include "driver/tether_args.h"
#include "regionlab/allocator.h"
#include "regionlab/knowledge.h"
#include "regionlab/mem.h"
#include "regionlab/options.h"
#include "regionlab/region.h"
#include "workloads/dump.h"

#define MAX_STRATEGIES 16
#define MAX_WORKLOADS 16
#define NAMES_MAX 1024
#define ERR_MAX 1024
/* The dry build that checks a workload's options uses at most this many objects. */
#define DRY_SIZE 1024u

static const char usage_text[] =
	"usage: harness --strategy=NAME[:key=val,...][,NAME...] --workload=NAME[:key=val,...][,NAME...] [options]\n"
	"       harness --tether=NAME[:key=val,...][,NAME...] [tether options]\n"
	"       harness --check (with the flags of a run) | --describe NAME\n"
	"       harness --list | --schema | --options-doc | --help\n"
	"\n"
	"Runs every strategy x workload x rep (or tether scheme x thread count x rep) and\n"
	"writes one CSV row per trial (columns: harness --schema).  Lists are comma-separated;\n"
	"an item that is key=value belongs to the module named before it, so\n"
	"--strategy=a:k=1,j=2,b means a with k=1 and j=2, then b.  --strategy, --workload and\n"
	"--tether may be repeated.\n"
	"\n"
	"transmigration:\n"
	"  --strategy=LIST     transmigrators (see --list)\n"
	"  --workload=LIST     workloads; every workload takes layout=alloc|shuffled and\n"
	"                      garbage=RATIO (dead bytes per live byte) or live=R (the\n"
	"                      reachable fraction) and home=src|sub (graph in src, or in\n"
	"                      a sub-region of src with the garbage in src) besides its own keys\n"
	"  --size=N            objects per graph (default: each workload's default size)\n"
	"  --block=BYTES       region block size, a power of two (default 65536)\n"
	"  --stack=BYTES       stack of the thread that runs the call (default 8388608)\n"
	"  --no-fork           run trials in this process (a crash ends the sweep)\n"
	"  --max-rounds=N      rounds per grid point at most (default: --reps); each\n"
	"                      round runs every strategy (tether: every scheme, the\n"
	"                      empty loop and urcu-qsbr) once, shuffled;\n"
	"                      rounds go on after --reps until every strategy's 95%%\n"
	"                      interval of its median is within +-5%%\n"
	"  --max-seconds=S     seconds per grid point at most (default 0: no limit)\n"
	"  --first-round=K     number this call's rounds from K (the rep column; round\n"
	"                      r builds its graph with seed + r): a sweep that splits a\n"
	"                      grid point's rounds over several calls (passes) keeps\n"
	"                      their rows apart (default 0; transmigration)\n"
	"  --probe-ref=NS      the best machine-gate probe seen so far by the sweep,\n"
	"                      in ns (the probe_ns column; scripts/sweep passes it):\n"
	"                      trials wait for a CPU within 15%% of it\n"
	"  --cold              do not pre-fault the destination's blocks and the heap,\n"
	"                      nor touch them and src again right before the call\n"
	"                      (the dst_warm column says how many bytes were pre-faulted)\n"
	"tethering:\n"
	"  --tether=LIST       tether schemes (see --list); excludes --strategy\n"
	"  --threads=LIST      reader thread counts, e.g. 1,2,4,8 (default 1)\n"
	"  --writers=W         writer threads (default 1)\n"
	"  --duration=SEC      seconds per trial (default 1, at most 3600)\n"
	"  --ops=N             tether+untether pairs per reader instead of a duration\n"
	"                      (at most 1000000000)\n"
	"  --slots=K           published slots readers pick from (default 16, at most 1048576)\n"
	"  --read=N            objects read per tether (default 0, at most 16777216)\n"
	"  --update-us=U       each writer replaces a slot every U microseconds\n"
	"                      (default 100, at most 1000000)\n"
	"  --stall-ms=M        one reader sleeps M ms inside a tether (default 0: none,\n"
	"                      at most 60000)\n"
	"  --layout=packed|padded  per-thread records packed in cache lines or padded\n"
	"                      (default padded)\n"
	"both:\n"
	"  --reps=R            repetitions (default 1)\n"
	"  --seed=S            base seed; rep r uses seed S+r, the seed column (default 1)\n"
	"  --out=FILE.csv      output (default: stdout); an existing file with the same\n"
	"                      header is appended to\n"
	"  --format=FORMAT     table, csv or json (JSON lines).  Default: table when\n"
	"                      stdout is a terminal and there is no --out, else csv.\n"
	"                      --out gets CSV, or JSON lines with --format=json; a\n"
	"                      terminal shows the table as well\n"
	"  --no-verify         skip the oracle (timings only; debug builds then do not\n"
	"                      poison freed memory either: regionlab/region.h)\n"
	"  --allocator=NAME    system or jemalloc: serves region blocks and strategy\n"
	"                      memory (default system)\n"
	"  --max-mem=BYTES     memory limit: a trial whose estimated need (graph, copy,\n"
	"                      strategy and judge tables; tether regions and reads) is\n"
	"                      above it is refused before it starts (exit 2), and inside a\n"
	"                      trial region blocks, strategy memory and the judge's tables\n"
	"                      stop at it (an oom row) (default: half of MemAvailable at\n"
	"                      start, now %llu)\n"
	"other:\n"
	"  --check             judge every flag and module option of the run the other\n"
	"                      flags describe, then exit 0 (or 2) without running a trial\n"
	"                      or creating a file\n"
	"  --list              one line per module: KIND NAME SUMMARY, single spaces,\n"
	"                      KIND one of transmigrator, tether, workload\n"
	"  --describe=NAME     the module's summary and its options: key, type, default,\n"
	"                      valid values, doc\n"
	"  --schema            the CSV schema document (docs/csv-schema.md)\n"
	"  --options-doc       the module options document (docs/options.md)\n"
	"  --dump=FILE         with one --workload (and --size, --seed): write its graph\n"
	"                      as an S-expression with datum labels for sharing and\n"
	"                      cycles (- = stdout), read back by --workload=sexp:file=FILE;\n"
	"                      runs no trial\n"
	"  --help              this text\n"
	"\n"
	"Exit status: 0 when every trial ran (a failed trial is a row whose status says\n"
	"why), 1 when the output could not be written, 2 for bad input.\n";

/* The whole command line, checked. */
struct cli {
	struct rl_strategy_spec strategies[MAX_STRATEGIES];
	size_t nstrategies;
	struct rl_workload_spec workloads[MAX_WORKLOADS];
	size_t nworkloads;
	struct rl_tether_args tether;
	bool tether_given;
	bool size_given;
	size_t size;
	size_t block;
	size_t stack;
	bool fork;
	bool cold;
	size_t reps;
	size_t max_rounds;  /* --max-rounds, 0: reps */
	double max_seconds; /* --max-seconds, 0: no limit */
	size_t first_round; /* --first-round */
	uint64_t probe_ref; /* --probe-ref, 0: none (driver/machine_gate.h) */
	uint64_t seed;
	bool verify;
	const char *out;
	const char *allocator;
	uint64_t max_mem; /* --max-mem; 0: not given */
	enum rl_format format; /* --format, RL_FORMAT_DEFAULT when absent */
	const char *dump;      /* --dump=FILE: write the workload's graph, run nothing */
	bool list, schema, help, options_doc, check;
	const char *describe; /* --describe NAME */
	const char *transmigrate_only; /* the first option that needs --strategy (its name) */
	const char *tether_only;       /* the first option that needs --tether (its name) */
};

static struct cli cli; /* large (option lists): static, not on the stack */

static void bad_input(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void bad_input(const char *fmt, ...)
{
	va_list ap;
	fputs("harness: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static const char *or_none(const char *names) { return names[0] ? names : "none"; }

/* ---- numbers ------------------------------------------------------------------ */

static size_t parse_size_in(const char *opt, const char *s, size_t lo, size_t hi)
{
	size_t v;
	if (!rl_parse_size(s, &v) || v < lo || v > hi)
		bad_input("--%s=%s: expected an integer in [%zu, %zu]", opt, s, lo, hi);
	return v;
}

static double parse_double_in(const char *opt, const char *s, double lo, double hi)
{
	double v;
	if (!rl_parse_double(s, &v) || v < lo || v > hi)
		bad_input("--%s=%s: expected a number in [%g, %g]", opt, s, lo, hi);
	return v;
}

static size_t parse_block(const char *s)
{
	size_t v;
	if (!rl_parse_size(s, &v) || v < RL_BLOCK_SIZE_MIN || v > RL_BLOCK_SIZE_MAX || (v & (v - 1)) != 0)
		bad_input("--block=%s: expected a power of two in [%u, %u]", s, RL_BLOCK_SIZE_MIN, RL_BLOCK_SIZE_MAX);
	return v;
}

static void parse_threads(const char *list)
{
	char buf[NAMES_MAX];
	if (strlen(list) >= sizeof buf)
		bad_input("--threads: list too long");
	strcpy(buf, list);
	cli.tether.nthreads = 0;
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		if (cli.tether.nthreads == RL_TETHER_MAX_THREAD_COUNTS)
			bad_input("--threads: more than %d counts", RL_TETHER_MAX_THREAD_COUNTS);
		cli.tether.threads[cli.tether.nthreads++] = parse_size_in("threads", item, 1, 4096);
	}
	if (cli.tether.nthreads == 0 || list[strlen(list) - 1] == ',' || strstr(list, ",,") != NULL ||
	    list[0] == ',')
		bad_input("--threads=%s: expected a comma list of reader counts, e.g. 1,2,4", list);
}

/* ---- module lists ---------------------------------------------------------------- */

/* Calls add(spec) for each module of a --strategy/--workload/--tether list.
 * An item is a key=value of the module before it when it has an '=' and no
 * ':' before that '='; any other item starts a new module. */
static void for_each_spec(const char *opt, const char *list, void (*add)(const char *spec))
{
	char spec[RL_SPEC_LABEL_MAX];
	size_t used = 0;
	const char *p = list;
	if (*p == '\0')
		bad_input("--%s is empty", opt);
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			bad_input("--%s=%s: empty item in the list", opt, list);
		const char *eq = memchr(p, '=', len);
		const char *colon = memchr(p, ':', len);
		bool is_option = eq != NULL && (colon == NULL || colon > eq);
		if (is_option && used == 0)
			bad_input("--%s=%s: option '%.*s' comes before any name", opt, list, (int)len, p);
		if (!is_option && used > 0) {
			add(spec);
			used = 0;
		}
		if (used + len + 2 > sizeof spec)
			bad_input("--%s: '%.*s...' is too long", opt, 40, p);
		if (used > 0)
			spec[used++] = ',';
		memcpy(spec + used, p, len);
		used += len;
		spec[used] = '\0';
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	add(spec);
}

/* Splits NAME:params; the option name (for messages) is `opt`. */
static void split_spec(const char *opt, const char *spec, char *name, size_t name_len, rl_kv_list *params)
{
	char err[ERR_MAX];
	if (rl_kv_split_spec(spec, name, name_len, params, err, sizeof err) != 0)
		bad_input("--%s: %s", opt, err);
}

/* One line and exit 2 when a module's options do not pass its table. */
static void check_options(int rc, const char *err)
{
	if (rc != 0)
		bad_input("%s", err);
}

static void add_strategy(const char *spec)
{
	char name[64], names[NAMES_MAX], err[ERR_MAX];
	if (cli.nstrategies == MAX_STRATEGIES)
		bad_input("--strategy: more than %d strategies", MAX_STRATEGIES);
	struct rl_strategy_spec *s = &cli.strategies[cli.nstrategies];
	split_spec("strategy", spec, name, sizeof name, &s->params);
	s->tm = rl_find_transmigrator(name);
	if (s->tm == NULL) {
		rl_transmigrator_names(names, sizeof names);
		bad_input("unknown strategy '%s' (valid: %s)", name, or_none(names));
	}
	check_options(rl_strategy_options_check(s->tm, &s->params, err, sizeof err), err);
	snprintf(s->label, sizeof s->label, "%s", spec);
	cli.nstrategies++;
}

static void add_workload(const char *spec)
{
	char name[64], names[NAMES_MAX], err[ERR_MAX];
	if (cli.nworkloads == MAX_WORKLOADS)
		bad_input("--workload: more than %d workloads", MAX_WORKLOADS);
	struct rl_workload_spec *w = &cli.workloads[cli.nworkloads];
	split_spec("workload", spec, name, sizeof name, &w->params);
	w->wl = rl_find_workload(name);
	if (w->wl == NULL) {
		rl_workload_names(names, sizeof names);
		bad_input("unknown workload '%s' (valid: %s)", name, or_none(names));
	}
	/* garbage=, or live= turned into garbage */
	check_options(rl_workload_options_check(w->wl, &w->params, &w->garbage, err, sizeof err), err);
	const char *layout = rl_kv_get(&w->params, "layout");
	w->layout = layout != NULL ? layout : "alloc";
	snprintf(w->label, sizeof w->label, "%s", spec);
	cli.nworkloads++;
}

static void add_tether(const char *spec)
{
	char name[64], names[NAMES_MAX], err[ERR_MAX];
	if (cli.tether.nschemes == RL_TETHER_MAX_SCHEMES)
		bad_input("--tether: more than %d schemes", RL_TETHER_MAX_SCHEMES);
	struct rl_tether_spec *t = &cli.tether.schemes[cli.tether.nschemes];
	split_spec("tether", spec, name, sizeof name, &t->params);
	t->scheme = rl_find_tether_scheme(name);
	if (t->scheme == NULL) {
		rl_tether_scheme_names(names, sizeof names);
		bad_input("unknown tether scheme '%s' (valid: %s)", name, or_none(names));
	}
	check_options(rl_tether_options_check(t->scheme, &t->params, err, sizeof err), err);
	snprintf(t->label, sizeof t->label, "%s", spec);
	cli.tether.nschemes++;
}

/* ---- parsing ---------------------------------------------------------------------- */

/* Each flag's handler gets the flag's name (for messages) and its value
 * (NULL for a flag without one). */
static void set_strategy(const char *name, const char *arg)
{
	if (cli.tether_given)
		bad_input("--strategy and --tether are mutually exclusive");
	for_each_spec(name, arg, add_strategy);
}
static void set_tether(const char *name, const char *arg)
{
	if (cli.nstrategies > 0)
		bad_input("--strategy and --tether are mutually exclusive");
	cli.tether_given = true;
	for_each_spec(name, arg, add_tether);
}
static void set_workload(const char *name, const char *arg) { for_each_spec(name, arg, add_workload); }
static void set_size(const char *name, const char *arg)
{
	cli.size = parse_size_in(name, arg, 1, (size_t)1 << 40);
	cli.size_given = true;
}
static void set_reps(const char *name, const char *arg) { cli.reps = parse_size_in(name, arg, 1, 1000000); }
static void set_max_rounds(const char *name, const char *arg) { cli.max_rounds = parse_size_in(name, arg, 1, 1000000); }
static void set_first_round(const char *name, const char *arg)
{
	cli.first_round = parse_size_in(name, arg, 0, 1000000000);
}
static void set_max_seconds(const char *name, const char *arg)
{
	cli.max_seconds = parse_double_in(name, arg, 0, 86400.0);
}
static void set_probe_ref(const char *name, const char *arg)
{
	cli.probe_ref = parse_size_in(name, arg, 1, 1000000000);
}
static void set_seed(const char *name, const char *arg) { cli.seed = parse_size_in(name, arg, 0, SIZE_MAX); }
static void set_block(const char *name, const char *arg) { (void)name; cli.block = parse_block(arg); }
static void set_stack(const char *name, const char *arg)
{
	cli.stack = parse_size_in(name, arg, RL_STACK_MIN, (size_t)1 << 40);
}
static void set_no_fork(const char *name, const char *arg) { (void)name; (void)arg; cli.fork = false; }
static void set_cold(const char *name, const char *arg) { (void)name; (void)arg; cli.cold = true; }
static void set_no_verify(const char *name, const char *arg) { (void)name; (void)arg; cli.verify = false; }
static void set_out(const char *name, const char *arg)
{
	(void)name;
	if (arg[0] == '\0')
		bad_input("--out is empty (use --out=- for stdout)");
	cli.out = arg;
}
static void set_allocator(const char *name, const char *arg) { (void)name; cli.allocator = arg; }
/* --format=table|csv|json (driver/format.h). */
static void set_format(const char *name, const char *arg)
{
	if (rl_format_parse(arg, &cli.format) != 0)
		bad_input("--%s=%s: expected %s", name, arg, RL_FORMAT_NAMES);
}
static void set_dump(const char *name, const char *arg) { (void)name; cli.dump = arg; }
static void set_max_mem(const char *name, const char *arg)
{
	cli.max_mem = parse_size_in(name, arg, (size_t)16 << 20, (size_t)1 << 50);
}
static void set_check(const char *name, const char *arg) { (void)name; (void)arg; cli.check = true; }
static void set_list(const char *name, const char *arg) { (void)name; (void)arg; cli.list = true; }
static void set_describe(const char *name, const char *arg) { (void)name; cli.describe = arg; }
static void set_schema(const char *name, const char *arg) { (void)name; (void)arg; cli.schema = true; }
static void set_options_doc(const char *name, const char *arg) { (void)name; (void)arg; cli.options_doc = true; }
static void set_help(const char *name, const char *arg) { (void)name; (void)arg; cli.help = true; }
static void set_threads(const char *name, const char *arg) { (void)name; parse_threads(arg); }
static void set_writers(const char *name, const char *arg)
{
	cli.tether.writers = parse_size_in(name, arg, 0, 4096);
}
static void set_duration(const char *name, const char *arg)
{
	cli.tether.duration_s = parse_double_in(name, arg, 1e-3, 3600.0);
}
static void set_ops(const char *name, const char *arg) { cli.tether.ops = parse_size_in(name, arg, 1, 1000000000); }
static void set_slots(const char *name, const char *arg)
{
	cli.tether.slots = parse_size_in(name, arg, 1, (size_t)1 << 20);
}
static void set_read(const char *name, const char *arg)
{
	cli.tether.read = parse_size_in(name, arg, 0, (size_t)1 << 24);
}
static void set_update_us(const char *name, const char *arg)
{
	cli.tether.update_us = parse_size_in(name, arg, 0, 1000000);
}
static void set_stall_ms(const char *name, const char *arg)
{
	cli.tether.stall_ms = parse_size_in(name, arg, 0, 60000);
}
static void set_layout(const char *name, const char *arg)
{
	(void)name;
	if (strcmp(arg, "packed") != 0 && strcmp(arg, "padded") != 0)
		bad_input("--layout=%s: expected packed or padded", arg);
	cli.tether.layout_packed = strcmp(arg, "packed") == 0;
}

/* Which run a flag belongs to: validate() refuses one given to the other. */
enum flag_scope { FOR_ANY, FOR_TRANSMIGRATION, FOR_TETHER };

struct flag {
	const char *name;
	int has_arg; /* no_argument or required_argument (getopt_long) */
	enum flag_scope scope;
	void (*set)(const char *name, const char *arg);
};

static const struct flag flags[] = {
	{ "strategy", required_argument, FOR_ANY, set_strategy },
	{ "workload", required_argument, FOR_ANY, set_workload },
	{ "size", required_argument, FOR_TRANSMIGRATION, set_size },
	{ "reps", required_argument, FOR_ANY, set_reps },
	{ "max-rounds", required_argument, FOR_ANY, set_max_rounds },
	{ "max-seconds", required_argument, FOR_ANY, set_max_seconds },
	{ "first-round", required_argument, FOR_TRANSMIGRATION, set_first_round },
	{ "probe-ref", required_argument, FOR_ANY, set_probe_ref },
	{ "seed", required_argument, FOR_ANY, set_seed },
	{ "block", required_argument, FOR_TRANSMIGRATION, set_block },
	{ "out", required_argument, FOR_ANY, set_out },
	{ "no-verify", no_argument, FOR_ANY, set_no_verify },
	{ "no-fork", no_argument, FOR_TRANSMIGRATION, set_no_fork },
	{ "cold", no_argument, FOR_TRANSMIGRATION, set_cold },
	{ "stack", required_argument, FOR_TRANSMIGRATION, set_stack },
	{ "check", no_argument, FOR_ANY, set_check },
	{ "list", no_argument, FOR_ANY, set_list },
	{ "describe", required_argument, FOR_ANY, set_describe },
	{ "schema", no_argument, FOR_ANY, set_schema },
	{ "options-doc", no_argument, FOR_ANY, set_options_doc },
	{ "help", no_argument, FOR_ANY, set_help },
	{ "tether", required_argument, FOR_ANY, set_tether },
	{ "threads", required_argument, FOR_TETHER, set_threads },
	{ "writers", required_argument, FOR_TETHER, set_writers },
	{ "duration", required_argument, FOR_TETHER, set_duration },
	{ "ops", required_argument, FOR_TETHER, set_ops },
	{ "slots", required_argument, FOR_TETHER, set_slots },
	{ "read", required_argument, FOR_TETHER, set_read },
	{ "update-us", required_argument, FOR_TETHER, set_update_us },
	{ "stall-ms", required_argument, FOR_TETHER, set_stall_ms },
	{ "layout", required_argument, FOR_TETHER, set_layout },
	{ "allocator", required_argument, FOR_ANY, set_allocator },
	{ "format", required_argument, FOR_ANY, set_format },
	{ "dump", required_argument, FOR_TRANSMIGRATION, set_dump },
	{ "max-mem", required_argument, FOR_ANY, set_max_mem },
};
#define NFLAGS (sizeof flags / sizeof *flags)
#define FLAG_BASE 256 /* getopt_long returns FLAG_BASE + the flag's index */

static void defaults(void)
{
	cli.block = RL_BLOCK_SIZE_DEFAULT;
	cli.stack = RL_STACK_DEFAULT;
	cli.fork = true;
	cli.reps = 1;
	cli.seed = 1;
	cli.verify = true;
	cli.allocator = "system";
	cli.tether = (struct rl_tether_args){
		.nthreads = 1,
		.threads = { 1 },
		.writers = 1,
		.duration_s = 1.0,
		.ops = 0,
		.slots = 16,
		.read = 0,
		.update_us = 100,
		.stall_ms = 0,
		.layout_packed = false,
	};
}

/* getopt's complaint about argv[optind - 1], as one line. */
static void bad_flag(int c, char **argv) __attribute__((noreturn));
static void bad_flag(int c, char **argv)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		bad_input("option '%s' needs a value", arg);
	if (optopt >= FLAG_BASE)
		bad_input("option '%.*s' takes no value", (int)strcspn(arg, "="), arg);
	bad_input("unknown option '%s' (see --help)", arg);
}

static void parse(int argc, char **argv)
{
	static struct option long_options[NFLAGS + 1];
	for (size_t i = 0; i < NFLAGS; i++)
		long_options[i] = (struct option){ flags[i].name, flags[i].has_arg, NULL, FLAG_BASE + (int)i };
	defaults();
	opterr = 0;
	int c, index;
	while ((c = getopt_long(argc, argv, ":h", long_options, &index)) != -1) {
		if (c == 'h') {
			cli.help = true;
			continue;
		}
		if (c < FLAG_BASE || c >= FLAG_BASE + (int)NFLAGS)
			bad_flag(c, argv);
		const struct flag *f = &flags[c - FLAG_BASE];
		f->set(f->name, optarg);
		if (f->scope == FOR_TRANSMIGRATION && cli.transmigrate_only == NULL)
			cli.transmigrate_only = f->name;
		if (f->scope == FOR_TETHER && cli.tether_only == NULL)
			cli.tether_only = f->name;
	}
	if (optind < argc)
		bad_input("unexpected argument '%s' (see --help)", argv[optind]);
}

/* An output path judged without creating it (--out under --check, series=):
 * a directory, or a path this process cannot write (or create), is bad input. */
static void check_out_writable(const char *path)
{
	struct stat st;
	if (path == NULL || strcmp(path, "-") == 0)
		return;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			bad_input("cannot write '%s': is a directory", path);
		if (access(path, W_OK) != 0)
			bad_input("cannot write '%s': not writable", path);
		return;
	}
	char dir[4096];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof dir, "%.*s", slash == NULL ? 1 : slash == path ? 1 : (int)(slash - path),
		 slash == NULL ? "." : path);
	if (access(dir, W_OK) != 0)
		bad_input("cannot write '%s': no writable directory '%s'", path, dir);
}

/* Every (strategy, workload) pair must be legal in the workload's knows=
 * class (regionlab/knowledge.h): outside `sole` src has a second owner, so
 * a strategy that adopts src whole is refused before any trial runs.
 * Program workloads have no class (their regions are the evaluator's). */
static void check_knows_legal(void)
{
	for (size_t i = 0; i < cli.nworkloads; i++) {
		const struct rl_workload_spec *w = &cli.workloads[i];
		if (rl_is_program_workload(w->wl))
			continue;
		unsigned k = rl_graph_knows(&w->params);
		for (size_t j = 0; j < cli.nstrategies; j++)
			if (!rl_knows_legal(cli.strategies[j].tm->caps, k))
				bad_input("strategy '%s' is not legal with workload '%s' (knows=%s): it adopts src whole, "
					  "which another owner holds; it runs with knows=sole",
					  cli.strategies[j].tm->name, w->label, rl_knows_class_name(k));
	}
}

/* Everything that depends on more than one option. */
static void validate(void)
{
	char names[NAMES_MAX];
	if (!cli.tether_given && cli.nstrategies == 0) {
		rl_transmigrator_names(names, sizeof names);
		bad_input("one of --strategy or --tether is required (strategies: %s; see --list)", or_none(names));
	}
	if (cli.tether_given) {
		if (cli.nworkloads > 0)
			bad_input("--workload applies to --strategy only");
		if (cli.transmigrate_only != NULL)
			bad_input("--%s applies to --strategy only", cli.transmigrate_only);
		for (size_t i = 0; i < cli.tether.nschemes; i++) /* series=FILE is appended to mid-sweep */
			check_out_writable(rl_kv_get(&cli.tether.schemes[i].params, "series"));
		return;
	}
	if (cli.tether_only != NULL)
		bad_input("--%s applies to --tether only", cli.tether_only);
	if (cli.nworkloads == 0) {
		rl_workload_names(names, sizeof names);
		bad_input("--workload is required with --strategy (valid: %s)", or_none(names));
	}
	if (rl_set_block_size(cli.block) != 0)
		bad_input("--block=%zu: cannot set the block size", cli.block);
	for (size_t i = 0; i < cli.nworkloads; i++) {
		struct rl_workload_spec *w = &cli.workloads[i];
		w->size = cli.size_given ? cli.size : w->wl->default_size;
		/* Dry build: the workload's own checks of its options and of n. */
		rl_graph g;
		char err[ERR_MAX];
		size_t dry = w->size < DRY_SIZE ? w->size : DRY_SIZE;
		if (rl_graph_make(w->wl, dry, cli.seed, &w->params, &g, err, sizeof err) != 0) {
			if (strstr(err, w->wl->name) != NULL)
				bad_input("%s", err);
			bad_input("workload '%s': %s", w->wl->name, err);
		}
		rl_graph_free(&g);
	}
	check_knows_legal();
}

static void list_modules(void)
{
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++)
		printf("transmigrator %s %s\n", rl_transmigrators[i]->name, rl_transmigrators[i]->summary);
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		printf("tether %s %s\n", rl_tether_schemes[i]->name, rl_tether_schemes[i]->summary);
	for (size_t i = 0; rl_workloads[i] != NULL; i++)
		printf("workload %s %s\n", rl_workloads[i]->name, rl_workloads[i]->summary);
}

/* --dump=FILE: builds the one --workload and writes its graph as an
 * S-expression (workloads/dump.c), through a temporary file renamed at the
 * end so that nothing is half-written.  Exit status as for a sweep. */
static int dump_workload(void)
{
	char err[ERR_MAX];
	if (cli.tether_given || cli.nstrategies > 0)
		bad_input("--dump writes a workload's graph and runs no trial: give --workload, not --%s",
			  cli.tether_given ? "tether" : "strategy");
	if (cli.check)
		bad_input("--dump writes a file and --check writes none: give one of them");
	if (cli.tether_only != NULL)
		bad_input("--%s applies to --tether only", cli.tether_only);
	if (cli.nworkloads != 1)
		bad_input("--dump takes exactly one --workload, got %zu", cli.nworkloads);
	if (cli.dump[0] == '\0')
		bad_input("--dump is empty (use --dump=- for stdout)");
	if (rl_set_block_size(cli.block) != 0)
		bad_input("--block=%zu: cannot set the block size", cli.block);
	/* The graph is built under --max-mem like a trial's: too big is a
	 * one-line error from the workload, never the OOM killer. */
	rl_mem_budget_set(cli.max_mem != 0 ? cli.max_mem : rl_mem_default_limit());
	struct rl_workload_spec *w = &cli.workloads[0];
	size_t size = cli.size_given ? cli.size : w->wl->default_size;
	rl_graph g;
	if (rl_graph_make(w->wl, size, cli.seed, &w->params, &g, err, sizeof err) != 0) {
		if (strstr(err, w->wl->name) != NULL)
			bad_input("%s", err);
		bad_input("workload '%s': %s", w->wl->name, err);
	}
	bool to_stdout = strcmp(cli.dump, "-") == 0;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", cli.dump, (long)getpid());
	FILE *f = to_stdout ? stdout : fopen(tmp, "w");
	if (f == NULL)
		bad_input("--dump=%s: cannot write: %s", cli.dump, strerror(errno));
	fprintf(f, "; harness --workload=%s --size=%zu --seed=%llu --dump: one datum, the graph's root\n", w->label,
		size, (unsigned long long)cli.seed);
	int rc = rl_dump_graph(f, g.root, err, sizeof err);
	rl_graph_free(&g);
	if (!to_stdout && fclose(f) != 0 && rc == 0) {
		snprintf(err, sizeof err, "write error: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0 && !to_stdout && rename(tmp, cli.dump) != 0) {
		snprintf(err, sizeof err, "cannot rename the temporary file onto it: %s", strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		if (!to_stdout)
			unlink(tmp);
		fprintf(stderr, "harness: --dump=%s: %s\n", cli.dump, err);
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Refuses, before anything is built, a trial whose estimated memory need is
 * over --max-mem (driver/mem_estimate.h), and caps what trials take at it. */
static void check_memory(void)
{
	char err[ERR_MAX];
	uint64_t limit = cli.max_mem != 0 ? cli.max_mem : rl_mem_default_limit();
	int rc = cli.tether_given ? rl_mem_check_tether(&cli.tether, limit, err, sizeof err)
				  : rl_mem_check_transmigrate(cli.workloads, cli.nworkloads, cli.seed, cli.verify,
							      cli.cold, limit, err, sizeof err);
	if (rc != 0)
		bad_input("%s", err);
	rl_mem_budget_set(limit);
}

/* Removes --out when this run created it and wrote nothing into it. */
static void remove_if_created_empty(const char *path, bool existed)
{
	struct stat st;
	if (path != NULL && strcmp(path, "-") != 0 && !existed && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0)
		unlink(path);
}

/* The flags that print something and exit; true when one was given. */
static bool print_and_exit(void)
{
	if (cli.help)
		printf(usage_text, (unsigned long long)rl_mem_default_limit());
	else if (cli.list)
		list_modules();
	else if (cli.schema)
		rl_csv_print_schema_doc(stdout);
	else if (cli.options_doc)
		rl_registry_options_doc(stdout);
	else if (cli.describe != NULL) {
		if (rl_registry_describe(stdout, cli.describe) == 0) {
			char t[NAMES_MAX], s[NAMES_MAX], w[NAMES_MAX];
			rl_transmigrator_names(t, sizeof t);
			rl_tether_scheme_names(s, sizeof s);
			rl_workload_names(w, sizeof w);
			bad_input("--describe: no module '%s' (transmigrators: %s; tether schemes: %s; workloads: %s)",
				  cli.describe, or_none(t), or_none(s), or_none(w));
		}
	} else
		return false;
	return true;
}

/* The progress line's figures: how many trials, and how long tether trials
 * will take (transmigration trials: learnt from the first ones). */
static void expect_trials(rl_out *out)
{
	if (cli.tether_given) {
		size_t trials = cli.tether.nschemes * cli.tether.nthreads * cli.reps;
		rl_out_expect(out, trials, cli.tether.ops != 0 ? 0 : (double)trials * cli.tether.duration_s);
	} else {
		/* rounds go on up to --max-rounds: the count is an upper bound */
		size_t rounds = cli.max_rounds > cli.reps ? cli.max_rounds : cli.reps;
		rl_out_expect(out, cli.nstrategies * cli.nworkloads * rounds, 0);
	}
}

/* Runs the sweep the command line describes into `out`: 0, or 1 when the
 * rows could not be written. */
static int run(rl_out *out, bool existed)
{
	char err[ERR_MAX];
	rl_gate_set_reference(cli.probe_ref);
	/* Poisoning freed memory serves the checks; a run that only times
	 * would pay its memsets inside the calls it times (regionlab/region.h). */
	rl_region_set_poison(cli.verify);
	if (cli.tether_given) {
		cli.tether.reps = cli.reps;
		cli.tether.max_rounds = cli.max_rounds;
		cli.tether.max_seconds = cli.max_seconds;
		cli.tether.seed = cli.seed;
		cli.tether.verify = cli.verify;
		if (rl_tether_run(&cli.tether, out, err, sizeof err) != 0) {
			rl_out_close(out);
			remove_if_created_empty(cli.out, existed);
			bad_input("%s", err);
		}
		return 0;
	}
	struct rl_sweep sweep = {
		.strategies = cli.strategies,
		.nstrategies = cli.nstrategies,
		.workloads = cli.workloads,
		.nworkloads = cli.nworkloads,
		.reps = cli.reps,
		.max_rounds = cli.max_rounds,
		.max_seconds = cli.max_seconds,
		.first_round = cli.first_round,
		.seed = cli.seed,
		.block = cli.block,
		.stack_bytes = cli.stack,
		.verify = cli.verify,
		.fork = cli.fork,
		.cold = cli.cold,
	};
	if (rl_sweep_run(&sweep, out) != 0) {
		fprintf(stderr, "harness: cannot write the CSV rows\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[ERR_MAX];
	if (rl_registry_check(err, sizeof err) != 0) {
		fprintf(stderr, "harness: registry: %s\n", err);
		return 1;
	}
	parse(argc, argv);
	if (print_and_exit())
		return 0;
	/* jemalloc needs a restart with glibc's static TLS reservation. */
	if (strcmp(cli.allocator, "jemalloc") == 0)
		rl_allocator_reexec_for_jemalloc(argv);
	if (rl_allocator_select(cli.allocator, err, sizeof err) != 0)
		bad_input("%s", err);
	if (cli.dump != NULL)
		return dump_workload();
	validate();
	check_memory();
	if (cli.check) {
		check_out_writable(cli.out);
		return 0;
	}

	struct stat st;
	bool existed = cli.out != NULL && stat(cli.out, &st) == 0;
	rl_out out;
	if (rl_out_open(&out, cli.format, cli.out, err, sizeof err) != 0)
		bad_input("%s", err);
	expect_trials(&out);
	int status = run(&out, existed);
	if (rl_out_close(&out) != 0 && status == 0) {
		fprintf(stderr, "harness: cannot write the output\n");
		status = 1;
	}
	return status;
}
