#!/usr/bin/env bash
# False sharing, seen by the hardware: records cache-to-cache transfers of
# modified lines (HITM) with `perf c2c` for --layout=packed and padded, and
# prints the HITM totals of each beside the throughput rows.
#
#   scripts/perf-c2c.sh [SCHEME] [THREADS]     (default: atomic 2)
#   HARNESS=path OUT=dir scripts/perf-c2c.sh    (default ./harness, a temp dir)
#
# packed puts the counters of neighbouring regions in one cache line, padded
# gives each its own (docs/tethering.md); readers pick among 8 slots, so with
# packed every tether of any slot moves the same line between cores.
#
# perf c2c needs memory-sampling events (Intel PEBS load latency, AMD IBS).
# Where perf has none (virtual machines, as here), this says so in one line
# and exits 0: the throughput ratio of the two layouts in one harness run is
# then the measure (`./harness --tether=atomic --layout=packed` vs padded).
set -u
usage="usage: scripts/perf-c2c.sh [SCHEME] [THREADS]"
[ $# -le 2 ] || { echo "perf-c2c: too many arguments; $usage" >&2; exit 2; }
scheme=${1:-atomic}
threads=${2:-2}
harness=${HARNESS:-./harness}
[[ "$scheme" =~ ^[a-z][a-z0-9-]*$ ]] || { echo "perf-c2c: '$scheme' is not a tether scheme name (see ./harness --list); $usage" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "perf-c2c: THREADS=$threads: expected an integer in [1, 4096]; $usage" >&2; exit 2; }
cd "$(dirname "$0")/.."

if ! command -v perf >/dev/null 2>&1; then
	echo "perf-c2c: perf is not installed: no HITM counts recorded"
	exit 0
fi
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
if ! probe=$(perf c2c record -o "$out/probe.data" -- true 2>&1) || [ ! -s "$out/probe.data" ]; then
	why=$(printf '%s\n' "$probe" | grep -m1 -i -E 'not supported|error|fail' || true)
	echo "perf-c2c: perf c2c cannot record memory events on this machine${why:+ ($why)}: no HITM counts recorded"
	rm -f "$out/probe.data"
	[ -n "${OUT:-}" ] || rmdir "$out" 2>/dev/null
	exit 0
fi
rm -f "$out/probe.data"
if [ ! -x "$harness" ]; then
	echo "perf-c2c: $harness not found (run make first)" >&2
	exit 2
fi

for layout in packed padded; do
	perf c2c record -o "$out/$layout.data" -- \
		"$harness" --tether="$scheme" --threads="$threads" --writers=0 --slots=8 --read=0 \
		--duration=1 --layout="$layout" --out="$out/$layout.csv" >/dev/null 2>"$out/$layout.err" || {
		echo "perf-c2c: recording $layout failed (see $out/$layout.err)" >&2
		exit 1
	}
	perf c2c report -i "$out/$layout.data" --stdio >"$out/$layout.report" 2>/dev/null
	hitm=$(grep -m1 -E 'Load HITM' "$out/$layout.report" | awk '{print $NF}')
	ns=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[-1]["ns_per_op"])' \
		"$out/$layout.csv")
	echo "perf-c2c: $scheme threads=$threads layout=$layout load_hitm=${hitm:-?} ns_per_op=$ns ($out/$layout.report)"
done
