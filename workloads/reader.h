/* Pieces shared by the document readers (json.c, sexp.c); private to
 * workloads/.
 *
 * A reader loads the whole file into memory (rl_doc), parses it with an
 * explicit stack (no C recursion, so nesting depth is bounded by memory and
 * RL_READER_MAX_DEPTH, never by the C stack) and allocates every object
 * through rl_wl_new.  Positions are byte offsets while parsing; only an error
 * turns its offset into "LINE:COL" (rl_doc_fail), so the hot loops never
 * count lines.  Lines and columns start at 1; a column counts characters
 * (UTF-8 code points, a tab is one), not bytes. */
#ifndef REGIONLAB_WORKLOADS_READER_H
#define REGIONLAB_WORKLOADS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/object.h"
#include "regionlab/workload.h"

/* Deepest nesting a document may have: beyond it the load fails with a clear
 * error instead of growing the frame stack without limit. */
#define RL_READER_MAX_DEPTH 1000000u

/* One document being read. */
typedef struct rl_doc {
	rl_wl_ctx *w;
	const char *path;
	char *text;  /* the whole file followed by a NUL sentinel */
	size_t len;  /* bytes of the file, the sentinel not counted */
} rl_doc;

/* Reads the file named by the workload's `file` option: 0, or -1 after
 * rl_wl_fail ("json: ..."; `workload` names the workload in messages). */
int rl_doc_open(rl_doc *d, rl_wl_ctx *w, const char *workload);
/* The `file` row of a reader's option table. */
#define RL_DOC_FILE_OPTION RL_OPTION_TEXT("file", NULL, "the document to read (required)")
void rl_doc_close(rl_doc *d);
/* Line and column (both from 1) of byte offset `at`. */
void rl_doc_position(const rl_doc *d, size_t at, size_t *line, size_t *col);
/* Records "PATH:LINE:COL: message" as the workload's failure. */
void rl_doc_fail(const rl_doc *d, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records "PATH: out of memory ..." after a failed allocation. */
void rl_doc_fail_nomem(const rl_doc *d);

/* ---- growable arrays (plain malloc: the reader's own scratch memory) ------- */
typedef struct rl_valstack {
	rl_val *v;
	size_t n, cap;
} rl_valstack;

bool rl_valstack_grow(rl_valstack *s);
static inline bool rl_valstack_push(rl_valstack *s, rl_val v)
{
	if (s->n == s->cap && !rl_valstack_grow(s))
		return false;
	s->v[s->n++] = v;
	return true;
}
void rl_valstack_free(rl_valstack *s);

typedef struct rl_bytebuf {
	char *b;
	size_t n, cap;
} rl_bytebuf;

/* Makes room for `more` bytes past n: false when memory ran out. */
bool rl_bytebuf_reserve(rl_bytebuf *b, size_t more);
static inline bool rl_bytebuf_put(rl_bytebuf *b, char c)
{
	if (b->n == b->cap && !rl_bytebuf_reserve(b, 1))
		return false;
	b->b[b->n++] = c;
	return true;
}
bool rl_bytebuf_append(rl_bytebuf *b, const char *bytes, size_t len);
/* Appends code point cp in UTF-8 (cp <= 0x10ffff). */
bool rl_bytebuf_put_utf8(rl_bytebuf *b, uint32_t cp);
void rl_bytebuf_free(rl_bytebuf *b);

/* Decodes one UTF-8 sequence at s (which a NUL or invalid byte ends):
 * its length in bytes and *cp, or 0 when it is not well-formed UTF-8
 * (overlong forms, surrogates and values past 0x10ffff included). */
size_t rl_utf8_decode(const unsigned char *s, uint32_t *cp);

/* ---- symbols, interned per document ------------------------------------------
 * Equal names give the same symbol object, so a document's repeated keys and
 * identifiers become shared objects: the sharing a real reader produces. */
typedef struct rl_symtab {
	rl_val *slots; /* open addressing; RL_NIL = empty */
	uint32_t *hashes;
	size_t count, cap;
} rl_symtab;

/* The symbol named by name[0..len), made on first use: RL_NIL when an
 * allocation failed (the table's or the object's). */
rl_val rl_symtab_intern(rl_symtab *t, rl_wl_ctx *w, const char *name, size_t len);
void rl_symtab_free(rl_symtab *t);

/* ---- atoms ------------------------------------------------------------------
 * Each returns RL_NIL when the allocation failed (no atom is RL_NIL). */
/* A string (type RL_T_STRING) or any other byte object of `type` holding
 * bytes[0..len) and a NUL; RL_NIL also when it exceeds RL_OBJ_MAX_BYTES. */
rl_val rl_doc_bytes(rl_wl_ctx *w, unsigned type, const char *bytes, size_t len);
/* A fixnum when n fits one, else a boxed int. */
rl_val rl_doc_integer(rl_wl_ctx *w, int64_t n);
rl_val rl_doc_double(rl_wl_ctx *w, double x);
/* A vector holding items[0..n): NULL when the allocation failed or n is too large. */
rl_obj *rl_doc_vector(rl_wl_ctx *w, const rl_val *items, size_t n);

#define RL_FIXNUM_MAX ((int64_t)(((uint64_t)1 << 62) - 1))
#define RL_FIXNUM_MIN (-RL_FIXNUM_MAX - 1)

#endif
