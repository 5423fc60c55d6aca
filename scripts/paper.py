#!/usr/bin/python3
"""Regenerates results/paper.md from regionlab CSV rows: tables T1-T9 and the figures.

usage: scripts/paper.py [CSV...] [--out=results/paper.md] [--figdir=DIR]

Without CSV arguments it reads every regionlab CSV under results/.  The
figures are those scripts/plot.py drew into DIR (default: the folder of
--out); their commands come from DIR/figures.json.  Every number is a median
over reps of the rows; a table without rows says "no rows"."""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

from rows import (BadInput, ROOT, atomic_write, base_name, distinct, garbage_of, geomean, group,  # noqa: E402
                  layout_of, load_rows, median, num, ok, provenance, shown_path, workload_label)
from cli import command_line, csv_arg, csvs_or_results, help_exit, sweep_commands  # noqa: E402
from rows import join_spec, split_spec  # noqa: E402  (table 7: a workload without its class keys)
import figdata  # noqa: E402
import programs  # noqa: E402
import stats  # noqa: E402

USAGE = "usage: scripts/paper.py [CSV...] [--out=results/paper.md] [--figdir=DIR]"


# ---- formatting --------------------------------------------------------------------

def fnum(v, digits=3):
    if v is None:
        return "–"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a == 0:
        return "0"
    return f"{v:.{digits}g}"


def fns(v):
    """A duration in ns, in the unit that reads best."""
    if v is None:
        return "–"
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if abs(v) >= div:
            return f"{v / div:.3g} {unit}"
    return f"{v:.3g} ns"


def fbytes(v):
    if v is None:
        return "–"
    for unit, div in (("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if abs(v) >= div:
            return f"{v / div:.3g} {unit}"
    return f"{v:.0f} B"


def fpct(v):
    return "–" if v is None else f"{v * 100:+.1f}%"


def fsize(n):
    return figdata.fmt_size(n) if n is not None else "–"


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


def med(rows, col):
    return median(num(r, col) for r in rows)


# ---- intervals and verdicts (issue 12; the rules of scripts/lib/stats.py) ------------

def interval(rows, col):
    """(lo, hi): the 95% interval of the median of col over rows.  The rows' own
    ci_lo/ci_hi when the harness wrote them (the figure is ns_per_obj), else a
    seeded bootstrap of the rows (old CSVs); (None, None) with fewer than two
    figures."""
    if col == "ns_per_obj":
        given = [(num(r, "ci_lo"), num(r, "ci_hi")) for r in rows]
        given = [g for g in given if g[0] is not None and g[1] is not None]
        if given:
            return given[0]
    xs = [v for v in (num(r, col) for r in rows) if v is not None]
    if len(xs) < 2:
        return (None, None)
    return stats.median_ci(xs)


def with_interval(v, ci, fmt=None):
    """A figure and its interval: '41.8 [40.9, 43.1]'."""
    fmt = fmt or fnum
    if v is None:
        return fmt(v)
    lo, hi = ci
    return fmt(v) if lo is None else f"{fmt(v)} [{fmt(lo)}, {fmt(hi)}]"


def bold_fastest(cells, values, cis):
    """Bolds the smallest figure only when its interval lies wholly below every
    other's (the tie rule); otherwise marks it '≈' (fastest by median, a tie
    within the intervals)."""
    vals = [(v, i) for i, v in enumerate(values) if v is not None]
    if len(vals) < 2:
        return cells
    _, i = min(vals)
    hi = cis[i][1]
    holds = hi is not None and all(cis[j][0] is not None and hi < cis[j][0] for _, j in vals if j != i)
    cells = list(cells)
    cells[i] = f"**{cells[i]}**" if holds else f"≈ {cells[i]}"
    return cells


def paired_ratio(a_rows, b_rows, col):
    """Median of a/b over trials of the same round (the rep column) and its
    interval; (None, (None, None)) with fewer than two pairs."""
    a = {r.get("rep"): num(r, col) for r in a_rows}
    b = {r.get("rep"): num(r, col) for r in b_rows}
    reps = [k for k in a if k in b and a[k] is not None and b[k] is not None]
    if len(reps) < 2:
        return None, (None, None)
    m, ci = stats.ratio_ci([a[k] for k in reps], [b[k] for k in reps])
    return m, ci


def regret_verdict(m, ci):
    """'+13.3% [+5.0%, +20.1%]' when the interval excludes 0, else 'tie (+1.2% [-3.0%, +4.1%])'."""
    if m is None:
        return "–"
    text = f"{fpct(m - 1)} [{fpct(ci[0] - 1)}, {fpct(ci[1] - 1)}]"
    return text if stats.verdict(ci, 1.0) != stats.TIE else f"tie ({text})"


def status_of(rows):
    """'ok', or the most common failure when no rep was ok."""
    if any(ok(r) for r in rows):
        return "ok"
    st = [r.get("status", "") for r in rows]
    return max(set(st), key=st.count) if st else "no rows"


def per_machine(rows, build):
    """build(rows) -> markdown; once per CPU when the rows come from several machines."""
    cpus = distinct(rows, "cpu")
    if len(cpus) <= 1:
        return build(rows)
    parts = []
    for c in cpus:
        parts.append(f"*On {c}:*\n\n" + build([r for r in rows if r.get("cpu") == c]))
    return "\n\n".join(parts)


# ---- the tables ------------------------------------------------------------------------

def tm(rows):
    return [r for r in rows if r.get("kind") == "transmigrate" and not programs.is_program(r)]


def order(values):
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def t1(rows):
    sel = [r for r in tm(rows) if garbage_of(r) == 0]
    if not sel:
        return None, []

    def build(rs):
        strategies = order(r["strategy"] for r in rs)
        keyf = lambda r: (workload_label(r), layout_of(r), num(r, "size"))
        body = []
        for (w, lay, n), g in sorted(group(rs, keyf).items(), key=lambda kv: (order(workload_label(r) for r in rs).index(kv[0][0]), kv[0][1], kv[0][2] or 0)):
            vals, cells, cis = [], [], []
            for s in strategies:
                gs = [r for r in g if r["strategy"] == s]
                st = status_of(gs) if gs else "no rows"
                good = [r for r in gs if ok(r)]
                v = med(good, "ns_per_obj") if st == "ok" else None
                ci = interval(good, "ns_per_obj") if st == "ok" else (None, None)
                vals.append(v)
                cis.append(ci)
                cells.append(with_interval(v, ci) if st == "ok" else ("–" if st == "no rows" else st))
            body.append([w, lay, fsize(n)] + bold_fastest(cells, vals, cis))
        return md_table(["workload", "layout", "n"] + strategies, body)
    return per_machine(sel, build), sel


def largest(rows):
    out = []
    for _, g in group(rows, lambda r: (r["strategy"], workload_label(r))).items():
        n = max(num(r, "size") or 0 for r in g)
        out.extend(r for r in g if num(r, "size") == n)
    return out


def t2(rows):
    sel = [r for r in tm(rows) if ok(r) and garbage_of(r) == 0 and layout_of(r) == "alloc"
           and num(r, "extra_bytes") is not None]
    sel = largest(sel)
    if not sel:
        return None, []

    def build(rs):
        body = []
        allocs = len(distinct(rs, "allocator")) > 1
        for (s, w, a), g in group(rs, lambda r: (r["strategy"], workload_label(r), r.get("allocator", ""))).items():
            n = num(g[0], "size")
            eb, ma, objs = med(g, "extra_bytes"), med(g, "mallocs"), med(g, "objects") or n
            row = [s, w] + ([a] if allocs else []) + [
                fsize(n), fbytes(eb), fnum(eb / objs if eb is not None and objs else None), fnum(ma),
                fnum(ma / objs if ma is not None and objs else None), fnum(med(g, "blocks_new"))]
            if any(r.get("je_bytes") for r in g):
                row.append(f"{fbytes(med(g, 'je_bytes'))} / {fnum(med(g, 'je_allocs'))}")
            body.append(row)
        heads = ["strategy", "workload"] + (["allocator"] if allocs else []) + [
            "n", "extra bytes", "extra B/object", "mallocs", "mallocs/object", "blocks fetched"]
        if any(len(b) > len(heads) for b in body):
            heads.append("jemalloc bytes / allocs")
            body = [b + [""] * (len(heads) - len(b)) for b in body]
        return md_table(heads, body)
    return per_machine(sel, build), sel


def t3(rows):
    base = [r for r in tm(rows) if ok(r) and garbage_of(r) == 0 and layout_of(r) == "alloc"]
    inc = figdata.incremental_names(base)
    sel = [r for r in base if r["strategy"] in inc]
    if not sel:
        return None, []

    def build(rs):
        body = []
        for (s, w), g in group(rs, lambda r: (r["strategy"], workload_label(r))).items():
            by_n = group(g, lambda r: num(r, "size"))
            nmin = min(by_n)
            p0 = med(by_n[nmin], "pause_ns")
            for n in sorted(by_n):
                gg = by_n[n]
                pause, total = med(gg, "pause_ns"), med(gg, "ns_total")
                bo = med(gg, "barrier_overhead")
                body.append([s, w, fsize(n), fns(pause), fns(total),
                             fnum(pause / total if pause and total else None),
                             f"{pause / p0:.2f}x" if pause and p0 else "–",
                             fpct(bo) if bo is not None else "–", fns(med(gg, "free_latency_ns"))])
        return md_table(["strategy", "workload", "n", "pause", "total", "pause/total",
                         "pause vs smallest n", "barrier overhead", "source freed after"], body)
    return per_machine(sel, build), sel


def t4(rows):
    w, lay, n, sel = figdata.fig4_selection(rows)
    if not sel:
        return None, []
    sentence = []

    def build(rs):
        body = []
        by_live = group(rs, figdata.live_ratio)
        cross = None
        for live in sorted(by_live, reverse=True):
            g = by_live[live]
            strategies = order(r["strategy"] for r in g)
            vals = [med([r for r in g if r["strategy"] == s], "ns_total") for s in strategies]
            cis = [interval([r for r in g if r["strategy"] == s], "ns_total") for s in strategies]
            fastest = min((v, s) for v, s in zip(vals, strategies) if v is not None)[1] if any(vals) else None
            if fastest is not None:  # the tie rule: bold only when its interval excludes every other's
                fi = strategies.index(fastest)
                if not all(cis[fi][1] is not None and cis[j][0] is not None and cis[fi][1] < cis[j][0]
                           for j, v in enumerate(vals) if j != fi and v is not None):
                    fastest = None
            copies = [v for v, s in zip(vals, strategies)
                      if v is not None and not med([r for r in g if r["strategy"] == s], "bytes_spliced")]
            sp = [v for v, s in zip(vals, strategies) if base_name(s) == "splice" and v is not None]
            if sp and copies and sp[0] < min(copies):
                cross = live
            for s, v in zip(strategies, vals):
                gs = [r for r in g if r["strategy"] == s]
                gb, b = med(gs, "garbage_bytes"), med(gs, "bytes")
                cell = with_interval(v, cis[strategies.index(s)], fns)
                body.append([f"{live:.2f}", f"**{s}**" if s == fastest else s, cell, fnum(med(gs, "ns_per_obj")),
                             fbytes(med(gs, "bytes_copied")), fbytes(med(gs, "bytes_spliced")), fbytes(gb),
                             fnum(gb / b if gb is not None and b else None)])
        if cross is not None:
            sentence.append(f"splice beats every copying strategy down to a live ratio of {cross:.2f}.")
        elif any(base_name(r["strategy"]) == "splice" for r in rs):
            sentence.append("splice beats no copying strategy at these live ratios.")
        return md_table(["live", "strategy", "total", "ns/live object", "copied", "spliced", "garbage inherited",
                         "garbage per live byte"], body)
    text = per_machine(sel, build)
    head = (f"Workload {w}, layout {lay}, n = {fsize(n)}; total with its 95% interval [bootstrap of the reps]; the "
            "fastest strategy at each live ratio in bold only when its interval lies below every other's. ")
    return head + " ".join(sentence) + "\n\n" + text, sel


def t5(rows, summaries):
    # every slots/writers configuration at the lowest read (figure 5 keeps
    # only the most common one): one table each below
    sel = [r for r in figdata.tether_rows(rows) if ok(r) and not (num(r, "stall_ms") or 0)]
    lo = min([num(r, "read") or 0 for r in sel] or [0])
    sel = [r for r in sel if (num(r, "read") or 0) == lo]
    sel = [r for r in sel if r.get("layout", "") in ("", "padded")] or figdata.one_config(sel, "layout")
    failing = [r for r in figdata.tether_rows(rows) if not ok(r) and not (num(r, "stall_ms") or 0)]
    if not sel:
        return None, []

    def build(rs):
        threads = sorted({int(num(r, "threads")) for r in rs if num(r, "threads") is not None})
        ns = {}
        for (s, t), g in group(rs, lambda r: (r["tether"], num(r, "threads"))).items():
            ns[(s, int(t))] = med(g, "ns_per_op")
        schemes = order(r["tether"] for r in rs)
        anchors = {s: figdata.is_anchor(s, summaries) for s in schemes}
        refs = [a for a in ("urcu-qsbr", "ck-epoch", "ck-hp") if (a, 1) in ns or any(k[0] == a for k in ns)]
        t0 = threads[0]
        body = []
        for s in schemes:
            row = [s + (" (anchor)" if anchors[s] else "")]
            row += [fnum(ns.get((s, t))) for t in threads]
            one, two = ns.get((s, t0)), ns.get((s, 2)) if t0 == 1 else None
            row.append(f"{one / two * 100:.0f}%" if one and two else "–")
            for a in refs:
                ra = ns.get((a, t0))
                row.append(f"{one / ra:.2f}x" if one and ra else "–")
            body.append(row)
        heads = ["scheme"] + [f"{t} thr" for t in threads] + ["per-thread throughput kept at 2 thr"] + \
                [f"vs {a} ({t0} thr)" for a in refs]
        # schemes whose trials all went wrong: say so rather than leave them out
        for s, g in group(failing, lambda r: r["tether"]).items():
            if s not in schemes:
                body.append([s, f"no ok trial: {status_of(g).split(':')[0]}"] + ["–"] * (len(heads) - 2))
        return md_table(heads, body)
    read = sel[0].get("read", "") or "0"
    head = (f"ns per tether+untether pair per reader thread (read={read}, no stalled reader, padded layout); "
            f"'kept' is 1-thread ns / 2-thread ns.  One table per configuration of published slots and "
            f"writers: with one slot every reader tethers the same region.\n\n")
    parts = []
    configs = group(sel, lambda r: (num(r, "slots") or 0, num(r, "writers") or 0))
    for (slots, writers), g in sorted(configs.items()):
        parts.append(f"*{fnum(slots)} published slot{'s' if slots != 1 else ''}, {fnum(writers)} "
                     f"writer{'s' if writers != 1 else ''}:*\n\n" + per_machine(g, build))
    return head + "\n\n".join(parts), sel


def t6(rows):
    sel = [r for r in figdata.tether_rows(rows) if r.get("stall_ms", "") != ""
           and num(r, "peak_unreclaimed") is not None]
    stalled = {r["tether"] for r in sel if (num(r, "stall_ms") or 0) > 0}
    sel = [r for r in sel if r["tether"] in stalled]
    if not sel:
        return None, []
    threads = figdata.most_common([r.get("threads", "") for r in sel if (num(r, "stall_ms") or 0) > 0])
    sel = [r for r in sel if r.get("threads", "") == threads]
    sel = figdata.one_config(figdata.one_config(sel, "layout", prefer="padded"), "read")

    def build(rs):
        body = []
        for (s, st), g in sorted(group(rs, lambda r: (r["tether"], num(r, "stall_ms") or 0)).items(),
                                 key=lambda kv: (order(r["tether"] for r in rs).index(kv[0][0]), kv[0][1])):
            okg = [r for r in g if ok(r)] or g
            body.append([s, fnum(st), status_of(g), fnum(med(okg, "retired")), fnum(med(okg, "reclaimed")),
                         fnum(med(okg, "peak_unreclaimed")), fbytes(med(okg, "peak_unreclaimed_bytes")),
                         fns(med(okg, "reclaim_latency_ns")), fbytes((med(okg, "peak_rss_kb") or 0) * 1024 or None)])
        return md_table(["scheme", "stall ms", "status", "retired", "reclaimed", "peak unreclaimed",
                         "peak unreclaimed bytes", "mean retire-to-free", "peak RSS"], body)
    return f"{threads} reader threads, one of them sleeping inside a tether for the stall.\n\n" + per_machine(sel, build), sel


KNOWS_ORDER = ("nothing", "dense", "home", "sole")


def knows_of(r):
    """A row's knowledge class (the knows column, issue 15); '–' for rows written before it existed."""
    return r.get("knows") or "–"


def class_workload(r):
    """The workload label without the keys its class fixes (knows=, home=): the class is a column of its own."""
    name, opts = split_spec(workload_label(r))
    return join_spec(name, {k: v for k, v in opts.items() if k not in ("knows", "home")})


def summary_interval(cis):
    """The geometric means of the per-configuration intervals' ends: the summary's interval (a tie when it
    holds 1, as regret_verdict reads it); (None, None) when a configuration has none."""
    if not cis or any(c[0] is None for c in cis):
        return (None, None)
    return (geomean([c[0] for c in cis]), geomean([c[1] for c in cis]))


def t7(rows):
    sel = [r for r in tm(rows) if ok(r) and num(r, "ns_total") is not None]
    adaptive = order(r["strategy"] for r in sel if base_name(r["strategy"]).startswith("adaptive"))
    if not adaptive:
        return None, []
    used = []

    def build(rs):
        cfg = lambda r: (knows_of(r), class_workload(r), layout_of(r), garbage_of(r), num(r, "size"),
                         r.get("block", ""))
        per = {}
        for (c, s), g in group(rs, lambda r: (cfg(r), r["strategy"])).items():
            per.setdefault(c, {})[s] = (med(g, "ns_total"), g)
        classes = sorted(order(c[0] for c in per), key=lambda k: (KNOWS_ORDER + (k,)).index(k))
        summary, detail = [], []
        for a in adaptive:
            for k in classes:
                for w in order(c[1] for c in per if c[0] == k):
                    configs = [c for c in per if c[:2] == (k, w) and a in per[c]]
                    if not configs:
                        continue
                    # the harness runs a fixed strategy only where it is legal, so every fixed
                    # strategy of the class's rows is legal in it (linear and promote: sole only)
                    fixed = order(s for c in configs for s in per[c] if not base_name(s).startswith("adaptive"))
                    cover = [s for s in fixed if all(s in per[c] for c in configs)]
                    if not cover:
                        summary.append([a, k, w, len(configs), "no fixed strategy ran every configuration",
                                        "–", "–"])
                        continue
                    score = {s: geomean([per[c][s][0] for c in configs]) for s in cover}
                    best = min(cover, key=lambda s: score[s])
                    pairs = [paired_ratio(per[c][a][1], per[c][best][1], "ns_total") for c in configs]
                    regret = geomean([per[c][a][0] / per[c][best][0] for c in configs])
                    ci = summary_interval([p[1] for p in pairs])
                    decisions = [r.get("decision", "") for c in configs for r in per[c][a][1] if r.get("decision")]
                    dec = ", ".join(f"{d} ×{decisions.count(d)}" for d in order(decisions)) or "–"
                    summary.append([a, k, w, len(configs), best,
                                    regret_verdict(regret, ci) if ci[0] is not None else fpct(regret - 1), dec])
                    for c in configs:
                        used.extend(per[c][a][1])
                        for s in fixed:
                            used.extend(per[c].get(s, (None, []))[1])
                        here = min(((v, s) for s, (v, _) in per[c].items()
                                    if s in fixed and v is not None), default=None)
                        cdec = [r.get("decision", "") for r in per[c][a][1] if r.get("decision")]
                        cdec = max(set(cdec), key=cdec.count) if cdec else "–"
                        fixed_ns = [num(r, "decide_ns") for r in per[c][a][1] if num(r, "decide_ns") is not None]
                        pm, pci = paired_ratio(per[c][a][1], per[c][here[1]][1], "ns_total") if here else (None, None)
                        regret_cell = (regret_verdict(pm, pci) if pm is not None
                                       else fpct(per[c][a][0] / here[0] - 1) if here else "–")
                        detail.append([a, k, c[1], c[2], f"{1 / (1 + c[3]):.2f}" if c[3] is not None else "–",
                                       fsize(c[4]), fns(per[c][a][0]), f"{here[1]} {fns(here[0])}" if here else "–",
                                       regret_cell, cdec, fns(median(fixed_ns)) if fixed_ns else "–"])
        return (md_table(["adaptive", "knows", "workload", "configurations", "best fixed strategy legal in the class",
                          "regret [95% interval]", "decisions"], summary)
                + "\n\nPer configuration (regret against the fastest fixed strategy of that configuration; "
                  "decide = adaptive's decide_ns, the time it spent reading what the region knows before its path "
                  "began):\n\n"
                + md_table(["adaptive", "knows", "workload", "layout", "live", "n", "adaptive", "best fixed here",
                            "regret", "decision", "decide"], detail))
    text = per_machine(sel, build)
    head = ("Regret per knowledge class (the knows column, issue 15: nothing = src has a second owner and the "
            "runtime knows nothing; dense = all of src is the graph; home = the graph lives in a clean sub-region; "
            "sole = src's only owner hands it over), per workload = geometric mean over the configurations (layout, "
            "live ratio, size) of adaptive's time / the best fixed strategy's time, minus 1.  The best fixed "
            "strategy is the one with the lowest geometric-mean time among those legal in the class (linear and "
            "promote adopt src whole: legal only in sole) that ran every configuration.  The interval: the "
            "geometric means of the per-configuration paired intervals' ends (95%, per round); a regret whose "
            "interval holds 0 is a tie.  Target (issue 15): at most +10% in every class on every workload, and "
            "below 0 on mixed.\n\n")
    return head + text, used


def thresholds_note(csv_paths):
    """Where adaptive's size thresholds come from (issue 16): the escape sizes of the bundled programs, as
    shares at 512 B, 4 KiB and 64 KiB, and why the thresholds stay at the design's 512 B and 64 KiB (the
    comment at adaptive's options in strategies/transmigrate/adaptive.c gives the callgrind counts)."""
    every = [e for v in programs.load_escapes(csv_paths).values() for e in v]
    n = sum(c for _, _, _, c, _ in every)
    vol = sum(b * c for _, _, b, c, _ in every)
    if not n or not vol:
        return []
    share = lambda lim: (100 * sum(c for _, _, b, c, _ in every if b <= lim) / n,
                         100 * sum(b * c for _, _, b, c, _ in every if b <= lim) / vol)
    (n512, v512), (n4k, v4k), (n64k, v64k) = share(512), share(4096), share(65536)
    return [f"**Adaptive's thresholds.** Over the {n} escapes of these runs, {n512:.1f}% are at most 512 B (the "
            f"design's first line) but carry only {v512:.1f}% of the bytes; {n4k:.1f}% are at most 4 KiB "
            f"({v4k:.1f}% of the bytes) and {n64k:.1f}% at most 64 KiB ({v64k:.1f}% of the bytes).  Adaptive's "
            "thresholds were checked against these figures and kept at the design's 512 B (`small`, its first "
            "Cheney probe) and 64 KiB (`large`): a bigger first probe would let the escapes between 512 B and 4 KiB "
            "finish on it, but every graph bigger than the probe pays it for nothing (callgrind, per call: +0.2% "
            "at 1 KiB and +1.7% at 4 KiB on the 10^4 list, +0.3% at 4 KiB on the 10^5 list and tree), while no "
            "program escape gains: a frame whose sole owner hands it over is adopted before any threshold is read "
            "(decision linear), and a region of at most 64 KiB is copied whole whatever the probe's size "
            "(the measurements: the comment at the options of `strategies/transmigrate/adaptive.c`).", ""]


def t8(rows):
    sel = [r for r in tm(rows) if ok(r) and garbage_of(r) == 0 and layout_of(r) == "alloc"
           and workload_label(r) in ("list", "tree") and num(r, "memcpy_frac") is not None]
    sel = largest(sel)

    def frac(g):
        fr = [num(r, "memcpy_frac") for r in g]
        return f"{median(fr):.3f} ({min(fr):.3f}-{max(fr):.3f})"

    def build(rs):
        body = []
        for (s, w), g in group(rs, lambda r: (r["strategy"], workload_label(r))).items():
            setup, restore = med(g, "setup_ns"), med(g, "restore_ns")
            between = [num(r, "ns_total") - num(r, "setup_ns") - num(r, "restore_ns") for r in g
                       if num(r, "setup_ns") is not None and num(r, "restore_ns") is not None]
            body.append([s, w, fsize(num(g[0], "size")), fns(med(g, "memcpy_ns")), fns(med(g, "ns_total")), frac(g),
                         fns(setup), fns(median(between)), fns(restore)])
        return md_table(["strategy", "workload", "n", "memcpy", "call", "memcpy / call (min-max)", "setup",
                         "traversal", "restore"], body)

    # bench/bench_copy_bound.c: bitmap's call beside a loop that knows the
    # graph's layouts at compile time (same mechanisms, no type table).  The
    # latest run of each benchmark on each machine (gbench2csv appends).
    latest = {}
    for r in rows:
        if (r.get("kind") == "gbench" and r.get("benchmark", "").startswith("copy-bound/")
                and num(r, "memcpy_frac") is not None):
            key = (r["cpu"], r["benchmark"])
            if key not in latest or r["date"] >= latest[key]["date"]:
                latest[key] = r
    bound = list(latest.values())
    if not sel and not bound:
        return None, []

    def build_bound(rs):
        body = []
        for r in rs:
            _, loop, workload = r["benchmark"].split("/", 2)
            body.append([loop, workload, f"{num(r, 'bytes') / 1e6:.3g} MB", fns(num(r, "ns_per_op")),
                         f"{num(r, 'memcpy_frac'):.3f}"])
        return ("`./gbench --benchmark_filter=copy-bound` (the latest run; 10^6 objects, each iteration "
                "against a memcpy timed as the harness does, all in one process where the harness forks a "
                "trial: compare its two loops with each other): `fixed` does bitmap's work with the two "
                "layouts known at compile time instead of the type table.\n\n"
                + md_table(["loop", "workload", "bytes", "call", "memcpy / call"], body))
    parts = ([per_machine(sel, build)] if sel else []) + ([per_machine(bound, build_bound)] if bound else [])
    return "\n\n".join(parts), sel + bound


# ---- distance to floor (bench/bench_copy_floor.c, scripts/callgrind-floors.sh) ----------

FLOOR_TARGET = {"cheney": 1.15, "dfs": 1.15, "bitmap": 1.15, "splice-trace": 1.2}
FLOOR_NOTE = {
    "bitmap": "keeps src byte-identical: shadow set up and marked, headers given back through it",
    "splice": "the whole call: trace, per-block verdicts, block relinking",
    "splice-trace": "counts live bytes per block, logs cross-block slots, skips objects earlier copies forwarded",
    "adaptive": "its probes: budgeted Cheney per child, a density trace",
    "proxy": "never writes src: a forwarding table, stubs, the read barrier",
    "naive": "recursive, a uthash visited map, one malloc per object",
}


def floor_rows(results_dir):
    """copy-floor benchmarks of gbench.json and callgrind-floors.csv in the
    paper's folder (results/), keyed by (module, floor, workload)."""
    timed, counted = {}, {}
    path = os.path.join(results_dir, "gbench.json")
    context = {}
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as fp:
                doc = json.load(fp)
        except (OSError, ValueError):
            doc = {}
        context = doc.get("context", {})
        for b in doc.get("benchmarks", []):
            name = b.get("name", "")
            if name.startswith("copy-floor/") and not b.get("error_occurred") and "ratio" in b:
                _, module, floor, workload = name.split("/", 3)
                timed[(module, floor, workload)] = b
    path = os.path.join(results_dir, "callgrind-floors.csv")
    if os.path.exists(path):
        import csv
        with open(path, newline="", encoding="utf-8") as fp:
            for r in csv.DictReader(fp):
                counted[(r["module"], r["floor"], r["workload"])] = r
    return timed, counted, context


def t9(results_dir):
    timed, counted, context = floor_rows(results_dir)
    if not timed and not counted:
        return (f"_not measured yet_: `{shown_path(os.path.join(results_dir, 'gbench.json'))}` has no copy-floor "
                "benchmark (`make results` runs them) and there is no "
                f"`{shown_path(os.path.join(results_dir, 'callgrind-floors.csv'))}` (`make callgrind-floors`)."), []
    body = []
    for key in sorted(set(timed) | set(counted)):
        module, floor, workload = key
        b, c = timed.get(key), counted.get(key)
        target = FLOOR_TARGET.get(module, 1.2)
        ratio = b["ratio"] if b else None
        iratio = float(c["ratio"]) if c else None
        def verdict(r):
            return "–" if r is None else ("yes" if r <= target else "no")
        holds = ("–" if floor == "memcpy-fixup"
                 else f"instr {verdict(iratio)}, time {verdict(ratio)}")
        body.append([
            f"`{module}`", floor, workload,
            fns(b["module_ns"]) if b else "–", fns(b["floor_ns"]) if b else "–",
            f"{ratio:.2f} ({b['ratio_lo']:.2f}-{b['ratio_hi']:.2f})" if b else "–",
            f"{b['module_frac']:.3f} / {b['floor_frac']:.3f}" if b else "–",
            f"{c['module_ir_per_obj']} / {c['floor_ir_per_obj']}" if c else "–",
            f"{iratio:.2f}" if iratio is not None else "–",
            "reference" if floor == "memcpy-fixup" else f"{target:.2f}", holds,
            FLOOR_NOTE.get(module, ""),
        ])
    used = []
    if timed:
        used.append({"_file": os.path.join(results_dir, "gbench.json"), "git_sha": context.get("git_sha", ""),
                     "cpu": f"{context.get('num_cpus', '?')} CPUs", "compiler": context.get("compiler", ""),
                     "date": context.get("date", "")})
    if counted:
        any_row = next(iter(counted.values()))
        used.append({"_file": os.path.join(results_dir, "callgrind-floors.csv"), "git_sha": any_row["git_sha"],
                     "cpu": "callgrind", "compiler": any_row["tool"], "date": any_row["date"]})
    text = ("`./gbench --benchmark_filter=copy-floor` times each module and its floor interleaved in one process "
            "(medians over iterations; the ratio is the median of per-iteration module/floor, its extremes in "
            "brackets); `scripts/callgrind-floors.sh` counts instructions per object at 10^5 objects "
            "(`results/callgrind-floors.csv`, reproducible where timings on shared CPUs are not). A module holds "
            "its target when its ratio is at most the target: by instructions and by time, each stated; the last "
            "column says what in its contract costs the difference.\n\n"
            + md_table(["module", "floor", "workload", "module", "floor", "ratio (min-max)",
                        "memcpy / call (module / floor)", "instr/obj (module / floor)", "instr ratio", "target",
                        "holds", "what the contract costs"], body))
    return text, used


TABLES = [
    (1, "Transmigration cost: ns per object (median over reps) by strategy, workload, layout and size, no garbage; "
        "[95% interval of the median: the harness's ci_lo, ci_hi, else a seeded bootstrap of the reps]; the fastest "
        "strategy of each row in bold only when its interval lies wholly below every other's, else marked ≈ (a tie); "
        "a cell names the status when no rep succeeded.", t1),
    (2, "Memory overhead at the largest size of each workload (allocation order, no garbage): peak bytes the "
        "strategy took besides the copy, and its heap allocations during the call.", t2),
    (3, "Incremental transmigration (proxy): pause of the initial call against the total time through full "
        "evacuation, the barrier's overhead on a full traversal, and when the source region was freed.", t3),
    (4, "Splice vs copy by live ratio (live = 1/(1+garbage)): time, bytes copied and spliced, and the garbage "
        "each strategy carried into the destination.", t4),
    (5, "Tether cost and scaling against liburcu and Concurrency Kit.", t5),
    (6, "Unreclaimed memory with a stalled reader: peak regions retired but not yet freed, by scheme and stall.", t6),
    (7, "Adaptive's regret per knowledge class against the best fixed strategy legal in the class, per workload.", t7),
    (8, "Fraction of memcpy bandwidth (memcpy_ns / ns_total) at the largest list and tree, allocation order: "
        "memcpy of the same bytes, the call, and the call's phases for strategies that time them (bitmap: "
        "setup = shadow and worklist, restore = the pass that gives src its borrowed headers back, traversal "
        "= the rest).  Target (issue 2): bitmap at 20% or more.", t8),
    (9, "Distance to floor: every copying module beside the reference loop of its algorithm "
        "(bench/copy_floors.h), timed in the same run, and instructions per object from callgrind.", t9),
]


# ---- the document ------------------------------------------------------------------------

def parse(argv):
    o = {"csvs": [], "out": os.path.join(ROOT, "results", "paper.md"), "figdir": None}
    for a in argv:
        help_exit(a, __doc__)
        if a.startswith("--out="):
            o["out"] = a.split("=", 1)[1]
        elif a.startswith("--figdir="):
            o["figdir"] = a.split("=", 1)[1]
        else:
            csv_arg(a, o["csvs"], USAGE)
    o["csvs"] = csvs_or_results(o["csvs"])
    o["figdir"] = o["figdir"] or os.path.dirname(os.path.abspath(o["out"]))
    return o


def main(argv):
    o = parse(argv)
    rows = load_rows(o["csvs"])
    cmd = command_line("scripts/paper.py", argv)
    sweeps = sweep_commands(o["csvs"])
    manifest = {}
    mpath = os.path.join(o["figdir"], "figures.json")
    if os.path.exists(mpath):
        try:
            with open(mpath, encoding="utf-8") as fp:
                manifest = json.load(fp)
        except (OSError, ValueError):
            manifest = {}
    summaries = {}
    outdir = os.path.dirname(os.path.abspath(o["out"]))

    doc = ["# regionlab results", "",
           f"<!-- Generated by `{cmd}` (`make paper`); do not edit: rerun it. -->", "",
           f"Generated by `{cmd}` from {len(rows)} rows of "
           + ", ".join(f"`{shown_path(p)}`" for p in o["csvs"])
           + (f" (produced by {', '.join(f'`{c}`' for c in sweeps)})" if sweeps else "") + ".",
           "Every number is the median over reps; `–` is a value that was not measured.", "",
           f"Provenance: {provenance(rows)}.", "",
           "The CSV columns are described in `docs/csv-schema.md` (`./harness --schema`); "
           "the sweeps and this document's recipe in `docs/experiments.md`.", "",
           "## Tables", ""]
    for n, caption, fn in TABLES:
        text, used = (fn(rows, summaries) if n == 5 else fn(outdir) if n == 9
                      else fn(rows))
        doc.append(f"**Table {n}.** {caption}")
        doc.append("")
        doc.append(text if text else "_no rows_ (no trials of this kind in the CSV yet)")
        doc.append("")
        doc.append(f"<sub>Table {n}: `{cmd}`; {provenance(used) if used else 'nothing measured' if n == 9 else 'no rows'}.</sub>")
        doc.append("")
    doc += programs.section(rows, o["csvs"], o["figdir"], outdir, cmd)
    doc += thresholds_note(o["csvs"])
    doc += ["## Figures", "",
            "Each figure is drawn twice from the same medians: matplotlib (shown) and gnuplot "
            "(`scripts/figN.gp`, linked).", ""]
    figs = figdata.all_figures(rows, o["csvs"], summaries)
    for f in figs:
        m = manifest.get(f.name, {})
        doc.append(f"**Figure {f.num}.** {f.caption[0].upper() + f.caption[1:]}." + (f" ({f.note}.)" if f.note else ""))
        doc.append("")
        png = os.path.join(o["figdir"], f.name + ".png")
        rel = lambda p: os.path.relpath(p, outdir)
        if os.path.exists(png):
            doc.append(f"![Figure {f.num}: {f.title}]({rel(png)})")
            gp = [x for x in (f.name + ".gnuplot.png", f.name + ".gnuplot.svg", f.name + ".svg")
                  if os.path.exists(os.path.join(o["figdir"], x))]
            if gp:
                doc.append("")
                doc.append("Also: " + ", ".join(f"[{x}]({rel(os.path.join(o['figdir'], x))})" for x in gp))
        else:
            doc.append("_not drawn yet: run `scripts/plot.py` (`make paper` does)_")
        doc.append("")
        pcmd = m.get("command", "scripts/plot.py")
        doc.append(f"<sub>Figure {f.num}: `{pcmd}`"
                   + (f" ({m['sweeps']})" if m.get("sweeps") else "")
                   + f"; {provenance(f.rows) if f.rows else 'no rows'}.</sub>")
        doc.append("")
    atomic_write(o["out"], "\n".join(doc).rstrip() + "\n")
    sys.stderr.write(f"paper.py: wrote {shown_path(o['out'])} ({len(rows)} rows, {len(TABLES)} tables, {len(figs)} figures)\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        sys.stderr.write(f"paper.py: {e}\n")
        sys.exit(2)
