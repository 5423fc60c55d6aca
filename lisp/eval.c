/* Evaluation: every node kind's eval function, and the call loop that makes
 * tail calls proper (see lisp/internal.h for frames and LISP_TAIL).
 *
 * Invariant of the value stack: a node returns with I->sp where it found it,
 * except a call in tail position, which returns LISP_TAIL with the callee
 * and its frame left above (I->tc_*), for the closure loop below to move
 * down over the frame of the call it replaces. */
#include <string.h>

#include "lisp/internal.h"

/* ---- constants and variables ------------------------------------------------------ */
typedef struct {
	node h;
	rl_val v;
} n_const;

static rl_val ev_const(interp *I, node *n, rl_val *env)
{
	(void)I;
	(void)env;
	return ((n_const *)n)->v;
}

node *node_const(interp *I, rl_val v)
{
	n_const *n = node_new(I, sizeof *n, ev_const);
	n->v = v;
	return &n->h;
}

typedef struct {
	node h;
	unsigned stack_hops, heap_hops, idx;
} n_local;

static inline rl_val *walk(rl_val *e, unsigned stack_hops, unsigned heap_hops)
{
	while (stack_hops--)
		e = (rl_val *)e[0];
	while (heap_hops--)
		e = rl_ptr(e[0])->w;
	return e;
}

static rl_val ev_local0(interp *I, node *n, rl_val *env)
{
	(void)I;
	return env[((n_local *)n)->idx];
}

static rl_val ev_local1(interp *I, node *n, rl_val *env)
{
	(void)I;
	n_local *l = (n_local *)n;
	return walk(env, l->stack_hops, l->heap_hops)[l->idx];
}

typedef struct {
	node h;
	global *g;
} n_global;

static rl_val ev_global(interp *I, node *n, rl_val *env)
{
	(void)env;
	global *g = ((n_global *)n)->g;
	if (g->value == LISP_UNBOUND)
		lisp_fail_at(I, n, RL_LISP_ERROR, "unbound variable: %s", symbol_name(g->sym));
	return g->value;
}

/* Where sym is bound: false for a global. */
static bool resolve(scope *sc, rl_val sym, unsigned *stack_hops, unsigned *heap_hops, unsigned *idx, bool *heap)
{
	unsigned sh = 0, hh = 0;
	for (; sc != NULL; sc = sc->parent) {
		for (size_t i = sc->n; i-- > 0;)
			if (sc->names[i] == sym) {
				*stack_hops = sh;
				*heap_hops = hh;
				*idx = (unsigned)i + 1;
				*heap = sc->heap;
				return true;
			}
		if (sc->heap)
			hh++;
		else
			sh++; /* a stack scope under a heap one never happens: see lisp/internal.h */
	}
	return false;
}

node *node_ref(interp *I, rl_val sym, scope *sc)
{
	unsigned sh, hh, idx;
	bool heap;
	if (resolve(sc, sym, &sh, &hh, &idx, &heap)) {
		n_local *n = node_new(I, sizeof *n, sh == 0 && hh == 0 ? ev_local0 : ev_local1);
		n->stack_hops = sh;
		n->heap_hops = hh;
		n->idx = idx;
		return &n->h;
	}
	n_global *n = node_new(I, sizeof *n, ev_global);
	n->g = lisp_global(I, sym);
	return &n->h;
}

/* ---- set! and define ------------------------------------------------------------------ */
typedef struct {
	node h;
	unsigned stack_hops, heap_hops, idx;
	bool heap;
	node *value;
} n_set_local;

static rl_val ev_set_local(interp *I, node *n, rl_val *env)
{
	n_set_local *s = (n_set_local *)n;
	rl_val v = s->value->ev(I, s->value, env);
	rl_val *e = walk(env, s->stack_hops, s->heap_hops);
	if (s->heap)
		lisp_store(I, frame_object(e), &e[s->idx], v);
	else
		e[s->idx] = v; /* a stack frame holds values of its region or older ones */
	return RL_UNSPEC;
}

typedef struct {
	node h;
	global *g;
	node *value;
	bool define;
} n_set_global;

static rl_val ev_set_global(interp *I, node *n, rl_val *env)
{
	n_set_global *s = (n_set_global *)n;
	rl_val v = s->value->ev(I, s->value, env);
	if (!s->define && s->g->value == LISP_UNBOUND)
		lisp_fail_at(I, n, RL_LISP_ERROR, "unbound variable: %s (set! before define)", symbol_name(s->g->sym));
	lisp_store(I, RL_NIL, &s->g->value, v);
	return RL_UNSPEC;
}

node *node_set(interp *I, rl_val sym, node *value, scope *sc, bool define)
{
	unsigned sh, hh, idx;
	bool heap;
	if (resolve(sc, sym, &sh, &hh, &idx, &heap)) {
		n_set_local *n = node_new(I, sizeof *n, ev_set_local);
		*n = (n_set_local){ .h = n->h, .stack_hops = sh, .heap_hops = hh, .idx = idx, .heap = heap, .value = value };
		return &n->h;
	}
	n_set_global *n = node_new(I, sizeof *n, ev_set_global);
	n->g = lisp_global(I, sym);
	n->value = value;
	n->define = define;
	return &n->h;
}

/* ---- control --------------------------------------------------------------------------------- */
typedef struct {
	node h;
	node *test, *then, *otherwise;
} n_if;

static rl_val ev_if(interp *I, node *n, rl_val *env)
{
	n_if *c = (n_if *)n;
	node *next = c->test->ev(I, c->test, env) != RL_FALSE ? c->then : c->otherwise;
	return next->ev(I, next, env);
}

node *node_if(interp *I, node *test, node *then, node *otherwise)
{
	n_if *n = node_new(I, sizeof *n, ev_if);
	n->test = test;
	n->then = then;
	n->otherwise = otherwise;
	return &n->h;
}

typedef struct {
	node h;
	size_t n;
	node *items[];
} n_seq;

static rl_val ev_seq(interp *I, node *n, rl_val *env)
{
	n_seq *s = (n_seq *)n;
	for (size_t i = 0; i + 1 < s->n; i++)
		s->items[i]->ev(I, s->items[i], env);
	return s->items[s->n - 1]->ev(I, s->items[s->n - 1], env);
}

static rl_val ev_and(interp *I, node *n, rl_val *env)
{
	n_seq *s = (n_seq *)n;
	rl_val v = RL_TRUE;
	for (size_t i = 0; i < s->n; i++)
		if ((v = s->items[i]->ev(I, s->items[i], env)) == RL_FALSE)
			return v;
	return v;
}

static rl_val ev_or(interp *I, node *n, rl_val *env)
{
	n_seq *s = (n_seq *)n;
	rl_val v = RL_FALSE;
	for (size_t i = 0; i < s->n; i++)
		if ((v = s->items[i]->ev(I, s->items[i], env)) != RL_FALSE)
			return v;
	return v;
}

static node *seq_like(interp *I, node **items, size_t n, eval_fn ev)
{
	n_seq *s = node_new(I, sizeof *s + n * sizeof(node *), ev);
	s->n = n;
	memcpy(s->items, items, n * sizeof(node *));
	return &s->h;
}

node *node_seq(interp *I, node **items, size_t n)
{
	if (n == 0)
		return node_const(I, RL_UNSPEC);
	if (n == 1)
		return items[0];
	return seq_like(I, items, n, ev_seq);
}

node *node_and_or(interp *I, node **items, size_t n, bool is_and)
{
	if (n == 1)
		return items[0];
	return seq_like(I, items, n, is_and ? ev_and : ev_or);
}

typedef struct {
	node h;
	node *key;
	size_t n;
	rl_val *data;  /* per clause: the list of its datums */
	node **bodies;
	node *otherwise;
} n_case;

static rl_val ev_case(interp *I, node *n, rl_val *env)
{
	n_case *c = (n_case *)n;
	rl_val k = c->key->ev(I, c->key, env);
	for (size_t i = 0; i < c->n; i++)
		for (rl_val d = c->data[i]; is_pair(d); d = cdr(d))
			if (lisp_eqv(car(d), k))
				return c->bodies[i]->ev(I, c->bodies[i], env);
	return c->otherwise->ev(I, c->otherwise, env);
}

node *node_case(interp *I, node *key, rl_val *data, node **bodies, size_t nclauses, node *otherwise)
{
	n_case *n = node_new(I, sizeof *n, ev_case);
	n->key = key;
	n->n = nclauses;
	n->data = data;
	n->bodies = bodies;
	n->otherwise = otherwise;
	return &n->h;
}

/* ---- frames: let, letrec, internal defines --------------------------------------------- */
typedef struct {
	node h;
	size_t nslots, ninits;
	bool heap, rec;
	node *body;
	node *inits[];
} n_let;

static rl_val ev_let_stack(interp *I, node *n, rl_val *env)
{
	n_let *l = (n_let *)n;
	rl_val *frame = lisp_push_frame(I, l->nslots);
	frame[0] = (rl_val)(uintptr_t)env;
	rl_val *inner = l->rec ? frame : env;
	for (size_t i = 0; i < l->nslots; i++)
		frame[1 + i] = RL_UNSPEC;
	for (size_t i = 0; i < l->ninits; i++)
		frame[1 + i] = l->inits[i]->ev(I, l->inits[i], inner);
	rl_val v = l->body->ev(I, l->body, frame);
	if (v != LISP_TAIL)
		I->sp = frame;
	return v;
}

static rl_val ev_let_heap(interp *I, node *n, rl_val *env)
{
	n_let *l = (n_let *)n;
	rl_obj *o;
	if (l->rec) {
		o = lisp_new(I, RL_T_VECTOR, (l->nslots + 1) * sizeof(rl_val));
		o->w[0] = frame_object(env);
		for (size_t i = 0; i < l->nslots; i++)
			o->w[1 + i] = RL_UNSPEC;
		for (size_t i = 0; i < l->ninits; i++) {
			rl_val v = l->inits[i]->ev(I, l->inits[i], o->w);
			lisp_store(I, rl_val_of(o), &o->w[1 + i], v);
		}
	} else {
		/* inits first, on the stack: they are values of this region or older ones */
		rl_val *tmp = lisp_push_frame(I, l->ninits);
		for (size_t i = 0; i < l->ninits; i++)
			tmp[1 + i] = l->inits[i]->ev(I, l->inits[i], env);
		o = lisp_new(I, RL_T_VECTOR, (l->nslots + 1) * sizeof(rl_val));
		o->w[0] = frame_object(env);
		memcpy(&o->w[1], &tmp[1], l->ninits * sizeof(rl_val));
		for (size_t i = l->ninits; i < l->nslots; i++)
			o->w[1 + i] = RL_UNSPEC;
		I->sp = tmp;
	}
	return l->body->ev(I, l->body, o->w);
}

node *node_let(interp *I, scope *inner, node **inits, size_t n, node *body, bool rec)
{
	n_let *l = node_new(I, sizeof *l + n * sizeof(node *), inner->heap ? ev_let_heap : ev_let_stack);
	l->nslots = inner->n;
	l->ninits = n;
	l->heap = inner->heap;
	l->rec = rec;
	l->body = body;
	if (n > 0) /* inits is NULL for internal defines */
		memcpy(l->inits, inits, n * sizeof(node *));
	return &l->h;
}

/* ---- closures ---------------------------------------------------------------------------------- */
typedef struct {
	node h;
	lambda *L;
} n_lambda;

static rl_val ev_lambda(interp *I, node *n, rl_val *env)
{
	rl_obj *c = lisp_new(I, RL_T_CLOSURE, 2 * sizeof(rl_val));
	c->w[0] = (rl_val)(uintptr_t)((n_lambda *)n)->L; /* raw: the type table does not trace word 0 */
	c->w[1] = frame_object(env); /* a heap frame: its scope makes this closure */
	return rl_val_of(c);
}

node *node_lambda(interp *I, lambda *L)
{
	n_lambda *n = node_new(I, sizeof *n, ev_lambda);
	n->L = L;
	return &n->h;
}

/* ---- calls -------------------------------------------------------------------------------------- */
_Noreturn void lisp_stack_overflow(interp *I)
{
	lisp_error(I, "recursion too deep (the value stack of %zu words is full)", I->stack_words);
}

static _Noreturn void not_a_procedure(interp *I, node *site, rl_val f)
{
	I->site = site;
	lisp_type_error(I, "call", "a procedure", f);
}

static rl_val call_prim(interp *I, rl_val f, rl_val *frame, size_t n, node *site)
{
	const prim *p = prim_of(f);
	I->site = site;
	if (n < p->min || (p->max != PRIM_VARIADIC && n > p->max)) {
		if (p->min == p->max)
			lisp_error(I, "wrong number of arguments to %s: expected %u, got %zu", p->name, p->min, n);
		else if (p->max == PRIM_VARIADIC)
			lisp_error(I, "wrong number of arguments to %s: expected at least %u, got %zu", p->name, p->min, n);
		lisp_error(I, "wrong number of arguments to %s: expected %u to %u, got %zu", p->name, p->min, p->max, n);
	}
	return p->fn(I, frame + 1, n);
}

/* Makes the frame of closure f from the arguments frame[1..n]: the rest
 * list, then a heap frame (a copy) or the frame itself. */
static rl_val *bind(interp *I, rl_val f, rl_val *frame, size_t n, node *site)
{
	const lambda *L = closure_lambda(f);
	if (n != L->nreq && (n < L->nreq || !L->rest)) {
		I->site = site;
		lisp_error(I, "wrong number of arguments to %s: expected %s%u, got %zu", L->name, L->rest ? "at least " : "",
			   L->nreq, n);
	}
	size_t nslots = L->nreq + L->rest;
	if (L->rest) {
		rl_val list = RL_NIL;
		for (size_t i = n; i > L->nreq; i--)
			list = lisp_cons(I, frame[i], list);
		if (n == L->nreq)
			lisp_push_frame(I, 0); /* room for the rest slot */
		frame[1 + L->nreq] = list;
		I->sp = frame + nslots + 1;
	}
	rl_val parent = rl_ptr(f)->w[1];
	if (L->heap) {
		rl_obj *o = lisp_new(I, RL_T_VECTOR, (nslots + 1) * sizeof(rl_val));
		o->w[0] = parent;
		memcpy(&o->w[1], &frame[1], nslots * sizeof(rl_val));
		return o->w;
	}
	frame[0] = (rl_val)(uintptr_t)frame_words(parent);
	return frame;
}

/* Runs closure f on its frame, and every closure it tail-calls, in one loop. */
static rl_val run_closure(interp *I, rl_val f, rl_val *frame, size_t n, node *site)
{
	char probe;
	if ((uintptr_t)&probe < I->c_stack_limit) {
		I->site = site;
		lisp_error(I, "recursion too deep (the C stack is nearly full)");
	}
	if (I->sp > I->peak_sp)
		I->peak_sp = I->sp;
	for (;;) {
		rl_val *env = bind(I, f, frame, n, site);
		node *body = closure_lambda(f)->body;
		rl_val v = body->ev(I, body, env);
		if (v != LISP_TAIL)
			return v;
		f = I->tc_fn;
		n = I->tc_n;
		site = I->tc_site;
		memmove(frame, I->tc_frame, (n + 1) * sizeof(rl_val));
		I->sp = frame + n + 1;
		if (is_prim(f))
			return call_prim(I, f, frame, n, site);
		if (!is_closure(f))
			not_a_procedure(I, site, f);
	}
}

rl_val lisp_call_frame(interp *I, rl_val f, rl_val *frame, size_t n, node *site)
{
	rl_val v;
	if (is_prim(f)) {
		v = call_prim(I, f, frame, n, site);
		I->sp = frame;
		return v;
	}
	if (!is_closure(f))
		not_a_procedure(I, site, f);
	if (!I->call_regions) {
		v = run_closure(I, f, frame, n, site);
		I->sp = frame;
		return v;
	}
	lisp_region_enter(I);
	v = run_closure(I, f, frame, n, site);
	I->sp = frame;
	return lisp_region_leave(I, v);
}

rl_val lisp_apply(interp *I, rl_val f, const rl_val *args, size_t n)
{
	node *site = I->site;
	rl_val *frame = lisp_push_frame(I, n);
	memcpy(&frame[1], args, n * sizeof(rl_val));
	rl_val v = lisp_call_frame(I, f, frame, n, site);
	I->site = site;
	return v;
}

typedef struct {
	node h;
	node *fn;
	size_t n;
	node *args[];
} n_app;

static rl_val ev_app(interp *I, node *n, rl_val *env)
{
	n_app *a = (n_app *)n;
	rl_val f = a->fn->ev(I, a->fn, env);
	rl_val *frame = lisp_push_frame(I, a->n);
	for (size_t i = 0; i < a->n; i++)
		frame[1 + i] = a->args[i]->ev(I, a->args[i], env);
	return lisp_call_frame(I, f, frame, a->n, n);
}

static rl_val ev_tail_app(interp *I, node *n, rl_val *env)
{
	n_app *a = (n_app *)n;
	rl_val f = a->fn->ev(I, a->fn, env);
	rl_val *frame = lisp_push_frame(I, a->n);
	for (size_t i = 0; i < a->n; i++)
		frame[1 + i] = a->args[i]->ev(I, a->args[i], env);
	I->tc_fn = f;
	I->tc_frame = frame;
	I->tc_n = a->n;
	I->tc_site = n;
	return LISP_TAIL;
}

node *node_app(interp *I, node *fn, node **args, size_t n, bool tail)
{
	n_app *a = node_new(I, sizeof *a + n * sizeof(node *), tail ? ev_tail_app : ev_app);
	a->fn = fn;
	a->n = n;
	memcpy(a->args, args, n * sizeof(node *));
	return &a->h;
}
