/* Equality, predicates, procedures (apply, map, for-each), output, error,
 * and read-json, the one primitive of this evaluator's own (a program uses
 * it under (cond-expand (regionlab ...)) and reads a converted copy
 * elsewhere).  Calls made from here are non-tail calls: each runs in a region
 * of its own (lisp/eval.c). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lisp/internal.h"
#include "regionlab/workload.h"

#define UNUSED_N (void)n

extern const struct rl_workload rl_wl_json;

static rl_val p_eq(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(a[0] == a[1]);
}
static rl_val p_eqv(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(lisp_eqv(a[0], a[1]));
}
static rl_val p_equal(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(lisp_equal(a[0], a[1]));
}
static rl_val p_not(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(a[0] == RL_FALSE);
}
static rl_val p_booleanp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_bool(a[0]));
}
static rl_val p_procedurep(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_closure(a[0]) || is_prim(a[0]));
}

static rl_val p_display(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	lisp_print(I, I->out, a[0], false);
	return RL_UNSPEC;
}
static rl_val p_write(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	lisp_print(I, I->out, a[0], true);
	return RL_UNSPEC;
}
static rl_val p_newline(interp *I, rl_val *a, size_t n)
{
	(void)a;
	UNUSED_N;
	fputc('\n', I->out);
	return RL_UNSPEC;
}

static rl_val p_error(interp *I, rl_val *a, size_t n)
{
	char msg[300];
	FILE *f = fmemopen(msg, sizeof msg, "w");
	if (f == NULL)
		lisp_error(I, "error");
	lisp_print(I, f, a[0], false);
	for (size_t i = 1; i < n; i++) {
		fputc(' ', f);
		lisp_print(I, f, a[i], true);
	}
	fputc('\0', f);
	fclose(f);
	msg[sizeof msg - 1] = '\0';
	lisp_error(I, "error: %s", msg);
}

static rl_val p_apply(interp *I, rl_val *a, size_t n)
{
	rl_val last = a[n - 1];
	long long len = lisp_list_length(I, "apply", last);
	size_t total = n - 2 + (size_t)len;
	node *site = I->site;
	rl_val *frame = lisp_push_frame(I, total);
	memcpy(&frame[1], &a[1], (n - 2) * sizeof(rl_val));
	size_t i = n - 1;
	for (rl_val l = last; is_pair(l); l = cdr(l))
		frame[i++] = car(l);
	rl_val v = lisp_call_frame(I, a[0], frame, total, site);
	I->site = site;
	return v;
}

/* (map f l ...) and (for-each f l ...): stops at the shortest list. */
static rl_val map_like(interp *I, rl_val *a, size_t n, bool collect, const char *who)
{
	size_t nl = n - 1;
	rl_val *lists = a + 1;
	rl_val head = RL_NIL, last = RL_NIL;
	for (size_t i = 0; i < nl; i++)
		if (!is_pair(lists[i]) && lists[i] != RL_NIL)
			lisp_type_error(I, who, "a list", lists[i]);
	/* the cursors live on the value stack, above the arguments */
	rl_val *cur = lisp_push_frame(I, nl);
	memcpy(&cur[1], lists, nl * sizeof(rl_val));
	rl_val args[8], *argv = nl <= 8 ? args : malloc(nl * sizeof(rl_val));
	if (argv == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (%s)", who);
	for (;;) {
		bool done = false;
		for (size_t i = 0; i < nl; i++) {
			if (!is_pair(cur[1 + i])) {
				done = true;
				break;
			}
			argv[i] = car(cur[1 + i]);
			cur[1 + i] = cdr(cur[1 + i]);
		}
		if (done)
			break;
		rl_val v = lisp_apply(I, a[0], argv, nl);
		if (collect) {
			rl_val c = lisp_cons(I, v, RL_NIL); /* v was moved into this region */
			if (last == RL_NIL)
				head = c;
			else
				rl_ptr(last)->w[1] = c; /* both cells are new, in this region */
			last = c;
		}
	}
	if (argv != args)
		free(argv);
	I->sp = cur;
	return collect ? head : RL_UNSPEC;
}
static rl_val p_map(interp *I, rl_val *a, size_t n) { return map_like(I, a, n, true, "map"); }
static rl_val p_for_each(interp *I, rl_val *a, size_t n) { return map_like(I, a, n, false, "for-each"); }

/* A relative PATH that is not found from the current directory is looked
 * for from the program's directory and its parents (a bundled program names
 * its data from the repository root): the path found, in buf. */
static const char *find_document(interp *I, const char *path, char *buf, size_t len)
{
	if (path[0] == '/' || access(path, F_OK) == 0)
		return path;
	char dir[PATH_MAX];
	if (realpath(I->path, dir) == NULL)
		return path;
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(dir, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		int k = snprintf(buf, len, "%s/%s", dir, path);
		if (k > 0 && (size_t)k < len && access(buf, F_OK) == 0)
			return buf;
	}
	return path;
}

/* (read-json PATH): the document, read by the project's JSON reader into a
 * region of its own, its symbols made the program's, then moved into the
 * current region by the strategy (regions=call) or kept as it is (none). */
static rl_val p_read_json(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	if (!is_string(a[0]))
		lisp_type_error(I, "read-json", "a string", a[0]);
	rl_kv_list params = { 0 };
	params.count = 1;
	strcpy(params.kv[0].key, "file");
	char found[1024];
	snprintf(params.kv[0].val, sizeof params.kv[0].val, "%s",
		 find_document(I, string_bytes(a[0]), found, sizeof found));
	char err[512];
	rl_graph g;
	if (rl_graph_make(&rl_wl_json, 1, 0, &params, &g, err, sizeof err) != 0)
		lisp_error(I, "read-json: %s", err);
	rl_region_destroy(g.outside);
	rl_region **docs = realloc(I->docs, (I->ndocs + 1) * sizeof *docs);
	if (docs == NULL) {
		rl_region_destroy(g.src);
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (read-json)");
	}
	I->docs = docs;
	I->docs[I->ndocs++] = g.src; /* freed at the end, or by the move below */
	rl_val root = lisp_canonical_symbols(I, g.root);
	if (!I->call_regions)
		return root;
	I->ndocs--;
	return lisp_adopt_document(I, g.src, root);
}

static const prim table[] = {
	{ "eq?", p_eq, 2, 2 },
	{ "eqv?", p_eqv, 2, 2 },
	{ "equal?", p_equal, 2, 2 },
	{ "not", p_not, 1, 1 },
	{ "boolean?", p_booleanp, 1, 1 },
	{ "procedure?", p_procedurep, 1, 1 },
	{ "display", p_display, 1, 2 },
	{ "write", p_write, 1, 2 },
	{ "newline", p_newline, 0, 1 },
	{ "error", p_error, 1, PRIM_VARIADIC },
	{ "apply", p_apply, 2, PRIM_VARIADIC },
	{ "map", p_map, 2, PRIM_VARIADIC },
	{ "for-each", p_for_each, 2, PRIM_VARIADIC },
	{ "read-json", p_read_json, 1, 1 },
};

void lisp_prims_control(interp *I) { lisp_define_prims(I, table, sizeof table / sizeof table[0]); }

/* Each primitive is a static object (RL_OBJ_STATIC: no region holds it, and
 * transmigration leaves pointers to it alone) of type "lisp-primitive",
 * in the compiler's arena, bound to a global. */
void lisp_define_prims(interp *I, const prim *table_, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rl_obj *o = arena_alloc(I, sizeof(rl_obj) + sizeof(rl_val));
		rl_obj_init(o, lisp_prim_type, RL_OBJ_STATIC, sizeof(rl_val));
		o->w[0] = (rl_val)(uintptr_t)&table_[i];
		rl_val name = lisp_intern(I, table_[i].name, strlen(table_[i].name));
		lisp_global(I, name)->value = rl_val_of(o);
	}
}

void lisp_prims_init(interp *I)
{
	lisp_prims_lists(I);
	lisp_prims_numbers(I);
	lisp_prims_text(I);
	lisp_prims_vectors(I);
	lisp_prims_control(I);
}
