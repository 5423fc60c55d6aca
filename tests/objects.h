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

#endif /* REGIONLAB_TESTS_OBJECTS_H */
