#!/usr/bin/python3
"""Synthetic regionlab rows, for testing the scripts without running anything.

    synth.py csv OUT.csv        a CSV with rows for every figure and table
    synth.py harness ARGS...    behaves like ./harness for scripts/sweep: --list,
                                and one row per rep into --out (made-up numbers)

The header comes from driver/columns.def, the one schema.  The numbers are
invented to have the right shapes (per-object costs, contention, a growing
EBR backlog); they say nothing about the real strategies."""

import csv
import math
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rows import placer_garbage, schema_columns, split_spec  # noqa: E402

STRATEGIES = {  # base ns/object, shuffled penalty, extra bytes/object, mallocs/object
    "naive": (60, 4.0, 40, 1.0), "bitmap": (14, 3.0, 1, 0), "cheney": (9, 5.0, 0, 0),
    "proxy": (18, 3.0, 2, 0), "splice": (11, 2.5, 1, 0), "promote": (0.01, 1.0, 0, 0),
    "adaptive": (10, 3.0, 1, 0), "relocate": (4, 1.5, 0, 0), "linear": (0.01, 1.0, 0, 0),
}
KNOWS = ("nothing", "dense", "home", "sole")  # issue 15's classes: rows of their own (knows_rows)
ADOPTS_SRC = ("linear", "promote")  # legal only in class sole
TETHERS = {  # 1-thread ns, contention growth per extra thread, bounded?
    "atomic": (9.0, 40.0, True), "tls": (0.8, 0.0, True), "hazard": (1.2, 0.05, True),
    "ebr": (2.0, 0.1, False), "hybrid": (0.9, 0.02, False),
    "urcu-qsbr": (0.3, 0.0, False), "urcu-memb": (0.9, 0.01, False),
    "ck-epoch": (9.3, 0.1, False), "ck-hp": (6.4, 0.05, True),
}
WORKLOADS = ["list", "tree", "mixed"]
PROGRAMS = ["nqueens", "msort"]
STALLED = ("atomic", "tls", "hazard", "ebr", "ck-hp", "ck-epoch")
CPU = "Synthetic CPU @ 2.0GHz x2"


def base_row(cols, kind):
    r = {c: "" for c in cols}
    r.update(schema="regionlab-3", git_sha="0123456789ab-dirty", compiler="gcc 12.2.0 (synthetic)", cpu=CPU,
             date="2024-01-01T00:00:00Z", kind=kind, status="ok")
    return r


def tm_row(cols, strategy, workload, size, rep, seed, block=65536):
    name, _ = split_spec(strategy)
    wname, wopts = split_spec(workload)
    layout = wopts.get("layout", "alloc")
    garbage = placer_garbage(wopts) or 0.0
    rnd = random.Random(f"{strategy}|{workload}|{size}|{rep}")
    base, shuf, extra, mallocs = STRATEGIES.get(name, (20, 3.0, 1, 0))
    live = 1.0 / (1.0 + garbage)
    per = base * (shuf if layout == "shuffled" else 1.0) * (1 + 0.25 * math.log10(max(size, 10) / 1000 + 1))
    per *= 1 + 0.05 * rnd.random()
    if name == "splice":
        per *= 0.15 + 1.2 * (1 - live)  # cheap when dense
    if name in ("promote", "linear"):
        per = 2000.0 / size
    knows = wopts.get("knows", "")
    if knows == "home" and name in ("splice", "adaptive"):
        per = 300.0 / size  # the clean home sub-region is adopted whole: O(1)
    if knows == "dense" and name == "adaptive":
        per = STRATEGIES["relocate"][0] * 1.03  # it relocates
    if knows == "sole" and name == "adaptive":
        per = 2100.0 / size  # it adopts
    if name == "adaptive":
        per *= 1.05 if wname != "mixed" else 0.7
    if wname == "mixed" and name not in ("adaptive", "promote"):
        per *= 1.3
    objects = size
    nbytes = 32 * size
    ns_total = max(int(per * objects), 50)
    memcpy_ns = int(nbytes / 8.0) + 20
    r = base_row(cols, "transmigrate")
    r.update(strategy=strategy, workload=workload, size=size, layout=layout, garbage=f"{garbage:.6g}", block=block,
             rep=rep, seed=seed + rep, objects=objects, bytes=nbytes, ns_total=ns_total,
             ns_per_obj=f"{ns_total / objects:.6g}", mb_per_s=f"{nbytes / ns_total * 1e9 / 2**20:.6g}",
             memcpy_ns=memcpy_ns, memcpy_frac=f"{memcpy_ns / ns_total:.6g}", memcpy_best3_ns=memcpy_ns // 4,
             extra_bytes=int(extra * size), mallocs=int(mallocs * size), blocks_new=nbytes // block + 1,
             src_bytes=int(nbytes * (1 + garbage)), allocator="system")
    if name == "bitmap":  # the strategy that times its phases
        r.update(setup_ns=ns_total // 20, restore_ns=ns_total // 5)
    spliced = 0
    garbage_bytes = 0
    if name == "splice":
        spliced = int(nbytes * (1 if live >= 0.7 else live))
        garbage_bytes = int(nbytes * garbage) if live >= 0.7 else 0
    if name == "promote":
        spliced = int(nbytes * (1 + garbage))
        garbage_bytes = int(nbytes * garbage)
    r.update(bytes_spliced=spliced, bytes_copied=nbytes - min(spliced, nbytes), garbage_bytes=garbage_bytes)
    if name == "proxy":
        r.update(pause_ns=int(300 + 20 * math.log2(size)), barrier_overhead=f"{0.08 + 0.02 * rnd.random():.4g}",
                 free_latency_ns=int(ns_total * 1.1))
    else:
        r.update(pause_ns=ns_total)
    if name == "adaptive":
        r["decision"] = "bitmap" if size < 100 else ("proxy" if size < 2000 else "splice")
        r["decision"] = {"dense": "relocate", "home": "home", "sole": "linear"}.get(knows, r["decision"])
        r["decide_ns"] = 40 if knows == "nothing" else ""  # knowledge paths read no clock
    if knows:
        r["knows"] = knows
    if name == "naive" and wname == "list" and size >= 100000:
        r.update(status="stack_overflow", ns_total="", ns_per_obj="", mb_per_s="", memcpy_frac="")
    return r


def tether_row(cols, tether, threads, rep, seed, layout="padded", stall_ms=0, read=0, writers=1, slots=16):
    name, _ = split_spec(tether)
    rnd = random.Random(f"{tether}|{threads}|{rep}|{layout}|{stall_ms}")
    one, growth, bounded = TETHERS.get(name, (5.0, 1.0, True))
    ns = one + growth * (threads - 1) * (1.0 if threads <= 2 else 1.2)
    if layout == "packed" and name == "atomic":
        ns *= 1 + 7.5 * (threads > 1)
    ns = (ns + read * 2.0) * (1 + 0.03 * rnd.random())
    dur = 1.0
    ops = int(threads * dur * 1e9 / ns)
    retired = 10000
    peak = 40 if bounded else (40 + stall_ms * 90)
    r = base_row(cols, "tether")
    r.update(tether=tether, threads=threads, writers=writers, read=read, slots=slots, layout=layout,
             stall_ms=stall_ms, rep=rep, seed=seed + rep, ops=ops, ns_per_op=f"{ns:.6g}",
             ops_per_s=f"{ops / dur:.6g}", p50_ns=f"{ns * 0.9:.6g}", p99_ns=f"{ns * 4:.6g}", retired=retired,
             reclaimed=retired, peak_unreclaimed=peak, peak_unreclaimed_bytes=peak * 4096,
             reclaim_latency_ns=f"{(stall_ms * 1e6 if not bounded else 2e4) + 5e4:.6g}", peak_rss_kb=20000 + peak * 4)
    # the same round's yardsticks (driver/tether_run.c): the empty loop and urcu-qsbr
    q = TETHERS.get("urcu-qsbr", (1.0,))[0]
    r.update(empty_ns=f"{0.8 * (1 + 0.03 * rnd.random()):.6g}",
             qsbr_ns=f"{ns if name == 'urcu-qsbr' else q * (1 + 0.03 * rnd.random()):.6g}")
    return r


SERIES_HEADER = "tether,threads,writers,stall_ms,layout,rep,t_ms,unreclaimed,unreclaimed_bytes,retired,reclaimed"


def series_lines(tether, threads, stall_ms, rep, duration_s=1.0):
    """Unreclaimed regions over time, in the tether runner's series=FILE format."""
    name, _ = split_spec(tether)
    bounded = TETHERS.get(name, (0, 0, True))[2]
    out = []
    for i in range(11):
        t = duration_s * 1000 * i / 10
        u = 30 + (i % 3) * 5 if bounded or not stall_ms else int(30 + t * 9 * stall_ms / 100)
        out.append(f"{name},{threads},1,{stall_ms},padded,{rep},{t:.3f},{u},{u * 4096},{int(t * 10)},{int(t * 10) - u}")
    return out


def write_csv(path, rows, cols):
    with open(path, "w", newline="") as fp:
        w = csv.writer(fp, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])


def synthetic_rows(cols):
    rows = []
    for wl in WORKLOADS:
        for layout in ("alloc", "shuffled"):
            for size in (1000, 10000, 100000, 1000000):
                for st in STRATEGIES:
                    for rep in range(3):
                        rows.append(tm_row(cols, st, f"{wl}:layout={layout}", size, rep, 1))
    for live in (1, 0.8, 0.5, 0.25):
        for st in STRATEGIES:
            for rep in range(3):
                rows.append(tm_row(cols, st, f"list:live={live:g}", 100000, rep, 1))
    for wl in ("list", "tree"):  # figure 9 and table 7's classes
        for knows in KNOWS:
            garbage = ",garbage=1" if knows == "home" else ""
            for size in (1000, 100000):
                for st in STRATEGIES:
                    if st in ADOPTS_SRC and knows != "sole":
                        continue
                    for rep in range(3):
                        rows.append(tm_row(cols, st, f"{wl}:knows={knows}{garbage}", size, rep, 1))
    for te in TETHERS:
        for t in (1, 2, 4, 8):
            for rep in range(2):
                rows.append(tether_row(cols, te, t, rep, 1))
    for te in STALLED:
        for stall in (10, 50, 100):
            rows.append(tether_row(cols, te, 2, 0, 1, stall_ms=stall))
    for t in (1, 2, 4):
        for lay in ("packed", "padded"):
            for rep in range(2):
                rows.append(tether_row(cols, "atomic", t, rep, 1, layout=lay))
    for prog in PROGRAMS:
        for regions in ("call", "none"):
            for st in (STRATEGIES if regions == "call" else ["bitmap"]):
                for rep in range(3):
                    rows.append(program_row(cols, st, prog, regions, rep))
    return rows


def program_row(cols, strategy, prog, regions, rep):
    """A program trial (driver/program_run.c): one region per call, or one region."""
    rnd = random.Random(f"{strategy}|{prog}|{regions}|{rep}")
    escapes = 0 if regions == "none" else 4000
    tm_ns = 0 if regions == "none" else int(STRATEGIES.get(strategy, (20,))[0] * 1e5 * (1 + 0.05 * rnd.random()))
    program_ns = int(5e7 * (1 + 0.05 * rnd.random())) + tm_ns
    r = tm_row(cols, strategy, f"program:name={prog},size=100" + (",regions=none" if regions == "none" else ""),
               1, rep, 1, 4096)
    r.update(objects=10 * escapes, bytes=240 * escapes, ns_total=program_ns, program_ns=program_ns, tm_ns=tm_ns,
             escapes=escapes, barrier_moves=escapes // 10, answer_ok=1, ns_per_obj="", mb_per_s="")
    return r


def escape_lines(prog):
    """The escape series of one bitmap run of a program: (kind, objects, bytes, count, ns)."""
    return [f"\"program:name={prog},size=100\",bitmap,0,{kind},{n},{24 * n},{max(1, 4000 // n)},{30 * n}"
            for kind, n in (("return", 1), ("return", 10), ("return", 100), ("barrier", 3), ("return", 5000))]


# ---- a stand-in harness ------------------------------------------------------------

def fake_harness(argv):
    cols = schema_columns()
    if "--list" in argv:
        for s in STRATEGIES:
            print(f"transmigrator {s} synthetic {s}")
        for t in TETHERS:
            anchor = " (anchor: liburcu)" if t.startswith("urcu") else (" (anchor: Concurrency Kit)" if t.startswith("ck") else "")
            print(f"tether {t} synthetic {t}{anchor}")
        for w in WORKLOADS + ["boxed-list", "fan-in", "random", "vector", "program"]:
            print(f"workload {w} synthetic {w}")
        return 0
    a = {}
    strategies, tethers = [], []
    for arg in argv:
        k, _, v = arg.partition("=")
        a[k.lstrip("-")] = v
        if k == "--strategy":
            strategies.append(v)
        if k == "--tether":
            tethers.append(v)
    if os.environ.get("SYNTH_FAIL") and os.environ["SYNTH_FAIL"] in " ".join(argv):
        sys.stderr.write("harness: synthetic failure\n")
        return 2
    reps = int(a.get("reps", 1))
    for tether in tethers:  # a tether grid point: every scheme once per round
        series = split_spec(tether)[1].get("series")
        if not series:
            continue
        new = not os.path.exists(series) or os.path.getsize(series) == 0
        with open(series, "a") as fp:
            if new:
                fp.write(SERIES_HEADER + "\n")
            for rep in range(reps):
                fp.write("\n".join(series_lines(tether, a.get("threads", 1), int(a.get("stall-ms", 0)), rep,
                                                float(a.get("duration", 1)))) + "\n")
    seed = int(a.get("seed", 1))
    first = int(a.get("first-round", 0))  # a pass of several numbers its rounds from here
    rows = []
    for rep in range(first, first + reps):
        if tethers:
            for tether in tethers:
                rows.append(tether_row(cols, tether, int(a.get("threads", 1)), rep, seed,
                                       layout=a.get("layout", "padded"), stall_ms=int(a.get("stall-ms", 0)),
                                       read=int(a.get("read", 0)), writers=int(a.get("writers", 1)),
                                       slots=int(a.get("slots", 16))))
        else:  # a grid point: every strategy once per round
            for st in strategies:
                rows.append(tm_row(cols, st, a["workload"], int(a.get("size", 1000)), rep, seed,
                                   int(a.get("block", 65536))))
    # the machine gate's probe: the --probe-ref the sweep passed (150000 without one), 1 below
    # it, or 7 above it for a shuffled layout, so a test can tell that each call got the best
    # probe of the calls before it, not the last one's
    probe = (int(a["probe-ref"]) if a.get("probe-ref") else 150000) + (7 if "shuffled" in a.get("workload", "") else -1)
    for r in rows:
        r["probe_ns"] = str(probe)
    # SYNTH_DISTURB: the first call whose arguments contain it (until the file
    # SYNTH_DISTURB_ONCE exists) returns every row kept disturbed, as a harness
    # whose machine stayed slow through the gate's retries does.
    mark = os.environ.get("SYNTH_DISTURB_ONCE", "")
    if os.environ.get("SYNTH_DISTURB") and os.environ["SYNTH_DISTURB"] in " ".join(argv) and mark \
            and not os.path.exists(mark):
        open(mark, "w").close()
        for r in rows:
            r["disturbed"] = "3"
    out = a.get("out", "-")
    fp = sys.stdout if out == "-" else open(out, "a", newline="")
    w = csv.writer(fp, lineterminator="\n")
    if out == "-" or fp.tell() == 0:
        w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    fp.flush()
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "csv":
        cols = schema_columns()
        write_csv(argv[1], synthetic_rows(cols), cols)
        with open(os.path.splitext(argv[1])[0] + ".series.csv", "w") as fp:
            fp.write(SERIES_HEADER + "\n")
            for te in STALLED:
                for stall in (10, 100):
                    fp.write("\n".join(series_lines(te, 2, stall, 0)) + "\n")
        with open(os.path.splitext(argv[1])[0] + ".escapes.csv", "w") as fp:
            fp.write("workload,strategy,rep,kind,objects,bytes,count,ns_total\n")
            for prog in PROGRAMS:
                fp.write("\n".join(escape_lines(prog)) + "\n")
        return 0
    if argv and argv[0] == "harness":
        return fake_harness(argv[1:])
    sys.stderr.write("usage: synth.py csv OUT.csv | synth.py harness ARGS...\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
