# Shared by the shell tests (tests/test_*.sh), sourced after they cd to the
# repository root: a scratch folder $tmp removed on exit, the pass/fail
# counts and the helpers that keep them.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() {
	passed=$((passed + 1))
	echo "ok   $1"
}
not_ok() { # name, why
	failed=$((failed + 1))
	echo "FAIL $1: $2"
}
# run NAME COMMAND...: a case passes when COMMAND succeeds; its output is the reason otherwise.
run() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
