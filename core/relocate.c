/* Relocation: every block of src copied whole, pointers moved by their
 * block's offset (see regionlab/relocate.h).
 *
 * Invariant: before any byte is copied, every source block that holds
 * objects has its place in dst and its entry in the map (source block ->
 * offset to its copy), so a slot pointing forward into a block not yet
 * copied is rewritten as surely as one pointing back.  A slot is rewritten
 * exactly when it holds a pointer whose block is in the map: pointers into
 * other regions and static data miss the map (no entry, or an entry that
 * names another block) and stay as they are, and the map is consulted with the pointer's value
 * only (the pointed-to memory is never read, so a pointer to static data,
 * whose masked address may not be mapped, is harmless).  src is never
 * written.
 *
 * Two maps, one meaning.  Direct: a table of (block, offset) entries
 * indexed by the block's number (its address over the block size) modulo
 * the table's size, a power of two chosen so that no two of src's blocks
 * share an entry (blocks mostly lie side by side, so twice their count
 * usually does; the system allocator's heap and its mappings far above it
 * may take a few doublings).  A value that is not a pointer leaves at
 * once (whether a slot holds one follows its place in its object, which the
 * branch predictor learns); a pointer is looked up with no branch on where
 * it points: its entry's offset is added when the entry's block equals the
 * pointer with its in-block bits cleared, so RL_NIL (key 0) matches only an
 * empty entry, whose offset is 0, and a pointer elsewhere finds no entry or
 * another block's.  A shuffled graph, whose consecutive slots point into
 * different blocks, so costs what a list does (a cached last hit
 * mispredicted on most of a shuffled tree's slots).  Hashed (open
 * addressing, the last hit cached): when no table of at most
 * DIRECT_MAX_PER_BLOCK entries per block (DIRECT_MAX_SMALL for a few blocks)
 * is free of collisions.  Each size tried is one allocation (plan and map
 * together): a call makes one in the usual case, a few when src's blocks lie
 * in two far-apart places, and fails like any other allocation when the one
 * it needs cannot be had. */
#include "regionlab/relocate.h"

#include <stdbool.h>
#include <string.h>

#include "regionlab/mem.h"

/* The outcomes the model of the branch predictor remembers (chunk_fixed). */
#define MODEL_HISTORY_BITS 6u

struct map_entry {
	uintptr_t block; /* source block address; 0 = empty */
	uintptr_t offset; /* copy - original, modulo 2^64 */
};

struct plan {
	rl_block *from; /* source block */
	char *to;       /* where its objects go */
};

typedef struct relocation {
	struct map_entry *map; /* the hashed map, or NULL */
	size_t map_mask;
	struct direct_map {
		struct map_entry *table; /* NULL, or one entry per block number modulo its size */
		size_t index_mask;       /* its size, less 1 */
		uintptr_t key_mask;      /* clears a pointer's in-block bits */
		unsigned shift;          /* log2 of the block size */
	} direct;
	unsigned block_shift;  /* log2 of the block size */
	struct plan *plan;
	size_t nplan;
	void *mem; /* one allocation: plan, then map */
	size_t mem_bytes;
	uintptr_t last_block, last_offset; /* the last hit, from one block's pass to the next */
	struct loop_choice { /* which loop fixes the next chunk (chunk_fixed) */
		struct header_model {
			uint64_t seen;          /* bit i: the outcome that last followed history i */
			unsigned history;       /* the last MODEL_HISTORY_BITS outcomes, newest in bit 0 */
			size_t objects, missed; /* since the last decision */
		} model;
		unsigned loop;           /* FIX_REPEATING or FIX_ALTERNATING, for the next chunk */
		unsigned since_modelled; /* chunks since the last one modelled */
		size_t chunks[2];        /* chunks each loop fixed */
	} choice;
} relocation;

static size_t map_slot(const relocation *r, uintptr_t block)
{
	return (size_t)(((block >> r->block_shift) * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & r->map_mask;
}

static void map_put(relocation *r, uintptr_t block, uintptr_t offset)
{
	const struct direct_map *d = &r->direct;
	if (d->table != NULL) { /* the block is there already (direct_map_fits) */
		d->table[(block >> d->shift) & d->index_mask].offset = offset;
		return;
	}
	size_t i = map_slot(r, block);
	while (r->map[i].block != 0)
		i = (i + 1) & r->map_mask;
	r->map[i].block = block;
	r->map[i].offset = offset;
}

/* The offset of the copy of source block `block`, or 0 when it is not one
 * of src's blocks (no block moves by 0: its copy is elsewhere). */
static uintptr_t offset_of(const relocation *r, uintptr_t block)
{
	if (block == 0) /* RL_NIL: 0 also marks an empty entry */
		return 0;
	for (size_t i = map_slot(r, block);; i = (i + 1) & r->map_mask) {
		if (r->map[i].block == block)
			return r->map[i].offset;
		if (r->map[i].block == 0)
			return 0;
	}
}

/* The last block hit and its offset, kept in registers by the hot loop: a
 * run of slots into one block (a list's cdrs) costs a mask and a compare. */
struct hit {
	uintptr_t block, offset;
};

/* The value that stands for v in the copy, through the hashed map.
 * RL_NIL needs no test of its own: its "block" 0 is never in the map, so it
 * stays 0. */
static inline rl_val moved_hashed(const relocation *r, struct hit *h, uintptr_t block_mask, rl_val v)
{
	if ((v & 7u) != 0)
		return v;
	uintptr_t block = v & block_mask;
	if (block != h->block) {
		uintptr_t offset = offset_of(r, block);
		if (offset == 0)
			return v;
		h->block = block;
		h->offset = offset;
	}
	return v + h->offset;
}

/* The offset v moves by through the direct map, with no branch: its
 * entry's, when the entry's block equals v & key_mask, else 0.  key_mask
 * clears v's in-block bits; keeping its tag bits as well (| 7) makes a value
 * that is not a pointer match no entry, since an entry's block has none. */
static inline uintptr_t direct_offset(const struct direct_map *d, rl_val v, uintptr_t key_mask)
{
	const struct map_entry *e = &d->table[(v >> d->shift) & d->index_mask];
	return e->offset & ((uintptr_t)0 - (uintptr_t)(e->block == (v & key_mask)));
}

/* The same through the direct map, with no branch on where v points: the
 * offset is masked, not chosen (a branch there mispredicts as a shuffled
 * graph's slots point into src or not).  A value that is not a pointer
 * leaves first: whether a slot holds one follows its place in its object,
 * which the branch predictor learns. */
static inline rl_val moved_direct(const struct direct_map *d, rl_val v)
{
	if ((v & 7u) != 0)
		return v;
	return v + direct_offset(d, v, d->key_mask);
}

/* One slot's new value through whichever map the call built; `direct` is a
 * constant in each instance of the hot loop below, and d a copy of the
 * direct map in the loop's own variables (the stores into the copy could
 * otherwise alias it and reload it on every slot). */
static inline __attribute__((always_inline)) rl_val moved(const relocation *r, const struct direct_map *d,
							  bool direct, struct hit *h, uintptr_t block_mask,
							  rl_val v)
{
	return direct ? moved_direct(d, v) : moved_hashed(r, h, block_mask, v);
}

/* v's new value where `mask` is all ones, v itself where it is 0: a small
 * object's word, moved with no branch on whether it is a value (the mask
 * says) or a pointer (tested, not branched on, for the direct map).  The
 * hashed map branches as it always does; a raw word looked up there is
 * harmless, since the map is read with the value only. */
static inline __attribute__((always_inline)) rl_val moved_masked(const relocation *r, const struct direct_map *d,
								bool direct, struct hit *h, uintptr_t block_mask,
								rl_val v, uintptr_t mask)
{
	if (!direct)
		return v + ((moved_hashed(r, h, block_mask, v) - v) & mask);
	return v + (direct_offset(d, v, d->key_mask | 7u) & mask);
}

/* Where an object with header h keeps its values: its first `leading`
 * words are all values (a cons: both), then, when `rest`, the pointer map's
 * remaining bits and the tail from word `tail`; and its footprint. */
struct layout {
	uint64_t hdr;
	size_t size, leading;
	bool rest;
	uint64_t map;
	size_t tail, words;
	/* Small: at least one word, and no value past word 1 (a cons, a boxed
	 * number, a one-value closure; and any object with no value at all,
	 * a string or a blob of any size, whose two words are written back as
	 * they were).  Such an object is fixed with no branch on its type:
	 * words 0 and `second` (1, or 0 again for a one-word object) are both
	 * read, moved and written back, each through its mask (all ones where
	 * the word is a value, 0 where it is raw bytes or word 0 seen a second
	 * time). */
	bool small;
	size_t second;
	uintptr_t mask0, mask1;
};

static struct layout layout_of(uint64_t h)
{
	const rl_type *t = &rl_type_table[rl_hdr_type(h)];
	struct layout l = { .hdr = h, .words = rl_words_for(rl_hdr_bytes(h)) };
	l.map = l.words >= 64 ? t->ptr_map : t->ptr_map & ((UINT64_C(1) << l.words) - 1);
	l.tail = t->tail_from < l.words ? t->tail_from : l.words;
	l.size = 8 + (l.words << 3);
	bool value0 = l.words > 0 && ((l.map & 1) != 0 || l.tail == 0);
	bool value1 = l.words > 1 && ((l.map & 2) != 0 || l.tail <= 1);
	bool value_past_1 = (l.map >> 2) != 0 || (l.words > 2 && l.tail < l.words);
	l.small = l.words > 0 && !value_past_1;
	l.second = l.words > 1 ? 1 : 0;
	l.mask0 = value0 ? ~(uintptr_t)0 : 0;
	l.mask1 = value1 ? ~(uintptr_t)0 : 0;
	l.leading = l.map == ~UINT64_C(0) ? 64 : (size_t)__builtin_ctzll(~l.map);
	if (l.leading >= l.tail) { /* the map runs into the tail: all values from 0 */
		l.leading = l.words;
		l.tail = l.words;
	}
	l.map &= l.leading >= 64 ? 0 : ~((UINT64_C(1) << l.leading) - 1);
	l.rest = l.map != 0 || l.tail < l.words;
	return l;
}

/* Consecutive objects mostly share a header or alternate between two (a
 * tree's nodes and leaves): the layouts of the last two headers seen are
 * kept, and one is computed only when a header is neither.  The repeating
 * loop tests "same header as the last object" with a branch, the
 * alternating one picks one of the two by a compare (fix_chunk). */
struct layouts {
	struct layout last[2];
	unsigned older;
};

static const struct layout *layout_for(struct layouts *m, uint64_t h)
{
	for (unsigned i = 0; i < 2; i++)
		if (m->last[i].hdr == h) {
			m->older = 1 - i;
			return &m->last[i];
		}
	unsigned i = m->older;
	m->last[i] = layout_of(h);
	m->older = 1 - i;
	return &m->last[i];
}

/* The leading values of o. */
static inline __attribute__((always_inline)) void fix_leading(const relocation *r, const struct direct_map *d,
								bool direct, struct hit *hit, uintptr_t block_mask,
								rl_obj *o, const struct layout *l)
{
	for (size_t i = 0; i < l->leading; i++)
		o->w[i] = moved(r, d, direct, hit, block_mask, o->w[i]);
}

/* The slots of o past its leading values. */
static inline __attribute__((always_inline)) void fix_rest(const relocation *r, const struct direct_map *d,
							     bool direct, struct hit *hit, uintptr_t block_mask,
							     rl_obj *o, const struct layout *l)
{
	for (uint64_t map = l->map; map != 0; map &= map - 1) {
		unsigned bit = (unsigned)__builtin_ctzll(map);
		o->w[bit] = moved(r, d, direct, hit, block_mask, o->w[bit]);
	}
	for (size_t i = l->tail; i < l->words; i++)
		o->w[i] = moved(r, d, direct, hit, block_mask, o->w[i]);
}

/* Bytes copied ahead of the fixing: small enough that the fix reads the
 * copy from L1, large enough that memcpy runs at full width. */
#define COPY_CHUNK 4096u

/* Which of copy_and_fix's two loops fixes a chunk.  The repeating loop pays
 * a mispredicted branch each time the predictor fails to foresee whether
 * the header changes; the alternating loop pays the header's load latency
 * on every object.  So the choice follows how predictable the changes are,
 * which a model of a history-based predictor measures: a table of the
 * outcome ("changed" or not) that last followed each history of the last
 * MODEL_HISTORY_BITS outcomes, and a count of the objects whose outcome
 * differed from the table's.  The first chunk of a call and every
 * MODEL_EVERY-th after it are modelled, in the loop chosen for them; the
 * chunks up to the next modelled one take the alternating loop when the
 * model missed on more than 3 of 8 objects: it misses on 17-26% of an
 * allocation-order tree's objects, whose changes the hardware predicts, and
 * on 41-60% of a shuffled tree's.  Measured on an AMD EPYC guest against
 * the repeating loop alone (80866fa; interleaved medians, ns an object):
 * shuffled tree 8.3-8.5 -> 6.1-6.5 at 10^3, 7.6-7.9 -> 4.5-4.6 at 10^4;
 * allocation-order tree and list within the machine's noise.  Callgrind at
 * 10^5, instructions an object: list 40.6 -> 42.7 (the model runs on one
 * chunk in MODEL_EVERY), allocation-order tree 46.8 -> 48.1, shuffled tree
 * 44.5 -> 66.4 with its mispredicted branches (valgrind's model) 0.52 ->
 * 0.02 an object. */
enum { FIX_REPEATING, FIX_ALTERNATING };
#define MODEL_EVERY 16u
#define MODEL_HISTORY_MASK ((1u << MODEL_HISTORY_BITS) - 1)

/* One object's outcome into the model, whose state the caller keeps in
 * registers over a chunk. */
static inline __attribute__((always_inline)) void model_outcome(uint64_t *seen, unsigned *history, size_t *missed,
								  bool changed)
{
	uint64_t miss = ((*seen >> *history) & 1u) ^ changed;
	*missed += miss;
	*seen ^= miss << *history; /* the bit becomes the outcome */
	*history = ((*history << 1) | changed) & MODEL_HISTORY_MASK;
}

/* After a chunk: counts it, and when it was modelled, picks the loop until
 * the next modelled one. */
static void chunk_fixed(struct loop_choice *c, bool modelled)
{
	c->chunks[c->loop]++;
	if (!modelled) {
		c->since_modelled++;
		return;
	}
	c->since_modelled = 0;
	if (c->model.objects > 0)
		c->loop = c->model.missed * 8 > c->model.objects * 3 ? FIX_ALTERNATING : FIX_REPEATING;
	c->model.objects = c->model.missed = 0;
}

/* Fixes the objects that end within the first `copied` bytes at `to`, from
 * offset off; the offset of the first it left.  `alternating` and `model`
 * are constants in each instance. */
static inline __attribute__((always_inline)) size_t fix_chunk(const relocation *r, const struct direct_map *d,
								bool direct, struct hit *hit, uintptr_t block_mask,
								struct layouts *memo, const struct layout **lp,
								struct header_model *m, bool alternating, bool model,
								char *to, size_t off, size_t copied)
{
	const struct layout *l = *lp;
	uint64_t seen = m->seen;
	unsigned history = m->history;
	size_t objects = 0, missed = 0;
	while (off < copied) {
		rl_obj *o = (rl_obj *)(to + off);
		uint64_t h = o->hdr;
		bool changed = h != l->hdr; /* l is still the object before's */
		size_t end;
		if (alternating) { /* no branch on h: the layout is picked by a compare */
			end = off + rl_obj_footprint(rl_hdr_bytes(h));
			if (end > copied)
				break; /* it ends in the next chunk */
			l = &memo->last[h == memo->last[1].hdr];
			if (__builtin_expect(l->hdr != h, 0))
				l = layout_for(memo, h);
		} else {
			if (changed)
				l = layout_for(memo, h);
			end = off + l->size;
			if (end > copied)
				break;
		}
		if (model) {
			model_outcome(&seen, &history, &missed, changed);
			objects++;
		}
		if (alternating && l->small) { /* no branch on which small type it is */
			rl_val *second = &o->w[l->second];
			rl_val v0 = o->w[0], v1 = *second;
			rl_val moved0 = moved_masked(r, d, direct, hit, block_mask, v0, l->mask0);
			rl_val moved1 = moved_masked(r, d, direct, hit, block_mask, v1, l->mask1);
			*second = moved1; /* then word 0: `second` may be word 0, with mask1 0 */
			o->w[0] = moved0;
		} else {
			if (l->leading == 2) { /* a pair (cons, tree node): the common shape, unrolled */
				o->w[0] = moved(r, d, direct, hit, block_mask, o->w[0]);
				o->w[1] = moved(r, d, direct, hit, block_mask, o->w[1]);
			} else {
				fix_leading(r, d, direct, hit, block_mask, o, l);
			}
			if (l->rest)
				fix_rest(r, d, direct, hit, block_mask, o, l);
		}
		off = end;
	}
	if (model) {
		m->seen = seen;
		m->history = history;
		m->missed += missed;
		m->objects += objects;
	}
	*lp = l;
	return off;
}

/* Copies the `used` bytes of objects at `from` to `to` and rewrites their
 * value slots: a chunk is copied, then every object that ends within what
 * is copied is fixed, so each byte is read from memory once and the fix
 * reads the copy from L1.
 *
 * Two loops fix a chunk's objects (fix_chunk).  The repeating one branches
 * on "same header as the object before", and a predicted branch lets the
 * core find the next object from the layout it already holds, running
 * ahead of the header's load.  Where headers change unpredictably (a
 * shuffled tree's nodes and leaves) that branch mispredicts on every other
 * object; the alternating loop picks the layout with no branch and fixes a
 * small object (a cons, a boxed number) through masks, at the price of
 * waiting for each header.  A model of the branch predictor, run on every
 * MODEL_EVERY-th chunk, picks the loop (chunk_fixed). */
static inline __attribute__((always_inline)) void copy_and_fix(relocation *r, bool direct, char *to,
								 const char *from, size_t used)
{
	const uintptr_t block_mask = ~(uintptr_t)(rl_block_size - 1);
	struct hit hit = { r->last_block, r->last_offset };
	const struct direct_map d = r->direct;
	struct layouts memo = { .older = 0 }; /* no header is 0: both entries empty */
	const struct layout *l = layout_for(&memo, ((const rl_obj *)from)->hdr);
	size_t copied = 0, off = 0;
	while (off < used) {
		size_t n = used - copied < COPY_CHUNK ? used - copied : COPY_CHUNK;
		memcpy(to + copied, from + copied, n);
		copied += n;
		struct loop_choice *c = &r->choice;
		bool modelled = c->since_modelled + 1 >= MODEL_EVERY || c->chunks[0] + c->chunks[1] == 0;
#define FIX(is_alternating, is_modelled)                                                          \
	fix_chunk(r, &d, direct, &hit, block_mask, &memo, &l, &c->model, is_alternating, is_modelled, to, \
		  off, copied)
		if (c->loop == FIX_ALTERNATING)
			off = modelled ? FIX(true, true) : FIX(true, false);
		else
			off = modelled ? FIX(false, true) : FIX(false, false);
#undef FIX
		chunk_fixed(c, modelled);
	}
	r->last_block = hit.block;
	r->last_offset = hit.offset;
}

/* The hot loop, once per map. */
static void copy_and_fix_direct(relocation *r, char *to, const char *from, size_t used)
{
	copy_and_fix(r, true, to, from, used);
}

static void copy_and_fix_hashed(relocation *r, char *to, const char *from, size_t used)
{
	copy_and_fix(r, false, to, from, used);
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

/* Enters every planned block into a direct map of `size` entries (zeroed).
 * False when two share an entry. */
static bool direct_map_fits(relocation *r)
{
	struct direct_map *d = &r->direct;
	for (size_t i = 0; i < r->nplan; i++) {
		uintptr_t block = (uintptr_t)r->plan[i].from;
		struct map_entry *e = &d->table[(block >> d->shift) & d->index_mask];
		if (e->block != 0)
			return false;
		e->block = block;
	}
	return true;
}

/* The biggest direct map tried, in entries per source block (and for a
 * handful of blocks, in all); past it the hashed map. */
#define DIRECT_MAX_PER_BLOCK 32u
#define DIRECT_MAX_SMALL 1024u

/* The first size either map tries: a power of two, at least 16 and twice
 * the blocks. */
static size_t twice_rounded_up(size_t blocks)
{
	size_t size = 16;
	while (size < 2 * blocks)
		size *= 2;
	return size;
}

/* Builds the plan (src's blocks that hold objects, in the order
 * rl_region_for_each_block visits them) and the map: the direct map of the
 * smallest size that fits, else the hashed one.  0, or -1 when the memory
 * cannot be had. */
static int plan_and_map(rl_region *src, relocation *r)
{
	size_t blocks = 0;
	rl_region_for_each_block(src, count_block, &blocks);
	size_t size = twice_rounded_up(blocks);
	size_t most = DIRECT_MAX_PER_BLOCK * blocks > DIRECT_MAX_SMALL ? DIRECT_MAX_PER_BLOCK * blocks : DIRECT_MAX_SMALL;
	for (bool direct = true;; size *= 2) {
		if (size > most) { /* no direct map fits: the hashed one, twice the blocks */
			direct = false;
			size = twice_rounded_up(blocks);
		}
		*r = (relocation){ .block_shift = r->block_shift };
		r->mem_bytes = blocks * sizeof(struct plan) + size * sizeof(struct map_entry);
		r->mem = rl_mem_calloc(1, r->mem_bytes);
		if (r->mem == NULL)
			return -1;
		r->plan = r->mem;
		rl_region_for_each_block(src, add_to_plan, r);
		struct map_entry *table = (struct map_entry *)(r->plan + blocks);
		if (!direct) {
			r->map = table;
			r->map_mask = size - 1;
			return 0;
		}
		r->direct = (struct direct_map){
			.table = table,
			.index_mask = size - 1,
			.key_mask = ~(uintptr_t)(rl_block_size - 1),
			.shift = r->block_shift,
		};
		if (direct_map_fits(r))
			return 0;
		rl_mem_free(r->mem, r->mem_bytes);
	}
}

int rl_relocate(rl_region *src, rl_region *dst, rl_val *const *slots, size_t nslots, rl_relocate_result *out)
{
	memset(out, 0, sizeof *out);
	relocation r = { .block_shift = (unsigned)__builtin_ctzll(rl_block_size) };
	if (plan_and_map(src, &r) != 0)
		return -1;
	bool direct = r.direct.table != NULL;
	out->hashed_map = !direct;

	rl_region_mark mark = rl_region_mark_now(dst);
	if (place_blocks(&r, dst, out) != 0) {
		rl_region_rollback(dst, &mark);
		rl_mem_free(r.mem, r.mem_bytes);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->blocks_src = r.nplan;
	r.choice = (struct loop_choice){ .loop = FIX_REPEATING };
	for (size_t i = 0; i < r.nplan; i++) {
		rl_block *b = r.plan[i].from;
		size_t used = (size_t)(b->top - rl_block_data(b));
		(direct ? copy_and_fix_direct : copy_and_fix_hashed)(&r, r.plan[i].to, rl_block_data(b), used);
	}
	struct hit hit = { 0, 0 };
	for (size_t i = 0; i < nslots; i++)
		*slots[i] = direct ? moved_direct(&r.direct, *slots[i])
				   : moved_hashed(&r, &hit, ~(uintptr_t)(rl_block_size - 1), *slots[i]);
	out->chunks_fixed[FIX_REPEATING] = r.choice.chunks[FIX_REPEATING];
	out->chunks_fixed[FIX_ALTERNATING] = r.choice.chunks[FIX_ALTERNATING];
	rl_mem_free(r.mem, r.mem_bytes);
	return 0;
}
