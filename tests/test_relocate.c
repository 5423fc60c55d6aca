/* Unit tests of relocate (strategies/transmigrate/relocate.c) and the block
 * copy it composes (core/relocate.c): what the contract suite does not
 * check.  src byte-identical after the call; the copy in allocation order
 * and no larger than src; garbage copied with the rest; held sub-regions
 * copied and left as they were; large objects on blocks of their own size;
 * pointers to other regions and static data left alone; a forward pointer
 * into a later block moved like a backward one; both block maps (direct and
 * hashed) chosen where they should be and moving the same pointers; both
 * loops that fix a chunk (repeating, alternating) run on every shape of
 * object, through either map.
 * Properties only. */
#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/adopt.h"
#include "regionlab/mem.h"
#include "regionlab/region.h"
#include "regionlab/relocate.h"
#include "regionlab/transmigrator.h"
#include "tests/check.h"
#include "tests/objects.h"

#define WHY_LEN 512

static size_t list_sum(rl_val v)
{
	size_t sum = 0;
	for (; rl_is_ptr(v); v = rl_ptr(v)->w[1])
		sum += (size_t)rl_fixnum_value(rl_ptr(v)->w[0]);
	return sum;
}

static const struct rl_transmigrator *relocate(void)
{
	const struct rl_transmigrator *tm = rl_find_transmigrator("relocate");
	CHECK(tm != NULL, "relocate is not registered");
	return tm;
}

/* Runs relocate and judges it: src byte-identical, then the oracle, which
 * destroys src (and clears *srcp) to check that nothing points into it. */
static rl_val judged_call(rl_region **srcp, rl_region *dst, rl_val root, rl_tm_ctx *ctx)
{
	rl_region *src = *srcp;
	rl_oracle_before b;
	CHECK(rl_oracle_before_call(&b, root, src, dst) == 0, "oracle: out of memory");
	uint64_t hash = rl_oracle_region_hash(src);
	rl_val out = RL_NIL;
	CHECK(relocate()->transmigrate(ctx, src, dst, root, &out) == RL_TM_OK, "relocate failed");
	CHECK(rl_oracle_region_hash(src) == hash, "src was written");
	char why[WHY_LEN];
	CHECK(rl_oracle_after_success(&b, root, out, srcp, dst, true, why, sizeof why) == 0, "%s", why);
	rl_oracle_before_free(&b);
	return out;
}

/* A list spread over many blocks, garbage between its cells: all of it is
 * copied, in allocation order (addresses rise along the list, as in src),
 * into no more blocks than src had. */
static void test_copies_everything_in_order(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src && dst, "out of memory");
	rl_val head = RL_NIL;
	rl_obj *last = NULL;
	for (size_t i = 0; i < 20000; i++) {
		rl_obj *dead = rl_obj_new(src, RL_T_STRING, 1 + (uint32_t)(i % 40));
		CHECK(dead != NULL, "out of memory");
		memset(dead->w, 'x', i % 40);
		((char *)dead->w)[i % 40] = 0;
		rl_obj *c = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
		CHECK(c != NULL, "out of memory");
		c->w[0] = rl_fixnum((intptr_t)i);
		c->w[1] = RL_NIL;
		if (last != NULL)
			last->w[1] = rl_val_of(c);
		else
			head = rl_val_of(c);
		last = c;
	}
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	size_t src_bytes = src->bytes_used, src_blocks = src->small.count;
	rl_val out = judged_call(&src, dst, head, &ctx);
	CHECK(ctx.report.bytes_copied == src_bytes, "copied %llu bytes of src's %zu",
	      (unsigned long long)ctx.report.bytes_copied, src_bytes);
	CHECK(ctx.report.copied_all_of_src, "the report does not say the copy includes src's garbage");
	CHECK(dst->bytes_used == src_bytes && dst->small.count <= src_blocks,
	      "dst: %zu bytes in %zu blocks; src: %zu in %zu", dst->bytes_used, dst->small.count, src_bytes,
	      src_blocks);
	uintptr_t prev = 0;
	size_t rises = 0, cells = 0;
	for (rl_val v = out; rl_is_ptr(v); v = rl_ptr(v)->w[1], cells++) {
		rl_block *bk = rl_block_of(rl_ptr(v));
		CHECK(bk->region == dst, "cell %zu is not in dst", cells);
		rises += v > prev;
		prev = v;
	}
	/* Blocks come from a pool in any address order: within a block the
	 * cells rise; a drop can only happen at a block boundary. */
	CHECK(cells == 20000 && cells - rises < dst->small.count, "%zu of %zu cells out of order, %zu blocks",
	      cells - rises, cells, dst->small.count);
	CHECK(list_sum(out) == 20000u * 19999u / 2, "the copy reads differently");
	rl_region_destroy(src);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* A cell early in src points forward into the last block and the last
 * cell points back into the first: both move by their block's offset. */
static void test_forward_and_backward_pointers(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src && dst, "out of memory");
	rl_obj *first = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
	CHECK(first != NULL, "out of memory");
	rl_val rest = list_head_first(src, 10000, 0);
	rl_obj *last = rl_ptr(rest);
	while (last->w[1] != RL_NIL)
		last = rl_ptr(last->w[1]);
	first->w[0] = rl_val_of(last); /* forward, into the last block */
	first->w[1] = rest;
	last->w[1] = rl_val_of(first); /* backward: a cycle */
	CHECK(src->small.count > 2, "the list fits %zu blocks", src->small.count);
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out = judged_call(&src, dst, rl_val_of(first), &ctx);
	rl_obj *c = rl_ptr(out), *l = rl_ptr(c->w[0]);
	CHECK(rl_region_of(l) == dst && l->w[1] == out, "the cycle is not closed in the copy");
	rl_region_destroy(src);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* Pointers into another region and to static data stay as they are. */
static void test_other_regions_and_static_untouched(void)
{
	static rl_obj statics[2] = { { .hdr = 0 }, { .hdr = 0 } };
	rl_obj_init(&statics[0], RL_T_BOX_INT, RL_OBJ_STATIC, 8);
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst"), *other = rl_region_create("o");
	CHECK(src && dst && other, "out of memory");
	rl_val elsewhere = list_head_first(other, 3, 0);
	rl_obj *pair = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
	CHECK(pair != NULL, "out of memory");
	pair->w[0] = elsewhere;
	pair->w[1] = rl_val_of(&statics[0]);
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out = judged_call(&src, dst, rl_val_of(pair), &ctx);
	CHECK(rl_ptr(out)->w[0] == elsewhere && rl_ptr(out)->w[1] == rl_val_of(&statics[0]),
	      "a pointer out of src was rewritten");
	rl_region_destroy(src);
	rl_region_destroy(dst);
	rl_region_destroy(other);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* Large objects get a large block of their own size each; a small block
 * size (4 KiB) makes many of them, interleaved with small objects. */
static void test_large_objects(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src && dst, "out of memory");
	rl_val head = RL_NIL;
	for (uint32_t i = 0; i < 50; i++) {
		uint32_t words = (uint32_t)(rl_small_object_max() / 8) + 1 + i * 700;
		rl_obj *v = rl_obj_new(src, RL_T_VECTOR, words * 8);
		CHECK(v != NULL, "out of memory");
		for (uint32_t k = 0; k < words; k++)
			v->w[k] = k == words - 1 ? head : rl_fixnum(k);
		rl_obj *c = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
		CHECK(c != NULL, "out of memory");
		c->w[0] = rl_val_of(v);
		c->w[1] = head;
		head = rl_val_of(c);
	}
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	size_t src_large = src->large.count, src_footprint = rl_region_footprint(src);
	judged_call(&src, dst, head, &ctx);
	CHECK(dst->large.count == src_large && rl_region_footprint(dst) == src_footprint,
	      "dst: %zu large blocks, %zu bytes; src: %zu, %zu", dst->large.count, rl_region_footprint(dst),
	      src_large, src_footprint);
	rl_region_destroy(src);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* A held sub-region's objects are copied like src's own, and the holder
 * finds the sub-region as it was after src dies. */
static void test_held_subregion(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src && dst, "out of memory");
	rl_region *loose = rl_subregion_create(src, "loose"), *held = rl_subregion_create(src, "held");
	CHECK(loose && held, "out of memory");
	rl_region_retain(held);
	rl_val hv = list_head_first(held, 3000, 0), lv = list_head_first(loose, 3000, 0);
	rl_obj *pair = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
	CHECK(pair != NULL, "out of memory");
	pair->w[0] = lv;
	pair->w[1] = hv;
	uint64_t held_hash = rl_oracle_region_hash(held);
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out = judged_call(&src, dst, rl_val_of(pair), &ctx); /* destroys src */
	CHECK(rl_region_of(rl_ptr(rl_ptr(out)->w[1])) == dst, "the held list was not copied");
	CHECK(rl_oracle_region_hash(held) == held_hash && list_sum(hv) == 3000u * 2999u / 2,
	      "the held sub-region changed");
	rl_region_release(held);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* Every failing allocation leaves dst as it was and the roots untouched. */
static void test_failures_roll_back(void)
{
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst");
	CHECK(src && dst, "out of memory");
	rl_val root = list_head_first(src, 20000, 0), r = root, *slot = &r;
	size_t failures = 0;
	for (uint64_t k = 1;; k++) {
		rl_relocate_result res;
		size_t dst_blocks = rl_blocks_live();
		rl_fault_fail_at(k);
		int rc = rl_relocate(src, dst, &slot, 1, &res);
		rl_fault_fail_at(0);
		if (rc == 0)
			break;
		failures++;
		CHECK(r == root && dst->small.count == 0 && dst->bytes_used == 0 && rl_blocks_live() == dst_blocks,
		      "failure at allocation %llu left something behind", (unsigned long long)k);
	}
	CHECK(failures > 2 && r != root && list_sum(r) == 20000u * 19999u / 2, "%zu failures, then a bad copy",
	      failures);
	rl_region_destroy(src);
	rl_region_destroy(dst);
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* A page source that places blocks where a test wants them: `areas` areas
 * `distance` blocks apart, taken in turn, each handing out blocks `stride`
 * blocks apart, inside one reservation of address space made for the test
 * (PROT_NONE, no swap; a block's pages are made writable when it is handed
 * out), so no address is guessed.  The reservation is laid out from a base
 * that is a multiple of 2^20 blocks: the tests below rely on where block
 * numbers fall modulo a power of two. */
static struct placement {
	size_t areas, distance, stride;
	size_t next[2];  /* blocks handed out per area */
	unsigned turn;
	char *reserved;  /* the reservation, and its size */
	size_t reserved_bytes;
	uintptr_t base;  /* its first address aligned to 2^20 blocks */
} placed;

#define PLACED_ALIGN_BLOCKS ((size_t)1 << 20)

/* Reserves room for `blocks_per_area` blocks in every area.  False when the
 * address space cannot be had. */
static bool placed_reserve(struct placement p, size_t blocks_per_area)
{
	placed = p;
	size_t align = PLACED_ALIGN_BLOCKS * rl_block_size;
	size_t span = ((p.areas - 1) * p.distance + blocks_per_area * p.stride) * rl_block_size;
	placed.reserved_bytes = span + align;
	void *r = mmap(NULL, placed.reserved_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return false;
	placed.reserved = r;
	placed.base = ((uintptr_t)r + align - 1) & ~(uintptr_t)(align - 1);
	return true;
}

static void placed_release(void) { munmap(placed.reserved, placed.reserved_bytes); }

static void *placed_alloc(size_t bytes, size_t align)
{
	(void)align; /* every address below is a multiple of the block size */
	unsigned area = placed.turn++ % placed.areas;
	uintptr_t at = placed.base + (area * placed.distance + placed.next[area]) * rl_block_size;
	size_t blocks = (bytes + rl_block_size - 1) / rl_block_size;
	placed.next[area] += blocks > placed.stride ? blocks : placed.stride;
	if (at + bytes > (uintptr_t)placed.reserved + placed.reserved_bytes ||
	    mprotect((void *)at, bytes, PROT_READ | PROT_WRITE) != 0)
		return NULL; /* the region says out of memory; the test's check then fails */
	return (void *)at;
}

static void placed_free(void *p, size_t bytes)
{
	/* Back to PROT_NONE, its pages dropped (a reused address reads zero). */
	mmap(p, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

static const rl_page_source placed_pages = { .name = "placed", .alloc = placed_alloc, .free = placed_free };

/* Blocks come from a reservation laid out as p says, room for
 * `blocks_per_area` allocations in each area, until placed_end; returns the
 * page source to give back. */
static const rl_page_source *placed_begin(struct placement p, size_t blocks_per_area)
{
	const rl_page_source *before = rl_page_source_current();
	CHECK(placed_reserve(p, blocks_per_area), "cannot reserve address space for the placed blocks");
	rl_set_page_source(&placed_pages);
	return before;
}

/* Destroys the three regions of a placed test, gives the page source back,
 * drops the reservation, and checks no block outlived them. */
static void placed_end(rl_region *src, rl_region *dst, rl_region *other, const rl_page_source *before,
		       size_t blocks)
{
	rl_region_destroy(src);
	rl_region_destroy(dst);
	rl_region_destroy(other);
	rl_set_page_source(before);
	placed_release();
	CHECK(rl_blocks_live() == blocks, "leak");
}

/* Relocates a 2,000-cell list (and a pair pointing at it, at a static
 * object and into another region) made on blocks placed as `p` says;
 * checks which map the call used, the copy, src untouched and the judge. */
static void relocate_placed(struct placement p, bool hashed)
{
	static rl_obj statics[2]; /* a header and its 8-byte payload */
	rl_obj_init(&statics[0], RL_T_BOX_INT, RL_OBJ_STATIC, 8);
	const rl_page_source *before = placed_begin(p, 64);
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst"), *other = rl_region_create("o");
	CHECK(src && dst && other, "out of memory");
	rl_val list = list_head_first(src, 2000, 0), elsewhere = list_head_first(other, 3, 0);
	rl_val copy = list, *slot = &copy;
	rl_relocate_result res;
	CHECK(rl_relocate(src, dst, &slot, 1, &res) == 0, "relocate failed");
	CHECK(res.hashed_map == hashed, "blocks %zu, placed %zu apart in %zu areas: the %s map was used",
	      res.blocks_src, p.stride, p.areas, res.hashed_map ? "hashed" : "direct");
	CHECK(res.blocks_src > 4 && copy != list && rl_region_contains(dst, copy) &&
		      list_sum(copy) == 2000u * 1999u / 2 && list_sum(list) == 2000u * 1999u / 2,
	      "a bad copy over %zu blocks", res.blocks_src);
	for (rl_val v = copy; rl_is_ptr(v); v = rl_ptr(v)->w[1])
		CHECK(rl_region_contains(dst, v), "a cell of the copy is outside dst");
	rl_obj *pair = rl_obj_new(src, RL_T_VECTOR, 3 * sizeof(rl_val));
	CHECK(pair != NULL, "out of memory");
	pair->w[0] = list;
	pair->w[1] = rl_val_of(&statics[0]);
	pair->w[2] = elsewhere;
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	rl_val out = judged_call(&src, dst, rl_val_of(pair), &ctx);
	CHECK(rl_ptr(out)->w[1] == rl_val_of(&statics[0]) && rl_ptr(out)->w[2] == elsewhere,
	      "a pointer out of src was moved");
	placed_end(src, dst, other, before, blocks);
}

/* Objects whose header changes at almost every object, as in a shuffled
 * tree (the layout memo of core/relocate.c hits one of its two entries or
 * misses on each), in three thirds: conses and boxed ints alone (two
 * headers, as in a tree); then every shape, half of them conses, at random;
 * then every shape at random: vectors of zero to three values, strings of
 * 1 to 40 bytes (up to five raw words), closures of one or two captured
 * values (word 0 raw, then the values).  The first two thirds send
 * core/relocate.c's chunks to its alternating loop, the last to its
 * repeating one, so each loop meets every shape.  Values point anywhere in
 * src (back and forward), to another region, to a static object, or hold a
 * fixnum or nil; the words that are not values (a boxed int, a long
 * string's words 0 and 2, a closure's code word) hold src addresses, which
 * must stay as they are.  A vector of them all is the root; the oracle
 * judges the copy (src byte-identical, every value of the copy where the
 * original's points, raw words equal).  `objects` of them, on blocks placed
 * as p says, which the call's map (hashed or not) must follow. */
static void mixed_shapes(size_t objects, struct placement p, size_t blocks_per_area, bool hashed)
{
	enum { SHAPES = 8 };
	const size_t OBJECTS = objects;
	static rl_obj statics[2] = { { .hdr = 0 }, { .hdr = 0 } };
	rl_obj_init(&statics[0], RL_T_BOX_INT, RL_OBJ_STATIC, 8);
	const rl_page_source *before = placed_begin(p, blocks_per_area);
	size_t blocks = rl_blocks_live();
	rl_region *src = region("src"), *dst = region("dst"), *other = region("o");
	rl_val elsewhere = list_head_first(other, 3, 0);
	rl_obj **all = malloc(OBJECTS * sizeof *all);
	unsigned char *values = calloc(OBJECTS, 1); /* how many values each object holds */
	unsigned char *first_value = calloc(OBJECTS, 1); /* the word of its first value */
	CHECK(all != NULL && values != NULL && first_value != NULL, "out of memory");
	uint64_t seed = 42;
	size_t with_values = 0;
	for (size_t i = 0; i < OBJECTS; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		uint64_t pick = seed >> 33, shape;
		if (i < OBJECTS / 3)
			shape = pick % 2;
		else if (i < 2 * (OBJECTS / 3))
			shape = pick & 1 ? 0 : (pick >> 1) % SHAPES;
		else
			shape = pick % SHAPES;
		/* A src address in a word that is no value: the copy must keep it. */
		uint64_t raw = i > 0 ? (uint64_t)(uintptr_t)all[(seed >> 40) % i] : 8;
		switch (shape) {
		case 0: all[i] = obj(src, RL_T_CONS, 2 * sizeof(rl_val)); values[i] = 2; break;
		case 1: all[i] = obj(src, RL_T_BOX_INT, 8); all[i]->w[0] = raw; break;
		case 5: all[i] = obj(src, RL_T_VECTOR, 0); break;
		case 2: all[i] = obj(src, RL_T_VECTOR, 1 * sizeof(rl_val)); values[i] = 1; break;
		case 3: all[i] = obj(src, RL_T_VECTOR, 2 * sizeof(rl_val)); values[i] = 2; break;
		case 4: all[i] = obj(src, RL_T_VECTOR, 3 * sizeof(rl_val)); values[i] = 3; break;
		case 6: {
			size_t captured = 1 + (pick >> 8) % 2; /* one: a small object; two: a value in word 2 */
			all[i] = obj(src, RL_T_CLOSURE, (1 + captured) * sizeof(rl_val));
			all[i]->w[0] = raw;
			values[i] = (unsigned char)captured;
			first_value[i] = 1;
			break;
		}
		default: {
			uint32_t len = (uint32_t)((seed >> 40) % 40);
			all[i] = obj(src, RL_T_STRING, len + 1);
			memset(all[i]->w, 'a', len);
			((char *)all[i]->w)[len] = 0;
			for (uint32_t word = 0; word < 3; word += 2) /* raw src addresses in words 0 and 2 */
				if (len >= 8 * (word + 1))
					memcpy(&all[i]->w[word], &raw, sizeof raw);
		}
		}
	}
	for (size_t i = 0; i < OBJECTS; i++) {
		with_values += values[i] != 0;
		for (size_t k = first_value[i]; k < first_value[i] + values[i]; k++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			uint64_t pick = seed >> 33;
			switch (pick % 8) {
			case 0: all[i]->w[k] = RL_NIL; break;
			case 1: all[i]->w[k] = rl_fixnum((intptr_t)pick); break;
			case 2: all[i]->w[k] = elsewhere; break;
			case 3: all[i]->w[k] = rl_val_of(&statics[0]); break;
			default: all[i]->w[k] = rl_val_of(all[(pick >> 3) % OBJECTS]); break;
			}
		}
	}
	CHECK(with_values > OBJECTS / 3 && src->small.count > 4, "%zu objects with values, %zu blocks", with_values,
	      src->small.count);
	rl_obj *root = obj(src, RL_T_VECTOR, OBJECTS * sizeof(rl_val));
	for (size_t i = 0; i < OBJECTS; i++)
		root->w[i] = rl_val_of(all[i]);
	free(all);
	free(values);
	free(first_value);
	/* Both loops of core/relocate.c fix more than an eighth of the chunks
	 * here (the first two thirds mostly the alternating one, the last the
	 * repeating one, from the first chunk the model sees of it); the
	 * choice is deterministic, so the oracle then judges a copy made the
	 * same way. */
	rl_region *scratch = region("scratch");
	rl_val copy = rl_val_of(root), *slot = &copy;
	rl_relocate_result res;
	CHECK(rl_relocate(src, scratch, &slot, 1, &res) == 0, "relocate failed");
	size_t chunks = res.chunks_fixed[0] + res.chunks_fixed[1];
	CHECK(res.hashed_map == hashed && res.chunks_fixed[0] * 8 > chunks && res.chunks_fixed[1] * 8 > chunks,
	      "%s map; chunks fixed by the repeating loop %zu, by the alternating one %zu",
	      res.hashed_map ? "hashed" : "direct", res.chunks_fixed[0], res.chunks_fixed[1]);
	rl_region_destroy(scratch);
	rl_kv_list none = { 0 };
	rl_tm_ctx ctx = { .opts = &none };
	(void)judged_call(&src, dst, rl_val_of(root), &ctx);
	CHECK((strstr(ctx.report.decision, "hashed") != NULL) == hashed, "%s", ctx.report.decision);
	placed_end(src, dst, other, before, blocks);
}

/* Blocks side by side, so that the call takes the direct map whatever
 * addresses the build's allocator hands out (ASan's spread them). */
static void test_mixed_shapes(void)
{
	mixed_shapes(30000, (struct placement){ .areas = 1, .stride = 1 }, 64, false);
}

/* Blocks 2^13 blocks apart share an entry in every direct map the call may
 * build for src's blocks (at most 32 entries a block, so for up to 256
 * blocks): the same through the hashed map, on 4 KiB blocks, with room for
 * src's, the scratch copy's and dst's blocks (16 GiB of address space). */
static void test_mixed_shapes_hashed(void)
{
	mixed_shapes(20000, (struct placement){ .areas = 1, .stride = (size_t)1 << 13 }, 512, true);
}

/* Blocks side by side: the direct map, at its first size. */
static void test_direct_map_for_neighbours(void)
{
	relocate_placed((struct placement){ .areas = 1, .stride = 1 }, false);
}

/* Two areas 514 blocks apart: the areas' blocks share entries of every
 * table smaller than 1,024 entries, so the size doubles until they do not,
 * and the map is still direct. */
static void test_direct_map_for_two_areas(void)
{
	relocate_placed((struct placement){ .areas = 2, .distance = 514, .stride = 1 }, false);
}

/* Blocks 2^20 blocks apart share an entry in every direct map the call may
 * build: the hashed map, moving the same pointers. */
static void test_hashed_map_for_scattered_blocks(void)
{
	relocate_placed((struct placement){ .areas = 1, .stride = (size_t)1 << 20 }, true);
}

/* A pointer into a block of another region that shares src's block's
 * entry of the direct map (its block number is src's plus 2^16, a multiple
 * of every table size the call tries) stays as it is: the entry's block is
 * compared, not only its place. */
static void test_direct_map_compares_the_block(void)
{
	const rl_page_source *before =
		placed_begin((struct placement){ .areas = 2, .distance = (size_t)1 << 16, .stride = 1 }, 64);
	size_t blocks = rl_blocks_live();
	rl_region *src = rl_region_create("src"), *dst = rl_region_create("dst"), *other = rl_region_create("o");
	CHECK(src && dst && other, "out of memory");
	rl_val list = list_head_first(src, 20, 0), elsewhere = list_head_first(other, 3, 0);
	CHECK(((uintptr_t)rl_ptr(elsewhere) - (uintptr_t)rl_ptr(list)) / rl_block_size == (size_t)1 << 16,
	      "the other region's block is not 2^16 blocks above src's");
	rl_obj *pair = rl_obj_new(src, RL_T_CONS, 2 * sizeof(rl_val));
	CHECK(pair != NULL, "out of memory");
	pair->w[0] = list;
	pair->w[1] = elsewhere;
	rl_val copy = rl_val_of(pair), *slot = &copy;
	rl_relocate_result res;
	CHECK(rl_relocate(src, dst, &slot, 1, &res) == 0 && !res.hashed_map, "relocate failed or hashed");
	CHECK(rl_ptr(copy)->w[1] == elsewhere, "a pointer into another region's block was moved");
	CHECK(list_sum(rl_ptr(copy)->w[0]) == 190 && rl_region_contains(dst, rl_ptr(copy)->w[0]), "a bad copy");
	placed_end(src, dst, other, before, blocks);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_copies_everything_in_order);
	RL_RUN(test_forward_and_backward_pointers);
	RL_RUN(test_other_regions_and_static_untouched);
	RL_RUN(test_held_subregion);
	RL_RUN(test_mixed_shapes);
	RL_RUN(test_failures_roll_back);
	if (rl_set_block_size(4096) != 0) {
		fprintf(stderr, "cannot set 4 KiB blocks\n");
		return 1;
	}
	RL_RUN(test_large_objects);
	RL_RUN(test_copies_everything_in_order);
	RL_RUN(test_held_subregion);
	RL_RUN(test_mixed_shapes);
	RL_RUN(test_direct_map_for_neighbours);
	RL_RUN(test_direct_map_for_two_areas);
	RL_RUN(test_hashed_map_for_scattered_blocks);
	RL_RUN(test_mixed_shapes_hashed);
	RL_RUN(test_direct_map_compares_the_block);
	return rl_test_summary(argv[0]);
}
