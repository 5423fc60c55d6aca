#!/usr/bin/env bash
# The ./harness command line: --list, bad input (exit 2, one line, nothing
# written), a small sweep's CSV (columns, quoting, appending), stack overflow
# as a row, and docs/csv-schema.md being current.
#   BUILD=build bash tests/test_cli.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
H="$BUILD/harness"
. tests/lib.sh  # tmp, passed/failed, ok, not_ok, run

if [ ! -x "$H" ]; then
	not_ok harness_built "$H is missing"
	echo "SUMMARY test_cli.sh $passed $failed"
	exit 1
fi

# ---- --list and --help ------------------------------------------------------------
list_format() {
	local list
	list=$("$H" --list) || { echo "exit $?"; return 1; }
	[ -n "$list" ] || { echo "empty"; return 1; }
	local bad
	bad=$(printf '%s\n' "$list" | grep -Ev '^(transmigrator|tether|workload) [a-z0-9-]+ .+$')
	[ -z "$bad" ] || { echo "lines not KIND NAME SUMMARY: $bad"; return 1; }
	for want in "transmigrator naive " "transmigrator bitmap " "workload list " "workload deep-list "; do
		printf '%s\n' "$list" | grep -q "^$want" || { echo "no '$want' line"; return 1; }
	done
	local dups
	dups=$(printf '%s\n' "$list" | awk '{print $1, $2}' | sort | uniq -d)
	[ -z "$dups" ] || { echo "listed twice: $dups"; return 1; }
}
run list_lines_are_kind_name_summary list_format

help_text() {
	local out
	out=$("$H" --help) || { echo "exit $?"; return 1; }
	for opt in --strategy --workload --size --reps --first-round --seed --block --out --no-verify --no-fork --stack --list \
		--schema --tether --threads --writers --duration --ops --slots --read --update-us --stall-ms --layout; do
		printf '%s\n' "$out" | grep -q -- "$opt" || { echo "--help does not mention $opt"; return 1; }
	done
}
run help_mentions_every_option help_text

# ---- bad input: exit 2, one line on stderr, nothing on stdout, no file -----------------
# expect_bad NAME PATTERN ARGS...: PATTERN is an extended regex the stderr line must match.
expect_bad() {
	local name=$1 pattern=$2
	shift 2
	local out="$tmp/bad.csv"
	rm -f "$out"
	"$H" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	local rc=$? lines
	lines=$(wc -l <"$tmp/stderr")
	if [ "$rc" -ne 2 ]; then
		not_ok "$name" "exit $rc, expected 2 ($(head -c 300 "$tmp/stderr"))"
	elif [ "$lines" -ne 1 ]; then
		not_ok "$name" "$lines lines on stderr, expected 1: $(head -c 300 "$tmp/stderr")"
	elif [ -s "$tmp/stdout" ]; then
		not_ok "$name" "wrote to stdout: $(head -c 200 "$tmp/stdout")"
	elif [ -e "$out" ]; then
		not_ok "$name" "left $out behind"
	elif ! grep -Eq "^harness: .*($pattern)" "$tmp/stderr"; then
		not_ok "$name" "stderr does not match /$pattern/: $(cat "$tmp/stderr")"
	else
		ok "$name"
	fi
}
o="--out=$tmp/bad.csv"
good="--workload=list --size=100"
expect_bad bad_unknown_strategy "unknown strategy 'foo'.*naive.*bitmap" --strategy=foo $good "$o"
expect_bad bad_unknown_strategy_in_list "unknown strategy 'nope'" --strategy=naive,nope $good "$o"
expect_bad bad_unknown_workload "unknown workload 'foo'.*list" --strategy=naive --workload=foo "$o"
expect_bad bad_unknown_tether "unknown tether scheme 'foo'" --tether=foo "$o"
expect_bad bad_strategy_option_key "unknown option 'bogus'" --strategy=naive:bogus=1 $good "$o"
expect_bad bad_workload_option_key "unknown option 'bogus'.*layout" --strategy=naive --workload=list:bogus=1 "$o"
expect_bad bad_workload_option_value "layout" --strategy=naive --workload=list:layout=sideways "$o"
expect_bad bad_workload_garbage_value "garbage" --strategy=naive --workload=list:garbage=lots "$o"
expect_bad bad_workload_live_value "live=1.5: expected a number in \[0.01, 1\]" --strategy=naive --workload=list:live=1.5 "$o"
expect_bad bad_workload_live_and_garbage "give garbage= or live=, not both" --strategy=naive --workload=list:live=0.5,garbage=1 "$o"
expect_bad bad_size_not_a_number "--size=12x" --strategy=naive --workload=list --size=12x "$o"
expect_bad bad_size_zero "--size=0" --strategy=naive --workload=list --size=0 "$o"
expect_bad bad_reps "--reps=-1" --strategy=naive $good --reps=-1 "$o"
expect_bad bad_seed "--seed=x" --strategy=naive $good --seed=x "$o"
expect_bad bad_block_not_power_of_two "power of two" --strategy=naive $good --block=65537 "$o"
expect_bad bad_block_too_small "power of two" --strategy=naive $good --block=1024 "$o"
expect_bad bad_stack_too_small "--stack=" --strategy=naive $good --stack=1000 "$o"
expect_bad bad_out_unwritable "cannot write" --strategy=naive $good --out="$tmp/no/such/dir/x.csv"
expect_bad bad_out_is_directory "directory" --strategy=naive $good --out="$tmp"
expect_bad bad_strategy_and_tether "mutually exclusive" --strategy=naive --tether=anything $good "$o"
expect_bad bad_missing_strategy "--strategy or --tether.*naive" --workload=list "$o"
expect_bad bad_missing_workload "--workload is required.*list" --strategy=naive "$o"
expect_bad bad_no_arguments "--strategy or --tether"
expect_bad bad_unknown_option "unknown option '--frobnicate'" --frobnicate "$o"
expect_bad bad_option_without_value "'--size' needs a value" --strategy=naive --workload=list "$o" --size
expect_bad bad_flag_with_value "'--no-verify' takes no value" --strategy=naive $good --no-verify=1 "$o"
expect_bad bad_stray_argument "unexpected argument 'extra'" --strategy=naive $good extra "$o"
expect_bad bad_empty_list_item "empty item" --strategy=naive,,bitmap $good "$o"
expect_bad bad_option_before_name "before any name" --strategy=k=1,naive $good "$o"
expect_bad bad_tether_option_with_strategy "--threads applies to --tether" --strategy=naive $good --threads=1,2 "$o"
expect_bad bad_layout_value "packed or padded" --layout=diagonal --tether=anything "$o"
expect_bad bad_threads_list "--threads" --threads=1,,2 --tether=anything "$o"
expect_bad bad_duration "--duration" --duration=soon --tether=anything "$o"
# The first registered tether scheme, for the cases that need a real one.
scheme=$("$H" --list | awk '$1 == "tether" { print $2; exit }')
if [ -n "$scheme" ]; then
	expect_bad bad_tether_option_key "tether '$scheme': unknown option 'bogus'" --tether="$scheme":bogus=1 "$o"
	# A value only the tether run can judge: still exit 2 and no file left.
	expect_bad bad_tether_option_value "loop=weird" --tether="$scheme":loop=weird --threads=1 "$o"
	expect_bad bad_transmigration_option_with_tether "--size applies to --strategy" --tether="$scheme" --size=5 "$o"
fi
expect_bad bad_allocator "unknown allocator 'tcmalloc'.*jemalloc" --strategy=naive $good --allocator=tcmalloc "$o"

# ---- declared module options: judged before anything runs ---------------------------------
# expect_bad_option NAME PATTERN ARGS...: a bad module option is one line and
# exit 2, with --out naming a new file (not created), with --out naming an
# existing CSV (not changed), and under --check.
keep="$tmp/keep.csv"
"$H" --strategy=naive --workload=list --size=10 --out="$keep" 2>/dev/null
keep_sum=$(cksum <"$keep")
expect_bad_option() {
	local name=$1 pattern=$2
	shift 2
	expect_bad "$name" "$pattern" "$@" "$o"
	expect_bad "${name}_check" "$pattern" --check "$@" "$o"
	"$H" "$@" --out="$keep" >/dev/null 2>&1
	local rc=$?
	if [ "$rc" -ne 2 ] || [ "$(cksum <"$keep")" != "$keep_sum" ]; then
		not_ok "${name}_keeps_existing_csv" "exit $rc; $keep changed: $(tail -n 2 "$keep" | cut -c1-200)"
		"$H" --strategy=naive --workload=list --size=10 --out="$keep.new" 2>/dev/null
		mv "$keep.new" "$keep"
		keep_sum=$(cksum <"$keep")
	else
		ok "${name}_keeps_existing_csv"
	fi
}
# transmigrators
expect_bad_option opt_splice_threshold_abc "strategy 'splice': threshold=abc: expected a number in \[0, 1\]" \
	--strategy=splice:threshold=abc $good
expect_bad_option opt_splice_threshold_2 "strategy 'splice': threshold=2: expected a number in \[0, 1\]" \
	--strategy=splice:threshold=2 $good
expect_bad_option opt_splice_threshold_nan "strategy 'splice': threshold=nan: expected" \
	--strategy=splice:threshold=nan $good
expect_bad_option opt_cheney_restore_2 "strategy 'cheney': restore=2: expected an integer in \[0, 1\]" \
	--strategy=cheney:restore=2 $good
expect_bad_option opt_proxy_step_0 "strategy 'proxy': step=0: expected an integer >= 1" \
	--strategy=naive,proxy:step=0 $good
expect_bad_option opt_adaptive_small_abc "strategy 'adaptive': small=abc: expected an integer" \
	--strategy=adaptive:small=abc $good
expect_bad_option opt_promote_measure_x "strategy 'promote': measure=x: expected an integer in \[0, 1\]" \
	--strategy=promote:measure=x $good
expect_bad_option opt_strategy_repeated_key "strategy 'splice': option 'threshold' given twice \(threshold=0.5, threshold=0.9\)" \
	--strategy=splice:threshold=0.5,threshold=0.9 $good
expect_bad_option opt_strategy_unknown_key "strategy 'splice': unknown option 'treshold' \(valid: threshold\)" \
	--strategy=splice:treshold=0.5 $good
# tether schemes: a bad second scheme stops the run before the first one's rows
expect_bad_option opt_tether_second_scheme_bad "tether 'ebr': threshold=0: expected an integer in \[1, 1048576\]" \
	--tether=tls,ebr:threshold=0 --duration=0.01
expect_bad_option opt_tether_fence "tether 'ebr': fence=sideways: expected one of auto\|asym\|sym" \
	--tether=ebr:fence=sideways --duration=0.01
expect_bad_option opt_tether_hazards_0 "tether 'hazard': hazards=0: expected an integer in \[1, 63\]" \
	--tether=hazard:hazards=0 --duration=0.01
expect_bad_option opt_tether_run_key "tether 'tls': concurrent=2: expected a number in \[0, 1\]" \
	--tether=tls:concurrent=2 --duration=0.01
expect_bad_option opt_tether_repeated_key "tether 'ebr': option 'threshold' given twice" \
	--tether=ebr:threshold=8,threshold=9 --duration=0.01
expect_bad_option opt_tether_repeated_run_key "tether 'tls': option 'loop' given twice" \
	--tether=tls:loop=inline,loop=vtable --duration=0.01
expect_bad_option opt_tether_series_unwritable "cannot write '$tmp/no/dir/s.csv'" \
	--tether=tls,ebr:series="$tmp/no/dir/s.csv" --duration=0.01
# workloads: their own keys and the placer's
expect_bad_option opt_mixed_small_live "workload 'mixed': small_live=0: expected a number in \[0.01, 1\]" \
	--strategy=naive --workload=mixed:small_live=0 --size=100
expect_bad_option opt_random_degree "workload 'random': degree=x: expected an integer in \[0, 64\]" \
	--strategy=naive --workload=random:degree=x --size=100
expect_bad_option opt_workload_repeated_key "workload 'list': option 'layout' given twice" \
	--strategy=naive --workload=list:layout=alloc,layout=shuffled --size=100
expect_bad_option opt_workload_repeated_own_key "workload 'random': option 'degree' given twice" \
	--strategy=naive --workload=random:degree=1,degree=2 --size=100

# --check judges a good run and exits 0, running nothing and creating no file.
check_good() {
	local f="$tmp/check-new.csv"
	"$H" --check --strategy=splice:threshold=0.5,cheney:restore=1 --workload=list,mixed:small_live=1 --size=100 \
		--out="$f" >"$tmp/stdout" 2>"$tmp/stderr" || { echo "exit $?: $(cat "$tmp/stderr")"; return 1; }
	"$H" --check --tether=tls,ebr:threshold=8,fence=sym --threads=1,2 --duration=0.01 --out="$f" \
		>>"$tmp/stdout" 2>>"$tmp/stderr" || { echo "tether: exit $?: $(cat "$tmp/stderr")"; return 1; }
	[ ! -e "$f" ] || { echo "created $f"; return 1; }
	[ ! -s "$tmp/stdout" ] && [ ! -s "$tmp/stderr" ] || { echo "printed: $(cat "$tmp/stdout" "$tmp/stderr")"; return 1; }
	"$H" --check --strategy=naive $good --out="$keep" || { echo "existing csv: exit $?"; return 1; }
	[ "$(cksum <"$keep")" = "$keep_sum" ] || { echo "changed $keep"; return 1; }
}
run check_accepts_a_good_run_and_writes_nothing check_good
expect_bad check_out_is_directory "directory" --check --strategy=naive $good --out="$tmp"
expect_bad check_out_unwritable "cannot write" --check --strategy=naive $good --out="$tmp/no/such/dir/x.csv"

# Every row's default, written out, passes: the tables and the judge agree.
defaults_pass() {
	local kind name flag extra spec
	while read -r kind name _; do
		case $kind in
		transmigrator) flag=--strategy extra="$good"
			# adopting src whole is legal only when src's sole owner hands it over
			case $name in linear | promote) extra="--workload=list:knows=sole --size=100" ;; esac ;;
		tether) flag=--tether extra="--duration=0.01" ;;
		workload) flag="--strategy=naive --workload" extra="--size=50" ;;
		esac
		spec=$("$H" --describe "$name" | awk '
			/^options:$/ { own = 1; next } /^[a-z].*:$/ { own = 0 }
			own && $1 != "key" && $1 != "(no" && $3 != "-" { printf "%s%s=%s", n++ ? "," : "", $1, $3 }')
		case $name in json) spec="${spec:+$spec,}file=tests/data/sample.json" ;; sexp) spec="${spec:+$spec,}file=tests/data/sample.scm" ;;
		program) spec="${spec:+$spec,}name=tak" ;; esac
		# shellcheck disable=SC2086
		"$H" --check $flag="$name${spec:+:$spec}" $extra 2>&1 || { echo "$kind $name:$spec refused"; return 1; }
	done < <("$H" --list)
}
run every_declared_default_is_accepted defaults_pass

# --describe: every listed module, from the same tables; an unknown name is one line.
describe_all() {
	local kind name out
	while read -r kind name _; do
		out=$("$H" --describe "$name") || { echo "--describe $name: exit $?"; return 1; }
		printf '%s\n' "$out" | head -n 1 | grep -q "^$kind $name: " || { echo "--describe $name: $(head -n 1 <<<"$out")"; return 1; }
		printf '%s\n' "$out" | grep -qx "options:" || { echo "--describe $name: no options section"; return 1; }
	done < <("$H" --list)
	out=$("$H" --describe splice)
	printf '%s\n' "$out" | grep -Eq '^  threshold +number +0\.7 +a number in \[0, 1\] +[a-z]' ||
		{ echo "--describe splice lacks its threshold row: $out"; return 1; }
	out=$("$H" --describe ebr)
	for key in fence threshold loop concurrent series pick; do
		printf '%s\n' "$out" | grep -Eq "^  $key " || { echo "--describe ebr lacks $key"; return 1; }
	done
}
run describe_every_module describe_all
expect_bad describe_unknown_module "--describe: no module 'nosuch' \(transmigrators: naive" --describe nosuch

options_doc_current() {
	"$H" --options-doc >"$tmp/options.md" || return 1
	diff -u docs/options.md "$tmp/options.md" >"$tmp/options.diff" ||
		{ echo "docs/options.md is stale: run ./harness --options-doc > docs/options.md"; head -20 "$tmp/options.diff"; return 1; }
}
run options_doc_is_current options_doc_current

# ---- a good run ----------------------------------------------------------------------
# check_csv FILE ROWS PYTHON_ASSERTIONS: parses FILE with Python's csv module;
# `rows` is a list of dicts, `header` the first line's fields.
check_csv() {
	python3 - "$1" "$2" "$3" <<'EOF'
import csv, sys
path, want_rows, assertions = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, newline='') as f:
    lines = list(csv.reader(f))
header, body = lines[0], lines[1:]
assert body, "no rows"
for i, l in enumerate(body):
    assert len(l) == len(header), f"row {i} has {len(l)} fields, header {len(header)}"
    assert l != header, f"row {i} repeats the header"
rows = [dict(zip(header, l)) for l in body]
assert len(rows) == want_rows, f"{len(rows)} rows, expected {want_rows}"
exec(assertions)
EOF
}

named_columns='
for col in ["schema", "git_sha", "compiler", "cpu", "date", "strategy", "workload", "size", "layout", "garbage",
            "block", "rep", "seed", "status", "objects", "bytes", "ns_total", "ns_per_obj", "mb_per_s",
            "memcpy_ns", "extra_bytes", "mallocs", "rounds", "ci_lo", "ci_hi", "stop", "disturbed", "cpu_ns",
            "memcpy_best3_ns", "empty_ns", "qsbr_ns", "probe_ns"]:
    assert col in header, f"no column {col}"
'
good_rows="$named_columns"'
import re
for r in rows:
    assert r["status"] == "ok", r["status"]
    assert r["schema"] == "regionlab-3" and r["kind"] == "transmigrate", (r["schema"], r["kind"])
    assert r["git_sha"] and r["compiler"] and re.search(r" x[0-9]+$", r["cpu"]), (r["git_sha"], r["compiler"], r["cpu"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["date"]), r["date"]
    assert r["workload"] == "list" and r["size"] == "1000" and r["layout"] == "alloc" and float(r["garbage"]) == 0
    assert r["block"] == "65536"
    assert r["objects"] == "1000" and r["bytes"] == str(1000 * 24), (r["objects"], r["bytes"])
    assert int(r["ns_total"]) > 0 and float(r["ns_per_obj"]) > 0 and float(r["mb_per_s"]) > 0
    assert abs(float(r["ns_per_obj"]) * 1000 - int(r["ns_total"])) <= 0.01 * int(r["ns_total"])
    assert int(r["memcpy_ns"]) > 0 and int(r["extra_bytes"]) >= 0 and int(r["mallocs"]) >= 0
    assert int(r["memcpy_best3_ns"]) > 0 and r["empty_ns"] == "" and r["qsbr_ns"] == "", (r["memcpy_best3_ns"], r["empty_ns"])
    assert int(r["probe_ns"]) > 0, r["probe_ns"]
    assert int(r["src_bytes"]) >= int(r["bytes"]) and int(r["blocks_new"]) >= 1
    assert r["tether"] == "" and r["threads"] == ""
    if r["strategy"] == "bitmap":  # it reports its setup and restore pass apart
        setup, restore = int(r["setup_ns"]), int(r["restore_ns"])
        assert 0 < setup and 0 < restore and setup + restore < int(r["ns_total"]), (setup, restore, r["ns_total"])
    else:
        assert r["setup_ns"] == "" and r["restore_ns"] == "", (r["setup_ns"], r["restore_ns"])
got = sorted((r["strategy"], r["rep"], r["seed"]) for r in rows[-4:])
assert got == [("bitmap", "0", "1"), ("bitmap", "1", "2"), ("naive", "0", "1"), ("naive", "1", "2")], got
'
# A tether grid point runs in rounds beside its yardsticks: each scheme's rows carry the empty
# loop's and urcu-qsbr's figures of the same round, the point's rounds, stop and the interval
# of the scheme's median; the yardsticks are columns, not rows (urcu-qsbr given is its own row).
tether_rounds='
by = {}
for r in rows:
    assert r["kind"] == "tether" and r["status"] == "ok", (r["kind"], r["status"])
    assert r["rounds"] == "3" and r["stop"] in ("converged", "cap_rounds", "cap_seconds"), (r["rounds"], r["stop"])
    # A yardstick whose own trial stayed disturbed after its retries is left out: an empty cell.
    assert all(r[c] == "" or float(r[c]) > 0 for c in ("empty_ns", "qsbr_ns")), (r["empty_ns"], r["qsbr_ns"])
    assert int(r["disturbed"]) >= 0 and (r["ci_lo"] == r["ci_hi"] == "" or float(r["ci_lo"]) <= float(r["ci_hi"])), (
        r["ci_lo"], r["ci_hi"])
    assert int(r["probe_ns"]) > 0, r["probe_ns"]
    by.setdefault(r["tether"], []).append(r)
assert sorted(by) == ["ebr", "urcu-qsbr"], sorted(by)
assert sorted(r["rep"] for r in by["ebr"]) == ["0", "1", "2"]
for a, q in zip(sorted(by["ebr"], key=lambda r: r["rep"]), sorted(by["urcu-qsbr"], key=lambda r: r["rep"])):
    if int(q["disturbed"]) > 2:
        assert a["qsbr_ns"] == q["qsbr_ns"] == "", (a["qsbr_ns"], q["qsbr_ns"], q["disturbed"])
    else:
        assert a["qsbr_ns"] == q["ns_per_op"] == q["qsbr_ns"], (a["qsbr_ns"], q["ns_per_op"], q["qsbr_ns"])
    assert a["empty_ns"] == q["empty_ns"], (a["empty_ns"], q["empty_ns"])
import statistics
# The interval is of the rounds the gate kept (disturbed at most the retry limit, 2); with fewer
# than two of those (a machine slow through the trials) there is none.
for s, rs in by.items():
    kept = [float(r["ns_per_op"]) for r in rs if int(r["disturbed"]) <= 2]
    if len(kept) < 2:
        assert all(r["ci_lo"] == r["ci_hi"] == "" for r in rs), (s, [(r["ci_lo"], r["disturbed"]) for r in rs])
        continue
    m = statistics.median(kept)
    assert float(rs[0]["ci_lo"]) <= m <= float(rs[0]["ci_hi"]), (s, m, rs[0]["ci_lo"], rs[0]["ci_hi"])
'
tether_yardsticks() {
	"$H" --tether=ebr,urcu-qsbr --threads=1 --ops=20000 --reps=3 --out="$tmp/tether.csv" >/dev/null 2>"$tmp/stderr" ||
		{ echo "exit $?: $(cat "$tmp/stderr")"; return 1; }
	check_csv "$tmp/tether.csv" 6 "$tether_rounds"
}
run tether_rounds_carry_their_yardsticks tether_yardsticks

csv1="$tmp/run.csv"
good_run() {
	"$H" --strategy=naive,bitmap --workload=list --size=1000 --reps=2 --out="$csv1" >"$tmp/stdout" 2>"$tmp/stderr" ||
		{ echo "exit $?: $(cat "$tmp/stderr")"; return 1; }
	[ ! -s "$tmp/stdout" ] || { echo "wrote to stdout with --out"; return 1; }
	check_csv "$csv1" 4 "$good_rows"
}
run good_run_writes_header_and_four_ok_rows good_run

append_run() {
	"$H" --strategy=naive,bitmap --workload=list --size=1000 --reps=2 --out="$csv1" 2>&1 || return 1
	[ "$(grep -c '^schema,' "$csv1")" -eq 1 ] || { echo "header written twice"; return 1; }
	check_csv "$csv1" 8 "$good_rows"
}
run append_adds_rows_without_a_second_header append_run

foreign_header() {
	local f="$tmp/foreign.csv"
	printf 'a,b,c\n1,2,3\n' >"$f"
	local before
	before=$(cat "$f")
	if "$H" --strategy=naive --workload=list --size=10 --out="$f" 2>"$tmp/stderr"; then
		echo "accepted a file with another header"
		return 1
	fi
	[ "$(cat "$f")" = "$before" ] || { echo "changed the file"; return 1; }
	[ "$(wc -l <"$tmp/stderr")" -eq 1 ] || { echo "stderr: $(cat "$tmp/stderr")"; return 1; }
}
run refuses_to_append_to_a_foreign_csv foreign_header

stdout_run() {
	"$H" --strategy bitmap --workload list --size 1000 --reps 2 --seed 7 >"$tmp/stdout.csv" || return 1
	check_csv "$tmp/stdout.csv" 2 "$named_columns"'
assert [r["seed"] for r in rows] == ["7", "8"] and [r["rep"] for r in rows] == ["0", "1"]
assert all(r["status"] == "ok" and r["strategy"] == "bitmap" for r in rows)
'
}
run separate_values_and_stdout_output stdout_run

quoting_run() {
	"$H" --strategy=bitmap --workload=list:layout=shuffled,garbage=0.5,ring:layout=alloc --size=300 \
		--no-verify --no-fork >"$tmp/q.csv" || return 1
	grep -q '"list:layout=shuffled,garbage=0.5"' "$tmp/q.csv" || { echo "label with commas not quoted"; return 1; }
	check_csv "$tmp/q.csv" 2 '
assert [r["workload"] for r in rows] == ["list:layout=shuffled,garbage=0.5", "ring:layout=alloc"], [r["workload"] for r in rows]
assert (rows[0]["layout"], float(rows[0]["garbage"])) == ("shuffled", 0.5), (rows[0]["layout"], rows[0]["garbage"])
assert (rows[1]["layout"], float(rows[1]["garbage"])) == ("alloc", 0.0)
assert all(r["status"] == "ok" and r["objects"] == "300" for r in rows), [(r["status"], r["objects"]) for r in rows]
'
}
run options_lists_and_rfc4180_quoting quoting_run

# live=R is garbage=(1-R)/R: the garbage column reports the effective ratio.
live_run() {
	"$H" --strategy=bitmap --workload=list:live=0.5,tree:live=0.8,list:live=1 --size=300 --no-fork >"$tmp/l.csv" || return 1
	check_csv "$tmp/l.csv" 3 '
assert [float(r["garbage"]) for r in rows] == [1.0, 0.25, 0.0], [r["garbage"] for r in rows]
assert all(r["status"] == "ok" and int(r["src_bytes"]) > 0 for r in rows), [r["status"] for r in rows]
'
}
run live_fills_the_garbage_column live_run

block_run() {
	"$H" --strategy=bitmap --workload=tree --size=2000 --block=4096 >"$tmp/b.csv" || return 1
	check_csv "$tmp/b.csv" 1 '
r = rows[0]
assert r["status"] == "ok" and r["block"] == "4096", (r["status"], r["block"])
assert int(r["src_bytes"]) % 4096 == 0 and int(r["blocks_new"]) >= int(r["bytes"]) // 4096, (r["src_bytes"], r["blocks_new"])
'
}
run block_size_reaches_the_regions block_run

jemalloc_run() {
	# --cold: destination blocks come from the page source during the call
	# (warm trials take them from the pre-faulted pool instead)
	"$H" --strategy=naive,bitmap --workload=list --size=1000 --allocator=jemalloc --cold >"$tmp/je.csv" 2>"$tmp/stderr" ||
		{ echo "exit $?: $(cat "$tmp/stderr")"; return 1; }
	check_csv "$tmp/je.csv" 2 '
for r in rows:
    assert r["status"] == "ok" and r["allocator"] == "jemalloc", (r["status"], r["allocator"])
    assert r["dst_warm"] == "0", "--cold pre-faulted " + r["dst_warm"]
    # every destination block is a jemalloc request (strategy memory may come from mmap instead)
    assert int(r["blocks_new"]) >= 1 and int(r["je_allocs"]) >= int(r["blocks_new"]), (r["je_allocs"], r["blocks_new"])
    assert int(r["je_bytes"]) >= int(r["blocks_new"]) * 65536
naive = [r for r in rows if r["strategy"] == "naive"][0]
assert int(naive["je_allocs"]) >= 1000, "naive allocates one hash entry per object: " + naive["je_allocs"]
'
}
# By default the destination's blocks are pre-faulted (the block pool keeps
# none under ASan, so there the column says 0); --cold turns it off.
warm_run() {
	"$H" --strategy=bitmap --workload=tree --size=20000 >"$tmp/warm.csv" &&
		"$H" --strategy=bitmap --workload=tree --size=20000 --cold >"$tmp/cold.csv" || return 1
	check_csv "$tmp/warm.csv" 1 "
asan = '$BUILD'.find('asan') >= 0
w = int(rows[0]['dst_warm'])
assert (w == 0) if asan else (w >= int(rows[0]['bytes'])), ('warm', w, rows[0]['bytes'])
" && check_csv "$tmp/cold.csv" 1 '
assert rows[0]["dst_warm"] == "0", rows[0]["dst_warm"]
'
}
run destination_blocks_are_prefaulted_unless_cold warm_run

# The heap the strategy allocates from is warmed too, and the pool's blocks
# are pre-faulted, both sized by what the call may need: the graph's bytes,
# or all of src's family when that is more (runner.c: warm_bytes).  So
# bitmap's call (its shadow and worklist from the heap, its copy into
# pooled blocks) and relocate's (a copy of every block of src, garbage
# included) take no more than a stray fault or two (call_faults), where
# with --cold they take hundreds.  Measured at 10^5 list objects: bitmap 0
# warm, 392 cold; relocate on a list a quarter live 0 warm, 1,704 cold, and
# 389 warm when the warm-up was sized by the graph alone.  A warming the
# compiler can turn into calloc touches nothing (it happened): this sees
# it.  ASan builds do not pre-fault the pool (dst_warm is 0) and ASan's
# allocator holds freed memory in quarantine, so the warmed heap is not
# what the call gets; with transparent huge pages always on a cold call
# takes a few faults: the check is skipped there.
heap_run() {
	rm -f "$tmp/heap-cold.csv"
	"$H" --strategy=bitmap,relocate --workload=list,list:live=0.25 --size=100000 --no-verify >"$tmp/heap.csv" &&
		"$H" --strategy=bitmap --workload=list --size=100000 --no-verify --cold --out="$tmp/heap-cold.csv" &&
		"$H" --strategy=relocate --workload=list:live=0.25 --size=100000 --no-verify --cold \
			--out="$tmp/heap-cold.csv" || return 1
	check_csv "$tmp/heap.csv" 4 '
for r in rows:
    assert int(r["call_faults"]) <= 16, ("warm call faults", r["strategy"], r["workload"], r["call_faults"])
' && check_csv "$tmp/heap-cold.csv" 2 '
for r in rows:
    assert int(r["call_faults"]) >= 100, ("cold call faults", r["strategy"], r["workload"], r["call_faults"])
'
}
# The warm-up writes the heap's free chunks too, not only fresh memory: a
# forked trial shares its parent's heap copy-on-write, and a chunk the
# parent freed (the graph's build leaves some) is where a small allocation
# of the call lands.  Written in one 16 MiB piece, the warm-up took memory
# from the top of the heap only, and splice's liveness shadow at 10^3 took a
# copy-on-write fault in every call: 17-24 us where the call takes 5-6.
# Every row faulted then; a stray fault in one row of six is allowed.
free_chunks_run() {
	"$H" --strategy=splice --workload=list,tree --size=1000 --reps=3 --no-verify >"$tmp/chunks.csv" || return 1
	check_csv "$tmp/chunks.csv" 6 '
faulted = [r for r in rows if int(r["call_faults"]) > 0]
assert len(faulted) <= 1, ("calls that faulted", [(r["workload"], r["call_faults"]) for r in faulted])
'
}
if grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
	echo "skip heap_is_warmed_unless_cold: transparent huge pages are always on"
	echo "skip free_heap_chunks_are_warmed: transparent huge pages are always on"
else
	case "$BUILD" in
	*asan*)
		echo "skip heap_is_warmed_unless_cold (ASan build: no pre-faulted pool, a quarantining allocator)"
		echo "skip free_heap_chunks_are_warmed (ASan build: a quarantining allocator)"
		;;
	*)
		run heap_is_warmed_unless_cold heap_run
		run free_heap_chunks_are_warmed free_chunks_run
		;;
	esac
fi

if "$H" --strategy=bitmap --workload=list --size=10 --allocator=jemalloc >/dev/null 2>&1; then
	run jemalloc_serves_the_trial jemalloc_run
else
	echo "skip jemalloc_serves_the_trial (jemalloc cannot be loaded)"
fi

# A deep list overflows the recursive strategy's 8 MiB stack: a row, not a
# dead sweep.  ASan reports stack overflows itself, so only plain builds.
case "$BUILD" in
*asan*) echo "skip stack_overflow_is_a_row (ASan build)" ;;
*)
	overflow_run() {
		"$H" --strategy=naive,bitmap --workload=deep-list --size=1000000 >"$tmp/deep.csv" 2>"$tmp/stderr" ||
			{ echo "exit $?: $(cat "$tmp/stderr")"; return 1; }
		check_csv "$tmp/deep.csv" 2 '
st = {r["strategy"]: r for r in rows}
assert st["naive"]["status"] == "stack_overflow", st["naive"]["status"]
assert st["naive"]["objects"] == "1000000", "the overflow row keeps the census"
assert st["bitmap"]["status"] == "ok", st["bitmap"]["status"]
'
	}
	run stack_overflow_is_a_row overflow_run
	;;
esac

# A small --stack makes the same happen on a short list, in a forked child.
small_stack_run() {
	"$H" --strategy=naive,bitmap --workload=list --size=20000 --stack=65536 --no-verify >"$tmp/small.csv" ||
		return 1
	check_csv "$tmp/small.csv" 2 '
st = {r["strategy"]: r["status"] for r in rows}
assert st == {"naive": "stack_overflow", "bitmap": "ok"}, st
'
}
case "$BUILD" in
*asan*) echo "skip small_stack_overflows (ASan build)" ;;
*) run small_stack_overflows small_stack_run ;;
esac

# ---- a tether run, when a scheme is registered -------------------------------------------
if [ -n "$scheme" ]; then
	tether_run() {
		"$H" --tether="$scheme" --threads=1,2 --duration=0.05 --update-us=1000 --out="$tmp/t.csv" || return 1
		check_csv "$tmp/t.csv" 2 '
assert all(r["kind"] == "tether" and r["tether"] == "'"$scheme"'" for r in rows), [(r["kind"], r["tether"]) for r in rows]
assert sorted(r["threads"] for r in rows) == ["1", "2"], [r["threads"] for r in rows]
'
	}
	run tether_rows tether_run
else
	echo "skip tether_rows (no tether scheme registered)"
fi

# ---- memory limits -------------------------------------------------------------------------
# Refused up front, before anything is built: one line, exit 2, no file.
expect_bad mem_huge_graph_refused "workload 'list' at --size=2000000000 needs about .* over --max-mem=" \
	--strategy=bitmap --workload=list --size=2000000000 "$o"
expect_bad mem_small_max_mem_refused "needs about .* over --max-mem=16777216" \
	--strategy=bitmap --workload=tree --size=1000000 --max-mem=16777216 "$o"
expect_bad mem_max_mem_below_minimum "--max-mem=1000: expected an integer" --strategy=naive $good --max-mem=1000 "$o"
expect_bad bad_probe_ref "--probe-ref=0: expected an integer in \[1, 1000000000\]" --strategy=naive $good --probe-ref=0 "$o"
expect_bad bad_probe_ref_text "--probe-ref=fast: expected an integer" --strategy=naive $good --probe-ref=fast "$o"
if [ -n "$scheme" ]; then
	expect_bad mem_many_slots_refused "--slots=1048576.* needs about .* over --max-mem=" \
		--tether="$scheme" --slots=1048576 "$o"
	expect_bad bound_stall_ms "--stall-ms=3600000: expected an integer in \[0, 60000\]" \
		--tether="$scheme" --stall-ms=3600000 "$o"
	expect_bad bound_ops "--ops=18446744073709551615: expected an integer in \[1, 1000000000\]" \
		--tether="$scheme" --ops=18446744073709551615 "$o"
	expect_bad bound_read "--read=1073741824: expected an integer in \[0, 16777216\]" \
		--tether="$scheme" --read=1073741824 "$o"
	expect_bad bound_duration "--duration=86400: expected a number in \[0.001, 3600\]" \
		--tether="$scheme" --duration=86400 "$o"
fi
help_max_mem() {
	"$H" --help | tr -s ' \n' ' ' | grep -Eq -- "--max-mem=BYTES .*half of MemAvailable at start, now [0-9]+" ||
		{ echo "--help does not show --max-mem and its default"; return 1; }
}
run help_shows_max_mem_default help_max_mem

# An estimate made too low on purpose (the test-only knob) lets trials through that the budget
# then stops: the strategy's memory runs out (an oom row), or the judge's (its own status).
# 16 MiB holds a 2.9 MiB tree and the census, not naive's hash table of 150,000 entries.
mem_oom_row() {
	local args=(--strategy=naive --workload=tree --size=150000 --max-mem=16777216)
	"$H" "${args[@]}" --no-verify --out=- >/dev/null 2>&1 && { echo "ran without the knob: the estimate let it through"; return 1; }
	RL_TEST_MEM_ESTIMATE_SCALE=0.001 "$H" "${args[@]}" --no-verify --out="$tmp/oom.csv" || return 1
	check_csv "$tmp/oom.csv" 1 'assert rows[0]["status"] == "oom", rows[0]["status"]'
}
run mem_budget_gives_an_oom_row mem_oom_row
mem_judge_oom() {
	RL_TEST_MEM_ESTIMATE_SCALE=0.001 "$H" --strategy=bitmap --workload=list --size=150000 --max-mem=16777216 \
		--out="$tmp/voom.csv" || return 1
	check_csv "$tmp/voom.csv" 1 '
s = rows[0]["status"]
assert s.startswith("verify_oom") or "oracle: out of memory" in s, s'
}
run mem_budget_stops_the_judge mem_judge_oom

# ---- one --out, several writers; no orphans -------------------------------------------------
# Two harnesses starting on the same new --out: one header, every row.
header_once() {
	local round f a
	for round in 1 2 3; do
		f="$tmp/shared$round.csv"
		RL_TEST_CHILD_SLEEP_MS=200 "$H" --strategy=bitmap --workload=list --size=100 --reps=2 --out="$f" &
		a=$!
		RL_TEST_CHILD_SLEEP_MS=200 "$H" --strategy=cheney --workload=list --size=100 --reps=2 --out="$f" || return 1
		wait $a || return 1
		[ "$(grep -c '^schema,' "$f")" -eq 1 ] || { echo "round $round: $(grep -c '^schema,' "$f") header lines"; return 1; }
		check_csv "$f" 4 'assert sorted(r["strategy"] for r in rows) == ["bitmap"] * 2 + ["cheney"] * 2' || return 1
	done
}
run two_harnesses_write_one_header header_once

# A last row cut short (its writer killed mid-row) is refused, and nothing is appended.
truncated_refused() {
	local f="$tmp/cut.csv" rc
	"$H" --strategy=bitmap $good --out="$f" || return 1
	printf 'regionlab-3,cut' >>"$f"
	cp "$f" "$tmp/cut.before"
	"$H" --strategy=bitmap $good --out="$f" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc, expected 2"; return 1; }
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "ends in a truncated row" "$tmp/err" || { cat "$tmp/err"; return 1; }
	cmp -s "$f" "$tmp/cut.before" || { echo "the file changed"; return 1; }
}
run truncated_last_row_refused truncated_refused

# A harness killed with SIGKILL in the middle of a forked trial takes the trial with it.
harness_killed() {
	local f="$tmp/killed-harness.csv" h i
	# (not on our stdout: a trial that outlived its harness would hold the test's pipe open)
	RL_TEST_CHILD_SLEEP_MS=60000 "$H" --strategy=bitmap $good --out="$f" >/dev/null 2>&1 &
	h=$!
	for i in $(seq 100); do [ "$(procs_with "$f" | wc -l)" -ge 2 ] && break; sleep 0.1; done
	[ "$(procs_with "$f" | wc -l)" -ge 2 ] || { echo "the trial did not start"; kill -9 $h; return 1; }
	kill -9 $h
	wait $h 2>/dev/null
	# the kernel kills it at once; a second is plenty (an orphan would sleep on for a minute)
	for i in $(seq 10); do [ -z "$(procs_with "$f")" ] && return 0; sleep 0.1; done
	echo "left running: $(procs_with "$f")"
	return 1
}
run killed_harness_leaves_no_trial harness_killed

# ---- the schema document ------------------------------------------------------------------
schema_current() {
	"$H" --schema >"$tmp/schema.md" || return 1
	diff -u docs/csv-schema.md "$tmp/schema.md" >"$tmp/schema.diff" ||
		{ echo "docs/csv-schema.md is stale: run ./harness --schema > docs/csv-schema.md"; return 1; }
	local header
	header=$(sed -n 1p "$csv1")
	grep -qxF "$header" docs/csv-schema.md || { echo "the schema document does not show the CSV header"; return 1; }
}
run schema_doc_is_current schema_current

# Every status the runner and the tether trial can write is in the schema's Statuses table:
# each status literal in their source, up to its first printf directive, appears there in backquotes.
statuses_documented() {
	local lit prefix missing=
	"$H" --schema >"$tmp/schema-now.md" || return 1
	while IFS= read -r lit; do
		prefix=${lit%%%*}
		prefix=${prefix%: }
		[ -n "$prefix" ] || continue
		grep -qF "\`$prefix" "$tmp/schema-now.md" || missing="$missing '$lit'"
	done < <(grep -ohE '"(ok|oom|verify_[a-z_]*|stack_overflow|crash:|error: |use_after_free|leak: )[^"]*"' \
		driver/runner.c driver/tether_run.c | tr -d '"' | sort -u)
	[ -z "$missing" ] || { echo "statuses missing from the Statuses table of ./harness --schema:$missing"; return 1; }
}
run every_status_is_documented statuses_documented

echo "SUMMARY test_cli.sh $passed $failed"
[ "$failed" -eq 0 ]
