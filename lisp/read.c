/* Reader glue: a program is read by the project's S-expression reader (the
 * `sexp` workload) into its own region, I->program, which lives as long as
 * the run.  While it reads, a position hook fills the side table that maps
 * each list the reader made to the line and column of its '(' (open
 * addressing, keyed by the list's address): error messages name them. */
#include <stdlib.h>
#include <string.h>

#include "lisp/internal.h"
#include "regionlab/workload.h"

extern const struct rl_workload rl_wl_sexp;

static size_t pos_bucket(rl_val x, size_t cap) { return (size_t)((x >> 3) * UINT64_C(0x9e3779b97f4a7c15) >> 20) & (cap - 1); }

static bool pos_grow(interp *I)
{
	size_t cap = I->pos_cap ? 2 * I->pos_cap : 1024;
	struct pos_entry *t = calloc(cap, sizeof *t);
	if (t == NULL)
		return false;
	for (size_t i = 0; i < I->pos_cap; i++) {
		if (I->pos[i].list == RL_NIL)
			continue;
		size_t b = pos_bucket(I->pos[i].list, cap);
		while (t[b].list != RL_NIL)
			b = (b + 1) & (cap - 1);
		t[b] = I->pos[i];
	}
	free(I->pos);
	I->pos = t;
	I->pos_cap = cap;
	return true;
}

static void record_position(void *env, rl_val list, size_t line, size_t col)
{
	interp *I = env;
	if (2 * (I->npos + 1) > I->pos_cap && !pos_grow(I))
		return; /* out of memory: that list's errors name the enclosing one */
	size_t b = pos_bucket(list, I->pos_cap);
	while (I->pos[b].list != RL_NIL && I->pos[b].list != list)
		b = (b + 1) & (I->pos_cap - 1);
	if (I->pos[b].list == RL_NIL)
		I->npos++;
	I->pos[b] = (struct pos_entry){ .list = list, .line = (uint32_t)line, .col = (uint32_t)col };
}

bool lisp_position(interp *I, rl_val x, uint32_t *line, uint32_t *col)
{
	if (I->pos_cap == 0 || !rl_is_ptr(x))
		return false;
	for (size_t b = pos_bucket(x, I->pos_cap); I->pos[b].list != RL_NIL; b = (b + 1) & (I->pos_cap - 1))
		if (I->pos[b].list == x) {
			*line = I->pos[b].line;
			*col = I->pos[b].col;
			return true;
		}
	return false;
}

/* Registers every symbol of the program's data as the interned one of its
 * name (the reader interned them per file, so each name has one object).
 * Walks pairs and vectors with an explicit stack; datum labels may make
 * cycles, so the walk is bounded. */
static void intern_program_symbols(interp *I, rl_val root)
{
	size_t cap = 1024, n = 0, steps = 0;
	rl_val *stack = malloc(cap * sizeof *stack);
	if (stack == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory reading the program");
	stack[n++] = root;
	while (n > 0 && steps++ < ((size_t)1 << 24)) {
		rl_val x = stack[--n];
		if (is_symbol(x)) {
			lisp_symbol_info(I, x);
			continue;
		}
		if (!is_pair(x) && !is_vector(x))
			continue;
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, rl_ptr(x)); (s = rl_slots_next(&it)) != NULL;) {
			if (n == cap) {
				rl_val *bigger = realloc(stack, 2 * cap * sizeof *stack);
				if (bigger == NULL) {
					free(stack);
					lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory reading the program");
				}
				stack = bigger;
				cap *= 2;
			}
			stack[n++] = *s;
		}
	}
	free(stack);
}

rl_val lisp_read_program(interp *I, const char *path)
{
	rl_kv_list params = { 0 };
	char err[512];
	if (strlen(path) >= sizeof params.kv[0].val)
		lisp_fail_at(I, NULL, RL_LISP_LOAD, "%s: path too long", path);
	params.count = 1;
	strcpy(params.kv[0].key, "file");
	strcpy(params.kv[0].val, path);
	rl_graph g;
	rl_sexp_set_position_hook(record_position, I);
	int rc = rl_graph_make(&rl_wl_sexp, 1, 0, &params, &g, err, sizeof err);
	rl_sexp_set_position_hook(NULL, NULL);
	if (rc != 0) {
		/* "workload sexp: PATH:L:C: ..." -> "PATH:L:C: ..." */
		const char *msg = strncmp(err, "workload sexp: ", 15) == 0 ? err + 15 : err;
		lisp_fail_at(I, NULL, RL_LISP_LOAD, "%s", msg);
	}
	I->program = g.src;
	rl_region_destroy(g.outside);
	intern_program_symbols(I, g.root);
	return g.root;
}
