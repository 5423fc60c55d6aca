/* Fixnum arithmetic and comparison.  Every result is checked: one that does
 * not fit a fixnum (63 bits) stops the program with "fixnum overflow". */
#include "lisp/internal.h"

static rl_val num(interp *I, long long n) { return lisp_fixnum_checked(I, n); }


static rl_val p_add_checked(interp *I, rl_val *a, size_t n)
{
	long long s = 0;
	for (size_t i = 0; i < n; i++) {
		s += fixnum_arg(I, "+", a[i]);
		lisp_fixnum_checked(I, s);
	}
	return rl_fixnum((intptr_t)s);
}

static rl_val p_sub(interp *I, rl_val *a, size_t n)
{
	long long s = fixnum_arg(I, "-", a[0]);
	if (n == 1)
		return num(I, -s);
	for (size_t i = 1; i < n; i++) {
		s -= fixnum_arg(I, "-", a[i]);
		lisp_fixnum_checked(I, s);
	}
	return rl_fixnum((intptr_t)s);
}

static rl_val p_mul(interp *I, rl_val *a, size_t n)
{
	long long p = 1;
	for (size_t i = 0; i < n; i++) {
		long long x = fixnum_arg(I, "*", a[i]);
		if (__builtin_mul_overflow(p, x, &p))
			lisp_error(I, "fixnum overflow in *");
		lisp_fixnum_checked(I, p);
	}
	return rl_fixnum((intptr_t)p);
}

static long long divisor(interp *I, const char *who, rl_val v)
{
	long long d = fixnum_arg(I, who, v);
	if (d == 0)
		lisp_error(I, "%s: division by zero", who);
	return d;
}

static rl_val p_quotient(interp *I, rl_val *a, size_t n)
{
	(void)n;
	long long x = fixnum_arg(I, "quotient", a[0]), d = divisor(I, "quotient", a[1]);
	return num(I, x / d);
}

static rl_val p_remainder(interp *I, rl_val *a, size_t n)
{
	(void)n;
	long long x = fixnum_arg(I, "remainder", a[0]), d = divisor(I, "remainder", a[1]);
	return rl_fixnum((intptr_t)(x % d));
}

static rl_val p_modulo(interp *I, rl_val *a, size_t n)
{
	(void)n;
	long long x = fixnum_arg(I, "modulo", a[0]), d = divisor(I, "modulo", a[1]);
	long long m = x % d;
	if (m != 0 && ((m < 0) != (d < 0)))
		m += d;
	return rl_fixnum((intptr_t)m);
}

#define COMPARE(fname, sname, op)                                                         \
	static rl_val fname(interp *I, rl_val *a, size_t n)                               \
	{                                                                                 \
		bool ok = true;                                                           \
		long long prev = fixnum_arg(I, sname, a[0]);                              \
		for (size_t i = 1; i < n; i++) {                                          \
			long long x = fixnum_arg(I, sname, a[i]);                         \
			ok = ok && (prev op x);                                           \
			prev = x;                                                         \
		}                                                                         \
		return make_bool(ok);                                                     \
	}
COMPARE(p_lt, "<", <)
COMPARE(p_le, "<=", <=)
COMPARE(p_eq, "=", ==)
COMPARE(p_ge, ">=", >=)
COMPARE(p_gt, ">", >)

static rl_val p_zero(interp *I, rl_val *a, size_t n)
{
	(void)n;
	return make_bool(fixnum_arg(I, "zero?", a[0]) == 0);
}
static rl_val p_positive(interp *I, rl_val *a, size_t n)
{
	(void)n;
	return make_bool(fixnum_arg(I, "positive?", a[0]) > 0);
}
static rl_val p_negative(interp *I, rl_val *a, size_t n)
{
	(void)n;
	return make_bool(fixnum_arg(I, "negative?", a[0]) < 0);
}
static rl_val p_even(interp *I, rl_val *a, size_t n)
{
	(void)n;
	return make_bool((fixnum_arg(I, "even?", a[0]) & 1) == 0);
}
static rl_val p_odd(interp *I, rl_val *a, size_t n)
{
	(void)n;
	return make_bool((fixnum_arg(I, "odd?", a[0]) & 1) != 0);
}
static rl_val p_abs(interp *I, rl_val *a, size_t n)
{
	(void)n;
	long long x = fixnum_arg(I, "abs", a[0]);
	return num(I, x < 0 ? -x : x);
}
static rl_val p_min(interp *I, rl_val *a, size_t n)
{
	long long m = fixnum_arg(I, "min", a[0]);
	for (size_t i = 1; i < n; i++) {
		long long x = fixnum_arg(I, "min", a[i]);
		m = x < m ? x : m;
	}
	return rl_fixnum((intptr_t)m);
}
static rl_val p_max(interp *I, rl_val *a, size_t n)
{
	long long m = fixnum_arg(I, "max", a[0]);
	for (size_t i = 1; i < n; i++) {
		long long x = fixnum_arg(I, "max", a[i]);
		m = x > m ? x : m;
	}
	return rl_fixnum((intptr_t)m);
}
static rl_val p_numberp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	(void)n;
	return make_bool(rl_is_fixnum(a[0]) || is_type(a[0], RL_T_BOX_INT) || is_type(a[0], RL_T_BOX_DOUBLE));
}
static rl_val p_integerp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	(void)n;
	return make_bool(rl_is_fixnum(a[0]) || is_type(a[0], RL_T_BOX_INT));
}
static rl_val p_gcd(interp *I, rl_val *a, size_t n)
{
	long long g = 0;
	for (size_t i = 0; i < n; i++) {
		long long x = fixnum_arg(I, "gcd", a[i]);
		x = x < 0 ? -x : x;
		while (x != 0) {
			long long t = g % x;
			g = x;
			x = t;
		}
	}
	return rl_fixnum((intptr_t)g);
}
static rl_val p_expt(interp *I, rl_val *a, size_t n)
{
	(void)n;
	long long b = fixnum_arg(I, "expt", a[0]), e = fixnum_arg(I, "expt", a[1]), r = 1;
	if (e < 0)
		lisp_error(I, "expt: a negative exponent is not supported");
	while (e-- > 0)
		if (__builtin_mul_overflow(r, b, &r) || (lisp_fixnum_checked(I, r), false))
			lisp_error(I, "fixnum overflow in expt");
	return rl_fixnum((intptr_t)r);
}

static const prim table[] = {
	{ "+", p_add_checked, 0, PRIM_VARIADIC },
	{ "-", p_sub, 1, PRIM_VARIADIC },
	{ "*", p_mul, 0, PRIM_VARIADIC },
	{ "quotient", p_quotient, 2, 2 },
	{ "remainder", p_remainder, 2, 2 },
	{ "modulo", p_modulo, 2, 2 },
	{ "<", p_lt, 1, PRIM_VARIADIC },
	{ "<=", p_le, 1, PRIM_VARIADIC },
	{ "=", p_eq, 1, PRIM_VARIADIC },
	{ ">=", p_ge, 1, PRIM_VARIADIC },
	{ ">", p_gt, 1, PRIM_VARIADIC },
	{ "zero?", p_zero, 1, 1 },
	{ "positive?", p_positive, 1, 1 },
	{ "negative?", p_negative, 1, 1 },
	{ "even?", p_even, 1, 1 },
	{ "odd?", p_odd, 1, 1 },
	{ "abs", p_abs, 1, 1 },
	{ "min", p_min, 1, PRIM_VARIADIC },
	{ "max", p_max, 1, PRIM_VARIADIC },
	{ "number?", p_numberp, 1, 1 },
	{ "integer?", p_integerp, 1, 1 },
	{ "gcd", p_gcd, 0, PRIM_VARIADIC },
	{ "expt", p_expt, 2, 2 },
};

void lisp_prims_numbers(interp *I)
{
	lisp_define_prims(I, table, sizeof table / sizeof table[0]);
}
