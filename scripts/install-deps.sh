#!/usr/bin/env bash
# Installs the Debian packages regionlab needs, only those that are missing.
# Run as root on Debian 12 (make does this for you before building).
set -eu
[ $# -eq 0 ] || { echo "install-deps: takes no arguments (usage: scripts/install-deps.sh)" >&2; exit 2; }
packages=(gcc g++ make git pkg-config uthash-dev libbenchmark-dev liburcu-dev libck-dev libjemalloc-dev
	meson ninja-build gnuplot-nox python3-matplotlib
	clang libclang-rt-14-dev chezscheme) # tests/test_fuzz.sh (libFuzzer), tests/test_roundtrip.sh
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
	exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
