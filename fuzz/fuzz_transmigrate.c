/* Differential fuzz target: a random object graph made from the input bytes
 * goes through every registered transmigrator, and the oracle judges each
 * copy (the whole contract of regionlab/transmigrator.h: isomorphism, no
 * pointer into freed memory, outside pointers untouched, a declined call
 * changes nothing, no block and no strategy memory leaked).  Any violation
 * aborts with the strategy and the oracle's reason: libFuzzer saves the input.
 *
 * The input is a little program (all bytes optional: a missing byte reads 0):
 *   byte 0          layout: bit 0 = shuffled
 *   byte 1          garbage ratio: 0, 0.5, 1 or 3 (low two bits)
 *   byte 2          object count: 1 + b % MAX_OBJECTS
 *   per object      a kind byte (cons, vector, box-int, box-double, string,
 *                   symbol, blob, closure, an FFI record) whose top two bits
 *                   put a leaf in the outside region or a sub-region, then its
 *                   size and raw bytes
 *   per slot        a value: a fixnum, an immediate, or a pointer to any of
 *                   the objects (so sharing and cycles of every shape)
 * Object 0 is the root. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/mem.h"
#include "regionlab/transmigrator.h"
#include "workloads/build.h"

#define MAX_OBJECTS 48
#define BIG_BLOB 70000 /* larger than a block (4 KiB here, 64 KiB by default) */

struct input {
	const uint8_t *p;
	size_t n, at;
};

static struct input input;

static unsigned take(void) { return input.at < input.n ? input.p[input.at++] : 0; }

static uint64_t take64(void)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)take() << (8 * i);
	return v;
}

static void take_bytes(void *to, size_t len)
{
	unsigned char *b = to;
	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)take();
}

enum kind { K_CONS, K_VECTOR, K_BOX_INT, K_BOX_DOUBLE, K_STRING, K_SYMBOL, K_BLOB, K_CLOSURE, K_RECORD, K_COUNT };

/* One object of the program: a leaf may live outside src or in a sub-region
 * (neither may point at an object of src, so only leaves go there). */
static rl_obj *make_object(rl_wl_ctx *w, unsigned code, int record_type)
{
	enum kind k = (enum kind)((code & 0x3f) % K_COUNT);
	bool leaf = k == K_BOX_INT || k == K_BOX_DOUBLE || k == K_STRING || k == K_SYMBOL || k == K_BLOB;
	rl_obj *(*new_obj)(rl_wl_ctx *, unsigned, uint32_t) = rl_wl_new;
	if (leaf && (code >> 6) == 3)
		new_obj = rl_wl_outside_new;
	else if (leaf && (code >> 6) == 2)
		new_obj = rl_wl_sub_new;
	rl_obj *o;
	uint32_t len;
	switch (k) {
	case K_CONS:
		return new_obj(w, RL_T_CONS, 16);
	case K_VECTOR:
		return new_obj(w, RL_T_VECTOR, (take() % 6) * 8);
	case K_BOX_INT:
	case K_BOX_DOUBLE:
		o = new_obj(w, k == K_BOX_INT ? RL_T_BOX_INT : RL_T_BOX_DOUBLE, 8);
		if (o != NULL)
			o->w[0] = take64();
		return o;
	case K_STRING:
	case K_SYMBOL:
		len = take() % 24;
		o = new_obj(w, k == K_STRING ? RL_T_STRING : RL_T_SYMBOL, len + 1);
		if (o != NULL)
			take_bytes(o->w, len); /* the NUL is there: payloads come zeroed */
		return o;
	case K_BLOB:
		len = take();
		len = len == 255 ? BIG_BLOB : len % 48;
		o = new_obj(w, RL_T_BLOB, len);
		if (o != NULL)
			take_bytes(o->w, len < 64 ? len : 64);
		return o;
	case K_CLOSURE:
		o = new_obj(w, RL_T_CLOSURE, (1 + take() % 4) * 8);
		if (o != NULL)
			o->w[0] = take64(); /* the raw code word */
		return o;
	default:
		o = new_obj(w, (unsigned)record_type, 40);
		if (o != NULL)
			take_bytes(o->w, 40); /* raw words stay, slots are set below */
		return o;
	}
}

static rl_val slot_value(rl_obj *const *objs, size_t count)
{
	unsigned b = take();
	if (b < 0x30)
		return rl_fixnum((int8_t)take());
	if (b < 0x38) {
		static const rl_val immediates[] = { RL_NIL, RL_TRUE, RL_FALSE, RL_UNSPEC };
		return (b & 4) ? rl_char(take()) : immediates[b & 3];
	}
	return rl_val_of(objs[take() % count]);
}

static rl_val build(rl_wl_ctx *w, size_t n)
{
	(void)n;
	int record_type = rl_wl_user_type(w, "fuzz-record", 40, 0x15); /* words 0, 2, 4 are slots */
	if (record_type < 0)
		return RL_NIL;
	rl_obj *objs[MAX_OBJECTS];
	bool inside[MAX_OBJECTS];
	size_t count = 1 + take() % MAX_OBJECTS;
	for (size_t i = 0; i < count; i++) {
		unsigned code = take();
		if (i == 0)
			code &= 0x3f; /* the root lives in src */
		size_t before = rl_wl_count(w);
		if ((objs[i] = make_object(w, code, record_type)) == NULL)
			return RL_NIL;
		inside[i] = rl_wl_count(w) > before;
	}
	for (size_t i = 0; i < count; i++) {
		if (!inside[i])
			continue; /* leaves: no slot */
		rl_slot_iter it;
		rl_val *s;
		for (rl_slots_begin(&it, objs[i]); (s = rl_slots_next(&it)) != NULL;)
			*s = slot_value(objs, count);
	}
	return rl_val_of(objs[0]);
}

static const struct rl_workload fuzz_graph = {
	.name = "fuzz-graph",
	.summary = "a graph made from fuzzer input",
	.default_size = 1,
	.options = NULL,
	.build = build,
};

#define FAIL(...)                                                     \
	do {                                                          \
		fprintf(stderr, "fuzz_transmigrate: %s: ", tm->name); \
		fprintf(stderr, __VA_ARGS__);                         \
		fputc('\n', stderr);                                  \
		abort();                                              \
	} while (0)

static rl_val load_through_barrier(void *env, rl_val *slot)
{
	void **b = env;
	const struct rl_transmigrator *tm = b[0];
	return tm->read(b[1], slot);
}

/* One strategy on a fresh build of the graph, judged as the contract suite
 * (tests/test_contract.c) judges it. */
static void trial(const struct rl_transmigrator *tm, const rl_kv_list *params)
{
	char err[512], why[512];
	size_t blocks_before = rl_blocks_live();
	rl_graph g;
	input.at = 3;
	if (rl_graph_make(&fuzz_graph, 1, 1, params, &g, err, sizeof err) != 0)
		FAIL("cannot build the graph: %s", err);
	if (tm->caps & RL_TM_ADOPTS_SRC) /* legal only when src's sole owner hands it over */
		atomic_store(&g.src->external_rc, 1);
	rl_region *dst = rl_region_create("dst");
	rl_oracle_before before;
	if (dst == NULL || rl_oracle_before_call(&before, g.root, g.src, dst) != 0)
		FAIL("out of memory setting up");
	rl_kv_list no_opts = { 0 };
	rl_tm_ctx ctx = { .opts = &no_opts };
	size_t mem_before = rl_mem_stats_self()->live_bytes;
	rl_val out = RL_NIL;
	int rc = tm->transmigrate(&ctx, g.src, dst, g.root, &out);
	if (rc == RL_TM_EPRECONDITION) {
		if (rl_oracle_after_failure(&before, g.src, dst, why, sizeof why) != 0)
			FAIL("declined, but: %s", why);
	} else if (rc != RL_TM_OK) {
		FAIL("transmigrate returned %d (%s)", rc, rl_tm_strerror(rc));
	} else {
		if (tm->caps & RL_TM_INCREMENTAL) {
			rl_ranges doomed;
			if (rl_ranges_of(g.src, &doomed) != 0)
				FAIL("out of memory");
			void *b[2] = { (void *)tm, &ctx };
			int verdict = rl_oracle_check_copy(g.root, out, &before.src, &doomed, load_through_barrier, b,
							   why, sizeof why);
			rl_ranges_free(&doomed);
			if (verdict != 0)
				FAIL("before finish(): %s", why);
		}
		if ((rc = tm->finish(&ctx)) != RL_TM_OK)
			FAIL("finish() returned %d (%s)", rc, rl_tm_strerror(rc));
		if ((tm->caps & RL_TM_BORROWS_SRC) && rl_oracle_region_hash(g.src) != before.src_hash)
			FAIL("src differs from before the call after success");
		if (rl_oracle_after_success(&before, g.root, out, &g.src, dst, !(tm->caps & RL_TM_CONSUMES_SRC), why,
					    sizeof why) != 0)
			FAIL("%s", why);
		if (rl_mem_stats_self()->live_bytes != mem_before)
			FAIL("strategy memory: %zu bytes held after the call, %zu before",
			     rl_mem_stats_self()->live_bytes, mem_before);
	}
	rl_oracle_before_free(&before);
	rl_region_destroy(dst);
	rl_graph_free(&g);
	if (rl_blocks_live() != blocks_before)
		FAIL("%zu blocks live after the trial, %zu before", rl_blocks_live(), blocks_before);
}

/* 4 KiB blocks: many blocks per graph (objects at block ends, blobs larger
 * than a block), and a block costs 16 times fewer page faults than 64 KiB. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (rl_set_block_size(RL_BLOCK_SIZE_MIN) != 0) {
		fprintf(stderr, "fuzz_transmigrate: cannot set the block size\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const garbage[] = { "0", "0.5", "1", "3" };
	input = (struct input){ data, size, 0 };
	char spec[64], err[256];
	const char *layout = take() & 1 ? "shuffled" : "alloc";
	snprintf(spec, sizeof spec, "layout=%s,garbage=%s", layout, garbage[take() & 3]);
	rl_kv_list params;
	if (rl_kv_parse(spec, &params, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_transmigrate: %s\n", err);
		abort();
	}
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++)
		trial(rl_transmigrators[i], &params);
	return 0;
}
