#!/usr/bin/env bash
# Runs the test binaries of one build variant and adds their SUMMARY lines up.
#   tests/run.sh BUILD_DIR
# Under build-tsan only the threaded tests run: the tether schemes and the
# strategies (proxy's background evacuation thread).  TSan checks data races;
# the other suites are single-threaded and already run under ASan.
# Every test binary and shell test prints "SUMMARY name passed failed" last.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
cd "$(dirname "$0")/.."
passed=0 failed=0 broken=()
case "$build" in
*tsan*) patterns='test_tether* test_strategies' ;;
*) patterns='test_*' ;;
esac
run_one() {
	local name=$1
	shift
	local out rc
	out=$(timeout 900 "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' | grep -v '^SUMMARY' || true
	local line
	# The test's own line: a sanitizer's report ends with "SUMMARY: ...".
	line=$(printf '%s\n' "$out" | grep -E '^SUMMARY [^ :]+ [0-9]+ [0-9]+$' | tail -n 1)
	if [ -z "$line" ]; then
		echo "BROKEN $name: exit $rc without a SUMMARY line"
		failed=$((failed + 1))
		broken+=("$name")
		return
	fi
	set -- $line
	passed=$((passed + $3))
	failed=$((failed + $4))
	if [ "$rc" -ne 0 ] && [ "$4" -eq 0 ]; then
		echo "BROKEN $name: exit $rc"
		failed=$((failed + 1))
	fi
	echo "$name: $3 passed, $4 failed"
}
for pattern in $patterns; do
for bin in "$build"/tests/$pattern; do
	[ -x "$bin" ] || continue
	case "$bin" in *.o | *.d) continue ;; esac
	run_one "$(basename "$bin")" "$bin"
done
for script in tests/$pattern.sh; do
	[ -f "$script" ] || continue
	run_one "$(basename "$script")" env BUILD="$build" bash "$script"
done
done
echo "$passed $failed" >"$build/test-summary"
echo "$(basename "$build"): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
