/* The compiler: syntax (the reader's data) to nodes with lexical addresses.
 * Special forms are found through the symbol table (lisp/forms.c registers
 * them), never by comparing names here; a symbol bound as a local variable
 * is a variable even when it names a special form. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lisp/internal.h"

void *node_new(interp *I, size_t bytes, eval_fn ev)
{
	node *n = arena_alloc(I, bytes);
	n->ev = ev;
	n->line = I->cline;
	n->col = I->ccol;
	return n;
}

void lisp_syntax_error(interp *I, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	node here = { .line = I->cline, .col = I->ccol };
	lisp_fail_at(I, &here, RL_LISP_ERROR, "syntax error: %s", msg);
}

rl_val lisp_list(interp *I, size_t n, ...)
{
	rl_val items[16];
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n && i < 16; i++)
		items[i] = va_arg(ap, rl_val);
	va_end(ap);
	rl_val l = RL_NIL;
	for (size_t i = n; i-- > 0;) {
		rl_obj *c = rl_obj_new(I->program, RL_T_CONS, 2 * sizeof(rl_val));
		if (c == NULL)
			lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (compiler)");
		c->w[0] = items[i];
		c->w[1] = l;
		l = rl_val_of(c);
	}
	return l;
}

scope *lisp_scope_new(interp *I, scope *sc, const rl_val *names, size_t n, bool heap)
{
	scope *s = arena_alloc(I, sizeof *s);
	s->parent = sc;
	s->names = arena_alloc(I, (n ? n : 1) * sizeof(rl_val));
	if (n)
		memcpy(s->names, names, n * sizeof(rl_val));
	s->n = s->cap = n;
	s->heap = heap;
	return s;
}

static bool locally_bound(scope *sc, rl_val sym)
{
	for (; sc != NULL; sc = sc->parent)
		for (size_t i = 0; i < sc->n; i++)
			if (sc->names[i] == sym)
				return true;
	return false;
}

/* The special form compiler of the list's head, or NULL. */
static form_compiler special_of(interp *I, rl_val head, scope *sc)
{
	if (!is_symbol(head))
		return NULL;
	form_compiler f = lisp_symbol_info(I, head)->special;
	return f != NULL && !locally_bound(sc, head) ? f : NULL;
}

bool lisp_makes_closure(interp *I, rl_val x)
{
	while (is_pair(x)) {
		rl_val head = car(x);
		if (is_symbol(head)) {
			if (head == I->s_quote)
				return false;
			if (head == I->s_lambda || head == I->s_do)
				return true;
			if (head == I->s_define && is_pair(cdr(x)) && is_pair(car(cdr(x))))
				return true;
			if (head == I->s_let && is_pair(cdr(x)) && is_symbol(car(cdr(x))))
				return true;
		} else if (lisp_makes_closure(I, head)) {
			return true;
		}
		for (x = cdr(x); is_pair(x); x = cdr(x))
			if (is_pair(car(x)) && lisp_makes_closure(I, car(x)))
				return true;
		return false;
	}
	return false;
}

static node *compile_app(interp *I, rl_val x, scope *sc, bool tail)
{
	long long n = 0;
	for (rl_val a = cdr(x); is_pair(a); a = cdr(a))
		n++;
	node *fn = lisp_compile(I, car(x), sc, false);
	node **args = arena_alloc(I, (size_t)(n ? n : 1) * sizeof(node *));
	size_t i = 0;
	rl_val a = cdr(x);
	for (; is_pair(a); a = cdr(a))
		args[i++] = lisp_compile(I, car(a), sc, false);
	if (a != RL_NIL)
		lisp_syntax_error(I, "a call's arguments must be a proper list");
	return node_app(I, fn, args, (size_t)n, tail);
}

node *lisp_compile(interp *I, rl_val x, scope *sc, bool tail)
{
	if (is_symbol(x))
		return node_ref(I, x, sc);
	if (!is_pair(x)) {
		if (x == RL_NIL)
			lisp_syntax_error(I, "() is not an expression (quote it: '())");
		return node_const(I, x); /* self-evaluating */
	}
	uint32_t line = I->cline, col = I->ccol;
	lisp_position(I, x, &I->cline, &I->ccol);
	form_compiler special = special_of(I, car(x), sc);
	node *n = special != NULL ? special(I, x, sc, tail) : compile_app(I, x, sc, tail);
	I->cline = line;
	I->ccol = col;
	return n;
}

static bool is_define(interp *I, rl_val form, scope *sc)
{
	return is_pair(form) && car(form) == I->s_define && !locally_bound(sc, I->s_define);
}

/* (define name value) or (define (name . params) body...): the name. */
static rl_val define_name(interp *I, rl_val form)
{
	rl_val rest = cdr(form);
	if (!is_pair(rest))
		lisp_syntax_error(I, "define needs a name");
	rl_val target = car(rest);
	while (is_pair(target)) /* curried defines: (define ((f a) b) ...) */
		target = car(target);
	if (!is_symbol(target))
		lisp_syntax_error(I, "define needs a symbol to define");
	return target;
}

node *lisp_compile_define_value(interp *I, rl_val form, scope *sc)
{
	rl_val rest = cdr(form), target = car(rest);
	if (is_pair(target))
		return lisp_compile_lambda(I, cdr(target), cdr(rest), sc, symbol_name(define_name(I, form)));
	if (!is_pair(cdr(rest)))
		return node_const(I, RL_UNSPEC);
	if (cdr(cdr(rest)) != RL_NIL)
		lisp_syntax_error(I, "define takes one value");
	rl_val value = car(cdr(rest));
	/* (define f (lambda ...)): the lambda is named f in messages */
	if (is_pair(value) && car(value) == I->s_lambda && !locally_bound(sc, I->s_lambda) && is_pair(cdr(value)))
		return lisp_compile_lambda(I, car(cdr(value)), cdr(cdr(value)), sc, symbol_name(target));
	return lisp_compile(I, value, sc, false);
}

node *lisp_compile_body(interp *I, rl_val body, scope *sc, bool tail)
{
	size_t nforms = 0, ndefs = 0;
	for (rl_val b = body; is_pair(b); b = cdr(b)) {
		nforms++;
		if (is_define(I, car(b), sc))
			ndefs++;
	}
	if (nforms == 0)
		lisp_syntax_error(I, "a body needs at least one expression");
	scope *inner = sc;
	if (ndefs > 0) {
		rl_val *names = arena_alloc(I, ndefs * sizeof(rl_val));
		size_t k = 0;
		for (rl_val b = body; is_pair(b); b = cdr(b))
			if (is_define(I, car(b), sc))
				names[k++] = define_name(I, car(b));
		inner = lisp_scope_new(I, sc, names, ndefs, lisp_makes_closure(I, body));
	}
	node **items = arena_alloc(I, nforms * sizeof(node *));
	size_t i = 0;
	for (rl_val b = body; is_pair(b); b = cdr(b), i++) {
		rl_val form = car(b);
		if (ndefs > 0 && is_define(I, form, sc)) {
			uint32_t line = I->cline, col = I->ccol;
			lisp_position(I, form, &I->cline, &I->ccol);
			items[i] = node_set(I, define_name(I, form), lisp_compile_define_value(I, form, inner), inner, true);
			I->cline = line;
			I->ccol = col;
		} else {
			items[i] = lisp_compile(I, form, inner, tail && cdr(b) == RL_NIL);
		}
	}
	node *seq = node_seq(I, items, nforms);
	return ndefs > 0 ? node_let(I, inner, NULL, 0, seq, true) : seq;
}

node *lisp_compile_lambda(interp *I, rl_val params, rl_val body, scope *sc, const char *name)
{
	size_t n = 0;
	rl_val p = params;
	for (; is_pair(p); p = cdr(p)) {
		if (!is_symbol(car(p)))
			lisp_syntax_error(I, "a parameter must be a symbol");
		n++;
	}
	bool rest = p != RL_NIL;
	if (rest && !is_symbol(p))
		lisp_syntax_error(I, "a rest parameter must be a symbol");
	rl_val *names = arena_alloc(I, (n + 1) * sizeof(rl_val));
	size_t i = 0;
	for (p = params; is_pair(p); p = cdr(p))
		names[i++] = car(p);
	if (rest)
		names[i++] = p;
	lambda *L = arena_alloc(I, sizeof *L);
	L->nreq = (unsigned)n;
	L->rest = rest;
	L->heap = lisp_makes_closure(I, body);
	L->name = name;
	L->line = I->cline;
	L->col = I->ccol;
	scope *inner = lisp_scope_new(I, sc, names, i, L->heap);
	L->body = lisp_compile_body(I, body, inner, true);
	return node_lambda(I, L);
}
