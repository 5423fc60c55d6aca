#!/usr/bin/env bash
# The Makefile and meson.build must build the same sources, and every C
# source in the tree must be built by them (no orphan file).
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
check() { # name, command...
	local name=$1
	shift
	if out=$("$@" 2>&1); then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name: $out"
	fi
}
# The Makefile's list, whoever runs this test: under `make -j2 test` this
# script inherits MAKEFLAGS (-j, the jobserver's file descriptors, w) and
# MAKELEVEL from the make above it, and a make started with them prints
# "Entering directory" lines and jobserver warnings into the list.  The list
# comes from a make that knows nothing of the caller's.
print_sources() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u GNUMAKEFLAGS \
		make -s --no-print-directory -f Makefile print-sources
}
make_list=$(print_sources | sort -u)
meson_list=$(grep -oE "'[A-Za-z0-9_./-]+\.cc?'" meson.build | tr -d "'" | sort -u)
tree_list=$(find core oracle strategies workloads driver tests bench lisp -name '*.c' -o -name '*.cc' 2>/dev/null | sort -u)
same_lists() {
	diff <(printf '%s\n' "$make_list") <(printf '%s\n' "$meson_list") >/dev/null ||
		{ echo "Makefile vs meson.build: $(diff <(printf '%s\n' "$make_list") <(printf '%s\n' "$meson_list") | grep '^[<>]' | tr '\n' ' ')"; return 1; }
}
no_orphans() {
	local missing
	missing=$(comm -23 <(printf '%s\n' "$tree_list") <(printf '%s\n' "$make_list" "$meson_list" | sort -u))
	[ -z "$missing" ] || { echo "not in the build lists: $(echo $missing)"; return 1; }
}
check makefile_and_meson_list_the_same_sources same_lists
# As if run by `make -j2 test` (a recursive make two levels down, with a jobserver
# whose descriptors this shell does not hold): the same list.
same_under_parallel_make() {
	local nested
	nested=$(MAKEFLAGS="w -j2 --jobserver-auth=3,4" MFLAGS="-w -j2" MAKELEVEL=2 print_sources 2>/dev/null | sort -u)
	[ "$nested" = "$make_list" ] ||
		{ echo "differs: $(diff <(printf '%s\n' "$make_list") <(printf '%s\n' "$nested") | grep '^[<>]' | tr '\n' ' ')"; return 1; }
}
check source_list_does_not_depend_on_how_make_was_run same_under_parallel_make
check every_source_file_is_built no_orphans
echo "SUMMARY test_sources.sh $passed $failed"
