/* Copying one object's bytes: word by word inline for the small objects that
 * dominate Lisp heaps (a call to memcpy costs more than copying 16-32
 * bytes), memcpy above.  Also the bump allocator that copying loops keep in
 * registers while they fill dst. */
#ifndef REGIONLAB_COPY_H
#define REGIONLAB_COPY_H

#include <stdint.h>
#include <string.h>

#include "regionlab/object.h"
#include "regionlab/region.h"

#define RL_INLINE_COPY_MAX 64u

/* `size` is the object's footprint (a multiple of 8, at least 8).  Up to 64
 * bytes: two fixed-size moves that overlap in the middle, no loop. */
static inline void rl_copy_object(rl_obj *to, const rl_obj *from, size_t size)
{
	char *d = (char *)to;
	const char *s = (const char *)from;
	if (size <= 16) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + size - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + size - 8, &b, 8);
	} else if (size <= 32) {
		char a[16], b[16];
		memcpy(a, s, 16);
		memcpy(b, s + size - 16, 16);
		memcpy(d, a, 16);
		memcpy(d + size - 16, b, 16);
	} else if (size <= RL_INLINE_COPY_MAX) {
		char a[32], b[32];
		memcpy(a, s, 32);
		memcpy(b, s + size - 32, 32);
		memcpy(d, a, 32);
		memcpy(d + size - 32, b, 32);
	} else {
		memcpy(d, s, size);
	}
}

/* The value slots of every object whose header is `hdr` (an object with the
 * same header has the same slots): copying loops keep the last one met in
 * registers, so an object's slots do not wait for a load from the type
 * table.  Start with hdr = RL_HDR_FORWARD, which no live header equals. */
typedef struct rl_layout {
	uint64_t hdr;
	uint64_t map;     /* value words among the first 64 */
	size_t next, end; /* the tail: words [next, end) */
	size_t size;      /* footprint */
} rl_layout;

static inline void rl_layout_of(rl_layout *l, uint64_t h)
{
	const rl_type *t = &rl_type_table[rl_hdr_type(h)];
	size_t words = rl_words_for(rl_hdr_bytes(h));
	l->hdr = h;
	l->map = words >= 64 ? t->ptr_map : t->ptr_map & ((UINT64_C(1) << words) - 1);
	l->next = t->tail_from < words ? t->tail_from : words;
	l->end = words;
	l->size = rl_obj_footprint(rl_hdr_bytes(h));
}

/* The bump allocator of dst's tail block, held in a copying loop's locals:
 * the block's `top` and dst's byte count are written back (rl_bump_sync)
 * before anything else may look at them.  Keep an rl_bump in a local whose
 * address is never taken, so that it lives in registers: rl_bump_alloc's
 * slow path works on it inline and calls out only rl_region_alloc. */
typedef struct rl_bump {
	rl_block *b;
	char *top, *limit; /* top: the block's top as allocated so far */
} rl_bump;

static inline void rl_bump_load(rl_bump *a, const rl_region *dst)
{
	a->b = dst->small.tail;
	a->top = a->b != NULL ? a->b->top : NULL;
	a->limit = a->b != NULL ? a->b->limit : NULL;
}

/* The bytes allocated since the load are the distance the top moved: no
 * count is carried through the loop (one register fewer). */
static inline void rl_bump_sync(rl_bump *a, rl_region *dst)
{
	if (a->b != NULL) {
		dst->bytes_used += (size_t)(a->top - a->b->top);
		a->b->top = a->top;
	}
}

/* `size` a multiple of 8; `small_max` is rl_small_object_max().  The slow
 * path syncs, allocates with rl_region_alloc (a new block, or a large
 * object) and reloads; NULL when dst cannot grow.  It works on *a in place,
 * inline: `a` never has its address taken, so a loop keeps it in
 * registers. */
static inline __attribute__((always_inline)) rl_obj *rl_bump_alloc(rl_bump *a, rl_region *dst, size_t size,
								    size_t small_max)
{
	if (__builtin_expect(size <= small_max && (size_t)(a->limit - a->top) >= size, 1)) {
		rl_obj *o = (rl_obj *)a->top;
		a->top += size;
		return o;
	}
	rl_bump_sync(a, dst);
	rl_obj *o = rl_region_alloc(dst, size);
	rl_bump_load(a, dst);
	return o;
}

#endif
