/* The evaluator's view of value types: how each type prints, compares under
 * equal? and is named in messages.  Objects go through a table indexed by
 * the type id of the project's type table (core/types.c), immediates through
 * one indexed by their kind: no switch on type tags. */
#include <inttypes.h>
#include <string.h>

#include "lisp/internal.h"

unsigned lisp_prim_type;

struct type_ops {
	const char *name;
	void (*print)(interp *I, FILE *f, rl_val v, bool write);
	/* a and b are objects of this type, not eq */
	bool (*equal)(rl_val a, rl_val b);
};

/* ---- printing ------------------------------------------------------------------ */
static void print_string(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	if (!write) {
		fwrite(string_bytes(v), 1, string_length(v), f);
		return;
	}
	fputc('"', f);
	for (const char *p = string_bytes(v), *e = p + string_length(v); p < e; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void print_symbol(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	(void)write;
	fputs(symbol_name(v), f);
}

static void print_pair(interp *I, FILE *f, rl_val v, bool write)
{
	fputc('(', f);
	for (;;) {
		lisp_print(I, f, car(v), write);
		v = cdr(v);
		if (is_pair(v)) {
			fputc(' ', f);
			continue;
		}
		if (v != RL_NIL) {
			fputs(" . ", f);
			lisp_print(I, f, v, write);
		}
		break;
	}
	fputc(')', f);
}

static void print_vector(interp *I, FILE *f, rl_val v, bool write)
{
	fputs("#(", f);
	for (size_t i = 0, n = vector_length(v); i < n; i++) {
		if (i)
			fputc(' ', f);
		lisp_print(I, f, rl_ptr(v)->w[i], write);
	}
	fputc(')', f);
}

static void print_closure(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	(void)write;
	fprintf(f, "#<procedure %s>", closure_lambda(v)->name);
}

static void print_prim(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	(void)write;
	fprintf(f, "#<procedure %s>", prim_of(v)->name);
}

static void print_box_int(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	(void)write;
	int64_t n;
	memcpy(&n, rl_ptr(v)->w, sizeof n);
	fprintf(f, "%" PRId64, n);
}

static void print_double(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	(void)write;
	double d;
	memcpy(&d, rl_ptr(v)->w, sizeof d);
	fprintf(f, "%.17g", d);
}

static void print_other(interp *I, FILE *f, rl_val v, bool write)
{
	(void)I;
	(void)write;
	fprintf(f, "#<%s>", rl_type_of(rl_ptr(v))->name);
}

/* ---- equal? ------------------------------------------------------------------------ */
static bool bytes_equal(rl_val a, rl_val b)
{
	uint32_t n = rl_obj_bytes(rl_ptr(a));
	return n == rl_obj_bytes(rl_ptr(b)) && memcmp(rl_ptr(a)->w, rl_ptr(b)->w, n) == 0;
}

static bool pair_equal(rl_val a, rl_val b)
{
	/* iterative along the cdrs, recursive in the cars */
	while (is_pair(a) && is_pair(b)) {
		if (!lisp_equal(car(a), car(b)))
			return false;
		a = cdr(a);
		b = cdr(b);
	}
	return lisp_equal(a, b);
}

static bool vector_equal(rl_val a, rl_val b)
{
	size_t n = vector_length(a);
	if (n != vector_length(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lisp_equal(rl_ptr(a)->w[i], rl_ptr(b)->w[i]))
			return false;
	return true;
}

static bool never_equal(rl_val a, rl_val b)
{
	(void)a;
	(void)b;
	return false;
}

static const struct type_ops other_ops = { "object", print_other, never_equal };
static const struct type_ops *object_ops[RL_TYPE_MAX];
static const struct type_ops ops_pair = { "pair", print_pair, pair_equal };
static const struct type_ops ops_string = { "string", print_string, bytes_equal };
static const struct type_ops ops_symbol = { "symbol", print_symbol, never_equal };
static const struct type_ops ops_vector = { "vector", print_vector, vector_equal };
static const struct type_ops ops_closure = { "procedure", print_closure, never_equal };
static const struct type_ops ops_prim = { "procedure", print_prim, never_equal };
static const struct type_ops ops_box_int = { "integer", print_box_int, bytes_equal };
static const struct type_ops ops_double = { "real", print_double, bytes_equal };

/* ---- immediates, by kind (bits 3..7 of the word) -------------------------------------------- */
static void print_bool(FILE *f, rl_val v, bool write)
{
	(void)write;
	fputs(v == RL_TRUE ? "#t" : "#f", f);
}

static void print_char(FILE *f, rl_val v, bool write)
{
	uint32_t c = char_value(v);
	if (!write) {
		if (c < 0x80)
			fputc((int)c, f);
		else
			fprintf(f, "\\x%" PRIx32, c);
		return;
	}
	if (c == ' ')
		fputs("#\\space", f);
	else if (c == '\n')
		fputs("#\\newline", f);
	else if (c > 0x20 && c < 0x7f)
		fprintf(f, "#\\%c", (int)c);
	else
		fprintf(f, "#\\x%" PRIx32, c);
}

static void print_unspec(FILE *f, rl_val v, bool write)
{
	(void)v;
	(void)write;
	(void)f; /* Guile prints nothing for (display (if #f #f)) either */
}

static void print_eof(FILE *f, rl_val v, bool write)
{
	(void)v;
	(void)write;
	fputs("#<eof>", f);
}

struct imm_ops {
	const char *name;
	void (*print)(FILE *f, rl_val v, bool write);
};
static const struct imm_ops imm_table[32] = {
	[RL_IMM_BOOL] = { "boolean", print_bool },
	[RL_IMM_CHAR] = { "char", print_char },
	[RL_IMM_UNSPEC] = { "unspecified", print_unspec },
	[LISP_IMM_EOF] = { "eof", print_eof },
};

void lisp_types_init(void)
{
	int t = rl_type_lookup("lisp-primitive");
	if (t < 0)
		t = rl_type_register("lisp-primitive", sizeof(rl_val), 0);
	lisp_prim_type = (unsigned)t;
	for (unsigned i = 0; i < RL_TYPE_MAX; i++)
		object_ops[i] = &other_ops;
	object_ops[RL_T_CONS] = &ops_pair;
	object_ops[RL_T_STRING] = &ops_string;
	object_ops[RL_T_SYMBOL] = &ops_symbol;
	object_ops[RL_T_VECTOR] = &ops_vector;
	object_ops[RL_T_CLOSURE] = &ops_closure;
	object_ops[RL_T_BOX_INT] = &ops_box_int;
	object_ops[RL_T_BOX_DOUBLE] = &ops_double;
	object_ops[lisp_prim_type] = &ops_prim;
}

static unsigned imm_kind(rl_val v) { return (unsigned)((v >> 3) & 31u); }

void lisp_print(interp *I, FILE *f, rl_val v, bool write)
{
	if (rl_is_fixnum(v))
		fprintf(f, "%lld", (long long)rl_fixnum_value(v));
	else if (v == RL_NIL)
		fputs("()", f);
	else if (rl_is_ptr(v))
		object_ops[rl_obj_type(rl_ptr(v))]->print(I, f, v, write);
	else if (rl_is_imm(v) && imm_table[imm_kind(v)].print != NULL)
		imm_table[imm_kind(v)].print(f, v, write);
	else
		fprintf(f, "#<value %#lx>", (unsigned long)v);
}

const char *lisp_type_name(rl_val v)
{
	if (rl_is_fixnum(v))
		return "fixnum";
	if (v == RL_NIL)
		return "empty list";
	if (rl_is_ptr(v))
		return object_ops[rl_obj_type(rl_ptr(v))]->name;
	if (rl_is_imm(v) && imm_table[imm_kind(v)].name != NULL)
		return imm_table[imm_kind(v)].name;
	return "value";
}

bool lisp_eqv(rl_val a, rl_val b)
{
	if (a == b)
		return true;
	/* boxed numbers compare by value (they are not made by this evaluator,
	 * but a document may hold them) */
	return rl_is_ptr(a) && rl_is_ptr(b) && rl_obj_type(rl_ptr(a)) == rl_obj_type(rl_ptr(b)) &&
	       (rl_obj_type(rl_ptr(a)) == RL_T_BOX_INT || rl_obj_type(rl_ptr(a)) == RL_T_BOX_DOUBLE) &&
	       bytes_equal(a, b);
}

bool lisp_equal(rl_val a, rl_val b)
{
	if (a == b)
		return true;
	if (!rl_is_ptr(a) || !rl_is_ptr(b) || rl_obj_type(rl_ptr(a)) != rl_obj_type(rl_ptr(b)))
		return false;
	return object_ops[rl_obj_type(rl_ptr(a))]->equal(a, b);
}
