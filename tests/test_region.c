/* Regions, blocks, the type table, the shadow and the worklist: the core
 * mechanisms every strategy builds on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regionlab/adopt.h"
#include "regionlab/mem.h"
#include "regionlab/object.h"
#include "regionlab/region.h"
#include "regionlab/shadow.h"
#include "regionlab/worklist.h"
#include "tests/check.h"
#include "tests/objects.h"

static rl_obj *box(rl_region *r, int64_t n)
{
	rl_obj *o = obj(r, RL_T_BOX_INT, 8);
	memcpy(o->w, &n, sizeof n);
	return o;
}

static int64_t unbox(const rl_obj *o)
{
	int64_t n;
	memcpy(&n, o->w, sizeof n);
	return n;
}

static size_t chain_length(const rl_block *b)
{
	size_t n = 0;
	for (; b != NULL; b = b->next)
		n++;
	return n;
}

static bool aligned(const void *p, size_t to) { return ((uintptr_t)p & (to - 1)) == 0; }

/* ---- allocation ------------------------------------------------------------------- */
static void test_bump_allocation(void)
{
	rl_region *r = region("bump");
	CHECK(r->small.head == NULL && rl_region_footprint(r) == 0, "a new region holds no block");
	rl_obj *a = box(r, 1);
	rl_obj *b = obj(r, RL_T_CONS, 16);
	rl_obj *c = obj(r, RL_T_STRING, 5); /* rounds up to one word */
	CHECK((char *)b == (char *)a + 16, "second object right after the first");
	CHECK((char *)c == (char *)b + 24, "third right after the second");
	CHECK(r->bytes_used == 16 + 24 + 16, "bytes_used counts headers and rounding: %zu", r->bytes_used);
	CHECK(r->small.count == 1 && r->small.tail->top == (char *)c + 16, "one block, top after the last");
	CHECK((char *)a == rl_block_data(r->small.head), "first object at the start of the data area");
	CHECK(rl_obj_type(b) == RL_T_CONS && rl_obj_bytes(c) == 5 && rl_obj_size(c) == 16, "headers written");
	CHECK(!rl_hdr_is_forward(a->hdr) && rl_hdr_flags(a->hdr) == 0, "a fresh header is live and unflagged");
	rl_region_destroy(r);
}

static void test_blocks_aligned_and_found(void)
{
	enum { N = 12000 };
	rl_region *r = region("many");
	static rl_obj *objs[N];
	for (int i = 0; i < N; i++)
		objs[i] = box(r, i);
	CHECK(r->small.count >= 3, "%d boxes span several blocks: %zu", N, r->small.count);
	CHECK(chain_length(r->small.head) == r->small.count, "count matches the chain");
	for (rl_block *b = r->small.head; b != NULL; b = b->next) {
		CHECK(aligned(b, rl_block_size), "block %p aligned to %zu", (void *)b, rl_block_size);
		CHECK(b->magic == RL_BLOCK_MAGIC && b->region == r && !(b->flags & RL_BLOCK_LARGE), "block header");
		CHECK((size_t)(b->limit - (char *)b) == rl_block_size, "small blocks are one block size");
		CHECK(b->top <= b->limit, "top within the block");
	}
	for (int i = 0; i < N; i++) {
		rl_block *b = rl_block_of(objs[i]);
		CHECK(b->magic == RL_BLOCK_MAGIC && b->region == r, "rl_block_of(object %d) finds its header", i);
		CHECK((char *)objs[i] >= rl_block_data(b) && rl_block_has_obj(b, objs[i]), "object %d inside", i);
		CHECK(rl_region_of(objs[i]) == r && unbox(objs[i]) == i, "object %d intact", i);
	}
	/* Walking each block from its first object visits every object in order. */
	int next = 0;
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		for (rl_obj *o = rl_block_first_obj(b); rl_block_has_obj(b, o);
		     o = (rl_obj *)((char *)o + rl_obj_size(o)))
			CHECK(o == objs[next++], "block walk meets object %d in place", next - 1);
	CHECK(next == N, "block walk met %d of %d objects", next, N);
	rl_region_destroy(r);
}

static void test_large_objects(void)
{
	rl_region *r = region("large");
	size_t max = rl_small_object_max();
	rl_obj *small = obj(r, RL_T_BLOB, (uint32_t)(max - 8)); /* footprint == max: still small */
	CHECK(r->large.count == 0 && rl_block_of(small) == r->small.head, "an object of rl_small_object_max bytes "
	      "is bump-allocated");
	uint32_t sizes[] = { (uint32_t)max, (uint32_t)rl_block_size, (uint32_t)(3 * rl_block_size + 100) };
	rl_obj *big[3];
	for (int i = 0; i < 3; i++) {
		big[i] = obj(r, RL_T_BLOB, sizes[i]);
		memset(big[i]->w, i + 1, sizes[i]);
		rl_block *b = rl_block_of(big[i]);
		CHECK(aligned(b, rl_block_size) && b->magic == RL_BLOCK_MAGIC && b->region == r, "large %d: header", i);
		CHECK(b->flags & RL_BLOCK_LARGE, "large %d: flagged large", i);
		CHECK((char *)big[i] == rl_block_data(b), "large %d: object right after the header", i);
		CHECK(b->limit - (char *)big[i] >= (ptrdiff_t)rl_obj_size(big[i]), "large %d: block holds it", i);
		CHECK((size_t)(b->limit - (char *)b) % rl_block_size == 0, "large %d: whole blocks", i);
		CHECK(b == r->large.tail, "large %d: on the large chain", i);
	}
	CHECK(r->large.count == 3 && r->small.count == 1, "one dedicated block each, small chain untouched");
	for (int i = 0; i < 3; i++)
		CHECK(((unsigned char *)big[i]->w)[sizes[i] - 1] == i + 1, "large %d intact", i);
	size_t expect = rl_block_size + rl_block_size + 2 * rl_block_size + 4 * rl_block_size;
	CHECK(rl_region_footprint(r) == expect, "footprint %zu, expected %zu", rl_region_footprint(r), expect);
	rl_region_destroy(r);
}

static void test_region_contains(void)
{
	static _Alignas(8) uint64_t static_words[2];
	rl_obj *stat = (rl_obj *)static_words;
	rl_obj_init(stat, RL_T_BOX_INT, RL_OBJ_STATIC, 8);
	rl_region *r = region("r"), *other = region("other");
	rl_obj *mine = box(r, 1), *theirs = box(other, 2);
	rl_obj *big = obj(r, RL_T_BLOB, (uint32_t)rl_block_size);
	CHECK(rl_region_contains(r, rl_val_of(mine)) && rl_region_contains(r, rl_val_of(big)), "own objects");
	CHECK(!rl_region_contains(r, rl_val_of(theirs)) && rl_region_contains(other, rl_val_of(theirs)),
	      "another region's object");
	CHECK(!rl_region_contains(r, rl_val_of(stat)) && rl_region_of(stat) == NULL, "a static object");
	CHECK(!rl_region_contains(r, rl_fixnum(42)), "a fixnum");
	CHECK(!rl_region_contains(r, RL_NIL), "NIL");
	CHECK(!rl_region_contains(r, RL_TRUE) && !rl_region_contains(r, rl_char('a')), "other immediates");
	rl_region_destroy(r);
	rl_region_destroy(other);
}

/* rl_region_contains over a family: r's objects, a sub-region's (one step
 * up the parent chain, inline), a sub-sub-region's (two steps, out of line),
 * an adopted region's (its blocks in r's chains, their owner the alias), a
 * large block of a sub-region; not another region's, nor a sub-region's
 * once another region adopted it; and the sub-region's own family is only
 * itself and what lies under it. */
static void test_family_contains(void)
{
	rl_region *r = region("r"), *other = region("other"), *adoptee = region("adoptee");
	rl_region *sub = rl_subregion_create(r, "sub");
	CHECK(sub != NULL, "a sub-region");
	rl_region *subsub = rl_subregion_create(sub, "subsub");
	CHECK(subsub != NULL, "a sub-sub-region");
	rl_region *moved = rl_subregion_create(r, "moved");
	CHECK(moved != NULL, "a sub-region to move");
	rl_obj *in_r = box(r, 1), *in_sub = box(sub, 2), *in_subsub = box(subsub, 3);
	rl_obj *big_in_sub = obj(sub, RL_T_BLOB, (uint32_t)rl_block_size), *adopted = box(adoptee, 4);
	rl_obj *theirs = box(other, 5), *in_moved = box(moved, 6);
	CHECK(rl_region_adopt(r, adoptee) == 0, "r adopts a region");
	rl_val family[] = { rl_val_of(in_r), rl_val_of(in_sub), rl_val_of(in_subsub), rl_val_of(big_in_sub),
			    rl_val_of(adopted), rl_val_of(in_moved) };
	for (size_t i = 0; i < sizeof family / sizeof *family; i++)
		CHECK(rl_region_contains(r, family[i]), "member %zu of r's family", i);
	CHECK(!rl_region_contains(r, rl_val_of(theirs)), "another region's object");
	CHECK(rl_region_contains(sub, rl_val_of(in_sub)) && rl_region_contains(sub, rl_val_of(in_subsub)) &&
		      rl_region_contains(subsub, rl_val_of(in_subsub)),
	      "a sub-region's family: itself and what lies under it");
	CHECK(!rl_region_contains(sub, rl_val_of(in_r)) && !rl_region_contains(subsub, rl_val_of(in_sub)) &&
		      !rl_region_contains(sub, rl_val_of(adopted)),
	      "not its parent's nor its siblings'");
	CHECK(rl_subregion_adopt(other, moved) == 0, "another region adopts the sub-region");
	CHECK(!rl_region_contains(r, rl_val_of(in_moved)) && rl_region_contains(other, rl_val_of(in_moved)),
	      "an adopted sub-region's object belongs to its adopter's family only");
	rl_region_destroy(adoptee); /* the alias's handle: r frees its RCB */
	rl_region_destroy(r);
	rl_region_destroy(other);
}

/* ---- mark and rollback ----------------------------------------------------------------- */
static void test_mark_and_rollback(void)
{
	size_t live0 = rl_blocks_live();
	rl_region *r = region("r");
	rl_obj *keep = box(r, 7);
	rl_region_mark m = rl_region_mark_now(r);
	size_t footprint = rl_region_footprint(r), used = r->bytes_used;
	char *top = r->small.tail->top;
	rl_obj *first_after = box(r, 8);
	for (int i = 0; i < 10000; i++)
		(void)box(r, i);
	(void)obj(r, RL_T_BLOB, (uint32_t)(2 * rl_block_size));
	CHECK(rl_blocks_live() > live0 + 2, "allocation added blocks");
	rl_region_rollback(r, &m);
	CHECK(rl_blocks_live() == live0 + 1, "rollback freed every block after the mark: %zu live",
	      rl_blocks_live() - live0);
	CHECK(r->bytes_used == used && r->small.tail->top == top, "bytes_used and top restored");
	CHECK(rl_region_footprint(r) == footprint, "footprint restored");
	CHECK(r->small.count == 1 && r->large.count == 0 && r->large.head == NULL && r->small.tail->next == NULL,
	      "chains cut back");
	CHECK(unbox(keep) == 7, "objects before the mark intact");
	CHECK(box(r, 9) == first_after, "allocation resumes where the mark was");

	/* A mark of an empty region rolls back to no block at all. */
	rl_region *e = region("empty");
	rl_region_mark em = rl_region_mark_now(e);
	(void)box(e, 1);
	(void)obj(e, RL_T_BLOB, (uint32_t)rl_block_size);
	rl_region_rollback(e, &em);
	CHECK(e->small.head == NULL && e->large.head == NULL && e->bytes_used == 0, "empty again");
	CHECK(rl_region_footprint(e) == 0, "footprint 0");
	rl_region_destroy(e);
	rl_region_destroy(r);
	CHECK(rl_blocks_live() == live0, "destroy freed every block");
}

/* One box, a mark *m, then 20 more boxes in r; returns the top before a
 * rollback to *m. */
static char *boxes_past_a_mark(rl_region *r, rl_region_mark *m)
{
	(void)box(r, 1);
	*m = rl_region_mark_now(r);
	for (int i = 0; i < 20; i++)
		(void)box(r, 0x1111111111111111);
	return r->small.tail->top;
}

static void test_poison_after_rollback(void)
{
#ifdef RL_DEBUG
	rl_region *r = region("r");
	rl_region_mark m;
	char *old_top = boxes_past_a_mark(r, &m);
	CHECK(r->small.tail == m.small_tail, "still in the same block");
	rl_region_rollback(r, &m);
	for (const unsigned char *p = (const unsigned char *)m.top; p < (const unsigned char *)old_top; p++)
		CHECK(*p == RL_POISON_BYTE, "freed tail byte %td reads 0x%02x", (const char *)p - m.top, *p);
	rl_region_destroy(r);
#endif
}

/* With poisoning off (the harness's timings-only runs), a rollback leaves
 * the bytes it gives back as they were: no memset inside a timed call. */
static void test_no_poison_when_off(void)
{
	rl_region_set_poison(false);
	rl_region *r = region("r");
	rl_region_mark m;
	char *old_top = boxes_past_a_mark(r, &m);
	rl_region_rollback(r, &m);
	size_t poisoned = 0;
	for (const unsigned char *p = (const unsigned char *)m.top; p < (const unsigned char *)old_top; p++)
		poisoned += *p == RL_POISON_BYTE;
	rl_region_set_poison(true);
	CHECK(poisoned == 0, "%zu bytes given back were poisoned with poisoning off", poisoned);
	rl_region_destroy(r);
}

/* ---- process-wide settings ------------------------------------------------------------- */
static void test_set_block_size(void)
{
	CHECK(rl_blocks_live() == 0, "test needs no live block");
	size_t was = rl_block_size;
	CHECK(rl_set_block_size(3 * 4096) == -1, "not a power of two");
	CHECK(rl_set_block_size(RL_BLOCK_SIZE_MIN / 2) == -1, "too small");
	CHECK(rl_set_block_size((size_t)RL_BLOCK_SIZE_MAX * 2) == -1, "too large");
	CHECK(rl_set_block_size(0) == -1, "zero");
	CHECK(rl_block_size == was, "a rejected size changes nothing");

	rl_region *r = region("r");
	(void)box(r, 1);
	CHECK(rl_set_block_size(16384) == -1, "refused while blocks are live");
	rl_region_destroy(r);

	CHECK(rl_set_block_size(16384) == 0 && rl_block_size == 16384, "a valid size with no block live");
	CHECK(rl_small_object_max() == 16384 / 4, "small object limit follows the block size");
	r = region("r16k");
	for (int i = 0; i < 3000; i++)
		(void)box(r, i);
	rl_obj *big = obj(r, RL_T_BLOB, 20000);
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		CHECK(aligned(b, 16384) && b->limit - (char *)b == 16384, "16 KiB blocks, aligned");
	CHECK(rl_block_of(big) == r->large.head && rl_block_of(big)->limit - (char *)rl_block_of(big) == 32768,
	      "a large object takes whole 16 KiB blocks");
	rl_region_destroy(r);
	CHECK(rl_set_block_size(was) == 0, "restore the default");
}

/* ---- fault injection ------------------------------------------------------------------- */
static void test_fault_injection(void)
{
	size_t live0 = rl_blocks_live();
	rl_region *r = region("r");
	rl_fault_fail_at(3);
	rl_obj *a = box(r, 1); /* #1: the first block */
	CHECK(rl_fault_count() == 1, "a new block is a counted allocation");
	for (int i = 0; i < 100; i++)
		(void)box(r, i); /* bump allocation within the block: not counted */
	CHECK(rl_fault_count() == 1, "bumping within a block is not counted: %llu",
	      (unsigned long long)rl_fault_count());
	void *p = rl_mem_alloc(64); /* #2 */
	CHECK(p != NULL, "the second counted allocation succeeds");
	rl_region_mark m = rl_region_mark_now(r);
	size_t footprint = rl_region_footprint(r), blocks = rl_blocks_live();
	rl_obj *big = rl_obj_new(r, RL_T_BLOB, (uint32_t)rl_block_size); /* #3 fails */
	CHECK(big == NULL, "the third counted allocation fails");
	CHECK(rl_fault_count() == 3, "three counted allocations");
	rl_region_mark after = rl_region_mark_now(r);
	CHECK(memcmp(&m, &after, sizeof m) == 0 && rl_region_footprint(r) == footprint &&
	      rl_blocks_live() == blocks, "a failed allocation leaves the region unchanged");
	big = rl_obj_new(r, RL_T_BLOB, (uint32_t)rl_block_size); /* #4 */
	CHECK(big != NULL, "only the third fails");
	rl_mem_free(p, 64);

	/* rl_mem_alloc fails the same way. */
	rl_fault_fail_at(1);
	CHECK(rl_mem_alloc(16) == NULL, "rl_mem_alloc as the first counted allocation fails");
	rl_fault_fail_at(0);
	p = rl_mem_alloc(16);
	CHECK(p != NULL, "disarmed");
	rl_mem_free(p, 16);
	CHECK(unbox(a) == 1, "objects untouched");
	rl_region_destroy(r);
	CHECK(rl_blocks_live() == live0, "no block leaked");
}

/* ---- the type table ---------------------------------------------------------------- */
/* Word indices of the slots of o, in iteration order. */
static size_t slot_words(rl_obj *o, size_t *out, size_t max)
{
	rl_slot_iter it;
	rl_val *s;
	size_t n = 0;
	for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;) {
		CHECK(n < max, "too many slots");
		CHECK(s >= o->w && s < o->w + rl_words_for(rl_obj_bytes(o)), "slot inside the payload");
		out[n++] = (size_t)(s - o->w);
	}
	return n;
}

static void expect_slots(rl_obj *o, const size_t *want, size_t n_want)
{
	size_t got[128];
	size_t n = slot_words(o, got, 128);
	CHECK(n == n_want, "%s of %u bytes: %zu slots, expected %zu", rl_type_of(o)->name, rl_obj_bytes(o), n,
	      n_want);
	for (size_t i = 0; i < n; i++)
		CHECK(got[i] == want[i], "%s slot %zu at word %zu, expected %zu", rl_type_of(o)->name, i, got[i],
		      want[i]);
}

static void test_builtin_slots(void)
{
	rl_region *r = region("r");
	size_t seq[100];
	for (size_t i = 0; i < 100; i++)
		seq[i] = i;
	expect_slots(obj(r, RL_T_CONS, 16), seq, 2);
	expect_slots(obj(r, RL_T_VECTOR, 5 * 8), seq, 5);
	expect_slots(obj(r, RL_T_VECTOR, 0), seq, 0);
	expect_slots(obj(r, RL_T_VECTOR, 70 * 8), seq, 70); /* past the 64-word pointer map */
	expect_slots(obj(r, RL_T_CLOSURE, 4 * 8), seq + 1, 3);
	expect_slots(obj(r, RL_T_CLOSURE, 8), seq, 0);
	expect_slots(obj(r, RL_T_PROXY, 8), seq, 1);
	unsigned no_slots[] = { RL_T_BOX_INT, RL_T_BOX_DOUBLE, RL_T_STRING, RL_T_SYMBOL, RL_T_BLOB };
	for (size_t i = 0; i < sizeof no_slots / sizeof no_slots[0]; i++)
		expect_slots(obj(r, no_slots[i], 40), seq, 0);
	rl_region_destroy(r);
}

static void test_type_register(void)
{
	unsigned count = rl_type_count();
	CHECK(count >= RL_T_BUILTIN_COUNT, "builtins are registered");
	CHECK(rl_type_register("ffi-bad-map", 16, 0x4) == -1, "a map naming word 2 of a 2-word struct");
	CHECK(rl_type_register("ffi-bad-map", 0, 0x1) == -1, "a map on an empty struct");
	CHECK(rl_type_register("cons", 16, 0x3) == -1, "a builtin's name");
	CHECK(rl_type_register(NULL, 8, 0) == -1, "no name");
	CHECK(rl_type_count() == count, "rejected registrations take no id");

	int t = rl_type_register("ffi-point", 40, 0x16); /* words 1, 2, 4 */
	CHECK(t >= (int)RL_T_BUILTIN_COUNT && rl_type_count() == count + 1, "registered as a new id: %d", t);
	CHECK(rl_type_lookup("ffi-point") == t && rl_type_lookup("cons") == RL_T_CONS, "lookup by name");
	CHECK(rl_type_lookup("no-such-type") == -1, "unknown name");
	CHECK(rl_type_register("ffi-point", 40, 0x16) == -1, "duplicate name");
	CHECK(rl_type_table[t].fixed_bytes == 40, "fixed size recorded");

	int wide = rl_type_register("ffi-wide", 70 * 8, UINT64_C(1) << 63 | 1);
	CHECK(wide > t, "a struct past 64 words may map word 63: %d", wide);
	int bytes_odd = rl_type_register("ffi-odd", 12, 0x2); /* word 1 holds bytes 8..11 */
	CHECK(bytes_odd > wide, "a partial last word counts as a word");

	rl_region *r = region("r");
	size_t point_slots[] = { 1, 2, 4 }, wide_slots[] = { 0, 63 }, odd_slots[] = { 1 };
	expect_slots(obj(r, (unsigned)t, 40), point_slots, 3);
	expect_slots(obj(r, (unsigned)wide, 70 * 8), wide_slots, 2);
	expect_slots(obj(r, (unsigned)bytes_odd, 12), odd_slots, 1);
	rl_region_destroy(r);
}

/* Runs last: fills the table. */
static void test_type_table_full(void)
{
	static char names[RL_TYPE_MAX][24];
	unsigned n = 0;
	while (rl_type_count() < RL_TYPE_MAX) {
		snprintf(names[n], sizeof names[n], "filler-%u", n);
		unsigned expect = rl_type_count();
		int id = rl_type_register(names[n], 8, 0x1);
		CHECK(id == (int)expect, "filler %u got id %d, expected %u", n, id, expect);
		n++;
	}
	CHECK(rl_type_register("one-too-many", 8, 0) == -1, "a full table refuses");
	CHECK(rl_type_count() == RL_TYPE_MAX, "count stays at the maximum");
}

/* ---- the shadow ------------------------------------------------------------------------ */
struct visit_log {
	rl_obj *seen[64];
	size_t n;
	bool ordered;
};

static void log_marked(rl_obj *o, void *env)
{
	struct visit_log *log = env;
	if (log->n > 0 && rl_block_of(log->seen[log->n - 1]) == rl_block_of(o) && log->seen[log->n - 1] >= o)
		log->ordered = false;
	if (log->n < 64)
		log->seen[log->n] = o;
	log->n++;
}

static void test_shadow(void)
{
	enum { N = 9000 };
	rl_region *r = region("r");
	static rl_obj *objs[N];
	for (int i = 0; i < N; i++)
		objs[i] = i % 1000 == 999 ? obj(r, RL_T_BLOB, (uint32_t)rl_block_size) : box(r, i);
	CHECK(r->small.count >= 2 && r->large.count == 9, "several small and large blocks");
	size_t live = rl_mem_stats_self()->live_bytes;
	rl_shadow s;
	CHECK(rl_shadow_attach(&s, r) == 0, "attach");
	CHECK(s.bytes * 64 <= rl_region_footprint(r), "shadow %zu bytes for a footprint of %zu: more than 1/64",
	      s.bytes, rl_region_footprint(r));
	CHECK(rl_mem_stats_self()->live_bytes == live + s.bytes, "the shadow is charged as strategy memory");
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		CHECK(b->scratch != NULL, "every block gets its slice");

	/* Mark every 400th object (in both chains), some twice. */
	size_t marked = 0;
	for (int i = 0; i < N; i++) {
		bool want = i % 400 == 0 || i % 1000 == 999;
		CHECK(!rl_shadow_test(objs[i]), "object %d starts unmarked", i);
		if (!want)
			continue;
		CHECK(!rl_shadow_test_and_set(objs[i]), "first mark of %d reports unmarked", i);
		CHECK(rl_shadow_test_and_set(objs[i]), "second mark of %d reports marked", i);
		marked++;
	}
	for (int i = 0; i < N; i++)
		CHECK(rl_shadow_test(objs[i]) == (i % 400 == 0 || i % 1000 == 999),
		      "object %d: only what was marked reads marked", i);

	struct visit_log log = { .ordered = true };
	rl_shadow_for_each_marked(&s, log_marked, &log);
	CHECK(log.n == marked && marked <= 64, "visited %zu, marked %zu", log.n, marked);
	CHECK(log.ordered, "objects of one block visited in address order");
	for (size_t k = 0; k < log.n; k++) {
		CHECK(rl_shadow_test(log.seen[k]), "visited object %zu is marked", k);
		for (size_t j = 0; j < k; j++)
			CHECK(log.seen[j] != log.seen[k], "object visited twice");
	}
	rl_shadow_detach(&s);
	CHECK(rl_mem_stats_self()->live_bytes == live, "detach gives the memory back");
	for (rl_block *b = r->small.head; b != NULL; b = b->next)
		CHECK(b->scratch == NULL, "detach clears the slices");
	rl_region_destroy(r);

	/* Small blocks alone: the tightest case of the 1/64 bound. */
	r = region("small only");
	for (int i = 0; i < N; i++)
		(void)box(r, i);
	CHECK(rl_shadow_attach(&s, r) == 0, "attach");
	CHECK(s.bytes * 64 <= rl_region_footprint(r), "shadow %zu bytes for a footprint of %zu: more than 1/64",
	      s.bytes, rl_region_footprint(r));
	rl_shadow_detach(&s);
	rl_region_destroy(r);
}

/* ---- the worklist ---------------------------------------------------------------------- */
static void test_worklist(void)
{
	enum { N = 1500 };
	static uint64_t fake[N][2]; /* distinct addresses to push */
	size_t live = rl_mem_stats_self()->live_bytes;
	rl_worklist wl;
	CHECK(rl_worklist_init(&wl, N) == 0, "init");
	CHECK(rl_worklist_pop(&wl) == NULL, "pop from an empty worklist");
	CHECK(rl_mem_stats_self()->live_bytes == live, "nothing charged before the first push");
	for (size_t i = 0; i < N; i++)
		rl_worklist_push(&wl, (rl_obj *)fake[i]);
	size_t charged = ((N + RL_WORKLIST_CHARGE_STEP - 1) / RL_WORKLIST_CHARGE_STEP) * RL_WORKLIST_CHARGE_STEP *
			 sizeof(rl_obj *);
	CHECK(rl_mem_stats_self()->live_bytes == live + charged, "charged %zu bytes, expected %zu",
	      rl_mem_stats_self()->live_bytes - live, charged);
	CHECK(rl_mem_stats_self()->peak_bytes >= live + charged, "peak follows");
	for (size_t i = N; i-- > 0;)
		CHECK(rl_worklist_pop(&wl) == (rl_obj *)fake[i], "pop %zu comes out last in, first out", i);
	CHECK(rl_worklist_pop(&wl) == NULL && wl.len == 0, "empty again");
	rl_worklist_fini(&wl);
	CHECK(rl_mem_stats_self()->live_bytes == live, "fini uncharges it all");

	rl_fault_fail_at(1);
	CHECK(rl_worklist_init(&wl, 10) == -1, "init reports a failed reservation");
	rl_fault_fail_at(0);
}

/* rl_region_rewarm only reads: every byte of every block is as before. */
static void sum_block(rl_block *b, void *env)
{
	uint64_t *sum = env; /* FNV-1a over the block's bytes */
	const unsigned char *p = (const unsigned char *)b;
	for (size_t i = 0; i < rl_block_bytes(b); i++)
		*sum = (*sum ^ p[i]) * UINT64_C(0x100000001b3);
}

static uint64_t region_sum(rl_region *r)
{
	uint64_t sum = UINT64_C(0xcbf29ce484222325);
	rl_region_for_each_block(r, sum_block, &sum);
	return sum;
}

static void test_rewarm_writes_nothing(void)
{
	rl_region *r = rl_region_create("rewarm");
	for (int64_t i = 0; i < 20000; i++)
		box(r, i * 7919);
	CHECK(rl_obj_new(r, RL_T_BLOB, (uint32_t)(2 * rl_block_size)) != NULL, "large allocation failed");
	CHECK(r->small.count > 2 && r->large.count == 1, "%zu small and %zu large blocks", r->small.count,
	      r->large.count);
	uint64_t before = region_sum(r);
	rl_region_rewarm(r);
	CHECK(region_sum(r) == before, "rewarm changed the region's bytes");
	rl_region_destroy(r);
}

/* The bytes rl_region_read_lines must read: the first of every 64-byte line
 * from each block's header up to its bump pointer, xored. */
static void xor_lines(rl_block *b, void *env)
{
	for (const char *p = (const char *)b; p < b->top; p += RL_CACHE_LINE)
		*(unsigned char *)env ^= (unsigned char)*p;
}

/* rl_region_read_lines reads the lines objects occupy, in every block of the
 * family, small and large, and writes nothing.  A mark byte planted in the
 * last line below a block's top changes its answer; one planted past the top
 * (a line no object holds) does not. */
static void test_read_lines_reads_the_used_lines(void)
{
	rl_region *r = rl_region_create("read-lines");
	for (int64_t i = 0; i < 20000; i++)
		box(r, i * 7919);
	CHECK(rl_obj_new(r, RL_T_BLOB, (uint32_t)(2 * rl_block_size)) != NULL, "large allocation failed");
	uint64_t before = region_sum(r);
	unsigned char expected = 0;
	rl_region_for_each_block(r, xor_lines, &expected);
	CHECK(rl_region_read_lines(r) == expected, "read_lines read other bytes than the used lines'");
	CHECK(region_sum(r) == before, "read_lines changed the region's bytes");

	rl_block *tail = r->small.tail;
	CHECK(tail->top + RL_CACHE_LINE < tail->limit, "the tail block has room past its top");
	char *last_line = (char *)tail + ((size_t)(tail->top - 1 - (char *)tail) & ~(size_t)(RL_CACHE_LINE - 1));
	char *past_top = (char *)tail + (((size_t)(tail->top - (char *)tail) + RL_CACHE_LINE) &
					 ~(size_t)(RL_CACHE_LINE - 1));
	char saved = *last_line;
	*last_line ^= 0x40;
	CHECK(rl_region_read_lines(r) == (unsigned char)(expected ^ 0x40), "the last used line was not read");
	*last_line = saved;
	*past_top ^= 0x40;
	CHECK(rl_region_read_lines(r) == expected, "a line past the top was read");
	*past_top ^= 0x40;
	rl_region_destroy(r);
}

static void test_no_block_leaked(void)
{
	CHECK(rl_blocks_live() == 0 && rl_block_bytes_live() == 0, "every test destroyed its regions: %zu live",
	      rl_blocks_live());
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_set_block_size); /* first: it needs no block live */
	RL_RUN(test_bump_allocation);
	RL_RUN(test_blocks_aligned_and_found);
	RL_RUN(test_large_objects);
	RL_RUN(test_region_contains);
	RL_RUN(test_family_contains);
	RL_RUN(test_mark_and_rollback);
	RL_RUN(test_poison_after_rollback);
	RL_RUN(test_no_poison_when_off);
	RL_RUN(test_fault_injection);
	RL_RUN(test_builtin_slots);
	RL_RUN(test_type_register);
	RL_RUN(test_shadow);
	RL_RUN(test_worklist);
	RL_RUN(test_rewarm_writes_nothing);
	RL_RUN(test_read_lines_reads_the_used_lines);
	RL_RUN(test_no_block_leaked);
	RL_RUN(test_type_table_full);
	return rl_test_summary(argv[0]);
}
