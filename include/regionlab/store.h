/* Stores into objects: the one place a runtime writes a value into a slot of
 * a region object, so that a store barrier can act before the write.
 *
 * A barrier sees the container (the object that holds the slot, or RL_NIL
 * for a root outside every region, such as a global variable) and the value,
 * and returns what to store: the value itself, or a copy of it moved into the
 * container's region (a region runtime does this when the store would make an
 * older region point into a younger one; lisp/regions.c is one).  No barrier
 * (NULL) stores the value as it is.  What is stored goes through rl_store
 * (regionlab/knowledge.h), so the regions learn of pointers stored across
 * them (what splice's no-trace path and adaptive rely on). */
#ifndef REGIONLAB_STORE_H
#define REGIONLAB_STORE_H

#include "regionlab/knowledge.h"
#include "regionlab/object.h"

typedef rl_val (*rl_store_barrier_fn)(void *env, rl_val container, rl_val value);

static inline void rl_store_slot(rl_val container, rl_val *slot, rl_val value, rl_store_barrier_fn barrier, void *env)
{
	rl_store(container, slot, barrier != NULL ? barrier(env, container, value) : value);
}

#endif
