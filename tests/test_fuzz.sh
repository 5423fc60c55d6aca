#!/usr/bin/env bash
# The libFuzzer targets (fuzz/) for a short bounded time each, from the
# committed seeds, under ASan+UBSan: json and sexp readers (with the dump
# round trip) and the differential target over every strategy.  Runs in the
# ASan pass of `make test` (BUILD=build-asan) only; skipped with one line
# where clang's libFuzzer (Debian: clang, libclang-rt-14-dev) is missing.
#   BUILD=build-asan bash tests/test_fuzz.sh      FUZZ_CI_SECONDS=N (default 10)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-asan}
seconds=${FUZZ_CI_SECONDS:-10}
. tests/lib.sh

case "$BUILD" in
*asan*) ;;
*)
	echo "SKIP fuzz targets: they run in the ASan+UBSan pass (BUILD=build-asan), this is $BUILD"
	echo "SUMMARY test_fuzz.sh 0 0"
	exit 0
	;;
esac
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! command -v clang >/dev/null || ! clang -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" 2>/dev/null; then
	echo "SKIP fuzz targets: clang with libFuzzer is not installed (Debian: clang libclang-rt-14-dev)"
	echo "SUMMARY test_fuzz.sh 0 0"
	exit 0
fi

build_targets() { make -s -j2 SAN=fuzz fuzz-targets >"$tmp/build.log" 2>&1 || { tail -n 20 "$tmp/build.log"; return 1; }; }
run fuzz_targets_build build_targets
for t in json sexp transmigrate; do
	[ -x "build-fuzz/fuzz/fuzz_$t" ] || continue
	# run.sh's line (runs, coverage, findings) is shown either way.
	if out=$(FUZZ_SCRATCH=1 fuzz/run.sh "$seconds" "$t" 2>&1); then
		ok "fuzz_${t}_${seconds}s_finds_nothing"
		echo "  $out"
	else
		not_ok "fuzz_${t}_${seconds}s_finds_nothing" "$out"
	fi
done
echo "SUMMARY test_fuzz.sh $passed $failed"
[ "$failed" -eq 0 ]
