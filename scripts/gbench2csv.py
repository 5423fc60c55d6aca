#!/usr/bin/python3
"""Turns Google Benchmark's JSON (./gbench --benchmark_format=json, or
--benchmark_out=F --benchmark_out_format=json) into rows of the common CSV
schema (kind=gbench), appended to an existing results CSV or a new one (under an
exclusive flock of the file, like the harness and scripts/sweep).

    scripts/gbench2csv.py results/gbench.json [--out=results/gbench.csv]

Google Benchmark's own CSV reporter is deprecated and does not parse as CSV,
hence JSON.  Provenance comes from the JSON context (the shim adds git_sha
and compiler) and /proc/cpuinfo of this machine, in the harness's format."""

import csv
import fcntl
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import rows as rl  # noqa: E402

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def fail(msg):
    print(f"gbench2csv: {msg}", file=sys.stderr)
    sys.exit(2)


def cpu_label(context):
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fp:
            for line in fp:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model} x{context.get('num_cpus', os.cpu_count())}"


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_doc(doc, src):
    """One line and exit 2 for anything convert() could not read."""
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        fail(f"{src}: not Google Benchmark JSON (no 'benchmarks' list)")
    if not isinstance(doc.get("context", {}), dict):
        fail(f"{src}: not Google Benchmark JSON ('context' is not an object)")
    for i, b in enumerate(doc["benchmarks"]):
        where = f"{src}: benchmarks[{i}]"
        if not isinstance(b, dict):
            fail(f"{where} is not an object")
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        if not isinstance(b.get("name"), str) or not b["name"]:
            fail(f"{where}: no 'name' string")
        if not is_number(b.get("real_time")) or b["real_time"] < 0:
            fail(f"{where} ({b['name']}): 'real_time' is not a number >= 0: {b.get('real_time')!r}")
        for key in ("iterations", "threads"):
            if key in b and (not is_number(b[key]) or b[key] < 0):
                fail(f"{where} ({b['name']}): '{key}' is not a number >= 0: {b[key]!r}")


def convert(doc, header):
    context = doc.get("context", {})
    out = []
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        unit = TO_NS.get(b.get("time_unit", "ns"))
        if unit is None:
            fail(f"benchmark {b.get('name')}: unknown time_unit {b.get('time_unit')!r} (valid: ns, us, ms, s)")
        row = dict.fromkeys(header, "")
        threads = b.get("threads", 1)
        m = re.search(r"threads:(\d+)", b.get("name", ""))
        if m:
            threads = int(m.group(1))
        ns = float(b["real_time"]) * unit
        row.update({
            "schema": "regionlab-3",
            "git_sha": context.get("git_sha", "unknown"),
            "compiler": context.get("compiler", "unknown"),
            "cpu": cpu_label(context),
            "date": context.get("date", ""),
            "kind": "gbench",
            "status": "ok",
            "benchmark": b["name"],
            "iterations": str(int(b.get("iterations", 0))),
            "threads": str(threads),
            "ns_per_op": f"{ns:.6g}",
            "ops_per_s": f"{threads * 1e9 / ns:.6g}" if ns > 0 else "",
        })
        # A counter named like a column fills it (copy-bound's memcpy_frac, bytes).
        for key, value in b.items():
            if key in header and not row[key] and isinstance(value, (int, float)) and not isinstance(value, bool):
                row[key] = str(int(value)) if float(value).is_integer() else f"{value:.6g}"
        out.append(row)
    return out


def main(argv):
    args = [a for a in argv if not a.startswith("--out=")]
    outs = [a[len("--out="):] for a in argv if a.startswith("--out=")]
    if len(args) != 1 or len(outs) > 1:
        fail("usage: scripts/gbench2csv.py GBENCH.json [--out=FILE.csv]")
    src = args[0]
    dst = outs[0] if outs else os.path.splitext(src)[0] + ".csv"
    try:
        with open(src, encoding="utf-8") as fp:
            doc = json.load(fp)
    except OSError as e:
        fail(f"cannot read {src}: {e.strerror}")
    except UnicodeDecodeError as e:
        fail(f"{src}: not Google Benchmark JSON (not UTF-8 text: byte {e.start})")
    except json.JSONDecodeError as e:
        fail(f"{src}:{e.lineno}:{e.colno}: not Google Benchmark JSON ({e.msg})")
    except RecursionError:
        fail(f"{src}: not Google Benchmark JSON (nested too deeply)")
    check_doc(doc, src)
    header = rl.schema_columns()
    new_rows = convert(doc, header)
    append_rows(dst, header, new_rows)
    print(f"gbench2csv: {len(new_rows)} rows -> {dst}", file=sys.stderr)


def append_rows(dst, header, new_rows):
    """Appends under an exclusive flock of dst, as the harness and the sweep do; the
    header only into an empty file; a file with another header or a truncated last
    row is refused before anything is written."""
    if os.path.isdir(dst):
        fail(f"cannot write {dst}: is a directory")
    try:
        fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o666)
    except OSError as e:
        fail(f"cannot write {dst}: {e.strerror}")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
        if size == 0:
            w.writeheader()
        else:
            first = os.pread(fd, 1 << 16, 0).split(b"\n", 1)[0].decode("utf-8", errors="replace")
            if next(csv.reader([first]), []) != header:
                fail(f"{dst} has another header (not this schema): write to a new file with --out")
            if os.pread(fd, 1, size - 1) != b"\n":
                fail(f"{dst} ends in a truncated row (its writer was killed mid-row): remove that last "
                     f"partial line or write to a new file with --out")
        w.writerows(new_rows)
        data = buf.getvalue().encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
    except OSError as e:
        fail(f"cannot write {dst}: {e.strerror}")
    finally:
        os.close(fd)


if __name__ == "__main__":
    main(sys.argv[1:])
