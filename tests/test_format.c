/* The writers behind --format (driver/format.h) on rows made up here, so
 * that what they print is known exactly: the table's folding of reps, its
 * units, the columns it drops, the fastest mark only where the ranges hold,
 * the failed status and its reason, tethering's kept throughput; the JSON
 * writer's escaping and nulls.  The harness end to end (a terminal through
 * `script`, CSV equal to --out, JSON parsed by Python) is tests/test_format.sh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "driver/format.h"

/* ---- making rows and printing them ---------------------------------------------------- */

static rl_row trial(const char *strategy, const char *workload, double ns_per_obj)
{
	rl_row r;
	rl_row_init(&r, "transmigrate");
	r.strategy = strategy;
	r.workload = workload;
	r.size = 1000;
	r.layout = "alloc";
	r.garbage = 0;
	r.block = 65536;
	r.status = "ok";
	r.objects = 1000;
	r.ns_per_obj = ns_per_obj;
	r.ns_total = (uint64_t)(ns_per_obj * 1000);
	r.pause_ns = r.ns_total;
	r.mb_per_s = 24e3 / ns_per_obj * 1e9 / 1048576 / 1000;
	r.memcpy_frac = 0.1;
	r.extra_bytes = 4096;
	r.mallocs = 2;
	r.bytes_spliced = 0;
	return r;
}

static rl_row tether_trial(const char *scheme, uint64_t threads, double ns_per_op)
{
	rl_row r;
	rl_row_init(&r, "tether");
	r.tether = scheme;
	r.threads = threads;
	r.writers = 1;
	r.read = 0;
	r.slots = 16;
	r.stall_ms = 0;
	r.layout = "padded";
	r.status = "ok";
	r.ns_per_op = ns_per_op;
	r.peak_unreclaimed = 3;
	r.peak_unreclaimed_bytes = 3 * 65536;
	return r;
}

/* Everything `writer` prints for rows[0..n), in a malloc'd string. */
static char *print_with(rl_writer *(*open_writer)(FILE *), rl_row *rows, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	CHECK(fp != NULL, "open_memstream");
	rl_writer *w = open_writer(fp);
	CHECK(w != NULL, "no writer");
	for (size_t i = 0; i < n; i++)
		CHECK(w->ops->write(w, &rows[i]) == 0, "write %zu", i);
	CHECK(w->ops->close(w) == 0, "close");
	fclose(fp);
	return buf;
}

static char *table_of(rl_row *rows, size_t n) { return print_with(rl_table_writer_open, rows, n); }

/* The line of `text` that starts with `prefix` (a static copy), or NULL. */
static const char *line_starting(const char *text, const char *prefix)
{
	static char line[512];
	for (const char *p = text; *p != '\0';) {
		size_t len = strcspn(p, "\n");
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			snprintf(line, sizeof line, "%.*s", (int)len, p);
			return line;
		}
		p += len + (p[len] == '\n');
	}
	return NULL;
}

/* ---- the table ------------------------------------------------------------------------ */

/* Three reps of a and of b: one line each, with median and min-max range;
 * a's range ends below b's, so a is marked. */
static void test_fastest_marked_when_ranges_apart(void)
{
	rl_row rows[] = { trial("a", "tree", 10), trial("b", "tree", 20), trial("a", "tree", 12),
			  trial("b", "tree", 21), trial("a", "tree", 11), trial("b", "tree", 22) };
	char *out = table_of(rows, 6);
	const char *a = line_starting(out, "a ");
	CHECK(a != NULL, "no line for a:\n%s", out);
	CHECK(strstr(a, " 3 ") != NULL && strstr(a, "11.0*") != NULL && strstr(a, "10.0–12.0") != NULL,
	      "a: %s", a);
	const char *b = line_starting(out, "b ");
	CHECK(b != NULL && strstr(b, "21.0 ") != NULL && strchr(b, '*') == NULL, "b: %s", b);
	CHECK(strstr(out, "* fastest") != NULL, "the mark is not explained:\n%s", out);
	free(out);
}

/* A lower median whose range overlaps another's is no verdict: no mark. */
static void test_no_mark_when_ranges_overlap(void)
{
	rl_row rows[] = { trial("a", "tree", 10), trial("a", "tree", 11), trial("a", "tree", 30),
			  trial("b", "tree", 20), trial("b", "tree", 21), trial("b", "tree", 22),
			  trial("c", "tree", 40), trial("c", "tree", 41) };
	char *out = table_of(rows, 8);
	CHECK(strchr(out, '*') == NULL, "marked although a's range reaches into b's:\n%s", out);
	free(out);
	/* One rep each: no range, so no mark either, and the table says how to get one. */
	rl_row single[] = { trial("a", "tree", 10), trial("b", "tree", 20) };
	out = table_of(single, 2);
	CHECK(strchr(out, '*') == NULL && strstr(out, "--reps") != NULL, "one rep each:\n%s", out);
	free(out);
}

/* The mark compares within a group (same workload...), not across groups;
 * groups print apart, each in order of appearance. */
static void test_groups(void)
{
	rl_row rows[] = { trial("a", "tree", 10), trial("a", "list", 50), trial("b", "tree", 20),
			  trial("b", "list", 5),  trial("a", "tree", 11), trial("a", "list", 51),
			  trial("b", "tree", 21), trial("b", "list", 6) };
	char *out = table_of(rows, 8);
	const char *tree_a = strstr(out, "\na "), *blank = strstr(out, "\n\n");
	CHECK(tree_a != NULL && blank != NULL && tree_a < blank, "groups not apart:\n%s", out);
	CHECK(strstr(blank, "\nb         list") != NULL || strstr(blank, "\nb  ") != NULL, "layout:\n%s", out);
	const char *a_tree = line_starting(out, "a         tree");
	const char *b_list = line_starting(out, "b         list");
	CHECK(a_tree != NULL && strchr(a_tree, '*') != NULL, "a is fastest on tree:\n%s", out);
	CHECK(b_list != NULL && strchr(b_list, '*') != NULL, "b is fastest on list:\n%s", out);
	free(out);
}

/* Units per column, from its smallest value: µs when every figure is over
 * 1000 ns, MiB for megabytes; the unit is in the header. */
static void test_units_per_column(void)
{
	rl_row rows[] = { trial("a", "tree", 1500), trial("b", "tree", 2500) };
	rows[0].extra_bytes = rows[1].extra_bytes = 3u << 20;
	char *out = table_of(rows, 2);
	const char *head = line_starting(out, "strategy");
	CHECK(head != NULL && strstr(head, "µs/obj") != NULL && strstr(head, "extra MiB") != NULL, "%s", out);
	CHECK(strstr(line_starting(out, "a "), "1.50") != NULL, "%s", out);
	CHECK(strstr(line_starting(out, "b "), "3.00") != NULL, "%s", out);
	free(out);
}

/* pause only where it differs from the call (incremental strategies),
 * spliced only where nonzero, decision only where given; no line ends in a blank. */
static void test_strategy_columns_only_where_they_mean_something(void)
{
	rl_row rows[] = { trial("a", "tree", 10), trial("b", "tree", 20) };
	char *out = table_of(rows, 2);
	const char *head = line_starting(out, "strategy");
	CHECK(head != NULL && strstr(head, "pause") == NULL && strstr(head, "spliced") == NULL &&
		      strstr(head, "decision") == NULL && strstr(head, "barrier") == NULL,
	      "%s", out);
	free(out);
	rows[1].pause_ns = 5000;
	rows[1].barrier_overhead = 0.05;
	rows[0].bytes_spliced = 2u << 20;
	rows[0].decision = "splice";
	out = table_of(rows, 2);
	head = line_starting(out, "strategy");
	CHECK(head != NULL && strstr(head, "pause µs") != NULL && strstr(head, "spliced MiB") != NULL &&
		      strstr(head, "decision") != NULL && strstr(head, "barrier") != NULL,
	      "%s", out);
	CHECK(strstr(line_starting(out, "b "), "5.00") != NULL && strstr(line_starting(out, "b "), "+5.00%") != NULL,
	      "%s", out);
	CHECK(strstr(out, " \n") == NULL, "a line ends in a blank:\n%s", out);
	free(out);
}

/* A failed trial: "!status" in its cell, the whole reason under the table,
 * its own line apart from the reps that went well. */
static void test_failed_status_stands_out(void)
{
	rl_row rows[] = { trial("a", "tree", 10), trial("a", "tree", 11), trial("b", "tree", 20) };
	rows[1].status = "verify_failed: sharing lost at object 7";
	rows[1].ns_per_obj = NAN;
	char *out = table_of(rows, 3);
	const char *bad = NULL;
	for (const char *p = out; (p = strstr(p, "\na ")) != NULL; p++)
		if (strstr(line_starting(p + 1, "a "), "!verify_failed") != NULL)
			bad = p;
	CHECK(bad != NULL, "no !verify_failed line:\n%s", out);
	CHECK(strstr(out, "\n! a tree") != NULL && strstr(out, "verify_failed: sharing lost at object 7\n") != NULL,
	      "the reason is not spelt out:\n%s", out);
	CHECK(strstr(out, "\033[") == NULL, "colour codes in a table that is not on a terminal");
	free(out);
}

/* Tethering: per scheme and thread count; kept = the 1-thread figure over
 * this one; the fastest of each thread count. */
static void test_tether_table(void)
{
	rl_row rows[] = { tether_trial("x", 1, 10), tether_trial("x", 1, 10.5), tether_trial("x", 2, 20),
			  tether_trial("x", 2, 21),  tether_trial("y", 1, 30),   tether_trial("y", 1, 31),
			  tether_trial("y", 2, 30),  tether_trial("y", 2, 31) };
	char *out = table_of(rows, 8);
	const char *head = line_starting(out, "scheme");
	CHECK(head != NULL && strstr(head, "ns/pair") != NULL && strstr(head, "kept") != NULL &&
		      strstr(head, "unreclaimed") != NULL && strstr(head, "strategy") == NULL,
	      "%s", out);
	const char *x2 = line_starting(out, "x             2");
	CHECK(x2 != NULL && strstr(x2, "50%") != NULL && strchr(x2, '*') != NULL, "x at 2 threads:\n%s", out);
	const char *y2 = line_starting(out, "y             2");
	CHECK(y2 != NULL && strstr(y2, "100%") != NULL, "y at 2 threads:\n%s", out);
	free(out);
}

/* A program trial (driver/program_run.c): its figure is the whole program's time. */
static rl_row program_trial(const char *strategy, uint64_t program_ns, bool answer_ok)
{
	rl_row r;
	rl_row_init(&r, "transmigrate");
	r.strategy = strategy;
	r.workload = "program:name=tak,size=8";
	r.size = 1;
	r.layout = "alloc";
	r.garbage = 0;
	r.block = 4096;
	r.status = answer_ok ? "ok" : "error: car of a non-pair at tak.scm:3:5";
	r.ns_total = r.program_ns = program_ns;
	r.tm_ns = program_ns / 4;
	r.escapes = 1200;
	r.barrier_moves = 30;
	r.objects = 5000;
	r.bytes = 5000 * 24;
	r.answer_ok = answer_ok;
	return r;
}

/* Program rows have a table of their own, with the program's time as the
 * figure (its range, the fastest mark) and the program columns; they stay
 * out of the table of graph trials, which keeps its own columns. */
static void test_program_table(void)
{
	rl_row rows[] = { program_trial("a", 2000000, true),  program_trial("b", 5000000, true),
			  program_trial("a", 2100000, true),  program_trial("b", 5100000, true),
			  program_trial("a", 2200000, true),  program_trial("b", 5200000, true),
			  program_trial("c", 9000000, false), trial("a", "tree", 10) };
	char *out = table_of(rows, 8);
	const char *head = line_starting(out, "strategy  program");
	CHECK(head != NULL, "no program table:\n%s", out);
	CHECK(strstr(head, "time ms") != NULL && strstr(head, "in strategy") != NULL && strstr(head, "escapes") != NULL &&
		      strstr(head, "barrier moves") != NULL && strstr(head, "objects moved") != NULL &&
		      strstr(head, "moved KiB") != NULL && strstr(head, "answer ok") != NULL && strstr(head, "/obj") == NULL,
	      "program header: %s\n%s", head, out);
	const char *a = line_starting(out, "a         program:");
	CHECK(a != NULL && strstr(a, "2.10*") != NULL && strstr(a, "2.00–2.20") != NULL && strstr(a, " 525 ") != NULL &&
		      strstr(a, " 1200 ") != NULL && strstr(a, " 30 ") != NULL && strstr(a, " 5000 ") != NULL &&
		      strstr(a, " 117 ") != NULL && strstr(a, "yes") != NULL,
	      "a: %s\n%s", a, out);
	const char *c = line_starting(out, "c         program:");
	CHECK(c != NULL && strstr(c, "!error") != NULL && strstr(c, " no") != NULL, "c: %s\n%s", c, out);
	const char *graph = line_starting(out, "strategy  workload");
	CHECK(graph != NULL && strstr(graph, "ns/obj") != NULL && strstr(graph, "escapes") == NULL, "graph table:\n%s", out);
	const char *program_table = strstr(out, "strategy  program");
	const char *in_graph_table = strstr(out, "program:");
	CHECK(program_table > strstr(out, "strategy  workload") && in_graph_table > program_table,
	      "a program row in the graph trials' table:\n%s", out);
	CHECK(strstr(out, "! c program:name=tak,size=8 size=1 (1 rep): error: car of a non-pair at tak.scm:3:5\n") != NULL,
	      "the reason is not spelt out:\n%s", out);
	free(out);
}

/* ---- JSON lines ---------------------------------------------------------------------------- */

static void test_json_escapes_and_nulls(void)
{
	char path[] = "/tmp/regionlab-json-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	close(fd);
	char err[256];
	rl_writer *w = rl_json_writer_open(path, err, sizeof err);
	CHECK(w != NULL, "%s", err);
	rl_row r = trial("a\"b\\c\n\x01", "tree", 10);
	r.ns_per_obj = NAN;
	r.memcpy_frac = INFINITY;
	CHECK(w->ops->write(w, &r) == 0 && w->ops->close(w) == 0, "write");
	FILE *fp = fopen(path, "r");
	char line[8192];
	CHECK(fp != NULL && fgets(line, sizeof line, fp) != NULL, "read back");
	fclose(fp);
	unlink(path);
	CHECK(line[0] == '{' && strstr(line, "}\n") != NULL && strchr(line, '\n') == line + strlen(line) - 1,
	      "not one object on one line: %s", line);
	CHECK(strstr(line, "\"strategy\":\"a\\\"b\\\\c\\n\\u0001\"") != NULL, "escaping: %s", line);
	CHECK(strstr(line, "\"ns_per_obj\":null") != NULL && strstr(line, "\"memcpy_frac\":null") != NULL,
	      "NaN and infinity: %s", line);
	CHECK(strstr(line, "\"size\":1000,") != NULL && strstr(line, "\"tether\":null") != NULL, "%s", line);
	CHECK(strstr(line, "\"date\":\"20") != NULL, "no date: %s", line);
	CHECK(strncmp(line, "{\"schema\":\"regionlab-", 21) == 0, "keys in columns.def order: %s", line);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_fastest_marked_when_ranges_apart);
	RL_RUN(test_no_mark_when_ranges_overlap);
	RL_RUN(test_groups);
	RL_RUN(test_units_per_column);
	RL_RUN(test_strategy_columns_only_where_they_mean_something);
	RL_RUN(test_failed_status_stands_out);
	RL_RUN(test_tether_table);
	RL_RUN(test_program_table);
	RL_RUN(test_json_escapes_and_nulls);
	return rl_test_summary(argv[0]);
}
