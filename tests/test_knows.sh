#!/usr/bin/env bash
# What a trial declares the runtime knows (issue 15, item 4: the graph
# workloads' knows= key, include/regionlab/knowledge.h): the exact line for
# a bad value or a contradicting key, the refusal of a strategy that is not
# legal in the class (before any trial, nothing written), adaptive's path
# per class read from its decision column (not from timing), and the sweep
# never generating an illegal pair.
#   BUILD=build bash tests/test_knows.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
H="$BUILD/harness"
. tests/lib.sh # tmp, passed/failed, ok, not_ok, run

if [ ! -x "$H" ]; then
	not_ok harness_built "$H is missing"
	echo "SUMMARY test_knows.sh $passed $failed"
	exit 1
fi

# expect_line NAME LINE ARGS...: exit 2, exactly LINE on stderr, nothing on
# stdout, no --out file left.
expect_line() {
	local name=$1 want=$2
	shift 2
	rm -f "$tmp/out.csv"
	"$H" "$@" --out="$tmp/out.csv" >"$tmp/stdout" 2>"$tmp/stderr"
	local rc=$?
	if [ "$rc" -ne 2 ]; then
		not_ok "$name" "exit $rc, expected 2 ($(head -c 300 "$tmp/stderr"))"
	elif [ "$(cat "$tmp/stderr")" != "$want" ]; then
		not_ok "$name" "stderr '$(cat "$tmp/stderr")', expected '$want'"
	elif [ -s "$tmp/stdout" ] || [ -e "$tmp/out.csv" ]; then
		not_ok "$name" "wrote output"
	else
		ok "$name"
	fi
}

# ---- the option: values and the keys a class fixes ---------------------------------
expect_line bad_value "harness: workload 'list': knows=often: expected one of nothing|dense|home|sole" \
	--strategy=bitmap --workload=list:knows=often --size=10
expect_line dense_with_garbage \
	"harness: workload 'list': knows=dense needs garbage=0 (all of src is the graph); valid with garbage: knows=nothing|home|sole" \
	--strategy=bitmap --workload=list:knows=dense,garbage=1 --size=10
expect_line dense_with_live \
	"harness: workload 'tree': knows=dense needs garbage=0 (all of src is the graph); valid with garbage: knows=nothing|home|sole" \
	--strategy=bitmap --workload=tree:knows=dense,live=0.5 --size=10
expect_line home_with_home_src \
	"harness: workload 'list': knows=home is home=sub (the graph in a clean sub-region); drop home=src" \
	--strategy=bitmap --workload=list:knows=home,home=src --size=10
expect_line sole_with_home_sub "harness: workload 'list': knows=sole is home=src; home=sub goes with knows=home" \
	--strategy=bitmap --workload=list:knows=sole,home=sub --size=10

# ---- legality: refused before any trial ---------------------------------------------
for k in nothing dense home; do
	expect_line "linear_refused_$k" \
		"harness: strategy 'linear' is not legal with workload 'list:knows=$k' (knows=$k): it adopts src whole, which another owner holds; it runs with knows=sole" \
		--strategy=bitmap,linear --workload=list:knows=$k --size=10
done
expect_line promote_refused_by_default \
	"harness: strategy 'promote' is not legal with workload 'list' (knows=nothing): it adopts src whole, which another owner holds; it runs with knows=sole" \
	--strategy=promote --workload=list --size=10
expect_line promote_refused_with_home_sub \
	"harness: strategy 'promote' is not legal with workload 'tree:home=sub' (knows=home): it adopts src whole, which another owner holds; it runs with knows=sole" \
	--strategy=promote --workload=tree:home=sub --size=10

# cell FILE STRATEGY COLUMN: the value of COLUMN in STRATEGY's row
cell() {
	/usr/bin/python3 - "$@" <<'EOF'
import csv, sys
path, strategy, column = sys.argv[1:]
for row in csv.DictReader(open(path)):
    if row["strategy"] == strategy:
        print(row[column])
        break
EOF
}

sole_runs_everything() {
	"$H" --strategy=linear,promote,bitmap --workload=list:knows=sole,garbage=1 --size=200 --reps=1 \
		--out="$tmp/sole.csv" >/dev/null 2>&1 || { echo "exit $?"; return 1; }
	for st in linear promote bitmap; do
		[ "$(cell "$tmp/sole.csv" $st status)" = ok ] || { echo "$st: $(cell "$tmp/sole.csv" $st status)"; return 1; }
		[ "$(cell "$tmp/sole.csv" $st knows)" = sole ] || { echo "$st: knows column '$(cell "$tmp/sole.csv" $st knows)'"; return 1; }
	done
}
run sole_runs_linear_and_promote sole_runs_everything

# ---- adaptive's path per class: its decision column ---------------------------------
# decides WORKLOAD DECISION: adaptive's row says DECISION, with decide_ns set
# when it traced and empty when knowledge decided (those calls read no clock)
decides() {
	rm -f "$tmp/a.csv"
	"$H" --strategy=adaptive --workload="$1" --size=3000 --reps=1 --out="$tmp/a.csv" >/dev/null 2>&1 ||
		{ echo "$1: exit $?"; return 1; }
	local d s ns
	d=$(cell "$tmp/a.csv" adaptive decision)
	s=$(cell "$tmp/a.csv" adaptive status)
	ns=$(cell "$tmp/a.csv" adaptive decide_ns)
	[ "$s" = ok ] || { echo "$1: status $s"; return 1; }
	[ "$d" = "$2" ] || { echo "$1: decision '$d', expected '$2'"; return 1; }
	case "$2" in
	linear | home | relocate) [ -z "$ns" ] || { echo "$1: decide_ns '$ns' on a knowledge path"; return 1; } ;;
	*) [ -n "$ns" ] || { echo "$1: decide_ns empty"; return 1; } ;;
	esac
}
adaptive_per_class() {
	decides list:knows=sole,garbage=1 linear &&
		decides tree:knows=sole linear &&
		decides list:knows=home,garbage=1 home &&
		decides tree:home=sub home &&
		decides list:knows=dense relocate &&
		decides tree:knows=dense,layout=shuffled relocate &&
		decides list:knows=nothing relocate-dense &&
		decides list:knows=nothing,garbage=1 sparse
}
run adaptive_decides_by_class adaptive_per_class

# ---- the sweep never generates an illegal pair ----------------------------------------
sweep_legal_pairs() {
	cat >"$tmp/k.sweep" <<'EOF'
description = knows classes x every strategy
[k]
kind       = transmigrate
strategies = all
workloads  = list
sizes      = 100
garbage    = 0 1
knows      = nothing dense home sole
reps       = 1
EOF
	scripts/sweep "$tmp/k.sweep" --harness="$H" --print-commands >"$tmp/cmds" 2>"$tmp/err" ||
		{ echo "sweep: $(cat "$tmp/err")"; return 1; }
	local n
	n=$(grep -c -- '--strategy' "$tmp/cmds")
	# 2 garbage x 4 classes less dense with garbage: 7 grid points
	[ "$n" -eq 7 ] || { echo "$n commands, expected 7: $(cat "$tmp/cmds")"; return 1; }
	if grep -E -- '--strategy=(linear|promote) .*knows=(nothing|dense|home)|knows=(nothing|dense|home).*--strategy=(linear|promote) ' "$tmp/cmds"; then
		echo "an illegal pair was generated"
		return 1
	fi
	grep -q -- 'knows=dense,.*garbage=1\|garbage=1,knows=dense' "$tmp/cmds" && { echo "dense with garbage generated"; return 1; }
	grep -q -- '--strategy=linear.*knows=sole\|knows=sole.*--strategy=linear' "$tmp/cmds" ||
		{ echo "linear not run in class sole: $(cat "$tmp/cmds")"; return 1; }
	# every generated command passes the harness's own check
	while read -r line; do
		eval "set -- $line"
		shift # the harness
		"$H" --check "$@" >/dev/null 2>"$tmp/err" || { echo "refused: $line: $(cat "$tmp/err")"; return 1; }
	done < <(grep -- '--strategy' "$tmp/cmds")
}
run sweep_generates_only_legal_pairs sweep_legal_pairs

# The sweep's list of strategies that adopt src (scripts/lib/sweepfile.py)
# is the harness's: exactly those are refused outside class sole.
adopters_agree() {
	local listed refused=""
	listed=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "scripts/lib"); import sweepfile; print(" ".join(sorted(sweepfile.ADOPTS_SRC)))')
	while read -r kind name _; do
		[ "$kind" = transmigrator ] || continue
		"$H" --check --strategy="$name" --workload=list:knows=nothing --size=10 >/dev/null 2>&1 ||
			refused="$refused $name"
	done < <("$H" --list)
	refused=$(echo $refused | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$refused" = "$listed" ] || { echo "harness refuses '$refused', the sweep drops '$listed'"; return 1; }
}
run sweep_and_harness_agree_on_adopters adopters_agree

echo "SUMMARY test_knows.sh $passed $failed"
[ "$failed" -eq 0 ]
