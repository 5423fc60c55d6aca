/* The oracle must accept a correct transmigration and reject each way of
 * getting one wrong with a reason that names the defect.  Graphs are built
 * by hand; a tiny recursive copier (test-local, fine for tiny graphs) gives
 * the correct copy, and each wrong copy is that copy with one defect added. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/oracle.h"
#include "regionlab/adopt.h"
#include "regionlab/mem.h"
#include "regionlab/object.h"
#include "regionlab/region.h"
#include "tests/check.h"
#include "tests/objects.h"

/* ---- building graphs -------------------------------------------------------- */
/* obj (tests/objects.h), zeroed. */
static rl_obj *zobj(rl_region *r, unsigned type, uint32_t bytes)
{
	rl_obj *o = obj(r, type, bytes);
	memset(o->w, 0, rl_words_for(bytes) * 8); /* padding too: copies compare equal */
	return o;
}

static rl_val cons(rl_region *r, rl_val car, rl_val cdr)
{
	rl_obj *o = zobj(r, RL_T_CONS, 16);
	o->w[0] = car;
	o->w[1] = cdr;
	return rl_val_of(o);
}

static rl_val car(rl_val v) { return rl_ptr(v)->w[0]; }
static rl_val cdr(rl_val v) { return rl_ptr(v)->w[1]; }

static rl_val box(rl_region *r, int64_t n)
{
	rl_obj *o = zobj(r, RL_T_BOX_INT, 8);
	memcpy(o->w, &n, sizeof n);
	return rl_val_of(o);
}

static rl_val string(rl_region *r, const char *s)
{
	size_t n = strlen(s) + 1;
	rl_obj *o = zobj(r, RL_T_STRING, (uint32_t)n);
	memcpy(o->w, s, n);
	return rl_val_of(o);
}

static rl_val vector(rl_region *r, size_t n, const rl_val *items)
{
	rl_obj *o = zobj(r, RL_T_VECTOR, (uint32_t)(n * 8));
	memcpy(o->w, items, n * 8);
	return rl_val_of(o);
}

/* A ring of n conses holding fixnums 0..n-1; the last cdr is the first cons. */
static rl_val ring(rl_region *r, size_t n)
{
	rl_val first = cons(r, rl_fixnum(0), RL_NIL), last = first;
	for (size_t i = 1; i < n; i++) {
		rl_val c = cons(r, rl_fixnum((intptr_t)i), RL_NIL);
		rl_ptr(last)->w[1] = c;
		last = c;
	}
	rl_ptr(last)->w[1] = first;
	return first;
}

/* A list of fixnums 0..n-1, built back to front. */
static rl_val list(rl_region *r, size_t n)
{
	rl_val l = RL_NIL;
	while (n-- > 0)
		l = cons(r, rl_fixnum((intptr_t)n), l);
	return l;
}

/* A static object: lives in C data, flagged RL_OBJ_STATIC in its header. */
static _Alignas(8) uint64_t static_box_words[2];
static rl_val static_box(void)
{
	rl_obj *o = (rl_obj *)static_box_words;
	rl_obj_init(o, RL_T_BOX_INT, RL_OBJ_STATIC, 8);
	o->w[0] = 4242;
	return rl_val_of(o);
}

/* An FFI type whose raw and value words interleave: value, raw, value. */
static unsigned tagged_pair_type(void)
{
	int t = rl_type_lookup("tagged-pair");
	if (t < 0)
		t = rl_type_register("tagged-pair", 24, 0x5);
	CHECK(t > 0, "registering tagged-pair");
	return (unsigned)t;
}

/* ---- a tiny correct copier ----------------------------------------------------
 * Recursive, with a linear visited table: only for the small graphs here. */
#define TCOPY_MAX 512
struct tcopy {
	rl_region *src, *dst;
	size_t n;
	rl_val from[TCOPY_MAX], to[TCOPY_MAX];
};

static rl_val tcopy_val(struct tcopy *t, rl_val v)
{
	if (!rl_region_contains(t->src, v))
		return v;
	for (size_t i = 0; i < t->n; i++)
		if (t->from[i] == v)
			return t->to[i];
	rl_obj *o = rl_ptr(v);
	rl_obj *c = rl_obj_new(t->dst, rl_obj_type(o), rl_obj_bytes(o));
	CHECK(c != NULL && t->n < TCOPY_MAX, "test copier out of room");
	memcpy(c->w, o->w, rl_words_for(rl_obj_bytes(o)) * 8);
	t->from[t->n] = v;
	t->to[t->n++] = rl_val_of(c);
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;)
		c->w[s - o->w] = tcopy_val(t, *s);
	return rl_val_of(c);
}

static rl_val tcopy(rl_region *src, rl_region *dst, rl_val root)
{
	static struct tcopy t;
	t.src = src;
	t.dst = dst;
	t.n = 0;
	return tcopy_val(&t, root);
}

/* Copies a list of any length iteratively (cars copied as values: the deep
 * list tests hold fixnums). */
static rl_val copy_list(rl_region *dst, rl_val l)
{
	rl_val head = RL_NIL, *tail = &head;
	for (; l != RL_NIL; l = cdr(l)) {
		*tail = cons(dst, car(l), RL_NIL);
		tail = &rl_ptr(*tail)->w[1];
	}
	return head;
}

/* ---- one trial: src, dst, a third region, the graph and its correct copy ---- */
struct trial {
	rl_region *src, *dst, *other;
	rl_val root, out;
	rl_oracle_before b;
	bool have_before;
	char why[512];
};

static void trial_begin(struct trial *t)
{
	memset(t, 0, sizeof *t);
	t->src = region("src");
	t->dst = region("dst");
	t->other = region("other");
}

/* Snapshot, then the correct copy. */
static void trial_copy(struct trial *t)
{
	CHECK(rl_oracle_before_call(&t->b, t->root, t->src, t->dst) == 0, "before_call");
	t->have_before = true;
	t->out = tcopy(t->src, t->dst, t->root);
}

static void trial_end(struct trial *t)
{
	if (t->have_before)
		rl_oracle_before_free(&t->b);
	rl_region_destroy(t->src);
	rl_region_destroy(t->dst);
	rl_region_destroy(t->other);
	t->src = t->dst = t->other = NULL;
}

static int check_copy(struct trial *t)
{
	rl_ranges doomed;
	CHECK(rl_ranges_of(t->src, &doomed) == 0, "rl_ranges_of");
	t->why[0] = '\0';
	int rc = rl_oracle_check_copy(t->root, t->out, &t->b.src, &doomed, NULL, NULL, t->why, sizeof t->why);
	rl_ranges_free(&doomed);
	return rc;
}

static int after_success(struct trial *t, bool src_readable)
{
	t->why[0] = '\0';
	int rc = rl_oracle_after_success(&t->b, t->root, t->out, &t->src, t->dst, src_readable, t->why,
					 sizeof t->why);
	CHECK(t->src == NULL, "after_success must destroy src");
	return rc;
}

/* The defect must be caught by check_copy and by a whole after_success,
 * both naming `reason`. */
static void expect_rejected(struct trial *t, const char *reason)
{
	CHECK(check_copy(t) == -1, "check_copy accepted a copy with: %s", reason);
	CHECK(strstr(t->why, reason) != NULL, "check_copy said \"%s\", expected \"%s\"", t->why, reason);
	CHECK(strchr(t->why, '\n') == NULL, "reason must be one line: %s", t->why);
	CHECK(after_success(t, true) == -1, "after_success accepted a copy with: %s", reason);
	CHECK(strstr(t->why, reason) != NULL, "after_success said \"%s\", expected \"%s\"", t->why, reason);
}

/* ---- the correct copier is accepted -------------------------------------------- */

/* Every kind of object and pointer in one graph: lists, a shared leaf, a ring,
 * a vector, strings and symbols, boxes, a blob, a closure whose environment
 * closes a cycle through the root, an FFI type with interleaved raw words, a
 * pointer into a third region and one to a static object. */
static void build_everything(struct trial *t)
{
	rl_region *r = t->src;
	rl_val shared = box(r, 7);
	rl_val ext = box(t->other, 99);
	rl_val stat = static_box();
	rl_val hello = string(r, "hello, region"); /* 14 bytes: padding in the last word */
	rl_obj *dbl = zobj(r, RL_T_BOX_DOUBLE, 8);
	double d = 2.5;
	memcpy(dbl->w, &d, sizeof d);
	rl_obj *sym = zobj(r, RL_T_SYMBOL, 4);
	memcpy(sym->w, "sym", 4);
	rl_obj *blob = zobj(r, RL_T_BLOB, 100);
	for (size_t i = 0; i < 100; i++)
		((unsigned char *)blob->w)[i] = (unsigned char)(i * 37 + 1);
	rl_obj *pair = zobj(r, tagged_pair_type(), 24);
	pair->w[0] = shared;
	pair->w[1] = 0xfeedfacecafebeefu; /* raw: not a value even though it looks like a pointer */
	pair->w[2] = ext;
	rl_val items[] = { rl_fixnum(1), shared, hello, ext, stat, RL_TRUE, rl_char('x'), rl_val_of(sym),
			   rl_val_of(dbl), rl_val_of(blob), rl_val_of(pair) };
	rl_val vec = vector(r, sizeof items / sizeof items[0], items);
	rl_obj *closure = zobj(r, RL_T_CLOSURE, 24);
	closure->w[0] = 0x401000; /* raw code address */
	closure->w[1] = shared;
	t->root = cons(r, vec, cons(r, shared, cons(r, ring(r, 3), cons(r, rl_val_of(closure), RL_NIL))));
	closure->w[2] = t->root;
}

static void test_correct_copy_is_accepted(void)
{
	struct trial t;
	trial_begin(&t);
	build_everything(&t);
	trial_copy(&t);
	CHECK(t.b.census.objects == 15, "census counted %zu objects, the graph has 15 in src", t.b.census.objects);
	CHECK(check_copy(&t) == 0, "check_copy rejected a correct copy: %s", t.why);
	rl_ranges dst_ranges;
	CHECK(rl_ranges_of(t.dst, &dst_ranges) == 0, "ranges");
	uint64_t copy_sum = rl_oracle_checksum(t.out, &dst_ranges);
	rl_census copied;
	CHECK(rl_oracle_census(t.out, &dst_ranges, &copied) == 0, "census of the copy");
	rl_ranges_free(&dst_ranges);
	CHECK(copy_sum == t.b.checksum, "a correct copy must have the original's checksum");
	CHECK(copied.objects == t.b.census.objects && copied.bytes == t.b.census.bytes,
	      "copy census %zu/%zu, original %zu/%zu", copied.objects, copied.bytes, t.b.census.objects,
	      t.b.census.bytes);
	CHECK(after_success(&t, true) == 0, "after_success rejected a correct copy: %s", t.why);
	trial_end(&t);
}

static void test_correct_copy_accepted_without_reading_src(void)
{
	struct trial t;
	trial_begin(&t);
	build_everything(&t);
	trial_copy(&t);
	CHECK(after_success(&t, false) == 0, "after_success (src not readable) rejected a correct copy: %s", t.why);
	trial_end(&t);
}

/* Zero-copy: src's blocks move into dst and the root stays where it is. */
static void test_zero_copy_splice_is_accepted(void)
{
	struct trial t;
	trial_begin(&t);
	build_everything(&t);
	(void)box(t.dst, 1); /* dst already holds something */
	CHECK(rl_oracle_before_call(&t.b, t.root, t.src, t.dst) == 0, "before_call");
	t.have_before = true;
	rl_block_list_splice(&t.dst->small, &t.src->small, t.dst);
	rl_block_list_splice(&t.dst->large, &t.src->large, t.dst);
	t.out = t.root;
	CHECK(after_success(&t, true) == 0, "after_success rejected a splice: %s", t.why);
	trial_end(&t);
}

/* Adoption moves src's blocks into dst in O(1): the root stays where it is
 * and src is left an alias with no blocks of its own. */
static void test_adoption_is_accepted(void)
{
	struct trial t;
	trial_begin(&t);
	build_everything(&t);
	(void)box(t.dst, 1);
	CHECK(rl_oracle_before_call(&t.b, t.root, t.src, t.dst) == 0, "before_call");
	t.have_before = true;
	CHECK(rl_region_adopt(t.dst, t.src) == 0, "adopt");
	t.out = t.root;
	CHECK(after_success(&t, true) == 0, "after_success rejected an adoption: %s", t.why);
	trial_end(&t);
}

/* Ranges and the region hash count a region's family as rl_region_contains does. */
static void test_ranges_follow_the_family(void)
{
	rl_region *r = region("r"), *adopted = region("adopted");
	rl_region *sub = rl_subregion_create(r, "sub");
	CHECK(sub != NULL, "sub-region");
	rl_region *subsub = rl_subregion_create(sub, "subsub");
	CHECK(subsub != NULL, "sub-sub-region");
	rl_val mine = box(r, 1), in_sub = box(sub, 2), in_subsub = box(subsub, 3), in_adopted = box(adopted, 4);
	CHECK(rl_region_adopt(r, adopted) == 0, "adopt");
	rl_ranges rs, ra;
	CHECK(rl_ranges_of(r, &rs) == 0 && rl_ranges_of(adopted, &ra) == 0, "ranges");
	rl_val all[] = { mine, in_sub, in_subsub, in_adopted };
	for (size_t i = 0; i < 4; i++)
		CHECK(rl_ranges_contain(&rs, all[i]) == rl_region_contains(r, all[i]) && rl_ranges_contain(&rs, all[i]),
		      "value %zu: ranges agree with rl_region_contains", i);
	CHECK(rs.n == 4 && ra.n == 0, "four blocks in the family, none left with the alias: %zu, %zu", rs.n, ra.n);
	rl_ranges_free(&rs);
	rl_ranges_free(&ra);
	CHECK(rl_ranges_of(sub, &rs) == 0, "ranges");
	CHECK(rs.n == 2 && !rl_ranges_contain(&rs, mine) && rl_ranges_contain(&rs, in_subsub),
	      "a sub-region's own family");
	rl_ranges_free(&rs);
	uint64_t h = rl_oracle_region_hash(r);
	rl_ptr(in_subsub)->w[0] ^= 1;
	CHECK(rl_oracle_region_hash(r) != h, "a byte of a sub-sub-region changes the family's hash");
	rl_region_destroy(adopted); /* drops the alias's handle */
	rl_region_destroy(r);       /* frees the family */
}

/* A source graph may point into dst's older objects (a child region pointing
 * into its parent); a correct copy keeps that pointer as it is. */
static void test_pointer_into_dst_kept(void)
{
	struct trial t;
	trial_begin(&t);
	rl_val parent_obj = box(t.dst, 5);
	t.root = cons(t.src, parent_obj, cons(t.src, box(t.src, 6), RL_NIL));
	trial_copy(&t);
	CHECK(car(t.out) == parent_obj, "test copier kept the pointer into dst");
	CHECK(after_success(&t, true) == 0, "after_success rejected a pointer into dst's old objects: %s", t.why);
	trial_end(&t);
}

/* Roots that are not objects of src are returned as they are. */
static void test_non_object_roots(void)
{
	struct trial t;
	trial_begin(&t);
	rl_val roots[] = { RL_NIL, rl_fixnum(-3), RL_FALSE, box(t.other, 1), static_box() };
	for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
		t.root = roots[i];
		CHECK(rl_oracle_before_call(&t.b, t.root, t.src, t.dst) == 0, "before_call");
		CHECK(t.b.census.objects == 0, "root %zu: nothing in src to move", i);
		t.out = t.root;
		CHECK(check_copy(&t) == 0, "root %zu kept: %s", i, t.why);
		t.out = rl_fixnum(12345);
		CHECK(check_copy(&t) == -1, "root %zu replaced by another value must fail", i);
		rl_oracle_before_free(&t.b);
	}
	trial_end(&t);
}

/* ---- wrong copies are rejected ---------------------------------------------------- */
static void test_lost_sharing(void)
{
	struct trial t;
	trial_begin(&t);
	rl_val shared = box(t.src, 7);
	t.root = cons(t.src, shared, cons(t.src, shared, RL_NIL));
	trial_copy(&t);
	rl_ptr(cdr(t.out))->w[0] = box(t.dst, 7); /* the shared leaf duplicated */
	expect_rejected(&t, "lost sharing");
	trial_end(&t);
}

static void test_merged_objects(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 7), cons(t.src, box(t.src, 7), RL_NIL));
	trial_copy(&t);
	rl_ptr(cdr(t.out))->w[0] = car(t.out); /* two equal leaves copied into one */
	expect_rejected(&t, "merged objects");
	trial_end(&t);
}

static void test_pointer_left_into_src(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 1), cons(t.src, box(t.src, 2), cons(t.src, box(t.src, 3), RL_NIL)));
	trial_copy(&t);
	rl_ptr(cdr(t.out))->w[0] = car(cdr(t.root));
	expect_rejected(&t, "copy points into the dying source");
	trial_end(&t);
}

/* Clause 2 after the fact: src is gone, and the walk must report the stale
 * pointer without reading it (ASan would object to the read). */
static void test_survivor_catches_pointer_into_freed_src(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 1), cons(t.src, box(t.src, 2), cons(t.src, box(t.src, 3), RL_NIL)));
	trial_copy(&t);
	rl_ptr(cdr(cdr(t.out)))->w[1] = cdr(t.root); /* a cdr left pointing into src */
	rl_ranges doomed, internal;
	CHECK(rl_ranges_of(t.src, &doomed) == 0 && rl_ranges_of(t.dst, &internal) == 0, "ranges");
	rl_region_destroy(t.src);
	t.src = NULL;
	int rc = rl_oracle_check_survivor(t.out, &internal, &doomed, t.b.checksum, t.why, sizeof t.why);
	rl_ranges_free(&doomed);
	rl_ranges_free(&internal);
	CHECK(rc == -1, "check_survivor accepted a pointer into freed memory");
	CHECK(strstr(t.why, "freed source memory") != NULL, "reason: %s", t.why);
	CHECK(strstr(t.why, "slot 1") != NULL, "reason should name the slot: %s", t.why);
	trial_end(&t);
}

static void test_after_success_unreadable_src_catches_pointer_into_src(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 1), cons(t.src, box(t.src, 2), RL_NIL));
	trial_copy(&t);
	rl_ptr(t.out)->w[0] = car(t.root);
	CHECK(after_success(&t, false) == -1, "after_success (src unread) accepted a pointer into src");
	CHECK(strstr(t.why, "freed source memory") != NULL, "reason: %s", t.why);
	trial_end(&t);
}

/* The copy of a ring must close the ring: here it ends in NIL. */
static void test_broken_cycle(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = ring(t.src, 3);
	trial_copy(&t);
	CHECK(cdr(cdr(cdr(t.out))) == t.out, "test copier closes the ring");
	rl_ptr(cdr(cdr(t.out)))->w[1] = RL_NIL;
	expect_rejected(&t, "reference lost");
	trial_end(&t);
}

/* A copy that unrolls the ring once more than it should: every shape matches
 * until the ring comes back to a second copy of its head. */
static void test_ring_unrolled(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = ring(t.src, 2);
	trial_copy(&t);
	rl_val again = cons(t.dst, rl_fixnum(0), cdr(t.out));
	rl_ptr(cdr(t.out))->w[1] = again;
	expect_rejected(&t, "lost sharing");
	trial_end(&t);
}

static void test_changed_box_value(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 7), RL_NIL);
	trial_copy(&t);
	int64_t eight = 8;
	memcpy(rl_ptr(car(t.out))->w, &eight, sizeof eight);
	expect_rejected(&t, "bytes changed");
	trial_end(&t);
}

static void test_changed_fixnum(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = list(t.src, 4);
	trial_copy(&t);
	rl_ptr(cdr(cdr(t.out)))->w[0] = rl_fixnum(99);
	expect_rejected(&t, "immediate changed");
	CHECK(strstr(t.why, "slot 0") != NULL, "reason should name the slot: %s", t.why);
	trial_end(&t);
}

static void test_changed_string_byte(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, string(t.src, "transmigrate"), RL_NIL);
	trial_copy(&t);
	((char *)rl_ptr(car(t.out))->w)[9] = 'X';
	expect_rejected(&t, "payload byte 9");
	trial_end(&t);
}

/* Bytes past the payload (padding) are not part of the object. */
static void test_padding_is_ignored(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = string(t.src, "abc"); /* 4 payload bytes in an 8-byte word */
	trial_copy(&t);
	((char *)rl_ptr(t.out)->w)[6] = 'Z';
	CHECK(check_copy(&t) == 0, "padding byte compared: %s", t.why);
	trial_end(&t);
}

static void test_changed_raw_word_of_ffi_type(void)
{
	struct trial t;
	trial_begin(&t);
	rl_obj *pair = zobj(t.src, tagged_pair_type(), 24);
	pair->w[0] = rl_fixnum(1);
	pair->w[1] = 77;
	pair->w[2] = RL_NIL;
	t.root = rl_val_of(pair);
	trial_copy(&t);
	rl_ptr(t.out)->w[1] = 78;
	expect_rejected(&t, "payload byte 8");
	trial_end(&t);
}

static void test_changed_type(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, string(t.src, "name"), RL_NIL);
	trial_copy(&t);
	rl_obj *c = rl_ptr(car(t.out));
	rl_obj_init(c, RL_T_SYMBOL, 0, rl_obj_bytes(c));
	expect_rejected(&t, "type changed");
	trial_end(&t);
}

static void test_changed_size(void)
{
	struct trial t;
	trial_begin(&t);
	rl_val items[] = { rl_fixnum(1), rl_fixnum(2), rl_fixnum(3) };
	t.root = vector(t.src, 3, items);
	trial_copy(&t);
	rl_obj_init(rl_ptr(t.out), RL_T_VECTOR, 0, 16);
	expect_rejected(&t, "size changed");
	trial_end(&t);
}

static void test_external_pointer_replaced_by_copy(void)
{
	struct trial t;
	trial_begin(&t);
	rl_val ext = box(t.other, 99);
	t.root = cons(t.src, ext, RL_NIL);
	trial_copy(&t);
	CHECK(car(t.out) == ext, "test copier keeps external pointers");
	rl_ptr(t.out)->w[0] = box(t.dst, 99);
	expect_rejected(&t, "pointer outside the source changed");
	trial_end(&t);
}

static void test_static_pointer_replaced_by_copy(void)
{
	struct trial t;
	trial_begin(&t);
	rl_val stat = static_box();
	t.root = cons(t.src, RL_NIL, stat);
	trial_copy(&t);
	CHECK(cdr(t.out) == stat, "test copier keeps static pointers");
	rl_ptr(t.out)->w[1] = box(t.dst, 4242);
	expect_rejected(&t, "pointer outside the source changed");
	trial_end(&t);
}

static void test_source_header_left_forwarded(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 1), cons(t.src, box(t.src, 2), RL_NIL));
	trial_copy(&t);
	rl_obj *inner = rl_ptr(car(cdr(t.root)));
	inner->hdr = rl_hdr_forward_to(rl_ptr(car(cdr(t.out))));
	expect_rejected(&t, "source header left borrowed");
	trial_end(&t);
}

/* A held sub-region of src outlives it (clause 3: other regions are left
 * untouched): a correct copy leaves it byte-identical, a write into it is
 * caught, even when the copy itself reads right. */
static void test_held_subregion_written(void)
{
	for (int scribble = 0; scribble <= 1; scribble++) {
		struct trial t;
		trial_begin(&t);
		rl_region *held = rl_subregion_create(t.src, "held");
		CHECK(held != NULL, "out of memory");
		rl_region_retain(held);
		rl_val leaf = box(held, 7);
		t.root = cons(t.src, leaf, cons(t.src, box(t.src, 2), RL_NIL));
		trial_copy(&t);
		if (scribble)
			rl_ptr(leaf)->hdr |= RL_OBJ_FLAG_MASK & ~RL_OBJ_STATIC & (1u << 6);
		int rc = after_success(&t, true);
		if (scribble) {
			CHECK(rc == -1, "after_success accepted a copy that wrote into a held sub-region");
			CHECK(strstr(t.why, "outlives src") != NULL, "reason: %s", t.why);
		} else {
			CHECK(rc == 0, "a correct copy was rejected: %s", t.why);
		}
		rl_region_release(held);
		trial_end(&t);
	}
}

/* A read barrier may heal slots: the copy's slot holds a placeholder that
 * only the barrier resolves. */
struct heal_env {
	rl_val placeholder, real;
	size_t loads;
};

static rl_val heal(void *env, rl_val *slot)
{
	struct heal_env *h = env;
	h->loads++;
	if (*slot == h->placeholder)
		*slot = h->real;
	return *slot;
}

static void test_check_copy_reads_through_barrier(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = cons(t.src, box(t.src, 1), cons(t.src, box(t.src, 2), RL_NIL));
	trial_copy(&t);
	struct heal_env h = { .placeholder = rl_imm(RL_IMM_UNSPEC, 77), .real = cdr(t.out) };
	rl_ptr(t.out)->w[1] = h.placeholder;
	CHECK(check_copy(&t) == -1, "a placeholder read without the barrier must fail");
	rl_ranges doomed;
	CHECK(rl_ranges_of(t.src, &doomed) == 0, "ranges");
	int rc = rl_oracle_check_copy(t.root, t.out, &t.b.src, &doomed, heal, &h, t.why, sizeof t.why);
	rl_ranges_free(&doomed);
	CHECK(rc == 0, "check_copy through the barrier: %s", t.why);
	CHECK(h.loads == 4, "every slot of the copy read through the barrier once: %zu loads", h.loads);
	CHECK(cdr(t.out) == h.real, "the barrier healed the slot");
	trial_end(&t);
}

/* A deep wrong copy is reported with its depth. */
static void test_defect_deep_in_a_long_list(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = list(t.src, 1000);
	CHECK(rl_oracle_before_call(&t.b, t.root, t.src, t.dst) == 0, "before_call");
	t.have_before = true;
	t.out = copy_list(t.dst, t.root);
	rl_val c = t.out;
	for (int i = 0; i < 500; i++)
		c = cdr(c);
	rl_ptr(c)->w[0] = rl_fixnum(-1);
	CHECK(check_copy(&t) == -1, "changed fixnum at depth 500 accepted");
	CHECK(strstr(t.why, "depth 500") != NULL, "reason should name the depth: %s", t.why);
	trial_end(&t);
}

/* ---- checksum properties ---------------------------------------------------------- */
static uint64_t sum_in(rl_val root, const rl_region *r)
{
	rl_ranges rs;
	CHECK(rl_ranges_of(r, &rs) == 0, "ranges");
	uint64_t h = rl_oracle_checksum(root, &rs);
	rl_ranges_free(&rs);
	return h;
}

static void test_checksum_ignores_addresses_and_layout(void)
{
	rl_region *a = region("a"), *b = region("b");
	rl_val la = list(a, 50);
	/* The same list in b, allocated front to back with garbage in between. */
	rl_val lb = RL_NIL, *tail = &lb;
	for (intptr_t i = 0; i < 50; i++) {
		(void)string(b, "garbage between the cells");
		*tail = cons(b, rl_fixnum(i), RL_NIL);
		tail = &rl_ptr(*tail)->w[1];
	}
	CHECK(sum_in(la, a) == sum_in(lb, b), "same list, other region and layout: equal checksums");
	CHECK(rl_oracle_checksum(la, NULL) == rl_oracle_checksum(lb, NULL), "internal = NULL: equal too");
	rl_ptr(cdr(cdr(lb)))->w[0] = rl_fixnum(100);
	CHECK(sum_in(la, a) != sum_in(lb, b), "one fixnum changed: checksums differ");
	rl_region_destroy(a);
	rl_region_destroy(b);
}

static void test_checksum_tree_vs_dag(void)
{
	rl_region *r = region("r");
	rl_val leaf = box(r, 1);
	rl_val dag = cons(r, leaf, leaf);
	rl_val tree = cons(r, box(r, 1), box(r, 1));
	CHECK(sum_in(dag, r) != sum_in(tree, r), "tree and DAG with the same values must differ");
	/* The ladder x_i = cons(x_{i-1}, x_{i-1}) against its unshared twin of depth 3. */
	rl_val x = box(r, 0);
	for (int i = 0; i < 3; i++)
		x = cons(r, x, x);
	rl_val y0 = cons(r, cons(r, box(r, 0), box(r, 0)), cons(r, box(r, 0), box(r, 0)));
	rl_val y1 = cons(r, cons(r, box(r, 0), box(r, 0)), cons(r, box(r, 0), box(r, 0)));
	rl_val y = cons(r, y0, y1);
	CHECK(sum_in(x, r) != sum_in(y, r), "ladder and tree differ");
	rl_census cx, cy;
	rl_ranges rs;
	CHECK(rl_ranges_of(r, &rs) == 0, "ranges");
	CHECK(rl_oracle_census(x, &rs, &cx) == 0 && rl_oracle_census(y, &rs, &cy) == 0, "census");
	rl_ranges_free(&rs);
	CHECK(cx.objects == 4 && cx.bytes == 4 * 24 - 8, "ladder: 3 conses + 1 box: %zu objects, %zu bytes",
	      cx.objects, cx.bytes);
	CHECK(cy.objects == 15, "tree: 7 conses + 8 boxes, census says %zu", cy.objects);
	rl_region_destroy(r);
}

static void test_checksum_ring_vs_list(void)
{
	rl_region *r = region("r");
	CHECK(sum_in(ring(r, 5), r) != sum_in(list(r, 5), r), "ring and list of the same values differ");
	CHECK(sum_in(ring(r, 5), r) == sum_in(ring(r, 5), r), "two rings of the same values are equal");
	CHECK(sum_in(ring(r, 5), r) != sum_in(ring(r, 6), r), "rings of different lengths differ");
	rl_region_destroy(r);
}

/* Same objects, same counts, only the target of a back edge differs:
 * (B . B) with B = (A) against (B . B) with B = (B). */
static void test_checksum_back_edge_target(void)
{
	rl_region *r = region("r");
	rl_val b1 = cons(r, RL_NIL, RL_NIL), a1 = cons(r, b1, b1);
	rl_ptr(b1)->w[0] = a1;
	rl_val b2 = cons(r, RL_NIL, RL_NIL), a2 = cons(r, b2, b2);
	rl_ptr(b2)->w[0] = b2;
	CHECK(sum_in(a1, r) != sum_in(a2, r), "back edge to the root and self loop must differ");
	rl_ptr(b2)->w[0] = a2;
	CHECK(sum_in(a1, r) == sum_in(a2, r), "now isomorphic");
	rl_region_destroy(r);
}

/* A pointer out of `internal` is hashed by its address: redirecting it to an
 * equal object elsewhere changes the checksum. */
static void test_checksum_external_by_address(void)
{
	rl_region *r = region("r"), *o = region("o");
	rl_val e1 = box(o, 3), e2 = box(o, 3);
	rl_val a = cons(r, e1, RL_NIL), b = cons(r, e2, RL_NIL);
	CHECK(sum_in(a, r) != sum_in(b, r), "external pointers hashed by address");
	CHECK(rl_oracle_checksum(a, NULL) == rl_oracle_checksum(b, NULL), "internal = NULL follows them");
	rl_census c;
	rl_ranges rs;
	CHECK(rl_ranges_of(r, &rs) == 0, "ranges");
	CHECK(rl_oracle_census(a, &rs, &c) == 0, "census");
	rl_ranges_free(&rs);
	CHECK(c.objects == 1 && c.bytes == 24, "census stops at the region's edge: %zu objects", c.objects);
	rl_region_destroy(r);
	rl_region_destroy(o);
}

/* 10^6 cells deep: the oracle's walks must not recurse. */
static void test_deep_list(void)
{
	enum { N = 1000000 };
	struct trial t;
	trial_begin(&t);
	t.root = list(t.src, N);
	CHECK(rl_oracle_before_call(&t.b, t.root, t.src, t.dst) == 0, "before_call");
	t.have_before = true;
	CHECK(t.b.census.objects == N && t.b.census.bytes == (size_t)N * 24, "census of a deep list: %zu",
	      t.b.census.objects);
	CHECK(rl_oracle_checksum(t.root, NULL) != 0, "checksum with internal = NULL");
	t.out = copy_list(t.dst, t.root);
	CHECK(sum_in(t.out, t.dst) == t.b.checksum, "deep copy has the original's checksum");
	CHECK(after_success(&t, true) == 0, "deep list: %s", t.why);
	trial_end(&t);
}

/* ---- after_failure ---------------------------------------------------------------- */
struct failure_setup {
	rl_region *src, *dst;
	rl_val root;
	rl_oracle_before b;
	char why[512];
};

static void failure_begin(struct failure_setup *f)
{
	f->src = region("src");
	f->dst = region("dst");
	(void)list(f->dst, 10);
	f->root = cons(f->src, box(f->src, 1), cons(f->src, string(f->src, "s"), RL_NIL));
	CHECK(rl_oracle_before_call(&f->b, f->root, f->src, f->dst) == 0, "before_call");
	CHECK(rl_oracle_after_failure(&f->b, f->src, f->dst, f->why, sizeof f->why) == 0,
	      "nothing happened yet: %s", f->why);
}

static void failure_end(struct failure_setup *f)
{
	rl_oracle_before_free(&f->b);
	rl_region_destroy(f->src);
	rl_region_destroy(f->dst);
}

static void expect_failure_reason(struct failure_setup *f, const char *reason)
{
	CHECK(rl_oracle_after_failure(&f->b, f->src, f->dst, f->why, sizeof f->why) == -1,
	      "after_failure missed: %s", reason);
	CHECK(strstr(f->why, reason) != NULL, "after_failure said \"%s\", expected \"%s\"", f->why, reason);
}

static void test_failure_dst_not_rolled_back(void)
{
	struct failure_setup f;
	failure_begin(&f);
	(void)tcopy(f.src, f.dst, f.root); /* a partial copy left behind */
	expect_failure_reason(&f, "dst not rolled back");
	rl_region_rollback(f.dst, &f.b.dst_mark);
	CHECK(rl_oracle_after_failure(&f.b, f.src, f.dst, f.why, sizeof f.why) == 0, "rolled back: %s", f.why);
	/* Now past a block boundary. */
	for (int i = 0; i < 5000; i++)
		(void)box(f.dst, i);
	expect_failure_reason(&f, "dst not rolled back");
	rl_region_rollback(f.dst, &f.b.dst_mark);
	CHECK(rl_oracle_after_failure(&f.b, f.src, f.dst, f.why, sizeof f.why) == 0, "rolled back: %s", f.why);
	failure_end(&f);
}

static void test_failure_dst_byte_changed(void)
{
	struct failure_setup f;
	failure_begin(&f);
	rl_obj *first = rl_block_first_obj(f.dst->small.head);
	first->w[0] ^= 8;
	expect_failure_reason(&f, "dst_changed: a byte of dst differs");
	failure_end(&f);
}

static void test_failure_src_byte_changed(void)
{
	struct failure_setup f;
	failure_begin(&f);
	rl_obj *s = rl_ptr(car(cdr(f.root)));
	((char *)s->w)[0] = 't';
	expect_failure_reason(&f, "src_changed: after a failed call");
	((char *)s->w)[0] = 's';
	CHECK(rl_oracle_after_failure(&f.b, f.src, f.dst, f.why, sizeof f.why) == 0, "restored: %s", f.why);
	rl_obj *head = rl_ptr(f.root);
	uint64_t hdr = head->hdr;
	head->hdr = rl_hdr_forward_to(rl_ptr(f.root)); /* a borrowed header not given back */
	expect_failure_reason(&f, "src_changed: after a failed call");
	head->hdr = hdr;
	failure_end(&f);
}

static void test_failure_leaked_strategy_memory(void)
{
	struct failure_setup f;
	failure_begin(&f);
	void *p = rl_mem_alloc(100);
	CHECK(p != NULL, "rl_mem_alloc");
	expect_failure_reason(&f, "leak: 100 strategy bytes still held");
	rl_mem_free(p, 100);
	CHECK(rl_oracle_after_failure(&f.b, f.src, f.dst, f.why, sizeof f.why) == 0, "freed: %s", f.why);
	failure_end(&f);
}

static void test_failure_leaked_block(void)
{
	struct failure_setup f;
	failure_begin(&f);
	rl_region *scratch = region("strategy scratch");
	(void)box(scratch, 1);
	expect_failure_reason(&f, "leak: 1 blocks still live");
	rl_region_destroy(scratch);
	CHECK(rl_oracle_after_failure(&f.b, f.src, f.dst, f.why, sizeof f.why) == 0, "destroyed: %s", f.why);
	failure_end(&f);
}

/* ---- the oracle keeps out of the strategies' way ------------------------------------ */
static void test_oracle_uses_no_strategy_memory(void)
{
	struct trial t;
	trial_begin(&t);
	t.root = list(t.src, 3000); /* enough to grow the oracle's map and stack */
	rl_mem_stats before = *rl_mem_stats_self();
	rl_fault_fail_at(1);
	CHECK(rl_oracle_before_call(&t.b, t.root, t.src, t.dst) == 0, "before_call under fault injection");
	t.have_before = true;
	CHECK(rl_fault_count() == 0, "the oracle made %llu counted allocations",
	      (unsigned long long)rl_fault_count());
	rl_fault_fail_at(0);
	t.out = copy_list(t.dst, t.root);
	rl_fault_fail_at(1);
	int rc = check_copy(&t);
	uint64_t counted = rl_fault_count();
	rl_fault_fail_at(0);
	CHECK(rc == 0, "check_copy: %s", t.why);
	CHECK(counted == 0, "check_copy made %llu counted allocations", (unsigned long long)counted);
	rl_mem_stats after = *rl_mem_stats_self();
	CHECK(after.live_bytes == before.live_bytes && after.mallocs == before.mallocs,
	      "oracle memory showed up in strategy accounting");
	trial_end(&t);
}

/* ---- ranges and region hash --------------------------------------------------------- */
static void test_ranges_and_region_hash(void)
{
	rl_region *r = region("r");
	rl_ranges empty;
	CHECK(rl_ranges_of(r, &empty) == 0 && empty.n == 0, "an empty region has no ranges");
	CHECK(!rl_ranges_contain(&empty, 4096), "empty ranges contain nothing");
	rl_ranges_free(&empty);
	uint64_t h0 = rl_oracle_region_hash(r);
	rl_val first = box(r, 1);
	for (int i = 0; i < 10000; i++)
		(void)box(r, i);
	rl_obj *big = zobj(r, RL_T_BLOB, (uint32_t)(2 * rl_block_size));
	rl_ranges rs;
	CHECK(rl_ranges_of(r, &rs) == 0, "ranges");
	CHECK(rs.n == r->small.count + r->large.count && rs.n >= 3, "one range per block: %zu", rs.n);
	for (size_t i = 0; i + 1 < rs.n; i++)
		CHECK(rs.hi[i] <= rs.lo[i + 1], "ranges sorted and disjoint");
	CHECK(rl_ranges_contain(&rs, first) && rl_ranges_contain(&rs, (uintptr_t)big), "objects inside");
	CHECK(rl_ranges_contain(&rs, (uintptr_t)big + 2 * rl_block_size), "end of a large object inside");
	rl_block *b = r->small.head;
	CHECK(rl_ranges_contain(&rs, (uintptr_t)b) && rl_ranges_contain(&rs, (uintptr_t)b->limit - 1),
	      "block bounds inside");
	CHECK(!rl_ranges_contain(&rs, (uintptr_t)static_box()), "static data outside");
	rl_ranges_free(&rs);

	uint64_t h1 = rl_oracle_region_hash(r);
	CHECK(h1 != h0 && h1 == rl_oracle_region_hash(r), "region hash is a function of the bytes");
	((unsigned char *)big->w)[rl_block_size + 3] ^= 1;
	CHECK(rl_oracle_region_hash(r) != h1, "one byte of a large object changes the hash");
	((unsigned char *)big->w)[rl_block_size + 3] ^= 1;
	CHECK(rl_oracle_region_hash(r) == h1, "restored");
	rl_ptr(first)->hdr = rl_hdr_forward_to(big);
	CHECK(rl_oracle_region_hash(r) != h1, "a header borrowed changes the hash");
	rl_region_destroy(r);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_correct_copy_is_accepted);
	RL_RUN(test_held_subregion_written);
	RL_RUN(test_correct_copy_accepted_without_reading_src);
	RL_RUN(test_zero_copy_splice_is_accepted);
	RL_RUN(test_adoption_is_accepted);
	RL_RUN(test_ranges_follow_the_family);
	RL_RUN(test_pointer_into_dst_kept);
	RL_RUN(test_non_object_roots);
	RL_RUN(test_lost_sharing);
	RL_RUN(test_merged_objects);
	RL_RUN(test_pointer_left_into_src);
	RL_RUN(test_survivor_catches_pointer_into_freed_src);
	RL_RUN(test_after_success_unreadable_src_catches_pointer_into_src);
	RL_RUN(test_broken_cycle);
	RL_RUN(test_ring_unrolled);
	RL_RUN(test_changed_box_value);
	RL_RUN(test_changed_fixnum);
	RL_RUN(test_changed_string_byte);
	RL_RUN(test_padding_is_ignored);
	RL_RUN(test_changed_raw_word_of_ffi_type);
	RL_RUN(test_changed_type);
	RL_RUN(test_changed_size);
	RL_RUN(test_external_pointer_replaced_by_copy);
	RL_RUN(test_static_pointer_replaced_by_copy);
	RL_RUN(test_source_header_left_forwarded);
	RL_RUN(test_check_copy_reads_through_barrier);
	RL_RUN(test_defect_deep_in_a_long_list);
	RL_RUN(test_checksum_ignores_addresses_and_layout);
	RL_RUN(test_checksum_tree_vs_dag);
	RL_RUN(test_checksum_ring_vs_list);
	RL_RUN(test_checksum_back_edge_target);
	RL_RUN(test_checksum_external_by_address);
	RL_RUN(test_deep_list);
	RL_RUN(test_failure_dst_not_rolled_back);
	RL_RUN(test_failure_dst_byte_changed);
	RL_RUN(test_failure_src_byte_changed);
	RL_RUN(test_failure_leaked_strategy_memory);
	RL_RUN(test_failure_leaked_block);
	RL_RUN(test_oracle_uses_no_strategy_memory);
	RL_RUN(test_ranges_and_region_hash);
	return rl_test_summary(argv[0]);
}
