"""Reading regionlab CSV rows, shared by scripts/sweep, plot.py and paper.py.

Rows are plain dicts of strings (the CSV cells); helpers turn cells into
numbers, split module specs (`name:key=val,...`) and gather provenance.
Standard library only."""

import csv
import glob
import math
import os
import re
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class BadInput(Exception):
    """A one-line complaint about the user's input: the scripts print it and exit 2."""


def schema_columns(root=ROOT):
    """The CSV header as driver/columns.def declares it (the harness writes the same)."""
    path = os.path.join(root, "driver", "columns.def")
    cols = []
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            m = re.match(r"\s*(?:COLUMN|REPORTED)\((\w+),", line)
            if m:
                cols.append(m.group(1))
    return cols


def is_rows_header(fields):
    return "schema" in fields and "kind" in fields


def read_csv(path):
    """(header, rows) of one CSV.  Repeated header lines (files concatenated from
    several harness calls) are skipped; rows are dicts keyed by the first header."""
    with open(path, newline="", encoding="utf-8") as fp:
        reader = csv.reader(fp)
        header = None
        rows = []
        for rec in reader:
            if not rec:
                continue
            if header is None:
                header = rec
                continue
            if rec == header:
                continue
            if len(rec) != len(header):
                continue
            rows.append(dict(zip(header, rec)))
    return header, rows


def result_csvs(results_dir):
    """Every CSV under results_dir whose header is a regionlab row header."""
    out = []
    for path in sorted(glob.glob(os.path.join(results_dir, "*.csv"))):
        try:
            with open(path, newline="", encoding="utf-8") as fp:
                first = next(csv.reader(fp), [])
        except OSError:
            continue
        if is_rows_header(first):
            out.append(path)
    return out


def load_rows(paths):
    """Rows of several CSVs; each row remembers its file in '_file'."""
    rows = []
    for path in paths:
        try:
            header, part = read_csv(path)
        except OSError as e:
            raise BadInput(f"cannot read {path}: {e.strerror}")
        except UnicodeDecodeError as e:
            raise BadInput(f"{path} is not a regionlab CSV (not UTF-8 text: byte {e.start})")
        except csv.Error as e:
            raise BadInput(f"{path} is not a regionlab CSV ({e})")
        if header is not None and not is_rows_header(header):
            raise BadInput(f"{path} is not a regionlab CSV (its header has no schema/kind columns)")
        for r in part:
            r["_file"] = path
        rows.extend(part)
    return rows


# ---- cells --------------------------------------------------------------------

def num(row, col):
    """The cell as a float, or None when empty or not a number."""
    v = row.get(col, "")
    if v is None or v == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return None if math.isnan(f) else f


def ok(row):
    return row.get("status", "") in ("", "ok")


# driver/machine_gate.h RL_DISTURBED_RETRIES.  A row whose `disturbed` is above
# it is the harness's last attempt of a trial on a machine that stayed
# disturbed (kept so that nothing is lost, and flagged): the harness leaves it
# out of its intervals and its stopping rule, and every script leaves it out of
# every figure (undisturbed), so a median never mixes it in either.
DISTURBED_RETRIES = 2


def undisturbed(row):
    return (num(row, "disturbed") or 0) <= DISTURBED_RETRIES


def measured(rows):
    """(rows the tables use, how many kept-disturbed rows were left out)."""
    kept = [r for r in rows if undisturbed(r)]
    return kept, len(rows) - len(kept)


def split_spec(spec):
    """'name:k=v,k=v' -> (name, {k: v}).  Malformed options are kept verbatim as keys."""
    spec = (spec or "").strip()
    name, _, rest = spec.partition(":")
    opts = {}
    if rest:
        for part in rest.split(","):
            k, eq, v = part.partition("=")
            opts[k.strip()] = v.strip() if eq else ""
    return name.strip(), opts


def join_spec(name, opts):
    if not opts:
        return name
    return name + ":" + ",".join(f"{k}={v}" for k, v in opts.items())


def same_value(a, b):
    """Cell equality that treats 0.5 and 0.50 (and 1000 and 1e3) as equal."""
    if a == b:
        return True
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return fa == fb or abs(fa - fb) <= 1e-9 * max(abs(fa), abs(fb))


WORKLOAD_PLACER_KEYS = ("layout", "garbage", "live")


def workload_label(row):
    """The workload without the placer options (layout, and garbage or live: columns of their own)."""
    name, opts = split_spec(row.get("workload", ""))
    opts = {k: v for k, v in opts.items() if k not in WORKLOAD_PLACER_KEYS}
    return join_spec(name, opts)


def layout_of(row, default="alloc"):
    lay = row.get("layout", "")
    if lay:
        return lay
    _, opts = split_spec(row.get("workload", ""))
    return opts.get("layout", default if row.get("kind") == "transmigrate" else "")


def placer_garbage(opts):
    """Dead bytes per live byte that workload options ask for: garbage=G, or
    live=R (the reachable fraction of the source region: G = (1-R)/R); 0 when
    neither, None when unreadable."""
    try:
        if "garbage" in opts:
            return float(opts["garbage"])
        if "live" in opts:
            live = float(opts["live"])
            return (1.0 - live) / live if live > 0 else None
    except ValueError:
        return None
    return 0.0


def garbage_of(row):
    """Dead bytes per live byte: the garbage column (the harness fills it from
    garbage= or live=), else the workload's options.  A live=R trial gets the
    exact (1-R)/R rather than the column's 6 digits, so that 1/(1+garbage)
    gives R back."""
    g = num(row, "garbage")
    opts = split_spec(row.get("workload", ""))[1]
    if g is None:
        return placer_garbage(opts)
    if "live" in opts:
        exact = placer_garbage(opts)
        if exact is not None and f"{exact:.6g}" == f"{g:.6g}":
            return exact
    return g


def base_name(spec):
    return split_spec(spec)[0]


def selects(strategy):
    """True for a strategy that picks another one per call (adaptive): where its pick is the
    same for every call of a grid point it runs the picked strategy's code and ties with it by
    construction, so the fastest-strategy verdicts (Table 1, compare-runs) leave it out and
    Table 7 judges it by its regret against the best fixed strategy."""
    return base_name(strategy).startswith("adaptive")


# ---- statistics -----------------------------------------------------------------

def median(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def group(rows, keyfn):
    """Ordered dict key -> rows."""
    out = {}
    for r in rows:
        out.setdefault(keyfn(r), []).append(r)
    return out


def geomean(values):
    vals = [v for v in values if v is not None and v > 0]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


# ---- provenance -----------------------------------------------------------------

def distinct(rows, col):
    seen = []
    for r in rows:
        v = r.get(col, "")
        if v and v not in seen:
            seen.append(v)
    return seen


def short_list(values, limit=3):
    if not values:
        return "unknown"
    if len(values) <= limit:
        return ", ".join(values)
    return ", ".join(values[:limit]) + f" (+{len(values) - limit} more)"


def provenance(rows):
    """One line: commit, CPU, compiler and dates of the rows (every distinct value)."""
    if not rows:
        return "no rows"
    files = distinct(rows, "_file")
    dates = sorted(distinct(rows, "date"))
    span = ""
    if dates:
        span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} .. {dates[-1]}"
    parts = [
        f"{len(rows)} rows of {short_list([shown_path(f) for f in files])}",
        f"commit {short_list(distinct(rows, 'git_sha'))}",
        f"CPU {short_list(distinct(rows, 'cpu'))}",
        f"compiler {short_list(distinct(rows, 'compiler'))}",
    ]
    if span:
        parts.append(f"dates {span}")
    return "; ".join(parts)


def shown_path(path):
    """A path relative to the repository when it lies inside it."""
    rel = os.path.relpath(os.path.abspath(path), ROOT)
    return path if rel.startswith("..") else rel


def machine_label(cpu):
    """A short name for a CPU string, for series labels when rows of several machines mix."""
    s = re.sub(r"\((R|TM)\)|CPU|Processor|@.*?GHz", "", cpu or "?", flags=re.I)
    s = re.sub(r"\s+", " ", s).strip()
    return s[:28]


def cpu_count(cpu):
    """Online CPUs as the cpu column states them ('..., 2 CPUs' or similar), or None."""
    m = re.search(r"(\d+)\s*(?:online\s*)?(?:v?cpus?|cores?|threads?)\b", cpu or "", flags=re.I)
    if m:
        return int(m.group(1))
    m = re.search(r"[x×]\s*(\d+)\s*\)?\s*$", cpu or "")
    return int(m.group(1)) if m else None


def sweep_command_for(path):
    """The command that produced a results CSV, by the runner's naming rule."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if os.path.exists(os.path.join(ROOT, "experiments", stem + ".sweep")):
        return f"scripts/sweep {stem}"
    return None


def atomic_write(path, text):
    """Writes text to path through a temp file and a rename; BadInput when it cannot."""
    d = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(d, exist_ok=True)
        tmp = os.path.join(d, f".{os.path.basename(path)}.tmp{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as fp:
            fp.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise BadInput(f"cannot write {path}: {e.strerror}")


def check_writable_dir(d):
    try:
        os.makedirs(d, exist_ok=True)
    except OSError as e:
        raise BadInput(f"cannot create {d}: {e.strerror}")
    if not os.access(d, os.W_OK):
        raise BadInput(f"cannot write into {d}: permission denied")
