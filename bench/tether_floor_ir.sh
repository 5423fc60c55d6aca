#!/usr/bin/env bash
# Instructions per tether+untether pair, module and floor, from callgrind:
# runs ./gbench's tether-floor benchmarks under callgrind and divides the
# inclusive instructions of each side's reader loop (MODULE_loop, and the
# floor's floor_*_loop) by its pairs (calls x 16384, bench_tether_floor.c's
# PAIRS).  Reproducible where timings are not (a shared machine).
#   bench/tether_floor_ir.sh [GBENCH [FILTER]]
# Prints one line per case: case, module Ir/pair, floor Ir/pair, ratio.
# Without valgrind it says so and exits 0.
set -u
gbench=${1:-./gbench}
filter=${2:-tether-floor/}
pairs=16384
command -v valgrind >/dev/null || { echo "tether_floor_ir: valgrind is not installed here: no instruction counts"; exit 0; }
[ -x "$gbench" ] || { echo "tether_floor_ir: $gbench is not built (make gbench)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The loop function each scheme's ops point at (its `.loop`).
loop_of() {
	case $1 in
	tls) echo tls_loop ;; ebr*) echo ebr_loop ;; hazard) echo hazard_loop ;; hazard-asym) echo hazard_asym_loop ;;
	ck-hp) echo ckhp_loop ;; ck-epoch) echo cke_loop ;; floor-*) echo "floor_$(echo "${1#floor-}" | tr - _)_loop" ;;
	*) echo "${1//-/_}_loop" ;;
	esac
}
"$gbench" --benchmark_list_tests=true --benchmark_filter="$filter" | grep '^tether-floor/' | while read -r name; do
	case=${name#tether-floor/}
	module=${case%%~*} floor=${case##*~}
	out=$tmp/cg.out
	valgrind --tool=callgrind --callgrind-out-file="$out" "$gbench" --benchmark_filter="^${name}\$" \
		--benchmark_min_time=0.01 >/dev/null 2>"$tmp/err" || { echo "$case: callgrind failed"; continue; }
	python3 - "$out" "$(loop_of "${module%%:*}")" "$(loop_of "$floor")" "$pairs" "$case" <<'PY'
import re, sys
path, mfn, ffn, pairs, case = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
names, calls, incl = {}, {}, {}
target, pending = None, None
for line in open(path):
    m = re.match(r'(c?)fn=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(3):
            names[m.group(2)] = m.group(3).strip()
        if m.group(1):
            target = names.get(m.group(2))
        continue
    m = re.match(r'calls=(\d+)', line)
    if m:
        pending = (target, int(m.group(1)))
        continue
    if pending is not None:
        fields = line.split()
        fn, n = pending
        calls[fn] = calls.get(fn, 0) + n
        incl[fn] = incl.get(fn, 0) + int(fields[1])
        pending = None
def per_pair(fn):
    hits = [k for k in calls if k is not None and (k == fn or k.startswith(fn + "'"))]
    c = sum(calls[k] for k in hits); i = sum(incl[k] for k in hits)
    return i / (c * pairs) if c else float('nan')
m, f = per_pair(mfn), per_pair(ffn)
print(f"{case:32s} module {m:6.2f} Ir/pair  floor {f:6.2f} Ir/pair  ratio {m / f:5.2f}")
PY
done
