"""The figures as data (1-7 and 9; 8 is scripts/lib/programs.py): which rows each uses and the series it draws.

plot.py draws these with matplotlib, writes them out as gnuplot data for
scripts/figN.gp, and paper.py quotes their provenance, so all three read the
same rows the same way.  Every value is a median over reps."""

import csv
import os

from rows import (base_name, cpu_count, distinct, garbage_of, group, join_spec, layout_of, machine_label, median,
                  num, ok, selects, split_spec, workload_label)

ANCHOR_PREFIXES = ("urcu", "ck-", "ck_", "liburcu")
ANCHOR_WORDS = ("anchor", "liburcu", "concurrency kit")


class Series:
    def __init__(self, label, points=None, values=None, dashed=False):
        self.label = label
        self.points = sorted(points or [])  # line panels: (x, y)
        self.values = values or []          # bar panels: one per category (None = missing)
        self.dashed = dashed


class Panel:
    def __init__(self, title, xlabel, ylabel, kind="line", xlog=False, ylog=False, xlog2=False):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.kind, self.xlog, self.ylog, self.xlog2 = kind, xlog, ylog, xlog2
        self.series = []
        self.categories = []
        self.note = ""
        self.vline = None  # x of a vertical marker (the CPU count)
        self.hline = None  # y of a horizontal marker (memcpy speed)

    def empty(self):
        if self.kind == "bar":
            return not self.categories or not any(v is not None for s in self.series for v in s.values)
        return not any(s.points for s in self.series)


class Figure:
    def __init__(self, num_, slug, title, caption):
        self.num, self.slug, self.title, self.caption = num_, slug, title, caption
        self.panels = []
        self.rows = []
        self.note = ""

    @property
    def name(self):
        return f"fig{self.num}_{self.slug}"


# ---- selections ----------------------------------------------------------------------

def tm_rows(rows):
    return [r for r in rows if r.get("kind") == "transmigrate" and not r.get("workload", "").startswith("program:")]


def tether_label(spec):
    """A tether spec without the options that only say where output went (series=FILE)."""
    name, opts = split_spec(spec)
    return join_spec(name, {k: v for k, v in opts.items() if k != "series"})


def tether_rows(rows):
    """Tether rows, their `tether` cell without output-only options."""
    out = []
    for r in rows:
        if r.get("kind") == "tether":
            if "series=" in r.get("tether", ""):
                r = dict(r)
                r["tether"] = tether_label(r["tether"])
            out.append(r)
    return out


def most_common(values, prefer=None):
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    if not counts:
        return None
    if prefer is not None and prefer in counts:
        return prefer
    return max(counts, key=lambda v: (counts[v], -list(counts).index(v)))


def pick_workload(rows, prefer="list"):
    return most_common([workload_label(r) for r in rows], prefer=prefer)


def machine_suffix(rows):
    """A function row -> '' or ' [machine]' when the rows come from several CPUs."""
    if len(distinct(rows, "cpu")) > 1:
        return lambda r: f" [{machine_label(r.get('cpu', ''))}]"
    return lambda r: ""


def one_config(rows, col, prefer=None):
    """Keeps the rows of the most common value of col (block size, allocator...)."""
    vals = [r.get(col, "") for r in rows]
    if len(set(vals)) <= 1:
        return rows
    keep = most_common(vals, prefer=prefer)
    return [r for r in rows if r.get(col, "") == keep]


def is_anchor(name, summaries):
    n = name.lower()
    if n.startswith(ANCHOR_PREFIXES):
        return True
    s = summaries.get(name, "").lower()
    return any(w in s for w in ANCHOR_WORDS)


def order_layouts(values):
    pref = ["alloc", "shuffled", "padded", "packed"]
    return sorted(set(values), key=lambda v: (pref.index(v) if v in pref else 9, v))


def fmt_size(n):
    if n is None:
        return "?"
    n = int(n)
    e = len(str(n)) - 1
    if n >= 1000 and n == 10 ** e:
        return f"10^{e}"
    return str(n)


def line_series(rows, keyfn, xcol_fn, ycol_fn, dashed_fn=lambda k: False):
    out = []
    for key, rs in group(rows, keyfn).items():
        pts = []
        for x, rr in group(rs, xcol_fn).items():
            y = median(ycol_fn(r) for r in rr)
            if x is not None and y is not None:
                pts.append((x, y))
        if pts:
            out.append(Series(key, pts, dashed=dashed_fn(key)))
    return out


# ---- the figures ------------------------------------------------------------------------

def fig1(rows):
    f = Figure(1, "ns_per_obj", "Transmigration: ns per object vs graph size",
               "ns per object vs size (log-log), one line per transmigrator, allocation order and shuffled")
    sel = [r for r in tm_rows(rows) if ok(r) and garbage_of(r) == 0 and num(r, "ns_per_obj") is not None]
    w = pick_workload(sel)
    sel = [r for r in sel if workload_label(r) == w]
    sel = one_config(one_config(sel, "block"), "allocator", prefer="system")
    f.rows = sel
    suffix = machine_suffix(sel)
    layouts = order_layouts(layout_of(r) for r in sel) or ["alloc", "shuffled"]
    for lay in layouts:
        p = Panel(f"{w or 'no workload'}, layout={lay}", "objects (size)", "ns per object", xlog=True, ylog=True)
        rs = [r for r in sel if layout_of(r) == lay]
        p.series = line_series(rs, lambda r: r["strategy"] + suffix(r), lambda r: num(r, "size"),
                               lambda r: num(r, "ns_per_obj"))
        f.panels.append(p)
    return f


def fig2(rows):
    f = Figure(2, "memcpy_frac", "Fraction of memcpy bandwidth reached",
               "fraction of memcpy bandwidth (memcpy_ns / ns_total) per transmigrator and workload, at the largest size")
    sel = [r for r in tm_rows(rows) if ok(r) and garbage_of(r) == 0 and num(r, "memcpy_frac") is not None]
    sel = one_config(one_config(sel, "block"), "allocator", prefer="system")
    suffix = machine_suffix(sel)
    used = []
    for lay in order_layouts(layout_of(r) for r in sel) or ["alloc", "shuffled"]:
        rs = [r for r in sel if layout_of(r) == lay]
        workloads = list(group(rs, workload_label))
        p = Panel(f"layout={lay}, largest size per workload", "workload", "memcpy_ns / ns_total", kind="bar")
        strategies = list(group(rs, lambda r: r["strategy"] + suffix(r)))
        cats = []
        picked = []
        for w in workloads:
            wr = [r for r in rs if workload_label(r) == w]
            n = max(num(r, "size") or 0 for r in wr)
            cats.append(f"{w} n={fmt_size(n)}")
            picked.append([r for r in wr if num(r, "size") == n])
        p.categories = cats
        for s in strategies:
            vals = [median(num(r, "memcpy_frac") for r in pr if r["strategy"] + suffix(r) == s) for pr in picked]
            p.series.append(Series(s, values=vals))
        vals = [v for s in p.series for v in s.values if v]
        p.hline = 1.0
        p.note = "1 = memcpy speed; zero-copy strategies pass it"
        p.ylog = bool(vals) and max(vals) / min(vals) > 30
        for pr in picked:
            used.extend(pr)
        f.panels.append(p)
    f.rows = used
    return f


def incremental_names(rows):
    names = []
    for r in rows:
        b = base_name(r.get("strategy", ""))
        if b == "proxy" or r.get("barrier_overhead") or r.get("free_latency_ns"):
            if r["strategy"] not in names:
                names.append(r["strategy"])
    return names


def fig3(rows):
    f = Figure(3, "proxy_pause", "Incremental transmigration: pause vs total time",
               "proxy: pause (the initial call) vs total time through full evacuation, vs size")
    tm = [r for r in tm_rows(rows) if ok(r) and garbage_of(r) == 0 and layout_of(r) == "alloc"]
    inc = incremental_names(tm)
    sel = [r for r in tm if r["strategy"] in inc]
    w = pick_workload(sel)
    ref = [r for r in tm if base_name(r["strategy"]) == "cheney" and workload_label(r) == w]
    sel = [r for r in sel if workload_label(r) == w]
    sel = one_config(sel, "block")
    f.rows = sel + ref
    suffix = machine_suffix(f.rows)
    p = Panel(f"{w or 'no workload'}, layout=alloc", "objects (size)", "ns", xlog=True, ylog=True)
    for s in inc:
        rs = [r for r in sel if r["strategy"] == s]
        for key, rr in group(rs, suffix).items():
            p.series += line_series(rr, lambda r: f"{s}{key} pause", lambda r: num(r, "size"), lambda r: num(r, "pause_ns"))
            p.series += line_series(rr, lambda r: f"{s}{key} total", lambda r: num(r, "size"), lambda r: num(r, "ns_total"),
                                    dashed_fn=lambda k: True)
    if ref:
        p.series += line_series(ref, lambda r: f"{r['strategy']}{suffix(r)} total (stop-the-world)",
                                lambda r: num(r, "size"), lambda r: num(r, "ns_total"), dashed_fn=lambda k: True)
    f.panels.append(p)
    return f


def live_ratio(r):
    g = garbage_of(r)
    return None if g is None else 1.0 / (1.0 + g)


def fig4_selection(rows):
    tm = [r for r in tm_rows(rows) if ok(r) and garbage_of(r) is not None and num(r, "ns_total") is not None]
    best = None
    for w, rs in group(tm, workload_label).items():
        for lay, rl in group(rs, layout_of).items():
            for n, rn in group(rl, lambda r: num(r, "size")).items():
                k = len({garbage_of(r) for r in rn})
                score = (k, w == "list", lay == "alloc", n or 0)
                if k >= 2 and (best is None or score > best[0]):
                    best = (score, w, lay, n, rn)
    if best is None:
        return None, None, None, []
    return best[1], best[2], best[3], one_config(best[4], "block")


def fig4(rows):
    f = Figure(4, "splice_crossover", "Splice vs copy by live ratio",
               "splice vs copy crossover by live ratio (live = 1/(1+garbage)): time, and garbage inherited")
    w, lay, n, sel = fig4_selection(rows)
    f.rows = sel
    suffix = machine_suffix(sel)
    where = f"{w}, layout={lay}, n={fmt_size(n)}" if w else "no workload with several garbage ratios"
    p1 = Panel(f"{where}: time", "live ratio (live bytes / source bytes)", "ns per live object", ylog=True)
    p1.series = line_series(sel, lambda r: r["strategy"] + suffix(r), live_ratio, lambda r: num(r, "ns_per_obj"))
    p2 = Panel(f"{where}: garbage inherited", "live ratio (live bytes / source bytes)", "garbage bytes per live byte")

    def inherited(r):
        g, b = num(r, "garbage_bytes"), num(r, "bytes")
        return None if g is None or not b else g / b
    p2.series = line_series(sel, lambda r: r["strategy"] + suffix(r), live_ratio, inherited)
    f.panels += [p1, p2]
    return f


def tether_base(rows):
    """Tether rows without a stalled reader, at the lowest read and one writer/slot setting."""
    sel = [r for r in tether_rows(rows) if ok(r) and not (num(r, "stall_ms") or 0)]
    if not sel:
        return []
    lo = min((num(r, "read") or 0) for r in sel)
    sel = [r for r in sel if (num(r, "read") or 0) == lo]
    sel = one_config(sel, "writers")
    sel = one_config(sel, "slots")
    return sel


def fig5(rows, summaries):
    f = Figure(5, "tether_scaling", "Tether cost vs reader threads",
               "tether ns per tether+untether pair vs reader threads, per scheme; liburcu and Concurrency Kit anchors dashed")
    sel = tether_base(rows)
    sel = [r for r in sel if r.get("layout", "") in ("", "padded")] or one_config(sel, "layout")
    f.rows = sel
    suffix = machine_suffix(sel)
    read = sel[0].get("read", "0") if sel else "0"
    p = Panel(f"read={read or 0}, no stalled reader", "reader threads", "ns per pair (per thread)", xlog2=True, ylog=True)
    p.series = line_series(sel, lambda r: r["tether"] + suffix(r), lambda r: num(r, "threads"),
                           lambda r: num(r, "ns_per_op"), dashed_fn=lambda k: is_anchor(k.split(" [")[0], summaries))
    cpus = {cpu_count(c) for c in distinct(sel, "cpu")}
    if len(cpus) == 1 and None not in cpus:
        p.vline = cpus.pop()
        p.note = f"{p.vline} CPUs: thread counts past the line are oversubscribed"
    f.panels.append(p)
    return f


def find_series_files(csv_paths):
    """Time series of unreclaimed regions next to the CSVs: NAME.series.csv files with a
    time, an unreclaimed and a scheme column (the tether runner's `series=FILE` key
    writes them; scripts/sweep asks for them in grids with `series = yes`)."""
    found = []
    for csv_path in csv_paths:
        for path in [os.path.splitext(csv_path)[0] + ".series.csv"]:
            if not os.path.isfile(path):
                continue
            try:
                with open(path, newline="", encoding="utf-8") as fp:
                    header = next(csv.reader(fp), [])
            except (OSError, UnicodeDecodeError):
                continue
            cols = series_columns(header)
            if cols:
                found.append((path, cols))
    return found


def series_columns(header):
    tcol = next((c for c in header if c in ("t_ms", "time_ms", "t_s", "time_s", "t_ns", "time_ns", "elapsed_ms",
                                              "elapsed_ns", "elapsed_s")), None)
    ucol = next((c for c in header if c == "unreclaimed"), None) or next(
        (c for c in header if "unreclaimed" in c and "bytes" not in c), None)
    scol = next((c for c in header if c in ("tether", "scheme")), None)
    if tcol and ucol and scol:
        return tcol, ucol, scol
    return None


def last_run(recs, tcol):
    """The last run of a series written more than once under one key (a trial
    the harness retried appends each attempt's series, and a grid point the
    sweep visits again appends its own): the rows from the last place where
    the time goes back, as the harness keeps the last attempt's row."""
    start = 0
    for i in range(1, len(recs)):
        a, b = num(recs[i - 1], tcol), num(recs[i], tcol)
        if a is not None and b is not None and b < a:
            start = i
    return recs[start:]


def fig6(rows, csv_paths):
    f = Figure(6, "unreclaimed", "Unreclaimed regions with a stalled reader",
               "unreclaimed (retired, not yet freed) regions over time with a stalled reader, per scheme")
    files = find_series_files(csv_paths)
    if files:
        p = Panel("one reader stalls inside a tether", "time (s)", "unreclaimed regions")
        used = []
        for path, (tcol, ucol, scol) in files:
            with open(path, newline="", encoding="utf-8") as fp:
                recs = list(csv.DictReader(fp))
            for r in recs:
                r["_file"] = path
            stalled = [r for r in recs if (num(r, "stall_ms") or 1) > 0]
            if stalled and any(num(r, "stall_ms") for r in stalled):
                top = max(num(r, "stall_ms") or 0 for r in stalled)  # the longest stall shows it best
                stalled = [r for r in stalled if (num(r, "stall_ms") or 0) == top]
                p.title = f"one reader stalls {top:g} ms inside each tether"
            scale = {"t_ms": 1e-3, "time_ms": 1e-3, "elapsed_ms": 1e-3, "t_ns": 1e-9, "time_ns": 1e-9,
                     "elapsed_ns": 1e-9}.get(tcol, 1.0)
            key = lambda r: tether_label(r.get(scol, ""))
            for k, rs in group(stalled, key).items():
                # several reps or threads: the first run of each scheme draws the line
                first = group(rs, lambda r: (r.get("rep", ""), r.get("threads", ""), r.get("_file")))
                rr = last_run(next(iter(first.values())), tcol)
                pts = [(num(r, tcol) * scale, num(r, ucol)) for r in rr if num(r, tcol) is not None and num(r, ucol) is not None]
                if pts:
                    p.series.append(Series(k, pts))
                    used.extend(rr)
        # provenance: the rows of the stalled trials that wrote the series (the series has no columns for it)
        schemes = {s.label for s in p.series}
        f.rows = [r for r in tether_rows(rows) if (num(r, "stall_ms") or 0) > 0 and base_name(r["tether"]) in schemes] or used
        f.note = "from the time series in " + ", ".join(os.path.basename(x[0]) for x in files)
        ys = [y for s in p.series for _, y in s.points if y > 0]
        p.ylog = bool(ys) and max(ys) / min(ys) > 50
        f.panels.append(p)
        if p.series:
            return f
        f.panels = []
    sel = [r for r in tether_rows(rows) if ok(r) and num(r, "peak_unreclaimed") is not None and r.get("stall_ms", "") != ""]
    stalled = [r for r in sel if (num(r, "stall_ms") or 0) > 0]
    schemes = {r["tether"] for r in stalled}
    threads = most_common([r.get("threads", "") for r in stalled])
    sel = [r for r in sel if r["tether"] in schemes and r.get("threads", "") == threads]
    sel = one_config(one_config(sel, "layout", prefer="padded"), "read")
    f.rows = sel
    suffix = machine_suffix(sel)
    p = Panel(f"{threads or '?'} reader threads, one stalled", "stall per tether (ms)", "peak unreclaimed regions")
    p.series = line_series(sel, lambda r: r["tether"] + suffix(r), lambda r: num(r, "stall_ms"),
                           lambda r: num(r, "peak_unreclaimed"))
    ys = [y for s in p.series for _, y in s.points if y > 0]
    p.ylog = bool(ys) and max(ys) / min(ys) > 50
    f.note = "no time series file found: peak_unreclaimed per trial vs stall instead"
    f.panels = [p]
    return f


def fig7(rows):
    f = Figure(7, "false_sharing", "False sharing: packed vs padded",
               "false sharing: per-thread records packed in cache lines vs padded, per reader thread count")
    sel = [r for r in tether_rows(rows) if ok(r) and not (num(r, "stall_ms") or 0) and num(r, "ns_per_op") is not None]
    both = [s for s, rs in group(sel, lambda r: r["tether"]).items() if {"packed", "padded"} <= {r.get("layout") for r in rs}]
    both.sort(key=lambda s: (base_name(s) != "atomic", s))
    sel = [r for r in sel if r["tether"] in both and r.get("layout") in ("packed", "padded")]
    if sel:
        lo = min((num(r, "read") or 0) for r in sel)
        sel = one_config([r for r in sel if (num(r, "read") or 0) == lo], "writers")
    p1 = Panel("ns per pair", "scheme, reader threads", "ns per pair (per thread)", kind="bar")
    p2 = Panel("penalty", "reader threads", "packed / padded ns per pair", xlog2=True)
    cats = []
    keys = []
    for s in both:
        per = {lay: {int(num(r, "threads")) for r in sel if r["tether"] == s and r["layout"] == lay
                     and num(r, "threads") is not None} for lay in ("packed", "padded")}
        for t in sorted(per["packed"] & per["padded"]):
            cats.append(f"{s} {t}t")
            keys.append((s, t))
    p1.categories = cats
    for lay in ("packed", "padded"):
        vals = [median(num(r, "ns_per_op") for r in sel if r["tether"] == s and num(r, "threads") == t and r["layout"] == lay)
                for s, t in keys]
        p1.series.append(Series(lay, values=vals))
    sel = [r for r in sel if (r["tether"], num(r, "threads")) in keys]
    f.rows = sel
    for s in both:
        pts = []
        for t in sorted({k[1] for k in keys if k[0] == s}):
            a = median(num(r, "ns_per_op") for r in sel if r["tether"] == s and num(r, "threads") == t and r["layout"] == "packed")
            b = median(num(r, "ns_per_op") for r in sel if r["tether"] == s and num(r, "threads") == t and r["layout"] == "padded")
            if a and b:
                pts.append((t, a / b))
        if pts:
            p2.series.append(Series(s, pts))
    f.panels += [p1, p2]
    if p2.series and p2.series[0].points:
        t, ratio = p2.series[0].points[-1]
        f.note = f"{p2.series[0].label} at {t:g} threads: packed costs {ratio:.2f}x padded per pair"
    return f


KNOWS_ORDER = ("nothing", "dense", "home", "sole")


def class_workload(r):
    """The workload without the placer's keys and the keys its knowledge class fixes (knows=, home=)."""
    name, opts = split_spec(workload_label(r))
    return join_spec(name, {k: v for k, v in opts.items() if k not in ("knows", "home")})


def who_wins(rows):
    """{workload: {(knows, size): {strategy: median ns per object}}} over the rows with a knows class
    (issue 15), allocation order only."""
    sel = [r for r in tm_rows(rows) if ok(r) and r.get("knows") in KNOWS_ORDER and layout_of(r) == "alloc"
           and num(r, "ns_per_obj") is not None and num(r, "size") is not None]
    sel = one_config(one_config(sel, "block"), "allocator", prefer="system")
    out = {}
    for (w, k, n, st), rs in group(sel, lambda r: (class_workload(r), r["knows"], int(num(r, "size")),
                                                  r["strategy"])).items():
        out.setdefault(w, {}).setdefault((k, n), {})[st] = median(num(r, "ns_per_obj") for r in rs)
    return out, sel


def fig9(rows):
    f = Figure(9, "who_wins", "Who wins when: what the runtime knows x size",
               "who wins when: ns per object of every strategy in each cell of (what the runtime knows: nothing, "
               "dense, home, sole owner) x size, one panel per workload, allocation order; the fastest fixed strategy "
               "of each cell (adaptive runs the one it picks) is named in the figure's note")
    table, f.rows = who_wins(rows)
    winners = []
    for w in sorted(table, key=lambda w: (w not in ("list", "tree"), w))[:2]:
        cells = sorted(table[w], key=lambda c: (KNOWS_ORDER.index(c[0]), c[1]))
        p = Panel(w, "what the runtime knows, objects", "ns per object (log)", kind="bar", ylog=True)
        p.categories = [f"{k} {fmt_size(n)}" for k, n in cells]
        strategies = sorted({s for c in cells for s in table[w][c]}, key=lambda s: (selects(s), s))
        p.series = [Series(s, values=[table[w][c].get(s) for c in cells]) for s in strategies]
        # the fastest fixed strategy (adaptive runs the one it picks: rows.selects)
        best = [min((s for s in table[w][c] if not selects(s)), key=table[w][c].get, default=None) for c in cells]
        winners += [(w, c, b) for c, b in zip(cells, best) if b is not None]
        f.panels.append(p)
    if not f.panels:
        f.panels.append(Panel("no rows with a knows class", "what the runtime knows, objects", "ns per object",
                              kind="bar"))
    f.winners = winners  # (workload, (knows, size), strategy)
    parts = []
    for w in order_of(x[0] for x in winners):
        per = {}
        for _, (k, n), b in (x for x in winners if x[0] == w):
            per.setdefault(k, [])
            if b not in per[k]:
                per[k].append(b)
        parts.append(f"{w}: " + ", ".join(f"{k} {'/'.join(bs)}" for k, bs in per.items()))
    f.note = "fastest by what the runtime knows (smallest to largest size): " + "; ".join(parts) if parts else ""
    return f


def order_of(values):
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def all_figures(rows, csv_paths, summaries=None):
    summaries = summaries or {}
    return [fig1(rows), fig2(rows), fig3(rows), fig4(rows), fig5(rows, summaries), fig6(rows, csv_paths), fig7(rows),
            fig9(rows)]
