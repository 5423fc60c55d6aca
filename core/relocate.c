/* Relocation: every block of src copied whole, pointers moved by their
 * block's offset (see regionlab/relocate.h).
 *
 * Invariant: before any byte is copied, every source block that holds
 * objects has its place in dst and its entry in the map (source block ->
 * offset to its copy), so a slot pointing forward into a block not yet
 * copied is rewritten as surely as one pointing back.  A slot is rewritten
 * exactly when it holds a pointer whose block is in the map: pointers into
 * other regions and static data miss the map and stay as they are, and the
 * map is consulted with the pointer's value only (the pointed-to memory is
 * never read, so a pointer to static data, whose masked address may not be
 * mapped, is harmless).  src is never written. */
#include "regionlab/relocate.h"

#include <string.h>

#include "regionlab/mem.h"

struct map_entry {
	uintptr_t block; /* source block address; 0 = empty */
	uintptr_t offset; /* copy - original, modulo 2^64 */
};

struct plan {
	rl_block *from; /* source block */
	char *to;       /* where its objects go */
};

typedef struct relocation {
	struct map_entry *map;
	size_t map_mask;
	unsigned block_shift; /* log2 of the block size */
	struct plan *plan;
	size_t nplan, cap;
	void *mem; /* one allocation: plan, then map */
	size_t mem_bytes;
	/* The last block hit, so that a run of slots into one block costs one compare. */
	uintptr_t last_block, last_offset;
} relocation;

static size_t map_slot(const relocation *r, uintptr_t block)
{
	return (size_t)(((block >> r->block_shift) * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & r->map_mask;
}

static void map_put(relocation *r, uintptr_t block, uintptr_t offset)
{
	size_t i = map_slot(r, block);
	while (r->map[i].block != 0)
		i = (i + 1) & r->map_mask;
	r->map[i].block = block;
	r->map[i].offset = offset;
}

/* The value that stands for v in the copy. */
static inline rl_val moved(relocation *r, rl_val v)
{
	if (!rl_is_ptr(v))
		return v;
	uintptr_t block = v & ~(uintptr_t)(rl_block_size - 1);
	if (block == r->last_block)
		return v + r->last_offset;
	for (size_t i = map_slot(r, block);; i = (i + 1) & r->map_mask) {
		if (r->map[i].block == block) {
			r->last_block = block;
			r->last_offset = r->map[i].offset;
			return v + r->last_offset;
		}
		if (r->map[i].block == 0)
			return v;
	}
}

/* Rewrites the value slots of the objects in [p, end), copies already. */
static void fix_objects(relocation *r, char *p, const char *end)
{
	while (p < end) {
		rl_obj *o = (rl_obj *)p;
		uint64_t h = o->hdr;
		const rl_type *t = &rl_type_table[rl_hdr_type(h)];
		size_t words = rl_words_for(rl_hdr_bytes(h));
		uint64_t map = words >= 64 ? t->ptr_map : t->ptr_map & ((UINT64_C(1) << words) - 1);
		while (map != 0) {
			unsigned bit = (unsigned)__builtin_ctzll(map);
			map &= map - 1;
			o->w[bit] = moved(r, o->w[bit]);
		}
		for (size_t i = t->tail_from; i < words; i++)
			o->w[i] = moved(r, o->w[i]);
		p += 8 + (words << 3);
	}
}

static void count_block(rl_block *b, void *env)
{
	if (b->top > rl_block_data(b))
		++*(size_t *)env;
}

static void add_to_plan(rl_block *b, void *env)
{
	relocation *r = env;
	if (b->top > rl_block_data(b))
		r->plan[r->nplan++].from = b;
}

/* Places every planned block in dst: small ones packed into fresh blocks,
 * each whole; large ones in a large block each.  0, or -1 (the caller rolls
 * dst back). */
static int place_blocks(relocation *r, rl_region *dst, rl_relocate_result *out)
{
	rl_block *cur = NULL;
	for (size_t i = 0; i < r->nplan; i++) {
		rl_block *b = r->plan[i].from;
		size_t used = (size_t)(b->top - rl_block_data(b));
		rl_block *to = cur;
		if (b->flags & RL_BLOCK_LARGE)
			to = rl_region_add_block(dst, rl_block_bytes(b), true);
		else if (cur == NULL || (size_t)(cur->limit - cur->top) < used)
			to = cur = rl_region_add_block(dst, rl_block_size, false);
		if (to == NULL)
			return -1;
		if (to->top == rl_block_data(to))
			out->blocks_dst++;
		r->plan[i].to = to->top;
		to->top += used;
		dst->bytes_used += used;
		out->bytes_copied += used;
		map_put(r, (uintptr_t)b, (uintptr_t)to->top - used - (uintptr_t)rl_block_data(b));
	}
	return 0;
}

int rl_relocate(rl_region *src, rl_region *dst, rl_val *const *slots, size_t nslots, rl_relocate_result *out)
{
	memset(out, 0, sizeof *out);
	relocation r = { .block_shift = (unsigned)__builtin_ctzll(rl_block_size) };
	rl_region_for_each_block(src, count_block, &r.cap);
	size_t map_size = 16;
	while (map_size < 2 * r.cap)
		map_size *= 2;
	r.map_mask = map_size - 1;
	r.mem_bytes = r.cap * sizeof(struct plan) + map_size * sizeof(struct map_entry);
	r.mem = rl_mem_calloc(1, r.mem_bytes);
	if (r.mem == NULL)
		return -1;
	r.plan = r.mem;
	r.map = (struct map_entry *)(r.plan + r.cap);
	rl_region_for_each_block(src, add_to_plan, &r);

	rl_region_mark mark = rl_region_mark_now(dst);
	if (place_blocks(&r, dst, out) != 0) {
		rl_region_rollback(dst, &mark);
		rl_mem_free(r.mem, r.mem_bytes);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->blocks_src = r.nplan;
	for (size_t i = 0; i < r.nplan; i++) {
		rl_block *b = r.plan[i].from;
		size_t used = (size_t)(b->top - rl_block_data(b));
		memcpy(r.plan[i].to, rl_block_data(b), used);
		fix_objects(&r, r.plan[i].to, r.plan[i].to + used);
	}
	for (size_t i = 0; i < nslots; i++)
		*slots[i] = moved(&r, *slots[i]);
	rl_mem_free(r.mem, r.mem_bytes);
	return 0;
}
