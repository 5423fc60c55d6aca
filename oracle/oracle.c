/* The oracle (see oracle/oracle.h): judges a transmigration without sharing
 * a line of code with the strategies it judges.
 *
 * Invariant relied on: a graph is read only through object headers and the
 * type table (rl_slots_begin/rl_slots_next), and a pointer is dereferenced
 * only when it is known to lead to a live object: one in a range of
 * `internal` (checksums, census, survivor check), or in the copy check an
 * original object reached inside the source, or the object its copy points
 * to in the same place, once that pointer is known not to be doomed.
 * Nothing here recurses: every walk keeps its own growable stack, so a
 * 10^7-deep list is as easy as a 10^7-wide vector.  Visited objects live in
 * a private open-addressing hash map, and all of the oracle's memory comes
 * from malloc and mmap: the oracle never draws on rl_mem_alloc nor on
 * rl_fault_next, so judging a call neither trips fault injection nor shows
 * up in a strategy's memory figures (its own failures are injected with
 * rl_oracle_fail_at).  Its tables do count against the --max-mem budget
 * (rl_mem_budget_take), so a judge that runs out says verify_oom.  A check that fails says which clause of the contract
 * broke (oracle/verdict.h); running out of memory is RL_CLAUSE_OOM.
 *
 * Canonical numbering: objects are numbered in the order a walk first meets
 * a reference to them (slot order fixed by the type table, LIFO processing).
 * The walk depends only on the graph's shape, never on addresses, so two
 * isomorphic graphs produce the same stream of records; and since each record
 * carries its object's number, the stream describes the graph completely. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE, MAP_ANONYMOUS */
#include "oracle/oracle.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "regionlab/adopt.h"
#include "regionlab/mem.h"

#define ORACLE_ENOMEM "the oracle ran out of memory"

/* ---- verdicts (oracle/verdict.h) --------------------------------------------- */
static const char *const clause_names[RL_CLAUSE_COUNT] = {
	[RL_CLAUSE_OK] = "ok",
	[RL_CLAUSE_NOT_ISOMORPHIC] = "not_isomorphic",
	[RL_CLAUSE_SHARING_LOST] = "sharing_lost",
	[RL_CLAUSE_POINTS_INTO_SRC] = "points_into_src",
	[RL_CLAUSE_OUTSIDE_CHANGED] = "outside_changed",
	[RL_CLAUSE_SRC_CHANGED] = "src_changed",
	[RL_CLAUSE_HELD_SUBREGION_CHANGED] = "held_subregion_changed",
	[RL_CLAUSE_DST_CHANGED] = "dst_changed",
	[RL_CLAUSE_LEAK] = "leak",
	[RL_CLAUSE_OOM] = "verify_oom",
};

const char *rl_clause_name(rl_clause c) { return c < RL_CLAUSE_COUNT ? clause_names[c] : "unknown_clause"; }

static void vsay(rl_verdict *v, rl_clause c, const char *fmt, va_list ap)
{
	if (v == NULL)
		return;
	v->clause = c;
	vsnprintf(v->why, sizeof v->why, fmt, ap);
}

void rl_verdict_set(rl_verdict *v, rl_clause c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(v, c, fmt, ap);
	va_end(ap);
}

void rl_verdict_format(const rl_verdict *v, char *buf, size_t len)
{
	if (buf != NULL && len > 0)
		snprintf(buf, len, "%s: %s", rl_clause_name(v->clause), v->why);
}

#define say rl_verdict_set

static const char *type_name(unsigned type)
{
	if (type == RL_T_FREE || type >= rl_type_count() || rl_type_table[type].name == NULL)
		return "invalid-type";
	return rl_type_table[type].name;
}

static bool type_valid(unsigned type) { return type != RL_T_FREE && type < rl_type_count(); }

/* ---- hashing ----------------------------------------------------------------
 * splitmix64's finalizer: a bijection on 64 bits with full avalanche.  The
 * stream hash feeds each word through it with the running state, so order
 * matters and equal prefixes do not cancel. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static inline uint64_t feed(uint64_t h, uint64_t v)
{
	return mix64(h * UINT64_C(0x9e3779b97f4a7c15) + v + UINT64_C(0x632be59bd9b4e019));
}

/* Record tags: they keep the stream decodable (an immediate 5 and a
 * reference to object #5 hash differently). */
enum {
	TAG_OBJECT = 0x6f626a,
	TAG_IMMEDIATE,
	TAG_REFERENCE,
	TAG_EXTERNAL,
	TAG_BAD_HEADER,
	TAG_REGION,
	TAG_BLOCK,
};

/* The first `n` (1..8) bytes at p, zero-padded: raw payload past the object's
 * byte count is padding and never hashed or compared. */
static inline uint64_t load_partial(const void *p, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, p, n);
	return v;
}

/* Payload bytes held by word `w` of an object with `bytes` payload bytes. */
static inline size_t word_bytes(size_t w, size_t bytes)
{
	size_t rest = bytes - (w << 3);
	return rest < 8 ? rest : 8;
}

/* ---- the oracle's own memory ---------------------------------------------------
 * Every allocation of the oracle passes here, so that a test can fail one
 * (rl_oracle_fail_at) and check that the judge says verify_oom, never that
 * the strategy broke the contract.  A countdown shared by all threads: the
 * harness judges on its trial thread. */
static atomic_uint_fast64_t fail_countdown;

void rl_oracle_fail_at(uint64_t k) { atomic_store_explicit(&fail_countdown, k, memory_order_relaxed); }

static bool may_allocate(void)
{
	if (atomic_load_explicit(&fail_countdown, memory_order_relaxed) == 0)
		return true;
	return atomic_fetch_sub_explicit(&fail_countdown, 1, memory_order_relaxed) != 1;
}

static void *oracle_malloc(size_t bytes) { return may_allocate() ? malloc(bytes) : NULL; }

/* ---- address ranges ------------------------------------------------------- */
struct range {
	uintptr_t lo, hi;
};

static int range_cmp(const void *a, const void *b)
{
	uintptr_t x = ((const struct range *)a)->lo, y = ((const struct range *)b)->lo;
	return (x > y) - (x < y);
}

/* Fills *out from `n` ranges (sorted here); lo and hi share one allocation. */
static int ranges_build(rl_ranges *out, struct range *rs, size_t n)
{
	out->lo = out->hi = NULL;
	out->n = 0;
	if (n == 0)
		return 0;
	qsort(rs, n, sizeof *rs, range_cmp);
	uintptr_t *buf = oracle_malloc(2 * n * sizeof *buf);
	if (buf == NULL)
		return -1;
	out->lo = buf;
	out->hi = buf + n;
	for (size_t i = 0; i < n; i++) {
		out->lo[i] = rs[i].lo;
		out->hi[i] = rs[i].hi;
	}
	out->n = n;
	return 0;
}

/* A region's family, root first: r, then the regions it adopted and its
 * sub-regions, depth first (regionlab/adopt.h).  rl_region_contains(r, v)
 * holds exactly for objects in the blocks of r's family, so "the blocks of r"
 * means these throughout the oracle.  The walk climbs back through `parent`
 * and needs no stack. */
static const rl_region *family_next(const rl_region *root, const rl_region *r)
{
	if (r->children != NULL)
		return r->children;
	for (; r != root; r = r->parent)
		if (r->sibling != NULL)
			return r->sibling;
	return NULL;
}

static size_t chain_length(const rl_block *b)
{
	size_t n = 0;
	for (; b != NULL; b = b->next)
		n++;
	return n;
}

int rl_ranges_of(const rl_region *r, rl_ranges *out)
{
	size_t n = 0;
	for (const rl_region *m = r; m != NULL; m = family_next(r, m))
		n += chain_length(m->small.head) + chain_length(m->large.head);
	struct range *rs = oracle_malloc((n ? n : 1) * sizeof *rs);
	if (rs == NULL) {
		out->lo = out->hi = NULL;
		out->n = 0;
		return -1;
	}
	size_t i = 0;
	for (const rl_region *m = r; m != NULL; m = family_next(r, m)) {
		const rl_block *chains[2] = { m->small.head, m->large.head };
		for (int c = 0; c < 2; c++)
			for (const rl_block *b = chains[c]; b != NULL; b = b->next)
				rs[i++] = (struct range){ (uintptr_t)b, (uintptr_t)b->limit };
	}
	int rc = ranges_build(out, rs, n);
	free(rs);
	return rc;
}

/* Index of the range holding p, or -1. */
static ptrdiff_t ranges_find(const rl_ranges *rs, uintptr_t p)
{
	size_t lo = 0, hi = rs->n;
	while (lo < hi) { /* first range with lo > p */
		size_t mid = lo + (hi - lo) / 2;
		if (rs->lo[mid] <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || p >= rs->hi[lo - 1])
		return -1;
	return (ptrdiff_t)(lo - 1);
}

bool rl_ranges_contain(const rl_ranges *rs, uintptr_t p) { return rs != NULL && ranges_find(rs, p) >= 0; }

void rl_ranges_free(rl_ranges *rs)
{
	free(rs->lo); /* hi lives in the same allocation */
	rs->lo = rs->hi = NULL;
	rs->n = 0;
}

/* ---- the oracle's tables ----------------------------------------------------
 * Big tables come straight from mmap with transparent huge pages requested:
 * the maps of a 10^6-object graph are tens of MiB, and a fresh 4 KiB page
 * costs a fault (about 13 us on the KVM guests this lab runs on), which
 * otherwise costs as much as the walk itself.  Small ones come from calloc. */
#define TABLE_HUGE (2u << 20)

/* The tables count against the memory budget (regionlab/mem.h: not the
 * strategy's statistics nor fault injection), so that a judge that runs out
 * under --max-mem says "oracle: out of memory". */
static void *table_alloc(size_t bytes)
{
	if (!may_allocate() || !rl_mem_budget_take(bytes))
		return NULL;
	void *p;
	if (bytes < TABLE_HUGE) {
		p = calloc(1, bytes);
	} else {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
		else
			(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, small pages */
	}
	if (p == NULL)
		rl_mem_budget_give(bytes);
	return p;
}

static void table_free(void *p, size_t bytes)
{
	if (p == NULL)
		return;
	if (bytes < TABLE_HUGE)
		free(p);
	else
		munmap(p, bytes);
	rl_mem_budget_give(bytes);
}

/* ---- the visited map: open addressing, linear probing ----------------------
 * Keys are object addresses (never 0, which marks an empty slot).  The hash
 * keeps neighbours together: each 256-byte chunk of addresses lands on a run
 * of 32 slots picked by hashing the chunk, in address order within the run.
 * Objects allocated together are visited together, so a walk in allocation
 * order touches a new cache line of the table every few objects instead of
 * at every object; chunks that share a run spill into the next slots. */
struct map_entry {
	uintptr_t key, val;
};

struct ptrmap {
	struct map_entry *e;
	size_t mask, count;
};

static int map_init(struct ptrmap *m)
{
	size_t cap = 1024;
	m->e = table_alloc(cap * sizeof *m->e);
	m->mask = cap - 1;
	m->count = 0;
	return m->e != NULL ? 0 : -1;
}

static void map_fini(struct ptrmap *m)
{
	table_free(m->e, (m->mask + 1) * sizeof *m->e);
	m->e = NULL;
}

static inline size_t map_slot(uintptr_t key, size_t mask)
{
	return (size_t)((mix64(key >> 8) << 5) | ((key >> 3) & 31)) & mask;
}

static struct map_entry *map_find(const struct ptrmap *m, uintptr_t key)
{
	for (size_t i = map_slot(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->e[i].key == key)
			return &m->e[i];
		if (m->e[i].key == 0)
			return NULL;
	}
}

static int map_grow(struct ptrmap *m)
{
	size_t cap = (m->mask + 1) * 2;
	struct map_entry *e = table_alloc(cap * sizeof *e);
	if (e == NULL)
		return -1;
	for (size_t j = 0; j <= m->mask; j++) {
		uintptr_t key = m->e[j].key;
		if (key == 0)
			continue;
		size_t i = map_slot(key, cap - 1);
		while (e[i].key != 0)
			i = (i + 1) & (cap - 1);
		e[i] = m->e[j];
	}
	table_free(m->e, (m->mask + 1) * sizeof *m->e);
	m->e = e;
	m->mask = cap - 1;
	return 0;
}

/* Inserts a key known to be absent; -1 when the table cannot grow. */
static int map_insert(struct ptrmap *m, uintptr_t key, uintptr_t val)
{
	if ((m->count + 1) * 4 > (m->mask + 1) * 3 && map_grow(m) != 0)
		return -1;
	size_t i = map_slot(key, m->mask);
	while (m->e[i].key != 0)
		i = (i + 1) & m->mask;
	m->e[i] = (struct map_entry){ key, val };
	m->count++;
	return 0;
}

/* ---- explicit stacks -------------------------------------------------------- */
struct frame {
	rl_obj *orig, *copy; /* copy is NULL in single-graph walks */
	size_t number, depth;
};

struct stack {
	struct frame *f;
	size_t len, cap;
};

static int stack_push(struct stack *s, struct frame fr)
{
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct frame *f = table_alloc(cap * sizeof *f);
		if (f == NULL)
			return -1;
		if (s->len > 0)
			memcpy(f, s->f, s->len * sizeof *f);
		table_free(s->f, s->cap * sizeof *f);
		s->f = f;
		s->cap = cap;
	}
	s->f[s->len++] = fr;
	return 0;
}

static void stack_fini(struct stack *s)
{
	table_free(s->f, s->cap * sizeof *s->f);
	s->f = NULL;
	s->len = s->cap = 0;
}

/* ---- single-graph walk: checksum, census, survivor ---------------------------
 * Follows pointers into `internal` (every pointer when NULL).  With `doomed`
 * set (survivor mode) a pointer into doomed memory is a failure and is never
 * dereferenced, and so is any object that is not a well-formed object lying
 * wholly inside its range. */
struct walk {
	const rl_ranges *internal, *doomed;
	struct ptrmap seen; /* object -> number */
	struct stack stack;
	size_t next_number;
	uint64_t h;
	rl_census census;
	rl_verdict *v; /* where a failure is said; NULL: nowhere */
};

/* Hashes one value (a slot or the root) and schedules its object. */
static int walk_value(struct walk *w, rl_val v, const struct frame *from, size_t slot)
{
	if (!rl_is_ptr(v)) {
		w->h = feed(feed(w->h, TAG_IMMEDIATE), v);
		return 0;
	}
	if (w->doomed != NULL && rl_ranges_contain(w->doomed, v)) {
		if (from == NULL)
			say(w->v, RL_CLAUSE_POINTS_INTO_SRC, "root %p points into freed source memory", (void *)v);
		else
			say(w->v, RL_CLAUSE_POINTS_INTO_SRC,
			    "object #%zu (%s, depth %zu) slot %zu points into freed source memory (%p)", from->number,
			    type_name(rl_obj_type(from->orig)), from->depth, slot, (void *)v);
		return -1;
	}
	if (w->internal != NULL && !rl_ranges_contain(w->internal, v)) {
		w->h = feed(feed(w->h, TAG_EXTERNAL), v);
		return 0;
	}
	struct map_entry *e = map_find(&w->seen, v);
	size_t number;
	if (e != NULL) {
		number = e->val;
	} else {
		number = w->next_number++;
		struct frame fr = { rl_ptr(v), NULL, number, from ? from->depth + 1 : 0 };
		if (map_insert(&w->seen, v, number) != 0 || stack_push(&w->stack, fr) != 0) {
			say(w->v, RL_CLAUSE_OOM, ORACLE_ENOMEM);
			return -1;
		}
	}
	w->h = feed(feed(w->h, TAG_REFERENCE), number);
	return 0;
}

/* False when o cannot be read as an object: a forwarding or invalid header,
 * or (when ranges are known) a footprint that runs past o's block. */
static bool object_readable(const struct walk *w, const rl_obj *o, const char **what)
{
	if (rl_hdr_is_forward(o->hdr)) {
		*what = "has a forwarding header";
		return false;
	}
	if (!type_valid(rl_obj_type(o))) {
		*what = "has an invalid type id";
		return false;
	}
	if (w->internal != NULL) {
		ptrdiff_t i = ranges_find(w->internal, (uintptr_t)o);
		if (i >= 0 && rl_obj_size(o) > w->internal->hi[i] - (uintptr_t)o) {
			*what = "runs past the end of its block";
			return false;
		}
	}
	return true;
}

static int walk_object(struct walk *w, const struct frame *fr)
{
	rl_obj *o = fr->orig;
	const char *what;
	w->h = feed(feed(w->h, TAG_OBJECT), fr->number);
	if (!object_readable(w, o, &what)) {
		if (w->doomed != NULL) {
			say(w->v, RL_CLAUSE_NOT_ISOMORPHIC, "object #%zu (depth %zu) at %p %s", fr->number, fr->depth, (void *)o,
			    what);
			return -1;
		}
		w->h = feed(feed(w->h, TAG_BAD_HEADER), o->hdr);
		return 0;
	}
	size_t bytes = rl_obj_bytes(o), words = rl_words_for(bytes);
	w->census.objects++;
	w->census.bytes += rl_obj_size(o);
	w->h = feed(feed(w->h, rl_obj_type(o)), bytes);

	rl_slot_iter it;
	rl_val *s;
	size_t word = 0, slot = 0;
	rl_slots_begin(&it, o);
	for (;;) {
		s = rl_slots_next(&it);
		size_t stop = s != NULL ? (size_t)(s - o->w) : words;
		for (; word < stop; word++)
			w->h = feed(w->h, load_partial(&o->w[word], word_bytes(word, bytes)));
		if (s == NULL)
			break;
		if (walk_value(w, *s, fr, slot++) != 0)
			return -1;
		if (stop + 1 > word)
			word = stop + 1;
	}
	return 0;
}

static int walk_graph(struct walk *w, rl_val root)
{
	int rc = -1;
	w->next_number = 0;
	w->h = UINT64_C(0x5eed0f0a11ce);
	w->census = (rl_census){ 0, 0 };
	w->stack = (struct stack){ 0 };
	if (map_init(&w->seen) != 0) {
		say(w->v, RL_CLAUSE_OOM, ORACLE_ENOMEM);
		return -1;
	}
	if (walk_value(w, root, NULL, 0) != 0)
		goto out;
	while (w->stack.len > 0) {
		struct frame fr = w->stack.f[--w->stack.len];
		if (walk_object(w, &fr) != 0)
			goto out;
	}
	rc = 0;
out:
	stack_fini(&w->stack);
	map_fini(&w->seen);
	return rc;
}

int rl_oracle_census(rl_val root, const rl_ranges *inside, rl_census *out)
{
	struct walk w = { .internal = inside };
	int rc = walk_graph(&w, root);
	*out = w.census;
	return rc;
}

/* Returns 0 when the walk could not finish (out of memory): the hash has
 * nowhere to report that, so callers that must know use walk_graph. */
uint64_t rl_oracle_checksum(rl_val root, const rl_ranges *internal)
{
	struct walk w = { .internal = internal };
	return walk_graph(&w, root) == 0 ? w.h : 0;
}

int rl_oracle_survivor_verdict(rl_val copy, const rl_ranges *internal, const rl_ranges *doomed, uint64_t expected,
			       rl_verdict *v)
{
	struct walk w = { .internal = internal, .doomed = doomed, .v = v };
	if (walk_graph(&w, copy) != 0)
		return -1;
	if (w.h != expected) {
		say(v, RL_CLAUSE_NOT_ISOMORPHIC,
		    "copy differs from the original after src was destroyed: checksum %016llx, expected %016llx "
		    "(%zu objects reached)",
		    (unsigned long long)w.h, (unsigned long long)expected, w.census.objects);
		return -1;
	}
	return 0;
}

int rl_oracle_check_survivor(rl_val copy, const rl_ranges *internal, const rl_ranges *doomed, uint64_t expected,
			     char *why, size_t why_len)
{
	rl_verdict v = { 0 };
	if (rl_oracle_survivor_verdict(copy, internal, doomed, expected, &v) == 0)
		return 0;
	rl_verdict_format(&v, why, why_len);
	return -1;
}

/* ---- region hash ------------------------------------------------------------ */
static uint64_t hash_chain(uint64_t h, const rl_block *b)
{
	for (; b != NULL; b = b->next) {
		const char *p = (const char *)b + RL_BLOCK_HEADER, *top = b->top;
		h = feed(feed(h, TAG_BLOCK), (uint64_t)(top - p));
		for (; p + 8 <= top; p += 8)
			h = feed(h, load_partial(p, 8));
		if (p < top)
			h = feed(h, load_partial(p, (size_t)(top - p)));
	}
	return h;
}

/* Every block of r's family, each region's small chain then its large one. */
uint64_t rl_oracle_region_hash(const rl_region *r)
{
	uint64_t h = UINT64_C(0x7e610);
	for (const rl_region *m = r; m != NULL; m = family_next(r, m)) {
		h = hash_chain(feed(h, TAG_REGION), m->small.head);
		h = hash_chain(feed(h, TAG_REGION), m->large.head);
	}
	return h;
}

/* ---- copy check: the original and the copy side by side ----------------------
 * orig_to_copy and copy_to_orig together demand a bijection: an original
 * object met twice must lead to the same copy (sharing and cycles kept), and
 * a copy met twice must stand for the same original (nothing merged). */
struct pair_walk {
	const rl_ranges *src_before, *doomed;
	rl_oracle_load_fn load;
	void *load_env;
	struct ptrmap orig_to_copy, copy_to_orig;
	struct stack stack;
	size_t next_number;
	rl_verdict *v;
};

/* "object #3 (cons, depth 2) slot 1" or "root", for reasons. */
static void describe(char *buf, size_t len, const struct frame *from, size_t slot)
{
	if (from == NULL)
		snprintf(buf, len, "root");
	else
		snprintf(buf, len, "object #%zu (%s, depth %zu) slot %zu", from->number,
			 type_name(rl_obj_type(from->orig)), from->depth, slot);
}

/* Compares one original value with the value the copy holds in its place. */
static int pair_value(struct pair_walk *pw, rl_val o, rl_val c, const struct frame *from, size_t slot)
{
	char where[160];
	if (!rl_is_ptr(o)) {
		if (c == o)
			return 0;
		describe(where, sizeof where, from, slot);
		say(pw->v, RL_CLAUSE_NOT_ISOMORPHIC, "immediate changed: %s holds 0x%llx, the copy 0x%llx", where,
		    (unsigned long long)o, (unsigned long long)c);
		return -1;
	}
	if (!rl_ranges_contain(pw->src_before, o)) {
		if (c == o)
			return 0;
		describe(where, sizeof where, from, slot);
		say(pw->v, RL_CLAUSE_OUTSIDE_CHANGED, "pointer outside the source changed: %s points to %p, the copy to %p",
		    where, (void *)o, (void *)c);
		return -1;
	}
	if (!rl_is_ptr(c)) {
		describe(where, sizeof where, from, slot);
		say(pw->v, RL_CLAUSE_NOT_ISOMORPHIC,
		    "reference lost: %s points to a source object, the copy holds the non-pointer 0x%llx", where,
		    (unsigned long long)c);
		return -1;
	}
	if (rl_ranges_contain(pw->doomed, c)) {
		describe(where, sizeof where, from, slot);
		say(pw->v, RL_CLAUSE_POINTS_INTO_SRC, "copy points into the dying source: %s holds %p", where, (void *)c);
		return -1;
	}
	struct map_entry *seen = map_find(&pw->orig_to_copy, o);
	if (seen != NULL) {
		if (seen->val == c)
			return 0;
		describe(where, sizeof where, from, slot);
		say(pw->v, RL_CLAUSE_SHARING_LOST,
		    "lost sharing: %s reaches an original object a second time, but the copy points to %p "
		    "instead of its copy %p",
		    where, (void *)c, (void *)seen->val);
		return -1;
	}
	struct map_entry *taken = map_find(&pw->copy_to_orig, c);
	if (taken != NULL) {
		describe(where, sizeof where, from, slot);
		say(pw->v, RL_CLAUSE_SHARING_LOST,
		    "merged objects: %s leads to copy %p, which already stands for a different original object",
		    where, (void *)c);
		return -1;
	}
	struct frame fr = { rl_ptr(o), rl_ptr(c), pw->next_number++, from ? from->depth + 1 : 0 };
	if (map_insert(&pw->orig_to_copy, o, c) != 0 || map_insert(&pw->copy_to_orig, c, o) != 0 ||
	    stack_push(&pw->stack, fr) != 0) {
		say(pw->v, RL_CLAUSE_OOM, ORACLE_ENOMEM);
		return -1;
	}
	return 0;
}

static int pair_object(struct pair_walk *pw, const struct frame *fr)
{
	rl_obj *o = fr->orig, *c = fr->copy;
	if (rl_hdr_is_forward(o->hdr)) {
		say(pw->v, RL_CLAUSE_SRC_CHANGED,
		    "source header left borrowed: original object #%zu (depth %zu) still holds a forwarding word",
		    fr->number, fr->depth);
		return -1;
	}
	unsigned type = rl_obj_type(o);
	if (!type_valid(type)) {
		say(pw->v, RL_CLAUSE_SRC_CHANGED, "original object #%zu (depth %zu) has an invalid type id %u", fr->number,
		    fr->depth, type);
		return -1;
	}
	if (rl_hdr_is_forward(c->hdr)) {
		say(pw->v, RL_CLAUSE_NOT_ISOMORPHIC, "copy of object #%zu (%s, depth %zu) has a forwarding header", fr->number,
		    type_name(type), fr->depth);
		return -1;
	}
	if (rl_obj_type(c) != type) {
		say(pw->v, RL_CLAUSE_NOT_ISOMORPHIC, "type changed: object #%zu (depth %zu) is %s, its copy %s", fr->number,
		    fr->depth, type_name(type), type_name(rl_obj_type(c)));
		return -1;
	}
	size_t bytes = rl_obj_bytes(o), words = rl_words_for(bytes);
	if (rl_obj_bytes(c) != bytes) {
		say(pw->v, RL_CLAUSE_NOT_ISOMORPHIC,
		    "size changed: object #%zu (%s, depth %zu) has %zu payload bytes, its copy %u", fr->number,
		    type_name(type), fr->depth, bytes, rl_obj_bytes(c));
		return -1;
	}

	rl_slot_iter it;
	rl_val *s;
	size_t word = 0, slot = 0;
	rl_slots_begin(&it, o);
	for (;;) {
		s = rl_slots_next(&it);
		size_t stop = s != NULL ? (size_t)(s - o->w) : words;
		for (; word < stop; word++) {
			size_t n = word_bytes(word, bytes);
			if (memcmp(&o->w[word], &c->w[word], n) == 0)
				continue;
			size_t k = 0;
			while (((const unsigned char *)&o->w[word])[k] == ((const unsigned char *)&c->w[word])[k])
				k++;
			say(pw->v, RL_CLAUSE_NOT_ISOMORPHIC,
			    "bytes changed: object #%zu (%s, depth %zu) differs at payload byte %zu", fr->number,
			    type_name(type), fr->depth, word * 8 + k);
			return -1;
		}
		if (s == NULL)
			break;
		rl_val *copy_slot = &c->w[stop];
		rl_val cv = pw->load != NULL ? pw->load(pw->load_env, copy_slot) : *copy_slot;
		if (pair_value(pw, *s, cv, fr, slot++) != 0)
			return -1;
		if (stop + 1 > word)
			word = stop + 1;
	}
	return 0;
}

int rl_oracle_copy_verdict(rl_val orig, rl_val copy, const rl_ranges *src_before, const rl_ranges *doomed,
			   rl_oracle_load_fn load, void *load_env, rl_verdict *v)
{
	struct pair_walk pw = {
		.src_before = src_before,
		.doomed = doomed,
		.load = load,
		.load_env = load_env,
		.v = v,
	};
	int rc = -1;
	if (rl_is_ptr(copy) && rl_ranges_contain(doomed, copy)) {
		say(v, RL_CLAUSE_POINTS_INTO_SRC, "copy points into the dying source: the root copy is %p",
		    (void *)copy);
		return -1;
	}
	if (map_init(&pw.orig_to_copy) != 0 || map_init(&pw.copy_to_orig) != 0) {
		say(v, RL_CLAUSE_OOM, ORACLE_ENOMEM);
		goto out;
	}
	if (pair_value(&pw, orig, copy, NULL, 0) != 0)
		goto out;
	while (pw.stack.len > 0) {
		struct frame fr = pw.stack.f[--pw.stack.len];
		if (pair_object(&pw, &fr) != 0)
			goto out;
	}
	rc = 0;
out:
	stack_fini(&pw.stack);
	map_fini(&pw.orig_to_copy);
	map_fini(&pw.copy_to_orig);
	return rc;
}

int rl_oracle_check_copy(rl_val orig, rl_val copy, const rl_ranges *src_before, const rl_ranges *doomed,
			 rl_oracle_load_fn load, void *load_env, char *why, size_t why_len)
{
	rl_verdict v = { 0 };
	if (rl_oracle_copy_verdict(orig, copy, src_before, doomed, load, load_env, &v) == 0)
		return 0;
	rl_verdict_format(&v, why, why_len);
	return -1;
}

/* ---- for the judge ------------------------------------------------------------ */
int rl_oracle_survey(rl_val root, const rl_ranges *inside, rl_census *census, uint64_t *checksum)
{
	struct walk w = { .internal = inside };
	int rc = walk_graph(&w, root);
	*census = w.census;
	*checksum = rc == 0 ? w.h : 0;
	return rc;
}

int rl_ranges_added(const rl_region *r, const rl_ranges *before, const rl_region_mark *mark, rl_ranges *out)
{
	rl_ranges now;
	out->lo = out->hi = NULL;
	out->n = 0;
	if (rl_ranges_of(r, &now) != 0)
		return -1;
	struct range *rs = oracle_malloc((now.n ? now.n : 1) * sizeof *rs);
	if (rs == NULL) {
		rl_ranges_free(&now);
		return -1;
	}
	size_t n = 0;
	for (size_t i = 0; i < now.n; i++) {
		uintptr_t lo = now.lo[i];
		if (rl_ranges_contain(before, lo)) {
			if ((uintptr_t)mark->small_tail != lo)
				continue;
			lo = (uintptr_t)mark->top;
		}
		rs[n++] = (struct range){ lo, now.hi[i] };
	}
	rl_ranges_free(&now);
	int rc = ranges_build(out, rs, n);
	free(rs);
	return rc;
}
