/* Vectors.  vector-set! and vector-fill! store through the barrier. */
#include <string.h>

#include "lisp/internal.h"

#define UNUSED_N (void)n

static rl_val vector_arg(interp *I, const char *who, rl_val v)
{
	if (!is_vector(v))
		lisp_type_error(I, who, "a vector", v);
	return v;
}

static rl_val p_vectorp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_vector(a[0]));
}
static rl_val p_make_vector(interp *I, rl_val *a, size_t n)
{
	long long len = fixnum_arg(I, "make-vector", a[0]);
	if (len < 0)
		lisp_error(I, "make-vector: negative length %lld", len);
	return lisp_vector(I, (size_t)len, n > 1 ? a[1] : RL_FALSE);
}
static rl_val p_vector(interp *I, rl_val *a, size_t n)
{
	rl_val v = lisp_vector(I, n, RL_FALSE);
	memcpy(rl_ptr(v)->w, a, n * sizeof(rl_val));
	return v;
}
static rl_val p_vector_ref(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val v = vector_arg(I, "vector-ref", a[0]);
	return rl_ptr(v)->w[index_arg(I, "vector-ref", a[1], vector_length(v))];
}
static rl_val p_vector_set(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val v = vector_arg(I, "vector-set!", a[0]);
	lisp_store(I, v, &rl_ptr(v)->w[index_arg(I, "vector-set!", a[1], vector_length(v))], a[2]);
	return RL_UNSPEC;
}
static rl_val p_vector_length(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return rl_fixnum((intptr_t)vector_length(vector_arg(I, "vector-length", a[0])));
}
static rl_val p_vector_to_list(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val v = vector_arg(I, "vector->list", a[0]), l = RL_NIL;
	for (size_t i = vector_length(v); i-- > 0;)
		l = lisp_cons(I, rl_ptr(v)->w[i], l);
	return l;
}
static rl_val p_list_to_vector(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	long long len = lisp_list_length(I, "list->vector", a[0]);
	rl_val v = lisp_vector(I, (size_t)len, RL_FALSE);
	size_t i = 0;
	for (rl_val l = a[0]; is_pair(l); l = cdr(l))
		rl_ptr(v)->w[i++] = car(l);
	return v;
}
static rl_val p_vector_fill(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val v = vector_arg(I, "vector-fill!", a[0]);
	for (size_t i = 0, len = vector_length(v); i < len; i++)
		lisp_store(I, v, &rl_ptr(v)->w[i], a[1]);
	return RL_UNSPEC;
}

static const prim table[] = {
	{ "vector?", p_vectorp, 1, 1 },
	{ "make-vector", p_make_vector, 1, 2 },
	{ "vector", p_vector, 0, PRIM_VARIADIC },
	{ "vector-ref", p_vector_ref, 2, 2 },
	{ "vector-set!", p_vector_set, 3, 3 },
	{ "vector-length", p_vector_length, 1, 1 },
	{ "vector->list", p_vector_to_list, 1, 1 },
	{ "list->vector", p_list_to_vector, 1, 1 },
	{ "vector-fill!", p_vector_fill, 2, 2 },
};

void lisp_prims_vectors(interp *I) { lisp_define_prims(I, table, sizeof table / sizeof table[0]); }
