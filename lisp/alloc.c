/* Making values in the current region (I->cur): every allocation of the
 * running program goes through here, and running out of memory stops the
 * program with status oom. */
#include <string.h>

#include "lisp/internal.h"

rl_obj *lisp_new(interp *I, unsigned type, size_t payload_bytes)
{
	rl_obj *o = payload_bytes <= RL_OBJ_MAX_BYTES ? rl_obj_new(I->cur, type, (uint32_t)payload_bytes) : NULL;
	if (o == NULL)
		lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (an object of %zu bytes)", payload_bytes);
	return o;
}

rl_val lisp_cons(interp *I, rl_val a, rl_val d)
{
	rl_obj *c = lisp_new(I, RL_T_CONS, 2 * sizeof(rl_val));
	c->w[0] = a;
	c->w[1] = d;
	return rl_val_of(c);
}

rl_val lisp_string(interp *I, const char *bytes, size_t len)
{
	rl_obj *s = lisp_new(I, RL_T_STRING, len + 1);
	memcpy(s->w, bytes, len);
	((char *)s->w)[len] = '\0';
	return rl_val_of(s);
}

rl_val lisp_vector(interp *I, size_t n, rl_val fill)
{
	if (n > RL_OBJ_MAX_BYTES / sizeof(rl_val))
		lisp_error(I, "make-vector: %zu elements is too many", n);
	rl_obj *v = lisp_new(I, RL_T_VECTOR, n * sizeof(rl_val));
	for (size_t i = 0; i < n; i++)
		v->w[i] = fill;
	return rl_val_of(v);
}

#define FIXNUM_MAX ((long long)(((unsigned long long)1 << 62) - 1))
#define FIXNUM_MIN (-FIXNUM_MAX - 1)

rl_val lisp_fixnum_checked(interp *I, long long n)
{
	if (n > FIXNUM_MAX || n < FIXNUM_MIN)
		lisp_error(I, "fixnum overflow: %lld does not fit 63 bits", n);
	return rl_fixnum((intptr_t)n);
}

long long lisp_list_length(interp *I, const char *who, rl_val l)
{
	long long n = 0;
	rl_val slow = l;
	for (;;) {
		if (!is_pair(l))
			break;
		l = cdr(l);
		n++;
		if (!is_pair(l))
			break;
		l = cdr(l);
		n++;
		slow = cdr(slow);
		if (l == slow)
			lisp_error(I, "%s: expected a proper list, got a circular one", who);
	}
	if (l != RL_NIL)
		lisp_type_error(I, who, "a proper list", l);
	return n;
}
