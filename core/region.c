/* Regions and their block chains (see regionlab/region.h for the layout).
 *
 * Invariant: every block of a region is B-aligned, starts with an rl_block
 * header whose `region` names its owner, and holds objects packed from
 * rl_block_data(b) up to b->top. */
#include "regionlab/region.h"

#include <stdlib.h>
#include <string.h>

#include "regionlab/adopt.h"
#include "regionlab/block_pool.h"
#include "regionlab/mem.h"

size_t rl_block_size = RL_BLOCK_SIZE_DEFAULT;

static atomic_ulong region_ids;
static atomic_ulong block_seq;
static atomic_size_t blocks_live;
static atomic_size_t block_bytes_live;

/* ---- page source ----------------------------------------------------------- */
static void *system_pages_alloc(size_t bytes, size_t align) { return aligned_alloc(align, bytes); }
static void system_pages_free(void *p, size_t bytes)
{
	(void)bytes;
	free(p);
}

const rl_page_source rl_pages_system = {
	.name = "system",
	.alloc = system_pages_alloc,
	.free = system_pages_free,
};

/* Blocks are recycled through the pool (regionlab/block_pool.h) by default. */
static const rl_page_source *page_source = &rl_pages_pooled;

void rl_set_page_source(const rl_page_source *ps) { page_source = ps; }
const rl_page_source *rl_page_source_current(void) { return page_source; }
size_t rl_blocks_live(void) { return atomic_load_explicit(&blocks_live, memory_order_relaxed); }
size_t rl_block_bytes_live(void) { return atomic_load_explicit(&block_bytes_live, memory_order_relaxed); }

int rl_set_block_size(size_t bytes)
{
	if (bytes < RL_BLOCK_SIZE_MIN || bytes > RL_BLOCK_SIZE_MAX || (bytes & (bytes - 1)) != 0)
		return -1;
	if (rl_blocks_live() != 0)
		return -1;
	rl_block_size = bytes;
	return 0;
}

size_t rl_small_object_max(void) { return rl_small_object_max_of(rl_block_size); }

bool rl_region_chain_has(const rl_region *owner, const rl_region *r)
{
	for (; owner != NULL; owner = owner->parent)
		if (owner == r)
			return true;
	return false;
}

/* ---- blocks ---------------------------------------------------------------- */
static rl_block *block_new(rl_region *owner, size_t bytes, uint32_t flags)
{
	if (rl_fault_next())
		return NULL;
	rl_block *b = page_source->alloc(bytes, rl_block_size);
	if (b == NULL)
		return NULL;
	rl_mem_stats_self()->block_allocs++;
	atomic_fetch_add_explicit(&blocks_live, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&block_bytes_live, bytes, memory_order_relaxed);
	memset(b, 0, RL_BLOCK_HEADER);
	b->magic = RL_BLOCK_MAGIC;
	b->flags = flags;
	b->region = owner;
	b->top = rl_block_data(b);
	b->limit = (char *)b + bytes;
	b->seq = atomic_fetch_add_explicit(&block_seq, 1, memory_order_relaxed);
	return b;
}


uint64_t rl_block_seq_peek(void) { return atomic_load_explicit(&block_seq, memory_order_relaxed); }

#ifdef RL_DEBUG
static bool poison = true;
#else
static const bool poison = false;
#endif

void rl_region_set_poison(bool on)
{
#ifdef RL_DEBUG
	poison = on;
#else
	(void)on;
#endif
}

static void block_free(rl_block *b)
{
	size_t bytes = rl_block_bytes(b);
	if (poison)
		memset(b, RL_POISON_BYTE, bytes);
	page_source->free(b, bytes);
	atomic_fetch_sub_explicit(&blocks_live, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&block_bytes_live, bytes, memory_order_relaxed);
}

static void free_chain(rl_block *b)
{
	while (b != NULL) {
		rl_block *next = b->next;
		block_free(b);
		b = next;
	}
}

void rl_block_list_append(rl_block_list *l, rl_block *b)
{
	b->next = NULL;
	if (l->tail != NULL)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
	l->count++;
}

void rl_block_list_splice(rl_block_list *to, rl_block_list *from, rl_region *new_owner)
{
	for (rl_block *b = from->head; b != NULL; b = b->next)
		b->region = new_owner;
	rl_block_list_concat(to, from);
}

void rl_block_list_concat(rl_block_list *to, rl_block_list *from)
{
	if (from->head == NULL)
		return;
	if (to->tail != NULL)
		to->tail->next = from->head;
	else
		to->head = from->head;
	to->tail = from->tail;
	to->count += from->count;
	from->head = from->tail = NULL;
	from->count = 0;
}

size_t rl_block_list_take(rl_block_list *to, rl_block_list *from, rl_region *new_owner,
			  bool (*take)(rl_block *b, void *env), void *env)
{
	rl_block_list kept = { 0 };
	size_t moved = 0;
	rl_block *next;
	for (rl_block *b = from->head; b != NULL; b = next) {
		next = b->next;
		if (take(b, env)) {
			b->region = new_owner;
			moved += (size_t)(b->top - rl_block_data(b));
			rl_block_list_append(to, b);
		} else {
			rl_block_list_append(&kept, b);
		}
	}
	*from = kept;
	return moved;
}

/* ---- regions --------------------------------------------------------------- */
rl_region *rl_region_create(const char *name)
{
	rl_region *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->id = atomic_fetch_add_explicit(&region_ids, 1, memory_order_relaxed) + 1;
	atomic_init(&r->external_rc, 1);
	r->name = name;
	return r;
}

void rl_region_destroy(rl_region *r)
{
	if (r == NULL)
		return;
	if (rl_region_family_leave(r))
		return; /* an adopted alias: its RCB goes with its adopter */
	rl_region_family_release(r);
	free_chain(r->small.head);
	free_chain(r->large.head);
	free(r);
}

static void *alloc_large(rl_region *r, size_t bytes)
{
	size_t need = RL_BLOCK_HEADER + bytes;
	size_t total = (need + rl_block_size - 1) & ~(rl_block_size - 1);
	if (total < need) /* overflow */
		return NULL;
	rl_block *b = block_new(r, total, RL_BLOCK_LARGE);
	if (b == NULL)
		return NULL;
	rl_block_list_append(&r->large, b);
	void *p = b->top;
	b->top += bytes;
	r->bytes_used += bytes;
	return p;
}

void *rl_region_alloc(rl_region *r, size_t bytes)
{
	bytes = (bytes + 7u) & ~(size_t)7u;
	if (bytes > rl_small_object_max())
		return alloc_large(r, bytes);
	rl_block *b = r->small.tail;
	if (b == NULL || (size_t)(b->limit - b->top) < bytes) {
		b = block_new(r, rl_block_size, 0);
		if (b == NULL)
			return NULL;
		rl_block_list_append(&r->small, b);
	}
	void *p = b->top;
	b->top += bytes;
	r->bytes_used += bytes;
	return p;
}

rl_obj *rl_obj_new(rl_region *r, unsigned type, uint32_t payload_bytes)
{
	rl_obj *o = rl_region_alloc(r, rl_obj_footprint(payload_bytes));
	if (o != NULL)
		rl_obj_init(o, type, 0, payload_bytes);
	return o;
}

rl_block *rl_region_add_block(rl_region *r, size_t bytes, bool large)
{
	rl_block *b = block_new(r, bytes, large ? RL_BLOCK_LARGE : 0);
	if (b != NULL)
		rl_block_list_append(large ? &r->large : &r->small, b);
	return b;
}

rl_region_mark rl_region_mark_now(const rl_region *r)
{
	rl_region_mark m = {
		.small_tail = r->small.tail,
		.large_tail = r->large.tail,
		.top = r->small.tail != NULL ? r->small.tail->top : NULL,
		.small_count = r->small.count,
		.large_count = r->large.count,
		.bytes_used = r->bytes_used,
		.seq = rl_block_seq_peek(),
	};
	return m;
}

static void truncate_list(rl_block_list *l, rl_block *tail, size_t count)
{
	rl_block *rest = tail != NULL ? tail->next : l->head;
	free_chain(rest);
	if (tail != NULL)
		tail->next = NULL;
	else
		l->head = NULL;
	l->tail = tail;
	l->count = count;
}

void rl_region_rollback(rl_region *r, const rl_region_mark *m)
{
	truncate_list(&r->small, m->small_tail, m->small_count);
	truncate_list(&r->large, m->large_tail, m->large_count);
	if (m->small_tail != NULL) {
		if (poison)
			memset(m->top, RL_POISON_BYTE, (size_t)(m->small_tail->top - m->top));
		m->small_tail->top = m->top;
	}
	r->bytes_used = m->bytes_used;
}

static void rewarm_block(rl_block *b, void *env) { *(unsigned char *)env ^= rl_pages_read(b, rl_block_bytes(b)); }

void rl_region_rewarm(rl_region *r)
{
	unsigned char sum = 0;
	rl_region_for_each_block(r, rewarm_block, &sum);
	(void)sum;
}

/* One byte of every RL_CACHE_LINE of the block, from its header to its bump
 * pointer: the lines its objects occupy. */
static void read_block_lines(rl_block *b, void *env)
{
	*(unsigned char *)env ^= rl_lines_read(b, (size_t)(b->top - (const char *)b));
}

unsigned char rl_region_read_lines(rl_region *r)
{
	unsigned char sum = 0;
	rl_region_for_each_block(r, read_block_lines, &sum);
	return sum;
}

size_t rl_region_footprint(const rl_region *r)
{
	size_t total = 0;
	for (const rl_block *b = r->small.head; b != NULL; b = b->next)
		total += rl_block_bytes(b);
	for (const rl_block *b = r->large.head; b != NULL; b = b->next)
		total += rl_block_bytes(b);
	return total;
}

/* One chain kind of r and of its family: the family's blocks are r's too
 * (rl_region_contains follows parent links); sub-regions keep their own
 * chains, aliases' are empty. */
static void for_each_in_family(rl_region *r, bool large, void (*fn)(rl_block *b, void *env), void *env)
{
	rl_block *next;
	for (rl_block *b = large ? r->large.head : r->small.head; b != NULL; b = next) {
		next = b->next; /* fn may move b to another list */
		fn(b, env);
	}
	for (rl_region *c = r->children; c != NULL; c = c->sibling)
		for_each_in_family(c, large, fn, env);
}

void rl_region_for_each_block(rl_region *r, void (*fn)(rl_block *b, void *env), void *env)
{
	for_each_in_family(r, false, fn, env);
	for_each_in_family(r, true, fn, env);
}

static void add_bytes(rl_block *b, void *env) { *(size_t *)env += rl_block_bytes(b); }

size_t rl_region_family_footprint(const rl_region *r)
{
	size_t total = 0;
	rl_region_for_each_block((rl_region *)r, add_bytes, &total); /* add_bytes writes nothing */
	return total;
}

static void count_small(rl_block *b, void *env) { *(size_t *)env += !(b->flags & RL_BLOCK_LARGE); }
static void count_any(rl_block *b, void *env)
{
	(void)b;
	++*(size_t *)env;
}

void rl_region_count_blocks(rl_region *r, size_t *small, size_t *all)
{
	*small = *all = 0;
	rl_region_for_each_block(r, count_small, small);
	rl_region_for_each_block(r, count_any, all);
}
