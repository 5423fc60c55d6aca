"""Real programs (issue 16): the figure and tables of the program trials.

Program trials are harness rows whose workload is `program:name=NAME,...`
(driver/program_run.c); the escapes' sizes come from NAME.escapes.csv beside
the CSV (the `series=FILE` key of the [programs-escapes] grid of
experiments/default.sweep).  plot.py calls draw() for figure 8, paper.py
calls section() for table 9 (whole-program time by strategy, normalised to
regions=none) and table 10 (escapes below 512 B, 512 B - 64 KiB, above: the
adaptive evacuator's thresholds, design section 2.7)."""

import csv
import math
import os

from rows import group, median, num, ok, split_spec

SMALL, LARGE = 512, 64 * 1024
FIG_NUM, FIG_NAME = 8, "fig8_escape_sizes"


def is_program(row):
    return row.get("kind") == "transmigrate" and row.get("workload", "").startswith("program:")


def program_rows(rows):
    return [r for r in rows if is_program(r)]


def program_of(row):
    """(name, size, regions) of a program row."""
    _, opts = split_spec(row.get("workload", ""))
    name = opts.get("name") or os.path.basename(opts.get("file", "?"))
    return name, opts.get("size", ""), opts.get("regions", "call")


def escapes_files(csv_paths):
    found = []
    for p in csv_paths:
        e = os.path.splitext(p)[0] + ".escapes.csv"
        if os.path.isfile(e) and e not in found:
            found.append(e)
    return found


def load_escapes(csv_paths):
    """{program: [(kind, objects, bytes, count, ns)]} from the escape series (first rep, first strategy)."""
    out, seen = {}, set()
    for path in escapes_files(csv_paths):
        try:
            with open(path, newline="", encoding="utf-8") as fp:
                for r in csv.DictReader(fp):
                    name, _, _ = program_of(r)
                    key = (name, r.get("strategy", ""), r.get("rep", ""))
                    if name in out and key not in seen:
                        continue  # one run per program is enough: sizes do not depend on the strategy
                    seen.add(key)
                    try:
                        out.setdefault(name, []).append((r["kind"], int(r["objects"]), int(r["bytes"]),
                                                         int(r["count"]), int(r["ns_total"])))
                    except (KeyError, ValueError):
                        continue
        except (OSError, UnicodeDecodeError):
            continue
    return out


def size_classes(escapes):
    """(count, bytes) shares of escapes below SMALL, from SMALL to LARGE, above."""
    counts, volume = [0, 0, 0], [0, 0, 0]
    for _, _, b, c, _ in escapes:
        k = 0 if b < SMALL else (1 if b <= LARGE else 2)
        counts[k] += c
        volume[k] += b * c
    tc, tv = sum(counts) or 1, sum(volume) or 1
    return [x / tc for x in counts], [x / tv for x in volume], sum(counts)


# ---- figure 8 -------------------------------------------------------------------------

def draw(rows, csv_paths, outdir, footer):
    """Figure 8: per program, how many escapes fall in each power-of-two byte size
    (matplotlib), with the adaptive evacuator's 512 B and 64 KiB lines."""
    escapes = load_escapes(csv_paths)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = sorted(escapes)
    cols = 4
    nrows = max(1, math.ceil(len(names) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(13, 2.6 * nrows + 0.8), squeeze=False)
    for i, ax in enumerate(a for row in axes for a in row):
        if i >= len(names):
            ax.axis("off")
            continue
        name = names[i]
        hist = {}
        for kind, _, b, c, _ in escapes[name]:
            e = max(3, int(math.log2(max(b, 1))))
            hist.setdefault(kind, {}).setdefault(e, 0)
            hist[kind][e] += c
        for kind, color in (("return", "#1f77b4"), ("barrier", "#d62728")):
            h = hist.get(kind, {})
            if h:
                xs = sorted(h)
                ax.bar([2 ** x for x in xs], [h[x] for x in xs], width=[2 ** x * 0.6 for x in xs],
                       color=color, alpha=0.75, label=kind, align="edge")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        for x in (SMALL, LARGE):
            ax.axvline(x, color="#555", linestyle=":", linewidth=1)
        ax.set_xlim(8, 2 ** 22)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        if i % cols == 0:
            ax.set_ylabel("escapes", fontsize=8)
        if i >= len(names) - cols:
            ax.set_xlabel("bytes moved (power-of-two bin)", fontsize=8)
        if hist:
            ax.legend(fontsize=6, loc="upper right")
    if not names:
        axes[0][0].text(0.5, 0.5, "no rows", ha="center", va="center", fontsize=16, color="#888",
                        transform=axes[0][0].transAxes)
    fig.suptitle(f"Figure {FIG_NUM}. Escape sizes of real programs (regions=call); dotted: 512 B and 64 KiB",
                 fontsize=11)
    fig.text(0.005, 0.005, footer, fontsize=6.5, color="#555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    files = []
    for ext in ("png", "svg"):
        path = os.path.join(outdir, f"{FIG_NAME}.{ext}")
        tmp = os.path.join(outdir, f".{FIG_NAME}.tmp{os.getpid()}.{ext}")
        fig.savefig(tmp, dpi=110, metadata={"Date": None} if ext == "svg" else {"Software": None})
        os.replace(tmp, path)
        files.append(path)
    plt.close(fig)
    return files, len(names)


# ---- tables 9 and 10 --------------------------------------------------------------------

def fmt_s(ns):
    return "–" if ns is None else f"{ns / 1e9:.3g} s"


def t9(rows):
    """Whole-program time by strategy, normalised to the program's regions=none time."""
    prs = [r for r in program_rows(rows) if ok(r) and num(r, "program_ns") is not None]
    base = {}
    for (name, size), g in group([r for r in prs if program_of(r)[2] == "none"],
                                 lambda r: program_of(r)[:2]).items():
        base[(name, size)] = median([num(r, "program_ns") for r in g])
    calls = [r for r in prs if program_of(r)[2] == "call"]
    strategies = []
    for r in calls:
        if r["strategy"] not in strategies:
            strategies.append(r["strategy"])
    body, ratios = [], {s: [] for s in strategies}
    for (name, size), g in sorted(group(calls, lambda r: program_of(r)[:2]).items()):
        b = base.get((name, size))
        cells, vals = [], []
        for s in strategies:
            t = [num(r, "program_ns") for r in g if r["strategy"] == s]
            v = median(t) / b if t and b else None
            vals.append(v)
            if v is not None:
                ratios[s].append(v)
        best = min((v for v in vals if v is not None), default=None)
        for v in vals:
            c = "–" if v is None else f"{v:.2f}"
            cells.append(f"**{c}**" if v is not None and v == best else c)
        share_of = "bitmap" if "bitmap" in strategies else strategies[0]
        tm_share = median([num(r, "tm_ns") / num(r, "program_ns") for r in g if r["strategy"] == share_of
                           and num(r, "tm_ns") is not None and num(r, "program_ns")])
        esc = median([num(r, "escapes") for r in g if num(r, "escapes") is not None])
        bar = median([num(r, "barrier_moves") for r in g if num(r, "barrier_moves") is not None])
        body.append([f"{name} {size}", fmt_s(b), f"{esc:.0f}" if esc is not None else "–",
                     f"{bar:.0f}" if bar is not None else "–",
                     f"{100 * tm_share:.0f}%" if tm_share is not None else "–"] + cells)
    if not body:
        return None, [], {}
    gm = {s: math.exp(sum(math.log(v) for v in ratios[s]) / len(ratios[s])) for s in strategies if ratios[s]}
    best = min(gm.values()) if gm else None
    body.append(["geometric mean", "", "", "", ""] +
                [("**%.2f**" if gm.get(s) == best else "%.2f") % gm[s] if s in gm else "–" for s in strategies])
    share_of = "bitmap" if "bitmap" in strategies else strategies[0]
    heads = ["program N", "regions=none", "escapes", "barrier moves", f"in strategy ({share_of})"] + strategies
    return heads, body, gm


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def t10(csv_paths):
    escapes = load_escapes(csv_paths)
    body = []
    total = [[], []]
    for name in sorted(escapes):
        counts, volume, n = size_classes(escapes[name])
        body.append([name, f"{n}"] + [f"{100 * x:.1f}%" for x in counts] + [f"{100 * x:.1f}%" for x in volume])
    every = [e for v in escapes.values() for e in v]
    if every:
        counts, volume, n = size_classes(every)
        body.append(["all programs", f"{n}"] + [f"{100 * x:.1f}%" for x in counts] + [f"{100 * x:.1f}%" for x in volume])
    return body


def section(rows, csv_paths, figdir, outdir, cmd):
    """The markdown of the real-programs part of results/paper.md."""
    doc = ["## Real programs", "",
           "The bundled Scheme programs (`lisp/programs`, each checks its own answer) run with a region per "
           "non-tail call: every call result that lives in the dying region, and every value a store would "
           "make an older region point at (the store barrier), is moved by the strategy under test "
           "(`--workload=program:name=NAME`, `driver/program_run.c`).", ""]
    heads, body, gm = t9(rows)
    doc.append("**Table 9.** Whole-program time by strategy, normalised to the same program in one region "
               "(regions=none, whose time is the second column); median over reps; the fastest strategy of each "
               "row in bold; escapes and barrier moves per run, and the share of the run spent inside the "
               "strategy.")
    doc.append("")
    doc.append(md_table(heads, body) if body else "_no rows_ (no program trials in the CSV yet)")
    doc.append("")
    if gm:
        best = min(gm, key=gm.get)
        doc.append(f"Over every program, `{best}` makes whole programs fastest: {gm[best]:.2f}x the one-region "
                   f"time (geometric mean); " + ", ".join(f"`{s}` {v:.2f}x" for s, v in
                                                          sorted(gm.items(), key=lambda kv: kv[1]) if s != best) + ".")
        doc.append("")
    body10 = t10(csv_paths)
    doc.append("**Table 10.** Escapes by size class against the adaptive evacuator's thresholds (design 2.7: "
               "below 512 B copy, 512 B - 64 KiB, above 64 KiB splice/adopt): share of the escapes (count) and of "
               "the bytes they moved, per program, from one bitmap run (`results/*.escapes.csv`).")
    doc.append("")
    doc.append(md_table(["program", "escapes", "< 512 B", "512 B - 64 KiB", "> 64 KiB", "bytes < 512 B",
                         "bytes 512 B - 64 KiB", "bytes > 64 KiB"], body10)
               if body10 else "_no escape series_ (run the [programs-escapes] grid)")
    doc.append("")
    png = os.path.join(figdir, FIG_NAME + ".png")
    doc.append(f"**Figure {FIG_NUM}.** Escape sizes per program: how many escapes moved how many bytes "
               "(power-of-two bins; call results blue, store-barrier moves red), with the 512 B and 64 KiB lines.")
    doc.append("")
    if os.path.exists(png):
        doc.append(f"![Figure {FIG_NUM}: escape sizes]({os.path.relpath(png, outdir)})")
    else:
        doc.append("_not drawn yet: run `scripts/plot.py` (`make paper` does)_")
    doc.append("")
    doc.append(f"<sub>Tables 9, 10 and figure {FIG_NUM}: `{cmd}`; `scripts/compare-guile` compares the "
               "evaluator itself with Guile's.</sub>")
    doc.append("")
    return doc
