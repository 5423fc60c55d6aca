#!/usr/bin/env bash
# Runs each libFuzzer target (built by `make SAN=fuzz fuzz-targets`) for a
# given time and says what it found.
#   fuzz/run.sh SECONDS [TARGET...]     TARGET: json sexp transmigrate (default: all)
#   FUZZ_SCRATCH=1                      start from the committed seeds only, in a
#                                       temporary corpus (what CI does); else new
#                                       inputs accumulate in build-fuzz/corpus/TARGET
# Seeds: fuzz/corpus/TARGET (committed, never written); dictionaries: fuzz/TARGET.dict.
# A finding (crash, sanitizer report, leak, oracle verdict, timeout, memory
# over 2 GiB) is saved as build-fuzz/findings/TARGET-*; reproduce it with
#   build-fuzz/fuzz/fuzz_TARGET build-fuzz/findings/TARGET-...
# One line per target: runs, executions per second, coverage, corpus, findings.
# Exit status: 0 with no finding, 1 with one, 2 for bad input.
set -u
cd "$(dirname "$0")/.."
seconds=${1:-}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz/run.sh: SECONDS must be a positive integer, got '${seconds}'" >&2; exit 2; }
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json sexp transmigrate)
for t in "${targets[@]}"; do
	case "$t" in json | sexp | transmigrate) ;;
	*) echo "fuzz/run.sh: unknown target '$t' (valid: json sexp transmigrate)" >&2; exit 2 ;;
	esac
	[ -x "build-fuzz/fuzz/fuzz_$t" ] || { echo "fuzz/run.sh: no build-fuzz/fuzz/fuzz_$t: run make SAN=fuzz fuzz-targets" >&2; exit 2; }
done
mkdir -p build-fuzz/findings
scratch=
if [ -n "${FUZZ_SCRATCH:-}" ]; then
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/regionlab-fuzz-XXXXXX") || exit 1
	trap 'rm -rf "$scratch"' EXIT
fi
found=0
for t in "${targets[@]}"; do
	work=${scratch:-build-fuzz/corpus}/$t
	mkdir -p "$work"
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	log=build-fuzz/fuzz_$t${scratch:+.scratch}.log # a CI run beside a long one keeps to its own log
	before=$(ls build-fuzz/findings | grep -c "^$t-")
	# -timeout: one input may take 10 s (ASan, every strategy); -rss_limit_mb
	# keeps a run far from the OOM killer on a shared machine.
	nice "build-fuzz/fuzz/fuzz_$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="build-fuzz/findings/$t-" "$work" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	after=$(ls build-fuzz/findings | grep -c "^$t-")
	runs=$(grep -aoE 'stat::number_of_executed_units: +[0-9]+' "$log" | grep -oE '[0-9]+$')
	speed=$(grep -aoE 'stat::average_exec_per_sec: +[0-9]+' "$log" | grep -oE '[0-9]+$')
	cov=$(grep -aoE '(DONE|pulse|NEW|REDUCE|INITED) +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 |
		sed -E 's/^[A-Z]+ +//')
	if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
		found=1
		echo "fuzz_$t: FINDING after ${runs:-?} runs (exit $rc): $(grep -a -m1 -E 'ERROR|runtime error|fuzz[_a-z]*: ' "$log")"
		ls -t build-fuzz/findings | grep "^$t-" | head -n 1 | sed 's|^|  saved: build-fuzz/findings/|'
	else
		echo "fuzz_$t: ${runs:-?} runs in ${seconds} s (${speed:-?}/s), ${cov:-no coverage line}, no finding (log: $log)"
	fi
done
exit "$found"
