/* Pairs and lists.  set-car! and set-cdr! store through the barrier. */
#include "lisp/internal.h"

#define UNUSED_N (void)n

static rl_val p_cons(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return lisp_cons(I, a[0], a[1]);
}
static rl_val p_car(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return car(pair_arg(I, "car", a[0]));
}
static rl_val p_cdr(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return cdr(pair_arg(I, "cdr", a[0]));
}

/* c[ad]+r: the path read right to left */
static rl_val cxr(interp *I, const char *name, const char *path, rl_val v)
{
	for (const char *p = path; *p; p++) {
		if (!is_pair(v))
			lisp_type_error(I, name, "a pair", v);
		v = *p == 'a' ? car(v) : cdr(v);
	}
	return v;
}
#define CXR(fname, sname, path)                                    \
	static rl_val fname(interp *I, rl_val *a, size_t n)        \
	{                                                          \
		UNUSED_N;                                          \
		return cxr(I, sname, path, a[0]);                  \
	}
CXR(p_caar, "caar", "aa")
CXR(p_cadr, "cadr", "da")
CXR(p_cdar, "cdar", "ad")
CXR(p_cddr, "cddr", "dd")
CXR(p_caddr, "caddr", "dda")
CXR(p_cdddr, "cdddr", "ddd")
CXR(p_caadr, "caadr", "daa")
CXR(p_cddar, "cddar", "add")
CXR(p_cadar, "cadar", "ada")
CXR(p_cdadr, "cdadr", "dad")
CXR(p_cadddr, "cadddr", "ddda")

static rl_val p_set_car(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val p = pair_arg(I, "set-car!", a[0]);
	lisp_store(I, p, &rl_ptr(p)->w[0], a[1]);
	return RL_UNSPEC;
}
static rl_val p_set_cdr(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val p = pair_arg(I, "set-cdr!", a[0]);
	lisp_store(I, p, &rl_ptr(p)->w[1], a[1]);
	return RL_UNSPEC;
}
static rl_val p_list(interp *I, rl_val *a, size_t n)
{
	rl_val l = RL_NIL;
	while (n-- > 0)
		l = lisp_cons(I, a[n], l);
	return l;
}
static rl_val p_length(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return rl_fixnum((intptr_t)lisp_list_length(I, "length", a[0]));
}
static rl_val p_nullp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(a[0] == RL_NIL);
}
static rl_val p_pairp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_pair(a[0]));
}
static rl_val p_listp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	rl_val slow = a[0], l = a[0];
	for (;;) {
		if (l == RL_NIL)
			return RL_TRUE;
		if (!is_pair(l))
			return RL_FALSE;
		l = cdr(l);
		if (l == RL_NIL)
			return RL_TRUE;
		if (!is_pair(l))
			return RL_FALSE;
		l = cdr(l);
		slow = cdr(slow);
		if (l == slow)
			return RL_FALSE;
	}
}

/* A copy of list l (proper) in front of tail. */
static rl_val copy_onto(interp *I, rl_val l, rl_val tail)
{
	if (l == RL_NIL)
		return tail;
	rl_val head = lisp_cons(I, car(l), RL_NIL), last = head;
	for (l = cdr(l); is_pair(l); l = cdr(l)) {
		rl_val c = lisp_cons(I, car(l), RL_NIL);
		rl_ptr(last)->w[1] = c; /* both new, in this region */
		last = c;
	}
	rl_ptr(last)->w[1] = tail;
	return head;
}
static rl_val p_append(interp *I, rl_val *a, size_t n)
{
	if (n == 0)
		return RL_NIL;
	rl_val r = a[n - 1];
	for (size_t i = n - 1; i-- > 0;) {
		lisp_list_length(I, "append", a[i]);
		r = copy_onto(I, a[i], r);
	}
	return r;
}
static rl_val p_reverse(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	lisp_list_length(I, "reverse", a[0]);
	rl_val r = RL_NIL;
	for (rl_val l = a[0]; is_pair(l); l = cdr(l))
		r = lisp_cons(I, car(l), r);
	return r;
}
static rl_val p_list_tail(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val l = a[0];
	for (long long k = fixnum_arg(I, "list-tail", a[1]); k > 0; k--)
		l = cdr(pair_arg(I, "list-tail", l));
	return l;
}
static rl_val p_list_ref(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val l = a[0];
	for (long long k = fixnum_arg(I, "list-ref", a[1]); k > 0; k--)
		l = cdr(pair_arg(I, "list-ref", l));
	return car(pair_arg(I, "list-ref", l));
}
static rl_val p_list_copy(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	lisp_list_length(I, "list-copy", a[0]);
	return copy_onto(I, a[0], RL_NIL);
}

static rl_val mem(interp *I, const char *who, rl_val x, rl_val l, bool (*same)(rl_val, rl_val))
{
	for (; is_pair(l); l = cdr(l))
		if (same(x, car(l)))
			return l;
	if (l != RL_NIL)
		lisp_type_error(I, who, "a proper list", l);
	return RL_FALSE;
}
static rl_val ass(interp *I, const char *who, rl_val x, rl_val l, bool (*same)(rl_val, rl_val))
{
	for (; is_pair(l); l = cdr(l)) {
		rl_val e = car(l);
		if (!is_pair(e))
			lisp_type_error(I, who, "a list of pairs", e);
		if (same(x, car(e)))
			return e;
	}
	if (l != RL_NIL)
		lisp_type_error(I, who, "a proper list", l);
	return RL_FALSE;
}
static bool eq(rl_val a, rl_val b) { return a == b; }
static rl_val p_memq(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return mem(I, "memq", a[0], a[1], eq);
}
static rl_val p_memv(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return mem(I, "memv", a[0], a[1], lisp_eqv);
}
static rl_val p_member(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return mem(I, "member", a[0], a[1], lisp_equal);
}
static rl_val p_assq(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return ass(I, "assq", a[0], a[1], eq);
}
static rl_val p_assv(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return ass(I, "assv", a[0], a[1], lisp_eqv);
}
static rl_val p_assoc(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return ass(I, "assoc", a[0], a[1], lisp_equal);
}

static const prim table[] = {
	{ "cons", p_cons, 2, 2 },          { "car", p_car, 1, 1 },           { "cdr", p_cdr, 1, 1 },
	{ "caar", p_caar, 1, 1 },          { "cadr", p_cadr, 1, 1 },         { "cdar", p_cdar, 1, 1 },
	{ "cddr", p_cddr, 1, 1 },          { "caddr", p_caddr, 1, 1 },       { "cdddr", p_cdddr, 1, 1 },
	{ "caadr", p_caadr, 1, 1 },        { "cddar", p_cddar, 1, 1 },       { "cadar", p_cadar, 1, 1 },
	{ "cdadr", p_cdadr, 1, 1 },        { "cadddr", p_cadddr, 1, 1 },     { "set-car!", p_set_car, 2, 2 },
	{ "set-cdr!", p_set_cdr, 2, 2 },   { "list", p_list, 0, PRIM_VARIADIC }, { "length", p_length, 1, 1 },
	{ "null?", p_nullp, 1, 1 },        { "pair?", p_pairp, 1, 1 },       { "list?", p_listp, 1, 1 },
	{ "append", p_append, 0, PRIM_VARIADIC }, { "reverse", p_reverse, 1, 1 }, { "list-tail", p_list_tail, 2, 2 },
	{ "list-ref", p_list_ref, 2, 2 },  { "list-copy", p_list_copy, 1, 1 }, { "memq", p_memq, 2, 2 },
	{ "memv", p_memv, 2, 2 },          { "member", p_member, 2, 2 },     { "assq", p_assq, 2, 2 },
	{ "assv", p_assv, 2, 2 },          { "assoc", p_assoc, 2, 2 },
};

void lisp_prims_lists(interp *I) { lisp_define_prims(I, table, sizeof table / sizeof table[0]); }
