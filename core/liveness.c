/* Block liveness (see regionlab/liveness.h).
 *
 * Invariant: an object of src is marked in the shadow exactly when the trace
 * has reached it and added its footprint to its block's counter (during a
 * run, the footprints marked in the block being scanned wait in a register
 * until the scan leaves that block); a marked
 * object with value slots has either been scanned, is being scanned, or is on
 * the worklist.  Objects without slots are never queued. */
#include "regionlab/liveness.h"

#include <string.h>

#include "regionlab/adopt.h"
#include "regionlab/copy.h"
#include "regionlab/mem.h"

#define LOG_MIN 4096u      /* slots the log holds at first, at least */
#define LOG_PER_BLOCK 64u  /* and per block of src */
#define LOG_SPARSE 32u     /* it grows while it holds at most one slot per 32 bytes marked */

/* log2 of the shadow words of one small block, what core/shadow.c gives each
 * slice: ((B - 64) / 8 + 63) / 64 = B / 512 for every power-of-two B >= 4 KiB. */
static unsigned small_slice_shift(void)
{
	size_t words = ((rl_block_size - RL_BLOCK_HEADER) / 8 + 63) / 64;
	return (unsigned)__builtin_ctzll(words);
}

int rl_liveness_init(rl_liveness *lv, rl_region *src)
{
	lv->src = src;
	/* counters in rl_region_for_each_block's order: small blocks, then large */
	rl_region_count_blocks(src, &lv->nsmall, &lv->nblocks);
	lv->slice_shift = small_slice_shift();
	lv->objects = lv->bytes = 0;
	lv->forwarded_refs = 0;
	lv->nlog = 0;
	lv->log_cap = LOG_MIN + LOG_PER_BLOCK * lv->nblocks;
	lv->log_overflow = false;
	lv->live = rl_mem_calloc(lv->nblocks ? lv->nblocks : 1, sizeof *lv->live);
	if (lv->live == NULL)
		return -1;
	/* Plain memory, not a reservation: fresh pages would fault on every
	 * call (about 10 us each here), recycled heap pages do not. */
	lv->log = rl_mem_alloc(lv->log_cap * sizeof *lv->log);
	if (lv->log == NULL)
		goto fail_live;
	if (rl_shadow_attach(&lv->shadow, src) != 0)
		goto fail_log;
	/* Every object takes at least one word: room for all of them, those of
	 * src's sub-regions included (the trace reaches them too). */
	if (rl_worklist_init(&lv->wl, rl_region_family_bytes(src) / 8 + 1) != 0)
		goto fail_shadow;
	return 0;
fail_shadow:
	rl_shadow_detach(&lv->shadow);
fail_log:
	rl_mem_free(lv->log, lv->log_cap * sizeof *lv->log);
fail_live:
	rl_mem_free(lv->live, (lv->nblocks ? lv->nblocks : 1) * sizeof *lv->live);
	lv->live = NULL;
	return -1;
}

void rl_liveness_reset(rl_liveness *lv)
{
	memset(lv->shadow.bits, 0, lv->shadow.bytes);
	memset(lv->live, 0, (lv->nblocks ? lv->nblocks : 1) * sizeof *lv->live);
	lv->wl.len = 0;
	lv->objects = lv->bytes = lv->forwarded_refs = 0;
	lv->nlog = 0;
	lv->log_overflow = false;
}

void rl_liveness_fini(rl_liveness *lv)
{
	if (lv->live == NULL)
		return;
	rl_worklist_fini(&lv->wl);
	rl_shadow_detach(&lv->shadow);
	rl_mem_free(lv->log, lv->log_cap * sizeof *lv->log);
	rl_mem_free(lv->live, (lv->nblocks ? lv->nblocks : 1) * sizeof *lv->live);
	lv->live = NULL;
}

/* True when block b belongs to src (or to a region src adopted, or to one of
 * its sub-regions): rl_region_contains without the header test. */
static bool in_src(const rl_region *src, const rl_block *b)
{
	const rl_region *owner = b->region;
	return owner == src || (owner->parent != NULL && rl_region_chain_has(owner->parent, src));
}

/* Doubles the log's room while the slots that crossed blocks are few beside
 * the bytes marked (lv->bytes, counted up to the block the trace left last):
 * then fixing from the log is far cheaper than a pass over every moved
 * object.  Where most slots cross (shuffled layouts) the pass costs about
 * what the log would, and the log stays at its first size, as it did before
 * it could grow (splice on a shuffled 10^5 tree: 15.3 million instructions
 * per call; 17.6 million when it grew to an eighth of src's words).  False
 * when it does not grow, or the allocation failed (the log keeps what it
 * holds). */
static __attribute__((noinline, cold)) bool grow_log(rl_liveness *lv)
{
	if (lv->nlog * LOG_SPARSE > lv->bytes)
		return false;
	size_t cap = lv->log_cap * 2;
	rl_val **log = rl_mem_alloc(cap * sizeof *log);
	if (log == NULL)
		return false;
	memcpy(log, lv->log, lv->nlog * sizeof *log);
	rl_mem_free(lv->log, lv->log_cap * sizeof *lv->log);
	lv->log = log;
	lv->log_cap = cap;
	return true;
}

/* Logs slot s of an object of block `from`, unless from outlives src (a held
 * sub-region's: never moved, and its holder's objects are not to be fixed). */
static inline __attribute__((always_inline)) void log_slot(rl_liveness *lv, rl_val *s, const rl_block *from)
{
	if (from->region != lv->src && !rl_region_dies_with(from->region, lv->src))
		return;
	if (lv->nlog < lv->log_cap || (!lv->log_overflow && grow_log(lv)))
		lv->log[lv->nlog++] = s;
	else
		lv->log_overflow = true;
}

/* The general case of one slot, out of the trace's loop: marks the object *s
 * points at if it is an unmarked object of src, adding its footprint to its
 * block's counter and to the totals at once; returns it when it needs a scan,
 * else NULL.  Forwarded objects are counted and skipped (see the header),
 * static ones skipped.  `from` is the block of the object that holds slot s
 * (its slots pointing into other blocks are logged), NULL for a root. */
static rl_obj *reach(rl_liveness *lv, rl_val *s, const rl_block *from)
{
	rl_val v = *s;
	if (!rl_is_ptr(v))
		return NULL;
	rl_obj *o = rl_ptr(v);
	uint64_t h = o->hdr;
	rl_block *b = rl_block_of(o);
	if (h & (RL_HDR_FORWARD | RL_OBJ_STATIC)) {
		if (rl_hdr_is_forward(h) && in_src(lv->src, b)) {
			lv->forwarded_refs++;
			if (from != NULL)
				log_slot(lv, s, from);
		}
		return NULL;
	}
	if (!in_src(lv->src, b))
		return NULL;
	if (from != NULL && b != from)
		log_slot(lv, s, from);
	uint64_t *bits = b->scratch;
	size_t i = rl_shadow_index(o, b);
	uint64_t bit = UINT64_C(1) << (i & 63);
	if (bits[i >> 6] & bit)
		return NULL;
	bits[i >> 6] |= bit;
	uint32_t size = (uint32_t)rl_obj_footprint(rl_hdr_bytes(h));
	*rl_liveness_counter(lv, b) += size;
	lv->bytes += size;
	lv->objects++;
	return rl_hdr_may_have_slots(h) ? o : NULL;
}

void rl_liveness_add_root(rl_liveness *lv, rl_val v)
{
	rl_obj *o = reach(lv, &v, NULL);
	if (o != NULL)
		rl_worklist_push(&lv->wl, o);
}

void rl_liveness_mark_only(rl_liveness *lv, rl_val v) { reach(lv, &v, NULL); }

void rl_liveness_scan(rl_liveness *lv, rl_obj *o) { rl_worklist_push(&lv->wl, o); }

/* Adds the bytes a run has marked in block b, and not yet counted, to b's
 * counter and to the total. */
static void flush_block(rl_liveness *lv, const rl_block *b, uint64_t bytes)
{
	if (b != NULL) {
		*rl_liveness_counter(lv, b) += (uint32_t)bytes;
		lv->bytes += bytes;
	}
}

/* One run of the trace; `budgeted` is a constant in each instance, so a
 * complete trace carries no budget check.
 *
 * The loop handles inline only what a graph laid out in allocation order
 * does almost always: a slot pointing at an unforwarded object in the block
 * of the object being scanned (`ob`).  Such a child is in src (its block
 * is), its slot needs no log entry, and its footprint goes to `ob_bytes`, a
 * register added to ob's counter when the scan moves to another block.
 * Everything else (another block, a forwarded or static object) goes to
 * reach() out of line.  Of the children an object reveals in its own block,
 * the first one with slots is scanned next without a push (lists never touch
 * the worklist, and a tree allocated depth first is read in address order:
 * last child first was 2.5x slower on a 10^6-node tree), so the scan leaves
 * ob only through the worklist, and only a pop compares blocks. */
static inline __attribute__((always_inline)) bool run(rl_liveness *lv, bool budgeted, uint64_t budget)
{
	const uintptr_t mask = ~(uintptr_t)(rl_block_size - 1);
	const uint64_t bytes_before = lv->bytes;
	rl_layout l = { .hdr = RL_HDR_FORWARD };
	uint64_t objects = 0, ob_bytes = 0;
	const rl_block *ob = NULL;
	bool done = true;
	rl_obj *o = rl_worklist_pop(&lv->wl);
	if (o != NULL)
		ob = (const rl_block *)((uintptr_t)o & mask);
	while (o != NULL) {
		/* The slots of o, as rl_slots_begin/rl_slots_next list them
		 * (pointer map, then tail), from the layout of its header,
		 * kept while the headers repeat. */
		uint64_t h = o->hdr;
		if (h != l.hdr)
			rl_layout_of(&l, h);
		rl_obj *next = NULL;
		uint64_t map = l.map;
		for (size_t i = map ? (size_t)__builtin_ctzll(map) : l.next; i < l.end || map != 0;) {
			rl_val v = o->w[i];
			if (rl_is_ptr(v)) {
				rl_obj *c = rl_ptr(v);
				uint64_t ch;
				if ((v & mask) != (uintptr_t)ob || ((ch = c->hdr) & (RL_HDR_FORWARD | RL_OBJ_STATIC))) {
					rl_obj *far = reach(lv, &o->w[i], ob);
					if (far != NULL)
						rl_worklist_push(&lv->wl, far);
				} else {
					uint64_t *bits = ob->scratch;
					size_t bi = rl_shadow_index(c, ob);
					uint64_t bit = UINT64_C(1) << (bi & 63);
					if (!(bits[bi >> 6] & bit)) {
						bits[bi >> 6] |= bit;
						objects++;
						/* A child shaped like o has slots and o's footprint. */
						bool slotted = ch == l.hdr;
						ob_bytes += slotted ? l.size : rl_obj_footprint(rl_hdr_bytes(ch));
						if (slotted || rl_hdr_may_have_slots(ch)) {
							if (next == NULL)
								next = c;
							else
								rl_worklist_push(&lv->wl, c);
						}
					}
				}
			}
			if (map != 0) {
				map &= map - 1;
				i = map ? (size_t)__builtin_ctzll(map) : l.next;
			} else {
				i++;
			}
		}
		if (next != NULL) {
			o = next;
		} else if ((o = rl_worklist_pop(&lv->wl)) != NULL) {
			const rl_block *b = (const rl_block *)((uintptr_t)o & mask);
			if (b != ob) {
				flush_block(lv, ob, ob_bytes);
				ob = b;
				ob_bytes = 0;
			}
		}
		if (budgeted && o != NULL && lv->bytes - bytes_before + ob_bytes >= budget) {
			rl_worklist_push(&lv->wl, o);
			done = false;
			break;
		}
	}
	flush_block(lv, ob, ob_bytes);
	lv->objects += objects;
	return done;
}

static bool run_complete(rl_liveness *lv) { return run(lv, false, 0); }
static bool run_budgeted(rl_liveness *lv, uint64_t budget) { return run(lv, true, budget); }

bool rl_liveness_run(rl_liveness *lv, uint64_t budget)
{
	return budget == UINT64_MAX ? run_complete(lv) : run_budgeted(lv, budget);
}

void rl_liveness_trace(rl_liveness *lv, rl_val v)
{
	rl_liveness_add_root(lv, v);
	rl_liveness_run(lv, UINT64_MAX);
}

/* The first and last marked objects of small block b; false when none. */
static bool marked_span(const rl_block *b, const char **lo, const char **hi)
{
	const uint64_t *bits = b->scratch;
	const char *data = (const char *)b + RL_BLOCK_HEADER;
	size_t words = ((size_t)(b->top - data) / 8 + 63) / 64, first = words, last = 0;
	for (size_t w = 0; w < words; w++) {
		if (bits[w] != 0) {
			first = w;
			break;
		}
	}
	if (first == words)
		return false;
	for (size_t w = words; w-- > first;) {
		if (bits[w] != 0) {
			last = w;
			break;
		}
	}
	*lo = data + ((first * 64 + (size_t)__builtin_ctzll(bits[first])) << 3);
	const rl_obj *end = (const rl_obj *)(data + ((last * 64 + 63 - (size_t)__builtin_clzll(bits[last])) << 3));
	*hi = (const char *)end + rl_obj_size(end);
	return true;
}

double rl_liveness_density(const rl_liveness *lv)
{
	/* Small blocks only (a large block holds one object: always "dense",
	 * it says nothing about the stretches around it).  Each block's
	 * live/span, weighted by its live bytes: a trace marks
	 * the children it will visit later when it meets them, so a block the
	 * trace has only glanced at can hold one mark far from the others;
	 * weighting leaves such blocks out of the estimate. */
	double weighted = 0;
	uint64_t live = 0;
	for (const rl_region *m = lv->src; m != NULL; m = rl_region_family_next(lv->src, m)) {
		for (const rl_block *b = m->small.head; b != NULL; b = b->next) {
			size_t c = rl_liveness_block(lv, b);
			const char *lo, *hi;
			if (c != 0 && marked_span(b, &lo, &hi)) {
				weighted += (double)c * (double)c / (double)(hi - lo);
				live += c;
			}
		}
	}
	return live != 0 ? weighted / (double)live : 1.0;
}

void rl_liveness_for_each_in_block(const rl_liveness *lv, rl_block *b, void (*fn)(rl_obj *o, void *env), void *env)
{
	(void)lv;
	const uint64_t *bits = b->scratch;
	char *data = rl_block_data(b);
	size_t words = (b->flags & RL_BLOCK_LARGE) ? 1 : ((size_t)(b->top - data) / 8 + 63) / 64;
	for (size_t w = 0; w < words; w++) {
		uint64_t word = bits[w];
		while (word) {
			unsigned bit = (unsigned)__builtin_ctzll(word);
			word &= word - 1;
			fn((rl_obj *)(data + ((w * 64 + bit) << 3)), env);
		}
	}
}

void rl_liveness_take_dense(rl_liveness *lv, double threshold)
{
	for (rl_region *m = lv->src; m != NULL; m = rl_region_family_next(lv->src, m)) {
		for (int chain = 0; chain < 2; chain++) {
			for (rl_block *b = chain ? m->large.head : m->small.head; b != NULL; b = b->next) {
				uint32_t *cnt = rl_liveness_counter(lv, b);
				if (*cnt != 0 && (double)*cnt >= threshold * (double)rl_block_used(b))
					*cnt |= RL_LIVE_TAKE;
			}
		}
	}
}
