/* sexp: a real Lisp or Scheme source file loaded into region objects, so that
 * real program shapes (and the sharing and cycles of datum labels) are
 * transmigrated and checked.
 *
 *   --workload=sexp:file=PATH   (the `file` option names the file;
 *                                --size is ignored: the file decides)
 *
 * The root is the list of the file's top-level data, in order.  The syntax
 * is R7RS's, with the common extensions of real Scheme sources:
 *   (a b . c) [a b]      lists and dotted pairs; brackets pair like parens
 *   symbols              interned per file, so equal names are one object;
 *                        |any text| and \x escapes in symbols;
 *                        #!fold-case / #!no-fold-case fold ASCII letters
 *   "..."                strings: \a \b \t \n \r \f \v \0 \" \\ \| \xHH;
 *                        (or Guile's two-digit \xHH), \uHHHH, \UHHHHHH, and
 *                        \ at the end of a line (the line break and the
 *                        indentation around it vanish)
 *   42 -7 #x1f #b101     integers: a fixnum when it fits 63 bits, a boxed int
 *                        when it fits 64, else a boxed double (lossy)
 *   3.14 1e3 1/3 +inf.0  decimals, rationals (n/d is an integer when d
 *                        divides n), infinities and NaN: boxed doubles;
 *                        #e and #i prefixes convert between the two
 *   #\a #\space #\x41    characters (rl_char): R7RS names, the ASCII control
 *                        names (nul, soh, ... us, sp, del) and a few common
 *                        aliases (linefeed, page, nl, ...), #\xHH, #\U+HH
 *                        and Guile's octal #\101
 *   #t #f #true #false   RL_TRUE, RL_FALSE
 *   #(...)               vectors; #u8(...) and #vu8(...) bytevectors (blobs)
 *   'x `x ,x ,@x         (quote x) (quasiquote x) (unquote x)
 *                        (unquote-splicing x); #' #` #, #,@ give R6RS's
 *                        syntax, quasisyntax, unsyntax, unsyntax-splicing
 *   #:k                  a keyword: the interned symbol named "#:k"
 *   #nil                 Guile's Emacs Lisp nil: the interned symbol "#nil"
 *   #{any text}#         Guile's extended symbol syntax
 *   ; #| |# #;           line, nested block and datum comments
 *   #!/... !#            a script header (Guile's block form, or one line);
 *                        other #!NAME directives (#!r6rs ...) are skipped
 *   #n= #n#              R7RS datum labels: shared structure and cycles
 *   #@TYPE:HEX(V ...)    the generic form that `harness --dump` writes for what
 *   #@imm:HEX            has no Scheme syntax (workloads/dump.c): an object of
 *                        any type of the type table, its payload bytes in hex
 *                        and its value slots; an immediate word
 * Complex numbers are not numbers here: 1+2i reads as a symbol.
 *
 * Datum labels.  #n= names the datum that follows; #n# refers to it, also
 * from inside that datum, which is how a cycle is written (#0=(a . #0#) is
 * a ring).  A reference to a label whose datum is still being read yields a
 * placeholder immediate, and every slot that receives a placeholder is
 * recorded on that label's fix-up chain; when the datum is complete, the
 * chain is walked and each slot is patched with the datum.  A label whose
 * datum is itself such a placeholder (#1= in (#0=(#1=#0#) #1#)) keeps the
 * placeholder as its value, and every later use of it (a #1#, a slot, a
 * label's value) resolves it to the enclosing datum once that is complete
 * (resolve()), so no placeholder survives in a loaded graph whatever the
 * nesting.  A label's scope is the top-level datum it appears in (R7RS), so
 * the table is emptied after each one.
 *
 * The parser is a loop over an explicit stack of frames (open lists and
 * vectors, pending shorthands, labels and datum comments): no C recursion,
 * so nesting depth is bounded only by RL_READER_MAX_DEPTH.  Items wait on a
 * value stack until their list closes.  Inside a datum comment the reader
 * checks the syntax but allocates nothing.  Malformed input fails with
 * "PATH:LINE:COL: what is wrong" and the load returns RL_NIL; nothing it
 * allocated is reachable from a root. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "workloads/build.h"
#include "workloads/reader.h"

#define NONE SIZE_MAX

/* A label's datum still being read: rl_imm kind 31, the label's index. */
#define PLACEHOLDER_KIND 31u
#define PLACEHOLDER_LOW ((PLACEHOLDER_KIND << 3) | RL_IMM_TAG)
static rl_val placeholder(size_t label) { return rl_imm(PLACEHOLDER_KIND, label); }
static bool is_placeholder(rl_val v) { return (v & 0xffu) == PLACEHOLDER_LOW; }
static size_t placeholder_label(rl_val v) { return (size_t)(v >> 8); }

enum frame_kind {
	F_TOP,     /* the file: its items are the top-level data */
	F_LIST,    /* ( or [ */
	F_VECTOR,  /* #( */
	F_BYTES,   /* #u8( or #vu8( */
	F_OBJECT,  /* #@TYPE:HEX( : aux = the type id, raw = offset of HEX, raw_len its length */
	F_WRAP,    /* 'x and the other shorthands: aux = index in shorthands[] */
	F_LABEL,   /* #n=: aux = index in labels, or NONE inside a datum comment */
	F_COMMENT, /* #; */
};

struct sx_frame {
	enum frame_kind kind;
	char close;  /* ')' or ']' for the kinds that close */
	size_t base; /* index in vals of the first item */
	size_t open; /* offset of the opening token */
	size_t dot;  /* index in vals of a dotted tail, or NONE */
	size_t aux;
	size_t raw, raw_len; /* F_OBJECT: its payload bytes in hex, in the text */
};

static const struct shorthand {
	const char *spelling, *symbol;
} shorthands[] = {
	{ "'", "quote" },     { "`", "quasiquote" },     { ",", "unquote" },     { ",@", "unquote-splicing" },
	{ "#'", "syntax" },   { "#`", "quasisyntax" },   { "#,", "unsyntax" },   { "#,@", "unsyntax-splicing" },
};

struct sx_label {
	uint64_t number;
	rl_val value;  /* the datum, once read */
	bool pending;  /* its datum is still being read */
	size_t fixups; /* head of the chain of slots holding its placeholder */
	size_t open;   /* offset of the #n= */
	size_t bucket; /* where the index table holds it */
};

struct sx_fixup {
	rl_val *slot;
	size_t next;
};

struct sexp {
	rl_doc doc;
	const unsigned char *text, *end;
	rl_valstack vals;
	struct sx_frame *frames;
	size_t depth, frames_cap;
	rl_bytebuf scratch; /* decoded string or symbol */
	rl_bytebuf name;    /* a keyword's name */
	rl_symtab syms;
	struct sx_label *labels;
	size_t nlabels, labels_cap;
	size_t *label_index; /* open addressing: label index + 1, 0 = empty */
	size_t label_index_cap;
	struct sx_fixup *fixups;
	size_t nfixups, fixups_cap;
	unsigned discard; /* open datum comments: read, check, allocate nothing */
	bool fold_case;
	bool failed;
	size_t tok; /* offset of the token being read, for errors */
};

/* ---- errors ------------------------------------------------------------------- */
static void fail_at(struct sexp *s, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(struct sexp *s, size_t at, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rl_doc_fail(&s->doc, at, "%s", msg);
	s->failed = true;
}

static size_t offset(const struct sexp *s, const unsigned char *p) { return (size_t)(p - s->text); }

static bool fail_nomem(struct sexp *s)
{
	rl_doc_fail_nomem(&s->doc);
	s->failed = true;
	return false;
}

/* "'x'", "end of input" or "byte 0xNN". */
static const char *found(const struct sexp *s, const unsigned char *p, char *buf, size_t len)
{
	if (p >= s->end)
		return "end of input";
	if (*p > 0x20 && *p < 0x7f)
		snprintf(buf, len, "'%c'", *p);
	else
		snprintf(buf, len, "byte 0x%02x", *p);
	return buf;
}

/* ---- characters ---------------------------------------------------------------- */
static bool is_space(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Ends a token: whitespace, a paren or bracket, a string, a comment, or the
 * end (the NUL sentinel; a NUL inside the file also ends a token and is then
 * reported as an unexpected byte). */
static bool is_delimiter(unsigned c)
{
	return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"' || c == ';' || c == '\0';
}

static int digit_value(unsigned c, unsigned radix)
{
	int v;
	if (c - '0' < 10u)
		v = (int)(c - '0');
	else if ((c | 0x20) - 'a' < 26u)
		v = (int)((c | 0x20) - 'a' + 10);
	else
		return -1;
	return v < (int)radix ? v : -1;
}

static bool is_ascii_alpha(unsigned c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_ascii_digit(unsigned c) { return c >= '0' && c <= '9'; }
static unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c; }

/* One character at p (the text is well-formed UTF-8: rl_doc_open checked
 * it, so invalid bytes never reach here).  Its length. */
static size_t char_at(const unsigned char *p, uint32_t *cp)
{
	size_t n = rl_utf8_decode(p, cp);
	return n != 0 ? n : 1;
}

/* ---- atmosphere: whitespace, comments, directives -------------------------------- */
/* Skips a nested #| ... |# whose '#' is at p: the byte after it, or NULL. */
static const unsigned char *skip_block_comment(struct sexp *s, const unsigned char *p)
{
	const unsigned char *open = p;
	size_t nesting = 1;
	p += 2;
	while (nesting > 0) {
		if (p >= s->end) {
			fail_at(s, offset(s, open), "block comment '#|' is never closed");
			return NULL;
		}
		if (p[0] == '|' && p[1] == '#') {
			nesting--;
			p += 2;
		} else if (p[0] == '#' && p[1] == '|') {
			nesting++;
			p += 2;
		} else {
			p++;
		}
	}
	return p;
}

/* #! at p: a directive (#!fold-case, #!no-fold-case, or another #!NAME,
 * skipped), or a script header: up to the next "!#" (Guile), or to the end
 * of the line when there is none.  The byte after it. */
static const unsigned char *skip_directive(struct sexp *s, const unsigned char *p)
{
	const unsigned char *name = p + 2, *q = name;
	while (*q == '-' || is_ascii_alpha(*q) || is_ascii_digit(*q))
		q++;
	if (q > name && is_delimiter(*q)) {
		size_t len = (size_t)(q - name);
		if (len == 9 && memcmp(name, "fold-case", 9) == 0)
			s->fold_case = true;
		else if (len == 12 && memcmp(name, "no-fold-case", 12) == 0)
			s->fold_case = false;
		return q;
	}
	for (q = p + 2; q + 1 < s->end; q++)
		if (q[0] == '!' && q[1] == '#')
			return q + 2;
	q = memchr(p, '\n', (size_t)(s->end - p));
	return q != NULL ? q : s->end;
}

/* Whitespace and comments other than #; (a frame of its own): the first
 * byte of the next token, or NULL. */
static const unsigned char *skip_atmosphere(struct sexp *s, const unsigned char *p)
{
	for (;;) {
		if (is_space(*p)) {
			p++;
		} else if (*p == ';') {
			const unsigned char *nl = memchr(p, '\n', (size_t)(s->end - p));
			p = nl != NULL ? nl + 1 : s->end;
		} else if (p[0] == '#' && p[1] == '|') {
			if ((p = skip_block_comment(s, p)) == NULL)
				return NULL;
		} else if (p[0] == '#' && p[1] == '!') {
			p = skip_directive(s, p);
		} else {
			return p;
		}
	}
}

/* ---- frames ------------------------------------------------------------------------- */
static struct sx_frame *top(struct sexp *s) { return &s->frames[s->depth - 1]; }

static bool push_frame(struct sexp *s, enum frame_kind kind, char close, const unsigned char *at, size_t aux)
{
	if (s->depth == RL_READER_MAX_DEPTH + 1u) { /* the F_TOP frame is not nesting */
		fail_at(s, offset(s, at), "nesting deeper than %u levels", RL_READER_MAX_DEPTH);
		return false;
	}
	if (s->depth == s->frames_cap) {
		size_t cap = s->frames_cap ? 2 * s->frames_cap : 64;
		struct sx_frame *f = realloc(s->frames, cap * sizeof *f);
		if (f == NULL)
			return fail_nomem(s);
		s->frames = f;
		s->frames_cap = cap;
	}
	s->frames[s->depth++] = (struct sx_frame){
		.kind = kind, .close = close, .base = s->vals.n, .open = offset(s, at), .dot = NONE, .aux = aux,
	};
	if (kind == F_COMMENT)
		s->discard++;
	return true;
}

/* ---- datum labels ------------------------------------------------------------------ */
static size_t label_bucket(const struct sexp *s, uint64_t number)
{
	uint64_t h = number * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 32) & (s->label_index_cap - 1);
}

/* Index of label `number` in this top-level datum, or NONE. */
static size_t label_find(const struct sexp *s, uint64_t number)
{
	if (s->nlabels == 0)
		return NONE;
	for (size_t b = label_bucket(s, number); s->label_index[b] != 0; b = (b + 1) & (s->label_index_cap - 1))
		if (s->labels[s->label_index[b] - 1].number == number)
			return s->label_index[b] - 1;
	return NONE;
}

static bool label_index_grow(struct sexp *s)
{
	size_t cap = s->label_index_cap ? 2 * s->label_index_cap : 64;
	size_t *index = calloc(cap, sizeof *index);
	if (index == NULL)
		return false;
	free(s->label_index);
	s->label_index = index;
	s->label_index_cap = cap;
	for (size_t i = 0; i < s->nlabels; i++) {
		size_t b = label_bucket(s, s->labels[i].number);
		while (index[b] != 0)
			b = (b + 1) & (cap - 1);
		index[b] = i + 1;
		s->labels[i].bucket = b;
	}
	return true;
}

/* A new pending label: its index, or NONE when memory ran out. */
static size_t label_add(struct sexp *s, uint64_t number, size_t open)
{
	if (2 * (s->nlabels + 1) > s->label_index_cap && !label_index_grow(s))
		return NONE;
	if (s->nlabels == s->labels_cap) {
		size_t cap = s->labels_cap ? 2 * s->labels_cap : 16;
		struct sx_label *l = realloc(s->labels, cap * sizeof *l);
		if (l == NULL)
			return NONE;
		s->labels = l;
		s->labels_cap = cap;
	}
	size_t b = label_bucket(s, number);
	while (s->label_index[b] != 0)
		b = (b + 1) & (s->label_index_cap - 1);
	s->label_index[b] = s->nlabels + 1;
	s->labels[s->nlabels] = (struct sx_label){
		.number = number, .value = RL_NIL, .pending = true, .fixups = NONE, .open = open, .bucket = b,
	};
	return s->nlabels++;
}

/* Forgets every label: a top-level datum is complete. */
static void labels_reset(struct sexp *s)
{
	for (size_t i = 0; i < s->nlabels; i++)
		s->label_index[s->labels[i].bucket] = 0;
	s->nlabels = 0;
	s->nfixups = 0;
}

/* What v stands for now.  A label defined while an enclosing label was
 * still pending holds that label's placeholder as its value (#1= in
 * (#0=(#1=#0#) #1#)); once the enclosing datum is complete, the placeholder
 * stands for that datum.  Follows such values to the datum, or to the
 * placeholder of a label still pending.  Each step goes to a label defined
 * earlier, so the walk ends. */
static rl_val resolve(const struct sexp *s, rl_val v)
{
	while (is_placeholder(v) && !s->labels[placeholder_label(v)].pending)
		v = s->labels[placeholder_label(v)].value;
	return v;
}

/* Stores v into a slot of a new object, recording the slot when v is the
 * placeholder of a label whose datum is still being read. */
static bool store(struct sexp *s, rl_val *slot, rl_val v)
{
	v = resolve(s, v);
	*slot = v;
	if (!is_placeholder(v))
		return true;
	if (s->nfixups == s->fixups_cap) {
		size_t cap = s->fixups_cap ? 2 * s->fixups_cap : 64;
		struct sx_fixup *f = realloc(s->fixups, cap * sizeof *f);
		if (f == NULL)
			return fail_nomem(s);
		s->fixups = f;
		s->fixups_cap = cap;
	}
	struct sx_label *l = &s->labels[placeholder_label(v)];
	s->fixups[s->nfixups] = (struct sx_fixup){ .slot = slot, .next = l->fixups };
	l->fixups = s->nfixups++;
	return true;
}

/* The datum of label `index` is complete: patch every slot waiting for it. */
static bool label_define(struct sexp *s, size_t index, rl_val v)
{
	struct sx_label *l = &s->labels[index];
	if (v == placeholder(index)) {
		fail_at(s, l->open, "label #%llu= labels nothing but itself", (unsigned long long)l->number);
		return false;
	}
	l->value = resolve(s, v);
	l->pending = false;
	size_t chain = l->fixups;
	l->fixups = NONE;
	while (chain != NONE) {
		size_t next = s->fixups[chain].next;
		/* v may itself be the placeholder of an enclosing label (#0=(#1=#0#
		 * ...)): then the slot moves onto that label's chain. */
		if (!store(s, s->fixups[chain].slot, v))
			return false;
		chain = next;
	}
	return true;
}

/* ---- objects ---------------------------------------------------------------------- */
/* The list of items[0..n) ending in tail, cells allocated first to last. */
static bool make_list(struct sexp *s, const rl_val *items, size_t n, rl_val tail, rl_val *out)
{
	rl_val head = tail;
	rl_obj *prev = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *cell = rl_wl_new(s->doc.w, RL_T_CONS, 2 * sizeof(rl_val));
		if (cell == NULL)
			return fail_nomem(s);
		if (!store(s, &cell->w[0], items[i]))
			return false;
		if (prev != NULL)
			prev->w[1] = rl_val_of(cell);
		else
			head = rl_val_of(cell);
		prev = cell;
	}
	if (prev != NULL && !store(s, &prev->w[1], tail))
		return false;
	*out = head;
	return true;
}

static bool make_vector(struct sexp *s, const rl_val *items, size_t n, rl_val *out)
{
	if (n > RL_OBJ_MAX_BYTES / sizeof(rl_val))
		return fail_nomem(s);
	rl_obj *vec = rl_wl_new(s->doc.w, RL_T_VECTOR, (uint32_t)(n * sizeof(rl_val)));
	if (vec == NULL)
		return fail_nomem(s);
	for (size_t i = 0; i < n; i++)
		if (!store(s, &vec->w[i], items[i]))
			return false;
	*out = rl_val_of(vec);
	return true;
}

static bool make_bytes(struct sexp *s, const rl_val *items, size_t n, rl_val *out)
{
	if (n > RL_OBJ_MAX_BYTES)
		return fail_nomem(s);
	rl_obj *blob = rl_wl_new(s->doc.w, RL_T_BLOB, (uint32_t)n);
	if (blob == NULL)
		return fail_nomem(s);
	unsigned char *bytes = (unsigned char *)blob->w;
	for (size_t i = 0; i < n; i++)
		bytes[i] = (unsigned char)rl_fixnum_value(items[i]);
	*out = rl_val_of(blob);
	return true;
}

static int hex_digit(unsigned c) { return digit_value(c, 16); }

/* #@TYPE:HEX(V ...) closed: an object of the frame's type with the payload
 * bytes HEX, whose value slots, in order, receive items[0..n). */
static bool make_object(struct sexp *s, const struct sx_frame *f, const rl_val *items, size_t n, rl_val *out)
{
	const rl_type *t = &rl_type_table[f->aux];
	size_t bytes = f->raw_len / 2;
	if (t->fixed_bytes != 0 && bytes != t->fixed_bytes) {
		fail_at(s, f->open, "%s takes %u payload bytes, not %zu", t->name, t->fixed_bytes, bytes);
		return false;
	}
	if (bytes > RL_OBJ_MAX_BYTES)
		return fail_nomem(s);
	rl_obj *o = rl_wl_new(s->doc.w, (unsigned)f->aux, (uint32_t)bytes);
	if (o == NULL)
		return fail_nomem(s);
	const unsigned char *hex = s->text + f->raw;
	unsigned char *b = (unsigned char *)o->w;
	for (size_t i = 0; i < bytes; i++)
		b[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	rl_slot_iter it;
	rl_val *slot;
	size_t slots = 0;
	for (rl_slots_begin(&it, o); rl_slots_next(&it) != NULL;)
		slots++;
	if (slots != n) {
		fail_at(s, f->open, "a %s of %zu bytes holds %zu values, not %zu", t->name, bytes, slots, n);
		return false;
	}
	size_t i = 0;
	for (rl_slots_begin(&it, o); (slot = rl_slots_next(&it)) != NULL; i++)
		if (!store(s, slot, items[i]))
			return false;
	*out = rl_val_of(o);
	return true;
}

static bool intern(struct sexp *s, const char *name, size_t len, rl_val *out)
{
	if (s->discard) {
		*out = RL_FALSE;
		return true;
	}
	*out = rl_symtab_intern(&s->syms, s->doc.w, name, len);
	return *out != RL_NIL || fail_nomem(s);
}

/* ---- source positions (regionlab/workload.h) ----------------------------------------- */
static _Thread_local rl_sexp_position_hook position_hook;
static _Thread_local void *position_env;

void rl_sexp_set_position_hook(rl_sexp_position_hook hook, void *env)
{
	position_hook = hook;
	position_env = env;
}

/* ---- delivering a datum to the frames that wait for it ------------------------------ */
static bool deliver(struct sexp *s, rl_val v)
{
	for (;;) {
		struct sx_frame *f = top(s);
		switch (f->kind) {
		case F_TOP:
			if (!rl_valstack_push(&s->vals, v))
				return fail_nomem(s);
			if (s->nlabels != 0)
				labels_reset(s);
			return true;
		case F_BYTES:
			if (!s->discard && !(rl_is_fixnum(v) && rl_fixnum_value(v) >= 0 && rl_fixnum_value(v) <= 255)) {
				fail_at(s, s->tok, "a bytevector holds integers from 0 to 255 only");
				return false;
			}
			/* fall through */
		case F_LIST:
		case F_VECTOR:
		case F_OBJECT:
			return rl_valstack_push(&s->vals, v) || fail_nomem(s);
		case F_WRAP: {
			const char *name = shorthands[f->aux].symbol;
			s->depth--;
			rl_val sym;
			if (!intern(s, name, strlen(name), &sym))
				return false;
			if (!s->discard) {
				rl_val items[2] = { sym, v };
				if (!make_list(s, items, 2, RL_NIL, &v))
					return false;
			}
			continue;
		}
		case F_LABEL:
			s->depth--;
			if (f->aux != NONE && !label_define(s, f->aux, v))
				return false;
			continue;
		case F_COMMENT:
			s->depth--;
			s->discard--;
			return true;
		}
	}
}

/* ')' or ']' at p: closes the innermost list, vector or bytevector. */
static bool close_datum(struct sexp *s, const unsigned char *p)
{
	struct sx_frame *f = top(s);
	char buf[16];
	size_t line, col;
	switch (f->kind) {
	case F_TOP:
		fail_at(s, offset(s, p), "unexpected '%c': no list is open", *p);
		return false;
	case F_WRAP:
	case F_LABEL:
	case F_COMMENT:
		fail_at(s, offset(s, p), "expected a datum, found %s", found(s, p, buf, sizeof buf));
		return false;
	default:
		break;
	}
	if (*p != f->close) {
		rl_doc_position(&s->doc, f->open, &line, &col);
		fail_at(s, offset(s, p), "'%c' does not close the '%s' opened at %zu:%zu", *p,
			f->kind == F_LIST ? (f->close == ')' ? "(" : "[") : f->kind == F_VECTOR ? "#(" : f->kind == F_OBJECT ? "#@" : "#u8(", line,
			col);
		return false;
	}
	if (f->dot != NONE && s->vals.n == f->dot) {
		fail_at(s, offset(s, p), "expected a datum after '.', found ')'");
		return false;
	}
	size_t n = s->vals.n - f->base;
	/* vals.v is NULL until the first item is pushed (a first () or #()):
	 * no offset may be applied to it then, not even 0. */
	rl_val *items = n != 0 ? s->vals.v + f->base : NULL, v = RL_FALSE;
	if (!s->discard) {
		bool made;
		if (f->kind == F_LIST && f->dot != NONE)
			made = make_list(s, items, n - 1, items[n - 1], &v);
		else if (f->kind == F_LIST)
			made = make_list(s, items, n, RL_NIL, &v);
		else if (f->kind == F_VECTOR)
			made = make_vector(s, items, n, &v);
		else if (f->kind == F_OBJECT)
			made = make_object(s, f, items, n, &v);
		else
			made = make_bytes(s, items, n, &v);
		if (!made)
			return false;
		if (f->kind == F_LIST && position_hook != NULL && rl_is_ptr(v)) {
			rl_doc_position(&s->doc, f->open, &line, &col);
			position_hook(position_env, v, line, col);
		}
	}
	s->vals.n = f->base;
	s->depth--;
	return deliver(s, v);
}

/* ---- strings and symbols -------------------------------------------------------------- */
/* The hex digits at *pp ending in ';' (R7RS), or exactly two of them
 * (Guile's \xHH) when no ';' follows: the code point, or -1. */
static long hex_escape(const unsigned char **pp)
{
	const unsigned char *p = *pp, *q = p;
	long v = 0;
	while (digit_value(*q, 16) >= 0 && q - p < 8)
		v = (v << 4) | digit_value(*q++, 16);
	if (q > p && *q == ';') {
		*pp = q + 1;
		return v;
	}
	if (q - p < 2)
		return -1;
	*pp = p + 2;
	return (digit_value(p[0], 16) << 4) | digit_value(p[1], 16);
}

static long hex_fixed(const unsigned char **pp, int digits)
{
	long v = 0;
	for (int i = 0; i < digits; i++) {
		int d = digit_value((*pp)[i], 16);
		if (d < 0)
			return -1;
		v = (v << 4) | d;
	}
	*pp += digits;
	return v;
}

/* The escape whose '\' is at *pp, inside a string or |symbol| that ends
 * with `quote`: appends its character and advances *pp.  False on error. */
static bool escape(struct sexp *s, const unsigned char **pp, char quote)
{
	const unsigned char *p = *pp, *q = p + 2;
	long cp;
	switch (p[1]) {
	case 'a': cp = 7; break;
	case 'b': cp = 8; break;
	case 't': cp = 9; break;
	case 'n': cp = 10; break;
	case 'v': cp = 11; break;
	case 'f': cp = 12; break;
	case 'r': cp = 13; break;
	case '0': cp = 0; break;
	case '"': case '\\': case '|':
		cp = p[1];
		break;
	case 'x': case 'X':
		cp = hex_escape(&q);
		break;
	case 'u':
		cp = hex_fixed(&q, 4);
		break;
	case 'U':
		cp = hex_fixed(&q, 6);
		break;
	default: {
		/* A line continuation: \ <spaces> newline <spaces>. */
		const unsigned char *r = p + 1;
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\r')
			r++;
		if (*r == '\n' && quote == '"') {
			r++;
			while (*r == ' ' || *r == '\t')
				r++;
			*pp = r;
			return true;
		}
		char buf[16];
		fail_at(s, offset(s, p), "unknown escape: \\ followed by %s", found(s, p + 1, buf, sizeof buf));
		return false;
	}
	}
	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		fail_at(s, offset(s, p), "escape \\%c does not name a character", p[1]);
		return false;
	}
	*pp = q;
	return rl_bytebuf_put_utf8(&s->scratch, (uint32_t)cp) || fail_nomem(s);
}

/* The string whose '"' is at p, into *out: the byte after it, or NULL. */
static const unsigned char *read_string(struct sexp *s, const unsigned char *p, rl_val *out)
{
	const unsigned char *q = p + 1;
	while (*q != '"' && *q != '\\' && q < s->end)
		q++;
	const char *bytes = (const char *)p + 1;
	size_t len = (size_t)(q - (p + 1));
	if (*q == '\\') { /* escapes: decode into scratch */
		s->scratch.n = 0;
		if (!rl_bytebuf_append(&s->scratch, bytes, len)) {
			fail_nomem(s);
			return NULL;
		}
		while (q < s->end && *q != '"') {
			if (*q == '\\') {
				if (q + 1 >= s->end) {
					q = s->end; /* reported below as unterminated */
					break;
				}
				if (!escape(s, &q, '"'))
					return NULL;
				continue;
			}
			const unsigned char *run = q;
			while (*q != '"' && *q != '\\' && q < s->end)
				q++;
			if (!rl_bytebuf_append(&s->scratch, (const char *)run, (size_t)(q - run))) {
				fail_nomem(s);
				return NULL;
			}
		}
		bytes = s->scratch.b;
		len = s->scratch.n;
	}
	if (q >= s->end) {
		fail_at(s, offset(s, p), "unterminated string");
		return NULL;
	}
	if (s->discard) {
		*out = RL_FALSE;
	} else if ((*out = rl_doc_bytes(s->doc.w, RL_T_STRING, bytes, len)) == RL_NIL) {
		fail_nomem(s);
		return NULL;
	}
	return q + 1;
}

/* A token: the bytes up to the next delimiter, with |...| and \ escapes
 * decoded.  Plain tokens point into the text; escaped ones into scratch. */
struct token {
	const char *bytes;
	size_t len;
	bool escaped; /* had | or \: always a symbol, never a number */
	const unsigned char *end;
};

static bool scan_token(struct sexp *s, const unsigned char *p, struct token *t)
{
	const unsigned char *q = p;
	while (!is_delimiter(*q) && *q != '|' && *q != '\\')
		q++;
	*t = (struct token){ .bytes = (const char *)p, .len = (size_t)(q - p), .end = q };
	if (*q != '|' && *q != '\\') {
		if (s->fold_case) {
			s->scratch.n = 0;
			if (!rl_bytebuf_reserve(&s->scratch, t->len))
				return fail_nomem(s);
			for (size_t i = 0; i < t->len; i++)
				s->scratch.b[s->scratch.n++] = (char)ascii_lower(p[i]);
			t->bytes = s->scratch.b;
		}
		return true;
	}
	s->scratch.n = 0;
	for (q = p; !is_delimiter(*q);) {
		if (*q == '|') {
			const unsigned char *bar = q++;
			while (*q != '|') {
				if (q >= s->end) {
					fail_at(s, offset(s, bar), "'|' symbol is never closed");
					return false;
				}
				if (*q == '\\') {
					if (q + 1 >= s->end) {
						q = s->end; /* reported as never closed */
						continue;
					}
					if (!escape(s, &q, '|'))
						return false;
				} else if (!rl_bytebuf_put(&s->scratch, (char)*q++)) {
					return fail_nomem(s);
				}
			}
			q++;
		} else if (*q == '\\') {
			if (q + 1 >= s->end) {
				fail_at(s, offset(s, q), "expected a character after '\\'");
				return false;
			}
			if (!rl_bytebuf_put(&s->scratch, (char)q[1]))
				return fail_nomem(s);
			q += 2;
		} else {
			unsigned char c = s->fold_case ? ascii_lower(*q) : *q;
			if (!rl_bytebuf_put(&s->scratch, (char)c))
				return fail_nomem(s);
			q++;
		}
	}
	*t = (struct token){ .bytes = s->scratch.b, .len = s->scratch.n, .escaped = true, .end = q };
	return true;
}

/* ---- numbers ---------------------------------------------------------------------------- */
enum number_kind { NUM_NONE, NUM_INT, NUM_REAL };

struct number {
	enum number_kind kind;
	int64_t i;
	double x;
};

/* Unsigned digits of `radix` in t[0..len) (at least one): false when a
 * byte is not a digit.  *overflow when the value needs more than 64 bits;
 * *approx holds the value as a double in every case. */
static bool parse_digits(const char *t, size_t len, unsigned radix, uint64_t *mag, bool *overflow, double *approx)
{
	if (len == 0)
		return false;
	*mag = 0;
	*overflow = false;
	*approx = 0;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value((unsigned char)t[i], radix);
		if (d < 0)
			return false;
		*approx = *approx * radix + d;
		if (*mag > (UINT64_MAX - (unsigned)d) / radix)
			*overflow = true;
		else
			*mag = *mag * radix + (unsigned)d;
	}
	return true;
}

static bool is_decimal_real(const char *t, size_t len)
{
	size_t i = 0, int_digits = 0, frac_digits = 0;
	while (i < len && t[i] >= '0' && t[i] <= '9')
		i++, int_digits++;
	if (i < len && t[i] == '.') {
		i++;
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++, frac_digits++;
	}
	if (int_digits + frac_digits == 0)
		return false;
	if (i < len && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < len && (t[i] == '+' || t[i] == '-'))
			i++;
		size_t exp_digits = 0;
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++, exp_digits++;
		if (exp_digits == 0)
			return false;
	}
	return i == len;
}

/* Parses t[0..len) as a real number of `radix` (no prefix).  NUM_NONE when
 * it is not one (the caller then reads a symbol, or reports an error). */
static struct number parse_number(const char *t, size_t len, unsigned radix)
{
	struct number n = { .kind = NUM_NONE };
	bool negative = false;
	size_t i = 0;
	if (len > 0 && (t[0] == '+' || t[0] == '-')) {
		negative = t[0] == '-';
		i = 1;
		if (len == 6 && (strncmp(t + 1, "inf.0", 5) == 0 || strncmp(t + 1, "nan.0", 5) == 0)) {
			n.kind = NUM_REAL;
			n.x = t[1] == 'i' ? (negative ? -INFINITY : INFINITY) : NAN;
			return n;
		}
	}
	const char *body = t + i;
	size_t blen = len - i;
	const char *slash = memchr(body, '/', blen);
	uint64_t mag, den;
	bool overflow, den_overflow;
	double approx, den_approx;
	if (slash != NULL) {
		size_t nlen = (size_t)(slash - body);
		if (!parse_digits(body, nlen, radix, &mag, &overflow, &approx) ||
		    !parse_digits(slash + 1, blen - nlen - 1, radix, &den, &den_overflow, &den_approx))
			return n;
		if (!overflow && !den_overflow && den != 0 && mag % den == 0 && mag / den <= (uint64_t)INT64_MAX) {
			n.kind = NUM_INT;
			n.i = (int64_t)(mag / den);
			n.i = negative ? -n.i : n.i;
		} else {
			n.kind = NUM_REAL; /* n/0 gives an infinity or NaN: the double division */
			n.x = (negative ? -approx : approx) / den_approx;
		}
		return n;
	}
	if (parse_digits(body, blen, radix, &mag, &overflow, &approx)) {
		if (!overflow && (negative ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX)) {
			n.kind = NUM_INT;
			n.i = negative ? (int64_t)(0 - mag) : (int64_t)mag;
		} else if (radix == 10) {
			n.kind = NUM_REAL;
			n.x = strtod(t, NULL); /* correctly rounded; t ends at a delimiter */
		} else {
			n.kind = NUM_REAL;
			n.x = negative ? -approx : approx;
		}
		return n;
	}
	if (radix == 10 && is_decimal_real(body, blen)) {
		/* The token ends at a delimiter, where strtod stops too. */
		n.kind = NUM_REAL;
		n.x = strtod(t, NULL);
	}
	return n;
}

static bool make_number(struct sexp *s, struct number n, rl_val *out)
{
	if (s->discard) {
		*out = RL_FALSE;
		return true;
	}
	*out = n.kind == NUM_INT ? rl_doc_integer(s->doc.w, n.i) : rl_doc_double(s->doc.w, n.x);
	return *out != RL_NIL || fail_nomem(s);
}

/* A number with #x #b #o #d #e #i prefixes, whose '#' is at p. */
static const unsigned char *read_prefixed_number(struct sexp *s, const unsigned char *p, rl_val *out)
{
	const unsigned char *q = p, *end = p;
	unsigned radix = 10;
	char exactness = 0;
	while (!is_delimiter(*end))
		end++;
	while (q[0] == '#' && q + 1 < end) {
		switch (q[1] | 0x20) {
		case 'x': radix = 16; break;
		case 'b': radix = 2; break;
		case 'o': radix = 8; break;
		case 'd': radix = 10; break;
		case 'e': case 'i': exactness = (char)(q[1] | 0x20); break;
		default: goto bad;
		}
		q += 2;
	}
	struct number n = parse_number((const char *)q, (size_t)(end - q), radix);
	if (n.kind == NUM_NONE)
		goto bad;
	if (exactness == 'i' && n.kind == NUM_INT) {
		n.kind = NUM_REAL;
		n.x = (double)n.i;
	} else if (exactness == 'e' && n.kind == NUM_REAL && n.x == floor(n.x) && fabs(n.x) < 0x1p63) {
		n.kind = NUM_INT;
		n.i = (int64_t)n.x;
	}
	return make_number(s, n, out) ? end : NULL;
bad:
	fail_at(s, offset(s, p), "bad number '%.*s'", (int)(end - p), (const char *)p);
	return NULL;
}

/* ---- characters ---------------------------------------------------------------------------- */
/* R7RS's names, the ASCII control names of R5RS-era readers (Guile's), and
 * a few other common aliases. */
static const struct char_name {
	const char *name;
	uint32_t cp;
} char_names[] = {
	{ "alarm", 7 },     { "backspace", 8 }, { "delete", 0x7f }, { "escape", 0x1b },  { "newline", 10 },
	{ "null", 0 },      { "return", 13 },   { "space", 32 },    { "tab", 9 },        { "linefeed", 10 },
	{ "page", 12 },     { "vtab", 11 },     { "altmode", 0x1b }, { "rubout", 0x7f }, { "nl", 10 },
	{ "np", 12 },       { "nul", 0 },       { "soh", 1 },       { "stx", 2 },        { "etx", 3 },
	{ "eot", 4 },       { "enq", 5 },       { "ack", 6 },       { "bel", 7 },        { "bs", 8 },
	{ "ht", 9 },        { "lf", 10 },       { "vt", 11 },       { "ff", 12 },        { "cr", 13 },
	{ "so", 14 },       { "si", 15 },       { "dle", 16 },      { "dc1", 17 },       { "dc2", 18 },
	{ "dc3", 19 },      { "dc4", 20 },      { "nak", 21 },      { "syn", 22 },       { "etb", 23 },
	{ "can", 24 },      { "em", 25 },       { "sub", 26 },      { "esc", 27 },       { "fs", 28 },
	{ "gs", 29 },       { "rs", 30 },       { "us", 31 },       { "sp", 32 },        { "del", 0x7f },
};

/* #\ at p: a character into *out; the byte after it, or NULL. */
static const unsigned char *read_char(struct sexp *s, const unsigned char *p, rl_val *out)
{
	const unsigned char *q = p + 2;
	if (q >= s->end) {
		fail_at(s, offset(s, p), "expected a character after #\\");
		return NULL;
	}
	uint32_t cp;
	const unsigned char *rest = q + char_at(q, &cp), *end = rest;
	while (!is_delimiter(*end))
		end++;
	if (end > rest) { /* a name, not a single character */
		size_t len = (size_t)(end - q);
		const char *name = (const char *)q;
		bool known = false;
		for (size_t i = 0; i < sizeof char_names / sizeof char_names[0] && !known; i++) {
			if (strlen(char_names[i].name) == len && strncasecmp(name, char_names[i].name, len) == 0) {
				cp = char_names[i].cp;
				known = true;
			}
		}
		uint64_t mag = 0;
		bool overflow = false;
		double approx;
		if (!known && (name[0] == 'x' || name[0] == 'X'))
			known = parse_digits(name + 1, len - 1, 16, &mag, &overflow, &approx);
		else if (!known && (name[0] == 'U' || name[0] == 'u') && name[1] == '+')
			known = parse_digits(name + 2, len - 2, 16, &mag, &overflow, &approx);
		else if (!known)
			known = parse_digits(name, len, 8, &mag, &overflow, &approx); /* Guile: #\101 */
		else
			mag = cp, overflow = false;
		if (!known) {
			fail_at(s, offset(s, p), "unknown character name #\\%.*s", (int)len, name);
			return NULL;
		}
		if (overflow || mag > 0x10ffff) {
			fail_at(s, offset(s, p), "#\\%.*s is past the last character U+10FFFF", (int)len, name);
			return NULL;
		}
		cp = (uint32_t)mag;
	}
	*out = rl_char(cp);
	return end;
}

/* ---- # syntax --------------------------------------------------------------------------- */
enum step { STEP_FAIL, STEP_VALUE, STEP_FRAME };

static enum step open_shorthand(struct sexp *s, const unsigned char **pp, const char *spelling)
{
	for (size_t i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++) {
		if (strcmp(shorthands[i].spelling, spelling) == 0) {
			const unsigned char *p = *pp;
			*pp += strlen(spelling);
			return push_frame(s, F_WRAP, 0, p, i) ? STEP_FRAME : STEP_FAIL;
		}
	}
	return STEP_FAIL; /* not reached: every caller passes a spelling of the table */
}

/* #n= or #n# at p. */
static enum step read_label(struct sexp *s, const unsigned char **pp, rl_val *out)
{
	const unsigned char *p = *pp, *q = p + 1;
	uint64_t number = 0;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (number > (UINT64_MAX - 9) / 10) {
			fail_at(s, offset(s, p), "label number is too large");
			return STEP_FAIL;
		}
		number = number * 10 + (uint64_t)(*q - '0');
	}
	if (*q != '=' && *q != '#') {
		char buf[16];
		fail_at(s, offset(s, p), "expected '=' or '#' after the label number, found %s",
			found(s, q, buf, sizeof buf));
		return STEP_FAIL;
	}
	*pp = q + 1;
	if (s->discard)
		goto discarded;
	size_t index = label_find(s, number);
	if (*q == '=') {
		if (index != NONE) {
			fail_at(s, offset(s, p), "label #%llu= is defined twice", (unsigned long long)number);
			return STEP_FAIL;
		}
		if ((index = label_add(s, number, offset(s, p))) == NONE) {
			fail_nomem(s);
			return STEP_FAIL;
		}
		return push_frame(s, F_LABEL, 0, p, index) ? STEP_FRAME : STEP_FAIL;
	}
	if (index == NONE) {
		fail_at(s, offset(s, p), "label #%llu# is not defined", (unsigned long long)number);
		return STEP_FAIL;
	}
	*out = resolve(s, placeholder(index));
	return STEP_VALUE;
discarded: /* inside a datum comment: check the syntax only */
	if (*q == '=')
		return push_frame(s, F_LABEL, 0, p, NONE) ? STEP_FRAME : STEP_FAIL;
	*out = RL_FALSE;
	return STEP_VALUE;
}

/* A keyword #:name or an extended symbol #{name}#. */
static enum step read_hash_symbol(struct sexp *s, const unsigned char **pp, rl_val *out)
{
	const unsigned char *p = *pp;
	if (p[1] == '{') {
		const unsigned char *close = p + 2;
		while (close + 1 < s->end && !(close[0] == '}' && close[1] == '#'))
			close++;
		if (close + 1 >= s->end) {
			fail_at(s, offset(s, p), "'#{' symbol is never closed by '}#'");
			return STEP_FAIL;
		}
		*pp = close + 2;
		return intern(s, (const char *)p + 2, (size_t)(close - p - 2), out) ? STEP_VALUE : STEP_FAIL;
	}
	struct token t;
	if (!scan_token(s, p + 2, &t))
		return STEP_FAIL;
	if (t.len == 0) {
		fail_at(s, offset(s, p), "expected a keyword name after '#:'");
		return STEP_FAIL;
	}
	s->name.n = 0;
	if (!rl_bytebuf_append(&s->name, "#:", 2) || !rl_bytebuf_append(&s->name, t.bytes, t.len)) {
		fail_nomem(s);
		return STEP_FAIL;
	}
	*pp = t.end;
	return intern(s, s->name.b, s->name.n, out) ? STEP_VALUE : STEP_FAIL;
}

/* The generic form of workloads/dump.c, whose '#' is at p:
 *   #@TYPE:HEX(V ...)  an object of type TYPE (a name of the type table) with
 *                      payload bytes HEX and value slots V ... (in slot order;
 *                      HEX's bytes under the slots are overwritten by them)
 *   #@imm:HEX          an immediate word (any rl_imm but the reader's own) */
static enum step read_generic(struct sexp *s, const unsigned char **pp, rl_val *out)
{
	const unsigned char *p = *pp, *name = p + 2, *colon = name, *comma = NULL;
	char buf[16];
	while (*colon != ':' && !is_delimiter(*colon)) {
		if (*colon == ',' && comma == NULL)
			comma = colon;
		colon++;
	}
	const unsigned char *name_end = comma != NULL ? comma : colon;
	if (*colon != ':' || name_end == name || name_end - name >= 64) {
		fail_at(s, offset(s, p), "expected '#@TYPE:HEX(...)', '#@TYPE,MAP:HEX(...)' or '#@imm:HEX'");
		return STEP_FAIL;
	}
	char type_name[64];
	memcpy(type_name, name, (size_t)(name_end - name));
	type_name[name_end - name] = '\0';
	const unsigned char *hex = colon + 1, *end = hex;
	while (hex_digit(*end) >= 0)
		end++;
	if (strcmp(type_name, "imm") == 0) {
		uint64_t word = 0;
		for (const unsigned char *q = hex; q < end && q - hex < 16; q++)
			word = word << 4 | (uint64_t)hex_digit(*q);
		if (end == hex || end - hex > 16 || !is_delimiter(*end) || !rl_is_imm((rl_val)word) ||
		    is_placeholder((rl_val)word)) {
			fail_at(s, offset(s, p), "'#@imm:' takes the hex word of an immediate");
			return STEP_FAIL;
		}
		*pp = end;
		*out = s->discard ? RL_FALSE : (rl_val)word;
		return STEP_VALUE;
	}
	if ((end - hex) % 2 != 0) {
		fail_at(s, offset(s, p), "an odd number of hex digits after '#@%s:' (two a byte)", type_name);
		return STEP_FAIL;
	}
	if (*end != '(') {
		fail_at(s, offset(s, p), "expected '(' after the bytes of '#@%s:', found %s", type_name,
			found(s, end, buf, sizeof buf));
		return STEP_FAIL;
	}
	int type = rl_type_lookup(type_name);
	if (comma != NULL && !s->discard) { /* a user type: register it, or check its layout */
		uint64_t map = 0;
		const unsigned char *q = comma + 1;
		for (; q < colon && hex_digit(*q) >= 0 && q - comma <= 16; q++)
			map = map << 4 | (uint64_t)hex_digit(*q);
		if (q != colon || q == comma + 1 || (type >= 0 && type < RL_T_BUILTIN_COUNT)) {
			fail_at(s, offset(s, p), "expected '#@TYPE,MAP:' with MAP the hex pointer map of a user type");
			return STEP_FAIL;
		}
		uint32_t bytes = (uint32_t)((end - hex) / 2);
		if (type < 0) {
			char *kept = strdup(type_name); /* the type table keeps the name */
			if (kept == NULL || (type = rl_type_register(kept, bytes, map)) < 0) {
				free(kept);
				fail_at(s, offset(s, p), "cannot register type '%s' (a bad pointer map, or the table is full)",
					type_name);
				return STEP_FAIL;
			}
		} else if (rl_type_table[type].fixed_bytes != bytes || rl_type_table[type].ptr_map != map ||
			   rl_type_table[type].tail_from != RL_NO_TAIL) {
			fail_at(s, offset(s, p), "type '%s' is registered with another layout", type_name);
			return STEP_FAIL;
		}
	}
	if (type <= 0 || (unsigned)type >= rl_type_count()) {
		if (s->discard)
			type = RL_T_BLOB; /* unchecked: nothing is made */
		else {
			fail_at(s, offset(s, p), "unknown type '%s' after '#@'", type_name);
			return STEP_FAIL;
		}
	}
	*pp = end + 1;
	if (!push_frame(s, F_OBJECT, ')', p, (size_t)type))
		return STEP_FAIL;
	top(s)->raw = offset(s, hex);
	top(s)->raw_len = (size_t)(end - hex);
	return STEP_FRAME;
}

/* Everything that starts with '#' but #| #! (atmosphere) and #; (a frame
 * pushed by the main loop). */
static enum step read_hash(struct sexp *s, const unsigned char **pp, rl_val *out)
{
	const unsigned char *p = *pp, *end = p + 1;
	char buf[16];
	switch (p[1]) {
	case '(':
		*pp = p + 2;
		return push_frame(s, F_VECTOR, ')', p, 0) ? STEP_FRAME : STEP_FAIL;
	case '\\':
		return (*pp = read_char(s, p, out)) != NULL ? STEP_VALUE : STEP_FAIL;
	case '\'':
		return open_shorthand(s, pp, "#'");
	case '`':
		return open_shorthand(s, pp, "#`");
	case ',':
		return open_shorthand(s, pp, p[2] == '@' ? "#,@" : "#,");
	case ':':
	case '{':
		return read_hash_symbol(s, pp, out);
	case '@':
		return read_generic(s, pp, out);
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return read_label(s, pp, out);
	case 'x': case 'X': case 'b': case 'B': case 'o': case 'O':
	case 'd': case 'D': case 'e': case 'E': case 'i': case 'I':
		return (*pp = read_prefixed_number(s, p, out)) != NULL ? STEP_VALUE : STEP_FAIL;
	default:
		break;
	}
	while (!is_delimiter(*end) && *end != '(')
		end++;
	size_t len = (size_t)(end - p - 1);
	const char *word = (const char *)p + 1;
	if ((len == 1 || (len == 4 && strncasecmp(word, "true", 4) == 0)) && (word[0] | 0x20) == 't') {
		*out = RL_TRUE;
	} else if ((len == 1 || (len == 5 && strncasecmp(word, "false", 5) == 0)) && (word[0] | 0x20) == 'f') {
		*out = RL_FALSE;
	} else if (len == 3 && memcmp(word, "nil", 3) == 0 && *end != '(') {
		/* Guile's #nil (Emacs Lisp's nil): a symbol of that name. */
		*pp = end;
		return intern(s, "#nil", 4, out) ? STEP_VALUE : STEP_FAIL;
	} else if (*end == '(' &&
		   ((len == 2 && memcmp(word, "u8", 2) == 0) || (len == 3 && memcmp(word, "vu8", 3) == 0))) {
		*pp = end + 1;
		return push_frame(s, F_BYTES, ')', p, 0) ? STEP_FRAME : STEP_FAIL;
	} else {
		fail_at(s, offset(s, p), "unknown syntax '#' followed by %s", found(s, p + 1, buf, sizeof buf));
		return STEP_FAIL;
	}
	if (*end == '(') {
		fail_at(s, offset(s, p), "unknown syntax '%.*s('", (int)(len + 1), (const char *)p);
		return STEP_FAIL;
	}
	*pp = end;
	return STEP_VALUE;
}

/* ---- the file ------------------------------------------------------------------------------- */
/* A token that starts with none of the special characters: a number, the
 * dot of a dotted list, or a symbol. */
static enum step read_atom(struct sexp *s, const unsigned char **pp, rl_val *out)
{
	const unsigned char *p = *pp;
	struct token t;
	if (!scan_token(s, p, &t))
		return STEP_FAIL;
	*pp = t.end;
	if (!t.escaped && t.len == 1 && t.bytes[0] == '.') {
		struct sx_frame *f = top(s);
		if (f->kind != F_LIST || f->dot != NONE || s->vals.n == f->base) {
			fail_at(s, offset(s, p), "unexpected '.'");
			return STEP_FAIL;
		}
		f->dot = s->vals.n;
		return STEP_FRAME;
	}
	if (!t.escaped) {
		struct number n = parse_number((const char *)p, t.len, 10);
		if (n.kind != NUM_NONE)
			return make_number(s, n, out) ? STEP_VALUE : STEP_FAIL;
	}
	return intern(s, t.bytes, t.len, out) ? STEP_VALUE : STEP_FAIL;
}

/* Reports what is still open at the end of the file. */
static void fail_unclosed(struct sexp *s)
{
	const struct sx_frame *f = top(s);
	switch (f->kind) {
	case F_LIST:
		fail_at(s, f->open, "'%c' is never closed", f->close == ')' ? '(' : '[');
		break;
	case F_VECTOR:
		fail_at(s, f->open, "'#(' is never closed");
		break;
	case F_BYTES:
		fail_at(s, f->open, "bytevector is never closed");
		break;
	case F_OBJECT:
		fail_at(s, f->open, "'#@' object is never closed");
		break;
	case F_WRAP:
		fail_at(s, f->open, "expected a datum after %s, found end of input", shorthands[f->aux].spelling);
		break;
	case F_LABEL:
		fail_at(s, f->open, "expected a datum after the label, found end of input");
		break;
	default:
		fail_at(s, f->open, "expected a datum after '#;', found end of input");
		break;
	}
}

static rl_val parse(struct sexp *s)
{
	const unsigned char *p = s->text;
	if (s->end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* byte order mark */
	if (!push_frame(s, F_TOP, 0, p, 0))
		return RL_NIL;
	for (;;) {
		if ((p = skip_atmosphere(s, p)) == NULL)
			return RL_NIL;
		if (p >= s->end)
			break;
		s->tok = offset(s, p);
		if (p[0] == '#' && p[1] == ';') {
			if (!push_frame(s, F_COMMENT, 0, p, 0))
				return RL_NIL;
			p += 2;
			continue;
		}
		if (*p == ')' || *p == ']') {
			if (!close_datum(s, p))
				return RL_NIL;
			p++;
			continue;
		}
		struct sx_frame *f = top(s);
		if (f->kind == F_LIST && f->dot != NONE && s->vals.n > f->dot) {
			char buf[16];
			fail_at(s, s->tok, "expected ')' after the datum that follows '.', found %s",
				found(s, p, buf, sizeof buf));
			return RL_NIL;
		}
		rl_val v = RL_NIL;
		enum step step;
		switch (*p) {
		case '(':
		case '[':
			step = push_frame(s, F_LIST, *p == '(' ? ')' : ']', p, 0) ? STEP_FRAME : STEP_FAIL;
			p++;
			break;
		case '\'':
			step = open_shorthand(s, &p, "'");
			break;
		case '`':
			step = open_shorthand(s, &p, "`");
			break;
		case ',':
			step = open_shorthand(s, &p, p[1] == '@' ? ",@" : ",");
			break;
		case '"':
			p = read_string(s, p, &v);
			step = p != NULL ? STEP_VALUE : STEP_FAIL;
			break;
		case '#':
			step = read_hash(s, &p, &v);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				char buf[16];
				fail_at(s, s->tok, "unexpected %s", found(s, p, buf, sizeof buf));
				return RL_NIL;
			}
			step = read_atom(s, &p, &v);
			break;
		}
		if (step == STEP_FAIL || (step == STEP_VALUE && !deliver(s, v)))
			return RL_NIL;
	}
	if (s->depth > 1) {
		fail_unclosed(s);
		return RL_NIL;
	}
	if (s->vals.n == 0) {
		fail_at(s, s->doc.len, "the file holds no datum");
		return RL_NIL;
	}
	rl_val root;
	return make_list(s, s->vals.v, s->vals.n, RL_NIL, &root) ? root : RL_NIL;
}

static rl_val sexp_build(rl_wl_ctx *w, size_t n)
{
	(void)n; /* the file decides the size of the graph */
	struct sexp s;
	memset(&s, 0, sizeof s);
	if (rl_doc_open(&s.doc, w, "sexp") != 0)
		return RL_NIL;
	s.text = (const unsigned char *)s.doc.text;
	s.end = s.text + s.doc.len;
	rl_val root = parse(&s);
	if (s.failed)
		root = RL_NIL;
	free(s.frames);
	free(s.labels);
	free(s.label_index);
	free(s.fixups);
	rl_valstack_free(&s.vals);
	rl_bytebuf_free(&s.scratch);
	rl_bytebuf_free(&s.name);
	rl_symtab_free(&s.syms);
	rl_doc_close(&s.doc);
	return root;
}

static const struct rl_option sexp_options[] = {
	RL_DOC_FILE_OPTION,
	RL_OPTIONS_END,
};

const struct rl_workload rl_wl_sexp = {
	.name = "sexp",
	.summary = "a Lisp/Scheme source file (file=PATH): the list of its top-level data, labels make sharing",
	.default_size = 1,
	.options = sexp_options,
	.sample_options = "file=tests/data/sample.scm",
	.build = sexp_build,
	.sized_by_document = true,
};
