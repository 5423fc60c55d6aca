#!/usr/bin/python3
"""Turns Google Benchmark's JSON (./gbench --benchmark_format=json, or
--benchmark_out=F --benchmark_out_format=json) into rows of the common CSV
schema (kind=gbench), appended to an existing results CSV or a new one.

    scripts/gbench2csv.py results/gbench.json [--out=results/gbench.csv]

Google Benchmark's own CSV reporter is deprecated and does not parse as CSV,
hence JSON.  Provenance comes from the JSON context (the shim adds git_sha
and compiler) and /proc/cpuinfo of this machine, in the harness's format."""

import csv
import json
import os
import re
import sys
import tempfile

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
            "schema": "regionlab-1",
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
    except json.JSONDecodeError as e:
        fail(f"{src}:{e.lineno}:{e.colno}: not Google Benchmark JSON ({e.msg})")
    if not isinstance(doc, dict) or "benchmarks" not in doc:
        fail(f"{src}: not Google Benchmark JSON (no 'benchmarks' list)")
    header = rl.schema_columns()
    new_rows = convert(doc, header)
    existing = []
    if os.path.exists(dst) and os.path.getsize(dst) > 0:
        with open(dst, newline="", encoding="utf-8") as fp:
            first = next(csv.reader(fp), [])
        if first != header:
            fail(f"{dst} has another header (not this schema): write to a new file with --out")
        with open(dst, encoding="utf-8") as fp:
            existing = fp.read()
    directory = os.path.dirname(os.path.abspath(dst))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    except OSError as e:
        fail(f"cannot write {dst}: {e.strerror}")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fp:
        if existing:
            fp.write(existing)
        w = csv.DictWriter(fp, fieldnames=header, lineterminator="\n")
        if not existing:
            w.writeheader()
        w.writerows(new_rows)
    os.replace(tmp, dst)
    print(f"gbench2csv: {len(new_rows)} rows -> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
