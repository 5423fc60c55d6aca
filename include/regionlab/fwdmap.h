/* A forwarding table beside the source region: one word per 8-byte word of
 * src (and of its sub-regions, whose objects rl_region_contains counts as
 * src's), holding the address of the object's copy (0: not copied yet), so that
 * a strategy can forward objects while src stays byte-identical and readable
 * (incremental evacuation: the old graph is still read until it is done).
 *
 * Like the shadow, each block's `scratch` points at its slice; unlike the
 * shadow, slices are handed out lazily, the first time an object of a block
 * is looked up, so setting the table up is O(1) whatever src's size: one
 * scratch reservation (rl_mem_reserve_scratch), each slice zeroed when it is
 * handed out, never touched where src is never read.  A small block's slice has a word per data word; a large
 * block's, one word.  The table is charged in full when it is set up
 * (strategy memory: at most src's footprint).  Not thread-safe: callers hold
 * their own lock. */
#ifndef REGIONLAB_FWDMAP_H
#define REGIONLAB_FWDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "regionlab/object.h"
#include "regionlab/region.h"

typedef struct rl_fwdmap {
	rl_region *src;
	uintptr_t *pool;   /* reserved address space */
	size_t words;      /* its size in words */
	size_t used;       /* words handed out */
} rl_fwdmap;

/* 0, or -1 when the reservation fails. */
int rl_fwdmap_init(rl_fwdmap *f, rl_region *src);
/* Gives src's blocks their scratch word back and releases the table. */
void rl_fwdmap_fini(rl_fwdmap *f);

/* The slice of b, handed out on first use (NULL if the table is full: src
 * grew after rl_fwdmap_init). */
uintptr_t *rl_fwdmap_slice(rl_fwdmap *f, rl_block *b);

/* The entry of o (an object of src), or NULL (see rl_fwdmap_slice). */
static inline uintptr_t *rl_fwdmap_entry(rl_fwdmap *f, const rl_obj *o)
{
	rl_block *b = rl_block_of(o);
	uintptr_t *slice = b->scratch != NULL ? b->scratch : rl_fwdmap_slice(f, b);
	if (slice == NULL)
		return NULL;
	return slice + (((const char *)o - rl_block_data(b)) >> 3);
}

#endif
