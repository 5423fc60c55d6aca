#!/usr/bin/env bash
# docs/adding-a-strategy.md cannot drift from the code: its code blocks are
# extracted, renamed (dfs -> dfs_doc) and applied to a copy of the tree as the
# doc tells a newcomer to (the file, the registry lines, the two build-list
# lines), the copy is built, and the contract suite is run on the new module
# alone (RL_CONTRACT_STRATEGY=dfs_doc).  Also: the file the doc shows is
# strategies/transmigrate/dfs.c byte for byte, and the registry and build
# lines it shows are the tree's.
#   BUILD=build bash tests/test_doc_strategy.sh
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
. tests/lib.sh # tmp, passed/failed, ok, not_ok, run
doc=docs/adding-a-strategy.md
case "$BUILD" in
*asan*) san=asan ;;
*tsan*) san=tsan ;;
*) san= ;;
esac

# Writes each fenced block of the doc to $tmp/blocks/<target>, where target
# is the last `backticked` path of the text line before the fence when that
# line ends with ':' (slashes as '%').  Blocks without such a line are ignored.
extract() {
	mkdir -p "$tmp/blocks"
	python3 - "$doc" "$tmp/blocks" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
target, block, last_text = None, None, ""
for line in lines:
    if block is not None:
        if line.startswith("```"):
            if target:
                open(sys.argv[2] + "/" + target.replace("/", "%"), "w").write("\n".join(block) + "\n")
            block = None
        else:
            block.append(line)
    elif line.startswith("```"):
        m = re.findall(r"`([A-Za-z0-9_./-]+)`", last_text) if last_text.rstrip().endswith(":") else []
        target, block = (m[-1] if m else None), []
    elif line.strip():
        last_text = line
EOF
}
block() { printf '%s' "$tmp/blocks/${1//\//%}"; }

have_blocks() {
	extract || return 1
	for t in strategies/transmigrate/dfs.c driver/registry.c Makefile meson.build; do
		[ -s "$(block "$t")" ] || { echo "the doc shows no code block for $t"; return 1; }
	done
}
run doc_has_the_file_registry_and_build_blocks have_blocks

file_is_the_code() {
	diff -u strategies/transmigrate/dfs.c "$(block strategies/transmigrate/dfs.c)" >/dev/null ||
		{ echo "the doc's dfs.c differs from strategies/transmigrate/dfs.c:"; diff -u strategies/transmigrate/dfs.c "$(block strategies/transmigrate/dfs.c)" | head -20; return 1; }
}
run doc_file_is_strategies_transmigrate_dfs_c file_is_the_code

lines_are_in_tree() {
	local t line
	for t in driver/registry.c Makefile meson.build; do
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			grep -qxF -- "$line" "$t" || { echo "$t has no line '$line' (the doc shows it)"; return 1; }
		done <"$(block "$t")"
	done
}
run doc_registry_and_build_lines_are_the_trees lines_are_in_tree

# ---- the doc's module, built under another name in a copy of the tree -------------
tree="$tmp/tree"
rename() { python3 -c 'import re, sys; sys.stdout.write(re.sub(r"(?<![A-Za-z0-9])dfs(?![A-Za-z0-9])", "dfs_doc", open(sys.argv[1]).read()))' "$1"; }

# Inserts the doc's lines into a copy of the tree: the file as it is; in the
# registry, each `extern` line after the last transmigrator declaration and
# each `&rl_tm_` line before the NULL that ends rl_transmigrators[]; in a
# build list, each line after the list's opening line (the block's first).
apply_doc() {
	mkdir -p "$tree"
	git ls-files -co --exclude-standard -z | xargs -0 cp -p --parents -t "$tree" 2>/dev/null
	[ -d "$BUILD" ] && cp -a "$BUILD" "$tree/"
	rename "$(block strategies/transmigrate/dfs.c)" >"$tree/strategies/transmigrate/dfs_doc.c"
	for t in driver/registry.c Makefile meson.build; do rename "$(block "$t")" >"$tmp/$(basename "$t").lines"; done
	python3 - "$tree" "$tmp" <<'EOF' || return 1
import sys
tree, tmp = sys.argv[1], sys.argv[2]
def lines(name):
    return [l for l in open(f"{tmp}/{name}.lines").read().split("\n") if l.strip()]
def patch(path, fn):
    text = open(f"{tree}/{path}").read().split("\n")
    open(f"{tree}/{path}", "w").write("\n".join(fn(text)))
def registry(text):
    ext = [l for l in lines("registry.c") if l.startswith("extern")]
    ent = [l for l in lines("registry.c") if l.strip().startswith("&rl_tm_")]
    assert ext and ent, "the registry block has no extern line or no &rl_tm_ entry"
    last = max(i for i, l in enumerate(text) if l.startswith("extern const struct rl_transmigrator "))
    text[last + 1:last + 1] = ext
    start = next(i for i, l in enumerate(text) if "rl_transmigrators[] = {" in l)
    end = next(i for i in range(start, len(text)) if text[i].strip() == "NULL,")
    text[end:end] = ent
    return text
def build_list(name):
    def fn(text):
        head, *rest = lines(name)
        at = text.index(head)
        text[at + 1:at + 1] = rest
        return text
    return fn
patch("driver/registry.c", registry)
patch("Makefile", build_list("Makefile"))
patch("meson.build", build_list("meson.build"))
EOF
}
run doc_snippets_apply_to_a_copy_of_the_tree apply_doc

builds() {
	(cd "$tree" && make -s -j2 SAN="$san" "$BUILD/tests/test_contract" "$BUILD/harness" 2>&1) >"$tmp/make.log" ||
		{ tail -n 20 "$tmp/make.log"; return 1; }
}
run doc_module_builds builds

listed() {
	"$tree/$BUILD/harness" --list | grep -q '^transmigrator dfs_doc ' || { echo "--list has no dfs_doc"; return 1; }
}
run doc_module_is_in_list listed

sources_ok() {
	local out
	out=$(cd "$tree" && bash tests/test_sources.sh 2>&1)
	printf '%s\n' "$out" | grep -q '^SUMMARY test_sources.sh [0-9]* 0$' || { printf '%s\n' "$out" | grep FAIL; return 1; }
}
run doc_build_lists_agree sources_ok

contract() {
	local out
	out=$(cd "$tree" && RL_CONTRACT_STRATEGY=dfs_doc timeout 300 "$BUILD/tests/test_contract" 2>&1) ||
		{ printf '%s\n' "$out" | grep -v '^ok' | head -20; return 1; }
	printf '%s\n' "$out" | grep -q '^SUMMARY test_contract [1-9][0-9]* 0$' || { printf '%s\n' "$out" | tail -5; return 1; }
}
run doc_module_passes_the_contract_suite contract

echo "SUMMARY test_doc_strategy.sh $passed $failed"
[ "$failed" -eq 0 ]
