/* Where memory comes from: the system allocator (glibc) or jemalloc.
 *
 * The choice covers both the page source of region blocks and the strategy
 * memory of rl_mem_* (so the naive baseline's hash entries too).  jemalloc is
 * loaded with dlopen and used through its non-standard API (mallocx,
 * dallocx, mallctl), so the process's own malloc stays glibc's and both
 * allocators can be compared in one binary.  With jemalloc, its own
 * statistics (mallctl) report the bytes and the allocation requests made
 * during a call. */
#ifndef REGIONLAB_ALLOCATOR_H
#define REGIONLAB_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* jemalloc keeps its thread state in initial-exec TLS, which a library
 * loaded after startup only gets when glibc reserves room for it: */
#define RL_JEMALLOC_TUNABLES "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=65536"
/* Restarts the program (same argv) with that reservation unless it is
 * already in the environment.  Call first thing in main() when jemalloc is
 * wanted; returns only when no restart was needed (or exec failed). */
void rl_allocator_reexec_for_jemalloc(char **argv);

/* "system" or "jemalloc": 0, or -1 with a one-line reason (unknown name,
 * jemalloc not installed).  Call before any region exists. */
int rl_allocator_select(const char *name, char *err, size_t errlen);
const char *rl_allocator_name(void);

/* Allocator-level counters of the calling thread, or false when the current
 * allocator keeps none (system). */
typedef struct rl_alloc_counters {
	uint64_t bytes;  /* bytes allocated so far (jemalloc thread.allocated) */
	uint64_t allocs; /* allocation requests so far (all arenas, small + large) */
} rl_alloc_counters;
bool rl_allocator_counters(rl_alloc_counters *out);

/* The strategy-memory hooks used by core/mem.c. */
void *rl_allocator_malloc(size_t bytes);
void rl_allocator_free(void *p, size_t bytes);

#endif
