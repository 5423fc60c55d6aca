#!/usr/bin/env bash
# Adds up the per-variant results written by tests/run.sh and prints the
# closing line: "total: N passed, N failed".  Fails when a variant did not
# run or had a failure.
set -u
passed=0 failed=0
for build in "$@"; do
	f="$build/test-summary"
	if [ ! -f "$f" ]; then
		echo "$build: did not run to completion (no $f)"
		failed=$((failed + 1))
		continue
	fi
	read -r p fl <"$f"
	passed=$((passed + p))
	failed=$((failed + fl))
done
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
