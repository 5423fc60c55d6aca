/* json: a real JSON document (RFC 8259) loaded into region objects, so that
 * real data shapes are transmigrated and checked.
 *
 *   --workload=json:file=PATH   (the `file` option names the document;
 *                                --size is ignored: the document decides)
 *
 * How JSON maps onto the object model:
 *   object        a vector of (key . value) cons cells, in document order,
 *                 duplicate keys kept; each key is a symbol interned per
 *                 document, so a key repeated across records is one shared
 *                 object, as in a Lisp reader that keywordizes keys
 *   array         a vector
 *   string        a string, UTF-8; escapes decoded, \u surrogate pairs
 *                 joined into one code point, a lone surrogate becomes U+FFFD
 *   number        an integer (no fraction, no exponent) is a fixnum when it
 *                 fits 63 bits and a boxed int when it fits 64; anything else
 *                 is a boxed double (so a bigger integer loses precision)
 *   true false null   the symbols true, false and null (interned like keys)
 * The root is the top-level value (a document that is one small integer
 * gives a boxed int: a root is always an object).  The text must be UTF-8,
 * everywhere (a leading BOM is skipped): an invalid byte fails the load with
 * "PATH:LINE:COL: invalid UTF-8: byte 0xNN ..." (rl_doc_open, the policy of
 * both readers).  Malformed input fails with
 * "PATH:LINE:COL: what is wrong" and the load returns RL_NIL; nothing it
 * allocated is reachable from a root.
 *
 * The parser is a loop over an explicit stack of open containers: values
 * wait on a value stack until their container closes, then become one
 * vector (after the pairs of an object).  No C recursion, so nesting depth
 * is bounded only by RL_READER_MAX_DEPTH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/build.h"
#include "workloads/reader.h"

struct json_frame {
	size_t base; /* index in vals of the container's first value */
	size_t open; /* offset of its '[' or '{' */
	bool object;
};

struct json {
	rl_doc doc;
	const unsigned char *text, *end;
	rl_valstack vals;
	struct json_frame *frames;
	size_t depth, frames_cap;
	rl_bytebuf scratch; /* decoded string with escapes */
	rl_symtab syms;
	rl_val sym_true, sym_false, sym_null; /* interned on first use */
	bool failed;
};

/* ---- errors ------------------------------------------------------------------ */
/* "'x'", "end of input" or "byte 0xNN": what the parser found at p. */
static const char *found(const struct json *j, const unsigned char *p, char *buf, size_t len)
{
	if (p >= j->end)
		return "end of input";
	if (*p >= 0x20 && *p < 0x7f)
		snprintf(buf, len, "'%c'", *p);
	else
		snprintf(buf, len, "byte 0x%02x", *p);
	return buf;
}

static void fail_at(struct json *j, const unsigned char *p, const char *what)
{
	rl_doc_fail(&j->doc, (size_t)(p - j->text), "%s", what);
	j->failed = true;
}

static void fail_found(struct json *j, const unsigned char *p, const char *expected)
{
	char buf[16];
	rl_doc_fail(&j->doc, (size_t)(p - j->text), "expected %s, found %s", expected, found(j, p, buf, sizeof buf));
	j->failed = true;
}

static void fail_nomem(struct json *j)
{
	rl_doc_fail_nomem(&j->doc);
	j->failed = true;
}

/* ---- lexical pieces ------------------------------------------------------------ */
static const unsigned char *skip_ws(const unsigned char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static bool is_digit(unsigned c) { return c - '0' < 10u; }

static int hex_value(unsigned c)
{
	if (c - '0' < 10u)
		return (int)(c - '0');
	c |= 0x20;
	if (c - 'a' < 6u)
		return (int)(c - 'a' + 10);
	return -1;
}

/* The four hex digits at p, or -1.  The NUL sentinel is not a hex digit, so
 * this never reads past the end. */
static long hex4(const unsigned char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex_value(p[i]);
		if (h < 0)
			return -1;
		v = (v << 4) | h;
	}
	return v;
}

/* Decodes the \uXXXX escape at q (a pair when it is a high surrogate followed
 * by a low one) into the scratch buffer: the byte after it, or NULL. */
static const unsigned char *unicode_escape(struct json *j, const unsigned char *q)
{
	long cp = hex4(q + 2);
	if (cp < 0) {
		fail_at(j, q, "\\u must be followed by four hex digits");
		return NULL;
	}
	q += 6;
	if (cp >= 0xd800 && cp <= 0xdbff && q[0] == '\\' && q[1] == 'u') {
		long low = hex4(q + 2);
		if (low >= 0xdc00 && low <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
			q += 6;
		}
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd; /* a lone surrogate: valid JSON, not a character */
	if (!rl_bytebuf_put_utf8(&j->scratch, (uint32_t)cp)) {
		fail_nomem(j);
		return NULL;
	}
	return q;
}

/* Checks the string byte at q that is neither '"' nor '\\': the length of
 * its character, or 0 after reporting an unterminated string or a raw
 * control character.  The text is well-formed UTF-8 (rl_doc_open checked). */
static size_t string_char(struct json *j, const unsigned char *open, const unsigned char *q)
{
	if (*q >= 0x20 && *q < 0x80)
		return 1;
	if (q >= j->end) {
		fail_at(j, open, "unterminated string");
		return 0;
	}
	if (*q < 0x20) {
		char what[64];
		snprintf(what, sizeof what, "control character 0x%02x must be escaped in a string", *q);
		fail_at(j, q, what);
		return 0;
	}
	uint32_t cp;
	size_t n = rl_utf8_decode(q, &cp);
	return n != 0 ? n : 1;
}

/* The string whose '"' is at p, as a string or (for a key) an interned
 * symbol in *out: the byte after the closing quote, or NULL. */
static const unsigned char *read_string(struct json *j, const unsigned char *p, bool key, rl_val *out)
{
	const unsigned char *q = p + 1, *bytes;
	size_t len, n;
	/* Fast path: no escape, the bytes are the text itself. */
	while (*q != '"') {
		if (*q == '\\')
			goto escaped;
		if ((n = string_char(j, p, q)) == 0)
			return NULL;
		q += n;
	}
	bytes = p + 1;
	len = (size_t)(q - bytes);
	goto make;
escaped:
	j->scratch.n = 0;
	if (!rl_bytebuf_append(&j->scratch, (const char *)p + 1, (size_t)(q - p - 1)))
		goto nomem;
	while (*q != '"') {
		if (*q != '\\') {
			if ((n = string_char(j, p, q)) == 0)
				return NULL;
			if (!rl_bytebuf_append(&j->scratch, (const char *)q, n))
				goto nomem;
			q += n;
			continue;
		}
		char c;
		switch (q[1]) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if ((q = unicode_escape(j, q)) == NULL)
				return NULL;
			continue;
		default:
			if (q + 1 >= j->end) {
				fail_at(j, p, "unterminated string");
			} else {
				char buf[16], what[64];
				snprintf(what, sizeof what, "unknown escape \\ followed by %s",
					 found(j, q + 1, buf, sizeof buf));
				fail_at(j, q, what);
			}
			return NULL;
		}
		if (!rl_bytebuf_put(&j->scratch, c))
			goto nomem;
		q += 2;
	}
	bytes = (const unsigned char *)j->scratch.b;
	len = j->scratch.n;
make:
	*out = key ? rl_symtab_intern(&j->syms, j->doc.w, (const char *)bytes, len)
		   : rl_doc_bytes(j->doc.w, RL_T_STRING, (const char *)bytes, len);
	if (*out == RL_NIL)
		goto nomem;
	return q + 1;
nomem:
	fail_nomem(j);
	return NULL;
}

/* The number at p into *out: the byte after it, or NULL. */
static const unsigned char *read_number(struct json *j, const unsigned char *p, rl_val *out)
{
	const unsigned char *q = p;
	bool negative = *q == '-', integral = true;
	if (negative)
		q++;
	const unsigned char *digits = q;
	if (*q == '0') {
		q++;
		if (is_digit(*q)) {
			fail_at(j, p, "a number must not have leading zeros");
			return NULL;
		}
	} else if (is_digit(*q)) {
		while (is_digit(*q))
			q++;
	} else {
		fail_found(j, q, "a digit after '-'");
		return NULL;
	}
	const unsigned char *digits_end = q;
	if (*q == '.') {
		q++;
		if (!is_digit(*q)) {
			fail_found(j, q, "a digit after '.'");
			return NULL;
		}
		while (is_digit(*q))
			q++;
		integral = false;
	}
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!is_digit(*q)) {
			fail_found(j, q, "a digit in the exponent");
			return NULL;
		}
		while (is_digit(*q))
			q++;
		integral = false;
	}
	if (integral) {
		uint64_t mag = 0;
		bool overflow = false;
		for (const unsigned char *d = digits; d < digits_end && !overflow; d++) {
			unsigned digit = *d - '0';
			if (mag > (UINT64_MAX - digit) / 10)
				overflow = true;
			else
				mag = mag * 10 + digit;
		}
		if (!overflow && (negative ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX)) {
			int64_t n = negative ? (int64_t)(0 - mag) : (int64_t)mag;
			*out = rl_doc_integer(j->doc.w, n);
			goto made;
		}
	}
	/* The grammar checked above is a subset of strtod's, and the token
	 * cannot start a hex or inf/nan form, so strtod reads exactly [p, q). */
	*out = rl_doc_double(j->doc.w, strtod((const char *)p, NULL));
made:
	if (*out == RL_NIL) {
		fail_nomem(j);
		return NULL;
	}
	return q;
}

/* true, false or null at p into *out: the byte after it, or NULL. */
static const unsigned char *read_literal(struct json *j, const unsigned char *p, rl_val *out)
{
	static const char *const names[] = { "true", "false", "null" };
	rl_val *cache[] = { &j->sym_true, &j->sym_false, &j->sym_null };
	for (size_t i = 0; i < 3; i++) {
		size_t len = strlen(names[i]);
		if (strncmp((const char *)p, names[i], len) != 0) /* stops at the NUL sentinel */
			continue;
		if (*cache[i] == RL_NIL)
			*cache[i] = rl_symtab_intern(&j->syms, j->doc.w, names[i], len);
		if ((*out = *cache[i]) == RL_NIL) {
			fail_nomem(j);
			return NULL;
		}
		return p + len;
	}
	fail_found(j, p, "a value");
	return NULL;
}

/* ---- containers ------------------------------------------------------------------ */
static bool open_container(struct json *j, const unsigned char *p, bool object)
{
	if (j->depth == RL_READER_MAX_DEPTH) {
		char what[64];
		snprintf(what, sizeof what, "nesting deeper than %u levels", RL_READER_MAX_DEPTH);
		fail_at(j, p, what);
		return false;
	}
	if (j->depth == j->frames_cap) {
		size_t cap = j->frames_cap ? 2 * j->frames_cap : 64;
		struct json_frame *f = realloc(j->frames, cap * sizeof *f);
		if (f == NULL) {
			fail_nomem(j);
			return false;
		}
		j->frames = f;
		j->frames_cap = cap;
	}
	j->frames[j->depth++] = (struct json_frame){
		.base = j->vals.n, .open = (size_t)(p - j->text), .object = object
	};
	return true;
}

/* Closes the innermost container: its values (or key, value pairs) on the
 * value stack become one vector.  RL_NIL when memory ran out. */
static rl_val close_container(struct json *j)
{
	struct json_frame f = j->frames[--j->depth];
	size_t n = j->vals.n - f.base;
	/* vals.v is NULL until the first value is pushed ({} or [] first): no
	 * offset may be applied to it then, not even 0. */
	rl_val *items = n != 0 ? j->vals.v + f.base : NULL;
	if (f.object) {
		/* The pairs overwrite the stack from the bottom: pair i is made
		 * from slots 2i and 2i+1, both at or above slot i. */
		n /= 2;
		for (size_t i = 0; i < n; i++) {
			rl_obj *pair = rl_wl_cons(j->doc.w, items[2 * i], items[2 * i + 1]);
			if (pair == NULL)
				return RL_NIL;
			items[i] = rl_val_of(pair);
		}
	}
	rl_obj *vec = rl_doc_vector(j->doc.w, items, n);
	j->vals.n = f.base;
	return vec != NULL ? rl_val_of(vec) : RL_NIL;
}

/* ---- the document --------------------------------------------------------------- */
static rl_val parse(struct json *j)
{
	const unsigned char *p = j->text;
	rl_val v;
	if (j->end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* byte order mark */
value:
	p = skip_ws(p);
	switch (*p) {
	case '{':
		if (!open_container(j, p, true))
			return RL_NIL;
		p = skip_ws(p + 1);
		if (*p == '}') {
			p++;
			goto close;
		}
		goto key;
	case '[':
		if (!open_container(j, p, false))
			return RL_NIL;
		p = skip_ws(p + 1);
		if (*p == ']') {
			p++;
			goto close;
		}
		goto value;
	case '"':
		p = read_string(j, p, false, &v);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		p = read_number(j, p, &v);
		break;
	default:
		p = read_literal(j, p, &v);
		break;
	}
	if (p == NULL)
		return RL_NIL;
have_value:
	if (!rl_valstack_push(&j->vals, v)) {
		fail_nomem(j);
		return RL_NIL;
	}
	p = skip_ws(p);
	if (j->depth == 0) {
		if (p != j->end) {
			fail_found(j, p, "end of input after the document");
			return RL_NIL;
		}
		return j->vals.v[0];
	}
	if (*p == ',') {
		p++;
		if (j->frames[j->depth - 1].object)
			goto key;
		goto value;
	}
	if (*p == (j->frames[j->depth - 1].object ? '}' : ']')) {
		p++;
		goto close;
	}
	if (p == j->end) {
		const struct json_frame *f = &j->frames[j->depth - 1];
		fail_at(j, j->text + f->open, f->object ? "'{' is never closed" : "'[' is never closed");
	} else {
		fail_found(j, p, j->frames[j->depth - 1].object ? "',' or '}'" : "',' or ']'");
	}
	return RL_NIL;
key:
	p = skip_ws(p);
	if (*p != '"') {
		fail_found(j, p, "a string key");
		return RL_NIL;
	}
	if ((p = read_string(j, p, true, &v)) == NULL)
		return RL_NIL;
	if (!rl_valstack_push(&j->vals, v)) {
		fail_nomem(j);
		return RL_NIL;
	}
	p = skip_ws(p);
	if (*p != ':') {
		fail_found(j, p, "':' after a key");
		return RL_NIL;
	}
	p++;
	goto value;
close:
	if ((v = close_container(j)) == RL_NIL) {
		fail_nomem(j);
		return RL_NIL;
	}
	goto have_value;
}

static rl_val json_build(rl_wl_ctx *w, size_t n)
{
	(void)n; /* the document decides the size of the graph */
	struct json j;
	memset(&j, 0, sizeof j);
	if (rl_doc_open(&j.doc, w, "json") != 0)
		return RL_NIL;
	j.text = (const unsigned char *)j.doc.text;
	j.end = j.text + j.doc.len;
	rl_val root = parse(&j);
	if (j.failed) {
		root = RL_NIL;
	} else if (rl_is_fixnum(root)) {
		/* A document that is one small number: the root must be an object. */
		rl_obj *box = rl_wl_box_int(w, rl_fixnum_value(root));
		root = box != NULL ? rl_val_of(box) : RL_NIL;
	}
	free(j.frames);
	rl_valstack_free(&j.vals);
	rl_bytebuf_free(&j.scratch);
	rl_symtab_free(&j.syms);
	rl_doc_close(&j.doc);
	return root;
}

static const struct rl_option json_options[] = {
	RL_DOC_FILE_OPTION,
	RL_OPTIONS_END,
};

const struct rl_workload rl_wl_json = {
	.name = "json",
	.summary = "a JSON document (file=PATH): objects as vectors of (key . value), keys interned",
	.default_size = 1,
	.options = json_options,
	.sample_options = "file=tests/data/sample.json",
	.build = json_build,
	.sized_by_document = true,
};
