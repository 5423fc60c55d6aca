#!/usr/bin/env bash
# Instructions per tether+untether pair, module and floor, from callgrind
# (reproducible where timings are not: a shared machine).
#   bench/tether_floor_ir.sh [GBENCH [FILTER [HARNESS]]]
# For each of ./gbench's tether-floor cases it prints:
#   bench    the inclusive instructions of the module's rounds and of the
#            floor's rounds (bench_tether_floor.c's module_round and
#            floor_round) over calls x 16384 pairs: both sides in the same
#            process, through the same loop configuration as the harness;
#   harness  the instructions per pair of the harness trial Table 5 publishes
#            (--threads=1 --writers=0 --slots=1 --read=0, the scheme's `loop`,
#            or rl_tether_loop_vtable with loop=vtable) over its pairs, and
#            that over the floor's bench figure.
# Without valgrind it says so and exits 0.
set -u
gbench=${1:-./gbench}
filter=${2:-tether-floor/}
harness=${3:-$(dirname "$gbench")/harness}
pairs=16384
hops=4194304 # >= 2^22: the harness samples one pair in 4096, as with --duration
command -v valgrind >/dev/null || { echo "tether_floor_ir: valgrind is not installed here: no instruction counts"; exit 0; }
[ -x "$gbench" ] || { echo "tether_floor_ir: $gbench is not built (make gbench)" >&2; exit 2; }
[ -x "$harness" ] || { echo "tether_floor_ir: $harness is not built (make harness)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The loop function each scheme's ops point at (its `.loop`), for the harness.
loop_of() {
	case $1 in
	*loop=vtable*) echo rl_tether_loop_vtable ;;
	tls*) echo tls_loop ;; ebr*) echo ebr_loop ;; hazard-asym*) echo hazard_asym_loop ;; hazard*) echo hazard_loop ;;
	ck-hp*) echo ckhp_loop ;; ck-epoch*) echo cke_loop ;;
	*) echo "${1//-/_}_loop" ;;
	esac
}
# Inclusive instructions of the named functions (clones such as NAME.isra.0
# included) over their calls x UNIT, from a callgrind output file.
per_call() {
	python3 "$(dirname "$0")/../scripts/lib/callgrind_calls.py" "$@"
}
"$gbench" --benchmark_list_tests=true --benchmark_filter="$filter" | grep '^tether-floor/' | while read -r name; do
	case=${name#tether-floor/}
	module=${case%%~*}
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$gbench" --benchmark_filter="^${name}\$" \
		--benchmark_min_time=0.01 >/dev/null 2>"$tmp/err" || { echo "$case: callgrind failed"; continue; }
	read -r m f <<<"$(per_call "$tmp/cg.out" "$pairs" module_round floor_round)"
	case $module in ebr:fence=sym | ck-*) h=nan ;; *)
		if valgrind --tool=callgrind --callgrind-out-file="$tmp/h.out" "$harness" --tether="$module" --threads=1 \
			--writers=0 --slots=1 --read=0 --ops=$hops --reps=1 >"$tmp/h.csv" 2>"$tmp/herr"; then
			h=$(per_call "$tmp/h.out" "$hops" "$(loop_of "$module")")
		else
			h=nan
		fi ;;
	esac
	python3 -c "
import sys
m, f, h = (float(x) for x in sys.argv[2:5])
hs = f'harness {h:6.2f} Ir/pair ({h / f:4.2f}x)' if h == h else 'harness      -'
print(f'{sys.argv[1]:34s} bench: module {m:6.2f} floor {f:6.2f} Ir/pair ({m / f:4.2f}x)   {hs}')
" "$case" "$m" "$f" "$h"
done
