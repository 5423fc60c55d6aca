/* ./harness: the command line of regionlab.
 *
 * It parses and checks every option, resolves module names against the
 * registry, dry-builds each workload with its options, and opens --out, all
 * before the first trial: bad input anywhere is one line on stderr and exit
 * status 2, with nothing written.  Then it hands the sweep to the runner
 * (transmigration, driver/runner.c) or to rl_tether_run (tethering).
 *
 * `make` builds build/harness (build-asan/harness, ...) and copies the
 * release build to ./harness at the repository root; that is why this source
 * lives in driver/ and not in a harness/ directory. */
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
#include "driver/registry.h"
#include "driver/runner.h"
#include "driver/tether_args.h"
#include "regionlab/allocator.h"
#include "regionlab/options.h"
#include "regionlab/region.h"

#define MAX_STRATEGIES 16
#define MAX_WORKLOADS 16
#define NAMES_MAX 1024
#define ERR_MAX 1024
/* The dry build that checks a workload's options uses at most this many objects. */
#define DRY_SIZE 1024u

static const char usage_text[] =
	"usage: harness --strategy=NAME[:key=val,...][,NAME...] --workload=NAME[:key=val,...][,NAME...] [options]\n"
	"       harness --tether=NAME[:key=val,...][,NAME...] [tether options]\n"
	"       harness --list | --schema | --help\n"
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
	"                      reachable fraction) besides its own keys\n"
	"  --size=N            objects per graph (default: each workload's default size)\n"
	"  --block=BYTES       region block size, a power of two (default 65536)\n"
	"  --stack=BYTES       stack of the thread that runs the call (default 8388608)\n"
	"  --no-fork           run trials in this process (a crash ends the sweep)\n"
	"  --max-rounds=N      rounds per grid point at most (default: --reps); each\n"
	"                      round runs every strategy once, shuffled, on one graph;\n"
	"                      rounds go on after --reps until every strategy's 95%%\n"
	"                      interval of its median is within +-5%%\n"
	"  --max-seconds=S     seconds per grid point at most (default 0: no limit)\n"
	"  --cold              do not pre-fault the destination's blocks and the heap,\n"
	"                      nor touch them and src again right before the call\n"
	"                      (the dst_warm column says how many bytes were pre-faulted)\n"
	"tethering:\n"
	"  --tether=LIST       tether schemes (see --list); excludes --strategy\n"
	"  --threads=LIST      reader thread counts, e.g. 1,2,4,8 (default 1)\n"
	"  --writers=W         writer threads (default 1)\n"
	"  --duration=SEC      seconds per trial (default 1)\n"
	"  --ops=N             tether+untether pairs per reader instead of a duration\n"
	"  --slots=K           published slots readers pick from (default 16)\n"
	"  --read=N            objects read per tether (default 0)\n"
	"  --update-us=U       each writer replaces a slot every U microseconds (default 100)\n"
	"  --stall-ms=M        one reader sleeps M ms inside a tether (default 0: none)\n"
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
	"  --no-verify         skip the oracle (timings only)\n"
	"  --allocator=NAME    system or jemalloc: serves region blocks and strategy\n"
	"                      memory (default system)\n"
	"other:\n"
	"  --list              one line per module: KIND NAME SUMMARY, single spaces,\n"
	"                      KIND one of transmigrator, tether, workload\n"
	"  --schema            the CSV schema document (docs/csv-schema.md)\n"
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
	uint64_t seed;
	bool verify;
	const char *out;
	const char *allocator;
	enum rl_format format; /* --format, RL_FORMAT_DEFAULT when absent */
	bool list, schema, help;
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

static void check_keys(const rl_kv_list *params, const char *allowed, const char *kind, const char *name)
{
	char err[ERR_MAX], owner[160];
	snprintf(owner, sizeof owner, "%s '%s'", kind, name);
	if (rl_kv_check_keys(params, allowed, owner, err, sizeof err) != 0)
		bad_input("%s", err);
}

static void add_strategy(const char *spec)
{
	char name[64], names[NAMES_MAX];
	if (cli.nstrategies == MAX_STRATEGIES)
		bad_input("--strategy: more than %d strategies", MAX_STRATEGIES);
	struct rl_strategy_spec *s = &cli.strategies[cli.nstrategies];
	split_spec("strategy", spec, name, sizeof name, &s->params);
	s->tm = rl_find_transmigrator(name);
	if (s->tm == NULL) {
		rl_transmigrator_names(names, sizeof names);
		bad_input("unknown strategy '%s' (valid: %s)", name, or_none(names));
	}
	check_keys(&s->params, s->tm->options, "strategy", name);
	snprintf(s->label, sizeof s->label, "%s", spec);
	cli.nstrategies++;
}

static void add_workload(const char *spec)
{
	char name[64], names[NAMES_MAX], allowed[512], err[ERR_MAX];
	if (cli.nworkloads == MAX_WORKLOADS)
		bad_input("--workload: more than %d workloads", MAX_WORKLOADS);
	struct rl_workload_spec *w = &cli.workloads[cli.nworkloads];
	split_spec("workload", spec, name, sizeof name, &w->params);
	w->wl = rl_find_workload(name);
	if (w->wl == NULL) {
		rl_workload_names(names, sizeof names);
		bad_input("unknown workload '%s' (valid: %s)", name, or_none(names));
	}
	snprintf(allowed, sizeof allowed, RL_WL_PLACER_KEYS "%s%s", w->wl->options[0] ? " " : "", w->wl->options);
	check_keys(&w->params, allowed, "workload", name);
	const char *layout = rl_kv_get(&w->params, "layout");
	w->layout = layout != NULL ? layout : "alloc";
	if (rl_graph_garbage(w->wl, &w->params, &w->garbage, err, sizeof err) != 0) /* garbage=, or live= */
		bad_input("%s", err);
	snprintf(w->label, sizeof w->label, "%s", spec);
	cli.nworkloads++;
}

static void add_tether(const char *spec)
{
	char name[64], names[NAMES_MAX];
	if (cli.tether.nschemes == RL_TETHER_MAX_SCHEMES)
		bad_input("--tether: more than %d schemes", RL_TETHER_MAX_SCHEMES);
	struct rl_tether_spec *t = &cli.tether.schemes[cli.tether.nschemes];
	split_spec("tether", spec, name, sizeof name, &t->params);
	t->scheme = rl_find_tether_scheme(name);
	if (t->scheme == NULL) {
		rl_tether_scheme_names(names, sizeof names);
		bad_input("unknown tether scheme '%s' (valid: %s)", name, or_none(names));
	}
	check_keys(&t->params, t->scheme->options, "tether", name);
	snprintf(t->label, sizeof t->label, "%s", spec);
	cli.tether.nschemes++;
}

/* --format=table|csv|json (driver/format.h). */
static enum rl_format parse_format(const char *s)
{
	enum rl_format format;
	if (rl_format_parse(s, &format) != 0)
		bad_input("--format=%s: expected %s", s, RL_FORMAT_NAMES);
	return format;
}

/* ---- parsing ---------------------------------------------------------------------- */

enum {
	OPT_STRATEGY = 256,
	OPT_WORKLOAD,
	OPT_SIZE,
	OPT_REPS,
	OPT_SEED,
	OPT_BLOCK,
	OPT_OUT,
	OPT_NO_VERIFY,
	OPT_NO_FORK,
	OPT_COLD,
	OPT_STACK,
	OPT_LIST,
	OPT_SCHEMA,
	OPT_HELP,
	OPT_TETHER,
	OPT_THREADS,
	OPT_WRITERS,
	OPT_DURATION,
	OPT_OPS,
	OPT_SLOTS,
	OPT_READ,
	OPT_UPDATE_US,
	OPT_STALL_MS,
	OPT_LAYOUT,
	OPT_ALLOCATOR,
	OPT_FORMAT,
	OPT_MAX_ROUNDS,
	OPT_MAX_SECONDS,
};

static const struct option long_options[] = {
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "max-rounds", required_argument, NULL, OPT_MAX_ROUNDS },
	{ "max-seconds", required_argument, NULL, OPT_MAX_SECONDS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "no-fork", no_argument, NULL, OPT_NO_FORK },
	{ "cold", no_argument, NULL, OPT_COLD },
	{ "stack", required_argument, NULL, OPT_STACK },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "schema", no_argument, NULL, OPT_SCHEMA },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "tether", required_argument, NULL, OPT_TETHER },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "writers", required_argument, NULL, OPT_WRITERS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "slots", required_argument, NULL, OPT_SLOTS },
	{ "read", required_argument, NULL, OPT_READ },
	{ "update-us", required_argument, NULL, OPT_UPDATE_US },
	{ "stall-ms", required_argument, NULL, OPT_STALL_MS },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "allocator", required_argument, NULL, OPT_ALLOCATOR },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 },
};

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

static void parse(int argc, char **argv)
{
	defaults();
	opterr = 0;
	int c, index;
	while ((c = getopt_long(argc, argv, ":h", long_options, &index)) != -1) {
		const char *name = c >= OPT_STRATEGY ? long_options[index].name : "";
		switch (c) {
		case OPT_STRATEGY:
			if (cli.tether_given)
				bad_input("--strategy and --tether are mutually exclusive");
			for_each_spec(name, optarg, add_strategy);
			break;
		case OPT_WORKLOAD:
			for_each_spec(name, optarg, add_workload);
			break;
		case OPT_TETHER:
			if (cli.nstrategies > 0)
				bad_input("--strategy and --tether are mutually exclusive");
			cli.tether_given = true;
			for_each_spec(name, optarg, add_tether);
			break;
		case OPT_SIZE:
			cli.size = parse_size_in(name, optarg, 1, (size_t)1 << 40);
			cli.size_given = true;
			break;
		case OPT_REPS:
			cli.reps = parse_size_in(name, optarg, 1, 1000000);
			break;
		case OPT_MAX_ROUNDS:
			cli.max_rounds = parse_size_in(name, optarg, 1, 1000000);
			break;
		case OPT_MAX_SECONDS:
			cli.max_seconds = parse_double_in(name, optarg, 0, 86400.0);
			break;
		case OPT_SEED:
			cli.seed = parse_size_in(name, optarg, 0, SIZE_MAX);
			break;
		case OPT_BLOCK:
			cli.block = parse_block(optarg);
			break;
		case OPT_STACK:
			cli.stack = parse_size_in(name, optarg, RL_STACK_MIN, (size_t)1 << 40);
			break;
		case OPT_NO_FORK:
			cli.fork = false;
			break;
		case OPT_COLD:
			cli.cold = true;
			break;
		case OPT_OUT:
			if (optarg[0] == '\0')
				bad_input("--out is empty (use --out=- for stdout)");
			cli.out = optarg;
			break;
		case OPT_NO_VERIFY:
			cli.verify = false;
			break;
		case OPT_LIST:
			cli.list = true;
			break;
		case OPT_SCHEMA:
			cli.schema = true;
			break;
		case 'h':
		case OPT_HELP:
			cli.help = true;
			break;
		case OPT_THREADS:
			parse_threads(optarg);
			break;
		case OPT_WRITERS:
			cli.tether.writers = parse_size_in(name, optarg, 0, 4096);
			break;
		case OPT_DURATION:
			cli.tether.duration_s = parse_double_in(name, optarg, 1e-3, 86400.0);
			break;
		case OPT_OPS:
			cli.tether.ops = parse_size_in(name, optarg, 1, SIZE_MAX);
			break;
		case OPT_SLOTS:
			cli.tether.slots = parse_size_in(name, optarg, 1, (size_t)1 << 20);
			break;
		case OPT_READ:
			cli.tether.read = parse_size_in(name, optarg, 0, (size_t)1 << 30);
			break;
		case OPT_UPDATE_US:
			cli.tether.update_us = parse_size_in(name, optarg, 0, (size_t)1 << 32);
			break;
		case OPT_STALL_MS:
			cli.tether.stall_ms = parse_size_in(name, optarg, 0, 3600000);
			break;
		case OPT_LAYOUT:
			if (strcmp(optarg, "packed") == 0)
				cli.tether.layout_packed = true;
			else if (strcmp(optarg, "padded") == 0)
				cli.tether.layout_packed = false;
			else
				bad_input("--layout=%s: expected packed or padded", optarg);
			break;
		case OPT_ALLOCATOR:
			cli.allocator = optarg;
			break;
		case OPT_FORMAT:
			cli.format = parse_format(optarg);
			break;
		case ':':
			bad_input("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt >= OPT_STRATEGY)
				bad_input("option '%.*s' takes no value", (int)strcspn(argv[optind - 1], "="),
					  argv[optind - 1]);
			bad_input("unknown option '%s' (see --help)", argv[optind - 1]);
		}
		bool for_transmigration = c == OPT_SIZE || c == OPT_BLOCK || c == OPT_STACK || c == OPT_NO_FORK ||
					 c == OPT_COLD || c == OPT_MAX_ROUNDS || c == OPT_MAX_SECONDS;
		if (for_transmigration && cli.transmigrate_only == NULL)
			cli.transmigrate_only = name;
		if (c >= OPT_THREADS && c <= OPT_LAYOUT && cli.tether_only == NULL)
			cli.tether_only = name;
	}
	if (optind < argc)
		bad_input("unexpected argument '%s' (see --help)", argv[optind]);
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

/* Removes --out when this run created it and wrote nothing into it. */
static void remove_if_created_empty(const char *path, bool existed)
{
	struct stat st;
	if (path != NULL && strcmp(path, "-") != 0 && !existed && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0)
		unlink(path);
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

int main(int argc, char **argv)
{
	char err[ERR_MAX];
	if (rl_registry_check(err, sizeof err) != 0) {
		fprintf(stderr, "harness: registry: %s\n", err);
		return 1;
	}
	parse(argc, argv);
	if (cli.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (cli.list) {
		list_modules();
		return 0;
	}
	if (cli.schema) {
		rl_csv_print_schema_doc(stdout);
		return 0;
	}
	/* jemalloc needs a restart with glibc's static TLS reservation. */
	if (strcmp(cli.allocator, "jemalloc") == 0)
		rl_allocator_reexec_for_jemalloc(argv);
	if (rl_allocator_select(cli.allocator, err, sizeof err) != 0)
		bad_input("%s", err);
	validate();

	struct stat st;
	bool existed = cli.out != NULL && stat(cli.out, &st) == 0;
	rl_out out;
	if (rl_out_open(&out, cli.format, cli.out, err, sizeof err) != 0)
		bad_input("%s", err);
	expect_trials(&out);

	int status = 0;
	if (cli.tether_given) {
		cli.tether.reps = cli.reps;
		cli.tether.seed = cli.seed;
		cli.tether.verify = cli.verify;
		if (rl_tether_run(&cli.tether, &out, err, sizeof err) != 0) {
			rl_out_close(&out);
			remove_if_created_empty(cli.out, existed);
			bad_input("%s", err);
		}
	} else {
		struct rl_sweep sweep = {
			.strategies = cli.strategies,
			.nstrategies = cli.nstrategies,
			.workloads = cli.workloads,
			.nworkloads = cli.nworkloads,
			.reps = cli.reps,
			.max_rounds = cli.max_rounds,
			.max_seconds = cli.max_seconds,
			.seed = cli.seed,
			.block = cli.block,
			.stack_bytes = cli.stack,
			.verify = cli.verify,
			.fork = cli.fork,
			.cold = cli.cold,
		};
		if (rl_sweep_run(&sweep, &out) != 0) {
			fprintf(stderr, "harness: cannot write the CSV rows\n");
			status = 1;
		}
	}
	if (rl_out_close(&out) != 0 && status == 0) {
		fprintf(stderr, "harness: cannot write the output\n");
		status = 1;
	}
	return status;
}
