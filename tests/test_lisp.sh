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
# A program grid point runs in rounds like any other: every strategy at once
# (more than the 8 medians the stop rule first had room for: under ASan an
# overrun is a crash), each row with the interval of its program time.
every_strategy=$("$harness" --list | awk '$1 == "transmigrator" { printf "%s%s", sep, $2; sep = "," }')
program_rounds() {
	"$harness" --strategy="$every_strategy" --workload=program:name=tak,size=5 --reps=3 --max-rounds=3 \
		--format=csv >"$tmp/rounds.csv" 2>"$tmp/rounds.err" || { echo "exit $?: $(cat "$tmp/rounds.err")"; return 1; }
	/usr/bin/python3 - "$tmp/rounds.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
strategies = {r["strategy"] for r in rows}
# The interval is of the rounds the machine gate kept (disturbed at most its retry limit, 2):
# a strategy with fewer than two of those (a machine slow through its trials) has none.
kept = {s: sum(1 for r in rows if r["strategy"] == s and int(r["disturbed"]) <= 2) for s in strategies}
bad = [r["strategy"] for r in rows if r["status"] != "ok"
       or (kept[r["strategy"]] >= 2 and (not r["ci_lo"] or not r["ci_hi"] or not float(r["ci_lo"]) <= float(r["ci_hi"])))
       or (kept[r["strategy"]] < 2 and (r["ci_lo"] or r["ci_hi"]))]
assert len(strategies) > 8 and len(rows) == 3 * len(strategies), (len(strategies), len(rows))
assert not bad, "rows whose interval does not match their kept rounds: " + " ".join(bad)
PY
}
run program_grid_point_has_rounds_and_intervals program_rounds

# The paper's program section (scripts/lib/programs.py) on rows whose times
# are set here: the fastest strategy is in bold and named the winner of whole
# programs only when its interval excludes the others', else a tie; times are
# normalised to regions=none; the escape-share table reads the series.
"$harness" --strategy=bitmap,cheney --workload=program:name=tak,size=5 --reps=5 --max-rounds=5 \
	--out="$tmp/prog.csv" 2>/dev/null &&
	"$harness" --strategy=bitmap --workload=program:name=tak,size=5,regions=none --reps=5 --max-rounds=5 \
		--out="$tmp/prog.csv" 2>/dev/null &&
	"$harness" --strategy=bitmap --workload=program:name=msort,size=50,series="$tmp/prog.escapes.csv" \
		--reps=1 --max-rounds=1 --seed=1000 --out="$tmp/prog.csv" 2>/dev/null
# set_times FILE BITMAP_STEP: cheney 1.000-1.004 ms, bitmap 2 ms + rep x step, regions=none 4 ms
set_times() {
	/usr/bin/python3 - "$tmp/prog.csv" "$1" "$2" <<'PY'
import csv, sys
src, dst, step = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = list(csv.DictReader(open(src)))
for r in rows:
    if "series" in r["workload"]:
        continue
    rep = int(r["rep"])
    if "regions=none" in r["workload"]:
        ns = 4e6 + rep * 1e3
    elif r["strategy"] == "cheney":
        ns = 1e6 + rep * 1e3
    else:
        ns = 2e6 - 2 * step + rep * step
    r["program_ns"] = r["ns_total"] = str(int(ns))
    r["ci_lo"], r["ci_hi"] = "", ""
with open(dst, "w", newline="") as fp:
    w = csv.DictWriter(fp, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
PY
}
paper_section() {
	cp "$tmp/prog.escapes.csv" "$tmp/$1.escapes.csv" &&
		/usr/bin/python3 scripts/paper.py "$tmp/$1.csv" --out="$tmp/$1.md" --figdir="$tmp" 2>/dev/null &&
		sed -n '/^## Real programs/,/^## Figures/p' "$tmp/$1.md"
}
program_winner() {
	set_times "$tmp/apart.csv" 1e3 || return 1
	local md
	md=$(paper_section apart) || return 1
	printf '%s\n' "$md" | grep -q '^| tak 5 | 0.004 s \[.*| \*\*0.25 \[0.25, 0.25\]\*\* |' ||
		{ echo "no bold 0.25 for cheney: $md"; return 1; }
	printf '%s\n' "$md" | grep -q '^\*\*Whole programs: `cheney` is fastest.\*\* `cheney` takes 0.25x \[0.25, 0.25\] of the one-region time .* against the runner-up `bitmap` its time is 0.50x \[0.50, 0.50\] (paired by round): 50% less' ||
		{ echo "no verdict: $md"; return 1; }
	printf '%s\n' "$md" | grep -q '^| msort | [0-9]* | [0-9.]*% |' || { echo "no escape shares: $md"; return 1; }
}
run program_section_names_the_winner program_winner
program_tie() {
	set_times "$tmp/tie.csv" 6e5 || return 1
	local md
	md=$(paper_section tie) || return 1
	printf '%s\n' "$md" | grep -q '\*\*0\.' && { echo "bold on a tie: $md"; return 1; }
	printf '%s\n' "$md" | grep -q '^| tak 5 | .*| ≈ 0.25 \[' || { echo "no tie mark: $md"; return 1; }
	printf '%s\n' "$md" | grep -q '^\*\*Whole programs: a tie.\*\*' || { echo "no tie verdict: $md"; return 1; }
}
run program_section_says_a_tie program_tie

echo "SUMMARY test_lisp.sh $passed $failed"
[ "$failed" -eq 0 ]
