/* Symbols and globals: one table keyed by a symbol's name (open addressing).
 * The first object of a name the evaluator sees is the interned one: the
 * program's own (the reader interns per file), or one string->symbol makes
 * in I->program, which lives as long as the run.  Each entry also says
 * whether the symbol names a special form and holds its global variable, so
 * that the compiler resolves a name once and compiled code never hashes. */
#include <stdlib.h>
#include <string.h>

#include "lisp/internal.h"

static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(1469598103934665603);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

static void grow(interp *I)
{
	size_t cap = I->syms_cap ? 2 * I->syms_cap : 512;
	symbol_info *t = calloc(cap, sizeof *t);
	if (t == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (symbol table)");
	for (size_t i = 0; i < I->syms_cap; i++) {
		if (I->syms[i].sym == RL_NIL)
			continue;
		const char *name = symbol_name(I->syms[i].sym);
		size_t b = (size_t)name_hash(name, strlen(name)) & (cap - 1);
		while (t[b].sym != RL_NIL)
			b = (b + 1) & (cap - 1);
		t[b] = I->syms[i];
	}
	free(I->syms);
	I->syms = t;
	I->syms_cap = cap;
}

/* The entry of name[0..len), or the empty bucket where it goes. */
static symbol_info *find(interp *I, const char *name, size_t len)
{
	if (2 * (I->nsyms + 1) > I->syms_cap)
		grow(I);
	size_t b = (size_t)name_hash(name, len) & (I->syms_cap - 1);
	for (;; b = (b + 1) & (I->syms_cap - 1)) {
		symbol_info *e = &I->syms[b];
		if (e->sym == RL_NIL)
			return e;
		const char *s = symbol_name(e->sym);
		if (strncmp(s, name, len) == 0 && s[len] == '\0')
			return e;
	}
}

symbol_info *lisp_symbol_info(interp *I, rl_val sym)
{
	const char *name = symbol_name(sym);
	symbol_info *e = find(I, name, strlen(name));
	if (e->sym == RL_NIL) {
		e->sym = sym;
		I->nsyms++;
	}
	return e;
}

rl_val lisp_intern(interp *I, const char *name, size_t len)
{
	if (memchr(name, '\0', len) != NULL)
		lisp_error(I, "string->symbol: a symbol's name cannot hold a NUL character");
	symbol_info *e = find(I, name, len);
	if (e->sym != RL_NIL)
		return e->sym;
	rl_obj *o = rl_obj_new(I->program, RL_T_SYMBOL, (uint32_t)(len + 1));
	if (o == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (symbol)");
	memcpy(o->w, name, len);
	((char *)o->w)[len] = '\0';
	e->sym = rl_val_of(o);
	I->nsyms++;
	return e->sym;
}

global *lisp_global(interp *I, rl_val sym)
{
	symbol_info *e = lisp_symbol_info(I, sym);
	if (e->global == NULL) {
		global *g = arena_alloc(I, sizeof *g);
		g->value = LISP_UNBOUND;
		g->sym = e->sym;
		e->global = g;
	}
	return e->global;
}

void lisp_symbols_free(interp *I)
{
	free(I->syms);
	I->syms = NULL;
	I->nsyms = I->syms_cap = 0;
}

/* Rewrites every symbol in a tree of pairs and vectors (a read-json
 * document: no sharing but its symbols) to the interned one of its name. */
rl_val lisp_canonical_symbols(interp *I, rl_val x)
{
	if (is_symbol(x))
		return lisp_intern(I, symbol_name(x), strlen(symbol_name(x)));
	size_t cap = 256, n = 0;
	rl_val *stack = malloc(cap * sizeof *stack);
	if (stack == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (read-json)");
	stack[n++] = x;
	while (n > 0) {
		rl_val v = stack[--n];
		if (!is_pair(v) && !is_vector(v))
			continue;
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, rl_ptr(v)); (s = rl_slots_next(&it)) != NULL;) {
			if (is_symbol(*s)) {
				*s = lisp_intern(I, symbol_name(*s), strlen(symbol_name(*s)));
				continue;
			}
			if (n == cap) {
				rl_val *bigger = realloc(stack, 2 * cap * sizeof *stack);
				if (bigger == NULL) {
					free(stack);
					lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (read-json)");
				}
				stack = bigger;
				cap *= 2;
			}
			stack[n++] = *s;
		}
	}
	free(stack);
	return x;
}
