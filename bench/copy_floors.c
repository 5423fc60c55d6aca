/* Reference floors of the copying strategies (see bench/copy_floors.h).
 *
 * Invariant of the copiers: an object of src is copied exactly when its
 * header holds a forwarding word to its copy; the copy holds the original
 * header and the original's payload is never written, so a copy's values
 * can be read from its original until the copy is scanned.  Every copy with
 * slots is scanned exactly once: Cheney's by the cursor that walks dst
 * behind the allocator, the depth-first ones because each is either being
 * scanned, the one scanned next, or on the stack. */
#include "bench/copy_floors.h"

#include <string.h>

#include "regionlab/copy.h"
#include "regionlab/shadow.h"
#include "regionlab/worklist.h"

/* The one-load membership of the floors: v's block names src. */
static inline bool in_src(const rl_region *src, uintptr_t mask, rl_val v)
{
	return rl_is_ptr(v) && ((const rl_block *)(v & mask))->region == src;
}

/* ---- tight Cheney -------------------------------------------------------------- */

/* What the scan keeps in registers besides its cursor: the allocator and the
 * last copy made, with its original and header. */
struct cheney_regs {
	rl_bump a;
	rl_obj *last;
	const rl_obj *last_from;
	uint64_t last_hdr;
};

static inline __attribute__((always_inline)) bool cheney_slot(const rl_region *src, rl_region *dst,
							       uintptr_t mask, size_t small_max,
							       struct cheney_regs *r, rl_val v, rl_val *to)
{
	if (!in_src(src, mask, v))
		return true;
	rl_obj *o = rl_ptr(v);
	uint64_t h = o->hdr;
	if (rl_hdr_is_forward(h)) {
		*to = rl_val_of(rl_hdr_forward_target(h));
		return true;
	}
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	if (size > small_max)
		return false;
	rl_obj *copy = rl_bump_alloc(&r->a, dst, size, small_max);
	if (copy == NULL)
		return false;
	rl_copy_object(copy, o, size);
	o->hdr = rl_hdr_forward_to(copy);
	*to = rl_val_of(copy);
	r->last = copy;
	r->last_from = o;
	r->last_hdr = h;
	return true;
}

/* `block_size` is rl_block_size, or a constant equal to it. */
static inline __attribute__((always_inline)) int floor_cheney(rl_region *src, rl_region *dst, rl_val root,
								 rl_val *out, size_t block_size)
{
	const uintptr_t mask = ~(uintptr_t)(block_size - 1);
	const size_t small_max = rl_small_object_max_of(block_size);
	struct cheney_regs r = { .last = NULL };
	rl_bump_load(&r.a, dst);
	*out = root;
	bool ok = cheney_slot(src, dst, mask, small_max, &r, root, out);
	if (ok && *out != root) {
		/* The scan starts at the root's copy: every later copy follows it
		 * on dst's small chain. */
		rl_block *sb = rl_block_of(r.last);
		char *sp = (char *)r.last;
		rl_layout l = { .hdr = RL_HDR_FORWARD };
		for (;;) {
			char *end = sb == r.a.b ? r.a.top : sb->top;
			if (sp >= end) {
				if (sb == r.a.b)
					break;
				sb = sb->next;
				sp = rl_block_data(sb);
				continue;
			}
			rl_obj *n = (rl_obj *)sp;
			const rl_obj *from = n;
			uint64_t h;
			if (n == r.last) {
				from = r.last_from;
				h = r.last_hdr;
			} else {
				h = n->hdr;
			}
			if (h != l.hdr)
				rl_layout_of(&l, h);
			uint64_t map = l.map;
			for (size_t i = map ? (size_t)__builtin_ctzll(map) : l.next; i < l.end || map != 0;) {
				ok = cheney_slot(src, dst, mask, small_max, &r, from->w[i], &n->w[i]);
				if (!ok)
					break;
				if (map != 0) {
					map &= map - 1;
					i = map ? (size_t)__builtin_ctzll(map) : l.next;
				} else {
					i++;
				}
			}
			if (!ok)
				break;
			sp += l.size;
		}
	}
	rl_bump_sync(&r.a, dst);
	return ok ? 0 : -1;
}

/* At the default block size the mask and the size limit are constants, as
 * in the module (core/cheney.c). */
static __attribute__((noinline)) int floor_cheney_default_blocks(rl_region *src, rl_region *dst, rl_val root,
								   rl_val *out)
{
	return floor_cheney(src, dst, root, out, RL_BLOCK_SIZE_DEFAULT);
}

int rl_floor_cheney(rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	if (rl_block_size == RL_BLOCK_SIZE_DEFAULT)
		return floor_cheney_default_blocks(src, dst, root, out);
	return floor_cheney(src, dst, root, out, rl_block_size);
}

/* ---- tight depth-first copy ------------------------------------------------------- */

/* Copies o (in src, header h, not forwarded) and forwards it: the copy, or
 * NULL when it is too big for the floors or dst cannot grow. */
static inline __attribute__((always_inline)) rl_obj *dfs_evacuate(rl_region *dst, size_t small_max, rl_bump *a,
								   rl_obj *o, uint64_t h)
{
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	if (size > small_max)
		return NULL;
	rl_obj *copy = rl_bump_alloc(a, dst, size, small_max);
	if (copy == NULL)
		return NULL;
	rl_copy_object(copy, o, size);
	o->hdr = rl_hdr_forward_to(copy);
	return copy;
}

static int dfs_copy(rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	const uintptr_t mask = ~(uintptr_t)(rl_block_size - 1);
	const size_t small_max = rl_small_object_max();
	*out = root;
	if (!in_src(src, mask, root))
		return 0;
	rl_worklist wl;
	if (rl_worklist_init(&wl, rl_region_footprint(src) / 8) != 0)
		return -1;
	rl_bump a;
	rl_bump_load(&a, dst);
	int rc = 0;
	rl_obj *o = rl_ptr(root);
	uint64_t h = o->hdr;
	rl_obj *c = dfs_evacuate(dst, small_max, &a, o, h);
	if (c == NULL) {
		rc = -1;
		goto out;
	}
	*out = rl_val_of(c);
	if (!rl_hdr_may_have_slots(h))
		goto out;
	const rl_obj *from = o;
	rl_layout l = { .hdr = RL_HDR_FORWARD };
	for (;;) {
		if (h != l.hdr)
			rl_layout_of(&l, h);
		rl_obj *next = NULL;
		const rl_obj *next_from = NULL;
		uint64_t next_h = 0;
		uint64_t map = l.map;
		for (size_t i = map ? (size_t)__builtin_ctzll(map) : l.next; i < l.end || map != 0;) {
			rl_val v = from->w[i];
			if (in_src(src, mask, v)) {
				rl_obj *x = rl_ptr(v);
				uint64_t xh = x->hdr;
				if (rl_hdr_is_forward(xh)) {
					c->w[i] = rl_val_of(rl_hdr_forward_target(xh));
				} else {
					rl_obj *xc = dfs_evacuate(dst, small_max, &a, x, xh);
					if (xc == NULL) {
						rc = -1;
						goto out;
					}
					c->w[i] = rl_val_of(xc);
					if (xh == l.hdr || rl_hdr_may_have_slots(xh)) {
						if (next == NULL) {
							next = xc;
							next_from = x;
							next_h = xh;
						} else {
							rl_worklist_push(&wl, xc);
						}
					}
				}
			}
			/* The next slot: the map's next bit, then the tail. */
			if (map != 0) {
				map &= map - 1;
				i = map ? (size_t)__builtin_ctzll(map) : l.next;
			} else {
				i++;
			}
		}
		if (next != NULL) {
			c = next;
			from = next_from;
			h = next_h;
		} else {
			c = rl_worklist_pop(&wl);
			if (c == NULL)
				break;
			from = c;
			h = c->hdr;
		}
	}
out:
	rl_bump_sync(&a, dst);
	rl_worklist_fini(&wl);
	return rc;
}

int rl_floor_dfs(rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	return dfs_copy(src, dst, root, out);
}

/* Gives every forwarded header of the objects of block b back from its copy,
 * in address order. */
static void restore_block(rl_block *b)
{
	for (char *p = rl_block_data(b); p < b->top;) {
		rl_obj *x = (rl_obj *)p;
		uint64_t h = x->hdr;
		if (rl_hdr_is_forward(h)) {
			h = rl_hdr_forward_target(h)->hdr;
			x->hdr = h;
		}
		p += rl_obj_footprint(rl_hdr_bytes(h));
	}
}

int rl_floor_dfs_restore(rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	int rc = dfs_copy(src, dst, root, out);
	for (rl_block *b = src->small.head; b != NULL; b = b->next)
		restore_block(b);
	for (rl_block *b = src->large.head; b != NULL; b = b->next)
		restore_block(b);
	return rc;
}

/* ---- mark-only trace ---------------------------------------------------------------- */

int rl_floor_mark(rl_region *src, rl_val root, size_t *marked)
{
	const uintptr_t mask = ~(uintptr_t)(rl_block_size - 1);
	*marked = 0;
	if (!in_src(src, mask, root))
		return 0;
	rl_shadow shadow;
	rl_worklist wl;
	if (rl_shadow_attach(&shadow, src) != 0)
		return -1;
	if (rl_worklist_init(&wl, rl_region_footprint(src) / 8) != 0) {
		rl_shadow_detach(&shadow);
		return -1;
	}
	size_t count = 1;
	rl_obj *o = rl_ptr(root);
	rl_shadow_mark(o);
	rl_layout l = { .hdr = RL_HDR_FORWARD };
	uint64_t h = o->hdr;
	if (!rl_hdr_may_have_slots(h))
		o = NULL;
	while (o != NULL) {
		if (h != l.hdr)
			rl_layout_of(&l, h);
		rl_obj *next = NULL;
		uint64_t next_h = 0;
		uint64_t map = l.map;
		for (size_t i = map ? (size_t)__builtin_ctzll(map) : l.next; i < l.end || map != 0;) {
			rl_val v = o->w[i];
			if (in_src(src, mask, v) && !rl_shadow_test_and_set(rl_ptr(v))) {
				rl_obj *x = rl_ptr(v);
				uint64_t xh = x->hdr;
				count++;
				if (xh == l.hdr || rl_hdr_may_have_slots(xh)) {
					if (next == NULL) {
						next = x;
						next_h = xh;
					} else {
						rl_worklist_push(&wl, x);
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
			h = next_h;
		} else {
			o = rl_worklist_pop(&wl);
			if (o != NULL)
				h = o->hdr;
		}
	}
	rl_worklist_fini(&wl);
	rl_shadow_detach(&shadow);
	*marked = count;
	return 0;
}

/* ---- block memcpy, then pointer fixup ------------------------------------------------- */

/* Copies block b's objects into dst in one piece (one allocation of the
 * bytes in use: a block of its own when they pass the small-object limit,
 * as a full block's do) and records the distance in b->scratch.  False when
 * dst cannot grow. */
static bool copy_block(rl_region *dst, rl_block *b)
{
	size_t used = (size_t)(b->top - rl_block_data(b));
	if (used == 0) {
		b->scratch = NULL;
		return true;
	}
	char *to = rl_region_alloc(dst, used);
	if (to == NULL)
		return false;
	memcpy(to, rl_block_data(b), used);
	b->scratch = (void *)(to - rl_block_data(b));
	return true;
}

/* Adds its block's distance to every slot of the copies in [p, end) that
 * points into src. */
static void fixup_range(const rl_region *src, uintptr_t mask, char *p, char *end)
{
	rl_layout l = { .hdr = RL_HDR_FORWARD };
	while (p < end) {
		rl_obj *n = (rl_obj *)p;
		uint64_t h = n->hdr;
		if (h != l.hdr)
			rl_layout_of(&l, h);
		for (uint64_t map = l.map; map != 0; map &= map - 1) {
			unsigned i = (unsigned)__builtin_ctzll(map);
			rl_val v = n->w[i];
			if (in_src(src, mask, v))
				n->w[i] = v + (uintptr_t)((const rl_block *)(v & mask))->scratch;
		}
		for (size_t i = l.next; i < l.end; i++) {
			rl_val v = n->w[i];
			if (in_src(src, mask, v))
				n->w[i] = v + (uintptr_t)((const rl_block *)(v & mask))->scratch;
		}
		p += l.size;
	}
}

static void fixup_chain(const rl_region *src, uintptr_t mask, rl_block *b)
{
	for (; b != NULL; b = b->next) {
		if (b->scratch == NULL)
			continue;
		char *copy = rl_block_data(b) + (uintptr_t)b->scratch;
		fixup_range(src, mask, copy, copy + (b->top - rl_block_data(b)));
	}
}

static void clear_scratch(rl_block *b)
{
	for (; b != NULL; b = b->next)
		b->scratch = NULL;
}

int rl_floor_fixup(rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	const uintptr_t mask = ~(uintptr_t)(rl_block_size - 1);
	*out = root;
	if (!in_src(src, mask, root))
		return 0;
	bool ok = true;
	for (rl_block *b = src->small.head; b != NULL && ok; b = b->next)
		ok = copy_block(dst, b);
	for (rl_block *b = src->large.head; b != NULL && ok; b = b->next)
		ok = copy_block(dst, b);
	if (ok) {
		fixup_chain(src, mask, src->small.head);
		fixup_chain(src, mask, src->large.head);
		*out = root + (uintptr_t)((const rl_block *)(root & mask))->scratch;
	}
	clear_scratch(src->small.head);
	clear_scratch(src->large.head);
	return ok ? 0 : -1;
}
