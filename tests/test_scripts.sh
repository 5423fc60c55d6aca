#!/usr/bin/env bash
# The experiment scripts: scripts/sweep (expansion, resume, merge, bad input),
# scripts/plot.py and the gnuplot scripts (all 7 figures, "no rows" when data
# is missing) and scripts/paper.py (T1-T8).  A stand-in harness
# (scripts/lib/synth.py) makes rows with the real header from
# driver/columns.def, so this runs in seconds and before any strategy lands;
# when $BUILD/harness exists, one real trial checks that its header is the same.
#   BUILD=build bash tests/test_scripts.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PY=/usr/bin/python3
. tests/lib.sh  # tmp, passed/failed, ok, not_ok, run

# The stand-in harness logs each call, so a test can tell what ran.  Its
# --check (the sweep's judge of a grid) logs apart and accepts everything but
# arguments containing \$SYNTH_BAD.
fake="$tmp/harness"
$PY scripts/lib/synth.py harness --list >"$tmp/list.txt"
cat >"$fake" <<EOS
#!/bin/sh
[ "\$1" = --list ] && exec cat "$tmp/list.txt"
if [ "\$1" = --check ]; then
	echo "\$*" >>"$tmp/checks.log"
	case "\$*" in *"\${SYNTH_BAD:-@none@}"*) echo "harness: synthetic bad option" >&2; exit 2 ;; esac
	exit 0
fi
echo "\$*" >>"$tmp/calls.log"
[ -z "\${SYNTH_SLEEP:-}" ] || sleep "\$SYNTH_SLEEP"
exec $PY "$PWD/scripts/lib/synth.py" harness "\$@"
EOS
chmod +x "$fake"
calls() { if [ -f "$tmp/calls.log" ]; then wc -l <"$tmp/calls.log"; else echo 0; fi; }

cat >"$tmp/tiny.sweep" <<'EOF2'
# a tiny sweep for the test
description = tiny
reps = 2
sizes = 999          # a default for transmigrate grids only: the tether grid ignores it
[tm]
kind       = transmigrate
strategies = cheney, bitmap notyet?
workloads  = list
sizes      = 100 1e3
layouts    = alloc shuffled
[te]
kind     = tether
tethers  = all -urcu-qsbr -urcu-memb -ck-epoch -ck-hp -hybrid -tls -hazard
threads  = 1..2
duration = 0.01
stall_ms = 5
series   = yes
EOF2
S=(scripts/sweep "$tmp/tiny.sweep" --harness="$fake")
csv="$tmp/out.csv"
# rows of out (not the header)
nrows() { $PY -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(len(r)-1)' "$1"; }
# identifying cells of every row, sorted, to spot duplicates
keys() { $PY -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(r["kind"], r["strategy"], r["workload"], r["size"], r["tether"], r["threads"], r["layout"], r["rep"])' "$1" | sort; }

# ---- expansion ------------------------------------------------------------------------
expansion() {
	local cmds n
	cmds=$("${S[@]}" --out="$csv" --print-commands 2>"$tmp/err") || { cat "$tmp/err"; return 1; }
	n=$(printf '%s\n' "$cmds" | grep -c harness)
	# one call per grid point with all its modules: 1 workload x 2 sizes x 2 layouts
	# with both strategies; + 2 thread counts with both tethers
	[ "$n" -eq 6 ] || { echo "expected 6 commands, got $n:"; printf '%s\n' "$cmds"; return 1; }
	printf '%s\n' "$cmds" | grep -q -- "--strategy=cheney --strategy=bitmap --workload=list:layout=alloc --size=100 --reps=2 --out=-" ||
		{ echo "no grid point command with both strategies:"; printf '%s\n' "$cmds"; return 1; }
	printf '%s\n' "$cmds" | grep -q -- "--tether=atomic:series=$tmp/out.series.csv --tether=ebr:series=$tmp/out.series.csv --threads=2 --stall-ms=5 --duration=0.01 --reps=2 --out=-" ||
		{ echo "no tether grid point command:"; printf '%s\n' "$cmds"; return 1; }
	grep -q "notyet' is not registered yet: skipped" "$tmp/err" || { echo "no note for notyet?"; return 1; }
	[ ! -e "$csv" ] || { echo "--print-commands wrote $csv"; return 1; }
}
run sweep_print_commands_expands_the_grid expansion

# max_rounds and max_seconds reach the harness of every grid point (tethers run in rounds too).
round_caps() {
	printf '%s\n' "max_rounds = 9" "max_seconds = 2.5" "[a]" "kind = transmigrate" "strategies = cheney, bitmap" \
		"workloads = list" "sizes = 100" "[b]" "kind = tether" "tethers = ebr" "threads = 1" >"$tmp/caps.sweep"
	local cmds
	cmds=$(scripts/sweep "$tmp/caps.sweep" --harness="$fake" --out="$tmp/caps.csv" --print-commands 2>"$tmp/err") ||
		{ cat "$tmp/err"; return 1; }
	printf '%s\n' "$cmds" | grep -q -- "--strategy=cheney --strategy=bitmap --workload=list --size=100 --reps=3 --max-rounds=9 --max-seconds=2.5 " ||
		{ echo "no caps on the grid point: $cmds"; return 1; }
	printf '%s\n' "$cmds" | grep -q -- "--tether=ebr --threads=1 --reps=1 --max-rounds=9 --max-seconds=2.5 " ||
		{ echo "no caps on the tether grid point: $cmds"; return 1; }
}
run sweep_round_caps_reach_the_harness round_caps

# Each harness call gets the best machine-gate probe of the calls before it
# (--probe-ref, driver/machine_gate.h): the stand-in writes probe_ns 1 below
# the reference it got (150000 without one), or 7 above it for a shuffled
# layout, so replaying the calls in order tells the best probe so far from
# the last call's.
probe_reference() {
	: >"$tmp/calls.log"
	"${S[@]}" --out="$tmp/probe.csv" --jobs=1 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	$PY - "$tmp/calls.log" <<'EOF2' || return 1
import re, sys
calls = open(sys.argv[1]).read().splitlines()
assert len(calls) == 6, calls
best, raised = None, 0
for k, c in enumerate(calls):
    refs = re.findall(r"--probe-ref=(\d+)", c)
    want = [] if best is None else [str(best)]
    assert refs == want, "call %d: %r, expected %r: %s" % (k, refs, want, c)
    ref = best if best is not None else 150000
    probe = ref + (7 if "shuffled" in c else -1)
    raised += probe > ref
    best = probe if best is None else min(best, probe)
assert raised, "no call wrote a probe above its reference: the test would not tell best from last"
EOF2
	rm -f "$tmp/calls.log"  # the tests below count their own calls
}
run sweep_passes_the_best_probe_so_far probe_reference

# ---- running and resuming ---------------------------------------------------------------
first_run() {
	"${S[@]}" --out="$csv" --jobs=2 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(nrows "$csv")" -eq 24 ] || { echo "expected 24 rows, got $(nrows "$csv")"; return 1; }
	[ "$(calls)" -eq 6 ] || { echo "expected 6 harness calls, got $(calls)"; return 1; }
	grep -q '6/6 100%' "$tmp/err" || { echo "no progress line:"; cat "$tmp/err"; return 1; }
	[ -z "$(keys "$csv" | uniq -d)" ] || { echo "duplicate rows"; return 1; }
	# rows merged in grid order: the tether trials (last grid) come last
	[ "$(tail -n 1 "$csv" | cut -d, -f6)" = tether ] || { echo "last row is not a tether row"; return 1; }
	[ "$(grep -c '^ebr,' "$tmp/out.series.csv")" -ge 20 ] || { echo "no time series written"; return 1; }
}
run sweep_runs_every_trial_once first_run

resume_all_done() {
	: >"$tmp/calls.log"
	"${S[@]}" --out="$csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 0 ] || { echo "reran $(calls) trials that were done"; return 1; }
	grep -q '0 to run' "$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(nrows "$csv")" -eq 24 ] || { echo "row count changed"; return 1; }
}
run sweep_resume_skips_done_rows resume_all_done

resume_partial() {
	# drop rep 1 of one transmigration trial and both reps of one tether trial
	$PY - "$csv" <<'EOF2'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
h = rows[0]
k = {c: i for i, c in enumerate(h)}
keep = [h]
for r in rows[1:]:
    if r[k["strategy"]] == "bitmap" and r[k["size"]] == "1000" and "shuffled" in r[k["workload"]] and r[k["rep"]] == "1":
        continue
    if r[k["tether"]].startswith("atomic:series=") and r[k["threads"]] == "2":
        continue
    keep.append(r)
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(keep)
EOF2
	[ "$(nrows "$csv")" -eq 21 ] || { echo "setup: expected 21 rows, got $(nrows "$csv")"; return 1; }
	: >"$tmp/calls.log"
	"${S[@]}" --out="$csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 2 ] || { echo "expected 2 harness calls, got $(calls):"; cat "$tmp/calls.log"; return 1; }
	[ "$(nrows "$csv")" -eq 24 ] || { echo "expected 24 rows after resume, got $(nrows "$csv")"; return 1; }
	[ -z "$(keys "$csv" | uniq -d)" ] || { echo "duplicate rows after resume:"; keys "$csv" | uniq -d; return 1; }
}
run sweep_resume_runs_only_missing_trials resume_partial

# passes = 2: each grid point in two calls, every first pass before any
# second, the second numbering its rounds from its share of max_rounds; a
# resume reruns only the pass that lacks a row.
passes_split() {
	cat >"$tmp/passes.sweep" <<'EOF2'
description = passes
[p]
kind       = transmigrate
strategies = cheney bitmap
workloads  = list tree
sizes      = 100
reps       = 3
max_rounds = 6
max_seconds = 4
passes     = 2
EOF2
	local out="$tmp/passes.csv"
	: >"$tmp/calls.log"
	scripts/sweep "$tmp/passes.sweep" --harness="$fake" --out="$out" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 4 ] || { echo "expected 4 harness calls, got $(calls)"; return 1; }
	# calls 1-2: both grid points' first passes; 3-4: their second, from round 3
	sed -n 1,2p "$tmp/calls.log" | grep -q -- --first-round && { echo "a first pass came late:"; cat "$tmp/calls.log"; return 1; }
	[ "$(sed -n 3,4p "$tmp/calls.log" | grep -c -- '--reps=2 --first-round=3 --max-rounds=3 --max-seconds=2 ')" -eq 2 ] ||
		{ echo "second passes:"; cat "$tmp/calls.log"; return 1; }
	[ "$(cut -d, -f13 "$out" | sed 1d | sort -u | tr '\n' ' ')" = "0 1 3 4 " ] || { echo "reps: $(cut -d, -f13 "$out" | sort -u | tr '\n' ' ')"; return 1; }
	[ -z "$(keys "$out" | uniq -d)" ] || { echo "duplicate rows"; return 1; }
	: >"$tmp/calls.log"
	scripts/sweep "$tmp/passes.sweep" --harness="$fake" --out="$out" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 0 ] || { echo "reran $(calls) passes that were done"; return 1; }
	grep -v '^[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,bitmap,tree,100,[^,]*,[^,]*,[^,]*,4,' "$out" >"$out.tmp" && mv "$out.tmp" "$out"
	scripts/sweep "$tmp/passes.sweep" --harness="$fake" --out="$out" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 1 ] && grep -q -- 'workload=tree.*--first-round=3' "$tmp/calls.log" ||
		{ echo "the resume ran:"; cat "$tmp/calls.log"; return 1; }
	[ -z "$(keys "$out" | uniq -d)" ] || { echo "duplicate rows after the resume"; return 1; }
}
run sweep_passes_split_grid_points passes_split

# A row whose status says the trial did not run as specified is not done.
rerun_invalid() {
	local csv="$tmp/invalid.csv" # a copy: the tests below count the rows of the original
	cp "$tmp/out.csv" "$csv"
	$PY - "$csv" <<'EOF2'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
k = {c: i for i, c in enumerate(rows[0])}
for r in rows[1:]:
    if r[k["strategy"]] == "cheney" and r[k["size"]] == "100" and r[k["rep"]] == "0":
        r[k["status"]] = "precondition failed" if "shuffled" in r[k["workload"]] else "error: workload: bad input"
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
EOF2
	: >"$tmp/calls.log"
	"${S[@]}" --out="$csv" --kind=transmigrate 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 2 ] || { echo "expected the 2 trials with invalid rows to run again, got $(calls):"; cat "$tmp/calls.log"; return 1; }
	grep -q -- "--strategy=cheney --strategy=bitmap --workload=list:layout=shuffled --size=100" "$tmp/calls.log" || { cat "$tmp/calls.log"; return 1; }
	: >"$tmp/calls.log"
	"${S[@]}" --out="$csv" --kind=transmigrate 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 0 ] || { echo "the rerun rows do not count as done: $(calls) calls"; return 1; }
}
run sweep_reruns_trials_whose_rows_say_invalid rerun_invalid

# A trial whose rows come back kept disturbed (the gate's retries ran out) is run
# once more at the end of the same sweep, for the rows it lacks; its disturbed
# rows stay in the CSV, flagged, and a second sweep finds nothing to do.
rerun_disturbed() {
	local csv="$tmp/disturbed.csv" n
	rm -f "$csv" "$tmp/disturbed.mark"
	: >"$tmp/calls.log"
	SYNTH_DISTURB="layout=shuffled --size=100 " SYNTH_DISTURB_ONCE="$tmp/disturbed.mark" \
		"${S[@]}" --out="$csv" --kind=transmigrate --retry-pause=0 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 5 ] || { echo "expected 4 grid points and the disturbed one again, got $(calls):"; cat "$tmp/calls.log"; return 1; }
	[ "$(grep -c -- "--workload=list:layout=shuffled --size=100 " "$tmp/calls.log")" -eq 2 ] || { cat "$tmp/calls.log"; return 1; }
	grep -q "^sweep tiny: 1 trials came back with rows kept disturbed; running them once more in 0 s$" "$tmp/err" ||
		{ cat "$tmp/err"; return 1; }
	grep -q "still have rows kept disturbed" "$tmp/err" && { cat "$tmp/err"; return 1; }
	# the second visit is judged against the best probe of the first pass (the stand-in's probes: 149999 at most)
	tail -n 1 "$tmp/calls.log" | grep -q -- "--workload=list:layout=shuffled --size=100 .*--probe-ref=1499" ||
		{ echo "the second visit had no --probe-ref:"; tail -n 1 "$tmp/calls.log"; return 1; }
	n=$($PY -c 'import csv,sys; print(sum(r["disturbed"] == "3" for r in csv.DictReader(open(sys.argv[1]))))' "$csv")
	[ "$n" -eq 4 ] && [ "$(nrows "$csv")" -eq 20 ] || { echo "$n disturbed rows of $(nrows "$csv") (want 4 of 20)"; return 1; }
	: >"$tmp/calls.log"
	"${S[@]}" --out="$csv" --kind=transmigrate --retry-pause=0 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 0 ] || { echo "a second sweep ran $(calls) trials"; cat "$tmp/calls.log"; return 1; }
}
run sweep_runs_trials_kept_disturbed_once_more rerun_disturbed

# The whole grid is judged by `harness --check` before any trial runs.
grid_checked() {
	local o="$tmp/checked/out.csv" rc
	: >"$tmp/calls.log"
	: >"$tmp/checks.log"
	SYNTH_BAD="--tether=ebr" "${S[@]}" --out="$o" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "exit $rc: $(cat "$tmp/err")"; return 1; }
	grep -q "tiny.sweep: grid \[te\]: synthetic bad option" "$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(calls)" -eq 0 ] || { echo "ran $(calls) trials of a bad grid"; return 1; }
	[ ! -e "$tmp/checked" ] || { echo "created $tmp/checked"; return 1; }
	# every module spec of the grid went through --check
	for spec in --strategy=cheney --strategy=bitmap --workload=list:layout=shuffled --tether=atomic --tether=ebr; do
		grep -q -- "$spec" "$tmp/checks.log" || { echo "$spec was not checked:"; cat "$tmp/checks.log"; return 1; }
	done
}
run sweep_checks_the_grid_before_running grid_checked

more_reps() {
	sed 's/^reps = 2/reps = 3/' "$tmp/tiny.sweep" >"$tmp/tiny3.sweep"
	scripts/sweep "$tmp/tiny3.sweep" --harness="$fake" --out="$csv" --kind=tether 2>"$tmp/err" ||
		{ cat "$tmp/err"; return 1; }
	# 4 tether trials now have rep 2 too; reps 0 and 1 are not written twice
	[ "$(nrows "$csv")" -eq 28 ] || { echo "expected 28 rows, got $(nrows "$csv")"; return 1; }
	[ -z "$(keys "$csv" | uniq -d)" ] || { echo "duplicate rows"; return 1; }
}
run sweep_more_reps_adds_only_new_reps more_reps

merge_printed() {
	local o2="$tmp/merged.csv"
	"${S[@]}" --out="$o2" --kind=tether --print-commands 2>/dev/null >"$tmp/cmds" || return 1
	# what GNU parallel would do: run each line, keep the output
	while IFS= read -r line; do sh -c "$line"; done <"$tmp/cmds" >"$tmp/parts.csv" || return 1
	"${S[@]}" --out="$o2" --merge "$tmp/parts.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(nrows "$o2")" -eq 8 ] || { echo "expected 8 merged rows, got $(nrows "$o2")"; return 1; }
	"${S[@]}" --out="$o2" --merge "$tmp/parts.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(nrows "$o2")" -eq 8 ] || { echo "merging twice added rows"; return 1; }
	[ -z "$("${S[@]}" --out="$o2" --kind=tether --print-commands 2>/dev/null)" ] || { echo "commands left after merge"; return 1; }
}
run sweep_merge_of_printed_commands merge_printed

failed_trial() {
	local o3="$tmp/fail.csv" rc
	SYNTH_FAIL="--threads=2 " "${S[@]}" --out="$o3" --kind=tether 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || { echo "exit $rc, expected 1"; cat "$tmp/err"; return 1; }
	grep -q "1 trials failed" "$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -q "FAILED 2t stall=5ms (atomic ebr): exit 2: harness: synthetic failure" "$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(nrows "$o3")" -eq 4 ] || { echo "expected the 4 other rows, got $(nrows "$o3")"; return 1; }
}
run sweep_failed_trials_exit_1_and_keep_the_rest failed_trial

# ---- bad input: one line, exit 2, nothing written ------------------------------------------
bad_case() { # name, expected text in the message, sweep file lines...
	local name=$1 want=$2 rc err
	shift 2
	printf '%s\n' "$@" >"$tmp/bad.sweep"
	rm -f "$tmp/bad.csv"
	scripts/sweep "$tmp/bad.sweep" --harness="$fake" --out="$tmp/bad.csv" >/dev/null 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" -ne 2 ]; then not_ok "$name" "exit $rc, expected 2: $err"; return; fi
	if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then not_ok "$name" "not one line: $err"; return; fi
	if ! grep -q -- "$want" "$tmp/err"; then not_ok "$name" "message lacks '$want': $err"; return; fi
	if [ -e "$tmp/bad.csv" ]; then not_ok "$name" "wrote $tmp/bad.csv"; return; fi
	ok "$name"
}
G=("[g]" "kind = transmigrate" "workloads = list")
bad_case sweep_bad_line "expected 'key = value'" "[g]" "this is not a line"
bad_case sweep_no_grid "no \[grid\]" "reps = 3"
bad_case sweep_unknown_key "unknown key 'sizez'.*valid:" "${G[@]}" "strategies = cheney" "sizez = 10"
bad_case sweep_bad_number "bad value for sizes: '10x'" "${G[@]}" "strategies = cheney" "sizes = 10x"
bad_case sweep_unknown_strategy "unknown transmigrator 'chenex'; valid: naive" "${G[@]}" "strategies = chenex" "sizes = 10"
bad_case sweep_missing_key "needs 'sizes'" "${G[@]}" "strategies = cheney"
bad_case sweep_unknown_kind "unknown kind 'x'; valid: transmigrate, tether" "[g]" "kind = x"
bad_case sweep_bad_layout "expected packed or padded" "[g]" "kind = tether" "tethers = all" "threads = 1" "layout = shuffled"
bad_case sweep_include_cycle "include cycle" "[g]" "include = $tmp/bad.sweep"
bad_case sweep_unknown_include "no sweep file" "[g]" "include = $tmp/nosuch.sweep"

one_line_exit_2() { # name, expected text, command...
	local name=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$want" "$tmp/err"; then
		not_ok "$name" "exit $rc: $(cat "$tmp/err")"
	else
		ok "$name"
	fi
}
one_line_exit_2 sweep_unknown_name "unknown sweep 'nosuch'; valid: .*default" scripts/sweep nosuch --harness="$fake"
echo not-a-dir >"$tmp/file"
one_line_exit_2 sweep_unwritable_output "cannot" "${S[@]}" --out="$tmp/file/out.csv"
one_line_exit_2 sweep_foreign_output "not a regionlab CSV" "${S[@]}" --out="$tmp/tiny.sweep"
one_line_exit_2 sweep_missing_harness "no executable harness" scripts/sweep "$tmp/tiny.sweep" --harness="$tmp/nope"
one_line_exit_2 sweep_bad_jobs "jobs=0" "${S[@]}" --jobs=0
one_line_exit_2 plot_missing_csv "no CSV file" scripts/plot.py "$tmp/nosuch.csv"
one_line_exit_2 paper_bad_option "unknown option" scripts/paper.py --bogus
# Malformed input to every script: one line, exit 2, never a traceback.
printf '\x00\x01\xff\xfe' >"$tmp/binary.csv"
one_line_exit_2 plot_binary_csv "not a regionlab CSV (not UTF-8" scripts/plot.py "$tmp/binary.csv" --outdir="$tmp/badplot"
one_line_exit_2 paper_binary_csv "not a regionlab CSV (not UTF-8" scripts/paper.py "$tmp/binary.csv" --out="$tmp/bad.md"
cp "$tmp/binary.csv" "$tmp/binary.sweep"
one_line_exit_2 sweep_binary_sweep_file "not UTF-8 text" scripts/sweep "$tmp/binary.sweep" --harness="$fake" --out="$tmp/b.csv"
printf '%s\n' "[m]" "kind = transmigrate" "strategies = bitmap" "workloads = list" "sizes = 100" >"$tmp/mini.sweep"
one_line_exit_2 sweep_binary_merge "not a CSV of harness rows" scripts/sweep "$tmp/mini.sweep" --harness="$fake" \
	--out="$tmp/b.csv" --merge "$tmp/binary.csv"
cp "$tmp/binary.csv" "$tmp/binary-out.csv"
one_line_exit_2 sweep_binary_output "cannot read" "${S[@]}" --out="$tmp/binary-out.csv"
cmp -s "$tmp/binary.csv" "$tmp/binary-out.csv" && ok sweep_binary_output_untouched || not_ok sweep_binary_output_untouched "changed"
one_line_exit_2 perf_c2c_bad_scheme "not a tether scheme name" scripts/perf-c2c.sh --bogus
one_line_exit_2 perf_c2c_bad_threads "THREADS=many: expected an integer" scripts/perf-c2c.sh atomic many
one_line_exit_2 install_deps_no_arguments "takes no arguments" scripts/install-deps.sh --force
gbench_bad() { # name, expected text, JSON text
	printf '%s' "$3" >"$tmp/bad-gbench.json"
	rm -f "$tmp/bad-gbench.csv"
	one_line_exit_2 "$1" "$2" scripts/gbench2csv.py "$tmp/bad-gbench.json" --out="$tmp/bad-gbench.csv"
}
gbench_bad gbench_not_json "not Google Benchmark JSON (Expecting value)" 'nope'
gbench_bad gbench_binary "not UTF-8 text" "$(printf '\xff\xfe')"
gbench_bad gbench_no_list "no 'benchmarks' list" '{"benchmarks": 5}'
gbench_bad gbench_top_level_list "no 'benchmarks' list" '[1, 2]'
gbench_bad gbench_entry_not_object "benchmarks\[0\] is not an object" '{"benchmarks": [5]}'
gbench_bad gbench_no_name "no 'name' string" '{"benchmarks": [{"real_time": 1}]}'
gbench_bad gbench_no_time "'real_time' is not a number" '{"benchmarks": [{"name": "x"}]}'
gbench_bad gbench_text_time "'real_time' is not a number" '{"benchmarks": [{"name": "x", "real_time": "fast"}]}'
gbench_bad gbench_text_iterations "'iterations' is not a number" '{"benchmarks": [{"name": "x", "real_time": 1, "iterations": "many"}]}'
gbench_bad gbench_context_not_object "'context' is not an object" '{"context": 3, "benchmarks": []}'
gbench_bad gbench_bad_unit "unknown time_unit" '{"benchmarks": [{"name": "x", "real_time": 1, "time_unit": "fortnights"}]}'
gbench_bad gbench_deep_nesting "nested too deeply" "$($PY -c 'print("[" * 100000 + "]" * 100000)')"

# The shipped sweeps parse against the stand-in's module list.
shipped() {
	local s
	for s in experiments/*.sweep; do
		scripts/sweep "$s" --harness="$fake" --out="$tmp/shipped.csv" --dry-run >/dev/null 2>"$tmp/err" ||
			{ echo "$s: $(cat "$tmp/err")"; return 1; }
	done
	scripts/sweep default --harness="$fake" --out="$tmp/shipped.csv" --dry-run | grep -q "trials"
}
run shipped_sweeps_parse shipped

# ---- figures and the paper ------------------------------------------------------------------
$PY scripts/lib/synth.py csv "$tmp/synth.csv"
figs_all() {
	local f ext
	scripts/plot.py "$tmp/synth.csv" --outdir="$tmp/res" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	for f in fig1_ns_per_obj fig2_memcpy_frac fig3_proxy_pause fig4_splice_crossover fig5_tether_scaling \
		fig6_unreclaimed fig7_false_sharing fig9_who_wins; do
		for ext in png svg gnuplot.png gnuplot.svg; do
			[ -s "$tmp/res/$f.$ext" ] || { echo "missing $f.$ext"; return 1; }
		done
	done
	grep -q '"empty": true' "$tmp/res/figures.json" && { echo "a figure had no rows"; return 1; }
	grep -q "from the time series in synth.series.csv" "$tmp/res/figures.json" ||
		{ echo "figure 6 did not use the time series"; return 1; }
	grep -q "compiler gcc 12.2.0 (synthetic)" "$tmp/res/fig1_ns_per_obj.svg" ||
		{ echo "no provenance in the figure"; return 1; }
	return 0
}
run plot_draws_8_figures_with_both_engines figs_all

paper_all() {
	local n
	scripts/paper.py "$tmp/synth.csv" --out="$tmp/res/paper.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -q "kept disturbed" "$tmp/res/paper.md" && { echo "synth.csv has no disturbed row, yet:"; grep "kept disturbed" "$tmp/res/paper.md"; return 1; }
	# two rows kept disturbed: named in the header and read by no table
	$PY - "$tmp/synth.csv" "$tmp/disturbed-synth.csv" <<'EOPY' || return 1
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
k = {c: i for i, c in enumerate(rows[0])}
for r in rows[1:3]:
    r[k["disturbed"]] = "3"
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(rows)
EOPY
	scripts/paper.py "$tmp/disturbed-synth.csv" --out="$tmp/disturbed-paper.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -q "; 2 rows kept disturbed (the harness's last attempt on a machine that stayed disturbed) are left out of every table and of the figures drawn from rows" \
		"$tmp/disturbed-paper.md" || { echo "no disturbed count in the header:"; head -8 "$tmp/disturbed-paper.md"; return 1; }
	grep -q "^\*\*Table 8\.\*\* " "$tmp/res/paper.md" || { echo "no Table 8 caption"; return 1; }
	for n in 1 2 3 4 5 6 7; do
		grep -q "^\*\*Table $n\.\*\* " "$tmp/res/paper.md" || { echo "no Table $n caption"; return 1; }
		grep -q "^\*\*Figure $n\.\*\* " "$tmp/res/paper.md" || { echo "no Figure $n caption"; return 1; }
		grep -q "^!\[Figure $n" "$tmp/res/paper.md" || { echo "Figure $n not embedded"; return 1; }
	done
	grep -q "no rows" "$tmp/res/paper.md" && { echo "a table had no rows"; return 1; }
	# Figure 9 (who wins when, issue 15) and Table 7 per knowledge class, from synth's knows= rows
	grep -q "^!\[Figure 9" "$tmp/res/paper.md" || { echo "Figure 9 not embedded"; return 1; }
	grep -q "fastest by what the runtime knows (smallest to largest size): list: nothing " "$tmp/res/paper.md" ||
		{ echo "Figure 9 names no winners"; return 1; }
	grep -Eq "^\| adaptive \| sole \| list \| 2 \| [a-z]+ \| [^|]+ \| linear ×6 \|$" "$tmp/res/paper.md" ||
		{ echo "T7 has no sole row for list with adaptive's decisions"; return 1; }
	grep -q "| adaptive | dense | tree | 2 |" "$tmp/res/paper.md" || { echo "T7 has no dense row"; return 1; }
	grep -q "commit 0123456789ab-dirty" "$tmp/res/paper.md" || { echo "no provenance"; return 1; }
	grep -q "| atomic | 9" "$tmp/res/paper.md" || { echo "T5 lacks the atomic row"; return 1; }
	# T1's last column: the fastest strategy that leaves src as it was (synth: relocate, 4 ns per
	# object against bitmap's 14 and naive's 60), by the tie rule
	grep -Eq "^\| list \| alloc \| 10\^3 \| .* \| \*\*relocate\*\* \|$" "$tmp/res/paper.md" ||
		{ echo "T1 does not name relocate the fastest that keeps src"; return 1; }
	# T8: bitmap's phases add up to its call (synth: setup 1/20, restore 1/5 of it)
	# and the fraction against the one yardstick comes with its interval and spread
	grep -Eq "^\| bitmap \| list \| [^|]+ \| [^|]+ \| [^|]+ \| [0-9.]+ \[[0-9.]+, [0-9.]+\] \([0-9.]+–[0-9.]+\) \|( [^|]+ \|){2} [0-9.]+ [mµ]?s \| [0-9.]+ [mµ]?s \| [0-9.]+ [mµ]?s \|$" \
		"$tmp/res/paper.md" || { echo "T8 lacks bitmap's phases"; return 1; }
	grep -Eq "^\| cheney \| list \| .* \| – \| – \| – \|$" "$tmp/res/paper.md" || { echo "T8 shows phases cheney does not time"; return 1; }
	return 0
}
run paper_has_tables_and_figures paper_all

# Rows of a second machine that ran no adaptive (a device's naive and bitmap at 10^6) get their
# own section in Table 1, none in Table 7: it would be a table without a row.
paper_other_machine() {
	mkdir -p "$tmp/two"
	$PY - "$tmp/synth.csv" "$tmp/two/two.csv" <<'EOF2'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
extra = [dict(r, cpu="Other CPU x16") for r in rows if r["kind"] == "transmigrate" and r["strategy"] == "bitmap"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows + extra)
EOF2
	scripts/paper.py "$tmp/two/two.csv" --out="$tmp/two/paper.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	sed -n '/^\*\*Table 1\.\*\*/,/^\*\*Table 2\.\*\*/p' "$tmp/two/paper.md" | grep -q "^\*On Other CPU x16:\*" ||
		{ echo "T1 has no section for the second machine"; return 1; }
	sed -n '/^\*\*Table 7\.\*\*/,/^\*\*Table 8\.\*\*/p' "$tmp/two/paper.md" >"$tmp/two/t7"
	grep -q "| adaptive | sole | list |" "$tmp/two/t7" || { echo "T7 lost its rows"; return 1; }
	grep -q "Other CPU" "$tmp/two/t7" && { echo "T7 has a section for a machine without adaptive"; return 1; }
	return 0
}
run paper_leaves_out_machines_without_adaptive paper_other_machine

# paper.py's Table 9 (distance to floor) from the copy-floor benchmarks of
# gbench.json and the callgrind CSV in the paper's folder: ratios, both
# verdicts, a skipped (wrong) floor left out; without them it says what to run.
floors() {
	mkdir -p "$tmp/floor"
	scripts/paper.py "$tmp/synth.csv" --out="$tmp/floor/paper.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -q "^_not measured yet_: .*copy-floor" "$tmp/floor/paper.md" || { echo "Table 9 does not say what to run"; return 1; }
	cat >"$tmp/floor/gbench.json" <<'EOJ'
{"context": {"git_sha": "0123456789ab", "compiler": "gcc 12.2.0 (synthetic)", "date": "2026-01-01T00:00:00+00:00", "num_cpus": 2},
 "benchmarks": [
  {"name": "copy-floor/cheney/tight-cheney/list", "run_type": "iteration", "iterations": 9, "real_time": 20, "time_unit": "ms", "module_ns": 11000000, "floor_ns": 10000000, "ratio": 1.1, "ratio_lo": 1.05, "ratio_hi": 1.3, "module_frac": 0.25, "floor_frac": 0.275, "objects": 1000000, "reps": 9},
  {"name": "copy-floor/dfs/tight-dfs/tree", "run_type": "iteration", "iterations": 0, "real_time": 0, "time_unit": "ms", "error_occurred": true, "error_message": "the oracle failed"},
  {"name": "tether-floor/ebr~floor-ebr", "run_type": "iteration", "iterations": 9, "real_time": 20, "time_unit": "ns", "module_ns": 0.6, "floor_ns": 0.5, "ratio": 1.2, "ratio_p10": 1.1, "ratio_p90": 1.3, "rounds": 9}
 ]}
EOJ
	printf '%s\n' "module,floor,workload,objects,module_ir_per_obj,floor_ir_per_obj,ratio,tool,git_sha,date" \
		"cheney,tight-cheney,list,100000,120.0,100.0,1.200,valgrind-3.19.0,0123456789ab,2026-01-01T00:00:00Z" \
		"ebr,floor-ebr,pair,16384,16.00,10.00,1.600,valgrind-3.19.0,0123456789ab,2026-01-01T00:00:00Z" >"$tmp/floor/callgrind-floors.csv"
	scripts/paper.py "$tmp/synth.csv" --out="$tmp/floor/paper.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -q '^\*\*Table 9\.\*\* ' "$tmp/floor/paper.md" || { echo "no Table 9 caption"; return 1; }
	grep -Eq '^\| `cheney` \| tight-cheney \| list \| 11(\.0)? ms \| 10(\.0)? ms \| 1\.10 \(1\.05-1\.30\) \| 0\.250 / 0\.275 \| 120\.0 / 100\.0 \| 1\.20 \| 1\.15 \| instr no, time yes \|' \
		"$tmp/floor/paper.md" || { echo "Table 9 lacks cheney's row: $(grep 'tight-cheney' "$tmp/floor/paper.md")"; return 1; }
	grep -q 'tight-dfs' "$tmp/floor/paper.md" && { echo "Table 9 shows a skipped floor"; return 1; }
	grep -Eq '^\| `ebr` \| floor-ebr \| 0\.6 ns \| 0\.5 ns \| 1\.20 \(1\.10-1\.30\) \| 16\.00 / 10\.00 \| 1\.60 \| 1\.50 \| instr no, time yes \|' \
		"$tmp/floor/paper.md" || { echo "Table 9 lacks ebr's tether row: $(grep 'floor-ebr' "$tmp/floor/paper.md")"; return 1; }
	return 0
}
run paper_table_9_distance_to_floor floors

# gbench2csv: a counter named like a column fills it (copy-bound's memcpy_frac
# and bytes); a run that failed (the copy-bound check skips a wrong loop)
# gives no row.  paper.py shows the copy-bound rows under Table 8.
bound() {
	cat >"$tmp/bound.json" <<'EOJ'
{"context": {"git_sha": "0123456789ab", "compiler": "gcc 12.2.0 (synthetic)", "date": "2026-01-01T00:00:00+00:00", "num_cpus": 2},
 "benchmarks": [
  {"name": "copy-bound/bitmap/list", "run_type": "iteration", "iterations": 30, "real_time": 9.5, "time_unit": "ms", "threads": 1, "bytes": 24000000, "memcpy_frac": 0.125},
  {"name": "copy-bound/fixed/list", "run_type": "iteration", "iterations": 31, "real_time": 9.0, "time_unit": "ms", "threads": 1, "bytes": 24000000, "memcpy_frac": 0.25},
  {"name": "copy-bound/fixed/tree", "run_type": "iteration", "iterations": 0, "real_time": 0, "time_unit": "ms", "threads": 1, "error_occurred": true, "error_message": "the oracle failed"}
 ]}
EOJ
	scripts/gbench2csv.py "$tmp/bound.json" --out="$tmp/bound.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(nrows "$tmp/bound.csv")" -eq 2 ] || { echo "expected 2 rows (the failed run left out)"; return 1; }
	$PY - "$tmp/bound.csv" <<'EOP' || return 1
import csv, sys
rows = {r["benchmark"]: r for r in csv.DictReader(open(sys.argv[1]))}
r = rows["copy-bound/fixed/list"]
if r["memcpy_frac"] != "0.25" or r["bytes"] != "24000000" or r["ns_per_op"] != "9e+06":
    sys.exit(f"counters not in their columns: {r['memcpy_frac']!r} {r['bytes']!r} {r['ns_per_op']!r}")
EOP
	# An earlier run appended to the same CSV is not shown.
	sed -e 's/2026-01-01/2025-01-01/' -e 's/"memcpy_frac": 0.25/"memcpy_frac": 0.5/' "$tmp/bound.json" >"$tmp/older.json"
	scripts/gbench2csv.py "$tmp/older.json" --out="$tmp/bound.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	scripts/paper.py "$tmp/synth.csv" "$tmp/bound.csv" --out="$tmp/bound.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -Eq "^\| fixed \| list \| 24 MB \| 9 ms \| 0.250 \|$" "$tmp/bound.md" || { echo "T8 lacks the copy-bound row"; return 1; }
	grep -q "| fixed | tree" "$tmp/bound.md" && { echo "T8 shows the failed run"; return 1; }
	grep -q "| 0.500 |" "$tmp/bound.md" && { echo "T8 shows an older run"; return 1; }
	# Without harness rows, Table 8 still has the copy-bound rows.
	scripts/paper.py "$tmp/bound.csv" --out="$tmp/only.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	grep -Eq "^\| fixed \| list \| 24 MB \| 9 ms \| 0.250 \|$" "$tmp/only.md" || { echo "T8 lost the copy-bound rows"; return 1; }
	return 0
}
run gbench_counters_and_copy_bound_table bound

# Only transmigration rows of one strategy: the other figures and tables say "no rows".
sparse() {
	mkdir -p "$tmp/sparse"
	head -n 2 "$tmp/synth.csv" >"$tmp/sparse/sparse.csv"
	scripts/plot.py "$tmp/sparse/sparse.csv" --outdir="$tmp/sparse" --engine=gnuplot 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(ls "$tmp/sparse"/*.gnuplot.png | wc -l)" -eq 8 ] || { echo "not 8 figures (1-7, 9)"; return 1; }
	[ "$(grep -c '"empty": true' "$tmp/sparse/figures.json")" -ge 5 ] || { echo "expected empty figures"; return 1; }
	scripts/paper.py "$tmp/sparse/sparse.csv" --out="$tmp/sparse/paper.md" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(grep -c '^_no rows_' "$tmp/sparse/paper.md")" -ge 5 ] || { echo "expected tables without rows"; return 1; }
	grep -q "^\*\*Table 7\.\*\*" "$tmp/sparse/paper.md" || { echo "no Table 7"; return 1; }
}
run plot_and_paper_say_no_rows sparse

# ---- several writers on one CSV --------------------------------------------------------------
# Two runs of one sweep, and two different sweeps, at once into one pre-filled CSV (20,000 rows,
# 5 MB): every row exactly once, the pre-filled rows untouched.  Several rounds: a lost update
# needs the two writers to overlap.
$PY scripts/lib/synth.py harness --strategy=naive --workload=tree --size=100 --reps=20000 --out="$tmp/pre.csv"
cat >"$tmp/other.sweep" <<'EOF2'
description = another grid
reps = 3
[o]
kind       = transmigrate
strategies = bitmap
workloads  = tree list
sizes      = 200 300
EOF2
concurrent() { # same|different
	local what=$1 round o want rc1 rc2 inode
	o="$tmp/conc.csv"
	for round in 1 2 3 4 5; do
		cp "$tmp/pre.csv" "$o"
		inode=$(stat -c %i "$o")
		if [ "$what" = same ]; then
			want=$((20000 + 16))
			# the second is slower: it read the file before the first wrote, and writes after it
			"${S[@]}" --kind=transmigrate --out="$o" --jobs=2 2>"$tmp/err1" &
			SYNTH_SLEEP=0.3 "${S[@]}" --kind=transmigrate --out="$o" --jobs=2 2>"$tmp/err2"
		else
			want=$((20000 + 16 + 12))
			"${S[@]}" --kind=transmigrate --out="$o" --jobs=2 2>"$tmp/err1" &
			scripts/sweep "$tmp/other.sweep" --harness="$fake" --out="$o" --jobs=2 2>"$tmp/err2"
		fi
		rc2=$?
		wait $!
		rc1=$?
		[ "$rc1$rc2" = 00 ] || { echo "round $round: exits $rc1 $rc2"; cat "$tmp/err1" "$tmp/err2"; return 1; }
		[ "$(nrows "$o")" -eq "$want" ] || { echo "round $round: $(nrows "$o") rows, expected $want"; return 1; }
		[ -z "$(keys "$o" | uniq -d)" ] || { echo "round $round: duplicate rows"; return 1; }
		[ "$(grep -c '^schema,' "$o")" -eq 1 ] || { echo "round $round: the header is there $(grep -c '^schema,' "$o") times"; return 1; }
		head -n 20001 "$o" | cmp -s - "$tmp/pre.csv" || { echo "round $round: the pre-filled rows changed"; return 1; }
		[ "$(stat -c %i "$o")" = "$inode" ] || { echo "round $round: the CSV was replaced, not appended to"; return 1; }
	done
	ls -a "$tmp" | grep -q '^\.sweep-' && { echo "temp folders left: $(ls -a "$tmp" | grep '^\.sweep-')"; return 1; }
	return 0
}
run sweep_two_identical_sweeps_at_once concurrent same
run sweep_two_different_sweeps_at_once concurrent different

# While another writer holds the CSV's lock, the sweep waits, and then appends after that writer's row.
lock_respected() {
	local o="$tmp/locked.csv" verdict
	cp "$tmp/pre.csv" "$o"
	$PY scripts/lib/synth.py harness --strategy=cheney --workload=tree --size=7 --out=- | tail -n 1 >"$tmp/their.row"
	rm -f "$tmp/holding"
	$PY - "$o" "$tmp/holding" "$tmp/their.row" >"$tmp/verdict" <<'EOF2' &
import fcntl, os, sys, time
path, flag, row = sys.argv[1:4]
fd = os.open(path, os.O_RDWR | os.O_APPEND)
fcntl.flock(fd, fcntl.LOCK_EX)
before = os.stat(path)
open(flag, "w").close()
time.sleep(4)  # the sweep's trials end meanwhile; it must wait for the lock to write
after = os.stat(path)
print("unchanged" if (after.st_ino, after.st_size) == (before.st_ino, before.st_size) else "changed")
os.write(fd, open(row, "rb").read())
EOF2
	local holder=$!
	while [ ! -e "$tmp/holding" ]; do sleep 0.05; done
	"${S[@]}" --kind=transmigrate --out="$o" --jobs=2 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	wait $holder
	verdict=$(cat "$tmp/verdict")
	[ "$verdict" = unchanged ] || { echo "the sweep wrote while another writer held the lock"; return 1; }
	[ "$(nrows "$o")" -eq $((20000 + 1 + 16)) ] || { echo "$(nrows "$o") rows, expected 20017"; return 1; }
	grep -qxF "$(cat "$tmp/their.row")" "$o" || { echo "the other writer's row is lost"; return 1; }
}
run sweep_waits_for_the_lock lock_respected

# A last row cut short (its writer was killed mid-row) is set aside, with one line, before appending.
truncated_tail() {
	local o="$tmp/cut.csv"
	head -n 101 "$tmp/pre.csv" >"$o"
	printf 'regionlab-3,cut-short' >>"$o"
	rm -f "$o.truncated"
	"${S[@]}" --kind=transmigrate --out="$o" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	[ "$(grep -c 'truncated row' "$tmp/err")" -eq 1 ] || { echo "no one line about it:"; cat "$tmp/err"; return 1; }
	[ "$(nrows "$o")" -eq $((100 + 16)) ] || { echo "$(nrows "$o") rows, expected 116"; return 1; }
	grep -q 'cut-short' "$o" && { echo "the truncated row is still in the CSV"; return 1; }
	grep -qx 'regionlab-3,cut-short' "$o.truncated" || { echo "not set aside in $o.truncated"; return 1; }
	head -n 101 "$o" | cmp -s - <(head -n 101 "$tmp/pre.csv") || { echo "the complete rows changed"; return 1; }
}
run sweep_sets_a_truncated_row_aside truncated_tail
# ---- the statistics rules (scripts/lib/stats.py), on the known samples of tests/test_stats.c -----
stats_rules() {
	$PY - <<'EOPY'
import math, sys
sys.path.insert(0, "scripts/lib")
import stats
def near(a, b): return abs(a - b) < 1e-6
ten = [10, 12, 9, 11, 30, 10.5, 9.5, 11.5, 10.2, 9.8]
fails = []
def check(cond, what):
    if not cond: fails.append(what)
check(stats.median([5, 1, 3]) == 3 and stats.median([4, 1, 3, 2]) == 2.5, "median")
check(math.isnan(stats.median([])), "empty median")
check(stats.median_ci([7] * 5) == (7, 7), "constant sample")
check(stats.median_ci([1, 2, 3]) == (1, 3), "{1,2,3}: [1, 3]")
lo, hi = stats.median_ci(ten)
check(near(lo, 9.75) and near(hi, 11.5), "known sample as in C: %r" % ((lo, hi),))
lo, hi = stats.median_ci(ten, 5)
check(near(lo, 9.91) and near(hi, 10.92), "5 resamples as in C: %r" % ((lo, hi),))
a = [100, 102, 98, 101, 99, 103, 100, 97]
b = [120, 121, 119, 125, 118, 122, 120, 117]
same = [101, 101, 97, 100, 100, 104, 99, 98]
m, ci = stats.ratio_ci(a, b)
check(near(m, 0.833333) and near(ci[0], 0.823529) and near(ci[1], 0.842975), "paired ratio as in C: %r" % (ci,))
check(stats.verdict(ci) == stats.BELOW and stats.verdict(stats.ratio_ci(b, a)[1]) == stats.ABOVE, "ordering")
check(stats.verdict(stats.ratio_ci(same, a)[1]) == stats.TIE, "overlap: tie")
check(stats.verdict((0.9, 1.0)) == stats.TIE, "touching: tie")
m5 = stats.EQUIVALENCE_MARGIN
check(stats.verdict((0.97, 1.02), 1.0, m5) == stats.EQUIVALENT, "within the margin: level")
check(stats.verdict((1 - m5, 1 + m5), 1.0, m5) == stats.EQUIVALENT, "on the margin's ends: level")
check(stats.verdict((0.94, 1.02), 1.0, m5) == stats.TIE, "past the margin: tie")
check(stats.verdict((0.97, 1.02)) == stats.TIE, "no margin: tie")
check(stats.verdict((0.96, 0.99), 1.0, m5) == stats.BELOW, "inside the margin but excluding 1: an ordering")
check(stats.verdict((95, 103), 100, m5) == stats.EQUIVALENT and stats.verdict((94, 103), 100, m5) == stats.TIE,
      "the margin scales with the alternative")
check(stats.fastest([3, 1, 2], [(2.9, 3.1), (0.9, 1.1), (1.9, 2.1)]) == (1, True), "fastest holds")
check(stats.fastest([3, 1, 2], [(2.9, 3.1), (0.9, 2.0), (1.9, 2.1)]) == (1, False), "fastest overlaps: tie")
check(stats.fastest([None, 1, 2], [(0.1, 0.2), (0.9, 1.1), (1.9, 2.1)]) == (1, True), "None takes no part")
check(stats.fastest([None, 1], [(0, 0), (1, 1)]) == (None, False), "one figure: no verdict")
check(stats.quotient_ci([2, 2, 2], [1, 1, 1]) == (2.0, (2.0, 2.0)), "quotient of constant samples")
q, (qlo, qhi) = stats.quotient_ci([10, 11, 9, 10, 12], [5, 5.5, 4.5, 5, 6])
check(q == 2.0 and qlo < 2.0 < qhi and qlo >= 9 / 6 and qhi <= 12 / 4.5, "quotient interval within the extremes: %r" % ((qlo, qhi),))
check(stats.quotient_ci([2, float("nan"), 2], [1, 1]) == (2.0, (2.0, 2.0)), "NaN figures left out")
check(math.isnan(stats.quotient_ci([], [1])[0]) and math.isnan(stats.quotient_ci([1], [0])[0]), "no quotient: NaN")
med, tight, loose = [100, 200], [(96, 104), (191, 209)], [(96, 104), (180, 221)]
stop = lambda r, t, c: stats.stop(r, t, med, c, min_rounds=3, max_rounds=10, max_seconds=5)
check(stop(2, 0, tight) is None, "min rounds")
check(stop(3, 0, tight) == "converged", "converged")
check(stop(3, 0, loose) is None, "continue")
check(stop(10, 0, loose) == "cap_rounds", "cap_rounds")
check(stop(4, 5, loose) == "cap_seconds", "cap_seconds")
check(stop(2, 9, loose) is None, "min rounds beat the seconds cap")
if fails:
    print("; ".join(fails))
    sys.exit(1)
EOPY
}
run stats_rules_on_known_samples stats_rules

# expect_line TEXT PATTERN LABEL: a line of TEXT matches PATTERN (grep), else
# LABEL and TEXT are printed and it fails.
expect_line() { printf '%s\n' "$1" | grep -q -- "$2" || { echo "$3: $1"; return 1; }; }

# ---- scripts/compare-runs on two small synthetic runs ------------------------------------------
compare_runs() {
	$PY - "$tmp/runA.csv" "$tmp/runB.csv" <<'EOPY' || return 1
import sys
sys.path.insert(0, "scripts/lib")
import rows, synth
cols = rows.schema_columns()
def row(**kw):
    r = {c: "" for c in cols}
    r.update(schema="regionlab-3", status="ok", block="65536", **{k: str(v) for k, v in kw.items()})
    return r
def tm(strategy, x, lo, hi, size=1000, date=""):
    return [row(kind="transmigrate", strategy=strategy, workload="list", size=size, ns_per_obj=v, ci_lo=lo, ci_hi=hi,
                date=date) for v in x]
def te(scheme, x):
    return [row(kind="tether", tether=scheme, threads=1, writers=1, slots=16, stall_ms=0, read=0, ns_per_op=v)
            for v in x]
A = (tm("cheney", [10, 10.1, 9.9], 9.9, 10.1, date="2026-01-01T10:00:05Z") +
     tm("bitmap", [20, 20.2, 19.8], 19.8, 20.2, date="2026-01-01T10:01:00Z") +
     tm("splice", [30, 30, 30], 29, 31, date="2026-01-01T10:01:59Z") + te("ebr", [5, 5, 5]) + te("tls", [2, 2.1, 1.9]) +
     tm("adaptive", [5, 5, 5], 4.9, 5.1, date="2026-01-01T10:00:30Z"))  # fastest, but takes no part in verdicts
B = (tm("cheney", [10.5, 10.6, 10.4], 10, 21) + tm("bitmap", [24, 24, 24], 20, 25) +
     tm("splice", [45, 45, 45], 44, 46) + te("ebr", [5.1, 5, 5.2]) + te("tls", [2, 2, 2]) +
     tm("naive", [1, 1, 1], 1, 1, size=5) + tm("adaptive", [5, 5, 5], 4.9, 5.1))
for r, probe, disturbed in zip(A, ("1000", "1100", "1300"), ("1", "3", "0")):  # B has no probe_ns
    r.update(probe_ns=probe, disturbed=disturbed)
for path, rs in zip(sys.argv[1:], (A, B)):
    synth.write_csv(path, rs, cols)
EOPY
	local out
	out=$(scripts/compare-runs "$tmp/runA.csv" "$tmp/runB.csv" --top=2 2>"$tmp/err") || { cat "$tmp/err"; return 1; }
	expect_line "$out" "^gate, run A: 18 rows; probe best 1.0 us, median 1.10x and p90 1.30x of it; 2 rows retried (11%), 1 kept disturbed (5.6%: left out of every cell)$" \
		"gate A" || return 1
	expect_line "$out" "^gate, run B: 21 rows, no probe_ns" "gate B" || return 1
	expect_line "$out" "^transmigrate: 4 cells in both runs (0 only in A, 1 only in B)$" "cells" || return 1
	expect_line "$out" "within +-10%: 2/4 (50%)   within +-25%: 3/4 (75%)" "shares" || return 1
	expect_line "$out" "^  within +-10% by size: 1000 2/4 (50%)$" "by size" || return 1
	expect_line "$out" "^  within +-10% by threads/writers: 1/1 2/2 (100%)$" "by threads" || return 1
	expect_line "$out" "^  within +-10% with at most 2 reader threads: 2/2 (100%)$" "readers" || return 1
	# cheney's A cell is 9.95, its kept-disturbed row (10.1) left out: with it, 1.125 and 1.02
	expect_line "$out" "^  run-wide shift: median B/A 1.128 over 4 cells$" "shift" || return 1
	# 1.055, 1.2, 1.5, 1.0 over 1.128: 0.936 and 1.064 within 10%, 0.887 and 1.330 not
	expect_line "$out" "^  within +-10% once B is divided by that shift: 2/4 (50%; a diagnostic" "shift removed" || return 1
	expect_line "$out" "^  within +-10% once B is divided by that shift: 2/2 (100%; a diagnostic" "tether shift removed" || return 1
	expect_line "$out" "by the minute A measured the cell (UTC, cells): 10:00 1.03 (2), 10:01 1.35 (2)$" \
		"shift by minute" || return 1
	expect_line "$out" "^  run-wide shift: median B/A 1.010 over 2 cells$" "tether shift" || return 1
	printf '%s\n' "$out" | grep -c "by the minute A measured" | grep -qx 1 || { echo "undated cells got a by-minute line: $out"; return 1; }
	printf '%s\n' "$out" | grep -A1 "moved most (ns/object" | grep -q "+50.0%  30 -> 45  strategy=splice" ||
		{ echo "moved most: $out"; return 1; }
	expect_line "$out" "workload=list size=1000 block=65536: A cheney, B tie" "verdict" || return 1
	expect_line "$out" "within +-10%: 2/2 (100%)" "tether shares" || return 1
	expect_line "$out" "fastest-tether verdicts: 1 groups, 0 differ" "tether verdicts" || return 1
	local rc
	scripts/compare-runs "$tmp/runA.csv" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "one file: rc $rc, $(cat "$tmp/err")"; return 1; }
	scripts/compare-runs "$tmp/runA.csv" "$tmp/tiny.sweep" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "not a regionlab CSV" "$tmp/err" || { echo "not a CSV: rc $rc, $(cat "$tmp/err")"; return 1; }
	head -n 1 "$tmp/runA.csv" >"$tmp/empty.csv"
	scripts/compare-runs "$tmp/runA.csv" "$tmp/empty.csv" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "no cell in common" "$tmp/err" || { echo "nothing in common: rc $rc, $(cat "$tmp/err")"; return 1; }
}
run compare_runs_shares_moves_and_verdicts compare_runs

# A cell measured by several harness calls (a sweep's passes) carries one
# interval per call: its interval is then a bootstrap of all its figures, not
# the first row's.  cheney's A cell is 10 in one call and 16 in the other
# (median 13): its first call's interval [9.9, 10.1] would make it the
# fastest against bitmap's 14; all its figures say a tie.  B: one call each.
compare_runs_pooled() {
	$PY - "$tmp/poolA.csv" "$tmp/poolB.csv" <<'EOPY' || return 1
import sys
sys.path.insert(0, "scripts/lib")
import rows, synth
cols = rows.schema_columns()
def tm(strategy, x, lo, hi):
    return [dict({c: "" for c in cols}, schema="regionlab-3", status="ok", block="65536", kind="transmigrate",
                 strategy=strategy, workload="list", size="2000", ns_per_obj=str(v), ci_lo=str(lo), ci_hi=str(hi))
            for v in x]
A = tm("cheney", [10, 10, 10], 9.9, 10.1) + tm("cheney", [16, 16, 16], 15.9, 16.1) + tm("bitmap", [14] * 6, 13.9, 14.1)
B = tm("cheney", [13] * 6, 12.9, 13.1) + tm("bitmap", [14] * 6, 13.9, 14.1)
for path, rs in zip(sys.argv[1:], (A, B)):
    synth.write_csv(path, rs, cols)
EOPY
	local out
	out=$(scripts/compare-runs "$tmp/poolA.csv" "$tmp/poolB.csv" 2>"$tmp/err") || { cat "$tmp/err"; return 1; }
	expect_line "$out" "workload=list size=2000 block=65536: A tie, B cheney" "pooled interval" || return 1
}
run compare_runs_pools_the_intervals_of_several_calls compare_runs_pooled

# ---- scripts/compare-papers on two small papers written by hand --------------------------------
compare_papers() {
	# Table 1: a row whose fastest is bold in A and a tie in B, one a tie in
	# both; a second machine; Table 5: a kept figure that loses in A and is
	# level in B; Table 7: the same sign in both.
	cat >"$tmp/pA.md" <<'EOF'
**Table 1.** caption

*On CPU One x2:*

| workload | layout | n | cheney | dfs | fastest keeping src |
|---|---|---|---|---|---|
| list | alloc | 10^3 | **1 [1, 1]** | 2 [2, 2] | – |
| tree | alloc | 10^3 | ≈ 1 [1, 2] | 1.1 [1, 2] | – |

*On CPU Two x16:*

| workload | layout | n | cheney | fastest keeping src |
|---|---|---|---|---|
| list | alloc | 10^6 | **3 [3, 3]** | – |

**Table 5.** caption

*1 published slot, 0 writers:*

| scheme | 1 thr | 2 thr | per-thread throughput kept at 2 threads |
|---|---|---|---|
| ebr | 0.5 | 0.6 | 85% [80%, 90%] |
| tls | 0.6 | 0.6 | tie (99% [90%, 110%]) |

**Table 7.** caption

| adaptive | knows | workload | configurations | best | regret [95% interval] | decisions |
|---|---|---|---|---|---|---|
| adaptive | nothing | list | 11 | relocate | -15.7% [-19.3%, -12.2%] | x |
EOF
	sed -e 's/| \*\*1 \[1, 1\]\*\* | 2 \[2, 2\]/| ≈ 1 [1, 1] | 2 [1, 2]/' -e 's/| 85% \[80%, 90%\]/| level (99% [98%, 101%])/' \
		"$tmp/pA.md" >"$tmp/pB.md"
	local out
	out=$(scripts/compare-papers "$tmp/pA.md" "$tmp/pB.md" 2>"$tmp/err") || { cat "$tmp/err"; return 1; }
	expect_line "$out" "^on CPU One x2:$" "machine" || return 1
	expect_line "$out" "^  Table 1 (fastest per row): 2 verdicts in both, 1 differ$" "t1" || return 1
	expect_line "$out" "^    list alloc 10^3: A cheney, B tie$" "t1 differ" || return 1
	expect_line "$out" "^  Table 5 (kept throughput): 2 verdicts in both, 1 differ$" "t5" || return 1
	expect_line "$out" "^    1 published slot, 0 writers ebr: A loses, B level$" "t5 differ" || return 1
	expect_line "$out" "^  Table 7 (regret per class): 1 verdicts in both, 0 differ$" "t7" || return 1
	expect_line "$out" "^  ties in A: 2 of 5 verdicts (40%)$" "ties A" || return 1
	expect_line "$out" "^  ties in B: 3 of 5 verdicts (60%)$" "ties B" || return 1
	expect_line "$out" "^on CPU Two x16:$" "second machine" || return 1
	local rc
	scripts/compare-papers "$tmp/pA.md" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "one file: rc $rc, $(cat "$tmp/err")"; return 1; }
	printf 'no tables here\n' >"$tmp/none.md"
	scripts/compare-papers "$tmp/pA.md" "$tmp/none.md" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "no verdict of Tables 1, 5 or 7" "$tmp/err" || { echo "no tables: rc $rc, $(cat "$tmp/err")"; return 1; }
}
run compare_papers_verdicts_and_ties compare_papers

# ---- paper.py's intervals and verdicts (issue 12), on known rows ---------------------------------
paper_verdicts() {
	$PY - <<'EOPY' || return 1
import importlib.util, sys
sys.path.insert(0, "scripts/lib")
spec = importlib.util.spec_from_file_location("paper", "scripts/paper.py")
paper = importlib.util.module_from_spec(spec)
spec.loader.exec_module(paper)
import rows as R
import stats
cols = R.schema_columns()
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
def row(**kw):
    r = {c: "" for c in cols}
    r.update(schema="regionlab-3", status="ok", cpu="x", **{k: str(v) for k, v in kw.items()})
    return r
# one run of a grid point: the harness's interval
one = [row(ns_per_obj=v, ci_lo=9, ci_hi=11) for v in (9, 10, 11)]
check(paper.interval(one, "ns_per_obj") == (9.0, 11.0), "one run: the harness's interval: %r" % (paper.interval(one, "ns_per_obj"),))
# two runs merged: their intervals differ, so a bootstrap over all six figures, not the first row's
two = one + [row(ns_per_obj=v, ci_lo=19, ci_hi=21) for v in (19, 20, 21)]
want = stats.median_ci([9, 10, 11, 19, 20, 21])
check(paper.interval(two, "ns_per_obj") == want, "merged runs: %r, want %r" % (paper.interval(two, "ns_per_obj"), want))
# a row kept disturbed (disturbed > 2) is left out of every figure as the rows are loaded (rows.measured):
# of the median as of the interval
dist = [row(mallocs=v) for v in (5, 5, 5)] + [row(mallocs=500, disturbed=3), row(mallocs=500, disturbed=3)]
import re
gate = int(re.search(r"#define RL_DISTURBED_RETRIES (\d+)", open("driver/machine_gate.h").read()).group(1))
check(R.DISTURBED_RETRIES == gate, "rows.DISTURBED_RETRIES %d, the harness's %d" % (R.DISTURBED_RETRIES, gate))
kept, dropped = R.measured(dist)
check(dropped == 2 and paper.med(kept, "mallocs") == 5.0 and paper.interval(kept, "mallocs") == (5.0, 5.0),
      "disturbed rows left out: %d, median %r, interval %r" % (dropped, paper.med(kept, "mallocs"),
                                                               paper.interval(kept, "mallocs")))
# two grid points' intervals bound a quotient
m, ci = paper.quotient_bounds(10, (9, 11), 5, (4, 6))
check(m == 2.0 and ci == (1.5, 2.75), "quotient bounds: %r %r" % (m, ci))
# the tie rule on ratios
check(paper.ratio_verdict(1.5, (1.2, 1.8)) == "1.50x [1.20x, 1.80x]", "a verdict: " + paper.ratio_verdict(1.5, (1.2, 1.8)))
check(paper.ratio_verdict(1.0, (0.9, 1.1)) == "tie (1.00x [0.90x, 1.10x])", "a tie: " + paper.ratio_verdict(1.0, (0.9, 1.1)))
check(paper.ratio_verdict(1.0, (0.97, 1.02), margin=0.05) == "level (1.00x [0.97x, 1.02x])",
      "level within the margin: " + paper.ratio_verdict(1.0, (0.97, 1.02), margin=0.05))
check(paper.ratio_verdict(1.0, (0.9, 1.1), margin=0.05).startswith("tie ("), "a tie past the margin")
check(paper.regret_verdict(1.02, (0.98, 1.04)) == "level (+2.0% [-2.0%, +4.0%])", "regret level: " + paper.regret_verdict(1.02, (0.98, 1.04)))
check(paper.regret_verdict(1.02, (0.93, 1.04)).startswith("tie ("), "regret tie: " + paper.regret_verdict(1.02, (0.93, 1.04)))
check(paper.regret_verdict(1.08, (1.05, 1.12)) == "+8.0% [+5.0%, +12.0%]", "regret verdict: " + paper.regret_verdict(1.08, (1.05, 1.12)))
# a row's figure over its own round's yardstick
m, ci = paper.row_ratio([row(ns_per_op=a, empty_ns=b) for a, b in ((2, 1), (4, 2), (6, 3), (9, 3))], "ns_per_op", "empty_ns")
check(m == 2.0 and ci == stats.median_ci([2, 2, 2, 3]), "row ratio: %r %r" % (m, ci))
# Table 5: kept and vs urcu-qsbr follow the tie rule
def te(s, t, xs, q):
    return [row(kind="tether", tether=s, threads=t, writers=1, slots=16, stall_ms=0, read=0, layout="padded",
                rep=i, ns_per_op=x, empty_ns=1, qsbr_ns=q) for i, x in enumerate(xs)]
rs = (te("flat", 1, [10, 10.2, 9.8, 10.1, 9.9], 10) + te("flat", 2, [10.1, 9.9, 10, 10.2, 9.8], 10) +
      te("slow", 1, [10, 10.2, 9.8, 10.1, 9.9], 2) + te("slow", 2, [20, 20.4, 19.6, 20.2, 19.8], 2) +
      te("noisy", 1, [10, 10.2, 9.8, 10.1, 9.9], 10) + te("noisy", 2, [10, 8, 12, 9, 11], 10))
text, _ = paper.t5(rs, {})
flat = next(l for l in text.splitlines() if l.startswith("| flat |"))
slow = next(l for l in text.splitlines() if l.startswith("| slow |"))
noisy = next(l for l in text.splitlines() if l.startswith("| noisy |"))
check("| level (100% [" in flat, "flat scaling is level: " + flat)
check("| tie (100% [" in noisy, "noisy scaling is a tie: " + noisy)
check("| tie (1.00x [" in flat, "flat vs urcu-qsbr is a tie: " + flat)
check("| 50% [" in slow and "tie" not in slow, "slow keeps 50%, a verdict: " + slow)
check("| 5.00x [4.90x, 5.10x] |" in slow, "slow vs urcu-qsbr: " + slow)
# Table 1: adaptive, which runs the strategy it picks, takes no part in the fastest verdict
def t1row(s, v):
    return row(kind="transmigrate", strategy=s, workload="list", layout="alloc", size=1000, garbage=0, block=65536,
               ns_per_obj=v, ci_lo=v * 0.99, ci_hi=v * 1.01)
text, _ = paper.t1([t1row("adaptive", 5.0), t1row("relocate", 5.05), t1row("cheney", 10.0)])
t1line = next(l for l in text.splitlines() if l.startswith("| list |"))
check("| 5 [4.95, 5.05] | **5.05 [5, 5.1]** | 10 [9.9, 10.1] |" in t1line, "Table 1 without adaptive in the contest: " + t1line)
# Figure 9 names the fastest fixed strategy of each cell, not adaptive
import figdata
# a series written twice under one key (a retried trial, a second visit): the last run is drawn
twice = [{"t_ms": str(t), "unreclaimed": str(u)} for t, u in ((0, 1), (5, 2), (10, 3), (0, 7), (5, 8))]
check([r["unreclaimed"] for r in figdata.last_run(twice, "t_ms")] == ["7", "8"], "last run of a series")
# a program's escape run written twice counts once
import os, tempfile, programs
d = tempfile.mkdtemp()
with open(os.path.join(d, "x.escapes.csv"), "w") as fp:
    fp.write("workload,strategy,rep,kind,objects,bytes,count,ns_total\n")
    run = ['"program:name=p,size=1",bitmap,0,return,1,24,10,30', '"program:name=p,size=1",bitmap,0,return,10,240,2,300']
    fp.write("\n".join(run + run) + "\n")
esc = programs.load_escapes([os.path.join(d, "x.csv")])
check(sorted(c for _, _, _, c, _ in esc.get("p", [])) == [2, 10], "escapes of a run written twice: %r" % (esc,))
def knows_row(s, v):
    return row(kind="transmigrate", strategy=s, workload="list:knows=dense", knows="dense", layout="alloc", size=1000,
               garbage=0, block=65536, allocator="system", ns_per_obj=v)
fig = figdata.fig9([knows_row("adaptive", 1.0), knows_row("relocate", 1.1), knows_row("cheney", 2.0)])
check([b for _, _, b in fig.winners] == ["relocate"], "figure 9's winners: %r" % (fig.winners,))
if fails:
    print("; ".join(fails))
    sys.exit(1)
EOPY
}
run paper_intervals_and_verdicts_on_known_rows paper_verdicts

# ---- the real harness, when built ---------------------------------------------------------------
if [ -x "$BUILD/harness" ] && "$BUILD/harness" --list >/dev/null 2>&1; then
	real() {
		local st want got
		st=$("$BUILD/harness" --list | awk '$1 == "transmigrator" {print $2; exit}')
		[ -n "$st" ] || { echo "no transmigrator listed"; return 1; }
		want=$($PY -c 'import sys; sys.path.insert(0, "scripts/lib"); import rows; print(",".join(rows.schema_columns()))')
		printf '%s\n' "[r]" "kind = transmigrate" "strategies = $st" "workloads = list" "sizes = 100" "reps = 1" >"$tmp/real.sweep"
		scripts/sweep "$tmp/real.sweep" --harness="$BUILD/harness" --out="$tmp/real.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
		got=$(head -n 1 "$tmp/real.csv")
		[ "$got" = "$want" ] || { echo "harness header differs from driver/columns.def"; return 1; }
		[ "$(nrows "$tmp/real.csv")" -eq 1 ] || { echo "expected 1 row"; return 1; }
		scripts/sweep "$tmp/real.sweep" --harness="$BUILD/harness" --out="$tmp/real.csv" 2>"$tmp/err" || return 1
		grep -q "0 to run" "$tmp/err" || { echo "real trial not recognised as done: $(cat "$tmp/err")"; return 1; }
	}
	run real_harness_trial_and_resume real

	# A bad module option anywhere in the grid: one line, exit 2, nothing run, no file.
	real_bad_grid() { # name, expected text, grid lines...
		local name=$1 want=$2 rc
		shift 2
		printf '%s\n' "$@" >"$tmp/realbad.sweep"
		scripts/sweep "$tmp/realbad.sweep" --harness="$BUILD/harness" --out="$tmp/realbad/out.csv" >/dev/null 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$want" "$tmp/err"; then
			not_ok "$name" "exit $rc: $(cat "$tmp/err")"
		elif [ -e "$tmp/realbad" ]; then
			not_ok "$name" "created $tmp/realbad: $(ls -a "$tmp/realbad")"
		else
			ok "$name"
		fi
	}
	TM=("[a]" "kind = transmigrate" "workloads = list" "sizes = 100" "reps = 1")
	real_bad_grid sweep_bad_strategy_option "grid \[a\]: strategy 'splice': threshold=abc: expected a number" \
		"${TM[@]}" "strategies = naive, splice:threshold=abc"
	real_bad_grid sweep_bad_strategy_option_range "strategy 'proxy': step=0: expected" \
		"${TM[@]}" "strategies = naive, proxy:step=0"
	real_bad_grid sweep_repeated_strategy_option "option 'threshold' given twice" \
		"${TM[@]}" "strategies = splice:threshold=0.5,threshold=0.9"
	real_bad_grid sweep_bad_workload_option "grid \[w\]: workload 'mixed': small_live=0: expected" \
		"[w]" "kind = transmigrate" "strategies = naive" "workloads = list, mixed:small_live=0" "sizes = 100"
	real_bad_grid sweep_bad_tether_option "grid \[t\]: tether 'ebr': threshold=0: expected an integer" \
		"[t]" "kind = tether" "tethers = tls, ebr:threshold=0" "threads = 1" "duration = 0.01"
	# A sweep killed with SIGKILL mid-trial: its harness and the harness's forked trial die with
	# it, and the next sweep there removes the temp folder it left, with one line saying so.
	sweep_killed() {
		local d="$tmp/killed" sp i
		mkdir -p "$d"
		RL_TEST_CHILD_SLEEP_MS=60000 scripts/sweep "$tmp/real.sweep" --harness="$BUILD/harness" --out="$d/k.csv" >/dev/null 2>&1 &
		sp=$!
		# the harness and its forked trial, both writing into the sweep's temp folder
		for i in $(seq 150); do [ "$(procs_with "$d/.sweep-" | wc -l)" -ge 2 ] && break; sleep 0.1; done
		[ "$(procs_with "$d/.sweep-" | wc -l)" -ge 2 ] || { echo "the trial did not start"; kill -9 $sp; return 1; }
		kill -9 $sp
		wait $sp 2>/dev/null
		for i in $(seq 10); do [ -z "$(procs_with "$d/.sweep-")" ] && break; sleep 0.1; done
		[ -z "$(procs_with "$d/.sweep-")" ] || { echo "trials outlived the sweep: $(procs_with "$d/.sweep-")"; return 1; }
		[ "$(ls -a "$d" | grep -c '^\.sweep-')" -eq 1 ] || { echo "expected the killed sweep's temp folder: $(ls -a "$d")"; return 1; }
		scripts/sweep "$tmp/real.sweep" --harness="$BUILD/harness" --out="$d/k.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
		[ "$(grep -c 'removed 1 stale temp folder' "$tmp/err")" -eq 1 ] || { echo "no line about the stale folder:"; cat "$tmp/err"; return 1; }
		[ "$(ls -a "$d" | grep -c '^\.sweep-')" -eq 0 ] || { echo "temp folders left: $(ls -a "$d")"; return 1; }
		[ "$(nrows "$d/k.csv")" -eq 1 ] || { echo "expected 1 row"; return 1; }
	}
	run killed_sweep_leaves_no_trial_and_no_temp_folder sweep_killed
	# A running sweep's temp folder is not stale: a second sweep beside it leaves it alone.
	sweep_beside() {
		local d="$tmp/beside" sp i
		mkdir -p "$d"
		RL_TEST_CHILD_SLEEP_MS=3000 scripts/sweep "$tmp/real.sweep" --harness="$BUILD/harness" --out="$d/a.csv" >/dev/null 2>&1 &
		sp=$!
		for i in $(seq 150); do [ "$(procs_with "$d/.sweep-" | wc -l)" -ge 2 ] && break; sleep 0.1; done
		scripts/sweep "$tmp/real.sweep" --harness="$BUILD/harness" --out="$d/b.csv" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
		grep -q 'stale' "$tmp/err" && { echo "took a running sweep's folder for stale: $(cat "$tmp/err")"; return 1; }
		wait $sp || { echo "the first sweep failed"; return 1; }
		[ "$(nrows "$d/a.csv")" -eq 1 ] && [ "$(nrows "$d/b.csv")" -eq 1 ] || { echo "rows missing"; return 1; }
	}
	run running_sweeps_temp_folder_is_left_alone sweep_beside
fi

echo "SUMMARY test_scripts.sh $passed $failed"
[ "$failed" -eq 0 ]
