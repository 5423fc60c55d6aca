# regionlab build.  `make` builds ./harness; `make test` runs every test in a
# release build with poisoning, again under ASan+UBSan, and the threaded tests
# under TSan.  meson.build lists the same sources (tests/test_sources.sh
# fails when the two lists drift).

CC ?= gcc
CXX ?= g++
OPT ?= -O2
WARN = -Wall -Wextra -Werror
CSTD = -std=c11
DEFS = -D_POSIX_C_SOURCE=200809L
GIT_SHA := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- . :!results 2>/dev/null || echo -dirty)
CPPFLAGS = -Iinclude -I. $(DEFS) -DRL_GIT_SHA='"$(GIT_SHA)"'
# Code placement (issue 12, Mytkowicz et al.): every function and every loop
# starts on a 64-byte boundary in every build, so a hot loop's timing does not
# depend on where the linker happened to put it (the same tether loop measured
# 1.6 or 2.5 ns by its alignment alone).  meson.build passes the same flags.
ALIGN = -falign-functions=64 -falign-loops=64
CFLAGS_BASE = $(CSTD) $(WARN) $(OPT) -g -pthread $(ALIGN)
LDLIBS = -pthread -lm -ldl -lurcu-qsbr -lurcu-memb -lurcu-common -lck

# Sanitizer variants: build-asan/ and build-tsan/ beside build/.
SAN ?=
ifeq ($(SAN),asan)
BUILD = build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DRL_DEBUG
else ifeq ($(SAN),tsan)
BUILD = build-tsan
SANFLAGS = -fsanitize=thread -DRL_DEBUG
else ifeq ($(SAN),fuzz)
# libFuzzer targets (fuzz/): clang, ASan+UBSan, coverage instrumentation.
BUILD = build-fuzz
CC = clang
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DRL_DEBUG
# clang warns where gcc does not (core/allocator.c: -Wstring-plus-int): shown, not fatal here.
WARN += -Wno-error
else
BUILD = build
SANFLAGS = -DRL_DEBUG
endif
CFLAGS = $(CFLAGS_BASE) $(SANFLAGS)
LDFLAGS = $(SANFLAGS)

# ---- sources (keep in step with meson.build) ---------------------------------
CORE_SRCS = \
	core/adopt.c \
	core/allocator.c \
	core/block_pool.c \
	core/cheney.c \
	core/dfcopy.c \
	core/fwdmap.c \
	core/knowledge.c \
	core/liveness.c \
	core/sample.c \
	core/mem.c \
	core/options.c \
	core/region.c \
	core/relocate.c \
	core/shadow.c \
	core/splice.c \
	core/transmigrator.c \
	core/types.c \
	core/worklist.c

ORACLE_SRCS = \
	oracle/judge.c \
	oracle/oracle.c

TRANSMIGRATOR_SRCS = \
	strategies/transmigrate/adaptive.c \
	strategies/transmigrate/bitmap.c \
	strategies/transmigrate/cheney.c \
	strategies/transmigrate/dfs.c \
	strategies/transmigrate/linear.c \
	strategies/transmigrate/naive.c \
	strategies/transmigrate/promote.c \
	strategies/transmigrate/proxy.c \
	strategies/transmigrate/relocate.c \
	strategies/transmigrate/splice.c

TETHER_SRCS = \
	strategies/tether/atomic.c \
	strategies/tether/ck_epoch.c \
	strategies/tether/ck_hp.c \
	strategies/tether/ebr.c \
	strategies/tether/epoch.c \
	strategies/tether/fence.c \
	strategies/tether/hazard.c \
	strategies/tether/hot_pool.c \
	strategies/tether/hybrid.c \
	strategies/tether/index_pool.c \
	strategies/tether/mutex.c \
	strategies/tether/percpu.c \
	strategies/tether/reader_loop.c \
	strategies/tether/records.c \
	strategies/tether/retired.c \
	strategies/tether/scheme_base.c \
	strategies/tether/split_count.c \
	strategies/tether/tls.c \
	strategies/tether/tls_cache.c \
	strategies/tether/urcu_memb.c \
	strategies/tether/urcu_qsbr.c

WORKLOAD_SRCS = \
	workloads/dump.c \
	workloads/graph.c \
	workloads/json.c \
	workloads/lists.c \
	workloads/mixed.c \
	workloads/objects.c \
	workloads/reader.c \
	workloads/sexp.c \
	workloads/subregion.c \
	workloads/trees.c

DRIVER_SRCS = \
	driver/csv.c \
	driver/program_run.c \
	driver/mem_estimate.c \
	driver/registry.c \
	driver/runner.c \
	driver/tether_run.c \
	driver/format.c \
	driver/format_json.c \
	driver/format_progress.c \
	driver/format_table.c \
	driver/machine_gate.c \
	driver/stats.c

HARNESS_SRCS = \
	driver/main.c

# The small Scheme on regions (lisp/README.md), in the library; rlscheme runs one program.
LISP_SRCS = \
	lisp/alloc.c \
	lisp/compile.c \
	lisp/eval.c \
	lisp/forms.c \
	lisp/prim_control.c \
	lisp/prim_list.c \
	lisp/prim_num.c \
	lisp/prim_text.c \
	lisp/prim_vec.c \
	lisp/read.c \
	lisp/regions.c \
	lisp/run.c \
	lisp/symbols.c \
	lisp/types.c
RLSCHEME_SRCS = \
	lisp/main.c

# Google Benchmark microbenchmarks: C bodies behind a small C++ shim.
BENCH_SRCS = \
	bench/bench_barrier.c \
	bench/bench_copy_bound.c \
	bench/bench_copy_floor.c \
	bench/bench_tether.c \
	bench/bench_tether_floor.c \
	bench/bench_visited.c \
	bench/benches.c \
	bench/copy_floors.c
BENCH_CXX_SRCS = \
	bench/gbench_shim.cc

TEST_SRCS = \
	tests/test_allocator.c \
	tests/test_block_pool.c \
	tests/test_contract.c \
	tests/test_deep.c \
	tests/test_format.c \
	tests/test_judge.c \
	tests/test_knowledge.c \
	tests/test_lisp.c \
	tests/test_options.c \
	tests/test_oracle.c \
	tests/test_readers.c \
	tests/test_region.c \
	tests/test_relocate.c \
	tests/test_sample.c \
	tests/test_roundtrip.c \
	tests/test_stats.c \
	tests/test_strategies.c \
	tests/test_tether_floor.c \
	tests/test_tether_invariant.c \
	tests/test_tether_stress.c \
	tests/test_workloads.c

# libFuzzer targets: `make fuzz FUZZ_SECONDS=N` runs each for N seconds
# (fuzz/run.sh; docs/fuzzing.md).
FUZZ_SRCS = \
	fuzz/fuzz_json.c \
	fuzz/fuzz_sexp.c \
	fuzz/fuzz_transmigrate.c

LIB_SRCS = $(CORE_SRCS) $(ORACLE_SRCS) $(TRANSMIGRATOR_SRCS) $(TETHER_SRCS) $(WORKLOAD_SRCS) $(DRIVER_SRCS) $(LISP_SRCS)
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

# harness is phony too: ./harness is a copy of $(BUILD)/harness, and a copy
# from another build (make SAN=asan copies the ASan one) is newer than the
# release binary, so `make results` would otherwise time the sanitized build.
.PHONY: all deps gbench harness rlscheme test test-fast meson-build print-sources clean
all: deps harness rlscheme

# Installs missing Debian packages (a no-op when everything is there).
deps:
	@scripts/install-deps.sh

harness: $(BUILD)/harness
	cp $(BUILD)/harness harness

$(BUILD)/harness: $(BUILD)/driver/main.o $(BUILD)/libregionlab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

rlscheme: $(BUILD)/rlscheme

$(BUILD)/rlscheme: $(BUILD)/lisp/main.o $(BUILD)/libregionlab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libregionlab.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

# The commit is compiled into every row (driver/csv.c, bench/gbench_shim.cc):
# rebuild those two objects whenever it changes, so no row names a stale one.
$(BUILD)/git-sha: FORCE
	@mkdir -p $(BUILD)
	@echo '$(GIT_SHA)' | cmp -s - $@ || echo '$(GIT_SHA)' > $@
$(BUILD)/driver/csv.o $(BUILD)/bench/gbench_shim.o: $(BUILD)/git-sha
.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# ./gbench: the microbenchmarks (Google Benchmark's JSON; scripts/gbench2csv.py
# turns it into rows of the common CSV schema).
gbench: $(BUILD)/gbench
	cp $(BUILD)/gbench gbench

$(BUILD)/gbench: $(BENCH_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/bench/gbench_shim.o $(BUILD)/libregionlab.a
	$(CXX) $(LDFLAGS) -o $@ $^ -lbenchmark $(LDLIBS)

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -std=c++17 $(WARN) $(OPT) -g -pthread $(ALIGN) $(SANFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libregionlab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests-built: $(TEST_BINS) $(BUILD)/harness $(BUILD)/rlscheme

# The fuzz targets, built by `make SAN=fuzz fuzz-targets` into build-fuzz/fuzz/.
FUZZ_BINS = $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(BUILD)/libregionlab.a
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)
fuzz-targets: $(FUZZ_BINS)

FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-targets
fuzz:
	$(MAKE) SAN=fuzz fuzz-targets
	fuzz/run.sh $(FUZZ_SECONDS)

# One pass of the suite in this variant.  The tests run without the make
# state of this invocation (MAKEFLAGS carries -j and the jobserver under
# `make -j2 test`), so that no test depends on how make was run.
MAKE_STATE_VARS = MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
test-fast: $(TEST_BINS) $(BUILD)/harness $(BUILD)/rlscheme
	env $(MAKE_STATE_VARS:%=-u %) tests/run.sh $(BUILD)

# The full suite: release (with poisoning), ASan+UBSan, TSan (threaded tests),
# after building with meson too.  The last line adds the three runs up.
test: deps
	rm -f build*/test-summary
	$(MAKE) meson-build
	-$(MAKE) test-fast
	-$(MAKE) SAN=asan test-fast
	-$(MAKE) SAN=tsan test-fast
	@tests/total.sh build build-asan build-tsan

# The meson build of the same sources (tests/test_sources.sh compares the lists).
meson-build:
	@if [ ! -d builddir ]; then meson setup builddir >/dev/null; fi
	ninja -C builddir

# Every source file the Makefile builds, one per line (for tests/test_sources.sh).
print-sources:
	@printf '%s\n' $(LIB_SRCS) $(HARNESS_SRCS) $(RLSCHEME_SRCS) $(TEST_SRCS) $(BENCH_SRCS) $(BENCH_CXX_SRCS) $(FUZZ_SRCS) | sort

clean:
	rm -rf build build-asan build-tsan build-fuzz builddir harness gbench

# Every object's header dependencies, ./gbench's too: the floors inline the
# core's headers (copy.h, shadow.h), so a header edit must rebuild them.
-include $(LIB_OBJS:.o=.d) $(BUILD)/driver/main.d $(BUILD)/lisp/main.d $(TEST_BINS:=.d) $(FUZZ_BINS:=.d) \
	$(BENCH_SRCS:%.c=$(BUILD)/%.d) $(BUILD)/bench/gbench_shim.d

# ---- experiments (docs/experiments.md) -----------------------------------------
# `make results`: the default sweep (resumable: rows already in
# results/default.csv are skipped), then the figures and results/paper.md.
# `make paper`: figures and results/paper.md from the CSVs under results/.
# SWEEP=NAME runs experiments/NAME.sweep instead; JOBS=N runs N transmigration
# trials at a time (tether trials always run alone).  JOBS stays 1 for results
# meant to be compared: two trials on two cores take the CPU from each other's
# calls, and the harness's disturbance rule (the call's thread off the CPU for
# 5% of it) then throws most trials away and retries them.  The sweep prints
# its progress, an ETA and, first, the bound its round caps allow.
SWEEP ?= default
JOBS ?= 1
.PHONY: results paper
results: deps harness gbench
	@if [ -f results/$(SWEEP).csv ] && ! grep -q ',$(GIT_SHA),' results/$(SWEEP).csv; then \
		echo "results/$(SWEEP).csv holds rows of another commit: kept as results/$(SWEEP).csv.prev, measuring afresh" >&2; \
		mv results/$(SWEEP).csv results/$(SWEEP).csv.prev; rm -f results/$(SWEEP).series.csv results/$(SWEEP).escapes.csv; fi
	scripts/sweep $(SWEEP) --jobs=$(JOBS)
	@echo "results: the sweep is done; ./gbench next (about 2-3 minutes on 2 quiet cores), then the figures and results/paper.md" >&2
	./gbench --benchmark_min_time=0.2 --benchmark_format=json > results/gbench.json.tmp
	mv results/gbench.json.tmp results/gbench.json
	rm -f results/gbench.csv
	scripts/gbench2csv.py results/gbench.json --out=results/gbench.csv
	scripts/callgrind-floors.sh
	$(MAKE) paper

paper: deps
	scripts/plot.py
	scripts/paper.py

# Instructions per object of every copying module and its floor, and per
# pair of every tether scheme and its floor (callgrind,
# results/callgrind-floors.csv, read by Table 9 of the paper; `make results`
# runs it too); says so and does nothing where valgrind is missing.
.PHONY: callgrind-floors
callgrind-floors: deps
	scripts/callgrind-floors.sh
