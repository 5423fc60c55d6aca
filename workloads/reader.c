/* Shared pieces of the document readers: the file, error positions, scratch
 * arrays, UTF-8, the per-document symbol table and the atoms (reader.h). */
#include "workloads/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/build.h"

/* ---- the document ---------------------------------------------------------- */
/* What a path that is not a regular file is, for the one-line error. */
static const char *not_regular(mode_t mode)
{
	return S_ISDIR(mode) ? "is a directory" : "is not a regular file";
}

/* Reads the whole file into d->text: 0, or -1 with errno set, or -1 with
 * *why set (errno 0) when the path names something other than a file. */
static int slurp(rl_doc *d, const char **why)
{
	*why = NULL;
	int fd = open(d->path, O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		*why = not_regular(st.st_mode);
		errno = 0;
		goto fail;
	}
	size_t cap = (size_t)st.st_size;
	d->text = malloc(cap + 1);
	if (d->text == NULL)
		goto fail;
	d->len = 0;
	for (;;) {
		char *at = d->text + d->len;
		size_t room = cap - d->len;
		char probe;
		if (room == 0) { /* full: one more byte says whether the file grew since fstat */
			at = &probe;
			room = 1;
		}
		ssize_t got = read(fd, at, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		if (at == &probe) {
			char *bigger = realloc(d->text, 2 * cap + 4096 + 1);
			if (bigger == NULL)
				goto fail;
			d->text = bigger;
			cap = 2 * cap + 4096;
			d->text[d->len] = probe;
		}
		d->len += (size_t)got;
	}
	d->text[d->len] = '\0';
	close(fd);
	return 0;
fail:;
	int saved = errno;
	free(d->text);
	d->text = NULL;
	close(fd);
	errno = saved;
	return -1;
}

/* The offset of the first byte that is not part of well-formed UTF-8, or
 * d->len when the whole text is UTF-8.  Both readers share this one policy:
 * a document must be UTF-8 everywhere (strings, symbols, comments), as RFC
 * 8259 requires of JSON and R7RS reads characters, not bytes.  A NUL byte is
 * well-formed here; each reader says what it thinks of it. */
static size_t utf8_invalid_at(const rl_doc *d)
{
	const unsigned char *t = (const unsigned char *)d->text;
	size_t i = 0;
	while (i < d->len) {
		if (t[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = rl_utf8_decode(t + i, &cp);
		if (n == 0 || n > d->len - i) /* the NUL sentinel ends a sequence cut short */
			return i;
		i += n;
	}
	return d->len;
}

int rl_doc_open(rl_doc *d, rl_wl_ctx *w, const char *workload)
{
	memset(d, 0, sizeof *d);
	d->w = w;
	static const struct rl_option file_option = RL_DOC_FILE_OPTION;
	d->path = rl_opt_text(rl_wl_params(w), &file_option);
	if (d->path == NULL || d->path[0] == '\0') {
		rl_wl_fail(w, "no document given: write --workload=%s:file=PATH", workload);
		return -1;
	}
	const char *why;
	if (slurp(d, &why) != 0) {
		if (why != NULL)
			rl_wl_fail(w, "%s %s (expected a %s document)", d->path, why, workload);
		else
			rl_wl_fail(w, "%s: cannot read: %s", d->path, strerror(errno));
		return -1;
	}
	size_t bad = utf8_invalid_at(d);
	if (bad != d->len) {
		rl_doc_fail(d, bad, "invalid UTF-8: byte 0x%02x (a document must be UTF-8)", (unsigned char)d->text[bad]);
		rl_doc_close(d);
		return -1;
	}
	return 0;
}

void rl_doc_close(rl_doc *d)
{
	free(d->text);
	d->text = NULL;
}

void rl_doc_position(const rl_doc *d, size_t at, size_t *line, size_t *col)
{
	if (at > d->len)
		at = d->len;
	size_t l = 1, start = 0;
	for (const char *p = d->text; (p = memchr(p, '\n', (size_t)(d->text + at - p))) != NULL; p++) {
		l++;
		start = (size_t)(p - d->text) + 1;
	}
	size_t c = 1;
	for (size_t i = start; i < at; i++)
		if (((unsigned char)d->text[i] & 0xc0) != 0x80) /* not a continuation byte */
			c++;
	*line = l;
	*col = c;
}

void rl_doc_fail(const rl_doc *d, size_t at, const char *fmt, ...)
{
	char msg[512], line_text[sizeof msg * 4];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* A message may quote the document (a bad token): its control
	 * characters are written \xHH, so the reason stays one line. */
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)msg; *c != '\0'; c++) {
		if (*c < 0x20 || *c == 0x7f)
			o += (size_t)snprintf(line_text + o, sizeof line_text - o, "\\x%02x", *c);
		else
			line_text[o++] = (char)*c;
	}
	line_text[o] = '\0';
	size_t line, col;
	rl_doc_position(d, at, &line, &col);
	rl_wl_fail(d->w, "%s:%zu:%zu: %s", d->path, line, col, line_text);
}

void rl_doc_fail_nomem(const rl_doc *d)
{
	rl_wl_fail(d->w, "%s: out of memory while loading the document", d->path);
}

/* ---- scratch arrays ---------------------------------------------------------- */
bool rl_valstack_grow(rl_valstack *s)
{
	size_t cap = s->cap ? 2 * s->cap : 256;
	rl_val *v = realloc(s->v, cap * sizeof *v);
	if (v == NULL)
		return false;
	s->v = v;
	s->cap = cap;
	return true;
}

void rl_valstack_free(rl_valstack *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

bool rl_bytebuf_reserve(rl_bytebuf *b, size_t more)
{
	if (b->cap - b->n >= more)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->n < more) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	char *bigger = realloc(b->b, cap);
	if (bigger == NULL)
		return false;
	b->b = bigger;
	b->cap = cap;
	return true;
}

bool rl_bytebuf_append(rl_bytebuf *b, const char *bytes, size_t len)
{
	if (len == 0)
		return true; /* b->b may still be NULL */
	if (!rl_bytebuf_reserve(b, len))
		return false;
	memcpy(b->b + b->n, bytes, len);
	b->n += len;
	return true;
}

bool rl_bytebuf_put_utf8(rl_bytebuf *b, uint32_t cp)
{
	if (!rl_bytebuf_reserve(b, 4))
		return false;
	char *o = b->b + b->n;
	if (cp < 0x80) {
		o[0] = (char)cp;
		b->n += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		b->n += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		b->n += 3;
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		b->n += 4;
	}
	return true;
}

void rl_bytebuf_free(rl_bytebuf *b)
{
	free(b->b);
	memset(b, 0, sizeof *b);
}

size_t rl_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0; /* a continuation byte, 0xc0/0xc1 or past 0xf4 */
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* the NUL sentinel stops here too */
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* ---- symbols ----------------------------------------------------------------- */
static uint32_t name_hash(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3u;
	return (uint32_t)(h ^ (h >> 32));
}

static bool symbol_is(rl_val sym, const char *name, size_t len)
{
	const rl_obj *o = rl_ptr(sym);
	return rl_obj_bytes(o) == len + 1 && (len == 0 || memcmp(o->w, name, len) == 0);
}

static bool symtab_grow(rl_symtab *t)
{
	size_t cap = t->cap ? 2 * t->cap : 1024;
	rl_val *slots = calloc(cap, sizeof *slots);
	uint32_t *hashes = malloc(cap * sizeof *hashes);
	if (slots == NULL || hashes == NULL) {
		free(slots);
		free(hashes);
		return false;
	}
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slots[i] == RL_NIL)
			continue;
		size_t j = t->hashes[i] & (cap - 1);
		while (slots[j] != RL_NIL)
			j = (j + 1) & (cap - 1);
		slots[j] = t->slots[i];
		hashes[j] = t->hashes[i];
	}
	free(t->slots);
	free(t->hashes);
	t->slots = slots;
	t->hashes = hashes;
	t->cap = cap;
	return true;
}

rl_val rl_symtab_intern(rl_symtab *t, rl_wl_ctx *w, const char *name, size_t len)
{
	if (2 * (t->count + 1) > t->cap && !symtab_grow(t))
		return RL_NIL;
	uint32_t h = name_hash(name, len);
	size_t j = h & (t->cap - 1);
	for (; t->slots[j] != RL_NIL; j = (j + 1) & (t->cap - 1))
		if (t->hashes[j] == h && symbol_is(t->slots[j], name, len))
			return t->slots[j];
	rl_val sym = rl_doc_bytes(w, RL_T_SYMBOL, name, len);
	if (sym == RL_NIL)
		return RL_NIL;
	t->slots[j] = sym;
	t->hashes[j] = h;
	t->count++;
	return sym;
}

void rl_symtab_free(rl_symtab *t)
{
	free(t->slots);
	free(t->hashes);
	memset(t, 0, sizeof *t);
}

/* ---- atoms --------------------------------------------------------------------- */
rl_val rl_doc_bytes(rl_wl_ctx *w, unsigned type, const char *bytes, size_t len)
{
	if (len >= RL_OBJ_MAX_BYTES)
		return RL_NIL;
	rl_obj *o = rl_wl_new(w, type, (uint32_t)(len + 1));
	if (o == NULL)
		return RL_NIL;
	if (len != 0) /* bytes may be NULL then */
		memcpy(o->w, bytes, len);
	((char *)o->w)[len] = '\0';
	return rl_val_of(o);
}

rl_val rl_doc_integer(rl_wl_ctx *w, int64_t n)
{
	if (n >= RL_FIXNUM_MIN && n <= RL_FIXNUM_MAX)
		return rl_fixnum((intptr_t)n);
	rl_obj *b = rl_wl_box_int(w, n);
	return b != NULL ? rl_val_of(b) : RL_NIL;
}

rl_val rl_doc_double(rl_wl_ctx *w, double x)
{
	rl_obj *b = rl_wl_new(w, RL_T_BOX_DOUBLE, sizeof x);
	if (b == NULL)
		return RL_NIL;
	memcpy(b->w, &x, sizeof x);
	return rl_val_of(b);
}

rl_obj *rl_doc_vector(rl_wl_ctx *w, const rl_val *items, size_t n)
{
	if (n > RL_OBJ_MAX_BYTES / sizeof(rl_val))
		return NULL;
	rl_obj *v = rl_wl_new(w, RL_T_VECTOR, (uint32_t)(n * sizeof(rl_val)));
	if (v != NULL && n != 0)
		memcpy(v->w, items, n * sizeof(rl_val));
	return v;
}
