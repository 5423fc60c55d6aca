/* The region shadow (design section 2.2): one visited bit per 8-byte word of
 * a region's blocks, allocated once per call as a single array.
 *
 * Each block's `scratch` points at its slice of the array while the shadow
 * is attached, so marking an object is a mask, a subtraction and a bit
 * operation: no hash map and no allocation during the traversal.  The slice
 * of a small block covers its data area ((B - header) / 8 bits); a large block
 * holds one object and gets one 64-bit word.  In all, the shadow takes at most
 * 1/64 of the region's footprint. */
#ifndef REGIONLAB_SHADOW_H
#define REGIONLAB_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regionlab/object.h"
#include "regionlab/region.h"

typedef struct rl_shadow {
	rl_region *region;
	uint64_t *bits;
	size_t bytes;
} rl_shadow;

/* Attaches a zeroed shadow to every block of r: 0, or -1 when the allocation fails. */
int rl_shadow_attach(rl_shadow *s, rl_region *r);
/* Detaches and frees it. */
void rl_shadow_detach(rl_shadow *s);

static inline size_t rl_shadow_index(const rl_obj *o, const rl_block *b)
{
	return (size_t)((const char *)o - ((const char *)b + RL_BLOCK_HEADER)) >> 3;
}

/* Marks o (which must lie in the shadowed region); returns whether it was already marked. */
static inline bool rl_shadow_test_and_set(const rl_obj *o)
{
	rl_block *b = rl_block_of(o);
	uint64_t *bits = b->scratch;
	size_t i = rl_shadow_index(o, b);
	uint64_t bit = UINT64_C(1) << (i & 63);
	bool was = (bits[i >> 6] & bit) != 0;
	bits[i >> 6] |= bit;
	return was;
}

/* Marks o (which must lie in the shadowed region) without looking first. */
static inline void rl_shadow_mark(const rl_obj *o)
{
	rl_block *b = rl_block_of(o);
	uint64_t *bits = b->scratch;
	size_t i = rl_shadow_index(o, b);
	bits[i >> 6] |= UINT64_C(1) << (i & 63);
}

/* rl_shadow_mark for a caller that knows o's block b already: the same bit,
 * in fewer instructions for a copying loop that marks every object.  A block
 * is aligned to its size (at least RL_BLOCK_SIZE_MIN), so the bit's place in
 * its word, rl_shadow_index(o, b) & 63, is (o / 8 - RL_BLOCK_HEADER / 8) mod
 * 64: a rotation of a constant by o / 8, with no subtraction of b. */
static inline void rl_shadow_mark_in(const rl_obj *o, rl_block *b)
{
	_Static_assert(RL_BLOCK_SIZE_MIN % 512 == 0 && RL_BLOCK_HEADER % 8 == 0 && RL_BLOCK_HEADER / 8 - 1 < 63,
		       "a block's address is a multiple of 64 words and its header 1 to 63 words");
	uint64_t *bits = b->scratch;
	unsigned rot = (unsigned)((uintptr_t)o >> 3) & 63;
	const uint64_t first = UINT64_C(1) << (64 - RL_BLOCK_HEADER / 8); /* 1 rotated by -header words */
	size_t word = ((uintptr_t)o - RL_BLOCK_HEADER - (uintptr_t)b) >> 9; /* rl_shadow_index(o, b) >> 6 */
	bits[word] |= (first << rot) | (first >> ((64 - rot) & 63));
}

static inline bool rl_shadow_test(const rl_obj *o)
{
	rl_block *b = rl_block_of(o);
	const uint64_t *bits = b->scratch;
	size_t i = rl_shadow_index(o, b);
	return (bits[i >> 6] >> (i & 63)) & 1u;
}

/* Calls fn(obj, env) for every marked object, block by block in address order. */
void rl_shadow_for_each_marked(rl_shadow *s, void (*fn)(rl_obj *o, void *env), void *env);
/* For every marked object o, whose header was borrowed for a forwarding
 * address (rl_hdr_forward_to) to a copy that holds o's original header:
 * gives o its header back.  One pass, in address order. */
void rl_shadow_restore_borrowed(rl_shadow *s);

#endif
