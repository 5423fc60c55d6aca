/* A sample of a graph: a bounded depth-first walk from its root that says,
 * before anything is copied or marked, how the graph lies in its region.
 *
 * It allocates nothing and writes nothing in the region: its visited set and
 * its stack live in the caller's frame, so that a strategy can afford it on
 * every call (adaptive's relocate probe, strategies/transmigrate/adaptive.c).
 * The walk enters each object's slots in order, depth first, and finishes an
 * object's slots before it goes back up: on a graph allocated in the order a
 * depth-first walk reads it (a list head first, a tree parent before its
 * children) the objects it reaches form stretches of memory, whatever
 * garbage lies between them; on a shuffled one they lie all over src.  It
 * starts from up to RL_SAMPLE_BRANCHES children of the root at evenly
 * spaced slots, an equal share of the objects each, so that a root holding
 * many results (a vector of what calls returned) is sampled across them,
 * not in the first one alone; then it goes on through the root's other
 * children in order with what is left. */
#ifndef REGIONLAB_SAMPLE_H
#define REGIONLAB_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "regionlab/region.h"

#define RL_SAMPLE_MAX 128u     /* objects a walk reaches at most */
#define RL_SAMPLE_BRANCHES 8u  /* children of the root the walk starts from first */

typedef struct rl_graph_sample {
	size_t objects;  /* objects of src reached (the root included) */
	size_t followed; /* slots followed to an object of src not reached before */
	size_t crossed;  /* of those, the ones into another block than their holder's */
	bool whole;      /* the walk reached everything: the graph has `objects` objects */
	/* The live share of the stretches the walk went through: the bytes of
	 * reached objects over those bytes plus the dead bytes between each
	 * reached object and the next reached object that follows it in memory
	 * within `max_gap` bytes (a reached object with none is left out: it
	 * ends a stretch).  1 when no reached object has such a neighbour. */
	double density;
} rl_graph_sample;

/* Walks from root (an object of src, whose family has no sub-region) until
 * it has reached `max_objects` objects (at most RL_SAMPLE_MAX) or all of
 * them; fills *out. */
void rl_graph_sample_take(const rl_region *src, rl_val root, size_t max_objects, size_t max_gap,
			  rl_graph_sample *out);

#endif
