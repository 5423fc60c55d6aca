#!/usr/bin/env bash
# `harness --dump` checked by another Scheme's reader: the dump of each
# datum-label and torture input (tests/data/labels.scm, torture.scm), read by
# Chez Scheme beside the original, must be the same graph, pairs, vectors,
# strings and bytevectors in one-to-one correspondence (tests/graph-iso.ss,
# eq-hashtables: equal? alone ignores sharing).  Also: the checker rejects a
# dump whose sharing differs, and --dump's bad input is one line, exit 2.
# Skipped with one line where Chez Scheme (scheme or chezscheme) is missing.
#   BUILD=build bash tests/test_roundtrip.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
H="$BUILD/harness"
. tests/lib.sh

if [ ! -x "$H" ]; then
	not_ok harness_built "$H is missing"
	echo "SUMMARY test_roundtrip.sh $passed $failed"
	exit 1
fi

# ---- --dump's own command line ---------------------------------------------------------
one_line_exit_2() { # expected-substring, harness args...
	local want=$1 out rc
	shift
	out=$("$H" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc, expected 2: $out"; return 1; }
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || { echo "more than one line: $out"; return 1; }
	grep -qF -- "$want" <<<"$out" || { echo "said '$out', expected '$want'"; return 1; }
}
run dump_needs_one_workload one_line_exit_2 "--dump takes exactly one --workload, got 2" \
	--workload=list,tree --dump="$tmp/x"
run dump_runs_no_strategy one_line_exit_2 "give --workload, not --strategy" \
	--strategy=bitmap --workload=list --dump="$tmp/x"
run dump_unwritable_path one_line_exit_2 "--dump=$tmp/no/such/dir/x: cannot write" \
	--workload=list --dump="$tmp/no/such/dir/x"
run dump_of_a_directory_input one_line_exit_2 "$tmp is a directory" --workload=sexp:file="$tmp" --dump="$tmp/x"
nothing_half_written() {
	[ ! -e "$tmp/x" ] || { echo "$tmp/x was written"; return 1; }
	[ -z "$(ls "$tmp")" ] || { echo "left behind: $(ls "$tmp")"; return 1; }
}
run dump_bad_input_writes_nothing nothing_half_written

dump_reads_back() { # a builder's graph, read back by the harness's sexp workload
	"$H" --workload=ladder:layout=shuffled --size=200 --dump="$tmp/ladder.scm" || return 1
	head -n 1 "$tmp/ladder.scm" | grep -q '^; harness --workload=ladder' || { echo "no header comment"; return 1; }
	"$H" --strategy=bitmap,cheney --workload=sexp:file="$tmp/ladder.scm" --out="$tmp/ladder.csv" || return 1
	[ "$(grep -c ',ok,' "$tmp/ladder.csv")" -eq 2 ] || { echo "rows not ok: $(cat "$tmp/ladder.csv")"; return 1; }
}
run dump_of_a_builder_reads_back dump_reads_back

# ---- Chez Scheme ---------------------------------------------------------------------------
chez=$(command -v scheme || command -v chezscheme || true)
if [ -z "$chez" ] || ! "$chez" --version >/dev/null 2>&1; then
	echo "SKIP chez_scheme_reads_the_dumps_as_the_same_graphs: Chez Scheme (scheme or chezscheme) is not installed"
	echo "SUMMARY test_roundtrip.sh $passed $failed"
	[ "$failed" -eq 0 ]
	exit
fi

same_graph_in_chez() { # input
	local name
	name=$(basename "$1" .scm)
	"$H" --workload=sexp:file="$1" --dump="$tmp/$name.dump" || return 1
	"$chez" --script tests/graph-iso.ss "$1" "$tmp/$name.dump"
}
for f in tests/data/labels.scm tests/data/torture.scm; do
	run "chez_reads_the_dump_of_$(basename "$f" .scm)_as_the_same_graph" same_graph_in_chez "$f"
done

checker_sees_sharing() { # equal? but not the same sharing: the checker must say so
	printf '(#0=(leaf) #0# #0#)\n' >"$tmp/shared.scm"
	printf '(((leaf) (leaf) (leaf)))\n' >"$tmp/unshared.dump"
	if out=$("$chez" --script tests/graph-iso.ss "$tmp/shared.scm" "$tmp/unshared.dump" 2>&1); then
		echo "graph-iso.ss took ((leaf) (leaf) (leaf)) for (#0=(leaf) #0# #0#): $out"
		return 1
	fi
	grep -q "sharing differs" <<<"$out" || { echo "unexpected verdict: $out"; return 1; }
}
run chez_checker_rejects_different_sharing checker_sees_sharing

echo "SUMMARY test_roundtrip.sh $passed $failed"
[ "$failed" -eq 0 ]
