/* Special forms: one compiler per form, found through a table keyed by
 * symbol (each entry's symbol_info.special).  Derived forms (let*, named
 * let, cond, when, unless, do) are rewritten into core forms as syntax
 * (lists made in I->program) and compiled again. */
#include <string.h>

#include "lisp/internal.h"

static size_t list_length(rl_val l)
{
	size_t n = 0;
	for (; is_pair(l); l = cdr(l))
		n++;
	return n;
}

static rl_val nth(rl_val l, size_t i)
{
	while (i-- > 0)
		l = cdr(l);
	return car(l);
}

static rl_val sym(interp *I, const char *name) { return lisp_intern(I, name, strlen(name)); }
static rl_val cons(interp *I, rl_val a, rl_val d)
{
	rl_val l = lisp_list(I, 1, a);
	rl_ptr(l)->w[1] = d;
	return l;
}

static void expect_args(interp *I, rl_val form, size_t lo, size_t hi)
{
	size_t n = list_length(cdr(form));
	rl_val t = form;
	while (is_pair(t))
		t = cdr(t);
	if (t != RL_NIL || n < lo || n > hi) {
		if (hi == lo)
			lisp_syntax_error(I, "bad %s form: expected %zu arguments, got %zu", symbol_name(car(form)), lo, n);
		if (hi >= 1000000)
			lisp_syntax_error(I, "bad %s form: expected at least %zu arguments, got %zu", symbol_name(car(form)),
					  lo, n);
		lisp_syntax_error(I, "bad %s form: expected %zu to %zu arguments, got %zu", symbol_name(car(form)), lo,
				  hi, n);
	}
}

static node *form_quote(interp *I, rl_val x, scope *sc, bool tail)
{
	(void)sc;
	(void)tail;
	expect_args(I, x, 1, 1);
	return node_const(I, car(cdr(x)));
}

static node *form_if(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 3);
	node *test = lisp_compile(I, nth(x, 1), sc, false);
	node *then = lisp_compile(I, nth(x, 2), sc, tail);
	node *otherwise = list_length(x) == 4 ? lisp_compile(I, nth(x, 3), sc, tail) : node_const(I, RL_UNSPEC);
	return node_if(I, test, then, otherwise);
}

static node *form_define(interp *I, rl_val x, scope *sc, bool tail)
{
	(void)tail;
	if (sc != NULL)
		lisp_syntax_error(I, "define is allowed only at the top level or at the start of a body");
	expect_args(I, x, 1, 1000000);
	rl_val target = car(cdr(x));
	while (is_pair(target))
		target = car(target);
	if (!is_symbol(target))
		lisp_syntax_error(I, "define needs a symbol to define");
	return node_set(I, target, lisp_compile_define_value(I, x, sc), sc, true);
}

static node *form_set(interp *I, rl_val x, scope *sc, bool tail)
{
	(void)tail;
	expect_args(I, x, 2, 2);
	if (!is_symbol(nth(x, 1)))
		lisp_syntax_error(I, "set! needs a variable");
	return node_set(I, nth(x, 1), lisp_compile(I, nth(x, 2), sc, false), sc, false);
}

static node *form_lambda(interp *I, rl_val x, scope *sc, bool tail)
{
	(void)tail;
	expect_args(I, x, 2, 1000000);
	return lisp_compile_lambda(I, nth(x, 1), cdr(cdr(x)), sc, "lambda");
}

static node *form_begin(interp *I, rl_val x, scope *sc, bool tail)
{
	size_t n = list_length(cdr(x));
	node **items = arena_alloc(I, (n ? n : 1) * sizeof(node *));
	size_t i = 0;
	for (rl_val b = cdr(x); is_pair(b); b = cdr(b), i++)
		items[i] = lisp_compile(I, car(b), sc, tail && cdr(b) == RL_NIL);
	return node_seq(I, items, n);
}

/* ((name init) ...): names and inits, checked. */
static size_t bindings(interp *I, rl_val bs, rl_val **names, rl_val **inits)
{
	size_t n = list_length(bs);
	*names = arena_alloc(I, (n ? n : 1) * sizeof(rl_val));
	*inits = arena_alloc(I, (n ? n : 1) * sizeof(rl_val));
	size_t i = 0;
	for (; is_pair(bs); bs = cdr(bs), i++) {
		rl_val b = car(bs);
		if (!is_pair(b) || !is_symbol(car(b)) || !is_pair(cdr(b)) || cdr(cdr(b)) != RL_NIL)
			lisp_syntax_error(I, "a binding must be (name value)");
		(*names)[i] = car(b);
		(*inits)[i] = car(cdr(b));
	}
	if (bs != RL_NIL)
		lisp_syntax_error(I, "bindings must be a proper list");
	return n;
}

static node *compile_let(interp *I, rl_val bs, rl_val body, scope *sc, bool tail, bool rec, rl_val whole)
{
	rl_val *names, *inits;
	size_t n = bindings(I, bs, &names, &inits);
	scope *inner = lisp_scope_new(I, sc, names, n, lisp_makes_closure(I, rec ? whole : body));
	node **init_nodes = arena_alloc(I, (n ? n : 1) * sizeof(node *));
	for (size_t i = 0; i < n; i++)
		init_nodes[i] = lisp_compile(I, inits[i], rec ? inner : sc, false);
	return node_let(I, inner, init_nodes, n, lisp_compile_body(I, body, inner, tail), rec);
}

static node *form_let(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 1000000);
	rl_val second = nth(x, 1);
	if (is_symbol(second)) {
		/* (let name ((v i) ...) body...) => ((letrec ((name (lambda (v ...) body...))) name) i ...) */
		if (list_length(x) < 4)
			lisp_syntax_error(I, "a named let needs bindings and a body");
		rl_val *names, *inits;
		size_t n = bindings(I, nth(x, 2), &names, &inits);
		rl_val params = RL_NIL, args = RL_NIL;
		for (size_t i = n; i-- > 0;) {
			params = cons(I, names[i], params);
			args = cons(I, inits[i], args);
		}
		rl_val fn = cons(I, I->s_lambda, cons(I, params, cdr(cdr(cdr(x)))));
		rl_val letrec = lisp_list(I, 3, sym(I, "letrec"), lisp_list(I, 1, lisp_list(I, 2, second, fn)), second);
		return lisp_compile(I, cons(I, letrec, args), sc, tail);
	}
	return compile_let(I, second, cdr(cdr(x)), sc, tail, false, x);
}

static node *form_letrec(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 1000000);
	return compile_let(I, nth(x, 1), cdr(cdr(x)), sc, tail, true, x);
}

static node *form_let_star(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 1000000);
	rl_val bs = nth(x, 1), body = cdr(cdr(x));
	if (!is_pair(bs) || !is_pair(cdr(bs)))
		return compile_let(I, bs, body, sc, tail, false, x);
	rl_val inner = cons(I, car(x), cons(I, cdr(bs), body));
	return compile_let(I, lisp_list(I, 1, car(bs)), lisp_list(I, 1, inner), sc, tail, false, x);
}

static node *form_and(interp *I, rl_val x, scope *sc, bool tail)
{
	size_t n = list_length(cdr(x));
	if (n == 0)
		return node_const(I, RL_TRUE);
	node **items = arena_alloc(I, n * sizeof(node *));
	size_t i = 0;
	for (rl_val b = cdr(x); is_pair(b); b = cdr(b), i++)
		items[i] = lisp_compile(I, car(b), sc, tail && cdr(b) == RL_NIL);
	return node_and_or(I, items, n, true);
}

static node *form_or(interp *I, rl_val x, scope *sc, bool tail)
{
	size_t n = list_length(cdr(x));
	if (n == 0)
		return node_const(I, RL_FALSE);
	node **items = arena_alloc(I, n * sizeof(node *));
	size_t i = 0;
	for (rl_val b = cdr(x); is_pair(b); b = cdr(b), i++)
		items[i] = lisp_compile(I, car(b), sc, tail && cdr(b) == RL_NIL);
	return node_and_or(I, items, n, false);
}

/* (cond (test e ...) ... (else e ...)) => nested ifs; (test) => (or test ...) */
static node *form_cond(interp *I, rl_val x, scope *sc, bool tail)
{
	rl_val clauses = cdr(x);
	if (clauses == RL_NIL)
		return node_const(I, RL_UNSPEC);
	rl_val c = car(clauses);
	if (!is_pair(c))
		lisp_syntax_error(I, "a cond clause must be a list");
	rl_val rest = cons(I, car(x), cdr(clauses));
	if (car(c) == I->s_else) {
		if (cdr(clauses) != RL_NIL)
			lisp_syntax_error(I, "else must be the last cond clause");
		return form_begin(I, c, sc, tail);
	}
	if (cdr(c) == RL_NIL)
		return lisp_compile(I, lisp_list(I, 3, sym(I, "or"), car(c), rest), sc, tail);
	if (car(cdr(c)) == I->s_arrow)
		lisp_syntax_error(I, "cond clauses with => are not supported");
	node *test = lisp_compile(I, car(c), sc, false);
	node *then = form_begin(I, c, sc, tail);
	node *otherwise = cdr(clauses) == RL_NIL ? node_const(I, RL_UNSPEC) : form_cond(I, rest, sc, tail);
	return node_if(I, test, then, otherwise);
}

static node *form_case(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 1, 1000000);
	node *key = lisp_compile(I, nth(x, 1), sc, false);
	size_t n = list_length(cdr(cdr(x)));
	rl_val *data = arena_alloc(I, (n ? n : 1) * sizeof(rl_val));
	node **bodies = arena_alloc(I, (n ? n : 1) * sizeof(node *));
	node *otherwise = node_const(I, RL_UNSPEC);
	size_t k = 0;
	for (rl_val cs = cdr(cdr(x)); is_pair(cs); cs = cdr(cs)) {
		rl_val c = car(cs);
		if (!is_pair(c) || !is_pair(cdr(c)))
			lisp_syntax_error(I, "a case clause must be ((datum ...) expression ...)");
		if (car(c) == I->s_else) {
			otherwise = form_begin(I, c, sc, tail);
			continue;
		}
		if (!is_pair(car(c)) && car(c) != RL_NIL)
			lisp_syntax_error(I, "a case clause must start with a list of datums");
		data[k] = car(c);
		bodies[k++] = form_begin(I, c, sc, tail);
	}
	return node_case(I, key, data, bodies, k, otherwise);
}

static node *form_when(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 1000000);
	node *test = lisp_compile(I, nth(x, 1), sc, false);
	node *body = form_begin(I, cdr(x), sc, tail);
	return node_if(I, test, body, node_const(I, RL_UNSPEC));
}

static node *form_unless(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 1000000);
	node *test = lisp_compile(I, nth(x, 1), sc, false);
	node *body = form_begin(I, cdr(x), sc, tail);
	return node_if(I, test, node_const(I, RL_UNSPEC), body);
}

/* (do ((var init step) ...) (test res ...) body ...) =>
 * (let %do-loop ((var init) ...) (if test (begin res ...) (begin body ... (%do-loop step ...)))) */
static node *form_do(interp *I, rl_val x, scope *sc, bool tail)
{
	expect_args(I, x, 2, 1000000);
	rl_val loop = sym(I, "%do-loop");
	rl_val bs = RL_NIL, steps = RL_NIL;
	size_t n = list_length(nth(x, 1));
	rl_val specs = nth(x, 1);
	rl_val *vars = arena_alloc(I, (n ? n : 1) * sizeof(rl_val) * 3);
	size_t i = 0;
	for (rl_val s = specs; is_pair(s); s = cdr(s), i++) {
		rl_val spec = car(s);
		if (!is_pair(spec) || !is_symbol(car(spec)) || !is_pair(cdr(spec)))
			lisp_syntax_error(I, "a do variable must be (name init [step])");
		vars[3 * i] = car(spec);
		vars[3 * i + 1] = car(cdr(spec));
		vars[3 * i + 2] = is_pair(cdr(cdr(spec))) ? car(cdr(cdr(spec))) : car(spec);
	}
	for (; i-- > 0;) {
		bs = cons(I, lisp_list(I, 2, vars[3 * i], vars[3 * i + 1]), bs);
		steps = cons(I, vars[3 * i + 2], steps);
	}
	rl_val exit = nth(x, 2);
	if (!is_pair(exit))
		lisp_syntax_error(I, "do needs a (test result ...) clause");
	rl_val begin = sym(I, "begin");
	rl_val again = cons(I, loop, steps);
	rl_val body = cdr(cdr(cdr(x)));
	/* body ... followed by the loop call */
	rl_val seq = lisp_list(I, 1, again);
	size_t nb = list_length(body);
	rl_val *items = arena_alloc(I, (nb ? nb : 1) * sizeof(rl_val));
	size_t k = 0;
	for (rl_val b = body; is_pair(b); b = cdr(b))
		items[k++] = car(b);
	while (k-- > 0)
		seq = cons(I, items[k], seq);
	rl_val form = lisp_list(I, 4, I->s_if, car(exit), cons(I, begin, cdr(exit)), cons(I, begin, seq));
	return lisp_compile(I, lisp_list(I, 4, I->s_let, loop, bs, form), sc, tail);
}

static bool feature(interp *I, rl_val req)
{
	if (is_symbol(req)) {
		const char *n = symbol_name(req);
		return strcmp(n, "regionlab") == 0 || strcmp(n, "r7rs") == 0 || req == I->s_else;
	}
	if (!is_pair(req) || !is_symbol(car(req)))
		lisp_syntax_error(I, "bad cond-expand feature requirement");
	const char *op = symbol_name(car(req));
	if (strcmp(op, "and") == 0) {
		for (rl_val r = cdr(req); is_pair(r); r = cdr(r))
			if (!feature(I, car(r)))
				return false;
		return true;
	}
	if (strcmp(op, "or") == 0) {
		for (rl_val r = cdr(req); is_pair(r); r = cdr(r))
			if (feature(I, car(r)))
				return true;
		return false;
	}
	if (strcmp(op, "not") == 0 && is_pair(cdr(req)))
		return !feature(I, car(cdr(req)));
	return false; /* (library ...) and the rest */
}

static node *form_cond_expand(interp *I, rl_val x, scope *sc, bool tail)
{
	for (rl_val cs = cdr(x); is_pair(cs); cs = cdr(cs))
		if (is_pair(car(cs)) && feature(I, car(car(cs))))
			return form_begin(I, car(cs), sc, tail);
	return node_const(I, RL_UNSPEC);
}

static const struct {
	const char *name;
	form_compiler compile;
} forms[] = {
	{ "quote", form_quote },     { "if", form_if },         { "define", form_define },
	{ "set!", form_set },        { "lambda", form_lambda }, { "begin", form_begin },
	{ "let", form_let },         { "let*", form_let_star }, { "letrec", form_letrec },
	{ "letrec*", form_letrec },  { "and", form_and },       { "or", form_or },
	{ "cond", form_cond },       { "case", form_case },     { "when", form_when },
	{ "unless", form_unless },   { "do", form_do },         { "cond-expand", form_cond_expand },
};

void lisp_forms_init(interp *I)
{
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		lisp_symbol_info(I, sym(I, forms[i].name))->special = forms[i].compile;
	I->s_quote = sym(I, "quote");
	I->s_lambda = sym(I, "lambda");
	I->s_define = sym(I, "define");
	I->s_else = sym(I, "else");
	I->s_arrow = sym(I, "=>");
	I->s_begin = sym(I, "begin");
	I->s_let = sym(I, "let");
	I->s_letrec_star = sym(I, "letrec*");
	I->s_if = sym(I, "if");
	I->s_set = sym(I, "set!");
	I->s_do = sym(I, "do");
}
