#!/usr/bin/env python3
"""Inclusive instructions per call of named functions, from a callgrind output file.

One parser for scripts/callgrind-floors.sh and bench/tether_floor_ir.sh.  Callgrind
writes, for each call site, a `cfn=(id) name` line, then `calls=N ...`, then a cost
line whose second field is the inclusive instruction count of those N calls; a
function's clones (NAME.isra.0, NAME'2) count as the function.

  callgrind_calls.py FILE UNIT FN...   prints, per FN, inclusive Ir / (calls x UNIT)
                                       with two decimals, or nan when FN was never called
"""
import re
import sys


def inclusive_by_callee(path):
    """{function name: (calls, inclusive instructions)} over every call site in the file."""
    names, totals = {}, {}
    target, pending = None, None
    for line in open(path):
        m = re.match(r'(c?)fn=\((\d+)\)(?: (.*))?', line)
        if m:
            if m.group(3):
                names[m.group(2)] = m.group(3).strip()
            if m.group(1):
                target = names.get(m.group(2))
            continue
        m = re.match(r'calls=(\d+)', line)
        if m:
            pending = (target, int(m.group(1)))
            continue
        if pending is not None:
            fn, n = pending
            c, i = totals.get(fn, (0, 0))
            totals[fn] = (c + n, i + int(line.split()[1]))
            pending = None
    return totals


def per_call(totals, fn, unit):
    """Inclusive instructions of FN and its clones per call and per UNIT, or None when never called."""
    hits = [k for k in totals if k is not None and re.fullmatch(re.escape(fn) + r"([.'].*)?", k)]
    calls = sum(totals[k][0] for k in hits)
    return sum(totals[k][1] for k in hits) / (calls * unit) if calls else None


def main(argv):
    path, unit, fns = argv[1], int(argv[2]), argv[3:]
    totals = inclusive_by_callee(path)
    print(" ".join(f"{v:.2f}" if v is not None else "nan" for v in (per_call(totals, fn, unit) for fn in fns)))


if __name__ == "__main__":
    main(sys.argv)
