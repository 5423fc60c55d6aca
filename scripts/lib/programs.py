"""Real programs (issue 16): the figure and tables of the program trials.

Program trials are harness rows whose workload is `program:name=NAME,...`
(driver/program_run.c); the escapes' sizes come from NAME.escapes.csv beside
the CSV (the `series=FILE` key of the [programs-escapes] grid of
experiments/default.sweep).  plot.py calls draw() for figure 8, paper.py
calls section() for table 10 (whole-program time by strategy, normalised to
regions=none, with intervals and the tie rule, and the sentence that says
which strategy wins whole programs) and table 11 (escapes below 512 B,
512 B - 64 KiB, above: the adaptive evacuator's thresholds, design 2.7)."""

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
    """{program: [(kind, objects, bytes, count, ns)]} from the escape series (first rep, first strategy).
    A run written twice under one (program, strategy, rep) (a retried trial, or a grid point the sweep
    visited again) counts once: each (kind, objects, bytes) of a key is taken the first time only."""
    out, seen, taken = {}, set(), set()
    for path in escapes_files(csv_paths):
        try:
            with open(path, newline="", encoding="utf-8") as fp:
                for r in csv.DictReader(fp):
                    name, _, _ = program_of(r)
                    key = (name, r.get("strategy", ""), r.get("rep", ""))
                    if name in out and key not in seen:
                        continue  # one run per program is enough: sizes do not depend on the strategy
                    seen.add(key)
                    bucket = key + (r.get("kind", ""), r.get("objects", ""), r.get("bytes", ""))
                    if bucket in taken:
                        continue
                    taken.add(bucket)
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


# ---- table 10: whole-program time ---------------------------------------------------------
# A strategy's time is normalised to the same program in one region
# (regions=none, the [programs-baseline] grid: another harness call).  The
# ratio's interval is a bootstrap that resamples both samples apart; the
# strategies of one program ran interleaved round by round (one grid point),
# so they are compared with each other on their own times (the harness's
# ci_lo, ci_hi) and, over every program, paired by round.

RESAMPLES = 2000
SEED = 0x5EED2016
TABLE_TIME, TABLE_SHARES = 10, 11


def fmt_s(ns):
    return "–" if ns is None else f"{ns / 1e9:.3g} s"


def fmt_x(v, ci=None):
    """'0.52 [0.48, 0.55]'."""
    if v is None:
        return "–"
    if ci is None or ci[0] is None:
        return f"{v:.2f}"
    return f"{v:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def quantiles(xs):
    """The 95% percentile interval of a bootstrap distribution."""
    xs = sorted(xs)
    if not xs:
        return (None, None)
    return (xs[int(0.025 * (len(xs) - 1))], xs[int(math.ceil(0.975 * (len(xs) - 1)))])


def boot_medians(rng, xs, n=RESAMPLES):
    """n bootstrap medians of xs."""
    k = len(xs)
    return [median([xs[rng.randrange(k)] for _ in range(k)]) for _ in range(n)]


def timed_rows(rows):
    """Program rows that timed a run: ok, with program_ns, not a series run."""
    return [r for r in program_rows(rows) if ok(r) and num(r, "program_ns") is not None
            and "series" not in split_spec(r.get("workload", ""))[1]]


def time_samples(rows):
    """({(name, size): [ns]} of regions=none, {(name, size): {strategy: {rep: ns}}} of regions=call,
    {(name, size): {strategy: (ci_lo, ci_hi)}} the harness's intervals, [strategies] in order)."""
    base, calls, cis, strategies = {}, {}, {}, []
    for r in timed_rows(rows):
        name, size, regions = program_of(r)
        ns = num(r, "program_ns")
        if regions == "none":
            base.setdefault((name, size), []).append(ns)
            continue
        st = r["strategy"]
        if st not in strategies:
            strategies.append(st)
        calls.setdefault((name, size), {}).setdefault(st, {})[r.get("rep", "")] = ns
        lo, hi = num(r, "ci_lo"), num(r, "ci_hi")
        if lo is not None and hi is not None:
            cis.setdefault((name, size), {})[st] = (lo, hi)
    return base, calls, cis, strategies


def overall(base, calls, strategies, rng):
    """Over every program that has a baseline and every strategy: per strategy,
    the geometric mean of its time over regions=none, with a bootstrap interval
    (each program's two samples resampled apart); {strategy: (gm, (lo, hi))}."""
    progs = sorted(p for p in calls if p in base and all(s in calls[p] for s in strategies))
    if not progs:
        return {}, progs
    base_boot = {p: boot_medians(rng, base[p]) for p in progs}
    out = {}
    for s in strategies:
        logs = [0.0] * RESAMPLES
        point = 0.0
        for p in progs:
            xs = list(calls[p][s].values())
            point += math.log(median(xs) / median(base[p]))
            for i, m in enumerate(boot_medians(rng, xs)):
                logs[i] += math.log(m / base_boot[p][i])
        k = len(progs)
        out[s] = (math.exp(point / k), quantiles([math.exp(x / k) for x in logs]))
    return out, progs


def paired(calls, progs, a, b, rng):
    """Geometric mean over programs of the median per-round ratio a/b (the two ran
    in the same rounds of one grid point), with a bootstrap interval that
    resamples each program's rounds: (gm, (lo, hi))."""
    per = []
    for p in progs:
        ra, rb = calls[p][a], calls[p][b]
        per.append([ra[k] / rb[k] for k in ra if k in rb and rb[k] > 0])
    per = [x for x in per if x]
    if not per:
        return None, (None, None)
    point = math.exp(sum(math.log(median(x)) for x in per) / len(per))
    logs = [0.0] * RESAMPLES
    for x in per:
        for i, m in enumerate(boot_medians(rng, x)):
            logs[i] += math.log(m)
    return point, quantiles([math.exp(v / len(per)) for v in logs])


def time_table(rows, bold_fastest):
    """Table 10 (headers, body) and the verdict over every program (a dict, or None).
    bold_fastest(cells, values, cis) is paper.py's tie rule."""
    import random
    rng = random.Random(SEED)
    base, calls, cis, strategies = time_samples(rows)
    body = []
    for (name, size) in sorted(calls):
        got = calls[(name, size)]
        b = base.get((name, size))
        bmed = median(b) if b else None
        bci = quantiles([m for m in boot_medians(rng, b)]) if b and len(b) > 1 else (None, None)
        cells, meds, ints = [], [], []
        for s in strategies:
            xs = list(got.get(s, {}).values())
            if not xs:
                cells.append("–")
                meds.append(None)
                ints.append((None, None))
                continue
            m = median(xs)
            meds.append(m)
            ints.append(cis.get((name, size), {}).get(s) or (quantiles(boot_medians(rng, xs)) if len(xs) > 1
                                                            else (None, None)))
            if bmed:
                rb = boot_medians(rng, b) if len(b) > 1 else [bmed] * RESAMPLES
                ci = quantiles([x / y for x, y in zip(boot_medians(rng, xs), rb)]) if len(xs) > 1 else None
                cells.append(fmt_x(m / bmed, ci))
            else:
                cells.append(fmt_s(m))
        cells = bold_fastest(cells, meds, ints)
        share_of = "bitmap" if "bitmap" in got else next(iter(got))
        prs = [r for r in timed_rows(rows) if program_of(r)[:2] == (name, size) and program_of(r)[2] == "call"]
        shares = [num(r, "tm_ns") / num(r, "program_ns") for r in prs if r["strategy"] == share_of
                  and num(r, "tm_ns") is not None and num(r, "program_ns")]
        esc = median([num(r, "escapes") for r in prs])
        bar = median([num(r, "barrier_moves") for r in prs])
        rounds = median([len(v) for v in got.values()])
        none_cell = "–" if bmed is None else (fmt_s(bmed) if bci[0] is None
                                              else f"{fmt_s(bmed)} [{bci[0] / 1e9:.3g}, {bci[1] / 1e9:.3g}]")
        body.append([f"{name} {size}", none_cell, f"{rounds:.0f}", f"{esc:.0f}" if esc is not None else "–",
                     f"{bar:.0f}" if bar is not None else "–",
                     f"{100 * median(shares):.0f}% ({share_of})" if shares else "–"] + cells)
    if not body:
        return None, [], None
    gm, progs = overall(base, calls, strategies, rng)
    verdict = None
    if gm:
        order = sorted(gm, key=lambda s: gm[s][0])
        best = order[0]
        vs = {s: paired(calls, progs, best, s, rng) for s in order[1:]}
        clear = all(v[1][1] is not None and v[1][1] < 1 for v in vs.values())
        gcells = [fmt_x(*gm[s]) for s in strategies]
        i = strategies.index(best)
        gcells[i] = f"**{gcells[i]}**" if clear else f"≈ {gcells[i]}"
        body.append(["geometric mean", "", "", "", "", ""] + gcells)
        verdict = {"best": best, "gm": gm[best], "runner_up": order[1] if len(order) > 1 else None,
                   "vs_runner_up": vs.get(order[1]) if len(order) > 1 else None, "clear": clear,
                   "programs": len(progs), "all": gm, "order": order}
    heads = ["program N", "regions=none [95% CI]", "rounds", "escapes", "barrier moves", "in strategy"] + strategies
    return heads, body, verdict


def verdict_text(v):
    """The sentence the README quotes: who wins whole programs, by how much, with its interval."""
    if v is None:
        return "No strategy can be named for whole programs: the CSV has no program trials with a regions=none baseline."
    gm, (lo, hi) = v["gm"]
    head = (f"`{v['best']}` takes {gm:.2f}x [{lo:.2f}, {hi:.2f}] of the one-region time "
            f"(geometric mean over {v['programs']} programs, 95% bootstrap interval)")
    ru = v["runner_up"]
    if ru is None:
        return head + "."
    r, (rlo, rhi) = v["vs_runner_up"]
    against = f"against the runner-up `{ru}` its time is {r:.2f}x [{rlo:.2f}, {rhi:.2f}] (paired by round)"
    if v["clear"]:
        return (f"**Whole programs: `{v['best']}` is fastest.** {head[0].upper() + head[1:]}; {against}: "
                f"{100 * (1 - r):.0f}% less, and its interval excludes every other strategy.")
    return (f"**Whole programs: a tie.** {head[0].upper() + head[1:]}, the lowest, but {against}, an interval "
            f"that does not exclude 1: no strategy wins whole programs outright on these rows.")


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def share_table(csv_paths):
    """Table 11: escapes by size class, per program and over all of them."""
    escapes = load_escapes(csv_paths)
    body = []
    for name in sorted(escapes):
        counts, volume, n = size_classes(escapes[name])
        body.append([name, f"{n}"] + [f"{100 * x:.1f}%" for x in counts] + [f"{100 * x:.1f}%" for x in volume])
    every = [e for v in escapes.values() for e in v]
    if every:
        counts, volume, n = size_classes(every)
        body.append(["all programs", f"{n}"] + [f"{100 * x:.1f}%" for x in counts] + [f"{100 * x:.1f}%" for x in volume])
    return body


def section(rows, csv_paths, figdir, outdir, cmd, bold_fastest):
    """The markdown of the real-programs part of results/paper.md; bold_fastest
    is paper.py's tie rule (the fastest in bold only where its interval holds)."""
    doc = ["## Real programs", "",
           "The bundled Scheme programs (`lisp/programs`, each checks its own answer) run with a region per "
           "non-tail call: every call result that lives in the dying region, and every value a store would "
           "make an older region point at (the store barrier), is moved by the strategy under test "
           "(`--workload=program:name=NAME`, `driver/program_run.c`).", ""]
    heads, body, verdict = time_table(rows, bold_fastest)
    doc.append(f"**Table {TABLE_TIME}.** Whole-program time by strategy, normalised to the same program run in one "
               "region (regions=none, whose time is the second column): the ratio of the medians over the rounds, "
               "[95% bootstrap interval, both samples resampled]; below 1, the program ran faster with a region per "
               "call than in one region that is never freed.  regions=none runs in its own harness call after the "
               "strategies' (not interleaved with them), so these ratios also carry whatever the machine did between "
               "the two calls; the bold marks and the verdict below compare the strategies on their own, interleaved "
               "times.  The strategies of a program ran interleaved, round by "
               "round: the fastest is in bold only when the interval of its time lies wholly below every other "
               "strategy's, else marked ≈ (a tie).  Escapes and barrier moves per run, and the share of the run "
               "spent inside the strategy.  The last row: the geometric mean over the programs, in bold when the "
               "leader's time, paired by round, is below every other strategy's with an interval that excludes 1.")
    doc.append("")
    doc.append(md_table(heads, body) if body else "_no rows_ (no program trials in the CSV yet)")
    doc.append("")
    doc.append(verdict_text(verdict))
    doc.append("")
    body11 = share_table(csv_paths)
    doc.append(f"**Table {TABLE_SHARES}.** Escapes by size class against the adaptive evacuator's thresholds "
               "(design 2.7: below 512 B copy, 512 B - 64 KiB, above 64 KiB splice/adopt): share of the escapes "
               "(count) and of the bytes they moved, per program, from one bitmap run (`results/*.escapes.csv`).")
    doc.append("")
    doc.append(md_table(["program", "escapes", "< 512 B", "512 B - 64 KiB", "> 64 KiB", "bytes < 512 B",
                         "bytes 512 B - 64 KiB", "bytes > 64 KiB"], body11)
               if body11 else "_no escape series_ (run the [programs-escapes] grid)")
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
    doc.append(f"<sub>Tables {TABLE_TIME}, {TABLE_SHARES} and figure {FIG_NUM}: `{cmd}`; "
               "`scripts/compare-guile` compares the evaluator itself with Guile's.</sub>")
    doc.append("")
    return doc
