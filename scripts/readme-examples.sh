#!/usr/bin/env bash
# Rewrites the terminal examples in README.md ("Using it") with what ./harness
# prints now: each command runs on a pseudo-terminal (script(1)), so the
# output is the table a person sees, and replaces the block between the
# markers.  NO_COLOR is set and stderr (the progress line) is left out.
#   scripts/readme-examples.sh [README]      (default: README.md; run `make` first)
# HARNESS=PATH runs that binary instead of ./harness (the README still shows
# ./harness): the tests use the build they test.
set -eu
cd "$(dirname "$0")/.."
readme=${1:-README.md}
begin='<!-- readme-examples: begin (scripts/readme-examples.sh writes this block) -->'
end='<!-- readme-examples: end -->'

commands=(
	"./harness --strategy=bitmap,cheney,splice --workload=tree --size=100000 --reps=3"
	"./harness --tether=atomic,ebr,urcu-qsbr --threads=1,2 --duration=0.2 --reps=3"
)

harness=${HARNESS:-./harness}
[ -x "$harness" ] || { echo "readme-examples: no $harness (run make first)" >&2; exit 2; }
command -v script >/dev/null || { echo "readme-examples: script(1) is missing (util-linux)" >&2; exit 2; }
[ -f "$readme" ] || { echo "readme-examples: no $readme" >&2; exit 2; }
if [ "$(grep -cxF "$begin" "$readme")" -ne 1 ] || [ "$(grep -cxF "$end" "$readme")" -ne 1 ]; then
	echo "readme-examples: $readme needs one line '$begin' and one '$end'" >&2
	exit 2
fi

block=$(mktemp)
trap 'rm -f "$block" "$block.new"' EXIT
for cmd in "${commands[@]}"; do
	printf '```console\n$ %s\n' "$cmd" >>"$block"
	NO_COLOR=1 script -qec "$harness ${cmd#./harness } 2>/dev/null" /dev/null </dev/null | sed 's/\r$//' >>"$block"
	printf '```\n' >>"$block"
done

# Everything before the begin marker, the markers around the new block, and
# everything after the end marker.
awk -v begin="$begin" -v end="$end" -v block="$block" '
	$0 == begin { print; while ((getline line < block) > 0) print line; skip = 1; next }
	$0 == end { skip = 0 }
	!skip { print }
' "$readme" >"$block.new"
cat "$block.new" >"$readme"
echo "readme-examples: rewrote the examples in $readme" >&2
