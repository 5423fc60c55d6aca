// The C++ half of the Google Benchmark shim (see gbench.h): wraps
// benchmark::State behind the C API and registers C bodies.  main() adds the
// provenance (commit, compiler) to the JSON context so that
// scripts/gbench2csv.py can write rows in the common CSV schema.
#include "bench/gbench.h"

#include <benchmark/benchmark.h>

extern "C" {
#include "driver/machine_gate.h"
}

#include <string>

struct rl_bench_state {
	benchmark::State *state;
};

extern "C" {

bool rl_bench_keep_running(rl_bench_state *s, uint64_t batch)
{
	return s->state->KeepRunningBatch(static_cast<benchmark::IterationCount>(batch));
}

void rl_bench_pause(rl_bench_state *s) { s->state->PauseTiming(); }
void rl_bench_resume(rl_bench_state *s) { s->state->ResumeTiming(); }
void rl_bench_skip(rl_bench_state *s, const char *reason) { s->state->SkipWithError(reason); }
int64_t rl_bench_arg(rl_bench_state *s) { return s->state->range(0); }
void rl_bench_set_items(rl_bench_state *s, int64_t items) { s->state->SetItemsProcessed(items); }
void rl_bench_counter(rl_bench_state *s, const char *name, double value) { s->state->counters[name] = value; }
int rl_bench_thread_index(rl_bench_state *s) { return static_cast<int>(s->state->thread_index()); }
int rl_bench_threads(rl_bench_state *s) { return static_cast<int>(s->state->threads()); }

// Each run of a single-thread body behind the machine gate, as the harness's
// trials run (driver/machine_gate.h): pinned to a CPU whose throughput probe
// is at its usual speed, the affinity given back after it.  Paired bodies
// (a module beside its floor) are interleaved within the run, but a slow
// spell of the CPU slows different code by different factors, so the pair's
// ratio moves too.  Threaded bodies run unpinned: their threads need every
// CPU.
static benchmark::internal::Benchmark *register_body(const char *name, rl_bench_fn fn, void *env)
{
	return benchmark::RegisterBenchmark(name, [fn, env](benchmark::State &state) {
		rl_bench_state s{ &state };
		bool gated = state.threads() == 1;
		struct rl_disturbance gate;
		if (gated)
			rl_disturbance_begin(&gate, RL_GATE_ONE_CPU);
		fn(&s, env);
		if (gated)
			(void)rl_disturbance_end(&gate);
	});
}

void rl_bench_register(const char *name, rl_bench_fn fn, void *env) { register_body(name, fn, env); }

void rl_bench_register_arg(const char *name, rl_bench_fn fn, void *env, int64_t arg)
{
	register_body(name, fn, env)->Arg(arg);
}

void rl_bench_register_threads(const char *name, rl_bench_fn fn, void *env, int threads)
{
	register_body(name, fn, env)->Threads(threads)->UseRealTime();
}

} // extern "C"

#ifndef RL_GIT_SHA
#define RL_GIT_SHA "unknown"
#endif

int main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	benchmark::AddCustomContext("git_sha", RL_GIT_SHA);
	benchmark::AddCustomContext("compiler", std::string("gcc ") + __VERSION__);
	rl_bench_register_all();
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
