/* Helpers shared by the workload families; private to workloads/.
 *
 * Every allocation still goes through rl_wl_new, so the placer in graph.c
 * sees each object.  Constructors return NULL when the allocation failed;
 * the failure is already recorded in the context, so build() only has to
 * return RL_NIL. */
#ifndef REGIONLAB_WORKLOADS_BUILD_H
#define REGIONLAB_WORKLOADS_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "regionlab/workload.h"

/* ---- implemented in graph.c ------------------------------------------------ */
/* Objects recorded so far, and the index-th of them (allocation order).
 * Lets a build refer back to earlier objects without an array of its own. */
size_t rl_wl_count(const rl_wl_ctx *w);
rl_obj *rl_wl_object(const rl_wl_ctx *w, size_t index);
/* The id of user type `name` (a string literal: the table keeps the pointer),
 * registering it on first use.  -1 after rl_wl_fail when the table is full or
 * the name is taken by a type of another layout. */
int rl_wl_user_type(rl_wl_ctx *w, const char *name, uint32_t bytes, uint64_t ptr_map);

/* ---- constructors (payloads come zeroed from rl_wl_new) -------------------- */
static inline rl_obj *rl_wl_cons(rl_wl_ctx *w, rl_val car, rl_val cdr)
{
	rl_obj *c = rl_wl_new(w, RL_T_CONS, 2 * sizeof(rl_val));
	if (c != NULL) {
		c->w[0] = car;
		c->w[1] = cdr;
	}
	return c;
}

static inline rl_obj *rl_wl_box_int(rl_wl_ctx *w, int64_t value)
{
	rl_obj *b = rl_wl_new(w, RL_T_BOX_INT, sizeof(int64_t));
	if (b != NULL)
		memcpy(b->w, &value, sizeof value);
	return b;
}

/* A string object holding `text` (the payload counts the NUL). */
static inline rl_obj *rl_wl_string(rl_wl_ctx *w, const char *text)
{
	size_t bytes = strlen(text) + 1;
	rl_obj *s = rl_wl_new(w, RL_T_STRING, (uint32_t)bytes);
	if (s != NULL)
		memcpy(s->w, text, bytes);
	return s;
}

#endif
