/* The evaluator's internals, shared by the files of lisp/ and private to them.
 *
 * Values are the project's rl_val (regionlab/object.h): fixnums, booleans,
 * characters and the empty list are immediates; pairs, strings, symbols and
 * vectors are the built-in object types; a procedure is an RL_T_CLOSURE
 * (word 0: the C pointer to its compiled lambda, word 1: its environment)
 * or a static object of the registered type "lisp-primitive".
 *
 * Programs are compiled to a tree of nodes (C heap, freed with the program)
 * with lexical addresses, then run by each node's eval function.  A frame
 * holds [parent link, slot 1, ..., slot n]:
 *   - a heap frame is an RL_T_VECTOR object in the current region, its word 0
 *     the parent heap frame (an object, so that transmigration follows it);
 *     scopes whose body makes a closure get one, since a closure keeps it;
 *   - a stack frame lives on the value stack, its word 0 a C pointer to the
 *     parent frame's words; every other scope gets one: nothing can keep it,
 *     so it goes when its scope ends (and a tail call reuses its place).
 * A heap scope's ancestors are all heap scopes (they contain its body), so a
 * variable reference walks first stack hops, then heap hops.
 *
 * A call in tail position does not call: it leaves the procedure and its
 * arguments on the value stack and returns LISP_TAIL to the loop of the
 * closure being run (lisp/eval.c), which moves them down over its own frame.
 * The C stack and the value stack therefore stay flat through tail calls. */
#ifndef REGIONLAB_LISP_INTERNAL_H
#define REGIONLAB_LISP_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lisp/lisp.h"
#include "regionlab/object.h"
#include "regionlab/region.h"

/* Immediates of the evaluator's own (kinds the object model leaves free). */
#define LISP_IMM_TAIL 24u
#define LISP_IMM_UNBOUND 25u
#define LISP_IMM_EOF 26u
#define LISP_TAIL rl_imm(LISP_IMM_TAIL, 0)
#define LISP_UNBOUND rl_imm(LISP_IMM_UNBOUND, 0)
#define LISP_EOF rl_imm(LISP_IMM_EOF, 0)

typedef struct interp interp;
typedef struct node node;
typedef rl_val (*eval_fn)(interp *I, node *n, rl_val *env);

/* Every node starts with this: its eval function and the source position of
 * the list it was compiled from (the nearest one the reader saw). */
struct node {
	eval_fn ev;
	uint32_t line, col;
};

/* A compiled lambda: what a closure's word 0 points at. */
typedef struct lambda {
	unsigned nreq;  /* required arguments */
	bool rest;      /* a rest list after them */
	bool heap;      /* its frame is a heap frame */
	node *body;
	const char *name; /* for messages: the variable it was defined as, or "lambda" */
	uint32_t line, col;
} lambda;

/* A primitive procedure: args[0..n) on the value stack. */
typedef rl_val (*prim_fn)(interp *I, rl_val *args, size_t n);
typedef struct prim {
	const char *name;
	prim_fn fn;
	unsigned min, max; /* argument counts; max = PRIM_VARIADIC for any */
} prim;
#define PRIM_VARIADIC 0xffffu

/* A global variable. */
typedef struct global {
	rl_val value; /* LISP_UNBOUND until defined */
	rl_val sym;
} global;

/* What the compiler knows of a symbol: a special form, a global. */
struct scope;
typedef node *(*form_compiler)(interp *I, rl_val form, struct scope *sc, bool tail);
typedef struct symbol_info {
	rl_val sym;
	form_compiler special; /* NULL: not a special form */
	global *global;        /* NULL until first used as a global */
} symbol_info;

/* A lexical scope at compile time. */
typedef struct scope {
	struct scope *parent;
	rl_val *names;
	size_t n, cap;
	bool heap;
} scope;

/* A memory arena for nodes and other compile-time data (C heap). */
typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
} arena_chunk;

/* What the escapes cost and moved (lisp/regions.c). */
struct escape_stats {
	uint64_t tm_ns, overhead_ns;
	uint64_t escapes, barrier_moves, objects, bytes, regions;
	uint64_t peak_block_bytes;
};

struct interp {
	const rl_lisp_config *cfg;
	FILE *out;
	/* regions */
	rl_region *program; /* the reader's region: the program's data and every symbol */
	rl_region *top;     /* the top level's region, where globals' values live */
	rl_region *cur;     /* where allocation goes now */
	rl_region **rstack; /* callers' regions (regions=call) */
	size_t rdepth, rcap;
	bool call_regions;
	const struct rl_transmigrator *tm;
	struct escape_stats es;
	/* the value stack */
	rl_val *stack, *sp, *stack_end;
	size_t stack_words;
	rl_val *peak_sp;
	uintptr_t c_stack_limit; /* below it: recursion too deep */
	/* a tail call waiting for its loop */
	rl_val tc_fn;
	rl_val *tc_frame;
	size_t tc_n;
	node *tc_site;
	node *site; /* the call site of the primitive being run, for errors */
	/* symbols and globals */
	symbol_info *syms; /* open addressing, keyed by symbol address */
	size_t nsyms, syms_cap;
	arena_chunk *arena;
	/* source positions of the lists read (reader side table) */
	struct pos_entry *pos;
	size_t npos, pos_cap;
	const char *path;
	/* the compiler's position: the innermost list being compiled that the reader saw */
	uint32_t cline, ccol;
	/* errors */
	jmp_buf fail;
	enum rl_lisp_status status;
	char message[512];
	/* the documents read-json loaded: their regions live as long as the program */
	rl_region **docs;
	size_t ndocs;
	/* well-known symbols */
	rl_val s_quote, s_lambda, s_define, s_else, s_arrow, s_begin, s_let, s_letrec_star, s_if, s_set;
	rl_val s_do;
};

/* ---- errors (lisp/run.c) ------------------------------------------------------- */
/* Stops the program: "PATH:LINE:COL: message" at the site's position (the
 * current primitive's call site when site is NULL). */
_Noreturn void lisp_fail_at(interp *I, const node *site, enum rl_lisp_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define lisp_error(I, ...) lisp_fail_at((I), NULL, RL_LISP_ERROR, __VA_ARGS__)
/* "expected a pair, got 42" and the like, naming the procedure. */
_Noreturn void lisp_type_error(interp *I, const char *who, const char *expected, rl_val got);

/* ---- arena (lisp/run.c) ----------------------------------------------------------- */
void *arena_alloc(interp *I, size_t bytes);

/* ---- the reader's side table and symbols (lisp/read.c, lisp/symbols.c) ----------------------- */
struct pos_entry {
	rl_val list;
	uint32_t line, col;
};
/* Reads the file into I->program: the list of its top-level data, or fails. */
rl_val lisp_read_program(interp *I, const char *path);
/* Line and column of list `x` when the reader saw it: false when unknown. */
bool lisp_position(interp *I, rl_val x, uint32_t *line, uint32_t *col);
/* Makes every symbol in x the interned one of its name (the reader interns
 * per document; read-json documents get the program's symbols this way). */
rl_val lisp_canonical_symbols(interp *I, rl_val x);
/* The interned symbol named name[0..len) (made in I->program on first use). */
rl_val lisp_intern(interp *I, const char *name, size_t len);
symbol_info *lisp_symbol_info(interp *I, rl_val sym);
void lisp_symbols_free(interp *I);
/* The global of a symbol, made unbound on first use. */
global *lisp_global(interp *I, rl_val sym);

/* ---- values --------------------------------------------------------------------------- */
extern unsigned lisp_prim_type; /* the type id of "lisp-primitive" */

static inline bool is_type(rl_val v, unsigned t) { return rl_is_ptr(v) && rl_obj_type(rl_ptr(v)) == t; }
static inline bool is_pair(rl_val v) { return is_type(v, RL_T_CONS); }
static inline bool is_symbol(rl_val v) { return is_type(v, RL_T_SYMBOL); }
static inline bool is_string(rl_val v) { return is_type(v, RL_T_STRING); }
static inline bool is_vector(rl_val v) { return is_type(v, RL_T_VECTOR); }
static inline bool is_closure(rl_val v) { return is_type(v, RL_T_CLOSURE); }
static inline bool is_prim(rl_val v) { return is_type(v, lisp_prim_type); }
static inline bool is_char(rl_val v) { return rl_is_imm(v) && ((v >> 3) & 31u) == RL_IMM_CHAR; }
static inline bool is_bool(rl_val v) { return v == RL_TRUE || v == RL_FALSE; }
static inline uint32_t char_value(rl_val v) { return (uint32_t)(v >> 8); }
static inline rl_val car(rl_val p) { return rl_ptr(p)->w[0]; }
static inline rl_val cdr(rl_val p) { return rl_ptr(p)->w[1]; }
static inline rl_val make_bool(bool b) { return b ? RL_TRUE : RL_FALSE; }
static inline const char *symbol_name(rl_val s) { return (const char *)rl_ptr(s)->w; }
static inline const char *string_bytes(rl_val s) { return (const char *)rl_ptr(s)->w; }
static inline size_t string_length(rl_val s) { return rl_obj_bytes(rl_ptr(s)) - 1; }
static inline size_t vector_length(rl_val v) { return rl_obj_bytes(rl_ptr(v)) / sizeof(rl_val); }
static inline const prim *prim_of(rl_val v) { return (const prim *)rl_ptr(v)->w[0]; }
static inline lambda *closure_lambda(rl_val c) { return (lambda *)rl_ptr(c)->w[0]; }
/* The words of a heap frame object, and back. */
static inline rl_val *frame_words(rl_val frame) { return frame == RL_NIL ? NULL : rl_ptr(frame)->w; }
static inline rl_val frame_object(rl_val *words)
{
	return words == NULL ? RL_NIL : rl_val_of((rl_obj *)((char *)words - sizeof(uint64_t)));
}

/* Allocation in the current region; stops the program when memory runs out. */
rl_obj *lisp_new(interp *I, unsigned type, size_t payload_bytes);
rl_val lisp_cons(interp *I, rl_val a, rl_val d);
rl_val lisp_string(interp *I, const char *bytes, size_t len);
rl_val lisp_vector(interp *I, size_t n, rl_val fill);
rl_val lisp_fixnum_checked(interp *I, long long n); /* fixnum overflow is an error */
long long lisp_list_length(interp *I, const char *who, rl_val l); /* error unless a proper list */

/* ---- the value type table (lisp/types.c): printing and equality, per type id ------------ */
void lisp_print(interp *I, FILE *f, rl_val v, bool write);
bool lisp_eqv(rl_val a, rl_val b);
bool lisp_equal(rl_val a, rl_val b);
/* A short name of v's type for messages: "pair", "fixnum", ... */
const char *lisp_type_name(rl_val v);
void lisp_types_init(void);

/* ---- compiler (lisp/compile.c, lisp/forms.c) ----------------------------------------------- */
node *lisp_compile(interp *I, rl_val x, scope *sc, bool tail);
/* A body: internal defines become a letrec* scope around the rest. */
node *lisp_compile_body(interp *I, rl_val body, scope *sc, bool tail);
node *lisp_compile_lambda(interp *I, rl_val params, rl_val body, scope *sc, const char *name);
/* The value of a (define ...) form, compiled in scope sc (a lambda for (define (f ...) ...)). */
node *lisp_compile_define_value(interp *I, rl_val form, scope *sc);
/* Does the syntax x make a closure anywhere (lambda, named let, do, (define (f ...)))? */
bool lisp_makes_closure(interp *I, rl_val x);
/* Registers every special form in the symbol table. */
void lisp_forms_init(interp *I);
/* Syntax helpers: a list of n items (made in I->program, like the program's
 * own data), a new node at the position of the form being compiled, and a
 * syntax error there. */
rl_val lisp_list(interp *I, size_t n, ...);
void *node_new(interp *I, size_t bytes, eval_fn ev);
_Noreturn void lisp_syntax_error(interp *I, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new scope for names[0..n) under sc (the names are copied). */
scope *lisp_scope_new(interp *I, scope *sc, const rl_val *names, size_t n, bool heap);

/* Nodes the forms build (lisp/eval.c). */
node *node_const(interp *I, rl_val v);
node *node_seq(interp *I, node **items, size_t n);
node *node_if(interp *I, node *test, node *then, node *otherwise);
node *node_and_or(interp *I, node **items, size_t n, bool is_and);
node *node_ref(interp *I, rl_val sym, scope *sc);
node *node_set(interp *I, rl_val sym, node *value, scope *sc, bool define);
node *node_lambda(interp *I, lambda *L);
node *node_app(interp *I, node *fn, node **args, size_t n, bool tail);
/* A let-like frame: inits evaluated outside (let) or inside (letrec) the new scope. */
/* A frame of inner->n slots: inits[0..n) fill the first n, evaluated outside
 * the new scope (let) or inside it (letrec, letrec*); the others start
 * unspecified (internal defines set them). */
node *node_let(interp *I, scope *inner, node **inits, size_t n, node *body, bool rec);
node *node_case(interp *I, node *key, rl_val *data, node **bodies, size_t nclauses, node *otherwise);

/* ---- evaluation (lisp/eval.c) ------------------------------------------------------------------ */
/* Calls f with args[0..n) (copied onto the value stack), not in tail position. */
rl_val lisp_apply(interp *I, rl_val f, const rl_val *args, size_t n);
/* Calls f with the frame already on the value stack: frame[0] reserved,
 * frame[1..n] the arguments; pops it. */
rl_val lisp_call_frame(interp *I, rl_val f, rl_val *frame, size_t n, node *site);
static inline rl_val *lisp_push_frame(interp *I, size_t n)
{
	rl_val *f = I->sp;
	extern _Noreturn void lisp_stack_overflow(interp * I);
	if ((size_t)(I->stack_end - f) < n + 1)
		lisp_stack_overflow(I);
	I->sp = f + n + 1;
	return f;
}

/* ---- regions (lisp/regions.c) -------------------------------------------------------------------- */
/* Enters a fresh region for a non-tail call (regions=call). */
void lisp_region_enter(interp *I);
/* Leaves it: moves v out when it lives there, then the region dies.  Returns v's new address. */
rl_val lisp_region_leave(interp *I, rl_val v);
/* The store barrier: stores v into *slot of `container` (an object, or
 * RL_NIL for a global, whose values live in I->top), moving v's graph into
 * the container's region first when it lives in a younger one. */
void lisp_store(interp *I, rl_val container, rl_val *slot, rl_val v);
void lisp_regions_cleanup(interp *I);
/* A document read into its own region (read-json) becomes data of the
 * current region: moved there by the strategy (an escape), doc dies. */
rl_val lisp_adopt_document(interp *I, rl_region *doc, rl_val root);

/* ---- primitives (lisp/prim_*.c) ---------------------------------------------------------------- */
/* Defines every primitive as a global. */
void lisp_prims_init(interp *I);
void lisp_define_prims(interp *I, const prim *table, size_t n);
static inline long long fixnum_arg(interp *I, const char *who, rl_val v)
{
	if (!rl_is_fixnum(v))
		lisp_type_error(I, who, "a fixnum", v);
	return (long long)rl_fixnum_value(v);
}
/* A fixnum argument that indexes something of `limit` elements, as size_t. */
static inline size_t index_arg(interp *I, const char *who, rl_val v, size_t limit)
{
	long long k = fixnum_arg(I, who, v);
	if (k < 0 || (unsigned long long)k >= limit)
		lisp_error(I, "%s: index %lld out of range [0, %zu)", who, k, limit);
	return (size_t)k;
}
static inline rl_val pair_arg(interp *I, const char *who, rl_val v)
{
	if (!is_pair(v))
		lisp_type_error(I, who, "a pair", v);
	return v;
}
void lisp_prims_lists(interp *I);
void lisp_prims_numbers(interp *I);
void lisp_prims_text(interp *I);
void lisp_prims_vectors(interp *I);
void lisp_prims_control(interp *I);

#endif
