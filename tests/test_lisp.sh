#!/usr/bin/env bash
# The Scheme programs from the command line: bad input to rlscheme and to the
# program workload is one line and exit 2; a program error is one line with
# its position and exit 1; scripts/compare-guile says so when Guile is absent
# and, when it is installed, finds the same answers on both sides.
#   BUILD=build bash tests/test_lisp.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
build=${BUILD:-build}
rls=$build/rlscheme
harness=$build/harness

# expect NAME EXIT PATTERN COMMAND...: exit status EXIT, stderr one line matching PATTERN
expect() {
	local name=$1 want=$2 pattern=$3 err rc
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name" "exit $rc, expected $want: $err"
	elif [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || ! printf '%s\n' "$err" | grep -Eq "$pattern"; then
		not_ok "$name" "stderr '$err' does not match '$pattern'"
	else
		ok "$name"
	fi
}

printf '(define (main n) (display (* n 2)) (newline))\n' > "$tmp/double.scm"
printf '(define (main n)\n  (car n))\n' > "$tmp/bad.scm"
run rlscheme_runs_a_program test "$("$rls" --size=21 "$tmp/double.scm")" = 42
expect rlscheme_program_error 1 '^.*/bad\.scm:2:3: car: expected a pair, got fixnum 3$' "$rls" --size=3 "$tmp/bad.scm"
expect rlscheme_unknown_strategy 2 "unknown strategy 'nope' \(valid: .*bitmap" "$rls" --strategy=nope "$tmp/double.scm"
expect rlscheme_bad_regions 2 'expected call or none' "$rls" --regions=some "$tmp/double.scm"
expect rlscheme_missing_file 2 'cannot read' "$rls" "$tmp/missing.scm"
expect harness_unknown_program 2 'lisp/programs/nope.scm: cannot read' \
	"$harness" --strategy=bitmap --workload=program:name=nope --out="$tmp/x.csv"
expect harness_bad_regions 2 'regions=some: expected one of call|none' \
	"$harness" --strategy=bitmap --workload=program:name=tak,regions=some --out="$tmp/x.csv"
run harness_wrote_nothing_on_bad_input test ! -e "$tmp/x.csv"

# a program error is a row whose status says so
"$harness" --strategy=bitmap --workload=program:file="$tmp/bad.scm",size=3 --out="$tmp/rows.csv" 2>/dev/null
run harness_error_row grep -q 'error: .*bad.scm:2:3: car: expected a pair' "$tmp/rows.csv"

# compare-guile without guile on the PATH
mkdir -p "$tmp/bin" # a PATH without guile
out=$(PATH="$tmp/bin" /usr/bin/python3 scripts/compare-guile --rlscheme="$rls" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q 'guile is not installed'; then
	ok compare_guile_says_guile_is_absent
else
	not_ok compare_guile_says_guile_is_absent "exit $rc: $out"
fi
if command -v guile >/dev/null; then
	run compare_guile_same_answers scripts/compare-guile --reps=1 --size=test --rlscheme="$rls"
fi
echo "SUMMARY test_lisp.sh $passed $failed"
[ "$failed" -eq 0 ]
