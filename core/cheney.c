/* Cheney's copying traversal (see regionlab/cheney.h).
 *
 * Invariant: every object of the to-space (dst past the mark) is the copy of
 * exactly one source object whose header holds a forwarding word to it; the
 * copies before the scan cursors have had all their slots rewritten, the ones
 * after it still hold the source's values.  A copy is created while its
 * discoverer (the copy whose slot first reached the original) is scanned, so
 * the discoverer comes before it in scan order: either earlier on the same
 * chain, or on the other chain.  rl_cheney_restore relies on exactly that.
 * The scan may read a copy's values from its original instead (the last
 * copy made, kept in registers): the original's payload is never written,
 * so both hold the same values until the copy's slots are rewritten.  The
 * release walk for held sub-regions settles copies in the restore's order;
 * an original it has settled forwards again unless its block outlives src,
 * and a copy behind the walk's cursor is never made ready twice. */
#include "regionlab/cheney.h"

#include "regionlab/adopt.h"

void rl_tospace_cursor_at(rl_tospace_cursor *cur, const rl_region_mark *mark)
{
	cur->sb = mark->small_tail;
	cur->sp = mark->top;
	cur->lb = mark->large_tail;
}

void rl_cheney_begin(rl_cheney *c, const rl_region *src, rl_region *dst)
{
	c->src = src;
	c->dst = dst;
	c->mark = rl_region_mark_now(dst);
	rl_tospace_cursor_at(&c->scan, &c->mark);
	c->bytes_copied = 0;
	c->release_held = false;
	c->roots = 0;
	c->root = RL_NIL;
	for (const rl_region *m = src; m != NULL; m = rl_region_family_next(src, m))
		if (!rl_region_dies_with(m, src))
			c->release_held = true;
}

#define SCAN_OOM (-1)
#define SCAN_BUDGET 1

/* What one run of the scan keeps in registers: the allocator, the bytes it
 * has copied (counted only by a budgeted run: the complete one reads them
 * from dst's byte count, every allocation of the run being a copy), and the
 * last copy it made with its original and header.
 * When the scan reaches that copy next (always, on a list), it reads the
 * values from the original, whose payload is never written, instead of
 * loading back the copy it has just stored. */
struct scan_state {
	rl_bump a;
	uint64_t copied; /* bytes copied by this run, when budgeted */
	rl_obj *last;
	const rl_obj *last_from;
	uint64_t last_hdr;
};

/* What a run of the scan holds constant: `budgeted` is a constant in each
 * instance of the loop, so the complete (non-incremental) scan carries no
 * budget check at all. */
struct scan_env {
	const rl_region *src;
	rl_region *dst;
	uintptr_t mask; /* ~(rl_block_size - 1), in a register */
	size_t small_max;
	bool budgeted;
	uint64_t budget;
};

/* Forwards value `v` (read from the original or the copy) into *to: 0,
 * SCAN_OOM when dst cannot grow, SCAN_BUDGET when the copy would take the
 * bytes copied past the budget (nothing copied then). */
static inline __attribute__((always_inline)) int scan_slot(const struct scan_env *e, struct scan_state *st, rl_val v,
							    rl_val *to)
{
	if (!rl_region_contains_masked(e->src, v, e->mask))
		return 0;
	rl_obj *o = rl_ptr(v);
	uint64_t h = o->hdr;
	if (rl_hdr_is_forward(h)) {
		*to = (rl_val)rl_hdr_forward_target(h);
		return 0;
	}
	size_t size = rl_obj_footprint(rl_hdr_bytes(h));
	if (e->budgeted && st->copied + size > e->budget)
		return SCAN_BUDGET;
	rl_obj *copy = rl_bump_alloc(&st->a, e->dst, size, e->small_max);
	if (copy == NULL)
		return SCAN_OOM;
	rl_copy_object(copy, o, size);
	o->hdr = rl_hdr_forward_to(copy);
	*to = rl_val_of(copy);
	if (e->budgeted)
		st->copied += size;
	st->last = copy;
	st->last_from = o;
	st->last_hdr = h;
	return 0;
}

/* Rewrites the slots of copy n (laid out as l), reading their values from
 * `from` (n's original or n itself): 0, or what scan_slot reported (n is
 * then partly scanned; scanning it again from the start is harmless, its
 * rewritten slots point outside src and its original's were never
 * written). */
static inline __attribute__((always_inline)) int scan_object(const struct scan_env *e, struct scan_state *st,
							      const rl_layout *l, rl_obj *n, const rl_obj *from)
{
	/* The map's bits, then the tail [next, end), in one loop. */
	uint64_t map = l->map;
	for (size_t i = map ? (size_t)__builtin_ctzll(map) : l->next; i < l->end || map != 0;) {
		int r = scan_slot(e, st, from->w[i], &n->w[i]);
		if (r != 0)
			return r;
		if (map != 0) {
			map &= map - 1;
			i = map ? (size_t)__builtin_ctzll(map) : l->next;
		} else {
			i++;
		}
	}
	return 0;
}

/* One run of the scan (rl_cheney_scan), e->budgeted a constant. */
static inline __attribute__((always_inline)) int scan_run(rl_cheney *c, const struct scan_env *e)
{
	rl_region *dst = c->dst;
	rl_block *sb = c->scan.sb;
	char *sp = c->scan.sp;
	struct scan_state st = { .copied = 0 };
	rl_layout l = { .hdr = RL_HDR_FORWARD };
	int rc = 0;
	const size_t used_before = dst->bytes_used;
	rl_bump_load(&st.a, dst);
	for (;;) {
		/* The small chain first: the copies of the block being filled
		 * end at the allocator's top, the others at their own. */
		for (;;) {
			if (sb == NULL) {
				if (dst->small.head == NULL)
					break;
				sb = dst->small.head;
				sp = rl_block_data(sb);
			}
			char *end = sb == st.a.b ? st.a.top : sb->top;
			if (sp >= end) {
				if (sb->next == NULL)
					break;
				sb = sb->next;
				sp = rl_block_data(sb);
				continue;
			}
			rl_obj *n = (rl_obj *)sp;
			const rl_obj *from = n;
			uint64_t h;
			if (n == st.last) {
				from = st.last_from;
				h = st.last_hdr;
			} else {
				h = n->hdr;
			}
			if (h != l.hdr)
				rl_layout_of(&l, h);
			int r = scan_object(e, &st, &l, n, from);
			if (r != 0) {
				rc = r == SCAN_OOM ? -1 : 0;
				goto out;
			}
			sp += l.size;
		}
		rl_bump_sync(&st.a, dst);
		rl_obj *n = rl_tospace_large_peek(&c->scan, dst);
		if (n == NULL) {
			rc = 1;
			goto out;
		}
		if (n->hdr != l.hdr)
			rl_layout_of(&l, n->hdr);
		int r = scan_object(e, &st, &l, n, n);
		if (r != 0) {
			rc = r == SCAN_OOM ? -1 : 0;
			goto out;
		}
		rl_tospace_large_advance(&c->scan, dst);
	}
out:
	rl_bump_sync(&st.a, dst);
	c->scan.sb = sb;
	c->scan.sp = sp;
	c->bytes_copied += e->budgeted ? st.copied : dst->bytes_used - used_before;
	return rc;
}

static inline struct scan_env scan_env_of(const rl_cheney *c, bool budgeted, uint64_t budget)
{
	return (struct scan_env){ .src = c->src, .dst = c->dst, .mask = ~(uintptr_t)(rl_block_size - 1),
				  .small_max = rl_small_object_max(), .budgeted = budgeted, .budget = budget };
}

/* The complete scan at the default block size: the block mask is a
 * constant (an immediate operand), one register fewer in the loop. */
static __attribute__((noinline)) int scan_complete_default_blocks(rl_cheney *c)
{
	struct scan_env e = scan_env_of(c, false, 0);
	e.mask = ~(uintptr_t)(RL_BLOCK_SIZE_DEFAULT - 1);
	e.small_max = rl_small_object_max_of(RL_BLOCK_SIZE_DEFAULT);
	return scan_run(c, &e);
}

static __attribute__((noinline)) int scan_complete(rl_cheney *c)
{
	if (rl_block_size == RL_BLOCK_SIZE_DEFAULT)
		return scan_complete_default_blocks(c);
	const struct scan_env e = scan_env_of(c, false, 0);
	return scan_run(c, &e);
}

static __attribute__((noinline)) int scan_budgeted(rl_cheney *c, size_t budget)
{
	const struct scan_env e = scan_env_of(c, true, budget);
	return scan_run(c, &e);
}

int rl_cheney_scan(rl_cheney *c, size_t budget)
{
	int rc = budget == SIZE_MAX ? scan_complete(c) : scan_budgeted(c, budget);
	if (rc == 1 && c->release_held && c->roots == 1) {
		rl_cheney_release_held(c, &c->root, 1);
		c->roots = 2; /* once */
	}
	return rc;
}

/* ---- undo ------------------------------------------------------------------ */
/* If x's header is borrowed by a copy of ours, gives it back and leaves a
 * back-pointer to x in the copy's header word: the copy is now "ready". */
static void give_back(const rl_region_mark *m, rl_obj *x)
{
	uint64_t h = x->hdr;
	if (!rl_hdr_is_forward(h))
		return;
	rl_obj *n = rl_hdr_forward_target(h);
	if (!rl_allocated_after(m, n))
		return;
	x->hdr = n->hdr;
	n->hdr = rl_hdr_forward_to(x);
}

/* n is ready: hands readiness on to the copies of x's children (read from
 * the original x, whose payload was never written), then gives n its header
 * back.  Returns n's footprint. */
static size_t settle(const rl_cheney *c, const rl_region_mark *m, rl_obj *n)
{
	rl_obj *x = rl_hdr_forward_target(n->hdr);
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, x); (s = rl_slots_next(&it)) != NULL;)
		if (rl_region_contains(c->src, *s))
			give_back(m, rl_ptr(*s));
	n->hdr = x->hdr;
	return rl_obj_size(x);
}

/* Gives back what the copy borrowed since mark m (m = c->mark: everything),
 * starting from `roots` and from the slots of `holder` (NULL: none). */
static void restore_since(const rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots,
			  rl_obj *holder)
{
	for (size_t i = 0; i < nroots; i++)
		if (rl_region_contains(c->src, roots[i]))
			give_back(m, rl_ptr(roots[i]));
	if (holder != NULL) {
		rl_slot_iter it;
		rl_val *s;
		give_back(m, holder);
		for (rl_slots_begin(&it, holder); (s = rl_slots_next(&it)) != NULL;)
			if (rl_region_contains(c->src, *s))
				give_back(m, rl_ptr(*s));
	}
	rl_tospace_cursor cur;
	rl_tospace_cursor_at(&cur, m);
	/* Each chain advances while its next copy is ready; a copy that is not
	 * was discovered from the other chain, which then gets its turn.  Both
	 * stuck before their ends cannot happen (see the invariant above). */
	for (bool moved = true; moved;) {
		moved = false;
		rl_obj *n;
		while ((n = rl_tospace_small_peek(&cur, c->dst)) != NULL && rl_hdr_is_forward(n->hdr)) {
			rl_tospace_small_advance(&cur, settle(c, m, n));
			moved = true;
		}
		while ((n = rl_tospace_large_peek(&cur, c->dst)) != NULL && rl_hdr_is_forward(n->hdr)) {
			settle(c, m, n);
			rl_tospace_large_advance(&cur, c->dst);
			moved = true;
		}
	}
}

/* ---- held sub-regions -------------------------------------------------------- */
/* True when copy n was settled by the walk at cur: before it on n's chain
 * (the to-space's blocks were made in chain order, so `seq` orders them). */
static bool behind(const rl_tospace_cursor *cur, const rl_obj *n)
{
	const rl_block *b = rl_block_of(n);
	if (b->flags & RL_BLOCK_LARGE)
		return cur->lb != NULL && b->seq <= cur->lb->seq;
	if (cur->sb == NULL)
		return false;
	return b == cur->sb ? (const char *)n < cur->sp : b->seq < cur->sb->seq;
}

/* give_back for the release walk: an original that forwards to a copy the
 * walk has settled already keeps forwarding. */
static void ready(const rl_region_mark *m, const rl_tospace_cursor *cur, rl_obj *x)
{
	uint64_t h = x->hdr;
	if (!rl_hdr_is_forward(h))
		return;
	rl_obj *n = rl_hdr_forward_target(h);
	if (!rl_allocated_after(m, n) || behind(cur, n))
		return;
	x->hdr = n->hdr;
	n->hdr = rl_hdr_forward_to(x);
}

/* settle for the release walk: n gets its header back; its original keeps
 * it when its block outlives src, and forwards to n again otherwise. */
static size_t settle_held(const rl_cheney *c, const rl_tospace_cursor *cur, rl_obj *n)
{
	rl_obj *x = rl_hdr_forward_target(n->hdr);
	rl_slot_iter it;
	rl_val *s;
	for (rl_slots_begin(&it, x); (s = rl_slots_next(&it)) != NULL;)
		if (rl_region_contains(c->src, *s))
			ready(&c->mark, cur, rl_ptr(*s));
	n->hdr = x->hdr;
	if (rl_region_dies_with(rl_block_of(x)->region, c->src))
		x->hdr = rl_hdr_forward_to(n);
	return rl_obj_size(n);
}

void rl_cheney_release_held(rl_cheney *c, const rl_val *roots, size_t nroots)
{
	if (!c->release_held)
		return;
	rl_tospace_cursor cur;
	rl_tospace_cursor_at(&cur, &c->mark);
	for (size_t i = 0; i < nroots; i++)
		if (rl_region_contains(c->src, roots[i]))
			ready(&c->mark, &cur, rl_ptr(roots[i]));
	/* The walk of restore_since, with settle_held. */
	for (bool moved = true; moved;) {
		moved = false;
		rl_obj *n;
		while ((n = rl_tospace_small_peek(&cur, c->dst)) != NULL && rl_hdr_is_forward(n->hdr)) {
			rl_tospace_small_advance(&cur, settle_held(c, &cur, n));
			moved = true;
		}
		while ((n = rl_tospace_large_peek(&cur, c->dst)) != NULL && rl_hdr_is_forward(n->hdr)) {
			settle_held(c, &cur, n);
			rl_tospace_large_advance(&cur, c->dst);
			moved = true;
		}
	}
}

/* Gives o its header back when it forwards to a copy made since m; returns
 * o's size. */
static size_t reclaim(const rl_region_mark *m, rl_obj *o)
{
	uint64_t h = o->hdr;
	if (rl_hdr_is_forward(h)) {
		rl_obj *n = rl_hdr_forward_target(h);
		if (!rl_allocated_after(m, n))
			return rl_obj_size(n);
		o->hdr = n->hdr;
	}
	return rl_obj_size(o);
}

void rl_cheney_release_held_blocks(rl_cheney *c)
{
	if (!c->release_held)
		return;
	for (const rl_region *m = c->src; m != NULL; m = rl_region_family_next(c->src, m)) {
		if (rl_region_dies_with(m, c->src))
			continue;
		for (rl_block *b = m->small.head; b != NULL; b = b->next)
			for (rl_obj *o = rl_block_first_obj(b); rl_block_has_obj(b, o);)
				o = (rl_obj *)((char *)o + reclaim(&c->mark, o));
		for (rl_block *b = m->large.head; b != NULL; b = b->next)
			reclaim(&c->mark, rl_block_first_obj(b));
	}
}

void rl_cheney_skip(rl_cheney *c)
{
	c->roots = 2; /* the skipped copies' slots are the caller's */
	rl_region_mark now = rl_region_mark_now(c->dst);
	rl_tospace_cursor_at(&c->scan, &now);
}

void rl_cheney_restore(rl_cheney *c, const rl_val *roots, size_t nroots)
{
	restore_since(c, &c->mark, roots, nroots, NULL);
}

static void undo(rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots, rl_obj *holder)
{
	restore_since(c, m, roots, nroots, holder);
	c->bytes_copied -= c->dst->bytes_used - m->bytes_used;
	rl_region_rollback(c->dst, m);
	rl_tospace_cursor_at(&c->scan, m);
}

void rl_cheney_undo(rl_cheney *c, const rl_val *roots, size_t nroots)
{
	undo(c, &c->mark, roots, nroots, NULL);
	c->roots = 0;
}

void rl_cheney_undo_since(rl_cheney *c, const rl_region_mark *m, const rl_val *roots, size_t nroots)
{
	undo(c, m, roots, nroots, NULL);
}

void rl_cheney_undo_holder(rl_cheney *c, rl_obj *holder) { undo(c, &c->mark, NULL, 0, holder); }
