/* Regions: a Region Control Block (RCB) plus chains of fixed-size blocks.
 *
 * Every block is aligned to the process-wide block size B (a power of two,
 * 64 KiB by default), so the header of the block that holds an object is
 * `obj & ~(B-1)`: "is this pointer in region R?" is one mask and one load.
 * Small objects are bump-allocated in the tail of the `small` chain.  An
 * object that does not fit a block gets a dedicated block of its own on the
 * `large` chain, also B-aligned, with the object right after the header, so
 * the same mask finds it from the object's start address.
 *
 * Two chains keep both allocation order and cheap rollback: a mark records
 * both tails and the bump pointer, and rolling back frees whatever came after.
 *
 * Blocks come from a page source (aligned allocation by default); debug builds
 * (RL_DEBUG) fill freed blocks, and what a rollback gives back, with
 * RL_POISON_BYTE so stale reads show up, unless rl_region_set_poison turned
 * that off (the harness does for timings-only runs). */
#ifndef REGIONLAB_REGION_H
#define REGIONLAB_REGION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/object.h"

#define RL_BLOCK_MAGIC 0x524c424bu /* "RLBK" */
#define RL_BLOCK_LARGE 1u
#define RL_BLOCK_HEADER 64u
#define RL_CACHE_LINE 64 /* bytes; also the padding unit of the tether schemes */
#define RL_PAGE 4096 /* bytes: the smallest page, and the minimum block size */
#define RL_BLOCK_SIZE_DEFAULT (64u * 1024u)
#define RL_BLOCK_SIZE_MIN 4096u
#define RL_BLOCK_SIZE_MAX (64u * 1024u * 1024u)
#define RL_POISON_BYTE 0xdb

typedef struct rl_region rl_region;

typedef struct rl_block {
	uint32_t magic;
	uint32_t flags;      /* RL_BLOCK_LARGE */
	rl_region *region;   /* owner; rewritten when a block is spliced */
	struct rl_block *next;
	char *top;           /* bump pointer: first free byte */
	char *limit;         /* end of the block */
	uint64_t seq;        /* creation number within the process, for ordering */
	void *scratch;       /* side metadata of the strategy running on this block */
	uint64_t reserved;
} rl_block;

_Static_assert(sizeof(rl_block) <= RL_BLOCK_HEADER, "block header must fit its slot");

typedef struct rl_block_list {
	rl_block *head, *tail;
	size_t count;
} rl_block_list;

struct rl_region {
	uint64_t id;
	rl_block_list small;  /* bump-allocated blocks, allocation order */
	rl_block_list large;  /* one object each */
	size_t bytes_used;    /* object bytes allocated (headers included) */
	atomic_long external_rc; /* owning references; starts at 1 */
	void *tether;         /* state owned by the active tether scheme */
	rl_region *parent;    /* the region this one lives inside: adopter or arena owner */
	const char *name;     /* optional label for diagnostics */
	/* Region families (regionlab/adopt.h): regions this one adopted and its
	 * sub-regions, linked through `sibling`; RL_REGION_* flags. */
	rl_region *children;
	rl_region *sibling;
	rl_region *aside_next; /* set aside from its parent's family (rl_subregion_set_aside) */
	unsigned family;
	unsigned knows; /* RL_KNOWS_* (regionlab/knowledge.h): what r knows without a trace */
	rl_val pointed_from; /* the one object every store into r from outside went into (knowledge.h) */
	const rl_val *pointed_from_slot; /* the slot of pointed_from the first of them went into */
};

/* A point in a region's history that rl_region_rollback can return to. */
typedef struct rl_region_mark {
	rl_block *small_tail, *large_tail;
	char *top;
	size_t small_count, large_count, bytes_used;
	uint64_t seq;         /* rl_block_seq_peek() when the mark was taken */
} rl_region_mark;

/* ---- process-wide settings ----------------------------------------------- */
extern size_t rl_block_size;

/* Sets the block size.  Fails (-1) unless `bytes` is a power of two within
 * [RL_BLOCK_SIZE_MIN, RL_BLOCK_SIZE_MAX] and no block is live. */
int rl_set_block_size(size_t bytes);
/* Largest payload that is bump-allocated; bigger objects get a large block:
 * a quarter of the block size (rl_small_object_max_of for a given one, so
 * that a loop compiled for the default block size has it as a constant). */
static inline size_t rl_small_object_max_of(size_t block_size) { return block_size / 4; }
size_t rl_small_object_max(void);

/* ---- regions -------------------------------------------------------------- */
/* NULL when the first block cannot be had (allocation failure). Regions start
 * with no block: the first allocation fetches one. */
rl_region *rl_region_create(const char *name);
/* Frees every block (poisoned in debug builds) and the RCB.  Regions r
 * adopted go with it; its sub-regions lose r's hold (regionlab/adopt.h).  On
 * an adopted alias it only drops the handle: the adopter frees the RCB. */
void rl_region_destroy(rl_region *r);

/* Raw allocation of `bytes` (rounded up to 8); NULL on failure. */
void *rl_region_alloc(rl_region *r, size_t bytes);
/* A new object with its header written; payload uninitialized. NULL on failure. */
rl_obj *rl_obj_new(rl_region *r, unsigned type, uint32_t payload_bytes);
/* rl_region_alloc with the bump in the tail block inlined: `bytes` must be a
 * multiple of 8.  For copying loops that allocate once per object. */
static inline void *rl_region_bump(rl_region *r, size_t bytes)
{
	rl_block *b = r->small.tail;
	if (b != NULL && bytes <= rl_small_object_max_of(rl_block_size) && (size_t)(b->limit - b->top) >= bytes) {
		void *p = b->top;
		b->top += bytes;
		r->bytes_used += bytes;
		return p;
	}
	return rl_region_alloc(r, bytes);
}

/* A fresh, empty block of `bytes` (a multiple of the block size) appended to
 * r's large chain when `large`, else to its small chain (then `bytes` is the
 * block size); NULL on failure.  The caller fills it, advancing b->top and
 * r->bytes_used: for strategies that lay copies out block by block
 * (core/relocate.c).  A later rl_region_alloc bumps in it when it is the
 * small tail. */
rl_block *rl_region_add_block(rl_region *r, size_t bytes, bool large);

rl_region_mark rl_region_mark_now(const rl_region *r);
/* Frees every block added after `m` and restores the bump pointer. */
void rl_region_rollback(rl_region *r, const rl_region_mark *m);
/* True when p (inside one of r's blocks) was allocated after mark m of r:
 * in a block made since, or past the mark's bump pointer in its tail block. */
static inline bool rl_allocated_after(const rl_region_mark *m, const void *p)
{
	const rl_block *b = (const rl_block *)((uintptr_t)p & ~(uintptr_t)(rl_block_size - 1));
	return b->seq >= m->seq || (b == m->small_tail && (const char *)p >= m->top);
}

static inline rl_block *rl_block_of(const void *p)
{
	return (rl_block *)((uintptr_t)p & ~(uintptr_t)(rl_block_size - 1));
}
static inline char *rl_block_data(rl_block *b) { return (char *)b + RL_BLOCK_HEADER; }

/* Region that holds `o`, or NULL for static objects. */
static inline rl_region *rl_region_of(const rl_obj *o)
{
	return rl_obj_is_static(o) ? NULL : rl_block_of(o)->region;
}
/* rl_region_contains with the block mask, ~(rl_block_size - 1), held by the
 * caller in a register: a loop that stores values would otherwise load
 * rl_block_size again after every store (a size_t and an rl_val may alias).
 * The owner test and the first step up the parent chain (an object of a
 * sub-region or of an adopted region: one more load, of the owner's RCB) are
 * inline; further steps out of line: rl_region_chain_has(owner, r) is true
 * when r is owner or one of its parents. */
bool rl_region_chain_has(const rl_region *owner, const rl_region *r);
static inline bool rl_region_contains_masked(const rl_region *r, rl_val v, uintptr_t mask)
{
	if (!rl_is_ptr(v) || rl_obj_is_static(rl_ptr(v)))
		return false;
	const rl_region *owner = ((const rl_block *)(v & mask))->region;
	if (owner == r)
		return true;
	const rl_region *up = owner->parent; /* a sub-region's parent, an adoptee's adopter */
	return up == r || (up != NULL && rl_region_chain_has(up->parent, r));
}
/* True when value v points at an object stored in r's blocks, including the
 * blocks of regions r adopted and of r's sub-regions (regionlab/adopt.h): the
 * owner named by the block is followed up its parent chain, so the common
 * cases cost one load (inside r) or two (an object of a sub-region or of an
 * adopted region, or one elsewhere). */
static inline bool rl_region_contains(const rl_region *r, rl_val v)
{
	return rl_region_contains_masked(r, v, ~(uintptr_t)(rl_block_size - 1));
}

/* Total bytes of the region's blocks (its footprint). */
size_t rl_region_footprint(const rl_region *r);
/* The same over the blocks rl_region_for_each_block visits (r's family: its
 * sub-regions too), which is what a trace of r may reach. */
size_t rl_region_family_footprint(const rl_region *r);

/* Calls fn(block, env) for every block of r and of its family (sub-regions:
 * rl_region_contains counts them): every small block first, in chain order,
 * then every large block. */
void rl_region_for_each_block(rl_region *r, void (*fn)(rl_block *b, void *env), void *env);
/* Reads one byte of every page of every block rl_region_for_each_block
 * visits, writing nothing: a benchmark calls it right before a timed call so
 * that every page of the graph is mapped again, whatever ran since it was
 * built (the benchmarks in bench/).  One byte a page, not every line:
 * streaming the whole graph through the cache evicts what a zero-copy
 * strategy touches (RCBs, code): the harness reads src's lines and then its
 * own code's (driver/runner.c, touch_last). */
void rl_region_rewarm(rl_region *r);
/* Reads one byte of every cache line of every block rl_region_for_each_block
 * visits, from the block's header to its bump pointer (the lines its objects
 * occupy), writing nothing; returns those bytes xored together.  It leaves
 * the graph in the caches as far as they hold it, the state of a region
 * just built, whatever ran since: driver/runner.c says when it runs. */
unsigned char rl_region_read_lines(rl_region *r);
/* Reads one byte every `stride` bytes of [p, p + bytes), writing nothing;
 * returns the bytes xored together, so that the reads are not optimised out. */
static inline unsigned char rl_stride_read(const void *p, size_t bytes, size_t stride)
{
	const volatile unsigned char *c = p;
	unsigned char sum = 0;
	for (size_t i = 0; i < bytes; i += stride)
		sum ^= c[i];
	return sum;
}
/* One byte of every RL_PAGE of [p, p + bytes) (p page-aligned): maps the
 * pages again without bringing more than a line of each into the cache. */
static inline unsigned char rl_pages_read(const void *p, size_t bytes) { return rl_stride_read(p, bytes, RL_PAGE); }
/* Reads one byte of every RL_PAGE of [p, p + bytes) (p page-aligned) and
 * writes it back unchanged: the pages mapped private and writable, as the
 * memory a timed copy is about to fill must be.  Reading alone is not
 * enough for such memory: a page this process has only read may be the
 * shared zero page or a page shared copy-on-write with the parent of a
 * forked trial, and the copy's first write to it then faults (the copy
 * yardstick into one 64 KiB block after reads alone: 16 faults and 220-280
 * us, against 2 faults and 4 us after this). */
static inline void rl_pages_write(void *p, size_t bytes)
{
	volatile unsigned char *c = p;
	for (size_t i = 0; i < bytes; i += RL_PAGE)
		c[i] = c[i];
}
/* One byte of every RL_CACHE_LINE of [p, p + bytes) (p line-aligned): the
 * lines in the caches, as far as they hold them. */
static inline unsigned char rl_lines_read(const void *p, size_t bytes) { return rl_stride_read(p, bytes, RL_CACHE_LINE); }
/* The blocks rl_region_for_each_block visits: small ones, and all. */
void rl_region_count_blocks(rl_region *r, size_t *small, size_t *all);

/* Iterates the objects of one block in address order. */
static inline rl_obj *rl_block_first_obj(rl_block *b) { return (rl_obj *)rl_block_data(b); }
static inline bool rl_block_has_obj(rl_block *b, const rl_obj *o) { return (const char *)o < b->top; }

/* ---- block lists (shared by strategies that move whole blocks) ------------ */
void rl_block_list_append(rl_block_list *l, rl_block *b);
/* Moves every block of `from` to the end of `to`, rewriting their owner. */
void rl_block_list_splice(rl_block_list *to, rl_block_list *from, rl_region *new_owner);
/* Moves the blocks of `from` for which take(b, env) is true to the end of
 * `to`, keeping their order, and rewrites only their owner; the others stay
 * in `from` in order.  Returns the object bytes (top - data) moved. */
size_t rl_block_list_take(rl_block_list *to, rl_block_list *from, rl_region *new_owner,
			  bool (*take)(rl_block *b, void *env), void *env);
/* Concatenates `from` onto `to` in O(1) without touching the blocks (their
 * owner stays as it was): the mechanism of adoption. */
void rl_block_list_concat(rl_block_list *to, rl_block_list *from);
/* Bytes of block b (its footprint). */
static inline size_t rl_block_bytes(const rl_block *b) { return (size_t)(b->limit - (const char *)b); }
/* The `seq` the next block will get: blocks with seq >= this value were
 * created after the call. */
uint64_t rl_block_seq_peek(void);

/* ---- page source ----------------------------------------------------------- */
typedef struct rl_page_source {
	const char *name;
	void *(*alloc)(size_t bytes, size_t align); /* NULL on failure */
	void (*free)(void *p, size_t bytes);
} rl_page_source;

extern const rl_page_source rl_pages_system;
void rl_set_page_source(const rl_page_source *ps);
const rl_page_source *rl_page_source_current(void);

/* Whether a debug build poisons what regions free (on by default; release
 * builds without RL_DEBUG never do).  The fill is a memset of every freed
 * block, paid inside timed calls (an undone probe's blocks) and by every
 * region a program frees: a cost of the lab, not of an algorithm, so the
 * harness turns it off when it only times (--no-verify).  Process-wide; set
 * it before any thread frees a region. */
void rl_region_set_poison(bool on);

/* Live block accounting, process-wide (atomic): for leak checks. */
size_t rl_blocks_live(void);
size_t rl_block_bytes_live(void);

#endif
