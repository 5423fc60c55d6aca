/* Strings, characters and symbols.  Strings are byte strings (RL_T_STRING,
 * NUL-terminated): string-ref and string-length count bytes, which is what
 * the programs here use (ASCII).  Strings made by the program are fresh
 * objects in the current region; symbols are interned in I->program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lisp/internal.h"

#define UNUSED_N (void)n

static rl_val string_arg(interp *I, const char *who, rl_val v)
{
	if (!is_string(v))
		lisp_type_error(I, who, "a string", v);
	return v;
}
static uint32_t char_arg(interp *I, const char *who, rl_val v)
{
	if (!is_char(v))
		lisp_type_error(I, who, "a char", v);
	return char_value(v);
}

static rl_val p_stringp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_string(a[0]));
}
static rl_val p_symbolp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_symbol(a[0]));
}
static rl_val p_charp(interp *I, rl_val *a, size_t n)
{
	(void)I;
	UNUSED_N;
	return make_bool(is_char(a[0]));
}
static rl_val p_string_length(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return rl_fixnum((intptr_t)string_length(string_arg(I, "string-length", a[0])));
}
static rl_val p_string_ref(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val s = string_arg(I, "string-ref", a[0]);
	size_t k = index_arg(I, "string-ref", a[1], string_length(s));
	return rl_char((unsigned char)string_bytes(s)[k]);
}
static rl_val p_string_append(interp *I, rl_val *a, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += string_length(string_arg(I, "string-append", a[i]));
	rl_obj *s = lisp_new(I, RL_T_STRING, len + 1);
	char *p = (char *)s->w;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, string_bytes(a[i]), string_length(a[i]));
		p += string_length(a[i]);
	}
	*p = '\0';
	return rl_val_of(s);
}
static rl_val p_substring(interp *I, rl_val *a, size_t n)
{
	rl_val s = string_arg(I, "substring", a[0]);
	size_t len = string_length(s);
	size_t start = index_arg(I, "substring", a[1], len + 1);
	size_t end = n > 2 ? index_arg(I, "substring", a[2], len + 1) : len;
	if (end < start)
		lisp_error(I, "substring: end %zu is before start %zu", end, start);
	return lisp_string(I, string_bytes(s) + start, end - start);
}
static rl_val p_string_copy(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val s = string_arg(I, "string-copy", a[0]);
	return lisp_string(I, string_bytes(s), string_length(s));
}
typedef int compare_fn(interp *I, const char *who, rl_val a, rl_val b);

/* string=?, string<?, char=?, char<?: whether compare puts every neighbouring
 * pair of a[0..n) in order (equal, or increasing when `increasing`); every
 * pair is compared, so a bad argument is an error even after a false. */
static rl_val in_order(interp *I, const char *who, compare_fn *compare, bool increasing, rl_val *a, size_t n)
{
	bool ok = true;
	for (size_t i = 1; i < n; i++) {
		int c = compare(I, who, a[i - 1], a[i]);
		ok = (increasing ? c < 0 : c == 0) && ok;
	}
	return make_bool(ok);
}
static int string_compare(interp *I, const char *who, rl_val a, rl_val b)
{
	string_arg(I, who, a);
	string_arg(I, who, b);
	size_t la = string_length(a), lb = string_length(b);
	int c = memcmp(string_bytes(a), string_bytes(b), la < lb ? la : lb);
	return c != 0 ? c : (la > lb) - (la < lb);
}
static rl_val p_string_eq(interp *I, rl_val *a, size_t n)
{
	return in_order(I, "string=?", string_compare, false, a, n);
}
static rl_val p_string_lt(interp *I, rl_val *a, size_t n)
{
	return in_order(I, "string<?", string_compare, true, a, n);
}
static rl_val p_string_to_symbol(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val s = string_arg(I, "string->symbol", a[0]);
	return lisp_intern(I, string_bytes(s), string_length(s));
}
static rl_val p_symbol_to_string(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	if (!is_symbol(a[0]))
		lisp_type_error(I, "symbol->string", "a symbol", a[0]);
	return lisp_string(I, symbol_name(a[0]), strlen(symbol_name(a[0])));
}
static rl_val p_number_to_string(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%lld", fixnum_arg(I, "number->string", a[0]));
	return lisp_string(I, buf, (size_t)len);
}
static rl_val p_string_to_number(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val s = string_arg(I, "string->number", a[0]);
	const char *p = string_bytes(s);
	char *end;
	long long v = strtoll(p, &end, 10);
	if (end == p || *end != '\0' || string_length(s) == 0)
		return RL_FALSE;
	return lisp_fixnum_checked(I, v);
}
static rl_val p_string_to_list(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	rl_val s = string_arg(I, "string->list", a[0]), l = RL_NIL;
	for (size_t i = string_length(s); i-- > 0;)
		l = lisp_cons(I, rl_char((unsigned char)string_bytes(s)[i]), l);
	return l;
}
static rl_val p_list_to_string(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	long long len = lisp_list_length(I, "list->string", a[0]);
	rl_obj *s = lisp_new(I, RL_T_STRING, (size_t)len + 1);
	char *p = (char *)s->w;
	for (rl_val l = a[0]; is_pair(l); l = cdr(l)) {
		uint32_t c = char_arg(I, "list->string", car(l));
		if (c > 0xff || c == 0)
			lisp_error(I, "list->string: only byte characters 1..255 are supported");
		*p++ = (char)c;
	}
	*p = '\0';
	return rl_val_of(s);
}
static rl_val p_string(interp *I, rl_val *a, size_t n)
{
	rl_obj *s = lisp_new(I, RL_T_STRING, n + 1);
	char *p = (char *)s->w;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = char_arg(I, "string", a[i]);
		if (c > 0xff || c == 0)
			lisp_error(I, "string: only byte characters 1..255 are supported");
		p[i] = (char)c;
	}
	p[n] = '\0';
	return rl_val_of(s);
}
static rl_val p_make_string(interp *I, rl_val *a, size_t n)
{
	long long len = fixnum_arg(I, "make-string", a[0]);
	uint32_t c = n > 1 ? char_arg(I, "make-string", a[1]) : ' ';
	if (len < 0 || len > (long long)RL_OBJ_MAX_BYTES - 1)
		lisp_error(I, "make-string: bad length %lld", len);
	if (c > 0xff || c == 0)
		lisp_error(I, "make-string: only byte characters 1..255 are supported");
	rl_obj *s = lisp_new(I, RL_T_STRING, (size_t)len + 1);
	memset(s->w, (int)c, (size_t)len);
	((char *)s->w)[len] = '\0';
	return rl_val_of(s);
}
static rl_val p_char_to_integer(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	return rl_fixnum(char_arg(I, "char->integer", a[0]));
}
static rl_val p_integer_to_char(interp *I, rl_val *a, size_t n)
{
	UNUSED_N;
	long long c = fixnum_arg(I, "integer->char", a[0]);
	if (c < 0 || c > 0x10ffff)
		lisp_error(I, "integer->char: %lld is not a code point", c);
	return rl_char((uint32_t)c);
}
static int char_compare(interp *I, const char *who, rl_val a, rl_val b)
{
	long long x = char_arg(I, who, a), y = char_arg(I, who, b);
	return (x > y) - (x < y);
}
static rl_val p_char_eq(interp *I, rl_val *a, size_t n) { return in_order(I, "char=?", char_compare, false, a, n); }
static rl_val p_char_lt(interp *I, rl_val *a, size_t n) { return in_order(I, "char<?", char_compare, true, a, n); }

static const prim table[] = {
	{ "string?", p_stringp, 1, 1 },
	{ "symbol?", p_symbolp, 1, 1 },
	{ "char?", p_charp, 1, 1 },
	{ "string-length", p_string_length, 1, 1 },
	{ "string-ref", p_string_ref, 2, 2 },
	{ "string-append", p_string_append, 0, PRIM_VARIADIC },
	{ "substring", p_substring, 2, 3 },
	{ "string-copy", p_string_copy, 1, 1 },
	{ "string=?", p_string_eq, 1, PRIM_VARIADIC },
	{ "string<?", p_string_lt, 1, PRIM_VARIADIC },
	{ "string->symbol", p_string_to_symbol, 1, 1 },
	{ "symbol->string", p_symbol_to_string, 1, 1 },
	{ "number->string", p_number_to_string, 1, 1 },
	{ "string->number", p_string_to_number, 1, 1 },
	{ "string->list", p_string_to_list, 1, 1 },
	{ "list->string", p_list_to_string, 1, 1 },
	{ "string", p_string, 0, PRIM_VARIADIC },
	{ "make-string", p_make_string, 1, 2 },
	{ "char->integer", p_char_to_integer, 1, 1 },
	{ "integer->char", p_integer_to_char, 1, 1 },
	{ "char=?", p_char_eq, 1, PRIM_VARIADIC },
	{ "char<?", p_char_lt, 1, PRIM_VARIADIC },
};

void lisp_prims_text(interp *I) { lisp_define_prims(I, table, sizeof table / sizeof table[0]); }
