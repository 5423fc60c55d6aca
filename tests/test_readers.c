/* Tests of the document workloads: json (workloads/json.c) and sexp
 * (workloads/sexp.c).
 *
 * Small documents written here (and tests/data/sample.json, sample.scm) are
 * loaded through rl_graph_make, as the harness does, and their structure is
 * checked exactly: the mapping of every kind of value, escapes, surrogate
 * pairs, number ranges, interned symbols, shared structure and cycles from
 * datum labels, comments that allocate nothing.  Malformed documents must
 * fail with the exact "PATH:LINE:COL: what" line and leak no block.  Every
 * document loaded makes the round trip of `harness --dump` (the same graph
 * read back), and goes through every registered transmigrator, judged by the
 * oracle, in both layouts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/mem.h"
#include "regionlab/workload.h"
#include "tests/check.h"
#include "workloads/dump.h"

extern const struct rl_workload rl_wl_json;
extern const struct rl_workload rl_wl_sexp;

static char tmpdir[64];
static int doc_counter;
static char data_dir[256]; /* tests/data, found by find_data_dir() */

#define FIXNUM_MAX ((INT64_C(1) << 62) - 1)

/* ---- documents ------------------------------------------------------------- */
/* Writes `len` bytes of text to a new file in tmpdir: its path (static). */
static const char *write_doc_n(const char *text, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/doc%d", tmpdir, doc_counter++);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL, "cannot create %s", path);
	CHECK(fwrite(text, 1, len, f) == len, "cannot write %s", path);
	CHECK(fclose(f) == 0, "cannot close %s", path);
	return path;
}

static const char *write_doc(const char *text) { return write_doc_n(text, strlen(text)); }

/* tests/data from the repository root (make, tests/run.sh), else beside this
 * source file (a build directory elsewhere, as meson's). */
static void find_data_dir(void)
{
	const char *file = __FILE__, *slash = strrchr(file, '/');
	snprintf(data_dir, sizeof data_dir, "tests/data");
	if (access("tests/data/sample.json", R_OK) != 0 && slash != NULL)
		snprintf(data_dir, sizeof data_dir, "%.*s/data", (int)(slash - file), file);
}

/* The path of a file of tests/data (static). */
static const char *data_file(const char *name)
{
	static char path[320];
	snprintf(path, sizeof path, "%s/%s", data_dir, name);
	return path;
}

static int load_file(const struct rl_workload *wl, const char *path, const char *layout, rl_graph *g, char *err,
		     size_t errlen)
{
	char params[256];
	rl_kv_list kv;
	snprintf(params, sizeof params, "file=%s,layout=%s", path, layout);
	CHECK(rl_kv_parse(params, &kv, err, errlen) == 0, "params: %s", err);
	return rl_graph_make(wl, 1, 1, &kv, g, err, errlen);
}

/* Every document a test loads also makes the round trip of `harness --dump`
 * (workloads/dump.c): its graph, written as an S-expression and read back
 * by the sexp reader, is the same graph (tests/test_roundtrip.c does the
 * same for files and every workload). */
static void check_dump_round_trip(const char *text, rl_val root)
{
	char *dumped = NULL, err[512] = "";
	size_t len;
	FILE *f = open_memstream(&dumped, &len);
	CHECK(f != NULL, "open_memstream");
	int rc = rl_dump_graph(f, root, err, sizeof err);
	CHECK(fclose(f) == 0 && rc == 0, "dump of %s: %s", text, err);
	const char *path = write_doc_n(dumped, len);
	free(dumped);
	rl_graph back;
	CHECK(load_file(&rl_wl_sexp, path, "alloc", &back, err, sizeof err) == 0, "the dump of %s: %s", text, err);
	bool same = rl_oracle_checksum(root, NULL) == rl_oracle_checksum(rl_ptr(back.root)->w[0], NULL);
	rl_graph_free(&back);
	CHECK(same, "the dump of %s reads back as another graph", text);
}

/* Loads `text` as a document of wl and returns its root (g must be freed). */
static rl_val load(const struct rl_workload *wl, const char *text, rl_graph *g)
{
	char err[512] = "";
	const char *path = write_doc(text);
	CHECK(load_file(wl, path, "alloc", g, err, sizeof err) == 0, "loading %s failed: %s", text, err);
	CHECK(rl_region_contains(g->src, g->root), "the root of %s is not in src", text);
	check_dump_round_trip(text, g->root);
	return g->root;
}

/* The document must fail with "workload NAME: PATH:`where`: `what`" exactly,
 * leaving no block behind. */
static void expect_error(const struct rl_workload *wl, const char *text, const char *where, const char *what)
{
	char err[512] = "", expected[512];
	rl_graph g;
	size_t blocks = rl_blocks_live();
	const char *path = write_doc(text);
	snprintf(expected, sizeof expected, "workload %s: %s:%s: %s", wl->name, path, where, what);
	CHECK(load_file(wl, path, "alloc", &g, err, sizeof err) == -1, "'%s' loaded, expected: %s", text, expected);
	CHECK(strcmp(err, expected) == 0, "'%s' said\n  \"%s\", expected\n  \"%s\"", text, err, expected);
	CHECK(rl_blocks_live() == blocks, "'%s': a failed load left %zu blocks", text, rl_blocks_live() - blocks);
}

/* ---- reading the graph ------------------------------------------------------- */
static unsigned type_of(rl_val v) { return rl_is_ptr(v) ? rl_obj_type(rl_ptr(v)) : RL_T_FREE; }

static rl_val car(rl_val v)
{
	CHECK(type_of(v) == RL_T_CONS, "car of a non-pair %#lx", (unsigned long)v);
	return rl_ptr(v)->w[0];
}

static rl_val cdr(rl_val v)
{
	CHECK(type_of(v) == RL_T_CONS, "cdr of a non-pair %#lx", (unsigned long)v);
	return rl_ptr(v)->w[1];
}

static rl_val nth(rl_val list, size_t i)
{
	while (i-- > 0)
		list = cdr(list);
	return car(list);
}

static size_t list_length(rl_val list)
{
	size_t n = 0;
	for (; list != RL_NIL; list = cdr(list))
		n++;
	return n;
}

static size_t vec_len(rl_val v)
{
	CHECK(type_of(v) == RL_T_VECTOR, "not a vector: type %u", type_of(v));
	return rl_obj_bytes(rl_ptr(v)) / sizeof(rl_val);
}

static rl_val vec_ref(rl_val v, size_t i)
{
	CHECK(i < vec_len(v), "index %zu past a vector of %zu", i, vec_len(v));
	return rl_ptr(v)->w[i];
}

/* Bytes of a string or symbol, and their count (the NUL not counted). */
static const char *text_of(rl_val v, unsigned type, size_t *len)
{
	CHECK(type_of(v) == type, "expected a %s, found type %u", rl_type_table[type].name, type_of(v));
	const char *bytes = (const char *)rl_ptr(v)->w;
	*len = rl_obj_bytes(rl_ptr(v)) - 1;
	CHECK(bytes[*len] == '\0', "a %s must end in NUL", rl_type_table[type].name);
	return bytes;
}

static bool is_string(rl_val v, const char *expected, size_t len)
{
	size_t n;
	const char *bytes = text_of(v, RL_T_STRING, &n);
	return n == len && memcmp(bytes, expected, len) == 0;
}

static bool is_symbol(rl_val v, const char *name)
{
	size_t n;
	const char *bytes = text_of(v, RL_T_SYMBOL, &n);
	return n == strlen(name) && memcmp(bytes, name, n) == 0;
}

static int64_t boxed_int(rl_val v)
{
	CHECK(type_of(v) == RL_T_BOX_INT, "expected a box-int, found type %u", type_of(v));
	int64_t n;
	memcpy(&n, rl_ptr(v)->w, sizeof n);
	return n;
}

static double boxed_double(rl_val v)
{
	CHECK(type_of(v) == RL_T_BOX_DOUBLE, "expected a box-double, found type %u", type_of(v));
	double x;
	memcpy(&x, rl_ptr(v)->w, sizeof x);
	return x;
}

/* The value of key `key` in a JSON object (a vector of pairs). */
static rl_val member(rl_val object, const char *key)
{
	for (size_t i = 0; i < vec_len(object); i++)
		if (is_symbol(car(vec_ref(object, i)), key))
			return cdr(vec_ref(object, i));
	CHECK(false, "no key %s", key);
	return RL_NIL;
}

/* Objects in src: with layout=alloc, every object the load allocated. */
static size_t objects_in(const rl_region *r)
{
	size_t n = 0;
	const rl_block *chains[2] = { r->small.head, r->large.head };
	for (int c = 0; c < 2; c++)
		for (rl_block *b = (rl_block *)chains[c]; b != NULL; b = b->next)
			for (rl_obj *o = rl_block_first_obj(b); rl_block_has_obj(b, o);
			     o = (rl_obj *)((char *)o + rl_obj_size(o)))
				n++;
	return n;
}

/* ---- JSON: structure ------------------------------------------------------------ */
static void test_json_objects_are_vectors_of_pairs_with_interned_keys(void)
{
	rl_graph g;
	rl_val root = load(&rl_wl_json, "{\"a\": 1, \"b\": [true, null, \"x\"], \"a\": -2, \"c\": {}}", &g);
	CHECK(vec_len(root) == 4, "4 members (duplicates kept), got %zu", vec_len(root));
	CHECK(is_symbol(car(vec_ref(root, 0)), "a"), "first key a");
	CHECK(car(vec_ref(root, 0)) == car(vec_ref(root, 2)), "the two keys \"a\" must be one symbol");
	CHECK(cdr(vec_ref(root, 0)) == rl_fixnum(1), "a = 1");
	CHECK(cdr(vec_ref(root, 2)) == rl_fixnum(-2), "second a = -2");
	rl_val b = cdr(vec_ref(root, 1));
	CHECK(vec_len(b) == 3, "b has 3 elements");
	CHECK(is_symbol(vec_ref(b, 0), "true") && is_symbol(vec_ref(b, 1), "null"), "true and null are symbols");
	CHECK(is_string(vec_ref(b, 2), "x", 1), "\"x\" is a string");
	CHECK(vec_len(cdr(vec_ref(root, 3))) == 0, "{} is an empty vector");
	rl_graph_free(&g);
}

static void test_json_symbols_are_shared_within_a_document(void)
{
	rl_graph g;
	rl_val root = load(&rl_wl_json, "[null, null, {\"null\": false}, false, true, \"null\"]", &g);
	rl_val null = vec_ref(root, 0);
	CHECK(vec_ref(root, 1) == null, "every null is one object");
	CHECK(car(vec_ref(vec_ref(root, 2), 0)) == null, "the key \"null\" is the symbol null");
	CHECK(cdr(vec_ref(vec_ref(root, 2), 0)) == vec_ref(root, 3), "every false is one object");
	CHECK(vec_ref(root, 5) != null && is_string(vec_ref(root, 5), "null", 4), "a string is never interned");
	/* 3 symbols, 1 string, 1 pair, 2 vectors: nothing else was allocated. */
	CHECK(objects_in(g.src) == 7, "objects allocated: %zu, expected 7", objects_in(g.src));
	rl_graph_free(&g);
}

static void test_json_string_escapes_and_surrogate_pairs(void)
{
	rl_graph g;
	rl_val root = load(&rl_wl_json,
			   "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", \"\\ud83d\\ude00\", "
			   "\"\\ud800x\\udc00\", \"\xc3\xa9\xe2\x82\xac\", \"nul\\u0000in\", \"\"]",
			   &g);
	CHECK(is_string(vec_ref(root, 0), "a\"b\\c/d\b\f\n\r\t", 12), "simple escapes");
	CHECK(is_string(vec_ref(root, 1), "\xc3\xa9\xe2\x82\xac", 5), "\\u escapes become UTF-8");
	CHECK(is_string(vec_ref(root, 2), "\xf0\x9f\x98\x80", 4), "a surrogate pair is one code point");
	CHECK(is_string(vec_ref(root, 3), "\xef\xbf\xbdx\xef\xbf\xbd", 7), "lone surrogates become U+FFFD");
	CHECK(is_string(vec_ref(root, 4), "\xc3\xa9\xe2\x82\xac", 5), "raw UTF-8 is kept");
	CHECK(is_string(vec_ref(root, 5), "nul\0in", 6), "\\u0000 is a byte of the string");
	CHECK(is_string(vec_ref(root, 6), "", 0), "the empty string");
	rl_graph_free(&g);
}

static void test_json_numbers(void)
{
	rl_graph g;
	rl_val root = load(&rl_wl_json,
			   "[0, -0, 4611686018427387903, 4611686018427387904, -4611686018427387904, "
			   "-4611686018427387905, 9223372036854775807, -9223372036854775808, 9223372036854775808, "
			   "1.5, -2e3, 1E400, 0.1e-2]",
			   &g);
	CHECK(vec_ref(root, 0) == rl_fixnum(0) && vec_ref(root, 1) == rl_fixnum(0), "0 and -0 are fixnum 0");
	CHECK(vec_ref(root, 2) == rl_fixnum(FIXNUM_MAX), "2^62-1 is the largest fixnum");
	CHECK(boxed_int(vec_ref(root, 3)) == INT64_C(4611686018427387904), "2^62 is boxed");
	CHECK(vec_ref(root, 4) == rl_fixnum(-FIXNUM_MAX - 1), "-2^62 is the smallest fixnum");
	CHECK(boxed_int(vec_ref(root, 5)) == INT64_C(-4611686018427387905), "-2^62-1 is boxed");
	CHECK(boxed_int(vec_ref(root, 6)) == INT64_MAX, "INT64_MAX is a boxed int");
	CHECK(boxed_int(vec_ref(root, 7)) == INT64_MIN, "INT64_MIN is a boxed int");
	CHECK(boxed_double(vec_ref(root, 8)) == 9223372036854775808.0, "past int64: a double");
	CHECK(boxed_double(vec_ref(root, 9)) == 1.5, "1.5");
	CHECK(boxed_double(vec_ref(root, 10)) == -2000.0, "-2e3");
	CHECK(isinf(boxed_double(vec_ref(root, 11))), "1E400 overflows to infinity");
	CHECK(boxed_double(vec_ref(root, 12)) == 0.001, "0.1e-2");
	rl_graph_free(&g);
}

static void test_json_scalar_documents(void)
{
	rl_graph g;
	CHECK(boxed_int(load(&rl_wl_json, " 42 ", &g)) == 42, "a small number document is boxed");
	rl_graph_free(&g);
	CHECK(is_string(load(&rl_wl_json, "\"s\"", &g), "s", 1), "a string document");
	rl_graph_free(&g);
	CHECK(is_symbol(load(&rl_wl_json, "\xef\xbb\xbfnull\n", &g), "null"), "a BOM is skipped");
	rl_graph_free(&g);
}

/* Deep nesting needs no C stack: 200000 levels of arrays. */
static void test_json_deep_nesting(void)
{
	size_t depth = 200000;
	char *text = malloc(2 * depth + 2);
	CHECK(text != NULL, "malloc");
	memset(text, '[', depth);
	memset(text + depth, ']', depth);
	text[2 * depth] = '\0';
	rl_graph g;
	rl_val v = load(&rl_wl_json, text, &g);
	free(text);
	for (size_t i = 1; i < depth; i++) {
		CHECK(vec_len(v) == 1, "level %zu holds one element", i);
		v = vec_ref(v, 0);
	}
	CHECK(vec_len(v) == 0, "the innermost array is empty");
	rl_graph_free(&g);
}

/* A generated document of many records: every record's keys are the same
 * three symbols, so the graph is a DAG of real shape. */
static void test_json_many_records_share_their_keys(void)
{
	size_t records = 20000, cap = records * 64 + 16, used = 0;
	char *text = malloc(cap);
	CHECK(text != NULL, "malloc");
	used += (size_t)snprintf(text + used, cap - used, "[");
	for (size_t i = 0; i < records; i++)
		used += (size_t)snprintf(text + used, cap - used, "%s{\"id\":%zu,\"name\":\"n%zu\",\"ok\":%s}",
					 i ? "," : "", i, i, i % 2 ? "true" : "false");
	snprintf(text + used, cap - used, "]");
	rl_graph g;
	rl_val root = load(&rl_wl_json, text, &g);
	free(text);
	CHECK(vec_len(root) == records, "%zu records", vec_len(root));
	rl_val first = vec_ref(root, 0), last = vec_ref(root, records - 1);
	for (size_t k = 0; k < 3; k++)
		CHECK(car(vec_ref(first, k)) == car(vec_ref(last, k)), "key %zu is shared", k);
	CHECK(member(last, "id") == rl_fixnum((intptr_t)records - 1), "last id");
	CHECK(is_string(member(last, "name"), "n19999", 6), "last name");
	/* Per record: 3 pairs, 1 vector, 1 string; plus 5 symbols and the root. */
	CHECK(objects_in(g.src) == records * 5 + 6, "objects: %zu", objects_in(g.src));
	rl_graph_free(&g);
}

static void test_json_sample_file(void)
{
	char err[512] = "";
	rl_graph g;
	const char *path = data_file("sample.json");
	CHECK(load_file(&rl_wl_json, path, "alloc", &g, err, sizeof err) == 0, "%s", err);
	rl_val numbers = member(g.root, "numbers");
	CHECK(vec_len(numbers) == 10, "10 numbers");
	CHECK(boxed_double(vec_ref(numbers, 6)) == 18446744073709551616.0, "2^64 is a double");
	rl_val records = member(g.root, "records");
	CHECK(vec_len(records) == 3, "3 records");
	CHECK(member(vec_ref(records, 0), "parent") == vec_ref(member(g.root, "flags"), 2),
	      "null is one object across the document");
	rl_val nested = member(member(vec_ref(records, 2), "extra"), "nested");
	CHECK(vec_len(vec_ref(vec_ref(nested, 0), 0)) == 0, "[[[]]]");
	rl_graph_free(&g);
}

/* ---- JSON: malformed input ----------------------------------------------------------- */
static void test_json_errors_name_line_and_column(void)
{
	expect_error(&rl_wl_json, "", "1:1", "expected a value, found end of input");
	expect_error(&rl_wl_json, "[1, 2", "1:1", "'[' is never closed");
	expect_error(&rl_wl_json, "{\"a\": [1,\n  {\"b\": 2}", "1:7", "'[' is never closed");
	expect_error(&rl_wl_json, "{\"a\": [1,\n  {\"b\": 2}]", "1:1", "'{' is never closed");
	expect_error(&rl_wl_json, "{\"a\" 1}", "1:6", "expected ':' after a key, found '1'");
	expect_error(&rl_wl_json, "{1: 2}", "1:2", "expected a string key, found '1'");
	expect_error(&rl_wl_json, "{\"a\": 1,}", "1:9", "expected a string key, found '}'");
	expect_error(&rl_wl_json, "[1,]", "1:4", "expected a value, found ']'");
	expect_error(&rl_wl_json, "[1 2]", "1:4", "expected ',' or ']', found '2'");
	expect_error(&rl_wl_json, "[01]", "1:2", "a number must not have leading zeros");
	expect_error(&rl_wl_json, "[1.]", "1:4", "expected a digit after '.', found ']'");
	expect_error(&rl_wl_json, "[-]", "1:3", "expected a digit after '-', found ']'");
	expect_error(&rl_wl_json, "[1e+]", "1:5", "expected a digit in the exponent, found ']'");
	expect_error(&rl_wl_json, "\"abc", "1:1", "unterminated string");
	expect_error(&rl_wl_json, "[\n  tru]", "2:3", "expected a value, found 't'");
	expect_error(&rl_wl_json, "[\"\\x\"]", "1:3", "unknown escape \\ followed by 'x'");
	expect_error(&rl_wl_json, "[\"a\\u12\"]", "1:4", "\\u must be followed by four hex digits");
	expect_error(&rl_wl_json, "[\"a\tb\"]", "1:4", "control character 0x09 must be escaped in a string");
	expect_error(&rl_wl_json, "[\"a\xff\"]", "1:4", "invalid UTF-8: byte 0xff (a document must be UTF-8)");
	expect_error(&rl_wl_json, "[1] 2", "1:5", "expected end of input after the document, found '2'");
	/* Columns count characters, not bytes: the two 2-byte letters are one column each. */
	expect_error(&rl_wl_json, "[\"\xc3\xa9\xc3\xa9\", x]", "1:8", "expected a value, found 'x'");
	expect_error(&rl_wl_json, "[\r\n1,\r\n\r\n  @]", "4:3", "expected a value, found '@'");
}

static void test_json_missing_file_or_option(void)
{
	char err[512] = "";
	rl_graph g;
	rl_kv_list kv = { 0 };
	CHECK(rl_graph_make(&rl_wl_json, 1, 1, &kv, &g, err, sizeof err) == -1, "no file option must fail");
	CHECK(strcmp(err, "workload json: no document given: write --workload=json:file=PATH") == 0, "%s",
	      err);
	char path[128];
	snprintf(path, sizeof path, "%s/no-such-file.json", tmpdir);
	CHECK(load_file(&rl_wl_json, path, "alloc", &g, err, sizeof err) == -1, "a missing file must fail");
	CHECK(strstr(err, path) != NULL && strstr(err, "cannot read") != NULL, "%s", err);
	CHECK(load_file(&rl_wl_json, tmpdir, "alloc", &g, err, sizeof err) == -1, "a directory must fail");
	char expected[256];
	snprintf(expected, sizeof expected, "workload json: %s is a directory (expected a json document)", tmpdir);
	CHECK(strcmp(err, expected) == 0, "a directory said \"%s\"", err);
	CHECK(load_file(&rl_wl_sexp, "/dev/null", "alloc", &g, err, sizeof err) == -1, "a device must fail");
	CHECK(strcmp(err, "workload sexp: /dev/null is not a regular file (expected a sexp document)") == 0, "%s", err);
}

/* One UTF-8 policy for both readers (reader.c): a document must be
 * well-formed UTF-8 everywhere, else the load fails at the first bad byte. */
static void test_both_readers_reject_invalid_utf8(void)
{
	const char *what = "invalid UTF-8: byte 0x%02x (a document must be UTF-8)";
	char msg[128];
	snprintf(msg, sizeof msg, what, 0xe9);
	expect_error(&rl_wl_sexp, "(\"caf\xe9\")", "1:6", msg); /* Latin-1 in a string */
	expect_error(&rl_wl_sexp, "(a b\xe9)", "1:5", msg);      /* in a symbol */
	expect_error(&rl_wl_sexp, "; \xe9\n(a)", "1:3", msg);    /* in a comment */
	expect_error(&rl_wl_json, "[1] \xe9", "1:5", msg);
	snprintf(msg, sizeof msg, what, 0xc0);
	expect_error(&rl_wl_sexp, "#\\\xc0\x80", "1:3", msg); /* an overlong NUL */
	expect_error(&rl_wl_json, "[\"\xc0\x80\"]", "1:3", msg);
	snprintf(msg, sizeof msg, what, 0xed);
	expect_error(&rl_wl_sexp, "|\xed\xa0\x80|", "1:2", msg); /* a surrogate */
	snprintf(msg, sizeof msg, what, 0xe2);
	expect_error(&rl_wl_sexp, "(\"\xe2\x82", "1:3", msg); /* cut short by the end */
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp, "(\"caf\xc3\xa9\" \xce\xbb #\\\xf0\x9f\x98\x80)", &g);
	CHECK(is_string(nth(car(forms), 0), "caf\xc3\xa9", 5), "UTF-8 in a string is kept");
	CHECK(is_symbol(nth(car(forms), 1), "\xce\xbb"), "UTF-8 in a symbol is kept");
	CHECK(nth(car(forms), 2) == rl_char(0x1f600), "a 4-byte character");
	rl_graph_free(&g);
}

/* ---- S-expressions: structure ------------------------------------------------------------ */
static void test_sexp_lists_pairs_and_symbols(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp, "(a . b) (a b c) () [x (y)] (a . (b . (c . ())))", &g);
	CHECK(list_length(forms) == 5, "a file is the list of its 5 forms, got %zu", list_length(forms));
	rl_val pair = nth(forms, 0);
	CHECK(is_symbol(car(pair), "a") && is_symbol(cdr(pair), "b"), "(a . b)");
	rl_val abc = nth(forms, 1);
	CHECK(list_length(abc) == 3 && is_symbol(nth(abc, 2), "c"), "(a b c)");
	CHECK(car(pair) == nth(abc, 0), "symbols are interned: one a");
	CHECK(nth(forms, 2) == RL_NIL, "() is the empty list");
	rl_val bracket = nth(forms, 3);
	CHECK(is_symbol(nth(bracket, 0), "x") && is_symbol(car(nth(bracket, 1)), "y"), "[x (y)]");
	rl_val dotted = nth(forms, 4);
	CHECK(list_length(dotted) == 3 && nth(dotted, 2) == nth(abc, 2), "dotted spelling of a proper list");
	rl_graph_free(&g);
}

static void test_sexp_datum_label_makes_a_ring(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp, "#0=(1 2 . #0#)", &g);
	rl_val ring = car(forms);
	CHECK(car(ring) == rl_fixnum(1) && car(cdr(ring)) == rl_fixnum(2), "(1 2 ...)");
	CHECK(cdr(cdr(ring)) == ring, "the tail is the ring itself: a real cycle");
	rl_graph_free(&g);

	forms = load(&rl_wl_sexp, "#5=(#5# . #5#) #1=#(a #1# (b . #1#))", &g);
	rl_val self = car(forms);
	CHECK(car(self) == self && cdr(self) == self, "both slots of #5= point at itself");
	rl_val vec = nth(forms, 1);
	CHECK(vec_ref(vec, 1) == vec && cdr(vec_ref(vec, 2)) == vec, "a vector that contains itself twice");
	rl_graph_free(&g);
}

static void test_sexp_datum_label_shares(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp, "(#1=(x) #1# '#1#) #0=(a #2=(b #0#) #2#)", &g);
	rl_val shared = car(forms);
	CHECK(nth(shared, 0) == nth(shared, 1), "#1# is the object #1= labels");
	CHECK(nth(nth(shared, 2), 1) == nth(shared, 0), "'#1# quotes the same object");
	rl_val outer = nth(forms, 1);
	rl_val inner = nth(outer, 1);
	CHECK(nth(inner, 1) == outer, "a forward reference from a nested label to the enclosing one");
	CHECK(nth(outer, 2) == inner, "a reference to a completed label");
	rl_graph_free(&g);

	/* #1= labels a placeholder of #0: the slot moves to #0's chain. */
	forms = load(&rl_wl_sexp, "#0=(#1=#0# #1#)", &g);
	rl_val l = car(forms);
	CHECK(nth(l, 0) == l && nth(l, 1) == l, "a label of a label of the enclosing datum");
	rl_graph_free(&g);
}

/* A label defined as a reference to an enclosing label that is still open,
 * used after the enclosing datum is complete: it must give that datum (it
 * once gave the reader's internal placeholder). */
static void test_sexp_label_of_an_enclosing_label_used_after_it(void)
{
	rl_graph g;
	rl_val top = car(load(&rl_wl_sexp, "(#0=(#1=#0#) #1#)", &g));
	rl_val cell = nth(top, 0);
	CHECK(type_of(cell) == RL_T_CONS && car(cell) == cell && cdr(cell) == RL_NIL, "#0= is a cell holding itself");
	CHECK(nth(top, 1) == cell, "#1# is the #0# cell, got %#lx", (unsigned long)nth(top, 1));
	CHECK(list_length(top) == 2, "two elements");
	rl_graph_free(&g);

	top = car(load(&rl_wl_sexp, "(#0=(x . #1=#0#) #1#)", &g));
	cell = nth(top, 0);
	CHECK(is_symbol(car(cell), "x") && cdr(cell) == cell, "#0= is a ring of x");
	CHECK(nth(top, 1) == cell, "#1# is the ring, got %#lx", (unsigned long)nth(top, 1));
	rl_graph_free(&g);

	top = car(load(&rl_wl_sexp, "(#0=#(#1=#0#) #1#)", &g));
	rl_val vec = nth(top, 0);
	CHECK(type_of(vec) == RL_T_VECTOR && vec_ref(vec, 0) == vec, "#0= is a vector holding itself");
	CHECK(nth(top, 1) == vec, "#1# is the vector, got %#lx", (unsigned long)nth(top, 1));
	rl_graph_free(&g);

	/* Deeper: a chain of labels each naming the one before, used inside and after. */
	top = car(load(&rl_wl_sexp, "(#0=(a #1=(b #2=#1# #3=#0#) #2# #3#) #1# #2# #3#)", &g));
	rl_val zero = nth(top, 0), one = nth(zero, 1);
	CHECK(is_symbol(car(one), "b") && nth(one, 1) == one && nth(one, 2) == zero, "#2# and #3# inside #1=");
	CHECK(nth(zero, 2) == one && nth(zero, 3) == zero, "#2# and #3# after #1= closed");
	CHECK(nth(top, 1) == one && nth(top, 2) == one && nth(top, 3) == zero, "#1# #2# #3# after #0= closed");
	rl_graph_free(&g);

	/* Through a shorthand and a dotted tail. */
	top = car(load(&rl_wl_sexp, "(#0=(q . '#1=#0#) . #1#)", &g));
	cell = nth(top, 0);
	CHECK(nth(cdr(cell), 1) == cell && cdr(top) == cell, "'#1=#0# and the tail #1#");
	rl_graph_free(&g);
}

static void test_sexp_atoms(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp,
			    "#t #f #true #false #\\a #\\space #\\newline #\\x41 #\\( #\\\xce\xbb #\\nul #\\101 "
			    "#\\Space #:key |odd sym| a\\ b #{x y}# || #nil",
			    &g);
	const rl_val expected[] = { RL_TRUE, RL_FALSE, RL_TRUE, RL_FALSE, rl_char('a'), rl_char(' '),
				    rl_char('\n'), rl_char('A'), rl_char('('), rl_char(0x3bb), rl_char(0),
				    rl_char('A'), rl_char(' ') };
	size_t n = sizeof expected / sizeof expected[0];
	for (size_t i = 0; i < n; i++)
		CHECK(nth(forms, i) == expected[i], "atom %zu is %#lx, expected %#lx", i, (unsigned long)nth(forms, i),
		      (unsigned long)expected[i]);
	CHECK(is_symbol(nth(forms, n), "#:key"), "#:key is the symbol \"#:key\"");
	CHECK(is_symbol(nth(forms, n + 1), "odd sym"), "|odd sym|");
	CHECK(is_symbol(nth(forms, n + 2), "a b"), "a\\ b");
	CHECK(is_symbol(nth(forms, n + 3), "x y"), "#{x y}#");
	CHECK(is_symbol(nth(forms, n + 4), ""), "|| is the empty symbol");
	CHECK(is_symbol(nth(forms, n + 5), "#nil"), "#nil");
	rl_graph_free(&g);
}

static void test_sexp_strings(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp,
			    "\"plain\" \"a\\tb\\nc\\\\d\\\"e\\|f\\a\" \"\\x41;\\x3bb;\\x42C\" \"\\u00e9\\U01F600\" "
			    "\"one \\\n     line\" \"multi\nline\" \"\"",
			    &g);
	CHECK(is_string(nth(forms, 0), "plain", 5), "plain");
	CHECK(is_string(nth(forms, 1), "a\tb\nc\\d\"e|f\a", 12), "character escapes");
	CHECK(is_string(nth(forms, 2), "A\xce\xbb\x42\x43", 5), "R7RS \\x...; and Guile's two-digit \\xHH");
	CHECK(is_string(nth(forms, 3), "\xc3\xa9\xf0\x9f\x98\x80", 6), "\\u and \\U");
	CHECK(is_string(nth(forms, 4), "one line", 8), "\\ newline joins lines");
	CHECK(is_string(nth(forms, 5), "multi\nline", 10), "a raw newline stays");
	CHECK(is_string(nth(forms, 6), "", 0), "the empty string");
	rl_graph_free(&g);
}

static void test_sexp_numbers(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp,
			    "42 -7 +5 #x1f #X-FF #b101 #o17 #d10 3.5 -.5 1e3 1/2 6/3 -9/3 4611686018427387904 "
			    "99999999999999999999 +inf.0 -inf.0 #e2.0 #i3 #x#e10 + - ... 1+ -> 1/x",
			    &g);
	const rl_val fixnums[] = { rl_fixnum(42), rl_fixnum(-7), rl_fixnum(5),  rl_fixnum(31),
				   rl_fixnum(-255), rl_fixnum(5), rl_fixnum(15), rl_fixnum(10) };
	for (size_t i = 0; i < 8; i++)
		CHECK(nth(forms, i) == fixnums[i], "integer %zu", i);
	CHECK(boxed_double(nth(forms, 8)) == 3.5 && boxed_double(nth(forms, 9)) == -0.5, "decimals");
	CHECK(boxed_double(nth(forms, 10)) == 1000.0, "1e3");
	CHECK(boxed_double(nth(forms, 11)) == 0.5, "1/2 is a double");
	CHECK(nth(forms, 12) == rl_fixnum(2) && nth(forms, 13) == rl_fixnum(-3), "n/d that divides is an integer");
	CHECK(boxed_int(nth(forms, 14)) == INT64_C(4611686018427387904), "2^62 is boxed");
	CHECK(boxed_double(nth(forms, 15)) == 1e20, "past int64: a double");
	CHECK(isinf(boxed_double(nth(forms, 16))) && boxed_double(nth(forms, 17)) < 0, "infinities");
	CHECK(nth(forms, 18) == rl_fixnum(2), "#e2.0 is exact 2");
	CHECK(boxed_double(nth(forms, 19)) == 3.0, "#i3 is inexact");
	CHECK(nth(forms, 20) == rl_fixnum(16), "#x#e10");
	const char *symbols[] = { "+", "-", "...", "1+", "->", "1/x" };
	for (size_t i = 0; i < 6; i++)
		CHECK(is_symbol(nth(forms, 21 + i), symbols[i]), "%s is a symbol", symbols[i]);
	rl_graph_free(&g);
}

static void test_sexp_vectors_bytevectors_and_shorthand(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp, "#(1 (2) \"s\") #() #u8(0 1 255) #vu8() 'x `(a ,b ,@c) #'s", &g);
	rl_val vec = nth(forms, 0);
	CHECK(vec_len(vec) == 3 && vec_ref(vec, 0) == rl_fixnum(1), "#(1 (2) \"s\")");
	CHECK(car(vec_ref(vec, 1)) == rl_fixnum(2) && is_string(vec_ref(vec, 2), "s", 1), "vector items");
	CHECK(vec_len(nth(forms, 1)) == 0, "#()");
	rl_val bytes = nth(forms, 2);
	CHECK(type_of(bytes) == RL_T_BLOB && rl_obj_bytes(rl_ptr(bytes)) == 3, "#u8 is a blob of 3 bytes");
	CHECK(memcmp(rl_ptr(bytes)->w, "\x00\x01\xff", 3) == 0, "bytevector contents");
	CHECK(type_of(nth(forms, 3)) == RL_T_BLOB && rl_obj_bytes(rl_ptr(nth(forms, 3))) == 0, "#vu8()");
	rl_val quoted = nth(forms, 4);
	CHECK(list_length(quoted) == 2 && is_symbol(nth(quoted, 0), "quote") && is_symbol(nth(quoted, 1), "x"),
	      "'x is (quote x)");
	rl_val qq = nth(forms, 5);
	CHECK(is_symbol(nth(qq, 0), "quasiquote"), "`");
	rl_val body = nth(qq, 1);
	CHECK(is_symbol(nth(nth(body, 1), 0), "unquote") && is_symbol(nth(nth(body, 2), 0), "unquote-splicing"),
	      ", and ,@");
	CHECK(is_symbol(nth(nth(forms, 6), 0), "syntax"), "#' is syntax");
	rl_graph_free(&g);
}

/* Comments allocate nothing: the file below holds one symbol in one cell. */
static void test_sexp_comments_allocate_nothing(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp,
			    "; line comment (a b)\n"
			    "#| block #| nested (c) |# still |#\n"
			    "#;(ignored \"datum\" #(1 2) #0=(x . #0#) #9#) #; #;a b\n"
			    "#!fold-case #!r6rs\n"
			    "x ; trailing",
			    &g);
	CHECK(list_length(forms) == 1 && is_symbol(car(forms), "x"), "one form: x");
	CHECK(objects_in(g.src) == 2, "only x and its cell were allocated, not %zu objects", objects_in(g.src));
	rl_graph_free(&g);

	forms = load(&rl_wl_sexp, "#!/usr/bin/env guile\n-s\n!#\n#!fold-case\nHello #!no-fold-case World", &g);
	CHECK(is_symbol(nth(forms, 0), "hello") && is_symbol(nth(forms, 1), "World"), "header and fold-case");
	rl_graph_free(&g);
}

/* A label's scope is its top-level datum: labels may be reused after it. */
static void test_sexp_labels_are_scoped_to_a_top_level_datum(void)
{
	rl_graph g;
	rl_val forms = load(&rl_wl_sexp, "#0=(a . #0#) #0=(b . #0#)", &g);
	CHECK(is_symbol(car(nth(forms, 0)), "a") && cdr(nth(forms, 0)) == nth(forms, 0), "first ring");
	CHECK(is_symbol(car(nth(forms, 1)), "b") && cdr(nth(forms, 1)) == nth(forms, 1), "second ring");
	rl_graph_free(&g);
	expect_error(&rl_wl_sexp, "#0=(a) #0#", "1:8", "label #0# is not defined");
}

static void test_sexp_deep_nesting(void)
{
	size_t depth = 200000;
	char *text = malloc(2 * depth + 4);
	CHECK(text != NULL, "malloc");
	/* depth lists, the innermost holding '() */
	memset(text, '(', depth);
	memcpy(text + depth, "'()", 3);
	memset(text + depth + 3, ')', depth);
	text[2 * depth + 3] = '\0';
	rl_graph g;
	rl_val v = car(load(&rl_wl_sexp, text, &g));
	free(text);
	for (size_t i = 1; i < depth; i++) {
		CHECK(list_length(v) == 1, "level %zu holds one element", i);
		v = car(v);
	}
	CHECK(list_length(v) == 1, "the innermost list holds one element");
	v = car(v);
	CHECK(is_symbol(car(v), "quote") && nth(v, 1) == RL_NIL, "innermost '()");
	rl_graph_free(&g);
}

static void test_sexp_sample_program(void)
{
	char err[512] = "";
	rl_graph g;
	const char *path = data_file("sample.scm");
	CHECK(load_file(&rl_wl_sexp, path, "alloc", &g, err, sizeof err) == 0, "%s", err);
	CHECK(list_length(g.root) == 1, "one top-level form");
	rl_val lib = car(g.root);
	CHECK(is_symbol(car(lib), "define-library"), "define-library");
	rl_val begin = nth(lib, 4);
	CHECK(is_symbol(car(begin), "begin") && list_length(begin) == 16, "begin with 15 definitions, got %zu",
	      list_length(begin) - 1);
	rl_val ring = nth(nth(nth(begin, 13), 2), 1);
	CHECK(cdr(cdr(cdr(ring))) == ring, "the ring of the sample is a cycle");
	rl_graph_free(&g);
}

/* ---- S-expressions: malformed input ------------------------------------------------------ */
static void test_sexp_errors_name_line_and_column(void)
{
	const struct rl_workload *s = &rl_wl_sexp;
	expect_error(s, "", "1:1", "the file holds no datum");
	expect_error(s, " ; only a comment\n", "2:1", "the file holds no datum");
	expect_error(s, "(a b", "1:1", "'(' is never closed");
	expect_error(s, "(a\n  (b\n", "2:3", "'(' is never closed");
	expect_error(s, "(a))", "1:4", "unexpected ')': no list is open");
	expect_error(s, "(a]", "1:3", "']' does not close the '(' opened at 1:1");
	expect_error(s, "x\n  \"abc", "2:3", "unterminated string");
	expect_error(s, "\"a\\", "1:1", "unterminated string");
	expect_error(s, "\"\\q\"", "1:2", "unknown escape: \\ followed by 'q'");
	expect_error(s, "#0#", "1:1", "label #0# is not defined");
	expect_error(s, "(#0=a #0=b)", "1:7", "label #0= is defined twice");
	expect_error(s, "#0=#0#", "1:1", "label #0= labels nothing but itself");
	expect_error(s, "#0x", "1:1", "expected '=' or '#' after the label number, found 'x'");
	/* A message that quotes the document stays one line (found by fuzz_sexp). */
	expect_error(s, "#\\\nab", "1:1", "unknown character name #\\\\x0aab");
	expect_error(s, "#x1\x01" "2", "1:1", "bad number '#x1\\x012'");
	expect_error(s, "(a #q)", "1:4", "unknown syntax '#' followed by 'q'");
	expect_error(s, "(a . )", "1:6", "expected a datum after '.', found ')'");
	expect_error(s, "(a . b c)", "1:8", "expected ')' after the datum that follows '.', found 'c'");
	expect_error(s, "( . a)", "1:3", "unexpected '.'");
	expect_error(s, "#(a . b)", "1:5", "unexpected '.'");
	expect_error(s, "a #| open", "1:3", "block comment '#|' is never closed");
	expect_error(s, "#\\foo", "1:1", "unknown character name #\\foo");
	expect_error(s, "#\\x110000", "1:1", "#\\x110000 is past the last character U+10FFFF");
	expect_error(s, "(a ')", "1:5", "expected a datum, found ')'");
	expect_error(s, "'", "1:1", "expected a datum after ', found end of input");
	expect_error(s, "(x #;)", "1:6", "expected a datum, found ')'");
	expect_error(s, "#u8(1 256)", "1:7", "a bytevector holds integers from 0 to 255 only");
	expect_error(s, "#xZZ", "1:1", "bad number '#xZZ'");
	expect_error(s, "|abc", "1:1", "'|' symbol is never closed");
	expect_error(s, "(\xce\xbb \x01)", "1:4", "unexpected byte 0x01");
}

/* ---- allocation failures ------------------------------------------------------------------ */
/* Fails the k-th counted allocation of a load (region blocks, the placer's
 * record), for every k until the load succeeds: each failure must report
 * out of memory and leave no block behind. */
static void expect_clean_failures(const struct rl_workload *wl, const char *text, const char *layout)
{
	const char *path = write_doc(text);
	size_t blocks = rl_blocks_live(), k;
	for (k = 1; k < 100000; k++) {
		char err[512] = "";
		rl_graph g;
		rl_fault_fail_at(k);
		int rc = load_file(wl, path, layout, &g, err, sizeof err);
		rl_fault_fail_at(0);
		if (rc == 0) {
			rl_graph_free(&g);
			CHECK(rl_blocks_live() == blocks, "a freed graph left blocks");
			break;
		}
		CHECK(strstr(err, "out of memory") != NULL, "allocation %zu failed: %s", k, err);
		CHECK(rl_blocks_live() == blocks, "failing allocation %zu left %zu blocks", k, rl_blocks_live() - blocks);
	}
	CHECK(k > 10, "only %zu allocations: the document is too small to test this", k - 1);
}

static char *repeat(const char *unit, size_t times, const char *open, const char *close)
{
	size_t len = strlen(unit), cap = strlen(open) + times * len + strlen(close) + 1;
	char *text = malloc(cap);
	CHECK(text != NULL, "malloc");
	char *p = text + sprintf(text, "%s", open);
	for (size_t i = 0; i < times; i++, p += len)
		memcpy(p, unit, len);
	strcpy(p, close);
	return text;
}

static void test_allocation_failures_fail_cleanly(void)
{
	char *json = repeat("{\"id\": 123456789012345678, \"v\": [1.5, \"text\", null]},", 3000, "[", "{}]");
	expect_clean_failures(&rl_wl_json, json, "alloc");
	expect_clean_failures(&rl_wl_json, json, "shuffled");
	free(json);
	char *sexp = repeat("(#0=(a \"str\" 1.5 #(x #0#) #u8(1 2)) . #0#) 'q\n", 3000, "", "");
	expect_clean_failures(&rl_wl_sexp, sexp, "alloc");
	free(sexp);
}

/* ---- every transmigrator carries a loaded document intact -------------------------------- */
static void transmigrate_all(const struct rl_workload *wl, const char *path)
{
	static const char *const layouts[] = { "alloc", "shuffled" };
	rl_kv_list no_opts = { 0 };
	size_t strategies = 0;
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++, strategies++) {
		const struct rl_transmigrator *tm = rl_transmigrators[i];
		for (size_t l = 0; l < 2; l++) {
			char err[512] = "", why[512] = "";
			rl_graph g;
			CHECK(load_file(wl, path, layouts[l], &g, err, sizeof err) == 0, "%s: %s", path, err);
			if (tm->caps & RL_TM_ADOPTS_SRC) /* knows=sole: src's only owner hands it over */
				atomic_store(&g.src->external_rc, 1);
			rl_region *dst = rl_region_create("dst");
			CHECK(dst != NULL, "rl_region_create");
			rl_oracle_before before;
			CHECK(rl_oracle_before_call(&before, g.root, g.src, dst) == 0, "before_call");
			rl_tm_ctx ctx = { .opts = &no_opts };
			rl_val out = RL_NIL;
			int rc = tm->transmigrate(&ctx, g.src, dst, g.root, &out);
			if (rc == RL_TM_OK)
				rc = tm->finish(&ctx);
			CHECK(rc == RL_TM_OK, "%s on %s (%s): %s", tm->name, path, layouts[l], rl_tm_strerror(rc));
			bool src_readable = !(tm->caps & RL_TM_CONSUMES_SRC);
			int verdict = rl_oracle_after_success(&before, g.root, out, &g.src, dst, src_readable, why,
							      sizeof why);
			rl_oracle_before_free(&before);
			rl_region_destroy(dst);
			rl_graph_free(&g);
			CHECK(verdict == 0, "%s on %s (%s): %s", tm->name, path, layouts[l], why);
		}
	}
	CHECK(strategies > 0, "no transmigrator is registered");
}

static void test_every_transmigrator_carries_json(void)
{
	transmigrate_all(&rl_wl_json, data_file("sample.json"));
	transmigrate_all(&rl_wl_json, write_doc("[{\"k\": [1, 2.5, \"s\", null]}, {\"k\": {}}, true]"));
}

static void test_every_transmigrator_carries_sexp(void)
{
	transmigrate_all(&rl_wl_sexp, data_file("sample.scm"));
	/* Cycles and sharing from labels, across lists and vectors. */
	transmigrate_all(&rl_wl_sexp, write_doc("#0=(a #1=#(b #0# #1#) . #0#) (#2=\"s\" #2# #2#) #3=(#3# . #3#)"));
}

static void remove_tmpdir(void)
{
	for (int i = 0; i < doc_counter; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/doc%d", tmpdir, i);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	(void)argc;
	const char *tmp = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/rl-readers-XXXXXX", tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	find_data_dir();
	RL_RUN(test_json_objects_are_vectors_of_pairs_with_interned_keys);
	RL_RUN(test_json_symbols_are_shared_within_a_document);
	RL_RUN(test_json_string_escapes_and_surrogate_pairs);
	RL_RUN(test_json_numbers);
	RL_RUN(test_json_scalar_documents);
	RL_RUN(test_json_deep_nesting);
	RL_RUN(test_json_many_records_share_their_keys);
	RL_RUN(test_json_sample_file);
	RL_RUN(test_json_errors_name_line_and_column);
	RL_RUN(test_json_missing_file_or_option);
	RL_RUN(test_sexp_lists_pairs_and_symbols);
	RL_RUN(test_sexp_datum_label_makes_a_ring);
	RL_RUN(test_sexp_datum_label_shares);
	RL_RUN(test_sexp_label_of_an_enclosing_label_used_after_it);
	RL_RUN(test_both_readers_reject_invalid_utf8);
	RL_RUN(test_sexp_atoms);
	RL_RUN(test_sexp_strings);
	RL_RUN(test_sexp_numbers);
	RL_RUN(test_sexp_vectors_bytevectors_and_shorthand);
	RL_RUN(test_sexp_comments_allocate_nothing);
	RL_RUN(test_sexp_labels_are_scoped_to_a_top_level_datum);
	RL_RUN(test_sexp_deep_nesting);
	RL_RUN(test_sexp_sample_program);
	RL_RUN(test_sexp_errors_name_line_and_column);
	RL_RUN(test_allocation_failures_fail_cleanly);
	RL_RUN(test_every_transmigrator_carries_json);
	RL_RUN(test_every_transmigrator_carries_sexp);
	remove_tmpdir();
	return rl_test_summary(argv[0]);
}
