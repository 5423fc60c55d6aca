/* The graph writer behind `harness --workload=W --dump=FILE` (dump.c): any
 * loaded graph as S-expression text that the sexp workload reads back into
 * an isomorphic graph. */
#ifndef REGIONLAB_WORKLOADS_DUMP_H
#define REGIONLAB_WORKLOADS_DUMP_H

#include <stddef.h>
#include <stdio.h>

#include "regionlab/object.h"

/* Writes the graph reachable from root to f as one datum followed by a
 * newline.  0, or -1 with a one-line reason in err: a value with no written
 * form (a forwarded or invalid header, an unknown immediate), out of memory,
 * or a write error. */
int rl_dump_graph(FILE *f, rl_val root, char *err, size_t errlen);

#endif
