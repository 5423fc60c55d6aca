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

# procs_with PATTERN: the live (not zombie) processes whose command line
# holds PATTERN, one pid a line (tests that kill a harness or a sweep).
procs_with() {
	/usr/bin/python3 -c '
import os, sys
pat, me = sys.argv[1].encode(), os.getpid()
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == me:
        continue
    try:
        cmd = open(f"/proc/{p}/cmdline", "rb").read()
        state = [l.split()[1] for l in open(f"/proc/{p}/status") if l.startswith("State:")][0]
    except (OSError, IndexError):
        continue
    if pat in cmd and state != "Z":
        print(p)' "$1"
}
