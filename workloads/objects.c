/* Workloads about object kinds rather than shape: one huge vector, blobs
 * larger than a block, closures with raw code words, user (FFI) struct types
 * with holes in their pointer maps, and pointers that leave the region. */
#include <stdio.h>

#include "workloads/build.h"

#define MAX_VECTOR_SLOTS (RL_OBJ_MAX_BYTES / sizeof(rl_val))

/* A vector of `slots` zeroed slots, or NULL (after rl_wl_fail) when too big. */
static rl_obj *new_vector(rl_wl_ctx *w, size_t slots)
{
	if (slots > MAX_VECTOR_SLOTS) {
		rl_wl_fail(w, "%zu slots: a vector holds at most %zu", slots, (size_t)MAX_VECTOR_SLOTS);
		return NULL;
	}
	return rl_wl_new(w, RL_T_VECTOR, (uint32_t)(slots * sizeof(rl_val)));
}

/* ---- vector ------------------------------------------------------------------ */
#define VECTOR_STRINGS 16

/* One vector of n slots, each at random a fixnum, a fresh boxed int, or one
 * of VECTOR_STRINGS shared strings (allocated on first use, so every object
 * is reachable). */
static rl_val build_vector(rl_wl_ctx *w, size_t n)
{
	rl_obj *strings[VECTOR_STRINGS] = { NULL };
	rl_obj *vec = new_vector(w, n);
	if (vec == NULL)
		return RL_NIL;
	for (size_t i = 0; i < n; i++) {
		uint64_t r = rl_wl_rand(w);
		rl_obj *o = NULL;
		switch (r % 3) {
		case 0:
			vec->w[i] = rl_fixnum((intptr_t)(r >> 34));
			continue;
		case 1:
			o = rl_wl_box_int(w, (int64_t)(r >> 2));
			break;
		default: {
			size_t s = (size_t)(r >> 2) % VECTOR_STRINGS;
			if (strings[s] == NULL) {
				char text[32];
				snprintf(text, sizeof text, "shared-string-%zu", s);
				strings[s] = rl_wl_string(w, text);
			}
			o = strings[s];
			break;
		}
		}
		if (o == NULL)
			return RL_NIL;
		vec->w[i] = rl_val_of(o);
	}
	return rl_val_of(vec);
}

/* ---- blobs ------------------------------------------------------------------- */
#define BLOB_STRING_EVERY 4

/* n blobs of 1x to 3x the block size (each gets large blocks of its own),
 * filled with seeded bytes, held by one vector together with a small string
 * after every BLOB_STRING_EVERY blobs. */
static rl_val build_blobs(rl_wl_ctx *w, size_t n)
{
	size_t strings = n / BLOB_STRING_EVERY;
	if (rl_block_size * 3 > RL_OBJ_MAX_BYTES) {
		rl_wl_fail(w, "block size %zu: blobs of 3 blocks would not fit an object", rl_block_size);
		return RL_NIL;
	}
	rl_obj *vec = new_vector(w, n + strings);
	if (vec == NULL)
		return RL_NIL;
	size_t slot = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t bytes = (uint32_t)(rl_block_size + 1 + rl_wl_rand_below(w, 2 * rl_block_size));
		rl_obj *blob = rl_wl_new(w, RL_T_BLOB, bytes);
		if (blob == NULL)
			return RL_NIL;
		unsigned char *raw = (unsigned char *)blob->w;
		for (uint32_t at = 0; at < bytes; at += sizeof(uint64_t)) {
			uint64_t r = rl_wl_rand(w);
			uint32_t len = bytes - at < sizeof r ? bytes - at : (uint32_t)sizeof r;
			memcpy(raw + at, &r, len);
		}
		vec->w[slot++] = rl_val_of(blob);
		if ((i + 1) % BLOB_STRING_EVERY == 0) {
			char text[32];
			snprintf(text, sizeof text, "after-blob-%zu", i);
			rl_obj *s = rl_wl_string(w, text);
			if (s == NULL)
				return RL_NIL;
			vec->w[slot++] = rl_val_of(s);
		}
	}
	return rl_val_of(vec);
}

/* ---- closures ---------------------------------------------------------------- */
/* Closure payload: a raw code word (never traced), then captured values. */
#define CLOSURE_CODE 0
#define CLOSURE_FIXNUM 1
#define CLOSURE_STRING 2
#define CLOSURE_PREV 3
#define CLOSURE_WORDS 4
#define CLOSURE_STRING_SHARED_BY 8

/* Stand-ins for code addresses: aligned like pointers, so a strategy that
 * traces the raw word by mistake dereferences garbage and is caught. */
static const uint64_t fake_code[] = {
	UINT64_C(0x00005eed0c0de000),
	UINT64_C(0x00005eed0c0de040),
	UINT64_C(0x00005eed0c0de080),
	UINT64_C(0x00005eed0c0de0c0),
};

/* n closures, each capturing a fixnum, a string (shared by runs of
 * CLOSURE_STRING_SHARED_BY closures: ~1.125n objects) and the previous
 * closure; the root is the last, so the chain is n deep. */
static rl_val build_closures(rl_wl_ctx *w, size_t n)
{
	rl_obj *prev = NULL, *string = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *c = rl_wl_new(w, RL_T_CLOSURE, CLOSURE_WORDS * sizeof(rl_val));
		if (c == NULL)
			return RL_NIL;
		if (i % CLOSURE_STRING_SHARED_BY == 0) {
			char text[48];
			snprintf(text, sizeof text, "captured-%zu-%llu", i,
				 (unsigned long long)rl_wl_rand_below(w, 1000000));
			string = rl_wl_string(w, text);
			if (string == NULL)
				return RL_NIL;
		}
		c->w[CLOSURE_CODE] = (rl_val)fake_code[i % (sizeof fake_code / sizeof fake_code[0])];
		c->w[CLOSURE_FIXNUM] = rl_fixnum((intptr_t)i);
		c->w[CLOSURE_STRING] = rl_val_of(string);
		c->w[CLOSURE_PREV] = prev != NULL ? rl_val_of(prev) : RL_NIL;
		prev = c;
	}
	return rl_val_of(prev);
}

/* ---- ffi --------------------------------------------------------------------- */
/* User struct types, described only by size and pointer map:
 *   ffi-point {x, y}                              16 bytes, no pointers
 *   ffi-edge  {from, to, weight}                  pointers in words 0 and 1
 *   ffi-node  {id, point, flags, edge, hash, next} pointers in words 1, 3, 5:
 *             the raw words between them are holes full of random bits. */
#define POINT_BYTES 16u
#define POINT_MAP UINT64_C(0)
#define EDGE_FROM 0
#define EDGE_TO 1
#define EDGE_WEIGHT 2
#define EDGE_BYTES 24u
#define EDGE_MAP UINT64_C(0x3)
#define NODE_ID 0
#define NODE_POINT 1
#define NODE_FLAGS 2
#define NODE_EDGE 3
#define NODE_HASH 4
#define NODE_NEXT 5
#define NODE_BYTES 48u
#define NODE_MAP ((UINT64_C(1) << NODE_POINT) | (UINT64_C(1) << NODE_EDGE) | (UINT64_C(1) << NODE_NEXT))
#define FFI_OBJECTS_PER_NODE 3

/* n / 3 nodes (at least one) in a list by `next`, each allocated with its
 * point and its edge; every edge runs from its node to a random node. */
static rl_val build_ffi(rl_wl_ctx *w, size_t n)
{
	int point_t = rl_wl_user_type(w, "ffi-point", POINT_BYTES, POINT_MAP);
	int edge_t = rl_wl_user_type(w, "ffi-edge", EDGE_BYTES, EDGE_MAP);
	int node_t = rl_wl_user_type(w, "ffi-node", NODE_BYTES, NODE_MAP);
	if (point_t < 0 || edge_t < 0 || node_t < 0)
		return RL_NIL;
	size_t nodes = n / FFI_OBJECTS_PER_NODE ? n / FFI_OBJECTS_PER_NODE : 1;
	size_t first = rl_wl_count(w);
	rl_obj *prev = NULL;
	for (size_t i = 0; i < nodes; i++) {
		rl_obj *node = rl_wl_new(w, (unsigned)node_t, NODE_BYTES);
		rl_obj *point = rl_wl_new(w, (unsigned)point_t, POINT_BYTES);
		rl_obj *edge = rl_wl_new(w, (unsigned)edge_t, EDGE_BYTES);
		if (edge == NULL)
			return RL_NIL;
		point->w[0] = (rl_val)rl_wl_rand(w);
		point->w[1] = (rl_val)rl_wl_rand(w);
		edge->w[EDGE_FROM] = rl_val_of(node);
		edge->w[EDGE_WEIGHT] = (rl_val)rl_wl_rand(w);
		node->w[NODE_ID] = (rl_val)i;
		node->w[NODE_POINT] = rl_val_of(point);
		node->w[NODE_FLAGS] = (rl_val)rl_wl_rand(w);
		node->w[NODE_EDGE] = rl_val_of(edge);
		node->w[NODE_HASH] = (rl_val)rl_wl_rand(w);
		if (prev != NULL)
			prev->w[NODE_NEXT] = rl_val_of(node);
		prev = node;
	}
	for (size_t i = 0; i < nodes; i++) {
		rl_obj *edge = rl_wl_object(w, first + i * FFI_OBJECTS_PER_NODE + 2);
		size_t to = (size_t)rl_wl_rand_below(w, nodes);
		edge->w[EDGE_TO] = rl_val_of(rl_wl_object(w, first + to * FFI_OBJECTS_PER_NODE));
	}
	return rl_val_of(rl_wl_object(w, first));
}

/* ---- cross-region ------------------------------------------------------------ */
/* Static objects live in no region: a header with RL_OBJ_STATIC, in read-only
 * memory, so a strategy that writes to one faults at once. */
#define STATIC_HDR(type, bytes) (((uint64_t)(bytes) << 32) | ((uint64_t)(type) << 8) | RL_OBJ_STATIC)

struct static_symbol {
	uint64_t hdr;
	char name[16];
};

#define STATIC_SYMBOL(text) { .hdr = STATIC_HDR(RL_T_SYMBOL, sizeof(text)), .name = text }

static const struct static_symbol static_symbols[] = {
	STATIC_SYMBOL("quote"),
	STATIC_SYMBOL("lambda"),
	STATIC_SYMBOL("define"),
	STATIC_SYMBOL("if"),
};
#define STATIC_SYMBOLS (sizeof static_symbols / sizeof static_symbols[0])
#define OUTSIDE_POOL 64

/* A list of n cells whose cars take turns: an object in the outside region,
 * a static symbol, a local boxed int.  The first two must survive every
 * strategy untouched (contract clause 3). */
static rl_val build_cross_region(rl_wl_ctx *w, size_t n)
{
	rl_obj *outside[OUTSIDE_POOL];
	size_t pool = n / 3 + 1 < OUTSIDE_POOL ? n / 3 + 1 : OUTSIDE_POOL;
	for (size_t j = 0; j < pool; j++) {
		outside[j] = rl_wl_outside_new(w, RL_T_BOX_INT, sizeof(int64_t));
		if (outside[j] == NULL)
			return RL_NIL;
		int64_t v = (int64_t)j;
		memcpy(outside[j]->w, &v, sizeof v);
	}
	rl_val head = RL_NIL;
	rl_obj *last = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *cell = rl_wl_cons(w, RL_NIL, RL_NIL);
		if (cell == NULL)
			return RL_NIL;
		switch (i % 3) {
		case 0:
			cell->w[0] = rl_val_of(outside[rl_wl_rand_below(w, pool)]);
			break;
		case 1:
			cell->w[0] = (rl_val)(uintptr_t)&static_symbols[rl_wl_rand_below(w, STATIC_SYMBOLS)];
			break;
		default: {
			rl_obj *box = rl_wl_box_int(w, (int64_t)i);
			if (box == NULL)
				return RL_NIL;
			cell->w[0] = rl_val_of(box);
			break;
		}
		}
		if (last != NULL)
			last->w[1] = rl_val_of(cell);
		else
			head = rl_val_of(cell);
		last = cell;
	}
	return head;
}

const struct rl_workload rl_wl_vector = {
	.name = "vector",
	.summary = "one vector of n slots: fixnums, fresh boxed ints and 16 shared strings, at random",
	.default_size = 1000000,
	.options = NULL,
	.build = build_vector,
};

const struct rl_workload rl_wl_blobs = {
	.name = "blobs",
	.summary = "n blobs of 1x-3x the block size with seeded bytes, in a vector with a string per 4 blobs",
	.default_size = 256,
	.options = NULL,
	.build = build_blobs,
};

const struct rl_workload rl_wl_closures = {
	.name = "closures",
	.summary = "chain of n closures: raw code word + fixnum, string (shared by 8), previous closure",
	.default_size = 1000000,
	.options = NULL,
	.build = build_closures,
};

const struct rl_workload rl_wl_ffi = {
	.name = "ffi",
	.summary = "~n user structs (ffi-node/point/edge) typed by size and pointer map only, holes included",
	.default_size = 1000000,
	.options = NULL,
	.build = build_ffi,
};

const struct rl_workload rl_wl_cross_region = {
	.name = "cross-region",
	.summary = "list of n cells whose cars point at an outside region, static symbols, local boxed ints",
	.default_size = 1000000,
	.options = NULL,
	.build = build_cross_region,
};
