/* The registry: one table per kind of module, looked up by name.
 * `./harness --list` prints these tables; tests and scripts take the list
 * from there, never from the source. */
#ifndef REGIONLAB_REGISTRY_H
#define REGIONLAB_REGISTRY_H

#include <stddef.h>
#include <stdio.h>

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

/* Rejects modules with a missing required member, a duplicate name or a
 * malformed option table: 0, or -1 with a one-line reason. Run once at startup. */
int rl_registry_check(char *err, size_t len);

/* Judge a module spec's options against its declared table (and the table
 * its kind shares), before anything runs: 0, or -1 with one line naming the
 * module, the key, the value and what is valid.  The workload check also
 * gives the dead bytes per live byte asked for (garbage= or live=). */
int rl_strategy_options_check(const struct rl_transmigrator *tm, const rl_kv_list *params, char *err, size_t len);
int rl_tether_options_check(const struct rl_tether_scheme *s, const rl_kv_list *params, char *err, size_t len);
int rl_workload_options_check(const struct rl_workload *wl, const rl_kv_list *params, double *garbage, char *err,
			      size_t len);

/* `harness --describe NAME`: every module called NAME, its summary and its
 * option table; returns how many there were (0: none). */
int rl_registry_describe(FILE *f, const char *name);
/* `harness --options-doc`: docs/options.md, from the same tables. */
void rl_registry_options_doc(FILE *f);

#endif
