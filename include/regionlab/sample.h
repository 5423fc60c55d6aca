/* A sample of a graph: a bounded depth-first walk from its root that says,
 * before anything is copied or marked, how the graph lies in its region.
 *
 * It allocates nothing and writes nothing in the region: its visited set and
 * its stack live in its own frame (about 8 KiB), so that a strategy can
 * afford it on every call (adaptive's relocate probe, strategies/transmigrate/adaptive.c).
 * The walk enters each object's slots in order, depth first, and finishes an
 * object's slots before it goes back up: on a graph allocated in the order a
 * depth-first walk reads it (a list head first, a tree parent before its
 * children) the objects it reaches form stretches of memory, whatever
 * garbage lies between them; on a shuffled one they lie all over src.  It
 * starts from the children at up to RL_SAMPLE_BRANCHES evenly spaced slots
 * of the root (found by index: the root's width costs nothing), each an
 * equal share of the objects still to reach, so that a root holding many
 * results (a vector of what calls returned) is sampled across them, not in
 * the first one alone; then it goes on through the root's other children in
 * order with what is left. */
#ifndef REGIONLAB_SAMPLE_H
#define REGIONLAB_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "regionlab/region.h"

#define RL_SAMPLE_MAX 128u     /* objects a walk reaches at most */
#define RL_SAMPLE_BRANCHES 8u  /* children of the root the walk starts from first */

/* The root's own slots are left out of `followed` and `crossed`: a root is
 * often allocated after what it holds (a vector of results, a large block
 * of its own), so its edges cross blocks whatever the layout of the rest. */
typedef struct rl_graph_sample {
	size_t objects;  /* objects of src reached (the root included) */
	size_t followed; /* slots of reached objects but the root followed to an object not reached before */
	size_t crossed;  /* of those, the ones into another block than their holder's */
	size_t neighboured; /* reached objects of small blocks with a reached object after them within max_gap */
	bool whole;      /* the walk reached everything: the graph has `objects` objects */
	/* Every reached object but the root has one type (a list of cons
	 * cells; the root is left out as its edges are: a vector of lists is
	 * uniform): code that branches on each object's type, in address
	 * order, predicts it; a tree's nodes and leaves shuffled together it
	 * does not. */
	bool uniform;
	/* The live share of the stretches the walk went through: the bytes of
	 * reached objects over those bytes plus the dead bytes between each
	 * reached object and the next reached object that follows it in memory
	 * within `max_gap` bytes (a reached object with none is left out: it
	 * ends a stretch).  1 when no reached object has such a neighbour: read
	 * it with `neighboured`, which says how many objects it rests on. */
	double density;
} rl_graph_sample;

/* Walks from root until it has reached `max_objects` objects (at most
 * RL_SAMPLE_MAX) or all of them; fills *out.  Objects whose header is
 * forwarded (copied away) are not reached.  A root that is not an object of
 * src (or is forwarded) gives 0 objects, whole; max_objects 0 gives 0
 * objects, not whole. */
void rl_graph_sample_take(const rl_region *src, rl_val root, size_t max_objects, size_t max_gap,
			  rl_graph_sample *out);

#endif
