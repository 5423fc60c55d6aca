#!/usr/bin/python3
"""Draws the seven figures from regionlab CSV rows, with matplotlib and gnuplot.

usage: scripts/plot.py [CSV...] [--outdir=DIR] [--engine=both|matplotlib|gnuplot] [--harness=PATH]

Without CSV arguments it reads every regionlab CSV under results/.  Writes
DIR/figN_NAME.png and .svg (matplotlib), DIR/figN_NAME.gnuplot.png and .svg
(scripts/figN.gp over the same medians, written to DIR/plotdata/), and
DIR/figures.json (what each figure drew, from which rows, by which command).
A figure whose rows are missing says "no rows" instead of failing."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

from rows import BadInput, ROOT, load_rows, measured, provenance  # noqa: E402
from cli import command_line, csv_arg, csvs_or_results, help_exit, sweep_commands  # noqa: E402
import figdata  # noqa: E402
import programs  # noqa: E402

USAGE = "usage: scripts/plot.py [CSV...] [--outdir=DIR] [--engine=both|matplotlib|gnuplot] [--harness=PATH]"


def parse(argv):
    o = {"csvs": [], "outdir": os.path.join(ROOT, "results"), "engine": "both", "harness": None}
    for a in argv:
        help_exit(a, __doc__)
        if a.startswith("--outdir="):
            o["outdir"] = a.split("=", 1)[1]
        elif a.startswith("--engine="):
            o["engine"] = a.split("=", 1)[1]
            if o["engine"] not in ("both", "matplotlib", "gnuplot"):
                raise BadInput(f"--engine={o['engine']}: valid: both, matplotlib, gnuplot")
        elif a.startswith("--harness="):
            o["harness"] = a.split("=", 1)[1]
        else:
            csv_arg(a, o["csvs"], USAGE)
    o["csvs"] = csvs_or_results(o["csvs"])
    return o


def module_summaries(harness):
    """NAME -> SUMMARY from `harness --list`, to recognise anchors; {} without a harness."""
    path = harness or os.path.join(ROOT, "harness")
    if not os.access(path, os.X_OK):
        return {}
    try:
        p = subprocess.run([path, "--list"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    out = {}
    for line in p.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            out[parts[1]] = parts[2]
    return out


def data_note(csvs):
    cmds = sweep_commands(csvs)
    return ("rows from " + ", ".join(cmds)) if cmds else ""


# ---- matplotlib -------------------------------------------------------------------

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd"]
# The modules the issues name keep one colour in every figure; others hash into the palette.
KNOWN = {"naive": 7, "bitmap": 0, "cheney": 1, "proxy": 2, "splice": 3, "promote": 5, "linear": 8, "adaptive": 4,
         "atomic": 3, "tls": 2, "hazard": 0, "ebr": 1, "hybrid": 4, "sharded": 9, "percpu": 9,
         "urcu-qsbr": 10, "urcu-memb": 14, "ck-epoch": 12, "ck-hp": 13, "packed": 3, "padded": 0}
MARKERS = "osD^vP*Xh<>"


def color_for(label):
    base = label.split(" [")[0].split()[0]
    base = base.split(":")[0]
    if base in KNOWN:
        return PALETTE[KNOWN[base]]
    return PALETTE[zlib.crc32(base.encode()) % len(PALETTE)]


def tmp_name(path):
    d, b = os.path.split(path)
    stem, ext = os.path.splitext(b)
    return os.path.join(d, f".{stem}.tmp{os.getpid()}{ext}")


def draw_matplotlib(fig, footer, outbase):
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "regionlab"
    import matplotlib.pyplot as plt

    n = max(1, len(fig.panels))
    mfig, axes = plt.subplots(1, n, figsize=(max(6.2 * n, 9.0), 4.6), squeeze=False)
    for ax, p in zip(axes[0], fig.panels or [None]):
        if p is None or p.empty():
            ax.text(0.5, 0.5, "no rows", ha="center", va="center", fontsize=16, color="#888", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            if p is not None:
                ax.set_title(p.title, fontsize=10)
            continue
        if p.kind == "bar":
            k = len(p.series)
            width = 0.8 / max(k, 1)
            xs = range(len(p.categories))
            for i, s in enumerate(p.series):
                vals = [v if v is not None else 0 for v in s.values]
                ax.bar([x - 0.4 + width * (i + 0.5) for x in xs], vals, width, label=s.label, color=color_for(s.label))
            if p.ylog:
                ax.set_yscale("log")
            if p.hline is not None:
                ax.axhline(p.hline, color="#555", linestyle=":", linewidth=1)
            ax.set_xticks(list(xs))
            ax.set_xticklabels(p.categories, rotation=30 if len(p.categories) > 4 else 0, ha="right" if len(p.categories) > 4 else "center", fontsize=8)
        else:
            for i, s in enumerate(p.series):
                xs = [x for x, _ in s.points]
                ys = [y for _, y in s.points]
                dense = len(xs) > 40  # a time series: a line, no markers
                ax.plot(xs, ys, marker=None if dense else MARKERS[i % len(MARKERS)], markersize=3.5,
                        linewidth=1.0 if dense else 1.5, linestyle="--" if s.dashed else "-", label=s.label,
                        color=color_for(s.label))
            if p.xlog:
                ax.set_xscale("log")
            if p.xlog2:
                ax.set_xscale("log", base=2)
                ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            if p.ylog:
                ax.set_yscale("log")
            if p.vline:
                ax.axvline(p.vline, color="#999", linestyle=":", linewidth=1)
            ax.grid(True, which="major", alpha=0.3)
        ax.set_title(p.title, fontsize=10)
        ax.set_xlabel(p.xlabel)
        ax.set_ylabel(p.ylabel)
        if p.series:
            ax.legend(fontsize=7, loc="best", ncol=2 if len(p.series) > 6 else 1)
        if p.note:
            ax.text(0.99, 0.99, p.note, transform=ax.transAxes, fontsize=7, color="#555", ha="right", va="top",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    title = f"Figure {fig.num}. {fig.title}"
    if fig.note:  # wrapped to the figure's width: a long note (figure 9's winners) must not run off the page
        title += "\n" + textwrap.fill(f"({fig.note})", width=int(mfig.get_figwidth() * 14))
    mfig.suptitle(title, fontsize=11 if len(title) < 200 else 9)
    mfig.text(0.005, 0.005, footer, fontsize=6.5, color="#555", ha="left", va="bottom")
    mfig.tight_layout(rect=(0, 0.07, 1, 0.98 - 0.035 * (title.count("\n") + 1)))
    files = []
    for ext in ("png", "svg"):
        path = f"{outbase}.{ext}"
        tmp = tmp_name(path)
        meta = {"Date": None} if ext == "svg" else {"Software": None}
        mfig.savefig(tmp, dpi=110, metadata=meta)
        os.replace(tmp, path)
        files.append(path)
    plt.close(mfig)
    return files


# ---- gnuplot ----------------------------------------------------------------------

def gp_str(s):
    return "'" + str(s).replace("'", "''") + "'"


def gp_dq(s):
    """A double-quoted gnuplot string (\\n is a line break there)."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_gnuplot_data(fig, footer, datadir):
    """DATADIR/NAME-pK.dat per panel and DATADIR/NAME.vars.gp, read by scripts/figN.gp."""
    os.makedirs(datadir, exist_ok=True)
    base = os.path.join(datadir, fig.name)
    v = [f"# Figure {fig.num} data, written by scripts/plot.py; medians over reps",
         f"npanels = {len(fig.panels)}",
         f"figtitle = {gp_dq(f'Figure {fig.num}. {fig.title}' + (chr(10) + f'({fig.note})' if fig.note else ''))}",
         f"footer1 = {gp_str(footer.split(chr(10))[0])}",
         f"footer2 = {gp_str(footer.split(chr(10))[-1])}"]
    for k, p in enumerate(fig.panels, 1):
        dat = f"{base}-p{k}.dat"
        lines = [f"# {p.title}"]
        if p.kind == "bar":
            lines.append("category " + " ".join(f'"{s.label}"' for s in p.series))
            for i, c in enumerate(p.categories):
                vals = [s.values[i] for s in p.series]
                lines.append(f'"{c}" ' + " ".join("NaN" if x is None else f"{x:.6g}" for x in vals))
        else:
            for s in p.series:
                lines.append(f'"{s.label}" "y"')
                lines.extend(f"{x:.6g} {y:.6g}" for x, y in s.points)
                lines += ["", ""]
        with open(dat, "w", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
        dashed = [str(i) for i, s in enumerate(p.series) if s.dashed]
        v += [f"data{k} = datadir.'/'.{gp_str(os.path.basename(dat))}",
              f"title{k} = {gp_str(p.title)}",
              f"xlabel{k} = {gp_str(p.xlabel)}",
              f"ylabel{k} = {gp_str(p.ylabel)}",
              f"nseries{k} = {len(p.series)}",
              f"ncats{k} = {len(p.categories)}",
              f"empty{k} = {1 if p.empty() else 0}",
              f"dashed{k} = {gp_str(' ' + ' '.join(dashed) + ' ')}",
              f"vline{k} = {p.vline or 0}",
              f"hline{k} = {p.hline or 0}",
              f"ylog{k} = {1 if p.ylog else 0}",
              f"dense{k} = {1 if any(len(s.points) > 40 for s in p.series) else 0}",
              f"note{k} = {gp_str(p.note)}"]
    with open(base + ".vars.gp", "w", encoding="utf-8") as fp:
        fp.write("\n".join(v) + "\n")
    return base + ".vars.gp"


def draw_gnuplot(fig, footer, outbase, datadir):
    varsfile = write_gnuplot_data(fig, footer, datadir)
    script = os.path.join(ROOT, "scripts", f"fig{fig.num}.gp")
    files = []
    for ext, term in (("png", "pngcairo"), ("svg", "svg")):
        path = f"{outbase}.gnuplot.{ext}"
        tmp = tmp_name(path)
        setup = (f"vars={gp_str(varsfile)}; datadir={gp_str(datadir)}; out={gp_str(tmp)}; term={gp_str(term)}; "
                 f"gpdir={gp_str(os.path.join(ROOT, 'scripts'))}")
        p = subprocess.run(["gnuplot", "-e", setup, script], capture_output=True, text=True, timeout=120)
        if p.returncode != 0 or not os.path.exists(tmp):
            last = (p.stderr.strip().splitlines() or ["no message"])[-1]
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise RuntimeError(f"gnuplot {os.path.relpath(script, ROOT)} failed: {last}")
        os.replace(tmp, path)
        files.append(path)
    return files


# ---- main -------------------------------------------------------------------------

def draw_one(job):
    """(files, error or None) of one figure with one engine; one failing must not lose the others."""
    f, eng, footer, outbase, datadir = job
    try:
        if eng == "matplotlib":
            return draw_matplotlib(f, footer, outbase), None
        return draw_gnuplot(f, footer, outbase, datadir), None
    except Exception as e:  # noqa: BLE001
        return [], str(e)


def main(argv):
    o = parse(argv)
    outdir = o["outdir"]
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        raise BadInput(f"cannot create {outdir}: {e.strerror}")
    if not os.access(outdir, os.W_OK):
        raise BadInput(f"cannot write into {outdir}")
    rows, _ = measured(load_rows(o["csvs"]))  # kept-disturbed rows left out, as in the tables
    cmd = command_line("scripts/plot.py", argv)
    figs = figdata.all_figures(rows, o["csvs"], module_summaries(o["harness"]))
    engines = ["matplotlib", "gnuplot"] if o["engine"] == "both" else [o["engine"]]
    if "gnuplot" in engines and shutil.which("gnuplot") is None:
        if o["engine"] == "gnuplot":
            raise BadInput("gnuplot is not installed (apt-get install gnuplot-nox)")
        sys.stderr.write("plot.py: gnuplot not found: matplotlib figures only\n")
        engines.remove("gnuplot")
    if "matplotlib" in engines:  # imported once, before the workers fork
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    manifest = {}
    failed = 0
    extra = data_note(o["csvs"])
    jobs = [(f, eng, f"{cmd}" + (f"  ({extra})" if extra else "") + "\n" + provenance(f.rows),
             os.path.join(outdir, f.name), os.path.join(outdir, "plotdata")) for f in figs for eng in engines]
    os.makedirs(os.path.join(outdir, "plotdata"), exist_ok=True)
    # figures are independent: draw them in parallel processes (forked after the imports)
    try:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(min(len(jobs), os.cpu_count() or 1)) as pool:
            results = pool.map(draw_one, jobs)
    except (ImportError, OSError):
        results = [draw_one(j) for j in jobs]
    done = {}
    for (f, eng, _, _, _), (files, err) in zip(jobs, results):
        done.setdefault(f.name, []).extend(files)
        if err:
            failed += 1
            sys.stderr.write(f"plot.py: figure {f.num} ({eng}): {err}\n")
    for f in figs:
        prov = provenance(f.rows)
        files = done.get(f.name, [])
        manifest[f.name] = {
            "figure": f.num, "title": f.title, "caption": f.caption, "note": f.note,
            "files": [os.path.relpath(p, outdir) for p in files], "command": cmd, "sweeps": extra,
            "rows": len(f.rows), "provenance": prov,
            "empty": all(p.empty() for p in f.panels) if f.panels else True,
        }
        state = "no rows" if manifest[f.name]["empty"] else f"{len(f.rows)} rows"
        sys.stderr.write(f"plot.py: figure {f.num} {f.name}: {state} -> {len(files)} files\n")
    if "matplotlib" in engines:  # figure 8, real programs (scripts/lib/programs.py)
        files, n = programs.draw(rows, o["csvs"], outdir, f"{cmd}" + (f"  ({extra})" if extra else ""))
        sys.stderr.write(f"plot.py: figure {programs.FIG_NUM} {programs.FIG_NAME}: {n} programs -> {len(files)} files\n")
    tmp = os.path.join(outdir, f".figures.json.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fp:
        json.dump(manifest, fp, indent=1, sort_keys=True)
        fp.write("\n")
    os.replace(tmp, os.path.join(outdir, "figures.json"))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        sys.stderr.write(f"plot.py: {e}\n")
        sys.exit(2)
