#!/usr/bin/env bash
# docs/tethering.md's worked example is the registered scheme: the C block
# after the marker line is strategies/tether/mutex.c verbatim, and the scheme
# it defines is in `./harness --list`.  The doc cannot drift from the code.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
doc=docs/tethering.md src=strategies/tether/mutex.c
harness=${BUILD:-build}/harness
# The first ```c block after the marker that names the file.
awk -v src="$src" '
	index($0, "<!-- The block below is " src " verbatim") { armed = 1; next }
	armed && /^```c$/ { inside = 1; next }
	inside && /^```$/ { exit }
	inside { print }
' "$doc" >"$tmp/quoted.c"
quoted_is_the_source() {
	[ -s "$tmp/quoted.c" ] || { echo "no quoted block for $src in $doc"; return 1; }
	diff -u "$src" "$tmp/quoted.c" | head -20
	cmp -s "$src" "$tmp/quoted.c"
}
run doc_quotes_mutex_c_verbatim quoted_is_the_source
example_is_registered() {
	[ -x "$harness" ] || { echo "$harness not built"; return 1; }
	"$harness" --list | grep -q '^tether mutex ' || { echo "mutex is not in $harness --list"; return 1; }
}
run doc_example_is_registered example_is_registered
echo "SUMMARY test_tether_doc $passed $failed"
[ "$failed" -eq 0 ]
