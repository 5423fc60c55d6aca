/* The registry: one table per kind of module, looked up by name.
 * `./harness --list` prints these tables; tests and scripts take the list
 * from there, never from the source. */
#ifndef REGIONLAB_REGISTRY_H
#define REGIONLAB_REGISTRY_H

#include <stddef.h>

#include "regionlab/tether.h"
#include "regionlab/transmigrator.h"
#include "regionlab/workload.h"

/* NULL-terminated tables. */
extern const struct rl_transmigrator *const rl_transmigrators[];
extern const struct rl_tether_scheme *const rl_tether_schemes[];
extern const struct rl_workload *const rl_workloads[];

const struct rl_transmigrator *rl_find_transmigrator(const char *name);
const struct rl_tether_scheme *rl_find_tether_scheme(const char *name);
const struct rl_workload *rl_find_workload(const char *name);

/* Comma-separated names of a table, for "valid choices" in error messages. */
void rl_transmigrator_names(char *buf, size_t len);
void rl_tether_scheme_names(char *buf, size_t len);
void rl_workload_names(char *buf, size_t len);

/* Rejects modules with a missing required member or a duplicate name:
 * 0, or -1 with a one-line reason. Run once at startup. */
int rl_registry_check(char *err, size_t len);

#endif
