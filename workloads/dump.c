/* dump: writes a loaded graph as one S-expression that the sexp workload
 * (workloads/sexp.c) reads back into an isomorphic graph: the same objects
 * with the same types, sizes, bytes and immediates, and the same sharing and
 * cycles (the judge: rl_oracle_checksum).
 *
 * Invariant relied on: every object with more than one reference (the root
 * counts one) carries an R7RS datum label, written #n= where it is first
 * written and #n# everywhere after; an object with one reference is written
 * once, inline.  So the text has exactly the graph's sharing.  The one
 * exception is the symbols written plainly: the reader interns them by name,
 * so one symbol object per name is written plainly (the first met) and needs
 * no label; any other symbol of that name is written in the generic form
 * below, which the reader does not intern.
 *
 * The forms (what Scheme has, as R7RS writes it; Chez Scheme reads these):
 *   cons          (a b . c), a tail written inline while its cells have one
 *                 reference each
 *   vector        #(...)
 *   string        "..." with \" \\ and \xHH; for control characters, when
 *                 the bytes are UTF-8 ending in the NUL terminator
 *   symbol        name, or |name| when the name is not a plain identifier
 *   box-int       an integer past the fixnum range (the reader boxes it)
 *   box-double    the shortest decimal that reads back to the same bits,
 *                 +inf.0 -inf.0 +nan.0 (the reader's one NaN)
 *   blob          #vu8(...)
 *   fixnum #t #f () and characters (#\xHH) are immediates
 * and, for everything else (closures, user types, the values above that a
 * form cannot carry: a small box-int, a string of raw bytes, a second symbol
 * of one name, another NaN), the generic form of the sexp reader:
 *   #@TYPE:HEX(V ...)   an object of type TYPE (a type table name) whose
 *                       payload bytes are HEX (two digits a byte; the words
 *                       that hold values are written as zeros) and whose
 *                       value slots hold V ..., in slot order
 *   #@TYPE,MAP:HEX(...) the same for a user (FFI) type, with its pointer map
 *                       in hex: the reader registers the type when it has
 *                       none of that name
 *   #@imm:HEX           any other immediate word
 *
 * Types are dispatched through a table indexed by type id (writers[]); ids
 * without a special form, user types included, take the generic form,
 * driven by the type table's slot map.  Nothing recurses: a 10^6-deep list
 * or vector nesting is written with an explicit stack. */
#include "workloads/dump.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/reader.h"

/* ---- what is known about each object ------------------------------------------- */
enum obj_state {
	UNWRITTEN,
	WRITTEN,   /* written (and labelled when it has more than one reference) */
	CANONICAL, /* the plainly written symbol of its name: no label needed */
};

struct entry {
	const rl_obj *key; /* NULL = empty */
	uint32_t refs;     /* saturates at 2: only "more than one" matters */
	uint32_t state;
	uint64_t label;
};

struct objmap {
	struct entry *e;
	size_t count, cap;
};

static size_t ptr_hash(const rl_obj *o, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)o * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 20) & mask;
}

static struct entry *objmap_find(const struct objmap *m, const rl_obj *o)
{
	size_t mask = m->cap - 1;
	for (size_t i = ptr_hash(o, mask);; i = (i + 1) & mask) {
		if (m->e[i].key == o)
			return &m->e[i];
		if (m->e[i].key == NULL)
			return NULL;
	}
}

static bool objmap_grow(struct objmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 1024;
	struct entry *e = calloc(cap, sizeof *e);
	if (e == NULL)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->e[i].key == NULL)
			continue;
		size_t j = ptr_hash(m->e[i].key, cap - 1);
		while (e[j].key != NULL)
			j = (j + 1) & (cap - 1);
		e[j] = m->e[i];
	}
	free(m->e);
	m->e = e;
	m->cap = cap;
	return true;
}

/* The entry of o, made with refs = 0 when new (*fresh says so); NULL when
 * memory ran out. */
static struct entry *objmap_get(struct objmap *m, const rl_obj *o, bool *fresh)
{
	*fresh = false;
	if (m->cap != 0) {
		struct entry *e = objmap_find(m, o);
		if (e != NULL)
			return e;
	}
	if (2 * (m->count + 1) > m->cap && !objmap_grow(m))
		return NULL;
	size_t mask = m->cap - 1, i = ptr_hash(o, mask);
	while (m->e[i].key != NULL)
		i = (i + 1) & mask;
	m->e[i] = (struct entry){ .key = o };
	m->count++;
	*fresh = true;
	return &m->e[i];
}

/* ---- symbol names written plainly -------------------------------------------------- */
struct nameset {
	const rl_obj **slots; /* the plainly written symbol of each name */
	size_t count, cap;
};

static size_t name_hash(const rl_obj *sym)
{
	const unsigned char *b = (const unsigned char *)sym->w;
	uint64_t h = 0xcbf29ce484222325u;
	for (uint32_t i = 0; i < rl_obj_bytes(sym); i++)
		h = (h ^ b[i]) * 0x100000001b3u;
	return (size_t)(h ^ (h >> 29));
}

static bool same_name(const rl_obj *a, const rl_obj *b)
{
	return rl_obj_bytes(a) == rl_obj_bytes(b) && memcmp(a->w, b->w, rl_obj_bytes(a)) == 0;
}

static bool nameset_grow(struct nameset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 256;
	const rl_obj **slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return false;
	for (size_t i = 0; i < s->cap; i++) {
		if (s->slots[i] == NULL)
			continue;
		size_t j = name_hash(s->slots[i]) & (cap - 1);
		while (slots[j] != NULL)
			j = (j + 1) & (cap - 1);
		slots[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return true;
}

/* Claims sym's name: 1 when sym is now its plainly written symbol, 0 when
 * another symbol of that name already is, -1 when memory ran out. */
static int nameset_claim(struct nameset *s, const rl_obj *sym)
{
	if (2 * (s->count + 1) > s->cap && !nameset_grow(s))
		return -1;
	size_t mask = s->cap - 1, i = name_hash(sym) & mask;
	for (; s->slots[i] != NULL; i = (i + 1) & mask)
		if (same_name(s->slots[i], sym))
			return 0;
	s->slots[i] = sym;
	s->count++;
	return 1;
}

/* ---- the writer ----------------------------------------------------------------------- */
enum frame_kind {
	FR_LIST,  /* a list at cell obj: its car (first false), then its cdr */
	FR_SLOTS, /* a vector or generic object: its remaining value slots */
	FR_CLOSE, /* after the dotted tail of a list: just ')' */
};

struct frame {
	enum frame_kind kind;
	rl_obj *obj;
	rl_slot_iter it; /* FR_SLOTS */
	bool first;      /* FR_SLOTS: no slot written yet; FR_LIST: the car is written */
};

struct dump {
	FILE *f;
	struct objmap objs;
	struct nameset names;
	struct frame *stack;
	size_t depth, cap;
	uint64_t next_label;
	char *err;
	size_t errlen;
	bool failed;
};

static bool fail(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct dump *d, const char *fmt, ...)
{
	if (!d->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	d->failed = true;
	return false;
}

static bool push(struct dump *d, struct frame fr)
{
	if (d->depth == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 256;
		struct frame *s = realloc(d->stack, cap * sizeof *s);
		if (s == NULL)
			return fail(d, "out of memory");
		d->stack = s;
		d->cap = cap;
	}
	d->stack[d->depth++] = fr;
	return true;
}

static bool readable(struct dump *d, const rl_obj *o)
{
	unsigned t = rl_obj_type(o);
	if (rl_hdr_is_forward(o->hdr) || t == RL_T_FREE || t >= rl_type_count() || rl_type_table[t].name == NULL)
		return fail(d, "object at %p has a forwarding or invalid header: cannot write it", (const void *)o);
	return true;
}

/* Pass 1: how many references each object has (2 = more than one). */
static bool count_refs(struct dump *d, rl_val root)
{
	rl_obj **todo = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;
	rl_val v = root;
	rl_slot_iter it;
	rl_val *s = NULL;
	for (;;) {
		if (rl_is_ptr(v)) {
			bool fresh;
			struct entry *e = objmap_get(&d->objs, rl_ptr(v), &fresh);
			if (e == NULL) {
				ok = fail(d, "out of memory");
				break;
			}
			if (e->refs < 2)
				e->refs++;
			if (fresh) {
				if (!readable(d, rl_ptr(v))) {
					ok = false;
					break;
				}
				if (n == cap) {
					cap = cap ? 2 * cap : 256;
					rl_obj **more = realloc(todo, cap * sizeof *more);
					if (more == NULL) {
						ok = fail(d, "out of memory");
						break;
					}
					todo = more;
				}
				todo[n++] = rl_ptr(v);
			}
		}
		while (s == NULL || (s = rl_slots_next(&it)) == NULL) {
			if (n == 0)
				goto done;
			rl_slots_begin(&it, todo[--n]);
			s = rl_slots_next(&it);
			if (s != NULL)
				break;
		}
		v = *s;
	}
done:
	free(todo);
	return ok;
}

static void put(struct dump *d, const char *text) { fputs(text, d->f); }

/* ---- atoms -------------------------------------------------------------------------- */
static bool write_immediate(struct dump *d, rl_val v)
{
	if (rl_is_fixnum(v)) {
		fprintf(d->f, "%" PRIdPTR, rl_fixnum_value(v));
	} else if (v == RL_NIL) {
		put(d, "()");
	} else if (v == RL_TRUE || v == RL_FALSE) {
		put(d, v == RL_TRUE ? "#t" : "#f");
	} else if (rl_is_imm(v) && ((v >> 3) & 0x1f) == RL_IMM_CHAR && (v >> 8) <= 0x10ffff &&
		   !((v >> 8) >= 0xd800 && (v >> 8) <= 0xdfff)) {
		fprintf(d->f, "#\\x%" PRIxPTR, (uintptr_t)(v >> 8));
	} else if (rl_is_imm(v)) {
		fprintf(d->f, "#@imm:%016" PRIx64, (uint64_t)v);
	} else {
		return fail(d, "value %#" PRIxPTR " is neither an object nor an immediate: cannot write it", (uintptr_t)v);
	}
	return true;
}

/* The payload bytes of o as text: UTF-8 followed by its NUL terminator. */
static bool is_text(const rl_obj *o)
{
	uint32_t bytes = rl_obj_bytes(o);
	const unsigned char *b = (const unsigned char *)o->w;
	if (bytes == 0 || b[bytes - 1] != '\0')
		return false;
	for (uint32_t i = 0; i + 1 < bytes;) {
		uint32_t cp;
		size_t n = b[i] < 0x80 ? 1 : rl_utf8_decode(b + i, &cp);
		if (n == 0 || i + n > bytes - 1)
			return false;
		i += (uint32_t)n;
	}
	return true;
}

/* Text between `quote`s: the quote and '\' escaped, control characters as \xHH;. */
static void put_quoted(struct dump *d, const rl_obj *o, char quote)
{
	const unsigned char *b = (const unsigned char *)o->w;
	fputc(quote, d->f);
	for (uint32_t i = 0; i + 1 < rl_obj_bytes(o); i++) {
		if (b[i] == quote || b[i] == '\\')
			fprintf(d->f, "\\%c", b[i]);
		else if (b[i] < 0x20 || b[i] == 0x7f)
			fprintf(d->f, "\\x%x;", b[i]);
		else
			fputc(b[i], d->f);
	}
	fputc(quote, d->f);
}

static bool is_initial(unsigned c) { return (c | 0x20) - 'a' < 26u || (c && strchr("!$%&*/:<=>?^_~", (int)c)); }
static bool is_subsequent(unsigned c) { return is_initial(c) || c - '0' < 10u || (c && strchr("+-.@", (int)c)); }

/* A name that both this reader and R7RS read as that symbol unquoted. */
static bool plain_identifier(const rl_obj *sym)
{
	const char *name = (const char *)sym->w;
	size_t len = rl_obj_bytes(sym) - 1, i = 1;
	if (len == 0)
		return false;
	if ((len == 1 && (name[0] == '+' || name[0] == '-')) || (len == 3 && memcmp(name, "...", 3) == 0))
		return true;
	if (len >= 2 && name[0] == '-' && name[1] == '>')
		i = 2;
	else if (!is_initial((unsigned char)name[0]))
		return false;
	for (; i < len; i++)
		if (!is_subsequent((unsigned char)name[i]))
			return false;
	return true;
}

/* ---- objects: one writer per type id with a form of its own -------------------------- */
/* Writes o (its label already written): either completely, or its opening
 * and a frame that writes the rest.  false on failure. */
typedef bool (*writer_fn)(struct dump *d, rl_obj *o);

static bool write_generic(struct dump *d, rl_obj *o)
{
	const unsigned char *b = (const unsigned char *)o->w;
	uint32_t bytes = rl_obj_bytes(o);
	const rl_type *t = rl_type_of(o);
	if (strpbrk(t->name, " \t\n\r\f\v()[]\";,:|") != NULL)
		return fail(d, "type name '%s' cannot be written", t->name);
	if (rl_obj_type(o) < RL_T_BUILTIN_COUNT)
		fprintf(d->f, "#@%s:", t->name);
	else /* a user type: its pointer map too, so that a reader can register it */
		fprintf(d->f, "#@%s,%" PRIx64 ":", t->name, t->ptr_map);
	rl_slot_iter it;
	rl_slots_begin(&it, o);
	rl_val *slot = rl_slots_next(&it);
	for (uint32_t i = 0; i < bytes; i++) {
		while (slot != NULL && (const unsigned char *)(slot + 1) <= b + i)
			slot = rl_slots_next(&it);
		bool in_slot = slot != NULL && (const unsigned char *)slot <= b + i;
		fprintf(d->f, "%02x", in_slot ? 0u : b[i]);
	}
	fputc('(', d->f);
	struct frame fr = { .kind = FR_SLOTS, .obj = o, .first = true };
	rl_slots_begin(&fr.it, o);
	return push(d, fr);
}

static bool write_pair(struct dump *d, rl_obj *o)
{
	fputc('(', d->f);
	return push(d, (struct frame){ .kind = FR_LIST, .obj = o });
}

static bool write_vector(struct dump *d, rl_obj *o)
{
	put(d, "#(");
	struct frame fr = { .kind = FR_SLOTS, .obj = o, .first = true };
	rl_slots_begin(&fr.it, o);
	return push(d, fr);
}

static bool write_string(struct dump *d, rl_obj *o)
{
	if (!is_text(o))
		return write_generic(d, o);
	put_quoted(d, o, '"');
	return true;
}

static bool write_symbol(struct dump *d, rl_obj *o)
{
	/* The caller claimed the name for o (CANONICAL) or it is another
	 * symbol of a claimed name, or not text: generic. */
	struct entry *e = objmap_find(&d->objs, o);
	if (e->state != CANONICAL)
		return write_generic(d, o);
	if (plain_identifier(o))
		fputs((const char *)o->w, d->f);
	else
		put_quoted(d, o, '|');
	return true;
}

static bool write_box_int(struct dump *d, rl_obj *o)
{
	int64_t n;
	memcpy(&n, o->w, sizeof n);
	if (n >= RL_FIXNUM_MIN && n <= RL_FIXNUM_MAX) /* it would read back as a fixnum */
		return write_generic(d, o);
	fprintf(d->f, "%" PRId64, n);
	return true;
}

static bool write_box_double(struct dump *d, rl_obj *o)
{
	double x, nan = NAN;
	memcpy(&x, o->w, sizeof x);
	if (isnan(x)) {
		if (memcmp(&x, &nan, sizeof x) != 0) /* a NaN the reader does not make */
			return write_generic(d, o);
		put(d, "+nan.0");
	} else if (isinf(x)) {
		put(d, x > 0 ? "+inf.0" : "-inf.0");
	} else {
		char text[40];
		for (int digits = 1; digits <= 17; digits++) { /* the shortest that reads back */
			snprintf(text, sizeof text, "%.*g", digits, x);
			if (strtod(text, NULL) == x)
				break;
		}
		put(d, text);
		if (strpbrk(text, ".e") == NULL)
			put(d, ".0"); /* an integral value: still a real */
	}
	return true;
}

static bool write_blob(struct dump *d, rl_obj *o)
{
	const unsigned char *b = (const unsigned char *)o->w;
	put(d, "#vu8(");
	for (uint32_t i = 0; i < rl_obj_bytes(o); i++)
		fprintf(d->f, i ? " %u" : "%u", b[i]);
	fputc(')', d->f);
	return true;
}

static const writer_fn writers[RL_T_BUILTIN_COUNT] = {
	[RL_T_CONS] = write_pair,       [RL_T_VECTOR] = write_vector,   [RL_T_STRING] = write_string,
	[RL_T_SYMBOL] = write_symbol,   [RL_T_BOX_INT] = write_box_int, [RL_T_BOX_DOUBLE] = write_box_double,
	[RL_T_BLOB] = write_blob,
};

static writer_fn writer_of(const rl_obj *o)
{
	unsigned t = rl_obj_type(o);
	return t < RL_T_BUILTIN_COUNT && writers[t] != NULL ? writers[t] : write_generic;
}

/* Writes value v: an immediate, a reference #n#, or an object (with #n=
 * when it has more than one reference). */
static bool write_value(struct dump *d, rl_val v)
{
	if (!rl_is_ptr(v))
		return write_immediate(d, v);
	rl_obj *o = rl_ptr(v);
	struct entry *e = objmap_find(&d->objs, o);
	if (e->state == CANONICAL) {
		return write_symbol(d, o);
	} else if (e->state == WRITTEN) {
		fprintf(d->f, "#%" PRIu64 "#", e->label);
		return true;
	}
	if (rl_obj_type(o) == RL_T_SYMBOL && is_text(o)) {
		int claimed = nameset_claim(&d->names, o);
		if (claimed < 0)
			return fail(d, "out of memory");
		if (claimed) {
			e->state = CANONICAL;
			return write_symbol(d, o);
		}
	}
	e->state = WRITTEN;
	if (e->refs > 1) {
		e->label = d->next_label++;
		fprintf(d->f, "#%" PRIu64 "=", e->label);
	}
	return writer_of(o)(d, o);
}

/* Pass 2: the text, one frame per open list, vector or generic object.
 * write_value may push a frame (and move the stack): frames are re-read by
 * index after it. */
static bool write_graph(struct dump *d, rl_val root)
{
	if (!write_value(d, root))
		return false;
	while (d->depth > 0) {
		struct frame *fr = &d->stack[d->depth - 1];
		if (fr->kind == FR_CLOSE) {
			fputc(')', d->f);
			d->depth--;
		} else if (fr->kind == FR_SLOTS) {
			rl_val *s = rl_slots_next(&fr->it);
			if (s == NULL) {
				fputc(')', d->f);
				d->depth--;
				continue;
			}
			if (!fr->first)
				fputc(' ', d->f);
			fr->first = false;
			if (!write_value(d, *s))
				return false;
		} else if (!fr->first) {
			/* FR_LIST, car not written yet */
			fr->first = true;
			if (!write_value(d, fr->obj->w[0]))
				return false;
		} else {
			/* FR_LIST, car written: the cdr ends the list, goes on
			 * inline (a cell with one reference), or is a dotted tail. */
			rl_val cdr = fr->obj->w[1];
			struct entry *next = rl_is_ptr(cdr) ? objmap_find(&d->objs, rl_ptr(cdr)) : NULL;
			if (cdr == RL_NIL) {
				fputc(')', d->f);
				d->depth--;
			} else if (next != NULL && next->refs == 1 && rl_obj_type(rl_ptr(cdr)) == RL_T_CONS) {
				fputc(' ', d->f);
				next->state = WRITTEN;
				fr->obj = rl_ptr(cdr);
				fr->first = false;
			} else {
				put(d, " . ");
				fr->kind = FR_CLOSE;
				if (!write_value(d, cdr))
					return false;
			}
		}
	}
	return !d->failed;
}

int rl_dump_graph(FILE *f, rl_val root, char *err, size_t errlen)
{
	struct dump d = { .f = f, .err = err, .errlen = errlen };
	bool ok = count_refs(&d, root) && write_graph(&d, root);
	if (ok) {
		fputc('\n', f);
		if (ferror(f))
			ok = fail(&d, "write error");
	}
	free(d.objs.e);
	free(d.names.slots);
	free(d.stack);
	return ok ? 0 : -1;
}
