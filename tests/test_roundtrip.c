/* Round trips through `harness --dump` (workloads/dump.c) and the sexp
 * reader: a graph, written as an S-expression and read back, must be the same
 * graph (rl_oracle_checksum: types, sizes, bytes, immediates and the shape of
 * sharing, independent of addresses), and writing the copy must give the same
 * text again.
 *
 *   test_roundtrip              every file of tests/data, every registered
 *                               workload in both layouts, datum labels written
 *                               by hand (exact sharing), the generic form's errors
 *   test_roundtrip FILE...      the round trip of each file (a .json file is read
 *                               as JSON, any other as Scheme): what
 *                               tests/fetch-real-inputs.sh runs on real documents */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/workload.h"
#include "tests/check.h"
#include "workloads/dump.h"

extern const struct rl_workload rl_wl_json;
extern const struct rl_workload rl_wl_sexp;

static char tmpdir[64];
static char data_dir[256];
static int doc_counter;

static const char *temp_path(void)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/f%d", tmpdir, doc_counter++);
	return path;
}

static const char *write_text(const char *text, size_t len)
{
	const char *path = temp_path();
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL, "cannot create %s", path);
	CHECK(fwrite(text, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
	return path;
}

static void find_data_dir(void)
{
	const char *file = __FILE__, *slash = strrchr(file, '/');
	snprintf(data_dir, sizeof data_dir, "tests/data");
	if (access("tests/data/sample.json", R_OK) != 0 && slash != NULL)
		snprintf(data_dir, sizeof data_dir, "%.*s/data", (int)(slash - file), file);
}

static int make(const struct rl_workload *wl, const char *options, size_t n, rl_graph *g, char *err, size_t errlen)
{
	rl_kv_list kv = { 0 };
	if (options != NULL && options[0] != '\0')
		CHECK(rl_kv_parse(options, &kv, err, errlen) == 0, "options %s: %s", options, err);
	return rl_graph_make(wl, n, 1, &kv, g, err, errlen);
}

/* The dump of root as text (malloc'd), its length in *len. */
static char *dump_text(rl_val root, size_t *len)
{
	char *text = NULL, err[256] = "";
	FILE *f = open_memstream(&text, len);
	CHECK(f != NULL, "open_memstream");
	int rc = rl_dump_graph(f, root, err, sizeof err);
	CHECK(fclose(f) == 0, "fclose");
	if (rc != 0)
		free(text);
	CHECK(rc == 0, "the dump failed: %s", err);
	return text;
}

/* Reads the text of a dump: the root of the read graph is the list of one
 * datum; *datum is that datum. */
static void read_dump(const char *text, size_t len, rl_graph *g, rl_val *datum)
{
	char options[160], err[512] = "";
	snprintf(options, sizeof options, "file=%s", write_text(text, len));
	CHECK(make(&rl_wl_sexp, options, 1, g, err, sizeof err) == 0, "the dump does not read back: %s", err);
	rl_val root = g->root;
	CHECK(rl_is_ptr(root) && rl_obj_type(rl_ptr(root)) == RL_T_CONS && rl_ptr(root)->w[1] == RL_NIL,
	      "the dump is not one datum");
	*datum = rl_ptr(root)->w[0];
}

/* The graph of (wl, options, n) against its dump read back: isomorphic, and
 * its dump written again is the same text.  The objects written, in *objects. */
static void round_trip(const struct rl_workload *wl, const char *options, size_t n, size_t *objects)
{
	char err[512] = "";
	rl_graph orig, back;
	CHECK(make(wl, options, n, &orig, err, sizeof err) == 0, "%s:%s does not load: %s", wl->name, options, err);
	size_t len, len2;
	char *text = dump_text(orig.root, &len);
	rl_val datum;
	read_dump(text, len, &back, &datum);
	uint64_t want = rl_oracle_checksum(orig.root, NULL), got = rl_oracle_checksum(datum, NULL);
	char *again = dump_text(datum, &len2);
	bool same_text = len == len2 && memcmp(text, again, len) == 0;
	rl_census census = { 0, 0 };
	if (objects != NULL)
		CHECK(rl_oracle_census(orig.root, NULL, &census) == 0, "census");
	rl_graph_free(&orig);
	rl_graph_free(&back);
	if (want != got || !same_text)
		fprintf(stderr, "dump of %s:%s (first 300 bytes): %.300s\n", wl->name, options, text);
	free(text);
	free(again);
	CHECK(want == got, "%s:%s: the graph read back from its dump is not isomorphic to it", wl->name, options);
	CHECK(same_text, "%s:%s: the dump of the graph read back differs from the first dump", wl->name, options);
	if (objects != NULL)
		*objects = census.objects;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void round_trip_file(const char *path)
{
	char options[700];
	snprintf(options, sizeof options, "file=%s", path);
	round_trip(ends_with(path, ".json") ? &rl_wl_json : &rl_wl_sexp, options, 1, NULL);
}

/* ---- cases ----------------------------------------------------------------------- */
static void test_every_test_input_round_trips(void)
{
	DIR *dir = opendir(data_dir);
	CHECK(dir != NULL, "cannot open %s", data_dir);
	size_t files = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (!ends_with(e->d_name, ".json") && !ends_with(e->d_name, ".scm"))
			continue;
		char path[600];
		snprintf(path, sizeof path, "%s/%s", data_dir, e->d_name);
		round_trip_file(path);
		files++;
	}
	closedir(dir);
	CHECK(files >= 4, "only %zu documents in %s", files, data_dir);
}

/* Every registered workload, graph builders too, in both layouts. */
static void test_every_workload_round_trips(void)
{
	static const char *const layouts[] = { "layout=alloc", "layout=shuffled,garbage=0.5" };
	size_t workloads = 0;
	for (size_t i = 0; rl_workloads[i] != NULL; i++, workloads++) {
		const struct rl_workload *wl = rl_workloads[i];
		for (size_t l = 0; l < 2; l++) {
			char options[512];
			const char *sample = wl->sample_options;
			if (sample != NULL && strstr(sample, "file=") == sample)
				snprintf(options, sizeof options, "%s,file=%s/%s", layouts[l], data_dir,
					 strrchr(sample, '/') + 1);
			else
				snprintf(options, sizeof options, "%s%s%s", layouts[l], sample ? "," : "",
					 sample ? sample : "");
			size_t objects = 0;
			round_trip(wl, options, 300, &objects);
			CHECK(objects > 0, "%s: no object", wl->name);
		}
	}
	CHECK(workloads >= 10, "only %zu workloads are registered", workloads);
}

/* Datum labels written by hand: the graph read has exactly the sharing the
 * labels say.  The dump writes a label on every object with more than one
 * reference and on no other, numbered in writing order, so the expected dump
 * states the sharing exactly (and a placeholder left in the graph would show
 * as #@imm:...). */
static void test_hand_written_labels_give_exactly_their_sharing(void)
{
	static const struct {
		const char *text, *dump;
	} cases[] = {
		/* the three of issue 14: a label naming an enclosing label, used after it */
		{ "(#0=(#1=#0#) #1#)", "((#0=(#0#) #0#))" },
		{ "(#0=(x . #1=#0#) #1#)", "((#0=(x . #0#) #0#))" },
		{ "(#0=#(#1=#0#) #1#)", "((#0=#(#0#) #0#))" },
		{ "(#0=(a #1=(b #2=#1# #3=#0#) #2# #3#) #1# #2# #3#)",
		  "((#0=(a #1=(b #1# #0#) #1# #0#) #1# #1# #0#))" },
		{ "(#0=(#1=(#2=#0#)) #1# #2#)", "((#0=(#1=(#0#)) #1# #0#))" },
		{ "(#0=(q . '#1=#0#) . #1#)", "((#0=(q quote #0#) . #0#))" },
		{ "#0=(#1=(#2=(#0# #1# #2#)))", "(#0=(#1=(#2=(#0# #1# #2#))))" },
		/* rings and self-reference */
		{ "#0=(1 2 . #0#)", "(#0=(1 2 . #0#))" },
		{ "#0=(#0# . #0#)", "(#0=(#0# . #0#))" },
		{ "#0=#(#0# #0# (#0#))", "(#0=#(#0# #0# (#0#)))" },
		/* sharing without a cycle; one reference needs no label */
		{ "(#0=(leaf) #0# #0#)", "((#0=(leaf) #0# #0#))" },
		{ "(#0=\"s\" #0# \"s\")", "((#0=\"s\" #0# \"s\"))" },
		{ "(#0=#vu8(1) #0#)", "((#0=#vu8(1) #0#))" },
		{ "(a . #0=(b c))", "((a b c))" },
		{ "(#0=(x y) . #0#)", "((#0=(x y) . #0#))" },
		/* labels are scoped to their top-level datum: each datum is its own */
		{ "(#0=(r) #0#) (#0=(r) #0#)", "((#0=(r) #0#) (#1=(r) #1#))" },
		/* symbols are interned: equal names are one object, with no label */
		{ "(a a #0=b #0#)", "((a a b b))" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char options[160], err[512] = "";
		rl_graph g;
		snprintf(options, sizeof options, "file=%s", write_text(cases[i].text, strlen(cases[i].text)));
		CHECK(make(&rl_wl_sexp, options, 1, &g, err, sizeof err) == 0, "%s: %s", cases[i].text, err);
		size_t len;
		char *text = dump_text(g.root, &len);
		rl_graph_free(&g);
		bool same = len == strlen(cases[i].dump) + 1 && memcmp(text, cases[i].dump, len - 1) == 0;
		if (!same)
			fprintf(stderr, "%s\n  reads as %.*s  expected %s\n", cases[i].text, (int)len, text, cases[i].dump);
		free(text);
		CHECK(same, "%s does not have the sharing its labels say", cases[i].text);
	}
}

/* What only the generic form (#@) can carry, and its errors. */
static void test_generic_form(void)
{
	char err[512] = "", options[160];
	rl_graph g;
	/* A small boxed int (a bare 5 reads as a fixnum), a second symbol named
	 * a (not interned), an immediate with no syntax, a closure. */
	const char *text = "(#@box-int:0500000000000000() a #@symbol:6100() #@imm:000000000000001a "
			   "#@closure:efbeadde0000000000000000000000000000000000000000(1 #t))";
	snprintf(options, sizeof options, "file=%s", write_text(text, strlen(text)));
	CHECK(make(&rl_wl_sexp, options, 1, &g, err, sizeof err) == 0, "%s", err);
	rl_val list = rl_ptr(g.root)->w[0], items[5];
	for (int i = 0; i < 5; i++, list = rl_ptr(list)->w[1])
		items[i] = rl_ptr(list)->w[0];
	int64_t five;
	memcpy(&five, rl_ptr(items[0])->w, 8);
	CHECK(rl_obj_type(rl_ptr(items[0])) == RL_T_BOX_INT && five == 5, "a boxed 5");
	CHECK(rl_obj_type(rl_ptr(items[2])) == RL_T_SYMBOL && items[1] != items[2], "a second symbol named a");
	CHECK(items[3] == RL_UNSPEC, "#@imm:...1a is RL_UNSPEC");
	CHECK(rl_obj_type(rl_ptr(items[4])) == RL_T_CLOSURE && rl_ptr(items[4])->w[0] == 0xdeadbeef &&
		      rl_ptr(items[4])->w[1] == rl_fixnum(1) && rl_ptr(items[4])->w[2] == RL_TRUE,
	      "a closure: its code word and two captured values");
	size_t len;
	char *dumped = dump_text(g.root, &len);
	rl_graph_free(&g);
	bool same = strncmp(dumped, "(", 1) == 0 && strstr(dumped, text) != NULL;
	free(dumped);
	CHECK(same, "the dump writes these back in the same form");

	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "#@nosuchtype:00()", "1:1: unknown type 'nosuchtype' after '#@'" },
		{ "#@cons:00()", "1:1: cons takes 16 payload bytes, not 1" },
		{ "#@vector:0000000000000000()", "1:1: a vector of 8 bytes holds 1 values, not 0" },
		{ "#@box-int:0(", "1:1: an odd number of hex digits after '#@box-int:' (two a byte)" },
		{ "#@box-int:00 ()", "1:1: expected '(' after the bytes of '#@box-int:', found byte 0x20" },
		{ "#@imm:0000000000000001", "1:1: '#@imm:' takes the hex word of an immediate" },
		{ "#@imm:fa", "1:1: '#@imm:' takes the hex word of an immediate" }, /* the reader's placeholder */
		{ "#@:00()", "1:1: expected '#@TYPE:HEX(...)', '#@TYPE,MAP:HEX(...)' or '#@imm:HEX'" },
		{ "#@cons,3:00000000000000000000000000000000()",
		  "1:1: expected '#@TYPE,MAP:' with MAP the hex pointer map of a user type" },
		{ "#@rt-node,1:0000000000000000(1) #@rt-node,3:0000000000000000(1)",
		  "1:33: type 'rt-node' is registered with another layout" },
		{ "(#@blob:00(", "1:2: '#@' object is never closed" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *path = write_text(bad[i].text, strlen(bad[i].text));
		char expected[600];
		snprintf(expected, sizeof expected, "workload sexp: %s:%s", path, bad[i].error);
		snprintf(options, sizeof options, "file=%s", path);
		CHECK(make(&rl_wl_sexp, options, 1, &g, err, sizeof err) == -1, "%s loaded", bad[i].text);
		CHECK(strcmp(err, expected) == 0, "%s said\n  \"%s\", expected\n  \"%s\"", bad[i].text, err, expected);
	}
}

/* Removes the temporary files made so far (the folder stays). */
static void remove_files(void)
{
	for (int i = 0; i < doc_counter; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/f%d", tmpdir, i);
		unlink(path);
	}
	doc_counter = 0;
}

/* One case: the round trip of the file at path. */
static void run_file(const char *path)
{
	rl_test_name = path;
	if (setjmp(rl_test_abort) == 0) {
		round_trip_file(path);
		rl_test_passed++;
	} else {
		rl_test_failed++;
	}
	remove_files();
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/rl-roundtrip-XXXXXX", tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	find_data_dir();
	if (argc > 1) {
		/* The given files, one case each (named by the file). */
		for (int i = 1; i < argc; i++)
			run_file(argv[i]);
	} else {
		RL_RUN(test_every_test_input_round_trips);
		RL_RUN(test_every_workload_round_trips);
		RL_RUN(test_hand_written_labels_give_exactly_their_sharing);
		RL_RUN(test_generic_form);
	}
	remove_files();
	rmdir(tmpdir);
	return rl_test_summary(argv[0]);
}
