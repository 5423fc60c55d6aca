/* Linked workloads: lists, a ring and a doubly-linked circle.
 *
 * Lists are built head first, so in allocation order a walk from the root
 * visits ascending addresses (the friendly case); layout=shuffled gives the
 * hostile one. */
#include "workloads/build.h"

/* Appends `cell` to the list whose last cell is *last (NULL: empty list). */
static void append(rl_val *head, rl_obj **last, rl_obj *cell)
{
	if (*last != NULL)
		(*last)->w[1] = rl_val_of(cell);
	else
		*head = rl_val_of(cell);
	*last = cell;
}

/* n cons cells; car i is fixnum i, or a boxed int i allocated right after
 * its cell when `boxed`.  *last_out receives the last cell. */
static rl_val build_cells(rl_wl_ctx *w, size_t n, bool boxed, rl_obj **last_out)
{
	rl_val head = RL_NIL;
	rl_obj *last = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *cell = rl_wl_cons(w, rl_fixnum((intptr_t)i), RL_NIL);
		if (cell == NULL)
			return RL_NIL;
		if (boxed) {
			rl_obj *box = rl_wl_box_int(w, (int64_t)i);
			if (box == NULL)
				return RL_NIL;
			cell->w[0] = rl_val_of(box);
		}
		append(&head, &last, cell);
	}
	if (last_out != NULL)
		*last_out = last;
	return head;
}

static rl_val build_list(rl_wl_ctx *w, size_t n) { return build_cells(w, n, false, NULL); }
static rl_val build_boxed_list(rl_wl_ctx *w, size_t n) { return build_cells(w, n, true, NULL); }

/* The last cdr points back at the first cell: a cycle of n pairs. */
static rl_val build_ring(rl_wl_ctx *w, size_t n)
{
	rl_obj *last;
	rl_val head = build_cells(w, n, false, &last);
	if (head != RL_NIL)
		last->w[1] = head;
	return head;
}

/* dnode: an FFI-style struct {prev, next, value}, all three value slots. */
#define DNODE_PREV 0
#define DNODE_NEXT 1
#define DNODE_VALUE 2
#define DNODE_BYTES (3 * sizeof(rl_val))
#define DNODE_PTR_MAP UINT64_C(0x7)

static rl_val build_dlist(rl_wl_ctx *w, size_t n)
{
	int type = rl_wl_user_type(w, "dnode", DNODE_BYTES, DNODE_PTR_MAP);
	if (type < 0)
		return RL_NIL;
	rl_obj *first = NULL, *prev = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *node = rl_wl_new(w, (unsigned)type, DNODE_BYTES);
		if (node == NULL)
			return RL_NIL;
		node->w[DNODE_VALUE] = rl_fixnum((intptr_t)i);
		if (prev != NULL) {
			prev->w[DNODE_NEXT] = rl_val_of(node);
			node->w[DNODE_PREV] = rl_val_of(prev);
		} else {
			first = node;
		}
		prev = node;
	}
	prev->w[DNODE_NEXT] = rl_val_of(first);
	first->w[DNODE_PREV] = rl_val_of(prev);
	return rl_val_of(first);
}

const struct rl_workload rl_wl_list = {
	.name = "list",
	.summary = "n cons cells, car = fixnum i (flat list, ascending addresses in alloc layout)",
	.default_size = 1000000,
	.options = NULL,
	.build = build_list,
};

const struct rl_workload rl_wl_boxed_list = {
	.name = "boxed-list",
	.summary = "n cons cells whose cars are boxed ints: 2n objects",
	.default_size = 1000000,
	.options = NULL,
	.build = build_boxed_list,
};

const struct rl_workload rl_wl_deep_list = {
	.name = "deep-list",
	.summary = "the list workload at depth 10^7 by default: recursion and stack stress",
	.default_size = 10000000,
	.options = NULL,
	.build = build_list,
};

const struct rl_workload rl_wl_ring = {
	.name = "ring",
	.summary = "n cons cells whose last cdr points back to the first: one cycle",
	.default_size = 1000000,
	.options = NULL,
	.build = build_ring,
};

const struct rl_workload rl_wl_dlist = {
	.name = "dlist",
	.summary = "circular doubly-linked list of n registered 'dnode' structs {prev, next, value}",
	.default_size = 1000000,
	.options = NULL,
	.build = build_dlist,
};
