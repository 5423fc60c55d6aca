#!/usr/bin/env bash
# ./harness --format: the table on a terminal (a pseudo-terminal from
# `script`), CSV on stdout equal to what --out writes, JSON lines a JSON
# parser accepts, the progress line only on a terminal, bad --format.
# The writers' details on made-up rows are tests/test_format.c.
#   BUILD=build bash tests/test_format.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
H="$BUILD/harness"
. tests/lib.sh # tmp, passed/failed, ok, not_ok, run

if [ ! -x "$H" ]; then
	not_ok harness_built "$H is missing"
	echo "SUMMARY test_format.sh $passed $failed"
	exit 1
fi

# on_terminal CMD...: runs CMD with stdin and stdout on a pseudo-terminal
# (stderr, where a progress line may go, to $tmp/tty.err); its output, with
# the terminal's \r\n made \n, on stdout.
on_terminal() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -qec "$cmd 2>$tmp/tty.err" /dev/null </dev/null | sed 's/\r$//'
}
have_script=false
command -v script >/dev/null && [ "$(on_terminal echo hi)" = hi ] && have_script=true

example=(--strategy=bitmap,cheney --workload=tree --size=100000)

help_mentions_format() {
	"$H" --help | grep -q -- '--format=FORMAT *table, csv or json' || { echo "--help does not explain --format"; return 1; }
}
run help_mentions_format help_mentions_format

# ---- bad input -------------------------------------------------------------------------
bad_format() {
	rm -f "$tmp/bad.csv"
	"$H" "${example[@]}" --format=x --out="$tmp/bad.csv" >"$tmp/stdout" 2>"$tmp/stderr"
	local rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc, expected 2"; return 1; }
	[ "$(wc -l <"$tmp/stderr")" -eq 1 ] || { echo "stderr: $(cat "$tmp/stderr")"; return 1; }
	grep -q '^harness: --format=x: expected table, csv or json$' "$tmp/stderr" || { cat "$tmp/stderr"; return 1; }
	[ ! -s "$tmp/stdout" ] && [ ! -e "$tmp/bad.csv" ] || { echo "wrote something"; return 1; }
}
run bad_format_is_one_line_exit_2 bad_format

json_onto_csv() {
	local f="$tmp/keep.csv"
	"$H" --strategy=bitmap --workload=list --size=100 --out="$f" || return 1
	cp "$f" "$tmp/keep.before"
	"$H" --strategy=bitmap --workload=list --size=100 --format=json --out="$f" 2>"$tmp/stderr"
	local rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc: JSON appended to a CSV file"; return 1; }
	[ "$(wc -l <"$tmp/stderr")" -eq 1 ] && grep -q "does not hold JSON lines" "$tmp/stderr" ||
		{ echo "stderr: $(cat "$tmp/stderr")"; return 1; }
	cmp -s "$f" "$tmp/keep.before" || { echo "the CSV file changed"; return 1; }
}
run json_out_refuses_a_csv_file json_onto_csv

# ---- CSV on stdout is what --out writes ------------------------------------------------------
# Two runs measure different times: every cell must be equal except the date
# and the measured times, and even those must be empty in the same places.
same_csv() {
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import csv, sys
measured = {"date", "ns_total", "ns_per_obj", "mb_per_s", "memcpy_ns", "memcpy_frac", "pause_ns",
            "barrier_overhead", "free_latency_ns", "setup_ns", "restore_ns", "decide_ns",
            "cpu_ns", "ci_lo", "ci_hi", "stop", "disturbed", "memcpy_best3_ns", "empty_ns", "qsbr_ns", "call_faults", "probe_ns"}
a, b = (list(csv.reader(open(p, newline=""))) for p in sys.argv[1:3])
assert a[0] == b[0], "headers differ"
assert len(a) == len(b), f"{len(a)} and {len(b)} lines"
for i, (x, y) in enumerate(zip(a[1:], b[1:])):
    assert len(x) == len(y) == len(a[0]), f"row {i}: {len(x)}, {len(y)} fields"
    for col, u, v in zip(a[0], x, y):
        # the interval is empty when fewer than two of the point's trials were
        # undisturbed: a fact of the run, so either side may lack it
        assert col in ("ci_lo", "ci_hi") or (u == "") == (v == ""), f"row {i} {col}: {u!r} vs {v!r}"
        assert col in measured or u == v, f"row {i} {col}: {u!r} vs {v!r}"
EOF
}
csv_equals_out() {
	local args=(--strategy=bitmap,cheney --workload=tree,list:layout=shuffled,garbage=0.5 --size=2000 --reps=2)
	rm -f "$tmp/out.csv" "$tmp/both.csv"
	"$H" "${args[@]}" --format=csv >"$tmp/stdout.csv" 2>"$tmp/stderr" || { cat "$tmp/stderr"; return 1; }
	"$H" "${args[@]}" --out="$tmp/out.csv" >"$tmp/stdout" || return 1
	[ ! -s "$tmp/stdout" ] || { echo "--out wrote to stdout (not a terminal)"; return 1; }
	"$H" "${args[@]}" --format=csv --out="$tmp/both.csv" >"$tmp/stdout" || return 1
	[ ! -s "$tmp/stdout" ] || { echo "--format=csv --out wrote to stdout"; return 1; }
	"$H" "${args[@]}" >"$tmp/default.csv" || return 1
	[ "$(head -n 1 "$tmp/stdout.csv")" = "$("$H" --schema | grep -m1 '^schema,')" ] ||
		{ echo "stdout's header is not the schema's"; return 1; }
	grep -q '"list:layout=shuffled,garbage=0.5"' "$tmp/stdout.csv" || { echo "not quoted as CSV"; return 1; }
	[ "$(wc -l <"$tmp/stdout.csv")" -eq 9 ] || { echo "$(wc -l <"$tmp/stdout.csv") lines, expected 9"; return 1; }
	same_csv "$tmp/stdout.csv" "$tmp/out.csv" && same_csv "$tmp/stdout.csv" "$tmp/both.csv" &&
		same_csv "$tmp/stdout.csv" "$tmp/default.csv"
}
run format_csv_prints_what_out_writes csv_equals_out

# ---- JSON lines --------------------------------------------------------------------------------
json_lines() {
	local args=(--strategy=bitmap,adaptive --workload=tree,list:layout=shuffled,garbage=0.5 --size=2000)
	"$H" "${args[@]}" --format=json >"$tmp/rows.json" 2>"$tmp/stderr" || { cat "$tmp/stderr"; return 1; }
	"$H" "${args[@]}" --format=csv >"$tmp/rows.csv" || return 1
	rm -f "$tmp/out.json"
	"$H" "${args[@]}" --format=json --out="$tmp/out.json" >"$tmp/stdout" &&
		"$H" "${args[@]}" --format=json --out="$tmp/out.json" >>"$tmp/stdout" || return 1
	[ ! -s "$tmp/stdout" ] || { echo "--format=json --out wrote to stdout"; return 1; }
	/usr/bin/python3 - "$tmp/rows.json" "$tmp/rows.csv" "$tmp/out.json" <<'EOF'
import csv, json, sys
measured = {"date", "ns_total", "ns_per_obj", "mb_per_s", "memcpy_ns", "memcpy_frac", "pause_ns",
            "barrier_overhead", "free_latency_ns", "setup_ns", "restore_ns", "decide_ns",
            "cpu_ns", "ci_lo", "ci_hi", "stop", "disturbed", "memcpy_best3_ns", "empty_ns", "qsbr_ns", "call_faults", "probe_ns"}
lines = open(sys.argv[1]).read().splitlines()
table = list(csv.reader(open(sys.argv[2], newline="")))
header, body = table[0], table[1:]
assert len(lines) == len(body) == 4, (len(lines), len(body))
for i, (line, cells) in enumerate(zip(lines, body)):
    obj = json.loads(line)
    assert isinstance(obj, dict), line
    assert list(obj) == header, f"row {i}: keys are not the CSV columns in order"
    for col, cell in zip(header, cells):
        v = obj[col]
        assert (v is None) == (cell == ""), f"row {i} {col}: {v!r} vs CSV {cell!r}"
        if v is None:
            continue
        try:
            number = float(cell)
        except ValueError:
            number = None
        if number is not None and col not in ("git_sha",):
            assert isinstance(v, (int, float)) and not isinstance(v, bool), f"row {i} {col}: {v!r} is not a number"
            if col not in measured:
                assert v == number, f"row {i} {col}: {v!r} vs {cell!r}"
        elif col not in measured:
            assert v == cell, f"row {i} {col}: {v!r} vs {cell!r}"
    assert isinstance(obj["size"], int) and isinstance(obj["ns_per_obj"], float), obj
appended = [json.loads(l) for l in open(sys.argv[3]).read().splitlines()]
assert len(appended) == 8 and all(list(o) == header for o in appended), len(appended)
EOF
}
run format_json_is_one_parsable_object_per_row json_lines

# ---- the table on a terminal ------------------------------------------------------------------
# at_most_100_wide FILE: every line at most 100 characters (UTF-8 decoded).
at_most_100_wide() {
	/usr/bin/python3 -c '
import sys
for l in open(sys.argv[1], encoding="utf-8").read().splitlines():
    assert len(l) <= 100, f"{len(l)} wide: {l}"
' "$1"
}
terminal_table() {
	on_terminal "$H" "${example[@]}" >"$tmp/tty.txt" || return 1
	local t="$tmp/tty.txt"
	at_most_100_wide "$t" || return 1
	grep -Eq '^strategy +workload +size +layout +status +reps +ns/obj +MiB/s +memcpy +extra (B|KiB) +mallocs$' "$t" ||
		{ echo "header: $(head -n 1 "$t")"; return 1; }
	grep -Eq '^bitmap +tree +100000 +alloc +ok +1 +[0-9.]+ ' "$t" && grep -Eq '^cheney +tree +100000 ' "$t" ||
		{ echo "no bitmap and cheney lines:"; cat "$t"; return 1; }
	if grep -q 'schema,\|regionlab-3\|tether' "$t"; then
		echo "CSV or columns of another kind on the terminal:"
		cat "$t"
		return 1
	fi
	[ "$(grep -c '' "$t")" -le 4 ] || { echo "more than 4 lines:"; cat "$t"; return 1; }
}
# --out on a terminal: the file gets the CSV, the terminal the table too.
terminal_with_out() {
	rm -f "$tmp/tty.csv"
	on_terminal "$H" --strategy=bitmap,cheney --workload=tree --size=1000 --out="$tmp/tty.csv" >"$tmp/tty.txt" ||
		return 1
	grep -Eq '^strategy +workload' "$tmp/tty.txt" || { echo "no table:"; cat "$tmp/tty.txt"; return 1; }
	[ "$(head -c 7 "$tmp/tty.csv")" = "schema," ] && [ "$(wc -l <"$tmp/tty.csv")" -eq 3 ] ||
		{ echo "the file is not the CSV of 2 rows"; return 1; }
	on_terminal "$H" --strategy=bitmap --workload=tree --size=1000 --format=csv >"$tmp/tty.csv2" || return 1
	[ "$(head -c 7 "$tmp/tty.csv2")" = "schema," ] || { echo "--format=csv on a terminal printed no CSV"; return 1; }
}
# A failed trial stands out: "!status", in red on a terminal unless NO_COLOR,
# and never a colour code when stdout is not a terminal.
failed_stands_out() {
	local args=(--strategy=naive,bitmap --workload=list --size=20000 --stack=65536 --no-verify)
	"$H" "${args[@]}" --format=table >"$tmp/plain.txt" || return 1
	grep -Eq '^naive +list .* !stack_overflow ' "$tmp/plain.txt" || { cat "$tmp/plain.txt"; return 1; }
	! grep -q $'\033' "$tmp/plain.txt" || { echo "colour codes in a file"; return 1; }
	on_terminal env -u NO_COLOR "$H" "${args[@]}" >"$tmp/colour.txt" || return 1
	grep -q $'\033\\[1;31m!stack_overflow' "$tmp/colour.txt" || { echo "not in red on a terminal"; return 1; }
	on_terminal env NO_COLOR=1 "$H" "${args[@]}" >"$tmp/nocolour.txt" || return 1
	grep -q '!stack_overflow' "$tmp/nocolour.txt" && ! grep -q $'\033' "$tmp/nocolour.txt" ||
		{ echo "NO_COLOR not honoured"; return 1; }
}
if $have_script; then
	run table_on_a_terminal_at_most_100_wide terminal_table
	run out_on_a_terminal_shows_the_table_too terminal_with_out
	case "$BUILD" in
	*asan*) echo "skip failed_status_stands_out (ASan build: no stack overflow row)" ;;
	*) run failed_status_stands_out failed_stands_out ;;
	esac
else
	echo "skip terminal tests: no working script(1)"
fi

# ---- the progress line -------------------------------------------------------------------------
# Three 0.8 s tether trials: 2.4 s expected, over the threshold.  On a
# terminal the line appears (with \r); with stderr a file, nothing at all.
scheme=$("$H" --list | awk '$1 == "tether" { print $2; exit }')
progress_only_on_a_terminal() {
	local args=(--tether="$scheme" --threads=1 --reps=3 --duration=0.8 --update-us=1000 --format=csv)
	script -qec "$(printf '%q ' "$H" "${args[@]}")" /dev/null </dev/null >"$tmp/progress.raw" || return 1
	grep -q $'\rharness: trial 1 of 3, ' "$tmp/progress.raw" || { echo "no progress line on a terminal"; return 1; }
	"$H" "${args[@]}" >"$tmp/rows.csv" 2>"$tmp/stderr" || return 1
	[ ! -s "$tmp/stderr" ] || { echo "stderr is not a terminal, yet: $(cat -v "$tmp/stderr")"; return 1; }
	[ "$(wc -l <"$tmp/rows.csv")" -eq 4 ] || { echo "rows: $(wc -l <"$tmp/rows.csv")"; return 1; }
}
if $have_script && [ -n "$scheme" ]; then
	run progress_line_only_on_a_terminal progress_only_on_a_terminal
else
	echo "skip progress_line_only_on_a_terminal"
fi

# ---- the README's examples ------------------------------------------------------------------------
# The block in README.md is scripts/readme-examples.sh's output: it shows the
# script's commands, and the script rewrites only that block (on a copy).
readme_block() { sed -n '/^<!-- readme-examples: begin/,/^<!-- readme-examples: end/p' "$1"; }
readme_examples() {
	local want got
	want=$(grep -oE '^\s*"\./harness [^"]*"' scripts/readme-examples.sh | tr -d '"\t ')
	got=$(readme_block README.md | grep '^\$ ' | sed 's/^\$ //' | tr -d ' ')
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		{ echo "README.md shows other commands than scripts/readme-examples.sh runs: rerun it"; return 1; }
	[ "$BUILD" = build ] || return 0 # the release build only: the examples are timed
	cp README.md "$tmp/README.md"
	HARNESS="$H" scripts/readme-examples.sh "$tmp/README.md" 2>"$tmp/stderr" || { cat "$tmp/stderr"; return 1; }
	diff <(sed '/^<!-- readme-examples: begin/,/^<!-- readme-examples: end/d' README.md) \
		<(sed '/^<!-- readme-examples: begin/,/^<!-- readme-examples: end/d' "$tmp/README.md") >/dev/null ||
		{ echo "the script changed README.md outside its block"; return 1; }
	local block
	block=$(readme_block "$tmp/README.md")
	printf '%s\n' "$block" | grep -Eq '^strategy +workload +size' &&
		printf '%s\n' "$block" | grep -Eq '^scheme +threads +status' ||
		{ echo "no tables in the block: $block"; return 1; }
	! printf '%s\n' "$block" | grep -q $'[\r\033]' || { echo "control characters in the block"; return 1; }
}
if $have_script; then
	run readme_examples_are_the_scripts readme_examples
fi

echo "SUMMARY test_format.sh $passed $failed"
