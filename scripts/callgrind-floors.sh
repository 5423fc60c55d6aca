#!/usr/bin/env bash
# Instructions per object of every copying module and of its floor
# (bench/bench_copy_floor.c), and per tether+untether pair of every tether
# scheme and its floor (bench/bench_tether_floor.c), counted by callgrind:
# reproducible where timings are not (shared CPUs).  Each copy-floor
# benchmark runs once under callgrind at RL_FLOOR_OBJECTS objects (10^5 by
# default); the inclusive instruction counts of timed_module and timed_floor
# (one call each per iteration) over objects x iterations give the figures.
# Each tether-floor benchmark runs a few rounds; module_round and
# floor_round over rounds x 16384 pairs give its row (workload `pair`,
# objects = the pairs of one round; the per-object columns are per pair).
#   scripts/callgrind-floors.sh [--out=results/callgrind-floors.csv] [--filter=REGEX]
# Writes the CSV that scripts/paper.py reads for its distance-to-floor
# table.  Where valgrind is missing it says so on stderr and exits 0,
# writing nothing.
set -u
cd "$(dirname "$0")/.."
out=results/callgrind-floors.csv
filter='(copy|tether)-floor/'
for a in "$@"; do
	case "$a" in
	--out=*) out=${a#--out=} ;;
	--filter=*) filter=${a#--filter=} ;;
	-h | --help)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "callgrind-floors: unknown argument '$a' (valid: --out=FILE, --filter=REGEX)" >&2
		exit 2
		;;
	esac
done
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
	echo "callgrind-floors: valgrind (callgrind) is not installed here: no instruction counts measured" >&2
	exit 0
fi
outdir=$(dirname "$out")
if [ ! -d "$outdir" ] || [ ! -w "$outdir" ]; then
	echo "callgrind-floors: cannot write $out (no writable directory $outdir)" >&2
	exit 2
fi
make -s -j2 gbench >/dev/null || exit 1
objects=${RL_FLOOR_OBJECTS:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=$(./build/gbench --benchmark_list_tests --benchmark_filter="$filter" | grep -E '^(copy|tether)-floor/')
[ -n "$names" ] || { echo "callgrind-floors: no copy-floor or tether-floor benchmark matches '$filter'" >&2; exit 2; }
sha=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
vg=$(valgrind --version)
echo "module,floor,workload,objects,module_ir_per_obj,floor_ir_per_obj,ratio,tool,git_sha,date" >"$tmp/out.csv"
tether_pairs=16384 # PAIRS of bench/bench_tether_floor.c
for name in $names; do
	case $name in tether-floor/*)
		c=${name#tether-floor/}
		echo "callgrind-floors: $name" >&2
		if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" ./build/gbench \
			--benchmark_filter="^$name\$" --benchmark_min_time=0.01 >/dev/null 2>"$tmp/vg.log"; then
			echo "callgrind-floors: $name failed under valgrind (see its log below)" >&2
			tail -n 5 "$tmp/vg.log" >&2
			continue
		fi
		read -r mo fl <<<"$(python3 scripts/lib/callgrind_calls.py "$tmp/cg.out" "$tether_pairs" module_round floor_round)"
		if [ -z "$mo" ] || [ -z "$fl" ] || [ "$mo" = nan ] || [ "$fl" = nan ]; then
			echo "callgrind-floors: $c: no counts found" >&2
			continue
		fi
		ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$mo" "$fl")
		echo "${c%%~*},${c##*~},pair,$tether_pairs,$mo,$fl,$ratio,$vg,$sha,$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$tmp/out.csv"
		continue ;;
	esac
	IFS=/ read -r _ module floor workload <<<"$name"
	echo "callgrind-floors: $name ($objects objects)" >&2
	if ! RL_FLOOR_OBJECTS=$objects valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
		./build/gbench --benchmark_filter="^$name\$" --benchmark_min_time=0.000001 \
		--benchmark_format=json >"$tmp/run.json" 2>"$tmp/vg.log"; then
		echo "callgrind-floors: $name failed under valgrind (see its log below)" >&2
		tail -n 5 "$tmp/vg.log" >&2
		continue
	fi
	callgrind_annotate --inclusive=yes "$tmp/cg.out" >"$tmp/ann.txt" 2>/dev/null
	python3 - "$tmp/run.json" "$tmp/ann.txt" "$module" "$floor" "$workload" "$objects" "$vg" "$sha" >>"$tmp/out.csv" <<'EOF'
import datetime, json, re, sys
run, ann, module, floor, workload, objects, tool, sha = sys.argv[1:9]
b = [x for x in json.load(open(run))["benchmarks"] if x.get("run_type", "iteration") == "iteration"]
if not b or b[0].get("error_occurred"):
    sys.stderr.write(f"callgrind-floors: {module}/{floor}/{workload} skipped: "
                     f"{b[0].get('error_message', 'no result') if b else 'no result'}\n")
    sys.exit(0)
reps = int(b[0].get("reps", 0))
ir = {}
for line in open(ann):
    m = re.match(r"\s*([\d,]+)\s.*:(timed_module|timed_floor)\b", line)
    if m:
        ir[m.group(2)] = int(m.group(1).replace(",", ""))
if reps == 0 or len(ir) != 2:
    sys.stderr.write(f"callgrind-floors: {module}/{floor}/{workload}: no counts found\n")
    sys.exit(0)
per = lambda k: ir[k] / (reps * int(objects))
print(f"{module},{floor},{workload},{objects},{per('timed_module'):.1f},{per('timed_floor'):.1f},"
      f"{per('timed_module') / per('timed_floor'):.3f},{tool},{sha},"
      f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}")
EOF
done
mv "$tmp/out.csv" "$out"
echo "callgrind-floors: wrote $out" >&2
