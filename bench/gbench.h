/* Google Benchmark from C: a plain-C view of a benchmark's state and a way
 * to register C bodies (after IREE's iree/testing/benchmark.h).  The C++
 * side is bench/gbench_shim.cc; the bodies are plain C files in bench/.
 *
 * A body loops in batches so that the call into C++ is not what it measures:
 *   static void bench_x(rl_bench_state *s, void *env) {
 *           while (rl_bench_keep_running(s, 1024))
 *                   for (int i = 0; i < 1024; i++) work();
 *   }
 */
#ifndef REGIONLAB_GBENCH_H
#define REGIONLAB_GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rl_bench_state rl_bench_state;

/* True while the library wants another `batch` iterations. */
bool rl_bench_keep_running(rl_bench_state *s, uint64_t batch);
/* Exclude setup from the measurement. */
void rl_bench_pause(rl_bench_state *s);
void rl_bench_resume(rl_bench_state *s);
/* Marks the run as failed with a reason (it is reported, not timed). */
void rl_bench_skip(rl_bench_state *s, const char *reason);
/* The benchmark's argument (set with rl_bench_register_arg). */
int64_t rl_bench_arg(rl_bench_state *s);
void rl_bench_set_items(rl_bench_state *s, int64_t items);
/* Reports a named figure in the JSON output (counters). */
void rl_bench_counter(rl_bench_state *s, const char *name, double value);

typedef void (*rl_bench_fn)(rl_bench_state *s, void *env);
void rl_bench_register(const char *name, rl_bench_fn fn, void *env);
void rl_bench_register_arg(const char *name, rl_bench_fn fn, void *env, int64_t arg);
/* The same, running the body on `threads` threads at once. */
void rl_bench_register_threads(const char *name, rl_bench_fn fn, void *env, int threads);
/* Index of the calling thread within a threaded run, and the thread count. */
int rl_bench_thread_index(rl_bench_state *s);
int rl_bench_threads(rl_bench_state *s);

/* Defined by the C side: registers every benchmark (bench/benches.c). */
void rl_bench_register_all(void);

#ifdef __cplusplus
}
#endif

#endif
