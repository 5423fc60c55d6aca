/* Building graphs by hand in the tests: a region or an object, checked. */
#ifndef REGIONLAB_TESTS_OBJECTS_H
#define REGIONLAB_TESTS_OBJECTS_H

#include <stdint.h>

#include "regionlab/object.h"
#include "regionlab/region.h"
#include "tests/check.h"

static inline rl_region *region(const char *name)
{
	rl_region *r = rl_region_create(name);
	CHECK(r != NULL, "rl_region_create(%s)", name);
	return r;
}

static inline rl_obj *obj(rl_region *r, unsigned type, uint32_t bytes)
{
	rl_obj *o = rl_obj_new(r, type, bytes);
	CHECK(o != NULL, "rl_obj_new(type %u, %u bytes)", type, bytes);
	return o;
}

/* A list of n cons cells in r, car i the fixnum i, allocated head first (in
 * the order a depth-first walk reads it), each cell followed by a dead blob
 * of `dead_bytes` bytes when that is not 0 (nothing points at it). */
static inline rl_val list_head_first(rl_region *r, size_t n, uint32_t dead_bytes)
{
	rl_val head = RL_NIL;
	rl_obj *last = NULL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *c = obj(r, RL_T_CONS, 2 * sizeof(rl_val));
		c->w[0] = rl_fixnum((intptr_t)i);
		c->w[1] = RL_NIL;
		if (dead_bytes != 0)
			(void)obj(r, RL_T_BLOB, dead_bytes);
		if (last != NULL)
			last->w[1] = rl_val_of(c);
		else
			head = rl_val_of(c);
		last = c;
	}
	return head;
}

#endif /* REGIONLAB_TESTS_OBJECTS_H */
